"""Staff pages for cases: the unit inbox, the case page and the actions on a case.

The inbox lists open cases of one unit (or the user's own cases), nearest due date first,
entirely in SQL on the stored deadline projection: a constant number of queries per page
however many cases the unit has, and no personal data. The case page shows the parties
(masked CPR numbers) and is audited by ``selectors.case_get_for_view``. Every action is a
POST form that works without JavaScript: on success it redirects back to the case page
with a message; on bad input the page is shown again with a DKFDS error summary, status
400, and nothing changed (the services raise before they write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from borgerservice.accounts.access import may_open_persons
from borgerservice.core.errors import NotFound, ServiceError

from . import selectors, services, workflow
from .models import (
    Case,
    CaseDocument,
    CaseParty,
    DeadlineNotice,
    Decision,
    Direction,
    DocumentVersion,
    Unit,
)
from .workflow import Status

SLA_STATES = selectors.SLA_STATES
OPEN_STATUSES = [(value, label) for value, label in Status.choices if value != Status.CLOSED]
NOTICES_SHOWN = 10

# What the deadline state is called, everywhere a case is listed (text, never colour only).
STATE_LABELS = {
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "breached": gettext_lazy("Overdue"),
    "paused": gettext_lazy("Paused"),
    "met": gettext_lazy("Answered in time"),
    "late": gettext_lazy("Answered late"),
    "finished": gettext_lazy("Finished"),
}

# The button text of each transition in ``workflow.TRANSITIONS``.
ACTION_LABELS = {
    "start": gettext_lazy("Start the work"),
    "suspend": gettext_lazy("Pause: await the citizen"),
    "resume": gettext_lazy("Resume the work"),
    "decide": gettext_lazy("Mark as decided"),
    "close": gettext_lazy("Close the case"),
    "reopen": gettext_lazy("Reopen the case"),
    "complaint": gettext_lazy("Register a complaint"),
    "reconsider": gettext_lazy("Uphold or change the decision"),
    "forward": gettext_lazy("Forward to the complaint body"),
}


@dataclass(frozen=True)
class FormError:
    """One line of the error summary; ``field`` is the id of the input it links to."""

    message: str
    field: str | None = None


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


# --- The inbox -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Worker:
    pk: int
    name: str


def _inbox_rows_html(rows) -> str:
    """The inbox table's rows, built in Python: fifty rows of seven cells cost a template
    some 450 variable look-ups, escapes and a URL reversal each; here one pass."""
    if not rows:
        return format_html('<tr><td colspan="7">{}</td></tr>', _("No open cases."))
    detail = reverse("cases:detail", args=["0"])[:-2]
    status_labels = {value: str(label) for value, label in Status.choices}
    state_labels = {state: str(label) for state, label in STATE_LABELS.items()}
    dates: dict[date, str] = {}  # due dates repeat down the list: format each once

    def due(day: date) -> str:
        if day not in dates:
            dates[day] = date_format(day, "j. M Y")
        return dates[day]

    return format_html_join(
        "\n",
        '<tr><td><a href="{}{}/">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
        '<td>{}</td><td><span class="sla sla-{}">{}</span></td></tr>',
        (
            (
                detail,
                row.case.number,
                row.case.number,
                row.case.title,
                status_labels[row.case.status],
                row.case.department.code,
                _worker_name(row.case.caseworker),
                due(row.case.due_on),
                row.state,
                state_labels[row.state],
            )
            for row in rows
        ),
    )


def _worker_name(worker) -> str:
    if worker is None:
        return "–"
    return " ".join(p for p in (worker.first_name, worker.last_name) if p) or worker.username


def _positive_int(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The unit inbox (``?unit=<id>``) or the user's own cases (``?mine=1``).

    A user in no unit sees their own cases. A unit the user is not a member of is not
    found (404). A filter value that is not one of the offered choices is answered with
    the error summary and status 400, not silently ignored.
    """
    user = request.user
    if not may_open_persons(user):
        return _forbidden(request)
    query = request.GET
    errors: list[FormError] = []
    units = list(selectors.inbox_units(user))
    by_id = {unit.pk: unit for unit in units}
    mine = query.get("mine", "") == "1" or not units
    if query.get("mine", "") not in ("", "0", "1"):
        errors.append(FormError(_("Choose a unit or your own cases."), "unit"))
    unit = None
    raw_unit = query.get("unit", "").strip()
    if raw_unit:
        unit_id = _positive_int(raw_unit)
        if unit_id is None:
            errors.append(FormError(_("Choose a unit from the list."), "unit"))
        elif unit_id not in by_id:
            raise Http404(_("You are not a member of that unit."))
        elif not mine:
            unit = by_id[unit_id]
    if not mine and unit is None:
        unit = units[0]

    status = query.get("status", "")
    if status and status not in dict(OPEN_STATUSES):
        errors.append(FormError(_("Choose a status from the list."), "status"))
    sla = query.get("sla", "")
    if sla and sla not in SLA_STATES:
        errors.append(FormError(_("Choose a deadline state from the list."), "sla"))
    caseworkers = []
    if unit is not None:
        caseworkers = [
            _Worker(pk, " ".join(part for part in (first, last) if part) or username)
            for pk, first, last, username in get_user_model()
            .objects.filter(case_units=unit, is_active=True)
            .order_by("first_name", "last_name", "username")
            .values_list("id", "first_name", "last_name", "username")
        ]
    raw_worker = query.get("caseworker", "").strip()
    caseworker_id = None
    if raw_worker and not mine:
        caseworker_id = _positive_int(raw_worker)
        if caseworker_id is None or caseworker_id not in {w.pk for w in caseworkers}:
            errors.append(
                FormError(_("Choose a caseworker of the unit from the list."), "caseworker")
            )
            caseworker_id = None
    raw_page = query.get("page", "").strip() or "1"
    page_number = _positive_int(raw_page)
    if page_number is None:
        errors.append(FormError(_("The page number must be a whole number from 1."), None))

    filters = {"status": status, "sla": sla}
    if mine:
        base = {"mine": "1"}
    else:
        base = {"unit": str(unit.pk)} if unit is not None else {}
        filters["caseworker"] = raw_worker
    keep = {**base, **{k: v for k, v in filters.items() if v}}

    result = None
    rows_html = ""
    unread_messages: list[dict] = []
    notices: list[DeadlineNotice] = []
    if not errors:
        result = selectors.inbox_cases(
            user=user,
            unit_id=None if mine else unit.pk,
            status=status or None,
            sla=sla or None,
            caseworker_id=caseworker_id,
            mine=mine,
            page=page_number,
        )
        rows_html = _inbox_rows_html(result.rows)
        unread_messages = _unread_messages(user, unit)
        if unit is not None:
            notices = list(
                DeadlineNotice.objects.filter(unit=unit)
                .select_related("case")
                .only("kind", "due_on", "created_at", "case__number", "case__title")
                .order_by("-created_at", "-id")[:NOTICES_SHOWN]
            )
    inbox_url = reverse("cases:inbox")
    context = {
        "units": units,
        "unit": unit,
        "mine": mine,
        "mine_url": f"{inbox_url}?{urlencode({'mine': '1'})}",
        "unit_urls": [(u, f"{inbox_url}?{urlencode({'unit': u.pk})}") for u in units],
        "base": base,
        "statuses": OPEN_STATUSES,
        "sla_states": [(state, STATE_LABELS[state]) for state in SLA_STATES],
        "status": status,
        "sla": sla,
        "caseworker": raw_worker,
        "caseworkers": caseworkers,
        "caseworker_options": format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (w.pk, mark_safe(" selected") if raw_worker == str(w.pk) else "", w.name)
                for w in caseworkers
            ),
        ),
        "errors": errors,
        "result": result,
        "rows_html": rows_html,
        "notices": notices,
        "unread_messages": unread_messages,
        "notice_labels": dict(DeadlineNotice.Kind.choices),
        "count_text": _count_text(result) if result is not None else "",
        "previous_url": (
            f"{inbox_url}?{urlencode({**keep, 'page': result.page - 1})}"
            if result is not None and result.page > 1
            else ""
        ),
        "next_url": (
            f"{inbox_url}?{urlencode({**keep, 'page': result.page + 1})}"
            if result is not None and result.has_next
            else ""
        ),
    }
    template = "cases/inbox.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "inbox-results":
        template = "cases/inbox.html#results"
    return render(request, template, context, status=400 if errors else 200)


def _count_text(result: selectors.InboxPage) -> str:
    if result.count_capped:
        return _("more than %(cap)s") % {
            "cap": number_format(selectors.COUNT_CAP, force_grouping=True)
        }
    return number_format(result.count, force_grouping=True)


# --- The case page ---------------------------------------------------------------------

SECTIONS = (
    "case-status",
    "case-deadline",
    "case-parties",
    "case-responsibility",
    "case-contacts",
    "case-history",
    "case-journal",
    "case-documents",
    "case-notes",
    "case-hearings",
    "case-decisions",
    "case-letters",
    "case-messages",
)


def _case_view(request: HttpRequest, number: str):
    try:
        return selectors.case_get_for_view(user=request.user, number=number)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _case_context(view) -> dict:
    case = view.case
    events = list(getattr(case, "_prefetched_events", None) or case.events.all())
    language = "en" if translation.get_language() == "en" else "da"
    statuses = dict(Status.choices)
    history = [
        {
            "event": event,
            "from_label": statuses.get(event.from_status, event.from_status),
            "to_label": statuses.get(event.to_status, event.to_status),
        }
        for event in events
    ]
    documents = list(
        CaseDocument.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
        )
        .order_by("created_at", "id")
    )
    decisions = list(
        case.decisions.select_related("decided_by", "letter")
        .prefetch_related(
            Prefetch("letter__versions", queryset=DocumentVersion.objects.order_by("-number"))
        )
        .order_by("decided_on", "id")
    )
    hearings = list(case.hearings.order_by("sent_on", "id"))
    members = list(
        case.unit.members.filter(is_active=True).order_by("first_name", "last_name", "username")
    )
    from borgerservice.outbox.models import OutboxMessage

    return {
        "view": view,
        "case": case,
        "deadline": view.deadline,
        "state_label": STATE_LABELS.get(view.deadline.state, view.deadline.state),
        "overdue_days": -view.deadline.remaining_days if view.deadline.remaining_days < 0 else 0,
        "parties": view.parties,
        "internal_text": workflow.INTERNAL_TEXTS[case.status],
        "citizen_text": workflow.citizen_text(case.case_type, case.status, language),
        "transitions": [
            (to, statuses[to], ACTION_LABELS.get(action, action))
            for to, action in workflow.actions_from(case.status)
        ],
        "history": history,
        "extensions": [event for event in events if event.kind == "extension"],
        "journal": list(
            case.journal.select_related("document")
            .prefetch_related(
                Prefetch("document__versions", queryset=DocumentVersion.objects.order_by("-number"))
            )
            .order_by("number")
        ),
        "documents": documents,
        "notes": list(case.notes.select_related("author").order_by("created_at", "id")),
        "hearings": hearings,
        "open_hearing": next((h for h in hearings if h.state == "open"), None),
        "decisions": decisions,
        "letters": list(OutboxMessage.objects.filter(case=case).order_by("-created_at", "-id")),
        "contacts": list(case.contacts.select_related("staff").order_by("-started_at")),
        "members": members,
        "units": list(
            Unit.objects.select_related("department").exclude(pk=case.unit_id).order_by("code")
        ),
        "directions": Direction.choices,
        "party_roles": [
            (value, label)
            for value, label in CaseParty.Role.choices
            if value != CaseParty.Role.APPLICANT
        ]
        + [(CaseParty.Role.APPLICANT, CaseParty.Role.APPLICANT.label)],
        "outcomes": Decision.Outcome.choices,
        "complaint_guidance": case.case_type.t("complaint_guidance") or "",
        "finished": case.status in workflow.FINISHED,
        "max_extension": services.MAX_EXTENSION_DAYS,
        "allowed_types": _allowed_types(),
        **_kle_context(case),
    }


def _allowed_types() -> str:
    from . import documents

    return documents.allowed_types_text()


def _case_page(
    request: HttpRequest,
    number: str,
    *,
    errors: list[FormError] | None = None,
    active: str = "",
    status: int = 200,
) -> HttpResponse:
    view = _case_view(request, number)
    context = _case_context(view)
    context.update(_messages_context(request.user, view.case))
    errors = errors or []
    context.update(
        errors=errors,
        field_errors={e.field: e.message for e in errors if e.field},
        active=active,
        posted={active: request.POST} if active else {},
    )
    template = "cases/detail.html"
    target = request.headers.get("HX-Target", "")
    if request.headers.get("HX-Request") and target in SECTIONS and not errors:
        template = f"cases/detail.html#{target}"
    return render(request, template, context, status=status)


@require_safe
@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    return _case_page(request, number)


# --- Actions -----------------------------------------------------------------------------

# The inputs of each action form; a service error's field becomes ``<action>_<field>``.
ACTION_FIELDS = {
    "transition": ("to_status", "reason"),
    "extend": ("days", "reason"),
    "assign": ("caseworker",),
    "transfer": ("unit", "reason"),
    "note": ("text",),
    "party": ("cpr", "role"),
    "upload": ("title", "direction", "file"),
    "hearing": ("facts", "answer_by"),
    "answer": ("answer",),
    "decision": ("outcome", "rules_applied", "facts", "reasons", "complaint_guidance"),
    "export": (),
    "message": ("text",),
}
# Where the browser lands after an action: the section it changed.
ACTION_SECTIONS = {
    "transition": "case-status",
    "extend": "case-deadline",
    "assign": "case-responsibility",
    "transfer": "case-responsibility",
    "note": "case-notes",
    "party": "case-parties",
    "upload": "case-documents",
    "hearing": "case-hearings",
    "answer": "case-hearings",
    "decision": "case-decisions",
    "message": "case-messages",
}


# Service field names that differ from the form's.
FIELD_ALIASES = {"upload": {"upload": "file"}}


def _form_error(action: str, exc: ServiceError) -> FormError:
    fields = ACTION_FIELDS.get(action, ())
    field = FIELD_ALIASES.get(action, {}).get(exc.field, exc.field)
    # An error about the case's state (no field) is shown without a link: its form may
    # not be on the page at all.
    field = field if field in fields else None
    return FormError(exc.message, f"{action}_{field}" if field else None)


def _case_id(number: str) -> int:
    case_id = Case.objects.filter(number=number).values_list("pk", flat=True).first()
    if case_id is None:
        raise Http404(_("The case does not exist."))
    return case_id


def _act(request: HttpRequest, number: str, action: str, run: Callable[[int], str]) -> HttpResponse:
    """Run one action; redirect with its message, or show the page with the error."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    case_id = _case_id(number)
    try:
        message = run(case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        # 403 here is a missing authority for this action (the role was checked above):
        # the page says so in the error summary.
        return _case_page(
            request,
            number,
            errors=[_form_error(action, exc)],
            active=action,
            status=403 if exc.status == 403 else 400,
        )
    messages.success(request, message)
    return redirect(f"{reverse('cases:detail', args=[number])}#{ACTION_SECTIONS[action]}")


def _date_or_none(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ServiceError(
            "case.date_invalid", _("Write the date as YYYY-MM-DD."), field=field
        ) from exc


@require_POST
@login_required
def transition(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        to_status = request.POST.get("to_status", "")
        if to_status not in Status.values:
            raise ServiceError(
                "case.status_unknown", _("Choose the new status."), field="to_status"
            )
        case = services.case_transition(
            user=request.user,
            case_id=case_id,
            to_status=to_status,
            reason=request.POST.get("reason", "")[:2000],
        )
        return _("The case is now: %(status)s.") % {"status": case.get_status_display()}

    return _act(request, number, "transition", run)


@require_POST
@login_required
def extend(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        raw = request.POST.get("days", "").strip()
        if not raw.lstrip("-").isdigit() or len(raw) > 6:
            raise ServiceError(
                "case.extension_days",
                _("Extend by 1 to %(max)d working days."),
                field="days",
                params={"max": services.MAX_EXTENSION_DAYS},
            )
        services.case_extend(
            user=request.user,
            case_id=case_id,
            days=int(raw),
            reason=request.POST.get("reason", ""),
        )
        return _("The deadline is extended.")

    return _act(request, number, "extend", run)


@require_POST
@login_required
def assign(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        raw = request.POST.get("caseworker", "").strip()
        caseworker = None
        if raw:
            worker_id = _positive_int(raw)
            caseworker = (
                get_user_model().objects.filter(pk=worker_id).first() if worker_id else None
            )
            if caseworker is None:
                raise ServiceError(
                    "case.caseworker_unknown",
                    _("Choose a caseworker from the list."),
                    field="caseworker",
                )
        services.case_assign(user=request.user, case_id=case_id, caseworker=caseworker)
        if caseworker is None:
            return _("The case has no caseworker now; the unit has it.")
        return _("The case is assigned to %(name)s.") % {
            "name": caseworker.get_full_name() or caseworker.get_username()
        }

    return _act(request, number, "assign", run)


@require_POST
@login_required
def transfer(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        unit_id = _positive_int(request.POST.get("unit", "").strip())
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
        if unit is None:
            raise ServiceError("case.unit_unknown", _("Choose a unit from the list."), field="unit")
        services.case_transfer(
            user=request.user, case_id=case_id, unit=unit, reason=request.POST.get("reason", "")
        )
        return _("The case is transferred to %(unit)s.") % {"unit": unit.name}

    response = _act(request, number, "transfer", run)
    if response.status_code == 302 and not _still_visible(request, number):
        # Transferred out of the user's reach: back to the inbox, not to a 404.
        return redirect("cases:inbox")
    return response


def _still_visible(request: HttpRequest, number: str) -> bool:
    case = Case.objects.filter(number=number).only("id", "unit_id", "caseworker_id", "case_type_id")
    found = case.first()
    return found is not None and selectors.may_see_case(request.user, found)


@require_POST
@login_required
def note_add(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        services.case_note_add(
            user=request.user, case_id=case_id, text=request.POST.get("text", "")
        )
        return _("The note is saved.")

    return _act(request, number, "note", run)


@require_POST
@login_required
def party_add(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        services.case_party_add(
            user=request.user,
            case_id=case_id,
            cpr=request.POST.get("cpr", ""),
            role=request.POST.get("role", ""),
        )
        return _("The citizen is added to the case.")

    return _act(request, number, "party", run)


@require_POST
@login_required
def document_upload(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        from . import documents

        # The service checks the title, the direction and the file (size, type, malware).
        documents.document_upload(
            user=request.user,
            case_id=case_id,
            title=request.POST.get("title", ""),
            direction=request.POST.get("direction", ""),
            upload=request.FILES.get("file"),
        )
        return _("The document is added to the case and journalised.")

    return _act(request, number, "upload", run)


@require_safe
@login_required
def document_download(request: HttpRequest, number: str, version_id: int) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    from . import documents

    try:
        version = documents.document_open(user=request.user, version_id=version_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request)
        raise Http404(exc.message) from exc
    case_number = (
        Case.objects.filter(documents__versions=version.pk).values_list("number", flat=True).first()
    )
    if case_number != number:
        raise Http404(_("The document does not exist."))
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.filename,
        content_type=version.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def hearing_send(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        facts = request.POST.get("facts", "")
        answer_by = _date_or_none(request.POST.get("answer_by", ""), "answer_by")
        from . import decisions

        decisions.hearing_send(user=request.user, case_id=case_id, facts=facts, answer_by=answer_by)
        return _("The hearing letter is sent to the party.")

    return _act(request, number, "hearing", run)


@require_POST
@login_required
def hearing_answer(request: HttpRequest, number: str, hearing_id: int) -> HttpResponse:
    def run(case_id: int) -> str:
        from . import decisions
        from .models import Hearing

        if not Hearing.objects.filter(pk=hearing_id, case_id=case_id).exists():
            raise Http404(_("The hearing does not exist."))
        decisions.hearing_answer(
            user=request.user, hearing_id=hearing_id, answer=request.POST.get("answer", "")
        )
        return _("The answer is registered.")

    return _act(request, number, "answer", run)


@require_POST
@login_required
def decision_make(request: HttpRequest, number: str) -> HttpResponse:
    def run(case_id: int) -> str:
        outcome = request.POST.get("outcome", "")
        if outcome not in Decision.Outcome.values:
            raise ServiceError(
                "decision.outcome", _("Choose the outcome of the decision."), field="outcome"
            )
        from . import decisions

        decisions.decision_make(
            user=request.user,
            case_id=case_id,
            outcome=outcome,
            rules_applied=request.POST.get("rules_applied", ""),
            reasons=request.POST.get("reasons", ""),
            facts=request.POST.get("facts", ""),
            complaint_guidance=request.POST.get("complaint_guidance", ""),
        )
        return _("The decision is made and the letter is sent.")

    return _act(request, number, "decision", run)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def export(request: HttpRequest, number: str) -> HttpResponse:
    """The case as a ZIP: a PDF index, the documents and JSON metadata."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    case_id = _case_id(number)
    from . import exports

    try:
        result = exports.case_export(user=request.user, case_id=case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request)
        return _case_page(
            request, number, errors=[FormError(exc.message)], active="export", status=400
        )
    return FileResponse(
        result.file,
        as_attachment=True,
        filename=result.filename,
        content_type=result.content_type or "application/zip",
    )


# --- Messages with the citizen ---------------------------------------------------------


def _unread_messages(user, unit: Unit | None) -> list[dict]:
    """The inbox's flag: cases of the unit (or the user's own) with unread messages from
    citizens (number, title, count; no personal data)."""
    from .messages import unread_from_citizens

    if unit is not None:
        return unread_from_citizens(unit_id=unit.pk)
    return unread_from_citizens(caseworker_id=user.pk)


def _messages_context(user, case: Case, *, audit: bool = False) -> dict:
    """The messages panel. On the case page the page's own audit entry covers it (shown
    alone, it writes its own); opening it marks the citizen's messages read for the
    caseworker and the unit."""
    from .messages import messages_for_case
    from .models import MESSAGE_MAX_LENGTH

    found = messages_for_case(user=user, case_id=case.pk, audit=audit)
    return {
        "case_messages": found,
        "messages_new": sum(1 for m in found if getattr(m, "was_unread", False)),
        "may_message": case.anonymised_at is None,
        "message_max": MESSAGE_MAX_LENGTH,
        "message_max_text": number_format(MESSAGE_MAX_LENGTH, force_grouping=True),
    }


@require_POST
@login_required
def message_send(request: HttpRequest, number: str) -> HttpResponse:
    """Write to the citizen. A plain form POST redirects back to the case page (or shows
    it with the error summary, status 400); an htmx request gets the messages panel
    back, with the error summary in it. htmx swaps only 2xx answers, so that panel comes
    with status 200 even when it shows an error; nothing was written then."""
    from .messages import message_to_citizen

    def run(case_id: int) -> str:
        message_to_citizen(user=request.user, case_id=case_id, text=request.POST.get("text", ""))
        return _("The message is sent. The citizen is told that it is waiting on Min side.")

    if not request.headers.get("HX-Request"):
        return _act(request, number, "message", run)
    if not may_open_persons(request.user):
        return _forbidden(request)
    case_id = _case_id(number)
    errors: list[FormError] = []
    sent = ""
    try:
        sent = run(case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        errors = [_form_error("message", exc)]
    return _messages_panel(request, case_id, errors=errors, sent=sent)


def _messages_panel(
    request: HttpRequest, case_id: int, *, errors: list[FormError], sent: str
) -> HttpResponse:
    case = Case.objects.get(pk=case_id)
    context = _messages_context(request.user, case, audit=True)
    context.update(
        case=case,
        hx_partial=True,
        errors=errors,
        field_errors={e.field: e.message for e in errors if e.field},
        posted={"message": request.POST} if errors else {},
        message_sent=sent,
    )
    return render(request, "cases/detail.html#case-messages", context)


# --- KLE number ----------------------------------------------------------------------------


def _kle_context(case: Case) -> dict:
    """The KLE panel: the case's KLE number and title, and topics suggested from its text
    (title, journal, notes and messages). Empty, and the panel hidden, without KLE."""
    from borgerservice.catalogue.models import KleTopic

    from .kle import case_kle_suggest, kle_loaded

    if not kle_loaded():
        return {"kle_loaded": False}
    current = KleTopic.objects.filter(code=case.kle_code).first() if case.kle_code else None
    return {
        "kle_loaded": True,
        "kle_current": current,
        "kle_suggestions": case_kle_suggest(case, limit=5),
        "may_set_kle": case.anonymised_at is None,
    }


@require_POST
@login_required
def kle_set(request: HttpRequest, number: str) -> HttpResponse:
    """Give the case a KLE number (a suggestion's "Brug" button, or typed). A plain POST
    redirects back to the case page (or shows it with the error summary, status 400); an
    htmx request gets the KLE panel back, with the error in it and status 200 (htmx
    swaps only 2xx answers; nothing was changed then)."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    case_id = _case_id(number)
    errors: list[FormError] = []
    done = ""
    try:
        case = services.case_kle_set(
            user=request.user, case_id=case_id, kle_code=request.POST.get("kle_code", "")
        )
        done = _("The case now has the KLE number %(code)s.") % {"code": case.kle_code}
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        errors = [FormError(exc.message, "kle_code" if exc.field == "kle_code" else None)]
    if not request.headers.get("HX-Request"):
        if errors:
            return _case_page(request, number, errors=errors, active="kle", status=400)
        messages.success(request, done)
        return redirect(f"{reverse('cases:detail', args=[number])}#case-kle")
    case = Case.objects.get(pk=case_id)
    if errors:
        # The panel shows keywords found in the case's notes and messages; a change's own
        # audit entry covers it, a refused one does not.
        from borgerservice.accounts.audit import audit_record

        audit_record(
            actor=request.user,
            action="view",
            what=f"case {case.number}: KLE suggestions",
            citizen_ids=list(case.parties.values_list("citizen_id", flat=True)),
            reason=f"case:{case.pk}",
        )
    context = {
        "case": case,
        **_kle_context(case),
        "hx_partial": True,
        "errors": errors,
        "field_errors": {e.field: e.message for e in errors if e.field},
        "posted": {"kle": request.POST} if errors else {},
        "kle_done": done,
    }
    return render(request, "cases/detail.html#case-kle", context)
