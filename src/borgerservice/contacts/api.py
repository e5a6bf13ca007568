"""Contact endpoints: register (idempotent) and list one citizen's contacts."""

from datetime import date, datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema, Status

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.core.channels import Channel
from borgerservice.core.errors import ServiceError

from . import selectors
from .models import Contact
from .services import ContactInput, contact_register

router = Router(tags=["contacts"], auth=STAFF_AUTH)


class ContactIn(Schema):
    channel: Channel
    outcome: Contact.Outcome
    services: list[str] = Field(..., min_length=1, max_length=10, description="Service codes")
    direction: Contact.Direction = Contact.Direction.INBOUND
    citizen_id: int | None = Field(None, description="The citizen, or leave out for anonymous")
    cpr: str | None = Field(None, max_length=11, description="Alternative to citizen_id")
    centre: str | None = Field(None, max_length=40, description="Centre code")
    started_at: datetime | None = None
    ended_at: datetime | None = None
    handed_over_to: str | None = Field(None, max_length=20, description="Department slug")
    forwarded_to: str = Field("", max_length=200)
    citizen_informed: bool = False
    could_be_digital: bool = False
    note: str = Field("", max_length=4000)


class ContactOut(Schema):
    id: int
    channel: str
    direction: str
    citizen_id: int | None
    services: list[str]
    centre: str | None
    staff: str | None
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    handed_over_to: str | None
    forwarded_to: str
    citizen_informed: bool
    could_be_digital: bool
    note: str

    @staticmethod
    def resolve_services(obj: Contact) -> list[str]:
        return [link.service.code for link in obj.service_links.all()]

    @staticmethod
    def resolve_centre(obj: Contact) -> str | None:
        return obj.centre.code if obj.centre_id else None

    @staticmethod
    def resolve_staff(obj: Contact) -> str | None:
        return obj.staff.get_username() if obj.staff_id else None

    @staticmethod
    def resolve_handed_over_to(obj: Contact) -> str | None:
        return obj.handed_over_to.slug if obj.handed_over_to_id else None


class ContactListOut(Schema):
    items: list[ContactOut]
    count: int


@router.post(
    "/contacts",
    response={200: ContactOut, 201: ContactOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Register a contact",
)
def create(
    request: HttpRequest,
    body: ContactIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", description="Unique per contact"),
):
    """Register one contact. The `Idempotency-Key` header is required: a retry with the same
    key and body returns the contact already registered (200) instead of a new one (201);
    the same key with another body is refused (409). An invalid CPR number gives 400 and
    nothing is stored."""
    reject_unknown_parameters(request, set())
    if not idempotency_key.strip():
        raise ServiceError(
            "contact.idempotency_key_missing",
            _("The Idempotency-Key header is required."),
            field="Idempotency-Key",
        )
    data = ContactInput(
        channel=body.channel.value,
        outcome=body.outcome.value if hasattr(body.outcome, "value") else body.outcome,
        services=body.services,
        direction=body.direction.value if hasattr(body.direction, "value") else body.direction,
        citizen_id=body.citizen_id,
        cpr=body.cpr,
        centre=body.centre,
        started_at=body.started_at,
        ended_at=body.ended_at,
        handed_over_to=body.handed_over_to,
        forwarded_to=body.forwarded_to,
        citizen_informed=body.citizen_informed,
        could_be_digital=body.could_be_digital,
        note=body.note,
    )
    contact, created = contact_register(
        user=request.user, data=data, idempotency_key=idempotency_key
    )
    if not created:  # a retry: read the stored contact as it was registered
        contact = selectors._with_related(Contact.objects.filter(pk=contact.pk)).get()
    return Status(201 if created else 200, contact)


@router.get(
    "/citizens/{citizen_id}/contacts",
    response={200: ContactListOut, 403: ErrorOut, 404: ErrorOut},
    summary="A citizen's contacts (need-to-know)",
)
def for_citizen(request: HttpRequest, citizen_id: int):
    """The contacts the caller may see (services in their portfolio, or registered by
    them), newest first, at most 200. Needs a purpose; audited."""
    reject_unknown_parameters(request, set())
    contacts = selectors.contacts_list_for_citizen(user=request.user, citizen_id=citizen_id)
    return {"items": contacts, "count": len(contacts)}


# --- channel shift --------------------------------------------------------------------


START_QUERY = Query(None, description="First day sent (default: 30 days before the end)")
END_QUERY = Query(None, description="Last day sent (default: today)")


class LinkStatOut(Schema):
    service: str = Field(description="Service code")
    service_name: str
    sent: int
    sent_email: int
    sent_sms: int
    used: int = Field(description="Links opened at least once")
    share: float = Field(description="used / sent, 0 to 1")


class LinkStatsOut(Schema):
    start: date
    end: date
    items: list[LinkStatOut]
    count: int


@router.get(
    "/contacts/self-service-links/stats",
    response={200: LinkStatsOut, 400: ErrorOut, 403: ErrorOut},
    summary="Self-service links sent and used, per service (analyst, team lead)",
)
def self_service_link_stats(
    request: HttpRequest,
    start: date | None = START_QUERY,
    end: date | None = END_QUERY,
):
    """Channel shift: per service, the links to the self-service staff sent from contacts
    in the period, how many the citizens opened and the share opened. No personal data;
    at most 366 days."""
    from borgerservice.accounts.roles import ANALYST, TEAM_LEAD, has_role

    from .links import link_stats

    reject_unknown_parameters(request, {"start", "end"})
    if not has_role(request.user, ANALYST, TEAM_LEAD):
        raise ServiceError(
            "access.denied", _("Only analysts and team leads see these figures."), status=403
        )
    end = end or timezone.localdate()
    start = start or end - timedelta(days=30)
    items = link_stats(start=start, end=end)
    return {"start": start, "end": end, "items": items, "count": len(items)}
