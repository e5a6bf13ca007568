"""Case endpoints: the unit inbox, one case, its transitions, deadline, caseworker, unit,
notes, documents, hearings, decisions and exports (access to records).

Only the person roles (front office, specialist, team lead) reach them. A case is named by
its number (``2026-000123``); a case the caller may not see answers 404, exactly like one
that does not exist. Lists carry no personal data; every answer that shows a case's
parties or records writes an audit entry (a write's own change entry covers the case it
returns).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from borgerservice.accounts.access import purpose_require, require_person_role
from borgerservice.accounts.audit import audit_record
from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.citizens.cpr import cpr_mask
from borgerservice.core.channels import Channel
from borgerservice.core.errors import NotFound, ServiceError

from . import selectors, services, workflow
from .deadlines import deadline_of
from .models import (
    Case,
    CaseDocument,
    CaseNote,
    CaseParty,
    CaseType,
    Decision,
    DocumentVersion,
    Hearing,
    Unit,
)

router = Router(tags=["cases"], auth=STAFF_AUTH)

# Case numbers are "YYYY-NNNNNN"; anything else cannot name a case (and never reaches SQL).
NUMBER_RE = re.compile(r"\d{4}-\d{6,12}")
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
READ_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
# Uploads also answer 413 (too large), 415 (type not allowed), 422 (malware found) and
# 503 (the malware scanner is down).
UPLOAD_ERRORS = {**ERRORS, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut, 503: ErrorOut}


def _binary(media_type: str, description: str) -> dict:
    """OpenAPI for a 200 answer that is a file download."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


# --- schemas -------------------------------------------------------------------------


class InboxItemOut(Schema):
    number: str
    title: str
    status: str
    status_text: str
    case_type: str = Field(description="Code of the case's service")
    department: str = Field(description="Code of the responsible department")
    unit: str = Field(description="Code of the unit that has the case")
    caseworker: str | None = Field(description="Username of the caseworker")
    received_on: date
    due_on: date
    sla_state: str = Field(description="on_track, at_risk, breached, paused or finished")


class InboxOut(Schema):
    items: list[InboxItemOut]
    count: int = Field(description=f"At most {selectors.COUNT_CAP + 1} (meaning more)")
    page: int
    has_next: bool


class CaseIn(Schema):
    service: str = Field(..., max_length=80, description="Code of a level-2 or -3 service")
    citizen_id: int = Field(..., description="The applicant; needs an active purpose")
    title: str = Field(..., max_length=200)
    channel: Channel
    unit: str | None = Field(
        None, max_length=40, description="Unit code; default: the department's unit"
    )
    confidentiality: Case.Confidentiality = Case.Confidentiality.NORMAL
    received_on: date | None = Field(None, description="Default: today")


class PartyOut(Schema):
    citizen_id: int
    name: str
    cpr_masked: str = Field(description="CPR number masked as DDMMYY-XXXX")
    role: str


class DeadlineOut(Schema):
    due_on: date
    remaining_days: int = Field(description="Working days left; negative when overdue")
    state: str = Field(description="on_track, at_risk, breached, paused, met or late")
    paused_days: int
    extension_days: int
    target_days: int


class TransitionOptionOut(Schema):
    to_status: str
    action: str
    label: str


class EventOut(Schema):
    kind: str
    at: datetime
    on: date
    from_status: str
    to_status: str
    reason: str
    extension_days: int
    from_unit: str | None
    to_unit: str | None
    actor: str | None


class JournalEntryOut(Schema):
    number: int = Field(description="The entry number in the case (aktnummer)")
    kind: str
    direction: str
    on: date
    title: str
    document_id: int | None


class NoteOut(Schema):
    id: int
    text: str
    author: str | None
    created_at: datetime


class CaseOut(Schema):
    number: str
    title: str
    status: str
    status_text: str
    status_help: str
    case_type: str
    case_type_name: str
    kle_code: str
    action_facet: str
    department: str
    unit: str
    caseworker: str | None
    confidentiality: str
    channel: str
    received_on: date
    closed_on: date | None
    anonymised: bool
    parties: list[PartyOut]
    deadline: DeadlineOut
    allowed_transitions: list[TransitionOptionOut]
    events: list[EventOut]
    journal: list[JournalEntryOut]
    notes: list[NoteOut]


class TransitionIn(Schema):
    to_status: workflow.Status
    reason: str = Field("", max_length=2000)


class ExtensionIn(Schema):
    days: int = Field(..., description="Working days, 1 to 60")
    reason: str = Field("", max_length=2000, description="Required")


class AssignmentIn(Schema):
    caseworker: str | None = Field(
        ..., max_length=150, description="Username, or null to give it back to the unit"
    )


class TransferIn(Schema):
    unit: str = Field(..., max_length=40, description="Code of the receiving unit")
    reason: str = Field("", max_length=2000, description="Required")


class NoteIn(Schema):
    text: str


class PartyIn(Schema):
    cpr: str = Field(..., max_length=11, description="The citizen's CPR number")
    role: CaseParty.Role = CaseParty.Role.PARTY


class JournalOut(Schema):
    items: list[JournalEntryOut]
    count: int


class VersionOut(Schema):
    number: int
    filename: str
    content_type: str
    size: int
    sha256: str
    scan: str
    uploaded_at: datetime
    uploaded_by: str | None
    content: str = Field(description="Address of the file")


class DocumentOut(Schema):
    id: int
    title: str
    direction: str
    document_date: date
    created_at: datetime
    created_by: str | None
    versions: list[VersionOut]


class DocumentListOut(Schema):
    items: list[DocumentOut]
    count: int


class HearingIn(Schema):
    facts: str = Field(..., description="The facts the party is heard on")
    answer_by: date | None = Field(None, description="Default: the hearing period")


class HearingAnswerIn(Schema):
    answer: str


class HearingOut(Schema):
    id: int
    facts: str
    sent_on: date
    answer_by: date
    state: str
    answer: str
    answered_on: date | None


class HearingListOut(Schema):
    items: list[HearingOut]
    count: int


class DecisionIn(Schema):
    outcome: Decision.Outcome
    rules_applied: str
    reasons: str
    facts: str = ""
    complaint_guidance: str | None = Field(
        None, description="Default: the case type's complaint guidance"
    )


class DecisionOut(Schema):
    id: int
    outcome: str
    rules_applied: str
    facts: str
    reasons: str
    complaint_guidance: str
    hearing_id: int | None
    decided_on: date
    decided_by: str | None
    letter_document_id: int | None


class DecisionListOut(Schema):
    items: list[DecisionOut]
    count: int


# --- helpers -------------------------------------------------------------------------


def _not_found() -> NotFound:
    return NotFound("case.not_found", _("The case does not exist."))


def _visible_case(request: HttpRequest, number: str) -> Case:
    """The case named ``number`` if the caller may see it; 404 otherwise."""
    require_person_role(request.user)
    if not NUMBER_RE.fullmatch(number):
        raise _not_found()
    case = (
        Case.objects.only("id", "number", "unit_id", "caseworker_id", "case_type_id")
        .filter(number=number)
        .first()
    )
    if case is None or not selectors.may_see_case(request.user, case):
        raise _not_found()
    return case


def _audit_read(request: HttpRequest, case: Case, what: str) -> None:
    audit_record(
        actor=request.user,
        action="view",
        what=f"case {case.number}: {what}",
        citizen_ids=list(case.parties.values_list("citizen_id", flat=True)),
        reason=f"case:{case.pk}",
        channel="api",
    )


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _status_text(status: str) -> str:
    return str(workflow.Status(status).label)


def _journal(case: Case) -> list[dict]:
    return [
        {
            "number": entry.number,
            "kind": entry.kind,
            "direction": entry.direction,
            "on": entry.on,
            "title": entry.title,
            "document_id": entry.document_id,
        }
        for entry in case.journal.order_by("number")
    ]


def _note(note: CaseNote) -> dict:
    return {
        "id": note.pk,
        "text": note.text,
        "author": _username(note.author),
        "created_at": note.created_at,
    }


def _detail(case: Case, deadline, parties, events) -> dict:
    options = [
        (to, action)
        for to, action in workflow.actions_from(case.status)
        if to not in workflow.PAUSED or case.case_type.suspension_allowed
    ]
    return {
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "status_text": _status_text(case.status),
        "status_help": str(workflow.INTERNAL_TEXTS[case.status]),
        "case_type": case.case_type.service.code,
        "case_type_name": case.case_type.name,
        "kle_code": case.kle_code,
        "action_facet": case.action_facet,
        "department": case.department.code,
        "unit": case.unit.code,
        "caseworker": _username(case.caseworker),
        "confidentiality": case.confidentiality,
        "channel": case.channel,
        "received_on": case.received_on,
        "closed_on": case.closed_on,
        "anonymised": case.anonymised_at is not None,
        "parties": [
            {
                "citizen_id": party.citizen_id,
                "name": party.citizen.full_name,
                "cpr_masked": cpr_mask(party.citizen.cpr),
                "role": party.role,
            }
            for party in parties
        ],
        "deadline": {
            "due_on": deadline.due_on,
            "remaining_days": deadline.remaining_days,
            "state": deadline.state,
            "paused_days": deadline.paused_days,
            "extension_days": deadline.extension_days,
            "target_days": deadline.target_days,
        },
        "allowed_transitions": [
            {"to_status": to, "action": action, "label": _status_text(to)} for to, action in options
        ],
        "events": [
            {
                "kind": event.kind,
                "at": event.at,
                "on": event.on,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": event.reason,
                "extension_days": event.extension_days,
                "from_unit": event.from_unit.code if event.from_unit_id else None,
                "to_unit": event.to_unit.code if event.to_unit_id else None,
                "actor": _username(event.actor),
            }
            for event in events
        ],
        "journal": _journal(case),
        "notes": [_note(note) for note in case.notes.select_related("author")],
    }


def _detail_after_change(case_id: int) -> dict:
    """The case as the write left it. Not re-checked for visibility (a transfer may take
    it out of the caller's reach) and not audited again: the write's change entry names
    the same parties."""
    case = Case.objects.select_related(
        "case_type", "case_type__service", "department", "unit", "caseworker"
    ).get(pk=case_id)
    events = list(case.events.select_related("actor", "from_unit", "to_unit"))
    parties = list(case.parties.select_related("citizen"))
    return _detail(case, deadline_of(case, events=events), parties, events)


def _unit_by_code(code: str) -> Unit:
    unit = Unit.objects.select_related("department").filter(code=code).first()
    if unit is None:
        raise ServiceError(
            "case.unit_unknown",
            _("There is no unit with the code %(code)s."),
            field="unit",
            params={"code": code},
        )
    return unit


def _version_out(case: Case, document: CaseDocument, version: DocumentVersion) -> dict:
    return {
        "number": version.number,
        "filename": version.filename,
        "content_type": version.content_type,
        "size": version.size,
        "sha256": version.sha256,
        "scan": version.scan,
        "uploaded_at": version.uploaded_at,
        "uploaded_by": _username(version.uploaded_by),
        "content": (
            f"/api/v1/cases/{case.number}/documents/{document.pk}/versions/{version.number}/content"
        ),
    }


@contextmanager
def _file_field_named_file():
    """The document services name the file field ``upload`` (the workplace form); here
    it is ``file``."""
    try:
        yield
    except ServiceError as error:
        if error.field == "upload":
            error.field = "file"
        raise


def _document_out(case: Case, document: CaseDocument) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "direction": document.direction,
        "document_date": document.document_date,
        "created_at": document.created_at,
        "created_by": _username(document.created_by),
        "versions": [_version_out(case, document, v) for v in document.versions.all()],
    }


def _documents(case: Case, **filters) -> list[CaseDocument]:
    return list(
        CaseDocument.objects.filter(case=case, **filters)
        .select_related("created_by")
        .prefetch_related("versions__uploaded_by")
        .order_by("created_at", "id")
    )


def _document_of(case: Case, document_id: int) -> CaseDocument:
    document = next(iter(_documents(case, pk=document_id)), None)
    if document is None:
        raise NotFound("document.not_found", _("The document does not exist."))
    return document


def _hearing_out(hearing: Hearing) -> dict:
    return {
        "id": hearing.pk,
        "facts": hearing.facts,
        "sent_on": hearing.sent_on,
        "answer_by": hearing.answer_by,
        "state": hearing.state,
        "answer": hearing.answer,
        "answered_on": hearing.answered_on,
    }


def _decision_out(decision: Decision) -> dict:
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "rules_applied": decision.rules_applied,
        "facts": decision.facts,
        "reasons": decision.reasons,
        "complaint_guidance": decision.complaint_guidance,
        "hearing_id": decision.hearing_id,
        "decided_on": decision.decided_on,
        "decided_by": _username(decision.decided_by),
        "letter_document_id": decision.letter_id,
    }


def _download(export) -> HttpResponse:
    """An ``Export(filename, file, size, content_type)`` as an attachment."""
    content = export.file
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(bytes(content), content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    else:
        if hasattr(content, "seek"):
            content.seek(0)
        response = FileResponse(
            content,
            as_attachment=True,
            filename=export.filename,
            content_type=export.content_type,
        )
    if export.size:
        response["Content-Length"] = str(export.size)
    response["Cache-Control"] = "no-store"
    return response


# --- the inbox and one case ----------------------------------------------------------


@router.get(
    "/cases",
    response={200: InboxOut, **READ_ERRORS},
    summary="A unit's open cases (the inbox)",
)
def inbox(
    request: HttpRequest,
    unit: str | None = Query(None, max_length=40, description="Unit code; default: your first"),
    status: str | None = Query(None, max_length=20, description="Only cases with this status"),
    sla: str | None = Query(
        None, description="on_track, at_risk, breached or paused", max_length=20
    ),
    caseworker: str | None = Query(None, max_length=150, description="Caseworker's username"),
    mine: bool = Query(False, description="Your own cases in every unit instead"),
    page: int = Query(1, ge=1, le=10000),
):
    """Open cases of a unit you are a member of, nearest due date first, 50 a page. No
    personal data: numbers, titles, status, caseworker and deadline."""
    reject_unknown_parameters(request, {"unit", "status", "sla", "caseworker", "mine", "page"})
    require_person_role(request.user)
    if status is not None and status not in workflow.Status.values:
        raise ServiceError(
            "case.status_unknown",
            _("Unknown status %(value)s. Allowed: %(allowed)s."),
            field="status",
            params={"value": status, "allowed": ", ".join(workflow.Status.values)},
        )
    if sla is not None and sla not in selectors.SLA_STATES:
        raise ServiceError(
            "case.sla_unknown",
            _("Unknown SLA state %(value)s. Allowed: %(allowed)s."),
            field="sla",
            params={"value": sla, "allowed": ", ".join(selectors.SLA_STATES)},
        )
    unit_id = None
    if unit is not None and not mine:
        # An unknown code answers like a unit you are not a member of.
        unit_id = Unit.objects.filter(code=unit).values_list("id", flat=True).first() or -1
    caseworker_id = None
    if caseworker is not None:
        caseworker_id = (
            get_user_model()
            .objects.filter(username=caseworker)
            .values_list("id", flat=True)
            .first()
        )
        if caseworker_id is None:
            raise ServiceError(
                "case.caseworker_unknown",
                _("There is no staff member with that username."),
                field="caseworker",
            )
    result = selectors.inbox_cases(
        user=request.user,
        unit_id=unit_id,
        status=status,
        sla=sla,
        caseworker_id=caseworker_id,
        mine=mine,
        page=page,
    )
    # Two small look-ups for the page instead of one join per row.
    type_codes = dict(
        CaseType.objects.filter(pk__in={row.case.case_type_id for row in result.rows}).values_list(
            "id", "service__code"
        )
    )
    unit_codes = dict(
        Unit.objects.filter(pk__in={row.case.unit_id for row in result.rows}).values_list(
            "id", "code"
        )
    )
    items = [
        {
            "number": row.case.number,
            "title": row.case.title,
            "status": row.case.status,
            "status_text": _status_text(row.case.status),
            "case_type": type_codes.get(row.case.case_type_id, ""),
            "department": row.case.department.code,
            "unit": unit_codes.get(row.case.unit_id, ""),
            "caseworker": _username(row.case.caseworker),
            "received_on": row.case.received_on,
            "due_on": row.case.due_on,
            "sla_state": row.state,
        }
        for row in result.rows
    ]
    return {"items": items, "count": result.count, "page": result.page, "has_next": result.has_next}


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="Create a case")
def create(request: HttpRequest, body: CaseIn):
    """A case for a citizen about a service that is handled as cases (levels 2 and 3).
    Needs an active purpose for the citizen (a contact you registered, or a reason given
    with POST /citizens/{id}/purpose). The case lands in the unit's inbox."""
    from borgerservice.catalogue.models import Service
    from borgerservice.citizens.models import Citizen

    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    service = Service.objects.filter(code=body.service).first()
    if service is None:
        raise ServiceError(
            "case.service_unknown",
            _("There is no service with the code %(code)s."),
            field="service",
            params={"code": body.service},
        )
    case_type = CaseType.objects.select_related("service__department").filter(service=service)
    case_type = case_type.first()
    if case_type is None:
        raise ServiceError(
            "case.service_not_casework",
            _("The service %(code)s is not handled as cases."),
            field="service",
            params={"code": body.service},
        )
    citizen = Citizen.objects.filter(pk=body.citizen_id).first()
    if citizen is None:
        raise ServiceError(
            "case.citizen_unknown", _("The citizen does not exist."), field="citizen_id"
        )
    purpose_require(request.user, citizen.pk)
    unit = _unit_by_code(body.unit) if body.unit else None
    case = services.case_create(
        user=request.user,
        case_type=case_type,
        citizen=citizen,
        title=body.title,
        channel=body.channel.value,
        department=unit.department if unit else None,
        unit=unit,
        received_on=body.received_on,
        confidentiality=body.confidentiality.value,
    )
    return Status(201, _detail_after_change(case.pk))


@router.get("/cases/{number}", response={200: CaseOut, **READ_ERRORS}, summary="One case")
def detail(request: HttpRequest, number: str):
    """The case with its parties (CPR numbers masked), deadline, the transitions allowed
    now, its history, journal and notes. Audited."""
    reject_unknown_parameters(request, set())
    if not NUMBER_RE.fullmatch(number):
        require_person_role(request.user)
        raise _not_found()
    view = selectors.case_get_for_view(user=request.user, number=number, channel="api")
    events = getattr(view.case, "_prefetched_events", None)
    if events is None:
        events = list(view.case.events.select_related("actor", "from_unit", "to_unit"))
    return _detail(view.case, view.deadline, view.parties, events)


# --- actions -------------------------------------------------------------------------


@router.post(
    "/cases/{number}/transitions",
    response={200: CaseOut, **ERRORS},
    summary="Change the status",
)
def transition(request: HttpRequest, number: str, body: TransitionIn):
    """Only the transitions in the case's `allowed_transitions`; any other gives 409 with
    the code `case.transition_not_allowed` and changes nothing."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    services.case_transition(
        user=request.user, case_id=case.pk, to_status=body.to_status.value, reason=body.reason
    )
    return _detail_after_change(case.pk)


@router.post(
    "/cases/{number}/extensions",
    response={200: CaseOut, **ERRORS},
    summary="Extend the deadline",
)
def extension(request: HttpRequest, number: str, body: ExtensionIn):
    """Extend by 1 to 60 working days; a reason is required."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    services.case_extend(user=request.user, case_id=case.pk, days=body.days, reason=body.reason)
    return _detail_after_change(case.pk)


@router.post(
    "/cases/{number}/assignment",
    response={200: CaseOut, **ERRORS},
    summary="Assign a caseworker",
)
def assignment(request: HttpRequest, number: str, body: AssignmentIn):
    """A member of the unit that has the case, or null to give it back to the unit."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    caseworker = None
    if body.caseworker is not None:
        caseworker = get_user_model().objects.filter(username=body.caseworker).first()
        if caseworker is None:
            raise ServiceError(
                "case.caseworker_unknown",
                _("There is no staff member with that username."),
                field="caseworker",
            )
    services.case_assign(user=request.user, case_id=case.pk, caseworker=caseworker)
    return _detail_after_change(case.pk)


@router.post(
    "/cases/{number}/transfer",
    response={200: CaseOut, **ERRORS},
    summary="Transfer to another unit",
)
def transfer(request: HttpRequest, number: str, body: TransferIn):
    """Everything on the case goes with it; the caseworker is cleared. A reason is
    required. You may no longer see the case afterwards."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    unit = _unit_by_code(body.unit)
    services.case_transfer(user=request.user, case_id=case.pk, unit=unit, reason=body.reason)
    return _detail_after_change(case.pk)


@router.post("/cases/{number}/notes", response={201: NoteOut, **ERRORS}, summary="Write a note")
def note(request: HttpRequest, number: str, body: NoteIn):
    """A note on the case (notatpligt), at most 20,000 characters."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    created = services.case_note_add(user=request.user, case_id=case.pk, text=body.text)
    return Status(201, _note(created))


@router.post("/cases/{number}/parties", response={201: PartyOut, **ERRORS}, summary="Add a party")
def party_add(request: HttpRequest, number: str, body: PartyIn):
    """Add a citizen to the case as a party, representative or applicant (by CPR)."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    party = services.case_party_add(
        user=request.user, case_id=case.pk, cpr=body.cpr, role=body.role
    )
    return Status(
        201,
        {
            "citizen_id": party.citizen_id,
            "name": party.citizen.full_name,
            "cpr_masked": cpr_mask(party.citizen.cpr),
            "role": party.role,
        },
    )


@router.get(
    "/cases/{number}/journal",
    response={200: JournalOut, **READ_ERRORS},
    summary="The case's journal",
)
def journal(request: HttpRequest, number: str):
    """Every document received or sent, with its date and title, in entry-number order
    (offentlighedsloven § 15). Audited."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    _audit_read(request, case, "journal")
    items = _journal(case)
    return {"items": items, "count": len(items)}


# --- documents -----------------------------------------------------------------------


@router.get(
    "/cases/{number}/documents",
    response={200: DocumentListOut, **READ_ERRORS},
    summary="The case's documents",
)
def documents(request: HttpRequest, number: str):
    """Every document with its versions (the last is current). Audited."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    _audit_read(request, case, "documents")
    items = [_document_out(case, document) for document in _documents(case)]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{number}/documents",
    response={201: DocumentOut, **UPLOAD_ERRORS},
    summary="Upload a document",
)
def document_upload(
    request: HttpRequest,
    number: str,
    file: File[UploadedFile],
    title: str = Form(..., max_length=200),
    direction: str = Form(..., max_length=8, description="in, out or internal"),
):
    """A multipart upload (fields `title`, `direction` = in, out or internal, and `file`):
    PDF, images (PNG, JPEG, GIF, TIFF) or e-mail (.eml) within the size limit. The document
    is journalised. A file of another type gives 415, one too large 413, and nothing is
    stored."""
    from .documents import document_upload as upload_document

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    with _file_field_named_file():
        stored = upload_document(
            user=request.user, case_id=case.pk, title=title, direction=direction, upload=file
        )
    document_id = stored.document_id if isinstance(stored, DocumentVersion) else stored.pk
    return Status(201, _document_out(case, _document_of(case, document_id)))


@router.post(
    "/cases/{number}/documents/{document_id}/versions",
    response={201: DocumentOut, **UPLOAD_ERRORS},
    summary="Upload a new version of a document",
)
def document_version(request: HttpRequest, number: str, document_id: int, file: File[UploadedFile]):
    """The new version becomes the current one; the earlier ones are kept."""
    from .documents import document_version_add

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    _document_of(case, document_id)
    with _file_field_named_file():
        document_version_add(user=request.user, document_id=document_id, upload=file)
    return Status(201, _document_out(case, _document_of(case, document_id)))


@router.get(
    "/cases/{number}/documents/{document_id}/versions/{version}/content",
    response={200: None, **READ_ERRORS},
    summary="Download a document version",
    openapi_extra=_binary("application/octet-stream", "The file, with its own content type"),
)
def document_content(request: HttpRequest, number: str, document_id: int, version: int):
    """The file as it was uploaded, as an attachment. Audited."""
    from .documents import document_open

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    found = (
        DocumentVersion.objects.filter(
            document_id=document_id, document__case_id=case.pk, number=version
        )
        .values_list("id", flat=True)
        .first()
    )
    if found is None:
        raise NotFound("document.not_found", _("The document does not exist."))
    opened = document_open(user=request.user, version_id=found, channel="api")
    response = FileResponse(
        opened.file.open("rb"),
        as_attachment=True,
        filename=opened.filename,
        content_type=opened.content_type,
    )
    response["Cache-Control"] = "no-store"
    return response


# --- hearings and decisions ----------------------------------------------------------


@router.get(
    "/cases/{number}/hearings",
    response={200: HearingListOut, **READ_ERRORS},
    summary="The case's hearings",
)
def hearings(request: HttpRequest, number: str):
    """Hearings of the party (partshøring), oldest first. Audited."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    _audit_read(request, case, "hearings")
    items = [_hearing_out(h) for h in Hearing.objects.filter(case=case).order_by("sent_on", "id")]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{number}/hearings",
    response={201: HearingOut, **ERRORS},
    summary="Hear the party before a decision",
)
def hearing_send(request: HttpRequest, number: str, body: HearingIn):
    """Partshøring (forvaltningsloven § 19): the facts are sent to the applicant in a
    letter with a deadline to answer. One open hearing per case."""
    from .decisions import hearing_send as send_hearing

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    hearing = send_hearing(
        user=request.user, case_id=case.pk, facts=body.facts, answer_by=body.answer_by
    )
    return Status(201, _hearing_out(hearing))


@router.post(
    "/cases/{number}/hearings/{hearing_id}/answer",
    response={200: HearingOut, **ERRORS},
    summary="Register the party's answer",
)
def hearing_answer(request: HttpRequest, number: str, hearing_id: int, body: HearingAnswerIn):
    """The answer to an open hearing; it is journalised."""
    from .decisions import hearing_answer as answer_hearing

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    if not Hearing.objects.filter(pk=hearing_id, case_id=case.pk).exists():
        raise NotFound("hearing.not_found", _("The hearing does not exist."))
    hearing = answer_hearing(user=request.user, hearing_id=hearing_id, answer=body.answer)
    return _hearing_out(hearing)


@router.get(
    "/cases/{number}/decisions",
    response={200: DecisionListOut, **READ_ERRORS},
    summary="The case's decisions",
)
def decisions(request: HttpRequest, number: str):
    """Every decision on the case, oldest first. Audited."""
    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    _audit_read(request, case, "decisions")
    found = Decision.objects.filter(case=case).select_related("decided_by")
    items = [_decision_out(d) for d in found.order_by("decided_on", "id")]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{number}/decisions",
    response={201: DecisionOut, **ERRORS},
    summary="Make a decision",
)
def decision_make(request: HttpRequest, number: str, body: DecisionIn):
    """With the rules applied and the reasons (forvaltningsloven §§ 22-24); an adverse
    decision also needs complaint guidance (§ 25) and, where the law demands it, a hearing
    first. The case becomes decided and the decision letter (PDF) is put on the case and
    sent to the applicant."""
    from .decisions import decision_make as make_decision

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    decision = make_decision(
        user=request.user,
        case_id=case.pk,
        outcome=body.outcome.value,
        rules_applied=body.rules_applied,
        reasons=body.reasons,
        facts=body.facts,
        complaint_guidance=body.complaint_guidance or "",
    )
    return Status(201, _decision_out(decision))


# --- access to records ---------------------------------------------------------------


@router.get(
    "/cases/{number}/export",
    response={200: None, **READ_ERRORS},
    summary="Export the case (access to records)",
    openapi_extra=_binary(
        "application/zip", "A ZIP with a PDF index, the documents and JSON metadata"
    ),
)
def case_export(request: HttpRequest, number: str):
    """The whole case as a ZIP: a PDF index, every document and the metadata as JSON;
    other persons' CPR numbers are masked. Audited."""
    from .exports import case_export as export_case

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    return _download(export_case(user=request.user, case_id=case.pk, channel="api"))


@router.get(
    "/citizens/{citizen_id}/export",
    response={200: None, **READ_ERRORS},
    summary="Export everything held about a citizen (GDPR art. 15)",
    tags=["citizens"],
    openapi_extra=_binary(
        "application/zip", "A ZIP with the citizen's data, cases, contacts and audit log"
    ),
)
def citizen_export(request: HttpRequest, citizen_id: int):
    """Everything held about the citizen, including the log of who looked them up, as a
    ZIP; other persons' CPR numbers are masked. Needs a purpose; audited."""
    from .exports import citizen_export as export_citizen

    reject_unknown_parameters(request, set())
    require_person_role(request.user)
    return _download(export_citizen(user=request.user, citizen_id=citizen_id, channel="api"))


# --- messages with the citizen -------------------------------------------------------


class MessageIn(Schema):
    text: str = Field(..., max_length=20000, description="At most 5,000 characters")


class MessageOut(Schema):
    id: int
    direction: str = Field(description="in (from the citizen) or out (to the citizen)")
    text: str
    author: str | None = Field(description="Username of the staff member who wrote it")
    citizen_id: int | None = Field(description="The party who wrote it (direction in)")
    created_at: datetime
    read_at: datetime | None = Field(
        description="in: read by the unit; out: read by the citizen on Min side"
    )


class MessageListOut(Schema):
    items: list[MessageOut]
    count: int


def _message_out(message) -> dict:
    return {
        "id": message.pk,
        "direction": message.direction,
        "text": message.text,
        "author": _username(message.author),
        "citizen_id": message.citizen_id,
        "created_at": message.created_at,
        "read_at": message.read_at,
    }


@router.get(
    "/cases/{number}/messages",
    response={200: MessageListOut, **READ_ERRORS},
    summary="The messages with the citizen",
)
def messages(request: HttpRequest, number: str):
    """The conversation with the citizen on Min side, oldest first. Reading it marks the
    citizen's messages read when the caller is the caseworker or in the case's unit.
    Audited."""
    from .messages import messages_for_case

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    items = [
        _message_out(m)
        for m in messages_for_case(user=request.user, case_id=case.pk, channel="api")
    ]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{number}/messages",
    response={201: MessageOut, **ERRORS},
    summary="Write to the citizen",
)
def message_send(request: HttpRequest, number: str, body: MessageIn):
    """A message to the citizen, journalised on the case. The citizen is told by their
    chosen route (Digital Post by default) that it is waiting on Min side; the text
    itself is not sent."""
    from .messages import message_to_citizen

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    message = message_to_citizen(user=request.user, case_id=case.pk, text=body.text, channel="api")
    return Status(201, _message_out(message))


# --- KLE -------------------------------------------------------------------------------


class KleSuggestionOut(Schema):
    code: str = Field(description="KLE number, like 32.18.14")
    title: str
    score: float = Field(description="Higher is a better match; only for ordering")


class KleSuggestionsOut(Schema):
    suggestions: list[KleSuggestionOut]


@router.get(
    "/cases/{number}/kle-suggestions",
    response={200: KleSuggestionsOut, **READ_ERRORS},
    summary="KLE topics suggested for the case",
)
def kle_suggestions(request: HttpRequest, number: str):
    """The KLE topics the case's title, journal, notes and messages point to, best first
    (at most five). Empty when KLE has not been imported. Audited, as it reads the
    case's records."""
    from .kle import case_kle_suggest

    reject_unknown_parameters(request, set())
    case = _visible_case(request, number)
    _audit_read(request, case, "KLE suggestions")
    found = case_kle_suggest(Case.objects.get(pk=case.pk), limit=5)
    return {"suggestions": [{"code": s.code, "title": s.title, "score": s.score} for s in found]}
