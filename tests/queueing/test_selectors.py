"""Estimated wait from live throughput, the team-lead status, the display and the
statistics facts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from borgerservice.queueing import selectors, services

from .conftest import OPEN_AT, later, make_centre

pytestmark = pytest.mark.django_db


def finish_one(centre, group, session, agent, code, clock, *, wait=2, service=6):
    ticket = services.ticket_draw(centre=centre, group=group)
    later(clock, wait)
    services.ticket_call_next(session=session)
    services.ticket_serve(user=agent, ticket_id=ticket.pk)
    later(clock, service)
    return services.ticket_finish(
        user=agent, ticket_id=ticket.pk, outcome="resolved", services=[code]
    )


def test_estimate_falls_back_to_the_queues_default(centre, groups, clock):
    for _ in range(3):
        services.ticket_draw(centre=centre, group=groups["A"])
    estimate = selectors.estimated_wait(groups["A"])
    # No counter open yet: one is assumed; 3 ahead × 8 default minutes.
    assert estimate == selectors.WaitEstimate(
        minutes=24, ahead=3, counters=0, service_minutes=8.0, basis="default"
    )


def test_estimate_uses_todays_median_service_time_and_open_counters(
    centre, groups, counters, agent, agent2, service_code, clock
):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    for minutes in (4, 5, 12):
        finish_one(centre, groups["A"], session, agent, service_code, clock, service=minutes)
    waiting = [services.ticket_draw(centre=centre, group=groups["A"]) for _ in range(4)]
    estimate = selectors.estimated_wait(groups["A"])
    assert (estimate.basis, estimate.service_minutes, estimate.ahead) == ("throughput", 5, 4)
    assert (estimate.counters, estimate.minutes) == (1, 20)
    services.counter_open(user=agent2, counter=counters[1], groups=[groups["A"], groups["B"]])
    assert selectors.estimated_wait(groups["A"]).minutes == 10
    # For a ticket: only those ahead of it count.
    third = selectors.estimated_wait(groups["A"], ticket=waiting[2])
    assert (third.ahead, third.minutes) == (2, 5)


def test_queue_status_per_centre(centre, groups, counters, agent, service_code, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    finish_one(centre, groups["A"], session, agent, service_code, clock)
    services.ticket_draw(centre=centre, group=groups["B"])
    later(clock, 5)
    services.ticket_draw(centre=centre, group=groups["C"])
    later(clock, 3)
    _other, _g, _c = make_centre("valby")
    status = {s.centre.code: s for s in selectors.queue_status()}
    assert set(status) == {"indre-by", "valby"}
    here = status["indre-by"]
    assert (here.waiting, here.counters_open, here.served_today) == (2, 1, 1)
    assert here.longest_wait == timedelta(minutes=8)
    assert (status["valby"].waiting, status["valby"].longest_wait) == (0, None)


def test_display_shows_the_latest_announcements(centre, groups, counters, agent, agent2, clock):
    s1 = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    s2 = services.counter_open(user=agent2, counter=counters[1], groups=[groups["A"]])
    first = services.ticket_draw(centre=centre, group=groups["A"])
    services.ticket_draw(centre=centre, group=groups["A"])
    later(clock)
    services.ticket_call_next(session=s1)
    later(clock)
    services.ticket_call_next(session=s2)
    assert [(t.code, t.counter.name) for t in selectors.last_called(centre)] == [
        ("A002", "Skranke 2"),
        ("A001", "Skranke 1"),
    ]
    later(clock)
    services.ticket_recall(user=agent, ticket_id=first.pk)
    assert [t.code for t in selectors.last_called(centre)] == ["A001", "A002"]
    services.ticket_no_show(user=agent, ticket_id=first.pk)
    assert [t.code for t in selectors.last_called(centre)] == ["A002"]


def test_facts_and_hourly_statistics(centre, groups, counters, agent, service_code, clock):
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    done = finish_one(centre, groups["A"], session, agent, service_code, clock, wait=3, service=7)
    no_show = services.ticket_draw(centre=centre, group=groups["A"])
    services.ticket_call_next(session=session)
    services.ticket_no_show(user=agent, ticket_id=no_show.pk)
    clock.move_to(OPEN_AT + timedelta(hours=2))
    services.ticket_draw(centre=centre, group=groups["B"])
    services.day_close(centre=centre, day=OPEN_AT.date())

    facts = {f.ticket_id: f for f in selectors.ticket_facts(OPEN_AT.date(), centre=centre)}
    fact = facts[done.pk]
    assert (fact.centre, fact.group, fact.hour, fact.state) == ("indre-by", "q-a", 11, "finished")
    assert (fact.wait_seconds, fact.service_seconds) == (180, 420)
    assert fact.services == (service_code,)
    assert facts[no_show.pk].service_seconds is None

    rows = {(r.group, r.hour): r for r in selectors.ticket_stats_by_hour(OPEN_AT.date())}
    a = rows[("q-a", 11)]
    assert (a.drawn, a.finished, a.no_show, a.unserved) == (2, 1, 1, 0)
    assert a.median_service_seconds == 420
    b = rows[("q-b", 13)]
    assert (b.drawn, b.unserved, b.median_wait_seconds) == (1, 1, None)


def test_waiting_by_group(centre, groups, clock):
    for prefix in "AAB":
        services.ticket_draw(centre=centre, group=groups[prefix])
    assert selectors.waiting_by_group(centre) == {groups["A"].pk: 2, groups["B"].pk: 1}
