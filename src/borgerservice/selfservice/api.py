"""Public read-only endpoints for the application forms, so that another front end (an
app, a municipal web site) can render the same forms: steps, questions, kinds, choices,
limits and conditions. Submitting needs a citizen login and goes through Min side."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from borgerservice.api.params import ErrorOut, reject_unknown_parameters

from . import selectors
from .answers import form_shape

router = Router(tags=["selfservice"])


class ChoiceOut(Schema):
    value: str
    label_da: str
    label_en: str


class FieldOut(Schema):
    name: str = Field(description="The answer's key; for a rule-set form the engine's input name")
    kind: str = Field(
        description="text, textarea, integer, decimal, date, yes_no, radio, checkbox, select, "
        "email, phone or cpr"
    )
    label_da: str
    label_en: str
    hint_da: str
    hint_en: str
    required: bool
    choices: list[ChoiceOut] = Field(description="For radio, checkbox and select; yes_no: yes/no")
    min_value: str | None = None
    max_value: str | None = None
    max_length: int | None = None
    pattern: str = ""
    show_if: dict | None = Field(
        None,
        description='Ask only when an earlier answer matches: {"field", "equals"} or '
        '{"field", "in": [...]}',
    )


class StepOut(Schema):
    number: int
    title_da: str
    title_en: str
    intro_da: str
    intro_en: str
    fields: list[FieldOut]


class FormSummaryOut(Schema):
    service_code: str
    service_name_da: str
    service_name_en: str
    title_da: str
    title_en: str
    version: int
    minutes: int
    rule_set: str = Field(description="Rule set that can decide at once; empty when none")


class FormOut(FormSummaryOut):
    intro_da: str
    intro_en: str
    you_need_da: list[str]
    you_need_en: list[str]
    processing_days: int | None = Field(
        None, description="Working days to expect an answer (the case type's target)"
    )
    steps: list[StepOut]


def _summary(form) -> dict:
    return {
        "service_code": form.service.code,
        "service_name_da": form.service.name_da,
        "service_name_en": form.service.name_en,
        "title_da": form.title_da,
        "title_en": form.title_en,
        "version": form.version,
        "minutes": form.minutes,
        "rule_set": form.rule_set,
    }


def _lines(text: str, fallback) -> list[str]:
    own = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return own or list(fallback or [])


def _choices(item) -> list[dict]:
    if item.kind == "yes_no":
        return [
            {"value": "yes", "label_da": "Ja", "label_en": "Yes"},
            {"value": "no", "label_da": "Nej", "label_en": "No"},
        ]
    return [
        {
            "value": str(c.get("value")),
            "label_da": c.get("label_da", ""),
            "label_en": c.get("label_en", ""),
        }
        for c in item.choices or []
    ]


def _number(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@router.get("/self-service/forms", response=list[FormSummaryOut], summary="Application forms")
def forms(request: HttpRequest):
    """The active application forms of Min side, one per service."""
    reject_unknown_parameters(request, set())
    return [_summary(form) for form in selectors.forms_available()]


@router.get(
    "/self-service/forms/{service_code}",
    response={200: FormOut, 404: ErrorOut},
    summary="One application form",
)
def form_detail(request: HttpRequest, service_code: str):
    """The active form of a service with its steps and questions."""
    reject_unknown_parameters(request, set())
    form = selectors.form_for_service_code(service_code)
    shape = form_shape(form)
    case_type = getattr(form.service, "case_type", None)
    return {
        **_summary(form),
        "intro_da": form.intro_da,
        "intro_en": form.intro_en,
        "you_need_da": _lines(form.you_need_da, form.service.bring_da),
        "you_need_en": _lines(form.you_need_en, form.service.bring_en),
        "processing_days": case_type.processing_days if case_type else None,
        "steps": [
            {
                "number": number,
                "title_da": step.title_da,
                "title_en": step.title_en,
                "intro_da": step.intro_da,
                "intro_en": step.intro_en,
                "fields": [
                    {
                        "name": item.name,
                        "kind": item.kind,
                        "label_da": item.label_da,
                        "label_en": item.label_en,
                        "hint_da": item.hint_da,
                        "hint_en": item.hint_en,
                        "required": item.required,
                        "choices": _choices(item),
                        "min_value": _number(item.min_value),
                        "max_value": _number(item.max_value),
                        "max_length": item.max_length,
                        "pattern": item.pattern,
                        "show_if": item.show_if,
                    }
                    for item in shape.step_fields(step)
                ],
            }
            for number, step in enumerate(shape.steps, start=1)
        ],
    }
