"""Create demo citizens in households (never in production: needs DEMO=1 or --force)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from borgerservice.citizens.demo import demo_citizens_create
from borgerservice.citizens.models import Citizen

PROGRESS_EVERY = 50_000


class Command(BaseCommand):
    help = (
        "Create realistic, deterministic demo citizens (Copenhagen households). "
        "Refuses unless DEMO=1 or --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000, help="citizens to create")
        parser.add_argument("--seed", type=int, default=2005, help="random seed")
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per insert")
        parser.add_argument(
            "--force", action="store_true", help="create demo citizens even though DEMO is off"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds citizens (for make demo)",
        )

    def handle(self, *args, **options):
        if not (getattr(settings, "DEMO", False) or options["force"]):
            raise CommandError(
                "Refusing to create demo citizens: DEMO is not enabled. Demo data must never "
                "reach a production register. Set DEMO=1, or pass --force if this database "
                "is really meant for demo data."
            )
        if options["if_empty"] and Citizen.objects.exists():
            self.stdout.write("Citizens already exist; no demo citizens created.")
            return
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")

        started = time.monotonic()
        next_report = PROGRESS_EVERY

        def progress(created: int, total: int) -> None:
            nonlocal next_report
            if created >= next_report and created < total:
                elapsed = time.monotonic() - started
                self.stdout.write(f"{created:,} of {total:,} citizens ({elapsed:.0f} s)")
                next_report = (created // PROGRESS_EVERY + 1) * PROGRESS_EVERY

        created = demo_citizens_create(
            count=count,
            seed=options["seed"],
            batch_size=options["batch_size"],
            progress=progress,
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Created {created:,} demo citizens in {elapsed:.1f} seconds.")
        )
