"""iCalendar (RFC 5545) text for a booking, written by hand (no dependency needed).

One VCALENDAR with one VEVENT; times in UTC (``…Z``); lines end in CRLF and are folded
at 75 octets; TEXT values are escaped. ``METHOD:REQUEST`` for a confirmation or a
reminder, ``METHOD:CANCEL`` (with ``STATUS:CANCELLED``) for a cancellation — the UID is
stable per booking, so a calendar replaces or removes the event it already has. A rebooked
booking keeps the UID of the first booking of its chain (``rebooked_from``) and counts
``SEQUENCE`` up, so the calendar moves the event instead of keeping the old time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//Borgerservice//Booking//DA"
UID_DOMAIN = "borgerservice.kk.dk"


def ics_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1) without splitting a character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def ics_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_chain(booking) -> tuple[int, int]:
    """(id of the first booking of the rebooking chain, number of rebookings since)."""
    first, steps = booking, 0
    while first.rebooked_from_id is not None and steps < 1000:
        first = first.rebooked_from
        steps += 1
    return first.pk, steps


def booking_ics(booking, *, method: str = "REQUEST", now: datetime | None = None) -> str:
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError("method must be REQUEST or CANCEL")
    slot = booking.slot
    now = now or timezone.now()
    root, rebookings = booking_chain(booking)
    # Each rebooking is a new version of the event; a cancellation is one more.
    sequence = 2 * rebookings + (1 if method == "CANCEL" else 0)
    summary = _("Appointment: %(service)s") % {"service": booking.service.name}
    description = _("Booking code: %(code)s. Show the code at the kiosk when you arrive.") % {
        "code": booking.code
    }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:booking-{root}@{UID_DOMAIN}",
        f"DTSTAMP:{ics_datetime(now)}",
        f"DTSTART:{ics_datetime(slot.starts_at)}",
        f"DTEND:{ics_datetime(slot.ends_at)}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{ics_escape(summary)}",
        f"LOCATION:{ics_escape(slot.centre.name)}",
        f"DESCRIPTION:{ics_escape(description)}",
        f"ORGANIZER:mailto:{settings.DEFAULT_FROM_EMAIL}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) + "\r\n" for line in lines)
