"""Checks of form definitions, for the admin and the demo data.

``field_definition_errors`` checks one question on its own (name, choices, limits,
pattern, the shape of ``show_if``). ``structure_errors`` checks a whole form: names
unique, each ``show_if`` refers to an earlier question and one of its values, and the
questions cover the inputs of the form's rule set with matching kinds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

# Which question kinds can feed which input kind of the decisions engine.
RULE_KIND_FIELDS = {
    "int": {"integer"},
    "decimal": {"decimal", "integer"},
    "bool": {"yes_no"},
    "choice": {"radio", "select"},
    "date": {"date"},
}


def rule_set_or_none(code: str):
    """The decisions engine's rule set ``code``, or None (unknown, or no engine)."""
    if not code:
        return None
    try:
        from borgerservice.decisions.engine import rule_set
    except ImportError:
        return None
    try:
        return rule_set(code)
    except (KeyError, LookupError, ValueError):
        return None
    except Exception:  # an engine that reports an unknown code its own way
        return None


def _choice_values(field) -> list[str]:
    if field.kind == "yes_no":
        return ["yes", "no"]
    return [str(item.get("value")) for item in field.choices or [] if isinstance(item, dict)]


def field_definition_errors(field) -> dict[str, str]:
    """Problems with one question by itself, as {model field: message}."""
    from .models import CHOICE_KINDS, NAME_PATTERN, NUMBER_KINDS, TEXT_KINDS, FieldKind

    errors: dict[str, str] = {}
    if field.name and not NAME_PATTERN.match(field.name):
        errors["name"] = _(
            "Use lower-case letters, digits and underscores, starting with a letter."
        )
    if field.kind in CHOICE_KINDS:
        choices = field.choices
        if not isinstance(choices, list) or not choices:
            errors["choices"] = _("A question with choices needs at least one choice.")
        else:
            values = []
            for item in choices:
                if not isinstance(item, dict) or not str(item.get("value", "")).strip():
                    errors["choices"] = _('Each choice needs a "value".')
                    break
                if not item.get("label_da") or not item.get("label_en"):
                    errors["choices"] = _('Each choice needs "label_da" and "label_en".')
                    break
                values.append(str(item["value"]))
            else:
                if len(set(values)) != len(values):
                    errors["choices"] = _("The values of the choices must differ.")
    elif field.choices:
        errors["choices"] = _("Only radio buttons, checkboxes and drop-down lists have choices.")
    if (field.min_value is not None or field.max_value is not None) and (
        field.kind not in NUMBER_KINDS
    ):
        errors["min_value"] = _("Only number questions have a smallest and largest number.")
    if (
        field.min_value is not None
        and field.max_value is not None
        and field.min_value > field.max_value
    ):
        errors["max_value"] = _("The largest number must not be below the smallest.")
    if field.max_length is not None and field.kind not in TEXT_KINDS:
        errors["max_length"] = _("Only text questions have a longest length.")
    if field.pattern:
        if field.kind not in TEXT_KINDS:
            errors["pattern"] = _("Only text questions have a pattern.")
        else:
            try:
                re.compile(field.pattern)
            except re.error:
                errors["pattern"] = _("The pattern is not a valid regular expression.")
    if field.show_if is not None:
        message = show_if_shape_error(field.show_if)
        if message:
            errors["show_if"] = message
        elif field.show_if.get("field") == field.name:
            errors["show_if"] = _("A question cannot depend on itself.")
    if field.kind == FieldKind.CHECKBOX and field.required and not field.choices:
        errors.setdefault("choices", _("A question with choices needs at least one choice."))
    if field.step_id and field.form_id and field.step.form_id != field.form_id:
        errors["step"] = _("The step belongs to another form.")
    if field.form_id and field.name and field.show_if and "show_if" not in errors:
        earlier = _earlier_fields_in_db(field)
        message = _show_if_target_error(field, {f.name: f for f in earlier})
        if message:
            errors["show_if"] = message
    return errors


def show_if_shape_error(show_if) -> str:
    if not isinstance(show_if, dict) or not isinstance(show_if.get("field"), str):
        return _('Write the condition as {"field": "name", "equals": "value"}.')
    keys = set(show_if) - {"field"}
    if keys == {"equals"} and isinstance(show_if["equals"], str | int | bool):
        return ""
    if keys == {"in"} and isinstance(show_if["in"], list) and show_if["in"]:
        return ""
    return _('Write the condition as {"field": "name", "equals": "value"} or with "in": [...].')


def _order_key(field) -> tuple[int, int]:
    step_position = field.step.position if field.step_id else 0
    return (step_position, field.position or 0)


def _earlier_fields_in_db(field) -> list:
    from .models import FormField

    others = FormField.objects.filter(form_id=field.form_id).select_related("step")
    if field.pk:
        others = others.exclude(pk=field.pk)
    key = _order_key(field)
    return [other for other in others if _order_key(other) < key]


def _condition_values(show_if: dict) -> list[str]:
    if "equals" in show_if:
        value = show_if["equals"]
        if isinstance(value, bool):
            return ["yes" if value else "no"]
        return [str(value)]
    return [str(v) for v in show_if.get("in", [])]


def _show_if_target_error(field, earlier: dict) -> str:
    target_name = field.show_if.get("field")
    target = earlier.get(target_name)
    if target is None:
        return _("The condition must refer to an earlier question of the form (%(name)s).") % {
            "name": target_name
        }
    values = _choice_values(target)
    if values:
        unknown = [v for v in _condition_values(field.show_if) if v not in values]
        if unknown:
            return _("The question %(name)s has no choice %(value)s.") % {
                "name": target_name,
                "value": ", ".join(unknown),
            }
    return ""


def structure_errors(form, fields: Iterable) -> list[str]:
    """Problems with the form as a whole; ``fields`` are its questions (saved or not),
    each with its step set."""
    fields = sorted(fields, key=_order_key)
    errors: list[str] = []
    seen: dict[str, object] = {}
    for field in fields:
        if field.name in seen:
            errors.append(
                _("Two questions are called %(name)s; names must be unique in the form.")
                % {"name": field.name}
            )
            continue
        if field.show_if and not show_if_shape_error(field.show_if):
            message = _show_if_target_error(field, seen)
            if message:
                errors.append(f"{field.name}: {message}")
        seen[field.name] = field
    if form.rule_set:
        spec = rule_set_or_none(form.rule_set)
        if spec is None:
            errors.append(
                _("The decisions engine has no rule set %(code)s.") % {"code": form.rule_set}
            )
        else:
            errors.extend(_rule_set_errors(spec, seen))
    return errors


def _rule_set_errors(spec, fields: dict) -> list[str]:
    errors = []
    for item in spec.inputs:
        field = fields.get(item.name)
        required = getattr(item, "required", True)
        if field is None:
            if required:
                errors.append(
                    _("The rule set needs the question %(name)s (%(kind)s).")
                    % {"name": item.name, "kind": item.kind}
                )
            continue
        allowed = RULE_KIND_FIELDS.get(item.kind, set())
        if field.kind not in allowed:
            errors.append(
                _("The question %(name)s must be of a kind that gives %(kind)s.")
                % {"name": item.name, "kind": item.kind}
            )
            continue
        if item.kind == "choice":
            spec_values = {str(_choice_value(c)) for c in (item.choices or [])}
            extra = [v for v in _choice_values(field) if spec_values and v not in spec_values]
            if extra:
                errors.append(
                    _("The question %(name)s has choices the rule set does not know: %(values)s.")
                    % {"name": item.name, "values": ", ".join(extra)}
                )
    return errors


def _choice_value(choice):
    """An InputSpec choice may be a plain value, a (value, label) pair or a dict."""
    if isinstance(choice, dict):
        return choice.get("value")
    if isinstance(choice, list | tuple):
        return choice[0]
    return choice
