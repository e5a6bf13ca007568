"""Reads of the catalogue, shared by the staff workplace and the API.

The catalogue is public information (it describes services, not people), so
every signed-in staff member and every API client may read all of it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from borgerservice.core.channels import Channel
from borgerservice.core.errors import NotFound, ServiceError

from . import search as weights
from .models import (
    CatalogueState,
    Department,
    KleTopic,
    LifeSituation,
    Service,
    ServiceArea,
    ServiceCentre,
    ServiceChannel,
)
from .search import SearchIndex


class PerCatalogueVersion:
    """A value built once per process from the database and built again when the
    catalogue's version number changes (``catalogue_bump_version``), so every app server
    answers alike. ``version`` reads the number: on every call of ``get``, or with
    ``max_age`` at most once in that many seconds (for values read very often whose
    changes may take a moment to arrive)."""

    def __init__(self, build, version=None, max_age: float | None = None) -> None:
        self._build = build
        self._read_version = version or catalogue_version
        self._max_age = max_age
        self._checked: tuple[float, int] | None = None
        self._lock = threading.Lock()
        # (version, value built from it), replaced as one value so a reader never pairs a
        # new version with an old value.
        self._cached: tuple[int, object] | None = None

    def get(self):
        version = self._version()
        cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1]
        with self._lock:
            cached = self._cached
            if cached is None or cached[0] != version:
                # Read the version again inside the lock: the value then matches at least
                # this version, and a newer change makes the next call build it again.
                version = self._version()
                cached = (version, self._build())
                self._cached = cached
            return cached[1]

    def _version(self) -> int:
        if self._max_age is None:
            return self._read_version()
        now = time.monotonic()
        checked = self._checked
        if checked is None or now - checked[0] >= self._max_age:
            checked = (now, self._read_version())
            self._checked = checked
        return checked[1]

    def clear(self) -> None:
        self._cached = None
        self._checked = None


def catalogue_version() -> int:
    return CatalogueState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _build_index() -> SearchIndex:
    services = list(
        Service.objects.select_related("area", "area__parent", "department").order_by("pk")
    )
    topics = {
        topic.code: topic
        for topic in KleTopic.objects.filter(code__in={s.kle_code for s in services if s.kle_code})
    }
    documents = []
    for service in services:
        fields: list[tuple[str, float]] = [
            (service.name_da, weights.W_NAME_DA),
            (service.name_en, weights.W_NAME_EN),
            (service.area.name_da, weights.W_AREA),
            (service.area.name_en, weights.W_AREA * 0.8),
            (service.description_da, weights.W_DESCRIPTION),
            (service.description_en, weights.W_DESCRIPTION * 0.8),
            (f"{service.department.code} {service.department.name_da}", weights.W_DEPARTMENT),
        ]
        fields += [(text, weights.W_SYNONYM_DA) for text in service.synonyms_da]
        fields += [(text, weights.W_SYNONYM_EN) for text in service.synonyms_en]
        topic = topics.get(service.kle_code)
        if topic is not None:
            fields.append((topic.title, weights.W_KLE_TITLE))
            fields += [(keyword, weights.W_KLE_KEYWORD) for keyword, _weight in topic.keywords]
        phrases = [service.name_da, service.name_en, *service.synonyms_da, *service.synonyms_en]
        documents.append((service.pk, service.name_da, fields, phrases))
    return SearchIndex(documents)


def catalogue_index() -> SearchIndex:
    """The search index of this process, rebuilt when the catalogue has changed."""
    return _index.get()


_index = PerCatalogueVersion(_build_index)


# -- services -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceFilters:
    q: str = ""
    department: Department | None = None
    level: int | None = None
    channel: str | None = None
    life_situation: LifeSituation | None = None
    area: ServiceArea | None = None
    self_service: bool | None = None


def service_filters_parse(
    *,
    q: str | None = None,
    department: str | None = None,
    level: int | str | None = None,
    channel: str | None = None,
    life_situation: str | None = None,
    area: str | None = None,
    self_service: bool | None = None,
) -> ServiceFilters:
    """Turn raw filter values into checked filters; bad values raise a ``ServiceError``."""
    if isinstance(q, str):
        # Text pasted from a letter or an email may hold tabs and line breaks.
        q = " ".join(q.split())
    for name, value in (
        ("q", q),
        ("department", department),
        ("channel", channel),
        ("life_situation", life_situation),
        ("area", area),
    ):
        if isinstance(value, str) and any(ord(char) < 32 for char in value):
            raise ServiceError(
                "search.control_characters",
                _("The value of %(field)s contains characters that are not allowed."),
                field=name,
                params={"field": name},
            )
    q = (q or "").strip()
    if len(q) > settings.SEARCH_MAX_QUERY_LENGTH:
        raise ServiceError(
            "search.query_too_long",
            _("The search text may be at most %(max)d characters long."),
            field="q",
            params={"max": settings.SEARCH_MAX_QUERY_LENGTH},
        )
    found_department = None
    if department:
        found_department = department_find(department)
    parsed_level = None
    if level not in (None, ""):
        try:
            parsed_level = int(level)
        except (TypeError, ValueError):
            parsed_level = 0
        if parsed_level not in (1, 2, 3):
            raise ServiceError(
                "search.bad_level", _("The handling level must be 1, 2 or 3."), field="level"
            )
    if channel and channel not in Channel.values:
        raise ServiceError(
            "search.bad_channel",
            _("Unknown channel. Use one of: %(choices)s."),
            field="channel",
            params={"choices": ", ".join(Channel.values)},
        )
    found_situation = None
    if life_situation:
        found_situation = LifeSituation.objects.filter(code=life_situation).first()
        if found_situation is None:
            raise ServiceError(
                "search.bad_life_situation",
                _("Unknown life situation. Use one of: %(choices)s."),
                field="life_situation",
                params={"choices": ", ".join(LifeSituation.objects.values_list("code", flat=True))},
            )
    found_area = None
    if area:
        found_area = ServiceArea.objects.filter(code=area).first()
        if found_area is None:
            raise ServiceError(
                "search.bad_area",
                _("Unknown service area %(code)s."),
                field="area",
                params={"code": area},
            )
    return ServiceFilters(
        q=q,
        department=found_department,
        level=parsed_level,
        channel=channel or None,
        life_situation=found_situation,
        area=found_area,
        self_service=self_service,
    )


def _with_related(queryset: QuerySet[Service]) -> QuerySet[Service]:
    return queryset.select_related("department", "area").prefetch_related(
        Prefetch("channel_links", queryset=ServiceChannel.objects.order_by("channel")),
        "life_situations",
        "source_departments",
    )


def _filtered(filters: ServiceFilters) -> QuerySet[Service]:
    queryset = Service.objects.all()
    if filters.department is not None:
        department = filters.department
        if department.kind == Department.Kind.FORMER:
            queryset = queryset.filter(source_departments=department)
        else:
            queryset = queryset.filter(department=department)
    if filters.level is not None:
        queryset = queryset.filter(**{f"level_{filters.level}": True})
    if filters.channel:
        queryset = queryset.filter(channel_links__channel=filters.channel)
    if filters.life_situation is not None:
        queryset = queryset.filter(life_situations=filters.life_situation)
    if filters.area is not None:
        area = filters.area
        queryset = queryset.filter(Q(area=area) | Q(area__parent=area))
    if filters.self_service is not None:
        queryset = queryset.filter(self_service=filters.self_service)
    return queryset


def _has_filters(filters: ServiceFilters) -> bool:
    return any(
        value is not None
        for value in (
            filters.department,
            filters.level,
            filters.channel,
            filters.life_situation,
            filters.area,
            filters.self_service,
        )
    )


class RankedServices(Sequence):
    """Search results in rank order; slicing loads only the services on the page."""

    def __init__(self, ids: list[int], scores: dict[int, float]):
        self.ids = ids
        self.scores = scores

    def __len__(self) -> int:
        return len(self.ids)

    def count(self, value=None) -> int:  # Ninja's paginator asks for .count()
        return len(self.ids)

    def __getitem__(self, item):
        if isinstance(item, slice):
            ids = self.ids[item]
            by_id = {s.pk: s for s in _with_related(Service.objects.filter(pk__in=ids))}
            page = [by_id[pk] for pk in ids if pk in by_id]
            for service in page:
                service.score = self.scores.get(service.pk)
            return page
        return self[item : item + 1][0]


def service_search(filters: ServiceFilters) -> Sequence[Service] | QuerySet[Service]:
    """Services matching the filters; ranked by relevance when there is a text query."""
    if not filters.q:
        return _with_related(_filtered(filters).distinct()).order_by("name_da")
    hits = catalogue_index().search(filters.q)
    if _has_filters(filters):
        allowed = set(_filtered(filters).values_list("pk", flat=True))
        hits = [hit for hit in hits if hit.service_id in allowed]
    return RankedServices([hit.service_id for hit in hits], {h.service_id: h.score for h in hits})


_CODE = re.compile(r"^[-a-z0-9]{1,80}$")


def service_get(code: str) -> Service:
    service = (
        _with_related(Service.objects.filter(code=code)).first() if _CODE.match(code) else None
    )
    if service is None:
        raise NotFound(
            "catalogue.service_not_found",
            _("No service has the code %(code)s."),
            params={"code": code},
        )
    return service


# -- departments, areas, centres ----------------------------------------------------------------


def department_find(value: str) -> Department:
    """A department by slug or code (case-insensitive); current departments win over 2005."""
    value = value.strip()
    candidates = list(
        Department.objects.filter(Q(slug__iexact=value) | Q(code__iexact=value)).order_by(
            "kind", "sort_order"
        )
    )
    if not candidates:
        raise ServiceError(
            "catalogue.unknown_department",
            _("Unknown department %(code)s."),
            field="department",
            params={"code": value},
        )
    for kind in (Department.Kind.CURRENT, Department.Kind.EXTERNAL, Department.Kind.FORMER):
        for department in candidates:
            if department.slug.lower() == value.lower() and department.kind == kind:
                return department
    for kind in (Department.Kind.CURRENT, Department.Kind.EXTERNAL, Department.Kind.FORMER):
        for department in candidates:
            if department.kind == kind:
                return department
    return candidates[0]


def department_get(slug: str) -> Department:
    department = None
    if _CODE.match(slug):
        department = (
            Department.objects.prefetch_related("successors", "predecessors")
            .filter(slug=slug)
            .first()
        )
    if department is None:
        raise NotFound(
            "catalogue.department_not_found",
            _("No department is called %(code)s."),
            params={"code": slug},
        )
    return department


def department_list() -> QuerySet[Department]:
    return Department.objects.prefetch_related("successors").order_by("kind", "sort_order")


def department_services_by_level(department: Department) -> dict[int, list[Service]]:
    """The department's services grouped under each handling level they have."""
    if department.kind == Department.Kind.FORMER:
        services = Service.objects.filter(source_departments=department)
    else:
        services = Service.objects.filter(department=department)
    grouped: dict[int, list[Service]] = {1: [], 2: [], 3: []}
    for service in _with_related(services).order_by("name_da"):
        for level in service.levels:
            grouped[level].append(service)
    return grouped


def area_list() -> QuerySet[ServiceArea]:
    return (
        ServiceArea.objects.select_related("department", "parent")
        .prefetch_related("volumes", "sla_targets")
        .order_by("kind", "code")
    )


def centre_list() -> QuerySet[ServiceCentre]:
    return ServiceCentre.objects.prefetch_related("opening_hours").order_by("sort_order")


def life_situation_list() -> QuerySet[LifeSituation]:
    return LifeSituation.objects.order_by("sort_order")
