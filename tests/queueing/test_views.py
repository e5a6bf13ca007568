"""The queue pages: kiosk (device cookie, drawing, receipt, check-in), display, counter,
team-lead overview and the day close — the happy paths, bad input and permissions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from borgerservice.accounts.models import AuditEntry
from borgerservice.booking.models import Booking
from borgerservice.booking.services import booking_create
from borgerservice.booking.workflow import State as BookingState
from borgerservice.contacts.models import Contact
from borgerservice.queueing import services
from borgerservice.queueing.models import CounterSession, QueueGroup, Ticket
from borgerservice.queueing.views import DEVICE_COOKIE
from borgerservice.queueing.workflow import State
from tests.accounts.staff import ANALYST, TEAM_LEAD, make_staff
from tests.booking.conftest import make_slot
from tests.citizens.factories import CitizenFactory

from .conftest import CPH, OPEN_AT, make_centre

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    """English addresses: the pages answer in English whatever the translations say."""
    with translation.override("en"):
        return reverse(f"queueing:{name}", kwargs=kwargs or None)


@pytest.fixture
def lead(db):
    return make_staff(TEAM_LEAD, username="holdleder")


def register(client, lead, centre, kind="kiosk"):
    client.force_login(lead)
    return client.post(url("device-register"), {"centre": centre.code, "kind": kind})


@pytest.fixture
def kiosk(client, lead, centre, groups, clock):
    response = register(client, lead, centre)
    assert response.status_code == 302
    return client


def draw(centre, group, **kwargs):
    return services.ticket_draw(centre=centre, group=group, **kwargs)


def signed_in(client, user, counter, groups):
    services.counter_open(user=user, counter=counter, groups=groups)
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- devices ----------------------------------------------------------------------------------


def test_kiosk_without_a_registered_device_is_refused_with_an_explanation(
    client, centre, groups, clock
):
    response = client.get(url("kiosk", centre=centre.code))
    assert response.status_code == 403
    assert "This device is not set up" in text(response)
    assert "team lead" in text(response)
    assert (
        client.post(url("kiosk-draw", centre=centre.code), {"group": groups["A"].pk}).status_code
        == 403
    )
    assert not Ticket.objects.exists()


def test_registering_sets_a_signed_cookie_and_signs_the_team_lead_out(
    client, lead, centre, groups, clock
):
    response = register(client, lead, centre)
    assert response.status_code == 302
    assert response["Location"] == url("kiosk", centre=centre.code)
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] >= 300 * 24 * 3600
    assert "_auth_user_id" not in client.session
    page = client.get(url("kiosk", centre=centre.code))
    assert page.status_code == 200
    assert "Queue A" in text(page) and "Take a queue number" in text(page)
    # The device's start address leads to its kiosk.
    start = client.get(url("device"))
    assert start.status_code == 302 and start["Location"] == url("kiosk", centre=centre.code)


def test_a_kiosk_of_another_centre_or_a_forged_cookie_is_refused(
    client, lead, centre, groups, clock
):
    other, _groups, _counters = make_centre("valby")
    register(client, lead, other)
    assert client.get(url("kiosk", centre=centre.code)).status_code == 403
    client.cookies[DEVICE_COOKIE] = f"kiosk|{centre.code}|{lead.pk}"  # unsigned
    assert client.get(url("kiosk", centre=centre.code)).status_code == 403
    assert client.get(url("device")).status_code == 403


def test_a_display_device_is_not_a_kiosk(client, lead, centre, groups, clock):
    response = register(client, lead, centre, kind="display")
    assert response["Location"] == url("display", centre=centre.code)
    assert client.get(url("kiosk", centre=centre.code)).status_code == 403


def test_only_team_leads_register_or_forget_devices(client, agent, centre, groups, clock):
    client.force_login(agent)
    response = client.post(url("device-register"), {"centre": centre.code, "kind": "kiosk"})
    assert response.status_code == 403
    assert DEVICE_COOKIE not in response.cookies
    assert client.post(url("device-forget")).status_code == 403


def test_registering_with_bad_input_is_400(client, lead, centre, groups, clock):
    client.force_login(lead)
    response = client.post(url("device-register"), {"centre": centre.code, "kind": "tv"})
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert DEVICE_COOKIE not in response.cookies
    response = client.post(url("device-register"), {"centre": "nowhere", "kind": "kiosk"})
    assert response.status_code == 400


def test_a_team_lead_forgets_the_device(client, lead, centre, groups, clock):
    register(client, lead, centre)
    client.force_login(lead)
    response = client.post(url("device-forget"))
    assert response.status_code == 302
    assert response.cookies[DEVICE_COOKIE].value == ""


def test_a_team_lead_may_open_the_kiosk_to_check_it(client, lead, centre, groups, clock):
    client.force_login(lead)
    assert client.get(url("kiosk", centre=centre.code)).status_code == 200


# --- the kiosk --------------------------------------------------------------------------------


def test_kiosk_lists_the_active_queues_in_order_with_the_waiting_count(kiosk, centre, groups):
    groups["B"].active = False
    groups["B"].save()
    draw(centre, groups["C"])
    page = text(kiosk.get(url("kiosk", centre=centre.code)))
    assert page.index("Queue A") < page.index("Queue C")
    assert "Queue B" not in page
    assert "1 waiting" in page
    assert 'lang="en"' in page and "Dansk" in page  # the language switch is on the page


def test_drawing_a_ticket_shows_the_receipt(kiosk, centre, groups):
    draw(centre, groups["A"])
    response = kiosk.post(url("kiosk-draw", centre=centre.code), {"group": groups["A"].pk})
    ticket = Ticket.objects.get(code="A002")
    assert response.status_code == 302
    assert response["Location"] == url("kiosk-ticket", centre=centre.code, ticket_id=ticket.pk)
    receipt = kiosk.get(response["Location"])
    page = text(receipt)
    assert receipt.status_code == 200
    assert "A002" in page and "Queue A" in page
    assert "1 citizen" in page  # ahead of you
    assert "about 8 minutes" in page  # the queue's default service time, one counter assumed
    # The timed return to the start can be turned off, and "New ticket" is always there.
    assert 'hx-trigger="load delay:30s"' in page and "New ticket" in page
    assert 'http-equiv="refresh"' not in page
    stay = text(kiosk.get(response["Location"] + "?stay=1"))
    assert "hx-trigger" not in stay and "New ticket" in stay
    back = kiosk.get(response["Location"] + "?return=1", headers={"HX-Request": "true"})
    assert back.status_code == 204
    assert back["HX-Redirect"] == url("kiosk", centre=centre.code)


def test_turn_near_contact_details_are_stored_tidied(kiosk, centre, groups):
    kiosk.post(
        url("kiosk-draw", centre=centre.code),
        {
            "group": groups["A"].pk,
            "notify_email": " borger@example.dk ",
            "notify_phone": "20 30 40 50",
        },
    )
    ticket = Ticket.objects.get()
    assert (ticket.notify_email, ticket.notify_phone) == ("borger@example.dk", "+4520304050")
    assert "We send you a message" in text(
        kiosk.get(url("kiosk-ticket", centre=centre.code, ticket_id=ticket.pk))
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("notify_email", "not-an-address"), ("notify_phone", "123"), ("notify_phone", "abcdefgh")],
)
def test_bad_contact_details_draw_no_ticket(kiosk, centre, groups, field, value):
    response = kiosk.post(
        url("kiosk-draw", centre=centre.code), {"group": groups["A"].pk, field: value}
    )
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and f'href="#{field}"' in page
    assert value in page  # the citizen sees what they typed
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("group", ["", "abc", "999999"])
def test_drawing_without_a_valid_queue_is_400(kiosk, centre, groups, group):
    response = kiosk.post(url("kiosk-draw", centre=centre.code), {"group": group})
    assert response.status_code == 400
    assert "Choose what you need help with" in text(response)
    assert not Ticket.objects.exists()


def test_a_queue_of_another_centre_cannot_be_drawn(kiosk, centre, groups):
    _other, other_groups, _counters = make_centre("valby")
    response = kiosk.post(url("kiosk-draw", centre=centre.code), {"group": other_groups["A"].pk})
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_closed_kiosk_shows_todays_hours_and_draws_nothing(kiosk, centre, groups, clock):
    clock.move_to(datetime(2026, 12, 1, 19, 0, tzinfo=CPH))
    page = text(kiosk.get(url("kiosk", centre=centre.code)))
    assert "The centre is closed" in page
    assert "Opening hours today: 10:00–18:00" in page
    response = kiosk.post(url("kiosk-draw", centre=centre.code), {"group": groups["A"].pk})
    assert response.status_code == 400
    assert "The centre is closed" in text(response)
    assert not Ticket.objects.exists()


def test_closed_all_day_on_a_sunday(kiosk, centre, groups, clock):
    clock.move_to(datetime(2026, 12, 6, 11, 0, tzinfo=CPH))
    assert "closed all day today" in text(kiosk.get(url("kiosk", centre=centre.code)))


def test_receipt_of_another_centre_or_day_is_not_found(kiosk, centre, groups, clock):
    other, other_groups, _counters = make_centre("valby")
    foreign = draw(other, other_groups["A"])
    assert (
        kiosk.get(url("kiosk-ticket", centre=centre.code, ticket_id=foreign.pk)).status_code == 404
    )
    old = draw(centre, groups["A"])
    clock.move_to(OPEN_AT + timedelta(days=1))
    assert kiosk.get(url("kiosk-ticket", centre=centre.code, ticket_id=old.pk)).status_code == 404


# --- check-in at the kiosk --------------------------------------------------------------------


@pytest.fixture
def booking(centre, service_code):
    from borgerservice.catalogue.models import Service

    service = Service.objects.get(code=service_code)
    slot = make_slot(centre, service, starts_at=OPEN_AT + timedelta(minutes=10))
    citizen = CitizenFactory()
    return booking_create(slot_id=slot.pk, service=service, citizen=citizen, now=OPEN_AT)


def test_check_in_by_booking_code_draws_a_ticket(kiosk, centre, groups, booking):
    assert kiosk.get(url("kiosk-check-in", centre=centre.code)).status_code == 200
    response = kiosk.post(
        url("kiosk-check-in", centre=centre.code), {"by": "code", "code": booking.code.lower()}
    )
    ticket = Ticket.objects.get(booking_reference=booking.pk)
    assert response.status_code == 302
    assert response["Location"].endswith("?checked_in=1")
    assert ticket.due_at == booking.slot.starts_at and ticket.citizen_id == booking.citizen_id
    booking.refresh_from_db()
    assert booking.state == BookingState.CHECKED_IN
    page = text(kiosk.get(response["Location"]))
    assert "You are checked in" in page and ticket.code in page
    assert booking.citizen.first_name not in page


def test_check_in_with_an_unknown_code_or_at_another_centre_is_400(kiosk, centre, groups, booking):
    response = kiosk.post(
        url("kiosk-check-in", centre=centre.code), {"by": "code", "code": "XXXXXX"}
    )
    assert response.status_code == 400 and "No booking has this code" in text(response)
    other, _groups, _counters = make_centre("valby")
    register(kiosk, make_staff(TEAM_LEAD, username="lead-2"), other)
    response = kiosk.post(
        url("kiosk-check-in", centre=other.code), {"by": "code", "code": booking.code}
    )
    assert response.status_code == 400 and "another centre" in text(response)
    assert not Ticket.objects.exists()
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_check_in_by_cpr_is_audited_with_the_kiosk_channel(kiosk, lead, centre, groups, booking):
    response = kiosk.post(
        url("kiosk-check-in", centre=centre.code), {"by": "cpr", "cpr": booking.citizen.cpr}
    )
    assert response.status_code == 302
    assert Ticket.objects.filter(booking_reference=booking.pk).exists()
    entry = AuditEntry.objects.get(channel="kiosk")
    assert entry.actor_id == lead.pk and "CPR" in entry.what
    assert booking.citizen.cpr not in entry.what


def test_check_in_by_cpr_answers_the_same_for_unknown_and_unbooked(kiosk, centre, groups, booking):
    unknown = kiosk.post(
        url("kiosk-check-in", centre=centre.code), {"by": "cpr", "cpr": "0101011234"}
    )
    unbooked = kiosk.post(
        url("kiosk-check-in", centre=centre.code), {"by": "cpr", "cpr": CitizenFactory().cpr}
    )
    assert unknown.status_code == unbooked.status_code == 400
    message = "We found no appointment to check in now"
    assert message in text(unknown) and message in text(unbooked)
    assert "0101011234" not in text(unknown)  # the number is not echoed back
    assert not Ticket.objects.exists()


def test_check_in_with_an_invalid_cpr_or_nothing_is_400(kiosk, centre, groups):
    response = kiosk.post(url("kiosk-check-in", centre=centre.code), {"by": "cpr", "cpr": "12"})
    assert response.status_code == 400 and "ten digits" in text(response)
    response = kiosk.post(url("kiosk-check-in", centre=centre.code), {"by": "code", "code": ""})
    assert response.status_code == 400 and "booking code" in text(response)


# --- the display ------------------------------------------------------------------------------


def test_display_shows_called_numbers_and_counters_without_names(
    client, centre, groups, counters, agent, agent2, clock
):
    citizen = CitizenFactory(first_name="Vibeke", last_name="Kristoffersen")
    draw(centre, groups["A"], citizen=citizen)
    draw(centre, groups["A"])
    services.ticket_call_next(
        session=services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    )
    clock.shift(timedelta(minutes=1))
    services.ticket_call_next(
        session=services.counter_open(user=agent2, counter=counters[1], groups=[groups["A"]])
    )
    response = client.get(url("display", centre=centre.code))
    page = text(response)
    assert response.status_code == 200
    assert page.index("A002") < page.index("A001")  # newest on top
    assert "Go to Skranke 2" in page and "Skranke 1" in page
    assert "Vibeke" not in page and "Kristoffersen" not in page
    assert 'aria-live="polite"' in page and 'hx-trigger="every 3s"' in page
    assert 'http-equiv="refresh"' in page  # the no-JS fallback
    partial = text(
        client.get(
            url("display", centre=centre.code),
            headers={"HX-Request": "true", "HX-Target": "called"},
        )
    )
    assert "A002" in partial and "<html" not in partial


def test_display_of_an_unknown_centre_is_404(client, db):
    assert client.get(url("display", centre="nowhere")).status_code == 404


# --- the counter ------------------------------------------------------------------------------


def test_counter_needs_a_person_role(client, db, place):
    assert client.get(url("counter")).status_code == 302  # to the login
    client.force_login(make_staff(ANALYST))
    assert client.get(url("counter")).status_code == 403
    assert client.post(url("call-next")).status_code == 403


def test_sign_in_at_a_counter(client, agent, centre, groups, counters, clock):
    client.force_login(agent)
    page = text(client.get(url("counter") + f"?centre={centre.code}"))
    assert "Skranke 1" in page and "Queue A" in page and "<fieldset" in page
    response = client.post(
        url("counter-open"), {"counter": counters[0].pk, "groups": [groups["A"].pk, groups["B"].pk]}
    )
    assert response.status_code == 302
    session = CounterSession.objects.get(staff=agent, closed_at__isnull=True)
    assert set(session.groups.all()) == {groups["A"], groups["B"]}
    page = text(client.get(url("counter")))
    assert "Call next" in page and "Sign out of the counter" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"groups": []}, "Choose at least one queue"),
        ({"counter": ""}, "Choose the counter"),
        ({"groups": ["x"]}, "Choose at least one queue"),
        ({"groups": ["999999"]}, "Choose the queues from the list"),
    ],
)
def test_sign_in_with_bad_input_is_400(
    client, agent, centre, groups, counters, clock, data, message
):
    client.force_login(agent)
    form = {"counter": counters[0].pk, **data}
    response = client.post(url("counter-open"), form)
    assert response.status_code == 400
    assert message in text(response)
    assert not CounterSession.objects.exists()


def test_a_counter_in_use_is_refused(client, agent, agent2, centre, groups, counters, clock):
    services.counter_open(user=agent2, counter=counters[0], groups=[groups["A"]])
    client.force_login(agent)
    page = text(client.get(url("counter") + f"?centre={centre.code}"))
    assert "in use" in page
    response = client.post(
        url("counter-open"), {"counter": counters[0].pk, "groups": [groups["A"].pk]}
    )
    assert response.status_code == 400 and "already signed in" in text(response)
    assert not CounterSession.objects.filter(staff=agent).exists()


def test_call_next_serve_and_finish_registers_the_contact(
    client, agent, centre, groups, counters, clock, service_code
):
    signed_in(client, agent, counters[0], [groups["A"]])
    ticket = draw(centre, groups["A"])
    response = client.post(url("call-next"))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.CALLED and ticket.counter == counters[0]
    page = text(client.get(url("counter")))
    assert "A001" in page and "Start service" in page and "Recall" in page
    client.post(url("ticket-action", ticket_id=ticket.pk, action="serve"))
    ticket.refresh_from_db()
    assert ticket.state == State.SERVING
    page = text(client.get(url("counter")))
    assert "Finish and register the contact" in page and 'name="outcome"' in page
    response = client.post(
        url("ticket-finish", ticket_id=ticket.pk),
        {
            "services": [service_code],
            "outcome": "resolved",
            "could_be_digital": "on",
            "note": "Pas",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.FINISHED
    contact = Contact.objects.get(pk=ticket.contact_id)
    assert contact.channel == "walk_in" and contact.could_be_digital and contact.note == "Pas"
    assert [link.service.code for link in contact.service_links.all()] == [service_code]


def test_call_next_with_nobody_waiting_says_so(client, agent, centre, groups, counters, clock):
    signed_in(client, agent, counters[0], [groups["A"]])
    response = client.post(url("call-next"), follow=True)
    assert "Nobody is waiting in your queues" in text(response)


def test_call_next_when_not_signed_in_is_400(client, agent, place, clock):
    client.force_login(agent)
    response = client.post(url("call-next"))
    assert response.status_code == 400 and "Sign in at a counter first" in text(response)


def test_finish_with_bad_input_changes_nothing(
    client, agent, centre, groups, counters, clock, service_code
):
    signed_in(client, agent, counters[0], [groups["A"]])
    ticket = draw(centre, groups["A"])
    client.post(url("call-next"))
    client.post(url("ticket-action", ticket_id=ticket.pk, action="serve"))
    response = client.post(
        url("ticket-finish", ticket_id=ticket.pk), {"outcome": "resolved", "note": "kept"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Choose at least one service" in page and 'href="#services"' in page
    assert "kept" in page  # the form keeps what was typed
    response = client.post(
        url("ticket-finish", ticket_id=ticket.pk),
        {"outcome": "handed_over", "services": [service_code]},
    )
    assert response.status_code == 400 and "Choose the department" in text(response)
    ticket.refresh_from_db()
    assert ticket.state == State.SERVING and ticket.contact_id is None
    assert not Contact.objects.exists()


def test_finish_with_a_handover_unit(client, agent, centre, groups, counters, clock, service_code):
    from borgerservice.catalogue.models import Department

    department = Department.objects.filter(kind="current").first()
    signed_in(client, agent, counters[0], [groups["A"]])
    ticket = draw(centre, groups["A"])
    client.post(url("call-next"))
    client.post(url("ticket-action", ticket_id=ticket.pk, action="serve"))
    response = client.post(
        url("ticket-finish", ticket_id=ticket.pk),
        {"outcome": "handed_over", "services": [service_code], "handed_over_to": department.slug},
    )
    assert response.status_code == 302
    assert Contact.objects.get().handed_over_to == department


def test_the_finish_form_offers_the_queue_services_and_a_search(
    client, agent, centre, groups, counters, clock
):
    from borgerservice.catalogue.models import Service

    passport = Service.objects.get(code="stat-pas-og-koerekort")
    groups["A"].services.add(passport)
    signed_in(client, agent, counters[0], [groups["A"]])
    ticket = draw(centre, groups["A"])
    client.post(url("call-next"))
    client.post(url("ticket-action", ticket_id=ticket.pk, action="serve"))
    assert f'value="{passport.code}"' in text(client.get(url("counter")))
    found = client.get(
        url("counter") + "?service_q=sundhedskort",
        headers={"HX-Request": "true", "HX-Target": "service-options"},
    )
    assert "ksr-folkeregister-nyt-sygesikringskort" in text(found) and "<html" not in text(found)


def test_recall_no_show_park_resume_and_transfer(client, agent, centre, groups, counters, clock):
    signed_in(client, agent, counters[0], [groups["A"]])
    first, second = draw(centre, groups["A"]), draw(centre, groups["A"])
    client.post(url("call-next"))
    client.post(url("ticket-action", ticket_id=first.pk, action="recall"))
    first.refresh_from_db()
    assert first.recalls == 1
    client.post(url("ticket-action", ticket_id=first.pk, action="no-show"))
    first.refresh_from_db()
    assert first.state == State.NO_SHOW
    client.post(url("call-next"))
    client.post(url("ticket-action", ticket_id=second.pk, action="serve"))
    client.post(url("ticket-action", ticket_id=second.pk, action="park"))
    second.refresh_from_db()
    assert second.state == State.PARKED
    page = text(client.get(url("counter")))
    assert "Parked citizens" in page and "Resume A002" in page
    client.post(url("ticket-action", ticket_id=second.pk, action="resume"))
    second.refresh_from_db()
    assert second.state == State.SERVING
    response = client.post(
        url("ticket-action", ticket_id=second.pk, action="transfer"), {"to_group": groups["B"].pk}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == State.TRANSFERRED
    assert Ticket.objects.get(transferred_from=second).code == "B001"


@pytest.mark.parametrize("to_group", ["", "nope", "same", "other-centre"])
def test_transfer_to_a_bad_queue_is_400(client, agent, centre, groups, counters, clock, to_group):
    signed_in(client, agent, counters[0], [groups["A"]])
    ticket = draw(centre, groups["A"])
    client.post(url("call-next"))
    value = {
        "same": groups["A"].pk,
        "other-centre": make_centre("valby")[1]["B"].pk,
    }.get(to_group, to_group)
    response = client.post(
        url("ticket-action", ticket_id=ticket.pk, action="transfer"), {"to_group": value}
    )
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.state == State.CALLED


def test_a_wrong_step_is_400_and_an_unknown_action_404(
    client, agent, centre, groups, counters, clock
):
    signed_in(client, agent, counters[0], [groups["A"]])
    ticket = draw(centre, groups["A"])
    response = client.post(url("ticket-action", ticket_id=ticket.pk, action="park"))
    assert response.status_code == 400 and "cannot become" in text(response)
    assert (
        client.post(url("ticket-action", ticket_id=ticket.pk, action="explode")).status_code == 404
    )
    assert client.post(url("ticket-action", ticket_id=999999, action="serve")).status_code == 400
    ticket.refresh_from_db()
    assert ticket.state == State.WAITING


def test_someone_elses_ticket_is_403(client, agent, agent2, centre, groups, counters, clock):
    session = services.counter_open(user=agent2, counter=counters[1], groups=[groups["A"]])
    draw(centre, groups["A"])
    ticket = services.ticket_call_next(session=session)
    signed_in(client, agent, counters[0], [groups["A"]])
    response = client.post(url("ticket-action", ticket_id=ticket.pk, action="serve"))
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == State.CALLED


def test_waiting_counts_refresh_as_a_partial(client, agent, centre, groups, counters, clock):
    signed_in(client, agent, counters[0], [groups["A"]])
    draw(centre, groups["B"])
    draw(centre, groups["B"])
    page = text(client.get(url("counter")))
    assert 'hx-get="' in page and 'hx-target="#waiting-counts"' in page
    partial = text(
        client.get(url("counter"), headers={"HX-Request": "true", "HX-Target": "waiting-counts"})
    )
    assert "<html" not in partial and "Queue B" in partial and ">2<" in partial


def test_sign_out_and_not_while_serving(client, agent, centre, groups, counters, clock):
    signed_in(client, agent, counters[0], [groups["A"]])
    ticket = draw(centre, groups["A"])
    client.post(url("call-next"))
    client.post(url("ticket-action", ticket_id=ticket.pk, action="serve"))
    response = client.post(url("counter-close"))
    assert response.status_code == 400 and "before signing out" in text(response)
    assert CounterSession.objects.get(staff=agent).closed_at is None
    client.post(url("ticket-action", ticket_id=ticket.pk, action="park"))
    assert client.post(url("counter-close")).status_code == 302
    assert CounterSession.objects.get(staff=agent).closed_at is not None
    assert "Sign in at a counter" in text(client.get(url("counter")))


# --- the team lead ----------------------------------------------------------------------------


def test_overview_shows_every_centre_for_team_leads_only(
    client, lead, agent, centre, groups, counters, clock
):
    draw(centre, groups["A"])
    clock.shift(timedelta(minutes=12))
    draw(centre, groups["B"])
    services.counter_open(user=agent, counter=counters[0], groups=[groups["B"]])
    client.force_login(agent)
    assert client.get(url("overview")).status_code == 403
    client.force_login(lead)
    page = text(client.get(url("overview")))
    assert centre.name in page
    assert "12 minutes" in page  # the longest current wait
    assert url("kiosk", centre=centre.code) in page and url("display", centre=centre.code) in page
    assert "Use this browser as the kiosk" in page and url("day-close", centre=centre.code) in page


def test_closing_the_day_asks_first_and_then_closes(client, lead, agent, centre, groups, clock):
    draw(centre, groups["A"], notify_email="a@example.dk")
    draw(centre, groups["B"])
    client.force_login(agent)
    assert client.get(url("day-close", centre=centre.code)).status_code == 403
    assert client.post(url("day-close", centre=centre.code)).status_code == 403
    assert Ticket.objects.filter(state=State.WAITING).count() == 2
    client.force_login(lead)
    confirm = text(client.get(url("day-close", centre=centre.code)))
    assert "2 tickets are still waiting" in confirm and "Yes, close the day" in confirm
    response = client.post(url("day-close", centre=centre.code), follow=True)
    assert "2 tickets closed unserved" in text(response)
    assert set(Ticket.objects.values_list("state", "notify_email")) == {(State.CLOSED_UNSERVED, "")}


def test_an_inactive_queue_group_is_not_offered_to_the_counter(
    client, agent, centre, groups, clock
):
    QueueGroup.objects.filter(pk=groups["C"].pk).update(active=False)
    client.force_login(agent)
    page = text(client.get(url("counter") + f"?centre={centre.code}"))
    assert "Queue A" in page and "Queue C" not in page


def test_finishing_a_booked_ticket_marks_the_booking_served(
    client, agent, centre, groups, counters, clock, booking, service_code
):
    services.kiosk_check_in(centre=centre, code=booking.code)
    signed_in(client, agent, counters[0], [groups["A"]])
    ticket = Ticket.objects.get(booking_reference=booking.pk)
    client.post(url("call-next"))
    client.post(url("ticket-action", ticket_id=ticket.pk, action="serve"))
    client.post(
        url("ticket-finish", ticket_id=ticket.pk),
        {"services": [service_code], "outcome": "resolved"},
    )
    assert Booking.objects.get(pk=booking.pk).state == BookingState.SERVED
