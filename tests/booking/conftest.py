"""Fixtures for booking: a centre, a service, a template and slots at a fixed moment."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from borgerservice.booking.models import Slot, SlotTemplate
from borgerservice.catalogue.models import Service, ServiceCentre

# "Now" in the tests: Tuesday 1 December 2026, 09:00 in Copenhagen.
NOW = timezone.make_aware(datetime(2026, 12, 1, 9, 0), timezone.get_default_timezone())
TOMORROW = date(2026, 12, 2)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_template(centre, service, *, weekday=2, starts=time(10), ends=time(12), **kw):
    defaults = {"duration_minutes": 30, "capacity": 1, "valid_from": date(2026, 1, 1)}
    defaults.update(kw)
    return SlotTemplate.objects.create(
        centre=centre, service=service, weekday=weekday, starts=starts, ends=ends, **defaults
    )


def make_slot(centre, service, *, starts_at=None, capacity=1, **kw) -> Slot:
    starts_at = starts_at or local(TOMORROW, 10)
    return Slot.objects.create(
        centre=centre,
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        capacity=capacity,
        **kw,
    )


@pytest.fixture
def centre():
    return ServiceCentre.objects.get(code="indre-by")


@pytest.fixture
def service():
    return Service.objects.get(code="mff-aktindsigt")


@pytest.fixture
def other_service():
    return Service.objects.get(code="btf-bbr")


@pytest.fixture
def slot(centre, service):
    return make_slot(centre, service)
