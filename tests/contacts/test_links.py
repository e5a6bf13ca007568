"""Channel shift: links to the self-service sent from a contact. The model's constraints,
sending (who may, the default address, masked, only the token's hash stored, after
commit, audited), using (first use recorded once, every use counted), the figures per
service (no personal data; analysts and team leads), and the staff pages."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from borgerservice.accounts.models import AuditEntry
from borgerservice.api.auth import api_token_create
from borgerservice.catalogue.models import Service
from borgerservice.contacts.links import (
    link_find,
    link_send,
    link_stats,
    link_use,
    mask_email,
    mask_phone,
    token_hash,
)
from borgerservice.contacts.models import Contact, SelfServiceLink
from borgerservice.contacts.services import ContactInput, contact_register
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.portal.models import CitizenPreference
from tests.accounts.staff import ANALYST, FRONT_OFFICE, SPECIALIST, TEAM_LEAD, make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []
SERVICE = "stat-pas-og-koerekort"
URL_RE = re.compile(r"https?://\S+/link/([A-Za-z0-9_-]+)/")


class RecordingSms:
    def send(self, phone: str, text: str) -> None:
        SENT_SMS.append((phone, text))


@pytest.fixture(autouse=True)
def _setup(settings):
    SENT_SMS.clear()
    settings.SMS_BACKEND = "tests.contacts.test_links.RecordingSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_BASE_URL = "https://minside.example.dk"
    translation.activate("da")
    yield
    translation.activate("da")


@pytest.fixture
def clerk():
    return make_staff(FRONT_OFFICE, "skranke")


@pytest.fixture
def citizen():
    return CitizenFactory(email="borger@example.dk", phone="20304050")


def register(user, citizen=None, services=(SERVICE,), outcome="self_service") -> Contact:
    contact, _created = contact_register(
        user=user,
        data=ContactInput(
            channel="phone",
            outcome=outcome,
            services=list(services),
            citizen_id=citizen.pk if citizen else None,
        ),
    )
    return contact


@pytest.fixture
def contact(clerk, citizen) -> Contact:
    return register(clerk, citizen)


def service_id(code: str = SERVICE) -> int:
    return Service.objects.get(code=code).pk


def send(user, contact, via="email", to=None, code=SERVICE, callbacks=None) -> SelfServiceLink:
    return link_send(user=user, contact_id=contact.pk, service_id=service_id(code), via=via, to=to)


def token_of(text: str) -> str:
    match = URL_RE.search(text)
    assert match, text
    return match.group(1)


# --- the model -----------------------------------------------------------------------------


def make_link(contact, user, **extra) -> SelfServiceLink:
    values = {
        "contact": contact,
        "service_id": service_id(),
        "citizen": contact.citizen,
        "token_hash": token_hash(uuid.uuid4().hex * 2),
        "via": "email",
        "sent_to": "b***@example.dk",
        "sent_by": user,
    }
    values.update(extra)
    return SelfServiceLink.objects.create(**values)


@pytest.mark.parametrize(
    "extra",
    [
        {"token_hash": "not-a-hash"},
        {"token_hash": "A" * 64},
        {"via": "fax"},
        {"sent_to": ""},
        {"use_count": 1},
        {"used_at": "now"},
        {"used_at": "before", "use_count": 1},
    ],
)
def test_the_database_refuses_invalid_links(contact, clerk, extra):
    now = timezone.now()
    extra = dict(extra, sent_at=now)
    if extra.get("used_at") == "now":
        extra["used_at"] = now
    elif extra.get("used_at") == "before":
        extra["used_at"] = now - timedelta(seconds=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_link(contact, clerk, **extra)


def test_a_token_hash_is_unique(contact, clerk):
    link = make_link(contact, clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_link(contact, clerk, token_hash=link.token_hash)


def test_masking():
    assert mask_email("borger@example.dk") == "b***@example.dk"
    assert mask_phone("+45 20 30 40 50") == "******50"


# --- sending -------------------------------------------------------------------------------


def test_the_registrant_sends_by_email_to_the_citizens_address_after_commit(
    clerk, contact, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        link = send(clerk, contact)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    (sent,) = mail.outbox
    assert sent.to == ["borger@example.dk"]
    token = token_of(sent.body)
    assert len(token) >= 32
    # Danish (the citizen chose nothing): no /en/ prefix.
    # The link, and the offer of the satisfaction survey after the contact.
    assert sent.body.count("https://minside.example.dk/") == 2 and "/en/" not in sent.body
    assert "https://minside.example.dk/tilfredshed/" in sent.body
    link.refresh_from_db()
    assert link.token_hash == token_hash(token) and token not in str(
        SelfServiceLink.objects.filter(pk=link.pk).values().get()
    )
    assert (link.via, link.sent_to, link.citizen, link.sent_by) == (
        "email",
        "b***@example.dk",
        citizen,
        clerk,
    )
    assert link.used_at is None and link.use_count == 0
    audit = AuditEntry.objects.filter(what__contains="self-service link").get()
    assert audit.action == "change" and audit.actor_username == clerk.username


def test_sms_goes_to_the_number_chosen_on_min_side_in_the_citizens_language(
    clerk, contact, citizen, django_capture_on_commit_callbacks
):
    CitizenPreference.objects.create(citizen=citizen, language="en", phone="+4599887766")
    with django_capture_on_commit_callbacks(execute=True):
        link = send(clerk, contact, via="sms")
    ((phone, text),) = SENT_SMS
    assert phone == "+4599887766" and link.sent_to == "******66"
    assert "/en/" in text and token_hash(token_of(text)) == link.token_hash


def test_a_typed_address_wins_and_is_checked(clerk, contact, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(clerk, contact, to="anden@example.dk")
    assert mail.outbox[0].to == ["anden@example.dk"]
    for via, bad, code in [
        ("email", "ikke en adresse", "link.bad_email"),
        ("sms", "12", "link.bad_phone"),
    ]:
        with pytest.raises(ServiceError) as caught:
            send(clerk, contact, via=via, to=bad)
        assert (caught.value.code, caught.value.field) == (code, "to")
    assert SelfServiceLink.objects.count() == 1


def test_bad_choices_are_refused_and_nothing_is_sent(
    clerk, contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ServiceError) as caught:
            send(clerk, contact, via="fax")
        assert caught.value.field == "via"
        with pytest.raises(ServiceError) as caught:
            send(clerk, contact, code="suf-helbredstillaeg")  # not a service of the contact
        assert caught.value.field == "service"
    assert not SelfServiceLink.objects.exists() and mail.outbox == []


def test_no_address_on_file_asks_for_one(clerk):
    contact = register(clerk, CitizenFactory())
    with pytest.raises(ServiceError) as caught:
        send(clerk, contact)
    assert (caught.value.code, caught.value.field) == ("link.no_address", "to")
    anonymous = register(clerk, None)
    with pytest.raises(ServiceError):
        send(clerk, anonymous, via="sms")
    link = send(clerk, anonymous, via="sms", to="20 30 40 50")
    assert link.citizen is None and link.sent_to == "******50"


def test_who_may_send(clerk, contact):
    with pytest.raises(ServiceError) as caught:
        send(make_staff(ANALYST), contact)
    assert caught.value.status == 403
    # A specialist outside the service's area neither registered nor may see the contact.
    with pytest.raises(NotFound):
        send(make_staff(SPECIALIST, "specialist"), contact)
    # A colleague who may see it (portfolio) needs a purpose for the citizen.
    colleague = make_staff(FRONT_OFFICE, "kollega")
    with pytest.raises(ServiceError) as caught:
        send(colleague, contact)
    assert caught.value.code == "access.purpose_required"
    with pytest.raises(NotFound):
        link_send(user=clerk, contact_id=999_999_999, service_id=service_id(), via="email")
    assert not SelfServiceLink.objects.exists()


# --- using -----------------------------------------------------------------------------------


def test_the_first_use_is_recorded_once_and_every_use_counted(
    clerk, contact, django_capture_on_commit_callbacks
):
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            link = send(clerk, contact)
        token = token_of(mail.outbox[0].body)
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        first = link_use(token=token)
    with time_machine.travel("2026-03-03 10:00 +01:00", tick=False):
        again = link_use(token=token)
    assert first.pk == again.pk == link.pk
    assert again.use_count == 2 and again.used_at == first.used_at
    assert timezone.localtime(again.used_at).hour == 10 and again.used_at.day == 2
    assert link_find(token=token).use_count == 2  # looking it up counts nothing


@pytest.mark.parametrize("token", ["", "kort", "x" * 43, "ø" * 43, "a/b" * 20, "x" * 500])
def test_an_unknown_token_is_not_found(token):
    with pytest.raises(NotFound):
        link_use(token=token)


# --- the figures ---------------------------------------------------------------------------------


def test_stats_per_service_without_personal_data(clerk, citizen):
    both = register(clerk, citizen, services=(SERVICE, "suf-helbredstillaeg"))
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False):
        used = send(clerk, both)
        send(clerk, both, via="sms")
        send(clerk, both, code="suf-helbredstillaeg")
    with time_machine.travel("2026-03-10 09:00 +01:00", tick=False):
        send(clerk, both)  # outside the period
    SelfServiceLink.objects.filter(pk=used.pk).update(
        used_at=used.sent_at + timedelta(hours=1), use_count=3
    )
    rows = link_stats(
        start=timezone.datetime(2026, 3, 1).date(), end=timezone.datetime(2026, 3, 2).date()
    )
    by_code = {row["service"]: row for row in rows}
    assert by_code[SERVICE] | {"service_name": ""} == {
        "service": SERVICE,
        "service_name": "",
        "sent": 2,
        "sent_email": 1,
        "sent_sms": 1,
        "used": 1,
        "share": 0.5,
    }
    assert by_code["suf-helbredstillaeg"]["sent"] == 1
    assert by_code["suf-helbredstillaeg"]["share"] == 0.0
    text = str(rows)
    assert citizen.last_name not in text and "example.dk" not in text and clerk.username not in text


def test_stats_period_is_checked():
    day = timezone.datetime(2026, 3, 2).date()
    with pytest.raises(ServiceError):
        link_stats(start=day, end=day - timedelta(days=1))
    with pytest.raises(ServiceError):
        link_stats(start=day, end=day + timedelta(days=400))
    assert link_stats(start=day, end=day) == []


def api_get(client, user, url):
    token = api_token_create(user=user, name="test")
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_stats_endpoint_is_for_analysts_and_team_leads(client, clerk, contact):
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False):
        send(clerk, contact)
    url = "/api/v1/contacts/self-service-links/stats?start=2026-03-01&end=2026-03-31"
    for role in (ANALYST, TEAM_LEAD):
        response = api_get(client, make_staff(role, f"{role}-x"), url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == 1 and body["items"][0]["service"] == SERVICE
        assert body["items"][0]["sent"] == 1 and body["items"][0]["used"] == 0
    assert api_get(client, clerk, url).status_code == 403
    bad = api_get(
        client,
        make_staff(ANALYST, "a2"),
        "/api/v1/contacts/self-service-links/stats?start=2026-03-05&end=2026-03-01",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "end"
    unknown = api_get(client, make_staff(ANALYST, "a3"), url + "&citizen=1")
    assert unknown.status_code == 400


# --- the staff pages -----------------------------------------------------------------


def test_registering_a_referral_leads_to_the_link_form(client, clerk, citizen):
    client.force_login(clerk)
    response = client.post(
        reverse("contacts:register"),
        {
            "citizen": citizen.pk,
            "channel": "phone",
            "outcome": "self_service",
            "services": [SERVICE],
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    contact = Contact.objects.get(citizen=citizen)
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:link_send", args=[contact.pk])


def test_the_link_form_sends_and_goes_back_to_the_citizen(
    client, clerk, contact, citizen, django_capture_on_commit_callbacks
):
    client.force_login(clerk)
    with translation.override("en"):
        url = reverse("contacts:link_send", args=[contact.pk])
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "b***@example.dk" in html and "borger@example.dk" not in html
    assert 'id="service"' in html and 'id="via"' in html and 'id="to"' in html
    assert "<legend" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"service": service_id(), "via": "email", "to": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("citizens:detail", args=[citizen.pk])
    assert len(mail.outbox) == 1 and SelfServiceLink.objects.count() == 1
    with translation.override("en"):
        html = client.get(url).content.decode()
    assert "Links sent from this contact" in html and "Not yet" in html


def test_the_link_form_shows_errors_linked_to_the_inputs(client, clerk, contact):
    client.force_login(clerk)
    with translation.override("en"):
        url = reverse("contacts:link_send", args=[contact.pk])
        missing = client.post(url, {"via": "email"})
        bad = client.post(url, {"service": service_id(), "via": "email", "to": "nope"})
    assert missing.status_code == 400 and 'href="#service"' in missing.content.decode()
    html = bad.content.decode()
    assert bad.status_code == 400 and 'href="#to"' in html and 'aria-invalid="true"' in html
    assert not SelfServiceLink.objects.exists()


def test_the_link_form_is_not_for_others(client, contact):
    client.force_login(make_staff(ANALYST))
    assert client.get(reverse("contacts:link_send", args=[contact.pk])).status_code == 403
    client.force_login(make_staff(SPECIALIST, "specialist"))
    assert client.get(reverse("contacts:link_send", args=[contact.pk])).status_code == 404
    client.force_login(make_staff(FRONT_OFFICE, "kollega"))
    response = client.post(
        reverse("contacts:link_send", args=[contact.pk]), {"service": service_id(), "via": "email"}
    )
    assert response.status_code == 302  # to the citizen's page, which asks for a purpose
    assert response["Location"] == reverse("citizens:detail", args=[contact.citizen_id])
    assert not SelfServiceLink.objects.exists()


def test_the_contact_panel_offers_the_action(client, clerk, contact, citizen):
    client.force_login(clerk)
    with translation.override("en"):
        html = client.get(reverse("citizens:detail", args=[citizen.pk])).content.decode()
        url = reverse("contacts:link_send", args=[contact.pk])
    assert url in html and "Send link to self-service" in html


def test_a_server_clock_behind_never_records_a_use_before_the_sending(clerk, contact):
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        link = send(clerk, contact)
    SelfServiceLink.objects.filter(pk=link.pk).update(token_hash=token_hash("t" * 43))
    with time_machine.travel("2026-03-02 09:59 +01:00", tick=False):
        used = link_use(token="t" * 43)
    assert used.used_at == link.sent_at and used.use_count == 1
