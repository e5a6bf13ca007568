"""The portfolio API: table 2 with the assessment, the savings path, unit costs, benefits."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from borgerservice.analytics.models import BenefitRealisation, UnitCost
from borgerservice.api.auth import api_token_create
from tests.accounts.staff import ANALYST, FRONT_OFFICE, TEAM_LEAD, make_staff

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analytics/portfolio"


def token_for(role: str) -> dict:
    token = api_token_create(user=make_staff(role, username=f"api-port-{role}"), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def analyst():
    return token_for(ANALYST)


@pytest.fixture
def team_lead():
    return token_for(TEAM_LEAD)


def test_portfolio_has_table_2_and_the_assessment(client, team_lead):
    response = client.get(BASE, **team_lead)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["totals"]["fte"] == 541 and data["totals"]["contacts"] == 2_475_006
    assert data["totals"]["cases"] == 296_090 and data["discrepancies"] == []
    assert len(data["table2"]) == 8
    assessed = {a["area"]: a for a in data["assessment"]}
    assert len(assessed) == 11 and all(a["agrees_with_001"] for a in assessed.values())
    assert assessed["bif-ydelsesservice"]["suitability"] == "medium"
    assert assessed["bif-ydelsesservice"]["resolved_share_pct"] == 93.36
    assert assessed["tmf-parkering-kundeservice"]["reported_share_pct"] == 96
    assert assessed["suf-pensionsomraadet"]["principles"][0]["figure"] == "76.4 %"


def test_front_office_may_not_read(client):
    response = client.get(BASE, **token_for(FRONT_OFFICE))
    assert response.status_code == 403
    assert response.json()["code"] == "access.denied"


def test_unknown_parameter_and_bad_year(client, analyst):
    assert client.get(BASE, {"yaer": 2009}, **analyst).json()["code"] == (
        "request.unknown_parameter"
    )
    response = client.get(BASE, {"year": 1800}, **analyst)
    assert response.status_code == 400
    assert response.json() == {
        "code": "portfolio.bad_year",
        "message": "The year must be from 1990 to 2100.",
        "field": "year",
    }


def test_savings_path_both_readings(client, team_lead):
    data = client.get(f"{BASE}/savings-path", **team_lead).json()
    assert data["compounding"] is True and data["total_fte"] == 77.16
    assert [r["saving_fte"] for r in data["rows"]] == [27.05, 25.7, 24.41]
    assert data["baseline_dkk"] == 541 * 460_904
    assert [r["year"] for r in data["comparison"]] == [2010, 2011, 2012]
    linear = client.get(
        f"{BASE}/savings-path", {"compounding": "false", "cost_per_fte": 500000}, **team_lead
    ).json()
    assert linear["total_fte"] == 81.15 and linear["total_dkk"] == 81.15 * 500_000


def test_savings_path_bad_rate_is_400_in_the_clients_language(client, analyst):
    response = client.get(f"{BASE}/savings-path", {"rate": 2}, **analyst)
    assert response.status_code == 400
    assert response.json()["field"] == "rate"
    assert response.json()["message"] == "The rate must be a number from 0 to 1, e.g. 0.05."
    response = client.get(f"{BASE}/savings-path", {"years": "tre"}, **analyst)
    assert response.status_code == 400 and response.json()["code"] == "request.invalid"


def test_unit_costs_read_and_set(client, analyst, team_lead):
    listed = {u["channel"]: u for u in client.get(f"{BASE}/unit-costs", **team_lead).json()}
    assert listed["phone"]["cost_dkk"] == 24.77 and listed["phone"]["is_default"]
    body = json.dumps({"cost_dkk": 38.5, "source_note": "Own figures 2026"})
    response = client.put(
        f"{BASE}/unit-costs/phone", body, content_type="application/json", **analyst
    )
    assert response.status_code == 200, response.content
    assert response.json()["cost_dkk"] == 38.5 and not response.json()["is_default"]
    assert response.json()["updated_by"] == "api-port-analyst"
    assert UnitCost.objects.get(channel="phone").cost_dkk == Decimal("38.50")


def test_team_leads_may_not_set_unit_costs(client, team_lead):
    body = json.dumps({"cost_dkk": 1})
    response = client.put(
        f"{BASE}/unit-costs/phone", body, content_type="application/json", **team_lead
    )
    assert response.status_code == 403 and not UnitCost.objects.exists()


def test_bad_unit_cost_is_400(client, analyst):
    response = client.put(
        f"{BASE}/unit-costs/fax", json.dumps({"cost_dkk": 1}), content_type="application/json",
        **analyst,
    )  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "portfolio.unknown_channel"
    response = client.put(
        f"{BASE}/unit-costs/phone", json.dumps({"cost_dkk": -1}), content_type="application/json",
        **analyst,
    )  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "cost_dkk"
    response = client.put(
        f"{BASE}/unit-costs/phone", json.dumps({"cost_dkk": 1, "colour": "red"}),
        content_type="application/json", **analyst,
    )  # fmt: skip
    assert response.status_code == 400
    assert not UnitCost.objects.exists()


def test_channel_costs(client, team_lead):
    data = client.get(f"{BASE}/channel-costs", {"shift": 0.1}, **team_lead).json()
    assert data["source"] == "table2" and data["unassigned_contacts"] == 1_131_506
    assert data["shifted_contacts"] == 116_500
    assert data["saving_dkk"] == pytest.approx(116_500 * 19.77)


def test_benefits_post_and_list(client, analyst, team_lead):
    body = {"area": "suf-pensionsomraadet", "year": 2011, "fte_saved": 8, "amount_dkk": 3687232}
    response = client.post(
        f"{BASE}/benefits", json.dumps(body), content_type="application/json", **analyst
    )
    assert response.status_code == 201, response.content
    assert response.json()["fte_saved"] == 8 and response.json()["recorded_by"] == (
        "api-port-analyst"
    )
    body["fte_saved"] = 9
    response = client.post(
        f"{BASE}/benefits", json.dumps(body), content_type="application/json", **analyst
    )
    assert response.status_code == 200 and response.json()["fte_saved"] == 9
    listed = client.get(f"{BASE}/benefits", **team_lead).json()
    assert [(b["area"], b["year"], b["fte_saved"]) for b in listed] == [
        ("suf-pensionsomraadet", 2011, 9)
    ]
    path = client.get(f"{BASE}/savings-path", **team_lead).json()
    assert path["comparison"][1]["realised_fte"] == 9
    assert path["comparison"][1]["cumulative_realised_dkk"] == 3_687_232


def test_bad_benefit_is_400_and_team_leads_may_not_post(client, analyst, team_lead):
    body = {"area": "suf-pensionsomraadet", "year": 2011, "fte_saved": -1}
    response = client.post(
        f"{BASE}/benefits", json.dumps(body), content_type="application/json", **analyst
    )
    assert response.status_code == 400
    assert response.json()["field"] == "fte_saved"
    body["fte_saved"] = 1
    response = client.post(
        f"{BASE}/benefits", json.dumps(body), content_type="application/json", **team_lead
    )
    assert response.status_code == 403
    assert not BenefitRealisation.objects.exists()
