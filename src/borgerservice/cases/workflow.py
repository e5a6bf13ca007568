"""The case status machine: the one table of allowed transitions.

received → in_progress → awaiting_citizen (clock paused) → in_progress → decided →
closed; closed → reopened → in_progress; decided → complaint → forwarded to the
complaint body → closed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CITIZEN = "awaiting_citizen", _("Awaiting the citizen")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    COMPLAINT = "complaint", _("Complaint received")
    FORWARDED = "forwarded", _("Forwarded to the complaint body")


# (from, to) → action name. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.RECEIVED, Status.IN_PROGRESS): "start",
    (Status.IN_PROGRESS, Status.AWAITING_CITIZEN): "suspend",
    (Status.AWAITING_CITIZEN, Status.IN_PROGRESS): "resume",
    (Status.IN_PROGRESS, Status.DECIDED): "decide",
    (Status.DECIDED, Status.CLOSED): "close",
    (Status.CLOSED, Status.REOPENED): "reopen",
    (Status.REOPENED, Status.IN_PROGRESS): "start",
    (Status.DECIDED, Status.COMPLAINT): "complaint",
    (Status.COMPLAINT, Status.DECIDED): "reconsider",
    (Status.COMPLAINT, Status.FORWARDED): "forward",
    (Status.FORWARDED, Status.CLOSED): "close",
}

# While a case is in one of these, its deadline clock does not run.
PAUSED = frozenset({Status.AWAITING_CITIZEN})
# Once a case reaches one of these, its processing-time deadline has been met or is moot.
FINISHED = frozenset({Status.DECIDED, Status.CLOSED, Status.COMPLAINT, Status.FORWARDED})


def allowed(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in TRANSITIONS
