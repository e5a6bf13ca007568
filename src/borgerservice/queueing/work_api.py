"""Work-item endpoints: the queues, registering work, an agent's availability, next item and
personal queue, the actions on an item, and the raw facts for the statistics.

Agents are staff of the person roles (front office, specialist, team lead). An item about a
citizen is shown only to the agent holding it, the agent who handled it and team leads; any
other caller gets 404, like for an item that does not exist. Every answer that shows an item
of a citizen is audited; the queue counts and the facts carry no personal data.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema, Status

from borgerservice.accounts.access import require_person_role
from borgerservice.accounts.roles import ANALYST, TEAM_LEAD, has_role
from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.core.errors import NotFound, ServiceError

from . import work, work_selectors
from .models import WorkItem
from .workflow import WorkState, work_actions_from

router = Router(tags=["work items"], auth=STAFF_AUTH)

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
READ_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- schemas -------------------------------------------------------------------------


class QueueOut(Schema):
    code: str
    name: str
    waiting: int = Field(description="Items waiting to be offered")
    overflowed: int = Field(description="Of those, items open to service-centre staff")
    offered: int
    in_progress: int
    oldest_received_at: datetime | None = Field(description="The oldest waiting item")
    overflow_minutes: int | None = Field(description="Overflow threshold; null: never")
    agents_available: int = Field(description="Available agents with the skill")


class QueueListOut(Schema):
    items: list[QueueOut]


class WorkItemIn(Schema):
    kind: WorkItem.Kind
    subject: str = Field(..., max_length=200)
    body: str = Field("", max_length=10000)
    queue: str | None = Field(
        None, max_length=40, description="Queue code; default: the queue of the service"
    )
    service: str | None = Field(None, max_length=80, description="Service code")
    citizen_id: int | None = None
    cpr: str | None = Field(None, max_length=11, description="Instead of citizen_id")
    centre: str | None = Field(
        None, max_length=40, description="Centre code; default: the caller's centre"
    )
    reply_email: str = Field("", max_length=254, description="Where an answer is sent")
    phone: str = Field("", max_length=30, description="Required for a call-back request")
    received_at: datetime | None = Field(None, description="Default: now")


class CitizenOut(Schema):
    id: int
    name: str
    cpr_masked: str = Field(description="CPR number masked as DDMMYY-XXXX")


class EventOut(Schema):
    at: datetime
    action: str
    from_state: str
    to_state: str
    actor: str | None = Field(description="Username; null when the routing did it")
    agent: str | None
    note: str


class WorkItemOut(Schema):
    id: int
    kind: str
    queue: str
    service: str | None
    centre: str | None
    subject: str
    body: str
    reply_email: str
    phone: str
    citizen: CitizenOut | None
    received_at: datetime
    state: str
    state_text: str
    agent: str | None = Field(description="Username of the agent holding the item")
    offered_at: datetime | None
    offer_expires_at: datetime | None
    accepted_at: datetime | None
    first_handled_at: datetime | None
    seconds_to_first_handling: int | None
    overflowed: bool
    finished_at: datetime | None
    outcome: str
    result_note: str
    case: str | None = Field(description="Case number")
    allowed_actions: list[str]
    events: list[EventOut] | None = Field(None, description="Only on the item itself")


class WorkItemListOut(Schema):
    items: list[WorkItemOut]
    count: int
    wip: int = Field(description="Items held (offered or in progress)")
    limit: int = Field(description="The agent's limit on work in progress")


class AvailabilityIn(Schema):
    available: bool


class PresenceOut(Schema):
    status: str = Field(description="available or away")
    available: bool = Field(description="Available with a recent heartbeat")
    status_since: datetime
    last_seen_at: datetime
    wip: int
    limit: int
    service_centre_staff: bool = Field(description="Gets only overflowed work")
    skills: list[str] = Field(description="Codes of the agent's queues")


class ChangedOut(Schema):
    id: int
    state: str
    state_text: str


class ReasonIn(Schema):
    reason: str = Field("", max_length=4000)


class FinishIn(Schema):
    outcome: WorkItem.Outcome
    note: str = Field("", max_length=4000)
    case_number: str = Field("", max_length=20, description="The case the work led to")


class FactsQuery(Schema):
    start: date = Field(..., description="First day received (local time)")
    end: date = Field(..., description="Last day received; at most 31 days after start")
    centre: str | None = Field(None, max_length=40)
    queue: str | None = Field(None, max_length=40)


class FactOut(Schema):
    id: int
    kind: str
    queue: str
    centre: str | None
    service: str | None
    received_at: datetime
    day: date
    hour: int = Field(description="Hour received, local time")
    first_handled_at: datetime | None
    seconds_to_first_handling: int | None
    finished_at: datetime | None
    state: str
    outcome: str
    overflowed: bool
    offers: int


class FactListOut(Schema):
    items: list[FactOut]
    count: int


# --- helpers -------------------------------------------------------------------------


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _item_out(item: WorkItem, *, events=None, actions=None) -> dict:
    citizen = item.citizen if item.citizen_id else None
    handled = item.time_to_first_handling
    return {
        "id": item.pk,
        "kind": item.kind,
        "queue": item.queue.code,
        "service": item.service.code if item.service_id else None,
        "centre": item.centre.code if item.centre_id else None,
        "subject": item.subject,
        "body": item.body,
        "reply_email": item.reply_email,
        "phone": item.phone,
        "citizen": (
            {"id": citizen.pk, "name": citizen.full_name, "cpr_masked": citizen.cpr_masked}
            if citizen
            else None
        ),
        "received_at": item.received_at,
        "state": item.state,
        "state_text": str(WorkState(item.state).label),
        "agent": _username(item.agent) if item.agent_id else None,
        "offered_at": item.offered_at,
        "offer_expires_at": item.offer_expires_at,
        "accepted_at": item.accepted_at,
        "first_handled_at": item.first_handled_at,
        "seconds_to_first_handling": (
            int(handled.total_seconds()) if handled is not None else None
        ),
        "overflowed": item.overflowed_at is not None,
        "finished_at": item.finished_at,
        "outcome": item.outcome,
        "result_note": item.result_note,
        "case": item.case.number if item.case_id else None,
        "allowed_actions": actions if actions is not None else [],
        "events": (
            [
                {
                    "at": e.at,
                    "action": e.action,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "actor": _username(e.actor),
                    "agent": _username(e.agent),
                    "note": e.note,
                }
                for e in events
            ]
            if events is not None
            else None
        ),
    }


def _view(request: HttpRequest, item_id: int) -> dict:
    """The item as the caller may see it (audited), with its history."""
    view = work_selectors.work_item_for_view(user=request.user, item_id=item_id, channel="api")
    return _item_out(view.item, events=view.events, actions=view.actions)


def _presence_out(user) -> dict:
    presence = work_selectors.presence_of(user)
    return {
        "status": presence.status,
        "available": work_selectors.is_available(presence),
        "status_since": presence.status_since,
        "last_seen_at": presence.last_seen_at,
        "wip": work.wip_of(user.pk),
        "limit": presence.limit,
        "service_centre_staff": work.is_service_centre_staff(user),
        "skills": [skill.queue.code for skill in work_selectors.agent_skills(user)],
    }


def _require_lead_or_analyst(user) -> None:
    if not has_role(user, TEAM_LEAD, ANALYST):
        raise ServiceError(
            "work.statistics_denied",
            _("Only team leads and analysts see the statistics."),
            status=403,
        )


# --- endpoints -----------------------------------------------------------------------


@router.get(
    "/work/queues", response={200: QueueListOut, **READ_ERRORS}, summary="Work queues and counts"
)
def queues(request: HttpRequest):
    """The active work queues (skills) with what waits, what is held and how many agents with
    the skill are available. No personal data."""
    reject_unknown_parameters(request, set())
    if not has_role(request.user, TEAM_LEAD, ANALYST):
        require_person_role(request.user)
    return {"items": work_selectors.queues_with_counts()}


@router.post(
    "/work/items",
    response={200: WorkItemOut, 201: WorkItemOut, **ERRORS},
    summary="Register a work item",
)
def create(
    request: HttpRequest,
    body: WorkItemIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description="A retry with the same key creates nothing"
    ),
):
    """Register an email, call-back request, web message or handed-over task. It is routed
    to the queue given, or to the queue of its service, and offered to an available agent
    with the skill. A retry with the same `Idempotency-Key` and body answers 200 with the item
    registered first; the same key with another body is refused (409)."""
    reject_unknown_parameters(request, set())
    data = work.WorkItemInput(
        kind=body.kind.value if hasattr(body.kind, "value") else body.kind,
        subject=body.subject,
        body=body.body,
        queue=body.queue,
        service=body.service,
        citizen_id=body.citizen_id,
        cpr=body.cpr,
        centre=body.centre,
        reply_email=body.reply_email,
        phone=body.phone,
        received_at=body.received_at,
    )
    item, created = work.work_item_create(
        user=request.user, data=data, idempotency_key=idempotency_key
    )
    item = WorkItem.objects.select_related("queue", "service", "centre", "citizen").get(pk=item.pk)
    return Status(201 if created else 200, _item_out(item))


@router.get(
    "/work/availability", response={200: PresenceOut, **READ_ERRORS}, summary="My availability"
)
def availability_get(request: HttpRequest):
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    work.agent_heartbeat(user=request.user)
    return _presence_out(request.user)


@router.put(
    "/work/availability", response={200: PresenceOut, **ERRORS}, summary="Set my availability"
)
def availability_set(request: HttpRequest, body: AvailabilityIn):
    """Available: you are offered work. Away: your open offer goes back to the queue at once;
    items you are handling stay yours for a while (a break), then go to someone else. Any
    call to these endpoints counts as a heartbeat."""
    reject_unknown_parameters(request, set())
    work.agent_set_availability(user=request.user, available=body.available)
    return _presence_out(request.user)


@router.get(
    "/work/items/mine", response={200: WorkItemListOut, **READ_ERRORS}, summary="My work items"
)
def mine(request: HttpRequest):
    """The items you hold, your open offer first. Audited when they concern citizens."""
    reject_unknown_parameters(request, set())
    items = work_selectors.agent_work(user=request.user, channel="api")
    work.agent_heartbeat(user=request.user)
    presence = work_selectors.presence_of(request.user)
    return {
        "items": [_item_out(i, actions=work_actions_from(i.state)) for i in items],
        "count": len(items),
        "wip": len(items),
        "limit": presence.limit,
    }


@router.post(
    "/work/next",
    response={200: WorkItemOut, 204: None, **ERRORS},
    summary="Get my next work item",
)
def next_item(request: HttpRequest):
    """Your open offer if you have one; otherwise the oldest waiting item of your skills is
    offered to you (accept or decline it). 204 when nothing waits for you; 409 when you are
    away or hold as many items as your limit allows."""
    reject_unknown_parameters(request, set())
    item = work.work_next(user=request.user)
    if item is None:
        return Status(204, None)
    return _view(request, item.pk)


@router.get(
    "/work/items/{item_id}", response={200: WorkItemOut, **READ_ERRORS}, summary="A work item"
)
def detail(request: HttpRequest, item_id: int):
    """One item with its history. Audited when it concerns a citizen."""
    reject_unknown_parameters(request, set())
    return _view(request, item_id)


def _visible(request: HttpRequest, item_id: int) -> None:
    """Acting on an item one may not see answers 404, like reading it."""
    require_person_role(request.user)
    item = WorkItem.objects.filter(pk=item_id).only("id", "agent_id", "handled_by_id").first()
    if item is None or not work_selectors.may_see_item(request.user, item):
        raise NotFound("work.not_found", _("The work item does not exist."))


@router.post(
    "/work/items/{item_id}/accept", response={200: WorkItemOut, **ERRORS}, summary="Accept"
)
def accept(request: HttpRequest, item_id: int):
    """Accept the item offered to you: the handling starts."""
    reject_unknown_parameters(request, set())
    _visible(request, item_id)
    work.work_accept(user=request.user, item_id=item_id)
    return _view(request, item_id)


@router.post(
    "/work/items/{item_id}/decline", response={200: ChangedOut, **ERRORS}, summary="Decline"
)
def decline(request: HttpRequest, item_id: int, body: ReasonIn):
    """Decline the offer: the item goes back to the queue for someone else."""
    reject_unknown_parameters(request, set())
    _visible(request, item_id)
    work.work_decline(user=request.user, item_id=item_id, reason=body.reason)
    return _after_change(request, item_id)


@router.post(
    "/work/items/{item_id}/release", response={200: ChangedOut, **ERRORS}, summary="Release"
)
def release(request: HttpRequest, item_id: int, body: ReasonIn):
    """Give an item you are handling back to the queue."""
    reject_unknown_parameters(request, set())
    _visible(request, item_id)
    work.work_release(user=request.user, item_id=item_id, reason=body.reason)
    return _after_change(request, item_id)


@router.post(
    "/work/items/{item_id}/finish", response={200: WorkItemOut, **ERRORS}, summary="Finish"
)
def finish(request: HttpRequest, item_id: int, body: FinishIn):
    """The item is handled: give the outcome (and the case number for "case")."""
    reject_unknown_parameters(request, set())
    _visible(request, item_id)
    outcome = body.outcome.value if hasattr(body.outcome, "value") else body.outcome
    work.work_finish(
        user=request.user,
        item_id=item_id,
        outcome=outcome,
        note=body.note,
        case_number=body.case_number,
    )
    return _view(request, item_id)


@router.post(
    "/work/items/{item_id}/cancel", response={200: WorkItemOut, **ERRORS}, summary="Cancel"
)
def cancel(request: HttpRequest, item_id: int, body: ReasonIn):
    """Team leads: take the item out of the routing, with a reason."""
    reject_unknown_parameters(request, set())
    _visible(request, item_id)
    work.work_cancel(user=request.user, item_id=item_id, reason=body.reason)
    return _view(request, item_id)


def _after_change(request: HttpRequest, item_id: int) -> dict:
    """After a decline or release the caller no longer holds the item: only its state."""
    item = WorkItem.objects.only("id", "state").get(pk=item_id)
    return {"id": item.pk, "state": item.state, "state_text": str(WorkState(item.state).label)}


@router.get(
    "/work/facts",
    response={200: FactListOut, **READ_ERRORS},
    summary="Time to first handling per item (statistics)",
)
def facts(request: HttpRequest, filters: Query[FactsQuery]):
    """One row per item received in the period: kind, queue, centre, service, day and hour
    received, seconds to the first handling, state and outcome. No personal data. Team leads
    and analysts only."""
    reject_unknown_parameters(request, {"start", "end", "centre", "queue"})
    _require_lead_or_analyst(request.user)
    rows = work_selectors.work_facts(
        date_from=filters.start, date_to=filters.end, centre=filters.centre, queue=filters.queue
    )
    return {"items": rows, "count": len(rows)}
