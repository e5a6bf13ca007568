"""The unit inbox under load over a million cases, and exporting a case with 500 documents.

Inbox: 16 caseworkers of the biggest unit (by open cases), each logged in with a session
of their own, open the HTML inbox ``/sager/?unit=<id>`` through gunicorn (a real
multi-process server, 2 workers × 8 threads like the contacts benchmark) with a mix of
filters: none, ``status=in_progress``, ``sla=at_risk``, ``sla=breached`` and pages 2–5.
The load generator keeps 16 keep-alive connections busy (closed loop) for a fixed time
after a warm-up. Reported: latency percentiles over all requests and per filter,
requests/s, errors, the CPU each party used, and p95 against the 50 ms target. Closed
loop, 16 clients keep the server saturated, so p95 is about 16 × (CPU per request) /
cores: on 2 cores the target needs under ~6 ms of CPU per page. Then the same users at a
person's pace (a page, a second reading it: ``cases_inbox_paced``), the JSON API
``GET /api/v1/cases`` with Bearer tokens (closed loop), and /healthz for the floor of the
server stack and the load generator. Before the load: the queries one page costs and the
plan (EXPLAIN ANALYZE) of each of the inbox's queries.

Export: a new case with 500 PDF documents of 20–200 KB (random bytes, as incompressible
as real PDFs' compressed streams) is exported five times with ``exports.case_export``;
reported are the median and the slowest run against the 5 s target, and the ZIP's size.
The case is deleted again afterwards, so the loaded data stay as they were.

On PostgreSQL (``BENCH_DATABASE_URL``) the data are a persistent database of 1 M cases
(``load_cases.py``); without it a temporary SQLite file with 20,000 (``BENCH_CASES``).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from common import gunicorn_start, gunicorn_stop, http_load, percentile, report, summarise
from load_cases import BENCH_TITLE_PREFIX, bench_cases_remove, bench_staff, cases_setup

TARGET_P95_MS = 50.0
TARGET_EXPORT_SECONDS = 5.0
CLIENTS = 16
WARM_UP_SECONDS = float(os.environ.get("BENCH_WARM_UP", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
HEALTHZ_SECONDS = 5.0
PACED_THINK = 1.0  # seconds a paced user reads a page before the next
GUNICORN = os.environ.get("BENCH_GUNICORN", "2:8")  # workers:threads
TOKEN_NAME = "bench-cases"
DOCUMENTS = 500
EXPORT_RUNS = 5
# (label, query string after unit=<id>, weight)
FILTERS = (
    ("first_page", "", 30),
    ("status_in_progress", "&status=in_progress", 20),
    ("sla_at_risk", "&sla=at_risk", 15),
    ("sla_breached", "&sla=breached", 15),
    ("page_2_to_5", "&page={page}", 20),
)
HTML_MARKER = b'id="inbox-results"'
# Explained too, not part of the load mix.
EXPLAIN_ONLY = (("sla_on_track", "&sla=on_track", 0), ("sla_paused", "&sla=paused", 0))


def main() -> None:
    media = tempfile.mkdtemp(prefix="bench-cases-media-")
    os.environ["MEDIA_ROOT"] = media  # before Django reads its settings
    data = cases_setup("cases")
    removed = bench_cases_remove()
    if removed:
        print(f"# removed {removed} cases left by an interrupted benchmark", flush=True)
    from django.test import Client

    from borgerservice.accounts.models import ApiToken
    from borgerservice.api.auth import api_token_create
    from borgerservice.cases.models import Unit

    unit_id, unit_code = _row_counts()
    staff = bench_staff(unit_id, CLIENTS)
    assert len(staff) == CLIENTS, len(staff)
    ApiToken.objects.filter(name=TOKEN_NAME).delete()
    sessions, tokens = [], []
    for user in staff:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
        tokens.append(api_token_create(user=user, name=TOKEN_NAME))

    failed = False
    try:
        unit = Unit.objects.get(pk=unit_id)
        html_ok = _probe(
            "cases_inbox",
            staff[0],
            f"/sager/?unit={unit_id}",
            lambda response: HTML_MARKER in response.content,
        )
        api_path = f"/api/v1/cases?unit={unit.code}"
        api_ok = _probe(
            "cases_api_inbox",
            staff[0],
            api_path,
            lambda response: b'"items"' in response.content,
            headers={"Authorization": f"Bearer {tokens[0]}"},
        )
        _explain(staff[0], unit_id)
        if html_ok or api_ok:
            failed = _load(data, unit_id, unit_code, sessions, tokens, html_ok, api_ok)
        failed = failed or not html_ok
        failed = _export_bench(staff[0], unit_id) or failed
    finally:
        ApiToken.objects.filter(name=TOKEN_NAME).delete()
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key__in=sessions).delete()
        bench_cases_remove()
        shutil.rmtree(media, ignore_errors=True)
        if data.vendor == "sqlite":
            shutil.rmtree(Path(data.url.removeprefix("sqlite:///")).parent, ignore_errors=True)
    if failed:
        sys.exit(1)


def _row_counts() -> tuple[int, str]:
    """Print the database's row counts; return the unit with the most open cases."""
    from django.db import connection
    from django.db.models import Count

    from borgerservice.cases.models import Case, CaseEvent, CaseParty, CaseType, Unit
    from borgerservice.citizens.models import Citizen

    open_cases = Case.objects.exclude(status="closed")
    biggest = (
        open_cases.values("unit_id", "unit__code").annotate(n=Count("id")).order_by("-n").first()
    )
    report("cases_rows", Case.objects.count(), "rows")
    report("cases_open_rows", open_cases.count(), "rows")
    report("cases_event_rows", CaseEvent.objects.count(), "rows")
    report("cases_party_rows", CaseParty.objects.count(), "rows")
    report("cases_citizen_rows", Citizen.objects.count(), "rows")
    report("cases_case_types", CaseType.objects.count(), "types")
    report("cases_units", Unit.objects.count(), "units")
    report(
        "cases_biggest_unit_cases", Case.objects.filter(unit_id=biggest["unit_id"]).count(), "rows"
    )
    report("cases_biggest_unit_open", biggest["n"], "rows")
    print(f"# biggest unit: {biggest['unit__code']} ({connection.vendor})", flush=True)
    return biggest["unit_id"], biggest["unit__code"]


def _probe(prefix: str, user, path: str, check, headers=None, attempts: int = 3) -> bool:
    """One request in-process: its status, queries and time. Retries (the page may be
    being rewritten while this runs) and reports False when it never answers 200."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for attempt in range(attempts):
        try:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path, headers=headers or {})
                elapsed = (time.perf_counter() - started) * 1000
        except Exception as exc:  # a view being edited may not even import
            print(f"# {prefix}: {path} raised {exc!r}", flush=True)
            response = None
        if response is not None and response.status_code == 200 and check(response):
            report(f"{prefix}_queries_per_request", len(queries), "queries")
            print(f"# {prefix}: {path} in-process, first request {elapsed:.1f} ms", flush=True)
            return True
        status = response.status_code if response is not None else "error"
        print(f"# {prefix}: {path} answered {status}; attempt {attempt + 1}", flush=True)
        if attempt + 1 < attempts:
            time.sleep(10)
    print(f"# {prefix}: skipped, {path} does not answer 200 with the expected body", flush=True)
    return False


def _explain(user, unit_id: int) -> None:
    """The plan and time of each query ``inbox_cases`` runs, for the filters of the load."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from borgerservice.cases import selectors

    for label, query, _weight in (*FILTERS, *EXPLAIN_ONLY):
        params = dict(part.split("=") for part in query.format(page=3).split("&") if part)
        kwargs = {key: value for key, value in params.items() if key in ("status", "sla")}
        if "page" in params:
            kwargs["page"] = int(params["page"])
        fresh = type(user).objects.get(pk=user.pk)  # no cached unit ids
        with CaptureQueriesContext(connection) as captured:
            selectors.inbox_cases(user=fresh, unit_id=unit_id, **kwargs)
        for index, entry in enumerate(captured.captured_queries):
            sql = entry["sql"]
            if "cases_case" not in sql:
                continue
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0][0]
                    top = plan["Plan"]
                    print(
                        f"# explain {label} q{index}: execution {plan['Execution Time']:.2f} ms, "
                        f"planning {plan['Planning Time']:.2f} ms, top node {top['Node Type']}, "
                        f"{_plan_nodes(top)}",
                        flush=True,
                    )
                    report(f"cases_inbox_sql_{label}_q{index}_ms", plan["Execution Time"], "ms")
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    steps = "; ".join(str(row[-1]) for row in cursor.fetchall())
                    print(f"# explain {label} q{index}: {steps}", flush=True)


def _plan_nodes(node: dict) -> str:
    """The plan's nodes, depth first: type, index, actual rows."""
    parts = []
    stack = [node]
    while stack:
        item = stack.pop()
        name = item["Node Type"]
        if item.get("Index Name"):
            name += f" using {item['Index Name']}"
        if item.get("Relation Name") and not item.get("Index Name"):
            name += f" on {item['Relation Name']}"
        removed = item.get("Rows Removed by Filter")
        extra = f", {removed} removed by filter" if removed else ""
        parts.append(f"{name} (rows {item.get('Actual Rows')}{extra})")
        stack.extend(reversed(item.get("Plans", [])))
    return " > ".join(parts)


def _paths(unit: str, rng: random.Random, count: int = 60) -> list[tuple[str, str]]:
    labels = [label for label, _q, _w in FILTERS]
    weights = [weight for _l, _q, weight in FILTERS]
    queries = {label: query for label, query, _w in FILTERS}
    chosen = rng.choices(labels, weights=weights, k=count)
    return [(label, unit + queries[label].format(page=rng.randint(2, 5))) for label in chosen]


def _load(data, unit_id, unit_code, sessions, tokens, html_ok: bool, api_ok: bool) -> bool:
    from django.conf import settings
    from django.db import connection

    database = data.url.rsplit("/", 1)[1] if data.vendor == "postgresql" else None
    connection.close()
    workers, threads = (int(part) for part in GUNICORN.split(":"))
    rng = random.Random(4)
    # The sessions were signed with this process's SECRET_KEY: the server needs the same.
    env = {"SECRET_KEY": settings.SECRET_KEY}
    server, port = gunicorn_start(data.url, workers=workers, threads=threads, env=env)
    failed = False
    try:
        runs = []
        if html_ok:
            requests = [
                [
                    (
                        label,
                        f"GET /sager/?{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        f"Cookie: sessionid={session}\r\n\r\n".encode(),
                    )
                    for label, path in _paths(f"unit={unit_id}", rng)
                ]
                for session in sessions
            ]
            runs.append(("cases_inbox", requests, _html_ok, 0.0, SECONDS))
            # The same users at a person's pace: a page, then a second reading it.
            runs.append(("cases_inbox_paced", requests, _html_ok, PACED_THINK, SECONDS))
        else:
            print("# cases_inbox: the HTML inbox did not answer; its load run is skipped")
        if api_ok:
            requests = [
                [
                    (
                        label,
                        f"GET /api/v1/cases?{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        f"Authorization: Bearer {token}\r\n\r\n".encode(),
                    )
                    for label, path in _paths(f"unit={unit_code}", rng)
                ]
                for token in tokens
            ]
            runs.append(("cases_api_inbox", requests, _api_ok, 0.0, SECONDS))
        else:
            print("# cases_api_inbox: GET /api/v1/cases is not there yet; skipped", flush=True)
        # The floor: the same clients against /healthz (server stack and load generator).
        health = [[("healthz", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")]] * CLIENTS
        runs.append(("cases_healthz", health, lambda s, b: s == 200, 0.0, HEALTHZ_SECONDS))
        for prefix, requests, ok, think, seconds in runs:
            result = http_load(
                port,
                requests,
                warm_up=WARM_UP_SECONDS,
                seconds=seconds,
                server_pid=server.pid,
                database=database,
                ok=ok,
                think=think,
            )
            failed = _report_load(prefix, result, postgres=database is not None) or failed
    finally:
        gunicorn_stop(server)
    report("cases_inbox_gunicorn_workers", workers, "processes")
    report("cases_inbox_gunicorn_threads", threads, "threads")
    return failed


def _html_ok(status: int, body: bytes) -> bool:
    return status == 200 and HTML_MARKER in body


def _api_ok(status: int, body: bytes) -> bool:
    return status == 200 and b'"items"' in body


def _report_load(prefix: str, result: dict, *, postgres: bool) -> bool:
    samples = result["latencies_ms"]
    summarise(prefix, samples)
    report(f"{prefix}_rps", result["rps"], "req/s")
    report(f"{prefix}_requests", len(samples), "requests")
    report(f"{prefix}_errors", result["errors"], "errors")
    for label, _query, _weight in FILTERS:
        own = [ms for name, ms in result["samples"] if name == label]
        if own:
            report(f"{prefix}_{label}_p50", percentile(own, 0.50), "ms")
            report(f"{prefix}_{label}_p95", percentile(own, 0.95), "ms")
    cpu = result["cpu"]
    cpu["client"] = cpu.pop("self")
    # On SQLite the PostgreSQL figure would be other programs' databases: left out.
    parties = ("server", "postgres") if postgres else ("server",)
    for party in (*parties, "client", "other", "idle"):
        report(f"{prefix}_cpu_{party}", cpu[party], "cores")
    if result["rps"]:
        for party in parties:
            per_request = cpu[party] / result["rps"] * 1000
            report(f"{prefix}_cpu_{party}_per_request", per_request, "ms")
    if cpu["other"] > 0.2:
        print("# warning: other processes used CPU during the run; latencies are high", flush=True)
    if prefix != "cases_healthz":
        report(f"{prefix}_p95_ratio", percentile(samples, 0.95) / TARGET_P95_MS, "ratio")
    if result["errors"]:
        print(f"# {prefix} statuses: {result['statuses']}", flush=True)
    return bool(result["errors"])


def _export_bench(user, unit_id: int) -> bool:
    """Export one case with 500 documents five times. True when it failed."""
    from django.db import transaction

    from borgerservice.cases import services
    from borgerservice.cases.documents import document_store
    from borgerservice.cases.models import CaseParty, CaseType, Direction, Unit

    try:
        from borgerservice.cases.exports import case_export
    except ImportError as exc:
        print(f"# case_export: skipped, cases.exports cannot be imported ({exc})", flush=True)
        return True
    unit = Unit.objects.get(pk=unit_id)
    case_type = CaseType.objects.filter(service__department_id=unit.department_id).first()
    citizen = CaseParty.objects.select_related("citizen").first().citizen
    rng = random.Random(500)
    started = time.perf_counter()
    case = services.case_create(
        user=user,
        case_type=case_type or CaseType.objects.first(),
        citizen=citizen,
        title=f"{BENCH_TITLE_PREFIX}access to records with {DOCUMENTS} documents",
        channel="letter",
        unit=unit,
    )
    stored = 0
    with transaction.atomic():
        case = services.case_locked(case.pk)
        for index in range(DOCUMENTS):
            size = rng.randint(20_000, 200_000)
            content = b"%PDF-1.7\n" + rng.randbytes(size - 9)
            stored += size
            document_store(
                user=user,
                case=case,
                title=f"Bilag {index + 1}: dokumentation",
                direction=Direction.INCOMING if index % 3 else Direction.OUTGOING,
                filename=f"bilag-{index + 1:03d}.pdf",
                content=content,
                content_type="application/pdf",
            )
    report("case_export_documents", DOCUMENTS, "documents")
    report("case_export_documents_bytes", stored / 1e6, "MB")
    report("case_export_setup_seconds", time.perf_counter() - started, "s")

    seconds, size, entries = [], 0, 0
    for _run in range(EXPORT_RUNS):
        started = time.perf_counter()
        export = case_export(user=user, case_id=case.pk)
        seconds.append(time.perf_counter() - started)
        size = export.size
        with zipfile.ZipFile(export.file) as archive:
            names = archive.namelist()
            entries = len(names)
            bad = archive.testzip() if _run == 0 else None
        export.file.close()
        assert bad is None, bad
    pdfs = sum(1 for name in names if name.lower().endswith(".pdf"))
    report("case_export_500_p50", statistics.median(seconds), "s")
    report("case_export_500_max", max(seconds), "s")
    report("case_export_500_min", min(seconds), "s")
    report("case_export_500_runs", len(seconds), "runs")
    report("case_export_500_zip_size", size / 1e6, "MB")
    report("case_export_500_zip_entries", entries, "files")
    report("case_export_500_ratio", statistics.median(seconds) / TARGET_EXPORT_SECONDS, "ratio")
    if pdfs < DOCUMENTS:
        print(f"# case_export: only {pdfs} PDF files in the ZIP, expected {DOCUMENTS}", flush=True)
        return True
    return False


if __name__ == "__main__":
    main()
