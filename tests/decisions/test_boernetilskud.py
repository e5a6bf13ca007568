"""Ordinært and ekstra børnetilskud: the age limit around the 18th birthday, residence
period, one extra supplement whatever the number of children, the pensioner route, the
general conditions, manual outcomes and the amounts per quarter in each period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from borgerservice.core.errors import ServiceError
from borgerservice.decisions.engine import evaluate

from .conftest import DAY_2017, DAY_2024, DAY_2026, figures, outcomes

BASE = {
    "child_birth_date": "2015-03-01",
    "single_provider": True,
    "has_custody": True,
    "child_lives_with_applicant": True,
    "resident_in_denmark": True,
    "child_in_denmark": True,
    "danish_citizen_or_refugee": True,
}


def decide(on=DAY_2024, **changes):
    return evaluate("boernetilskud", {**BASE, **changes}, on=on)


def quarter(name: str, on=DAY_2024) -> Decimal:
    f = figures("boernetilskud", on)
    return f[name] / f["payments_per_year"]


def test_single_provider_with_one_child_gets_ordinary_and_extra():
    result = decide()
    assert result.outcome == "granted"
    assert result.amount == Decimal(6432 + 6556) / 4  # bm.dk 2024: 1.608 + 1.639 kr.
    assert result.amount == quarter("ordinary_per_year") + quarter("extra_per_year")
    total = next(s for s in result.explanation if s["rule"] == "boernetilskud.total")
    assert [a["allowance"] for a in total["facts"]["allowances"]] == ["ordinary", "extra"]
    assert result.details == {
        "allowances": [
            {"allowance": "ordinary", "children": 1, "per_quarter": "1608"},
            {"allowance": "extra", "per_quarter": "1639"},
        ],
        "total_per_quarter": "3247",
    }


@pytest.mark.parametrize("others", [1, 2, 5])
def test_one_extra_supplement_whatever_the_number_of_children(others):
    result = decide(other_children_under_18=others)
    expected = quarter("ordinary_per_year") * (1 + others) + quarter("extra_per_year")
    assert result.amount == expected


def test_both_parents_pensioners_get_ordinary_only():
    result = decide(single_provider=False, both_parents_pensioners=True)
    assert result.outcome == "granted"
    assert result.amount == quarter("ordinary_per_year")
    assert "boernetilskud.extra" not in outcomes(result)
    assert [a["allowance"] for a in result.details["allowances"]] == ["ordinary"]


@pytest.mark.parametrize(
    ("born", "outcome"),
    [
        (date(2006, 6, 2), "granted"),  # 17, turns 18 tomorrow
        (date(2006, 6, 1), "refused"),  # 18 today
        (date(2006, 5, 31), "refused"),  # 18 and a day
        (date(2005, 6, 1), "refused"),  # 19
        (date(2007, 6, 1), "granted"),  # 17
        (date(2024, 6, 1), "granted"),  # born today
    ],
)
def test_age_limit_around_the_18th_birthday(born, outcome):
    assert figures("boernetilskud", DAY_2024)["age_limit"] == 18
    result = decide(child_birth_date=born)
    assert result.outcome == outcome
    assert outcomes(result)["boernetilskud.age"] == ("ok" if outcome == "granted" else "refused")


def test_birth_date_after_the_decision_date_is_an_input_error():
    with pytest.raises(ServiceError) as error:
        decide(child_birth_date="2024-06-02")
    assert error.value.field == "child_birth_date"


@pytest.mark.parametrize(
    "changes",
    [
        {"single_provider": False},
        {"has_custody": False},
        {"child_lives_with_applicant": False},
    ],
)
def test_ordinary_basis_missing_is_refused(changes):
    result = decide(**changes)
    assert result.outcome == "refused"
    assert outcomes(result)["boernetilskud.ordinary_basis"] == "refused"
    assert result.amount is None
    assert result.details == {}


@pytest.mark.parametrize("changes", [{"child_placed_outside_home": True}, {"child_married": True}])
def test_child_placed_outside_the_home_or_married_is_refused(changes):
    assert decide(**changes).outcome == "refused"


@pytest.mark.parametrize("changes", [{"resident_in_denmark": False}, {"child_in_denmark": False}])
def test_residence_abroad_goes_to_a_caseworker(changes):
    result = decide(**changes)
    assert result.outcome == "manual"
    assert result.reasons == ["residence_abroad"]
    assert result.amount is None


def test_refusal_wins_over_manual():
    assert decide(resident_in_denmark=False, single_provider=False).outcome == "refused"


@pytest.mark.parametrize(
    ("years", "outcome", "reasons"),
    [
        ("0.99", "manual", ["residence_period_short"]),
        ("1", "granted", []),
        ("1.01", "granted", []),
        (None, "manual", ["residence_period_unknown"]),
    ],
)
def test_residence_period_without_citizenship(years, outcome, reasons):
    assert figures("boernetilskud", DAY_2024)["residence_requirement_years"] == 1
    result = decide(danish_citizen_or_refugee=False, residence_years=years)
    assert result.outcome == outcome
    assert result.reasons == reasons


def test_citizens_need_no_residence_period():
    assert "boernetilskud.residence_period" not in outcomes(decide(residence_years="0"))


@pytest.mark.parametrize("other_parent", ["dead", "unknown"])
def test_hint_about_the_special_supplement(other_parent):
    result = decide(other_parent=other_parent)
    assert result.outcome == "granted"
    assert outcomes(result)["boernetilskud.special_hint"] == "info"


def test_amounts_follow_the_validity_periods():
    assert decide(on=DAY_2017, child_birth_date="2010-01-01").amount == Decimal(5540 + 5648) / 4
    assert decide(on=DAY_2024).amount == Decimal("3247")
    later = decide(on=DAY_2026)
    assert later.amount == quarter("ordinary_per_year", DAY_2026) + quarter(
        "extra_per_year", DAY_2026
    )
    assert later.example_values is True
    assert later.rule_version == "boernetilskud-v1/2026-01-01"


def test_no_figures_between_periods():
    with pytest.raises(ServiceError) as error:
        decide(on=date(2020, 1, 1))
    assert error.value.code == "decisions.no_parameters"
