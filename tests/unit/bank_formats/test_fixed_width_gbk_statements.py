"""Fixed-width GBK statements (对账单): layout, golden files, writer and reader checks."""
from __future__ import annotations

import dataclasses
import io
import tracemalloc
from datetime import date, datetime

import pytest

from bank_formats import fixed_width_gbk as fw
from bank_formats.base import FormatError, Problem
from domain.model import EntrySide, StatementEntry
from tests.unit.bank_formats.test_fixed_width_gbk_support import (
    ALL_FORMATS,
    FMT,
    FMT_YUAN,
    SAMPLE_ENTRIES,
    SAMPLE_STATEMENT_HEADER,
    golden,
    problems_of,
    read_statement,
    write_statement,
)

HEADER = SAMPLE_STATEMENT_HEADER
ENTRIES = list(SAMPLE_ENTRIES)


def statement_for(entries, **changes):
    """The sample header restated for ``entries`` (opening balance kept), then ``changes``."""
    credit = sum(e.amount_fen for e in entries if e.side == EntrySide.CREDIT)
    debit = sum(e.amount_fen for e in entries if e.side == EntrySide.DEBIT)
    header = dataclasses.replace(
        HEADER, count=len(entries), credit_fen=credit, debit_fen=debit,
        closing_balance_fen=HEADER.opening_balance_fen + credit - debit)
    return dataclasses.replace(header, **changes)


def entry(seq: int, **changes) -> StatementEntry:
    return dataclasses.replace(ENTRIES[1], seq=seq, **changes)


def write_problems(header, entries, fmt=FMT) -> list[Problem]:
    return problems_of(fmt.write_statement, io.BytesIO(), header, entries)


def read_problems(data: bytes, fmt=FMT) -> list[Problem]:
    return problems_of(read_statement, fmt, data)


# --- layout --------------------------------------------------------------------------------


def test_the_docstring_shows_the_statement_layouts():
    for layout, length in ((fw.STATEMENT_HEADER, 193), (fw.STATEMENT_DETAIL, 389)):
        assert layout.length == length == layout.struct.size
        for row in layout.describe().splitlines():
            assert "    " + row + "\n" in fw.__doc__, row
        assert f"{length} bytes::" in fw.__doc__


def test_statement_records_are_laid_out_byte_by_byte():
    head, first, second = golden("statement_valid.txt").split(b"\r\n")[:3]
    assert head[:36] == b"H" + b"DZD-20261106-0001".ljust(35)
    assert head[36:71] == b"410098765432109876543".ljust(35)
    assert head[71:90] == b"20261106200000+0800"
    assert head[90:106] == b"2026110520261106"
    assert head[106:144] == b"-000000000000012345" * 2
    assert head[144:154] == b"0000000004"
    assert head[154:190] == b"000000010000000000" * 2
    assert head[190:] == b"CNY"
    assert first[:35] == b"D0000000001C00001000000000020261105"
    assert first[105:115] == b" " * 10  # funding is for no one line
    assert second[:35] == b"D0000000002D00000000012345620261106"
    assert second[105:115] == b"0000000001"
    assert second[115:135] == "艾力·买买提".encode("gbk").ljust(20)


# --- golden files --------------------------------------------------------------------------


def test_the_golden_statement_is_what_the_writer_writes():
    assert write_statement(FMT, HEADER, ENTRIES) == golden("statement_valid.txt")
    assert write_statement(FMT_YUAN, HEADER, ENTRIES) == golden("statement_yuan_valid.txt")


@pytest.mark.parametrize("fmt, name", [(FMT, "statement_valid.txt"),
                                       (FMT_YUAN, "statement_yuan_valid.txt")])
def test_the_golden_statement_reads_back_field_by_field(fmt, name):
    header, entries = read_statement(fmt, golden(name))
    assert header == HEADER
    assert entries == ENTRIES
    assert [e.line_seq for e in entries] == [None, 1, 3, None]
    assert entries[2].remark == "" and entries[3].counterparty_account == ""


def test_bad_statement_records_are_all_reported():
    assert read_problems(golden("statement_bad_records.txt")) == [
        Problem("line 2", "side", "'X' is not a side (C or D)"),
        Problem("line 3", "amount_fen", "0 is less than 1"),
        Problem("line 4", "line_seq", "'00000000x3' is not a number (10 digits)"),
        Problem("line 5", "booking_date", "'20261131' is not a valid date"),
    ]


def test_entries_that_do_not_add_up_to_the_header():
    assert read_problems(golden("statement_sums_mismatch.txt")) == [
        Problem("line 1", "debit_fen",
                "header says 10000000000 fen debited, the entries give 10000000001"),
    ]


def test_a_header_that_does_not_balance_is_refused_at_once():
    with pytest.raises(FormatError) as info:
        FMT.read_statement(io.BytesIO(golden("statement_unbalanced.txt")), "s.txt")
    assert info.value.problems == [
        Problem("line 1", "closing_balance_fen", "closing balance -12344 is not opening -12345 "
                                                 "+ credit 10000000000 - debit 10000000000 = "
                                                 "-12345"),
    ]


def test_a_cut_statement_is_reported_and_yields_the_entries_before_the_cut():
    reader = FMT.read_statement(io.BytesIO(golden("statement_truncated.txt")), "s.txt")
    got = []
    with pytest.raises(FormatError) as info:
        for e in reader:
            got.append(e)
    assert got == ENTRIES[:3]
    assert info.value.problems == [
        Problem("line 5", "record",
                "the file ends in the middle of a record (100 of 389 bytes): it is cut short"),
    ]


def test_a_statement_cut_after_a_record_is_caught_by_the_count():
    data = golden("statement_valid.txt")
    cut = data[: data.index(b"\r\nD0000000004") + 2]
    assert read_problems(cut) == [Problem("line 1", "count",
                                          "header says 4 entries, the file has 3")]


def test_files_of_the_other_kinds_are_refused():
    assert read_problems(golden("results_valid.txt")) == [
        Problem("line 1", "record", "the record is 191 bytes long; a statement header record "
                                    "is 193")]
    assert problems_of(FMT.read_results, io.BytesIO(golden("statement_valid.txt"))) == [
        Problem("line 1", "record", "the record is 193 bytes long; a result file header "
                                    "record is 191")]


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [*ALL_FORMATS, FMT_YUAN], ids=repr)
def test_statement_round_trip_every_field(fmt):
    assert read_statement(fmt, write_statement(fmt, HEADER, ENTRIES)) == (HEADER, ENTRIES)


def test_an_empty_statement_and_balances_of_every_sign():
    for opening in (0, -1, 1, -fw.MAX_AMOUNT * 1000):
        header = statement_for([], opening_balance_fen=opening, closing_balance_fen=opening)
        data = write_statement(FMT, header, [])
        assert read_statement(FMT, data) == (header, [])
    assert data[106:125] == b"-999999999999999000"
    zero = write_statement(FMT, statement_for([], opening_balance_fen=0, closing_balance_fen=0),
                           [])
    assert zero[106:125] == b"+" + b"0" * 18


def test_the_largest_amounts_and_widest_texts_fit():
    wide = entry(1, side=EntrySide.CREDIT, amount_fen=fw.MAX_AMOUNT, reference="R" * 35,
                 batch_id="镕" * 17 + "B", line_seq=fw.MAX_SEQ, counterparty_name="·" * 70,
                 counterparty_account="6" * 34, remark="﨑" * 50)
    header = statement_for([wide])
    assert read_statement(FMT, write_statement(FMT, header, [wide])) == (header, [wide])


def test_a_negative_zero_balance_is_not_read():
    data = bytearray(write_statement(FMT, statement_for([], opening_balance_fen=0,
                                                        closing_balance_fen=0), []))
    data[106] = ord("-")
    assert read_problems(bytes(data)) == [
        Problem("line 1", "opening_balance_fen", "'-000000000000000000': zero is written with +")]


def test_header_fields_are_read_carefully():
    data = bytearray(golden("statement_valid.txt"))
    data[106:107] = b"*"  # opening balance without a sign
    data[190:193] = b"cny"
    assert read_problems(bytes(data)) == [
        Problem("line 1", "opening_balance_fen", "'*000000000000012345' is not a signed "
                                                 "amount (+ or -, 18 digits)"),
        Problem("line 1", "currency", "'cny' is not a currency code (three capital letters, "
                                      "ISO 4217)"),
    ]


def test_seqs_are_positions():
    data = golden("statement_valid.txt").split(b"\r\n")
    data[2], data[3] = data[3], data[2]  # two entries swapped
    assert read_problems(b"\r\n".join(data)) == [
        Problem("line 3", "seq", "seq 3 is not the record's position 2: seqs count the "
                                 "entries from 1"),
        Problem("line 4", "seq", "seq 2 is not the record's position 3: seqs count the "
                                 "entries from 1"),
    ]


# --- the writer's checks ---------------------------------------------------------------------


def test_the_writer_checks_the_header_balances():
    header = dataclasses.replace(HEADER, closing_balance_fen=0, to_date=date(2026, 11, 4))
    out = io.BytesIO()
    assert problems_of(FMT.write_statement, out, header, ENTRIES) == [
        Problem("line 1", "closing_balance_fen", "closing balance 0 is not opening -12345 + "
                                                 "credit 10000000000 - debit 10000000000 = "
                                                 "-12345"),
        Problem("line 1", "to_date", "2026-11-04 is before from_date 2026-11-05"),
    ]
    assert out.getvalue()[:1] != b"H"  # no header record for a header that is wrong


def test_the_writer_checks_count_and_sums_and_computes_nothing():
    assert write_problems(dataclasses.replace(HEADER, count=5, credit_fen=HEADER.credit_fen + 1,
                                              closing_balance_fen=HEADER.closing_balance_fen + 1),
                          ENTRIES) == [
        Problem("line 1", "count", "header says 5 entries, the entries give 4"),
        Problem("line 1", "credit_fen", "header says 10000000001 fen credited, the entries "
                                        "give 10000000000"),
    ]


def test_the_writer_checks_every_entry():
    entries = [
        entry(2),  # not its position
        entry(2, amount_fen=0),
        entry(3, side="SIDEWAYS"),
        entry(4, booking_date=datetime(2026, 11, 6)),
        entry(5, line_seq=0),
        entry(6, counterparty_name="王😀"),
        entry(7, reference=""),
        entry(8, remark="x" * 101),
        entry(9, amount_fen=fw.MAX_AMOUNT + 1),
        entry(10, counterparty_account="6222 "),
    ]
    header = statement_for([])
    assert write_problems(header, entries) == [
        Problem("line 2 (seq 2)", "seq", "seq 2 is not the entry's position 1: seqs count the "
                                         "entries from 1"),
        Problem("line 3 (seq 2)", "amount_fen", "0 is not within 1..999999999999999 fen"),
        Problem("line 4 (seq 3)", "side", "unknown side 'SIDEWAYS'"),
        Problem("line 5 (seq 4)", "booking_date", "must be a date, got datetime"),
        Problem("line 6 (seq 5)", "line_seq", "0 is not within 1..9999999999"),
        Problem("line 7 (seq 6)", "counterparty_name",
                "character '😀' (U+1F600) cannot be written in GBK"),
        Problem("line 8 (seq 7)", "reference", "is empty"),
        Problem("line 9 (seq 8)", "remark", "is 101 bytes in GBK; the field holds 100"),
        Problem("line 10 (seq 9)", "amount_fen",
                "1000000000000000 is not within 1..999999999999999 fen"),
        Problem("line 11 (seq 10)", "counterparty_account",
                "ends with a space, which reads back as padding"),
        Problem("line 1", "count", "header says 0 entries, the entries give 10"),
        Problem("line 1", "debit_fen", "header says 0 fen debited, the entries give 864192"),
    ]


def test_sides_given_as_plain_texts_are_written():
    entries = [entry(1, side="DBIT")]
    header = statement_for([entry(1)])
    assert read_statement(FMT, write_statement(FMT, header, entries))[1] == [entry(1)]


def test_header_values_are_checked():
    header = dataclasses.replace(HEADER, statement_id="", currency="RMB1", count=-1,
                                 opening_balance_fen=10**18, created_at=date(2026, 1, 1))
    assert write_problems(header, []) == [
        Problem("line 1", "statement_id", "is empty"),
        Problem("line 1", "created_at", "must be a date and time, got date"),
        Problem("line 1", "opening_balance_fen",
                "1000000000000000000 is not within -999999999999999999..999999999999999999 fen"),
        Problem("line 1", "count", "-1 is not within 0..9999999999"),
        Problem("line 1", "currency", "'RMB1' is not a currency code (three capital letters, "
                                      "ISO 4217)"),
        Problem("line 1", "closing_balance_fen", "closing balance -12345 is not opening "
                                                 "1000000000000000000 + credit 10000000000 - "
                                                 "debit 10000000000 = 1000000000000000000"),
        Problem("line 1", "count", "header says -1 entries, the entries give 0"),
        Problem("line 1", "credit_fen", "header says 10000000000 fen credited, the entries "
                                        "give 0"),
        Problem("line 1", "debit_fen", "header says 10000000000 fen debited, the entries give 0"),
    ]


# --- streaming -----------------------------------------------------------------------------


class _Sink:
    size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def _many(n: int):
    return (StatementEntry(i, EntrySide.DEBIT, 100, date(2026, 11, 6), f"TX{i:010d}", "B1", i,
                           "测试" + str(i % 100), f"6222{i:015d}", "惠民惠农补贴")
            for i in range(1, n + 1))


def test_statements_stream_in_constant_memory():
    n = 12_000  # more than two of the reader's 256 KiB pieces
    header = statement_for([], count=n, debit_fen=100 * n,
                           closing_balance_fen=HEADER.opening_balance_fen - 100 * n)
    tracemalloc.start()
    try:
        sink = _Sink()
        FMT.write_statement(sink, header, _many(n))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size > 4_500_000 and peak < 1_000_000, peak
    out = io.BytesIO()
    FMT.write_statement(out, header, _many(n))
    src = io.BytesIO(out.getvalue())
    tracemalloc.start()
    try:
        count = sum(1 for _ in FMT.read_statement(src))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n and peak < 2_000_000, peak
