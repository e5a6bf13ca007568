"""Staff roles as Django groups, with the permissions each role needs."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

FRONT_OFFICE = "front_office"
CATALOGUE_EDITOR = "catalogue_editor"

ROLE_NAMES = {
    FRONT_OFFICE: _("Front-office generalist"),
    CATALOGUE_EDITOR: _("Catalogue editor"),
}

# Catalogue editors maintain the catalogue in the admin; they never touch people's data.
CATALOGUE_MODELS = (
    "department",
    "servicearea",
    "areavolume",
    "serviceleveltarget",
    "service",
    "servicechannel",
    "lifesituation",
    "servicecentre",
    "openinghours",
    "kletopic",
)


def roles_ensure() -> dict[str, Group]:
    """Create the role groups and give them their permissions. Idempotent."""
    groups = {code: Group.objects.get_or_create(name=code)[0] for code in ROLE_NAMES}
    editor_permissions = Permission.objects.filter(
        content_type__app_label="catalogue", content_type__model__in=CATALOGUE_MODELS
    )
    groups[CATALOGUE_EDITOR].permissions.set(editor_permissions)
    return groups
