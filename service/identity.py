"""Who may call the service: roles, users and their credentials as the settings hold them.

A user is a name (what the ledger and the audit trail record as the actor), one or more roles,
for a ``BANK`` user the codes of the banks it acts for (it sees and hands in nothing of any
other bank, see :mod:`service.scope`), and how they prove who they are: the SHA-256 of a
bearer token (the token itself is never stored) and/or the common name (CN) of a client
certificate signed by the configured CA.
Which RPC each role may call is in :mod:`adapter.auth`; this module is only the settings side.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

__all__ = ["AuthSettings", "Role", "User", "issue_tokens", "new_token", "token_sha256"]


class Role(StrEnum):
    CLERK = "CLERK"  # department clerk: enters and corrects the roster
    APPROVER = "APPROVER"  # department approver: the second person who approves a batch
    FINANCE = "FINANCE"  # finance bureau: funds, dispatches, closes
    BANK = "BANK"  # agency bank operator: hands in result files
    AUDITOR = "AUDITOR"  # accountant or auditor: reads everything, changes nothing


@dataclass(frozen=True)
class User:
    name: str
    roles: frozenset[Role]
    token_sha256: str | None = field(default=None, repr=False)
    cert_cn: str | None = None
    banks: frozenset[str] = frozenset()  # BANK users: the bank codes they act for (none: nothing)


@dataclass(frozen=True)
class AuthSettings:
    """``[auth]``: the users, and the server's TLS files (all optional).

    No ``tls_cert``: the server listens without TLS and callers authenticate with bearer tokens
    only. ``tls_cert`` + ``tls_key``: TLS, bearer tokens. Plus ``client_ca``: mutual TLS, every
    client must present a certificate signed by that CA.
    """

    users: Mapping[str, User] = field(default_factory=dict)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    client_ca: Path | None = None

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def mutual_tls(self) -> bool:
        return self.client_ca is not None


def new_token() -> str:
    """A fresh bearer token (256 random bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def token_sha256(token: str) -> str:
    """What the settings store of a token: its SHA-256, lowercase hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_tokens(roles_by_user: Mapping[str, Role | Iterable[Role]],
                 banks: Mapping[str, Iterable[str]] | None = None) -> tuple[dict[str, User], dict[str, str]]:
    """Throwaway users with fresh tokens (for the demo, tests and benchmarks): the users for
    the settings, and each user's token for the client. ``banks``: the bank codes of users
    (BANK users) by name."""
    users, tokens = {}, {}
    for name, roles in roles_by_user.items():
        tokens[name] = new_token()
        users[name] = User(name, frozenset([roles] if isinstance(roles, Role) else roles), token_sha256(tokens[name]),
                           banks=frozenset((banks or {}).get(name, ())))
    return users, tokens
