"""Ordinært og ekstra børnetilskud (børnetilskudsloven §§ 2, 3 and 5).

Ordinary supplement: for each child under 18 when the applicant has (shared) custody,
is a single provider and has the child living with them — or when both parents receive
folkepension. Extra supplement: one per single provider who gets the ordinary
supplement and has the child living with them, whatever the number of children.
General conditions (§ 5): residence in Denmark, the child in Denmark, not placed
outside the home or supported by public funds, not married, and for parents and
children without Danish citizenship or refugee status a period of residence. Facts
that international rules may change (residence abroad, a short residence) go to a
caseworker. Amounts per quarter come from ``data/boernetilskud.toml``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from borgerservice.core.errors import ServiceError

from ..base import INFO, MANUAL, OK, REFUSED, InputSpec, Verdict, fact, kr_da, kr_en
from ..params import Segment

CODE = "boernetilskud"
NAME = _("Child supplement for single providers (ordinary and extra)")
SERVICE_CODES = ("faf-boernetilskud-ordinaert-ekstra",)
LAW = "Børnetilskudsloven"
SPECIAL_SERVICE = "faf-boernetilskud-saerligt-tilskud-flerboern-uddannels"

INPUTS = (
    InputSpec(
        "child_birth_date",
        "date",
        _("The child's date of birth"),
    ),
    InputSpec(
        "single_provider",
        "bool",
        _("Are you a single provider?"),
        _("You are single when you are neither married nor living with a partner."),
    ),
    InputSpec(
        "has_custody",
        "bool",
        _("Do you have custody of the child, alone or shared?"),
    ),
    InputSpec(
        "child_lives_with_applicant",
        "bool",
        _("Does the child live with you?"),
        _("When the child lives equally with both parents, it counts where it is registered."),
    ),
    InputSpec(
        "other_children_under_18",
        "int",
        _("Other children under 18 who live with you and are in your custody"),
        min=0,
        max=15,
        required=False,
        default=0,
    ),
    InputSpec(
        "both_parents_pensioners",
        "bool",
        _("Do both of the child's parents receive folkepension?"),
        required=False,
        default=False,
    ),
    InputSpec(
        "resident_in_denmark",
        "bool",
        _("Do you have your permanent residence in Denmark?"),
    ),
    InputSpec(
        "child_in_denmark",
        "bool",
        _("Does the child live in Denmark?"),
    ),
    InputSpec(
        "child_placed_outside_home",
        "bool",
        _("Is the child placed outside the home or supported by public funds?"),
        _("For example at a residential institution or in foster care."),
        required=False,
        default=False,
    ),
    InputSpec(
        "child_married",
        "bool",
        _("Is the child married or in a registered partnership?"),
        required=False,
        default=False,
    ),
    InputSpec(
        "danish_citizen_or_refugee",
        "bool",
        _("Do you or the child have Danish citizenship or refugee status?"),
    ),
    InputSpec(
        "residence_years",
        "decimal",
        _("Years you and the child have lived in Denmark"),
        _("Only needed when neither of you has Danish citizenship or refugee status."),
        min=0,
        max=100,
        required=False,
    ),
    InputSpec(
        "other_parent",
        "choice",
        _("The child's other parent"),
        choices=(
            ("known", _("Is alive and known")),
            ("dead", _("Has died")),
            ("unknown", _("Is unknown (paternity not established)")),
        ),
        required=False,
        default="known",
    ),
)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def decide(values: dict, segment: Segment, on: date) -> Verdict:
    p, cite = segment.amounts, segment.cited
    verdict = Verdict()
    born: date = values["child_birth_date"]
    if born > on:
        raise ServiceError(
            "decisions.input_range",
            _("The child's date of birth cannot be after the decision date."),
            field="child_birth_date",
        )
    age = age_on(born, on)
    limit = int(p["age_limit"])
    if age < limit:
        verdict.add(
            "boernetilskud.age",
            OK,
            f"Barnet er {age} år og dermed under {limit} år.",
            f"The child is {age} and so under {limit}.",
            facts={"child_birth_date": born.isoformat(), "child_age": age},
            parameters=[cite["age_limit"]],
            source=f"{LAW} § 2",
        )
    else:
        verdict.add(
            "boernetilskud.age",
            REFUSED,
            f"Barnet er {age} år. Der gives kun børnetilskud til børn under {limit} år.",
            f"The child is {age}. Child supplements are only paid for children under {limit}.",
            facts={"child_birth_date": born.isoformat(), "child_age": age},
            parameters=[cite["age_limit"]],
            source=f"{LAW} § 2",
        )

    if values["resident_in_denmark"] and values["child_in_denmark"]:
        verdict.add(
            "boernetilskud.residence",
            OK,
            "Du har fast bopæl i Danmark, og barnet opholder sig i Danmark.",
            "You have your permanent residence in Denmark and the child lives in Denmark.",
            facts={"resident_in_denmark": True, "child_in_denmark": True},
            source=f"{LAW} § 5",
        )
    else:
        verdict.add(
            "boernetilskud.residence",
            MANUAL,
            "Du eller barnet bor ikke i Danmark. En sagsbehandler vurderer, om EU-regler eller "
            "andre internationale aftaler giver ret til børnetilskud.",
            "You or the child do not live in Denmark. A caseworker assesses whether EU rules or "
            "other international agreements give a right to the supplement.",
            facts={
                "resident_in_denmark": values["resident_in_denmark"],
                "child_in_denmark": values["child_in_denmark"],
            },
            source=f"{LAW} § 5; forordning (EF) nr. 883/2004",
            reason="residence_abroad",
        )

    if values["child_placed_outside_home"] or values["child_married"]:
        verdict.add(
            "boernetilskud.child_status",
            REFUSED,
            "Der gives ikke børnetilskud til et barn, der er anbragt uden for hjemmet, forsørges "
            "af offentlige midler eller er gift.",
            "No child supplement is paid for a child who is placed outside the home, supported "
            "by public funds or married.",
            facts={
                "child_placed_outside_home": values["child_placed_outside_home"],
                "child_married": values["child_married"],
            },
            source=f"{LAW} § 5",
        )

    if not values["danish_citizen_or_refugee"]:
        years = values["residence_years"]
        required = p["residence_requirement_years"]
        if years is None:
            verdict.add(
                "boernetilskud.residence_period",
                MANUAL,
                "Hverken du eller barnet har dansk indfødsret eller flygtningestatus, og "
                "opholdstiden i Danmark er ikke oplyst.",
                "Neither you nor the child has Danish citizenship or refugee status, and the "
                "period of residence in Denmark is not given.",
                facts={"danish_citizen_or_refugee": False, "residence_years": None},
                parameters=[cite["residence_requirement_years"]],
                source=f"{LAW} § 5",
                reason="residence_period_unknown",
            )
        elif years >= required:
            verdict.add(
                "boernetilskud.residence_period",
                OK,
                f"I har boet {years} år i Danmark; kravet er {required} år.",
                f"You have lived in Denmark for {years} years; the requirement is {required}.",
                facts={"danish_citizen_or_refugee": False, "residence_years": fact(years)},
                parameters=[cite["residence_requirement_years"]],
                source=f"{LAW} § 5",
            )
        else:
            verdict.add(
                "boernetilskud.residence_period",
                MANUAL,
                f"I har boet {years} år i Danmark, kortere end {required} år. En sagsbehandler "
                f"vurderer retten efter optjeningsreglerne og EU-regler.",
                f"You have lived in Denmark for {years} years, less than {required}. A "
                f"caseworker assesses the right under the earning rules and EU rules.",
                facts={"danish_citizen_or_refugee": False, "residence_years": fact(years)},
                parameters=[cite["residence_requirement_years"]],
                source=f"{LAW} § 5",
                reason="residence_period_short",
            )

    single = values["single_provider"]
    custody = values["has_custody"]
    lives_with = values["child_lives_with_applicant"]
    pensioners = values["both_parents_pensioners"]
    single_basis = single and custody and lives_with
    basis_facts = {
        "single_provider": single,
        "has_custody": custody,
        "child_lives_with_applicant": lives_with,
        "both_parents_pensioners": pensioners,
    }
    if single_basis:
        verdict.add(
            "boernetilskud.ordinary_basis",
            OK,
            "Du er enlig forsørger, har forældremyndigheden og har barnet boende.",
            "You are a single provider, have custody and the child lives with you.",
            facts=basis_facts,
            source=f"{LAW} § 2, stk. 1, nr. 1",
        )
    elif pensioners:
        verdict.add(
            "boernetilskud.ordinary_basis",
            OK,
            "Begge barnets forældre får folkepension.",
            "Both of the child's parents receive folkepension.",
            facts=basis_facts,
            source=f"{LAW} § 2, stk. 1, nr. 4",
        )
    else:
        verdict.add(
            "boernetilskud.ordinary_basis",
            REFUSED,
            "Ordinært børnetilskud kræver, at du er enlig forsørger med forældremyndighed og har "
            "barnet boende, eller at begge forældre får folkepension.",
            "The ordinary supplement requires that you are a single provider with custody and "
            "the child lives with you, or that both parents receive folkepension.",
            facts=basis_facts,
            source=f"{LAW} § 2",
        )

    if verdict.outcome == REFUSED:
        return verdict

    per_year = p["payments_per_year"]
    children = 1 + values["other_children_under_18"]
    ordinary = _kr(p["ordinary_per_year"] * children / per_year)
    allowances = [{"allowance": "ordinary", "children": children, "per_quarter": str(ordinary)}]
    verdict.add(
        "boernetilskud.ordinary",
        OK,
        f"Ordinært børnetilskud: {kr_da(p['ordinary_per_year'])} om året pr. barn for "
        f"{children} {'barn' if children == 1 else 'børn'}, {kr_da(ordinary)} pr. kvartal.",
        f"Ordinary supplement: {kr_en(p['ordinary_per_year'])} a year per child for "
        f"{children} {'child' if children == 1 else 'children'}, {kr_en(ordinary)} per "
        f"quarter.",
        facts={"children": children, "ordinary_per_quarter": fact(ordinary)},
        parameters=[cite["ordinary_per_year"], cite["payments_per_year"]],
        source=f"{LAW} § 2",
    )
    total = ordinary
    if single_basis:
        extra = _kr(p["extra_per_year"] / per_year)
        total += extra
        allowances.append({"allowance": "extra", "per_quarter": fact(extra)})
        verdict.add(
            "boernetilskud.extra",
            OK,
            f"Ekstra børnetilskud: ét tilskud på {kr_da(p['extra_per_year'])} om året uanset "
            f"antallet af børn, {kr_da(extra)} pr. kvartal.",
            f"Extra supplement: one supplement of {kr_en(p['extra_per_year'])} a year whatever "
            f"the number of children, {kr_en(extra)} per quarter.",
            facts={"extra_per_quarter": fact(extra)},
            parameters=[cite["extra_per_year"], cite["payments_per_year"]],
            source=f"{LAW} § 3",
        )
    verdict.amount = total
    verdict.details = {"allowances": allowances, "total_per_quarter": str(total)}
    verdict.add(
        "boernetilskud.total",
        INFO,
        f"I alt {kr_da(verdict.amount)} pr. kvartal.",
        f"In all {kr_en(verdict.amount)} per quarter.",
        facts={"allowances": allowances, "total_per_quarter": fact(verdict.amount)},
        source=f"{LAW} §§ 2-3",
    )
    if values["other_parent"] in ("dead", "unknown"):
        verdict.add(
            "boernetilskud.special_hint",
            INFO,
            "Da den anden forælder er død eller ukendt, kan du også have ret til særligt "
            "børnetilskud. Det søges særskilt.",
            "As the other parent has died or is unknown, you may also be entitled to the "
            "special child supplement. Apply for it separately.",
            facts={"other_parent": values["other_parent"], "service": SPECIAL_SERVICE},
            source=f"{LAW} § 4",
        )
    return verdict


def _kr(value: Decimal) -> Decimal:
    """Rounded to øre; whole kroner without decimals (1608, not 1608.00)."""
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded
