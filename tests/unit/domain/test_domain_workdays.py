"""Working days on the Chinese official calendar (chinese-calendar 1.11.0 data)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.workdays import (
    PACKAGE_CALENDAR,
    SUPPORTED_FIRST,
    SUPPORTED_LAST,
    Calendar,
    CalendarDataError,
    CalendarRangeError,
    SuppliedYear,
    add_working_days,
    calendar_from_table,
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


# Supplied years. The 2027 data below is SYNTHETIC, made up for these tests only: the official 2027
# arrangement is not known here. Holidays: 1 January (Friday), 4-5 February (Thursday, Friday);
# a make-up working Saturday on 30 January.
SYNTHETIC_2027 = {"source": "test data, not an official notice",
                  "holidays": ["2027-01-01", "2027-02-04", "2027-02-05"], "workdays": ["2027-01-30"]}
WITH_2027 = calendar_from_table({"years": {"2027": SYNTHETIC_2027}})


def test_a_supplied_year_extends_the_known_range() -> None:
    assert (WITH_2027.first, WITH_2027.last) == (date(2004, 1, 1), date(2027, 12, 31))
    assert (PACKAGE_CALENDAR.first, PACKAGE_CALENDAR.last) == (SUPPORTED_FIRST, SUPPORTED_LAST)
    assert Calendar() == PACKAGE_CALENDAR and calendar_from_table({}) == PACKAGE_CALENDAR
    (year,) = WITH_2027.supplied
    assert (year.year, year.source) == (2027, "test data, not an official notice")
    assert year.holidays == {date(2027, 1, 1), date(2027, 2, 4), date(2027, 2, 5)}
    assert not is_working_day(date(2027, 1, 1), WITH_2027)  # a Friday, listed as a holiday
    assert is_working_day(date(2027, 1, 4), WITH_2027)  # an ordinary Monday
    assert not is_working_day(date(2027, 1, 2), WITH_2027)  # an ordinary Saturday
    assert is_working_day(datetime(2027, 1, 30, 9), WITH_2027)  # the make-up Saturday
    assert not is_working_day(date(2027, 1, 31), WITH_2027)
    # package years are unchanged by the supplied ones
    assert is_working_day(date(2025, 9, 28), WITH_2027) and not is_working_day(date(2025, 10, 1), WITH_2027)


def test_deadlines_across_the_end_of_the_package_years() -> None:
    # Monday 2026-12-28 + 3: Tue 29, Wed 30, Thu 31 December (package data)
    assert add_working_days(date(2026, 12, 28), 3, WITH_2027) == date(2026, 12, 31)
    # Wednesday 2026-12-30 + 3: Thu 31, (Fri 1 January off, weekend), Mon 4, Tue 5 January
    assert add_working_days(date(2026, 12, 30), 3, WITH_2027) == date(2027, 1, 5)
    assert add_working_days(date(2026, 12, 31), 1, WITH_2027) == date(2027, 1, 4)
    assert add_working_days(date(2027, 1, 4), -1, WITH_2027) == date(2026, 12, 31)
    # Friday 2027-01-29 + 1: the make-up Saturday; then Mon 1 - Wed 3 February, skipping 4-5 off
    assert add_working_days(date(2027, 1, 29), 1, WITH_2027) == date(2027, 1, 30)
    assert add_working_days(date(2027, 1, 29), 5, WITH_2027) == date(2027, 2, 8)
    assert working_days_between(date(2026, 12, 30), date(2027, 1, 5), WITH_2027) == 3
    assert working_days_between(date(2027, 1, 5), date(2026, 12, 30), WITH_2027) == -3
    assert not is_late(date(2026, 12, 30), date(2027, 1, 5), 3, WITH_2027)
    assert is_late(date(2026, 12, 30), date(2027, 1, 6), 3, WITH_2027)
    # the package alone still refuses, naming the first unknown day
    with pytest.raises(CalendarRangeError) as e:
        add_working_days(date(2026, 12, 30), 3)
    assert e.value.date == date(2027, 1, 1)


def test_past_the_supplied_years_the_error_says_the_range_and_how_to_extend_it() -> None:
    with pytest.raises(CalendarRangeError) as e:
        add_working_days(date(2027, 12, 30), 5, WITH_2027)
    assert e.value.date == date(2028, 1, 1)
    message = str(e.value)
    assert "known only from 2004-01-01 to 2027-12-31" in message
    assert "chinese-calendar 1.11.0 to 2026, the settings' calendar for 2027" in message
    assert "[years.2028]" in message and "calendar file of the settings" in message
    plain = str(CalendarRangeError(date(2027, 1, 1)))
    assert "to 2026-12-31 (chinese-calendar 1.11.0)" in plain and "[years.2027]" in plain
    with pytest.raises(CalendarRangeError):
        is_working_day(date(2003, 12, 31), WITH_2027)


_YEAR_BOUNDARY = st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 12, 1))


@given(start=_YEAR_BOUNDARY, n=st.integers(min_value=0, max_value=15))
def test_adding_then_counting_working_days_round_trips(start: date, n: int) -> None:
    end = add_working_days(start, n, WITH_2027)
    assert working_days_between(start, end, WITH_2027) == n
    assert working_days_between(end, start, WITH_2027) == -n
    assert n == 0 or (end > start and is_working_day(end, WITH_2027))


def _year_2027(**changes) -> dict:
    return {"years": {"2027": {**SYNTHETIC_2027, **changes}}}


@pytest.mark.parametrize("table, message", [
    (_year_2027(holidays=["2028-01-03"]), "years.2027.holidays: 2028-01-03 is not in 2027"),
    (_year_2027(workdays=["2026-12-26"]), "years.2027.workdays: 2026-12-26 is not in 2027"),
    (_year_2027(holidays=["2027-02-30"]), "years.2027.holidays: '2027-02-30' is not a date (YYYY-MM-DD)"),
    (_year_2027(holidays=["2027-1-1"]), "years.2027.holidays: '2027-1-1' is not a date (YYYY-MM-DD)"),
    (_year_2027(workdays=["20270130"]), "years.2027.workdays: '20270130' is not a date (YYYY-MM-DD)"),
    (_year_2027(workdays=[20270130]), "years.2027.workdays: 20270130 is not a date (YYYY-MM-DD)"),
    (_year_2027(holidays=["2027-01-02"]),
     "years.2027.holidays: 2027-01-02 is a Saturday: holidays lists only the weekdays that are off"),
    (_year_2027(workdays=["2027-01-04"]),
     "years.2027.workdays: 2027-01-04 is a Monday: workdays lists only the Saturdays and Sundays that are worked"),
    (_year_2027(workdays=["2027-01-30", "2027-01-01"]),
     "years.2027: 2027-01-01 is in both holidays and workdays"),
    (_year_2027(holidays=["2027-01-01", "2027-02-04", "2027-01-01"]),
     "years.2027.holidays: 2027-01-01 is listed twice"),
    (_year_2027(workdays=["2027-01-30", date(2027, 1, 30)]), "years.2027.workdays: 2027-01-30 is listed twice"),
    ({"years": {"2027": {k: v for k, v in SYNTHETIC_2027.items() if k != "source"}}},
     "years.2027.source: missing: name the State Council notice"),
    (_year_2027(source="  "), "years.2027.source: missing"),
    ({"years": {"2027": {k: v for k, v in SYNTHETIC_2027.items() if k != "workdays"}}},
     "years.2027.workdays: missing"),
    (_year_2027(holidays="2027-01-01"), "years.2027.holidays: expected a list of dates"),
    (_year_2027(notes="x"), "years.2027.notes: unknown key"),
    ({"years": {"2026": {"source": "s", "holidays": [], "workdays": []}}}, "years.2026: already known from chinese-calendar 1.11.0 (2004-2026), "
                                          "which may not be overridden"),
    ({"years": {"1999": {"source": "s", "holidays": [], "workdays": []}}}, "years.1999: does not follow on from the known years (2004-2026)"),
    ({"years": {"2028": {**SYNTHETIC_2027, "holidays": ["2028-01-03"], "workdays": []}}},
     "years.2028: does not follow on from the known years (2004-2026); 2027 is missing"),
    ({"years": {"27": SYNTHETIC_2027}}, "years.27: expected a year (four digits)"),
    ({"year": {}}, "year: unknown key"),
    ({"years": {"2027": "x"}}, "years.2027: expected a table (source, holidays, workdays)"),
    ({"years": []}, "years: expected a table"),
])
def test_bad_calendar_data_is_named(table: dict, message: str) -> None:
    with pytest.raises(CalendarDataError) as e:
        calendar_from_table(table)
    assert message in str(e.value)


def test_toml_dates_and_a_second_supplied_year() -> None:
    cal = calendar_from_table({"years": {
        "2028": {"source": "synthetic", "holidays": [date(2028, 1, 3)], "workdays": []},
        "2027": {**SYNTHETIC_2027, "holidays": [date(2027, 1, 1)]},
    }})
    assert [y.year for y in cal.supplied] == [2027, 2028] and cal.last == date(2028, 12, 31)
    assert add_working_days(date(2027, 12, 31), 1, cal) == date(2028, 1, 4)  # Mon 3 January off


def test_a_year_given_twice_is_refused() -> None:
    year = WITH_2027.supplied[0]
    with pytest.raises(CalendarDataError, match="years.2027: given twice"):
        Calendar((year, year))
    with pytest.raises(CalendarDataError, match="years.2027.holidays: 2027-01-02 is a Saturday"):
        SuppliedYear(2027, "synthetic", frozenset({date(2027, 1, 2)}), frozenset())
