"""The public survey page after a contact: "How satisfied are you with the help you got?"

No login: the signed token in the address says which contact the answer is about. GET
shows the five choices (or a friendly page for an expired or unknown link, or for a
contact already answered); POST stores the answer and thanks the citizen, or shows the
form again with a DKFDS error summary. The page uses Min side's layout; a citizen who is
logged in on Min side sees it with their menu.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from borgerservice.core.errors import ServiceError

from . import survey

TEMPLATE = "analytics/survey.html"
SCORE_LABELS = (
    (1, _("Very dissatisfied")),
    (2, _("Dissatisfied")),
    (3, _("Neither satisfied nor dissatisfied")),
    (4, _("Satisfied")),
    (5, _("Very satisfied")),
)
# The state of the page for each refusal of a token.
TOKEN_STATES = {
    "survey.token_expired": "expired",
    "survey.token_invalid": "invalid",
    "survey.contact_unknown": "invalid",
}


def _layout(request: HttpRequest) -> dict:
    """What Min side's layout needs (its context processor serves the portal's own pages)."""
    from borgerservice.portal.auth import current_citizen, idle_seconds
    from borgerservice.portal.menu import menu_items

    citizen = current_citizen(request)
    return {
        "citizen": citizen,
        "PORTAL_MENU": menu_items(request) if citizen else [],
        "PORTAL_SESSION_SECONDS": idle_seconds(),
        "PORTAL_WARNING_SECONDS": settings.PORTAL_SESSION_WARNING_SECONDS,
        "CITIZEN_PHONE": settings.CITIZEN_PHONE,
        "CITIZEN_EMAIL": settings.CITIZEN_EMAIL,
        "CITIZEN_ADDRESS": settings.CITIZEN_ADDRESS,
    }


def _page(request: HttpRequest, state: str, *, status: int = 200, **context) -> HttpResponse:
    response = render(
        request,
        TEMPLATE,
        {**_layout(request), "state": state, "choices": SCORE_LABELS, **context},
        status=status,
    )
    # The address holds the token: never cached, never sent on as a referrer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _answer_posted(request, token)
    try:
        contact = survey.survey_token_contact(token)
    except ServiceError as exc:
        return _token_refused(request, exc)
    context = {"contact": contact, "token": token}
    if survey.survey_answered(contact):
        return _page(request, "answered", **context)
    return _page(request, "form", **context)


def _token_refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return _page(request, TOKEN_STATES.get(exc.code, "invalid"), status=exc.status)


def _answer_posted(request: HttpRequest, token: str) -> HttpResponse:
    try:
        answer = survey.survey_response_submit(
            token=token, score=survey.survey_score_parse(request.POST.get("score", ""))
        )
    except ServiceError as exc:
        try:
            contact = survey.survey_token_contact(token)
        except ServiceError as token_error:  # a bad or expired link, however the score was
            return _token_refused(request, token_error)
        context = {"contact": contact, "token": token}
        if exc.code == "survey.already_answered":
            return _page(request, "answered", status=exc.status, **context)
        errors = [{"field": "score-1", "message": exc.message}]
        return _page(request, "form", status=400, errors=errors, **context)
    return _page(request, "thanks", score=answer.score, contact=answer.contact, token=token)
