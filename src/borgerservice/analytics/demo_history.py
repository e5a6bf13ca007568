"""A year of demo activity at Copenhagen scale, written in bulk (``manage.py make_demo_history``).

What is generated for the year (before ``today``: the history never reaches the live day):

* **Contacts** per area as the catalogue's ``AreaVolume`` rows that make up 001's table 2
  (2,475,006 contacts in all, ``--scale`` multiplies every volume). The split over channels
  is fitted (iterative proportional fitting) so that the year's channel totals are 003's
  table 1 (phone 49 %, personal 26 %, letter 14 %, digital 11 %) while each area keeps its
  own channel split from 001 where the catalogue has one (the contact centre answers
  phones, pension is half written …). Within the year the digital share rises and the
  letter share falls (channel shift), the year's totals unchanged.
* **Walk-in tickets** for every personal contact at a citizen service centre, plus the
  citizens called who did not come (no-show); waits grow with the load of the hour (peak
  14–16), service times are lognormal around the queue group's expected minutes. Counter
  sessions staff the centres in proportion to the day's work (served against staffed
  capacity).
* **Bookings** in slots of half an hour for the services the centres book; most are checked
  in and served (their ticket carries the booking), 5–10 % do not show up, some cancel.
* **Work items** for the written inquiries (email, web message, scanned letter) and
  call-backs, done, with the time to first handling.
* **Cases** per area as table 2 (296,090), in working days with the Danish calendar:
  received, started, sometimes paused awaiting the citizen, decided (most within the
  processing-time target; how many are late varies by unit), closed a few days after the
  decision, a few complaints within the four weeks (reconsidered or forwarded).
* **Self-service links** sent from contacts referred to self-service (most used), and the
  **survey** answer (1–5, mostly 4–5) for about one contact in twelve.

Centres are open as their ``OpeningHours`` (Monday–Friday 10–18, Saturday 10–14 in the
catalogue) and closed on Sundays and Danish public holidays (``holidays``, plus the days of
``DEADLINE_CLOSED_DAYS``); Monday–Thursday are heavy, Saturday quiet.

Rows are written without the ORM's per-row save and without signals: PostgreSQL COPY, or
``executemany`` on SQLite. Generated rows are recognisable, so ``history_delete`` removes
them and nothing else: contacts and work items carry the note ``demo-history:<year>``,
case numbers start with ``H<year>-``, bookings have the idempotency key
``demo-history:<year>:…``, slots belong to the inactive booking resource "Historik (demo)"
of each centre, counter sessions and tickets are those of the generated staff (user names
``demo-history-…``, created once and kept). Everything is drawn from one seeded numpy
``Generator``: the same seed and database give the same history.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
from django.conf import settings
from django.db import connection, transaction

MARKER = "demo-history:"
STAFF_PREFIX = "demo-history-"
RESOURCE_NAME = "Historik (demo)"
LOCAL = ZoneInfo("Europe/Copenhagen")

# Channels in the order of the arrays below.
CHANNELS = ("phone", "walk_in", "outreach", "letter", "email", "self_service", "chat_sms")
PHONE, WALK_IN, OUTREACH, LETTER, EMAIL, SELF, CHAT = range(len(CHANNELS))
DIGITAL = (EMAIL, SELF, CHAT)
# 003 table 1 (Copenhagen 2002): phone 49 %, personal 26 %, letter 14 %, digital 11 %.
# Personal is walk-in plus a little outreach; digital is email, self-service and chat.
CHANNEL_MIX = (0.49, 0.25, 0.01, 0.14, 0.05, 0.05, 0.01)
# Channel shift within the year: the digital share runs from 1 - SHIFT/2 to 1 + SHIFT/2 of
# its mean (9.5 % in January to 12.5 % in December), letters the other way.
DIGITAL_SHIFT = 0.27
LETTER_SHIFT = -0.2

OUTCOMES = ("resolved", "case", "handed_over", "appointment", "self_service", "forwarded")
RESOLVED, CASE, HANDED_OVER, APPOINTMENT, REFERRED, FORWARDED = range(len(OUTCOMES))
# Outcome probabilities per channel (same order as OUTCOMES).
OUTCOME_MIX = {
    PHONE: (0.80, 0.04, 0.07, 0.04, 0.04, 0.01),
    WALK_IN: (0.84, 0.07, 0.04, 0.02, 0.02, 0.01),
    OUTREACH: (0.85, 0.10, 0.05, 0.0, 0.0, 0.0),
    LETTER: (0.79, 0.08, 0.10, 0.0, 0.02, 0.01),
    EMAIL: (0.80, 0.07, 0.09, 0.0, 0.03, 0.01),
    SELF: (0.88, 0.12, 0.0, 0.0, 0.0, 0.0),
    CHAT: (0.85, 0.0, 0.08, 0.02, 0.05, 0.0),
}
FORWARD_TO = ("Udbetaling Danmark", "Skattestyrelsen", "Familieretshuset")
# Mean handling time (seconds) per channel; walk-ins use the queue group's minutes.
HANDLING_SECONDS = (240, 480, 1200, 420, 300, 480, 360)

# Day weights by weekday (Monday = 0) per channel: Monday–Thursday heavy, Saturday quiet.
WEEKDAY_WEIGHT = {
    "centre": (1.20, 1.10, 1.05, 1.15, 0.80, 0.40, 0.0),
    "phone": (1.30, 1.10, 1.00, 1.00, 0.85, 0.30, 0.0),
    "office": (1.10, 1.05, 1.00, 1.00, 0.85, 0.0, 0.0),
    "online": (1.15, 1.10, 1.05, 1.00, 0.85, 0.55, 0.60),
}
MONTH_WEIGHT = (1.0, 1.0, 1.05, 1.0, 1.1, 1.1, 0.75, 1.0, 1.05, 1.05, 1.0, 0.85)
# Hour weights (local hour → weight); hours outside the opening hours never get contacts.
HOUR_WEIGHT = {
    "centre": {10: 0.9, 11: 1.0, 12: 0.95, 13: 1.05, 14: 1.45, 15: 1.5, 16: 1.0, 17: 0.6},
    "centre_saturday": {10: 1.0, 11: 1.15, 12: 1.0, 13: 0.7},
    "phone": {10: 1.4, 11: 1.3, 12: 1.1, 13: 1.0, 14: 0.95, 15: 0.9, 16: 0.7, 17: 0.5},
    "office": {10: 1.2, 11: 1.2, 12: 0.9, 13: 1.1, 14: 1.0, 15: 0.9, 16: 0.5, 17: 0.3},
    "online": {
        **{h: 0.15 for h in range(0, 7)},
        **{7: 0.5, 8: 0.9, 9: 1.1, 10: 1.2, 11: 1.2, 12: 1.1, 13: 1.1, 14: 1.1, 15: 1.0},
        **{16: 1.0, 17: 1.0, 18: 1.0, 19: 1.2, 20: 1.25, 21: 1.0, 22: 0.6, 23: 0.3},
    },
}
CENTRE_SHARE = {"indre-by": 22, "osterbro": 17, "bispebjerg": 14, "vanlose": 11, "valby": 14}
CENTRE_SHARE_DEFAULT = 22  # amager and any other centre

# Walk-in tickets: citizens called who did not come, booked share of bookable services.
TICKET_NO_SHOW = 0.04
BOOKED_SHARE = 0.6
BOOKING_NO_SHOW = 0.075  # of bookings; 5–10 % in the sources' experience
BOOKING_CANCELLED = 0.09
SURVEY_SHARE = 0.08
SURVEY_SCORES = (0.04, 0.06, 0.12, 0.32, 0.46)  # 1 … 5
SURVEY_SCORES_LONG_WAIT = (0.08, 0.11, 0.21, 0.32, 0.28)
LINK_USED = 0.62

# Cases.
CASE_CHANNELS = ((SELF, 0.45), (WALK_IN, 0.2), (LETTER, 0.12), (PHONE, 0.08), (EMAIL, 0.15))
CASE_PAUSED = 0.15
CASE_COMPLAINT = 0.025
COMPLAINT_FORWARDED = 0.4
COMPLAINT_PERIOD_DAYS = 20  # working days after a reconsidered decision before closing


@dataclass
class HistoryResult:
    year: int
    first_day: date
    last_day: date
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    foreign_key_checks_skipped: bool = False

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class HistoryError(Exception):
    """Something the generation needs is missing (the command reports it translated)."""


def marker(year: int) -> str:
    return f"{MARKER}{year}"


def case_prefix(year: int) -> str:
    return f"H{year}-"


def history_exists(year: int) -> bool:
    from borgerservice.cases.models import Case
    from borgerservice.contacts.models import Contact

    return (
        Contact.objects.filter(note=marker(year)).exists()
        or Case.objects.filter(number__startswith=case_prefix(year)).exists()
    )


# --- deleting -----------------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


@transaction.atomic
def history_delete(year: int) -> dict[str, int]:
    """Delete the generated history of ``year`` (and nothing else); rows per table."""
    from django.contrib.auth import get_user_model

    from borgerservice.analytics.models import SurveyResponse
    from borgerservice.booking.models import Booking, Resource, Slot
    from borgerservice.cases.models import Case, CaseEvent, CaseParty
    from borgerservice.contacts.models import Contact, ContactService, SelfServiceLink
    from borgerservice.queueing.models import CounterSession, Ticket, WorkItem

    user = get_user_model()
    start, end = _year_bounds_utc(year)
    note = marker(year)
    t = _table
    contacts = f"SELECT id FROM {t(Contact)} WHERE {_col(Contact, 'note')} = %s"  # noqa: S608 (names from the models)
    staff = f"SELECT id FROM {t(user)} WHERE username LIKE %s"  # noqa: S608 (names from the models)
    sessions = (
        f"SELECT id FROM {t(CounterSession)} WHERE {_col(CounterSession, 'staff')} IN ({staff})"  # noqa: S608 (names from the models)
        f" AND {_col(CounterSession, 'opened_at')} >= %s"
        f" AND {_col(CounterSession, 'opened_at')} < %s"
    )
    cases = f"SELECT id FROM {t(Case)} WHERE {_col(Case, 'number')} LIKE %s"  # noqa: S608 (names from the models)
    resources = f"SELECT id FROM {t(Resource)} WHERE {_col(Resource, 'name')} = %s"  # noqa: S608 (names from the models)
    slots = (
        f"SELECT id FROM {t(Slot)} WHERE {_col(Slot, 'resource')} IN ({resources})"  # noqa: S608 (names from the models)
        f" AND {_col(Slot, 'starts_at')} >= %s AND {_col(Slot, 'starts_at')} < %s"
    )
    staff_like = f"{STAFF_PREFIX}%"
    session_groups = CounterSession.groups.through
    case_contacts = Case.contacts.through
    steps = [
        ("survey", SurveyResponse, "contact", contacts, [note]),
        ("links", SelfServiceLink, "contact", contacts, [note]),
        ("work_items", WorkItem, "contact", contacts, [note]),
        ("tickets", Ticket, "session", sessions, [staff_like, start, end]),
        ("tickets_contact", Ticket, "contact", contacts, [note]),
        ("case_contacts", case_contacts, "contact", contacts, [note]),
        ("contact_services", ContactService, "contact", contacts, [note]),
        ("contacts", Contact, "note", None, [note]),
        ("session_groups", session_groups, "countersession", sessions, [staff_like, start, end]),
        ("sessions", CounterSession, "id", sessions, [staff_like, start, end]),
        ("bookings", Booking, "idempotency_key", "LIKE", [f"{note}:%"]),
        ("slots", Slot, "id", slots, [RESOURCE_NAME, start, end]),
        ("case_events", CaseEvent, "case", cases, [f"{case_prefix(year)}%"]),
        ("case_parties", CaseParty, "case", cases, [f"{case_prefix(year)}%"]),
        ("case_contacts_case", case_contacts, "case", cases, [f"{case_prefix(year)}%"]),
        ("cases", Case, "number", "LIKE", [f"{case_prefix(year)}%"]),
    ]
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for label, model, column, sub, params in steps:
            col = _col(model, column)
            if sub is None:
                sql = f"DELETE FROM {t(model)} WHERE {col} = %s"  # noqa: S608 (names from the models)
            elif sub == "LIKE":
                sql = f"DELETE FROM {t(model)} WHERE {col} LIKE %s"  # noqa: S608 (names from the models)
            else:
                sql = f"DELETE FROM {t(model)} WHERE {col} IN ({sub})"  # noqa: S608 (names from the models)
            cursor.execute(sql, params)
            name = label.removesuffix("_contact").removesuffix("_case")
            counts[name] = counts.get(name, 0) + max(cursor.rowcount, 0)
    # Work items without a contact are not generated; the note catches any left.
    WorkItem.objects.filter(result_note=note).delete()
    return counts


def _year_bounds_utc(year: int) -> tuple[datetime, datetime]:
    return (
        datetime(year, 1, 1, tzinfo=LOCAL).astimezone(ZoneInfo("UTC")),
        datetime(year + 1, 1, 1, tzinfo=LOCAL).astimezone(ZoneInfo("UTC")),
    )


# --- writing ------------------------------------------------------------------------------------


class _Lazy:
    """A column formatted block by block when it is written (``column[start:stop]``)."""

    def __init__(self, render, values: np.ndarray, null: np.ndarray | None, token) -> None:
        self.render, self.values, self.null, self.token = render, values, null, token

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, part: slice) -> list:
        out = self.render(self.values[part])
        if self.null is not None:
            for index in np.flatnonzero(self.null[part]).tolist():
                out[index] = self.token
        return out


class _Writer:
    """Bulk rows into tables: PostgreSQL COPY (text format), else ``executemany``. Columns
    arrive as lists of strings with ``self.null`` for NULL (see the formatters)."""

    CHUNK = 100_000

    def __init__(self) -> None:
        connection.ensure_connection()
        self.postgres = connection.vendor == "postgresql"
        self.null = "\\N" if self.postgres else None
        self.true, self.false = ("t", "f") if self.postgres else ("1", "0")
        self.tz = "+00" if self.postgres else ""
        self._time = [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86400)]
        self._days: dict[int, str] = {}
        self.rows: dict[str, int] = {}
        self.fk_checks = False  # True when PostgreSQL's foreign-key triggers are skipped

    # ids --------------------------------------------------------------------------------------
    def reserve(self, model, count: int) -> int:
        """The first of ``count`` consecutive new ids of ``model``'s table."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                sequence = cursor.fetchone()[0]
                if sequence is None:  # identity columns have one as well
                    raise HistoryError(f"no id sequence for {table}")
                cursor.execute("SELECT nextval(%s)", [sequence])
                first = cursor.fetchone()[0]
                cursor.execute(
                    f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}"  # noqa: S608 (names from the models)
                )
                first = max(first, cursor.fetchone()[0] + 1)
                if count > 0:
                    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
                return first
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the models)
            return cursor.fetchone()[0] + 1

    # formatters --------------------------------------------------------------------------------
    def ints(self, values, null_below: int | None = None) -> _Lazy:
        values = np.asarray(values, dtype=np.int64)
        null = values < null_below if null_below is not None else None
        return _Lazy(lambda part: list(map(str, part.tolist())), values, null, self.null)

    def bools(self, values) -> list:
        return [self.true if v else self.false for v in np.asarray(values, dtype=bool).tolist()]

    def const(self, value, count: int) -> list:
        if value is None:
            return [self.null] * count
        if isinstance(value, bool):
            value = self.true if value else self.false
        return [str(value)] * count

    def _day(self, day_number: int) -> str:
        text = self._days.get(day_number)
        if text is None:
            text = (date(1970, 1, 1) + timedelta(days=day_number)).isoformat()
            self._days[day_number] = text
        return text

    def times(self, epoch, null: np.ndarray | None = None) -> _Lazy:
        """Epoch seconds (UTC) as timestamps; ``null`` marks the NULLs."""
        day, clock, tz = self._day, self._time, self.tz

        def render(part: np.ndarray) -> list:
            days = (part // 86400).tolist()
            seconds = (part % 86400).tolist()
            return [f"{day(d)} {clock[s]}{tz}" for d, s in zip(days, seconds, strict=True)]

        return _Lazy(render, np.asarray(epoch, dtype=np.int64), null, self.null)

    def dates(self, ordinals, null: np.ndarray | None = None) -> _Lazy:
        """Proleptic ordinals (``date.toordinal``) as dates."""
        shift = date(1970, 1, 1).toordinal()
        day = self._day

        def render(part: np.ndarray) -> list:
            return [day(d) for d in (part - shift).tolist()]

        return _Lazy(render, np.asarray(ordinals, dtype=np.int64), null, self.null)

    # writing ----------------------------------------------------------------------------------
    REBUILD_FROM = 200_000  # rows: from here indexes are rebuilt rather than updated per row

    def _indexes_drop(self, table: str) -> list[str]:
        """Drop the table's secondary indexes (those behind no constraint) for a big COPY and
        return the statements that build them again. Building an index once over the sorted
        rows is many times faster than inserting millions of random keys into it, and both
        happen in the generation's transaction (other sessions wait for the table meanwhile;
        demo data only). The primary key and the unique constraints stay and are checked."""
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i WHERE i.indrelid = %s::regclass
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                   ORDER BY 1""",
                [table],
            )
            found = cursor.fetchall()
            if found:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in found]

    def write(self, model, columns: dict[str, list]) -> int:
        """Insert the rows; ``columns`` maps field names (or raw column names) to values."""
        names = []
        for name in columns:
            try:
                names.append(model._meta.get_field(name).column)
            except Exception:
                names.append(name)
        values = list(columns.values())
        count = len(values[0]) if values else 0
        if count == 0:
            return 0
        table = model._meta.db_table
        quoted = ", ".join(connection.ops.quote_name(n) for n in names)
        if self.postgres:
            restore = self._indexes_drop(table) if count >= self.REBUILD_FROM else []
            from psycopg.copy import QueuedLibpqWriter

            raw = connection.connection
            with raw.cursor() as cursor:
                statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
                # The queued writer sends from a thread of its own, so the next block is
                # formatted while PostgreSQL takes in the last.
                with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
                    for start in range(0, count, self.CHUNK):
                        block = zip(*(v[start : start + self.CHUNK] for v in values), strict=True)
                        copy.write("\n".join(map("\t".join, block)) + "\n")
                for definition in restore:
                    cursor.execute(definition)
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608 (names from the models)
            with connection.cursor() as cursor:
                for start in range(0, count, self.CHUNK):
                    block = zip(*(v[start : start + self.CHUNK] for v in values), strict=True)
                    cursor.executemany(sql, list(block))
        self.rows[table] = self.rows.get(table, 0) + count
        return count


# --- the calendar -------------------------------------------------------------------------------


def closed_days(years) -> set[date]:
    """Danish public holidays and the extra closed days of ``DEADLINE_CLOSED_DAYS``."""
    days: set[date] = set()
    for year in years:
        days |= set(holidays.country_holidays("DK", years=year))
        for item in settings.DEADLINE_CLOSED_DAYS:
            month, day = (int(part) for part in item.split("-"))
            days.add(date(year, month, day))
    return days


@dataclass
class _Calendar:
    year: int
    days: list[date]  # every day of the year
    last: int  # index of the last generated day (the day before today, or 31 December)
    closed: set[date]
    midnight_utc: np.ndarray  # epoch seconds of each day's local midnight
    offset: np.ndarray  # UTC offset (seconds) at noon of each day
    # Working days over year-1 … year+3 for deadlines: ordinal → running count.
    wd_first: int = 0
    wd_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    wd_days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def build(cls, year: int, today: date) -> _Calendar:
        first = date(year, 1, 1)
        days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
        last = min(len(days) - 1, (today - first).days - 1)
        closed = closed_days(range(year - 1, year + 4))
        midnight = []
        offset = []
        for day in days:
            local = datetime(day.year, day.month, day.day, tzinfo=LOCAL)
            midnight.append(int(local.timestamp()))
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=LOCAL)
            offset.append(int(noon.utcoffset().total_seconds()))
        calendar = cls(
            year, days, last, closed, np.array(midnight, np.int64), np.array(offset, np.int64)
        )
        start = date(year - 1, 1, 1)
        span = [start + timedelta(days=i) for i in range((date(year + 4, 1, 1) - start).days)]
        working = np.array([d.weekday() < 5 and d not in closed for d in span], dtype=bool)
        calendar.wd_first = start.toordinal()
        calendar.wd_count = np.cumsum(working)  # working days up to and including the day
        calendar.wd_days = np.flatnonzero(working) + start.toordinal()
        return calendar

    # working days (the same arithmetic as cases.calendar, in arrays) -------------------------
    def wd_index(self, ordinals) -> np.ndarray:
        """Working days counted up to and including each day."""
        return self.wd_count[np.asarray(ordinals, dtype=np.int64) - self.wd_first]

    def add_working_days(self, ordinals, days) -> np.ndarray:
        """``calendar.add_working_days``: the ``days``-th working day after each day
        (``days`` >= 1)."""
        target = self.wd_index(ordinals) + np.asarray(days, dtype=np.int64)
        return self.wd_days[np.minimum(target - 1, len(self.wd_days) - 1)]


# --- the plan: volumes per area and channel ------------------------------------------------------


@dataclass
class _Area:
    id: int
    code: str
    contacts: int
    cases: int
    services: list  # Service rows of the area's subtree
    prior: np.ndarray  # channel split prior (sums to 1)


def _channel_prior(volume) -> np.ndarray:
    """The area's own channel split from its AreaVolume row, as far as it has one."""
    default = np.array([0.35, 0.15, 0.01, 0.15, 0.15, 0.18, 0.01])
    if volume.area.code == "okf-kbs":  # the centres: personal and written contacts
        return np.array([0.02, 0.80, 0.03, 0.12, 0.03, 0.0, 0.0]) + 0.002
    known = {
        PHONE: volume.channel_phone,
        WALK_IN: volume.channel_personal,
        LETTER: volume.channel_written,
        SELF: volume.channel_digital,
        EMAIL: volume.channel_email,
    }
    known = {k: float(v) for k, v in known.items() if v is not None}
    if not known:
        return default / default.sum()
    prior = np.zeros(len(CHANNELS))
    if volume.channel_unit == "percent":
        for k, v in known.items():
            prior[k] = v / 100
        rest = max(0.0, 1 - prior.sum())
        missing = [k for k in range(len(CHANNELS)) if k not in known]
        weights = default[missing] / default[missing].sum()
        prior[missing] = rest * weights
    else:
        total = sum(known.values()) or 1.0
        for k, v in known.items():
            prior[k] = v / total
    prior += 0.002  # every cell may be fitted
    return prior / prior.sum()


def _fit(areas: list[_Area], mix=CHANNEL_MIX, rounds: int = 200) -> np.ndarray:
    """Contacts per area (rows) and channel (columns): the rows sum to the areas' contacts,
    the columns to the mix of all contacts, the cells as close to the priors as both allow
    (iterative proportional fitting, integers by largest remainder per row)."""
    rows = np.array([a.contacts for a in areas], dtype=float)
    matrix = np.array([a.prior * a.contacts for a in areas], dtype=float)
    columns = np.array(mix, dtype=float) / sum(mix) * rows.sum()
    for _ in range(rounds):
        matrix *= (rows / np.maximum(matrix.sum(axis=1), 1e-9))[:, None]
        matrix *= (columns / np.maximum(matrix.sum(axis=0), 1e-9))[None, :]
    matrix *= (rows / np.maximum(matrix.sum(axis=1), 1e-9))[:, None]
    counts = np.floor(matrix).astype(np.int64)
    for i, total in enumerate(rows.astype(np.int64)):
        short = int(total - counts[i].sum())
        if short > 0:
            order = np.argsort(-(matrix[i] - counts[i]), kind="stable")[:short]
            counts[i, order] += 1
    return counts


def _scaled(n: int | None, scale: float) -> int:
    return round((n or 0) * scale)


# --- the generation -----------------------------------------------------------------------------


@dataclass
class _Context:
    year: int
    scale: float
    rng: np.random.Generator
    calendar: _Calendar
    writer: _Writer
    services: dict  # id → Service
    centres: list  # citizen service centres
    contact_centre: object
    citizen_ids: np.ndarray
    staff: dict  # key → np.ndarray of user ids
    progress: Callable[[str], None]
    note: str = ""


def _seconds(result: HistoryResult, phase: str, started: float) -> float:
    now = time.perf_counter()
    result.seconds[phase] = result.seconds.get(phase, 0.0) + now - started
    return now


def history_generate(
    *,
    year: int,
    scale: float = 1.0,
    seed: int = 2026,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> HistoryResult:
    """Generate the demo history of ``year`` (volumes times ``scale``) in one transaction."""
    from django.utils import timezone

    today = today or timezone.localdate()
    if date(year, 1, 1) >= today:
        raise HistoryError("year_in_future")
    if scale <= 0:
        raise HistoryError("scale")
    progress = progress or (lambda _text: None)
    calendar = _Calendar.build(year, today)
    result = HistoryResult(year, calendar.days[0], calendar.days[calendar.last])
    with transaction.atomic():
        started = time.perf_counter()
        fk_checks = _foreign_key_checks_off()
        ctx = _prepare(year, scale, seed, calendar, progress)
        ctx.writer.fk_checks = fk_checks
        started = _seconds(result, "prepare", started)
        contacts = _contacts(ctx)
        started = _seconds(result, "contacts", started)
        _tickets(ctx, contacts)
        started = _seconds(result, "tickets", started)
        _contacts_write(ctx, contacts)
        started = _seconds(result, "contacts", started)
        _work_items(ctx, contacts)
        started = _seconds(result, "work_items", started)
        _links_and_survey(ctx, contacts)
        started = _seconds(result, "links_survey", started)
        del contacts
        _cases(ctx)
        started = _seconds(result, "cases", started)
        if ctx.writer.postgres:
            with connection.cursor() as cursor:
                if fk_checks:  # the rest of the caller's transaction checks them again
                    cursor.execute("SET LOCAL session_replication_role = origin")
                for table in ctx.writer.rows:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            _seconds(result, "analyse", started)
    result.rows = dict(ctx.writer.rows)
    result.foreign_key_checks_skipped = ctx.writer.fk_checks
    return result


def _foreign_key_checks_off() -> bool:
    """On PostgreSQL, skip the deferred foreign-key triggers for this transaction
    (``session_replication_role = replica``, a superuser's right): every generated row
    refers to rows that exist (read from the database or generated first), and checking
    some 15 million references one by one at commit would take longer than generating the
    year. Without the right the checks run as usual. Returns whether they are skipped."""
    from django.db import DatabaseError

    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def _prepare(year, scale, seed, calendar, progress) -> _Context:
    from borgerservice.catalogue.models import Service, ServiceCentre
    from borgerservice.citizens.models import Citizen

    _prerequisites_ensure()
    services = {s.id: s for s in Service.objects.select_related("department", "area")}
    centres = list(
        ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE)
        .prefetch_related("opening_hours", "queue_groups__services", "counters")
        .order_by("sort_order", "code")
    )
    contact_centre = (
        ServiceCentre.objects.filter(kind=ServiceCentre.Kind.CONTACT_CENTRE)
        .prefetch_related("opening_hours")
        .order_by("sort_order", "code")
        .first()
    )
    if not centres or contact_centre is None:
        raise HistoryError("catalogue")
    for centre in centres:
        if not list(centre.queue_groups.all()) or not list(centre.counters.all()):
            raise HistoryError("queues")
    citizen_ids = np.array(
        Citizen.objects.order_by("id").values_list("id", flat=True), dtype=np.int64
    )
    writer = _Writer()
    ctx = _Context(
        year=year,
        scale=scale,
        rng=np.random.default_rng(seed),
        calendar=calendar,
        writer=writer,
        services=services,
        centres=centres,
        contact_centre=contact_centre,
        citizen_ids=citizen_ids,
        staff={},
        progress=progress,
        note=marker(year),
    )
    ctx.staff = _staff_ensure(ctx)
    return ctx


def _prerequisites_ensure() -> None:
    """The catalogue must be loaded; the demo loaders provide the rest (all idempotent)."""
    from borgerservice.cases.models import CaseType
    from borgerservice.cases.services import case_types_ensure, units_ensure
    from borgerservice.catalogue.models import AreaVolume, Service
    from borgerservice.citizens.models import Citizen
    from borgerservice.queueing.demo import demo_queues_create
    from borgerservice.queueing.models import QueueGroup, WorkQueue

    if not Service.objects.exists() or not AreaVolume.objects.filter(in_table2_total=True).exists():
        raise HistoryError("catalogue")
    units_ensure()
    if not CaseType.objects.exists():
        case_types_ensure()
    if not QueueGroup.objects.exists():
        demo_queues_create()
    if not WorkQueue.objects.exists():
        from django.core.management import call_command

        from borgerservice.accounts.services import demo_staff_create

        demo_staff_create()
        call_command("work_demo", skip_checks=True, stdout=_Null())
    if not Citizen.objects.exists():
        from borgerservice.citizens.demo import demo_citizens_create

        demo_citizens_create(count=2000)


class _Null:
    def write(self, *_args, **_kwargs) -> None:
        return None

    def flush(self) -> None:
        return None


FIRST_NAMES = (
    "Anne", "Mette", "Kirsten", "Hanne", "Lone", "Camilla", "Sofie", "Ida", "Emma", "Maja",
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Søren", "Thomas", "Mads", "Rasmus", "Emil",
)  # fmt: skip
LAST_NAMES = (
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen",
)  # fmt: skip


def _staff_ensure(ctx: _Context) -> dict[str, np.ndarray]:
    """The generated staff (created once, kept): counter staff per centre, contact-centre
    agents and caseworkers per case unit. Returns key → user ids."""
    from django.contrib.auth import get_user_model

    from borgerservice.accounts.models import StaffProfile
    from borgerservice.cases.models import Unit

    user_model = get_user_model()
    wanted: dict[str, list[tuple[str, object, object]]] = {}
    for centre in ctx.centres:
        count = len(centre.counters.all()) + 3
        wanted[f"centre:{centre.id}"] = [
            (f"{STAFF_PREFIX}{centre.code}-{i:02d}", centre, None) for i in range(1, count + 1)
        ]
    code = ctx.contact_centre.code
    wanted["contact"] = [
        (f"{STAFF_PREFIX}{code}-{i:02d}", ctx.contact_centre, None) for i in range(1, 46)
    ]
    for unit in Unit.objects.select_related("department").order_by("code"):
        wanted[f"unit:{unit.id}"] = [
            (f"{STAFF_PREFIX}{unit.code}-{i:02d}", None, unit) for i in range(1, 13)
        ]
    names = [name for rows in wanted.values() for name, _c, _u in rows]
    existing = dict(user_model.objects.filter(username__in=names).values_list("username", "id"))
    new = []
    for index, name in enumerate(names):
        if name not in existing:
            new.append(
                user_model(
                    username=name,
                    first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[(index * 7) % len(LAST_NAMES)],
                    password="!" + MARKER,  # unusable: nobody logs in as generated staff
                    is_active=True,
                )
            )
    if new:
        user_model.objects.bulk_create(new, batch_size=500)
        existing = dict(user_model.objects.filter(username__in=names).values_list("username", "id"))
        profiles = []
        members = []
        through = Unit.members.through
        for rows in wanted.values():
            for name, centre, unit in rows:
                if name not in {u.username for u in new}:
                    continue
                profiles.append(
                    StaffProfile(
                        user_id=existing[name],
                        centre=centre,
                        department_id=unit.department_id if unit else None,
                    )
                )
                if unit is not None:
                    members.append(through(unit_id=unit.id, user_id=existing[name]))
        StaffProfile.objects.bulk_create(profiles, ignore_conflicts=True)
        through.objects.bulk_create(members, ignore_conflicts=True)
    return {
        key: np.array([existing[name] for name, _c, _u in rows], dtype=np.int64)
        for key, rows in wanted.items()
    }


def _opening(centre) -> dict[int, tuple[int, int]]:
    """weekday → (opens, closes) in local seconds after midnight (general line)."""
    hours = {}
    for row in centre.opening_hours.all():
        if row.line != "general":
            continue
        hours[row.weekday] = (
            row.opens.hour * 3600 + row.opens.minute * 60,
            row.closes.hour * 3600 + row.closes.minute * 60,
        )
    return hours


def _day_weights(ctx: _Context, profile: str, opening: dict | None, shift: float) -> np.ndarray:
    """Weight of each day of the year (0 on closed days), trend ``shift`` over the year."""
    weights = np.zeros(len(ctx.calendar.days))
    n = len(ctx.calendar.days)
    for i, day in enumerate(ctx.calendar.days):
        weekday = day.weekday()
        if profile != "online":
            if day in ctx.calendar.closed:
                continue
            if opening is not None and weekday not in opening:
                continue
        w = WEEKDAY_WEIGHT[profile][weekday] * MONTH_WEIGHT[day.month - 1]
        weights[i] = w * (1 + shift * (i / max(1, n - 1) - 0.5))
    return weights


def _hour_table(profile: str, window: tuple[int, int] | None, saturday: bool):
    """(hours, probabilities) within the opening window."""
    table = HOUR_WEIGHT["centre_saturday" if saturday and profile == "centre" else profile]
    if window is None:
        hours = list(range(24))
    else:
        hours = list(range(window[0] // 3600, math.ceil(window[1] / 3600)))
    weights = np.array([table.get(h, 0.6) for h in hours], dtype=float)
    return np.array(hours), weights / weights.sum()


@dataclass
class _Contacts:
    """Column arrays, one element per contact, sorted by start."""

    id: np.ndarray
    channel: np.ndarray
    area: np.ndarray
    service: np.ndarray
    centre: np.ndarray  # 0 = none
    day: np.ndarray  # index into the calendar
    local: np.ndarray  # local seconds after midnight (arrival)
    started: np.ndarray = None  # epoch seconds
    ended: np.ndarray = None
    staff: np.ndarray = None  # 0 = none
    citizen: np.ndarray = None  # 0 = none
    outcome: np.ndarray = None
    outbound: np.ndarray = None
    wait: np.ndarray = None  # walk-in wait (seconds), else 0


def _areas(ctx: _Context) -> list[_Area]:
    from borgerservice.catalogue.models import AreaVolume, ServiceArea

    volumes = AreaVolume.objects.filter(in_table2_total=True).select_related("area")
    latest = max(v.year for v in volumes)
    children: dict[int | None, list[int]] = {}
    for area_id, parent_id in ServiceArea.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(area_id)
    by_area: dict[int, list] = {}
    for service in ctx.services.values():
        by_area.setdefault(service.area_id, []).append(service)
    areas = []
    for volume in sorted((v for v in volumes if v.year == latest), key=lambda v: v.area.code):
        subtree, todo = [], [volume.area_id]
        while todo:
            current = todo.pop()
            subtree.append(current)
            todo.extend(children.get(current, []))
        pool = sorted((s for a in subtree for s in by_area.get(a, [])), key=lambda s: s.code)
        if not pool:
            continue
        areas.append(
            _Area(
                id=volume.area_id,
                code=volume.area.code,
                contacts=_scaled(volume.contacts, ctx.scale),
                cases=_scaled(volume.cases, ctx.scale),
                services=pool,
                prior=_channel_prior(volume),
            )
        )
    return areas


def _service_weights(ctx: _Context, pool: list) -> np.ndarray:
    """Some services of an area are asked about far more than others (Dirichlet weights,
    rule-based services and those citizens come in for weighted up)."""
    base = ctx.rng.dirichlet(np.full(len(pool), 1.5))
    boost = np.array(
        [
            (2.0 if s.level_2 else 1.0) * (3.0 if s.preferred_channel == "walk_in" else 1.0)
            for s in pool
        ]
    )
    weights = base * boost
    return weights / weights.sum()


def _contacts(ctx: _Context) -> _Contacts:
    rng, cal = ctx.rng, ctx.calendar
    areas = _areas(ctx)
    ctx.areas = areas
    matrix = _fit([a for a in areas if a.contacts > 0]) if any(a.contacts for a in areas) else None
    with_contacts = [a for a in areas if a.contacts > 0]
    centre_weights = np.array(
        [CENTRE_SHARE.get(c.code, CENTRE_SHARE_DEFAULT) for c in ctx.centres], dtype=float
    )
    centre_weights /= centre_weights.sum()
    openings = {c.id: _opening(c) for c in ctx.centres}
    openings[ctx.contact_centre.id] = _opening(ctx.contact_centre)
    day_weight_cache: dict = {}
    parts = {k: [] for k in ("channel", "area", "service", "centre", "day", "local")}
    for ai, area in enumerate(with_contacts):
        weights = _service_weights(ctx, area.services)
        pool_ids = np.array([s.id for s in area.services], dtype=np.int64)
        for channel in range(len(CHANNELS)):
            total = int(matrix[ai, channel]) if matrix is not None else 0
            if total == 0:
                continue
            if channel in (WALK_IN, OUTREACH, LETTER):
                places = list(zip(ctx.centres, rng.multinomial(total, centre_weights), strict=True))
                profile = "centre" if channel != LETTER else "office"
            elif channel == SELF:
                places = [(None, total)]
                profile = "online"
            else:
                places = [(ctx.contact_centre, total)]
                profile = "phone" if channel == PHONE else "office"
            shift = (
                DIGITAL_SHIFT if channel in DIGITAL else LETTER_SHIFT if channel == LETTER else 0.0
            )
            for centre, count in places:
                if count == 0:
                    continue
                opening = openings[centre.id] if centre is not None else None
                key = (profile, centre.id if centre else 0, shift)
                if key not in day_weight_cache:
                    w = _day_weights(ctx, profile, opening, shift)
                    day_weight_cache[key] = w / w.sum()
                per_day = rng.multinomial(count, day_weight_cache[key])
                per_day[cal.last + 1 :] = 0  # the history stops before today
                days = np.repeat(np.arange(len(per_day)), per_day)
                if len(days) == 0:
                    continue
                local = np.zeros(len(days), dtype=np.int64)
                weekdays = np.array([d.weekday() for d in cal.days])[days]
                for weekday in np.unique(weekdays).tolist():
                    mask = weekdays == weekday
                    window = opening.get(weekday) if opening is not None else None
                    hours, p = _hour_table(profile, window, weekday == 5)
                    chosen = rng.choice(hours, size=int(mask.sum()), p=p)
                    seconds = chosen * 3600 + rng.integers(0, 3600, size=len(chosen))
                    if window is not None:  # arrivals up to a few minutes before closing
                        seconds = np.clip(seconds, window[0], window[1] - 300)
                    local[mask] = seconds
                parts["channel"].append(np.full(len(days), channel, dtype=np.int8))
                parts["area"].append(np.full(len(days), area.id, dtype=np.int64))
                parts["service"].append(rng.choice(pool_ids, size=len(days), p=weights))
                parts["centre"].append(
                    np.full(len(days), centre.id if centre else 0, dtype=np.int64)
                )
                parts["day"].append(days)
                parts["local"].append(local)
    arrays = {
        k: (np.concatenate(v) if v else np.zeros(0, dtype=np.int64)) for k, v in parts.items()
    }
    order = np.lexsort((arrays["local"], arrays["day"]))
    arrays = {k: v[order] for k, v in arrays.items()}
    n = len(order)
    contacts = _Contacts(id=np.zeros(n, dtype=np.int64), **arrays)
    _contacts_fill(ctx, contacts)
    return contacts


def _contacts_fill(ctx: _Context, c: _Contacts) -> None:
    """Citizen, staff, outcome, direction and handling time of every contact."""
    from borgerservice.contacts.models import Contact

    rng = ctx.rng
    n = len(c.channel)
    c.id = ctx.writer.reserve(Contact, n) + np.arange(n, dtype=np.int64)
    # About half the contacts are by a known citizen (the rest anonymous).
    c.citizen = np.zeros(n, dtype=np.int64)
    if len(ctx.citizen_ids):
        known = rng.random(n) < np.where(c.channel == SELF, 0.9, 0.45)
        c.citizen[known] = rng.choice(ctx.citizen_ids, size=int(known.sum()))
    # Outcome per channel, then made to fit the service.
    c.outcome = np.zeros(n, dtype=np.int8)
    for channel, mix in OUTCOME_MIX.items():
        mask = c.channel == channel
        if mask.any():
            c.outcome[mask] = rng.choice(len(OUTCOMES), size=int(mask.sum()), p=mix)
    service_ids = np.array(sorted(ctx.services), dtype=np.int64)
    has_case = np.zeros(service_ids.max() + 1, dtype=bool)
    has_self = np.zeros(service_ids.max() + 1, dtype=bool)
    for sid, service in ctx.services.items():
        has_case[sid] = service.level_2 or service.level_3
        has_self[sid] = service.self_service
    c.outcome[(c.outcome == CASE) & ~has_case[c.service]] = RESOLVED
    c.outcome[(c.outcome == REFERRED) & ~has_self[c.service]] = RESOLVED
    # Outbound: call-backs by the contact centre.
    c.outbound = (c.channel == PHONE) & (rng.random(n) < 0.05)
    # Staff: the contact centre's agents, the centre's own staff; nobody for self-service.
    c.staff = np.zeros(n, dtype=np.int64)
    contact_pool = ctx.staff["contact"]
    mask = c.centre == ctx.contact_centre.id
    c.staff[mask] = rng.choice(contact_pool, size=int(mask.sum()))
    for centre in ctx.centres:
        mask = (c.centre == centre.id) & (c.channel != WALK_IN)  # walk-ins: the session's
        pool = ctx.staff[f"centre:{centre.id}"]
        c.staff[mask] = rng.choice(pool, size=int(mask.sum()))
    arrival = ctx.calendar.midnight_utc[c.day] + c.local
    means = np.array(HANDLING_SECONDS, dtype=float)[c.channel]
    sigma = 0.6
    handling = rng.lognormal(np.log(means) - sigma**2 / 2, sigma)
    c.started = arrival.copy()
    c.ended = arrival + np.maximum(20, handling).astype(np.int64)
    c.wait = np.zeros(n, dtype=np.int64)


def _tickets(ctx: _Context, c: _Contacts) -> None:
    """Tickets, counter sessions and bookings for the walk-ins at the service centres; sets
    the walk-in contacts' start (service start), end and staff."""
    from borgerservice.booking.models import SlotTemplate
    from borgerservice.queueing.models import CounterSession, Ticket

    rng, cal, w = ctx.rng, ctx.calendar, ctx.writer
    walk = np.flatnonzero((c.channel == WALK_IN) & (c.centre > 0))
    # The citizens called who did not come: tickets without a contact.
    n_walk = len(walk)
    n_absent = int(rng.binomial(n_walk, TICKET_NO_SHOW / (1 - TICKET_NO_SHOW))) if n_walk else 0
    if n_walk == 0:
        return
    absent_from = rng.choice(walk, size=n_absent)  # same centre, day and service mix
    absent_local = np.clip(
        c.local[absent_from] + rng.integers(-1800, 1800, size=n_absent),
        c.local[absent_from].min(),
        c.local[absent_from].max(),
    )
    t_contact = np.concatenate([c.id[walk], np.zeros(n_absent, dtype=np.int64)])
    t_index = np.concatenate([walk, np.full(n_absent, -1)])
    t_centre = np.concatenate([c.centre[walk], c.centre[absent_from]])
    t_day = np.concatenate([c.day[walk], c.day[absent_from]])
    t_local = np.concatenate([c.local[walk], absent_local])
    t_service = np.concatenate([c.service[walk], c.service[absent_from]])
    t_citizen = np.concatenate([c.citizen[walk], np.zeros(n_absent, dtype=np.int64)])
    t_absent = np.concatenate([np.zeros(n_walk, bool), np.ones(n_absent, bool)])
    n = len(t_contact)
    # Queue group: the group of the centre that lists the service, else the catch-all one.
    t_group = np.zeros(n, dtype=np.int64)
    t_minutes = np.zeros(n, dtype=float)
    prefixes: dict[int, str] = {}
    for centre in ctx.centres:
        groups = sorted(centre.queue_groups.all(), key=lambda g: (g.sort_order, g.prefix))
        fallback = next((g for g in groups if not list(g.services.all())), groups[-1])
        by_service = {s.id: g for g in groups for s in g.services.all()}
        mask = t_centre == centre.id
        chosen = [by_service.get(s, fallback) for s in t_service[mask].tolist()]
        t_group[mask] = [g.id for g in chosen]
        t_minutes[mask] = [g.default_service_minutes for g in chosen]
        prefixes.update({g.id: g.prefix for g in groups})
    # Bookings: a share of the walk-ins for the services the centre books come with one.
    bookable: dict[int, set[int]] = {}
    for centre_id, service_id in SlotTemplate.objects.values_list("centre_id", "service_id"):
        bookable.setdefault(centre_id, set()).add(service_id)
    for centre in ctx.centres:  # and the first queue (passports and driving licences)
        groups = sorted(centre.queue_groups.all(), key=lambda g: (g.sort_order, g.prefix))
        if groups:
            bookable.setdefault(centre.id, set()).update(s.id for s in groups[0].services.all())
    weekday = np.array([d.weekday() for d in cal.days])[t_day]
    can_book = np.array(
        [
            s in bookable.get(ce, ())
            for ce, s in zip(t_centre.tolist(), t_service.tolist(), strict=True)
        ],
        dtype=bool,
    )
    booked = can_book & ~t_absent & (weekday < 5) & (rng.random(n) < BOOKED_SHARE)
    slot_local = (t_local // 1800 + 1) * 1800  # the half hour the citizen booked
    # Waits: a few minutes off-peak, a quarter of an hour at the peak; booked ones are called
    # near their time.
    hour = t_local // 3600
    load = np.array([HOUR_WEIGHT["centre"].get(h, 0.6) for h in range(24)])[hour]
    load = load * np.array(WEEKDAY_WEIGHT["centre"])[weekday]
    peak = max(HOUR_WEIGHT["centre"].values()) * max(WEEKDAY_WEIGHT["centre"])
    median = 180 + 600 * (load / peak) ** 3  # 3 minutes quiet, 13 at the peak
    wait = rng.lognormal(np.log(median), 0.7)
    wait[booked] = rng.lognormal(np.log(120), 0.6, size=int(booked.sum()))
    wait = np.minimum(wait, 3 * 3600).astype(np.int64)
    drawn = cal.midnight_utc[t_day] + t_local
    called = drawn + wait
    served = called + rng.integers(15, 90, size=n)
    sigma = 0.5
    service_seconds = rng.lognormal(np.log(t_minutes * 60) - sigma**2 / 2, sigma)
    finished = np.where(
        t_absent, called + 180, served + np.maximum(60, service_seconds).astype(np.int64)
    )
    # Numbers per centre, day and queue group in order of drawing.
    order = np.lexsort((drawn, t_group, t_day, t_centre))
    key_centre, key_day, key_group = t_centre[order], t_day[order], t_group[order]
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (
        (key_centre[1:] != key_centre[:-1])
        | (key_day[1:] != key_day[:-1])
        | (key_group[1:] != key_group[:-1])
    )
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
    number_sorted = np.arange(n) - run_start + 1
    number = np.empty(n, dtype=np.int64)
    number[order] = number_sorted
    # Counter sessions: staffed counters in proportion to the day's service time.
    session_of = np.zeros(n, dtype=np.int64)
    staff_of = np.zeros(n, dtype=np.int64)
    counter_of = np.zeros(n, dtype=np.int64)
    s_id, s_counter, s_staff, s_open, s_close, s_groups = [], [], [], [], [], []
    first_session = w.reserve(CounterSession, 0)
    next_session = first_session
    day_centre = t_day * 1_000_000 + t_centre
    order_dc = np.argsort(day_centre, kind="stable")
    bounds = np.flatnonzero(np.diff(day_centre[order_dc])) + 1
    counters = {
        ce.id: sorted(ce.counters.all(), key=lambda k: (k.sort_order, k.code)) for ce in ctx.centres
    }
    groups_of = {ce.id: [g.id for g in ce.queue_groups.all()] for ce in ctx.centres}
    openings = {ce.id: _opening(ce) for ce in ctx.centres}
    for block in np.split(order_dc, bounds):
        day_index, centre_id = int(t_day[block[0]]), int(t_centre[block[0]])
        window = openings[centre_id].get(cal.days[day_index].weekday(), (36000, 64800))
        work = float(np.sum(finished[block] - served[block]))
        staffed = min(
            len(counters[centre_id]), max(2, math.ceil(work / ((window[1] - window[0]) * 0.7)))
        )
        pool = ctx.staff[f"centre:{centre_id}"]
        midnight = int(cal.midnight_utc[day_index])
        last_end = int(finished[block].max())
        for j in range(staffed):
            s_id.append(next_session + j)
            s_counter.append(counters[centre_id][j].id)
            s_staff.append(int(pool[(day_index * 3 + j) % len(pool)]))
            s_open.append(midnight + window[0] - 900)
            s_close.append(max(midnight + window[1] + 900, last_end + 300))
            s_groups.extend((next_session + j, g) for g in groups_of[centre_id])
        pick = rng.integers(0, staffed, size=len(block))
        session_of[block] = next_session + pick
        staff_of[block] = np.array(s_staff[-staffed:])[pick]
        counter_of[block] = np.array(s_counter[-staffed:])[pick]
        next_session += staffed
    count = len(s_id)
    first = w.reserve(CounterSession, count)
    shift = first - first_session
    session_of += shift
    w.write(
        CounterSession,
        {
            "id": w.ints(np.array(s_id) + shift),
            "counter": w.ints(s_counter),
            "staff": w.ints(s_staff),
            "opened_at": w.times(s_open),
            "closed_at": w.times(s_close),
        },
    )
    through = CounterSession.groups.through
    w.write(
        through,
        {
            "countersession_id": w.ints([s + shift for s, _g in s_groups]),
            "queuegroup_id": w.ints([g for _s, g in s_groups]),
        },
    )
    # Bookings and their slots.
    booking_of = np.zeros(n, dtype=np.int64)
    due = np.zeros(n, dtype=np.int64)
    if booked.any():
        booking_of, due = _bookings(ctx, booked, t_centre, t_day, t_service, t_citizen,
                                    slot_local, drawn, finished)  # fmt: skip
    # Tickets.
    first_ticket = w.reserve(Ticket, n)
    codes = [
        f"{prefixes[g]}{k:03d}" for g, k in zip(t_group.tolist(), number.tolist(), strict=True)
    ]
    not_served = t_absent
    w.write(
        Ticket,
        {
            "id": w.ints(first_ticket + np.arange(n)),
            "centre": w.ints(t_centre),
            "group": w.ints(t_group),
            "day": w.dates(np.array([d.toordinal() for d in cal.days])[t_day]),
            "number": w.ints(number),
            "code": codes,
            "state": [("no_show" if a else "finished") for a in t_absent.tolist()],
            "drawn_at": w.times(drawn),
            "queued_at": w.times(drawn),
            "called_at": w.times(called),
            "announced_at": w.times(called),
            "recalls": w.ints(t_absent.astype(np.int64)),
            "served_at": w.times(served, null=not_served),
            "parked_at": w.const(None, n),
            "parked_seconds": w.const(0, n),
            "finished_at": w.times(finished),
            "counter": w.ints(counter_of),
            "session": w.ints(session_of),
            "staff": w.ints(staff_of),
            "citizen": w.ints(t_citizen, null_below=1),
            "booking_reference": w.ints(booking_of, null_below=1),
            "due_at": w.times(due, null=due == 0),
            "contact": w.ints(t_contact, null_below=1),
            "notify_email": w.const("", n),
            "notify_phone": w.const("", n),
            "notified_at": w.const(None, n),
            "transferred_from": w.const(None, n),
        },
    )
    # The walk-in contacts start when their service starts.
    served_contacts = t_index >= 0
    index = t_index[served_contacts]
    c.started[index] = served[served_contacts]
    c.ended[index] = finished[served_contacts]
    c.staff[index] = staff_of[served_contacts]
    c.wait[index] = wait[served_contacts]


def _bookings(ctx, booked, t_centre, t_day, t_service, t_citizen, slot_local, drawn, finished):
    """Slots and bookings for the booked tickets (served), plus the bookings that did not
    show up or were cancelled. Returns (booking id per ticket, due time per ticket)."""
    from borgerservice.booking.models import CODE_ALPHABET, CODE_LENGTH, Booking, Resource, Slot

    rng, cal, w = ctx.rng, ctx.calendar, ctx.writer
    n_tickets = len(booked)
    idx = np.flatnonzero(booked)
    resources = {}
    for centre in ctx.centres:
        resource, _created = Resource.objects.get_or_create(
            centre=centre, name=RESOURCE_NAME, defaults={"kind": "counter", "active": False}
        )
        resources[centre.id] = resource.id
    start = cal.midnight_utc[t_day[idx]] + slot_local[idx]
    # Bookings that did not show up or were cancelled land in the same slots.
    n_served = len(idx)
    n_absent = int(
        rng.binomial(n_served, BOOKING_NO_SHOW / (1 - BOOKING_NO_SHOW - BOOKING_CANCELLED))
    )
    n_cancel = int(
        rng.binomial(n_served, BOOKING_CANCELLED / (1 - BOOKING_NO_SHOW - BOOKING_CANCELLED))
    )
    extra = rng.choice(n_served, size=n_absent + n_cancel)
    b_centre = np.concatenate([t_centre[idx], t_centre[idx][extra]])
    b_service = np.concatenate([t_service[idx], t_service[idx][extra]])
    b_start = np.concatenate([start, start[extra]])
    others = (
        rng.choice(ctx.citizen_ids, size=len(extra))
        if len(ctx.citizen_ids)
        else np.zeros(len(extra), np.int64)
    )
    b_citizen = np.concatenate([t_citizen[idx], others])
    state = np.array(["served"] * n_served + ["no_show"] * n_absent + ["cancelled"] * n_cancel)
    nb = len(state)
    # One slot per centre, service and start; capacity at least two, enough for the seats.
    key = (b_centre * 10_000 + b_service) * 10_000_000_000 + b_start
    slot_keys, slot_index = np.unique(key, return_inverse=True)
    holds = state != "cancelled"
    order = np.lexsort((np.arange(nb), ~holds, slot_index))
    seat = np.zeros(nb, dtype=np.int64)
    sorted_slot = slot_index[order]
    new_run = np.ones(nb, dtype=bool)
    new_run[1:] = sorted_slot[1:] != sorted_slot[:-1]
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(nb), 0))
    seat[order] = np.arange(nb) - run_start + 1
    seat[~holds] = 0
    capacity = np.maximum(2, np.bincount(slot_index, weights=holds, minlength=len(slot_keys)))
    capacity = capacity.astype(np.int64)
    first_slot = w.reserve(Slot, len(slot_keys))
    slot_centre = (slot_keys // 10_000_000_000) // 10_000
    slot_service = (slot_keys // 10_000_000_000) % 10_000
    slot_start = slot_keys % 10_000_000_000
    ns = len(slot_keys)
    w.write(
        Slot,
        {
            "id": w.ints(first_slot + np.arange(ns)),
            "template": w.const(None, ns),
            "centre": w.ints(slot_centre),
            "service": w.ints(slot_service),
            "resource": w.ints([resources[int(ce)] for ce in slot_centre.tolist()]),
            "starts_at": w.times(slot_start),
            "ends_at": w.times(slot_start + 1800),
            "capacity": w.ints(capacity),
            "active": w.const(False, ns),
        },
    )
    first_booking = w.reserve(Booking, nb)
    ids = first_booking + np.arange(nb)
    created = b_start - rng.integers(1, 22, size=nb) * 86400 - rng.integers(0, 36000, size=nb)
    cancelled = state == "cancelled"
    cancelled_at = created + ((b_start - created) * rng.uniform(0.2, 0.9, size=nb)).astype(np.int64)
    checked_in = np.zeros(nb, dtype=np.int64)
    finished_b = np.zeros(nb, dtype=np.int64)
    checked_in[:n_served] = drawn[idx]
    finished_b[:n_served] = finished[idx]
    absent = state == "no_show"
    finished_b[absent] = b_start[absent] + 900
    reminded = (~cancelled) & (rng.random(nb) < 0.8)
    existing = set(Booking.objects.values_list("code", flat=True))
    space = len(CODE_ALPHABET) ** CODE_LENGTH
    codes, taken = [], set(existing)
    for booking_id in ids.tolist():
        value = (booking_id * 2_654_435_761 + 97_531) % space
        while True:
            text, v = [], value
            for _ in range(CODE_LENGTH):
                v, r = divmod(v, len(CODE_ALPHABET))
                text.append(CODE_ALPHABET[r])
            code = "".join(text)
            if code not in taken:
                break
            value = (value + 1) % space
        taken.add(code)
        codes.append(code)
    w.write(
        Booking,
        {
            "id": w.ints(ids),
            "slot": w.ints(first_slot + slot_index),
            "service": w.ints(b_service),
            "citizen": w.ints(b_citizen, null_below=1),
            "name": ["" if cz > 0 else "Demo Borger" for cz in b_citizen.tolist()],
            "email": w.const("", nb),
            "phone": w.const("", nb),
            "code": codes,
            "state": state.tolist(),
            "seat_number": w.ints(seat, null_below=1),
            "slot_capacity": w.ints(capacity[slot_index]),
            "created_at": w.times(created),
            "created_by": w.const(None, nb),
            "cancelled_at": w.times(cancelled_at, null=~cancelled),
            "checked_in_at": w.times(checked_in, null=checked_in == 0),
            "finished_at": w.times(finished_b, null=finished_b == 0),
            "reminder_sent_at": w.times(b_start - 86400, null=~reminded),
            "rebooked_from": w.const(None, nb),
            "idempotency_key": [f"{ctx.note}:{i}" for i in ids.tolist()],
        },
    )
    booking_of = np.zeros(n_tickets, dtype=np.int64)
    due = np.zeros(n_tickets, dtype=np.int64)
    booking_of[idx] = ids[:n_served]
    due[idx] = start
    return booking_of, due


def _contacts_write(ctx: _Context, c: _Contacts) -> None:
    from borgerservice.contacts.models import Contact, ContactService

    rng, w = ctx.rng, ctx.writer
    n = len(c.id)
    if n == 0:
        return
    department = np.zeros(max(ctx.services) + 1, dtype=np.int64)
    digital = np.zeros(max(ctx.services) + 1, dtype=bool)
    for sid, service in ctx.services.items():
        department[sid] = service.department_id
        digital[sid] = service.self_service
    handed = c.outcome == HANDED_OVER
    forwarded = c.outcome == FORWARDED
    forward_to = np.array(FORWARD_TO)[rng.integers(0, len(FORWARD_TO), size=n)]
    could = digital[c.service] & (c.channel != SELF) & (rng.random(n) < 0.35)
    outcomes = np.array(OUTCOMES)[c.outcome]
    channels = np.array(CHANNELS)[c.channel]
    w.write(
        Contact,
        {
            "id": w.ints(c.id),
            "channel": channels.tolist(),
            "direction": ["outbound" if o else "inbound" for o in c.outbound.tolist()],
            "citizen": w.ints(c.citizen, null_below=1),
            "centre": w.ints(c.centre, null_below=1),
            "staff": w.ints(c.staff, null_below=1),
            "started_at": w.times(c.started),
            "ended_at": w.times(c.ended),
            "outcome": outcomes.tolist(),
            "handed_over_to": w.ints(np.where(handed, department[c.service], 0), null_below=1),
            "forwarded_to": np.where(forwarded, forward_to, "").tolist(),
            "citizen_informed": w.bools(forwarded),
            "could_be_digital": w.bools(could),
            "note": w.const(ctx.note, n),
            "idempotency_key": w.const(None, n),
            "request_fingerprint": w.const("", n),
            "created_at": w.times(c.ended),
        },
    )
    first = w.reserve(ContactService, n)
    w.write(
        ContactService,
        {
            "id": w.ints(first + np.arange(n)),
            "contact": w.ints(c.id),
            "service": w.ints(c.service),
        },
    )


def _work_items(ctx: _Context, c: _Contacts) -> None:
    """Written inquiries and call-backs handled by staff: one done work item per contact."""
    from borgerservice.queueing.models import WorkItem, WorkQueue

    rng, w = ctx.rng, ctx.writer
    written = np.isin(c.channel, (LETTER, EMAIL)) & (c.staff > 0)
    call_back = c.outbound
    idx = np.flatnonzero(written | call_back)
    n = len(idx)
    if n == 0:
        return
    queues = list(WorkQueue.objects.prefetch_related("services").order_by("sort_order", "code"))
    by_service, by_department, overflow = {}, {}, {}
    for queue in queues:
        overflow[queue.id] = queue.overflow_minutes or 0
        for service in queue.services.all():
            by_service.setdefault(service.id, queue.id)
        if queue.department_id and not queue.services.all():
            by_department.setdefault(queue.department_id, queue.id)
    fallback = queues[0].id
    service = c.service[idx]
    queue_of = np.array(
        [
            by_service.get(s, by_department.get(ctx.services[s].department_id, fallback))
            for s in service.tolist()
        ],
        dtype=np.int64,
    )
    channel = c.channel[idx]
    kind = np.where(
        channel == LETTER,
        "letter",
        np.where(
            channel == EMAIL, np.where(rng.random(n) < 0.7, "email", "web_message"), "call_back"
        ),
    )
    median = np.where(kind == "letter", 86400.0, np.where(kind == "call_back", 5400.0, 14400.0))
    waited = np.minimum(rng.lognormal(np.log(median), 0.8), 5 * 86400).astype(np.int64)
    started = c.started[idx]
    received = started - waited
    overflow_s = np.array([overflow[q] for q in queue_of.tolist()], dtype=np.int64) * 60
    overflowed = (overflow_s > 0) & (waited > overflow_s) & (rng.random(n) < 0.5)
    outcome_map = np.array(["resolved", "case", "handed_over", "resolved", "resolved", "resolved"])
    outcome = outcome_map[c.outcome[idx]]
    names = {sid: s.name_da for sid, s in ctx.services.items()}
    first = w.reserve(WorkItem, n)
    w.write(
        WorkItem,
        {
            "id": w.ints(first + np.arange(n)),
            "kind": kind.tolist(),
            "queue": w.ints(queue_of),
            "service": w.ints(service),
            "centre": w.ints(c.centre[idx], null_below=1),
            "citizen": w.ints(c.citizen[idx], null_below=1),
            "subject": [f"Henvendelse: {names[s]}"[:200] for s in service.tolist()],
            "body": w.const("", n),
            "reply_email": np.where(kind == "email", "borger@example.dk", "").tolist(),
            "phone": np.where(kind == "call_back", "+4533663366", "").tolist(),
            "received_at": w.times(received),
            "state": w.const("done", n),
            "agent": w.const(None, n),
            "handled_by": w.ints(c.staff[idx]),
            "offered_at": w.times(started - 20),
            "offer_expires_at": w.times(started + 100),
            "accepted_at": w.times(started),
            "first_handled_at": w.times(started),
            "offers": w.const(1, n),
            "overflowed_at": w.times(received + overflow_s, null=~overflowed),
            "finished_at": w.times(c.ended[idx]),
            "outcome": outcome.tolist(),
            "result_note": w.const(ctx.note, n),
            "contact": w.ints(c.id[idx]),
            "case": w.const(None, n),
            "created_by": w.const(None, n),
            "idempotency_key": w.const(None, n),
            "request_fingerprint": w.const("", n),
        },
    )


def _links_and_survey(ctx: _Context, c: _Contacts) -> None:
    from borgerservice.analytics.models import SurveyResponse
    from borgerservice.contacts.models import SelfServiceLink

    rng, w = ctx.rng, ctx.writer
    idx = np.flatnonzero((c.outcome == REFERRED) & (c.staff > 0))
    n = len(idx)
    if n:
        via = np.where((c.channel[idx] == PHONE) & (rng.random(n) < 0.7), "sms", "email")
        digits = rng.integers(0, 10_000, size=n)
        sent_to = [
            f"+45 ** ** {d // 100:02d} {d % 100:02d}" if v == "sms" else "b***@example.dk"
            for v, d in zip(via.tolist(), digits.tolist(), strict=True)
        ]
        used = rng.random(n) < LINK_USED
        sent = c.ended[idx]
        used_at = sent + rng.lognormal(np.log(3 * 3600), 1.0, size=n).astype(np.int64)
        uses = np.where(used, 1 + rng.poisson(0.4, size=n), 0)
        tokens = [
            hashlib.sha256(f"{ctx.note}:{cid}".encode()).hexdigest() for cid in c.id[idx].tolist()
        ]
        first = w.reserve(SelfServiceLink, n)
        w.write(
            SelfServiceLink,
            {
                "id": w.ints(first + np.arange(n)),
                "contact": w.ints(c.id[idx]),
                "service": w.ints(c.service[idx]),
                "citizen": w.ints(c.citizen[idx], null_below=1),
                "token_hash": tokens,
                "via": via.tolist(),
                "sent_to": sent_to,
                "sent_by": w.ints(c.staff[idx]),
                "sent_at": w.times(sent),
                "used_at": w.times(used_at, null=~used),
                "use_count": w.ints(uses),
            },
        )
    # The survey: offered after a contact with staff; mostly 4–5, worse after a long wait.
    answered = np.flatnonzero((c.staff > 0) & (rng.random(len(c.id)) < SURVEY_SHARE))
    m = len(answered)
    if m:
        long_wait = c.wait[answered] > 1200
        score = (
            np.where(
                long_wait,
                rng.choice(5, size=m, p=SURVEY_SCORES_LONG_WAIT),
                rng.choice(5, size=m, p=SURVEY_SCORES),
            )
            + 1
        )
        at = c.ended[answered] + rng.integers(120, 2 * 86400, size=m)
        first = w.reserve(SurveyResponse, m)
        w.write(
            SurveyResponse,
            {
                "id": w.ints(first + np.arange(m)),
                "contact": w.ints(c.id[answered]),
                "score": w.ints(score),
                "answered_at": w.times(at),
            },
        )


def _cases(ctx: _Context) -> None:
    """Cases per area as table 2, with their history in working days."""
    from borgerservice.cases.deadlines import risk_start
    from borgerservice.cases.models import Case, CaseEvent, CaseParty, CaseType, Unit
    from borgerservice.cases.services import CITIZEN_SERVICE_UNIT

    rng, cal, w = ctx.rng, ctx.calendar, ctx.writer
    units = {u.code: u for u in Unit.objects.all()}
    unit_by_department = {u.department_id: u for u in units.values() if u.code.endswith("-sager")}
    citizen_unit = units.get(CITIZEN_SERVICE_UNIT)
    types = {t.service_id: t for t in CaseType.objects.all()}
    parts = {k: [] for k in ("type", "unit", "department", "service", "target")}
    days_weights = np.array(
        [
            0.0
            if d.weekday() >= 5 or d in cal.closed
            else WEEKDAY_WEIGHT["office"][d.weekday()] * MONTH_WEIGHT[d.month - 1]
            for d in cal.days
        ]
    )
    days_weights /= days_weights.sum()
    received_parts = []
    for area in ctx.areas:
        pool = [types[s.id] for s in area.services if s.id in types]
        if area.cases == 0 or not pool:
            continue
        weights = ctx.rng.dirichlet(np.full(len(pool), 1.5))
        per_day = rng.multinomial(area.cases, days_weights)
        per_day[cal.last + 1 :] = 0
        days = np.repeat(np.arange(len(per_day)), per_day)
        chosen = rng.choice(len(pool), size=len(days), p=weights)
        for k, case_type in enumerate(pool):
            service = ctx.services[case_type.service_id]
            if service.level_2 and not service.level_3 and citizen_unit is not None:
                unit = citizen_unit
            else:
                unit = unit_by_department.get(service.department_id) or citizen_unit
            mask = chosen == k
            m = int(mask.sum())
            if m == 0 or unit is None:
                continue
            parts["type"].append(np.full(m, case_type.id))
            parts["unit"].append(np.full(m, unit.id))
            parts["department"].append(np.full(m, unit.department_id))
            parts["service"].append(np.full(m, service.id))
            parts["target"].append(np.full(m, case_type.processing_days))
            received_parts.append(days[mask])
    if not received_parts:
        return
    arr = {k: np.concatenate(v).astype(np.int64) for k, v in parts.items()}
    received_day = np.concatenate(received_parts)
    order = np.argsort(received_day, kind="stable")
    arr = {k: v[order] for k, v in arr.items()}
    received_day = received_day[order]
    n = len(received_day)
    ordinal0 = cal.days[0].toordinal()
    received = received_day + ordinal0
    as_of = cal.days[cal.last].toordinal()
    # How fast each unit decides: the share of late cases differs from unit to unit.
    unit_ids = np.unique(arr["unit"])
    pace = dict(
        zip(unit_ids.tolist(), rng.uniform(0.40, 0.62, size=len(unit_ids)).tolist(), strict=True)
    )
    unit_pace = np.array([pace[u] for u in arr["unit"].tolist()])
    target = arr["target"]
    start = cal.add_working_days(received, rng.integers(1, 3, size=n))
    paused = rng.random(n) < CASE_PAUSED
    pause_len = rng.integers(3, 13, size=n) * paused
    pause_at = cal.add_working_days(start, rng.integers(1, 5, size=n))
    resume = cal.add_working_days(pause_at, np.maximum(pause_len, 1))
    work_days = np.maximum(2, np.round(rng.lognormal(np.log(target * unit_pace), 0.45))).astype(
        np.int64
    )
    decided = cal.add_working_days(received, work_days + pause_len)
    decided = np.where(paused, np.maximum(decided, cal.add_working_days(resume, 1)), decided)
    decided = np.maximum(decided, cal.add_working_days(start, 1))
    complaint = rng.random(n) < CASE_COMPLAINT
    complaint_on = cal.add_working_days(decided, rng.integers(5, 19, size=n))
    forwarded = complaint & (rng.random(n) < COMPLAINT_FORWARDED)
    forwarded_on = cal.add_working_days(complaint_on, rng.integers(5, 16, size=n))
    reconsidered_on = cal.add_working_days(complaint_on, rng.integers(5, 20, size=n))
    closed_on = np.where(
        forwarded,
        cal.add_working_days(forwarded_on, rng.integers(20, 60, size=n)),
        np.where(
            complaint,
            cal.add_working_days(reconsidered_on, COMPLAINT_PERIOD_DAYS),
            cal.add_working_days(decided, rng.integers(1, 4, size=n)),
        ),
    )
    # The events (only those up to the last generated day).
    events = [
        # (mask, day, from, to)
        (np.ones(n, bool), received, "", "received"),
        (np.ones(n, bool), start, "received", "in_progress"),
        (paused, pause_at, "in_progress", "awaiting_citizen"),
        (paused, resume, "awaiting_citizen", "in_progress"),
        (np.ones(n, bool), decided, "in_progress", "decided"),
        (complaint, complaint_on, "decided", "complaint"),
        (forwarded, forwarded_on, "complaint", "forwarded"),
        (complaint & ~forwarded, reconsidered_on, "complaint", "decided"),
        (forwarded, closed_on, "forwarded", "closed"),
        (~forwarded, closed_on, "decided", "closed"),
    ]
    status = np.full(n, "received", dtype=object)
    for mask, day, _from, to in events:  # in the order they happen
        happened = mask & (day <= as_of)
        status[happened] = to
    # Deadline projection: target plus the working days paused (until now when still paused).
    paused_now = status == "awaiting_citizen"
    pause_counted = np.where(paused & (resume <= as_of), pause_len, 0) + np.where(
        paused_now, np.maximum(0, cal.wd_index(np.full(n, as_of)) - cal.wd_index(pause_at)), 0
    )
    due_on = cal.add_working_days(received, target + pause_counted)
    risk_cache: dict[tuple[int, int], int] = {}
    at_risk = np.empty(n, dtype=np.int64)
    for i, (d, t) in enumerate(zip(due_on.tolist(), target.tolist(), strict=True)):
        value = risk_cache.get((d, t))
        if value is None:
            value = risk_start(date.fromordinal(d), t).toordinal()
            risk_cache[(d, t)] = value
        at_risk[i] = value
    is_closed = status == "closed"
    # Caseworkers: from the unit's staff; new cases may wait for one.
    caseworker = np.zeros(n, dtype=np.int64)
    for unit_id in unit_ids.tolist():
        mask = arr["unit"] == unit_id
        pool = ctx.staff.get(f"unit:{unit_id}")
        if pool is None or len(pool) == 0:
            continue
        size = max(3, min(len(pool), int(mask.sum()) // max(1, int(6000 * ctx.scale)) + 3))
        caseworker[mask] = rng.choice(pool[:size], size=int(mask.sum()))
    caseworker[(status == "received") & (rng.random(n) < 0.5)] = 0
    channel_codes = np.array([CHANNELS[k] for k, _p in CASE_CHANNELS])
    channel_p = np.array([p for _k, p in CASE_CHANNELS])
    channel = channel_codes[rng.choice(len(channel_p), size=n, p=channel_p / channel_p.sum())]
    first = w.reserve(Case, n)
    ids = first + np.arange(n)
    prefix = case_prefix(ctx.year)
    type_names = {t.id: t.name_da[:200] for t in types.values()}
    kle = {sid: s.kle_code for sid, s in ctx.services.items()}
    created_at = cal.midnight_utc[received_day] + 8 * 3600 + rng.integers(0, 7200, size=n)
    w.write(
        Case,
        {
            "id": w.ints(ids),
            "number": [f"{prefix}{i:07d}" for i in ids.tolist()],
            "case_type": w.ints(arr["type"]),
            "title": [type_names[t] for t in arr["type"].tolist()],
            "status": status.tolist(),
            "kle_code": [kle[s] for s in arr["service"].tolist()],
            "action_facet": w.const("", n),
            "department": w.ints(arr["department"]),
            "unit": w.ints(arr["unit"]),
            "caseworker": w.ints(caseworker, null_below=1),
            "confidentiality": w.const("normal", n),
            "channel": channel.tolist(),
            "received_on": w.dates(received),
            "created_at": w.times(created_at),
            "due_on": w.dates(due_on),
            "at_risk_on": w.dates(at_risk),
            "closed_on": w.dates(closed_on, null=~is_closed),
            "anonymised_at": w.const(None, n),
        },
    )
    if len(ctx.citizen_ids):
        first_party = w.reserve(CaseParty, n)
        w.write(
            CaseParty,
            {
                "id": w.ints(first_party + np.arange(n)),
                "case": w.ints(ids),
                "citizen": w.ints(rng.choice(ctx.citizen_ids, size=n)),
                "role": w.const("applicant", n),
            },
        )
    e_case, e_kind, e_at, e_on, e_from, e_to, e_unit, e_actor = [], [], [], [], [], [], [], []
    for step, (mask, day, from_status, to_status) in enumerate(events):
        happened = np.flatnonzero(mask & (day <= as_of))
        if len(happened) == 0:
            continue
        e_case.append(ids[happened])
        e_kind.append(np.full(len(happened), "created" if step == 0 else "transition"))
        if step == 0:
            clock = created_at[happened]
        else:
            midnight = cal.midnight_utc[day[happened] - ordinal0]
            clock = midnight + 10 * 3600 + rng.integers(0, 6 * 3600, size=len(happened))
        e_at.append(clock)
        e_on.append(day[happened])
        e_from.append(np.full(len(happened), from_status))
        e_to.append(np.full(len(happened), to_status))
        e_unit.append(arr["unit"][happened] if step == 0 else np.zeros(len(happened), np.int64))
        e_actor.append(caseworker[happened])
    ne = sum(len(x) for x in e_case)
    first_event = w.reserve(CaseEvent, ne)
    e_case_all = np.concatenate(e_case)
    e_at_all = np.concatenate(e_at)
    order = np.lexsort((e_at_all, e_case_all))
    w.write(
        CaseEvent,
        {
            "id": w.ints(first_event + np.arange(ne)),
            "case": w.ints(e_case_all[order]),
            "kind": np.concatenate(e_kind)[order].tolist(),
            "at": w.times(e_at_all[order]),
            "on": w.dates(np.concatenate(e_on)[order]),
            "from_status": np.concatenate(e_from)[order].tolist(),
            "to_status": np.concatenate(e_to)[order].tolist(),
            "extension_days": w.const(0, ne),
            "reason": w.const("", ne),
            "from_unit": w.const(None, ne),
            "to_unit": w.ints(np.concatenate(e_unit)[order], null_below=1),
            "detail": w.const("{}", ne),
            "actor": w.ints(np.concatenate(e_actor)[order], null_below=1),
        },
    )
