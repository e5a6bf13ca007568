"""Dashboard panel queries over the rollups of 10 million recorded contacts (PostgreSQL only).

The raw rows are the demo history (``analytics.demo_history``, what ``manage.py
make_demo_history`` writes) of the four years 2023-2026, each at the scale that makes
``BENCH_CONTACTS`` (10 M) contacts in all, with the tickets, cases, work items, bookings,
self-service links and survey answers that come with them; the rollups are then built from
those rows by ``rollup_rebuild`` (set-based in SQL), as after any bulk load, so they have
exactly the sparsity real data gives them. Every panel of ``analytics.dashboards`` is timed,
``BENCH_REPEAT`` (30) times each, for three periods: the year 2026 without filters, the year
with a department filter, and 28 days with a centre and channel filter. Reported per panel
and period p50/p95, and ``dashboard_<panel>_p95``, the worst of the three, against the
300 ms target. The panels that read the month rollups are timed over the year once more from
the day rollups alone, and ``dashboard_<panel>_year_months_speedup`` is the ratio of the two
p95s. Loading takes 15-20 minutes on two cores.

Run: ``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bs_bench_dash
.venv/bin/python bench/bench_dashboards.py`` (``BENCH_CONTACTS`` changes the 10 M;
``BENCH_REUSE=1`` times what the previous run loaded).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections import Counter

TARGET_P95_MS = 300.0
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "10000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
YEARS = (2023, 2024, 2025, 2026)
# Contacts of one demo year at scale 1.0 (2026 gives 2,475,006; other years differ a little).
CONTACTS_PER_YEAR = 2_475_000


def _skip_unless_postgresql() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("# dashboard benchmark: needs PostgreSQL in BENCH_DATABASE_URL; skipped", flush=True)
        sys.exit(0)


def populate() -> dict[str, int]:
    """Generate the raw history of ``YEARS`` and rebuild the rollups from it; returns the
    rows written per raw table and per rollup."""
    from common import demo_prerequisites_load, report

    from borgerservice.analytics.demo_history import history_generate
    from borgerservice.analytics.rollups import rollup_rebuild

    demo_prerequisites_load()
    scale = CONTACTS / len(YEARS) / CONTACTS_PER_YEAR
    raw: Counter[str] = Counter()
    started = time.perf_counter()
    for year in YEARS:
        step = time.perf_counter()
        result = history_generate(
            year=year, scale=scale, seed=year, today=dt.date(YEARS[-1] + 1, 1, 1)
        )
        raw.update(result.rows)
        print(
            f"# {year}: {result.rows.get('contacts_contact', 0):,} contacts, "
            f"{result.total_rows:,} rows in {time.perf_counter() - step:.1f} s",
            flush=True,
        )
    report("dashboard_raw_rows", sum(raw.values()), "rows")
    report("dashboard_contacts", raw["contacts_contact"], "contacts")
    report("dashboard_generate_seconds", time.perf_counter() - started, "s")
    step = time.perf_counter()
    written = rollup_rebuild()
    report("dashboard_rollup_rebuild_seconds", time.perf_counter() - step, "s")
    facts = written.pop("facts", 0)
    print(f"# rollup facts: {facts:,}", flush=True)
    report("dashboard_rollup_rows", sum(written.values()), "rows")
    return {**raw, **{f"rollup {name}": n for name, n in written.items()}}


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
    from borgerservice.catalogue.models import Department, ServiceCentre

    url = os.environ["DATABASE_URL"]
    if reuse and ContactDay.objects.exists():
        print("# reusing the rows and rollups of the previous run", flush=True)
    else:
        print(f"# set-up {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        for table, count in populate().items():
            print(f"# {table}: {count:,} rows", flush=True)
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
