"""Create demo appointments (never in production: needs DEMO=1 or --force)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from borgerservice.booking.demo import demo_bookings_create
from borgerservice.booking.models import SlotTemplate
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Create demo booking resources and slot templates at every citizen service centre, "
        "the slots of the booking horizon and some bookings for demo citizens. Idempotent. "
        "Refuses unless DEMO=1 or --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="working days of slots")
        parser.add_argument(
            "--force", action="store_true", help="create demo bookings even though DEMO is off"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when slot templates already exist (for make demo)",
        )

    def handle(self, *args, **options):
        if not (getattr(settings, "DEMO", False) or options["force"]):
            raise CommandError(
                "Refusing to create demo bookings: DEMO is not enabled. Set DEMO=1, or pass "
                "--force if this database is really meant for demo data."
            )
        if options["if_empty"] and SlotTemplate.objects.exists():
            self.stdout.write("Slot templates already exist; no demo bookings created.")
            return
        try:
            result = demo_bookings_create(days=options["days"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.resources} resources, {result.templates} slot templates, "
                f"{result.slots} slots and {result.bookings} bookings."
            )
        )
