"""Where and how to reach one agency bank's SFTP server."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from i18n import Refused
from sftp.retry import RetryPolicy

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class EndpointRefused(Refused):
    """A setting of the endpoint that cannot be used, in words (``sftp.setting.*``)."""


@dataclass(frozen=True, repr=False)
class SftpEndpoint:
    """Connection settings for one bank.

    Host key (never accepted on first use): ``host_key`` pins the server's key as an OpenSSH
    public-key line (``"ssh-ed25519 AAAA..."``); without it ``known_hosts_path`` must name a
    known_hosts file. With neither the client refuses to connect. A different key is refused
    with :class:`~sftp.errors.HostKeyMismatch` naming both fingerprints.

    Our credentials, tried in this order:

    * ``private_key_path``: a private key file (OpenSSH or PEM; Ed25519, ECDSA, RSA). If it is
      encrypted, ``passphrase_env`` names the environment variable holding its passphrase;
    * ``use_agent``: the keys an ssh-agent offers (``paramiko.Agent``, via ``SSH_AUTH_SOCK``);
    * ``password_env``: password authentication, only when set: the *name* of the environment
      variable that holds the password. A password is never part of the settings.

    ``name`` is the bank's code (``"RCC01"``), used in every message and log line.

    Retry policy (see :mod:`sftp.retry`): at most ``retry_attempts`` attempts per operation,
    full-jitter exponential backoff with base ``retry_base_s`` and cap ``retry_cap_s``. Only
    transient failures are retried.

    ``repr()`` never shows a secret nor any key material.
    """

    host: str
    port: int
    username: str
    private_key_path: Path | None
    host_key: str | None = None
    known_hosts_path: Path | None = None
    timeout_s: float = 15.0
    use_agent: bool = False
    password_env: str | None = None
    passphrase_env: str | None = None
    name: str = ""
    retry_attempts: int = 4
    retry_base_s: float = 0.5
    retry_cap_s: float = 10.0

    def __post_init__(self) -> None:
        if self.private_key_path is not None and not isinstance(self.private_key_path, Path):
            object.__setattr__(self, "private_key_path", Path(self.private_key_path))
        if self.known_hosts_path is not None and not isinstance(self.known_hosts_path, Path):
            object.__setattr__(self, "known_hosts_path", Path(self.known_hosts_path))
        if not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise EndpointRefused("sftp.setting.port", port=repr(self.port), host=self.host)
        for field_name in ("password_env", "passphrase_env"):
            value = getattr(self, field_name)
            if value is not None and not (isinstance(value, str) and _ENV_NAME.match(value)):
                raise EndpointRefused("sftp.setting.env_name", setting=field_name)
        if not isinstance(self.use_agent, bool):
            raise EndpointRefused("sftp.setting.use_agent", value=repr(self.use_agent))
        if not (isinstance(self.timeout_s, (int, float)) and self.timeout_s > 0):
            raise EndpointRefused("sftp.setting.timeout", value=repr(self.timeout_s))
        self.retry  # validates the retry settings  # noqa: B018

    @property
    def bank(self) -> str:
        """The name errors and logs use for this bank: ``"RCC01 (host:port)"`` or ``"host:port"``."""
        where = f"{self.host}:{self.port}"
        return f"{self.name} ({where})" if self.name else where

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(self.retry_attempts, self.retry_base_s, self.retry_cap_s)

    def __repr__(self) -> str:
        pin = None
        if self.host_key:
            parts = self.host_key.split()
            pin = f"{parts[0]} (pinned)" if parts else "(pinned)"
        return (
            f"SftpEndpoint(name={self.name!r}, host={self.host!r}, port={self.port}, "
            f"username={self.username!r}, "
            f"private_key_path={str(self.private_key_path) if self.private_key_path else None!r}, "
            f"host_key={pin!r}, known_hosts_path="
            f"{str(self.known_hosts_path) if self.known_hosts_path else None!r}, "
            f"use_agent={self.use_agent}, password_env={self.password_env!r}, "
            f"passphrase_env={self.passphrase_env!r}, timeout_s={self.timeout_s}, "
            f"retry={self.retry_attempts}x base {self.retry_base_s}s cap {self.retry_cap_s}s)"
        )

    __str__ = __repr__
