"""A persistent PostgreSQL database with citizens and contacts at Copenhagen's scale.

650,000 citizens (``demo_citizens_create``) and 10 million contacts with their service
links, loaded once and reused: the bench database is ``<BENCH_DATABASE_URL>_people``
(``…_people_s0_01`` for ``BENCH_PEOPLE_SCALE=0.01``), kept between runs, and only
loaded again when it does not hold the expected rows (or ``DATA_VERSION`` changed).

Contacts are written with PostgreSQL COPY (``cursor.copy()``), the contacts and their
service links on two connections at once, after dropping the tables' secondary indexes,
unique and foreign-key constraints; those are rebuilt afterwards and the tables
vacuumed and analysed. The mix is meant to look like a year of Borgerservice: phone
49 %, personal (walk-in) 26 %, letter 14 %, digital (self-service, email) 11 %; weekdays
10–18 with a peak 14–16, Monday–Thursday heavier than Friday, no weekends or closing
days; one or two catalogue services each; mostly resolved at first contact; staff from
a pool of 200 with their own centre.
"""

from __future__ import annotations

import datetime
import os
import random
import threading
import time
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from urllib.parse import urlparse, urlunparse

from common import (
    configure_django,
    constraints_drop,
    constraints_restore,
    load_state_write,
    report,
)

CITIZENS = 650_000
CONTACTS = 10_000_000
STAFF = 200
YEARS = 3
SEED = 2005
DATA_VERSION = "1"  # bump when the generated data changes: the next run reloads
BENCH_KEY_PREFIX = "bench-"  # idempotency keys of contacts the API benchmark registers
STATE_TABLE = "bench_people_state"
LOCK_ID = 7_236_501  # advisory lock: one loader at a time

# Channel mix (per mille): phone 49 %, walk-in 26 %, letter 14 %, digital 11 %.
CHANNELS = (("phone", 490), ("walk_in", 260), ("letter", 140), ("self_service", 60), ("email", 50))
ANONYMOUS = {"phone": 0.10, "walk_in": 0.04, "letter": 0.0, "self_service": 0.0, "email": 0.02}
OUTBOUND = {"phone": 0.06, "walk_in": 0.0, "letter": 0.08, "self_service": 0.0, "email": 0.05}
# Handling time in seconds: minimum and mean of the exponential part.
DURATION = {
    "phone": (60, 300),
    "walk_in": (120, 600),
    "letter": (180, 600),
    "self_service": (60, 300),
    "email": (120, 400),
}
OUTCOMES = (
    ("resolved", 760),
    ("case", 80),
    ("handed_over", 50),
    ("appointment", 50),
    ("self_service", 40),
    ("forwarded", 20),
)
AUTHORITIES = (
    "Udbetaling Danmark",
    "Skattestyrelsen",
    "Familieretshuset",
    "Styrelsen for International Rekruttering og Integration",
    "Politiet",
)
NOTES = (
    "Borgeren ringer igen i morgen.",
    "Har fået vejledning om MitID.",
    "Mangler dokumentation, sender den digitalt.",
    "Tolk brugt (arabisk).",
    "Pårørende ringede på borgerens vegne.",
    "Henvist til selvbetjening på borger.dk.",
    "Ønsker brev i stedet for Digital Post.",
    "Spørgsmål om betaling af regning.",
    "Aftalt opfølgning med sagsbehandler.",
    "Borgeren var utilfreds med ventetiden.",
)
# Weekday (0 = Monday) → weights for the hours from 10 on; the centres open 10–18.
HOURS = {
    0: (8, 11, 12, 13, 18, 17, 10, 6),
    1: (7, 10, 11, 12, 17, 16, 9, 5),
    2: (7, 10, 11, 12, 16, 16, 9, 5),
    3: (7, 10, 11, 12, 17, 17, 11, 8),
    4: (8, 10, 11, 11, 9, 6),
}
WEEKDAY_WEIGHT = (1.25, 1.10, 1.05, 1.12, 0.62)
MONTH_WEIGHT = (1.15, 1.05, 1.0, 0.95, 0.95, 0.9, 0.6, 1.1, 1.05, 1.0, 1.0, 0.8)
CLOSED = {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1), (6, 5)}
# Staff pool: centre → (front office, specialist, team lead).
STAFF_POOL = {
    "kontaktcenter": (62, 5, 3),
    "indre-by": (27, 2, 1),
    "osterbro": (20, 1, 1),
    "bispebjerg": (17, 1, 1),
    "vanlose": (12, 1, 1),
    "valby": (18, 1, 1),
    "amager": (22, 2, 1),
}
TIMES = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]


def scale() -> float:
    value = float(os.environ.get("BENCH_PEOPLE_SCALE", "1") or "1")
    if value <= 0:
        raise SystemExit("BENCH_PEOPLE_SCALE must be positive")
    return value


def expected_counts() -> tuple[int, int]:
    """(citizens, contacts) at the current scale."""
    factor = scale()
    return max(10, round(CITIZENS * factor)), max(10, round(CONTACTS * factor))


def people_database_url() -> str | None:
    """The people database next to BENCH_DATABASE_URL, or None without PostgreSQL."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_people"
    if scale() != 1.0:
        name += "_s" + f"{scale():g}".replace(".", "_").replace("-", "_")
    return urlunparse(parsed._replace(path="/" + name))


@dataclass
class People:
    url: str
    citizens: int
    contacts: int
    links: int
    loaded_now: bool


def people_setup(prefix: str) -> People | None:
    """Make sure the people database holds the expected data; configure Django on it.

    Returns None (after printing why) when no PostgreSQL bench database is configured.
    """
    url = people_database_url()
    if url is None:
        print(f"# {prefix}: skipped, needs PostgreSQL (BENCH_DATABASE_URL)", flush=True)
        return None
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    citizens, contacts = expected_counts()
    with psycopg.connect(admin, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (LOCK_ID,))
        exists = lock.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        state = _state_check(url, citizens, contacts) if exists else None
        if state is None:
            if exists:
                print(f"# {name} does not hold the expected data: loading it again", flush=True)
            lock.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            lock.execute(f'CREATE DATABASE "{name}"')
        configure_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if state is None:
            state = _load(url, citizens, contacts)
            loaded_now = True
        else:
            loaded_now = False
        from django.db import connection

        connection.close()  # the load ran DDL on other connections; start afresh
    people = People(url, state["citizens"], state["contacts"], state["links"], loaded_now)
    report(f"{prefix}_citizens", people.citizens, "citizens")
    report(f"{prefix}_contacts", people.contacts, "contacts")
    report(f"{prefix}_contact_services", people.links, "links")
    return people


def bench_contacts_remove(conn) -> int:
    """Delete what the API benchmark registered (contacts, links, their purposes)."""
    keys = f"{BENCH_KEY_PREFIX}%"
    conn.execute(
        """DELETE FROM accounts_accesspurpose WHERE kind = 'contact' AND reference IN (
             SELECT 'contact:' || id FROM contacts_contact WHERE idempotency_key LIKE %s)""",
        (keys,),
    )
    conn.execute(
        """DELETE FROM contacts_contactservice WHERE contact_id IN (
             SELECT id FROM contacts_contact WHERE idempotency_key LIKE %s)""",
        (keys,),
    )
    return conn.execute(
        "DELETE FROM contacts_contact WHERE idempotency_key LIKE %s", (keys,)
    ).rowcount


def _state_check(url: str, citizens: int, contacts: int) -> dict | None:
    """The recorded state when the database holds exactly what was loaded, else None."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass(%s)", (STATE_TABLE,)).fetchone()[0]
        if found is None:
            return None
        query = sql.SQL("SELECT key, value FROM {}").format(sql.Identifier(STATE_TABLE))
        state = dict(conn.execute(query).fetchall())
        if state.get("version") != DATA_VERSION or state.get("complete") != "1":
            return None
        if int(state["citizens"]) != citizens or int(state["contacts"]) != contacts:
            return None
        removed = bench_contacts_remove(conn)
        if removed:
            print(f"# removed {removed} contacts left by an interrupted API benchmark")
        counts = conn.execute(
            """SELECT (SELECT count(*) FROM citizens_citizen),
                      (SELECT count(*) FROM contacts_contact),
                      (SELECT count(*) FROM contacts_contactservice)"""
        ).fetchone()
    if counts != (citizens, contacts, int(state["links"])):
        return None
    return {"citizens": citizens, "contacts": contacts, "links": int(state["links"])}


# -- loading ------------------------------------------------------------------------------


def _load(url: str, citizens: int, contacts: int) -> dict:
    import psycopg

    from borgerservice.catalogue.services import catalogue_load_copenhagen

    started = time.perf_counter()
    catalogue_load_copenhagen()
    staff = _staff_create()
    step = time.perf_counter()
    _citizens_create(citizens)
    citizens_seconds = time.perf_counter() - step
    report("people_load_citizens_seconds", citizens_seconds, "s")

    step = time.perf_counter()
    saved = _constraints_drop(url)
    contacts_made, links = _contacts_copy(url, contacts, staff)
    copy_seconds = time.perf_counter() - step
    report("people_load_contacts_copy_seconds", copy_seconds, "s")
    report("people_load_contacts_rows_per_second", contacts_made / copy_seconds, "rows/s")
    step = time.perf_counter()
    _constraints_restore(url, saved)
    report("people_load_indexes_seconds", time.perf_counter() - step, "s")
    step = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) contacts_contact")
        conn.execute("VACUUM (ANALYZE) contacts_contactservice")
        conn.execute("VACUUM (ANALYZE) citizens_citizen")
        conn.execute("ANALYZE")
    report("people_load_vacuum_analyze_seconds", time.perf_counter() - step, "s")
    total = time.perf_counter() - started
    report("people_load_total_seconds", total, "s")
    state = {
        "version": DATA_VERSION,
        "citizens": str(citizens),
        "contacts": str(contacts_made),
        "links": str(links),
        "load_seconds": f"{total:.0f}",
        "loaded_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "complete": "1",
    }
    load_state_write(url, STATE_TABLE, state)
    return {"citizens": citizens, "contacts": contacts_made, "links": links}


def _staff_create() -> list[tuple[int, int, str]]:
    """The staff pool: (user id, centre id, centre kind) for each of the 200."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from borgerservice.accounts.models import Authority, StaffProfile
    from borgerservice.accounts.roles import FRONT_OFFICE, SPECIALIST, TEAM_LEAD, roles_ensure
    from borgerservice.accounts.services import SPECIALIST_AREAS, generalist_authorities
    from borgerservice.catalogue.models import ServiceArea, ServiceCentre

    user_model = get_user_model()
    groups = roles_ensure()
    centres = {c.code: c for c in ServiceCentre.objects.all()}
    unusable = make_password(None)
    rows = []
    for code, numbers in STAFF_POOL.items():
        for role, number in zip((FRONT_OFFICE, SPECIALIST, TEAM_LEAD), numbers, strict=True):
            for index in range(number):
                username = f"bench-{code}-{role.replace('_', '')}-{index + 1:02d}"
                rows.append((user_model(username=username, password=unusable), code, role))
    assert len(rows) == STAFF, len(rows)
    user_model.objects.bulk_create([user for user, _code, _role in rows])
    memberships = user_model.groups.through
    memberships.objects.bulk_create(
        [memberships(user_id=user.pk, group_id=groups[role].pk) for user, _c, role in rows]
    )
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=user, centre=centres[code]) for user, code, _role in rows]
    )
    generalist = generalist_authorities()
    specialist = {a.pk: 3 for a in ServiceArea.objects.filter(code__in=SPECIALIST_AREAS)}
    Authority.objects.bulk_create(
        [
            Authority(user=user, area_id=area, level=level)
            for user, _code, role in rows
            for area, level in (specialist if role == SPECIALIST else generalist).items()
        ]
    )
    return [(user.pk, centres[code].pk, centres[code].kind) for user, code, _role in rows]


def _citizens_create(count: int) -> None:
    from borgerservice.citizens.demo import demo_citizens_create

    started = time.perf_counter()
    step = max(50_000, count // 10)
    next_report = step

    def progress(created: int, total: int) -> None:
        nonlocal next_report
        if created >= next_report or created == total:
            elapsed = time.perf_counter() - started
            print(f"# citizens: {created:,} of {total:,} ({elapsed:.0f} s)", flush=True)
            next_report = (created // step + 1) * step

    demo_citizens_create(count=count, seed=SEED, batch_size=5000, progress=progress)


def _constraints_drop(url: str) -> list[str]:
    return constraints_drop(url, ("contacts_contact", "contacts_contactservice"))


def _constraints_restore(url: str, statements: list[str]) -> None:
    constraints_restore(url, statements)


class _Generator:
    """Draws contacts day by day, so ids grow with the time they started."""

    def __init__(self, staff: list[tuple[int, int, str]], total: int) -> None:
        from borgerservice.catalogue.models import Department, Service
        from borgerservice.citizens.models import Citizen

        self.rng = rng = random.Random(SEED)
        self.total = total
        today = datetime.date.today()
        first = today - datetime.timedelta(days=round(YEARS * 365.25))
        days, weights = [], []
        span = (today - first).days
        for offset in range(span):
            day = first + datetime.timedelta(days=offset)
            if day.weekday() > 4 or (day.month, day.day) in CLOSED:
                continue
            trend = 0.9 + 0.2 * offset / span
            days.append(day)
            weights.append(WEEKDAY_WEIGHT[day.weekday()] * MONTH_WEIGHT[day.month - 1] * trend)
        cumulative = list(accumulate(weights))
        bounds = [round(total * c / cumulative[-1]) for c in cumulative]
        self.days = [
            (day.isoformat(), day.weekday(), high - low)
            for day, low, high in zip(days, [0, *bounds[:-1]], bounds, strict=True)
        ]

        # Citizens: a few come often, most seldom; children seldom, the elderly more.
        born_limit_child = today - datetime.timedelta(days=18 * 365)
        born_limit_old = today - datetime.timedelta(days=67 * 365)
        self.citizen_ids, citizen_weights = [], []
        for pk, born in (
            Citizen.objects.order_by("pk")
            .values_list("pk", "birth_date")
            .iterator(chunk_size=20_000)
        ):
            factor = 0.2 if born > born_limit_child else 1.5 if born < born_limit_old else 1.0
            self.citizen_ids.append(pk)
            citizen_weights.append(rng.gammavariate(0.6, 1.0) * factor + 1e-6)
        self.citizen_cum = list(accumulate(citizen_weights))

        # Services: the front office's own services are asked about most often.
        services = list(
            Service.objects.order_by("code").values_list(
                "pk", "handled_in", "department_id", "self_service"
            )
        )
        base = {"front_office": 6.0, "front_and_back": 4.0, "department": 1.0}
        ranks = list(range(len(services)))
        rng.shuffle(ranks)
        self.service_ids = [pk for pk, _h, _d, _s in services]
        self.service_cum = list(
            accumulate(
                base[h] / (rank + 3) ** 0.5
                for (_p, h, _d, _s), rank in zip(services, ranks, strict=True)
            )
        )
        current = set(Department.objects.filter(kind="current").values_list("pk", flat=True))
        self.service_department = {
            pk: (dept if dept in current else min(current)) for pk, _h, dept, _s in services
        }
        self.self_service = {pk for pk, _h, _d, has in services if has}

        # Staff by channel: phone mostly the contact centre, walk-ins the service centres.
        contact_centre = [(pk, centre) for pk, centre, kind in staff if kind == "contact_centre"]
        service_centres = [(pk, centre) for pk, centre, kind in staff if kind != "contact_centre"]
        everyone = contact_centre + service_centres
        self.staff = {
            "phone": contact_centre * 9 + service_centres,
            "walk_in": service_centres,
            "letter": contact_centre * 3 + service_centres * 2,
            "self_service": contact_centre * 3 + service_centres,
            "email": everyone,
        }
        self.channels = [c for c, _w in CHANNELS]
        self.channel_cum = list(accumulate(w for _c, w in CHANNELS))
        self.outcomes = [o for o, _w in OUTCOMES]
        self.outcome_cum = list(accumulate(w for _o, w in OUTCOMES))

    def chunks(self, first_id: int, first_link: int):
        """Yield (contact lines, link lines) per day as COPY text."""
        rng = self.rng
        rand = rng.random
        expo = rng.expovariate
        randrange = rng.randrange
        choices = rng.choices
        citizen_ids, citizen_cum = self.citizen_ids, self.citizen_cum
        n_citizens = len(citizen_ids)
        top = citizen_cum[-1]
        service_ids, service_cum = self.service_ids, self.service_cum
        service_department, self_service = self.service_department, self.self_service
        staff = self.staff
        contact_id, link_id = first_id, first_link
        for day, weekday, count in self.days:
            if not count:
                continue
            hour_weights = HOURS[weekday]
            hours = choices(range(10, 10 + len(hour_weights)), weights=hour_weights, k=count)
            starts = sorted(h * 3600 + randrange(3600) for h in hours)
            channels = choices(self.channels, cum_weights=self.channel_cum, k=count)
            outcomes = choices(self.outcomes, cum_weights=self.outcome_cum, k=count)
            firsts = choices(service_ids, cum_weights=service_cum, k=count)
            rows, links = [], []
            for start, channel, outcome, service in zip(
                starts, channels, outcomes, firsts, strict=True
            ):
                if rand() < ANONYMOUS[channel]:
                    citizen = "\\N"
                else:
                    citizen = citizen_ids[min(bisect(citizen_cum, rand() * top), n_citizens - 1)]
                pool = staff[channel]
                staff_id, centre_id = pool[randrange(len(pool))]
                low, mean = DURATION[channel]
                end = min(start + low + int(expo(1 / mean)), 86_399)
                direction = "outbound" if rand() < OUTBOUND[channel] else "inbound"
                handed = forwarded = "\\N"
                informed = "f"
                if outcome == "handed_over":
                    handed = service_department[service]
                    forwarded = ""
                elif outcome == "forwarded":
                    forwarded = AUTHORITIES[randrange(len(AUTHORITIES))]
                    informed = "t"
                else:
                    forwarded = ""
                digital = (
                    "t"
                    if channel in ("phone", "walk_in", "letter")
                    and rand() < (0.3 if service in self_service else 0.04)
                    else "f"
                )
                note = NOTES[randrange(len(NOTES))] if rand() < 0.08 else ""
                ended = f"{day} {TIMES[end]}"
                rows.append(
                    f"{contact_id}\t{channel}\t{direction}\t{citizen}\t{centre_id}\t{staff_id}\t"
                    f"{day} {TIMES[start]}\t{ended}\t{outcome}\t{handed}\t{forwarded}\t"
                    f"{informed}\t{digital}\t{note}\t\\N\t\t{ended}\n"
                )
                links.append(f"{link_id}\t{contact_id}\t{service}\n")
                link_id += 1
                if rand() < 0.25:
                    other = service
                    while other == service:
                        other = service_ids[bisect(service_cum, rand() * service_cum[-1])]
                    links.append(f"{link_id}\t{contact_id}\t{other}\n")
                    link_id += 1
                contact_id += 1
            yield "".join(rows), "".join(links)


CONTACT_COLUMNS = (
    "id, channel, direction, citizen_id, centre_id, staff_id, started_at, ended_at, outcome, "
    "handed_over_to_id, forwarded_to, citizen_informed, could_be_digital, note, "
    "idempotency_key, request_fingerprint, created_at"
)


def _contacts_copy(url: str, total: int, staff: list[tuple[int, int, str]]) -> tuple[int, int]:
    """COPY the contacts and their service links (two connections, one each)."""
    import queue

    import psycopg
    from psycopg import sql

    generator = _Generator(staff, total)
    conns = [psycopg.connect(url) for _ in range(2)]
    try:
        for conn, table in zip(conns, ("contacts_contact", "contacts_contactservice"), strict=True):
            conn.execute("SET TIME ZONE 'Europe/Copenhagen'")
            conn.execute("SET synchronous_commit = off")
            conn.execute(f"TRUNCATE {table}")  # same transaction as COPY: rows written frozen
        first_id = 1
        first_link = 1
        # The links go through a thread of their own so both COPYs stream at once.
        pending: queue.Queue[str | None] = queue.Queue(maxsize=8)
        failure: list[BaseException] = []

        def links_writer() -> None:
            try:
                with (
                    conns[1]
                    .cursor()
                    .copy(
                        "COPY contacts_contactservice (id, contact_id, service_id) FROM STDIN "
                        "(FREEZE)"
                    ) as copy
                ):
                    while (block := pending.get()) is not None:
                        copy.write(block)
            except BaseException as exc:  # reported by the main thread
                failure.append(exc)
                while pending.get() is not None:
                    pass

        thread = threading.Thread(target=links_writer, daemon=True)
        thread.start()
        made = links = 0
        started = time.perf_counter()
        next_report = total // 10
        try:
            with (
                conns[0]
                .cursor()
                .copy(f"COPY contacts_contact ({CONTACT_COLUMNS}) FROM STDIN (FREEZE)") as copy
            ):
                for rows, link_rows in generator.chunks(first_id, first_link):
                    copy.write(rows)
                    pending.put(link_rows)
                    made += rows.count("\n")
                    links += link_rows.count("\n")
                    if made >= next_report:
                        elapsed = time.perf_counter() - started
                        print(f"# contacts: {made:,} of {total:,} ({elapsed:.0f} s)", flush=True)
                        next_report += total // 10
        finally:
            pending.put(None)
            thread.join()
        if failure:
            raise failure[0]
        for conn in conns:
            conn.commit()
        with psycopg.connect(url, autocommit=True) as conn:
            for table in ("contacts_contact", "contacts_contactservice"):
                query = sql.SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {}))"
                ).format(sql.Identifier(table))
                conn.execute(query, (table,))
    finally:
        for conn in conns:
            conn.close()
    return made, links
