"""Two requests with the same draft key at the same moment create one application."""

from __future__ import annotations

import pytest
from django.db import connection

from borgerservice.cases.models import Case, CaseDocument
from borgerservice.contacts.models import Contact
from borgerservice.outbox.models import OutboxMessage
from borgerservice.selfservice.models import Submission


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_sends_with_one_key_create_one_case():
    from borgerservice.catalogue.models import Service
    from borgerservice.selfservice.demo import form_from_definition
    from borgerservice.selfservice.services import submission_create
    from tests.citizens.factories import CitizenFactory
    from tests.concurrency import load_reference_data, run_together

    from .conftest import PLAIN, PLAIN_SERVICE

    load_reference_data(case_types=True)
    form = form_from_definition(PLAIN, service=Service.objects.get(code=PLAIN_SERVICE))
    citizen = CitizenFactory()
    answers = {"has_partner": "no", "children": 1}

    def send():
        return submission_create(
            citizen=citizen, form=form, answers=answers, idempotency_key="same-key"
        ).pk

    outcomes = run_together([send] * 4)
    assert all(kind == "ok" for kind, _value in outcomes), outcomes
    assert len({value for _kind, value in outcomes}) == 1
    assert Submission.objects.count() == 1
    assert Case.objects.count() == 1 and Contact.objects.count() == 1
    assert CaseDocument.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
