"""The ticket state machine: the one table of allowed transitions.

waiting → called → serving → finished; called → called (recall: announced again, the state
stays called); called → no_show; called → waiting (requeue: the counter closed before the
citizen came); serving → parked → serving; waiting / called / serving → transferred (a new
waiting ticket in the other queue takes over); waiting / called / parked → closed_unserved
when the day closes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    PARKED = "parked", _("Parked")
    FINISHED = "finished", _("Finished")
    NO_SHOW = "no_show", _("Did not show up")
    TRANSFERRED = "transferred", _("Transferred to another queue")
    CLOSED_UNSERVED = "closed_unserved", _("Closed unserved at the end of the day")


# (from, to) → action name. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (State.WAITING, State.CALLED): "call",
    (State.CALLED, State.CALLED): "recall",
    (State.CALLED, State.WAITING): "requeue",
    (State.CALLED, State.SERVING): "serve",
    (State.CALLED, State.NO_SHOW): "no_show",
    (State.SERVING, State.PARKED): "park",
    (State.PARKED, State.SERVING): "resume",
    (State.SERVING, State.FINISHED): "finish",
    (State.WAITING, State.TRANSFERRED): "transfer",
    (State.CALLED, State.TRANSFERRED): "transfer",
    (State.SERVING, State.TRANSFERRED): "transfer",
    (State.WAITING, State.CLOSED_UNSERVED): "close_day",
    (State.CALLED, State.CLOSED_UNSERVED): "close_day",
    (State.PARKED, State.CLOSED_UNSERVED): "close_day",
}

# A ticket in one of these is done: nothing moves it any more.
FINAL = frozenset({State.FINISHED, State.NO_SHOW, State.TRANSFERRED, State.CLOSED_UNSERVED})
# Tickets that hold a counter (the counter session cannot close while it serves one).
AT_COUNTER = frozenset({State.CALLED, State.SERVING})
# What the day close marks as unserved.
OPEN_AT_DAY_CLOSE = frozenset({State.WAITING, State.CALLED, State.PARKED})


def allowed(from_state: str, to_state: str) -> bool:
    return (from_state, to_state) in TRANSITIONS


def actions_from(state: str) -> list[tuple[str, str]]:
    """(to_state, action) pairs allowed from ``state``, in table order."""
    return [(to, action) for (frm, to), action in TRANSITIONS.items() if frm == state]


# --- Work items (non-real-time work: emails, call-backs, web messages, handovers) ---------------
#
# queued → offered (to one agent, until the offer expires) → in_progress (accepted) → done.
# offered → queued when the agent declines, the offer expires or the agent is away; in_progress →
# queued when the agent releases it or has been away too long (it is offered to someone else);
# queued → queued when it overflows to service-centre staff; any open state → cancelled.


class WorkState(models.TextChoices):
    QUEUED = "queued", _("Waiting in the queue")
    OFFERED = "offered", _("Offered to an agent")
    IN_PROGRESS = "in_progress", _("Being handled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# action → (states it may start from, state it leads to). Nothing else is allowed.
WORK_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "offer": (frozenset({WorkState.QUEUED}), WorkState.OFFERED),
    "accept": (frozenset({WorkState.OFFERED}), WorkState.IN_PROGRESS),
    "decline": (frozenset({WorkState.OFFERED}), WorkState.QUEUED),
    "expire": (frozenset({WorkState.OFFERED}), WorkState.QUEUED),
    "release": (frozenset({WorkState.IN_PROGRESS}), WorkState.QUEUED),
    "reclaim": (frozenset({WorkState.OFFERED, WorkState.IN_PROGRESS}), WorkState.QUEUED),
    "overflow": (frozenset({WorkState.QUEUED}), WorkState.QUEUED),
    "finish": (frozenset({WorkState.IN_PROGRESS}), WorkState.DONE),
    "cancel": (
        frozenset({WorkState.QUEUED, WorkState.OFFERED, WorkState.IN_PROGRESS}),
        WorkState.CANCELLED,
    ),
}

# Items an agent holds: they count towards the agent's limit on work in progress.
WORK_HELD = frozenset({WorkState.OFFERED, WorkState.IN_PROGRESS})
WORK_OPEN = frozenset({WorkState.QUEUED, WorkState.OFFERED, WorkState.IN_PROGRESS})
WORK_FINAL = frozenset({WorkState.DONE, WorkState.CANCELLED})


def work_allowed(action: str, from_state: str) -> bool:
    rule = WORK_TRANSITIONS.get(action)
    return rule is not None and from_state in rule[0]


def work_target(action: str) -> str:
    return WORK_TRANSITIONS[action][1]


def work_actions_from(state: str) -> list[str]:
    """The actions allowed from ``state``, in table order."""
    return [action for action, (sources, _to) in WORK_TRANSITIONS.items() if state in sources]
