"""Reads of contacts, always limited to what the user may see (need-to-know)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from borgerservice.accounts.access import contact_visibility, purpose_require
from borgerservice.accounts.audit import audit_record
from borgerservice.catalogue.models import Service

from .models import Contact, ContactService

PANEL_LIMIT = 50


def _with_related(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    return queryset.select_related("centre", "staff", "handed_over_to").prefetch_related(
        Prefetch(
            "service_links",
            queryset=ContactService.objects.select_related("service", "service__department"),
        )
    )


def contacts_visible_for_citizen(*, user, citizen_id: int) -> QuerySet[Contact]:
    """The citizen's contacts across departments that the user may see, newest first."""
    visible_ids = (
        Contact.objects.filter(citizen_id=citizen_id).filter(contact_visibility(user)).values("id")
    )
    return _with_related(Contact.objects.filter(id__in=visible_ids)).order_by("-started_at", "-id")


def contacts_panel(*, user, citizen) -> dict:
    """Context of the contacts section of the one view (the view itself is audited)."""
    visible = contacts_visible_for_citizen(user=user, citizen_id=citizen.pk)
    contacts = list(visible[:PANEL_LIMIT])
    total = Contact.objects.filter(citizen_id=citizen.pk).count()
    shown = visible.count() if len(contacts) == PANEL_LIMIT else len(contacts)
    return {"contacts": contacts, "shown": shown, "hidden": max(total - shown, 0)}


def contacts_list_for_citizen(*, user, citizen_id: int, channel: str = "api") -> list[Contact]:
    """The contact list of one citizen (API), audited as one read."""
    purpose = purpose_require(user, citizen_id)
    contacts = list(contacts_visible_for_citizen(user=user, citizen_id=citizen_id)[:200])
    audit_record(
        actor=user,
        action="list",
        what="contacts of the citizen",
        citizen_ids=[citizen_id],
        purpose=purpose,
        channel=channel,
    )
    return contacts


def services_of(contact: Contact) -> list[Service]:
    return [link.service for link in contact.service_links.all()]
