"""Økonomisk friplads: the municipality pays all or part of the parental payment for day
care when the household income is low (dagtilbudsloven §§ 43 ff., bekendtgørelse om
friplads).

The scale: income below the lower limit gives a full free place (100 %); from the lower
limit the subsidy is 95 % and falls by 1 percentage point for every further step of
income; at or above the upper limit there is no subsidy. Both limits are raised for
each child under 18 at home beyond the first and for single providers. Every figure is
a parameter in ``data/friplads.toml``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from ..base import INFO, MANUAL, OK, REFUSED, InputSpec, Verdict, fact, kr_da, kr_en
from ..params import Segment

CODE = "friplads"
NAME = _("Income-based free place in day care (økonomisk friplads)")
SERVICE_CODES = ("faf-oekonomisk-friplads",)
LAW = "Dagtilbudsloven §§ 43-45; bekendtgørelse om friplads"

INPUTS = (
    InputSpec(
        "household_income",
        "decimal",
        _("Household income per year before tax"),
        _(
            "The income of you and your spouse or cohabitant together, before tax, as a "
            "yearly amount (12 times the current monthly income)."
        ),
        min=0,
        max=100_000_000,
    ),
    InputSpec(
        "children_under_18",
        "int",
        _("Children under 18 living at home"),
        _(
            "Count every child under 18 who lives in the household, "
            "including the child in day care."
        ),
        min=1,
        max=20,
    ),
    InputSpec(
        "single_provider",
        "bool",
        _("Are you a single provider?"),
        _("You are single when you are neither married nor living with a partner."),
    ),
    InputSpec(
        "childcare_type",
        "choice",
        _("Kind of childcare"),
        choices=(
            ("municipal", _("Municipal or self-governing day care, or an after-school centre")),
            ("private_institution", _("Private institution")),
            ("private_scheme", _("Private childminding scheme (privat pasningsordning)")),
        ),
        required=False,
        default="municipal",
    ),
    InputSpec(
        "income_needs_assessment",
        "bool",
        _(
            "Does the household have business income, income from abroad "
            "or an income that varies a lot?"
        ),
        _("Such income must be assessed by a caseworker."),
        required=False,
        default=False,
    ),
    InputSpec(
        "monthly_fee",
        "decimal",
        _("Monthly parental payment (optional)"),
        _("Give the payment for the place to see how much the municipality pays each month."),
        min=0,
        max=100_000,
        required=False,
    ),
)


def decide(values: dict, segment: Segment, on: date) -> Verdict:
    p, cite = segment.amounts, segment.cited
    verdict = Verdict()

    if values["childcare_type"] == "private_scheme":
        verdict.add(
            "friplads.place",
            REFUSED,
            "Der gives ikke økonomisk friplads til en privat pasningsordning.",
            "No income-based free place is given for a private childminding scheme.",
            facts={"childcare_type": values["childcare_type"]},
            source="Dagtilbudsloven § 43, stk. 1",
        )
        return verdict
    verdict.add(
        "friplads.place",
        OK,
        "Pladsen er en plads, hvor der kan gives økonomisk friplads.",
        "The place is one for which an income-based free place can be given.",
        facts={"childcare_type": values["childcare_type"]},
        source="Dagtilbudsloven § 43, stk. 1",
    )

    if values["income_needs_assessment"]:
        verdict.add(
            "friplads.income_assessment",
            MANUAL,
            "Husstanden har virksomhedsindkomst, udenlandsk indkomst eller svingende indkomst. "
            "Den skal vurderes af en sagsbehandler.",
            "The household has business income, income from abroad or a varying income. "
            "A caseworker must assess it.",
            facts={"income_needs_assessment": True},
            source="Bekendtgørelse om friplads (opgørelse af indkomst)",
            reason="income_needs_assessment",
        )
        return verdict

    income: Decimal = values["household_income"]
    children: int = values["children_under_18"]
    single: bool = values["single_provider"]
    extra_children = children - 1
    increase = p["per_child_increase"] * extra_children
    used = [cite["per_child_increase"]]
    if single:
        increase += p["single_provider_increase"]
        used.append(cite["single_provider_increase"])
    lower = p["income_lower_limit"] + increase
    upper = p["income_upper_limit"] + increase
    step = p["income_step"]

    parts_da, parts_en = [], []
    if extra_children:
        if extra_children == 1:
            parts_da.append(f"med {kr_da(p['per_child_increase'])} for ét barn ud over det første")
            parts_en.append(f"by {kr_en(p['per_child_increase'])} for one child beyond the first")
        else:
            parts_da.append(
                f"med {kr_da(p['per_child_increase'])} for hvert af de {extra_children} børn "
                f"ud over det første"
            )
            parts_en.append(
                f"by {kr_en(p['per_child_increase'])} for each of the {extra_children} "
                f"children beyond the first"
            )
    if single:
        parts_da.append(f"med {kr_da(p['single_provider_increase'])}, fordi du er enlig forsørger")
        parts_en.append(
            f"by {kr_en(p['single_provider_increase'])} because you are a single provider"
        )
    if parts_da:
        text_da = f"Indkomstgrænserne forhøjes {' og '.join(parts_da)}: i alt {kr_da(increase)}."
        text_en = (
            f"The income limits are raised {' and '.join(parts_en)}: {kr_en(increase)} in all."
        )
    else:
        text_da = "Indkomstgrænserne forhøjes ikke (ét barn, og du er ikke enlig forsørger)."
        text_en = "The income limits are not raised (one child, and you are not a single provider)."
    verdict.add(
        "friplads.limits",
        INFO,
        f"{text_da} Grænsen for hel friplads er {kr_da(lower)}, og grænsen for tilskud er "
        f"{kr_da(upper)}.",
        f"{text_en} The limit for a full free place is {kr_en(lower)} and the limit for any "
        f"subsidy is {kr_en(upper)}.",
        facts={
            "children_under_18": children,
            "single_provider": single,
            "limit_increase": fact(increase),
            "full_free_place_limit": fact(lower),
            "subsidy_limit": fact(upper),
        },
        parameters=[cite["income_lower_limit"], cite["income_upper_limit"], *used],
        source="Dagtilbudsloven § 43, stk. 2; bekendtgørelse om friplads",
    )

    facts = {"household_income": fact(income)}
    if income < lower:
        percentage = Decimal(100)
        verdict.add(
            "friplads.scale",
            OK,
            f"Husstandsindkomsten på {kr_da(income)} er under {kr_da(lower)}. Du får hel "
            f"friplads: kommunen betaler 100 % af forældrebetalingen.",
            f"The household income of {kr_en(income)} is below {kr_en(lower)}. You get a full "
            f"free place: the municipality pays 100 % of the parental payment.",
            facts={**facts, "percentage": "100"},
            parameters=[cite["income_lower_limit"]],
            source=LAW,
        )
    elif income >= upper:
        percentage = Decimal(0)
        verdict.add(
            "friplads.scale",
            REFUSED,
            f"Husstandsindkomsten på {kr_da(income)} er {kr_da(upper)} eller derover. Der "
            f"kan ikke gives økonomisk friplads.",
            f"The household income of {kr_en(income)} is {kr_en(upper)} or more. No "
            f"income-based free place can be given.",
            facts={**facts, "percentage": "0"},
            parameters=[cite["income_upper_limit"]],
            source=LAW,
        )
    else:
        steps_above = int((income - lower) // step)
        percentage = max(p["first_step_percentage"] - steps_above, Decimal(1))
        verdict.add(
            "friplads.scale",
            OK,
            f"Husstandsindkomsten på {kr_da(income)} ligger {steps_above} hele trin à "
            f"{kr_da(step)} over grænsen for hel friplads. Tilskuddet er "
            f"{p['first_step_percentage']} % minus {steps_above} procentpoint: kommunen "
            f"betaler {percentage} % af forældrebetalingen.",
            f"The household income of {kr_en(income)} lies {steps_above} full steps of "
            f"{kr_en(step)} above the limit for a full free place. The subsidy is "
            f"{p['first_step_percentage']} % minus {steps_above} percentage points: the "
            f"municipality pays {percentage} % of the parental payment.",
            facts={**facts, "steps_above_limit": steps_above, "percentage": fact(percentage)},
            parameters=[
                cite["income_lower_limit"],
                cite["income_step"],
                cite["first_step_percentage"],
                cite["income_upper_limit"],
            ],
            source=LAW,
        )
    verdict.percentage = percentage
    verdict.details = {"percentage": str(percentage)}
    fee = values["monthly_fee"]
    if fee is not None and percentage > 0:
        amount = (fee * percentage / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        verdict.amount = amount
        verdict.details["monthly_subsidy"] = str(amount)
        verdict.add(
            "friplads.amount",
            INFO,
            f"Af en forældrebetaling på {kr_da(fee)} om måneden betaler kommunen "
            f"{kr_da(amount)}, og du betaler {kr_da(fee - amount)}.",
            f"Of a parental payment of {kr_en(fee)} a month the municipality pays "
            f"{kr_en(amount)} and you pay {kr_en(fee - amount)}.",
            facts={"monthly_fee": fact(fee), "monthly_subsidy": fact(amount)},
            source=LAW,
        )
    return verdict
