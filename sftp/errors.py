"""The errors the bank SFTP client raises.

Every message names the bank (host and port), the remote or local path concerned and the
reason, so an operator can act on it from the log line alone. No message ever contains a
password, a passphrase or private key material.
"""
from __future__ import annotations


class SftpError(Exception):
    """Base of every error raised by :mod:`sftp`."""

    def __init__(self, bank: str, path: str | None, reason: str):
        self.bank = bank  # "host:port"
        self.path = path
        self.reason = reason
        where = f" path {path}" if path else ""
        super().__init__(f"bank {bank}{where}: {reason}")


class ConnectFailed(SftpError):
    """The bank's server could not be reached or the SSH session could not be set up."""


class UnknownHost(SftpError):
    """The server's host key is not known (no pin, no known_hosts entry): never auto-accepted."""


class HostKeyMismatch(SftpError):
    """The server presented a host key different from the pinned / known one."""


class AuthFailed(SftpError):
    """The bank's server refused our key (or our private key could not be loaded)."""


class TransferError(SftpError):
    """A transfer or remote file operation failed, or would overwrite a delivered file."""


class IncompleteTransfer(TransferError):
    """What arrived differs from what was sent (size or SHA-256 mismatch)."""
