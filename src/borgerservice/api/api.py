"""The public REST API under /api/v1/ (django-ninja, OpenAPI 3).

Errors always come back as JSON ``{"code", "message"[, "field"]}`` in the
client's language (Accept-Language): 400 for bad input, 404 for unknown
resources. Unknown query parameters are refused, so a misspelt filter never
silently returns everything.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from borgerservice.core.errors import ServiceError

logger = logging.getLogger(__name__)


api = NinjaAPI(
    title="Borgerservice API",
    version="1",
    description=(
        "Open API of Borgerservice, the municipality's one entrance: the service catalogue, "
        "departments, service areas with their volume figures and the service centres; and, "
        "for staff, cases with their transitions, deadlines, documents, hearings, decisions "
        "and exports."
    ),
    urls_namespace="api",
    # The documentation page is our own (borgerservice.api.views.docs): server-rendered
    # in DKFDS from this OpenAPI document, accessible and in Danish and English.
    docs_url=None,
    openapi_url="/openapi.json",
)


def _error(request: HttpRequest, status: int, code: str, message: str, field: str | None = None):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return api.create_response(request, body, status=status)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError):
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("query", "path")]
    field = location[-1] if location else None
    message = _("The value of %(field)s is not valid.") % {"field": field or _("the request")}
    return _error(request, 400, "request.invalid", message, field)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return _error(
        request, 401, "auth.required", _("Log in, or send a valid API token as a Bearer token.")
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return _error(request, exc.status_code, "request.error", str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception):
    logger.exception("Unhandled API error")
    return _error(request, 500, "server.error", _("Something went wrong on our side."))


@api.get("/", summary="API index", tags=["index"])
def index(request: HttpRequest):
    """Where to find the resources and the OpenAPI description of this API."""
    return {
        "name": api.title,
        "version": api.version,
        "openapi": "/api/v1/openapi.json",
        "docs": "/api/v1/docs",
        "resources": {
            "departments": "/api/v1/departments",
            "services": "/api/v1/services",
            "areas": "/api/v1/areas",
            "centres": "/api/v1/centres",
            "life_situations": "/api/v1/life-situations",
            "citizens": "/api/v1/citizens",
            "contacts": "/api/v1/contacts",
            "triage": "/api/v1/triage",
            "audit": "/api/v1/audit",
            "cases": "/api/v1/cases",
        },
    }


def _register_routers() -> None:
    from borgerservice.accounts.api import router as audit_router
    from borgerservice.analytics.api import router as analytics_router
    from borgerservice.analytics.dashboard_api import router as dashboard_router
    from borgerservice.analytics.planning_api import router as planning_router
    from borgerservice.analytics.portfolio_api import router as portfolio_router
    from borgerservice.booking.api import router as booking_router
    from borgerservice.cases.api import router as cases_router
    from borgerservice.catalogue.api import router as catalogue_router
    from borgerservice.citizens.api import router as citizens_router
    from borgerservice.contacts.api import router as contacts_router
    from borgerservice.contacts.triage_api import router as triage_router
    from borgerservice.decisions.api import router as decisions_router
    from borgerservice.queueing.api import router as queueing_router
    from borgerservice.queueing.work_api import router as work_router
    from borgerservice.selfservice.api import router as selfservice_router

    api.add_router("/", catalogue_router)
    api.add_router("/", citizens_router)
    api.add_router("/", contacts_router)
    api.add_router("/", triage_router)
    api.add_router("/", audit_router)
    api.add_router("/", cases_router)
    api.add_router("/", queueing_router)
    api.add_router("/", work_router)
    api.add_router("/", booking_router)
    api.add_router("/", decisions_router)
    api.add_router("/", selfservice_router)
    api.add_router("/", analytics_router)
    api.add_router("/", dashboard_router)
    api.add_router("/", planning_router)
    api.add_router("/", portfolio_router)


_register_routers()
