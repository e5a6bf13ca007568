"""Create demo queue groups and counters in every citizen service centre (DEMO=1 only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from borgerservice.queueing.demo import demo_queues_create
from borgerservice.queueing.models import QueueGroup


class Command(BaseCommand):
    help = "Create demo queue groups (A–D) and counters in every service centre (DEMO=1 only)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="only when there are none")

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("Refusing to create demo queues: DEMO is not enabled.")
        if options["if_empty"] and QueueGroup.objects.exists():
            self.stdout.write("queue groups exist already; no demo queues created")
            return
        result = demo_queues_create()
        self.stdout.write(
            f"demo queues: {result.centres} centres, {result.groups} new queue groups, "
            f"{result.counters} new counters"
        )
