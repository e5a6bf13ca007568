"""Retention: the dry-run report changes nothing; applying it anonymises exactly the closed
cases past their case type's retention period, deletes their files, keeps what statistics
need, and a second run does nothing."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from borgerservice.accounts.models import AuditEntry
from borgerservice.cases import retention
from borgerservice.cases.documents import document_store, letter_journalise
from borgerservice.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CaseParty,
    CaseType,
    Decision,
    Direction,
    DocumentVersion,
    Hearing,
    JournalEntry,
)
from borgerservice.cases.retention import (
    retention_apply,
    retention_candidates,
    retention_ends,
    retention_report,
)
from borgerservice.cases.services import case_create, case_note_add, case_transition
from borgerservice.catalogue.models import Service
from borgerservice.contacts.models import Contact
from borgerservice.core.errors import ServiceError
from borgerservice.core.tasks import REGISTRY
from borgerservice.outbox.models import OutboxMessage
from borgerservice.outbox.services import letter_send
from tests.accounts.staff import SPECIALIST, make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\nbilag\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case_type():
    case_type, _created = CaseType.objects.update_or_create(
        service=Service.objects.get(code="suf-helbredstillaeg"),
        defaults={
            "name_da": "Helbredstillæg",
            "name_en": "Health supplement",
            "retention_years": 5,
        },
    )
    return case_type


@pytest.fixture
def worker():
    return make_staff(SPECIALIST)


def at(day: date):
    return time_machine.travel(timezone.make_aware(datetime(day.year, day.month, day.day, 10)))


def closed_case(worker, case_type, *, received: date, closed: date | None, title="Sag om briller"):
    """A case with a document, a letter, a note, a hearing and a decision, received on
    ``received`` and (unless ``closed`` is None) decided and closed on ``closed``."""
    citizen = CitizenFactory()
    with at(received):
        contact = Contact.objects.create(channel="phone", citizen=citizen, outcome="case")
        case = case_create(
            user=worker,
            case_type=case_type,
            citizen=citizen,
            title=title,
            channel="phone",
            contact=contact,
        )
        CaseParty.objects.create(case=case, citizen=CitizenFactory(), role="party")
        document_store(
            user=worker,
            case=case,
            title="Ansøgning fra Anna",
            direction=Direction.INCOMING,
            filename="ansøgning.pdf",
            content=PDF,
            content_type="application/pdf",
        )
        letter = letter_send(citizen=citizen, subject="Kvittering", body="Kære Anna", case=case)
        letter_journalise(user=worker, case=case, letter=letter)
        case_note_add(user=worker, case_id=case.pk, text="Anna ringede om sine briller.")
        hearing = Hearing.objects.create(
            case=case,
            facts="Anna har ikke sendt kvitteringen.",
            sent_on=received,
            answer_by=received + timedelta(days=14),
            state="answered",
            answer="Den kommer.",
        )
        Decision.objects.create(
            case=case,
            outcome="refused",
            rules_applied="Pensionsloven § 14 a",
            facts="Ingen kvittering.",
            reasons="Anna har ikke dokumenteret udgiften.",
            complaint_guidance="Du kan klage inden 4 uger.",
            hearing=hearing,
            decided_on=received + timedelta(days=20),
        )
        case_transition(user=worker, case_id=case.pk, to_status="in_progress", on=received)
    if closed is not None:
        with at(closed):
            case_transition(user=worker, case_id=case.pk, to_status="decided", on=closed)
            case_transition(user=worker, case_id=case.pk, to_status="closed", on=closed)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(worker, case_type):
    """Closed 2 March 2020 (5 years: kept to 2 March 2025), closed 3 March 2020, closed
    2024, and one still open since 2019."""
    return {
        "old": closed_case(worker, case_type, received=date(2020, 2, 3), closed=date(2020, 3, 2)),
        "edge": closed_case(worker, case_type, received=date(2020, 2, 3), closed=date(2020, 3, 3)),
        "recent": closed_case(
            worker, case_type, received=date(2024, 1, 8), closed=date(2024, 2, 5)
        ),
        "open": closed_case(worker, case_type, received=date(2019, 1, 7), closed=None),
    }


TODAY = date(2025, 3, 3)


def snapshot(case: Case) -> dict:
    case.refresh_from_db()
    return {
        "title": case.title,
        "anonymised_at": case.anonymised_at,
        "parties": CaseParty.objects.filter(case=case).count(),
        "documents": CaseDocument.objects.filter(case=case).count(),
        "notes": CaseNote.objects.filter(case=case).count(),
        "journal": list(JournalEntry.objects.filter(case=case).values_list("title", flat=True)),
        "letters": list(OutboxMessage.objects.filter(case=case).values_list("subject", "body")),
        "contacts": case.contacts.count(),
    }


def test_dry_run_report_changes_nothing(cases, media):
    before = {name: snapshot(case) for name, case in cases.items()}
    files = sorted(p.name for p in media.rglob("*") if p.is_file())
    report = retention_report(today=TODAY)
    assert [row["number"] for row in report] == [cases["old"].number]
    [row] = report
    assert row == {
        "number": cases["old"].number,
        "case_type": "suf-helbredstillaeg",
        "case_type_name": "Helbredstillæg",
        "closed_on": date(2020, 3, 2),
        "retention_years": 5,
        "retention_ended_on": date(2025, 3, 2),
        "documents": 1,
    }
    assert {name: snapshot(case) for name, case in cases.items()} == before
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == files


def test_apply_anonymises_only_cases_past_retention(
    cases, media, django_capture_on_commit_callbacks
):
    old = cases["old"]
    files = [
        media / name
        for name in DocumentVersion.objects.filter(document__case=old).values_list(
            "file", flat=True
        )
    ]
    assert files and all(f.exists() for f in files)
    kept = {name: snapshot(case) for name, case in cases.items() if name != "old"}
    journal_before = list(JournalEntry.objects.filter(case=old).values_list("number", "on", "kind"))
    decision_before = Decision.objects.filter(case=old).values_list("outcome", "decided_on").get()

    with at(TODAY), django_capture_on_commit_callbacks(execute=True):
        assert retention_apply(today=TODAY) == 1

    old.refresh_from_db()
    assert old.title == "[anonymiseret]"
    assert old.anonymised_at is not None
    # Statistics stay: case type, status, unit, dates, due date, the journal's skeleton,
    # decision outcomes and dates.
    assert (old.status, old.closed_on, old.case_type_id) == (
        "closed",
        date(2020, 3, 2),
        old.case_type_id,
    )
    assert old.received_on == date(2020, 2, 3) and old.due_on is not None
    assert (
        list(JournalEntry.objects.filter(case=old).values_list("number", "on", "kind"))
        == journal_before
    )
    assert set(JournalEntry.objects.filter(case=old).values_list("title", flat=True)) == {
        "[anonymiseret]"
    }
    assert (
        Decision.objects.filter(case=old).values_list("outcome", "decided_on").get()
        == decision_before
    )
    decision = Decision.objects.get(case=old)
    assert (decision.facts, decision.reasons) == ("", "[anonymiseret]")
    hearing = Hearing.objects.get(case=old)
    assert (hearing.facts, hearing.answer) == ("[anonymiseret]", "")
    # Personal data gone.
    assert not CaseParty.objects.filter(case=old).exists()
    assert not CaseNote.objects.filter(case=old).exists()
    assert not CaseDocument.objects.filter(case=old).exists()
    assert not DocumentVersion.objects.filter(document__case_id=old.pk).exists()
    assert old.contacts.count() == 0
    assert not OutboxMessage.objects.filter(case=old).exists()
    assert not any(f.exists() for f in files)
    last = old.events.order_by("-at", "-id").first()
    assert last.kind == CaseEvent.Kind.ANONYMISED
    # The others are untouched.
    assert {name: snapshot(cases[name]) for name in kept} == kept
    # An anonymised case cannot change any more.
    with pytest.raises(ServiceError) as error:
        case_transition(user=None, case_id=old.pk, to_status="reopened")
    assert error.value.code == "case.anonymised"


def test_second_run_does_nothing(cases, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_apply(today=TODAY) == 1
    events = CaseEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_apply(today=TODAY) == 0
    assert CaseEvent.objects.count() == events
    assert retention_report(today=TODAY) == []
    # A day later the case closed on 3 March 2020 is due too.
    assert [row["number"] for row in retention_report(today=TODAY + timedelta(days=1))] == [
        cases["edge"].number
    ]


def test_apply_in_batches_and_with_a_user(worker, case_type):
    made = [
        closed_case(worker, case_type, received=date(2018, 1, 8), closed=date(2018, 2, 5))
        for _ in range(3)
    ]
    before = AuditEntry.objects.count()
    assert retention_apply(today=TODAY, user=worker, batch_size=2) == 3
    assert AuditEntry.objects.count() == before + 3
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "change" and "anonymised" in entry.what
    assert all(Case.objects.get(pk=c.pk).anonymised_at for c in made)


def test_retention_is_per_case_type(worker, case_type):
    short = (
        CaseType.objects.filter(service__area=case_type.service.area)
        .exclude(pk=case_type.pk)
        .first()
    )
    short.retention_years = 1
    short.save()
    case = closed_case(worker, short, received=date(2023, 6, 5), closed=date(2023, 6, 30))
    other = closed_case(worker, case_type, received=date(2023, 6, 5), closed=date(2023, 6, 30))
    assert list(retention_candidates(today=date(2024, 7, 1))) == [case]
    assert list(retention_candidates(today=date(2024, 6, 30))) == []
    assert other not in retention_candidates(today=date(2028, 6, 30))
    assert other in retention_candidates(today=date(2028, 7, 1))


def test_cutoff_matches_retention_ends_around_leap_days():
    start = date(2027, 11, 1)
    for years in (1, 2, 3, 4, 5, 10):
        for offset in range(0, 1600, 1):
            today = start + timedelta(days=offset) + timedelta(days=365 * years)
            cutoff = retention._last_closing_day(today, years)
            for delta in range(-3, 4):
                closed = cutoff + timedelta(days=delta)
                assert (closed <= cutoff) == (retention_ends(closed, years) < today), (
                    years,
                    today,
                    closed,
                )


def test_management_command(cases, django_capture_on_commit_callbacks):
    out = io.StringIO()
    call_command("cases_retention", "--today", "2025-03-03", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{cases['old'].number}  suf-helbredstillaeg  closed 2020-03-02")
    assert "1 document(s)" in lines[0]
    assert lines[-1].startswith("Total: 1 case(s) past retention on 2025-03-03 (dry run")
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 0

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cases_retention", "--apply", "--today", "2025-03-04", stdout=out)
    assert out.getvalue().strip() == "Anonymised 2 case(s) past retention on 2025-03-04."
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 2

    out = io.StringIO()
    call_command("cases_retention", "--today", "2025-03-04", stdout=out)
    assert out.getvalue().strip().startswith("Total: 0 case(s)")


def test_management_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("cases_retention", "--today", "3/3/2025", stdout=io.StringIO())


def test_scheduled_task(cases, settings, django_capture_on_commit_callbacks):
    assert "cases.retention" in REGISTRY
    with at(TODAY), django_capture_on_commit_callbacks(execute=True):
        REGISTRY["cases.retention"]()
    assert list(Case.objects.filter(anonymised_at__isnull=False)) == [cases["old"]]


def test_scheduled_task_with_workers_queues_the_rest(worker, case_type, settings, monkeypatch):
    from borgerservice.core.models import Task

    settings.TASKS_BACKEND = "database"
    monkeypatch.setattr(retention, "TASK_CASES_PER_RUN", 2)
    for _ in range(3):
        closed_case(worker, case_type, received=date(2018, 1, 8), closed=date(2018, 2, 5))
    REGISTRY["cases.retention"](today="2025-03-03")
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 2
    queued = Task.objects.get(name="cases.retention", state="waiting")
    assert queued.kwargs == {"today": "2025-03-03"}
    REGISTRY["cases.retention"](**queued.kwargs)
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 3
