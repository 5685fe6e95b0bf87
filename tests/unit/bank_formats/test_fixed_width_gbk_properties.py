"""Fixed-width GBK, by generated examples: round trips, and only FormatError for bad input."""
from __future__ import annotations

import dataclasses
import io
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank_formats.base import FormatError, Problem
from bank_formats.fixed_width_gbk import MAX_SEQ, REASON_TO_CODE
from domain.model import (
    AccountKind,
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)
from tests.unit.bank_formats.test_fixed_width_gbk_support import (
    ALL_FORMATS,
    FMT,
    FMT_LF,
    MAX_AMOUNT,
    SAMPLE_HEADER,
    SAMPLE_RESULT_HEADER,
    golden,
    read_payments,
    read_results,
    write_payments,
    write_results,
)

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies ----------------------------------------------------------------------------

ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
GBK_CHAR = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),  # all of them are in GBK
    ASCII,
    st.sampled_from("·\u3000：（）、，“”《》—…堃喆赟玥旸燚镕昇﨑<"),
)


def gbk_text(width: int, required: bool = False) -> st.SearchStrategy[str]:
    """Texts that fit ``width`` GBK bytes and read back unchanged (no trailing space)."""
    s = st.one_of(st.text(GBK_CHAR, max_size=width // 2), st.text(ASCII, max_size=width))
    s = s.map(lambda t: t.rstrip(" "))
    return s.filter(bool) if required else s


AMOUNT = st.one_of(st.integers(0, MAX_AMOUNT), st.sampled_from([0, 1, 99, MAX_AMOUNT]))
ZONES = [None, timezone.utc, timezone(timedelta(hours=8)),
         timezone(timedelta(hours=-5, minutes=-30)), timezone(timedelta(hours=14))]
DATETIME = st.builds(lambda dt, tz: dt.replace(tzinfo=tz), st.datetimes(), st.sampled_from(ZONES))


def line_for(seq: int) -> st.SearchStrategy[PaymentLine]:
    return st.builds(
        PaymentLine, seq=st.just(seq), name=gbk_text(60, True), id_number=gbk_text(32, True),
        account_no=gbk_text(34, True), amount_fen=AMOUNT,
        account_kind=st.sampled_from(list(AccountKind)), bank_name=gbk_text(60),
        subsidy_item=gbk_text(40), remark=gbk_text(60), phone=gbk_text(20),
        address=gbk_text(120), household_no=gbk_text(32),
    )


@st.composite
def payment_files(draw):
    seqs = sorted(draw(st.sets(st.integers(1, MAX_SEQ), max_size=6)))
    lines = [draw(line_for(seq)) for seq in seqs]
    header = PaymentFileHeader(
        file_id=draw(gbk_text(35, True)), batch_id=draw(gbk_text(35, True)),
        created_at=draw(DATETIME), requested_date=draw(st.dates()),
        payer_name=draw(gbk_text(140, True)), payer_account=draw(gbk_text(34, True)),
        bank_code=draw(gbk_text(35, True)), count=len(lines),
        total_fen=sum(x.amount_fen for x in lines), purpose=draw(gbk_text(280)),
    )
    return header, lines


CODES = st.one_of(st.just(""), st.text(st.sampled_from("0123456789ABCDEZ"), min_size=1,
                                       max_size=4))


@st.composite
def result_record(draw, seq: int) -> ResultRecord:
    if draw(st.booleans()):
        return ResultRecord(seq, PaymentOutcome.PAID, draw(AMOUNT), draw(gbk_text(34)),
                            None, "", draw(gbk_text(100)), draw(gbk_text(35)), draw(gbk_text(60)))
    reason = draw(st.sampled_from([None, *FailureReason]))
    if reason in (None, FailureReason.OTHER):  # any code but the others' and 0000
        code = draw(CODES.filter(lambda c: c == "9999" or c not in (*REASON_TO_CODE.values(),
                                                                    "0000")))
    else:
        code = draw(st.sampled_from(["", REASON_TO_CODE[reason]]))
    return ResultRecord(seq, PaymentOutcome.FAILED, draw(AMOUNT), draw(gbk_text(34)), reason,
                        code, draw(gbk_text(100)), draw(gbk_text(35)), draw(gbk_text(60)))


@st.composite
def result_files(draw):
    seqs = sorted(draw(st.sets(st.integers(1, MAX_SEQ), max_size=6)))
    records = [draw(result_record(seq)) for seq in seqs]
    paid = [r.amount_fen for r in records if r.outcome == PaymentOutcome.PAID]
    failed = [r.amount_fen for r in records if r.outcome == PaymentOutcome.FAILED]
    header = ResultFileHeader(
        file_id=draw(gbk_text(35, True)), original_file_id=draw(gbk_text(35, True)),
        batch_id=draw(gbk_text(35, True)), created_at=draw(DATETIME), count=len(records),
        paid_count=len(paid), paid_fen=sum(paid), failed_count=len(failed),
        failed_fen=sum(failed),
    )
    return header, records


def as_read(rec: ResultRecord) -> ResultRecord:
    """What the reader returns for a record the writer wrote."""
    if rec.outcome == PaymentOutcome.PAID:
        return rec
    reason = rec.reason or FailureReason.OTHER
    return dataclasses.replace(rec, reason=reason, bank_code=rec.bank_code
                               or REASON_TO_CODE[reason])


def to_the_second(value: datetime) -> datetime:
    return value.replace(microsecond=0)


# --- round trips ---------------------------------------------------------------------------


@SETTINGS
@given(payment_files(), st.sampled_from(ALL_FORMATS))
def test_payment_files_round_trip(case, fmt):
    header, lines = case
    got_header, got = read_payments(fmt, write_payments(fmt, header, lines))
    assert got_header == dataclasses.replace(header, created_at=to_the_second(header.created_at))
    assert got == lines


@SETTINGS
@given(result_files(), st.sampled_from(ALL_FORMATS))
def test_result_files_round_trip(case, fmt):
    header, records = case
    got_header, got = read_results(fmt, write_results(fmt, header, records))
    assert got_header == dataclasses.replace(header, created_at=to_the_second(header.created_at))
    assert got == [as_read(r) for r in records]


ANY_TEXT = st.one_of(st.text(max_size=70), gbk_text(70))
ANY_INT = st.one_of(st.integers(-3, 10**16), st.sampled_from([MAX_AMOUNT, MAX_SEQ]))


@SETTINGS
@given(st.lists(st.builds(
    PaymentLine, seq=ANY_INT, name=ANY_TEXT, id_number=ANY_TEXT, account_no=ANY_TEXT,
    amount_fen=ANY_INT, account_kind=st.sampled_from([*AccountKind, "CARD", "X"]),
    bank_name=ANY_TEXT, subsidy_item=ANY_TEXT, remark=ANY_TEXT, phone=ANY_TEXT,
    address=ANY_TEXT, household_no=ANY_TEXT), max_size=4), st.sampled_from(ALL_FORMATS))
def test_whatever_a_payment_writer_accepts_reads_back_unchanged(lines, fmt):
    header = dataclasses.replace(SAMPLE_HEADER, count=len(lines),
                                 total_fen=sum(x.amount_fen for x in lines))
    try:
        data = write_payments(fmt, header, lines)
    except FormatError as exc:
        assert exc.problems
        return
    assert read_payments(fmt, data) == (header, lines)


@SETTINGS
@given(st.lists(st.builds(
    ResultRecord, seq=ANY_INT, outcome=st.sampled_from([*PaymentOutcome, "PAID", "LOST"]),
    amount_fen=ANY_INT, account_no=ANY_TEXT, reason=st.sampled_from([None, *FailureReason]),
    bank_code=st.one_of(CODES, st.text(max_size=6)), bank_text=ANY_TEXT, bank_ref=ANY_TEXT,
    name=ANY_TEXT), max_size=4),
    st.sampled_from(ALL_FORMATS))
def test_whatever_a_result_writer_accepts_reads_back(records, fmt):
    paid = [r.amount_fen for r in records if r.outcome == PaymentOutcome.PAID]
    failed = [r.amount_fen for r in records if r.outcome != PaymentOutcome.PAID]
    header = dataclasses.replace(SAMPLE_RESULT_HEADER, count=len(records), paid_count=len(paid),
                                 paid_fen=sum(paid), failed_count=len(failed),
                                 failed_fen=sum(failed))
    try:
        data = write_results(fmt, header, records)
    except FormatError as exc:
        assert exc.problems
        return
    assert read_results(fmt, data) == (header, [as_read(r) for r in records])


# --- robustness: bad input raises FormatError and nothing else --------------------------------

VALID = {"payments": golden("payments_valid.txt"), "results": golden("results_valid.txt")}
FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def consume(fmt, kind: str, data: bytes) -> FormatError | None:
    """Reads ``data`` to the end; the FormatError raised, or None when it was read cleanly."""
    read = fmt.read_payments if kind == "payments" else fmt.read_results
    try:
        reader = read(io.BytesIO(data), "fuzz.txt")
        assert reader.header is not None
        for _ in reader:
            pass
    except FormatError as exc:
        assert exc.problems, "a FormatError lists its problems"
        for p in exc.problems:
            assert isinstance(p.where, str) and isinstance(p.field, str) and p.message
            assert not p.message.startswith("unexpected "), p  # the readers' safety net
        return exc
    return None


def every_reader(data: bytes) -> None:
    for fmt in ALL_FORMATS:
        for kind in ("payments", "results"):
            consume(fmt, kind, data)  # anything but FormatError fails the test


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    every_reader(data)


@FUZZ
@given(st.sampled_from([VALID["payments"][:616], VALID["results"][:192], b"H", b"D",
                        VALID["payments"][:617], VALID["results"][:193]]),
       st.binary(max_size=800))
def test_random_bytes_after_a_real_header(start, rest):
    every_reader(start + rest)


@st.composite
def mutations(draw, data: bytes):
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "delete", "insert", "truncate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[i] = draw(st.sampled_from(b"\r\n\t\x00\x7f\x80\xff\xa1 0-+9.DHXZ"))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 20))]
        elif op == "insert":
            data[i:i] = draw(st.sampled_from([b"\r\n", b"\n", b"\r", b"\x80", b"\xd5", b"D",
                                              b"H", b" ", b"9", b"0" * 10, b"\xa1\xa4"]))
        else:
            del data[i:]
    return bytes(data)


@FUZZ
@given(st.sampled_from(sorted(VALID)).flatmap(
    lambda kind: st.tuples(st.just(kind), mutations(VALID[kind]))))
def test_mutated_real_files(case):
    kind, data = case
    for fmt in ALL_FORMATS:
        consume(fmt, kind, data)
    consume(FMT_LF, kind, data.replace(b"\r\n", b"\n"))


@pytest.mark.parametrize("kind", sorted(VALID))
def test_every_truncation_is_reported(kind):
    data = VALID[kind]
    for cut in range(len(data)):
        assert consume(FMT, kind, data[:cut]) is not None, cut
    assert consume(FMT, kind, data) is None


def test_a_file_of_the_other_kind_is_refused():
    for fmt in ALL_FORMATS:
        assert consume(fmt, "payments", VALID["results"]) is not None
        assert consume(fmt, "results", VALID["payments"]) is not None


def _big_result_file(n: int) -> bytes:
    records = [ResultRecord(i, PaymentOutcome.PAID, 100, f"62220{i:014d}") for i in range(1, n + 1)]
    header = dataclasses.replace(SAMPLE_RESULT_HEADER, count=n, paid_count=n, paid_fen=100 * n,
                                 failed_count=0, failed_fen=0)
    return write_results(FMT, header, records)


class _DroppedConnection(io.BytesIO):
    """Gives a few pieces of the file, then fails as a dropped SFTP connection would."""

    def __init__(self, data: bytes, pieces: int) -> None:
        super().__init__(data)
        self.pieces = pieces

    def read(self, size=-1):
        self.pieces -= 1
        if self.pieces < 0:
            raise ConnectionResetError("connection dropped")
        return super().read(size)


@pytest.mark.parametrize("pieces", [0, 1, 2])
def test_read_errors_are_not_format_errors(pieces):
    data = _big_result_file(4000)  # more than two pieces of 256 KiB
    assert consume(FMT, "results", data) is None
    with pytest.raises(ConnectionResetError):
        list(FMT.read_results(_DroppedConnection(data, pieces)))


def test_a_source_that_is_not_binary_is_a_format_error():
    with pytest.raises(FormatError) as info:
        FMT.read_results(io.StringIO("H" * 10))  # type: ignore[arg-type]
    assert info.value.problems == [
        Problem("file", "file", "cannot be read: read() returned str, not bytes")]


class _Sink:
    """A binary output that keeps only how much was written to it."""

    size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def test_writers_and_readers_run_in_constant_memory():
    n = 6_000
    lines = (PaymentLine(i, "测试" + str(i % 100), f"4101{i:014d}", f"6222{i:015d}", 100,
                         bank_name="某县农村商业银行营业部", address=f"某镇{i}号")
             for i in range(1, n + 1))
    header = dataclasses.replace(SAMPLE_HEADER, count=n, total_fen=100 * n)
    tracemalloc.start()
    try:
        sink = _Sink()
        FMT.write_payments(sink, header, lines)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size > 2_900_000 and peak < 1_000_000, peak
    data = _big_result_file(30_000)  # 5 MB
    src = io.BytesIO(data)
    tracemalloc.start()
    try:
        count = sum(1 for _ in FMT.read_results(src))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000 and peak < 2_000_000, peak
