"""The portfolio page: reading for analysts and team leads, forms for analysts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import override

from borgerservice.analytics.models import BenefitRealisation, UnitCost
from borgerservice.catalogue.models import ServiceArea
from tests.accounts.staff import ANALYST, FRONT_OFFICE, TEAM_LEAD, make_staff

pytestmark = pytest.mark.django_db


def url() -> str:
    with override("en"):
        return reverse("analytics:portfolio")


@pytest.fixture
def analyst_client(client):
    client.force_login(make_staff(ANALYST, username="page-analyst"))
    return client


@pytest.fixture
def pension():
    return ServiceArea.objects.get(code="suf-pensionsomraadet")


def test_url_is_translated():
    with override("da"):
        assert reverse("analytics:portfolio") == "/ledelsesinformation/portefoelje/"
    assert url() == "/en/management/portfolio/"


def test_analyst_sees_table_2_assessment_path_and_costs(analyst_client):
    response = analyst_client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>" in html and 'class="table table--zebra"' in html
    context = response.context
    assert context["table"].totals["fte"] == Decimal("541")
    assert len(context["assessment"]) == 11
    assert all(item.agrees_with_001 for item in context["assessment"])
    assert [round(r.saving_fte, 2) for r in context["path"].rows] == [
        Decimal("27.05"),
        Decimal("25.70"),
        Decimal("24.41"),
    ]
    assert context["costs"].source == "table2"
    assert "portfolio.js" in html and "chart.umd.min.js" in html
    assert 'id="portfolio-chart-data"' in html and "<script>" not in html
    assert 'name="csrfmiddlewaretoken"' in html  # the analyst's forms


def test_team_lead_reads_without_forms(client):
    client.force_login(make_staff(TEAM_LEAD, username="page-lead"))
    response = client.get(url())
    assert response.status_code == 200
    assert not response.context["may_write"]
    assert 'name="action"' not in response.content.decode()
    response = client.post(url(), {"action": "unit_cost", "channel": "phone", "cost_dkk": "1"})
    assert response.status_code == 403 and not UnitCost.objects.exists()


def test_front_office_and_anonymous_are_refused(client):
    assert client.get(url()).status_code == 302
    client.force_login(make_staff(FRONT_OFFICE, username="page-front"))
    assert client.get(url()).status_code == 403


def test_linear_reading_and_shift_by_query(analyst_client):
    response = analyst_client.get(url(), {"compounding": "0", "shift": "20"})
    assert response.status_code == 200
    assert response.context["path"].total_fte == Decimal("81.15")
    assert response.context["costs"].shift == Decimal("0.2")


def test_bad_shift_shows_an_error_summary(analyst_client):
    with override("en"):
        response = analyst_client.get(url(), {"shift": "lots"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="alert alert-error"' in html and 'href="#shift"' in html


def test_record_a_benefit(analyst_client, pension):
    response = analyst_client.post(
        url(),
        {
            "action": "benefit",
            "area": pension.pk,
            "year": "2011",
            "fte_saved": "7,5",
            "amount_dkk": "3.456.780",
            "note": "Pension moved in",
        },
    )
    assert response.status_code == 302
    row = BenefitRealisation.objects.get()
    assert (row.area, row.year, row.fte_saved, row.amount_dkk) == (
        pension,
        2011,
        Decimal("7.50"),
        Decimal("3456780.00"),
    )
    assert row.recorded_by.username == "page-analyst"
    page = analyst_client.get(url())
    second = page.context["comparison"][1]
    assert (second.year, second.realised_fte) == (2011, Decimal("7.50"))


def test_bad_benefit_changes_nothing(analyst_client, pension):
    response = analyst_client.post(
        url(),
        {"action": "benefit", "area": pension.pk, "year": "2011", "fte_saved": "-2"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#benefit-fte_saved"' in html and 'aria-invalid="true"' in html
    assert 'value="-2"' in html  # the posted value is kept
    assert not BenefitRealisation.objects.exists()
    response = analyst_client.post(url(), {"action": "benefit", "area": "", "year": "x"})
    assert response.status_code == 400 and not BenefitRealisation.objects.exists()


def test_set_a_unit_cost(analyst_client):
    response = analyst_client.post(
        url(),
        {"action": "unit_cost", "channel": "walk_in", "cost_dkk": "112,50", "source_note": "KK"},
    )
    assert response.status_code == 302
    row = UnitCost.objects.get()
    assert (row.channel, row.cost_dkk, row.source_note) == ("walk_in", Decimal("112.50"), "KK")
    page = analyst_client.get(url())
    walk_in = next(r for r in page.context["costs"].rows if r["channel"] == "walk_in")
    assert walk_in["cost_dkk"] == Decimal("112.50") and not walk_in["is_default"]


def test_bad_unit_cost_changes_nothing(analyst_client):
    response = analyst_client.post(
        url(), {"action": "unit_cost", "channel": "phone", "cost_dkk": "gratis"}
    )
    assert response.status_code == 400
    assert 'href="#unit-phone-cost_dkk"' in response.content.decode()
    assert not UnitCost.objects.exists()
