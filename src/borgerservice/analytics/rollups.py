"""Rollups kept up to date row by row, and recomputed from the raw rows when asked.

Every source row (a contact, ticket, booking, case, counter session, self-service link, work
item or survey answer) *contributes* to a few rollup rows: a contact adds 1 to its
``ContactDay`` and ``ContactHour`` cells and its handling time to a ``DurationBin``. The
contributions are computed by one function per source (``_parts_<source>``) from the row as
it is now, and remembered in ``RollupFact``. When the row changes or goes,
``rollup_refresh`` subtracts what the fact says it added and adds what it contributes now,
with one upsert per rollup row touched::

    INSERT INTO rollup (key..., measures...) VALUES (...)
    ON CONFLICT (key...) DO UPDATE SET m = rollup.m + excluded.m

(the same SQL on SQLite and PostgreSQL), in the transaction that changed the row, so the
rollups never disagree with the rows they count, and concurrent contacts add up (the upsert
is atomic). The fact row is locked first (``SELECT ... FOR UPDATE``) and the source row read
after it, so two transactions touching the same row are applied one after the other.

Signals call ``rollup_refresh`` on every ``save`` and ``delete`` of the source models and
their parts (contact services, case events); the few services that change rows with a
queryset ``update`` or ``bulk_create`` call it themselves. Bulk loads (the demo history)
write raw rows only and end with ``rollup_rebuild``.

``rollup_recompute`` derives the rollups from the raw rows alone; ``rollup_check`` compares
them with the tables (``manage.py rollups --check``), and the tests hold them equal after
random inserts, updates and deletes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from . import models as m
from .bins import bin_of

ROLLUPS: dict[str, type[m.Rollup]] = {
    "contact_day": m.ContactDay,
    "contact_month": m.ContactMonth,
    "contact_hour": m.ContactHour,
    "duration_bin": m.DurationBin,
    "duration_month": m.DurationMonth,
    "ticket_hour": m.TicketHour,
    "booking_day": m.BookingDay,
    "case_day": m.CaseDay,
    "capacity_day": m.CapacityDay,
    "link_day": m.LinkDay,
    "work_day": m.WorkDay,
    "survey_day": m.SurveyDay,
}

# Rollups summed again per calendar month (the month's key has the first of the month for
# the day). Facts name the day cells only; every change to a day cell is made to its month
# cell in the same statement batch.
MONTHLY = {"contact_day": "contact_month", "duration_bin": "duration_month"}

# Columns a rollup stores that follow from its key (the weekday of the day).
DERIVED = {"weekday": lambda key: dt.date.fromisoformat(key[0]).weekday()}

# Work items come in by these channels (a handover has none).
WORK_CHANNEL = {
    "email": "email",
    "call_back": "phone",
    "web_message": "self_service",
    "letter": "letter",
    "handover": "",
}

Part = tuple[str, tuple, tuple]
"""(rollup name, key values, measure values); dates in keys as ISO strings."""


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return value.astimezone(tz)


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(int((end - start).total_seconds()), 0)


class _Lookups:
    """Catalogue look-ups a batch of rows needs, each read once per batch."""

    def __init__(self) -> None:
        self._services: dict[int, tuple[int, int]] = {}
        self._groups: dict[int, tuple[int, int]] = {}
        self._queues: dict[int, int] = {}

    def service(self, service_id: int | None) -> tuple[int, int]:
        """(area, department) of a service; (0, 0) for none."""
        if not service_id:
            return 0, 0
        if service_id not in self._services:
            self.load_services([service_id])
        return self._services.get(service_id, (0, 0))

    def load_services(self, ids: Iterable[int] | None = None) -> None:
        from borgerservice.catalogue.models import Service

        rows = Service.objects.all()
        if ids is not None:
            ids = [i for i in set(ids) if i and i not in self._services]
            if not ids:
                return
            rows = rows.filter(pk__in=ids)
        for pk, area, department in rows.values_list("pk", "area_id", "department_id"):
            self._services[pk] = (area or 0, department or 0)

    def group(self, group_id: int) -> tuple[int, int]:
        """(first service, its department) of a queue group, read once per group: a
        refresh of one ticket reads its own group only."""
        if group_id not in self._groups:
            from borgerservice.queueing.models import QueueGroup

            through = QueueGroup.services.through
            service = (
                through.objects.filter(queuegroup_id=group_id)
                .order_by("id")
                .values_list("service_id", flat=True)
                .first()
            )
            self._groups[group_id] = (service or 0, self.service(service)[1])
        return self._groups[group_id]

    def queue_department(self, queue_id: int | None) -> int:
        if not queue_id:
            return 0
        if queue_id not in self._queues:
            from borgerservice.queueing.models import WorkQueue

            department = (
                WorkQueue.objects.filter(pk=queue_id)
                .values_list("department_id", flat=True)
                .first()
            )
            self._queues[queue_id] = department or 0
        return self._queues[queue_id]


# --- what each source row contributes ------------------------------------------------------


def _first_service(contact_ref: str = "pk") -> Subquery:
    """The contact's service with the lowest id (a contact is counted under one service),
    read from the (contact, service) unique index."""
    from borgerservice.contacts.models import ContactService

    return Subquery(
        ContactService.objects.filter(contact_id=OuterRef(contact_ref))
        .order_by("service_id")
        .values("service_id")[:1]
    )


def _rows_contact(ids):
    from borgerservice.contacts.models import Contact

    return _values(
        Contact.objects.annotate(first_service=_first_service()),
        ids,
        "pk",
        "channel",
        "direction",
        "outcome",
        "centre_id",
        "started_at",
        "ended_at",
        "could_be_digital",
        "first_service",
    )


def _parts_contact(row: dict, look: _Lookups, tz: ZoneInfo) -> list[Part]:
    started = _local(row["started_at"], tz)
    day = started.date().isoformat()
    service = row["first_service"] or 0
    area, department = look.service(service)
    centre = row["centre_id"] or 0
    handling = _seconds(row["started_at"], row["ended_at"])
    parts: list[Part] = [
        (
            "contact_day",
            (
                day,
                row["channel"],
                row["direction"],
                row["outcome"],
                service,
                area,
                department,
                centre,
            ),
            (1, int(row["could_be_digital"]), handling or 0, int(handling is not None)),
        ),
        ("contact_hour", (day, started.hour, row["channel"], department, centre), (1,)),
    ]
    if handling is not None:
        parts.append(
            (
                "duration_bin",
                (day, "handling", row["channel"], department, centre, service, bin_of(handling)),
                (1, handling),
            )
        )
    return parts


def _rows_ticket(ids):
    from borgerservice.queueing.models import Ticket

    return _values(
        Ticket.objects.all(),
        ids,
        "pk",
        "centre_id",
        "group_id",
        "state",
        "day",
        "drawn_at",
        "queued_at",
        "called_at",
        "served_at",
        "finished_at",
        "parked_seconds",
        "booking_reference",
    )


def _parts_ticket(row: dict, look: _Lookups, tz: ZoneInfo) -> list[Part]:
    day = row["day"].isoformat()
    centre = row["centre_id"]
    service, department = look.group(row["group_id"])
    parts: list[Part] = [
        (
            "ticket_hour",
            (day, _local(row["drawn_at"], tz).hour, centre, row["group_id"], row["state"]),
            (1, int(row["booking_reference"] is not None)),
        )
    ]
    wait = _seconds(row["queued_at"], row["called_at"])
    if wait is not None:
        parts.append(
            (
                "duration_bin",
                (day, "ticket_wait", "walk_in", department, centre, service, bin_of(wait)),
                (1, wait),
            )
        )
    if row["state"] == "finished" and row["served_at"] is not None:
        served = max(
            (_seconds(row["served_at"], row["finished_at"]) or 0) - row["parked_seconds"], 0
        )
        parts.append(
            (
                "duration_bin",
                (day, "ticket_service", "walk_in", department, centre, service, bin_of(served)),
                (1, served),
            )
        )
        parts.append(("capacity_day", (day, centre), (0, served, 1)))
    return parts


def _rows_session(ids):
    from borgerservice.queueing.models import CounterSession

    return _values(
        CounterSession.objects.all(), ids, "pk", "counter__centre_id", "opened_at", "closed_at"
    )


def _parts_session(row: dict, look: _Lookups, tz: ZoneInfo) -> list[Part]:
    staffed = _seconds(row["opened_at"], row["closed_at"])
    if staffed is None:  # counted when the session closes
        return []
    day = _local(row["opened_at"], tz).date().isoformat()
    return [("capacity_day", (day, row["counter__centre_id"]), (staffed, 0, 0))]


def _rows_booking(ids):
    from borgerservice.booking.models import Booking

    return _values(
        Booking.objects.all(),
        ids,
        "pk",
        "slot__starts_at",
        "slot__centre_id",
        "service_id",
        "state",
    )


def _parts_booking(row: dict, look: _Lookups, tz: ZoneInfo) -> list[Part]:
    day = _local(row["slot__starts_at"], tz).date().isoformat()
    department = look.service(row["service_id"])[1]
    key = (day, row["slot__centre_id"] or 0, row["service_id"] or 0, department, row["state"])
    return [("booking_day", key, (1,))]


def _rows_case(ids):
    from borgerservice.cases.models import Case, CaseEvent

    complaint = Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), kind="transition", to_status="complaint")
        .order_by("at", "id")
        .values("on")[:1]
    )
    return _values(
        Case.objects.annotate(complaint_on=complaint),
        ids,
        "pk",
        "received_on",
        "closed_on",
        "due_on",
        "department_id",
        "unit_id",
        "caseworker_id",
        "case_type_id",
        "channel",
        "complaint_on",
    )


def _parts_case(row: dict, look: _Lookups, tz: ZoneInfo) -> list[Part]:
    dims = (
        row["department_id"],
        row["unit_id"],
        row["caseworker_id"] or 0,
        row["case_type_id"],
        row["channel"],
    )
    parts: list[Part] = [
        ("case_day", (row["received_on"].isoformat(), "received", *dims), (1, 0, 0))
    ]
    if row["closed_on"] is not None:
        on_time = int(row["closed_on"] <= row["due_on"])
        parts.append(
            ("case_day", (row["closed_on"].isoformat(), "closed", *dims), (1, on_time, 1 - on_time))
        )
    if row["complaint_on"] is not None:
        parts.append(("case_day", (row["complaint_on"].isoformat(), "complaint", *dims), (1, 0, 0)))
    return parts


def _rows_link(ids):
    from borgerservice.contacts.models import SelfServiceLink

    return _values(
        SelfServiceLink.objects.all(), ids, "pk", "sent_at", "service_id", "via", "used_at"
    )


def _parts_link(row: dict, look: _Lookups, tz: ZoneInfo) -> list[Part]:
    day = _local(row["sent_at"], tz).date().isoformat()
    service = row["service_id"] or 0
    key = (day, service, look.service(service)[1], row["via"])
    return [("link_day", key, (1, int(row["used_at"] is not None)))]


def _rows_work(ids):
    from borgerservice.queueing.models import WorkItem

    return _values(
        WorkItem.objects.all(),
        ids,
        "pk",
        "kind",
        "queue_id",
        "service_id",
        "centre_id",
        "state",
        "outcome",
        "received_at",
        "first_handled_at",
        "overflowed_at",
    )


def _parts_work(row: dict, look: _Lookups, tz: ZoneInfo) -> list[Part]:
    day = _local(row["received_at"], tz).date().isoformat()
    service = row["service_id"] or 0
    department = look.service(service)[1] or look.queue_department(row["queue_id"])
    parts: list[Part] = [
        (
            "work_day",
            (day, row["kind"], row["queue_id"] or 0, department, row["state"], row["outcome"]),
            (1, int(row["overflowed_at"] is not None)),
        )
    ]
    wait = _seconds(row["received_at"], row["first_handled_at"])
    if wait is not None:
        channel = WORK_CHANNEL.get(row["kind"], "")
        centre = row["centre_id"] or 0
        key = (day, "work_wait", channel, department, centre, service, bin_of(wait))
        parts.append(("duration_bin", key, (1, wait)))
    return parts


def _rows_survey(ids):
    return _values(
        m.SurveyResponse.objects.annotate(first_service=_first_service("contact_id")),
        ids,
        "pk",
        "score",
        "answered_at",
        "contact__channel",
        "contact__centre_id",
        "first_service",
    )


def _parts_survey(row: dict, look: _Lookups, tz: ZoneInfo) -> list[Part]:
    day = _local(row["answered_at"], tz).date().isoformat()
    service = row["first_service"] or 0
    key = (
        day,
        row["contact__channel"],
        look.service(service)[1],
        row["contact__centre_id"] or 0,
        service,
        row["score"],
    )
    return [("survey_day", key, (1,))]


def _values(queryset, ids, *fields) -> Iterator[dict]:
    queryset = queryset.order_by().values(*fields)
    if ids is not None:
        # A refresh reads a few rows: one plain query (no server-side cursor).
        return iter(list(queryset.filter(pk__in=ids)))
    return queryset.iterator(chunk_size=5000)


@dataclass(frozen=True)
class Source:
    name: str
    rows: Callable[[list[int] | None], Iterator[dict]]
    parts: Callable[[dict, _Lookups, ZoneInfo], list[Part]]


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("contact", _rows_contact, _parts_contact),
        Source("ticket", _rows_ticket, _parts_ticket),
        Source("session", _rows_session, _parts_session),
        Source("booking", _rows_booking, _parts_booking),
        Source("case", _rows_case, _parts_case),
        Source("link", _rows_link, _parts_link),
        Source("work", _rows_work, _parts_work),
        Source("survey", _rows_survey, _parts_survey),
    )
}


# --- keeping them up to date ---------------------------------------------------------------


def _freeze(parts: Iterable) -> dict[tuple[str, tuple], list[int]]:
    """Contributions summed per rollup row (JSON turns tuples into lists: undo that)."""
    out: dict[tuple[str, tuple], list[int]] = {}
    for name, key, measures in parts:
        cell = out.setdefault((name, tuple(key)), [0] * len(measures))
        for i, value in enumerate(measures):
            cell[i] += value
    return out


def _survey_answers_of(contact_ids: list[int]) -> list[int]:
    return list(
        m.SurveyResponse.objects.filter(contact_id__in=contact_ids).values_list("pk", flat=True)
    )


# Sources whose contribution reads another source's row: a survey answer is counted under
# its contact's channel, centre and service, so a changed contact changes its answer's too.
DEPENDENTS: dict[str, tuple[str, Callable[[list[int]], list[int]]]] = {
    "contact": ("survey", _survey_answers_of),
}


def rollup_refresh(*, source: str, ids: Iterable[int]) -> int:
    """Bring the rollups in step with the source rows ``ids`` as they are now (changed,
    new or deleted), and with the rows that depend on them (``DEPENDENTS``); returns the
    number of rollup rows changed. Runs in the caller's transaction."""
    ids = sorted({int(i) for i in ids if i is not None})
    if not ids:
        return 0
    changed = _refresh(source, ids)
    if source in DEPENDENTS:
        dependent, find = DEPENDENTS[source]
        changed += rollup_refresh(source=dependent, ids=find(ids))
    return changed


def _refresh(source: str, ids: list[int]) -> int:
    spec = SOURCES[source]
    with transaction.atomic():
        # Lock the facts before reading the rows: a concurrent refresh of the same row
        # waits here and then reads the row as the other transaction left it.
        facts = _facts_locked(source, ids)
        missing = [i for i in ids if i not in facts]
        if missing:
            # A placeholder to lock; a concurrent insert of the same fact waits here.
            m.RollupFact.objects.bulk_create(
                [m.RollupFact(source=source, source_id=i, parts=[]) for i in missing],
                ignore_conflicts=True,
            )
            facts.update(_facts_locked(source, missing))
        look, tz = _Lookups(), _tz()
        new_parts: dict[int, list] = {i: [] for i in ids}
        for row in spec.rows(ids):
            new_parts[row["pk"]] = [
                [name, list(key), list(measures)]
                for name, key, measures in spec.parts(row, look, tz)
            ]
        delta: dict[tuple[str, tuple], list[int]] = defaultdict(list)
        changed = []
        for source_id in ids:
            fact = facts[source_id]
            if fact.parts == new_parts[source_id]:
                continue
            old, new = _freeze(fact.parts), _freeze(new_parts[source_id])
            for cell in old.keys() | new.keys():
                width = len(old.get(cell) or new[cell])
                before = old.get(cell) or [0] * width
                after = new.get(cell) or [0] * width
                acc = delta.get(cell) or [0] * width
                delta[cell] = [a + n - b for a, n, b in zip(acc, after, before, strict=True)]
            fact.parts = new_parts[source_id]
            if fact.parts:
                changed.append(fact)
        # A row that is gone, or contributes nothing yet (an open counter session), keeps
        # no fact; the placeholder is written again by its next refresh.
        empty = [facts[i].pk for i in ids if not new_parts[i]]
        if empty:
            m.RollupFact.objects.filter(pk__in=empty).delete()
        if len(changed) == 1:
            m.RollupFact.objects.filter(pk=changed[0].pk).update(parts=changed[0].parts)
        elif changed:
            m.RollupFact.objects.bulk_update(changed, ["parts"], batch_size=500)
        return _apply(delta)


def _facts_locked(source: str, ids: list[int]) -> dict[int, m.RollupFact]:
    rows = m.RollupFact.objects.select_for_update().filter(source=source, source_id__in=ids)
    return {f.source_id: f for f in rows}


def _month_key(key: tuple) -> tuple:
    """The month cell of a day cell: its day replaced by the first of the month."""
    return (key[0][:8] + "01", *key[1:])


def _with_months(cells: dict[tuple[str, tuple], list[int]]) -> dict[tuple[str, tuple], list[int]]:
    """Day cells plus the month cells they add up to."""
    out = dict(cells)
    for (name, key), measures in cells.items():
        month = MONTHLY.get(name)
        if month is None:
            continue
        cell = (month, _month_key(key))
        acc = out.get(cell)
        out[cell] = (
            list(measures) if acc is None else [a + b for a, b in zip(acc, measures, strict=True)]
        )
    return out


def _apply(delta: dict[tuple[str, tuple], list[int]]) -> int:
    by_table: dict[str, list[tuple]] = defaultdict(list)
    for (name, key), measures in _with_months(delta).items():
        if any(measures):
            by_table[name].append((key, measures))
    quote = connection.ops.quote_name
    written = 0
    with connection.cursor() as cursor:
        for name, cells in sorted(by_table.items()):
            model = ROLLUPS[name]
            derived = [c for c in DERIVED if c in {f.column for f in model._meta.fields}]
            columns = [*model.KEY, *derived, *model.MEASURES]
            table = quote(model._meta.db_table)
            updates = ", ".join(
                f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in model.MEASURES
            )
            # Identifiers come from the models, never from input; values are parameters.
            names = ", ".join(quote(c) for c in columns)
            sql = (
                f"INSERT INTO {table} ({names}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(columns))}) "
                f"ON CONFLICT ({', '.join(quote(c) for c in model.KEY)}) DO UPDATE SET {updates}"
            )
            params = [
                (
                    dt.date.fromisoformat(key[0]),
                    *key[1:],
                    *(DERIVED[c](key) for c in derived),
                    *measures,
                )
                for key, measures in sorted(cells)
            ]
            cursor.executemany(sql, params)
            written += len(params)
    return written


# --- recomputing from the raw rows ---------------------------------------------------------


def rollup_recompute(
    sources: Iterable[str] | None = None,
) -> tuple[dict[str, dict[tuple, list[int]]], dict[str, dict[int, list]]]:
    """Every rollup derived from the raw rows alone: ``({rollup: {key: measures}},
    {source: {id: parts}})``."""
    totals: dict[str, dict[tuple, list[int]]] = {name: {} for name in ROLLUPS}
    facts: dict[str, dict[int, list]] = {}
    look, tz = _Lookups(), _tz()
    look.load_services()
    for name in sources or SOURCES:
        spec = SOURCES[name]
        per_row = facts[name] = {}
        for row in spec.rows(None):
            parts = spec.parts(row, look, tz)
            if not parts:
                continue
            per_row[row["pk"]] = [[n, list(k), list(v)] for n, k, v in parts]
            for rollup, key, measures in parts:
                cell = totals[rollup].get(key)
                if cell is None:
                    totals[rollup][key] = list(measures)
                else:
                    for i, value in enumerate(measures):
                        cell[i] += value
    for day_name, month_name in MONTHLY.items():
        months = totals[month_name]
        for key, measures in totals[day_name].items():
            cell = months.setdefault(_month_key(key), [0] * len(measures))
            for i, value in enumerate(measures):
                cell[i] += value
    for table in totals.values():
        for key in [k for k, v in table.items() if not any(v)]:
            del table[key]
    return totals, facts


def rollup_tables() -> dict[str, dict[tuple, list[int]]]:
    """The rollup tables as they are, in the shape of ``rollup_recompute`` (rows whose
    measures are all zero, left by subtractions, are ignored)."""
    out: dict[str, dict[tuple, list[int]]] = {}
    for name, model in ROLLUPS.items():
        table = out[name] = {}
        for row in model.objects.values_list(*model.KEY, *model.MEASURES).iterator(chunk_size=5000):
            key, measures = row[: len(model.KEY)], list(row[len(model.KEY) :])
            if any(measures):
                table[(key[0].isoformat(), *key[1:])] = measures
    return out


def rollup_check() -> dict[str, int]:
    """Rollup rows that differ from a recomputation, per rollup (all zero when in step)."""
    expected, _ = rollup_recompute()
    actual = rollup_tables()
    return {
        name: sum(
            1
            for key in expected[name].keys() | actual[name].keys()
            if expected[name].get(key) != actual[name].get(key)
        )
        for name in ROLLUPS
    }


@transaction.atomic
def rollup_rebuild(*, batch_size: int = 10000, set_based: bool = True) -> dict[str, int]:
    """Replace every rollup and fact by a recomputation from the raw rows (after a bulk
    load, or to repair); returns the rows written per rollup. On PostgreSQL the database
    computes them itself (``rollups_sql``, the same results); ``set_based=False``, and
    SQLite, recompute in Python and write with COPY on PostgreSQL."""
    if connection.vendor == "postgresql":
        # After a bulk load the planner needs fresh statistics for the recomputation.
        with connection.cursor() as cursor:
            for model in _source_models():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    if connection.vendor == "postgresql" and set_based:
        from .rollups_sql import rebuild_set_based

        written = rebuild_set_based()
        written.update(months_fill())
        return written
    totals, facts = rollup_recompute()
    for model in ROLLUPS.values():
        model.objects.all().delete()
    m.RollupFact.objects.all().delete()
    written: dict[str, int] = {}
    for name, table in totals.items():
        model = ROLLUPS[name]
        derived = [c for c in DERIVED if c in {f.column for f in model._meta.fields}]
        rows = (
            (
                dt.date.fromisoformat(key[0]),
                *key[1:],
                *(DERIVED[c](key) for c in derived),
                *measures,
            )
            for key, measures in table.items()
        )
        columns = [*model.KEY, *derived, *model.MEASURES]
        written[name] = _write(model._meta.db_table, columns, rows, batch_size)
    fact_rows = (
        (source, pk, json.dumps(parts, separators=(",", ":")))
        for source, per_row in facts.items()
        for pk, parts in per_row.items()
    )
    columns = ["source", "source_id", "parts"]
    written["facts"] = _write(m.RollupFact._meta.db_table, columns, fact_rows, batch_size)
    return written


def months_fill() -> dict[str, int]:
    """Refill the month rollups from their day rollups in SQL (after a set-based rebuild,
    or to populate them the first time); returns the rows written per month rollup."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        month = "CAST(date_trunc('month', {}) AS date)"
    else:
        month = "date({}, 'start of month')"
    written: dict[str, int] = {}
    with connection.cursor() as cursor:
        for day_name, month_name in MONTHLY.items():
            day_model, month_model = ROLLUPS[day_name], ROLLUPS[month_name]
            rest = [quote(c) for c in day_model.KEY[1:]]
            sums = ", ".join(f"SUM({quote(c)})" for c in day_model.MEASURES)
            columns = ", ".join([quote("day"), *rest, *(quote(c) for c in month_model.MEASURES)])
            target = quote(month_model._meta.db_table)
            cursor.execute(f"DELETE FROM {target}")  # noqa: S608
            # Identifiers come from the models, never from input.
            cursor.execute(
                f"INSERT INTO {target} ({columns}) "  # noqa: S608
                f"SELECT {month.format(quote('day'))}, {', '.join(rest)}, {sums} "
                f"FROM {quote(day_model._meta.db_table)} "
                f"GROUP BY {month.format(quote('day'))}, {', '.join(rest)}"
            )
            written[month_name] = cursor.rowcount
    return written


def _source_models():
    from django.apps import apps

    from .signals import TRACKED

    return [apps.get_model(app, name) for app, name in TRACKED]


def _write(table: str, columns: list[str], rows: Iterable[tuple], batch_size: int) -> int:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
