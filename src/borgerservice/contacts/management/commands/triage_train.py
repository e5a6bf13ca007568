from django.core.management.base import BaseCommand, CommandError

from borgerservice.contacts.triage_services import triage_model_train
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Train a new version of the triage model from the catalogue, the project's phrasings, "
        "KLE keywords (when imported) and staff decisions; store it and make it active."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-activate", action="store_true", help="store the version without activating it"
        )
        parser.add_argument(
            "--if-none", action="store_true", help="only when no version is stored yet"
        )

    def handle(self, *args, **options):
        from borgerservice.contacts.models import TriageModel

        if options["if_none"] and TriageModel.objects.exists():
            self.stdout.write("a triage model exists already; none trained")
            return
        try:
            report = triage_model_train(activate=not options["no_activate"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        model = report.model
        metrics = model.metrics
        self.stdout.write(
            f"triage model v{model.version}{' (active)' if model.active else ''}: "
            f"{model.examples} examples, {model.services} services, "
            f"{metrics.get('features', 0)} features, {model.corrections} staff decisions, "
            f"trained in {report.seconds:.1f} s"
        )
        if "calibration_top1" in metrics:
            self.stdout.write(
                f"calibration part ({metrics['calibration_examples']} phrasings held back): "
                f"top-1 {metrics['calibration_top1']:.1%}, "
                f"top-3 {metrics['calibration_top3']:.1%}, "
                f"calibration error {metrics['calibration_ece']:.3f}, "
                f"temperature {metrics['temperature']}"
            )
