"""Drawing tickets, counter sessions and every change of a ticket's state.

Every state change goes through ``_move``: the ticket row is locked (FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions hold the write lock already), the transition
is checked against ``workflow.TRANSITIONS`` and the timestamps are written. Services check
their input before they write, so a ``ServiceError`` leaves the database unchanged.

Decisions:
- A transferred ticket becomes a new waiting ticket with a number of the other queue; it
  keeps the original ``drawn_at``, so the citizen keeps their place in the order of arrival
  (and the wait in the statistics is the citizen's whole wait), while ``queued_at`` says when
  it entered the new queue. The old ticket ends as ``transferred``.
- A counter that closes puts a ticket it has called but not started back in the queue
  (called → waiting); it cannot close while it serves one.
- A parked ticket can be resumed at any counter of the centre; parked time is not service
  time (``parked_seconds``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.access import require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.accounts.roles import TEAM_LEAD
from borgerservice.analytics.rollups import rollup_refresh
from borgerservice.core.channels import Channel
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.core.tasks import enqueue

from . import hours, selectors
from .models import Counter, CounterSession, QueueGroup, Ticket, TicketSequence
from .workflow import AT_COUNTER, OPEN_AT_DAY_CLOSE, TRANSITIONS, State


def _state_label(state: str) -> str:
    return str(State(state).label)


# --- numbers ----------------------------------------------------------------------------------


def _next_number(*, group: QueueGroup, day: date) -> int:
    """The next number of ``group`` on ``day``: the sequence row stays locked until commit,
    so concurrent draws in one queue take turns and never share a number."""
    locked = TicketSequence.objects.select_for_update().only("id", "last_number")
    sequence = locked.filter(group=group, day=day).first()
    if sequence is None:
        # The first draw of the day creates the row; a concurrent first draw loses the race
        # quietly and both go on to lock the one row.
        TicketSequence.objects.bulk_create(
            [TicketSequence(centre_id=group.centre_id, group=group, day=day)],
            ignore_conflicts=True,
        )
        sequence = locked.get(group=group, day=day)
    # FOR UPDATE waited for any concurrent draw and read the number it committed.
    number = sequence.last_number + 1
    TicketSequence.objects.filter(pk=sequence.pk).update(last_number=number)
    return number


# --- drawing ----------------------------------------------------------------------------------


@transaction.atomic
def ticket_draw(
    *,
    centre,
    group: QueueGroup,
    citizen=None,
    at: datetime | None = None,
    booking_reference: int | None = None,
    due_at: datetime | None = None,
    notify_email: str = "",
    notify_phone: str = "",
    respect_hours: bool = True,
) -> Ticket:
    """Take a ticket in ``group`` (a kiosk press, or a booking check-in with its reference
    and booked time ``due_at``, which is called before the walk-ins when due).

    ``notify_email`` / ``notify_phone``: where to send the turn-near message (optional,
    checked here). ``respect_hours=False`` is for a booking check-in, whose own window
    (from shortly before the booked time) decides, even just before the doors open."""
    now = at or timezone.now()
    notify_email, notify_phone = notify_contact_clean(email=notify_email, phone=notify_phone)
    if group.centre_id != centre.pk:
        raise ServiceError(
            "queue.group_not_in_centre",
            _("The queue does not belong to this centre."),
            field="group",
        )
    if not group.active:
        raise ServiceError("queue.group_inactive", _("The queue is closed."), field="group")
    if respect_hours and not hours.is_open(centre, now):
        raise ServiceError(
            "queue.centre_closed", _("The centre is closed. See the opening hours."), status=409
        )
    day = timezone.localdate(now)
    number = _next_number(group=group, day=day)
    return Ticket.objects.create(
        centre=centre,
        group=group,
        day=day,
        number=number,
        code=Ticket.format_code(group.prefix, number),
        drawn_at=now,
        queued_at=now,
        citizen=citizen,
        booking_reference=booking_reference,
        due_at=due_at,
        notify_email=notify_email,
        notify_phone=notify_phone,
    )


_PHONE_SEPARATORS = str.maketrans("", "", " -.()")


def notify_contact_clean(*, email: str = "", phone: str = "") -> tuple[str, str]:
    """The email address and mobile number for a turn-near message, checked and tidied:
    a Danish number has eight digits (``+45`` is added), a foreign one starts with ``+``
    or ``00`` and the country code. Empty values stay empty."""
    email = (email or "").strip()
    phone = (phone or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ServiceError(
                "queue.notify_email_invalid",
                _("Enter an email address like name@example.dk, or leave the field empty."),
                field="notify_email",
            ) from None
    if phone:
        digits = phone.translate(_PHONE_SEPARATORS)
        if digits.startswith("00"):
            digits = "+" + digits[2:]
        if digits.isdigit() and len(digits) == 8:
            digits = "+45" + digits
        if not (digits.startswith("+") and digits[1:].isdigit() and 8 <= len(digits) - 1 <= 15):
            raise ServiceError(
                "queue.notify_phone_invalid",
                _("Enter a mobile number with eight digits, e.g. 20 30 40 50, or leave it empty."),
                field="notify_phone",
            )
        phone = digits
    return email, phone


# --- booking check-in at the kiosk -----------------------------------------------------------


def _booking_ticket(booking_id: int) -> Ticket | None:
    return (
        Ticket.objects.filter(booking_reference=booking_id)
        .select_related("group", "centre")
        .order_by("-id")
        .first()
    )


@transaction.atomic
def kiosk_check_in(
    *, centre, code: str = "", cpr: str = "", device_owner=None, at: datetime | None = None
):
    """Check in a booked citizen at the kiosk of ``centre``, by booking code or CPR number.

    Returns ``(booking, ticket)``; the ticket is drawn by ``receivers`` when the booking
    is checked in (None if the centre has no open queue). By CPR the answer is the same
    whether the number is unknown or has no booking to check in now, so the kiosk tells
    no one whether a person exists. A CPR look-up that finds the citizen is written to the
    audit log with the team lead who registered the kiosk (``device_owner``) as the
    responsible staff member and the channel ``kiosk``."""
    from borgerservice.booking import services as booking_services
    from borgerservice.booking.models import Booking
    from borgerservice.booking.workflow import State as BookingState
    from borgerservice.citizens.cpr import cpr_normalise
    from borgerservice.citizens.models import Citizen

    now = at or timezone.now()
    code = (code or "").strip()
    cpr = (cpr or "").strip()
    if code:
        normalised = booking_services.booking_code_normalise(code)
        booking = Booking.objects.filter(code=normalised).select_related("slot").first()
        if booking is None:
            raise NotFound("booking_not_found", _("No booking has this code."), field="code")
        if booking.slot.centre_id != centre.pk:
            raise ServiceError(
                "queue.booking_other_centre",
                _("The booking is at another centre: %(centre)s."),
                field="code",
                params={"centre": booking.slot.centre.name},
            )
    elif cpr:
        number = cpr_normalise(cpr)
        neutral = ServiceError(
            "queue.check_in_not_found",
            _(
                "We found no appointment to check in now. Please take a queue number, "
                "or ask the staff."
            ),
            field="cpr",
        )
        citizen = Citizen.objects.filter(cpr=number).only("id").first()
        if citizen is None:
            raise neutral
        if device_owner is not None:
            audit_record(
                actor=device_owner,
                action="search",
                what=f"kiosk check-in by CPR number at {centre.code}",
                citizen_ids=[citizen.pk],
                reason="the citizen's own check-in at the kiosk",
                channel="kiosk",
            )
        booking = (
            Booking.objects.filter(
                citizen=citizen,
                slot__centre=centre,
                state__in=[BookingState.BOOKED, BookingState.CHECKED_IN],
                slot__starts_at__gte=now
                - timedelta(minutes=booking_services.NO_SHOW_AFTER_MINUTES),
                slot__starts_at__lte=now
                + timedelta(minutes=booking_services.CHECK_IN_BEFORE_MINUTES),
            )
            .select_related("slot")
            .order_by("slot__starts_at", "id")
            .first()
        )
        if booking is None:
            raise neutral
    else:
        raise ServiceError(
            "queue.check_in_empty",
            _("Enter your booking code or your CPR number."),
            field="code",
        )
    booking = booking_services.booking_check_in(code=booking.code, at=now)
    return booking, _booking_ticket(booking.pk)


def _booking_done(ticket: Ticket, to_state: str, at: datetime) -> None:
    """A booked citizen's ticket ended: the booking is served or absent too."""
    if ticket.booking_reference is None:
        return
    from borgerservice.booking.models import Booking
    from borgerservice.booking.services import booking_finish
    from borgerservice.booking.workflow import State as BookingState

    if Booking.objects.filter(pk=ticket.booking_reference, state=BookingState.CHECKED_IN).exists():
        booking_finish(booking_id=ticket.booking_reference, to_state=to_state, at=at)


# --- counters ---------------------------------------------------------------------------------


def _is_team_lead(user) -> bool:
    return user.groups.filter(name=TEAM_LEAD).exists()


@transaction.atomic
def counter_open(
    *, user, counter: Counter, groups: Iterable[QueueGroup], at: datetime | None = None
) -> CounterSession:
    """Sign ``user`` in at ``counter``, covering ``groups`` (the skills)."""
    require_person_role(user)
    groups = list(groups)
    if not counter.active:
        raise ServiceError("queue.counter_inactive", _("The counter is not in use."))
    if not groups:
        raise ServiceError(
            "queue.no_groups", _("Choose at least one queue to serve."), field="groups"
        )
    if any(g.centre_id != counter.centre_id or not g.active for g in groups):
        raise ServiceError(
            "queue.group_not_in_centre",
            _("Choose only open queues of the counter's centre."),
            field="groups",
        )
    open_sessions = CounterSession.objects.filter(closed_at__isnull=True)
    if open_sessions.filter(counter=counter).exists():
        raise ServiceError(
            "queue.counter_taken", _("Someone is already signed in at this counter."), status=409
        )
    if open_sessions.filter(staff=user).exists():
        raise ServiceError(
            "queue.already_signed_in",
            _("You are already signed in at a counter. Sign out there first."),
            status=409,
        )
    try:
        with transaction.atomic():
            session = CounterSession.objects.create(
                counter=counter, staff=user, opened_at=at or timezone.now()
            )
    except IntegrityError as exc:  # a concurrent sign-in won (partial unique constraints)
        raise ServiceError(
            "queue.counter_taken", _("Someone is already signed in at this counter."), status=409
        ) from exc
    session.groups.set(groups)
    return session


def _session_locked(session_id: int) -> CounterSession:
    session = (
        # Only the session row: locking the joined counter and user rows too would block
        # every other transaction that refers to them (FOR UPDATE conflicts with the key
        # share lock a foreign key takes).
        CounterSession.objects.select_for_update(of=("self",))
        .select_related("counter", "staff")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound("queue.session_not_found", _("The counter session does not exist."))
    if session.closed_at is not None:
        raise ServiceError(
            "queue.session_closed", _("You are signed out of the counter."), status=409
        )
    return session


@transaction.atomic
def counter_close(*, user, session: CounterSession, at: datetime | None = None) -> CounterSession:
    """Sign out. A called ticket goes back to the queue; a ticket being served must be
    finished, parked or transferred first."""
    session = _session_locked(session.pk)
    if session.staff_id != user.pk and not _is_team_lead(user):
        raise ServiceError(
            "queue.not_your_session", _("Only the staff member signed in can sign out."), status=403
        )
    now = at or timezone.now()
    held = list(Ticket.objects.select_for_update().filter(session=session, state__in=AT_COUNTER))
    if any(t.state == State.SERVING for t in held):
        raise ServiceError(
            "queue.session_serving",
            _("Finish, park or transfer the citizen you are serving before signing out."),
            status=409,
        )
    for ticket in held:
        _check(ticket, State.WAITING, "requeue")
        _release(ticket)
        ticket.state = State.WAITING
        ticket.save(
            update_fields=["state", "called_at", "announced_at", "counter", "session", "staff"]
        )
    session.closed_at = now
    session.save(update_fields=["closed_at"])
    return session


def _release(ticket: Ticket) -> None:
    ticket.called_at = None
    ticket.announced_at = None
    ticket.counter = None
    ticket.session = None
    ticket.staff = None


# --- the state machine ------------------------------------------------------------------------


def ticket_locked(ticket_id: int) -> Ticket:
    ticket = (
        # The ticket row only, not its queue and centre: those are referred to by every
        # ticket drawn there meanwhile.
        Ticket.objects.select_for_update(of=("self",))
        .select_related("group", "centre")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound("queue.ticket_not_found", _("The ticket does not exist."))
    return ticket


def _check(ticket: Ticket, to_state: str, action: str) -> None:
    """The table must allow this very action from the ticket's state (so "serve" cannot
    do what only "resume" may, although both lead to serving)."""
    if TRANSITIONS.get((ticket.state, to_state)) != action:
        raise ServiceError(
            "queue.bad_transition",
            _("A ticket that is “%(from)s” cannot become “%(to)s”."),
            status=409,
            params={"from": _state_label(ticket.state), "to": _state_label(to_state)},
        )


def _check_holder(user, ticket: Ticket) -> None:
    """Tickets at a counter are handled by the staff member who called them (or a team lead)."""
    require_person_role(user)
    if ticket.staff_id is not None and ticket.staff_id != user.pk and not _is_team_lead(user):
        raise ServiceError(
            "queue.not_your_ticket",
            _("The ticket is being handled at another counter."),
            status=403,
        )


def _open_session_of(user) -> CounterSession:
    session = selectors.open_session_for(user)
    if session is None:
        raise ServiceError("queue.not_signed_in", _("Sign in at a counter first."), status=409)
    return _session_locked(session.pk)


def _require_free(session: CounterSession) -> None:
    if Ticket.objects.filter(session=session, state__in=AT_COUNTER).exists():
        raise ServiceError(
            "queue.counter_busy",
            _("Finish, park or transfer the current ticket before calling the next."),
            status=409,
        )


def _audit_citizen(user, ticket: Ticket, what: str) -> None:
    if ticket.citizen_id is not None:
        audit_record(
            actor=user,
            action="change",
            what=f"{what} {ticket.code}",
            citizen_ids=[ticket.citizen_id],
        )


@transaction.atomic
def ticket_call_next(*, session: CounterSession, at: datetime | None = None) -> Ticket | None:
    """Call the next citizen for ``session``: booked citizens due now first, then the
    longest-waiting ticket among the queues the session covers. None when nobody waits.

    On PostgreSQL the candidate row is taken with FOR UPDATE SKIP LOCKED, so concurrent
    callers each get a different ticket without waiting for one another."""
    now = at or timezone.now()
    session = _session_locked(session.pk)
    _require_free(session)
    group_ids = list(session.groups.values_list("pk", flat=True))
    day = timezone.localdate(now)
    centre_id = session.counter.centre_id
    ticket = (
        selectors.booked_due_now(centre_id, group_ids, now)
        .select_for_update(skip_locked=True)
        .first()
    )
    if ticket is None:
        # The centre's waiting tickets in order of arrival (index ticket_waiting_centre_idx):
        # the scan stops at the first one of the session's queues that nobody else holds.
        ticket = (
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(centre_id=centre_id, day=day, state=State.WAITING, group_id__in=group_ids)
            .order_by("drawn_at", "id")
            .first()
        )
    if ticket is None:
        return None
    ticket.state = State.CALLED
    ticket.called_at = now
    ticket.announced_at = now
    ticket.counter = session.counter
    ticket.session = session
    ticket.staff = session.staff
    ticket.save(update_fields=["state", "called_at", "announced_at", "counter", "session", "staff"])
    _audit_citizen(session.staff, ticket, "queue ticket called")
    if selectors.near_turn_candidates(ticket.centre_id, day).exists():
        # The queue moved: tell whoever asked for it that their turn is near (after commit).
        enqueue("queueing.notify_near", centre_id=ticket.centre_id)
    return ticket


@transaction.atomic
def ticket_recall(*, user, ticket_id: int, at: datetime | None = None) -> Ticket:
    """Announce a called ticket again (the display shows it at the top); it stays called."""
    ticket = ticket_locked(ticket_id)
    _check(ticket, State.CALLED, "recall")
    _check_holder(user, ticket)
    ticket.recalls += 1
    ticket.announced_at = at or timezone.now()
    ticket.save(update_fields=["recalls", "announced_at"])
    return ticket


@transaction.atomic
def ticket_serve(*, user, ticket_id: int, at: datetime | None = None) -> Ticket:
    """The called citizen has come to the counter: the service time starts."""
    ticket = ticket_locked(ticket_id)
    _check(ticket, State.SERVING, "serve")
    _check_holder(user, ticket)
    ticket.state = State.SERVING
    ticket.served_at = at or timezone.now()
    ticket.save(update_fields=["state", "served_at"])
    return ticket


@transaction.atomic
def ticket_no_show(*, user, ticket_id: int, at: datetime | None = None) -> Ticket:
    ticket = ticket_locked(ticket_id)
    _check(ticket, State.NO_SHOW, "no_show")
    _check_holder(user, ticket)
    ticket.state = State.NO_SHOW
    ticket.finished_at = at or timezone.now()
    ticket.save(update_fields=["state", "finished_at"])
    _booking_done(ticket, "no_show", ticket.finished_at)
    return ticket


@transaction.atomic
def ticket_park(*, user, ticket_id: int, at: datetime | None = None) -> Ticket:
    """Put a citizen being served aside (e.g. filling in a form); the counter is free."""
    ticket = ticket_locked(ticket_id)
    _check(ticket, State.PARKED, "park")
    _check_holder(user, ticket)
    ticket.state = State.PARKED
    ticket.parked_at = at or timezone.now()
    ticket.save(update_fields=["state", "parked_at"])
    return ticket


@transaction.atomic
def ticket_resume(*, user, ticket_id: int, at: datetime | None = None) -> Ticket:
    """Serve a parked ticket again, at the counter ``user`` is signed in at."""
    ticket = ticket_locked(ticket_id)
    _check(ticket, State.SERVING, "resume")
    require_person_role(user)
    session = _open_session_of(user)
    if session.counter.centre_id != ticket.centre_id:
        raise ServiceError(
            "queue.other_centre", _("The ticket belongs to another centre."), status=409
        )
    _require_free(session)
    now = at or timezone.now()
    parked = max(0, int((now - ticket.parked_at).total_seconds())) if ticket.parked_at else 0
    ticket.state = State.SERVING
    ticket.parked_seconds += parked
    ticket.parked_at = None
    ticket.counter = session.counter
    ticket.session = session
    ticket.staff = user
    ticket.save(
        update_fields=["state", "parked_seconds", "parked_at", "counter", "session", "staff"]
    )
    return ticket


@transaction.atomic
def ticket_transfer(
    *, user, ticket_id: int, to_group: QueueGroup, at: datetime | None = None
) -> Ticket:
    """Move a ticket to another queue of the centre; returns the new waiting ticket."""
    ticket = ticket_locked(ticket_id)
    _check(ticket, State.TRANSFERRED, "transfer")
    _check_holder(user, ticket)
    if to_group.centre_id != ticket.centre_id or not to_group.active:
        raise ServiceError(
            "queue.group_not_in_centre",
            _("Choose an open queue of the same centre."),
            field="to_group",
        )
    if to_group.pk == ticket.group_id:
        raise ServiceError(
            "queue.same_group", _("The ticket is already in that queue."), field="to_group"
        )
    now = at or timezone.now()
    number = _next_number(group=to_group, day=ticket.day)
    new = Ticket.objects.create(
        centre_id=ticket.centre_id,
        group=to_group,
        day=ticket.day,
        number=number,
        code=Ticket.format_code(to_group.prefix, number),
        drawn_at=ticket.drawn_at,
        queued_at=now,
        citizen_id=ticket.citizen_id,
        booking_reference=ticket.booking_reference,
        due_at=ticket.due_at,
        transferred_from=ticket,
    )
    ticket.state = State.TRANSFERRED
    ticket.finished_at = now
    ticket.save(update_fields=["state", "finished_at"])
    _audit_citizen(user, ticket, "queue ticket transferred")
    return new


@transaction.atomic
def ticket_finish(
    *,
    user,
    ticket_id: int,
    outcome: str,
    services: list[str],
    note: str = "",
    handed_over_to: str | None = None,
    forwarded_to: str = "",
    citizen_informed: bool = False,
    could_be_digital: bool = False,
    at: datetime | None = None,
):
    """Finish the service and register the contact (channel walk-in) in one step.

    Returns the ticket; ``ticket.contact`` is the registered contact. An invalid contact
    (unknown service, missing handover unit …) raises before anything changes."""
    from borgerservice.contacts.services import ContactInput, contact_register

    ticket = ticket_locked(ticket_id)
    _check(ticket, State.FINISHED, "finish")
    _check_holder(user, ticket)
    now = at or timezone.now()
    contact, _created = contact_register(
        user=user,
        data=ContactInput(
            channel=Channel.WALK_IN,
            outcome=outcome,
            services=list(services),
            citizen_id=ticket.citizen_id,
            centre=ticket.centre.code,
            started_at=ticket.served_at,
            ended_at=now,
            handed_over_to=handed_over_to,
            forwarded_to=forwarded_to,
            citizen_informed=citizen_informed,
            could_be_digital=could_be_digital,
            note=note,
        ),
        idempotency_key=f"queue-ticket-{ticket.pk}",
    )
    ticket.state = State.FINISHED
    ticket.finished_at = now
    ticket.contact = contact
    ticket.save(update_fields=["state", "finished_at", "contact"])
    _booking_done(ticket, "served", now)
    return ticket


@transaction.atomic
def day_close(*, centre, day: date, at: datetime | None = None) -> int:
    """Mark the day's waiting, called and parked tickets closed unserved and sign out the
    counters that serve nobody; returns the number of tickets closed. Running it again
    changes nothing."""
    now = at or timezone.now()
    open_states = [s.value for s in OPEN_AT_DAY_CLOSE]
    ids = list(
        Ticket.objects.select_for_update()
        .filter(centre=centre, day=day, state__in=open_states)
        .values_list("pk", flat=True)
    )
    closed = Ticket.objects.filter(pk__in=ids, state__in=open_states).update(
        state=State.CLOSED_UNSERVED, finished_at=now, parked_at=None
    )
    rollup_refresh(source="ticket", ids=ids)
    # The contact details given for a turn-near message are kept no longer than the day.
    Ticket.objects.filter(centre=centre, day=day).exclude(notify_email="", notify_phone="").update(
        notify_email="", notify_phone=""
    )
    # Only sessions opened by the end of ``day``: closing a forgotten earlier day leaves
    # the counters open today alone.
    day_end = timezone.make_aware(
        datetime.combine(day + timedelta(days=1), time.min), timezone.get_default_timezone()
    )
    sessions = list(
        CounterSession.objects.filter(
            Q(counter__centre=centre),
            closed_at__isnull=True,
            opened_at__lte=now,
            opened_at__lt=day_end,
        )
        .exclude(tickets__state=State.SERVING)
        .values_list("pk", flat=True)
    )
    CounterSession.objects.filter(pk__in=sessions, closed_at__isnull=True).update(closed_at=now)
    rollup_refresh(source="session", ids=sessions)
    return closed
