"""The inbox of written inquiries: receive, classify, route (automatically or by staff).

A message arrives by email (the ingest API or ``triage_ingest_mailbox``), from the portal's
"write to us" or as a scanned letter. It is classified at once. When the best suggestion's
confidence reaches the threshold of that service's department and a work queue handles the
service, it becomes a work item in that queue without anyone looking at it first. Otherwise it
waits in the triage queue, where one click accepts a suggestion or picks another service; the
decision is recorded as ``TriageFeedback`` (masked text, who decided) and trains the next
model version. Receiving is idempotent by the email's Message-ID or an idempotency key, so a
mail fetched twice or a retried request files one message.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from email.utils import parseaddr, parsedate_to_datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.access import require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.catalogue.models import Service
from borgerservice.core.errors import NotFound, ServiceError

from .models import InboundMessage, TriageFeedback
from .triage import prepare
from .triage_services import MAX_TEXT, service_info, threshold_for, triage_classify

MAX_SUBJECT = 300
MAX_KEY = 100


def _error(code: str, message, *, status: int = 400, field: str | None = None, **params):
    return ServiceError(code, message, status=status, field=field, params=params)


@dataclass
class MessageInput:
    kind: str
    body: str
    subject: str = ""
    sender_name: str = ""
    sender_email: str = ""
    citizen_id: int | None = None
    received_at: datetime | None = None
    message_id: str | None = None


def _clean(data: MessageInput) -> dict:
    if data.kind not in InboundMessage.Kind.values:
        raise _error("inbox.bad_kind", _("Unknown kind of message."), field="kind")
    subject = " ".join((data.subject or "").split())
    body = (data.body or "").strip()
    if not body and not subject:
        raise _error("inbox.empty", _("The message has no text."), field="body")
    if len(subject) > MAX_SUBJECT:
        raise _error(
            "inbox.subject_too_long",
            _("The subject may be at most %(max)d characters."),
            field="subject",
            max=MAX_SUBJECT,
        )
    if len(body) > MAX_TEXT:
        raise _error(
            "inbox.body_too_long",
            _("The text may be at most %(max)d characters."),
            field="body",
            max=MAX_TEXT,
        )
    sender_email = (data.sender_email or "").strip()
    if sender_email:
        try:
            validate_email(sender_email)
        except ValidationError as exc:
            raise _error(
                "inbox.bad_email", _("The email address is not valid."), field="sender_email"
            ) from exc
    now = timezone.now()
    received = data.received_at or now
    if timezone.is_naive(received):
        received = timezone.make_aware(received)
    if received > now + timedelta(minutes=5):
        raise _error(
            "inbox.in_future", _("A message cannot be received in the future."), field="received_at"
        )
    message_id = (data.message_id or "").strip()[:300] or None
    return {
        "kind": data.kind,
        "subject": subject,
        "body": body or subject,
        "sender_name": " ".join((data.sender_name or "").split())[:200],
        "sender_email": sender_email,
        "citizen_id": data.citizen_id,
        "received_at": received,
        "message_id": message_id,
    }


def _existing(values: dict, key: str | None) -> InboundMessage | None:
    if values["message_id"]:
        found = InboundMessage.objects.filter(message_id=values["message_id"]).first()
        if found is not None:
            return found
    if key:
        found = InboundMessage.objects.filter(idempotency_key=key).first()
        if found is not None:
            if (found.subject, found.body) != (values["subject"], values["body"]):
                raise _error(
                    "inbox.idempotency_conflict",
                    _("The idempotency key was already used for a different message."),
                    status=409,
                    field="Idempotency-Key",
                )
            return found
    return None


def inbound_message_receive(
    *, data: MessageInput, idempotency_key: str | None = None
) -> tuple[InboundMessage, bool]:
    """File one incoming message, classify it and route it when the triage is sure enough.
    Returns (message, created); a message received before is returned as it is."""
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY:
        raise _error(
            "inbox.bad_idempotency_key",
            _("The idempotency key may be at most %(max)d characters."),
            field="Idempotency-Key",
            max=MAX_KEY,
        )
    values = _clean(data)
    existing = _existing(values, key)
    if existing is not None:
        return existing, False
    message = InboundMessage(**values, idempotency_key=key)
    try:
        version, rows = triage_classify([message.text])
        message.suggestions = [{"code": s["code"], "confidence": s["confidence"]} for s in rows[0]]
        message.model_version = version
        message.confidence = rows[0][0]["confidence"] if rows[0] else None
    except ServiceError as exc:
        if exc.code != "triage.no_model":
            raise
        message.triage_note = "no_model"
    try:
        with transaction.atomic():
            message.save()
            _route_automatically(message)
    except IntegrityError:
        existing = _existing(values, key)  # a concurrent delivery of the same message
        if existing is None:
            raise
        return existing, False
    return message, True


# Why a message waits for a person (stored as a code, shown translated).
WAIT_REASONS = {
    "no_model": _("No triage model is trained yet."),
    "below_threshold": _("The best suggestion is below the department's threshold."),
    "no_queue": _("No work queue handles the suggested service."),
    "no_suggestion": _("The triage found no service."),
}


def _route_automatically(message: InboundMessage) -> None:
    from borgerservice.queueing.work import queue_for_service, work_item_from_message

    if message.triage_note:
        return
    if not message.suggestions:
        message.triage_note = "no_suggestion"
    else:
        best = message.suggestions[0]
        service = Service.objects.filter(code=best["code"]).first()
        threshold = threshold_for(service.department_id) if service else Decimal(1)
        # 1.00 means "never": a person always looks at the department's messages.
        if service is None or threshold >= 1 or best["confidence"] < float(threshold):
            message.triage_note = "below_threshold"
        else:
            queue = queue_for_service(service)
            if queue is None:
                message.triage_note = "no_queue"
            else:
                message.work_item = work_item_from_message(
                    message=message, service=service, queue=queue
                )
                message.service = service
                message.state = InboundMessage.State.ROUTED
                message.routed_at = timezone.now()
    message.save(update_fields=["triage_note", "work_item", "service", "state", "routed_at"])


def _locked(message_id: int) -> InboundMessage:
    message = InboundMessage.objects.select_for_update(of=("self",)).filter(pk=message_id).first()
    if message is None:
        raise NotFound("inbox.not_found", _("The message does not exist."))
    if message.state != InboundMessage.State.TRIAGE:
        raise _error(
            "inbox.already_routed",
            _("The message has already been routed or dismissed."),
            status=409,
        )
    return message


@transaction.atomic
def inbound_message_route(*, user, message_id: int, service_code: str) -> InboundMessage:
    """A person routes a waiting message: to the suggested service (accepted) or to another
    (corrected). The decision is kept with the masked text as training data."""
    from borgerservice.queueing.work import queue_for_service, work_item_from_message

    require_person_role(user)
    service = Service.objects.filter(code=(service_code or "").strip()).first()
    if service is None:
        raise _error("inbox.unknown_service", _("Choose a service."), field="service")
    message = _locked(message_id)
    queue = queue_for_service(service)
    if queue is None:
        raise _error(
            "inbox.no_queue",
            _("No work queue handles “%(service)s”. Ask an administrator to add it to a queue."),
            field="service",
            service=service.name,
        )
    suggested_code = message.suggestions[0]["code"] if message.suggestions else None
    corrected = service.code != suggested_code
    TriageFeedback.objects.create(
        message=message,
        text=prepare(message.text),
        suggested=Service.objects.filter(code=suggested_code).first() if suggested_code else None,
        chosen=service,
        corrected=corrected,
        model_version=message.model_version,
        decided_by=user,
    )
    message.work_item = work_item_from_message(
        message=message, service=service, queue=queue, actor=user
    )
    message.service = service
    message.state = InboundMessage.State.CORRECTED if corrected else InboundMessage.State.ACCEPTED
    message.routed_at = timezone.now()
    message.routed_by = user
    message.save(update_fields=["work_item", "service", "state", "routed_at", "routed_by"])
    _audit(user, message, "change", "routed to " + service.code)
    return message


@transaction.atomic
def inbound_message_dismiss(*, user, message_id: int) -> InboundMessage:
    """Close a waiting message that needs no handling (spam, not for the municipality)."""
    require_person_role(user)
    message = _locked(message_id)
    message.state = InboundMessage.State.DISMISSED
    message.routed_at = timezone.now()
    message.routed_by = user
    message.save(update_fields=["state", "routed_at", "routed_by"])
    _audit(user, message, "change", "dismissed")
    return message


def _audit(user, message: InboundMessage, action: str, what: str) -> None:
    if message.citizen_id is not None:
        audit_record(
            actor=user,
            action=action,
            what=f"incoming message {message.pk}: {what}",
            citizen_ids=[message.citizen_id],
        )


def suggestions_with_names(message: InboundMessage) -> list[dict]:
    """The stored suggestions with the services' names and departments, for display."""
    info = service_info([s["code"] for s in message.suggestions])
    return [
        {
            "code": s["code"],
            "name_da": info[s["code"]].name_da,
            "name_en": info[s["code"]].name_en,
            "department": info[s["code"]].department,
            "confidence": s["confidence"],
        }
        for s in message.suggestions
        if s["code"] in info
    ]


# --- email parsing ------------------------------------------------------------------------------

_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def message_from_email(raw: bytes | str) -> MessageInput:
    """An RFC 822 email as a message: sender, subject, the plain-text body (or the HTML body
    without tags), Date and Message-ID. Without a Message-ID, a hash of the source is used so
    the same mail read twice is filed once."""
    source = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    parsed = email.message_from_bytes(source, policy=email.policy.default)
    body_part = parsed.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        try:
            body = body_part.get_content()
        except (LookupError, UnicodeDecodeError):
            body = body_part.get_payload(decode=True).decode("utf-8", "replace")
        if body_part.get_content_subtype() == "html":
            body = html.unescape(_TAGS.sub(" ", body))
    name, address = parseaddr(str(parsed.get("From", "")))
    received = None
    if parsed.get("Date"):
        try:
            received = parsedate_to_datetime(str(parsed["Date"]))
        except (TypeError, ValueError):
            received = None
    now = timezone.now()
    if received is not None and received > now:
        received = now  # a sender's clock running fast
    message_id = str(parsed.get("Message-ID", "")).strip()
    if not message_id:
        message_id = "sha256:" + hashlib.sha256(source).hexdigest()
    try:
        validate_email(address)
    except ValidationError:
        address = ""
    return MessageInput(
        kind=InboundMessage.Kind.EMAIL,
        subject=str(parsed.get("Subject", "")),
        body=body,
        sender_name=name,
        sender_email=address,
        received_at=received,
        message_id=message_id,
    )
