"""The satisfaction survey after a contact: signed links, one answer per contact, the
public page in Danish and English, and the offer on Min side."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from borgerservice.analytics import survey
from borgerservice.analytics.models import SurveyResponse
from borgerservice.analytics.survey import (
    SURVEY_OFFER_DAYS,
    SURVEY_SALT,
    SURVEY_TOKEN_MAX_AGE,
    survey_link,
    survey_response_submit,
    survey_score_parse,
    survey_token,
    survey_token_contact,
)
from borgerservice.contacts.models import Contact
from borgerservice.core.errors import ServiceError
from tests.citizens.factories import CitizenFactory
from tests.concurrency import run_together
from tests.portal.conftest import log_in

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=CPH)
TOKEN_IN_HREF = re.compile(r'href="(?:/en)?/[a-z-]+/([^/"]+)/"')


@pytest.fixture(autouse=True)
def _language_restored():
    """A request under /en/ leaves English active in the thread: later tests must not
    inherit it."""
    before = translation.get_language()
    yield
    translation.activate(before)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def citizen(db):
    return CitizenFactory(first_name="Sofie", last_name="Survey")


def make_contact(citizen=None, *, started_at=None, channel="phone") -> Contact:
    return Contact.objects.create(
        channel=channel,
        citizen=citizen,
        outcome="resolved",
        started_at=started_at or NOW - timedelta(hours=2),
    )


@pytest.fixture
def contact(citizen, frozen):
    return make_contact(citizen)


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def refused(call) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        call()
    return info.value


# --- tokens -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_roundtrip_gives_the_contact(contact):
    url = survey_link(contact, language="da")
    assert url.startswith("/") and not url.startswith("/en/")
    assert survey_token_contact(token_of(url)) == contact
    english = survey_link(contact, language="en")
    assert english.startswith("/en/")
    assert survey_token_contact(token_of(english)).pk == contact.pk


@pytest.mark.django_db
def test_the_token_holds_only_the_contact_id(contact):
    assert signing.loads(survey_token(contact), salt=SURVEY_SALT) == contact.pk


@pytest.mark.django_db
def test_tampered_token_is_refused(contact):
    token = survey_token(contact)
    other = make_contact(contact.citizen)
    _value, stamp, signature = token.split(":")
    forged_value = signing.b64_encode(str(other.pk).encode()).decode()
    forgeries = [
        f"{forged_value}:{stamp}:{signature}",  # another contact's id, same signature
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        signing.dumps(contact.pk, salt="another-salt"),  # signed for something else
        signing.dumps("not an id", salt=SURVEY_SALT),
        signing.dumps(-3, salt=SURVEY_SALT),
        "",
        "x" * 500,
        "not-a-token",
    ]
    for forged in forgeries:
        error = refused(lambda forged=forged: survey_token_contact(forged))
        assert error.code == "survey.token_invalid", forged
        assert error.status == 404


@pytest.mark.django_db
def test_token_of_a_deleted_contact_is_refused(contact):
    token = survey_token(contact)
    contact.delete()
    assert refused(lambda: survey_token_contact(token)).code == "survey.contact_unknown"


@pytest.mark.django_db
def test_token_expires_after_the_max_age(citizen):
    with time_machine.travel(NOW, tick=False) as traveller:
        contact = make_contact(citizen)
        token = survey_token(contact)
        traveller.move_to(NOW + SURVEY_TOKEN_MAX_AGE - timedelta(minutes=1))
        assert survey_token_contact(token) == contact
        traveller.move_to(NOW + SURVEY_TOKEN_MAX_AGE + timedelta(seconds=1))
        error = refused(lambda: survey_token_contact(token))
        assert error.code == "survey.token_expired" and error.status == 410
        error = refused(lambda: survey_response_submit(token=token, score=4))
        assert error.code == "survey.token_expired"
    assert not SurveyResponse.objects.exists()
    assert timedelta(days=30) == SURVEY_TOKEN_MAX_AGE


# --- answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("1", 1), (" 5 ", 5), (3, 3), ("3", 3)])
def test_score_parse_accepts_1_to_5(value, expected):
    assert survey_score_parse(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "survey.score_missing"),
        (None, "survey.score_missing"),
        ("fem", "survey.score_missing"),
        ("4.5", "survey.score_missing"),
        ("٣", "survey.score_missing"),  # an Arabic-Indic digit is not accepted
        (True, "survey.score_missing"),
        (0, "survey.bad_score"),
        (6, "survey.bad_score"),
        (-1, "survey.bad_score"),
        ("0", "survey.bad_score"),
        ("9", "survey.bad_score"),
    ],
)
def test_score_parse_refuses_the_rest(value, code):
    error = refused(lambda: survey_score_parse(value))
    assert error.code == code and error.field == "score" and error.status == 400


@pytest.mark.django_db
def test_answer_is_stored_with_score_and_time_only(contact):
    answer = survey_response_submit(token=survey_token(contact), score=4)
    stored = SurveyResponse.objects.get()
    assert stored.pk == answer.pk and stored.contact_id == contact.pk
    assert stored.score == 4 and stored.answered_at == NOW
    fields = {f.name for f in SurveyResponse._meta.concrete_fields}
    assert fields == {"id", "contact", "score", "answered_at"}


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6, 100, -2])
def test_score_outside_1_to_5_changes_nothing(contact, score):
    error = refused(lambda: survey_response_submit(token=survey_token(contact), score=score))
    assert error.code == "survey.bad_score"
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_one_answer_per_contact(contact):
    token = survey_token(contact)
    survey_response_submit(token=token, score=2)
    error = refused(lambda: survey_response_submit(token=token, score=5))
    assert error.code == "survey.already_answered" and error.status == 409
    with translation.override("en"):
        assert "already answered" in error.message
    # A fresh link for the same contact does not give a second answer either.
    error = refused(lambda: survey_response_submit(token=survey_token(contact), score=5))
    assert error.code == "survey.already_answered"
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [2]


@pytest.mark.django_db
def test_a_lost_race_is_refused_by_the_unique_constraint(contact, monkeypatch):
    """The other answer arrives between the check and the insert: the database refuses
    the second row and the citizen gets the friendly refusal."""
    token = survey_token(contact)
    survey_response_submit(token=token, score=3)
    monkeypatch.setattr(survey, "survey_answered", lambda contact: False)
    error = refused(lambda: survey_response_submit(token=token, score=1))
    assert error.code == "survey.already_answered"
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [3]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races are tested on PostgreSQL")
def test_answers_at_the_same_moment_store_one():
    contact = Contact.objects.create(channel="phone", outcome="resolved")
    token = survey_token(contact)
    outcomes = run_together(
        [lambda s=score: survey_response_submit(token=token, score=s) for score in (1, 2, 3, 4, 5)]
    )
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1, outcomes
    errors = [value for kind, value in outcomes if kind == "error"]
    assert [e.code for e in errors] == ["survey.already_answered"] * 4
    (winner,) = [value for kind, value in outcomes if kind == "ok"]
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [winner.score]


# --- the page -----------------------------------------------------------------------------


def url_in(contact, language: str) -> str:
    with translation.override(language):
        return survey_link(contact)


def text(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


QUESTION = "How satisfied are you with the help you got?"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["da", "en"])
def test_page_shows_five_choices_in_a_fieldset(client, contact, language):
    url = url_in(contact, language)
    assert url.startswith("/en/") == (language == "en")
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}"' in body
    assert text(language, QUESTION) in body
    assert body.count('type="radio"') == 5 and body.count('name="score"') == 5
    for value in range(1, 6):
        assert f'id="score-{value}"' in body and f'for="score-{value}"' in body
    assert "<fieldset" in body and "<legend" in body
    assert text(language, "Very dissatisfied") in body and text(language, "Very satisfied") in body
    assert "csrfmiddlewaretoken" in body
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert contact.citizen.cpr not in body and contact.citizen.first_name not in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["da", "en"])
def test_posting_an_answer_thanks_the_citizen(client, contact, language):
    url = url_in(contact, language)
    response = client.post(url, {"score": "5"})
    assert response.status_code == 200
    body = response.content.decode()
    assert text(language, "Thank you for your answer") in body
    assert SurveyResponse.objects.get(contact=contact).score == 5
    # Back on the link later: already answered, the answer stays.
    again = client.get(url)
    assert again.status_code == 200
    assert text(language, "You have already answered") in again.content.decode()
    second = client.post(url, {"score": "1"})
    assert second.status_code == 409
    assert text(language, "You have already answered") in second.content.decode()
    assert SurveyResponse.objects.get(contact=contact).score == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("posted", "msgid"),
    [
        ({}, "Choose how satisfied you are, from 1 to 5."),
        ({"score": "7"}, "The answer must be a number from 1 to 5."),
    ],
)
def test_invalid_answer_shows_the_error_summary(client, contact, posted, msgid):
    response = client.post(url_in(contact, "da"), posted)
    assert response.status_code == 400
    body = response.content.decode()
    message = text("da", msgid)
    assert 'data-module="error-summary"' in body
    assert f'<a href="#score-1">{message}</a>' in body  # the summary links to the first choice
    assert 'id="score-error"' in body and 'aria-describedby="score-hint score-error"' in body
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_post_needs_the_csrf_token(contact):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url_in(contact, "da"), {"score": "3"})
    assert response.status_code == 403
    assert not SurveyResponse.objects.exists()
    page = strict.get(url_in(contact, "da"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = strict.post(url_in(contact, "da"), {"score": "3", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and SurveyResponse.objects.get().score == 3


@pytest.mark.django_db
def test_expired_and_unknown_links_get_friendly_pages(client, citizen):
    with time_machine.travel(NOW, tick=False) as traveller:
        contact = make_contact(citizen)
        url = url_in(contact, "en")
        traveller.move_to(NOW + SURVEY_TOKEN_MAX_AGE + timedelta(days=1))
        for response in (client.get(url), client.post(url, {"score": "4"})):
            assert response.status_code == 410
            assert text("en", "The survey has closed") in response.content.decode()
    with translation.override("da"):
        unknown = reverse("survey:answer", kwargs={"token": "no-such-token"})
    response = client.get(unknown)
    assert response.status_code == 404
    assert text("da", "The link does not work") in response.content.decode()
    assert client.post(unknown, {"score": "4"}).status_code == 404
    assert not SurveyResponse.objects.exists()


# --- the offer on Min side ----------------------------------------------------------------


def offered_contact_ids(body: str) -> set[int]:
    ids = set()
    for token in TOKEN_IN_HREF.findall(body):
        try:
            ids.add(survey_token_contact(token).pk)
        except ServiceError:
            continue
    return ids


@pytest.mark.django_db
def test_min_side_offers_the_survey_for_recent_unanswered_contacts(client, citizen, frozen):
    recent = make_contact(citizen, started_at=NOW - timedelta(days=3))
    answered = make_contact(citizen, started_at=NOW - timedelta(days=1), channel="email")
    survey_response_submit(token=survey_token(answered), score=4)
    old = make_contact(citizen, started_at=NOW - timedelta(days=SURVEY_OFFER_DAYS + 1))
    someone_else = make_contact(CitizenFactory(), started_at=NOW - timedelta(days=1))
    log_in(client, citizen)
    for language in ("da", "en"):
        with translation.override(language):
            page = reverse("portal:contacts")
        response = client.get(page)
        assert response.status_code == 200
        body = response.content.decode()
        assert text(language, "Rate the help you got") in body
        assert offered_contact_ids(body) == {recent.pk}
        survey_path = url_in(recent, language).rsplit("/", 2)[0] + "/"
        assert f'href="{survey_path}' in body
    assert old.pk not in offered_contact_ids(body) and someone_else.pk not in offered_contact_ids(
        body
    )


@pytest.mark.django_db
def test_min_side_offers_nothing_when_every_contact_is_answered(client, citizen, frozen):
    contact = make_contact(citizen, started_at=NOW - timedelta(days=2))
    survey_response_submit(token=survey_token(contact), score=1)
    log_in(client, citizen)
    body = client.get(reverse("portal:contacts")).content.decode()
    assert offered_contact_ids(body) == set()
    with translation.override("da"):
        assert gettext("Rate the help you got") not in body
