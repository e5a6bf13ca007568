"""The dashboard page, its exports and its API: for team leads and analysts only; analysts
never see a caseworker or the cases at risk; the exports parse and hold the page's numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from borgerservice.accounts.models import AuditEntry, StaffProfile
from borgerservice.analytics import rollups
from borgerservice.analytics.models import CaseDay, ContactDay
from borgerservice.api.auth import api_token_create
from borgerservice.cases.models import Case, CaseType, Unit
from borgerservice.catalogue.models import Department
from tests.accounts.staff import ANALYST, AUDITOR, FRONT_OFFICE, TEAM_LEAD, make_staff

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
PERIOD = {"from_date": "2026-03-01", "to_date": "2026-03-28"}
API = "/api/v1/analytics/dashboard/"


@pytest.fixture(autouse=True)
def danish():
    translation.activate("da")
    yield
    translation.activate("da")


@pytest.fixture
def suf():
    return Department.objects.get(slug="suf")


@pytest.fixture
def data(suf, django_user_model):
    worker = django_user_model.objects.create_user(
        username="sara", first_name="Sara", last_name="Sagsbehandler"
    )
    unit = Unit.objects.filter(department=suf).first()
    ContactDay.objects.bulk_create(
        [
            ContactDay(day=DAY, channel="phone", direction="inbound", outcome="resolved",
                       department=suf.pk, contacts=120),
            ContactDay(day=DAY, channel="walk_in", direction="inbound", outcome="resolved",
                       contacts=3),
            ContactDay(day=DAY, channel="email", direction="inbound", outcome="case", contacts=17),
        ]
    )  # fmt: skip
    rollups.months_fill()  # as the upserts would
    CaseDay.objects.create(
        day=DAY, event="closed", department=suf.pk, unit=unit.pk, caseworker=worker.pk,
        case_type=0, channel="letter", cases=12, on_time=9, late=3,
    )  # fmt: skip
    case_type = CaseType.objects.order_by("pk").first()
    Case.objects.create(
        number="R-1", case_type=case_type, title="Fortroligt navn i titel", status="in_progress",
        department=suf, unit=unit, caseworker=worker, channel="letter", received_on=DAY,
        due_on=DAY + dt.timedelta(days=2), at_risk_on=DAY - dt.timedelta(days=1),
    )  # fmt: skip
    return {"worker": worker, "unit": unit}


@pytest.fixture
def lead(suf):
    user = make_staff(TEAM_LEAD, username="lead")
    user.first_name = "Lene"
    user.save()
    StaffProfile.objects.update_or_create(user=user, defaults={"department": suf})
    return user


@pytest.fixture
def analyst():
    return make_staff(ANALYST, username="analytiker")


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("analytics:dashboard"), {**PERIOD, **params})


def test_team_lead_sees_panels_caseworkers_and_cases_at_risk(client, lead, data):
    response = page(client, lead)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="table-channels"' in html and 'id="chart-channels"' in html
    assert 'aria-label="Diagram' in html or "aria-label=" in html
    assert "Sara Sagsbehandler" in html  # SLA by caseworker, own department
    assert 'id="table-sla_caseworker"' in html
    assert 'id="panel-at-risk"' in html
    assert f'href="{reverse("cases:detail", args=["R-1"])}"' in html
    assert "Fortroligt navn" not in html  # no titles, no citizens
    assert "vendor/chartjs/chart.umd.min.js" in html and "borgerservice/dashboard.js" in html
    assert 'id="dashboard-data"' in html and "<script>" not in html.split("</header>")[1]
    entry = AuditEntry.objects.get(actor=lead)
    assert entry.action == "list" and "at risk" in entry.what


def test_analyst_sees_aggregates_only(client, analyst, data):
    response = page(client, analyst)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="table-sla_department"' in html and 'id="table-sla_unit"' in html
    assert "Sara" not in html and "sla_caseworker" not in html
    assert "panel-at-risk" not in html and "R-1" not in html
    assert not AuditEntry.objects.exists()


def test_small_cells_on_the_page_and_in_the_chart_data(client, analyst, data):
    html = page(client, analyst).content.decode()
    start = html.index('id="table-channels"')
    channels = html[start : html.index("</table>", start)]
    assert "&lt;5" in channels and ">3<" not in channels
    blob = html[html.index('id="dashboard-data"') :]
    blob = blob[blob.index(">") + 1 : blob.index("</script>")]
    charts = {c["id"]: c for c in json.loads(blob)["charts"]}
    chart = charts["channels"]
    values = dict(zip(chart["labels"], chart["datasets"][0]["data"], strict=True))
    assert values["Telefon"] == 120 and values["Personlig henvendelse"] is None


@pytest.mark.parametrize("role", [FRONT_OFFICE, AUDITOR])
def test_other_roles_get_403(client, role):
    response = page(client, make_staff(role))
    assert response.status_code == 403
    client.force_login(make_staff(role, username=f"{role}-2"))
    export = client.get(reverse("analytics:dashboard-export"), {"format": "csv"})
    assert export.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("analytics:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_bad_filters_show_the_error_summary_and_no_figures(client, analyst, data):
    response = page(client, analyst, from_date="2026-03-30", channel="due")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#from_date"' in html and 'href="#channel"' in html
    assert "Vælg en kanal" in html or "Choose a channel from the list." in html
    assert 'id="table-channels"' not in html


def test_english_page(client, analyst, data):
    client.force_login(analyst)
    with translation.override("en"):
        url = reverse("analytics:dashboard")
    response = client.get(url, PERIOD)
    assert response.status_code == 200
    assert "Contacts by channel" in response.content.decode()


def export(client, user, **params):
    client.force_login(user)
    return client.get(reverse("analytics:dashboard-export"), {**PERIOD, **params})


def test_csv_export_of_one_panel(client, analyst, data):
    response = export(client, analyst, panel="channels", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="dashboard_channels_2026-03-01_2026-03-28.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    body = {r[0]: r[1] for r in rows[3:] if len(r) > 1}
    assert body["Telefon"] == "120"
    assert body["Personlig henvendelse"] == "<5"
    assert body["E-mail"] == "x"  # else 3 = total - 120 - 17
    assert rows[-1][1] == "140"  # the total


def test_xlsx_export_of_everything_for_a_team_lead(client, lead, data):
    response = export(client, lead, panel="all", format="xlsx")
    assert response.status_code == 200
    assert "dashboard_2026-03-01_2026-03-28.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert {"channels", "sla_department", "sla_caseworker", "heatmap"} <= set(book.sheetnames)
    rows = list(book["sla_caseworker"].iter_rows(values_only=True))
    # 3 late: hidden, and with it the on-time count and the rate that would give it away.
    assert rows[3][:5] == ("Sara Sagsbehandler", 12, "x", "<5", "x")
    rows = list(book["channels"].iter_rows(values_only=True))
    assert rows[3][:2] == ("Telefon", 120)


def test_analyst_xlsx_has_no_caseworker_sheet(client, analyst, data):
    book = load_workbook(io.BytesIO(export(client, analyst, panel="sla", format="xlsx").content))
    assert book.sheetnames == ["sla_department", "sla_unit"]


@pytest.mark.parametrize("params", [{"format": "pdf"}, {"panel": "nope"}, {"to_date": "x"}])
def test_bad_export_requests_are_400(client, analyst, params):
    response = export(client, analyst, **{"panel": "channels", "format": "csv", **params})
    assert response.status_code == 400
    assert "alert-error" in response.content.decode()


def token(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')}"}


def test_api_panel(client, analyst, data):
    response = client.get(API + "channels", PERIOD, **token(analyst))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["panel"] == "channels"
    assert body["period"] == {
        "from_date": "2026-03-01",
        "to_date": "2026-03-28",
        "granularity": "day",
    }
    rows = {r["key"]: r for r in body["tables"][0]["rows"]}
    assert rows["phone"]["values"]["contacts"] == 120
    assert rows["walk_in"]["values"]["contacts"] is None
    assert rows["walk_in"]["flags"] == {"contacts": "small", "share": "small"}


def test_api_caseworkers_only_for_team_leads(client, analyst, lead, data):
    tables = client.get(API + "sla", PERIOD, **token(analyst)).json()["tables"]
    assert [t["id"] for t in tables] == ["sla_department", "sla_unit"]
    tables = client.get(API + "sla", PERIOD, **token(lead)).json()["tables"]
    assert tables[-1]["rows"][0]["label"] == "Sara Sagsbehandler"
    assert client.get(API + "at_risk", PERIOD, **token(analyst)).status_code == 403
    at_risk = client.get(API + "at_risk", PERIOD, **token(lead)).json()
    assert at_risk["count"] == 1 and at_risk["cases"][0]["number"] == "R-1"


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"from_date": "2026-13-01"}, 400, "from_date"),
        ({"centre": "0"}, 400, "centre"),
        ({"colour": "red"}, 400, "colour"),
    ],
)
def test_api_bad_filters(client, analyst, params, status, field):
    response = client.get(API + "channels", params, **token(analyst))
    assert response.status_code == status
    assert response.json()["field"] == field


def test_api_roles(client):
    assert client.get(API + "channels", **token(make_staff(FRONT_OFFICE))).status_code == 403
    assert client.get(API + "nope", **token(make_staff(ANALYST))).status_code == 404
    assert client.get(API + "channels").status_code == 401


def test_api_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/analytics/dashboard/{panel}" in schema["paths"]
