"""Staff pages for work items: "My work" (availability, next item, personal queue), one item
with its actions, registering a call-back request, and the team lead's overview.

Every action is a POST form that works without JavaScript: on success it redirects with a
message; on bad input the page is shown again with a DKFDS error summary, status 400 (409 for
a conflict such as an item already taken), and nothing changed (the services raise before
they write). Reading an item of a citizen is audited by ``work_selectors``.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from borgerservice.accounts.access import may_open_persons
from borgerservice.accounts.roles import TEAM_LEAD, has_role
from borgerservice.catalogue.models import Service
from borgerservice.core.errors import NotFound, ServiceError

from . import work, work_selectors
from .models import WorkItem, WorkQueue
from .workflow import WorkState

# The words for the history of an item (the actions of ``workflow.WORK_TRANSITIONS``).
EVENT_LABELS = {
    "create": gettext_lazy("Registered"),
    "offer": gettext_lazy("Offered"),
    "accept": gettext_lazy("Accepted"),
    "decline": gettext_lazy("Declined"),
    "expire": gettext_lazy("Offer expired"),
    "release": gettext_lazy("Released to the queue"),
    "reclaim": gettext_lazy("Taken back: the agent was away"),
    "overflow": gettext_lazy("Opened to service-centre staff"),
    "finish": gettext_lazy("Finished"),
    "cancel": gettext_lazy("Cancelled"),
}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _status(errors: list[ServiceError]) -> int:
    return max((e.status for e in errors), default=200)


def _field_errors(errors: list[ServiceError]) -> dict[str, str]:
    return {e.field: e.message for e in errors if e.field}


# --- My work ---------------------------------------------------------------------------------


def _mine_page(request: HttpRequest, *, errors=None, status: int = 200) -> HttpResponse:
    user = request.user
    work.agent_heartbeat(user=user)
    presence = work_selectors.presence_of(user)
    items = work_selectors.agent_work(user=user)
    context = {
        "presence": presence,
        "available": work_selectors.is_available(presence),
        "skills": work_selectors.agent_skills(user),
        "items": items,
        "wip": len(items),
        "limit": presence.limit,
        "has_offer": any(i.state == WorkState.OFFERED for i in items),
        "work_waiting": work_selectors.queue_has_waiting_for(user),
        "service_centre_staff": work.is_service_centre_staff(user),
        "is_team_lead": has_role(user, TEAM_LEAD),
        "now": timezone.now(),
        "errors": errors or [],
    }
    return render(request, "queueing/work/mine.html", context, status=status)


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    return _mine_page(request)


@require_POST
@login_required
def availability(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    choice = request.POST.get("available", "")
    if choice not in ("yes", "no"):
        error = ServiceError(
            "work.availability_missing", _("Choose available or away."), field="available-yes"
        )
        return _mine_page(request, errors=[error], status=400)
    work.agent_set_availability(user=request.user, available=choice == "yes")
    if choice == "yes":
        messages.success(request, _("You are available: you will be offered work."))
    else:
        messages.success(request, _("You are away: you will not be offered work."))
    return redirect("work:mine")


@require_POST
@login_required
def next_item(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    try:
        item = work.work_next(user=request.user)
    except ServiceError as exc:
        return _mine_page(request, errors=[exc], status=exc.status)
    if item is None:
        messages.info(request, _("Nothing waits for you right now."))
        return redirect("work:mine")
    return redirect("work:item", item_id=item.pk)


@require_POST
@login_required
def heartbeat(request: HttpRequest) -> HttpResponse:
    """The pages of an agent's work call this every minute (htmx) while they are open, so an
    agent reading or answering an item is not taken for away."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    work.agent_heartbeat(user=request.user)
    return HttpResponse(status=204)


# --- One item -------------------------------------------------------------------------------


def _item_page(
    request: HttpRequest, item_id: int, *, errors=None, posted=None, active: str = ""
) -> HttpResponse:
    try:
        view = work_selectors.work_item_for_view(user=request.user, item_id=item_id)
    except NotFound:
        return render(request, "404.html", status=404)
    item = view.item
    work.agent_heartbeat(user=request.user)
    holder = item.agent_id == request.user.pk
    lead = has_role(request.user, TEAM_LEAD)
    errors = errors or []
    context = {
        "item": item,
        "events": [(e, EVENT_LABELS.get(e.action, e.action)) for e in view.events],
        "can_accept": holder and item.state == WorkState.OFFERED,
        "can_decline": holder and item.state == WorkState.OFFERED,
        "can_finish": (holder or lead) and item.state == WorkState.IN_PROGRESS,
        "can_release": (holder or lead) and item.state == WorkState.IN_PROGRESS,
        "can_cancel": lead and "cancel" in view.actions,
        "outcomes": WorkItem.Outcome.choices,
        "waited_minutes": int(
            ((item.first_handled_at or timezone.now()) - item.received_at).total_seconds() // 60
        ),
        "errors": errors,
        "field_errors": _field_errors(errors),
        "posted": posted or {},
        "active": active,
    }
    return render(request, "queueing/work/item.html", context, status=_status(errors))


@require_safe
@login_required
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    return _item_page(request, item_id)


def _act(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    try:
        visible = work_selectors.may_see_item(
            request.user, WorkItem.objects.only("id", "agent_id", "handled_by_id").get(pk=item_id)
        )
    except WorkItem.DoesNotExist:
        visible = False
    if not visible:
        return render(request, "404.html", status=404)
    post = request.POST
    try:
        if action == "accept":
            work.work_accept(user=request.user, item_id=item_id)
            messages.success(request, _("You have accepted the item."))
        elif action == "decline":
            work.work_decline(user=request.user, item_id=item_id, reason=post.get("reason", ""))
            messages.success(request, _("The item goes back to the queue for someone else."))
            return redirect("work:mine")
        elif action == "release":
            work.work_release(user=request.user, item_id=item_id, reason=post.get("reason", ""))
            messages.success(request, _("The item is back in the queue."))
            return redirect("work:mine")
        elif action == "finish":
            work.work_finish(
                user=request.user,
                item_id=item_id,
                outcome=post.get("outcome", ""),
                note=post.get("note", ""),
                case_number=post.get("case_number", ""),
            )
            messages.success(request, _("The item is finished."))
            return redirect("work:mine")
        elif action == "cancel":
            work.work_cancel(user=request.user, item_id=item_id, reason=post.get("reason", ""))
            messages.success(request, _("The item is cancelled."))
    except ServiceError as exc:
        field = {"reason": f"{action}_reason"}.get(exc.field or "", exc.field)
        error = ServiceError(exc.code, exc.message, status=exc.status, field=field)
        return _item_page(request, item_id, errors=[error], posted={action: post}, active=action)
    return redirect("work:item", item_id=item_id)


@require_POST
@login_required
def accept(request: HttpRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "accept")


@require_POST
@login_required
def decline(request: HttpRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "decline")


@require_POST
@login_required
def release(request: HttpRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "release")


@require_POST
@login_required
def finish(request: HttpRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "finish")


@require_POST
@login_required
def cancel(request: HttpRequest, item_id: int) -> HttpResponse:
    return _act(request, item_id, "cancel")


# --- Registering a call-back request ---------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    errors: list[ServiceError] = []
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        data = work.WorkItemInput(
            kind=WorkItem.Kind.CALL_BACK,
            subject=source.get("subject", ""),
            body=source.get("body", ""),
            queue=source.get("queue") or None,
            service=source.get("service") or None,
            cpr=source.get("cpr") or None,
            phone=source.get("phone", ""),
        )
        try:
            _item, _created = work.work_item_create(
                user=request.user,
                data=data,
                idempotency_key=source.get("idempotency_key") or None,
            )
        except ServiceError as exc:
            errors.append(exc)
        else:
            messages.success(request, _("The call-back request is registered."))
            return redirect("work:mine")
    queues = list(WorkQueue.objects.filter(active=True).order_by("sort_order", "code"))
    services = list(Service.objects.filter(work_queues__active=True).distinct().order_by("name_da"))
    context = {
        "queues": queues,
        "services": services,
        "form": source,
        "errors": errors,
        "field_errors": _field_errors(errors),
        "idempotency_key": source.get("idempotency_key") or uuid.uuid4().hex,
    }
    return render(request, "queueing/work/create.html", context, status=_status(errors))


# --- The team lead's overview -----------------------------------------------------------------


@require_safe
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, TEAM_LEAD):
        return _forbidden(request)
    now = timezone.now()
    context = {
        "queues": work_selectors.queue_overview(now=now),
        "agents": work_selectors.agents_overview(now=now),
        "now": now,
    }
    return render(request, "queueing/work/overview.html", context)
