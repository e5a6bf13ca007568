"""Min side's front page, login (MitID through OIDC; demo when DEMO=1), logout, keep-alive."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from borgerservice.citizens.cpr import cpr_mask
from borgerservice.citizens.models import Citizen

from .auth import citizen_login, citizen_logout, current_citizen, idle_seconds
from .oidc import CitizenOIDCBackend, oidc_enabled

NEXT_KEY = "portal_login_next"


def _safe_next(request, value: str | None) -> str:
    from django.urls import reverse

    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("portal:overview")


def _welcome(request, citizen, target: str, *, method: str):
    """Log in, then go on in the language the citizen chose in their settings."""
    from django.urls import translate_url

    from .services import preference_for

    citizen_login(request, citizen, method=method)
    language = preference_for(citizen).language
    response = redirect(translate_url(target, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def home(request):
    if current_citizen(request) is not None:
        return redirect("portal:overview")
    return render(request, "portal/home.html", {"oidc": oidc_enabled(), "demo": settings.DEMO})


def login(request):
    if current_citizen(request) is not None:
        return redirect(_safe_next(request, request.GET.get("next")))
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
    timed_out = request.GET.get("timeout") == "1" or getattr(request, "portal_timed_out", False)
    return render(
        request,
        "portal/login.html",
        {"oidc": oidc_enabled(), "demo": settings.DEMO, "timed_out": timed_out},
    )


def _demo_citizens() -> list[dict]:
    """Demo citizens to choose from: those with cases first, then others."""
    from borgerservice.cases.models import CaseParty

    ids = list(
        CaseParty.objects.filter(citizen__deceased_on__isnull=True)
        .order_by("citizen_id")
        .values_list("citizen_id", flat=True)
        .distinct()[:8]
    )
    people = list(Citizen.objects.filter(pk__in=ids).order_by("last_name", "first_name"))
    if len(people) < 8:
        people += list(
            Citizen.objects.filter(deceased_on__isnull=True)
            .exclude(pk__in=ids)
            .order_by("id")[: 8 - len(people)]
        )
    return [
        {"id": c.pk, "name": f"{c.first_name} {c.last_name}", "cpr": cpr_mask(c.cpr)}
        for c in people
    ]


def demo_login(request):
    if not settings.DEMO:
        raise Http404
    error = None
    if request.method == "POST":
        citizen = None
        raw = "".join(ch for ch in request.POST.get("cpr", "") if ch.isdigit())
        chosen = request.POST.get("citizen", "")
        if raw:
            citizen = Citizen.objects.filter(cpr=raw, deceased_on__isnull=True).first()
        elif chosen.isdigit():
            citizen = Citizen.objects.filter(pk=int(chosen), deceased_on__isnull=True).first()
        if citizen is not None:
            target = request.session.get(NEXT_KEY) or _safe_next(request, None)
            return _welcome(request, citizen, target, method="demo")
        error = {
            "field": "cpr" if raw else "citizen-0",
            "message": _("Choose a demo citizen or give the CPR number of one."),
        }
    return render(
        request,
        "portal/demo_login.html",
        {"people": _demo_citizens(), "errors": [error] if error else []},
        status=400 if error else 200,
    )


def oidc_login(request):
    if not oidc_enabled():
        raise Http404
    view = OIDCAuthenticationRequestView.as_view()
    return view(request)


def oidc_callback(request):
    """The broker sends the browser back here with a code (or an error)."""
    if not oidc_enabled():
        raise Http404
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    states = request.session.get("oidc_states") or {}
    state = request.GET.get("state", "")
    citizen = None
    if "code" in request.GET and state in states:
        entry = states.pop(state)
        request.session["oidc_states"] = states
        try:
            citizen = CitizenOIDCBackend().authenticate(
                request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
            )
        except (SuspiciousOperation, OSError, ValueError):
            citizen = None
    if citizen is None:
        messages.error(
            request,
            _(
                "The login did not succeed. Try again, or call Borgerservice if you keep "
                "seeing this."
            ),
        )
        return redirect("portal:login")
    target = request.session.get(NEXT_KEY) or _safe_next(request, None)
    return _welcome(request, citizen, target, method="mitid")


@require_POST
def logout(request):
    was_logged_in = current_citizen(request) is not None
    citizen_logout(request)
    if was_logged_in:
        messages.success(request, _("You are logged out of Min side."))
    return redirect("portal:home")


@require_POST
def keepalive(request):
    """The timeout warning's "Stay logged in": the session's clock starts again."""
    citizen = current_citizen(request)
    if citizen is None:
        return JsonResponse({"logged_in": False}, status=401)
    import time

    from .auth import ACTIVITY_KEY

    request.session[ACTIVITY_KEY] = int(time.time())
    return JsonResponse({"logged_in": True, "seconds": idle_seconds()})
