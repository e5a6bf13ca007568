"""Messages between the citizen (on Min side) and the caseworker about a case.

- ``message_from_citizen``: a party of the case writes on Min side. Anyone else, or a
  case that is anonymised, gets "not found". The message is journalised as received,
  audited (channel ``portal``, actor the system user ``min-side``), and the case's
  caseworker, or else the unit's address, gets an email after commit (case number and
  title only). The unread count shows in the unit's inbox and on the case page.
- ``message_to_citizen``: staff who may see the case write to the citizen. The message
  is journalised as sent, audited, and each addressee of the case (the applicants, or
  every party) is told after commit that a message is waiting on Min side, by the way
  they chose in their preferences (Digital Post by default; email; text message; or
  nothing). The notice never carries the message itself.
- ``messages_for_citizen_case`` and ``messages_for_case``: the conversation, oldest
  first; reading it marks the other side's messages read and writes an audit entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from borgerservice.accounts.access import require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.core.errors import NotFound, ServiceError

from .models import MESSAGE_MAX_LENGTH, Case, CaseMessage, CaseParty, Direction, JournalEntry

IN = CaseMessage.MessageDirection.IN
OUT = CaseMessage.MessageDirection.OUT


def _not_found() -> NotFound:
    return NotFound("case.not_found", _("The case does not exist."))


def message_text_clean(text: str | None) -> str:
    """The message as stored: line ends normalised, surrounding blanks removed. Raises
    ``ServiceError`` (field ``text``) for an empty or too long message."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ServiceError("message.empty", _("Write the message."), field="text")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ServiceError(
            "message.too_long",
            _("A message may be at most %(max)s characters."),
            field="text",
            params={"max": number_format(MESSAGE_MAX_LENGTH, force_grouping=True)},
        )
    return text


def _party_ids(case: Case) -> list[int]:
    return list(case.parties.values_list("citizen_id", flat=True))


def _citizen_case(citizen, case_id: int, *, lock: bool) -> Case:
    """The case if ``citizen`` is one of its parties and it is not anonymised."""
    if citizen is None or not CaseParty.objects.filter(case_id=case_id, citizen=citizen).exists():
        raise _not_found()
    cases = Case.objects.select_related("unit", "caseworker")
    if lock:
        cases = cases.select_for_update(of=("self",))
    case = cases.filter(pk=case_id, anonymised_at__isnull=True).first()
    if case is None:
        raise _not_found()
    return case


def _journalise(*, user, case: Case, direction: str) -> None:
    from .documents import journal_add

    with translation.override(settings.LANGUAGE_CODE):
        title = (
            _("Message from the citizen on Min side")
            if direction == IN
            else _("Message to the citizen on Min side")
        )
    journal_add(
        user=user,
        case=case,
        kind=JournalEntry.Kind.LETTER,
        direction=Direction.INCOMING if direction == IN else Direction.OUTGOING,
        title=str(title),
    )


# --- the citizen's side ------------------------------------------------------------------


@transaction.atomic
def message_from_citizen(*, citizen, case_id: int, text: str) -> CaseMessage:
    """A party of the case writes to the caseworker on Min side."""
    from borgerservice.portal.auth import portal_actor

    case = _citizen_case(citizen, case_id, lock=True)
    text = message_text_clean(text)
    actor = portal_actor()
    message = CaseMessage.objects.create(case=case, direction=IN, text=text, citizen=citizen)
    _journalise(user=actor, case=case, direction=IN)
    audit_record(
        actor=actor,
        action="change",
        what=f"case {case.number}: message from the citizen",
        citizen_ids=[citizen.pk],
        reason=f"case:{case.pk}",
        channel="portal",
    )
    _notify_staff(case)
    return message


@transaction.atomic
def messages_for_citizen_case(*, citizen, case_id: int, audit: bool = True) -> list[CaseMessage]:
    """The conversation of a case the citizen is a party of, oldest first; the messages
    to the citizen are marked read. ``audit=False`` when the caller's page writes its
    own audit entry for the case."""
    case = _citizen_case(citizen, case_id, lock=False)
    messages = list(
        CaseMessage.objects.filter(case=case)
        .select_related("author", "citizen")
        .order_by("created_at", "id")
    )
    unread = [m.pk for m in messages if m.direction == OUT and m.read_at is None]
    if unread:
        now = timezone.now()
        CaseMessage.objects.filter(pk__in=unread, read_at__isnull=True).update(read_at=now)
        for message in messages:
            if message.pk in unread:
                message.was_unread = True
                message.read_at = now
    if audit:
        from borgerservice.portal.auth import portal_actor

        audit_record(
            actor=portal_actor(),
            action="view",
            what=f"case {case.number}: messages",
            citizen_ids=[citizen.pk],
            reason=f"case:{case.pk}",
            channel="portal",
        )
    return messages


# --- the staff side ------------------------------------------------------------------------


def _visible_case(user, case_id: int, *, lock: bool) -> Case:
    from .selectors import may_see_case

    require_person_role(user)
    cases = Case.objects.select_related("unit", "caseworker")
    if lock:
        cases = cases.select_for_update(of=("self",))
    case = cases.filter(pk=case_id).first()
    if case is None or not may_see_case(user, case):
        raise _not_found()
    return case


def responsible_for(user, case: Case) -> bool:
    """The caseworker, or a member of the unit that has the case: reading the citizen's
    messages marks them read only for them (not for a colleague who only looks)."""
    from .selectors import user_unit_ids

    return case.caseworker_id == user.pk or case.unit_id in user_unit_ids(user)


@transaction.atomic
def message_to_citizen(*, user, case_id: int, text: str, channel: str = "ui") -> CaseMessage:
    """Staff who may see the case write to the citizen; the addressees are told that a
    message is waiting on Min side."""
    from .letters import addressees

    case = _visible_case(user, case_id, lock=True)
    if case.anonymised_at is not None:
        raise ServiceError(
            "case.anonymised", _("The case has been anonymised and cannot change."), status=409
        )
    text = message_text_clean(text)
    recipients = addressees(case)
    if not recipients:
        raise ServiceError("message.no_party", _("The case has no party to write to."), status=409)
    message = CaseMessage.objects.create(case=case, direction=OUT, text=text, author=user)
    _journalise(user=user, case=case, direction=OUT)
    audit_record(
        actor=user,
        action="change",
        what=f"case {case.number}: message to the citizen",
        citizen_ids=_party_ids(case),
        reason=f"case:{case.pk}",
        channel=channel,
    )
    for citizen in recipients:
        notify_citizen(citizen=citizen, case=case)
    return message


@transaction.atomic
def messages_for_case(
    *, user, case_id: int, audit: bool = True, channel: str = "ui"
) -> list[CaseMessage]:
    """The conversation of a case the user may see, oldest first. The citizen's unread
    messages are marked read when the user is responsible for the case (its caseworker
    or a member of its unit); each of those carries ``was_unread``. ``audit=False`` when
    the caller's own audit entry covers the read (the case page)."""
    case = _visible_case(user, case_id, lock=False)
    messages = list(
        CaseMessage.objects.filter(case=case)
        .select_related("author", "citizen")
        .order_by("created_at", "id")
    )
    unread = [m.pk for m in messages if m.direction == IN and m.read_at is None]
    if unread and responsible_for(user, case):
        now = timezone.now()
        CaseMessage.objects.filter(pk__in=unread, read_at__isnull=True).update(read_at=now)
        for message in messages:
            if message.pk in unread:
                message.was_unread = True
                message.read_at = now
    if audit:
        audit_record(
            actor=user,
            action="view",
            what=f"case {case.number}: messages",
            citizen_ids=_party_ids(case),
            reason=f"case:{case.pk}",
            channel=channel,
        )
    return messages


def unread_from_citizens(*, unit_id: int | None = None, caseworker_id: int | None = None):
    """Cases with messages from citizens nobody responsible has read yet, newest first:
    number, title, count and time of the newest (no personal data), at most ten."""
    from django.db.models import Count, Max

    unread = CaseMessage.objects.filter(direction=IN, read_at__isnull=True)
    if unit_id is not None:
        unread = unread.filter(case__unit_id=unit_id)
    if caseworker_id is not None:
        unread = unread.filter(case__caseworker_id=caseworker_id)
    return list(
        unread.values("case__number", "case__title")
        .annotate(count=Count("id"), newest=Max("created_at"))
        .order_by("-newest")[:10]
    )


# --- notices -------------------------------------------------------------------------------


def _portal_url(view: str, **kwargs) -> str:
    """The address of a Min side page for a notice: absolute when ``PORTAL_BASE_URL`` is
    set (e.g. ``https://minside.kk.dk``), else empty (the notice names Min side only)."""
    base = (getattr(settings, "PORTAL_BASE_URL", "") or "").rstrip("/")
    if not base:
        return ""
    try:
        return base + reverse(view, kwargs=kwargs)
    except NoReverseMatch:
        return base + "/"


def notify_citizen(*, citizen, case: Case) -> None:
    """Tell the citizen that a new message about ``case`` waits on Min side, the way they
    chose (``portal.CitizenPreference.notify_by``; Digital Post when they chose nothing).
    Delivered after commit; the message text itself is never sent."""
    from borgerservice.core.notify import notify_email, notify_sms
    from borgerservice.outbox.services import letter_send
    from borgerservice.portal.models import CitizenPreference

    preference = CitizenPreference.objects.filter(citizen=citizen).first()
    how = preference.notify_by if preference else CitizenPreference.NotifyBy.DIGITAL_POST
    if how == CitizenPreference.NotifyBy.NONE:
        return
    language = preference.language if preference else citizen.preferred_language
    language = "en" if language == "en" else "da"
    with translation.override(language):
        url = _portal_url("portal:case", number=case.number)
        subject = _("New message about your case %(number)s") % {"number": case.number}
        body = _(
            "You have a new message from %(municipality)s about your case %(number)s. "
            "Log in to Min side to read it."
        ) % {"municipality": settings.MUNICIPALITY_NAME, "number": case.number}
        if url:
            body = f"{body}\n\n{url}"
        if how == CitizenPreference.NotifyBy.EMAIL and preference.email:
            notify_email(to=preference.email, subject=str(subject), body=str(body))
        elif how == CitizenPreference.NotifyBy.SMS and preference.phone:
            text = _("%(municipality)s: a new message about case %(number)s is on Min side.") % {
                "municipality": settings.MUNICIPALITY_NAME,
                "number": case.number,
            }
            notify_sms(phone=preference.phone, text=f"{text} {url}".strip())
        else:
            letter_send(citizen=citizen, subject=str(subject), body=str(body), case=case)


def _notify_staff(case: Case) -> None:
    """Email the caseworker, or the unit's address when the case has none, that the
    citizen wrote (case number and title only), after commit."""
    from borgerservice.core.notify import notify_email

    worker = case.caseworker
    to = worker.email if worker is not None and worker.email else case.unit.email
    if not to:
        return  # the unread count in the inbox and on the case page is the notice
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New message from the citizen on case %(number)s") % {"number": case.number}
        body = _(
            "The citizen has written a message on Min side about case %(number)s "
            "(%(title)s). Read it on the case page."
        ) % {"number": case.number, "title": case.title}
    notify_email(to=to, subject=str(subject), body=str(body))
