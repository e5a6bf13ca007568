"""Staff pages for written inquiries: the triage queue, one message, and the thresholds.

The triage queue lists the messages the triage could not route on its own (and, by tab, those
routed automatically, routed by staff or dismissed). A waiting row has one button per
suggestion ("Accept"), a way to choose another service and "Dismiss". Every action is a POST
form that works without JavaScript: on success it redirects with a message; on an error the
message page is shown with a DKFDS error summary and the service's status (409 when the
message was routed meanwhile), and nothing changed. With htmx the row is swapped in place,
with the outcome (or the error) in the row, status 200 (htmx swaps only 2xx answers).

Showing a message of a known citizen is audited ("view" for one message, "list" for a page
of the queue), as the work-item pages do.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from borgerservice.accounts.access import may_open_persons
from borgerservice.accounts.audit import audit_record
from borgerservice.accounts.roles import TEAM_LEAD, has_role
from borgerservice.catalogue.models import Department, Service
from borgerservice.core.errors import ServiceError

from .inbox import WAIT_REASONS, inbound_message_dismiss, inbound_message_route
from .inbox import suggestions_with_names as _suggestions
from .models import InboundMessage, TriageModel, TriageThreshold
from .triage_services import default_threshold, triage_threshold_set

PAGE_SIZE = 20
PREVIEW_LENGTH = 90

# The tabs of the queue: code, label, filter. The first is the default.
TABS = (
    ("waiting", gettext_lazy("Waiting"), Q(state=InboundMessage.State.TRIAGE)),
    ("auto", gettext_lazy("Routed automatically"), Q(state=InboundMessage.State.ROUTED)),
    (
        "staff",
        gettext_lazy("Routed by staff"),
        Q(state__in=[InboundMessage.State.ACCEPTED, InboundMessage.State.CORRECTED]),
    ),
    ("dismissed", gettext_lazy("Dismissed"), Q(state=InboundMessage.State.DISMISSED)),
    ("all", gettext_lazy("All"), Q()),
)
TAB_FILTERS = {code: condition for code, _label, condition in TABS}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def mask_email(address: str) -> str:
    """j***@example.dk: enough to recognise a sender, not to copy the address."""
    local, at, domain = (address or "").partition("@")
    if not at:
        return ""
    return f"{local[:1]}***@{domain}"


def _english() -> bool:
    return (get_language() or "da").startswith("en")


def _departments() -> dict[str, Department]:
    """The departments that own services, by code (the code the suggestions carry)."""
    return {
        d.code: d for d in Department.objects.filter(services__isnull=False).distinct().order_by()
    }


def suggestion_rows(message: InboundMessage, departments: dict[str, Department]) -> list[dict]:
    english = _english()
    rows = []
    for s in _suggestions(message)[:3]:
        department = departments.get(s["department"])
        percent = round(s["confidence"] * 100)
        rows.append(
            {
                "code": s["code"],
                "name": (s["name_en"] if english else s["name_da"]) or s["name_da"],
                "department": department.name if department else s["department"],
                "department_code": s["department"],
                "percent": max(0, min(100, percent)),
            }
        )
    return rows


def message_row(message: InboundMessage, departments: dict[str, Department]) -> dict:
    text = " ".join(message.body.split())
    preview = text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH].rstrip() + "…"
    return {
        "message": message,
        "sender": message.sender_name,
        "sender_email": mask_email(message.sender_email),
        "title": message.subject or preview,
        "preview": preview if message.subject else "",
        "wait_reason": WAIT_REASONS.get(message.triage_note, message.triage_note),
        "suggestions": suggestion_rows(message, departments),
        "waiting": message.state == InboundMessage.State.TRIAGE,
    }


def _messages_query():
    return InboundMessage.objects.select_related("service", "citizen", "routed_by", "work_item")


def _audit_view(user, message: InboundMessage) -> None:
    if message.citizen_id is not None:
        audit_record(
            actor=user,
            action="view",
            what=f"incoming message {message.pk}",
            citizen_ids=[message.citizen_id],
            reason=f"inbox:{message.pk}",
        )


# --- the triage queue --------------------------------------------------------------------------


@require_safe
@login_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    tab = request.GET.get("tab", "waiting")
    if tab not in TAB_FILTERS:
        tab = "waiting"
    rows = _messages_query().filter(TAB_FILTERS[tab])
    # The waiting ones oldest first (first come, first served); the handled ones newest first.
    rows = (
        rows.order_by("received_at", "id")
        if tab == "waiting"
        else rows.order_by("-received_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    departments = _departments()
    shown = [message_row(m, departments) for m in page.object_list]
    citizen_ids = [r["message"].citizen_id for r in shown if r["message"].citizen_id]
    if citizen_ids:
        audit_record(
            actor=request.user,
            action="list",
            what="incoming messages (triage queue)",
            citizen_ids=citizen_ids,
        )
    context = {
        "tabs": [
            {"code": code, "label": label, "current": code == tab} for code, label, _c in TABS
        ],
        "tab": tab,
        "tab_label": next(label for code, label, _c in TABS if code == tab),
        "page": page,
        "rows": shown,
        "waiting_count": InboundMessage.objects.filter(state=InboundMessage.State.TRIAGE).count(),
        "next_url": request.get_full_path(),
    }
    return render(request, "contacts/inbox.html", context)


# --- one message ---------------------------------------------------------------------------


def service_groups() -> list[tuple[str, list[Service]]]:
    """Every service, grouped by its department, for "Choose another service"."""
    groups: dict[int, tuple[str, list[Service]]] = {}
    english = _english()
    services = Service.objects.select_related("department").order_by(
        "department__sort_order", "department__code", "name_en" if english else "name_da"
    )
    for service in services:
        group = groups.setdefault(service.department_id, (service.department.name, []))
        group[1].append(service)
    return list(groups.values())


def _detail_page(
    request: HttpRequest, message_id: int, *, errors=None, status: int | None = None
) -> HttpResponse:
    message = _messages_query().filter(pk=message_id).first()
    if message is None:
        return render(request, "404.html", status=404)
    _audit_view(request.user, message)
    errors = errors or []
    row = message_row(message, _departments())
    history = list(
        message.feedback.select_related("decided_by", "suggested", "chosen").order_by(
            "decided_at", "id"
        )
    )
    context = {
        "row": row,
        "message": message,
        "history": history,
        "service_groups": service_groups() if row["waiting"] else [],
        "errors": errors,
        "field_errors": {e.field: e.message for e in errors if e.field},
        "posted_service": request.POST.get("service_code", "") if errors else "",
        "next_url": reverse("inbox:detail", args=[message.pk]),
    }
    if status is None:
        status = max((e.status for e in errors), default=200)
    return render(request, "contacts/inbox_detail.html", context, status=status)


@require_safe
@login_required
def inbox_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    return _detail_page(request, message_id)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("inbox:list")


def _row_response(request: HttpRequest, message_id: int, *, errors=None, done: str = ""):
    """The row of the queue again, for htmx: its new state and the outcome, or the error."""
    message = _messages_query().filter(pk=message_id).first()
    if message is None:
        return HttpResponse(status=404)
    _audit_view(request.user, message)
    errors = errors or []
    context = {
        "row": message_row(message, _departments()),
        "errors": errors,
        "done": done,
        "next_url": _safe_next(request),
    }
    return render(request, "contacts/partials/inbox_row.html", context)


def _act(request: HttpRequest, message_id: int, action: str) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    if not InboundMessage.objects.filter(pk=message_id).exists():
        return render(request, "404.html", status=404)
    try:
        if action == "route":
            routed = inbound_message_route(
                user=request.user,
                message_id=message_id,
                service_code=request.POST.get("service_code", ""),
            )
            done = _("Routed to “%(service)s” (%(queue)s).") % {
                "service": routed.service.name,
                "queue": routed.work_item.queue.name,
            }
        else:
            inbound_message_dismiss(user=request.user, message_id=message_id)
            done = _("The message is dismissed.")
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request)
        error = exc
        if exc.field == "service":
            error = ServiceError(exc.code, exc.message, status=exc.status, field="service_code")
        if _is_htmx(request):
            return _row_response(request, message_id, errors=[error])
        return _detail_page(request, message_id, errors=[error])
    if _is_htmx(request):
        return _row_response(request, message_id, done=done)
    messages.success(request, done)
    return redirect(_safe_next(request))


@require_POST
@login_required
def inbox_route(request: HttpRequest, message_id: int) -> HttpResponse:
    return _act(request, message_id, "route")


@require_POST
@login_required
def inbox_dismiss(request: HttpRequest, message_id: int) -> HttpResponse:
    return _act(request, message_id, "dismiss")


# --- thresholds ------------------------------------------------------------------------------


def _may_set_thresholds(user) -> bool:
    return has_role(user, TEAM_LEAD) or user.is_superuser


def parse_threshold(raw: str) -> Decimal | None:
    """0.85, 0,85 or 85 % as a Decimal from 0 to 1; None when it is not a number in range."""
    text = (raw or "").strip().replace(",", ".").replace(" ", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if percent:
        value = value / 100
    if not Decimal("0") <= value <= Decimal("1"):
        return None
    return value


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def thresholds(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (may_open_persons(user) or _may_set_thresholds(user)):
        return _forbidden(request)
    may_set = _may_set_thresholds(user)
    errors: list[ServiceError] = []
    failed_department = None
    if request.method == "POST":
        if not may_set:
            return _forbidden(request)
        department = (
            Department.objects.filter(pk=request.POST.get("department") or 0).first()
            if (request.POST.get("department") or "").isdigit()
            else None
        )
        if department is None:
            errors.append(ServiceError("inbox.unknown_department", _("Choose a department.")))
        else:
            value = parse_threshold(request.POST.get("threshold", ""))
            field = f"threshold-{department.pk}"
            try:
                if value is None:
                    raise ServiceError(
                        "triage.bad_threshold", _("Write a threshold from 0 to 1."), field=field
                    )
                setting = triage_threshold_set(user=user, department=department, threshold=value)
            except ServiceError as exc:
                if exc.status == 403:
                    return _forbidden(request)
                errors.append(ServiceError(exc.code, exc.message, status=exc.status, field=field))
                failed_department = department.pk
            else:
                messages.success(
                    request,
                    _("The threshold of %(department)s is now %(percent)s %%.")
                    % {
                        "department": department.name,
                        "percent": f"{setting.threshold * 100:.0f}",
                    },
                )
                return redirect("inbox:thresholds")
    default = default_threshold()
    stored = {
        t.department_id: t for t in TriageThreshold.objects.select_related("updated_by").all()
    }
    rows = []
    departments = (
        Department.objects.filter(services__isnull=False).distinct().order_by("sort_order", "code")
    )
    for department in departments:
        setting = stored.get(department.pk)
        value = setting.threshold if setting else default
        rows.append(
            {
                "department": department,
                "threshold": value,
                "percent": f"{value * 100:.0f}",
                "is_default": setting is None,
                "setting": setting,
                "posted": request.POST.get("threshold", "")
                if failed_department == department.pk
                else "",
                "error": errors[0].message if failed_department == department.pk else "",
            }
        )
    versions = list(TriageModel.objects.defer("artifact").order_by("-version"))
    active = next((v for v in versions if v.active), None)
    context = {
        "rows": rows,
        "may_set": may_set,
        "default": default,
        "default_percent": f"{default * 100:.0f}",
        "active_model": active,
        "active_metrics": _metrics(active),
        "versions": versions,
        "errors": errors,
    }
    status = max((e.status for e in errors), default=200)
    return render(request, "contacts/inbox_thresholds.html", context, status=status)


def _metrics(model: TriageModel | None) -> dict:
    """Top-1 and top-3 accuracy of a version as percentages, when the training measured them."""
    if model is None:
        return {}
    metrics = model.metrics or {}
    found = {}
    for key in ("top1", "top3"):
        value = metrics.get(f"calibration_{key}", metrics.get(key))
        if isinstance(value, int | float):
            found[key] = f"{value * 100:.1f}"
    return found
