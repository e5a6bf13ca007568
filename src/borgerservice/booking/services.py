"""Booking services: generating slots, booking, rebooking, cancelling, check-in, no-shows.

Every service validates before it writes and raises ``ServiceError`` with a stable code, so
an error leaves the database unchanged. Pages and the API call these functions and only
translate input and output. Why a slot cannot be overbooked: see ``booking.models``.

Hook for the queueing app: ``booking_checked_in`` is sent inside the check-in transaction
(``sender=Booking, booking=…``); a receiver that creates a ticket there commits or rolls
back together with the check-in.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.audit import audit_record
from borgerservice.analytics.rollups import rollup_refresh
from borgerservice.catalogue.models import OpeningHours
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.core.tasks import enqueue
from borgerservice.queueing.hours import is_holiday

from .models import CODE_ALPHABET, CODE_LENGTH, Booking, Slot, SlotTemplate
from .workflow import State, can_transition

#: Sent inside the check-in transaction with ``booking=`` (the queueing app makes a ticket).
booking_checked_in = Signal()

CHECK_IN_BEFORE_MINUTES = getattr(settings, "BOOKING_CHECK_IN_BEFORE_MINUTES", 30)
NO_SHOW_AFTER_MINUTES = getattr(settings, "BOOKING_NO_SHOW_AFTER_MINUTES", 15)
REMINDER_HOURS_BEFORE = getattr(settings, "BOOKING_REMINDER_HOURS_BEFORE", 24)


# --- slots ----------------------------------------------------------------------------------


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


@transaction.atomic
def slots_generate(*, template: SlotTemplate, start: date, end: date) -> int:
    """Create the template's slots for the days ``start … end`` (inclusive); returns how
    many were new. Idempotent: existing slots are kept, running it again creates none.

    A day gets slots only when the centre has general opening hours that weekday (so a
    centre open on Saturdays gets Saturday slots) and the day is not a Danish public
    holiday or one of the configured closed days such as 24 December
    (``queueing.hours.is_holiday``); slots lie within both the template's hours and the
    opening hours. With resources on the template, each
    active resource gets its own slot at each time; without, one slot for the centre.
    """
    if end < start:
        raise ServiceError("range_invalid", _("The end date is before the start date."))
    first = max(start, template.valid_from)
    last = min(end, template.valid_to) if template.valid_to else end
    hours = OpeningHours.objects.filter(
        centre_id=template.centre_id,
        line=OpeningHours.Line.GENERAL,
        weekday=template.weekday,
    ).first()
    if hours is None or first > last:
        return 0
    resources = list(template.resources.all())
    resource_ids: list[int | None]
    if resources:
        resource_ids = [r.pk for r in resources if r.active and r.centre_id == template.centre_id]
    else:
        resource_ids = [None]
    window_start = max(template.starts, hours.opens)
    window_end = min(template.ends, hours.closes)
    duration = timedelta(minutes=template.duration_minutes)

    wanted: list[Slot] = []
    day = first + timedelta(days=(template.weekday - first.weekday()) % 7)
    while day <= last:
        if not is_holiday(day):
            begins, closes = _local(day, window_start), _local(day, window_end)
            while begins + duration <= closes:
                for resource_id in resource_ids:
                    wanted.append(
                        Slot(
                            template=template,
                            centre_id=template.centre_id,
                            service_id=template.service_id,
                            resource_id=resource_id,
                            starts_at=begins,
                            ends_at=begins + duration,
                            capacity=template.capacity,
                        )
                    )
                begins += duration
        day += timedelta(days=7)
    if not wanted:
        return 0
    existing = set(
        Slot.objects.filter(
            template=template,
            starts_at__gte=wanted[0].starts_at,
            starts_at__lte=wanted[-1].starts_at,
        ).values_list("resource_id", "starts_at")
    )
    new = [s for s in wanted if (s.resource_id, s.starts_at) not in existing]
    # ignore_conflicts: a generator running at the same time may have created some.
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def horizon_days() -> int:
    return int(getattr(settings, "BOOKING_HORIZON_DAYS", 20))


def horizon_end(*, start: date, days: int) -> date:
    """The last day of a horizon of ``days`` working days from ``start`` (inclusive):
    Monday to Friday, public holidays and closed days not counted. Saturdays inside the
    range are covered too (they get slots where a centre is open on Saturdays)."""
    if days < 1:
        raise ServiceError(
            "horizon_invalid", _("The number of days must be at least 1."), field="days"
        )
    day, counted = start, 0
    while True:
        if day.weekday() < 5 and not is_holiday(day):
            counted += 1
            if counted >= days:
                return day
        day += timedelta(days=1)


def slots_generate_all(*, days: int | None = None, today: date | None = None) -> int:
    """Generate the slots of every template valid in the horizon (``days`` working days
    from ``today``; default ``BOOKING_HORIZON_DAYS``). Returns how many slots were new;
    running it again creates none. Each template is generated in its own transaction."""
    start = today or timezone.localdate()
    end = horizon_end(start=start, days=horizon_days() if days is None else days)
    templates = (
        SlotTemplate.objects.filter(valid_from__lte=end)
        .exclude(valid_to__lt=start)
        .select_related("centre")
        .prefetch_related("resources")
        .order_by("pk")
    )
    return sum(slots_generate(template=t, start=start, end=end) for t in templates)


# --- bookings -------------------------------------------------------------------------------


def booking_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def booking_code_normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _not_found() -> NotFound:
    return NotFound("booking_not_found", _("The booking does not exist."))


def _transition_error(booking: Booking, to_state: str) -> ServiceError:
    return ServiceError(
        "transition_not_allowed",
        _("A booking in state %(state)s cannot become %(target)s."),
        status=409,
        params={"state": State(booking.state).label, "target": State(to_state).label},
    )


def _audit(by_user, booking: Booking, what: str) -> None:
    if by_user is not None and booking.citizen_id:
        audit_record(actor=by_user, action="change", what=what, citizen_ids=[booking.citizen_id])


@transaction.atomic
def booking_create(
    *,
    slot_id: int,
    service,
    citizen=None,
    name: str = "",
    email: str = "",
    phone: str = "",
    idempotency_key: str | None = None,
    by_user=None,
    rebooked_from: Booking | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Booking:
    """Book a seat in the slot; the confirmation email (with the calendar file) is sent
    after the commit. A repeated call with the same ``idempotency_key`` returns
    the booking the first call made (also when the calls run at the same time)."""
    now = now or timezone.now()
    name, email, phone = name.strip(), email.strip(), phone.strip()
    if idempotency_key:
        earlier = Booking.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return _idempotent_result(earlier, slot_id)
    if citizen is None and not name:
        raise ServiceError(
            "person_required",
            _("Give the citizen or the name of the person who books."),
            field="name",
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ServiceError(
                "email_invalid", _("The email address is not valid."), field="email"
            ) from None
    slot = Slot.objects.select_for_update().filter(pk=slot_id).first()
    if slot is None:
        raise NotFound("slot_not_found", _("The time slot does not exist."), field="slot_id")
    if idempotency_key:  # again under the lock: a call with the same key may have finished
        earlier = Booking.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return _idempotent_result(earlier, slot_id)
    if slot.service_id != service.pk:
        raise ServiceError(
            "service_mismatch", _("The time slot is not for this service."), field="slot_id"
        )
    if not slot.active:
        raise ServiceError("slot_inactive", _("The time slot is closed for booking."), status=409)
    if slot.starts_at <= now:
        raise ServiceError("slot_in_past", _("The time slot has already begun."), status=409)
    taken = set(
        slot.bookings.filter(seat_number__isnull=False).values_list("seat_number", flat=True)
    )
    free = [n for n in range(1, slot.capacity + 1) if n not in taken]
    if not free:
        raise _slot_full()
    if (
        citizen is not None
        and slot.bookings.filter(citizen=citizen, seat_number__isnull=False).exists()
    ):
        raise ServiceError(
            "already_booked", _("The citizen already has this time booked."), status=409
        )
    for _attempt in range(5):
        code = booking_code_new()
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    slot=slot,
                    service=service,
                    citizen=citizen,
                    name=name,
                    email=email,
                    phone=phone,
                    code=code,
                    state=State.BOOKED,
                    seat_number=free[0],
                    slot_capacity=slot.capacity,
                    created_by=by_user,
                    rebooked_from=rebooked_from,
                    idempotency_key=idempotency_key or None,
                )
        except IntegrityError:
            # Which unique index refused it? A concurrent call with the same key won …
            if idempotency_key:
                earlier = Booking.objects.filter(idempotency_key=idempotency_key).first()
                if earlier is not None:
                    return _idempotent_result(earlier, slot_id)
            if Booking.objects.filter(code=code).exists():
                continue  # … or the random code was taken: draw another.
            raise _slot_full() from None  # … or the seat (only without the slot lock).
        break
    else:  # pragma: no cover - 23^6 codes
        raise ServiceError("code_exhausted", _("No booking code could be made."), status=503)
    _audit(by_user, booking, f"booking {booking.code} created")
    if notify:
        enqueue("booking.email", booking_id=booking.pk, kind="confirmation")
    return booking


def _slot_full() -> ServiceError:
    return ServiceError("slot_full", _("The time slot is fully booked."), status=409)


def _idempotent_result(earlier: Booking, slot_id: int) -> Booking:
    if earlier.slot_id != slot_id:
        raise ServiceError(
            "idempotency_conflict",
            _("The idempotency key was used for another booking."),
            status=409,
        )
    return earlier


def _locked(booking_id: int) -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot", "service")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise _not_found()
    return booking


@transaction.atomic
def booking_cancel(
    *, booking_id: int, by_user=None, now: datetime | None = None, notify: bool = True
) -> Booking:
    """Cancel: the booking is kept (state, time) and its seat is freed for others."""
    booking = _locked(booking_id)
    if not can_transition(booking.state, State.CANCELLED):
        raise _transition_error(booking, State.CANCELLED)
    booking.state = State.CANCELLED
    booking.seat_number = None
    booking.cancelled_at = now or timezone.now()
    booking.save(update_fields=["state", "seat_number", "cancelled_at"])
    _audit(by_user, booking, f"booking {booking.code} cancelled")
    if notify:
        enqueue("booking.email", booking_id=booking.pk, kind="cancellation")
    return booking


@transaction.atomic
def booking_rebook(
    *, booking_id: int, slot_id: int, by_user=None, now: datetime | None = None
) -> Booking:
    """Move a booking to another slot in one step: a new booking (new code) on the new
    slot linked by ``rebooked_from``, the old one cancelled. If the new slot is full or
    otherwise refused, nothing changes and the old booking stands."""
    now = now or timezone.now()
    old = _locked(booking_id)
    if not can_transition(old.state, State.CANCELLED):
        raise _transition_error(old, State.CANCELLED)
    if old.slot_id == slot_id:
        raise ServiceError("same_slot", _("The booking is already for this time."), field="slot_id")
    new = booking_create(
        slot_id=slot_id,
        service=old.service,
        citizen=old.citizen,
        name=old.name,
        email=old.email,
        phone=old.phone,
        by_user=by_user,
        rebooked_from=old,
        now=now,
        notify=False,
    )
    booking_cancel(booking_id=old.pk, by_user=by_user, now=now, notify=False)
    # One email: the new time, whose calendar file moves the event the citizen already
    # has (same UID as the first booking of the chain, higher SEQUENCE; see ``ics``).
    enqueue("booking.email", booking_id=new.pk, kind="rebooked")
    return new


@transaction.atomic
def booking_check_in(*, code: str, at: datetime | None = None) -> Booking:
    """Check in at the kiosk with the booking code: on the slot's day, from
    ``CHECK_IN_BEFORE_MINUTES`` before the start until ``NO_SHOW_AFTER_MINUTES`` after it.
    Checking in twice returns the booking unchanged (a second tap on the kiosk)."""
    at = at or timezone.now()
    normalised = booking_code_normalise(code)
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot", "service")
        .filter(code=normalised)
        .first()
    )
    if booking is None:
        raise NotFound("booking_not_found", _("No booking has this code."), field="code")
    if booking.state == State.CHECKED_IN:
        return booking
    if not can_transition(booking.state, State.CHECKED_IN):
        raise _transition_error(booking, State.CHECKED_IN)
    starts = booking.slot.starts_at
    if timezone.localdate(at) != timezone.localdate(starts):
        raise ServiceError("check_in_wrong_day", _("The booking is for another day."), status=409)
    if at < starts - timedelta(minutes=CHECK_IN_BEFORE_MINUTES):
        raise ServiceError(
            "check_in_too_early",
            _("Check-in opens %(minutes)s minutes before the booked time."),
            status=409,
            params={"minutes": CHECK_IN_BEFORE_MINUTES},
        )
    if at > starts + timedelta(minutes=NO_SHOW_AFTER_MINUTES):
        raise ServiceError(
            "check_in_too_late",
            _("The booked time has passed. Please take a queue number."),
            status=409,
        )
    booking.state = State.CHECKED_IN
    booking.checked_in_at = at
    booking.save(update_fields=["state", "checked_in_at"])
    booking_checked_in.send(sender=Booking, booking=booking)
    return booking


@transaction.atomic
def booking_finish(*, booking_id: int, to_state: str, at: datetime | None = None) -> Booking:
    """For the counter: a checked-in booking becomes ``served`` or ``no_show``."""
    if to_state not in (State.SERVED, State.NO_SHOW):
        raise ServiceError("state_invalid", _("Unknown final state."), field="to_state")
    booking = _locked(booking_id)
    if not can_transition(booking.state, to_state):
        raise _transition_error(booking, to_state)
    booking.state = to_state
    booking.finished_at = at or timezone.now()
    booking.save(update_fields=["state", "finished_at"])
    return booking


@transaction.atomic
def booking_no_shows_mark(*, now: datetime | None = None, after_minutes: int | None = None) -> int:
    """The job: bookings not checked in ``after_minutes`` after their start become no-shows.

    One conditional UPDATE; a check-in committed meanwhile no longer matches the state
    filter (PostgreSQL re-checks it on the locked row), so it is never overwritten."""
    now = now or timezone.now()
    minutes = NO_SHOW_AFTER_MINUTES if after_minutes is None else after_minutes
    due = Booking.objects.filter(
        state=State.BOOKED, slot__starts_at__lt=now - timedelta(minutes=minutes)
    )
    ids = list(due.values_list("pk", flat=True))
    marked = Booking.objects.filter(pk__in=ids, state=State.BOOKED).update(
        state=State.NO_SHOW, finished_at=now
    )
    # The rollups count each booking by its state as it is after the update.
    rollup_refresh(source="booking", ids=ids)
    return marked


@transaction.atomic
def booking_reminders_send(*, now: datetime | None = None, hours_before: int | None = None) -> int:
    """The job: a reminder (with the ICS) for each booking starting within ``hours_before``
    hours that has not had one; returns how many were queued. Safe to run on several
    workers at once (rows are claimed with SKIP LOCKED and marked in the same step)."""
    now = now or timezone.now()
    hours = REMINDER_HOURS_BEFORE if hours_before is None else hours_before
    due = list(
        Booking.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            state=State.BOOKED,
            reminder_sent_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + timedelta(hours=hours),
        )
        .values_list("pk", flat=True)
    )
    Booking.objects.filter(pk__in=due).update(reminder_sent_at=now)
    for pk in due:
        enqueue("booking.email", booking_id=pk, kind="reminder")
    return len(due)
