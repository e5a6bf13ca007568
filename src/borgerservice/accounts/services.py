"""Actions on staff accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borgerservice.core.errors import ServiceError

from .models import Authority, StaffProfile
from .roles import (
    ADMIN,
    ANALYST,
    AUDITOR,
    CATALOGUE_EDITOR,
    FRONT_OFFICE,
    SPECIALIST,
    TEAM_LEAD,
    roles_ensure,
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_STAFF = (
    # username, password, role, first name, last name, centre
    ("frontoffice", "demo-frontoffice", FRONT_OFFICE, "Freja", "Front", "indre-by"),
    ("specialist", "demo-specialist", SPECIALIST, "Søren", "Specialist", "amager"),
    ("teamlead", "demo-teamlead", TEAM_LEAD, "Tove", "Teamleder", "indre-by"),
    ("analyst", "demo-analyst", ANALYST, "Anders", "Analytiker", None),
    ("redaktor", "demo-redaktor", CATALOGUE_EDITOR, "Rasmus", "Redaktør", None),
    ("auditor", "demo-auditor", AUDITOR, "Agnete", "Revisor", None),
    ("admin", "demo-admin", ADMIN, "Astrid", "Admin", None),
)
# The specialist's named areas; they decide with discretion there.
SPECIALIST_AREAS = ("pension", "aeldre", "hjaelpemidler")


def generalist_authorities() -> dict[int, int]:
    """Area → level for a front-office generalist: every area with a service the citizen
    service front office handles, at the highest level the task lists give it there
    (information = 1, rule-based decision = 2)."""
    from borgerservice.catalogue.models import Service

    levels: dict[int, int] = {}
    for service in Service.objects.only("area_id", "level_1", "level_2"):
        level = 2 if service.level_2 else 1
        levels[service.area_id] = max(levels.get(service.area_id, 0), level)
    return levels


@transaction.atomic
def demo_staff_create() -> list[DemoLogin]:
    """Create the demo staff users. Refuses unless the platform runs with DEMO=1."""
    if not settings.DEMO:
        raise ServiceError(
            "demo.disabled", _("Demo users can only be created when DEMO=1."), status=403
        )
    from borgerservice.catalogue.models import ServiceArea, ServiceCentre

    groups = roles_ensure()
    user_model = get_user_model()
    generalist = generalist_authorities()
    logins = []
    for username, password, role, first, last, centre_code in DEMO_STAFF:
        user, _created = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.is_staff = role in (CATALOGUE_EDITOR, ADMIN)
        user.is_superuser = False
        user.set_password(password)
        user.save()
        user.groups.set([groups[role]])
        centre = ServiceCentre.objects.filter(code=centre_code).first() if centre_code else None
        StaffProfile.objects.update_or_create(user=user, defaults={"centre": centre})
        if role in (FRONT_OFFICE, TEAM_LEAD):
            wanted = generalist
        elif role == SPECIALIST:
            wanted = {area.pk: 3 for area in ServiceArea.objects.filter(code__in=SPECIALIST_AREAS)}
        else:
            wanted = {}
        Authority.objects.filter(user=user).exclude(area_id__in=wanted).delete()
        for area_id, level in wanted.items():
            Authority.objects.update_or_create(
                user=user, area_id=area_id, defaults={"level": level}
            )
        _demo_units(user, role)
        logins.append(DemoLogin(username, password, role))
    return logins


def _demo_units(user, role: str) -> None:
    """Front office and team lead work in the citizen-service unit; the specialist in the
    case units of the departments that own the services of their areas."""
    from borgerservice.cases.models import Unit
    from borgerservice.cases.services import CITIZEN_SERVICE_UNIT, units_ensure
    from borgerservice.catalogue.models import Service

    units_ensure()
    if role in (FRONT_OFFICE, TEAM_LEAD):
        wanted = list(Unit.objects.filter(code=CITIZEN_SERVICE_UNIT))
    elif role == SPECIALIST:
        departments = Service.objects.filter(area__code__in=SPECIALIST_AREAS).values(
            "department_id"
        )
        wanted = list(Unit.objects.filter(department_id__in=departments))
    else:
        wanted = []
    user.case_units.set(wanted)
