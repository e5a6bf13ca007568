"""On PostgreSQL: 1,000 concurrent draws in one centre give 1,000 distinct numbers, and 100
agents pressing "call next" at once never get the same ticket.

PostgreSQL allows 100 connections by default, so 1,000 threads with a connection each
cannot run at once: 50 threads start together at a barrier and each draws 20 tickets
back to back (1,000 draws, up to 50 in flight at every moment, all contending for the same
sequence rows). The 100 agents need 100 connections at once: they run in four waves of 25
against one shared queue, each wave released together by a barrier.
"""

from __future__ import annotations

from collections import Counter as Tally

import pytest
from django.db import connection

from borgerservice.queueing import services
from borgerservice.queueing.models import Counter, CounterSession, Ticket
from borgerservice.queueing.workflow import State
from tests.accounts.staff import FRONT_OFFICE, make_staff
from tests.concurrency import load_reference_data, run_together

from .conftest import OPEN_AT, make_centre

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]
THREADS = 50


@pytest.fixture
def place():
    load_reference_data()
    return make_centre()


def test_1000_concurrent_draws_give_1000_distinct_numbers(place):
    centre, groups, _counters = place
    queues = [groups["A"], groups["B"]]

    def draw_20(index: int):
        def run():
            return [
                services.ticket_draw(centre=centre, group=queues[(index + n) % 2], at=OPEN_AT).code
                for n in range(20)
            ]

        return run

    outcomes = run_together([draw_20(i) for i in range(THREADS)])
    assert [kind for kind, _ in outcomes] == ["ok"] * THREADS, outcomes
    codes = [code for _, result in outcomes for code in result]
    assert len(codes) == len(set(codes)) == 1000
    assert sorted(Ticket.objects.filter(group=groups["A"]).values_list("number", flat=True)) == (
        list(range(1, 501))
    )
    assert Ticket.objects.filter(centre=centre).count() == 1000


def test_100_agents_calling_next_never_share_a_ticket(place):
    centre, groups, _counters = place
    for _ in range(150):
        services.ticket_draw(centre=centre, group=groups["A"], at=OPEN_AT)
    sessions = []
    for n in range(100):
        counter = Counter.objects.create(centre=centre, code=f"c-{n}", name=f"Skranke {n}")
        agent = make_staff(FRONT_OFFICE, username=f"agent-{n}")
        sessions.append(services.counter_open(user=agent, counter=counter, groups=[groups["A"]]))

    def call(session: CounterSession):
        return lambda: services.ticket_call_next(session=session, at=OPEN_AT).pk

    got = []
    # Waves of 25 keep well below PostgreSQL's connection limit with the test's own.
    for wave in (sessions[i : i + 25] for i in range(0, 100, 25)):
        outcomes = run_together([call(s) for s in wave])
        errors = [repr(r) for kind, r in outcomes if kind == "error"]
        assert not errors, errors
        got += [pk for _, pk in outcomes]
    assert len(got) == len(set(got)) == 100
    called = Ticket.objects.filter(state=State.CALLED)
    assert called.count() == 100
    assert max(Tally(called.values_list("session_id", flat=True)).values()) == 1
    # FIFO held under contention: the 100 called are the 100 first drawn.
    assert set(called.values_list("number", flat=True)) == set(range(1, 101))


def test_a_locked_ticket_does_not_hold_up_draws_and_calls_in_its_centre(place):
    """Changing a ticket locks the ticket row only, not its queue, centre or counter:
    while one counter's transaction holds its ticket, another kiosk draws in the same
    queue and another counter calls next, without waiting (a lock wait would fail on the
    lock timeout)."""
    import threading

    from django.db import connections, transaction

    centre, groups, counters = place
    for _ in range(3):
        services.ticket_draw(centre=centre, group=groups["A"], at=OPEN_AT)
    first = services.counter_open(
        user=make_staff(FRONT_OFFICE, username="first"), counter=counters[0], groups=[groups["A"]]
    )
    second = services.counter_open(
        user=make_staff(FRONT_OFFICE, username="second"), counter=counters[1], groups=[groups["A"]]
    )
    held = services.ticket_call_next(session=first, at=OPEN_AT)
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                services.ticket_locked(held.pk)
                services._session_locked(first.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            drawn = services.ticket_draw(centre=centre, group=groups["A"], at=OPEN_AT)
            called = services.ticket_call_next(session=second, at=OPEN_AT)
    finally:
        release.set()
        holder.join()
    assert drawn.number == 4
    assert called is not None and called.pk != held.pk
