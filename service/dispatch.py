"""Dispatch: render a funded batch in its bank's format and deliver it to the bank's inbox.

A payment file is rendered from the ledger deterministically (its id and timestamp are stored
with its file record), checked by reading it back, and uploaded under a temporary name then
renamed. Re-running a dispatch that was interrupted at any point renders the same bytes and
either finds them delivered or delivers them: the bank never gets two different files for one
batch from a retry.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from bank_formats import FormatError, Problem
from domain.model import BatchStatus, FileState, LineStatus, PaymentFileHeader
from ledger import store
from service.batches import expect_status
from service.context import Context
from service.errors import FailedPrecondition, NotFound, Unavailable
from sftp.client import sha256_file
from sftp.errors import SftpError

log = logging.getLogger("ykt.dispatch")
_dispatch_lock = threading.Lock()  # one dispatch at a time per process (issue 5: across processes)


def dispatch(ctx: Context, batch_id: str, actor: str = "worker"):
    """Deliver the batch's payment file; returns the file record. ``actor`` is who asked: an
    operator through the API, or the worker on its schedule."""
    with _dispatch_lock:
        with ctx.engine.begin() as conn:
            batch = store.get_batch(conn, batch_id, for_update=True)
            if batch is None:
                raise NotFound(f"no batch {batch_id}")
            if batch.status == BatchStatus.DISPATCHED.value:
                return store.outbound_file(conn, batch_id)
            expect_status(batch, BatchStatus.FUNDED, "be dispatched")
            record = store.outbound_file(conn, batch_id)
            if record is None:
                bank = ctx.settings.bank(batch.bank_code)
                _check_security(bank)
                now = ctx.clock()
                file_id = store.insert_file(
                    conn,
                    direction="OUT",
                    bank_code=batch.bank_code,
                    batch_id=batch_id,
                    name=bank.naming.payment_name(bank.code, batch_id, now.date(), bank.bank_format.file_suffix),
                    message_id=f"{batch_id}P1",
                    state=FileState.GENERATED,
                    created_at=now,
                    updated_at=now,
                )
                record = store.get_file(conn, file_id)
                store.audit(conn, now, actor, "DISPATCH", batch_id, None, f"payment file {record.name}")
        local = _render(ctx, batch, record)
        return _deliver(ctx, batch, record, local)


def _check_security(bank) -> None:
    """Refuse, before anything is rendered, to send a bank a file weaker than it demands."""
    if bank.security.required:
        raise FailedPrecondition(
            f"bank {bank.code} requires file security (sign={bank.security.sign}, "
            f"encrypt={bank.security.encrypt}, verify_inbound={bank.security.verify_inbound}) "
            "that this version cannot apply yet; nothing was sent")


def _render(ctx: Context, batch, record) -> Path:
    bank = ctx.settings.bank(batch.bank_code)
    fmt = bank.bank_format
    folder = ctx.settings.data_dir / "outbound" / batch.bank_code
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / record.name
    temp = folder / f".{record.name}.part"
    header = PaymentFileHeader(
        file_id=record.message_id,
        batch_id=batch.id,
        created_at=record.created_at,
        requested_date=batch.payment_due,
        payer_name=batch.payer_name,
        payer_account=batch.payer_account,
        bank_code=batch.bank_code,
        count=batch.line_count,
        total_fen=batch.total_fen,
        purpose=f"{batch.program} {batch.period} {batch.region}",
    )
    with ctx.engine.connect() as conn, open(temp, "wb") as out:
        fmt.write_payments(out, header, store.iter_lines(conn, ctx.cipher, batch.id, LineStatus.PENDING))
        out.flush()
        os.fsync(out.fileno())
    if bank.schema_dir is not None:
        _check_rendered(fmt, temp, header)
    os.replace(temp, final)
    return final


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


def _deliver(ctx: Context, batch, record, local: Path):
    bank = ctx.settings.bank(batch.bank_code)
    size, digest = sha256_file(local)
    try:
        with ctx.connect(bank.sftp) as sftp:
            delivered = sftp.upload(local, bank.inbox, record.name)
    except SftpError as exc:
        with ctx.engine.begin() as conn:
            store.update_file(
                conn, record.id, state=FileState.FAILED, attempts=record.attempts + 1,
                last_error=str(exc), sha256=digest, size=size, updated_at=ctx.clock(),
            )
        log.warning("batch %s: upload of %s failed: %s", batch.id, record.name, exc)
        raise Unavailable(f"batch {batch.id}: bank {bank.code} upload failed: {exc}") from exc
    if delivered.sha256 != digest:
        raise FailedPrecondition(f"batch {batch.id}: bank holds different content for {record.name}")
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        store.update_file(
            conn, record.id, state=FileState.DELIVERED, attempts=record.attempts + 1,
            last_error=None, sha256=digest, size=size, remote_path=delivered.remote_path,
            line_count=batch.line_count, updated_at=now,
        )
        store.update_batch(
            conn, batch.id, BatchStatus.FUNDED, status=BatchStatus.DISPATCHED.value, dispatched_at=now
        )
        log.info("batch %s: delivered %s to bank %s (%d bytes)", batch.id, record.name, bank.code, size)
        return store.get_file(conn, record.id)
