"""SFTP delivery of payment files to agency banks and collection of their result files."""
from __future__ import annotations

from sftp.client import BankSftp, Delivered, Downloaded, ReadyListing, RemoteFile
from sftp.endpoint import SftpEndpoint
from sftp.errors import (
    AuthFailed,
    ConnectFailed,
    HostKeyMismatch,
    IncompleteTransfer,
    SftpError,
    TransferError,
    UnknownHost,
)
from sftp.readiness import Entry, Readiness, ReadinessTracker, Verdict

__all__ = [
    "AuthFailed",
    "BankSftp",
    "ConnectFailed",
    "Delivered",
    "Downloaded",
    "Entry",
    "HostKeyMismatch",
    "IncompleteTransfer",
    "Readiness",
    "ReadinessTracker",
    "ReadyListing",
    "RemoteFile",
    "SftpEndpoint",
    "SftpError",
    "TransferError",
    "UnknownHost",
    "Verdict",
]
