"""Reads of cases, limited to what the user may see (need-to-know)."""

from __future__ import annotations

from django.db.models import Q

from borgerservice.accounts.access import portfolio_area_ids

from .deadlines import deadline_of
from .models import Case

PANEL_LIMIT = 25


def cases_visible_for_citizen(*, user, citizen_id: int):
    """The citizen's cases about services in the user's portfolio (or assigned to them)."""
    return (
        Case.objects.filter(parties__citizen_id=citizen_id)
        .filter(Q(case_type__service__area_id__in=portfolio_area_ids(user)) | Q(caseworker=user))
        .select_related("case_type", "case_type__service", "department")
        .prefetch_related("events")
        .distinct()
        .order_by("-received_on", "-id")
    )


def cases_panel(*, user, citizen) -> dict:
    """The cases section of the one view, each with its deadline derived from its history."""
    cases = list(cases_visible_for_citizen(user=user, citizen_id=citizen.pk)[:PANEL_LIMIT])
    rows = [
        {"case": case, "deadline": deadline_of(case, events=list(case.events.all()))}
        for case in cases
    ]
    hidden = Case.objects.filter(parties__citizen_id=citizen.pk).distinct().count() - len(rows)
    return {"rows": rows, "hidden": max(hidden, 0)}


INBOX_LIMIT = 500


def inbox_cases(*, user, status: str | None = None, caseworker_id: int | None = None):
    """Open cases of the services in the user's portfolio (no personal data: numbers,
    titles, status, caseworker and deadline), each with its derived deadline."""
    from .workflow import Status

    cases = (
        Case.objects.filter(
            Q(case_type__service__area_id__in=portfolio_area_ids(user)) | Q(caseworker=user)
        )
        .exclude(status__in=[Status.CLOSED])
        .select_related("case_type", "department", "caseworker")
        .prefetch_related("events")
        .order_by("received_on", "id")
    )
    if status:
        cases = cases.filter(status=status)
    if caseworker_id:
        cases = cases.filter(caseworker_id=caseworker_id)
    rows = [
        {"case": case, "deadline": deadline_of(case, events=list(case.events.all()))}
        for case in cases[:INBOX_LIMIT]
    ]
    rows.sort(key=lambda row: (row["deadline"].due_on, row["case"].number))
    return rows
