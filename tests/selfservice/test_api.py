"""The public form definitions API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_forms_list_is_public(client, demo_forms):
    response = client.get("/api/v1/self-service/forms")
    assert response.status_code == 200
    data = response.json()
    codes = {item["service_code"] for item in data}
    assert codes == set(demo_forms)
    friplads = next(i for i in data if i["service_code"] == "faf-oekonomisk-friplads")
    assert friplads["rule_set"] == "friplads"
    assert friplads["title_da"] == "Ansøg om økonomisk friplads"


def test_form_detail_has_steps_fields_and_conditions(client, demo_forms):
    response = client.get("/api/v1/self-service/forms/faf-oekonomisk-friplads")
    assert response.status_code == 200
    data = response.json()
    assert data["processing_days"] >= 1
    assert [s["number"] for s in data["steps"]] == [1, 2, 3]
    fields = {f["name"]: f for s in data["steps"] for f in s["fields"]}
    assert fields["single_provider"]["kind"] == "yes_no"
    assert [c["value"] for c in fields["single_provider"]["choices"]] == ["yes", "no"]
    assert fields["partner_name"]["show_if"] == {"field": "single_provider", "equals": "no"}
    assert fields["children_under_18"]["min_value"] == "1"
    assert fields["monthly_fee"]["required"] is False
    assert {c["value"] for c in fields["childcare_type"]["choices"]} == {
        "municipal",
        "private_institution",
        "private_scheme",
    }


def test_unknown_form_and_parameters(client, demo_forms):
    response = client.get("/api/v1/self-service/forms/no-such-service")
    assert response.status_code == 404
    assert response.json()["code"] == "selfservice.form_not_found"
    response = client.get("/api/v1/self-service/forms?x=1")
    assert response.status_code == 400


def test_inactive_forms_are_not_listed(client, plain_form):
    plain_form.active = False
    plain_form.save()
    assert client.get("/api/v1/self-service/forms").json() == []
    assert client.get(f"/api/v1/self-service/forms/{plain_form.service.code}").status_code == 404
