"""Working days across Easter, Christmas and the abolished Store Bededag."""

from datetime import date

import pytest

from borgerservice.cases.calendar import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 2), False),  # Maundy Thursday
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2023, 5, 5), False),  # Store Bededag, still a holiday in 2023
        (date(2024, 4, 26), True),  # the fourth Friday after Easter: a working day from 2024
        (date(2026, 5, 1), True),  # Store Bededag 2026 would have been 1 May
        (date(2026, 5, 14), False),  # Ascension Day
        (date(2026, 5, 25), False),  # Whit Monday
        (date(2026, 6, 5), False),  # Constitution Day (closed by the default setting)
        (date(2026, 12, 24), False),
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), True),
        (date(2026, 12, 31), False),
        (date(2027, 1, 1), False),
        (date(2026, 11, 28), False),  # Saturday
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


def test_closed_days_are_a_setting(settings):
    settings.DEADLINE_CLOSED_DAYS = []
    assert is_working_day(date(2026, 6, 5))
    assert is_working_day(date(2026, 12, 24))
    assert not is_working_day(date(2026, 12, 25))


def test_adding_working_days_across_easter_and_christmas():
    # Wednesday 1 April 2026 + 3 working days skips Maundy Thursday to Easter Monday.
    assert add_working_days(date(2026, 4, 1), 3) == date(2026, 4, 9)
    # 23 December 2026 + 2: 24, 25, 26, 27 closed, 28 and 29 count.
    assert add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)
    # Across New Year: 30 Dec + 1 → 31 Dec and 1 Jan closed, Monday 4 Jan 2027.
    assert add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    # 2023 had Store Bededag on Friday 5 May; in 2024 the same Friday counts.
    assert add_working_days(date(2023, 5, 4), 1) == date(2023, 5, 8)
    assert add_working_days(date(2024, 4, 25), 1) == date(2024, 4, 26)
    assert add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)


def test_counting_working_days_between_dates():
    assert working_days_between(date(2026, 4, 1), date(2026, 4, 9)) == 3
    assert working_days_between(date(2026, 4, 9), date(2026, 4, 1)) == 0
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)
