"""The rollup rebuild done by PostgreSQL itself, set-based, for bulk loads.

``rollups.rollup_rebuild`` recomputes every source row in Python (``_parts_<source>``), which
is the reference but takes minutes for a Copenhagen-scale year. On PostgreSQL the same
contributions are computed here in SQL: one temporary table per source holds each row's
values (local day and hour, durations, bins, the service's area and department), the rollups
are filled from all of them with one ``INSERT ... SELECT ... GROUP BY`` per rollup, and the
facts are built with ``jsonb_build_array`` in exactly the shape and order the Python parts
have, so ``rollup_refresh`` can later subtract them. The tests hold the result equal to
``rollup_recompute``.
"""

# The SQL here is put together from the models' table and column names and fixed
# expressions, never from input; the time zone and the bin edges are parameters.
# ruff: noqa: S608

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from . import models as m
from .bins import BIN_EDGES
from .rollups import ROLLUPS, WORK_CHANNEL

log = logging.getLogger(__name__)

DAY_ROLLUPS = (
    "contact_day",
    "contact_hour",
    "duration_bin",
    "ticket_hour",
    "booking_day",
    "case_day",
    "capacity_day",
    "link_day",
    "work_day",
    "survey_day",
)


WORK_MEM = "256MB"
SOURCE_NAMES = ("contact", "ticket", "session", "booking", "case", "link", "work", "survey")


@dataclass(frozen=True)
class _Part:
    rollup: str
    key: tuple[str, ...]  # expressions over the source's temporary table, in KEY order
    measures: tuple[str, ...]
    when: str = ""  # the condition under which the row contributes this part


def _seconds(start: str, end: str) -> str:
    """``rollups._seconds``: whole seconds (truncated), never negative; NULL without both."""
    return (
        f"(CASE WHEN {start} IS NULL OR {end} IS NULL THEN NULL "
        f"ELSE GREATEST(trunc(extract(epoch FROM ({end} - {start})))::bigint, 0) END)"
    )


def _local(value: str) -> str:
    return f"({value} AT TIME ZONE %(tz)s)"


def _bin(seconds: str) -> str:
    """``bins.bin_of`` of a non-negative number of seconds."""
    return f"(width_bucket({seconds}, %(edges)s::bigint[]) - 1)"


def _tables() -> dict[str, str]:
    from django.apps import apps

    names = {
        "contact": "contacts.Contact",
        "contact_service": "contacts.ContactService",
        "service": "catalogue.Service",
        "ticket": "queueing.Ticket",
        "group_service": None,
        "session": "queueing.CounterSession",
        "counter": "queueing.Counter",
        "booking": "booking.Booking",
        "slot": "booking.Slot",
        "case": "cases.Case",
        "case_event": "cases.CaseEvent",
        "link": "contacts.SelfServiceLink",
        "work": "queueing.WorkItem",
        "queue": "queueing.WorkQueue",
        "survey": "analytics.SurveyResponse",
    }
    quote = connection.ops.quote_name
    out = {k: quote(apps.get_model(v)._meta.db_table) for k, v in names.items() if v}
    group = apps.get_model("queueing.QueueGroup")
    out["group_service"] = quote(group.services.through._meta.db_table)
    return out


def _sources(t: dict[str, str]) -> dict[str, tuple[str, list[_Part]]]:
    """Per source: the SELECT of its temporary table, and its parts in the Python order."""
    first_service = (
        f"(SELECT contact_id, MIN(service_id) AS service FROM {t['contact_service']} "
        "GROUP BY contact_id)"
    )
    contact = (
        "SELECT c.id, c.channel, c.direction, c.outcome, COALESCE(c.centre_id, 0) AS centre, "
        "COALESCE(fs.service, 0) AS service, COALESCE(s.area_id, 0) AS area, "
        "COALESCE(s.department_id, 0) AS department, "
        f"CAST({_local('c.started_at')} AS date) AS day, "
        f"CAST(extract(hour FROM {_local('c.started_at')}) AS int) AS hour, "
        "c.could_be_digital::int AS could, "
        f"CASE WHEN c.ended_at IS NULL THEN NULL ELSE {_seconds('c.started_at', 'c.ended_at')} "
        "END AS handling "
        f"FROM {t['contact']} c LEFT JOIN {first_service} fs ON fs.contact_id = c.id "
        f"LEFT JOIN {t['service']} s ON s.id = fs.service"
    )
    contact_parts = [
        _Part(
            "contact_day",
            ("day", "channel", "direction", "outcome", "service", "area", "department", "centre"),
            ("1", "could", "COALESCE(handling, 0)", "(handling IS NOT NULL)::int"),
        ),
        _Part("contact_hour", ("day", "hour", "channel", "department", "centre"), ("1",)),
        _Part(
            "duration_bin",
            ("day", "'handling'", "channel", "department", "centre", "service", _bin("handling")),
            ("1", "handling"),
            "handling IS NOT NULL",
        ),
    ]
    group_first = (
        f"(SELECT DISTINCT ON (queuegroup_id) queuegroup_id, service_id FROM {t['group_service']} "
        "ORDER BY queuegroup_id, id)"
    )
    served = (
        f"GREATEST(COALESCE({_seconds('k.served_at', 'k.finished_at')}, 0) - k.parked_seconds, 0)"
    )
    ticket = (
        "SELECT k.id, k.day, k.centre_id AS centre, k.group_id, k.state, "
        f"CAST(extract(hour FROM {_local('k.drawn_at')}) AS int) AS hour, "
        "(k.booking_reference IS NOT NULL)::int AS booked, "
        "COALESCE(g.service_id, 0) AS service, COALESCE(s.department_id, 0) AS department, "
        f"{_seconds('k.queued_at', 'k.called_at')} AS wait, "
        f"CASE WHEN k.state = 'finished' AND k.served_at IS NOT NULL THEN {served} END AS served "
        f"FROM {t['ticket']} k LEFT JOIN {group_first} g ON g.queuegroup_id = k.group_id "
        f"LEFT JOIN {t['service']} s ON s.id = g.service_id"
    )
    ticket_parts = [
        _Part("ticket_hour", ("day", "hour", "centre", "group_id", "state"), ("1", "booked")),
        _Part(
            "duration_bin",
            ("day", "'ticket_wait'", "'walk_in'", "department", "centre", "service", _bin("wait")),
            ("1", "wait"),
            "wait IS NOT NULL",
        ),
        _Part(
            "duration_bin",
            (
                "day",
                "'ticket_service'",
                "'walk_in'",
                "department",
                "centre",
                "service",
                _bin("served"),
            ),
            ("1", "served"),
            "served IS NOT NULL",
        ),
        _Part("capacity_day", ("day", "centre"), ("0", "served", "1"), "served IS NOT NULL"),
    ]
    session = (
        f"SELECT x.id, CAST({_local('x.opened_at')} AS date) AS day, r.centre_id AS centre, "
        f"{_seconds('x.opened_at', 'x.closed_at')} AS staffed "
        f"FROM {t['session']} x JOIN {t['counter']} r ON r.id = x.counter_id "
        "WHERE x.closed_at IS NOT NULL"
    )
    session_parts = [_Part("capacity_day", ("day", "centre"), ("staffed", "0", "0"))]
    booking = (
        f"SELECT b.id, CAST({_local('l.starts_at')} AS date) AS day, "
        "COALESCE(l.centre_id, 0) AS centre, COALESCE(b.service_id, 0) AS service, "
        "COALESCE(s.department_id, 0) AS department, b.state "
        f"FROM {t['booking']} b JOIN {t['slot']} l ON l.id = b.slot_id "
        f"LEFT JOIN {t['service']} s ON s.id = b.service_id"
    )
    booking_parts = [
        _Part("booking_day", ("day", "centre", "service", "department", "state"), ("1",))
    ]
    complaint = (
        f'(SELECT DISTINCT ON (case_id) case_id, "on" FROM {t["case_event"]} '
        "WHERE kind = 'transition' AND to_status = 'complaint' ORDER BY case_id, at, id)"
    )
    case = (
        "SELECT c.id, c.received_on, c.closed_on, (c.closed_on <= c.due_on)::int AS on_time, "
        "c.department_id AS department, c.unit_id AS unit, "
        "COALESCE(c.caseworker_id, 0) AS caseworker, c.case_type_id AS case_type, c.channel, "
        'e."on" AS complaint_on '
        f"FROM {t['case']} c LEFT JOIN {complaint} e ON e.case_id = c.id"
    )
    dims = ("department", "unit", "caseworker", "case_type", "channel")
    case_parts = [
        _Part("case_day", ("received_on", "'received'", *dims), ("1", "0", "0")),
        _Part(
            "case_day",
            ("closed_on", "'closed'", *dims),
            ("1", "on_time", "1 - on_time"),
            "closed_on IS NOT NULL",
        ),
        _Part(
            "case_day",
            ("complaint_on", "'complaint'", *dims),
            ("1", "0", "0"),
            "complaint_on IS NOT NULL",
        ),
    ]
    link = (
        f"SELECT k.id, CAST({_local('k.sent_at')} AS date) AS day, "
        "COALESCE(k.service_id, 0) AS service, COALESCE(s.department_id, 0) AS department, "
        "k.via, (k.used_at IS NOT NULL)::int AS used "
        f"FROM {t['link']} k LEFT JOIN {t['service']} s ON s.id = k.service_id"
    )
    link_parts = [_Part("link_day", ("day", "service", "department", "via"), ("1", "used"))]
    channels = " ".join(
        f"WHEN '{kind}' THEN '{channel}'" for kind, channel in sorted(WORK_CHANNEL.items())
    )
    work = (
        f"SELECT w.id, CAST({_local('w.received_at')} AS date) AS day, w.kind, "
        "COALESCE(w.queue_id, 0) AS queue, w.state, w.outcome, "
        "COALESCE(w.service_id, 0) AS service, COALESCE(w.centre_id, 0) AS centre, "
        "COALESCE(NULLIF(COALESCE(s.department_id, 0), 0), q.department_id, 0) AS department, "
        "(w.overflowed_at IS NOT NULL)::int AS overflowed, "
        f"CASE w.kind {channels} ELSE '' END AS channel, "
        f"{_seconds('w.received_at', 'w.first_handled_at')} AS wait "
        f"FROM {t['work']} w LEFT JOIN {t['service']} s ON s.id = w.service_id "
        f"LEFT JOIN {t['queue']} q ON q.id = w.queue_id"
    )
    work_parts = [
        _Part(
            "work_day",
            ("day", "kind", "queue", "department", "state", "outcome"),
            ("1", "overflowed"),
        ),
        _Part(
            "duration_bin",
            ("day", "'work_wait'", "channel", "department", "centre", "service", _bin("wait")),
            ("1", "wait"),
            "wait IS NOT NULL",
        ),
    ]
    survey = (
        f"SELECT a.id, CAST({_local('a.answered_at')} AS date) AS day, a.score, c.channel, "
        "COALESCE(c.centre_id, 0) AS centre, COALESCE(fs.service, 0) AS service, "
        "COALESCE(s.department_id, 0) AS department "
        f"FROM {t['survey']} a JOIN {t['contact']} c ON c.id = a.contact_id "
        f"LEFT JOIN {first_service} fs ON fs.contact_id = a.contact_id "
        f"LEFT JOIN {t['service']} s ON s.id = fs.service"
    )
    survey_parts = [
        _Part("survey_day", ("day", "channel", "department", "centre", "service", "score"), ("1",))
    ]
    return {
        "contact": (contact, contact_parts),
        "ticket": (ticket, ticket_parts),
        "session": (session, session_parts),
        "booking": (booking, booking_parts),
        "case": (case, case_parts),
        "link": (link, link_parts),
        "work": (work, work_parts),
        "survey": (survey, survey_parts),
    }


def _json_key(expr: str, index: int) -> str:
    """A key value as the Python parts hold it: the day (always first) as an ISO string."""
    return f"to_char({expr}, 'YYYY-MM-DD')" if index == 0 else expr


def _fact_element(part: _Part) -> str:
    key = ", ".join(_json_key(e, i) for i, e in enumerate(part.key))
    return (
        f"jsonb_build_array('{part.rollup}', jsonb_build_array({key}), "
        f"jsonb_build_array({', '.join(part.measures)}))"
    )


def _fact_sql(source: str, parts: list[_Part], temp: str) -> str:
    """The INSERT of every row's fact: the list of its parts, those whose condition fails
    left out. One ``jsonb_build_array`` per combination of the (at most two) conditions,
    chosen by CASE: a third cheaper to compute than appending optional parts with ``||``,
    which copies the array for every part."""
    conditions = list(dict.fromkeys(p.when for p in parts if p.when))

    def array(true: set[str]) -> str:
        elements = [_fact_element(p) for p in parts if not p.when or p.when in true]
        return f"jsonb_build_array({', '.join(elements)})"

    branches = []  # (test, facts) for every combination, the last one all false
    for combo in itertools.product((True, False), repeat=len(conditions)):
        true = {c for c, holds in zip(conditions, combo, strict=True) if holds}
        test = " AND ".join(f"({c})" if c in true else f"NOT ({c})" for c in conditions)
        branches.append((test, array(true)))
    *tested, (_, otherwise) = branches
    whens = " ".join(f"WHEN {test} THEN {facts} " for test, facts in tested)
    facts = f"CASE {whens}ELSE {otherwise} END" if tested else otherwise
    table = connection.ops.quote_name(m.RollupFact._meta.db_table)
    return (
        f"INSERT INTO {table} (source, source_id, parts) SELECT '{source}', id, {facts} FROM {temp}"
    )


def rebuild_set_based() -> dict[str, int]:
    """Delete and refill the ten day rollups and every fact from the raw rows, in the
    caller's transaction (PostgreSQL only); returns the rows written per rollup and
    ``facts``. The month rollups are left to ``rollups.months_fill``."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the set-based rebuild needs PostgreSQL")
    quote = connection.ops.quote_name
    params = {"tz": settings.TIME_ZONE, "edges": list(BIN_EDGES)}
    written: dict[str, int] = {}
    selects: dict[str, list[str]] = {name: [] for name in DAY_ROLLUPS}
    with connection.cursor() as cursor:
        # Memory for the GROUP BYs to hash in, not sort on disk; for this transaction only.
        cursor.execute("SET LOCAL work_mem = %s", [WORK_MEM])
        # TRUNCATE, not DELETE: millions of old facts go at once (the rebuild holds the
        # tables exclusively until it commits, so no refresh interleaves with it).
        cursor.execute(f"TRUNCATE {quote(m.RollupFact._meta.db_table)}")
        facts = 0
        for source, (select, parts) in _sources(_tables()).items():
            temp = f"_rollup_rebuild_{source}"
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            step = time.perf_counter()
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS {select}", params)
            cursor.execute(f"ANALYZE {temp}")
            between = time.perf_counter()
            cursor.execute(_fact_sql(source, parts, temp), params)
            facts += cursor.rowcount
            log.info(
                "rollup rebuild: %s rows %.1f s, facts %.1f s",
                source,
                between - step,
                time.perf_counter() - between,
            )
            for part in parts:
                model = ROLLUPS[part.rollup]
                columns = [
                    f"{expr} AS {quote(c)}"
                    for expr, c in zip(
                        (*part.key, *part.measures), (*model.KEY, *model.MEASURES), strict=True
                    )
                ]
                where = f" WHERE {part.when}" if part.when else ""
                selects[part.rollup].append(f"SELECT {', '.join(columns)} FROM {temp}{where}")
        written["facts"] = facts
        for name in DAY_ROLLUPS:
            model = ROLLUPS[name]
            table = quote(model._meta.db_table)
            cursor.execute(f"TRUNCATE {table}")
            if not selects[name]:
                written[name] = 0
                continue
            key = [quote(c) for c in model.KEY]
            has_weekday = "weekday" in {f.column for f in model._meta.fields}
            derived = ["CAST(extract(isodow FROM day) AS int) - 1"] if has_weekday else []
            sums = [f"SUM({quote(c)})" for c in model.MEASURES]
            columns = [*key, *([quote("weekday")] if has_weekday else []), *model.MEASURES]
            nonzero = " OR ".join(f"{s} <> 0" for s in sums)
            step = time.perf_counter()
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join([*key, *derived, *sums])} "
                f"FROM ({' UNION ALL '.join(selects[name])}) AS parts "
                f"GROUP BY {', '.join(key)} HAVING {nonzero}",
                params,
            )
            written[name] = cursor.rowcount
            log.info("rollup rebuild: %s %.1f s", name, time.perf_counter() - step)
        for source in SOURCE_NAMES:
            cursor.execute(f"DROP TABLE IF EXISTS _rollup_rebuild_{source}")
    return written
