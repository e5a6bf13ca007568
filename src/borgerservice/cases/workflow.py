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


# What the citizen reads about each status (the case type may override per status in
# ``CaseType.citizen_texts``), and what staff read.
CITIZEN_TEXTS = {
    Status.RECEIVED: _("We have received your case. A caseworker will start on it soon."),
    Status.IN_PROGRESS: _("A caseworker is working on your case."),
    Status.AWAITING_CITIZEN: _(
        "We are waiting for information from you. The case is paused until we receive it."
    ),
    Status.DECIDED: _("A decision has been made. You have received a letter about it."),
    Status.CLOSED: _("The case is closed."),
    Status.REOPENED: _("The case has been reopened and will be looked at again."),
    Status.COMPLAINT: _("We have received your complaint and are reconsidering the decision."),
    Status.FORWARDED: _(
        "Your complaint has been sent on to the complaint body, which will contact you."
    ),
}
INTERNAL_TEXTS = {
    Status.RECEIVED: _("New: not yet started. The deadline runs."),
    Status.IN_PROGRESS: _("Being worked on. The deadline runs."),
    Status.AWAITING_CITIZEN: _("Waiting for the citizen: the deadline clock is paused."),
    Status.DECIDED: _("Decided; the letter has gone out. Close it when the complaint period ends."),
    Status.CLOSED: _("Closed; kept until the retention period ends, then anonymised."),
    Status.REOPENED: _("Reopened: start the work again."),
    Status.COMPLAINT: _("Complaint received: reconsider within 4 weeks, then decide or forward."),
    Status.FORWARDED: _("Forwarded to the complaint body with the case file."),
}

# Defaults for new case types, until the department sets its own.
DEFAULT_RETENTION_YEARS = 5
DEFAULT_LEGAL_BASIS_DA = "Forvaltningsloven (lovbekendtgørelse nr. 433 af 22. april 2014)."
DEFAULT_LEGAL_BASIS_EN = (
    "The Public Administration Act (Consolidated Act no. 433 of 22 April 2014)."
)
DEFAULT_COMPLAINT_GUIDANCE_DA = (
    "Du kan klage over afgørelsen inden 4 uger fra den dag, du har modtaget den. Send klagen "
    "til den enhed, der har truffet afgørelsen. Vi ser på sagen igen, og hvis vi fastholder "
    "afgørelsen, sender vi klagen videre til klageinstansen."
)
DEFAULT_COMPLAINT_GUIDANCE_EN = (
    "You may complain about the decision within 4 weeks of the day you received it. Send the "
    "complaint to the unit that made the decision. We will look at the case again, and if we "
    "uphold the decision, we will forward your complaint to the complaint body."
)


def citizen_text(case_type, status: str, language: str) -> str:
    """The citizen-facing text for ``status``: the case type's own, else the default."""
    own = (case_type.citizen_texts or {}).get(status, {}) if case_type is not None else {}
    if isinstance(own, dict) and own.get(language):
        return own[language]
    from django.utils import translation

    if (translation.get_language() or "").startswith(language):
        return str(CITIZEN_TEXTS[status])  # already in that language: no switching
    with translation.override(language):
        return str(CITIZEN_TEXTS[status])


def actions_from(status: str) -> list[tuple[str, str]]:
    """(to_status, action) pairs allowed from ``status``, in table order."""
    return [(to, action) for (frm, to), action in TRANSITIONS.items() if frm == status]
