"""Parsing what a citizen typed, per kind of question."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from borgerservice.core.errors import ServiceError
from borgerservice.selfservice.answers import display_value, parse_answer
from borgerservice.selfservice.models import FormField


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def q(kind, **extra):
    return FormField(name="x", kind=kind, label_da="Spørgsmål", label_en="Question", **extra)


@pytest.mark.parametrize(
    ("kind", "raw", "value", "extra"),
    [
        ("text", ["  hej "], "hej", {}),
        ("integer", ["3"], 3, {}),
        ("integer", ["1.000"], 1000, {}),
        ("decimal", ["1.250,50"], "1250.50", {}),
        ("decimal", ["1250,5"], "1250.50", {}),
        ("decimal", ["12.5"], "12.50", {}),
        ("decimal", ["250 000 kr."], "250000.00", {}),
        ("date", ["2026-03-02"], "2026-03-02", {}),
        ("date", ["2.3.2026"], "2026-03-02", {}),
        ("yes_no", ["yes"], "yes", {}),
        ("email", ["a@b.dk"], "a@b.dk", {}),
        ("phone", ["12 34 56 78"], "12345678", {}),
        ("phone", ["0045 12345678"], "+4512345678", {}),
        ("cpr", ["010203-1234"], "0102031234", {}),
        ("text", [""], None, {"required": False}),
        (
            "checkbox",
            ["b", "a"],
            ["a", "b"],
            {
                "choices": [
                    {"value": "a", "label_da": "A", "label_en": "A"},
                    {"value": "b", "label_da": "B", "label_en": "B"},
                ]
            },
        ),
    ],
)
def test_valid_answers(kind, raw, value, extra):
    assert parse_answer(q(kind, **extra), raw) == value


@pytest.mark.parametrize(
    ("kind", "raw", "message", "extra"),
    [
        ("text", [""], "Answer “Question”.", {}),
        ("yes_no", [], "Choose an answer to “Question”.", {}),
        ("yes_no", ["perhaps"], "Choose among the options for “Question”.", {}),
        ("integer", ["2.5"], "must be a whole number", {}),
        ("integer", ["0"], "must be at least 1", {"min_value": Decimal(1)}),
        ("decimal", ["abc"], "must be a number", {}),
        ("decimal", ["NaN"], "must be a number", {}),
        ("decimal", ["2000000"], "must be at most 1,000,000", {"max_value": Decimal(1000000)}),
        ("date", ["31-02-2026"], "must be a real date", {}),
        ("email", ["nope"], "email address", {}),
        ("phone", ["123"], "phone number", {}),
        ("cpr", ["123"], "CPR number", {}),
        ("text", ["x" * 11], "at most 10 characters", {"max_length": 10}),
        ("text", ["abc"], "not in the form asked for", {"pattern": r"\d+"}),
    ],
)
def test_invalid_answers(kind, raw, message, extra):
    item = q(kind, **extra)
    with pytest.raises(ServiceError) as error:
        parse_answer(item, raw)
    assert message in error.value.message
    assert error.value.field == "field-x"


def test_display_values():
    assert display_value(q("yes_no"), "yes") == "Yes"
    assert display_value(q("decimal"), "1250.50") == "1,250.50"
    assert display_value(q("date"), "2026-03-02") == "2. March 2026"
    assert display_value(q("cpr"), "0102031234") == "010203-1234"
    assert display_value(q("text"), None) == "Not answered"
