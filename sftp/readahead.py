"""Reading a remote file with a steady pipeline of SFTP read requests.

Why not paramiko's own ``SFTPFile.prefetch``: in paramiko (5.1 pinned) the prefetch marks itself
done whenever its table of outstanding requests is momentarily empty, which happens when the
server answers faster than paramiko's background thread registers the next requests. The next
``read`` then finds no data at its position, turns prefetching off for the rest of the file
and falls back to one 32 KiB request per round trip (paramiko issue #2418): a 685 MB read-back
took 928 s instead of about 48 s. Answers already requested keep arriving and are kept in
memory until the file is closed.

:func:`read_pipelined` does without the thread: it keeps ``depth`` read requests in flight,
sends a new one each time an answer is consumed, and yields the answers in file order. Memory
is bounded by ``depth * segment`` bytes. It uses the same two low-level calls paramiko's
``SFTPFile`` uses (``SFTPClient._async_request`` and ``_read_response``), so the channel's
timeout, EOF and error handling are paramiko's: a status error is raised as paramiko raises it
(``IOError`` with its errno), a dropped connection as ``SSHException``/``EOFError``.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import paramiko
from paramiko.sftp import CMD_DATA, CMD_READ, CMD_STATUS, SFTPError, int64

SEGMENT = 32 * 1024  # paramiko's SFTPFile.MAX_REQUEST_SIZE; the SFTP draft says every server takes it
DEPTH = 64  # requests in flight: 2 MiB, enough to fill a fast link's round trip

__all__ = ["DEPTH", "SEGMENT", "ReadStats", "read_pipelined"]


class ReadStats:
    """What the pipeline did, for logs and tests: requests sent and the most in flight at once."""

    __slots__ = ("requests", "peak_in_flight", "short_answers")

    def __init__(self) -> None:
        self.requests = 0
        self.peak_in_flight = 0
        self.short_answers = 0  # answers with fewer bytes than asked before the end


class _Answers:
    """Receives the answers paramiko's reader hands to the file object that asked (any order).
    paramiko holds it by weak reference: once dropped, late answers are discarded."""

    __slots__ = ("got", "__weakref__")

    def __init__(self) -> None:
        self.got: dict[int, tuple[int, paramiko.Message]] = {}

    def _async_response(self, t: int, msg: paramiko.Message, num: int) -> None:  # paramiko's hook name
        self.got[num] = (t, msg)


def read_pipelined(
    f: paramiko.SFTPFile,
    size: int,
    *,
    depth: int = DEPTH,
    segment: int = SEGMENT,
    stats: ReadStats | None = None,
) -> Iterator[bytes]:
    """Yield the bytes of ``f`` from offset 0 up to ``size`` (the size the caller stat-ed), in order.

    Stops early, without error, at the end of the file (a file that shrank); the caller compares
    what it got with what it expected. Bytes beyond ``size`` (a file that grew) are not read:
    the caller reads on from ``size`` with ``f.seek(size)``/``f.read`` to see them.
    An answer shorter than asked (allowed by the protocol) is completed by asking for the rest.
    """
    if depth < 1 or segment < 1:
        raise ValueError(f"depth {depth} and segment {segment} must be at least 1")
    stats = stats if stats is not None else ReadStats()
    sftp = f.sftp
    answers = _Answers()
    in_flight: deque[tuple[int, int, int]] = deque()  # (request number, offset, length), oldest first
    next_offset = 0

    def ask(offset: int, length: int) -> None:
        num = sftp._async_request(answers, CMD_READ, f.handle, int64(offset), int(length))  # noqa: SLF001
        in_flight.append((num, offset, length))
        stats.requests += 1
        stats.peak_in_flight = max(stats.peak_in_flight, len(in_flight))

    def answer(num: int) -> bytes | None:
        """The data of request ``num``, or None at the end of the file."""
        while num not in answers.got:
            sftp._read_response()  # noqa: SLF001 - one packet, handed to whoever asked
        t, msg = answers.got.pop(num)
        if t == CMD_STATUS:
            try:
                sftp._convert_status(msg)  # noqa: SLF001 - raises IOError, or EOFError at the end
            except EOFError:
                return None
            return b""  # a plain OK to a read: no data (not expected from a server)
        if t != CMD_DATA:
            raise SFTPError("Expected data")
        return msg.get_string()

    try:
        while next_offset < size and len(in_flight) < depth:
            length = min(segment, size - next_offset)
            ask(next_offset, length)
            next_offset += length
        while in_flight:
            num, offset, length = in_flight.popleft()
            data = answer(num)
            if data is None:
                return
            done = len(data)
            while done < length:  # a short answer: ask for the rest before going on
                stats.short_answers += 1
                ask(offset + done, length - done)
                rest = answer(in_flight.pop()[0])
                if not rest:
                    if done:
                        yield data
                    return
                data += rest
                done = len(data)
            if next_offset < size:
                length = min(segment, size - next_offset)
                ask(next_offset, length)
                next_offset += length
            yield data
    finally:
        # Answers still on the way go to ``answers`` (then dropped with it) when paramiko's
        # reader meets them, e.g. while closing the file: nothing waits for them here.
        in_flight.clear()
