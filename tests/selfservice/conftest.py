"""Fixtures for self-service applications: citizens logged in on Min side, demo forms,
and a small plain form. Every test runs on a fixed day (a Monday)."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from borgerservice.catalogue.models import Service
from borgerservice.selfservice.demo import demo_forms_create, form_from_definition
from tests.citizens.factories import CitizenFactory

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def citizen(db):
    return CitizenFactory(email="anna@example.org")


@pytest.fixture
def other_citizen(db):
    return CitizenFactory()


def portal_login(client, citizen) -> None:
    session = client.session
    now = int(time.time())
    session["portal_citizen"] = {"id": citizen.pk, "method": "demo", "at": now}
    session["portal_last_activity"] = now
    session.save()


@pytest.fixture
def citizen_client(client, citizen):
    portal_login(client, citizen)
    return client


@pytest.fixture
def demo_forms(db):
    demo_forms_create()
    from borgerservice.selfservice.models import FormDefinition

    return {f.service.code: f for f in FormDefinition.objects.select_related("service")}


PLAIN = {
    "title_da": "Ansøg om prøveydelse",
    "title_en": "Apply for the test benefit",
    "intro_da": "En prøve.",
    "intro_en": "A test.",
    "minutes": 3,
    "steps": [
        (
            "Om dig",
            "About you",
            [
                {
                    "name": "has_partner",
                    "kind": "yes_no",
                    "label_da": "Har du en partner?",
                    "label_en": "Do you have a partner?",
                    "hint_da": "Gift eller samlevende.",
                    "hint_en": "Married or living together.",
                },
                {
                    "name": "partner_name",
                    "kind": "text",
                    "label_da": "Partnerens navn",
                    "label_en": "The partner's name",
                    "show_if": {"field": "has_partner", "equals": "yes"},
                },
                {
                    "name": "children",
                    "kind": "integer",
                    "label_da": "Antal børn",
                    "label_en": "Number of children",
                    "min_value": 0,
                    "max_value": 10,
                },
            ],
        ),
        (
            "Partneren",
            "The partner",
            [
                {
                    "name": "partner_income",
                    "kind": "decimal",
                    "label_da": "Partnerens indkomst",
                    "label_en": "The partner's income",
                    "show_if": {"field": "has_partner", "equals": "yes"},
                    "min_value": 0,
                },
            ],
        ),
        (
            "Kontakt",
            "Contact",
            [
                {
                    "name": "email",
                    "kind": "email",
                    "label_da": "E-mail",
                    "label_en": "Email",
                    "required": False,
                },
                {
                    "name": "wishes",
                    "kind": "checkbox",
                    "label_da": "Ønsker",
                    "label_en": "Wishes",
                    "required": False,
                    "choices": [
                        {"value": "a", "label_da": "Alfa", "label_en": "Alpha"},
                        {"value": "b", "label_da": "Beta", "label_en": "Beta"},
                    ],
                },
            ],
        ),
    ],
}

PLAIN_SERVICE = "suf-licensnedsaettelse"


@pytest.fixture
def plain_form(db):
    return form_from_definition(PLAIN, service=Service.objects.get(code=PLAIN_SERVICE))
