"""Concurrent writers keep the rollups exact (PostgreSQL: real row locks and upserts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from borgerservice.analytics import rollups
from borgerservice.analytics.models import ContactDay
from borgerservice.catalogue.models import Service
from borgerservice.contacts.models import Contact, ContactService

CPH = ZoneInfo("Europe/Copenhagen")
AT = datetime(2026, 3, 3, 14, 0, tzinfo=CPH)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_concurrent_contacts_in_one_cell_all_count():
    from tests.concurrency import load_reference_data, run_together

    load_reference_data()
    service = Service.objects.exclude(department=None).order_by("pk").first()

    def register():
        with transaction.atomic():
            contact = Contact.objects.create(
                channel="phone", outcome="resolved", started_at=AT, ended_at=AT
            )
            ContactService.objects.create(contact=contact, service=service)
        return contact.pk

    outcomes = run_together([register] * 8)
    assert [kind for kind, _ in outcomes] == ["ok"] * 8
    assert ContactDay.objects.get(contacts__gt=0, service=service.pk).contacts == 8
    assert rollups.rollup_check() == dict.fromkeys(rollups.ROLLUPS, 0)


def test_concurrent_changes_of_one_contact_leave_it_counted_once():
    from tests.concurrency import load_reference_data, run_together

    load_reference_data()
    services = list(Service.objects.exclude(department=None).order_by("pk")[:6])
    contact = Contact.objects.create(channel="phone", outcome="resolved", started_at=AT)

    def move(n):
        def call():
            with transaction.atomic():
                if n % 2:
                    ContactService.objects.create(contact=contact, service=services[n])
                else:
                    Contact.objects.filter(pk=contact.pk).update(
                        started_at=AT + timedelta(days=n), channel="email"
                    )
                    rollups.rollup_refresh(source="contact", ids=[contact.pk])

        return call

    outcomes = run_together([move(n) for n in range(6)])
    assert [kind for kind, _ in outcomes] == ["ok"] * 6
    assert sum(ContactDay.objects.values_list("contacts", flat=True)) == 1
    assert rollups.rollup_check() == dict.fromkeys(rollups.ROLLUPS, 0)
