"""Actions on cases: create, change status, extend the deadline, assign, transfer, write a
note. Each locks the case row, checks the rules, writes a history event and an audit
entry, and rewrites the case's deadline projection from its history, in one transaction.

Documents and the journal are in ``documents.py``, decisions and hearings in
``decisions.py``, exports in ``exports.py`` and retention in ``retention.py``.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from borgerservice.accounts.audit import audit_record
from borgerservice.core.errors import NotFound, ServiceError

from . import workflow
from .deadlines import deadline_of, risk_start
from .models import Case, CaseEvent, CaseNote, CaseParty, CaseType, Unit

MAX_EXTENSION_DAYS = 60


@transaction.atomic
def case_create(
    *,
    user,
    case_type: CaseType,
    citizen,
    title: str,
    channel: str,
    department=None,
    unit: Unit | None = None,
    contact=None,
    received_on: date | None = None,
    confidentiality: str = Case.Confidentiality.NORMAL,
    action_facet: str = "",
) -> Case:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError("case.title_missing", _("Give the case a title."), field="title")
    if confidentiality not in Case.Confidentiality.values:
        raise ServiceError(
            "case.confidentiality", _("Unknown confidentiality."), field="confidentiality"
        )
    service = case_type.service
    if unit is None:
        unit = unit_default(service=service, department=department)
    department = department or (unit.department if unit else service.department)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ServiceError(
            "case.received_in_future",
            _("A case cannot be received in the future."),
            field="received_on",
        )
    due = _initial_due(case_type, received_on)
    case = Case.objects.create(
        number=f"new-{uuid.uuid4().hex[:16]}",  # replaced below, once the id is known
        case_type=case_type,
        title=title[:200],
        kle_code=service.kle_code,
        action_facet=action_facet[:3],
        department=department,
        unit=unit,
        channel=channel,
        confidentiality=confidentiality,
        received_on=received_on,
        due_on=due[0],
        at_risk_on=due[1],
    )
    # The number comes from the row id, so concurrent creates never collide.
    case.number = f"{case.received_on:%Y}-{case.pk:06d}"
    case.save(update_fields=["number"])
    CaseParty.objects.create(case=case, citizen=citizen, role=CaseParty.Role.APPLICANT)
    if contact is not None:
        case.contacts.add(contact)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        to_status=case.status,
        on=case.received_on,
        to_unit=unit,
        actor=user,
    )
    _audit_change(user, case, "created", citizen_ids=[citizen.pk])
    return case


def _initial_due(case_type: CaseType, received_on: date) -> tuple[date, date]:
    from .calendar import add_working_days

    due = add_working_days(received_on, case_type.processing_days)
    return due, risk_start(due, case_type.processing_days)


def deadline_refresh(case: Case, *, also: tuple[str, ...] = ()) -> None:
    """Rewrite the case's deadline projection (due date, at-risk date, closing date) from
    its history. Called inside the transaction of every service that adds an event."""
    events = list(case.events.order_by("at", "id"))
    deadline = deadline_of(case, events=events)
    case.due_on = deadline.due_on
    case.at_risk_on = risk_start(deadline.due_on, deadline.target_days + deadline.extension_days)
    closed = [e.on for e in events if e.kind == CaseEvent.Kind.TRANSITION]
    case.closed_on = (closed[-1] if closed else None) if case.status == "closed" else None
    case.save(update_fields=["due_on", "at_risk_on", "closed_on", *also])


def _party_ids(case: Case) -> list[int]:
    return list(case.parties.values_list("citizen_id", flat=True))


def _audit_change(user, case: Case, what: str, *, citizen_ids: list[int] | None = None) -> None:
    """Changes to a case are logged with the case's parties, like the reads of them."""
    if user is None:
        return
    audit_record(
        actor=user,
        action="change",
        what=f"case {case.number}: {what}",
        citizen_ids=citizen_ids if citizen_ids is not None else _party_ids(case),
        reason=f"case:{case.pk}",
    )


def case_locked(case_id: int, *, user=None) -> Case:
    """The case row, locked until the end of the transaction (FOR UPDATE on PostgreSQL;
    SQLite's IMMEDIATE transactions hold the write lock already). With ``user``, a case
    that user may not see is reported as not existing."""
    from .selectors import may_see_case

    case = (
        # The case row only: FOR UPDATE on the joined case type, unit and department would
        # make every change in a unit wait for the others.
        Case.objects.select_for_update(of=("self",))
        .select_related("case_type", "case_type__service", "unit", "department")
        .filter(pk=case_id)
        .first()
    )
    if case is None or (user is not None and not may_see_case(user, case)):
        raise NotFound("case.not_found", _("The case does not exist."))
    if case.anonymised_at is not None:
        raise ServiceError(
            "case.anonymised", _("The case has been anonymised and cannot change."), status=409
        )
    return case


@transaction.atomic
def case_transition(
    *,
    user,
    case_id: int,
    to_status: str,
    reason: str = "",
    on: date | None = None,
    system: bool = False,
) -> Case:
    """Move a case to ``to_status`` if the transition table allows it.

    ``system=True`` is for a system actor acting on a case it was given (Min side moving
    the case of an instant decision on): the actor is recorded, but not checked against
    the case's visibility, which a system user never has."""
    case = case_locked(case_id, user=None if system else user)
    if not workflow.allowed(case.status, to_status):
        raise ServiceError(
            "case.transition_not_allowed",
            _("A case cannot go from %(from)s to %(to)s."),
            status=409,
            params={"from": case.get_status_display(), "to": to_status},
        )
    if to_status in workflow.PAUSED and not case.case_type.suspension_allowed:
        raise ServiceError(
            "case.suspension_not_allowed",
            _("The clock may not be paused for this case type."),
            status=409,
        )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.TRANSITION,
        from_status=case.status,
        to_status=to_status,
        reason=reason.strip(),
        on=on or timezone.localdate(),
        actor=user,
    )
    from_label = case.get_status_display()
    case.status = to_status
    deadline_refresh(case, also=("status",))
    _audit_change(user, case, f"{from_label} → {case.get_status_display()}")
    return case


@transaction.atomic
def case_extend(*, user, case_id: int, days: int, reason: str, on: date | None = None) -> Case:
    """Extend the deadline by ``days`` working days; a reason is required."""
    case = case_locked(case_id, user=user)
    if not case.case_type.extension_allowed:
        raise ServiceError(
            "case.extension_not_allowed",
            _("The deadline of this case type cannot be extended."),
            status=409,
        )
    if case.status in workflow.FINISHED:
        raise ServiceError(
            "case.extension_finished",
            _("A decided or closed case has no deadline to extend."),
            status=409,
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(
            "case.extension_reason", _("An extension needs a reason."), field="reason"
        )
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ServiceError(
            "case.extension_days",
            _("Extend by 1 to %(max)d working days."),
            field="days",
            params={"max": MAX_EXTENSION_DAYS},
        )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.EXTENSION,
        extension_days=days,
        reason=reason,
        on=on or timezone.localdate(),
        actor=user,
    )
    deadline_refresh(case)
    _audit_change(user, case, f"deadline extended by {days} working days")
    return case


@transaction.atomic
def case_assign(*, user, case_id: int, caseworker) -> Case:
    """Give the case to a caseworker (or take it back to the unit with ``None``)."""
    case = case_locked(case_id, user=user)
    if caseworker is not None and not caseworker.is_active:
        raise ServiceError(
            "case.caseworker_inactive", _("The caseworker is not active."), field="caseworker"
        )
    if caseworker is not None and not case.unit.members.filter(pk=caseworker.pk).exists():
        raise ServiceError(
            "case.caseworker_not_in_unit",
            _("The caseworker is not a member of the unit that has the case."),
            field="caseworker",
        )
    before = case.caseworker_id
    case.caseworker = caseworker
    case.save(update_fields=["caseworker"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.ASSIGNMENT,
        detail={"from": before, "to": caseworker.pk if caseworker else None},
        actor=user,
    )
    _audit_change(user, case, "caseworker assigned")
    return case


@transaction.atomic
def case_transfer(*, user, case_id: int, unit: Unit, reason: str) -> Case:
    """Move the case to another unit (in any department). Everything on the case —
    parties, contacts, documents, journal, notes, decisions, deadline — stays with it;
    the caseworker is cleared so the new unit can assign its own."""
    case = case_locked(case_id, user=user)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError("case.transfer_reason", _("A transfer needs a reason."), field="reason")
    if unit.pk == case.unit_id:
        raise ServiceError(
            "case.transfer_same_unit", _("The case is already in that unit."), field="unit"
        )
    if case.status == workflow.Status.CLOSED:
        raise ServiceError(
            "case.transfer_closed", _("A closed case cannot be transferred."), status=409
        )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.TRANSFER,
        from_unit_id=case.unit_id,
        to_unit=unit,
        reason=reason[:2000],
        actor=user,
    )
    case.unit = unit
    case.department_id = unit.department_id
    case.caseworker = None
    case.save(update_fields=["unit", "department", "caseworker"])
    _audit_change(user, case, f"transferred to {unit.code}")
    return case


@transaction.atomic
def case_party_add(*, user, case_id: int, cpr: str, role: str) -> CaseParty:
    """Add a citizen to the case as a party, applicant or representative (by CPR)."""
    from borgerservice.citizens.cpr import cpr_normalise
    from borgerservice.citizens.models import Citizen

    case = case_locked(case_id, user=user)
    if role not in CaseParty.Role.values:
        raise ServiceError("case.party_role", _("Choose the party's role."), field="role")
    citizen = Citizen.objects.filter(cpr=cpr_normalise(cpr or "")).first()
    if citizen is None:
        raise ServiceError("case.party_unknown", _("No citizen has that CPR number."), field="cpr")
    if CaseParty.objects.filter(case=case, citizen=citizen, role=role).exists():
        raise ServiceError(
            "case.party_exists",
            _("The citizen is already on the case in that role."),
            field="cpr",
        )
    party = CaseParty.objects.create(case=case, citizen=citizen, role=role)
    _audit_change(user, case, f"party added ({role})")
    return party


MAX_NOTE_LENGTH = 20000


@transaction.atomic
def case_note_add(*, user, case_id: int, text: str, system: bool = False) -> CaseNote:
    """A note on the case (notatpligt): what the caseworker learnt outside documents.
    ``system`` as for ``case_transition``."""
    case = case_locked(case_id, user=None if system else user)
    text = (text or "").strip()
    if not text:
        raise ServiceError("case.note_empty", _("Write the note."), field="text")
    if len(text) > MAX_NOTE_LENGTH:
        raise ServiceError(
            "case.note_too_long",
            _("A note may be at most %(max)d characters."),
            field="text",
            params={"max": MAX_NOTE_LENGTH},
        )
    note = CaseNote.objects.create(case=case, text=text, author=user)
    _audit_change(user, case, "note written")
    return note


@transaction.atomic
def case_kle_set(*, user, case_id: int, kle_code: str) -> Case:
    """Journalise the case under a KLE number (emnenummer, "32.18.14"). When KLE has been
    imported the number must be one of its topics; without it, it must look like one."""
    from borgerservice.catalogue.models import KleTopic

    case = case_locked(case_id, user=user)
    code = (kle_code or "").strip()
    parts = code.split(".")
    if len(parts) != 3 or not all(len(p) == 2 and p.isascii() and p.isdigit() for p in parts):
        raise ServiceError(
            "case.kle_format",
            _("Write the KLE number as three pairs of digits, like 32.18.14."),
            field="kle_code",
        )
    if KleTopic.objects.exists() and not KleTopic.objects.filter(code=code).exists():
        raise ServiceError(
            "case.kle_unknown",
            _("%(code)s is not a KLE number."),
            field="kle_code",
            params={"code": code},
        )
    if code != case.kle_code:
        before = case.kle_code or "–"
        case.kle_code = code
        case.save(update_fields=["kle_code"])
        _audit_change(user, case, f"KLE number {before} → {code}")
    return case


def unit_default(*, service, department=None) -> Unit:
    """Where a new case lands: the unit of the department it is handed to; else, for a
    rule-based (level-2) service that the citizen-service unit handles (the rule-based
    task list of the 2005 report), that unit; else the service department's own unit."""
    if department is None and service.level_2 and not service.level_3:
        unit = Unit.objects.filter(code=CITIZEN_SERVICE_UNIT).first()
        if unit is not None:
            return unit
    return unit_for_department(department or service.department)


def unit_for_department(department) -> Unit:
    """The department's default unit (created when missing)."""
    unit = Unit.objects.filter(code=f"{department.slug}-sager"[:40]).first()
    if unit is None:
        unit = units_ensure(departments=[department])[0]
    return unit


# The cross-departmental citizen-service unit (Københavns Borgerservice, in ØKF): the
# front office's own cases (level 2 handled in the unit) and warm handovers start here.
CITIZEN_SERVICE_UNIT = "okf-borgerservice"


def units_ensure(*, departments=None) -> list[Unit]:
    """One default case unit per department, and the citizen-service unit. Idempotent."""
    from borgerservice.catalogue.models import Department

    if departments is None:
        departments = Department.objects.all()
        okf = Department.objects.filter(slug="okf").first()
        if okf is not None:
            Unit.objects.get_or_create(
                code=CITIZEN_SERVICE_UNIT,
                defaults={
                    "department": okf,
                    "name_da": "Københavns Borgerservice",
                    "name_en": "Copenhagen Citizen Service",
                },
            )
    units = []
    for department in departments:
        unit, _created = Unit.objects.get_or_create(
            code=f"{department.slug}-sager"[:40],
            defaults={
                "department": department,
                "name_da": f"{department.name_da}: sagsbehandling"[:200],
                "name_en": f"{department.name_en}: casework"[:200],
            },
        )
        units.append(unit)
    return units


# Until a department sets its own processing-time target for a service, cases get this
# many working days (about four weeks); a catalogue editor changes it in the admin.
DEFAULT_PROCESSING_DAYS = 20


def case_types_ensure() -> int:
    """A case type for every level-2 and level-3 service that has none. Idempotent."""
    from borgerservice.catalogue.models import Service

    created = 0
    existing = set(CaseType.objects.values_list("service_id", flat=True))
    for service in Service.objects.filter(Q(level_2=True) | Q(level_3=True)).exclude(
        pk__in=existing
    ):
        CaseType.objects.create(
            service=service,
            name_da=service.name_da,
            name_en=service.name_en,
            processing_days=service.sla_working_days or DEFAULT_PROCESSING_DAYS,
            retention_years=workflow.DEFAULT_RETENTION_YEARS,
            legal_basis_da=workflow.DEFAULT_LEGAL_BASIS_DA,
            legal_basis_en=workflow.DEFAULT_LEGAL_BASIS_EN,
            complaint_guidance_da=workflow.DEFAULT_COMPLAINT_GUIDANCE_DA,
            complaint_guidance_en=workflow.DEFAULT_COMPLAINT_GUIDANCE_EN,
        )
        created += 1
    units_ensure()
    return created


def case_from_contact(*, user, contact, service, department=None) -> Case:
    """Warm handover: a case for the department with the contact as its context, and a
    receipt to the citizen with the case number and the expected answer date."""
    from borgerservice.outbox.services import letter_send

    case_type = CaseType.objects.select_related("service__department").get(service=service)
    service = case_type.service
    case = case_create(
        user=user,
        case_type=case_type,
        citizen=contact.citizen,
        title=service.name_da,
        channel=contact.channel,
        department=department or service.department,
        contact=contact,
        received_on=timezone.localtime(contact.started_at).date(),
    )
    due = case.due_on
    citizen = contact.citizen
    with translation.override("en" if citizen.preferred_language == "en" else "da"):
        subject = _("Receipt: your case %(number)s") % {"number": case.number}
        body = _(
            "We have received your inquiry about %(service)s. Your case number is %(number)s "
            "and the case is handled by %(unit)s. You can expect an answer by %(due)s. "
            "Please quote the case number if you contact us about it."
        ) % {
            "service": service.t("name"),
            "number": case.number,
            "unit": case.department.t("name"),
            "due": date_format(due, "j. F Y"),
        }
    from .documents import letter_journalise

    letter = letter_send(citizen=citizen, subject=str(subject), body=str(body), case=case)
    letter_journalise(user=user, case=case, letter=letter)
    return case
