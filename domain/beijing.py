"""Beijing days: every day the product speaks of is a day in China (Asia/Shanghai, UTC+8).

Deadlines, "first result on", late payments, monthly periods, the day a line was paid, the days
of a bank's statement and the times printed in reports are Beijing's; the ledger records
instants in UTC. Funding at 07:30 Beijing time is 23:30 UTC the day before: taking the UTC date
would start a deadline a day early. China keeps no daylight saving time, so a fixed offset is
exact (and needs no time-zone database on the machine).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def aware(moment: datetime) -> datetime:
    """A ledger timestamp with its zone (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def day_of(moment: datetime) -> date:
    """The Beijing day of an instant."""
    return aware(moment).astimezone(BEIJING).date()


def local(moment: datetime) -> datetime:
    """An instant in Beijing time, for people to read."""
    return aware(moment).astimezone(BEIJING)


def day_start(day: date) -> datetime:
    """The UTC instant a Beijing day begins: what ledger timestamps compare with."""
    return datetime.combine(day, time(0), BEIJING).astimezone(UTC)
