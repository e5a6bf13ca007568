"""Put a background task on the queue: the way a scheduler (cron, a systemd timer, a
Kubernetes CronJob) starts the platform's periodic jobs, which the workers then run."""

import json

from django.core.management.base import BaseCommand, CommandError

from borgerservice.core.tasks import REGISTRY, enqueue


class Command(BaseCommand):
    help = "Enqueue a registered background task, e.g. cases.deadline_scan."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the task's registered name")
        parser.add_argument("--kwargs", default="{}", help="JSON object of arguments")

    def handle(self, *args, **options):
        name = options["name"]
        if name not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise CommandError(f"unknown task {name!r}; known tasks: {known}")
        try:
            kwargs = json.loads(options["kwargs"])
        except json.JSONDecodeError as exc:
            raise CommandError(f"--kwargs is not valid JSON: {exc}") from exc
        if not isinstance(kwargs, dict):
            raise CommandError("--kwargs must be a JSON object")
        enqueue(name, **kwargs)
        self.stdout.write(f"enqueued {name}")
