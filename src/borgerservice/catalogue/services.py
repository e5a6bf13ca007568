"""Actions that change the catalogue: loading the Copenhagen data and importing KLE."""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from borgerservice.core.channels import Channel
from borgerservice.core.errors import ServiceError

from .models import (
    AreaVolume,
    CatalogueState,
    Department,
    KleTopic,
    LifeSituation,
    OpeningHours,
    Service,
    ServiceArea,
    ServiceCentre,
    ServiceChannel,
    ServiceLevelTarget,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

SERVICE_FIELDS = (
    "code",
    "name_da",
    "name_en",
    "dept_2005",
    "lists",
    "status",
    "department",
    "area",
    "description_da",
    "description_en",
    "guidance_da",
    "guidance_en",
    "bring_da",
    "bring_en",
    "elsewhere_da",
    "elsewhere_en",
    "channels",
    "preferred_channel",
    "self_service",
    "sla_working_days",
    "life_situations",
    "kle",
    "synonyms_da",
    "synonyms_en",
)


@dataclass
class LoadReport:
    departments: int = 0
    areas: int = 0
    volumes: int = 0
    sla_targets: int = 0
    life_situations: int = 0
    services: int = 0
    centres: int = 0
    opening_hours: int = 0
    removed: int = 0

    def lines(self) -> list[str]:
        return [
            f"departments: {self.departments}",
            f"service areas: {self.areas}",
            f"area volumes: {self.volumes}",
            f"service-level figures: {self.sla_targets}",
            f"life situations: {self.life_situations}",
            f"services: {self.services}",
            f"service centres: {self.centres}",
            f"opening hours: {self.opening_hours}",
            f"removed (no longer in the files): {self.removed}",
        ]


_bulk_load = threading.local()


def catalogue_bump_version() -> None:
    """Mark the catalogue as changed so every process rebuilds its search index."""
    updated = CatalogueState.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        CatalogueState.objects.get_or_create(pk=1, defaults={"version": 1})


def catalogue_change_recorded() -> None:
    """Called for every saved catalogue row; a bulk load bumps the version once instead."""
    if not getattr(_bulk_load, "active", False):
        catalogue_bump_version()


@contextmanager
def _one_version_bump():
    _bulk_load.active = True
    try:
        yield
    finally:
        _bulk_load.active = False
    catalogue_bump_version()


def _upsert(model, *, defaults: dict, **lookup):
    """Create the row, or update only the fields whose values differ (no needless writes)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults), True
    changed = []
    for name, value in defaults.items():
        current = (
            getattr(obj, f"{name}_id")
            if isinstance(value, models.Model) or model._meta.get_field(name).is_relation
            else getattr(obj, name)
        )
        wanted = value.pk if isinstance(value, models.Model) else value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        auto_now = [f.name for f in model._meta.fields if getattr(f, "auto_now", False)]
        obj.save(update_fields=changed + auto_now)
    return obj, False


def _read_json(path: Path):
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise ServiceError(
            "catalogue.data_missing",
            _("The data file %(path)s is missing."),
            params={"path": str(path)},
        ) from exc
    except json.JSONDecodeError as exc:
        raise ServiceError(
            "catalogue.data_invalid",
            _("The data file %(path)s is not valid JSON: %(error)s"),
            params={"path": str(path), "error": str(exc)},
        ) from exc


def _invalid(message: str) -> ServiceError:
    return ServiceError(
        "catalogue.data_invalid",
        _("The catalogue data is invalid: %(detail)s"),
        params={"detail": message},
    )


def _time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def load_service_files(data_dir: Path) -> list[dict]:
    """Read and check every service entry of ``data_dir/services/*.json``."""
    entries: list[dict] = []
    for path in sorted((data_dir / "services").glob("*.json")):
        for entry in _read_json(path):
            missing = [name for name in SERVICE_FIELDS if name not in entry]
            if missing:
                raise _invalid(f"{path.name}: {entry.get('code')} lacks {', '.join(missing)}")
            entries.append(entry)
    codes = [entry["code"] for entry in entries]
    duplicates = {code for code in codes if codes.count(code) > 1}
    if duplicates:
        raise _invalid(f"duplicate service codes {sorted(duplicates)}")
    channels = set(Channel.values)
    for entry in entries:
        unknown = set(entry["channels"]) - channels
        if unknown:
            raise _invalid(f"{entry['code']}: unknown channels {sorted(unknown)}")
        if entry["preferred_channel"] not in entry["channels"]:
            raise _invalid(f"{entry['code']}: preferred channel is not among its channels")
        if not entry["lists"] or set(entry["lists"]) - set(Service.TaskList.values):
            raise _invalid(f"{entry['code']}: bad task lists {entry['lists']}")
    return entries


@transaction.atomic
def catalogue_load_copenhagen(*, data_dir: Path = DATA_DIR) -> LoadReport:
    """Create or update the whole Copenhagen catalogue from the project's data files.

    Idempotent: rows are matched on their stable codes, so running it again
    changes nothing but the content that changed in the files.
    """
    report = LoadReport()
    with _one_version_bump():
        departments = _load_departments(_read_json(data_dir / "departments.json"), report)
        areas = _load_areas(_read_json(data_dir / "areas.json"), departments, report)
        situations = _load_life_situations(_read_json(data_dir / "life_situations.json"), report)
        services = load_service_files(data_dir)
        _load_services(services, departments, areas, situations, report)
        _load_centres(_read_json(data_dir / "centres.json"), report)
        # What the files no longer hold is removed, so the database mirrors them.
        report.removed += Service.objects.exclude(code__in=[e["code"] for e in services]).delete()[
            0
        ]
        report.removed += _prune(ServiceArea, code__in=areas)
        report.removed += _prune(LifeSituation, code__in=situations)
        report.removed += _prune(Department, pk__in=[d.pk for d in departments.values()])
    return report


def _prune(model, **keep) -> int:
    """Delete the rows not kept; refuse when other data still points at one of them."""
    try:
        return model.objects.exclude(**keep).delete()[0]
    except models.ProtectedError as exc:
        raise _invalid(f"{model.__name__} rows removed from the files are still in use") from exc


def _load_departments(data: dict, report: LoadReport) -> dict[tuple[str, str], Department]:
    by_key: dict[tuple[str, str], Department] = {}
    order = 0
    for kind in ("current", "external", "former"):
        for item in data[kind]:
            order += 1
            department, _created = _upsert(
                Department,
                code=item["code"],
                kind=kind,
                defaults={
                    "slug": item["slug"],
                    "name_da": item["name_da"],
                    "name_en": item["name_en"],
                    "description_da": item.get("description_da", ""),
                    "description_en": item.get("description_en", ""),
                    "sort_order": order,
                },
            )
            by_key[(kind, item["code"])] = department
    for item in data["former"]:
        successors = [by_key[("current", code)] for code in item["successors"]]
        by_key[("former", item["code"])].successors.set(successors)
    report.departments = len(by_key)
    return by_key


def _current_department(departments, code: str) -> Department:
    department = departments.get(("current", code)) or departments.get(("external", code))
    if department is None:
        raise _invalid(f"unknown department {code!r}")
    return department


def _load_areas(data: dict, departments, report: LoadReport) -> dict[str, ServiceArea]:
    areas: dict[str, ServiceArea] = {}
    for item in data["areas"]:
        department = (
            _current_department(departments, item["department"]) if item["department"] else None
        )
        area, _created = _upsert(
            ServiceArea,
            code=item["code"],
            defaults={
                "name_da": item["name_da"],
                "name_en": item["name_en"],
                "kind": item["kind"],
                "department": department,
            },
        )
        areas[item["code"]] = area
    for item in data["areas"]:
        parent = item.get("parent")
        if parent and parent not in areas:
            raise _invalid(f"area {item['code']} has unknown parent {parent}")
        _upsert(
            ServiceArea,
            code=item["code"],
            defaults={"parent": areas[parent] if parent else None},
        )
    for item in data["volumes"]:
        channels = item.get("channels") or {}
        _upsert(
            AreaVolume,
            area=areas[item["area"]],
            year=item["year"],
            defaults={
                "source_tables": ",".join(item.get("tables", [])),
                "in_table2_total": bool(item.get("in_table2_total")),
                "fte": _decimal(item.get("fte")),
                "contacts": item.get("contacts"),
                "cases": item.get("cases"),
                "applications": item.get("applications"),
                "resolved_count": item.get("resolved_count"),
                "resolved_share_pct": _decimal(item.get("resolved_share_pct")),
                "budget_tdkk": item.get("budget_tdkk"),
                "budget_excl_benefits_tdkk": item.get("budget_excl_benefits_tdkk"),
                "channel_unit": item.get("channel_unit") or AreaVolume.ChannelUnit.COUNT,
                **{
                    f"channel_{name}": _decimal(channels.get(name))
                    for name in AreaVolume.CHANNEL_FIELDS
                },
                "note_da": item.get("note_da", ""),
                "note_en": item.get("note_en", ""),
            },
        )
        report.volumes += 1
    for item in data.get("slas", []):
        _upsert(
            ServiceLevelTarget,
            area=areas[item["area"]],
            measure_da=item["measure_da"],
            defaults={
                "measure_en": item["measure_en"],
                "target": item.get("target") or "",
                "value": _decimal(item.get("value")),
                "unit": item.get("unit") or "",
                "note_da": item.get("note_da", ""),
                "note_en": item.get("note_en", ""),
            },
        )
        report.sla_targets += 1
    kept_volumes = {(item["area"], item["year"]) for item in data["volumes"]}
    for volume in AreaVolume.objects.select_related("area"):
        if (volume.area.code, volume.year) not in kept_volumes:
            report.removed += volume.delete()[0]
    kept_targets = {(item["area"], item["measure_da"]) for item in data.get("slas", [])}
    for target in ServiceLevelTarget.objects.select_related("area"):
        if (target.area.code, target.measure_da) not in kept_targets:
            report.removed += target.delete()[0]
    report.areas = len(areas)
    return areas


def _load_life_situations(data: list, report: LoadReport) -> dict[str, LifeSituation]:
    situations = {}
    for order, item in enumerate(data, start=1):
        situation, _created = _upsert(
            LifeSituation,
            code=item["code"],
            defaults={
                "name_da": item["name_da"],
                "name_en": item["name_en"],
                "description_da": item.get("description_da", ""),
                "description_en": item.get("description_en", ""),
                "sort_order": order,
            },
        )
        situations[item["code"]] = situation
    report.life_situations = len(situations)
    return situations


def _load_services(entries, departments, areas, situations, report: LoadReport) -> None:
    for entry in entries:
        if entry["area"] not in areas:
            raise _invalid(f"{entry['code']}: unknown area {entry['area']!r}")
        levels = Service.levels_for(entry["lists"])
        service, _created = _upsert(
            Service,
            code=entry["code"],
            defaults={
                "name_da": entry["name_da"],
                "name_en": entry["name_en"],
                "description_da": entry["description_da"],
                "description_en": entry["description_en"],
                "guidance_da": entry["guidance_da"],
                "guidance_en": entry["guidance_en"],
                "bring_da": entry["bring_da"],
                "bring_en": entry["bring_en"],
                "elsewhere_da": entry["elsewhere_da"],
                "elsewhere_en": entry["elsewhere_en"],
                "note_da": entry.get("note_da", ""),
                "note_en": entry.get("note_en", ""),
                "department": _current_department(departments, entry["department"]),
                "area": areas[entry["area"]],
                "task_lists": entry["lists"],
                "level_1": 1 in levels,
                "level_2": 2 in levels,
                "level_3": 3 in levels,
                "handled_in": Service.handled_in_for(entry["lists"]),
                "status": (
                    Service.Status.EXISTING if entry["status"] == "x" else Service.Status.NEW
                ),
                "preferred_channel": entry["preferred_channel"],
                "self_service": bool(entry["self_service"]),
                "sla_working_days": entry["sla_working_days"],
                "sla_note": entry.get("sla_note") or "",
                "kle_code": entry["kle"] or "",
                "synonyms_da": entry["synonyms_da"],
                "synonyms_en": entry["synonyms_en"],
            },
        )
        sources = []
        for code in entry["dept_2005"].split("/"):
            department = departments.get(("former", code)) or departments.get(("external", code))
            if department is None:
                raise _invalid(f"{entry['code']}: unknown 2005 department {code!r}")
            sources.append(department)
        service.source_departments.set(sources)
        unknown = set(entry["life_situations"]) - set(situations)
        if unknown:
            raise _invalid(f"{entry['code']}: unknown life situations {sorted(unknown)}")
        service.life_situations.set([situations[code] for code in entry["life_situations"]])
        ServiceChannel.objects.filter(service=service).exclude(
            channel__in=entry["channels"]
        ).delete()
        existing = set(service.channel_links.values_list("channel", flat=True))
        ServiceChannel.objects.bulk_create(
            [
                ServiceChannel(service=service, channel=channel)
                for channel in entry["channels"]
                if channel not in existing
            ]
        )
        report.services += 1


def _load_centres(data: dict, report: LoadReport) -> None:
    hours = data["opening_hours"]
    for order, item in enumerate(data["centres"], start=1):
        centre, _created = _upsert(
            ServiceCentre,
            code=item["code"],
            defaults={
                "name_da": item["name_da"],
                "name_en": item["name_en"],
                "kind": item["kind"],
                "description_da": item.get("description_da", ""),
                "description_en": item.get("description_en", ""),
                "sort_order": order,
            },
        )
        report.centres += 1
        lines = item.get("lines") or ["general"]
        wanted: set[tuple[str, int]] = set()
        for line in lines:
            pattern = hours[item["kind"] if line == "general" else line]
            for days, (opens, closes) in pattern.items():
                weekdays = range(0, 5) if days == "mon-fri" else [5] if days == "sat" else [6]
                for weekday in weekdays:
                    _upsert(
                        OpeningHours,
                        centre=centre,
                        line=line,
                        weekday=weekday,
                        defaults={"opens": _time(opens), "closes": _time(closes)},
                    )
                    wanted.add((line, weekday))
                    report.opening_hours += 1
        for row in centre.opening_hours.all():
            if (row.line, row.weekday) not in wanted:
                report.removed += row.delete()[0]
    report.removed += _prune(ServiceCentre, code__in=[item["code"] for item in data["centres"]])


# --- KLE --------------------------------------------------------------------------------------

_KLE_LINE = re.compile(
    r"^KLENummer='(?P<code>[0-9]{2}(?:\.[0-9]{2}){0,2})'"
    r":KLETitel='(?P<title>.*?)'"
    r":Keywords\[Weight\]=(?P<keywords>.*)$"
)
_KLE_KEYWORD = re.compile(r"(?P<word>[^;\[\]]+)\[\s*(?P<weight>[0-9]+)\s*\]")


@dataclass
class KleImportReport:
    topics: int = 0
    keywords: int = 0
    skipped_lines: int = 0
    removed: int = 0
    services_mapped: int = 0


@dataclass
class KleFile:
    topics: list[tuple[str, str, list[list]]]
    skipped_lines: list[int]


def parse_kle_file(path: Path) -> KleFile:
    """Parse the OS2KLE text format into (code, title, [[keyword, weight], ...]).

    Lines that start like a KLE line but cannot be read are counted, with their line
    numbers, so an import never drops topics without saying so.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ServiceError(
            "kle.file_missing", _("The KLE file %(path)s does not exist."), params={"path": path}
        ) from exc
    except UnicodeDecodeError as exc:
        raise ServiceError(
            "kle.file_encoding", _("The KLE file must be UTF-8 text."), params={}
        ) from exc
    topics: list[tuple[str, str, list[list]]] = []
    skipped: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _KLE_LINE.match(line.strip())
        if not match:
            if line.strip().startswith("KLENummer="):
                skipped.append(number)
            continue
        keywords: list[list] = []
        seen: set[str] = set()
        for kw in _KLE_KEYWORD.finditer(match["keywords"]):
            word = kw["word"].strip()
            # OS2KLE uses very high weights on internal journal codes ("ok01"); those
            # are not words anyone searches for.
            if not word or int(kw["weight"]) >= 1000 or word.lower() in seen:
                continue
            seen.add(word.lower())
            keywords.append([word, int(kw["weight"])])
        topics.append((match["code"], match["title"].strip(), keywords))
    if not topics:
        raise ServiceError(
            "kle.file_empty",
            _("No KLE topics were found in the file; is it in the OS2KLE text format?"),
        )
    return KleFile(topics, skipped)


@transaction.atomic
def kle_import(*, path: Path) -> KleImportReport:
    """Import (or re-import) KLE topics and their keywords. Idempotent."""
    parsed = parse_kle_file(Path(path))
    topics = parsed.topics
    report = KleImportReport(skipped_lines=len(parsed.skipped_lines))
    existing = {topic.code: topic for topic in KleTopic.objects.all()}
    to_create, to_update = [], []
    for code, title, keywords in topics:
        report.topics += 1
        report.keywords += len(keywords)
        topic = existing.get(code)
        if topic is None:
            to_create.append(KleTopic(code=code, title=title, keywords=keywords))
        elif topic.title != title or topic.keywords != keywords:
            topic.title, topic.keywords = title, keywords
            to_update.append(topic)
    KleTopic.objects.bulk_create(to_create, batch_size=500)
    KleTopic.objects.bulk_update(to_update, ["title", "keywords"], batch_size=500)
    codes = {code for code, _title, _keywords in topics}
    # The file is the whole KLE: topics it no longer holds are removed.
    report.removed = KleTopic.objects.exclude(code__in=codes).delete()[0]
    report.services_mapped = Service.objects.filter(kle_code__in=codes).count()
    catalogue_bump_version()
    return report
