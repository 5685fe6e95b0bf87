"""Working days on the Chinese official calendar (chinese-calendar 1.11.0 data)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.workdays import (
    SUPPORTED_FIRST,
    SUPPORTED_LAST,
    CalendarRangeError,
    add_working_days,
    is_late,
    is_working_day,
    working_days_between,
)


def test_supported_range() -> None:
    assert SUPPORTED_FIRST == date(2004, 1, 1)
    assert SUPPORTED_LAST == date(2026, 12, 31)


def test_national_day_2025_and_its_make_up_days() -> None:
    assert date(2025, 9, 28).weekday() == 6 and is_working_day(date(2025, 9, 28))  # Sunday, worked
    assert date(2025, 10, 11).weekday() == 5 and is_working_day(date(2025, 10, 11))  # Saturday, worked
    assert not any(is_working_day(date(2025, 10, d)) for d in range(1, 9))  # 1-8 October off
    assert is_working_day(datetime(2025, 10, 9, 15, 30))


def test_add_working_days_across_the_holiday() -> None:
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Friday -> make-up Sunday
    assert add_working_days(date(2025, 9, 28), 1) == date(2025, 9, 29)
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 30), 2) == date(2025, 10, 10)
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)  # make-up Saturday
    assert add_working_days(date(2025, 9, 30), 4) == date(2025, 10, 13)
    assert add_working_days(date(2025, 10, 3), 1) == date(2025, 10, 9)  # start on a holiday


def test_add_working_days_ordinary_weekend_zero_and_negative() -> None:
    assert add_working_days(date(2025, 6, 6), 1) == date(2025, 6, 9)  # Friday -> Monday
    assert add_working_days(date(2025, 6, 7), 0) == date(2025, 6, 7)  # n=0: start unchanged
    assert add_working_days(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert add_working_days(date(2025, 9, 29), -1) == date(2025, 9, 28)


def test_spring_festival_2026() -> None:
    # 2026-02-14 (Saturday) is a make-up working day; 15-23 February are off
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_is_late() -> None:
    funded = date(2025, 9, 30)  # deadline for 3 working days: 2025-10-11
    assert not is_late(funded, date(2025, 10, 10), 3)
    assert not is_late(funded, date(2025, 10, 11), 3)  # on the deadline day: on time
    assert is_late(funded, date(2025, 10, 12), 3)
    assert is_late(funded, date(2025, 10, 13), 3)
    assert not is_late(funded, funded, 0)
    assert is_late(funded, date(2025, 10, 1), 0)


def test_working_days_between() -> None:
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert working_days_between(date(2025, 10, 11), date(2025, 9, 30)) == -3
    assert working_days_between(date(2025, 6, 2), date(2025, 6, 2)) == 0


@pytest.mark.parametrize("day", [date(2030, 1, 2), date(2003, 12, 31), date(1999, 5, 1), date(2027, 1, 1)])
def test_out_of_range_dates(day: date) -> None:
    with pytest.raises(CalendarRangeError) as e:
        add_working_days(day, 1)
    message = str(e.value)
    assert str(day) in message
    assert "2004-01-01" in message and "2026-12-31" in message
    assert e.value.date == day
    with pytest.raises(CalendarRangeError):
        is_working_day(day)
    with pytest.raises(CalendarRangeError):
        is_late(date(2025, 1, 2), day, 1)
    with pytest.raises(CalendarRangeError):
        is_late(day, date(2025, 1, 2), 1)
    assert isinstance(e.value, ValueError)


def test_walking_out_of_the_range_names_the_first_unknown_day() -> None:
    with pytest.raises(CalendarRangeError) as e:
        add_working_days(date(2026, 12, 30), 5)
    assert e.value.date == date(2027, 1, 1)
    assert "2027-01-01" in str(e.value)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError):
        add_working_days("2025-01-01", 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_working_days(date(2025, 1, 1), 1.0)  # type: ignore[arg-type]
