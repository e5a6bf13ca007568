"""The /api/v1/ case endpoints: the inbox with paging and filters, creating a case, one case
(masked CPR, one audit entry), transitions (allowed, and 409 for forbidden), extension,
assignment, transfer, notes, documents with versions and downloads, hearings, decisions,
exports, need-to-know (404 for a case you may not see, 403 for roles without persons),
unknown parameters, bearer tokens and the OpenAPI document."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openapi_spec_validator import validate

from borgerservice.accounts.access import purpose_grant_reason
from borgerservice.accounts.models import AuditEntry, Authority
from borgerservice.api.auth import api_token_create
from borgerservice.cases import workflow
from borgerservice.cases.models import Case, CaseDocument, CaseEvent, DocumentVersion, Unit
from borgerservice.cases.services import case_assign, case_transition
from borgerservice.catalogue.models import Service
from tests.accounts.staff import ANALYST, SPECIALIST, make_staff
from tests.cases.test_cases import helbredstillaeg_type, new_case
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db
S = workflow.Status
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF_2 = b"%PDF-1.4\n% version two\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    settings.DOCUMENT_SCANNER = ""
    return root


@pytest.fixture
def case_type():
    return helbredstillaeg_type()


@pytest.fixture
def worker():
    return make_staff(SPECIALIST)


@pytest.fixture
def case(worker, case_type):
    case = new_case(worker, case_type, received_on=timezone.localdate())
    case.unit.members.add(worker)
    return case


@pytest.fixture
def api(client, worker):
    client.force_login(worker)
    return client


def post(client, path, data=None, **extra):
    return client.post(f"/api/v1{path}", data or {}, content_type="application/json", **extra)


def upload(client, number, content=PDF, name="erklaering.pdf", title="Lægeerklæring"):
    return client.post(
        f"/api/v1/cases/{number}/documents",
        {"title": title, "direction": "in", "file": io_file(content, name)},
    )


def io_file(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def outsider():
    """A person-role user with no authority and no unit: sees no case."""
    user = make_staff(SPECIALIST, username="outsider")
    Authority.objects.filter(user=user).delete()
    return user


# --- the inbox -----------------------------------------------------------------------


def test_inbox_lists_open_cases_by_due_date_without_personal_data(api, worker, case_type):
    today = timezone.localdate()
    late = new_case(worker, case_type, received_on=today - timedelta(days=40))
    fresh = new_case(worker, case_type, received_on=today)
    closed = new_case(worker, case_type, received_on=today - timedelta(days=5))
    for step in (S.IN_PROGRESS, S.DECIDED, S.CLOSED):
        case_transition(user=worker, case_id=closed.pk, to_status=step)
    late.unit.members.add(worker)
    response = api.get("/api/v1/cases")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count", "page", "has_next"}
    assert [item["number"] for item in body["items"]] == [late.number, fresh.number]
    assert body["count"] == 2 and body["page"] == 1 and body["has_next"] is False
    item = body["items"][0]
    assert set(item) == {
        "number",
        "title",
        "status",
        "status_text",
        "case_type",
        "department",
        "unit",
        "caseworker",
        "received_on",
        "due_on",
        "sla_state",
    }
    assert item["case_type"] == "suf-helbredstillaeg"
    assert item["unit"] == late.unit.code and item["sla_state"] == "breached"
    assert item["status"] == "received" and item["status_text"]
    text = response.content.decode()
    for party in (late.parties.get().citizen, fresh.parties.get().citizen):
        assert party.cpr[:6] not in text and party.last_name not in text


def test_inbox_pages_and_filters(api, worker, case_type, django_assert_max_num_queries):
    today = timezone.localdate()
    cases = [new_case(worker, case_type, received_on=today) for _ in range(51)]
    cases[0].unit.members.add(worker)
    with django_assert_max_num_queries(12):  # no query per row
        first = api.get("/api/v1/cases").json()
    assert len(first["items"]) == 50 and first["count"] == 51 and first["has_next"] is True
    second = api.get("/api/v1/cases", {"page": 2}).json()
    assert len(second["items"]) == 1 and second["has_next"] is False
    assert second["items"][0]["number"] not in {i["number"] for i in first["items"]}

    case_transition(user=worker, case_id=cases[1].pk, to_status=S.IN_PROGRESS)
    case_assign(user=worker, case_id=cases[2].pk, caseworker=worker)
    by_status = api.get("/api/v1/cases", {"status": "in_progress"}).json()
    assert [i["number"] for i in by_status["items"]] == [cases[1].number]
    by_worker = api.get("/api/v1/cases", {"caseworker": worker.username}).json()
    assert [i["number"] for i in by_worker["items"]] == [cases[2].number]
    mine = api.get("/api/v1/cases", {"mine": "true"}).json()
    assert [i["number"] for i in mine["items"]] == [cases[2].number]
    assert mine["items"][0]["caseworker"] == worker.username
    on_track = api.get("/api/v1/cases", {"sla": "on_track", "unit": cases[0].unit.code}).json()
    assert on_track["count"] == 51
    assert api.get("/api/v1/cases", {"sla": "breached"}).json()["count"] == 0

    for params, field in (
        ({"status": "nonsense"}, "status"),
        ({"sla": "late"}, "sla"),
        ({"caseworker": "nobody"}, "caseworker"),
        ({"page": 0}, "page"),
    ):
        response = api.get("/api/v1/cases", params)
        assert response.status_code == 400, params
        assert response.json()["field"] == field
    other = Unit.objects.exclude(pk=cases[0].unit_id).first()
    response = api.get("/api/v1/cases", {"unit": other.code})
    assert response.status_code == 404
    assert api.get("/api/v1/cases", {"unit": "no-such-unit"}).json() == response.json()


def test_unknown_query_parameter_is_refused(api, case):
    for path in ("/cases", f"/cases/{case.number}", f"/cases/{case.number}/documents"):
        response = api.get(f"/api/v1{path}", {"sort": "x"})
        assert response.status_code == 400, path
        assert response.json()["code"] == "request.unknown_parameter"
        assert response.json()["field"] == "sort"


# --- creating and reading a case -----------------------------------------------------


def test_create_a_case(api, worker):
    citizen = CitizenFactory()
    body = {
        "service": "suf-helbredstillaeg",
        "citizen_id": citizen.pk,
        "title": "Ansøgning om helbredstillæg",
        "channel": "self_service",
    }
    response = post(api, "/cases", body)
    assert response.status_code == 403  # no purpose for the citizen yet
    assert response.json()["code"] == "access.purpose_required"
    assert not Case.objects.exists()

    purpose_grant_reason(user=worker, citizen_id=citizen.pk, reason="Borgeren har ringet ind")
    helbredstillaeg_type()
    response = post(api, "/cases", {**body, "confidentiality": "confidential"})
    assert response.status_code == 201, response.content
    created = response.json()
    case = Case.objects.get()
    assert created["number"] == case.number
    assert created["status"] == "received" and created["unit"] == case.unit.code
    assert created["confidentiality"] == "confidential"
    assert created["parties"] == [
        {
            "citizen_id": citizen.pk,
            "name": citizen.full_name,
            "cpr_masked": f"{citizen.cpr[:6]}-XXXX",
            "role": "applicant",
        }
    ]
    assert created["deadline"]["target_days"] == 10
    assert [t["to_status"] for t in created["allowed_transitions"]] == ["in_progress"]

    transfer_unit = Unit.objects.get(code="okf-borgerservice")
    response = post(api, "/cases", {**body, "unit": transfer_unit.code})
    assert response.status_code == 201
    assert response.json()["unit"] == "okf-borgerservice"
    assert response.json()["department"] == transfer_unit.department.code


def test_create_refuses_bad_input_and_stores_nothing(api, worker):
    citizen = CitizenFactory()
    purpose_grant_reason(user=worker, citizen_id=citizen.pk, reason="Borgeren har ringet ind")
    no_case_type = Service.objects.filter(case_type__isnull=True).first()
    body = {
        "service": "suf-helbredstillaeg",
        "citizen_id": citizen.pk,
        "title": "Ansøgning",
        "channel": "phone",
    }
    for change, code, field in (
        ({"service": no_case_type.code}, "case.service_not_casework", "service"),
        ({"service": "no-such-service"}, "case.service_unknown", "service"),
        ({"citizen_id": 999999999}, "case.citizen_unknown", "citizen_id"),
        ({"unit": "no-such-unit"}, "case.unit_unknown", "unit"),
        ({"title": "   "}, "case.title_missing", "title"),
        ({"channel": "pigeon"}, "request.invalid", "channel"),
    ):
        response = post(api, "/cases", {**body, **change})
        assert response.status_code == 400, change
        assert response.json()["code"] == code and response.json()["field"] == field
    assert not Case.objects.exists()


def test_detail_shows_masked_cpr_only_and_writes_one_audit_entry(api, worker, case):
    citizen = case.parties.get().citizen
    before = AuditEntry.objects.count()
    response = api.get(f"/api/v1/cases/{case.number}")
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "view" and entry.channel == "api" and entry.citizen_count == 1
    assert entry.actor_username == worker.username and case.number in entry.what
    body = response.json()
    assert body["parties"][0]["cpr_masked"] == f"{citizen.cpr[:6]}-XXXX"
    assert citizen.cpr not in response.content.decode()
    # The last four digits could occur by chance (in a case number), never after the date.
    assert f"{citizen.cpr[:6]}-{citizen.cpr[6:]}" not in response.content.decode()
    deadline = body["deadline"]
    assert set(deadline) == {
        "due_on",
        "remaining_days",
        "state",
        "paused_days",
        "extension_days",
        "target_days",
    }
    assert deadline["due_on"] == case.due_on.isoformat() and deadline["state"] == "on_track"
    assert [(t["to_status"], t["action"]) for t in body["allowed_transitions"]] == [
        ("in_progress", "start")
    ]
    assert body["allowed_transitions"][0]["label"]
    assert [e["kind"] for e in body["events"]] == ["created"]
    assert body["journal"] == [] and body["notes"] == []


def test_case_you_may_not_see_is_reported_as_missing(client, case):
    client.force_login(outsider())
    missing = client.get("/api/v1/cases/2026-999999")
    assert missing.status_code == 404
    before = AuditEntry.objects.count()
    for method, path in (
        ("get", f"/cases/{case.number}"),
        ("get", f"/cases/{case.number}/journal"),
        ("get", f"/cases/{case.number}/documents"),
        ("get", f"/cases/{case.number}/decisions"),
        ("get", f"/cases/{case.number}/export"),
        ("post", f"/cases/{case.number}/transitions"),
        ("post", f"/cases/{case.number}/notes"),
    ):
        if method == "get":
            response = client.get(f"/api/v1{path}")
        else:
            body = {"to_status": "in_progress", "text": "x"}
            response = post(client, path, body)
        assert response.status_code == 404, path
        assert response.json() == missing.json(), path
    assert AuditEntry.objects.count() == before
    case.refresh_from_db()
    assert case.status == S.RECEIVED and not case.notes.exists()
    for odd in ("%00", "x" * 40, "2026-00001%27"):  # NUL bytes are refused as 400
        response = client.get(f"/api/v1/cases/{odd}")
        assert response.status_code in (400, 404), odd
        assert response.json()["code"]


def test_roles_without_persons_and_anonymous_callers_are_refused(client, case):
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{case.number}").json()["code"] == "auth.required"
    client.force_login(make_staff(ANALYST))
    for path in ("/cases", f"/cases/{case.number}", f"/cases/{case.number}/documents"):
        response = client.get(f"/api/v1{path}")
        assert response.status_code == 403, path
        assert response.json()["code"] == "access.denied"


def test_bearer_token_acts_as_the_staff_member(client, worker, case):
    key = api_token_create(user=worker, name="integration")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/cases", **auth).json()["items"][0]["number"] == case.number
    response = post(
        client, f"/cases/{case.number}/transitions", {"to_status": "in_progress"}, **auth
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    bad = {"HTTP_AUTHORIZATION": "Bearer bs_wrong"}
    assert client.get("/api/v1/cases", **bad).status_code == 401


# --- actions -------------------------------------------------------------------------


def test_allowed_and_forbidden_transitions(api, case):
    response = post(api, f"/cases/{case.number}/transitions", {"to_status": "in_progress"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert {t["to_status"] for t in body["allowed_transitions"]} == {
        "awaiting_citizen",
        "decided",
    }
    assert body["events"][-1]["from_status"] == "received"
    events = CaseEvent.objects.filter(case=case).count()
    response = post(api, f"/cases/{case.number}/transitions", {"to_status": "closed"})
    assert response.status_code == 409
    assert response.json()["code"] == "case.transition_not_allowed"
    assert response.json()["message"]
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS
    assert CaseEvent.objects.filter(case=case).count() == events
    response = post(api, f"/cases/{case.number}/transitions", {"to_status": "paused"})
    assert response.status_code == 400 and response.json()["field"] == "to_status"
    response = post(
        api,
        f"/cases/{case.number}/transitions",
        {"to_status": "awaiting_citizen", "reason": "Mangler lægeerklæring"},
    )
    assert response.status_code == 200
    assert response.json()["deadline"]["state"] == "paused"
    assert response.json()["events"][-1]["reason"] == "Mangler lægeerklæring"


def test_extension_needs_a_reason(api, case):
    due = case.due_on
    events = CaseEvent.objects.filter(case=case).count()
    for body, field in (({"days": 5}, "reason"), ({"days": 99, "reason": "x"}, "days")):
        response = post(api, f"/cases/{case.number}/extensions", body)
        assert response.status_code == 400, body
        assert response.json()["field"] == field
    case.refresh_from_db()
    assert case.due_on == due and CaseEvent.objects.filter(case=case).count() == events
    response = post(
        api, f"/cases/{case.number}/extensions", {"days": 5, "reason": "Venter på udtalelse"}
    )
    assert response.status_code == 200
    assert response.json()["deadline"]["extension_days"] == 5
    case.refresh_from_db()
    assert case.due_on > due


def test_assignment(api, worker, case):
    response = post(api, f"/cases/{case.number}/assignment", {"caseworker": worker.username})
    assert response.status_code == 200 and response.json()["caseworker"] == worker.username
    stranger = make_staff(SPECIALIST, username="stranger")
    response = post(api, f"/cases/{case.number}/assignment", {"caseworker": stranger.username})
    assert response.status_code == 400
    assert response.json()["code"] == "case.caseworker_not_in_unit"
    response = post(api, f"/cases/{case.number}/assignment", {"caseworker": "nobody"})
    assert response.status_code == 400 and response.json()["field"] == "caseworker"
    response = post(api, f"/cases/{case.number}/assignment", {"caseworker": None})
    assert response.status_code == 200 and response.json()["caseworker"] is None


def test_transfer_keeps_everything_and_needs_a_reason(api, worker, case):
    post(api, f"/cases/{case.number}/notes", {"text": "Ringede om status"})
    target = Unit.objects.exclude(pk=case.unit_id).order_by("code").first()
    response = post(api, f"/cases/{case.number}/transfer", {"unit": target.code})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    response = post(api, f"/cases/{case.number}/transfer", {"unit": "nowhere", "reason": "x"})
    assert response.status_code == 400 and response.json()["field"] == "unit"
    case.refresh_from_db()
    assert case.unit_id != target.pk
    response = post(
        api, f"/cases/{case.number}/transfer", {"unit": target.code, "reason": "Hører til BS"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == target.code and body["department"] == target.department.code
    assert body["events"][-1]["kind"] == "transfer"
    assert body["events"][-1]["to_unit"] == target.code
    assert [n["text"] for n in body["notes"]] == ["Ringede om status"]


def test_notes(api, worker, case):
    response = post(api, f"/cases/{case.number}/notes", {"text": "  Borgeren ringede.  "})
    assert response.status_code == 201
    assert response.json()["text"] == "Borgeren ringede."
    assert response.json()["author"] == worker.username
    response = post(api, f"/cases/{case.number}/notes", {"text": " "})
    assert response.status_code == 400 and response.json()["field"] == "text"
    assert case.notes.count() == 1


# --- documents -----------------------------------------------------------------------


def test_upload_list_version_and_download(api, worker, case, media):
    response = upload(api, case.number)
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["title"] == "Lægeerklæring" and document["direction"] == "in"
    [version] = document["versions"]
    assert version["content_type"] == "application/pdf" and version["size"] == len(PDF)
    journal = api.get(f"/api/v1/cases/{case.number}/journal").json()
    assert journal["count"] == 1 and journal["items"][0]["document_id"] == document["id"]
    assert journal["items"][0]["number"] == 1

    before = AuditEntry.objects.count()
    content = api.get(version["content"])
    assert content.status_code == 200
    assert b"".join(content.streaming_content) == PDF
    assert content["Content-Type"] == "application/pdf"
    assert "attachment" in content["Content-Disposition"]
    assert AuditEntry.objects.count() == before + 1

    response = api.post(
        f"/api/v1/cases/{case.number}/documents/{document['id']}/versions",
        {"file": io_file(PDF_2, "erklaering-2.pdf")},
    )
    assert response.status_code == 201, response.content
    assert [v["number"] for v in response.json()["versions"]] == [1, 2]
    second = api.get(response.json()["versions"][1]["content"])
    assert b"".join(second.streaming_content) == PDF_2
    listed = api.get(f"/api/v1/cases/{case.number}/documents").json()
    assert listed["count"] == 1 and len(listed["items"][0]["versions"]) == 2

    missing = f"/api/v1/cases/{case.number}/documents/{document['id']}/versions/9/content"
    assert api.get(missing).status_code == 404
    other = new_case(worker, helbredstillaeg_type())
    foreign = f"/api/v1/cases/{other.number}/documents/{document['id']}/versions/1/content"
    assert api.get(foreign).status_code == 404


def test_wrong_type_oversize_and_missing_file_are_refused_with_nothing_stored(
    api, case, media, settings
):
    for content, name in ((EXE, "program.exe"), (EXE, "forklaedt.pdf")):
        response = upload(api, case.number, content=content, name=name)
        assert response.status_code == 415, name
        assert response.json()["code"] == "document.type_not_allowed"
        assert response.json()["field"] == "file" and response.json()["message"]
    settings.DOCUMENT_MAX_BYTES = 20
    response = upload(api, case.number)
    assert response.status_code == 413 and response.json()["field"] == "file"
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    response = api.post(
        f"/api/v1/cases/{case.number}/documents", {"title": "Uden fil", "direction": "in"}
    )
    assert response.status_code == 400 and response.json()["field"] == "file"
    response = upload(api, case.number, title="")
    assert response.status_code == 400
    assert not CaseDocument.objects.exists() and not DocumentVersion.objects.exists()
    assert not case.journal.exists()
    assert stored_files(media) == []


# --- hearings, decisions and exports -------------------------------------------------


def test_hearing_then_decision_makes_the_case_decided(api, case):
    post(api, f"/cases/{case.number}/transitions", {"to_status": "in_progress"})
    answer_by = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = post(
        api,
        f"/cases/{case.number}/hearings",
        {"facts": "Oplysninger om din formue", "answer_by": answer_by},
    )
    assert response.status_code == 201, response.content
    hearing = response.json()
    assert hearing["state"] == "open" and hearing["answer_by"] == answer_by
    response = post(
        api,
        f"/cases/{case.number}/decisions",
        {"outcome": "refused", "rules_applied": "§ 14", "reasons": "Formuen er for høj"},
    )
    assert response.status_code == 409 and response.json()["code"] == "decision.hearing_open"
    response = post(
        api, f"/cases/{case.number}/hearings/{hearing['id']}/answer", {"answer": "Ingen formue"}
    )
    assert response.status_code == 200 and response.json()["state"] == "answered"
    assert api.get(f"/api/v1/cases/{case.number}/hearings").json()["count"] == 1

    response = post(
        api,
        f"/cases/{case.number}/decisions",
        {
            "outcome": "granted",
            "rules_applied": "Pensionsloven § 14 a",
            "reasons": "Betingelserne er opfyldt",
            "facts": "Ansøgning og lægeerklæring",
        },
    )
    assert response.status_code == 201, response.content
    decision = response.json()
    assert decision["outcome"] == "granted" and decision["letter_document_id"]
    assert decision["decided_on"] == timezone.localdate().isoformat()
    assert decision["hearing_id"] == hearing["id"]
    case.refresh_from_db()
    assert case.status == S.DECIDED
    listed = api.get(f"/api/v1/cases/{case.number}/decisions").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == decision["id"]
    detail = api.get(f"/api/v1/cases/{case.number}").json()
    assert detail["status"] == "decided"
    assert {"hearing", "decision"} <= {entry["kind"] for entry in detail["journal"]}


def test_decision_input_is_checked(api, case):
    response = post(
        api,
        f"/cases/{case.number}/decisions",
        {"outcome": "granted", "rules_applied": "§ 1", "reasons": "Fordi"},
    )
    assert response.status_code == 409  # received, not in progress
    post(api, f"/cases/{case.number}/transitions", {"to_status": "in_progress"})
    response = post(
        api,
        f"/cases/{case.number}/decisions",
        {"outcome": "maybe", "rules_applied": "§ 1", "reasons": "Fordi"},
    )
    assert response.status_code == 400 and response.json()["field"] == "outcome"
    response = post(
        api,
        f"/cases/{case.number}/decisions",
        {"outcome": "granted", "rules_applied": "§ 1", "reasons": " "},
    )
    assert response.status_code == 400 and response.json()["field"] == "reasons"
    assert not case.decisions.exists()


def test_case_export_is_a_zip(api, case):
    upload(api, case.number)
    response = api.get(f"/api/v1/cases/{case.number}/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert any(name.endswith(".pdf") for name in names)
    assert any(name.endswith(".json") for name in names)
    citizen = case.parties.get().citizen
    for name in names:
        assert citizen.cpr.encode() not in archive.read(name), name


def test_citizen_export_needs_a_purpose_and_is_a_zip(api, worker, case):
    citizen = case.parties.get().citizen
    response = api.get(f"/api/v1/citizens/{citizen.pk}/export")
    assert response.status_code == 403
    purpose_grant_reason(user=worker, citizen_id=citizen.pk, reason="Anmodning om indsigt")
    before = AuditEntry.objects.count()
    response = api.get(f"/api/v1/citizens/{citizen.pk}/export")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist()
    assert AuditEntry.objects.filter(action="export", channel="api").count() == 1
    assert AuditEntry.objects.count() == before + 1
    assert api.get("/api/v1/citizens/999999999/export").status_code == 404


# --- the OpenAPI document ------------------------------------------------------------


def test_openapi_describes_the_case_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    paths = spec["paths"]
    for path, method in (
        ("/api/v1/cases", "get"),
        ("/api/v1/cases", "post"),
        ("/api/v1/cases/{number}", "get"),
        ("/api/v1/cases/{number}/transitions", "post"),
        ("/api/v1/cases/{number}/extensions", "post"),
        ("/api/v1/cases/{number}/assignment", "post"),
        ("/api/v1/cases/{number}/transfer", "post"),
        ("/api/v1/cases/{number}/notes", "post"),
        ("/api/v1/cases/{number}/journal", "get"),
        ("/api/v1/cases/{number}/documents", "get"),
        ("/api/v1/cases/{number}/documents", "post"),
        ("/api/v1/cases/{number}/documents/{document_id}/versions", "post"),
        ("/api/v1/cases/{number}/documents/{document_id}/versions/{version}/content", "get"),
        ("/api/v1/cases/{number}/hearings", "post"),
        ("/api/v1/cases/{number}/hearings/{hearing_id}/answer", "post"),
        ("/api/v1/cases/{number}/decisions", "get"),
        ("/api/v1/cases/{number}/decisions", "post"),
        ("/api/v1/cases/{number}/export", "get"),
        ("/api/v1/citizens/{citizen_id}/export", "get"),
    ):
        assert method in paths.get(path, {}), (method, path)
        assert "404" in paths[path][method]["responses"], (method, path)
    transition = paths["/api/v1/cases/{number}/transitions"]["post"]["responses"]
    assert {"200", "400", "403", "404", "409"} <= set(transition)
    upload_body = paths["/api/v1/cases/{number}/documents"]["post"]["requestBody"]
    assert "multipart/form-data" in upload_body["content"]
    export = paths["/api/v1/cases/{number}/export"]["get"]["responses"]["200"]
    assert "application/zip" in export["content"]
    content = paths["/api/v1/cases/{number}/documents/{document_id}/versions/{version}/content"]
    assert "application/octet-stream" in content["get"]["responses"]["200"]["content"]
    index = client.get("/api/v1/").json()
    assert index["resources"]["cases"] == "/api/v1/cases"


def test_errors_come_in_the_clients_language(api, case):
    response = post(api, f"/cases/{case.number}/extensions", {"days": 5}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "An extension needs a reason."


def test_received_on_in_the_past_counts_from_that_day(api, worker):
    citizen = CitizenFactory()
    purpose_grant_reason(user=worker, citizen_id=citizen.pk, reason="Borgeren har ringet ind")
    helbredstillaeg_type()
    response = post(
        api,
        "/cases",
        {
            "service": "suf-helbredstillaeg",
            "citizen_id": citizen.pk,
            "title": "Helbredstillæg",
            "channel": "letter",
            "received_on": "2026-11-02",
        },
    )
    assert response.status_code == 201
    assert response.json()["received_on"] == "2026-11-02"
    assert response.json()["deadline"]["due_on"] == date(2026, 11, 16).isoformat()


def test_add_a_party_by_cpr(api, case):
    from tests.citizens.factories import CitizenFactory

    other = CitizenFactory()
    bad = post(api, f"/cases/{case.number}/parties", {"cpr": "12", "role": "party"})
    assert bad.status_code == 400 and bad.json()["field"] == "cpr"
    response = post(
        api, f"/cases/{case.number}/parties", {"cpr": other.cpr, "role": "representative"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["role"] == "representative" and body["cpr_masked"].endswith("-XXXX")
    assert other.cpr not in response.content.decode()
    assert case.parties.count() == 2
