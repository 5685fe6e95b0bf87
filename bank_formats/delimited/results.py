"""Result files (回盘文件) of the delimited family: the writer (the bank simulator), the reader
(the service) and the bank reason codes.

A detail line has 7 fields, or 9 when it carries the bank's reference of the payment
(``bank_ref``, 银行流水号) or the beneficiary's name as the bank states it (``name``, 户名): the
two are optional trailing fields. The family's lines have no version and no field to spare,
so the number of fields says which a line is, line by line: the writer writes a record with
neither in 7 fields, as every file before them was written (byte for byte), and one with
either in 9; the reader takes both, a 7-field line reading back with both empty. (9 is no other
kind's number of detail fields - payments have 13, statements 11 - so no kind of file reads
as another still.)
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from bank_formats.base import WrittenFile
from bank_formats.maker import maker
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
    format_datetime,
    format_field,
    number_problem,
    parse_datetime,
    parse_fields,
    parse_number,
    required_texts,
    seq_problem,
)
from domain.model import FailureReason, PaymentOutcome, ResultFileHeader, ResultRecord

RESULT_HEADER_FIELDS = (
    "record_type", "file_id", "original_file_id", "batch_id", "created_at", "count",
    "paid_count", "paid_fen", "failed_count", "failed_fen",
)
RESULT_RECORD_FIELDS = (
    "record_type", "seq", "account_no", "amount_fen", "status", "bank_code", "bank_text",
)
# the same with the two optional trailing fields
RESULT_RECORD_FIELDS_REF = (*RESULT_RECORD_FIELDS, "bank_ref", "name")
DETAIL_FIELD_COUNTS = "7 (9 with bank_ref and name)"  # as problems say it

# --- reason codes --------------------------------------------------------------------------

REASON_TO_CODE: dict[FailureReason, str] = {
    FailureReason.ACCOUNT_NOT_FOUND: "E01",
    FailureReason.NAME_MISMATCH: "E02",
    FailureReason.ACCOUNT_CLOSED: "E03",
    FailureReason.ACCOUNT_FROZEN: "E04",
    FailureReason.ID_MISMATCH: "E05",
    FailureReason.CARD_LOST: "E06",
    FailureReason.OTHER: "E99",
}
CODE_TO_REASON: dict[str, FailureReason] = {code: r for r, code in REASON_TO_CODE.items()}
CODE_TEXT: dict[str, str] = {
    "E01": "账户不存在",
    "E02": "户名不符",
    "E03": "账户已销户",
    "E04": "账户冻结",
    "E05": "证件号码不符",
    "E06": "卡已挂失",
    "E99": "其他原因",
}


def reason_for_code(code: str) -> FailureReason:
    """The canonical reason of a bank code; OTHER for any code not in the table."""
    return CODE_TO_REASON.get(code, FailureReason.OTHER)


_OTHER = FailureReason.OTHER
_PAID = PaymentOutcome.PAID
_FAILED = PaymentOutcome.FAILED


def _header_line(h: ResultFileHeader, problems: Problems, options: Options) -> str | None:
    before = len(problems)
    w = "line 1"
    texts = (("file_id", h.file_id, True), ("original_file_id", h.original_file_id, True),
             ("batch_id", h.batch_id, True))
    check_texts(problems, w, "", options.encoding, texts)
    for field, high in (("count", MAX_NUMBER), ("paid_count", MAX_NUMBER),
                        ("paid_fen", MAX_FEN), ("failed_count", MAX_NUMBER),
                        ("failed_fen", MAX_FEN)):
        message = number_problem(getattr(h, field), field, 0, high)
        if message is not None:
            problems.add(w, field, message)
    created = format_field(problems, w, "created_at", format_datetime, h.created_at)
    if len(problems) > before:
        return None
    if h.count != h.paid_count + h.failed_count:
        problems.add(w, "count", f"count {h.count} is not paid {h.paid_count} + failed "
                                 f"{h.failed_count}")
        return None
    fen = options.amounts.text
    return SEP.join(("H", h.file_id, h.original_file_id, h.batch_id, created, str(h.count),
                     str(h.paid_count), fen(h.paid_fen), str(h.failed_count),
                     fen(h.failed_fen)))


def _failure_code(rec: ResultRecord) -> str | None:
    """The code written for a failed record, or None when it cannot be read back as written."""
    reason = rec.reason
    code = rec.bank_code
    if not code:
        return REASON_TO_CODE.get(reason if reason is not None else _OTHER)
    if reason is None or CODE_TO_REASON.get(code, _OTHER) == reason:
        return code
    return None


def _record_problems(rec: object, where: str, prev: int, encoding: str,
                     problems: Problems) -> None:
    """Records why ``rec`` cannot be written (the writer's slow path)."""
    get = lambda name: getattr(rec, name, MISSING)  # noqa: E731
    seq = get("seq")
    prefix = f"seq {seq}: " if type(seq) is int else ""
    message = seq_problem(seq, prev)
    if message is not None:
        problems.add(where, "seq", message)
    message = number_problem(get("amount_fen"), "amount_fen", 0, MAX_FEN)
    if message is not None:
        problems.add(where, "amount_fen", prefix + message)
    outcome = get("outcome")
    reason = get("reason")
    try:
        reason_ok = reason is None or reason in REASON_TO_CODE
    except TypeError:
        reason_ok = False
    if outcome == _PAID:
        if reason is not None:
            problems.add(where, "status", f"{prefix}a paid record cannot have a failure reason "
                                          f"({reason})")
    elif outcome == _FAILED:
        if not reason_ok:
            problems.add(where, "bank_code", f"{prefix}unknown failure reason {reason!r}")
        elif isinstance(get("bank_code"), str) and _failure_code(rec) is None:
            code = get("bank_code")
            problems.add(where, "bank_code",
                         f"{prefix}code {code!r} reads back as {reason_for_code(code)}, not "
                         f"{reason}: it cannot be written for that reason")
    else:
        problems.add(where, "status", f"{prefix}unknown outcome {outcome!r}")
    check_texts(problems, where, prefix, encoding, (
        ("account_no", get("account_no"), False), ("bank_code", get("bank_code"), False),
        ("bank_text", get("bank_text"), False),
        ("bank_ref", getattr(rec, "bank_ref", ""), False), ("name", getattr(rec, "name", ""), False),
    ))


def write_results(out: BinaryIO, header: ResultFileHeader, records: Iterable[ResultRecord],
                  options: Options, file_name: str = "<result file>") -> WrittenFile:
    """Writes a result file; FormatError (after writing what it could, no digest line) when a
    value cannot be written or the records do not add up to the header's counts and sums."""
    problems = Problems()
    sink = Sink(out, options, problems)
    head = _header_line(header, problems, options)
    if head is not None:
        sink.write_lines([head], 1, RESULT_HEADER_FIELDS, False)
    names = RESULT_RECORD_FIELDS_REF  # (naming the fields of 7-field lines too)
    join = SEP.join
    to_code = REASON_TO_CODE
    to_reason = CODE_TO_REASON
    amount_text = options.amounts.text
    buf: list[str] = []
    append = buf.append
    first = 2
    count = prev = 0
    paid_count = paid_fen = failed_count = failed_fen = 0
    for rec in records:
        count += 1
        try:
            seq = rec.seq
            amount = rec.amount_fen
            outcome = rec.outcome
            reason = rec.reason
            code = rec.bank_code
            if outcome == _PAID:
                status = "S" if reason is None else None
            elif outcome == _FAILED:
                status = "F"
                if not code:
                    code = to_code.get(reason if reason is not None else _OTHER)
                elif reason is not None and to_reason.get(code, _OTHER) != reason:
                    code = None
            else:
                status = None
            if (status is not None and code is not None and type(seq) is int
                    and prev < seq <= MAX_NUMBER and type(amount) is int
                    and 0 <= amount <= MAX_FEN):
                ref = rec.bank_ref
                name = rec.name
                if ref or name:
                    text = join(("D", str(seq), rec.account_no, amount_text(amount), status,
                                 code, rec.bank_text, ref, name))
                    seps = 8
                else:
                    text = join(("D", str(seq), rec.account_no, amount_text(amount), status,
                                 code, rec.bank_text))
                    seps = 6
                if text.count(SEP) == seps and "\n" not in text and "\r" not in text:
                    append(text)
                    prev = seq
                    if status == "S":
                        paid_count += 1
                        paid_fen += amount
                    else:
                        failed_count += 1
                        failed_fen += amount
                    if len(buf) >= FLUSH_LINES:
                        sink.write_lines(buf, first, names, True)
                        first += len(buf)
                        buf.clear()
                    continue
        except (AttributeError, TypeError):
            pass
        sink.write_lines(buf, first, names, True)
        buf.clear()
        first = count + 2
        before = len(problems)
        _record_problems(rec, f"line {count + 1}", prev, options.encoding, problems)
        if len(problems) == before:  # cannot happen; never leave a record out silently
            problems.add(f"line {count + 1}", "record_type", f"cannot be written: {rec!r}")
        seq = getattr(rec, "seq", None)
        if type(seq) is int and seq > prev:
            prev = seq
        amount = getattr(rec, "amount_fen", None)
        outcome = getattr(rec, "outcome", None)
        if type(amount) is int:
            if outcome == _PAID:
                paid_count += 1
                paid_fen += amount
            elif outcome == _FAILED:
                failed_count += 1
                failed_fen += amount
    sink.write_lines(buf, first, names, True)
    if head is not None and count != header.count:
        problems.add("line 1", "count", f"header says {header.count} records, {count} were given")
    for field, stated, actual, what in (
        ("paid_count", header.paid_count, paid_count, "paid records"),
        ("paid_fen", header.paid_fen, paid_fen, "fen paid"),
        ("failed_count", header.failed_count, failed_count, "failed records"),
        ("failed_fen", header.failed_fen, failed_fen, "fen failed"),
    ):
        if head is not None and stated != actual:
            problems.add("line 1", field, f"header says {stated} {what}, the records have "
                                          f"{actual}")
    if problems:
        raise problems.error(file_name)
    sink.write_digest()
    return WrittenFile(count=count, total_fen=paid_fen + failed_fen, size=sink.size)


_new_record = maker(ResultRecord)  # ResultRecord(*every field), made faster


class ResultReader(Reader):
    """Reads a result file; ``header`` is read on construction (FormatError if bad).

    Iterating yields the records and raises FormatError at the end when anything was wrong: a
    record, the digest (or its absence), the header's counts and sums per status.
    """

    _header_fields = RESULT_HEADER_FIELDS
    _detail_fields = RESULT_RECORD_FIELDS_REF  # (naming the fields of 7-field lines too)
    header: ResultFileHeader

    def _parse_header(self, text: str | None) -> ResultFileHeader | None:
        names = RESULT_HEADER_FIELDS
        f = self._split_header(text, len(names), "result file")
        if f is None:
            return None
        p = self._problems
        before = len(p)
        w = "line 1"
        vals: dict = {}
        amount = self._amounts.parse
        required_texts(p, w, f, names, (1, 2, 3), vals)
        parse_fields(p, w, f, names, (4,), parse_datetime, vals)
        parse_fields(p, w, f, names, (5, 6), parse_number, vals)
        parse_fields(p, w, f, names, (7,), amount, vals)
        parse_fields(p, w, f, names, (8,), parse_number, vals)
        parse_fields(p, w, f, names, (9,), amount, vals)
        if len(p) > before:
            return None
        if vals["count"] != vals["paid_count"] + vals["failed_count"]:
            p.add(w, "count", f"count {vals['count']} is not paid {vals['paid_count']} + failed "
                              f"{vals['failed_count']}")
            return None
        return ResultFileHeader(**{k: vals[k] for k in names[1:]})

    def _read(self) -> Iterator[ResultRecord | None]:
        problems = self._problems
        Record = _new_record
        to_reason = CODE_TO_REASON
        amount_value = self._amounts.value
        PAID, FAILED, OTHER = _PAID, _FAILED, _OTHER
        header = None
        started = False
        count = good = prev = 0
        paid_count = paid_fen = failed_count = failed_fen = 0
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
                n = len(f)
                if (n == 7 or n == 9) and f[0] == "D":
                    seq_s = f[1]
                    amount = amount_value(f[3])
                    status = f[4]
                    if (len(seq_s) <= 18 and seq_s.isdigit() and seq_s.isascii()
                            and amount is not None and (status == "S" or status == "F")):
                        seq = int(seq_s)
                        if seq > prev:
                            prev = seq
                            good += 1
                            if status == "S":
                                paid_count += 1
                                paid_fen += amount
                                outcome, reason = PAID, None
                            else:
                                failed_count += 1
                                failed_fen += amount
                                outcome, reason = FAILED, to_reason.get(f[5], OTHER)
                            if header is not None:
                                if n == 7:
                                    yield Record(seq, outcome, amount, f[2], reason, f[5], f[6],
                                                 "", "")
                                else:
                                    yield Record(seq, outcome, amount, f[2], reason, f[5], f[6],
                                                 f[7], f[8])
                            continue
                prev = self._bad_line(self._record_problems, f"line {count + 1}", f, prev)
        if started and header is not None and self._complete:
            if count != header.count:
                problems.add("line 1", "count",
                             f"header says {header.count} records, the file has {count}")
            if good == count:
                for field, stated, actual, what in (
                    ("paid_count", header.paid_count, paid_count, "paid records"),
                    ("paid_fen", header.paid_fen, paid_fen, "fen paid"),
                    ("failed_count", header.failed_count, failed_count, "failed records"),
                    ("failed_fen", header.failed_fen, failed_fen, "fen failed"),
                ):
                    if stated != actual:
                        problems.add("line 1", field,
                                     f"header says {stated} {what}, the records have {actual}")
        self._finish(started, header)

    def _record_problems(self, where: str, f: list[str], prev: int) -> int:
        """Records what is wrong with a detail line; the seq the next line must exceed."""
        names = RESULT_RECORD_FIELDS
        if len(f) not in (7, 9) or f[0] != "D":
            self._record_type_problem(where, f, DETAIL_FIELD_COUNTS)
            return prev
        p = self._problems
        prev = self._seq_after(where, f[1], prev)
        parse_fields(p, where, f, names, (3,), self._amounts.parse, {})
        if f[4] not in ("S", "F"):
            p.add(where, "status", f"{f[4][:20]!r} is not a status (S paid, F failed)")
        return prev

