"""Create demo cases (never in production: needs DEMO=1)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from borgerservice.cases.demo import demo_cases_create
from borgerservice.cases.models import Case


class Command(BaseCommand):
    help = "Create demo cases at every stage (DEMO=1 only)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="only when there are none")

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("Refusing to create demo cases: DEMO is not enabled.")
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("cases exist already; no demo cases created")
            return
        made = demo_cases_create(count=options["count"], seed=options["seed"])
        self.stdout.write(f"demo cases created: {made}")
