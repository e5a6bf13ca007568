"""Decisions with rules, reasons and complaint guidance; hearings (partshøring) before them;
the decision and hearing letters as PDF, journalised and sent through the outbox."""

from __future__ import annotations

import re
import zlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from borgerservice.accounts.models import AuditEntry, Authority
from borgerservice.cases import workflow
from borgerservice.cases.deadlines import deadline_of
from borgerservice.cases.decisions import (
    decision_make,
    hearing_answer,
    hearing_expire_due,
    hearing_send,
)
from borgerservice.cases.letters import decision_letter_pdf
from borgerservice.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseType,
    Decision,
    Hearing,
    JournalEntry,
)
from borgerservice.cases.services import case_create, case_transition
from borgerservice.core.errors import ServiceError
from borgerservice.outbox.models import OutboxMessage
from tests.accounts.staff import FRONT_OFFICE, SPECIALIST, make_staff
from tests.cases.test_cases import helbredstillaeg_type
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db
S = workflow.Status
CPH = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 10)
RULES = "Lov om social pension § 14 a (helbredstillæg)."
REASONS = "Din likvide formue er under grænsen, og dine udgifter er dækket af ordningen."


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=CPH), tick=False)


@pytest.fixture(autouse=True)
def today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with at(TODAY):
        yield TODAY


@pytest.fixture
def helvetica(monkeypatch, tmp_path):
    """PDFs in the built-in font, whose text is written as plain strings we can search."""
    import borgerservice.core.pdf as pdf

    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path / "no-fonts")


def pdf_text(content: bytes) -> str:
    """The text shown on the pages of a PDF written with a built-in font."""
    shown = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            data = zlib.decompress(stream.group(1))
        except zlib.error:
            data = stream.group(1)
        for literal in re.findall(rb"\((?:\\.|[^\\)])*\)\s*Tj", data):
            body = literal[: literal.rindex(b")")][1:]
            shown.append(re.sub(rb"\\(.)", rb"\1", body, flags=re.S).decode("latin-1"))
    return " ".join(" ".join(shown).split())


@pytest.fixture
def worker():
    return make_staff(SPECIALIST)


@pytest.fixture
def case_type():
    return helbredstillaeg_type()


def started_case(worker, case_type, citizen=None):
    case = case_create(
        user=worker,
        case_type=case_type,
        citizen=citizen or CitizenFactory(),
        title="Ansøgning om helbredstillæg",
        channel="self_service",
        received_on=date(2026, 11, 2),
    )
    case_transition(user=worker, case_id=case.pk, to_status=S.IN_PROGRESS, on=date(2026, 11, 3))
    return case


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Decision,
            Hearing,
            JournalEntry,
            CaseDocument,
            OutboxMessage,
            CaseEvent,
            AuditEntry,
        )
    }


def letter_content(document: CaseDocument) -> bytes:
    version = document.versions.get()
    with version.file.open("rb") as handle:
        return handle.read()


def decide(worker, case, outcome=Decision.Outcome.GRANTED, **kwargs):
    kwargs.setdefault("rules_applied", RULES)
    kwargs.setdefault("reasons", REASONS)
    return decision_make(user=worker, case_id=case.pk, outcome=outcome, **kwargs)


def test_granted_decision_moves_the_case_to_decided_with_letter(worker, case_type, helvetica):
    case = started_case(worker, case_type)
    decision = decide(worker, case, facts="Ansøgning modtaget 2. november 2026.")
    case.refresh_from_db()
    assert case.status == S.DECIDED
    assert decision.decided_on == TODAY and decision.decided_by == worker
    assert decision.complaint_guidance == ""  # fully granted: no complaint guidance (§ 25)
    last = case.events.order_by("-at", "-id").first()
    assert (last.from_status, last.to_status) == (S.IN_PROGRESS, S.DECIDED)
    # The letter PDF is on the case and journalised as an outgoing decision.
    assert decision.letter is not None and decision.letter.case_id == case.pk
    content = letter_content(decision.letter)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in ("Københavns Kommune", case.number, case.unit.name_da, RULES, REASONS):
        assert " ".join(expected.split()) in text, expected
    assert "Ansøgning modtaget 2. november 2026." in text
    kinds = list(case.journal.values_list("kind", "direction", "document_id", "letter_id"))
    assert (JournalEntry.Kind.DECISION, "out", decision.letter.pk, None) in kinds
    # The letter text goes to the applicant through the outbox, journalised too.
    message = OutboxMessage.objects.get(case=case)
    assert message.citizen == case.parties.get().citizen
    assert RULES in message.body and REASONS in message.body
    assert case.journal.filter(kind=JournalEntry.Kind.LETTER, letter=message).exists()
    numbers = list(case.journal.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert AuditEntry.objects.filter(action="change", what__contains="decision granted").exists()


def test_refused_decision_carries_the_case_types_complaint_guidance(worker, case_type, helvetica):
    case = started_case(worker, case_type)
    decision = decide(worker, case, Decision.Outcome.REFUSED)
    assert decision.complaint_guidance == case_type.complaint_guidance_da
    assert decision.complaint_guidance.startswith("Du kan klage over afgørelsen")
    text = pdf_text(letter_content(decision.letter))
    assert " ".join(case_type.complaint_guidance_da.split()) in text
    assert case_type.complaint_guidance_da in OutboxMessage.objects.get(case=case).body


def test_own_complaint_guidance_wins_and_guidance_cannot_end_up_empty(worker, case_type):
    case = started_case(worker, case_type)
    own = "Klag til Ankestyrelsen inden 4 uger."
    decision = decide(worker, case, Decision.Outcome.PARTLY_GRANTED, complaint_guidance=own)
    assert decision.complaint_guidance == own
    case_type.complaint_guidance_da = case_type.complaint_guidance_en = ""
    case_type.save()
    other = started_case(worker, case_type)
    before = counts()
    with pytest.raises(ServiceError) as error:
        decide(worker, other, Decision.Outcome.REFUSED)
    assert error.value.code == "decision.guidance_missing"
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"reasons": "  "}, "decision.reasons_missing"),
        ({"rules_applied": ""}, "decision.rules_missing"),
        ({"outcome": "maybe"}, "decision.outcome_invalid"),
        ({"on": TODAY + timedelta(days=1)}, "decision.date"),
        ({"on": date(2026, 10, 1)}, "decision.date"),
        ({"reasons": "x" * 20001}, "decision.text_too_long"),
    ],
)
def test_bad_decisions_are_refused_with_nothing_written(worker, case_type, changes, code):
    case = started_case(worker, case_type)
    before = counts()
    with pytest.raises(ServiceError) as error:
        decide(worker, case, **changes)
    assert error.value.code == code
    assert error.value.status == 400
    assert counts() == before
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS


def test_decision_on_a_case_not_started_is_refused(worker, case_type):
    case = case_create(
        user=worker,
        case_type=case_type,
        citizen=CitizenFactory(),
        title="Ansøgning om helbredstillæg",
        channel="letter",
        received_on=date(2026, 11, 2),
    )
    before = counts()
    with pytest.raises(ServiceError) as error:
        decide(worker, case)
    assert (error.value.code, error.value.status) == ("decision.case_not_open", 409)
    assert counts() == before
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    with pytest.raises(ServiceError) as error:
        hearing_send(user=worker, case_id=case.pk, facts="Oplysninger fra banken.")
    assert error.value.code == "hearing.case_not_in_progress"


def test_hearing_blocks_the_decision_until_answered(worker, case_type, helvetica):
    case = started_case(worker, case_type)
    facts = "Banken oplyser, at din formue er 120.000 kr."
    hearing = hearing_send(user=worker, case_id=case.pk, facts=facts)
    assert hearing.state == Hearing.State.OPEN
    assert (hearing.sent_on, hearing.answer_by) == (TODAY, TODAY + timedelta(days=14))
    # The hearing letter is a PDF on the case, journalised as a hearing, and sent.
    entry = case.journal.get(kind=JournalEntry.Kind.HEARING)
    assert entry.direction == "out" and entry.document is not None
    content = letter_content(entry.document)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert facts in text and case.number in text and "Københavns Kommune" in text
    message = OutboxMessage.objects.get(case=case)
    assert facts in message.body
    assert case.journal.filter(kind=JournalEntry.Kind.LETTER, letter=message).exists()
    # The clock keeps running: the case stays in progress, nothing is paused.
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS
    assert deadline_of(case, today=TODAY).paused_days == 0

    before = counts()
    with pytest.raises(ServiceError) as error:
        decide(worker, case, Decision.Outcome.REFUSED)
    assert (error.value.code, error.value.status) == ("decision.hearing_open", 409)
    assert counts() == before

    with pytest.raises(ServiceError) as error:
        hearing_answer(user=worker, hearing_id=hearing.pk, answer=" ")
    assert error.value.code == "hearing.answer_missing"
    with at(TODAY + timedelta(days=3)):
        answered = hearing_answer(
            user=worker, hearing_id=hearing.pk, answer="Formuen er bundet i min bolig."
        )
        assert answered.state == Hearing.State.ANSWERED
        assert answered.answered_on == TODAY + timedelta(days=3)
        assert case.journal.filter(kind=JournalEntry.Kind.HEARING, direction="in").exists()
        with pytest.raises(ServiceError) as error:
            hearing_answer(user=worker, hearing_id=hearing.pk, answer="Igen.")
        assert error.value.code == "hearing.already_answered"
        decision = decide(worker, case, Decision.Outcome.REFUSED)
    assert decision.hearing == hearing
    text = pdf_text(letter_content(decision.letter))
    assert "10. november 2026" in text  # the hearing's date, in the letter's section on it


def test_second_open_hearing_is_refused(worker, case_type):
    case = started_case(worker, case_type)
    hearing_send(user=worker, case_id=case.pk, facts="Første høring.")
    before = counts()
    with pytest.raises(ServiceError) as error:
        hearing_send(user=worker, case_id=case.pk, facts="Anden høring.")
    assert (error.value.code, error.value.status) == ("hearing.already_open", 409)
    assert counts() == before
    assert Hearing.objects.filter(case=case, state="open").count() == 1


@pytest.mark.parametrize(
    ("days", "ok"), [(0, False), (-1, False), (1, True), (60, True), (61, False)]
)
def test_hearing_answer_deadline_limits(worker, case_type, days, ok):
    case = started_case(worker, case_type)
    answer_by = TODAY + timedelta(days=days)
    if ok:
        hearing = hearing_send(user=worker, case_id=case.pk, facts="F.", answer_by=answer_by)
        assert hearing.answer_by == answer_by
    else:
        before = counts()
        with pytest.raises(ServiceError) as error:
            hearing_send(user=worker, case_id=case.pk, facts="F.", answer_by=answer_by)
        assert error.value.code == "hearing.answer_by"
        assert counts() == before


def test_hearing_needs_facts(worker, case_type):
    case = started_case(worker, case_type)
    with pytest.raises(ServiceError) as error:
        hearing_send(user=worker, case_id=case.pk, facts="  \n ")
    assert error.value.code == "hearing.facts_missing"
    assert not Hearing.objects.filter(case=case).exists()


def test_hearings_past_their_deadline_expire_once(worker, case_type, helvetica):
    case = started_case(worker, case_type, citizen=CitizenFactory(preferred_language="en"))
    answer_by = TODAY + timedelta(days=10)
    hearing = hearing_send(user=worker, case_id=case.pk, facts="F.", answer_by=answer_by)
    other = started_case(worker, case_type)
    later = hearing_send(
        user=worker, case_id=other.pk, facts="G.", answer_by=answer_by + timedelta(days=5)
    )
    assert hearing_expire_due(today=answer_by) == 0  # the last day to answer
    assert hearing_expire_due(today=answer_by + timedelta(days=1)) == 1
    assert hearing_expire_due(today=answer_by + timedelta(days=1)) == 0  # idempotent
    hearing.refresh_from_db()
    later.refresh_from_db()
    assert (hearing.state, later.state) == (Hearing.State.EXPIRED, Hearing.State.OPEN)
    # The daily background task does the same.
    from borgerservice.core.tasks import REGISTRY

    assert REGISTRY["cases.hearing_expire"](today=(answer_by + timedelta(days=6)).isoformat()) == 1
    later.refresh_from_db()
    assert later.state == Hearing.State.EXPIRED
    with at(answer_by + timedelta(days=1)):
        decision = decide(worker, case, Decision.Outcome.REFUSED)
    assert decision.hearing == hearing
    assert "We did not receive an answer" in pdf_text(letter_content(decision.letter))


def test_an_overdue_hearing_the_job_missed_expires_with_the_decision(worker, case_type):
    case = started_case(worker, case_type)
    answer_by = TODAY + timedelta(days=2)
    hearing = hearing_send(user=worker, case_id=case.pk, facts="F.", answer_by=answer_by)
    with at(answer_by + timedelta(days=1)):
        decision = decide(worker, case, Decision.Outcome.REFUSED)
    hearing.refresh_from_db()
    assert hearing.state == Hearing.State.EXPIRED
    assert decision.hearing == hearing


def test_late_answer_to_an_expired_hearing_is_registered_before_the_decision(worker, case_type):
    case = started_case(worker, case_type)
    answer_by = TODAY + timedelta(days=2)
    hearing = hearing_send(user=worker, case_id=case.pk, facts="F.", answer_by=answer_by)
    hearing_expire_due(today=answer_by + timedelta(days=1))
    with at(answer_by + timedelta(days=2)):
        answered = hearing_answer(user=worker, hearing_id=hearing.pk, answer="Sent svar.")
        assert answered.state == Hearing.State.ANSWERED
        decide(worker, case, Decision.Outcome.REFUSED)
        with pytest.raises(ServiceError) as error:  # decided now: no new hearing
            hearing_send(user=worker, case_id=case.pk, facts="Ny høring.")
        assert error.value.code == "hearing.case_not_in_progress"


def test_front_office_level_2_may_not_decide_a_level_3_only_service():
    kontanthjaelp = CaseType.objects.select_related("service").get(
        service__code="faf-kontanthjaelp"
    )
    assert kontanthjaelp.service.level_3 and not kontanthjaelp.service.level_2
    front = make_staff(FRONT_OFFICE, username="front")
    from borgerservice.accounts.access import authority_level

    assert authority_level(front, kontanthjaelp.service) == 2
    case = started_case(front, kontanthjaelp)
    before = counts()
    with pytest.raises(ServiceError) as error:
        decide(front, case)
    assert (error.value.code, error.value.status) == ("decision.no_authority", 403)
    assert counts() == before
    # A caseworker with level 3 in the area may.
    expert = make_staff(SPECIALIST, username="expert")
    Authority.objects.create(user=expert, area=kontanthjaelp.service.area, level=3)
    assert decide(expert, case).case.status == S.DECIDED


def test_front_office_may_decide_a_level_2_service(case_type):
    front = make_staff(FRONT_OFFICE, username="front")
    case = started_case(front, case_type)
    decision = decide(front, case)
    assert decision.decided_by == front


def test_user_without_authority_in_the_area_is_refused(case_type):
    owner = make_staff(SPECIALIST)
    case = started_case(owner, case_type)
    stranger = make_staff(SPECIALIST, username="stranger")
    Authority.objects.filter(user=stranger).delete()
    case.unit.members.add(stranger)  # sees the case through the unit, has no authority
    with pytest.raises(ServiceError) as error:
        decide(stranger, case)
    assert error.value.code == "decision.no_authority"


def test_reconsideration_after_a_complaint(worker, case_type):
    case = started_case(worker, case_type)
    first = decide(worker, case, Decision.Outcome.REFUSED)
    case_transition(user=worker, case_id=case.pk, to_status=S.COMPLAINT)
    second = decide(worker, case, Decision.Outcome.GRANTED, reasons="Ny lægeerklæring.")
    case.refresh_from_db()
    assert case.status == S.DECIDED
    assert list(case.decisions.values_list("pk", flat=True)) == [first.pk, second.pk]
    last = case.events.order_by("-at", "-id").first()
    assert (last.from_status, last.to_status) == (S.COMPLAINT, S.DECIDED)
    assert case.journal.filter(kind=JournalEntry.Kind.DECISION).count() == 2
    assert OutboxMessage.objects.filter(case=case).count() == 2
    # Once decided, nothing more to decide until a new complaint.
    with pytest.raises(ServiceError) as error:
        decide(worker, case)
    assert error.value.code == "decision.case_not_open"


def test_letter_in_english_for_a_citizen_who_prefers_english(worker, case_type, helvetica):
    citizen = CitizenFactory(preferred_language="en")
    case = started_case(worker, case_type, citizen=citizen)
    decision = decide(worker, case, Decision.Outcome.REFUSED)
    assert decision.complaint_guidance == case_type.complaint_guidance_en
    text = pdf_text(letter_content(decision.letter))
    for expected in (
        "Decision in your case",
        "Rules applied",
        "Reasons",
        "Complaint guidance",
        "Your application has been refused.",
        case_type.name_en,
        case.unit.name_en,
        "10 November 2026",
        citizen.full_name,
    ):
        assert " ".join(expected.split()) in text, expected
    assert " ".join(case_type.complaint_guidance_en.split()) in text
    message = OutboxMessage.objects.get(case=case)
    assert message.subject == f"Decision in your case {case.number}"
    assert case_type.complaint_guidance_en in message.body


def test_decision_letter_pdf_is_valid_with_the_embedded_font(worker, case_type):
    case = started_case(worker, case_type)
    decision = decide(worker, case, Decision.Outcome.DISMISSED)
    content = decision_letter_pdf(decision)
    assert content.startswith(b"%PDF") and content.rstrip().endswith(b"%%EOF")
    assert len(content) > 1000


def test_protected_address_is_left_out_of_the_letter(worker, case_type, helvetica):
    citizen = CitizenFactory(name_address_protected=True, street="Hemmeligvej")
    case = started_case(worker, case_type, citizen=citizen)
    decision = decide(worker, case)
    text = pdf_text(decision_letter_pdf(decision))
    assert citizen.full_name in text and "Hemmeligvej" not in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_decisions_make_one():
    from tests.concurrency import load_reference_data, run_together

    load_reference_data(case_types=True)
    worker = make_staff(SPECIALIST, username="racer")
    case = started_case(worker, helbredstillaeg_type())
    outcomes = run_together([lambda: decide(worker, case)] * 4)
    assert sum(1 for kind, _value in outcomes if kind == "ok") == 1
    for kind, value in outcomes:
        assert kind == "ok" or getattr(value, "code", "") == "decision.case_not_open", value
    assert Decision.objects.filter(case=case).count() == 1
    assert JournalEntry.objects.filter(case=case, kind=JournalEntry.Kind.DECISION).count() == 1
