import json
import sys

from django.core.management.base import BaseCommand, CommandError

from borgerservice.contacts.triage_services import triage_classify
from borgerservice.core.errors import ServiceError

BATCH = 256


class Command(BaseCommand):
    help = (
        'Classify JSON lines {"text": ...} from standard input; prints one JSON line '
        '{"suggestions": [{"code", "name_da", "department", "confidence"}, ...]} per input, '
        'the top 3 best first. A line that cannot be read gets {"error": ...}.'
    )

    def handle(self, *args, **options):
        out = self.stdout
        batch: list[tuple[int, str | None, str | None]] = []

        def flush() -> None:
            texts = [text for _n, text, error in batch if error is None]
            rows = iter([])
            if texts:
                try:
                    rows = iter(triage_classify(texts)[1])
                except ServiceError as exc:
                    raise CommandError(exc.message) from exc
            for _n, _text, error in batch:
                if error is not None:
                    out.write(json.dumps({"error": error}, ensure_ascii=False))
                else:
                    out.write(json.dumps({"suggestions": next(rows)}, ensure_ascii=False))
            batch.clear()

        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = row.get("text") if isinstance(row, dict) else None
            except json.JSONDecodeError:
                text = None
            if not isinstance(text, str) or not text.strip():
                batch.append((number, None, f'line {number}: expected {{"text": ...}}'))
            elif len(text) > 20_000:
                batch.append((number, None, f"line {number}: text longer than 20000 characters"))
            else:
                batch.append((number, text, None))
            if len(batch) >= BATCH:
                flush()
        flush()
