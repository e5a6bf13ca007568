"""A contact handed over without becoming a case waits as a work item with that skill."""

from __future__ import annotations

import pytest

from borgerservice.catalogue.models import Department, Service
from borgerservice.contacts.services import ContactInput, contact_register
from borgerservice.queueing.models import WorkItem, WorkQueue
from tests.accounts.staff import FRONT_OFFICE, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    queue = WorkQueue.objects.create(code="pas", name_da="Pas", name_en="Passports")
    queue.services.set(Service.objects.filter(code="stat-pas-og-koerekort"))
    return queue


def _register(user, outcome: str, **extra):
    contact, _created = contact_register(
        user=user,
        data=ContactInput(
            channel="phone", outcome=outcome, services=["stat-pas-og-koerekort"], **extra
        ),
    )
    return contact


def test_an_anonymous_handover_becomes_a_work_item_in_the_queue_of_its_service(queue):
    clerk = make_staff(FRONT_OFFICE)
    department = Department.objects.filter(kind="current").order_by("slug").first()
    contact = _register(clerk, "handed_over", handed_over_to=department.slug, note="Ring op")
    item = WorkItem.objects.get(contact=contact)
    assert item.kind == WorkItem.Kind.HANDOVER
    assert item.queue == queue
    assert item.service.code == "stat-pas-og-koerekort"


def test_a_resolved_contact_or_a_service_without_a_queue_makes_no_work_item(queue):
    clerk = make_staff(FRONT_OFFICE)
    _register(clerk, "resolved")
    queue.services.clear()
    department = Department.objects.filter(kind="current").order_by("slug").first()
    _register(clerk, "handed_over", handed_over_to=department.slug)
    assert not WorkItem.objects.exists()
