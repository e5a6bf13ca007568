"""The landing page of a self-service link that staff sent from a contact (channel shift).

``link_open`` records the use (``contacts.links.link_use``) and sends the browser on to
the service's self-service application when one exists, else to the service's page on
Min side. It needs no login: the page it leads to asks for one. An unknown token gets a
friendly "not found" page. A HEAD request (link previews, mail scanners) is answered
without counting as a use.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from borgerservice.core.errors import NotFound

logger = logging.getLogger(__name__)


def _target(service) -> str:
    """The self-service form of the service when there is one, else its Min side page."""
    try:
        from borgerservice.selfservice.selectors import form_for_service
    except ImportError:
        form_for_service = None
    if form_for_service is not None:
        try:
            form = form_for_service(service)
        except Exception:  # a failing look-up must not cost the citizen the way on
            logger.exception("self-service form look-up failed")
            form = None
        if form is not None:
            try:
                return reverse("selfservice:start", kwargs={"service_code": service.code})
            except NoReverseMatch:
                pass
    return reverse("portal:service", kwargs={"code": service.code})


@require_safe
def link_open(request: HttpRequest, token: str) -> HttpResponse:
    from borgerservice.contacts.links import link_find, link_use

    try:
        link = link_find(token=token) if request.method == "HEAD" else link_use(token=token)
    except NotFound:
        response = render(request, "portal/link_unknown.html", status=404)
    else:
        response = redirect(_target(link.service))
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
