"""Reads of cases, limited to what the user may see (need-to-know)."""

from __future__ import annotations

from django.db.models import Q

from borgerservice.accounts.access import portfolio_area_ids

from .deadlines import deadline_of
from .models import Case, CaseParty

PANEL_LIMIT = 25


def _case_ids_of(citizen_id: int) -> list[int]:
    return list(CaseParty.objects.filter(citizen_id=citizen_id).values_list("case_id", flat=True))


def cases_visible_for_citizen(*, user, citizen_id: int, case_ids: list[int] | None = None):
    """The citizen's cases about services in the user's portfolio (or assigned to them)."""
    ids = _case_ids_of(citizen_id) if case_ids is None else case_ids
    return (
        Case.objects.filter(id__in=ids)
        .filter(Q(case_type__service__area_id__in=portfolio_area_ids(user)) | Q(caseworker=user))
        .select_related("case_type", "case_type__service", "department")
        .prefetch_related("events")
        .order_by("-received_on", "-id")
    )


def cases_panel(*, user, citizen) -> dict:
    """The cases section of the one view, each with its deadline derived from its history.

    Most citizens have no case: one indexed look-up of their case ids settles that.
    """
    case_ids = _case_ids_of(citizen.pk)
    if not case_ids:
        return {"rows": [], "hidden": 0}
    visible = cases_visible_for_citizen(user=user, citizen_id=citizen.pk, case_ids=case_ids)
    rows = [
        {"case": case, "deadline": deadline_of(case, events=list(case.events.all()))}
        for case in visible[:PANEL_LIMIT]
    ]
    return {"rows": rows, "hidden": max(len(set(case_ids)) - len(rows), 0)}


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
