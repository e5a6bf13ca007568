"""The staffing-plan and simulation pages and their API: who may use them, what they show,
bad input, and the cap on the simulation's size."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from borgerservice.analytics import planning
from borgerservice.analytics.erlang import staffing
from borgerservice.analytics.models import TicketHour
from borgerservice.api.auth import api_token_create
from borgerservice.catalogue.models import ServiceCentre
from tests.accounts.staff import ANALYST, AUDITOR, FRONT_OFFICE, TEAM_LEAD, make_staff
from tests.analytics.test_forecast import AS_OF, history_days, pattern, ticket_rows

pytestmark = pytest.mark.django_db

FORECAST = "/api/v1/analytics/forecast"
PLAN = "/api/v1/analytics/staffing-plan"
SIMULATION = "/api/v1/analytics/simulation"


def token_for(role: str) -> dict:
    user = make_staff(role, username=f"api-plan-{role}")
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')}"}


def url(name: str, language: str = "en") -> str:
    with override(language):
        return reverse(f"analytics:{name}")


@pytest.fixture
def analyst():
    return token_for(ANALYST)


@pytest.fixture
def indre_by():
    c = ServiceCentre.objects.get(code="indre-by")
    rows = []
    for day in history_days(8):
        rows += ticket_rows(c.pk, day)
    TicketHour.objects.bulk_create(rows)
    return c


def logged_in(client, role: str):
    client.force_login(make_staff(role, username=f"page-plan-{role}"))
    return client


# -- API ------------------------------------------------------------------------------------


def test_forecast_api(client, analyst, indre_by):
    response = client.get(FORECAST, {"centre": "indre-by", "weeks": 8, "as_of": "2026-04-13"},
                          **analyst)  # fmt: skip
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["basis"], data["channel"], data["centre"]["code"]) == (
        "history",
        "walk_in",
        "indre-by",
    )
    cells = {(c["weekday"], c["hour"]): c["volume"] for c in data["cells"]}
    assert cells[(0, 14)] == pattern(0, 14) == 150
    assert cells[(5, 13)] == pattern(5, 13)
    assert (6, 12) not in cells
    assert data["days"][0] == {"weekday": 0, "volume": 800.0}
    assert "2026-04-06" in data["holidays_excluded"]


def test_forecast_api_falls_back_to_the_sources(client, analyst):
    centre = ServiceCentre.objects.get(code="kontaktcenter")
    response = client.get(FORECAST, {"centre": centre.pk, "as_of": "2026-04-13"}, **analyst)
    assert response.status_code == 200
    data = response.json()
    assert (data["basis"], data["channel"], data["aht_basis"]) == ("sources", "phone", "sources")
    assert data["week_total"] == pytest.approx(1_100_000 / 52, rel=1e-4)


def test_staffing_plan_api(client, indre_by):
    query = {"centre": "indre-by", "as_of": "2026-04-13", "target": 0.9, "within": 600,
             "shrinkage": 0.2, "max_occupancy": 0.9}  # fmt: skip
    response = client.get(PLAN, query, **token_for(TEAM_LEAD))
    assert response.status_code == 200, response.content
    data = response.json()
    cell = next(c for c in data["cells"] if (c["weekday"], c["hour"]) == (0, 14))
    expected = staffing(calls=150, interval_seconds=3600, aht=540, target=0.9, within=600,
                        max_occupancy=0.9, shrinkage=0.2)  # fmt: skip
    assert (cell["agents"], cell["agents_with_shrinkage"]) == (
        expected.agents,
        expected.agents_with_shrinkage,
    )
    assert data["parameters"]["full_time_hours_per_week"] == 37
    scheduled = sum(
        c["agents_with_shrinkage"] * c["interval_seconds"] / 3600 for c in data["cells"]
    )
    assert data["week"]["scheduled_hours"] == pytest.approx(scheduled)
    assert data["week"]["fte"] == pytest.approx(scheduled / 37, abs=0.01)
    assert data["forecast"]["basis"] == "history"


@pytest.mark.parametrize("role", [FRONT_OFFICE, AUDITOR])
def test_other_roles_get_403_from_the_api(client, role):
    headers = token_for(role)
    assert client.get(FORECAST, {"centre": "indre-by"}, **headers).status_code == 403
    assert client.get(PLAN, {"centre": "indre-by"}, **headers).status_code == 403
    response = client.post(SIMULATION, {"scenario": "baseline"}, content_type="application/json",
                           **headers)  # fmt: skip
    assert response.status_code == 403 and response.json()["code"] == "access.denied"


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"centre": "atlantis"}, "planning.centre_unknown", "centre"),
        ({"centre": "indre-by", "weeks": 0}, "planning.weeks_invalid", "weeks"),
        ({"centre": "indre-by", "decay": 0}, "planning.decay_invalid", "decay"),
        ({"centre": "indre-by", "target": 1.5}, "staffing.target_invalid", "target"),
        ({"centre": "indre-by", "shrinkage": 1}, "staffing.shrinkage_invalid", "shrinkage"),
        ({"centre": "indre-by", "patience": -3}, "staffing.patience_invalid", "patience"),
        ({"centre": "indre-by", "within": "soon"}, "request.invalid", "within"),
        ({"centre": "indre-by", "agents": 3}, "request.unknown_parameter", "agents"),
    ],
)
def test_bad_plan_parameters_get_400(client, analyst, query, code, field):
    response = client.get(PLAN, {"as_of": "2026-04-13", **query}, **analyst)
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)


def test_errors_are_translated(client, analyst):
    english = client.get(PLAN, {"centre": "atlantis"}, HTTP_ACCEPT_LANGUAGE="en", **analyst)
    assert english.json()["message"] == "Choose a service centre or the contact centre."
    danish = client.get(PLAN, {"centre": "atlantis"}, HTTP_ACCEPT_LANGUAGE="da", **analyst)
    assert danish.json()["code"] == "planning.centre_unknown"
    assert danish.json()["message"]


def test_simulation_api_runs_a_scenario_against_the_baseline(client, analyst):
    body = {"scenario": "more-counters", "weeks": 1, "replications": 2, "counters": 2}
    response = client.post(SIMULATION, body, content_type="application/json", **analyst)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["scenario"], data["weeks"], data["replications"]) == ("more-counters", 1, 2)
    walk_in = data["channels"]["walk_in"]
    assert set(data["channels"]) == {"walk_in", "phone"}
    for part in ("scenario", "baseline"):
        figures = walk_in[part]
        assert 0 <= figures["service_level"] <= 1
        assert figures["p90_wait_seconds"] >= figures["mean_wait_seconds"] >= 0
        assert figures["fte"] > 0 and figures["fte_needed"] > 0
    # Two more counters in every open hour: shorter waits and more FTE staffed.
    assert walk_in["scenario"]["mean_wait_seconds"] < walk_in["baseline"]["mean_wait_seconds"]
    assert walk_in["difference"]["fte"] > 0
    assert walk_in["difference"]["fte"] == pytest.approx(
        walk_in["scenario"]["fte"] - walk_in["baseline"]["fte"]
    )
    # The same seeds: the simulated demand is the same, only the staffing differs.
    assert walk_in["difference"]["arrivals_per_year"] == 0


def test_simulation_equals_the_engine(client, analyst):
    from borgerservice.analytics.scenarios import Options, run_scenario

    body = {"scenario": "digital-shift", "weeks": 1, "replications": 1, "seed": 5,
            "shift": 0.3, "calls": False}  # fmt: skip
    data = client.post(SIMULATION, body, content_type="application/json", **analyst).json()
    engine = run_scenario("digital-shift", Options(weeks=1, seed=5, shift=0.3, calls=False),
                          per_hour=False)["channels"]["walk_in"]  # fmt: skip
    assert set(data["channels"]) == {"walk_in"}
    assert data["channels"]["walk_in"]["scenario"]["mean_wait_seconds"] == pytest.approx(
        engine["mean_wait_seconds"]
    )


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"scenario": "flood"}, "simulation.scenario_unknown", "scenario"),
        ({"scenario": "baseline", "weeks": 26, "replications": 10}, "simulation.too_large",
         "weeks"),
        ({"scenario": "baseline", "weeks": 0}, "simulation.weeks_invalid", "weeks"),
        ({"scenario": "baseline", "replications": 11}, "simulation.replications_invalid",
         "replications"),
        ({"scenario": "digital-shift", "shift": 0.95}, "simulation.shift_invalid", "shift"),
        ({"scenario": "move-area", "area": "nowhere"}, "simulation.area_unknown", "area"),
        ({"scenario": "booking-only", "booking_days": [6]}, "simulation.booking_days_invalid",
         "booking_days"),
        ({"scenario": "more-counters", "counters": 0}, "simulation.counters_invalid",
         "counters"),
        ({"scenario": "baseline", "weeks": "many"}, "request.invalid", "weeks"),
    ],
)  # fmt: skip
def test_bad_simulation_input_gets_400(client, analyst, body, code, field):
    response = client.post(SIMULATION, body, content_type="application/json", **analyst)
    assert response.status_code == 400, response.content
    data = response.json()
    assert (data["code"], data.get("field")) == (code, field)
    assert data["message"]


def test_the_cap_message_names_the_limit(client, analyst):
    body = {"scenario": "baseline", "weeks": 26, "replications": 2}
    response = client.post(SIMULATION, body, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en", **analyst)  # fmt: skip
    assert response.status_code == 400
    assert str(planning.MAX_SIMULATION_WORK) in response.json()["message"]
    assert "26 × 2" in response.json()["message"]


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/analytics/forecast", "/api/v1/analytics/staffing-plan",
            "/api/v1/analytics/simulation"} <= set(paths)  # fmt: skip
    assert "post" in paths["/api/v1/analytics/simulation"]


# -- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [ANALYST, TEAM_LEAD])
def test_staffing_plan_page(client, indre_by, role):
    logged_in(client, role)
    response = client.get(url("staffing-plan"), {"centre": "indre-by", "as_of": "2026-04-13"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Totals per day and for the week</caption>" in html
    assert "Forecast from recorded history" in html
    plan = response.context["plan"]
    assert plan.forecast.centre_code == "indre-by"
    monday_14 = next(c for c in plan.cells if (c.weekday, c.hour) == (0, 14))
    assert monday_14.agents == 27
    assert f"<strong>{monday_14.agents_with_shrinkage}</strong> (150)" in html
    assert 'for="shrinkage"' in html and 'id="shrinkage"' in html


def test_staffing_plan_page_states_the_sources_basis(client):
    logged_in(client, ANALYST)
    response = client.get(url("staffing-plan"), {"centre": "kontaktcenter", "as_of": "2026-04-13"})
    assert response.status_code == 200
    assert response.context["forecast"].basis == "sources"
    assert "too little recorded history" in response.content.decode()


def test_staffing_plan_page_default_is_the_contact_centre(client):
    logged_in(client, TEAM_LEAD)
    response = client.get(url("staffing-plan"))
    assert response.status_code == 200
    assert response.context["chosen"] == "kontaktcenter"
    codes = [c.code for c in response.context["centres"]]
    assert codes[0] == "kontaktcenter" and "indre-by" in codes and len(codes) == 7


def test_staffing_plan_page_bad_input(client):
    logged_in(client, ANALYST)
    response = client.get(url("staffing-plan"), {"centre": "indre-by", "target": "lots",
                                                 "shrinkage": "1"})  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#target"' in html
    assert "Write a number." in html
    response = client.get(url("staffing-plan"), {"centre": "indre-by", "shrinkage": "1,5"})
    assert response.status_code == 400
    assert "The shrinkage must be at least 0 and below 1" in response.content.decode()


def test_staffing_plan_page_in_danish(client):
    logged_in(client, ANALYST)
    response = client.get(url("staffing-plan", "da"), {"centre": "indre-by", "target": "0,9"})
    assert response.status_code == 200
    assert response.context["plan"].target == 0.9
    assert '<html lang="da"' in response.content.decode()


@pytest.mark.parametrize("name", ["staffing-plan", "simulation"])
def test_front_office_is_refused(client, name):
    logged_in(client, FRONT_OFFICE)
    assert client.get(url(name)).status_code == 403
    assert client.post(url("simulation"), {"scenario": "baseline"}).status_code == 403


@pytest.mark.parametrize("name", ["staffing-plan", "simulation"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(url(name))
    assert response.status_code == 302 and "login" in response["Location"]


def test_simulation_page_form(client):
    logged_in(client, TEAM_LEAD)
    response = client.get(url("simulation"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    assert 'value="close-saturdays"' in html and 'value="move-area"' in html
    assert 'value="suf-pensionsomraadet" selected' in html
    assert response.context["result"] is None


def test_simulation_page_runs_a_scenario(client):
    logged_in(client, ANALYST)
    form = {"scenario": "close-saturdays", "weeks": "1", "replications": "1", "seed": "3",
            "saturday_percent": "80", "calls": "1", "counters": "1", "shift_percent": "20",
            "area": "suf-pensionsomraadet", "booking_days": ["4"]}  # fmt: skip
    response = client.post(url("simulation"), form)
    assert response.status_code == 200, response.content.decode()[:2000]
    result = response.context["result"]
    assert result["scenario"] == "close-saturdays"
    assert result["parameters"]["saturday_moved_share"] == 0.8
    html = response.content.decode()
    assert "Result: Close on Saturdays" in html
    assert "Mean wait (minutes)" in html and "FTE needed for the target" in html
    assert "Mean wait (seconds)" in html  # calls wait seconds
    walk_in = result["channels"]["walk_in"]
    # Saturday's counters are gone: fewer FTE staffed.
    assert walk_in["scenario"]["fte"] < walk_in["baseline"]["fte"]


def test_simulation_page_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff(ANALYST, username="csrf-analyst"))
    assert client.post(url("simulation"), {"scenario": "baseline"}).status_code == 403


def test_simulation_page_cap_and_bad_input(client):
    logged_in(client, ANALYST)
    response = client.post(url("simulation"), {"scenario": "baseline", "weeks": "26",
                                               "replications": "10"})  # fmt: skip
    assert response.status_code == 400
    limit = planning.MAX_SIMULATION_WORK
    assert f"Weeks times replications may be at most {limit}" in response.content.decode()
    response = client.post(url("simulation"), {"scenario": "digital-shift", "shift_percent": "95",
                                               "weeks": "1", "replications": "1"})  # fmt: skip
    assert response.status_code == 400
    assert 'href="#shift_percent"' in response.content.decode()
    response = client.post(url("simulation"), {"scenario": "booking-only", "weeks": "1",
                                               "replications": "1"})  # fmt: skip
    assert response.status_code == 400
    assert response.context["field_errors"]["booking_days"]


def test_simulation_page_in_danish(client):
    logged_in(client, TEAM_LEAD)
    response = client.post(url("simulation", "da"), {"scenario": "baseline", "weeks": "x"})
    assert response.status_code == 400
    assert response.context["errors"][0].field == "weeks"


def test_as_of_is_a_date(client):
    logged_in(client, ANALYST)
    response = client.get(url("staffing-plan"), {"as_of": "13/04/2026"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()
    assert date(2026, 4, 13) == AS_OF
