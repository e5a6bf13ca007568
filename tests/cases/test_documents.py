"""Documents on a case: every accepted type stored and journalised, versions, the size and
type limits (nothing stored when refused: no rows and no files), the malware scan hook,
access, the audit of opening a document, notes, and the storage backend setting."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.utils import timezone

from borgerservice.accounts.models import AuditEntry
from borgerservice.cases import documents
from borgerservice.cases.documents import (
    allowed_types_text,
    document_current,
    document_files_orphaned,
    document_open,
    document_upload,
    document_version_add,
    filename_clean,
)
from borgerservice.cases.models import CaseDocument, CaseNote, DocumentVersion, JournalEntry
from borgerservice.cases.scanning import NoScanner, Scanner, ScanVerdict, current_scanner
from borgerservice.cases.services import case_note_add
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.core.storage import S3_BACKEND, storage_settings
from tests.accounts.staff import FRONT_OFFICE, SPECIALIST, make_staff
from tests.cases.test_cases import helbredstillaeg_type, new_case

pytestmark = pytest.mark.django_db

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 20
EML = (
    b"From: Borger <borger@example.dk>\r\n"
    b"To: sager@kk.dk\r\n"
    b"Subject: Laegeerklaering\r\n"
    b"Date: Mon, 2 Nov 2026 10:00:00 +0100\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hermed laegeerklaeringen.\r\n"
)
ZIP = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


class EicarScanner(Scanner):
    """A fake scanner that finds the EICAR test string."""

    name = "fake"

    def scan(self, *, filename: str, content: bytes) -> ScanVerdict:
        if EICAR in content:
            return ScanVerdict(clean=False, detail="Eicar-Test-Signature")
        return ScanVerdict(clean=True, detail="")


class BrokenScanner(Scanner):
    name = "broken"

    def scan(self, *, filename: str, content: bytes) -> ScanVerdict:
        raise ConnectionRefusedError("clamd is down")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    settings.DOCUMENT_SCANNER = ""
    return root


@pytest.fixture
def worker():
    return make_staff(SPECIALIST)


@pytest.fixture
def case(worker):
    return new_case(worker, helbredstillaeg_type())


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def counts() -> tuple[int, int, int]:
    return (
        CaseDocument.objects.count(),
        DocumentVersion.objects.count(),
        JournalEntry.objects.count(),
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def add(worker, case, name, content, *, title="Lægeerklæring", direction="in", on=None):
    return document_upload(
        user=worker,
        case_id=case.pk,
        title=title,
        direction=direction,
        upload=upload(name, content),
        on=on,
    )


ACCEPTED = [
    ("ansoegning.pdf", PDF, "application/pdf"),
    ("kvittering.png", PNG, "image/png"),
    ("foto.JPG", JPEG, "image/jpeg"),
    ("foto.jpeg", JPEG, "image/jpeg"),
    ("skitse.gif", GIF, "image/gif"),
    ("scanning.tiff", TIFF, "image/tiff"),
    ("scanning.tif", TIFF, "image/tiff"),
    ("mail fra borger.eml", EML, "message/rfc822"),
]


def test_every_accepted_type_is_stored_and_journalised_in_order(worker, case, media):
    for index, (name, content, content_type) in enumerate(ACCEPTED, start=1):
        document = add(worker, case, name, content, title=f"Bilag {index}")
        version = document_current(document)
        assert version.number == 1
        assert version.content_type == content_type
        assert version.size == len(content)
        assert version.filename == name
        assert version.scan == DocumentVersion.Scan.NOT_SCANNED
        with version.file.open("rb") as handle:
            assert handle.read() == content
        # The stored name carries no personal data: case, document, version, ending.
        assert version.file.name.startswith(f"cases/{case.pk}/{document.pk}-v1.")
    journal = list(case.journal.order_by("number"))
    assert [entry.number for entry in journal] == list(range(1, len(ACCEPTED) + 1))
    assert [entry.title for entry in journal] == [f"Bilag {i}" for i in range(1, 9)]
    assert {entry.kind for entry in journal} == {JournalEntry.Kind.DOCUMENT}
    assert all(entry.document_id for entry in journal)
    assert len(stored_files(media)) == len(ACCEPTED)


def test_the_journal_entry_has_the_direction_and_date(worker, case):
    received = timezone.localdate() - timedelta(days=3)
    document = add(
        worker, case, "brev.pdf", PDF, title="Brev til borger", direction="out", on=received
    )
    entry = JournalEntry.objects.get(document=document)
    assert (entry.number, entry.direction, entry.on, entry.title) == (
        1,
        "out",
        received,
        "Brev til borger",
    )
    assert document.document_date == received
    internal = add(worker, case, "notat.pdf", PDF, title="Internt notat", direction="internal")
    assert JournalEntry.objects.get(document=internal).number == 2


def test_upload_writes_a_change_audit_entry_with_the_parties(worker, case):
    before = AuditEntry.objects.filter(action="change").count()
    add(worker, case, "a.pdf", PDF)
    entries = AuditEntry.objects.filter(action="change").order_by("-id")
    assert entries.count() == before + 1
    entry = entries.first()
    assert entry.citizen_count == 1
    assert case.number in entry.what


def test_versions_are_numbered_and_journalised(worker, case, media):
    document = add(worker, case, "ansoegning.pdf", PDF, title="Ansøgning")
    second = document_version_add(
        user=worker, document_id=document.pk, upload=upload("ansoegning-rettet.pdf", PDF + b"2")
    )
    third = document_version_add(user=worker, document_id=document.pk, upload=upload("s.tif", TIFF))
    assert (second.number, third.number) == (2, 3)
    assert document_current(document) == third
    assert third.content_type == "image/tiff"
    titles = list(case.journal.order_by("number").values_list("number", "title"))
    assert titles == [(1, "Ansøgning"), (2, "Ansøgning (version 2)"), (3, "Ansøgning (version 3)")]
    assert len(stored_files(media)) == 3
    assert document_files_orphaned(case_id=case.pk) == []


def test_a_refused_version_leaves_nothing(worker, case, media):
    document = add(worker, case, "a.pdf", PDF)
    before, files = counts(), stored_files(media)
    with pytest.raises(ServiceError) as error:
        document_version_add(user=worker, document_id=document.pk, upload=upload("b.pdf", ZIP))
    assert error.value.code == "document.type_not_allowed"
    assert counts() == before
    assert stored_files(media) == files


def test_oversize_upload_is_rejected_with_nothing_stored(worker, case, media, settings):
    settings.DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
    before = counts()
    big = PDF + b"0" * (2 * 1024 * 1024)
    with pytest.raises(ServiceError) as error:
        add(worker, case, "stor.pdf", big)
    assert error.value.code == "document.too_large"
    assert error.value.status == 413
    assert "2 MB" in error.value.message
    assert counts() == before
    assert stored_files(media) == []


def test_oversize_is_caught_without_trusting_the_declared_size(worker, case, media, settings):
    """An object that under-reports its size is still cut off at the limit."""
    settings.DOCUMENT_MAX_BYTES = 1000

    class Lying:
        name = "stor.pdf"
        size = 10

        def __init__(self) -> None:
            self.stream = io.BytesIO(PDF + b"0" * 5000)

        def read(self, n=-1):
            return self.stream.read(n)

        def seek(self, pos):
            self.stream.seek(pos)

    with pytest.raises(ServiceError) as error:
        document_upload(user=worker, case_id=case.pk, title="T", direction="in", upload=Lying())
    assert error.value.code == "document.too_large"
    assert counts() == (0, 0, 0)
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", EXE),
        ("side.html", HTML),
        ("side-omdoebt.pdf", HTML),
        ("arkiv-omdoebt.pdf", ZIP),
        ("brev.docx", ZIP),
        ("program.pdf", EXE),
        ("billede.png", PDF),  # a real PDF with the wrong ending
        ("ingen-endelse", PDF),
        ("faktura\u202efdp.exe", EXE),  # a right-to-left override hiding ".exe"
        ("side.eml", HTML),  # not an e-mail
        ("binaer.eml", b"From: a@b.dk\r\nDate: x\r\nSubject: y\r\n\r\n\x00\x01"),
        ("uden-afsender.eml", b"Subject: hej\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\n\r\nx"),
    ],
)
def test_wrong_type_is_rejected_with_nothing_stored(worker, case, media, name, content):
    with pytest.raises(ServiceError) as error:
        add(worker, case, name, content)
    assert error.value.code == "document.type_not_allowed"
    assert error.value.status == 415
    assert allowed_types_text() in error.value.message
    assert counts() == (0, 0, 0)
    assert stored_files(media) == []


def test_empty_upload_is_rejected(worker, case, media):
    with pytest.raises(ServiceError) as error:
        add(worker, case, "tom.pdf", b"")
    assert error.value.code == "document.empty"
    assert counts() == (0, 0, 0)
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("title", "direction", "code"),
    [
        ("  ", "in", "document.title_missing"),
        ("x" * 201, "in", "document.title_too_long"),
        ("Brev", "sideways", "document.direction"),
    ],
)
def test_title_and_direction_are_checked(worker, case, media, title, direction, code):
    with pytest.raises(ServiceError) as error:
        add(worker, case, "a.pdf", PDF, title=title, direction=direction)
    assert error.value.code == code
    assert counts() == (0, 0, 0)
    assert stored_files(media) == []


def test_a_document_date_in_the_future_is_refused(worker, case):
    with pytest.raises(ServiceError) as error:
        add(worker, case, "a.pdf", PDF, on=timezone.localdate() + timedelta(days=1))
    assert error.value.code == "document.date_future"
    assert counts() == (0, 0, 0)


def test_infected_upload_is_rejected_by_the_scanner(worker, case, media, settings):
    settings.DOCUMENT_SCANNER = "tests.cases.test_documents.EicarScanner"
    assert isinstance(current_scanner(), EicarScanner)
    with pytest.raises(ServiceError) as error:
        add(worker, case, "virus.pdf", PDF + EICAR)
    assert error.value.code == "document.infected"
    assert counts() == (0, 0, 0)
    assert stored_files(media) == []
    clean = add(worker, case, "rent.pdf", PDF)
    assert document_current(clean).scan == DocumentVersion.Scan.CLEAN


def test_a_failing_scanner_refuses_the_upload(worker, case, media, settings):
    settings.DOCUMENT_SCANNER = "tests.cases.test_documents.BrokenScanner"
    with pytest.raises(ServiceError) as error:
        add(worker, case, "a.pdf", PDF)
    assert error.value.code == "document.scan_failed"
    assert counts() == (0, 0, 0)
    assert stored_files(media) == []


def test_no_scanner_passes_files_as_not_scanned():
    assert isinstance(current_scanner(), NoScanner)
    verdict = NoScanner().scan(filename="a.pdf", content=EICAR)
    assert (verdict.clean, verdict.scanned) == (True, False)


def test_a_database_error_after_the_file_was_written_removes_the_file(
    worker, case, media, monkeypatch
):
    def fail(**kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(documents, "journal_add", fail)
    with pytest.raises(IntegrityError):
        add(worker, case, "a.pdf", PDF)
    assert stored_files(media) == []
    assert counts() == (0, 0, 0)


def test_a_user_who_may_not_see_the_case_gets_not_found(worker, case, media):
    document = add(worker, case, "a.pdf", PDF)
    outsider = make_staff(FRONT_OFFICE, username="elsewhere")
    outsider.authorities.all().delete()
    before, files = counts(), stored_files(media)
    with pytest.raises(NotFound):
        add(outsider, case, "b.pdf", PDF)
    with pytest.raises(NotFound):
        document_version_add(user=outsider, document_id=document.pk, upload=upload("c.pdf", PDF))
    with pytest.raises(NotFound):
        document_open(user=outsider, version_id=document_current(document).pk)
    with pytest.raises(NotFound):
        document_open(user=worker, version_id=10**9)
    assert counts() == before
    assert stored_files(media) == files
    assert not AuditEntry.objects.filter(actor=outsider).exists()


def test_document_open_writes_one_view_audit_entry(worker, case):
    document = add(worker, case, "a.pdf", PDF)
    version = document_current(document)
    before = AuditEntry.objects.count()
    opened = document_open(user=worker, version_id=version.pk, channel="api")
    assert opened == version
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.channel, entry.citizen_count) == ("view", "api", 1)
    party = case.parties.get().citizen_id
    assert list(entry.subjects.values_list("citizen_id", flat=True)) == [party]


def test_notes_are_stored_but_not_journalised(worker, case):
    note = case_note_add(user=worker, case_id=case.pk, text="Borgeren ringede om status.")
    assert CaseNote.objects.get(pk=note.pk).text == "Borgeren ringede om status."
    assert not case.journal.exists()
    add(worker, case, "a.pdf", PDF)
    assert list(case.journal.values_list("number", flat=True)) == [1]


def test_an_anonymised_case_takes_no_documents(worker, case, media):
    case.anonymised_at = timezone.now()
    case.save(update_fields=["anonymised_at"])
    with pytest.raises(ServiceError) as error:
        add(worker, case, "a.pdf", PDF)
    assert error.value.code == "case.anonymised"
    assert counts() == (0, 0, 0)
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\jens\\Lægeerklæring.pdf", "Lægeerklæring.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("  brev \t fra\nborger .pdf", "brev fra borger.pdf"),
        ("faktura\u202efdp.exe", "fakturafdp.exe"),
        ("a\x00.pdf", "a.pdf"),
        (".pdf", "pdf"),
        ("", "document"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(raw, clean):
    assert filename_clean(raw) == clean


def test_storage_is_local_by_default_and_s3_when_configured(settings):
    from django.core.files.storage import storages
    from storages.backends.s3 import S3Storage

    assert storage_settings({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storage_settings({"STORAGE_BACKEND": "local"})["BACKEND"].endswith("FileSystemStorage")
    env = {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "kk-sagsdokumenter",
        "AWS_S3_ENDPOINT_URL": "https://objects.example.dk",
        "AWS_S3_REGION_NAME": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    config = storage_settings(env)
    assert config["BACKEND"] == S3_BACKEND == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"]["bucket_name"] == "kk-sagsdokumenter"
    assert config["OPTIONS"]["file_overwrite"] is False
    settings.STORAGES = {**settings.STORAGES, "default": config}
    storage = storages["default"]
    assert isinstance(storage, S3Storage)
    assert (storage.bucket_name, storage.endpoint_url, storage.region_name) == (
        "kk-sagsdokumenter",
        "https://objects.example.dk",
        "eu-north-1",
    )
    assert (storage.access_key, storage.secret_key) == ("key", "secret")
    # Without keys the standard AWS credential chain (an instance role) is used.
    assert "access_key" not in storage_settings({**env, "AWS_ACCESS_KEY_ID": ""})["OPTIONS"]


@pytest.mark.parametrize(
    "env",
    [{"STORAGE_BACKEND": "s3"}, {"STORAGE_BACKEND": "ftp"}],
)
def test_a_wrong_storage_setting_stops_start_up(env):
    with pytest.raises(ImproperlyConfigured):
        storage_settings(env)


def test_allowed_types_are_listed_for_the_form():
    text = allowed_types_text()
    for label in ("PDF (.pdf)", "PNG (.png)", "JPEG (.jpg, .jpeg)", "TIFF (.tif, .tiff)", ".eml"):
        assert label in text


def test_received_on_date_helper_for_old_documents(worker, case):
    """A document received before the case was registered keeps its own date."""
    document = add(worker, case, "a.eml", EML, on=date(2026, 1, 5))
    assert JournalEntry.objects.get(document=document).on == date(2026, 1, 5)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_uploads_and_versions_number_without_gaps(media):
    from tests.concurrency import load_reference_data, run_together

    load_reference_data()
    worker = make_staff(SPECIALIST, username="racer")
    case = new_case(worker, helbredstillaeg_type())
    first = add(worker, case, "a.pdf", PDF)

    def new_document(index):
        return lambda: add(worker, case, f"b{index}.png", PNG, title=f"Bilag {index}")

    def new_version():
        return lambda: document_version_add(
            user=worker, document_id=first.pk, upload=upload("a2.pdf", PDF)
        )

    outcomes = run_together([new_document(i) for i in range(3)] + [new_version()] * 3)
    assert [kind for kind, _value in outcomes] == ["ok"] * 6, outcomes
    numbers = list(case.journal.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, 8))
    assert list(first.versions.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert len(stored_files(media)) == 7
