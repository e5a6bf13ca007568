"""What-if scenarios for the simulation: baseline, closing Saturdays, booking-only days,
more counters, a shift to digital and moving an area (e.g. Pension) into the unit.

Each scenario changes the demand (and, for more counters, the staffing). The staffing plan
of the baseline is kept in every what-if, so waits show what happens with today's staff;
``fte_needed`` is the staffing the Erlang C rule asks for the scenario's own demand (80 %
within target per hour), so the two together show the effect on waits and on staff.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from .erlang import erlang_c_service_level
from .simulation import (
    CALIBRATION,
    HOUR,
    Calibration,
    Centre,
    Model,
    Stream,
    hourly_rates,
    simulate,
)

SCENARIOS = (
    "baseline",
    "close-saturdays",
    "booking-only",
    "more-counters",
    "digital-shift",
    "move-area",
)
AREAS_FILE = Path(__file__).resolve().parent.parent / "catalogue" / "data" / "areas.json"


@dataclass(frozen=True)
class Options:
    weeks: int = 8
    seed: int = 1
    counters: int = 1  # more-counters: added to every open hour at every centre
    shift: float = 0.2  # digital-shift: share of walk-ins and calls that go digital
    area: str = "suf-pensionsomraadet"  # move-area: catalogue code of the area moved in
    area_handling_factor: float = 1.5  # its contacts take this much longer (ASSUMPTION)
    saturday_moved_share: float = 0.8  # close-saturdays: share of Saturday visits kept
    booking_days: tuple[int, ...] = (4,)  # booking-only: weekdays (0 = Monday), Friday
    calls: bool = True  # include the contact centre
    walk_ins_per_year: float | None = None  # override the calibrated walk-in volume
    calibration: Calibration = field(default=CALIBRATION)


def area_contacts(code: str) -> dict:
    """The yearly contacts (and written share, if given) of a catalogue area."""
    data = json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    for volume in data["volumes"]:
        if volume["area"] == code and volume.get("contacts"):
            channels = volume.get("channels") or {}
            written = channels.get("written") if volume.get("channel_unit") == "percent" else None
            return {"contacts": float(volume["contacts"]), "written_pct": written}
    raise ValueError(f"no contact volume for area {code!r}")


def staffing_plan(
    centre: Centre, calibration: Calibration, weeks_per_year: int
) -> tuple[tuple[int, ...], ...]:
    """Counters per weekday and hour so that each hour alone meets the service-level goal
    by Erlang C (booked visits counted as spread evenly over the day)."""
    rates = hourly_rates(centre, weeks_per_year)
    plan = []
    for d in range(7):
        row = [0] * 24
        hours = centre.opening_hours[d]
        if hours:
            open_h, close_h = hours
            booked = centre.booked_share[d]
            for h in range(open_h, close_h):
                lam = 0.0
                work = 0.0
                for s, stream in enumerate(centre.streams):
                    day_total = rates[d, open_h:close_h, s].sum()
                    per_hour = (1 - booked) * rates[d, h, s] + booked * day_total / (
                        close_h - open_h
                    )
                    lam += per_hour
                    work += per_hour * stream.service_mean
                if lam <= 0:
                    continue
                aht = work / lam
                traffic = work / HOUR
                agents = max(1, math.floor(traffic) + 1)
                while (
                    erlang_c_service_level(
                        traffic=traffic, agents=agents, aht=aht, within=centre.target_seconds
                    )
                    < calibration.service_level_goal
                ):
                    agents += 1
                row[h] = agents
        plan.append(tuple(row))
    return tuple(plan)


def _streams(options: Options, scenario: str) -> tuple[list[Stream], list[Stream]]:
    cal = options.calibration
    walk_ins = options.walk_ins_per_year or cal.walk_ins_per_year
    calls = cal.calls_per_year
    if scenario == "digital-shift":
        if not 0 <= options.shift <= cal.digital_reachable_share:
            raise ValueError(
                f"shift must lie between 0 and {cal.digital_reachable_share:.2f} "
                "(the share of citizens whose IT profile allows digital self-service)"
            )
        walk_ins *= 1 - options.shift
        calls *= 1 - options.shift
    per_centre = walk_ins / cal.centres
    walk = [
        Stream(
            "walk-in",
            per_centre,
            cal.walk_in_service_minutes * 60,
            "lognormal",
            cal.walk_in_service_cv,
            cal.walk_in_patience_minutes * 60,
        )
    ]
    phone = [
        Stream(
            "call",
            calls,
            cal.call_service_seconds,
            "exponential",
            1.0,
            cal.call_patience_seconds,
        )
    ]
    if scenario == "move-area":
        area = area_contacts(options.area)
        # Written contacts are not queued; the rest split personal : phone as in 003 table 1.
        written = (area["written_pct"] or cal.channel_mix["letter"] * 100) / 100
        spoken = area["contacts"] * (1 - written)
        mix = cal.channel_mix
        personal = spoken * mix["personal"] / (mix["personal"] + mix["phone"])
        factor = options.area_handling_factor
        walk.append(
            replace(
                walk[0],
                name=options.area,
                per_year=personal / cal.centres,
                service_mean=walk[0].service_mean * factor,
            )
        )
        phone.append(
            replace(
                phone[0],
                name=options.area,
                per_year=spoken - personal,
                service_mean=phone[0].service_mean * factor,
            )
        )
    return walk, phone


def _weekday_weights(options: Options, scenario: str) -> tuple[tuple, tuple]:
    cal = options.calibration
    weights = list(cal.weekday_weights)
    hours = list(cal.opening_hours)
    if scenario == "close-saturdays":
        # Saturday closes; the year's volume is spread over Mon–Fri by their weights and
        # scaled in build_model to the share of Saturday visits that move.
        weights[5] = 0.0
        hours[5] = None
    return tuple(weights), tuple(hours)


def build_model(scenario: str, options: Options | None = None) -> Model:
    """The model of ``scenario``: walk-in centres (and the contact centre) with their
    demand and staffing plan."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    options = options or Options()
    cal = options.calibration
    walk, phone = _streams(options, scenario)
    base_walk, base_phone = _streams(options, "baseline")
    weights, hours = _weekday_weights(options, scenario)
    volume_factor = 1.0
    if scenario == "close-saturdays":
        old = cal.weekday_weights
        volume_factor = (sum(old[:5]) + old[5] * options.saturday_moved_share) / sum(old[:6])
        walk = [replace(s, per_year=s.per_year * volume_factor) for s in walk]
    booked = tuple(
        1.0 if scenario == "booking-only" and d in options.booking_days else 0.0 for d in range(7)
    )
    empty = tuple((0,) * 24 for _ in range(7))
    base_centre = Centre(
        name="centre",
        channel="walk_in",
        streams=tuple(base_walk),
        opening_hours=cal.opening_hours,
        weekday_weights=cal.weekday_weights,
        hour_weights=cal.hour_weights,
        counters=empty,
        target_seconds=cal.walk_in_target_seconds,
    )
    base_plan = staffing_plan(base_centre, cal, cal.weeks_per_year)
    centre = replace(
        base_centre,
        streams=tuple(walk),
        opening_hours=hours,
        weekday_weights=weights,
        booked_share=booked,
    )
    plan = [list(row) for row in base_plan]
    for d in range(7):
        if not hours[d]:
            plan[d] = [0] * 24
        elif scenario == "more-counters":
            open_h, close_h = hours[d]
            for h in range(open_h, close_h):
                plan[d][h] += options.counters
    centres = [
        replace(centre, name=f"service-centre-{i + 1}", counters=tuple(map(tuple, plan)))
        for i in range(cal.centres)
    ]
    if options.calls:
        base_cc = Centre(
            name="contact-centre",
            channel="phone",
            streams=tuple(base_phone),
            opening_hours=cal.call_opening_hours,
            weekday_weights=cal.weekday_weights,
            hour_weights=cal.hour_weights,
            counters=empty,
            target_seconds=cal.call_target_seconds,
        )
        cc_plan = staffing_plan(base_cc, cal, cal.weeks_per_year)
        centres.append(replace(base_cc, streams=tuple(phone), counters=cc_plan))
    return Model(
        centres=tuple(centres),
        weeks=options.weeks,
        weeks_per_year=cal.weeks_per_year,
        productive_hours_per_fte=cal.productive_hours_per_fte,
        booking_punctuality_seconds=cal.booking_punctuality_seconds,
    )


def fte_needed(model: Model, calibration: Calibration) -> dict[str, float]:
    """FTE the Erlang C rule asks for each channel's demand in ``model``."""
    needed: dict[str, float] = {}
    for centre in model.centres:
        plan = staffing_plan(centre, calibration, model.weeks_per_year)
        hours = sum(sum(row) for row in plan) * model.weeks_per_year
        needed[centre.channel] = (
            needed.get(centre.channel, 0.0) + hours / model.productive_hours_per_fte
        )
    return needed


def run_scenario(scenario: str, options: Options | None = None, *, per_hour: bool = True) -> dict:
    """Simulate ``scenario`` and return a JSON-ready summary."""
    options = options or Options()
    model = build_model(scenario, options)
    result = simulate(model, seed=options.seed, per_hour=per_hour)
    needed = fte_needed(model, options.calibration)
    for channel, summary in result.items():
        summary["fte_needed"] = needed.get(channel, 0.0)
    return {
        "scenario": scenario,
        "weeks": options.weeks,
        "seed": options.seed,
        "productive_hours_per_fte": model.productive_hours_per_fte,
        "channels": result,
    }
