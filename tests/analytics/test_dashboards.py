"""The dashboard panels compute the right numbers from rollup rows, the filters limit them,
and bad filters are refused with a translated error naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from borgerservice.analytics import dashboards, rollups
from borgerservice.analytics.bins import bin_of, percentile_from_bins
from borgerservice.analytics.dashboards import Filters, Names, Viewer
from borgerservice.analytics.models import (
    BookingDay,
    CapacityDay,
    CaseDay,
    ContactDay,
    ContactHour,
    DurationBin,
    LinkDay,
    SurveyDay,
)
from borgerservice.cases.models import CaseType, Unit
from borgerservice.catalogue.models import Department, Service, ServiceCentre

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)  # a Monday
ANALYST = Viewer()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def ids():
    suf = Department.objects.get(slug="suf")
    okf = Department.objects.get(slug="okf")
    service = Service.objects.filter(department=suf).order_by("pk").first()
    other = Service.objects.exclude(pk=service.pk).order_by("pk").first()
    return {
        "suf": suf.pk,
        "okf": okf.pk,
        "service": service.pk,
        "service_area": service.area_id,
        "other": other.pk,
        "indre": ServiceCentre.objects.get(code="indre-by").pk,
        "amager": ServiceCentre.objects.get(code="amager").pk,
        "kc": ServiceCentre.objects.get(code="kontaktcenter").pk,
    }


def contacts(day, channel, n, *, outcome="resolved", service=0, area=0, department=0,
             centre=0, could=0, direction="inbound"):  # fmt: skip
    return ContactDay(
        day=day, channel=channel, direction=direction, outcome=outcome, service=service,
        area=area, department=department, centre=centre, contacts=n, could_be_digital=could,
    )  # fmt: skip


def panel(name, f, viewer=ANALYST):
    # The rows here are written straight into the day rollups: add them up per month as
    # the upserts would.
    rollups.months_fill()
    return dashboards.PANELS[name](f, Names(), viewer)


def period(days=28, end=DAY + dt.timedelta(days=27), **kw) -> Filters:
    return Filters(date_from=end - dt.timedelta(days=days - 1), date_to=end, **kw)


def values(table, key):
    return next(r["values"] for r in table["rows"] if r["key"] == str(key))


# --- Filters ---------------------------------------------------------------------------


def test_the_default_period_is_the_last_28_days_in_copenhagen():
    # 23:30 UTC on 1 March is already 2 March in Copenhagen.
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        f = dashboards.filters_parse({})
    assert (f.date_from, f.date_to) == (dt.date(2026, 2, 3), dt.date(2026, 3, 2))
    assert f.days == 28 and f.granularity == "day"


def test_filters_are_parsed(ids):
    f = dashboards.filters_parse(
        {"from_date": "2026-01-01", "to_date": "2026-12-31", "department": str(ids["suf"]),
         "centre": str(ids["indre"]), "channel": "phone", "service": str(ids["service"])}
    )  # fmt: skip
    assert f == Filters(
        date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31), department=ids["suf"],
        centre=ids["indre"], channel="phone", service=ids["service"],
    )  # fmt: skip
    assert f.granularity == "month"
    only_end = dashboards.filters_parse({"to_date": "2026-06-30"})
    assert only_end.date_from == dt.date(2026, 6, 3)
    assert (
        dashboards.filters_parse({"from_date": "2026-01-01", "to_date": "2026-03-01"}).granularity
        == "week"
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from_date": "1. marts"}, "from_date", "The first day must be a date written as YYYY-MM-DD."),  # noqa: E501
        ({"to_date": "2026-02-30"}, "to_date", "The last day must be a date written as YYYY-MM-DD."),  # noqa: E501
        ({"from_date": "2026-03-02", "to_date": "2026-03-01"}, "from_date",
         "The first day must be on or before the last day."),
        ({"from_date": "2020-01-01", "to_date": "2026-03-01"}, "from_date",
         "The period may be at most 1464 days long."),
        ({"department": "abc"}, "department", "Choose a department from the list."),
        ({"department": "999999"}, "department", "Choose a department from the list."),
        ({"centre": "-1"}, "centre", "Choose a centre from the list."),
        ({"service": "0"}, "service", "Choose a service from the list."),
        ({"channel": "pigeon"}, "channel", "Choose a channel from the list."),
    ],
)  # fmt: skip
def test_bad_filters_are_refused_with_the_field(params, field, message):
    with pytest.raises(dashboards.ServiceError) as caught:
        dashboards.filters_parse(params, today=DAY)
    assert caught.value.field == field and caught.value.status == 400
    assert caught.value.message == message


def test_every_error_is_reported_and_in_danish():
    with translation.override("da"):
        filters, errors = dashboards.filters_check({"from_date": "x", "channel": "y"}, today=DAY)
    assert filters is None
    assert [e.field for e in errors] == ["from_date", "channel"]


# --- Contacts --------------------------------------------------------------------------


def test_contacts_over_time_by_day_week_and_month(ids):
    ContactDay.objects.bulk_create(
        [
            contacts(DAY, "phone", 10),
            contacts(DAY, "phone", 5, outcome="case"),
            contacts(DAY, "walk_in", 7),
            contacts(DAY + dt.timedelta(days=1), "email", 6),
            contacts(DAY + dt.timedelta(days=8), "phone", 9),
            contacts(DAY, "phone", 100, direction="outbound"),  # not an inquiry
            contacts(DAY - dt.timedelta(days=1), "phone", 50),  # before the period
        ]
    )
    f = period(end=DAY + dt.timedelta(days=27))
    t = panel("contacts_over_time", f)["tables"][0]
    assert [c["key"] for c in t["columns"]] == ["label", "phone", "walk_in", "email", "total"]
    assert values(t, DAY.isoformat()) == {"phone": 15, "walk_in": 7, "email": 0, "total": 22}
    assert len(t["rows"]) == 28
    assert t["total"]["values"] == {"phone": 24, "walk_in": 7, "email": 6, "total": 37}

    weeks = panel("contacts_over_time", period(days=60, end=DAY + dt.timedelta(days=59)))
    assert weeks["granularity"] == "week"
    first = weeks["tables"][0]["rows"][0]
    assert first["label"] == "week 10 2026"
    assert first["values"]["total"] == 28
    months = panel("contacts_over_time", period(days=365, end=dt.date(2026, 12, 31)))
    march = values(months["tables"][0], "2026-03-01")
    assert march["total"] == 87 and len(months["tables"][0]["rows"]) == 12


def test_contacts_by_channel_service_area_department_and_centre(ids):
    ContactDay.objects.bulk_create(
        [
            contacts(DAY, "phone", 30, service=ids["service"], area=ids["service_area"],
                     department=ids["suf"], centre=ids["kc"]),
            contacts(DAY, "walk_in", 10, service=ids["other"], department=ids["okf"],
                     centre=ids["indre"]),
            contacts(DAY, "self_service", 60),
        ]
    )  # fmt: skip
    f = period()
    channels = panel("channels", f)["tables"][0]
    assert values(channels, "self_service") == {"contacts": 60, "share": 0.6}
    assert values(channels, "phone")["share"] == 0.3
    assert channels["total"]["values"]["contacts"] == 100
    assert [r["key"] for r in channels["rows"]] == ["self_service", "phone", "walk_in"]
    services = panel("services", f)["tables"][0]
    assert values(services, ids["service"])["contacts"] == 30
    assert values(services, 0)["contacts"] == 60
    names = {r["key"]: r["label"] for r in services["rows"]}
    assert names[str(ids["service"])] == Service.objects.get(pk=ids["service"]).name_en
    assert names["0"] == "No service registered"
    departments = panel("departments", f)["tables"][0]
    assert values(departments, ids["suf"])["contacts"] == 30
    assert values(departments, ids["okf"])["contacts"] == 10
    centres = panel("centres", f)["tables"][0]
    assert {r["label"]: r["values"]["contacts"] for r in centres["rows"]} == {
        "No centre (digital and written)": 60,
        ServiceCentre.objects.get(pk=ids["kc"]).name_en: 30,
        ServiceCentre.objects.get(pk=ids["indre"]).name_en: 10,
    }
    areas = panel("areas", f)["tables"][0]
    assert values(areas, ids["service_area"])["contacts"] == 30
    # Filters: only the phone contacts of SUF.
    only = panel("channels", period(department=ids["suf"]))["tables"][0]
    assert [(r["key"], r["values"]["contacts"]) for r in only["rows"]] == [("phone", 30)]
    only = panel("channels", period(centre=ids["indre"], channel="walk_in"))["tables"][0]
    assert only["total"]["values"]["contacts"] == 10
    only = panel("channels", period(service=ids["service"]))["tables"][0]
    assert only["total"]["values"]["contacts"] == 30


def test_top_services_with_the_rest_in_one_row(ids):
    services = list(Service.objects.order_by("pk").values_list("pk", flat=True)[:13])
    ContactDay.objects.bulk_create(
        [contacts(DAY, "phone", 100 + i, service=pk) for i, pk in enumerate(services)]
    )
    t = panel("services", period())["tables"][0]
    assert len(t["rows"]) == dashboards.TOP_SERVICES + 1
    assert t["rows"][0]["values"]["contacts"] == 112
    other = t["rows"][-1]
    assert other["key"] == "other" and other["label"] == "Other services (3)"
    assert other["values"]["contacts"] == 100 + 101 + 102
    assert t["total"]["values"]["contacts"] == sum(100 + i for i in range(13))


def test_heatmap_by_weekday_and_hour(ids):
    ContactHour.objects.bulk_create(
        [
            ContactHour(day=DAY, weekday=0, hour=14, channel="walk_in", centre=ids["indre"], contacts=20),  # noqa: E501
            ContactHour(day=DAY + dt.timedelta(days=7), weekday=0, hour=14, channel="walk_in",
                        centre=ids["indre"], contacts=12),
            ContactHour(day=DAY + dt.timedelta(days=5), weekday=5, hour=10, channel="phone",
                        centre=ids["kc"], contacts=8),
        ]
    )  # fmt: skip
    t = panel("heatmap", period())["tables"][0]
    assert values(t, 0)["h14"] == 32 and values(t, 0)["total"] == 32
    assert values(t, 5)["h10"] == 8
    assert t["total"]["values"]["h14"] == 32 and t["total"]["values"]["total"] == 40
    assert [c["key"] for c in t["columns"]][1] == "h08"  # at least 8-17
    assert values(panel("heatmap", period(centre=ids["kc"]))["tables"][0], 0)["total"] == 0
    noted = panel("heatmap", period(service=ids["service"]))["tables"][0]
    assert noted["notes"][0] == "The filter on service does not apply to this figure."


def test_first_contact_resolution(ids):
    ContactDay.objects.bulk_create(
        [
            contacts(DAY, "phone", 60, department=ids["suf"]),
            contacts(DAY, "phone", 20, outcome="case", department=ids["suf"]),
            contacts(DAY, "phone", 20, outcome="handed_over", department=ids["okf"]),
            contacts(DAY, "walk_in", 30, department=ids["okf"]),
            contacts(DAY, "walk_in", 10, outcome="appointment", department=ids["okf"]),
        ]
    )
    channel, department = panel("first_contact", period())["tables"]
    assert values(channel, "phone") == {"contacts": 100, "resolved": 60, "rate": 0.6}
    assert values(channel, "walk_in") == {"contacts": 40, "resolved": 30, "rate": 0.75}
    assert channel["total"]["values"] == {"contacts": 140, "resolved": 90, "rate": 90 / 140}
    assert values(department, ids["suf"]) == {"contacts": 80, "resolved": 60, "rate": 0.75}
    assert values(department, ids["okf"])["rate"] == 0.5


def test_waits_and_service_times(ids):
    waits = {60: 10, 300: 20, 900: 10}  # seconds -> tickets
    DurationBin.objects.bulk_create(
        [
            DurationBin(day=DAY, measure="ticket_wait", channel="walk_in", centre=ids["indre"],
                        bin=bin_of(s), n=n, seconds=s * n)
            for s, n in waits.items()
        ]
        + [
            DurationBin(day=DAY, measure="ticket_service", channel="walk_in", centre=ids["amager"],
                        bin=bin_of(420), n=8, seconds=420 * 8)
        ]
    )  # fmt: skip
    by_measure, by_centre = panel("durations", period())["tables"]
    wait = values(by_measure, "ticket_wait")
    bins = {bin_of(s): n for s, n in waits.items()}
    assert wait["n"] == 40
    assert wait["p50"] == percentile_from_bins(bins, 0.5)
    assert wait["p90"] == percentile_from_bins(bins, 0.9)
    assert 300 <= wait["p50"] <= 330 and 900 <= wait["p90"] <= 1200
    assert wait["mean"] == (600 + 6000 + 9000) / 40
    indre = values(by_centre, ids["indre"])
    assert indre["ticket_wait_n"] == 40 and indre["ticket_service_n"] == 0
    assert indre["ticket_service_p50"] is None
    assert values(by_centre, ids["amager"])["ticket_service_n"] == 8


def test_no_shows(ids):
    BookingDay.objects.bulk_create(
        [
            BookingDay(day=DAY, centre=ids["indre"], state="served", bookings=30),
            BookingDay(day=DAY, centre=ids["indre"], state="checked_in", bookings=2),
            BookingDay(day=DAY, centre=ids["indre"], state="no_show", bookings=8),
            BookingDay(day=DAY, centre=ids["indre"], state="cancelled", bookings=50),
            BookingDay(day=DAY, centre=ids["indre"], state="booked", bookings=20),
        ]
    )
    t = panel("no_shows", period())["tables"][0]
    assert values(t, ids["indre"]) == {"came": 32, "no_show": 8, "due": 40, "rate": 0.2}


@pytest.fixture
def cases(ids):
    unit = Unit.objects.filter(department_id=ids["suf"]).first()
    case_type = CaseType.objects.order_by("pk").first()
    rows = [
        CaseDay(day=DAY, event="closed", department=ids["suf"], unit=unit.pk, caseworker=7,
                case_type=case_type.pk, channel="letter", cases=20, on_time=15, late=5),
        CaseDay(day=DAY, event="closed", department=ids["okf"], unit=0, caseworker=0,
                case_type=0, channel="self_service", cases=10, on_time=10, late=0),
        CaseDay(day=DAY, event="complaint", department=ids["suf"], unit=unit.pk, caseworker=7,
                case_type=case_type.pk, channel="letter", cases=6),
        CaseDay(day=DAY, event="received", department=ids["suf"], unit=unit.pk, caseworker=7,
                case_type=case_type.pk, channel="letter", cases=99),
    ]  # fmt: skip
    CaseDay.objects.bulk_create(rows)
    return {"unit": unit, "case_type": case_type}


def test_sla_attainment_by_department_and_unit(ids, cases):
    tables = panel("sla", period())["tables"]
    assert [t["id"] for t in tables] == ["sla_department", "sla_unit"]  # analysts: no people
    department, unit = tables
    assert values(department, ids["suf"]) == {"closed": 20, "on_time": 15, "late": 5, "rate": 0.75}
    assert values(department, ids["okf"])["rate"] == 1.0
    assert department["total"]["values"]["rate"] == 25 / 30
    assert values(unit, cases["unit"].pk)["closed"] == 20
    by_service = panel("sla", period(service=cases["case_type"].service_id))["tables"][0]
    assert [r["key"] for r in by_service["rows"]] == [str(ids["suf"])]
    by_channel = panel("sla", period(channel="self_service"))["tables"][0]
    assert [r["key"] for r in by_channel["rows"]] == [str(ids["okf"])]


def test_team_leads_see_their_departments_caseworkers(ids, cases, django_user_model):
    worker = django_user_model.objects.create_user(
        username="sb7", first_name="Sara", last_name="Berg"
    )
    CaseDay.objects.filter(caseworker=7).update(caseworker=worker.pk)
    lead = Viewer(user=None, team_lead=True, departments=frozenset({ids["suf"]}))
    tables = panel("sla", period(), lead)["tables"]
    people = tables[-1]
    assert people["id"] == "sla_caseworker"
    assert [(r["label"], r["values"]["closed"]) for r in people["rows"]] == [("Sara Berg", 20)]
    elsewhere = Viewer(user=None, team_lead=True, departments=frozenset({ids["okf"]}))
    people = panel("sla", period(), elsewhere)["tables"][-1]
    assert [(r["label"], r["values"]["closed"]) for r in people["rows"]] == [("Not assigned", 10)]


def test_complaints(ids, cases):
    t = panel("complaints", period())["tables"][0]
    assert values(t, ids["suf"]) == {"complaints": 6, "closed": 20, "rate": 30.0}
    assert values(t, ids["okf"]) == {"complaints": 0, "closed": 10, "rate": 0.0}


def test_capacity_utilisation(ids):
    CapacityDay.objects.bulk_create(
        [
            CapacityDay(day=DAY, centre=ids["indre"], staffed_seconds=36000, served_seconds=27000, served=60),  # noqa: E501
            CapacityDay(day=DAY + dt.timedelta(days=1), centre=ids["indre"], staffed_seconds=36000,
                        served_seconds=18000, served=40),
        ]
    )  # fmt: skip
    t = panel("capacity", period())["tables"][0]
    assert values(t, ids["indre"]) == {"staffed": 20.0, "busy": 12.5, "served": 100, "rate": 0.625}
    assert t["total"]["values"]["rate"] == 0.625


def test_channel_shift_per_month(ids):
    ContactDay.objects.bulk_create(
        [
            contacts(DAY, "phone", 60, could=30),
            contacts(DAY, "self_service", 25),
            contacts(DAY, "email", 10),
            contacts(DAY, "chat_sms", 5),
            contacts(DAY + dt.timedelta(days=31), "self_service", 10),
        ]
    )
    LinkDay.objects.bulk_create([LinkDay(day=DAY, via="sms", sent=20, used=15)])
    f = Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 4, 30))
    t = panel("channel_shift", f)["tables"][0]
    march = values(t, "2026-03-01")
    assert march == {
        "contacts": 100, "digital": 40, "digital_share": 0.4, "could": 30, "could_share": 0.3,
        "sent": 20, "used": 15, "used_share": 0.75,
    }  # fmt: skip
    assert values(t, "2026-04-01")["digital_share"] == 1.0
    assert t["total"]["values"]["digital_share"] == 50 / 110


def test_satisfaction(ids):
    SurveyDay.objects.bulk_create(
        [
            SurveyDay(day=DAY, channel="walk_in", centre=ids["indre"], score=5, answers=30),
            SurveyDay(day=DAY, channel="walk_in", centre=ids["indre"], score=4, answers=10),
            SurveyDay(day=DAY, channel="phone", centre=ids["kc"], score=1, answers=10),
        ]
    )
    mean, distribution = panel("satisfaction", period())["tables"]
    assert mean["rows"][0]["values"] == {"answers": 50, "mean": (150 + 40 + 10) / 50}
    assert [r["values"]["answers"] for r in distribution["rows"]] == [10, 0, 0, 10, 30]
    assert values(distribution, 5)["share"] == 0.6
    walk_in = panel("satisfaction", period(channel="walk_in"))["tables"][0]
    assert walk_in["rows"][0]["values"]["mean"] == 190 / 40


def test_panel_get_suppresses_and_names_the_period(ids):
    ContactDay.objects.bulk_create([contacts(DAY, "phone", 3), contacts(DAY, "walk_in", 40)])
    data = dashboards.panel_get("channels", period(), viewer=ANALYST)
    assert data["period"] == {
        "from_date": "2026-03-02",
        "to_date": "2026-03-29",
        "granularity": "day",
    }
    t = data["tables"][0]
    phone = next(r for r in t["rows"] if r["key"] == "phone")
    assert phone["values"]["contacts"] is None and phone["flags"]["contacts"] == "small"
    assert "bases" not in phone
    with pytest.raises(dashboards.ServiceError) as caught:
        dashboards.panel_get("nope", period(), viewer=ANALYST)
    assert caught.value.status == 404


def test_cases_at_risk_are_for_team_leads_of_the_department(ids, django_user_model):
    from borgerservice.accounts.models import AuditEntry
    from borgerservice.cases.models import Case, CaseParty
    from tests.citizens.factories import CitizenFactory

    unit = Unit.objects.filter(department_id=ids["suf"]).first()
    case_type = CaseType.objects.order_by("pk").first()
    today = dt.date(2026, 3, 10)

    def case(number, due, at_risk, status="in_progress", department=ids["suf"]):
        return Case(number=number, case_type=case_type, title="T", status=status,
                    department_id=department, unit=unit, channel="letter",
                    received_on=today - dt.timedelta(days=20), due_on=due, at_risk_on=at_risk)  # fmt: skip  # noqa: E501

    Case.objects.bulk_create(
        [
            case("A1", today + dt.timedelta(days=3), today - dt.timedelta(days=1)),  # at risk
            case("A2", today - dt.timedelta(days=2), today - dt.timedelta(days=5)),  # overdue
            case("A3", today + dt.timedelta(days=9), today + dt.timedelta(days=4)),  # on track
            case("A4", today - dt.timedelta(days=2), today - dt.timedelta(days=5), status="awaiting_citizen"),  # noqa: E501
            case("A5", today - dt.timedelta(days=2), today - dt.timedelta(days=5), department=ids["okf"]),  # noqa: E501
        ]
    )  # fmt: skip
    citizen = CitizenFactory()
    CaseParty.objects.create(case=Case.objects.get(number="A1"), citizen=citizen, role="applicant")
    lead = django_user_model.objects.create_user(username="lead")
    viewer = Viewer(user=lead, team_lead=True, departments=frozenset({ids["suf"]}))
    found = dashboards.at_risk_cases(viewer=viewer, today=today)
    assert [r["number"] for r in found["rows"]] == ["A2", "A1"]
    assert found["rows"][0]["overdue"] and found["rows"][0]["days_left"] < 0
    assert found["rows"][1]["days_left"] == 3  # Tue 10 -> Fri 13 March
    entry = AuditEntry.objects.get(actor=lead)
    assert entry.action == "list" and entry.citizen_count == 1
    assert dashboards.at_risk_cases(viewer=ANALYST, today=today)["rows"] == []


# --- Month rollups ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "months"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), (dt.date(2026, 1, 1), dt.date(2027, 1, 1))),
        (dt.date(2026, 1, 15), dt.date(2026, 4, 10), (dt.date(2026, 2, 1), dt.date(2026, 4, 1))),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), (dt.date(2026, 2, 1), dt.date(2026, 3, 1))),
        (dt.date(2026, 2, 2), dt.date(2026, 3, 30), None),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 29), None),
    ],
)
def test_whole_months_inside_the_period(first, last, months):
    assert dashboards._whole_months(Filters(date_from=first, date_to=last)) == months


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),  # whole months only
        (dt.date(2026, 1, 17), dt.date(2026, 11, 3)),  # edges on both sides
        (dt.date(2026, 2, 1), dt.date(2026, 5, 19)),  # an edge after
        (dt.date(2026, 3, 2), dt.date(2026, 3, 29)),  # no whole month
    ],
)
def test_panels_read_from_months_equal_the_same_panels_from_days(ids, first, last, monkeypatch):
    """Contacts and durations spread over a year, with every filter dimension varied: each
    panel that reads the month rollups gives exactly what the day rollups alone give."""
    import random

    rng = random.Random(8)
    day_rows, bins = {}, {}
    for _ in range(1500):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))
        key = (
            day,
            rng.choice(["phone", "walk_in", "email", "self_service"]),
            rng.choice(["resolved", "case"]),
            rng.choice([ids["service"], ids["other"], 0]),
            rng.choice([ids["suf"], ids["okf"]]),
            rng.choice([ids["indre"], ids["amager"], 0]),
        )
        day_rows[key] = day_rows.get(key, 0) + rng.randrange(1, 30)
        bkey = (day, rng.choice(["ticket_wait", "ticket_service"]), key[3], key[4], key[5],
                rng.randrange(0, 40))  # fmt: skip
        bins[bkey] = bins.get(bkey, 0) + rng.randrange(1, 9)
    ContactDay.objects.bulk_create(
        contacts(day, channel, n, outcome=outcome, service=service, department=department,
                 centre=centre, could=n // 3)
        for (day, channel, outcome, service, department, centre), n in day_rows.items()
    )  # fmt: skip
    DurationBin.objects.bulk_create(
        DurationBin(day=day, measure=measure, channel="walk_in", service=service,
                    department=department, centre=centre, bin=b, n=n, seconds=n * 30 * b)
        for (day, measure, service, department, centre, b), n in bins.items()
    )  # fmt: skip
    names = ["contacts_over_time", "channels", "services", "areas", "departments", "centres",
             "first_contact", "durations", "channel_shift"]  # fmt: skip
    filters = [
        Filters(date_from=first, date_to=last),
        Filters(date_from=first, date_to=last, department=ids["suf"], channel="phone"),
        Filters(date_from=first, date_to=last, centre=ids["indre"], service=ids["service"]),
    ]
    with_months = [panel(name, f) for f in filters for name in names]
    assert rollups.months_fill()["contact_month"] > 0
    monkeypatch.setattr(dashboards, "MONTH_ROLLUPS", {})
    assert [panel(name, f) for f in filters for name in names] == with_months
