"""Run a what-if scenario of the service-centre and contact-centre simulation."""

import json

from django.core.management.base import BaseCommand, CommandError

from borgerservice.analytics.scenarios import SCENARIOS, Options, run_scenario
from borgerservice.analytics.simulation import CALIBRATION, calibrate_from_history


def _ticket_history():
    """(arrival, service seconds) of the recorded queue tickets, in local time."""
    from django.utils import timezone

    from borgerservice.queueing.models import Ticket

    rows = Ticket.objects.values_list("drawn_at", "served_at", "finished_at").iterator()
    for drawn, served, finished in rows:
        service = (finished - served).total_seconds() if served and finished else None
        yield timezone.localtime(drawn), service


class Command(BaseCommand):
    help = "Simulate a what-if scenario and print a JSON summary of waits, service level and FTE."

    def add_arguments(self, parser):
        parser.add_argument("--scenario", choices=SCENARIOS, default="baseline")
        parser.add_argument("--weeks", type=int, default=8)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--counters", type=int, default=1, help="more-counters: add N.")
        parser.add_argument("--shift", type=float, default=0.2, help="digital-shift: share.")
        parser.add_argument("--area", default="suf-pensionsomraadet", help="move-area: code.")
        parser.add_argument("--no-calls", action="store_true", help="Leave out the calls.")
        parser.add_argument(
            "--per-hour", action="store_true", help="Add the figures per weekday and hour."
        )
        parser.add_argument(
            "--from-history",
            action="store_true",
            help="Calibrate the walk-in profile from the recorded queue tickets.",
        )

    def handle(self, *args, **options):
        if options["weeks"] < 1:
            raise CommandError("--weeks must be at least 1.")
        calibration = CALIBRATION
        if options["from_history"]:
            calibration = calibrate_from_history(_ticket_history(), calibration)
        settings = Options(
            weeks=options["weeks"],
            seed=options["seed"],
            counters=options["counters"],
            shift=options["shift"],
            area=options["area"],
            calls=not options["no_calls"],
            calibration=calibration,
        )
        try:
            result = run_scenario(options["scenario"], settings, per_hour=options["per_hour"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        result["calibrated_from_history"] = options["from_history"]
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
