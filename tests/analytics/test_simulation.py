"""The simulation engine: exactness of the fast path, M/M/c against Erlang C and simpy,
M/M/c+M against Erlang A, and the scenarios (no database, no wall-clock time)."""

import numpy as np
import pytest

from borgerservice.analytics import simulation as sim
from borgerservice.analytics.erlang import erlang_a, erlang_c_asa
from borgerservice.analytics.scenarios import SCENARIOS, Options, run_scenario

RATE = 4 * 0.85 / 300  # M/M/4, rho = 0.85, mean service 300 s


def test_fast_path_matches_general_engine():
    arrivals, services, _ = sim.mmc_inputs(
        arrival_rate=RATE, service_mean=300, customers=5_000, seed=3
    )
    fast = sim._day_fast(arrivals, services, 4)
    general, served = sim._day_general(arrivals, services, None, [4])
    assert all(served)
    assert np.allclose(fast, general)


def test_mean_wait_matches_erlang_c_within_confidence_interval():
    result = sim.replicate_mmc(
        replications=20,
        seed=100,
        arrival_rate=RATE,
        service_mean=300,
        servers=4,
        customers=20_000,
    )
    low, high = result["mean_wait_ci"]
    assert low <= erlang_c_asa(traffic=3.4, agents=4, aht=300) <= high


def test_abandonment_matches_erlang_a_within_confidence_interval():
    result = sim.replicate_mmc(
        replications=20,
        seed=200,
        arrival_rate=4 * 0.95 / 300,
        service_mean=300,
        servers=4,
        customers=20_000,
        patience_mean=600,
    )
    formula = erlang_a(
        calls=4 * 0.95 * 12, interval_seconds=3600, aht=300, agents=4, patience=600, within=60
    )
    low, high = result["abandonment_ci"]
    assert low <= formula.abandonment <= high


def test_same_waits_as_simpy():
    pytest.importorskip("simpy")
    arrivals, services, _ = sim.mmc_inputs(
        arrival_rate=RATE, service_mean=300, customers=3_000, seed=5
    )
    ours = sim.mmc_waits(arrivals, services, 4)
    reference = sim.simpy_mmc_waits(arrivals, services, 4)
    assert np.allclose(ours, reference)


def test_counters_changing_by_hour_are_respected():
    # Two citizens at 0 s, one counter in hour 0 and two from hour 1: the second waits
    # until the first finishes or the second counter opens, whichever is first.
    waits, served = sim._day_general([0.0, 0.0], [7200.0, 10.0], None, [1, 2])
    assert waits == [0.0, 3600.0] and all(served)


def test_seeded_runs_are_reproducible():
    options = Options(weeks=1, calls=False)
    assert run_scenario("baseline", options) == run_scenario("baseline", options)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenarios_run(scenario):
    result = run_scenario(scenario, Options(weeks=1), per_hour=True)
    walk_in = result["channels"]["walk_in"]
    assert 0 <= walk_in["service_level"] <= 1
    assert walk_in["fte"] > 0 and walk_in["by_weekday_hour"]


def test_scenarios_move_the_figures_the_right_way():
    options = Options(weeks=2)
    base = run_scenario("baseline", options)["channels"]
    more = run_scenario("more-counters", options)["channels"]
    digital = run_scenario("digital-shift", options)["channels"]
    closed = run_scenario("close-saturdays", options)["channels"]
    assert more["walk_in"]["mean_wait_seconds"] < base["walk_in"]["mean_wait_seconds"]
    assert more["walk_in"]["fte"] > base["walk_in"]["fte"]
    assert digital["phone"]["arrivals"] < base["phone"]["arrivals"]
    assert not any(r["weekday"] == "saturday" for r in closed["walk_in"]["by_weekday_hour"])


def test_digital_shift_is_capped_by_it_profiles():
    with pytest.raises(ValueError):
        run_scenario("digital-shift", Options(weeks=1, shift=0.95))
