"""A worker for the database tasks backend: run due tasks, then wait and look again."""

import time

from django.core.management.base import BaseCommand

from borgerservice.core.tasks import run_pending


class Command(BaseCommand):
    help = "Run background tasks stored in the database (TASKS_BACKEND=database)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due and stop")
        parser.add_argument("--sleep", type=float, default=2.0, help="seconds between polls")

    def handle(self, *args, **options):
        while True:
            count = run_pending()
            if count:
                self.stdout.write(f"ran {count} task(s)")
            if options["once"]:
                return
            time.sleep(options["sleep"])
