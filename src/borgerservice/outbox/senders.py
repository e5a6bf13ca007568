"""Pluggable delivery of letters to citizens.

A sender has ``name`` and ``deliver(message)``; it raises to signal failure. Choose
with ``OUTBOX_SENDER``: ``local`` keeps letters in the outbox for staff to read (demo),
``email`` sends by email where the citizen has an address, or a dotted path to a class
such as a Digital Post adapter implementing ``DigitalPostSender``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class Sender:
    name = "sender"

    def deliver(self, message) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LocalSender(Sender):
    """Delivers nothing outside the system: the letter stays readable in the outbox."""

    name = "local"

    def deliver(self, message) -> None:
        return None


class EmailSender(Sender):
    name = "email"

    def deliver(self, message) -> None:
        if not message.citizen.email:
            raise ValueError("the citizen has no email address")
        send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.citizen.email],
            fail_silently=False,
        )


class DigitalPostSender(Sender):
    """Interface for a Digital Post (NgDP/MitPost) adapter: subclass and implement
    ``send_to_cpr``; citizens exempt from Digital Post get paper letters instead."""

    name = "digital_post"

    def deliver(self, message) -> None:
        if message.citizen.digital_post_exempt:
            raise ValueError("the citizen is exempt from Digital Post: print the letter")
        self.send_to_cpr(message.citizen.cpr, message.subject, message.body)

    def send_to_cpr(self, cpr: str, subject: str, body: str) -> None:  # pragma: no cover
        raise NotImplementedError("configure a Digital Post adapter")


def current_sender() -> Sender:
    choice = settings.OUTBOX_SENDER
    if choice == "local":
        return LocalSender()
    if choice == "email":
        return EmailSender()
    return import_string(choice)()
