"""Actions on cases: create, change status, extend the deadline. Each locks the case row,
checks the rules and writes a history event in one transaction."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
