"""The checked roster handed to the stream (adapter/roster_spool.py): the lines go out as checked,
a chunk at a time as chunks fill, with their rows given to the result sheet; a line the RPC cannot
carry or a wrong row cancels the stream and nothing more goes."""
from __future__ import annotations

from adapter import convert
from adapter.client import CHUNK_LINES
from adapter.roster_spool import Spool
from domain.model import PaymentLine
from domain.roster import generate_lines


class FakeStream:
    def __init__(self) -> None:
        self.sent: list[bytes] = []  # each request as it was when sent
        self.cancelled = 0

    def send(self, request) -> None:
        self.sent.append(request.SerializeToString())

    def cancel(self) -> None:
        self.cancelled += 1

    def chunks(self) -> list[list[PaymentLine]]:
        from ykt.v1 import disbursement_pb2 as pb

        return [[convert.line_from_pb(line) for line in pb.SubmitBatchRequest.FromString(data).lines.lines]
                for data in self.sent]


def test_lines_go_out_as_checked_with_their_rows():
    made = list(generate_lines(CHUNK_LINES * 2 + 7, seed=5))
    stream = FakeStream()
    spool = Spool(stream)
    given: list[tuple[list[int], list[PaymentLine]]] = []
    spool.each = lambda rows, lines: given.append((list(rows), list(lines)))
    for i, line in enumerate(made):
        spool.add(10 + 2 * i, line)  # rows 10, 12, 14...: rows need not follow each other
    spool.close()
    assert [len(c) for c in stream.chunks()] == [CHUNK_LINES, CHUNK_LINES, 7]
    assert [line for chunk in stream.chunks() for line in chunk] == made
    assert [row for rows, _ in given for row in rows] == [10 + 2 * i for i in range(len(made))]
    assert [line for _, lines in given for line in lines] == made
    assert spool.open and not stream.cancelled


def test_a_line_the_rpc_cannot_carry_closes_the_spool():
    stream = FakeStream()
    spool = Spool(stream)
    good = next(generate_lines(1, seed=5))
    spool.add(2, good)
    spool.add(3, PaymentLine(2, "张三", good.id_number, good.account_no, 100, account_kind="DEBIT"))
    spool.add(4, good)
    spool.close()
    assert not spool.open and stream.sent == [] and stream.cancelled == 1


def test_full_chunks_go_to_the_stream_as_they_fill_and_the_last_at_close():
    made = list(generate_lines(CHUNK_LINES * 2 + 7, seed=6))
    stream = FakeStream()
    spool = Spool(stream)
    seen: list[int] = []
    spool.each = lambda rows, lines: seen.append(len(lines))
    for i, line in enumerate(made[:CHUNK_LINES * 2]):
        spool.add(i + 2, line)
    assert [len(c) for c in stream.chunks()] == [CHUNK_LINES, CHUNK_LINES]  # before the last rows are even read
    for i, line in enumerate(made[CHUNK_LINES * 2:], CHUNK_LINES * 2):
        spool.add(i + 2, line)
    spool.close()
    assert [len(c) for c in stream.chunks()] == seen == [CHUNK_LINES, CHUNK_LINES, 7] and not stream.cancelled


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
    assert [len(c) for c in stream.chunks()] == [CHUNK_LINES] and stream.cancelled == 1 and not spool.open
