"""Demo appointments: resources and templates at every citizen service centre, slots for the
horizon, bookings for demo citizens; idempotent; refused without DEMO."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from borgerservice.booking.demo import demo_bookings_create
from borgerservice.booking.models import Booking, Resource, Slot, SlotTemplate
from borgerservice.booking.workflow import State
from borgerservice.catalogue.models import ServiceCentre
from tests.citizens.factories import CitizenFactory

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizens():
    return [CitizenFactory(email=f"demo{n}@example.org") for n in range(8)]


def test_demo_creates_resources_templates_slots_and_bookings(citizens, mailoutbox):
    centres = ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE)
    with time_machine.travel(NOW, tick=False):
        result = demo_bookings_create(days=5)
    assert result.resources == 2 * centres.count()
    assert Resource.objects.count() == result.resources
    assert result.templates == SlotTemplate.objects.count() > 0
    assert set(SlotTemplate.objects.values_list("service__code", flat=True)) == {
        "stat-pas-og-koerekort",
        "ksr-folkeregister-nyt-sygesikringskort",
        "ksr-folkeregister-flytteanmeldelser",
    }
    # Every service centre offers passports, with a slot per counter.
    for centre in centres:
        template = SlotTemplate.objects.filter(
            centre=centre, service__code="stat-pas-og-koerekort", weekday=0
        ).get()
        assert template.resources.count() == 2
    assert result.slots == Slot.objects.count() > 0
    assert result.bookings == Booking.objects.count() > 0
    assert set(Booking.objects.values_list("state", flat=True)) == {State.BOOKED}
    assert set(Booking.objects.values_list("citizen_id", flat=True)) <= {c.pk for c in citizens}
    assert mailoutbox == []  # demo bookings send no emails


def test_demo_is_idempotent(citizens):
    with time_machine.travel(NOW, tick=False):
        demo_bookings_create(days=5)
        counts = (Resource.objects.count(), SlotTemplate.objects.count(), Slot.objects.count())
        bookings = Booking.objects.count()
        again = demo_bookings_create(days=5)
    assert (again.resources, again.templates, again.slots, again.bookings) == (0, 0, 0, 0)
    assert (Resource.objects.count(), SlotTemplate.objects.count(), Slot.objects.count()) == (
        counts
    )
    assert Booking.objects.count() == bookings


def test_demo_without_citizens_makes_no_bookings():
    with time_machine.travel(NOW, tick=False):
        result = demo_bookings_create(days=3)
    assert result.slots > 0
    assert result.bookings == 0


def test_command_needs_demo_and_honours_if_empty(citizens, settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="DEMO is not enabled"):
        call_command("make_demo_bookings", stdout=StringIO())
    assert not SlotTemplate.objects.exists()
    settings.DEMO = True
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("make_demo_bookings", "--days", "3", stdout=out)
        assert "slot templates" in out.getvalue()
        templates = SlotTemplate.objects.count()
        skipped = StringIO()
        call_command("make_demo_bookings", "--if-empty", stdout=skipped)
    assert "already exist" in skipped.getvalue()
    assert SlotTemplate.objects.count() == templates
