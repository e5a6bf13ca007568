"""Notices to a unit about cases at risk of missing, or past, their deadline.

``deadline_scan`` is a background task (``cases.deadline_scan``), scheduled daily
(``manage.py enqueue_task cases.deadline_scan`` from cron; the workers run it). It finds
running cases whose stored deadline projection says at risk or overdue, writes one
``DeadlineNotice`` per case, kind and due date (a unique constraint makes a re-run, or
two workers at once, write nothing twice) and enqueues one email task per unit. The
notices show in the unit's inbox; the email goes to the unit's address and to the
caseworkers of the cases. Neither carries personal data: case numbers, titles and dates.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from borgerservice.core.tasks import enqueue, task

from .models import Case, DeadlineNotice, Unit
from .workflow import FINISHED, PAUSED, Status


def _running():
    return Case.objects.exclude(status__in=[*PAUSED, *FINISHED, Status.CLOSED]).filter(
        anonymised_at__isnull=True
    )


@task("cases.deadline_scan")
def deadline_scan(*, today: str | None = None) -> int:
    """Write the notices due today; returns how many new notices were written."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    candidates = list(
        _running()
        .filter(at_risk_on__lte=day)
        .values_list("id", "unit_id", "due_on")
        .order_by("unit_id", "due_on", "id")
    )
    if not candidates:
        return 0
    wanted = {
        (case_id, "breached" if due < day else "at_risk", due): unit_id
        for case_id, unit_id, due in candidates
    }
    existing = set()
    ids = [key[0] for key in wanted]
    for start in range(0, len(ids), 5000):
        existing.update(
            DeadlineNotice.objects.filter(case_id__in=ids[start : start + 5000]).values_list(
                "case_id", "kind", "due_on"
            )
        )
    new = [
        DeadlineNotice(unit_id=unit_id, case_id=case_id, kind=kind, due_on=due)
        for (case_id, kind, due), unit_id in wanted.items()
        if (case_id, kind, due) not in existing
    ]
    with transaction.atomic():
        # Two scans at once: the unique constraint keeps one of each; the other is skipped.
        DeadlineNotice.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
        for unit_id in sorted({notice.unit_id for notice in new}):
            enqueue("cases.deadline_email", unit_id=unit_id, on=day.isoformat())
    return len(new)


@task("cases.deadline_email")
def deadline_email(*, unit_id: int, on: str) -> int:
    """Email the unit (and each caseworker) the notices written on ``on`` not yet sent."""
    unit = Unit.objects.get(pk=unit_id)
    day = date.fromisoformat(on)
    notices = list(
        DeadlineNotice.objects.filter(unit=unit, emailed_at__isnull=True, created_at__date__lte=day)
        .select_related("case", "case__caseworker")
        .order_by("due_on", "case__number")
    )
    if not notices:
        return 0
    by_recipient: dict[str, list[DeadlineNotice]] = defaultdict(list)
    if unit.email:
        by_recipient[unit.email] = notices
    for notice in notices:
        worker = notice.case.caseworker
        if worker is not None and worker.email and worker.email != unit.email:
            by_recipient[worker.email].append(notice)
    with translation.override(settings.LANGUAGE_CODE):
        for recipient, items in by_recipient.items():
            lines = [
                "  ".join(
                    (
                        n.case.number,
                        _("Overdue") if n.kind == "breached" else _("At risk"),
                        date_format(n.due_on, "j. F Y"),
                        n.case.title,
                    )
                )
                for n in items
            ]
            subject = _("Deadlines: %(count)d case(s) in %(unit)s need attention") % {
                "count": len(items),
                "unit": unit.name_da,
            }
            send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [recipient])
    DeadlineNotice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=timezone.now())
    return len(notices)


def notices_for_unit(unit_id: int, limit: int = 10):
    """The newest notices of a unit, for its inbox (no personal data)."""
    return (
        DeadlineNotice.objects.filter(unit_id=unit_id)
        .select_related("case")
        .order_by("-created_at", "-id")[:limit]
    )
