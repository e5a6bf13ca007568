"""A citizen's answers to a form: parsing what was typed, which questions are asked
(``show_if``), which step is next, and what the decisions engine is given.

Answers are kept as JSON values: text as str, whole numbers as int, decimals as str
("1250.50"), dates as ISO str, yes/no as "yes"/"no", one choice as its value, several
choices as a list of values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from borgerservice.core.errors import ServiceError

from .models import FieldKind, FormDefinition, FormField, FormStep

MAX_TEXT = 500
MAX_TEXTAREA = 5000
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_DATE_DMY = re.compile(r"^(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})$")
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


@dataclass
class FormShape:
    """The form's steps and questions, read once."""

    form: FormDefinition
    steps: list[FormStep]
    fields_by_step: dict[int, list[FormField]] = field(default_factory=dict)

    @property
    def fields(self) -> list[FormField]:
        return [f for step in self.steps for f in self.fields_by_step.get(step.pk, [])]

    def step_fields(self, step: FormStep) -> list[FormField]:
        return self.fields_by_step.get(step.pk, [])


def form_shape(form: FormDefinition) -> FormShape:
    steps = list(form.steps.order_by("position", "id"))
    shape = FormShape(form=form, steps=steps)
    for item in form.fields.select_related("step").order_by("step__position", "position", "id"):
        shape.fields_by_step.setdefault(item.step_id, []).append(item)
    return shape


# --- conditions ---------------------------------------------------------------------------


def _matches(show_if: dict, value) -> bool:
    if value is None or value == "" or value == []:
        return False
    wanted = [show_if["equals"]] if "equals" in show_if else list(show_if.get("in", []))
    wanted = [("yes" if w else "no") if isinstance(w, bool) else str(w) for w in wanted]
    if isinstance(value, list):
        return any(str(v) in wanted for v in value)
    return str(value) in wanted


def is_asked(item: FormField, answers: dict, by_name: dict[str, FormField]) -> bool:
    """Whether the question is asked, given the answers so far (conditions chain: a
    question that depends on one not asked is not asked either)."""
    seen = set()
    current = item
    while current.show_if:
        if current.name in seen:  # a cycle the admin checks should have refused
            return False
        seen.add(current.name)
        target = by_name.get(current.show_if.get("field"))
        if target is None or not _matches(current.show_if, answers.get(target.name)):
            return False
        current = target
    return True


def asked_fields(shape: FormShape, step: FormStep, answers: dict) -> list[FormField]:
    by_name = {f.name: f for f in shape.fields}
    return [f for f in shape.step_fields(step) if is_asked(f, answers, by_name)]


def shown_fields(shape: FormShape, step: FormStep, answers: dict) -> list[FormField]:
    """The questions rendered on the step's page: those asked given earlier steps'
    answers. A question that depends on another question of the same step is always
    rendered (the script hides it until it applies; without script it is simply there)
    and is ignored when it does not apply."""
    by_name = {f.name: f for f in shape.fields}
    same_step = {f.name for f in shape.step_fields(step)}
    earlier_answers = {k: v for k, v in answers.items() if k not in same_step}
    shown = []
    for item in shape.step_fields(step):
        if not item.show_if:
            shown.append(item)
            continue
        if _depends_on_step(item, by_name, same_step) or is_asked(item, earlier_answers, by_name):
            shown.append(item)
    return shown


def _depends_on_step(item: FormField, by_name: dict, same_step: set[str]) -> bool:
    current, seen = item, set()
    while current is not None and current.show_if and current.name not in seen:
        seen.add(current.name)
        target_name = current.show_if.get("field")
        if target_name in same_step:
            return True
        current = by_name.get(target_name)
    return False


def active_steps(shape: FormShape, answers: dict) -> list[tuple[int, FormStep]]:
    """(number in the URL, step) for the steps that ask something, given the answers."""
    result = []
    for number, step in enumerate(shape.steps, start=1):
        if shown_fields(shape, step, answers):
            result.append((number, step))
    return result


def first_incomplete(shape: FormShape, answers: dict) -> int | None:
    """The URL number of the first step with a required question unanswered, else None."""
    for number, step in active_steps(shape, answers):
        for item in asked_fields(shape, step, answers):
            if item.required and _empty(answers.get(item.name)):
                return number
    return None


def _empty(value) -> bool:
    return value is None or value == "" or value == []


# --- parsing --------------------------------------------------------------------------


def _error(item: FormField, message: str) -> ServiceError:
    return ServiceError("selfservice.answer_invalid", message, field=item.html_id)


def _parse_decimal(text: str) -> Decimal:
    text = text.replace(" ", "").replace("\u00a0", "").replace("kr.", "").replace("kr", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    elif _THOUSANDS.match(text):
        text = text.replace(".", "")
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation
    return value


def _parse_date(text: str) -> date:
    match = _DATE_DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def parse_answer(item: FormField, raw: list[str]):
    """The answer to one question from the submitted values (a list, for checkboxes);
    None when it was left empty. Raises ``ServiceError`` (field = the input's id) with a
    message in the active language."""
    label = item.label
    values = [v.strip() for v in raw if v is not None]
    if item.kind == FieldKind.CHECKBOX:
        chosen = [v for v in values if v]
        allowed = [c["value"] for c in item.choice_list()]
        if any(v not in allowed for v in chosen):
            raise _error(item, _("Choose among the options for “%(label)s”.") % {"label": label})
        if not chosen:
            if item.required:
                raise _error(
                    item, _("Choose at least one answer to “%(label)s”.") % {"label": label}
                )
            return None
        return [v for v in allowed if v in chosen]
    text = values[0] if values else ""
    if not text:
        if item.required:
            if item.kind in (FieldKind.RADIO, FieldKind.SELECT, FieldKind.YES_NO):
                message = _("Choose an answer to “%(label)s”.")
            else:
                message = _("Answer “%(label)s”.")
            raise _error(item, message % {"label": label})
        return None
    if item.kind in (FieldKind.RADIO, FieldKind.SELECT, FieldKind.YES_NO):
        if text not in [c["value"] for c in item.choice_list()]:
            raise _error(item, _("Choose among the options for “%(label)s”.") % {"label": label})
        return text
    if item.kind in (FieldKind.TEXT, FieldKind.TEXTAREA):
        longest = item.max_length or (MAX_TEXT if item.kind == FieldKind.TEXT else MAX_TEXTAREA)
        if len(text) > longest:
            raise _error(
                item,
                _("“%(label)s” may be at most %(max)d characters.")
                % {"label": label, "max": longest},
            )
        if item.pattern and not re.fullmatch(item.pattern, text):
            raise _error(item, _("“%(label)s” is not in the form asked for.") % {"label": label})
        return text
    if item.kind in (FieldKind.INTEGER, FieldKind.DECIMAL):
        try:
            number = _parse_decimal(text)
        except (InvalidOperation, ValueError):
            number = None
        if number is None or (item.kind == FieldKind.INTEGER and number != number.to_integral()):
            if item.kind == FieldKind.INTEGER:
                message = _("“%(label)s” must be a whole number, for example 2.")
            else:
                message = _("“%(label)s” must be a number, for example 1250,50.")
            raise _error(item, message % {"label": label})
        if item.min_value is not None and number < item.min_value:
            raise _error(
                item,
                _("“%(label)s” must be at least %(min)s.")
                % {"label": label, "min": _number_text(item.min_value)},
            )
        if item.max_value is not None and number > item.max_value:
            raise _error(
                item,
                _("“%(label)s” must be at most %(max)s.")
                % {"label": label, "max": _number_text(item.max_value)},
            )
        if item.kind == FieldKind.INTEGER:
            return int(number)
        return str(number.quantize(Decimal("0.01")))
    if item.kind == FieldKind.DATE:
        try:
            day = _parse_date(text)
        except ValueError:
            raise _error(
                item,
                _("“%(label)s” must be a real date, for example 24-12-2026.") % {"label": label},
            ) from None
        if not date(1900, 1, 1) <= day <= date(2100, 12, 31):
            raise _error(
                item,
                _("“%(label)s” must be a real date, for example 24-12-2026.") % {"label": label},
            )
        return day.isoformat()
    if item.kind == FieldKind.EMAIL:
        try:
            validate_email(text)
        except ValidationError:
            raise _error(item, _("Write an email address like navn@eksempel.dk.")) from None
        return text[:254]
    if item.kind == FieldKind.PHONE:
        compact = re.sub(r"[\s\-()]", "", text)
        if compact.startswith("00"):
            compact = "+" + compact[2:]
        if not _PHONE.match(compact) or (not compact.startswith("+") and len(compact) != 8):
            raise _error(
                item,
                _("Write a phone number of 8 digits, or with + and the country code."),
            )
        return compact
    if item.kind == FieldKind.CPR:
        from borgerservice.citizens.cpr import cpr_normalise

        try:
            return cpr_normalise(text)
        except ServiceError as exc:
            raise _error(item, exc.message) from None
    raise _error(item, _("Unknown kind of question."))  # pragma: no cover


def _number_text(value: Decimal) -> str:
    from django.utils.formats import number_format

    value = Decimal(value)
    if value == value.to_integral():
        return number_format(int(value), use_l10n=True, force_grouping=True)
    return number_format(value, 2, use_l10n=True, force_grouping=True)


@dataclass
class StepResult:
    answers: dict
    errors: list[dict]
    raw: dict[str, list[str]]


def step_read(shape: FormShape, step: FormStep, data, answers: dict) -> StepResult:
    """Read one step's posted values (``data`` a QueryDict) on top of ``answers``.

    Questions not asked (their condition not met) lose any earlier answer. On errors the
    result's ``answers`` are the old ones unchanged; ``raw`` is what was typed, to show
    it again."""
    by_name = {f.name: f for f in shape.fields}
    new = dict(answers)
    errors: list[dict] = []
    raw: dict[str, list[str]] = {}
    for item in shape.step_fields(step):
        raw[item.name] = data.getlist(item.name)
        if not is_asked(item, new, by_name):
            new.pop(item.name, None)
            continue
        try:
            value = parse_answer(item, raw[item.name])
        except ServiceError as exc:
            errors.append({"field": exc.field, "message": exc.message})
            new.pop(item.name, None)
            continue
        if value is None:
            new.pop(item.name, None)
        else:
            new[item.name] = value
    if errors:
        return StepResult(answers=answers, errors=errors, raw=raw)
    return StepResult(answers=prune(shape, new), errors=[], raw=raw)


def prune(shape: FormShape, answers: dict) -> dict:
    """Only the answers to questions that are asked (a changed answer may hide later
    questions)."""
    by_name = {f.name: f for f in shape.fields}
    return {
        name: value
        for name, value in answers.items()
        if name in by_name and is_asked(by_name[name], answers, by_name)
    }


def answers_check(shape: FormShape, answers: dict) -> dict:
    """The answers of a whole application, checked again as if typed (the draft lives
    in the session, but the service trusts nothing): every asked required question
    answered, every value valid. Returns the cleaned answers."""
    if not isinstance(answers, dict):
        raise ServiceError("selfservice.answers_invalid", _("The answers are not valid."))
    by_name = {f.name: f for f in shape.fields}
    clean: dict = {}
    for item in shape.fields:
        if not is_asked(item, {**answers, **clean}, by_name):
            continue
        value = answers.get(item.name)
        if isinstance(value, list):
            raw = [str(v) for v in value]
        elif value is None:
            raw = []
        else:
            raw = [str(value)]
        parsed = parse_answer(item, raw)
        if parsed is not None:
            clean[item.name] = parsed
    return prune(shape, clean)


# --- showing and using the answers ---------------------------------------------------


def display_value(item: FormField, value) -> str:
    """The answer as the citizen reads it, in the active language."""
    if _empty(value):
        return _("Not answered")
    if item.kind == FieldKind.CHECKBOX:
        return ", ".join(item.choice_label(v) for v in value)
    if item.kind in (FieldKind.RADIO, FieldKind.SELECT, FieldKind.YES_NO):
        return item.choice_label(value)
    if item.kind == FieldKind.DATE:
        return date_format(date.fromisoformat(value), "j. F Y")
    if item.kind == FieldKind.DECIMAL:
        return _number_text(Decimal(value))
    if item.kind == FieldKind.INTEGER:
        return _number_text(Decimal(value))
    if item.kind == FieldKind.CPR:
        return f"{value[:6]}-{value[6:]}"
    return str(value)


def summary(shape: FormShape, answers: dict) -> list[dict]:
    """Per active step: its number, title and the asked questions with their answers."""
    rows = []
    for number, step in active_steps(shape, answers):
        items = [
            {"field": item, "value": display_value(item, answers.get(item.name))}
            for item in asked_fields(shape, step, answers)
        ]
        if items:
            rows.append({"number": number, "step": step, "items": items})
    return rows


def rule_inputs(shape: FormShape, answers: dict, spec) -> dict:
    """The decisions engine's inputs from the answers (by the InputSpec names and kinds);
    questions not asked are left out."""
    inputs: dict = {}
    for item in spec.inputs:
        value = answers.get(item.name)
        if _empty(value):
            continue
        if item.kind == "int":
            inputs[item.name] = int(Decimal(str(value)))
        elif item.kind == "decimal":
            inputs[item.name] = Decimal(str(value))
        elif item.kind == "bool":
            inputs[item.name] = value == "yes" if isinstance(value, str) else bool(value)
        elif item.kind == "date":
            inputs[item.name] = date.fromisoformat(value)
        else:
            inputs[item.name] = value
    return inputs
