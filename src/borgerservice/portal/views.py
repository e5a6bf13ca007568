"""Min side's pages for the logged-in citizen, and its public pages (guide, service, help).

Thin: each view parses the request, calls a selector scoped to ``request.citizen`` (or
a service that acts on the citizen's behalf) and renders. Every page with personal data
writes one audit entry (``audit_portal_read``). Someone else's case, document, letter or
appointment is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from borgerservice.analytics.survey import survey_offers
from borgerservice.booking import selectors as booking_selectors
from borgerservice.booking import services as booking_services
from borgerservice.booking.views import (
    FormError,
    form_error_for,
    may_change,
    positive_int,
    rebook_posted,
    slot_choice,
    week_url,
)
from borgerservice.cases.messages import message_from_citizen
from borgerservice.catalogue.models import LifeSituation, Service
from borgerservice.catalogue.selectors import service_filters_parse, service_search
from borgerservice.core.errors import ServiceError
from borgerservice.selfservice.selectors import forms_available

from . import selectors, services
from .auth import citizen_required, portal_actor, private_when_logged_in


def _not_found(exc: ServiceError):
    raise Http404(exc.message) from exc


def _forms_by_service() -> dict[int, object]:
    """Active self-service forms by service id."""
    return {form.service_id: form for form in forms_available()}


def _apply_url(service_code: str) -> str:
    return reverse("selfservice:start", kwargs={"service_code": service_code})


# --- overview and cases -------------------------------------------------------------------


@require_safe
@citizen_required
def overview(request: HttpRequest) -> HttpResponse:
    data = selectors.overview_for_citizen(request.citizen)
    selectors.audit_portal_read(request, "overview")
    return render(request, "portal/overview.html", {"data": data})


@require_safe
@citizen_required
def cases(request: HttpRequest) -> HttpResponse:
    rows = selectors.case_rows(request.citizen)
    selectors.audit_portal_read(request, "my cases")
    return render(
        request,
        "portal/cases.html",
        {
            "open_rows": [r for r in rows if r.is_open],
            "closed_rows": [r for r in rows if not r.is_open],
        },
    )


def _case_page(request: HttpRequest, number: str, *, errors=None, text: str = "", status=200):
    try:
        detail = selectors.case_for_citizen(request.citizen, number)
    except ServiceError as exc:
        _not_found(exc)
    selectors.audit_portal_read(request, f"case {detail.case.number}")
    return render(
        request,
        "portal/case.html",
        {"detail": detail, "case": detail.case, "errors": errors or [], "message_text": text},
        status=status,
    )


@require_safe
@citizen_required
def case(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, number)


@require_POST
@citizen_required
def case_message(request: HttpRequest, number: str) -> HttpResponse:
    """Write to the caseworker on one's own case."""
    text = request.POST.get("text", "")
    try:
        detail_case = selectors.case_for_citizen(request.citizen, number).case
    except ServiceError as exc:
        _not_found(exc)
    try:
        message_from_citizen(citizen=request.citizen, case_id=detail_case.pk, text=text)
    except ServiceError as exc:
        error = {"field": "message-text", "message": exc.message}
        return _case_page(request, number, errors=[error], text=text, status=400)
    messages.success(request, _("Your message has been sent to the caseworker."))
    return redirect(reverse("portal:case", kwargs={"number": number}) + "#messages")


@require_safe
@citizen_required
def case_document(request: HttpRequest, number: str, version_id: int) -> HttpResponse:
    try:
        version = selectors.document_version_for_citizen(request.citizen, number, version_id)
    except ServiceError as exc:
        _not_found(exc)
    selectors.audit_portal_read(request, f"document {version.document_id} on case {number}")
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.filename,
        content_type=version.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- appointments ---------------------------------------------------------------------------


@require_safe
@citizen_required
def appointments(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = selectors.appointments_for_citizen(request.citizen, now=now)
    upcoming = [b for b in rows if b.state == "booked" and b.slot.starts_at >= now]
    upcoming.sort(key=lambda b: b.slot.starts_at)
    earlier = [b for b in rows if b not in upcoming]
    for booking in rows:
        booking.may_change = may_change(booking)
    selectors.audit_portal_read(request, "my appointments")
    return render(request, "portal/appointments.html", {"upcoming": upcoming, "earlier": earlier})


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Book a time: service → centre → free time → contact details → book."""
    source = request.POST if request.method == "POST" else request.GET
    errors: list = []
    bookable = booking_selectors.bookable_services()
    service = None
    code = source.get("service", "").strip()
    if code:
        service = bookable.filter(code=code).first()
        if service is None:
            errors.append(FormError(_("Choose a service from the list."), "service"))
    citizen = request.citizen
    preference = services.preference_for(citizen)
    if request.method == "POST" and not errors:
        booking = _book(request, service, errors)
        if booking is not None:
            messages.success(
                request,
                _("Your appointment is booked. Your booking code is %(code)s.")
                % {"code": booking.code},
            )
            return redirect("portal:appointments")
    choice = slot_choice(request, source, service, errors)
    params = {
        "service": service.code if service else "",
        "centre": choice["centre"].code if choice["centre"] else "",
    }
    context = {
        "errors": errors,
        "services": bookable,
        "service": service,
        "email": source.get("email", preference.email or citizen.email),
        "phone": source.get("phone", preference.phone or citizen.phone),
        "later_url": week_url("portal:appointment_new", [], **params, **{"from": choice["later"]})
        + "#slots",
        "earlier_url": week_url(
            "portal:appointment_new", [], **params, **{"from": choice["earlier"]}
        )
        + "#slots"
        if choice["earlier"]
        else "",
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        **choice,
    }
    return render(request, "portal/appointment_new.html", context, status=400 if errors else 200)


def _book(request: HttpRequest, service, errors: list):
    post = request.POST
    if service is None:
        errors.append(FormError(_("Choose a service from the list."), "service"))
        return None
    slot_id = positive_int(post.get("slot", ""))
    if slot_id is None:
        errors.append(FormError(_("Choose a free time."), "slots"))
        return None
    citizen = request.citizen
    try:
        return booking_services.booking_create(
            slot_id=slot_id,
            service=service,
            citizen=citizen,
            name=f"{citizen.first_name} {citizen.last_name}",
            email=post.get("email", ""),
            phone=post.get("phone", ""),
            idempotency_key=post.get("idempotency_key") or None,
            by_user=portal_actor(),
        )
    except ServiceError as exc:
        errors.append(form_error_for(exc))
        return None


def _own_booking(request: HttpRequest, code: str):
    try:
        return selectors.appointment_for_citizen(request.citizen, code)
    except ServiceError as exc:
        _not_found(exc)


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def appointment_rebook(request: HttpRequest, code: str) -> HttpResponse:
    booking = _own_booking(request, code)
    errors: list = []
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        new = rebook_posted(
            request.POST,
            booking,
            by_user=portal_actor(),
            errors=errors,
            too_late=_("This appointment can no longer be moved."),
        )
        if new is not None:
            messages.success(
                request,
                _("Your appointment is moved. Your new booking code is %(code)s.")
                % {"code": new.code},
            )
            return redirect("portal:appointments")
    offered = booking_selectors.centres_for_service(booking.service)
    if not source.get("centre") and offered.filter(pk=booking.slot.centre_id).exists():
        source = source.copy()
        source["centre"] = booking.slot.centre.code
    choice = slot_choice(request, source, booking.service, errors)
    centre_code = choice["centre"].code if choice["centre"] else ""
    selectors.audit_portal_read(request, f"appointment {booking.code}")
    context = {
        "errors": errors,
        "booking": booking,
        "may_change": may_change(booking),
        "later_url": week_url(
            "portal:appointment_rebook",
            [booking.code],
            centre=centre_code,
            **{"from": choice["later"]},
        )
        + "#slots",
        "earlier_url": week_url(
            "portal:appointment_rebook",
            [booking.code],
            centre=centre_code,
            **{"from": choice["earlier"]},
        )
        + "#slots"
        if choice["earlier"]
        else "",
        **choice,
    }
    return render(request, "portal/appointment_rebook.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def appointment_cancel(request: HttpRequest, code: str) -> HttpResponse:
    booking = _own_booking(request, code)
    errors: list = []
    if request.method == "POST" and not may_change(booking):
        errors.append(FormError(_("This appointment can no longer be cancelled.")))
    elif request.method == "POST":
        try:
            booking_services.booking_cancel(booking_id=booking.pk, by_user=portal_actor())
        except ServiceError as exc:
            errors.append(FormError(exc.message))
        else:
            messages.success(request, _("Your appointment is cancelled."))
            return redirect("portal:appointments")
    selectors.audit_portal_read(request, f"appointment {booking.code}")
    return render(
        request,
        "portal/appointment_cancel.html",
        {"errors": errors, "booking": booking, "may_change": may_change(booking)},
        status=400 if errors else 200,
    )


# --- contacts, letters, who has looked, my data ----------------------------------------------


@require_safe
@citizen_required
def contacts(request: HttpRequest) -> HttpResponse:
    rows = selectors.contacts_for_citizen(request.citizen, limit=500)
    # The satisfaction survey is offered for recent contacts not answered yet.
    offers = survey_offers(rows)
    for row in rows:
        row.survey_url = offers.get(row.pk, "")
    selectors.audit_portal_read(request, "my contacts")
    return render(request, "portal/contacts.html", {"contacts": rows})


@require_safe
@citizen_required
def letters(request: HttpRequest) -> HttpResponse:
    rows = selectors.letters_for_citizen(request.citizen, limit=500)
    selectors.audit_portal_read(request, "my letters")
    return render(request, "portal/letters.html", {"letters": rows})


@require_safe
@citizen_required
def letter(request: HttpRequest, letter_id: int) -> HttpResponse:
    try:
        item = selectors.letter_for_citizen(request.citizen, letter_id)
    except ServiceError as exc:
        _not_found(exc)
    selectors.audit_portal_read(request, f"letter {item.pk}")
    return render(request, "portal/letter.html", {"letter": item})


@require_safe
@citizen_required
def access_log(request: HttpRequest) -> HttpResponse:
    entries = selectors.access_log_for_citizen(request.citizen)
    selectors.audit_portal_read(request, "who has looked at my data")
    return render(request, "portal/access_log.html", {"entries": entries})


@require_safe
@citizen_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/my_data.html")


@require_POST
@citizen_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    export = services.my_data_export(citizen=request.citizen)
    response = FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type=export.content_type
    )
    if export.size:
        response["Content-Length"] = str(export.size)
    return response


# --- preferences ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def preferences(request: HttpRequest) -> HttpResponse:
    citizen = request.citizen
    preference = services.preference_for(citizen)
    errors: list = []
    form = {
        "language": preference.language,
        "notify_by": preference.notify_by,
        "email": preference.email,
        "phone": preference.phone,
    }
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip() for key in form}
        try:
            preference = services.preference_update(citizen=citizen, **form)
        except ServiceError as exc:
            errors.append({"field": exc.field or "language", "message": exc.message})
        else:
            messages.success(request, _("Your settings are saved."))
            translation.activate(preference.language)
            response = redirect(translate_url(reverse("portal:preferences"), preference.language))
            from django.conf import settings

            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                preference.language,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
    else:
        selectors.audit_portal_read(request, "settings")
    from .models import CitizenPreference

    return render(
        request,
        "portal/preferences.html",
        {
            "errors": errors,
            "form": form,
            "notify_choices": CitizenPreference.NotifyBy.choices,
            "digital_post_exempt": citizen.digital_post_exempt,
        },
        status=400 if errors else 200,
    )


# --- public pages: the guide, a service, help --------------------------------------------------


@require_safe
@private_when_logged_in
def guide(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:200]
    results = None
    errors = []
    if query:
        try:
            results = list(service_search(service_filters_parse(q=query))[:20])
        except ServiceError as exc:
            errors.append({"field": "guide-q", "message": exc.message})
    situations = LifeSituation.objects.order_by("sort_order", "code")
    return render(
        request,
        "portal/guide.html",
        {
            "q": query,
            "results": results,
            "errors": errors,
            "situations": situations,
            "forms": _forms_by_service(),
        },
        status=400 if errors else 200,
    )


@require_safe
@private_when_logged_in
def guide_situation(request: HttpRequest, code: str) -> HttpResponse:
    situation = LifeSituation.objects.filter(code=code).first()
    if situation is None:
        raise Http404
    services_list = list(situation.services.select_related("department").order_by("name_da"))
    return render(
        request,
        "portal/guide_situation.html",
        {"situation": situation, "services": services_list, "forms": _forms_by_service()},
    )


@require_safe
@private_when_logged_in
def service(request: HttpRequest, code: str) -> HttpResponse:
    item = Service.objects.select_related("department", "area").filter(code=code).first()
    if item is None:
        raise Http404
    forms = _forms_by_service()
    bookable = booking_selectors.bookable_services().filter(pk=item.pk).exists()
    return render(
        request,
        "portal/service.html",
        {
            "service": item,
            "apply_url": _apply_url(item.code) if item.pk in forms else "",
            "book_url": reverse("portal:appointment_new") + "?" + urlencode({"service": item.code})
            if bookable
            else "",
            "situations": item.life_situations.order_by("sort_order"),
        },
    )


@require_safe
@private_when_logged_in
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


@require_safe
@private_when_logged_in
def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/cookies.html")
