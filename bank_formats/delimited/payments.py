"""Payment files of the delimited family: the writer (the service) and the reader (the bank
simulator)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from bank_formats.base import WrittenFile
from bank_formats.delimited.core import (
    FLUSH_LINES,
    MAX_FEN,
    MAX_NUMBER,
    MISSING,
    SEP,
    Options,
    Problems,
    Reader,
    Sink,
    check_texts,
    format_date,
    format_datetime,
    format_field,
    number_problem,
    parse_date,
    parse_datetime,
    parse_fields,
    parse_number,
    required_texts,
    seq_problem,
)
from domain.model import AccountKind, PaymentFileHeader, PaymentLine

PAYMENT_HEADER_FIELDS = (
    "record_type", "file_id", "batch_id", "payer_account", "payer_name", "bank_code", "count",
    "total_fen", "created_at", "requested_date", "purpose",
)
PAYMENT_LINE_FIELDS = (
    "record_type", "seq", "account_no", "name", "amount_fen", "id_number", "account_kind",
    "bank_name", "subsidy_item", "remark", "phone", "address", "household_no",
)

_KIND_NAME: dict[AccountKind, str] = {k: k.value for k in AccountKind}
_KIND_BY_NAME: dict[str, AccountKind] = {k.value: k for k in AccountKind}


def _header_line(h: PaymentFileHeader, problems: Problems, options: Options) -> str | None:
    before = len(problems)
    w = "line 1"
    texts = (("file_id", h.file_id, True), ("batch_id", h.batch_id, True),
             ("payer_account", h.payer_account, True), ("payer_name", h.payer_name, True),
             ("bank_code", h.bank_code, True), ("purpose", h.purpose, False))
    check_texts(problems, w, "", options.encoding, texts)
    for field, value, high in (("count", h.count, MAX_NUMBER), ("total_fen", h.total_fen, MAX_FEN)):
        message = number_problem(value, field, 0, high)
        if message is not None:
            problems.add(w, field, message)
    created = format_field(problems, w, "created_at", format_datetime, h.created_at)
    requested = format_field(problems, w, "requested_date", format_date, h.requested_date)
    if len(problems) > before:
        return None
    return SEP.join(("H", h.file_id, h.batch_id, h.payer_account, h.payer_name, h.bank_code,
                     str(h.count), options.amounts.text(h.total_fen), created, requested,
                     h.purpose))


def _line_problems(line: object, where: str, prev: int, encoding: str,
                   problems: Problems) -> None:
    """Records why ``line`` cannot be written (the writer's slow path)."""
    get = lambda name: getattr(line, name, MISSING)  # noqa: E731
    seq = get("seq")
    prefix = f"seq {seq}: " if type(seq) is int else ""
    message = seq_problem(seq, prev)
    if message is not None:
        problems.add(where, "seq", message)
    message = number_problem(get("amount_fen"), "amount_fen", 0, MAX_FEN)
    if message is not None:
        problems.add(where, "amount_fen", prefix + message)
    kind = get("account_kind")
    try:
        known = kind in _KIND_NAME
    except TypeError:
        known = False
    if not known:
        problems.add(where, "account_kind", f"{prefix}unknown account kind {kind!r}")
    check_texts(problems, where, prefix, encoding, (
        ("account_no", get("account_no"), True), ("name", get("name"), True),
        ("id_number", get("id_number"), True), ("bank_name", get("bank_name"), False),
        ("subsidy_item", get("subsidy_item"), False), ("remark", get("remark"), False),
        ("phone", get("phone"), False), ("address", get("address"), False),
        ("household_no", get("household_no"), False),
    ))


def write_payments(out: BinaryIO, header: PaymentFileHeader, lines: Iterable[PaymentLine],
                   options: Options, file_name: str = "<payment file>") -> WrittenFile:
    """Writes a payment file; FormatError (after writing what it could, no digest line) when a
    value cannot be written or the lines do not add up to the header's count and total."""
    problems = Problems()
    sink = Sink(out, options, problems)
    head = _header_line(header, problems, options)
    if head is not None:
        sink.write_lines([head], 1, PAYMENT_HEADER_FIELDS, False)
    names = PAYMENT_LINE_FIELDS
    kinds = _KIND_NAME
    amount_text = options.amounts.text
    join = SEP.join
    buf: list[str] = []
    append = buf.append
    first = 2  # the file line of buf[0]
    count = total = prev = 0
    for line in lines:
        count += 1
        try:
            seq = line.seq
            amount = line.amount_fen
            kind = kinds.get(line.account_kind)
            account_no = line.account_no
            name = line.name
            id_number = line.id_number
            if (type(seq) is int and prev < seq <= MAX_NUMBER and type(amount) is int
                    and 0 <= amount <= MAX_FEN and kind is not None
                    and account_no and name and id_number):
                text = join(("D", str(seq), account_no, name, amount_text(amount), id_number, kind,
                             line.bank_name, line.subsidy_item, line.remark, line.phone,
                             line.address, line.household_no))
                if text.count(SEP) == 12 and "\n" not in text and "\r" not in text:
                    append(text)
                    total += amount
                    prev = seq
                    if len(buf) >= FLUSH_LINES:
                        sink.write_lines(buf, first, names, True)
                        first += len(buf)
                        buf.clear()
                    continue
        except (AttributeError, TypeError):
            pass
        # something is wrong with this line: find out what, and leave it out
        sink.write_lines(buf, first, names, True)
        buf.clear()
        first = count + 2
        before = len(problems)
        _line_problems(line, f"line {count + 1}", prev, options.encoding, problems)
        if len(problems) == before:  # cannot happen; never leave a line out silently
            problems.add(f"line {count + 1}", "record_type", f"cannot be written: {line!r}")
        seq = getattr(line, "seq", None)
        if type(seq) is int and seq > prev:
            prev = seq
        amount = getattr(line, "amount_fen", None)
        if type(amount) is int:
            total += amount
    sink.write_lines(buf, first, names, True)
    if head is not None and count != header.count:
        problems.add("line 1", "count", f"header says {header.count} lines, {count} were given")
    if head is not None and total != header.total_fen:
        problems.add("line 1", "total_fen",
                     f"header says {header.total_fen} fen, the lines add up to {total}")
    if problems:
        raise problems.error(file_name)
    sink.write_digest()
    return WrittenFile(count=count, total_fen=total, size=sink.size)


class PaymentReader(Reader):
    """Reads a payment file; ``header`` is read on construction (FormatError if bad).

    Iterating yields the lines and raises FormatError at the end when anything was wrong: a
    line, the digest (or its absence), the header's count and total against the lines.
    """

    _header_fields = PAYMENT_HEADER_FIELDS
    _detail_fields = PAYMENT_LINE_FIELDS
    header: PaymentFileHeader

    def _parse_header(self, text: str | None) -> PaymentFileHeader | None:
        names = PAYMENT_HEADER_FIELDS
        f = self._split_header(text, len(names), "payment file")
        if f is None:
            return None
        p = self._problems
        before = len(p)
        w = "line 1"
        vals: dict = {"purpose": f[10]}
        required_texts(p, w, f, names, (1, 2, 3, 4, 5), vals)
        parse_fields(p, w, f, names, (6,), parse_number, vals)
        parse_fields(p, w, f, names, (7,), self._amounts.parse, vals)
        parse_fields(p, w, f, names, (8,), parse_datetime, vals)
        parse_fields(p, w, f, names, (9,), parse_date, vals)
        if len(p) > before:
            return None
        return PaymentFileHeader(
            file_id=vals["file_id"], batch_id=vals["batch_id"], created_at=vals["created_at"],
            requested_date=vals["requested_date"], payer_name=vals["payer_name"],
            payer_account=vals["payer_account"], bank_code=vals["bank_code"],
            count=vals["count"], total_fen=vals["total_fen"], purpose=vals["purpose"],
        )

    def _read(self) -> Iterator[PaymentLine | None]:
        problems = self._problems
        kinds = _KIND_BY_NAME
        amount_value = self._amounts.value
        Line = PaymentLine
        header = None
        started = False  # line 1 was seen
        count = good = total = prev = 0  # count: lines after line 1
        for block in self._scan():
            if not started:
                started = True
                header = self._parse_header(block[0])
                if header is not None:
                    self.header = header
                    yield None
                block = block[1:]
            for text in block:
                count += 1
                if text is None:
                    continue
                f = text.split(SEP)
                if len(f) == 13 and f[0] == "D":
                    seq_s = f[1]
                    amount = amount_value(f[4])
                    if (len(seq_s) <= 18 and seq_s.isdigit() and seq_s.isascii()
                            and amount is not None and f[2] and f[3] and f[5]):
                        seq = int(seq_s)
                        kind = kinds.get(f[6])
                        if seq > prev and kind is not None:
                            prev = seq
                            total += amount
                            good += 1
                            if header is not None:
                                yield Line(seq, f[3], f[5], f[2], amount, kind, f[7], f[8], f[9],
                                           f[10], f[11], f[12])
                            continue
                prev = self._bad_line(self._line_problems, f"line {count + 1}", f, prev)
        if started and header is not None and self._complete:
            if count != header.count:
                problems.add("line 1", "count",
                             f"header says {header.count} lines, the file has {count}")
            if good == count and total != header.total_fen:
                problems.add("line 1", "total_fen",
                             f"header says {header.total_fen} fen, the lines add up to {total}")
        self._finish(started, header)

    def _line_problems(self, where: str, f: list[str], prev: int) -> int:
        """Records what is wrong with a detail line; the seq the next line must exceed."""
        names = PAYMENT_LINE_FIELDS
        if len(f) != len(names) or f[0] != "D":
            self._record_type_problem(where, f, len(names))
            return prev
        p = self._problems
        prev = self._seq_after(where, f[1], prev)
        parse_fields(p, where, f, names, (4,), self._amounts.parse, {})
        required_texts(p, where, f, names, (2, 3, 5), {})
        if f[6] not in _KIND_BY_NAME:
            p.add(where, "account_kind",
                  f"{f[6][:40]!r} is not an account kind ({', '.join(_KIND_BY_NAME)})")
        return prev

