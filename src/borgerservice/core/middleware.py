"""Request handling shared by every page and the API."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """A NUL byte in the address or the query is never meaningful and PostgreSQL cannot
    store or compare it; answer 400 before any view can pass it to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in request.GET.getlist(key))
            for key in request.GET
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "request.invalid", "message": "NUL bytes are not allowed."},
                    status=400,
                )
            raise BadRequest("NUL byte in the request")
        return self.get_response(request)


class ApiLanguageMiddleware:
    """Pages carry their language in the address (/en/…) and unprefixed pages are
    Danish. The API has no language prefix, so it follows Accept-Language instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Content-Language", translation.get_language())
        return response


class HtmxMiddleware:
    """Keeps htmx requests and staff pages well-behaved.

    - A redirect answering an htmx request (typically to the login page after the
      session ran out) becomes an ``HX-Redirect``, so the browser goes there instead
      of htmx pasting the login page into the search results.
    - Responses vary on the htmx headers, and pages shown to a signed-in user are
      never stored by shared caches.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") and response.status_code in (301, 302, 303):
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class SessionIdleTimeoutMiddleware:
    """Log a staff member out after ``SESSION_IDLE_MINUTES`` without any request.

    The time of the last request is written to the session at most once a minute, so
    an active user does not cause a session write on every request.
    """

    KEY = "last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.KEY, now)
            if now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("You were logged out after a period of inactivity."))
                return redirect_to_login(request.get_full_path())
            if now - last >= 60 or self.KEY not in request.session:
                request.session[self.KEY] = now
        return self.get_response(request)
