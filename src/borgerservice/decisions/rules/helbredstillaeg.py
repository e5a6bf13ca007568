"""Helbredstillæg for pensioners (lov om social pension § 14 a).

Eligible: folkepensionists and those granted førtidspension before 1 January 2003,
living in Denmark, with liquid assets (combined for a couple) at most the asset limit
and a personal supplement percentage (personlig tillægsprocent) above 0. The
percentage is set by Udbetaling Danmark from the income besides the pension: 100 up to
an allowance, falling by 1 for each step of income above it. When the citizen gives the
percentage from their pension statement it is used; otherwise it is estimated from the
income when the result is certain whatever the rounding, and the rest go to a
caseworker. Figures are in ``data/helbredstillaeg.toml``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

from django.utils.translation import gettext_lazy as _

from ..base import (
    INFO,
    MANUAL,
    OK,
    REFUSED,
    InputSpec,
    Verdict,
    fact,
    kr_da,
    kr_en,
    number_da,
    number_en,
)
from ..params import Segment

CODE = "helbredstillaeg"
NAME = _("Health supplement for pensioners (helbredstillæg)")
SERVICE_CODES = ("suf-helbredstillaeg",)
LAW = "Lov om social pension § 14 a"

ELIGIBLE_PENSIONS = ("folkepension", "foertidspension_before_2003")

INPUTS = (
    InputSpec(
        "pension_type",
        "choice",
        _("Which pension do you receive?"),
        choices=(
            ("folkepension", _("Folkepension (state old-age pension)")),
            ("foertidspension_before_2003", _("Førtidspension granted before 1 January 2003")),
            ("foertidspension_from_2003", _("Førtidspension granted from 1 January 2003")),
            ("none", _("No pension")),
        ),
    ),
    InputSpec(
        "resident_in_denmark",
        "bool",
        _("Do you live in Denmark?"),
    ),
    InputSpec(
        "cohabiting",
        "bool",
        _("Are you married or living with a partner?"),
    ),
    InputSpec(
        "liquid_assets",
        "decimal",
        _("Liquid assets"),
        _(
            "Bank deposits, cash, shares, bonds and other securities on 1 January; together "
            "with your spouse or partner. Your home and pension savings do not count."
        ),
        min=0,
        max=1_000_000_000,
    ),
    InputSpec(
        "supplement_percentage",
        "int",
        _("Personal supplement percentage (personlig tillægsprocent)"),
        _(
            "It is on your pension statement from Udbetaling Danmark. "
            "Leave it empty if you do not know it."
        ),
        min=0,
        max=100,
        required=False,
    ),
    InputSpec(
        "income_besides_pension",
        "decimal",
        _("Income besides the pension per year"),
        _(
            "Before tax, for example ATP, private pensions and interest; for a couple the "
            "income of both (not your partner's pay from work). Only needed without the percentage."
        ),
        min=0,
        max=1_000_000_000,
        required=False,
    ),
)


def decide(values: dict, segment: Segment, on: date) -> Verdict:
    p, cite = segment.amounts, segment.cited
    verdict = Verdict()
    pension = values["pension_type"]
    if pension in ELIGIBLE_PENSIONS:
        verdict.add(
            "helbredstillaeg.pension",
            OK,
            "Du får folkepension eller førtidspension tilkendt før 2003.",
            "You receive folkepension or førtidspension granted before 2003.",
            facts={"pension_type": pension},
            source=LAW,
        )
    elif pension == "foertidspension_from_2003":
        verdict.add(
            "helbredstillaeg.pension",
            MANUAL,
            "Du får førtidspension efter reglerne fra 2003. En sagsbehandler vurderer, om du "
            "kan få hjælp til helbredsudgifter efter andre regler.",
            "You receive førtidspension under the rules from 2003. A caseworker assesses "
            "whether you can get help with health expenses under other rules.",
            facts={"pension_type": pension},
            source=f"{LAW}; lov om aktiv socialpolitik § 82 a",
            reason="pension_scheme_from_2003",
        )
    else:
        verdict.add(
            "helbredstillaeg.pension",
            REFUSED,
            "Helbredstillæg gives kun til folkepensionister og førtidspensionister.",
            "The health supplement is only given to people receiving a state pension.",
            facts={"pension_type": pension},
            source=LAW,
        )

    if values["resident_in_denmark"]:
        verdict.add(
            "helbredstillaeg.residence",
            OK,
            "Du bor i Danmark.",
            "You live in Denmark.",
            facts={"resident_in_denmark": True},
            source=LAW,
        )
    else:
        verdict.add(
            "helbredstillaeg.residence",
            MANUAL,
            "Du bor ikke i Danmark. Tillægget kan kun gives, hvis behovet opstod, mens du boede "
            "her; det vurderer en sagsbehandler.",
            "You do not live in Denmark. The supplement can only be given if the need arose "
            "while you lived here; a caseworker assesses that.",
            facts={"resident_in_denmark": False},
            source=LAW,
            reason="residence_abroad",
        )

    assets = values["liquid_assets"]
    limit = p["asset_limit"]
    if assets <= limit:
        verdict.add(
            "helbredstillaeg.assets",
            OK,
            f"Den likvide formue på {kr_da(assets)} er højst formuegrænsen på {kr_da(limit)}.",
            f"The liquid assets of {kr_en(assets)} are at most the asset limit of {kr_en(limit)}.",
            facts={"liquid_assets": fact(assets)},
            parameters=[cite["asset_limit"]],
            source=LAW,
        )
    else:
        verdict.add(
            "helbredstillaeg.assets",
            REFUSED,
            f"Den likvide formue på {kr_da(assets)} er over formuegrænsen på {kr_da(limit)}.",
            f"The liquid assets of {kr_en(assets)} are above the asset limit of {kr_en(limit)}.",
            facts={"liquid_assets": fact(assets)},
            parameters=[cite["asset_limit"]],
            source=LAW,
        )

    percentage = values["supplement_percentage"]
    if percentage is not None:
        _given_percentage(verdict, percentage)
    else:
        percentage = _estimated_percentage(verdict, values, p, cite)
    if percentage is not None and percentage > 0:
        coverage = (p["coverage_percentage"] * percentage / 100).quantize(Decimal("0.01"))
        coverage = (
            coverage.quantize(Decimal(1)) if coverage == coverage.to_integral_value() else coverage
        )
        verdict.percentage = coverage
        verdict.details = {
            "supplement_percentage": percentage,
            "coverage_percentage": str(coverage),
        }
        verdict.add(
            "helbredstillaeg.coverage",
            INFO,
            f"Tillægget dækker {p['coverage_percentage']} % × {percentage} % = "
            f"{number_da(coverage)} % af "
            f"din egen betaling for de udgifter, der gives tilskud til efter sundhedsloven.",
            f"The supplement covers {p['coverage_percentage']} % × {percentage} % = "
            f"{number_en(coverage)} % "
            f"of your own payment for expenses the health act subsidises.",
            facts={"supplement_percentage": percentage, "coverage_percentage": fact(coverage)},
            parameters=[cite["coverage_percentage"]],
            source=LAW,
        )
    return verdict


def _given_percentage(verdict: Verdict, percentage: int) -> None:
    facts = {"supplement_percentage": percentage, "supplement_percentage_source": "given"}
    if percentage > 0:
        verdict.add(
            "helbredstillaeg.percentage",
            OK,
            f"Din personlige tillægsprocent er {percentage} og dermed over 0.",
            f"Your personal supplement percentage is {percentage}, so above 0.",
            facts=facts,
            source="Lov om social pension § 14",
        )
    else:
        verdict.add(
            "helbredstillaeg.percentage",
            REFUSED,
            "Din personlige tillægsprocent er 0. Helbredstillæg kræver en tillægsprocent over 0.",
            "Your personal supplement percentage is 0. The supplement needs a percentage above 0.",
            facts=facts,
            source="Lov om social pension § 14",
        )


def _estimated_percentage(verdict: Verdict, values: dict, p: dict, cite: dict) -> int | None:
    income = values["income_besides_pension"]
    if income is None:
        verdict.add(
            "helbredstillaeg.percentage",
            MANUAL,
            "Din personlige tillægsprocent og din indtægt ud over pensionen er ikke oplyst. En "
            "sagsbehandler henter tillægsprocenten hos Udbetaling Danmark.",
            "Neither your personal supplement percentage nor your income besides the pension "
            "is given. A caseworker gets the percentage from Udbetaling Danmark.",
            facts={"supplement_percentage": None, "income_besides_pension": None},
            source="Lov om social pension § 14",
            reason="supplement_percentage_unknown",
        )
        return None
    kind = "couple" if values["cohabiting"] else "single"
    deduction, step = p[f"deduction_{kind}"], p[f"step_{kind}"]
    cutoff = deduction + 100 * step
    used = [cite[f"deduction_{kind}"], cite[f"step_{kind}"]]
    facts = {
        "income_besides_pension": fact(income),
        "cohabiting": values["cohabiting"],
        "allowance": fact(deduction),
        "cutoff": fact(cutoff),
        "supplement_percentage_source": "estimated",
    }
    if income <= deduction:
        estimate = 100
    elif income >= cutoff:
        estimate = 0
    else:
        # Lowest possible percentage: every started step counts (rounding up).
        estimate = 100 - int(((income - deduction) / step).to_integral_value(ROUND_CEILING))
    facts["supplement_percentage"] = estimate
    if estimate > 0:
        verdict.add(
            "helbredstillaeg.percentage",
            OK,
            f"Ud fra en indtægt ud over pensionen på {kr_da(income)} er din personlige "
            f"tillægsprocent mindst {estimate} (100 op til {kr_da(deduction)}, derefter 1 mindre "
            f"for hver {kr_da(step)}). Udbetaling Danmark fastsætter den endelige procent.",
            f"From an income besides the pension of {kr_en(income)} your personal supplement "
            f"percentage is at least {estimate} (100 up to {kr_en(deduction)}, then 1 less for "
            f"each {kr_en(step)}). Udbetaling Danmark sets the final percentage.",
            facts=facts,
            parameters=used,
            source="Lov om social pension § 14",
        )
        return estimate
    if income >= cutoff:
        verdict.add(
            "helbredstillaeg.percentage",
            REFUSED,
            f"Med en indtægt ud over pensionen på {kr_da(income)} (grænse {kr_da(cutoff)}) er "
            f"din personlige tillægsprocent 0. Helbredstillæg kræver en tillægsprocent over 0.",
            f"With an income besides the pension of {kr_en(income)} (limit {kr_en(cutoff)}) "
            f"your personal supplement percentage is 0. The supplement needs a percentage above 0.",
            facts=facts,
            parameters=used,
            source="Lov om social pension § 14",
        )
        return 0
    verdict.add(
        "helbredstillaeg.percentage",
        MANUAL,
        f"Med en indtægt ud over pensionen på {kr_da(income)} ligger din tillægsprocent lige "
        f"omkring 0 (grænse {kr_da(cutoff)}). En sagsbehandler henter den hos Udbetaling Danmark.",
        f"With an income besides the pension of {kr_en(income)} your percentage lies just "
        f"around 0 (limit {kr_en(cutoff)}). A caseworker gets it from Udbetaling Danmark.",
        facts=facts,
        parameters=used,
        source="Lov om social pension § 14",
        reason="supplement_percentage_borderline",
    )
    return None
