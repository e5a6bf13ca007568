"""The unit inbox: open cases sorted by due date, filtered by status, SLA state and
caseworker."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from borgerservice.accounts.access import may_open_persons

from . import selectors
from .workflow import Status

SLA_STATES = ("on_track", "at_risk", "breached", "paused")


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return render(request, "403.html", status=403)
    status = request.GET.get("status", "")
    sla = request.GET.get("sla", "")
    worker = request.GET.get("caseworker", "")
    rows = selectors.inbox_cases(
        user=request.user,
        status=status if status in Status.values else None,
        caseworker_id=int(worker) if worker.isdigit() else None,
    )
    if sla in SLA_STATES:
        rows = [row for row in rows if row["deadline"].state == sla]
    caseworkers = get_user_model().objects.filter(cases__isnull=False).distinct()
    return render(
        request,
        "cases/inbox.html",
        {
            "rows": rows,
            "statuses": Status.choices,
            "status": status,
            "sla": sla,
            "caseworker": worker,
            "caseworkers": caseworkers,
        },
    )
