"""Work-item routing under contention: agents asking for their next item at once.

40 contact-centre agents (threads in this process, each with its own PostgreSQL connection;
the default limit of 100 connections leaves room for nothing much larger) are available
with the same two skills. Each repeats: next item (``work_next``: the oldest waiting item
of their queues, offered under their row lock), accept, finish. 20,000 items wait in the
two queues beforehand. Reported: percentiles of ``work_next`` and of the whole
next–accept–finish cycle, items finished per second, and the invariants checked
afterwards: no item offered to two agents at once or finished twice, no agent above the
WIP limit (the database's check constraints hold that too) and every finished item with
its time to first handling.

The threads share one Python interpreter, so part of each latency is waiting for the GIL;
the figures are an upper bound for a server with several worker processes.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections import Counter

from common import percentile, report, setup_django

AGENTS = 40
ITEMS = 20_000
SECONDS = float(os.environ.get("BENCH_WORK_SECONDS", "15"))
WARM_UP_SECONDS = 2.0


def main() -> None:
    vendor = setup_django()
    print(f"# database: {vendor}", flush=True)
    if vendor != "postgresql":
        print("# the work-item benchmark needs PostgreSQL (40 connections); skipped", flush=True)
        return
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.utils import timezone

    from borgerservice.accounts.roles import FRONT_OFFICE, roles_ensure
    from borgerservice.catalogue.models import Service
    from borgerservice.queueing import work
    from borgerservice.queueing.models import (
        AgentSkill,
        WorkItem,
        WorkQueue,
        work_wip_limit_default,
    )

    groups = roles_ensure()
    services = list(Service.objects.order_by("code")[:4])
    queues = []
    for n, code in enumerate(("flytning", "pas")):
        queue = WorkQueue.objects.create(
            code=code, name_da=code, name_en=code, overflow_minutes=None, sort_order=n
        )
        queue.services.set(services[2 * n : 2 * n + 2])
        queues.append(queue)
    now = timezone.now()
    WorkItem.objects.bulk_create(
        (
            WorkItem(
                kind=WorkItem.Kind.EMAIL,
                queue=queues[i % 2],
                service=services[2 * (i % 2)],
                subject=f"Spørgsmål {i}",
                received_at=now,
                state="queued",
            )
            for i in range(ITEMS)
        ),
        batch_size=5000,
    )
    agents = []
    for n in range(AGENTS):
        user = get_user_model().objects.create_user(username=f"bench-agent-{n}", password=None)
        user.groups.add(groups[FRONT_OFFICE])
        for queue in queues:
            AgentSkill.objects.create(user=user, queue=queue, proficiency=2)
        work.agent_set_availability(user=user, available=True)
        agents.append(user)
    connections.close_all()

    start = time.perf_counter()
    measure_from, measure_to = start + WARM_UP_SECONDS, start + WARM_UP_SECONDS + SECONDS
    next_ms: list[float] = []
    cycle_ms: list[float] = []
    finished: list[int] = []
    errors: list[str] = []
    barrier = threading.Barrier(AGENTS)

    def agent_loop(user) -> None:
        try:
            barrier.wait()
            while (began := time.perf_counter()) < measure_to:
                item = work.work_next(user=user)
                got = time.perf_counter()
                if item is None:
                    continue
                work.work_accept(user=user, item_id=item.pk)
                work.work_finish(user=user, item_id=item.pk, outcome="resolved")
                done = time.perf_counter()
                if began >= measure_from:
                    next_ms.append((got - began) * 1000)
                    cycle_ms.append((done - began) * 1000)
                    finished.append(item.pk)
        except Exception as exc:  # reported and failing the benchmark
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=agent_loop, args=(user,)) for user in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for name, samples in (("work_next", next_ms), ("work_cycle", cycle_ms)):
        for label, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            report(f"{name}_{label}", percentile(samples, fraction), "ms")
    report("work_next_mean", statistics.fmean(next_ms) if next_ms else float("nan"), "ms")
    report("work_items_finished_per_second", len(finished) / SECONDS, "items/s")
    report("work_agents", AGENTS, "agents")
    report("work_errors", len(errors), "errors")
    twice = sum(1 for n in Counter(finished).values() if n > 1)
    done = WorkItem.objects.filter(state="done")
    without_first = done.filter(first_handled_at__isnull=True).count()
    open_per_agent = Counter(
        WorkItem.objects.filter(state__in=["offered", "in_progress"]).values_list(
            "agent_id", flat=True
        )
    )
    over_limit = sum(1 for n in open_per_agent.values() if n > work_wip_limit_default())
    report("work_duplicates_finished_twice", twice, "count")
    report("work_finished_without_first_handling", without_first, "count")
    report("work_agents_over_wip_limit", over_limit, "count")
    if errors or twice or without_first or over_limit:
        print(f"# errors: {errors[:3]}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
