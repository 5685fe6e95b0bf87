"""Small file helpers shared by the package: exact reads, atomic writes, digests in chunks."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from filesec.algorithms import Digest

CHUNK = 1 << 20  # 1 MiB: what is read at a time when hashing


def read_exact(src: BinaryIO, n: int) -> bytes:
    """Up to ``n`` bytes; fewer only at the end of the stream (pipes may return short reads)."""
    data = src.read(n)
    if data is None:
        data = b""
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = src.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def hash_stream(src: BinaryIO, digest: Digest, chunk: int = CHUNK) -> tuple[int, bytes]:
    """(size, digest) of everything left in ``src``, read ``chunk`` bytes at a time."""
    h = digest.new()
    size = 0
    buf = bytearray(chunk)
    view = memoryview(buf)
    while True:
        n = src.readinto(view) if hasattr(src, "readinto") else None
        if n is None:
            data = src.read(chunk)
            if not data:
                break
            h.update(data)
            size += len(data)
            continue
        if n == 0:
            break
        h.update(view[:n])
        size += n
    return size, h.finalize()


def hash_file(path: Path, digest: Digest, chunk: int = CHUNK) -> tuple[int, bytes]:
    with open(path, "rb") as src:
        return hash_stream(src, digest, chunk)


@contextmanager
def atomic_output(path: Path, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A file to write that appears at ``path`` only complete (temporary name, fsync, rename).

    On any exception the temporary file is removed: a half-written (or half-decrypted) file is
    never left behind.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    out = os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb")
    try:
        with out:
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), mode)  # whatever the umask
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    with atomic_output(path, mode) as out:
        out.write(data)


def fsync_dir(folder: Path) -> None:
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
