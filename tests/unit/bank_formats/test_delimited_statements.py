"""Statements in the delimited format: golden files, round trips, what the writer refuses, what
the reader reports."""
from __future__ import annotations

import hashlib
import io
import tracemalloc
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bank_formats.base import FormatError, Problem
from bank_formats.delimited import DelimitedFormat
from domain.model import EntrySide, StatementEntry
from tests.unit.bank_formats.test_delimited import ALL_CONFIGS, CONFIG_IDS
from tests.unit.bank_formats.test_delimited_samples import (
    CREDIT,
    DEBIT,
    GBK,
    MAX_FEN,
    SAMPLE_ENTRIES,
    SAMPLE_STATEMENT_HEADER,
    UTF8,
    YUAN,
    body_lines,
    golden,
    read_statement,
    with_digest,
    write_statement,
)

HEADER = SAMPLE_STATEMENT_HEADER
ENTRIES = list(SAMPLE_ENTRIES)


def header_for(entries, opening: int = 0, **changes):
    credit = sum(e.amount_fen for e in entries if e.side == CREDIT)
    debit = sum(e.amount_fen for e in entries if e.side == DEBIT)
    return replace(HEADER, count=len(entries), credit_fen=credit, debit_fen=debit,
                   opening_balance_fen=opening, closing_balance_fen=opening + credit - debit,
                   **changes)


def entry(seq: int, side=DEBIT, amount: int = 100, **changes) -> StatementEntry:
    return replace(StatementEntry(seq, side, amount, date(2026, 11, 6), f"R{seq}"), **changes)


def write_problems(fmt, header, entries) -> list[Problem]:
    out = io.BytesIO()
    with pytest.raises(FormatError) as info:
        fmt.write_statement(out, header, entries)
    assert b"S|" not in out.getvalue()  # no digest line: the output never passes as complete
    return info.value.problems


def read_problems(fmt, data: bytes) -> list[Problem]:
    with pytest.raises(FormatError) as info:
        read_statement(fmt, data, "s.txt")
    assert info.value.file == "s.txt"
    return info.value.problems


# --- golden files ----------------------------------------------------------------------------


def test_golden_files_are_what_the_writer_writes():
    assert write_statement(UTF8) == golden("statement_utf8.txt")
    assert write_statement(GBK) == golden("statement_gbk.txt")
    assert write_statement(YUAN) == golden("statement_yuan.txt")


def test_golden_layout():
    lines = golden("statement_utf8.txt").decode("utf-8").split("\n")
    assert lines[0] == ("H|ST-1234567890123456789-202611|1234567890123456789|"
                        "2026-12-01T06:00:00+08:00|2026-11-01|2026-11-30|-250|754|7|"
                        "2000000123460|2000000122456|CNY")
    assert lines[1] == ("D|1|C|1000000123456|2026-11-05|CR20261105000001|B20261105A1B2C3D4||"
                        "某县财政局|1234567890123456789|拨付 耕地地力保护补贴")
    assert lines[2] == ("D|2|D|123456|2026-11-06|DR20261106000001|B20261105A1B2C3D4|1|"
                        "阿卜杜拉·买买提|6228480012345678901|")
    assert lines[7] == "D|8|C|5|2026-11-30|INT20261130|||||利息"
    assert lines[8].startswith("S|SHA256|") and len(lines[8]) == 9 + 64 and lines[9] == ""
    lines = golden("statement_gbk.txt").decode("gbk").split("\r\n")
    assert lines[3] == ("D|3|D|999999999999|2026-11-06|DR20261106000002|B20261105A1B2C3D4|2|"
                        "王億|6222020200012345678|")
    assert lines[8].startswith("S|SM3|") and len(lines[8]) == 6 + 64 and lines[9] == ""
    lines = golden("statement_yuan.txt").decode("utf-8").split("\n")
    assert lines[0].split("|")[6:11] == ["-2.50", "7.54", "7", "20000001234.60",
                                         "20000001224.56"]
    assert [line.split("|")[3] for line in lines[1:8]] == [
        "10000001234.56", "1234.56", "9999999999.99", "0.01", "9999999999.99", "9999999990.00",
        "0.05"]


@pytest.mark.parametrize("fmt, name", [(UTF8, "statement_utf8.txt"), (GBK, "statement_gbk.txt"),
                                       (YUAN, "statement_yuan.txt")])
def test_valid_statements(fmt, name):
    header, entries = read_statement(fmt, golden(name))
    assert header == HEADER
    assert entries == ENTRIES
    assert [type(e.side) for e in entries] == [EntrySide] * len(ENTRIES)
    assert [e.line_seq for e in entries] == [None, 1, 2, 3, 2, None, None]


def test_truncated_statement_yields_the_entries_before_the_cut():
    reader = UTF8.read_statement(io.BytesIO(golden("statement_truncated.txt")), "s.txt")
    assert reader.header == HEADER
    got = []
    with pytest.raises(FormatError) as info:
        for e in reader:
            got.append(e)
    assert got == ENTRIES[:3]
    assert info.value.problems == [
        Problem("line 5", "digest", "the file ends after line 4 without its digest line "
                                    "(S|SHA256|...): it is incomplete"),
    ]


def test_digest_mismatch():
    data = golden("statement_digest_mismatch.txt")
    body = b"".join(body_lines(data))
    stated = data.rstrip(b"\n").rsplit(b"|", 1)[1].decode()
    assert stated == golden("statement_utf8.txt").rstrip(b"\n").rsplit(b"|", 1)[1].decode()
    assert read_problems(UTF8, data) == [
        Problem("line 9", "digest",
                f"the SHA256 digest of the file before this line is "
                f"{hashlib.sha256(body).hexdigest()}, the line says {stated}: the file was "
                f"changed or damaged"),
    ]


def test_balance_mismatch_raises_from_the_constructor():
    assert read_problems(UTF8, golden("statement_balance_mismatch.txt")) == [
        Problem("line 1", "closing_balance_fen",
                "closing balance 755 is not opening balance -250 + credit 2000000123460 - debit "
                "2000000122456 = 754"),
    ]


def test_entries_that_do_not_add_up():
    assert read_problems(UTF8, golden("statement_sums_mismatch.txt")) == [
        Problem("line 1", "count", "header says 7 entries, 6 in the file"),
        Problem("line 1", "debit_fen",
                "header says 2000000122456 fen, the entries add up to 1000000122457"),
    ]


def test_bad_entries_are_all_reported():
    assert read_problems(UTF8, golden("statement_bad_entries.txt")) == [
        Problem("line 2", "side", "'X' is not a side (C credit, D debit)"),
        Problem("line 3", "amount_fen", "an entry moves a positive amount, not 0"),
        Problem("line 3", "booking_date",
                "2026-10-31 is outside the statement's period 2026-11-01 .. 2026-11-30"),
        Problem("line 4", "amount_fen", "'9999999999.99' is not a whole number (ASCII digits "
                                        "only: no sign, no point, no spaces)"),
        Problem("line 5", "reference", "is empty"),
        Problem("line 5", "line_seq", "a line_seq needs the batch_id it is in"),
        Problem("line 6", "line_seq", "line_seq 0 is not a positive integer"),
    ]


def test_bad_yuan_amounts_name_line_and_field():
    unsigned = ("is not an amount in yuan (ASCII digits, a point and exactly two decimals, "
                "e.g. 1234.56: no sign, no spaces)")
    assert read_problems(YUAN, golden("statement_yuan_bad_amount.txt")) == [
        Problem("line 1", "opening_balance_fen",
                "'-2.5' is not an amount in yuan (ASCII digits, a point and exactly two "
                "decimals, e.g. -1234.56: a '-' allowed in front, no spaces)"),
        Problem("line 2", "amount_fen", f"'1000000123456' {unsigned}"),
        Problem("line 3", "amount_fen", f"'1,234.56' {unsigned}"),
        Problem("line 5", "amount_fen", f"'-0.01' {unsigned}"),
    ]


def test_fen_statement_is_not_a_yuan_statement_nor_the_reverse():
    problems = read_problems(YUAN, golden("statement_utf8.txt"))
    assert [(p.where, p.field) for p in problems] == [
        ("line 1", "opening_balance_fen"), ("line 1", "closing_balance_fen"),
        ("line 1", "credit_fen"), ("line 1", "debit_fen")] + [
        (f"line {i}", "amount_fen") for i in range(2, 9)]
    problems = read_problems(UTF8, golden("statement_yuan.txt"))
    assert problems[0] == Problem(
        "line 1", "opening_balance_fen",
        "'-2.50' is not a whole number (ASCII digits only, a '-' allowed in front: no point, no "
        "spaces)")


def test_gbk_statement_is_not_utf8():
    with pytest.raises(FormatError):
        read_statement(UTF8, golden("statement_gbk.txt"))


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_CONFIGS, ids=CONFIG_IDS)
def test_round_trip(fmt):
    assert read_statement(fmt, write_statement(fmt)) == (HEADER, ENTRIES)


def test_extremes_round_trip():
    entries = [entry(1, CREDIT, MAX_FEN, batch_id="B1", line_seq=10**18 - 1),
               entry(10**18 - 1, DEBIT, MAX_FEN)]
    for opening in (-MAX_FEN, 0, MAX_FEN):
        header = header_for(entries, opening)
        for fmt in (UTF8, YUAN):
            assert read_statement(fmt, write_statement(fmt, header, entries)) == (header, entries)
    header = header_for([], -MAX_FEN)
    data = write_statement(YUAN, header, [])
    assert data.split(b"|")[6:8] == [b"-9999999999999999.99"] * 2
    assert read_statement(YUAN, data) == (header, [])


def test_writer_reports_its_sizes():
    out = io.BytesIO()
    written = UTF8.write_statement(out, HEADER, ENTRIES)
    assert (written.count, written.total_fen, written.size) == (
        7, HEADER.credit_fen + HEADER.debit_fen, len(out.getvalue()))


def test_a_string_side_equal_to_the_enum_is_written():
    entries = [entry(1, "CRDT"), entry(2, "DBIT")]
    header = header_for(entries)
    _, got = read_statement(UTF8, write_statement(UTF8, header, entries))
    assert [e.side for e in got] == [EntrySide.CREDIT, EntrySide.DEBIT]


# --- what the writer refuses -----------------------------------------------------------------


def test_writer_refuses_a_bad_header():
    header = replace(HEADER, statement_id="", account="a|b", currency="cny",
                     opening_balance_fen=-MAX_FEN - 1, count=-1, credit_fen=1.5,
                     created_at=date(2026, 12, 1), to_date=datetime(2026, 11, 30))
    assert write_problems(UTF8, header, ENTRIES) == [
        Problem("line 1", "statement_id", "is empty"),
        Problem("line 1", "account", "contains '|', the field separator; the format has no "
                                     "escaping"),
        Problem("line 1", "currency", "'cny' is not a currency code (3 letters A-Z)"),
        Problem("line 1", "opening_balance_fen", "opening_balance_fen -1000000000000000000 is "
                                                 "outside -999999999999999999..999999999999999999"),
        Problem("line 1", "count", "count -1 is outside 0..999999999999999999"),
        Problem("line 1", "credit_fen", "credit_fen must be an int, got float"),
        Problem("line 1", "created_at", "must be a datetime, got date"),
        Problem("line 1", "to_date", "must be a date, got datetime"),
    ]


def test_writer_checks_period_and_balances():
    header = replace(HEADER, from_date=date(2026, 12, 1), closing_balance_fen=0)
    assert write_problems(UTF8, header, []) == [
        Problem("line 1", "to_date", "to_date 2026-11-30 is before from_date 2026-12-01"),
        Problem("line 1", "closing_balance_fen",
                "closing balance 0 is not opening balance -250 + credit 2000000123460 - debit "
                "2000000122456 = 754"),
    ]


def test_writer_checks_count_and_sums():
    header = replace(HEADER, count=8, credit_fen=HEADER.credit_fen + 1,
                     closing_balance_fen=HEADER.closing_balance_fen + 1)
    assert write_problems(UTF8, header, ENTRIES) == [
        Problem("line 1", "count", "header says 8 entries, 7 were given"),
        Problem("line 1", "credit_fen", "header says 2000000123461 fen, the entries add up to "
                                        "2000000123460"),
    ]


def test_writer_refuses_bad_entries_and_names_each():
    entries = [
        entry(1),
        entry(1, "X", 0, booking_date=date(2026, 12, 1), reference=""),
        entry(3, amount=-5, booking_date=datetime(2026, 11, 6), line_seq=7),
        entry(4, line_seq=0, batch_id="B1", remark="a\nb"),
        entry(5, amount=True, counterparty_name="𠮷"),
        object(),
    ]
    gbk = DelimitedFormat(encoding="gbk")
    assert write_problems(gbk, header_for([]), entries) == [
        Problem("line 3", "seq", "seq 1 does not follow 1: seq must increase"),
        Problem("line 3", "side", "seq 1: unknown side 'X'"),
        Problem("line 3", "amount_fen", "seq 1: amount_fen 0 is outside 1..999999999999999999"),
        Problem("line 3", "booking_date",
                "seq 1: 2026-12-01 is outside the statement's period 2026-11-01 .. 2026-11-30"),
        Problem("line 3", "reference", "seq 1: is empty"),
        Problem("line 4", "amount_fen", "seq 3: amount_fen -5 is outside 1..999999999999999999"),
        Problem("line 4", "booking_date", "seq 3: must be a date, got datetime"),
        Problem("line 4", "line_seq", "seq 3: a line_seq needs the batch_id it is in"),
        Problem("line 5", "line_seq", "seq 4: line_seq 0 is outside 1..999999999999999999"),
        Problem("line 5", "remark", "seq 4: contains a line break (CR or LF); the format has no "
                                    "escaping"),
        Problem("line 6", "amount_fen", "seq 5: amount_fen must be an int, got bool"),
        Problem("line 6", "counterparty_name",
                "seq 5: character '𠮷' (U+20BB7) cannot be written in gbk"),
        Problem("line 7", "seq", "seq <missing> is not a positive integer of at most 18 digits"),
        Problem("line 7", "side", "unknown side <missing>"),
        Problem("line 7", "amount_fen", "amount_fen is missing"),
        Problem("line 7", "booking_date", "is missing"),
        Problem("line 7", "line_seq", "line_seq is missing"),
    ] + [Problem("line 7", field, "is missing") for field in (
        "reference", "batch_id", "counterparty_name", "counterparty_account", "remark")] + [
        Problem("line 1", "count", "header says 0 entries, 6 were given"),
        # the amounts of side D given, those left out included: 100 - 5 + 100
        Problem("line 1", "debit_fen", "header says 0 fen, the entries add up to 195"),
    ]


def test_writer_streams_the_entries():
    def entries():
        yield from ENTRIES
        raise RuntimeError("the caller's own failure")

    with pytest.raises(RuntimeError):
        UTF8.write_statement(io.BytesIO(), HEADER, entries())


# --- what the reader reports -----------------------------------------------------------------


def test_header_problems_are_all_reported():
    body = ("H||acct|2026-12-01|2026-11-01|2026-11-31|+5|--5|x|1.00|2|RMB1\n"
            "D|1|C|5|2026-11-02|R1|||||\n").encode()
    assert read_problems(UTF8, with_digest(body)) == [
        Problem("line 1", "statement_id", "is empty"),
        Problem("line 1", "created_at",
                "'2026-12-01' is not a date and time (yyyy-mm-ddThh:mm:ss[±hh:mm])"),
        Problem("line 1", "to_date", "'2026-11-31' is not a valid date"),
        Problem("line 1", "opening_balance_fen", "'+5' is not a whole number (ASCII digits only, "
                                                 "a '-' allowed in front: no point, no spaces)"),
        Problem("line 1", "closing_balance_fen", "'--5' is not a whole number (ASCII digits "
                                                 "only, a '-' allowed in front: no point, no "
                                                 "spaces)"),
        Problem("line 1", "count",
                "'x' is not a whole number (ASCII digits only: no sign, no point, no spaces)"),
        Problem("line 1", "credit_fen",
                "'1.00' is not a whole number (ASCII digits only: no sign, no point, no spaces)"),
        Problem("line 1", "currency", "'RMB1' is not a currency code (3 letters A-Z)"),
    ]


def test_header_period_must_not_run_backwards():
    body = b"H|S1|A1|2026-12-01T00:00:00|2026-12-01|2026-11-30|0|0|0|0|0|CNY\n"
    assert read_problems(UTF8, with_digest(body)) == [
        Problem("line 1", "to_date", "to_date 2026-11-30 is before from_date 2026-12-01"),
    ]


def test_entry_problems():
    body = ("H|S1|A1|2026-12-01T00:00:00|2026-11-01|2026-11-30|0|0|5|0|0|CNY\n"
            "D|1|CRDT|5|2026-11-02|R1|||||\n"
            "D|0|D|5|2026/11/02|R2|B1|x|||\n"
            "D|3|D|5|2026-11-02|R3|B1|1|||\n"
            "D|3|D|5|2026-11-02|R3|B1|1||\n"
            "H|S1|A1|2026-12-01T00:00:00|2026-11-01|2026-11-30|0|0|5|0|0|CNY\n").encode()
    assert read_problems(UTF8, with_digest(body)) == [
        Problem("line 2", "side", "'CRDT' is not a side (C credit, D debit)"),
        Problem("line 3", "seq", "seq 0 is not a positive integer"),
        Problem("line 3", "booking_date", "'2026/11/02' is not a date (yyyy-mm-dd)"),
        Problem("line 3", "line_seq",
                "'x' is not a whole number (ASCII digits only: no sign, no point, no spaces)"),
        Problem("line 5", "fields", "10 fields; a detail line has 11"),
        Problem("line 6", "record_type", "a second header line (H is only on line 1)"),
    ]


def test_payment_and_result_files_are_not_statements():
    problems = read_problems(UTF8, golden("payments_utf8.txt"))
    assert problems[0] == Problem("line 1", "fields", "11 fields; a statement header has 12")
    problems = read_problems(UTF8, golden("results_utf8.txt"))
    assert problems[0] == Problem("line 1", "fields", "10 fields; a statement header has 12")
    assert problems[1] == Problem("line 2", "fields", "7 fields; a detail line has 11")


def test_small_reads_give_the_same_result():
    class Trickle(io.BytesIO):
        def read(self, size=-1):
            return super().read(5)

    for fmt in (UTF8, GBK, YUAN):
        reader = fmt.read_statement(Trickle(write_statement(fmt)))
        assert (reader.header, list(reader)) == (HEADER, ENTRIES)


def _many_entries(n: int):
    day = date(2026, 11, 1)
    for seq in range(1, n + 1):
        yield StatementEntry(seq, DEBIT, seq, day + timedelta(days=seq % 30),
                             f"DR{seq:012d}", "B20261105A1B2C3D4", seq, "阿卜杜拉·买买提",
                             f"622202{seq:013d}", "2026年11月发放 耕地地力保护补贴")


def test_memory_does_not_grow_with_the_file(tmp_path):
    n = 20_000
    debit = n * (n + 1) // 2
    header = replace(HEADER, count=n, credit_fen=0, debit_fen=debit, opening_balance_fen=debit,
                     closing_balance_fen=0)
    path = tmp_path / "big.txt"
    tracemalloc.start()
    try:
        with open(path, "wb") as out:
            UTF8.write_statement(out, header, _many_entries(n))
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with open(path, "rb") as src:
            count = sum(1 for _ in UTF8.read_statement(src))
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n and path.stat().st_size > 3_000_000
    # the 20,000 entries alone, if they were kept, take some 6 MB
    assert write_peak < 3_000_000, write_peak
    assert read_peak < 3_000_000, read_peak
