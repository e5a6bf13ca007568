"""Case transitions (every allowed and every forbidden one), suspension, extension and the
SLA state derived from the history; concurrent transitions on PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
import time_machine
from django.db import connection

from borgerservice.cases import workflow
from borgerservice.cases.deadlines import deadline_of
from borgerservice.cases.models import Case, CaseEvent, CaseType
from borgerservice.cases.services import case_create, case_extend, case_transition
from borgerservice.catalogue.models import Service
from borgerservice.core.errors import ServiceError
from tests.accounts.staff import SPECIALIST, make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db
S = workflow.Status


def helbredstillaeg_type() -> CaseType:
    case_type, _created = CaseType.objects.update_or_create(
        service=Service.objects.get(code="suf-helbredstillaeg"),
        defaults={
            "name_da": "Helbredstillæg",
            "name_en": "Health supplement",
            "processing_days": 10,
            "suspension_allowed": True,
            "extension_allowed": True,
        },
    )
    return case_type


@pytest.fixture
def case_type():
    return helbredstillaeg_type()


@pytest.fixture
def worker():
    return make_staff(SPECIALIST)


def new_case(worker, case_type, received_on=date(2026, 11, 2)):
    return case_create(
        user=worker,
        case_type=case_type,
        citizen=CitizenFactory(),
        title="Ansøgning om helbredstillæg",
        channel="self_service",
        received_on=received_on,
    )


def path_to(worker, case, status):
    """Drive a new case to ``status`` along allowed transitions."""
    routes = {
        S.RECEIVED: [],
        S.IN_PROGRESS: [S.IN_PROGRESS],
        S.AWAITING_CITIZEN: [S.IN_PROGRESS, S.AWAITING_CITIZEN],
        S.DECIDED: [S.IN_PROGRESS, S.DECIDED],
        S.CLOSED: [S.IN_PROGRESS, S.DECIDED, S.CLOSED],
        S.REOPENED: [S.IN_PROGRESS, S.DECIDED, S.CLOSED, S.REOPENED],
        S.COMPLAINT: [S.IN_PROGRESS, S.DECIDED, S.COMPLAINT],
        S.FORWARDED: [S.IN_PROGRESS, S.DECIDED, S.COMPLAINT, S.FORWARDED],
    }
    for step in routes[status]:
        case_transition(user=worker, case_id=case.pk, to_status=step)


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(S.values, S.values)))
def test_every_transition_is_allowed_or_refused_by_the_table(
    worker, case_type, from_status, to_status
):
    case = new_case(worker, case_type)
    path_to(worker, case, from_status)
    events = CaseEvent.objects.filter(case=case).count()
    if workflow.allowed(from_status, to_status):
        case_transition(user=worker, case_id=case.pk, to_status=to_status)
        case.refresh_from_db()
        assert case.status == to_status
        last = case.events.order_by("-at", "-id").first()
        assert (last.from_status, last.to_status) == (from_status, to_status)
    else:
        with pytest.raises(ServiceError) as error:
            case_transition(user=worker, case_id=case.pk, to_status=to_status)
        assert error.value.code == "case.transition_not_allowed"
        case.refresh_from_db()
        assert case.status == from_status
        assert CaseEvent.objects.filter(case=case).count() == events


def test_case_numbers_and_history(worker, case_type):
    case = new_case(worker, case_type)
    assert case.number == f"2026-{case.pk:06d}"
    assert case.parties.get().role == "applicant"
    assert [e.kind for e in case.events.all()] == ["created"]


def test_deadline_counts_working_days_and_pauses(worker, case_type):
    # Received Monday 2 November 2026, 10 working days → Monday 16 November.
    case = new_case(worker, case_type)
    deadline = deadline_of(case, today=date(2026, 11, 3))
    assert deadline.due_on == date(2026, 11, 16)
    assert deadline.state == "on_track" and deadline.remaining_days == 9
    assert deadline_of(case, today=date(2026, 11, 13)).state == "at_risk"
    assert deadline_of(case, today=date(2026, 11, 17)).state == "breached"
    # Paused from Wednesday 4 to Monday 9 November: 3 working days added.
    case_transition(user=worker, case_id=case.pk, to_status=S.IN_PROGRESS, on=date(2026, 11, 3))
    case_transition(
        user=worker, case_id=case.pk, to_status=S.AWAITING_CITIZEN, on=date(2026, 11, 4)
    )
    assert deadline_of(case, today=date(2026, 11, 6)).state == "paused"
    case_transition(user=worker, case_id=case.pk, to_status=S.IN_PROGRESS, on=date(2026, 11, 9))
    deadline = deadline_of(case, today=date(2026, 11, 10))
    assert deadline.paused_days == 3
    assert deadline.due_on == date(2026, 11, 19)
    # An extension of 5 working days with a reason.
    case_extend(
        user=worker,
        case_id=case.pk,
        days=5,
        reason="Waiting for a medical statement",
        on=date(2026, 11, 10),
    )
    deadline = deadline_of(case, today=date(2026, 11, 10))
    assert deadline.extension_days == 5 and deadline.due_on == date(2026, 11, 26)
    case_transition(user=worker, case_id=case.pk, to_status=S.DECIDED, on=date(2026, 11, 20))
    deadline = deadline_of(case, today=date(2026, 12, 1))
    assert deadline.state == "met" and deadline.finished_on == date(2026, 11, 20)


@time_machine.travel(date(2026, 12, 18), tick=False)
def test_deadline_across_christmas(worker, case_type):
    case = new_case(worker, case_type, received_on=date(2026, 12, 18))
    # 21, 22, 23, 28, 29, 30 Dec, 4, 5, 6, 7 Jan: ten working days.
    assert deadline_of(case, today=date(2026, 12, 21)).due_on == date(2027, 1, 7)


def test_extension_rules(worker, case_type):
    case = new_case(worker, case_type)
    for days, reason, code in (
        (3, "", "case.extension_reason"),
        (0, "x", "case.extension_days"),
        (61, "x", "case.extension_days"),
    ):
        with pytest.raises(ServiceError) as error:
            case_extend(user=worker, case_id=case.pk, days=days, reason=reason)
        assert error.value.code == code
    case_type.extension_allowed = False
    case_type.save()
    with pytest.raises(ServiceError) as error:
        case_extend(user=worker, case_id=case.pk, days=3, reason="x")
    assert error.value.code == "case.extension_not_allowed"
    assert not CaseEvent.objects.filter(case=case, kind="extension").exists()


def test_suspension_can_be_forbidden(worker, case_type):
    case_type.suspension_allowed = False
    case_type.save()
    case = new_case(worker, case_type)
    case_transition(user=worker, case_id=case.pk, to_status=S.IN_PROGRESS)
    with pytest.raises(ServiceError) as error:
        case_transition(user=worker, case_id=case.pk, to_status=S.AWAITING_CITIZEN)
    assert error.value.code == "case.suspension_not_allowed"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_transitions_leave_a_consistent_history():
    from tests.concurrency import load_reference_data, run_together

    load_reference_data()
    worker = make_staff(SPECIALIST, username="racer")
    case = new_case(worker, helbredstillaeg_type())

    def move(target):
        return lambda: case_transition(user=worker, case_id=case.pk, to_status=target)

    # Three try to start the case, three to decide it directly (never allowed from received).
    outcomes = run_together([move(S.IN_PROGRESS)] * 3 + [move(S.DECIDED)] * 3)
    for kind, value in outcomes:
        assert kind == "ok" or isinstance(value, ServiceError), value
    case.refresh_from_db()
    history = list(case.events.order_by("at", "id"))
    # Replaying the history from "received" follows the table and ends in the stored status.
    status = S.RECEIVED
    for event in history[1:]:
        assert event.from_status == status
        assert workflow.allowed(event.from_status, event.to_status)
        status = event.to_status
    assert status == case.status
    assert sum(1 for kind, _value in outcomes if kind == "ok") == len(history) - 1
    assert Case.objects.filter(pk=case.pk).count() == 1


def test_inbox_lists_open_cases_by_due_date_without_personal_data(client, worker, case_type):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    late = new_case(worker, case_type, received_on=today - timedelta(days=40))
    fresh = new_case(worker, case_type, received_on=today)
    closed = new_case(worker, case_type, received_on=today - timedelta(days=5))
    path_to(worker, closed, S.CLOSED)
    # The inbox is the unit's: the worker is a member of the unit that has the cases.
    late.unit.members.add(worker)
    client.force_login(worker)
    response = client.get("/sager/", {"unit": late.unit_id})
    assert response.status_code == 200
    html = response.content.decode()
    assert late.number in html and fresh.number in html and closed.number not in html
    assert html.index(late.number) < html.index(fresh.number)
    late_row = html[html.index(late.number) : html.index(fresh.number)]
    assert "Overskredet" in late_row
    only_late = client.get("/sager/", {"sla": "breached"}).content.decode()
    assert late.number in only_late and fresh.number not in only_late
    for party in late.parties.all():
        assert party.citizen.last_name not in html
        assert party.citizen.cpr[:6] not in html
    analyst = make_staff("analyst")
    client.force_login(analyst)
    assert client.get("/sager/").status_code == 403
