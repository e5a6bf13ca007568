"""Citizen login through an OpenID Connect broker (MitID / NemLog-in), with mozilla-django-oidc.

The library's request view sends the browser to the broker; its backend exchanges the
code, verifies the signed ID token and fetches the user info. Here the result is not a
Django user but a citizen: the CPR number in the claim named by ``PORTAL_OIDC_CPR_CLAIM``
picks the citizen in the register. A CPR number that is not in the register, or a token
without one, is a failed login (no citizen is created from a login).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from borgerservice.citizens.models import Citizen

LOGGER = logging.getLogger(__name__)


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID and settings.OIDC_OP_AUTHORIZATION_ENDPOINT)


def cpr_from_claims(claims: dict) -> str:
    value = claims.get(settings.PORTAL_OIDC_CPR_CLAIM) or ""
    return "".join(ch for ch in str(value) if ch.isdigit())


class CitizenOIDCBackend(OIDCAuthenticationBackend):
    """Returns the citizen named by the verified token instead of a Django user."""

    def get_or_create_user(self, access_token, id_token, payload):
        claims = dict(payload or {})
        if settings.OIDC_OP_USER_ENDPOINT:
            claims.update(self.get_userinfo(access_token, id_token, payload) or {})
        cpr = cpr_from_claims(claims)
        if len(cpr) != 10:
            raise SuspiciousOperation("the token holds no CPR number")
        citizen = Citizen.objects.filter(cpr=cpr, deceased_on__isnull=True).first()
        if citizen is None:
            LOGGER.info("OIDC login for a CPR number that is not in the register")
        return citizen
