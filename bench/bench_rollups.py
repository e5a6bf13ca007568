"""What keeping the rollups up to date costs, and how fast they are rebuilt.

1. Upkeep per inserted contact: contacts with one service are written through the ORM
   (the contact, then its service link: two refreshes, as the signals do), once with the
   rollup signals connected and once with them disconnected, in alternating rounds on the
   same tables. Reported: ms per contact both ways (p50/p95 over rounds), the upkeep (the
   difference) and the ratio.
2. ``rollup_refresh`` of one contact alone (p50/p95), and of a batch of 500.
3. The contact registration service (``contact_register``, the path staff use), p50/p95.
4. ``rollup_rebuild`` over a bulk-loaded history (contacts, tickets, cases): rows per second;
   and ``rollup_check`` (the recomputation compared with the tables).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from common import percentile, report, setup_django, summarise

CPH = ZoneInfo("Europe/Copenhagen")
ROUNDS = int(os.environ.get("BENCH_ROLLUP_ROUNDS", "20"))
PER_ROUND = 100
HISTORY_CONTACTS = int(os.environ.get("BENCH_ROLLUP_HISTORY", "200000"))


def _signals(connected: bool) -> None:
    from django.db.models.signals import post_delete, post_save

    from borgerservice.analytics import signals

    if connected:
        signals.connect()
        return
    for (app_label, model_name), _ in signals.TRACKED.items():
        uid = f"analytics-rollup-{app_label}-{model_name}"
        from django.apps import apps

        model = apps.get_model(app_label, model_name)
        post_save.disconnect(sender=model, dispatch_uid=uid + "-save")
        post_delete.disconnect(sender=model, dispatch_uid=uid + "-delete")


def _insert_round(rng, services, centres) -> float:
    from django.db import transaction

    from borgerservice.contacts.models import Contact, ContactService

    started = time.perf_counter()
    for _ in range(PER_ROUND):
        at = datetime(2026, 3, 2, 10, tzinfo=CPH) + timedelta(
            minutes=rng.randrange(0, 60 * 24 * 300)
        )
        with transaction.atomic():
            contact = Contact.objects.create(
                channel=rng.choice(("phone", "walk_in", "email", "letter")),
                outcome=rng.choice(("resolved", "resolved", "case", "appointment")),
                centre=rng.choice(centres),
                started_at=at,
                ended_at=at + timedelta(seconds=rng.randrange(60, 900)),
            )
            ContactService.objects.create(contact=contact, service=rng.choice(services))
    return (time.perf_counter() - started) * 1000 / PER_ROUND


def main() -> None:
    vendor = setup_django()
    from django.db import connection

    from borgerservice.accounts.roles import FRONT_OFFICE, roles_ensure
    from borgerservice.analytics.rollups import rollup_check, rollup_rebuild, rollup_refresh
    from borgerservice.catalogue.models import Service, ServiceCentre
    from borgerservice.contacts.models import Contact, ContactService
    from borgerservice.contacts.services import ContactInput, contact_register

    print(f"# database: {vendor}")
    roles_ensure()
    rng = random.Random(1)
    services = list(Service.objects.exclude(department=None))
    centres = list(ServiceCentre.objects.all())

    # 1. Upkeep per inserted contact, alternating rounds.
    with_rollups, without = [], []
    for n in range(ROUNDS * 2):
        connected = n % 2 == 0
        _signals(connected)
        (with_rollups if connected else without).append(_insert_round(rng, services, centres))
    _signals(True)
    on, off = statistics.median(with_rollups), statistics.median(without)
    report("rollup_insert_contact_with_rollups_p50", on, "ms")
    report("rollup_insert_contact_with_rollups_p95", percentile(with_rollups, 0.95), "ms")
    report("rollup_insert_contact_without_rollups_p50", off, "ms")
    report("rollup_upkeep_per_contact", on - off, "ms")
    report("rollup_upkeep_ratio", on / off, "x")

    # 2. One refresh, and a batch.
    ids = list(Contact.objects.values_list("pk", flat=True)[:2000])
    samples = []
    for pk in rng.sample(ids, 200):
        Contact.objects.filter(pk=pk).update(channel=rng.choice(("phone", "email")))
        started = time.perf_counter()
        rollup_refresh(source="contact", ids=[pk])
        samples.append((time.perf_counter() - started) * 1000)
    summarise("rollup_refresh_one_contact", samples)
    batch = rng.sample(ids, 500)
    Contact.objects.filter(pk__in=batch).update(outcome="appointment")
    Contact.objects.filter(pk__in=batch).update(outcome="resolved")
    started = time.perf_counter()
    rollup_refresh(source="contact", ids=batch)
    report("rollup_refresh_batch_500_per_row", (time.perf_counter() - started) * 1000 / 500, "ms")

    # 3. The registration service.
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from borgerservice.accounts.models import Authority
    from borgerservice.accounts.services import generalist_authorities

    user = get_user_model().objects.create_user(username="bench-rollups")
    user.groups.add(Group.objects.get(name=FRONT_OFFICE))
    Authority.objects.bulk_create(
        [Authority(user=user, area_id=a, level=lv) for a, lv in generalist_authorities().items()]
    )
    samples = []
    for _ in range(300):
        service = rng.choice(services)
        started = time.perf_counter()
        contact_register(
            user=user,
            data=ContactInput(channel="phone", outcome="resolved", services=[service.code]),
        )
        samples.append((time.perf_counter() - started) * 1000)
    summarise("rollup_contact_register", samples)

    # 4. Rebuild after a bulk load.
    start = datetime(2026, 1, 2, 10, tzinfo=CPH)
    batch_size = 10000
    for offset in range(0, HISTORY_CONTACTS, batch_size):
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    channel=rng.choice(("phone", "walk_in", "email", "letter", "self_service")),
                    outcome=rng.choice(("resolved", "resolved", "case")),
                    centre=rng.choice(centres),
                    started_at=start + timedelta(minutes=rng.randrange(0, 60 * 24 * 360)),
                )
                for _ in range(min(batch_size, HISTORY_CONTACTS - offset))
            ]
        )
        ContactService.objects.bulk_create(
            [ContactService(contact=c, service=rng.choice(services)) for c in contacts]
        )
    rows = Contact.objects.count()
    started = time.perf_counter()
    written = rollup_rebuild()
    seconds = time.perf_counter() - started
    print(f"# rebuilt from {rows} contacts: {written}")
    report("rollup_rebuild_seconds", seconds, "s")
    report("rollup_rebuild_contacts_per_second", rows / seconds, "rows/s")
    started = time.perf_counter()
    differences = rollup_check()
    report("rollup_check_seconds", time.perf_counter() - started, "s")
    report("rollup_check_differing_rows", sum(differences.values()), "rows")
    connection.close()


if __name__ == "__main__":
    main()
