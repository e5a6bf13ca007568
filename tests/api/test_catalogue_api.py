"""The /api/v1/ catalogue endpoints: schema, filters, pagination and bad input."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from borgerservice.catalogue.models import Service

pytestmark = pytest.mark.django_db


def get(client, path, **params):
    response = client.get(f"/api/v1{path}", params)
    return response, response.json()


def test_openapi_document_is_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/services",
        "/api/v1/services/{code}",
        "/api/v1/departments",
        "/api/v1/areas",
        "/api/v1/centres",
        "/api/v1/life-situations",
    ):
        assert path in spec["paths"], path


def test_docs_page_describes_every_endpoint_in_both_languages(client):
    response = client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/en/api-documentation/"
    assert client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="da")["Location"] == (
        "/api-dokumentation/"
    )
    spec = client.get("/api/v1/openapi.json").json()
    for url, heading in (
        ("/api-dokumentation/", "Parametre"),
        ("/en/api-documentation/", "Parameters"),
    ):
        html = client.get(url).content.decode()
        assert heading in html
        for path, methods in spec["paths"].items():
            for method in methods:
                assert f"{method.upper()} {path}</code>" in html, path
        assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_services_list_shape_and_pagination(client):
    response, body = get(client, "/services", limit=10)
    assert response.status_code == 200
    assert set(body) == {"items", "count"}
    assert body["count"] == 138
    assert len(body["items"]) == 10
    item = body["items"][0]
    for key in ("code", "name_da", "name_en", "department", "levels", "channels", "area"):
        assert key in item
    assert all(level in (1, 2, 3) for level in item["levels"])
    _response, second = get(client, "/services", limit=10, offset=10)
    assert {i["code"] for i in second["items"]}.isdisjoint({i["code"] for i in body["items"]})


def test_service_detail(client):
    code = Service.objects.get(name_da="Folkeregister (flytteanmeldelser)").code
    response, body = get(client, f"/services/{code}")
    assert response.status_code == 200
    assert body["name_da"] == "Folkeregister (flytteanmeldelser)"
    assert body["department"] == "KFF"
    assert body["levels"] == [1, 2]
    assert body["guidance_da"] and body["guidance_en"]
    assert "housing_change" in body["life_situations"]


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"department": "TMF"}, lambda s: s.department.code == "TMF"),
        ({"department": "tmf"}, lambda s: s.department.code == "TMF"),
        ({"department": "ØKF"}, lambda s: s.department.code == "ØKF"),
        ({"level": 2}, lambda s: s.level_2),
        ({"level": 3}, lambda s: s.level_3),
        ({"channel": "self_service"}, lambda s: "self_service" in s.channels),
        ({"life_situation": "birth"}, lambda s: s.life_situations.filter(code="birth").exists()),
        ({"self_service": "true"}, lambda s: s.self_service),
    ],
)
def test_service_filters(client, params, check):
    response, body = get(client, "/services", limit=200, **params)
    assert response.status_code == 200
    assert body["count"] > 0
    codes = {item["code"] for item in body["items"]}
    expected = {s.code for s in Service.objects.prefetch_related("channel_links") if check(s)}
    assert codes == expected


def test_filter_by_2005_department(client):
    _response, body = get(client, "/services", department="2005-btf", limit=200)
    assert body["count"] == 18
    assert {item["department"] for item in body["items"]} == {"TMF"}


def test_filters_combine_with_text_query(client):
    _response, body = get(client, "/services", q="pension", level=2, limit=200)
    assert body["count"] > 0
    assert all(2 in item["levels"] for item in body["items"])
    assert body["items"][0]["score"] >= body["items"][-1]["score"]


def test_text_query_is_ranked(client):
    _response, body = get(client, "/services", q="sundhedskort", limit=3)
    names = [item["name_da"] for item in body["items"]]
    assert "Folkeregister (nyt sygesikringskort)" in names


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": 7}, "level"),
        ({"level": "two"}, "level"),
        ({"channel": "pigeon"}, "channel"),
        ({"department": "XYZ"}, "department"),
        ({"life_situation": "wedding"}, "life_situation"),
        ({"area": "nowhere"}, "area"),
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 9223372036854775808}, "offset"),
        ({"level": [1, 2]}, "level"),
        ({"self_service": "maybe"}, "self_service"),
        ({"colour": "blue"}, "colour"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_input_gets_400_with_a_message(client, params, field):
    response, body = get(client, "/services", **params)
    assert response.status_code == 400
    assert body["code"] and body["message"]
    assert body.get("field") == field


def test_error_messages_are_translated(client):
    danish = client.get("/api/v1/services", {"level": 9}, HTTP_ACCEPT_LANGUAGE="da").json()
    english = client.get("/api/v1/services", {"level": 9}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert danish["code"] == english["code"]
    assert danish["message"] != english["message"]


def test_unknown_service_is_404_json(client):
    response, body = get(client, "/services/does-not-exist")
    assert response.status_code == 404
    assert body["code"] == "catalogue.service_not_found"


def test_unknown_parameters_on_other_endpoints(client):
    for path in ("/departments", "/areas", "/centres", "/life-situations"):
        response, body = get(client, path, bogus=1)
        assert response.status_code == 400, path
        assert body["code"] == "request.unknown_parameter"


def test_departments_areas_centres(client):
    _response, departments = get(client, "/departments", limit=50)
    codes = {(d["code"], d["kind"]) for d in departments["items"]}
    assert (
        ("KSR", "former") in codes and ("KFF", "current") in codes and ("Stat", "external") in codes
    )
    ksr = next(d for d in departments["items"] if d["code"] == "KSR")
    assert ksr["successors"] == ["KFF"]

    _response, areas = get(client, "/areas", limit=200)
    units = [a for a in areas["items"] if a["kind"] == "unit"]
    total = sum(v["contacts"] or 0 for a in units for v in a["volumes"] if v["in_table2_total"])
    assert total == 2_475_006

    _response, centres = get(client, "/centres")
    amager = next(c for c in centres["items"] if c["code"] == "amager")
    saturday = next(h for h in amager["opening_hours"] if h["weekday"] == 5)
    assert (saturday["opens"], saturday["closes"]) == ("10:00:00", "14:00:00")


def test_no_500_on_odd_input(client):
    odd = ["", " ", "%", "'; drop table", "ææææ", "\x00", "😀", "a" * 200, "-- --", "*"]
    for q in odd:
        response = client.get("/api/v1/services", {"q": q})
        assert response.status_code in (200, 400), (q, response.status_code)
        json.loads(response.content)


def test_unknown_api_address_is_404_json(client):
    for path in ("/api/v1/nothing", "/api/v2/services", "/api/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_write_methods_are_refused(client):
    response = client.post("/api/v1/services", {"name": "x"})
    assert response.status_code == 405


def test_odd_path_parameters_are_refused_as_json(client):
    for path in ("/services/%00", "/departments/%00", "/services/" + "a" * 300, "/services/ÆØÅ"):
        response = client.get(f"/api/v1{path}")
        assert response.status_code in (400, 404), path  # NUL bytes are refused as 400
        assert response.json()["code"]


def test_api_index_lists_the_resources(client):
    body = client.get("/api/v1/").json()
    assert body["openapi"] == "/api/v1/openapi.json"
    for name, url in body["resources"].items():
        expected = 401 if name in ("citizens", "contacts", "audit", "cases") else 200
        assert client.get(url).status_code in (expected, 405), url
