"""Catalogue endpoints: departments, services, areas with volumes, centres, life situations."""

from datetime import time
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.core.channels import Channel

from . import selectors
from .models import AreaVolume, Department, Service, ServiceArea

router = Router(tags=["catalogue"])

PAGINATION = {"limit", "offset"}
SERVICE_FILTERS = {"q", "department", "level", "channel", "life_situation", "area", "self_service"}


_allow = reject_unknown_parameters


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="Items per page (1–200).")
        offset: int = Field(0, ge=0, le=1_000_000, description="Number of items to skip.")


class DepartmentOut(Schema):
    code: str
    slug: str
    kind: str
    name_da: str
    name_en: str
    description_da: str
    description_en: str
    successors: list[str] = Field(
        description="For a 2005 department: the codes of the current departments it became."
    )

    @staticmethod
    def resolve_successors(obj: Department) -> list[str]:
        return [d.code for d in obj.successors.all()]


class ServiceOut(Schema):
    code: str
    name_da: str
    name_en: str
    department: str = Field(description="Code of the owning (current) department")
    source_departments: list[str] = Field(description="Codes in the 2005 task list")
    levels: list[int] = Field(description="Handling levels 1, 2 and/or 3")
    area: str
    handled_in: str
    status: str
    channels: list[str]
    preferred_channel: str
    self_service: bool
    sla_working_days: int | None
    life_situations: list[str]
    kle: str | None
    description_da: str
    description_en: str
    score: float | None = Field(None, description="Relevance when searching with q")

    @staticmethod
    def resolve_department(obj: Service) -> str:
        return obj.department.code

    @staticmethod
    def resolve_source_departments(obj: Service) -> list[str]:
        return [d.code for d in obj.source_departments.all()]

    @staticmethod
    def resolve_area(obj: Service) -> str:
        return obj.area.code

    @staticmethod
    def resolve_life_situations(obj: Service) -> list[str]:
        return [s.code for s in obj.life_situations.all()]

    @staticmethod
    def resolve_kle(obj: Service) -> str | None:
        return obj.kle_code or None

    @staticmethod
    def resolve_score(obj: Service) -> float | None:
        return getattr(obj, "score", None)


class ServiceDetailOut(ServiceOut):
    guidance_da: str
    guidance_en: str
    bring_da: list[str]
    bring_en: list[str]
    elsewhere_da: str
    elsewhere_en: str
    note_da: str
    note_en: str
    task_lists: list[str]
    synonyms_da: list[str]
    synonyms_en: list[str]


class ChannelSplitOut(Schema):
    unit: str
    personal: Decimal | None
    written: Decimal | None
    phone: Decimal | None
    digital: Decimal | None
    email: Decimal | None


class VolumeOut(Schema):
    year: int
    source_tables: list[str]
    in_table2_total: bool
    fte: Decimal | None
    contacts: int | None
    cases: int | None
    applications: int | None
    resolved_count: int | None
    resolved_share_pct: Decimal | None
    budget_tdkk: int | None
    budget_excl_benefits_tdkk: int | None
    channels: ChannelSplitOut
    note_da: str
    note_en: str

    @staticmethod
    def resolve_source_tables(obj: AreaVolume) -> list[str]:
        return [t for t in obj.source_tables.split(",") if t]

    @staticmethod
    def resolve_channels(obj: AreaVolume) -> dict:
        return {"unit": obj.channel_unit, **obj.channels}


class SlaOut(Schema):
    measure_da: str
    measure_en: str
    target: str
    value: Decimal | None
    unit: str


class AreaOut(Schema):
    code: str
    name_da: str
    name_en: str
    kind: str
    department: str | None
    parent: str | None
    volumes: list[VolumeOut]
    sla_targets: list[SlaOut]

    @staticmethod
    def resolve_department(obj: ServiceArea) -> str | None:
        return obj.department.code if obj.department_id else None

    @staticmethod
    def resolve_parent(obj: ServiceArea) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_volumes(obj: ServiceArea):
        return list(obj.volumes.all())

    @staticmethod
    def resolve_sla_targets(obj: ServiceArea):
        return list(obj.sla_targets.all())


class OpeningHoursOut(Schema):
    line: str
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    opens: time
    closes: time


class CentreOut(Schema):
    code: str
    kind: str
    name_da: str
    name_en: str
    description_da: str
    description_en: str
    opening_hours: list[OpeningHoursOut]

    @staticmethod
    def resolve_opening_hours(obj):
        return list(obj.opening_hours.all())


class LifeSituationOut(Schema):
    code: str
    name_da: str
    name_en: str
    description_da: str
    description_en: str


# -- endpoints ---------------------------------------------------------------------------------


@router.get("/departments", response=list[DepartmentOut], summary="List departments")
@paginate(Pagination)
def departments(request: HttpRequest):
    """Current departments, the 2005 departments of the task list (with their successors)
    and external authorities."""
    _allow(request, PAGINATION)
    return selectors.department_list()


@router.get(
    "/departments/{slug}",
    response={200: DepartmentOut, 404: ErrorOut},
    summary="One department",
)
def department(request: HttpRequest, slug: str):
    _allow(request, set())
    return selectors.department_get(slug)


@router.get("/services", response=list[ServiceOut], summary="List and search services")
@paginate(Pagination)
def services(
    request: HttpRequest,
    q: str | None = Query(None, description="Free text; ranked like the staff search"),
    department: str | None = Query(None, description="Department code or slug, e.g. KFF"),
    level: int | None = Query(None, ge=1, le=3, description="Handling level 1, 2 or 3"),
    channel: Channel | None = None,
    life_situation: str | None = Query(None, description="Life situation code, e.g. birth"),
    area: str | None = Query(None, description="Service area code"),
    self_service: bool | None = None,
):
    """Services of the catalogue. With `q` the list is ordered by relevance (best first);
    without it, alphabetically. Filters combine."""
    _allow(request, SERVICE_FILTERS | PAGINATION)
    filters = selectors.service_filters_parse(
        q=q,
        department=department,
        level=level,
        channel=channel.value if channel else None,
        life_situation=life_situation,
        area=area,
        self_service=self_service,
    )
    return selectors.service_search(filters)


@router.get(
    "/services/{code}", response={200: ServiceDetailOut, 404: ErrorOut}, summary="One service"
)
def service(request: HttpRequest, code: str):
    _allow(request, set())
    return selectors.service_get(code)


@router.get("/areas", response=list[AreaOut], summary="Service areas with volume figures")
@paginate(Pagination)
def areas(request: HttpRequest):
    """Areas of the 2010 analysis with FTE, contacts, cases, applications, the share
    resolved at once or by rule-based handling, and channel splits."""
    _allow(request, PAGINATION)
    return selectors.area_list()


@router.get("/centres", response=list[CentreOut], summary="Service centres and opening hours")
@paginate(Pagination)
def centres(request: HttpRequest):
    _allow(request, PAGINATION)
    return selectors.centre_list()


@router.get("/life-situations", response=list[LifeSituationOut], summary="Life situations")
@paginate(Pagination)
def life_situations(request: HttpRequest):
    _allow(request, PAGINATION)
    return selectors.life_situation_list()
