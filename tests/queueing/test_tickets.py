"""Drawing tickets (numbering, prefixes, opening hours), counter sessions, call-next order,
finishing with the contact, transfer, park/resume and the day close."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from borgerservice.contacts.models import Contact
from borgerservice.core.errors import ServiceError
from borgerservice.queueing import services
from borgerservice.queueing.models import CounterSession, Ticket, TicketSequence
from borgerservice.queueing.workflow import State
from tests.citizens.factories import CitizenFactory

from .conftest import CPH, OPEN_AT, later, make_centre

pytestmark = pytest.mark.django_db


def draw(centre, group, **kwargs):
    return services.ticket_draw(centre=centre, group=group, **kwargs)


# --- numbering --------------------------------------------------------------------------------


def test_numbers_run_per_queue_with_the_prefix(centre, groups, clock):
    a = [draw(centre, groups["A"]) for _ in range(3)]
    b = draw(centre, groups["B"])
    assert [t.code for t in a] == ["A001", "A002", "A003"]
    assert [t.number for t in a] == [1, 2, 3]
    assert b.code == "B001"
    assert all(t.day == OPEN_AT.date() and t.state == State.WAITING for t in [*a, b])
    assert TicketSequence.objects.get(group=groups["A"]).last_number == 3


def test_numbers_start_again_each_day_and_per_centre(centre, groups, clock):
    draw(centre, groups["A"])
    other_centre, other_groups, _counters = make_centre("valby")
    assert draw(other_centre, other_groups["A"]).code == "A001"
    clock.move_to(OPEN_AT + timedelta(days=1))
    tomorrow = draw(centre, groups["A"])
    assert (tomorrow.code, tomorrow.day) == ("A001", (OPEN_AT + timedelta(days=1)).date())


def test_code_pads_to_three_digits_and_grows():
    assert Ticket.format_code("A", 7) == "A007"
    assert Ticket.format_code("AB", 1234) == "AB1234"


def test_database_refuses_a_duplicate_number(centre, groups, clock):
    ticket = draw(centre, groups["A"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            centre=centre,
            group=groups["A"],
            day=ticket.day,
            number=ticket.number,
            code="A001",
            drawn_at=ticket.drawn_at,
            queued_at=ticket.drawn_at,
        )


# --- opening hours and groups -----------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 1, 9, 59, tzinfo=CPH),  # before opening
        datetime(2026, 12, 1, 18, 0, tzinfo=CPH),  # at closing
        datetime(2026, 12, 5, 14, 30, tzinfo=CPH),  # Saturday after 14
        datetime(2026, 12, 6, 11, 0, tzinfo=CPH),  # Sunday
        datetime(2026, 12, 25, 11, 0, tzinfo=CPH),  # Christmas Day, a Friday
    ],
)
def test_no_tickets_when_the_centre_is_closed(centre, groups, moment):
    with pytest.raises(ServiceError) as exc:
        draw(centre, groups["A"], at=moment)
    assert exc.value.code == "queue.centre_closed"
    assert not Ticket.objects.exists() and not TicketSequence.objects.exists()


def test_tickets_during_opening_hours(centre, groups):
    for moment in (
        datetime(2026, 12, 1, 10, 0, tzinfo=CPH),
        datetime(2026, 12, 1, 17, 59, tzinfo=CPH),
        datetime(2026, 12, 5, 13, 0, tzinfo=CPH),
    ):
        assert draw(centre, groups["A"], at=moment).drawn_at == moment


def test_inactive_or_foreign_queue_refused(centre, groups, clock):
    groups["C"].active = False
    groups["C"].save()
    with pytest.raises(ServiceError) as exc:
        draw(centre, groups["C"])
    assert exc.value.code == "queue.group_inactive"
    _other_centre, other_groups, _ = make_centre("valby")
    with pytest.raises(ServiceError) as exc:
        draw(centre, other_groups["A"])
    assert exc.value.code == "queue.group_not_in_centre"
    assert not Ticket.objects.exists()


# --- counter sessions -------------------------------------------------------------------------


def test_one_open_session_per_counter_and_per_staff_member(groups, counters, agent, agent2):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    assert set(session.groups.all()) == {groups["A"]}
    with pytest.raises(ServiceError) as exc:
        services.counter_open(user=agent2, counter=counters[0], groups=[groups["A"]])
    assert exc.value.code == "queue.counter_taken"
    with pytest.raises(ServiceError) as exc:
        services.counter_open(user=agent, counter=counters[1], groups=[groups["A"]])
    assert exc.value.code == "queue.already_signed_in"
    # The database holds the rule too, whatever the Python checks.
    with pytest.raises(IntegrityError), transaction.atomic():
        CounterSession.objects.create(counter=counters[0], staff=agent2, opened_at=OPEN_AT)
    services.counter_close(user=agent, session=session)
    again = services.counter_open(user=agent2, counter=counters[0], groups=[groups["B"]])
    assert again.is_open and not CounterSession.objects.get(pk=session.pk).is_open


def test_session_needs_queues_of_its_centre(groups, counters, agent):
    with pytest.raises(ServiceError) as exc:
        services.counter_open(user=agent, counter=counters[0], groups=[])
    assert exc.value.code == "queue.no_groups"
    _c, other_groups, _ = make_centre("valby")
    with pytest.raises(ServiceError) as exc:
        services.counter_open(user=agent, counter=counters[0], groups=[other_groups["A"]])
    assert exc.value.code == "queue.group_not_in_centre"
    assert not CounterSession.objects.exists()


def test_closing_the_counter_puts_a_called_ticket_back(centre, groups, counters, agent, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    ticket = draw(centre, groups["A"])
    later(clock)
    services.ticket_call_next(session=session)
    services.counter_close(user=agent, session=session)
    ticket.refresh_from_db()
    assert ticket.state == State.WAITING and ticket.called_at is None and ticket.staff is None


def test_counter_cannot_close_while_serving(centre, groups, counters, agent, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    ticket = draw(centre, groups["A"])
    services.ticket_call_next(session=session)
    services.ticket_serve(user=agent, ticket_id=ticket.pk)
    with pytest.raises(ServiceError) as exc:
        services.counter_close(user=agent, session=session)
    assert exc.value.code == "queue.session_serving"
    assert CounterSession.objects.get(pk=session.pk).is_open


# --- call next --------------------------------------------------------------------------------


def test_call_next_is_fifo_across_the_sessions_queues(centre, groups, counters, agent, clock):
    session = services.counter_open(
        user=agent, counter=counters[0], groups=[groups["A"], groups["B"]]
    )
    order = []
    for prefix in "BCAB":
        order.append(draw(centre, groups[prefix]))
        later(clock)
    called = []
    while (ticket := services.ticket_call_next(session=session)) is not None:
        called.append(ticket.code)
        assert ticket.counter == counters[0] and ticket.staff == agent
        assert ticket.called_at == ticket.announced_at
        services.ticket_no_show(user=agent, ticket_id=ticket.pk)
    # C is not among the session's skills: its ticket is left waiting.
    assert called == ["B001", "A001", "B002"]
    assert Ticket.objects.get(code="C001").state == State.WAITING


def test_booked_citizen_due_now_goes_first(centre, groups, counters, agent, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    walk_in = draw(centre, groups["A"])
    later(clock)
    not_yet = draw(centre, groups["A"], booking_reference=7, due_at=OPEN_AT + timedelta(minutes=45))
    due = draw(centre, groups["A"], booking_reference=8, due_at=OPEN_AT + timedelta(minutes=5))
    later(clock)
    assert services.ticket_call_next(session=session).pk == due.pk
    services.ticket_no_show(user=agent, ticket_id=due.pk)
    assert services.ticket_call_next(session=session).pk == walk_in.pk
    services.ticket_no_show(user=agent, ticket_id=walk_in.pk)
    assert services.ticket_call_next(session=session).pk == not_yet.pk


def test_call_next_refused_while_the_counter_holds_a_ticket(centre, groups, counters, agent, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    draw(centre, groups["A"])
    second = draw(centre, groups["A"])
    services.ticket_call_next(session=session)
    with pytest.raises(ServiceError) as exc:
        services.ticket_call_next(session=session)
    assert exc.value.code == "queue.counter_busy"
    assert Ticket.objects.get(pk=second.pk).state == State.WAITING


def test_empty_queue_gives_none(groups, counters, agent, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    assert services.ticket_call_next(session=session) is None


def test_yesterdays_leftovers_are_not_called(centre, groups, counters, agent, clock):
    draw(centre, groups["A"])
    clock.move_to(OPEN_AT + timedelta(days=1))
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    assert services.ticket_call_next(session=session) is None


def test_another_agents_ticket_cannot_be_touched(centre, groups, counters, agent, agent2, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    ticket = draw(centre, groups["A"])
    services.ticket_call_next(session=session)
    with pytest.raises(ServiceError) as exc:
        services.ticket_no_show(user=agent2, ticket_id=ticket.pk)
    assert exc.value.code == "queue.not_your_ticket"
    assert Ticket.objects.get(pk=ticket.pk).state == State.CALLED


# --- finish, transfer, park -------------------------------------------------------------------


def serving(centre, group, session, agent, clock, **kwargs):
    ticket = draw(centre, group, **kwargs)
    later(clock, 4)
    services.ticket_call_next(session=session)
    later(clock, 1)
    services.ticket_serve(user=agent, ticket_id=ticket.pk)
    later(clock, 6)
    return ticket


def test_finish_registers_the_walk_in_contact(centre, groups, counters, agent, service_code, clock):
    citizen = CitizenFactory()
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    ticket = serving(centre, groups["A"], session, agent, clock, citizen=citizen)
    done = services.ticket_finish(
        user=agent,
        ticket_id=ticket.pk,
        outcome=Contact.Outcome.RESOLVED,
        services=[service_code],
        note="Nyt sundhedskort bestilt",
    )
    contact = Contact.objects.get()
    assert done.contact == contact and done.state == State.FINISHED
    assert contact.channel == "walk_in" and contact.outcome == "resolved"
    assert contact.citizen == citizen and contact.staff == agent and contact.centre == centre
    assert [link.service.code for link in contact.service_links.all()] == [service_code]
    assert contact.started_at == done.served_at and contact.ended_at == done.finished_at
    assert done.wait == timedelta(minutes=4) and done.service_time == timedelta(minutes=6)


def test_finish_with_a_bad_contact_changes_nothing(centre, groups, counters, agent, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    ticket = serving(centre, groups["A"], session, agent, clock)
    with pytest.raises(ServiceError) as exc:
        services.ticket_finish(
            user=agent, ticket_id=ticket.pk, outcome="resolved", services=["no-such-service"]
        )
    assert exc.value.code == "contact.unknown_service"
    assert Ticket.objects.get(pk=ticket.pk).state == State.SERVING
    assert not Contact.objects.exists()


def test_transfer_keeps_the_place_in_the_order_of_arrival(
    centre, groups, counters, agent, agent2, clock
):
    a_session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    b_session = services.counter_open(user=agent2, counter=counters[1], groups=[groups["B"]])
    citizen = CitizenFactory()
    first = draw(centre, groups["A"], citizen=citizen)
    later(clock)
    draw(centre, groups["B"])
    later(clock)
    services.ticket_call_next(session=a_session)
    new = services.ticket_transfer(user=agent, ticket_id=first.pk, to_group=groups["B"])
    assert new.code == "B002" and new.state == State.WAITING
    assert new.drawn_at == first.drawn_at and new.queued_at > first.drawn_at
    assert new.citizen == citizen and new.transferred_from_id == first.pk
    old = Ticket.objects.get(pk=first.pk)
    assert old.state == State.TRANSFERRED and old.finished_at is not None
    # It arrived before B001, so it is called first in queue B.
    assert services.ticket_call_next(session=b_session).pk == new.pk


def test_transfer_to_the_same_queue_refused(centre, groups, agent, clock):
    ticket = draw(centre, groups["A"])
    with pytest.raises(ServiceError) as exc:
        services.ticket_transfer(user=agent, ticket_id=ticket.pk, to_group=groups["A"])
    assert exc.value.code == "queue.same_group"
    assert Ticket.objects.count() == 1


def test_park_and_resume_at_another_counter(
    centre, groups, counters, agent, agent2, service_code, clock
):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    services.counter_open(user=agent2, counter=counters[1], groups=[groups["B"]])
    ticket = serving(centre, groups["A"], session, agent, clock)  # 6 minutes served
    services.ticket_park(user=agent, ticket_id=ticket.pk)
    later(clock, 20)
    resumed = services.ticket_resume(user=agent2, ticket_id=ticket.pk)
    assert resumed.counter == counters[1] and resumed.staff == agent2
    assert resumed.parked_seconds == 20 * 60
    later(clock, 4)
    done = services.ticket_finish(
        user=agent2, ticket_id=ticket.pk, outcome="resolved", services=[service_code]
    )
    assert done.service_time == timedelta(minutes=10)


def test_resume_needs_a_counter(centre, groups, counters, agent, agent2, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    ticket = serving(centre, groups["A"], session, agent, clock)
    services.ticket_park(user=agent, ticket_id=ticket.pk)
    with pytest.raises(ServiceError) as exc:
        services.ticket_resume(user=agent2, ticket_id=ticket.pk)
    assert exc.value.code == "queue.not_signed_in"
    assert Ticket.objects.get(pk=ticket.pk).state == State.PARKED


# --- day close --------------------------------------------------------------------------------


def test_day_close_marks_unserved_and_is_idempotent(centre, groups, counters, agent, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    waiting = draw(centre, groups["B"])
    called = draw(centre, groups["A"])
    services.ticket_call_next(session=session)
    other_centre, other_groups, _ = make_centre("valby")
    elsewhere = draw(other_centre, other_groups["A"])
    clock.move_to(datetime(2026, 12, 1, 18, 5, tzinfo=CPH))
    assert services.day_close(centre=centre, day=OPEN_AT.date()) == 2
    for ticket in (waiting, called):
        ticket.refresh_from_db()
        assert ticket.state == State.CLOSED_UNSERVED and ticket.finished_at is not None
    assert Ticket.objects.get(pk=elsewhere.pk).state == State.WAITING
    assert not CounterSession.objects.get(pk=session.pk).is_open
    assert services.day_close(centre=centre, day=OPEN_AT.date()) == 0
    assert Ticket.objects.filter(state=State.CLOSED_UNSERVED).count() == 2


def test_day_close_leaves_a_citizen_being_served(centre, groups, counters, agent, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    ticket = serving(centre, groups["A"], session, agent, clock)
    assert services.day_close(centre=centre, day=OPEN_AT.date()) == 0
    assert Ticket.objects.get(pk=ticket.pk).state == State.SERVING
    assert CounterSession.objects.get(pk=session.pk).is_open
