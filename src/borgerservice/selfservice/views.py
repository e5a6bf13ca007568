"""The citizen's journey through an application: start page, one page per step,
"Tjek dine svar", send, receipt. Thin: the answers logic is in ``answers.py``, the
sending in ``services.py``.

The draft (answers so far and the idempotency key) lives in the session, keyed by the
form version's id, and belongs to the citizen who started it.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.portal.auth import citizen_required

from . import answers as logic
from .models import FieldKind
from .selectors import (
    expected_answer_on,
    form_for_service_code,
    forms_available,
    instant_decision_of,
    submission_for_citizen,
    submissions_for_citizen,
)
from .services import submission_create

DRAFTS_KEY = "selfservice_drafts"
MAX_DRAFTS = 10


# --- the draft in the session ---------------------------------------------------------


def _drafts(request) -> dict:
    drafts = request.session.get(DRAFTS_KEY)
    return drafts if isinstance(drafts, dict) else {}


def _draft(request, form) -> dict | None:
    draft = _drafts(request).get(str(form.pk))
    if not isinstance(draft, dict) or draft.get("citizen") != request.citizen.pk:
        return None
    return draft


def _draft_save(request, form, draft: dict) -> None:
    drafts = {k: v for k, v in _drafts(request).items() if k != str(form.pk)}
    # The newest drafts are kept; an old one left behind is dropped.
    kept = dict(list(drafts.items())[-(MAX_DRAFTS - 1) :])
    kept[str(form.pk)] = draft
    request.session[DRAFTS_KEY] = kept


def _draft_drop(request, form) -> None:
    drafts = dict(_drafts(request))
    if drafts.pop(str(form.pk), None) is not None:
        request.session[DRAFTS_KEY] = drafts


def _draft_new(request, form) -> dict:
    draft = {"citizen": request.citizen.pk, "key": uuid.uuid4().hex, "answers": {}}
    _draft_save(request, form, draft)
    return draft


def _form_or_404(service_code: str):
    try:
        return form_for_service_code(service_code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# --- page context ---------------------------------------------------------------------


def _step_url(form, number: int) -> str:
    return reverse("selfservice:step", kwargs={"service_code": form.service.code, "step": number})


def _check_url(form) -> str:
    return reverse("selfservice:check", kwargs={"service_code": form.service.code})


def _start_url(form) -> str:
    return reverse("selfservice:start", kwargs={"service_code": form.service.code})


def _indicator(shape, answers: dict, current: int | None, *, seen=(), on_check=False) -> list:
    """The DKFDS step indicator: the active steps and "Check your answers". Steps the
    citizen has answered are links (with a tick); steps not reached yet are not."""
    from django.utils.translation import gettext as _

    complete = logic.first_incomplete(shape, answers) is None
    items = []
    for position, (number, step) in enumerate(logic.active_steps(shape, answers), start=1):
        is_current = number == current
        done = number in seen and not is_current
        items.append(
            {
                "position": position,
                "title": step.title,
                "url": _step_url(shape.form, number),
                "current": is_current,
                "done": done,
                "disabled": not done and not is_current,
            }
        )
    items.append(
        {
            "position": len(items) + 1,
            "title": _("Check your answers"),
            "url": _check_url(shape.form),
            "current": on_check,
            "done": False,
            "disabled": not on_check and not (complete and seen),
        }
    )
    return items


def _input_value(item, raw: dict | None, answers: dict):
    """What the input shows: what was just typed, else the saved answer."""
    if raw is not None and item.name in raw:
        values = raw[item.name]
        if item.kind == FieldKind.CHECKBOX:
            return values
        return values[0] if values else ""
    value = answers.get(item.name)
    if value is None:
        return [] if item.kind == FieldKind.CHECKBOX else ""
    if item.kind == FieldKind.DECIMAL:
        text = str(value)
        if text.endswith(".00"):
            text = text[:-3]
        from borgerservice.core.i18n import current_language

        return text.replace(".", ",") if current_language() == "da" else text
    if item.kind == FieldKind.CPR:
        return f"{value[:6]}-{value[6:]}"
    return value


def _field_rows(shape, step, answers: dict, errors: list, raw: dict | None) -> list[dict]:
    from django.utils.translation import gettext as _

    by_name = {f.name: f for f in shape.fields}
    same_step = {f.name for f in shape.step_fields(step)}
    messages = {e["field"]: e["message"] for e in errors}
    rows = []
    for item in logic.shown_fields(shape, step, answers):
        value = _input_value(item, raw, answers)
        row = {
            "field": item,
            "id": item.html_id,
            "value": value,
            "error": messages.get(item.html_id),
            "choices": [
                {
                    "value": choice["value"],
                    "label": choice["label"],
                    "id": item.html_id if n == 0 else f"{item.html_id}-{n + 1}",
                    "checked": (
                        choice["value"] in value
                        if isinstance(value, list)
                        else choice["value"] == str(value)
                    ),
                }
                for n, choice in enumerate(item.choice_list())
            ],
        }
        condition = item.show_if or {}
        target = by_name.get(condition.get("field"))
        if target is not None and target.name in same_step:
            wanted = (
                [condition["equals"]] if "equals" in condition else list(condition.get("in", []))
            )
            wanted = [("yes" if w else "no") if isinstance(w, bool) else str(w) for w in wanted]
            row["depends_on"] = target.name
            row["depends_values"] = "|".join(wanted)
            row["depends_text"] = _("Only if you answered %(answer)s to “%(question)s”.") % {
                "answer": " / ".join(target.choice_label(w) for w in wanted),
                "question": target.label,
            }
        rows.append(row)
    return rows


# --- pages ----------------------------------------------------------------------------


@citizen_required
def index(request):
    return render(
        request,
        "selfservice/index.html",
        {
            "forms": forms_available(),
            "submissions": list(submissions_for_citizen(request.citizen)[:20]),
        },
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def start(request, service_code: str):
    form = _form_or_404(service_code)
    shape = logic.form_shape(form)
    if request.method == "POST":
        draft = _draft_new(request, form)
        active = logic.active_steps(shape, draft["answers"])
        if not active:
            return redirect(_check_url(form))
        return redirect(_step_url(form, active[0][0]))
    draft = _draft(request, form)
    resume_url = None
    if draft and draft.get("answers"):
        incomplete = logic.first_incomplete(shape, draft["answers"])
        resume_url = _step_url(form, incomplete) if incomplete else _check_url(form)
    return render(
        request,
        "selfservice/start.html",
        {
            "form": form,
            "service": form.service,
            "steps": [step for _n, step in logic.active_steps(shape, {})],
            "expected_on": expected_answer_on(form, today=timezone.localdate()),
            "resume_url": resume_url,
            "you_need": form.you_need(),
        },
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def step(request, service_code: str, step: int):
    form = _form_or_404(service_code)
    shape = logic.form_shape(form)
    if not 1 <= step <= len(shape.steps):
        raise Http404
    draft = _draft(request, form)
    if draft is None:
        return redirect(_start_url(form))
    answers = draft["answers"]
    incomplete = logic.first_incomplete(shape, answers)
    if incomplete is not None and step > incomplete:
        return redirect(_step_url(form, incomplete))
    current = shape.steps[step - 1]
    active = logic.active_steps(shape, answers)
    numbers = [number for number, _s in active]
    if step not in numbers:
        # Nothing is asked on this step with the answers given: go on.
        later = [n for n in numbers if n > step]
        return redirect(_step_url(form, later[0]) if later else _check_url(form))
    back_to_check = request.POST.get("return") == "check" or request.GET.get("return") == "check"
    errors: list = []
    raw = None
    status = 200
    if request.method == "POST":
        result = logic.step_read(shape, current, request.POST, answers)
        if not result.errors:
            draft["answers"] = result.answers
            draft["seen"] = sorted({*draft.get("seen", []), step})
            _draft_save(request, form, draft)
            incomplete = logic.first_incomplete(shape, result.answers)
            if back_to_check and incomplete is None:
                return redirect(_check_url(form))
            numbers = [n for n, _s in logic.active_steps(shape, result.answers)]
            later = [n for n in numbers if n > step]
            if incomplete is not None and incomplete <= step:
                return redirect(_step_url(form, incomplete))
            return redirect(_step_url(form, later[0]) if later else _check_url(form))
        errors, raw, status = result.errors, result.raw, 400
    earlier = [n for n in numbers if n < step]
    back_url = _step_url(form, earlier[-1]) if earlier else _start_url(form)
    if back_to_check:
        back_url = _check_url(form)
    position = numbers.index(step) + 1
    return render(
        request,
        "selfservice/step.html",
        {
            "form": form,
            "step": current,
            "number": step,
            "position": position,
            "total": len(numbers) + 1,
            "rows": _field_rows(shape, current, answers, errors, raw),
            "errors": errors,
            "indicator": _indicator(shape, answers, step, seen=draft.get("seen", [])),
            "back_url": back_url,
            "back_to_check": back_to_check,
        },
        status=status,
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def check(request, service_code: str):
    form = _form_or_404(service_code)
    shape = logic.form_shape(form)
    if request.method == "POST":
        key = (request.POST.get("idempotency_key") or "").strip()
        done = submissions_for_citizen(request.citizen).filter(idempotency_key=key).first()
        if key and done is not None:
            # Sent already (a reload, the back button, a second click): the same receipt.
            return redirect("selfservice:receipt", submission_id=done.pk)
    draft = _draft(request, form)
    if draft is None:
        return redirect(_start_url(form))
    answers = draft["answers"]
    incomplete = logic.first_incomplete(shape, answers)
    if incomplete is not None:
        return redirect(_step_url(form, incomplete))
    errors: list = []
    status = 200
    if request.method == "POST":
        from django.utils.translation import gettext as _

        if request.POST.get("idempotency_key") != draft["key"]:
            errors = [
                {
                    "field": "",
                    "message": _("The page was out of date. Check the answers and send again."),
                }
            ]
            status = 400
        else:
            try:
                submission = submission_create(
                    citizen=request.citizen,
                    form=form,
                    answers=answers,
                    idempotency_key=draft["key"],
                )
            except ServiceError as exc:
                errors = [{"field": exc.field or "", "message": exc.message}]
                status = exc.status
            else:
                _draft_drop(request, form)
                return redirect("selfservice:receipt", submission_id=submission.pk)
    active = logic.active_steps(shape, answers)
    return render(
        request,
        "selfservice/check.html",
        {
            "form": form,
            "blocks": logic.summary(shape, answers),
            "key": draft["key"],
            "errors": errors,
            "indicator": _indicator(
                shape, answers, None, seen=draft.get("seen", []), on_check=True
            ),
            "back_url": _step_url(form, active[-1][0]) if active else _start_url(form),
            "position": len(active) + 1,
            "total": len(active) + 1,
        },
        status=status,
    )


@citizen_required
def receipt(request, submission_id: int):
    try:
        submission = submission_for_citizen(request.citizen, submission_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    case = submission.case
    return render(
        request,
        "selfservice/receipt.html",
        {
            "submission": submission,
            "form": submission.form,
            "case": case,
            "decision": instant_decision_of(submission),
            "expected_on": case.due_on
            if not submission.outcome or submission.outcome == "manual"
            else None,
        },
    )
