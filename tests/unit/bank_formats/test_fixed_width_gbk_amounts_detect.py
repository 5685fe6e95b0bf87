"""Fixed-width GBK: amounts in yuan (amount_style) for every record kind, and detect()."""
from __future__ import annotations

import dataclasses
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bank_formats
from bank_formats.base import DETECT_BYTES, Problem
from bank_formats.fixed_width_gbk import FixedWidthGbkFormat
from domain.model import PaymentOutcome
from tests.unit.bank_formats.test_fixed_width_gbk_properties import (
    SETTINGS,
    as_read,
    payment_files,
    result_files,
)
from tests.unit.bank_formats.test_fixed_width_gbk_support import (
    FMT,
    FMT_18030,
    FMT_LF,
    FMT_YUAN,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    golden,
    problems_of,
    read_payments,
    read_results,
    write_payments,
    write_results,
)

YUAN_MAX = 10**14 - 1  # 15 bytes: 999999999999.99 yuan
YUAN_SHAPE = "(yuan: 12 digits, a point and 2 digits)"


def test_amount_style_is_an_option_checked_by_name():
    assert FMT.amount_style == "fen" and FMT_YUAN.amount_style == "yuan"
    with pytest.raises(ValueError, match="amount_style"):
        FixedWidthGbkFormat(amount_style="jiao")
    assert bank_formats.get("fixed_width_gbk", amount_style="yuan").amount_style == "yuan"


def _fit(lines):
    """``lines`` with amounts a 15-byte yuan field holds."""
    return [dataclasses.replace(x, amount_fen=x.amount_fen % (YUAN_MAX + 1)) for x in lines]


def test_yuan_amounts_are_laid_out_with_a_point():
    lines = [dataclasses.replace(SAMPLE_LINES[0], amount_fen=123456)]
    header = dataclasses.replace(SAMPLE_HEADER, count=1, total_fen=123456)
    head, first = write_payments(FMT_YUAN, header, lines).split(b"\r\n")[:2]
    assert first[105:120] == b"000000001234.56"
    assert head[290:308] == b"000000000001234.56"
    records = [dataclasses.replace(SAMPLE_RECORDS[0], amount_fen=5)]
    rheader = dataclasses.replace(SAMPLE_RESULT_HEADER, count=1, paid_count=1, paid_fen=5,
                                  failed_count=0, failed_fen=0)
    rhead, rfirst = write_results(FMT_YUAN, rheader, records).split(b"\r\n")[:2]
    assert rfirst[45:60] == b"000000000000.05"
    assert rhead[145:163] == b"000000000000000.05"


@SETTINGS
@given(payment_files())
def test_payment_files_round_trip_in_yuan(case):
    header, lines = case
    lines = _fit(lines)
    header = dataclasses.replace(header, total_fen=sum(x.amount_fen for x in lines),
                                 created_at=header.created_at.replace(microsecond=0))
    assert read_payments(FMT_YUAN, write_payments(FMT_YUAN, header, lines)) == (header, lines)


@SETTINGS
@given(result_files())
def test_result_files_round_trip_in_yuan(case):
    header, records = case
    records = _fit(records)
    paid = [r.amount_fen for r in records if r.outcome == PaymentOutcome.PAID]
    failed = [r.amount_fen for r in records if r.outcome == PaymentOutcome.FAILED]
    header = dataclasses.replace(header, paid_fen=sum(paid), failed_fen=sum(failed),
                                 created_at=header.created_at.replace(microsecond=0))
    assert read_results(FMT_YUAN, write_results(FMT_YUAN, header, records)) == (
        header, [as_read(r) for r in records])


def test_the_largest_yuan_amount_and_one_more():
    line = dataclasses.replace(SAMPLE_LINES[0], amount_fen=YUAN_MAX)
    header = dataclasses.replace(SAMPLE_HEADER, count=1, total_fen=YUAN_MAX)
    assert read_payments(FMT_YUAN, write_payments(FMT_YUAN, header, [line]))[1] == [line]
    over = dataclasses.replace(line, amount_fen=YUAN_MAX + 1)
    header = dataclasses.replace(header, total_fen=YUAN_MAX + 1)
    assert problems_of(FMT_YUAN.write_payments, io.BytesIO(), header, [over]) == [
        Problem("line 2 (seq 1)", "amount_fen", "100000000000000 is not within "
                                                "0..99999999999999 fen"),
        Problem("line 1", "total_fen", "header says 100000000000000 fen, the lines add up to 0"),
    ]


def _spoil(data: bytes, line_no: int, start: int, value: bytes) -> bytes:
    lines = data.split(b"\r\n")
    line = lines[line_no - 1]
    lines[line_no - 1] = line[: start - 1] + value + line[start - 1 + len(value):]
    return b"\r\n".join(lines)


def test_malformed_yuan_amounts_are_reported_with_line_and_field():
    lines = _fit(SAMPLE_LINES)
    header = dataclasses.replace(SAMPLE_HEADER, total_fen=sum(x.amount_fen for x in lines))
    data = write_payments(FMT_YUAN, header, lines)
    bad = _spoil(data, 2, 106, b"0000000012345.6")  # the point in the wrong place
    bad = _spoil(bad, 3, 106, b"000000000123456")  # fen in a yuan file
    bad = _spoil(bad, 4, 106, b"-00000001234.56")
    bad = _spoil(bad, 1, 291, b"000000000001234,56")  # a comma in the header's total
    assert problems_of(read_payments, FMT_YUAN, bad) == [
        Problem("line 1", "total_fen", "'000000000001234,56' is not a number "
                                       "(yuan: 15 digits, a point and 2 digits)"),
    ]
    bad = _spoil(bad, 1, 291, data.split(b"\r\n")[0][290:308])
    assert problems_of(read_payments, FMT_YUAN, bad) == [
        Problem("line 2", "amount_fen", f"'0000000012345.6' is not a number {YUAN_SHAPE}"),
        Problem("line 3", "amount_fen", f"'000000000123456' is not a number {YUAN_SHAPE}"),
        Problem("line 4", "amount_fen", f"'-00000001234.56' is not a number {YUAN_SHAPE}"),
    ]


def test_a_file_in_one_amount_style_is_refused_by_the_other():
    assert problems_of(read_results, FMT, _spoil(golden("results_valid.txt"), 2, 46,
                                                 b"000000001234.56")) == [
        Problem("line 2", "amount_fen", "'000000001234.56' is not a number (15 digits)")]
    problems = problems_of(read_results, FMT_YUAN, golden("results_valid.txt"))
    assert problems[0] == Problem("line 1", "paid_fen", "'000000000000123456' is not a number "
                                                        "(yuan: 15 digits, a point and 2 digits)")


# --- detect ----------------------------------------------------------------------------------

KINDS = {"payments_valid.txt": "payments", "results_valid.txt": "results",
         "statement_valid.txt": "statement", "statement_yuan_valid.txt": "statement"}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_detect_tells_each_kind(name):
    data = golden(name)
    for fmt in (FMT, FMT_18030, FMT_YUAN):
        assert fmt.detect(data[:DETECT_BYTES]) == KINDS[name]
        assert fmt.detect(bytearray(data[:DETECT_BYTES])) == KINDS[name]
    lf = data.replace(b"\r\n", b"\n")
    assert FMT_LF.detect(lf) == KINDS[name]
    assert FMT.detect(lf) is None  # not this format's line ending
    assert FMT_LF.detect(data) is None


def test_detect_a_header_alone_or_cut():
    header = golden("statement_valid.txt").split(b"\r\n")[0]
    assert FMT.detect(header + b"\r\n") == "statement"  # a statement without entries
    assert FMT.detect(header) is None  # the first record is not complete
    assert FMT.detect(header[:100]) is None
    assert FMT.detect(header + b"\r\nX") is None  # what follows is not a detail record
    assert FMT.detect(header.replace(b"H", b"D", 1) + b"\r\n") is None
    assert FMT.detect(header[:50] + b"\t" + header[51:] + b"\r\n") is None
    assert FMT.detect(header[:144] + b"000000000X" + header[154:] + b"\r\n") is None  # count


@pytest.mark.parametrize("head", [b"", b"H", b"<?xml version='1.0'?><Document/>", b"\r\n" * 10,
                                  b"H|B1|F1|3|100\n", "H 中文".encode("gbk"), None, 42, "text"])
def test_detect_answers_none_for_anything_else(head):
    assert FMT.detect(head) is None


@given(st.binary(max_size=DETECT_BYTES))
def test_detect_never_raises(head):
    assert FMT.detect(head) in (None, "payments", "results", "statement")
