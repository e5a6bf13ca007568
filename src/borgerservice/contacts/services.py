"""Registering contacts. Retried requests with the same idempotency key create nothing new."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.access import require_person_role
from borgerservice.analytics.rollups import rollup_refresh
from borgerservice.analytics.signals import rollup_signals_paused
from borgerservice.catalogue.models import Department, Service, ServiceCentre
from borgerservice.citizens.cpr import cpr_normalise
from borgerservice.citizens.models import Citizen
from borgerservice.core.channels import Channel
from borgerservice.core.errors import ServiceError

from .models import Contact, ContactService

MAX_KEY_LENGTH = 100


@dataclass
class ContactInput:
    channel: str
    outcome: str
    services: list[str] = field(default_factory=list)
    direction: str = Contact.Direction.INBOUND
    citizen_id: int | None = None
    cpr: str | None = None
    centre: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    handed_over_to: str | None = None
    forwarded_to: str = ""
    citizen_informed: bool = False
    could_be_digital: bool = False
    note: str = ""

    def fingerprint(self) -> str:
        data = asdict(self)
        data["services"] = sorted(self.services)
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _error(code: str, message, field: str | None = None, **params) -> ServiceError:
    return ServiceError(code, message, field=field, params=params or None)


def _resolve(data: ContactInput) -> dict:
    """Check every value and look up what it refers to; raise before anything is written."""
    if data.channel not in Channel.values:
        raise _error("contact.bad_channel", _("Unknown channel."), "channel")
    if data.outcome not in Contact.Outcome.values:
        raise _error("contact.bad_outcome", _("Unknown outcome."), "outcome")
    if data.direction not in Contact.Direction.values:
        raise _error("contact.bad_direction", _("Unknown direction."), "direction")
    codes = list(dict.fromkeys(data.services))
    if not codes:
        raise _error("contact.no_service", _("Choose at least one service."), "services")
    services = list(Service.objects.filter(code__in=codes).only("id", "code"))
    if len(services) != len(codes):
        missing = sorted(set(codes) - {s.code for s in services})
        raise _error(
            "contact.unknown_service",
            _("Unknown service: %(codes)s."),
            "services",
            codes=", ".join(missing),
        )
    citizen = None
    if data.cpr:
        cpr = cpr_normalise(data.cpr)
        citizen = Citizen.objects.filter(cpr=cpr).only("id").first()
        if citizen is None:
            raise _error("contact.unknown_citizen", _("No citizen has that CPR number."), "cpr")
    elif data.citizen_id is not None:
        citizen = Citizen.objects.filter(pk=data.citizen_id).only("id").first()
        if citizen is None:
            raise _error("contact.unknown_citizen", _("The citizen does not exist."), "citizen_id")
    centre = None
    if data.centre:
        centre = ServiceCentre.objects.filter(code=data.centre).first()
        if centre is None:
            raise _error("contact.unknown_centre", _("Unknown centre."), "centre")
    handed_over_to = None
    if data.outcome == Contact.Outcome.HANDED_OVER:
        if not data.handed_over_to:
            raise _error(
                "contact.handover_unit_missing",
                _("Choose the department the contact is handed over to."),
                "handed_over_to",
            )
        handed_over_to = Department.objects.filter(
            slug=data.handed_over_to, kind__in=["current", "external"]
        ).first()
        if handed_over_to is None:
            raise _error("contact.unknown_department", _("Unknown department."), "handed_over_to")
    if data.outcome == Contact.Outcome.FORWARDED_AUTHORITY and (
        not data.forwarded_to.strip() or not data.citizen_informed
    ):
        raise _error(
            "contact.forward_incomplete",
            _(
                "Forwarding to another authority needs the authority's name and the citizen "
                "informed (forvaltningsloven § 7)."
            ),
            "forwarded_to",
        )
    now = timezone.now()
    started = data.started_at or now
    if timezone.is_naive(started):
        started = timezone.make_aware(started)
    ended = data.ended_at
    if ended is not None and timezone.is_naive(ended):
        ended = timezone.make_aware(ended)
    if started > now + timedelta(minutes=5):
        raise _error("contact.in_future", _("A contact cannot start in the future."), "started_at")
    if ended is not None and ended < started:
        raise _error(
            "contact.ends_before_start", _("The contact cannot end before it starts."), "ended_at"
        )
    if len(data.note) > 4000:
        raise _error(
            "contact.note_too_long", _("The note may be at most 4,000 characters."), "note"
        )
    return {
        "services": services,
        "citizen": citizen,
        "centre": centre,
        "handed_over_to": handed_over_to,
        "started_at": started,
        "ended_at": ended,
    }


def contact_register(
    *, user, data: ContactInput, idempotency_key: str | None = None
) -> tuple[Contact, bool]:
    """Register one contact; returns (contact, created).

    With an idempotency key a retry returns the contact the first request created;
    the same key with a different request is refused. Concurrent requests with one key
    create one contact: the database's unique constraint decides.
    """
    require_person_role(user)
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise _error(
            "contact.bad_idempotency_key",
            _("The idempotency key may be at most %(max)d characters."),
            "Idempotency-Key",
            max=MAX_KEY_LENGTH,
        )
    fingerprint = data.fingerprint()
    # No look-up first: the unique constraint on the key finds a retry (below), which
    # saves the common, first request a query.
    try:
        resolved = _resolve(data)
    except ServiceError:
        # A retry of a contact registered before the catalogue changed still answers
        # with that contact.
        existing = _existing(key, fingerprint) if key is not None else None
        if existing is None:
            raise
        return existing, False
    try:
        with transaction.atomic():
            # The contact and its services are counted into the rollups once, together.
            with rollup_signals_paused("contact"):
                contact = Contact.objects.create(
                    channel=data.channel,
                    direction=data.direction,
                    citizen=resolved["citizen"],
                    centre=resolved["centre"] or _user_centre(user),
                    staff=user,
                    started_at=resolved["started_at"],
                    ended_at=resolved["ended_at"],
                    outcome=data.outcome,
                    handed_over_to=resolved["handed_over_to"],
                    forwarded_to=data.forwarded_to.strip(),
                    citizen_informed=data.citizen_informed,
                    could_be_digital=data.could_be_digital,
                    note=data.note.strip(),
                    idempotency_key=key,
                    request_fingerprint=fingerprint,
                )
                links = ContactService.objects.bulk_create(
                    [ContactService(contact=contact, service=s) for s in resolved["services"]]
                )
            rollup_refresh(source="contact", ids=[contact.pk])
            # The caller can render the contact without reading it back.
            contact._prefetched_objects_cache = {"service_links": links}
            # No purpose row is written here: a contact the staff member registered in the
            # last hours is itself their purpose (accounts.access.purpose_active).
            _hand_over(user, contact, resolved)
            if contact.outcome == Contact.Outcome.HANDED_OVER:
                # A handover that did not become a case waits as a work item in the queue
                # of its service, offered to the agents with that skill.
                from borgerservice.queueing.work import work_item_from_contact

                work_item_from_contact(user=user, contact=contact, services=resolved["services"])
    except IntegrityError:
        if key is None:
            raise
        existing = _existing(key, fingerprint)
        if existing is None:
            raise
        return existing, False
    return contact, True


def _hand_over(user, contact: Contact, resolved: dict) -> None:
    """A contact that needs a case becomes one, in the department it is handed over to."""
    if contact.outcome not in (Contact.Outcome.CASE_TO_BE_CREATED, Contact.Outcome.HANDED_OVER):
        return
    if contact.citizen_id is None:
        return
    from borgerservice.cases.models import CaseType
    from borgerservice.cases.services import case_from_contact

    with_type = set(
        CaseType.objects.filter(service__in=resolved["services"]).values_list(
            "service_id", flat=True
        )
    )
    for service in resolved["services"]:
        if service.pk in with_type:
            case_from_contact(
                user=user, contact=contact, service=service, department=contact.handed_over_to
            )
            return


def _existing(key: str, fingerprint: str) -> Contact | None:
    existing = Contact.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise ServiceError(
            "contact.idempotency_conflict",
            _("The idempotency key was already used for a different contact."),
            status=409,
            field="Idempotency-Key",
        )
    return existing


def _user_centre(user):
    profile = getattr(user, "staff_profile", None)
    return profile.centre if profile is not None else None
