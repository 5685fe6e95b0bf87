"""SFTP delivery of payment files to agency banks and collection of their result files.

Errors are :class:`TransientError` (retried by the client, a bounded number of times, with
exponential backoff and full jitter) or :class:`PermanentError` (raised at once); see
:mod:`sftp.errors` and :mod:`sftp.retry`.
"""
from __future__ import annotations

from sftp.client import BankSftp, Delivered, Downloaded, ReadyListing, RemoteFile
from sftp.endpoint import SftpEndpoint
from sftp.errors import (
    AuthFailed,
    BankVolumeFull,
    ConnectFailed,
    ConnectionLost,
    DeliveryUndecided,
    HostKeyMismatch,
    IncompleteTransfer,
    PermanentError,
    RemoteRefused,
    ServerUnavailable,
    SessionFailed,
    SftpError,
    TargetExists,
    TransferError,
    TransferFailed,
    TransientError,
    UnknownHost,
)
from sftp.readiness import Entry, Readiness, ReadinessTracker, Verdict
from sftp.retry import RetryPolicy, is_transient

__all__ = [
    "AuthFailed",
    "BankVolumeFull",
    "BankSftp",
    "ConnectFailed",
    "ConnectionLost",
    "Delivered",
    "DeliveryUndecided",
    "Downloaded",
    "Entry",
    "HostKeyMismatch",
    "IncompleteTransfer",
    "PermanentError",
    "Readiness",
    "ReadinessTracker",
    "ReadyListing",
    "RemoteFile",
    "RemoteRefused",
    "RetryPolicy",
    "ServerUnavailable",
    "SessionFailed",
    "SftpEndpoint",
    "SftpError",
    "TargetExists",
    "TransferError",
    "TransferFailed",
    "TransientError",
    "UnknownHost",
    "Verdict",
    "is_transient",
]
