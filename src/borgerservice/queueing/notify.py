"""The turn-near message: a citizen who left an email address or a mobile number at the
kiosk hears when at most ``QUEUE_NOTIFY_AHEAD`` citizens are ahead of them.

The message is in Danish and English (the kiosk does not store the language chosen) and
holds only the centre, the ticket code and how many are ahead: no name, no CPR number.
Each ticket is told once (``notified_at``); the rows are claimed with SKIP LOCKED, so two
workers running at once never send the same message twice.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from borgerservice.core.notify import notify_email, notify_sms

from . import selectors
from .models import Ticket

DEFAULT_AHEAD = 3


def notify_ahead() -> int:
    return int(getattr(settings, "QUEUE_NOTIFY_AHEAD", DEFAULT_AHEAD))


def _text(ticket: Ticket, ahead: int, language: str) -> tuple[str, str]:
    with translation.override(language):
        params = {"code": ticket.code, "centre": ticket.centre.name, "ahead": ahead}
        subject = _("Your turn at %(centre)s is near") % params
        if ahead:
            body = (
                ngettext(
                    "%(centre)s: ticket %(code)s will be called soon. %(ahead)d citizen is "
                    "ahead of you. Please watch the screen.",
                    "%(centre)s: ticket %(code)s will be called soon. %(ahead)d citizens are "
                    "ahead of you. Please watch the screen.",
                    ahead,
                )
                % params
            )
        else:
            body = (
                _("%(centre)s: ticket %(code)s is next. Please watch the screen and come back.")
                % params
            )
    return subject, body


def near_turn_message(ticket: Ticket, ahead: int) -> tuple[str, str]:
    """(subject, text) of the message, Danish first, then English."""
    subject_da, body_da = _text(ticket, ahead, "da")
    _subject_en, body_en = _text(ticket, ahead, "en")
    return subject_da, f"{body_da}\n\n{body_en}"


@transaction.atomic
def near_turn_notify(*, centre_id: int | None = None, now: datetime | None = None) -> int:
    """Send the due turn-near messages (of one centre, or all); returns how many."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    limit = notify_ahead()
    candidates = Ticket.objects.filter(day=day, state="waiting", notified_at__isnull=True).exclude(
        notify_email="", notify_phone=""
    )
    if centre_id is not None:
        candidates = selectors.near_turn_candidates(centre_id, day)
    sent = 0
    for ticket in (
        candidates.select_for_update(skip_locked=True, of=("self",))
        .select_related("group", "centre")
        .order_by("drawn_at", "id")
    ):
        ahead = selectors.estimated_wait(ticket.group, ticket=ticket, now=now).ahead
        if ahead > limit:
            continue
        subject, body = near_turn_message(ticket, ahead)
        if ticket.notify_email:
            notify_email(to=ticket.notify_email, subject=subject, body=body)
        if ticket.notify_phone:
            notify_sms(phone=ticket.notify_phone, text=body)
        ticket.notified_at = now
        ticket.save(update_fields=["notified_at"])
        sent += 1
    return sent
