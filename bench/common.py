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


# -- shared by the loaders and the HTTP benchmarks (new helpers; the functions above keep
# their behaviour) ------------------------------------------------------------------------


def constraints_drop(url: str, tables: tuple[str, ...]) -> list[str]:
    """Drop the tables' secondary indexes, unique and foreign-key constraints, and the other
    tables' foreign keys to them (without which PostgreSQL refuses to TRUNCATE them), before
    a bulk COPY; return the statements that restore them (indexes, then unique, then foreign
    keys)."""
    import psycopg

    restore: list[str] = []
    drop: list[str] = []
    with psycopg.connect(url) as conn:
        constraints = conn.execute(
            """SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
               FROM pg_constraint
               WHERE (conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f'))
                  OR (confrelid = ANY(%s::regclass[]) AND contype = 'f')
               ORDER BY contype DESC, conname""",
            (list(tables), list(tables)),
        ).fetchall()
        indexes = conn.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[])
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                               AND c.conrelid = i.indrelid)
               ORDER BY 1""",
            (list(tables),),
        ).fetchall()
        for table, name, _kind, _definition in constraints:
            drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, definition in indexes:
            drop.append(f"DROP INDEX {name}")
            restore.append(definition)
        for table, name, _kind, definition in constraints:  # unique ('u') sort before 'f'
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for statement in drop:
            conn.execute(statement)
    return restore


def constraints_restore(url: str, statements: list[str], *, parallel: int = 1) -> None:
    """Run the statements ``constraints_drop`` returned: the indexes on ``parallel``
    connections at once (they only read their table), then the constraints in order."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    def run(batch: list[str]) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET max_parallel_maintenance_workers = 2")
            for statement in batch:
                conn.execute(statement)

    indexes = [s for s in statements if s.startswith("CREATE ")]
    others = [s for s in statements if not s.startswith("CREATE ")]
    lanes = [indexes[i :: max(1, parallel)] for i in range(max(1, parallel))]
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        list(pool.map(run, [lane for lane in lanes if lane]))
    run(others)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, server, path: str = "/healthz", seconds: float = 60) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {seconds:.0f} s")


def gunicorn_start(
    database_url: str,
    *,
    workers: int,
    threads: int,
    env: dict | None = None,
    keep_alive: int = 10,
):
    """Start gunicorn (gthread, keep-alive) on a free port against ``database_url`` and wait
    until /healthz answers; returns (process, port). Stop it with ``gunicorn_stop``."""
    import subprocess
    import time

    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": f"bench-{time.time_ns()}-secret-key-for-benchmarks-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BORGERSERVICE_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "borgerservice.settings",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO / "src"),
        **(env or {}),
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "borgerservice.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        *("--worker-class", "gthread", "--threads", str(threads)),
        *("--keep-alive", str(keep_alive), "--log-level", "warning", "--chdir", str(REPO)),
    ]
    print(f"# gunicorn --workers {workers} --threads {threads} --worker-class gthread", flush=True)
    server = subprocess.Popen(command, env=environment)
    try:
        wait_until_up(port, server)
    except BaseException:
        gunicorn_stop(server)
        raise
    return server, port


def gunicorn_stop(server) -> None:
    import subprocess

    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def http_read_response(reader) -> tuple[int, bytes, bool]:
    """One HTTP/1.1 answer (Content-Length bodies only): (status, body, connection closes)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, close = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
        elif name == b"transfer-encoding":
            raise RuntimeError("chunked answers are not expected")
    body = await reader.readexactly(length) if length else b""
    return status, body, close


def http_load(
    port: int,
    requests: list[list[tuple[str, bytes]]],
    *,
    warm_up: float,
    seconds: float,
    server_pid: int | None = None,
    database: str | None = None,
    ok=lambda status, body: status == 200,
    think: float = 0.0,
) -> dict:
    """Closed-loop load: one keep-alive connection per entry of ``requests``, each cycling
    through its own (label, raw request) list as fast as answers come, or pausing ``think``
    seconds after each answer (a person reading the page; the clients start staggered).
    Latencies of requests started after ``warm_up`` seconds count, for ``seconds``. Returns
    the latencies (ms) with their labels, requests/s, statuses, errors (answers ``ok``
    refuses) and the CPU each party used (``cpu_cores_used``; ``self`` is this process, the
    load generator)."""
    import asyncio
    import time
    from collections import Counter

    async def run() -> dict:
        start = time.perf_counter()
        measure_from = start + warm_up
        measure_to = measure_from + seconds
        samples: list[tuple[str, float]] = []
        statuses: Counter[int] = Counter()
        errors = 0
        cpu: dict[str, dict] = {}

        async def sample_cpu() -> None:
            await asyncio.sleep(measure_from - time.perf_counter())
            cpu["from"] = cpu_snapshot(server_pid, database)
            await asyncio.sleep(max(0.0, measure_to - time.perf_counter()))
            cpu["to"] = cpu_snapshot(server_pid, database)

        async def one_client(number: int, own: list[tuple[str, bytes]]) -> None:
            nonlocal errors
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            index = 0
            if think:
                await asyncio.sleep(think * number / len(requests))
            while (now := time.perf_counter()) < measure_to:
                label, request = own[index % len(own)]
                index += 1
                try:
                    writer.write(request)
                    status, body, close = await http_read_response(reader)
                except (OSError, asyncio.IncompleteReadError, RuntimeError):
                    status, body, close = 0, b"", True
                finished = time.perf_counter()
                statuses[status] += 1
                if now >= measure_from:
                    samples.append((label, (finished - now) * 1000))
                    if not ok(status, body):
                        errors += 1
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                if think:
                    await asyncio.sleep(think)
            writer.close()

        sampler = asyncio.create_task(sample_cpu())
        await asyncio.gather(*(one_client(n, own) for n, own in enumerate(requests)))
        await sampler
        return {
            "samples": samples,
            "latencies_ms": [ms for _label, ms in samples],
            "rps": len(samples) / seconds,
            "statuses": dict(statuses),
            "errors": errors,
            "cpu": cpu_cores_used(cpu["from"], cpu["to"]),
        }

    return asyncio.run(run())


def load_state_write(url: str, table: str, state: dict[str, str]) -> None:
    """Record a finished load in its state table, so the next run can reuse the data."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (key text PRIMARY KEY, value text NOT NULL)")
        with conn.cursor().copy(f"COPY {table} (key, value) FROM STDIN") as copy:
            for item in state.items():
                copy.write_row(item)


def bench_citizens(count: int) -> list[int]:
    """``count`` synthetic citizens written in bulk; their ids in order."""
    from datetime import date

    from borgerservice.citizens.models import Citizen

    people = [
        Citizen(
            cpr=f"{(i % 28) + 1:02d}{(i % 12) + 1:02d}{50 + i % 40:02d}{i % 10000:04d}",
            first_name=f"Borger{i}",
            last_name="Benchsen",
            birth_date=date(1950 + i % 40, (i % 12) + 1, (i % 28) + 1),
            sex="F" if i % 2 else "M",
        )
        for i in range(count)
    ]
    Citizen.objects.bulk_create(people, batch_size=2000)
    return list(Citizen.objects.order_by("id").values_list("id", flat=True))


def demo_prerequisites_load(*, citizens: int = 10_000) -> None:
    """What ``make_demo_history`` builds on, as ``make demo`` loads it: roles, ``citizens``
    demo citizens, the centres' queues, the demo staff, booking slots and work queues."""
    os.environ["DEMO"] = "1"
    from django.conf import settings

    settings.DEMO = True
    from django.core.management import call_command

    from borgerservice.accounts.roles import roles_ensure
    from borgerservice.accounts.services import demo_staff_create
    from borgerservice.citizens.demo import demo_citizens_create
    from borgerservice.queueing.demo import demo_queues_create

    roles_ensure()
    demo_citizens_create(count=citizens)
    demo_queues_create()
    demo_staff_create()
    call_command("make_demo_bookings", skip_checks=True, verbosity=0)
    call_command("work_demo", skip_checks=True, verbosity=0)
