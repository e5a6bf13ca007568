"""The booking state machine: one table of allowed transitions.

``booked`` → ``checked_in`` (arrived at the kiosk) → ``served`` (finished at the counter);
a booking that is not checked in becomes ``no_show`` (the job after the start, or the
counter when a checked-in citizen is called and does not come); ``cancelled`` only from
``booked``. ``cancelled``, ``no_show`` and ``served`` are final.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Did not show up")
    SERVED = "served", _("Served")


TRANSITIONS: dict[str, frozenset[str]] = {
    State.BOOKED: frozenset({State.CANCELLED, State.CHECKED_IN, State.NO_SHOW}),
    State.CHECKED_IN: frozenset({State.SERVED, State.NO_SHOW}),
    State.CANCELLED: frozenset(),
    State.NO_SHOW: frozenset(),
    State.SERVED: frozenset(),
}

#: States in which a booking holds a seat of its slot (everything but cancelled).
HOLDS_SEAT: frozenset[str] = frozenset(s for s in State.values if s != State.CANCELLED)
FINAL: frozenset[str] = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


def can_transition(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())
