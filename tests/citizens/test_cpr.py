"""CPR numbers: validation, the century rule, sex, masking; modulus 11 is not required."""

from __future__ import annotations

import datetime

import pytest

from borgerservice.citizens.cpr import cpr_birth_date, cpr_mask, cpr_normalise, cpr_sex
from borgerservice.core.errors import ServiceError

from .factories import CitizenFactory

MOD11_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def mod11_ok(cpr: str) -> bool:
    return sum(w * int(d) for w, d in zip(MOD11_WEIGHTS, cpr, strict=True)) % 11 == 0


def with_last_digit(prefix: str, *, passes: bool) -> str:
    """The first number ``prefix`` + digit that passes (or fails) the modulus-11 check."""
    for digit in range(10):
        cpr = f"{prefix}{digit}"
        if mod11_ok(cpr) == passes:
            return cpr
    raise AssertionError(f"no last digit for {prefix}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0102031234", "0102031234"),
        ("010203-1234", "0102031234"),
        (" 010203-1234 ", "0102031234"),
        ("010203 1234", "0102031234"),
    ],
)
def test_normalise_accepts_plain_and_dashed(value, expected):
    assert cpr_normalise(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "3102031234",  # 31 February
        "0113031234",  # month 13
        "0000001234",  # day and month 0
        "01020312AB",  # letters
        "O102031234",  # letter O for zero
        "010203123",  # 9 digits
        "01020312345",  # 11 digits
        "",
        "   ",
        None,
    ],
)
def test_normalise_rejects(value):
    with pytest.raises(ServiceError) as excinfo:
        cpr_normalise(value)
    assert excinfo.value.code == "cpr.invalid"
    assert excinfo.value.field == "cpr"
    assert excinfo.value.message


def test_normalise_rejects_a_future_birth_date():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    # 7th digit 4: 2000-2036, so the number means tomorrow (this century).
    cpr = f"{tomorrow:%d%m%y}4000"
    assert cpr_birth_date(cpr) == tomorrow
    with pytest.raises(ServiceError) as excinfo:
        cpr_normalise(cpr)
    assert excinfo.value.code == "cpr.invalid"


def test_normalise_accepts_numbers_failing_and_passing_modulus_11():
    failing = with_last_digit("211062562", passes=False)
    passing = with_last_digit("211062562", passes=True)
    assert not mod11_ok(failing)
    assert mod11_ok(passing)
    assert passing == "2110625629"  # the classic example number
    assert cpr_normalise(failing) == failing
    assert cpr_normalise(passing) == passing


@pytest.mark.parametrize(
    ("cpr", "year"),
    [
        ("0102030000", 1903),
        ("0102991000", 1999),
        ("0102502000", 1950),
        ("0102373000", 1937),
        ("0102364000", 2036),
        ("0102374000", 1937),
        ("0102209000", 2020),
        ("0102879000", 1987),
        ("0102575000", 2057),
        ("0102586000", 1858),
        ("0102127000", 2012),
        ("0102998000", 1899),
    ],
)
def test_birth_date_century_rule(cpr, year):
    assert cpr_birth_date(cpr) == datetime.date(year, 2, 1)


@pytest.mark.parametrize(("last", "sex"), [(1, "M"), (3, "M"), (9, "M"), (0, "F"), (4, "F")])
def test_sex_from_last_digit(last, sex):
    assert cpr_sex(f"010203123{last}") == sex


def test_mask_hides_the_serial_number():
    assert cpr_mask("0102031234") == "010203-XXXX"


def test_citizen_str_never_shows_the_last_four_digits():
    citizen = CitizenFactory.build(cpr="0102035678", first_name="Karen", last_name="Jensen")
    text = str(citizen)
    assert "5678" not in text
    assert "010203-XXXX" in text
    assert "Karen Jensen" in text


def test_factory_builds_valid_citizens():
    citizens = CitizenFactory.build_batch(50)
    cprs = [c.cpr for c in citizens]
    assert len(set(cprs)) == 50
    for citizen in citizens:
        assert cpr_normalise(citizen.cpr) == citizen.cpr
        assert citizen.birth_date == cpr_birth_date(citizen.cpr)
        assert citizen.sex == cpr_sex(citizen.cpr)
