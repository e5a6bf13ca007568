"""Create the audit log's monthly partitions ahead of time (PostgreSQL; run monthly)."""

from django.core.management.base import BaseCommand
from django.db import connection

from borgerservice.accounts.audit_sql import postgres_partitions_sql


class Command(BaseCommand):
    help = "Create monthly audit-log partitions for the coming months (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=12)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: the audit log is not partitioned here.")
            return
        with connection.cursor() as cursor:
            cursor.execute(
                postgres_partitions_sql(months_back=0, months_ahead=options["months_ahead"])
            )
        self.stdout.write(f"Audit partitions exist for {options['months_ahead']} months ahead.")
