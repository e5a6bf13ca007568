"""Staffing plans from the forecast, and the what-if simulation for the planning pages.

Staffing plan: for each weekday × clock hour inside the centre's opening hours, the
forecast arrivals of that hour and the AHT go into ``erlang.staffing`` (Erlang C, or
Erlang A when a mean patience is given) with the target service level, the answer time,
the maximum occupancy and the shrinkage. A partly open hour (e.g. 10:30–11:00) is planned
as an interval of the open seconds with the arrivals forecast for that hour.

Defaults (``PLAN_DEFAULTS``): calls 80 % answered within 20 seconds; walk-ins 80 % called
within 15 minutes (900 seconds, the calibration's target); maximum occupancy 85 %;
shrinkage 30 % (breaks, meetings, training, sickness and holidays).

Totals: agent-hours = Σ agents × open hours of the interval; scheduled hours the same with
the agents after shrinkage. FTE = scheduled hours a week / 37 hours (the Danish full-time
week). ``37 × (1 - shrinkage)`` hours of each FTE are on the counter or the phone.

Comparison with the staffed counter time: ``CapacityDay.staffed_seconds`` of the centre in
the forecast's history window, as mean hours per opening day of each weekday (holidays and
days without sessions left out), against the plan's agent-hours (before shrinkage: staffed
counter time is time at the counter).
"""

from __future__ import annotations

import math
import time as clock
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from borgerservice.core.errors import ServiceError

from . import forecast as fc
from .erlang import staffing

FULL_TIME_HOURS_PER_WEEK = 37.0
DEFAULT_SHRINKAGE = 0.3
DEFAULT_MAX_OCCUPANCY = 0.85
PLAN_DEFAULTS = {
    fc.PHONE: {"target": 0.8, "within": 20.0},
    fc.WALK_IN: {"target": 0.8, "within": 900.0},
}


@dataclass(frozen=True)
class PlanCell:
    weekday: int
    hour: int
    interval_seconds: float
    volume: float
    agents: int
    agents_with_shrinkage: int
    service_level: float
    asa_seconds: float
    occupancy: float
    abandonment: float | None

    @property
    def agent_hours(self) -> float:
        return self.agents * self.interval_seconds / 3600.0

    @property
    def scheduled_hours(self) -> float:
        return self.agents_with_shrinkage * self.interval_seconds / 3600.0

    def as_dict(self) -> dict:
        data = {
            "weekday": self.weekday,
            "hour": self.hour,
            "interval_seconds": self.interval_seconds,
            "volume": round(self.volume, 3),
            "agents": self.agents,
            "agents_with_shrinkage": self.agents_with_shrinkage,
            "service_level": round(self.service_level, 6),
            "asa_seconds": round(self.asa_seconds, 3) if math.isfinite(self.asa_seconds) else None,
            "occupancy": round(self.occupancy, 6),
        }
        if self.abandonment is not None:
            data["abandonment"] = round(self.abandonment, 6)
        return data


@dataclass
class PlanDay:
    weekday: int
    cells: list[PlanCell]
    staffed_hours: float | None = None  # recorded mean counter hours (CapacityDay)

    @property
    def volume(self) -> float:
        return sum(c.volume for c in self.cells)

    @property
    def agent_hours(self) -> float:
        return sum(c.agent_hours for c in self.cells)

    @property
    def scheduled_hours(self) -> float:
        return sum(c.scheduled_hours for c in self.cells)

    @property
    def peak_agents(self) -> int:
        return max((c.agents for c in self.cells), default=0)

    @property
    def service_level(self) -> float | None:
        """Expected service level of the day, weighted by the arrivals of each hour."""
        volume = self.volume
        if volume <= 0:
            return None
        return sum(c.service_level * c.volume for c in self.cells) / volume

    @property
    def staffed_difference(self) -> float | None:
        if self.staffed_hours is None:
            return None
        return self.staffed_hours - self.agent_hours

    def as_dict(self) -> dict:
        level = self.service_level
        return {
            "weekday": self.weekday,
            "volume": round(self.volume, 2),
            "agent_hours": round(self.agent_hours, 2),
            "scheduled_hours": round(self.scheduled_hours, 2),
            "peak_agents": self.peak_agents,
            "service_level": None if level is None else round(level, 6),
            "staffed_hours": None if self.staffed_hours is None else round(self.staffed_hours, 2),
        }


@dataclass
class StaffingPlan:
    forecast: fc.Forecast
    target: float
    within: float
    shrinkage: float
    max_occupancy: float | None
    patience: float | None
    days: list[PlanDay]
    capacity_days: int = 0  # days of CapacityDay rows found in the window
    elapsed_ms: float = 0.0
    full_time_hours: float = FULL_TIME_HOURS_PER_WEEK
    notes: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[PlanCell]:
        return [c for d in self.days for c in d.cells]

    @property
    def volume(self) -> float:
        return sum(d.volume for d in self.days)

    @property
    def agent_hours(self) -> float:
        return sum(d.agent_hours for d in self.days)

    @property
    def scheduled_hours(self) -> float:
        return sum(d.scheduled_hours for d in self.days)

    @property
    def fte(self) -> float:
        return self.scheduled_hours / self.full_time_hours

    @property
    def staffed_hours(self) -> float | None:
        values = [d.staffed_hours for d in self.days if d.staffed_hours is not None]
        return sum(values) if values else None

    @property
    def service_level(self) -> float | None:
        volume = self.volume
        if volume <= 0:
            return None
        return sum(c.service_level * c.volume for c in self.cells) / volume

    def as_dict(self) -> dict:
        level = self.service_level
        staffed = self.staffed_hours
        return {
            "forecast": {
                k: v for k, v in self.forecast.as_dict().items() if k not in ("cells", "days")
            },
            "parameters": {
                "target": self.target,
                "within": self.within,
                "shrinkage": self.shrinkage,
                "max_occupancy": self.max_occupancy,
                "patience": self.patience,
                "full_time_hours_per_week": self.full_time_hours,
            },
            "cells": [c.as_dict() for c in self.cells],
            "days": [d.as_dict() for d in self.days],
            "week": {
                "volume": round(self.volume, 2),
                "agent_hours": round(self.agent_hours, 2),
                "scheduled_hours": round(self.scheduled_hours, 2),
                "fte": round(self.fte, 2),
                "service_level": None if level is None else round(level, 6),
                "staffed_hours": None if staffed is None else round(staffed, 2),
                "capacity_days": self.capacity_days,
            },
        }


def _number(value, name: str):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ServiceError(
            "request.invalid",
            _("The value of %(field)s is not valid.") % {"field": name},
            field=name,
        )
    return float(value)


def plan_from_forecast(
    forecast: fc.Forecast,
    *,
    target: float | None = None,
    within: float | None = None,
    shrinkage: float = DEFAULT_SHRINKAGE,
    max_occupancy: float | None = DEFAULT_MAX_OCCUPANCY,
    patience: float | None = None,
) -> StaffingPlan:
    """The staffing plan of ``forecast``: one ``erlang.staffing`` per open interval."""
    started = clock.perf_counter()
    defaults = PLAN_DEFAULTS[forecast.channel]
    target = defaults["target"] if target is None else _number(target, "target")
    within = defaults["within"] if within is None else _number(within, "within")
    shrinkage = _number(shrinkage, "shrinkage")
    max_occupancy = _number(max_occupancy, "max_occupancy")
    patience = _number(patience, "patience")
    days = []
    for d in range(7):
        cells = []
        for h in range(fc.HOURS):
            seconds = fc.open_seconds(forecast.opening_hours[d], h)
            if seconds <= 0:
                continue
            volume = forecast.volume[d][h]
            result = staffing(
                calls=volume,
                interval_seconds=seconds,
                aht=forecast.aht_seconds,
                target=target,
                within=within,
                max_occupancy=max_occupancy,
                shrinkage=shrinkage,
                patience=patience,
            )
            cells.append(
                PlanCell(
                    weekday=d,
                    hour=h,
                    interval_seconds=seconds,
                    volume=volume,
                    agents=result.agents,
                    agents_with_shrinkage=result.agents_with_shrinkage,
                    service_level=result.service_level,
                    asa_seconds=result.asa_seconds,
                    occupancy=result.occupancy,
                    abandonment=result.abandonment,
                )
            )
        if cells:
            days.append(PlanDay(weekday=d, cells=cells))
    plan = StaffingPlan(
        forecast=forecast,
        target=target,
        within=within,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
        patience=patience,
        days=days,
    )
    plan.elapsed_ms = (clock.perf_counter() - started) * 1000
    return plan


def staffed_hours_by_weekday(centre_id: int, start: date, end: date) -> tuple[list, int]:
    """Mean staffed counter hours per opening day of each weekday (None where no day had
    sessions) from ``CapacityDay``, and the number of days found."""
    from .models import CapacityDay

    rows = (
        CapacityDay.objects.filter(centre=centre_id, day__gte=start, day__lte=end)
        .values("day")
        .annotate(seconds=Sum("staffed_seconds"))
    )
    sums = [0.0] * 7
    counts = [0] * 7
    found = 0
    for row in rows:
        day, seconds = row["day"], float(row["seconds"] or 0)
        if seconds <= 0 or fc._is_holiday(day):
            continue
        found += 1
        sums[day.weekday()] += seconds / 3600.0
        counts[day.weekday()] += 1
    return [sums[d] / counts[d] if counts[d] else None for d in range(7)], found


def staffing_plan_build(
    *,
    centre,
    weeks: int = fc.DEFAULT_WEEKS,
    as_of: date | None = None,
    target: float | None = None,
    within: float | None = None,
    shrinkage: float = DEFAULT_SHRINKAGE,
    max_occupancy: float | None = DEFAULT_MAX_OCCUPANCY,
    patience: float | None = None,
    decay: float = fc.DEFAULT_DECAY,
    trend: bool = False,
) -> StaffingPlan:
    """Forecast ``centre`` and plan its staff; compare with the recorded counter time."""
    started = clock.perf_counter()
    forecast = fc.forecast_volume(centre=centre, weeks=weeks, as_of=as_of, decay=decay, trend=trend)
    plan = plan_from_forecast(
        forecast,
        target=target,
        within=within,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
        patience=patience,
    )
    staffed, found = staffed_hours_by_weekday(
        forecast.centre_id, forecast.window_start, forecast.window_end
    )
    plan.capacity_days = found
    for day in plan.days:
        day.staffed_hours = staffed[day.weekday]
    plan.elapsed_ms = (clock.perf_counter() - started) * 1000
    return plan


# -- simulation -----------------------------------------------------------------------------

MAX_SIMULATION_WEEKS = 26
MAX_REPLICATIONS = 10
# weeks × replications per request; one simulated week of all centres takes about 25 ms
# on an idle machine, and the baseline runs as well, so the cap keeps an answer to a few
# seconds also on a busy one.
MAX_SIMULATION_WORK = 26
DEFAULT_SIMULATION_WEEKS = 2
DEFAULT_REPLICATIONS = 2
MAX_EXTRA_COUNTERS = 20
SIMULATION_METRICS = (
    "arrivals_per_year",
    "mean_wait_seconds",
    "p90_wait_seconds",
    "service_level",
    "abandonment",
    "utilisation",
    "fte",
    "fte_needed",
)


def area_choices() -> list[tuple[str, str]]:
    """Areas that can be moved into the unit: (code, name) of the top-level areas with a
    yearly contact volume in the catalogue data, the unit's own areas (ØKF) left out."""
    import json

    from borgerservice.catalogue.models import ServiceArea

    from .scenarios import AREAS_FILE

    data = json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    top = {a["code"] for a in data["areas"] if not a.get("parent")}
    codes = []
    for volume in data["volumes"]:
        code = volume["area"]
        wanted = code in top and volume.get("contacts") and not code.startswith("okf-")
        if wanted and code not in codes:
            codes.append(code)
    names = {a.code: a.name for a in ServiceArea.objects.filter(code__in=codes)}
    return [(code, names.get(code) or code) for code in codes]


def _simulation_error(code: str, message, field: str, **params) -> ServiceError:
    return ServiceError(code, message, field=field, params=params or None)


def simulation_validate(
    *,
    scenario: str,
    weeks: int,
    replications: int,
    seed: int,
    counters: int,
    shift: float,
    area: str,
    booking_days: list[int],
    saturday_moved_share: float,
) -> None:
    """Raise a translated ``ServiceError`` (400) for the first value that cannot be used."""
    from .scenarios import SCENARIOS
    from .simulation import CALIBRATION

    def whole(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def real(value) -> bool:
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )

    if scenario not in SCENARIOS:
        raise _simulation_error(
            "simulation.scenario_unknown",
            _("Choose one of the scenarios: %(names)s."),
            "scenario",
            names=", ".join(SCENARIOS),
        )
    if not whole(weeks) or not 1 <= weeks <= MAX_SIMULATION_WEEKS:
        raise _simulation_error(
            "simulation.weeks_invalid",
            _("The number of weeks to simulate must be a whole number from 1 to %(max)s."),
            "weeks",
            max=MAX_SIMULATION_WEEKS,
        )
    if not whole(replications) or not 1 <= replications <= MAX_REPLICATIONS:
        raise _simulation_error(
            "simulation.replications_invalid",
            _("The number of replications must be a whole number from 1 to %(max)s."),
            "replications",
            max=MAX_REPLICATIONS,
        )
    if weeks * replications > MAX_SIMULATION_WORK:
        raise _simulation_error(
            "simulation.too_large",
            _(
                "Weeks times replications may be at most %(max)s, so that the answer comes "
                "within seconds; %(weeks)s × %(replications)s is too much. Use manage.py "
                "simulate for longer runs."
            ),
            "weeks",
            max=MAX_SIMULATION_WORK,
            weeks=weeks,
            replications=replications,
        )
    if not whole(seed) or not 0 <= seed <= 2**31:
        raise _simulation_error(
            "simulation.seed_invalid", _("The seed must be a whole number of 0 or more."), "seed"
        )
    # The parameters of the other scenarios are not used and not checked.
    if scenario == "more-counters" and (
        not whole(counters) or not 1 <= counters <= MAX_EXTRA_COUNTERS
    ):
        raise _simulation_error(
            "simulation.counters_invalid",
            _("The number of extra counters must be a whole number from 1 to %(max)s."),
            "counters",
            max=MAX_EXTRA_COUNTERS,
        )
    reachable = CALIBRATION.digital_reachable_share
    if scenario == "digital-shift" and (not real(shift) or not 0 <= shift <= reachable):
        raise _simulation_error(
            "simulation.shift_invalid",
            _(
                "The share moving to digital must lie between 0 and %(max)s, i.e. %(percent)s %% "
                "(the citizens whose IT skills allow digital self-service)."
            ),
            "shift",
            max=f"{reachable:.2f}",
            percent=f"{reachable * 100:.0f}",
        )
    if scenario == "move-area" and area not in {code for code, _name in area_choices()}:
        raise _simulation_error(
            "simulation.area_unknown",
            _("Choose an area with known contact volumes to move into the unit."),
            "area",
        )
    if scenario == "booking-only" and (
        not booking_days
        or not all(whole(d) and 0 <= d <= 5 for d in booking_days)
        or len(set(booking_days)) != len(booking_days)
    ):
        raise _simulation_error(
            "simulation.booking_days_invalid",
            _("Choose one or more opening days (Monday to Saturday) for booking only."),
            "booking_days",
        )
    if scenario == "close-saturdays" and (
        not real(saturday_moved_share) or not 0 <= saturday_moved_share <= 1
    ):
        raise _simulation_error(
            "simulation.saturday_share_invalid",
            _("The share of Saturday visits that come on another day must lie between 0 and 1."),
            "saturday_moved_share",
        )


def _mean_runs(runs: list[dict]) -> dict[str, dict]:
    channels: dict[str, dict] = {}
    for channel in sorted(runs[0]["channels"]):
        values = {}
        for metric in SIMULATION_METRICS:
            xs = [r["channels"][channel][metric] for r in runs]
            values[metric] = sum(xs) / len(xs)
        values["target_seconds"] = runs[0]["channels"][channel]["target_seconds"]
        values["centres"] = runs[0]["channels"][channel]["centres"]
        channels[channel] = values
    return channels


def simulation_run(
    *,
    scenario: str,
    weeks: int = DEFAULT_SIMULATION_WEEKS,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
    counters: int = 1,
    shift: float = 0.2,
    area: str = "suf-pensionsomraadet",
    booking_days: list[int] | tuple[int, ...] = (4,),
    saturday_moved_share: float = 0.8,
    calls: bool = True,
) -> dict:
    """Simulate ``scenario`` and the baseline with the same seeds (replication ``r`` uses
    seed ``seed + r``), and return the mean figures per channel of both and the difference
    (scenario − baseline)."""
    from .scenarios import Options, run_scenario

    booking_days = list(booking_days)
    simulation_validate(
        scenario=scenario,
        weeks=weeks,
        replications=replications,
        seed=seed,
        counters=counters,
        shift=shift,
        area=area,
        booking_days=booking_days,
        saturday_moved_share=saturday_moved_share,
    )
    started = clock.perf_counter()

    def runs_of(name: str) -> list[dict]:
        return [
            run_scenario(
                name,
                Options(
                    weeks=weeks,
                    seed=seed + r,
                    counters=counters,
                    shift=float(shift),
                    area=area,
                    booking_days=tuple(booking_days),
                    saturday_moved_share=float(saturday_moved_share),
                    calls=bool(calls),
                ),
                per_hour=False,
            )
            for r in range(replications)
        ]

    scenario_runs = runs_of(scenario)
    result = _mean_runs(scenario_runs)
    baseline = result if scenario == "baseline" else _mean_runs(runs_of("baseline"))
    channels = {}
    for channel, values in result.items():
        base = baseline.get(channel, {})
        channels[channel] = {
            "scenario": values,
            "baseline": base,
            "difference": {
                m: values[m] - base[m] for m in SIMULATION_METRICS if m in values and m in base
            },
        }
    return {
        "scenario": scenario,
        "weeks": weeks,
        "replications": replications,
        "seed": seed,
        "parameters": {
            "counters": counters,
            "shift": shift,
            "area": area,
            "booking_days": booking_days,
            "saturday_moved_share": saturday_moved_share,
            "calls": bool(calls),
        },
        "productive_hours_per_fte": scenario_runs[0]["productive_hours_per_fte"],
        "channels": channels,
        "elapsed_ms": (clock.perf_counter() - started) * 1000,
    }
