"""Staff pages for appointments: a centre's day list, booking for a citizen, one booking,
rebooking and cancelling.

Only the person roles reach them. Every form works without JavaScript: choosing the
service, the centre and the week are GET forms that redraw the page; booking, rebooking
and cancelling are POST forms that redirect with a message on success and on bad input
show the page again with the error summary, status 400 and nothing changed (the services
raise before they write). Pages that show a person are audited by the selectors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from borgerservice.accounts.access import may_open_persons
from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.citizens.cpr import cpr_normalise
from borgerservice.citizens.models import Citizen
from borgerservice.core.errors import ServiceError

from . import selectors, services
from .models import Booking
from .workflow import State, can_transition

#: How many days of free slots one page shows; "Later times" moves on by as many.
DAYS_SHOWN = 7
#: How far ahead the day list and the slot choice may be moved.
MAX_DAYS_AHEAD = 400


@dataclass(frozen=True)
class FormError:
    """One line of the error summary; ``field`` is the id of the input it links to."""

    message: str
    field: str | None = None


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _parse_day(value: str, field: str, errors: list) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors.append(FormError(_("Write the date as YYYY-MM-DD, for example 2026-12-01."), field))
        return None
    today = timezone.localdate()
    if abs((day - today).days) > MAX_DAYS_AHEAD:
        errors.append(FormError(_("Choose a date within a year from today."), field))
        return None
    return day


def _service_centres():
    return ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE).order_by(
        "sort_order", "code"
    )


def _own_centre(user, centres: list[ServiceCentre]) -> ServiceCentre | None:
    profile = getattr(user, "staff_profile", None)
    centre_id = getattr(profile, "centre_id", None)
    for centre in centres:
        if centre.pk == centre_id:
            return centre
    return centres[0] if centres else None


def _slot_days(free: list[selectors.FreeSlot]) -> list[tuple[date, list[selectors.FreeSlot]]]:
    """Free slots grouped by their local day, in order."""
    return [
        (day, list(items))
        for day, items in groupby(free, key=lambda f: timezone.localdate(f.slot.starts_at))
    ]


def positive_int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


def may_change(booking: Booking) -> bool:
    return can_transition(booking.state, State.CANCELLED) and booking.slot.starts_at > (
        timezone.now()
    )


# --- the day list -------------------------------------------------------------------------


@require_safe
@login_required
def day(request: HttpRequest) -> HttpResponse:
    """The bookings of one centre on one day (``?centre=<code>&day=YYYY-MM-DD``)."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    errors: list[FormError] = []
    centres = list(_service_centres())
    centre = _own_centre(request.user, centres)
    code = request.GET.get("centre", "").strip()
    if code:
        chosen = next((c for c in centres if c.code == code), None)
        if chosen is None:
            errors.append(FormError(_("Choose a centre from the list."), "centre"))
        else:
            centre = chosen
    shown = _parse_day(request.GET.get("day", ""), "day", errors) or timezone.localdate()
    bookings = (
        selectors.bookings_for_day(user=request.user, centre=centre, day=shown)
        if centre is not None
        else []
    )
    base = reverse("booking:day")

    def day_url(other: date) -> str:
        return f"{base}?{urlencode({'centre': centre.code if centre else '', 'day': other})}"

    context = {
        "errors": errors,
        "centres": centres,
        "centre": centre,
        "day": shown,
        "bookings": bookings,
        "active_count": sum(1 for b in bookings if b.state != State.CANCELLED),
        "previous_url": day_url(shown - timedelta(days=1)),
        "next_url": day_url(shown + timedelta(days=1)),
        "new_url": reverse("booking:new") + "?" + urlencode({"centre": centre.code})
        if centre
        else reverse("booking:new"),
    }
    return render(request, "booking/day.html", context, status=400 if errors else 200)


# --- choosing a free slot (shared by booking and rebooking) ---------------------------------


def slot_choice(request: HttpRequest, source, service: Service | None, errors: list) -> dict:
    """The centre and week chosen in ``source`` and the free slots there."""
    centres = list(selectors.centres_for_service(service)) if service else []
    centre = None
    code = source.get("centre", "").strip()
    if code:
        centre = next((c for c in centres if c.code == code), None)
        if centre is None:
            errors.append(FormError(_("Choose a centre that offers the service."), "centre"))
    elif len(centres) == 1:
        centre = centres[0]
    today = timezone.localdate()
    start = _parse_day(source.get("from", ""), "from", errors) or today
    start = max(start, today)
    end = start + timedelta(days=DAYS_SHOWN - 1)
    free = (
        selectors.slots_free(service=service, centre=centre, start=start, end=end)
        if service and centre
        else []
    )
    return {
        "centres": centres,
        "centre": centre,
        "start": start,
        "end": end,
        "slot_days": _slot_days(free),
        "later": (end + timedelta(days=1)).isoformat(),
        "earlier": (start - timedelta(days=DAYS_SHOWN)).isoformat() if start > today else "",
        "chosen_slot": source.get("slot", ""),
    }


def week_url(name: str, args: list, **params) -> str:
    return reverse(name, args=args) + "?" + urlencode({k: v for k, v in params.items() if v})


# --- booking for a citizen ------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def new(request: HttpRequest) -> HttpResponse:
    """Book an appointment: service → centre → free time → the person."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    source = request.POST if request.method == "POST" else request.GET
    errors: list[FormError | ServiceError] = []
    service = None
    service_code = source.get("service", "").strip()
    if service_code:
        service = selectors.bookable_services().filter(code=service_code).first()
        if service is None:
            errors.append(FormError(_("Choose a service from the list."), "service"))
    citizen = None
    citizen_id = positive_int(source.get("citizen", ""))
    if citizen_id:
        # Only the name and masked CPR of the citizen picked from an audited search.
        citizen = (
            Citizen.objects.filter(pk=citizen_id)
            .only("id", "first_name", "last_name", "cpr", "email", "phone")
            .first()
        )
    if request.method == "POST" and not errors:
        booking = _create(request, service, citizen, errors)
        if booking is not None:
            messages.success(
                request,
                _("The appointment is booked. The booking code is %(code)s.")
                % {"code": booking.code},
            )
            return redirect("booking:detail", booking_id=booking.pk)
    choice = slot_choice(request, source, service, errors)
    params = {
        "service": service.code if service else "",
        "centre": choice["centre"].code if choice["centre"] else "",
        "citizen": citizen.pk if citizen else "",
    }
    context = {
        "errors": errors,
        "form": source,
        "services": selectors.bookable_services(),
        "service": service,
        "citizen": citizen,
        "cpr": source.get("cpr", ""),
        "later_url": week_url("booking:new", [], **params, **{"from": choice["later"]}),
        "earlier_url": week_url("booking:new", [], **params, **{"from": choice["earlier"]})
        if choice["earlier"]
        else "",
        # A fresh key per form: a double submit books one appointment.
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        **choice,
    }
    return render(request, "booking/new.html", context, status=400 if errors else 200)


def _create(request: HttpRequest, service, citizen, errors: list) -> Booking | None:
    post = request.POST
    if service is None:
        errors.append(FormError(_("Choose a service from the list."), "service"))
        return None
    slot_id = positive_int(post.get("slot", ""))
    if slot_id is None:
        errors.append(FormError(_("Choose a free time."), "slots"))
    cpr = post.get("cpr", "").strip()
    if citizen is None and cpr:
        try:
            normalised = cpr_normalise(cpr)
        except ServiceError as exc:
            errors.append(exc)
        else:
            citizen = Citizen.objects.filter(cpr=normalised).first()
            if citizen is None:
                errors.append(FormError(_("No citizen has that CPR number."), "cpr"))
    if errors:
        return None
    email = post.get("email", "").strip()
    try:
        return services.booking_create(
            slot_id=slot_id,
            service=service,
            citizen=citizen,
            name=post.get("name", ""),
            email=email,
            phone=post.get("phone", ""),
            idempotency_key=post.get("idempotency_key") or None,
            by_user=request.user,
        )
    except ServiceError as exc:
        errors.append(form_error_for(exc))
        return None


def form_error_for(exc: ServiceError) -> FormError:
    """The service names its fields as the API does; link them to the inputs of the page."""
    field = {"slot_id": "slots", None: None}.get(exc.field, exc.field)
    if exc.code in {"slot_full", "slot_inactive", "slot_in_past", "already_booked"}:
        field = "slots"
    return FormError(exc.message, field)


# --- one booking ----------------------------------------------------------------------------


def _booking_for_view(request: HttpRequest, booking_id: int) -> Booking:
    try:
        return selectors.booking_get_for_view(user=request.user, booking_id=booking_id)
    except ServiceError as exc:
        raise Http404(exc.message) from exc


@require_safe
@login_required
def detail(request: HttpRequest, booking_id: int) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    booking = _booking_for_view(request, booking_id)
    rebooked_to = Booking.objects.filter(rebooked_from=booking).only("id", "code").first()
    return render(
        request,
        "booking/detail.html",
        {
            "booking": booking,
            "rebooked_to": rebooked_to,
            "may_change": may_change(booking),
            "day_url": reverse("booking:day")
            + "?"
            + urlencode(
                {
                    "centre": booking.slot.centre.code,
                    "day": timezone.localdate(booking.slot.starts_at),
                }
            ),
        },
    )


def rebook_posted(post, booking: Booking, *, by_user, errors: list, too_late: str):
    """Move ``booking`` to the slot chosen in the posted form; errors go to ``errors``
    (and nothing changes). Shared by the staff page and Min side."""
    if not may_change(booking):
        errors.append(FormError(too_late))
        return None
    slot_id = positive_int(post.get("slot", ""))
    if slot_id is None:
        errors.append(FormError(_("Choose a free time."), "slots"))
        return None
    try:
        return services.booking_rebook(booking_id=booking.pk, slot_id=slot_id, by_user=by_user)
    except ServiceError as exc:
        errors.append(form_error_for(exc))
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rebook(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Move the booking to another free time of the same service (any centre offering it)."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    booking = _booking_for_view(request, booking_id)
    errors: list[FormError] = []
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        new_booking = rebook_posted(
            request.POST,
            booking,
            by_user=request.user,
            errors=errors,
            too_late=_("This booking can no longer be moved."),
        )
        if new_booking is not None:
            messages.success(
                request,
                _("The appointment is moved. The new booking code is %(code)s.")
                % {"code": new_booking.code},
            )
            return redirect("booking:detail", booking_id=new_booking.pk)
    if not source.get("centre"):
        source = source.copy()
        source["centre"] = booking.slot.centre.code
    choice = slot_choice(request, source, booking.service, errors)
    centre_code = choice["centre"].code if choice["centre"] else ""
    context = {
        "errors": errors,
        "booking": booking,
        "may_change": may_change(booking),
        "later_url": week_url(
            "booking:rebook", [booking.pk], centre=centre_code, **{"from": choice["later"]}
        ),
        "earlier_url": week_url(
            "booking:rebook", [booking.pk], centre=centre_code, **{"from": choice["earlier"]}
        )
        if choice["earlier"]
        else "",
        **choice,
    }
    return render(request, "booking/rebook.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Ask for confirmation (GET), then cancel (POST); the seat is freed."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    booking = _booking_for_view(request, booking_id)
    errors: list[FormError] = []
    if request.method == "POST" and not may_change(booking):
        errors.append(FormError(_("This booking can no longer be cancelled.")))
    elif request.method == "POST":
        try:
            services.booking_cancel(booking_id=booking.pk, by_user=request.user)
        except ServiceError as exc:
            errors.append(FormError(exc.message))
        else:
            messages.success(request, _("The appointment is cancelled."))
            return redirect("booking:detail", booking_id=booking.pk)
    return render(
        request,
        "booking/cancel.html",
        {"errors": errors, "booking": booking, "may_change": may_change(booking)},
        status=400 if errors else 200,
    )
