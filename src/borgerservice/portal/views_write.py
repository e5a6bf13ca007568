"""Min side's "Write to us": a citizen's free-text inquiry to the municipality.

The message goes to the inbox of written inquiries (``contacts.inbox``), linked to the
citizen, and the triage routes it to the right work queue or leaves it for a person. The
citizen gets a receipt; the triage's suggestions are staff information and never shown here.
A hidden token per form makes a double submit (or a retry after a lost answer) file one
message.
"""

from __future__ import annotations

import re
import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from borgerservice.contacts.inbox import MAX_SUBJECT, MessageInput, inbound_message_receive
from borgerservice.contacts.models import InboundMessage
from borgerservice.contacts.triage_services import MAX_TEXT
from borgerservice.core.errors import ServiceError

from . import selectors
from .auth import citizen_required
from .models import CitizenPreference

SENT_KEY = "portal_write_sent"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
# Where a service error is shown: the form's field ids.
_FIELDS = {"subject": "write-subject", "body": "write-body"}


def _preference_email(citizen) -> str:
    return (
        CitizenPreference.objects.filter(citizen=citizen).values_list("email", flat=True).first()
        or ""
    )


def _form(request: HttpRequest, *, errors=None, form=None, status: int = 200) -> HttpResponse:
    form = form or {}
    errors = errors or []
    context = {
        "errors": errors,
        "subject": form.get("subject", ""),
        "body": form.get("body", ""),
        # A fresh token after an error that was not a double submit keeps the next try apart.
        "token": form.get("token") or uuid.uuid4().hex,
        "max_subject": MAX_SUBJECT,
        "max_text": MAX_TEXT,
        "max_text_display": number_format(MAX_TEXT, force_grouping=True),
    }
    return render(request, "portal/write.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def write(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form(request)
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    token = request.POST.get("token", "")
    form = {"subject": subject, "body": body, "token": token if _TOKEN.match(token) else ""}
    errors = []
    if not body.strip():
        errors.append({"field": "write-body", "message": _("Write your message.")})
    elif len(body.strip()) > MAX_TEXT:
        errors.append(
            {
                "field": "write-body",
                "message": _("The message may be at most %(max)s characters.")
                % {"max": number_format(MAX_TEXT, force_grouping=True)},
            }
        )
    if len(" ".join(subject.split())) > MAX_SUBJECT:
        errors.append(
            {
                "field": "write-subject",
                "message": _("The subject may be at most %(max)d characters.")
                % {"max": MAX_SUBJECT},
            }
        )
    if errors:
        return _form(request, errors=errors, form=form, status=400)
    citizen = request.citizen
    key = f"portal-write:{citizen.pk}:{form['token']}" if form["token"] else None
    data = MessageInput(
        kind=InboundMessage.Kind.WEB,
        subject=subject,
        body=body,
        sender_name=citizen.full_name,
        sender_email=_preference_email(citizen),
        citizen_id=citizen.pk,
    )
    try:
        message, _created = inbound_message_receive(data=data, idempotency_key=key)
    except ServiceError as exc:
        if exc.code == "inbox.idempotency_conflict":
            # The same form was sent again with another text: file the new text on its own.
            form["token"] = ""
            error = _(
                "The form was already sent with another text. Check your message and send it again."
            )
            return _form(
                request, errors=[{"field": "write-body", "message": error}], form=form, status=409
            )
        if exc.code == "inbox.bad_email":
            data.sender_email = ""  # a stale address in the settings must not stop the message
            message, _created = inbound_message_receive(data=data, idempotency_key=key)
        else:
            field = _FIELDS.get(exc.field or "", "write-body")
            return _form(
                request,
                errors=[{"field": field, "message": exc.message}],
                form=form,
                status=exc.status,
            )
    request.session[SENT_KEY] = message.pk
    return redirect("portal:write_sent")


@require_safe
@citizen_required
def write_sent(request: HttpRequest) -> HttpResponse:
    """The receipt of the message just sent (its id kept in the session, so the address
    names no message)."""
    message_id = request.session.get(SENT_KEY)
    message = (
        InboundMessage.objects.filter(
            pk=message_id, citizen=request.citizen, kind=InboundMessage.Kind.WEB
        ).first()
        if isinstance(message_id, int)
        else None
    )
    if message is None:
        return redirect("portal:write")
    selectors.audit_portal_read(request, f"receipt for message {message.pk}")
    return render(request, "portal/write_sent.html", {"message": message})
