"""The landing page of a self-service link: it records the use and sends the citizen on to
the service's self-service form (or its page on Min side); no login needed; an unknown
token gets a friendly 404 in Min side's layout."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from borgerservice.catalogue.models import Service
from borgerservice.contacts.links import link_send, token_hash
from borgerservice.contacts.models import SelfServiceLink
from borgerservice.contacts.services import ContactInput, contact_register
from tests.accounts.staff import FRONT_OFFICE, make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db

SERVICE = "stat-pas-og-koerekort"


@pytest.fixture
def sent(settings, django_capture_on_commit_callbacks):
    """A link sent by SMS; returns (link, token) with the token read from the message."""
    settings.SMS_BACKEND = "tests.portal.test_link_views.Recording"
    Recording.sent.clear()
    clerk = make_staff(FRONT_OFFICE, "skranke-link")
    citizen = CitizenFactory(phone="20304050")
    contact, _created = contact_register(
        user=clerk,
        data=ContactInput(
            channel="phone", outcome="self_service", services=[SERVICE], citizen_id=citizen.pk
        ),
    )
    service = Service.objects.get(code=SERVICE)
    with django_capture_on_commit_callbacks(execute=True):
        link = link_send(user=clerk, contact_id=contact.pk, service_id=service.pk, via="sms")
    ((_phone, text),) = Recording.sent
    token = text.rstrip("/").rsplit("/", 1)[-1]
    assert token_hash(token) == link.token_hash
    return link, token


class Recording:
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        Recording.sent.append((phone, text))


def url_of(token: str) -> str:
    return reverse("portal:link", kwargs={"token": token})


def test_opening_records_the_use_and_goes_to_the_services_page(client, sent, monkeypatch):
    import borgerservice.selfservice.selectors as selectors

    monkeypatch.setattr(selectors, "form_for_service", lambda service: None)
    link, token = sent
    response = client.get(url_of(token))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:service", kwargs={"code": SERVICE})
    assert response["Cache-Control"] == "no-store"
    link.refresh_from_db()
    assert link.use_count == 1 and link.used_at is not None
    first = link.used_at
    client.get(url_of(token))
    link.refresh_from_db()
    assert link.use_count == 2 and link.used_at == first  # the first use is kept


def test_a_service_with_a_form_goes_to_the_self_service(client, sent, monkeypatch):
    import borgerservice.selfservice.selectors as selectors

    monkeypatch.setattr(selectors, "form_for_service", lambda service: object())
    _link, token = sent
    response = client.get(url_of(token))
    assert response.status_code == 302
    assert response["Location"] == reverse("selfservice:start", kwargs={"service_code": SERVICE})


def test_a_failing_form_look_up_still_leads_on(client, sent, monkeypatch):
    import borgerservice.selfservice.selectors as selectors

    def broken(service):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "form_for_service", broken)
    _link, token = sent
    response = client.get(url_of(token))
    assert response["Location"] == reverse("portal:service", kwargs={"code": SERVICE})


def test_head_requests_do_not_count(client, sent):
    link, token = sent
    assert client.head(url_of(token)).status_code == 302
    link.refresh_from_db()
    assert link.use_count == 0 and link.used_at is None


def test_an_unknown_token_gets_a_friendly_page(client, sent):
    with translation.override("en"):
        response = client.get(url_of("x" * 43))
    html = response.content.decode()
    assert response.status_code == 404
    assert "The link does not work" in html and 'id="main-content"' in html
    assert not SelfServiceLink.objects.filter(use_count__gt=0).exists()


def test_posting_is_not_allowed(client, sent):
    _link, token = sent
    assert client.post(url_of(token)).status_code == 405
