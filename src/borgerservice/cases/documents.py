"""Documents on a case and the case journal (offentlighedsloven § 15).

Every document received or sent in a case is journalised with its date and title; the
entries are numbered in order within the case (the aktnummer) under the case's row lock,
with a unique constraint as the backstop.

Uploads (``document_upload``, ``document_version_add``) are checked before anything is
written: a title, a direction, a size above zero and within ``DOCUMENT_MAX_BYTES``, and a
type that the content itself proves (PDF, PNG, JPEG, GIF, TIFF or an e-mail) and the file
name's extension agrees with. Then the malware scan hook (``scanning.py``) sees the file.
Only then is the case locked and the file stored; a failure after the file was written
removes it again. Files are stored under names without personal data
(``cases/<case>/<document>-v<n>.<ext>``) in the default storage (local or S3).
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from email import policy
from email.parser import BytesParser

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from borgerservice.accounts.audit import audit_record
from borgerservice.core.errors import NotFound, ServiceError

from .models import Case, CaseDocument, Direction, DocumentVersion, JournalEntry
from .scanning import current_scanner

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 200
MAX_FILENAME_LENGTH = 200


def journal_add(
    *,
    user,
    case: Case,
    kind: str,
    direction: str,
    title: str,
    on: date | None = None,
    document=None,
    letter=None,
) -> JournalEntry:
    """Add the next journal entry. The caller holds the case's row lock
    (``services.case_locked``) inside its transaction."""
    last = JournalEntry.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0
    return JournalEntry.objects.create(
        case=case,
        number=last + 1,
        kind=kind,
        direction=direction,
        on=on or timezone.localdate(),
        title=(" ".join(title.split()) or "-")[:200],
        document=document,
        letter=letter,
        registered_by=user,
    )


def letter_journalise(*, user, case: Case, letter) -> JournalEntry:
    """A letter sent from the outbox about the case, journalised as outgoing."""
    return journal_add(
        user=user,
        case=case,
        kind=JournalEntry.Kind.LETTER,
        direction=Direction.OUTGOING,
        title=letter.subject,
        on=timezone.localdate(),
        letter=letter,
    )


@dataclass(frozen=True)
class FileType:
    """A type of file that may be uploaded: what its content starts with, which name
    endings it may have, and the content type it is stored (and served) with."""

    label: str
    content_type: str
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...] = ()

    def matches(self, content: bytes) -> bool:
        if self.content_type == "message/rfc822":
            return _is_email(content)
        return content.startswith(self.signatures)


FILE_TYPES: tuple[FileType, ...] = (
    FileType("PDF", "application/pdf", ("pdf",), (b"%PDF-",)),
    FileType("PNG", "image/png", ("png",), (b"\x89PNG\r\n\x1a\n",)),
    FileType("JPEG", "image/jpeg", ("jpg", "jpeg"), (b"\xff\xd8\xff",)),
    FileType("GIF", "image/gif", ("gif",), (b"GIF87a", b"GIF89a")),
    FileType("TIFF", "image/tiff", ("tif", "tiff"), (b"II*\x00", b"MM\x00*")),
    FileType("e-mail", "message/rfc822", ("eml",)),
)
EMAIL_HEADER_BYTES = 64 * 1024


def allowed_types_text() -> str:
    """The allowed types with their name endings, for the upload form's hint and errors."""
    parts = []
    for file_type in FILE_TYPES:
        label = _("e-mail") if file_type.content_type == "message/rfc822" else file_type.label
        endings = ", ".join(f".{ext}" for ext in file_type.extensions)
        parts.append(f"{label} ({endings})")
    return ", ".join(parts)


def _is_email(content: bytes) -> bool:
    """An RFC 5322 message: text headers with a sender, a date and a subject or a
    recipient. Binary content (NUL bytes) is never an e-mail."""
    head = content[:EMAIL_HEADER_BYTES]
    if b"\x00" in head:
        return False
    try:
        message = BytesParser(policy=policy.default).parsebytes(head, headersonly=True)
        sender = str(message.get("From") or "").strip()
        sent = str(message.get("Date") or "").strip()
        about = str(message.get("Subject") or "").strip() or str(message.get("To") or "").strip()
    except Exception:  # a malformed header is not worth an explanation: not an e-mail
        return False
    return bool(sender and sent and about)


def _file_type(filename: str, content: bytes) -> FileType | None:
    """The type the content proves, if the name's ending agrees with it."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for file_type in FILE_TYPES:
        if extension in file_type.extensions:
            return file_type if file_type.matches(content) else None
    return None


def filename_clean(name: str) -> str:
    """The uploaded file's name without a path, control or direction-override characters,
    or surrounding dots and spaces; at most 200 characters with the ending kept."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(unicodedata.normalize("NFC", name).split())
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if "." in name:
        stem, extension = name.rsplit(".", 1)
        extension = extension.strip()[:16]
        stem = stem.strip(" .")[: MAX_FILENAME_LENGTH - len(extension) - 1] or "document"
        return f"{stem}.{extension}"
    return name[:MAX_FILENAME_LENGTH] or "document"


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return formats.number_format(value, decimal_pos=0 if value == int(value) else 1)


@dataclass(frozen=True)
class _Checked:
    filename: str
    content: bytes
    file_type: FileType
    scan: str


def _read_upload(upload, limit: int) -> bytes:
    """The upload's bytes, reading no more than one byte past ``limit``."""
    parts: list[bytes] = []
    total = 0
    if hasattr(upload, "chunks"):
        chunks = upload.chunks()
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        chunks = iter(lambda: upload.read(64 * 1024), b"")
    for chunk in chunks:
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            break
    return b"".join(parts)


def _upload_checked(upload) -> _Checked:
    """Size, type and malware checks of an upload; raises before anything is written."""
    limit = int(settings.DOCUMENT_MAX_BYTES)
    too_large = ServiceError(
        "document.too_large",
        _("The file is too large. Files can be at most %(limit)s MB."),
        status=413,
        field="upload",
        params={"limit": _megabytes(limit)},
    )
    empty = ServiceError("document.empty", _("The file is empty."), field="upload")
    if upload is None:
        raise ServiceError("document.missing", _("Choose a file to upload."), field="upload")
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise too_large
    content = _read_upload(upload, limit)
    if len(content) > limit:
        raise too_large
    if not content:
        raise empty
    filename = filename_clean(getattr(upload, "name", ""))
    file_type = _file_type(filename, content)
    if file_type is None:
        raise ServiceError(
            "document.type_not_allowed",
            _(
                "This type of file cannot be added. The file must be one of these types, "
                "with the matching name ending: %(types)s."
            ),
            status=415,
            field="upload",
            params={"types": allowed_types_text()},
        )
    scanner = current_scanner()
    try:
        verdict = scanner.scan(filename=filename, content=content)
    except Exception:
        logger.exception("malware scanner %s failed", scanner.name)
        raise ServiceError(
            "document.scan_failed",
            _("The file could not be checked for malware. Try again later."),
            status=503,
            field="upload",
        ) from None
    if not verdict.clean:
        logger.warning("malware scanner %s refused an upload: %s", scanner.name, verdict.detail)
        raise ServiceError(
            "document.infected",
            _("The file contains malware and was not added."),
            status=422,
            field="upload",
        )
    scan = DocumentVersion.Scan.CLEAN if verdict.scanned else DocumentVersion.Scan.NOT_SCANNED
    return _Checked(filename=filename, content=content, file_type=file_type, scan=scan)


def _title_clean(title: str) -> str:
    title = " ".join(str(title or "").split())
    if not title:
        raise ServiceError("document.title_missing", _("Give the document a title."), field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise ServiceError(
            "document.title_too_long",
            _("A title can be at most %(max)d characters."),
            field="title",
            params={"max": MAX_TITLE_LENGTH},
        )
    return title


def _storage():
    return DocumentVersion._meta.get_field("file").storage


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Names of files written inside the block; they are deleted again when the block
    fails, so a database error after the write leaves no file behind."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            try:
                _storage().delete(name)
            except Exception:
                logger.exception("could not remove %s after a failed upload", name)
        raise


def _version_create(
    *,
    user,
    document: CaseDocument,
    number: int,
    filename: str,
    content: bytes,
    content_type: str,
    scan: str,
    written: list[str],
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        filename=filename[:MAX_FILENAME_LENGTH],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        scan=scan,
        uploaded_by=user,
    )
    version.file.save(filename, ContentFile(content), save=False)
    written.append(version.file.name)
    version.save()
    return version


def _audit(user, case: Case, what: str, *, action: str = "change", channel: str = "ui") -> None:
    audit_record(
        actor=user,
        action=action,
        what=f"case {case.number}: {what}",
        citizen_ids=list(case.parties.values_list("citizen_id", flat=True)),
        reason=f"case:{case.pk}",
        channel=channel,
    )


def _not_found_document() -> NotFound:
    return NotFound("document.not_found", _("The document does not exist."))


def document_store(
    *,
    user,
    case: Case,
    title: str,
    direction: str,
    filename: str,
    content: bytes,
    content_type: str,
    kind: str = JournalEntry.Kind.DOCUMENT,
    on: date | None = None,
    scan: str = "not_scanned",
) -> CaseDocument:
    """Store a document the system made itself (a decision letter, a hearing letter) as
    version 1 and journalise it. The caller holds the case's row lock. Uploads from
    people go through the checks in ``document_upload`` first."""
    with _files_removed_on_failure() as written:
        document = CaseDocument.objects.create(
            case=case,
            title=(" ".join(title.split()) or "-")[:MAX_TITLE_LENGTH],
            direction=direction,
            document_date=on or timezone.localdate(),
            created_by=user,
        )
        _version_create(
            user=user,
            document=document,
            number=1,
            filename=filename,
            content=content,
            content_type=content_type,
            scan=scan,
            written=written,
        )
        journal_add(
            user=user,
            case=case,
            kind=kind,
            direction=direction,
            title=document.title,
            on=document.document_date,
            document=document,
        )
    return document


@transaction.atomic
def document_upload(
    *, user, case_id: int, title: str, direction: str, upload, on: date | None = None
) -> CaseDocument:
    """Add an uploaded file to a case as a new document (version 1) and journalise it
    with its direction and date. ``upload`` is a Django ``UploadedFile`` or any object
    with ``name``, ``size`` and ``read()``/``chunks()``."""
    from . import selectors, services

    case = Case.objects.filter(pk=case_id).first()
    if case is None or not selectors.may_see_case(user, case):
        raise NotFound("case.not_found", _("The case does not exist."))
    title = _title_clean(title)
    if direction not in Direction.values:
        raise ServiceError("document.direction", _("Unknown direction."), field="direction")
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ServiceError(
            "document.date_future", _("The document date cannot be in the future."), field="on"
        )
    checked = _upload_checked(upload)
    case = services.case_locked(case_id, user=user)
    with _files_removed_on_failure() as written:
        document = CaseDocument.objects.create(
            case=case, title=title, direction=direction, document_date=on, created_by=user
        )
        _version_create(
            user=user,
            document=document,
            number=1,
            filename=checked.filename,
            content=checked.content,
            content_type=checked.file_type.content_type,
            scan=checked.scan,
            written=written,
        )
        journal_add(
            user=user,
            case=case,
            kind=JournalEntry.Kind.DOCUMENT,
            direction=direction,
            title=title,
            on=on,
            document=document,
        )
        _audit(user, case, f"document {document.pk} added")
    return document


@transaction.atomic
def document_version_add(*, user, document_id: int, upload) -> DocumentVersion:
    """A new version of a document (the newest is current), checked like an upload and
    journalised as "Title (version N)"."""
    from . import selectors, services

    document = CaseDocument.objects.select_related("case").filter(pk=document_id).first()
    if document is None or not selectors.may_see_case(user, document.case):
        raise _not_found_document()
    checked = _upload_checked(upload)
    case = services.case_locked(document.case_id, user=user)
    document = CaseDocument.objects.filter(pk=document_id, case=case).first()
    if document is None:
        raise _not_found_document()
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    with _files_removed_on_failure() as written:
        version = _version_create(
            user=user,
            document=document,
            number=number,
            filename=checked.filename,
            content=checked.content,
            content_type=checked.file_type.content_type,
            scan=checked.scan,
            written=written,
        )
        journal_add(
            user=user,
            case=case,
            kind=JournalEntry.Kind.DOCUMENT,
            direction=document.direction,
            title=_("%(title)s (version %(number)s)") % {"title": document.title, "number": number},
            on=timezone.localdate(),
            document=document,
        )
        _audit(user, case, f"document {document.pk} version {number} added")
    return version


@transaction.atomic
def document_open(*, user, version_id: int, channel: str = "ui") -> DocumentVersion:
    """A version for a user who may see its case, with one audit entry ("view") naming
    the case's parties. The caller streams ``version.file``."""
    from borgerservice.accounts.access import require_person_role

    from . import selectors

    require_person_role(user)
    version = (
        DocumentVersion.objects.select_related("document", "document__case")
        .filter(pk=version_id)
        .first()
    )
    if version is None or not selectors.may_see_case(user, version.document.case):
        raise _not_found_document()
    _audit(
        user,
        version.document.case,
        f"document {version.document_id} version {version.number}",
        action="view",
        channel=channel,
    )
    return version


def document_current(document: CaseDocument) -> DocumentVersion | None:
    """The newest version (uses prefetched ``versions`` when there are any)."""
    return max(document.versions.all(), key=lambda v: v.number, default=None)


def document_files_orphaned(*, case_id: int) -> list[str]:
    """Stored files of a case that no version refers to (left by a transaction that
    rolled back after the upload service returned); for a clean-up job to delete."""
    storage = _storage()
    folder = f"cases/{case_id}"
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = {f"{folder}/{name}" for name in files}
    known = set(
        DocumentVersion.objects.filter(document__case_id=case_id).values_list("file", flat=True)
    )
    return sorted(names - known)
