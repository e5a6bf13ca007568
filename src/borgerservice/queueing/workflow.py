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
