"""Dispatch: render a funded batch in its bank's format and deliver it to the bank's inbox, once.

Several service instances may share one database; the database decides who works on what.
Dispatching a batch takes the batch's lease (``dispatch:<batch>``, see :mod:`service.leases`)
and every change of its file checks the lease's fence, so an instance that lost the lease
changes nothing. A payment file moves

    GENERATED → UPLOADING → DELIVERED → ACKNOWLEDGED        (FAILED → UPLOADING again, later)

UPLOADING (with ``attempts`` + 1) is committed *before* the SFTP client is touched, DELIVERED
only after the client read the file back from the bank. In between, the SFTP client writes a
temporary copy at the bank, reads it back, and — after this module committed the *intent* to
rename it (``files.rename_temp``, ``rename_sent_at``) — renames it to its final name, once.
Before every attempt and before the rename the client calls back (:func:`_guard`): the lease
must still be ours and unexpired and the file still UPLOADING.

An instance that dies leaves UPLOADING behind. The next holder of the batch's lease (the same
instance restarted takes its own leases back at once, see :func:`service.leases.take_back_own`)
renders the same bytes from the ledger (id and creation time are stored with the file record;
the bytes must match the recorded SHA-256) and then:

* no intent recorded: no rename was ever sent, so uploading is safe (stale temporary copies
  are removed first);
* an intent recorded: the file is never written again. The bank's folders decide — the file
  under its final name, its temporary copy still waiting (then the rename is sent now), the
  marker left beside it, or the file in the folder where the bank keeps what it took; if none
  shows, the file waits for an operator (FAILED, "needs an operator") with that reason.

The bank never gets two different files for one batch, and a file at the bank is never rendered
or sent again: operators may re-render only a file that never reached it (:func:`regenerate`),
or record that it was carried another way (:func:`mark_delivered`).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bank_formats import FormatError, Problem
from domain import beijing
from domain.model import (
    OUTBOUND_AT_BANK,
    OUTBOUND_PENDING,
    BatchStatus,
    FileState,
    LineStatus,
    PaymentFileHeader,
    payment_message_id,
    payment_purpose,
    payment_round,
)
from durable import faults, open_private, private_dir
from filesec import FileSecurityError
from i18n import Each, Named, Phrase
from i18n.library_words import said
from i18n.stored import message, messages, shown
from ledger import store
from ledger.schema import files
from service import leases
from service.batches import expect_status
from service.context import Context
from service.errors import (
    FailedPrecondition,
    InvalidInput,
    NotFound,
    ServiceError,
    Unavailable,
    Violation,
    environmental,
)
from service.file_security import protect_outbound
from service.leases import Lease
from service.profiles import Encryption
from sftp import errors as sftp_errors
from sftp.client import sha256_file
from sftp.errors import SftpError

log = logging.getLogger("ykt.dispatch")

_PENDING = [s.value for s in OUTBOUND_PENDING]


def dispatch(ctx: Context, batch_id: str, actor: str = "worker", *, scheduled: bool = False):
    """Deliver the batch's payment file; returns the file record. ``actor`` is who asked: an
    operator through the API, or the worker on its schedule.

    ``scheduled`` (the worker): a batch another instance is working on, or whose failed upload
    is not due again yet (or waits for an operator), is left alone and None returned. An
    operator's request tries at once, and is told who holds the batch if someone does.
    """
    with ctx.engine.connect() as conn:
        batch = store.get_batch(conn, batch_id)
        if batch is None:
            raise NotFound("error.batch.none", batch=batch_id)
        record = store.outbound_file(conn, batch_id)
        if batch.status == BatchStatus.DISPATCHED.value:
            return record
    if scheduled and record is not None and record.state == FileState.FAILED.value and not _due(record, ctx.clock()):
        return None  # not even the lease is taken for it
    expect_status(batch, BatchStatus.FUNDED, "be dispatched")
    lease = leases.acquire(ctx, leases.dispatch_unit(batch_id))
    if lease is None:
        if scheduled:
            return None
        owner, until = leases.holder(ctx, leases.dispatch_unit(batch_id))
        raise Unavailable("error.batch.dispatching", batch=batch_id, owner=owner, until=until)
    try:
        return _dispatch(ctx, lease, batch_id, actor, scheduled)
    except (ServiceError, SftpError):
        raise
    except Exception as exc:
        if environmental(exc) is None:  # a bug or a bad input that got through: this batch only
            _record_unexpected(ctx, lease, batch_id, exc)
        raise
    finally:
        lease.release()


def _record_unexpected(ctx: Context, lease: Lease, batch_id: str, exc: Exception) -> None:
    """An unexpected error while dispatching one batch: its payment file is FAILED with the
    reason, tried again after the usual delay, so the operator sees it in ``ykt files`` and the
    worker goes on with the other batches."""
    now = ctx.clock()
    try:
        with ctx.engine.begin() as conn:
            lease.check(conn)
            record = store.outbound_file(conn, batch_id)
            if record is None:
                return
            store.move_file(
                conn, record.id, _PENDING, state=FileState.FAILED.value,
                last_error=_unexpected_error(exc),
                next_attempt_at=now + retry_delay(ctx, max(record.attempts, 1)),
                handled_by=lease.owner, fence=lease.fence, updated_at=now,
            )
    except Exception:  # noqa: BLE001 - the original error is the one to raise
        log.exception("batch %s: could not record its unexpected error", batch_id)


def _unexpected_error(exc: Exception) -> str:
    """The stored reason of an unexpected error: a payment file the bank's format refuses to write
    is said by its first problems, in the reader's language as a result file's are; anything else
    by its type and text."""
    if isinstance(exc, FormatError):
        return messages([message("dispatch.unwritable", count=exc.count), *(p.stored() for p in exc.problems[:20])])
    return message("dispatch.unexpected", error=f"{type(exc).__name__}: {str(exc)[:300]}")


def _dispatch(ctx: Context, lease: Lease, batch_id: str, actor: str, scheduled: bool):
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        lease.check(conn)
        batch = store.get_batch(conn, batch_id)
        if batch.status == BatchStatus.DISPATCHED.value:  # finished meanwhile
            return store.outbound_file(conn, batch_id)
        expect_status(batch, BatchStatus.FUNDED, "be dispatched")
        bank = ctx.settings.bank(batch.bank_code)
        record = store.outbound_file(conn, batch_id)
        if record is None:
            file_id = store.insert_file(
                conn, direction="OUT", bank_code=batch.bank_code, batch_id=batch_id,
                name=bank.naming.payment_name(bank.code, batch_id, beijing.day_of(now), bank.bank_format.file_suffix),
                message_id=payment_message_id(batch_id, 0), state=FileState.GENERATED.value, created_at=now,
                updated_at=now, rendered_at=now, handled_by=lease.owner, fence=lease.fence,
            )
            record = store.get_file(conn, file_id)
            store.audit(conn, now, actor, "DISPATCH", batch_id, None, message("audit.dispatch", name=record.name))
        elif record.state in OUTBOUND_AT_BANK:  # at the bank already: the batch only catches up
            store.update_batch(conn, batch_id, BatchStatus.FUNDED, status=BatchStatus.DISPATCHED.value,
                               dispatched_at=record.delivered_at or now)
            return record
        elif scheduled and record.state == FileState.FAILED.value and not _due(record, now):
            return None

    try:
        prepared = prepare(ctx, lease, batch, record)
        size, digest = sha256_file(prepared.rendered)
    except OSError as exc:  # the data folder: full, read-only...
        known = environmental(exc, Phrase.of("place.data_folder", path=ctx.settings.data_dir))
        if known is None:
            raise
        _record_local_failure(ctx, lease, record.id, known)
        raise known from exc
    differs = record.sha256 is not None and record.sha256 != digest
    with ctx.engine.begin() as conn:
        lease.check(conn)
        if differs:  # never send other bytes than a possibly earlier attempt did
            store.move_file(
                conn, record.id, _PENDING, state=FileState.FAILED.value, next_attempt_at=None,
                last_error=message("dispatch.bytes_differ", digest=digest[:16], recorded=record.sha256[:16]),
                handled_by=lease.owner, fence=lease.fence, updated_at=ctx.clock(),
            )
            moved = False
        else:
            moved = store.move_file(
                conn, record.id, _PENDING, state=FileState.UPLOADING.value, attempts=files.c.attempts + 1,
                sha256=digest, size=size, next_attempt_at=None, line_count=_carried(conn, batch_id, record)[0],
                handled_by=lease.owner, fence=lease.fence, updated_at=ctx.clock(),
            )
        current = store.get_file(conn, record.id)
    if differs:
        raise FailedPrecondition("error.batch.last_error", batch=batch_id,
                                 error=Each.of(lambda lang: shown(current.last_error, lang)))
    if not moved:  # an operator marked it delivered meanwhile: nothing to send
        return current

    # --- the only step outside the database: hand the bytes to the bank -------------------------
    try:
        with ctx.connect(bank.sftp) as sftp:
            for path, name in prepared.uploads:  # a signature before the file it signs
                payment = name == record.name
                delivered = sftp.upload(
                    path, bank.inbox, name, progress=lambda _done, _total: lease.keep_alive(),
                    guard=_guard(ctx, lease, record.id, intent=payment), temp_tag=str(lease.fence),
                    resume=current.rename_temp if payment and current.rename_sent_at is not None else None,
                    marker=bank.delivery_marker, taken_dirs=bank.taken_dirs,
                )
    except Superseded:
        with ctx.engine.connect() as conn:
            return store.get_file(conn, record.id)
    except SftpError as exc:
        _record_failure(ctx, lease, record.id, exc)
        log.warning("batch %s: upload of %s failed: %s", batch_id, record.name, exc)
        raise Unavailable("error.batch.upload_failed", batch=batch_id, bank=bank.code, error=said(exc)) from exc

    now = ctx.clock()
    with ctx.engine.begin() as conn:
        lease.check(conn)
        store.move_file(
            conn, record.id, [FileState.UPLOADING.value], state=FileState.DELIVERED.value,
            last_error=None, remote_path=delivered.remote_path, delivered_at=now,
            delivered_by=lease.owner, handled_by=lease.owner, fence=lease.fence, updated_at=now,
        )
        store.update_batch(conn, batch_id, BatchStatus.FUNDED, status=BatchStatus.DISPATCHED.value,
                           dispatched_at=now)
        log.info("batch %s: delivered %s to bank %s (%d bytes%s)", batch_id, record.name, bank.code, size,
                 ", found there already" if delivered.already_present else "")
        record = store.get_file(conn, record.id)
    faults.point("dispatch.after_commit")
    if bank.security.encrypt is not Encryption.NONE:  # the bank has it; keep only the sealed copy
        prepared.rendered.unlink(missing_ok=True)
    return record


class Superseded(ServiceError):
    """The payment file left UPLOADING while this instance worked on it (the bank's answer made
    it ACKNOWLEDGED, or an operator acted): nothing more is sent."""


def _guard(ctx: Context, lease: Lease, file_id: int, *, intent: bool):
    """The SFTP client's guard for one upload: before every attempt, and before the rename, the
    lease must still be ours and unexpired and the file still UPLOADING under it; before the
    payment file's rename, the intent to rename (which temporary file, when) is committed.
    From then on the file is never written to the bank again (see sftp.client.BankSftp.upload)."""

    def guard(step: str, temp: str) -> None:
        now = ctx.clock()
        values = {"rename_temp": temp, "rename_sent_at": now} if intent and step == "rename" else {}
        with ctx.engine.begin() as conn:
            lease.check(conn, live=True)
            if not store.move_file(conn, file_id, [FileState.UPLOADING.value], handled_by=lease.owner,
                                   fence=lease.fence, updated_at=now, **values):
                state = store.get_file(conn, file_id).state
                raise Superseded("error.file.superseded", file=file_id, state=Named("file_state", state))

    return guard


def _due(record, now: datetime) -> bool:
    """A failed upload is tried again from its ``next_attempt_at``; without one it waits for
    an operator (a permanent error)."""
    at = beijing.aware(record.next_attempt_at) if record.next_attempt_at is not None else None
    return at is not None and at <= now


def is_permanent(exc: SftpError) -> bool:
    """Will trying again not help? Uses the SFTP client's own classes when it has them
    (``PermanentError``/``TransientError`` in sftp/errors.py), else its errors by kind: a host
    key that is unknown or changed, or a different file already under the final name, need a
    person."""
    permanent = getattr(sftp_errors, "PermanentError", None)
    if permanent is not None:
        return isinstance(exc, permanent)
    if isinstance(exc, sftp_errors.HostKeyMismatch | sftp_errors.UnknownHost):
        return True
    return isinstance(exc, sftp_errors.TransferError) and "already delivered under this name" in str(exc)


def retry_delay(ctx: Context, attempts: int) -> timedelta:
    """Wait before the next upload attempt: ``retry_s`` doubled per attempt, at most ``retry_max_s``."""
    seconds = ctx.settings.retry_s * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, ctx.settings.retry_max_s))


def _record_failure(ctx: Context, lease: Lease, file_id: int, exc: SftpError) -> None:
    now = ctx.clock()
    permanent = is_permanent(exc)
    with ctx.engine.begin() as conn:
        lease.check(conn)
        attempts = store.get_file(conn, file_id).attempts
        store.move_file(
            conn, file_id, [FileState.UPLOADING.value], state=FileState.FAILED.value,
            last_error=message("dispatch.upload_refused" if permanent else "dispatch.upload_failed", error=said(exc)),
            next_attempt_at=None if permanent else now + retry_delay(ctx, attempts),
            handled_by=lease.owner, fence=lease.fence, updated_at=now,
        )


def _record_local_failure(ctx: Context, lease: Lease, file_id: int, why: ServiceError) -> None:
    """The payment file could not be rendered here (no room, no write access): nothing was sent
    and no partial file is left; FAILED with the reason, tried again after the usual delay."""
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        lease.check(conn)
        attempts = store.get_file(conn, file_id).attempts
        store.move_file(conn, file_id, _PENDING, state=FileState.FAILED.value,
                        last_error=message("dispatch.not_sent", why=why.phrase()),
                        next_attempt_at=now + retry_delay(ctx, max(attempts, 1)), handled_by=lease.owner,
                        fence=lease.fence, updated_at=now)
    log.warning("file %s: %s", file_id, why)


# --- the bytes -----------------------------------------------------------------------------------


def local_path(ctx: Context, record) -> Path:
    return ctx.settings.data_dir / "outbound" / record.bank_code / record.name


@dataclass(frozen=True, slots=True)
class Prepared:
    """A payment file ready to go: the rendered file, whose SHA-256 the file record keeps (the
    same ledger renders the same bytes on any instance), and what is uploaded for it, in order."""

    rendered: Path
    uploads: list[tuple[Path, str]]  # (local file, name at the bank); the payment file comes last


def prepare(ctx: Context, lease: Lease | None, batch, record, rendered_at: datetime | None = None) -> Prepared:
    """The payment file rendered from the ledger (or this instance's earlier rendering, when its
    digest is the recorded one), then secured as the bank's profile demands."""
    bank = ctx.settings.bank(batch.bank_code)
    local = local_path(ctx, record)
    reuse = rendered_at is None and record.sha256 is not None and local.exists()
    if not (reuse and sha256_file(local)[1] == record.sha256):
        _render(ctx, batch, record, local, rendered_at or record.rendered_at or record.created_at)
        if lease is not None:
            lease.keep_alive()
    return Prepared(local, secure_outbound(bank, local))


def secure_outbound(bank, rendered: Path) -> list[tuple[Path, str]]:
    """Sign and/or encrypt the rendered file as the bank's profile demands (see
    :func:`service.file_security.protect_outbound`): the files to upload, in order, and their
    names at the bank (the rendered file's name is the payment file's).

    Encryption is randomised, so the secured files are kept beside the rendered one and made
    again only when the rendered bytes or the keys change: a retry sends the very bytes an
    earlier attempt may have delivered. (An instance with its own data folder makes its own; if
    the bank already holds the other instance's, the upload stops as TargetExists and waits for
    an operator; nothing is sent twice.)
    """
    try:
        return [(path, path.name) for path in protect_outbound(bank, rendered, rendered.parent / "secured")]
    except FileSecurityError as exc:
        raise FailedPrecondition("error.file.cannot_secure", bank=bank.code, file=rendered.name,
                                 error=said(exc)) from exc


def _render(ctx: Context, batch, record, final: Path, created_at: datetime) -> None:
    bank = ctx.settings.bank(batch.bank_code)
    fmt = bank.bank_format
    private_dir(final.parent)
    temp = final.with_name(f".{final.name}.{os.getpid()}.part")
    temp.unlink(missing_ok=True)  # left by a process of the same pid that died
    with ctx.engine.connect() as conn:
        count, total = _carried(conn, batch.id, record)
    header = PaymentFileHeader(
        file_id=record.message_id,
        batch_id=batch.id,
        created_at=beijing.aware(created_at),
        requested_date=batch.payment_due,
        payer_name=batch.payer_name,
        payer_account=batch.payer_account,
        bank_code=batch.bank_code,
        count=count,
        total_fen=total,
        purpose=payment_purpose(batch.program, batch.period, batch.region),  # as submission checked it
    )
    try:
        with ctx.engine.connect() as conn, open_private(temp) as out:
            fmt.write_payments(out, header, store.iter_lines(conn, ctx.cipher, batch.id, LineStatus.PENDING,
                                                             payment_round(record.message_id, batch.id)))
            out.flush()
            os.fsync(out.fileno())
        if bank.schema_dir is not None:
            _check_rendered(fmt, temp, header)
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)


def _carried(conn, batch_id: str, record) -> tuple[int, int]:
    """Count and fen of the lines a payment file carries: every line the first time, exactly the
    re-issued ones in a re-issue (service.reissue), never a line still waiting for an answer."""
    return store.round_totals(conn, batch_id, payment_round(record.message_id, batch_id))


def _check_rendered(fmt, path: Path, header: PaymentFileHeader) -> None:
    """Read the file back through the bank's schemas, as the bank will; totals must match.

    Only for banks that publish schemas: the writer itself already refuses lines that do not
    add up to the header's control totals.
    """
    count = total = 0
    with open(path, "rb") as src:
        reader = fmt.read_payments(src, path.name)
        for line in reader:
            count += 1
            total += line.amount_fen
    if (count, total) != (header.count, header.total_fen):
        message = f"read back {count} lines / {total} fen, expected {header.count} / {header.total_fen}"
        raise FormatError(path.name, [Problem("file", "control totals", message)])


# --- operator actions ----------------------------------------------------------------------------


def regenerate(ctx: Context, file_id: int, reason: str, actor: str):
    """Render a payment file that never reached the bank anew and queue it for upload.

    Refused for a file at the bank (DELIVERED, ACKNOWLEDGED): a delivered payment file must
    never go twice. The file keeps its name and message id, so a bank that somehow holds the
    old bytes refuses the new ones rather than paying twice.
    """
    reason = _reason(reason)
    record = _outbound(ctx, file_id)
    with _operator_lease(ctx, record) as lease:
        with ctx.engine.connect() as conn:
            record = store.get_file(conn, file_id)
            batch = store.get_batch(conn, record.batch_id)
        _refuse_at_bank(record)
        expect_status(batch, BatchStatus.FUNDED, "have its payment file regenerated")
        now = ctx.clock()
        size, digest = sha256_file(prepare(ctx, lease, batch, record, rendered_at=now).rendered)
        with ctx.engine.begin() as conn:
            lease.check(conn)
            if not store.move_file(
                conn, file_id, _PENDING, state=FileState.GENERATED.value, rendered_at=now, sha256=digest,
                size=size, next_attempt_at=now, last_error=None, rename_temp=None, rename_sent_at=None,
                handled_by=lease.owner, fence=lease.fence, updated_at=now,
            ):
                raise FailedPrecondition("error.file.changed", file=file_id)
            was = (Phrase.of("audit.was_sha256", digest=record.sha256[:16]) if record.sha256
                   else Phrase.of("audit.never_uploaded"))
            store.audit(conn, now, actor, "REGENERATE_FILE", record.batch_id, None,
                        message("audit.regenerate", file=file_id, name=record.name,
                                state=Named("file_state", record.state), attempts=record.attempts, was=was,
                                digest=digest[:16], reason=reason))
            log.info("file %s of batch %s regenerated by %s", file_id, record.batch_id, actor)
            return store.get_file(conn, file_id)


def mark_delivered(ctx: Context, file_id: int, reason: str, actor: str):
    """Record that a payment file reached the bank another way (handed over on a medium, the
    bank's portal...): it is DELIVERED by ``actor`` and the worker stops trying."""
    reason = _reason(reason)
    record = _outbound(ctx, file_id)
    with _operator_lease(ctx, record) as lease:
        now = ctx.clock()
        with ctx.engine.begin() as conn:
            lease.check(conn)
            record = store.get_file(conn, file_id)
            _refuse_at_bank(record)
            batch = store.get_batch(conn, record.batch_id)
            expect_status(batch, BatchStatus.FUNDED, "have its payment file marked delivered")
            if not store.move_file(
                conn, file_id, _PENDING, state=FileState.DELIVERED.value, delivered_at=now, delivered_by=actor,
                next_attempt_at=None, handled_by=lease.owner, fence=lease.fence, updated_at=now,
            ):
                raise FailedPrecondition("error.file.changed", file=file_id)
            store.update_batch(conn, batch.id, BatchStatus.FUNDED, status=BatchStatus.DISPATCHED.value,
                               dispatched_at=now)
            store.audit(conn, now, actor, "MARK_FILE_DELIVERED", batch.id, None,
                        message("audit.mark_delivered", file=file_id, name=record.name,
                                state=Named("file_state", record.state), attempts=record.attempts, actor=actor,
                                reason=reason))
            log.info("file %s of batch %s marked delivered by %s", file_id, batch.id, actor)
            return store.get_file(conn, file_id)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("error.reason.required", [Violation("reason", "REQUIRED", "say why, for the audit trail")])
    return reason[:500]


def _outbound(ctx: Context, file_id: int):
    with ctx.engine.connect() as conn:
        record = store.get_file(conn, file_id)
    if record is None:
        raise NotFound("error.file.none", file=file_id)
    if record.direction != "OUT":
        raise FailedPrecondition("error.file.inbound", file=file_id)
    _refuse_at_bank(record)
    return record


def _refuse_at_bank(record) -> None:
    if record.state in OUTBOUND_AT_BANK:
        raise FailedPrecondition("error.file.at_bank", file=record.id, name=record.name,
                                 state=Named("file_state", record.state))


@contextmanager
def _operator_lease(ctx: Context, record) -> Iterator[Lease]:
    """The batch's dispatch lease for an operator's action, or FAILED_PRECONDITION naming the
    instance working on it now (its attempt must end first)."""
    unit = leases.dispatch_unit(record.batch_id)
    lease = leases.acquire(ctx, unit)
    if lease is None:
        owner, until = leases.holder(ctx, unit)
        raise FailedPrecondition("error.file.leased", file=record.id, owner=owner, until=until)
    try:
        yield lease
    finally:
        lease.release()
