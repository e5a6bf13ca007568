"""The scheduled day close and the registered tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command

from borgerservice.core.tasks import REGISTRY
from borgerservice.queueing import services
from borgerservice.queueing.models import CounterSession, Ticket
from borgerservice.queueing.tasks import close_days, days_to_close
from borgerservice.queueing.workflow import State

from .conftest import CPH, OPEN_AT

pytestmark = pytest.mark.django_db


def draw(centre, group, **kwargs):
    return services.ticket_draw(centre=centre, group=group, **kwargs)


def test_both_tasks_are_registered():
    assert {"queueing.close_days", "queueing.notify_near"} <= set(REGISTRY)


def test_nothing_is_closed_while_open_or_within_the_grace_time(centre, groups, clock):
    draw(centre, groups["A"])
    assert close_days() == {}
    clock.move_to(datetime(2026, 12, 1, 18, 30, tzinfo=CPH))  # closed at 18, 60 min grace
    assert days_to_close(centre, datetime(2026, 12, 1, 18, 30, tzinfo=CPH)) == []
    assert close_days() == {}
    assert Ticket.objects.get().state == State.WAITING


def test_the_day_closes_after_closing_time(centre, groups, counters, agent, clock):
    draw(centre, groups["A"], notify_email="a@example.dk")
    services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    clock.move_to(datetime(2026, 12, 1, 19, 0, tzinfo=CPH))
    assert close_days() == {centre.code: 1}
    ticket = Ticket.objects.get()
    assert (ticket.state, ticket.notify_email) == (State.CLOSED_UNSERVED, "")
    assert CounterSession.objects.get().closed_at is not None
    assert close_days() == {centre.code: 0}  # running again changes nothing


def test_the_grace_time_is_a_setting(centre, groups, clock, settings):
    settings.QUEUE_DAY_CLOSE_AFTER_MINUTES = 0
    draw(centre, groups["A"])
    clock.move_to(datetime(2026, 12, 1, 18, 0, tzinfo=CPH))
    assert close_days() == {centre.code: 1}


def test_an_earlier_day_left_open_is_closed_without_touching_today(
    centre, groups, counters, agent, agent2, clock
):
    draw(centre, groups["A"])
    services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    clock.move_to(OPEN_AT + timedelta(days=1))  # Wednesday 11:00, open
    today = draw(centre, groups["A"])
    services.counter_open(user=agent2, counter=counters[1], groups=[groups["A"]])
    assert close_days() == {centre.code: 1}
    assert Ticket.objects.get(day=OPEN_AT.date()).state == State.CLOSED_UNSERVED
    assert Ticket.objects.get(pk=today.pk).state == State.WAITING
    assert CounterSession.objects.get(staff=agent).closed_at is not None
    assert CounterSession.objects.get(staff=agent2).closed_at is None


def test_a_day_the_centre_is_closed_is_closed_at_once(centre, groups, clock):
    sunday = datetime(2026, 12, 6, 11, 0, tzinfo=CPH)
    clock.move_to(sunday)
    assert days_to_close(centre, sunday) == [sunday.date()]


def test_enqueue_task_runs_the_close(centre, groups, clock, django_capture_on_commit_callbacks):
    draw(centre, groups["A"])
    clock.move_to(datetime(2026, 12, 1, 23, 0, tzinfo=CPH))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("enqueue_task", "queueing.close_days")
    assert Ticket.objects.get().state == State.CLOSED_UNSERVED
