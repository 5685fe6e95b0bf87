"""The roster as checked, handed to the stream a chunk at a time while later rows are checked:
what is sent is exactly what was checked, and the file is read once.

Reading the sheet again to send it would cost as much as the first read and would send whatever
the file holds by then: a sheet edited between the check and the send (an account number
changed, the count and total unchanged) would go unchecked. So each line goes, as checked, into
the SubmitBatch message that carries it (the lines of :data:`adapter.client.CHUNK_LINES` rows,
filled in place: a PaymentLine made first and then put in a chunk is copied twice, which cost
a third of a second for 100,000 lines), handed to the stream (:class:`adapter.roster_stream.Stream`)
once full. Nothing is kept here once a chunk is sent: the result sheet keeps its own rows
(:class:`adapter.roster_result.Prepared`, given each chunk's lines). A wrong row closes the spool
(:meth:`Spool.refuse`): nothing more is sent, and the stream is cancelled.
"""
from __future__ import annotations

from adapter import convert
from adapter.client import CHUNK_LINES
from domain.model import PaymentLine
from ykt.v1 import disbursement_pb2 as pb


class Spool:
    def __init__(self, stream) -> None:
        """``stream``: where each chunk goes once full (``send(request)``), and what a wrong row
        cancels (``cancel()``)."""
        self._stream = stream
        self.each = None  # also given (the file's rows, the lines) of each chunk once sent
        self.open = True  # False once a row was wrong or a line could not be carried: nothing more is sent
        self._start()

    def _start(self) -> None:
        self._request = pb.SubmitBatchRequest()
        self._add = self._request.lines.lines.add
        self._rows: list[int] = []
        self._lines: list[PaymentLine] = []

    def add(self, row: int, line: PaymentLine) -> None:
        """The next line that passed, from the file's ``row``."""
        if not self.open:
            return
        try:
            self._add(**convert.line_fields(line))
        except (KeyError, TypeError, ValueError):  # an account kind or value the RPC cannot carry
            self.refuse()
            return
        self._rows.append(row)
        self._lines.append(line)
        if len(self._lines) == CHUNK_LINES:
            self._seal()

    def refuse(self) -> None:
        """A row is wrong: nothing will be sent (the stream is cancelled) and nothing more kept."""
        self._stream.cancel()
        self.open = False
        self._start()

    def close(self) -> None:
        """The last line was added: the last chunk goes to the stream."""
        if self.open and self._lines:
            self._seal()

    def _seal(self) -> None:
        self._stream.send(self._request)
        if self.each is not None:
            self.each(self._rows, self._lines)
        self._start()
