"""Writing and reading the audit log of personal-data access."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import AccessPurpose, AuditEntry, AuditSubject


def audit_record(
    *,
    actor,
    action: str,
    what: str,
    citizen_ids: Iterable[int],
    purpose: AccessPurpose | None = None,
    reason: str = "",
    channel: str = "ui",
) -> int:
    """Write one audit entry for one read of personal data; returns the entry id.

    ``citizen_ids`` are the citizens whose data was shown (one for a view, several for
    a search result). Runs in the caller's transaction, so a read that fails after
    the entry was written leaves no entry behind only if the caller rolls back.
    """
    ids = list(dict.fromkeys(citizen_ids))
    now = timezone.now()
    values = {
        "occurred_at": now,
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "action": action,
        "what": what[:300],
        "purpose_kind": purpose.kind if purpose else "",
        "purpose_reference": purpose.reference if purpose else "",
        "purpose_text": (purpose.reason if purpose else "") or reason,
        "channel": channel,
        "citizen_count": len(ids),
    }
    if connection.vendor == "postgresql":
        return _record_postgresql(values, ids)
    with transaction.atomic():
        entry = AuditEntry.objects.create(**values)
        AuditSubject.objects.bulk_create(
            [AuditSubject(entry=entry, occurred_at=now, citizen_id=cid) for cid in ids]
        )
    return entry.pk


_PG_INSERT = """
WITH entry AS (
    INSERT INTO accounts_auditentry (occurred_at, actor_id, actor_username, action, what,
        purpose_kind, purpose_reference, purpose_text, channel, citizen_count)
    VALUES (%(occurred_at)s, %(actor_id)s, %(actor_username)s, %(action)s, %(what)s,
        %(purpose_kind)s, %(purpose_reference)s, %(purpose_text)s, %(channel)s,
        %(citizen_count)s)
    RETURNING id, occurred_at
), subjects AS (
    INSERT INTO accounts_auditsubject (entry_id, occurred_at, citizen_id)
    SELECT entry.id, entry.occurred_at, citizen FROM entry, unnest(%(ids)s::bigint[]) AS citizen
)
SELECT id FROM entry
"""


def _record_postgresql(values: dict, ids: list[int]) -> int:
    """Both rows in one round trip: the audit entry costs the page one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_PG_INSERT, {**values, "ids": ids})
        return cursor.fetchone()[0]


def audit_entries_for_citizen(citizen_id: int) -> QuerySet[AuditEntry]:
    entry_ids = AuditSubject.objects.filter(citizen_id=citizen_id).values("entry_id")
    return AuditEntry.objects.filter(id__in=entry_ids).order_by("-occurred_at", "-id")


def audit_entries_for_actor(actor_id: int) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(actor_id=actor_id).order_by("-occurred_at", "-id")
