"""Every page of Min side renders for a logged-in citizen, in Danish and English, audits
the read, and the forms change what they should (and nothing on bad input)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from borgerservice.accounts.models import AuditEntry
from borgerservice.booking.models import Booking
from borgerservice.booking.workflow import State
from borgerservice.portal.auth import ACTOR_USERNAME
from borgerservice.portal.models import CitizenPreference

pytestmark = pytest.mark.django_db

PAGES = [
    "portal:overview",
    "portal:cases",
    "portal:appointments",
    "portal:appointment_new",
    "portal:contacts",
    "portal:letters",
    "portal:access_log",
    "portal:my_data",
    "portal:preferences",
    "portal:guide",
]


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_with_header_and_footer(anna_client, anna, name):
    response = anna_client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="portal-info"' in body and 'class="solution-info"' in body
    assert anna.citizen.first_name in body  # logged-in user in the header
    assert reverse("portal:logout") in body
    assert reverse("portal:accessibility") in body and reverse("portal:cookies") in body
    assert 'class="language-switcher"' in body
    assert 'id="session-timeout"' in body
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", PAGES)
def test_page_in_english(anna_client, name):
    with translation.override("en"):
        url = reverse(name)
    assert url.startswith("/en/")
    response = anna_client.get(url)
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_danish_is_the_default(anna_client):
    with translation.override("da"):
        url = reverse("portal:overview")
    assert url == "/min-side/overblik/"
    body = anna_client.get(url).content.decode()
    assert '<html lang="da"' in body and "Mine sager" in body


def test_reads_are_audited_with_the_portal_actor(anna_client, anna):
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    anna_client.get(reverse("portal:case", kwargs={"number": anna.case.number}))
    entries = AuditEntry.objects.filter(id__gt=before, what__startswith="Min side: case")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor_username == ACTOR_USERNAME and entry.channel == "portal"
    assert anna.case.number in entry.what
    assert list(entry.subjects.values_list("citizen_id", flat=True)) == [anna.citizen.pk]


def test_case_page_shows_status_expected_date_documents_and_letters(anna_client, anna):
    with translation.override("en"):
        url = reverse("portal:case", kwargs={"number": anna.case.number})
        body = anna_client.get(url).content.decode()
        document_url = reverse(
            "portal:case_document",
            kwargs={"number": anna.case.number, "version_id": anna.version.pk},
        )
    assert "We have received your case" in body
    assert "Expected answer" in body
    assert "You do not need to do anything" in body  # the next step
    assert document_url in body
    assert anna.letter.subject in body


def test_document_download(anna_client, anna):
    url = reverse(
        "portal:case_document", kwargs={"number": anna.case.number, "version_id": anna.version.pk}
    )
    response = anna_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_letter_page(anna_client, anna):
    response = anna_client.get(reverse("portal:letter", kwargs={"letter_id": anna.letter.pk}))
    assert response.status_code == 200
    assert "Vi har modtaget." in response.content.decode()


def test_contacts_page_lists_the_contact(anna_client, anna):
    body = anna_client.get(reverse("portal:contacts")).content.decode()
    assert anna.contact.get_channel_display() in body


def test_access_log_shows_staff_reads_without_names(anna_client, anna, worker):
    from borgerservice.accounts.audit import audit_record

    audit_record(
        actor=worker, action="view", what="citizen overview", citizen_ids=[anna.citizen.pk]
    )
    anna_client.get(reverse("portal:overview"))  # the citizen's own read: not listed
    body = anna_client.get(reverse("portal:access_log")).content.decode()
    assert "citizen overview" in body
    assert worker.username not in body
    assert "Min side: overview" not in body


def test_download_my_data(anna_client, anna):
    response = anna_client.post(reverse("portal:my_data_download"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "index.pdf" in archive.namelist()
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "export" and entry.channel == "portal"
    assert anna_client.get(reverse("portal:my_data_download")).status_code == 405


def test_preferences_saved_and_language_switched(anna_client, anna):
    response = anna_client.post(
        reverse("portal:preferences"),
        {"language": "en", "notify_by": "email", "email": "anna@example.dk", "phone": ""},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/en/")
    preference = CitizenPreference.objects.get(citizen=anna.citizen)
    assert (preference.language, preference.notify_by) == ("en", "email")
    anna.citizen.refresh_from_db()
    assert anna.citizen.preferred_language == "en"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"language": "sv", "notify_by": "email", "email": "a@b.dk"}, "language-da"),
        ({"language": "da", "notify_by": "pigeon"}, "notify-0"),
        ({"language": "da", "notify_by": "email", "email": ""}, "email"),
        ({"language": "da", "notify_by": "email", "email": "not-an-address"}, "email"),
        ({"language": "da", "notify_by": "sms", "phone": "12"}, "phone"),
        ({"language": "da", "notify_by": "sms", "phone": ""}, "phone"),
    ],
)
def test_preferences_bad_input_changes_nothing(anna_client, anna, form, field):
    response = anna_client.post(reverse("portal:preferences"), form)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'href="#{field}"' in body and f'id="{field}"' in body
    assert not CitizenPreference.objects.filter(citizen=anna.citizen).exists()


def test_book_and_cancel_an_appointment(anna_client, anna):
    from tests.portal.conftest import _slot

    slot = _slot(120)
    page = anna_client.get(
        reverse("portal:appointment_new"), {"service": slot.service.code, "centre": "indre-by"}
    )
    assert page.status_code == 200 and f'value="{slot.pk}"' in page.content.decode()
    response = anna_client.post(
        reverse("portal:appointment_new"),
        {
            "service": slot.service.code,
            "centre": "indre-by",
            "slot": slot.pk,
            "email": "anna@example.dk",
            "idempotency_key": "portal-test-1",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get(slot=slot)
    assert booking.citizen == anna.citizen and booking.state == State.BOOKED
    cancel = reverse("portal:appointment_cancel", kwargs={"code": booking.code})
    assert anna_client.get(cancel).status_code == 200
    assert anna_client.post(cancel).status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.CANCELLED


def test_booking_without_a_time_shows_the_error(anna_client):
    from tests.portal.conftest import _slot

    slot = _slot(180)
    response = anna_client.post(
        reverse("portal:appointment_new"),
        {"service": slot.service.code, "centre": "indre-by", "idempotency_key": "k2"},
    )
    assert response.status_code == 400
    assert 'href="#slots"' in response.content.decode()
    assert not Booking.objects.filter(slot=slot).exists()


def test_rebook_an_appointment(anna_client, anna):
    from tests.portal.conftest import _slot

    slot = _slot(240)
    url = reverse("portal:appointment_rebook", kwargs={"code": anna.booking.code})
    assert anna_client.get(url).status_code == 200
    response = anna_client.post(url, {"centre": "indre-by", "slot": slot.pk})
    assert response.status_code == 302
    anna.booking.refresh_from_db()
    assert anna.booking.state == State.CANCELLED
    assert Booking.objects.get(slot=slot, citizen=anna.citizen).state == State.BOOKED


def test_guide_search_and_life_situation(client):
    response = client.get(reverse("portal:guide"), {"q": "sundhedskort"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "result" in body or "resultat" in body
    assert 'href="/min-side/ydelser/' in body or "/services/" in body
    from borgerservice.catalogue.models import LifeSituation

    situation = LifeSituation.objects.filter(services__isnull=False).first()
    page = client.get(reverse("portal:guide_situation", kwargs={"code": situation.code}))
    assert page.status_code == 200


def test_public_pages_need_no_login(client):
    from borgerservice.catalogue.models import Service

    for url in (
        reverse("portal:home"),
        reverse("portal:login"),
        reverse("portal:guide"),
        reverse("portal:accessibility"),
        reverse("portal:cookies"),
        reverse("portal:service", kwargs={"code": Service.objects.first().code}),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("portal:service", kwargs={"code": "no-such"})).status_code == 404


def test_overview_queries_do_not_grow_with_cases_and_contacts(anna_client, anna, worker, case_type):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from borgerservice.cases.services import case_create
    from borgerservice.contacts.models import Contact

    url = reverse("portal:overview")
    anna_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert anna_client.get(url).status_code == 200
    for n in range(8):
        case_create(
            user=worker,
            case_type=case_type,
            citizen=anna.citizen,
            title=f"Sag {n}",
            channel="phone",
        )
        Contact.objects.create(channel="email", citizen=anna.citizen, outcome="resolved")
    with CaptureQueriesContext(connection) as many:
        assert anna_client.get(url).status_code == 200
    assert len(many) == len(few)
