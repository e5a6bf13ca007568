"""Registering a contact in the staff workplace: citizen, service, outcome, done."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from borgerservice.accounts.access import may_open_persons
from borgerservice.catalogue import selectors as catalogue_selectors
from borgerservice.catalogue.models import Department, Service, ServiceCentre
from borgerservice.citizens.models import Citizen
from borgerservice.core.channels import Channel
from borgerservice.core.errors import ServiceError

from .models import Contact
from .services import ContactInput, contact_register


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def register(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return render(request, "403.html", status=403)
    source = request.POST if request.method == "POST" else request.GET
    citizen = None
    citizen_id = source.get("citizen", "")
    if citizen_id.isdigit():
        # Only the name and masked CPR of the citizen the user picked from an audited search.
        citizen = (
            Citizen.objects.filter(pk=int(citizen_id))
            .only("id", "first_name", "last_name", "cpr")
            .first()
        )
    errors: list[ServiceError] = []
    if request.method == "POST":
        data = ContactInput(
            channel=request.POST.get("channel", ""),
            outcome=request.POST.get("outcome", ""),
            services=[code for code in request.POST.getlist("services") if code],
            citizen_id=citizen.pk if citizen else None,
            cpr=(request.POST.get("cpr") or None) if citizen is None else None,
            centre=request.POST.get("centre") or None,
            handed_over_to=request.POST.get("handed_over_to") or None,
            forwarded_to=request.POST.get("forwarded_to", ""),
            citizen_informed=request.POST.get("citizen_informed") == "on",
            could_be_digital=request.POST.get("could_be_digital") == "on",
            note=request.POST.get("note", ""),
        )
        try:
            contact, _created = contact_register(
                user=request.user,
                data=data,
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except ServiceError as exc:
            errors.append(exc)
        else:
            messages.success(request, _("The contact is registered."))
            if contact.outcome == Contact.Outcome.REFERRED_SELF_SERVICE:
                # Referred to self-service: the next step is sending the link.
                return redirect("contacts:link_send", contact_id=contact.pk)
            if contact.citizen_id:
                return redirect("citizens:detail", citizen_id=contact.citizen_id)
            return redirect("contacts:register")
    selected = list(
        Service.objects.filter(code__in=source.getlist("services")).select_related("department")
    )
    service_q = source.get("service_q", "").strip()
    options = []
    if service_q:
        try:
            found = catalogue_selectors.service_search(
                catalogue_selectors.service_filters_parse(q=service_q)
            )
            options = [s for s in found[:8] if s not in selected]
        except ServiceError as exc:
            errors.append(exc)
    context = {
        "service_q": service_q,
        "service_options": options,
        "cpr": source.get("cpr", ""),
        "citizen": citizen,
        "errors": errors,
        "form": source,
        "selected_services": selected,
        "channels": Channel.choices,
        "outcomes": Contact.Outcome.choices,
        "centres": ServiceCentre.objects.order_by("sort_order"),
        "departments": Department.objects.filter(kind__in=["current", "external"]),
        # A fresh key per form: a double submit or a retried POST registers one contact.
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
    }
    if request.headers.get("HX-Target") == "service-options":
        return render(request, "contacts/register.html#service-options", context)
    return render(request, "contacts/register.html", context, status=400 if errors else 200)


# --- Channel shift: a link to the self-service -----------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def link_send(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Send the citizen of a contact a link to the self-service of one of its services.

    GET shows the form (the services of the contact, email or text message, the address
    with the citizen's own as default, shown masked) and the links sent from the contact;
    POST sends and goes back to the citizen's page (or shows the form again with the
    error summary, status 400, nothing sent).
    """
    from django.http import Http404

    from borgerservice.accounts.audit import audit_record
    from borgerservice.core.errors import NotFound

    from . import links
    from .models import SelfServiceLink

    if not may_open_persons(request.user):
        return render(request, "403.html", status=403)
    try:
        contact = links._contact_for(request.user, contact_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError:
        # No purpose for the citizen (a contact someone else registered): the citizen's
        # page asks for one.
        citizen_id = Contact.objects.filter(pk=contact_id).values_list("citizen_id", flat=True)
        return redirect("citizens:detail", citizen_id=citizen_id.first())
    errors: list[dict] = []
    if request.method == "POST":
        raw_service = request.POST.get("service", "").strip()
        try:
            if not raw_service.isdigit():
                raise ServiceError(
                    "link.bad_service", _("Choose one of the contact's services."), field="service"
                )
            links.link_send(
                user=request.user,
                contact_id=contact.pk,
                service_id=int(raw_service),
                via=request.POST.get("via", ""),
                to=request.POST.get("to", "")[:200] or None,
                base_url=request.build_absolute_uri("/"),
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except ServiceError as exc:
            errors.append({"field": _LINK_FIELDS.get(exc.field or ""), "message": exc.message})
        else:
            messages.success(request, _("The link to the self-service is sent."))
            if contact.citizen_id:
                return redirect("citizens:detail", citizen_id=contact.citizen_id)
            return redirect("contacts:link_send", contact_id=contact.pk)
    services = list(contact.services.order_by("name_da"))
    addresses = links.default_addresses(contact.citizen)
    sent = links.links_for_contact(contact=contact)
    if contact.citizen_id:
        audit_record(
            actor=request.user,
            action="view",
            what=f"contact {contact.pk}: self-service links",
            citizen_ids=[contact.citizen_id],
            reason=f"contact:{contact.pk}",
        )
    form = request.POST if request.method == "POST" else {}
    context = {
        "contact": contact,
        "citizen": contact.citizen,
        "services": services,
        "chosen_service": form.get("service", "") or (str(services[0].pk) if services else ""),
        "via_choices": SelfServiceLink.Via.choices,
        "chosen_via": form.get("via", "") or ("email" if addresses["email"] else "sms"),
        "to": form.get("to", ""),
        "masked": {
            "email": links.mask_email(addresses["email"]) if addresses["email"] else "",
            "sms": links.mask_phone(addresses["sms"]) if addresses["sms"] else "",
        },
        "sent_links": sent,
        "errors": errors,
        "field_errors": {e["field"]: e["message"] for e in errors if e["field"]},
    }
    return render(request, "contacts/link_send.html", context, status=400 if errors else 200)


# The input each service error is about (the error summary links to its id).
_LINK_FIELDS = {"service": "service", "via": "via", "to": "to"}
