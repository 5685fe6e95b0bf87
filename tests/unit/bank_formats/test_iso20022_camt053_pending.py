"""camt.053 in our own layout (the strict reader) with entries still in progress (issue 15): an
entry whose status is PDNG, INFO or FUTR is listed in ``skipped`` as NOT_FINAL and never yielded;
the summary counts it, the booked balance does not move by it."""
from __future__ import annotations

import dataclasses
import io

import pytest

from bank_formats.base import FormatError, Problem, Skipped
from bank_formats.iso20022 import Iso20022Format
from bank_formats.iso20022.camt053 import Camt053Reader
from domain.model import EntrySide
from tests.unit.bank_formats.iso20022_support import (
    SAMPLE_ENTRIES,
    SAMPLE_STATEMENT_HEADER,
    STATEMENTS,
    write_statement,
)

HEADER = SAMPLE_STATEMENT_HEADER
FIRST_ENTRY_LINE = 8  # (0-based) the writer puts the header on lines 0-7, then one Ntry a line


@pytest.fixture(scope="module", params=STATEMENTS)
def fmt(request) -> Iso20022Format:
    return Iso20022Format(statements=request.param)


@pytest.fixture(scope="module")
def sample(fmt) -> bytes:
    return write_statement(fmt, HEADER, SAMPLE_ENTRIES)


def amount_text(fen: int) -> bytes:
    return f"{abs(fen) // 100}.{abs(fen) % 100:02d}".encode()


def with_status(sample: bytes, positions: dict[int, bytes], closing_fen: int | None) -> bytes:
    """The sample with the entries at ``positions`` (1-based) given another status and, when
    ``closing_fen`` is given, that closing balance instead of the written one."""
    lines = sample.split(b"\n")
    for position, status in positions.items():
        i = FIRST_ENTRY_LINE + position - 1
        assert lines[i].count(b"BOOK") == 1
        lines[i] = lines[i].replace(b"BOOK", status)
    if closing_fen is not None:
        written = HEADER.closing_balance_fen
        old = (b'<Amt Ccy="CNY">' + amount_text(written) + b"</Amt><CdtDbtInd>"
               + (b"DBIT" if written < 0 else b"CRDT"))
        new = (b'<Amt Ccy="CNY">' + amount_text(closing_fen) + b"</Amt><CdtDbtInd>"
               + (b"DBIT" if closing_fen < 0 else b"CRDT"))
        assert lines[6].count(old) == 1 and b"CLBD" in lines[6]
        lines[6] = lines[6].replace(old, new)
    return b"\n".join(lines)


def booked_closing(pending: list) -> int:
    """The closing balance the booked entries give: the pending ones do not move it."""
    closing = HEADER.opening_balance_fen
    for e in SAMPLE_ENTRIES:
        if e not in pending:
            closing += e.amount_fen if e.side is EntrySide.CREDIT else -e.amount_fen
    return closing


def read(fmt: Iso20022Format, data: bytes):
    reader = fmt.read_statement(io.BytesIO(data), "stmt.xml")
    assert isinstance(reader, Camt053Reader)  # our layout: the strict reader, not the tolerant one
    entries = list(reader)
    return reader, entries


@pytest.mark.parametrize("status", [b"PDNG", b"INFO", b"FUTR"])
def test_an_entry_in_progress_is_skipped_and_not_booked(fmt, sample, status):
    pending = SAMPLE_ENTRIES[2]  # a debit of 999,999,999.99 to line 2
    data = with_status(sample, {3: status}, booked_closing([pending]))
    reader, entries = read(fmt, data)
    assert entries == [e for e in SAMPLE_ENTRIES if e is not pending]
    assert reader.skipped == [Skipped(f"line {FIRST_ENTRY_LINE + 3}", "NOT_FINAL",
                                      f"{pending.reference}: entry status {status.decode()}, not BOOK",
                                      pending.amount_fen)]
    # the header, once read, states what was yielded: it agrees with the entries
    booked = [e for e in SAMPLE_ENTRIES if e is not pending]
    assert reader.header == dataclasses.replace(
        HEADER, closing_balance_fen=booked_closing([pending]), count=len(booked),
        credit_fen=sum(e.amount_fen for e in booked if e.side is EntrySide.CREDIT),
        debit_fen=sum(e.amount_fen for e in booked if e.side is EntrySide.DEBIT))


def test_a_credit_and_a_debit_in_progress(fmt, sample):
    pending = [SAMPLE_ENTRIES[0], SAMPLE_ENTRIES[5]]  # the funding credit and the fee
    data = with_status(sample, {1: b"PDNG", 6: b"PDNG"}, booked_closing(pending))
    reader, entries = read(fmt, data)
    assert entries == list(SAMPLE_ENTRIES[1:5])
    assert [(s.reason, s.amount_fen) for s in reader.skipped] == [("NOT_FINAL", e.amount_fen) for e in pending]
    assert reader.header.count == 4
    assert reader.header.credit_fen == SAMPLE_ENTRIES[3].amount_fen


def test_a_pending_entry_does_not_move_the_booked_balance(fmt, sample):
    # the closing balance as written counts the pending debit as booked: refused, and the message
    # names the booked sums
    pending = SAMPLE_ENTRIES[2]
    data = with_status(sample, {3: b"PDNG"}, None)
    with pytest.raises(FormatError) as info:
        read(fmt, data)
    debit = HEADER.debit_fen - pending.amount_fen
    follows = HEADER.opening_balance_fen + HEADER.credit_fen - debit
    assert info.value.problems == [Problem(
        "line 7", "Amt",
        f"closing balance -{amount_text(HEADER.closing_balance_fen).decode()} is not opening "
        f"-{amount_text(HEADER.opening_balance_fen).decode()} + credit {amount_text(HEADER.credit_fen).decode()}"
        f" - debit {amount_text(debit).decode()} = {amount_text(follows).decode()} "
        f"(the booked entries: 1 in progress left out)")]


def test_the_summary_still_counts_the_pending_entry(fmt, sample):
    # a summary that left the pending entry out does not add up to the file's entries
    pending = SAMPLE_ENTRIES[5]  # the fee of 0.50, a debit
    data = with_status(sample, {6: b"PDNG"}, booked_closing([pending]))
    lines = data.split(b"\n")
    lines[7] = lines[7].replace(b"<NbOfNtries>6</NbOfNtries>", b"<NbOfNtries>5</NbOfNtries>")
    with pytest.raises(FormatError) as info:
        read(fmt, b"\n".join(lines))
    assert info.value.problems == [Problem("/Document/BkToCstmrStmt/Stmt/TxsSummry/TtlNtries/NbOfNtries",
                                           "NbOfNtries", "summary says 5 entries, the statement has 6")]


def test_a_status_neither_booked_nor_in_progress_is_refused(fmt, sample):
    data = with_status(sample, {2: b"RJCT"}, None)
    with pytest.raises(FormatError) as info:
        read(fmt, data)
    assert info.value.problems == [Problem(
        f"line {FIRST_ENTRY_LINE + 2}", "Sts",
        "status 'RJCT' is not BOOK (booked) nor a status of an entry in progress (FUTR, INFO, PDNG)")]


def test_an_unreadable_pending_entry_is_a_problem_not_a_skip(fmt, sample):
    pending = SAMPLE_ENTRIES[2]
    data = with_status(sample, {3: b"PDNG"}, booked_closing([pending]))
    data = data.replace(b"<Amt Ccy=\"CNY\">" + amount_text(pending.amount_fen) + b"</Amt><CdtDbtInd>DBIT",
                        b"<Amt Ccy=\"CNY\">x</Amt><CdtDbtInd>DBIT", 1)
    reader = fmt.read_statement(io.BytesIO(data), "stmt.xml")
    with pytest.raises(FormatError) as info:
        list(reader)
    assert [(p.where, p.field) for p in info.value.problems] == [(f"line {FIRST_ENTRY_LINE + 3}", "Amt")]
    assert reader.skipped == []
