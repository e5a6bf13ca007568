"""The walk-in queue pages: the kiosk, the counter, the display and the team-lead view.

- The kiosk and the display run on unattended devices in the centre. A team lead
  registers a browser as the kiosk or the display of a centre from the team-lead view;
  that sets a long-lived signed cookie naming the centre (and logs the team lead out of
  that browser). The kiosk pages answer 403 with an explanation without a valid cookie
  for their centre; team leads may open them to check them. The display shows no
  personal data and is public.
- The counter is for the person roles; every action is a POST form that works without
  JavaScript and redirects back, and a refused action shows the page again with the
  DKFDS error summary, status 400 (403 when it is someone else's ticket), nothing changed.
- htmx refreshes the waiting counts at the counter and the display's list by asking for
  the page's named partial (``HX-Target``); without JavaScript the display reloads itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from borgerservice.accounts.access import may_open_persons
from borgerservice.accounts.roles import TEAM_LEAD, has_role
from borgerservice.catalogue import selectors as catalogue_selectors
from borgerservice.catalogue.models import Department, Service, ServiceCentre
from borgerservice.contacts.models import Contact
from borgerservice.core.errors import NotFound, ServiceError

from . import hours, selectors, services
from .models import Counter, QueueGroup, Ticket
from .workflow import State

DEVICE_COOKIE = "bs_queue_device"
DEVICE_SALT = "borgerservice.queueing.device"
# Browsers keep a cookie at most 400 days; the team lead registers the device again then.
DEVICE_MAX_AGE = 365 * 24 * 3600
DEVICE_KINDS = ("kiosk", "display")
# The receipt goes back to the start after this many seconds (unless the citizen stays).
# Done by htmx, not a meta refresh: the citizen can turn it off ("Keep this page open").
RECEIPT_SECONDS = 30
DISPLAY_LIMIT = 8

TICKET_ACTIONS = {
    "recall": services.ticket_recall,
    "serve": services.ticket_serve,
    "no-show": services.ticket_no_show,
    "park": services.ticket_park,
    "resume": services.ticket_resume,
}


@dataclass(frozen=True)
class FormError:
    """One line of the error summary; ``field`` is the id of the input it links to."""

    message: str
    field: str | None = None


@dataclass(frozen=True)
class Device:
    kind: str
    centre_code: str
    owner_id: int | None


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _is_team_lead(user) -> bool:
    return has_role(user, TEAM_LEAD)


def _centre(code: str) -> ServiceCentre:
    centre = ServiceCentre.objects.filter(code=code).first()
    if centre is None:
        raise Http404(_("The centre does not exist."))
    return centre


def _status(exc: ServiceError) -> int:
    return 403 if exc.status == 403 else 400


# --- devices -----------------------------------------------------------------------------------


def device_of(request: HttpRequest) -> Device | None:
    """The kiosk or display this browser is registered as (None without a valid cookie)."""
    raw = request.get_signed_cookie(
        DEVICE_COOKIE, default=None, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE
    )
    if not raw:
        return None
    parts = raw.split("|")
    if len(parts) != 3 or parts[0] not in DEVICE_KINDS:
        return None
    owner = int(parts[2]) if parts[2].isdigit() else None
    return Device(kind=parts[0], centre_code=parts[1], owner_id=owner)


def _device_owner(device: Device | None):
    if device is None or device.owner_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=device.owner_id, is_active=True).first()


def _device_url(device: Device) -> str:
    name = "queueing:kiosk" if device.kind == "kiosk" else "queueing:display"
    return reverse(name, kwargs={"centre": device.centre_code})


@require_safe
def device(request: HttpRequest) -> HttpResponse:
    """The start address of a registered device: it goes to its kiosk or display."""
    registered = device_of(request)
    if (
        registered is not None
        and ServiceCentre.objects.filter(code=registered.centre_code).exists()
    ):
        return redirect(_device_url(registered))
    return render(request, "queueing/device_refused.html", {"reason": "unregistered"}, status=403)


@require_POST
@login_required
def device_register(request: HttpRequest) -> HttpResponse:
    """Make this browser the kiosk or display of a centre (team leads)."""
    if not _is_team_lead(request.user):
        return _forbidden(request)
    kind = request.POST.get("kind", "")
    centre = ServiceCentre.objects.filter(code=request.POST.get("centre", "")).first()
    if kind not in DEVICE_KINDS or centre is None:
        return _overview_page(
            request,
            errors=[FormError(_("Choose a centre and whether this is a kiosk or a display."))],
        )
    owner = request.user.pk
    # The unattended device must not stay signed in as the team lead.
    logout(request)
    response = redirect(_device_url(Device(kind, centre.code, owner)))
    response.set_signed_cookie(
        DEVICE_COOKIE,
        f"{kind}|{centre.code}|{owner}",
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response


@require_POST
@login_required
def device_forget(request: HttpRequest) -> HttpResponse:
    """This browser is no longer a kiosk or display (team leads)."""
    if not _is_team_lead(request.user):
        return _forbidden(request)
    messages.success(request, _("This browser is no longer a kiosk or display."))
    response = redirect("queueing:overview")
    response.delete_cookie(DEVICE_COOKIE, samesite="Lax")
    return response


def _kiosk_access(request: HttpRequest, centre: ServiceCentre) -> tuple[Device | None, bool]:
    """(device, allowed): the kiosk of this centre, or a team lead checking it."""
    registered = device_of(request)
    if (
        registered is not None
        and registered.kind == "kiosk"
        and registered.centre_code == centre.code
    ):
        return registered, True
    return registered, _is_team_lead(request.user)


def _kiosk_refused(request: HttpRequest, centre: ServiceCentre, registered) -> HttpResponse:
    reason = "other" if registered is not None else "unregistered"
    context = {"reason": reason, "centre": centre, "registered": registered}
    return render(request, "queueing/device_refused.html", context, status=403)


# --- the kiosk ---------------------------------------------------------------------------------


def _kiosk_context(centre: ServiceCentre, now) -> dict:
    today = timezone.localdate(now)
    groups = selectors.kiosk_groups(centre)
    waiting = selectors.waiting_by_group(centre, now=now)
    return {
        "centre": centre,
        "is_open": hours.is_open(centre, now),
        "today_hours": hours.hours_on(centre, today),
        "holiday": hours.is_holiday(today),
        "groups": [(group, waiting.get(group.pk, 0)) for group in groups],
    }


@require_safe
def kiosk(request: HttpRequest, centre: str) -> HttpResponse:
    centre_obj = _centre(centre)
    registered, allowed = _kiosk_access(request, centre_obj)
    if not allowed:
        return _kiosk_refused(request, centre_obj, registered)
    context = _kiosk_context(centre_obj, timezone.now())
    context.update({"errors": [], "form": {}})
    return render(request, "queueing/kiosk.html", context)


@require_POST
def kiosk_draw(request: HttpRequest, centre: str) -> HttpResponse:
    """Take a number; with an optional email or mobile number for the turn-near message."""
    centre_obj = _centre(centre)
    registered, allowed = _kiosk_access(request, centre_obj)
    if not allowed:
        return _kiosk_refused(request, centre_obj, registered)
    raw_group = request.POST.get("group", "")
    group = None
    if raw_group.isdigit():
        group = QueueGroup.objects.filter(pk=int(raw_group), centre=centre_obj).first()
    errors: list = []
    if group is None:
        errors.append(FormError(_("Choose what you need help with."), "groups"))
    else:
        try:
            ticket = services.ticket_draw(
                centre=centre_obj,
                group=group,
                notify_email=request.POST.get("notify_email", ""),
                notify_phone=request.POST.get("notify_phone", ""),
            )
        except ServiceError as exc:
            errors.append(exc)
        else:
            return redirect("queueing:kiosk-ticket", centre=centre_obj.code, ticket_id=ticket.pk)
    context = _kiosk_context(centre_obj, timezone.now())
    context.update({"errors": errors, "form": request.POST})
    return render(request, "queueing/kiosk.html", context, status=400)


@require_safe
def kiosk_ticket(request: HttpRequest, centre: str, ticket_id: int) -> HttpResponse:
    """The receipt: the number, the queue, how many are ahead and the expected wait."""
    centre_obj = _centre(centre)
    registered, allowed = _kiosk_access(request, centre_obj)
    if not allowed:
        return _kiosk_refused(request, centre_obj, registered)
    now = timezone.now()
    ticket = (
        Ticket.objects.filter(pk=ticket_id, centre=centre_obj, day=timezone.localdate(now))
        .select_related("group")
        .first()
    )
    if ticket is None:
        raise Http404(_("The ticket does not exist."))
    if request.GET.get("return") == "1":
        # The timed return to the start (htmx turns the redirect into HX-Redirect).
        return redirect("queueing:kiosk", centre=centre_obj.code)
    estimate = selectors.estimated_wait(ticket.group, ticket=ticket, now=now)
    stay = request.GET.get("stay") == "1"
    context = {
        "centre": centre_obj,
        "ticket": ticket,
        "estimate": estimate,
        "waiting": ticket.state == State.WAITING,
        "stay": stay,
        "refresh_seconds": None if stay else RECEIPT_SECONDS,
        "checked_in": request.GET.get("checked_in") == "1",
    }
    return render(request, "queueing/kiosk_ticket.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_check_in(request: HttpRequest, centre: str) -> HttpResponse:
    """Check in for a booked appointment by booking code or CPR number."""
    centre_obj = _centre(centre)
    registered, allowed = _kiosk_access(request, centre_obj)
    if not allowed:
        return _kiosk_refused(request, centre_obj, registered)
    errors: list = []
    if request.method == "POST":
        by = request.POST.get("by", "code")
        try:
            _booking, ticket = services.kiosk_check_in(
                centre=centre_obj,
                code=request.POST.get("code", "") if by == "code" else "",
                cpr=request.POST.get("cpr", "") if by == "cpr" else "",
                device_owner=_device_owner(registered),
            )
        except ServiceError as exc:
            errors.append(exc)
        else:
            if ticket is not None:
                url = reverse(
                    "queueing:kiosk-ticket",
                    kwargs={"centre": centre_obj.code, "ticket_id": ticket.pk},
                )
                return redirect(f"{url}?checked_in=1")
            messages.success(
                request, _("You are checked in. Please take a seat; you will be called.")
            )
            return redirect("queueing:kiosk", centre=centre_obj.code)
    context = {
        "centre": centre_obj,
        "errors": errors,
        # The CPR number is never echoed back into the page.
        "code": request.POST.get("code", "") if request.method == "POST" else "",
    }
    return render(request, "queueing/kiosk_check_in.html", context, status=400 if errors else 200)


# --- the display -------------------------------------------------------------------------------


@require_safe
def display(request: HttpRequest, centre: str) -> HttpResponse:
    """The screen in the waiting area: the latest called numbers and their counters."""
    centre_obj = _centre(centre)
    called = selectors.last_called(centre_obj, limit=DISPLAY_LIMIT)
    context = {
        "centre": centre_obj,
        "latest": called[0] if called else None,
        "earlier": called[1:],
        "now": timezone.now(),
    }
    if request.headers.get("HX-Target") == "called":
        return render(request, "queueing/display.html#called", context)
    return render(request, "queueing/display.html", context)


# --- the counter -------------------------------------------------------------------------------


def _staff_centre(user) -> ServiceCentre | None:
    profile = getattr(user, "staff_profile", None)
    return getattr(profile, "centre", None) if profile is not None else None


def _centres_with_queues():
    return (
        ServiceCentre.objects.filter(queue_groups__isnull=False)
        .distinct()
        .order_by("sort_order", "code")
    )


def _finish_context(ticket: Ticket | None, source) -> dict:
    """The finish form: the services to choose (the queue's, or found by a search), the
    outcomes and departments of the contact registration."""
    if ticket is None or ticket.state != State.SERVING:
        return {}
    selected = list(
        Service.objects.filter(code__in=source.getlist("services")).select_related("department")
    )
    service_q = source.get("service_q", "").strip()
    errors = []
    if service_q:
        try:
            found = list(
                catalogue_selectors.service_search(
                    catalogue_selectors.service_filters_parse(q=service_q)
                )[:8]
            )
        except ServiceError as exc:
            errors.append(exc)
            found = []
    else:
        found = list(ticket.group.services.select_related("department").order_by("code")[:12])
    return {
        "service_q": service_q,
        "selected_services": selected,
        "service_options": [s for s in found if s not in selected],
        "outcomes": Contact.Outcome.choices,
        "departments": Department.objects.filter(kind__in=["current", "external"]),
        "finish_form": source,
        "search_errors": errors,
    }


def _counter_page(
    request: HttpRequest, *, errors: list | None = None, status: int = 200, source=None
) -> HttpResponse:
    user = request.user
    source = source if source is not None else request.GET
    session = selectors.open_session_for(user)
    context: dict = {"errors": list(errors or []), "session": session}
    if session is None:
        code = source.get("centre", "")
        centres = list(_centres_with_queues())
        centre = next((c for c in centres if c.code == code), None)
        if centre is None:
            home = _staff_centre(user)
            centre = next((c for c in centres if home and c.pk == home.pk), None)
        if centre is None and len(centres) == 1:
            centre = centres[0]
        context.update(
            {
                "centres": centres,
                "centre": centre,
                "counters": selectors.counters_for(centre) if centre else [],
                "groups": selectors.kiosk_groups(centre) if centre else [],
                "form": source,
                "chosen_groups": source.getlist("groups"),
            }
        )
    else:
        centre = session.counter.centre
        ticket = selectors.session_current_ticket(session)
        waiting = selectors.waiting_by_group(centre)
        covered = set(session.groups.values_list("pk", flat=True))
        groups = selectors.kiosk_groups(centre)
        context.update(
            {
                "centre": centre,
                "ticket": ticket,
                "waiting_rows": [(g, waiting.get(g.pk, 0), g.pk in covered) for g in groups],
                "covered": [g for g in groups if g.pk in covered],
                "transfer_groups": [g for g in groups if ticket is None or g.pk != ticket.group_id],
                "parked": selectors.parked_tickets(centre),
                **_finish_context(ticket, source),
            }
        )
        context["errors"] += context.get("search_errors", [])
        if request.headers.get("HX-Target") == "waiting-counts":
            return render(request, "queueing/counter.html#waiting-counts", context)
        if request.headers.get("HX-Target") == "service-options":
            return render(request, "contacts/register.html#service-options", context)
    if context["errors"] and status == 200:
        status = 400
    return render(request, "queueing/counter.html", context, status=status)


@require_safe
@login_required
def counter(request: HttpRequest) -> HttpResponse:
    """Sign in at a counter, or the counter's workspace once signed in."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    return _counter_page(request)


@require_POST
@login_required
def counter_open(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    raw = request.POST.get("counter", "")
    counter_obj = (
        Counter.objects.filter(pk=int(raw)).select_related("centre").first()
        if raw.isdigit()
        else None
    )
    if counter_obj is None:
        return _counter_page(
            request,
            errors=[FormError(_("Choose the counter you sit at."), "counter")],
            source=request.POST,
        )
    ids = [int(v) for v in request.POST.getlist("groups") if v.isdigit()]
    groups = list(QueueGroup.objects.filter(pk__in=ids))
    if len(groups) != len(set(ids)):
        return _counter_page(
            request,
            errors=[FormError(_("Choose the queues from the list."), "groups")],
            source=request.POST,
        )
    try:
        services.counter_open(user=request.user, counter=counter_obj, groups=groups)
    except ServiceError as exc:
        return _counter_page(request, errors=[exc], status=_status(exc), source=request.POST)
    messages.success(request, _("You are signed in at %(counter)s.") % {"counter": counter_obj})
    return redirect("queueing:counter")


@require_POST
@login_required
def counter_close(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    session = selectors.open_session_for(request.user)
    if session is None:
        messages.info(request, _("You are not signed in at a counter."))
        return redirect("queueing:counter")
    try:
        services.counter_close(user=request.user, session=session)
    except ServiceError as exc:
        return _counter_page(request, errors=[exc], status=_status(exc))
    messages.success(
        request, _("You are signed out of %(counter)s.") % {"counter": session.counter}
    )
    return redirect("queueing:counter")


@require_POST
@login_required
def call_next(request: HttpRequest) -> HttpResponse:
    if not may_open_persons(request.user):
        return _forbidden(request)
    session = selectors.open_session_for(request.user)
    if session is None:
        return _counter_page(
            request, errors=[FormError(_("Sign in at a counter first."), "counter")]
        )
    try:
        ticket = services.ticket_call_next(session=session)
    except ServiceError as exc:
        return _counter_page(request, errors=[exc], status=_status(exc))
    if ticket is None:
        messages.info(request, _("Nobody is waiting in your queues."))
    else:
        messages.success(request, _("%(code)s is called.") % {"code": ticket.code})
    return redirect("queueing:counter")


@require_POST
@login_required
def ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """Recall, start the service, no-show, park, resume or transfer a ticket."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    if action != "transfer" and action not in TICKET_ACTIONS:
        raise Http404(_("Unknown action."))
    try:
        if action == "transfer":
            raw = request.POST.get("to_group", "")
            ticket = Ticket.objects.filter(pk=ticket_id).only("centre_id").first()
            if ticket is None:
                raise NotFound("queue.ticket_not_found", _("The ticket does not exist."))
            to_group = (
                QueueGroup.objects.filter(pk=int(raw), centre_id=ticket.centre_id).first()
                if raw.isdigit()
                else None
            )
            if to_group is None:
                raise ServiceError(
                    "queue.group_not_in_centre",
                    _("Choose an open queue of the same centre."),
                    field="to_group",
                )
            new = services.ticket_transfer(
                user=request.user, ticket_id=ticket_id, to_group=to_group
            )
            message = _("The ticket is moved to %(group)s as %(code)s.") % {
                "group": to_group,
                "code": new.code,
            }
        else:
            ticket = TICKET_ACTIONS[action](user=request.user, ticket_id=ticket_id)
            message = {
                "recall": _("%(code)s is called again."),
                "serve": _("The service of %(code)s has started."),
                "no-show": _("%(code)s is marked as not shown up."),
                "park": _("%(code)s is parked."),
                "resume": _("The service of %(code)s is resumed."),
            }[action] % {"code": ticket.code}
    except ServiceError as exc:
        return _counter_page(request, errors=[exc], status=_status(exc))
    messages.success(request, message)
    return redirect("queueing:counter")


@require_POST
@login_required
def ticket_finish(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Finish the service and register the contact in one step."""
    if not may_open_persons(request.user):
        return _forbidden(request)
    data = request.POST
    try:
        ticket = services.ticket_finish(
            user=request.user,
            ticket_id=ticket_id,
            outcome=data.get("outcome", ""),
            services=[code for code in data.getlist("services") if code],
            note=data.get("note", ""),
            handed_over_to=data.get("handed_over_to") or None,
            forwarded_to=data.get("forwarded_to", ""),
            citizen_informed=data.get("citizen_informed") == "on",
            could_be_digital=data.get("could_be_digital") == "on",
        )
    except ServiceError as exc:
        return _counter_page(request, errors=[exc], status=_status(exc), source=data)
    messages.success(
        request, _("%(code)s is finished and the contact is registered.") % {"code": ticket.code}
    )
    return redirect("queueing:counter")


# --- the team lead -----------------------------------------------------------------------------


@require_safe
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """All centres: waiting now, longest wait, counters open, served today."""
    if not _is_team_lead(request.user):
        return _forbidden(request)
    return _overview_page(request)


def _overview_page(request: HttpRequest, errors: list | None = None) -> HttpResponse:
    rows = []
    for status in selectors.queue_status():
        longest = status.longest_wait
        rows.append(
            {
                "status": status,
                "longest_minutes": int(longest.total_seconds() // 60) if longest else None,
            }
        )
    context = {"rows": rows, "errors": errors or [], "device": device_of(request)}
    return render(request, "queueing/overview.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def day_close(request: HttpRequest, centre: str) -> HttpResponse:
    """Close the day of a centre now: the confirmation page, then the POST."""
    if not _is_team_lead(request.user):
        return _forbidden(request)
    centre_obj = _centre(centre)
    today = timezone.localdate()
    if request.method == "POST":
        closed = services.day_close(centre=centre_obj, day=today)
        messages.success(
            request,
            _("The day is closed at %(centre)s: %(count)s tickets closed unserved.")
            % {"centre": centre_obj, "count": closed},
        )
        return redirect("queueing:overview")
    status = selectors.queue_status(centres=[centre_obj])[0]
    open_tickets = Ticket.objects.filter(
        centre=centre_obj, day=today, state__in=[State.WAITING, State.CALLED, State.PARKED]
    ).count()
    context = {"centre": centre_obj, "status": status, "open_tickets": open_tickets}
    return render(request, "queueing/day_close.html", context)
