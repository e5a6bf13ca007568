"""The workplace pages for cases: the unit inbox (filters, order, pages, a constant number
of queries, no personal data), the case page (masked CPR, one audit entry, 404 for cases
outside the user's reach) and every action form on it (success, and bad input that shows
the error summary and changes nothing)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from borgerservice.accounts.models import AuditEntry
from borgerservice.accounts.roles import SPECIALIST
from borgerservice.cases import workflow
from borgerservice.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CaseType,
    DeadlineNotice,
    Decision,
    Hearing,
    JournalEntry,
    Unit,
)
from borgerservice.cases.selectors import COUNT_CAP, INBOX_PAGE
from borgerservice.cases.services import case_assign, case_create, case_transition
from borgerservice.catalogue.models import Service
from tests.accounts.staff import make_staff
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db
S = workflow.Status
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENT_SCANNER = ""
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def danish():
    # A request to an /en/ page leaves English active in the test thread.
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
            "suspension_allowed": True,
            "extension_allowed": True,
        },
    )
    return case_type


def person(username: str):
    """A specialist with no authority: sees cases only through units and assignment."""
    user = get_user_model().objects.create_user(
        username=username, password="x", first_name=username.title()
    )
    user.groups.add(Group.objects.get(name=SPECIALIST))
    return user


@pytest.fixture
def worker():
    return person("sagsbehandler")


def new_case(
    worker, case_type, received_on=None, title="Ansøgning om helbredstillæg", citizen=None
):
    return case_create(
        user=worker,
        case_type=case_type,
        citizen=citizen or CitizenFactory(),
        title=title,
        channel="self_service",
        received_on=received_on or timezone.localdate(),
    )


@pytest.fixture
def case(worker, case_type):
    case = new_case(worker, case_type)
    case.unit.members.add(worker)
    return case


def bulk_cases(case, count: int, *, start: int = 0) -> None:
    """Many open cases in the unit of ``case``, straight into the table (the inbox reads
    only the stored deadline projection)."""
    Case.objects.bulk_create(
        Case(
            number=f"9{start + i:09d}",
            case_type=case.case_type,
            title="Masse",
            department=case.department,
            unit=case.unit,
            channel="letter",
            received_on=case.received_on,
            due_on=case.due_on + timedelta(days=1 + (start + i) % 30),
            at_risk_on=case.at_risk_on,
        )
        for i in range(count)
    )


def inbox(client, **params):
    return client.get(reverse("cases:inbox"), params)


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.number])


# --- The inbox -------------------------------------------------------------------------


def test_inbox_sorted_by_due_date_with_links_to_the_case_page(client, worker, case_type):
    today = timezone.localdate()
    fresh = new_case(worker, case_type, received_on=today)
    late = new_case(worker, case_type, received_on=today - timedelta(days=40))
    middle = new_case(worker, case_type, received_on=today - timedelta(days=7))
    late.unit.members.add(worker)
    client.force_login(worker)
    response = inbox(client)
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'href="{detail_url(c)}"') for c in (late, middle, fresh)]
    assert positions == sorted(positions)
    assert "Overskredet" in html[positions[0] : positions[1]]


def test_inbox_has_no_personal_data(client, worker, case_type):
    citizen = CitizenFactory(first_name="Ingeborg", last_name="Zylinderhat")
    case = new_case(worker, case_type, citizen=citizen)
    case.unit.members.add(worker)
    client.force_login(worker)
    html = inbox(client).content.decode()
    assert case.number in html
    assert "Zylinderhat" not in html and "Ingeborg" not in html
    assert citizen.cpr[:6] not in html


def test_inbox_filters_by_status_sla_and_caseworker(client, worker, case_type):
    today = timezone.localdate()
    late = new_case(worker, case_type, received_on=today - timedelta(days=40))
    started = new_case(worker, case_type)
    waiting = new_case(worker, case_type)
    unit = late.unit
    colleague = person("kollega")
    unit.members.add(worker, colleague)
    case_transition(user=worker, case_id=started.pk, to_status=S.IN_PROGRESS)
    case_transition(user=worker, case_id=waiting.pk, to_status=S.IN_PROGRESS)
    case_transition(user=worker, case_id=waiting.pk, to_status=S.AWAITING_CITIZEN)
    case_assign(user=worker, case_id=started.pk, caseworker=colleague)
    client.force_login(worker)

    def numbers(**params) -> set[str]:
        response = inbox(client, unit=unit.pk, **params)
        assert response.status_code == 200
        html = response.content.decode()
        return {c.number for c in (late, started, waiting) if c.number in html}

    assert numbers() == {late.number, started.number, waiting.number}
    assert numbers(status="in_progress") == {started.number}
    assert numbers(status="received") == {late.number}
    assert numbers(sla="breached") == {late.number}
    assert numbers(sla="paused") == {waiting.number}
    assert numbers(sla="on_track") == {started.number}
    assert numbers(caseworker=colleague.pk) == {started.number}
    assert numbers(caseworker=colleague.pk, status="received") == set()
    # The caseworker filter offers the unit's members.
    html = inbox(client, unit=unit.pk).content.decode()
    assert f'<option value="{colleague.pk}"' in html
    # The SLA filter's labels, in both languages.
    for label in ("Overskredet", "Sat i bero"):
        assert label in html
    with translation.override("en"):
        url = reverse("cases:inbox")
    html = client.get(url, {"unit": unit.pk}).content.decode()
    for label in ("On track", "At risk", "Overdue", "Paused"):
        assert f">{label}</option>" in html


def test_my_cases_and_units(client, worker, case_type):
    mine = new_case(worker, case_type, title="Min sag")
    other = new_case(worker, case_type, title="Enhedens sag")
    mine.unit.members.add(worker)
    case_assign(user=worker, case_id=mine.pk, caseworker=worker)
    client.force_login(worker)
    html = inbox(client, mine=1).content.decode()
    assert mine.number in html and other.number not in html
    assert 'aria-current="page"' in html
    html = inbox(client, unit=mine.unit_id).content.decode()
    assert mine.number in html and other.number in html


def test_a_unit_the_user_is_not_in_is_not_found(client, worker, case):
    other = Unit.objects.exclude(pk=case.unit_id).first()
    client.force_login(worker)
    assert inbox(client, unit=other.pk).status_code == 404
    assert inbox(client, unit=999999).status_code == 404


def test_a_user_in_no_unit_sees_their_own_cases(client, case_type):
    loner = person("alene")
    helper = person("hjaelper")
    case = new_case(helper, case_type)
    case.unit.members.add(helper)
    case_assign(user=helper, case_id=case.pk, caseworker=helper)
    client.force_login(loner)
    response = inbox(client)
    assert response.status_code == 200
    assert case.number not in response.content.decode()
    # A unit they are not in is still not found.
    assert inbox(client, unit=case.unit_id).status_code == 404
    # Taken out of the unit but still the caseworker: the case is in "my cases".
    case.unit.members.remove(helper)
    client.force_login(helper)
    response = inbox(client)
    assert response.status_code == 200 and case.number in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "nonsense"}, "status"),
        ({"status": "closed"}, "status"),
        ({"sla": "late"}, "sla"),
        ({"caseworker": "abc"}, "caseworker"),
        ({"unit": "x1"}, "unit"),
        ({"page": "0"}, None),
        ({"page": "-3"}, None),
        ({"mine": "yes"}, "unit"),
    ],
)
def test_invalid_filters_show_the_error_summary(client, worker, case, params, field):
    client.force_login(worker)
    response = inbox(client, **params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-module="error-summary"' in html
    assert "Der er et problem" in html
    if field:
        assert f'href="#{field}"' in html
    assert case.number not in html


def test_a_caseworker_outside_the_unit_is_an_invalid_filter(client, worker, case):
    stranger = person("fremmed")
    client.force_login(worker)
    response = inbox(client, unit=case.unit_id, caseworker=stranger.pk)
    assert response.status_code == 400
    assert 'href="#caseworker"' in response.content.decode()


def test_pagination(client, worker, case):
    bulk_cases(case, INBOX_PAGE + 4)
    client.force_login(worker)
    first = inbox(client, unit=case.unit_id)
    html = first.content.decode()
    assert len(re.findall(r'<td><a href="/sager/[0-9-]+/">', html)) == INBOX_PAGE
    assert case.number in html  # due first
    next_url = first.context["next_url"]
    assert next_url and "page=2" in next_url and f"unit={case.unit_id}" in next_url
    assert first.context["previous_url"] == ""
    assert 'rel="next"' in html
    second = client.get(next_url)
    html = second.content.decode()
    assert second.status_code == 200
    rows = second.context["result"].rows
    assert len(rows) == 5
    assert second.context["next_url"] == ""
    assert "page=1" in second.context["previous_url"]
    assert 'rel="prev"' in html
    # Filters are kept in the page links.
    filtered = inbox(client, unit=case.unit_id, status="received", sla="on_track")
    if filtered.context["next_url"]:
        assert "status=received" in filtered.context["next_url"]
        assert "sla=on_track" in filtered.context["next_url"]
    # Beyond the last page: an empty page, not an error.
    beyond = inbox(client, unit=case.unit_id, page=99)
    assert beyond.status_code == 200 and beyond.context["result"].rows == []


def test_count_is_capped(client, worker, case):
    bulk_cases(case, COUNT_CAP + 5)
    client.force_login(worker)
    html = inbox(client, unit=case.unit_id).content.decode()
    # "mere end 1.000" once the Danish text is in the catalogue; the number is localised.
    assert "1.000" in html and str(COUNT_CAP + 6) not in html
    with translation.override("en"):
        url = reverse("cases:inbox")
    html = client.get(url, {"unit": case.unit_id}).content.decode()
    assert "more than 1,000" in html


def test_the_inbox_costs_a_constant_number_of_queries(
    client, worker, case, django_assert_max_num_queries
):
    client.force_login(worker)
    colleague = person("kollega")
    case.unit.members.add(colleague)
    case_assign(user=worker, case_id=case.pk, caseworker=colleague)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert inbox(client, unit=case.unit_id).status_code == 200
    bulk_cases(case, 120)
    Case.objects.filter(number__startswith="9").update(caseworker=colleague)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = inbox(client, unit=case.unit_id, caseworker=colleague.pk)
    assert response.status_code == 200
    assert len(response.context["result"].rows) == INBOX_PAGE
    with django_assert_max_num_queries(12):
        assert inbox(client, unit=case.unit_id, sla="on_track", page=2).status_code == 200


def test_deadline_notices_are_shown(client, worker, case):
    DeadlineNotice.objects.create(unit=case.unit, case=case, kind="breached", due_on=case.due_on)
    client.force_login(worker)
    html = inbox(client, unit=case.unit_id).content.decode()
    assert 'id="notices-heading"' in html
    notices = html[
        html.index('id="notices-heading"') : html.index(
            "</div>", html.index('id="notices-heading"')
        )
    ]
    assert case.number in notices and "Overskredet" in notices


def test_roles_without_persons_are_refused(client):
    client.force_login(make_staff("analyst"))
    assert client.get(reverse("cases:inbox")).status_code == 403


# --- The case page ---------------------------------------------------------------------


def test_case_page_shows_masked_cpr_and_writes_one_audit_entry(client, worker, case):
    citizen = case.parties.get().citizen
    client.force_login(worker)
    before = AuditEntry.objects.count()
    response = client.get(detail_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "view" and case.number in entry.what
    assert citizen.cpr_masked in html
    assert citizen.cpr not in html and f"{citizen.cpr[:6]}-{citizen.cpr[6:]}" not in html
    assert f'href="{reverse("citizens:detail", args=[citizen.pk])}"' in html
    assert citizen.full_name in html
    # Header, status texts and the deadline box.
    assert case.number in html and case.title in html and "Helbredstillæg" in html
    with translation.override("da"):
        assert str(workflow.INTERNAL_TEXTS[S.RECEIVED]) in html
        assert workflow.citizen_text(case.case_type, S.RECEIVED, "da") in html
    assert 'id="case-deadline-heading"' in html
    assert "sla-on_track" in html
    for section in ("history", "journal", "documents", "notes", "hearings", "decisions", "letters"):
        assert f'id="case-{section}-heading"' in html


def test_case_page_lists_journal_letters_notes_and_history(client, worker, case_type):
    from borgerservice.contacts.models import Contact

    staff = make_staff(SPECIALIST, username="frontdesk")
    citizen = CitizenFactory()
    contact = Contact.objects.create(
        channel="phone", citizen=citizen, staff=staff, outcome=Contact.Outcome.CASE_TO_BE_CREATED
    )
    from borgerservice.cases.services import case_from_contact

    case = case_from_contact(user=staff, contact=contact, service=case_type.service)
    case.unit.members.add(worker)
    client.force_login(worker)
    html = client.get(detail_url(case)).content.decode()
    entry = JournalEntry.objects.get(case=case)
    letters = html[html.index('id="case-letters-heading"') :]
    assert entry.title in letters  # the receipt in the outbox
    journal = html[html.index('id="case-journal-heading"') : html.index('id="case-notes-heading"')]
    assert entry.title in journal
    contacts = html[html.index('id="case-contacts-heading"') :]
    assert "Telefon" in contacts or "Phone" in contacts


def test_a_case_the_user_may_not_see_is_not_found(client, worker, case):
    outsider = person("udenfor")
    client.force_login(outsider)
    assert client.get(detail_url(case)).status_code == 404
    assert client.get(reverse("cases:detail", args=["2000-999999"])).status_code == 404
    response = client.post(reverse("cases:note", args=[case.number]), {"text": "Hej"})
    assert response.status_code == 404
    assert not CaseNote.objects.filter(case=case).exists()
    assert client.post(reverse("cases:export", args=[case.number])).status_code == 404


def test_english_case_page(client, worker, case):
    client.force_login(worker)
    with translation.override("en"):
        url = reverse("cases:detail", args=[case.number])
    assert url == f"/en/cases/{case.number}/"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert f"Case {case.number}" in html and "On track" in html
    assert "Working days left" in html


def test_one_view_panel_links_to_the_case_page(case):
    from borgerservice.cases.deadlines import deadline_of

    html = render_to_string(
        "cases/panel.html",
        {"panel": {"rows": [{"case": case, "deadline": deadline_of(case)}], "hidden": 0}},
    )
    assert f'<a href="{detail_url(case)}">{case.number}</a>' in html


def test_an_htmx_request_gets_one_section(client, worker, case):
    client.force_login(worker)
    response = client.get(
        detail_url(case), headers={"HX-Request": "true", "HX-Target": "case-notes"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="case-notes-heading"' in html and "<html" not in html


# --- Actions ---------------------------------------------------------------------------


def post(client, name, case, data=None, **kwargs):
    return client.post(reverse(f"cases:{name}", args=[case.number]), data or {}, **kwargs)


def assert_error_page(response, field: str | None):
    assert response.status_code == 400, response.status_code
    html = response.content.decode()
    assert 'data-module="error-summary"' in html
    if field:
        assert f'href="#{field}"' in html
        assert f'id="{field}"' in html
    return html


def state(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.due_on,
        case.unit_id,
        case.caseworker_id,
        CaseEvent.objects.filter(case=case).count(),
        CaseNote.objects.filter(case=case).count(),
        CaseDocument.objects.filter(case=case).count(),
        JournalEntry.objects.filter(case=case).count(),
        Hearing.objects.filter(case=case).count(),
        Decision.objects.filter(case=case).count(),
    )


def test_transition(client, worker, case):
    client.force_login(worker)
    html = client.get(detail_url(case)).content.decode()
    assert 'value="in_progress"' in html and 'value="closed"' not in html
    response = post(
        client, "transition", case, {"to_status": "in_progress", "reason": "Går i gang"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(case)}#case-status"
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS
    page = client.get(response["Location"]).content.decode()
    assert "Sagen er nu" in page or "The case is now" in page or "alert-success" in page


@pytest.mark.parametrize(
    ("to_status", "field"),
    [
        ("closed", None),
        ("decided", None),
        ("nonsense", "transition_to_status"),
        ("", "transition_to_status"),
    ],
)
def test_transition_not_allowed(client, worker, case, to_status, field):
    client.force_login(worker)
    before = state(case)
    response = post(client, "transition", case, {"to_status": to_status})
    assert_error_page(response, field)
    assert state(case) == before


def test_extend(client, worker, case):
    client.force_login(worker)
    due = case.due_on
    response = post(client, "extend", case, {"days": "5", "reason": "Venter på lægeerklæring"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.due_on > due
    html = client.get(detail_url(case)).content.decode()
    assert "Venter på lægeerklæring" in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"days": "5", "reason": ""}, "extend_reason"),
        ({"days": "0", "reason": "Grund"}, "extend_days"),
        ({"days": "abc", "reason": "Grund"}, "extend_days"),
        ({"days": "999", "reason": "Grund"}, "extend_days"),
    ],
)
def test_extend_bad_input(client, worker, case, data, field):
    client.force_login(worker)
    before = state(case)
    html = assert_error_page(post(client, "extend", case, data), field)
    assert state(case) == before
    # The form keeps what was typed and is open.
    assert f'value="{data["days"]}"' in html


def test_assign(client, worker, case):
    colleague = person("kollega")
    case.unit.members.add(colleague)
    client.force_login(worker)
    response = post(client, "assign", case, {"caseworker": colleague.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.caseworker_id == colleague.pk
    response = post(client, "assign", case, {"caseworker": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.caseworker_id is None


@pytest.mark.parametrize("value", ["outsider", "999999", "abc"])
def test_assign_bad_input(client, worker, case, value):
    if value == "outsider":
        value = str(person("udenfor").pk)
    client.force_login(worker)
    before = state(case)
    assert_error_page(post(client, "assign", case, {"caseworker": value}), "assign_caseworker")
    assert state(case) == before


def test_transfer(client, worker, case):
    target = Unit.objects.exclude(pk=case.unit_id).first()
    target.members.add(worker)
    client.force_login(worker)
    response = post(client, "transfer", case, {"unit": target.pk, "reason": "Hører til her"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.unit_id == target.pk


def test_transfer_out_of_reach_goes_back_to_the_inbox(client, worker, case):
    target = Unit.objects.exclude(pk=case.unit_id).first()
    client.force_login(worker)
    response = post(client, "transfer", case, {"unit": target.pk, "reason": "Hører til der"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:inbox")
    case.refresh_from_db()
    assert case.unit_id == target.pk


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"unit": "other", "reason": ""}, "transfer_reason"),
        ({"unit": "same", "reason": "Grund"}, "transfer_unit"),
        ({"unit": "", "reason": "Grund"}, "transfer_unit"),
        ({"unit": "999999", "reason": "Grund"}, "transfer_unit"),
    ],
)
def test_transfer_bad_input(client, worker, case, data, field):
    units = {"other": Unit.objects.exclude(pk=case.unit_id).first().pk, "same": case.unit_id}
    data = {**data, "unit": units.get(data["unit"], data["unit"])}
    client.force_login(worker)
    before = state(case)
    assert_error_page(post(client, "transfer", case, data), field)
    assert state(case) == before


def test_note(client, worker, case):
    client.force_login(worker)
    response = post(client, "note", case, {"text": "Borgeren ringede om tandlægeregningen."})
    assert response.status_code == 302
    assert CaseNote.objects.get(case=case).text == "Borgeren ringede om tandlægeregningen."
    html = client.get(detail_url(case)).content.decode()
    assert "Borgeren ringede om tandlægeregningen." in html


def test_note_bad_input(client, worker, case):
    client.force_login(worker)
    before = state(case)
    assert_error_page(post(client, "note", case, {"text": "   "}), "note_text")
    assert state(case) == before


def test_forms_need_csrf(worker, case):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(worker)
    html = strict.get(detail_url(case)).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 8
    response = strict.post(reverse("cases:note", args=[case.number]), {"text": "Hej"})
    assert response.status_code == 403
    assert not CaseNote.objects.filter(case=case).exists()


def test_upload_and_download(client, worker, case):
    client.force_login(worker)
    upload = SimpleUploadedFile("brev.pdf", PDF, content_type="application/pdf")
    response = post(
        client, "upload", case, {"title": "Lægeerklæring", "direction": "in", "file": upload}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = CaseDocument.objects.get(case=case)
    version = document.versions.get()
    html = client.get(detail_url(case)).content.decode()
    download = reverse("cases:download", args=[case.number, version.pk])
    assert f'href="{download}"' in html and "Lægeerklæring" in html
    before = AuditEntry.objects.count()
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.count() == before + 1
    # The same version under another case's number is not found.
    other = new_case(worker, case.case_type)
    other.unit.members.add(worker)
    assert client.get(reverse("cases:download", args=[other.number, version.pk])).status_code == 404
    assert client.get(reverse("cases:download", args=[case.number, 999999])).status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "direction": "in", "file": ("a.pdf", PDF)}, "upload_title"),
        ({"title": "Brev", "direction": "sideways", "file": ("a.pdf", PDF)}, "upload_direction"),
        ({"title": "Brev", "direction": "in"}, "upload_file"),
        ({"title": "Brev", "direction": "in", "file": ("a.exe", b"MZ\x90\x00")}, "upload_file"),
    ],
)
def test_upload_bad_input(client, worker, case, media, data, field):
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content)}
    client.force_login(worker)
    before = state(case)
    assert_error_page(post(client, "upload", case, data), field)
    assert state(case) == before
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_hearing_send_and_answer(client, worker, case):
    case_transition(user=worker, case_id=case.pk, to_status=S.IN_PROGRESS)
    client.force_login(worker)
    response = post(client, "hearing", case, {"facts": "Din formue er over grænsen."})
    assert response.status_code == 302, response.content.decode()[:3000]
    hearing = Hearing.objects.get(case=case)
    assert hearing.state == "open"
    html = client.get(detail_url(case)).content.decode()
    assert "Din formue er over grænsen." in html
    answer_url = reverse("cases:hearing-answer", args=[case.number, hearing.pk])
    assert f'action="{answer_url}"' in html
    before = state(case)
    response = client.post(answer_url, {"answer": " "})
    assert_error_page(response, "answer_answer")
    assert state(case) == before
    response = client.post(answer_url, {"answer": "Jeg har solgt bilen."})
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.state == "answered" and hearing.answer == "Jeg har solgt bilen."


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"facts": ""}, "hearing_facts"),
        ({"facts": "Fakta", "answer_by": "i morgen"}, "hearing_answer_by"),
        ({"facts": "Fakta", "answer_by": "2000-01-01"}, "hearing_answer_by"),
    ],
)
def test_hearing_bad_input(client, worker, case, data, field):
    case_transition(user=worker, case_id=case.pk, to_status=S.IN_PROGRESS)
    client.force_login(worker)
    before = state(case)
    assert_error_page(post(client, "hearing", case, data), field)
    assert state(case) == before


def test_hearing_on_a_received_case_is_refused(client, worker, case):
    client.force_login(worker)
    before = state(case)
    html = assert_error_page(post(client, "hearing", case, {"facts": "Fakta"}), None)
    assert 'id="hearing_facts"' not in html  # no hearing form on a case not in progress
    assert state(case) == before


def test_decision(client, case):
    decider = make_staff(SPECIALIST, username="afgoer")
    case.unit.members.add(decider)
    case_transition(user=decider, case_id=case.pk, to_status=S.IN_PROGRESS)
    client.force_login(decider)
    html = client.get(detail_url(case)).content.decode()
    assert 'id="decision_outcome"' in html
    response = post(
        client,
        "decision",
        case,
        {
            "outcome": "granted",
            "rules_applied": "Pensionsloven § 14 a",
            "facts": "Regning fra tandlæge",
            "reasons": "Betingelserne er opfyldt.",
            "complaint_guidance": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = Decision.objects.get(case=case)
    assert decision.outcome == "granted"
    case.refresh_from_db()
    assert case.status == S.DECIDED
    html = client.get(detail_url(case)).content.decode()
    assert "Pensionsloven § 14 a" in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "", "rules_applied": "R", "reasons": "G"}, "decision_outcome"),
        ({"outcome": "maybe", "rules_applied": "R", "reasons": "G"}, "decision_outcome"),
        ({"outcome": "granted", "rules_applied": "", "reasons": "G"}, "decision_rules_applied"),
        ({"outcome": "granted", "rules_applied": "R", "reasons": " "}, "decision_reasons"),
    ],
)
def test_decision_bad_input(client, case, data, field):
    decider = make_staff(SPECIALIST, username="afgoer")
    case.unit.members.add(decider)
    case_transition(user=decider, case_id=case.pk, to_status=S.IN_PROGRESS)
    client.force_login(decider)
    before = state(case)
    assert_error_page(post(client, "decision", case, data), field)
    assert state(case) == before


def test_decision_without_authority_is_refused_on_the_page(client, worker, case):
    case_transition(user=worker, case_id=case.pk, to_status=S.IN_PROGRESS)
    client.force_login(worker)
    before = state(case)
    response = post(
        client, "decision", case, {"outcome": "granted", "rules_applied": "R", "reasons": "G"}
    )
    assert response.status_code == 403
    assert 'data-module="error-summary"' in response.content.decode()
    assert state(case) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_export(client, worker, case, method):
    client.force_login(worker)
    before = AuditEntry.objects.filter(action="export").count()
    response = getattr(client, method)(reverse("cases:export", args=[case.number]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert case.number in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "metadata.json" in archive.namelist()
    assert AuditEntry.objects.filter(action="export").count() == before + 1


def test_a_party_is_added_on_the_case_page(client, worker, case):
    from tests.citizens.factories import CitizenFactory

    client.force_login(worker)
    url = reverse("cases:party", args=[case.number])
    bad = client.post(url, {"cpr": "12", "role": "party"})
    assert bad.status_code == 400
    assert 'href="#party_cpr"' in bad.content.decode()
    assert case.parties.count() == 1
    other = CitizenFactory()
    good = client.post(url, {"cpr": other.cpr, "role": "party"})
    assert good.status_code == 302 and good.url.endswith("#case-parties")
    assert case.parties.filter(citizen=other, role="party").exists()
