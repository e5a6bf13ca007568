"""The portfolio analysis (001's method) over the API.

Reading (analysts and team leads, ``require_planning_role``): table 2 with the five-principle
assessment, the savings path against the realised benefits, the unit costs and the cost per
channel. Writing (analysts only, ``portfolio_services``): the unit cost of a channel and the
realised benefit of an area in a year. Nothing here identifies a person.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters

from . import portfolio
from .api import require_planning_role
from .models import BenefitRealisation

router = Router(tags=["analytics"], auth=STAFF_AUTH)

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- schemas ---------------------------------------------------------------------------------


class PrincipleOut(Schema):
    principle: int = Field(description="1–5, the principles of 001 section 3")
    judgement: str = Field(description="met, partly, not_met, not_applicable or unknown")
    label: str
    figure: str = Field(description="The figure or fact that decided the judgement")
    value: float | None = None
    threshold: str = Field(description="The rule applied")


class AssessmentOut(Schema):
    area: str
    name: str
    department: str | None
    in_table2_total: bool
    fte: float | None
    contacts: int | None
    cases: int | None
    applications: int | None
    resolved_share_pct: float | None = Field(description="Recomputed from the figures")
    reported_share_pct: float | None = Field(description="As 001 reports it")
    share_basis: str
    assisted_share_pct: float | None = Field(description="Contacts by staff-handled channels")
    interfaces: list[str]
    responsibility: str
    entrances: int
    target_group: str
    source_section: str
    principles: list[PrincipleOut]
    suitability: str = Field(description="high, medium, low or support")
    suitability_label: str
    reason: str
    conclusion_001: str
    conclusion_001_label: str
    agrees_with_001: bool


class Table2RowOut(Schema):
    area: str
    name: str
    department: str | None
    fte: float | None
    contacts: int | None
    cases: int | None
    budget_tdkk: int | None
    budget_excl_benefits_tdkk: int | None


class PortfolioOut(Schema):
    year: int
    table2: list[Table2RowOut]
    totals: dict[str, float]
    totals_001: dict[str, float]
    discrepancies: list[str]
    assessment: list[AssessmentOut]


class SavingsRowOut(Schema):
    year: int
    saving_fte: float
    cumulative_fte: float
    remaining_fte: float
    saving_dkk: float
    cumulative_dkk: float
    remaining_dkk: float


class ComparisonOut(Schema):
    year: int
    planned_fte: float
    realised_fte: float
    planned_dkk: float
    realised_dkk: float
    cumulative_planned_fte: float
    cumulative_realised_fte: float
    cumulative_planned_dkk: float
    cumulative_realised_dkk: float
    gap_fte: float
    gap_dkk: float
    attainment: float | None


class SavingsPathOut(Schema):
    baseline_fte: float
    baseline_dkk: float
    cost_per_fte_dkk: float
    rate: float
    years: int
    start_year: int
    compounding: bool
    total_fte: float
    total_dkk: float
    total_share: float
    rows: list[SavingsRowOut]
    comparison: list[ComparisonOut]


class SavingsQuery(Schema):
    years: int = Field(portfolio.SAVINGS_YEARS, description="Years of the path")
    rate: float = Field(float(portfolio.SAVINGS_RATE), description="Yearly rate, e.g. 0.05")
    compounding: bool = Field(
        portfolio.SAVINGS_COMPOUNDING,
        description="true: each year's rate of what remains; false: of the baseline",
    )
    cost_per_fte: float | None = Field(None, description="DKK a year; default 460,904")
    baseline_fte: float | None = Field(None, description="Default: table 2's 541 FTE")
    start_year: int = Field(portfolio.SAVINGS_START_YEAR, description="First year of the path")


class UnitCostOut(Schema):
    channel: str
    label: str
    cost_dkk: float
    source_note: str
    is_default: bool
    updated_by: str | None = None


class UnitCostIn(Schema):
    model_config = ConfigDict(extra="forbid")

    cost_dkk: float = Field(..., description="What one contact by the channel costs (DKK)")
    source_note: str = Field("", description="The basis of the figure (at most 300 characters)")


class ChannelCostRowOut(Schema):
    channel: str
    label: str
    contacts: int
    cost_dkk: float
    total_dkk: float
    is_default: bool


class ChannelCostsOut(Schema):
    source: str = Field(description="rollup (ContactDay) or table2 (001's channel figures)")
    year: int
    shift: float
    rows: list[ChannelCostRowOut]
    unassigned_contacts: int
    total_dkk: float
    shifted_contacts: int
    saving_dkk: float


class ChannelCostsQuery(Schema):
    year: int | None = Field(None, description="Default: the latest year with contacts")
    shift: float = Field(float(portfolio.DEFAULT_SHIFT), description="Share moved, 0–1")


class BenefitOut(Schema):
    id: int
    area: str
    area_name: str
    year: int
    fte_saved: float
    amount_dkk: float
    note: str
    recorded_by: str | None
    recorded_at: str


class BenefitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    area: str = Field(..., description="Area code, e.g. suf-pensionsomraadet")
    year: int
    fte_saved: float = 0
    amount_dkk: float = 0
    note: str = ""


# --- helpers ---------------------------------------------------------------------------------


def portfolio_data(year: int) -> dict:
    result = portfolio.table2(year)
    return {
        "year": year,
        "table2": [
            {
                "area": row.area.code,
                "name": row.area.name,
                "department": row.area.department.code if row.area.department_id else None,
                "fte": None if row.fte is None else float(row.fte),
                "contacts": row.contacts,
                "cases": row.cases,
                "budget_tdkk": row.budget_tdkk,
                "budget_excl_benefits_tdkk": row.budget_excl_benefits_tdkk,
            }
            for row in result.rows
        ],
        "totals": {k: float(v) for k, v in result.totals.items()},
        "totals_001": {k: float(v) for k, v in portfolio.TABLE2_TOTALS_001.items()},
        "discrepancies": result.discrepancies,
        "assessment": [a.as_dict() for a in portfolio.assessment(year)],
    }


def savings_data(**options) -> dict:
    path = portfolio.savings_path(**options)
    return {
        **path.as_dict(),
        "comparison": [row.as_dict() for row in portfolio.plan_vs_realised(path)],
    }


def benefit_out(row: BenefitRealisation) -> dict:
    return {
        "id": row.pk,
        "area": row.area.code,
        "area_name": row.area.name,
        "year": row.year,
        "fte_saved": float(row.fte_saved),
        "amount_dkk": float(row.amount_dkk),
        "note": row.note,
        "recorded_by": row.recorded_by.get_username() if row.recorded_by else None,
        "recorded_at": row.recorded_at.isoformat(),
    }


def unit_cost_out(info: dict) -> dict:
    return {**info, "cost_dkk": float(info["cost_dkk"])}


# --- endpoints -------------------------------------------------------------------------------


@router.get(
    "/analytics/portfolio",
    response={200: PortfolioOut, **ERRORS},
    summary="001's table 2 with the five-principle assessment",
)
def portfolio_get(request: HttpRequest, year: int = 2009):
    """Table 2 rebuilt from the area volumes (totals against 001's), and for every
    organisational unit its inputs, the judgement on each of the five principles with the
    figure that decided it, the overall suitability and 001's own conclusion."""
    reject_unknown_parameters(request, {"year"})
    require_planning_role(request.user)
    portfolio.year_check(year)
    return portfolio_data(year)


@router.get(
    "/analytics/portfolio/savings-path",
    response={200: SavingsPathOut, **ERRORS},
    summary="The savings path (5 % a year over three years) against the realised benefits",
)
def savings_path_get(request: HttpRequest, query: Query[SavingsQuery]):
    """Planned FTE and DKK per year from the baseline, and the plan against the recorded
    benefits per year and cumulatively. Compounding by default (each year 5 % of what
    remains); ``compounding=false`` takes 5 % of the baseline every year."""
    reject_unknown_parameters(request, set(SavingsQuery.model_fields))
    require_planning_role(request.user)
    return savings_data(**query.model_dump())


@router.get(
    "/analytics/portfolio/unit-costs",
    response={200: list[UnitCostOut], **ERRORS},
    summary="Cost per contact by channel",
)
def unit_costs_get(request: HttpRequest):
    """Every channel's cost per contact: the analysts' figure, else the default with its
    basis (``is_default``)."""
    reject_unknown_parameters(request, set())
    require_planning_role(request.user)
    return [unit_cost_out(info) for info in portfolio.unit_costs().values()]


@router.put(
    "/analytics/portfolio/unit-costs/{channel}",
    response={200: UnitCostOut, **ERRORS},
    summary="Set the cost per contact of a channel (analysts)",
)
def unit_cost_put(request: HttpRequest, channel: str, body: UnitCostIn):
    from .portfolio_services import unit_cost_set

    reject_unknown_parameters(request, set())
    require_planning_role(request.user)
    unit_cost_set(
        user=request.user, channel=channel, cost_dkk=body.cost_dkk, source_note=body.source_note
    )
    return unit_cost_out(portfolio.unit_costs()[channel])


@router.get(
    "/analytics/portfolio/channel-costs",
    response={200: ChannelCostsOut, **ERRORS},
    summary="Contacts per channel × cost per contact, and the saving of a channel shift",
)
def channel_costs_get(request: HttpRequest, query: Query[ChannelCostsQuery]):
    """Contacts per channel over a year (the contact rollup; without rows, 001 table 2's
    channel figures), their cost, and the saving if ``shift`` of the phone and walk-in
    contacts moved to self-service."""
    reject_unknown_parameters(request, set(ChannelCostsQuery.model_fields))
    require_planning_role(request.user)
    return portfolio.channel_costs(year=query.year, shift=str(query.shift)).as_dict()


@router.get(
    "/analytics/portfolio/benefits",
    response={200: list[BenefitOut], **ERRORS},
    summary="Realised benefits",
)
def benefits_get(request: HttpRequest, year: int | None = None):
    reject_unknown_parameters(request, {"year"})
    require_planning_role(request.user)
    rows = BenefitRealisation.objects.select_related("area", "recorded_by").order_by(
        "year", "area__code"
    )
    if year is not None:
        rows = rows.filter(year=year)
    return [benefit_out(row) for row in rows]


@router.post(
    "/analytics/portfolio/benefits",
    response={200: BenefitOut, 201: BenefitOut, **ERRORS},
    summary="Record the realised benefit of an area in a year (analysts)",
)
def benefit_post(request: HttpRequest, body: BenefitIn):
    """One row per area and year: 201 when created, 200 when an existing row is replaced."""
    from .portfolio_services import benefit_record

    reject_unknown_parameters(request, set())
    require_planning_role(request.user)
    row, created = benefit_record(
        user=request.user,
        area=body.area,
        year=body.year,
        fte_saved=str(body.fte_saved),
        amount_dkk=str(body.amount_dkk),
        note=body.note,
    )
    row = BenefitRealisation.objects.select_related("area", "recorded_by").get(pk=row.pk)
    return Status(201 if created else 200, benefit_out(row))
