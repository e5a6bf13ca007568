"""Staff pages for citizens: search, the one view, and revealing the full CPR number."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from borgerservice.accounts.access import (
    may_open_persons,
    purpose_active,
    purpose_grant_reason,
    purpose_require,
)
from borgerservice.accounts.audit import audit_record
from borgerservice.core.errors import NotFound, ServiceError

from . import selectors
from .cpr import cpr_format
from .models import Citizen


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


@require_safe
@login_required
def search(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    query = request.GET.get("q", "").strip()
    errors, results = [], None
    if query:
        try:
            results = selectors.citizen_search(user=request.user, query=query)
        except ServiceError as exc:
            errors.append(exc)
    context = {"query": query, "results": results, "errors": errors}
    return render(request, "citizens/search.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def detail(request: HttpRequest, citizen_id: int) -> HttpResponse:
    """The one view. Without a purpose the page asks for one and shows no personal data."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    errors = []
    purpose = None if request.method == "POST" else purpose_active(request.user, citizen_id)
    if purpose is None and not Citizen.objects.filter(pk=citizen_id).exists():
        raise Http404
    if request.method == "POST":
        try:
            purpose_grant_reason(
                user=request.user, citizen_id=citizen_id, reason=request.POST.get("reason", "")
            )
            return redirect("citizens:detail", citizen_id=citizen_id)
        except ServiceError as exc:
            errors.append(exc)
    if errors or purpose is None:
        return render(
            request,
            "citizens/purpose.html",
            {"citizen_id": citizen_id, "errors": errors, "reason": request.POST.get("reason", "")},
            status=400 if errors else 200,
        )
    try:
        view = selectors.citizen_get_for_view(
            user=request.user, citizen_id=citizen_id, purpose=purpose
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "citizens/detail.html", {"view": view, "citizen": view.citizen})


@require_POST
@login_required
def reveal_cpr(request: HttpRequest, citizen_id: int) -> HttpResponse:
    """Show the full CPR number once, for a stated reason; audited as a reveal."""
    try:
        purpose = purpose_require(request.user, citizen_id)
        reason = " ".join(request.POST.get("reason", "").split())
        if len(reason) < 5:
            raise ServiceError(
                "citizen.reveal_reason",
                _("Write why the full CPR number is needed."),
                field="reveal-reason",
            )
        citizen = Citizen.objects.get(pk=citizen_id)
    except Citizen.DoesNotExist as exc:
        raise Http404 from exc
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request)
        return render(
            request,
            "citizens/reveal.html",
            {"citizen_id": citizen_id, "errors": [exc]},
            status=400,
        )
    audit_record(
        actor=request.user,
        action="reveal",
        what="full CPR number",
        citizen_ids=[citizen.pk],
        purpose=purpose,
        reason=reason,
    )
    response = render(
        request,
        "citizens/reveal.html",
        {"citizen_id": citizen_id, "citizen": citizen, "full_cpr": cpr_format(citizen.cpr)},
    )
    return response


@require_POST
@login_required
def export(request: HttpRequest, citizen_id: int) -> HttpResponse:
    """Everything held about the citizen as a ZIP (GDPR art. 15); needs a purpose and is
    audited as an export."""
    from borgerservice.cases.exports import citizen_export

    if not may_open_persons(request.user):
        return _forbidden(request)
    if not Citizen.objects.filter(pk=citizen_id).exists():
        raise Http404
    try:
        result = citizen_export(user=request.user, citizen_id=citizen_id)
    except ServiceError as exc:
        if exc.status == 403:
            return redirect("citizens:detail", citizen_id=citizen_id)
        raise
    return FileResponse(
        result.file,
        as_attachment=True,
        filename=result.filename,
        content_type=result.content_type,
    )
