"""Dashboard panel queries over rollups equivalent to 10 million contacts (PostgreSQL only).

The rollup tables are filled directly (COPY), not from raw rows: four years (2023-2026) of
contacts drawn one by one with numpy (weekday pattern, channel mix, services with a
Zipf-like popularity from the loaded catalogue, outcomes, hours peaking 14-16 at the
counters) and counted per rollup key, so the rollups have the sparsity real data would
give them: ContactDay, ContactHour, DurationBin (walk-in waits and service times, phone
handling times), BookingDay, CaseDay (cases from 12 % of the contacts, 300 caseworkers),
CapacityDay, LinkDay and SurveyDay. Every panel of ``analytics.dashboards`` is then timed,
``BENCH_REPEAT`` (30) times each, for three periods: the year 2026 without filters, the year
with a department filter, and 28 days with a centre and channel filter. Reported per panel
and period p50/p95, and ``dashboard_<panel>_p95``, the worst of the three, against the
300 ms target. The month rollups are filled from the day rollups (``months_fill``); the
panels that read them are timed over the year once more from the day rollups alone, and
``dashboard_<panel>_year_months_speedup`` is the ratio of the two p95s.

Run: ``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bs_bench_dash
.venv/bin/python bench/bench_dashboards.py`` (``BENCH_CONTACTS`` changes the 10 M).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import time

TARGET_P95_MS = 300.0
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "10000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
CHANNELS = ("phone", "walk_in", "letter", "email", "self_service", "chat_sms", "outreach")
CHANNEL_MIX = (0.45, 0.22, 0.08, 0.10, 0.10, 0.04, 0.01)
OUTCOMES = ("resolved", "case", "handed_over", "appointment", "self_service", "forwarded")
OUTCOME_MIX = (0.70, 0.10, 0.08, 0.05, 0.05, 0.02)
WEEKDAY_WEIGHT = (1.25, 1.15, 1.05, 1.05, 0.85, 0.30, 0.08)
CASEWORKERS = 300


def _skip_unless_postgresql() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("# dashboard benchmark: needs PostgreSQL in BENCH_DATABASE_URL; skipped", flush=True)
        sys.exit(0)


def _copy(conn, table: str, columns: tuple[str, ...], rows) -> int:
    """COPY rows (an iterable of tuples) into ``table``; returns the number of rows."""
    count = 0
    cursor = conn.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for r in rows:
            buffer.write("\t".join(str(v) for v in r))
            buffer.write("\n")
            count += 1
            if count % 200_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def _unique(columns: list, weights=None):
    """Count equal rows of the given integer columns: (unique rows, counts[, weight sums])."""
    import numpy as np

    stacked = np.stack(columns, axis=1)
    keys, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    sums = [np.bincount(inverse, weights=w, minlength=len(keys)) for w in (weights or [])]
    return keys, counts, sums


def populate(conn) -> dict[str, int]:
    """Fill the rollup tables; returns the rows per table."""
    import numpy as np

    from borgerservice.analytics.bins import BIN_EDGES
    from borgerservice.cases.models import Unit
    from borgerservice.catalogue.models import Department, Service, ServiceCentre

    rng = np.random.default_rng(8)
    services = list(Service.objects.values_list("id", "area_id", "department_id", "self_service"))
    rng.shuffle(services)
    service_ids = np.array([s[0] for s in services])
    service_area = np.array([s[1] for s in services])
    service_department = np.array([s[2] for s in services])
    service_digital = np.array([bool(s[3]) for s in services])
    popularity = 1.0 / np.arange(1, len(services) + 1) ** 1.1
    popularity /= popularity.sum()
    centres = dict(ServiceCentre.objects.values_list("code", "id"))
    contact_centre = centres.pop("kontaktcenter")
    counter_centres = np.array(sorted(centres.values()))
    centre_mix = np.array([0.30, 0.16, 0.14, 0.10, 0.14, 0.16][: len(counter_centres)])
    centre_mix /= centre_mix.sum()
    units = {d: u for u, d in Unit.objects.values_list("id", "department_id")}
    departments = sorted(Department.objects.values_list("id", flat=True))
    unit_of = np.array([units.get(d, 0) for d in range(max(departments) + 1)])
    bin_edges = np.array(BIN_EDGES)

    days = np.array(
        [FIRST_DAY + dt.timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    )
    day_weight = np.array([WEEKDAY_WEIGHT[d.weekday()] for d in days])
    day_weight /= day_weight.sum()
    day_text = np.array([d.isoformat() for d in days])
    weekday = np.array([d.weekday() for d in days])
    hour_mix = {
        "walk_in": np.array([0] * 9 + [2, 6, 8, 9, 10, 13, 14, 9, 5, 0, 0, 0, 0, 0, 0], float),
        "phone": np.array([0] * 8 + [8, 12, 11, 10, 9, 9, 8, 7, 5, 3, 1, 0, 0, 0, 0, 0], float),
        "other": np.array(
            [1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 4, 3, 2, 1], float
        ),
    }
    for values in hour_mix.values():
        values /= values.sum()

    rows = {}
    # Contacts, in chunks of one million.
    contact_parts, hour_parts, duration_parts, case_parts, survey_parts, link_parts = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    left = CONTACTS
    while left > 0:
        n = min(left, 1_000_000)
        left -= n
        day = rng.choice(len(days), size=n, p=day_weight)
        channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_MIX)
        service_index = rng.choice(len(services), size=n, p=popularity)
        outcome = rng.choice(len(OUTCOMES), size=n, p=OUTCOME_MIX)
        centre = np.zeros(n, dtype=np.int64)
        counter = (channel == 1) | (channel == 6)
        centre[counter] = rng.choice(counter_centres, size=int(counter.sum()), p=centre_mix)
        centre[channel == 0] = contact_centre
        service = service_ids[service_index]
        area = service_area[service_index]
        department = service_department[service_index]
        could = (~np.isin(channel, (3, 4, 5))) & service_digital[service_index]
        could &= rng.random(n) < 0.5
        handling = rng.exponential(300, size=n).astype(np.int64) + 30
        keys, counts, (could_sum, handling_sum) = _unique(
            [day, channel, outcome, service, area, department, centre],
            [could.astype(float), handling.astype(float)],
        )
        contact_parts.append((keys, counts, could_sum, handling_sum))
        hour = np.empty(n, dtype=np.int64)
        for label, mask in (
            ("walk_in", counter),
            ("phone", channel == 0),
            ("other", ~counter & (channel != 0)),
        ):
            hour[mask] = rng.choice(24, size=int(mask.sum()), p=hour_mix[label])
        hour_parts.append(_unique([day, hour, channel, department, centre])[:2])
        # Waits and service times at the counter, handling times on the phone.
        walk = channel == 1
        wait = rng.exponential(540, size=int(walk.sum()))
        serve = rng.gamma(2.0, 240, size=int(walk.sum()))
        for measure, mask, seconds in (
            (0, walk, wait),
            (1, walk, serve),
            (2, channel == 0, handling[channel == 0]),
        ):
            bins = np.searchsorted(bin_edges, seconds, side="right") - 1
            keys_d, counts_d, (sums_d,) = _unique(
                [
                    day[mask],
                    np.full(int(mask.sum()), measure),
                    channel[mask],
                    department[mask],
                    centre[mask],
                    service[mask],
                    bins,
                ],
                [np.asarray(seconds, float)],
            )
            duration_parts.append((keys_d, counts_d, sums_d))
        # Cases from 12 %: received on the day, closed 5-40 days later (80 % on time),
        # complaints on 3 % of the closed.
        cased = rng.random(n) < 0.12
        m = int(cased.sum())
        worker = rng.integers(1, CASEWORKERS + 1, size=m)
        c_day = day[cased]
        c_department = department[cased]
        c_channel = channel[cased]
        closed_day = np.minimum(c_day + rng.integers(5, 41, size=m), len(days) - 1)
        on_time = rng.random(m) < 0.8
        complaint = rng.random(m) < 0.03
        case_parts.append((0, _unique([c_day, c_department, worker, c_channel])[:2], None))
        keys_c, counts_c, (on_sum,) = _unique(
            [closed_day, c_department, worker, c_channel], [on_time.astype(float)]
        )
        case_parts.append((1, (keys_c, counts_c), on_sum))
        case_parts.append(
            (
                2,
                _unique(
                    [
                        closed_day[complaint],
                        c_department[complaint],
                        worker[complaint],
                        c_channel[complaint],
                    ]
                )[:2],
                None,
            )
        )
        # Satisfaction: 5 % answer.
        answered = rng.random(n) < 0.05
        score = rng.choice(
            [1, 2, 3, 4, 5], size=int(answered.sum()), p=[0.05, 0.07, 0.15, 0.33, 0.40]
        )
        survey_parts.append(
            _unique(
                [
                    day[answered],
                    channel[answered],
                    department[answered],
                    centre[answered],
                    service[answered],
                    score,
                ]
            )[:2]
        )
        # Self-service links from the "referred to self-service" outcome; 60 % used.
        linked = outcome == 4
        used = rng.random(int(linked.sum())) < 0.6
        keys_l, counts_l, (used_l,) = _unique(
            [day[linked], service[linked], department[linked]], [used.astype(float)]
        )
        link_parts.append((keys_l, counts_l, used_l))
        print(f"# drawn {CONTACTS - left:,} contacts", flush=True)

    def merge(parts, width, sums=0):
        keys = np.concatenate([p[0] for p in parts])
        counts = np.concatenate([p[1] for p in parts])
        extra = [np.concatenate([p[2 + i] for p in parts]) for i in range(sums)]
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        total = np.bincount(inverse, weights=counts, minlength=len(unique)).astype(np.int64)
        extra = [
            np.bincount(inverse, weights=e, minlength=len(unique)).astype(np.int64) for e in extra
        ]
        return unique, total, extra

    keys, counts, (could_sum, handling_sum) = merge(contact_parts, 7, 2)
    rows["analytics_contactday"] = _copy(
        conn,
        "analytics_contactday",
        (
            "day",
            "channel",
            "direction",
            "outcome",
            "service",
            "area",
            "department",
            "centre",
            "contacts",
            "could_be_digital",
            "handling_seconds",
            "handled",
        ),
        (
            (
                day_text[k[0]],
                CHANNELS[k[1]],
                "inbound",
                OUTCOMES[k[2]],
                k[3],
                k[4],
                k[5],
                k[6],
                c,
                cs,
                hs,
                c,
            )
            for k, c, cs, hs in zip(keys, counts, could_sum, handling_sum, strict=True)
        ),
    )
    keys, counts, _extra = merge(hour_parts, 5)
    rows["analytics_contacthour"] = _copy(
        conn,
        "analytics_contacthour",
        ("day", "weekday", "hour", "channel", "department", "centre", "contacts"),
        (
            (day_text[k[0]], weekday[k[0]], k[1], CHANNELS[k[2]], k[3], k[4], c)
            for k, c in zip(keys, counts, strict=True)
        ),
    )
    measures = ("ticket_wait", "ticket_service", "handling")
    keys, counts, (seconds_sum,) = merge(duration_parts, 7, 1)
    rows["analytics_durationbin"] = _copy(
        conn,
        "analytics_durationbin",
        ("day", "measure", "channel", "department", "centre", "service", "bin", "n", "seconds"),
        (
            (day_text[k[0]], measures[k[1]], CHANNELS[k[2]], k[3], k[4], k[5], k[6], c, s)
            for k, c, s in zip(keys, counts, seconds_sum, strict=True)
        ),
    )
    case_rows = []
    events = ("received", "closed", "complaint")
    for event in range(3):
        parts = [
            (p[1][0], p[1][1]) + ((p[2],) if p[2] is not None else ())
            for p in case_parts
            if p[0] == event
        ]
        keys, counts, extra = merge(parts, 4, 1 if event == 1 else 0)
        for i, (k, c) in enumerate(zip(keys, counts, strict=True)):
            on = int(extra[0][i]) if event == 1 else 0
            late = int(c) - on if event == 1 else 0
            case_rows.append(
                (
                    day_text[k[0]],
                    events[event],
                    k[1],
                    unit_of[k[1]],
                    k[2],
                    0,
                    CHANNELS[k[3]],
                    c,
                    on,
                    late,
                )
            )
    rows["analytics_caseday"] = _copy(
        conn,
        "analytics_caseday",
        (
            "day",
            "event",
            "department",
            "unit",
            "caseworker",
            "case_type",
            "channel",
            "cases",
            "on_time",
            "late",
        ),
        case_rows,
    )
    keys, counts, _extra = merge(survey_parts, 6)
    rows["analytics_surveyday"] = _copy(
        conn,
        "analytics_surveyday",
        ("day", "channel", "department", "centre", "service", "score", "answers"),
        (
            (day_text[k[0]], CHANNELS[k[1]], k[2], k[3], k[4], k[5], c)
            for k, c in zip(keys, counts, strict=True)
        ),
    )
    keys, counts, (used_sum,) = merge(link_parts, 3, 1)
    rows["analytics_linkday"] = _copy(
        conn,
        "analytics_linkday",
        ("day", "service", "department", "via", "sent", "used"),
        (
            (day_text[k[0]], k[1], k[2], "sms", c, u)
            for k, c, u in zip(keys, counts, used_sum, strict=True)
        ),
    )
    # Bookings (8 % of the walk-ins came by appointment; 7 % no-shows) and capacity per centre.
    booking_rows, capacity_rows = [], []
    booked_services = service_ids[:25]
    for i, text in enumerate(day_text):
        if weekday[i] == 6:
            continue
        for centre in counter_centres:
            staffed = int(rng.normal(6, 1) * 3600 * (4 if weekday[i] == 5 else 8))
            served = int(
                CONTACTS / len(days) * 0.22 * centre_mix[list(counter_centres).index(centre)]
            )
            capacity_rows.append(
                (
                    text,
                    centre,
                    max(staffed, 3600),
                    int(served * 480 * rng.uniform(0.8, 1.1)),
                    served,
                )
            )
            for service in rng.choice(booked_services, size=6, replace=False):
                due = int(rng.integers(2, 12))
                missing = int(rng.binomial(due, 0.07))
                booking_rows.append((text, centre, service, 0, "served", due - missing))
                if missing:
                    booking_rows.append((text, centre, service, 0, "no_show", missing))
    rows["analytics_bookingday"] = _copy(
        conn,
        "analytics_bookingday",
        ("day", "centre", "service", "department", "state", "bookings"),
        booking_rows,
    )
    rows["analytics_capacityday"] = _copy(
        conn,
        "analytics_capacityday",
        ("day", "centre", "staffed_seconds", "served_seconds", "served"),
        capacity_rows,
    )
    conn.commit()
    return rows


MONTH_PANELS = (
    "contacts_over_time",
    "channels",
    "services",
    "areas",
    "departments",
    "centres",
    "first_contact",
    "durations",
    "channel_shift",
)


def _only() -> list[str]:
    return [p for p in os.environ.get("BENCH_PANELS", "").split(",") if p]


def _time_one(panel, filters, viewer, label: str | None, months=None) -> float:
    """p95 (ms) of one panel over ``BENCH_REPEAT`` runs; reported when ``label`` is given;
    ``months`` puts the month rollups back for the run."""
    from common import percentile, report

    from borgerservice.analytics import dashboards

    saved = dashboards.MONTH_ROLLUPS
    if months is not None:
        dashboards.MONTH_ROLLUPS = months
    try:
        samples = []
        for _ in range(REPEAT + 2):
            start = time.perf_counter()
            dashboards.panel_get(panel, filters, viewer=viewer, names=dashboards.Names())
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        dashboards.MONTH_ROLLUPS = saved
    samples = samples[2:]  # the first two warm the caches
    if label is not None:
        report(f"dashboard_{panel}{label}_p50", percentile(samples, 0.5), "ms")
        report(f"dashboard_{panel}{label}_p95", percentile(samples, 0.95), "ms")
    return percentile(samples, 0.95)


def _time_panels(scenarios, viewer, label_suffix: str) -> list[str]:
    """Time every panel in every scenario; report p50/p95; return the panels over target."""
    from common import percentile, report

    from borgerservice.analytics import dashboards

    only = _only()
    failed = []
    for panel in [p for p in dashboards.PANELS if not only or p in only]:
        worst = 0.0
        for label, filters in scenarios.items():
            p95 = _time_one(panel, filters, viewer, f"{label_suffix}_{label}")
            worst = max(worst, p95)
        report(f"dashboard_{panel}{label_suffix}_p95", worst, "ms")
        if worst > TARGET_P95_MS:
            failed.append(panel)
    for label, filters in scenarios.items() if not only else ():
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            dashboards.panels_all(filters, viewer=viewer)
            samples.append((time.perf_counter() - start) * 1000)
        report(f"dashboard_all_panels{label_suffix}_{label}_p50", percentile(samples, 0.5), "ms")
    return failed


def main() -> None:
    """``BENCH_REUSE=1`` times the data a previous run left (no drop, no load);
    ``BENCH_PANELS=sla,complaints`` times only those panels."""
    _skip_unless_postgresql()
    sys.path.insert(0, os.path.dirname(__file__))
    from common import configure_django, report, setup_django

    started = time.perf_counter()
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if reuse:
        configure_django(os.environ["BENCH_DATABASE_URL"])
    elif setup_django() != "postgresql":
        print("# dashboard benchmark: needs PostgreSQL; skipped", flush=True)
        return
    import psycopg
    from django.db import connection
    from django.utils import translation

    from borgerservice.analytics import dashboards
    from borgerservice.analytics.models import ContactDay
    from borgerservice.cases.services import units_ensure
    from borgerservice.catalogue.models import Department, ServiceCentre

    url = os.environ["DATABASE_URL"]
    if reuse and ContactDay.objects.exists():
        print("# reusing the rollups of the previous run", flush=True)
        from borgerservice.analytics.models import ContactMonth
        from borgerservice.analytics.rollups import months_fill

        if not ContactMonth.objects.exists():
            months_fill()
    else:
        units_ensure()
        print(f"# set-up {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        with psycopg.connect(url) as conn:
            rows = populate(conn)
        from django.db import transaction

        from borgerservice.analytics.rollups import months_fill

        with transaction.atomic():
            rows.update(
                {f"analytics_{name.replace('_', '')}": n for name, n in months_fill().items()}
            )
        for table, count in rows.items():
            print(f"# {table}: {count:,} rows", flush=True)
        report("dashboard_rollup_rows", sum(rows.values()), "rows")
        report("dashboard_contacts_represented", CONTACTS, "contacts")
        report("dashboard_populate_seconds", time.perf_counter() - started, "s")
    with psycopg.connect(url, autocommit=True) as conn:
        # As autovacuum would have: hint bits and the visibility map set, statistics fresh.
        conn.execute("VACUUM (ANALYZE)")
        size = conn.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c "
            "WHERE c.relname LIKE 'analytics_%' AND c.relkind = 'r'"
        ).fetchone()[0]
    print(f"# rollup tables on disk: {size}", flush=True)

    translation.activate("da")
    department = Department.objects.get(slug="suf").pk
    centre = ServiceCentre.objects.get(code="indre-by").pk
    scenarios = {
        "year": dashboards.Filters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31)),
        "year_department": dashboards.Filters(
            date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31), department=department
        ),
        "28d_centre_channel": dashboards.Filters(
            date_from=dt.date(2026, 6, 1),
            date_to=dt.date(2026, 6, 28),
            centre=centre,
            channel="walk_in",
        ),
    }
    viewer = dashboards.Viewer(user=None, team_lead=True, departments=frozenset({department}))
    failed = _time_panels(scenarios, viewer, "")
    # The same year-long panels from the day rollups alone, as before the month rollups.
    for panel in [p for p in MONTH_PANELS if not _only() or p in _only()]:
        days_p95 = _time_one(panel, scenarios["year"], viewer, "_days_only_year", months={})
        months_p95 = _time_one(panel, scenarios["year"], viewer, None)
        report(f"dashboard_{panel}_year_months_speedup", days_p95 / months_p95, "x")
    connection.close()
    if failed:
        print(f"# over the {TARGET_P95_MS:.0f} ms target: {', '.join(failed)}", flush=True)
    else:
        print(f"# every panel within the {TARGET_P95_MS:.0f} ms target", flush=True)


if __name__ == "__main__":
    main()
