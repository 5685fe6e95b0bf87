"""Statements (对账单) of the agency clearing account: the writer and the reader.

The bank simulator writes them and the service reads them. A statement is checked both ways the
same: the closing balance follows from the opening balance and the movements, and the entries add
up to the header's count, credits and debits; an entry's seq is its position in the file, so a
record lost or moved in between is caught too.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, BinaryIO

from bank_formats.base import Problems, WrittenFile, why
from bank_formats.fixed_width_gbk.fields import (
    BSEP,
    CONTROL_BYTES,
    SEP,
    SP,
    DateBytesCache,
    DateCache,
    TextCache,
    format_date,
    parse_date,
    show,
)
from bank_formats.fixed_width_gbk.layout import (
    ENTRY_TEXTS,
    MAX_SEQ,
    SIDE_BY_CODE,
    SIDE_CODES,
    STATEMENT_DETAIL,
    STATEMENT_HEADER,
)
from bank_formats.fixed_width_gbk.readers import RecordReader
from domain.model import EntrySide, StatementEntry, StatementHeader
from i18n import Phrase

if TYPE_CHECKING:
    from bank_formats.fixed_width_gbk.format import FixedWidthGbkFormat

_NO_LINE = SP * STATEMENT_DETAIL.by_name["line_seq"].width


def _header_problems(header: StatementHeader, problems: Problems) -> None:
    """What is wrong between the header's fields (each field itself is checked elsewhere)."""
    opening, closing = header.opening_balance_fen, header.closing_balance_fen
    credit, debit = header.credit_fen, header.debit_fen
    if all(type(v) is int for v in (opening, closing, credit, debit)):
        if closing != opening + credit - debit:
            problems.add("line 1", "closing_balance_fen",
                         Phrase.of("format.layouts.closing_not_opening", closing=closing, opening=opening,
                                   credit=credit, debit=debit, follows=opening + credit - debit))
    start, end = header.from_date, header.to_date
    if type(start) is date and type(end) is date and end < start:  # (a datetime is refused)
        problems.add("line 1", "to_date", Phrase.of("format.layouts.before_from", last=str(end), first=str(start)))


def _total_problems(header: StatementHeader, count: int, credit: int, debit: int,
                    problems: Problems) -> None:
    """The header's count and sums compared with what the entries give."""
    for field, stated, actual in (
        ("count", header.count, count),
        ("credit_fen", header.credit_fen, credit),
        ("debit_fen", header.debit_fen, debit),
    ):
        if type(stated) is int and stated != actual:
            problems.add("line 1", field, Phrase.of("format.layouts.entries_give", stated=stated, actual=actual,
                                                    what=Phrase.of(f"format.layouts.total.{field}")))


# --- the writer ----------------------------------------------------------------------------


def write_statement(fmt: FixedWidthGbkFormat, out: BinaryIO, header: StatementHeader,
                    entries: Iterable[StatementEntry]) -> WrittenFile:
    """Writes a statement; ``total_fen`` of the answer is credits plus debits.

    Every entry is checked and the ones that are right are written; one FormatError at the end
    lists every problem (the caller writes to a temporary file), as the other writers do.
    """
    problems = Problems()
    head = fmt._header_bytes(STATEMENT_HEADER, {
        "statement_id": header.statement_id, "account": header.account,
        "created_at": header.created_at, "from_date": header.from_date,
        "to_date": header.to_date, "opening_balance_fen": header.opening_balance_fen,
        "closing_balance_fen": header.closing_balance_fen, "count": header.count,
        "credit_fen": header.credit_fen, "debit_fen": header.debit_fen,
        "currency": header.currency,
    }, problems)
    _header_problems(header, problems)
    size = 0
    if head is not None and not problems:
        out.write(head)
        size = len(head)
    eol = fmt._eol
    reclen = STATEMENT_DETAIL.length + len(eol)
    amount_width = STATEMENT_DETAIL.by_name["amount_fen"].width
    spell = fmt.amounts.formatter(amount_width)
    max_amount = fmt.amounts.largest(amount_width)
    template = b"D%010d%s%s%s%-35s%-35s%s%-140s%-34s%-100s" + eol
    assert len(template % (1, b"C", spell(1), b"20260101", b"", b"", _NO_LINE, b"", b"",
                           b"")) == reclen
    texts = attrgetter(*ENTRY_TEXTS)
    encode = fmt._encode
    dates = DateBytesCache()
    join = SEP.join
    sep = BSEP
    no_line = _NO_LINE
    buf: list[bytes] = []
    append = buf.append
    write = out.write
    count = written = credit = debit = 0
    for count, entry in enumerate(entries, 1):
        try:
            # The usual entry in a few calls, as write_payments does it: anything unusual is
            # left to _entry_record, which says precisely what is wrong.
            seq, amount, side, line_seq = entry.seq, entry.amount_fen, entry.side, entry.line_seq
            joined = join(texts(entry))
            if (joined.isprintable() and " <" not in joined and joined[-1] != " "
                    and type(seq) is int and seq == count
                    and type(amount) is int and 0 < amount <= max_amount):
                if line_seq is None:
                    line_b = no_line
                elif type(line_seq) is int and 0 < line_seq <= MAX_SEQ:
                    line_b = b"%010d" % line_seq
                else:
                    raise ValueError
                ref, batch, name, account, remark = encode(joined)[0].split(sep)
                if ref:
                    record = template % (seq, SIDE_CODES[side], spell(amount),
                                         dates[entry.booking_date], ref, batch, line_b, name,
                                         account, remark)
                    if len(record) == reclen:
                        append(record)
                        written += 1
                        if side == EntrySide.CREDIT:
                            credit += amount
                        else:
                            debit += amount
                        if len(buf) >= 512:
                            write(b"".join(buf))
                            buf.clear()
                        continue
        except (AttributeError, TypeError, ValueError, KeyError):
            pass
        record, side, amount = _entry_record(fmt, entry, count, problems)
        if side == EntrySide.CREDIT:
            credit += amount
        elif side == EntrySide.DEBIT:
            debit += amount
        if record is not None:
            append(record)
            written += 1
    if buf:
        write(b"".join(buf))
    size += written * reclen
    _total_problems(header, count, credit, debit, problems)
    if problems:
        raise problems.error("<statement>")
    return WrittenFile(count=count, total_fen=credit + debit, size=size)


def _entry_record(fmt: FixedWidthGbkFormat, entry: object, position: int,
                  problems: Problems) -> tuple[bytes | None, EntrySide | None, int]:
    """(the record or None, the side and amount to add up: None and 0 when either is wrong)."""
    seq = getattr(entry, "seq", None)
    where = f"line {position + 1} (seq {seq!r})"
    missing = [a for a in ("seq", "side", "amount_fen", "booking_date", "line_seq",
                           *ENTRY_TEXTS) if not hasattr(entry, a)]
    if missing:
        problems.add(where, "record", Phrase.of("format.layouts.not_entry", type=type(entry).__name__,
                                                missing=", ".join(missing)))
        return None, None, 0
    lay = STATEMENT_DETAIL.by_name
    before = len(problems)
    seq_b = fmt._number_bytes(seq, lay["seq"], where, problems, minimum=1)
    if seq_b is not None and seq != position:
        problems.add(where, "seq", Phrase.of("format.layouts.seq_not_entry_position", seq=seq, position=position))
    side = entry.side if isinstance(entry.side, str) and entry.side in SIDE_CODES else None
    if side is None:
        problems.add(where, "side", Phrase.of("format.layouts.unknown_side", side=repr(entry.side)))
    amount_b = fmt._amount_bytes(entry.amount_fen, lay["amount_fen"], where, problems,
                                 minimum=1)
    counted = (side, entry.amount_fen) if side is not None and amount_b is not None else (None, 0)
    try:
        date_b = format_date(entry.booking_date).encode("ascii")
    except ValueError as exc:
        problems.add(where, "booking_date", why(exc))
    if entry.line_seq is None:
        line_b = _NO_LINE
    else:
        line_b = fmt._number_bytes(entry.line_seq, lay["line_seq"], where, problems, minimum=1)
    pieces = [fmt._text_bytes(getattr(entry, name), lay[name], where, problems)
              for name in ENTRY_TEXTS]
    if len(problems) > before:
        return None, *counted
    record = b"".join((b"D", seq_b, SIDE_CODES[side], amount_b, date_b, *pieces[:2], line_b,
                       *pieces[2:], fmt._eol))
    return record, *counted


# --- the reader ----------------------------------------------------------------------------


class StatementFileReader(RecordReader):
    """Reads a statement: ``header`` at once, the entries by iterating; see the module doc."""

    _header_layout = STATEMENT_HEADER
    _detail_layout = STATEMENT_DETAIL

    def _parse_header(self, line: bytes) -> StatementHeader | None:
        v = self._header_values(line, STATEMENT_HEADER)
        if v is None:
            return None
        header = StatementHeader(
            statement_id=v["statement_id"], account=v["account"], created_at=v["created_at"],
            from_date=v["from_date"], to_date=v["to_date"],
            opening_balance_fen=v["opening_balance_fen"],
            closing_balance_fen=v["closing_balance_fen"], count=v["count"],
            credit_fen=v["credit_fen"], debit_fen=v["debit_fen"], currency=v["currency"],
        )
        _header_problems(header, self._problems)
        return None if self._problems else header

    def _records(self) -> Iterator[StatementEntry]:
        problems = self._problems
        unpack = STATEMENT_DETAIL.struct.unpack_from
        reclen = STATEMENT_DETAIL.length
        full = reclen + (1 if self._crlf else 0)
        crlf = self._crlf
        control = CONTROL_BYTES
        parse_amount = self._amounts.parse
        decode = self._decode
        cache = TextCache(decode)
        dates = DateCache()
        sides = SIDE_BY_CODE
        CREDIT = EntrySide.CREDIT
        no_line = _NO_LINE
        sp = SP
        slow = self._detail
        lineno = 1
        seen = good = credit = debit = 0
        for batch in self._batches():
            for line in batch:
                lineno += 1
                seen += 1
                if len(line) == full and (not crlf or line[-1] == 13):
                    (rt, seq_b, side_b, amount_b, date_b, ref_b, batch_b, line_b, name_b,
                     account_b, remark_b) = unpack(line)
                    amount = parse_amount(amount_b)
                    side = sides.get(side_b)
                    if (rt == b"D" and seq_b.isdigit() and int(seq_b) == seen and amount
                            and side is not None
                            and (line_b == no_line or line_b.isdigit() and int(line_b))
                            and len(line.translate(None, control)) == reclen):
                        try:
                            booked = dates[date_b]
                            ref = decode(ref_b.rstrip(sp))[0]
                            batch_id = cache[batch_b]
                            name = cache[name_b]
                            account = decode(account_b.rstrip(sp))[0]
                            remark = cache[remark_b]
                        except ValueError:  # a bad date or byte: looked at closely below
                            pass
                        else:
                            if ref:
                                good += 1
                                if side is CREDIT:
                                    credit += amount
                                else:
                                    debit += amount
                                yield StatementEntry(seen, side, amount, booked, ref, batch_id,
                                                     None if line_b == no_line else int(line_b),
                                                     name, account, remark)
                                continue
                entry = slow(line, lineno)
                if entry is not None:
                    good += 1
                    if entry.side is CREDIT:
                        credit += entry.amount_fen
                    else:
                        debit += entry.amount_fen
                    yield entry
        seen += self._end(lineno)
        header = self.header
        if seen != header.count:
            problems.add("line 1", "count",
                         Phrase.of("format.layouts.entries_file_has", stated=header.count, actual=seen))
        elif good == seen:
            _total_problems(header, seen, credit, debit, problems)
        if problems:
            raise problems.error(self.name)

    def _detail(self, line: bytes, lineno: int) -> StatementEntry | None:
        """The entry in ``line``, or None after adding its problems."""
        p = self._problems
        before = len(p)
        record = self._record_of(line, lineno, STATEMENT_DETAIL)
        if record is None:
            return None
        where = f"line {lineno}"
        lay = STATEMENT_DETAIL.by_name
        raw = dict(zip((f.name for f in STATEMENT_DETAIL.fields),
                       STATEMENT_DETAIL.struct.unpack_from(record), strict=True))
        seq = self._number(raw["seq"], lay["seq"], where, minimum=1)
        if seq is not None and seq != lineno - 1:
            p.add(where, "seq", Phrase.of("format.layouts.seq_not_position", seq=seq, position=lineno - 1))
        side = SIDE_BY_CODE.get(raw["side"])
        if side is None:
            p.add(where, "side", Phrase.of("format.layouts.not_side", raw=show(raw["side"])))
        amount = self._amount(raw["amount_fen"], lay["amount_fen"], where, minimum=1)
        try:
            booked = parse_date(raw["booking_date"])
        except ValueError as exc:
            p.add(where, "booking_date", why(exc))
        line_seq = None
        if raw["line_seq"] != _NO_LINE:
            line_seq = self._number(raw["line_seq"], lay["line_seq"], where, minimum=1)
        texts = {name: self._text(raw[name], lay[name], where) for name in ENTRY_TEXTS}
        if len(p) > before:
            return None
        return StatementEntry(seq, side, amount, booked, texts["reference"], texts["batch_id"],
                              line_seq, texts["counterparty_name"],
                              texts["counterparty_account"], texts["remark"])
