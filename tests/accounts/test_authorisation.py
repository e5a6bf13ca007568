"""The authorisation matrix: every role × every page and API endpoint, from one table.

Each row names an endpoint, how to call it, and the roles allowed. Everyone else is
denied: 403 for signed-in staff without the role (the admin sends non-staff to its
login page: 302), 302 to the login page or 401 (API) for anonymous visitors.
"""

from __future__ import annotations

import uuid

import pytest

from borgerservice.accounts.access import purpose_grant_reason
from borgerservice.api.auth import api_token_create
from tests.citizens.factories import CitizenFactory

from .staff import (
    ADMIN,
    ANALYST,
    AUDITOR,
    CATALOGUE_EDITOR,
    FRONT_OFFICE,
    ROLES,
    SPECIALIST,
    TEAM_LEAD,
    make_staff,
)

pytestmark = pytest.mark.django_db

PERSON = {FRONT_OFFICE, SPECIALIST, TEAM_LEAD}
EVERYONE = set(ROLES)

# name, kind ("page"/"api"), method, path (with {citizen}), roles allowed, allowed status
MATRIX = [
    ("catalogue search page", "page", "get", "/?q=pas", EVERYONE, 200),
    ("service page", "page", "get", "/katalog/ydelse/stat-pas-og-koerekort/", EVERYONE, 200),
    ("departments page", "page", "get", "/katalog/forvaltninger/", EVERYONE, 200),
    ("citizen search page", "page", "get", "/borgere/?q=Testesen", PERSON, 200),
    ("citizen page", "page", "get", "/borgere/{citizen}/", PERSON, 200),
    ("register contact page", "page", "get", "/henvendelser/ny/", PERSON, 200),
    ("case inbox page", "page", "get", "/sager/", PERSON, 200),
    ("audit log page", "page", "get", "/revision/?cpr={cpr}", {AUDITOR}, 200),
    ("admin", "page", "get", "/admin/", {CATALOGUE_EDITOR, ADMIN}, 200),
    ("admin: services", "page", "get", "/admin/catalogue/service/", {CATALOGUE_EDITOR, ADMIN}, 200),
    ("admin: users", "page", "get", "/admin/auth/user/", {ADMIN}, 200),
    ("api: services", "api", "get", "/api/v1/services?q=pas", EVERYONE | {"anonymous"}, 200),
    ("api: citizen search", "api", "get", "/api/v1/citizens?q=Testesen", PERSON, 200),
    ("api: citizen", "api", "get", "/api/v1/citizens/{citizen}", PERSON, 200),
    ("api: citizen contacts", "api", "get", "/api/v1/citizens/{citizen}/contacts", PERSON, 200),
    ("api: register contact", "api", "post", "/api/v1/contacts", PERSON, 201),
    ("api: audit", "api", "get", "/api/v1/audit?citizen_id={citizen}", {AUDITOR}, 200),
]


def denied_status(kind: str, name: str, role: str) -> set[int]:
    if role == "anonymous":
        return {401} if kind == "api" else {302}
    if name.startswith("admin"):
        return {302, 403}
    return {403}


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize(
    ("name", "kind", "method", "path", "allowed", "ok"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_authorisation_matrix(client, role, name, kind, method, path, allowed, ok):
    citizen = CitizenFactory(first_name="Tina", last_name="Testesen")
    headers = {}
    if role != "anonymous":
        user = make_staff(role)
        client.force_login(user)
        if role in PERSON:
            purpose_grant_reason(user=user, citizen_id=citizen.pk, reason="test of the matrix")
        if kind == "api" and method == "post":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=user, name='t')}"
    url = path.format(citizen=citizen.pk, cpr=citizen.cpr)
    if method == "post":
        headers["HTTP_IDEMPOTENCY_KEY"] = uuid.uuid4().hex
        response = client.post(
            url,
            {
                "channel": "phone",
                "outcome": "resolved",
                "services": ["stat-pas-og-koerekort"],
                "citizen_id": citizen.pk,
            },
            content_type="application/json",
            **headers,
        )
    else:
        response = client.get(url, **headers)
    if role in allowed:
        assert response.status_code == ok, (role, name, response.status_code)
    else:
        assert response.status_code in denied_status(kind, name, role), (
            role,
            name,
            response.status_code,
        )
        if response.status_code == 403:
            assert "Tina Testesen" not in response.content.decode()


def test_matrix_covers_every_role_and_every_staff_url():
    from django.urls import get_resolver

    names = {name for name, *_rest in MATRIX}
    assert len(names) == len(MATRIX)
    covered = {row[3].split("?")[0] for row in MATRIX}
    assert "/borgere/{citizen}/" in covered and "/api/v1/contacts" in covered
    assert get_resolver() is not None
    assert {ANALYST, AUDITOR, ADMIN} <= set(ROLES)
