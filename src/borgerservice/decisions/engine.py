"""The rules-as-code engine for instant decisions on level-2 (rule-based) services.

    from borgerservice.decisions.engine import evaluate, rule_set, RULE_SETS

    result = evaluate("friplads", {"household_income": 250000, ...}, on=date(2026, 3, 1))
    result.outcome        # "granted" | "refused" | "manual"
    result.explanation    # the rules applied, with facts and parameter values (da + en)

``evaluate`` is pure: it checks the inputs against the rule set's ``InputSpec`` list
(bad input raises ``ServiceError`` with ``field`` = the input's name), looks up the
parameters valid on ``on`` in the rule set's data file (cached) and applies the rules.
It reads no database and stores nothing; ``decisions.services.decision_record`` stores
a result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import ModuleType
from typing import Any

from django.utils.translation import gettext_lazy as _

from borgerservice.core.errors import NotFound, ServiceError

from . import params
from .base import OUTCOMES, InputSpec, fact
from .rules import boernetilskud, friplads, helbredstillaeg

__all__ = ["RULE_SETS", "InputSpec", "Result", "RuleSet", "evaluate", "rule_set"]


@dataclass(frozen=True)
class Result:
    """One decision. ``amount`` is the money the rule set decides on, if any (friplads:
    the municipality's monthly share when the fee was given; børnetilskud: the total per
    quarter); ``percentage`` the percentage it decides on (friplads: the share of the
    parental payment the municipality pays; helbredstillæg: the share of the citizen's
    own payment covered); ``details`` what was granted, item by item (børnetilskud:
    ``{"allowances": [{"allowance": "ordinary"|"extra", "per_quarter": "1608", ...}]}``;
    friplads and helbredstillæg: the percentage and, for friplads, the monthly amount).

    The parameter dicts in ``explanation`` are shared with the cached data file: read
    them, never change them."""

    rule_set: str
    outcome: str
    rule_version: str
    decided_on: date
    inputs: dict
    explanation: list[dict]
    reasons: list[str] = field(default_factory=list)
    amount: Decimal | None = None
    percentage: Decimal | None = None
    details: dict = field(default_factory=dict)
    complaint_guidance_da: str = ""
    complaint_guidance_en: str = ""
    example_values: bool = False

    def as_dict(self) -> dict:
        """JSON-ready (the API's answer)."""
        return {
            "rule_set": self.rule_set,
            "outcome": self.outcome,
            "rule_version": self.rule_version,
            "decided_on": self.decided_on.isoformat(),
            "inputs": self.inputs,
            "amount": str(self.amount) if self.amount is not None else None,
            "percentage": str(self.percentage) if self.percentage is not None else None,
            "details": self.details,
            "reasons": list(self.reasons),
            "explanation": self.explanation,
            "complaint_guidance_da": self.complaint_guidance_da,
            "complaint_guidance_en": self.complaint_guidance_en,
            "example_values": self.example_values,
        }


@dataclass(frozen=True)
class RuleSet:
    code: str
    name: Any  # translated (lazy)
    inputs: tuple[InputSpec, ...]
    service_codes: tuple[str, ...]
    decide: Callable

    @property
    def data(self) -> params.ParameterFile:
        return params.load(self.code)

    @property
    def legal_basis(self) -> str:
        return self.data.legal_basis

    def input(self, name: str) -> InputSpec:
        for spec in self.inputs:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def segment_on(self, on: date) -> params.Segment:
        """The parameters valid on ``on``; ServiceError when there are none."""
        segment = self.data.segment_on(on)
        if segment is None or not segment.complete:
            raise ServiceError(
                "decisions.no_parameters",
                _("The rules for %(name)s have no figures valid on %(date)s."),
                params={"name": self.name, "date": on.isoformat()},
            )
        return segment

    def version_on(self, on: date) -> str:
        return self.data.version(self.segment_on(on))


def _from_module(module: ModuleType) -> RuleSet:
    return RuleSet(
        code=module.CODE,
        name=module.NAME,
        inputs=tuple(module.INPUTS),
        service_codes=tuple(module.SERVICE_CODES),
        decide=module.decide,
    )


RULE_SETS: dict[str, RuleSet] = {
    rs.code: rs for rs in map(_from_module, (friplads, boernetilskud, helbredstillaeg))
}


def rule_set(code: str) -> RuleSet:
    try:
        return RULE_SETS[code]
    except KeyError:
        raise NotFound(
            "decisions.unknown_rule_set",
            _("There is no rule set called %(code)s."),
            params={"code": code},
        ) from None


# --- input checks -------------------------------------------------------------------------

_TRUE = frozenset({"true", "1", "yes", "ja", "on"})
_FALSE = frozenset({"false", "0", "no", "nej", "off"})
_DANISH_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")


def _missing(spec: InputSpec) -> ServiceError:
    return ServiceError(
        "decisions.input_missing",
        _("Answer the question “%(label)s”."),
        field=spec.name,
        params={"label": spec.label},
    )


def _wrong(spec: InputSpec, message) -> ServiceError:
    return ServiceError(
        "decisions.input_invalid", message, field=spec.name, params={"label": spec.label}
    )


def _decimal(spec: InputSpec, raw) -> Decimal:
    if isinstance(raw, bool):
        raise _wrong(spec, _("“%(label)s” must be a number."))
    if isinstance(raw, Decimal | int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "").replace("\u00a0", "").replace("_", "")
        if _DANISH_THOUSANDS.match(text):
            text = text.replace(".", "").replace(",", ".")
        elif "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise _wrong(spec, _("“%(label)s” must be a number.")) from None
    else:
        raise _wrong(spec, _("“%(label)s” must be a number."))
    if not value.is_finite():
        raise _wrong(spec, _("“%(label)s” must be a number."))
    return value


def _check_range(spec: InputSpec, value) -> None:
    if spec.min is not None and value < spec.min:
        raise ServiceError(
            "decisions.input_range",
            _("“%(label)s” must be at least %(min)s."),
            field=spec.name,
            params={"label": spec.label, "min": spec.min},
        )
    if spec.max is not None and value > spec.max:
        raise ServiceError(
            "decisions.input_range",
            _("“%(label)s” must be at most %(max)s."),
            field=spec.name,
            params={"label": spec.label, "max": spec.max},
        )


def _clean_one(spec: InputSpec, raw):
    kind = spec.kind
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE:
            return True
        if isinstance(raw, str) and raw.strip().lower() in _FALSE:
            return False
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        raise _wrong(spec, _("“%(label)s” must be yes or no."))
    if kind == "int":
        if isinstance(raw, bool):
            raise _wrong(spec, _("“%(label)s” must be a whole number."))
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            value = int(raw.strip())
        elif isinstance(raw, Decimal | float) and raw == int(raw):
            value = int(raw)
        else:
            raise _wrong(spec, _("“%(label)s” must be a whole number."))
        _check_range(spec, value)
        return value
    if kind == "decimal":
        value = _decimal(spec, raw)
        _check_range(spec, value)
        return value
    if kind == "choice":
        if isinstance(raw, str) and raw in spec.choice_values:
            return raw
        raise _wrong(spec, _("Choose one of the answers to “%(label)s”."))
    # date
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise _wrong(spec, _("“%(label)s” must be a date (YYYY-MM-DD)."))


def clean_inputs(rules: RuleSet, inputs: dict) -> dict:
    """The inputs the rule set uses, checked and converted (unknown keys are ignored)."""
    if not isinstance(inputs, dict):
        raise ServiceError("decisions.inputs_invalid", _("The answers must be an object."))
    values = {}
    for spec in rules.inputs:
        raw = inputs.get(spec.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                raise _missing(spec)
            values[spec.name] = spec.default
            continue
        values[spec.name] = _clean_one(spec, raw)
    return values


# --- evaluation -----------------------------------------------------------------------------


def evaluate(code: str, inputs: dict, *, on: date) -> Result:
    """Decide ``code`` for ``inputs`` on the decision date ``on``. Pure and fast."""
    rules = rule_set(code)
    if not isinstance(on, date) or isinstance(on, datetime):
        raise ServiceError("decisions.date_invalid", _("The decision date must be a date."))
    values = clean_inputs(rules, inputs)
    segment = rules.segment_on(on)
    data = rules.data
    verdict = rules.decide(values, segment, on)
    outcome = verdict.outcome
    assert outcome in OUTCOMES
    return Result(
        rule_set=code,
        outcome=outcome,
        rule_version=data.version(segment),
        decided_on=on,
        inputs={name: fact(value) for name, value in values.items()},
        explanation=verdict.steps,
        reasons=verdict.reasons if outcome == "manual" else [],
        amount=verdict.amount if outcome == "granted" else None,
        percentage=verdict.percentage if outcome == "granted" else None,
        details=verdict.details if outcome == "granted" else {},
        complaint_guidance_da=data.complaint_guidance.text_da,
        complaint_guidance_en=data.complaint_guidance.text_en,
        example_values=segment.has_example_values,
    )
