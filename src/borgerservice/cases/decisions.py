"""Decisions (afgørelser) and hearings (partshøring) on a case.

- ``hearing_send``: before an adverse decision the party is heard on facts against them
  (forvaltningsloven § 19); the hearing letter is stored as a PDF on the case, journalised,
  and sent to the applicants through the outbox.
- ``hearing_answer`` registers the party's answer; ``hearing_expire_due`` (daily) marks
  unanswered hearings past their deadline as expired.
- ``decision_make``: the decision with the rules applied, the facts relied on and the
  reasons (§§ 22–24), and complaint guidance when it is not fully granted (§ 25). The
  decision letter is stored as a PDF, journalised and sent; the case becomes decided.

Each action locks the case row, checks everything before it writes (a ``ServiceError``
leaves the database unchanged), writes an audit entry, and runs in one transaction.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from borgerservice.accounts.access import authority_level
from borgerservice.accounts.audit import audit_record
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.core.tasks import task

from . import letters
from .documents import document_store, journal_add, letter_journalise
from .models import Case, Decision, Direction, Hearing, JournalEntry
from .services import case_locked, case_transition
from .workflow import Status

HEARING_DEFAULT_DAYS = 14  # calendar days to answer, unless the caseworker sets a date
HEARING_MAX_DAYS = 60
MAX_TEXT_LENGTH = 20000


def _text(value: str | None) -> str:
    """Trimmed text; paragraphs kept, trailing spaces on each line dropped."""
    lines = [line.rstrip() for line in (value or "").strip().splitlines()]
    return "\n".join(lines).strip()


def _check_length(value: str, field: str) -> None:
    if len(value) > MAX_TEXT_LENGTH:
        raise ServiceError(
            "decision.text_too_long",
            _("The text may be at most %(max)d characters."),
            field=field,
            params={"max": MAX_TEXT_LENGTH},
        )


def _audit(user, case: Case, what: str) -> None:
    audit_record(
        actor=user,
        action="change",
        what=f"case {case.number}: {what}",
        citizen_ids=list(case.parties.values_list("citizen_id", flat=True)),
        reason=f"case:{case.pk}",
    )


def _require_addressee(case: Case) -> list:
    recipients = letters.addressees(case)
    if not recipients:
        raise ServiceError(
            "decision.no_addressee", _("The case has no party to write to."), status=409
        )
    return recipients


def _send(*, user, case: Case, recipients: list, build, kind: str, filename: str, on: date):
    """Store the letter's PDF on the case (journalised as ``kind``, outgoing) and send its
    text to each recipient in their own language, each letter journalised. Returns the
    stored document."""
    pdf_letter = build(letters.letter_language(recipients[0]))
    document = document_store(
        user=user,
        case=case,
        title=pdf_letter.title,
        direction=Direction.OUTGOING,
        filename=filename,
        content=letters.letter_pdf(pdf_letter),
        content_type="application/pdf",
        kind=kind,
        on=on,
    )
    from borgerservice.outbox.services import letter_send

    for citizen in recipients:
        text = build(letters.letter_language(citizen))
        message = letter_send(
            citizen=citizen, subject=text.subject, body=letters.letter_text(text), case=case
        )
        letter_journalise(user=user, case=case, letter=message)
    return document


# --- hearings ---------------------------------------------------------------------------


@transaction.atomic
def hearing_send(*, user, case_id: int, facts: str, answer_by: date | None = None) -> Hearing:
    """Hear the party on ``facts`` before deciding (partshøring, forvaltningsloven § 19).

    Only a case in progress can have a hearing, and one at a time. The party answers by
    ``answer_by`` (default 14 calendar days from today; at most 60 days ahead).

    The deadline clock does NOT pause during a hearing: hearing the party is part of
    processing the case, not a wait for the citizen to complete the application (that is
    suspension, the "awaiting the citizen" status), so the case stays in progress. If the
    hearing makes the processing-time target unreachable, extend the deadline with a
    reason (``services.case_extend``).
    """
    case = case_locked(case_id, user=user)
    if case.status != Status.IN_PROGRESS:
        raise ServiceError(
            "hearing.case_not_in_progress",
            _("A hearing can only be sent on a case that is in progress."),
            status=409,
        )
    if Hearing.objects.filter(case=case, state=Hearing.State.OPEN).exists():
        raise ServiceError(
            "hearing.already_open",
            _("The case already has a hearing awaiting the answer."),
            status=409,
        )
    facts = _text(facts)
    if not facts:
        raise ServiceError(
            "hearing.facts_missing",
            _("Describe the information the party is heard on."),
            field="facts",
        )
    _check_length(facts, "facts")
    today = timezone.localdate()
    answer_by = answer_by or today + timedelta(days=HEARING_DEFAULT_DAYS)
    if not today < answer_by <= today + timedelta(days=HEARING_MAX_DAYS):
        raise ServiceError(
            "hearing.answer_by",
            _("The answer deadline must be after today and at most %(max)d days ahead."),
            field="answer_by",
            params={"max": HEARING_MAX_DAYS},
        )
    recipients = _require_addressee(case)
    hearing = Hearing.objects.create(
        case=case, facts=facts, sent_on=today, answer_by=answer_by, created_by=user
    )
    _send(
        user=user,
        case=case,
        recipients=recipients,
        build=lambda language: letters.hearing_letter(hearing, language=language),
        kind=JournalEntry.Kind.HEARING,
        filename=f"partshoering-{case.number}-{hearing.pk}.pdf",
        on=today,
    )
    _audit(user, case, f"hearing sent, answer by {answer_by.isoformat()}")
    return hearing


@transaction.atomic
def hearing_answer(*, user, hearing_id: int, answer: str, on: date | None = None) -> Hearing:
    """Register the party's answer to a hearing (received on ``on``, default today).

    A late answer is still registered while the case has not been decided: an open
    hearing past its deadline, or one already marked expired, becomes answered."""
    case_id = Hearing.objects.filter(pk=hearing_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("hearing.not_found", _("The hearing does not exist."))
    case = case_locked(case_id, user=user)
    hearing = Hearing.objects.select_for_update().get(pk=hearing_id)
    if hearing.state == Hearing.State.ANSWERED:
        raise ServiceError(
            "hearing.already_answered", _("The hearing has already been answered."), status=409
        )
    if hearing.state == Hearing.State.EXPIRED and case.status != Status.IN_PROGRESS:
        raise ServiceError(
            "hearing.closed",
            _("The hearing expired and the case has moved on; add the answer as a document."),
            status=409,
        )
    answer = _text(answer)
    if not answer:
        raise ServiceError("hearing.answer_missing", _("Write the party's answer."), field="answer")
    _check_length(answer, "answer")
    today = timezone.localdate()
    on = on or today
    if on > today or on < hearing.sent_on:
        raise ServiceError(
            "hearing.answer_date",
            _("The answer date must be between the day the hearing was sent and today."),
            field="on",
        )
    hearing.state = Hearing.State.ANSWERED
    hearing.answer = answer
    hearing.answered_on = on
    hearing.save(update_fields=["state", "answer", "answered_on"])
    with translation.override("da"):
        title = _("Answer to hearing of %(date)s") % {"date": hearing.sent_on.isoformat()}
    journal_add(
        user=user,
        case=case,
        kind=JournalEntry.Kind.HEARING,
        direction=Direction.INCOMING,
        title=title,
        on=on,
    )
    _audit(user, case, "hearing answered")
    return hearing


def hearing_expire_due(*, today: date | None = None) -> int:
    """Mark open hearings whose answer deadline has passed as expired; returns how many.
    Idempotent: a second run on the same day changes nothing."""
    today = today or timezone.localdate()
    return Hearing.objects.filter(state=Hearing.State.OPEN, answer_by__lt=today).update(
        state=Hearing.State.EXPIRED
    )


@task("cases.hearing_expire")
def hearing_expire_task(*, today: str | None = None) -> int:
    """The daily background task (``manage.py enqueue_task cases.hearing_expire``)."""
    return hearing_expire_due(today=date.fromisoformat(today) if today else None)


# --- decisions --------------------------------------------------------------------------


def _required_level(service) -> int:
    """A level-2 service (rule-based) needs authority level 2; a service handled only at
    level 3 (significant discretion) needs level 3."""
    return 2 if service.level_2 else 3


@transaction.atomic
def decision_make(
    *,
    user,
    case_id: int,
    outcome: str,
    rules_applied: str,
    reasons: str,
    facts: str = "",
    complaint_guidance: str = "",
    on: date | None = None,
) -> Decision:
    """Decide the case: a case in progress, or a case under complaint being reconsidered
    (it becomes decided again). Refused while a hearing awaits the answer. For an outcome
    that is not fully granted, the complaint guidance defaults to the case type's, in the
    addressee's language. The letter is stored as a PDF, journalised and sent; the decision
    refers to the last hearing held on the case (the newest answered or expired one).

    An open hearing blocks the decision until its answer deadline has passed; one past
    the deadline that the daily ``hearing_expire_due`` has not reached yet is marked
    expired here, in the same transaction."""
    case = case_locked(case_id, user=user)
    if case.status not in (Status.IN_PROGRESS, Status.COMPLAINT):
        raise ServiceError(
            "decision.case_not_open",
            _("A decision can only be made on a case in progress or under complaint."),
            status=409,
        )
    if outcome not in Decision.Outcome.values:
        raise ServiceError("decision.outcome_invalid", _("Choose an outcome."), field="outcome")
    service = case.case_type.service
    if authority_level(user, service) < _required_level(service):
        raise ServiceError(
            "decision.no_authority",
            _("You do not have the authority to decide cases of this kind."),
            status=403,
        )
    rules_applied, reasons, facts = _text(rules_applied), _text(reasons), _text(facts)
    complaint_guidance = _text(complaint_guidance)
    if not rules_applied:
        raise ServiceError(
            "decision.rules_missing",
            _("State the rules the decision is made under."),
            field="rules_applied",
        )
    if not reasons:
        raise ServiceError(
            "decision.reasons_missing",
            _("Give the reasons for the decision."),
            field="reasons",
        )
    for value, name in (
        (rules_applied, "rules_applied"),
        (reasons, "reasons"),
        (facts, "facts"),
        (complaint_guidance, "complaint_guidance"),
    ):
        _check_length(value, name)
    today = timezone.localdate()
    on = on or today
    if on > today or on < case.received_on:
        raise ServiceError(
            "decision.date",
            _("The decision date must be between the day the case was received and today."),
            field="on",
        )
    open_hearing = Hearing.objects.filter(case=case, state=Hearing.State.OPEN).first()
    if open_hearing is not None and open_hearing.answer_by >= today:
        raise ServiceError(
            "decision.hearing_open",
            _("The party has until %(date)s to answer the hearing; decide after that."),
            status=409,
            params={"date": open_hearing.answer_by.isoformat()},
        )
    recipients = _require_addressee(case)
    language = letters.letter_language(recipients[0])
    if outcome in Decision.ADVERSE and not complaint_guidance:
        with translation.override(language):
            complaint_guidance = _text(case.case_type.t("complaint_guidance"))
        if not complaint_guidance:
            raise ServiceError(
                "decision.guidance_missing",
                _("Write the complaint guidance: the case type has none."),
                field="complaint_guidance",
            )

    # Everything is checked; from here on, writes.
    if open_hearing is not None:
        # Its deadline has passed but the daily expiry has not run yet.
        open_hearing.state = Hearing.State.EXPIRED
        open_hearing.save(update_fields=["state"])
    hearing = (
        Hearing.objects.filter(case=case, state__in=[Hearing.State.ANSWERED, Hearing.State.EXPIRED])
        .order_by("-sent_on", "-id")
        .first()
    )
    decision = Decision.objects.create(
        case=case,
        outcome=outcome,
        rules_applied=rules_applied,
        facts=facts,
        reasons=reasons,
        complaint_guidance=complaint_guidance,
        hearing=hearing,
        decided_on=on,
        decided_by=user,
    )
    decision.case = case
    decision.letter = _send(
        user=user,
        case=case,
        recipients=recipients,
        build=lambda lang: letters.decision_letter(decision, language=lang),
        kind=JournalEntry.Kind.DECISION,
        filename=f"afgoerelse-{case.number}-{decision.pk}.pdf",
        on=on,
    )
    decision.save(update_fields=["letter"])
    with translation.override("da"):  # the history is kept in the municipality's language
        reason = str(Decision.Outcome(outcome).label)
    # From "complaint" this is the "reconsider" transition: decided again.
    decision.case = case_transition(
        user=user, case_id=case.pk, to_status=Status.DECIDED, reason=reason, on=on
    )
    _audit(user, decision.case, f"decision {outcome}")
    return decision
