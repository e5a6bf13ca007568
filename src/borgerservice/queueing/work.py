"""Work-item routing: registering non-real-time work and every change of its state.

Emails, call-back requests, web messages and handed-over tasks wait in a work queue per
skill. An agent holds at most their limit of items at a time (offered or in progress) and at
most one open offer. Work reaches agents in two ways:

- pull: the agent presses "next item" and is offered the oldest waiting item of the queues
  their skills cover (``work_next``);
- push: the routing offers a waiting item to the least-loaded available agent with the skill,
  the most proficient first (``work_offer_item``, run after an item arrives or comes back, and
  by ``work_rebalance`` for the whole backlog).

``work_rebalance`` also withdraws offers that expired, marks agents whose heartbeat stopped as
away, gives the items of agents away too long back to the queue (to be offered again) and lets
items older than their queue's threshold overflow to service-centre staff with the skill.

Concurrency: every offer to an agent happens with the agent's ``AgentPresence`` row locked
(FOR UPDATE), so two offers to one agent take turns and the limit is counted with the other's
offer visible; items are taken with FOR UPDATE SKIP LOCKED on PostgreSQL, so concurrent agents
each get a different item without waiting. The pull locks the presence row and then skips
locked items; the push skips locked items and skips locked presence rows: neither waits for a
lock the other holds, so they cannot deadlock. On SQLite the IMMEDIATE transactions serialise
writers. Partial unique constraints back it up: one open offer per agent.

Every change writes a ``WorkItemEvent`` and, for an item about a citizen changed by a staff
member, an audit entry ("change"). Services check their input before they write, so a
``ServiceError`` leaves the database unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.access import require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.accounts.roles import TEAM_LEAD, has_role
from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.core.errors import NotFound, ServiceError

from .models import (
    AgentPresence,
    AgentSkill,
    WorkItem,
    WorkItemEvent,
    WorkQueue,
    work_wip_limit_default,
)
from .workflow import WORK_HELD, WorkState, work_allowed, work_target

MAX_KEY_LENGTH = 100
MAX_SUBJECT = 200
MAX_BODY = 10_000
MAX_NOTE = 4000
PHONE_RE = re.compile(r"^\+?[0-9]{8,15}$")
# An agent who declined an item is not offered it again for this long.
DECLINE_MEMORY_MINUTES = 30
HELD = [s.value for s in WORK_HELD]


# --- settings ---------------------------------------------------------------------------------


def offer_seconds() -> int:
    """How long an offer stands before the routing gives the item to someone else."""
    return int(getattr(settings, "WORK_OFFER_SECONDS", 120))


def presence_timeout_seconds() -> int:
    """An available agent without a heartbeat for this long counts as away."""
    return int(getattr(settings, "WORK_PRESENCE_TIMEOUT_SECONDS", 300))


def absent_minutes() -> int:
    """The items an agent is handling go back to the queue when away this long."""
    return int(getattr(settings, "WORK_ABSENT_MINUTES", 15))


def offer_batch() -> int:
    return int(getattr(settings, "WORK_OFFER_BATCH", 200))


# --- helpers ----------------------------------------------------------------------------------


def _enqueue(name: str, **kwargs) -> None:
    from borgerservice.core.tasks import enqueue

    from . import work_tasks  # noqa: F401  (registers the routing tasks)

    enqueue(name, **kwargs)


def _error(code: str, message, field: str | None = None, status: int = 400, **params):
    return ServiceError(code, message, field=field, status=status, params=params or None)


def _state_label(state: str) -> str:
    return str(WorkState(state).label)


def is_team_lead(user) -> bool:
    return has_role(user, TEAM_LEAD)


def is_service_centre_staff(user) -> bool:
    """Staff of a citizen service centre get work only once it overflows."""
    profile = getattr(user, "staff_profile", None)
    centre = profile.centre if profile is not None else None
    return centre is not None and centre.kind == ServiceCentre.Kind.SERVICE_CENTRE


def _event(
    item: WorkItem, action: str, from_state: str, *, at, actor=None, agent_id=None, note=""
) -> None:
    WorkItemEvent.objects.create(
        item=item,
        at=at,
        action=action,
        from_state=from_state,
        to_state=item.state,
        actor=actor,
        agent_id=agent_id,
        note=note[:500],
    )


def _audit_change(user, item: WorkItem, what: str) -> None:
    if user is not None and item.citizen_id is not None:
        audit_record(
            actor=user,
            action="change",
            what=f"work item {item.pk}: {what}",
            citizen_ids=[item.citizen_id],
        )


def _check(item: WorkItem, action: str) -> None:
    if not work_allowed(action, item.state):
        raise _error(
            "work.bad_transition",
            _("A work item that is “%(from)s” cannot become “%(to)s”."),
            status=409,
            **{"from": _state_label(item.state), "to": _state_label(work_target(action))},
        )


def item_locked(item_id: int) -> WorkItem:
    item = WorkItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound("work.not_found", _("The work item does not exist."))
    return item


def _check_holder(user, item: WorkItem, *, lead_may: bool = True) -> None:
    """Only the agent holding an item (or, where allowed, a team lead) may act on it."""
    require_person_role(user)
    if item.agent_id == user.pk or (lead_may and is_team_lead(user)):
        return
    raise _error("work.not_yours", _("The work item is held by another agent."), status=403)


def _to_queue(item: WorkItem) -> None:
    item.state = WorkState.QUEUED
    item.agent = None
    item.offered_at = None
    item.offer_expires_at = None
    item.accepted_at = None


_QUEUE_FIELDS = ["state", "agent", "offered_at", "offer_expires_at", "accepted_at"]


# --- presence ---------------------------------------------------------------------------------


def presence_locked(user, now: datetime | None = None) -> AgentPresence:
    """The agent's presence row, created on first use, locked until the transaction ends."""
    now = now or timezone.now()
    locked = AgentPresence.objects.select_for_update()
    presence = locked.filter(user=user).first()
    if presence is None:
        # A concurrent first use loses the race quietly; both then lock the one row.
        AgentPresence.objects.bulk_create(
            [AgentPresence(user=user, status_since=now, last_seen_at=now)],
            ignore_conflicts=True,
        )
        presence = locked.get(user=user)
    return presence


def wip_of(user_id: int) -> int:
    return WorkItem.objects.filter(agent_id=user_id, state__in=HELD).count()


def agent_heartbeat(*, user, at: datetime | None = None) -> None:
    """The agent is at their screen (every page and API call of their work counts)."""
    AgentPresence.objects.filter(user=user).update(last_seen_at=at or timezone.now())


@transaction.atomic
def agent_set_availability(*, user, available: bool, at: datetime | None = None) -> AgentPresence:
    """Available: the agent takes work. Away: open offers go back to the queue at once; items
    being handled stay with the agent for ``WORK_ABSENT_MINUTES`` (a short break) before the
    routing gives them to someone else."""
    require_person_role(user)
    now = at or timezone.now()
    presence = presence_locked(user, now)
    status = AgentPresence.Status.AVAILABLE if available else AgentPresence.Status.AWAY
    if presence.status != status:
        presence.status = status
        presence.status_since = now
    presence.last_seen_at = now
    presence.save(update_fields=["status", "status_since", "last_seen_at"])
    if available:
        _enqueue("queueing.work_fill", user_id=user.pk)
    else:
        for item_id in WorkItem.objects.filter(agent=user, state=WorkState.OFFERED).values_list(
            "pk", flat=True
        ):
            item = item_locked(item_id)
            _reclaim(item, now, actor=user, note="agent away")
    return presence


@transaction.atomic
def agent_set_wip_limit(*, user, agent, limit: int | None) -> AgentPresence:
    """A team lead sets an agent's limit on work in progress (None: the default)."""
    if not is_team_lead(user):
        raise _error("work.team_lead_only", _("Only a team lead can do this."), status=403)
    if limit is not None and not 1 <= limit <= 50:
        raise _error("work.bad_wip_limit", _("The limit must be from 1 to 50."), field="wip_limit")
    presence = presence_locked(agent)
    presence.wip_limit = limit
    presence.save(update_fields=["wip_limit"])
    return presence


# --- creating items ---------------------------------------------------------------------------


@dataclass
class WorkItemInput:
    kind: str
    subject: str
    body: str = ""
    queue: str | None = None
    service: str | None = None
    citizen_id: int | None = None
    cpr: str | None = None
    centre: str | None = None
    reply_email: str = ""
    phone: str = ""
    received_at: datetime | None = None

    def fingerprint(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _resolve(user, data: WorkItemInput) -> dict:
    """Check every value and look up what it refers to; raise before anything is written."""
    from borgerservice.citizens.cpr import cpr_normalise
    from borgerservice.citizens.models import Citizen

    if data.kind not in WorkItem.Kind.values:
        raise _error("work.bad_kind", _("Unknown kind of work."), "kind")
    subject = " ".join((data.subject or "").split())
    if not subject:
        raise _error("work.subject_missing", _("Write a subject."), "subject")
    if len(subject) > MAX_SUBJECT:
        raise _error(
            "work.subject_too_long",
            _("The subject may be at most %(max)d characters."),
            "subject",
            max=MAX_SUBJECT,
        )
    body = (data.body or "").strip()
    if len(body) > MAX_BODY:
        raise _error(
            "work.body_too_long",
            _("The text may be at most %(max)d characters."),
            "body",
            max=MAX_BODY,
        )
    service = None
    if data.service:
        service = Service.objects.filter(code=data.service).only("id", "code").first()
        if service is None:
            raise _error("work.unknown_service", _("Unknown service."), "service")
    if data.queue:
        queue = WorkQueue.objects.filter(code=data.queue, active=True).first()
        if queue is None:
            raise _error("work.unknown_queue", _("Unknown or closed work queue."), "queue")
    elif service is not None:
        queue = (
            WorkQueue.objects.filter(active=True, services=service)
            .order_by("sort_order", "code")
            .first()
        )
        if queue is None:
            raise _error(
                "work.no_queue_for_service",
                _("No work queue handles the service. Choose a queue."),
                "queue",
            )
    else:
        raise _error("work.queue_missing", _("Choose a queue or a service."), "queue")
    citizen = None
    if data.cpr:
        citizen = Citizen.objects.filter(cpr=cpr_normalise(data.cpr)).only("id").first()
        if citizen is None:
            raise _error("work.unknown_citizen", _("No citizen has that CPR number."), "cpr")
    elif data.citizen_id is not None:
        citizen = Citizen.objects.filter(pk=data.citizen_id).only("id").first()
        if citizen is None:
            raise _error("work.unknown_citizen", _("The citizen does not exist."), "citizen_id")
    centre = None
    if data.centre:
        centre = ServiceCentre.objects.filter(code=data.centre).first()
        if centre is None:
            raise _error("work.unknown_centre", _("Unknown centre."), "centre")
    else:
        profile = getattr(user, "staff_profile", None)
        centre = profile.centre if profile is not None else None
    reply_email = (data.reply_email or "").strip()
    if reply_email:
        try:
            validate_email(reply_email)
        except ValidationError as exc:
            raise _error(
                "work.bad_email", _("The email address is not valid."), "reply_email"
            ) from exc
    phone = re.sub(r"[\s-]", "", data.phone or "")
    if phone and not PHONE_RE.match(phone):
        raise _error(
            "work.bad_phone",
            _("Write the phone number with 8 to 15 digits, e.g. 33 66 33 66."),
            "phone",
        )
    if data.kind == WorkItem.Kind.CALL_BACK and not phone:
        raise _error("work.phone_missing", _("A call-back request needs a phone number."), "phone")
    now = timezone.now()
    received = data.received_at or now
    if timezone.is_naive(received):
        received = timezone.make_aware(received)
    if received > now + timedelta(minutes=5):
        raise _error("work.in_future", _("Work cannot be received in the future."), "received_at")
    return {
        "kind": data.kind,
        "queue": queue,
        "service": service,
        "citizen": citizen,
        "centre": centre,
        "subject": subject,
        "body": body,
        "reply_email": reply_email,
        "phone": phone,
        "received_at": received,
    }


def work_item_create(
    *, user, data: WorkItemInput, idempotency_key: str | None = None
) -> tuple[WorkItem, bool]:
    """Register one work item; returns (item, created). A retry with the same idempotency key
    returns the item the first request created; the same key with other data is refused."""
    require_person_role(user)
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise _error(
            "work.bad_idempotency_key",
            _("The idempotency key may be at most %(max)d characters."),
            "Idempotency-Key",
            max=MAX_KEY_LENGTH,
        )
    fingerprint = data.fingerprint()
    if key is not None:
        existing = _existing(key, fingerprint)
        if existing is not None:
            return existing, False
    resolved = _resolve(user, data)
    try:
        with transaction.atomic():
            item = WorkItem.objects.create(
                **resolved,
                created_by=user,
                idempotency_key=key,
                request_fingerprint=fingerprint,
            )
            _event(item, "create", "", at=timezone.now(), actor=user)
            _audit_change(user, item, "registered")
            _enqueue("queueing.work_offer", item_id=item.pk)
    except IntegrityError:
        if key is None:
            raise
        existing = _existing(key, fingerprint)
        if existing is None:
            raise
        return existing, False
    return item, True


def _existing(key: str, fingerprint: str) -> WorkItem | None:
    existing = WorkItem.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise _error(
            "work.idempotency_conflict",
            _("The idempotency key was already used for a different work item."),
            "Idempotency-Key",
            status=409,
        )
    return existing


@transaction.atomic
def work_item_from_contact(*, user, contact, services=None) -> WorkItem | None:
    """A contact handed over to a unit becomes a work item in the queue of its service (the
    queue of the receiving department first). None when the contact is not handed over, the
    handover became a case (``contacts.services._hand_over``), or no active queue handles its
    services; calling it again returns the same item."""
    from borgerservice.contacts.models import Contact

    if contact.outcome != Contact.Outcome.HANDED_OVER:
        return None
    existing = WorkItem.objects.filter(contact=contact).first()
    if existing is not None:
        return existing
    if contact.cases.exists():
        return None  # the handover became a case: it waits in the unit's inbox instead
    services = list(services) if services is not None else list(contact.services.all())
    if not services:
        return None
    queues = WorkQueue.objects.filter(active=True, services__in=services).distinct()
    queue = (
        queues.filter(department_id=contact.handed_over_to_id)
        .order_by("sort_order", "code")
        .first()
        or queues.order_by("sort_order", "code").first()
    )
    if queue is None:
        return None
    service = next((s for s in services if queue.services.filter(pk=s.pk).exists()), services[0])
    now = timezone.now()
    item = WorkItem.objects.create(
        kind=WorkItem.Kind.HANDOVER,
        queue=queue,
        service=service,
        centre_id=contact.centre_id,
        citizen_id=contact.citizen_id,
        subject=service.name_da[:MAX_SUBJECT],
        body=contact.note,
        received_at=now,
        contact=contact,
        created_by=user,
    )
    _event(item, "create", "", at=now, actor=user, note=f"contact {contact.pk}")
    _audit_change(user, item, "registered from a handed-over contact")
    _enqueue("queueing.work_offer", item_id=item.pk)
    return item


def queue_for_service(service: Service) -> WorkQueue | None:
    """The active queue that handles a service: a queue naming the service, else a queue of
    the service's department that names no services (its catch-all queue)."""
    queues = WorkQueue.objects.filter(active=True).order_by("sort_order", "code")
    queue = queues.filter(services=service).first()
    if queue is None and service.department_id is not None:
        queue = queues.filter(department_id=service.department_id, services__isnull=True).first()
    return queue


MESSAGE_KINDS = {"email": WorkItem.Kind.EMAIL, "web": WorkItem.Kind.WEB_MESSAGE}


def work_item_from_message(*, message, service: Service, queue: WorkQueue, actor=None):
    """A triaged incoming message becomes a work item in the service's queue. ``actor`` is the
    staff member who routed it; None when the triage routed it on its own."""
    now = timezone.now()
    subject = " ".join((message.subject or "").split()) or service.name_da
    item = WorkItem.objects.create(
        kind=MESSAGE_KINDS.get(message.kind, WorkItem.Kind.LETTER),
        queue=queue,
        service=service,
        citizen_id=message.citizen_id,
        subject=subject[:MAX_SUBJECT],
        body=message.body[:MAX_BODY],
        reply_email=message.sender_email,
        received_at=min(message.received_at, now),
        created_by=actor,
    )
    _event(item, "create", "", at=now, actor=actor, note=f"message {message.pk}")
    _audit_change(actor, item, "registered from an incoming message")
    _enqueue("queueing.work_offer", item_id=item.pk)
    return item


# --- offering -------------------------------------------------------------------------------


def _offer(item: WorkItem, agent, now: datetime, *, actor=None) -> WorkItem:
    from_state = item.state
    item.state = WorkState.OFFERED
    item.agent = agent
    item.offered_at = now
    item.offer_expires_at = now + timedelta(seconds=offer_seconds())
    item.offers += 1
    item.save(update_fields=["state", "agent", "offered_at", "offer_expires_at", "offers"])
    _event(item, "offer", from_state, at=now, actor=actor, agent_id=agent.pk)
    return item


def _declined_by(user_id: int, now: datetime, actions=("decline",)):
    return WorkItemEvent.objects.filter(
        agent_id=user_id,
        action__in=actions,
        at__gte=now - timedelta(minutes=DECLINE_MEMORY_MINUTES),
    ).values("item_id")


def _pick_for(user, now: datetime) -> WorkItem | None:
    """The oldest waiting item the agent may take, locked; skips items others are taking."""
    queue_ids = list(
        AgentSkill.objects.filter(user=user, queue__active=True).values_list("queue_id", flat=True)
    )
    if not queue_ids:
        return None
    waiting = WorkItem.objects.select_for_update(skip_locked=True).filter(
        state=WorkState.QUEUED, queue_id__in=queue_ids
    )
    if is_service_centre_staff(user):
        waiting = waiting.filter(overflowed_at__isnull=False)
    waiting = waiting.exclude(pk__in=_declined_by(user.pk, now)).order_by("received_at", "id")
    # One probe per queue on its own index (work_item_queued_fifo_idx), then the oldest of
    # those: one query across the queues would sort every waiting item of them. The heads
    # not taken stay locked only until this transaction ends.
    heads = [item for qid in queue_ids if (item := waiting.filter(queue_id=qid).first())]
    return min(heads, key=lambda item: (item.received_at, item.pk), default=None)


@transaction.atomic
def work_next(*, user, at: datetime | None = None) -> WorkItem | None:
    """The agent asks for their next item: their open offer if they have one, else the oldest
    waiting item of their skills is offered to them. None when nothing waits for them."""
    require_person_role(user)
    now = at or timezone.now()
    presence = presence_locked(user, now)
    if presence.status != AgentPresence.Status.AVAILABLE:
        raise _error("work.not_available", _("Set yourself available to get work."), status=409)
    presence.last_seen_at = now
    presence.save(update_fields=["last_seen_at"])
    offered = WorkItem.objects.filter(agent=user, state=WorkState.OFFERED).first()
    if offered is not None:
        return offered
    limit = presence.limit
    if wip_of(user.pk) >= limit:
        raise _error(
            "work.wip_limit",
            _("You hold %(limit)d items, your limit. Finish or release one first."),
            status=409,
            limit=limit,
        )
    item = _pick_for(user, now)
    if item is None:
        return None
    return _offer(item, user, now, actor=user)


def _candidates(item: WorkItem, now: datetime, *, skip_decliners: bool = True) -> list[int]:
    """Agents who may be offered ``item`` now, least loaded first, then the most proficient,
    then the one whose last offer is longest ago."""
    held = (
        WorkItem.objects.filter(agent_id=OuterRef("user_id"), state__in=HELD)
        .order_by()
        .values("agent_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_offer = (
        WorkItemEvent.objects.filter(agent_id=OuterRef("user_id"), action="offer")
        .order_by()
        .values("agent_id")
        .annotate(last=Max("at"))
        .values("last")
    )
    skills = (
        AgentSkill.objects.filter(
            queue_id=item.queue_id,
            user__is_active=True,
            user__work_presence__status=AgentPresence.Status.AVAILABLE,
            user__work_presence__last_seen_at__gte=now
            - timedelta(seconds=presence_timeout_seconds()),
        )
        .annotate(
            wip=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)),
            cap=Coalesce(F("user__work_presence__wip_limit"), Value(work_wip_limit_default())),
            has_offer=Exists(
                WorkItem.objects.filter(agent_id=OuterRef("user_id"), state=WorkState.OFFERED)
            ),
            declined=Exists(
                WorkItemEvent.objects.filter(
                    item_id=item.pk,
                    agent_id=OuterRef("user_id"),
                    action__in=["decline", "expire", "reclaim"],
                    at__gte=now - timedelta(minutes=DECLINE_MEMORY_MINUTES),
                )
            ),
            last_offer=Subquery(last_offer),
        )
        .filter(wip__lt=F("cap"), has_offer=False)
    )
    if skip_decliners:
        skills = skills.filter(declined=False)
    if item.overflowed_at is None:
        skills = skills.exclude(user__staff_profile__centre__kind=ServiceCentre.Kind.SERVICE_CENTRE)
    ordered = skills.order_by(
        "wip", "-proficiency", F("last_offer").asc(nulls_first=True), "user_id"
    )
    return list(ordered.values_list("user_id", flat=True)[:20])


@transaction.atomic
def work_offer_item(*, item_id: int, at: datetime | None = None):
    """Offer a waiting item to the best available agent; returns the agent or None."""
    now = at or timezone.now()
    item = (
        WorkItem.objects.select_for_update(skip_locked=True)
        .filter(pk=item_id, state=WorkState.QUEUED)
        .first()
    )
    if item is None:
        return None
    for user_id in _candidates(item, now):
        presence = (
            AgentPresence.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(user_id=user_id, status=AgentPresence.Status.AVAILABLE)
            .first()
        )
        if presence is None:
            continue  # busy being offered something else right now, or just went away
        # Counted again under the lock: the candidate list was read without it.
        if WorkItem.objects.filter(agent_id=user_id, state=WorkState.OFFERED).exists():
            continue
        if wip_of(user_id) >= presence.limit:
            continue
        return _offer(item, presence.user, now).agent
    return None


@transaction.atomic
def work_fill(*, user_id: int, at: datetime | None = None) -> WorkItem | None:
    """Offer an available agent with room their next item (after they become available or
    finish an item); quiet when there is nothing to do."""
    now = at or timezone.now()
    presence = (
        AgentPresence.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .filter(user_id=user_id, status=AgentPresence.Status.AVAILABLE)
        .first()
    )
    if presence is None or not presence.user.is_active:
        return None
    if WorkItem.objects.filter(agent_id=user_id, state=WorkState.OFFERED).exists():
        return None
    if wip_of(user_id) >= presence.limit:
        return None
    item = _pick_for(presence.user, now)
    return _offer(item, presence.user, now) if item is not None else None


# --- the agent's actions ---------------------------------------------------------------------


@transaction.atomic
def work_accept(*, user, item_id: int, at: datetime | None = None) -> WorkItem:
    """Take an offered item: the handling starts (the first time: time to first handling)."""
    item = item_locked(item_id)
    _check(item, "accept")
    _check_holder(user, item, lead_may=False)
    now = at or timezone.now()
    item.state = WorkState.IN_PROGRESS
    item.accepted_at = now
    item.handled_by = user
    if item.first_handled_at is None:
        item.first_handled_at = max(now, item.received_at)
    item.save(update_fields=["state", "accepted_at", "handled_by", "first_handled_at"])
    _event(item, "accept", WorkState.OFFERED, at=now, actor=user, agent_id=user.pk)
    _audit_change(user, item, "accepted")
    agent_heartbeat(user=user, at=now)
    return item


def _note(text: str, field: str = "note") -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise _error(
            "work.note_too_long",
            _("The note may be at most %(max)d characters."),
            field,
            max=MAX_NOTE,
        )
    return text


@transaction.atomic
def work_decline(*, user, item_id: int, reason: str = "", at: datetime | None = None) -> WorkItem:
    """Say no to an offer: the item goes back to the queue and is offered to someone else."""
    item = item_locked(item_id)
    _check(item, "decline")
    _check_holder(user, item, lead_may=False)
    reason = _note(reason, "reason")
    now = at or timezone.now()
    _to_queue(item)
    item.save(update_fields=_QUEUE_FIELDS)
    _event(item, "decline", WorkState.OFFERED, at=now, actor=user, agent_id=user.pk, note=reason)
    _audit_change(user, item, "declined")
    _enqueue("queueing.work_offer", item_id=item.pk)
    return item


@transaction.atomic
def work_release(*, user, item_id: int, reason: str = "", at: datetime | None = None) -> WorkItem:
    """Give an item being handled back to the queue (the agent or a team lead)."""
    item = item_locked(item_id)
    _check(item, "release")
    _check_holder(user, item)
    reason = _note(reason, "reason")
    now = at or timezone.now()
    agent_id = item.agent_id
    _to_queue(item)
    item.save(update_fields=_QUEUE_FIELDS)
    _event(
        item, "release", WorkState.IN_PROGRESS, at=now, actor=user, agent_id=agent_id, note=reason
    )
    _audit_change(user, item, "released to the queue")
    _enqueue("queueing.work_offer", item_id=item.pk)
    return item


@transaction.atomic
def work_finish(
    *,
    user,
    item_id: int,
    outcome: str,
    note: str = "",
    case_number: str = "",
    at: datetime | None = None,
) -> WorkItem:
    """The item is handled: record the outcome (and the case it led to, if any)."""
    item = item_locked(item_id)
    _check(item, "finish")
    _check_holder(user, item)
    if outcome not in WorkItem.Outcome.values:
        raise _error("work.bad_outcome", _("Choose the outcome."), "outcome")
    note = _note(note)
    case = None
    case_number = (case_number or "").strip()
    if case_number:
        from borgerservice.cases.models import Case

        case = Case.objects.filter(number=case_number).only("id").first()
        if case is None:
            raise _error("work.unknown_case", _("No case has that number."), "case_number")
    if outcome == WorkItem.Outcome.CASE_CREATED and case is None:
        raise _error(
            "work.case_missing", _("Give the number of the case you created."), "case_number"
        )
    now = at or timezone.now()
    agent_id = item.agent_id
    item.state = WorkState.DONE
    item.agent = None
    item.finished_at = now
    item.outcome = outcome
    item.result_note = note
    if case is not None:
        item.case = case
    item.save(update_fields=["state", "agent", "finished_at", "outcome", "result_note", "case"])
    _event(item, "finish", WorkState.IN_PROGRESS, at=now, actor=user, agent_id=agent_id)
    _audit_change(user, item, "finished")
    _enqueue("queueing.work_fill", user_id=agent_id)
    return item


@transaction.atomic
def work_cancel(*, user, item_id: int, reason: str, at: datetime | None = None) -> WorkItem:
    """A team lead takes an item out of the routing (spam, sent twice …), with a reason."""
    require_person_role(user)
    if not is_team_lead(user):
        raise _error("work.team_lead_only", _("Only a team lead can do this."), status=403)
    item = item_locked(item_id)
    _check(item, "cancel")
    reason = _note(reason, "reason")
    if len(reason) < 3:
        raise _error("work.reason_missing", _("Write why the item is cancelled."), "reason")
    now = at or timezone.now()
    from_state, agent_id = item.state, item.agent_id
    item.state = WorkState.CANCELLED
    item.agent = None
    item.offered_at = None
    item.offer_expires_at = None
    item.finished_at = now
    item.save(update_fields=["state", "agent", "offered_at", "offer_expires_at", "finished_at"])
    _event(item, "cancel", from_state, at=now, actor=user, agent_id=agent_id, note=reason)
    _audit_change(user, item, "cancelled")
    return item


# --- the routing's own work (work_rebalance) -------------------------------------------------


def _reclaim(item: WorkItem, now: datetime, *, action: str = "reclaim", actor=None, note=""):
    from_state, agent_id = item.state, item.agent_id
    _to_queue(item)
    item.save(update_fields=_QUEUE_FIELDS)
    _event(item, action, from_state, at=now, actor=actor, agent_id=agent_id, note=note)
    _enqueue("queueing.work_offer", item_id=item.pk)


def _each_locked(ids, states):
    """Lock each item in its own short transaction, skipping those being changed now."""
    for item_id in ids:
        with transaction.atomic():
            item = (
                WorkItem.objects.select_for_update(skip_locked=True)
                .filter(pk=item_id, state__in=states)
                .first()
            )
            if item is not None:
                yield item


def work_expire_offers(*, now: datetime) -> int:
    ids = list(
        WorkItem.objects.filter(state=WorkState.OFFERED, offer_expires_at__lte=now)
        .order_by("offer_expires_at")
        .values_list("pk", flat=True)[: offer_batch()]
    )
    done = 0
    for item in _each_locked(ids, [WorkState.OFFERED]):
        if item.offer_expires_at <= now:
            _reclaim(item, now, action="expire", note="offer expired")
            done += 1
    return done


def work_mark_absent(*, now: datetime) -> tuple[int, int]:
    """Agents without a heartbeat count as away from their last sign of life; their offers go
    back at once, their items in progress once they have been away ``WORK_ABSENT_MINUTES``.
    Returns (agents marked away, items given back)."""
    stale = now - timedelta(seconds=presence_timeout_seconds())
    marked = 0
    for presence_id in AgentPresence.objects.filter(
        status=AgentPresence.Status.AVAILABLE, last_seen_at__lt=stale
    ).values_list("pk", flat=True):
        with transaction.atomic():
            presence = (
                AgentPresence.objects.select_for_update(skip_locked=True)
                .filter(pk=presence_id, status=AgentPresence.Status.AVAILABLE)
                .first()
            )
            if presence is not None and presence.last_seen_at < stale:
                presence.status = AgentPresence.Status.AWAY
                presence.status_since = presence.last_seen_at
                presence.save(update_fields=["status", "status_since"])
                marked += 1
    away = AgentPresence.objects.filter(status=AgentPresence.Status.AWAY)
    long_away = away.filter(status_since__lte=now - timedelta(minutes=absent_minutes()))
    ids = list(
        WorkItem.objects.filter(
            Q(state=WorkState.OFFERED, agent__work_presence__in=away)
            | Q(state=WorkState.IN_PROGRESS, agent__work_presence__in=long_away)
        )
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[: offer_batch()]
    )
    given_back = 0
    for item in _each_locked(ids, HELD):
        _reclaim(item, now, note="agent away")
        given_back += 1
    return marked, given_back


def work_overflow(*, now: datetime) -> int:
    """Items waiting longer than their queue's threshold may go to service-centre staff too."""
    done = 0
    for queue in WorkQueue.objects.filter(active=True, overflow_minutes__isnull=False):
        due = now - timedelta(minutes=queue.overflow_minutes)
        ids = list(
            WorkItem.objects.filter(
                queue=queue,
                state=WorkState.QUEUED,
                overflowed_at__isnull=True,
                received_at__lte=due,
            ).values_list("pk", flat=True)[: offer_batch()]
        )
        for item in _each_locked(ids, [WorkState.QUEUED]):
            if item.overflowed_at is None:
                item.overflowed_at = now
                item.save(update_fields=["overflowed_at"])
                _event(item, "overflow", WorkState.QUEUED, at=now, note="overflow")
                done += 1
    return done


def work_offer_waiting(*, now: datetime) -> int:
    """Offer the waiting items, oldest first, while agents have room."""
    offered = 0
    exhausted: set[tuple[int, bool]] = set()
    rows = WorkItem.objects.filter(state=WorkState.QUEUED).order_by("received_at", "id")
    for item_id, queue_id, overflowed in rows.values_list("pk", "queue_id", "overflowed_at")[
        : offer_batch()
    ]:
        key = (queue_id, overflowed is not None)
        if key in exhausted:
            continue
        if work_offer_item(item_id=item_id, at=now) is not None:
            offered += 1
            continue
        item = WorkItem.objects.filter(pk=item_id).only("id", "queue_id", "overflowed_at").first()
        # Nobody with room could take this one. Unless they only declined this very item,
        # the younger items of the queue find nobody either.
        if item is None or not _candidates(item, now, skip_decliners=False):
            exhausted.add(key)
    return offered


def work_rebalance(*, at: datetime | None = None) -> dict[str, int]:
    """One round of the routing's upkeep; run every minute or so (``manage.py work_rebalance``
    or the task ``queueing.work_rebalance``). Returns what it did."""
    now = at or timezone.now()
    expired = work_expire_offers(now=now)
    marked, reclaimed = work_mark_absent(now=now)
    overflowed = work_overflow(now=now)
    offered = work_offer_waiting(now=now)
    return {
        "expired": expired,
        "marked_away": marked,
        "reclaimed": reclaimed,
        "overflowed": overflowed,
        "offered": offered,
    }
