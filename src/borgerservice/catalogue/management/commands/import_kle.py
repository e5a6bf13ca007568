from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from borgerservice.catalogue.services import kle_import
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = "Import KLE topics and keywords from a file in the OS2KLE text format (OS2KLE.txt)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Path to OS2KLE.txt")

    def handle(self, *args, **options):
        try:
            report = kle_import(path=options["file"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"KLE topics: {report.topics}, keywords: {report.keywords}, "
            f"services with a KLE topic: {report.services_mapped}, "
            f"removed topics: {report.removed}"
        )
        if report.skipped_lines:
            self.stderr.write(
                self.style.WARNING(
                    f"{report.skipped_lines} KLE lines could not be read and were skipped."
                )
            )
