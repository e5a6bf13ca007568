"""Demo queues for ``make demo``: four queue groups and six to ten counters in every
citizen service centre (the phone contact centre has no walk-in queue). Idempotent: the
groups and counters are found again by their codes, and running it twice adds nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from borgerservice.catalogue.models import Service, ServiceCentre

from .models import Counter, QueueGroup


@dataclass(frozen=True)
class DemoGroup:
    code: str
    prefix: str
    name_da: str
    name_en: str
    minutes: int
    services: tuple[str, ...]


GROUPS = (
    DemoGroup(
        "pas-koerekort",
        "A",
        "Pas og kørekort",
        "Passports and driving licences",
        10,
        (
            "stat-pas-og-koerekort",
            "ksr-billedlegitimationskort-til-personer-over-16-aar",
            "ksr-udlevering-af-digital-signatur",
        ),
    ),
    DemoGroup(
        "sundhedskort-flytning",
        "B",
        "Sundhedskort og flytning",
        "Health cards and moving",
        6,
        (
            "ksr-folkeregister-flytteanmeldelser",
            "ksr-folkeregister-nyt-sygesikringskort",
            "ksr-folkeregister-eu-sygesikring",
            "ksr-folkeregister-indrejser-udrejser",
            "ksr-folkeregister-udskrifter-attester",
            "ksr-folkeregister-udskrifter-adresse-mv",
            "suf-sygesikring",
        ),
    ),
    DemoGroup(
        "pension-ydelser",
        "C",
        "Pension og ydelser",
        "Pensions and benefits",
        12,
        (
            "suf-folkepension",
            "suf-pension-oevrige",
            "suf-boligydelse",
            "suf-helbredstillaeg",
            "suf-personlige-tillaeg",
            "suf-begravelseshjaelp",
            "suf-licensnedsaettelse",
        ),
    ),
    DemoGroup("oevrige", "D", "Øvrige henvendelser", "Other matters", 8, ()),
)


def counters_for(index: int) -> int:
    """Six to ten counters, varying from centre to centre."""
    return 6 + (index * 3) % 5


@dataclass
class DemoResult:
    centres: int = 0
    groups: int = 0
    counters: int = 0


@transaction.atomic
def demo_queues_create() -> DemoResult:
    """Create what is missing; returns how many groups and counters were new."""
    result = DemoResult()
    services = {s.code: s for s in Service.objects.filter(code__in=_all_codes())}
    centres = ServiceCentre.objects.filter(kind=ServiceCentre.Kind.SERVICE_CENTRE).order_by(
        "sort_order", "code"
    )
    for index, centre in enumerate(centres):
        result.centres += 1
        for order, spec in enumerate(GROUPS):
            group, created = QueueGroup.objects.get_or_create(
                centre=centre,
                code=spec.code,
                defaults={
                    "prefix": spec.prefix,
                    "name_da": spec.name_da,
                    "name_en": spec.name_en,
                    "default_service_minutes": spec.minutes,
                    "sort_order": order,
                },
            )
            if created:
                result.groups += 1
                group.services.set([services[c] for c in spec.services if c in services])
        for number in range(1, counters_for(index) + 1):
            _counter, created = Counter.objects.get_or_create(
                centre=centre,
                code=f"skranke-{number}",
                defaults={"name": f"Skranke {number}", "sort_order": number},
            )
            result.counters += created
    return result


def _all_codes() -> set[str]:
    return {code for spec in GROUPS for code in spec.services}
