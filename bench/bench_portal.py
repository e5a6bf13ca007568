"""Min side's overview for a citizen with 50 cases and 200 contacts (target p95 ≤ 40 ms).

The citizen sits in a database with other citizens' cases and contacts around them
(20,000 cases, 100,000 contacts), so the page's queries must find the citizen's rows by
index, not by luck. The page is requested through Django's whole stack in-process (test
Client with a portal session), which is the server time without the network. Reports
p50/p95/p99 and the ratio to the target, the queries per page, and the same for the case
list ("My cases", all 50 cases).
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from common import bench_citizens, percentile, report, setup_django, summarise

TARGET_P95_MS = 40.0
CASES, CONTACTS = 50, 200
OTHER_CITIZENS, OTHER_CASES, OTHER_CONTACTS = 5_000, 20_000, 100_000
WARM_UP, MEASURED = 50, 1_000


def _load() -> int:
    from borgerservice.accounts.roles import roles_ensure
    from borgerservice.cases.models import Case, CaseEvent, CaseParty, CaseType, Unit
    from borgerservice.cases.services import case_types_ensure
    from borgerservice.cases.workflow import Status
    from borgerservice.catalogue.models import Service
    from borgerservice.contacts.models import Contact, ContactService
    from borgerservice.outbox.models import OutboxMessage

    roles_ensure()
    case_types_ensure()
    rng = random.Random(6)
    ids = bench_citizens(OTHER_CITIZENS + 1)
    me, others = ids[0], ids[1:]
    types = list(CaseType.objects.select_related("service"))
    units = {u.department_id: u for u in Unit.objects.all()}
    fallback_unit = next(iter(units.values()))
    statuses = [Status.RECEIVED, Status.IN_PROGRESS, Status.AWAITING_CITIZEN, Status.CLOSED]
    today = date(2026, 12, 1)
    cases, owners = [], []
    for n in range(CASES + OTHER_CASES):
        case_type = rng.choice(types)
        received = today - timedelta(days=rng.randint(0, 400))
        unit = units.get(case_type.service.department_id, fallback_unit)
        status = rng.choice(statuses)
        cases.append(
            Case(
                number=f"B{n:09d}",
                case_type=case_type,
                title=f"{case_type.name_da} {n}",
                status=status,
                closed_on=received + timedelta(days=20) if status == Status.CLOSED else None,
                department_id=unit.department_id,
                unit=unit,
                channel="self_service",
                received_on=received,
                due_on=received + timedelta(days=30),
                at_risk_on=received + timedelta(days=25),
            )
        )
        owners.append(me if n < CASES else rng.choice(others))
    Case.objects.bulk_create(cases, batch_size=2000)
    case_ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    CaseParty.objects.bulk_create(
        [
            CaseParty(case_id=c, citizen_id=o, role="applicant")
            for c, o in zip(case_ids, owners, strict=True)
        ],
        batch_size=5000,
    )
    CaseEvent.objects.bulk_create(
        [CaseEvent(case_id=c, kind="created", to_status="received") for c in case_ids],
        batch_size=5000,
    )
    service_ids = list(Service.objects.values_list("id", flat=True))
    channels = ["phone", "walk_in", "email", "letter", "self_service"]
    contacts = [
        Contact(
            channel=rng.choice(channels),
            citizen_id=me if n < CONTACTS else rng.choice(others),
            outcome="resolved",
        )
        for n in range(CONTACTS + OTHER_CONTACTS)
    ]
    Contact.objects.bulk_create(contacts, batch_size=5000)
    ContactService.objects.bulk_create(
        [
            ContactService(contact_id=c, service_id=rng.choice(service_ids))
            for c in Contact.objects.values_list("id", flat=True)
        ],
        batch_size=5000,
    )
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                citizen_id=me,
                case_id=case_ids[n % CASES],
                route="digital_post",
                subject=f"Brev {n}",
                body="Tekst",
            )
            for n in range(30)
        ]
    )
    return me


def _measure(client, url: str) -> tuple[list[float], int]:
    from django.db import connection

    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    samples = []
    for _ in range(MEASURED):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return samples, len(queries)


def main() -> None:
    vendor = setup_django()
    started = time.perf_counter()
    me = _load()
    report("portal_load_seconds", time.perf_counter() - started, "s")
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from borgerservice.portal.auth import ACTIVITY_KEY, SESSION_KEY

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ANALYZE")
    client = Client()
    session = client.session
    session[SESSION_KEY] = {"id": me, "method": "demo", "at": int(time.time())}
    session[ACTIVITY_KEY] = int(time.time())
    session.save()
    for name, label in (("portal:overview", "portal_overview"), ("portal:cases", "portal_cases")):
        samples, queries = _measure(client, reverse(name))
        summarise(label, samples)
        report(f"{label}_ratio_p95_to_target", percentile(samples, 0.95) / TARGET_P95_MS, "ratio")
        report(f"{label}_queries", queries, "queries")
    report("portal_database_is_postgresql", 1.0 if vendor == "postgresql" else 0.0, "bool")


if __name__ == "__main__":
    main()
