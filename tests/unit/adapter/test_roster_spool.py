"""The checked roster kept for sending (adapter/roster_spool.py): the lines come back as sent,
with their rows, across chunks; a line the RPC cannot carry closes it."""
from __future__ import annotations

from adapter import convert
from adapter.client import CHUNK_LINES
from adapter.roster_spool import Spool
from domain.model import PaymentLine
from domain.roster import generate_lines


def test_lines_come_back_as_checked_with_their_rows():
    made = list(generate_lines(CHUNK_LINES * 2 + 7, seed=5))
    spool = Spool()
    for i, line in enumerate(made):
        spool.add(10 + 2 * i, line)  # rows 10, 12, 14...: rows need not follow each other
    back = list(spool.lines())
    assert [row for row, _ in back] == [10 + 2 * i for i in range(len(made))]
    assert [convert.line_from_pb(pb_line) for _, pb_line in back] == made
    assert [len(c.lines) for c in spool.chunks()] == [CHUNK_LINES, CHUNK_LINES, 7]
    assert spool.open and spool.size < 64 * len(made)  # compressed: about 56 bytes a line with its row


def test_a_line_the_rpc_cannot_carry_closes_the_spool():
    spool = Spool()
    good = next(generate_lines(1, seed=5))
    spool.add(2, good)
    spool.add(3, PaymentLine(2, "张三", good.id_number, good.account_no, 100, account_kind="DEBIT"))
    spool.add(4, good)
    assert not spool.open and list(spool.lines()) == []


class FakeStream:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.cancelled = 0

    def send(self, chunk) -> None:
        self.sent.append(len(chunk.lines))

    def cancel(self) -> None:
        self.cancelled += 1


def test_full_chunks_go_to_the_stream_as_they_fill_and_the_last_at_close():
    made = list(generate_lines(CHUNK_LINES * 2 + 7, seed=6))
    stream = FakeStream()
    spool = Spool(stream)
    seen: list[int] = []
    spool.each = lambda lines: seen.append(len(lines))
    for i, line in enumerate(made[:CHUNK_LINES * 2]):
        spool.add(i + 2, line)
    assert stream.sent == [CHUNK_LINES, CHUNK_LINES]  # before the last rows are even read
    for i, line in enumerate(made[CHUNK_LINES * 2:], CHUNK_LINES * 2):
        spool.add(i + 2, line)
    spool.close()
    assert stream.sent == seen == [CHUNK_LINES, CHUNK_LINES, 7] and not stream.cancelled
    assert [convert.line_from_pb(pb_line) for _, pb_line in spool.lines()] == made


def test_a_wrong_row_cancels_the_stream_and_nothing_more_goes():
    made = list(generate_lines(CHUNK_LINES + 10, seed=7))
    stream = FakeStream()
    spool = Spool(stream)
    for i, line in enumerate(made[:CHUNK_LINES + 3]):
        spool.add(i + 2, line)
    spool.refuse()
    for i, line in enumerate(made[CHUNK_LINES + 3:], CHUNK_LINES + 3):
        spool.add(i + 2, line)
    spool.close()
    assert stream.sent == [CHUNK_LINES] and stream.cancelled == 1 and not spool.open
