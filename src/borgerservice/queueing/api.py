"""Queue endpoints: drawing and following a ticket, the queues of a centre, the team-lead
status, counter sessions and every step of a ticket at the counter, the waiting-room
display and the ticket statistics.

Who may do what:
- Drawing and following a ticket, the queues of a centre: any signed-in staff member or
  device token (a kiosk). The answers carry no personal data: a code, a state, a wait.
- Counter sessions and ticket steps: the person roles, as the services check (a ticket at
  a counter is handled by whoever called it, or a team lead).
- The status of all centres: team leads. Ticket facts and hourly figures: analysts and team
  leads; they carry no personal data.
- The display feed is public (no authentication): it returns exactly what the screen in the
  waiting room shows to everyone there (ticket codes and counter names, no person), and the
  screen should not hold a staff credential that could open citizens.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from borgerservice.accounts.access import require_person_role
from borgerservice.accounts.roles import ANALYST, TEAM_LEAD, has_role
from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.catalogue.models import ServiceCentre
from borgerservice.contacts.models import Contact
from borgerservice.core.errors import NotFound, ServiceError

from . import selectors, services
from .models import Counter, CounterSession, QueueGroup, Ticket

router = Router(tags=["queues"], auth=STAFF_AUTH)

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
READ_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
DAY_QUERY = Query(None, description="Default today")


# --- schemas --------------------------------------------------------------------------------


class DrawIn(Schema):
    centre: str = Field(..., max_length=40, description="Centre code")
    group: str = Field(..., max_length=40, description="Queue group code")


class TicketOut(Schema):
    """A ticket as the citizen sees it: no personal data."""

    id: int
    code: str
    centre: str
    group: str
    state: str
    day: date
    drawn_at: datetime
    called_at: datetime | None
    counter: str | None = Field(description="Name of the counter that called it")
    ahead: int | None = Field(description="Waiting before it (while waiting)")
    estimated_wait_minutes: int | None = Field(description="While waiting")


class GroupOut(Schema):
    code: str
    prefix: str
    name: str
    waiting: int
    open_counters: int
    estimated_wait_minutes: int = Field(description="For a ticket drawn now")


class GroupListOut(Schema):
    items: list[GroupOut]
    count: int


class CentreStatusOut(Schema):
    centre: str
    name: str
    waiting: int
    longest_wait_seconds: int | None
    counters_open: int
    served_today: int


class StatusListOut(Schema):
    items: list[CentreStatusOut]
    count: int


class SessionIn(Schema):
    centre: str = Field(..., max_length=40, description="Centre code")
    counter: str = Field(..., max_length=40, description="Counter code")
    groups: list[str] = Field(..., min_length=1, max_length=20, description="Queue codes")


class SessionOut(Schema):
    id: int
    centre: str
    counter: str
    groups: list[str]
    staff: str
    opened_at: datetime
    closed_at: datetime | None


class CallOut(Schema):
    ticket: TicketOut | None = Field(description="The called ticket; null when nobody waits")


class TransferIn(Schema):
    to_group: str = Field(..., max_length=40, description="Queue code in the same centre")


class FinishIn(Schema):
    outcome: Contact.Outcome
    services: list[str] = Field(..., min_length=1, max_length=10, description="Service codes")
    note: str = Field("", max_length=4000)
    handed_over_to: str | None = Field(None, max_length=20, description="Department slug")
    forwarded_to: str = Field("", max_length=200)
    citizen_informed: bool = False
    could_be_digital: bool = False


class FinishOut(Schema):
    ticket: TicketOut
    contact_id: int = Field(description="The walk-in contact registered")


class DisplayItemOut(Schema):
    code: str
    counter: str | None
    announced_at: datetime
    recalls: int


class DisplayOut(Schema):
    centre: str
    items: list[DisplayItemOut]


class TicketFactOut(Schema):
    ticket_id: int
    centre: str
    group: str
    hour: int = Field(description="Local hour the ticket was drawn")
    state: str
    booked: bool
    wait_seconds: int | None
    service_seconds: int | None
    services: list[str]


class TicketFactListOut(Schema):
    items: list[TicketFactOut]
    count: int


class HourOut(Schema):
    centre: str
    group: str
    hour: int
    drawn: int
    finished: int
    no_show: int
    unserved: int
    median_wait_seconds: float | None
    median_service_seconds: float | None


class HourListOut(Schema):
    items: list[HourOut]
    count: int


# --- helpers --------------------------------------------------------------------------------


def _centre(code: str) -> ServiceCentre:
    centre = ServiceCentre.objects.filter(code=code).first()
    if centre is None:
        raise NotFound("queue.unknown_centre", _("Unknown centre."), field="centre")
    return centre


def _group(centre: ServiceCentre, code: str, field: str = "group") -> QueueGroup:
    group = QueueGroup.objects.filter(centre=centre, code=code).first()
    if group is None:
        raise NotFound("queue.unknown_group", _("Unknown queue."), field=field)
    return group


def _ticket(ticket_id: int) -> Ticket:
    ticket = (
        Ticket.objects.select_related("centre", "group", "counter").filter(pk=ticket_id).first()
    )
    if ticket is None:
        raise NotFound("queue.ticket_not_found", _("The ticket does not exist."))
    return ticket


def _ticket_out(ticket: Ticket) -> dict:
    ahead = minutes = None
    if ticket.state == "waiting":
        estimate = selectors.estimated_wait(ticket.group, ticket=ticket)
        ahead, minutes = estimate.ahead, estimate.minutes
    return {
        "id": ticket.pk,
        "code": ticket.code,
        "centre": ticket.centre.code,
        "group": ticket.group.code,
        "state": ticket.state,
        "day": ticket.day,
        "drawn_at": ticket.drawn_at,
        "called_at": ticket.called_at,
        "counter": ticket.counter.name if ticket.counter_id else None,
        "ahead": ahead,
        "estimated_wait_minutes": minutes,
    }


def _session_out(session: CounterSession) -> dict:
    return {
        "id": session.pk,
        "centre": session.counter.centre.code,
        "counter": session.counter.code,
        "groups": sorted(session.groups.values_list("code", flat=True)),
        "staff": session.staff.get_username(),
        "opened_at": session.opened_at,
        "closed_at": session.closed_at,
    }


def _session(session_id: int) -> CounterSession:
    session = (
        CounterSession.objects.select_related("counter", "counter__centre", "staff")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound("queue.session_not_found", _("The counter session does not exist."))
    return session


def _require_statistics_role(user) -> None:
    if not has_role(user, ANALYST, TEAM_LEAD):
        raise ServiceError(
            "access.denied", _("Only analysts and team leads see these figures."), status=403
        )


# --- tickets and queues ---------------------------------------------------------------------


@router.post("/queue/tickets", response={201: TicketOut, **ERRORS}, summary="Draw a ticket")
def draw(request: HttpRequest, body: DrawIn):
    """Take a queue number at the centre (what the kiosk does). A closed centre or queue
    gives 409 or 400."""
    reject_unknown_parameters(request, set())
    centre = _centre(body.centre)
    ticket = services.ticket_draw(centre=centre, group=_group(centre, body.group))
    return Status(201, _ticket_out(_ticket(ticket.pk)))


@router.get(
    "/queue/tickets/{ticket_id}",
    response={200: TicketOut, 404: ErrorOut, 400: ErrorOut},
    summary="A ticket: state and estimated wait",
)
def ticket_detail(request: HttpRequest, ticket_id: int):
    """The ticket's code and state; while it waits, how many are ahead and the estimated
    wait in minutes. No personal data."""
    reject_unknown_parameters(request, set())
    return _ticket_out(_ticket(ticket_id))


@router.get(
    "/queue/centres/{centre}/groups",
    response={200: GroupListOut, **READ_ERRORS},
    summary="The queues of a centre with waiting counts",
)
def groups(request: HttpRequest, centre: str):
    """The open queues in display order, with the number waiting, the counters covering
    each and the estimated wait for a ticket drawn now."""
    reject_unknown_parameters(request, set())
    place = _centre(centre)
    waiting = selectors.waiting_by_group(place)
    items = []
    for group in QueueGroup.objects.filter(centre=place, active=True).order_by(
        "sort_order", "prefix"
    ):
        estimate = selectors.estimated_wait(group)
        items.append(
            {
                "code": group.code,
                "prefix": group.prefix,
                "name": group.name,
                "waiting": waiting.get(group.pk, 0),
                "open_counters": estimate.counters,
                "estimated_wait_minutes": estimate.minutes,
            }
        )
    return {"items": items, "count": len(items)}


@router.get(
    "/queue/status",
    response={200: StatusListOut, 400: ErrorOut, 403: ErrorOut},
    summary="Queue status of all centres (team lead)",
)
def status(request: HttpRequest):
    """Per centre with queues: waiting now, the longest wait, counters open and served
    today."""
    reject_unknown_parameters(request, set())
    if not has_role(request.user, TEAM_LEAD):
        raise ServiceError(
            "access.denied", _("Only team leads see the status of all centres."), status=403
        )
    items = [
        {
            "centre": row.centre.code,
            "name": row.centre.name,
            "waiting": row.waiting,
            "longest_wait_seconds": int(row.longest_wait.total_seconds())
            if row.longest_wait is not None
            else None,
            "counters_open": row.counters_open,
            "served_today": row.served_today,
        }
        for row in selectors.queue_status()
    ]
    return {"items": items, "count": len(items)}


@router.get(
    "/queue/centres/{centre}/display",
    response={200: DisplayOut, 400: ErrorOut, 404: ErrorOut},
    auth=None,
    summary="Display feed: the tickets last called (public)",
)
def display(
    request: HttpRequest,
    centre: str,
    limit: int = Query(8, ge=1, le=20, description="How many"),
):
    """Today's latest calls and recalls still at a counter, newest first: what the
    waiting-room screen shows. Public: ticket codes and counter names only."""
    reject_unknown_parameters(request, {"limit"})
    place = _centre(centre)
    items = [
        {
            "code": t.code,
            "counter": t.counter.name if t.counter_id else None,
            "announced_at": t.announced_at,
            "recalls": t.recalls,
        }
        for t in selectors.last_called(place, limit=limit)
    ]
    return {"centre": place.code, "items": items}


# --- counter sessions -----------------------------------------------------------------------


@router.post(
    "/queue/sessions", response={201: SessionOut, **ERRORS}, summary="Sign in at a counter"
)
def session_open(request: HttpRequest, body: SessionIn):
    """Open a counter session covering the given queues of the counter's centre."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    centre = _centre(body.centre)
    counter = Counter.objects.filter(centre=centre, code=body.counter).first()
    if counter is None:
        raise NotFound("queue.unknown_counter", _("Unknown counter."), field="counter")
    codes = list(dict.fromkeys(body.groups))
    chosen = list(QueueGroup.objects.filter(centre=centre, code__in=codes))
    if len(chosen) != len(codes):
        raise ServiceError(
            "queue.unknown_group",
            _("Unknown queue: %(codes)s."),
            field="groups",
            params={"codes": ", ".join(sorted(set(codes) - {g.code for g in chosen}))},
        )
    session = services.counter_open(user=request.user, counter=counter, groups=chosen)
    return Status(201, _session_out(_session(session.pk)))


@router.get(
    "/queue/sessions/current",
    response={200: SessionOut, **READ_ERRORS},
    summary="Your open counter session",
)
def session_current(request: HttpRequest):
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    session = selectors.open_session_for(request.user)
    if session is None:
        raise NotFound("queue.not_signed_in", _("You are not signed in at a counter."))
    return _session_out(session)


@router.post(
    "/queue/sessions/{session_id}/close",
    response={200: SessionOut, **ERRORS},
    summary="Sign out of a counter",
)
def session_close(request: HttpRequest, session_id: int):
    """A called ticket goes back to the queue; a ticket being served must be finished,
    parked or transferred first (409). Only the staff member or a team lead."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    session = services.counter_close(user=request.user, session=_session(session_id))
    return _session_out(_session(session.pk))


@router.post(
    "/queue/sessions/{session_id}/call-next",
    response={200: CallOut, **ERRORS},
    summary="Call the next citizen",
)
def call_next(request: HttpRequest, session_id: int):
    """Booked citizens due now first, then the longest waiting in the session's queues;
    ``ticket`` is null when nobody waits. Only the staff member signed in."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    session = _session(session_id)
    if session.staff_id != request.user.pk:
        raise ServiceError(
            "queue.not_your_session",
            _("Only the staff member signed in at the counter can call."),
            status=403,
        )
    ticket = services.ticket_call_next(session=session)
    return {"ticket": _ticket_out(_ticket(ticket.pk)) if ticket else None}


# --- steps of a ticket ----------------------------------------------------------------------


def _step(name: str, action, summary: str, doc: str):
    def endpoint(request: HttpRequest, ticket_id: int):
        reject_unknown_parameters(request, set())
        require_person_role(request.user)
        ticket = action(user=request.user, ticket_id=ticket_id)
        return _ticket_out(_ticket(ticket.pk))

    endpoint.__name__ = f"ticket_{name.replace('-', '_')}"
    endpoint.__doc__ = doc
    router.post(
        f"/queue/tickets/{{ticket_id}}/{name}",
        response={200: TicketOut, **ERRORS},
        summary=summary,
    )(endpoint)


_step("recall", services.ticket_recall, "Call a ticket again", "The display shows it again.")
_step(
    "serve",
    services.ticket_serve,
    "The citizen is at the counter",
    "The service time starts.",
)
_step(
    "no-show",
    services.ticket_no_show,
    "The called citizen did not come",
    "A called ticket ends as no-show.",
)
_step(
    "park",
    services.ticket_park,
    "Park the citizen being served",
    "The counter is free; parked time is not service time.",
)
_step(
    "resume",
    services.ticket_resume,
    "Serve a parked ticket again",
    "At the counter you are signed in at, in the ticket's centre.",
)


@router.post(
    "/queue/tickets/{ticket_id}/transfer",
    response={201: TicketOut, **ERRORS},
    summary="Transfer a ticket to another queue",
)
def transfer(request: HttpRequest, ticket_id: int, body: TransferIn):
    """Returns the new waiting ticket in the other queue of the same centre; the citizen
    keeps their place in the order of arrival."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    ticket = _ticket(ticket_id)
    to_group = _group(ticket.centre, body.to_group, field="to_group")
    new = services.ticket_transfer(user=request.user, ticket_id=ticket.pk, to_group=to_group)
    return Status(201, _ticket_out(_ticket(new.pk)))


@router.post(
    "/queue/tickets/{ticket_id}/finish",
    response={200: FinishOut, **ERRORS},
    summary="Finish the service and register the contact",
)
def finish(request: HttpRequest, ticket_id: int, body: FinishIn):
    """Ends the ticket and registers the walk-in contact (outcome, services) in one step;
    an invalid contact changes nothing (400)."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    ticket = services.ticket_finish(
        user=request.user,
        ticket_id=ticket_id,
        outcome=body.outcome.value if hasattr(body.outcome, "value") else body.outcome,
        services=body.services,
        note=body.note,
        handed_over_to=body.handed_over_to,
        forwarded_to=body.forwarded_to,
        citizen_informed=body.citizen_informed,
        could_be_digital=body.could_be_digital,
    )
    return {"ticket": _ticket_out(_ticket(ticket.pk)), "contact_id": ticket.contact_id}


# --- statistics -----------------------------------------------------------------------------


@router.get(
    "/queue/facts",
    response={200: TicketFactListOut, **READ_ERRORS},
    summary="Ticket facts of a day (analyst, team lead)",
)
def facts(
    request: HttpRequest,
    day: date | None = DAY_QUERY,
    centre: str | None = Query(None, max_length=40, description="Only this centre"),
):
    """One row per ticket: queue, hour drawn, state, wait and service time in seconds,
    the services of the contact. No personal data."""
    reject_unknown_parameters(request, {"day", "centre"})
    _require_statistics_role(request.user)
    rows = selectors.ticket_facts(
        day or timezone.localdate(), centre=_centre(centre) if centre else None
    )
    items = [
        {
            "ticket_id": f.ticket_id,
            "centre": f.centre,
            "group": f.group,
            "hour": f.hour,
            "state": f.state,
            "booked": f.booked,
            "wait_seconds": f.wait_seconds,
            "service_seconds": f.service_seconds,
            "services": list(f.services),
        }
        for f in rows
    ]
    return {"items": items, "count": len(items)}


@router.get(
    "/queue/stats/hourly",
    response={200: HourListOut, **READ_ERRORS},
    summary="Tickets per hour of a day (analyst, team lead)",
)
def hourly(
    request: HttpRequest,
    day: date | None = DAY_QUERY,
    centre: str | None = Query(None, max_length=40, description="Only this centre"),
):
    """Per centre, queue and hour drawn: drawn, finished, no-shows, unserved and the
    median wait and service time in seconds."""
    reject_unknown_parameters(request, {"day", "centre"})
    _require_statistics_role(request.user)
    rows = selectors.ticket_stats_by_hour(
        day or timezone.localdate(), centre=_centre(centre) if centre else None
    )
    items = [
        {
            "centre": r.centre,
            "group": r.group,
            "hour": r.hour,
            "drawn": r.drawn,
            "finished": r.finished,
            "no_show": r.no_show,
            "unserved": r.unserved,
            "median_wait_seconds": r.median_wait_seconds,
            "median_service_seconds": r.median_service_seconds,
        }
        for r in rows
    ]
    return {"items": items, "count": len(items)}
