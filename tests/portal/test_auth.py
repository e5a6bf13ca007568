"""Logging in to Min side: the demo login only with DEMO=1, MitID through OIDC, logout,
the idle timeout and its keep-alive, and staff logins kept apart."""

from __future__ import annotations

from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from borgerservice.portal.auth import SESSION_KEY
from borgerservice.portal.oidc import CitizenOIDCBackend, cpr_from_claims
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db

CLAIM = "https://data.gov.dk/model/core/eid/cprNumber"


@pytest.fixture
def demo(settings):
    settings.DEMO = True


@pytest.fixture
def oidc(settings):
    settings.OIDC_RP_CLIENT_ID = "borgerservice"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://broker.example/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://broker.example/token"
    settings.OIDC_OP_USER_ENDPOINT = ""
    settings.OIDC_OP_JWKS_ENDPOINT = "https://broker.example/jwks"
    settings.PORTAL_OIDC_CPR_CLAIM = CLAIM


def test_pages_need_a_login(client):
    response = client.get(reverse("portal:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    assert "next=" in response["Location"]


def test_demo_login_is_off_without_demo(client, settings):
    settings.DEMO = False
    citizen = CitizenFactory()
    assert client.get(reverse("portal:demo_login")).status_code == 404
    assert client.post(reverse("portal:demo_login"), {"citizen": citizen.pk}).status_code == 404
    assert SESSION_KEY not in client.session
    assert "demo" not in client.get(reverse("portal:login")).content.decode().lower()


def test_demo_login_by_choice_and_by_cpr(client, demo):
    citizen = CitizenFactory()
    client.get(reverse("portal:login") + "?next=" + reverse("portal:cases"))
    page = client.get(reverse("portal:demo_login"))
    assert page.status_code == 200
    response = client.post(reverse("portal:demo_login"), {"citizen": citizen.pk})
    assert response.status_code == 302 and response["Location"] == reverse("portal:cases")
    assert client.session[SESSION_KEY]["id"] == citizen.pk
    client.post(reverse("portal:logout"))
    assert SESSION_KEY not in client.session
    response = client.post(reverse("portal:demo_login"), {"cpr": citizen.cpr})
    assert client.session[SESSION_KEY]["id"] == citizen.pk


def test_demo_login_with_an_unknown_cpr(client, demo):
    response = client.post(reverse("portal:demo_login"), {"cpr": "0101011234"})
    assert response.status_code == 400
    assert 'href="#cpr"' in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_refuses_an_outside_next_address(client, demo):
    citizen = CitizenFactory()
    client.get(reverse("portal:login") + "?next=https://evil.example/")
    response = client.post(reverse("portal:demo_login"), {"citizen": citizen.pk})
    assert response["Location"] == reverse("portal:overview")


def test_idle_timeout_and_keep_alive(client, demo, settings):
    settings.PORTAL_SESSION_IDLE_MINUTES = 15
    citizen = CitizenFactory()
    with time_machine.travel("2026-12-01 10:00:00+01:00", tick=False) as traveller:
        client.post(reverse("portal:demo_login"), {"citizen": citizen.pk})
        traveller.shift(14 * 60)
        assert client.post(reverse("portal:keepalive")).json()["logged_in"] is True
        traveller.shift(14 * 60)  # 28 minutes after login, 14 after the keep-alive
        assert client.get(reverse("portal:overview")).status_code == 200
        traveller.shift(16 * 60)
        response = client.get(reverse("portal:overview"))
        assert response.status_code == 302
        assert SESSION_KEY not in client.session
        assert client.post(reverse("portal:keepalive")).status_code == 401


def test_the_timeout_warning_is_on_every_logged_in_page(client, demo, settings):
    settings.PORTAL_SESSION_IDLE_MINUTES = 15
    settings.PORTAL_SESSION_WARNING_SECONDS = 120
    client.post(reverse("portal:demo_login"), {"citizen": CitizenFactory().pk})
    body = client.get(reverse("portal:overview")).content.decode()
    assert 'data-session-seconds="900"' in body and 'data-warning-seconds="120"' in body
    assert 'id="session-timeout"' in body


def test_a_staff_login_is_not_a_citizen_login(staff_client):
    assert staff_client.get(reverse("portal:overview")).status_code == 302


def test_logout_needs_post(client, demo):
    client.post(reverse("portal:demo_login"), {"citizen": CitizenFactory().pk})
    assert client.get(reverse("portal:logout")).status_code == 405
    assert SESSION_KEY in client.session


# --- OIDC (MitID / NemLog-in broker) ---------------------------------------------------------


def test_oidc_is_off_without_configuration(client):
    assert client.get(reverse("portal:oidc_login")).status_code == 404
    assert client.get(reverse("portal:oidc_callback")).status_code == 404


def test_oidc_login_redirects_to_the_broker(client, oidc):
    response = client.get(reverse("portal:oidc_login"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://broker.example/authorize?")
    assert "code_challenge=" in location and "state=" in location and "nonce=" in location
    assert client.session["oidc_states"]


def test_cpr_claim_picks_the_citizen(oidc):
    citizen = CitizenFactory()
    backend = CitizenOIDCBackend()
    assert backend.get_or_create_user("a", "i", {CLAIM: citizen.cpr}) == citizen
    assert backend.get_or_create_user("a", "i", {CLAIM: "0101011234"}) is None
    assert cpr_from_claims({CLAIM: "010101-1234"}) == "0101011234"
    from django.core.exceptions import SuspiciousOperation

    with pytest.raises(SuspiciousOperation):
        backend.get_or_create_user("a", "i", {"sub": "x"})


def test_oidc_callback_logs_the_citizen_in(client, oidc):
    citizen = CitizenFactory()
    client.get(reverse("portal:oidc_login"))
    state = next(iter(client.session["oidc_states"]))
    with mock.patch.object(CitizenOIDCBackend, "authenticate", return_value=citizen) as auth:
        response = client.get(reverse("portal:oidc_callback"), {"code": "c", "state": state})
    assert auth.called
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == {
        "id": citizen.pk,
        "method": "mitid",
        "at": client.session[SESSION_KEY]["at"],
    }


def test_oidc_callback_with_an_unknown_state_or_error(client, oidc):
    client.get(reverse("portal:oidc_login"))
    with mock.patch.object(CitizenOIDCBackend, "authenticate") as auth:
        response = client.get(reverse("portal:oidc_callback"), {"code": "c", "state": "forged"})
        assert not auth.called
    assert response.status_code == 302 and response["Location"] == reverse("portal:login")
    response = client.get(reverse("portal:oidc_callback"), {"error": "access_denied"})
    assert response["Location"] == reverse("portal:login")
    assert SESSION_KEY not in client.session


def test_login_continues_in_the_citizens_language(client, demo):
    from borgerservice.portal.models import CitizenPreference

    citizen = CitizenFactory()
    CitizenPreference.objects.create(citizen=citizen, language="en", notify_by="none")
    response = client.post(reverse("portal:demo_login"), {"citizen": citizen.pk})
    assert response["Location"] == "/en/my-page/overview/"
    assert response.cookies["django_language"].value == "en"
