"""Instant-decision endpoints: the rule sets with their inputs and current parameters, and a
dry run of a rule set (nothing is stored, no personal data is read).

For signed-in staff (session or bearer token), like the other staff endpoints.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters

from .engine import RULE_SETS, RuleSet, evaluate, rule_set

router = Router(tags=["decisions"], auth=STAFF_AUTH)

ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
ON_QUERY = Query(None, description="Show the parameters valid on this day; default today")


class ChoiceOut(Schema):
    value: str
    label: str


class InputOut(Schema):
    name: str = Field(description="The answer's key in `inputs` (and the form field's name)")
    kind: str = Field(description="int, decimal, bool, choice or date")
    label: str
    help: str
    required: bool
    default: Any = None
    choices: list[ChoiceOut]
    min: str | None = None
    max: str | None = None


class ParametersOut(Schema):
    version: str | None = Field(description="Rule version used for a decision on that day")
    valid_from: date | None
    valid_to: date | None = Field(description="Last day; null when open-ended")
    example_values: bool = Field(description="Some figures are unverified example values")
    values: list[dict] = Field(description="Each parameter value with its source and validity")


class RuleSetOut(Schema):
    code: str
    name: str
    legal_basis: str
    service_codes: list[str]
    inputs: list[InputOut]
    parameters: ParametersOut


class RuleSetListOut(Schema):
    items: list[RuleSetOut]
    count: int


class EvaluateIn(Schema):
    inputs: dict[str, Any] = Field(description="The answers, keyed by input name")
    on: date | None = Field(None, description="Decision date; default today")


class StepOut(Schema):
    rule: str
    outcome: str = Field(description="ok, refused, manual or info")
    text_da: str
    text_en: str
    facts: dict
    parameters: list[dict]
    source: str


class ResultOut(Schema):
    rule_set: str
    outcome: str = Field(description="granted, refused or manual")
    rule_version: str
    decided_on: date
    inputs: dict
    amount: str | None
    percentage: str | None
    details: dict = Field(description="What was granted, item by item")
    reasons: list[str]
    explanation: list[StepOut]
    complaint_guidance_da: str
    complaint_guidance_en: str
    example_values: bool


def _bound(value) -> str | None:
    return None if value is None else str(value)


def _rule_set_out(rules: RuleSet, on: date) -> dict:
    segment = rules.data.segment_on(on)
    complete = segment is not None and segment.complete
    return {
        "code": rules.code,
        "name": str(rules.name),
        "legal_basis": rules.legal_basis,
        "service_codes": list(rules.service_codes),
        "inputs": [
            {
                "name": spec.name,
                "kind": spec.kind,
                "label": str(spec.label),
                "help": str(spec.help),
                "required": spec.required,
                "default": spec.default,
                "choices": [{"value": v, "label": str(label)} for v, label in spec.choices],
                "min": _bound(spec.min),
                "max": _bound(spec.max),
            }
            for spec in rules.inputs
        ],
        "parameters": {
            "version": rules.data.version(segment) if complete else None,
            "valid_from": segment.start if complete else None,
            "valid_to": segment.last_day if complete else None,
            "example_values": segment.has_example_values if complete else False,
            "values": list(segment.cited.values()) if complete else [],
        },
    }


@router.get(
    "/decisions/rule-sets",
    response={200: RuleSetListOut, **ERRORS},
    summary="Rule sets for instant decisions",
)
def rule_sets(request: HttpRequest, on: date | None = ON_QUERY):
    """Every rule set: its inputs, the catalogue services it decides for, and the parameter
    version valid on ``on`` (today by default) with each figure's source."""
    reject_unknown_parameters(request, {"on"})
    day = on or timezone.localdate()
    items = [_rule_set_out(rules, day) for rules in RULE_SETS.values()]
    return {"items": items, "count": len(items)}


@router.get(
    "/decisions/rule-sets/{code}",
    response={200: RuleSetOut, **ERRORS},
    summary="One rule set",
)
def rule_set_detail(request: HttpRequest, code: str, on: date | None = ON_QUERY):
    reject_unknown_parameters(request, {"on"})
    return _rule_set_out(rule_set(code), on or timezone.localdate())


@router.post(
    "/decisions/{code}/evaluate",
    response={200: ResultOut, **ERRORS},
    summary="Dry run of a rule set",
)
def evaluate_dry_run(request: HttpRequest, code: str, payload: EvaluateIn):
    """Decide on the given answers and return outcome and explanation. Nothing is stored.

    Invalid answers give 400 with ``field`` set to the input's name."""
    result = evaluate(code, payload.inputs, on=payload.on or timezone.localdate())
    return result.as_dict()
