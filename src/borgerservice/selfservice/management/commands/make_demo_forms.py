"""Create the demo application forms (never in production: needs DEMO=1 or --force)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from borgerservice.core.errors import ServiceError
from borgerservice.selfservice.demo import demo_forms_create
from borgerservice.selfservice.models import FormDefinition


class Command(BaseCommand):
    help = (
        "Create active demo application forms for Min side: one for each rule set of the "
        "decisions engine (decided at once) and two that caseworkers decide. Idempotent. "
        "Refuses unless DEMO=1 or --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="create demo forms even though DEMO is off"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when any application form exists (for make demo)",
        )

    def handle(self, *args, **options):
        if not (getattr(settings, "DEMO", False) or options["force"]):
            raise CommandError(
                "Refusing to create demo forms: DEMO is not enabled. Set DEMO=1, or pass "
                "--force if this database is really meant for demo data."
            )
        if options["if_empty"] and FormDefinition.objects.exists():
            self.stdout.write("Application forms already exist; no demo forms created.")
            return
        try:
            result = demo_forms_create()
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.created} application forms ({result.skipped} services "
                "already had one)."
            )
        )
