"""submission_create: case, answers document, contact, instant decisions and the audit log."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from borgerservice.accounts.models import AuditEntry
from borgerservice.cases.models import Case, CaseEvent, CaseNote, JournalEntry
from borgerservice.contacts.models import Contact, ContactService
from borgerservice.core.errors import ServiceError
from borgerservice.decisions.models import InstantDecision
from borgerservice.outbox.models import OutboxMessage
from borgerservice.selfservice.models import Submission
from borgerservice.selfservice.selectors import (
    form_for_service,
    forms_available,
    instant_decision_of,
    submission_for_citizen,
    submissions_for_citizen,
)
from borgerservice.selfservice.services import submission_create

pytestmark = pytest.mark.django_db

FRIPLADS = "faf-oekonomisk-friplads"
HELBRED = "suf-helbredstillaeg"
BOERN = "faf-boernetilskud-ordinaert-ekstra"


def friplads(income: str, *, assessment: str = "no") -> dict:
    answers = {
        "single_provider": "yes",
        "children_under_18": 1,
        "childcare_type": "municipal",
        "household_income": income,
        "income_needs_assessment": assessment,
    }
    if assessment == "yes":
        answers["income_explanation"] = "Selvstændig"
    return answers


def test_plain_form_creates_case_document_contact_and_audit(citizen, plain_form):
    answers = {"has_partner": "no", "children": 1}
    submission = submission_create(
        citizen=citizen, form=plain_form, answers=answers, idempotency_key="k-plain"
    )
    case = submission.case
    assert submission.outcome == ""
    assert case.status == "received"
    assert case.channel == "self_service"
    assert case.title == plain_form.title_da
    assert case.unit.code == "okf-borgerservice"  # a level-2 service: the citizen-service unit
    # The answers, as JSON and as a PDF on the case, journalised as received.
    assert submission.answers == answers
    version = submission.document.versions.get()
    assert version.content_type == "application/pdf"
    with version.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    kinds = list(JournalEntry.objects.filter(case=case).values_list("kind", "direction"))
    assert ("document", "in") in kinds and ("letter", "out") in kinds
    # The contact: self-service, the citizen, the service, "case", no staff member.
    contact = submission.contact
    assert (contact.channel, contact.outcome, contact.staff_id) == ("self_service", "case", None)
    assert list(
        ContactService.objects.filter(contact=contact).values_list("service", flat=True)
    ) == [plain_form.service_id]
    assert list(case.contacts.all()) == [contact]
    # A receipt letter in the citizen's letters.
    assert OutboxMessage.objects.filter(citizen=citizen, case=case).count() == 1
    # The portal's write is in the audit log, channel "portal".
    entry = AuditEntry.objects.filter(channel="portal", what__contains="self-service").get()
    assert entry.actor_username == "min-side"
    assert case.number in entry.what


def test_same_key_twice_creates_nothing_new(citizen, plain_form):
    answers = {"has_partner": "no", "children": 1}
    first = submission_create(
        citizen=citizen, form=plain_form, answers=answers, idempotency_key="k"
    )
    second = submission_create(
        citizen=citizen, form=plain_form, answers=answers, idempotency_key="k"
    )
    assert first.pk == second.pk
    assert Case.objects.count() == 1 and Contact.objects.count() == 1


def test_key_of_another_citizen_is_refused(citizen, other_citizen, plain_form):
    answers = {"has_partner": "no", "children": 1}
    submission_create(citizen=citizen, form=plain_form, answers=answers, idempotency_key="k")
    with pytest.raises(ServiceError) as error:
        submission_create(
            citizen=other_citizen, form=plain_form, answers=answers, idempotency_key="k"
        )
    assert error.value.status == 409


def test_idempotency_key_unique_in_the_database(citizen, plain_form):
    submission = submission_create(
        citizen=citizen,
        form=plain_form,
        answers={"has_partner": "no", "children": 1},
        idempotency_key="k",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            form=plain_form,
            citizen=citizen,
            case=Case.objects.exclude(pk=submission.case_id).first() or submission.case,
            contact=submission.contact,
            idempotency_key="k",
        )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"children": 1}, "Choose an answer to “Do you have a partner?”."),
        ({"has_partner": "yes", "children": 1}, "Answer “The partner's name”."),
        ({"has_partner": "maybe", "children": 1}, "Choose among the options"),
        ({"has_partner": "no", "children": 99}, "must be at most 10"),
    ],
)
def test_bad_answers_change_nothing(citizen, plain_form, answers, message):
    with translation.override("en"), pytest.raises(ServiceError) as error:
        submission_create(citizen=citizen, form=plain_form, answers=answers, idempotency_key="k")
    assert message in error.value.message
    assert not Case.objects.exists() and not Contact.objects.exists()
    assert not Submission.objects.exists()


def test_answers_to_questions_not_asked_are_dropped(citizen, plain_form):
    submission = submission_create(
        citizen=citizen,
        form=plain_form,
        answers={"has_partner": "no", "partner_name": "X", "children": 0, "junk": 1},
        idempotency_key="k",
    )
    assert submission.answers == {"has_partner": "no", "children": 0}


def test_inactive_form_is_refused(citizen, plain_form):
    plain_form.active = False
    plain_form.save()
    with pytest.raises(ServiceError) as error:
        submission_create(
            citizen=citizen,
            form=plain_form,
            answers={"has_partner": "no", "children": 1},
            idempotency_key="k",
        )
    assert error.value.code == "selfservice.form_inactive"


def test_instant_grant_closes_the_case(citizen, demo_forms):
    form = demo_forms[FRIPLADS]
    submission = submission_create(
        citizen=citizen, form=form, answers=friplads("150000"), idempotency_key="g"
    )
    assert submission.outcome == "granted"
    case = Case.objects.get(pk=submission.case_id)
    assert case.status == "closed"
    decision = InstantDecision.objects.get(case=case)
    assert decision.outcome == "granted" and decision.citizen == citizen
    assert decision.rule_set == "friplads"
    assert instant_decision_of(submission) == decision
    events = CaseEvent.objects.filter(case=case, kind="transition")
    assert [e.to_status for e in events] == ["in_progress", "decided", "closed"]
    assert {e.actor.username for e in events} == {"min-side"}
    assert "friplads" in events[0].reason


def test_instant_refusal_stays_decided_for_a_complaint(citizen, demo_forms):
    form = demo_forms[FRIPLADS]
    submission = submission_create(
        citizen=citizen, form=form, answers=friplads("900000"), idempotency_key="r"
    )
    assert submission.outcome == "refused"
    case = Case.objects.get(pk=submission.case_id)
    assert case.status == "decided"
    assert InstantDecision.objects.get(case=case).outcome == "refused"


def test_manual_outcome_leaves_the_case_in_the_inbox_with_a_note(citizen, demo_forms):
    form = demo_forms[FRIPLADS]
    submission = submission_create(
        citizen=citizen,
        form=form,
        answers=friplads("300000", assessment="yes"),
        idempotency_key="m",
    )
    assert submission.outcome == "manual"
    case = Case.objects.get(pk=submission.case_id)
    assert case.status == "received"
    note = CaseNote.objects.get(case=case)
    assert "income_needs_assessment" in note.text
    assert submission.document.title in note.text
    assert InstantDecision.objects.get(case=case).outcome == "manual"


def test_helbredstillaeg_conditional_inputs(citizen, demo_forms):
    form = demo_forms[HELBRED]
    base = {
        "pension_type": "folkepension",
        "resident_in_denmark": "yes",
        "cohabiting": "no",
        "liquid_assets": "10000",
        "expenses": ["medicine"],
    }
    granted = submission_create(
        citizen=citizen,
        form=form,
        answers={**base, "knows_percentage": "yes", "supplement_percentage": 100},
        idempotency_key="h1",
    )
    assert granted.outcome == "granted"
    # Without the percentage, the income besides the pension is asked and required.
    with pytest.raises(ServiceError):
        submission_create(
            citizen=citizen,
            form=form,
            answers={**base, "knows_percentage": "no"},
            idempotency_key="h2",
        )


def test_boernetilskud_refused_when_not_single(citizen, demo_forms):
    form = demo_forms[BOERN]
    answers = {
        "single_provider": "no",
        "resident_in_denmark": "yes",
        "danish_citizen_or_refugee": "yes",
        "child_birth_date": "2020-01-01",
        "has_custody": "yes",
        "child_lives_with_applicant": "yes",
        "child_in_denmark": "yes",
        "child_placed_outside_home": "no",
        "child_married": "no",
    }
    submission = submission_create(citizen=citizen, form=form, answers=answers, idempotency_key="b")
    assert submission.outcome == "refused"
    # The other parent is asked only of a single provider.
    assert "other_parent" not in submission.answers


def test_selectors(citizen, other_citizen, plain_form, demo_forms):
    assert form_for_service(plain_form.service) == plain_form
    assert form_for_service(None) is None
    available = forms_available()
    assert plain_form in available and len(available) == 6
    submission = submission_create(
        citizen=citizen,
        form=plain_form,
        answers={"has_partner": "no", "children": 1},
        idempotency_key="k",
    )
    assert list(submissions_for_citizen(citizen)) == [submission]
    assert list(submissions_for_citizen(other_citizen)) == []
    assert submission_for_citizen(citizen, submission.pk) == submission
    with pytest.raises(ServiceError) as error:
        submission_for_citizen(other_citizen, submission.pk)
    assert error.value.status == 404
