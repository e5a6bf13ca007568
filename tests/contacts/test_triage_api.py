"""The triage API: classify a text, and deliver an email or a letter to the inbox."""

from __future__ import annotations

import pytest

from borgerservice.api.auth import api_token_create
from borgerservice.contacts.models import InboundMessage
from tests.accounts.staff import FRONT_OFFICE, make_staff

pytestmark = pytest.mark.django_db

RAW = (
    "From: Hanne Jensen <hanne@example.dk>\r\nTo: kk@kk.dk\r\nSubject: Nyt pas\r\n"
    "Message-ID: <api-1@example.dk>\r\nDate: Mon, 4 May 2026 10:12:00 +0200\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nMit pas er udløbet, hvad gør jeg?\r\n"
)


@pytest.fixture
def auth():
    token = api_token_create(user=make_staff(FRONT_OFFICE, username="api-triage"), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _post(client, path, body, auth, **headers):
    return client.post(path, body, content_type="application/json", **auth, **headers)


def test_triage_returns_the_top_three_best_first(client, auth, triage_model):
    response = _post(client, "/api/v1/triage", {"text": "Jeg har mistet mit pas"}, auth)
    assert response.status_code == 200
    data = response.json()
    assert data["model_version"] == 1
    suggestions = data["suggestions"]
    assert len(suggestions) == 3
    assert suggestions[0]["code"] == "stat-pas-og-koerekort"
    assert set(suggestions[0]) == {"code", "name_da", "name_en", "department", "confidence"}
    confidences = [s["confidence"] for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert not InboundMessage.objects.exists()  # classifying stores nothing


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "x" * 20_001}, {"text": 3}])
def test_bad_triage_requests_get_400(client, auth, triage_model, body):
    response = _post(client, "/api/v1/triage", body, auth)
    assert response.status_code == 400 and "code" in response.json()


def test_triage_without_a_model_is_503(client, auth):
    from borgerservice.contacts.triage_services import clear_cache

    clear_cache()
    response = _post(client, "/api/v1/triage", {"text": "nyt pas"}, auth)
    assert response.status_code == 503 and response.json()["code"] == "triage.no_model"


def test_triage_needs_a_staff_token(client, triage_model):
    response = client.post("/api/v1/triage", {"text": "nyt pas"}, content_type="application/json")
    assert response.status_code == 401


def test_a_raw_email_is_filed_once(client, auth, triage_model):
    first = _post(client, "/api/v1/inbox/messages", {"raw": RAW}, auth)
    assert first.status_code == 201
    data = first.json()
    assert data["kind"] == "email" and data["subject"] == "Nyt pas"
    assert data["suggestions"][0]["code"] == "stat-pas-og-koerekort"
    again = _post(client, "/api/v1/inbox/messages", {"raw": RAW}, auth)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert InboundMessage.objects.count() == 1


def test_a_letter_by_fields_needs_an_idempotency_key(client, auth, triage_model):
    body = {"kind": "letter", "body": "Kebenhavns Kommune\nAnsegning om boligstette"}
    refused = _post(client, "/api/v1/inbox/messages", body, auth)
    assert refused.status_code == 400 and refused.json()["code"] == "inbox.key_missing"
    assert not InboundMessage.objects.exists()
    filed = _post(client, "/api/v1/inbox/messages", body, auth, HTTP_IDEMPOTENCY_KEY="scan-1")
    assert filed.status_code == 201 and filed.json()["kind"] == "letter"
    assert filed.json()["state"] == "triage"  # no queue handles it in this test


def test_delivering_needs_a_person_role(client, triage_model):
    token = api_token_create(user=make_staff("analyst", username="api-analyst"), name="t")
    response = _post(
        client,
        "/api/v1/inbox/messages",
        {"raw": RAW},
        {"HTTP_AUTHORIZATION": f"Bearer {token}"},
    )
    assert response.status_code == 403 and not InboundMessage.objects.exists()
