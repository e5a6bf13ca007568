"""The citizen's journey through the Django test client: start page, steps with a
conditional question, errors, "Tjek dine svar", sending once, the receipt."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from borgerservice.cases.models import Case, CaseDocument
from borgerservice.contacts.models import Contact
from borgerservice.selfservice.models import Submission

from .conftest import PLAIN_SERVICE, portal_login

pytestmark = pytest.mark.django_db

CODE = PLAIN_SERVICE


@pytest.fixture(autouse=True)
def _english():
    """Pages are asked for in English (their /en/ addresses) unless a test says otherwise."""
    with translation.override("en"):
        yield


def url(name, **kwargs):
    return reverse(f"selfservice:{name}", kwargs=kwargs)


def start(client):
    response = client.post(url("start", service_code=CODE))
    assert response.status_code == 302
    return response


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def summary_links(html: str) -> list[str]:
    block = html.split('id="error-summary-title"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', block)


def test_not_logged_in_goes_to_login(client, plain_form):
    for target in (
        url("index"),
        url("start", service_code=CODE),
        url("step", service_code=CODE, step=1),
        url("check", service_code=CODE),
        url("receipt", submission_id=1),
    ):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))


def test_start_page_shows_time_and_expected_answer(citizen_client, plain_form):
    with translation.override("en"):
        response = citizen_client.get(url("start", service_code=CODE))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "Apply for the test benefit" in html
    assert "It takes about 3 min." in html
    # Received Monday 2 March 2026 + 20 working days (the default processing time).
    assert "you can expect an answer by 30. March 2026" in html
    assert "Check your answers" in html


def test_unknown_service_or_step_is_404(citizen_client, plain_form):
    assert citizen_client.get(url("start", service_code="no-such")).status_code == 404
    start(citizen_client)
    assert citizen_client.get(url("step", service_code=CODE, step=9)).status_code == 404


def test_steps_without_a_draft_go_to_the_start(citizen_client, plain_form):
    response = citizen_client.get(url("step", service_code=CODE, step=1))
    assert response["Location"] == url("start", service_code=CODE)
    response = citizen_client.get(url("check", service_code=CODE))
    assert response["Location"] == url("start", service_code=CODE)


def test_error_summary_links_match_the_field_ids(citizen_client, plain_form):
    start(citizen_client)
    with translation.override("en"):
        response = citizen_client.post(
            url("step", service_code=CODE, step=1), {"has_partner": "", "children": "two"}
        )
    html = response.content.decode()
    assert response.status_code == 400
    links = summary_links(html)
    assert links == ["field-has-partner", "field-children"]
    assert set(links) <= ids_in(html)
    # The summary comes before the page heading.
    assert html.index("error-summary-title") < html.index("<h1")
    assert "Choose an answer to “Do you have a partner?”." in html
    assert "“Number of children” must be a whole number, for example 2." in html
    assert 'class="form-group form-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="field-children-error"' in html
    assert "<title>Error:" in html
    # What was typed is shown again; nothing was saved.
    assert 'value="two"' in html
    session = citizen_client.session["selfservice_drafts"][str(plain_form.pk)]
    assert session["answers"] == {}


def test_out_of_range_and_hints(citizen_client, plain_form):
    start(citizen_client)
    with translation.override("en"):
        response = citizen_client.post(
            url("step", service_code=CODE, step=1), {"has_partner": "no", "children": "11"}
        )
        html = response.content.decode()
    assert "“Number of children” must be at most 10." in html
    # The hint of the yes/no group is tied to its fieldset; radios in a fieldset/legend.
    assert '<fieldset aria-describedby="field-has-partner-hint' in html
    assert '<legend class="form-label">Do you have a partner?' in html


def _walk(client, *, partner: bool):
    start(client)
    step1 = {"has_partner": "yes" if partner else "no", "children": "2"}
    if partner:
        step1["partner_name"] = "Bo"
    response = client.post(url("step", service_code=CODE, step=1), step1)
    return response


def test_conditional_question_skipped(citizen_client, plain_form):
    response = _walk(citizen_client, partner=False)
    # Step 2 asks only about the partner: it is skipped.
    assert response["Location"] == url("step", service_code=CODE, step=3)
    assert citizen_client.get(url("step", service_code=CODE, step=2))["Location"] == url(
        "step", service_code=CODE, step=3
    )
    response = citizen_client.post(url("step", service_code=CODE, step=3), {})
    assert response["Location"] == url("check", service_code=CODE)
    with translation.override("en"):
        html = citizen_client.get(url("check", service_code=CODE)).content.decode()
    assert "The partner&#x27;s income" not in html
    assert "The partner&#x27;s name" not in html


def test_conditional_question_required_when_it_applies(citizen_client, plain_form):
    response = _walk(citizen_client, partner=True)
    assert response["Location"] == url("step", service_code=CODE, step=2)
    # The check page cannot be reached before the conditional question is answered.
    assert citizen_client.get(url("check", service_code=CODE))["Location"] == url(
        "step", service_code=CODE, step=2
    )
    with translation.override("en"):
        response = citizen_client.post(url("step", service_code=CODE, step=2), {})
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == ["field-partner-income"]
    response = citizen_client.post(
        url("step", service_code=CODE, step=2), {"partner_income": "250.000,50"}
    )
    assert response["Location"] == url("step", service_code=CODE, step=3)
    answers = citizen_client.session["selfservice_drafts"][str(plain_form.pk)]["answers"]
    assert answers == {
        "has_partner": "yes",
        "partner_name": "Bo",
        "children": 2,
        "partner_income": "250000.50",
    }


def test_same_step_condition_is_marked_for_the_script(citizen_client, plain_form):
    start(citizen_client)
    with translation.override("en"):
        html = citizen_client.get(url("step", service_code=CODE, step=1)).content.decode()
    assert 'data-show-if-name="has_partner" data-show-if-values="yes"' in html
    assert "Only if you answered Yes to “Do you have a partner?”." in html
    assert "borgerservice/selfservice.js" in html
    assert "<script>" not in html  # no inline scripts (CSP)
    # Answered "no": the partner's name is dropped even if it was typed.
    citizen_client.post(
        url("step", service_code=CODE, step=1),
        {"has_partner": "no", "partner_name": "Ghost", "children": "0"},
    )
    answers = citizen_client.session["selfservice_drafts"][str(plain_form.pk)]["answers"]
    assert "partner_name" not in answers


def test_changing_an_answer_hides_later_answers(citizen_client, plain_form):
    _walk(citizen_client, partner=True)
    citizen_client.post(url("step", service_code=CODE, step=2), {"partner_income": "1000"})
    citizen_client.post(url("step", service_code=CODE, step=3), {})
    response = citizen_client.post(
        url("step", service_code=CODE, step=1) + "?return=check",
        {"has_partner": "no", "children": "2", "return": "check"},
    )
    assert response["Location"] == url("check", service_code=CODE)
    answers = citizen_client.session["selfservice_drafts"][str(plain_form.pk)]["answers"]
    assert answers == {"has_partner": "no", "children": 2}


def test_step_indicator_and_back_links(citizen_client, plain_form):
    _walk(citizen_client, partner=True)
    with translation.override("en"):
        html = citizen_client.get(url("step", service_code=CODE, step=2)).content.decode()
    assert '<ol class="step-indicator">' in html
    assert 'aria-current="step"' in html
    assert "Step 1 done" in html
    assert "Step 2 of 4" in html
    assert f'href="{url("step", service_code=CODE, step=1)}" class="back-link"' in html
    html = citizen_client.get(url("step", service_code=CODE, step=1)).content.decode()
    assert f'href="{url("start", service_code=CODE)}" class="back-link"' in html


def _complete(client, plain_form):
    _walk(client, partner=True)
    client.post(url("step", service_code=CODE, step=2), {"partner_income": "1000"})
    client.post(url("step", service_code=CODE, step=3), {"email": "a@b.dk", "wishes": ["b"]})
    return client.session["selfservice_drafts"][str(plain_form.pk)]["key"]


def test_check_page_lists_every_answer_with_change_links(citizen_client, plain_form):
    _complete(citizen_client, plain_form)
    with translation.override("en"):
        html = citizen_client.get(url("check", service_code=CODE)).content.decode()
    for text in ("Do you have a partner?", "Bo", "Number of children", "1,000", "a@b.dk"):
        assert text in html
    assert ">Beta<" in html
    change = url("step", service_code=CODE, step=1) + "?return=check#field-has-partner"
    assert f'href="{change}">Change<span class="sr-only"> Do you have a partner?' in html
    with translation.override("da"):
        html = citizen_client.get(url("check", service_code=CODE)).content.decode()
        assert "Har du en partner?" in html
        if translation.gettext("Check your answers") != "Check your answers":  # compiled
            assert "Tjek dine svar" in html
            assert ">Ret<" in html


def test_submit_creates_one_case_document_contact_and_is_idempotent(
    citizen_client, plain_form, citizen
):
    key = _complete(citizen_client, plain_form)
    response = citizen_client.post(url("check", service_code=CODE), {"idempotency_key": key})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert response["Location"] == url("receipt", submission_id=submission.pk)
    case = submission.case
    assert case.channel == "self_service"
    assert list(case.parties.values_list("citizen_id", flat=True)) == [citizen.pk]
    assert CaseDocument.objects.filter(case=case).count() == 1
    contact = Contact.objects.get()
    assert contact.channel == "self_service" and contact.outcome == "case"
    assert contact.staff is None and contact.citizen == citizen
    assert list(case.contacts.all()) == [contact]
    # The draft is gone; a reload of the POST (or the back button and send again) gives
    # the same receipt and nothing new.
    assert str(plain_form.pk) not in citizen_client.session.get("selfservice_drafts", {})
    again = citizen_client.post(url("check", service_code=CODE), {"idempotency_key": key})
    assert again["Location"] == url("receipt", submission_id=submission.pk)
    assert Case.objects.count() == 1 and Contact.objects.count() == 1
    assert Submission.objects.count() == 1


def test_receipt_page(citizen_client, plain_form):
    key = _complete(citizen_client, plain_form)
    response = citizen_client.post(url("check", service_code=CODE), {"idempotency_key": key})
    submission = Submission.objects.get()
    with translation.override("en"):
        html = citizen_client.get(response["Location"]).content.decode()
    assert submission.case.number in html
    assert "The application has been sent" in html
    assert "By 30. March 2026" in html
    with translation.override("da"):
        html = citizen_client.get(url("receipt", submission_id=submission.pk)).content.decode()
        assert '<html lang="da"' in html
        assert "Ansøg om prøveydelse" in html
        if translation.gettext("Receipt") != "Receipt":
            assert "Kvittering" in html


def test_stale_key_changes_nothing(citizen_client, plain_form):
    _complete(citizen_client, plain_form)
    with translation.override("en"):
        response = citizen_client.post(url("check", service_code=CODE), {"idempotency_key": "x"})
    assert response.status_code == 400
    assert "The page was out of date" in response.content.decode()
    assert not Submission.objects.exists() and not Case.objects.exists()


def test_another_citizen_cannot_open_the_receipt(client, plain_form, citizen, other_citizen):
    portal_login(client, citizen)
    key = _complete(client, plain_form)
    response = client.post(url("check", service_code=CODE), {"idempotency_key": key})
    receipt = response["Location"]
    submission = Submission.objects.get()
    client.logout()
    portal_login(client, other_citizen)
    assert client.get(receipt).status_code == 404
    # Nor can they "resubmit" the first citizen's key to see it.
    client.post(url("start", service_code=CODE))
    again = client.post(url("check", service_code=CODE), {"idempotency_key": key})
    assert again.status_code != 302 or again["Location"] != receipt
    html = client.get(url("index")).content.decode()
    assert submission.case.number not in html


def test_another_citizens_draft_is_not_used(client, plain_form, citizen, other_citizen):
    portal_login(client, citizen)
    _complete(client, plain_form)
    portal_login(client, other_citizen)  # same browser session, another citizen
    response = client.get(url("check", service_code=CODE))
    assert response["Location"] == url("start", service_code=CODE)


def test_index_lists_forms_and_my_submissions(citizen_client, plain_form):
    key = _complete(citizen_client, plain_form)
    citizen_client.post(url("check", service_code=CODE), {"idempotency_key": key})
    with translation.override("en"):
        html = citizen_client.get(url("index")).content.decode()
    assert "Apply for the test benefit" in html
    assert Submission.objects.get().case.number in html


def test_english_and_danish_pages(citizen_client, plain_form):
    with translation.override("da"):
        danish = url("start", service_code=CODE)
        html = citizen_client.get(danish).content.decode()
        assert not danish.startswith("/en/")
        assert '<html lang="da"' in html
        assert "Ansøg om prøveydelse" in html
        if translation.gettext("Start the application") != "Start the application":
            assert "Start ansøgningen" in html
    with translation.override("en"):
        english = url("start", service_code=CODE)
        assert english == f"/en/my-page/apply/{CODE}/"
        assert url("check", service_code=CODE) == f"/en/my-page/apply/{CODE}/check/"
        html = citizen_client.get(english).content.decode()
        assert '<html lang="en"' in html
        assert "Apply for the test benefit" in html
        assert "Start the application" in html
