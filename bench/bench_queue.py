"""Walk-in queues under load: "call next" and ticket drawing through the API.

Eight service centres with four queues and twenty counters each: 160 counter clients, each
a front-office staff member signed in at a counter with all four queues as skills, press
"call next" and then mark the called citizen absent (the quickest way to free the counter
again); 40 kiosk clients draw tickets in the same centres at the same time. 200 clients
in all, each on a keep-alive connection of its own to gunicorn, the load generator in a
process of its own. The queues are filled beforehand so nobody runs dry.

Two runs:

- **closed loop**: every client sends its next request as soon as the answer comes; this
  is the worst case, 200 requests always in flight on a two-core machine;
- **paced**: each client pauses between its requests as a person at a counter would (the
  pause is random, exponential with a mean of ``PACED_THINK`` seconds — far shorter than a
  real service takes; a fixed pause would keep clients that started together in step), which shows
  the latency a counter sees at a given request rate.

Reported per run: call-next and draw latency percentiles, requests per second, tickets per
second drawn, the CPU each party used, and the duplicates found afterwards — a ticket
answered to two counters, two tickets with the same number in a queue and day, or a
difference between the 201 answers and the tickets in the database. All must be zero.
The target is a call-next p99 of at most 50 ms; its ratio is printed for both runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import time as clock_time
from pathlib import Path

from common import (
    cpu_cores_used,
    cpu_snapshot,
    gunicorn_start,
    gunicorn_stop,
    http_read_response,
    percentile,
    report,
    setup_django,
)

CENTRES = 8
QUEUES_PER_CENTRE = 4
COUNTERS_PER_CENTRE = 20
KIOSKS = 40
TARGET_P99_MS = 50.0
WARM_UP_SECONDS = 3.0
SECONDS = float(os.environ.get("BENCH_QUEUE_SECONDS", "20"))
PACED_SECONDS = float(os.environ.get("BENCH_QUEUE_PACED_SECONDS", "30"))
# A counter really calls once per citizen served, every few minutes; 10 s is some 30 times
# that pace and keeps the two-core machine at about half its capacity.
PACED_THINK = float(os.environ.get("BENCH_QUEUE_THINK", "10.0"))
PREFILL_PER_QUEUE = 1500
GUNICORN = os.environ.get("BENCH_GUNICORN", "2:8")
TOKEN_NAME = "bench-queue"

# The API the clients use (borgerservice.queueing.api).
CALL_NEXT = "/api/v1/queue/sessions/{session}/call-next"
NO_SHOW = "/api/v1/queue/tickets/{ticket}/no-show"
DRAW = "/api/v1/queue/tickets"


def _setup() -> dict:
    """Centres, queues, counters, staff with tokens and open counter sessions, prefilled
    queues; returns what the load generator needs."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from borgerservice.accounts.roles import FRONT_OFFICE, roles_ensure
    from borgerservice.api.auth import api_token_create
    from borgerservice.catalogue.models import OpeningHours, ServiceCentre
    from borgerservice.queueing.models import Counter as QueueCounter
    from borgerservice.queueing.models import QueueGroup, Ticket, TicketSequence
    from borgerservice.queueing.services import counter_open

    groups_by_role = roles_ensure()
    centres = list(
        ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE).order_by("code")
    )[:CENTRES]
    for n in range(len(centres), CENTRES):
        centres.append(
            ServiceCentre.objects.create(
                code=f"bench-centre-{n}",
                name_da=f"Benchmark-center {n}",
                name_en=f"Benchmark centre {n}",
                kind=ServiceCentre.Kind.SERVICE_CENTRE,
            )
        )
    # Open around the clock in the bench database, so the run works at any hour.
    OpeningHours.objects.filter(centre__in=centres, line=OpeningHours.Line.GENERAL).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(
            centre=centre,
            line=OpeningHours.Line.GENERAL,
            weekday=day,
            opens=clock_time(0, 0),
            closes=clock_time(23, 59, 59),
        )
        for centre in centres
        for day in range(7)
    )
    now = timezone.now()
    today = timezone.localdate(now)
    user_model = get_user_model()
    sessions, kiosks = [], []
    for c, centre in enumerate(centres):
        groups = [
            QueueGroup.objects.create(
                centre=centre,
                code=f"bench-{letter.lower()}",
                prefix=letter,
                name_da=f"Kø {letter}",
                name_en=f"Queue {letter}",
                sort_order=n,
            )
            for n, letter in enumerate("ABCD"[:QUEUES_PER_CENTRE])
        ]
        tickets = []
        for group in groups:
            for number in range(1, PREFILL_PER_QUEUE + 1):
                tickets.append(
                    Ticket(
                        centre=centre,
                        group=group,
                        day=today,
                        number=number,
                        code=Ticket.format_code(group.prefix, number),
                        drawn_at=now,
                        queued_at=now,
                    )
                )
            TicketSequence.objects.create(
                centre=centre, group=group, day=today, last_number=PREFILL_PER_QUEUE
            )
        Ticket.objects.bulk_create(tickets, batch_size=2000)
        for n in range(COUNTERS_PER_CENTRE):
            counter = QueueCounter.objects.create(
                centre=centre, code=f"bench-{n + 1}", name=f"Skranke {n + 1}", sort_order=n
            )
            user = user_model.objects.create_user(
                username=f"bench-queue-{c}-{n}", password=None, first_name="Skranke"
            )
            user.groups.add(groups_by_role[FRONT_OFFICE])
            session = counter_open(user=user, counter=counter, groups=groups)
            token = api_token_create(user=user, name=TOKEN_NAME)
            sessions.append({"session": session.pk, "token": token})
        kiosk_user = user_model.objects.create_user(username=f"bench-kiosk-{c}", password=None)
        kiosk_user.groups.add(groups_by_role[FRONT_OFFICE])
        kiosks.append(
            {
                "centre": centre.code,
                "groups": [g.code for g in groups],
                "token": api_token_create(user=kiosk_user, name=TOKEN_NAME),
            }
        )
    return {"sessions": sessions, "kiosks": kiosks}


def _duplicates(run_results: list[dict]) -> dict[str, int]:
    """What the database and the answers say about duplicates after the runs."""
    from django.db import connection
    from django.db.models import Count

    from borgerservice.queueing.models import Ticket

    called = Counter(t for result in run_results for t in result["called_ids"])
    drawn_201 = sum(result["drawn"] for result in run_results)
    same_number = (
        Ticket.objects.values("centre", "day", "group", "number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM queueing_ticket")
        (total,) = cursor.fetchone()
    prefilled = CENTRES * QUEUES_PER_CENTRE * PREFILL_PER_QUEUE
    return {
        "ticket_called_twice": sum(1 for n in called.values() if n > 1),
        "same_number_in_queue": same_number,
        "drawn_mismatch": abs((total - prefilled) - drawn_201),
        "called_but_not_no_show": Ticket.objects.filter(pk__in=list(called))
        .exclude(state="no_show")
        .exclude(state="called")
        .count(),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        asyncio.run(_client_main(Path(sys.argv[2])))
        return
    vendor = setup_django()
    print(f"# database: {vendor}", flush=True)
    if vendor != "postgresql":
        print("# the queue benchmark needs PostgreSQL (200 clients); skipped", flush=True)
        return
    from django.conf import settings
    from django.db import connection

    config = _setup()
    connection.close()
    database_url = os.environ["DATABASE_URL"]
    workers, threads = (int(part) for part in GUNICORN.split(":"))
    # Connections idle longer than the paced pause between a counter's requests stay open.
    server, port = gunicorn_start(database_url, workers=workers, threads=threads, keep_alive=60)
    results = []
    try:
        config.update(
            port=port,
            server_pid=server.pid,
            database=settings.DATABASES["default"]["NAME"],
            seed=random.randrange(1 << 30),
        )
        with tempfile.TemporaryDirectory() as folder:
            config_file = Path(folder) / "config.json"
            runs = (("closed", 0.0, SECONDS), ("paced", PACED_THINK, PACED_SECONDS))
            for mode, think, seconds in runs:
                result = _run_client(config_file, {**config, "think": think, "seconds": seconds})
                results.append(result)
                _report(mode, result, seconds)
    finally:
        gunicorn_stop(server)
    report("queue_gunicorn_workers", workers, "processes")
    report("queue_gunicorn_threads", threads, "threads")
    report("queue_clients", len(config["sessions"]) + KIOSKS, "clients")
    failed = False
    for name, value in _duplicates(results).items():
        report(f"queue_duplicates_{name}", value, "count")
        failed = failed or value != 0
    if failed or any(r["errors"] for r in results):
        print(f"# statuses: {[r['statuses'] for r in results]}", flush=True)
        sys.exit(1)


def _report(mode: str, result: dict, seconds: float) -> None:
    prefix = f"queue_{mode}"
    for label in ("call_next", "no_show", "draw"):
        samples = result["latencies_ms"][label]
        for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
            report(f"{prefix}_{label}_{name}", percentile(samples, fraction), "ms")
        report(f"{prefix}_{label}_per_second", len(samples) / seconds, "req/s")
    report(f"{prefix}_tickets_drawn_per_second", result["drawn_measured"] / seconds, "tickets/s")
    report(f"{prefix}_errors", result["errors"], "errors")
    busy = result["cpu"]["server"] + result["cpu"]["postgres"]
    requests = sum(len(v) for v in result["latencies_ms"].values())
    if requests:
        report(f"{prefix}_cpu_per_request", busy * seconds / requests * 1000, "ms")
    for party in ("server", "postgres", "client", "other", "idle"):
        report(f"{prefix}_cpu_{party}", result["cpu"][party], "cores")
    p99 = percentile(result["latencies_ms"]["call_next"], 0.99)
    report(f"{prefix}_call_next_p99_target_ratio", p99 / TARGET_P99_MS, "ratio")
    if result["cpu"]["other"] > 0.2:
        print("# warning: other processes used CPU during the run; figures are low", flush=True)


def _run_client(config_file: Path, config: dict) -> dict:
    config_file.write_text(json.dumps(config), encoding="utf-8")
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--client", str(config_file)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout)


# -- the load generator (a process of its own) -------------------------------------------


def _post(path: str, token: str, body: dict | None = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    ).encode() + data


async def _client_main(config_file: Path) -> None:
    config = json.loads(config_file.read_text(encoding="utf-8"))
    port, think = config["port"], config["think"]
    start = time.perf_counter()
    measure_from = start + WARM_UP_SECONDS
    measure_to = measure_from + config["seconds"]
    latencies: dict[str, list[float]] = {"call_next": [], "no_show": [], "draw": []}
    statuses: Counter[int] = Counter()
    totals = {"errors": 0, "drawn": 0, "drawn_measured": 0}
    called_ids: list[int] = []
    cpu: dict[str, dict] = {}
    clients = len(config["sessions"]) + len(config["kiosks"])

    async def sample_cpu() -> None:
        await asyncio.sleep(measure_from - time.perf_counter())
        cpu["from"] = cpu_snapshot(config["server_pid"], config["database"])
        await asyncio.sleep(measure_to - time.perf_counter())
        cpu["to"] = cpu_snapshot(config["server_pid"], config["database"])

    async def exchange(state: dict, label: str, request: bytes, ok: tuple[int, ...]):
        started = time.perf_counter()
        try:
            state["writer"].write(request)
            status, answer, close = await http_read_response(state["reader"])
        except (OSError, asyncio.IncompleteReadError, RuntimeError):
            status, answer, close = 0, b"", True
        finished = time.perf_counter()
        statuses[status] += 1
        if measure_from <= started < measure_to:
            latencies[label].append((finished - started) * 1000)
        if status not in ok:
            totals["errors"] += 1
        if close:
            state["writer"].close()
            state["reader"], state["writer"] = await asyncio.open_connection("127.0.0.1", port)
        return status, answer, started

    async def counter_client(index: int, own: dict) -> None:
        rng = random.Random(config["seed"] - index)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        state = {"reader": reader, "writer": writer}
        if think:
            await asyncio.sleep(think * index / clients)
        call = _post(CALL_NEXT.format(session=own["session"]), own["token"])
        while time.perf_counter() < measure_to:
            status, answer, _started = await exchange(state, "call_next", call, (200,))
            called = json.loads(answer).get("ticket") if status == 200 else None
            if called:
                ticket = called["id"]
                called_ids.append(ticket)
                no_show = _post(NO_SHOW.format(ticket=ticket), own["token"])
                await exchange(state, "no_show", no_show, (200,))
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))
        state["writer"].close()

    async def kiosk_client(index: int, own: dict) -> None:
        rng = random.Random(config["seed"] + index)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        state = {"reader": reader, "writer": writer}
        if think:
            await asyncio.sleep(think * index / clients)
        while time.perf_counter() < measure_to:
            body = {"centre": own["centre"], "group": rng.choice(own["groups"])}
            status, _answer, started = await exchange(
                state, "draw", _post(DRAW, own["token"], body), (201,)
            )
            if status == 201:
                totals["drawn"] += 1
                if measure_from <= started < measure_to:
                    totals["drawn_measured"] += 1
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))
        state["writer"].close()

    sampler = asyncio.create_task(sample_cpu())
    kiosks = [config["kiosks"][i % len(config["kiosks"])] for i in range(KIOSKS)]
    await asyncio.gather(
        *(counter_client(i, own) for i, own in enumerate(config["sessions"])),
        *(kiosk_client(len(config["sessions"]) + i, own) for i, own in enumerate(kiosks)),
    )
    await sampler
    used = cpu_cores_used(cpu["from"], cpu["to"])
    used["client"] = used.pop("self")
    print(
        json.dumps(
            {
                **totals,
                "latencies_ms": latencies,
                "called_ids": called_ids,
                "statuses": dict(statuses),
                "cpu": used,
            }
        )
    )


if __name__ == "__main__":
    main()
