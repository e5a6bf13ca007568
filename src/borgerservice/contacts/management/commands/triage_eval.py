from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from borgerservice.contacts.triage_services import triage_evaluate
from borgerservice.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        'Evaluate the triage model on a JSON-lines file of {"text": ..., "service": ...}: '
        "top-1 and top-3 accuracy, macro-F1, calibration error and a confusion table between "
        "departments."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--model-version", type=int, help="a stored version (default: the active one)"
        )
        parser.add_argument("--misses", action="store_true", help="list the texts it got wrong")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, **options):
        try:
            version, result = triage_evaluate(options["file"], version=options["model_version"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            import json

            self.stdout.write(json.dumps({"version": version, **result.as_dict()}, indent=2))
            return
        out = self.stdout.write
        out(f"triage model v{version} on {options['file']} ({result.total} inquiries)")
        out(f"top-1 accuracy  {result.top1:.1%}")
        out(f"top-3 accuracy  {result.top3:.1%}")
        out(f"macro-F1        {result.macro_f1:.3f}")
        out(f"calibration error (ECE) {result.ece:.3f}")
        if result.unknown:
            out(f"{result.unknown} inquiries name a service the model does not know")
        out("")
        out("per department (true department): n, top-1, top-3")
        for department, stats in result.per_department.items():
            out(f"  {department:<8} {stats['n']:>5} {stats['top1']:>7.1%} {stats['top3']:>7.1%}")
        departments = sorted(
            set(result.confusion) | {p for row in result.confusion.values() for p in row}
        )
        out("")
        out("confusion (rows: true department, columns: department of the best suggestion)")
        out("         " + "".join(f"{d:>7}" for d in departments))
        for true in departments:
            row = result.confusion.get(true, {})
            if row:
                out(f"  {true:<7}" + "".join(f"{row.get(d, 0):>7}" for d in departments))
        if options["misses"]:
            out("")
            for code, predicted, text in result.misses:
                out(f"- {code} → {predicted}: {' '.join(text.split())}")
