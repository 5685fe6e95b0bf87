"""Ingest: take a bank's result file and book it into the ledger exactly once.

A result file is recorded by bank and content digest before it is read (RECEIVED). Its records
are staged and checked against the batch inside one database transaction; only a file that
reads cleanly and agrees with the batch is booked, in that same transaction. So a crash
anywhere books nothing (the file stays RECEIVED and is read again), a second delivery of the
same bytes books nothing (it is recorded as DUPLICATE), and a bad file books nothing
(QUARANTINED, with the reasons, listed by the reconciliation). A camt.054 notification may list
the debits of several of our payment files: the file's own row books its first batch and a part
row (``files.part_of``) each other, in that same transaction, each batch under a savepoint so that
one refused is quarantined alone (see :func:`_stage_and_book`).

Several instances may fetch the same remote file at once. The unique index on (direction,
bank, sha256) of first deliveries lets exactly one of them record it; booking claims the
RECEIVED row inside the booking transaction (a row lock on PostgreSQL, the single writer on
SQLite), so exactly one books it. Another fetch of the *same* remote file (same path, size and
mtime) records nothing new; the same bytes from another file (another name, or delivered again)
are recorded as DUPLICATE. When the poller works under its lease, every transaction here
first checks the lease's fence: an instance that lost its lease books nothing.
"""
from __future__ import annotations

import gc
import logging
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from pathlib import Path

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bank_formats import FormatError
from bank_formats.iso20022 import CODE_TO_REASON
from domain import booking
from domain.booking import LineState
from domain.model import (
    OUTBOUND_PENDING,
    BatchStatus,
    FailureReason,
    FileState,
    LineStatus,
    PaymentOutcome,
    ResultRecord,
    payment_round,
)
from domain.reading_report import reading_columns, reading_report
from domain.reasons import reclassify
from filesec import FileSecurityError
from i18n import Named, Phrase
from i18n.library_words import said
from i18n.stored import as_phrase, fit, message, messages, shown
from ledger import store
from ledger.store import lines as store_lines
from ledger.store import results as staging
from privacy.cipher import ACCOUNT
from service import file_security
from service.batches import accounts_of
from service.context import Context
from service.errors import InvalidInput, NotFound, Violation
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
    problems: list[str] = field(default_factory=list)  # stored messages (i18n.stored), said where shown
    # False: another instance is booking these bytes right now; leave the bank's copy in place.
    settled: bool = True
    # This very remote file (path, size, mtime) was taken before: nothing new was recorded.
    already_taken: bool = False
    # A notification covering several batches: the part rows of its other batches, booked or
    # quarantined each (booked_lines, booked_fen and problems above count them too).
    parts: tuple[IngestOutcome, ...] = ()


#: A batch takes results once dispatched, until it is closed (FUNDED again: a re-issue file waits
#: to go, and the bank may still answer the files before it).
ANSWERABLE = frozenset({BatchStatus.DISPATCHED.value, BatchStatus.RESULTS_COMPLETE.value, BatchStatus.FUNDED.value})

#: A notification's reason for skipping a transaction that names another batch than the one read.
OTHER_BATCH = "OTHER_BATCH"


class _Quarantine(Exception):
    """Why a file is quarantined: ``problems`` are stored messages (i18n.stored)."""

    def __init__(self, problems: list[str], batch_id: str | None = None, claimed: str | None = None):
        self.problems = problems
        self.batch_id = batch_id
        self.claimed = claimed or batch_id


def _refusal(exc: _Quarantine | FormatError, batch_id: str | None = None) -> _Quarantine:
    """Either refusal as a quarantine: a bank format's problems kept in their own words (stored
    messages), listed under ``batch_id`` when the file named it."""
    return exc if isinstance(exc, _Quarantine) else _Quarantine([p.stored() for p in exc.problems], batch_id)


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
                    last_error=message("ingest.duplicate_empty" if size == 0 else "ingest.duplicate",
                                       file=first.id, name=first.name),
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
        refused = _refusal(exc)
        problems, batch_id, claimed = refused.problems, refused.batch_id, refused.claimed
        with ctx.engine.begin() as conn:
            _check(lease, conn)
            if not store.move_file(
                conn, file_id, [FileState.RECEIVED.value], state=FileState.QUARANTINED.value,
                batch_id=batch_id, claimed_batch_id=claimed, last_error=messages(problems[:20]),
                handled_by=lease.owner if lease else None, fence=lease.fence if lease else None,
                updated_at=ctx.clock(),
            ):
                return None
        log.warning("bank %s: %s quarantined, nothing booked: %s", bank.code, name,
                    [shown(p, "en") for p in problems[:3]])
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
        raise _Quarantine([message("ingest.file_security", error=said(exc))]) from exc


def _clear_folder(ctx: Context, bank) -> Path:
    folder = ctx.settings.data_dir / "inbound" / bank.code / "clear"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _stage_and_book(ctx: Context, conn, bank, file_id: int, local_path: Path, name: str, actor: str,
                    lease: Lease | None) -> IngestOutcome:
    """Book the file's batch under its own row; a notification naming other batches books each
    under a part row (:func:`_book_part`), in this same transaction. Each batch is booked under a
    savepoint, so that a batch refused (unknown, another bank's, not taking results, its records
    unreadable) is quarantined alone while the others book; when the file's own batch is refused,
    its own row is quarantined and the other batches still book."""
    if local_path.stat().st_size == 0:
        raise _Quarantine([message("ingest.empty")])
    now = ctx.clock()
    refused = None
    with open(local_path, "rb") as src:
        try:
            reader = bank.bank_format.read_results(src, name)
            header = reader.header
        except (FormatError, SQLAlchemyError):
            raise
        except Exception as exc:  # noqa: BLE001
            raise _Quarantine([message("ingest.unreadable_header", error=f"{type(exc).__name__}: {exc}")]) from exc
        try:
            with conn.begin_nested():
                own = _book_batch(ctx, conn, bank, file_id, reader, header.original_file_id, name, actor, now)
        except _Quarantine as exc:
            others = _others_after_refusal(reader)
            if not others:
                raise  # the file's one batch: the whole file is quarantined (see _book)
            refused = exc
        else:
            others = getattr(reader, "other_batches", None)
    who = {"handled_by": lease.owner, "fence": lease.fence} if lease is not None else {}
    others = others or {}
    if others and getattr(reader, "unnamed", 0):
        # a line number naming no batch could be any batch's: booked as a line of each, it would
        # pay one debit several times; the whole booking rolls back and the file is quarantined
        raise _Quarantine([message("ingest.unattributed", count=reader.unnamed,
                                   batches=", ".join([header.batch_id, *others]))],
                          claimed=(header.batch_id or "")[:20] or None)
    parts = []
    if others:
        row = _part_row(conn, bank, file_id, name, header, who, now)
        parts = [_book_part(ctx, conn, bank, row, local_path, batch_id, other.original_file_id, actor, now,
                            getattr(reader, "skipped", [])) for batch_id, other in others.items()]
    report = _own_report(reader, own if refused is None else None, refused, others, parts)
    if refused is None:
        moved = store.move_file(
            conn, file_id, [FileState.RECEIVED.value], state=FileState.BOOKED.value, batch_id=own.batch_id,
            claimed_batch_id=own.batch_id, message_id=header.file_id[:35], line_count=own.staged.records,
            last_error=own.staged.summary() or None, updated_at=now, **who, **reading_columns(report))
        outcome = IngestOutcome(file_id, FileState.BOOKED, own.batch_id, booked_lines=own.count,
                                booked_fen=own.total, problems=own.staged.problems)
    else:
        moved = store.move_file(
            conn, file_id, [FileState.RECEIVED.value], state=FileState.QUARANTINED.value, batch_id=refused.batch_id,
            claimed_batch_id=refused.claimed, message_id=header.file_id[:35],
            last_error=messages(refused.problems[:20]), updated_at=now, **who, **reading_columns(report))
        outcome = IngestOutcome(file_id, FileState.QUARANTINED, refused.batch_id, problems=refused.problems)
        log.warning("bank %s: %s: its batch %s quarantined, nothing booked for it: %s", bank.code, name,
                    refused.claimed, [shown(p, "en") for p in refused.problems[:3]])
    if not moved:
        raise RuntimeError(f"file {file_id} left RECEIVED while this transaction held it")  # rolls back
    if not parts:
        return outcome
    return replace(outcome, parts=tuple(parts), booked_lines=outcome.booked_lines + sum(p.booked_lines for p in parts),
                   booked_fen=outcome.booked_fen + sum(p.booked_fen for p in parts),
                   problems=outcome.problems + [message("ingest.part_problem", batch=batch_id, file=p.file_id,
                                                        problem=as_phrase(problem))
                                                for batch_id, p in zip(others, parts) for problem in p.problems])


@dataclass(frozen=True, slots=True)
class _Booked:
    """One batch of a result file booked: the batch, what staging found, and what booking moved."""

    batch_id: str
    staged: _Staged
    count: int
    total: int


def _book_batch(ctx: Context, conn, bank, file_id: int, reader, original_file_id: str, name: str, actor: str,
                now) -> _Booked:
    """Check the batch ``reader`` reads (its header's), answering our payment file
    ``original_file_id`` ("": the latest), stage its records under ``file_id`` and book them;
    _Quarantine when the batch does not take them. The file row's own move (BOOKED, its reading
    report) is the caller's."""
    header = reader.header
    claimed = (header.batch_id or "")[:20] or None
    batch = store.get_batch(conn, header.batch_id, for_update=True)
    if batch is None:
        raise _Quarantine([message("ingest.batch_unknown", batch=header.batch_id, file=repr(original_file_id))],
                          claimed=claimed)
    if batch.bank_code != bank.code:
        raise _Quarantine([message("ingest.other_bank", batch=batch.id, owner=batch.bank_code, bank=bank.code)],
                          batch.id)
    # (a bank's notification (camt.054) may not echo our message id: then the latest sent file)
    sent = store.outbound_file(conn, batch.id, original_file_id or None)
    if sent is None:
        raise _Quarantine([message("ingest.not_sent", file=repr(original_file_id), batch=batch.id)], batch.id)
    _acknowledge(conn, batch, sent, now, name)
    batch = store.get_batch(conn, batch.id)
    if batch.dispatched_at is None or batch.status not in ANSWERABLE:
        raise _Quarantine([message("ingest.not_answerable", batch=batch.id,
                                   status=Named("batch_status", batch.status))], batch.id)
    try:
        booked = _stage(ctx, conn, batch, file_id, payment_round(sent.message_id, batch.id), reader,
                        bank.reason_codes)
    except FormatError as exc:  # the header named the batch: the file is listed under it
        raise _refusal(exc, batch.id) from exc
    except _Quarantine as exc:
        raise _Quarantine(exc.problems, batch.id) from exc

    store.refresh_statistics(conn, "result_lines")
    count, total = store.book_result_file(conn, file_id, batch.id, accounts_of(batch), now)
    store.audit(conn, now, actor, "BOOK_RESULTS", batch.id, None,
                message("audit.book_results_exceptions", file=file_id, name=name, count=count, fen=total,
                        exceptions=booked.counts()) if booked.exceptions
                else message("audit.book_results", file=file_id, name=name, count=count, fen=total))
    if not store_lines.has_status(conn, batch.id, LineStatus.PENDING.value):
        store.update_batch(conn, batch.id, BatchStatus.DISPATCHED, status=BatchStatus.RESULTS_COMPLETE.value)
    if booked.exceptions:
        log.warning("bank %s: booked %s for batch %s with exceptions: %s", bank.code, name, batch.id,
                    shown(booked.summary(), "en"))
    log.info("bank %s: booked %s: %d lines, %d fen, batch %s", bank.code, name, count, total, batch.id)
    return _Booked(batch.id, booked, count, total)


def _others_after_refusal(reader) -> dict:
    """The other batches of a notification whose own batch was refused: the rest of the file is
    read for them (the refused batch's records are not staged). Empty when the file names no
    other batch, or did not read soundly (cut short, a bad entry): then it is quarantined whole."""
    if not hasattr(reader, "other_batches"):
        return {}
    try:
        for _ in reader:  # (nothing left when staging read it to its end)
            pass
    except FormatError:
        pass  # a problem of the refused batch's records; others_known says whether the rest read
    return reader.other_batches if reader.others_known else {}


def _part_row(conn, bank, file_id: int, name: str, header, who: dict, now) -> dict:
    """The columns every part row of file ``file_id`` shares with it (bank, name, digest, size,
    arrival), read once for all its parts."""
    own = store.get_file(conn, file_id)
    return {"direction": "IN", "bank_code": bank.code, "name": name, "sha256": own.sha256, "size": own.size,
            "part_of": file_id, "message_id": header.file_id[:35], "created_at": own.created_at, "updated_at": now,
            **who}


def _book_part(ctx: Context, conn, bank, row: dict, local_path: Path, batch_id: str, original_file_id: str,
               actor: str, now, file_skipped: list) -> IngestOutcome:
    """Book one other batch of a notification under a part row of the file (``row``, from
    :func:`_part_row`), or quarantine that part alone with its reason; the part row is listed
    under its batch. ``file_skipped``: what the file's own reading skipped (its report lists those)."""
    file_id, name = row["part_of"], row["name"]
    label = f"{name} (part of file {file_id})"
    try:
        with conn.begin_nested():
            part_id = store.insert_file(conn, state=FileState.RECEIVED.value, claimed_batch_id=batch_id[:20], **row)
            with open(local_path, "rb") as src:
                reader = bank.bank_format.read_results(src, name, batch_id=batch_id)
                done = _book_batch(ctx, conn, bank, part_id, reader, original_file_id, label, actor, now)
            skipped = _skipped_here(reader.skipped, file_skipped)
            report = reading_report(done.staged.records, done.staged.read_fen, skipped, [
                message("reading_note.part_of", file=file_id, batch=batch_id)])
            if not store.move_file(conn, part_id, [FileState.RECEIVED.value], state=FileState.BOOKED.value,
                                   batch_id=done.batch_id, line_count=done.staged.records,
                                   last_error=done.staged.summary() or None, **reading_columns(report)):
                raise RuntimeError(f"part file {part_id} left RECEIVED while this transaction held it")
        return IngestOutcome(part_id, FileState.BOOKED, done.batch_id, booked_lines=done.count,
                             booked_fen=done.total, problems=done.staged.problems)
    except (_Quarantine, FormatError) as exc:
        refused = _refusal(exc)
        problems, batch, claimed = refused.problems, refused.batch_id, refused.claimed or batch_id[:20]
        part_id = store.insert_file(conn, state=FileState.QUARANTINED.value, batch_id=batch, claimed_batch_id=claimed,
                                    last_error=messages(problems[:20]), **row)
        log.warning("bank %s: %s: batch %s quarantined alone (part file %s), nothing booked for it: %s", bank.code,
                    name, batch_id, part_id, [shown(p, "en") for p in problems[:3]])
        return IngestOutcome(part_id, FileState.QUARANTINED, batch, problems=problems)


def _skipped_here(part_skipped: list, file_skipped: list) -> list:
    """What a part's reading skipped that the file's own did not: its batch's transactions that
    name no line (which the file's own reading listed as OTHER_BATCH, and leaves to the part).
    The others (an entry not final, in another currency, another batch's) are skipped alike by
    every reading of the file and listed once, in the file's own report."""
    left = Counter(s for s in file_skipped if s.reason != OTHER_BATCH)
    here = []
    for s in part_skipped:
        if s.reason == OTHER_BATCH:
            continue
        if left[s]:
            left[s] -= 1
        else:
            here.append(s)
    return here


def _own_report(reader, own: _Booked | None, refused: _Quarantine | None, others: dict,
                parts: list[IngestOutcome]) -> dict:
    """The reading report of the file's own row: what it read for its own batch (nothing, when
    that batch was refused), what it skipped, less the other batches' entries that parts booked,
    which a note names with the part instead. Notes are stored messages (i18n.stored), said in
    the language of whoever reads the report; a reader's own notes are kept as it wrote them."""
    skipped = getattr(reader, "skipped", [])
    notes = list(getattr(reader, "notes", []))
    if refused is not None:
        notes.append(message("reading_note.batch_refused", batch=refused.claimed,
                             problem=as_phrase(refused.problems[0])))
    elsewhere = set()
    for (batch_id, other), part in zip(others.items(), parts):
        entries = Phrase.of("reading_note.entries", count=len(other.skipped),
                            fen=sum(s.amount_fen or 0 for s in other.skipped))
        if part.state is FileState.BOOKED:
            elsewhere.update(id(s) for s in other.skipped)
            notes.append(message("reading_note.batch_in_part", batch=batch_id, entries=entries, part=part.file_id))
        else:
            notes.append(message("reading_note.batch_part_quarantined", batch=batch_id, entries=entries,
                                 part=part.file_id, problem=as_phrase(part.problems[0])))
    if elsewhere:
        skipped = [s for s in skipped if id(s) not in elsewhere]
    if own is None:
        return reading_report(0, 0, skipped, notes)
    return reading_report(own.staged.records, own.staged.read_fen, skipped, notes)


# The text stored for each code (a dict look-up: an enum's .value, three times a record, a
# million records a file, costs seconds).
_TEXT = {None: None, **{e: e.value for kind in (PaymentOutcome, FailureReason, booking.Disposition, LineStatus)
                       for e in kind}}


# Dispositions whose detail is kept with the record: a plain payment or failure says all in its code.
_NOTED = booking.EXCEPTIONS
_NO_REFS: frozenset[str] = frozenset()


@dataclass
class _Staged:
    """What staging a result file found: its records, and the exceptions among them by kind."""

    records: int = 0
    read_fen: int = 0  # the records' amounts, for the reading report
    exceptions: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # the first few (stored messages), for the caller

    def counts(self) -> list[Phrase]:
        return [Phrase.of("ingest.exception_count", count=n, kind=Named("disposition", kind))
                for kind, n in sorted(self.exceptions.items())]

    def summary(self) -> str:
        """The exceptions by kind as the file's stored note ("2 PAID_SHORT, 1 CONFLICT"); "" if none."""
        return message("ingest.exceptions", counts=self.counts()) if self.exceptions else ""


def _stage(ctx: Context, conn, batch, file_id: int, round_no: int, reader, own_codes) -> _Staged:
    """Decide what each record books (:func:`domain.booking.book`) and stage it, a chunk at a time.

    Each chunk's lines are read from the ledger in one query; a record for a line that an
    earlier record of this file already named sees the line as that record left it (one byte a
    seq tells which seqs were seen; the rare repeat reads the earlier records back from staging).
    The common record, the plain payment of a line waiting for it, is decided and staged without
    making the rules' records (what :func:`domain.booking.book` would decide, and tested to be).
    """
    with _no_cycle_collection():
        return _stage_records(ctx, conn, batch, file_id, round_no, reader, own_codes)


@contextmanager
def _no_cycle_collection():
    """Staging makes millions of short-lived tuples, none of them in a reference cycle; Python's
    cycle collector would otherwise walk the whole heap again and again meanwhile (measured: a
    quarter of the staging time at 300,000 records)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stage_records(ctx: Context, conn, batch, file_id: int, round_no: int, reader, own_codes) -> _Staged:
    out = _Staged()
    roster = batch.roster_count
    seen = bytearray(roster + 1)  # seen[seq]: a record of this file named the line
    strays_in_file: dict[int, set[str]] = {}  # references of this file's payments of seqs the batch does not have
    ordinal = 0
    index_many = ctx.cipher.index_many
    paid = PaymentOutcome.PAID

    def flush(chunk: list[ResultRecord]) -> None:
        nonlocal ordinal
        seqs = sorted({r.seq for r in chunk})
        refs = staging.payment_refs(conn, batch.id, seqs)
        waiting = staging.waiting_lines(conn, batch.id, seqs, names=any(r.name for r in chunk))
        # the blind index of the account each record names, where it can be compared (a masked
        # one, 6228****1234, cannot)
        accounts = index_many(ACCOUNT, [a if a and "*" not in a else None
                                        for a in [r.account_no.strip() for r in chunk]])
        # seq → the line as the last record of this chunk found it, what that record booked, and
        # whether the file had changed the line before (the state after it is made on a repeat
        # only); a plain payment leaves its record instead, for a repeat to decide again
        here: dict[int, tuple | ResultRecord] = {}
        plain: list[tuple] = []  # plain payments, staged with insert_paid_records
        others: list[tuple] = []  # every other record, decided by the rules below
        for rec, account_index in zip(chunk, accounts):
            seq = rec.seq
            line = waiting.get(seq)
            # The plain payment of a line (domain.booking's PAID from PENDING, decided without the
            # rules' records): the first record of this file naming an instructed line that waits
            # for its payment, paying exactly its amount to its account (and person), with no
            # payment booked for the seq before. tests/unit/service/test_ingest_fast_path.py holds
            # it to what domain.booking.book decides.
            if (line is not None and rec.outcome is paid and rec.amount_fen == line[1] and 0 < seq <= roster
                    and not seen[seq] and (account_index is None or account_index == line[2])
                    and (not rec.name or rec.name == line[3]) and seq not in refs and rec.reason is None):
                seen[seq] = 1
                here[seq] = rec
                plain.append((ordinal, seq, rec.amount_fen, rec.bank_code or None, rec.bank_text or None,
                              rec.bank_ref[:64] or None))
            elif 0 < seq <= roster:
                others.append((ordinal, rec, account_index, seen[seq]))  # named before this record, or not
                seen[seq] = 1
            else:
                others.append((ordinal, rec, account_index, 0))
            ordinal += 1
        staging.insert_paid_records(conn, file_id, batch.id, plain)
        if others:
            store.insert_result_lines(conn, _decide(conn, file_id, batch.id, round_no, others, here, refs,
                                                    strays_in_file, out))
        out.read_fen += sum([r.amount_fen for r in chunk])

    # the file's records, then those of a status it gives the whole file (read once the records are)
    records = chain(reader, _whole_file(conn, batch, round_no, reader))
    while True:
        try:
            chunk = list(islice(records, store.CHUNK))
        except (FormatError, SQLAlchemyError):
            raise
        except Exception as exc:  # noqa: BLE001 - a reader's surprise is the file's fault: quarantined, so a
            # bad file is never fetched and read again and again
            raise _Quarantine([message("ingest.unreadable", error=f"{type(exc).__name__}: {exc}")]) from exc
        if not chunk:
            break
        flush([reclassify(rec, own_codes) for rec in chunk] if own_codes else chunk)
    out.records = ordinal
    return out


def _whole_file(conn, batch, round_no: int, reader):
    """A final status a bank gives its whole payment file without listing a line (pain.002
    GrpSts, issue 15; ``whole_file`` of the reader: outcome, ISO code, bank code, text): a
    record of it for each line that file instructed and that is still pending."""
    whole = getattr(reader, "whole_file", None)
    if whole is None:
        return
    outcome, iso, code, text = whole[:4]
    reason = None if outcome is PaymentOutcome.PAID else CODE_TO_REASON.get(iso or code, FailureReason.OTHER)
    after = 0
    while True:
        rows = store.line_rows(conn, batch.id, [LineStatus.PENDING], limit=store.CHUNK, after_seq=after)
        if not rows:
            return
        for row in rows:
            if row.round == round_no:
                yield ResultRecord(row.seq, outcome, row.amount_fen, "", reason, code, text)
        after = rows[-1].seq


def _decide(conn, file_id: int, batch_id: str, round_no: int, others: list[tuple], here: dict, refs: dict,
            strays_in_file: dict[int, set[str]], out: _Staged) -> list[tuple]:
    """The rows to stage for the records of a chunk that are not plain payments, in file order:
    ``(ordinal, record, account index, named before)`` each, decided by
    :func:`domain.booking.book` on the line as the file's earlier records left it (``here``, this
    chunk's; staged, earlier chunks')."""
    states, strays = staging.line_states(conn, batch_id, sorted({rec.seq for _, rec, _, _ in others}), refs)
    rows = []
    for ordinal, rec, account_index, named_before in others:
        seq = rec.seq
        line = states.get(seq)
        earlier = here.get(seq)
        if earlier is not None:
            before, last, changed = earlier if type(earlier) is tuple else _plain_payment(earlier, line, round_no)
            line, changed = booking.after(before, last), changed or last.new_status is not None
        elif named_before:
            line, changed = _after_staged(conn, file_id, line)
        else:
            changed = False
        # the references booked for a seq the batch does not have, and this file's payments of it
        known = strays.get(seq, _NO_REFS).union(strays_in_file.get(seq, ())) if line is None else _NO_REFS
        b = booking.book(booking.Record(seq, rec.outcome, rec.amount_fen, account_index, rec.name, rec.bank_ref,
                                        round_no), line, changed_in_file=changed, refs=known)
        if line is not None:
            here[seq] = (line, b, changed)
        elif b.bank_ref:  # a payment of a seq the batch does not have: the same reference again is news of it
            strays_in_file.setdefault(seq, set()).add(b.bank_ref)
        if b.disposition in booking.EXCEPTIONS:
            out.exceptions[b.disposition.value] += 1
            if len(out.problems) < 20:
                out.problems.append(message("ingest.record_exception", record=ordinal + 1, seq=seq,
                                            disposition=Named("disposition", b.disposition.value),
                                            detail=as_phrase(b.detail)))
        rows.append((
            file_id, ordinal, batch_id, seq, _TEXT[rec.outcome], rec.amount_fen,
            _TEXT[rec.reason], rec.bank_code or None, rec.bank_text or None,
            rec.bank_ref[:64] or None, _TEXT[b.disposition], fit(b.detail, 200) if b.disposition in _NOTED else None,
            _TEXT[b.new_status], b.paid_fen, b.failed_fen, b.due_fen, int(b.from_suspense),
        ))
    return rows


def _plain_payment(rec: ResultRecord, line: LineState, round_no: int) -> tuple[LineState, booking.Booking, bool]:
    """What the plain payment ``rec`` of ``line`` (as the ledger holds it) found and booked,
    decided again by the rules: ``here``'s entry, when another record names the same line."""
    return line, booking.book(booking.Record(rec.seq, rec.outcome, rec.amount_fen, None, rec.name, rec.bank_ref,
                                             round_no), line), False


def _after_staged(conn, file_id: int, line: LineState | None) -> tuple[LineState | None, bool]:
    """The line as this file's records staged before this chunk left it."""
    changed = False
    if line is None:
        return None, False
    for b in store.staged_bookings(conn, file_id, line.seq):
        line = booking.after(line, b)
        changed = changed or b.new_status is not None
    return line, changed


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
                        last_error=message("ingest.answered_first", name=name))
        store.update_batch(conn, batch.id, BatchStatus.FUNDED, status=BatchStatus.DISPATCHED.value,
                           dispatched_at=now)
        log.warning("batch %s: the bank answered %s before its delivery was recorded; taken as delivered",
                    batch.id, sent.name)


def get_file(ctx: Context, file_id: int):
    with ctx.engine.connect() as conn:
        row = store.get_file(conn, file_id)
    if row is None:
        raise NotFound("error.file.none", file=file_id)
    return row


def exceptions(ctx: Context, batch_id: str, bank_code: str, page_token: str, size: int):
    """Records booked as exceptions, a page at a time: (rows, next page token). The token is the
    last record's ``file_id:ordinal``."""
    try:
        after = tuple(int(part) for part in page_token.split(":")) if page_token else (0, -1)
        if len(after) != 2:
            raise ValueError
    except ValueError:
        raise InvalidInput("error.request.page_token",
                           [Violation("page_token", "FORMAT", "pass next_page_token unchanged")]) from None
    with ctx.engine.connect() as conn:
        if batch_id and store.get_batch(conn, batch_id) is None:
            raise NotFound("error.batch.none", batch=batch_id)
        rows = store.exceptions(conn, batch_id=batch_id or None, bank_code=bank_code or None, after=after,
                                limit=size)
    token = f"{rows[-1].file_id}:{rows[-1].ordinal}" if len(rows) == size else ""
    return rows, token
