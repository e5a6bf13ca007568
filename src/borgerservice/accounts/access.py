"""Need-to-know: who may open which citizen, why, and which of their data they may see.

- Only the person roles (front office, specialist, team lead) ever open a citizen.
- They need a purpose: an active contact they are handling (registered by them within
  the last hours), a ticket, appointment or case in their portfolio (later issues add
  those sources), or a reason they type. A purpose lasts a limited time.
- They see only the contacts (and later cases) concerning services in their portfolio:
  the service areas they hold authority for, including the areas below them.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.catalogue.models import Service, ServiceArea
from borgerservice.core.errors import ServiceError

from .models import AccessPurpose, Authority
from .roles import PERSON_ROLES, has_role

REASON_PURPOSE_MINUTES = 30
CONTACT_PURPOSE_HOURS = 4
MIN_REASON_LENGTH = 10


def may_open_persons(user) -> bool:
    return has_role(user, *PERSON_ROLES)


def require_person_role(user) -> None:
    if not may_open_persons(user):
        raise ServiceError(
            "access.denied",
            _("Your role does not give access to citizens' personal data."),
            status=403,
        )


def portfolio_area_ids(user) -> frozenset[int]:
    """Areas the user holds authority for, with every area below them."""
    cached = getattr(user, "_borgerservice_portfolio", None)
    if cached is not None:
        return cached
    direct = set(Authority.objects.filter(user=user).values_list("area_id", flat=True))
    areas = dict(ServiceArea.objects.values_list("id", "parent_id"))
    result = set(direct)
    for area_id in areas:
        parent, seen = areas.get(area_id), set()
        while parent is not None and parent not in seen:
            if parent in direct:
                result.add(area_id)
                break
            seen.add(parent)
            parent = areas.get(parent)
    user._borgerservice_portfolio = frozenset(result)
    return user._borgerservice_portfolio


def portfolio_services(user):
    return Service.objects.filter(area_id__in=portfolio_area_ids(user))


def authority_level(user, service: Service) -> int:
    """0 when the service is outside the user's portfolio, else the highest level held."""
    levels = Authority.objects.filter(user=user, area_id=service.area_id).values_list(
        "level", flat=True
    )
    best = max(levels, default=0)
    if not best and service.area_id in portfolio_area_ids(user):
        ancestors = []
        area = service.area
        while area.parent_id:
            ancestors.append(area.parent_id)
            area = area.parent
        best = max(
            Authority.objects.filter(user=user, area_id__in=ancestors).values_list(
                "level", flat=True
            ),
            default=0,
        )
    return best


def purpose_active(user, citizen_id: int) -> AccessPurpose | None:
    """The user's current purpose for this citizen, if any (the newest)."""
    now = timezone.now()
    purpose = (
        AccessPurpose.objects.filter(user=user, citizen_id=citizen_id, expires_at__gt=now)
        .order_by("-granted_at")
        .first()
    )
    if purpose is not None:
        return purpose
    return _purpose_from_contact(user, citizen_id, now)


def _purpose_from_contact(user, citizen_id: int, now) -> AccessPurpose | None:
    from borgerservice.contacts.models import Contact

    contact = (
        Contact.objects.filter(
            staff=user,
            citizen_id=citizen_id,
            started_at__gte=now - timedelta(hours=CONTACT_PURPOSE_HOURS),
        )
        .order_by("-started_at")
        .first()
    )
    if contact is None:
        return None
    return purpose_grant_contact(user=user, citizen_id=citizen_id, contact_id=contact.pk)


def purpose_grant_contact(*, user, citizen_id: int, contact_id: int) -> AccessPurpose:
    now = timezone.now()
    return AccessPurpose.objects.create(
        user=user,
        citizen_id=citizen_id,
        kind=AccessPurpose.Kind.CONTACT,
        reference=f"contact:{contact_id}",
        granted_at=now,
        expires_at=now + timedelta(hours=CONTACT_PURPOSE_HOURS),
    )


@transaction.atomic
def purpose_grant_reason(*, user, citizen_id: int, reason: str) -> AccessPurpose:
    """Open a citizen for a reason the staff member types; it lasts half an hour."""
    require_person_role(user)
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON_LENGTH:
        raise ServiceError(
            "access.reason_too_short",
            _("Write why you need to open the citizen (at least %(min)d characters)."),
            field="reason",
            params={"min": MIN_REASON_LENGTH},
        )
    if len(reason) > 500:
        raise ServiceError(
            "access.reason_too_long",
            _("The reason may be at most 500 characters long."),
            field="reason",
        )
    now = timezone.now()
    return AccessPurpose.objects.create(
        user=user,
        citizen_id=citizen_id,
        kind=AccessPurpose.Kind.REASON,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=REASON_PURPOSE_MINUTES),
    )


def purpose_require(user, citizen_id: int) -> AccessPurpose:
    require_person_role(user)
    purpose = purpose_active(user, citizen_id)
    if purpose is None:
        raise ServiceError(
            "access.purpose_required",
            _("Give a purpose before opening the citizen: an active contact or a reason."),
            status=403,
        )
    return purpose
