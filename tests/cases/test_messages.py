"""Messages between the citizen and the caseworker: the model's constraints, the services
(only parties write and read, 404 for anyone else; notices by the citizen's preference
after commit and never with the text; journal and audit entries), the messages panel on
the staff case page (form, htmx partial, error summary), the inbox flag and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from borgerservice.accounts.models import AuditEntry, AuditSubject
from borgerservice.accounts.roles import SPECIALIST
from borgerservice.api.auth import api_token_create
from borgerservice.cases.messages import (
    message_from_citizen,
    message_to_citizen,
    messages_for_case,
    messages_for_citizen_case,
)
from borgerservice.cases.models import (
    MESSAGE_MAX_LENGTH,
    Case,
    CaseMessage,
    CaseParty,
    CaseType,
    JournalEntry,
)
from borgerservice.cases.services import case_assign, case_create
from borgerservice.catalogue.models import Service
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.outbox.models import OutboxMessage
from borgerservice.portal.models import CitizenPreference
from tests.accounts.staff import ANALYST, make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []
SECRET = "Mit CPR-nummer og min diagnose står her"


class RecordingSms:
    def send(self, phone: str, text: str) -> None:
        SENT_SMS.append((phone, text))


@pytest.fixture(autouse=True)
def _setup(settings):
    SENT_SMS.clear()
    settings.SMS_BACKEND = "tests.cases.test_messages.RecordingSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OUTBOX_SENDER = "local"
    translation.activate("da")
    yield
    translation.activate("da")


@pytest.fixture
def case_type() -> CaseType:
    case_type, _created = CaseType.objects.update_or_create(
        service=Service.objects.get(code="suf-helbredstillaeg"),
        defaults={
            "name_da": "Helbredstillæg",
            "name_en": "Health supplement",
            "processing_days": 10,
        },
    )
    return case_type


def person(username: str, email: str = ""):
    user = get_user_model().objects.create_user(
        username=username, password="x", first_name=username.title(), email=email
    )
    user.groups.add(Group.objects.get(name=SPECIALIST))
    return user


@pytest.fixture
def worker():
    return person("sagsbehandler")


@pytest.fixture
def citizen():
    return CitizenFactory()


@pytest.fixture
def case(worker, case_type, citizen) -> Case:
    case = case_create(
        user=worker,
        case_type=case_type,
        citizen=citizen,
        title="Ansøgning om helbredstillæg",
        channel="self_service",
    )
    case.unit.members.add(worker)
    return case


def audits(what: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(what__contains=what).order_by("id"))


# --- the model -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"direction": "up"}, "case_message_direction_valid"),
        ({"text": ""}, "case_message_has_text"),
        ({"text": "x" * (MESSAGE_MAX_LENGTH + 1)}, "case_message_max_length"),
        ({"direction": "out", "author": None}, "case_message_out_has_author"),
        ({"direction": "in", "citizen": None}, "case_message_in_has_citizen"),
        ({"read_at": "before"}, "case_message_read_after_written"),
    ],
)
def test_the_database_refuses_invalid_messages(case, worker, citizen, fields, constraint):
    values = {"case": case, "direction": "in", "text": "Hej", "citizen": citizen, "author": worker}
    values.update(fields)
    now = timezone.now()
    values["created_at"] = now
    if values.get("read_at") == "before":
        values["read_at"] = now - timedelta(minutes=1)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        CaseMessage.objects.create(**values)
    assert constraint in str(caught.value) or "CHECK" in str(caught.value).upper()


def test_a_message_of_the_longest_length_is_stored(case, citizen):
    message = CaseMessage.objects.create(
        case=case, direction="in", text="æ" * MESSAGE_MAX_LENGTH, citizen=citizen
    )
    assert CaseMessage.objects.get(pk=message.pk).text == "æ" * MESSAGE_MAX_LENGTH


# --- from the citizen ----------------------------------------------------------------------


def test_a_party_writes_and_it_is_journalised_audited_and_flagged(
    case, citizen, worker, django_capture_on_commit_callbacks
):
    case.unit.email = "enhed@kk.dk"
    case.unit.save()
    with django_capture_on_commit_callbacks(execute=True):
        message = message_from_citizen(citizen=citizen, case_id=case.pk, text=f"  {SECRET}\r\n ")
    assert message.direction == "in" and message.text == SECRET and message.citizen == citizen
    assert message.author is None and message.read_at is None
    entry = JournalEntry.objects.filter(case=case).order_by("-number").first()
    assert (entry.kind, entry.direction) == ("letter", "in")
    assert "Min side" in entry.title
    (audit,) = audits(f"case {case.number}: message from the citizen")
    assert audit.channel == "portal" and audit.actor_username == "min-side"
    assert list(
        AuditSubject.objects.filter(entry_id=audit.pk).values_list("citizen_id", flat=True)
    ) == [citizen.pk]
    # The unit (no caseworker yet) gets an email without the text.
    assert [m.to for m in mail.outbox] == [["enhed@kk.dk"]]
    assert case.number in mail.outbox[0].subject and SECRET not in mail.outbox[0].body


def test_the_caseworker_is_emailed_rather_than_the_unit(
    case, citizen, worker, django_capture_on_commit_callbacks
):
    colleague = person("kollega", email="kollega@kk.dk")
    case.unit.members.add(colleague)
    case.unit.email = "enhed@kk.dk"
    case.unit.save()
    case_assign(user=worker, case_id=case.pk, caseworker=colleague)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message_from_citizen(citizen=citizen, case_id=case.pk, text="Hej")
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["kollega@kk.dk"]]


def test_another_citizen_gets_not_found_and_nothing_is_written(case):
    stranger = CitizenFactory()
    before = (CaseMessage.objects.count(), JournalEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(NotFound):
        message_from_citizen(citizen=stranger, case_id=case.pk, text="Hej")
    with pytest.raises(NotFound):
        messages_for_citizen_case(citizen=stranger, case_id=case.pk)
    with pytest.raises(NotFound):
        message_from_citizen(citizen=stranger, case_id=999_999_999, text="Hej")
    after = (CaseMessage.objects.count(), JournalEntry.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_every_party_may_write_but_not_on_an_anonymised_case(case, worker):
    representative = CitizenFactory()
    CaseParty.objects.create(case=case, citizen=representative, role="representative")
    assert message_from_citizen(citizen=representative, case_id=case.pk, text="Hej").pk
    Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
    with pytest.raises(NotFound):
        message_from_citizen(citizen=representative, case_id=case.pk, text="Hej igen")


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "message.empty"), ("  \n ", "message.empty"), ("x" * 5001, "message.too_long")],
)
def test_empty_or_too_long_messages_are_refused(case, citizen, text, code):
    before = JournalEntry.objects.count()
    with pytest.raises(ServiceError) as caught:
        message_from_citizen(citizen=citizen, case_id=case.pk, text=text)
    assert caught.value.code == code and caught.value.field == "text"
    assert not CaseMessage.objects.exists() and JournalEntry.objects.count() == before


def test_windows_line_ends_do_not_count_twice(case, citizen):
    text = "a\r\n" * 2500  # 7,500 characters as sent, 5,000 as stored
    message = message_from_citizen(citizen=citizen, case_id=case.pk, text=text)
    assert len(message.text) == MESSAGE_MAX_LENGTH - 1


def test_the_citizen_reads_and_the_messages_to_them_are_marked_read(case, citizen, worker):
    sent = message_to_citizen(user=worker, case_id=case.pk, text="Vi mangler en lønseddel.")
    own = message_from_citizen(citizen=citizen, case_id=case.pk, text="Den kommer")
    found = messages_for_citizen_case(citizen=citizen, case_id=case.pk)
    assert [m.pk for m in found] == [sent.pk, own.pk]
    assert found[0].was_unread and found[0].read_at is not None
    sent.refresh_from_db()
    own.refresh_from_db()
    assert sent.read_at is not None and own.read_at is None  # the unit has not read it
    (audit,) = audits(f"case {case.number}: messages")
    assert audit.channel == "portal" and audit.action == "view"
    again = messages_for_citizen_case(citizen=citizen, case_id=case.pk, audit=False)
    assert not getattr(again[0], "was_unread", False)
    assert len(audits(f"case {case.number}: messages")) == 1


# --- to the citizen ------------------------------------------------------------------------


def test_staff_write_and_the_citizen_gets_digital_post_by_default(
    case, citizen, worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_to_citizen(user=worker, case_id=case.pk, text=SECRET)
    assert message.direction == "out" and message.author == worker
    letter = OutboxMessage.objects.filter(citizen=citizen, case=case).latest("id")
    assert letter.route == "digital_post" and letter.state == "sent"
    assert case.number in letter.subject and SECRET not in letter.body
    entry = JournalEntry.objects.filter(case=case).order_by("-number").first()
    assert (entry.kind, entry.direction) == ("letter", "out")
    (audit,) = audits(f"case {case.number}: message to the citizen")
    assert audit.action == "change" and audit.actor_username == worker.username
    assert mail.outbox == [] and SENT_SMS == []


@pytest.mark.parametrize("how", ["email", "sms", "none"])
def test_the_citizen_is_notified_the_way_they_chose(
    case, citizen, worker, how, django_capture_on_commit_callbacks
):
    CitizenPreference.objects.create(
        citizen=citizen, notify_by=how, email="borger@example.dk", phone="+4520304050"
    )
    letters_before = OutboxMessage.objects.filter(citizen=citizen).count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message_to_citizen(user=worker, case_id=case.pk, text=SECRET)
    assert mail.outbox == [] and SENT_SMS == []  # not before the commit
    for callback in callbacks:
        callback()
    assert OutboxMessage.objects.filter(citizen=citizen).count() == letters_before
    if how == "email":
        (sent,) = mail.outbox
        assert sent.to == ["borger@example.dk"] and SECRET not in sent.body
        assert case.number in sent.subject
    elif how == "sms":
        ((phone, text),) = SENT_SMS
        assert phone == "+4520304050" and case.number in text and SECRET not in text
    else:
        assert mail.outbox == [] and SENT_SMS == []


def test_the_notice_is_in_the_citizens_language_with_a_link(
    settings, case, citizen, worker, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://minside.example.dk"
    CitizenPreference.objects.create(
        citizen=citizen, notify_by="email", email="borger@example.dk", language="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        message_to_citizen(user=worker, case_id=case.pk, text="Hello")
    (sent,) = mail.outbox
    assert "New message about your case" in sent.subject
    assert "https://minside.example.dk/en/" in sent.body and case.number in sent.body


def test_staff_who_may_not_see_the_case_get_not_found(case):
    outsider = person("udenforstaaende")
    with pytest.raises(NotFound):
        message_to_citizen(user=outsider, case_id=case.pk, text="Hej")
    with pytest.raises(NotFound):
        messages_for_case(user=outsider, case_id=case.pk)
    with pytest.raises(ServiceError) as caught:
        messages_for_case(user=make_staff(ANALYST), case_id=case.pk)
    assert caught.value.status == 403
    assert not CaseMessage.objects.exists()


def test_staff_read_marks_the_citizens_messages_read_only_for_the_responsible(
    case, citizen, worker
):
    message = message_from_citizen(citizen=citizen, case_id=case.pk, text="Hej")
    # A specialist with authority for the area sees the case but is not responsible.
    from tests.accounts.staff import SPECIALIST as SPEC

    onlooker = make_staff(SPEC, "kigger")
    found = messages_for_case(user=onlooker, case_id=case.pk)
    assert [m.pk for m in found] == [message.pk]
    message.refresh_from_db()
    assert message.read_at is None
    found = messages_for_case(user=worker, case_id=case.pk)
    assert found[0].was_unread
    message.refresh_from_db()
    assert message.read_at is not None
    assert len(audits(f"case {case.number}: messages")) == 2
    messages_for_case(user=worker, case_id=case.pk, audit=False)
    assert len(audits(f"case {case.number}: messages")) == 2


def test_staff_cannot_write_on_an_anonymised_case(case, worker):
    Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
    with pytest.raises(ServiceError) as caught:
        message_to_citizen(user=worker, case_id=case.pk, text="Hej")
    assert caught.value.status == 409


# --- the staff case page ---------------------------------------------------------------------


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.number])


def test_the_case_page_shows_the_conversation_with_one_audit_entry(client, case, citizen, worker):
    message_from_citizen(citizen=citizen, case_id=case.pk, text="Hvornår hører jeg noget?")
    client.force_login(worker)
    before = AuditEntry.objects.count()
    with translation.override("en"):
        response = client.get(detail_url(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="case-messages"' in html and "Hvornår hører jeg noget?" in html
    assert "1 new" in html and 'id="message_text"' in html
    assert AuditEntry.objects.count() == before + 1  # the page's own entry covers the panel
    assert CaseMessage.objects.get().read_at is not None


def test_the_form_sends_and_redirects_to_the_panel(client, case, worker):
    client.force_login(worker)
    response = client.post(
        reverse("cases:message", args=[case.number]), {"text": "Tak, vi ser på det"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(case)}#case-messages"
    assert CaseMessage.objects.get().text == "Tak, vi ser på det"
    page = client.get(detail_url(case)).content.decode()
    assert "Tak, vi ser på det" in page


def test_an_empty_message_shows_the_error_summary_and_sends_nothing(client, case, worker):
    client.force_login(worker)
    with translation.override("en"):
        url = reverse("cases:message", args=[case.number])
        response = client.post(url, {"text": "   "})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#message_text"' in html and 'id="message_text"' in html
    assert 'aria-invalid="true"' in html and "form-error-message" in html
    assert not CaseMessage.objects.exists()


def test_htmx_gets_the_panel_back(client, case, worker):
    client.force_login(worker)
    url = reverse("cases:message", args=[case.number])
    response = client.post(url, {"text": "Svar via htmx"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Svar via htmx" in html and 'role="status"' in html
    failed = client.post(url, {"text": ""}, HTTP_HX_REQUEST="true")
    html = failed.content.decode()
    assert failed.status_code == 200  # htmx swaps only 2xx; the panel shows the error
    assert 'href="#message_text"' in html and CaseMessage.objects.count() == 1


def test_the_pages_answer_not_found_outside_the_users_reach(client, case):
    client.force_login(person("fremmed"))
    url = reverse("cases:message", args=[case.number])
    assert client.post(url, {"text": "Hej"}).status_code == 404
    assert client.post(url, {"text": "Hej"}, HTTP_HX_REQUEST="true").status_code == 404
    assert (
        client.post(reverse("cases:message", args=["2099-999999"]), {"text": "x"}).status_code
        == 404
    )
    assert not CaseMessage.objects.exists()


def test_the_inbox_flags_cases_with_unread_messages(client, case, citizen, worker):
    message_from_citizen(citizen=citizen, case_id=case.pk, text="Hej")
    client.force_login(worker)
    with translation.override("en"):
        html = client.get(reverse("cases:inbox"), {"unit": case.unit_id}).content.decode()
        target = f"{detail_url(case)}#case-messages"
    assert "New messages from citizens" in html and "1 unread message" in html
    assert target in html
    client.get(detail_url(case))  # reading it clears the flag
    with translation.override("en"):
        html = client.get(reverse("cases:inbox"), {"unit": case.unit_id}).content.decode()
    assert "New messages from citizens" not in html


# --- the API -------------------------------------------------------------------------------------


def api(client, user, method, url, body=None):
    token = api_token_create(user=user, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "post":
        return client.post(url, body, content_type="application/json", **headers)
    return client.get(url, **headers)


def test_the_api_lists_and_writes_messages(client, case, citizen, worker):
    message_from_citizen(citizen=citizen, case_id=case.pk, text="Spørgsmål")
    url = f"/api/v1/cases/{case.number}/messages"
    created = api(client, worker, "post", url, {"text": "Svar"})
    assert created.status_code == 201
    assert created.json()["direction"] == "out" and created.json()["author"] == worker.username
    listed = api(client, worker, "get", url)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [i["direction"] for i in items] == ["in", "out"] and listed.json()["count"] == 2
    assert items[0]["citizen_id"] == citizen.pk and items[0]["read_at"] is not None
    assert audits(f"case {case.number}: messages")[-1].channel == "api"
    assert audits(f"case {case.number}: message to the citizen")[-1].channel == "api"


def test_the_api_refuses_bad_input_and_strangers(client, case):
    url = f"/api/v1/cases/{case.number}/messages"
    worker = case.unit.members.get()
    empty = api(client, worker, "post", url, {"text": " "})
    assert empty.status_code == 400 and empty.json()["code"] == "message.empty"
    stranger = person("fremmed")
    assert api(client, stranger, "get", url).status_code == 404
    assert api(client, stranger, "post", url, {"text": "Hej"}).status_code == 404
    assert api(client, worker, "get", "/api/v1/cases/not-a-number/messages").status_code == 404
    assert not CaseMessage.objects.exists()
