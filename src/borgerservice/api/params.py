"""Query-parameter checks shared by every API router."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from borgerservice.core.errors import ServiceError


def reject_unknown_parameters(request: HttpRequest, allowed: set[str]) -> None:
    """Refuse unknown and repeated query parameters, so a typo is never silently ignored."""
    repeated = sorted(name for name in request.GET if len(request.GET.getlist(name)) > 1)
    if repeated:
        raise ServiceError(
            "request.repeated_parameter",
            _("The query parameter %(name)s may be given only once."),
            field=repeated[0],
            params={"name": repeated[0]},
        )
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ServiceError(
            "request.unknown_parameter",
            _("Unknown query parameter: %(names)s. Allowed: %(allowed)s."),
            field=unknown[0],
            params={"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed)) or "-"},
        )


class ErrorOut(Schema):
    """The body of every API error."""

    code: str
    message: str
    field: str | None = None
