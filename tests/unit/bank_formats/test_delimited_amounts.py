"""The ``amount_style`` option of the delimited format: yuan with two decimals in every amount
field of every kind of file, converted by integer arithmetic only."""
from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank_formats.base import FormatError, Problem
from bank_formats.delimited import DelimitedFormat
from domain.model import PaymentLine, PaymentOutcome, ResultRecord
from tests.unit.bank_formats.test_delimited import header_for, result_header_for
from tests.unit.bank_formats.test_delimited_samples import (
    MAX_FEN,
    SAMPLE_ENTRIES,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    SAMPLE_STATEMENT_HEADER,
    YUAN,
    read_payments,
    read_results,
    read_statement,
    with_digest,
    write_payments,
    write_results,
    write_statement,
)

YUAN_FORMATS = [YUAN, DelimitedFormat(encoding="gbk", digest="sm3", line_ending="\r\n",
                                      amount_style="yuan")]
UNSIGNED = ("is not an amount in yuan (ASCII digits, a point and exactly two decimals, "
            "e.g. 1234.56: no sign, no spaces)")


@pytest.mark.parametrize("fmt", YUAN_FORMATS, ids=["utf-8", "gbk"])
def test_every_kind_round_trips_in_yuan(fmt):
    assert read_payments(fmt, write_payments(fmt)) == (SAMPLE_HEADER, list(SAMPLE_LINES))
    assert read_results(fmt, write_results(fmt)) == (SAMPLE_RESULT_HEADER, list(SAMPLE_RECORDS))
    assert read_statement(fmt, write_statement(fmt)) == (SAMPLE_STATEMENT_HEADER,
                                                         list(SAMPLE_ENTRIES))


def test_every_amount_field_is_written_in_yuan():
    lines = write_payments(YUAN).decode().split("\n")
    assert lines[0].split("|")[7] == "10000001234.56"  # total_fen
    assert [line.split("|")[4] for line in lines[1:5]] == ["1234.56", "9999999999.99", "0.01",
                                                           "0.00"]
    lines = write_results(YUAN).decode().split("\n")
    assert lines[0].split("|")[5:10] == ["4", "1", "1234.56", "3", "10000000000.00"]
    assert [line.split("|")[3] for line in lines[1:5]] == ["1234.56", "9999999999.99", "0.01",
                                                           "0.00"]


def test_amounts_read_back_as_int_fen():
    header, lines = read_payments(YUAN, write_payments(YUAN))
    assert type(header.total_fen) is int
    assert [(type(x.amount_fen), x.amount_fen) for x in lines] == [
        (int, 123456), (int, 999_999_999_999), (int, 1), (int, 0)]


def test_maximum_amounts_in_yuan():
    lines = [PaymentLine(1, "张三", "1", "2", MAX_FEN)]
    header = header_for(lines)
    data = write_payments(YUAN, header, lines)
    assert data.split(b"\n")[1].split(b"|")[4] == b"9999999999999999.99"
    assert read_payments(YUAN, data) == (header, lines)
    records = [ResultRecord(1, PaymentOutcome.PAID, MAX_FEN)]
    rheader = result_header_for(records)
    assert read_results(YUAN, write_results(YUAN, rheader, records)) == (rheader, records)


@pytest.mark.parametrize("text, message", [
    ("1234.5", f"'1234.5' {UNSIGNED}"),
    ("1234", f"'1234' {UNSIGNED}"),
    (".56", f"'.56' {UNSIGNED}"),
    ("1234.567", f"'1234.567' {UNSIGNED}"),
    ("+1.00", f"'+1.00' {UNSIGNED}"),
    ("-1.00", f"'-1.00' {UNSIGNED}"),
    (" 1.00", f"' 1.00' {UNSIGNED}"),
    ("1.00 ", f"'1.00 ' {UNSIGNED}"),
    ("1,234.56", f"'1,234.56' {UNSIGNED}"),
    ("1.2e3", f"'1.2e3' {UNSIGNED}"),
    ("１.00", f"'１.00' {UNSIGNED}"),  # full-width digit: isdigit() but not ASCII
    ("1.0０", f"'1.0０' {UNSIGNED}"),
    ("", "is empty"),
    ("12345678901234567.00", "'12345678901234567.00' has more than 16 digits before the point"),
])
def test_malformed_yuan_amounts_name_line_and_field(text, message):
    body = ("H|P1|B1|a|p|b|2|1.00|2026-11-05T09:30:15|2026-11-06|\n"
            "D|1|62|张三|1.00|1|CARD||||||\n"
            f"D|2|62|张三|{text}|1|CARD||||||\n").encode()
    with pytest.raises(FormatError) as info:
        read_payments(YUAN, with_digest(body))
    assert info.value.problems == [Problem("line 3", "amount_fen", message)]
    body = (f"H|R1|P1|B1|2026-11-06T18:00:00|1|1|{text}|0|0.00\n"
            "D|1|62|1.00|S||\n").encode()
    with pytest.raises(FormatError) as info:
        read_results(YUAN, with_digest(body))
    assert info.value.problems == [Problem("line 1", "paid_fen", message)]


def test_leading_zeros_are_read():
    body = ("H|P1|B1|a|p|b|1|0001.00|2026-11-05T09:30:15|2026-11-06|\n"
            "D|1|62|张三|000.05|1|CARD||||||\n").encode()
    with pytest.raises(FormatError) as info:  # 1.00 stated, 0.05 given
        read_payments(YUAN, with_digest(body))
    assert info.value.problems == [
        Problem("line 1", "total_fen", "header says 100 fen, the lines add up to 5")]


def test_writer_checks_amounts_the_same_in_yuan():
    lines = [replace(SAMPLE_LINES[0], amount_fen=-1)]
    with pytest.raises(FormatError) as info:
        YUAN.write_payments(io.BytesIO(), header_for(lines), lines)
    assert info.value.problems == [
        Problem("line 1", "total_fen", "total_fen -1 is outside 0..999999999999999999"),
        Problem("line 2", "amount_fen", "seq 1: amount_fen -1 is outside 0..999999999999999999")]


@pytest.mark.parametrize("value", ["cents", "YUAN", "", None, 100])
def test_unknown_amount_style_is_a_value_error_naming_the_option(value):
    with pytest.raises(ValueError, match="amount_style"):
        DelimitedFormat(amount_style=value)


def test_amount_style_is_shown():
    assert YUAN.amount_style == "yuan" and DelimitedFormat().amount_style == "fen"
    assert "amount_style='yuan'" in repr(YUAN)


@settings(max_examples=300, deadline=None)
@given(st.integers(-MAX_FEN, MAX_FEN))
def test_yuan_text_is_the_decimal_value(fen):
    amounts = YUAN.options.amounts
    text = amounts.signed_text(fen)
    assert text == f"{Decimal(fen) / 100:.2f}"  # exact: Decimal, never float
    assert amounts.parse_signed(text) == fen
    if fen >= 0:
        assert amounts.text(fen) == text and amounts.parse(text) == fen
