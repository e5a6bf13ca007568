"""Reads of work-item routing: an agent's own work, one item, the team lead's overview and the
raw facts for the statistics.

Anything that shows a citizen's work item writes an audit entry: the agent's list ("list") and
the item page ("view"). The overview and the facts carry no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.access import require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.catalogue.models import ServiceCentre
from borgerservice.core.errors import NotFound, ServiceError

from . import work
from .models import AgentPresence, AgentSkill, WorkItem, WorkQueue
from .workflow import WORK_HELD, WorkState, work_actions_from

HELD = [s.value for s in WORK_HELD]
MAX_FACT_DAYS = 31


def presence_of(user) -> AgentPresence:
    """The agent's presence (an unsaved "away" one before their first use)."""
    presence = AgentPresence.objects.filter(user=user).first()
    if presence is None:
        now = timezone.now()
        presence = AgentPresence(user=user, status_since=now, last_seen_at=now)
    return presence


def is_available(presence: AgentPresence, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    fresh = now - timedelta(seconds=work.presence_timeout_seconds())
    return presence.status == AgentPresence.Status.AVAILABLE and presence.last_seen_at >= fresh


def agent_skills(user) -> list[AgentSkill]:
    return list(
        AgentSkill.objects.filter(user=user, queue__active=True)
        .select_related("queue")
        .order_by("queue__sort_order", "queue__code")
    )


def _audit_list(user, items: list[WorkItem], what: str, channel: str) -> None:
    ids = [item.citizen_id for item in items if item.citizen_id is not None]
    if ids:
        audit_record(actor=user, action="list", what=what, citizen_ids=ids, channel=channel)


def agent_work(*, user, channel: str = "ui") -> list[WorkItem]:
    """The items the agent holds: the open offer first, then those in progress, oldest first."""
    require_person_role(user)
    items = list(
        WorkItem.objects.filter(agent=user, state__in=HELD)
        .select_related("queue", "service", "citizen")
        .order_by("received_at", "id")
    )
    items.sort(key=lambda i: (i.state != WorkState.OFFERED, i.received_at, i.pk))
    _audit_list(user, items, "work items held", channel)
    return items


def may_see_item(user, item: WorkItem) -> bool:
    """The agent holding the item, the agent who handled it, and team leads."""
    return user.pk in (item.agent_id, item.handled_by_id) or work.is_team_lead(user)


@dataclass
class WorkItemView:
    item: WorkItem
    events: list
    actions: list[str]


def work_item_for_view(*, user, item_id: int, channel: str = "ui") -> WorkItemView:
    """One item with its history, for someone who may see it (404 for anyone else); audited
    when it concerns a citizen."""
    require_person_role(user)
    item = (
        WorkItem.objects.select_related(
            "queue", "service", "citizen", "centre", "agent", "handled_by", "contact", "case"
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None or not may_see_item(user, item):
        raise NotFound("work.not_found", _("The work item does not exist."))
    if item.citizen_id is not None:
        audit_record(
            actor=user,
            action="view",
            what=f"work item {item.pk}",
            citizen_ids=[item.citizen_id],
            reason=f"work:{item.pk}",
            channel=channel,
        )
    events = list(item.events.select_related("actor", "agent").order_by("at", "id"))
    return WorkItemView(item=item, events=events, actions=work_actions_from(item.state))


@dataclass
class QueueRow:
    queue: WorkQueue
    waiting: int
    overflowed: int
    offered: int
    in_progress: int
    oldest_received_at: datetime | None
    oldest_age_minutes: int | None
    agents_available: int
    agents_with_room: int


def queue_overview(*, now: datetime | None = None) -> list[QueueRow]:
    """Per active queue: what waits, how old the oldest is, what is held and who is there."""
    now = now or timezone.now()
    queues = list(
        WorkQueue.objects.filter(active=True)
        .annotate(
            waiting=Count("items", filter=Q(items__state=WorkState.QUEUED)),
            overflowed=Count(
                "items",
                filter=Q(items__state=WorkState.QUEUED, items__overflowed_at__isnull=False),
            ),
            offered=Count("items", filter=Q(items__state=WorkState.OFFERED)),
            in_progress=Count("items", filter=Q(items__state=WorkState.IN_PROGRESS)),
            oldest=Min("items__received_at", filter=Q(items__state=WorkState.QUEUED)),
        )
        .order_by("sort_order", "code")
    )
    fresh = now - timedelta(seconds=work.presence_timeout_seconds())
    available = list(
        AgentSkill.objects.filter(
            queue__in=queues,
            user__is_active=True,
            user__work_presence__status=AgentPresence.Status.AVAILABLE,
            user__work_presence__last_seen_at__gte=fresh,
        ).values_list("queue_id", "user_id", "user__work_presence__wip_limit")
    )
    wip = dict(
        WorkItem.objects.filter(agent_id__in={uid for _q, uid, _l in available}, state__in=HELD)
        .values("agent_id")
        .annotate(n=Count("pk"))
        .values_list("agent_id", "n")
    )
    default = work.work_wip_limit_default()
    rows = []
    for queue in queues:
        here = [(uid, limit) for qid, uid, limit in available if qid == queue.pk]
        rows.append(
            QueueRow(
                queue=queue,
                waiting=queue.waiting,
                overflowed=queue.overflowed,
                offered=queue.offered,
                in_progress=queue.in_progress,
                oldest_received_at=queue.oldest,
                oldest_age_minutes=(
                    int((now - queue.oldest).total_seconds() // 60) if queue.oldest else None
                ),
                agents_available=len(here),
                agents_with_room=sum(
                    1 for uid, limit in here if wip.get(uid, 0) < (limit or default)
                ),
            )
        )
    return rows


@dataclass
class AgentRow:
    user: object
    status: str
    available: bool
    last_seen_at: datetime | None
    wip: int
    limit: int
    service_centre_staff: bool
    queues: list[str]


def agents_overview(*, now: datetime | None = None) -> list[AgentRow]:
    """Every agent with a skill: presence, work held and limit (no personal data)."""
    now = now or timezone.now()
    skills = (
        AgentSkill.objects.filter(user__is_active=True, queue__active=True)
        .select_related("user", "user__work_presence", "user__staff_profile__centre", "queue")
        .order_by("user__username", "queue__sort_order")
    )
    by_user: dict[int, AgentRow] = {}
    for skill in skills:
        row = by_user.get(skill.user_id)
        if row is None:
            presence = getattr(skill.user, "work_presence", None)
            row = by_user[skill.user_id] = AgentRow(
                user=skill.user,
                status=presence.status if presence else AgentPresence.Status.AWAY,
                available=bool(presence and is_available(presence, now)),
                last_seen_at=presence.last_seen_at if presence else None,
                wip=0,
                limit=presence.limit if presence else work.work_wip_limit_default(),
                service_centre_staff=work.is_service_centre_staff(skill.user),
                queues=[],
            )
        row.queues.append(skill.queue.name)
    counts = dict(
        WorkItem.objects.filter(agent_id__in=by_user, state__in=HELD)
        .values("agent_id")
        .annotate(n=Count("pk"))
        .values_list("agent_id", "n")
    )
    for user_id, row in by_user.items():
        row.wip = counts.get(user_id, 0)
    return list(by_user.values())


def queues_with_counts() -> list[dict]:
    """Active queues with their counts, for the API list."""
    return [
        {
            "code": row.queue.code,
            "name": row.queue.name,
            "waiting": row.waiting,
            "overflowed": row.overflowed,
            "offered": row.offered,
            "in_progress": row.in_progress,
            "oldest_received_at": row.oldest_received_at,
            "overflow_minutes": row.queue.overflow_minutes,
            "agents_available": row.agents_available,
        }
        for row in queue_overview()
    ]


def work_facts(
    *,
    date_from: date,
    date_to: date,
    centre: str | None = None,
    queue: str | None = None,
) -> list[dict]:
    """One row per item received in [date_from, date_to] (local days): where and when it came
    in, its hour, and the seconds to its first handling. No personal data."""
    if date_to < date_from:
        raise ServiceError(
            "work.bad_period", _("The end date is before the start date."), field="to"
        )
    if (date_to - date_from).days >= MAX_FACT_DAYS:
        raise ServiceError(
            "work.period_too_long",
            _("Ask for at most %(days)d days at a time."),
            field="to",
            params={"days": MAX_FACT_DAYS},
        )
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    items = WorkItem.objects.filter(received_at__gte=start, received_at__lt=end)
    if centre:
        if not ServiceCentre.objects.filter(code=centre).exists():
            raise ServiceError("work.unknown_centre", _("Unknown centre."), field="centre")
        items = items.filter(centre__code=centre)
    if queue:
        if not WorkQueue.objects.filter(code=queue).exists():
            raise ServiceError("work.unknown_queue", _("Unknown work queue."), field="queue")
        items = items.filter(queue__code=queue)
    rows = []
    for values in items.order_by("received_at", "id").values(
        "pk",
        "kind",
        "queue__code",
        "centre__code",
        "service__code",
        "received_at",
        "first_handled_at",
        "finished_at",
        "state",
        "outcome",
        "overflowed_at",
        "offers",
    ):
        received = values["received_at"]
        handled = values["first_handled_at"]
        local = timezone.localtime(received, tz)
        rows.append(
            {
                "id": values["pk"],
                "kind": values["kind"],
                "queue": values["queue__code"],
                "centre": values["centre__code"],
                "service": values["service__code"],
                "received_at": received,
                "day": local.date(),
                "hour": local.hour,
                "first_handled_at": handled,
                "seconds_to_first_handling": (
                    int((handled - received).total_seconds()) if handled is not None else None
                ),
                "finished_at": values["finished_at"],
                "state": values["state"],
                "outcome": values["outcome"],
                "overflowed": values["overflowed_at"] is not None,
                "offers": values["offers"],
            }
        )
    return rows


def queue_has_waiting_for(user) -> bool:
    """Whether anything waits that the agent could be offered (for the "next" button)."""
    queue_ids = AgentSkill.objects.filter(user=user, queue__active=True).values("queue_id")
    waiting = WorkItem.objects.filter(state=WorkState.QUEUED, queue_id__in=queue_ids)
    if work.is_service_centre_staff(user):
        waiting = waiting.filter(overflowed_at__isnull=False)
    return waiting.exists()
