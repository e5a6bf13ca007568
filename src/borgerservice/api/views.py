"""Answers for API addresses that match no endpoint: JSON, like every other API error."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(
        {"code": "not_found", "message": _("There is no API endpoint at this address.")},
        status=404,
    )


def _schema_type(schema: dict, components: dict) -> str:
    """A short readable type for a parameter schema ("integer", "string | null", "phone | …")."""
    if "$ref" in schema:
        target = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        if "enum" in target:
            return " | ".join(str(value) for value in target["enum"])
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_schema_type(part, components) for part in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    return schema.get("type", "object")


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    """Human-readable API documentation, generated from the OpenAPI document."""
    from .api import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "in": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": _schema_type(parameter.get("schema", {}), components),
                            "description": parameter.get("description")
                            or parameter.get("schema", {}).get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": sorted(operation.get("responses", {}).items()),
                }
            )
    return render(
        request,
        "api/docs.html",
        {"api_info": schema["info"], "operations": operations},
    )


@require_safe
def docs_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """/api/v1/docs leads to the documentation page in the client's language."""
    with translation.override(translation.get_language_from_request(request)):
        return HttpResponseRedirect(reverse("api-docs"))
