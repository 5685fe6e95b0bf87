"""Files that appear complete or not at all, and stay after a crash.

Key files, payment and result files, and the simulated bank's answers are written under a
temporary name, flushed to disk, renamed, and then the folder itself is flushed so the rename
survives a power cut. One place for it, used by every package that writes such files.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_output", "fsync_dir", "open_private", "private_dir", "write_atomic"]


@contextmanager
def atomic_output(path: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A file to write that appears at ``path`` only complete (temporary name, fsync, rename).

    On any exception the temporary file is removed: a half-written (or half-decrypted) file is
    never left behind. ``mode`` holds whatever the umask; the default, 0600, because what is
    written this way (keys, files exchanged with banks) names people or secures them.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    out = os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb")
    try:
        with out:
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), mode)
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    with atomic_output(path, mode) as out:
        out.write(data)


def private_dir(folder: Path) -> Path:
    """``folder`` (and missing parents) made and left 0700: only the service's user lists or
    opens what the files exchanged with banks hold."""
    folder = Path(folder)
    missing = [folder, *(p for p in folder.parents if not p.exists())] if not folder.exists() else []
    for level in reversed(missing):  # each level made 0700 (mkdir's parents=True would not)
        level.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def open_private(path: Path) -> BinaryIO:
    """A new file (never an existing one) to write, 0600 whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename in it) to disk; best effort where folders cannot be
    opened or synced (some file systems)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
