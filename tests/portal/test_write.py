"""Min side's "Write to us": the message is filed in the inbox, linked to the citizen, once
per form even when sent twice, and the receipt shows none of the triage's suggestions."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from borgerservice.accounts.models import AuditEntry
from borgerservice.contacts.models import InboundMessage
from borgerservice.portal.models import CitizenPreference
from tests.citizens.factories import CitizenFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def citizen(db):
    return CitizenFactory(first_name="Karen", last_name="Dahl")


@pytest.fixture
def citizen_client(client, citizen):
    log_in(client, citizen)
    return client


def token_of(page) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)


def test_the_page_needs_a_logged_in_citizen(client):
    answer = client.get(reverse("portal:write"))
    assert answer.status_code == 302 and reverse("portal:login") in answer.url


def test_the_menu_has_write_to_us(citizen_client):
    html = citizen_client.get(reverse("portal:overview")).content.decode()
    assert reverse("portal:write") in html and "Write to us" in html


def test_writing_files_a_web_message_linked_to_the_citizen(citizen_client, citizen):
    CitizenPreference.objects.create(citizen=citizen, email="karen@example.dk")
    form = citizen_client.get(reverse("portal:write"))
    assert form.status_code == 200
    answer = citizen_client.post(
        reverse("portal:write"),
        {
            "subject": "Sundhedskort",
            "body": "Jeg har mistet mit sundhedskort.",
            "token": token_of(form),
        },
    )
    message = InboundMessage.objects.get()
    assert answer.url == reverse("portal:write_sent")
    assert (message.kind, message.citizen, message.sender_email) == (
        "web",
        citizen,
        "karen@example.dk",
    )
    assert message.sender_name == "Karen Dahl"
    assert message.subject == "Sundhedskort"
    receipt = citizen_client.get(answer.url)
    html = receipt.content.decode()
    assert receipt.status_code == 200
    assert "We have received your message" in html and "Jeg har mistet mit sundhedskort." in html
    assert "sure" not in html and "%" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert AuditEntry.objects.filter(
        what=f"Min side: receipt for message {message.pk}", channel="portal"
    ).exists()


def test_a_double_submit_files_one_message(citizen_client, citizen, triage_model):
    token = token_of(citizen_client.get(reverse("portal:write")))
    data = {"subject": "", "body": "Hvornaar faar jeg min folkepension?", "token": token}
    first = citizen_client.post(reverse("portal:write"), data)
    second = citizen_client.post(reverse("portal:write"), data)
    assert first.url == second.url
    message = InboundMessage.objects.get()
    assert message.citizen == citizen
    assert message.suggestions  # classified by the triage, but not shown to the citizen
    receipt = citizen_client.get(first.url).content.decode()
    for suggestion in message.suggestions:
        assert suggestion["code"] not in receipt


def test_the_same_form_with_another_text_is_refused(citizen_client):
    token = token_of(citizen_client.get(reverse("portal:write")))
    citizen_client.post(reverse("portal:write"), {"body": "Første tekst", "token": token})
    again = citizen_client.post(reverse("portal:write"), {"body": "Anden tekst", "token": token})
    assert again.status_code == 409
    assert token_of(again) != token  # the next try files a message of its own
    assert InboundMessage.objects.count() == 1


def test_an_empty_or_too_long_message_is_refused(citizen_client):
    empty = citizen_client.post(reverse("portal:write"), {"subject": "Hej", "body": "  "})
    assert empty.status_code == 400
    html = empty.content.decode()
    assert "There is a problem" in html and 'href="#write-body"' in html
    assert 'value="Hej"' in html
    long = citizen_client.post(reverse("portal:write"), {"body": "x" * 20_001})
    assert long.status_code == 400 and "at most 20,000 characters" in long.content.decode()
    assert not InboundMessage.objects.exists()


def test_the_receipt_shows_only_the_own_message_just_sent(client, citizen):
    other = CitizenFactory()
    message = InboundMessage.objects.create(
        kind="web", body="Hej", citizen=other, triage_note="no_model"
    )
    log_in(client, citizen)
    assert client.get(reverse("portal:write_sent")).url == reverse("portal:write")
    session = client.session
    session["portal_write_sent"] = message.pk
    session.save()
    assert client.get(reverse("portal:write_sent")).url == reverse("portal:write")
