"""Catalogue search through the API over the full catalogue with KLE keywords loaded.

Sends the staff query table (tests/catalogue/staff_queries.json) and its ASCII
spellings to GET /api/v1/services?q=… through Django's full request stack and
reports latency percentiles, throughput, the cost of building the index, and
p95 against the 20 ms target as a ratio.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from common import REPO, report, setup_django, summarise

TARGET_P95_MS = 20.0
ROUNDS = 10


def main() -> None:
    vendor = setup_django()
    from django.db import close_old_connections
    from django.test import Client

    from borgerservice.catalogue import selectors
    from borgerservice.catalogue.models import KleTopic, Service
    from borgerservice.core.text import fold

    queries = [
        row["query"]
        for row in json.loads(
            (REPO / "tests" / "catalogue" / "staff_queries.json").read_text(encoding="utf-8")
        )
    ]
    queries += [fold(q) for q in queries]
    report("catalogue_search_services", Service.objects.count(), "services")
    report("catalogue_search_kle_topics", KleTopic.objects.count(), "topics")
    report("catalogue_search_on_postgresql", 1 if vendor == "postgresql" else 0, "bool")

    builds = []
    for _ in range(5):
        start = time.perf_counter()
        selectors._build_index()
        builds.append((time.perf_counter() - start) * 1000)
    summarise("catalogue_search_index_build", builds)

    client = Client()
    for query in queries:  # warm up: index built, connections open
        client.get("/api/v1/services", {"q": query, "limit": 10})
    samples = []
    start_all = time.perf_counter()
    for _ in range(ROUNDS):
        for query in queries:
            start = time.perf_counter()
            response = client.get("/api/v1/services", {"q": query, "limit": 10})
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (query, response.status_code)
    elapsed = time.perf_counter() - start_all
    summarise("catalogue_search_api", samples)
    report("catalogue_search_api_qps_1_thread", len(samples) / elapsed, "req/s")
    p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
    report("catalogue_search_api_p95_vs_target", p95 / TARGET_P95_MS, "ratio")

    def worker(chunk: list[str]) -> int:
        local = Client()
        for query in chunk:
            local.get("/api/v1/services", {"q": query, "limit": 10})
        close_old_connections()
        return len(chunk)

    threads = 4
    work = queries * ROUNDS
    chunks = [work[i::threads] for i in range(threads)]
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        done = sum(pool.map(worker, chunks))
    report(
        f"catalogue_search_api_qps_{threads}_threads", done / (time.perf_counter() - start), "req/s"
    )


if __name__ == "__main__":
    main()
