"""Form definitions: database constraints, clean() and the whole-form checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from borgerservice.catalogue.models import Service
from borgerservice.selfservice.models import FormDefinition, FormField, FormStep
from borgerservice.selfservice.validation import structure_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def service():
    return Service.objects.get(code="suf-begravelseshjaelp")


@pytest.fixture
def form(service):
    return FormDefinition.objects.create(service=service, title_da="T", title_en="T")


@pytest.fixture
def step(form):
    return FormStep.objects.create(form=form, position=1, title_da="S", title_en="S")


def field(form, step, name="a", position=1, **extra):
    values = {"kind": "text", "label_da": "L", "label_en": "L", **extra}
    return FormField(form=form, step=step, position=position, name=name, **values)


def test_one_active_version_per_service(service, form):
    form.active = True
    form.save()
    FormDefinition.objects.create(service=service, version=2, title_da="T", title_en="T")
    with pytest.raises(IntegrityError), transaction.atomic():
        FormDefinition.objects.create(
            service=service, version=3, active=True, title_da="T", title_en="T"
        )
    second = FormDefinition(service=service, version=4, active=True, title_da="T", title_en="T")
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "active" in error.value.message_dict


def test_version_unique_per_service(service, form):
    with pytest.raises(IntegrityError), transaction.atomic():
        FormDefinition.objects.create(service=service, version=1, title_da="T", title_en="T")


def test_field_name_unique_per_form_in_the_database(form, step):
    field(form, step).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        field(form, step, position=2).save()


def test_field_kind_and_min_max_constraints(form, step):
    with pytest.raises(IntegrityError), transaction.atomic():
        field(form, step, kind="colour").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        field(form, step, name="n", kind="integer", min_value=5, max_value=1).save()


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ({"kind": "radio"}, "choices"),
        ({"kind": "select", "choices": [{"value": "a"}]}, "choices"),
        (
            {
                "kind": "checkbox",
                "choices": [
                    {"value": "a", "label_da": "A", "label_en": "A"},
                    {"value": "a", "label_da": "B", "label_en": "B"},
                ],
            },
            "choices",
        ),
        (
            {"kind": "text", "choices": [{"value": "a", "label_da": "A", "label_en": "A"}]},
            "choices",
        ),
        ({"kind": "text", "min_value": Decimal(1)}, "min_value"),
        ({"kind": "integer", "max_length": 5}, "max_length"),
        ({"kind": "text", "pattern": "("}, "pattern"),
        ({"kind": "text", "show_if": {"equals": "yes"}}, "show_if"),
        ({"kind": "text", "show_if": {"field": "a", "equals": "yes"}}, "show_if"),
        ({"kind": "text", "show_if": {"field": "later", "equals": "yes"}}, "show_if"),
    ],
)
def test_field_clean(form, step, extra, key):
    with pytest.raises(ValidationError) as error:
        field(form, step, **extra).full_clean()
    assert key in error.value.message_dict


def test_bad_names_are_refused(form, step):
    with pytest.raises(ValidationError) as error:
        field(form, step, name="Bad-Name").full_clean()
    assert "name" in error.value.message_dict


def test_show_if_must_refer_to_an_earlier_question_and_its_values(form, step):
    first = field(form, step, name="first", kind="yes_no")
    first.save()
    ok = field(form, step, name="second", position=2, show_if={"field": "first", "equals": "yes"})
    ok.full_clean()
    wrong_value = field(
        form, step, name="third", position=3, show_if={"field": "first", "equals": "maybe"}
    )
    with pytest.raises(ValidationError) as error:
        wrong_value.full_clean()
    assert "has no choice maybe" in str(error.value)
    # Earlier means earlier: a question on an earlier position cannot depend on a later one.
    earlier = field(
        form, step, name="zero", position=0, show_if={"field": "first", "equals": "yes"}
    )
    with pytest.raises(ValidationError):
        earlier.full_clean()


def test_structure_errors(form, step):
    fields = [
        field(form, step, name="a", kind="yes_no"),
        field(form, step, name="a", position=2),
        field(form, step, name="b", position=3, show_if={"field": "c", "equals": "x"}),
    ]
    problems = structure_errors(form, fields)
    assert any("Two questions are called a" in p for p in problems)
    assert any("earlier question" in p for p in problems)


def test_rule_set_must_exist_and_be_covered(service, form, step):
    form.rule_set = "no-such-rules"
    with pytest.raises(ValidationError) as error:
        form.full_clean()
    assert "rule_set" in error.value.message_dict
    form.rule_set = "friplads"
    form.full_clean()
    fields = [
        field(form, step, name="household_income", kind="text"),
        field(form, step, name="single_provider", kind="yes_no", position=2),
    ]
    problems = structure_errors(form, fields)
    assert any("household_income must be of a kind that gives decimal" in p for p in problems)
    assert any("needs the question children_under_18" in p for p in problems)
    # Optional inputs may be left out.
    assert not any("monthly_fee" in p for p in problems)
    bad_choice = field(
        form,
        step,
        name="childcare_type",
        kind="radio",
        position=3,
        choices=[{"value": "unknown", "label_da": "U", "label_en": "U"}],
    )
    problems = structure_errors(form, [*fields, bad_choice])
    assert any("choices the rule set does not know: unknown" in p for p in problems)


def test_admin_pages(admin_client, demo_forms):
    form = demo_forms["faf-oekonomisk-friplads"]
    assert admin_client.get("/admin/selfservice/formdefinition/").status_code == 200
    response = admin_client.get(f"/admin/selfservice/formdefinition/{form.pk}/change/")
    assert response.status_code == 200
    assert "household_income" in response.content.decode()
    assert admin_client.get("/admin/selfservice/formdefinition/add/").status_code == 200
