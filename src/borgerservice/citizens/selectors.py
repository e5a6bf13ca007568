"""Reads of citizens. Every function that returns personal data writes one audit entry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.access import purpose_require, require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.accounts.models import AccessPurpose
from borgerservice.catalogue.models import LifeSituation, Service
from borgerservice.core.errors import NotFound, ServiceError

from .cpr import cpr_normalise
from .models import Citizen, Relation

SEARCH_LIMIT = 20
MOVED_RECENTLY_DAYS = 30
BORN_RECENTLY_DAYS = 183
_DIGITS = re.compile(r"^[0-9]{6}-?[0-9]{4}$")


def citizen_search(*, user, query: str, channel: str = "ui") -> list[Citizen]:
    """Citizens by full CPR number or by name; the result list is audited as one read."""
    require_person_role(user)
    query = " ".join((query or "").split())
    if len(query) < 2:
        raise ServiceError(
            "citizen.search_too_short",
            _("Search with a CPR number or at least two letters of a name."),
            field="q",
        )
    if len(query) > 100:
        raise ServiceError(
            "citizen.search_too_long", _("The search may be at most 100 characters."), field="q"
        )
    if _DIGITS.match(query) or query.replace("-", "").isdigit():
        cpr = cpr_normalise(query)
        results = list(Citizen.objects.filter(cpr=cpr)[:1])
        what = "citizen search by CPR number"
    else:
        words = query.split()
        condition = Q()
        for word in words:
            condition &= (
                Q(first_name__istartswith=word)
                | Q(last_name__istartswith=word)
                | Q(first_name__icontains=f" {word}")
            )
        results = list(
            Citizen.objects.filter(condition).order_by("last_name", "first_name", "id")[
                :SEARCH_LIMIT
            ]
        )
        what = "citizen search by name"
    if results:
        audit_record(
            actor=user,
            action="search",
            what=f"{what}: name, masked CPR, birth date, postcode",
            citizen_ids=[c.pk for c in results],
            reason=f"search: {query[:80]}",
            channel=channel,
        )
    return results


@dataclass
class LifeSituationHint:
    situation: LifeSituation
    since: date
    services: list[Service]


@dataclass
class HouseholdMember:
    citizen: Citizen
    relation: str  # "partner", "child", "parent"


@dataclass
class CitizenView:
    citizen: Citizen
    purpose: AccessPurpose
    household: list[HouseholdMember]
    hints: list[LifeSituationHint]
    panels: list = field(default_factory=list)


def citizen_get_for_view(
    *, user, citizen_id: int, channel: str = "ui", purpose: AccessPurpose | None = None
) -> CitizenView:
    """The one view of a citizen: person, household, life-situation hints and the panels
    other apps contribute (contacts; later cases, appointments, documents). Audited.

    ``purpose`` is the caller's already checked purpose for this citizen, if it has one.
    """
    require_person_role(user)
    citizen = Citizen.objects.filter(pk=citizen_id).first()
    if citizen is None:
        raise NotFound("citizen.not_found", _("The citizen does not exist."))
    if purpose is None or purpose.citizen_id != citizen.pk or purpose.user_id != user.pk:
        purpose = purpose_require(user, citizen.pk)
    household = household_of(citizen)
    hints = life_situation_hints(citizen, household)
    from .panels import panels_for

    panels = panels_for(user=user, citizen=citizen)
    shown = ["person", "household", *[panel.name for panel in panels]]
    audit_record(
        actor=user,
        action="view",
        what="one view of the citizen: " + ", ".join(shown),
        citizen_ids=[citizen.pk] + [member.citizen.pk for member in household],
        purpose=purpose,
        channel=channel,
    )
    return CitizenView(citizen, purpose, household, hints, panels)


def household_of(citizen: Citizen) -> list[HouseholdMember]:
    relations = Relation.objects.filter(
        Q(from_citizen=citizen) | Q(to_citizen=citizen)
    ).select_related("from_citizen", "to_citizen")
    members: dict[int, HouseholdMember] = {}
    for relation in relations:
        if relation.kind == Relation.Kind.PARTNER:
            other = (
                relation.to_citizen
                if relation.from_citizen_id == citizen.pk
                else relation.from_citizen
            )
            members.setdefault(other.pk, HouseholdMember(other, "partner"))
        elif relation.from_citizen_id == citizen.pk:
            members.setdefault(
                relation.to_citizen_id, HouseholdMember(relation.to_citizen, "child")
            )
        else:
            members.setdefault(
                relation.from_citizen_id, HouseholdMember(relation.from_citizen, "parent")
            )
    order = {"partner": 0, "child": 1, "parent": 2}
    return sorted(members.values(), key=lambda m: (order[m.relation], m.citizen.birth_date))


def life_situation_hints(
    citizen: Citizen, household: list[HouseholdMember]
) -> list[LifeSituationHint]:
    """Moved in the last 30 days → housing services; a child born in the last half year →
    the birth services."""
    today = timezone.localdate()
    found: list[tuple[str, date]] = []
    if citizen.moved_in_on and today - citizen.moved_in_on <= timedelta(days=MOVED_RECENTLY_DAYS):
        found.append(("housing_change", citizen.moved_in_on))
    births = [
        m.citizen.birth_date
        for m in household
        if m.relation == "child"
        and today - m.citizen.birth_date <= timedelta(days=BORN_RECENTLY_DAYS)
    ]
    if births:
        found.append(("birth", max(births)))
    if not found:
        return []
    situations = {
        s.code: s
        for s in LifeSituation.objects.filter(
            code__in=[code for code, _since in found]
        ).prefetch_related("services__department")
    }
    return [
        LifeSituationHint(situations[code], since, list(situations[code].services.all()))
        for code, since in found
        if code in situations
    ]
