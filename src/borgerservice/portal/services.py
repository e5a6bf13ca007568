"""What the citizen does on Min side that changes something: settings, messages, the export."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.audit import audit_record
from borgerservice.cases.exports import Export, citizen_export_build
from borgerservice.core.errors import ServiceError

from .auth import portal_actor
from .models import CitizenPreference

_PHONE = re.compile(r"^\+?[0-9 ]{8,15}$")


def preference_for(citizen) -> CitizenPreference:
    """The citizen's settings; unsaved defaults (from the register) when none are stored."""
    preference = CitizenPreference.objects.filter(citizen=citizen).first()
    if preference is None:
        language = (
            citizen.preferred_language if citizen.preferred_language in ("da", "en") else "da"
        )
        preference = CitizenPreference(
            citizen=citizen,
            language=language,
            notify_by=CitizenPreference.NotifyBy.EMAIL
            if citizen.digital_post_exempt and citizen.email
            else CitizenPreference.NotifyBy.DIGITAL_POST,
            email=citizen.email,
            phone=citizen.phone,
        )
    return preference


@transaction.atomic
def preference_update(
    *, citizen, language: str, notify_by: str, email: str = "", phone: str = ""
) -> CitizenPreference:
    email, phone = (email or "").strip(), " ".join((phone or "").split())
    if language not in ("da", "en"):
        raise ServiceError("portal.language", _("Choose Danish or English."), field="language-da")
    if notify_by not in CitizenPreference.NotifyBy.values:
        raise ServiceError(
            "portal.notify_by", _("Choose how we should tell you about news."), field="notify-0"
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ServiceError(
                "portal.email_invalid",
                _("Write the email address like this: name@example.dk."),
                field="email",
            ) from None
    if phone and not _PHONE.match(phone):
        raise ServiceError(
            "portal.phone_invalid",
            _("Write the mobile number with 8 digits, for example 12 34 56 78."),
            field="phone",
        )
    if notify_by == CitizenPreference.NotifyBy.EMAIL and not email:
        raise ServiceError(
            "portal.email_missing",
            _("Give your email address if we are to write to you by email."),
            field="email",
        )
    if notify_by == CitizenPreference.NotifyBy.SMS and not phone:
        raise ServiceError(
            "portal.phone_missing",
            _("Give your mobile number if we are to send you text messages."),
            field="phone",
        )
    if notify_by == CitizenPreference.NotifyBy.DIGITAL_POST and citizen.digital_post_exempt:
        raise ServiceError(
            "portal.digital_post_exempt",
            _("You are exempt from Digital Post. Choose email, text message or Min side only."),
            field="notify-0",
        )
    preference, _created = CitizenPreference.objects.update_or_create(
        citizen=citizen,
        defaults={"language": language, "notify_by": notify_by, "email": email, "phone": phone},
    )
    if citizen.preferred_language != language:
        citizen.preferred_language = language
        citizen.save(update_fields=["preferred_language", "updated_at"])
    audit_record(
        actor=portal_actor(),
        action="change",
        what="Min side: settings (language, notifications)",
        citizen_ids=[citizen.pk],
        channel="portal",
    )
    return preference


def my_data_export(*, citizen) -> Export:
    """Everything held about the citizen (GDPR art. 15), for the citizen themself."""
    export = citizen_export_build(citizen)
    audit_record(
        actor=portal_actor(),
        action="export",
        what="Min side: download of everything held about me (GDPR art. 15)",
        citizen_ids=[citizen.pk],
        channel="portal",
    )
    return export
