from django.core.management.base import BaseCommand, CommandError

from borgerservice.catalogue.services import catalogue_load_copenhagen
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = "Load the Copenhagen catalogue (departments, areas, services, centres). Idempotent."

    def handle(self, *args, **options):
        try:
            report = catalogue_load_copenhagen()
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
        from borgerservice.cases.services import case_types_ensure

        self.stdout.write(f"case types created: {case_types_ensure()}")
        self.stdout.write(self.style.SUCCESS("Copenhagen catalogue loaded."))
