"""Generate bookable slots from the slot templates for the booking horizon."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from borgerservice.booking.services import horizon_days, horizon_end, slots_generate_all
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Create the slots of every valid slot template for the next N working days "
        "(default: the setting BOOKING_HORIZON_DAYS). Public holidays and closed days get "
        "no slots; Saturdays get slots where the centre is open. Running it again creates "
        "nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="working days ahead (default: the setting)"
        )

    def handle(self, *args, **options):
        from django.utils import timezone

        days = horizon_days() if options["days"] is None else options["days"]
        try:
            end = horizon_end(start=timezone.localdate(), days=days)
            created = slots_generate_all(days=days)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created {created} new slots up to {end.isoformat()}.")
        )
