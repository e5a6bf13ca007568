"""Generation time of the demo year (``manage.py make_demo_history --year 2026``).

On a fresh bench database (PostgreSQL with ``BENCH_DATABASE_URL``, else a temporary SQLite
file) the catalogue and the demo prerequisites are loaded (10,000 citizens, queues, staff,
work queues, booking templates), then the whole of 2026 is generated as seen from
1 January 2027 (so the full year, whatever today is): about 2.5 million contacts, 300,000
cases and 600,000 tickets at ``BENCH_DEMO_HISTORY_SCALE`` = 1.0 (the default). Printed:
the seconds of every phase, the total (target < 300 s on PostgreSQL), the rows written and
rows per second, and the rollup rebuild afterwards (set-based in SQL on PostgreSQL;
``BENCH_DEMO_HISTORY_ROLLUPS=0`` skips it) with the total of the two against the target.
"""

from __future__ import annotations

import os
import time
from datetime import date

from common import demo_prerequisites_load, report, setup_django

YEAR = 2026


def main() -> None:
    scale = float(os.environ.get("BENCH_DEMO_HISTORY_SCALE", "1.0"))
    vendor = setup_django()
    from borgerservice.analytics.demo_history import history_generate

    step = time.perf_counter()
    demo_prerequisites_load()
    print(f"# {vendor}: prerequisites loaded in {time.perf_counter() - step:.1f} s", flush=True)

    started = time.perf_counter()
    result = history_generate(year=YEAR, scale=scale, today=date(YEAR + 1, 1, 1))
    seconds = time.perf_counter() - started
    print(f"# scale {scale}, {result.first_day} to {result.last_day}", flush=True)
    print(f"# foreign-key triggers skipped: {result.foreign_key_checks_skipped}", flush=True)
    for table, rows in result.rows.items():
        print(f"# {table:<34} {rows:>12,}", flush=True)
    for phase, phase_seconds in result.seconds.items():
        report(f"demo_history_{phase}_seconds", phase_seconds, "s")
    report("demo_history_rows", result.total_rows, "rows")
    report("demo_history_contacts", result.rows.get("contacts_contact", 0), "rows")
    report("demo_history_rows_per_second", result.total_rows / seconds, "rows/s")
    report("demo_history_seconds", seconds, "s")
    if os.environ.get("BENCH_DEMO_HISTORY_ROLLUPS", "1") != "0":
        from borgerservice.analytics.rollups import rollup_rebuild

        step = time.perf_counter()
        written = rollup_rebuild()
        rebuild = time.perf_counter() - step
        print(f"# rollup rows written: {written}", flush=True)
        report("demo_history_rollup_rebuild_seconds", rebuild, "s")
        report("demo_history_with_rollups_seconds", seconds + rebuild, "s")


if __name__ == "__main__":
    main()
