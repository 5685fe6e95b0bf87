"""Working days on the Chinese official calendar (法定节假日 and 调休 make-up working days).

The calendar comes from the ``chinese-calendar`` package, which knows the State Council's
holiday arrangements for a fixed range of years (see :data:`SUPPORTED_FIRST` and
:data:`SUPPORTED_LAST`).  A date outside that range raises :class:`CalendarRangeError` instead of
guessing: the arrangement for a new year is published each November, and the package must be
upgraded to know it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
from chinese_calendar import constants as _cc_constants

__all__ = [
    "SUPPORTED_FIRST",
    "SUPPORTED_LAST",
    "CalendarRangeError",
    "add_working_days",
    "is_late",
    "is_working_day",
    "working_days_between",
]

#: First and last dates the installed chinese-calendar package has holiday data for.
SUPPORTED_FIRST = date(min(_cc_constants.holidays).year, 1, 1)
SUPPORTED_LAST = date(max(_cc_constants.holidays).year, 12, 31)

_ONE_DAY = timedelta(days=1)


class CalendarRangeError(ValueError):
    """A date lies outside the years the official holiday calendar is known for."""

    def __init__(self, day: object) -> None:
        self.date = day
        super().__init__(
            f"date {day} is outside the Chinese official holiday calendar, which is known only "
            f"from {SUPPORTED_FIRST} to {SUPPORTED_LAST} (chinese-calendar "
            f"{getattr(chinese_calendar, '__version__', '?')}); upgrade the package for later years"
        )


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, not {type(d).__name__}")
    return d


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day (weekdays that are not holidays, plus make-up weekends)."""
    d = _as_date(d)
    if not (SUPPORTED_FIRST <= d <= SUPPORTED_LAST):
        raise CalendarRangeError(d)
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:  # the package's own range check, should ours ever disagree
        raise CalendarRangeError(d) from None


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

    ``start`` itself is never counted, whether or not it is a working day; ``n == 0`` returns
    ``start`` unchanged (after checking it is in the supported range).  Raises
    :class:`CalendarRangeError` when ``start`` or any day walked over is outside the range.
    """
    start = _as_date(start)
    if type(n) is not int:
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    if not (SUPPORTED_FIRST <= start <= SUPPORTED_LAST):
        raise CalendarRangeError(start)
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    d = start
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """Number of working days in ``(start, end]`` (negative, counting ``(end, start]``, if end < start)."""
    start, end = _as_date(start), _as_date(end)
    for d in (start, end):
        if not (SUPPORTED_FIRST <= d <= SUPPORTED_LAST):
            raise CalendarRangeError(d)
    if end < start:
        return -working_days_between(end, start)
    count = 0
    d = start
    while d < end:
        d += _ONE_DAY
        if chinese_calendar.is_workday(d):
            count += 1
    return count


def is_late(funded_on: date, paid_on: date, n: int) -> bool:
    """Whether a payment made on ``paid_on`` missed a deadline of ``n`` working days after funding.

    The deadline is ``add_working_days(funded_on, n)``; paying on the deadline day is on time.
    Both dates must be in the supported range (:class:`CalendarRangeError` otherwise).
    """
    paid_on = _as_date(paid_on)
    if not (SUPPORTED_FIRST <= paid_on <= SUPPORTED_LAST):
        raise CalendarRangeError(paid_on)
    return paid_on > add_working_days(funded_on, n)
