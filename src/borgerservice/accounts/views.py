"""The audit log for auditors: who looked at which citizen, when and why."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from borgerservice.citizens.cpr import cpr_normalise
from borgerservice.citizens.models import Citizen
from borgerservice.core.errors import ServiceError

from .audit import audit_entries_for_actor, audit_entries_for_citizen, audit_record
from .roles import AUDITOR, has_role

PAGE_SIZE = 50


@require_safe
@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, AUDITOR):
        return render(request, "403.html", status=403)
    cpr = request.GET.get("cpr", "").strip()
    username = request.GET.get("staff", "").strip()
    errors, page, subject = [], None, None
    try:
        if cpr:
            subject = Citizen.objects.filter(cpr=cpr_normalise(cpr)).first()
            if subject is None:
                raise ServiceError(
                    "audit.no_citizen", _("No citizen has that CPR number."), field="cpr"
                )
            entries = audit_entries_for_citizen(subject.pk)
            # An auditor looking up a citizen's log is itself a read of personal data.
            audit_record(
                actor=request.user,
                action="view",
                what="audit log of the citizen",
                citizen_ids=[subject.pk],
                reason="audit",
            )
        elif username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise ServiceError(
                    "audit.no_staff", _("No staff member has that username."), field="staff"
                )
            entries = audit_entries_for_actor(actor.pk)
        else:
            entries = None
        if entries is not None:
            page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    except ServiceError as exc:
        errors.append(exc)
    return render(
        request,
        "accounts/audit.html",
        {"errors": errors, "page": page, "subject": subject, "cpr": cpr, "staff": username},
        status=400 if errors else 200,
    )
