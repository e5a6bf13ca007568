"""Export contents: a case for access to records (aktindsigt) and everything held about a
citizen (GDPR art. 15) — the ZIP's files, byte-identical documents, masked CPR numbers,
the audit log of look-ups, one audit entry per export, need-to-know."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from borgerservice.accounts.access import purpose_grant_reason
from borgerservice.accounts.models import AuditEntry, AuditSubject, Authority
from borgerservice.cases.calendar import add_working_days
from borgerservice.cases.documents import document_store, document_version_add, letter_journalise
from borgerservice.cases.exports import (
    case_export,
    citizen_export,
    citizen_export_data,
    safe_filename,
    text_mask,
)
from borgerservice.cases.models import CaseParty, CaseType, Decision, Direction, Hearing
from borgerservice.cases.services import case_create, case_note_add
from borgerservice.catalogue.models import Service
from borgerservice.citizens.cpr import cpr_format, cpr_mask
from borgerservice.citizens.selectors import citizen_get_for_view
from borgerservice.contacts.models import Contact, ContactService
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.outbox.services import letter_send
from tests.accounts.staff import ANALYST, SPECIALIST, make_staff
from tests.citizens.factories import CitizenFactory, RelationFactory

pytestmark = pytest.mark.django_db

PDF_V1 = b"%PDF-1.4\n" + b"ansoegning version 1\n" * 50 + b"%%EOF\n"
PDF_V2 = b"%PDF-1.4\n" + b"ansoegning version 2, rettet\n" * 80 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case_type():
    case_type, _created = CaseType.objects.update_or_create(
        service=Service.objects.get(code="suf-helbredstillaeg"),
        defaults={"name_da": "Helbredstillæg", "name_en": "Health supplement"},
    )
    return case_type


@pytest.fixture
def worker():
    return make_staff(SPECIALIST, username="sagsbehandler-mette")


def zip_of(export) -> zipfile.ZipFile:
    assert export.file.tell() == 0
    data = export.file.read()
    assert len(data) == export.size
    return zipfile.ZipFile(io.BytesIO(data))


def all_text(archive: zipfile.ZipFile) -> str:
    """Every text entry of the archive (JSON and letters) as one string."""
    return "\n".join(
        archive.read(name).decode("utf-8")
        for name in archive.namelist()
        if name.endswith((".json", ".txt"))
    )


@pytest.fixture
def full_case(worker, case_type):
    """A case with two parties, a document in two versions, an image, a letter, a note,
    a hearing and a decision; the other party's CPR number appears in the texts."""
    applicant = CitizenFactory(first_name="Anna", last_name="Ansøger")
    other = CitizenFactory(first_name="Ole", last_name="Anden")
    case = case_create(
        user=worker,
        case_type=case_type,
        citizen=applicant,
        title="Helbredstillæg til briller",
        channel="self_service",
    )
    case.unit.members.add(worker)
    CaseParty.objects.create(case=case, citizen=other, role="party")
    application = document_store(
        user=worker,
        case=case,
        title="Ansøgning",
        direction=Direction.INCOMING,
        filename="ansøgning.pdf",
        content=PDF_V1,
        content_type="application/pdf",
    )
    document_version_add(
        user=worker,
        document_id=application.pk,
        upload=SimpleUploadedFile("ansøgning rettet.pdf", PDF_V2),
    )
    document_store(
        user=worker,
        case=case,
        title=f"Kvittering fra optiker vedr. {cpr_format(other.cpr)}",
        direction=Direction.INCOMING,
        filename=f"kvittering {other.cpr}.png",
        content=PNG,
        content_type="image/png",
    )
    letter = letter_send(
        citizen=applicant,
        subject="Kvittering: din sag",
        body=f"Vi har modtaget din ansøgning. Medansøger: {cpr_format(other.cpr)}.",
        case=case,
    )
    letter_journalise(user=worker, case=case, letter=letter)
    case_note_add(
        user=worker, case_id=case.pk, text=f"Ringede til {other.full_name}, cpr {other.cpr}."
    )
    hearing = Hearing.objects.create(
        case=case,
        facts=f"Oplysninger om {other.cpr[:6]}-{other.cpr[6:]}",
        sent_on=date(2026, 1, 5),
        answer_by=date(2026, 1, 19),
    )
    Decision.objects.create(
        case=case,
        outcome="refused",
        rules_applied="Pensionsloven § 14 a",
        facts="Brillerne er ikke nødvendige.",
        reasons=f"Begrundelse: {other.cpr} har ikke dokumenteret udgiften.",
        complaint_guidance="Du kan klage inden 4 uger.",
        hearing=hearing,
        decided_on=date(2026, 1, 26),
    )
    return case, applicant, other


def test_access_request_case_is_due_seven_working_days_later(worker):
    case_type = CaseType.objects.get(service__code="mff-aktindsigt")
    assert case_type.service.sla_working_days == 7
    assert case_type.processing_days == 7
    # Tuesday 22 December 2026: 24, 25, 26 and 31 December and 1 January are closed days.
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 22, 10)), tick=False):
        today = timezone.localdate()
        case = case_create(
            user=worker,
            case_type=case_type,
            citizen=CitizenFactory(),
            title="Anmodning om aktindsigt",
            channel="email",
        )
    assert case.received_on == today == date(2026, 12, 22)
    assert case.due_on == add_working_days(today, 7) == date(2027, 1, 6)


def test_case_export_contents(full_case, worker):
    case, applicant, other = full_case
    export = case_export(user=worker, case_id=case.pk)
    assert export.filename == f"case-{case.number}.zip"
    assert export.content_type == "application/zip"
    archive = zip_of(export)
    assert archive.testzip() is None
    names = archive.namelist()
    assert archive.read("index.pdf").startswith(b"%PDF")

    meta = json.loads(archive.read("metadata.json"))["case"]
    assert meta["number"] == case.number
    assert meta["title"] == "Helbredstillæg til briller"
    assert meta["status"] == "received"
    assert meta["case_type"]["service"] == "suf-helbredstillaeg"
    assert meta["department"]["code"] == case.department.code
    assert meta["unit"]["code"] == case.unit.code
    assert meta["received_on"] == case.received_on.isoformat()
    assert meta["due_on"] == case.due_on.isoformat()
    assert [(p["role"], p["name"]) for p in meta["parties"]] == [
        ("applicant", applicant.full_name),
        ("party", other.full_name),
    ]
    assert [e["kind"] for e in meta["events"]] == ["created"]
    assert [j["kind"] for j in meta["journal"]] == ["document", "document", "document", "letter"]
    assert [j["number"] for j in meta["journal"]] == [1, 2, 3, 4]
    assert len(meta["notes"]) == 1
    assert meta["hearings"][0]["state"] == "open"
    assert meta["decisions"][0]["outcome"] == "refused"
    assert meta["decisions"][0]["rules_applied"] == "Pensionsloven § 14 a"

    # Every version of every document, byte-identical, its hash as registered.
    documents = meta["documents"]
    assert [len(d["versions"]) for d in documents] == [2, 1]
    originals = {(1, 1): PDF_V1, (1, 2): PDF_V2, (3, 1): PNG}
    for document in documents:
        for version in document["versions"]:
            assert version["path"] in names
            content = archive.read(version["path"])
            assert content == originals[(document["journal_number"], version["number"])]
            assert hashlib.sha256(content).hexdigest() == version["sha256"]
            assert version["size"] == len(content)
            assert "missing" not in version
    assert documents[0]["versions"][0]["path"] == "documents/1-1-ansøgning.pdf"
    assert documents[0]["versions"][1]["path"] == "documents/1-2-ansøgning rettet.pdf"
    # The journal points to the file of each entry: version 1, version 2, the image, the letter.
    assert [j["path"] for j in meta["journal"]] == [
        "documents/1-1-ansøgning.pdf",
        "documents/1-2-ansøgning rettet.pdf",
        documents[1]["versions"][0]["path"],
        "letters/1.txt",
    ]

    letter = archive.read("letters/1.txt").decode()
    assert letter.startswith("Kvittering: din sag\n")
    assert "Vi har modtaget din ansøgning." in letter
    assert meta["letters"][0]["subject"] == "Kvittering: din sag"
    assert sorted(names) == sorted(
        [
            "index.pdf",
            "metadata.json",
            "letters/1.txt",
            *[v["path"] for d in documents for v in d["versions"]],
        ]
    )


def test_case_export_masks_every_cpr_number(full_case, worker):
    case, applicant, other = full_case
    archive = zip_of(case_export(user=worker, case_id=case.pk))
    text = all_text(archive) + "\n".join(archive.namelist())
    for person in (applicant, other):
        assert person.cpr not in text
        assert cpr_format(person.cpr) not in text
    meta = json.loads(archive.read("metadata.json"))["case"]
    assert [p["cpr"] for p in meta["parties"]] == [cpr_mask(applicant.cpr), cpr_mask(other.cpr)]
    masked = cpr_mask(other.cpr)
    assert masked in meta["notes"][0]["text"]
    assert masked in meta["decisions"][0]["reasons"]
    assert masked in meta["hearings"][0]["facts"]
    assert masked in meta["letters"][0]["body"]
    assert masked in archive.read("letters/1.txt").decode()
    assert masked in meta["documents"][1]["title"]
    assert meta["documents"][1]["versions"][0]["path"] == f"documents/3-1-kvittering {masked}.png"


def test_case_export_writes_one_audit_entry(full_case, worker):
    case, applicant, other = full_case
    before = AuditEntry.objects.count()
    case_export(user=worker, case_id=case.pk, channel="api")
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.channel, entry.actor_id) == ("export", "api", worker.pk)
    assert case.number in entry.what
    subjects = set(
        AuditSubject.objects.filter(entry_id=entry.pk).values_list("citizen_id", flat=True)
    )
    assert subjects == {applicant.pk, other.pk}


def test_case_export_for_a_user_who_may_not_see_the_case(full_case):
    case, _applicant, _other = full_case
    outsider = make_staff(SPECIALIST, username="udenforstaaende")
    Authority.objects.filter(user=outsider).delete()
    before = AuditEntry.objects.count()
    with pytest.raises(NotFound) as error:
        case_export(user=outsider, case_id=case.pk)
    assert error.value.code == "case.not_found"
    with pytest.raises(NotFound):
        case_export(user=outsider, case_id=999_999_999)
    with pytest.raises(ServiceError) as error:
        case_export(user=make_staff(ANALYST), case_id=case.pk)
    assert error.value.code == "access.denied"
    assert AuditEntry.objects.count() == before


def test_case_export_marks_a_missing_file(full_case, worker, media):
    case, _applicant, _other = full_case
    version = case.documents.order_by("id").first().versions.get(number=1)
    (media / version.file.name).unlink()
    archive = zip_of(case_export(user=worker, case_id=case.pk))
    meta = json.loads(archive.read("metadata.json"))["case"]
    first = meta["documents"][0]["versions"][0]
    assert first["missing"] is True
    assert first["path"] not in archive.namelist()
    assert archive.read(meta["documents"][0]["versions"][1]["path"]) == PDF_V2


def test_case_export_queries_do_not_grow_with_the_documents(worker, case_type):
    def case_with(documents: int):
        case = case_create(
            user=worker,
            case_type=case_type,
            citizen=CitizenFactory(),
            title="Sag",
            channel="phone",
        )
        for n in range(documents):
            document_store(
                user=worker,
                case=case,
                title=f"Bilag {n}",
                direction=Direction.INCOMING,
                filename=f"bilag-{n}.pdf",
                content=PDF_V1 + str(n).encode(),
                content_type="application/pdf",
            )
        return case

    case_export(user=worker, case_id=case_with(0).pk)  # the user's access is cached after this
    counts = []
    for documents in (2, 25):
        case = case_with(documents)
        with CaptureQueriesContext(connection) as queries:
            archive = zip_of(case_export(user=worker, case_id=case.pk))
        assert len([n for n in archive.namelist() if n.startswith("documents/")]) == documents
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Citizen export (GDPR art. 15) ---------------------------------------------------


@pytest.fixture
def citizen_with_history(full_case, worker):
    case, applicant, other = full_case
    partner = CitizenFactory(first_name="Per", last_name="Partner")
    RelationFactory(from_citizen=applicant, to_citizen=partner)
    contact = Contact.objects.create(
        channel="phone",
        citizen=applicant,
        outcome="resolved",
        note=f"Spurgte om partnerens ({partner.cpr}) ansøgning.",
        started_at=timezone.now() - timedelta(days=3),
    )
    ContactService.objects.create(contact=contact, service=case.case_type.service)
    # Look-ups by a staff member: these must be in the export, without the staff member.
    purpose_grant_reason(user=worker, citizen_id=applicant.pk, reason="Telefonopkald om sagen")
    citizen_get_for_view(user=worker, citizen_id=applicant.pk)
    return case, applicant, other, partner


def test_citizen_export_contents(citizen_with_history, worker):
    case, applicant, other, partner = citizen_with_history
    archive = zip_of(citizen_export(user=worker, citizen_id=applicant.pk))
    names = archive.namelist()
    assert archive.read("index.pdf").startswith(b"%PDF")
    data = json.loads(archive.read("data.json"))

    # The citizen's own CPR number in full; the household member's masked.
    assert data["person"]["cpr"] == cpr_format(applicant.cpr)
    assert data["person"]["last_name"] == "Ansøger"
    assert data["household"] == [
        {"relation": "partner", "name": partner.full_name, "cpr": cpr_mask(partner.cpr)}
    ]
    [contact] = data["contacts"]
    assert contact["channel"] == "phone" and contact["outcome"] == "resolved"
    assert contact["services"][0]["code"] == "suf-helbredstillaeg"
    assert cpr_mask(partner.cpr) in contact["note"]

    [case_data] = data["cases"]
    assert case_data["number"] == case.number and case_data["roles"] == ["applicant"]
    parties = {p["name"]: p["cpr"] for p in case_data["parties"]}
    assert parties == {
        applicant.full_name: cpr_format(applicant.cpr),
        other.full_name: cpr_mask(other.cpr),
    }
    for document in case_data["documents"]:
        for version in document["versions"]:
            assert version["path"].startswith(f"cases/{case.number}/documents/")
            assert hashlib.sha256(archive.read(version["path"])).hexdigest() == version["sha256"]
    assert f"cases/{case.number}/letters/1.txt" in names
    assert [letter["subject"] for letter in data["letters"]] == ["Kvittering: din sag"]
    assert "letters/1.txt" in names
    assert data["purposes"][0]["kind"] == "reason"

    # Other persons' CPR numbers appear nowhere in full; the citizen's own does.
    text = all_text(archive) + "\n".join(names)
    for person in (other, partner):
        assert person.cpr not in text
        assert cpr_format(person.cpr) not in text
    assert cpr_format(applicant.cpr) in text


def test_citizen_export_has_the_audit_log_without_staff_names(citizen_with_history, worker):
    _case, applicant, _other, _partner = citizen_with_history
    looked_up = AuditEntry.objects.filter(subjects__citizen_id=applicant.pk).distinct().count()
    archive = zip_of(citizen_export(user=worker, citizen_id=applicant.pk))
    log = json.loads(archive.read("data.json"))["audit_log"]
    assert len(log) == looked_up > 0
    assert {"view", "change"} <= {row["action"] for row in log}
    view = next(row for row in log if row["action"] == "view")
    assert view["purpose"] == "reason"
    assert set(view) == {"at", "action", "what", "purpose"}
    text = all_text(archive)
    assert worker.get_username() not in text
    assert "sagsbehandler" not in text


def test_citizen_export_writes_one_audit_entry(citizen_with_history, worker):
    _case, applicant, other, partner = citizen_with_history
    before = AuditEntry.objects.count()
    citizen_export(user=worker, citizen_id=applicant.pk)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "export" and entry.purpose_kind == "reason"
    subjects = list(
        AuditSubject.objects.filter(entry_id=entry.pk).values_list("citizen_id", flat=True)
    )
    assert set(subjects) == {applicant.pk, other.pk, partner.pk}


def test_citizen_export_needs_a_purpose(full_case):
    _case, applicant, _other = full_case
    stranger = make_staff(SPECIALIST, username="uden-formaal")
    before = AuditEntry.objects.count()
    with pytest.raises(ServiceError) as error:
        citizen_export(user=stranger, citizen_id=applicant.pk)
    assert error.value.code == "access.purpose_required"
    with pytest.raises(NotFound):
        citizen_export(user=stranger, citizen_id=999_999_999)
    assert AuditEntry.objects.count() == before


def test_citizen_export_data_for_the_portal(citizen_with_history):
    _case, applicant, _other, partner = citizen_with_history
    before = AuditEntry.objects.count()
    data = citizen_export_data(applicant)
    assert data["person"]["cpr"] == cpr_format(applicant.cpr)
    assert data["household"][0]["cpr"] == cpr_mask(partner.cpr)
    json.dumps(data, default=str)  # JSON-ready
    assert AuditEntry.objects.count() == before


# --- Masking --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cpr 0102031234 her", "cpr 010203-XXXX her"),
        ("cpr 010203-1234.", "cpr 010203-XXXX."),
        ("cpr 010203 1234", "cpr 010203-XXXX"),
        ("999999-1234", "999999-XXXX"),  # the DDMMYY-XXXX form is masked whatever the date
        ("tlf 12345678, konto 9999991234", "tlf 12345678, konto 9999991234"),  # no date
        ("sag 2026-000123", "sag 2026-000123"),
        ("12345678901", "12345678901"),  # eleven digits: not a CPR number
        ("290200-1234 og 3102001234", "290200-XXXX og 3102001234"),
    ],
)
def test_text_mask(text, expected):
    assert text_mask(text) == expected


def test_text_mask_keeps_the_citizens_own_number():
    text = "0102031234 og 0203041234 og 010203-1234"
    assert text_mask(text, keep=frozenset({"0102031234"})) == (
        "0102031234 og 020304-XXXX og 010203-1234"
    )


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\a\\brev.pdf") == "brev.pdf"
    assert safe_filename('a<b>:"c"|?*.pdf') == "a_b_c_.pdf"
    assert safe_filename("") == "file"
    long = safe_filename("x" * 300 + ".pdf")
    assert len(long) == 100 and long.endswith(".pdf")
    assert safe_filename("scan 0102031234.pdf") == "scan 010203-XXXX.pdf"


def test_index_pdf_shows_no_full_cpr_number(full_case, worker, monkeypatch):
    from borgerservice.cases import exports

    case, applicant, other = full_case
    shown: list[str] = []
    original = exports._IndexPdf._text

    def recording(self, text):
        shown.append(str(text))
        return original(self, text)

    monkeypatch.setattr(exports._IndexPdf, "_text", recording)
    archive = zip_of(case_export(user=worker, case_id=case.pk))
    assert archive.read("index.pdf").startswith(b"%PDF")
    text = "\n".join(shown)
    assert case.number in text and "Helbredstillæg til briller" in text
    assert "documents/1-2-ansøgning rettet.pdf" in text  # the journal's file column
    assert cpr_mask(applicant.cpr) in text and cpr_mask(other.cpr) in text
    for person in (applicant, other):
        assert person.cpr not in text and cpr_format(person.cpr) not in text


def test_the_one_view_offers_the_gdpr_export(client):
    """The one view's export button gives the ZIP to staff with a purpose, and sends
    staff without one to the purpose page."""
    import io
    import zipfile

    from django.urls import reverse

    from borgerservice.accounts.access import purpose_grant_reason
    from tests.accounts.staff import FRONT_OFFICE, make_staff
    from tests.citizens.factories import CitizenFactory

    staff = make_staff(FRONT_OFFICE, username="gdpr-staff")
    citizen = CitizenFactory()
    client.force_login(staff)
    url = reverse("citizens:export", args=[citizen.pk])
    refused = client.post(url)
    assert refused.status_code == 302 and refused.url.endswith(f"/{citizen.pk}/")
    purpose_grant_reason(user=staff, citizen_id=citizen.pk, reason="Anmodning om indsigt (art. 15)")
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "data.json" in archive.namelist() and "index.pdf" in archive.namelist()
    page = client.get(reverse("citizens:detail", args=[citizen.pk])).content.decode()
    assert url in page
    assert client.get(url).status_code == 405
