"""Property tests of the delimited format: round trips of any values, and only FormatError for
malformed input of any kind (random bytes, mutated golden files)."""
from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bank_formats.base import FormatError
from bank_formats.delimited import DelimitedFormat
from domain.model import (
    AccountKind,
    EntrySide,
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)
from tests.unit.bank_formats.test_delimited_samples import GBK, UTF8, golden

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORMATS = {
    "utf-8": DelimitedFormat(),
    "gbk": DelimitedFormat(encoding="gbk", digest="sm3", line_ending="\r\n"),
    "gb18030": DelimitedFormat(encoding="gb18030", digest="sm3"),
}


def _gbk_characters() -> list[str]:
    out = []
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            continue
        out.append(ch)
    return out


_ANY_CHAR = st.characters(blacklist_categories=("Cs",), blacklist_characters="|\r\n")
_GBK_CHAR = st.one_of(
    st.characters(max_codepoint=0x7F, blacklist_characters="|\r\n"),
    st.sampled_from(_gbk_characters()),
    st.sampled_from("·億東王李张阿卜杜拉买提珺昇喆"),  # 億 and 東 end with the byte of "|"
)


def texts(encoding: str, min_size: int = 0):
    return st.text(_GBK_CHAR if encoding == "gbk" else _ANY_CHAR, min_size=min_size,
                   max_size=20)


amounts = st.integers(0, 10**17)  # six of them add up to less than 10**18
datetimes = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
    timezones=st.one_of(st.none(), st.builds(
        lambda m: timezone(timedelta(minutes=m)), st.integers(-23 * 60 - 59, 23 * 60 + 59))),
).map(lambda d: d.replace(microsecond=0))


@st.composite
def payment_files(draw, encoding: str):
    t = texts(encoding)
    req = texts(encoding, min_size=1)
    n = draw(st.integers(0, 6))
    seqs = sorted(draw(st.sets(st.integers(1, 10**18 - 1), min_size=n, max_size=n)))
    lines = [
        PaymentLine(seq, draw(req), draw(req), draw(req), draw(st.integers(0, 10**16)),
                    draw(st.sampled_from(list(AccountKind))), draw(t), draw(t), draw(t),
                    draw(t), draw(t), draw(t))
        for seq in seqs
    ]
    header = PaymentFileHeader(
        file_id=draw(req), batch_id=draw(req), created_at=draw(datetimes),
        requested_date=draw(st.dates(min_value=date(1, 1, 1))), payer_name=draw(req),
        payer_account=draw(req), bank_code=draw(req), count=n,
        total_fen=sum(x.amount_fen for x in lines), purpose=draw(t),
    )
    return header, lines


@st.composite
def result_files(draw, encoding: str):
    t = texts(encoding)
    n = draw(st.integers(0, 6))
    seqs = sorted(draw(st.sets(st.integers(1, 10**18 - 1), min_size=n, max_size=n)))
    records = []
    for seq in seqs:
        if draw(st.booleans()):
            records.append(ResultRecord(seq, PaymentOutcome.PAID, draw(amounts), draw(t), None,
                                        draw(t), draw(t), draw(t), draw(t)))
        else:
            code = draw(st.one_of(st.sampled_from(["E01", "E02", "E03", "E04", "E05", "E06",
                                                   "E99", ""]), t))
            reason = {"E01": FailureReason.ACCOUNT_NOT_FOUND, "E02": FailureReason.NAME_MISMATCH,
                      "E03": FailureReason.ACCOUNT_CLOSED, "E04": FailureReason.ACCOUNT_FROZEN,
                      "E05": FailureReason.ID_MISMATCH, "E06": FailureReason.CARD_LOST,
                      }.get(code, FailureReason.OTHER)
            records.append(ResultRecord(seq, PaymentOutcome.FAILED, draw(amounts), draw(t),
                                        reason, code, draw(t), draw(t), draw(t)))
    paid = [r.amount_fen for r in records if r.outcome == PaymentOutcome.PAID]
    failed = [r.amount_fen for r in records if r.outcome == PaymentOutcome.FAILED]
    header = ResultFileHeader(
        file_id=draw(texts(encoding, 1)), original_file_id=draw(texts(encoding, 1)),
        batch_id=draw(texts(encoding, 1)), created_at=draw(datetimes), count=n,
        paid_count=len(paid), paid_fen=sum(paid), failed_count=len(failed),
        failed_fen=sum(failed),
    )
    return header, records


MAX_FEN = 10**18 - 1
# names as they come: with the middle dot of transliterated names, characters outside GB2312
# (珺 昇 喆), GBK characters whose second byte is that of "|" (億 東), and for UTF-8 and GB18030
# characters outside GBK altogether (CJK Extension B)
_NAMES = {"gbk": ["阿卜杜拉·买买提", "李珺昇", "喆·艾力", "王億", "東方·明"],
          "other": ["阿卜杜拉·买买提", "𠮷田·𪚥", "䶮", "李珺昇", "王億"]}


def names(encoding: str):
    return st.one_of(st.sampled_from(_NAMES["gbk" if encoding == "gbk" else "other"]),
                     texts(encoding))


@st.composite
def statements(draw, encoding: str):
    t = texts(encoding)
    n = draw(st.integers(0, 6))
    seqs = sorted(draw(st.sets(st.integers(1, 10**18 - 1), min_size=n, max_size=n)))
    sides = [draw(st.sampled_from(list(EntrySide))) for _ in seqs]
    first = draw(st.dates())
    last = draw(st.dates(min_value=first))
    entries = []
    for seq, side in zip(seqs, sides):
        # each side's amounts add up to at most MAX_FEN, and one alone may be MAX_FEN
        amount = draw(st.integers(1, MAX_FEN // sides.count(side)))
        line_seq = draw(st.one_of(st.none(), st.integers(1, 10**18 - 1)))
        batch_id = draw(texts(encoding, 1) if line_seq is not None else t)
        entries.append(StatementEntry(
            seq, side, amount, draw(st.dates(min_value=first, max_value=last)),
            draw(texts(encoding, 1)), batch_id, line_seq, draw(names(encoding)), draw(t),
            draw(t)))
    credit = sum(e.amount_fen for e in entries if e.side == EntrySide.CREDIT)
    debit = sum(e.amount_fen for e in entries if e.side == EntrySide.DEBIT)
    # negative balances too; the closing balance stays within the format's range
    opening = draw(st.integers(max(-MAX_FEN, -MAX_FEN - credit + debit),
                               min(MAX_FEN, MAX_FEN - credit + debit)))
    header = StatementHeader(
        statement_id=draw(texts(encoding, 1)), account=draw(texts(encoding, 1)),
        created_at=draw(datetimes), from_date=first, to_date=last, opening_balance_fen=opening,
        closing_balance_fen=opening + credit - debit, count=n, credit_fen=credit,
        debit_fen=debit, currency=draw(st.sampled_from(["CNY", "USD", "HKD"])),
    )
    return header, entries


STATEMENT_FORMATS = {
    "utf-8-fen": DelimitedFormat(),
    "gbk-yuan": DelimitedFormat(encoding="gbk", digest="sm3", line_ending="\r\n",
                                amount_style="yuan"),
    "gb18030-yuan": DelimitedFormat(encoding="gb18030", amount_style="yuan"),
}


@pytest.mark.parametrize("config", sorted(STATEMENT_FORMATS))
@SETTINGS
@given(data=st.data())
def test_statement_round_trip(config, data):
    fmt = STATEMENT_FORMATS[config]
    header, entries = data.draw(statements(fmt.encoding))
    out = io.BytesIO()
    written = fmt.write_statement(out, header, entries)
    assert (written.count, written.total_fen) == (len(entries),
                                                  header.credit_fen + header.debit_fen)
    reader = fmt.read_statement(io.BytesIO(out.getvalue()))
    assert reader.header == header
    assert list(reader) == entries
    assert fmt.detect(out.getvalue()[:4096]) == "statement"


def _round_trip_payments(fmt, header, lines):
    out = io.BytesIO()
    fmt.write_payments(out, header, lines)
    reader = fmt.read_payments(io.BytesIO(out.getvalue()))
    assert reader.header == header
    assert list(reader) == lines


def _round_trip_results(fmt, header, records):
    out = io.BytesIO()
    fmt.write_results(out, header, records)
    reader = fmt.read_results(io.BytesIO(out.getvalue()))
    assert reader.header == header
    got = list(reader)
    # a failed record without a code is written with its reason's code
    assert got == [r if r.bank_code or r.outcome == PaymentOutcome.PAID
                   else dataclasses.replace(r, bank_code="E99") for r in records]


@pytest.mark.parametrize("encoding", sorted(FORMATS))
@SETTINGS
@given(data=st.data())
def test_payment_round_trip(encoding, data):
    header, lines = data.draw(payment_files(encoding))
    _round_trip_payments(FORMATS[encoding], header, lines)


@pytest.mark.parametrize("encoding", sorted(FORMATS))
@SETTINGS
@given(data=st.data())
def test_result_round_trip(encoding, data):
    header, records = data.draw(result_files(encoding))
    _round_trip_results(FORMATS[encoding], header, records)


_LINE_FIELDS = ("name", "id_number", "account_no", "bank_name", "subsidy_item", "remark",
                "phone", "address", "household_no")


@SETTINGS
@given(payment_files("utf-8").filter(lambda f: f[1]), st.data())
def test_separator_or_line_break_in_any_field_is_refused(file, data):
    header, lines = file
    i = data.draw(st.integers(0, len(lines) - 1))
    field = data.draw(st.sampled_from(_LINE_FIELDS))
    bad = data.draw(st.sampled_from(["|", "\r", "\n", "\r\n"]))
    value = getattr(lines[i], field)
    at = data.draw(st.integers(0, len(value)))
    kwargs = {f: getattr(lines[i], f) for f in PaymentLine.__slots__}
    kwargs[field] = value[:at] + bad + value[at:]
    lines = list(lines)
    lines[i] = PaymentLine(**kwargs)
    with pytest.raises(FormatError) as info:
        UTF8.write_payments(io.BytesIO(), header, lines)
    [problem] = info.value.problems
    assert (problem.where, problem.field) == (f"line {i + 2}", field)
    assert problem.message.startswith(f"seq {lines[i].seq}: contains ")


# --- robustness: only FormatError -----------------------------------------------------------

READERS = [UTF8, GBK, DelimitedFormat(encoding="gb18030", amount_style="yuan")]
VALID = [golden(n) for n in ("payments_utf8.txt", "results_utf8.txt", "payments_gbk.txt",
                             "results_gbk.txt", "statement_utf8.txt", "statement_gbk.txt")]


KINDS = ("payments", "results", "statement")


def consume(fmt, kind: str, data: bytes) -> FormatError | None:
    read = {"payments": fmt.read_payments, "results": fmt.read_results,
            "statement": fmt.read_statement}[kind]
    try:
        reader = read(io.BytesIO(data), "fuzz.txt")
        assert reader.header is not None
        for _ in reader:
            pass
    except FormatError as exc:
        assert exc.problems, "a FormatError lists its problems"
        for p in exc.problems:
            assert isinstance(p.where, str) and isinstance(p.field, str) and p.message
            assert not p.message.startswith("unexpected "), p  # the reader's safety net
        return exc
    return None


def all_readers(data: bytes) -> None:
    for fmt in READERS:
        for kind in KINDS:
            consume(fmt, kind, data)  # anything but FormatError fails the test
        assert fmt.detect(data[:4096]) in (None, *KINDS)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    all_readers(data)


@SETTINGS
@given(st.sampled_from([b"H|", b"S|SHA256|", b"S|SM3|", b"D|1|", b"\xef\xbb\xbfH|", b"\n",
                        b"\r\n"]),
       st.binary(max_size=400))
def test_random_bytes_after_a_plausible_start(start, rest):
    all_readers(start + rest)


@st.composite
def mutations(draw, data: bytes):
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "set", "delete", "insert", "truncate"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[i] = draw(st.sampled_from(b"|\n\r0-.xDHS \x00\xff\x80"))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 20))]
        elif op == "insert":
            data[i:i] = draw(st.sampled_from([b"|", b"\n", b"\r\n", b"S|SHA256|", b"H|",
                                              b"D|9|", b"\xe4", b"\x81\x7f", b"9" * 20]))
        else:
            del data[i:]
    return bytes(data)


@SETTINGS
@given(st.sampled_from(range(len(VALID))).flatmap(lambda i: mutations(VALID[i])))
def test_mutated_golden_files(data):
    all_readers(data)


@SETTINGS
@given(st.sampled_from(range(len(VALID))).flatmap(lambda i: mutations(VALID[i])))
@example(VALID[3][:-1])  # the digest line ends in a lone CR: read cleanly, found by hypothesis
def test_a_mutation_that_reads_cleanly_keeps_the_digest_right(data):
    """Any change to the bytes before the digest line is caught (unless it is only a line ending
    turned from CRLF to LF, the digest's letters changed case or the digest line's ending cut,
    wholly or after its CR, which the reader allows)."""
    for fmt, kind, original in ((UTF8, "payments", VALID[0]), (UTF8, "results", VALID[1]),
                                (GBK, "payments", VALID[2]), (GBK, "results", VALID[3]),
                                (UTF8, "statement", VALID[4]), (GBK, "statement", VALID[5])):
        if consume(fmt, kind, data) is None:
            assert data.replace(b"\r\n", b"\n").lower().rstrip(b"\r\n") == (
                original.replace(b"\r\n", b"\n").lower().rstrip(b"\n"))
