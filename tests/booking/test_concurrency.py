"""On PostgreSQL: many citizens booking the same slot at the same moment.

200 concurrent bookings of a slot with capacity 1 give exactly one booking; 50 of a slot
with capacity 5 give exactly five. All threads start together (a barrier); each opens its
own connection. PostgreSQL here allows ``max_connections`` (100) sessions and other test
runs share the server, so a semaphore admits at most ``_connection_budget()`` (≤ 40)
threads to the database at a time, every thread closes its connection as soon as its call
returns, and a call that finds no free connection (nothing written) is retried.
The 200 calls still contend for the same slot (the semaphore is wider than one, and the
slot lock is what orders them) — the test is of the invariant, not of the server's limit.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from borgerservice.booking.models import Booking, Slot
from borgerservice.booking.services import booking_create
from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.core.errors import ServiceError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _connection_budget() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        in_use = int(cursor.fetchone()[0])
    return max(5, min(40, limit - in_use - 20))


def _slot(capacity: int) -> tuple[Slot, Service]:
    from tests.concurrency import load_reference_data

    load_reference_data()
    service = Service.objects.get(code="mff-aktindsigt")
    starts = timezone.now() + timedelta(days=1)
    slot = Slot.objects.create(
        centre=ServiceCentre.objects.get(code="indre-by"),
        service=service,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        capacity=capacity,
    )
    return slot, service


def _book_all(slot: Slot, service: Service, count: int, key=None):
    from django.db import connections

    from tests.concurrency import run_together

    gate = threading.BoundedSemaphore(_connection_budget())

    def call(i: int):
        def book():
            with gate:
                for attempt in range(30):
                    try:
                        return booking_create(
                            slot_id=slot.pk,
                            service=service,
                            name=f"Person {i}",
                            idempotency_key=key(i) if key else None,
                        )
                    except OperationalError as exc:
                        # Other test runs on the shared server may take the last
                        # connections; no connection means nothing was written: retry.
                        if "connection" not in str(exc) and "clients" not in str(exc):
                            raise
                        time.sleep(0.05 * (attempt + 1))
                    finally:
                        connections.close_all()
                raise AssertionError("no database connection")

        return book

    return run_together([call(i) for i in range(count)])


def _check(outcomes, expected_ok: int) -> None:
    ok = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]
    assert all(isinstance(e, ServiceError) and e.code == "slot_full" for e in errors), errors[:3]
    assert len(ok) == expected_ok


def test_200_concurrent_bookings_of_capacity_1_give_exactly_one():
    slot, service = _slot(capacity=1)
    outcomes = _book_all(slot, service, 200)
    _check(outcomes, 1)
    assert Booking.objects.filter(slot=slot).count() == 1
    assert list(Booking.objects.values_list("seat_number", flat=True)) == [1]


def test_50_concurrent_bookings_of_capacity_5_give_exactly_five():
    slot, service = _slot(capacity=5)
    outcomes = _book_all(slot, service, 50)
    _check(outcomes, 5)
    seats = sorted(Booking.objects.filter(slot=slot).values_list("seat_number", flat=True))
    assert seats == [1, 2, 3, 4, 5]


def test_concurrent_retries_with_one_idempotency_key_make_one_booking():
    slot, service = _slot(capacity=3)
    outcomes = _book_all(slot, service, 20, key=lambda i: "same-request")
    assert all(kind == "ok" for kind, _value in outcomes), outcomes[:3]
    assert len({value.pk for _kind, value in outcomes}) == 1
    assert Booking.objects.filter(slot=slot).count() == 1
