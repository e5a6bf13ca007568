"""Shared set-up for benchmarks: a database of their own, loaded like production.

On PostgreSQL (``BENCH_DATABASE_URL``) the bench database is dropped and created
afresh; without it a temporary SQLite file is used. Figures are printed one per
line as ``BENCH <name> <value> <unit>``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parent.parent
KLE_FILE = REPO.parent / "shared" / "data" / "os2kle" / "OS2KLE.txt"


def _prepare_database() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def setup_django() -> str:
    """Configure Django on the bench database, migrate and load the catalogue and KLE."""
    os.environ["DATABASE_URL"] = _prepare_database()
    os.environ.setdefault("BORGERSERVICE_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borgerservice.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from borgerservice.catalogue.services import catalogue_load_copenhagen, kle_import

    call_command("migrate", verbosity=0)
    catalogue_load_copenhagen()
    if KLE_FILE.exists():
        kle_import(path=KLE_FILE)
    from django.db import connection

    return connection.vendor


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.3f} {unit}", flush=True)


def summarise(prefix: str, samples_ms: list[float]) -> None:
    report(f"{prefix}_p50", percentile(samples_ms, 0.50), "ms")
    report(f"{prefix}_p95", percentile(samples_ms, 0.95), "ms")
    report(f"{prefix}_p99", percentile(samples_ms, 0.99), "ms")
    report(f"{prefix}_mean", statistics.fmean(samples_ms), "ms")
