"""Portfolio analysis after the method of the 2010 Copenhagen analysis (001).

Table 2 of 001 is rebuilt from the ``AreaVolume`` rows flagged ``in_table2_total``; the
shares 001 reports per area are recomputed from the figures they are shares of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from borgerservice.catalogue.models import AreaVolume

# 001 table 2 ("Samlet" row), section 2.
TABLE2_TOTALS_001 = {
    "fte": Decimal("541"),
    "contacts": 2_475_006,
    "cases": 296_090,
    "budget_tdkk": 969_859,
    "budget_excl_benefits_tdkk": 249_349,
}

# Area whose total share 001 computes over contacts, not applications (001 table 21).
SHARE_OF_CONTACTS = {"buf-pladsanvisning-foraeldrebetaling"}
# Area whose total share is the plain mean of its benefits' percentages (001 table 18).
SHARE_MEAN_OF_PARTS = {"suf-pensionsomraadet"}


@dataclass
class Table2:
    year: int
    rows: list[AreaVolume]
    totals: dict = field(default_factory=dict)
    discrepancies: list[str] = field(default_factory=list)


def table2(year: int = 2009) -> Table2:
    rows = list(AreaVolume.objects.filter(year=year, in_table2_total=True).select_related("area"))
    totals = {name: sum((getattr(r, name) or 0) for r in rows) for name in TABLE2_TOTALS_001}
    result = Table2(year=year, rows=rows, totals=totals)
    for name, expected in TABLE2_TOTALS_001.items():
        if totals[name] != expected:
            result.discrepancies.append(f"{name}: data {totals[name]}, 001 {expected}")
    return result


def computed_share(volume: AreaVolume) -> float | None:
    """Share (%) resolved at once or rule-based, from the figures it is a share of."""
    code = volume.area.code
    if code in SHARE_MEAN_OF_PARTS:
        parts = [
            float(v.resolved_share_pct)
            for v in AreaVolume.objects.filter(
                year=volume.year, area__parent__parent=volume.area, resolved_share_pct__isnull=False
            ).exclude(fte__isnull=True)
        ]
        return sum(parts) / len(parts) if parts else None
    if volume.resolved_count is None:
        return None
    base = volume.contacts if code in SHARE_OF_CONTACTS else volume.applications
    if not base:
        base = volume.contacts
    return 100 * volume.resolved_count / base if base else None


# =============================================================================================
# Suitability assessment against the five principles of 001 (section 3)
# =============================================================================================
#
# 001 judges each area in prose against five principles for what belongs in the one-entrance
# unit. The assessment below makes that judgement repeatable: every principle is decided by
# one figure from the catalogue's ``AreaVolume`` rows (or, where 001 gives no figure, by a fact
# 001 states about the area, kept in ``AREA_FACTS_001``), compared with a named threshold.

MET = "met"
PARTLY = "partly"
NOT_MET = "not_met"
NOT_APPLICABLE = "not_applicable"
UNKNOWN = "unknown"

JUDGEMENT_LABELS = {
    MET: _("Met"),
    PARTLY: _("Partly met"),
    NOT_MET: _("Not met"),
    NOT_APPLICABLE: _("Not applicable"),
    UNKNOWN: _("No figure"),
}

HIGH = "high"
MEDIUM = "medium"
LOW = "low"
SUPPORT = "support"

SUITABILITY_LABELS = {
    HIGH: _("High: move the area into the unit"),
    MEDIUM: _("Medium: move specific tasks, clarify the rest"),
    LOW: _("Low: not at present"),
    SUPPORT: _("Support function: moves with the units it serves"),
}

# 001's own conclusions (section 2, table 1 and the "Vurdering" of each area in section 5).
TRANSFER = "transfer"
SPECIFIC_TASKS = "specific_tasks"
NOT_NOW = "not_now"
WITH_UNITS = "with_units"

CONCLUSION_LABELS = {
    TRANSFER: _("Suitable: move into the unit"),
    SPECIFIC_TASKS: _("Suitable for specific tasks only"),
    NOT_NOW: _("Possible future area, not suitable at present"),
    WITH_UNITS: _("Moves with the units (support and development)"),
}

# Which overall suitability corresponds to which of 001's conclusions.
SUITABILITY_FOR_CONCLUSION = {
    TRANSFER: HIGH,
    SPECIFIC_TASKS: MEDIUM,
    NOT_NOW: LOW,
    WITH_UNITS: SUPPORT,
}

PRINCIPLES = (
    (1, _("Level of casework: resolved at once or rule-based")),
    (2, _("Whole responsibility and few external interfaces")),
    (3, _("Significant volume")),
    (4, _("Fewer and larger citizen entrances")),
    (5, _("Effective channel prioritisation")),
)

SHARE_MET_PCT = Decimal("75")
"""Principle 1 (level of casework) is met from this share (%) of cases resolved at once or
by rule-based casework without significant discretion.

Basis: 001 says the unit should *primarily* ("primært") solve such tasks; primarily is read
as three quarters. It is the line between the lowest share 001 accepts (pension, 76.5 % as
reported, 76.43 % recomputed – met either way) and the shares it finds too low."""

SHARE_PARTLY_PCT = Decimal("50")
"""Principle 1 is partly met from this share (%): at least half of the cases, but not
"primarily". Below it (the childcare office's 48 %, 001 table 21) the principle is not met."""

INTERFACES_MET_MAX = 5
"""Principle 2 (whole responsibility, few external interfaces) is met when the whole task
moves and at most this many external parties remain that the area works with.

Basis: 001 asks for the "fewest possible external interfaces" without a number. The areas
001 moves as a whole name two (housing benefits: SOF, BIF) to three (pensions: SOF, adult
dental care, Koncern Service once KBS and KFF are in the unit) outside parties; the
administrative citizen service lists thirteen (001 table 7) and is met only partly."""

VOLUME_MET = 50_000
"""Principle 3 (significant volume) is met from this many contacts or cases a year (the
larger of the two figures, as they often count the same enquiries).

Basis: 001 gives no number. The smallest area it recommends moving is the waste service
(75,500 contacts, 10 FTE); the business centre's "only a few" calls (about 4,000) are its
example of too little. 50,000 lies between."""

VOLUME_PARTLY = 10_000
"""Principle 3 is partly met from this many contacts or cases a year."""

ASSISTED_MET_PCT = Decimal("50")
"""Principle 5 (channel prioritisation) is met when at least this share (%) of the area's
contacts come by staff-handled channels (in person, phone, letter, e-mail) that a common
channel strategy can move to self-service.

Basis: 001's principle 5 and the Citizen.2012 projects it names aim to move contacts from
the personal channels to self-service; where most contacts still need staff, a common
channel strategy has most to gain. Where 001 gives shares only (pension: "about half"
written), the known shares are a lower bound."""

ASSISTED_PARTLY_PCT = Decimal("20")
"""Principle 5 is partly met from this share (%) of staff-handled contacts."""

# Responsibility after a transfer (principle 2), as 001 describes it for the area.
EXEMPT = "exempt"  # the one entrance itself: 001 exempts the citizen service centres
WHOLE = "whole"  # the full administrative and professional responsibility moves
SHARED = "shared"  # the front office moves; casework or expert knowledge stays behind
SPLIT = "split"  # a transfer would split the authority between two committees

RESPONSIBILITY_LABELS = {
    EXEMPT: _("The one entrance itself (exempt in 001)"),
    WHOLE: _("Whole responsibility moves"),
    SHARED: _("Shared: casework or expertise stays in the department"),
    SPLIT: _("Split: the authority would be divided between committees"),
}


@dataclass(frozen=True)
class AreaFacts:
    """What 001 states about an area where the catalogue holds no figure.

    ``casework``: 001's statement of the level of casework, used for principle 1 when there
    is no share; ``interfaces``: the outside parties the area works with once the areas of
    the unit are counted as inside it; ``entrances``: the separate citizen entrances
    (counters, own phone lines) the area runs outside the unit; ``entrance_condition``: a
    merger of the entrance first needs something else; ``is_entrance``: the area is one of
    the unit's own entrances."""

    section: str
    target_group: str
    responsibility: str
    interfaces: tuple[str, ...]
    entrances: int
    conclusion: str
    casework: str = ""
    entrance_condition: str = ""
    is_entrance: bool = False


AREA_FACTS_001: dict[str, AreaFacts] = {
    "okf-kbs": AreaFacts(
        section="4.1.1",
        target_group=_("All citizens"),
        responsibility=EXEMPT,
        interfaces=("Alle forvaltninger", "Politi", "SKAT"),
        entrances=6,
        is_entrance=True,
        casework=_("Levels 1 and 2 only: information and rule-based casework"),
        conclusion=TRANSFER,
    ),
    "okf-kontaktcenter": AreaFacts(
        section="4.1.1",
        target_group=_("All citizens"),
        responsibility=EXEMPT,
        interfaces=("Alle forvaltninger", "Politi", "SKAT"),
        entrances=1,
        is_entrance=True,
        casework=_("Levels 1 and 2 only: information and rule-based casework"),
        conclusion=TRANSFER,
    ),
    "okf-center-for-sikringsydelser": AreaFacts(
        section="4.1.1",
        target_group=_("Recipients of housing benefit and family benefits"),
        responsibility=WHOLE,
        interfaces=("SOF", "BIF"),
        entrances=1,
        casework=_("Full rule-based casework, discretion only in a few cases"),
        conclusion=TRANSFER,
    ),
    "okf-stoettefunktioner": AreaFacts(
        section="2",
        target_group=_("None (internal support and development)"),
        responsibility=WHOLE,
        interfaces=(),
        entrances=0,
        conclusion=WITH_UNITS,
    ),
    "kff-administrativ-borgerservice": AreaFacts(
        section="4.2",
        target_group=_("Citizens (civil registration, health insurance, payments, licences)"),
        responsibility=WHOLE,
        interfaces=(
            "Udenlandske myndigheder",
            "Indenrigs- og Socialministeriet",
            "Forvaltningerne",
            "SKAT",
            "Økonomiforvaltningen",
            "Center for Miljø (TMF)",
            "Andre kommuner",
            "Stads- og landsarkivet",
            "Byret og skifteret",
            "Kirkesogne",
            "Partier og valgretsnævn",
            "Københavns Politi",
            "Udenlandske ambassader",
        ),
        entrances=1,
        conclusion=TRANSFER,
    ),
    "bif-ydelsesservice": AreaFacts(
        section="4.3",
        target_group=_("Recipients of cash, sickness and maternity benefits; employers"),
        responsibility=SPLIT,
        interfaces=("Jobcentrene", "SOF"),
        entrances=3,
        conclusion=SPECIFIC_TASKS,
    ),
    "tmf-affaldsservice": AreaFacts(
        section="4.4.1",
        target_group=_("Households, property owners and caretakers"),
        responsibility=SHARED,
        interfaces=("Center for Miljø", "Center for Veje", "Center for Renhold", "Renovatører"),
        entrances=1,
        conclusion=TRANSFER,
    ),
    "tmf-parkering-kundeservice": AreaFacts(
        section="4.4.2",
        target_group=_("Motorists and residents with parking licences"),
        responsibility=SHARED,
        interfaces=("Driftsenhederne i Center for Parkering", "Øvrige TMF"),
        entrances=2,
        conclusion=TRANSFER,
    ),
    "suf-pensionsomraadet": AreaFacts(
        section="4.5",
        target_group=_("Pensioners"),
        responsibility=WHOLE,
        interfaces=("SOF", "Voksentandplejen", "Koncern Service"),
        entrances=5,
        conclusion=TRANSFER,
    ),
    "buf-pladsanvisning-foraeldrebetaling": AreaFacts(
        section="4.6",
        target_group=_("Parents of children in day care"),
        responsibility=SPLIT,
        interfaces=("Distrikterne", "Daginstitutionerne", "Kontoret for Plads og Kapacitet"),
        entrances=1,
        conclusion=NOT_NOW,
    ),
    "tmf-byggesagsomraadet": AreaFacts(
        section="4.4.3",
        target_group=_("Builders, property owners and their advisers"),
        responsibility=SHARED,
        interfaces=("Center for Byggeri", "KMD-byg", "Byggesagsarkivet"),
        entrances=2,
        entrance_condition=_("The physical building-case archive must be digitised first"),
        casework=_("Level 1: information; most enquiries resolved at once"),
        conclusion=NOT_NOW,
    ),
}


@dataclass
class PrincipleResult:
    number: int
    judgement: str
    figure: str  # the figure (or fact) that decided it, formatted for reading
    value: float | None  # the number behind the figure, when there is one
    threshold: str  # the rule applied

    def __post_init__(self) -> None:
        # Lazy translations are resolved now, in the language active for the assessment.
        self.figure = str(self.figure)
        self.threshold = str(self.threshold)

    @property
    def label(self) -> str:
        return str(JUDGEMENT_LABELS[self.judgement])

    def as_dict(self) -> dict:
        return {
            "principle": self.number,
            "judgement": self.judgement,
            "label": self.label,
            "figure": self.figure,
            "value": self.value,
            "threshold": self.threshold,
        }


@dataclass
class AreaAssessment:
    volume: AreaVolume
    facts: AreaFacts
    resolved_share: float | None  # recomputed from the figures (principle 1)
    reported_share: float | None  # as 001 reports it
    share_basis: str
    assisted_share: float | None  # principle 5
    principles: list[PrincipleResult]
    suitability: str
    reason: str

    @property
    def area(self):
        return self.volume.area

    @property
    def conclusion_001(self) -> str:
        return self.facts.conclusion

    @property
    def suitability_label(self) -> str:
        return str(SUITABILITY_LABELS[self.suitability])

    @property
    def conclusion_label(self) -> str:
        return str(CONCLUSION_LABELS[self.facts.conclusion])

    @property
    def agrees_with_001(self) -> bool:
        return SUITABILITY_FOR_CONCLUSION[self.facts.conclusion] == self.suitability

    def as_dict(self) -> dict:
        v = self.volume
        return {
            "area": v.area.code,
            "name": v.area.name,
            "department": v.area.department.code if v.area.department_id else None,
            "in_table2_total": v.in_table2_total,
            "fte": _num(v.fte),
            "contacts": v.contacts,
            "cases": v.cases,
            "applications": v.applications,
            "resolved_share_pct": _round(self.resolved_share),
            "reported_share_pct": _num(v.resolved_share_pct),
            "share_basis": self.share_basis,
            "assisted_share_pct": _round(self.assisted_share),
            "interfaces": list(self.facts.interfaces),
            "responsibility": self.facts.responsibility,
            "entrances": self.facts.entrances,
            "target_group": str(self.facts.target_group),
            "source_section": self.facts.section,
            "principles": [p.as_dict() for p in self.principles],
            "suitability": self.suitability,
            "suitability_label": str(SUITABILITY_LABELS[self.suitability]),
            "reason": self.reason,
            "conclusion_001": self.facts.conclusion,
            "conclusion_001_label": str(CONCLUSION_LABELS[self.facts.conclusion]),
            "agrees_with_001": self.agrees_with_001,
        }


def _num(value) -> float | None:
    return None if value is None else float(value)


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _pct(value: float) -> str:
    return f"{value:.1f} %"


class VolumeTree:
    """A year's ``AreaVolume`` rows by area, with the area tree, loaded in two queries so the
    assessment of all units needs no query per area."""

    def __init__(self, year: int) -> None:
        from borgerservice.catalogue.models import ServiceArea

        self.year = year
        self.by_area = {v.area_id: v for v in AreaVolume.objects.filter(year=year)}
        self.children_of: dict[int | None, list[int]] = {}
        for pk, parent in ServiceArea.objects.values_list("pk", "parent_id"):
            self.children_of.setdefault(parent, []).append(pk)

    def below(self, area_id: int, depth: int) -> list[AreaVolume]:
        """The volume rows of the areas ``depth`` levels below ``area_id``."""
        level = [area_id]
        for _step in range(depth):
            level = [child for pk in level for child in self.children_of.get(pk, [])]
        return [self.by_area[pk] for pk in level if pk in self.by_area]


def _tree(volume: AreaVolume, tree: VolumeTree | None) -> VolumeTree:
    return tree if tree is not None and tree.year == volume.year else VolumeTree(volume.year)


def measured_share(volume: AreaVolume, tree: VolumeTree | None = None) -> float | None:
    """Share (%) over the sub-areas whose resolved count is measured.

    For the administrative citizen service 001 leaves the total share uncomputed (table 6,
    "weak data"): civil registration's 22,523 applications are in the total but its resolved
    count is not measured, so dividing the total resolved by the total applications (64.6 %)
    counts unmeasured cases as not resolved. The sub-areas with both figures (collection,
    health insurance, licensing tasks) give 98.2 %."""
    rows = [
        (v.resolved_count, v.applications)
        for v in _tree(volume, tree).below(volume.area_id, 1)
        if v.resolved_count is not None and v.applications
    ]
    resolved = sum(r for r, _a in rows)
    applications = sum(a for _r, a in rows)
    return 100 * resolved / applications if applications else None


def recomputed_share(volume: AreaVolume, tree: VolumeTree | None = None) -> float | None:
    """``computed_share`` from a loaded ``VolumeTree`` (the same figure without queries)."""
    code = volume.area.code
    if code in SHARE_MEAN_OF_PARTS:
        parts = [
            float(v.resolved_share_pct)
            for v in _tree(volume, tree).below(volume.area_id, 2)
            if v.resolved_share_pct is not None and v.fte is not None
        ]
        return sum(parts) / len(parts) if parts else None
    if volume.resolved_count is None:
        return None
    base = volume.contacts if code in SHARE_OF_CONTACTS else volume.applications
    if not base:
        base = volume.contacts
    return 100 * volume.resolved_count / base if base else None


def principle_share(volume: AreaVolume, tree: VolumeTree | None = None) -> tuple[float | None, str]:
    """The share for principle 1 and how it was found."""
    if volume.resolved_share_pct is not None:
        return recomputed_share(volume, tree), "recomputed"
    share = measured_share(volume, tree)
    if share is not None:
        return share, "measured_sub_areas"
    return None, "none"


def _channel_counts(volume: AreaVolume) -> tuple[float, float] | None:
    """(staff-handled contacts, contacts with a known channel) of one volume row."""
    values = {name: getattr(volume, f"channel_{name}") for name in AreaVolume.CHANNEL_FIELDS}
    if all(value is None for value in values.values()):
        return None
    assisted = sum(float(values[n] or 0) for n in ("personal", "written", "phone", "email"))
    if volume.channel_unit == AreaVolume.ChannelUnit.PERCENT:
        base = float(volume.contacts or 0)
        return assisted * base / 100, base
    known = assisted + float(values["digital"] or 0)
    return assisted, known


def assisted_share(volume: AreaVolume, tree: VolumeTree | None = None) -> float | None:
    """Share (%) of contacts by staff-handled channels (in person, letter, phone, e-mail).

    From the area's own channel split; without one, from its sub-areas' splits over the
    contacts they cover (the parking service: 78 % and 96 % by phone in its two advice
    tasks). Shares given in per cent are a lower bound (the other channels are unknown)."""
    counts = _channel_counts(volume)
    # Sub-areas one level down, else two (the parking tasks sit under the parking topic).
    for depth in (1, 2):
        if counts is not None:
            break
        parts = [
            _channel_counts(child) for child in _tree(volume, tree).below(volume.area_id, depth)
        ]
        parts = [p for p in parts if p is not None]
        if parts:
            counts = (sum(a for a, _k in parts), sum(k for _a, k in parts))
    if counts is None:
        return None
    assisted, known = counts
    return 100 * assisted / known if known else None


def _judge_share(share: float | None, facts: AreaFacts) -> PrincipleResult:
    rule = _("met from %(met)s %%, partly from %(partly)s %%") % {
        "met": SHARE_MET_PCT,
        "partly": SHARE_PARTLY_PCT,
    }
    if share is None:
        if facts.casework:
            return PrincipleResult(1, MET, str(facts.casework), None, rule)
        return PrincipleResult(1, NOT_APPLICABLE, "–", None, rule)
    if share >= SHARE_MET_PCT:
        judgement = MET
    elif share >= SHARE_PARTLY_PCT:
        judgement = PARTLY
    else:
        judgement = NOT_MET
    return PrincipleResult(1, judgement, _pct(share), round(share, 2), rule)


def _judge_responsibility(facts: AreaFacts) -> PrincipleResult:
    count = len(facts.interfaces)
    rule = _("whole responsibility and at most %(max)s external parties") % {
        "max": INTERFACES_MET_MAX
    }
    figure = _("%(responsibility)s; external parties: %(count)s") % {
        "responsibility": RESPONSIBILITY_LABELS[facts.responsibility],
        "count": count,
    }
    if facts.responsibility == EXEMPT:
        judgement = MET
    elif facts.responsibility == SPLIT:
        judgement = NOT_MET
    elif facts.responsibility == SHARED or count > INTERFACES_MET_MAX:
        judgement = PARTLY
    else:
        judgement = MET
    return PrincipleResult(2, judgement, figure, float(count), rule)


def _judge_volume(volume: AreaVolume) -> PrincipleResult:
    rule = _("met from %(met)s, partly from %(partly)s contacts or cases a year") % {
        "met": f"{VOLUME_MET:,}",
        "partly": f"{VOLUME_PARTLY:,}",
    }
    figures = [f for f in (volume.contacts, volume.cases, volume.applications) if f]
    if not figures:
        return PrincipleResult(3, NOT_APPLICABLE, "–", None, rule)
    amount = max(figures)
    if amount >= VOLUME_MET:
        judgement = MET
    elif amount >= VOLUME_PARTLY:
        judgement = PARTLY
    else:
        judgement = NOT_MET
    return PrincipleResult(3, judgement, f"{amount:,}", float(amount), rule)


def _judge_entrances(facts: AreaFacts) -> PrincipleResult:
    rule = _("met when the area's own entrances can merge into the unit's")
    if facts.is_entrance:
        figure = _("Entrances: %(count)s, the one entrance itself") % {"count": facts.entrances}
        return PrincipleResult(4, MET, figure, float(facts.entrances), rule)
    if not facts.entrances:
        return PrincipleResult(4, NOT_APPLICABLE, "0", 0.0, rule)
    figure = _("Own entrances: %(count)s") % {"count": facts.entrances}
    if facts.entrance_condition:
        figure = f"{figure}; {facts.entrance_condition}"
        return PrincipleResult(4, PARTLY, figure, float(facts.entrances), rule)
    return PrincipleResult(4, MET, figure, float(facts.entrances), rule)


def _judge_channels(share: float | None) -> PrincipleResult:
    rule = _("met from %(met)s %%, partly from %(partly)s %% of contacts handled by staff") % {
        "met": ASSISTED_MET_PCT,
        "partly": ASSISTED_PARTLY_PCT,
    }
    if share is None:
        return PrincipleResult(5, UNKNOWN, "–", None, rule)
    if share >= ASSISTED_MET_PCT:
        judgement = MET
    elif share >= ASSISTED_PARTLY_PCT:
        judgement = PARTLY
    else:
        judgement = NOT_MET
    return PrincipleResult(5, judgement, _pct(share), round(share, 2), rule)


def overall_suitability(principles: list[PrincipleResult], facts: AreaFacts) -> tuple[str, str]:
    """The overall suitability from the five judgements, with the reason.

    * high: principle 1 (the level of casework) and principle 3 (volume) are met and no
      principle is unmet – the area goes into the unit as a whole;
    * medium: principles 1 and 3 are met but one principle is not – specific tasks can move
      (001's conclusion for the benefits service, where the law keeps the authority with the
      employment committee);
    * low: otherwise – principle 1 or 3 not met, or more than one principle unmet.

    Principles 1 and 3 carry the decision because 001 builds the unit on tasks resolved at
    once or by rule (principle 1) in a volume worth organising (principle 3); the other three
    say how easily the move is made. Support functions without contacts of their own are not
    judged: 001 moves them with the units they serve (table 1)."""
    by_number = {p.number: p.judgement for p in principles}
    if by_number[3] == NOT_APPLICABLE and not facts.entrances:
        return SUPPORT, str(_("Support function without contacts or cases of its own."))
    unmet = [p.number for p in principles if p.judgement == NOT_MET]
    core_met = by_number[1] == MET and by_number[3] == MET
    if core_met and not unmet:
        return HIGH, str(_("Principles 1 and 3 met, none unmet."))
    if core_met and len(unmet) == 1:
        return MEDIUM, str(_("Principles 1 and 3 met; principle %(number)s not met.")) % {
            "number": unmet[0]
        }
    missing = [n for n in (1, 3) if by_number[n] != MET]
    if missing:
        return LOW, str(_("Principle %(numbers)s not met in full.")) % {
            "numbers": ", ".join(str(n) for n in missing)
        }
    return LOW, str(_("More than one principle not met."))


def assessment_areas(year: int = 2009) -> list[AreaVolume]:
    """The areas assessed: the organisational units (top level) with figures for ``year``."""
    order = list(AREA_FACTS_001)
    rows = AreaVolume.objects.filter(
        year=year, area__parent__isnull=True, area__kind="unit", area__code__in=order
    ).select_related("area", "area__department")
    return sorted(rows, key=lambda row: order.index(row.area.code))


def assess(volume: AreaVolume, tree: VolumeTree | None = None) -> AreaAssessment:
    facts = AREA_FACTS_001[volume.area.code]
    tree = _tree(volume, tree)
    share, basis = principle_share(volume, tree)
    channels = assisted_share(volume, tree)
    principles = [
        _judge_share(share, facts),
        _judge_responsibility(facts),
        _judge_volume(volume),
        _judge_entrances(facts),
        _judge_channels(channels),
    ]
    suitability, reason = overall_suitability(principles, facts)
    return AreaAssessment(
        volume=volume,
        facts=facts,
        resolved_share=share,
        reported_share=_num(volume.resolved_share_pct),
        share_basis=basis,
        assisted_share=channels,
        principles=principles,
        suitability=suitability,
        reason=reason,
    )


def year_check(year, field: str = "year") -> int:
    """Refuse a year outside the catalogue's range (``AreaVolume``: 1990–2100)."""
    from borgerservice.core.errors import ServiceError

    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        raise ServiceError(
            "portfolio.bad_year", _("The year must be from 1990 to 2100."), field=field
        )
    return year


def assessment(year: int = 2009) -> list[AreaAssessment]:
    """The five-principle assessment of every organisational unit 001 analyses."""
    tree = VolumeTree(year)
    return [assess(volume, tree) for volume in assessment_areas(year)]


# =============================================================================================
# Savings path: 5 % a year over three years (001 sections 1 and 3)
# =============================================================================================

SAVINGS_RATE = Decimal("0.05")
SAVINGS_YEARS = 3
SAVINGS_START_YEAR = 2010
"""001: implementation and transfer 2010–2012 (section 2, table 1)."""

SAVINGS_COMPOUNDING = True
"""001 asks to reduce the costs of administrative support functions "by 5 % a year over a
three-year period" without saying what the 5 % is taken of. Read here as compounding: each
year's 5 % is taken of the costs as they are that year, after the earlier years' savings
(a yearly rate of the running costs), 1 − 0.95³ = 14.26 % after three years. The other
reading, 5 % of the original baseline every year (15 % after three years, 0.74 percentage
points more: 4.0 of 541 FTE), is available with ``compounding=False``. Compounding is the
default because a yearly rate of "the costs" applies to the costs of that year, and it is
the cautious reading: realised benefits are not held against a larger target than 001
clearly sets."""

DEFAULT_COST_PER_FTE_DKK = Decimal("460904")
"""Cost of one FTE (DKK a year, 2009–2010 prices) for turning FTE into kroner.

Basis: 001 table 2, the budget excluding benefits and project funds of the areas in the
total (249,349 thousand DKK) divided by their FTE (541): 460,904 DKK. It is a full cost per
FTE (salaries with premises, IT and other running costs), as the budget covers all of
them; configurable (``cost_per_fte``) for a municipality's own figure."""


@dataclass
class SavingsYear:
    year: int
    saving_fte: Decimal
    cumulative_fte: Decimal
    remaining_fte: Decimal
    saving_dkk: Decimal
    cumulative_dkk: Decimal
    remaining_dkk: Decimal

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "saving_fte": float(round(self.saving_fte, 2)),
            "cumulative_fte": float(round(self.cumulative_fte, 2)),
            "remaining_fte": float(round(self.remaining_fte, 2)),
            "saving_dkk": float(round(self.saving_dkk)),
            "cumulative_dkk": float(round(self.cumulative_dkk)),
            "remaining_dkk": float(round(self.remaining_dkk)),
        }


@dataclass
class SavingsPath:
    baseline_fte: Decimal
    cost_per_fte: Decimal
    rate: Decimal
    years: int
    start_year: int
    compounding: bool
    rows: list[SavingsYear]

    @property
    def baseline_dkk(self) -> Decimal:
        return self.baseline_fte * self.cost_per_fte

    @property
    def total_fte(self) -> Decimal:
        return self.rows[-1].cumulative_fte if self.rows else Decimal(0)

    @property
    def total_dkk(self) -> Decimal:
        return self.rows[-1].cumulative_dkk if self.rows else Decimal(0)

    @property
    def total_share(self) -> Decimal:
        return self.total_fte / self.baseline_fte if self.baseline_fte else Decimal(0)

    def as_dict(self) -> dict:
        return {
            "baseline_fte": float(self.baseline_fte),
            "baseline_dkk": float(round(self.baseline_dkk)),
            "cost_per_fte_dkk": float(self.cost_per_fte),
            "rate": float(self.rate),
            "years": self.years,
            "start_year": self.start_year,
            "compounding": self.compounding,
            "total_fte": float(round(self.total_fte, 2)),
            "total_dkk": float(round(self.total_dkk)),
            "total_share": float(round(self.total_share, 6)),
            "rows": [row.as_dict() for row in self.rows],
        }


def _decimal(value, field: str, message) -> Decimal:
    from decimal import InvalidOperation

    from borgerservice.core.errors import ServiceError

    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError("portfolio.invalid", message, field=field) from exc
    if not number.is_finite():
        raise ServiceError("portfolio.invalid", message, field=field)
    return number


def savings_path(
    *,
    baseline_fte=None,
    cost_per_fte=None,
    rate=SAVINGS_RATE,
    years: int = SAVINGS_YEARS,
    start_year: int = SAVINGS_START_YEAR,
    compounding: bool = SAVINGS_COMPOUNDING,
    table2_year: int = 2009,
) -> SavingsPath:
    """The planned savings year by year from a baseline (by default the 541 FTE of table 2).

    With ``compounding`` each year saves ``rate`` of what remains after the earlier years;
    without it each year saves ``rate`` of the baseline. See ``SAVINGS_COMPOUNDING``."""
    from borgerservice.core.errors import ServiceError

    rate = _decimal(rate, "rate", _("The rate must be a number from 0 to 1, e.g. 0.05."))
    if not Decimal(0) < rate < Decimal(1):
        raise ServiceError(
            "portfolio.bad_rate",
            _("The rate must be a number from 0 to 1, e.g. 0.05."),
            field="rate",
        )
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 20:
        raise ServiceError(
            "portfolio.bad_years", _("The number of years must be from 1 to 20."), field="years"
        )
    if isinstance(start_year, bool) or not isinstance(start_year, int):
        raise ServiceError(
            "portfolio.bad_year", _("The first year must be from 2000 to 2100."), field="start_year"
        )
    if not 2000 <= start_year <= 2100 - years + 1:
        raise ServiceError(
            "portfolio.bad_year", _("The first year must be from 2000 to 2100."), field="start_year"
        )
    if baseline_fte is None:
        baseline = Decimal(table2(table2_year).totals["fte"])
    else:
        baseline = _decimal(
            baseline_fte, "baseline_fte", _("The baseline must be a positive number of FTE.")
        )
    if baseline <= 0:
        raise ServiceError(
            "portfolio.bad_baseline",
            _("The baseline must be a positive number of FTE."),
            field="baseline_fte",
        )
    cost = DEFAULT_COST_PER_FTE_DKK if cost_per_fte is None else cost_per_fte
    cost = _decimal(cost, "cost_per_fte", _("The cost per FTE must be a positive amount."))
    if cost <= 0 or cost > Decimal("100000000"):
        raise ServiceError(
            "portfolio.bad_cost",
            _("The cost per FTE must be a positive amount."),
            field="cost_per_fte",
        )
    rows: list[SavingsYear] = []
    remaining = baseline
    cumulative = Decimal(0)
    for offset in range(years):
        saving = remaining * rate if compounding else baseline * rate
        remaining -= saving
        cumulative += saving
        rows.append(
            SavingsYear(
                year=start_year + offset,
                saving_fte=saving,
                cumulative_fte=cumulative,
                remaining_fte=remaining,
                saving_dkk=saving * cost,
                cumulative_dkk=cumulative * cost,
                remaining_dkk=remaining * cost,
            )
        )
    return SavingsPath(
        baseline_fte=baseline,
        cost_per_fte=cost,
        rate=rate,
        years=years,
        start_year=start_year,
        compounding=compounding,
        rows=rows,
    )


@dataclass
class PlanVsRealised:
    year: int
    planned_fte: Decimal
    realised_fte: Decimal
    planned_dkk: Decimal
    realised_dkk: Decimal
    cumulative_planned_fte: Decimal
    cumulative_realised_fte: Decimal
    cumulative_planned_dkk: Decimal
    cumulative_realised_dkk: Decimal

    @property
    def gap_fte(self) -> Decimal:
        """Cumulative realised minus planned FTE (negative: behind the path)."""
        return self.cumulative_realised_fte - self.cumulative_planned_fte

    @property
    def gap_dkk(self) -> Decimal:
        return self.cumulative_realised_dkk - self.cumulative_planned_dkk

    @property
    def attainment(self) -> float | None:
        """Cumulative realised DKK as a share of the cumulative plan."""
        if not self.cumulative_planned_dkk:
            return None
        return float(self.cumulative_realised_dkk / self.cumulative_planned_dkk)

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "planned_fte": float(round(self.planned_fte, 2)),
            "realised_fte": float(round(self.realised_fte, 2)),
            "planned_dkk": float(round(self.planned_dkk)),
            "realised_dkk": float(round(self.realised_dkk)),
            "cumulative_planned_fte": float(round(self.cumulative_planned_fte, 2)),
            "cumulative_realised_fte": float(round(self.cumulative_realised_fte, 2)),
            "cumulative_planned_dkk": float(round(self.cumulative_planned_dkk)),
            "cumulative_realised_dkk": float(round(self.cumulative_realised_dkk)),
            "gap_fte": float(round(self.gap_fte, 2)),
            "gap_dkk": float(round(self.gap_dkk)),
            "attainment": None if self.attainment is None else round(self.attainment, 4),
        }


def realised_by_year() -> dict[int, tuple[Decimal, Decimal]]:
    """Realised FTE and DKK per year, over all areas."""
    from django.db.models import Sum

    from .models import BenefitRealisation

    rows = BenefitRealisation.objects.values("year").annotate(
        fte=Sum("fte_saved"), dkk=Sum("amount_dkk")
    )
    return {row["year"]: (row["fte"] or Decimal(0), row["dkk"] or Decimal(0)) for row in rows}


def plan_vs_realised(path: SavingsPath) -> list[PlanVsRealised]:
    """The plan against the realised benefits per year and cumulatively: the years of the
    path, and any year with realised benefits before or after it."""
    realised = realised_by_year()
    planned = {row.year: row for row in path.rows}
    years = sorted(set(planned) | set(realised))
    if not years:
        return []
    result: list[PlanVsRealised] = []
    cum = [Decimal(0)] * 4
    for year in range(years[0], years[-1] + 1):
        plan = planned.get(year)
        plan_fte = plan.saving_fte if plan else Decimal(0)
        plan_dkk = plan.saving_dkk if plan else Decimal(0)
        real_fte, real_dkk = realised.get(year, (Decimal(0), Decimal(0)))
        cum = [cum[0] + plan_fte, cum[1] + real_fte, cum[2] + plan_dkk, cum[3] + real_dkk]
        result.append(
            PlanVsRealised(
                year=year,
                planned_fte=plan_fte,
                realised_fte=real_fte,
                planned_dkk=plan_dkk,
                realised_dkk=real_dkk,
                cumulative_planned_fte=cum[0],
                cumulative_realised_fte=cum[1],
                cumulative_planned_dkk=cum[2],
                cumulative_realised_dkk=cum[3],
            )
        )
    return result


# =============================================================================================
# Cost per contact by channel
# =============================================================================================

KC_PER_CONTACT = Decimal("24.77")  # 27,621,000 DKK / 1,115,000 contacts (001 table 2)
KBS_PER_CONTACT = Decimal("74.94")  # 56,206,000 DKK / 750,000 contacts (001 table 2)

DEFAULT_UNIT_COSTS: dict[str, tuple[Decimal, str]] = {
    "phone": (
        KC_PER_CONTACT,
        _(
            "001 table 2: the contact centre's budget (27,621 thousand DKK) / its 1,115,000 "
            "phone and e-mail contacts"
        ),
    ),
    "email": (
        KC_PER_CONTACT,
        _(
            "001 table 2: the contact centre's budget / its phone and e-mail contacts (the "
            "source does not separate the two)"
        ),
    ),
    "walk_in": (
        KBS_PER_CONTACT,
        _(
            "001 table 2: Copenhagen Citizen Service's budget (56,206 thousand DKK) / its "
            "750,000 in-person and written contacts, back-office cases included"
        ),
    ),
    "letter": (
        KBS_PER_CONTACT,
        _(
            "001 table 2: Copenhagen Citizen Service's budget / its in-person and written "
            "contacts (the source does not separate the two)"
        ),
    ),
    "self_service": (
        Decimal("5.00"),
        _(
            "Placeholder, not from a source: set it to the municipality's running cost of "
            "its self-service solutions divided by the completed applications"
        ),
    ),
    "chat_sms": (
        KC_PER_CONTACT,
        _(
            "Placeholder: assumed equal to the contact centre's cost per contact; set it "
            "from the municipality's own figures"
        ),
    ),
    "outreach": (
        KBS_PER_CONTACT,
        _(
            "Placeholder: assumed at least the cost of an in-person contact; set it from the "
            "municipality's own figures"
        ),
    ),
}
"""What one contact costs by channel (DKK) until an analyst sets the municipality's own
figures (``UnitCost`` rows override these). The sources give no cost per channel; the phone
and walk-in figures are derived from 001 table 2 (budget / contacts of the contact centre and
of Copenhagen Citizen Service, 2009–2010 prices, full costs: staff, premises, IT). The
walk-in figure includes the citizen service's back-office casework and is therefore high;
the self-service, chat and outreach figures are placeholders."""

# AreaVolume's channel columns as the platform's channels.
VOLUME_CHANNELS = {
    "personal": "walk_in",
    "written": "letter",
    "phone": "phone",
    "digital": "self_service",
    "email": "email",
}

SHIFT_FROM = ("phone", "walk_in")
SHIFT_TO = "self_service"
DEFAULT_SHIFT = Decimal("0.10")


def unit_costs() -> dict[str, dict]:
    """The cost per contact of every channel: the stored figure, else the default."""
    from borgerservice.core.channels import Channel

    from .models import UnitCost

    stored = {u.channel: u for u in UnitCost.objects.select_related("updated_by")}
    result = {}
    for channel in Channel:
        row = stored.get(channel.value)
        default_cost, default_note = DEFAULT_UNIT_COSTS[channel.value]
        result[channel.value] = {
            "channel": channel.value,
            "label": str(channel.label),
            "cost_dkk": row.cost_dkk if row else default_cost,
            "source_note": (row.source_note if row else str(default_note)),
            "is_default": row is None,
            "updated_at": row.updated_at if row else None,
            "updated_by": (row.updated_by.get_username() if row and row.updated_by else None),
        }
    return result


def contacts_by_channel_from_rollup(year: int) -> dict[str, int]:
    from datetime import date

    from django.db.models import Sum

    from .models import ContactDay

    rows = (
        ContactDay.objects.filter(day__gte=date(year, 1, 1), day__lt=date(year + 1, 1, 1))
        .values("channel")
        .annotate(n=Sum("contacts"))
    )
    return {row["channel"]: int(row["n"] or 0) for row in rows if row["n"]}


def contacts_by_channel_from_table2(year: int = 2009) -> tuple[dict[str, int], int]:
    """Contacts per channel from the channel figures of table 2's areas, and the contacts
    with no channel split (Copenhagen Citizen Service counts in-person and written
    together; the administrative citizen service and parking give no split)."""
    counts: dict[str, float] = {}
    unassigned = 0.0
    for volume in table2(year).rows:
        assigned = 0.0
        for field_name, channel in VOLUME_CHANNELS.items():
            value = getattr(volume, f"channel_{field_name}")
            if value is None:
                continue
            amount = float(value)
            if volume.channel_unit == AreaVolume.ChannelUnit.PERCENT:
                amount = amount * (volume.contacts or 0) / 100
            counts[channel] = counts.get(channel, 0.0) + amount
            assigned += amount
        unassigned += max(0.0, (volume.contacts or 0) - assigned)
    return {k: round(v) for k, v in counts.items()}, round(unassigned)


def latest_contact_year() -> int | None:
    from .models import ContactDay

    last = ContactDay.objects.order_by("-day").values_list("day", flat=True).first()
    return last.year if last else None


@dataclass
class ChannelCosts:
    source: str  # "rollup" or "table2"
    year: int
    shift: Decimal
    rows: list[dict]
    unassigned: int
    total_dkk: Decimal
    shifted_contacts: int
    saving_dkk: Decimal

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "year": self.year,
            "shift": float(self.shift),
            "rows": [
                {
                    **row,
                    "cost_dkk": float(row["cost_dkk"]),
                    "total_dkk": float(round(row["total_dkk"], 2)),
                }
                for row in self.rows
            ],
            "unassigned_contacts": self.unassigned,
            "total_dkk": float(round(self.total_dkk, 2)),
            "shifted_contacts": self.shifted_contacts,
            "saving_dkk": float(round(self.saving_dkk, 2)),
        }


def channel_costs(*, year: int | None = None, shift=DEFAULT_SHIFT) -> ChannelCosts:
    """Contacts per channel × cost per contact, the total, and the saving if ``shift`` (a
    share from 0 to 1) of the phone and walk-in contacts moved to self-service.

    Contacts come from the ``ContactDay`` rollup summed over ``year`` (by default the latest
    year with rows); without rows for it, from the channel figures of 001 table 2."""
    from borgerservice.core.errors import ServiceError

    shift = _decimal(shift, "shift", _("The shift must be a share from 0 to 1, e.g. 0.1."))
    if not Decimal(0) <= shift <= Decimal(1):
        raise ServiceError(
            "portfolio.bad_shift",
            _("The shift must be a share from 0 to 1, e.g. 0.1."),
            field="shift",
        )
    if year is not None:
        year_check(year)
    chosen = year if year is not None else latest_contact_year()
    counts = contacts_by_channel_from_rollup(chosen) if chosen is not None else {}
    unassigned = 0
    if counts:
        source = "rollup"
    else:
        source, chosen = "table2", 2009
        counts, unassigned = contacts_by_channel_from_table2(chosen)
    costs = unit_costs()
    rows = []
    total = Decimal(0)
    for channel, info in costs.items():
        n = counts.get(channel, 0)
        amount = info["cost_dkk"] * n
        total += amount
        rows.append(
            {
                "channel": channel,
                "label": info["label"],
                "contacts": n,
                "cost_dkk": info["cost_dkk"],
                "total_dkk": amount,
                "is_default": info["is_default"],
            }
        )
    target_cost = costs[SHIFT_TO]["cost_dkk"]
    saving = Decimal(0)
    moved_total = 0
    for channel in SHIFT_FROM:
        moved = Decimal(counts.get(channel, 0)) * shift
        moved_total += round(moved)
        saving += moved * (costs[channel]["cost_dkk"] - target_cost)
    return ChannelCosts(
        source=source,
        year=chosen,
        shift=shift,
        rows=rows,
        unassigned=unassigned,
        total_dkk=total,
        shifted_contacts=moved_total,
        saving_dkk=saving,
    )
