"""Registering contacts: validation, idempotency, need-to-know and the one view."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from borgerservice.api.auth import api_token_create
from borgerservice.contacts.models import Contact
from tests.accounts.staff import FRONT_OFFICE, SPECIALIST, make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return make_staff(FRONT_OFFICE)


def post(client, user, body, key=None):
    token = api_token_create(user=user, name="test")
    return client.post(
        "/api/v1/contacts",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


def body(**extra):
    return {
        "channel": "phone",
        "outcome": "resolved",
        "services": ["stat-pas-og-koerekort"],
        **extra,
    }


def test_register_and_retry_creates_one_contact(client, clerk):
    citizen = CitizenFactory()
    key = uuid.uuid4().hex
    first = post(client, clerk, body(citizen_id=citizen.pk), key)
    assert first.status_code == 201
    again = post(client, clerk, body(citizen_id=citizen.pk), key)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Contact.objects.filter(idempotency_key=key).count() == 1
    conflict = post(client, clerk, body(citizen_id=citizen.pk, note="other"), key)
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "contact.idempotency_conflict"


@pytest.mark.parametrize(
    "cpr", ["3102901234", "0113901234", "12345678", "01019012345", "abcdefghij"]
)
def test_invalid_cpr_gets_400_and_stores_nothing(client, clerk, cpr):
    before = Contact.objects.count()
    response = post(client, clerk, body(cpr=cpr))
    assert response.status_code == 400
    assert response.json()["code"] in ("cpr.invalid", "request.invalid")
    assert Contact.objects.count() == before


def test_cpr_failing_modulus_11_is_accepted(client, clerk):
    # 0101901235: weights 4,3,2,7,6,5,4,3,2,1 give a sum not divisible by 11.
    digits = "0101901235"
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    assert sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 != 0
    CitizenFactory(cpr=digits)
    response = post(client, clerk, body(cpr="010190-1235"))
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"services": []}, "request.invalid"),
        ({"services": ["no-such-service"]}, "contact.unknown_service"),
        ({"outcome": "handed_over"}, "contact.handover_unit_missing"),
        ({"outcome": "forwarded", "forwarded_to": "Skattestyrelsen"}, "contact.forward_incomplete"),
        ({"channel": "pigeon"}, "request.invalid"),
        ({"citizen_id": 999999999}, "contact.unknown_citizen"),
        (
            {"ended_at": "2020-01-01T10:00:00Z", "started_at": "2020-01-01T11:00:00Z"},
            "contact.ends_before_start",
        ),
    ],
)
def test_bad_contacts_are_refused(client, clerk, extra, code):
    before = Contact.objects.count()
    response = post(client, clerk, body(**extra))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert Contact.objects.count() == before


def test_missing_idempotency_key_is_400(client, clerk):
    token = api_token_create(user=clerk, name="test")
    response = client.post(
        "/api/v1/contacts",
        body(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400


def test_warm_handover_and_forwarding(client, clerk):
    citizen = CitizenFactory()
    handover = post(
        client,
        clerk,
        body(
            citizen_id=citizen.pk,
            outcome="handed_over",
            handed_over_to="suf",
            note="Needs a home visit",
        ),
    )
    assert handover.status_code == 201 and handover.json()["handed_over_to"] == "suf"
    forwarded = post(
        client,
        clerk,
        body(outcome="forwarded", forwarded_to="Skattestyrelsen", citizen_informed=True),
    )
    assert forwarded.status_code == 201 and forwarded.json()["citizen_id"] is None


def test_staff_see_only_contacts_of_services_in_their_portfolio(client, clerk):
    citizen = CitizenFactory()
    pension = post(client, clerk, body(citizen_id=citizen.pk, services=["suf-folkepension"]))
    waste = post(
        client,
        clerk,
        body(citizen_id=citizen.pk, services=["mff-affald-raadgivning-r98-og-anmeldelse"]),
    )
    assert pension.status_code == waste.status_code == 201
    specialist = make_staff(SPECIALIST)
    client.force_login(specialist)
    client.post(f"/borgere/{citizen.pk}/", {"reason": "pension case follow-up"})
    html = client.get(f"/borgere/{citizen.pk}/").content.decode()
    assert "Folkepension" in html
    assert "Affald" not in html
    assert "1 henvendelse om ydelser uden for din portefølje" in html or "1 henvendelse" in html


def test_one_view_shows_contacts_newest_first_and_life_situation_hints(client, clerk):
    from datetime import timedelta

    from django.utils import timezone

    from borgerservice.citizens.models import Relation

    citizen = CitizenFactory(moved_in_on=timezone.localdate() - timedelta(days=10))
    baby = CitizenFactory(cpr=timezone.localdate().strftime("%d%m%y") + "4001")
    Relation.objects.create(from_citizen=citizen, to_citizen=baby, kind="parent")
    old = timezone.now() - timedelta(days=3)
    post(
        client,
        clerk,
        body(citizen_id=citizen.pk, services=["suf-folkepension"], started_at=old.isoformat()),
    )
    post(client, clerk, body(citizen_id=citizen.pk, services=["stat-pas-og-koerekort"]))
    client.force_login(clerk)
    html = client.get(f"/borgere/{citizen.pk}/").content.decode()
    assert html.index("Pas og kørekort") < html.index("Folkepension")
    assert "Ny bolig og flytning" in html and "Fødsel" in html
    assert "Folkeregister (flytteanmeldelser)" in html
    assert "Folkeregister (nyt sygesikringskort)" in html


def test_registering_in_the_workplace_takes_one_form(client, clerk):
    citizen = CitizenFactory()
    client.force_login(clerk)
    page = client.get("/henvendelser/ny/", {"citizen": citizen.pk, "service_q": "pas"})
    assert "Pas og kørekort" in page.content.decode()
    response = client.post(
        "/henvendelser/ny/",
        {
            "citizen": citizen.pk,
            "services": ["stat-pas-og-koerekort"],
            "channel": "walk_in",
            "outcome": "resolved",
            "idempotency_key": "form-1",
        },
    )
    assert response.status_code == 302
    client.post(
        "/henvendelser/ny/",
        {
            "citizen": citizen.pk,
            "services": ["stat-pas-og-koerekort"],
            "channel": "walk_in",
            "outcome": "resolved",
            "idempotency_key": "form-1",
        },
    )
    assert Contact.objects.filter(citizen=citizen).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
def test_concurrent_creates_with_one_key_create_one_contact():
    from borgerservice.contacts.services import ContactInput, contact_register
    from tests.concurrency import load_reference_data, run_together

    load_reference_data()
    clerk = make_staff(FRONT_OFFICE, username="concurrent")
    key = uuid.uuid4().hex

    def register():
        return contact_register(
            user=clerk,
            data=ContactInput(
                channel="phone", outcome="resolved", services=["stat-pas-og-koerekort"]
            ),
            idempotency_key=key,
        )

    outcomes = run_together([register] * 8)
    assert [kind for kind, _value in outcomes] == ["ok"] * 8
    results = [(contact.pk, created) for _kind, (contact, created) in outcomes]
    assert len({pk for pk, _created in results}) == 1
    assert sum(created for _pk, created in results) == 1
    assert Contact.objects.filter(idempotency_key=key).count() == 1
