"""Helbredstillæg: pension types, the asset limit at and around it, the personal supplement
percentage given or estimated from income at every limit (single and couple), residence,
manual outcomes and the validity periods."""

from __future__ import annotations

from decimal import Decimal

import pytest

from borgerservice.decisions.engine import evaluate

from .conftest import DAY_2024, DAY_2025, DAY_2026, figures, outcomes

BASE = {
    "pension_type": "folkepension",
    "resident_in_denmark": True,
    "cohabiting": False,
    "liquid_assets": 20_000,
    "supplement_percentage": 100,
}
PERIODS = [DAY_2024, DAY_2025, DAY_2026]


def decide(on=DAY_2024, **changes):
    return evaluate("helbredstillaeg", {**BASE, **changes}, on=on)


@pytest.mark.parametrize(
    ("pension", "outcome"),
    [
        ("folkepension", "granted"),
        ("foertidspension_before_2003", "granted"),
        ("foertidspension_from_2003", "manual"),
        ("none", "refused"),
    ],
)
def test_pension_types(pension, outcome):
    result = decide(pension_type=pension)
    assert result.outcome == outcome
    if outcome == "manual":
        assert result.reasons == ["pension_scheme_from_2003"]


@pytest.mark.parametrize("on", PERIODS)
def test_asset_limit_at_and_around(on):
    limit = figures("helbredstillaeg", on)["asset_limit"]
    assert decide(on=on, liquid_assets=limit - 1).outcome == "granted"
    assert decide(on=on, liquid_assets=limit).outcome == "granted"
    over = decide(on=on, liquid_assets=limit + 1)
    assert over.outcome == "refused"
    assert outcomes(over)["helbredstillaeg.assets"] == "refused"


def test_asset_limit_2024_published_figure():
    assert decide(liquid_assets=99_200).outcome == "granted"
    assert decide(liquid_assets=99_201).outcome == "refused"


@pytest.mark.parametrize(
    ("percentage", "outcome"), [(0, "refused"), (1, "granted"), (100, "granted")]
)
def test_given_supplement_percentage(percentage, outcome):
    assert decide(supplement_percentage=percentage).outcome == outcome


def test_coverage_percentage():
    assert decide(supplement_percentage=100).percentage == 85
    assert decide(supplement_percentage=50).percentage == Decimal("42.5")
    assert decide(supplement_percentage=50).amount is None


@pytest.mark.parametrize("on", PERIODS)
@pytest.mark.parametrize("cohabiting", [False, True])
def test_percentage_estimated_from_income_at_every_limit(on, cohabiting):
    kind = "couple" if cohabiting else "single"
    f = figures("helbredstillaeg", on)
    deduction, step = f[f"deduction_{kind}"], f[f"step_{kind}"]
    cutoff = deduction + 100 * step

    def run(income):
        return decide(
            on=on, supplement_percentage=None, cohabiting=cohabiting, income_besides_pension=income
        )

    def estimate(result):
        return next(s for s in result.explanation if s["rule"] == "helbredstillaeg.percentage")[
            "facts"
        ]["supplement_percentage"]

    assert estimate(run(deduction - 1)) == 100
    assert estimate(run(deduction)) == 100
    assert estimate(run(deduction + 1)) == 99  # every started step counts
    assert estimate(run(deduction + step)) == 99
    assert estimate(run(deduction + step + 1)) == 98
    last = run(deduction + 99 * step)
    assert last.outcome == "granted"
    assert estimate(last) == 1
    borderline = run(deduction + 99 * step + 1)
    assert borderline.outcome == "manual"
    assert borderline.reasons == ["supplement_percentage_borderline"]
    assert run(cutoff - 1).outcome == "manual"
    assert run(cutoff).outcome == "refused"
    assert run(cutoff + 1).outcome == "refused"


def test_published_2024_percentage_limits():
    """Ældre Sagen 2024: single 35.100 kr., then 1 % per 583 kr., 0 above 93.400 kr."""
    single = {"supplement_percentage": None, "cohabiting": False}
    assert decide(income_besides_pension=35_100, **single).outcome == "granted"
    assert decide(income_besides_pension=93_400, **single).outcome == "refused"
    couple = {"supplement_percentage": None, "cohabiting": True}
    assert decide(income_besides_pension=69_400, **couple).outcome == "granted"
    assert decide(income_besides_pension=187_100, **couple).outcome == "refused"


def test_unknown_percentage_and_income_goes_to_a_caseworker():
    result = decide(supplement_percentage=None)
    assert result.outcome == "manual"
    assert result.reasons == ["supplement_percentage_unknown"]


def test_given_percentage_wins_over_income():
    assert decide(supplement_percentage=40, income_besides_pension=500_000).outcome == "granted"


def test_living_abroad_goes_to_a_caseworker():
    result = decide(resident_in_denmark=False)
    assert result.outcome == "manual"
    assert result.reasons == ["residence_abroad"]


def test_several_manual_reasons_are_all_listed():
    result = decide(resident_in_denmark=False, pension_type="foertidspension_from_2003")
    assert result.reasons == ["pension_scheme_from_2003", "residence_abroad"]


def test_refusal_wins_over_manual():
    assert decide(resident_in_denmark=False, liquid_assets=10_000_000).outcome == "refused"


def test_validity_periods_switch_the_asset_limit():
    assets = 100_000  # over the 2024 limit (99.200 kr.), under the 2026 limit (108.000 kr.)
    assert decide(on=DAY_2024, liquid_assets=assets).outcome == "refused"
    assert decide(on=DAY_2026, liquid_assets=assets).outcome == "granted"
    assert decide(on=DAY_2026).rule_version == "helbredstillaeg-v1/2026-01-01"
    assert decide(on=DAY_2025).example_values is True
