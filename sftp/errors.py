"""The errors the bank SFTP client raises, split into transient and permanent failures.

Every message names the bank (its code when the endpoint has one, and host:port), the remote or
local path concerned and the reason, so an operator can act on it from the log line alone. No
message ever contains a password, a passphrase or private key material; a host key is named by
its ``SHA256:`` fingerprint.

Every error raised is exactly one of two kinds:

``TransientError`` — the line or the server is (briefly) unavailable; trying again later may
work. :class:`~sftp.client.BankSftp` retries these itself (see :mod:`sftp.retry`) and raises the
last one, with ``attempts`` set, once the endpoint's attempts are used up:

* :class:`ServerUnavailable` (a :class:`ConnectFailed`): connection refused, timed out, reset,
  host unreachable, the server hung up during the SSH handshake;
* :class:`ConnectionLost` (a :class:`TransferError`): during an operation the connection was
  reset or timed out, the server hung up (EOF) or the SSH channel was closed;
* :class:`BankVolumeFull` (a :class:`TransferError`): the bank's server refused a write and its
  folder has less room than the file needs (OpenSSH's ``statvfs@openssh.com``).

``PermanentError`` — retrying cannot help; a person must act. Raised at once, never retried:

* :class:`UnknownHost`, :class:`HostKeyMismatch`, :class:`AuthFailed`, :class:`SessionFailed`
  (all :class:`ConnectFailed`): the server's key is not pinned or differs from the pin, our key
  or password was refused (or is not available), the endpoint is misconfigured, SSH could not
  agree on algorithms, the server offers no SFTP;
* :class:`RemoteRefused` (a :class:`TransferError`): the server answered an operation with an
  error — permission denied, no such file or folder, quota exceeded / disk full ("Failure"),
  operation unsupported;
* :class:`TargetExists`: the destination name holds a different file; a delivered payment file
  is never overwritten;
* :class:`IncompleteTransfer`: what arrived differs from what was sent (size or SHA-256);
* :class:`DeliveryUndecided`: a rename into the bank's inbox was sent, and the bank's folders
  show neither the file, nor its temporary copy, nor a marker: only the bank can say whether it
  has the file, so it is not sent again;
* :class:`TransferFailed`: anything else that retrying cannot fix (an invalid remote name, an
  unreadable local file, a local disk error).

``ConnectFailed`` and ``TransferError`` say *where* it failed (setting up the session, or an
operation on it); ``TransientError`` and ``PermanentError`` say *whether to try again*.
"""
from __future__ import annotations

from i18n import Phrase

__all__ = [
    "AuthFailed",
    "BankVolumeFull",
    "ConnectFailed",
    "ConnectionLost",
    "DeliveryUndecided",
    "HostKeyMismatch",
    "IncompleteTransfer",
    "PermanentError",
    "RemoteRefused",
    "ServerUnavailable",
    "SessionFailed",
    "SftpError",
    "TargetExists",
    "TransferError",
    "TransferFailed",
    "TransientError",
    "UnknownHost",
]


class SftpError(Exception):
    """Base of every error raised by :mod:`sftp`.

    ``bank`` names the bank (``"RCC01 (host:port)"`` or ``"host:port"``), ``path`` the remote or
    local file concerned (or ``None``), ``reason`` what happened (English); ``attempts`` how many
    attempts were made before giving up (1 for an error that is never retried).

    The reason may be given as catalogue words (an :class:`i18n.Phrase`, kept as ``said``), and
    :attr:`phrase` is the whole error in words, so that a payment file's ``last_error`` and
    ``ykt files`` say it in the reader's language; ``str()`` stays the English text.
    """

    def __init__(self, bank: str, path: str | None, reason: str | Phrase):
        self.bank = bank
        self.path = path
        self.said = reason
        self.attempts = 1
        super().__init__(self._message())

    @property
    def reason(self) -> str:
        """What happened, in English (the words of :attr:`said`)."""
        return str(self.said)

    @property
    def phrase(self) -> Phrase:
        """The whole error as catalogue words: the bank, the file when known, the reason."""
        if self.path:
            return Phrase.of("sftp.error", bank=self.bank, path=self.path, reason=self.said)
        return Phrase.of("sftp.error.no_path", bank=self.bank, reason=self.said)

    def _message(self) -> str:
        return str(self.phrase)

    @property
    def transient(self) -> bool:
        """True when trying again later may succeed."""
        return isinstance(self, TransientError)

    def gave_up(self, attempts: int) -> SftpError:
        """Record that ``attempts`` attempts were made; the message says so. Returns self."""
        self.attempts = attempts
        if attempts > 1:
            self.said = Phrase.of("sftp.gave_up", reason=self.said, attempts=attempts)
            self.args = (self._message(),)
        return self


class TransientError(SftpError):
    """Trying again later may succeed (the client retries these itself, a bounded number of times)."""


class PermanentError(SftpError):
    """Retrying cannot help: configuration, credentials, permissions or content. Never retried."""


# ----------------------------------------------------------------------------- session set-up


class ConnectFailed(SftpError):
    """The SSH/SFTP session could not be set up (see the subclasses for transient or not)."""


class ServerUnavailable(ConnectFailed, TransientError):
    """Connection refused, timed out, reset or closed by the server during the handshake."""


class SessionFailed(ConnectFailed, PermanentError):
    """The session cannot be set up for a reason retrying will not fix: the endpoint is
    misconfigured (no or invalid host key pin), no common SSH algorithms, no SFTP subsystem."""


class UnknownHost(ConnectFailed, PermanentError):
    """The server's host key is not known (no pin, no known_hosts entry): never auto-accepted."""


class HostKeyMismatch(ConnectFailed, PermanentError):
    """The server presented a host key different from the pinned / known one.

    ``expected_fingerprint`` and ``offered_fingerprint`` are ``SHA256:...`` fingerprints.
    """

    def __init__(self, bank: str, path: str | None, reason: str | Phrase, *,
                 expected_fingerprint: str | None = None, offered_fingerprint: str | None = None):
        self.expected_fingerprint = expected_fingerprint
        self.offered_fingerprint = offered_fingerprint
        super().__init__(bank, path, reason)


class AuthFailed(ConnectFailed, PermanentError):
    """The server refused our key or password, or our credentials are not available (private
    key unreadable, password variable unset, ssh-agent without keys)."""


# ----------------------------------------------------------------------------- operations


class TransferError(SftpError):
    """A transfer or remote file operation failed (see the subclasses for transient or not)."""


class ConnectionLost(TransferError, TransientError):
    """The connection broke during an operation: reset, timeout, EOF, SSH channel closed."""


class RemoteRefused(TransferError, PermanentError):
    """The server answered with an error: permission denied, no such file or folder, quota
    exceeded or disk full (SFTP "Failure"), operation unsupported."""


class TargetExists(TransferError, PermanentError):
    """The destination name already holds a different file; it is never overwritten."""


class TransferFailed(TransferError, PermanentError):
    """Any other failure retrying cannot fix: invalid name, local file unreadable or unwritable."""


class IncompleteTransfer(TransferError, PermanentError):
    """What arrived differs from what was sent (size or SHA-256 mismatch)."""


class DeliveryUndecided(TransferError, PermanentError):
    """A rename into place was sent and nothing at the bank shows whether it happened.

    Never retried: sending again could pay twice. A person asks the bank, then marks the file
    delivered or regenerates it."""


class BankVolumeFull(TransferError, TransientError):
    """The bank's folder has no room for the file; its partial copy was removed. Works again
    once the bank frees space."""
