"""Erlang B, C and A against published examples and independent brute-force computations.

No database: the module is pure Python. Every expected figure says where it comes from;
the brute-force helpers below compute the same quantities another way (exact fractions of
the M/M/n stationary distribution, the birth–death chain of M/M/n+M summed state by state,
the tagged caller's progress through the queue by uniformisation), so the tests do not
compare the implementation with itself.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from borgerservice.analytics.erlang import (
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
    staffing,
    with_shrinkage,
)
from borgerservice.core.errors import ServiceError

# -- independent computations ---------------------------------------------------------------


def brute_erlang_c(traffic: Fraction, agents: int) -> Fraction:
    """P(wait) from the M/M/n stationary distribution, summed exactly with fractions:
    p_k ∝ a^k/k! below n agents, and the states with a queue add up to the geometric series
    a^n/n! · n/(n - a)."""
    free = sum(traffic**k / math.factorial(k) for k in range(agents))
    busy = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    return busy / (free + busy)


def brute_erlang_a(*, lam, mu, theta, agents, within, queue_states=3000):
    """M/M/n+M by the birth–death chain, truncated after ``queue_states`` waiting callers:
    P(wait), P(abandon) = θ·E[queue]/λ and the mean time in queue E[queue]/λ (Little),
    and P(answered within t) from the tagged caller's own chain (uniformisation)."""
    weights = [1.0]
    for k in range(1, agents + queue_states):
        death = min(k, agents) * mu + max(k - agents, 0) * theta
        weights.append(weights[-1] * lam / death)
    total = sum(weights)
    p = [w / total for w in weights]
    waiting = sum(p[agents:])
    queue = sum((k - agents) * p[k] for k in range(agents, len(p)))
    # The tagged caller with j callers ahead: the queue ahead shrinks at nμ + jθ, the caller
    # is answered at rate nμ once j = 0 and hangs up at rate θ.
    ahead = 400
    rate = agents * mu + (ahead + 1) * theta
    answered = [0.0] * (ahead + 1)  # P(answered after m uniformised steps | j ahead)
    total_steps = int(rate * within + 12 * math.sqrt(rate * within + 1) + 20)
    poisson = math.exp(-rate * within)
    within_t = [0.0] * (ahead + 1)
    for m in range(total_steps + 1):
        if m > 0:
            poisson *= rate * within / m
            previous = answered
            answered = []
            for j in range(ahead + 1):
                move = (agents * mu + j * theta) / rate
                stay = 1.0 - move - theta / rate
                nxt = 1.0 if j == 0 else previous[j - 1]
                answered.append(move * nxt + stay * previous[j])
        for j in range(ahead + 1):
            within_t[j] += poisson * answered[j]
    level = sum(p[:agents]) + sum(
        p[agents + j] * within_t[j] for j in range(min(ahead + 1, len(p) - agents))
    )
    return {
        "wait_probability": waiting,
        "abandonment": theta * queue / lam,
        "mean_wait_seconds": queue / lam,
        "service_level": level,
    }


# -- Erlang B and C: published examples -----------------------------------------------------


def test_erlang_b_matches_the_published_erlang_b_table():
    # Erlang B tables (e.g. the ITU-T/Bell tables reprinted in every teletraffic textbook):
    # 10 circuits carry 4.461 Erlangs and 5 circuits 1.361 Erlangs at 1 % blocking.
    assert erlang_b(4.461, 10) == pytest.approx(0.01, abs=0.00005)
    assert erlang_b(1.361, 5) == pytest.approx(0.01, abs=0.00005)
    # Hand computation by the definition: B(2, 2) = (4/2) / (1 + 2 + 4/2) = 0.4.
    assert erlang_b(2, 2) == pytest.approx(0.4)


def test_erlang_c_matches_the_published_example_of_the_r_package_erlangc():
    # Source: the README of the CRAN package ErlangC 0.1.0
    # (https://stat.ethz.ch/CRAN/web/packages/ErlangC/readme/README.html, also on
    # rdocumentation.org/packages/ErlangC/versions/0.1.0): 100 calls in 30 minutes, AHT
    # 180 s, 20 s target, 14 agents -> traffic 10, wait probability 0.1741319, service level
    # 0.88835, ASA 7.83593701177724 s, occupancy 0.7142857; and for 11 agents wait
    # probability 0.6821182 and service level 0.3896138.
    traffic = 100 / 1800 * 180
    assert traffic == pytest.approx(10)
    assert erlang_c(traffic, 14) == pytest.approx(0.1741319, abs=5e-8)
    assert erlang_c_service_level(traffic=traffic, agents=14, aht=180, within=20) == pytest.approx(
        0.88835, abs=5e-6
    )
    assert erlang_c_asa(traffic=traffic, agents=14, aht=180) == pytest.approx(
        7.83593701177724, rel=1e-9
    )
    assert erlang_c(traffic, 11) == pytest.approx(0.6821182, abs=5e-8)
    assert erlang_c_service_level(traffic=traffic, agents=11, aht=180, within=20) == pytest.approx(
        0.3896138, abs=5e-8
    )
    # Independent: the exact M/M/14 distribution with fractions.
    assert erlang_c(traffic, 14) == pytest.approx(float(brute_erlang_c(Fraction(10), 14)))


def test_staffing_matches_the_published_erlangc_calculate_agents_example():
    # Same source, calculate_agents(100 calls, 30 min, 180 s, 20 s, 0.8, max occupancy 0.85,
    # shrinkage 0.3) -> 14 agents, service level 0.88835, occupancy 0.7142857. The package
    # reports agents before shrinkage; scheduled with 30 % shrinkage that is 14 / 0.7 = 20.
    result = staffing(
        calls=100,
        interval_seconds=1800,
        aht=180,
        target=0.8,
        within=20,
        max_occupancy=0.85,
        shrinkage=0.3,
    )
    assert result.agents == 14
    assert result.agents_with_shrinkage == 20
    assert result.service_level == pytest.approx(0.88835, abs=5e-6)
    assert result.occupancy == pytest.approx(0.7142857, abs=5e-8)
    assert result.asa_seconds == pytest.approx(7.83593701177724, rel=1e-9)
    assert result.abandonment is None


def test_erlang_c_for_24_erlangs_by_hand():
    # 360 calls an hour with AHT 240 s is a = 360 · 240 / 3600 = 24 Erlangs. By hand with
    # the recursion B(n) = a·B(n-1)/(n + a·B(n-1)): B(24, 28) = 0.06661 and
    # C = n·B / (n - a(1 - B)) = 28·0.06661 / (28 - 24·0.93339) = 1.8651 / 5.5987 = 0.3331.
    # (The figure 0.2487 sometimes quoted with this example is not P(wait) for 28 agents:
    # 29 agents give 0.2423 and 30 give 0.1729.) Cross-checked exactly with fractions.
    exact = float(brute_erlang_c(Fraction(24), 28))
    assert erlang_c(24, 28) == pytest.approx(exact, rel=1e-12)
    assert exact == pytest.approx(0.33314, abs=5e-5)
    assert erlang_b(24, 28) == pytest.approx(0.06661, abs=5e-6)
    assert erlang_c(24, 29) == pytest.approx(0.24227, abs=5e-6)
    # SL(20 s) = 1 - C·e^-(28-24)·20/240 = 1 - 0.33314·0.71653 = 0.7613; ASA = C·240/4 = 19.99 s.
    assert erlang_c_service_level(traffic=24, agents=28, aht=240, within=20) == pytest.approx(
        1 - exact * math.exp(-4 * 20 / 240)
    )
    assert erlang_c_asa(traffic=24, agents=28, aht=240) == pytest.approx(exact * 60)


@pytest.mark.parametrize(("traffic", "agents"), [(0.5, 1), (3, 5), (10, 11), (48, 55), (90, 99)])
def test_erlang_c_equals_the_exact_stationary_distribution(traffic, agents):
    exact = brute_erlang_c(Fraction(traffic).limit_denominator(1000), agents)
    assert erlang_c(traffic, agents) == pytest.approx(float(exact), rel=1e-12)


def test_unstable_erlang_c():
    assert erlang_c(24, 24) == 1.0
    assert erlang_c(24, 10) == 1.0
    assert erlang_c_asa(traffic=24, agents=20, aht=240) == math.inf
    assert erlang_c_service_level(traffic=24, agents=20, aht=240, within=20) == 0.0
    assert erlang_c(0, 3) == 0.0


def test_more_agents_give_a_better_service_level_and_a_shorter_wait():
    levels = [
        erlang_c_service_level(traffic=48, agents=n, aht=240, within=20) for n in range(49, 80)
    ]
    waits = [erlang_c_asa(traffic=48, agents=n, aht=240) for n in range(49, 80)]
    assert levels == sorted(levels) and len(set(levels)) == len(levels)
    assert waits == sorted(waits, reverse=True)
    results = [
        erlang_a(calls=720, interval_seconds=1800, aht=240, agents=n, patience=90, within=20)
        for n in range(30, 80)
    ]
    assert [r.service_level for r in results] == sorted(r.service_level for r in results)
    assert [r.asa_seconds for r in results] == sorted((r.asa_seconds for r in results), reverse=1)
    assert [r.abandonment for r in results] == sorted((r.abandonment for r in results), reverse=1)


def test_stable_at_2000_erlangs():
    # Copenhagen-size: 15,000 calls in a half hour at AHT 240 s is 2,000 Erlangs. Factorials
    # would overflow (2000! has 5,736 digits); the recursion does not.
    traffic = 15_000 / 1800 * 240
    assert traffic == pytest.approx(2000)
    c = erlang_c(traffic, 2050)
    assert 0 < c < 1 and math.isfinite(c)
    exact = brute_erlang_c(Fraction(2000), 2050)
    assert c == pytest.approx(float(exact), rel=1e-9)
    result = staffing(calls=15_000, interval_seconds=1800, aht=240, target=0.8, within=20)
    assert 2000 < result.agents < 2100
    assert result.service_level >= 0.8
    previous = staffing(calls=15_000, interval_seconds=1800, aht=240, target=0.8, within=20)
    assert previous == result
    below = erlang_c_service_level(traffic=traffic, agents=result.agents - 1, aht=240, within=20)
    assert below < 0.8
    a = staffing(calls=15_000, interval_seconds=1800, aht=240, target=0.8, within=20, patience=180)
    assert a.agents <= result.agents and a.service_level >= 0.8
    assert all(math.isfinite(v) for v in (a.asa_seconds, a.occupancy, a.abandonment))
    # Far above and far below the load: no overflow, no NaN.
    assert erlang_c(traffic, 5000) == pytest.approx(0.0, abs=1e-300)
    for agents in (1, 500, 1900, 2000, 2500, 5000):
        r = erlang_a(
            calls=15_000, interval_seconds=1800, aht=240, agents=agents, patience=180, within=20
        )
        assert all(math.isfinite(v) for v in (r.service_level, r.abandonment, r.occupancy))
        assert 0 <= r.service_level <= 1 and 0 <= r.abandonment <= 1


# -- Erlang A -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calls", "aht", "agents", "patience", "within"),
    [
        (360, 240, 28, 120, 20),  # 24 Erlangs (per hour)
        (360, 240, 22, 60, 20),  # overloaded: fewer agents than Erlangs
        (100, 180, 11, 300, 20),  # the ErlangC package example, with abandonment
        (50, 300, 3, 30, 10),  # small team, impatient callers
    ],
)
def test_erlang_a_equals_the_birth_death_chain(calls, aht, agents, patience, within):
    interval = 3600 if calls == 360 else 1800
    result = erlang_a(
        calls=calls,
        interval_seconds=interval,
        aht=aht,
        agents=agents,
        patience=patience,
        within=within,
    )
    brute = brute_erlang_a(
        lam=calls / interval, mu=1 / aht, theta=1 / patience, agents=agents, within=within
    )
    for key in ("wait_probability", "abandonment", "mean_wait_seconds", "service_level"):
        assert getattr(result, key) == pytest.approx(brute[key], rel=1e-7, abs=1e-10), key
    # Answered traffic keeps the agents busy: occupancy = a·(1 - P(abandon)) / n.
    lam = calls / interval
    assert result.occupancy == pytest.approx(lam * aht * (1 - brute["abandonment"]) / agents)


@pytest.mark.parametrize(("traffic", "agents"), [(10, 14), (24, 28), (48, 55), (2000, 2050)])
def test_erlang_a_tends_to_erlang_c_as_patience_grows(traffic, agents):
    aht = 240
    calls = traffic / aht * 1800
    c = erlang_c(traffic, agents)
    level = erlang_c_service_level(traffic=traffic, agents=agents, aht=aht, within=20)
    asa = erlang_c_asa(traffic=traffic, agents=agents, aht=aht)
    result = erlang_a(
        calls=calls, interval_seconds=1800, aht=aht, agents=agents, patience=1e12, within=20
    )
    assert result.wait_probability == pytest.approx(c, rel=1e-6)
    assert result.service_level == pytest.approx(level, rel=1e-6)
    assert result.asa_seconds == pytest.approx(asa, rel=1e-6)
    assert result.abandonment == pytest.approx(0, abs=1e-6)
    # And patience only ever helps those who stay: more patience, more waiting.
    patient = erlang_a(
        calls=calls, interval_seconds=1800, aht=aht, agents=agents, patience=600, within=20
    )
    assert patient.wait_probability < c and patient.asa_seconds < asa


def test_erlang_a_tends_to_erlang_b_as_patience_vanishes():
    # With (almost) no patience a caller who finds every agent busy is lost at once: the
    # M/M/n/n loss system, so P(abandon) -> Erlang B (4.461 Erlangs on 10 agents: 1 %).
    result = erlang_a(
        calls=4.461 / 240 * 3600,
        interval_seconds=3600,
        aht=240,
        agents=10,
        patience=1e-6,
        within=20,
    )
    assert result.abandonment == pytest.approx(erlang_b(4.461, 10), rel=1e-5)
    assert result.service_level == pytest.approx(1 - erlang_b(4.461, 10), rel=1e-5)


def test_erlang_a_without_agents_or_calls():
    none = erlang_a(calls=10, interval_seconds=1800, aht=240, agents=0, patience=60, within=20)
    assert none.service_level == 0.0 and none.abandonment == 1.0
    quiet = erlang_a(calls=0, interval_seconds=1800, aht=240, agents=2, patience=60, within=20)
    assert quiet.service_level == 1.0 and quiet.abandonment == 0.0


# -- staffing rules -------------------------------------------------------------------------


def test_staffing_is_the_smallest_number_reaching_the_target():
    result = staffing(calls=360, interval_seconds=3600, aht=240, target=0.8, within=20)
    assert result.agents == 29  # 28 agents give 0.7613 (see the hand computation above)
    assert result.service_level >= 0.8
    assert erlang_c_service_level(traffic=24, agents=28, aht=240, within=20) < 0.8


def test_max_occupancy_adds_agents():
    # 2,000 Erlangs reach 80/20 at ~99 % occupancy; at most 85 % needs 2000/0.85 -> 2353.
    free = staffing(calls=15_000, interval_seconds=1800, aht=240, target=0.8, within=20)
    capped = staffing(
        calls=15_000, interval_seconds=1800, aht=240, target=0.8, within=20, max_occupancy=0.85
    )
    assert free.occupancy > 0.85
    assert capped.agents == math.ceil(2000 / 0.85) == 2353
    assert capped.occupancy <= 0.85
    # 24 Erlangs at 80 %: exactly 30 agents, not 31 (24/0.8 is 30.000000000000004 in floats).
    exact = staffing(
        calls=360, interval_seconds=3600, aht=240, target=0.5, within=20, max_occupancy=0.8
    )
    assert exact.agents == 30
    with_a = staffing(
        calls=360,
        interval_seconds=3600,
        aht=240,
        target=0.5,
        within=20,
        max_occupancy=0.8,
        patience=60,
    )
    assert with_a.occupancy <= 0.8
    assert with_a.agents - 1 < 24 * (1 - with_a.abandonment) / 0.8 + 1


def test_shrinkage_rounds_up_to_whole_agents():
    assert with_shrinkage(14, 0.3) == 20
    assert with_shrinkage(28, 0.3) == 40  # 28 / 0.7 = 40.00000000000001 in floats
    assert with_shrinkage(29, 0.3) == 42
    assert with_shrinkage(29, 0.0) == 29
    result = staffing(
        calls=360, interval_seconds=3600, aht=240, target=0.8, within=20, shrinkage=0.35
    )
    assert result.agents == 29 and result.agents_with_shrinkage == math.ceil(29 / 0.65)


def test_staffing_with_patience_needs_no_more_agents_than_erlang_c():
    for calls in (20, 100, 360, 2000):
        c = staffing(calls=calls, interval_seconds=1800, aht=240, target=0.8, within=20)
        a = staffing(
            calls=calls, interval_seconds=1800, aht=240, target=0.8, within=20, patience=120
        )
        assert a.agents <= c.agents
        assert a.service_level >= 0.8 and a.abandonment is not None
        below = erlang_a(
            calls=calls,
            interval_seconds=1800,
            aht=240,
            agents=a.agents - 1,
            patience=120,
            within=20,
        )
        assert below.service_level < 0.8


def test_no_calls_need_no_agents():
    result = staffing(calls=0, interval_seconds=1800, aht=240, target=0.8, within=20)
    assert (result.agents, result.agents_with_shrinkage, result.service_level) == (0, 0, 1.0)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"calls": -1}, "staffing.calls_invalid"),
        ({"calls": math.nan}, "staffing.calls_invalid"),
        ({"interval_seconds": 0}, "staffing.interval_invalid"),
        ({"aht": 0}, "staffing.aht_invalid"),
        ({"aht": -5}, "staffing.aht_invalid"),
        ({"aht": math.inf}, "staffing.aht_invalid"),
        ({"target": 0}, "staffing.target_invalid"),
        ({"target": 1}, "staffing.target_invalid"),
        ({"target": 80}, "staffing.target_invalid"),
        ({"within": -1}, "staffing.within_invalid"),
        ({"max_occupancy": 0}, "staffing.max_occupancy_invalid"),
        ({"max_occupancy": 1.2}, "staffing.max_occupancy_invalid"),
        ({"shrinkage": 1}, "staffing.shrinkage_invalid"),
        ({"shrinkage": -0.1}, "staffing.shrinkage_invalid"),
        ({"patience": 0}, "staffing.patience_invalid"),
        ({"patience": -30}, "staffing.patience_invalid"),
        ({"calls": 1e9}, "staffing.traffic_too_large"),
    ],
)
def test_bad_values_are_refused_with_a_clear_error(change, code):
    values = {"calls": 100, "interval_seconds": 1800, "aht": 180, "target": 0.8, "within": 20}
    with pytest.raises(ServiceError) as caught:
        staffing(**{**values, **change})
    assert caught.value.code == code
    assert caught.value.status == 400
    assert caught.value.field == next(iter(change)) or code == "staffing.traffic_too_large"
    assert caught.value.message


def test_max_occupancy_of_one_is_allowed():
    result = staffing(
        calls=100, interval_seconds=1800, aht=180, target=0.8, within=20, max_occupancy=1
    )
    assert result.agents == 14
