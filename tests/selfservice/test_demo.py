"""The demo forms command: needs DEMO, idempotent, the rule-set forms cover the inputs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from borgerservice.decisions.engine import RULE_SETS
from borgerservice.selfservice.models import FormDefinition
from borgerservice.selfservice.validation import structure_errors

pytestmark = pytest.mark.django_db


def test_refused_without_demo(settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="DEMO is not enabled"):
        call_command("make_demo_forms")
    assert not FormDefinition.objects.exists()


def test_creates_forms_once(settings):
    settings.DEMO = True
    out = StringIO()
    call_command("make_demo_forms", stdout=out)
    assert "Created 5 application forms" in out.getvalue()
    forms = FormDefinition.objects.select_related("service")
    assert forms.count() == 5
    assert all(form.active for form in forms)
    # One form for each rule set's service, with that rule set.
    for code, rules in RULE_SETS.items():
        form = forms.get(service__code=rules.service_codes[0])
        assert form.rule_set == code
        assert structure_errors(form, form.fields.select_related("step")) == []
        names = set(form.fields.values_list("name", flat=True))
        assert {spec.name for spec in rules.inputs if spec.required} <= names
        assert form.fields.exclude(show_if=None).exists()  # conditional questions
    plain = [f for f in forms if not f.rule_set]
    assert len(plain) == 2
    assert all(hasattr(f.service, "case_type") for f in forms)
    out = StringIO()
    call_command("make_demo_forms", stdout=out)
    assert "Created 0 application forms (5 services already had one)" in out.getvalue()
    out = StringIO()
    call_command("make_demo_forms", "--if-empty", stdout=out)
    assert "already exist" in out.getvalue()
    assert FormDefinition.objects.count() == 5
