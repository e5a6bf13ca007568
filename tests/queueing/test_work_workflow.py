"""The work-item state machine: the one table of allowed actions."""

from __future__ import annotations

import pytest

from borgerservice.queueing.workflow import (
    WORK_FINAL,
    WORK_HELD,
    WORK_OPEN,
    WORK_TRANSITIONS,
    WorkState,
    work_actions_from,
    work_allowed,
    work_target,
)

QU, OF, IP, DO, CA = (
    WorkState.QUEUED,
    WorkState.OFFERED,
    WorkState.IN_PROGRESS,
    WorkState.DONE,
    WorkState.CANCELLED,
)


@pytest.mark.parametrize(
    ("action", "from_state", "to_state"),
    [
        ("offer", QU, OF),
        ("accept", OF, IP),
        ("decline", OF, QU),
        ("expire", OF, QU),
        ("release", IP, QU),
        ("reclaim", OF, QU),
        ("reclaim", IP, QU),
        ("overflow", QU, QU),
        ("finish", IP, DO),
        ("cancel", QU, CA),
        ("cancel", OF, CA),
        ("cancel", IP, CA),
    ],
)
def test_allowed_actions_lead_where_the_table_says(action, from_state, to_state):
    assert work_allowed(action, from_state)
    assert work_target(action) == to_state


@pytest.mark.parametrize(
    ("action", "from_state"),
    [
        ("accept", QU),  # nobody was offered it
        ("finish", OF),  # not accepted yet
        ("finish", QU),
        ("release", OF),  # an offer is declined, not released
        ("decline", IP),
        ("offer", OF),  # one agent at a time
        ("offer", IP),
        ("overflow", OF),
        ("cancel", DO),
        ("cancel", CA),
        ("unknown", QU),
    ],
)
def test_everything_else_is_refused(action, from_state):
    assert not work_allowed(action, from_state)


def test_final_states_allow_nothing_and_open_states_something():
    for state in WORK_FINAL:
        assert work_actions_from(state) == []
    for state in WORK_OPEN:
        assert "cancel" in work_actions_from(state)
    assert work_actions_from(QU) == ["offer", "overflow", "cancel"]
    assert work_actions_from(IP) == ["release", "reclaim", "finish", "cancel"]


def test_the_state_sets_partition_the_states():
    assert set(WorkState) == WORK_OPEN | WORK_FINAL
    assert not WORK_OPEN & WORK_FINAL
    assert {OF, IP} == WORK_HELD
    targets = {to for _sources, to in WORK_TRANSITIONS.values()}
    assert targets <= set(WorkState)
