"""The engine's interface: the registry, input specs, input validation errors (missing,
wrong type, out of range) with translated messages and the field name, unknown rule sets,
and the catalogue services each rule set decides for."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.decisions.base import KINDS, number_da, number_en
from borgerservice.decisions.engine import RULE_SETS, Result, clean_inputs, evaluate, rule_set

from .conftest import DAY_2024

FRIPLADS = {"household_income": 250_000, "children_under_18": 1, "single_provider": False}


def test_registry_holds_the_three_rule_sets():
    assert set(RULE_SETS) == {"friplads", "boernetilskud", "helbredstillaeg"}
    for code, rules in RULE_SETS.items():
        assert rule_set(code) is rules
        assert rules.code == code
        with translation.override("en"):
            assert str(rules.name)
        assert rules.service_codes
        names = [spec.name for spec in rules.inputs]
        assert len(names) == len(set(names))
        for spec in rules.inputs:
            assert spec.kind in KINDS
            assert spec.name.isidentifier() and spec.name == spec.name.lower()
            assert str(spec.label)


def test_unknown_rule_set_is_not_found():
    with pytest.raises(NotFound) as error:
        rule_set("boligstoette")
    assert error.value.status == 404
    with pytest.raises(NotFound):
        evaluate("boligstoette", {}, on=DAY_2024)


@pytest.mark.django_db
def test_service_codes_are_level_2_catalogue_services():
    from borgerservice.catalogue.models import Service

    for rules in RULE_SETS.values():
        services = list(Service.objects.filter(code__in=rules.service_codes))
        assert len(services) == len(rules.service_codes), rules.code
        for service in services:
            assert 2 in service.levels, service.code


def test_result_is_frozen_and_json_ready():
    import json

    result = evaluate("friplads", FRIPLADS, on=DAY_2024)
    assert isinstance(result, Result)
    with pytest.raises(AttributeError):
        result.outcome = "refused"
    data = json.loads(json.dumps(result.as_dict()))
    assert data["outcome"] == "granted"
    assert data["percentage"] == "84"  # 11 steps of 4.441 kr. above 200.301 kr. (2024)
    assert data["decided_on"] == "2024-06-01"


@pytest.mark.parametrize("name", ["household_income", "children_under_18", "single_provider"])
@pytest.mark.parametrize("blank", [None, "", "  "])
def test_missing_required_input(name, blank):
    inputs = {**FRIPLADS, name: blank}
    with pytest.raises(ServiceError) as error:
        evaluate("friplads", inputs, on=DAY_2024)
    assert error.value.code == "decisions.input_missing"
    assert error.value.field == name
    with translation.override("en"):
        label = str(rule_set("friplads").input(name).label)
        assert label in error.value.message


def test_left_out_input_is_missing_too():
    with pytest.raises(ServiceError) as error:
        evaluate("friplads", {"household_income": 1}, on=DAY_2024)
    assert error.value.field == "children_under_18"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("household_income", "a lot"),
        ("household_income", True),
        ("household_income", [1]),
        ("household_income", "NaN"),
        ("children_under_18", "two"),
        ("children_under_18", 1.5),
        ("children_under_18", True),
        ("single_provider", "maybe"),
        ("single_provider", 2),
        ("childcare_type", "nanny"),
        ("childcare_type", 1),
    ],
)
def test_wrong_type(name, value):
    with pytest.raises(ServiceError) as error:
        evaluate("friplads", {**FRIPLADS, name: value}, on=DAY_2024)
    assert error.value.code == "decisions.input_invalid"
    assert error.value.field == name
    assert error.value.status == 400


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("household_income", -1),
        ("household_income", "100000001"),
        ("children_under_18", 0),
        ("children_under_18", 21),
        ("monthly_fee", "-0.01"),
    ],
)
def test_out_of_range(name, value):
    with pytest.raises(ServiceError) as error:
        evaluate("friplads", {**FRIPLADS, name: value}, on=DAY_2024)
    assert error.value.code == "decisions.input_range"
    assert error.value.field == name
    with translation.override("en"):
        assert "must be at" in error.value.message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("household_income", 0),
        ("household_income", 100_000_000),
        ("children_under_18", 1),
        ("children_under_18", 20),
    ],
)
def test_range_bounds_are_inclusive(name, value):
    evaluate("friplads", {**FRIPLADS, name: value}, on=DAY_2024)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("250000", Decimal(250000)),
        ("250000,50", Decimal("250000.50")),
        ("250000.50", Decimal("250000.50")),
        ("250.000", Decimal(250000)),
        ("250.000,50", Decimal("250000.50")),
        ("250 000", Decimal(250000)),
        (250000.5, Decimal("250000.5")),
        (Decimal("1.5"), Decimal("1.5")),
    ],
)
def test_decimal_inputs_accept_form_strings(raw, expected):
    values = clean_inputs(rule_set("friplads"), {**FRIPLADS, "household_income": raw})
    assert values["household_income"] == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("ja", True), ("0", False), ("nej", False), (1, True)]
)
def test_bool_inputs_accept_form_strings(raw, expected):
    values = clean_inputs(rule_set("friplads"), {**FRIPLADS, "single_provider": raw})
    assert values["single_provider"] is expected


def test_date_inputs():
    rules = rule_set("boernetilskud")
    base = {
        "single_provider": True,
        "has_custody": True,
        "child_lives_with_applicant": True,
        "resident_in_denmark": True,
        "child_in_denmark": True,
        "danish_citizen_or_refugee": True,
    }
    assert clean_inputs(rules, {**base, "child_birth_date": "2015-03-01"})[
        "child_birth_date"
    ] == date(2015, 3, 1)
    assert clean_inputs(rules, {**base, "child_birth_date": datetime(2015, 3, 1, 12)})[
        "child_birth_date"
    ] == date(2015, 3, 1)
    for bad in ("01-03-2015", "2015-02-30", 20150301):
        with pytest.raises(ServiceError) as error:
            clean_inputs(rules, {**base, "child_birth_date": bad})
        assert error.value.field == "child_birth_date"


def test_unknown_keys_are_ignored_and_not_stored():
    result = evaluate("friplads", {**FRIPLADS, "cpr": "0101011234"}, on=DAY_2024)
    assert "cpr" not in result.inputs


def test_inputs_must_be_a_mapping():
    with pytest.raises(ServiceError):
        evaluate("friplads", ["household_income"], on=DAY_2024)


def test_decision_date_must_be_a_date():
    with pytest.raises(ServiceError):
        evaluate("friplads", FRIPLADS, on="2024-06-01")
    with pytest.raises(ServiceError):
        evaluate("friplads", FRIPLADS, on=datetime(2024, 6, 1))


def test_no_parameters_message_names_the_date():
    with pytest.raises(ServiceError) as error:
        evaluate("friplads", FRIPLADS, on=date(2019, 1, 1))
    with translation.override("en"):
        assert "2019-01-01" in error.value.message


def test_number_formatting():
    assert number_da(Decimal(185701)) == "185.701"
    assert number_en(Decimal(185701)) == "185,701"
    assert number_da(Decimal("1608.5")) == "1.608,50"
    assert number_en(Decimal("-1234567.125")) == "-1,234,567.13"
    assert number_da(7) == "7"


@pytest.mark.django_db
def test_evaluate_reads_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        for code, inputs in (
            ("friplads", FRIPLADS),
            (
                "helbredstillaeg",
                {
                    "pension_type": "none",
                    "resident_in_denmark": True,
                    "cohabiting": False,
                    "liquid_assets": 0,
                },
            ),
        ):
            evaluate(code, inputs, on=DAY_2024)
