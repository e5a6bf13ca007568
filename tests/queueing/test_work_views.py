"""The work pages: "My work" with availability and next item, the item page and its actions,
registering a call-back request, and the team lead's overview. Forms work without JavaScript:
bad input answers 400 with an error summary and changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from borgerservice.accounts.models import AuditEntry
from borgerservice.queueing import work
from borgerservice.queueing.models import AgentPresence, WorkItem
from borgerservice.queueing.workflow import WorkState
from tests.accounts.staff import ANALYST, TEAM_LEAD, make_staff
from tests.citizens.factories import CitizenFactory

from .conftest import later
from .work_support import make_agent, make_queues, new_item


@pytest.fixture(autouse=True)
def english():
    """The pages in English (/en/…), whatever the Danish catalogue of messages holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def queues(db):
    return make_queues()[0]


@pytest.fixture
def anna(queues, clock):
    return make_agent("anna", [queues["pas"]])


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_my_work_sets_availability_and_refuses_a_missing_choice(anna):
    page = browser(anna)
    shown = page.get(reverse("work:mine"))
    assert shown.status_code == 200
    assert "You are away." in shown.content.decode()
    bad = page.post(reverse("work:availability"), {})
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    assert not AgentPresence.objects.filter(user=anna, status="available").exists()
    done = page.post(reverse("work:availability"), {"available": "yes"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("work:mine")
    assert "You are available." in done.content.decode()
    assert AgentPresence.objects.get(user=anna).status == "available"


def test_next_item_accept_and_finish_through_the_pages(anna, clock):
    citizen = CitizenFactory(first_name="Birgit", last_name="Holm")
    item = new_item(anna, citizen_id=citizen.pk, subject="Nyt pas", body="Mit pas er væk")
    page = browser(anna)
    away = page.post(reverse("work:next"))
    assert away.status_code == 409
    assert "Set yourself available to get work." in away.content.decode()
    page.post(reverse("work:availability"), {"available": "yes"})
    later(clock, 3)
    offered = page.post(reverse("work:next"))
    assert offered.url == reverse("work:item", args=[item.pk])
    shown = page.get(offered.url)
    html = shown.content.decode()
    assert "Birgit Holm" in html and "Mit pas er væk" in html
    assert reverse("work:accept", args=[item.pk]) in html
    assert AuditEntry.objects.filter(action="view", what=f"work item {item.pk}").exists()
    page.post(reverse("work:accept", args=[item.pk]))
    item.refresh_from_db()
    assert item.state == WorkState.IN_PROGRESS
    mine = page.get(reverse("work:mine")).content.decode()
    assert "You hold 1 of at most 3 items." in mine
    assert AuditEntry.objects.filter(action="list", what="work items held").exists()
    missing = page.post(reverse("work:finish", args=[item.pk]), {"note": "Ringet op"})
    assert missing.status_code == 400
    assert 'href="#outcome"' in missing.content.decode()
    item.refresh_from_db()
    assert item.state == WorkState.IN_PROGRESS
    done = page.post(
        reverse("work:finish", args=[item.pk]), {"outcome": "resolved", "note": "Ringet op"}
    )
    assert done.url == reverse("work:mine")
    item.refresh_from_db()
    assert (item.state, item.result_note) == (WorkState.DONE, "Ringet op")


def test_decline_returns_to_my_work_and_the_item_to_the_queue(anna, clock):
    item = new_item(anna)
    work.agent_set_availability(user=anna, available=True)
    work.work_next(user=anna)
    answer = browser(anna).post(
        reverse("work:decline", args=[item.pk]), {"reason": "Kender borgeren"}
    )
    assert answer.url == reverse("work:mine")
    item.refresh_from_db()
    assert (item.state, item.agent) == (WorkState.QUEUED, None)


def test_another_agents_item_is_not_found(anna, queues, clock):
    item = new_item(anna)
    work.agent_set_availability(user=anna, available=True)
    work.work_next(user=anna)
    other = browser(make_agent("bo", [queues["pas"]]))
    assert other.get(reverse("work:item", args=[item.pk])).status_code == 404
    assert other.post(reverse("work:accept", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.state == WorkState.OFFERED


def test_registering_a_call_back_request(anna, queues):
    page = browser(anna)
    form = page.get(reverse("work:create"))
    assert form.status_code == 200
    assert 'name="idempotency_key"' in form.content.decode()
    bad = page.post(reverse("work:create"), {"subject": "Ring om pas", "queue": "pas", "phone": ""})
    assert bad.status_code == 400
    assert 'href="#phone"' in bad.content.decode()
    assert WorkItem.objects.count() == 0
    data = {
        "subject": "Ring om pas",
        "queue": "pas",
        "phone": "33 66 33 66",
        "idempotency_key": "form-1",
    }
    assert page.post(reverse("work:create"), data).url == reverse("work:mine")
    page.post(reverse("work:create"), data)  # a double submit registers one request
    item = WorkItem.objects.get()
    assert (item.kind, item.phone, item.queue) == ("call_back", "33663366", queues["pas"])


def test_the_overview_is_for_team_leads(anna, queues, clock):
    new_item(anna)
    later(clock, 40)
    new_item(anna, subject="Nyere")
    work.agent_set_availability(user=anna, available=True)
    lead = browser(make_staff(TEAM_LEAD, username="leder"))
    page = lead.get(reverse("work:overview"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pas og kørekort" in html or "Passports" in html
    assert "40 minutes" in html and "over the threshold" in html
    assert "0 / 3" in html
    assert browser(anna).get(reverse("work:overview")).status_code == 403
    assert browser(make_staff(ANALYST)).get(reverse("work:mine")).status_code == 403


def test_the_heartbeat_keeps_an_agent_present(anna, clock):
    work.agent_set_availability(user=anna, available=True)
    later(clock, 4)
    answer = browser(anna).post(reverse("work:heartbeat"))
    assert answer.status_code == 204
    assert AgentPresence.objects.get(user=anna).last_seen_at == timezone.now()
    assert browser(make_staff(ANALYST)).post(reverse("work:heartbeat")).status_code == 403


def test_the_rebalance_and_demo_commands(anna, clock, settings):
    settings.DEMO = True
    out = StringIO()
    call_command("work_demo", stdout=out)
    assert "demo work: 3 queues" in out.getvalue()
    assert WorkItem.objects.filter(idempotency_key__startswith="demo-work-").count() == 6
    call_command("work_demo", stdout=StringIO())  # a second run adds nothing
    assert WorkItem.objects.filter(idempotency_key__startswith="demo-work-").count() == 6
    assert WorkItem.objects.exclude(overflowed_at=None).count() == 3
    out = StringIO()
    call_command("work_rebalance", stdout=out)
    assert out.getvalue().startswith("expired=0 marked_away=0 reclaimed=0 overflowed=0")
    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("work_demo", stdout=StringIO())


def test_the_admin_lists_queues_skills_and_presence(queues, anna, clock):
    admin_user = get_user_model().objects.create_superuser("root", "root@example.dk", "x")
    page = browser(admin_user)
    for name in ("workqueue", "agentskill", "agentpresence"):
        assert page.get(reverse(f"admin:queueing_{name}_changelist")).status_code == 200
    assert (
        page.get(reverse("admin:queueing_workqueue_change", args=[queues["pas"].pk])).status_code
        == 200
    )
