"""Polling a bank: see which payment files it took, fetch complete result files, ingest each,
then archive it remotely.

Polling a bank takes the bank's lease (``poll:<bank>``, see :mod:`service.leases`): one
instance at a time polls a bank, and whatever it records checks the lease's fence.

Result files are recognised by the bank profile's result name pattern, statements of the
clearing account by its statement pattern (stored by :mod:`service.statements`, archived the same
way); anything else in the outbox (the bank's own notes) is left where it is. A delivered payment file that
is gone from the bank's inbox was taken by the bank: ACKNOWLEDGED.

A remote file is archived (or deleted, per profile) only after its own ingest committed, so a
crash between the two leaves it in place to be fetched again, where its digest marks it as
already taken. A remote file already taken — same path, size and mtime as a recorded file that
is settled (booked, quarantined or a duplicate) — is not fetched again, only archived again: a
bank whose outbox we may not clean up costs one listing per poll, not a download and a new
row per file. One bad file is quarantined and archived like any other, and an error with one
file (a failed download, say) never stops the files behind it.

A file still being written is never taken. Under "stable" completion a file is fetched only once
its size and mtime held still over the profile's settle time (``settle_s``, see
:mod:`sftp.readiness`); under both conventions its size and mtime are listed again just before
and just after it is read, and a read during which it changed (or that got another size than
listed) is dropped: nothing is recorded, quarantined or archived, the local copy is deleted and
the settle time starts again, so the file is read again once the bank has finished it.

Names in the bank's listing are checked before anything is built from them
(:func:`sftp.names.remote_name_problem`): a name with ``/``, ``\\``, ``..``, NUL or a control
character is refused with a warning naming the bank and the escaped name (once per name and
poller), and skipped; the other files are taken as usual.
"""
from __future__ import annotations

import logging
import posixpath
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from domain.model import INBOUND_SETTLED, FileState
from ledger import store
from ledger import statements as statement_repo
from observability import metrics
from service import leases, retention, statements
from service.context import Context
from service.file_security import is_signature_name, signature_name
from service.ingest import IngestOutcome, ingest_file
from service.leases import Lease, LeaseLost
from sftp.client import ReadyListing, RemoteFile
from sftp.errors import IncompleteTransfer, SftpError, TransferError
from sftp.names import escaped, remote_name_problem
from sftp.readiness import Observation, Readiness, Sighting

log = logging.getLogger("ykt.poll")

_SETTLED = {s.value for s in INBOUND_SETTLED}


class OutboxPoller:
    """Remembers what it saw at the last poll, for banks whose files are complete when stable;
    ``monotonic`` times the settle time (seconds; never the context's clock, which tests and the
    demo move by hand)."""

    def __init__(self, ctx: Context, *, monotonic: Callable[[], float] = time.monotonic):
        self.ctx = ctx
        self._monotonic = monotonic
        self._seen: dict[str, dict[str, Observation | Sighting]] = {}
        self._refused: dict[str, set[str]] = {}  # names refused (and logged) per bank

    def poll(self, bank_code: str) -> list[IngestOutcome]:
        """One look at the bank, under its lease; [] when another instance is polling it."""
        self.ctx.settings.bank(bank_code)
        lease = leases.acquire(self.ctx, leases.poll_unit(bank_code))
        if lease is None:
            log.debug("bank %s: another instance is polling it", bank_code)
            return []
        try:
            return self._poll(bank_code, lease)
        finally:
            lease.release()

    def _poll(self, bank_code: str, lease: Lease) -> list[IngestOutcome]:
        ctx = self.ctx
        bank = ctx.settings.bank(bank_code)
        folder = ctx.settings.data_dir / "inbound" / bank_code
        outcomes = []
        with ctx.connect(bank.sftp) as sftp:
            self._acknowledge(sftp, bank, lease)
            listing = self._list_ready(sftp, bank)
            suffix = bank.bank_format.file_suffix
            for remote in listing:
                if is_signature_name(bank, remote.name):
                    continue  # fetched with the file it signs
                if bank.naming.is_statement(remote.name, bank.statement_format.file_suffix):
                    self._statement(sftp, bank, remote, listing, folder, lease)
                    continue
                if not bank.naming.is_result(remote.name, suffix):
                    continue  # the bank's other files are not ours
                lease.keep_alive()
                with ctx.engine.connect() as conn:
                    taken = store.inbound_by_remote(conn, bank_code, remote.path, remote.size, remote.mtime)
                signed = signature_name(bank, remote.name) in listing.observations
                if taken and all(row.state in _SETTLED for row in taken):
                    # Taken before; only its archiving failed. Not fetched nor recorded again.
                    self._archive(sftp, bank, remote.path, [row.id for row in taken], lease, signed)
                    continue
                try:
                    fetched = self._fetch(sftp, bank, remote, folder, signed)
                    if fetched is None:
                        continue  # it changed while we read it: read again once it settles
                    local, signature = fetched
                    with metrics.timed() as took:
                        outcome = ingest_file(ctx, bank_code, local, remote.name, remote.path,
                                              remote_mtime=remote.mtime, lease=lease, signature=signature)
                    metrics.booked(bank_code, outcome, took[0])
                except LeaseLost:
                    raise
                except SftpError as exc:
                    log.warning("bank %s: could not fetch %s, will retry: %s", bank_code, remote.path, exc)
                    continue
                except Exception:  # one file's trouble must not hold up the others
                    log.exception("bank %s: could not ingest %s, will retry", bank_code, remote.path)
                    continue
                outcomes.append(outcome)
                retention.after_taking(ctx, bank_code, outcome.state, local, signature)
                if outcome.settled:
                    self._archive(sftp, bank, remote.path, [outcome.file_id], lease, signed)
        return outcomes

    def _statement(self, sftp, bank, remote, listing, folder, lease: Lease) -> None:
        """Fetch and store one statement (once: a remote file taken before is only archived
        again), then archive the bank's copy. Its trouble is logged and retried at the next poll."""
        ctx = self.ctx
        lease.keep_alive()
        signed = signature_name(bank, remote.name) in listing.observations
        with ctx.engine.connect() as conn:
            ids = [row.id for row in statement_repo.by_remote(conn, bank.code, remote.path, remote.size,
                                                              remote.mtime)]
        if not ids:
            try:
                fetched = self._fetch(sftp, bank, remote, folder, signed)
                if fetched is None:
                    return  # it changed while we read it: read again once it settles
                local, signature = fetched
                outcome = statements.ingest_statement(ctx, bank.code, local, remote.name, remote.path,
                                                      remote_mtime=remote.mtime, lease=lease, signature=signature)
                retention.after_taking(ctx, bank.code, outcome.state, local, signature)
            except LeaseLost:
                raise
            except SftpError as exc:
                log.warning("bank %s: could not fetch statement %s, will retry: %s", bank.code, remote.path, exc)
                return
            except Exception:  # one file's trouble must not hold up the others
                log.exception("bank %s: could not take statement %s, will retry", bank.code, remote.path)
                return
            ids = [outcome.file_id]
        if self._archive(sftp, bank, remote.path, [], lease, signed):
            statements.mark_archived(ctx, ids, lease)

    def _list_ready(self, sftp, bank) -> ReadyListing:
        """The complete files in the bank's outbox whose names may be used."""
        entries = []
        for entry in sftp.listdir(bank.outbox):
            problem = remote_name_problem(entry.name)
            if problem is None:
                entries.append(entry)
            else:
                self._refuse(bank.code, entry.name, problem)
        readiness = Readiness(bank.completion, settle_s=bank.settle_s)
        verdict = readiness.check(entries, self._seen.get(bank.code), now=self._monotonic())
        self._seen[bank.code] = verdict.observations
        ready = [RemoteFile(e.name, posixpath.join(bank.outbox, e.name), e.size, e.mtime) for e in verdict.ready]
        log.debug("bank %s: %d ready in %s", bank.code, len(ready), bank.outbox)
        return ReadyListing(ready, verdict.observations)

    def _refuse(self, bank_code: str, name: str, problem: str) -> None:
        refused = self._refused.setdefault(bank_code, set())
        if name in refused:
            log.debug("bank %s: still refusing the name %s in its outbox (%s)", bank_code, escaped(name), problem)
            return
        refused.add(name)
        log.warning("bank %s: refused the name %s in its outbox: %s; skipped, nothing fetched (a person "
                    "must remove or rename it at the bank)", bank_code, escaped(name), problem)

    def _fetch(self, sftp, bank, remote: RemoteFile, folder: Path, signed: bool) -> tuple[Path, Path | None] | None:
        """Download a file of the bank's, and its signature when one is beside it (the bank writes
        the signature before the file it signs). None when the file (or its signature) was not
        as listed just before or just after the read, or the read got another size than listed:
        the local copies are deleted and the file's settle time starts again."""
        sig_name = signature_name(bank, remote.name) if signed else None
        for name in (remote.name, sig_name):
            if name is not None and (problem := remote_name_problem(name)) is not None:  # checked when listed
                raise ValueError(f"bank {bank.code}: refusing the remote name {escaped(name)}: {problem}")
        names = [remote.name] + ([sig_name] if sig_name else [])
        before = _states(sftp, bank.outbox, names)
        if before.get(remote.name) != (remote.size, remote.mtime):
            return self._changed(bank, remote, f"listed {(remote.size, remote.mtime)}, "
                                               f"now {before.get(remote.name)} (size, mtime)")
        local = folder / f"{datetime.now():%Y%m%dT%H%M%S%f}_{remote.name}"
        signature = local.with_name(signature_name(bank, local.name)) if signed else None
        try:
            got = sftp.download(remote.path, local)
            if signature is not None:
                sftp.download(signature_name(bank, remote.path), signature)
            after = _states(sftp, bank.outbox, names)
        except IncompleteTransfer as exc:  # it grew or shrank while it was read
            _discard(local, signature)
            return self._changed(bank, remote, str(exc))
        except BaseException:
            _discard(local, signature)
            raise
        if got.size != remote.size or after != before:
            _discard(local, signature)
            return self._changed(bank, remote, f"read {got.size} bytes of {remote.size} listed; "
                                               f"(size, mtime) before the read {before}, after {after}")
        return local, signature

    def _changed(self, bank, remote: RemoteFile, why: str) -> None:
        log.info("bank %s: %s changed while it was read (%s); dropped, read again once it holds still",
                 bank.code, remote.path, why)
        self._seen.get(bank.code, {}).pop(remote.name, None)
        return None

    def _archive(self, sftp, bank, remote_path: str, file_ids: list[int], lease: Lease,
                 signed: bool = False) -> bool:
        """Archive (or delete) the bank's copy of files whose own ingest committed, and note it;
        its signature goes first, so a signed file is never left without its signature. False
        when that failed (tried again at the next poll)."""
        if signed and not _archive(sftp, bank, signature_name(bank, remote_path)):
            return False
        if not _archive(sftp, bank, remote_path):
            return False
        now = self.ctx.clock()
        with self.ctx.engine.begin() as conn:
            lease.check(conn)
            for file_id in file_ids:
                store.update_file(conn, file_id, archived_at=now)
        return True

    def _acknowledge(self, sftp, bank, lease: Lease) -> None:
        """Delivered payment files that are gone from the bank's inbox: the bank took them."""
        ctx = self.ctx
        with ctx.engine.connect() as conn:
            delivered = store.outbound_in(conn, bank.code, [FileState.DELIVERED.value])
        if not delivered:
            return
        try:
            present = {entry.name for entry in sftp.listdir(bank.inbox)}
        except SftpError as exc:
            log.warning("bank %s: cannot list its inbox to see which files it took: %s", bank.code, exc)
            return
        gone = [f for f in delivered if posixpath.basename(f.remote_path or f.name) not in present]
        if not gone:
            return
        now = ctx.clock()
        with ctx.engine.begin() as conn:
            lease.check(conn)
            for f in gone:
                if store.move_file(conn, f.id, [FileState.DELIVERED.value], state=FileState.ACKNOWLEDGED.value,
                                   acknowledged_at=now, updated_at=now, handled_by=lease.owner, fence=lease.fence):
                    log.info("bank %s: took %s from its inbox (batch %s)", bank.code, f.name, f.batch_id)


def _states(sftp, remote_dir: str, names: list[str]) -> dict[str, tuple[int, int]]:
    """(size, mtime) of ``names`` in ``remote_dir`` now, from a fresh listing (missing: gone)."""
    wanted = set(names)
    return {e.name: (e.size, e.mtime) for e in sftp.listdir(remote_dir) if e.name in wanted and e.is_file}


def _discard(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            path.unlink(missing_ok=True)


def _archive(sftp, bank, remote_path: str) -> bool:
    """Move the bank's copy to its archive folder (delete it when the profile has none); False
    when that failed (it is tried again at the next poll)."""
    try:
        if bank.archive:
            try:
                sftp.move(remote_path, bank.archive)
                return True
            except TransferError as exc:
                if "target exists" not in str(exc):
                    raise
                # The same name came again (a re-delivery); our own copy is kept locally.
        sftp.remove(remote_path)
        return True
    except SftpError as exc:
        log.warning("bank %s: could not archive %s: %s", bank.code, remote_path, exc)
        return False
