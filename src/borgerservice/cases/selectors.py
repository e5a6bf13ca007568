"""Reads of cases, limited to what the user may see (need-to-know).

A staff member may see a case when they are a member of the unit that has it, are its
caseworker, or hold authority for its service's area. Lists carry no personal data
(numbers, titles, status, caseworker, deadline); a read that shows parties writes an
audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.access import portfolio_area_ids, require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.core.errors import NotFound

from .deadlines import Deadline, deadline_of
from .models import Case, CaseParty, CaseType, Unit
from .workflow import FINISHED, PAUSED, Status

PANEL_LIMIT = 25
INBOX_PAGE = 50
COUNT_CAP = 1000
SLA_STATES = ("on_track", "at_risk", "breached", "paused")


def _portfolio_case_type_ids(user) -> list[int]:
    """Case types of the services in the user's portfolio (a short list, cached)."""
    cached = getattr(user, "_borgerservice_case_types", None)
    if cached is None:
        cached = list(
            CaseType.objects.filter(service__area_id__in=portfolio_area_ids(user)).values_list(
                "id", flat=True
            )
        )
        user._borgerservice_case_types = cached
    return cached


def user_unit_ids(user) -> list[int]:
    cached = getattr(user, "_borgerservice_units", None)
    if cached is None:
        cached = list(Unit.objects.filter(members=user).values_list("id", flat=True))
        user._borgerservice_units = cached
    return cached


def visible_q(user) -> Q:
    """The condition for the cases ``user`` may see."""
    return (
        Q(unit_id__in=user_unit_ids(user))
        | Q(caseworker_id=user.pk)
        | Q(case_type_id__in=_portfolio_case_type_ids(user))
    )


def may_see_case(user, case: Case) -> bool:
    return (
        case.unit_id in user_unit_ids(user)
        or case.caseworker_id == user.pk
        or case.case_type_id in _portfolio_case_type_ids(user)
    )


def _case_ids_of(citizen_id: int) -> list[int]:
    return list(CaseParty.objects.filter(citizen_id=citizen_id).values_list("case_id", flat=True))


def cases_visible_for_citizen(*, user, citizen_id: int, case_ids: list[int] | None = None):
    """The citizen's cases that the user may see, newest first."""
    ids = _case_ids_of(citizen_id) if case_ids is None else case_ids
    return (
        Case.objects.filter(id__in=ids)
        .filter(visible_q(user))
        .select_related("case_type", "case_type__service", "department", "unit")
        .prefetch_related("events")
        .order_by("-received_on", "-id")
    )


def cases_panel(*, user, citizen) -> dict:
    """The cases section of the one view, each with its deadline derived from its history.

    Most citizens have no case: one indexed look-up of their case ids settles that. The
    one view's own audit entry covers this section.
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


@dataclass(frozen=True)
class InboxRow:
    case: Case
    state: str  # on_track, at_risk, breached, paused, met, late

    @property
    def due_on(self) -> date:
        return self.case.due_on


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    count: int  # capped at COUNT_CAP + 1 ("more than 1,000")
    page: int
    has_next: bool

    @property
    def count_capped(self) -> bool:
        return self.count > COUNT_CAP


def sla_state(case: Case, today: date) -> str:
    """The SLA state from the stored projection (equal to ``deadline_of`` for a case whose
    projection is current; a paused case shows as paused)."""
    if case.status in PAUSED:
        return "paused"
    if case.status in FINISHED:
        return "finished"
    if today > case.due_on:
        return "breached"
    if today >= case.at_risk_on:
        return "at_risk"
    return "on_track"


# The statuses whose clock runs, named positively for the overdue filter: there
# "status IN (...)" is an index condition on case_unit_status_due_idx, while the count
# with "NOT status IN (...)" walked every closed case of the unit (237,000 index entries
# for 1,001 rows, 27-54 ms). Elsewhere the negative form plans better with the joins.
RUNNING = tuple(s for s in Status.values if s not in PAUSED and s not in FINISHED)


def _sla_q(state: str, today: date) -> Q:
    running = ~Q(status__in=[*PAUSED, *FINISHED])
    if state == "paused":
        return Q(status__in=list(PAUSED))
    if state == "breached":
        return Q(status__in=RUNNING, due_on__lt=today)
    if state == "at_risk":
        return running & Q(at_risk_on__lte=today, due_on__gte=today)
    return running & Q(at_risk_on__gt=today)


def inbox_units(user) -> QuerySet[Unit]:
    """The units whose inbox the user may open: those they are a member of."""
    return Unit.objects.filter(pk__in=user_unit_ids(user)).select_related("department")


def inbox_cases(
    *,
    user,
    unit_id: int | None = None,
    status: str | None = None,
    sla: str | None = None,
    caseworker_id: int | None = None,
    mine: bool = False,
    page: int = 1,
    page_size: int = INBOX_PAGE,
    today: date | None = None,
) -> InboxPage:
    """Open cases of one unit (or the user's own cases), nearest due date first.

    Everything is done in SQL on the stored deadline projection, so a unit with a
    hundred thousand open cases costs one index range scan per page.
    """
    require_person_role(user)
    today = today or timezone.localdate()
    if mine:
        cases = Case.objects.filter(caseworker_id=user.pk)
    else:
        units = user_unit_ids(user)
        if unit_id is None:
            unit_id = units[0] if units else None
        if unit_id is None or unit_id not in units:
            raise NotFound("case.unit_not_yours", _("You are not a member of that unit."))
        cases = Case.objects.filter(unit_id=unit_id)
    cases = cases.exclude(status=Status.CLOSED)
    if status:
        cases = cases.filter(status=status)
    if sla in SLA_STATES:
        cases = cases.filter(_sla_q(sla, today))
    if caseworker_id:
        cases = cases.filter(caseworker_id=caseworker_id)
    page = max(page, 1)
    start = (page - 1) * page_size
    found = list(
        cases.select_related("caseworker", "department")
        .only(
            "number",
            "title",
            "status",
            "due_on",
            "at_risk_on",
            "received_on",
            "unit_id",
            "case_type_id",
            "department__code",
            "caseworker__first_name",
            "caseworker__last_name",
            "caseworker__username",
        )
        .order_by("due_on", "id")[start : start + page_size + 1]
    )
    count = cases[: COUNT_CAP + 1].count()
    rows = [InboxRow(case, sla_state(case, today)) for case in found[:page_size]]
    return InboxPage(rows=rows, count=count, page=page, has_next=len(found) > page_size)


@dataclass
class CaseView:
    case: Case
    deadline: Deadline
    parties: list[CaseParty]


def case_get_for_view(*, user, number: str, channel: str = "ui") -> CaseView:
    """The case with its parties and derived deadline, for a user who may see it.

    Showing the parties is a read of personal data: one audit entry, purpose the case.
    """
    require_person_role(user)
    case = (
        Case.objects.select_related(
            "case_type", "case_type__service", "department", "unit", "caseworker"
        )
        .filter(number=number)
        .first()
    )
    if case is None or not may_see_case(user, case):
        # The same answer for "no such case" and "not yours": numbers are not secrets,
        # but whether a person has a case in another unit is.
        raise NotFound("case.not_found", _("The case does not exist."))
    events = list(case.events.select_related("actor", "from_unit", "to_unit"))
    parties = list(case.parties.select_related("citizen"))
    audit_record(
        actor=user,
        action="view",
        what=f"case {case.number}",
        citizen_ids=[p.citizen_id for p in parties],
        reason=f"case:{case.pk}",
        channel=channel,
    )
    case._prefetched_events = events
    return CaseView(case=case, deadline=deadline_of(case, events=events), parties=parties)
