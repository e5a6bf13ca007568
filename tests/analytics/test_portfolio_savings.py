"""Savings path, realised benefits, unit costs and the cost per channel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.translation import override

from borgerservice.analytics import portfolio
from borgerservice.analytics.models import BenefitRealisation, ContactDay, UnitCost
from borgerservice.analytics.portfolio import channel_costs, plan_vs_realised, savings_path
from borgerservice.analytics.portfolio_services import benefit_record, unit_cost_set
from borgerservice.catalogue.models import ServiceArea
from borgerservice.core.errors import ServiceError
from tests.accounts.staff import ANALYST, TEAM_LEAD, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return make_staff(ANALYST, username="port-analyst")


@pytest.fixture
def pension():
    return ServiceArea.objects.get(code="suf-pensionsomraadet")


# --- savings path ----------------------------------------------------------------------------


def test_default_path_compounds_from_table_2():
    path = savings_path()
    assert (path.baseline_fte, path.rate, path.years, path.compounding) == (
        Decimal("541"),
        Decimal("0.05"),
        3,
        True,
    )
    assert [r.year for r in path.rows] == [2010, 2011, 2012]
    assert [r.saving_fte for r in path.rows] == [
        Decimal("27.05"),
        Decimal("25.6975"),
        Decimal("24.412625"),
    ]
    assert path.rows[-1].remaining_fte == Decimal("463.839875")  # 541 × 0.95³
    assert path.total_fte == Decimal("77.160125")
    assert path.total_share == Decimal("0.142625")  # 1 − 0.95³


def test_linear_path_takes_5_percent_of_the_baseline_each_year():
    path = savings_path(compounding=False)
    assert [r.saving_fte for r in path.rows] == [Decimal("27.05")] * 3
    assert path.total_fte == Decimal("81.15")
    assert path.total_share == Decimal("0.15")


def test_kroner_from_the_cost_per_fte():
    # 001 table 2: 249,349 thousand DKK excluding benefits over 541 FTE.
    assert round(Decimal(249_349_000) / 541) == portfolio.DEFAULT_COST_PER_FTE_DKK
    path = savings_path()
    assert path.rows[0].saving_dkk == Decimal("27.05") * Decimal("460904")
    own = savings_path(cost_per_fte="500000", baseline_fte="100", years=2, rate="0.1")
    assert [r.saving_dkk for r in own.rows] == [Decimal("5000000.0"), Decimal("4500000.00")]
    assert own.as_dict()["total_dkk"] == 9_500_000


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"rate": "0"}, "rate"),
        ({"rate": "1.5"}, "rate"),
        ({"rate": "fem"}, "rate"),
        ({"years": 0}, "years"),
        ({"years": 21}, "years"),
        ({"cost_per_fte": "-1"}, "cost_per_fte"),
        ({"baseline_fte": "0"}, "baseline_fte"),
        ({"start_year": 1999}, "start_year"),
    ],
)
def test_bad_path_options_are_refused(options, field):
    with override("en"):
        with pytest.raises(ServiceError) as caught:
            savings_path(**options)
        assert str(caught.value.message).startswith("The ")
    assert caught.value.field == field and caught.value.status == 400


# --- realised benefits -----------------------------------------------------------------------


def test_benefit_record_creates_then_replaces(analyst, pension):
    row, created = benefit_record(
        user=analyst, area=pension, year=2011, fte_saved="4.5", amount_dkk="2074068", note="a"
    )
    assert created and row.recorded_by == analyst and row.fte_saved == Decimal("4.50")
    again, created = benefit_record(
        user=analyst, area="suf-pensionsomraadet", year=2011, fte_saved="6", amount_dkk="0"
    )
    assert not created and again.pk == row.pk
    row.refresh_from_db()
    assert (row.fte_saved, row.amount_dkk, row.note) == (Decimal("6.00"), Decimal("0.00"), "")
    assert BenefitRealisation.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"fte_saved": "-1"}, "portfolio.invalid", "fte_saved"),
        ({"fte_saved": "abc"}, "portfolio.invalid", "fte_saved"),
        ({"fte_saved": "100000"}, "portfolio.invalid", "fte_saved"),
        ({"amount_dkk": "-5"}, "portfolio.invalid", "amount_dkk"),
        ({"fte_saved": "0", "amount_dkk": "0"}, "portfolio.empty_benefit", "fte_saved"),
        ({"year": 1999}, "portfolio.bad_year", "year"),
        ({"area": "no-such-area"}, "portfolio.unknown_area", "area"),
        ({"note": "x" * 2001}, "portfolio.long_note", "note"),
    ],
)
def test_bad_benefits_are_refused_and_nothing_is_stored(analyst, pension, changes, code, field):
    values = {"area": pension, "year": 2010, "fte_saved": "1", "amount_dkk": "1", **changes}
    with override("en"), pytest.raises(ServiceError) as caught:
        benefit_record(user=analyst, **values)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert BenefitRealisation.objects.count() == 0


def test_only_analysts_record_benefits(pension):
    with override("en"), pytest.raises(ServiceError) as caught:
        benefit_record(
            user=make_staff(TEAM_LEAD), area=pension, year=2010, fte_saved=1, amount_dkk=1
        )
    assert caught.value.status == 403
    with override("en"):
        assert str(caught.value.message) == "Only analysts may record benefits and set unit costs."


def test_plan_against_realised_per_year_and_cumulative(analyst, pension):
    parking = ServiceArea.objects.get(code="tmf-parkering-kundeservice")
    benefit_record(user=analyst, area=pension, year=2010, fte_saved="20", amount_dkk="9000000")
    benefit_record(user=analyst, area=parking, year=2010, fte_saved="5", amount_dkk="2000000")
    benefit_record(user=analyst, area=pension, year=2012, fte_saved="30", amount_dkk="14000000")
    rows = plan_vs_realised(savings_path())
    assert [r.year for r in rows] == [2010, 2011, 2012]
    first, second, third = rows
    assert first.realised_fte == Decimal("25") and first.realised_dkk == Decimal("11000000")
    assert first.gap_fte == Decimal("25") - Decimal("27.05")
    assert second.realised_fte == 0 and second.cumulative_realised_fte == Decimal("25")
    assert third.cumulative_realised_fte == Decimal("55")
    assert third.cumulative_planned_fte == Decimal("77.160125")
    assert third.cumulative_realised_dkk == Decimal("25000000")
    assert third.attainment == pytest.approx(25_000_000 / (77.160125 * 460_904))


def test_realised_years_outside_the_path_are_shown(analyst, pension):
    benefit_record(user=analyst, area=pension, year=2014, fte_saved="2", amount_dkk="1")
    rows = plan_vs_realised(savings_path())
    assert [r.year for r in rows] == [2010, 2011, 2012, 2013, 2014]
    assert rows[-1].planned_fte == 0 and rows[-1].realised_fte == Decimal("2")


# --- unit costs and cost per channel ---------------------------------------------------------


def test_default_unit_costs_from_table_2():
    costs = portfolio.unit_costs()
    assert costs["phone"]["cost_dkk"] == Decimal("24.77")  # 27,621,000 / 1,115,000
    assert costs["walk_in"]["cost_dkk"] == Decimal("74.94")  # 56,206,000 / 750,000
    assert Decimal(27_621_000 / 1_115_000).quantize(Decimal("0.01")) == Decimal("24.77")
    assert Decimal(56_206_000 / 750_000).quantize(Decimal("0.01")) == Decimal("74.94")
    assert all(info["is_default"] for info in costs.values())
    assert set(costs) == set(portfolio.DEFAULT_UNIT_COSTS)


def test_unit_cost_set_overrides_the_default(analyst):
    row = unit_cost_set(user=analyst, channel="phone", cost_dkk="41,5", source_note="KK 2026")
    assert (row.cost_dkk, row.updated_by) == (Decimal("41.50"), analyst)
    costs = portfolio.unit_costs()
    assert costs["phone"]["cost_dkk"] == Decimal("41.50") and not costs["phone"]["is_default"]
    unit_cost_set(user=analyst, channel="phone", cost_dkk="40", source_note="")
    assert UnitCost.objects.get().cost_dkk == Decimal("40.00")


@pytest.mark.parametrize(
    ("channel", "cost", "code"),
    [
        ("fax", "1", "portfolio.unknown_channel"),
        ("phone", "-1", "portfolio.invalid"),
        ("phone", "1000000", "portfolio.invalid"),
        ("phone", "", "portfolio.invalid"),
    ],
)
def test_bad_unit_costs_are_refused(analyst, channel, cost, code):
    with pytest.raises(ServiceError) as caught:
        unit_cost_set(user=analyst, channel=channel, cost_dkk=cost, source_note="")
    assert caught.value.code == code
    assert not UnitCost.objects.exists()


def test_channel_costs_from_table_2_without_contacts():
    costs = channel_costs(shift="0.1")
    assert (costs.source, costs.year) == ("table2", 2009)
    rows = {r["channel"]: r for r in costs.rows}
    # Contact centre 1,100,000 + waste service 65,000 phone contacts.
    assert rows["phone"]["contacts"] == 1_165_000
    assert rows["phone"]["total_dkk"] == Decimal("24.77") * 1_165_000
    assert rows["letter"]["contacts"] == 153_000  # pensions: about half of 306,000 written
    assert rows["email"]["contacts"] == 25_500 and rows["self_service"]["contacts"] == 16_000
    # KBS 750,000 + KFF 111,406 + parking 117,100 + the other half of pensions 153,000.
    assert costs.unassigned == 1_131_506
    assert costs.total_dkk == sum(r["total_dkk"] for r in costs.rows)
    assert costs.saving_dkk == Decimal("116500.0") * (Decimal("24.77") - Decimal("5.00"))


def test_channel_costs_from_the_contact_rollup(analyst):
    day = dt.date(2026, 3, 2)
    rows = [
        ContactDay(day=day, channel="phone", direction="in", outcome="resolved", contacts=600),
        ContactDay(day=day, channel="phone", direction="in", outcome="referred", contacts=400),
        ContactDay(day=day, channel="walk_in", direction="in", outcome="resolved", contacts=500),
        ContactDay(
            day=dt.date(2025, 12, 31), channel="walk_in", direction="in", outcome="x", contacts=9
        ),
    ]
    ContactDay.objects.bulk_create(rows)
    unit_cost_set(user=analyst, channel="self_service", cost_dkk="2", source_note="")
    costs = channel_costs(shift="0.2")
    assert (costs.source, costs.year, costs.unassigned) == ("rollup", 2026, 0)
    by_channel = {r["channel"]: r["contacts"] for r in costs.rows}
    assert by_channel["phone"] == 1000 and by_channel["walk_in"] == 500
    assert costs.total_dkk == Decimal("24.77") * 1000 + Decimal("74.94") * 500
    # 200 phone and 100 walk-in contacts move to self-service at 2 DKK.
    assert costs.shifted_contacts == 300
    assert costs.saving_dkk == 200 * (Decimal("24.77") - 2) + 100 * (Decimal("74.94") - 2)
    assert channel_costs(year=2025).rows[1]["contacts"] == 9


def test_bad_shift_is_refused():
    with pytest.raises(ServiceError) as caught:
        channel_costs(shift="1.5")
    assert caught.value.field == "shift"
