"""The data-file loader: every parameter value of every rule set has a source, URL, date,
validity and example flag; periods never overlap; segments and their lookup; broken
files are refused with a clear error."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from borgerservice.decisions import params
from borgerservice.decisions.engine import RULE_SETS

GOOD = """
code = "demo"
logic_version = "2"
legal_basis = "Lov om demo § 1"

[complaint_guidance]
text_da = "Klag inden 4 uger."
text_en = "Complain within 4 weeks."
source = "Lov om demo § 2"
url = "https://example.org/demo"
source_date = 2024-01-01
example = false

[parameters.limit]
unit = "DKK"
description_da = "Grænse"
description_en = "Limit"

[[parameters.limit.values]]
valid_from = 2024-01-01
valid_to = 2024-12-31
value = 100
source = "Demo 2024"
url = "https://example.org/2024"
source_date = 2024-01-01
example = false

[[parameters.limit.values]]
valid_from = 2025-01-01
value = 110
source = "Demo 2025"
url = "https://example.org/2025"
source_date = 2025-01-01
example = true

[parameters.rate]
unit = "percent"
description_da = "Sats"
description_en = "Rate"

[[parameters.rate.values]]
valid_from = 2024-07-01
value = 5
source = "Demo rate"
url = "https://example.org/rate"
source_date = 2024-07-01
example = false
"""


@pytest.mark.parametrize("code", sorted(RULE_SETS))
def test_every_value_has_source_date_validity_and_example_flag(code):
    data = params.load(code)
    assert data.code == code
    assert data.legal_basis
    assert data.complaint_guidance.text_da and data.complaint_guidance.text_en
    assert data.complaint_guidance.url.startswith("http")
    assert data.parameters
    for parameter in data.parameters.values():
        assert parameter.unit and parameter.description_da and parameter.description_en
        for value in parameter.values:
            assert value.source.strip()
            assert value.url.startswith("http")
            assert isinstance(value.source_date, date)
            assert isinstance(value.valid_from, date)
            assert value.valid_to is None or value.valid_to >= value.valid_from
            assert isinstance(value.example, bool)
            if value.example:
                assert "xample" in value.source or value.note, (code, parameter.name)


@pytest.mark.parametrize("code", sorted(RULE_SETS))
def test_no_overlapping_periods(code):
    for parameter in params.load(code).parameters.values():
        values = sorted(parameter.values, key=lambda v: v.valid_from)
        for before, after in pairwise(values):
            assert before.valid_to is not None
            assert before.valid_to < after.valid_from


@pytest.mark.parametrize("code", sorted(RULE_SETS))
def test_every_parameter_a_rule_needs_is_in_each_complete_segment(code):
    data = params.load(code)
    complete = [s for s in data.segments if s.complete]
    assert complete
    assert complete[-1].end is None  # the latest period is open-ended
    for segment in complete:
        assert set(segment.values) == set(data.parameters)
        for name, value in segment.values.items():
            assert value.covers(segment.start)
            if segment.last_day:
                assert value.covers(segment.last_day)
            assert segment.cited[name]["value"] == str(value.value)
            assert segment.cited[name]["description_da"] and segment.cited[name]["description_en"]


@pytest.mark.parametrize("code", sorted(RULE_SETS))
def test_each_day_maps_to_the_segment_holding_it(code):
    data = params.load(code)
    for segment in data.segments:
        assert data.segment_on(segment.start) is segment
        if segment.last_day:
            assert data.segment_on(segment.last_day) is segment
    first = data.segments[0].start
    assert data.segment_on(first - timedelta(days=1)) is None


def test_parse_a_good_file():
    data = params.parse(GOOD, "demo")
    assert data.version(data.segment_on(date(2024, 8, 1))) == "demo-v2/2024-07-01"
    early = data.segment_on(date(2024, 3, 1))
    assert early.missing == ("rate",)
    assert not early.complete
    late = data.segment_on(date(2030, 1, 1))
    assert late.complete and late.end is None
    assert late.amounts["limit"] == 110
    assert late.has_example_values
    assert data.segment_on(date(2023, 12, 31)) is None
    mid = data.segment_on(date(2024, 12, 31))
    assert mid.start == date(2024, 7, 1) and mid.last_day == date(2024, 12, 31)
    assert not mid.has_example_values


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("valid_from = 2025-01-01\nvalue = 110", "valid_from = 2024-12-31\nvalue = 110"),
            "overlap",
        ),
        (('source = "Demo 2024"\n', ""), "missing source"),
        (('url = "https://example.org/2024"\n', 'url = ""\n'), "url must be"),
        (("example = true\n", 'example = "yes"\n'), "example must be"),
        (("value = 100\n", 'value = "lots"\n'), "value must be"),
        (("valid_to = 2024-12-31\n", "valid_to = 2023-12-31\n"), "valid_to before"),
        (("source_date = 2024-07-01\n", 'source_date = "July"\n'), "TOML date"),
        (('code = "demo"', 'code = "other"'), "code"),
        (
            ("[complaint_guidance]\n", "[complaint_guidance]\nx = 1\n[nothing]\n"),
            "complaint_guidance",
        ),
        (("logic_version", "# logic_version"), "missing logic_version"),
        (("[parameters.rate]", "[parameters.rate"), "not valid TOML"),
    ],
)
def test_broken_files_are_refused(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(params.DataFileError) as error:
        params.parse(GOOD.replace(old, new, 1), "demo")
    assert message in str(error.value)


def test_open_ended_value_followed_by_another_overlaps():
    text = GOOD.replace("valid_to = 2024-12-31\n", "", 1)
    with pytest.raises(params.DataFileError, match="overlap"):
        params.parse(text, "demo")


def test_load_is_cached():
    assert params.load("friplads") is params.load("friplads")
