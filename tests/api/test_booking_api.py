"""The /api/v1/ appointment endpoints: free slots (validated, unknown parameters refused),
booking with an idempotency key, one booking (audited), rebooking, cancelling, check-in by
code, a centre's day list, attendance facts, access and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from borgerservice.accounts.models import AuditEntry
from borgerservice.api.auth import api_token_create
from borgerservice.booking.models import Booking
from borgerservice.booking.services import booking_cancel, booking_create
from borgerservice.booking.workflow import State
from borgerservice.catalogue.models import Service, ServiceCentre
from tests.accounts.staff import ANALYST, AUDITOR, FRONT_OFFICE, TEAM_LEAD, make_staff
from tests.booking.conftest import NOW, TOMORROW, local, make_slot
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def centre():
    return ServiceCentre.objects.get(code="indre-by")


@pytest.fixture
def service():
    return Service.objects.get(code="mff-aktindsigt")


@pytest.fixture
def slots(centre, service):
    return [
        make_slot(centre, service, starts_at=local(TOMORROW, 10)),
        make_slot(centre, service, starts_at=local(TOMORROW, 11), capacity=2),
        make_slot(centre, service, starts_at=local(TOMORROW + timedelta(days=20), 10)),
    ]


@pytest.fixture
def agent():
    return make_staff(FRONT_OFFICE, username="api-agent")


@pytest.fixture
def api(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def citizen():
    return CitizenFactory(email="ada@example.org")


def post(client, path, data=None, **extra):
    return client.post(f"/api/v1{path}", data or {}, content_type="application/json", **extra)


def get(client, path, params=None, **extra):
    return client.get(f"/api/v1{path}", params or {}, **extra)


def book(client, slot, svc, key="key-1", headers=None, **fields):
    body = {"slot_id": slot.pk, "service": svc.code, "name": "Ada", **fields}
    return post(client, "/bookings", body, HTTP_IDEMPOTENCY_KEY=key, **(headers or {}))


# --- free slots -----------------------------------------------------------------------------


def test_free_slots(api, centre, service, slots):
    booking_create(slot_id=slots[0].pk, service=service, name="Taken", now=NOW)
    booking_create(slot_id=slots[1].pk, service=service, name="Half", now=NOW)
    response = get(
        api,
        "/booking/slots",
        {"service": service.code, "centre": centre.code, "from": TOMORROW, "to": TOMORROW},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert (item["id"], item["capacity"], item["remaining"]) == (slots[1].pk, 2, 1)
    assert (item["service"], item["centre"]) == (service.code, centre.code)
    # Default range: from today, two weeks.
    default = get(api, "/booking/slots", {"service": service.code, "centre": centre.code})
    assert [i["id"] for i in default.json()["items"]] == [slots[1].pk]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"centre": "indre-by"}, 400, "request.invalid"),
        ({"service": "mff-aktindsigt", "centre": "indre-by", "sort": "x"}, 400, None),
        ({"service": "mff-aktindsigt", "centre": "indre-by", "from": "1.12.2026"}, 400, None),
        (
            {
                "service": "mff-aktindsigt",
                "centre": "indre-by",
                "from": "2026-12-05",
                "to": "2026-12-01",
            },
            400,
            "booking.range_invalid",
        ),
        (
            {
                "service": "mff-aktindsigt",
                "centre": "indre-by",
                "from": "2026-12-01",
                "to": "2027-06-01",
            },
            400,
            "booking.range_too_long",
        ),
        ({"service": "nope", "centre": "indre-by"}, 404, "booking.unknown_service"),
        ({"service": "mff-aktindsigt", "centre": "nope"}, 404, "booking.unknown_centre"),
    ],
)
def test_free_slots_refuses_bad_parameters(api, params, status, code):
    response = get(api, "/booking/slots", params)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
    if "sort" in params:
        assert response.json()["code"] == "request.unknown_parameter"


def test_any_staff_member_may_list_slots_but_not_anonymous(client, centre, service, slots):
    params = {"service": service.code, "centre": centre.code}
    assert get(client, "/booking/slots", params).status_code == 401
    client.force_login(make_staff(ANALYST))
    assert get(client, "/booking/slots", params).status_code == 200


# --- booking --------------------------------------------------------------------------------


def test_book_with_idempotency_key(
    api, agent, service, slots, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = book(api, slots[0], service, citizen_id=citizen.pk, name="", phone="123")
    assert response.status_code == 201
    body = response.json()
    booking = Booking.objects.get()
    assert body["id"] == booking.pk and body["code"] == booking.code
    assert (body["citizen_id"], body["cpr_masked"]) == (citizen.pk, citizen.cpr_masked)
    assert body["email"] == "ada@example.org" and body["state"] == "booked"
    assert booking.created_by == agent
    assert len(mailoutbox) == 1 and "METHOD:REQUEST" in mailoutbox[0].attachments[0][1]
    # A retry with the same key: the same booking, 200, no second email.
    with django_capture_on_commit_callbacks(execute=True):
        retry = book(api, slots[0], service, citizen_id=citizen.pk, name="")
    assert retry.status_code == 200 and retry.json()["id"] == booking.pk
    assert Booking.objects.count() == 1 and len(mailoutbox) == 1
    # The same key for another slot is refused.
    conflict = book(api, slots[1], service)
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"


def test_the_key_may_be_in_the_body_and_is_required(api, service, slots):
    missing = post(api, "/bookings", {"slot_id": slots[0].pk, "service": service.code, "name": "A"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "booking.idempotency_key_missing"
    body = {"slot_id": slots[0].pk, "service": service.code, "name": "A", "idempotency_key": "b-1"}
    assert post(api, "/bookings", body).status_code == 201
    assert post(api, "/bookings", body).status_code == 200
    assert Booking.objects.get().idempotency_key == "b-1"


def test_book_by_cpr(api, service, slots, citizen):
    response = book(api, slots[0], service, cpr=citizen.cpr, name="")
    assert response.status_code == 201 and response.json()["citizen_id"] == citizen.pk


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"cpr": "123"}, 400, "cpr.invalid"),
        ({"cpr": "3112999999"}, 400, "booking.unknown_citizen"),
        ({"citizen_id": 999999}, 400, "booking.unknown_citizen"),
        ({"name": ""}, 400, "person_required"),
        ({"email": "nope"}, 400, "email_invalid"),
        ({"service": "btf-bbr"}, 400, "service_mismatch"),
        ({"service": "nope"}, 404, "booking.unknown_service"),
        ({"slot_id": 999999}, 404, "slot_not_found"),
        ({"slot_id": "x"}, 400, "request.invalid"),
        ({"extra": 1}, 201, None),  # unknown body fields are ignored by the schema
    ],
)
def test_bad_booking_is_refused_and_changes_nothing(api, service, slots, fields, status, code):
    response = book(api, slots[0], service, **fields)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
        assert not Booking.objects.exists()


def test_full_slot_is_409(api, service, slots):
    booking_create(slot_id=slots[0].pk, service=service, name="First", now=NOW)
    response = book(api, slots[0], service)
    assert response.status_code == 409 and response.json()["code"] == "slot_full"
    assert Booking.objects.count() == 1


def test_only_person_roles_book(client, service, slots):
    client.force_login(make_staff(ANALYST))
    response = book(client, slots[0], service)
    assert response.status_code == 403 and response.json()["code"] == "access.denied"
    assert not Booking.objects.exists()


def test_bearer_token(client, agent, centre, service, slots):
    key = api_token_create(user=agent, name="test")
    response = book(client, slots[0], service, headers={"HTTP_AUTHORIZATION": f"Bearer {key}"})
    assert response.status_code == 201
    bad = book(client, slots[1], service, key="k2", headers={"HTTP_AUTHORIZATION": "Bearer no"})
    assert bad.status_code == 401


# --- one booking, rebook, cancel, check in --------------------------------------------------


@pytest.fixture
def booking(service, slots, citizen, agent):
    return booking_create(
        slot_id=slots[0].pk, service=service, citizen=citizen, by_user=agent, now=NOW
    )


def test_get_booking_is_audited(api, agent, booking, citizen):
    response = get(api, f"/bookings/{booking.pk}")
    assert response.status_code == 200
    assert response.json()["code"] == booking.code
    assert response.json()["cpr_masked"] == citizen.cpr_masked
    assert citizen.cpr not in response.content.decode()
    entry = AuditEntry.objects.filter(actor=agent, action="view").get()
    assert entry.channel == "api" and entry.what == f"booking {booking.code}"
    assert get(api, "/bookings/999999").status_code == 404
    assert get(api, f"/bookings/{booking.pk}", {"x": "1"}).status_code == 400


def test_get_booking_needs_a_person_role(client, booking):
    client.force_login(make_staff(AUDITOR))
    assert get(client, f"/bookings/{booking.pk}").status_code == 403
    assert not AuditEntry.objects.filter(action="view").exists()


def test_rebook(api, booking, slots, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, f"/bookings/{booking.pk}/rebook", {"slot_id": slots[1].pk})
    assert response.status_code == 201
    body = response.json()
    assert body["rebooked_from"] == booking.pk and body["code"] != booking.code
    assert Booking.objects.get(pk=booking.pk).state == State.CANCELLED
    assert len(mailoutbox) == 1
    again = post(api, f"/bookings/{booking.pk}/rebook", {"slot_id": slots[2].pk})
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"


def test_rebook_errors_change_nothing(api, booking, slots, service):
    same = post(api, f"/bookings/{booking.pk}/rebook", {"slot_id": slots[0].pk})
    assert same.status_code == 400 and same.json()["code"] == "same_slot"
    booking_create(slot_id=slots[1].pk, service=service, name="A", now=NOW)
    booking_create(slot_id=slots[1].pk, service=service, name="B", now=NOW)
    full = post(api, f"/bookings/{booking.pk}/rebook", {"slot_id": slots[1].pk})
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    missing = post(api, "/bookings/999999/rebook", {"slot_id": slots[1].pk})
    assert missing.status_code == 404
    assert Booking.objects.get(pk=booking.pk).state == State.BOOKED


def test_cancel(api, booking, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, f"/bookings/{booking.pk}/cancel")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert len(mailoutbox) == 1 and "METHOD:CANCEL" in mailoutbox[0].attachments[0][1]
    twice = post(api, f"/bookings/{booking.pk}/cancel")
    assert twice.status_code == 409
    assert post(api, "/bookings/999999/cancel").status_code == 404


def test_check_in_by_code(client, agent, booking, clock):
    # A kiosk's token: the clock moves on further than a session would last.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=agent, name='kiosk')}"}

    def check_in(code):
        return post(client, "/bookings/check-in", {"code": code}, **auth)

    early = check_in(booking.code)
    assert early.status_code == 409 and early.json()["code"] == "check_in_wrong_day"
    clock.move_to(booking.slot.starts_at - timedelta(minutes=45))
    too_early = check_in(booking.code)
    assert too_early.status_code == 409 and too_early.json()["code"] == "check_in_too_early"
    clock.move_to(booking.slot.starts_at - timedelta(minutes=10))
    response = check_in(booking.code.lower())
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "checked_in" and body["code"] == booking.code
    assert set(body) == {"id", "code", "state", "service", "centre", "starts_at"}
    assert check_in(booking.code).status_code == 200  # a second tap
    assert Booking.objects.get(pk=booking.pk).state == State.CHECKED_IN
    unknown = check_in("XXXXXX")
    assert unknown.status_code == 404 and unknown.json()["code"] == "booking_not_found"


def test_centre_day_list(api, agent, booking, centre, citizen, service, slots):
    other = booking_create(slot_id=slots[1].pk, service=service, name="Bo", now=NOW)
    booking_cancel(booking_id=other.pk)
    response = get(api, f"/centres/{centre.code}/bookings", {"day": TOMORROW})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(i["code"], i["state"]) for i in body["items"]] == [
        (booking.code, "booked"),
        (other.code, "cancelled"),
    ]
    entry = AuditEntry.objects.filter(actor=agent, action="list").get()
    assert list(entry.subjects.values_list("citizen_id", flat=True)) == [citizen.pk]
    assert get(api, f"/centres/{centre.code}/bookings").json()["count"] == 0  # today
    assert get(api, "/centres/nope/bookings").status_code == 404
    assert get(api, f"/centres/{centre.code}/bookings", {"day": "x"}).status_code == 400
    assert get(api, f"/centres/{centre.code}/bookings", {"when": "x"}).status_code == 400


def test_attendance_facts(client, booking, centre, service, slots):
    booking_cancel(
        booking_id=booking_create(slot_id=slots[1].pk, service=service, name="B", now=NOW).pk
    )
    client.force_login(make_staff(ANALYST))
    response = get(client, "/booking/attendance", {"from": TOMORROW, "to": TOMORROW})
    assert response.status_code == 200
    rows = response.json()["items"]
    assert [(r["centre"], r["service"], r["hour"]) for r in rows] == [
        (centre.code, service.code, 10),
        (centre.code, service.code, 11),
    ]
    assert (rows[0]["booked"], rows[0]["open"], rows[1]["cancelled"]) == (1, 1, 1)
    assert "citizen" not in response.content.decode()
    filtered = get(client, "/booking/attendance", {"from": TOMORROW, "centre": "osterbro"})
    assert filtered.json()["count"] == 0
    assert get(client, "/booking/attendance", {"centre": "nope"}).status_code == 404
    assert get(client, "/booking/attendance", {"x": "1"}).status_code == 400


def test_attendance_is_for_analysts_and_team_leads(client):
    client.force_login(make_staff(FRONT_OFFICE))
    assert get(client, "/booking/attendance").status_code == 403
    client.force_login(make_staff(TEAM_LEAD))
    assert get(client, "/booking/attendance").status_code == 200


def test_endpoints_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/booking/slots": "get",
        "/api/v1/bookings": "post",
        "/api/v1/bookings/{booking_id}": "get",
        "/api/v1/bookings/{booking_id}/rebook": "post",
        "/api/v1/bookings/{booking_id}/cancel": "post",
        "/api/v1/bookings/check-in": "post",
        "/api/v1/centres/{centre}/bookings": "get",
        "/api/v1/booking/attendance": "get",
    }
    for path, method in expected.items():
        assert method in paths[path], path
        assert "409" in paths[path][method]["responses"] or method == "get"
    params = {p["name"] for p in paths["/api/v1/booking/slots"]["get"]["parameters"]}
    assert params == {"service", "centre", "from", "to"}
