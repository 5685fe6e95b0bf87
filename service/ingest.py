"""Ingest: take a bank's result file and book it into the ledger exactly once.

A result file is recorded by bank and content digest before it is read. Its records are staged
and checked against the batch inside one database transaction; only a file that reads cleanly
and agrees with the batch is booked, in that same transaction. So a crash anywhere books nothing
(the file stays RECEIVED and is read again), a second delivery of the same bytes books nothing
(it is recorded as DUPLICATE), and a bad file books nothing (QUARANTINED, with the reasons).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from bank_formats import FormatError
from domain.reasons import reclassify
from domain.model import BatchStatus, FileState, LineStatus
from ledger import store
from service.batches import accounts_of
from service.context import Context
from service.errors import NotFound
from sftp.client import sha256_file

log = logging.getLogger("ykt.ingest")

_FINAL = (FileState.BOOKED.value, FileState.QUARANTINED.value)


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    file_id: int
    state: FileState
    batch_id: str | None = None
    booked_lines: int = 0
    booked_fen: int = 0
    duplicate_of: int | None = None
    problems: list[str] = field(default_factory=list)


class _Quarantine(Exception):
    def __init__(self, problems: list[str], batch_id: str | None = None):
        self.problems = problems
        self.batch_id = batch_id


def ingest_file(
    ctx: Context, bank_code: str, local_path: Path, name: str, remote_path: str | None = None,
    actor: str = "worker",
) -> IngestOutcome:
    """Record and book one result file. ``actor`` is who handed it in (the worker for SFTP)."""
    bank = ctx.settings.bank(bank_code)
    size, sha256 = sha256_file(local_path)
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        first = store.first_delivery(conn, "IN", bank_code, sha256)
        if first is not None and first.state in _FINAL:
            dup_id = store.insert_file(
                conn, direction="IN", bank_code=bank_code, batch_id=first.batch_id, name=name,
                remote_path=remote_path, sha256=sha256, size=size, state=FileState.DUPLICATE.value,
                duplicate_of=first.id, created_at=now, updated_at=now,
                last_error=f"same content as file {first.id} ({first.name}); nothing booked",
            )
            log.info("bank %s: %s is a re-delivery of file %s; booked nothing", bank_code, name, first.id)
            return IngestOutcome(dup_id, FileState.DUPLICATE, first.batch_id, duplicate_of=first.id)
        if first is not None:  # an earlier attempt stopped before booking: take it up again
            file_id = first.id
        else:
            file_id = store.insert_file(
                conn, direction="IN", bank_code=bank_code, name=name, remote_path=remote_path,
                sha256=sha256, size=size, state=FileState.RECEIVED.value, created_at=now,
                updated_at=now,
            )

    try:
        with ctx.engine.begin() as conn:
            return _stage_and_book(ctx, conn, bank, file_id, local_path, name, actor)
    except (_Quarantine, FormatError) as exc:
        problems = exc.problems if isinstance(exc, _Quarantine) else [str(p) for p in exc.problems]
        batch_id = exc.batch_id if isinstance(exc, _Quarantine) else None
        with ctx.engine.begin() as conn:
            store.update_file(
                conn, file_id, state=FileState.QUARANTINED.value, batch_id=batch_id,
                last_error="; ".join(problems[:20]), updated_at=ctx.clock(),
            )
        log.warning("bank %s: %s quarantined, nothing booked: %s", bank_code, name, problems[:3])
        return IngestOutcome(file_id, FileState.QUARANTINED, batch_id, problems=problems)


def _stage_and_book(ctx: Context, conn, bank, file_id: int, local_path: Path, name: str, actor: str) -> IngestOutcome:
    fmt = bank.bank_format
    with open(local_path, "rb") as src:
        reader = fmt.read_results(src, name)
        header = reader.header
        batch = store.get_batch(conn, header.batch_id, for_update=True)
        if batch is None:
            raise _Quarantine([f"result file names batch {header.batch_id}, which does not exist"])
        if batch.bank_code != bank.code:
            raise _Quarantine([f"batch {batch.id} belongs to bank {batch.bank_code}, not {bank.code}"], batch.id)
        sent = store.outbound_file(conn, batch.id)
        if sent is None or sent.message_id != header.original_file_id:
            raise _Quarantine(
                [f"result file answers payment file {header.original_file_id!r}, which was not "
                 f"sent for batch {batch.id}"], batch.id)
        if batch.status not in (BatchStatus.DISPATCHED.value, BatchStatus.RESULTS_COMPLETE.value):
            raise _Quarantine([f"batch {batch.id} is {batch.status}; results are not accepted"], batch.id)
        rows = []
        own_codes = bank.reason_codes
        for ordinal, rec in enumerate(reader):
            if own_codes:
                rec = reclassify(rec, own_codes)
            rows.append((
                file_id, ordinal, batch.id, rec.seq, rec.outcome.value, rec.amount_fen,
                rec.reason.value if rec.reason else None, rec.bank_code or None, rec.bank_text or None,
            ))
            if len(rows) >= store.CHUNK:
                store.insert_result_lines(conn, rows)
                rows = []
        if rows:
            store.insert_result_lines(conn, rows)

    check = store.check_staged(conn, file_id)
    problems = (
        [f"line {s}: not in batch {batch.id}" for s in check.unknown_lines]
        + [f"line {s}: bank reports {got} fen, instructed {want} fen" for s, want, got in check.amount_mismatches]
        + [f"line {s}: already {status}; a second result is not booked" for s, status in check.not_pending]
        + [f"line {s}: appears more than once in the file" for s in check.repeated_in_file]
    )
    now = ctx.clock()
    if problems:
        # Keep what the bank claimed (the reconciliation reports it) but book none of it.
        store.update_file(
            conn, file_id, state=FileState.QUARANTINED.value, batch_id=batch.id,
            message_id=header.file_id[:35], line_count=header.count,
            last_error="; ".join(problems[:20]), updated_at=now,
        )
        log.warning("bank %s: %s contradicts batch %s, nothing booked: %s", bank.code, name, batch.id, problems[:3])
        return IngestOutcome(file_id, FileState.QUARANTINED, batch.id, problems=problems)

    count, total = store.book_result_file(conn, file_id, batch.id, accounts_of(batch), now)
    store.update_file(
        conn, file_id, state=FileState.BOOKED.value, batch_id=batch.id,
        message_id=header.file_id[:35], line_count=count, last_error=None, updated_at=now,
    )
    store.audit(conn, now, actor, "BOOK_RESULTS", batch.id, None, f"file {file_id} {name}: {count} lines, {total} fen")
    pending = store.line_status_totals(conn, batch.id).get(LineStatus.PENDING.value, (0, 0))[0]
    if pending == 0:
        store.update_batch(conn, batch.id, BatchStatus.DISPATCHED, status=BatchStatus.RESULTS_COMPLETE.value)
    log.info("bank %s: booked %s: %d lines, %d fen, batch %s", bank.code, name, count, total, batch.id)
    return IngestOutcome(file_id, FileState.BOOKED, batch.id, booked_lines=count, booked_fen=total)


def get_file(ctx: Context, file_id: int):
    with ctx.engine.connect() as conn:
        row = store.get_file(conn, file_id)
    if row is None:
        raise NotFound(f"no file {file_id}")
    return row
