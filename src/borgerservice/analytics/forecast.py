"""Forecast of arrivals per weekday and clock hour, and the average handling time, for a
service centre (walk-ins) or the contact centre (calls), from the rollups.

Method (for each weekday × hour): an exponentially weighted mean of the same weekday and
hour in the last ``weeks`` weeks before the forecast day, the most recent week weighing
most (week ``k`` back weighs ``decay**k``). Days left out of the mean:

* Danish public holidays and the municipality's extra closed days
  (``queueing.hours.is_holiday``: the ``holidays`` package plus ``DEADLINE_CLOSED_DAYS``);
* days with no arrival at all in the whole day (the centre was closed or nothing was
  recorded; a Copenhagen centre never has an empty opening day).

A weekday whose every day in the window was left out gets no forecast (0), e.g. Sunday.
With ``trend=True`` the profile is scaled by a linear trend of the daily volumes (each day's
total relative to its weekday's mean, fitted by least squares over the window and taken at
the middle of the forecast week, capped to 0.75–1.33).

What counts as an arrival:

* service centre: the queue tickets drawn (``TicketHour``, any final state) except those
  in state ``transferred`` — a transfer closes the ticket and opens a new one in the other
  queue, which is counted instead, so one visit counts once. Without ticket rollups for
  the centre the walk-in contacts (``ContactHour`` channel ``walk_in``) are used.
* contact centre: phone contacts (``ContactHour`` channel ``phone``) registered at the
  contact centre or with no centre (0).

Too little history (fewer than ``MIN_HISTORY_DAYS`` usable days in the window) falls back
to the calibration from the sources (``simulation.CALIBRATION``: 750,000 personal and written
contacts a year at the service centres of which walk-ins are the personal share, 1.1 M calls
a year, Monday–Thursday heavy, Friday a little less, Saturday quiet, peak 14–16), spread
over the centre's opening hours; the result says ``basis = "sources"``. The yearly walk-ins
are shared equally by the service centres in the catalogue.

The average handling time (AHT) comes from the duration histograms (``DurationBin``:
``ticket_service`` for a centre, ``handling`` of phone contacts for the contact centre; mean
= seconds / n over the same window) when at least ``MIN_AHT_OBSERVATIONS`` services are
recorded; otherwise the mean expected service time of the centre's active queue groups
(``QueueGroup.default_service_minutes``), otherwise the calibration (9 minutes a visit,
240 seconds a call).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.core.errors import ServiceError

from .simulation import CALIBRATION, Calibration

DEFAULT_WEEKS = 8
MAX_WEEKS = 104
DEFAULT_DECAY = 0.8
MIN_HISTORY_DAYS = 7
MIN_AHT_OBSERVATIONS = 30
TREND_LIMITS = (0.75, 4 / 3)
WALK_IN = "walk_in"
PHONE = "phone"
HOURS = 24


# -- centres --------------------------------------------------------------------------------


def centre_resolve(value) -> object:
    """The ``ServiceCentre`` with id or code ``value`` (a ``ServiceError`` 400 otherwise)."""
    from borgerservice.catalogue.models import ServiceCentre

    text = str(value if value is not None else "").strip()
    centre = None
    if text.isdigit():
        centre = ServiceCentre.objects.filter(pk=int(text)).first()
    elif text:
        centre = ServiceCentre.objects.filter(code=text).first()
    if centre is None:
        raise ServiceError(
            "planning.centre_unknown",
            _("Choose a service centre or the contact centre."),
            field="centre",
        )
    return centre


def channel_of(centre) -> str:
    from borgerservice.catalogue.models import ServiceCentre

    return PHONE if centre.kind == ServiceCentre.Kind.CONTACT_CENTRE else WALK_IN


def opening_hours_of(centre, calibration: Calibration = CALIBRATION) -> list:
    """The general opening hours of ``centre`` per weekday: ``(opens, closes)`` as ``time``
    values, or None on a closed day. A centre without opening hours in the catalogue gets
    the calibration's hours (Mon–Fri 10–18, Sat 10–14)."""
    from borgerservice.catalogue.models import OpeningHours

    rows = OpeningHours.objects.filter(centre=centre, line=OpeningHours.Line.GENERAL)
    hours: list = [None] * 7
    for row in rows:
        hours[row.weekday] = (row.opens, row.closes)
    if any(hours):
        return hours
    fallback = (
        calibration.call_opening_hours if channel_of(centre) == PHONE else calibration.opening_hours
    )
    return [(time(h[0]), time(h[1])) if h else None for h in fallback]


def open_seconds(hours, hour: int) -> float:
    """Seconds of clock hour ``hour`` inside the opening hours ``(opens, closes)``."""
    if not hours:
        return 0.0
    opens, closes = hours
    start = opens.hour * 3600 + opens.minute * 60 + opens.second
    end = closes.hour * 3600 + closes.minute * 60 + closes.second
    lo, hi = max(start, hour * 3600), min(end, (hour + 1) * 3600)
    return float(max(0, hi - lo))


# -- history --------------------------------------------------------------------------------


def history_counts(centre, start: date, end: date) -> dict[date, list[float]]:
    """Arrivals per day and clock hour (24 values) of ``centre`` from ``start`` to ``end``
    inclusive, only days with at least one row."""
    from .models import ContactHour, TicketHour

    if channel_of(centre) == PHONE:
        rows = (
            ContactHour.objects.filter(
                channel=PHONE, centre__in=[centre.pk, 0], day__gte=start, day__lte=end
            )
            .values("day", "hour")
            .annotate(n=Sum("contacts"))
        )
    else:
        rows = list(
            TicketHour.objects.filter(centre=centre.pk, day__gte=start, day__lte=end)
            .exclude(state="transferred")
            .values("day", "hour")
            .annotate(n=Sum("tickets"))
        )
        if not rows and not TicketHour.objects.filter(centre=centre.pk).exists():
            rows = (
                ContactHour.objects.filter(
                    channel=WALK_IN, centre=centre.pk, day__gte=start, day__lte=end
                )
                .values("day", "hour")
                .annotate(n=Sum("contacts"))
            )
    counts: dict[date, list[float]] = {}
    for row in rows:
        day = row["day"]
        counts.setdefault(day, [0.0] * HOURS)[row["hour"]] += float(row["n"] or 0)
    return counts


def _is_holiday(day: date) -> bool:
    from borgerservice.queueing.hours import is_holiday

    return is_holiday(day)


@dataclass(frozen=True)
class Profile:
    """A weekday × hour forecast computed from daily counts."""

    volume: list[list[float]]  # 7 x 24 arrivals
    days_used: int
    holidays_excluded: list[date]
    empty_days_excluded: int
    trend_factor: float


def profile_from_counts(
    counts: dict[date, list[float]],
    *,
    end: date,
    weeks: int = DEFAULT_WEEKS,
    decay: float = DEFAULT_DECAY,
    trend: bool = False,
    is_holiday=None,
) -> Profile:
    """The forecast profile from ``counts`` (day → 24 hourly arrivals), using the ``weeks``
    weeks up to and including ``end``: for each weekday, the day ``end`` or before it with
    that weekday is week 0, seven days earlier week 1, and so on. Pure: no database."""
    holiday = is_holiday or _is_holiday
    volume = [[0.0] * HOURS for _ in range(7)]
    used: list[tuple[date, int, float]] = []  # day, weeks back, weight
    holidays_excluded: list[date] = []
    empty = 0
    daily_mean = [0.0] * 7
    for weekday in range(7):
        latest = end - timedelta(days=(end.weekday() - weekday) % 7)
        total_weight = 0.0
        sums = [0.0] * HOURS
        for k in range(weeks):
            day = latest - timedelta(days=7 * k)
            if holiday(day):
                holidays_excluded.append(day)
                continue
            row = counts.get(day)
            if not row or sum(row) <= 0:
                empty += 1
                continue
            weight = decay**k
            total_weight += weight
            for h in range(HOURS):
                sums[h] += weight * row[h]
            used.append((day, k, weight))
        if total_weight > 0:
            volume[weekday] = [s / total_weight for s in sums]
            daily_mean[weekday] = sum(volume[weekday])
    factor = 1.0
    if trend and len(used) >= 3:
        factor = _trend_factor(counts, used, daily_mean, end)
        volume = [[v * factor for v in row] for row in volume]
    return Profile(
        volume=volume,
        days_used=len(used),
        holidays_excluded=sorted(holidays_excluded),
        empty_days_excluded=empty,
        trend_factor=factor,
    )


def _trend_factor(counts, used, daily_mean, end: date) -> float:
    """Least-squares line of each day's total relative to its weekday's mean against the
    day's offset from ``end``, evaluated at the middle of the forecast week (offset 4)."""
    xs, ys, ws = [], [], []
    for day, _k, weight in used:
        mean = daily_mean[day.weekday()]
        if mean <= 0:
            continue
        xs.append(float((day - end).days))
        ys.append(sum(counts[day]) / mean)
        ws.append(weight)
    if len(xs) < 3:
        return 1.0
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx <= 0:
        return 1.0
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    # The profile is a weighted mean: its level sits at the weighted mean offset.
    level_x = sum(w * x for w, x in zip(ws, xs, strict=True)) / sum(ws)
    factor = 1.0 + slope * (4.0 - level_x)
    low, high = TREND_LIMITS
    return min(max(factor, low), high)


def profile_from_sources(
    *,
    channel: str,
    opening_hours: list,
    centres: int = 1,
    calibration: Calibration = CALIBRATION,
) -> list[list[float]]:
    """Arrivals per weekday × hour in an average week from the source calibration: the
    yearly volume (walk-ins shared by ``centres``, or all calls), by weekday weight over the
    open weekdays and by hour weight (times the open share of the hour) within the day."""
    per_year = (
        calibration.calls_per_year if channel == PHONE else calibration.walk_ins_per_year
    ) / max(1, centres)
    per_week = per_year / calibration.weeks_per_year
    weights = calibration.weekday_weights
    open_days = [d for d in range(7) if opening_hours[d]]
    total = sum(weights[d] for d in open_days)
    volume = [[0.0] * HOURS for _ in range(7)]
    if total <= 0:
        return volume
    for d in open_days:
        hour_weight = [
            calibration.hour_weights.get(h, 1.0) * open_seconds(opening_hours[d], h) / 3600
            for h in range(HOURS)
        ]
        day_total = per_week * weights[d] / total
        norm = sum(hour_weight)
        if norm > 0:
            volume[d] = [day_total * w / norm for w in hour_weight]
    return volume


# -- AHT ------------------------------------------------------------------------------------


def aht_estimate(
    centre, start: date, end: date, calibration: Calibration = CALIBRATION
) -> tuple[float, str]:
    """Mean handling time in seconds and where it came from: ``history``,
    ``queue_groups`` or ``sources``."""
    from .models import DurationBin

    if channel_of(centre) == PHONE:
        rows = DurationBin.objects.filter(
            measure=DurationBin.Measure.CONTACT_HANDLING,
            channel=PHONE,
            centre__in=[centre.pk, 0],
            day__gte=start,
            day__lte=end,
        )
    else:
        rows = DurationBin.objects.filter(
            measure=DurationBin.Measure.TICKET_SERVICE,
            centre=centre.pk,
            day__gte=start,
            day__lte=end,
        )
    totals = rows.aggregate(n=Sum("n"), seconds=Sum("seconds"))
    n, seconds = totals["n"] or 0, totals["seconds"] or 0
    if n >= MIN_AHT_OBSERVATIONS and seconds > 0:
        return seconds / n, "history"
    if channel_of(centre) == PHONE:
        return calibration.call_service_seconds, "sources"
    from borgerservice.queueing.models import QueueGroup

    minutes = list(
        QueueGroup.objects.filter(centre=centre, active=True).values_list(
            "default_service_minutes", flat=True
        )
    )
    if minutes:
        return sum(minutes) / len(minutes) * 60.0, "queue_groups"
    return calibration.walk_in_service_minutes * 60.0, "sources"


# -- the forecast ---------------------------------------------------------------------------


@dataclass
class Forecast:
    centre_id: int
    centre_code: str
    centre_name: str
    channel: str  # walk_in | phone
    basis: str  # history | sources
    as_of: date  # first day forecast; the history window ends the day before
    weeks: int
    window_start: date
    window_end: date
    days_used: int
    holidays_excluded: list[date]
    trend_factor: float
    volume: list[list[float]]  # 7 x 24 arrivals in an average week
    aht_seconds: float
    aht_basis: str  # history | queue_groups | sources
    opening_hours: list  # 7 x (opens, closes) | None
    holidays_ahead: list[date] = field(default_factory=list)  # in the forecast week

    def day_total(self, weekday: int) -> float:
        return sum(self.volume[weekday])

    @property
    def week_total(self) -> float:
        return sum(self.day_total(d) for d in range(7))

    def as_dict(self) -> dict:
        cells = [
            {"weekday": d, "hour": h, "volume": round(self.volume[d][h], 3)}
            for d in range(7)
            for h in range(HOURS)
            if self.volume[d][h] > 0 or open_seconds(self.opening_hours[d], h) > 0
        ]
        return {
            "centre": {"id": self.centre_id, "code": self.centre_code, "name": self.centre_name},
            "channel": self.channel,
            "basis": self.basis,
            "as_of": self.as_of,
            "weeks": self.weeks,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "days_used": self.days_used,
            "holidays_excluded": self.holidays_excluded,
            "holidays_ahead": self.holidays_ahead,
            "trend_factor": round(self.trend_factor, 4),
            "aht_seconds": round(self.aht_seconds, 1),
            "aht_basis": self.aht_basis,
            "days": [
                {"weekday": d, "volume": round(self.day_total(d), 2)}
                for d in range(7)
                if self.day_total(d) > 0 or self.opening_hours[d]
            ],
            "week_total": round(self.week_total, 2),
            "cells": cells,
        }


def _check_weeks(weeks) -> int:
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= MAX_WEEKS:
        raise ServiceError(
            "planning.weeks_invalid",
            _("The number of weeks of history must be a whole number from 1 to %(max)s."),
            field="weeks",
            params={"max": MAX_WEEKS},
        )
    return weeks


def _check_decay(decay) -> float:
    if not (isinstance(decay, int | float) and math.isfinite(decay) and 0 < decay <= 1):
        raise ServiceError(
            "planning.decay_invalid",
            _("The weight of each earlier week must be above 0 and at most 1 (for example 0.8)."),
            field="decay",
        )
    return float(decay)


def forecast_volume(
    *,
    centre,
    weeks: int = DEFAULT_WEEKS,
    as_of: date | None = None,
    decay: float = DEFAULT_DECAY,
    trend: bool = False,
    calibration: Calibration = CALIBRATION,
) -> Forecast:
    """The forecast of arrivals per weekday × hour for the week starting ``as_of`` (today
    by default) at ``centre`` (a ``ServiceCentre``, its id or its code), from the ``weeks``
    weeks before it, and the AHT."""
    from borgerservice.catalogue.models import ServiceCentre

    if not isinstance(centre, ServiceCentre):
        centre = centre_resolve(centre)
    weeks = _check_weeks(weeks)
    decay = _check_decay(decay)
    as_of = as_of or timezone.localdate()
    end = as_of - timedelta(days=1)
    start = as_of - timedelta(days=7 * weeks)
    channel = channel_of(centre)
    hours = opening_hours_of(centre, calibration)
    counts = history_counts(centre, start, end)
    profile = profile_from_counts(counts, end=end, weeks=weeks, decay=decay, trend=trend)
    if profile.days_used >= MIN_HISTORY_DAYS:
        basis, volume = "history", profile.volume
        days_used, trend_factor = profile.days_used, profile.trend_factor
    else:
        centres = ServiceCentre.objects.filter(kind=centre.kind).count()
        volume = profile_from_sources(
            channel=channel, opening_hours=hours, centres=centres, calibration=calibration
        )
        basis, days_used, trend_factor = "sources", 0, 1.0
    aht, aht_basis = aht_estimate(centre, start, end, calibration)
    ahead = [as_of + timedelta(days=i) for i in range(7)]
    return Forecast(
        centre_id=centre.pk,
        centre_code=centre.code,
        centre_name=centre.name,
        channel=channel,
        basis=basis,
        as_of=as_of,
        weeks=weeks,
        window_start=start,
        window_end=end,
        days_used=days_used,
        holidays_excluded=profile.holidays_excluded,
        trend_factor=trend_factor,
        volume=volume,
        aht_seconds=aht,
        aht_basis=aht_basis,
        opening_hours=hours,
        holidays_ahead=[d for d in ahead if _is_holiday(d)],
    )


# -- backtest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    week_start: date
    days: int  # days of the week compared (holidays and days without data left out)
    cells: int  # hour cells compared
    actual: float
    forecast: float
    mape: float | None  # mean absolute percentage error over cells with arrivals
    wape: float | None  # sum |forecast - actual| / sum actual

    def as_dict(self) -> dict:
        return {
            "week_start": self.week_start,
            "days": self.days,
            "cells": self.cells,
            "actual": self.actual,
            "forecast": round(self.forecast, 2),
            "mape": None if self.mape is None else round(self.mape, 4),
            "wape": None if self.wape is None else round(self.wape, 4),
        }


def backtest_counts(
    counts: dict[date, list[float]],
    *,
    week_start: date,
    weeks: int = DEFAULT_WEEKS,
    decay: float = DEFAULT_DECAY,
    trend: bool = False,
    is_holiday=None,
) -> Backtest:
    """Forecast the week from ``week_start`` with the ``weeks`` weeks before it and compare
    each hour with what happened. Pure: ``counts`` is day → 24 hourly arrivals."""
    holiday = is_holiday or _is_holiday
    profile = profile_from_counts(
        counts,
        end=week_start - timedelta(days=1),
        weeks=weeks,
        decay=decay,
        trend=trend,
        is_holiday=holiday,
    )
    days = cells = 0
    actual_sum = forecast_sum = error_sum = 0.0
    percentage = []
    for i in range(7):
        day = week_start + timedelta(days=i)
        row = counts.get(day)
        if holiday(day) or not row or sum(row) <= 0:
            continue
        days += 1
        predicted = profile.volume[day.weekday()]
        for h in range(HOURS):
            actual, guess = row[h], predicted[h]
            if actual <= 0 and guess <= 0:
                continue
            cells += 1
            actual_sum += actual
            forecast_sum += guess
            error_sum += abs(guess - actual)
            if actual > 0:
                percentage.append(abs(guess - actual) / actual)
    return Backtest(
        week_start=week_start,
        days=days,
        cells=cells,
        actual=actual_sum,
        forecast=forecast_sum,
        mape=sum(percentage) / len(percentage) if percentage else None,
        wape=error_sum / actual_sum if actual_sum > 0 else None,
    )


def forecast_backtest(
    *,
    centre,
    week_start: date,
    weeks: int = DEFAULT_WEEKS,
    decay: float = DEFAULT_DECAY,
    trend: bool = False,
) -> Backtest:
    """``backtest_counts`` on the recorded history of ``centre``."""
    from borgerservice.catalogue.models import ServiceCentre

    if not isinstance(centre, ServiceCentre):
        centre = centre_resolve(centre)
    weeks = _check_weeks(weeks)
    counts = history_counts(
        centre, week_start - timedelta(days=7 * weeks), week_start + timedelta(days=6)
    )
    return backtest_counts(
        counts, week_start=week_start, weeks=weeks, decay=_check_decay(decay), trend=trend
    )
