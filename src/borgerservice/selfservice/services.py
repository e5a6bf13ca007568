"""Sending an application from Min side: ``submission_create``.

One transaction creates the contact (channel self-service, outcome "case"), the case
(``cases.services.case_create`` by the portal's system user), the answers as a PDF
document on the case, and — when the form has a rule set — the instant decision from
the decisions engine. A granted or refused outcome is shown on the receipt and the case
moves through the workflow to decided (granted: on to closed); "manual" leaves the case
received in the unit's inbox, with a note that says why the rules could not decide.

The idempotency key of the citizen's draft is unique on ``Submission``: the same key
again (a reload, the back button, a double click, two requests at once) returns the
first submission and creates nothing.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from borgerservice.accounts.audit import audit_record
from borgerservice.core.channels import Channel
from borgerservice.core.errors import ServiceError

from .answers import answers_check, form_shape, rule_inputs, summary
from .models import FormDefinition, Submission
from .validation import rule_set_or_none

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 64


def _key_checked(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ServiceError(
            "selfservice.bad_idempotency_key",
            _("The application could not be sent. Start again from the first page."),
        )
    return key


def _existing(key: str, citizen) -> Submission | None:
    existing = Submission.objects.filter(idempotency_key=key).select_related("case").first()
    if existing is not None and existing.citizen_id != citizen.pk:
        raise ServiceError(
            "selfservice.idempotency_conflict",
            _("The application could not be sent. Start again from the first page."),
            status=409,
        )
    return existing


def submission_create(*, citizen, form: FormDefinition, answers: dict, idempotency_key: str):
    """Send the application; returns the Submission (the existing one for a key used
    before). Raises ``ServiceError`` before anything is written when the answers are
    incomplete or invalid, the form is no longer active or the service has no case type."""
    key = _key_checked(idempotency_key)
    existing = _existing(key, citizen)
    if existing is not None:
        return existing
    try:
        return _submission_create(citizen=citizen, form=form, answers=answers, key=key)
    except IntegrityError:
        # Two requests with one key at once: the unique constraint let one through.
        existing = _existing(key, citizen)
        if existing is None:
            raise
        return existing


@transaction.atomic
def _submission_create(*, citizen, form: FormDefinition, answers: dict, key: str) -> Submission:
    from borgerservice.cases.models import CaseType
    from borgerservice.citizens.models import Citizen
    from borgerservice.contacts.models import Contact, ContactService
    from borgerservice.portal.auth import portal_actor

    # One application at a time per citizen: a second request with the same key waits
    # here and then finds the first one's submission (no case, file or letter is made
    # twice; the unique constraint on the key stays the backstop).
    Citizen.objects.select_for_update(of=("self",)).filter(pk=citizen.pk).first()
    existing = _existing(key, citizen)
    if existing is not None:
        return existing
    form = FormDefinition.objects.select_related("service").get(pk=form.pk)
    if not form.active:
        raise ServiceError(
            "selfservice.form_inactive",
            _("This form has been replaced. Start the application again."),
            status=409,
        )
    case_type = CaseType.objects.filter(service=form.service).first()
    if case_type is None:
        raise ServiceError(
            "selfservice.no_case_type",
            _("Applications for this service cannot be received here yet."),
            status=409,
        )
    shape = form_shape(form)
    clean = answers_check(shape, answers)
    spec = rule_set_or_none(form.rule_set) if form.rule_set else None
    if form.rule_set and spec is None:
        raise ServiceError(
            "selfservice.rule_set_missing",
            _("Applications for this service cannot be received here yet."),
            status=409,
        )

    actor = portal_actor()
    now = timezone.now()
    service = form.service
    contact = Contact.objects.create(
        channel=Channel.SELF_SERVICE,
        direction=Contact.Direction.INBOUND,
        citizen=citizen,
        staff=None,
        started_at=now,
        ended_at=now,
        outcome=Contact.Outcome.CASE_TO_BE_CREATED,
        note=f"Selvbetjening på Min side: {form.title_da} (version {form.version})"[:4000],
    )
    ContactService.objects.create(contact=contact, service=service)

    from borgerservice.cases.services import case_create, case_locked

    case = case_create(
        user=actor,
        case_type=case_type,
        citizen=citizen,
        title=form.title_da,
        channel=Channel.SELF_SERVICE,
        contact=contact,
    )
    case = case_locked(case.pk)  # the row lock document_store and the journal expect
    document = _answers_document(
        actor=actor, case=case, citizen=citizen, shape=shape, answers=clean
    )
    submission = Submission.objects.create(
        form=form,
        citizen=citizen,
        case=case,
        contact=contact,
        document=document,
        answers=clean,
        idempotency_key=key,
        language=translation.get_language() or "da",
        created_at=now,
    )
    if spec is not None:
        submission.outcome = _decide(
            actor=actor, submission=submission, spec=spec, shape=shape, answers=clean
        )
        submission.save(update_fields=["outcome"])
        submission.case.refresh_from_db()
    _receipt_letter(actor=actor, submission=submission)
    audit_record(
        actor=actor,
        action="change",
        what=(
            f"self-service application {service.code} (form {form.pk} v{form.version}): "
            f"case {case.number}, contact {contact.pk}"
            + (f", instant decision {submission.outcome}" if submission.outcome else "")
        ),
        citizen_ids=[citizen.pk],
        reason=f"case:{case.pk}",
        channel="portal",
    )
    return submission


def _answers_document(*, actor, case, citizen, shape, answers):
    """The answers as a PDF on the case (received from the citizen), journalised."""
    from borgerservice.cases.documents import document_store
    from borgerservice.cases.models import Direction
    from borgerservice.citizens.cpr import cpr_mask
    from borgerservice.core.pdf import PdfDocument

    form = shape.form
    with translation.override("da"):  # the case file is kept in the municipality's language
        title = _("Application: %(title)s") % {"title": form.title_da}
        pdf = PdfDocument(title=title, language="da")
        pdf.field(_("Case number"), case.number)
        pdf.field(_("Received"), date_format(timezone.localtime(), "j. F Y H:i"))
        pdf.field(_("Applicant"), f"{citizen.first_name} {citizen.last_name}")
        pdf.field(_("CPR number"), cpr_mask(citizen.cpr))
        pdf.field(_("Channel"), _("Self-service on Min side"))
        pdf.field(_("Form"), f"{form.title_da} ({_('version')} {form.version})")
        pdf.paragraph("")
        for block in summary(shape, answers):
            pdf.heading(f"{block['number']}. {block['step'].title_da}", size=12)
            pdf.table(
                [_("Question"), _("Answer")],
                [[row["field"].label_da, row["value"]] for row in block["items"]],
                widths=[95, 75],
            )
        content = pdf.output()
        return document_store(
            user=actor,
            case=case,
            title=title,
            direction=Direction.INCOMING,
            filename=f"ansoegning-{case.number}.pdf",
            content=content,
            content_type="application/pdf",
        )


def _decide(*, actor, submission: Submission, spec, shape, answers) -> str:
    """Run the rule set, record the decision, move the case on; returns the outcome."""
    from borgerservice.cases.services import case_note_add, case_transition
    from borgerservice.cases.workflow import Status
    from borgerservice.decisions.engine import evaluate
    from borgerservice.decisions.services import decision_record

    case = submission.case
    today = timezone.localdate()
    inputs = rule_inputs(shape, answers, spec)
    result = evaluate(spec.code, inputs, on=today)
    decision_record(
        result=result,
        rule_set_code=spec.code,
        inputs=inputs,
        citizen=submission.citizen,
        case=case,
    )
    user = actor
    outcome = result.outcome
    if outcome in ("granted", "refused"):
        with translation.override("da"):
            reason = _(
                "Instant decision on Min side (%(rules)s, rules version %(version)s): %(outcome)s"
            ) % {
                "rules": spec.code,
                "version": result.rule_version,
                "outcome": _("granted") if outcome == "granted" else _("refused"),
            }
        case_transition(
            user=user, case_id=case.pk, to_status=Status.IN_PROGRESS, reason=reason, system=True
        )
        case_transition(
            user=user, case_id=case.pk, to_status=Status.DECIDED, reason=reason, system=True
        )
        if outcome == "granted":
            # Nothing is left to do. A refusal stays decided: the complaint period runs,
            # and the workflow takes a complaint only from a decided case.
            case_transition(
                user=user, case_id=case.pk, to_status=Status.CLOSED, reason=reason, system=True
            )
        return outcome
    with translation.override("da"):
        lines = [_("The rules could not decide the application at once; a caseworker decides.")]
        for code in result.reasons or []:
            lines.append(f"- {code}")
        for step in result.explanation or []:
            text = step.get("text_da") if isinstance(step, dict) else None
            if text:
                lines.append(f"· {text}")
        lines.append(
            _("The answers are in the document “%(title)s”.")
            % {"title": submission.document.title if submission.document else "-"}
        )
    case_note_add(user=user, case_id=case.pk, text="\n".join(lines), system=True)
    return "manual"


def _receipt_letter(*, actor, submission: Submission) -> None:
    """A receipt in the citizen's letters: the case number and what happens next."""
    from borgerservice.cases.documents import letter_journalise
    from borgerservice.outbox.services import letter_send

    citizen, case, form = submission.citizen, submission.case, submission.form
    language = "en" if citizen.preferred_language == "en" else "da"
    with translation.override(language):
        subject = _("Receipt: your application %(number)s") % {"number": case.number}
        title = form.t("title")
        if submission.outcome == "granted":
            body = _(
                "We have received your application “%(title)s”. Your case number is "
                "%(number)s. The application was granted at once; you can read the decision "
                "and its reasons on Min side."
            )
        elif submission.outcome == "refused":
            body = _(
                "We have received your application “%(title)s”. Your case number is "
                "%(number)s. The application was refused at once; you can read the decision, "
                "its reasons and how to complain on Min side."
            )
        else:
            body = _(
                "We have received your application “%(title)s”. Your case number is "
                "%(number)s. You can expect an answer by %(due)s. Please quote the case "
                "number if you contact us about it."
            )
        body = body % {
            "title": title,
            "number": case.number,
            "due": date_format(case.due_on, "j. F Y"),
        }
    letter = letter_send(citizen=citizen, subject=str(subject), body=str(body), case=case)
    letter_journalise(user=actor, case=case, letter=letter)
