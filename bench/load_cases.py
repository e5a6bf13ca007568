"""A persistent database with a million cases for the case benchmarks.

1,000,000 cases (``BENCH_CASES`` overrides) over the 129 case types and the 17 units
``services.units_ensure`` creates, with one applicant (``CaseParty``) and one 'created'
history row (``CaseEvent``) each, for 200,000 citizens (one per five cases;
``demo_citizens_create``, which writes about 4,000 citizens a second, so the people
loader's 650,000 would cost almost three minutes on their own). Loaded once and reused:
on PostgreSQL the database is ``<BENCH_DATABASE_URL>_cases`` (``…_cases_20000`` for
``BENCH_CASES=20000``), kept between runs, and loaded again only when it does not hold
the expected rows or ``DATA_VERSION`` changed. Without ``BENCH_DATABASE_URL`` a temporary
SQLite file is loaded each run (20,000 cases by default).

The three tables are written with PostgreSQL COPY on three connections at once, after
dropping their secondary indexes, unique and foreign-key constraints (rebuilt
afterwards), then vacuumed and analysed. The mix: a few big units (social services,
children and youth, technical and environmental), four years of cases growing with the
id, about 12 % open (most of the recent ones, a tail of old ones waiting on complaints
or the citizen), the deadline projection (``due_on``, ``at_risk_on``) computed as
``services.case_create`` does, ``closed_on`` for the closed ones, a caseworker from the
unit's members on most cases.
"""

from __future__ import annotations

import datetime
import os
import queue
import random
import tempfile
import threading
import time
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from common import (
    configure_django,
    constraints_drop,
    constraints_restore,
    load_state_write,
    report,
)

CASES = 1_000_000
SQLITE_CASES = 20_000
CASES_PER_CITIZEN = 5
YEARS = 4
SEED = 2024
DATA_VERSION = "1"  # bump when the generated data changes: the next run reloads
STATE_TABLE = "bench_cases_state"
LOCK_ID = 7_236_502  # advisory lock: one loader at a time
TABLES = ("cases_case", "cases_caseparty", "cases_caseevent")
BENCH_TITLE_PREFIX = "Benchmark: "  # cases the benchmarks add (and remove) themselves
STAFF_PREFIX = "bench-case-"

# Share of all cases per unit (code), and its caseworkers. The 2005-* units belong to the
# departments before the 2005 reform: their cases are old and all closed.
UNITS = {
    "sof-sager": (260, 90),
    "buf-sager": (180, 60),
    "tmf-sager": (140, 45),
    "suf-sager": (100, 35),
    "okf-borgerservice": (90, 40),
    "kff-sager": (70, 25),
    "bif-sager": (50, 18),
    "okf-sager": (40, 14),
    "stat-sager": (20, 8),
}
OLD_UNIT_SHARE = 50  # per mille, spread over the 2005-* units
OPEN_STATUSES = (
    ("received", 10),
    ("in_progress", 50),
    ("awaiting_citizen", 15),
    ("decided", 13),
    ("complaint", 5),
    ("forwarded", 3),
    ("reopened", 4),
)
CHANNELS = (("self_service", 45), ("letter", 15), ("email", 15), ("walk_in", 15), ("phone", 10))
TITLES = ("", "Ansøgning: ", "Henvendelse: ", "Klage: ", "Ændring: ")


def case_count() -> int:
    default = CASES if _postgres_url() else SQLITE_CASES
    value = int(os.environ.get("BENCH_CASES", "") or default)
    if value < 100:
        raise SystemExit("BENCH_CASES must be at least 100")
    return value


def _postgres_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def cases_database_url() -> str | None:
    """The cases database next to BENCH_DATABASE_URL, or None without PostgreSQL."""
    url = _postgres_url()
    if url is None:
        return None
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_cases"
    if case_count() != CASES:
        name += f"_{case_count()}"
    return urlunparse(parsed._replace(path="/" + name))


@dataclass
class CasesData:
    url: str
    vendor: str
    cases: int
    citizens: int
    loaded_now: bool


def cases_setup(prefix: str) -> CasesData:
    """Make sure the cases database holds the expected data; configure Django on it."""
    cases = case_count()
    citizens = max(100, cases // CASES_PER_CITIZEN)
    url = cases_database_url()
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench_cases.sqlite3'}"
        configure_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _load(url, cases, citizens, postgres=False)
        data = CasesData(url, "sqlite", cases, citizens, True)
    else:
        data = _postgres_setup(url, cases, citizens)
    report(f"{prefix}_cases", data.cases, "cases")
    report(f"{prefix}_citizens", data.citizens, "citizens")
    return data


def _postgres_setup(url: str, cases: int, citizens: int) -> CasesData:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (LOCK_ID,))
        exists = lock.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        complete = bool(exists) and _state_check(url, cases, citizens)
        if not complete:
            if exists:
                print(f"# {name} does not hold the expected data: loading it again", flush=True)
            lock.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            lock.execute(f'CREATE DATABASE "{name}"')
        configure_django(url)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        if not complete:
            _load(url, cases, citizens, postgres=True)
        connection.close()  # the load ran DDL on other connections; start afresh
    return CasesData(url, "postgresql", cases, citizens, not complete)


def bench_cases_remove() -> int:
    """Delete the cases a benchmark added (an interrupted run leaves them behind)."""
    from borgerservice.cases.models import Case, CaseDocument, DocumentVersion, JournalEntry

    leftovers = list(
        Case.objects.filter(title__startswith=BENCH_TITLE_PREFIX).values_list("pk", flat=True)
    )
    if not leftovers:
        return 0
    for version in DocumentVersion.objects.filter(document__case_id__in=leftovers):
        version.file.delete(save=False)
    JournalEntry.objects.filter(case_id__in=leftovers).delete()
    CaseDocument.objects.filter(case_id__in=leftovers).delete()
    Case.objects.filter(pk__in=leftovers).delete()
    return len(leftovers)


def _state_check(url: str, cases: int, citizens: int) -> bool:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", (STATE_TABLE,)).fetchone()[0] is None:
            return False
        query = sql.SQL("SELECT key, value FROM {}").format(sql.Identifier(STATE_TABLE))
        state = dict(conn.execute(query).fetchall())
        if state.get("version") != DATA_VERSION or state.get("complete") != "1":
            return False
        if int(state["cases"]) != cases or int(state["citizens"]) != citizens:
            return False
        # Cases a benchmark added have ids above the loaded ones.
        counts = conn.execute(
            """SELECT (SELECT count(*) FROM cases_case WHERE id <= %(n)s),
                      (SELECT count(*) FROM cases_caseparty WHERE case_id <= %(n)s),
                      (SELECT count(*) FROM cases_caseevent WHERE case_id <= %(n)s),
                      (SELECT count(*) FROM citizens_citizen)""",
            {"n": cases},
        ).fetchone()
    return counts == (cases, cases, cases, citizens)


# -- loading ------------------------------------------------------------------------------


def _load(url: str, cases: int, citizens: int, *, postgres: bool) -> None:
    from borgerservice.cases.services import case_types_ensure
    from borgerservice.catalogue.services import catalogue_load_copenhagen

    started = time.perf_counter()
    catalogue_load_copenhagen()
    case_types_ensure()  # the 129 case types and the 17 units
    staff = _staff_create()
    step = time.perf_counter()
    _citizens_create(citizens)
    report("cases_load_citizens_seconds", time.perf_counter() - step, "s")

    generator = _Generator(staff, cases)
    step = time.perf_counter()
    if postgres:
        saved = constraints_drop(url, TABLES)
        _copy(url, generator)
    else:
        _insert_sqlite(generator)
    copy_seconds = time.perf_counter() - step
    report("cases_load_copy_seconds", copy_seconds, "s")
    report("cases_load_rows_per_second", 3 * cases / copy_seconds, "rows/s")
    if not postgres:
        report("cases_load_total_seconds", time.perf_counter() - started, "s")
        return
    import psycopg

    step = time.perf_counter()
    constraints_restore(url, saved, parallel=2)
    report("cases_load_indexes_seconds", time.perf_counter() - step, "s")
    step = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in (*TABLES, "citizens_citizen"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
        conn.execute("ANALYZE")
    report("cases_load_vacuum_analyze_seconds", time.perf_counter() - step, "s")
    total = time.perf_counter() - started
    report("cases_load_total_seconds", total, "s")
    state = {
        "version": DATA_VERSION,
        "cases": str(cases),
        "citizens": str(citizens),
        "load_seconds": f"{total:.0f}",
        "loaded_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "complete": "1",
    }
    load_state_write(url, STATE_TABLE, state)


def _staff_create() -> dict[int, list[int]]:
    """Caseworkers (specialists) as members of their unit: unit id → user ids."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from borgerservice.accounts.roles import SPECIALIST, roles_ensure
    from borgerservice.cases.models import Unit

    user_model = get_user_model()
    group = roles_ensure()[SPECIALIST]
    unusable = make_password(None)
    units = {u.code: u for u in Unit.objects.all()}
    users = []
    for code, (_share, workers) in UNITS.items():
        for index in range(workers):
            users.append((user_model(username=f"{STAFF_PREFIX}{code}-{index + 1:02d}"), code))
    for user, _code in users:
        user.password = unusable
        user.first_name, user.last_name = "Sagsbehandler", user.username[len(STAFF_PREFIX) :]
    user_model.objects.bulk_create([user for user, _code in users])
    groups = user_model.groups.through
    groups.objects.bulk_create([groups(user_id=u.pk, group_id=group.pk) for u, _c in users])
    members = Unit.members.through
    members.objects.bulk_create([members(unit_id=units[c].pk, user_id=u.pk) for u, c in users])
    staff: dict[int, list[int]] = {}
    for user, code in users:
        staff.setdefault(units[code].pk, []).append(user.pk)
    return staff


def bench_staff(unit_id: int, count: int):
    """``count`` caseworkers who are members of ``unit_id`` (loaded with the cases)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(username__startswith=STAFF_PREFIX, case_units=unit_id)
        .order_by("username")[:count]
    )


def _citizens_create(count: int) -> None:
    from borgerservice.citizens.demo import demo_citizens_create

    started = time.perf_counter()
    step = max(50_000, count // 4)
    next_report = step

    def progress(created: int, total: int) -> None:
        nonlocal next_report
        if created >= next_report or created == total:
            elapsed = time.perf_counter() - started
            print(f"# citizens: {created:,} of {total:,} ({elapsed:.0f} s)", flush=True)
            next_report = (created // step + 1) * step

    demo_citizens_create(count=count, seed=SEED, batch_size=5000, progress=progress)


class _Generator:
    """Draws the cases day by day, so ids grow with the day they were received."""

    def __init__(self, staff: dict[int, list[int]], total: int) -> None:
        from borgerservice.cases.models import CaseType, Unit
        from borgerservice.citizens.models import Citizen

        self.rng = rng = random.Random(SEED)
        self.total = total
        self.staff = staff
        self.today = today = datetime.date.today()
        first = today - datetime.timedelta(days=round(YEARS * 365.25))
        # Weekdays only (letters and self-service arrive every day, but are registered on
        # working days), a little more each year.
        days, weights = [], []
        span = (today - first).days
        for offset in range(span + 1):
            day = first + datetime.timedelta(days=offset)
            if day.weekday() > 4:
                continue
            days.append(day)
            weights.append(0.85 + 0.3 * offset / span)
        cumulative = list(accumulate(weights))
        bounds = [round(total * c / cumulative[-1]) for c in cumulative]
        self.days = [
            (day, high - low)
            for day, low, high in zip(days, [0, *bounds[:-1]], bounds, strict=True)
        ]

        units = {u.code: u for u in Unit.objects.all()}
        old = [code for code in units if code.startswith("2005-")]
        shares = {code: share for code, (share, _w) in UNITS.items()}
        for code in old:
            shares[code] = OLD_UNIT_SHARE / len(old)
        self.unit_codes = list(shares)
        self.unit_cum = list(accumulate(shares.values()))
        self.units = {code: (units[code].pk, units[code].department_id) for code in shares}
        self.old_units = set(old)

        types = list(
            CaseType.objects.select_related("service")
            .order_by("pk")
            .values_list(
                "pk", "processing_days", "service__department__slug", "service__kle_code", "name_da"
            )
        )
        # COPY text: no tabs, newlines or backslashes in the names.
        types = [(*row[:4], " ".join(row[4].split()).replace("\\", "/")) for row in types]
        by_department: dict[str, list[tuple]] = {}
        for row in types:
            by_department.setdefault(row[2], []).append(row)
        # Within a unit a few case types are most of the work (Zipf-like).
        self.unit_types: dict[str, tuple[list[tuple], list[float]]] = {}
        for code in shares:
            slug = units[code].department.slug
            own = by_department.get(slug) or types
            order = list(own)
            rng.shuffle(order)
            self.unit_types[code] = (
                order,
                list(accumulate(1 / (r + 1) for r in range(len(order)))),
            )

        self.citizen_ids = list(Citizen.objects.order_by("pk").values_list("pk", flat=True))
        # A few citizens have many cases, most one or two.
        self.citizen_cum = list(
            accumulate(rng.gammavariate(0.7, 1.0) + 1e-6 for _ in self.citizen_ids)
        )
        self.deadline_memo: dict[tuple[datetime.date, int], tuple[str, str]] = {}

    def _deadline(self, received: datetime.date, days: int) -> tuple[str, str]:
        from borgerservice.cases.calendar import add_working_days
        from borgerservice.cases.deadlines import risk_start

        key = (received, days)
        found = self.deadline_memo.get(key)
        if found is None:
            due = add_working_days(received, days)
            found = (due.isoformat(), risk_start(due, days).isoformat())
            self.deadline_memo[key] = found
        return found

    def rows(self, *, postgres: bool):
        """Yield (cases, parties, events) per day, each a block of COPY text lines."""
        rng = self.rng
        rand = rng.random
        expo = rng.expovariate
        choices = rng.choices
        today = self.today
        memo = self.deadline_memo
        deadline = self._deadline
        tz = "+00" if postgres else ""
        times = [
            f"{h:02d}:{m:02d}:{s:02d}{tz}"
            for h in range(9, 16)
            for m in range(60)
            for s in range(60)
        ]
        n_times = len(times)
        statuses = [s for s, _w in OPEN_STATUSES]
        status_cum = list(accumulate(w for _s, w in OPEN_STATUSES))
        channels = [c for c, _w in CHANNELS]
        channel_cum = list(accumulate(w for _c, w in CHANNELS))
        n_titles = len(TITLES)
        units = {
            code: (
                *self.units[code],
                *self.unit_types[code],
                self.unit_types[code][1][-1],
                self.staff.get(self.units[code][0]) or [],
                code in self.old_units,
            )
            for code in self.unit_codes
        }
        case_id = 0
        for day, count in self.days:
            if not count:
                continue
            age = (today - day).days
            iso = day.isoformat()
            year = day.year
            p_open = 0.9 if age < 60 else 0.15 if age < 365 else 0.07
            drawn = choices(self.unit_codes, cum_weights=self.unit_cum, k=count)
            citizens = choices(self.citizen_ids, cum_weights=self.citizen_cum, k=count)
            via = choices(channels, cum_weights=channel_cum, k=count)
            cases, parties, events = [], [], []
            for code, citizen, channel in zip(drawn, citizens, via, strict=True):
                case_id += 1
                unit_id, department_id, order, cum, top, workers, old = units[code]
                type_id, processing, _slug, kle, name = order[bisect(cum, rand() * top)]
                if old or rand() >= p_open:
                    status = "closed"
                    closed = day + datetime.timedelta(days=5 + int(expo(0.04)))
                    closed_on = (closed if closed < today else today).isoformat()
                    paused = 0
                else:
                    if age < 5:
                        status = "received"
                    else:
                        status = statuses[bisect(status_cum, rand() * status_cum[-1])]
                    closed_on = "\\N"
                    paused = 5 * int(rand() * 4) if status == "awaiting_citizen" else 0
                key = (day, processing + paused)
                found = memo.get(key) or deadline(day, processing + paused)
                if workers and (status != "received" or rand() < 0.3):
                    caseworker = workers[int(rand() * len(workers))]
                else:
                    caseworker = "\\N"
                at = f"{iso} {times[int(rand() * n_times)]}"
                title = TITLES[int(rand() * n_titles)] + name
                secret = "confidential" if rand() < 0.02 else "normal"
                cases.append(
                    f"{case_id}\t{year}-{case_id:06d}\t{type_id}\t{title[:200]}\t{status}\t"
                    f"{kle}\t\t{department_id}\t{unit_id}\t{caseworker}\t{secret}\t"
                    f"{channel}\t{iso}\t{at}\t{found[0]}\t{found[1]}\t{closed_on}\t\\N\n"
                )
                parties.append(f"{case_id}\t{case_id}\t{citizen}\tapplicant\n")
                events.append(
                    f"{case_id}\t{case_id}\tcreated\t{at}\t{iso}\t\treceived\t0\t\t\\N\t"
                    f"{unit_id}\t{{}}\t{caseworker}\n"
                )
            yield "".join(cases), "".join(parties), "".join(events)


CASE_COLUMNS = (
    "id, number, case_type_id, title, status, kle_code, action_facet, department_id, unit_id, "
    "caseworker_id, confidentiality, channel, received_on, created_at, due_on, at_risk_on, "
    "closed_on, anonymised_at"
)
PARTY_COLUMNS = "id, case_id, citizen_id, role"
EVENT_COLUMNS = (
    'id, case_id, kind, "at", "on", from_status, to_status, extension_days, reason, '
    "from_unit_id, to_unit_id, detail, actor_id"
)
COLUMNS = {
    "cases_case": CASE_COLUMNS,
    "cases_caseparty": PARTY_COLUMNS,
    "cases_caseevent": EVENT_COLUMNS,
}


def _copy(url: str, generator: _Generator) -> None:
    """COPY the three tables on three connections at once (the parties and events through
    threads of their own, fed by the generator in this one)."""
    import psycopg
    from psycopg import sql

    conns = [psycopg.connect(url) for _ in TABLES]
    try:
        # TRUNCATE in the COPY's transaction lets COPY write the rows frozen. cases_case is
        # still referenced by other (empty) case tables' foreign keys: CASCADE.
        for conn, table in zip(conns, TABLES, strict=True):
            conn.execute("SET synchronous_commit = off")
            conn.execute(f"TRUNCATE {table}" + (" CASCADE" if table == "cases_case" else ""))
        pipes: list[queue.Queue] = [queue.Queue(maxsize=16) for _ in TABLES[1:]]
        failure: list[BaseException] = []

        def writer(conn, table: str, pipe: queue.Queue) -> None:
            try:
                statement = f"COPY {table} ({COLUMNS[table]}) FROM STDIN (FREEZE)"
                with conn.cursor().copy(statement) as copy:
                    while (block := pipe.get()) is not None:
                        copy.write(block)
            except BaseException as exc:  # reported by the main thread
                failure.append(exc)
                while pipe.get() is not None:
                    pass

        threads = [
            threading.Thread(target=writer, args=(conn, table, pipe), daemon=True)
            for conn, table, pipe in zip(conns[1:], TABLES[1:], pipes, strict=True)
        ]
        for thread in threads:
            thread.start()
        made = 0
        started = time.perf_counter()
        next_report = generator.total // 5
        try:
            statement = f"COPY cases_case ({CASE_COLUMNS}) FROM STDIN (FREEZE)"
            with conns[0].cursor().copy(statement) as copy:
                for cases, parties, events in generator.rows(postgres=True):
                    pipes[0].put(parties)
                    pipes[1].put(events)
                    copy.write(cases)
                    made += cases.count("\n")
                    if made >= next_report:
                        elapsed = time.perf_counter() - started
                        print(f"# cases: {made:,} of {generator.total:,} ({elapsed:.0f} s)")
                        next_report += generator.total // 5
        finally:
            for pipe in pipes:
                pipe.put(None)
            for thread in threads:
                thread.join()
        if failure:
            raise failure[0]
        for conn in conns:
            conn.commit()
        with psycopg.connect(url, autocommit=True) as conn:
            for table in TABLES:
                query = sql.SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {}))"
                ).format(sql.Identifier(table))
                conn.execute(query, (table,))
    finally:
        for conn in conns:
            conn.close()


def _insert_sqlite(generator: _Generator) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for blocks in generator.rows(postgres=False):
            for table, block in zip(TABLES, blocks, strict=True):
                columns = COLUMNS[table]
                marks = ", ".join(["%s"] * len(columns.split(",")))
                statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                rows = [
                    [None if value == "\\N" else value for value in line.split("\t")]
                    for line in block.splitlines()
                ]
                cursor.executemany(statement, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    cases_setup("cases")
