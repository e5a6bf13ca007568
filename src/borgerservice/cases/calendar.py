"""Danish working days for deadlines.

Public holidays come from the ``holidays`` package (which knows that Store Bededag
stopped being a holiday from 2024). Days many municipalities also close on —
Constitution Day (5 June), Christmas Eve and New Year's Eve — are a setting,
``DEADLINE_CLOSED_DAYS`` ("MM-DD" list), closed by default.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=64)
def _closed_days(year: int, extra: tuple[str, ...]) -> frozenset[date]:
    days = set(holidays.country_holidays("DK", years=year))
    for item in extra:
        month, day = (int(part) for part in item.split("-"))
        days.add(date(year, month, day))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in _closed_days(day.year, tuple(settings.DEADLINE_CLOSED_DAYS))


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted).

    With ``days == 0`` the result is ``start`` moved forward to a working day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    if days == 0:
        while not is_working_day(current):
            current += timedelta(days=1)
        return current
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
