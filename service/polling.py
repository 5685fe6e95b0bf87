"""Polling a bank's outbox: fetch complete result files, ingest each, then archive it remotely.

Result files are recognised by the bank profile's result name pattern; anything else in the
outbox (statements, the bank's own notes) is left where it is.

A remote file is archived (or deleted, per profile) only after its own ingest committed, so a
crash between the two leaves it in place to be fetched again, where its digest marks it as
already taken. One bad file is quarantined and archived like any other; it never stops the
good files behind it.
"""
from __future__ import annotations

import logging
from datetime import datetime

from service.context import Context
from service.ingest import IngestOutcome, ingest_file
from sftp.errors import SftpError, TransferError
from sftp.readiness import Observation

log = logging.getLogger("ykt.poll")


class OutboxPoller:
    """Remembers what it saw at the last poll, for banks whose files are complete when stable."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._seen: dict[str, dict[str, Observation]] = {}

    def poll(self, bank_code: str) -> list[IngestOutcome]:
        ctx = self.ctx
        bank = ctx.settings.bank(bank_code)
        folder = ctx.settings.data_dir / "inbound" / bank_code
        outcomes = []
        with ctx.connect(bank.sftp) as sftp:
            listing = sftp.list_ready(
                bank.outbox,
                completion=bank.completion,
                previous=self._seen.get(bank_code),
            )
            self._seen[bank_code] = listing.observations
            suffix = bank.bank_format.file_suffix
            for remote in listing:
                if not bank.naming.is_result(remote.name, suffix):
                    continue  # statements and other files of the bank's are not results
                local = folder / f"{datetime.now():%Y%m%dT%H%M%S%f}_{remote.name}"
                sftp.download(remote.path, local)
                outcome = ingest_file(ctx, bank_code, local, remote.name, remote.path)
                outcomes.append(outcome)
                _archive(sftp, bank, remote.path)
        return outcomes


def _archive(sftp, bank, remote_path: str) -> None:
    try:
        if bank.archive:
            try:
                sftp.move(remote_path, bank.archive)
                return
            except TransferError as exc:
                if "target exists" not in str(exc):
                    raise
                # The same name came again (a re-delivery); our own copy is kept locally.
        sftp.remove(remote_path)
    except SftpError as exc:
        log.warning("bank %s: could not archive %s: %s", bank.code, remote_path, exc)
