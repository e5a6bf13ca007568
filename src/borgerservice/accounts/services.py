"""Actions on staff accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borgerservice.core.errors import ServiceError

from .roles import CATALOGUE_EDITOR, FRONT_OFFICE, roles_ensure


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_STAFF = (
    # username, password, role, first name, last name, is_superuser
    ("frontoffice", "demo-frontoffice", FRONT_OFFICE, "Freja", "Front", False),
    ("redaktor", "demo-redaktor", CATALOGUE_EDITOR, "Rasmus", "Redaktør", False),
    ("admin", "demo-admin", "admin", "Astrid", "Admin", True),
)


@transaction.atomic
def demo_staff_create() -> list[DemoLogin]:
    """Create the demo staff users. Refuses unless the platform runs with DEMO=1."""
    if not settings.DEMO:
        raise ServiceError(
            "demo.disabled", _("Demo users can only be created when DEMO=1."), status=403
        )
    groups = roles_ensure()
    user_model = get_user_model()
    logins = []
    for username, password, role, first, last, superuser in DEMO_STAFF:
        user, _created = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.is_staff = role in (CATALOGUE_EDITOR, "admin")
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        if role in groups:
            user.groups.add(groups[role])
        logins.append(DemoLogin(username, password, role))
    return logins
