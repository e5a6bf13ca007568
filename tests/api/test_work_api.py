"""The /api/v1/work endpoints: queues with counts, registering items (idempotent), availability,
next item, the actions on an item, need-to-know (404), audit, the facts for the statistics
(team leads and analysts only, no personal data) and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from openapi_spec_validator import validate

from borgerservice.accounts.models import AuditEntry
from borgerservice.api.auth import api_token_create
from borgerservice.queueing.models import WorkItem
from tests.accounts.staff import ANALYST, AUDITOR, TEAM_LEAD, make_staff
from tests.citizens.factories import CitizenFactory
from tests.queueing.conftest import OPEN_AT
from tests.queueing.work_support import make_agent, make_queues

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(OPEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def queues():
    return make_queues()[0]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, path, data=None, **extra):
    return client.post(f"/api/v1{path}", data or {}, content_type="application/json", **extra)


def put(client, path, data):
    return client.put(f"/api/v1{path}", data, content_type="application/json")


@pytest.fixture
def anna(queues):
    return make_agent("anna", [queues["pas"], queues["skat"]])


@pytest.fixture
def bo(queues):
    return make_agent("bo", [queues["pas"]])


def register(client, **fields):
    body = {"kind": "email", "subject": "Spørgsmål om pas", "queue": "pas", **fields}
    return post(client, "/work/items", body)


def test_an_agent_gets_accepts_and_finishes_an_item(anna):
    api = client_for(anna)
    citizen = CitizenFactory()
    created = register(api, citizen_id=citizen.pk, body="Hvornår er mit pas klar?")
    assert created.status_code == 201, created.content
    item_id = created.json()["id"]
    assert created.json()["state"] == "queued"

    # Away: no work.
    refused = post(api, "/work/next")
    assert (refused.status_code, refused.json()["code"]) == (409, "work.not_available")
    presence = put(api, "/work/availability", {"available": True})
    assert presence.status_code == 200
    assert presence.json()["status"] == "available"
    assert presence.json()["skills"] == ["pas", "skat"]

    offered = post(api, "/work/next")
    assert offered.status_code == 200
    body = offered.json()
    assert (body["id"], body["state"], body["agent"]) == (item_id, "offered", "anna")
    assert body["citizen"]["cpr_masked"].endswith("XXXX")
    assert body["allowed_actions"] == ["accept", "decline", "expire", "reclaim", "cancel"]

    accepted = post(api, f"/work/items/{item_id}/accept")
    assert accepted.json()["state"] == "in_progress"
    assert accepted.json()["seconds_to_first_handling"] == 0

    mine = api.get("/api/v1/work/items/mine").json()
    assert (mine["count"], mine["wip"], mine["limit"]) == (1, 1, 3)

    bad = post(api, f"/work/items/{item_id}/finish", {"outcome": "maybe"})
    assert (bad.status_code, bad.json()["field"]) == (400, "outcome")
    done = post(api, f"/work/items/{item_id}/finish", {"outcome": "resolved", "note": "Svaret"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["outcome"]) == ("done", "resolved")
    assert [e["action"] for e in done.json()["events"]] == ["create", "offer", "accept", "finish"]
    assert post(api, "/work/next").status_code == 204


def test_reading_a_citizens_item_is_audited_and_others_get_404(anna, bo):
    citizen = CitizenFactory()
    api = client_for(anna)
    item_id = register(api, citizen_id=citizen.pk).json()["id"]
    put(api, "/work/availability", {"available": True})
    post(api, "/work/next")
    before = AuditEntry.objects.filter(action="view").count()
    assert api.get(f"/api/v1/work/items/{item_id}").status_code == 200
    entry = AuditEntry.objects.filter(action="view").order_by("-id").first()
    assert AuditEntry.objects.filter(action="view").count() == before + 1
    assert (entry.what, entry.channel) == (f"work item {item_id}", "api")
    # bo neither holds nor handled it: it does not exist for him, read or accept.
    other = client_for(bo)
    assert other.get(f"/api/v1/work/items/{item_id}").status_code == 404
    assert post(other, f"/work/items/{item_id}/accept").status_code == 404
    lead = client_for(make_staff(TEAM_LEAD, username="leder"))
    assert lead.get(f"/api/v1/work/items/{item_id}").status_code == 200


def test_decline_and_release_answer_only_the_state(anna, bo):
    api = client_for(anna)
    first = register(api, subject="Første").json()["id"]
    put(api, "/work/availability", {"available": True})
    assert post(api, "/work/next").json()["id"] == first
    declined = post(api, f"/work/items/{first}/decline", {"reason": "Kender borgeren"})
    assert (declined.json()["id"], declined.json()["state"]) == (first, "queued")
    assert set(declined.json()) == {"id", "state", "state_text"}
    helper = client_for(bo)
    put(helper, "/work/availability", {"available": True})
    assert post(helper, "/work/next").json()["id"] == first
    post(helper, f"/work/items/{first}/accept")
    released = post(helper, f"/work/items/{first}/release", {})
    assert released.json()["state"] == "queued"
    wrong = post(helper, f"/work/items/{first}/finish", {"outcome": "resolved"})
    assert wrong.status_code == 409


def test_registering_is_idempotent_with_a_key(anna):
    api = client_for(anna)
    body = {"kind": "call_back", "subject": "Ring op", "queue": "pas", "phone": "33663366"}
    first = post(api, "/work/items", body, HTTP_IDEMPOTENCY_KEY="mail-4711")
    again = post(api, "/work/items", body, HTTP_IDEMPOTENCY_KEY="mail-4711")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    conflict = post(
        api, "/work/items", {**body, "subject": "Andet"}, HTTP_IDEMPOTENCY_KEY="mail-4711"
    )
    assert conflict.status_code == 409
    missing_phone = post(api, "/work/items", {**body, "phone": ""})
    assert (missing_phone.status_code, missing_phone.json()["field"]) == (400, "phone")
    assert WorkItem.objects.count() == 1


def test_queues_list_counts_and_refuses_unknown_parameters(anna, bo, clock):
    api = client_for(anna)
    register(api)
    clock.shift(timedelta(minutes=5))
    register(api, subject="Nyere")
    put(client_for(bo), "/work/availability", {"available": True})
    listed = api.get("/api/v1/work/queues")
    assert listed.status_code == 200
    pas = next(q for q in listed.json()["items"] if q["code"] == "pas")
    assert (pas["waiting"], pas["agents_available"], pas["overflow_minutes"]) == (2, 1, 30)
    assert pas["oldest_received_at"].startswith("2026-12-01T10:00")
    assert api.get("/api/v1/work/queues?state=x").status_code == 400
    assert client_for(make_staff(AUDITOR)).get("/api/v1/work/queues").status_code == 403


def test_facts_give_time_to_first_handling_per_item_without_personal_data(anna, clock):
    api = client_for(anna)
    citizen = CitizenFactory()
    item_id = register(api, citizen_id=citizen.pk, centre="kontaktcenter").json()["id"]
    put(api, "/work/availability", {"available": True})
    clock.shift(timedelta(minutes=12))
    post(api, "/work/next")
    post(api, f"/work/items/{item_id}/accept")
    analyst = client_for(make_staff(ANALYST))
    answer = analyst.get("/api/v1/work/facts?start=2026-12-01&end=2026-12-01")
    assert answer.status_code == 200
    (row,) = answer.json()["items"]
    assert (row["id"], row["hour"], row["seconds_to_first_handling"]) == (item_id, 11, 720)
    assert (row["queue"], row["centre"], row["kind"]) == ("pas", "kontaktcenter", "email")
    assert not {"citizen", "subject", "body", "phone", "reply_email"} & set(row)
    assert api.get("/api/v1/work/facts?start=2026-12-01&end=2026-12-01").status_code == 403
    too_long = analyst.get("/api/v1/work/facts?start=2026-01-01&end=2026-03-01")
    assert (too_long.status_code, too_long.json()["code"]) == (400, "work.period_too_long")
    reversed_ = analyst.get("/api/v1/work/facts?start=2026-12-02&end=2026-12-01")
    assert reversed_.json()["code"] == "work.bad_period"
    assert analyst.get("/api/v1/work/facts?start=2026-12-01&end=2026-12-01&x=1").status_code == 400


def test_a_bearer_token_acts_as_the_agent(anna):
    key = api_token_create(user=anna, name="mail-gateway")
    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    answer = post(
        api, "/work/items", {"kind": "web_message", "subject": "Web", "queue": "skat"}, **auth
    )
    assert answer.status_code == 201
    assert Client().post("/api/v1/work/next").status_code == 401


def test_openapi_describes_the_work_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    paths = spec["paths"]
    for path, method in (
        ("/api/v1/work/queues", "get"),
        ("/api/v1/work/items", "post"),
        ("/api/v1/work/items/mine", "get"),
        ("/api/v1/work/next", "post"),
        ("/api/v1/work/availability", "get"),
        ("/api/v1/work/availability", "put"),
        ("/api/v1/work/items/{item_id}", "get"),
        ("/api/v1/work/items/{item_id}/accept", "post"),
        ("/api/v1/work/items/{item_id}/decline", "post"),
        ("/api/v1/work/items/{item_id}/release", "post"),
        ("/api/v1/work/items/{item_id}/finish", "post"),
        ("/api/v1/work/items/{item_id}/cancel", "post"),
        ("/api/v1/work/facts", "get"),
    ):
        assert method in paths[path], (path, method)
    assert "404" in paths["/api/v1/work/items/{item_id}"]["get"]["responses"]
