"""Background tasks of the queues: the scheduled day close and the turn-near messages.

Run them from a scheduler with ``manage.py enqueue_task queueing.close_days`` (e.g. every
15 minutes from cron) and ``manage.py enqueue_task queueing.notify_near`` (every minute;
calling the next ticket at a counter also starts it for that centre).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from borgerservice.catalogue.models import ServiceCentre
from borgerservice.core.tasks import task

from . import hours, services
from .models import CounterSession, Ticket
from .notify import near_turn_notify
from .workflow import OPEN_AT_DAY_CLOSE

logger = logging.getLogger(__name__)


def day_close_after_minutes() -> int:
    return int(getattr(settings, "QUEUE_DAY_CLOSE_AFTER_MINUTES", 60))


def days_to_close(centre, now: datetime) -> list:
    """The days of ``centre`` the close is due for: every earlier day that still has open
    tickets, contact details for a message or open counters, and today once the centre's
    closing time has passed by ``QUEUE_DAY_CLOSE_AFTER_MINUTES`` (default 60: the citizens
    who took a number before closing are still being served), or when it does not open
    today."""
    today = timezone.localdate(now)
    earlier = set(
        Ticket.objects.filter(centre=centre, day__lt=today)
        .filter(
            Q(state__in=[s.value for s in OPEN_AT_DAY_CLOSE])
            | ~Q(notify_email="")
            | ~Q(notify_phone="")
        )
        .values_list("day", flat=True)
        .distinct()
    )
    for opened in CounterSession.objects.filter(
        counter__centre=centre, closed_at__isnull=True
    ).values_list("opened_at", flat=True):
        if timezone.localdate(opened) < today:
            earlier.add(timezone.localdate(opened))
    days = sorted(earlier)
    opening = hours.hours_on(centre, today)
    grace = timedelta(minutes=day_close_after_minutes())
    if (
        opening is None
        or (timezone.localtime(now) - grace).time() >= opening.closes
        or (timezone.localdate(timezone.localtime(now) - grace) < today)
    ):
        days.append(today)
    return days


def close_days(*, now: datetime | None = None) -> dict[str, int]:
    """Close every due day of every centre; returns tickets closed per centre code."""
    now = now or timezone.now()
    closed: dict[str, int] = {}
    for centre in ServiceCentre.objects.filter(queue_groups__isnull=False).distinct():
        for day in days_to_close(centre, now):
            count = services.day_close(centre=centre, day=day, at=now)
            closed[centre.code] = closed.get(centre.code, 0) + count
    return closed


@task("queueing.close_days")
def close_days_task() -> None:
    result = close_days()
    logger.info("queue days closed: %s", result or "none due")


@task("queueing.notify_near")
def notify_near_task(*, centre_id: int | None = None) -> None:
    sent = near_turn_notify(centre_id=centre_id)
    if sent:
        logger.info("turn-near messages sent: %d", sent)
