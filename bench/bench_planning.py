"""Planning: the volume forecast, the staffing plan, the backtest error and the simulation API.

A year (2026) of hourly history is generated for one service centre (queue tickets in
``TicketHour``, service times in ``DurationBin``) and for the contact centre (phone contacts
in ``ContactHour``): Poisson arrivals around the sources' weekday and hour profile (peak
14–16, Monday–Thursday heavy, Saturday quiet), a yearly season (summer low, ±15 %) and a
growth of 5 % over the year; public holidays closed. Reported:

* ``planning_forecast_*``: ``forecast_volume`` (8 and 52 weeks of history) for a centre,
  p50/p95 over forecast dates spread over the year;
* ``planning_plan_week_*``: ``staffing_plan_build`` (forecast + Erlang C for every open hour
  of the week + the staffed-time comparison), and Erlang A with patience;
* ``planning_backtest_*``: WAPE and MAPE of forecasting each week of the year from the 8
  weeks before it (mean and median over the weeks), without and with the trend factor;
* ``planning_simulation_api_*``: response time of POST /api/v1/analytics/simulation for one
  scenario with the defaults (2 weeks, 2 replications, the baseline alongside), and the
  slowest request the cap allows (26 weeks, 1 replication).
"""

from __future__ import annotations

import math
import statistics
import time
from datetime import date, timedelta

import numpy as np
from common import report, setup_django, summarise

YEAR = 2026
REPEATS = 30


def _profile(weekday: int, hour: int, *, phone: bool) -> float:
    from borgerservice.analytics.simulation import CALIBRATION as cal

    hours = (cal.call_opening_hours if phone else cal.opening_hours)[weekday]
    if not hours or not hours[0] <= hour < hours[1]:
        return 0.0
    per_year = cal.calls_per_year if phone else cal.walk_ins_per_year / 6
    weights = cal.weekday_weights
    total = sum(weights[d] for d in range(7) if cal.opening_hours[d])
    per_day = per_year / 52 * weights[weekday] / total
    day_hours = range(hours[0], hours[1])
    norm = sum(cal.hour_weights.get(h, 1.0) for h in day_hours)
    return per_day * cal.hour_weights.get(hour, 1.0) / norm


def generate(centre_id: int, contact_centre_id: int) -> tuple[dict, dict]:
    """Insert the year's rollup rows; return the centre's arrivals per day and hour and the
    Poisson means they were drawn from."""
    from borgerservice.analytics.models import ContactHour, DurationBin, TicketHour
    from borgerservice.queueing.hours import is_holiday

    rng = np.random.default_rng(20261202)
    tickets, contacts, bins = [], [], []
    counts: dict[date, list[float]] = {}
    means: dict[date, list[float]] = {}
    day = date(YEAR, 1, 1)
    while day.year == YEAR:
        if not is_holiday(day):
            t = (day - date(YEAR, 1, 1)).days / 365
            season = 1.0 + 0.15 * math.cos(2 * math.pi * (t - 0.05))  # low in summer
            level = season * (1.0 + 0.05 * t)
            row = [0.0] * 24
            mean = [0.0] * 24
            for hour in range(24):
                walk = _profile(day.weekday(), hour, phone=False)
                if walk:
                    n = int(rng.poisson(walk * level))
                    row[hour] = n
                    mean[hour] = walk * level
                    moved = int(rng.binomial(n, 0.03))
                    common = {"day": day, "weekday": day.weekday(), "hour": hour}
                    tickets.append(
                        TicketHour(
                            **common, centre=centre_id, group=1, state="finished", tickets=n - moved
                        )
                    )
                    if moved:
                        tickets.append(
                            TicketHour(
                                **common,
                                centre=centre_id,
                                group=1,
                                state="transferred",
                                tickets=moved,
                            )
                        )
                calls = _profile(day.weekday(), hour, phone=True)
                if calls:
                    contacts.append(
                        ContactHour(
                            day=day,
                            weekday=day.weekday(),
                            hour=hour,
                            channel="phone",
                            department=0,
                            centre=contact_centre_id,
                            contacts=int(rng.poisson(calls * level)),
                        )
                    )
            if sum(row):
                counts[day] = row
                means[day] = mean
                served = int(sum(row))
                bins.append(
                    DurationBin(
                        day=day,
                        measure="ticket_service",
                        channel="walk_in",
                        department=0,
                        centre=centre_id,
                        service=0,
                        bin=5,
                        n=served,
                        seconds=int(served * rng.normal(540, 20)),
                    )
                )
        day += timedelta(days=1)
    TicketHour.objects.bulk_create(tickets, batch_size=5000)
    ContactHour.objects.bulk_create(contacts, batch_size=5000)
    DurationBin.objects.bulk_create(bins, batch_size=5000)
    report("planning_history_ticket_rows", len(tickets), "rows")
    report("planning_history_contact_rows", len(contacts), "rows")
    return counts, means


def _timed(fn, repeats: int) -> list[float]:
    samples = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    vendor = setup_django()
    print(f"# database: {vendor}", flush=True)
    from django.test import Client

    from borgerservice.accounts.roles import ANALYST, roles_ensure
    from borgerservice.analytics import forecast as fc
    from borgerservice.analytics import planning
    from borgerservice.catalogue.models import ServiceCentre

    centre = ServiceCentre.objects.get(code="indre-by")
    contact_centre = ServiceCentre.objects.get(code="kontaktcenter")
    start = time.perf_counter()
    counts, means = generate(centre.pk, contact_centre.pk)
    report("planning_history_generate", time.perf_counter() - start, "s")

    # Forecast dates: Mondays from March to December.
    mondays = [date(YEAR, 3, 2) + timedelta(days=7 * i) for i in range(40)]
    for weeks in (8, 52):
        as_of = [
            mondays[i % len(mondays)] if weeks == 8 else date(YEAR, 12, 28) for i in range(REPEATS)
        ]
        fc.forecast_volume(centre=centre, weeks=weeks, as_of=as_of[0])  # warm-up
        samples = _timed(
            lambda i, weeks=weeks, as_of=as_of: fc.forecast_volume(
                centre=centre, weeks=weeks, as_of=as_of[i]
            ),
            REPEATS,
        )
        summarise(f"planning_forecast_{weeks}w", samples)
    result = fc.forecast_volume(centre=centre, weeks=8, as_of=date(YEAR, 10, 5))
    report("planning_forecast_basis_history", float(result.basis == "history"), "bool")
    report("planning_forecast_week_total", result.week_total, "arrivals")

    for name, target in (("centre", centre), ("contact_centre", contact_centre)):
        for model, patience in (("c", None), ("a", 120.0 if name == "contact_centre" else 3600.0)):
            samples = _timed(
                lambda i, target=target, patience=patience: planning.staffing_plan_build(
                    centre=target, weeks=8, as_of=mondays[i % len(mondays)], patience=patience
                ),
                REPEATS,
            )
            summarise(f"planning_plan_week_{name}_{model}", samples)
        plan = planning.staffing_plan_build(centre=target, as_of=date(YEAR, 10, 5))
        report(f"planning_plan_week_{name}_fte", plan.fte, "fte")
        report(f"planning_plan_week_{name}_intervals", len(plan.cells), "intervals")

    for trend in (False, True):
        wapes, mapes = [], []
        week = date(YEAR, 1, 5) + timedelta(days=7 * 8)
        while week + timedelta(days=6) <= date(YEAR, 12, 31):
            result = fc.backtest_counts(counts, week_start=week, weeks=8, trend=trend)
            if result.wape is not None:
                wapes.append(result.wape)
                mapes.append(result.mape)
            week += timedelta(days=7)
        suffix = "_trend" if trend else ""
        report(f"planning_backtest_wape_mean{suffix}", statistics.fmean(wapes) * 100, "pct")
        report(f"planning_backtest_wape_median{suffix}", statistics.median(wapes) * 100, "pct")
        report(f"planning_backtest_mape_mean{suffix}", statistics.fmean(mapes) * 100, "pct")
        report(f"planning_backtest_weeks{suffix}", len(wapes), "weeks")
    # The noise floor: the WAPE of the true Poisson means against what was drawn from them.
    errors = actual = 0.0
    week = date(YEAR, 1, 5) + timedelta(days=7 * 8)
    while week + timedelta(days=6) <= date(YEAR, 12, 31):
        for i in range(7):
            day = week + timedelta(days=i)
            for real, mean in zip(counts.get(day, ()), means.get(day, ()), strict=True):
                errors += abs(real - mean)
                actual += real
        week += timedelta(days=7)
    report("planning_backtest_wape_noise_floor", errors / actual * 100, "pct")

    roles_ensure()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from borgerservice.api.auth import api_token_create

    user = get_user_model().objects.create_user(username="bench-analyst", password="x-bench-1")
    user.groups.add(Group.objects.get(name=ANALYST))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='bench')}"}
    client = Client()
    for scenario in ("more-counters", "close-saturdays"):
        body = {"scenario": scenario}
        answer = client.post(
            "/api/v1/analytics/simulation", body, content_type="application/json", **headers
        )
        assert answer.status_code == 200, answer.content
        samples = _timed(
            lambda i, body=body: client.post(
                "/api/v1/analytics/simulation",
                {**body, "seed": i + 1},
                content_type="application/json",
                **headers,
            ),
            10,
        )
        summarise(f"planning_simulation_api_{scenario.replace('-', '_')}", samples)
    big = {"scenario": "baseline", "weeks": 26, "replications": 1}
    samples = _timed(
        lambda i: client.post(
            "/api/v1/analytics/simulation", big, content_type="application/json", **headers
        ),
        3,
    )
    report("planning_simulation_api_at_cap_max", max(samples), "ms")


if __name__ == "__main__":
    main()
