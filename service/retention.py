"""What is kept of a file once the ledger holds what it said (issue 14 item 7).

Payment, result and statement files carry names, ID and account numbers in the clear. Once a
result or statement file is booked (or found to be a copy of one booked before) and once a
payment file is acknowledged by its bank, the ledger holds everything the file said, and its
digest and size stay on the file's record. The local copy is then deleted — the default — or,
with ``file_retention_days`` > 0, kept that many days only sealed under the personal-data keys
(:mod:`privacy.files`) in ``DATA_DIR/retained/YYYY-MM-DD/BANK/``, then deleted. Quarantined
files stay as they are (0600) for the operator who has to look at them.
"""
from __future__ import annotations

import logging
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from domain import beijing
from durable import private_dir
from ledger import store
from privacy.files import seal_file
from service.context import Context

log = logging.getLogger("ykt.retention")


# The states in which the ledger holds what a taken file said: a result file booked, a statement
# stored, or either found to be the same bytes as one taken before.
HELD_BY_THE_LEDGER = frozenset({"BOOKED", "STORED", "DUPLICATE"})


def after_taking(ctx: Context, bank_code: str, state: str, *paths: Path | None) -> None:
    """A result or statement file was taken (polled or handed in) and ended in ``state``: its
    local copies are settled if the ledger holds what it said; a quarantined one stays."""
    if str(state) in HELD_BY_THE_LEDGER:
        settle(ctx, bank_code, *paths)


def settle(ctx: Context, bank_code: str, *paths: Path | None) -> None:
    """The local copies of a file the ledger now holds: deleted, or sealed for the retention
    period. Never raises for a file already gone."""
    days = ctx.settings.file_retention_days
    for path in paths:
        if path is None or not path.exists():
            continue
        if days:
            folder = private_dir(ctx.settings.data_dir / "retained" / f"{beijing.day_of(ctx.clock())}" / bank_code)
            target = folder / f"{path.name}.sealed"
            if not target.exists():
                seal_file(ctx.cipher.keyring, path, target)
        path.unlink()


def sweep(ctx: Context, since: datetime | None = None) -> None:
    """Each worker round: the copies of payment files acknowledged since ``since`` (all, at
    start) go from this instance's data folder, and sealed copies older than the retention
    period are deleted."""
    from service.dispatch import local_path  # the payment file's place is dispatch's to say

    with ctx.engine.connect() as conn:
        acknowledged = store.acknowledged_since(conn, since)
    for record in acknowledged:
        rendered = local_path(ctx, record)
        secured = rendered.parent / "secured"
        copies = [rendered, *(secured.glob(f"{rendered.name}*") if secured.is_dir() else [])]
        settle(ctx, record.bank_code, *copies)
    retained = ctx.settings.data_dir / "retained"
    if not retained.is_dir():
        return
    oldest = beijing.day_of(ctx.clock()) - timedelta(days=ctx.settings.file_retention_days)
    for day in retained.iterdir():
        if day.is_dir() and day.name < f"{oldest}":
            shutil.rmtree(day)
            log.info("deleted the sealed copies of %s (retention %d days)", day.name,
                     ctx.settings.file_retention_days)
