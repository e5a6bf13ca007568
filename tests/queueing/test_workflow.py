"""The ticket state machine: every action on a ticket in every state does exactly what the
transition table says, and nothing else."""

from __future__ import annotations

import itertools

import pytest

from borgerservice.core.errors import ServiceError
from borgerservice.queueing import services, workflow
from borgerservice.queueing.models import Ticket

from .conftest import later

pytestmark = pytest.mark.django_db
S = workflow.State
ACTIONS = sorted(set(workflow.TRANSITIONS.values()))


def test_table_lists_each_action_once_per_source_state():
    for state in S:
        actions = [a for (frm, _to), a in workflow.TRANSITIONS.items() if frm == state]
        assert len(actions) == len(set(actions)), state
    assert (
        sorted(
            [
                "call",
                "recall",
                "requeue",
                "serve",
                "no_show",
                "park",
                "resume",
                "finish",
                "transfer",
                "close_day",
            ]
        )
        == ACTIONS
    )


def test_final_states_have_no_way_out():
    for state in workflow.FINAL:
        assert workflow.actions_from(state) == []
    assert {frm for (frm, _to) in workflow.TRANSITIONS} == set(S) - workflow.FINAL


def test_day_close_set_matches_the_table():
    closing = {frm for (frm, _to), a in workflow.TRANSITIONS.items() if a == "close_day"}
    assert closing == set(workflow.OPEN_AT_DAY_CLOSE)


def test_allowed_is_the_table():
    for frm, to in itertools.product(S, S):
        assert workflow.allowed(frm, to) == ((frm, to) in workflow.TRANSITIONS)


class Desk:
    """A counter session of one agent covering queues A and B."""

    def __init__(self, centre, groups, counters, agent, service_code, clock):
        self.centre, self.groups, self.agent, self.clock = centre, groups, agent, clock
        self.service_code = service_code
        self.session = services.counter_open(
            user=agent, counter=counters[0], groups=[groups["A"], groups["B"]]
        )

    def ticket_in(self, state: str) -> Ticket:
        ticket = services.ticket_draw(centre=self.centre, group=self.groups["A"])
        if state == S.WAITING:
            return ticket
        if state == S.TRANSFERRED:
            services.ticket_transfer(
                user=self.agent, ticket_id=ticket.pk, to_group=self.groups["C"]
            )
            return Ticket.objects.get(pk=ticket.pk)
        if state == S.CLOSED_UNSERVED:
            services.day_close(centre=self.centre, day=ticket.day)
            return Ticket.objects.get(pk=ticket.pk)
        later(self.clock)
        assert services.ticket_call_next(session=self.session).pk == ticket.pk
        if state == S.NO_SHOW:
            services.ticket_no_show(user=self.agent, ticket_id=ticket.pk)
        if state in (S.SERVING, S.PARKED, S.FINISHED):
            later(self.clock)
            services.ticket_serve(user=self.agent, ticket_id=ticket.pk)
        if state == S.PARKED:
            services.ticket_park(user=self.agent, ticket_id=ticket.pk)
        if state == S.FINISHED:
            self.finish(ticket)
        ticket.refresh_from_db()
        assert ticket.state == state
        return ticket

    def finish(self, ticket):
        return services.ticket_finish(
            user=self.agent,
            ticket_id=ticket.pk,
            outcome="resolved",
            services=[self.service_code],
        )

    def act(self, action: str, ticket: Ticket) -> None:
        later(self.clock)
        user, pk = self.agent, ticket.pk
        match action:
            case "call":
                services.ticket_call_next(session=self.session)
            case "recall":
                services.ticket_recall(user=user, ticket_id=pk)
            case "requeue":
                services.counter_close(user=user, session=self.session)
            case "serve":
                services.ticket_serve(user=user, ticket_id=pk)
            case "no_show":
                services.ticket_no_show(user=user, ticket_id=pk)
            case "park":
                services.ticket_park(user=user, ticket_id=pk)
            case "resume":
                services.ticket_resume(user=user, ticket_id=pk)
            case "finish":
                self.finish(ticket)
            case "transfer":
                services.ticket_transfer(user=user, ticket_id=pk, to_group=self.groups["B"])
            case "close_day":
                services.day_close(centre=self.centre, day=ticket.day)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", list(S))
def test_every_action_in_every_state(
    state, action, centre, groups, counters, agent, service_code, clock
):
    desk = Desk(centre, groups, counters, agent, service_code, clock)
    ticket = desk.ticket_in(state)
    expected = [to for (frm, to), a in workflow.TRANSITIONS.items() if frm == state and a == action]
    before = Ticket.objects.get(pk=ticket.pk)
    try:
        desk.act(action, ticket)
    except ServiceError as exc:
        assert not expected, f"{action} from {state} refused: {exc}"
        refused = True
    else:
        refused = False
    after = Ticket.objects.get(pk=ticket.pk)
    if expected:
        assert after.state == expected[0]
    else:
        # Forbidden: refused, or (for the actions that pick their own tickets) a no-op.
        assert after.state == before.state
        if action not in ("call", "requeue", "close_day"):
            assert refused
        assert after.called_at == before.called_at
        assert after.finished_at == before.finished_at
    if action == "recall" and expected:
        assert after.recalls == 1
        assert after.announced_at > before.announced_at
    if action == "requeue" and expected:
        assert after.called_at is None and after.counter_id is None
    if action == "transfer" and expected:
        new = Ticket.objects.get(transferred_from=ticket)
        assert new.state == S.WAITING and new.group == groups["B"]
