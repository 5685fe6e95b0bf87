"""FastStream takes lines with the tolerant reader's pattern of now (issue 15 item 7, speed).

A tolerant reader learns a statement's one-off funding entry first and its usual debit layout
second, and puts the usual one first once it has counted the lines (``LineShapes.REORDER``).
The stream, armed with the first pattern, switches to the reordered one when it next parses a
line (one in ``PARSE_ONE_IN``): trying the funding layout first on every debit line cost twice
a match (camt.053 at 1,000,000 entries: a sixth of the reader's time). Same records either way.
"""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from bank_formats.iso20022 import Iso20022Format, _common, _tolerant
from bank_formats.iso20022._tolerant import opened
from bank_formats.iso20022.account_entries import TolerantStatementReader
from domain.model import EntrySide, StatementEntry, StatementHeader

DEBITS = 300


def statement() -> bytes:
    """Our writer's camt.053: a funding credit, then DEBITS debits, one entry a line."""
    entries = [StatementEntry(1, EntrySide.CREDIT, 10**9, date(2026, 11, 6), "FUND", "B1", None, "某县财政局")]
    entries += [StatementEntry(i, EntrySide.DEBIT, i * 101, date(2026, 11, 6), f"P{i}", "B1", i - 1, f"王{i}",
                               f"6222{i:06d}", "补贴") for i in range(2, DEBITS + 2)]
    debit = sum(i * 101 for i in range(2, DEBITS + 2))
    header = StatementHeader("S-1", "1234", datetime(2026, 11, 6, 18), date(2026, 11, 6), date(2026, 11, 6), 0,
                             10**9 - debit, DEBITS + 1, 10**9, debit)
    out = io.BytesIO()
    Iso20022Format().write_statement(out, header, entries)
    return out.getvalue()


def read(data: bytes, patterns: list | None = None):
    """(header, entries, skipped) of the tolerant reader; the pattern of each line taken in ``patterns``."""
    source, _, message = opened(io.BytesIO(data))
    reader = TolerantStatementReader(source, "f.xml", message)
    if patterns is not None:
        shapes = reader._entries._shapes
        take = shapes.take

        def spy(m):
            patterns.append(m.re)
            return take(m)
        shapes.take = spy
    return reader.header, list(reader), reader.skipped, reader._entries._shapes


def test_lines_are_taken_with_the_reordered_pattern_after_the_next_line_parsed(monkeypatch):
    monkeypatch.setattr(_tolerant.LineShapes, "REORDER", 3)
    monkeypatch.setattr(_common, "PARSE_ONE_IN", 7)
    data = statement()
    patterns: list = []
    header, entries, skipped, shapes = read(data, patterns)
    layouts = [shape for _, shape, _ in shapes._shapes]
    # the debits' layout (with InstrId) first now, the funding one (learned first) second
    assert len(layouts) == 2
    assert [any(p.endswith("/InstrId") for p in shape.slots) for shape in layouts] == [True, False]
    latest = shapes._stream.fast
    # (before the debits' layout is armed, FastStream parses the debits looking for a line the
    # funding layout takes: see test_the_writers_statements_read_alike_either_way_and_as_written)
    assert len(patterns) >= DEBITS // 2
    first_armed = patterns[0]
    assert first_armed is not latest  # (reordered since the stream armed)
    # after the first line parsed past the reorder, every line is taken with the latest pattern
    switched = patterns.index(latest)
    assert switched <= 3 + 7 + 1
    assert all(p is latest for p in patterns[switched:])
    with monkeypatch.context() as mp:
        mp.setattr(_common, "FAST_LINES", False)
        slow = read(data)
    assert (header, entries, skipped) == slow[:3]
    assert [(e.seq, e.side, e.amount_fen, e.line_seq) for e in entries] == [
        (1, EntrySide.CREDIT, 10**9, None)] + [(i, EntrySide.DEBIT, i * 101, i - 1) for i in range(2, DEBITS + 2)]


@pytest.mark.parametrize("parse_one_in", [7, 64])
def test_the_same_entries_whenever_the_stream_switches(monkeypatch, parse_one_in):
    monkeypatch.setattr(_tolerant.LineShapes, "REORDER", 5)
    monkeypatch.setattr(_common, "PARSE_ONE_IN", parse_one_in)
    data = statement()
    fast = read(data)
    monkeypatch.setattr(_common, "FAST_LINES", False)
    slow = read(data)
    assert fast[:3] == slow[:3]
    assert fast[1][-1].amount_fen == (DEBITS + 1) * 101
