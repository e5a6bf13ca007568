"""The notification interface (email after commit, pluggable SMS) and the turn-near
messages: sent once, when at most QUEUE_NOTIFY_AHEAD are ahead, without personal data."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from borgerservice.core import notify
from borgerservice.queueing import services
from borgerservice.queueing.models import Ticket
from borgerservice.queueing.notify import near_turn_message, near_turn_notify

pytestmark = pytest.mark.django_db

SENT: list[tuple[str, str]] = []


class RecordingSms:
    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


class BrokenSms:
    def send(self, phone: str, text: str) -> None:
        raise RuntimeError("gateway down")


@pytest.fixture(autouse=True)
def sms(settings):
    SENT.clear()
    settings.SMS_BACKEND = "tests.queueing.test_notify.RecordingSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return SENT


def test_email_goes_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify.notify_email(to="a@example.dk", subject="Emne", body="Tekst")
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert mail.outbox[0].to == ["a@example.dk"] and mail.outbox[0].subject == "Emne"


def test_sms_uses_the_configured_backend(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_sms(phone="+4520304050", text="Hej")
    assert SENT == [("+4520304050", "Hej")]


def test_the_default_backend_logs_nothing_personal(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = ""
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        notify.notify_sms(phone="+4520304050", text="A003 er snart")
    assert "not sent" in caplog.text
    assert "20304050" not in caplog.text and "A003" not in caplog.text


def test_a_failing_gateway_is_logged_without_the_number(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.queueing.test_notify.BrokenSms"
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        notify.notify_sms(phone="+4520304050", text="x")
    assert "could not be sent" in caplog.text and "20304050" not in caplog.text


def draw(centre, group, **kwargs):
    return services.ticket_draw(centre=centre, group=group, **kwargs)


def test_message_when_few_are_ahead_once(
    centre, groups, clock, settings, django_capture_on_commit_callbacks
):
    settings.QUEUE_NOTIFY_AHEAD = 2
    for _n in range(3):
        draw(centre, groups["A"])
    near = draw(centre, groups["A"], notify_email="near@example.dk", notify_phone="20304050")
    with django_capture_on_commit_callbacks(execute=True):
        assert near_turn_notify() == 0  # three ahead
    Ticket.objects.filter(code="A001").update(state="no_show")
    with django_capture_on_commit_callbacks(execute=True):
        assert near_turn_notify() == 1
        assert near_turn_notify() == 0  # only once
    near.refresh_from_db()
    assert near.notified_at is not None
    assert mail.outbox[0].to == ["near@example.dk"]
    body = mail.outbox[0].body
    assert "A004" in body and "2" in body and centre.name in body
    assert SENT[0][0] == "+4520304050" and "A004" in SENT[0][1]


def test_the_default_is_three_ahead(centre, groups, clock, django_capture_on_commit_callbacks):
    for _n in range(3):
        draw(centre, groups["A"])
    draw(centre, groups["A"], notify_email="n@example.dk")
    with django_capture_on_commit_callbacks(execute=True):
        assert near_turn_notify() == 1


def test_only_the_centre_asked_for(centre, groups, clock, django_capture_on_commit_callbacks):
    draw(centre, groups["A"], notify_email="n@example.dk")
    with django_capture_on_commit_callbacks(execute=True):
        assert near_turn_notify(centre_id=centre.pk + 1000) == 0
        assert near_turn_notify(centre_id=centre.pk) == 1


def test_tickets_without_details_or_not_waiting_get_nothing(
    centre, groups, counters, agent, clock, django_capture_on_commit_callbacks
):
    draw(centre, groups["A"])
    called = draw(centre, groups["A"], notify_email="c@example.dk")
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    services.ticket_call_next(session=session)
    services.ticket_no_show(
        user=agent, ticket_id=services.selectors.session_current_ticket(session).pk
    )
    services.ticket_call_next(session=session)  # calls ``called``
    called.refresh_from_db()
    assert called.state == "called"
    with django_capture_on_commit_callbacks(execute=True):
        assert near_turn_notify() == 0
    assert mail.outbox == []


def test_calling_the_next_triggers_the_check(
    centre, groups, counters, agent, clock, settings, django_capture_on_commit_callbacks
):
    settings.QUEUE_NOTIFY_AHEAD = 1
    for _n in range(2):
        draw(centre, groups["A"])
    waiting = draw(centre, groups["A"], notify_phone="+46701234567")
    session = services.counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(session=session)
    waiting.refresh_from_db()
    assert waiting.notified_at is not None
    assert SENT and SENT[0][0] == "+46701234567"


def test_the_message_is_in_danish_and_english(centre, groups, clock):
    ticket = draw(centre, groups["A"])
    subject, body = near_turn_message(ticket, 0)
    assert centre.name_da in subject
    danish, english = body.split("\n\n")
    assert ticket.code in danish and centre.name_da in danish
    assert ticket.code in english and centre.name_en in english
    assert "watch the screen" in english
