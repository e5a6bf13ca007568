"""The staffing plan: each open hour is erlang.staffing of the forecast, the opening hours
are respected, the totals add up and the staffed counter time is compared."""

from __future__ import annotations

import math
from datetime import date, time, timedelta

import pytest

from borgerservice.analytics import forecast as fc
from borgerservice.analytics import planning
from borgerservice.analytics.erlang import staffing
from borgerservice.analytics.models import CapacityDay, TicketHour
from borgerservice.catalogue.models import OpeningHours, ServiceCentre
from tests.analytics.test_forecast import AS_OF, HOLIDAYS, history_days, pattern, ticket_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def indre_by():
    c = ServiceCentre.objects.get(code="indre-by")
    rows = []
    for day in history_days(8):
        rows += ticket_rows(c.pk, day)
    TicketHour.objects.bulk_create(rows)
    return c


def test_each_hour_is_erlang_staffing_of_the_forecast(indre_by):
    plan = planning.staffing_plan_build(centre=indre_by, weeks=8, as_of=AS_OF)
    assert plan.forecast.basis == "history"
    # Walk-in defaults: 80 % within 15 minutes, 85 % occupancy, 30 % shrinkage.
    assert (plan.target, plan.within, plan.max_occupancy, plan.shrinkage) == (0.8, 900, 0.85, 0.3)
    aht = plan.forecast.aht_seconds
    assert len(plan.cells) == 5 * 8 + 4
    for cell in plan.cells:
        expected = staffing(
            calls=pattern(cell.weekday, cell.hour),
            interval_seconds=3600,
            aht=aht,
            target=0.8,
            within=900,
            max_occupancy=0.85,
            shrinkage=0.3,
        )
        assert cell.volume == pytest.approx(pattern(cell.weekday, cell.hour))
        assert (cell.agents, cell.agents_with_shrinkage) == (
            expected.agents,
            expected.agents_with_shrinkage,
        )
        assert cell.service_level == pytest.approx(expected.service_level)
        assert cell.asa_seconds == pytest.approx(expected.asa_seconds)
        assert cell.occupancy == pytest.approx(expected.occupancy)
        assert cell.service_level >= 0.8 and cell.occupancy <= 0.85 + 1e-9


def test_a_known_hour(indre_by):
    # Monday 14-15: 150 visits at 9 minutes (the calibration; no queue group, no history of
    # service times) = 22.5 Erlangs; 85 % occupancy asks for at least 27 counters.
    plan = planning.staffing_plan_build(centre=indre_by, weeks=8, as_of=AS_OF)
    assert (plan.forecast.aht_seconds, plan.forecast.aht_basis) == (540.0, "sources")
    cell = next(c for c in plan.cells if (c.weekday, c.hour) == (0, 14))
    assert cell.volume == pytest.approx(150)
    assert cell.agents == 27 and cell.agents_with_shrinkage == math.ceil(27 / 0.7) == 39


def test_opening_hours_are_respected(indre_by):
    OpeningHours.objects.filter(centre=indre_by, weekday=4).update(closes=time(15, 30))
    OpeningHours.objects.filter(centre=indre_by, weekday=5).delete()
    plan = planning.staffing_plan_build(centre=indre_by, weeks=8, as_of=AS_OF)
    hours = {d.weekday: [c.hour for c in d.cells] for d in plan.days}
    assert sorted(hours) == [0, 1, 2, 3, 4]  # Saturday closed now; Sunday always
    assert hours[0] == list(range(10, 18))
    assert hours[4] == [10, 11, 12, 13, 14, 15]
    friday_last = plan.days[4].cells[-1]
    assert friday_last.interval_seconds == 1800
    expected = staffing(calls=pattern(4, 15), interval_seconds=1800, aht=540, target=0.8,
                        within=900, max_occupancy=0.85, shrinkage=0.3)  # fmt: skip
    assert friday_last.agents == expected.agents
    assert friday_last.agent_hours == pytest.approx(expected.agents / 2)


def test_totals_per_day_and_week(indre_by):
    plan = planning.staffing_plan_build(centre=indre_by, weeks=8, as_of=AS_OF, shrinkage=0.25)
    monday = plan.days[0]
    assert monday.volume == pytest.approx(800)
    assert monday.agent_hours == sum(c.agents for c in monday.cells)
    assert monday.scheduled_hours == sum(c.agents_with_shrinkage for c in monday.cells)
    assert monday.peak_agents == max(c.agents for c in monday.cells)
    assert plan.agent_hours == sum(d.agent_hours for d in plan.days)
    assert plan.scheduled_hours == sum(c.agents_with_shrinkage for c in plan.cells)
    assert plan.fte == pytest.approx(plan.scheduled_hours / 37)
    weighted = sum(c.service_level * c.volume for c in plan.cells) / plan.volume
    assert plan.service_level == pytest.approx(weighted)
    week = plan.as_dict()["week"]
    assert week["fte"] == round(plan.scheduled_hours / 37, 2)
    assert week["volume"] == pytest.approx(sum(pattern(d, h) for d in range(7) for h in range(24)))


def test_phone_defaults_and_erlang_a(db):
    c = ServiceCentre.objects.get(code="kontaktcenter")
    plan = planning.staffing_plan_build(centre=c, as_of=AS_OF, patience=120)
    assert plan.forecast.basis == "sources" and plan.forecast.channel == "phone"
    assert (plan.target, plan.within) == (0.8, 20)
    cell = plan.cells[0]
    expected = staffing(calls=cell.volume, interval_seconds=3600, aht=240, target=0.8, within=20,
                        max_occupancy=0.85, shrinkage=0.3, patience=120)  # fmt: skip
    assert cell.agents == expected.agents and cell.abandonment == pytest.approx(
        expected.abandonment
    )
    # The general line of the contact centre: Mon-Fri 10-18, Sat 10-14.
    assert [len(d.cells) for d in plan.days] == [8, 8, 8, 8, 8, 4]


def test_compared_with_the_staffed_counter_time(indre_by):
    rows = []
    for day in history_days(8):
        if day.weekday() == 0 and day not in HOLIDAYS:
            rows.append(CapacityDay(day=day, centre=indre_by.pk, staffed_seconds=100 * 3600))
    rows.append(CapacityDay(day=date(2026, 4, 6), centre=indre_by.pk, staffed_seconds=3600))
    rows.append(CapacityDay(day=AS_OF - timedelta(days=100), centre=indre_by.pk,
                            staffed_seconds=999 * 3600))  # fmt: skip
    CapacityDay.objects.bulk_create(rows)
    plan = planning.staffing_plan_build(centre=indre_by, weeks=8, as_of=AS_OF)
    assert plan.capacity_days == 7  # 8 Mondays less Easter Monday
    assert plan.days[0].staffed_hours == pytest.approx(100)
    assert plan.days[1].staffed_hours is None
    assert plan.days[0].staffed_difference == pytest.approx(100 - plan.days[0].agent_hours)
    assert plan.staffed_hours == pytest.approx(100)


def test_plan_from_a_given_forecast_is_pure():
    hours = [(time(9), time(11))] + [None] * 6
    volume = [[0.0] * 24 for _ in range(7)]
    volume[0][9], volume[0][10] = 100.0, 0.0
    forecast = fc.Forecast(
        centre_id=1, centre_code="x", centre_name="X", channel="phone", basis="history",
        as_of=AS_OF, weeks=8, window_start=AS_OF, window_end=AS_OF, days_used=40,
        holidays_excluded=[], trend_factor=1.0, volume=volume, aht_seconds=180,
        aht_basis="history", opening_hours=hours,
    )  # fmt: skip
    plan = planning.plan_from_forecast(forecast, max_occupancy=None, shrinkage=0.0)
    assert [(c.hour, c.agents) for c in plan.cells] == [
        (9, staffing(calls=100, interval_seconds=3600, aht=180, target=0.8, within=20).agents),
        (10, 0),
    ]
