"""Retry policy of the bank SFTP client, and which low-level failures are worth retrying.

Policy (per operation — ``connect``, ``upload``, ``download``, ``listdir``/``list_ready``,
``move``, ``remove``, ``makedirs``):

* only :class:`~sftp.errors.TransientError` is retried; a
  :class:`~sftp.errors.PermanentError` is raised at once, after one attempt;
* at most ``attempts`` attempts in all (default 4); before attempt ``n + 1`` the client closes
  the broken session, waits a random time in ``[0, min(cap_s, base_s * 2 ** (n - 1))]``
  ("exponential backoff with full jitter"; defaults base 0.5 s, cap 10 s, so at most 0.5, 1 and
  2 s with the defaults) and opens a new session;
* when the attempts are used up the last transient error is raised with ``attempts`` set and
  "(gave up after N attempts)" in its message; the caller (the service's worker) tries again
  at its next round.

The numbers come from the endpoint (``retry_attempts``, ``retry_base_s``, ``retry_cap_s``);
the sleep function and the random source are injectable (``BankSftp(endpoint, sleep=...,
rand=...)``) so tests run without waiting.

What is transient (:func:`is_transient`): timeouts, connection refused / reset / aborted,
broken pipe, host or network unreachable, EOF from the server, a temporary DNS failure, and any
SSH-level or socket error after which the SSH transport or the SFTP channel is no longer open
(the channel was closed), or whose message says the channel or session is gone
(``CONNECTION_GONE``: "Server connection dropped", "Socket is closed", "Channel closed"...,
which can arrive before the transport is marked inactive). Everything else is permanent: SFTP error statuses (permission denied,
no such file, "Failure" for quota or a full disk, unsupported operation) arrive over a working
connection and will come again.
"""
from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from dataclasses import dataclass

import paramiko

__all__ = ["RetryPolicy", "is_transient"]

TRANSIENT_ERRNOS = frozenset({
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.ETIMEDOUT,
    errno.EPIPE,
    errno.EHOSTUNREACH,
    errno.EHOSTDOWN,
    errno.ENETUNREACH,
    errno.ENETDOWN,
    errno.ENETRESET,
    errno.ENOTCONN,
    errno.EAGAIN,
})

# Errors the server reports about a file or folder: they are the same at the next attempt.
PERMANENT_ERRNOS = frozenset({
    errno.EACCES,
    errno.EPERM,
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EEXIST,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.ENAMETOOLONG,
})


# What paramiko says when the connection or the SSH channel has gone away. The reader thread
# may not yet have marked the transport inactive when these reach the caller.
CONNECTION_GONE = (
    "Server connection dropped",
    "Socket is closed",
    "Channel closed",
    "Channel is closed",
    "SSH session not active",
    "No existing session",
    "Error reading SSH protocol banner",
    "Connection reset",
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most ``attempts`` attempts; full-jitter exponential backoff between them."""

    attempts: int = 4
    base_s: float = 0.5
    cap_s: float = 10.0

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or self.attempts < 1:
            raise ValueError(f"retry attempts must be an integer >= 1, not {self.attempts!r}")
        if self.base_s < 0 or self.cap_s < 0:
            raise ValueError("retry base and cap must not be negative")

    def ceiling(self, retry: int) -> float:
        """The longest wait before retry number ``retry`` (1 = the second attempt)."""
        return min(self.cap_s, self.base_s * (2 ** (retry - 1)))

    def delay(self, retry: int, rand: Callable[[], float]) -> float:
        """A wait drawn uniformly from ``[0, ceiling(retry)]`` (``rand()`` in [0, 1))."""
        return rand() * self.ceiling(retry)


def is_transient(exc: BaseException, *, alive: bool) -> bool:
    """Whether a low-level failure (socket, paramiko, SFTP status) may go away on a retry.

    ``alive`` tells whether the SSH transport and the SFTP channel were still open when the
    failure was seen: a failure on a dead connection is the connection's, not the file's.
    """
    if isinstance(exc, (paramiko.BadHostKeyException, paramiko.AuthenticationException,
                        paramiko.ssh_exception.IncompatiblePeer, paramiko.ChannelException)):
        return False
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        # SSHClient tried every address of the host; transient if each failure was
        return bool(exc.errors) and all(is_transient(e, alive=False) for e in exc.errors.values())
    if isinstance(exc, socket.gaierror):
        return exc.errno == socket.EAI_AGAIN  # temporary failure in name resolution
    if isinstance(exc, (EOFError, TimeoutError, socket.timeout, ConnectionError)):
        return True
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno in PERMANENT_ERRNOS:
            return False
        if exc.errno in TRANSIENT_ERRNOS:
            return True
    if isinstance(exc, (OSError, paramiko.SSHException)):
        if any(text in str(exc) for text in CONNECTION_GONE):
            return True  # the SSH channel or session is gone (seen before ``alive`` is updated)
        return not alive
    return False
