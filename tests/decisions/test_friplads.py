"""Økonomisk friplads at and around every limit and step, the per-child and single-provider
increments, the published 2021 scale, validity periods and the manual and refused paths."""

from __future__ import annotations

from decimal import Decimal

import pytest

from borgerservice.core.errors import ServiceError
from borgerservice.decisions.engine import evaluate

from .conftest import DAY_2021, DAY_2024, DAY_2026, figures, outcomes

PERIODS = [DAY_2021, DAY_2024, DAY_2026]


def decide(income, *, on=DAY_2024, children=1, single=False, **extra):
    inputs = {
        "household_income": income,
        "children_under_18": children,
        "single_provider": single,
        **extra,
    }
    return evaluate("friplads", inputs, on=on)


def pct(result) -> Decimal | None:
    return result.percentage


@pytest.mark.parametrize("on", PERIODS)
def test_full_free_place_at_and_around_the_lower_limit(on):
    lower = figures("friplads", on)["income_lower_limit"]
    below = decide(lower - 1, on=on)
    assert below.outcome == "granted"
    assert pct(below) == 100
    at = decide(lower, on=on)
    assert at.outcome == "granted"
    assert pct(at) == 95
    assert pct(decide(lower + 1, on=on)) == 95


@pytest.mark.parametrize("on", PERIODS)
def test_each_step_lowers_the_subsidy_by_one_point(on):
    f = figures("friplads", on)
    lower, step = f["income_lower_limit"], f["income_step"]
    for k in (1, 2, 50):
        edge = lower + k * step
        assert pct(decide(edge - 1, on=on)) == 95 - (k - 1)
        assert pct(decide(edge, on=on)) == 95 - k
        assert pct(decide(edge + 1, on=on)) == 95 - k


@pytest.mark.parametrize("on", PERIODS)
def test_no_subsidy_at_and_above_the_upper_limit(on):
    upper = figures("friplads", on)["income_upper_limit"]
    last = decide(upper - 1, on=on)
    assert last.outcome == "granted"
    assert pct(last) >= 1
    at = decide(upper, on=on)
    assert at.outcome == "refused"
    assert at.percentage is None
    assert outcomes(at)["friplads.scale"] == "refused"
    assert decide(upper + 1, on=on).outcome == "refused"


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        (185_700, 100),
        (185_701, 95),  # "mellem 185.701 og 189.817: din betaling bliver 5 %"
        (189_817, 95),
        (189_818, 94),  # "reduceres med 1 % point hver gang din indtægt stiger med 4.117 kr."
        (576_799, 1),
    ],
)
def test_the_published_2021_scale(income, expected):
    """Esbjerg Kommune's published 2021 figures (verified values in the data file)."""
    assert pct(decide(income, on=DAY_2021)) == expected


def test_published_2021_upper_limit():
    assert decide(576_800, on=DAY_2021).outcome == "refused"


@pytest.mark.parametrize("on", PERIODS)
@pytest.mark.parametrize("children", [2, 3, 5])
def test_limits_rise_per_child_beyond_the_first(on, children):
    f = figures("friplads", on)
    lower = f["income_lower_limit"] + (children - 1) * f["per_child_increase"]
    upper = f["income_upper_limit"] + (children - 1) * f["per_child_increase"]
    assert pct(decide(lower - 1, on=on, children=children)) == 100
    assert pct(decide(lower, on=on, children=children)) == 95
    assert pct(decide(lower - 1, on=on, children=children - 1)) < 100  # one child fewer
    assert decide(upper - 1, on=on, children=children).outcome == "granted"
    assert decide(upper, on=on, children=children).outcome == "refused"


@pytest.mark.parametrize("on", PERIODS)
def test_limits_rise_for_single_providers(on):
    f = figures("friplads", on)
    lower = f["income_lower_limit"] + f["single_provider_increase"]
    upper = f["income_upper_limit"] + f["single_provider_increase"]
    assert pct(decide(lower - 1, on=on, single=True)) == 100
    assert pct(decide(lower, on=on, single=True)) == 95
    assert pct(decide(lower - 1, on=on, single=False)) < 100
    assert decide(upper - 1, on=on, single=True).outcome == "granted"
    assert decide(upper, on=on, single=True).outcome == "refused"
    assert decide(upper - 1, on=on, single=False).outcome == "refused"


def test_single_provider_and_children_add_up():
    f = figures("friplads", DAY_2024)
    lower = f["income_lower_limit"] + 2 * f["per_child_increase"] + f["single_provider_increase"]
    assert pct(decide(lower - 1, children=3, single=True)) == 100
    assert pct(decide(lower, children=3, single=True)) == 95
    limits = next(
        s
        for s in decide(lower, children=3, single=True).explanation
        if s["rule"] == "friplads.limits"
    )
    assert limits["facts"]["full_free_place_limit"] == str(lower)


def test_validity_periods_give_their_own_figures():
    income = 187_000  # below the 2024 lower limit, in the first step of 2021
    assert pct(decide(income, on=DAY_2021)) == 95
    assert pct(decide(income, on=DAY_2024)) == 100
    assert decide(income, on=DAY_2021).rule_version == "friplads-v1/2021-01-01"
    assert decide(income, on=DAY_2024).rule_version == "friplads-v1/2024-01-01"
    assert decide(income, on=DAY_2026).rule_version == "friplads-v1/2026-01-01"


@pytest.mark.parametrize("day", ["2020-12-31", "2023-06-01", "2025-03-01"])
def test_no_parameters_for_the_date_is_an_error(day):
    from datetime import date

    with pytest.raises(ServiceError) as error:
        decide(250_000, on=date.fromisoformat(day))
    assert error.value.code == "decisions.no_parameters"


def test_monthly_fee_gives_the_municipalitys_share():
    f = figures("friplads", DAY_2024)
    result = decide(f["income_lower_limit"] + 10 * f["income_step"], monthly_fee="3000")
    assert result.percentage == 85
    assert result.amount == Decimal("2550.00")
    assert decide(100_000, monthly_fee=3187.5).amount == Decimal("3187.50")
    assert decide(100_000).amount is None


def test_private_scheme_is_refused():
    result = decide(100_000, childcare_type="private_scheme")
    assert result.outcome == "refused"
    assert outcomes(result) == {"friplads.place": "refused"}


def test_private_institution_is_decided():
    assert decide(100_000, childcare_type="private_institution").outcome == "granted"


def test_income_needing_assessment_goes_to_a_caseworker():
    result = decide(100_000, income_needs_assessment=True)
    assert result.outcome == "manual"
    assert result.reasons == ["income_needs_assessment"]
    assert result.percentage is None
    assert result.amount is None


def test_explanation_cites_every_parameter_with_its_source():
    result = decide(300_000, children=2, single=True)
    cited = {c["parameter"]: c for s in result.explanation for c in s["parameters"]}
    assert {"income_lower_limit", "income_step", "income_upper_limit", "per_child_increase"} <= set(
        cited
    )
    for value in cited.values():
        assert value["source"] and value["url"] and value["source_date"] and value["valid_from"]
    assert all(step["text_da"] and step["text_en"] for step in result.explanation)
    assert "kr.." not in " ".join(step["text_da"] for step in result.explanation)
    assert result.inputs == {
        "household_income": "300000",
        "children_under_18": 2,
        "single_provider": True,
        "childcare_type": "municipal",
        "income_needs_assessment": False,
        "monthly_fee": None,
    }
    assert result.complaint_guidance_da and result.complaint_guidance_en
    assert "4 uger" in result.complaint_guidance_da


def test_example_values_are_flagged():
    assert decide(300_000, on=DAY_2021).example_values is False
    assert decide(300_000, on=DAY_2026).example_values is True
