"""Planning endpoints: the volume forecast, the staffing plan of a centre and the what-if
simulation. For analysts and team leads (``api.require_planning_role``); aggregates only."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters

from . import forecast as fc
from . import planning
from .api import require_planning_role

router = Router(tags=["analytics"], auth=STAFF_AUTH)


# -- schemas --------------------------------------------------------------------------------


class ForecastQuery(Schema):
    centre: str = Field(..., description="Id or code of a service centre or the contact centre")
    weeks: int = Field(fc.DEFAULT_WEEKS, description="Weeks of history to use (1–104)")
    as_of: date | None = Field(
        None,
        description="First day of the forecast week; the history ends the day before "
        "(default today)",
    )
    decay: float = Field(
        fc.DEFAULT_DECAY, description="Weight of each earlier week relative to the next (0–1]"
    )
    trend: bool = Field(False, description="Scale by the linear trend of the daily volumes")


class PlanQuery(ForecastQuery):
    target: float | None = Field(None, description="Service level target (default 0.8)")
    within: float | None = Field(
        None,
        description="Answer time of the target in seconds (default 20 for calls, 900 for walk-ins)",
    )
    shrinkage: float = Field(planning.DEFAULT_SHRINKAGE, description="Share of scheduled time away")
    max_occupancy: float | None = Field(
        planning.DEFAULT_MAX_OCCUPANCY, description="Highest occupancy per interval"
    )
    patience: float | None = Field(
        None, description="Mean patience in seconds: Erlang A with abandonment"
    )


class CentreOut(Schema):
    id: int
    code: str
    name: str


class ForecastCellOut(Schema):
    weekday: int = Field(description="0 = Monday")
    hour: int = Field(description="Clock hour, local time")
    volume: float = Field(description="Forecast arrivals in the hour")


class ForecastDayOut(Schema):
    weekday: int
    volume: float


class ForecastOut(Schema):
    centre: CentreOut
    channel: str = Field(description="walk_in or phone")
    basis: str = Field(description="history, or sources when there is too little history")
    as_of: date
    weeks: int
    window_start: date
    window_end: date
    days_used: int = Field(description="Days of history in the weighted means")
    holidays_excluded: list[date]
    holidays_ahead: list[date] = Field(description="Public holidays in the forecast week")
    trend_factor: float
    aht_seconds: float = Field(description="Average handling time")
    aht_basis: str = Field(description="history, queue_groups or sources")
    days: list[ForecastDayOut]
    week_total: float
    cells: list[ForecastCellOut]


class ForecastSummaryOut(Schema):
    centre: CentreOut
    channel: str
    basis: str
    as_of: date
    weeks: int
    window_start: date
    window_end: date
    days_used: int
    holidays_excluded: list[date]
    holidays_ahead: list[date]
    trend_factor: float
    aht_seconds: float
    aht_basis: str
    week_total: float


class PlanParametersOut(Schema):
    target: float
    within: float
    shrinkage: float
    max_occupancy: float | None
    patience: float | None
    full_time_hours_per_week: float


class PlanCellOut(Schema):
    weekday: int
    hour: int
    interval_seconds: float
    volume: float
    agents: int
    agents_with_shrinkage: int
    service_level: float
    asa_seconds: float | None
    occupancy: float
    abandonment: float | None = None


class PlanDayOut(Schema):
    weekday: int
    volume: float
    agent_hours: float
    scheduled_hours: float
    peak_agents: int
    service_level: float | None
    staffed_hours: float | None = Field(
        description="Recorded mean staffed counter hours on this weekday (CapacityDay)"
    )


class PlanWeekOut(Schema):
    volume: float
    agent_hours: float
    scheduled_hours: float
    fte: float = Field(description="Scheduled hours / 37 hours a week")
    service_level: float | None
    staffed_hours: float | None
    capacity_days: int


class PlanOut(Schema):
    forecast: ForecastSummaryOut
    parameters: PlanParametersOut
    cells: list[PlanCellOut]
    days: list[PlanDayOut]
    week: PlanWeekOut


class SimulationIn(Schema):
    scenario: str = Field(
        ...,
        description="baseline, close-saturdays, booking-only, more-counters, "
        "digital-shift or move-area",
    )
    weeks: int = Field(planning.DEFAULT_SIMULATION_WEEKS, description="Weeks simulated per run")
    replications: int = Field(planning.DEFAULT_REPLICATIONS, description="Independent runs")
    seed: int = Field(1, description="Seed of the first run")
    counters: int = Field(1, description="more-counters: counters added in every open hour")
    shift: float = Field(0.2, description="digital-shift: share of visits and calls going digital")
    area: str = Field("suf-pensionsomraadet", description="move-area: code of the area")
    booking_days: list[int] = Field([4], description="booking-only: weekdays, 0 = Monday")
    saturday_moved_share: float = Field(
        0.8, description="close-saturdays: share of Saturday visits that come on another day"
    )
    calls: bool = Field(True, description="Include the contact centre")


class SimulationFiguresOut(Schema):
    arrivals_per_year: float
    mean_wait_seconds: float
    p90_wait_seconds: float
    service_level: float
    abandonment: float
    utilisation: float
    fte: float = Field(description="FTE of the counters staffed in the simulation")
    fte_needed: float = Field(description="FTE the Erlang C rule asks for this demand")
    target_seconds: float | None = None
    centres: int | None = None


class SimulationChannelOut(Schema):
    scenario: SimulationFiguresOut
    baseline: SimulationFiguresOut
    difference: dict[str, float]


class SimulationOut(Schema):
    scenario: str
    weeks: int
    replications: int
    seed: int
    parameters: dict
    productive_hours_per_fte: float
    channels: dict[str, SimulationChannelOut]
    elapsed_ms: float


# -- endpoints ------------------------------------------------------------------------------


@router.get(
    "/analytics/forecast",
    response={200: ForecastOut, 400: ErrorOut, 403: ErrorOut},
    summary="Forecast of arrivals per weekday and hour for a centre",
)
def forecast_get(request: HttpRequest, query: Query[ForecastQuery]):
    """Arrivals per weekday × clock hour for the week from ``as_of``: an exponentially
    weighted mean of the last ``weeks`` weeks (public holidays left out), or the source
    calibration (``basis = "sources"``) when the history is too short; with the AHT."""
    reject_unknown_parameters(request, set(ForecastQuery.model_fields))
    require_planning_role(request.user)
    result = fc.forecast_volume(**query.model_dump())
    return result.as_dict()


@router.get(
    "/analytics/staffing-plan",
    response={200: PlanOut, 400: ErrorOut, 403: ErrorOut},
    summary="Staffing plan of a centre for a week (Erlang C / Erlang A per hour)",
)
def staffing_plan_get(request: HttpRequest, query: Query[PlanQuery]):
    """For each open hour of the week: forecast arrivals, agents needed, agents to schedule
    with shrinkage, expected service level, ASA and occupancy; totals per day and week in
    agent-hours and FTE (37 hours a week), compared with the recorded staffed counter time."""
    reject_unknown_parameters(request, set(PlanQuery.model_fields))
    require_planning_role(request.user)
    return planning.staffing_plan_build(**query.model_dump()).as_dict()


@router.post(
    "/analytics/simulation",
    response={200: SimulationOut, 400: ErrorOut, 403: ErrorOut},
    summary="Simulate a what-if scenario against the baseline",
)
def simulation_post(request: HttpRequest, body: SimulationIn):
    """Runs the discrete-event simulation of the service centres and the contact centre for
    ``scenario`` and for the baseline with the same seeds, and returns per channel the mean
    and 90th-percentile wait, service level, abandonment, utilisation and FTE of both and
    the difference. Weeks × replications is capped (400 above the cap) so that the answer
    comes within seconds; nothing is stored."""
    require_planning_role(request.user)
    return planning.simulation_run(**body.model_dump())
