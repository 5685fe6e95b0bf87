"""SubmitBatch opened before the roster is checked, fed while it is checked, committed only when
every row passed (``ykt batch submit``, issue 16 item 2: "at the service's own speed").

Checking a 100,000-row sheet costs this process about as much CPU as storing it costs the
service; one after the other, the command took about twice the service's time. So the header
goes out first, with its control count and total left 0 (they are known only once the last row
is read), each chunk of checked lines goes out as soon as it is full, and the service checks and
stores them while later rows are still being checked here. Nothing is stored unless every row
passed: the service keeps the whole roster in one transaction that it commits only after the
stream's last message, the ``totals`` (:class:`service.submission.Totals`), which :meth:`commit`
sends only after the whole check passed. At the first wrong row (or a wrong sheet, or totals
that disagree) :meth:`cancel` cancels the call: the service rolls back, stores nothing and the
idempotency key stays free for the corrected sheet. A stream that ends without its totals, for
whatever reason, stores nothing either.

The chunks go through a small queue to gRPC's sending thread: at most :data:`QUEUED` chunks wait
(the service's pace holds the check back no further than that), and once the call has ended
(refused or failed) nothing more is queued; its answer is read by :meth:`commit`.
"""
from __future__ import annotations

import queue

from adapter import convert
from domain.model import BatchHeader
from ykt.v1 import disbursement_pb2 as pb

QUEUED = 8  # chunks waiting for gRPC's sending thread
_END = object()  # the end of the requests
_WAIT = 0.2  # seconds between looks at whether the call ended, while the queue is full


class Stream:
    def __init__(self, api, header: BatchHeader) -> None:
        """Open SubmitBatch through ``api`` (:class:`adapter.client.Client`) with ``header``,
        whose control count and total must be 0: they follow the lines."""
        assert header.control_count == 0 and header.control_total_fen == 0, header
        self._queue: queue.Queue = queue.Queue(QUEUED)
        self._call = api.stub.SubmitBatch.future(self._requests(convert.header_to_pb(header)),
                                                 metadata=api.metadata)
        self.cancelled = False

    def _requests(self, header: pb.BatchHeader):
        yield pb.SubmitBatchRequest(header=header)
        while (item := self._queue.get()) is not _END:
            yield item

    def send(self, request: pb.SubmitBatchRequest) -> None:
        """The next checked lines (a request carrying a chunk, made by
        :class:`adapter.roster_spool.Spool`: sent as it is, not copied)."""
        if not self.cancelled:
            self._put(request)

    def commit(self, count: int, total_fen: int) -> None:
        """Every row passed: the totals, and the end of the stream (the service commits then)."""
        assert not self.cancelled
        self._put(pb.SubmitBatchRequest(totals=pb.BatchTotals(control_count=count, control_total_fen=total_fen)))
        self._put(_END)
        if self._call.done():  # refused or failed before the end: its sending thread may wait still
            self._let_go()

    def answer(self) -> pb.SubmitBatchResponse:
        """The service's answer, once it has stored the roster (raises ``grpc.RpcError`` when it
        refused it or failed)."""
        return self._call.result()

    def cancel(self) -> None:
        """Nothing is to be stored: the call is cancelled (the service rolls back), and gRPC's
        sending thread, if waiting for a chunk, is let go. After :meth:`commit` it stops the
        wait for the answer (^C): the service may have committed by then, and a second
        submission with the same key is answered as a replay. Nothing once the call is over."""
        if self.cancelled:
            return
        self.cancelled = True
        self._call.cancel()
        self._let_go()

    def _let_go(self) -> None:
        """The call is over: what is still queued will not be sent; the end goes in its place."""
        while True:
            try:
                self._queue.put_nowait(_END)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    pass

    def _put(self, item) -> None:
        while not self._call.done():
            try:
                self._queue.put(item, timeout=_WAIT)
                return
            except queue.Full:
                continue
