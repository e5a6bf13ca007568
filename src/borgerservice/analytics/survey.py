"""The short satisfaction survey offered after a contact: "How satisfied are you with the
help you got?" on a scale of 1 (very dissatisfied) to 5 (very satisfied).

- ``survey_link``: the address of the survey page of one contact. It carries a signed
  token (``django.core.signing`` with its own salt) holding only the contact's id and the
  time it was made; it is valid for ``SURVEY_TOKEN_MAX_AGE``. Nothing is stored when a
  link is made, so a link can be offered wherever a contact is shown to the citizen.
- ``survey_token_contact``: the contact of a token; a tampered or malformed token, a token
  of a contact that no longer exists and an expired token are refused with distinct codes.
- ``survey_response_submit``: store the answer. One answer per contact: the unique
  constraint on ``SurveyResponse.contact`` decides, also when two answers arrive at once.
  The answer holds the score and the time only: no free text, no citizen beyond the contact.
- ``survey_offers``: for the contacts a citizen sees on Min side, the survey links of those
  from the last ``SURVEY_OFFER_DAYS`` days that have no answer yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from borgerservice.contacts.models import Contact
from borgerservice.core.errors import NotFound, ServiceError

from .models import SurveyResponse

SURVEY_SALT = "borgerservice.analytics.survey"
# How long a survey link works after it was made.
SURVEY_TOKEN_MAX_AGE = timedelta(days=30)
# Min side offers the survey for contacts this recent.
SURVEY_OFFER_DAYS = 30
SCORE_MIN, SCORE_MAX = 1, 5
# Longer strings are not tokens of ours; refused before any signature check.
MAX_TOKEN_LENGTH = 200


def survey_token(contact: Contact | int) -> str:
    """The signed token of a contact (its id and the time now)."""
    contact_id = contact if isinstance(contact, int) else contact.pk
    return signing.dumps(contact_id, salt=SURVEY_SALT)


def survey_link(contact: Contact | int, *, language: str | None = None) -> str:
    """The absolute path of the contact's survey page, in ``language`` (default: the
    active one)."""
    token = survey_token(contact)
    if language is None:
        return reverse("survey:answer", kwargs={"token": token})
    with translation.override(language):
        return reverse("survey:answer", kwargs={"token": token})


def _invalid() -> NotFound:
    return NotFound(
        "survey.token_invalid",
        _("The link to the survey does not work. Check that the whole address was copied."),
    )


def survey_token_contact(token: str) -> Contact:
    """The contact of a survey token; a ``ServiceError`` for a bad or expired token."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise _invalid()
    try:
        contact_id = signing.loads(
            token, salt=SURVEY_SALT, max_age=SURVEY_TOKEN_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as exc:
        raise ServiceError(
            "survey.token_expired",
            _("The link to the survey has expired. Thank you for wanting to answer."),
            status=410,
        ) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise _invalid() from exc
    if not isinstance(contact_id, int) or isinstance(contact_id, bool) or contact_id < 1:
        raise _invalid()
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(
            "survey.contact_unknown", _("The contact the survey is about no longer exists.")
        )
    return contact


def survey_score_parse(value) -> int:
    """A score from a form value ("1" … "5"); a ``ServiceError`` on the field otherwise."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) == 1 else None
    if not isinstance(value, int):
        raise ServiceError(
            "survey.score_missing",
            _("Choose how satisfied you are, from 1 to 5."),
            field="score",
        )
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ServiceError(
            "survey.bad_score",
            _("The answer must be a number from 1 to 5."),
            field="score",
        )
    return value


def _already_answered() -> ServiceError:
    return ServiceError(
        "survey.already_answered",
        _("You have already answered the survey about this contact. Thank you."),
        status=409,
    )


def survey_answered(contact: Contact) -> bool:
    return SurveyResponse.objects.filter(contact_id=contact.pk).exists()


@transaction.atomic
def survey_response_submit(*, token: str, score: int) -> SurveyResponse:
    """Store the answer of the contact the token belongs to; one answer per contact.
    Refused (nothing changed) for a bad or expired token, a score outside 1–5 or a second
    answer, also when two answers arrive at the same moment."""
    contact = survey_token_contact(token)
    score = survey_score_parse(score)
    if survey_answered(contact):
        raise _already_answered()
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(contact=contact, score=score)
    except IntegrityError as exc:  # the other answer won the race
        raise _already_answered() from exc


def survey_offers(contacts: Iterable[Contact], *, now=None) -> dict[int, str]:
    """Contact id → survey link for those of ``contacts`` from the last
    ``SURVEY_OFFER_DAYS`` days without an answer (one query)."""
    now = now or timezone.now()
    since = now - timedelta(days=SURVEY_OFFER_DAYS)
    recent = [c.pk for c in contacts if c.started_at is not None and since <= c.started_at]
    if not recent:
        return {}
    answered = set(
        SurveyResponse.objects.filter(contact_id__in=recent).values_list("contact_id", flat=True)
    )
    return {pk: survey_link(pk) for pk in recent if pk not in answered}
