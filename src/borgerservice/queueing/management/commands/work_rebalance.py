"""Run the work-item routing's upkeep: withdraw expired offers, mark silent agents away and
give back their items, overflow old items to service-centre staff and offer the backlog."""

import time

from django.core.management.base import BaseCommand

from borgerservice.queueing.work import work_rebalance


class Command(BaseCommand):
    help = "Route waiting work items (run once, or every N seconds with --every)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="repeat every this many seconds (0: once)"
        )

    def handle(self, *args, **options):
        while True:
            result = work_rebalance()
            if any(result.values()) or options["verbosity"] > 1 or not options["every"]:
                self.stdout.write(" ".join(f"{key}={value}" for key, value in result.items()))
            if not options["every"]:
                return
            time.sleep(options["every"])
