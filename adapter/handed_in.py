"""Files a bank or finance hands in over gRPC instead of SFTP (result files, statements): the
streamed bytes and the detached signature are spooled to the bank's inbound folder, then taken in
exactly as the poller takes a fetched file.

Limits, checked before anything is kept: the file's name and bank code within their caps
(``adapter.convert``), a plain name (no control character, line break or bidirectional control;
one file name, never a path: no ``/``, ``\\``, ``..`` or NUL, as :mod:`sftp.names` requires of a
name in a bank's listing),
a signature of at most 64 KiB, and the file itself at most ``handed_in_max_bytes`` (the
settings; 2 GiB by default), counted while it streams in: a larger one is refused
(``FILE_TOO_LARGE``) and what had arrived of it deleted, so a refused hand-in leaves no file and
(being refused before it is taken in) no row."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from adapter import convert
from domain.text import text_problem
from durable import private_dir
from service.context import Context
from service.errors import InvalidInput, Violation
from service.scope import EVERY_BANK, Scope
from sftp.names import remote_name_problem


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
        raise InvalidInput("error.file.first_message",
                           [Violation("start", "REQUIRED", "send start first")])
    start = first.start
    convert.check_sizes(start, "start.")
    if len(start.signature) > convert.SIGNATURE_CAP:
        raise InvalidInput("error.file.signature_refused", [Violation("start.signature", convert.TOO_LONG,
                                                           f"start.signature: {len(start.signature)} bytes, at most "
                                                           f"{convert.SIGNATURE_CAP}")])
    scope.hand_in(start.bank_code)
    ctx.settings.bank(start.bank_code)
    name = start.file_name
    if not name:
        raise InvalidInput("error.file.name_missing", [Violation("start.file_name", "REQUIRED", "a file name")])
    bad = text_problem(name)
    if bad is not None:
        raise InvalidInput("error.file.name_refused", [Violation("start.file_name", bad[0], f"start.file_name: {bad[1]}")])
    problem = remote_name_problem(name)  # one plain file name, as a name in a bank's listing (issue 14 item 6)
    if problem is not None:
        raise InvalidInput("error.file.name_refused", [Violation("start.file_name", "NOT_A_FILE_NAME",
                                                           f"start.file_name: {problem}; send the file's own name")])
    folder = private_dir(ctx.settings.data_dir / "inbound" / start.bank_code)  # files: tempfile's 0600
    path = _receive(request_iterator, folder, name, ctx.settings.handed_in_max_bytes)
    signature = None
    if start.signature:
        with tempfile.NamedTemporaryFile(dir=folder, prefix="handed-in-", suffix=f"_{name[-64:]}.sig",
                                         delete=False) as sig:
            sig.write(start.signature)
        signature = Path(sig.name)
    return HandedIn(start.bank_code, name, path, signature)


def _receive(messages, folder: Path, name: str, cap: int) -> Path:
    """The streamed bytes in a new file of ``folder``; refused (and removed) past ``cap`` bytes,
    or when the stream breaks off."""
    out = tempfile.NamedTemporaryFile(dir=folder, prefix="handed-in-", suffix=f"_{name[-64:]}", delete=False)
    path = Path(out.name)
    try:
        with out:
            size = 0
            for msg in messages:
                size += len(msg.data)
                if size > cap:
                    raise InvalidInput("error.file.too_large",
                                       [Violation("data", "FILE_TOO_LARGE",
                                                  f"data: more than {cap:,} bytes (the settings' handed_in_max_bytes)")],
                                       name=name, cap=f"{cap:,}")
                out.write(msg.data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
