"""The payment and result file readers, and what every reader of the family shares."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from bank_formats.base import FormatError
from bank_formats.maker import maker
from bank_formats.fixed_width_gbk.fields import (
    CHUNK,
    CONTROL_BYTES,
    MAX_LINE,
    SP,
    Overlong,
    Problems,
    TextCache,
    control_char,
    parse_date,
    parse_datetime,
    show,
)
from bank_formats.fixed_width_gbk.layout import (
    CODE_TO_REASON,
    KIND_BY_CODE,
    PAID_CODE,
    PAYMENT_DETAIL,
    PAYMENT_HEADER,
    PAYMENT_TEXTS,
    RESULT_DETAIL,
    RESULT_DETAIL_REF,
    RESULT_HEADER,
    Field,
    Layout,
    reason_for_code,
)
from domain.model import (
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)

if TYPE_CHECKING:
    from bank_formats.fixed_width_gbk.format import FixedWidthGbkFormat


class RecordReader:
    """What every reader shares: pieces of lines from the source, the header, the problems."""

    _header_layout: Layout
    _detail_layout: Layout
    _longer_layout: Layout | None = None  # a second, longer detail layout of the kind

    def __init__(self, fmt: FixedWidthGbkFormat, src: BinaryIO, name: str) -> None:
        self.name = name
        self._fmt = fmt
        self._src = src
        self._problems = Problems()
        self._decode = fmt._decode
        self._amounts = fmt.amounts
        self._crlf = fmt.line_ending == "\r\n"
        self._carry = b""  # bytes read after the last complete line
        self._skipping = False  # in the middle of an overlong line
        self._eof = False
        self._gen = None
        first = self._first_line()
        if first is None:
            if not self._problems:
                self._problems.add("line 1", "record", "the file is empty: no header record")
            raise self._problems.error(name)
        header = None
        try:
            header = self._parse_header(first)
        except Exception as exc:  # noqa: BLE001 - a reader raises nothing but FormatError
            self._problems.add("line 1", "record", f"unexpected {type(exc).__name__}: {exc}")
        if header is None:
            raise self._problems.error(name)
        self.header = header

    # reading lines ------------------------------------------------------------------------

    def _read(self) -> bytes:
        """The next piece of the source (b"" at its end); OSError propagates."""
        if self._eof:
            return b""
        try:
            data = self._src.read(CHUNK)
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. a source that is not a binary file
            self._eof = True
            self._problems.add("file", "file", f"cannot be read: {type(exc).__name__}: {exc}")
            return b""
        if data is None:  # a non-blocking source with nothing to give is not a file
            data = b""
        if not isinstance(data, bytes):
            if isinstance(data, (bytearray, memoryview)):
                data = bytes(data)
            else:
                self._eof = True
                self._problems.add("file", "file",
                                   f"cannot be read: read() returned {type(data).__name__}, "
                                   f"not bytes")
                return b""
        if not data:
            self._eof = True
        return data

    def _batches(self) -> Iterator[list[bytes]]:
        """Lists of complete lines (without their "\\n"); the rest ends up in ``_carry``."""
        carry = self._carry  # what was read after the header's line
        data = b""
        while True:
            if self._skipping:  # in an overlong line: drop everything up to its end
                nl = data.find(b"\n")
                if nl < 0:
                    data = b""
                else:
                    self._skipping = False
                    data = data[nl + 1:]
            if carry or data:
                lines = (carry + data).split(b"\n") if carry else data.split(b"\n")
                carry = lines.pop()
                if len(carry) > MAX_LINE:
                    lines.append(Overlong(carry[:MAX_LINE]))
                    carry = b""
                    self._skipping = True
                self._carry = carry
                if lines:
                    yield lines
            data = self._read()
            if not data:
                return

    def _first_line(self) -> bytes | None:
        """The first line (None for an empty file); what was read after it stays in _carry."""
        buf = b""
        while True:
            nl = buf.find(b"\n")
            if nl >= 0:
                self._carry = buf[nl + 1:]
                return buf[:nl]
            if len(buf) > MAX_LINE:
                self._skipping = True
                return Overlong(buf[:MAX_LINE])
            data = self._read()
            if not data:
                # no line ending: the whole file is one partial line
                self._carry = b""
                if not buf:
                    return None
                self._tail_only = True
                return buf
            buf += data

    _tail_only = False  # the first line had no line ending

    def _record_of(self, line: bytes, lineno: int, layout: Layout,
                   last_line: bool = False, longer: Layout | None = None) -> bytes | None:
        """The record in ``line`` without its line ending, or None after adding problems.

        ``longer``: a second layout of the kind, told from ``layout`` by its greater length
        (the result detail record with the bank's reference).
        """
        where = f"line {lineno}"
        p = self._problems
        expected = layout.length
        # e.g. " (259 with the bank's reference)"
        also = (f" ({longer.length} {longer.title.removeprefix(layout.title).strip()})"
                if longer is not None else "")
        if type(line) is Overlong:
            p.add(where, "record", f"the record is longer than {MAX_LINE} bytes; a "
                                   f"{layout.title} record is {expected}{also}")
            return None
        if last_line:
            # the file does not end with a line ending: it was cut short
            body = line[:-1] if self._crlf and line.endswith(b"\r") else line
            if longer is not None and len(body) > expected:
                expected = longer.length
            if len(body) < expected:
                p.add(where, "record", f"the file ends in the middle of a record ({len(body)} "
                                       f"of {expected} bytes): it is cut short")
            else:
                p.add(where, "record", f"the file ends without a line ending after this record"
                                       f" ({self._fmt.line_ending_label}): it is cut short")
            return None
        if self._crlf:
            if line.endswith(b"\r"):
                line = line[:-1]
            else:
                p.add(where, "line_ending", "the record ends with LF; records end with CRLF")
        if longer is not None and len(line) == longer.length:
            expected = longer.length
        if len(line) != expected:
            p.add(where, "record", f"the record is {len(line)} bytes long; a {layout.title} "
                                   f"record is {expected}{also}")
            return None
        if line[:1] != layout.record_type.encode("ascii"):
            kind = line[:1]
            what = "a second header record" if kind == b"H" else f"record type {show(kind)}"
            p.add(where, "record_type", f"{what}; expected {layout.record_type!r}")
            return None
        return line

    def _text(self, raw: bytes, field: Field, where: str) -> str | None:
        """The text in ``raw`` (one field's bytes), or None after adding a problem."""
        p = self._problems
        value = raw.rstrip(SP)
        try:
            text = self._decode(value)[0]
        except UnicodeDecodeError as exc:
            bad = value[exc.start:exc.end]
            p.add(where, field.name, f"is not valid {self._fmt.encoding_label}: {bad!r} at byte "
                                     f"{field.start + exc.start + 1} of the record")
            return None
        ch = control_char(text)
        if ch is not None:
            p.add(where, field.name, f"holds a control character (U+{ord(ch):04X})")
            return None
        if field.required and not text:
            p.add(where, field.name, "is empty")
            return None
        return text

    def _number(self, raw: bytes, field: Field, where: str, minimum: int = 0) -> int | None:
        if not (raw.isdigit() and raw.isascii()):
            self._problems.add(where, field.name, f"{show(raw)} is not a number "
                                                  f"({field.width} digits)")
            return None
        value = int(raw)
        if value < minimum:
            self._problems.add(where, field.name, f"{value} is less than {minimum}")
            return None
        return value

    def _amount(self, raw: bytes, field: Field, where: str, minimum: int = 0) -> int | None:
        """An "M" field in the format's amount style, or None after adding a problem."""
        value = self._amounts.parse(raw)
        if value is None:
            self._problems.add(where, field.name, f"{show(raw)} is not a number "
                                                  f"({self._amounts.shape(field.width)})")
            return None
        if value < minimum:
            self._problems.add(where, field.name, f"{value} is less than {minimum}")
            return None
        return value

    def _signed(self, raw: bytes, field: Field, where: str) -> int | None:
        """An "S" field: "+" or "-", then an amount; zero is "+" (one spelling per value)."""
        sign = raw[:1]
        value = self._amounts.parse(raw[1:])
        if sign not in (b"+", b"-") or value is None:
            self._problems.add(where, field.name, f"{show(raw)} is not a signed amount (+ or -,"
                                                  f" {self._amounts.shape(field.width - 1)})")
            return None
        if sign == b"-" and value == 0:
            self._problems.add(where, field.name, f"{show(raw)}: zero is written with +")
            return None
        return -value if sign == b"-" else value

    def _currency(self, raw: bytes, field: Field, where: str) -> str | None:
        if not (raw.isalpha() and raw.isupper()):  # bytes methods: ASCII only
            self._problems.add(where, field.name, f"{show(raw)} is not a currency code (three "
                                                  f"capital letters, ISO 4217)")
            return None
        return raw.decode("ascii")

    def _header_values(self, line: bytes, layout: Layout) -> dict | None:
        """The header's fields by name, or None after adding problems."""
        if self._tail_only:
            self._record_of(line, 1, layout, last_line=True)
            return None
        record = self._record_of(line, 1, layout)
        if record is None or self._problems:  # (a header record ending with LF only)
            return None
        where = "line 1"
        values: dict = {}
        ok = True
        for f, raw in zip(layout.fields, layout.struct.unpack_from(record), strict=True):
            try:
                if f.type == "A":
                    continue
                if f.type == "X":
                    value = self._text(raw, f, where)
                elif f.type == "N":
                    value = self._number(raw, f, where)
                elif f.type == "M":
                    value = self._amount(raw, f, where)
                elif f.type == "S":
                    value = self._signed(raw, f, where)
                elif f.type == "C":  # the only code in a header is the statement's currency
                    value = self._currency(raw, f, where)
                elif f.type == "T":
                    value = parse_datetime(raw)
                elif f.type == "D":
                    value = parse_date(raw)
                else:  # pragma: no cover
                    raise AssertionError(f.type)
            except ValueError as exc:
                self._problems.add(where, f.name, str(exc))
                value = None
            if value is None:
                ok = False
            values[f.name] = value
        return values if ok else None

    # iteration --------------------------------------------------------------------------------

    def __iter__(self):
        # a reader streams its file once; iterating again goes on where it stopped
        if self._gen is None:
            self._gen = self._run()
        return self._gen

    def _run(self):
        try:
            yield from self._records()
        except (FormatError, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 - a reader raises nothing but FormatError
            self._problems.add("file", "file", f"unexpected {type(exc).__name__}: {exc}")
            raise self._problems.error(self.name) from exc

    def _end(self, lineno: int) -> int:
        """Reports what follows the last complete line; the number of records it held."""
        tail = self._carry
        self._carry = b""
        if self._skipping:
            # an overlong last line without a line ending: reported already
            return 0
        if not tail:
            return 0
        self._record_of(tail, lineno + 1, self._detail_layout, last_line=True,
                        longer=self._longer_layout)
        return 1

    def _records(self):  # pragma: no cover - defined by the subclasses
        raise NotImplementedError


class PaymentFileReader(RecordReader):
    """Reads a payment file: ``header`` at once, the lines by iterating; see the module doc."""

    _header_layout = PAYMENT_HEADER
    _detail_layout = PAYMENT_DETAIL

    def _parse_header(self, line: bytes) -> PaymentFileHeader | None:
        v = self._header_values(line, PAYMENT_HEADER)
        if v is None:
            return None
        return PaymentFileHeader(
            file_id=v["file_id"], batch_id=v["batch_id"], created_at=v["created_at"],
            requested_date=v["requested_date"], payer_name=v["payer_name"],
            payer_account=v["payer_account"], bank_code=v["bank_code"], count=v["count"],
            total_fen=v["total_fen"], purpose=v["purpose"],
        )

    def _records(self) -> Iterator[PaymentLine]:
        header = self.header
        problems = self._problems
        unpack = PAYMENT_DETAIL.struct.unpack_from
        reclen = PAYMENT_DETAIL.length
        full = reclen + (1 if self._crlf else 0)
        crlf = self._crlf
        control = CONTROL_BYTES
        parse_amount = self._amounts.parse
        decode = self._decode
        cache = TextCache(decode)
        kinds = KIND_BY_CODE
        sp = SP
        slow = self._detail
        lineno = 1
        seen = good = total = last = 0
        for batch in self._batches():
            for line in batch:
                lineno += 1
                seen += 1
                if len(line) == full and (not crlf or line[-1] == 13):
                    (rt, seq_b, acc_b, name_b, amount_b, id_b, kind_b, bank_b, item_b, rmk_b,
                     phone_b, addr_b, hh_b) = unpack(line)
                    amount = parse_amount(amount_b)
                    if (rt == b"D" and seq_b.isdigit() and amount is not None
                            and len(line.translate(None, control)) == reclen):
                        seq = int(seq_b)
                        kind = kinds.get(kind_b)
                        if seq > last and kind is not None:
                            try:
                                acc = acc_b.rstrip(sp).decode("ascii")
                                idn = id_b.rstrip(sp).decode("ascii")
                                name = decode(name_b.rstrip(sp))[0]
                                phone = phone_b.rstrip(sp).decode("ascii")
                                hh = hh_b.rstrip(sp).decode("ascii")
                                bank = cache[bank_b]
                                item = cache[item_b]
                                rmk = cache[rmk_b]
                                addr = decode(addr_b.rstrip(sp))[0]
                            except UnicodeDecodeError:
                                pass  # GBK in an id field, or a bad byte: looked at closely
                            else:
                                if acc and name and idn:
                                    last = seq
                                    good += 1
                                    total += amount
                                    yield PaymentLine(seq, name, idn, acc, amount, kind, bank,
                                                      item, rmk, phone, addr, hh)
                                    continue
                result = slow(line, lineno, last)
                if result is not None:
                    if result.seq > last:
                        last = result.seq
                    if type(result) is PaymentLine:
                        good += 1
                        total += result.amount_fen
                        yield result
        seen += self._end(lineno)
        if seen != header.count:
            problems.add("line 1", "count",
                         f"header says {header.count} records, the file has {seen}")
        elif good == seen and total != header.total_fen:
            problems.add("line 1", "total_fen",
                         f"header says {header.total_fen} fen, the records add up to {total}")
        if problems:
            raise problems.error(self.name)

    def _detail(self, line: bytes, lineno: int, last: int):
        """The line in ``line`` or None, after adding its problems.

        Returns a :class:`_SeqOnly` when the record is wrong but its seq is readable, so the
        next record's seq is compared with it.
        """
        before = len(self._problems)
        record = self._record_of(line, lineno, PAYMENT_DETAIL)
        if record is None:
            return None
        where = f"line {lineno}"
        lay = PAYMENT_DETAIL.by_name
        raw = dict(zip((f.name for f in PAYMENT_DETAIL.fields),
                       PAYMENT_DETAIL.struct.unpack_from(record), strict=True))
        seq = self._number(raw["seq"], lay["seq"], where, minimum=1)
        if seq is not None and seq <= last:
            self._problems.add(where, "seq", f"seq {seq} does not follow {last}: seqs must "
                                             f"increase")
        amount = self._amount(raw["amount_fen"], lay["amount_fen"], where)
        kind = KIND_BY_CODE.get(raw["account_kind"])
        if kind is None:
            self._problems.add(where, "account_kind",
                               f"{show(raw['account_kind'])} is not an account kind (1, 2, 3)")
        texts = {name: self._text(raw[name], lay[name], where) for name in PAYMENT_TEXTS}
        if len(self._problems) > before:
            return _SeqOnly(seq) if seq is not None and seq > last else None
        return PaymentLine(seq, texts["name"], texts["id_number"], texts["account_no"], amount,
                           kind, texts["bank_name"], texts["subsidy_item"], texts["remark"],
                           texts["phone"], texts["address"], texts["household_no"])


_new_record = maker(ResultRecord)  # ResultRecord(*every field), made faster (fast path)


@dataclass(frozen=True, slots=True)
class _SeqOnly:
    """A bad record whose seq could be read."""

    seq: int


class ResultFileReader(RecordReader):
    """Reads a result file: ``header`` at once, the records by iterating; see the module doc."""

    _header_layout = RESULT_HEADER
    _detail_layout = RESULT_DETAIL
    _longer_layout = RESULT_DETAIL_REF

    def _parse_header(self, line: bytes) -> ResultFileHeader | None:
        v = self._header_values(line, RESULT_HEADER)
        if v is None:
            return None
        if v["count"] != v["paid_count"] + v["failed_count"]:
            self._problems.add("line 1", "count", f"count {v['count']} is not paid "
                                                  f"{v['paid_count']} + failed "
                                                  f"{v['failed_count']}")
            return None
        return ResultFileHeader(
            file_id=v["file_id"], original_file_id=v["original_file_id"],
            batch_id=v["batch_id"], created_at=v["created_at"], count=v["count"],
            paid_count=v["paid_count"], paid_fen=v["paid_fen"],
            failed_count=v["failed_count"], failed_fen=v["failed_fen"],
        )

    def _records(self) -> Iterator[ResultRecord]:
        header = self.header
        problems = self._problems
        unpack = RESULT_DETAIL.struct.unpack_from
        unpack_ref = RESULT_DETAIL_REF.struct.unpack_from
        reclen = RESULT_DETAIL.length
        reclen_ref = RESULT_DETAIL_REF.length
        full = reclen + (1 if self._crlf else 0)
        full_ref = reclen_ref + (1 if self._crlf else 0)
        crlf = self._crlf
        control = CONTROL_BYTES
        parse_amount = self._amounts.parse
        cache = TextCache(self._decode)
        sp = SP
        paid_code = PAID_CODE.encode("ascii")
        reasons = CODE_TO_REASON
        OTHER = FailureReason.OTHER
        PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED
        new_record = _new_record
        slow = self._detail
        lineno = 1
        seen = good = last = 0
        paid_count = paid_fen = failed_count = failed_fen = 0
        for batch in self._batches():
            for line in batch:
                lineno += 1
                seen += 1
                size = len(line)
                if (size == full or size == full_ref) and (not crlf or line[-1] == 13):
                    if size == full:
                        rt, seq_b, acc_b, amount_b, code_b, text_b = unpack(line)
                        ref_b = None
                        body = reclen
                    else:
                        (rt, seq_b, acc_b, amount_b, code_b, text_b, ref_b,
                         name_b) = unpack_ref(line)
                        body = reclen_ref
                    amount = parse_amount(amount_b)
                    if (rt == b"D" and seq_b.isdigit() and amount is not None
                            and len(line.translate(None, control)) == body):
                        seq = int(seq_b)
                        if seq > last:
                            try:
                                acc = acc_b.rstrip(sp).decode("ascii")
                                text = cache[text_b]
                                if ref_b is None:
                                    ref = name = ""
                                else:  # (a reference in GBK is read by _detail)
                                    ref = ref_b.rstrip(sp).decode("ascii")
                                    name = cache[name_b]
                            except UnicodeDecodeError:
                                pass
                            else:
                                if code_b == paid_code:
                                    last = seq
                                    good += 1
                                    paid_count += 1
                                    paid_fen += amount
                                    yield new_record(seq, PAID, amount, acc, None, "", text,
                                                     ref, name)
                                    continue
                                code = code_b.rstrip(sp)
                                if code.isalnum() and code.isascii():
                                    code = code.decode("ascii")
                                    last = seq
                                    good += 1
                                    failed_count += 1
                                    failed_fen += amount
                                    yield new_record(seq, FAILED, amount, acc,
                                                     reasons.get(code, OTHER), code, text,
                                                     ref, name)
                                    continue
                result = slow(line, lineno, last)
                if result is not None:
                    if result.seq > last:
                        last = result.seq
                    if type(result) is ResultRecord:
                        good += 1
                        if result.outcome == PAID:
                            paid_count += 1
                            paid_fen += result.amount_fen
                        else:
                            failed_count += 1
                            failed_fen += result.amount_fen
                        yield result
        seen += self._end(lineno)
        if seen != header.count:
            problems.add("line 1", "count",
                         f"header says {header.count} records, the file has {seen}")
        if good == seen:
            for field, stated, actual, what in (
                ("paid_count", header.paid_count, paid_count, "paid records"),
                ("paid_fen", header.paid_fen, paid_fen, "fen paid"),
                ("failed_count", header.failed_count, failed_count, "failed records"),
                ("failed_fen", header.failed_fen, failed_fen, "fen failed"),
            ):
                if stated != actual:
                    problems.add("line 1", field,
                                 f"header says {stated} {what}, the records give {actual}")
        if problems:
            raise problems.error(self.name)

    def _detail(self, line: bytes, lineno: int, last: int):
        before = len(self._problems)
        record = self._record_of(line, lineno, RESULT_DETAIL, longer=RESULT_DETAIL_REF)
        if record is None:
            return None
        where = f"line {lineno}"
        layout = RESULT_DETAIL_REF if len(record) == RESULT_DETAIL_REF.length else RESULT_DETAIL
        lay = layout.by_name
        raw = dict(zip((f.name for f in layout.fields), layout.struct.unpack_from(record),
                       strict=True))
        seq = self._number(raw["seq"], lay["seq"], where, minimum=1)
        if seq is not None and seq <= last:
            self._problems.add(where, "seq", f"seq {seq} does not follow {last}: seqs must "
                                             f"increase")
        amount = self._amount(raw["amount_fen"], lay["amount_fen"], where)
        account = self._text(raw["account_no"], lay["account_no"], where)
        text = self._text(raw["bank_text"], lay["bank_text"], where)
        ref = name = ""
        if layout is RESULT_DETAIL_REF:
            ref = self._text(raw["bank_ref"], lay["bank_ref"], where)
            name = self._text(raw["name"], lay["name"], where)
        code_b = raw["status_code"].rstrip(SP)
        code = None
        if not code_b:
            self._problems.add(where, "status_code", "is empty")
        elif not (code_b.isalnum() and code_b.isascii()):
            self._problems.add(where, "status_code", f"{show(raw['status_code'])} is not a "
                                                     f"status code (ASCII letters and digits)")
        else:
            code = code_b.decode("ascii")
        if len(self._problems) > before:
            return _SeqOnly(seq) if seq is not None and seq > last else None
        if code == PAID_CODE:
            return ResultRecord(seq, PaymentOutcome.PAID, amount, account, None, "", text, ref,
                                name)
        return ResultRecord(seq, PaymentOutcome.FAILED, amount, account, reason_for_code(code),
                            code, text, ref, name)
