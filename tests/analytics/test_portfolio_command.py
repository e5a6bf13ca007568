"""manage.py portfolio: text and JSON, and errors in the options."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    with override("en"):
        call_command("portfolio", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_three_parts():
    data = json.loads(run("--format", "json"))
    assert set(data) == {"portfolio", "savings_path", "channel_costs"}
    assert data["portfolio"]["totals"]["fte"] == 541
    assessed = {a["area"]: a["suitability"] for a in data["portfolio"]["assessment"]}
    assert assessed["suf-pensionsomraadet"] == "high"
    assert assessed["buf-pladsanvisning-foraeldrebetaling"] == "low"
    assert data["savings_path"]["total_fte"] == 77.16
    assert data["channel_costs"]["source"] == "table2"


def test_options_change_the_path():
    options = ["--no-compounding", "--years", "2", "--rate", "0.1", "--cost-per-fte", "400000"]
    data = json.loads(run("--format", "json", *options, "--shift", "0.5"))
    path = data["savings_path"]
    assert (path["compounding"], path["years"], path["total_fte"]) == (False, 2, 108.2)
    assert path["total_dkk"] == 108.2 * 400_000
    assert data["channel_costs"]["shifted_contacts"] == 582_500


def test_text_output():
    text = run()
    assert "Table 2 (001), 2009" in text
    assert "541.0  2,475,006  296,090" in text
    assert "Assessment against the five principles" in text
    assert "77.16 FTE" in text and "14.26%" in text
    assert "Contacts without a channel split (not costed): 1,131,506" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rate", "2"), "--rate: The rate must be a number from 0 to 1, e.g. 0.05."),
        (("--years", "0"), "--years: The number of years must be from 1 to 20."),
        (("--cost-per-fte", "nul"), "--cost-per-fte: The cost per FTE must be a positive amount."),
        (("--shift", "3"), "--shift: The shift must be a share from 0 to 1, e.g. 0.1."),
        (("--year", "1800"), "--year: The year must be from 1990 to 2100."),
    ],
)
def test_bad_options_give_a_command_error(args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == message
