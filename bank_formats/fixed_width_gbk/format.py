"""The format object: options, field encoding, the payment and result writers, detection."""
from __future__ import annotations

import codecs
from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO

from bank_formats.base import DETECT_BYTES, FileKind, WrittenFile
from bank_formats.carriage import Carriage, TextField
from bank_formats.fixed_width_gbk.fields import (
    BSEP,
    CONTROL_BYTES,
    ENCODINGS,
    LINE_ENDINGS,
    SEP,
    SP,
    PaddedCache,
    Problems,
    control_char,
    format_date,
    format_datetime,
)
from bank_formats.fixed_width_gbk.layout import (
    AMOUNT_STYLES,
    CODE_TO_REASON,
    KIND_CODES,
    LAYOUTS,
    MAX_SEQ,
    PAID_CODE,
    PAYMENT_DETAIL,
    PAYMENT_HEADER,
    PAYMENT_TEXTS,
    REASON_TO_CODE,
    RESULT_DETAIL,
    RESULT_DETAIL_REF,
    RESULT_HEADER,
    Field,
    Layout,
    reason_for_code,
)
from bank_formats.fixed_width_gbk.readers import PaymentFileReader, ResultFileReader
from bank_formats.fixed_width_gbk.statements import StatementFileReader, write_statement
from domain.model import (
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)


class FixedWidthGbkFormat:
    """Fixed-width GBK (or GB18030) text records; see the module docstring for the layout."""

    name = "fixed_width_gbk"
    file_suffix = ".txt"

    def __init__(self, schema_dir: Path | None = None, *, line_ending: str = "\r\n",
                 encoding: str = "gbk", amount_style: str = "fen") -> None:
        # schema_dir is accepted for the registry's sake: this format has no schema
        self.schema_dir = Path(schema_dir) if schema_dir is not None else None
        enc = str(encoding).lower().replace("_", "").replace("-", "")
        if enc not in ENCODINGS:
            raise ValueError(f"encoding must be 'gbk' or 'gb18030', not {encoding!r}")
        if line_ending not in LINE_ENDINGS:
            raise ValueError(f"line_ending must be '\\r\\n' or '\\n', not {line_ending!r}")
        if amount_style not in AMOUNT_STYLES:
            raise ValueError(f"amount_style must be 'fen' or 'yuan', not {amount_style!r}")
        self.encoding = enc
        self.encoding_label = ENCODINGS[enc]
        self.line_ending = line_ending
        self.line_ending_label = LINE_ENDINGS[line_ending]
        self._eol = line_ending.encode("ascii")
        codec = codecs.lookup(enc)
        self._encode = codec.encode
        self._decode = codec.decode
        self.amount_style = amount_style
        self.amounts = AMOUNT_STYLES[amount_style]

    def carriage(self) -> Carriage:
        """What a payment file carries: every X field of the payment layouts, in bytes of this
        format's encoding, no trailing space (it reads back as padding); amounts and counts as
        wide as their fields (see :mod:`bank_formats.carriage`)."""
        made = self.__dict__.get("_carriage")
        if made is None:
            def texts(layout: Layout) -> list[TextField]:
                return [TextField(f.name, f.width, f.required) for f in layout.fields if f.type == "X"]

            made = self._carriage = Carriage(
                family=self.name, encoding=self.encoding, encoding_label=self.encoding_label, in_bytes=True,
                line=texts(PAYMENT_DETAIL), header=texts(PAYMENT_HEADER),
                max_amount_fen=self.amounts.largest(PAYMENT_DETAIL.by_name["amount_fen"].width),
                max_total_fen=self.amounts.largest(PAYMENT_HEADER.by_name["total_fen"].width),
                max_count=10 ** PAYMENT_HEADER.by_name["count"].width - 1, padded=True)
        return made

    def __repr__(self) -> str:
        return (f"FixedWidthGbkFormat(encoding={self.encoding!r}, "
                f"line_ending={self.line_ending!r}, amount_style={self.amount_style!r})")

    # --- field encoding (the careful path; also used for every header) ---------------------

    def _text_bytes(self, value: object, field: Field, where: str, problems: Problems,
                    label: str | None = None) -> bytes | None:
        """``value`` encoded and padded to ``field``'s width, or None after adding problems."""
        name = label or field.name
        if not isinstance(value, str):
            problems.add(where, name, f"must be a text, got {type(value).__name__}")
            return None
        if not value:
            if field.required:
                problems.add(where, name, "is empty")
                return None
            return SP * field.width
        ok = True
        ch = control_char(value)
        if ch is not None:
            problems.add(where, name, f"holds a control character (U+{ord(ch):04X})")
            ok = False
        if value[-1] == " ":
            problems.add(where, name, "ends with a space, which reads back as padding")
            ok = False
        try:
            raw = value.encode(self.encoding)
        except UnicodeEncodeError as exc:
            bad = value[exc.start]
            problems.add(where, name, f"character {bad!r} (U+{ord(bad):04X}) cannot be written "
                                      f"in {self.encoding_label}")
            return None
        if len(raw) > field.width:
            problems.add(where, name, f"is {len(raw)} bytes in {self.encoding_label}; "
                                      f"the field holds {field.width}")
            return None
        return raw.ljust(field.width) if ok else None

    @staticmethod
    def _number_bytes(value: object, field: Field, where: str, problems: Problems,
                      minimum: int = 0) -> bytes | None:
        if type(value) is not int:
            problems.add(where, field.name, f"must be an int, got {type(value).__name__}")
            return None
        top = 10**field.width - 1
        if not minimum <= value <= top:
            problems.add(where, field.name, f"{value} is not within {minimum}..{top}")
            return None
        return b"%0*d" % (field.width, value)

    def _amount_bytes(self, value: object, field: Field, where: str, problems: Problems,
                      minimum: int = 0) -> bytes | None:
        """An "M" field in this format's amount style, or None after adding a problem."""
        if type(value) is not int:
            problems.add(where, field.name, f"must be an int, got {type(value).__name__}")
            return None
        top = self.amounts.largest(field.width)
        if not minimum <= value <= top:
            problems.add(where, field.name, f"{value} is not within {minimum}..{top} fen")
            return None
        return self.amounts.formatter(field.width)(value)

    def _signed_bytes(self, value: object, field: Field, where: str,
                      problems: Problems) -> bytes | None:
        """An "S" field: "+" (zero too) or "-", then the amount's size as an "M" field."""
        if type(value) is not int:
            problems.add(where, field.name, f"must be an int, got {type(value).__name__}")
            return None
        top = self.amounts.largest(field.width - 1)
        if not -top <= value <= top:
            problems.add(where, field.name, f"{value} is not within -{top}..{top} fen")
            return None
        sign = b"-" if value < 0 else b"+"
        return sign + self.amounts.formatter(field.width - 1)(abs(value))

    @staticmethod
    def _currency_bytes(value: object, field: Field, where: str,
                        problems: Problems) -> bytes | None:
        if not (isinstance(value, str) and len(value) == field.width and value.isascii()
                and value.isalpha() and value.isupper()):
            problems.add(where, field.name, f"{value!r} is not a currency code (three capital "
                                            f"letters, ISO 4217)")
            return None
        return value.encode("ascii")

    def _header_bytes(self, layout: Layout, values: dict[str, object],
                      problems: Problems) -> bytes | None:
        """The header record (with its line ending), or None after adding problems."""
        where = "line 1"
        pieces = []
        ok = True
        for f in layout.fields:
            value = values.get(f.name)
            piece: bytes | None
            if f.type == "A":
                piece = layout.record_type.encode("ascii")
            elif f.type == "X":
                piece = self._text_bytes(value, f, where, problems)
            elif f.type == "N":
                piece = self._number_bytes(value, f, where, problems)
            elif f.type == "M":
                piece = self._amount_bytes(value, f, where, problems)
            elif f.type == "S":
                piece = self._signed_bytes(value, f, where, problems)
            elif f.type == "C":  # the only code in a header is the statement's currency
                piece = self._currency_bytes(value, f, where, problems)
            elif f.type == "T":
                try:
                    piece = format_datetime(value).encode("ascii")
                except ValueError as exc:
                    problems.add(where, f.name, str(exc))
                    piece = None
            elif f.type == "D":
                try:
                    piece = format_date(value).encode("ascii")
                except ValueError as exc:
                    problems.add(where, f.name, str(exc))
                    piece = None
            else:  # pragma: no cover - headers have no other field types
                raise AssertionError(f.type)
            if piece is None:
                ok = False
            else:
                pieces.append(piece)
        if not ok:
            return None
        record = b"".join(pieces)
        assert len(record) == layout.length
        return record + self._eol

    # --- payment files ---------------------------------------------------------------------

    def write_payments(self, out: BinaryIO, header: PaymentFileHeader,
                       lines: Iterable[PaymentLine]) -> WrittenFile:
        problems = Problems()
        head = self._header_bytes(PAYMENT_HEADER, {
            "batch_id": header.batch_id, "file_id": header.file_id,
            "payer_account": header.payer_account, "payer_name": header.payer_name,
            "bank_code": header.bank_code, "count": header.count,
            "total_fen": header.total_fen, "created_at": header.created_at,
            "requested_date": header.requested_date, "purpose": header.purpose,
        }, problems)
        size = 0
        if head is not None:
            out.write(head)
            size = len(head)
        eol = self._eol
        reclen = PAYMENT_DETAIL.length + len(eol)
        # bank_name, subsidy_item and remark are padded from caches (their values repeat from
        # line to line); the other texts are checked and encoded together (see below)
        template = b"D%010d%-34s%-60s%s%-32s%s%s%s%s%-20s%-120s%-32s" + eol
        amount_width = PAYMENT_DETAIL.by_name["amount_fen"].width
        spell = self.amounts.formatter(amount_width)
        assert len(template % (1, b"", b"", spell(0), b"", b"1", b" " * 60, b" " * 40, b" " * 60,
                               b"", b"", b"")) == reclen
        texts = attrgetter("account_no", "name", "id_number", "phone", "address", "household_no")
        encode = self._encode
        lay = PAYMENT_DETAIL.by_name
        banks = PaddedCache(encode, lay["bank_name"].width)
        items = PaddedCache(encode, lay["subsidy_item"].width)
        remarks = PaddedCache(encode, lay["remark"].width)
        kinds = {k: c.encode("ascii") for k, c in KIND_CODES.items()}
        join = SEP.join
        sep = BSEP
        buf: list[bytes] = []
        append = buf.append
        write = out.write
        max_seq, max_amount = MAX_SEQ, self.amounts.largest(amount_width)
        count = 0
        total = 0
        last = 0  # the last seq accepted
        refused = 0
        for count, line in enumerate(lines, 1):
            try:
                # The usual line, checked and encoded in a few calls: its texts joined by "<"
                # are checked at once (printable, no field ending with a space) and encoded in
                # one call, then split again. Anything unusual - a "<" in a text, a control or
                # non-printable character, a character the encoding lacks, a text too long,
                # a bad number - is left to _payment_record, which says precisely what.
                seq = line.seq
                amount = line.amount_fen
                joined = join(texts(line))
                if (joined.isprintable() and " <" not in joined and joined[-1] != " "
                        and type(seq) is int and last < seq <= max_seq
                        and type(amount) is int and 0 <= amount <= max_amount):
                    acc, name, idn, phone, addr, hh = encode(joined)[0].split(sep)
                    if acc and name and idn:
                        record = template % (seq, acc, name, spell(amount), idn,
                                             kinds[line.account_kind], banks[line.bank_name],
                                             items[line.subsidy_item], remarks[line.remark],
                                             phone, addr, hh)
                        if len(record) == reclen:
                            append(record)
                            last = seq
                            total += amount
                            if len(buf) > 511:
                                write(b"".join(buf))
                                buf.clear()
                            continue
            except (AttributeError, TypeError, ValueError, KeyError):
                pass
            record, seq_ok, amount_ok = self._payment_record(line, count + 1, last, problems)
            if seq_ok:
                last = line.seq
            if amount_ok:
                total += line.amount_fen
            if record is None:
                refused += 1
            else:
                append(record)
        if buf:
            write(b"".join(buf))
        size += (count - refused) * reclen
        if type(header.count) is int and count != header.count:
            problems.add("line 1", "count",
                         f"header says {header.count} lines, {count} were given")
        if type(header.total_fen) is int and total != header.total_fen:
            problems.add("line 1", "total_fen",
                         f"header says {header.total_fen} fen, the lines add up to {total}")
        if problems:
            raise problems.error("<payment file>")
        return WrittenFile(count=count, total_fen=total, size=size)

    def _payment_record(self, line: object, lineno: int, last: int,
                        problems: Problems) -> tuple[bytes | None, bool, bool]:
        """(the record or None, whether its seq is right, whether its amount is right)."""
        seq = getattr(line, "seq", None)
        where = f"line {lineno} (seq {seq!r})"
        missing = [a for a in ("seq", "amount_fen", "account_kind", *PAYMENT_TEXTS)
                   if not hasattr(line, a)]
        if missing:
            problems.add(where, "record", f"is not a payment line: {type(line).__name__} has no "
                                          f"{', '.join(missing)}")
            return None, False, False
        lay = PAYMENT_DETAIL.by_name
        pieces: dict[str, bytes | None] = {}
        seq_b = self._number_bytes(seq, lay["seq"], where, problems, minimum=1)
        seq_ok = seq_b is not None and seq > last
        if seq_b is not None and not seq_ok:
            problems.add(where, "seq", f"seq {seq} does not follow {last}: seqs must increase")
        amount_b = self._amount_bytes(line.amount_fen, lay["amount_fen"], where, problems)
        for name in PAYMENT_TEXTS:
            pieces[name] = self._text_bytes(getattr(line, name), lay[name], where, problems)
        try:
            kind = KIND_CODES[line.account_kind].encode("ascii")
        except (KeyError, TypeError):
            problems.add(where, "account_kind", f"unknown account kind {line.account_kind!r}")
            kind = None
        if not seq_ok or amount_b is None or kind is None or None in pieces.values():
            return None, seq_ok, amount_b is not None
        p = pieces
        record = b"".join((b"D", seq_b, p["account_no"], p["name"], amount_b, p["id_number"],
                           kind, p["bank_name"], p["subsidy_item"], p["remark"], p["phone"],
                           p["address"], p["household_no"], self._eol))
        return record, True, True

    def read_payments(self, src: BinaryIO, name: str = "<payment file>") -> PaymentFileReader:
        return PaymentFileReader(self, src, name)

    # --- result files ----------------------------------------------------------------------

    def write_results(self, out: BinaryIO, header: ResultFileHeader,
                      records: Iterable[ResultRecord]) -> WrittenFile:
        problems = Problems()
        values = {
            "file_id": header.file_id, "original_file_id": header.original_file_id,
            "batch_id": header.batch_id, "created_at": header.created_at,
            "count": header.count, "paid_count": header.paid_count,
            "paid_fen": header.paid_fen, "failed_count": header.failed_count,
            "failed_fen": header.failed_fen,
        }
        head = self._header_bytes(RESULT_HEADER, values, problems)
        if head is not None and header.count != header.paid_count + header.failed_count:
            problems.add("line 1", "count", f"count {header.count} is not paid "
                                            f"{header.paid_count} + failed {header.failed_count}")
            head = None
        size = 0
        if head is not None:
            out.write(head)
            size = len(head)
        eol = self._eol
        reclen = RESULT_DETAIL.length + len(eol)
        template = b"D%010d%-34s%s%-4s%-100s" + eol
        # a record with the bank's reference or the beneficiary's name: 95 bytes more
        reclen_ref = RESULT_DETAIL_REF.length + len(eol)
        template_ref = b"D%010d%-34s%s%-4s%-100s%-35s%-60s" + eol
        amount_width = RESULT_DETAIL.by_name["amount_fen"].width
        spell = self.amounts.formatter(amount_width)
        max_amount = self.amounts.largest(amount_width)
        assert len(template % (1, b"", spell(0), b"0000", b"")) == reclen
        assert len(template_ref % (1, b"", spell(0), b"0000", b"", b"", b"")) == reclen_ref
        PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED
        failure_codes: dict[object, bytes] = {r: c.encode("ascii")
                                              for r, c in REASON_TO_CODE.items()}
        failure_codes[None] = REASON_TO_CODE[FailureReason.OTHER].encode("ascii")
        paid_code = PAID_CODE.encode("ascii")
        encode = self._encode
        sep = BSEP
        buf: list[bytes] = []
        append = buf.append
        write = out.write
        count = written = 0
        last = 0
        paid_count = paid_fen = failed_count = failed_fen = 0
        for rec in records:
            count += 1
            try:
                seq = rec.seq
                amount = rec.amount_fen
                outcome = rec.outcome
                if rec.bank_code:
                    raise ValueError  # checked by _result_record
                if outcome == PAID:
                    if rec.reason is not None:
                        raise ValueError
                    status = paid_code
                elif outcome == FAILED:
                    status = failure_codes[rec.reason]
                else:
                    raise ValueError
                ref = rec.bank_ref
                name = rec.name
                if ref or name:
                    joined = SEP.join((rec.account_no, rec.bank_text, ref, name))
                else:
                    joined = rec.account_no + SEP + rec.bank_text
                if (joined.isprintable() and " <" not in joined and joined[-1] != " "
                        and type(seq) is int and last < seq <= MAX_SEQ
                        and type(amount) is int and 0 <= amount <= max_amount):
                    if ref or name:
                        acc, text, ref, name = encode(joined)[0].split(sep)
                        record = template_ref % (seq, acc, spell(amount), status, text, ref,
                                                 name)
                        ok = len(record) == reclen_ref
                    else:
                        acc, text = encode(joined)[0].split(sep)
                        record = template % (seq, acc, spell(amount), status, text)
                        ok = len(record) == reclen
                    if ok:
                        append(record)
                        size += len(record)
                        last = seq
                        if outcome == PAID:
                            paid_count += 1
                            paid_fen += amount
                        else:
                            failed_count += 1
                            failed_fen += amount
                        if len(buf) >= 512:
                            write(b"".join(buf))
                            buf.clear()
                        written += 1
                        continue
            except (AttributeError, TypeError, ValueError, KeyError):
                pass
            record, seq_ok, outcome_ok = self._result_record(rec, count + 1, last, problems)
            if seq_ok:
                last = rec.seq
            if outcome_ok:
                if rec.outcome == PAID:
                    paid_count += 1
                    paid_fen += rec.amount_fen
                else:
                    failed_count += 1
                    failed_fen += rec.amount_fen
            if record is not None:
                append(record)
                size += len(record)
                written += 1
        if buf:
            write(b"".join(buf))
        for field, stated, actual, what in (
            ("count", header.count, count, "records"),
            ("paid_count", header.paid_count, paid_count, "paid records"),
            ("paid_fen", header.paid_fen, paid_fen, "fen paid"),
            ("failed_count", header.failed_count, failed_count, "failed records"),
            ("failed_fen", header.failed_fen, failed_fen, "fen failed"),
        ):
            if type(stated) is int and stated != actual:
                problems.add("line 1", field,
                             f"header says {stated} {what}, the records give {actual}")
        if problems:
            raise problems.error("<result file>")
        return WrittenFile(count=count, total_fen=paid_fen + failed_fen, size=size)

    def _result_record(self, rec: object, lineno: int, last: int,
                       problems: Problems) -> tuple[bytes | None, bool, bool]:
        """(the record or None, whether its seq is right, whether outcome and amount are)."""
        seq = getattr(rec, "seq", None)
        where = f"line {lineno} (seq {seq!r})"
        missing = [a for a in ("seq", "outcome", "amount_fen", "account_no", "reason",
                               "bank_code", "bank_text") if not hasattr(rec, a)]
        if missing:
            problems.add(where, "record", f"is not a result record: {type(rec).__name__} has no "
                                          f"{', '.join(missing)}")
            return None, False, False
        lay = RESULT_DETAIL_REF.by_name  # the fields of both layouts, placed alike
        seq_b = self._number_bytes(seq, lay["seq"], where, problems, minimum=1)
        seq_ok = seq_b is not None and seq > last
        if seq_b is not None and not seq_ok:
            problems.add(where, "seq", f"seq {seq} does not follow {last}: seqs must increase")
        amount_b = self._amount_bytes(rec.amount_fen, lay["amount_fen"], where, problems)
        account = self._text_bytes(rec.account_no, lay["account_no"], where, problems)
        text = self._text_bytes(rec.bank_text, lay["bank_text"], where, problems)
        status = self._status_code(rec, where, problems)
        ref_value, name_value = getattr(rec, "bank_ref", ""), getattr(rec, "name", "")
        extended = bool(ref_value) or bool(name_value) or not isinstance(ref_value, str) \
            or not isinstance(name_value, str)
        ref = name = b""
        if extended:
            ref = self._text_bytes(ref_value, lay["bank_ref"], where, problems)
            name = self._text_bytes(name_value, lay["name"], where, problems)
        outcome_ok = amount_b is not None and rec.outcome in (PaymentOutcome.PAID,
                                                              PaymentOutcome.FAILED)
        if (not seq_ok or amount_b is None or account is None or text is None or status is None
                or ref is None or name is None):
            return None, seq_ok, outcome_ok
        record = b"".join((b"D", seq_b, account, amount_b, status, text, ref, name, self._eol))
        return record, True, outcome_ok

    @staticmethod
    def _status_code(rec: ResultRecord, where: str, problems: Problems) -> bytes | None:
        outcome, reason, code = rec.outcome, rec.reason, rec.bank_code
        if reason is not None and reason not in CODE_TO_REASON.values():
            problems.add(where, "status_code", f"unknown failure reason {reason!r}")
            return None
        if not isinstance(code, str):
            problems.add(where, "status_code",
                         f"bank_code must be a text, got {type(code).__name__}")
            return None
        if outcome == PaymentOutcome.PAID:
            if reason is not None:
                problems.add(where, "status_code",
                             f"a paid record cannot have a failure reason ({reason})")
                return None
            if code:
                problems.add(where, "status_code", f"a paid record has no bank code (the file "
                                                   f"says {PAID_CODE}), got {code!r}")
                return None
            return PAID_CODE.encode("ascii")
        if outcome != PaymentOutcome.FAILED:
            problems.add(where, "status_code", f"unknown outcome {outcome!r}")
            return None
        reason = reason or FailureReason.OTHER
        if not code:
            return REASON_TO_CODE[reason].encode("ascii")
        if not (code.isascii() and code.isalnum() and len(code) <= 4):
            problems.add(where, "status_code",
                         f"bank code {code!r} is not 1 to 4 ASCII letters and digits")
            return None
        if code == PAID_CODE:
            problems.add(where, "status_code", f"{PAID_CODE} means paid; the record failed")
            return None
        if reason_for_code(code) != reason:
            problems.add(where, "status_code",
                         f"bank code {code} reads back as {reason_for_code(code)}, not "
                         f"{reason}; leave bank_code empty to write {REASON_TO_CODE[reason]}")
            return None
        return code.encode("ascii").ljust(4)

    def read_results(self, src: BinaryIO, name: str = "<result file>") -> ResultFileReader:
        return ResultFileReader(self, src, name)


    # --- statements ------------------------------------------------------------------------

    def write_statement(self, out: BinaryIO, header: StatementHeader,
                        entries: Iterable[StatementEntry]) -> WrittenFile:
        return write_statement(self, out, header, entries)

    def read_statement(self, src: BinaryIO, name: str = "<statement>") -> StatementFileReader:
        return StatementFileReader(self, src, name)

    # --- detection -------------------------------------------------------------------------

    def detect(self, head: bytes) -> FileKind | None:
        """The kind of file ``head`` begins, by its header record; None for anything else.

        A file of this format is told by its first record: an "H" of exactly the length of
        one kind's header, ending with this format's line ending, holding no control byte (so a
        CRLF file is not taken for an LF one a byte longer) and digits in its number and date
        fields; when the head goes on, the next record must begin with "D". Never raises,
        whatever it is given.
        """
        if not isinstance(head, (bytes, bytearray, memoryview)):
            return None
        head = bytes(head[:DETECT_BYTES])
        eol = self._eol
        for kind, (header, _) in LAYOUTS.items():
            end = header.length
            after = head[end + len(eol):end + len(eol) + 1]
            if (head[:1] == b"H" and head[end:end + len(eol)] == eol
                    and len(head[:end].translate(None, CONTROL_BYTES)) == end
                    and after in (b"", b"D")
                    and all(raw.isdigit() for f, raw in zip(header.fields,
                                                            header.struct.unpack_from(head))
                            if f.type in "ND")):
                return kind
        return None
