"""Citizen endpoints: search and one citizen, both under need-to-know and audited."""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters

from . import selectors
from .models import Citizen

router = Router(tags=["citizens"], auth=STAFF_AUTH)


class CitizenSummaryOut(Schema):
    id: int
    name: str
    cpr_masked: str = Field(description="CPR number masked as DDMMYY-XXXX")
    birth_date: date
    postcode: str = Field(description="Empty for citizens with name and address protection")

    @staticmethod
    def resolve_name(obj: Citizen) -> str:
        return obj.full_name

    @staticmethod
    def resolve_postcode(obj: Citizen) -> str:
        return "" if obj.name_address_protected else obj.postcode


class HouseholdMemberOut(Schema):
    id: int
    name: str
    relation: str
    cpr_masked: str
    birth_date: date


class CitizenOut(CitizenSummaryOut):
    sex: str
    address: str
    postal: str
    moved_in_on: date | None
    name_address_protected: bool
    deceased_on: date | None
    digital_post_exempt: bool
    preferred_language: str
    household: list[HouseholdMemberOut]
    life_situations: list[str]
    purpose: str

    @staticmethod
    def resolve_address(obj: Citizen) -> str:
        return obj.address_line

    @staticmethod
    def resolve_postal(obj: Citizen) -> str:
        return obj.postal_line


class SearchResultOut(Schema):
    items: list[CitizenSummaryOut]
    count: int


@router.get(
    "/citizens",
    response={200: SearchResultOut, 400: ErrorOut, 403: ErrorOut},
    summary="Search citizens by CPR number or name",
)
def search(request: HttpRequest, q: str = Query(..., description="Full CPR number or a name")):
    """At most 20 results, CPR numbers masked. Only staff whose role gives access to persons;
    every search with results is written to the audit log."""
    reject_unknown_parameters(request, {"q"})
    results = selectors.citizen_search(user=request.user, query=q, channel="api")
    return {"items": results, "count": len(results)}


@router.get(
    "/citizens/{citizen_id}",
    response={200: CitizenOut, 403: ErrorOut, 404: ErrorOut},
    summary="One citizen (needs a purpose)",
)
def detail(request: HttpRequest, citizen_id: int):
    """Needs an active purpose for this citizen: a contact the caller registered in the last
    hours, or a reason given with POST /citizens/{id}/purpose. Audited."""
    reject_unknown_parameters(request, set())
    view = selectors.citizen_get_for_view(user=request.user, citizen_id=citizen_id, channel="api")
    citizen = view.citizen
    citizen.household = [
        {
            "id": m.citizen.pk,
            "name": m.citizen.full_name,
            "relation": m.relation,
            "cpr_masked": m.citizen.cpr_masked,
            "birth_date": m.citizen.birth_date,
        }
        for m in view.household
    ]
    citizen.life_situations = [hint.situation.code for hint in view.hints]
    citizen.purpose = view.purpose.kind
    return citizen


class PurposeIn(Schema):
    reason: str


class PurposeOut(Schema):
    kind: str
    expires_at: str


@router.post(
    "/citizens/{citizen_id}/purpose",
    response={201: PurposeOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Give a reason for opening a citizen",
)
def purpose(request: HttpRequest, citizen_id: int, body: PurposeIn):
    from django.utils.translation import gettext_lazy as _

    from borgerservice.accounts.access import purpose_grant_reason, require_person_role
    from borgerservice.core.errors import NotFound

    require_person_role(request.user)
    if not Citizen.objects.filter(pk=citizen_id).exists():
        raise NotFound("citizen.not_found", _("The citizen does not exist."))
    granted = purpose_grant_reason(user=request.user, citizen_id=citizen_id, reason=body.reason)
    return Status(201, {"kind": granted.kind, "expires_at": granted.expires_at.isoformat()})
