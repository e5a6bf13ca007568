"""Fixtures for Min side: two citizens, each with a case (document, letter), a booking and a
contact, and a way to log a citizen in on the test client."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from borgerservice.booking.models import Slot, SlotTemplate
from borgerservice.booking.services import booking_create
from borgerservice.cases.documents import document_store
from borgerservice.cases.models import CaseType, Direction
from borgerservice.cases.services import case_create
from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.contacts.models import Contact, ContactService
from borgerservice.outbox.services import letter_send
from borgerservice.portal.auth import ACTIVITY_KEY, SESSION_KEY
from tests.accounts.staff import SPECIALIST, make_staff
from tests.citizens.factories import CitizenFactory

PDF = b"%PDF-1.4\n" + b"ansoegning\n" * 20 + b"%%EOF\n"


def log_in(client, citizen) -> None:
    session = client.session
    now = int(clock.time())
    session[SESSION_KEY] = {"id": citizen.pk, "method": "demo", "at": now}
    session[ACTIVITY_KEY] = now
    session.save()


@dataclass
class Holdings:
    citizen: object
    case: object
    document: object
    version: object
    internal_version: object
    letter: object
    booking: object
    contact: object


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def worker(db):
    return make_staff(SPECIALIST, username="sagsbehandler-portal")


@pytest.fixture
def case_type(db):
    case_type, _created = CaseType.objects.update_or_create(
        service=Service.objects.get(code="suf-helbredstillaeg"),
        defaults={"name_da": "Helbredstillæg", "name_en": "Health supplement"},
    )
    return case_type


def _slot(minutes_ahead: int) -> Slot:
    centre = ServiceCentre.objects.get(code="indre-by")
    service = Service.objects.get(code="mff-aktindsigt")
    starts = timezone.now() + timedelta(days=2, minutes=minutes_ahead)
    SlotTemplate.objects.get_or_create(
        centre=centre,
        service=service,
        weekday=starts.weekday(),
        starts=time(10),
        ends=time(12),
        defaults={"duration_minutes": 30, "capacity": 1, "valid_from": date(2026, 1, 1)},
    )
    return Slot.objects.create(
        centre=centre,
        service=service,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        capacity=1,
    )


def make_holdings(worker, case_type, *, first_name: str, minutes: int) -> Holdings:
    citizen = CitizenFactory(first_name=first_name, email=f"{first_name.lower()}@example.dk")
    case = case_create(
        user=worker,
        case_type=case_type,
        citizen=citizen,
        title=f"Helbredstillæg til {first_name}",
        channel="self_service",
    )
    document = document_store(
        user=worker,
        case=case,
        title="Ansøgning",
        direction=Direction.INCOMING,
        filename="ansoegning.pdf",
        content=PDF,
        content_type="application/pdf",
    )
    internal = document_store(
        user=worker,
        case=case,
        title="Intern vurdering",
        direction=Direction.INTERNAL,
        filename="notat.pdf",
        content=PDF,
        content_type="application/pdf",
    )
    letter = letter_send(
        citizen=citizen, subject=f"Kvittering til {first_name}", body="Vi har modtaget.", case=case
    )
    slot = _slot(minutes)
    booking = booking_create(slot_id=slot.pk, service=slot.service, citizen=citizen, notify=False)
    contact = Contact.objects.create(channel="phone", citizen=citizen, outcome="resolved")
    ContactService.objects.create(contact=contact, service=case_type.service)
    return Holdings(
        citizen=citizen,
        case=case,
        document=document,
        version=document.versions.get(),
        internal_version=internal.versions.get(),
        letter=letter,
        booking=booking,
        contact=contact,
    )


@pytest.fixture
def anna(worker, case_type) -> Holdings:
    return make_holdings(worker, case_type, first_name="Anna", minutes=0)


@pytest.fixture
def bo(worker, case_type) -> Holdings:
    return make_holdings(worker, case_type, first_name="Bo", minutes=60)


@pytest.fixture
def anna_client(client, anna):
    log_in(client, anna.citizen)
    return client
