"""Answers for API addresses that match no endpoint: JSON, like every other API error."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(
        {"code": "not_found", "message": _("There is no API endpoint at this address.")},
        status=404,
    )
