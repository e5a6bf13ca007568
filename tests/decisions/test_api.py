"""The decision endpoints: rule sets with inputs and current parameters, the dry run
(nothing stored), errors with the field, and authentication."""

from __future__ import annotations

import pytest
import time_machine

from borgerservice.api.auth import api_token_create
from borgerservice.decisions.models import InstantDecision

pytestmark = pytest.mark.django_db

FRIPLADS = {"household_income": 250000, "children_under_18": 1, "single_provider": False}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-06-01 10:00 +0200", tick=False):
        yield


def post(client, path, body, **extra):
    return client.post(f"/api/v1{path}", body, content_type="application/json", **extra)


def test_login_required(client):
    assert client.get("/api/v1/decisions/rule-sets").status_code == 401
    assert post(client, "/decisions/friplads/evaluate", {"inputs": FRIPLADS}).status_code == 401


def test_rule_sets_list(staff_client):
    response = staff_client.get("/api/v1/decisions/rule-sets", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    by_code = {item["code"]: item for item in body["items"]}
    friplads = by_code["friplads"]
    assert friplads["service_codes"] == ["faf-oekonomisk-friplads"]
    assert [i["name"] for i in friplads["inputs"]][:3] == [
        "household_income",
        "children_under_18",
        "single_provider",
    ]
    income = friplads["inputs"][0]
    assert income["kind"] == "decimal" and income["min"] == "0" and income["required"] is True
    assert income["label"] == "Household income per year before tax"
    kinds = {i["name"]: i for i in friplads["inputs"]}
    assert [c["value"] for c in kinds["childcare_type"]["choices"]] == [
        "municipal",
        "private_institution",
        "private_scheme",
    ]
    params = friplads["parameters"]
    assert params["version"] == "friplads-v1/2026-01-01"
    assert params["valid_from"] == "2026-01-01" and params["valid_to"] is None
    assert params["example_values"] is True
    assert {v["parameter"] for v in params["values"]} >= {
        "income_lower_limit",
        "income_upper_limit",
    }
    assert by_code["boernetilskud"]["service_codes"] == ["faf-boernetilskud-ordinaert-ekstra"]
    assert by_code["helbredstillaeg"]["service_codes"] == ["suf-helbredstillaeg"]


def test_rule_sets_on_a_date(staff_client):
    body = staff_client.get("/api/v1/decisions/rule-sets", {"on": "2024-03-01"}).json()
    friplads = next(i for i in body["items"] if i["code"] == "friplads")
    assert friplads["parameters"]["version"] == "friplads-v1/2024-01-01"
    assert friplads["parameters"]["valid_to"] == "2024-12-31"
    gap = staff_client.get("/api/v1/decisions/rule-sets", {"on": "2023-03-01"}).json()
    friplads = next(i for i in gap["items"] if i["code"] == "friplads")
    assert friplads["parameters"]["version"] is None


def test_rule_sets_refuses_unknown_parameters(staff_client):
    response = staff_client.get("/api/v1/decisions/rule-sets", {"day": "2024-03-01"})
    assert response.status_code == 400
    assert response.json()["field"] == "day"


def test_one_rule_set(staff_client):
    assert (
        staff_client.get("/api/v1/decisions/rule-sets/helbredstillaeg").json()["code"]
        == "helbredstillaeg"
    )
    assert staff_client.get("/api/v1/decisions/rule-sets/nope").status_code == 404


def test_evaluate_dry_run_stores_nothing(staff_client):
    response = post(
        staff_client, "/decisions/friplads/evaluate", {"inputs": FRIPLADS, "on": "2024-06-01"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "granted"
    assert body["percentage"] == "84"
    assert body["rule_version"] == "friplads-v1/2024-01-01"
    assert body["explanation"][0]["rule"] == "friplads.place"
    assert body["complaint_guidance_en"]
    assert not InstantDecision.objects.exists()


def test_evaluate_defaults_to_today(staff_client):
    body = post(staff_client, "/decisions/friplads/evaluate", {"inputs": FRIPLADS}).json()
    assert body["decided_on"] == "2026-06-01"


def test_evaluate_errors(staff_client):
    bad = post(
        staff_client,
        "/decisions/friplads/evaluate",
        {"inputs": {**FRIPLADS, "children_under_18": 0}},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "decisions.input_range"
    assert bad.json()["field"] == "children_under_18"
    missing = post(staff_client, "/decisions/friplads/evaluate", {"inputs": {}})
    assert missing.status_code == 400
    assert missing.json()["field"] == "household_income"
    assert post(staff_client, "/decisions/nope/evaluate", {"inputs": {}}).status_code == 404
    gap = post(
        staff_client, "/decisions/friplads/evaluate", {"inputs": FRIPLADS, "on": "2023-01-01"}
    )
    assert gap.status_code == 400
    assert gap.json()["code"] == "decisions.no_parameters"
    assert (
        post(staff_client, "/decisions/friplads/evaluate", {"on": "2024-01-01"}).status_code == 400
    )


def test_bearer_token(client, staff_user):
    key = api_token_create(user=staff_user, name="test")
    response = post(
        client,
        "/decisions/helbredstillaeg/evaluate",
        {
            "inputs": {
                "pension_type": "folkepension",
                "resident_in_denmark": True,
                "cohabiting": True,
                "liquid_assets": 10000,
                "supplement_percentage": 60,
            }
        },
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "granted"
    assert response.json()["percentage"] == "51"


def test_openapi_lists_the_endpoints(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    paths = spec["paths"]
    assert "/api/v1/decisions/rule-sets" in paths
    assert "/api/v1/decisions/{code}/evaluate" in paths
