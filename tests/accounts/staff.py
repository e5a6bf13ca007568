"""Staff members of every role for tests, with the authorities the demo gives them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from borgerservice.accounts.models import Authority
from borgerservice.accounts.roles import (
    ADMIN,
    ANALYST,
    AUDITOR,
    CATALOGUE_EDITOR,
    FRONT_OFFICE,
    ROLE_NAMES,
    SPECIALIST,
    TEAM_LEAD,
)
from borgerservice.accounts.services import SPECIALIST_AREAS, generalist_authorities
from borgerservice.catalogue.models import ServiceArea

ROLES = list(ROLE_NAMES)
PASSWORD = "test-password-123"


def make_staff(role: str, username: str | None = None):
    user = get_user_model().objects.create_user(
        username=username or f"{role}-user",
        password=PASSWORD,
        is_staff=role in (CATALOGUE_EDITOR, ADMIN),
    )
    user.groups.add(Group.objects.get(name=role))
    if role in (FRONT_OFFICE, TEAM_LEAD):
        levels = generalist_authorities()
    elif role == SPECIALIST:
        levels = {a.pk: 3 for a in ServiceArea.objects.filter(code__in=SPECIALIST_AREAS)}
    else:
        levels = {}
    Authority.objects.bulk_create(
        [Authority(user=user, area_id=area, level=level) for area, level in levels.items()]
    )
    return user


__all__ = [
    "ADMIN",
    "ANALYST",
    "AUDITOR",
    "CATALOGUE_EDITOR",
    "FRONT_OFFICE",
    "PASSWORD",
    "ROLES",
    "SPECIALIST",
    "TEAM_LEAD",
    "make_staff",
]
