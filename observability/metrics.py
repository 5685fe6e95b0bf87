"""Prometheus metrics of ``ykt serve`` (the ``prometheus-client`` library).

Two kinds:

* **the ledger's state, read at scrape time** (:class:`LedgerCollector`): batches by state,
  lines by status, files by direction, state and bank, the age of each bank's oldest
  unacknowledged payment file and of its oldest unanswered batch, and who holds which lease.
  Each is one aggregate query (``GROUP BY``, ``MIN``) — nothing is read line by line — so every
  instance on a shared database reports the same numbers;
* **what this process did, counted as it happens** (module-level counters and histograms): lines
  and result files booked, lines and batches submitted and the seconds they took, worker rounds
  and their errors. These are per process: sum them over instances.

Every metric is in :data:`REGISTRY` (never the library's global one), served by
:func:`start` on ``metrics_address``. The README's "Metrics and logs" lists them.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from domain.beijing import aware
from domain.model import BatchStatus, FileState, LineStatus

log = logging.getLogger("ykt.metrics")

REGISTRY = CollectorRegistry(auto_describe=True)

#: A payment file in one of these states has not been taken by the bank yet.
UNACKNOWLEDGED = (FileState.GENERATED, FileState.UPLOADING, FileState.FAILED, FileState.DELIVERED)
_SECONDS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)

LINES_BOOKED = Counter("ykt_lines_booked", "Lines booked from result files by this process", ["bank"],
                       registry=REGISTRY)
RESULT_FILES = Counter("ykt_result_files", "Result files taken by this process, by the state they ended in",
                       ["bank", "state"], registry=REGISTRY)
BOOKING_SECONDS = Histogram("ykt_booking_seconds", "Seconds to take and book one result file", ["bank"],
                            buckets=_SECONDS_BUCKETS, registry=REGISTRY)
LINES_SUBMITTED = Counter("ykt_lines_submitted", "Lines of new batches stored by this process (SubmitBatch; "
                          "a replayed request counts nothing)", registry=REGISTRY)
BATCHES_SUBMITTED = Counter("ykt_batches_submitted", "New batches stored by this process, by the state they "
                            "were stored in", ["state"], registry=REGISTRY)
SUBMISSION_SECONDS = Histogram("ykt_submission_seconds", "Seconds one SubmitBatch took, the roster streamed in",
                               buckets=_SECONDS_BUCKETS, registry=REGISTRY)
WORKER_ROUNDS = Counter("ykt_worker_rounds", "Worker rounds this process ran", registry=REGISTRY)
WORKER_ERRORS = Counter("ykt_worker_round_errors", "Failures within worker rounds: stage is dispatch, poll, "
                        "sweep or round (the round itself); unexpected is true for a traceback in the log, "
                        "false for a known condition retried (a bank down, a full disk)",
                        ["stage", "unexpected"], registry=REGISTRY)
WORKER_LAST_ROUND = Gauge("ykt_worker_last_round_timestamp_seconds", "When this process's worker last "
                          "finished a round (Unix time)", registry=REGISTRY)


def booked(bank: str, outcome, seconds: float) -> None:
    """Count one result file taken (an :class:`service.ingest.IngestOutcome`); one taken before
    counts nothing."""
    if getattr(outcome, "already_taken", False):
        return
    RESULT_FILES.labels(bank, str(outcome.state)).inc()
    if outcome.booked_lines:
        LINES_BOOKED.labels(bank).inc(outcome.booked_lines)
    BOOKING_SECONDS.labels(bank).observe(seconds)


def submitted(outcome, seconds: float) -> None:
    """Count one SubmitBatch (a :class:`service.submission.SubmitOutcome`); a replay counts nothing."""
    SUBMISSION_SECONDS.observe(seconds)
    if not outcome.replayed:
        BATCHES_SUBMITTED.labels(str(outcome.status)).inc()
        tally = outcome.tally  # every line stored: accepted, rejected or held
        LINES_SUBMITTED.inc(tally.accepted + tally.rejected + tally.held)


def worker_error(stage: str, unexpected: bool) -> None:
    WORKER_ERRORS.labels(stage, "true" if unexpected else "false").inc()


def worker_round_done() -> None:
    WORKER_ROUNDS.inc()
    WORKER_LAST_ROUND.set(time.time())


@contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as took: ...`` then ``took[0]`` is the seconds the block took."""
    took = [0.0]
    started = time.monotonic()
    try:
        yield took
    finally:
        took[0] = time.monotonic() - started


class LedgerCollector(Collector):
    """The ledger's state, read from the database at each scrape with a handful of aggregate queries."""

    def __init__(self, ctx):
        self.ctx = ctx

    def describe(self):
        return []  # the families are made at scrape time; no database read at registration

    def collect(self):
        up = GaugeMetricFamily("ykt_ledger_up", "1 when the last scrape could read the ledger, else 0")
        try:
            families = list(self._read())
        except Exception as exc:  # noqa: BLE001 - a scrape never fails; say the ledger could not be read
            log.warning("metrics: could not read the ledger: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self):
        from ledger.schema import batches, files, leases, lines

        now = aware(self.ctx.clock())
        banks = sorted(self.ctx.settings.banks)
        with self.ctx.engine.connect() as conn:
            by_batch = dict(conn.execute(select(batches.c.status, func.count()).group_by(batches.c.status)).all())
            by_line = dict(conn.execute(select(lines.c.status, func.count()).group_by(lines.c.status)).all())
            by_file = conn.execute(select(files.c.direction, files.c.state, files.c.bank_code, func.count())
                                   .group_by(files.c.direction, files.c.state, files.c.bank_code)).all()
            oldest_file = dict(conn.execute(
                select(files.c.bank_code, func.min(files.c.created_at))
                .where(files.c.direction == "OUT", files.c.state.in_([s.value for s in UNACKNOWLEDGED]))
                .group_by(files.c.bank_code)).all())
            oldest_batch = dict(conn.execute(
                select(batches.c.bank_code, func.min(batches.c.dispatched_at))
                .where(batches.c.status == BatchStatus.DISPATCHED.value)
                .group_by(batches.c.bank_code)).all())
            held = conn.execute(select(leases.c.name, leases.c.owner, leases.c.lease_until)
                                .where(leases.c.owner.is_not(None))).all()

        family = GaugeMetricFamily("ykt_batches", "Batches in the ledger by state", labels=["state"])
        for state in [*BatchStatus, *sorted(set(by_batch) - set(BatchStatus))]:
            family.add_metric([str(state)], by_batch.get(str(state), 0))
        yield family

        family = GaugeMetricFamily("ykt_lines", "Lines in the ledger by status", labels=["status"])
        for status in [*LineStatus, *sorted(set(by_line) - set(LineStatus))]:
            family.add_metric([str(status)], by_line.get(str(status), 0))
        yield family

        family = GaugeMetricFamily("ykt_files", "Files exchanged with banks by direction (OUT: payment, IN: "
                                   "result), state and bank", labels=["direction", "state", "bank"])
        for direction, state, bank, count in sorted(by_file):
            family.add_metric([direction, state, bank], count)
        yield family

        yield _ages("ykt_oldest_unacknowledged_file_age_seconds",
                    "Age of the bank's oldest payment file not yet taken by it (generated, uploading, failed "
                    "or delivered); 0 when none waits", banks, oldest_file, now)
        yield _ages("ykt_oldest_unanswered_batch_age_seconds",
                    "Seconds since the bank's oldest DISPATCHED batch (waiting for results) was dispatched; "
                    "0 when none waits", banks, oldest_batch, now)

        family = GaugeMetricFamily("ykt_lease_held", "1 for each lease held now (dispatch:BATCH, poll:BANK) "
                                   "and the instance holding it", labels=["lease", "owner"])
        remaining = GaugeMetricFamily("ykt_lease_remaining_seconds", "Seconds until a held lease runs out "
                                      "unless renewed", labels=["lease", "owner"])
        for name, owner, until in held:
            if until is not None and aware(until) > now:
                family.add_metric([name, owner], 1)
                remaining.add_metric([name, owner], (aware(until) - now).total_seconds())
        yield family
        yield remaining


def _ages(name: str, documentation: str, banks: list[str], oldest: dict, now: datetime) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=["bank"])
    for bank in sorted(set(banks) | set(oldest)):
        since = oldest.get(bank)
        family.add_metric([bank], max(0.0, (now - aware(since)).total_seconds()) if since is not None else 0.0)
    return family


_collector: LedgerCollector | None = None


def start(ctx, address: str):
    """Serve ``/metrics`` on ``address`` ("HOST:PORT"; port 0 picks one) in a daemon thread; returns
    the HTTP server (``server_port`` is the port). The ledger's gauges are read through ``ctx``."""
    global _collector
    from i18n import Phrase
    from service.config import ConfigError

    host, _, port_text = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    try:
        port = int(port_text)
    except ValueError:
        raise ConfigError(Phrase.of("config.metrics.host_port", address=repr(address))) from None
    if _collector is not None:
        REGISTRY.unregister(_collector)
    _collector = LedgerCollector(ctx)
    REGISTRY.register(_collector)
    try:
        server, _thread = start_http_server(port, host, registry=REGISTRY)
    except OSError as exc:
        raise ConfigError(Phrase.of("config.metrics.listen", address=address, why=str(exc.strerror or exc))) from None
    return server
