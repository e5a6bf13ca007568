"""Applying with an instant decision through the pages: granted, refused and manual."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from borgerservice.cases.models import Case
from borgerservice.decisions.models import InstantDecision
from borgerservice.selfservice.models import FormDefinition, Submission

pytestmark = pytest.mark.django_db

CODE = "faf-oekonomisk-friplads"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def url(name, **kwargs):
    return reverse(f"selfservice:{name}", kwargs=kwargs)


def apply(client, *, income: str, assessment: str = "no"):
    client.post(url("start", service_code=CODE))
    r = client.post(
        url("step", service_code=CODE, step=1),
        {"single_provider": "no", "partner_name": "Bo", "children_under_18": "2"},
    )
    assert r["Location"] == url("step", service_code=CODE, step=2)
    r = client.post(url("step", service_code=CODE, step=2), {"childcare_type": "municipal"})
    assert r["Location"] == url("step", service_code=CODE, step=3)
    step3 = {"household_income": income, "income_needs_assessment": assessment}
    if assessment == "yes":
        step3["income_explanation"] = "Selvstændig erhvervsdrivende"
    r = client.post(url("step", service_code=CODE, step=3), step3)
    assert r["Location"] == url("check", service_code=CODE)
    html = client.get(url("check", service_code=CODE)).content.decode()
    assert "The name of your spouse or partner" in html
    form = FormDefinition.objects.get(active=True, service__code=CODE)
    key = client.session["selfservice_drafts"][str(form.pk)]["key"]
    r = client.post(url("check", service_code=CODE), {"idempotency_key": key})
    assert r.status_code == 302
    return client.get(r["Location"]), key


def test_granted_at_once(citizen_client, demo_forms):
    response, key = apply(citizen_client, income="150.000")
    html = response.content.decode()
    submission = Submission.objects.get()
    assert submission.outcome == "granted"
    assert "Granted at once" in html
    assert "Rules and facts used" in html  # the decisions explanation partial
    assert submission.case.number in html
    assert Case.objects.get().status == "closed"
    # Sending again gives the same receipt.
    again = citizen_client.post(url("check", service_code=CODE), {"idempotency_key": key})
    assert again["Location"] == url("receipt", submission_id=submission.pk)
    assert Case.objects.count() == 1 and InstantDecision.objects.count() == 1


def test_refused_at_once(citizen_client, demo_forms):
    response, _key = apply(citizen_client, income="900000")
    html = response.content.decode()
    assert "Refused at once" in html
    assert Case.objects.get().status == "decided"


def test_manual_goes_to_a_caseworker(citizen_client, demo_forms):
    response, _key = apply(citizen_client, income="300000", assessment="yes")
    html = response.content.decode()
    assert "A caseworker will look at your application" in html
    assert "Expected answer" in html
    case = Case.objects.get()
    assert case.status == "received"
    assert case.notes.count() == 1


def test_income_explanation_is_ignored_without_assessment(citizen_client, demo_forms):
    citizen_client.post(url("start", service_code=CODE))
    citizen_client.post(
        url("step", service_code=CODE, step=1), {"single_provider": "yes", "children_under_18": "1"}
    )
    citizen_client.post(url("step", service_code=CODE, step=2), {"childcare_type": "municipal"})
    citizen_client.post(
        url("step", service_code=CODE, step=3),
        {"household_income": "100000", "income_needs_assessment": "no", "income_explanation": "x"},
    )
    form = demo_forms[CODE]
    answers = citizen_client.session["selfservice_drafts"][str(form.pk)]["answers"]
    assert "income_explanation" not in answers
    assert "partner_name" not in answers
