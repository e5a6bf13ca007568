"""Short messages to citizens: email through Django's mail, text messages through a
pluggable SMS backend. Both are sent after the surrounding transaction commits, so
nothing goes out for work that was rolled back.

``SMS_BACKEND`` is the dotted path of a class with ``send(phone, text)``; the default,
``LoggingSmsBackend``, sends nothing and logs only that a message was handed over (no
number, no text), so a site without an SMS gateway loses no personal data in its logs.
A gateway adapter raises on failure; the failure is logged without the number.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_SMS_BACKEND = "borgerservice.core.notify.LoggingSmsBackend"


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsBackend:
    """Sends nothing; records that a message of so many characters was handed over."""

    def send(self, phone: str, text: str) -> None:
        logger.info("text message not sent (no SMS gateway configured), %d characters", len(text))


def sms_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    return import_string(path)()


def _send_email(to: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        logger.exception("email notification could not be sent")


def _send_sms(phone: str, text: str) -> None:
    try:
        sms_backend().send(phone, text)
    except Exception:
        logger.exception("text message could not be sent")


def notify_email(*, to: str, subject: str, body: str) -> None:
    """Send an email once the current transaction commits."""
    transaction.on_commit(lambda: _send_email(to, subject, body))


def notify_sms(*, phone: str, text: str) -> None:
    """Send a text message once the current transaction commits."""
    transaction.on_commit(lambda: _send_sms(phone, text))
