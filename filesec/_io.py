"""Small file helpers of the package: exact reads and digests in chunks (atomic writes: :mod:`durable`)."""
from __future__ import annotations

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


