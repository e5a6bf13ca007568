"""Query-parameter checks shared by every API router."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from borgerservice.core.errors import ServiceError


def reject_unknown_parameters(request: HttpRequest, allowed: set[str]) -> None:
    """Refuse query parameters the endpoint does not know, so a typo is never ignored."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ServiceError(
            "request.unknown_parameter",
            _("Unknown query parameter: %(names)s. Allowed: %(allowed)s."),
            field=unknown[0],
            params={"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed)) or "-"},
        )
