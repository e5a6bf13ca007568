"""Simulation speed: one year of walk-ins (~750,000 visits; target ≤ 10 s on one core),
our engine against simpy on the same M/M/c model, and the Erlang C check. No database."""

from __future__ import annotations

import statistics
import sys
import time

from common import REPO, report

sys.path.insert(0, str(REPO / "src"))

from borgerservice.analytics import simulation as sim
from borgerservice.analytics.erlang import erlang_c_asa
from borgerservice.analytics.scenarios import Options, build_model

TARGET_SECONDS = 10.0


def main() -> None:
    model = build_model("baseline", Options(weeks=52, calls=False, walk_ins_per_year=750_000))
    times, visits = [], 0
    for seed in range(3):
        start = time.perf_counter()
        result = sim.simulate(model, seed=seed, per_hour=False)
        times.append(time.perf_counter() - start)
        visits = result["walk_in"]["arrivals"]
    median = statistics.median(times)
    report("simulation_year_walk_ins_visits", visits, "visits")
    report("simulation_year_walk_ins", median, "s")
    report("simulation_year_visits_per_second", visits / median, "visits/s")
    report("simulation_year_vs_target", median / TARGET_SECONDS, "ratio")

    arrivals, services, _ = sim.mmc_inputs(
        arrival_rate=4 * 0.85 / 300, service_mean=300, customers=50_000, seed=7
    )
    start = time.perf_counter()
    ours = sim.mmc_waits(arrivals, services, 4)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    reference = sim.simpy_mmc_waits(arrivals, services, 4)
    simpy_s = time.perf_counter() - start
    report("simulation_mmc_ours", ours_s, "s")
    report("simulation_mmc_simpy", simpy_s, "s")
    report("simulation_mmc_ours_vs_simpy", ours_s / simpy_s, "ratio")
    report(
        "simulation_mmc_wait_diff", abs(statistics.fmean(ours) - statistics.fmean(reference)), "s"
    )

    check = sim.replicate_mmc(
        replications=20,
        seed=100,
        arrival_rate=4 * 0.85 / 300,
        service_mean=300,
        servers=4,
        customers=20_000,
    )
    report("simulation_erlang_c_simulated_wait", check["mean_wait"], "s")
    report("simulation_erlang_c_formula_wait", erlang_c_asa(traffic=3.4, agents=4, aht=300), "s")
    report("simulation_erlang_c_ci_low", check["mean_wait_ci"][0], "s")
    report("simulation_erlang_c_ci_high", check["mean_wait_ci"][1], "s")


if __name__ == "__main__":
    main()
