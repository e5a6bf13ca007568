"""Erlang B, Erlang C and Erlang A: agents needed per interval of a contact centre.

Pure Python and ``math`` (Django is imported only to raise a ``ServiceError`` for bad
input), so the planning simulation and the benchmarks can use it without a database.

Conventions, for every function:

* ``traffic`` is the offered load in Erlangs: calls per second × average handling time.
* Service level is the share of *all offered calls* answered within ``within`` seconds.
  In Erlang A a caller who hangs up counts as not answered within the time, also when
  the hang-up came before ``within``.
* ASA (average speed of answer) is the mean wait of *answered* calls, in seconds. In
  Erlang C every call is answered, so it is the mean wait of all calls, counting the ones
  answered at once as 0. Erlang A also reports the mean time in queue of all offered calls
  (``mean_wait_seconds``, abandoned ones counted until they hang up).

Numerics: Erlang B comes from its recursion ``B(n) = a·B(n-1) / (n + a·B(n-1))``, which
never forms a power or a factorial, and Erlang C from Erlang B. Erlang A (M/M/n+M:
Poisson arrivals, exponential handling times and exponential patience) uses the exact
distribution of the offered wait V (the wait a caller would have with infinite
patience; Baccelli and Hébuterne 1981, see Mandelbaum and Zeltyn, "The M/M/n+G queue:
summary of performance measures", Technion 2004): ``P(V = 0)`` is the Erlang share of
states with a free agent, and for ``x > 0`` V has the density

    g(x) = c · λ · a^(n-1)/(n-1)! · exp(λ/θ · (1 - e^(-θx)) - nμx)

with λ the arrival rate, μ = 1/AHT, θ = 1/patience and ``c`` the normalising constant of
the states with a free agent. A caller is answered when the patience outlasts V, so
``P(answered within t) = P(V = 0) + ∫₀ᵗ g(x)·e^(-θx) dx`` and ``P(abandon) = ∫ g(x)·(1 -
e^(-θx)) dx``. The integrals are taken with Gauss–Legendre quadrature in log space on
the range where the (log-concave) integrand is not negligible; the factor in front is
``1/B(n-1)`` with B from the recursion, so nothing overflows at 2,000 Erlangs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Larger loads are refused: the recursion is linear in the number of agents.
MAX_TRAFFIC = 20_000.0

# 10-point Gauss–Legendre nodes and weights on [-1, 1].
_GL_NODES = (
    -0.9739065285171717,
    -0.8650633666889845,
    -0.6794095682990244,
    -0.4333953941292472,
    -0.1488743389816312,
    0.1488743389816312,
    0.4333953941292472,
    0.6794095682990244,
    0.8650633666889845,
    0.9739065285171717,
)
_GL_WEIGHTS = (
    0.0666713443086881,
    0.1494513491505806,
    0.2190863625159820,
    0.2692667193099963,
    0.2955242247147529,
    0.2955242247147529,
    0.2692667193099963,
    0.2190863625159820,
    0.1494513491505806,
    0.0666713443086881,
)
# Where exp(φ - φmax) is below e^-40 the integrand no longer counts.
_CUT = 40.0
_MAX_PANELS = 400


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of M/M/n/n (Erlang's loss formula), by the stable recursion."""
    if traffic < 0 or agents < 0:
        raise ValueError("traffic and agents must not be negative")
    b = 1.0
    for n in range(1, agents + 1):
        ab = traffic * b
        b = ab / (n + ab)
    return b


def _c_from_b(traffic: float, agents: int, b: float) -> float:
    if agents <= traffic:
        return 1.0
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that an arrival has to wait (M/M/n); 1.0 when agents <= traffic."""
    if traffic < 0 or agents < 0:
        raise ValueError("traffic and agents must not be negative")
    if traffic == 0:
        return 0.0
    return _c_from_b(traffic, agents, erlang_b(traffic, agents))


def _c_service_level(traffic: float, agents: int, aht: float, within: float, c: float) -> float:
    if agents <= traffic:
        return 0.0
    return 1.0 - c * math.exp(-(agents - traffic) * within / aht)


def _c_asa(traffic: float, agents: int, aht: float, c: float) -> float:
    if agents <= traffic:
        return math.inf
    return c * aht / (agents - traffic)


def erlang_c_service_level(*, traffic: float, agents: int, aht: float, within: float) -> float:
    """Share of calls answered within ``within`` seconds: 1 - C·e^(-(n-a)·t/AHT)."""
    return _c_service_level(traffic, agents, aht, within, erlang_c(traffic, agents))


def erlang_c_asa(*, traffic: float, agents: int, aht: float) -> float:
    """Mean wait in seconds of all calls, C·AHT/(n-a); inf when agents <= traffic."""
    return _c_asa(traffic, agents, aht, erlang_c(traffic, agents))


@dataclass(frozen=True)
class ErlangAResult:
    service_level: float  # share of offered calls answered within `within` seconds
    asa_seconds: float  # mean wait of answered calls
    abandonment: float  # probability an offered call hangs up before it is answered
    occupancy: float  # share of agent time spent on calls (answered traffic / agents)
    wait_probability: float  # probability an arrival finds every agent busy
    mean_wait_seconds: float  # mean time in queue of all offered calls


def _integrals(lam: float, nmu: float, theta: float, within: float) -> tuple[float, ...]:
    """∫ w(x)·h(x) dx for w = exp(φ - φmax), φ(x) = λ/θ·(1 - e^(-θx)) - nμx, and h = 1,
    e^(-θx) on [0, t], e^(-θx), x·e^(-θx), 1 - e^(-θx) on [0, ∞); and φmax."""
    ratio = lam / theta

    def phi(x: float) -> float:
        return -ratio * math.expm1(-theta * x) - nmu * x

    if lam > nmu:
        mode = math.log(lam / nmu) / theta
        scale = 1.0 / math.sqrt(nmu * theta)
    else:
        mode = 0.0
        curvature = 1.0 / math.sqrt(lam * theta)
        scale = min(curvature, 1.0 / (nmu - lam)) if nmu > lam else curvature
    top = phi(mode)
    # The integrand is log-concave: walk out from the mode until it is negligible.
    right = mode + scale
    while phi(right) - top > -_CUT:
        right = mode + 2.0 * (right - mode)
    left = 0.0
    if mode > 0.0 and phi(0.0) - top < -_CUT:
        left = mode - scale
        while left > 0.0 and phi(left) - top > -_CUT:
            left = mode - 2.0 * (mode - left)
        left = max(left, 0.0)
    width = max(scale, (right - left) / _MAX_PANELS)
    cut = min(max(within, left), right)
    sums = [0.0, 0.0, 0.0, 0.0, 0.0]
    for lo, hi, early in ((left, cut, True), (cut, right, False)):
        if hi <= lo:
            continue
        panels = max(1, math.ceil((hi - lo) / width))
        step = (hi - lo) / panels
        half = step / 2.0
        for p in range(panels):
            middle = lo + (p + 0.5) * step
            for node, weight in zip(_GL_NODES, _GL_WEIGHTS, strict=True):
                x = middle + half * node
                w = weight * half * math.exp(phi(x) - top)
                kept = math.exp(-theta * x)
                sums[0] += w
                if early:
                    sums[1] += w * kept
                sums[2] += w * kept
                sums[3] += w * x * kept
                sums[4] -= w * math.expm1(-theta * x)
    return (*sums, top)


def erlang_a(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    agents: int,
    patience: float,
    within: float,
) -> ErlangAResult:
    """Exact M/M/n+M (Palm's model; Garnett, Mandelbaum and Reiman 2002) figures for
    ``calls`` offered in ``interval_seconds`` with mean ``patience`` seconds."""
    validate(
        calls=calls,
        interval_seconds=interval_seconds,
        aht=aht,
        within=within,
        patience=patience,
    )
    if agents < 0:
        raise ValueError("agents must not be negative")
    lam = calls / interval_seconds
    b = erlang_b(lam * aht, agents - 1) if agents > 0 else 1.0
    return _erlang_a(lam, aht, 1.0 / patience, within, agents, b)


def _erlang_a(
    lam: float, aht: float, theta: float, within: float, agents: int, b_fewer: float
) -> ErlangAResult:
    """Erlang A for arrival rate ``lam`` per second; ``b_fewer`` is Erlang B for one agent
    fewer (the staffing search computes it once for all agent counts)."""
    traffic = lam * aht
    if lam == 0:
        return ErlangAResult(1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return ErlangAResult(0.0, math.inf, 1.0, 0.0, 1.0, 1.0 / theta)
    nmu = agents / aht
    j_all, j_early, j_kept, j_x_kept, j_gone, top = _integrals(lam, nmu, theta, within)
    # Weight of the states with a free agent : weight of waiting = 1 : r·J, r = B·λ·e^top.
    log_r = (math.log(b_fewer) + math.log(lam) + top) if b_fewer > 0 else -math.inf
    if log_r > 0:
        alpha, beta = math.exp(-log_r), 1.0
    else:
        alpha, beta = 1.0, math.exp(log_r)
    norm = alpha + beta * j_all
    abandonment = beta * j_gone / norm
    return ErlangAResult(
        service_level=(alpha + beta * j_early) / norm,
        asa_seconds=beta * j_x_kept / (alpha + beta * j_kept),
        abandonment=abandonment,
        occupancy=traffic * (1.0 - abandonment) / agents,
        wait_probability=beta * j_all / norm,
        mean_wait_seconds=beta * j_gone / theta / norm,
    )


@dataclass(frozen=True)
class StaffingResult:
    agents: int  # on the phones, answering
    agents_with_shrinkage: int  # to schedule, so `agents` are available after shrinkage
    service_level: float
    asa_seconds: float
    occupancy: float
    abandonment: float | None  # only with patience (Erlang A)

    def as_dict(self, digits: int = 6) -> dict:
        data = {
            "agents": self.agents,
            "agents_with_shrinkage": self.agents_with_shrinkage,
            "service_level": round(self.service_level, digits),
            "asa_seconds": round(self.asa_seconds, digits),
            "occupancy": round(self.occupancy, digits),
        }
        if self.abandonment is not None:
            data["abandonment"] = round(self.abandonment, digits)
        return data


def with_shrinkage(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that ``agents`` remain after the share ``shrinkage`` (breaks,
    training, sickness) is away: ceil(agents / (1 - shrinkage)); 28 at 0.3 gives 40."""
    # Rounded first, so that 28 / 0.7 = 40.00000000000001 stays 40.
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def _fits(value: float, limit: float | None) -> bool:
    return limit is None or value <= limit + 1e-12


def staffing(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    target: float,
    within: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    patience: float | None = None,
) -> StaffingResult:
    """The smallest number of agents whose service level reaches ``target`` (and whose
    occupancy is at most ``max_occupancy`` when given): Erlang C, or Erlang A when the
    callers' mean ``patience`` in seconds is given."""
    validate(
        calls=calls,
        interval_seconds=interval_seconds,
        aht=aht,
        target=target,
        within=within,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        patience=patience,
    )
    traffic = calls / interval_seconds * aht
    if traffic == 0:
        return StaffingResult(0, 0, 1.0, 0.0, 0.0, None if patience is None else 0.0)
    if patience is None:
        return _staffing_c(traffic, aht, target, within, max_occupancy, shrinkage)

    lam = calls / interval_seconds
    theta = 1.0 / patience
    blocking = [1.0]  # Erlang B for 0, 1, 2, ... agents, extended as the search needs

    def evaluate(agents: int) -> ErlangAResult:
        while len(blocking) < agents:
            ab = traffic * blocking[-1]
            blocking.append(ab / (len(blocking) + ab))
        return _erlang_a(lam, aht, theta, within, agents, blocking[max(agents - 1, 0)])

    def good(result: ErlangAResult) -> bool:
        return result.service_level >= target and _fits(result.occupancy, max_occupancy)

    # Service level rises and occupancy falls with every agent added: bisect between
    # 0 agents (nobody answered) and a number that is enough.
    high = _staffing_c(traffic, aht, target, within, max_occupancy, 0.0).agents
    while not good(evaluate(high)):
        high += max(1, high // 8)
    low = 0
    while high - low > 1:
        middle = (low + high) // 2
        if good(evaluate(middle)):
            high = middle
        else:
            low = middle
    best = evaluate(high)
    return StaffingResult(
        agents=high,
        agents_with_shrinkage=with_shrinkage(high, shrinkage),
        service_level=best.service_level,
        asa_seconds=best.asa_seconds,
        occupancy=best.occupancy,
        abandonment=best.abandonment,
    )


def _staffing_c(traffic, aht, target, within, max_occupancy, shrinkage) -> StaffingResult:
    agents = math.floor(traffic) + 1
    if max_occupancy is not None:
        agents = max(agents, math.ceil(traffic / max_occupancy - 1e-9))
    b = erlang_b(traffic, agents)
    while True:
        c = _c_from_b(traffic, agents, b)
        level = _c_service_level(traffic, agents, aht, within, c)
        if level >= target and _fits(traffic / agents, max_occupancy):
            return StaffingResult(
                agents=agents,
                agents_with_shrinkage=with_shrinkage(agents, shrinkage),
                service_level=level,
                asa_seconds=_c_asa(traffic, agents, aht, c),
                occupancy=traffic / agents,
                abandonment=None,
            )
        agents += 1
        ab = traffic * b
        b = ab / (agents + ab)


def _positive(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def validate(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    within: float,
    target: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    patience: float | None = None,
) -> None:
    """Raise a ``ServiceError`` (400) naming the first value that cannot be used."""
    from django.utils.translation import gettext_lazy as _

    from borgerservice.core.errors import ServiceError

    def finite(value) -> bool:
        return isinstance(value, int | float) and math.isfinite(value)

    if not (finite(calls) and calls >= 0):
        raise ServiceError(
            "staffing.calls_invalid",
            _("The number of calls must be a number of at least 0."),
            field="calls",
        )
    if not _positive(interval_seconds):
        raise ServiceError(
            "staffing.interval_invalid",
            _("The interval must be longer than 0 seconds."),
            field="interval_seconds",
        )
    if not _positive(aht):
        raise ServiceError(
            "staffing.aht_invalid",
            _("The average handling time must be longer than 0 seconds."),
            field="aht",
        )
    if target is not None and not (finite(target) and 0 < target < 1):
        raise ServiceError(
            "staffing.target_invalid",
            _("The service level target must lie between 0 and 1 (for example 0.8)."),
            field="target",
        )
    if not (finite(within) and within >= 0):
        raise ServiceError(
            "staffing.within_invalid",
            _("The answer time of the service level must be 0 seconds or more."),
            field="within",
        )
    if max_occupancy is not None and not (finite(max_occupancy) and 0 < max_occupancy <= 1):
        raise ServiceError(
            "staffing.max_occupancy_invalid",
            _("The maximum occupancy must be above 0 and at most 1 (for example 0.85)."),
            field="max_occupancy",
        )
    if not (finite(shrinkage) and 0 <= shrinkage < 1):
        raise ServiceError(
            "staffing.shrinkage_invalid",
            _("The shrinkage must be at least 0 and below 1 (for example 0.3)."),
            field="shrinkage",
        )
    if patience is not None and not _positive(patience):
        raise ServiceError(
            "staffing.patience_invalid",
            _("The callers' average patience must be longer than 0 seconds."),
            field="patience",
        )
    traffic = calls / interval_seconds * aht
    if traffic > MAX_TRAFFIC:
        raise ServiceError(
            "staffing.traffic_too_large",
            _("The load is %(traffic)s Erlangs; at most %(limit)s Erlangs can be calculated."),
            field="calls",
            params={"traffic": f"{traffic:.0f}", "limit": f"{MAX_TRAFFIC:.0f}"},
        )
