"""Statements (对账单) of the agency clearing account in the delimited family: the writer (the
bank simulator) and the reader (the service)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import BinaryIO

from bank_formats.base import Problems, WrittenFile, why
from bank_formats.delimited.core import (
    FLUSH_LINES,
    MAX_FEN,
    MAX_NUMBER,
    MISSING,
    SEP,
    Options,
    Sink,
    check_texts,
    format_date,
    format_datetime,
    format_field,
    new_hasher,
    number_problem,
    of_seq,
    parse_date,
    parse_datetime,
    parse_fields,
    parse_number,
    required_texts,
    seq_problem,
)
from bank_formats.delimited.lines import Reader
from domain.model import EntrySide, StatementEntry, StatementHeader
from i18n import Named, Phrase

STATEMENT_HEADER_FIELDS = (
    "record_type", "statement_id", "account", "created_at", "from_date", "to_date",
    "opening_balance_fen", "closing_balance_fen", "count", "credit_fen", "debit_fen", "currency",
)
STATEMENT_ENTRY_FIELDS = (
    "record_type", "seq", "side", "amount_fen", "booking_date", "reference", "batch_id",
    "line_seq", "counterparty_name", "counterparty_account", "remark",
)

_SIDE_CODE: dict[EntrySide, str] = {EntrySide.CREDIT: "C", EntrySide.DEBIT: "D"}
_SIDE_BY_CODE: dict[str, EntrySide] = {code: side for side, code in _SIDE_CODE.items()}
_CREDIT = EntrySide.CREDIT
_DEBIT = EntrySide.DEBIT
_CURRENCY_RE = re.compile(r"[A-Z]{3}", re.ASCII)
_ANY_DAY = (date.min, date.max)  # the period when the header's own is unknown


@lru_cache(maxsize=1024)
def _day(text: str) -> date | None:
    """The booking date ``text`` names, or None; cached because a statement's entries share a
    few dates, and parsing one per entry costs the reader 5-10% of its speed (measured)."""
    try:
        return parse_date(text)
    except ValueError:
        return None


def _balance_problem(opening: int, closing: int, credit: int, debit: int) -> Phrase | None:
    """Why the header's balances do not follow from its sums (the writer and reader agree)."""
    if closing == opening + credit - debit:
        return None
    return Phrase.of("format.layouts.closing_differs", closing=closing, opening=opening, credit=credit, debit=debit,
                     follows=opening + credit - debit)


def _not_currency(raw: str) -> Phrase:
    """Why ``raw`` (quoted as the file or the caller has it) is not a currency code."""
    return Phrase.of("format.layouts.not_currency", raw=raw)


def _to_before_from(last: str, first: str) -> Phrase:
    """The period's end (``last``, as written) before its start (``first``)."""
    return Phrase.of("format.layouts.to_before_from", last=last, first=first)


def _outside_period(booking: date, first: date, last: date) -> Phrase:
    """A booking date outside the statement's period ``first`` .. ``last``."""
    return Phrase.of("format.layouts.outside_period", booking=str(booking), first=str(first), last=str(last))


# --- writing -------------------------------------------------------------------------------


def _header_line(h: StatementHeader, problems: Problems, options: Options) -> str | None:
    before = len(problems)
    w = "line 1"
    check_texts(problems, w, None, options.encoding, (
        ("statement_id", h.statement_id, True), ("account", h.account, True)))
    currency = h.currency
    if not isinstance(currency, str) or _CURRENCY_RE.fullmatch(currency) is None:
        problems.add(w, "currency", _not_currency(repr(currency)))
    for field, low, high in (
        ("opening_balance_fen", -MAX_FEN, MAX_FEN), ("closing_balance_fen", -MAX_FEN, MAX_FEN),
        ("count", 0, MAX_NUMBER), ("credit_fen", 0, MAX_FEN), ("debit_fen", 0, MAX_FEN),
    ):
        message = number_problem(getattr(h, field), field, low, high)
        if message is not None:
            problems.add(w, field, message)
    created = format_field(problems, w, "created_at", format_datetime, h.created_at)
    first = format_field(problems, w, "from_date", format_date, h.from_date)
    last = format_field(problems, w, "to_date", format_date, h.to_date)
    if len(problems) > before:
        return None
    if h.from_date > h.to_date:
        problems.add(w, "to_date", _to_before_from(last, first))
    message = _balance_problem(h.opening_balance_fen, h.closing_balance_fen, h.credit_fen,
                               h.debit_fen)
    if message is not None:
        problems.add(w, "closing_balance_fen", message)
    if len(problems) > before:
        return None
    fen = options.amounts
    return SEP.join(("H", h.statement_id, h.account, created, first, last,
                     fen.signed_text(h.opening_balance_fen),
                     fen.signed_text(h.closing_balance_fen), str(h.count),
                     fen.text(h.credit_fen), fen.text(h.debit_fen), currency))


def _entry_problems(entry: object, where: str, prev: int, period: tuple[date, date],
                    encoding: str, problems: Problems) -> None:
    """Records why ``entry`` cannot be written (the writer's slow path)."""
    get = lambda name: getattr(entry, name, MISSING)  # noqa: E731
    seq = get("seq")
    of = seq if type(seq) is int else None  # the seq the entry's problems name
    message = seq_problem(seq, prev)
    if message is not None:
        problems.add(where, "seq", message)
    side = get("side")
    try:
        known = side in _SIDE_CODE
    except TypeError:
        known = False
    if not known:
        problems.add(where, "side", of_seq(of, Phrase.of("format.layouts.unknown_side", side=repr(side))))
    message = number_problem(get("amount_fen"), "amount_fen", 1, MAX_FEN)
    if message is not None:
        problems.add(where, "amount_fen", of_seq(of, message))
    booking = get("booking_date")
    message = Phrase.of("format.layouts.missing") if booking is MISSING else None
    if message is None:
        try:
            format_date(booking)
        except ValueError as exc:
            message = why(exc)
    if message is None and not period[0] <= booking <= period[1]:
        message = _outside_period(booking, *period)
    if message is not None:
        problems.add(where, "booking_date", of_seq(of, message))
    line_seq = get("line_seq")
    if line_seq is not None:
        message = number_problem(line_seq, "line_seq", 1, MAX_NUMBER)
        if message is not None:
            problems.add(where, "line_seq", of_seq(of, message))
        elif not get("batch_id"):
            problems.add(where, "line_seq", of_seq(of, Phrase.of("format.layouts.line_seq_needs_batch")))
    check_texts(problems, where, of, encoding, (
        ("reference", get("reference"), True), ("batch_id", get("batch_id"), False),
        ("counterparty_name", get("counterparty_name"), False),
        ("counterparty_account", get("counterparty_account"), False),
        ("remark", get("remark"), False),
    ))


def _period(header: StatementHeader) -> tuple[date, date]:
    """The header's period, or any day when the header's dates are not dates."""
    first, last = getattr(header, "from_date", None), getattr(header, "to_date", None)
    if type(first) is date and type(last) is date:
        return first, last
    return _ANY_DAY


def write_statement(out: BinaryIO, header: StatementHeader, entries: Iterable[StatementEntry],
                    options: Options, file_name: str = "<statement>") -> WrittenFile:
    """Writes a statement; FormatError (after writing what it could, no digest line) when a
    value cannot be written, the balances do not follow from the sums, or the entries do not add
    up to the header's count and sums. ``total_fen`` of the result is credits plus debits."""
    problems = Problems()
    sink = Sink(out, options, problems)
    head = _header_line(header, problems, options)
    if head is not None:
        sink.write_lines([head], 1, STATEMENT_HEADER_FIELDS, False)
    names = STATEMENT_ENTRY_FIELDS
    sides = _SIDE_CODE
    amount_text = options.amounts.text
    first_day, last_day = period = _period(header)
    join = SEP.join
    buf: list[str] = []
    append = buf.append
    first = 2  # the file line of buf[0]
    count = prev = credit = debit = 0
    for entry in entries:
        count += 1
        try:
            seq = entry.seq
            amount = entry.amount_fen
            side = sides.get(entry.side)
            booking = entry.booking_date
            reference = entry.reference
            batch_id = entry.batch_id
            line_seq = entry.line_seq
            if (type(seq) is int and prev < seq <= MAX_NUMBER and type(amount) is int
                    and 0 < amount <= MAX_FEN and side is not None and reference
                    and type(booking) is date and first_day <= booking <= last_day
                    and (line_seq is None
                         or (type(line_seq) is int and 0 < line_seq <= MAX_NUMBER and batch_id))):
                text = join(("D", str(seq), side, amount_text(amount), booking.isoformat(),
                             reference, batch_id, "" if line_seq is None else str(line_seq),
                             entry.counterparty_name, entry.counterparty_account, entry.remark))
                if text.count(SEP) == 10 and "\n" not in text and "\r" not in text:
                    append(text)
                    prev = seq
                    if side == "C":
                        credit += amount
                    else:
                        debit += amount
                    if len(buf) >= FLUSH_LINES:
                        sink.write_lines(buf, first, names, True)
                        first += len(buf)
                        buf.clear()
                    continue
        except (AttributeError, TypeError):
            pass
        # something is wrong with this entry: find out what, and leave it out
        sink.write_lines(buf, first, names, True)
        buf.clear()
        first = count + 2
        before = len(problems)
        _entry_problems(entry, f"line {count + 1}", prev, period, options.encoding, problems)
        if len(problems) == before:  # cannot happen; never leave an entry out silently
            problems.add(f"line {count + 1}", "record_type",
                         Phrase.of("format.layouts.cannot_write", entry=repr(entry)))
        seq = getattr(entry, "seq", None)
        if type(seq) is int and seq > prev:
            prev = seq
        amount = getattr(entry, "amount_fen", None)
        side = getattr(entry, "side", None)
        if type(amount) is int and side == _CREDIT:
            credit += amount
        elif type(amount) is int and side == _DEBIT:
            debit += amount
    sink.write_lines(buf, first, names, True)
    if head is not None:
        _check_sums(problems, header, count, credit, debit, "format.layouts.entries_given")
    if problems:
        raise problems.error(file_name)
    sink.write_digest()
    return WrittenFile(count=count, total_fen=credit + debit, size=sink.size)


def _check_sums(problems: Problems, header: StatementHeader, count: int, credit: int,
                debit: int, count_key: str) -> None:
    """The header's count and sums against the entries'; ``count_key`` words the count's
    difference (the entries the writer was given, or those in the file read)."""
    if count != header.count:
        problems.add("line 1", "count", Phrase.of(count_key, stated=header.count, actual=count))
    for field, stated, actual in (("credit_fen", header.credit_fen, credit),
                                  ("debit_fen", header.debit_fen, debit)):
        if stated != actual:
            problems.add("line 1", field, Phrase.of("format.layouts.entries_fen_differ", stated=stated, actual=actual))


# --- reading -------------------------------------------------------------------------------


class StatementReader(Reader):
    """Reads a statement; ``header`` is read on construction (FormatError if bad).

    Iterating yields the entries and raises FormatError at the end when anything was wrong: an
    entry, the digest (or its absence), the header's count and sums against the entries.
    """

    _header_fields = STATEMENT_HEADER_FIELDS
    _detail_fields = STATEMENT_ENTRY_FIELDS
    header: StatementHeader

    def __init__(self, src: BinaryIO, name: str, options: Options) -> None:
        self._amounts = options.amounts
        self._start(src, name, encoding=options.encoding, hasher=new_hasher(options.digest),
                    algorithm=options.algorithm)

    def _parse_header(self, text: str | None) -> StatementHeader | None:
        names = STATEMENT_HEADER_FIELDS
        f = self._split_header(text, len(names), "statement")
        if f is None:
            return None
        p = self._problems
        before = len(p)
        w = "line 1"
        vals: dict = {}
        amounts = self._amounts
        required_texts(p, w, f, names, (1, 2), vals)
        parse_fields(p, w, f, names, (3,), parse_datetime, vals)
        parse_fields(p, w, f, names, (4, 5), parse_date, vals)
        parse_fields(p, w, f, names, (6, 7), amounts.parse_signed, vals)
        parse_fields(p, w, f, names, (8,), parse_number, vals)
        parse_fields(p, w, f, names, (9, 10), amounts.parse, vals)
        if _CURRENCY_RE.fullmatch(f[11]) is None:
            p.add(w, "currency", _not_currency(repr(f[11][:20])))
        if len(p) > before:
            return None
        if vals["from_date"] > vals["to_date"]:
            p.add(w, "to_date", _to_before_from(f[5], f[4]))
        message = _balance_problem(vals["opening_balance_fen"], vals["closing_balance_fen"],
                                   vals["credit_fen"], vals["debit_fen"])
        if message is not None:
            p.add(w, "closing_balance_fen", message)
        if len(p) > before:
            return None
        return StatementHeader(currency=f[11], **{k: vals[k] for k in names[1:-1]})

    def _read(self) -> Iterator[StatementEntry | None]:
        problems = self._problems
        sides = _SIDE_BY_CODE
        amount_value = self._amounts.value
        day = _day
        Entry = StatementEntry
        CREDIT = _CREDIT
        header = None
        first_day, last_day = _ANY_DAY
        started = False  # line 1 was seen
        count = good = prev = credit = debit = 0  # count: lines after line 1
        for block in self._lines:
            if not started:
                started = True
                header = self._parse_header(block[0])
                if header is not None:
                    self.header = header
                    first_day, last_day = header.from_date, header.to_date
                    yield None
                block = block[1:]
            for text in block:
                count += 1
                if text is None:
                    continue
                f = text.split(SEP)
                if len(f) == 11 and f[0] == "D":
                    seq_s = f[1]
                    line_s = f[7]
                    side = sides.get(f[2])
                    amount = amount_value(f[3])
                    booking = day(f[4]) if len(f[4]) == 10 else None  # bounds the cache
                    if (len(seq_s) <= 18 and seq_s.isdigit() and seq_s.isascii()
                            and side is not None and amount and f[5]
                            and booking is not None and first_day <= booking <= last_day
                            and (not line_s or (len(line_s) <= 18 and line_s.isdigit()
                                                and line_s.isascii() and f[6]))):
                        seq = int(seq_s)
                        line_seq = int(line_s) if line_s else None
                        if seq > prev and line_seq != 0:
                            prev = seq
                            good += 1
                            if side is CREDIT:
                                credit += amount
                            else:
                                debit += amount
                            if header is not None:
                                yield Entry(seq, side, amount, booking, f[5], f[6], line_seq,
                                            f[8], f[9], f[10])
                            continue
                prev = self._bad_line(self._entry_problems, f"line {count + 1}", f, prev)
        if started and header is not None and self._lines.complete:
            if good == count:
                _check_sums(problems, header, count, credit, debit, "format.layouts.entries_in_file")
            elif count != header.count:
                problems.add("line 1", "count",
                             Phrase.of("format.layouts.entries_in_file", stated=header.count, actual=count))
        self._finish(started, header)

    def _entry_problems(self, where: str, f: list[str], prev: int) -> int:
        """Records what is wrong with a detail line; the seq the next line must exceed."""
        names = STATEMENT_ENTRY_FIELDS
        if len(f) != len(names) or f[0] != "D":
            self._record_type_problem(where, f, len(names))
            return prev
        p = self._problems
        prev = self._seq_after(where, f[1], prev)
        if f[2] not in _SIDE_BY_CODE:
            p.add(where, "side", Phrase.of("format.layouts.not_side_cd", raw=repr(f[2][:20])))
        vals: dict = {}
        parse_fields(p, where, f, names, (3,), self._amounts.parse, vals)
        if vals.get("amount_fen") == 0:
            p.add(where, "amount_fen", Phrase.of("format.layouts.zero_entry"))
        parse_fields(p, where, f, names, (4,), parse_date, vals)
        booking = vals.get("booking_date")
        header = self.header
        if booking is not None and header is not None and not (
                header.from_date <= booking <= header.to_date):
            p.add(where, "booking_date", _outside_period(booking, header.from_date, header.to_date))
        required_texts(p, where, f, names, (5,), vals)
        if f[7]:
            parse_fields(p, where, f, names, (7,), parse_number, vals)
            if vals.get("line_seq") == 0:
                p.add(where, "line_seq", Phrase.of("format.not_positive", field=Named("field", "line_seq"), number=0))
            elif not f[6]:
                p.add(where, "line_seq", Phrase.of("format.layouts.line_seq_needs_batch"))
        return prev
