"""A booking checked in at the kiosk (or by staff) gets a queue ticket.

``booking.services.booking_checked_in`` is sent inside the check-in transaction, so the
ticket and the check-in commit or roll back together. The ticket goes to the centre's
queue that covers the booked service (the first by the kiosk's order), or else to the
centre's first open queue; a centre without open queues gets no ticket.
"""

from __future__ import annotations

import logging

from borgerservice.booking.models import Booking
from borgerservice.booking.services import booking_checked_in

from . import services
from .models import QueueGroup, Ticket

logger = logging.getLogger(__name__)


def group_for_booking(booking: Booking) -> QueueGroup | None:
    groups = QueueGroup.objects.filter(centre_id=booking.slot.centre_id, active=True).order_by(
        "sort_order", "prefix"
    )
    return groups.filter(services=booking.service_id).first() or groups.first()


def ticket_for_checked_in_booking(sender, booking: Booking, **kwargs) -> Ticket | None:
    existing = Ticket.objects.filter(booking_reference=booking.pk).order_by("-id").first()
    if existing is not None:  # the same booking checked in again: keep its ticket
        return existing
    group = group_for_booking(booking)
    if group is None:
        logger.info("booking %s checked in at a centre without open queues", booking.pk)
        return None
    return services.ticket_draw(
        centre=group.centre,
        group=group,
        citizen=booking.citizen,
        at=booking.checked_in_at,
        booking_reference=booking.pk,
        due_at=booking.slot.starts_at,
        respect_hours=False,
    )


def connect() -> None:
    booking_checked_in.connect(
        ticket_for_checked_in_booking,
        sender=Booking,
        dispatch_uid="queueing.ticket_for_checked_in_booking",
    )
