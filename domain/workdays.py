"""Working days on the Chinese official calendar (法定节假日 and 调休 make-up working days).

The calendar comes from the ``chinese-calendar`` package, which knows the State Council's
holiday arrangements for a fixed range of years (see :data:`SUPPORTED_FIRST` and
:data:`SUPPORTED_LAST`), extended by whole years the operator supplies (:class:`Calendar`, from
the ``[calendar]`` of the settings): the arrangement for a new year is published each November,
often before a package release knows it. A date outside the known years raises
:class:`CalendarRangeError` instead of guessing.

Every function takes the calendar to count on; the default, :data:`PACKAGE_CALENDAR`, is the
package's years alone.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
from chinese_calendar import constants as _cc_constants

from i18n import Named, Phrase, Refused

__all__ = [
    "PACKAGE_CALENDAR",
    "SUPPORTED_FIRST",
    "SUPPORTED_LAST",
    "Calendar",
    "CalendarDataError",
    "CalendarRangeError",
    "SuppliedYear",
    "add_working_days",
    "calendar_from_table",
    "is_late",
    "is_working_day",
    "working_days_between",
]

#: First and last dates the installed chinese-calendar package has holiday data for.
SUPPORTED_FIRST = date(min(_cc_constants.holidays).year, 1, 1)
SUPPORTED_LAST = date(max(_cc_constants.holidays).year, 12, 31)

_PACKAGE = f"chinese-calendar {getattr(chinese_calendar, '__version__', '?')}"
_ONE_DAY = timedelta(days=1)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarDataError(Refused):
    """Supplied calendar data that cannot be used; the message names the year, field and value,
    in words (``calendar.*`` in i18n/catalogue_calendar.py)."""


@dataclass(frozen=True)
class SuppliedYear:
    """One year's arrangement as the State Council published it, supplied by the operator.

    Any weekday is a working day unless it is in ``holidays``; a Saturday or Sunday is a day off
    unless it is in ``workdays`` (a 调休 make-up working day). ``source`` names the notice.
    """

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def __post_init__(self) -> None:
        where = f"years.{self.year}"
        if not isinstance(self.source, str) or not self.source.strip():
            raise CalendarDataError("calendar.source_missing", where=f"{where}.source", example="国办发明电〔2026〕N号")
        for name in ("holidays", "workdays"):
            days = frozenset(getattr(self, name))
            for d in days:
                if type(d) is not date:
                    raise CalendarDataError("calendar.not_a_day", where=f"{where}.{name}", value=repr(d))
            object.__setattr__(self, name, days)
        both = sorted(self.holidays & self.workdays)
        if both:
            raise CalendarDataError("calendar.in_both", where=where, day=str(both[0]))
        for name, days, weekend in (("holidays", self.holidays, False), ("workdays", self.workdays, True)):
            for d in sorted(days):
                if d.year != self.year:
                    raise CalendarDataError("calendar.other_year", where=f"{where}.{name}", day=str(d), year=self.year)
                if (d.weekday() >= 5) != weekend:
                    raise CalendarDataError("calendar.workday_on_weekday" if weekend else "calendar.holiday_on_weekend",
                                            where=f"{where}.{name}", day=str(d),
                                            weekday=Named("weekday", _WEEKDAYS[d.weekday()]))

    def is_working_day(self, d: date) -> bool:
        return d in self.workdays if d.weekday() >= 5 else d not in self.holidays


@dataclass(frozen=True)
class Calendar:
    """The package's years followed by ``supplied`` years, contiguous, each from one source."""

    supplied: tuple[SuppliedYear, ...] = ()

    def __post_init__(self) -> None:
        for y in self.supplied:
            if not isinstance(y, SuppliedYear):
                raise TypeError(f"expected SuppliedYear, not {type(y).__name__}")
        object.__setattr__(self, "supplied", tuple(sorted(self.supplied, key=lambda y: y.year)))
        expected = SUPPORTED_LAST.year + 1
        for y in self.supplied:
            if SUPPORTED_FIRST.year <= y.year <= SUPPORTED_LAST.year:
                raise CalendarDataError("calendar.package_year", where=f"years.{y.year}", package=_PACKAGE,
                                        first=SUPPORTED_FIRST.year, last=SUPPORTED_LAST.year)
            if y.year == expected - 1:
                raise CalendarDataError("calendar.given_twice", where=f"years.{y.year}")
            if y.year != expected:
                missing = Phrase.of("calendar.gap_missing", year=expected) if y.year > expected else ""
                raise CalendarDataError("calendar.gap", where=f"years.{y.year}", first=SUPPORTED_FIRST.year,
                                        last=expected - 1, missing=missing)
            expected += 1

    @property
    def first(self) -> date:
        return SUPPORTED_FIRST

    @property
    def last(self) -> date:
        return date(self.supplied[-1].year, 12, 31) if self.supplied else SUPPORTED_LAST

    def describe(self) -> str:
        """Where the known range comes from, e.g. ``chinese-calendar 1.11.0 to 2026, the settings' calendar for 2027``."""
        return str(self.known())

    def known(self) -> Phrase:
        """:meth:`describe` as catalogue words."""
        if not self.supplied:
            return Phrase.of("calendar.known_package", package=_PACKAGE)
        return Phrase.of("calendar.known_with_settings", package=_PACKAGE, last=SUPPORTED_LAST.year,
                         years=", ".join(str(y.year) for y in self.supplied))

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d)
        if SUPPORTED_FIRST <= d <= SUPPORTED_LAST:
            try:
                return chinese_calendar.is_workday(d)
            except NotImplementedError:  # the package's own range check, should ours ever disagree
                raise CalendarRangeError(d, self) from None
        if SUPPORTED_LAST < d <= self.last:
            return self.supplied[d.year - SUPPORTED_LAST.year - 1].is_working_day(d)
        raise CalendarRangeError(d, self)

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the last day known (negative once past it): deadlines past that
        day cannot be set, so operators must supply the next year before it runs out."""
        return (self.last - _as_date(today)).days

    def check(self, d: date) -> date:
        """``d`` as a date, or :class:`CalendarRangeError` when it is outside the known years."""
        d = _as_date(d)
        if not (self.first <= d <= self.last):
            raise CalendarRangeError(d, self)
        return d


#: The package's years alone: the calendar when the settings supply none.
PACKAGE_CALENDAR = Calendar()


class CalendarRangeError(ValueError):
    """A date lies outside the years the official holiday calendar is known for; :attr:`phrase`
    says it in catalogue words (a clerk funding a batch late in December reads it)."""

    def __init__(self, day: object, calendar: Calendar | None = None) -> None:
        calendar = PACKAGE_CALENDAR if calendar is None else calendar
        self.date = day
        self.phrase = Phrase.of("calendar.out_of_range", day=str(day), first=str(calendar.first),
                                last=str(calendar.last), known=calendar.known(), next=calendar.last.year + 1)
        super().__init__(str(self.phrase))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_KEYS = ("source", "holidays", "workdays")


def calendar_from_table(table: Mapping[str, Any]) -> Calendar:
    """A :class:`Calendar` from a calendar file's contents: ``{"years": {"2027": {"source": ...,
    "holidays": [...], "workdays": [...]}}}`` (dates as ``YYYY-MM-DD`` strings or TOML dates).

    Raises :class:`CalendarDataError` naming the year, the field and the value.
    """
    _table(table, "", ("years",), Phrase.of("calendar.hint.years"))
    years = table.get("years", {})
    if not isinstance(years, Mapping):
        raise CalendarDataError("calendar.years_not_table", where="years")
    return Calendar(tuple(_year(key, spec) for key, spec in years.items()))


def _table(value: object, where: str, keys: tuple[str, ...], hint: Phrase | str) -> None:
    """``value`` (at dotted path ``where``) must be a table of no other keys than ``keys``."""
    if not isinstance(value, Mapping):
        raise CalendarDataError("calendar.not_table", where=where or "calendar", hint=hint)
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise CalendarDataError("calendar.unknown_key", where=f"{where}{'.' if where else ''}{unknown[0]}", hint=hint)


def _year(key: object, spec: object) -> SuppliedYear:
    where = f"years.{key}"
    if not (isinstance(key, str) and re.fullmatch(r"\d{4}", key)):
        raise CalendarDataError("calendar.not_a_year", where=where, got=repr(key))
    _table(spec, where, _YEAR_KEYS, ", ".join(_YEAR_KEYS))
    lists = {}
    for name in ("holidays", "workdays"):
        if name not in spec:
            raise CalendarDataError("calendar.list_missing", where=f"{where}.{name}")
        values = spec[name]
        if not isinstance(values, list):
            raise CalendarDataError("calendar.not_a_list", where=f"{where}.{name}", got=repr(values))
        days: set[date] = set()
        for value in values:
            d = _date(value, f"{where}.{name}")
            if d in days:
                raise CalendarDataError("calendar.listed_twice", where=f"{where}.{name}", day=str(d))
            days.add(d)
        lists[name] = frozenset(days)
    return SuppliedYear(int(key), spec.get("source", ""), lists["holidays"], lists["workdays"])


def _date(value: object, where: str) -> date:
    if type(value) is date:
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarDataError("calendar.not_a_date", where=where, value=repr(value))


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, not {type(d).__name__}")
    return d


def is_working_day(d: date, calendar: Calendar = PACKAGE_CALENDAR) -> bool:
    """Whether ``d`` is a working day (weekdays that are not holidays, plus make-up weekends)."""
    return calendar.is_working_day(d)


def add_working_days(start: date, n: int, calendar: Calendar = PACKAGE_CALENDAR) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

    ``start`` itself is never counted, whether or not it is a working day; ``n == 0`` returns
    ``start`` unchanged (after checking it is in the known range).  Raises
    :class:`CalendarRangeError` when ``start`` or any day walked over is outside the range.
    """
    start = _as_date(start)
    if type(n) is not int:
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    calendar.check(start)
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    d = start
    while remaining:
        d += step
        if calendar.is_working_day(d):
            remaining -= 1
    return d


def working_days_between(start: date, end: date, calendar: Calendar = PACKAGE_CALENDAR) -> int:
    """Number of working days in ``(start, end]`` (negative, counting ``(end, start]``, if end < start)."""
    start, end = calendar.check(start), calendar.check(end)
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    d = start
    while d < end:
        d += _ONE_DAY
        if calendar.is_working_day(d):
            count += 1
    return count


def is_late(funded_on: date, paid_on: date, n: int, calendar: Calendar = PACKAGE_CALENDAR) -> bool:
    """Whether a payment made on ``paid_on`` missed a deadline of ``n`` working days after funding.

    The deadline is ``add_working_days(funded_on, n)``; paying on the deadline day is on time.
    Both dates must be in the known range (:class:`CalendarRangeError` otherwise).
    """
    paid_on = calendar.check(paid_on)
    return paid_on > add_working_days(funded_on, n, calendar)
