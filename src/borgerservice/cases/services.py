"""Actions on cases: create, change status, extend the deadline. Each locks the case row,
checks the rules and writes a history event in one transaction."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from borgerservice.core.errors import NotFound, ServiceError

from . import workflow
from .models import Case, CaseEvent, CaseParty, CaseType

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
    contact=None,
    received_on: date | None = None,
) -> Case:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError("case.title_missing", _("Give the case a title."), field="title")
    service = case_type.service
    case = Case.objects.create(
        number=f"new-{uuid.uuid4().hex[:16]}",  # replaced below, once the id is known
        case_type=case_type,
        title=title[:200],
        kle_code=service.kle_code,
        department=department or service.department,
        channel=channel,
        received_on=received_on or timezone.localdate(),
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
        actor=user,
    )
    return case


def _locked(case_id: int) -> Case:
    case = Case.objects.select_for_update().select_related("case_type").filter(pk=case_id).first()
    if case is None:
        raise NotFound("case.not_found", _("The case does not exist."))
    return case


@transaction.atomic
def case_transition(
    *, user, case_id: int, to_status: str, reason: str = "", on: date | None = None
) -> Case:
    """Move a case to ``to_status`` if the transition table allows it."""
    case = _locked(case_id)
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
    case.status = to_status
    case.save(update_fields=["status"])
    return case


@transaction.atomic
def case_extend(*, user, case_id: int, days: int, reason: str, on: date | None = None) -> Case:
    """Extend the deadline by ``days`` working days; a reason is required."""
    case = _locked(case_id)
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
    return case


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
        )
        created += 1
    return created


def case_from_contact(*, user, contact, service, department=None) -> Case:
    """Warm handover: a case for the department with the contact as its context, and a
    receipt to the citizen with the case number and the expected answer date."""
    from borgerservice.outbox.services import letter_send

    from .deadlines import deadline_of

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
    due = deadline_of(case, events=list(case.events.all())).due_on
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
    letter_send(citizen=citizen, subject=str(subject), body=str(body), case=case)
    return case
