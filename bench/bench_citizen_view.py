"""The one view of a citizen (GET /borgere/<id>/) over 650,000 citizens and 10 M contacts.

A front-office generalist with a purpose for each sampled citizen opens citizens that
have contacts, through Django's full request stack in-process (test Client, logged in).
Reports p50/p95/p99 against the 30 ms p95 target, then the cost of the audit log: the
same page with ``audit_record`` replaced by a no-op, in alternating blocks (ABBA) so
drift in the machine's speed falls on both modes alike. Checks that every audited
request wrote exactly one audit entry.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from unittest import mock

from common import cpu_cores_used, cpu_snapshot, percentile, report, summarise
from load_people import people_setup

TARGET_P95_MS = 30.0
TARGET_AUDIT_RATIO = 1.10
BLOCK = 100  # requests per block
BLOCKS_PER_MODE = 10  # so each mode gets 1,000 measured requests
WARM_UP = 100
STAFF_USERNAME = "bench-kontaktcenter-frontoffice-01"
PURPOSE_REASON = "Benchmark: opening the one view of sampled citizens"


def main() -> None:
    people = people_setup("citizen_view")
    if people is None:
        return
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from borgerservice.accounts.models import AccessPurpose, AuditEntry
    from borgerservice.citizens.models import Citizen
    from borgerservice.contacts.models import Contact

    user = get_user_model().objects.get(username=STAFF_USERNAME)
    needed = WARM_UP + 2 * BLOCK * BLOCKS_PER_MODE
    rng = random.Random()  # other citizens each run: the cache is not warmed for them
    low, high = (
        Citizen.objects.order_by("pk").values_list("pk", flat=True).first(),
        Citizen.objects.order_by("-pk").values_list("pk", flat=True).first(),
    )
    citizen_ids: list[int] = []
    while len(citizen_ids) < needed:
        candidates = rng.sample(range(low, high + 1), min(high - low + 1, 2 * needed))
        with_contacts = set(
            Contact.objects.filter(citizen_id__in=candidates)
            .values_list("citizen_id", flat=True)
            .distinct()
        )
        citizen_ids += [pk for pk in candidates if pk in with_contacts and pk not in citizen_ids]
        if high - low + 1 <= 2 * needed:  # a small scale: citizens are used more than once
            citizen_ids = (citizen_ids * (needed // max(1, len(citizen_ids)) + 1))[:needed]
    citizen_ids = citizen_ids[:needed]
    rng.shuffle(citizen_ids)

    AccessPurpose.objects.filter(user=user, kind="reason", reason=PURPOSE_REASON).delete()
    now = timezone.now()
    AccessPurpose.objects.bulk_create(
        [
            AccessPurpose(
                user=user,
                citizen_id=pk,
                kind=AccessPurpose.Kind.REASON,
                reason=PURPOSE_REASON,
                granted_at=now,
                expires_at=now + timedelta(days=365),
            )
            for pk in set(citizen_ids)
        ]
    )

    client = Client()
    client.force_login(user)
    path = reverse("citizens:detail", args=[citizen_ids[0]])
    print(f"# one view at {path} as {STAFF_USERNAME}", flush=True)

    def open_citizen(pk: int) -> float:
        started = time.perf_counter()
        response = client.get(reverse("citizens:detail", args=[pk]))
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (pk, response.status_code)
        assert b'id="contacts-heading"' in response.content, pk
        return elapsed

    audit_before = AuditEntry.objects.filter(actor_id=user.pk).count()
    queue = iter(citizen_ids)
    with CaptureQueriesContext(connection) as queries:
        open_citizen(next(queue))
    report("citizen_view_queries_per_request", len(queries), "queries")
    for _ in range(WARM_UP - 1):
        open_citizen(next(queue))
    audited_requests = WARM_UP

    with_audit: list[float] = []
    without_audit: list[float] = []
    block_medians: dict[bool, list[float]] = {True: [], False: []}
    cpu_before = cpu_snapshot(database=people.url.rsplit("/", 1)[1])
    for block in range(2 * BLOCKS_PER_MODE):
        audited = block % 4 in (0, 3)  # A B B A …
        samples = []
        if audited:
            for _ in range(BLOCK):
                samples.append(open_citizen(next(queue)))
            audited_requests += BLOCK
            with_audit += samples
        else:
            with mock.patch("borgerservice.citizens.selectors.audit_record", return_value=0):
                for _ in range(BLOCK):
                    samples.append(open_citizen(next(queue)))
            without_audit += samples
        block_medians[audited].append(statistics.median(samples))
    cpu = cpu_cores_used(cpu_before, cpu_snapshot(database=people.url.rsplit("/", 1)[1]))
    written = AuditEntry.objects.filter(actor_id=user.pk).count() - audit_before

    summarise("citizen_view", with_audit)
    report("citizen_view_requests", len(with_audit), "requests")
    sampled = Contact.objects.filter(citizen_id__in=citizen_ids).count() / len(citizen_ids)
    report("citizen_view_sampled_citizen_contacts_mean", sampled, "contacts")
    report("citizen_view_p95_target_ratio", percentile(with_audit, 0.95) / TARGET_P95_MS, "ratio")
    median_with = statistics.median(with_audit)
    median_without = statistics.median(without_audit)
    report("citizen_view_median_with_audit", median_with, "ms")
    report("citizen_view_median_without_audit", median_without, "ms")
    summarise("citizen_view_without_audit", without_audit)
    report("citizen_view_audit_cost_ratio", median_with / median_without, "ratio")
    report(
        "citizen_view_audit_cost_ratio_of_block_medians",
        statistics.median(block_medians[True]) / statistics.median(block_medians[False]),
        "ratio",
    )
    report("citizen_view_audit_entries_per_request", written / audited_requests, "entries")
    for party, used in (("bench", cpu["self"]), ("postgres", cpu["postgres"])):
        report(f"citizen_view_cpu_{party}", used, "cores")
    report("citizen_view_cpu_other", cpu["other"], "cores")
    if cpu["other"] > 0.2:
        print("# warning: other processes used CPU during the run; figures are high", flush=True)
    assert written == audited_requests, (written, audited_requests)


if __name__ == "__main__":
    main()
