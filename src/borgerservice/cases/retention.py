"""Retention: closed cases are anonymised once their case type's retention period ends.

A closed case is kept ``case_type.retention_years`` years after it was closed; the day
after that it is a candidate. Anonymising a case removes the personal data and keeps
what statistics need (case type, status, unit, department, dates, due dates, decision
outcomes and dates, the journal's numbers, dates and kinds):

- document files are deleted from storage (after the commit) and the document and
  version rows with them; journal entries keep number, date, kind and direction, with
  the title ``[anonymiseret]``;
- notes and parties are deleted, the links to contacts removed;
- hearings lose their facts and answer, decisions their facts and reasons;
- the reasons in the history are replaced, and the letters from the outbox on the case are
  deleted (their journal entries stay, without the link);
- the title becomes ``[anonymiseret]``, ``anonymised_at`` is set, and an ``anonymised``
  event is added.

Each case is anonymised in its own transaction under its row lock. ``retention_report``
is the dry run: which cases would go, without personal data. The scheduled job is the
background task ``cases.retention`` (enqueued by cron or a systemd timer,
``manage.py enqueue_task cases.retention``), or ``manage.py cases_retention --apply``.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from borgerservice.accounts.audit import audit_record
from borgerservice.core.errors import ServiceError
from borgerservice.core.tasks import enqueue, task

from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseNote,
    CaseParty,
    CaseType,
    Decision,
    DocumentVersion,
    Hearing,
    JournalEntry,
)
from .workflow import Status

logger = logging.getLogger(__name__)

ANONYMISED_TEXT = "[anonymiseret]"
ANONYMISED_CASE_TITLE = "[anonymiseret]"
# The scheduled task anonymises this many cases per run, then queues the next run, so
# no worker holds one transaction over a whole backlog.
TASK_CASES_PER_RUN = 2000


def add_years(day: date, years: int) -> date:
    """``day`` plus ``years`` years; 29 February becomes 28 February in a common year."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def retention_ends(closed_on: date, years: int) -> date:
    """The last day a case closed on ``closed_on`` is kept."""
    return add_years(closed_on, years)


def _last_closing_day(today: date, years: int) -> date:
    """The latest closing date whose retention has ended before ``today``:
    ``retention_ends(c, years) < today`` exactly when ``c <= _last_closing_day(...)``."""
    last = today - timedelta(days=1)
    cutoff = add_years(last, -years)
    # A case closed on 29 February is kept until 28 February in a common year: there it
    # belongs with the 28th.
    if (
        cutoff.month == 2
        and cutoff.day == 28
        and calendar.isleap(cutoff.year)
        and not calendar.isleap(last.year)
    ):
        cutoff = date(cutoff.year, 2, 29)
    return cutoff


def retention_candidates(*, today: date) -> QuerySet[Case]:
    """Closed, not yet anonymised cases whose retention period ended before ``today``.

    One closing-date range per retention period in use, on the partial index
    ``case_retention_idx`` (closed and not anonymised)."""
    by_years: dict[int, list[int]] = {}
    for type_id, years in CaseType.objects.values_list("id", "retention_years"):
        by_years.setdefault(years, []).append(type_id)
    condition = Q(pk__in=[])
    for years, type_ids in sorted(by_years.items()):
        condition |= Q(case_type_id__in=type_ids, closed_on__lte=_last_closing_day(today, years))
    return Case.objects.filter(condition, status=Status.CLOSED, anonymised_at__isnull=True)


def retention_report(*, today: date) -> list[dict]:
    """The dry run: the cases ``retention_apply`` would anonymise today, without personal
    data (number, case type, closing date, retention period, documents)."""
    rows = (
        retention_candidates(today=today)
        .annotate(documents_count=Count("documents"))
        .order_by("closed_on", "id")
        .values(
            "number",
            "case_type__service__code",
            "case_type__name_da",
            "closed_on",
            "case_type__retention_years",
            "documents_count",
        )
    )
    return [
        {
            "number": row["number"],
            "case_type": row["case_type__service__code"],
            "case_type_name": row["case_type__name_da"],
            "closed_on": row["closed_on"],
            "retention_years": row["case_type__retention_years"],
            "retention_ended_on": retention_ends(
                row["closed_on"], row["case_type__retention_years"]
            ),
            "documents": row["documents_count"],
        }
        for row in rows
    ]


def retention_apply(
    *, today: date, user=None, batch_size: int = 500, limit: int | None = None
) -> int:
    """Anonymise the cases past retention, each in its own transaction; returns how many.

    Safe to run again and concurrently: a case anonymised, reopened or changed by
    another process in the meantime is checked again under its row lock and skipped.
    ``limit`` stops after that many cases (the scheduled task's unit of work)."""
    done = 0
    last_id = 0
    while limit is None or done < limit:
        ids = list(
            retention_candidates(today=today)
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        for case_id in ids:
            last_id = case_id
            if _anonymise(case_id, today=today, user=user):
                done += 1
                if limit is not None and done >= limit:
                    break
    return done


@transaction.atomic
def _anonymise(case_id: int, *, today: date, user=None) -> bool:
    from .services import case_locked

    try:
        case = case_locked(case_id)
    except ServiceError:  # gone or anonymised meanwhile
        return False
    if (
        case.status != Status.CLOSED
        or case.closed_on is None
        or retention_ends(case.closed_on, case.case_type.retention_years) >= today
    ):
        return False  # reopened or changed since the candidates were read

    party_ids = list(CaseParty.objects.filter(case=case).values_list("citizen_id", flat=True))
    versions = DocumentVersion.objects.filter(document__case=case)
    files = [name for name in versions.values_list("file", flat=True) if name]
    versions.delete()
    CaseDocument.objects.filter(case=case).delete()
    JournalEntry.objects.filter(case=case).update(title=ANONYMISED_TEXT)
    CaseNote.objects.filter(case=case).delete()
    CaseMessage.objects.filter(case=case).delete()
    CaseParty.objects.filter(case=case).delete()
    case.contacts.clear()
    Hearing.objects.filter(case=case).update(facts=ANONYMISED_TEXT, answer="")
    Decision.objects.filter(case=case).update(facts="", reasons=ANONYMISED_TEXT)
    CaseEvent.objects.filter(case=case).exclude(reason="").update(reason=ANONYMISED_TEXT)
    from borgerservice.outbox.models import OutboxMessage

    OutboxMessage.objects.filter(case=case).delete()  # the journal keeps date and kind
    now = timezone.now()
    case.title = ANONYMISED_CASE_TITLE
    case.anonymised_at = now
    case.save(update_fields=["title", "anonymised_at"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.ANONYMISED,
        at=now,
        on=timezone.localdate(now),
        detail={"retention_years": case.case_type.retention_years, "files": len(files)},
        actor=user,
    )
    if user is not None:
        audit_record(
            actor=user,
            action="change",
            what=f"case {case.number}: anonymised after the retention period",
            citizen_ids=party_ids,
            reason=f"case:{case.pk}",
        )
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    return True


def _delete_files(names: list[str]) -> None:
    """Remove the stored files once the rows are gone; a file that cannot be removed is
    logged (without personal data: the names hold only ids) and left for the operator."""
    storage = DocumentVersion._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("could not delete anonymised case file %s", name)


@task("cases.retention")
def retention_run(*, today: str | None = None) -> None:
    """The scheduled job: anonymise what is past retention today. With the database task
    backend each run does at most ``TASK_CASES_PER_RUN`` cases and queues the next run."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    if settings.TASKS_BACKEND == "database":
        done = retention_apply(today=day, limit=TASK_CASES_PER_RUN)
        if done >= TASK_CASES_PER_RUN:
            enqueue("cases.retention", today=day.isoformat())
    else:
        done = retention_apply(today=day)
    logger.info("retention: %d case(s) anonymised", done)
