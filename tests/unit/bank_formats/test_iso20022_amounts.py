"""Amounts as integer fen, reason codes, date-times: the small pieces the ISO 20022 format uses."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bank_formats.iso20022 import CODE_TO_REASON, REASON_TO_CODE, format_amount, parse_amount
from bank_formats.iso20022._common import (
    MAX_FEN,
    format_datetime,
    parse_count,
    parse_date,
    parse_datetime,
    parse_seq,
    reason_for_code,
)
from domain.model import FailureReason


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (1, "0.01"), (10, "0.10"), (100, "1.00"), (123456, "1234.56"),
     (99_999_999_999, "999999999.99"), (MAX_FEN, "9999999999999999.99")],
)
def test_format_amount(fen, text):
    assert format_amount(fen) == text
    assert parse_amount(text) == fen


@pytest.mark.parametrize("bad", [-1, 1.5, "100", None, True, MAX_FEN + 1])
def test_format_amount_refuses_anything_but_fen(bad):
    with pytest.raises(ValueError):
        format_amount(bad)


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12", 1200), ("12.3", 1230), ("12.30", 1230), ("0.05", 5), ("007.00", 700),
     (" 12.30\n", 1230)],
)
def test_parse_amount_accepts_decimal_with_at_most_two_places(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    "text",
    [None, "", " ", "12.345", "12.300", "-1.00", "+1.00", "1e3", "1,00", "12.", ".5", "１２.00",
     "0x10", "1_000.00", "NaN", "inf", "12.3.4", "١٢٣.00", "12 .30", "99999999999999999.00"],
)
def test_parse_amount_rejects_everything_else(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_amount_round_trip(fen):
    assert parse_amount(format_amount(fen)) == fen


def test_seq_and_count():
    assert parse_seq("1") == 1 and parse_seq("123456789") == 123456789
    for bad in (None, "", "0", "01", "-1", "1.0", "a1", "１", "+1"):
        with pytest.raises(ValueError):
            parse_seq(bad)
    assert parse_count("0") == 0 and parse_count("000123") == 123
    for bad in (None, "", "-1", "1.0", "x", "1234567890123456"):
        with pytest.raises(ValueError):
            parse_count(bad)


def test_datetimes_round_trip_with_offset():
    cst = timezone(timedelta(hours=8))
    for value in (datetime(2026, 11, 5, 9, 30, tzinfo=cst), datetime(2026, 11, 5, 9, 30),
                  datetime(2026, 11, 5, 9, 30, 1, 500, tzinfo=timezone.utc)):
        assert parse_datetime(format_datetime(value)) == value
    utc = timezone.utc
    assert parse_datetime("2026-11-05T09:30:00Z") == datetime(2026, 11, 5, 9, 30, tzinfo=utc)
    for bad in ("2026-11-05", "20261105T093000", "2026-13-05T09:30:00", "yesterday", None):
        with pytest.raises(ValueError):
            parse_datetime(bad)
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=30))))
    assert str(parse_date("2026-11-06")) == "2026-11-06"
    for bad in ("20261106", "2026-02-30", "", None):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_reason_codes():
    assert REASON_TO_CODE[FailureReason.ACCOUNT_NOT_FOUND] == "AC01"
    assert REASON_TO_CODE[FailureReason.NAME_MISMATCH] == "BE01"
    assert REASON_TO_CODE[FailureReason.ACCOUNT_CLOSED] == "AC04"
    assert REASON_TO_CODE[FailureReason.ACCOUNT_FROZEN] == "AC06"
    assert REASON_TO_CODE[FailureReason.ID_MISMATCH] == "BE17"
    assert REASON_TO_CODE[FailureReason.CARD_LOST] == "AC16"
    assert set(REASON_TO_CODE) == set(FailureReason)
    assert all(reason_for_code(code) == reason for code, reason in CODE_TO_REASON.items())
    assert reason_for_code("MS03") == FailureReason.OTHER
    assert reason_for_code("") == FailureReason.OTHER
