"""Files a bank or finance hands in over gRPC instead of SFTP (result files, statements): the
streamed bytes and the detached signature are spooled to the bank's inbound folder, then taken in
exactly as the poller takes a fetched file."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from service.context import Context
from service.errors import InvalidInput, Violation
from service.scope import EVERY_BANK, Scope


@dataclass(frozen=True, slots=True)
class HandedIn:
    bank_code: str
    name: str  # the file's own name, without any folder
    path: Path
    signature: Path | None


def spool(ctx: Context, request_iterator, scope: Scope = EVERY_BANK) -> HandedIn:
    """The file of a stream whose first message names the bank and file and whose others carry
    data. A bank's user hands in only its own banks' files: refused before anything is written."""
    first = next(request_iterator, None)
    if first is None or first.WhichOneof("part") != "start":
        raise InvalidInput("the first message must name the bank and file",
                           [Violation("start", "REQUIRED", "send start first")])
    start = first.start
    scope.hand_in(start.bank_code)
    ctx.settings.bank(start.bank_code)
    name = Path(start.file_name).name
    if not name:
        raise InvalidInput("file name missing", [Violation("start.file_name", "REQUIRED", "a file name")])
    folder = ctx.settings.data_dir / "inbound" / start.bank_code
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix="handed-in-", suffix=f"_{name}", delete=False) as out:
        for msg in request_iterator:
            out.write(msg.data)
    signature = None
    if start.signature:
        with tempfile.NamedTemporaryFile(dir=folder, prefix="handed-in-", suffix=f"_{name}.sig",
                                         delete=False) as sig:
            sig.write(start.signature)
        signature = Path(sig.name)
    return HandedIn(start.bank_code, name, Path(out.name), signature)
