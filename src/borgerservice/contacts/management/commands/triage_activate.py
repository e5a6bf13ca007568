from django.core.management.base import BaseCommand, CommandError

from borgerservice.contacts.models import TriageModel
from borgerservice.contacts.triage_services import triage_model_activate
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = "List the stored triage model versions, or make VERSION the active one."

    def add_arguments(self, parser):
        parser.add_argument("version", type=int, nargs="?", help="the version to activate")

    def handle(self, *args, **options):
        if options["version"] is not None:
            try:
                model = triage_model_activate(version=options["version"])
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"triage model v{model.version} is now active")
            return
        rows = TriageModel.objects.defer("artifact").order_by("-version")
        if not rows:
            self.stdout.write("no triage model is stored; run triage_train")
        for model in rows:
            metrics = model.metrics or {}
            self.stdout.write(
                f"{'*' if model.active else ' '} v{model.version}  "
                f"{model.created_at:%Y-%m-%d %H:%M}  "
                f"{model.examples} examples  {model.corrections} staff decisions  "
                f"calibration top-1 {metrics.get('calibration_top1', 0):.1%}"
            )
