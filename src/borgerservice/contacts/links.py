"""Channel shift: links to a service's self-service, sent to the citizen from a contact.

- ``link_send``: staff handling a contact send the citizen a link to the self-service
  of one of the contact's services, by email or text message; sent after commit.
  The link carries a random token (``secrets.token_urlsafe``, 43 characters); only its
  SHA-256 is stored, so the table cannot be used to open anyone's links.
- ``link_use``: Min side's landing page (``portal:link``) records each use; the first
  sets ``used_at``.
- ``link_stats``: per service, links sent in a period, how many were used, and the
  share used. No personal data.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from borgerservice.accounts.access import purpose_require, require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.analytics.rollups import rollup_refresh
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.core.i18n import current_language

from .models import Contact, SelfServiceLink

TOKEN_BYTES = 32  # token_urlsafe(32): 43 characters
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,100}")
PHONE_RE = re.compile(r"\+?[0-9]{8,15}")
MAX_STATS_DAYS = 366


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return f"******{digits[-2:]}" if len(digits) >= 2 else "***"


def _contact_for(user, contact_id: int) -> Contact:
    """The contact if the user registered it, or may see it (a service in their
    portfolio) and has a purpose for its citizen; "not found" otherwise."""
    from .selectors import visible_to

    require_person_role(user)
    contact = (
        Contact.objects.filter(pk=contact_id)
        .filter(visible_to(user))
        .select_related("citizen")
        .first()
    )
    if contact is None:
        raise NotFound("contact.not_found", _("The contact does not exist."))
    if contact.citizen_id is not None and contact.staff_id != user.pk:
        purpose_require(user, contact.citizen_id)
    return contact


def _preference(citizen):
    if citizen is None:
        return None
    from borgerservice.portal.models import CitizenPreference

    return CitizenPreference.objects.filter(citizen=citizen).first()


def default_addresses(citizen) -> dict[str, str]:
    """The citizen's own email address and mobile number: those given on Min side, else
    those in the citizen register."""
    if citizen is None:
        return {"email": "", "sms": ""}
    preference = _preference(citizen)
    return {
        "email": (preference.email if preference else "") or citizen.email or "",
        "sms": (preference.phone if preference else "") or citizen.phone or "",
    }


def _address(via: str, to: str | None, citizen) -> str:
    to = (to or "").strip()
    if not to:
        to = default_addresses(citizen)[via]
    if not to:
        raise ServiceError(
            "link.no_address",
            _("The citizen has no email address on file. Write the address.")
            if via == SelfServiceLink.Via.EMAIL
            else _("The citizen has no mobile number on file. Write the number."),
            field="to",
        )
    if via == SelfServiceLink.Via.EMAIL:
        try:
            validate_email(to)
        except ValidationError as exc:
            raise ServiceError(
                "link.bad_email", _("Write a valid email address."), field="to"
            ) from exc
        return to
    phone = re.sub(r"[\s().-]", "", to)
    if not PHONE_RE.fullmatch(phone):
        raise ServiceError(
            "link.bad_phone",
            _("Write a mobile number of 8 digits, optionally with the country code."),
            field="to",
        )
    return phone


def link_url(token: str, *, base_url: str = "", language: str = "da") -> str:
    """The address of the link on Min side, absolute with ``PORTAL_BASE_URL`` (or the
    ``base_url`` of the request) in front."""
    with translation.override(language):
        path = reverse("portal:link", kwargs={"token": token})
    base = (getattr(settings, "PORTAL_BASE_URL", "") or base_url or "").rstrip("/")
    return f"{base}{path}"


@transaction.atomic
def link_send(
    *,
    user,
    contact_id: int,
    service_id: int,
    via: str,
    to: str | None = None,
    base_url: str = "",
) -> SelfServiceLink:
    """Send the citizen of the contact a link to the self-service of one of the contact's
    services, by ``via`` ("email" or "sms") to ``to`` or else the citizen's own address.
    The message goes out after commit; one audit entry."""
    contact = _contact_for(user, contact_id)
    if via not in SelfServiceLink.Via.values:
        raise ServiceError("link.bad_via", _("Choose email or text message."), field="via")
    service = contact.services.filter(pk=service_id).first()
    if service is None:
        raise ServiceError(
            "link.bad_service", _("Choose one of the contact's services."), field="service"
        )
    citizen = contact.citizen
    address = _address(via, to, citizen)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = SelfServiceLink.objects.create(
        contact=contact,
        service=service,
        citizen=citizen,
        token_hash=token_hash(token),
        via=via,
        sent_to=mask_email(address) if via == SelfServiceLink.Via.EMAIL else mask_phone(address),
        sent_by=user,
    )
    preference = _preference(citizen)
    language = (preference.language if preference else None) or (
        citizen.preferred_language if citizen else "da"
    )
    language = "en" if language == "en" else "da"
    url = link_url(token, base_url=base_url, language=language)
    survey = ""
    if via == SelfServiceLink.Via.EMAIL:  # a text message stays short
        from borgerservice.analytics.survey import survey_link

        base = (getattr(settings, "PORTAL_BASE_URL", "") or base_url or "").rstrip("/")
        survey = base + survey_link(contact, language=language)
    _deliver(via=via, address=address, url=url, service=service, language=language, survey=survey)
    audit_record(
        actor=user,
        action="change",
        what=f"contact {contact.pk}: self-service link for {service.code} sent by {via}",
        citizen_ids=[citizen.pk] if citizen else [],
        reason=f"contact:{contact.pk}",
    )
    return link


def _deliver(*, via: str, address: str, url: str, service, language: str, survey: str = "") -> None:
    from borgerservice.core.notify import notify_email, notify_sms

    with translation.override(language):
        name = service.t("name")
        params = {"service": name, "url": url, "municipality": settings.MUNICIPALITY_NAME}
        if via == SelfServiceLink.Via.EMAIL:
            subject = _("Do it yourself: %(service)s") % params
            body = (
                _(
                    "You were in touch with %(municipality)s about %(service)s. You can do it "
                    "yourself on Min side, at any time:\n\n%(url)s\n\n"
                    "You log in with MitID on the page the link opens."
                )
                % params
            )
            if survey:
                body += "\n\n" + _(
                    "How satisfied are you with the help you got? Tell us in one click:\n%(url)s"
                ) % {"url": survey}
            notify_email(to=address, subject=str(subject), body=str(body))
        else:
            text = _("%(municipality)s: do it yourself on Min side – %(service)s: %(url)s") % (
                params
            )
            notify_sms(phone=address, text=str(text))


def link_find(*, token: str) -> SelfServiceLink:
    """The link of ``token`` without recording a use; "not found" for an unknown token."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        raise NotFound("link.unknown", _("The link is not known."))
    link = (
        SelfServiceLink.objects.select_related("service")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        raise NotFound("link.unknown", _("The link is not known."))
    return link


@transaction.atomic
def link_use(*, token: str) -> SelfServiceLink:
    """Record one use of the link: the first sets ``used_at``; every use counts."""
    link = link_find(token=token)
    now = timezone.now()
    # One statement: concurrent opens each count, and only the first sets the time (never
    # before the sending, should another server's clock be a little behind).
    SelfServiceLink.objects.filter(pk=link.pk).update(
        used_at=Coalesce(F("used_at"), Greatest(Value(now), F("sent_at"))),
        use_count=F("use_count") + 1,
    )
    link.refresh_from_db(fields=["used_at", "use_count"])
    rollup_refresh(source="link", ids=[link.pk])
    return link


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def link_stats(*, start: date, end: date) -> list[dict]:
    """Per service, the links sent from ``start`` to ``end`` (both included, local days):
    sent, used (opened at least once) and the share used (0 to 1). No personal data."""
    if end < start:
        raise ServiceError(
            "link.stats_period", _("The end of the period is before its start."), field="end"
        )
    if (end - start).days >= MAX_STATS_DAYS:
        raise ServiceError(
            "link.stats_period_long",
            _("The period may be at most %(days)d days."),
            field="end",
            params={"days": MAX_STATS_DAYS},
        )
    rows = (
        SelfServiceLink.objects.filter(
            sent_at__gte=_day_start(start), sent_at__lt=_day_start(end + timedelta(days=1))
        )
        .values("service__code", "service__name_da", "service__name_en")
        .annotate(
            sent=Count("id"),
            used=Count("id", filter=Q(used_at__isnull=False)),
            sent_email=Count("id", filter=Q(via="email")),
            sent_sms=Count("id", filter=Q(via="sms")),
        )
        .order_by("service__code")
    )
    english = current_language() == "en"
    return [
        {
            "service": row["service__code"],
            "service_name": (english and row["service__name_en"]) or row["service__name_da"],
            "sent": row["sent"],
            "sent_email": row["sent_email"],
            "sent_sms": row["sent_sms"],
            "used": row["used"],
            "share": round(row["used"] / row["sent"], 4) if row["sent"] else 0.0,
        }
        for row in rows
    ]


def links_for_contact(*, contact: Contact) -> list[SelfServiceLink]:
    """The links sent from a contact, newest first (masked addresses only)."""
    return list(
        SelfServiceLink.objects.filter(contact=contact)
        .select_related("service", "sent_by")
        .order_by("-sent_at", "-id")
    )
