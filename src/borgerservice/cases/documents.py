"""Documents on a case and the case journal (offentlighedsloven § 15).

Every document received or sent in a case is journalised with its date and title; the
entries are numbered in order within the case (the aktnummer) under the case's row lock,
with a unique constraint as the backstop.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Max
from django.utils import timezone

from .models import Case, Direction, JournalEntry


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
):
    """Store a document the system made itself (a decision letter, a hearing letter) as
    version 1 and journalise it. The caller holds the case's row lock. Uploads from
    people go through the checks in ``document_upload`` first."""
    import hashlib

    from django.core.files.base import ContentFile

    from .models import CaseDocument, DocumentVersion

    document = CaseDocument.objects.create(
        case=case,
        title=(" ".join(title.split()) or "-")[:200],
        direction=direction,
        document_date=on or timezone.localdate(),
        created_by=user,
    )
    version = DocumentVersion(
        document=document,
        number=1,
        filename=filename[:200],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        scan=scan,
        uploaded_by=user,
    )
    version.file.save(filename, ContentFile(content), save=False)
    version.save()
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
