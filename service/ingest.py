"""Ingest: take a bank's result file and book it into the ledger exactly once.

A result file is recorded by bank and content digest before it is read (RECEIVED). Its records
are staged and checked against the batch inside one database transaction; only a file that
reads cleanly and agrees with the batch is booked, in that same transaction. So a crash
anywhere books nothing (the file stays RECEIVED and is read again), a second delivery of the
same bytes books nothing (it is recorded as DUPLICATE), and a bad file books nothing
(QUARANTINED, with the reasons, listed by the reconciliation).

Several instances may fetch the same remote file at once. The unique index on (direction,
bank, sha256) of first deliveries lets exactly one of them record it; booking claims the
RECEIVED row inside the booking transaction (a row lock on PostgreSQL, the single writer on
SQLite), so exactly one books it. Another fetch of the *same* remote file (same path, size and
mtime) records nothing new; the same bytes from another file (another name, or delivered again)
are recorded as DUPLICATE. When the poller works under its lease, every transaction here
first checks the lease's fence: an instance that lost its lease books nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bank_formats import FormatError
from domain.model import OUTBOUND_PENDING, BatchStatus, FileState, LineStatus
from domain.reasons import reclassify
from filesec import FileSecurityError
from ledger import store
from service import file_security
from service.batches import accounts_of
from service.context import Context
from service.errors import NotFound
from service.leases import Lease
from sftp.client import sha256_file

log = logging.getLogger("ykt.ingest")


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    file_id: int
    state: FileState
    batch_id: str | None = None
    booked_lines: int = 0
    booked_fen: int = 0
    duplicate_of: int | None = None
    problems: list[str] = field(default_factory=list)
    # False: another instance is booking these bytes right now; leave the bank's copy in place.
    settled: bool = True
    # This very remote file (path, size, mtime) was taken before: nothing new was recorded.
    already_taken: bool = False


class _Quarantine(Exception):
    def __init__(self, problems: list[str], batch_id: str | None = None, claimed: str | None = None):
        self.problems = problems
        self.batch_id = batch_id
        self.claimed = claimed or batch_id


def ingest_file(
    ctx: Context, bank_code: str, local_path: Path, name: str, remote_path: str | None = None,
    actor: str = "worker", *, remote_mtime: int | None = None, lease: Lease | None = None,
    signature: Path | None = None,
) -> IngestOutcome:
    """Record and book one result file. ``actor`` is who handed it in (the worker for SFTP);
    ``remote_path``/``remote_mtime`` where it came from on the bank's side; ``lease`` the
    poller's, whose fence every change checks; ``signature`` the bank's detached signature that
    came with it (``NAME.sig``), if any."""
    bank = ctx.settings.bank(bank_code)
    size, sha256 = sha256_file(local_path)
    origin = (remote_path, size, remote_mtime) if remote_path is not None else None
    for _round in range(3):
        file_id, outcome = _record(ctx, lease, bank_code, name, origin, size, sha256)
        if outcome is not None:
            return outcome
        outcome = _book(ctx, lease, bank, file_id, local_path, signature, name, actor)
        if outcome is not None:
            return outcome
        # Someone settled these bytes between our two steps: record what we fetched against it.
    raise RuntimeError(f"bank {bank_code}: {name}: could not settle file {file_id}")  # pragma: no cover


def _check(lease: Lease | None, conn) -> None:
    if lease is not None:
        lease.check(conn)


def _settled_outcome(row, **extra) -> IngestOutcome:
    return IngestOutcome(row.id, FileState(row.state), row.batch_id, duplicate_of=row.duplicate_of,
                         problems=[row.last_error] if row.state == FileState.QUARANTINED.value and row.last_error
                         else [], **extra)


def _record(ctx: Context, lease: Lease | None, bank_code: str, name: str, origin, size: int, sha256: str):
    """(file id, None) when the bytes are to be booked now, or (id, outcome) when they were
    taken before."""
    for attempt in range(2):
        now = ctx.clock()
        try:
            with ctx.engine.begin() as conn:
                _check(lease, conn)
                first = store.first_delivery(conn, "IN", bank_code, sha256)
                if first is None:
                    return store.insert_file(
                        conn, direction="IN", bank_code=bank_code, name=name,
                        remote_path=origin[0] if origin else None, remote_mtime=origin[2] if origin else None,
                        sha256=sha256, size=size, state=FileState.RECEIVED.value, created_at=now,
                        updated_at=now, handled_by=lease.owner if lease else None,
                        fence=lease.fence if lease else None,
                    ), None
                if first.state == FileState.RECEIVED.value:
                    return first.id, None  # an earlier attempt stopped before booking, or one is booking now
                same = store.inbound_by_remote(conn, bank_code, *origin) if origin is not None else []
                if same:  # this very remote file, taken a moment ago (by another instance, say)
                    return same[0].id, _settled_outcome(same[0], already_taken=True)
                dup_id = store.insert_file(
                    conn, direction="IN", bank_code=bank_code, batch_id=first.batch_id,
                    claimed_batch_id=first.claimed_batch_id, name=name,
                    remote_path=origin[0] if origin else None, remote_mtime=origin[2] if origin else None,
                    sha256=sha256, size=size, state=FileState.DUPLICATE.value, duplicate_of=first.id,
                    created_at=now, updated_at=now, handled_by=lease.owner if lease else None,
                    fence=lease.fence if lease else None,
                    last_error=(f"empty file (0 bytes), like file {first.id} ({first.name}); nothing booked"
                                if size == 0 else f"same content as file {first.id} ({first.name}); nothing booked"),
                )
                log.info("bank %s: %s is a re-delivery of file %s; booked nothing", bank_code, name, first.id)
                return dup_id, IngestOutcome(dup_id, FileState.DUPLICATE, first.batch_id, duplicate_of=first.id)
        except IntegrityError:
            if attempt:
                raise
            # Another instance recorded the same bytes a moment ago: look again.
    raise AssertionError("unreachable")  # pragma: no cover


def _book(ctx: Context, lease: Lease | None, bank, file_id: int, local_path: Path, signature: Path | None,
          name: str, actor: str) -> IngestOutcome | None:
    """Book (or quarantine) a RECEIVED file; None when it was settled by someone else meanwhile."""
    try:
        with ctx.engine.begin() as conn:
            _check(lease, conn)
            if not store.claim_received(conn, file_id):
                row = store.get_file(conn, file_id)
                if row.state == FileState.RECEIVED.value:  # another instance is booking it right now
                    log.info("bank %s: %s is being booked by another instance", bank.code, name)
                    return IngestOutcome(file_id, FileState.RECEIVED, settled=False)
                return None
            readable = open_inbound(ctx, bank, local_path, signature, name)
            try:
                return _stage_and_book(ctx, conn, bank, file_id, readable, name, actor, lease)
            finally:
                if readable != local_path:
                    readable.unlink(missing_ok=True)
    except (_Quarantine, FormatError) as exc:
        problems = exc.problems if isinstance(exc, _Quarantine) else [str(p) for p in exc.problems]
        batch_id = exc.batch_id if isinstance(exc, _Quarantine) else None
        claimed = exc.claimed if isinstance(exc, _Quarantine) else None
        with ctx.engine.begin() as conn:
            _check(lease, conn)
            if not store.move_file(
                conn, file_id, [FileState.RECEIVED.value], state=FileState.QUARANTINED.value,
                batch_id=batch_id, claimed_batch_id=claimed, last_error="; ".join(problems[:20]),
                handled_by=lease.owner if lease else None, fence=lease.fence if lease else None,
                updated_at=ctx.clock(),
            ):
                return None
        log.warning("bank %s: %s quarantined, nothing booked: %s", bank.code, name, problems[:3])
        return IngestOutcome(file_id, FileState.QUARANTINED, batch_id, problems=problems)


def open_inbound(ctx: Context, bank, received: Path, signature: Path | None, name: str) -> Path:
    """The file to read: ``received`` once its signature is verified and it is decrypted, as the
    bank's profile demands (:func:`service.file_security.open_inbound`); a file that fails is
    quarantined and books nothing. The digest that recognises re-deliveries is that of the bytes
    as received. The clear copy of an encrypted file goes to a private folder and is removed
    once read (see :func:`_book`)."""
    try:
        return file_security.open_inbound(bank, received, signature, _clear_folder(ctx, bank), name=name)
    except FileSecurityError as exc:
        raise _Quarantine([f"file security: {exc}"]) from exc


def _clear_folder(ctx: Context, bank) -> Path:
    folder = ctx.settings.data_dir / "inbound" / bank.code / "clear"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _read(reader):
    """The reader's records; anything it cannot read (not only a FormatError) quarantines the
    file, so a bad file is never fetched and read again and again."""
    records = iter(reader)
    while True:
        try:
            yield next(records)
        except StopIteration:
            return
        except (FormatError, SQLAlchemyError):
            raise
        except Exception as exc:  # noqa: BLE001 - a reader's surprise is the file's fault
            raise _Quarantine([f"unreadable: {type(exc).__name__}: {exc}"]) from exc


def _stage_and_book(ctx: Context, conn, bank, file_id: int, local_path: Path, name: str, actor: str,
                    lease: Lease | None) -> IngestOutcome:
    fmt = bank.bank_format
    if local_path.stat().st_size == 0:
        raise _Quarantine(["empty file (0 bytes): no header and no records"])
    now = ctx.clock()
    with open(local_path, "rb") as src:
        try:
            reader = fmt.read_results(src, name)
            header = reader.header
        except (FormatError, SQLAlchemyError):
            raise
        except Exception as exc:  # noqa: BLE001
            raise _Quarantine([f"unreadable header: {type(exc).__name__}: {exc}"]) from exc
        claimed = (header.batch_id or "")[:20] or None
        batch = store.get_batch(conn, header.batch_id, for_update=True)
        if batch is None:
            raise _Quarantine([f"result file names batch {header.batch_id}, which does not exist "
                               f"(answers payment file {header.original_file_id!r})"], claimed=claimed)
        if batch.bank_code != bank.code:
            raise _Quarantine([f"batch {batch.id} belongs to bank {batch.bank_code}, not {bank.code}"], batch.id)
        sent = store.outbound_file(conn, batch.id, header.original_file_id)
        if sent is None:
            raise _Quarantine(
                [f"result file answers payment file {header.original_file_id!r}, which was not "
                 f"sent for batch {batch.id}"], batch.id)
        _acknowledge(conn, batch, sent, now, name)
        batch = store.get_batch(conn, batch.id)
        if batch.status not in (BatchStatus.DISPATCHED.value, BatchStatus.RESULTS_COMPLETE.value):
            raise _Quarantine([f"batch {batch.id} is {batch.status}; results are not accepted"], batch.id)
        rows = []
        own_codes = bank.reason_codes
        for ordinal, rec in enumerate(_read(reader)):
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

    store.refresh_statistics(conn, "result_lines")
    check = store.check_staged(conn, file_id)
    problems = (
        [f"line {s}: not in batch {batch.id}" for s in check.unknown_lines]
        + [f"line {s}: bank reports {got} fen, instructed {want} fen" for s, want, got in check.amount_mismatches]
        + [f"line {s}: already {status}; a second result is not booked" for s, status in check.not_pending]
        + [f"line {s}: appears more than once in the file" for s in check.repeated_in_file]
    )
    who = {"handled_by": lease.owner, "fence": lease.fence} if lease is not None else {}
    if problems:
        # Keep what the bank claimed (the reconciliation reports it) but book none of it.
        store.move_file(
            conn, file_id, [FileState.RECEIVED.value], state=FileState.QUARANTINED.value, batch_id=batch.id,
            claimed_batch_id=batch.id, message_id=header.file_id[:35], line_count=header.count,
            last_error="; ".join(problems[:20]), updated_at=now, **who,
        )
        log.warning("bank %s: %s contradicts batch %s, nothing booked: %s", bank.code, name, batch.id, problems[:3])
        return IngestOutcome(file_id, FileState.QUARANTINED, batch.id, problems=problems)

    count, total = store.book_result_file(conn, file_id, batch.id, accounts_of(batch), now)
    if not store.move_file(
        conn, file_id, [FileState.RECEIVED.value], state=FileState.BOOKED.value, batch_id=batch.id,
        claimed_batch_id=batch.id, message_id=header.file_id[:35], line_count=count, last_error=None,
        updated_at=now, **who,
    ):
        raise RuntimeError(f"file {file_id} left RECEIVED while this transaction held it")  # rolls back
    store.audit(conn, now, actor, "BOOK_RESULTS", batch.id, None, f"file {file_id} {name}: {count} lines, {total} fen")
    pending = store.line_status_totals(conn, batch.id).get(LineStatus.PENDING.value, (0, 0))[0]
    if pending == 0:
        store.update_batch(conn, batch.id, BatchStatus.DISPATCHED, status=BatchStatus.RESULTS_COMPLETE.value)
    log.info("bank %s: booked %s: %d lines, %d fen, batch %s", bank.code, name, count, total, batch.id)
    return IngestOutcome(file_id, FileState.BOOKED, batch.id, booked_lines=count, booked_fen=total)


def _acknowledge(conn, batch, sent, now, name: str) -> None:
    """A result file answering our payment file shows the bank took it: ACKNOWLEDGED. If the
    file was still recorded as on its way (an instance stopped between the bank's read-back and
    recording it), the bank evidently has it, and the batch is dispatched."""
    if sent.state == FileState.DELIVERED.value:
        store.move_file(conn, sent.id, [FileState.DELIVERED.value], state=FileState.ACKNOWLEDGED.value,
                        acknowledged_at=now, updated_at=now)
    elif sent.state in OUTBOUND_PENDING and batch.status == BatchStatus.FUNDED.value:
        store.move_file(conn, sent.id, [s.value for s in OUTBOUND_PENDING], state=FileState.ACKNOWLEDGED.value,
                        delivered_at=now, acknowledged_at=now, updated_at=now,
                        last_error=f"the bank answered it ({name}) before its delivery was recorded")
        store.update_batch(conn, batch.id, BatchStatus.FUNDED, status=BatchStatus.DISPATCHED.value,
                           dispatched_at=now)
        log.warning("batch %s: the bank answered %s before its delivery was recorded; taken as delivered",
                    batch.id, sent.name)


def get_file(ctx: Context, file_id: int):
    with ctx.engine.connect() as conn:
        row = store.get_file(conn, file_id)
    if row is None:
        raise NotFound(f"no file {file_id}")
    return row
