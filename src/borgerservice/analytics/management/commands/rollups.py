"""Check the management-information rollups against the raw rows, or rebuild them."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from borgerservice.analytics.rollups import rollup_check, rollup_rebuild


class Command(BaseCommand):
    help = (
        "Compare the rollups with a recomputation from the raw rows (--check, exit status 1 "
        "when they differ) or replace them by it (--rebuild, after a bulk load)."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Report differing rows.")
        action.add_argument("--rebuild", action="store_true", help="Recompute everything.")

    def handle(self, *args, check: bool, rebuild: bool, **options):
        started = time.perf_counter()
        if rebuild:
            written = rollup_rebuild()
            summary = {"rebuilt": written, "seconds": round(time.perf_counter() - started, 2)}
            self.stdout.write(json.dumps(summary))
            return
        differences = rollup_check()
        summary = {
            "differing_rows": differences,
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(json.dumps(summary))
        if any(differences.values()):
            raise CommandError(_("The rollups differ from the raw rows: run rollups --rebuild."))
