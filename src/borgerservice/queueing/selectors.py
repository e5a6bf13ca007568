"""Reading the queues: estimated waits, the team-lead status, the display, the statistics."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from borgerservice.catalogue.models import ServiceCentre

from .models import CounterSession, QueueGroup, Ticket
from .workflow import State

# A checked-in booking is called first from this long before its booked time.
BOOKED_EARLY = timedelta(minutes=5)
# The estimated wait uses the median service time of this many of today's finished tickets …
THROUGHPUT_SAMPLE = 20
# … once there are at least this many; before that, the group's expected service time.
THROUGHPUT_MIN_SAMPLE = 3


def booked_due_now(centre_id: int, group_ids, now: datetime):
    """The waiting tickets of booked citizens who are due now in ``group_ids`` (the queues
    a counter covers), the earliest booked time first; ``ticket_call_next`` takes the first.

    The booking app's check-in draws the ticket with ``booking_reference`` and the booked
    time as ``due_at``; such a ticket is due from ``BOOKED_EARLY`` before that time."""
    return Ticket.objects.filter(
        centre_id=centre_id,
        group_id__in=group_ids,
        state=State.WAITING,
        due_at__isnull=False,
        due_at__lte=now + BOOKED_EARLY,
    ).order_by("due_at", "drawn_at", "id")


def open_session_for(user) -> CounterSession | None:
    return (
        CounterSession.objects.filter(staff=user, closed_at__isnull=True)
        .select_related("counter", "counter__centre")
        .first()
    )


def session_current_ticket(session: CounterSession) -> Ticket | None:
    """The ticket the counter is calling or serving, if any."""
    return (
        Ticket.objects.filter(session=session, state__in=[State.CALLED, State.SERVING])
        .select_related("group")
        .first()
    )


def parked_tickets(centre) -> list[Ticket]:
    return list(
        Ticket.objects.filter(centre=centre, state=State.PARKED)
        .select_related("group", "counter")
        .order_by("parked_at")
    )


# --- estimated wait ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitEstimate:
    minutes: int
    ahead: int  # tickets waiting before (for a new ticket: all waiting in the queue)
    counters: int  # open counters covering the queue
    service_minutes: float  # the service time per citizen the estimate assumes
    basis: str  # "throughput" (today's finished tickets) or "default" (the group's setting)


def service_minutes(group: QueueGroup, day: date) -> tuple[float, str]:
    """Median service time of the group's last finished tickets today, or its default."""
    rows = list(
        Ticket.objects.filter(group=group, day=day, state=State.FINISHED, served_at__isnull=False)
        .order_by("-finished_at")
        .values_list("served_at", "finished_at", "parked_seconds")[:THROUGHPUT_SAMPLE]
    )
    if len(rows) < THROUGHPUT_MIN_SAMPLE:
        return float(group.default_service_minutes), "default"
    minutes = [
        max(0.0, ((end - start).total_seconds() - parked) / 60) for start, end, parked in rows
    ]
    return statistics.median(minutes), "throughput"


def open_counters(group: QueueGroup) -> int:
    return (
        CounterSession.objects.filter(groups=group, closed_at__isnull=True)
        .values("counter")
        .distinct()
        .count()
    )


def estimated_wait(
    group: QueueGroup, *, ticket: Ticket | None = None, now: datetime | None = None
) -> WaitEstimate:
    """The expected wait in ``group``: service time per citizen × citizens ahead ÷ open
    counters covering the queue (at least one is assumed, so a queue whose counters are
    not yet open still gets an estimate). For ``ticket``, the citizens ahead of it; without,
    everyone waiting (the estimate shown before taking a ticket)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    waiting = Ticket.objects.filter(group=group, day=day, state=State.WAITING)
    if ticket is not None:
        waiting = waiting.filter(
            Q(drawn_at__lt=ticket.drawn_at) | Q(drawn_at=ticket.drawn_at, pk__lt=ticket.pk)
        )
    ahead = waiting.count()
    per_citizen, basis = service_minutes(group, day)
    counters = open_counters(group)
    minutes = round(per_citizen * ahead / max(counters, 1))
    return WaitEstimate(
        minutes=minutes, ahead=ahead, counters=counters, service_minutes=per_citizen, basis=basis
    )


# --- team lead and display --------------------------------------------------------------------


@dataclass(frozen=True)
class CentreStatus:
    centre: ServiceCentre
    waiting: int
    longest_wait: timedelta | None
    counters_open: int
    served_today: int


def queue_status(*, now: datetime | None = None, centres=None) -> list[CentreStatus]:
    """Waiting now, longest wait, counters open and served today, per centre with queues
    (a fixed number of queries, whatever the number of centres)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if centres is None:
        centres = ServiceCentre.objects.filter(queue_groups__isnull=False).distinct()
    centres = list(centres)
    ids = [c.pk for c in centres]
    tickets = (
        Ticket.objects.filter(centre_id__in=ids, day=day)
        .values("centre_id")
        .annotate(
            waiting=Count("pk", filter=Q(state=State.WAITING)),
            first_drawn=Min("drawn_at", filter=Q(state=State.WAITING)),
            served=Count("pk", filter=Q(state=State.FINISHED)),
        )
    )
    by_centre = {row["centre_id"]: row for row in tickets}
    counters = dict(
        CounterSession.objects.filter(counter__centre_id__in=ids, closed_at__isnull=True)
        .values("counter__centre_id")
        .annotate(n=Count("counter", distinct=True))
        .values_list("counter__centre_id", "n")
    )
    result = []
    for centre in centres:
        row = by_centre.get(centre.pk, {})
        first = row.get("first_drawn")
        result.append(
            CentreStatus(
                centre=centre,
                waiting=row.get("waiting", 0),
                longest_wait=max(now - first, timedelta(0)) if first else None,
                counters_open=counters.get(centre.pk, 0),
                served_today=row.get("served", 0),
            )
        )
    return result


def last_called(centre, *, limit: int = 8, now: datetime | None = None) -> list[Ticket]:
    """Today's latest announced tickets (call or recall) still at a counter, newest first."""
    day = timezone.localdate(now or timezone.now())
    return list(
        Ticket.objects.filter(
            centre=centre,
            day=day,
            state__in=[State.CALLED, State.SERVING],
            announced_at__isnull=False,
        )
        .select_related("counter", "group")
        .order_by("-announced_at", "-id")[:limit]
    )


# --- statistics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFact:
    """One ticket's raw facts: what a later dashboard aggregates."""

    ticket_id: int
    centre: str
    group: str
    hour: int  # local hour the ticket was drawn
    state: str
    booked: bool
    wait_seconds: int | None  # called_at − drawn_at
    service_seconds: int | None  # finished_at − served_at − parked time, finished tickets
    services: tuple[str, ...] = ()  # the services of the registered contact


def ticket_facts(day: date, *, centre=None) -> list[TicketFact]:
    tickets = Ticket.objects.filter(day=day).select_related("centre", "group")
    if centre is not None:
        tickets = tickets.filter(centre=centre)
    tickets = tickets.prefetch_related("contact__service_links__service").order_by("drawn_at", "id")
    facts = []
    for t in tickets:
        service_time = t.service_time
        facts.append(
            TicketFact(
                ticket_id=t.pk,
                centre=t.centre.code,
                group=t.group.code,
                hour=timezone.localtime(t.drawn_at).hour,
                state=t.state,
                booked=t.booking_reference is not None,
                wait_seconds=int(t.wait.total_seconds()) if t.wait is not None else None,
                service_seconds=int(service_time.total_seconds()) if service_time else None,
                services=tuple(link.service.code for link in t.contact.service_links.all())
                if t.contact_id
                else (),
            )
        )
    return facts


@dataclass
class HourRow:
    centre: str
    group: str
    hour: int
    drawn: int = 0
    finished: int = 0
    no_show: int = 0
    unserved: int = 0
    waits: list[int] = field(default_factory=list, repr=False)
    service_times: list[int] = field(default_factory=list, repr=False)

    @property
    def median_wait_seconds(self) -> float | None:
        return statistics.median(self.waits) if self.waits else None

    @property
    def median_service_seconds(self) -> float | None:
        return statistics.median(self.service_times) if self.service_times else None


def ticket_stats_by_hour(day: date, *, centre=None) -> list[HourRow]:
    """Per centre, queue and hour drawn: tickets drawn, finished, no-shows, unserved and the
    waits and service times (transferred tickets count in the queue they ended in)."""
    rows: dict[tuple[str, str, int], HourRow] = {}
    for fact in ticket_facts(day, centre=centre):
        if fact.state == State.TRANSFERRED:
            continue
        key = (fact.centre, fact.group, fact.hour)
        row = rows.get(key) or rows.setdefault(key, HourRow(*key))
        row.drawn += 1
        row.finished += fact.state == State.FINISHED
        row.no_show += fact.state == State.NO_SHOW
        row.unserved += fact.state == State.CLOSED_UNSERVED
        if fact.wait_seconds is not None:
            row.waits.append(fact.wait_seconds)
        if fact.service_seconds is not None:
            row.service_times.append(fact.service_seconds)
    return [rows[k] for k in sorted(rows)]


def waiting_by_group(centre, *, now: datetime | None = None) -> dict[int, int]:
    """Waiting tickets per queue group id today (the kiosk shows it next to each queue)."""
    day = timezone.localdate(now or timezone.now())
    counts: dict[int, int] = defaultdict(int)
    for group_id, n in (
        Ticket.objects.filter(centre=centre, day=day, state=State.WAITING)
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    ):
        counts[group_id] = n
    return dict(counts)


# --- kiosk, counter and turn-near messages ----------------------------------------------------


def near_turn_candidates(centre_id: int, day: date):
    """Waiting tickets of the day whose citizen asked for a message and has had none."""
    return Ticket.objects.filter(
        centre_id=centre_id, day=day, state=State.WAITING, notified_at__isnull=True
    ).exclude(notify_email="", notify_phone="")


def kiosk_groups(centre) -> list[QueueGroup]:
    """The queues a citizen can take a number in at the kiosk, in the kiosk's order."""
    return list(
        QueueGroup.objects.filter(centre=centre, active=True).order_by("sort_order", "prefix")
    )


def counters_for(centre) -> list[dict]:
    """The active counters of a centre with the staff member signed in at each, if any."""
    taken = dict(
        CounterSession.objects.filter(counter__centre=centre, closed_at__isnull=True).values_list(
            "counter_id", "staff_id"
        )
    )
    return [
        {"counter": counter, "taken_by": taken.get(counter.pk)}
        for counter in centre.counters.filter(active=True).order_by("sort_order", "code")
    ]
