"""Staffing calculations (Erlang C and Erlang A) per interval and for a whole week's plan.

Pure computation: no database and no Django set-up (``analytics.erlang`` is plain Python).
Reported: the time of one ``staffing`` call, p50/p95 over varied inputs, for a small team
(about 10 Erlangs) and a large centre (about 2,000 Erlangs), with Erlang C and with Erlang A
(patience 120 s); Erlang A evaluations (one agent count) per second; and the time of a
week's plan, 48 half-hours × 7 days = 336 intervals, for a Copenhagen-sized load (1.1 M
calls a year) and for a centre peaking at 2,000 Erlangs.
"""

from __future__ import annotations

import math
import random
import sys
import time

from common import REPO, percentile, report

sys.path.insert(0, str(REPO / "src"))

from borgerservice.analytics.erlang import erlang_a, staffing

AHT = 240.0
HALF_HOUR = 1800.0
SAMPLES = 300


def _inputs(rng: random.Random, erlangs: float, count: int) -> list[dict]:
    rows = []
    for _ in range(count):
        load = erlangs * rng.uniform(0.9, 1.1)
        aht = AHT * rng.uniform(0.8, 1.2)
        rows.append(
            {
                "calls": load / aht * HALF_HOUR,
                "interval_seconds": HALF_HOUR,
                "aht": aht,
                "target": rng.choice((0.8, 0.8, 0.9)),
                "within": rng.choice((20, 20, 30, 60)),
                "max_occupancy": rng.choice((None, 0.85)),
                "shrinkage": 0.3,
            }
        )
    return rows


def _time_each(rows: list[dict], **extra) -> list[float]:
    samples = []
    for row in rows:
        start = time.perf_counter()
        staffing(**row, **extra)
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def _week(peak_erlangs: float) -> list[float]:
    """Half-hourly loads (Erlangs) for a week: opening 8-18 on weekdays with a morning peak,
    a shorter Saturday, a quiet Sunday; the busiest half-hour is ``peak_erlangs``."""
    loads = []
    for day in range(7):
        level = (1.0, 0.9, 0.85, 0.85, 0.7, 0.25, 0.1)[day]
        for slot in range(48):
            hour = slot / 2
            if 8 <= hour < 18:
                shape = 0.45 + 0.55 * math.exp(-(((hour - 10.5) / 2.2) ** 2))
            elif 7 <= hour < 20:
                shape = 0.12
            else:
                shape = 0.02
            loads.append(peak_erlangs * level * shape)
    return loads


def _plan(loads: list[float], patience: float | None) -> tuple[float, int]:
    start = time.perf_counter()
    total = 0
    for load in loads:
        result = staffing(
            calls=load / AHT * HALF_HOUR,
            interval_seconds=HALF_HOUR,
            aht=AHT,
            target=0.8,
            within=20,
            max_occupancy=0.85,
            shrinkage=0.3,
            patience=patience,
        )
        total += result.agents_with_shrinkage
    return (time.perf_counter() - start) * 1000, total


def main() -> None:
    rng = random.Random(20261202)
    for name, erlangs in (("small", 10.0), ("large", 2000.0)):
        rows = _inputs(rng, erlangs, SAMPLES)
        _time_each(rows[:20])  # warm-up
        for model, extra in (("c", {}), ("a", {"patience": 120.0})):
            count = SAMPLES if model == "c" or name == "small" else SAMPLES // 3
            samples = _time_each(rows[:count], **extra)
            report(f"staffing_{name}_{model}_p50", percentile(samples, 0.50), "us")
            report(f"staffing_{name}_{model}_p95", percentile(samples, 0.95), "us")

    for name, erlangs, agents in (("small", 10.0, 13), ("large", 2000.0, 2040)):
        calls = erlangs / AHT * HALF_HOUR
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < 1.0:
            erlang_a(
                calls=calls,
                interval_seconds=HALF_HOUR,
                aht=AHT,
                agents=agents,
                patience=120.0,
                within=20,
            )
            count += 1
        report(f"staffing_erlang_a_{name}_per_second", count / elapsed, "per_s")

    # Copenhagen: ~1.1 M calls a year over ~250 opening days is ~4,400 calls a day; with the
    # weekday shape above that gives a busiest half-hour of ~45 Erlangs at AHT 240 s.
    copenhagen_peak = 45.0
    for name, peak in (("copenhagen", copenhagen_peak), ("peak_2000", 2000.0)):
        loads = _week(peak)
        for model, patience in (("c", None), ("a", 120.0)):
            best = math.inf
            for _ in range(3):
                elapsed, agents = _plan(loads, patience)
                best = min(best, elapsed)
            report(f"staffing_week_plan_{name}_{model}", best, "ms")
            report(f"staffing_week_plan_{name}_{model}_agent_halfhours", agents, "agents")
    report("staffing_week_plan_intervals", len(_week(1.0)), "intervals")


if __name__ == "__main__":
    main()
