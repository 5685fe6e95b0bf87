"""The background worker: dispatch funded batches, poll every bank's outbox, on a schedule.

Any number of instances may run a worker against one database: each batch's dispatch and each
bank's polling is done under a lease in the database (service/leases.py), so they share the
work and never do the same unit at once.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from domain.model import BatchStatus
from ledger import store
from observability import metrics
from service import dispatch, leases, retention
from service.context import Context
from service.errors import ServiceError, environmental
from service.polling import OutboxPoller
from sftp.errors import SftpError

log = logging.getLogger("ykt.worker")


class Worker:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.poller = OutboxPoller(ctx)
        self._bank_backoff: dict[str, tuple[datetime, int]] = {}  # bank: (next poll, unexpected failures)
        self._swept_at: datetime | None = None  # retention: files acknowledged since then

    def run_once(self) -> None:
        """One round. A failure with one batch or bank is logged and does not stop the others."""
        leases.release_pending()
        with self.ctx.engine.connect() as conn:
            funded = [b.id for b in store.batches_in(conn, [BatchStatus.FUNDED])]
        for batch_id in funded:  # another instance's batches and retries not due yet are skipped
            try:
                dispatch.dispatch(self.ctx, batch_id, scheduled=True)
            except Exception as exc:  # noqa: BLE001 - one batch never stops the others
                _failed(f"dispatch of {batch_id}", exc, "dispatch")
        for code in self.ctx.settings.banks:
            due, failures = self._bank_backoff.get(code, (None, 0))
            if due is not None and self.ctx.clock() < due:
                continue  # this bank's last poll failed unexpectedly; the others go on
            try:
                self.poller.poll(code)
                self._bank_backoff.pop(code, None)
            except Exception as exc:  # noqa: BLE001 - one bank never stops the others
                if _failed(f"polling bank {code}", exc, "poll"):
                    delay = dispatch.retry_delay(self.ctx, failures + 1)
                    self._bank_backoff[code] = (self.ctx.clock() + delay, failures + 1)
                    log.warning("polling bank %s: next try in %d s", code, delay.total_seconds())
        self._sweep()

    def _sweep(self) -> None:
        """Local copies of acknowledged payment files and expired sealed copies (service.retention)."""
        started = self.ctx.clock()
        try:
            retention.sweep(self.ctx, self._swept_at - timedelta(minutes=5) if self._swept_at else None)
            self._swept_at = started
        except Exception as exc:  # noqa: BLE001 - tried again next round
            _failed("the retention sweep", exc, "sweep")

    def run_forever(self, stop: threading.Event) -> None:
        """Rounds until ``stop``; the first at once, with this instance's own leases taken back."""
        try:
            leases.take_back_own(self.ctx)
        except Exception:  # noqa: BLE001 - then they run out as anyone's would
            log.exception("could not take back this instance's leases")
        while not stop.is_set():
            try:
                self.run_once()
                metrics.worker_round_done()
            except Exception:  # keep the worker alive; the next round retries
                metrics.worker_error("round", unexpected=True)
                log.exception("worker round failed")
            stop.wait(self.ctx.settings.poll_interval_s)


def _failed(what: str, exc: Exception, stage: str) -> bool:
    """One line for what an operator can act on (a bank, a full disk, a lost database), the
    whole trace for anything unexpected; True when it was unexpected. Counted in the metrics
    (``ykt_worker_round_errors_total``) by ``stage``: dispatch, poll or sweep."""
    known = exc if isinstance(exc, ServiceError | SftpError) else environmental(exc)
    metrics.worker_error(stage, unexpected=known is None)
    if known is not None:
        log.warning("%s failed, will retry: %s", what, known)
        return False
    log.exception("%s failed unexpectedly", what)
    return True
