"""The triage model's life cycle: training data, training, versions, classification.

Training data (see docs/triage.md):

- the catalogue: every service's Danish and English name, each synonym, the citizen
  description and the staff guidance;
- the phrasings this project wrote (``triage_data/train/*.jsonl``): for the highest-volume
  services at least 15 each, in the styles citizens write;
- KLE: the title and keywords of the service's KLE topic, when a KLE file is imported;
- staff decisions in the triage queue (``TriageFeedback``), stored masked, as they happen.

The held-out evaluation file (``triage_data/eval/heldout.jsonl``) is never read here.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sklearn
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.catalogue.models import Department, KleTopic, Service
from borgerservice.catalogue.selectors import PerCatalogueVersion
from borgerservice.core.errors import ServiceError

from .models import TriageFeedback, TriageModel, TriageThreshold
from .triage import Example, Params, Suggestion, TriageClassifier, evaluate, prepare, train

DATA_DIR = Path(__file__).resolve().parent / "triage_data"
TRAIN_DIR = DATA_DIR / "train"
HELDOUT_FILE = DATA_DIR / "eval" / "heldout.jsonl"
HIGH_VOLUME_FILE = DATA_DIR / "high_volume.txt"
KLE_CHUNK = 12  # keywords per KLE training example
MAX_TEXT = 20_000


def _error(code: str, message, *, status: int = 400, field: str | None = None, **params):
    return ServiceError(code, message, status=status, field=field, params=params)


# --- training data ----------------------------------------------------------------------------


def read_jsonl(path: Path, *, need_service: bool = True) -> list[dict]:
    """The objects of a JSON-lines file; a line that is not an object with a text (and a
    service) is refused with its line number."""
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise _error(
            "triage.file_missing", _("The file %(path)s does not exist."), path=str(path)
        ) from exc
    except UnicodeDecodeError as exc:
        raise _error("triage.file_encoding", _("The file must be UTF-8 text.")) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        rows.append(parse_line(line, number, need_service=need_service))
    return rows


def parse_line(line: str, number: int, *, need_service: bool) -> dict:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _error("triage.bad_line", _("Line %(line)d is not valid JSON."), line=number) from exc
    if not isinstance(row, dict) or not isinstance(row.get("text"), str):
        raise _error(
            "triage.bad_line",
            _('Line %(line)d must be an object with a "text".'),
            line=number,
        )
    if need_service and not isinstance(row.get("service"), str):
        raise _error(
            "triage.bad_line",
            _('Line %(line)d must be an object with a "text" and a "service".'),
            line=number,
        )
    return row


def high_volume_services() -> list[str]:
    lines = HIGH_VOLUME_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def phrasing_examples() -> list[Example]:
    examples = []
    for path in sorted(TRAIN_DIR.glob("*.jsonl")):
        for row in read_jsonl(path):
            examples.append(Example(prepare(row["text"]), row["service"], "phrasing"))
    return examples


def catalogue_examples(services: Iterable[Service]) -> list[Example]:
    examples = []
    for service in services:
        texts = [service.name_da, service.name_en]
        texts += list(service.synonyms_da or []) + list(service.synonyms_en or [])
        texts += [service.description_da, service.description_en, service.guidance_da]
        if service.area_id:
            texts.append(f"{service.name_da} {service.area.name_da}")
        examples += [Example(t, service.code, "catalogue") for t in texts if t and t.strip()]
    return examples


def kle_examples(services: Iterable[Service]) -> list[Example]:
    by_code: dict[str, list[str]] = {}
    for service in services:
        if service.kle_code:
            by_code.setdefault(service.kle_code, []).append(service.code)
    examples = []
    for topic in KleTopic.objects.filter(code__in=list(by_code)):
        words = [str(k[0]) for k in topic.keywords or [] if k]
        chunks = [topic.title] + [
            " ".join(words[i : i + KLE_CHUNK]) for i in range(0, len(words), KLE_CHUNK)
        ]
        # A KLE topic shared by several services says less about each of them.
        weight = 0.5 / len(by_code[topic.code])
        for code in by_code[topic.code]:
            examples += [Example(c, code, "kle", weight) for c in chunks if c.strip()]
    return examples


def staff_examples(services: dict[str, Service]) -> list[Example]:
    valid = {s.pk: s.code for s in services.values()}
    return [
        Example(text, valid[chosen], "staff", 2.0)
        for text, chosen in TriageFeedback.objects.values_list("text", "chosen_id")
        if chosen in valid
    ]


def training_examples() -> list[Example]:
    services = {
        s.code: s for s in Service.objects.select_related("area").order_by("code").iterator()
    }
    if not services:
        raise _error(
            "triage.no_catalogue",
            _("The catalogue is empty; load it before training (load_copenhagen)."),
        )
    examples = catalogue_examples(services.values())
    examples += [e for e in phrasing_examples() if e.service in services]
    examples += kle_examples(services.values())
    examples += staff_examples(services)
    return examples


# --- versions ---------------------------------------------------------------------------------


@dataclass
class TrainReport:
    model: TriageModel
    seconds: float


def triage_model_train(
    *, user=None, activate: bool = True, params: Params | None = None
) -> TrainReport:
    """Train a new version from the current training data, store it and (by default) make
    it the active version."""
    started = time.perf_counter()
    examples = training_examples()
    classifier = train(examples, params)
    seconds = time.perf_counter() - started
    artifact = classifier.dumps()
    info = classifier.info
    with transaction.atomic():
        latest = TriageModel.objects.select_for_update().aggregate(v=Max("version"))["v"]
        model = TriageModel.objects.create(
            version=(latest or 0) + 1,
            created_by=user,
            artifact=artifact,
            artifact_sha256=hashlib.sha256(artifact).hexdigest(),
            library_version=sklearn.__version__,
            examples=info["examples"],
            services=info["services"],
            corrections=info["sources"].get("staff", 0),
            training_seconds=round(seconds, 2),
            metrics=dict(info),
        )
        if activate:
            _activate(model)
    return TrainReport(model, seconds)


def _activate(model: TriageModel) -> None:
    TriageModel.objects.filter(active=True).exclude(pk=model.pk).update(active=False)
    model.active = True
    model.activated_at = timezone.now()
    model.save(update_fields=["active", "activated_at"])
    clear_cache()  # this process asks again at once (and again after the commit)
    transaction.on_commit(clear_cache)


def _unknown_version(version: int) -> ServiceError:
    return _error(
        "triage.unknown_version",
        _("There is no triage model version %(version)s."),
        status=404,
        version=version,
    )


def triage_model_activate(*, version: int, user=None) -> TriageModel:
    """Make a stored version the active one (for instance back to an earlier version)."""
    try:
        with transaction.atomic():
            model = TriageModel.objects.select_for_update().filter(version=version).first()
            if model is None:
                raise _unknown_version(version)
            _activate(model)
    except IntegrityError as exc:  # another activation won the race
        raise _error(
            "triage.activation_conflict",
            _("Another version was activated at the same moment; try again."),
            status=409,
        ) from exc
    return model


# --- the active model, once per process ---------------------------------------------------------

_lock = threading.Lock()
_loaded: tuple[tuple[int, str], int, TriageClassifier] | None = None
# Which version is active is asked at most every ACTIVE_CHECK_SECONDS per process: a switch
# reaches every app server within that time (and this process at once).
ACTIVE_CHECK_SECONDS = 2.0
_checked: tuple[float, tuple[int, str] | None] | None = None


def active_classifier() -> tuple[int, TriageClassifier] | None:
    """The active version and its classifier, loaded once per process and again whenever
    another version becomes active (one indexed query per call)."""
    global _loaded, _checked
    now = time.monotonic()
    if _checked is not None and now - _checked[0] < ACTIVE_CHECK_SECONDS:
        row = _checked[1]
    else:
        row = TriageModel.objects.filter(active=True).values_list("pk", "artifact_sha256").first()
        _checked = (now, row)
    if row is None:
        return None
    current = _loaded
    if current is not None and current[0] == row:
        return current[1], current[2]
    with _lock:
        if _loaded is None or _loaded[0] != row:
            model = TriageModel.objects.only("version", "artifact").get(pk=row[0])
            data = bytes(model.artifact)
            if hashlib.sha256(data).hexdigest() != row[1]:
                raise _error(
                    "triage.corrupt_model",
                    _("The stored triage model is damaged; train a new version."),
                    status=500,
                )
            _loaded = (row, model.version, TriageClassifier.loads(data))
        return _loaded[1], _loaded[2]


def clear_cache() -> None:
    global _loaded, _checked
    _loaded = None
    _checked = None


# --- classifying ------------------------------------------------------------------------------


@dataclass
class ServiceInfo:
    code: str
    name_da: str
    name_en: str
    department: str
    department_id: int | None


def _load_service_info() -> dict[str, ServiceInfo]:
    return {
        code: ServiceInfo(code, name_da, name_en, dept_code or "", dept_id)
        for code, name_da, name_en, dept_code, dept_id in Service.objects.values_list(
            "code", "name_da", "name_en", "department__code", "department_id"
        )
    }


_service_info = PerCatalogueVersion(_load_service_info, max_age=ACTIVE_CHECK_SECONDS)


def service_info(codes: Iterable[str]) -> dict[str, ServiceInfo]:
    """Name and department of services, cached per process and refreshed when the
    catalogue changes."""
    known = _service_info.get()
    return {c: known[c] for c in codes if c in known}


def no_model_error() -> ServiceError:
    return _error(
        "triage.no_model",
        _("No triage model has been trained yet; run manage.py triage_train."),
        status=503,
    )


def check_text(text: object, *, field: str = "text") -> str:
    if not isinstance(text, str) or not text.strip():
        raise _error("triage.text_missing", _("Write the text to classify."), field=field)
    if len(text) > MAX_TEXT:
        raise _error(
            "triage.text_too_long",
            _("The text may be at most %(max)d characters."),
            field=field,
            max=MAX_TEXT,
        )
    return text


def triage_classify(texts: list[str], *, k: int = 3) -> tuple[int, list[list[dict]]]:
    """The top ``k`` services for each text: ``{code, name_da, department, confidence}``,
    best first. Raises ``triage.no_model`` when no version is active."""
    loaded = active_classifier()
    if loaded is None:
        raise no_model_error()
    version, classifier = loaded
    prepared = [prepare(check_text(t)) for t in texts]
    suggestions = classifier.suggest(prepared, k=k)
    info = service_info({s.code for row in suggestions for s in row})
    return version, [[_suggestion(s, info) for s in row if s.code in info] for row in suggestions]


def _suggestion(s: Suggestion, info: dict[str, ServiceInfo]) -> dict:
    service = info[s.code]
    return {
        "code": s.code,
        "name_da": service.name_da,
        "name_en": service.name_en,
        "department": service.department,
        "confidence": s.confidence,
    }


# --- thresholds --------------------------------------------------------------------------------


def default_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "TRIAGE_AUTO_ROUTE_THRESHOLD", "0.80")))


def threshold_for(department_id: int | None) -> Decimal:
    if department_id is None:
        return Decimal("1.00")
    row = TriageThreshold.objects.filter(department_id=department_id).values_list(
        "threshold", flat=True
    )
    return row.first() if row else default_threshold()


def triage_threshold_set(*, user, department: Department, threshold: Decimal) -> TriageThreshold:
    """Set the automatic-routing threshold of a department (team leads)."""
    from borgerservice.accounts.roles import TEAM_LEAD, has_role

    if not has_role(user, TEAM_LEAD) and not user.is_superuser:
        raise _error(
            "triage.not_team_lead", _("Only team leads can change the thresholds."), status=403
        )
    try:
        value = Decimal(str(threshold)).quantize(Decimal("0.01"))
        if not value.is_finite():
            raise ArithmeticError
    except ArithmeticError as exc:
        raise _error(
            "triage.bad_threshold", _("Write a threshold from 0 to 1."), field="threshold"
        ) from exc
    if not Decimal("0") <= value <= Decimal("1"):
        raise _error("triage.bad_threshold", _("Write a threshold from 0 to 1."), field="threshold")
    setting, _created = TriageThreshold.objects.update_or_create(
        department=department, defaults={"threshold": value, "updated_by": user}
    )
    return setting


# --- evaluation ---------------------------------------------------------------------------------


def triage_evaluate(path: Path, *, version: int | None = None):
    """Evaluate a stored version (the active one by default) on a JSON-lines file."""
    rows = read_jsonl(path)
    if version is None:
        loaded = active_classifier()
        if loaded is None:
            raise no_model_error()
        version, classifier = loaded
    else:
        model = TriageModel.objects.filter(version=version).first()
        if model is None:
            raise _unknown_version(version)
        classifier = TriageClassifier.loads(bytes(model.artifact))
    department_of = dict(Service.objects.values_list("code", "department__code"))
    return version, evaluate(classifier, [(r["text"], r["service"]) for r in rows], department_of)
