"""Closed cases past their retention period: the dry-run report, or (``--apply``) the
anonymisation itself. The report shows no personal data: case numbers, case types,
dates and document counts."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from borgerservice.cases.retention import retention_apply, retention_report


class Command(BaseCommand):
    help = (
        "List the closed cases whose retention period has ended (a dry run), "
        "or anonymise them with --apply."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply", action="store_true", help="anonymise the cases instead of listing them"
        )
        parser.add_argument(
            "--today", help="the date to judge retention on (YYYY-MM-DD; default today)"
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be a date as YYYY-MM-DD") from exc
        if options["apply"]:
            count = retention_apply(today=today)
            self.stdout.write(f"Anonymised {count} case(s) past retention on {today:%Y-%m-%d}.")
            return
        rows = retention_report(today=today)
        for row in rows:
            self.stdout.write(
                f"{row['number']}  {row['case_type']}  closed {row['closed_on']:%Y-%m-%d}  "
                f"retention {row['retention_years']} years "
                f"(ended {row['retention_ended_on']:%Y-%m-%d})  "
                f"{row['documents']} document(s)"
            )
        self.stdout.write(
            f"Total: {len(rows)} case(s) past retention on {today:%Y-%m-%d} "
            "(dry run; nothing changed, use --apply to anonymise)."
        )
