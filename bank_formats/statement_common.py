"""What the statement-only readers (MT940, CSV) share: amounts to fen, our references, totals.

These formats are written by banks for any customer, not for us: they carry no batch field and
no control totals, so the reader ties an entry to our payments by its end-to-end reference
(``<batch_id>-<seq>``, as our payment files give it) and works out the statement's figures from
the entries it yields. Amounts become integer fen by string arithmetic only: a float (or a
Decimal rounded somewhere) could book one fen wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import BinaryIO

from bank_formats.base import FormatError, Problem, Refused, Skipped
from domain.model import EntrySide, StatementHeader
from i18n import Phrase

MAX_FEN = 10**18 - 1

_AMOUNT = re.compile(r"(\d+)(?:[.,](\d*))?")
_END_TO_END = re.compile(r"(.{1,33}?)-(\d{1,9})")


def fen(text: str, decimal: str = ".", thousands: str = "") -> int:
    """The non-negative amount ``text`` in fen; ValueError saying why it is not one.

    ``decimal`` is the decimal mark, ``thousands`` the grouping mark ("" for none). More than two
    decimals are taken only when the extra digits are zeros (``18.150`` is 1815 fen, ``18.155``
    is refused): a fraction of a fen cannot be booked.
    """
    raw = text.strip()
    if thousands and thousands in raw:
        whole = raw.split(decimal, 1)[0]
        if not re.fullmatch(r"\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+", whole):
            raise Refused("format.bad_grouping", raw=repr(text), mark=repr(thousands))
        raw = raw.replace(thousands, "")
    if decimal != ".":
        if "." in raw:
            raise Refused("format.wrong_decimal_mark", raw=repr(text), mark=repr(decimal))
        raw = raw.replace(decimal, ".")
    m = _AMOUNT.fullmatch(raw)
    if m is None or raw.count(".") > 1:
        raise Refused("format.not_an_amount", raw=repr(text))
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac) > 2 and frac[2:].strip("0"):
        raise Refused("format.fraction_of_fen", raw=repr(text))
    value = int(whole) * 100 + int((frac[:2] + "00")[:2])
    if value > MAX_FEN:
        raise Refused("format.amount_too_large", raw=repr(text), largest=MAX_FEN)
    return value


_PLAIN = {".": re.compile(r"(-?)(\d{1,16})\.(\d\d)"), ",": re.compile(r"(-?)(\d{1,16}),(\d\d)")}


def signed_fen(text: str, decimal: str = ".", thousands: str = "") -> int:
    """Like :func:`fen`, with an optional leading ``-`` or ``+`` (or a trailing ``-``)."""
    m = _PLAIN[decimal].fullmatch(text) if decimal in _PLAIN else None
    if m is not None:  # the common "-1234.56": no grouping, two decimals
        value = int(m.group(2)) * 100 + int(m.group(3))
        return -value if m.group(1) else value
    raw = text.strip()
    sign = 1
    if raw[:1] in "+-" and raw:
        sign, raw = (-1 if raw[0] == "-" else 1), raw[1:]
    elif raw.endswith("-"):
        sign, raw = -1, raw[:-1]
    return sign * fen(raw, decimal, thousands)


def our_reference(end_to_end: str, payment_info: str = "") -> tuple[str, int | None]:
    """(batch_id, line_seq) named by a movement's references: an end-to-end reference
    ``<batch>-<seq>`` names a line of a batch; a payment-information reference (our batch id,
    as ``PmtInfId`` in our pain.001) names the batch alone. Nothing recognisable: ("", None)."""
    m = _END_TO_END.fullmatch(end_to_end.strip()) if end_to_end else None
    if m is not None and int(m.group(2)) > 0:
        return m.group(1), int(m.group(2))
    info = payment_info.strip()
    if info and len(info) <= 35 and info.upper() != "NOTPROVIDED":
        return info, None
    return "", None


@dataclass
class Tally:
    """The figures of the entries a reader yielded, for the statement header it states after
    reading: count, sums by side, first and last booking day."""

    count: int = 0
    credit_fen: int = 0
    debit_fen: int = 0
    first: date | None = None
    last: date | None = None

    def add(self, side: EntrySide, amount_fen: int, day: date) -> None:
        self.count += 1
        if side is EntrySide.CREDIT:
            self.credit_fen += amount_fen
        else:
            self.debit_fen += amount_fen
        if self.first is None or day < self.first:
            self.first = day
        if self.last is None or day > self.last:
            self.last = day

    def header(self, statement_id: str, account: str, opening: int, closing: int, currency: str,
               from_day: date | None, to_day: date | None, created_at: datetime | None = None) -> StatementHeader:
        """The header of what was yielded; the period covers every entry and the stated days."""
        days = [d for d in (from_day, to_day, self.first, self.last) if d is not None]
        start = min(days) if days else date(1970, 1, 1)
        end = max(days) if days else start
        return StatementHeader(statement_id[:35], account[:34], created_at or datetime.combine(end, time()),
                               start, end, opening, closing, self.count, self.credit_fen, self.debit_fen,
                               currency)


class ReadThenStated:
    """What the MT940 and CSV readers share: their header states the entries they yielded, so it
    is complete once iteration ended; asked before, the file is read through once for it and
    rewound (a file that cannot be rewound says so). ``skipped`` and ``notes`` are the reading
    report."""

    def __init__(self, src: BinaryIO, name: str) -> None:
        self.src, self.name = src, name
        self.skipped: list[Skipped] = []
        self.notes: list[str] = []
        self._header: StatementHeader | None = None
        self._start = src.tell() if src.seekable() else None

    @property
    def header(self) -> StatementHeader:
        if self._header is None:
            if self._start is None:
                raise FormatError(self.name, [Problem.of("file", "header", Phrase.of("format.header_unknown"))])
            for _ in self:  # type: ignore[attr-defined]
                pass
            self.src.seek(self._start)
        return self._header  # type: ignore[return-value]
