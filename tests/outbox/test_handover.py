"""Warm handover: a contact handed over becomes a case in the department, and the citizen
gets a receipt with the case number and the expected answer date."""

from __future__ import annotations

import pytest

from borgerservice.cases.deadlines import deadline_of
from borgerservice.cases.models import Case, CaseType
from borgerservice.catalogue.models import Service
from borgerservice.contacts.services import ContactInput, contact_register
from borgerservice.core.models import Task
from borgerservice.core.tasks import run_pending
from borgerservice.outbox.models import OutboxMessage
from tests.accounts.staff import FRONT_OFFICE, make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def hand_over(clerk, citizen, **extra):
    data = ContactInput(
        channel="walk_in",
        outcome="handed_over",
        services=["suf-helbredstillaeg"],
        citizen_id=citizen.pk,
        handed_over_to="suf",
        note="Needs dental work; brought the quote",
        **extra,
    )
    contact, _created = contact_register(user=clerk, data=data)
    return contact


def test_every_level_2_and_3_service_has_a_case_type():
    services = Service.objects.filter(level_2=True) | Service.objects.filter(level_3=True)
    assert CaseType.objects.count() == services.distinct().count()
    assert CaseType.objects.get(service__code="mff-aktindsigt").processing_days == 7


def test_warm_handover_creates_the_case_and_sends_a_receipt(django_capture_on_commit_callbacks):
    clerk = make_staff(FRONT_OFFICE)
    citizen = CitizenFactory(first_name="Hanne", last_name="Handover")
    with django_capture_on_commit_callbacks(execute=True):
        contact = hand_over(clerk, citizen)
    case = Case.objects.get(contacts=contact)
    assert case.department.code == "SUF"
    assert case.parties.get().citizen == citizen
    letter = OutboxMessage.objects.get(case=case)
    assert letter.state == "sent" and letter.sender == "local"
    assert case.number in letter.subject and case.number in letter.body
    due = deadline_of(case).due_on
    assert str(due.day) in letter.body and str(due.year) in letter.body
    assert "Kvittering" in letter.subject


def test_receipt_in_english_and_on_paper_when_exempt(django_capture_on_commit_callbacks):
    clerk = make_staff(FRONT_OFFICE)
    citizen = CitizenFactory(preferred_language="en", digital_post_exempt=True)
    with django_capture_on_commit_callbacks(execute=True):
        hand_over(clerk, citizen)
    letter = OutboxMessage.objects.get(citizen=citizen)
    assert letter.subject.startswith("Receipt") and letter.route == "paper"


def test_resolved_contacts_make_no_case():
    clerk = make_staff(FRONT_OFFICE)
    citizen = CitizenFactory()
    contact, _ = contact_register(
        user=clerk,
        data=ContactInput(
            channel="phone",
            outcome="resolved",
            services=["suf-helbredstillaeg"],
            citizen_id=citizen.pk,
        ),
    )
    assert not Case.objects.filter(contacts=contact).exists()
    assert not OutboxMessage.objects.filter(citizen=citizen).exists()


def test_database_task_backend_delivers_with_workers(settings):
    settings.TASKS_BACKEND = "database"
    settings.OUTBOX_SENDER = "email"
    clerk = make_staff(FRONT_OFFICE)
    citizen = CitizenFactory(email="")
    hand_over(clerk, citizen)
    letter = OutboxMessage.objects.get(citizen=citizen)
    assert letter.state == "queued"
    assert Task.objects.filter(name="outbox.deliver", state="waiting").count() == 1
    assert run_pending() == 1
    letter.refresh_from_db()
    # No email address: the letter is kept, marked failed with the reason, for staff.
    assert letter.state == "failed" and "email" in letter.error
    assert Task.objects.get(name="outbox.deliver").state == "done"


def test_failing_tasks_are_retried_with_back_off(settings):
    from borgerservice.core.tasks import REGISTRY, enqueue

    settings.TASKS_BACKEND = "database"
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("service unavailable")

    REGISTRY["test.flaky"] = flaky
    try:
        enqueue("test.flaky", n=1)
        assert run_pending() == 1
        task = Task.objects.get(name="test.flaky")
        assert task.state == "waiting" and task.attempts == 1
        assert "unavailable" in task.last_error and task.run_after > task.created_at
        assert run_pending() == 0  # not due yet
    finally:
        del REGISTRY["test.flaky"]


def test_the_case_appears_on_the_one_view(client, django_capture_on_commit_callbacks):
    clerk = make_staff(FRONT_OFFICE)
    citizen = CitizenFactory()
    with django_capture_on_commit_callbacks(execute=True):
        contact = hand_over(clerk, citizen)
    case = Case.objects.get(contacts=contact)
    client.force_login(clerk)
    html = client.get(f"/borgere/{citizen.pk}/").content.decode()
    assert case.number in html and "Sager" in html
    assert html.index("cases-heading") < html.index("contacts-heading")
