"""decision_record: the stored decision, its audit entry by the portal's system user, the
checks that the answers and the case match, the database constraints, and the
explanation partial in Danish and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from borgerservice.accounts.models import AuditEntry, AuditSubject
from borgerservice.core.errors import ServiceError
from borgerservice.decisions.engine import evaluate
from borgerservice.decisions.models import InstantDecision
from borgerservice.decisions.services import decision_record
from tests.citizens.factories import CitizenFactory

from .conftest import DAY_2024

pytestmark = pytest.mark.django_db

FRIPLADS = {
    "household_income": "250000",
    "children_under_18": 2,
    "single_provider": True,
    "monthly_fee": "3000",
}
HELBRED = {
    "pension_type": "folkepension",
    "resident_in_denmark": True,
    "cohabiting": False,
    "liquid_assets": 20_000,
}


def record(code, inputs, citizen=None, case=None):
    citizen = citizen or CitizenFactory()
    result = evaluate(code, inputs, on=DAY_2024)
    return decision_record(
        result=result, rule_set_code=code, inputs=inputs, citizen=citizen, case=case
    )


def test_stores_the_decision_with_version_inputs_and_explanation():
    citizen = CitizenFactory()
    decision = record("friplads", FRIPLADS, citizen)
    decision.refresh_from_db()
    assert decision.citizen == citizen
    assert decision.rule_set == "friplads"
    assert decision.rule_version == "friplads-v1/2024-01-01"
    assert decision.decided_on == DAY_2024
    assert decision.outcome == InstantDecision.Outcome.GRANTED
    assert decision.percentage == 100
    assert decision.amount == Decimal("3000.00")
    assert decision.inputs["household_income"] == "250000"
    assert decision.inputs["childcare_type"] == "municipal"
    assert [step["rule"] for step in decision.explanation][:2] == [
        "friplads.place",
        "friplads.limits",
    ]
    assert "4 uger" in decision.complaint_guidance_da
    assert decision.case is None
    assert list(citizen.instant_decisions.all()) == [decision]


def test_writes_an_audit_entry_by_the_portal():
    citizen = CitizenFactory()
    before = AuditEntry.objects.count()
    record("friplads", FRIPLADS, citizen)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.actor_username == "min-side"
    assert entry.channel == "portal"
    assert entry.action == "change"
    assert "friplads" in entry.what
    assert list(
        AuditSubject.objects.filter(entry_id=entry.pk).values_list("citizen_id", flat=True)
    ) == [citizen.pk]


def test_manual_outcome_keeps_the_reasons():
    decision = record("helbredstillaeg", HELBRED)
    assert decision.outcome == "manual"
    assert decision.reasons == ["supplement_percentage_unknown"]
    assert decision.amount is None and decision.percentage is None


def test_answers_that_do_not_match_the_result_are_refused():
    citizen = CitizenFactory()
    result = evaluate("friplads", FRIPLADS, on=DAY_2024)
    before = AuditEntry.objects.count()
    with pytest.raises(ServiceError) as error:
        decision_record(
            result=result,
            rule_set_code="friplads",
            inputs={**FRIPLADS, "household_income": "900000"},
            citizen=citizen,
        )
    assert error.value.code == "decisions.result_mismatch"
    with pytest.raises(ServiceError):
        decision_record(
            result=result, rule_set_code="helbredstillaeg", inputs=HELBRED, citizen=citizen
        )
    assert not InstantDecision.objects.exists()
    assert AuditEntry.objects.count() == before


def test_with_a_case_of_the_citizen_and_not_of_another():
    from borgerservice.cases.models import CaseType
    from borgerservice.cases.services import case_create
    from borgerservice.catalogue.models import Service
    from tests.accounts.staff import SPECIALIST, make_staff

    case_type, _created = CaseType.objects.get_or_create(
        service=Service.objects.get(code="suf-helbredstillaeg"),
        defaults={
            "name_da": "Helbredstillæg",
            "name_en": "Health supplement",
            "processing_days": 10,
        },
    )
    citizen, other = CitizenFactory(), CitizenFactory()
    case = case_create(
        user=make_staff(SPECIALIST),
        case_type=case_type,
        citizen=citizen,
        title="Ansøgning om helbredstillæg",
        channel="self_service",
        received_on=DAY_2024,
    )
    decision = record("helbredstillaeg", HELBRED, citizen, case=case)
    assert decision.case == case
    with pytest.raises(ServiceError) as error:
        record("helbredstillaeg", HELBRED, other, case=case)
    assert error.value.field == "case"


def test_database_refuses_an_unknown_outcome_and_a_negative_amount():
    citizen = CitizenFactory()
    base = {"rule_set": "friplads", "rule_version": "x", "decided_on": DAY_2024, "citizen": citizen}
    with pytest.raises(IntegrityError), transaction.atomic():
        InstantDecision.objects.create(outcome="maybe", **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstantDecision.objects.create(outcome="granted", amount=Decimal(-1), **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstantDecision.objects.create(outcome="granted", percentage=Decimal(101), **base)


def test_citizen_with_decisions_cannot_be_deleted():
    from django.db.models import ProtectedError

    decision = record("friplads", FRIPLADS)
    with pytest.raises(ProtectedError):
        decision.citizen.delete()


# --- the explanation partial ---------------------------------------------------------------


def render(decision, language):
    with translation.override(language):
        return render_to_string("decisions/_explanation.html", {"decision": decision})


def test_partial_in_english_and_danish():
    decision = record("friplads", FRIPLADS)
    english = render(decision, "en")
    assert 'class="alert alert-success"' in english
    assert "Granted" in english
    assert "The municipality pays 100 % of the parental payment." in english
    assert decision.explanation[2]["text_en"] in english
    assert decision.explanation[2]["text_da"] not in english
    assert "How to complain" in english
    assert decision.complaint_guidance_en in english
    assert "friplads-v1/2024-01-01" in english
    assert "https://www.helsingor.dk/" in english
    assert "<ol" in english and "<h2" in english and "<h3" in english
    danish = render(decision, "da")
    assert decision.explanation[2]["text_da"] in danish
    assert decision.complaint_guidance_da in danish


def test_partial_for_refused_and_manual():
    refused = record(
        "helbredstillaeg", {**HELBRED, "liquid_assets": 500_000, "supplement_percentage": 50}
    )
    html = render(refused, "en")
    assert 'class="alert alert-error"' in html
    assert "Not met:" in html
    assert "How to complain" in html
    manual = record("helbredstillaeg", HELBRED)
    html = render(manual, "en")
    assert 'class="alert alert-info"' in html
    assert "Needs a caseworker:" in html
    assert "How to complain" not in html


def test_partial_marks_example_values():
    decision = record("friplads", FRIPLADS)
    assert decision.uses_example_values  # the 2024 lower limit is an example value
    assert "example value, not verified" in render(decision, "en")


def test_partial_shows_the_quarterly_amount():
    inputs = {
        "child_birth_date": "2015-03-01",
        "single_provider": True,
        "has_custody": True,
        "child_lives_with_applicant": True,
        "resident_in_denmark": True,
        "child_in_denmark": True,
        "danish_citizen_or_refugee": True,
    }
    decision = record("boernetilskud", inputs)
    html = render(decision, "en")
    assert "DKK 3,247 per quarter" in html
    assert "Ordinary child supplement: DKK 1,608 per quarter" in html
    assert "Extra child supplement: DKK 1,639 per quarter" in html
    assert "Ekstra børnetilskud" in render(decision, "da")
    assert decision.details["total_per_quarter"] == "3247"
