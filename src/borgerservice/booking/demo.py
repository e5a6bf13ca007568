"""Demo appointments: counters as resources, weekly slot templates for the services people
book most (passport and driving licence, health insurance card, moving), the slots of the
booking horizon and a handful of bookings for demo citizens.

Everything is keyed on stable names, so running it again creates nothing new: resources
by (centre, name), templates by (centre, service, weekday, start), bookings by their
idempotency key ``demo-<centre>-<n>``. No emails are sent for demo bookings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.db import transaction
from django.utils import timezone

from borgerservice.catalogue.models import OpeningHours, Service, ServiceCentre
from borgerservice.citizens.models import Citizen
from borgerservice.core.errors import ServiceError

from .models import Booking, Resource, SlotTemplate
from .selectors import slots_free
from .services import booking_create, horizon_end, slots_generate_all

COUNTERS = ("Skranke 1", "Skranke 2")
BOOKINGS_PER_CENTRE = 6


@dataclass(frozen=True)
class DemoTemplate:
    service: str
    weekdays: tuple[int, ...]
    starts: time
    ends: time
    minutes: int
    capacity: int = 1
    on_counters: bool = True  # one slot per counter; else one slot for the centre


TEMPLATES = (
    # Passport and driving licence: the counters, every opening day (Saturday mornings too).
    DemoTemplate("stat-pas-og-koerekort", (0, 1, 2, 3, 4), time(10), time(16), 15),
    DemoTemplate("stat-pas-og-koerekort", (5,), time(10), time(13), 15),
    # A new health insurance card: short appointments, two citizens at a time.
    DemoTemplate(
        "ksr-folkeregister-nyt-sygesikringskort",
        (0, 2, 4),
        time(10),
        time(12),
        10,
        capacity=2,
        on_counters=False,
    ),
    # Moving: afternoons on Tuesdays and Thursdays.
    DemoTemplate(
        "ksr-folkeregister-flytteanmeldelser", (1, 3), time(13), time(17), 20, on_counters=False
    ),
)


@dataclass
class DemoResult:
    resources: int = 0
    templates: int = 0
    slots: int = 0
    bookings: int = 0


def demo_bookings_create(*, days: int | None = None, today: date | None = None) -> DemoResult:
    """Create the demo resources, templates, slots and bookings that do not exist yet."""
    today = today or timezone.localdate()
    result = DemoResult()
    services = {s.code: s for s in Service.objects.filter(code__in={t.service for t in TEMPLATES})}
    centres = list(
        ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE).order_by("code")
    )
    with transaction.atomic():
        for centre in centres:
            open_days = set(
                OpeningHours.objects.filter(
                    centre=centre, line=OpeningHours.Line.GENERAL
                ).values_list("weekday", flat=True)
            )
            counters = []
            for name in COUNTERS:
                resource, created = Resource.objects.get_or_create(
                    centre=centre, name=name, defaults={"kind": Resource.Kind.COUNTER}
                )
                counters.append(resource)
                result.resources += created
            for spec in TEMPLATES:
                service = services.get(spec.service)
                if service is None:
                    continue  # a catalogue without the service: nothing to book
                for weekday in spec.weekdays:
                    if weekday not in open_days:
                        continue
                    template, created = SlotTemplate.objects.get_or_create(
                        centre=centre,
                        service=service,
                        weekday=weekday,
                        starts=spec.starts,
                        defaults={
                            "ends": spec.ends,
                            "duration_minutes": spec.minutes,
                            "capacity": spec.capacity,
                            "valid_from": today,
                        },
                    )
                    if created and spec.on_counters:
                        template.resources.set(counters)
                    result.templates += created
    result.slots = slots_generate_all(days=days, today=today)
    result.bookings = _demo_bookings(centres, services, today=today, days=days)
    return result


def _demo_bookings(centres, services, *, today: date, days: int | None) -> int:
    from .services import horizon_days

    citizens = list(
        Citizen.objects.filter(deceased_on__isnull=True, name_address_protected=False)
        .exclude(email="")
        .order_by("pk")[: BOOKINGS_PER_CENTRE * max(len(centres), 1)]
    )
    if not citizens or not services:
        return 0
    end = horizon_end(start=today, days=horizon_days() if days is None else days)
    bookable = list(services.values())
    created = 0
    n = 0
    for centre in centres:
        for index in range(BOOKINGS_PER_CENTRE):
            key = f"demo-{centre.code}-{index}"
            citizen = citizens[n % len(citizens)]
            n += 1
            if Booking.objects.filter(idempotency_key=key).exists():
                continue
            service = bookable[index % len(bookable)]
            free = slots_free(service=service, centre=centre, start=today, end=end)
            if not free:
                continue
            # Spread the bookings over the horizon: every few free slots.
            slot = free[min(len(free) - 1, index * 7)].slot
            try:
                booking_create(
                    slot_id=slot.pk,
                    service=service,
                    citizen=citizen,
                    phone=citizen.phone,
                    idempotency_key=key,
                    notify=False,
                )
            except ServiceError:
                continue  # e.g. the citizen already holds that time
            created += 1
    return created
