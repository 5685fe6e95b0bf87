"""The roster as checked, kept for the result sheet and handed to the stream as it is checked:
what is sent is exactly what was checked, and the file is read once.

Reading the sheet again to send it would cost as much as the first read (2.5 s for 100,000 XLSX
rows here) and would send whatever the file holds by then: a sheet edited between the check and
the send (an account number changed, the count and total unchanged) would go unchecked. So the
check keeps each line as the RPC carries it: the lines of :data:`adapter.client.CHUNK_LINES` rows
as one ``LineChunk``, handed to the stream (:class:`adapter.roster_stream.Stream`) once full, and
kept serialized and compressed, with the file's row number of each line beside it: about 56
bytes a line in all (5.6 MB for 100,000 lines, 56 MB for a million). Nothing of it is written to
disk. A wrong row closes the spool (:meth:`Spool.refuse`): nothing more is kept, and the stream
is cancelled.
"""
from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterator

from adapter import convert
from adapter.client import CHUNK_LINES
from domain.model import PaymentLine
from ykt.v1 import disbursement_pb2 as pb


class Spool:
    def __init__(self, stream=None) -> None:
        """``stream``: where each chunk goes once full (``send(chunk)``), and what a wrong row
        cancels (``cancel()``); None to keep the lines only."""
        self._chunks: list[bytes] = []
        self._pending: list[pb.PaymentLine] = []
        self._stream = stream
        self.each = None  # also given each chunk's lines once sent (the result sheet's rows rendered then)
        self.rows = array("q")  # the file's row of each line, in order
        self.open = True  # False once a row was wrong or a line could not be kept: nothing will be sent

    def add(self, row: int, line: PaymentLine) -> None:
        if not self.open:
            return
        try:
            self._pending.append(convert.line_to_pb(line))
        except (KeyError, TypeError, ValueError):  # an account kind or value the RPC cannot carry
            self.refuse()
            return
        self.rows.append(row)
        if len(self._pending) == CHUNK_LINES:
            self._seal()

    def refuse(self) -> None:
        """A row is wrong: nothing will be sent (the stream is cancelled) and nothing more kept."""
        if self._stream is not None:
            self._stream.cancel()
        self.open = False
        self._chunks.clear()
        self._pending.clear()

    def close(self) -> None:
        """The last line was added: the last chunk goes to the stream."""
        if self.open:
            self._seal()

    def _seal(self) -> None:
        if self._pending:
            chunk = pb.LineChunk(lines=self._pending)
            if self._stream is not None:
                self._stream.send(chunk)
            if self.each is not None:
                self.each(chunk.lines)
            self._chunks.append(zlib.compress(chunk.SerializeToString(), 1))
            self._pending = []

    def chunks(self) -> Iterator[pb.LineChunk]:
        """The lines as the RPC carries them, a chunk at a time."""
        self.close()
        for data in self._chunks:
            yield pb.LineChunk.FromString(zlib.decompress(data))

    def lines(self) -> Iterator[tuple[int, pb.PaymentLine]]:
        """(the file's row, the line) for every line, in order."""
        rows = iter(self.rows)
        for chunk in self.chunks():
            for line in chunk.lines:
                yield next(rows), line

    @property
    def size(self) -> int:
        """Bytes held (the compressed chunks and the row numbers)."""
        return sum(map(len, self._chunks)) + self.rows.itemsize * len(self.rows)
