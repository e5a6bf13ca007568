"""Staff pages of the catalogue: search as you type, service, departments, centres."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from borgerservice.core.channels import Channel
from borgerservice.core.errors import NotFound, ServiceError

from . import selectors
from .models import KleTopic

PAGE_SIZE = 20


@require_safe
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The staff front page: find a service by everyday words, with optional filters."""
    raw = {
        name: request.GET.get(name, "").strip()
        for name in ("q", "department", "level", "channel", "life_situation")
    }
    errors: list[ServiceError] = []
    results = None
    page = None
    try:
        filters = selectors.service_filters_parse(
            q=raw["q"],
            department=raw["department"] or None,
            level=raw["level"] or None,
            channel=raw["channel"] or None,
            life_situation=raw["life_situation"] or None,
        )
        if filters.q or any(raw[name] for name in raw if name != "q"):
            results = selectors.service_search(filters)
            page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    except ServiceError as exc:
        errors.append(exc)
    partial = (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == "search-results"
    )
    context = {
        "raw": raw,
        "partial": partial,
        "filters_open": bool(errors) or any(raw[name] for name in raw if name != "q"),
        "max_length": settings.SEARCH_MAX_QUERY_LENGTH,
        "errors": errors,
        "page": page,
        "result_count": len(results) if results is not None else None,
        "departments": selectors.department_list(),
        "channels": Channel.choices,
        "life_situations": selectors.life_situation_list(),
    }
    if partial:
        # htmx swaps only successful answers; the error summary is part of the fragment.
        return render(request, "catalogue/search.html#results", context)
    return render(request, "catalogue/search.html", context, status=400 if errors else 200)


@require_safe
@login_required
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        service = selectors.service_get(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    kle_topic = KleTopic.objects.filter(code=service.kle_code).first() if service.kle_code else None
    return render(request, "catalogue/service.html", {"service": service, "kle_topic": kle_topic})


@require_safe
@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    departments = list(selectors.department_list())
    grouped = {
        kind: [d for d in departments if d.kind == kind]
        for kind in ("current", "external", "former")
    }
    return render(request, "catalogue/departments.html", {"grouped": grouped})


@require_safe
@login_required
def department_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        department = selectors.department_get(slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    by_level = selectors.department_services_by_level(department)
    return render(
        request,
        "catalogue/department.html",
        {"department": department, "by_level": sorted(by_level.items())},
    )


@require_safe
@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalogue/centres.html", {"centres": selectors.centre_list()})
