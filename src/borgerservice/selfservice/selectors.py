"""Reads of application forms and of a citizen's own submissions."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.core.errors import NotFound

from .models import FormDefinition, Submission


def form_for_service(service) -> FormDefinition | None:
    """The service's active form, or None."""
    if service is None:
        return None
    return (
        FormDefinition.objects.filter(service=service, active=True)
        .select_related("service")
        .first()
    )


def form_for_service_code(code: str) -> FormDefinition:
    """The active form of the service with ``code``; NotFound when there is none."""
    form = (
        FormDefinition.objects.filter(service__code=code, active=True)
        .select_related("service", "service__case_type")
        .first()
    )
    if form is None:
        raise NotFound("selfservice.form_not_found", _("There is no application form here."))
    return form


def forms_available() -> list[FormDefinition]:
    """The active forms with their services, by service name (for the portal's overview
    and guide pages)."""
    return list(
        FormDefinition.objects.filter(active=True)
        .select_related("service", "service__area", "service__department")
        .order_by("service__name_da", "pk")
    )


def submissions_for_citizen(citizen) -> QuerySet[Submission]:
    """The citizen's own submitted applications, newest first."""
    return (
        Submission.objects.filter(citizen=citizen)
        .select_related("form", "form__service", "case")
        .order_by("-created_at", "-id")
    )


def submission_for_citizen(citizen, submission_id: int) -> Submission:
    """One of the citizen's submissions; another citizen's is reported as not existing."""
    submission = submissions_for_citizen(citizen).filter(pk=submission_id).first()
    if submission is None:
        raise NotFound("selfservice.submission_not_found", _("The application does not exist."))
    return submission


def expected_answer_on(form: FormDefinition, *, today: date | None = None) -> date | None:
    """When a citizen applying today can expect an answer: the case type's processing
    time in working days from today."""
    from borgerservice.cases.calendar import add_working_days
    from borgerservice.cases.models import CaseType

    case_type = CaseType.objects.filter(service_id=form.service_id).first()
    if case_type is None:
        return None
    return add_working_days(today or timezone.localdate(), case_type.processing_days)


def instant_decision_of(submission: Submission):
    """The decisions engine's record for the submission's case, or None."""
    if not submission.outcome:
        return None
    try:
        from borgerservice.decisions.models import InstantDecision
    except ImportError:
        return None
    return InstantDecision.objects.filter(case_id=submission.case_id).order_by("-pk").first()
