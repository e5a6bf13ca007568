"""Whether a centre is open: its general opening hours, closed on Danish public holidays."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone

from borgerservice.catalogue.models import OpeningHours


@lru_cache(maxsize=32)
def _holidays(year: int, extra: tuple[str, ...]) -> frozenset[date]:
    days = set(holidays.country_holidays("DK", years=year))
    for item in extra:
        month, day = (int(part) for part in item.split("-"))
        days.add(date(year, month, day))
    return frozenset(days)


def is_holiday(day: date) -> bool:
    extra = tuple(getattr(settings, "DEADLINE_CLOSED_DAYS", ()))
    return day in _holidays(day.year, extra)


def hours_on(centre, day: date) -> OpeningHours | None:
    """The general opening hours of ``centre`` on ``day`` (None when closed)."""
    if is_holiday(day):
        return None
    return OpeningHours.objects.filter(
        centre=centre, line=OpeningHours.Line.GENERAL, weekday=day.weekday()
    ).first()


def is_open(centre, at: datetime) -> bool:
    local = timezone.localtime(at)
    hours = hours_on(centre, local.date())
    return hours is not None and hours.opens <= local.time() < hours.closes
