"""Booking, capacity, cancelling, rebooking, codes, check-in and idempotency; and the
database constraints that keep a slot from being overbooked whatever Python does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from borgerservice.accounts.models import AuditEntry
from borgerservice.booking.models import CODE_ALPHABET, CODE_LENGTH, Booking, Slot
from borgerservice.booking.services import (
    booking_cancel,
    booking_check_in,
    booking_checked_in,
    booking_code_new,
    booking_create,
    booking_rebook,
)
from borgerservice.booking.workflow import State
from borgerservice.core.errors import ServiceError
from tests.accounts.staff import FRONT_OFFICE, make_staff
from tests.citizens.factories import CitizenFactory

from .conftest import NOW, TOMORROW, local, make_slot

pytestmark = pytest.mark.django_db


def book(slot, service, **kw) -> Booking:
    kw.setdefault("name", "Ada Lovelace")
    return booking_create(slot_id=slot.pk, service=service, now=NOW, **kw)


def refused(expected: str, call, *args, **kw) -> ServiceError:
    before = (Booking.objects.count(), list(Booking.objects.values_list("state", flat=True)))
    with pytest.raises(ServiceError) as error:
        call(*args, **kw)
    assert error.value.code == expected
    after = (Booking.objects.count(), list(Booking.objects.values_list("state", flat=True)))
    assert before == after  # nothing written
    return error.value


@pytest.mark.parametrize("capacity", [1, 2, 5])
def test_capacity_n_allows_exactly_n(capacity, centre, service):
    slot = make_slot(centre, service, capacity=capacity)
    bookings = [book(slot, service, name=f"Person {i}") for i in range(capacity)]
    assert sorted(b.seat_number for b in bookings) == list(range(1, capacity + 1))
    error = refused("slot_full", book, slot, service, name="One too many")
    assert error.status == 409


def test_cancel_frees_the_seat_and_keeps_the_booking(centre, service):
    slot = make_slot(centre, service, capacity=1)
    first = book(slot, service)
    refused("slot_full", book, slot, service)
    cancelled = booking_cancel(booking_id=first.pk, now=NOW)
    assert cancelled.state == State.CANCELLED
    assert cancelled.seat_number is None
    assert cancelled.cancelled_at == NOW
    second = book(slot, service, name="Grace Hopper")
    assert second.seat_number == 1
    assert Booking.objects.filter(slot=slot).count() == 2
    refused("transition_not_allowed", booking_cancel, booking_id=first.pk)


def test_refusals_write_nothing(centre, service, other_service):
    past = make_slot(centre, service, starts_at=NOW - timedelta(minutes=5))
    refused("slot_in_past", book, past, service)
    closed = make_slot(centre, service, active=False)
    refused("slot_inactive", book, closed, service)
    open_slot = make_slot(centre, service, starts_at=local(TOMORROW, 11))
    refused("service_mismatch", book, open_slot, other_service)
    refused("person_required", book, open_slot, service, name="  ")
    refused("email_invalid", book, open_slot, service, email="not-an-address")
    with pytest.raises(ServiceError) as error:
        booking_create(slot_id=999_999, service=service, name="X", now=NOW)
    assert (error.value.code, error.value.status) == ("slot_not_found", 404)
    assert not Booking.objects.exists()


def test_a_citizen_cannot_hold_two_seats_in_one_slot(centre, service):
    citizen = CitizenFactory()
    slot = make_slot(centre, service, capacity=3)
    booking = book(slot, service, citizen=citizen, name="")
    assert booking.person_name == citizen.full_name
    refused("already_booked", book, slot, service, citizen=citizen, name="")


def test_staff_booking_for_a_citizen_is_audited(centre, service):
    user = make_staff(FRONT_OFFICE)
    citizen = CitizenFactory()
    booking = book(make_slot(centre, service), service, citizen=citizen, by_user=user)
    assert booking.created_by == user
    entry = AuditEntry.objects.get(actor=user)
    assert entry.action == "change"
    assert booking.code in entry.what


def test_rebook_moves_the_booking_in_one_step(centre, service):
    old_slot = make_slot(centre, service)
    new_slot = make_slot(centre, service, starts_at=local(TOMORROW, 14))
    old = book(old_slot, service, email="ada@example.org", phone="12345678")
    new = booking_rebook(booking_id=old.pk, slot_id=new_slot.pk, now=NOW)
    old.refresh_from_db()
    assert old.state == State.CANCELLED and old.seat_number is None
    assert new.rebooked_from == old and old.rebooked_to == new
    assert (new.slot, new.state, new.seat_number) == (new_slot, State.BOOKED, 1)
    assert (new.name, new.email, new.phone) == (old.name, old.email, old.phone)
    assert new.code != old.code
    # The freed seat is bookable again.
    assert book(old_slot, service, name="Grace").seat_number == 1


def test_rebook_to_a_full_slot_changes_nothing(centre, service):
    old = book(make_slot(centre, service), service)
    full = make_slot(centre, service, starts_at=local(TOMORROW, 14))
    book(full, service, name="Grace")
    refused("slot_full", booking_rebook, booking_id=old.pk, slot_id=full.pk, now=NOW)
    old.refresh_from_db()
    assert (old.state, old.seat_number) == (State.BOOKED, 1)
    refused("same_slot", booking_rebook, booking_id=old.pk, slot_id=old.slot_id, now=NOW)


def test_booking_codes_unique_and_unambiguous(centre, service):
    assert not set(CODE_ALPHABET) & set("0O1IL2Z5S6G8B")
    codes = {booking_code_new() for _i in range(5000)}
    assert len(codes) > 4990  # random; a collision in 5000 of 23^6 is rare and harmless
    assert all(re.fullmatch(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", c) for c in codes)
    slot = make_slot(centre, service, capacity=50)
    made = [book(slot, service, name=f"P{i}").code for i in range(50)]
    assert len(set(made)) == 50
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(code=made[1]).update(code=made[0])


def test_booking_code_collision_draws_another(centre, service, monkeypatch):
    slot = make_slot(centre, service, capacity=2)
    first = book(slot, service)
    draws = iter([first.code, first.code, "ACDEFH"])
    monkeypatch.setattr("borgerservice.booking.services.booking_code_new", lambda: next(draws))
    assert book(slot, service, name="Grace").code == "ACDEFH"


def test_check_in_window(centre, service):
    slot = make_slot(centre, service, starts_at=local(TOMORROW, 10))
    booking = book(slot, service)
    day_before = local(TOMORROW - timedelta(days=1), 10)
    refused("check_in_wrong_day", booking_check_in, code=booking.code, at=day_before)
    refused("check_in_too_early", booking_check_in, code=booking.code, at=local(TOMORROW, 9, 29))
    refused("check_in_too_late", booking_check_in, code=booking.code, at=local(TOMORROW, 10, 16))
    with pytest.raises(ServiceError) as error:
        booking_check_in(code="XXXXXX", at=local(TOMORROW, 9, 45))
    assert error.value.status == 404
    received = []

    def receiver(sender, booking, **kw):
        received.append(booking.pk)

    booking_checked_in.connect(receiver)
    try:
        # Lower case and spaces as a citizen may type them on the kiosk.
        typed = f" {booking.code[:3].lower()} {booking.code[3:]} "
        checked = booking_check_in(code=typed, at=local(TOMORROW, 9, 30))
        again = booking_check_in(code=booking.code, at=local(TOMORROW, 9, 40))
    finally:
        booking_checked_in.disconnect(receiver)
    assert checked.state == State.CHECKED_IN
    assert checked.checked_in_at == local(TOMORROW, 9, 30)
    assert again.checked_in_at == local(TOMORROW, 9, 30)
    assert received == [booking.pk]  # the hook for the queueing app, once


def test_check_in_of_a_cancelled_booking_is_refused(centre, service):
    booking = book(make_slot(centre, service), service)
    booking_cancel(booking_id=booking.pk)
    refused("transition_not_allowed", booking_check_in, code=booking.code, at=local(TOMORROW, 10))


def test_idempotency_key_returns_the_first_booking(centre, service):
    slot = make_slot(centre, service, capacity=1)
    first = book(slot, service, idempotency_key="req-1")
    # Even though the slot is now full, the retry gets the same booking.
    assert book(slot, service, idempotency_key="req-1") == first
    assert Booking.objects.count() == 1
    other = make_slot(centre, service, starts_at=local(TOMORROW, 15))
    refused("idempotency_conflict", book, other, service, idempotency_key="req-1")


# --- the database, not Python, keeps the invariant -----------------------------------------


def _raw_booking(slot, **kw) -> Booking:
    values = {
        "slot": slot,
        "service": slot.service,
        "name": "Raw",
        "code": booking_code_new(),
        "state": State.BOOKED,
        "seat_number": 1,
        "slot_capacity": slot.capacity,
    }
    values.update(kw)
    return Booking.objects.create(**values)


def test_database_refuses_a_second_holder_of_a_seat(centre, service):
    slot = make_slot(centre, service, capacity=1)
    _raw_booking(slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_booking(slot)


def test_database_refuses_a_seat_beyond_capacity(centre, service):
    slot = make_slot(centre, service, capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_booking(slot, seat_number=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_booking(slot, seat_number=0)


def test_database_refuses_a_wrong_capacity_copy(centre, service):
    slot = make_slot(centre, service, capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_booking(slot, seat_number=2, slot_capacity=2)


def test_database_refuses_an_active_booking_without_a_seat(centre, service):
    slot = make_slot(centre, service, capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_booking(slot, seat_number=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_booking(slot, state=State.CANCELLED, seat_number=1)


def test_capacity_change_cascades_and_cannot_go_below_a_taken_seat(centre, service):
    slot = make_slot(centre, service, capacity=3)
    for i in range(3):
        book(slot, service, name=f"P{i}")
    Slot.objects.filter(pk=slot.pk).update(capacity=4)
    assert set(Booking.objects.values_list("slot_capacity", flat=True)) == {4}
    assert book(slot, service, name="Fourth").seat_number == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(capacity=2)
    slot.refresh_from_db()
    assert slot.capacity == 4
