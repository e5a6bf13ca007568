"""The staff pages of the inbox: the triage queue, one message, its actions and the thresholds.
Forms work without JavaScript (redirect with a message, or the error summary with the
service's status); with htmx the row comes back in place."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from borgerservice.accounts.models import AuditEntry, AuditSubject
from borgerservice.catalogue.models import Department, Service
from borgerservice.contacts.inbox_views import mask_email, parse_threshold
from borgerservice.contacts.models import InboundMessage, TriageFeedback, TriageThreshold
from borgerservice.queueing.models import WorkItem, WorkQueue
from tests.accounts.staff import ANALYST, FRONT_OFFICE, TEAM_LEAD, make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=CPH)
PASS = "stat-pas-og-koerekort"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def services(db):
    """The passport service and two others of other departments, as the suggestions."""
    passport = Service.objects.get(code=PASS)
    others = list(Service.objects.exclude(department=passport.department).order_by("code")[:2])
    return [passport, *others]


@pytest.fixture
def queue(services):
    """The passport department's catch-all queue (a department, no services)."""
    return WorkQueue.objects.create(
        code="pas-catch-all",
        name_da="Pas (alt)",
        name_en="Passports (all)",
        department=services[0].department,
    )


def waiting(services, *, minutes_ago=10, citizen=None, **extra) -> InboundMessage:
    values = {
        "kind": "email",
        "subject": "Mit pas er væk",
        "body": "Hej\nJeg har mistet mit pas. Hvad gør jeg?\n\n> tidligere svar",
        "sender_name": "Jens Hansen",
        "sender_email": "jens.hansen@example.dk",
        "received_at": timezone.now() - timedelta(minutes=minutes_ago),
        "suggestions": [
            {"code": services[0].code, "confidence": 0.62},
            {"code": services[1].code, "confidence": 0.21},
            {"code": services[2].code, "confidence": 0.05},
        ],
        "confidence": 0.62,
        "model_version": 1,
        "triage_note": "below_threshold",
        "citizen": citizen,
        **extra,
    }
    return InboundMessage.objects.create(**values)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(db):
    return make_staff(FRONT_OFFICE, username="inbox-clerk")


@pytest.fixture
def lead(db):
    return make_staff(TEAM_LEAD, username="inbox-lead")


def test_masked_email_and_threshold_parsing():
    assert mask_email("jens.hansen@example.dk") == "j***@example.dk"
    assert mask_email("") == ""
    assert parse_threshold("0,85") == Decimal("0.85")
    assert parse_threshold("85 %") == Decimal("0.85")
    assert parse_threshold("1") == Decimal("1")
    for bad in ("1.5", "-0.1", "abc", "NaN", "inf", ""):
        assert parse_threshold(bad) is None


def test_the_queue_lists_waiting_messages_oldest_first_with_suggestions(
    clerk, services, queue, clock
):
    citizen = CitizenFactory(first_name="Birgit", last_name="Holm")
    newer = waiting(services, minutes_ago=5, subject="Nyere", citizen=citizen)
    older = waiting(services, minutes_ago=50, subject="Ældre")
    InboundMessage.objects.create(
        kind="web",
        body="spam",
        state="dismissed",
        routed_at=timezone.now(),
        routed_by=clerk,
    )
    page = browser(clerk).get(reverse("inbox:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Ældre") < html.index("Nyere")
    assert "j***@example.dk" in html and "jens.hansen@example.dk" not in html
    assert "62 % sure" in html and "21 % sure" in html
    assert "The best suggestion is below the department&#x27;s threshold." in html or (
        "below the department" in html
    )
    assert services[0].department.name in html
    assert reverse("inbox:route", args=[older.pk]) in html
    assert reverse("inbox:dismiss", args=[newer.pk]) in html
    assert 'value="' + services[0].code + '"' in html
    assert "spam" not in html
    listed = AuditEntry.objects.get(action="list", actor=clerk)
    assert list(AuditSubject.objects.filter(entry=listed).values_list("citizen_id", flat=True)) == [
        citizen.pk
    ]
    dismissed = browser(clerk).get(reverse("inbox:list") + "?tab=dismissed").content.decode()
    assert "spam" in dismissed and "Ældre" not in dismissed


def test_the_queue_is_paginated(clerk, services, clock):
    for n in range(23):
        waiting(services, minutes_ago=100 - n, subject=f"Besked nr. {n:02d}")
    first = browser(clerk).get(reverse("inbox:list")).content.decode()
    assert "Besked nr. 00" in first and "Besked nr. 22" not in first
    assert "page=2" in first
    second = browser(clerk).get(reverse("inbox:list") + "?tab=waiting&page=2").content.decode()
    assert "Besked nr. 22" in second and "Besked nr. 00" not in second


def test_the_message_page_shows_the_text_escaped_and_audits_the_read(clerk, services, queue, clock):
    citizen = CitizenFactory(first_name="Birgit", last_name="Holm")
    message = waiting(services, citizen=citizen, body="Linje 1\n<script>alert(1)</script>")
    page = browser(clerk).get(reverse("inbox:detail", args=[message.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Linje 1<br>" in html
    assert "Birgit Holm" in html and reverse("citizens:detail", args=[citizen.pk]) in html
    assert "62 % sure" in html
    assert '<optgroup label="' in html  # every service, by department
    assert AuditEntry.objects.filter(
        action="view", what=f"incoming message {message.pk}", actor=clerk
    ).exists()


def test_a_message_without_citizen_is_not_audited(clerk, services, clock):
    message = waiting(services)
    assert browser(clerk).get(reverse("inbox:detail", args=[message.pk])).status_code == 200
    assert not AuditEntry.objects.filter(actor=clerk).exists()


def test_a_role_without_person_access_is_refused(services, clock):
    message = waiting(services)
    analyst = browser(make_staff(ANALYST, username="inbox-analyst"))
    assert analyst.get(reverse("inbox:list")).status_code == 403
    assert analyst.get(reverse("inbox:detail", args=[message.pk])).status_code == 403
    answer = analyst.post(reverse("inbox:route", args=[message.pk]), {"service_code": PASS})
    assert answer.status_code == 403
    assert analyst.post(reverse("inbox:dismiss", args=[message.pk])).status_code == 403
    assert analyst.get(reverse("inbox:thresholds")).status_code == 403
    message.refresh_from_db()
    assert message.state == InboundMessage.State.TRIAGE


def test_an_unknown_message_is_not_found(clerk):
    assert browser(clerk).get(reverse("inbox:detail", args=[999999])).status_code == 404


def test_accept_routes_the_message_to_a_work_item_with_feedback(clerk, services, queue, clock):
    citizen = CitizenFactory()
    message = waiting(services, citizen=citizen)
    answer = browser(clerk).post(
        reverse("inbox:route", args=[message.pk]),
        {"service_code": services[0].code, "next": reverse("inbox:list")},
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == reverse("inbox:list")
    assert "Routed to" in answer.content.decode()
    message.refresh_from_db()
    assert message.state == InboundMessage.State.ACCEPTED
    assert message.routed_by == clerk and message.service == services[0]
    item = WorkItem.objects.get(pk=message.work_item_id)
    assert (item.queue, item.service, item.citizen_id) == (queue, services[0], citizen.pk)
    feedback = TriageFeedback.objects.get(message=message)
    assert (feedback.corrected, feedback.decided_by, feedback.chosen) == (
        False,
        clerk,
        services[0],
    )
    assert AuditEntry.objects.filter(action="change", actor=clerk).exists()
    shown = browser(clerk).get(reverse("inbox:detail", args=[message.pk])).content.decode()
    assert reverse("work:item", args=[item.pk]) in shown
    assert "Suggestion accepted" in shown


def test_accept_with_htmx_swaps_the_row(clerk, services, queue, clock):
    message = waiting(services)
    answer = browser(clerk).post(
        reverse("inbox:route", args=[message.pk]),
        {"service_code": services[0].code},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.strip().startswith(f'<tr id="message-{message.pk}"')
    assert "Suggestion accepted" in html and "Routed to" in html
    assert reverse("inbox:route", args=[message.pk]) not in html
    message.refresh_from_db()
    assert message.state == InboundMessage.State.ACCEPTED


def test_choosing_another_service_records_a_correction(clerk, services, queue, clock):
    other = (
        Service.objects.filter(department=services[0].department).exclude(pk=services[0].pk).first()
    )
    message = waiting(services)
    browser(clerk).post(reverse("inbox:route", args=[message.pk]), {"service_code": other.code})
    message.refresh_from_db()
    assert message.state == InboundMessage.State.CORRECTED and message.service == other
    feedback = TriageFeedback.objects.get(message=message)
    assert (feedback.corrected, feedback.decided_by, feedback.suggested, feedback.chosen) == (
        True,
        clerk,
        services[0],
        other,
    )
    shown = browser(clerk).get(reverse("inbox:detail", args=[message.pk])).content.decode()
    assert "Corrected" in shown and "inbox-clerk" in shown


def test_dismiss(clerk, services, clock):
    message = waiting(services)
    answer = browser(clerk).post(reverse("inbox:dismiss", args=[message.pk]))
    assert answer.status_code == 302
    message.refresh_from_db()
    assert message.state == InboundMessage.State.DISMISSED and message.routed_by == clerk
    assert not TriageFeedback.objects.exists()
    assert not WorkItem.objects.exists()


def test_an_already_routed_message_is_a_conflict_and_changes_nothing(clerk, services, queue, clock):
    message = waiting(services)
    page = browser(clerk)
    page.post(reverse("inbox:route", args=[message.pk]), {"service_code": services[0].code})
    again = page.post(reverse("inbox:route", args=[message.pk]), {"service_code": services[0].code})
    assert again.status_code == 409
    html = again.content.decode()
    assert "There is a problem" in html and "already been routed or dismissed" in html
    dismissed = page.post(reverse("inbox:dismiss", args=[message.pk]))
    assert dismissed.status_code == 409
    with_htmx = page.post(
        reverse("inbox:route", args=[message.pk]),
        {"service_code": services[0].code},
        HTTP_HX_REQUEST="true",
    )
    assert with_htmx.status_code == 200 and "already been routed" in with_htmx.content.decode()
    message.refresh_from_db()
    assert message.state == InboundMessage.State.ACCEPTED
    assert WorkItem.objects.count() == 1 and TriageFeedback.objects.count() == 1


def test_a_service_without_queue_is_refused(clerk, services, clock):
    message = waiting(services)
    answer = browser(clerk).post(
        reverse("inbox:route", args=[message.pk]), {"service_code": services[1].code}
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "No work queue handles" in html and 'href="#service_code"' in html
    missing = browser(clerk).post(reverse("inbox:route", args=[message.pk]), {"service_code": ""})
    assert missing.status_code == 400 and "Choose a service." in missing.content.decode()
    message.refresh_from_db()
    assert message.state == InboundMessage.State.TRIAGE
    assert not WorkItem.objects.exists() and not TriageFeedback.objects.exists()


def test_an_unsafe_next_address_is_not_followed(clerk, services):
    message = waiting(services)
    answer = browser(clerk).post(
        reverse("inbox:dismiss", args=[message.pk]), {"next": "https://evil.example/"}
    )
    assert answer.url == reverse("inbox:list")


# --- thresholds --------------------------------------------------------------------------------


def test_a_team_lead_sets_a_threshold(lead, services):
    department = services[0].department
    page = browser(lead)
    shown = page.get(reverse("inbox:thresholds"))
    assert shown.status_code == 200
    assert "(default)" in shown.content.decode() and "80 %" in shown.content.decode()
    answer = page.post(
        reverse("inbox:thresholds"), {"department": department.pk, "threshold": "0,9"}, follow=True
    )
    assert "is now 90 %" in answer.content.decode()
    setting = TriageThreshold.objects.get(department=department)
    assert (setting.threshold, setting.updated_by) == (Decimal("0.90"), lead)


def test_a_bad_threshold_is_refused(lead, services):
    department = services[0].department
    for bad in ("1.2", "x", "NaN"):
        answer = browser(lead).post(
            reverse("inbox:thresholds"), {"department": department.pk, "threshold": bad}
        )
        assert answer.status_code == 400
        html = answer.content.decode()
        assert "Write a threshold from 0 to 1." in html
        assert f'href="#threshold-{department.pk}"' in html
    unknown = browser(lead).post(reverse("inbox:thresholds"), {"department": "x", "threshold": "1"})
    assert unknown.status_code == 400
    assert not TriageThreshold.objects.exists()


def test_front_office_reads_the_thresholds_but_cannot_change_them(clerk, services):
    department = services[0].department
    page = browser(clerk)
    shown = page.get(reverse("inbox:thresholds")).content.decode()
    assert "Only team leads can change the thresholds." in shown
    assert 'name="threshold"' not in shown
    answer = page.post(
        reverse("inbox:thresholds"), {"department": department.pk, "threshold": "0.5"}
    )
    assert answer.status_code == 403
    assert not TriageThreshold.objects.exists()


def test_the_thresholds_page_shows_the_model_versions(lead, triage_model):
    triage_model.metrics = {"calibration_top1": 0.712, "calibration_top3": 0.9}
    triage_model.save()
    html = browser(lead).get(reverse("inbox:thresholds")).content.decode()
    assert "Active version" in html and "71.2 %" in html and "90.0 %" in html


# --- the demo ----------------------------------------------------------------------------------


def test_make_demo_inbox_needs_demo(settings):
    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("make_demo_inbox", "--if-empty")


def test_make_demo_inbox_files_messages_some_routed_some_waiting(settings, triage_model):
    settings.DEMO = True
    departments = Department.objects.filter(services__isnull=False).distinct()
    for department in departments:
        WorkQueue.objects.create(
            code=f"demo-{department.pk}",
            name_da=department.name_da,
            name_en=department.name_en,
            department=department,
        )
    out = StringIO()
    call_command("make_demo_inbox", "--if-empty", stdout=out)
    total = InboundMessage.objects.count()
    assert total >= 18
    states = set(InboundMessage.objects.values_list("state", flat=True))
    assert "triage" in states and "routed" in states
    assert InboundMessage.objects.filter(kind="letter").exists()
    call_command("make_demo_inbox", "--if-empty", stdout=StringIO())
    assert InboundMessage.objects.count() == total
    call_command("make_demo_inbox", stdout=StringIO())
    assert InboundMessage.objects.count() == total  # idempotent by key


def test_the_pages_render_in_danish(clerk, lead, services, queue, clock):
    message = waiting(services, citizen=CitizenFactory())
    with translation.override("da"):
        pages = {
            "list": browser(clerk).get(reverse("inbox:list")),
            "detail": browser(clerk).get(reverse("inbox:detail", args=[message.pk])),
            "thresholds": browser(lead).get(reverse("inbox:thresholds")),
        }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert '<html lang="da"' in page.content.decode(), name
