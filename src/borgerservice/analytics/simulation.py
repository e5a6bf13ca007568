"""Discrete-event simulation of the service centres (walk-ins) and the contact centre (calls).

The model is a set of independent multi-server FIFO queues, one per centre. Each opening
day is simulated on its own: citizens arrive as a Poisson process whose rate is constant
within each clock hour (the weekday and hour profile of the calibration), plus an optional
share of booked appointments at evenly spread slots. No one arrives after closing; whoever
is still waiting at closing time is served. The number of open counters (or agents) may
change from hour to hour (the staffing plan); a counter that closes finishes the citizen in
front of it. Service times are exponential or lognormal, patience is exponential (a citizen
whose wait would exceed it leaves unserved; booked citizens wait).

Because the queue is FIFO and the counters are identical, the start of a citizen's service
depends only on the citizens ahead of them who were served. The engine therefore walks the
arrivals in order and keeps a heap of the times at which each counter can next start a
service (the earliest-free-server form of the Kiefer–Wolfowitz recursion): this is exact,
including abandonment, and needs one heap operation per citizen. A simpler loop handles days
with a constant number of counters and no abandonment; both give the same answers.

Arrivals, service times and patience are drawn with numpy (seeded ``Generator``), so a run
is reproducible. The calibration figures live in ``CALIBRATION``; where a figure is an
assumption rather than a source fact, the comment says so.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

INF = math.inf
HOUR = 3600.0
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# -- calibration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Every number the model is calibrated with, in one place.

    Source facts: 001 = the 2010 analysis of a cross-cutting citizen service unit (table 2,
    also in catalogue/data/areas.json); 003 = the 2005 proposal for the citizen entrances
    (table 1 "citizens' choice of contact channel"; chapter 3 citizen profiles; section on
    opening hours). See docs DESIGN §6. Figures marked ASSUMPTION are not in the sources and
    are meant to be replaced by recorded history (``calibrate_from_history``).
    """

    # 001 table 2 (area okf-kbs): personal and written contacts a year at the service centres.
    service_centre_contacts_per_year: float = 750_000
    # DESIGN §6 / 001: calls a year to the contact centre.
    calls_per_year: float = 1_100_000
    # 003 table 1 (Copenhagen 2002): citizens' preferred channel.
    channel_mix: dict[str, float] = field(
        default_factory=lambda: {"phone": 0.49, "personal": 0.26, "letter": 0.14, "digital": 0.11}
    )
    # 003 chapter 3: citizen profiles by IT skills (insecure, able, routine, professional).
    it_profiles: dict[str, float] = field(
        default_factory=lambda: {
            "insecure": 0.11,
            "able": 0.24,
            "routine": 0.55,
            "professional": 0.10,
        }
    )
    # Profiles that cannot realistically move to digital (003 ch. 3: few of the insecure
    # want to use the internet with the authorities); caps the digital-shift scenario.
    digital_unreachable_profiles: tuple[str, ...] = ("insecure",)
    # 003, opening hours section: Mon–Fri 10–18, Sat 10–14, closed Sunday (walk-ins).
    opening_hours: tuple[tuple[int, int] | None, ...] = (
        (10, 18),
        (10, 18),
        (10, 18),
        (10, 18),
        (10, 18),
        (10, 14),
        None,
    )
    # ASSUMPTION: the contact centre keeps the same hours (003 leaves its hours open).
    call_opening_hours: tuple[tuple[int, int] | None, ...] = (
        (10, 18),
        (10, 18),
        (10, 18),
        (10, 18),
        (10, 18),
        (10, 14),
        None,
    )
    # 003 opening hours section, qualitative: Mon–Thu heavy, Friday a little less, Saturday
    # hardly any visits. The weights per day are an ASSUMPTION quantifying that statement.
    weekday_weights: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 0.85, 0.15, 0.0)
    # 003: visits spread fairly evenly, peak 14–16, quieter 16–18. Weights per clock hour
    # (ASSUMPTION quantifying the statement); hours not listed weigh 1.0.
    hour_weights: dict[int, float] = field(
        default_factory=lambda: {14: 1.45, 15: 1.45, 16: 0.75, 17: 0.6}
    )
    # 003: eight new service centres; volume split evenly (ASSUMPTION).
    centres: int = 8
    # ASSUMPTION: handling times and patience (replace from queue history).
    walk_in_service_minutes: float = 9.0
    walk_in_service_cv: float = 0.8  # lognormal coefficient of variation
    walk_in_patience_minutes: float = 60.0
    call_service_seconds: float = 240.0  # exponential
    call_patience_seconds: float = 180.0
    # Targets: walk-ins served within 15 minutes, calls answered within 20 seconds; the
    # staffing rule aims at 80 % within target (ASSUMPTION, a common goal).
    walk_in_target_seconds: float = 900.0
    call_target_seconds: float = 20.0
    service_level_goal: float = 0.80
    # Productive hours per full-time equivalent a year (configurable FTE conversion).
    productive_hours_per_fte: float = 1480.0
    weeks_per_year: int = 52
    # Booked citizens arrive around their slot with this spread (seconds; ASSUMPTION).
    booking_punctuality_seconds: float = 120.0

    @property
    def walk_in_share_of_contacts(self) -> float:
        """Personal visits as a share of personal and written contacts (003 table 1)."""
        mix = self.channel_mix
        return mix["personal"] / (mix["personal"] + mix["letter"])

    @property
    def walk_ins_per_year(self) -> float:
        return self.service_centre_contacts_per_year * self.walk_in_share_of_contacts

    @property
    def digital_reachable_share(self) -> float:
        return 1.0 - sum(self.it_profiles[p] for p in self.digital_unreachable_profiles)


CALIBRATION = Calibration()


def calibrate_from_history(
    records, calibration: Calibration = CALIBRATION, *, walk_ins: bool = True
) -> Calibration:
    """A calibration with the weekday and hour profile, the yearly volume and the mean
    handling time taken from recorded history.

    ``records`` is an iterable of ``(arrival, service_seconds)`` pairs, ``arrival`` a local
    ``datetime`` and ``service_seconds`` a float or ``None`` (not served). Figures the
    history does not give keep the values of ``calibration``."""
    records = list(records)
    if not records:
        return calibration
    per_day: dict[int, set] = {d: set() for d in range(7)}
    day_counts = [0.0] * 7
    hour_counts: dict[int, float] = {}
    services = []
    for arrival, service in records:
        weekday = arrival.weekday()
        per_day[weekday].add(arrival.date())
        day_counts[weekday] += 1
        hour_counts[arrival.hour] = hour_counts.get(arrival.hour, 0.0) + 1
        if service is not None and service > 0:
            services.append(float(service))
    # Mean visits per opening day of each weekday, relative to the busiest.
    per_opening_day = [day_counts[d] / len(per_day[d]) if per_day[d] else 0.0 for d in range(7)]
    top = max(per_opening_day) or 1.0
    weekday_weights = tuple(v / top for v in per_opening_day)
    hours = [h for h, n in hour_counts.items() if n > 0]
    mean_hour = sum(hour_counts[h] for h in hours) / len(hours)
    hour_weights = {h: hour_counts[h] / mean_hour for h in hours}
    dates = sorted({a.date() for a, _ in records})
    span_days = max(7, (dates[-1] - dates[0]).days + 1)
    per_year = len(records) * 365.0 / span_days
    changes: dict[str, Any] = {"weekday_weights": weekday_weights, "hour_weights": hour_weights}
    if walk_ins:
        changes["service_centre_contacts_per_year"] = (
            per_year / calibration.walk_in_share_of_contacts
        )
        if services:
            mean = float(np.mean(services))
            changes["walk_in_service_minutes"] = mean / 60.0
            if len(services) > 1 and mean > 0:
                changes["walk_in_service_cv"] = float(np.std(services) / mean) or 0.8
    else:
        changes["calls_per_year"] = per_year
        if services:
            changes["call_service_seconds"] = float(np.mean(services))
    return replace(calibration, **changes)


# -- model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """One kind of demand at a centre: its yearly volume and handling time."""

    name: str
    per_year: float
    service_mean: float  # seconds
    distribution: str = "exponential"  # or "lognormal"
    service_cv: float = 1.0  # lognormal only
    patience_mean: float | None = None  # seconds; None = waits for ever


@dataclass(frozen=True)
class Centre:
    """One queue: a service centre's walk-ins or the contact centre's calls.

    ``counters[weekday][hour]`` is the staffing plan (counters or agents open in that clock
    hour); ``booked_share[weekday]`` the share of visits that come with an appointment."""

    name: str
    channel: str  # "walk_in" or "phone"
    streams: tuple[Stream, ...]
    opening_hours: tuple[tuple[int, int] | None, ...]
    weekday_weights: tuple[float, ...]
    hour_weights: dict[int, float]
    counters: tuple[tuple[int, ...], ...]  # 7 x 24
    target_seconds: float
    booked_share: tuple[float, ...] = (0.0,) * 7


@dataclass(frozen=True)
class Model:
    centres: tuple[Centre, ...]
    weeks: int = 52
    weeks_per_year: int = 52
    productive_hours_per_fte: float = 1480.0
    booking_punctuality_seconds: float = 120.0


def hourly_rates(centre: Centre, weeks_per_year: int) -> np.ndarray:
    """Mean arrivals per clock hour: an array weekday x hour x stream."""
    rates = np.zeros((7, 24, len(centre.streams)))
    weights = np.asarray(centre.weekday_weights, dtype=float)
    total = sum(weights[d] for d in range(7) if centre.opening_hours[d])
    if total <= 0:
        return rates
    for d in range(7):
        hours = centre.opening_hours[d]
        if not hours or weights[d] <= 0:
            continue
        open_h, close_h = hours
        hw = np.array([centre.hour_weights.get(h, 1.0) for h in range(open_h, close_h)])
        hw = hw / hw.sum()
        for s, stream in enumerate(centre.streams):
            per_day = stream.per_year / weeks_per_year * weights[d] / total
            rates[d, open_h:close_h, s] = per_day * hw
    return rates


# -- engine ---------------------------------------------------------------------------------


def _day_fast(arrivals: list[float], services: list[float], counters: int) -> list[float]:
    """Waits for a FIFO queue with a constant number of counters and no abandonment
    (earliest-free-server recursion)."""
    free = [0.0] * counters
    waits = []
    append = waits.append
    replace_top = heapq.heapreplace
    for a, s in zip(arrivals, services, strict=True):
        f = free[0]
        if f > a:
            append(f - a)
            replace_top(free, f + s)
        else:
            append(0.0)
            replace_top(free, a + s)
    return waits


def _day_general(
    arrivals: list[float],
    services: list[float],
    patience: list[float] | None,
    counters: list[int],
) -> tuple[list[float], list[bool]]:
    """Waits and served flags for one day of a FIFO queue whose number of counters follows
    ``counters`` (one entry per hour from the start of the day, in seconds from it; after
    the last hour the last value holds, or the largest if the last is zero, so the queue
    left at closing is served). A citizen leaves when the wait would exceed their patience;
    the recorded wait is then the time they waited."""
    n_hours = len(counters)
    last = n_hours - 1
    after = counters[last] if counters[last] > 0 else max(counters)
    top = max(max(counters), after)
    # nxt[k][h]: the first on-duty time of counter k at or after the start of hour h when
    # it is off duty in hour h.
    nxt = []
    for k in range(top):
        row = [INF] * n_hours
        value = n_hours * HOUR if k < after else INF
        for h in range(last, -1, -1):
            if counters[h] > k:
                value = h * HOUR
            row[h] = value
        nxt.append(row)

    def duty(k: int, t: float) -> float:
        h = int(t // HOUR)
        if h > last:
            return t if k < after else INF
        if counters[h] > k:
            return t
        return nxt[k][h]

    heap = [(duty(k, 0.0), k) for k in range(top)]
    heap = [item for item in heap if item[0] < INF]
    heapq.heapify(heap)
    waits: list[float] = []
    served: list[bool] = []
    add_wait = waits.append
    add_served = served.append
    replace_top = heapq.heapreplace
    for i, a in enumerate(arrivals):
        while True:
            key, k = heap[0]
            if key >= a:
                start = key
                break
            moved = duty(k, a)
            if moved == a:
                start = a
                break
            replace_top(heap, (moved, k))
        wait = start - a
        if patience is not None and wait > patience[i]:
            add_wait(patience[i])
            add_served(False)
            continue
        add_wait(wait)
        add_served(True)
        finish = start + services[i]
        h = int(finish // HOUR)
        if h <= last and counters[h] > k:
            replace_top(heap, (finish, k))
        else:
            replace_top(heap, (duty(k, finish), k))
    return waits, served


def _draw_services(rng: np.random.Generator, stream: Stream, n: int) -> np.ndarray:
    if stream.distribution == "lognormal":
        sigma2 = math.log1p(stream.service_cv**2)
        mu = math.log(stream.service_mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)
    if stream.distribution == "deterministic":
        return np.full(n, float(stream.service_mean))
    return rng.exponential(stream.service_mean, n)


@dataclass
class CentreRun:
    """Raw output of one centre: one entry per arrival, in order of day and arrival."""

    centre: Centre
    weekday: np.ndarray
    hour: np.ndarray
    wait: np.ndarray
    served: np.ndarray
    service: np.ndarray
    counter_seconds: float
    days: int


def simulate_centre(
    centre: Centre, model: Model, rng: np.random.Generator, *, fast_path: bool = True
) -> CentreRun:
    weeks = model.weeks
    rates = hourly_rates(centre, model.weeks_per_year)
    day_list = [(w, d) for w in range(weeks) for d in range(7) if centre.opening_hours[d]]
    n_days = len(day_list)
    day_weekday = np.array([d for _, d in day_list], dtype=np.int64)
    parts_day, parts_time, parts_service, parts_patience = [], [], [], []
    for s, stream in enumerate(centre.streams):
        walk_share = np.array([1.0 - centre.booked_share[d] for d in range(7)])
        lam = rates[day_weekday, :, s] * walk_share[day_weekday, None]  # days x 24
        counts = rng.poisson(lam)
        total = int(counts.sum())
        flat = counts.ravel()
        cell = np.repeat(np.arange(flat.size), flat)
        day_idx = cell // 24
        times = (cell % 24) * HOUR + rng.random(total) * HOUR
        services = _draw_services(rng, stream, total)
        if stream.patience_mean:
            patience = rng.exponential(stream.patience_mean, total)
        else:
            patience = np.full(total, INF)
        parts_day.append(day_idx)
        parts_time.append(times)
        parts_service.append(services)
        parts_patience.append(patience)
        # Booked visits: Poisson many, at evenly spread slots, no abandonment.
        booked_mean = (
            rates[day_weekday, :, s].sum(axis=1)
            * np.array([centre.booked_share[d] for d in range(7)])[day_weekday]
        )
        if booked_mean.any():
            n_booked = rng.poisson(booked_mean)
            nb = int(n_booked.sum())
            b_day = np.repeat(np.arange(n_days), n_booked)
            starts = np.cumsum(n_booked) - n_booked
            slot = np.arange(nb) - np.repeat(starts, n_booked)
            open_h = np.array([(centre.opening_hours[d] or (0, 0))[0] for d in range(7)])
            close_h = np.array([(centre.opening_hours[d] or (0, 0))[1] for d in range(7)])
            wd = day_weekday[b_day]
            length = (close_h[wd] - open_h[wd]) * HOUR
            per = np.repeat(n_booked, n_booked)
            b_times = open_h[wd] * HOUR + (slot + 0.5) * length / np.maximum(per, 1)
            b_times = b_times + rng.normal(0.0, model.booking_punctuality_seconds, nb)
            b_times = np.clip(b_times, open_h[wd] * HOUR, close_h[wd] * HOUR - 1.0)
            parts_day.append(b_day)
            parts_time.append(b_times)
            parts_service.append(_draw_services(rng, stream, nb))
            parts_patience.append(np.full(nb, INF))
    day_idx = np.concatenate(parts_day) if parts_day else np.zeros(0, dtype=np.int64)
    times = np.concatenate(parts_time) if parts_time else np.zeros(0)
    services = np.concatenate(parts_service) if parts_service else np.zeros(0)
    patience = np.concatenate(parts_patience) if parts_patience else np.zeros(0)
    order = np.lexsort((times, day_idx))
    day_idx, times, services, patience = (
        day_idx[order],
        times[order],
        services[order],
        patience[order],
    )
    bounds = np.searchsorted(day_idx, np.arange(n_days + 1))
    waits = np.zeros(times.size)
    served = np.ones(times.size, dtype=bool)
    counter_seconds = 0.0
    for j, (_w, d) in enumerate(day_list):
        open_h, close_h = centre.opening_hours[d]
        plan = list(centre.counters[d][open_h:close_h])
        counter_seconds += sum(plan) * HOUR
        lo, hi = int(bounds[j]), int(bounds[j + 1])
        if lo == hi:
            continue
        if max(plan) == 0:
            plan = [1] * len(plan)  # demand on a day without staff: one counter serves it
        offset = open_h * HOUR
        arr = (times[lo:hi] - offset).tolist()
        svc = services[lo:hi].tolist()
        pat = patience[lo:hi]
        impatient = bool(np.isfinite(pat).any())
        if fast_path and not impatient and min(plan) == max(plan):
            waits[lo:hi] = _day_fast(arr, svc, plan[0])
        else:
            w, ok = _day_general(arr, svc, pat.tolist() if impatient else None, plan)
            waits[lo:hi] = w
            served[lo:hi] = ok
    return CentreRun(
        centre=centre,
        weekday=day_weekday[day_idx] if day_idx.size else day_idx,
        hour=(times // HOUR).astype(np.int64),
        wait=waits,
        served=served,
        service=services,
        counter_seconds=counter_seconds,
        days=n_days,
    )


# -- results --------------------------------------------------------------------------------


def _summary(wait, served, service, target, counter_seconds, scale, fte_hours) -> dict:
    n = int(wait.size)
    n_served = int(served.sum())
    served_waits = wait[served]
    busy = float(service[served].sum())
    counter_hours_year = counter_seconds / HOUR * scale
    return {
        "arrivals": n,
        "served": n_served,
        "mean_wait_seconds": float(served_waits.mean()) if n_served else 0.0,
        "p90_wait_seconds": float(np.percentile(served_waits, 90)) if n_served else 0.0,
        "service_level": float(((wait <= target) & served).sum() / n) if n else 1.0,
        "abandonment": float((n - n_served) / n) if n else 0.0,
        "utilisation": busy / counter_seconds if counter_seconds else 0.0,
        "counter_hours_per_year": counter_hours_year,
        "fte": counter_hours_year / fte_hours,
    }


def summarise(runs: list[CentreRun], model: Model, *, per_hour: bool = True) -> dict:
    """Per channel: mean and p90 wait of the served, service level (share of arrivals served
    within the target), abandonment, utilisation, counter-hours a year and FTE (counter-hours
    / productive hours per FTE); optionally per weekday and clock hour."""
    scale = model.weeks_per_year / model.weeks
    out: dict[str, Any] = {}
    for channel in sorted({r.centre.channel for r in runs}):
        chosen = [r for r in runs if r.centre.channel == channel]
        target = chosen[0].centre.target_seconds
        wait = np.concatenate([r.wait for r in chosen])
        served = np.concatenate([r.served for r in chosen])
        service = np.concatenate([r.service for r in chosen])
        weekday = np.concatenate([r.weekday for r in chosen])
        hour = np.concatenate([r.hour for r in chosen])
        seconds = sum(r.counter_seconds for r in chosen)
        fte_hours = model.productive_hours_per_fte
        result = _summary(wait, served, service, target, seconds, scale, fte_hours)
        result["target_seconds"] = target
        result["centres"] = len(chosen)
        result["arrivals_per_year"] = result["arrivals"] * scale
        if per_hour:
            rows = []
            for d in range(7):
                for h in range(24):
                    staffed = sum(r.centre.counters[d][h] for r in chosen)
                    mask = (weekday == d) & (hour == h)
                    if not staffed and not mask.any():
                        continue
                    cell = _summary(
                        wait[mask],
                        served[mask],
                        service[mask],
                        target,
                        staffed * HOUR * model.weeks,
                        scale,
                        fte_hours,
                    )
                    rows.append(
                        {
                            "weekday": WEEKDAYS[d],
                            "hour": h,
                            "arrivals_per_week": cell["arrivals"] / model.weeks,
                            "counters": staffed,
                            "mean_wait_seconds": round(cell["mean_wait_seconds"], 1),
                            "p90_wait_seconds": round(cell["p90_wait_seconds"], 1),
                            "service_level": round(cell["service_level"], 4),
                            "abandonment": round(cell["abandonment"], 4),
                            "utilisation": round(cell["utilisation"], 4),
                        }
                    )
            result["by_weekday_hour"] = rows
        out[channel] = result
    return out


def simulate(model: Model, *, seed: int = 1, per_hour: bool = True) -> dict:
    """Run every centre of ``model`` with one seeded generator and summarise."""
    rng = np.random.default_rng(seed)
    runs = [simulate_centre(centre, model, rng) for centre in model.centres]
    return summarise(runs, model, per_hour=per_hour)


# -- stationary M/M/c (validation) ----------------------------------------------------------


def mmc_inputs(
    *,
    arrival_rate: float,
    service_mean: float,
    customers: int,
    seed: int,
    patience_mean: float | None = None,
) -> tuple[list[float], list[float], list[float] | None]:
    """Arrival times, service times (and patience) of a stationary M/M/c(+M) run."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / arrival_rate, customers)).tolist()
    services = rng.exponential(service_mean, customers).tolist()
    patience = rng.exponential(patience_mean, customers).tolist() if patience_mean else None
    return arrivals, services, patience


def simulate_mmc(
    *,
    arrival_rate: float,
    service_mean: float,
    servers: int,
    customers: int,
    seed: int,
    patience_mean: float | None = None,
    warm_up: float = 0.1,
) -> dict:
    """One replication of a stationary M/M/c (or M/M/c+M) queue: the mean wait of the
    served, the abandonment share, after dropping the first ``warm_up`` share of citizens."""
    arrivals, services, patience = mmc_inputs(
        arrival_rate=arrival_rate,
        service_mean=service_mean,
        customers=customers,
        seed=seed,
        patience_mean=patience_mean,
    )
    if patience is None:
        waits = _day_fast(arrivals, services, servers)
        served = [True] * customers
    else:
        waits, served = _day_general(arrivals, services, patience, [servers])
    skip = int(customers * warm_up)
    w = np.asarray(waits[skip:])
    ok = np.asarray(served[skip:])
    return {
        "mean_wait": float(w[ok].mean()),
        "abandonment": float(1.0 - ok.mean()),
        "customers": customers - skip,
    }


def confidence_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of independent replications."""
    from statistics import NormalDist

    x = np.asarray(values, dtype=float)
    n = x.size
    mean = float(x.mean())
    if n < 2:
        return mean, mean, mean
    # Student t quantile via the Cornish–Fisher expansion of the normal quantile.
    z = NormalDist().inv_cdf(0.5 + level / 2)
    df = n - 1
    t = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
    half = t * float(x.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def replicate_mmc(*, replications: int, seed: int, **kwargs) -> dict:
    """Independent replications of ``simulate_mmc``: mean wait and abandonment with their
    95 % confidence intervals."""
    runs = [simulate_mmc(seed=seed + r, **kwargs) for r in range(replications)]
    wait = confidence_interval([r["mean_wait"] for r in runs])
    aband = confidence_interval([r["abandonment"] for r in runs])
    return {
        "mean_wait": wait[0],
        "mean_wait_ci": (wait[1], wait[2]),
        "abandonment": aband[0],
        "abandonment_ci": (aband[1], aband[2]),
        "replications": replications,
    }


def simpy_mmc_waits(arrivals: list[float], services: list[float], servers: int) -> list[float]:
    """The same FIFO M/M/c model in simpy (a development dependency, for validation and the
    benchmark): waits of each citizen for the given arrival and service times."""
    import simpy

    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    waits = [0.0] * len(arrivals)

    def citizen(i: int):
        arrived = env.now
        with desk.request() as request:
            yield request
            waits[i] = env.now - arrived
            yield env.timeout(services[i])

    def source():
        previous = 0.0
        for i, a in enumerate(arrivals):
            yield env.timeout(a - previous)
            previous = a
            env.process(citizen(i))

    env.process(source())
    env.run()
    return waits


def mmc_waits(arrivals: list[float], services: list[float], servers: int) -> list[float]:
    """Our engine's waits for the same inputs (the fast path)."""
    return _day_fast(arrivals, services, servers)
