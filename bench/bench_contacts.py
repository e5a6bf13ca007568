"""Contact registration through the API under load: 16 clients against gunicorn.

POST /api/v1/contacts with a Bearer token (one per client, each a front-office staff
member) and an Idempotency-Key, on the people database (650,000 citizens, 10 M
contacts). gunicorn runs as a real multi-process server; the load generator is a
separate process with 16 keep-alive connections on asyncio. About one request in 50
is a retry of an earlier one (same key and body) and must answer 200 with the contact
the first request created. After a warm-up the run lasts a fixed time; reported are
throughput, latency percentiles, errors, the CPU each party used, and throughput
against the 1,000 req/s target. Afterwards the number of new contacts must equal the
number of 201 answers. The contacts the run registered are deleted again.

The load generator's own limit is measured too: the same clients against /healthz.
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
from pathlib import Path

from common import (
    cpu_cores_used,
    cpu_snapshot,
    gunicorn_start,
    gunicorn_stop,
    http_read_response,
    percentile,
    report,
)
from load_people import BENCH_KEY_PREFIX, bench_contacts_remove, people_setup

TARGET_RPS = 1000.0
CLIENTS = 16
WARM_UP_SECONDS = 3.0
SECONDS = 20.0
HEALTHZ_SECONDS = 5.0
RETRY_EVERY = 50  # one request in 50 repeats an earlier one
# workers:threads; gthread keeps the clients' connections alive. BENCH_GUNICORN overrides.
GUNICORN = os.environ.get("BENCH_GUNICORN", "2:8")
TOKEN_NAME = "bench-api"
CHANNELS = (("phone", 49), ("walk_in", 26), ("letter", 14), ("self_service", 6), ("email", 5))
OUTCOMES = (
    ("resolved", 76),
    ("case", 8),
    ("handed_over", 5),
    ("appointment", 5),
    ("self_service", 4),
    ("forwarded", 2),
)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        asyncio.run(_client_main(Path(sys.argv[2])))
        return
    people = people_setup("contact_register_api")
    if people is None:
        return
    import psycopg
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from borgerservice.accounts.models import ApiToken
    from borgerservice.api.auth import api_token_create
    from borgerservice.catalogue.models import Department, Service
    from borgerservice.citizens.models import Citizen
    from borgerservice.contacts.models import Contact

    run = f"{int(time.time())}"
    prefix = f"{BENCH_KEY_PREFIX}{run}-"
    ApiToken.objects.filter(name=TOKEN_NAME).delete()
    staff = list(
        get_user_model()
        .objects.filter(username__startswith="bench-", username__contains="-frontoffice-")
        .order_by("username")[:CLIENTS]
    )
    tokens = [api_token_create(user=user, name=TOKEN_NAME) for user in staff]
    rng = random.Random(int(run))
    citizen_ids = list(Citizen.objects.values_list("pk", flat=True).order_by("?")[:20_000])
    config = {
        "run": run,
        "tokens": tokens,
        "citizens": citizen_ids,
        "services": list(Service.objects.values_list("code", flat=True)),
        "departments": list(
            Department.objects.filter(kind="current").values_list("slug", flat=True)
        ),
        "seed": rng.randrange(1 << 30),
    }

    # Queries one registration costs, and one retry, through the full stack in-process.
    client = Client()
    body = json.dumps(_body(random.Random(1), config))
    headers = {"Authorization": f"Bearer {tokens[0]}", "Idempotency-Key": f"{prefix}probe"}
    for name, expected in (("", 201), ("_retry", 200)):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/api/v1/contacts", body, content_type="application/json", headers=headers
            )
        assert response.status_code == expected, (response.status_code, response.content)
        report(f"contact_register_queries_per_request{name}", len(queries), "queries")
    last_before = Contact.objects.order_by("-pk").values_list("pk", flat=True).first()
    connection.close()

    workers, threads = (int(part) for part in GUNICORN.split(":"))
    server, port = gunicorn_start(
        people.url, workers=workers, threads=threads, env={"SECRET_KEY": "bench-" + run * 4}
    )
    config["port"] = port
    try:
        config["server_pid"] = server.pid
        config["database"] = people.url.rsplit("/", 1)[1]
        with tempfile.TemporaryDirectory() as folder:
            config_file = Path(folder) / "config.json"
            health = _run_client(config_file, {**config, "mode": "healthz"})
            result = _run_client(config_file, {**config, "mode": "contacts"})
    finally:
        gunicorn_stop(server)

    report("contact_register_api_gunicorn_workers", workers, "processes")
    report("contact_register_api_gunicorn_threads", threads, "threads")
    report("contact_register_api_healthz_rps", health["rps"], "req/s")
    report("contact_register_api_healthz_client_cpu", health["cpu"]["client"], "cores")
    samples = result["latencies_ms"]
    report("contact_register_api_rps", result["rps"], "req/s")
    report("contact_register_api_p50", percentile(samples, 0.50), "ms")
    report("contact_register_api_p95", percentile(samples, 0.95), "ms")
    report("contact_register_api_p99", percentile(samples, 0.99), "ms")
    report("contact_register_api_requests", len(samples), "requests")
    report("contact_register_api_errors", result["errors"], "errors")
    for party in ("server", "postgres", "client", "other", "idle"):
        report(f"contact_register_api_cpu_{party}", result["cpu"][party], "cores")
    for party in ("server", "postgres"):
        per_request = result["cpu"][party] / result["rps"] * 1000
        report(f"contact_register_api_cpu_{party}_per_request", per_request, "ms")
    if result["cpu"]["other"] > 0.2:
        print("# warning: other processes used CPU during the run; figures are low", flush=True)
    report("contact_register_api_target_ratio", result["rps"] / TARGET_RPS, "ratio")

    created = Contact.objects.filter(pk__gt=last_before).count()
    assert Contact.objects.filter(idempotency_key__startswith=prefix).count() == created + 1
    retried = result["retries"]
    report("contact_register_api_created_201", result["created"], "contacts")
    report("contact_register_api_new_contacts", created, "contacts")
    report("contact_register_api_retries", retried, "requests")
    report("contact_register_api_retries_200_same_contact", result["retries_ok"], "requests")
    consistent = created == result["created"] and result["retries_ok"] == retried > 0
    report("contact_register_api_consistent", 1 if consistent else 0, "bool")
    with psycopg.connect(people.url, autocommit=True) as conn:
        bench_contacts_remove(conn)
    ApiToken.objects.filter(name=TOKEN_NAME).delete()
    if result["errors"] or not consistent:
        print(f"# statuses: {result['statuses']}", flush=True)
        sys.exit(1)


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


def _body(rng: random.Random, config: dict) -> dict:
    channel = rng.choices([c for c, _w in CHANNELS], weights=[w for _c, w in CHANNELS])[0]
    outcome = rng.choices([o for o, _w in OUTCOMES], weights=[w for _o, w in OUTCOMES])[0]
    services = rng.sample(config["services"], 2 if rng.random() < 0.25 else 1)
    body: dict = {"channel": channel, "outcome": outcome, "services": services}
    if rng.random() > 0.05:
        body["citizen_id"] = rng.choice(config["citizens"])
    if outcome == "handed_over":
        body["handed_over_to"] = rng.choice(config["departments"])
    elif outcome == "forwarded":
        body["forwarded_to"] = "Udbetaling Danmark"
        body["citizen_informed"] = True
    if rng.random() < 0.1:
        body["note"] = "Borgeren ringer igen i morgen."
    return body


async def _client_main(config_file: Path) -> None:
    config = json.loads(config_file.read_text(encoding="utf-8"))
    port, mode = config["port"], config["mode"]
    duration = HEALTHZ_SECONDS if mode == "healthz" else SECONDS
    start = time.perf_counter()
    measure_from = start + WARM_UP_SECONDS
    measure_to = measure_from + duration
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    totals = {"created": 0, "retries": 0, "retries_ok": 0, "errors": 0, "measured": 0}
    cpu: dict[str, dict] = {}

    async def sample_cpu() -> None:
        await asyncio.sleep(measure_from - time.perf_counter())
        cpu["from"] = cpu_snapshot(config["server_pid"], config["database"])
        await asyncio.sleep(measure_to - time.perf_counter())
        cpu["to"] = cpu_snapshot(config["server_pid"], config["database"])

    async def one_client(index: int) -> None:
        rng = random.Random(config["seed"] + index)
        token = config["tokens"][index % len(config["tokens"])]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent: list[tuple[bytes, int | None]] = []  # request and the contact id it gave
        sequence = 0
        while (now := time.perf_counter()) < measure_to:
            retry_of = None
            if mode == "healthz":
                request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            elif sequence % RETRY_EVERY == RETRY_EVERY - 1 and len(sent) >= 5:
                retry_of = len(sent) - 5
                request = sent[retry_of][0]
            else:
                body = json.dumps(_body(rng, config)).encode()
                request = (
                    "POST /api/v1/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Bearer {token}\r\n"
                    f"Idempotency-Key: {BENCH_KEY_PREFIX}{config['run']}-{index}-{sequence}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode() + body
            sequence += 1
            started = now
            try:
                writer.write(request)
                status, answer, close = await http_read_response(reader)
            except (OSError, asyncio.IncompleteReadError, RuntimeError):
                status, answer, close = 0, b"", True
            finished = time.perf_counter()
            statuses[status] += 1
            if started >= measure_from:
                latencies.append((finished - started) * 1000)
            if mode == "contacts":
                contact_id = json.loads(answer)["id"] if status in (200, 201) else None
                if retry_of is not None:
                    totals["retries"] += 1
                    if status == 200 and contact_id == sent[retry_of][1]:
                        totals["retries_ok"] += 1
                elif status == 201:
                    totals["created"] += 1
                    sent.append((request, contact_id))
                if status not in (200, 201) or (retry_of is None and status != 201):
                    totals["errors"] += 1
            elif status != 200:
                totals["errors"] += 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    sampler = asyncio.create_task(sample_cpu())
    await asyncio.gather(*(one_client(i) for i in range(CLIENTS)))
    await sampler
    used = cpu_cores_used(cpu["from"], cpu["to"])
    used["client"] = used.pop("self")
    print(
        json.dumps(
            {
                **totals,
                "rps": len(latencies) / duration,
                "latencies_ms": latencies,
                "statuses": dict(statuses),
                "cpu": used,
            }
        )
    )


if __name__ == "__main__":
    main()
