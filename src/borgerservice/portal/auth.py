"""Who the citizen on Min side is: a portal session of its own, apart from staff logins.

A citizen is not a Django user. Logging in (through the OIDC broker for MitID /
NemLog-in, or the demo login when ``DEMO=1``) stores the citizen's id in the session
under ``SESSION_KEY``; ``current_citizen`` reads it back, and ends the portal session
after ``PORTAL_SESSION_IDLE_MINUTES`` without a request. A staff login in the same
browser is a separate thing and is neither used nor changed by the portal.

Writes the portal makes on the citizen's behalf (a case from an application, an
appointment, a message) need a staff-side actor for the audit log and the case
history: ``portal_actor()`` is the system user ``min-side``, which cannot log in.
"""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "portal_citizen"
ACTIVITY_KEY = "portal_last_activity"
ACTOR_USERNAME = "min-side"
# The last request is written to the session at most this often (seconds).
ACTIVITY_WRITE_SECONDS = 15


def idle_seconds() -> int:
    return settings.PORTAL_SESSION_IDLE_MINUTES * 60


def citizen_login(request, citizen, *, method: str) -> None:
    """Start a portal session for ``citizen``; a new session key against fixation."""
    request.session.cycle_key()
    now = int(time.time())
    request.session[SESSION_KEY] = {"id": citizen.pk, "method": method, "at": now}
    request.session[ACTIVITY_KEY] = now
    request._portal_citizen = citizen


def citizen_logout(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(ACTIVITY_KEY, None)
    request.session.cycle_key()
    request._portal_citizen = None


def login_method(request) -> str:
    data = request.session.get(SESSION_KEY) or {}
    return data.get("method", "")


def current_citizen(request):
    """The logged-in citizen, or None (also after the idle timeout, which ends it)."""
    if hasattr(request, "_portal_citizen"):
        return request._portal_citizen
    request._portal_citizen = None
    session = getattr(request, "session", None)
    data = session.get(SESSION_KEY) if session is not None else None
    if not data:
        return None
    now = int(time.time())
    last = session.get(ACTIVITY_KEY, 0)
    if now - last > idle_seconds():
        session.pop(SESSION_KEY, None)
        session.pop(ACTIVITY_KEY, None)
        request.portal_timed_out = True
        return None
    from borgerservice.citizens.models import Citizen

    citizen = Citizen.objects.filter(pk=data.get("id"), deceased_on__isnull=True).first()
    if citizen is None:
        session.pop(SESSION_KEY, None)
        return None
    if now - last >= ACTIVITY_WRITE_SECONDS:
        session[ACTIVITY_KEY] = now
    request._portal_citizen = citizen
    return citizen


def login_url(next_path: str = "") -> str:
    url = reverse("portal:login")
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def citizen_required(view):
    """Views for a logged-in citizen get ``request.citizen``; others go to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        citizen = current_citizen(request)
        if citizen is None:
            if getattr(request, "htmx", False):
                response = redirect(login_url())
                response["HX-Redirect"] = response["Location"]
                return response
            return redirect(login_url(request.get_full_path()))
        request.citizen = citizen
        response = view(request, *args, **kwargs)
        # Pages with personal data are never kept by the browser or a shared cache.
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def private_when_logged_in(view):
    """Public pages show the citizen's name in the header when logged in: then they are
    not kept by the browser or a shared cache either."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if current_citizen(request) is not None:
            response["Cache-Control"] = "no-store"
        return response

    return wrapper


def portal_actor():
    """The system user that stands for Min side in audit entries and case histories."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=ACTOR_USERNAME).first()
    if user is None:
        user = user_model(username=ACTOR_USERNAME, first_name="Min side", is_active=False)
        user.set_unusable_password()
        user.save()
    return user
