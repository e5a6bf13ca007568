"""Staff roles as Django groups, with the permissions each role needs.

| role | persons (need-to-know) | contacts | audit log | catalogue admin |
|---|---|---|---|---|
| front_office | with a purpose, services in portfolio | register, read in portfolio | – | – |
| specialist | as front office, for the named areas | as front office | – | – |
| team_lead | as front office | as front office | – | – |
| analyst | never (aggregates only) | – | – | – |
| catalogue_editor | never | – | – | edit |
| auditor | never opens persons | – | search per citizen / staff | – |
| admin | never | – | – | users, roles, catalogue, case units |
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

FRONT_OFFICE = "front_office"
SPECIALIST = "specialist"
TEAM_LEAD = "team_lead"
ANALYST = "analyst"
CATALOGUE_EDITOR = "catalogue_editor"
AUDITOR = "auditor"
ADMIN = "admin"

ROLE_NAMES = {
    FRONT_OFFICE: _("Front-office generalist"),
    SPECIALIST: _("Specialist"),
    TEAM_LEAD: _("Team lead"),
    ANALYST: _("Analyst"),
    CATALOGUE_EDITOR: _("Catalogue editor"),
    AUDITOR: _("Auditor"),
    ADMIN: _("Administrator"),
}

# Roles whose members may open citizens (always with a purpose, within their portfolio).
PERSON_ROLES = frozenset({FRONT_OFFICE, SPECIALIST, TEAM_LEAD})

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
# ... and the case types (deadlines, legal basis, complaint guidance, retention).
CASE_TYPE_MODELS = ("casetype",)
# ... and the self-service application forms of Min side.
SELF_SERVICE_MODELS = ("formdefinition", "formstep", "formfield")
# Administrators manage staff, roles and authority (not citizens or the audit log).
ADMIN_PERMISSIONS = (
    ("auth", ("user", "group")),
    ("accounts", ("staffprofile", "authority", "apitoken")),
    ("cases", ("unit",)),
    ("booking", ("resource", "slottemplate", "slot", "booking")),
    ("queueing", ("queuegroup", "counter", "ticket", "workqueue", "agentskill", "agentpresence")),
    ("contacts", ("triagethreshold", "triagemodel")),
)


def roles_ensure() -> dict[str, Group]:
    """Create the role groups and give them their permissions. Idempotent."""
    groups = {code: Group.objects.get_or_create(name=code)[0] for code in ROLE_NAMES}
    editor_permissions = (
        list(
            Permission.objects.filter(
                content_type__app_label="catalogue", content_type__model__in=CATALOGUE_MODELS
            )
        )
        + list(
            Permission.objects.filter(
                content_type__app_label="cases", content_type__model__in=CASE_TYPE_MODELS
            )
        )
        + list(
            Permission.objects.filter(
                content_type__app_label="selfservice", content_type__model__in=SELF_SERVICE_MODELS
            )
        )
    )
    groups[CATALOGUE_EDITOR].permissions.set(editor_permissions)
    admin_permissions = list(editor_permissions)
    for app_label, models in ADMIN_PERMISSIONS:
        admin_permissions += Permission.objects.filter(
            content_type__app_label=app_label, content_type__model__in=models
        )
    groups[ADMIN].permissions.set(admin_permissions)
    return groups


def user_roles(user) -> frozenset[str]:
    """The role codes of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_borgerservice_roles", None)
    if cached is None:
        # .all() uses groups prefetched by the authentication (API tokens) when present.
        cached = frozenset(group.name for group in user.groups.all()) & frozenset(ROLE_NAMES)
        user._borgerservice_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
