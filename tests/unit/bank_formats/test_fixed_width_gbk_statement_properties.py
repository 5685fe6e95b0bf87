"""Fixed-width GBK statements by generated examples: round trips, only FormatError for bad input."""
from __future__ import annotations

import dataclasses
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank_formats.base import FormatError
from bank_formats.fixed_width_gbk import MAX_SEQ
from domain.model import EntrySide, StatementEntry, StatementHeader
from tests.unit.bank_formats.test_fixed_width_gbk_properties import (
    DATETIME,
    gbk_text,
    mutations,
)
from tests.unit.bank_formats.test_fixed_width_gbk_support import (
    ALL_FORMATS,
    FMT,
    FMT_LF,
    FMT_YUAN,
    SAMPLE_STATEMENT_HEADER,
    golden,
    read_statement,
    write_statement,
)

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORMATS = (*ALL_FORMATS, FMT_YUAN)
YUAN_MAX = 10**14 - 1  # the largest amount_fen of 15 bytes in yuan
BALANCE_MAX = 10**17 - 1  # the largest balance of 19 bytes in yuan (sign + 18)

NAME = st.one_of(gbk_text(140), st.sampled_from(["艾力·买买提", "阿卜杜拉·艾则孜", "燚堃喆",
                                                 "王\u3000小明", "﨑镕赟", "·"]))
AMOUNT = st.one_of(st.integers(1, YUAN_MAX), st.sampled_from([1, 99, 100, YUAN_MAX]))


def entry_for(seq: int) -> st.SearchStrategy[StatementEntry]:
    return st.builds(
        StatementEntry, seq=st.just(seq), side=st.sampled_from(list(EntrySide)), amount_fen=AMOUNT,
        booking_date=st.dates(), reference=gbk_text(35, True), batch_id=gbk_text(35),
        line_seq=st.one_of(st.none(), st.integers(1, MAX_SEQ)), counterparty_name=NAME,
        counterparty_account=gbk_text(34), remark=gbk_text(100),
    )


@st.composite
def statements(draw):
    """A statement that balances, with amounts that fit in both amount styles."""
    n = draw(st.integers(0, 6))
    entries = [draw(entry_for(seq)) for seq in range(1, n + 1)]
    credit = sum(e.amount_fen for e in entries if e.side == EntrySide.CREDIT)
    debit = sum(e.amount_fen for e in entries if e.side == EntrySide.DEBIT)
    low = max(-BALANCE_MAX, -BALANCE_MAX - credit + debit)
    high = min(BALANCE_MAX, BALANCE_MAX - credit + debit)
    opening = draw(st.one_of(st.integers(low, high), st.sampled_from([0, low, high])))
    start = draw(st.dates())
    header = StatementHeader(
        statement_id=draw(gbk_text(35, True)), account=draw(gbk_text(35, True)),
        created_at=draw(DATETIME), from_date=start,
        to_date=draw(st.dates(min_value=start)), opening_balance_fen=opening,
        closing_balance_fen=opening + credit - debit, count=n, credit_fen=credit,
        debit_fen=debit, currency=draw(st.sampled_from(["CNY", "USD", "HKD"])),
    )
    return header, entries


@SETTINGS
@given(statements(), st.sampled_from(FORMATS))
def test_statements_round_trip(case, fmt):
    header, entries = case
    got_header, got = read_statement(fmt, write_statement(fmt, header, entries))
    assert got_header == dataclasses.replace(
        header, created_at=header.created_at.replace(microsecond=0))
    assert got == entries


ANY_TEXT = st.one_of(st.text(max_size=40), gbk_text(40))
ANY_INT = st.one_of(st.integers(-3, 10**16), st.none())


@SETTINGS
@given(st.lists(st.builds(
    StatementEntry, seq=st.integers(0, 5), side=st.sampled_from([*EntrySide, "CRDT", "X", None]),
    amount_fen=ANY_INT, booking_date=st.one_of(st.dates(), st.datetimes(), st.none()),
    reference=ANY_TEXT, batch_id=ANY_TEXT, line_seq=ANY_INT, counterparty_name=ANY_TEXT,
    counterparty_account=ANY_TEXT, remark=ANY_TEXT), max_size=4), st.sampled_from(FORMATS))
def test_whatever_the_writer_accepts_reads_back_unchanged(entries, fmt):
    sums = {side: sum(e.amount_fen for e in entries
                      if e.side == side and isinstance(e.amount_fen, int)) for side in EntrySide}
    header = dataclasses.replace(
        SAMPLE_STATEMENT_HEADER, count=len(entries), credit_fen=sums[EntrySide.CREDIT],
        debit_fen=sums[EntrySide.DEBIT], closing_balance_fen=SAMPLE_STATEMENT_HEADER
        .opening_balance_fen + sums[EntrySide.CREDIT] - sums[EntrySide.DEBIT])
    try:
        data = write_statement(fmt, header, entries)
    except FormatError as exc:
        assert exc.problems
        return
    assert read_statement(fmt, data) == (header, entries)


# --- robustness ----------------------------------------------------------------------------

VALID = golden("statement_valid.txt")


def consume(fmt, data: bytes) -> FormatError | None:
    """Reads ``data`` to the end; the FormatError raised, or None when it was read cleanly."""
    try:
        reader = fmt.read_statement(io.BytesIO(data), "fuzz.txt")
        assert reader.header is not None
        for _ in reader:
            pass
    except FormatError as exc:
        assert exc.problems
        for p in exc.problems:
            assert isinstance(p.where, str) and isinstance(p.field, str) and p.message
            assert not p.message.startswith("unexpected "), p  # the readers' safety net
        return exc
    return None


@FUZZ
@given(st.one_of(st.binary(max_size=1500),
                 st.binary(max_size=800).map(lambda rest: VALID[:195] + rest)))
def test_random_bytes(data):
    for fmt in FORMATS:
        consume(fmt, data)
        assert fmt.detect(data) in (None, "payments", "results", "statement")


@FUZZ
@given(mutations(VALID))
def test_mutated_real_statements(data):
    for fmt in FORMATS:
        consume(fmt, data)
        assert fmt.detect(data) in (None, "payments", "results", "statement")
    consume(FMT_LF, data.replace(b"\r\n", b"\n"))


def test_every_truncation_is_reported():
    for cut in range(len(VALID)):
        assert consume(FMT, VALID[:cut]) is not None, cut
    assert consume(FMT, VALID) is None
