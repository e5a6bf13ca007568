"""What a citizen may read on Min side: only their own data, and always scoped by them.

Every function takes the logged-in citizen and filters by them first; a case, document,
letter or appointment of someone else is "not found" (404), never "forbidden", so the
portal does not reveal that it exists. The citizen's reads are audited by the views
(``audit_portal_read``) with the system user ``min-side`` and channel ``portal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.audit import audit_entries_for_citizen, audit_record
from borgerservice.accounts.models import AccessPurpose
from borgerservice.booking.models import Booking
from borgerservice.booking.workflow import State as BookingState
from borgerservice.cases import workflow
from borgerservice.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseParty,
    Direction,
    DocumentVersion,
)
from borgerservice.contacts.models import Contact
from borgerservice.core.errors import NotFound
from borgerservice.outbox.models import OutboxMessage

from .auth import ACTOR_USERNAME, portal_actor

OPEN_STATUSES = frozenset(
    {
        workflow.Status.RECEIVED,
        workflow.Status.IN_PROGRESS,
        workflow.Status.AWAITING_CITIZEN,
        workflow.Status.REOPENED,
        workflow.Status.COMPLAINT,
        workflow.Status.FORWARDED,
    }
)


@dataclass(frozen=True)
class _Actor:
    """The system user's id and name: all an audit entry needs of it."""

    pk: int
    username: str

    def get_username(self) -> str:
        return self.username


_ACTORS: dict[str, _Actor] = {}


def _actor() -> _Actor:
    # Looked up once per process and database: the audit log keeps the actor's id without
    # a foreign key, so the entry needs no user row read on every page.
    from django.db import connection

    key = str(connection.settings_dict["NAME"])
    actor = _ACTORS.get(key)
    if actor is None:
        user = portal_actor()
        actor = _ACTORS[key] = _Actor(user.pk, user.get_username())
    return actor


def audit_portal_read(request, what: str) -> None:
    """One audit entry for the citizen's own read on Min side."""
    actor = _actor()
    audit_record(
        actor=actor,
        action="view",
        what=f"Min side: {what}",
        citizen_ids=[request.citizen.pk],
        channel="portal",
    )


def _language() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


# --- cases --------------------------------------------------------------------------------


def _own_cases(citizen):
    # The citizen's case ids by the party index, not a join: no DISTINCT over whole rows.
    party_of = CaseParty.objects.filter(citizen=citizen).values("case_id")
    return Case.objects.filter(pk__in=party_of, anonymised_at__isnull=True)


@dataclass
class CaseRow:
    case: Case
    status_text: str
    is_open: bool
    expected_on: date | None
    next_step: str


def next_step(case: Case, *, open_hearing=None, today: date | None = None) -> str:
    """What happens next, said to the citizen."""
    status = case.status
    if status == workflow.Status.AWAITING_CITIZEN or open_hearing is not None:
        if open_hearing is not None:
            return str(
                _("Answer our letter by %(date)s. You can write to us under Messages.")
                % {"date": _date_text(open_hearing.answer_by)}
            )
        return str(_("Send us the information we asked for. You can write to us under Messages."))
    if status in (workflow.Status.RECEIVED, workflow.Status.IN_PROGRESS, workflow.Status.REOPENED):
        return str(
            _("You do not need to do anything. You can expect an answer by %(date)s.")
            % {"date": _date_text(case.due_on)}
        )
    if status == workflow.Status.DECIDED:
        return str(
            _("Read the decision. If you disagree, you can complain; see how in the letter.")
        )
    if status == workflow.Status.COMPLAINT:
        return str(_("We are looking at the case again and will write to you."))
    if status == workflow.Status.FORWARDED:
        return str(_("The complaint body will contact you."))
    return str(_("Nothing. The case is finished."))


def _date_text(day: date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j. F Y")


def case_rows(citizen, *, limit: int | None = None, open_only: bool = False) -> list[CaseRow]:
    qs = (
        _own_cases(citizen)
        .select_related("case_type", "department")
        .order_by("-received_on", "-id")
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if limit:
        qs = qs[:limit]
    language = _language()
    rows = []
    for case in qs:
        is_open = case.status in OPEN_STATUSES
        rows.append(
            CaseRow(
                case=case,
                status_text=workflow.citizen_text(case.case_type, case.status, language),
                is_open=is_open,
                expected_on=case.due_on
                if case.status not in workflow.FINISHED and is_open
                else None,
                next_step=next_step(case),
            )
        )
    return rows


@dataclass
class CaseDetail:
    case: Case
    status_text: str
    expected_on: date | None
    next_step: str
    history: list
    documents: list
    letters: list
    decisions: list
    instant_decisions: list
    messages: list = field(default_factory=list)


def case_for_citizen(citizen, number: str) -> CaseDetail:
    case = (
        _own_cases(citizen)
        .select_related("case_type", "case_type__service", "department", "unit")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound("portal.case_not_found", _("We cannot find that case on your page."))
    open_hearing = case.hearings.filter(state="open").order_by("answer_by").first()
    history = list(
        case.events.filter(kind__in=[CaseEvent.Kind.CREATED, CaseEvent.Kind.TRANSITION])
        .only("at", "on", "to_status", "kind")
        .order_by("at", "id")
    )
    language = _language()
    for event in history:
        event.citizen_text = workflow.citizen_text(case.case_type, event.to_status, language)
        event.status_label = workflow.Status(event.to_status).label
    documents = list(
        CaseDocument.objects.filter(case=case)
        .exclude(direction=Direction.INTERNAL)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.filter(scan__in=_SHOWN_SCANS).order_by("-number"),
            )
        )
        .order_by("-document_date", "-id")
    )
    for document in documents:
        versions = list(document.versions.all())
        document.current = versions[0] if versions else None
    letters = list(
        OutboxMessage.objects.filter(citizen=citizen, case=case).order_by("-created_at", "-id")
    )
    decisions = list(case.decisions.order_by("-decided_on", "-id"))
    from borgerservice.decisions.models import InstantDecision

    instant = list(InstantDecision.objects.filter(case=case, citizen=citizen))
    from borgerservice.cases.messages import messages_for_citizen_case

    messages = messages_for_citizen_case(citizen=citizen, case_id=case.pk, audit=False)
    is_open = case.status in OPEN_STATUSES
    return CaseDetail(
        case=case,
        status_text=workflow.citizen_text(case.case_type, case.status, language),
        expected_on=case.due_on if is_open and case.status not in workflow.FINISHED else None,
        next_step=next_step(case, open_hearing=open_hearing),
        history=history,
        documents=documents,
        letters=letters,
        decisions=decisions,
        instant_decisions=instant,
        messages=messages,
    )


_SHOWN_SCANS = ("clean", "not_scanned")


def document_version_for_citizen(citizen, number: str, version_id: int) -> DocumentVersion:
    version = (
        DocumentVersion.objects.select_related("document", "document__case")
        .filter(
            pk=version_id,
            document__case__number=number,
            document__case__parties__citizen=citizen,
            document__case__anonymised_at__isnull=True,
            scan__in=_SHOWN_SCANS,
        )
        .exclude(document__direction=Direction.INTERNAL)
        .first()
    )
    if version is None:
        raise NotFound("portal.document_not_found", _("We cannot find that document."))
    return version


# --- contacts, letters, appointments, the audit log -----------------------------------------


def contacts_for_citizen(citizen, *, limit: int | None = None):
    qs = (
        Contact.objects.filter(citizen=citizen)
        .select_related("centre", "handed_over_to")
        .prefetch_related("services")
        .order_by("-started_at", "-id")
    )
    return list(qs[:limit] if limit else qs)


def letters_for_citizen(citizen, *, limit: int | None = None):
    qs = (
        OutboxMessage.objects.filter(citizen=citizen)
        .select_related("case")
        .order_by("-created_at", "-id")
    )
    return list(qs[:limit] if limit else qs)


def letter_for_citizen(citizen, letter_id: int) -> OutboxMessage:
    letter = OutboxMessage.objects.filter(pk=letter_id, citizen=citizen).select_related("case")
    letter = letter.first()
    if letter is None:
        raise NotFound("portal.letter_not_found", _("We cannot find that letter."))
    return letter


def appointments_for_citizen(citizen, *, upcoming_only: bool = False, now=None):
    now = now or timezone.now()
    qs = Booking.objects.filter(citizen=citizen).select_related(
        "slot", "slot__centre", "slot__resource", "service"
    )
    if upcoming_only:
        qs = qs.filter(state=BookingState.BOOKED, slot__starts_at__gte=now)
        return list(qs.order_by("slot__starts_at", "id"))
    return list(qs.order_by("-slot__starts_at", "-id"))


def appointment_for_citizen(citizen, code: str) -> Booking:
    booking = (
        Booking.objects.filter(citizen=citizen, code=code.strip().upper())
        .select_related("slot", "slot__centre", "service")
        .first()
    )
    if booking is None:
        raise NotFound("portal.booking_not_found", _("We cannot find that appointment."))
    return booking


def access_log_for_citizen(citizen, *, limit: int = 500):
    """When staff looked at the citizen's data and why: no staff names, only the kind of
    purpose, its reference and the channel. The citizen's own visits are left out."""
    entries = (
        audit_entries_for_citizen(citizen.pk)
        .exclude(actor_username=ACTOR_USERNAME)
        .only("occurred_at", "action", "what", "purpose_kind", "purpose_reference", "channel")
    )
    rows = list(entries[:limit])
    kinds = dict(AccessPurpose.Kind.choices)
    for entry in rows:
        entry.purpose_label = kinds.get(entry.purpose_kind, "") or _("Not stated")
    return rows


@dataclass
class Overview:
    open_cases: list
    open_case_count: int
    case_count: int
    appointments: list
    letters: list
    contacts: list
    contact_count: int
    unread_messages: int


def overview_for_citizen(citizen, *, now=None) -> Overview:
    counts = _own_cases(citizen).aggregate(
        n_cases=Count("id"), n_open=Count("id", filter=Q(status__in=OPEN_STATUSES))
    )
    counts["n_contacts"] = Contact.objects.filter(citizen=citizen).count()
    counts["n_unread"] = CaseMessage.objects.filter(
        case_id__in=CaseParty.objects.filter(citizen=citizen).values("case_id"),
        direction="out",
        read_at__isnull=True,
    ).count()
    return Overview(
        open_cases=case_rows(citizen, limit=5, open_only=True),
        open_case_count=counts["n_open"] or 0,
        case_count=counts["n_cases"] or 0,
        appointments=appointments_for_citizen(citizen, upcoming_only=True, now=now)[:3],
        letters=letters_for_citizen(citizen, limit=3),
        contacts=contacts_for_citizen(citizen, limit=3),
        contact_count=counts["n_contacts"] or 0,
        unread_messages=counts["n_unread"] or 0,
    )
