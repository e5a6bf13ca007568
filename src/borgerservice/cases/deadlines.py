"""Deadlines and SLA state, derived from a case's history every time.

The due date is the processing-time target plus any extensions, counted in working
days from the day the case was received, moved on by the working days the clock was
paused (awaiting the citizen). Nothing is stored: the history is the single source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from .calendar import add_working_days, is_working_day, working_days_between
from .workflow import FINISHED, PAUSED

AT_RISK_SHARE = 0.2  # at risk when a fifth or less of the target remains
AT_RISK_MIN_DAYS = 2


@dataclass(frozen=True)
class Deadline:
    due_on: date
    target_days: int
    extension_days: int
    paused_days: int
    remaining_days: int  # negative when overdue
    state: str  # on_track, at_risk, breached, paused, met, late
    finished_on: date | None


def deadline_of(case, events=None, *, today: date | None = None) -> Deadline:
    """The deadline of ``case`` from its events (ordered by time; fetched when not given)."""
    today = today or timezone.localdate()
    events = list(events if events is not None else case.events.order_by("at", "id"))
    target = case.case_type.processing_days
    extension = sum(e.extension_days for e in events if e.kind == "extension")
    paused_days = 0
    paused_since: date | None = None
    finished_on: date | None = None
    for event in events:
        if event.kind not in ("transition", "created"):
            continue
        if event.to_status in PAUSED and paused_since is None:
            paused_since = event.on
        elif event.to_status not in PAUSED and paused_since is not None:
            paused_days += working_days_between(paused_since, event.on)
            paused_since = None
        if event.to_status in FINISHED and finished_on is None:
            finished_on = event.on
        elif event.to_status not in FINISHED:
            finished_on = None  # reopened: the clock runs again
    currently_paused = paused_since is not None
    if currently_paused:
        paused_days += working_days_between(paused_since, today)
    due = add_working_days(case.received_on, target + extension + paused_days)
    reference = finished_on or today
    remaining = (
        working_days_between(reference, due)
        if reference <= due
        else -working_days_between(due, reference)
    )
    if finished_on is not None:
        state = "met" if finished_on <= due else "late"
    elif currently_paused:
        state = "paused"
    elif today > due:
        state = "breached"
    elif remaining <= risk_threshold(target + extension):
        state = "at_risk"
    else:
        state = "on_track"
    return Deadline(due, target, extension, paused_days, remaining, state, finished_on)


def risk_threshold(total_days: int) -> int:
    """At risk when this many working days or fewer remain."""
    return max(AT_RISK_MIN_DAYS, int(total_days * AT_RISK_SHARE))


def risk_start(due: date, total_days: int) -> date:
    """The first day on which a running case due on ``due`` is at risk: the earliest day
    from which at most ``risk_threshold`` working days remain. Stored on the case so the
    inbox filters by SLA state in SQL; equal to what ``deadline_of`` derives."""
    threshold = risk_threshold(total_days)
    day, remaining = due, 0
    while True:
        before = remaining + (1 if is_working_day(day) else 0)
        if before > threshold:
            return day
        remaining = before
        day -= timedelta(days=1)
