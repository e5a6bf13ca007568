"""API authentication: a staff member's session, or a bearer token acting as them."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from borgerservice.accounts.models import ApiToken


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str) -> str:
    """Create a token and return the key; only its hash is kept."""
    key = "bs_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=token_hash(key), prefix=key[:8])
    return key


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        # No .first(): its ORDER BY id can make PostgreSQL walk the primary key instead of
        # using the unique index on the hash.
        found = next(
            iter(
                ApiToken.objects.select_related("user", "user__staff_profile__centre")
                .prefetch_related("user__groups")
                .filter(key_hash=token_hash(token), user__is_active=True)[:1]
            ),
            None,
        )
        if found is None or (found.expires_at and found.expires_at <= timezone.now()):
            return None
        request.user = found.user
        return found.user


# Tokens for integrations and load tests; the session for the staff workplace's own calls.
STAFF_AUTH = [TokenAuth(), django_auth]
