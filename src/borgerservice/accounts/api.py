"""Audit entries for auditors."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import reject_unknown_parameters
from borgerservice.catalogue.api import Pagination
from borgerservice.core.errors import ServiceError

from .audit import audit_entries_for_actor, audit_entries_for_citizen, audit_record
from .roles import AUDITOR, has_role

router = Router(tags=["audit"], auth=STAFF_AUTH)


class AuditEntryOut(Schema):
    id: int
    occurred_at: datetime
    actor: str = Field(alias="actor_username")
    action: str
    what: str
    purpose_kind: str
    purpose_reference: str
    purpose_text: str
    channel: str
    citizen_count: int


@router.get("/audit", response=list[AuditEntryOut], summary="Audit entries (auditors)")
@paginate(Pagination)
def entries(
    request: HttpRequest,
    citizen_id: int | None = Query(None, description="Entries that showed this citizen"),
    actor: str | None = Query(None, max_length=150, description="Entries by this username"),
):
    """Exactly one of `citizen_id` and `actor`. Only auditors. Looking up a citizen's
    entries is itself audited."""
    reject_unknown_parameters(request, {"citizen_id", "actor", "limit", "offset"})
    if not has_role(request.user, AUDITOR):
        raise ServiceError("access.denied", _("Only auditors may read the audit log."), status=403)
    if (citizen_id is None) == (actor is None):
        raise ServiceError(
            "audit.filter_required",
            _("Give exactly one of citizen_id and actor."),
            field="citizen_id",
        )
    if citizen_id is not None:
        audit_record(
            actor=request.user,
            action="list",
            what="audit log of the citizen",
            citizen_ids=[citizen_id],
            reason="audit",
            channel="api",
        )
        return audit_entries_for_citizen(citizen_id)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=actor).first()
    return audit_entries_for_actor(user.pk) if user else audit_entries_for_actor(-1)
