"""Triage endpoints: classify a text, and deliver an incoming message to the inbox.

``POST /api/v1/triage`` answers with the three most likely services for a text; it stores
nothing. ``POST /api/v1/inbox/messages`` files an email (as fields or as the raw RFC 822
source) or a scanned letter's text in the inbox, where it is classified and routed (see
``contacts.inbox``); it is idempotent by Message-ID or the ``Idempotency-Key`` header.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema, Status

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.core.errors import ServiceError

from .inbox import MessageInput, inbound_message_receive, message_from_email
from .models import InboundMessage
from .triage_services import MAX_TEXT, triage_classify

router = Router(tags=["triage"], auth=STAFF_AUTH)


class TriageIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT, description="Subject and body of the inquiry")


class SuggestionOut(Schema):
    code: str = Field(description="Service code")
    name_da: str
    name_en: str
    department: str = Field(description="Department code")
    confidence: float = Field(description="Calibrated probability, 0 to 1")


class TriageOut(Schema):
    suggestions: list[SuggestionOut] = Field(description="The top 3, best first")
    model_version: int


@router.post(
    "/triage",
    response={200: TriageOut, 400: ErrorOut, 503: ErrorOut},
    summary="Suggest the services a free text is about",
)
def classify(request: HttpRequest, body: TriageIn):
    """The three most likely services for a citizen's text (an email, a web message, a
    scanned letter), with department and a calibrated confidence. CPR numbers, phone numbers
    and email addresses are masked before classification; nothing is stored. 503 when no
    model has been trained."""
    reject_unknown_parameters(request, set())
    version, rows = triage_classify([body.text])
    return {"suggestions": rows[0], "model_version": version}


class MessageIn(Schema):
    kind: InboundMessage.Kind = InboundMessage.Kind.EMAIL
    raw: str | None = Field(
        None,
        max_length=200_000,
        description="The whole email (RFC 822). When given, the fields below are read from it.",
    )
    subject: str = Field("", max_length=300)
    body: str = Field("", max_length=MAX_TEXT)
    sender_name: str = Field("", max_length=200)
    sender_email: str = Field("", max_length=254)
    message_id: str | None = Field(None, max_length=300, description="The email's Message-ID")
    received_at: datetime | None = Field(None, description="Default: now")


class MessageOut(Schema):
    id: int
    kind: str
    state: str = Field(description="triage, routed, accepted, corrected or dismissed")
    subject: str
    received_at: datetime
    suggestions: list[dict] = Field(description="[{code, confidence}], best first")
    model_version: int | None
    service: str | None = Field(description="Where it was routed")
    work_item_id: int | None

    @staticmethod
    def resolve_service(obj: InboundMessage) -> str | None:
        return obj.service.code if obj.service_id else None


@router.post(
    "/inbox/messages",
    response={200: MessageOut, 201: MessageOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Deliver an incoming email or letter to the inbox",
)
def deliver(
    request: HttpRequest,
    body: MessageIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="Needed when there is no Message-ID"
    ),
):
    """File one message: it is classified and routed to the service's work queue when the
    triage is confident enough for the department, otherwise it waits in the triage queue.
    201 for a new message; 200 with the stored message when the same Message-ID or key was
    delivered before."""
    from borgerservice.accounts.access import require_person_role

    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    if body.raw:
        data = message_from_email(body.raw)
        data.kind = body.kind
    else:
        data = MessageInput(
            kind=body.kind,
            subject=body.subject,
            body=body.body,
            sender_name=body.sender_name,
            sender_email=body.sender_email,
            message_id=body.message_id,
            received_at=body.received_at,
        )
    if not data.message_id and not idempotency_key.strip():
        raise ServiceError(
            "inbox.key_missing",
            _("Give the email's Message-ID or an Idempotency-Key header."),
            field="Idempotency-Key",
        )
    message, created = inbound_message_receive(data=data, idempotency_key=idempotency_key)
    return Status(201 if created else 200, message)
