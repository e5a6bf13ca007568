"""The volume forecast per weekday and hour: a known weekly pattern in the rollups comes back,
holidays and transfers are left out, recent weeks weigh more, too little history falls back
to the sources, and the backtest error on seasonal data is small."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from borgerservice.analytics import forecast as fc
from borgerservice.analytics.models import ContactHour, DurationBin, TicketHour
from borgerservice.analytics.simulation import CALIBRATION
from borgerservice.catalogue.models import ServiceCentre
from borgerservice.core.errors import ServiceError

# Mon 13 April 2026: the week after Easter. The 8 weeks before (16 Feb – 12 Apr) hold
# Maundy Thursday (2 Apr), Good Friday (3 Apr) and Easter Monday (6 Apr).
AS_OF = date(2026, 4, 13)
HOLIDAYS = {date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 6)}
DAY_LEVEL = (100, 96, 92, 90, 80, 20, 0)  # arrivals per hour on an ordinary hour
HOUR_SHAPE = {10: 0.8, 11: 1.0, 12: 1.0, 13: 1.0, 14: 1.5, 15: 1.5, 16: 0.7, 17: 0.5}


def pattern(weekday: int, hour: int) -> int:
    if weekday == 5 and hour >= 14:
        return 0
    return round(DAY_LEVEL[weekday] * HOUR_SHAPE.get(hour, 0.0))


def centre(code: str) -> ServiceCentre:
    return ServiceCentre.objects.get(code=code)


def ticket_rows(centre_id: int, day: date, scale: float = 1.0) -> list[TicketHour]:
    rows = []
    for hour in range(24):
        n = round(pattern(day.weekday(), hour) * scale)
        if not n:
            continue
        served = n - n // 10
        common = {"day": day, "weekday": day.weekday(), "hour": hour, "centre": centre_id}
        rows.append(TicketHour(**common, group=1, state="finished", tickets=served))
        if n // 10:
            rows.append(TicketHour(**common, group=1, state="no_show", tickets=n // 10))
        # A transfer closes the ticket and opens a new one: never counted twice.
        rows.append(TicketHour(**common, group=2, state="transferred", tickets=7))
    return rows


def history_days(weeks: int, as_of: date = AS_OF):
    start = as_of - timedelta(days=7 * weeks)
    return [start + timedelta(days=i) for i in range(7 * weeks)]


@pytest.fixture
def indre_by(db):
    c = centre("indre-by")
    rows = []
    for day in history_days(8):
        # Holidays carry a wild volume that must not reach the forecast.
        rows += ticket_rows(c.pk, day, scale=5.0 if day in HOLIDAYS else 1.0)
    TicketHour.objects.bulk_create(rows)
    return c


def test_the_weekly_pattern_comes_back(indre_by):
    result = fc.forecast_volume(centre=indre_by, weeks=8, as_of=AS_OF)
    assert result.basis == "history"
    assert result.channel == "walk_in"
    for weekday in range(7):
        for hour in range(24):
            assert result.volume[weekday][hour] == pytest.approx(pattern(weekday, hour))
    assert sum(pattern(0, h) for h in range(24)) == 800
    assert result.day_total(0) == pytest.approx(800)
    assert result.week_total == pytest.approx(
        sum(pattern(d, h) for d in range(7) for h in range(24))
    )
    # 8 weeks x 6 open days, less the three holidays; Sundays have no arrivals.
    assert result.days_used == 8 * 6 - 3
    assert set(HOLIDAYS) <= set(result.holidays_excluded)
    assert (result.window_start, result.window_end) == (date(2026, 2, 16), date(2026, 4, 12))


def test_holidays_and_transfers_are_left_out(indre_by):
    result = fc.forecast_volume(centre=indre_by, weeks=8, as_of=AS_OF)
    # Thursday 14-15: the holiday (5x) and the transferred tickets (7 an hour) do not count.
    assert result.volume[3][14] == pytest.approx(pattern(3, 14)) == 135


def test_recent_weeks_weigh_more(db):
    c = centre("osterbro")
    as_of = date(2026, 3, 2)
    rows = []
    for day in history_days(2, as_of):
        recent = day >= as_of - timedelta(days=7)
        rows += ticket_rows(c.pk, day, scale=2.0 if recent else 1.0)
    TicketHour.objects.bulk_create(rows)
    result = fc.forecast_volume(centre=c, weeks=2, as_of=as_of, decay=0.5)
    # (2 x 150 + 0.5 x 150) / 1.5 = 250 for Monday 14-15.
    assert result.volume[0][14] == pytest.approx((2 * 150 + 0.5 * 150) / 1.5)


def test_only_the_window_counts(db):
    c = centre("bispebjerg")
    rows = []
    for day in history_days(6):
        # Four older weeks at three times the volume, then two ordinary weeks.
        rows += ticket_rows(c.pk, day, scale=3.0 if day < AS_OF - timedelta(days=14) else 1.0)
    TicketHour.objects.bulk_create(rows)
    result = fc.forecast_volume(centre=c, weeks=2, as_of=AS_OF)
    assert result.basis == "history"
    # 30 March - 12 April: 12 open days less Maundy Thursday, Good Friday, Easter Monday.
    assert result.days_used == 9
    assert result.volume[0][14] == pytest.approx(pattern(0, 14))  # from 30 March alone
    assert result.volume[3][14] == pytest.approx(pattern(3, 14))  # from 9 April alone


def test_one_week_with_easter_is_too_little(indre_by):
    # 6-12 April: five usable days, fewer than MIN_HISTORY_DAYS.
    assert fc.forecast_volume(centre=indre_by, weeks=1, as_of=AS_OF).basis == "sources"


def test_too_little_history_falls_back_to_the_sources(db):
    c = centre("valby")
    result = fc.forecast_volume(centre=c, weeks=8, as_of=AS_OF)
    assert result.basis == "sources"
    centres = ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE).count()
    assert centres == 6
    per_week = CALIBRATION.walk_ins_per_year / centres / CALIBRATION.weeks_per_year
    assert result.week_total == pytest.approx(per_week)
    assert result.volume[6] == [0.0] * 24  # closed on Sunday
    assert result.day_total(0) > result.day_total(4) > result.day_total(5) > 0
    assert result.volume[0][14] == pytest.approx(1.45 * result.volume[0][11])  # peak 14-16
    assert result.volume[5][14] == 0  # Saturday closes at 14
    assert result.aht_basis == "sources"
    assert result.aht_seconds == CALIBRATION.walk_in_service_minutes * 60


def test_a_few_days_are_too_little_history(db):
    c = centre("valby")
    rows = []
    for day in history_days(1)[:3]:
        rows += ticket_rows(c.pk, day)
    TicketHour.objects.bulk_create(rows)
    assert fc.forecast_volume(centre=c, weeks=8, as_of=AS_OF).basis == "sources"


def test_contact_centre_counts_the_phone_contacts(db):
    c = centre("kontaktcenter")
    rows = []
    for day in history_days(4):
        for hour in range(10, 18):
            if day.weekday() == 6 or (day.weekday() == 5 and hour >= 14):
                continue
            common = {"day": day, "weekday": day.weekday(), "hour": hour, "department": 0}
            rows.append(ContactHour(**common, channel="phone", centre=c.pk, contacts=40))
            rows.append(ContactHour(**common, channel="phone", centre=0, contacts=10))
            rows.append(ContactHour(**common, channel="email", centre=c.pk, contacts=99))
            rows.append(ContactHour(**common, channel="phone", centre=7777, contacts=99))
    ContactHour.objects.bulk_create(rows)
    DurationBin.objects.bulk_create(
        [
            DurationBin(day=AS_OF - timedelta(days=3), measure="handling", channel="phone",
                        centre=c.pk, bin=b, n=50, seconds=50 * s)
            for b, s in ((3, 120), (5, 300))
        ]
    )  # fmt: skip
    result = fc.forecast_volume(centre="kontaktcenter", weeks=4, as_of=AS_OF)
    assert (result.basis, result.channel) == ("history", "phone")
    assert result.volume[2][11] == pytest.approx(50)
    assert result.volume[5][15] == 0
    assert (result.aht_seconds, result.aht_basis) == (pytest.approx(210), "history")


def test_walk_in_aht_from_history_then_queue_groups(db):
    from borgerservice.queueing.models import QueueGroup

    c = centre("amager")
    QueueGroup.objects.create(centre=c, code="pas", prefix="P", name_da="Pas", name_en="Pass",
                              default_service_minutes=12)  # fmt: skip
    assert fc.aht_estimate(c, AS_OF - timedelta(days=56), AS_OF) == (720.0, "queue_groups")
    DurationBin.objects.create(
        day=AS_OF - timedelta(days=1),
        measure="ticket_service",
        channel="walk_in",
        centre=c.pk,
        bin=4,
        n=40,
        seconds=40 * 480,
    )
    assert fc.aht_estimate(c, AS_OF - timedelta(days=56), AS_OF) == (480.0, "history")


def test_centre_by_id_and_unknown_centre(indre_by):
    assert fc.forecast_volume(centre=str(indre_by.pk), as_of=AS_OF).centre_code == "indre-by"
    with pytest.raises(ServiceError) as caught:
        fc.forecast_volume(centre="atlantis", as_of=AS_OF)
    assert (caught.value.code, caught.value.field) == ("planning.centre_unknown", "centre")
    with pytest.raises(ServiceError) as caught:
        fc.forecast_volume(centre=indre_by, weeks=0, as_of=AS_OF)
    assert caught.value.code == "planning.weeks_invalid"


def test_holidays_ahead_are_named(indre_by):
    result = fc.forecast_volume(centre=indre_by, weeks=8, as_of=date(2026, 3, 30))
    assert result.holidays_ahead == [date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 5)]


# -- backtest (pure, no database) -----------------------------------------------------------


def seasonal_counts(weeks: int, start: date, *, growth: float = 0.0, seed: int = 7) -> dict:
    """Poisson arrivals around the weekly pattern, optionally growing a share a week."""
    rng = np.random.default_rng(seed)
    counts = {}
    for i in range(7 * weeks):
        day = start + timedelta(days=i)
        level = 1.0 + growth * i / 7
        counts[day] = [float(rng.poisson(pattern(day.weekday(), h) * level)) for h in range(24)]
    return counts


def no_holidays(day: date) -> bool:
    return False


def test_backtest_error_is_small_on_seasonal_data():
    start = date(2025, 1, 6)
    counts = seasonal_counts(20, start)
    week = start + timedelta(days=7 * 16)
    result = fc.backtest_counts(counts, week_start=week, weeks=8, is_holiday=no_holidays)
    assert result.days == 6 and result.cells == 5 * 8 + 4
    assert result.actual == sum(sum(counts[week + timedelta(days=i)]) for i in range(7))
    # Poisson noise alone: about 1/sqrt(100) per hour cell, smoothed over 8 weeks.
    assert result.wape < 0.12
    assert result.mape < 0.2


def test_backtest_of_the_exact_pattern_has_no_error():
    start = date(2025, 1, 6)
    counts = {
        start + timedelta(days=i): [float(pattern((start + timedelta(days=i)).weekday(), h))
                                    for h in range(24)]
        for i in range(7 * 9)
    }  # fmt: skip
    result = fc.backtest_counts(counts, week_start=start + timedelta(days=56), weeks=8,
                                is_holiday=no_holidays)  # fmt: skip
    assert result.wape == pytest.approx(0, abs=1e-12)
    assert result.mape == pytest.approx(0, abs=1e-12)


def test_trend_factor_follows_growth():
    start = date(2025, 1, 6)
    counts = seasonal_counts(12, start, growth=0.03, seed=11)
    week = start + timedelta(days=7 * 10)
    flat = fc.backtest_counts(counts, week_start=week, weeks=8, is_holiday=no_holidays)
    trended = fc.backtest_counts(counts, week_start=week, weeks=8, trend=True,
                                 is_holiday=no_holidays)  # fmt: skip
    assert trended.wape < flat.wape
    # Without the trend the forecast lags behind the growing volume.
    assert flat.forecast < flat.actual


def test_backtest_on_the_database(indre_by):
    result = fc.forecast_backtest(centre=indre_by, week_start=AS_OF - timedelta(days=7), weeks=4)
    # The week 6-12 April has Easter Monday (5x) left out; the rest is the exact pattern.
    assert result.days == 5
    assert result.wape == pytest.approx(0, abs=1e-12)
