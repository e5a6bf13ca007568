"""The ICS text (RFC 5545) and the confirmation, rebooking, reminder and cancellation emails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from borgerservice.booking.ics import booking_ics, ics_escape, ics_fold
from borgerservice.booking.models import Booking
from borgerservice.booking.services import (
    booking_cancel,
    booking_create,
    booking_rebook,
    booking_reminders_send,
)
from tests.citizens.factories import CitizenFactory

from .conftest import NOW, TOMORROW, local, make_slot

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_content(centre, service):
    slot = make_slot(centre, service, starts_at=local(TOMORROW, 10))
    booking = booking_create(slot_id=slot.pk, service=service, name="Ada", now=NOW)
    stamp = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with translation.override("en"):
        text = booking_ics(booking, now=stamp)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfold(text)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert lines[-2:] == ["END:VCALENDAR", ""]
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    assert fields["METHOD"] == "REQUEST"
    assert fields["UID"] == f"booking-{booking.pk}@borgerservice.kk.dk"
    assert fields["DTSTAMP"] == "20261201T080000Z"
    # 10:00 in Copenhagen in December (CET, UTC+1) is 09:00 UTC.
    assert fields["DTSTART"] == "20261202T090000Z"
    assert fields["DTEND"] == "20261202T093000Z"
    assert fields["SUMMARY"] == ics_escape(f"Appointment: {service.name_en}")
    assert fields["LOCATION"] == ics_escape(centre.name_en)
    assert booking.code in fields["DESCRIPTION"]
    assert lines.index("BEGIN:VEVENT") < lines.index("END:VEVENT")
    cancel = dict(
        line.split(":", 1) for line in unfold(booking_ics(booking, method="CANCEL")) if ":" in line
    )
    assert (cancel["METHOD"], cancel["STATUS"], cancel["UID"]) == (
        "CANCEL",
        "CANCELLED",
        fields["UID"],
    )
    with pytest.raises(ValueError):
        booking_ics(booking, method="PUBLISH")


def test_escape_and_fold():
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "SUMMARY:" + "æ" * 60  # 2 octets each
    folded = ics_fold(long)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long


def test_confirmation_email_with_ics(
    centre, service, mailoutbox, django_capture_on_commit_callbacks
):
    slot = make_slot(centre, service)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(
            slot_id=slot.pk, service=service, name="Ada", email="ada@example.org", now=NOW
        )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ada@example.org"]
    assert booking.code in mail.body
    assert "02.12.2026 10:00" in mail.subject
    filename, content, mimetype = mail.attachments[0]
    assert filename == "appointment.ics"
    assert mimetype.startswith("text/calendar")
    assert "METHOD:REQUEST" in content and f"UID:booking-{booking.pk}@" in content


def test_no_email_address_no_email(centre, service, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(slot_id=make_slot(centre, service).pk, service=service, name="A", now=NOW)
    assert mailoutbox == []


def test_citizen_email_in_english(centre, service, mailoutbox, django_capture_on_commit_callbacks):
    citizen = CitizenFactory(email="john@example.org", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(
            slot_id=make_slot(centre, service).pk, service=service, citizen=citizen, now=NOW
        )
    assert mailoutbox[0].to == ["john@example.org"]
    assert mailoutbox[0].subject.startswith("Your appointment")


def test_cancellation_email(centre, service, mailoutbox, django_capture_on_commit_callbacks):
    booking = booking_create(
        slot_id=make_slot(centre, service).pk, service=service, name="A", email="a@b.dk", now=NOW
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking_id=booking.pk)
    assert len(mailoutbox) == 1
    assert "METHOD:CANCEL" in mailoutbox[0].attachments[0][1]


def test_reminders_once_within_the_window(
    centre, service, mailoutbox, django_capture_on_commit_callbacks
):
    soon = booking_create(
        slot_id=make_slot(centre, service, starts_at=NOW + timedelta(hours=20)).pk,
        service=service,
        name="Soon",
        email="soon@example.org",
        now=NOW,
    )
    booking_create(
        slot_id=make_slot(centre, service, starts_at=NOW + timedelta(hours=30)).pk,
        service=service,
        name="Later",
        email="later@example.org",
        now=NOW,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert booking_reminders_send(now=NOW, hours_before=24) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert booking_reminders_send(now=NOW, hours_before=24) == 0
    assert [m.to for m in mailoutbox] == [["soon@example.org"]]
    assert Booking.objects.get(pk=soon.pk).reminder_sent_at == NOW


def _fields(text: str) -> dict[str, str]:
    return dict(line.split(":", 1) for line in unfold(text) if ":" in line)


def test_rebooking_sends_one_email_that_moves_the_calendar_event(
    centre, service, mailoutbox, django_capture_on_commit_callbacks
):
    first = make_slot(centre, service, starts_at=local(TOMORROW, 10))
    second = make_slot(centre, service, starts_at=local(TOMORROW, 11))
    third = make_slot(centre, service, starts_at=local(TOMORROW, 12))
    with django_capture_on_commit_callbacks(execute=True):
        original = booking_create(
            slot_id=first.pk, service=service, name="Ada", email="ada@example.org", now=NOW
        )
    with django_capture_on_commit_callbacks(execute=True):
        moved = booking_rebook(booking_id=original.pk, slot_id=second.pk, now=NOW)
    # One email for the move: no separate cancellation of the old time.
    assert len(mailoutbox) == 2
    mail = mailoutbox[1]
    assert mail.to == ["ada@example.org"]
    assert "02.12.2026 11:00" in mail.subject
    assert moved.code in mail.body
    confirmation = _fields(mailoutbox[0].attachments[0][1])
    move = _fields(mail.attachments[0][1])
    # The same UID with a higher SEQUENCE: the calendar moves the event it has.
    assert move["UID"] == confirmation["UID"] == f"booking-{original.pk}@borgerservice.kk.dk"
    assert (move["METHOD"], move["DTSTART"]) == ("REQUEST", "20261202T100000Z")
    assert int(move["SEQUENCE"]) > int(confirmation["SEQUENCE"])
    # Moved again and then cancelled: still the first UID, the sequence keeps rising.
    again = booking_rebook(booking_id=moved.pk, slot_id=third.pk, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking_id=again.pk)
    cancel = _fields(mailoutbox[-1].attachments[0][1])
    assert cancel["UID"] == confirmation["UID"]
    assert cancel["METHOD"] == "CANCEL"
    assert int(cancel["SEQUENCE"]) > int(move["SEQUENCE"])


def test_no_email_when_the_booking_is_rolled_back(
    centre, service, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    slot = make_slot(centre, service)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                booking_create(slot_id=slot.pk, service=service, name="A", email="a@b.dk", now=NOW)
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []
    assert not Booking.objects.exists()
