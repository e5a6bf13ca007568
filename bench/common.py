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


def configure_django(database_url: str) -> None:
    """Point Django at ``database_url`` and set it up (nothing is migrated or loaded)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("BORGERSERVICE_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borgerservice.settings")
    if str(REPO / "src") not in sys.path:
        sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def setup_django() -> str:
    """Configure Django on the bench database, migrate and load the catalogue and KLE."""
    configure_django(_prepare_database())
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


def cpu_snapshot(server_pid: int | None = None, database: str | None = None) -> dict[str, float]:
    """CPU seconds used so far (Linux /proc): the machine in total and idle, a server
    process with its workers, PostgreSQL (its background processes and the backends of
    ``database``, or all backends without it), and this process."""
    import resource

    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    server = postgres = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as f:
                text = f.read()
            name = text[text.index("(") + 1 : text.rindex(")")]
            command = ""
            if name == "postgres" and database:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    command = f.read().decode(errors="replace")
        except (OSError, ValueError):
            continue
        rest = text[text.rindex(")") + 2 :].split()
        pid, ppid = int(entry.name), int(rest[1])
        used = (int(rest[11]) + int(rest[12])) / ticks
        if server_pid is not None and server_pid in (pid, ppid):
            server += used
        elif name == "postgres" and (
            not database or f" {database} " in command or "(" not in command
        ):
            postgres += used
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "total": sum(fields[:8]) / ticks,
        "idle": (fields[3] + fields[4]) / ticks,
        "server": server,
        "postgres": postgres,
        "self": usage.ru_utime + usage.ru_stime,
    }


def cpu_cores_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Cores each party kept busy between two snapshots; ``other`` is everything else
    (other programs on the machine, the kernel's own work)."""
    cores = os.cpu_count() or 1
    wall = (after["total"] - before["total"]) / cores
    used = {
        party: (after[party] - before[party]) / wall
        for party in ("server", "postgres", "self", "idle")
    }
    used["other"] = max(0.0, cores - sum(used.values()))
    return used
