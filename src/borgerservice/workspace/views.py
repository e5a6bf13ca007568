"""The staff workplace shell: front page, accessibility statement, health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/accessibility.html")


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": connection.vendor})
    except Exception:  # any database failure means "not ready"
        return JsonResponse({"status": "error"}, status=503)
