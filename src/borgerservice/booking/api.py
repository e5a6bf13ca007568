"""Appointment endpoints: free slots, booking (idempotent), one booking, rebooking,
cancelling, check-in with the booking code, a centre's bookings of a day and the
attendance facts.

Free slots carry no personal data, so every signed-in staff member may list them; the
rest is for the person roles (front office, specialist, team lead), and the attendance
facts for analysts and team leads. Reading a booking that names a citizen is audited; a
write is covered by the change entry the service writes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema, Status

from borgerservice.accounts.access import require_person_role
from borgerservice.accounts.roles import ANALYST, TEAM_LEAD, has_role
from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.citizens.cpr import cpr_normalise
from borgerservice.citizens.models import Citizen
from borgerservice.core.errors import NotFound, ServiceError

from . import selectors, services
from .models import Booking

router = Router(tags=["appointments"], auth=STAFF_AUTH)

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
#: The longest range of days one request may ask for.
MAX_RANGE_DAYS = 62
# Query parameters shared by several endpoints (module-level: one definition each).
FROM_QUERY = Query(None, alias="from", description="First day; default today")
TO_QUERY = Query(None, alias="to", description="Last day; default from + 13 days")
DAY_QUERY = Query(None, description="Default today")


# --- schemas --------------------------------------------------------------------------------


class FreeSlotOut(Schema):
    id: int
    service: str = Field(description="Service code")
    centre: str = Field(description="Centre code")
    resource: str | None = Field(description="Counter or caseworker, if the slot has one")
    starts_at: datetime
    ends_at: datetime
    capacity: int
    remaining: int = Field(description="Places still free")


class FreeSlotListOut(Schema):
    items: list[FreeSlotOut]
    count: int


class BookingIn(Schema):
    slot_id: int
    service: str = Field(..., max_length=80, description="Service code of the slot")
    citizen_id: int | None = Field(None, description="The citizen, or give cpr or name")
    cpr: str | None = Field(None, max_length=11, description="Alternative to citizen_id")
    name: str = Field("", max_length=200, description="Required without a citizen")
    email: str = Field("", max_length=254, description="For the confirmation")
    phone: str = Field("", max_length=30)
    idempotency_key: str | None = Field(
        None, max_length=100, description="Alternative to the Idempotency-Key header"
    )


class RebookIn(Schema):
    slot_id: int


class CheckInIn(Schema):
    code: str = Field(..., max_length=20, description="The booking code, e.g. KM4TRA")


class BookingOut(Schema):
    id: int
    code: str
    state: str
    service: str
    centre: str
    starts_at: datetime
    ends_at: datetime
    resource: str | None
    citizen_id: int | None
    cpr_masked: str | None = Field(description="DDMMYY-XXXX, when the booking names a citizen")
    name: str = Field(description="The person's name")
    email: str
    phone: str
    created_at: datetime
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    rebooked_from: int | None = Field(description="Id of the booking this one replaced")


class BookingListOut(Schema):
    items: list[BookingOut]
    count: int


class CheckInOut(Schema):
    """What a kiosk may show: no personal data."""

    id: int
    code: str
    state: str
    service: str
    centre: str
    starts_at: datetime


class AttendanceOut(Schema):
    centre: str
    service: str
    day: date
    hour: int = Field(description="Local hour of the booked time")
    booked: int = Field(description="Not cancelled")
    showed: int = Field(description="Checked in or served")
    no_show: int
    open: int = Field(description="Booked, not decided yet")
    cancelled: int


class AttendanceListOut(Schema):
    items: list[AttendanceOut]
    count: int


# --- helpers --------------------------------------------------------------------------------


def _booking_out(booking: Booking) -> dict:
    slot = booking.slot
    return {
        "id": booking.pk,
        "code": booking.code,
        "state": booking.state,
        "service": booking.service.code,
        "centre": slot.centre.code,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "resource": slot.resource.name if slot.resource_id else None,
        "citizen_id": booking.citizen_id,
        "cpr_masked": booking.citizen.cpr_masked if booking.citizen_id else None,
        "name": booking.person_name,
        "email": booking.contact_email,
        "phone": booking.phone,
        "created_at": booking.created_at,
        "cancelled_at": booking.cancelled_at,
        "checked_in_at": booking.checked_in_at,
        "rebooked_from": booking.rebooked_from_id,
    }


def _reloaded(booking_id: int) -> Booking:
    return Booking.objects.select_related(
        "slot", "slot__centre", "slot__resource", "service", "citizen"
    ).get(pk=booking_id)


def _centre(code: str, field: str = "centre") -> ServiceCentre:
    centre = ServiceCentre.objects.filter(code=code).first()
    if centre is None:
        raise NotFound("booking.unknown_centre", _("Unknown centre."), field=field)
    return centre


def _service(code: str) -> Service:
    service = Service.objects.filter(code=code).first()
    if service is None:
        raise NotFound("booking.unknown_service", _("Unknown service."), field="service")
    return service


def _range(start: date | None, end: date | None) -> tuple[date, date]:
    start = start or timezone.localdate()
    end = end or start + timedelta(days=13)
    if end < start:
        raise ServiceError(
            "booking.range_invalid", _("The end date is before the start date."), field="to"
        )
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ServiceError(
            "booking.range_too_long",
            _("Ask for at most %(days)d days at a time."),
            field="to",
            params={"days": MAX_RANGE_DAYS},
        )
    return start, end


def _require_statistics_role(user) -> None:
    if not has_role(user, ANALYST, TEAM_LEAD):
        raise ServiceError(
            "access.denied", _("Only analysts and team leads see these figures."), status=403
        )


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/booking/slots",
    response={200: FreeSlotListOut, 400: ErrorOut, 404: ErrorOut},
    summary="Free time slots of a service at a centre",
)
def slots(
    request: HttpRequest,
    service: str = Query(..., max_length=80, description="Service code"),
    centre: str = Query(..., max_length=40, description="Centre code"),
    start: date | None = FROM_QUERY,
    end: date | None = TO_QUERY,
):
    """Open, future slots with at least one free place, in time order; at most 62 days."""
    reject_unknown_parameters(request, {"service", "centre", "from", "to"})
    first, last = _range(start, end)
    found = selectors.slots_free(
        service=_service(service), centre=_centre(centre), start=first, end=last
    )
    items = [
        {
            "id": f.slot.pk,
            "service": service,
            "centre": centre,
            "resource": f.slot.resource.name if f.slot.resource_id else None,
            "starts_at": f.slot.starts_at,
            "ends_at": f.slot.ends_at,
            "capacity": f.slot.capacity,
            "remaining": f.remaining,
        }
        for f in found
    ]
    return {"items": items, "count": len(items)}


@router.post(
    "/bookings",
    response={200: BookingOut, 201: BookingOut, **ERRORS},
    summary="Book an appointment",
)
def create(
    request: HttpRequest,
    body: BookingIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description="Unique per booking (or the body field)"
    ),
):
    """Book a place in a slot for a citizen (``citizen_id`` or ``cpr``) or a named person.
    An idempotency key is required, in the `Idempotency-Key` header or the body: a retry
    with the same key returns the booking already made (200) instead of a new one (201);
    the same key for another slot is refused (409). A full slot gives 409. The citizen
    gets a confirmation email with a calendar file."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    key = (idempotency_key or body.idempotency_key or "").strip()
    if not key:
        raise ServiceError(
            "booking.idempotency_key_missing",
            _("An idempotency key is required (the Idempotency-Key header)."),
            field="Idempotency-Key",
        )
    service = _service(body.service)
    citizen = None
    if body.cpr:
        citizen = Citizen.objects.filter(cpr=cpr_normalise(body.cpr)).first()
        if citizen is None:
            raise ServiceError(
                "booking.unknown_citizen", _("No citizen has that CPR number."), field="cpr"
            )
    elif body.citizen_id is not None:
        citizen = Citizen.objects.filter(pk=body.citizen_id).first()
        if citizen is None:
            raise ServiceError(
                "booking.unknown_citizen", _("The citizen does not exist."), field="citizen_id"
            )
    existed = Booking.objects.filter(idempotency_key=key).values_list("pk", flat=True).first()
    booking = services.booking_create(
        slot_id=body.slot_id,
        service=service,
        citizen=citizen,
        name=body.name,
        email=body.email,
        phone=body.phone,
        idempotency_key=key,
        by_user=request.user,
    )
    return Status(200 if existed == booking.pk else 201, _booking_out(_reloaded(booking.pk)))


@router.post(
    "/bookings/check-in",
    response={200: CheckInOut, **ERRORS},
    summary="Check in with the booking code",
)
def check_in(request: HttpRequest, body: CheckInIn):
    """On the booked day from 30 minutes before the time until 15 minutes after it (the
    settings); checking in twice answers the same. Too early or too late gives 409. The
    answer carries no personal data, so a kiosk may show it."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    booking = services.booking_check_in(code=body.code)
    booking = _reloaded(booking.pk)
    return {
        "id": booking.pk,
        "code": booking.code,
        "state": booking.state,
        "service": booking.service.code,
        "centre": booking.slot.centre.code,
        "starts_at": booking.slot.starts_at,
    }


@router.get(
    "/bookings/{booking_id}",
    response={200: BookingOut, 403: ErrorOut, 404: ErrorOut},
    summary="One booking (audited)",
)
def detail(request: HttpRequest, booking_id: int):
    """The booking with the person it is for; writes an audit entry when it names a
    citizen."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    booking = selectors.booking_get_for_view(
        user=request.user, booking_id=booking_id, channel="api"
    )
    return _booking_out(booking)


@router.post(
    "/bookings/{booking_id}/rebook",
    response={201: BookingOut, **ERRORS},
    summary="Move a booking to another slot",
)
def rebook(request: HttpRequest, booking_id: int, body: RebookIn):
    """A new booking (new code) on the new slot replaces the old one, which is cancelled;
    if the new slot is refused nothing changes. The citizen gets one email whose calendar
    file moves the event."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    new = services.booking_rebook(booking_id=booking_id, slot_id=body.slot_id, by_user=request.user)
    return Status(201, _booking_out(_reloaded(new.pk)))


@router.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **ERRORS},
    summary="Cancel a booking",
)
def cancel(request: HttpRequest, booking_id: int):
    """The place is freed and the citizen gets a cancellation email; a booking that is
    not in state booked gives 409."""
    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    booking = services.booking_cancel(booking_id=booking_id, by_user=request.user)
    return _booking_out(_reloaded(booking.pk))


@router.get(
    "/centres/{centre}/bookings",
    response={200: BookingListOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A centre's bookings of a day (audited)",
)
def for_day(
    request: HttpRequest,
    centre: str,
    day: date | None = DAY_QUERY,
):
    """Every booking of the day at the centre, cancelled ones too, in time order; one
    audit entry lists the citizens."""
    reject_unknown_parameters(request, {"day"})
    require_person_role(request.user)
    bookings = selectors.bookings_for_day(
        user=request.user,
        centre=_centre(centre),
        day=day or timezone.localdate(),
        channel="api",
    )
    return {"items": [_booking_out(b) for b in bookings], "count": len(bookings)}


@router.get(
    "/booking/attendance",
    response={200: AttendanceListOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Show and no-show facts of bookings",
)
def attendance(
    request: HttpRequest,
    start: date | None = FROM_QUERY,
    end: date | None = TO_QUERY,
    centre: str | None = Query(None, max_length=40, description="Only this centre"),
):
    """Per centre, service, day and hour of the booked time: booked, showed, no-show, open
    and cancelled. No personal data; for analysts and team leads."""
    reject_unknown_parameters(request, {"from", "to", "centre"})
    _require_statistics_role(request.user)
    first, last = _range(start, end)
    rows = selectors.booking_attendance(
        start=first, end=last, centre=_centre(centre) if centre else None
    )
    centres = dict(ServiceCentre.objects.values_list("id", "code"))
    codes = dict(
        Service.objects.filter(pk__in={r["service_id"] for r in rows}).values_list("id", "code")
    )
    items = [
        {
            "centre": centres[r["slot__centre_id"]],
            "service": codes[r["service_id"]],
            "day": r["day"],
            "hour": r["hour"],
            "booked": r["booked"],
            "showed": r["showed"],
            "no_show": r["no_show"],
            "open": r["open"],
            "cancelled": r["cancelled"],
        }
        for r in rows
    ]
    return {"items": items, "count": len(items)}
