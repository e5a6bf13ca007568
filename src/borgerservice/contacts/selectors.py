"""Reads of contacts, always limited to what the user may see (need-to-know)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from borgerservice.accounts.access import portfolio_area_ids, purpose_require
from borgerservice.accounts.audit import audit_record

from .models import Contact, ContactService

PANEL_LIMIT = 50


# The columns pages and the API show; the rest (long notes of services etc.) stays unread.
_CONTACT_COLUMNS = (
    "id",
    "channel",
    "direction",
    "citizen_id",
    "started_at",
    "ended_at",
    "outcome",
    "forwarded_to",
    "citizen_informed",
    "could_be_digital",
    "note",
    "centre__code",
    "centre__name_da",
    "centre__name_en",
    "staff__username",
    "handed_over_to__code",
    "handed_over_to__slug",
)
_SERVICE_COLUMNS = (
    "id",
    "contact_id",
    "service__code",
    "service__name_da",
    "service__name_en",
    "service__department__code",
)


def _with_related(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    links = ContactService.objects.select_related("service", "service__department").only(
        *_SERVICE_COLUMNS
    )
    return (
        queryset.select_related("centre", "staff", "handed_over_to")
        .only(*_CONTACT_COLUMNS)
        .prefetch_related(Prefetch("service_links", queryset=links))
    )


def visible_to(user) -> Q:
    """Contacts the user may see: about a service in their portfolio, or registered by them.

    Written with EXISTS so PostgreSQL walks the citizen's contacts newest first on the
    (citizen, started_at) index and stops at the page size.
    """
    in_portfolio = ContactService.objects.filter(
        contact=OuterRef("pk"), service__area_id__in=portfolio_area_ids(user)
    )
    return Q(staff=user) | Q(Exists(in_portfolio))


def contacts_visible_for_citizen(*, user, citizen_id: int) -> QuerySet[Contact]:
    """The citizen's contacts across departments that the user may see, newest first."""
    return _with_related(
        Contact.objects.filter(citizen_id=citizen_id).filter(visible_to(user))
    ).order_by("-started_at", "-id")


def contacts_panel(*, user, citizen) -> dict:
    """Context of the contacts section of the one view (the view itself is audited)."""
    contacts = list(contacts_visible_for_citizen(user=user, citizen_id=citizen.pk)[:PANEL_LIMIT])
    counts = Contact.objects.filter(citizen_id=citizen.pk).aggregate(
        total=Count("id"), visible=Count("id", filter=visible_to(user))
    )
    return {
        "contacts": contacts,
        "shown": counts["visible"],
        "hidden": counts["total"] - counts["visible"],
    }


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
