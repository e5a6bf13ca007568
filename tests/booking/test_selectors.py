"""Free slots (few queries), a centre's day list (audited) and the attendance facts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from borgerservice.accounts.models import AuditEntry
from borgerservice.booking.models import Booking
from borgerservice.booking.selectors import booking_attendance, bookings_for_day, slots_free
from borgerservice.booking.services import (
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_finish,
    booking_no_shows_mark,
)
from borgerservice.booking.workflow import State
from borgerservice.catalogue.models import ServiceCentre
from tests.accounts.staff import FRONT_OFFICE, make_staff
from tests.citizens.factories import CitizenFactory

from .conftest import NOW, TOMORROW, local, make_slot

pytestmark = pytest.mark.django_db


def test_free_slots_with_remaining_capacity(centre, service, other_service):
    full = make_slot(centre, service, starts_at=local(TOMORROW, 10), capacity=1)
    half = make_slot(centre, service, starts_at=local(TOMORROW, 11), capacity=3)
    empty = make_slot(centre, service, starts_at=local(TOMORROW, 12), capacity=2)
    make_slot(centre, service, starts_at=local(TOMORROW, 13), active=False)
    make_slot(centre, service, starts_at=NOW - timedelta(hours=1))  # past
    make_slot(centre, other_service, starts_at=local(TOMORROW, 10))
    make_slot(ServiceCentre.objects.get(code="osterbro"), service)
    make_slot(centre, service, starts_at=local(TOMORROW + timedelta(days=1), 10))  # outside
    booking_create(slot_id=full.pk, service=service, name="A", now=NOW)
    booking_create(slot_id=half.pk, service=service, name="B", now=NOW)
    cancelled = booking_create(slot_id=half.pk, service=service, name="C", now=NOW)
    booking_cancel(booking_id=cancelled.pk)
    with CaptureQueriesContext(connection) as queries:
        free = slots_free(service=service, centre=centre, start=NOW.date(), end=TOMORROW, now=NOW)
    assert len(queries) == 1
    assert [(f.slot, f.remaining) for f in free] == [(half, 2), (empty, 2)]


def test_day_list_is_audited(centre, service):
    user = make_staff(FRONT_OFFICE)
    citizen = CitizenFactory()
    first = booking_create(
        slot_id=make_slot(centre, service, starts_at=local(TOMORROW, 11)).pk,
        service=service,
        citizen=citizen,
        now=NOW,
    )
    second = booking_create(
        slot_id=make_slot(centre, service, starts_at=local(TOMORROW, 10)).pk,
        service=service,
        name="Walk-in Person",
        now=NOW,
    )
    booking_create(
        slot_id=make_slot(centre, service, starts_at=local(TOMORROW + timedelta(days=1), 10)).pk,
        service=service,
        name="Other day",
        now=NOW,
    )
    rows = bookings_for_day(user=user, centre=centre, day=TOMORROW)
    assert rows == [second, first]
    entry = AuditEntry.objects.get(actor=user, action="list")
    assert list(entry.subjects.values_list("citizen_id", flat=True)) == [citizen.pk]


def test_attendance_by_centre_service_and_hour(centre, service):
    day = NOW.date()
    ten = make_slot(centre, service, starts_at=local(day, 10), capacity=4)
    eleven = make_slot(centre, service, starts_at=local(day, 11), capacity=2)
    a, b, c, d = (booking_create(slot_id=ten.pk, service=service, name=n, now=NOW) for n in "abcd")
    e = booking_create(slot_id=eleven.pk, service=service, name="e", now=NOW)
    booking_check_in(code=a.code, at=local(day, 9, 50))
    booking_finish(booking_id=a.pk, to_state=State.SERVED)
    booking_check_in(code=b.code, at=local(day, 9, 55))
    booking_cancel(booking_id=c.pk)
    booking_no_shows_mark(now=local(day, 10, 30), after_minutes=15)
    assert Booking.objects.get(pk=d.pk).state == State.NO_SHOW
    assert Booking.objects.get(pk=e.pk).state == State.BOOKED
    rows = booking_attendance(start=day, end=day, centre=centre)
    common = {"slot__centre_id": centre.pk, "service_id": service.pk, "day": day}
    assert rows == [
        {**common, "hour": 10, "booked": 3, "showed": 2, "no_show": 1, "open": 0, "cancelled": 1},
        {**common, "hour": 11, "booked": 1, "showed": 0, "no_show": 0, "open": 1, "cancelled": 0},
    ]
