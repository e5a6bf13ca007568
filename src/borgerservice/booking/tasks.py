"""Background tasks of booking: emails with an ICS file, and the periodic jobs.

Emails are sent with ``EmailMessage`` (not the letter outbox: a booking confirmation is
not a letter and non-registered people have no Digital Post) in the citizen's language.
They are enqueued by the services, so they run after the booking is committed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from borgerservice.core.tasks import task

from .ics import booking_ics
from .models import Booking

KINDS = ("confirmation", "rebooked", "reminder", "cancellation")


def booking_email_message(booking: Booking, kind: str) -> EmailMessage | None:
    """The email for ``kind``; None when the person gave no email address."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}")
    to = booking.contact_email
    if not to:
        return None
    language = booking.citizen.preferred_language if booking.citizen_id else "da"
    with translation.override(language or "da"):
        starts = timezone.localtime(booking.slot.starts_at)
        params = {
            "name": booking.person_name,
            "service": booking.service.name,
            "centre": booking.slot.centre.name,
            "when": starts.strftime("%d.%m.%Y %H:%M"),
            "code": booking.code,
        }
        if kind == "confirmation":
            subject = _("Your appointment %(when)s is booked") % params
            body = _(
                "Dear %(name)s,\n\nYou have an appointment about %(service)s at "
                "%(centre)s on %(when)s.\nYour booking code is %(code)s. Enter it at the "
                "kiosk when you arrive.\n\nThe appointment is in the attached calendar file."
            )
        elif kind == "rebooked":
            subject = _("Your appointment is moved to %(when)s") % params
            body = _(
                "Dear %(name)s,\n\nYour appointment about %(service)s at %(centre)s is "
                "moved to %(when)s.\nYour new booking code is %(code)s; the old code no "
                "longer works.\n\nThe attached calendar file updates the appointment in "
                "your calendar."
            )
        elif kind == "reminder":
            subject = _("Reminder: your appointment %(when)s") % params
            body = _(
                "Dear %(name)s,\n\nThis is a reminder of your appointment about "
                "%(service)s at %(centre)s on %(when)s.\nYour booking code is %(code)s."
            )
        else:
            subject = _("Your appointment %(when)s is cancelled") % params
            body = _(
                "Dear %(name)s,\n\nYour appointment about %(service)s at %(centre)s on "
                "%(when)s (booking code %(code)s) is cancelled."
            )
        method = "CANCEL" if kind == "cancellation" else "REQUEST"
        ics = booking_ics(booking, method=method)
    message = EmailMessage(
        subject=subject, body=body % params, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach("appointment.ics", ics, f"text/calendar; method={method}; charset=utf-8")
    return message


@task("booking.email")
def booking_email_send(*, booking_id: int, kind: str) -> None:
    booking = (
        Booking.objects.select_related("slot__centre", "service", "citizen", "rebooked_from")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return
    message = booking_email_message(booking, kind)
    if message is not None:
        message.send()


@task("booking.send_reminders")
def booking_reminders_job() -> None:
    from .services import booking_reminders_send

    booking_reminders_send()


@task("booking.mark_no_shows")
def booking_no_shows_job() -> None:
    from .services import booking_no_shows_mark

    booking_no_shows_mark()


@task("booking.generate_slots")
def booking_generate_slots_job(*, days: int | None = None) -> None:
    """Keep the booking horizon filled: slots for the next ``days`` working days (default
    ``BOOKING_HORIZON_DAYS``) from every valid template. Safe to run daily."""
    from .services import slots_generate_all

    slots_generate_all(days=days)
