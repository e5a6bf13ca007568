"""GET /api/v1/analytics/staffing: the staffing figures for analysts and team leads."""

from __future__ import annotations

import pytest

from borgerservice.api.auth import api_token_create
from tests.accounts.staff import ANALYST, AUDITOR, FRONT_OFFICE, TEAM_LEAD, make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/staffing"
QUERY = {"calls": 100, "interval_seconds": 1800, "aht": 180, "target": 0.8, "within": 20}


def token_for(role: str) -> dict:
    token = api_token_create(user=make_staff(role, username=f"api-staffing-{role}"), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def analyst():
    return token_for(ANALYST)


def test_erlang_c_staffing(client, analyst):
    query = {**QUERY, "max_occupancy": 0.85, "shrinkage": 0.3}
    response = client.get(URL, query, **analyst)
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {
        "agents",
        "agents_with_shrinkage",
        "service_level",
        "asa_seconds",
        "occupancy",
    }
    assert (data["agents"], data["agents_with_shrinkage"]) == (14, 20)
    assert data["service_level"] == pytest.approx(0.88835, abs=1e-5)


def test_erlang_a_staffing_reports_abandonment(client, analyst):
    response = client.get(URL, {**QUERY, "patience": 120}, **analyst)
    assert response.status_code == 200
    data = response.json()
    assert 0 < data["abandonment"] < 0.1 and data["service_level"] >= 0.8


def test_the_api_and_the_command_give_the_same_answer(client, analyst):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("staffing", "--calls", "360", "--interval-seconds", "3600", "--aht", "240",
                 "--target", "0.8", "--within", "20", "--patience", "90", stdout=out)  # fmt: skip
    query = {"calls": 360, "interval_seconds": 3600, "aht": 240, "target": 0.8, "within": 20,
             "patience": 90}  # fmt: skip
    assert client.get(URL, query, **analyst).json() == json.loads(out.getvalue())


def test_team_leads_may_use_it(client):
    assert client.get(URL, QUERY, **token_for(TEAM_LEAD)).status_code == 200


@pytest.mark.parametrize("role", [FRONT_OFFICE, AUDITOR])
def test_other_roles_get_403(client, role):
    response = client.get(URL, QUERY, **token_for(role))
    assert response.status_code == 403
    assert response.json()["code"] == "access.denied"


def test_without_a_token_401(client):
    assert client.get(URL, QUERY).status_code == 401


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"calls": -1}, "staffing.calls_invalid", "calls"),
        ({"aht": 0}, "staffing.aht_invalid", "aht"),
        ({"target": 1.2}, "staffing.target_invalid", "target"),
        ({"shrinkage": 1}, "staffing.shrinkage_invalid", "shrinkage"),
        ({"max_occupancy": 0}, "staffing.max_occupancy_invalid", "max_occupancy"),
        ({"patience": 0}, "staffing.patience_invalid", "patience"),
        ({"aht": "long"}, "request.invalid", "aht"),
        ({"agents": 4}, "request.unknown_parameter", "agents"),
    ],
)
def test_bad_values_get_400(client, analyst, change, code, field):
    response = client.get(URL, {**QUERY, **change}, **analyst)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body.get("field")) == (code, field)
    assert body["message"]


def test_a_missing_value_gets_400(client, analyst):
    query = dict(QUERY)
    del query["within"]
    response = client.get(URL, query, **analyst)
    assert response.status_code == 400 and response.json()["field"] == "within"


def test_errors_come_in_danish(client, analyst):
    response = client.get(URL, {**QUERY, "aht": 0}, HTTP_ACCEPT_LANGUAGE="da", **analyst)
    assert response.status_code == 400
    assert response.json()["code"] == "staffing.aht_invalid"
