"""A booking check-in draws a queue ticket in the queue covering the booked service."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from borgerservice.booking.models import Booking
from borgerservice.booking.services import booking_check_in, booking_create
from borgerservice.booking.workflow import State as BookingState
from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.core.errors import ServiceError
from borgerservice.queueing import services
from borgerservice.queueing.models import QueueGroup, Ticket
from borgerservice.queueing.workflow import State
from tests.booking.conftest import make_slot
from tests.citizens.factories import CitizenFactory

from .conftest import CPH, OPEN_AT

pytestmark = pytest.mark.django_db


def book(centre, service, starts_at=None):
    slot = make_slot(centre, service, starts_at=starts_at or OPEN_AT + timedelta(minutes=10))
    return booking_create(
        slot_id=slot.pk, service=service, citizen=CitizenFactory(), now=timezone.now()
    )


@pytest.fixture
def service(db):
    return Service.objects.get(code="stat-pas-og-koerekort")


def test_check_in_draws_a_ticket_in_the_queue_of_the_service(centre, groups, service, clock):
    groups["B"].services.add(service)
    booking = book(centre, service)
    booking_check_in(code=booking.code)
    ticket = Ticket.objects.get(booking_reference=booking.pk)
    assert ticket.group == groups["B"] and ticket.code == "B001"
    assert ticket.citizen_id == booking.citizen_id
    assert ticket.due_at == booking.slot.starts_at
    assert ticket.state == State.WAITING and ticket.drawn_at == OPEN_AT


def test_without_a_matching_queue_the_first_open_queue_is_used(centre, groups, service, clock):
    QueueGroup.objects.filter(pk=groups["A"].pk).update(active=False)
    booking = book(centre, service)
    booking_check_in(code=booking.code)
    assert Ticket.objects.get(booking_reference=booking.pk).group == groups["B"]


def test_an_inactive_queue_covering_the_service_is_skipped(centre, groups, service, clock):
    groups["C"].services.add(service)
    QueueGroup.objects.filter(pk=groups["C"].pk).update(active=False)
    booking = book(centre, service)
    booking_check_in(code=booking.code)
    assert Ticket.objects.get(booking_reference=booking.pk).group == groups["A"]


def test_checking_in_twice_keeps_one_ticket(centre, groups, service, clock):
    booking = book(centre, service)
    booking_check_in(code=booking.code)
    booking_check_in(code=booking.code)
    assert Ticket.objects.filter(booking_reference=booking.pk).count() == 1


def test_a_centre_without_queues_checks_in_without_a_ticket(db, service, clock):
    centre = ServiceCentre.objects.get(code="valby")
    booking = book(centre, service)
    booking_check_in(code=booking.code)
    assert Booking.objects.get(pk=booking.pk).state == BookingState.CHECKED_IN
    assert not Ticket.objects.exists()


def test_check_in_just_before_opening_gets_a_ticket(centre, groups, service, clock):
    clock.move_to(datetime(2026, 12, 1, 9, 45, tzinfo=CPH))
    booking = book(centre, service, starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=CPH))
    booking_check_in(code=booking.code)
    assert Ticket.objects.get(booking_reference=booking.pk).due_at.hour == 9  # 10:00 CET in UTC


def test_a_refused_check_in_draws_nothing(centre, groups, service, clock):
    booking = book(centre, service, starts_at=OPEN_AT + timedelta(hours=2))
    with pytest.raises(ServiceError):
        booking_check_in(code=booking.code)
    assert not Ticket.objects.exists()


def test_a_no_show_at_the_counter_marks_the_booking_absent(
    centre, groups, counters, agent, service, clock
):
    booking = book(centre, service)
    booking_check_in(code=booking.code)
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    ticket = services.ticket_call_next(session=session)
    assert ticket.booking_reference == booking.pk  # due now: called first
    services.ticket_no_show(user=agent, ticket_id=ticket.pk)
    assert Booking.objects.get(pk=booking.pk).state == BookingState.NO_SHOW
