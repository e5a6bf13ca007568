"""On PostgreSQL: two people routing the same waiting message at once make one work item and
one decision, and the same email delivered by two fetchers at once is filed once."""

from __future__ import annotations

import pytest
from django.db import connection

from borgerservice.catalogue.models import Service
from borgerservice.contacts.inbox import (
    MessageInput,
    inbound_message_receive,
    inbound_message_route,
)
from borgerservice.contacts.models import InboundMessage, TriageFeedback
from borgerservice.core.errors import ServiceError
from borgerservice.queueing.models import WorkItem, WorkQueue
from tests.accounts.staff import FRONT_OFFICE, make_staff
from tests.concurrency import load_reference_data, run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


@pytest.fixture
def queue():
    load_reference_data()
    service = Service.objects.get(code="stat-pas-og-koerekort")
    queue = WorkQueue.objects.create(code="pas-c", name_da="Pas", name_en="Passports")
    queue.services.add(service)
    return queue


def test_two_people_routing_one_message_make_one_work_item(queue):
    message = InboundMessage.objects.create(
        kind="email", body="Mit pas er udløbet", suggestions=[], triage_note="no_model"
    )
    people = [make_staff(FRONT_OFFICE, username=f"router-{n}") for n in range(4)]
    outcomes = run_together(
        [
            lambda user=user: inbound_message_route(
                user=user, message_id=message.pk, service_code="stat-pas-og-koerekort"
            )
            for user in people
        ]
    )
    assert [kind for kind, _value in outcomes].count("ok") == 1
    errors = [value for kind, value in outcomes if kind == "error"]
    assert all(isinstance(e, ServiceError) and e.status == 409 for e in errors)
    assert WorkItem.objects.count() == 1 and TriageFeedback.objects.count() == 1


def test_one_email_delivered_twice_at_once_is_filed_once(queue):
    data = MessageInput(kind="email", body="Mit pas er udløbet", message_id="<same@example.dk>")
    outcomes = run_together([lambda: inbound_message_receive(data=data) for _ in range(4)])
    assert all(kind == "ok" for kind, _value in outcomes), outcomes
    assert sum(1 for _kind, (_message, created) in outcomes if created) == 1
    assert InboundMessage.objects.count() == 1
