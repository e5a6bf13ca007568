"""The staff pages for appointments: the day list, booking for a citizen, one booking,
rebooking and cancelling — success, bad input (400, nothing changed) and access."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from borgerservice.accounts.models import AuditEntry
from borgerservice.booking.models import Booking
from borgerservice.booking.services import booking_cancel, booking_create
from borgerservice.booking.workflow import State
from tests.accounts.staff import ANALYST, FRONT_OFFICE, make_staff
from tests.citizens.factories import CitizenFactory

from .conftest import NOW, TOMORROW, local, make_slot, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def agent():
    return make_staff(FRONT_OFFICE, username="booking-agent")


@pytest.fixture
def web(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def citizen():
    return CitizenFactory(first_name="Ada", last_name="Lovelace", email="ada@example.org")


@pytest.fixture
def bookable(centre, service):
    """The service is bookable at the centre (it has a template) with two free times."""
    make_template(centre, service)
    return [
        make_slot(centre, service, starts_at=local(TOMORROW, 10)),
        make_slot(centre, service, starts_at=local(TOMORROW + timedelta(days=1), 11)),
    ]


def _new_url(**params) -> str:
    from django.utils.http import urlencode

    return reverse("booking:new") + ("?" + urlencode(params) if params else "")


def _errors(response) -> str:
    text = response.content.decode()
    assert 'id="error-summary-title"' in text
    return text


# --- access -------------------------------------------------------------------------------


def test_pages_need_login_and_a_person_role(client, slot, service):
    booking = booking_create(slot_id=slot.pk, service=service, name="Ada", now=NOW)
    urls = [
        reverse("booking:day"),
        reverse("booking:new"),
        reverse("booking:detail", args=[booking.pk]),
        reverse("booking:rebook", args=[booking.pk]),
        reverse("booking:cancel", args=[booking.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    client.force_login(make_staff(ANALYST))
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(reverse("booking:cancel", args=[booking.pk])).status_code == 403
    assert Booking.objects.get(pk=booking.pk).state == State.BOOKED


def test_unknown_booking_is_404(web):
    assert web.get(reverse("booking:detail", args=[999999])).status_code == 404
    assert web.post(reverse("booking:cancel", args=[999999])).status_code == 404


# --- the day list ---------------------------------------------------------------------------


def test_day_list_shows_the_bookings_and_is_audited(web, agent, centre, service, citizen):
    slot = make_slot(centre, service, starts_at=local(TOMORROW, 10))
    booked = booking_create(slot_id=slot.pk, service=service, citizen=citizen, now=NOW)
    other_day = make_slot(centre, service, starts_at=local(TOMORROW + timedelta(days=1), 10))
    elsewhere = booking_create(slot_id=other_day.pk, service=service, name="Bo", now=NOW)
    response = web.get(reverse("booking:day"), {"centre": centre.code, "day": TOMORROW})
    assert response.status_code == 200
    text = response.content.decode()
    assert booked.code in text and "Ada Lovelace" in text and citizen.cpr_masked in text
    assert reverse("booking:detail", args=[booked.pk]) in text
    assert elsewhere.code not in text
    entry = AuditEntry.objects.filter(actor=agent, action="list").get()
    assert list(entry.subjects.values_list("citizen_id", flat=True)) == [citizen.pk]


def test_day_list_bad_input_is_400(web, centre):
    response = web.get(reverse("booking:day"), {"centre": "nowhere", "day": "01-12-2026"})
    assert response.status_code == 400
    text = _errors(response)
    assert 'href="#centre"' in text and 'href="#day"' in text


def test_day_list_defaults_to_today(web):
    response = web.get(reverse("booking:day"))
    assert response.status_code == 200
    assert response.context["day"] == NOW.date()


# --- booking --------------------------------------------------------------------------------


def test_choosing_service_and_centre_shows_free_times_by_day(web, centre, service, bookable):
    first = web.get(_new_url())
    assert first.status_code == 200
    assert f'value="{service.code}"' in first.content.decode()
    response = web.get(_new_url(service=service.code, centre=centre.code))
    assert response.status_code == 200
    text = response.content.decode()
    for slot in bookable:
        assert f'id="slot-{slot.pk}"' in text
    assert text.count("<legend") >= 3  # two days of times, and the citizen
    assert [day for day, _free in response.context["slot_days"]] == [
        TOMORROW,
        TOMORROW + timedelta(days=1),
    ]
    later = response.context["later_url"]
    assert later.startswith(reverse("booking:new")) and "from=" in later


def test_unknown_service_is_400(web):
    response = web.get(_new_url(service="no-such-service"))
    assert response.status_code == 400
    assert 'href="#service"' in _errors(response)


def test_book_by_cpr_sends_the_confirmation(
    web, agent, centre, service, bookable, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            reverse("booking:new"),
            {
                "service": service.code,
                "centre": centre.code,
                "slot": bookable[0].pk,
                "cpr": citizen.cpr,
                "phone": "12345678",
                "idempotency_key": "form-1",
            },
        )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:detail", args=[booking.pk])
    assert (booking.citizen, booking.slot, booking.phone) == (citizen, bookable[0], "12345678")
    assert booking.created_by == agent
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ada@example.org"]
    assert "METHOD:REQUEST" in mailoutbox[0].attachments[0][1]
    page = web.get(response["Location"])
    assert booking.code in page.content.decode()
    assert AuditEntry.objects.filter(actor=agent, action="change").exists()
    # The same form sent again (a double click) books nothing more.
    again = web.post(
        reverse("booking:new"),
        {"service": service.code, "slot": bookable[0].pk, "cpr": citizen.cpr},
    )
    assert again.status_code == 400  # the citizen already holds that time
    web.post(
        reverse("booking:new"),
        {
            "service": service.code,
            "slot": bookable[0].pk,
            "cpr": citizen.cpr,
            "idempotency_key": "form-1",
        },
    )
    assert Booking.objects.count() == 1


def test_book_for_a_picked_citizen_or_a_named_person(web, centre, service, bookable, citizen):
    picked = web.get(_new_url(service=service.code, centre=centre.code, citizen=citizen.pk))
    assert citizen.cpr_masked in picked.content.decode()
    assert citizen.cpr not in picked.content.decode()
    web.post(
        reverse("booking:new"),
        {"service": service.code, "slot": bookable[0].pk, "citizen": citizen.pk},
    )
    web.post(
        reverse("booking:new"),
        {"service": service.code, "slot": bookable[1].pk, "name": "Bo Hansen", "email": ""},
    )
    assert set(Booking.objects.values_list("citizen_id", "name")) == {
        (citizen.pk, ""),
        (None, "Bo Hansen"),
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"cpr": "12345"}, "cpr"),
        ({"cpr": "3112999999"}, "cpr"),  # a valid number nobody has
        ({"slot": ""}, "slots"),
        ({"cpr": "", "name": ""}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"service": "btf-bbr"}, "slots"),  # the slot is for another service
    ],
)
def test_bad_booking_input_is_400_and_books_nothing(web, centre, service, bookable, data, field):
    form = {
        "service": service.code,
        "centre": centre.code,
        "slot": bookable[0].pk,
        "name": "Bo",
        **data,
    }
    if data.get("service") == "btf-bbr":
        make_template(centre, service.__class__.objects.get(code="btf-bbr"))
    response = web.post(reverse("booking:new"), form)
    assert response.status_code == 400
    assert f'href="#{field}"' in _errors(response)
    assert not Booking.objects.exists()


def test_full_slot_is_400(web, centre, service, bookable):
    booking_create(slot_id=bookable[0].pk, service=service, name="First", now=NOW)
    response = web.post(
        reverse("booking:new"),
        {"service": service.code, "centre": centre.code, "slot": bookable[0].pk, "name": "Bo"},
    )
    assert response.status_code == 400
    assert 'href="#slots"' in _errors(response)
    assert Booking.objects.count() == 1


# --- one booking, rebook, cancel ------------------------------------------------------------


@pytest.fixture
def booking(centre, service, bookable, citizen):
    return booking_create(
        slot_id=bookable[0].pk, service=service, citizen=citizen, email="ada@example.org", now=NOW
    )


def test_detail_is_audited_and_offers_the_actions(web, agent, booking, citizen):
    response = web.get(reverse("booking:detail", args=[booking.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert booking.code in text and citizen.cpr_masked in text
    assert reverse("booking:rebook", args=[booking.pk]) in text
    assert reverse("booking:cancel", args=[booking.pk]) in text
    entry = AuditEntry.objects.filter(actor=agent, action="view").get()
    assert entry.what == f"booking {booking.code}"


def test_rebook_moves_the_booking(
    web, booking, bookable, mailoutbox, django_capture_on_commit_callbacks
):
    page = web.get(reverse("booking:rebook", args=[booking.pk]))
    assert page.status_code == 200
    assert f'id="slot-{bookable[1].pk}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("booking:rebook", args=[booking.pk]), {"slot": bookable[1].pk})
    new = Booking.objects.get(rebooked_from=booking)
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:detail", args=[new.pk])
    assert new.slot == bookable[1] and new.state == State.BOOKED
    assert Booking.objects.get(pk=booking.pk).state == State.CANCELLED
    assert len(mailoutbox) == 1 and new.code in mailoutbox[0].body
    # The old booking can no longer be moved or cancelled.
    assert (
        web.post(reverse("booking:rebook", args=[booking.pk]), {"slot": bookable[0].pk}).status_code
        == 400
    )
    assert Booking.objects.count() == 2


def test_rebook_bad_input_is_400(web, booking, bookable, service, centre):
    missing = web.post(reverse("booking:rebook", args=[booking.pk]), {"slot": ""})
    assert missing.status_code == 400 and 'href="#slots"' in _errors(missing)
    same = web.post(reverse("booking:rebook", args=[booking.pk]), {"slot": bookable[0].pk})
    assert same.status_code == 400
    full = make_slot(centre, service, starts_at=local(TOMORROW, 13))
    booking_create(slot_id=full.pk, service=service, name="Other", now=NOW)
    taken = web.post(reverse("booking:rebook", args=[booking.pk]), {"slot": full.pk})
    assert taken.status_code == 400
    assert Booking.objects.get(pk=booking.pk).state == State.BOOKED
    assert not Booking.objects.filter(rebooked_from=booking).exists()


def test_cancel_asks_first_then_cancels(
    web, booking, mailoutbox, django_capture_on_commit_callbacks
):
    confirm = web.get(reverse("booking:cancel", args=[booking.pk]))
    cancel_form = f'action="{reverse("booking:cancel", args=[booking.pk])}"'
    assert confirm.status_code == 200
    assert cancel_form in confirm.content.decode()
    assert Booking.objects.get(pk=booking.pk).state == State.BOOKED
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("booking:cancel", args=[booking.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:detail", args=[booking.pk])
    cancelled = Booking.objects.get(pk=booking.pk)
    assert cancelled.state == State.CANCELLED and cancelled.seat_number is None
    assert len(mailoutbox) == 1 and "METHOD:CANCEL" in mailoutbox[0].attachments[0][1]
    followed = web.get(response["Location"])
    assert reverse("booking:cancel", args=[booking.pk]) not in followed.content.decode()


def test_cancelling_twice_is_400(web, booking):
    booking_cancel(booking_id=booking.pk)
    page = web.get(reverse("booking:cancel", args=[booking.pk]))
    cancel_form = f'action="{reverse("booking:cancel", args=[booking.pk])}"'
    assert page.status_code == 200 and cancel_form not in page.content.decode()
    response = web.post(reverse("booking:cancel", args=[booking.pk]))
    assert response.status_code == 400
    _errors(response)


def test_a_past_booking_cannot_be_cancelled(web, agent, booking, clock):
    clock.move_to(booking.slot.starts_at + timedelta(minutes=1))
    web.force_login(agent)  # the session of the day before has expired
    response = web.post(reverse("booking:cancel", args=[booking.pk]))
    assert response.status_code == 400
    assert Booking.objects.get(pk=booking.pk).state == State.BOOKED
