"""Reading bookings: free slots, a centre's day list, attendance statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.audit import audit_record
from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.core.errors import NotFound

from .models import Booking, Slot
from .workflow import State


@dataclass(frozen=True)
class FreeSlot:
    slot: Slot
    remaining: int


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def slots_free(
    *, service, centre, start: date, end: date, now: datetime | None = None
) -> list[FreeSlot]:
    """Open, future slots of the service at the centre on ``start … end`` that still have a
    seat, with the number of seats left — one query."""
    now = now or timezone.now()
    begins, ends = _day_bounds(start, end)
    rows = (
        Slot.objects.filter(
            service=service,
            centre=centre,
            active=True,
            starts_at__gte=max(begins, now),
            starts_at__lt=ends,
        )
        .select_related("resource")
        .annotate(taken=Count("bookings", filter=Q(bookings__seat_number__isnull=False)))
        .filter(taken__lt=F("capacity"))
        .order_by("starts_at", "resource__name", "id")
    )
    return [FreeSlot(slot, slot.capacity - slot.taken) for slot in rows]


def bookings_for_day(*, user, centre, day: date, channel: str = "ui") -> list[Booking]:
    """The centre's bookings of a day (cancelled ones too), for staff; audited."""
    begins, ends = _day_bounds(day, day)
    bookings = list(
        Booking.objects.filter(
            slot__centre=centre, slot__starts_at__gte=begins, slot__starts_at__lt=ends
        )
        .select_related("slot", "slot__resource", "service", "citizen")
        .order_by("slot__starts_at", "seat_number", "id")
    )
    citizen_ids = [b.citizen_id for b in bookings if b.citizen_id]
    if citizen_ids:
        audit_record(
            actor=user,
            action="list",
            what=f"bookings {centre.code} {day.isoformat()}",
            citizen_ids=citizen_ids,
            channel=channel,
        )
    return bookings


def booking_attendance(*, start: date, end: date, centre=None) -> list[dict]:
    """Show/no-show facts per centre, service, day and local hour of the booked time:
    ``booked`` (not cancelled), ``showed`` (checked in or served), ``no_show``, ``open``
    (booked, not yet decided) and ``cancelled``. Raw facts for a later dashboard."""
    begins, ends = _day_bounds(start, end)
    tz = timezone.get_default_timezone()
    rows = Booking.objects.filter(slot__starts_at__gte=begins, slot__starts_at__lt=ends)
    if centre is not None:
        rows = rows.filter(slot__centre=centre)
    return list(
        rows.annotate(
            day=TruncDate("slot__starts_at", tzinfo=tz),
            hour=ExtractHour("slot__starts_at", tzinfo=tz),
        )
        .values("slot__centre_id", "service_id", "day", "hour")
        .annotate(
            booked=Count("id", filter=~Q(state=State.CANCELLED)),
            showed=Count("id", filter=Q(state__in=[State.CHECKED_IN, State.SERVED])),
            no_show=Count("id", filter=Q(state=State.NO_SHOW)),
            open=Count("id", filter=Q(state=State.BOOKED)),
            cancelled=Count("id", filter=Q(state=State.CANCELLED)),
        )
        .order_by("slot__centre_id", "service_id", "day", "hour")
    )


def booking_get_for_view(*, user, booking_id: int, channel: str = "ui") -> Booking:
    """One booking with its person, for staff; audited when it names a citizen."""

    booking = (
        Booking.objects.select_related(
            "slot", "slot__centre", "slot__resource", "service", "citizen", "rebooked_from"
        )
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise NotFound("booking_not_found", _("The booking does not exist."))
    if booking.citizen_id:
        audit_record(
            actor=user,
            action="view",
            what=f"booking {booking.code}",
            citizen_ids=[booking.citizen_id],
            channel=channel,
        )
    return booking


def bookable_services():
    """Services with at least one slot template: the ones that can be booked."""
    return Service.objects.filter(slot_templates__isnull=False).distinct().order_by("name_da")


def centres_for_service(service):
    return (
        ServiceCentre.objects.filter(slot_templates__service=service)
        .distinct()
        .order_by("sort_order", "code")
    )
