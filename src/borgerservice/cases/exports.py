"""Access to records (aktindsigt) and the data subject's right of access (GDPR art. 15).

``case_export`` packs one case as a ZIP: ``index.pdf`` (the case and its journal),
``metadata.json`` (the case, its parties, history, journal, notes, hearings, decisions
and documents with their versions), every version of every document under
``documents/`` and the letters sent on the case under ``letters/``. The recipient of an
aktindsigt is often someone other than the parties, so every CPR number in it is masked.

``citizen_export`` packs everything held about one citizen: the person (their own CPR
number in full), household, contacts, the cases they are a party to with their
documents, letters, the purposes staff opened them for and the audit log of look-ups
(without the staff members' names). Other persons' CPR numbers are masked.

Both read with a fixed number of queries, whatever the number of documents, and stream
the files into a ZIP in a spooled temporary file (memory up to ``SPOOL_MAX_BYTES``, then
disk) in chunks, so a case with hundreds of documents never sits in memory at once.
Each export writes one audit entry, action ``export``.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf.enums import XPos, YPos

from borgerservice.accounts.access import purpose_require, require_person_role
from borgerservice.accounts.audit import audit_entries_for_citizen, audit_record
from borgerservice.accounts.models import AccessPurpose
from borgerservice.citizens.cpr import cpr_format, cpr_mask
from borgerservice.citizens.models import Citizen
from borgerservice.core.errors import NotFound
from borgerservice.core.pdf import PdfDocument

from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseNote,
    CaseParty,
    Decision,
    Direction,
    DocumentVersion,
    Hearing,
    JournalEntry,
)

CHUNK_BYTES = 1024 * 1024
SPOOL_MAX_BYTES = 16 * 1024 * 1024
# Already compressed: stored as they are (deflating them costs time and gains nothing).
_STORED_TYPES = ("application/pdf", "application/zip", "image/jpeg", "image/png", "image/gif")


@dataclass
class Export:
    """A finished export: ``file`` is positioned at 0; the caller streams and closes it."""

    filename: str
    file: IO[bytes]
    size: int
    content_type: str = "application/zip"


# --- CPR masking in free text -------------------------------------------------------

# Ten digits, optionally split after the sixth by a hyphen or a space, not part of a
# longer number.
_CPR_LIKE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})([- ]?)(\d{4})(?!\d)")
# Keys whose values are not free text (hashes are hexadecimal and may contain digit runs).
_NOT_TEXT = frozenset({"sha256"})


def _is_birth_date(day: int, month: int, year: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def text_mask(text: str, *, keep: frozenset[str] = frozenset()) -> str:
    """``text`` with every CPR-like number masked ("DDMMYY-XXXX"): DDMMYY-NNNN always,
    ten digits when the first six are a date. Numbers in ``keep`` (ten digits) stay."""

    def replace(match: re.Match) -> str:
        dd, mm, yy, separator, serial = match.groups()
        digits = f"{dd}{mm}{yy}{serial}"
        if digits in keep:
            return match.group(0)
        if separator != "-" and not _is_birth_date(int(dd), int(mm), int(yy)):
            return match.group(0)
        return cpr_mask(digits)

    return _CPR_LIKE.sub(replace, text)


def _masked(value: Any, keep: frozenset[str]) -> Any:
    """Every string in a tree of dicts and lists, masked."""
    if isinstance(value, str):
        return text_mask(value, keep=keep)
    if isinstance(value, dict):
        return {
            key: item if key in _NOT_TEXT else _masked(item, keep) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_masked(item, keep) for item in value]
    return value


def _cpr_shown(cpr: str, keep: frozenset[str]) -> str:
    return cpr_format(cpr) if cpr in keep else cpr_mask(cpr)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def safe_filename(filename: str, *, keep: frozenset[str] = frozenset()) -> str:
    """A file name fit for a ZIP entry on any system: no folders, no control or reserved
    characters, at most 100 characters with the extension kept, CPR numbers masked."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", text_mask(name, keep=keep))
    name = _UNSAFE.sub("_", name).strip(" .") or "file"
    if len(name) > 100:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 99 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:100]
    return name


# --- Reading a case with a fixed number of queries ----------------------------------


def _cases_queryset():
    """Cases with everything an export shows, prefetched: the same dozen queries for a
    case with one document or with a thousand."""
    from borgerservice.contacts.models import Contact
    from borgerservice.outbox.models import OutboxMessage

    return Case.objects.select_related(
        "case_type", "case_type__service", "department", "unit"
    ).prefetch_related(
        Prefetch(
            "parties",
            queryset=CaseParty.objects.select_related("citizen").order_by("role", "id"),
        ),
        Prefetch(
            "events",
            queryset=CaseEvent.objects.select_related("from_unit", "to_unit").order_by("at", "id"),
        ),
        Prefetch("journal", queryset=JournalEntry.objects.order_by("number")),
        Prefetch("notes", queryset=CaseNote.objects.order_by("created_at", "id")),
        Prefetch("messages", queryset=CaseMessage.objects.order_by("created_at", "id")),
        Prefetch("hearings", queryset=Hearing.objects.order_by("sent_on", "id")),
        Prefetch("decisions", queryset=Decision.objects.order_by("decided_on", "id")),
        Prefetch(
            "documents",
            queryset=CaseDocument.objects.order_by("created_at", "id").prefetch_related(
                Prefetch("versions", queryset=DocumentVersion.objects.order_by("number"))
            ),
        ),
        Prefetch("letters", queryset=OutboxMessage.objects.order_by("created_at", "id")),
        Prefetch(
            "contacts",
            queryset=Contact.objects.only("id", "channel", "started_at").order_by("started_at"),
        ),
    )


@dataclass
class _File:
    path: str
    version: DocumentVersion


@dataclass
class _CaseBundle:
    case: Case
    metadata: dict
    files: list[_File] = field(default_factory=list)
    letters: list[tuple[str, str]] = field(default_factory=list)  # (path, text)
    journal_rows: list[list[str]] = field(default_factory=list)
    citizen_ids: list[int] = field(default_factory=list)


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _letter_text(message) -> str:
    sent = message.sent_at or message.created_at
    return f"{message.subject}\n{_iso(sent)}\n\n{message.body}\n"


def _case_bundle(case: Case, *, keep: frozenset[str], prefix: str = "") -> _CaseBundle:
    """The metadata and the files of a case read with ``_cases_queryset``; paths start
    with ``prefix``. CPR numbers outside ``keep`` are masked in all text."""
    journal = list(case.journal.all())
    first_entry: dict[int, int] = {}
    for entry in journal:
        if entry.document_id is not None:
            first_entry.setdefault(entry.document_id, entry.number)

    bundle = _CaseBundle(case=case, metadata={})
    letter_paths: dict[int, str] = {}
    letters = []
    for n, message in enumerate(case.letters.all(), start=1):
        path = f"{prefix}letters/{n}.txt"
        letter_paths[message.pk] = path
        bundle.letters.append((path, text_mask(_letter_text(message), keep=keep)))
        letters.append(
            {
                "path": path,
                "written_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
                "route": message.route,
                "state": message.state,
                "subject": message.subject,
                "body": message.body,
            }
        )

    current_path: dict[int, str] = {}
    version_paths: dict[int, list[str]] = {}  # document id -> paths of versions 1, 2, ...
    documents = []
    for document in case.documents.all():
        number = first_entry.get(document.pk)
        label = str(number) if number is not None else f"d{document.pk}"
        versions = []
        for version in document.versions.all():
            name = safe_filename(version.filename, keep=keep)
            path = f"{prefix}documents/{label}-{version.number}-{name}"
            meta = {
                "number": version.number,
                "filename": version.filename,
                "content_type": version.content_type,
                "size": version.size,
                "sha256": version.sha256,
                "uploaded_at": _iso(version.uploaded_at),
                "scan": version.scan,
                "path": path,
            }
            versions.append(meta)
            bundle.files.append(_File(path, version))
            current_path[document.pk] = path  # versions come in order: the last is current
            version_paths.setdefault(document.pk, []).append(path)
        documents.append(
            {
                "id": document.pk,
                "journal_number": number,
                "title": document.title,
                "direction": document.direction,
                "document_date": _iso(document.document_date),
                "versions": versions,
            }
        )

    # A document's journal entries record its versions in order (the upload, then each
    # new version), so its n-th entry points to version n.
    seen: dict[int, int] = {}
    journal_data = []
    for entry in journal:
        path = letter_paths.get(entry.letter_id, "")
        if entry.document_id in version_paths:
            paths = version_paths[entry.document_id]
            nth = seen[entry.document_id] = seen.get(entry.document_id, -1) + 1
            path = paths[min(nth, len(paths) - 1)]
        journal_data.append(
            {
                "number": entry.number,
                "on": _iso(entry.on),
                "kind": entry.kind,
                "direction": entry.direction,
                "title": entry.title,
                "path": path,
            }
        )
        bundle.journal_rows.append(
            [
                str(entry.number),
                _iso(entry.on),
                str(Direction(entry.direction).label),
                text_mask(entry.title, keep=keep),
                path.removeprefix(prefix),
            ]
        )

    parties = list(case.parties.all())
    bundle.citizen_ids = list(dict.fromkeys(p.citizen_id for p in parties))
    case_type = case.case_type
    bundle.metadata = _masked(
        {
            "number": case.number,
            "title": case.title,
            "case_type": {
                "service": case_type.service.code,
                "name": case_type.name,
                "processing_days": case_type.processing_days,
                "legal_basis": case_type.t("legal_basis"),
            },
            "status": case.status,
            "status_text": str(case.get_status_display()),
            "kle_code": case.kle_code,
            "action_facet": case.action_facet,
            "department": {"code": case.department.code, "name": case.department.name},
            "unit": {"code": case.unit.code, "name": case.unit.name},
            "confidentiality": case.confidentiality,
            "channel": case.channel,
            "received_on": _iso(case.received_on),
            "due_on": _iso(case.due_on),
            "closed_on": _iso(case.closed_on),
            "anonymised_at": _iso(case.anonymised_at),
            "parties": [
                {
                    "role": party.role,
                    "name": party.citizen.full_name,
                    "cpr": _cpr_shown(party.citizen.cpr, keep),
                }
                for party in parties
            ],
            "contacts": [
                {"id": c.pk, "channel": c.channel, "started_at": _iso(c.started_at)}
                for c in case.contacts.all()
            ],
            "events": [
                {
                    "kind": event.kind,
                    "at": _iso(event.at),
                    "on": _iso(event.on),
                    "from_status": event.from_status,
                    "to_status": event.to_status,
                    "extension_days": event.extension_days,
                    "reason": event.reason,
                    "from_unit": event.from_unit.code if event.from_unit else None,
                    "to_unit": event.to_unit.code if event.to_unit else None,
                }
                for event in case.events.all()
            ],
            "journal": journal_data,
            "notes": [
                {"written_at": _iso(note.created_at), "text": note.text}
                for note in case.notes.all()
            ],
            "messages": [
                {
                    "written_at": _iso(message.created_at),
                    "direction": message.direction,
                    "text": message.text,
                }
                for message in case.messages.all()
            ],
            "hearings": [
                {
                    "facts": hearing.facts,
                    "sent_on": _iso(hearing.sent_on),
                    "answer_by": _iso(hearing.answer_by),
                    "state": hearing.state,
                    "answer": hearing.answer,
                    "answered_on": _iso(hearing.answered_on),
                }
                for hearing in case.hearings.all()
            ],
            "decisions": [
                {
                    "outcome": decision.outcome,
                    "decided_on": _iso(decision.decided_on),
                    "rules_applied": decision.rules_applied,
                    "facts": decision.facts,
                    "reasons": decision.reasons,
                    "complaint_guidance": decision.complaint_guidance,
                    "letter": current_path.get(decision.letter_id, ""),
                }
                for decision in case.decisions.all()
            ],
            "documents": documents,
            "letters": letters,
        },
        keep,
    )
    return bundle


# --- Writing the ZIP ----------------------------------------------------------------


def _zip_time(value: datetime | None = None) -> tuple[int, int, int, int, int, int]:
    moment = timezone.localtime(value) if value else timezone.localtime()
    return max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))


def _entry(path: str, *, when: datetime | None = None, compress: int = zipfile.ZIP_DEFLATED):
    info = zipfile.ZipInfo(path, date_time=_zip_time(when))
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def _write_text(archive: zipfile.ZipFile, path: str, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    archive.writestr(_entry(path), data)


def _write_json(archive: zipfile.ZipFile, path: str, data: dict) -> None:
    _write_text(
        archive, path, json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    )


def _write_file(archive: zipfile.ZipFile, item: _File) -> bool:
    """Copy one stored version into the archive in chunks. False when the stored file
    cannot be read: it is then marked ``missing`` rather than failing the whole export."""
    version = item.version
    try:
        source = version.file.storage.open(version.file.name, "rb")
    except OSError:
        return False
    stored = version.content_type in _STORED_TYPES
    info = _entry(
        item.path,
        when=version.uploaded_at,
        compress=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED,
    )
    with source, archive.open(info, "w", force_zip64=version.size > 2**31) as target:
        shutil.copyfileobj(source, target, CHUNK_BYTES)
    return True


def _write_case_files(archive: zipfile.ZipFile, bundle: _CaseBundle) -> None:
    """The documents and letters of a case; versions whose file is gone are marked
    ``"missing": true`` in the metadata written after them."""
    missing = {item.path for item in bundle.files if not _write_file(archive, item)}
    for path, text in bundle.letters:
        _write_text(archive, path, text)
    if missing:
        for document in bundle.metadata["documents"]:
            for version in document["versions"]:
                if version["path"] in missing:
                    version["missing"] = True


def _zip(filename: str, write) -> Export:
    # Handed to the caller open, so no context manager here.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES, suffix=".zip")  # noqa: SIM115
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            write(zf)
        size = spool.seek(0, 2)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return Export(filename=filename, file=spool, size=size)


# --- The PDF indexes ----------------------------------------------------------------


class _IndexPdf(PdfDocument):
    """A PDF with a table fast enough for a journal of hundreds of entries: fpdf2's own
    table lays out every cell twice (about 15 ms a row); here a cell is one line of
    text unless it does not fit, and only then wrapped (well under 1 ms a row)."""

    def fast_table(
        self,
        headings: list[str],
        rows: list[list[str]],
        widths: list[int],
        *,
        size: int = 8,
        line: float = 4.2,
    ) -> None:
        pdf = self._pdf

        def draw(values: list[str], bold: bool) -> None:
            pdf.set_font(self._font, "B" if bold else "", size)
            texts = [self._text(value or "") for value in values]
            counts = [
                1
                if pdf.get_string_width(text) <= width - 2 * pdf.c_margin
                else len(pdf.multi_cell(width, line, text, dry_run=True, output="LINES"))
                for text, width in zip(texts, widths, strict=True)
            ]
            height = max(counts) * line
            if pdf.will_page_break(height + 1):
                pdf.add_page()
                if not bold:  # the headings again at the top of the new page
                    draw(headings, True)
                    pdf.set_font(self._font, "", size)
            x, y = pdf.l_margin, pdf.get_y()
            baseline = y + line * 0.72
            for text, width, count in zip(texts, widths, counts, strict=True):
                if count == 1:  # text() is several times cheaper than cell()
                    if text:
                        pdf.text(x + pdf.c_margin, baseline, text)
                else:
                    pdf.set_xy(x, y)
                    pdf.multi_cell(width, line, text, new_x=XPos.RIGHT, new_y=YPos.TOP)
                x += width
            bottom = y + height + 0.5
            pdf.set_draw_color(160 if bold else 210)
            pdf.line(pdf.l_margin, bottom, pdf.l_margin + sum(widths), bottom)
            pdf.set_xy(pdf.l_margin, bottom + 0.5)

        draw(headings, True)
        for values in rows:
            draw(values, False)
        pdf.ln(3)


def _language() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


def _case_index_pdf(bundle: _CaseBundle, *, keep: frozenset[str]) -> bytes:
    case = bundle.case
    pdf = _IndexPdf(title=_("Case file %(number)s") % {"number": case.number}, language=_language())
    pdf.field(_("Case number"), case.number)
    pdf.field(_("Title"), text_mask(case.title, keep=keep))
    pdf.field(_("Case type"), case.case_type.name)
    pdf.field(_("Status"), str(case.get_status_display()))
    pdf.field(_("Department"), case.department.name)
    pdf.field(_("Unit"), case.unit.name)
    pdf.field(_("Received"), _iso(case.received_on))
    pdf.field(_("Due"), _iso(case.due_on))
    if case.closed_on:
        pdf.field(_("Closed"), _iso(case.closed_on))
    pdf.heading(_("Parties"))
    parties = list(case.parties.all())
    if parties:
        pdf.table(
            [_("Role"), _("Name"), _("CPR number")],
            [
                [str(p.get_role_display()), p.citizen.full_name, _cpr_shown(p.citizen.cpr, keep)]
                for p in parties
            ],
            [40, 90, 40],
        )
    else:
        pdf.paragraph(_("No parties."))
    pdf.heading(_("Journal"))
    if bundle.journal_rows:
        pdf.fast_table(
            [_("Entry no."), _("Date"), _("Direction"), _("Title"), _("File in this archive")],
            bundle.journal_rows,
            [14, 21, 21, 60, 54],
        )
    else:
        pdf.paragraph(_("The journal is empty."))
    pdf.paragraph(
        _(
            "The documents are in the folder documents, every version of each; the letters "
            "sent on the case in the folder letters; everything registered on the case in "
            "metadata.json. All CPR numbers are masked."
        )
    )
    return pdf.output()


# --- Case export --------------------------------------------------------------------


def case_export(*, user, case_id: int, channel: str = "ui") -> Export:
    """The case as a ZIP for access to records (aktindsigt). Every CPR number is masked.
    A case the user may not see is reported as not existing. One audit entry."""
    from .selectors import may_see_case

    require_person_role(user)
    # Access first, on the three columns it needs; then everything, prefetched.
    found = Case.objects.only("unit_id", "caseworker_id", "case_type_id").filter(pk=case_id).first()
    if found is None or not may_see_case(user, found):
        raise NotFound("case.not_found", _("The case does not exist."))
    case = _cases_queryset().get(pk=found.pk)
    keep: frozenset[str] = frozenset()
    bundle = _case_bundle(case, keep=keep)

    def write(archive: zipfile.ZipFile) -> None:
        _write_case_files(archive, bundle)
        _write_json(
            archive,
            "metadata.json",
            {"exported_at": _iso(timezone.now()), "case": bundle.metadata},
        )
        _write_text(archive, "index.pdf", _case_index_pdf(bundle, keep=keep))

    export = _zip(f"case-{case.number}.zip", write)
    audit_record(
        actor=user,
        action="export",
        what=f"case {case.number}: export with documents (access to records)",
        citizen_ids=bundle.citizen_ids,
        reason=f"case:{case.pk}",
        channel=channel,
    )
    return export


# --- Citizen export (GDPR art. 15) --------------------------------------------------


@dataclass
class _CitizenBundle:
    citizen: Citizen
    data: dict
    cases: list[_CaseBundle]
    letters: list[tuple[str, str]]
    other_citizen_ids: list[int]


def _citizen_bundle(citizen: Citizen) -> _CitizenBundle:
    from borgerservice.citizens.selectors import household_of
    from borgerservice.contacts.models import Contact
    from borgerservice.outbox.models import OutboxMessage

    keep = frozenset({citizen.cpr})
    household = household_of(citizen)
    others: list[int] = [member.citizen.pk for member in household]

    contacts = (
        Contact.objects.filter(citizen=citizen)
        .select_related("handed_over_to")
        .prefetch_related("services")
        .order_by("started_at", "id")
    )
    case_ids = CaseParty.objects.filter(citizen=citizen).values("case_id")
    cases = [
        _case_bundle(case, keep=keep, prefix=f"cases/{case.number}/")
        for case in _cases_queryset().filter(pk__in=case_ids).order_by("received_on", "id")
    ]
    for bundle in cases:
        others.extend(cid for cid in bundle.citizen_ids if cid != citizen.pk)

    letter_files: list[tuple[str, str]] = []
    letters = []
    messages = OutboxMessage.objects.filter(citizen=citizen).select_related("case")
    for n, message in enumerate(messages.order_by("created_at", "id"), start=1):
        path = f"letters/{n}.txt"
        letter_files.append((path, text_mask(_letter_text(message), keep=keep)))
        letters.append(
            {
                "path": path,
                "case": message.case.number if message.case else None,
                "written_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
                "route": message.route,
                "state": message.state,
                "subject": message.subject,
                "body": message.body,
            }
        )

    audit_log = [
        {"at": _iso(at), "action": action, "what": what, "purpose": purpose_kind}
        for at, action, what, purpose_kind in audit_entries_for_citizen(citizen.pk)
        .values_list("occurred_at", "action", "what", "purpose_kind")
        .iterator(chunk_size=2000)
    ]
    purposes = [
        {
            "kind": kind,
            "reference": reference,
            "reason": reason,
            "granted_at": _iso(granted_at),
            "expires_at": _iso(expires_at),
        }
        for kind, reference, reason, granted_at, expires_at in AccessPurpose.objects.filter(
            citizen=citizen
        )
        .order_by("granted_at", "id")
        .values_list("kind", "reference", "reason", "granted_at", "expires_at")
    ]

    data = {
        "exported_at": _iso(timezone.now()),
        "person": {
            "cpr": cpr_format(citizen.cpr),
            "first_name": citizen.first_name,
            "last_name": citizen.last_name,
            "birth_date": _iso(citizen.birth_date),
            "sex": citizen.sex,
            "address": citizen.address_line,
            "postcode": citizen.postcode,
            "city": citizen.city,
            "moved_in_on": _iso(citizen.moved_in_on),
            "name_address_protected": citizen.name_address_protected,
            "deceased_on": _iso(citizen.deceased_on),
            "digital_post_exempt": citizen.digital_post_exempt,
            "preferred_language": citizen.preferred_language,
            "phone": citizen.phone,
            "email": citizen.email,
            "registered_at": _iso(citizen.created_at),
            "updated_at": _iso(citizen.updated_at),
        },
        "household": [
            {
                "relation": member.relation,
                "name": member.citizen.full_name,
                "cpr": cpr_mask(member.citizen.cpr),
            }
            for member in household
        ],
        "contacts": [
            {
                "channel": contact.channel,
                "direction": contact.direction,
                "started_at": _iso(contact.started_at),
                "ended_at": _iso(contact.ended_at),
                "services": [
                    {"code": service.code, "name": service.name}
                    for service in contact.services.all()
                ],
                "outcome": contact.outcome,
                "handed_over_to": contact.handed_over_to.name if contact.handed_over_to else None,
                "forwarded_to": contact.forwarded_to,
                "note": contact.note,
            }
            for contact in contacts
        ],
        "cases": [],
        "letters": letters,
        "audit_log": audit_log,
        "purposes": purposes,
    }
    data = _masked(data, keep)
    # Masked already; shared with the case bundles, so a missing file marked while the
    # ZIP is written shows in data.json too.
    data["cases"] = [
        {
            **bundle.metadata,
            "roles": [p.role for p in bundle.case.parties.all() if p.citizen_id == citizen.pk],
        }
        for bundle in cases
    ]
    return _CitizenBundle(
        citizen=citizen,
        data=data,
        cases=cases,
        letters=letter_files,
        other_citizen_ids=list(dict.fromkeys(others)),
    )


def citizen_export_data(citizen: Citizen) -> dict:
    """Everything held about ``citizen`` as one JSON-ready dict (the ``data.json`` of the
    export): their own CPR number in full, other persons' masked. No access check and
    no audit entry: the caller (staff export, the citizen's own portal) does those."""
    return _citizen_bundle(citizen).data


def _citizen_index_pdf(bundle: _CitizenBundle) -> bytes:
    citizen, data = bundle.citizen, bundle.data
    pdf = _IndexPdf(
        title=_("Data about %(name)s") % {"name": citizen.full_name}, language=_language()
    )
    pdf.field(_("Name"), citizen.full_name)
    pdf.field(_("CPR number"), cpr_format(citizen.cpr))
    pdf.field(_("Address"), f"{citizen.address_line}, {citizen.postal_line}".strip(", "))
    pdf.field(_("Exported"), data["exported_at"])
    pdf.heading(_("Contents"))
    pdf.field(_("Household members"), str(len(data["household"])))
    pdf.field(_("Contacts"), str(len(data["contacts"])))
    pdf.field(_("Cases"), str(len(data["cases"])))
    pdf.field(_("Letters"), str(len(data["letters"])))
    pdf.field(_("Look-ups in the audit log"), str(len(data["audit_log"])))
    if bundle.cases:
        pdf.heading(_("Cases"))
        pdf.fast_table(
            [_("Case number"), _("Title"), _("Status"), _("Received"), _("Documents")],
            [
                [
                    case["number"],
                    case["title"],
                    case["status_text"],
                    case["received_on"],
                    str(len(case["documents"])),
                ]
                for case in data["cases"]
            ],
            [28, 62, 34, 26, 20],
        )
    pdf.paragraph(
        _(
            "data.json holds everything registered about you: your personal details, "
            "household, contacts, cases, letters, the purposes staff opened your data for "
            "and the log of every look-up. The documents of each case are in the folder "
            "cases. CPR numbers of other persons are masked."
        )
    )
    return pdf.output()


def _citizen_zip(bundle: _CitizenBundle) -> Export:
    def write(archive: zipfile.ZipFile) -> None:
        for case in bundle.cases:
            _write_case_files(archive, case)
        for path, text in bundle.letters:
            _write_text(archive, path, text)
        _write_json(archive, "data.json", bundle.data)
        _write_text(archive, "index.pdf", _citizen_index_pdf(bundle))

    return _zip(f"data-export-{timezone.localdate():%Y%m%d}.zip", write)


def citizen_export_build(citizen: Citizen) -> Export:
    """The art. 15 ZIP for ``citizen`` without access check or audit entry (for callers
    that do those themselves, like the citizen portal)."""
    return _citizen_zip(_citizen_bundle(citizen))


def citizen_export(*, user, citizen_id: int, channel: str = "ui") -> Export:
    """Everything held about a citizen (GDPR art. 15) as a ZIP, for a staff member with
    a purpose for the citizen. One audit entry, naming the citizen and the other persons
    whose (masked) data it shows."""
    require_person_role(user)
    citizen = Citizen.objects.filter(pk=citizen_id).first()
    if citizen is None:
        raise NotFound("citizen.not_found", _("The citizen does not exist."))
    purpose = purpose_require(user, citizen.pk)
    bundle = _citizen_bundle(citizen)
    export = _citizen_zip(bundle)
    audit_record(
        actor=user,
        action="export",
        what="export of everything held about the citizen (GDPR art. 15)",
        citizen_ids=[citizen.pk, *bundle.other_citizen_ids],
        purpose=purpose,
        channel=channel,
    )
    return export
