"""The booking state machine: every allowed and every forbidden transition, through the
services (not only the table)."""

from __future__ import annotations

import itertools

import pytest

from borgerservice.booking import workflow
from borgerservice.booking.models import Booking
from borgerservice.booking.services import (
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_finish,
    booking_no_shows_mark,
)
from borgerservice.core.errors import ServiceError

from .conftest import NOW, local, make_slot

pytestmark = pytest.mark.django_db
S = workflow.State

ALLOWED = {
    (S.BOOKED, S.CANCELLED),
    (S.BOOKED, S.CHECKED_IN),
    (S.BOOKED, S.NO_SHOW),
    (S.CHECKED_IN, S.SERVED),
    (S.CHECKED_IN, S.NO_SHOW),
}
ALL_PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if a != b]


def test_table_is_exactly_the_allowed_set():
    table = {(a, b) for a, targets in workflow.TRANSITIONS.items() for b in targets}
    assert table == ALLOWED
    assert {S.CANCELLED, S.NO_SHOW, S.SERVED} == workflow.FINAL
    assert {S.BOOKED, S.CHECKED_IN, S.NO_SHOW, S.SERVED} == workflow.HOLDS_SEAT
    for a, b in ALL_PAIRS:
        assert workflow.can_transition(a, b) is ((a, b) in ALLOWED)


def _booking_in(state: str, centre, service) -> Booking:
    slot = make_slot(centre, service, starts_at=local(NOW.date(), 10))
    booking = booking_create(slot_id=slot.pk, service=service, name="Ada", now=NOW)
    if state == S.BOOKED:
        return booking
    if state == S.CANCELLED:
        return booking_cancel(booking_id=booking.pk, now=NOW)
    if state == S.NO_SHOW:
        Booking.objects.filter(pk=booking.pk).update(state=S.NO_SHOW)
        booking.refresh_from_db()
        return booking
    booking_check_in(code=booking.code, at=local(NOW.date(), 9, 45))
    if state == S.SERVED:
        booking_finish(booking_id=booking.pk, to_state=S.SERVED)
    booking.refresh_from_db()
    return booking


def _apply(booking: Booking, target: str) -> None:
    if target == S.CANCELLED:
        booking_cancel(booking_id=booking.pk)
    elif target == S.CHECKED_IN:
        booking_check_in(code=booking.code, at=local(NOW.date(), 9, 50))
    elif target in (S.SERVED, S.NO_SHOW):
        booking_finish(booking_id=booking.pk, to_state=target)
    else:
        raise AssertionError(target)


@pytest.mark.parametrize(("source", "target"), [p for p in ALL_PAIRS if p[1] != S.BOOKED])
def test_every_transition_through_the_services(source, target, centre, service):
    booking = _booking_in(source, centre, service)
    assert booking.state == source
    if (source, target) in ALLOWED:
        _apply(booking, target)
        booking.refresh_from_db()
        assert booking.state == target
        assert (booking.seat_number is None) is (target == S.CANCELLED)
    else:
        with pytest.raises(ServiceError) as error:
            _apply(booking, target)
        assert error.value.code == "transition_not_allowed"
        booking.refresh_from_db()
        assert booking.state == source


def test_no_service_returns_a_booking_to_booked():
    assert all(S.BOOKED not in targets for targets in workflow.TRANSITIONS.values())


def test_no_show_job_marks_only_bookings_not_checked_in(centre, service):
    day = NOW.date()
    late = booking_create(
        slot_id=make_slot(centre, service, starts_at=local(day, 10)).pk,
        service=service,
        name="A",
        now=NOW,
    )
    arrived = booking_create(
        slot_id=make_slot(centre, service, starts_at=local(day, 10, 30)).pk,
        service=service,
        name="B",
        now=NOW,
    )
    later = booking_create(
        slot_id=make_slot(centre, service, starts_at=local(day, 11)).pk,
        service=service,
        name="C",
        now=NOW,
    )
    booking_check_in(code=arrived.code, at=local(day, 10, 20))
    assert booking_no_shows_mark(now=local(day, 10, 50), after_minutes=15) == 1
    states = dict(Booking.objects.values_list("pk", "state"))
    assert states == {late.pk: S.NO_SHOW, arrived.pk: S.CHECKED_IN, later.pk: S.BOOKED}
    # Running it again changes nothing.
    assert booking_no_shows_mark(now=local(day, 10, 50), after_minutes=15) == 0
