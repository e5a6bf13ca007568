import json

from django.core.management.base import BaseCommand, CommandError

from borgerservice.analytics.erlang import staffing
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Agents needed in one interval (Erlang C, or Erlang A with --patience). Prints one "
        'JSON object: {"agents", "agents_with_shrinkage", "service_level", "asa_seconds", '
        '"occupancy"[, "abandonment"]}. ASA is the mean wait of answered calls in seconds.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=float, required=True, help="Calls forecast")
        parser.add_argument(
            "--interval-seconds", type=float, required=True, help="Length of the interval"
        )
        parser.add_argument(
            "--aht", type=float, required=True, help="Average handling time in seconds"
        )
        parser.add_argument(
            "--target", type=float, required=True, help="Service level target, e.g. 0.8"
        )
        parser.add_argument(
            "--within", type=float, required=True, help="Answer time of the target, seconds"
        )
        parser.add_argument("--max-occupancy", type=float, default=None, help="e.g. 0.85")
        parser.add_argument("--shrinkage", type=float, default=0.0, help="e.g. 0.3")
        parser.add_argument(
            "--patience",
            type=float,
            default=None,
            help="Callers' mean patience in seconds: Erlang A with abandonment",
        )

    def handle(self, *args, **options):
        try:
            result = staffing(
                calls=options["calls"],
                interval_seconds=options["interval_seconds"],
                aht=options["aht"],
                target=options["target"],
                within=options["within"],
                max_occupancy=options["max_occupancy"],
                shrinkage=options["shrinkage"],
                patience=options["patience"],
            )
        except ServiceError as exc:
            raise CommandError(f"{exc.field}: {exc.message}" if exc.field else exc.message) from exc
        self.stdout.write(json.dumps(result.as_dict()))
