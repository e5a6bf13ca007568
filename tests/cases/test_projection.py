"""The stored deadline projection always equals what the history derives; transfers,
assignment, notes and their audit entries; deadline notices to the unit."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from borgerservice.accounts.models import AuditEntry
from borgerservice.cases import workflow
from borgerservice.cases.deadlines import deadline_of
from borgerservice.cases.documents import document_store
from borgerservice.cases.models import Case, CaseEvent, CaseNote, DeadlineNotice, Unit
from borgerservice.cases.notices import deadline_scan
from borgerservice.cases.selectors import sla_state
from borgerservice.cases.services import (
    case_assign,
    case_extend,
    case_note_add,
    case_transfer,
    case_transition,
)
from borgerservice.core.errors import NotFound, ServiceError
from tests.accounts.staff import FRONT_OFFICE, SPECIALIST, make_staff
from tests.cases.test_cases import helbredstillaeg_type, new_case

pytestmark = pytest.mark.django_db
S = workflow.Status
CPH = ZoneInfo("Europe/Copenhagen")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=CPH), tick=False)


@pytest.fixture
def worker():
    return make_staff(SPECIALIST)


@pytest.mark.parametrize("seed", range(12))
def test_projection_equals_the_history_after_every_step(worker, seed):
    """Random walks through the transition table, with extensions, across Easter and
    Christmas: after each step the stored due and at-risk dates give the same SLA state
    as deriving it from the events."""
    rng = random.Random(seed)
    start = rng.choice([date(2026, 3, 23), date(2026, 12, 14), date(2024, 4, 15)])
    with at(start):
        case = new_case(worker, helbredstillaeg_type(), received_on=start)
    day = start
    for _step in range(14):
        day += timedelta(days=rng.randint(0, 4))
        with at(day):
            case.refresh_from_db()
            options = [to for to, _action in workflow.actions_from(case.status)]
            if options and rng.random() < 0.8:
                case_transition(user=worker, case_id=case.pk, to_status=rng.choice(options))
            elif case.status not in workflow.FINISHED and case.status != S.CLOSED:
                case_extend(user=worker, case_id=case.pk, days=rng.randint(1, 5), reason="x y")
            case.refresh_from_db()
            derived = deadline_of(case)
            assert case.due_on == derived.due_on
            assert case.at_risk_on <= case.due_on
            state = sla_state(case, day)
            if derived.state in ("on_track", "at_risk", "breached", "paused"):
                assert state == derived.state
            else:
                assert state == "finished"
            assert (case.closed_on is not None) == (case.status == S.CLOSED)
            # The stored state also holds on the following days, until the next event.
            for later in (day + timedelta(days=1), day + timedelta(days=3)):
                if case.status not in workflow.PAUSED:
                    derived_later = deadline_of(case, today=later).state
                    if derived_later in ("on_track", "at_risk", "breached"):
                        assert sla_state(case, later) == derived_later


def test_transfer_keeps_everything_and_clears_the_caseworker(worker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = new_case(worker, helbredstillaeg_type())
    home = case.unit
    home.members.add(worker)
    case_assign(user=worker, case_id=case.pk, caseworker=worker)
    case_note_add(user=worker, case_id=case.pk, text="Ringede til borgeren om lægeerklæring.")
    document_store(
        user=worker,
        case=case,
        title="Ansøgning",
        direction="in",
        filename="ansoegning.pdf",
        content=b"%PDF-1.4\n%%EOF\n",
        content_type="application/pdf",
    )
    target = Unit.objects.get(code="suf-sager")
    with pytest.raises(ServiceError) as error:
        case_transfer(user=worker, case_id=case.pk, unit=target, reason="  ")
    assert error.value.code == "case.transfer_reason"
    with pytest.raises(ServiceError) as error:
        case_transfer(user=worker, case_id=case.pk, unit=home, reason="Forkert enhed")
    assert error.value.code == "case.transfer_same_unit"
    assert case.events.filter(kind="transfer").count() == 0

    case_transfer(user=worker, case_id=case.pk, unit=target, reason="Kræver lægefaglig vurdering")
    case.refresh_from_db()
    assert case.unit == target and case.department == target.department
    assert case.caseworker is None
    assert case.parties.count() == 1 and case.notes.count() == 1
    assert case.documents.count() == 1 and case.journal.count() == 1
    event = case.events.get(kind="transfer")
    assert (event.from_unit, event.to_unit) == (home, target)
    assert event.reason == "Kræver lægefaglig vurdering"


def test_assignment_needs_a_member_of_the_unit(worker):
    case = new_case(worker, helbredstillaeg_type())
    outsider = make_staff(FRONT_OFFICE, username="outsider")
    with pytest.raises(ServiceError) as error:
        case_assign(user=worker, case_id=case.pk, caseworker=outsider)
    assert error.value.code == "case.caseworker_not_in_unit"
    case.unit.members.add(outsider)
    case_assign(user=worker, case_id=case.pk, caseworker=outsider)
    case.refresh_from_db()
    assert case.caseworker == outsider
    assert case.events.get(kind="assignment").detail == {"from": None, "to": outsider.pk}


def test_notes_need_text_and_are_audited(worker):
    case = new_case(worker, helbredstillaeg_type())
    with pytest.raises(ServiceError) as error:
        case_note_add(user=worker, case_id=case.pk, text="   ")
    assert error.value.code == "case.note_empty"
    assert not CaseNote.objects.filter(case=case).exists()
    before = AuditEntry.objects.filter(action="change").count()
    case_note_add(user=worker, case_id=case.pk, text="Borgeren har sendt kontoudtog.")
    entry = AuditEntry.objects.filter(action="change").order_by("-id").first()
    assert AuditEntry.objects.filter(action="change").count() == before + 1
    assert entry.what == f"case {case.number}: note written"
    assert list(entry.subjects.values_list("citizen_id", flat=True)) == [
        case.parties.get().citizen_id
    ]


def test_every_transition_writes_an_audit_entry_with_the_parties(worker):
    case = new_case(worker, helbredstillaeg_type())
    before = AuditEntry.objects.filter(action="change").count()
    case_transition(user=worker, case_id=case.pk, to_status=S.IN_PROGRESS)
    assert AuditEntry.objects.filter(action="change").count() == before + 1


def test_a_case_cannot_be_received_in_the_future(worker):
    with at(date(2026, 11, 2)), pytest.raises(ServiceError) as error:
        new_case(worker, helbredstillaeg_type(), received_on=date(2026, 11, 3))
    assert error.value.code == "case.received_in_future"
    assert not Case.objects.filter(received_on=date(2026, 11, 3)).exists()


def test_a_case_outside_the_users_reach_is_not_found(worker):
    case = new_case(worker, helbredstillaeg_type())
    outsider = make_staff(FRONT_OFFICE, username="elsewhere")
    outsider.authorities.all().delete()
    with pytest.raises(NotFound):
        case_transition(user=outsider, case_id=case.pk, to_status=S.IN_PROGRESS)
    case.refresh_from_db()
    assert case.status == S.RECEIVED


def test_deadline_notices_once_per_case_and_due_date(worker, django_capture_on_commit_callbacks):
    case_type = helbredstillaeg_type()  # 10 working days
    with at(date(2026, 11, 2)):
        late = new_case(worker, case_type, received_on=date(2026, 11, 2))  # due 16 Nov
        paused = new_case(worker, case_type, received_on=date(2026, 11, 2))
        case_transition(user=worker, case_id=paused.pk, to_status=S.IN_PROGRESS)
        case_transition(user=worker, case_id=paused.pk, to_status=S.AWAITING_CITIZEN)
    with at(date(2026, 11, 9)):
        soon = new_case(worker, case_type, received_on=date(2026, 11, 9))  # due 23 Nov
    with at(date(2026, 11, 19)):
        fresh = new_case(worker, case_type, received_on=date(2026, 11, 19))
    unit = late.unit
    unit.email = "pension@kk.example"
    unit.save()
    mail.outbox.clear()
    with at(date(2026, 11, 19)), django_capture_on_commit_callbacks(execute=True):
        written = deadline_scan(today="2026-11-19")
        assert written == 2
        assert deadline_scan(today="2026-11-19") == 0  # a re-run writes nothing
    kinds = dict(DeadlineNotice.objects.values_list("case_id", "kind"))
    assert kinds == {late.pk: "breached", soon.pk: "at_risk"}
    assert paused.pk not in kinds and fresh.pk not in kinds
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pension@kk.example"]
    assert late.number in message.body and soon.number in message.body
    # No personal data in the notice: case numbers and titles, not names or CPR numbers.
    citizen = late.parties.get().citizen
    assert citizen.last_name not in message.body and citizen.cpr not in message.body
    assert not DeadlineNotice.objects.filter(emailed_at__isnull=True).exists()
    # An extension moves the due date: when that passes too, a new notice is due.
    with at(date(2026, 11, 20)):
        case_extend(user=worker, case_id=soon.pk, days=1, reason="Afventer udtalelse")
    with at(date(2026, 11, 25)):
        assert deadline_scan(today="2026-11-25") == 1
    assert DeadlineNotice.objects.filter(case=soon).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
def test_two_scans_at_once_write_each_notice_once():
    from tests.concurrency import load_reference_data, run_together

    load_reference_data(case_types=True)
    worker = make_staff(SPECIALIST, username="scanner")
    case_type = helbredstillaeg_type()
    with at(date(2026, 11, 2)):
        cases = [new_case(worker, case_type, received_on=date(2026, 11, 2)) for _ in range(20)]
    outcomes = run_together([lambda: deadline_scan(today="2026-11-30")] * 4)
    assert all(kind == "ok" for kind, _value in outcomes), outcomes
    assert DeadlineNotice.objects.count() == len(cases)
    assert Case.objects.filter(notices__isnull=True).count() == 0
    assert CaseEvent.objects.count() == len(cases)


def test_parties_are_added_by_cpr_with_a_role(worker):
    from borgerservice.cases.models import CaseParty
    from borgerservice.cases.services import case_party_add
    from tests.citizens.factories import CitizenFactory

    case = new_case(worker, helbredstillaeg_type())
    spouse = CitizenFactory()
    for cpr, role, code in (
        ("12", "party", "cpr.invalid"),
        ("010203-1234", "boss", "case.party_role"),
        ("311299-9999", "party", "case.party_unknown"),
    ):
        with pytest.raises(ServiceError) as error:
            case_party_add(user=worker, case_id=case.pk, cpr=cpr, role=role)
        assert error.value.code == code
    assert case.parties.count() == 1
    before = AuditEntry.objects.filter(action="change").count()
    party = case_party_add(user=worker, case_id=case.pk, cpr=spouse.cpr, role="representative")
    assert party.role == CaseParty.Role.REPRESENTATIVE and case.parties.count() == 2
    entry = AuditEntry.objects.filter(action="change").order_by("-id").first()
    assert AuditEntry.objects.filter(action="change").count() == before + 1
    assert spouse.pk in set(entry.subjects.values_list("citizen_id", flat=True))
    with pytest.raises(ServiceError) as error:
        case_party_add(user=worker, case_id=case.pk, cpr=spouse.cpr, role="representative")
    assert error.value.code == "case.party_exists"
