"""Storing instant decisions (the engine itself stores nothing)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.audit import audit_record
from borgerservice.core.errors import ServiceError

from .base import fact
from .engine import Result, clean_inputs, rule_set
from .models import InstantDecision


@transaction.atomic
def decision_record(
    *, result: Result, rule_set_code: str, inputs: dict, citizen, case=None
) -> InstantDecision:
    """Store ``result`` (from ``engine.evaluate``) as the citizen's decision, with an audit
    entry by the portal's system user.

    ``inputs`` are the answers the result was made from; they must give the same inputs
    the result used, so a stored decision always matches its explanation.
    """
    from borgerservice.portal.auth import portal_actor

    rules = rule_set(rule_set_code)
    if result.rule_set != rules.code:
        raise ServiceError(
            "decisions.result_mismatch",
            _("The decision was made with another rule set."),
        )
    used = dict(result.inputs)
    if {name: fact(value) for name, value in clean_inputs(rules, inputs).items()} != used:
        raise ServiceError(
            "decisions.result_mismatch",
            _("The answers do not match the decision."),
        )
    if case is not None and not case.parties.filter(citizen=citizen).exists():
        raise ServiceError(
            "decisions.case_mismatch", _("The case belongs to another citizen."), field="case"
        )
    decision = InstantDecision.objects.create(
        rule_set=rules.code,
        rule_version=result.rule_version,
        decided_on=result.decided_on,
        inputs=used,
        outcome=result.outcome,
        amount=result.amount,
        percentage=result.percentage,
        details=result.details,
        explanation=result.explanation,
        reasons=list(result.reasons),
        complaint_guidance_da=result.complaint_guidance_da,
        complaint_guidance_en=result.complaint_guidance_en,
        citizen=citizen,
        case=case,
    )
    audit_record(
        actor=portal_actor(),
        action="change",
        what=f"Instant decision {rules.code} ({result.rule_version}): {result.outcome}",
        citizen_ids=[citizen.pk],
        channel="portal",
    )
    return decision
