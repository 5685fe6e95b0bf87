"""Where and how to reach one agency bank's SFTP server."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, repr=False)
class SftpEndpoint:
    """Connection settings for one bank.

    ``host_key`` pins the server's key as an OpenSSH public-key line (``"ssh-ed25519 AAAA..."``);
    without it ``known_hosts_path`` must name a known_hosts file. With neither the client
    refuses to connect: a host key is never accepted on first use.

    ``password`` unlocks an encrypted private key (and is offered for password auth if the
    server allows it). ``repr()`` never shows it nor any key material.
    """

    host: str
    port: int
    username: str
    private_key_path: Path | None
    host_key: str | None = None
    known_hosts_path: Path | None = None
    password: str | None = None
    timeout_s: float = 15.0
    allow_agent: bool = False
    look_for_keys: bool = False

    def __post_init__(self) -> None:
        if self.private_key_path is not None and not isinstance(self.private_key_path, Path):
            object.__setattr__(self, "private_key_path", Path(self.private_key_path))
        if self.known_hosts_path is not None and not isinstance(self.known_hosts_path, Path):
            object.__setattr__(self, "known_hosts_path", Path(self.known_hosts_path))
        if not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise ValueError(f"invalid SFTP port {self.port!r} for {self.host}")

    @property
    def bank(self) -> str:
        """``host:port``, the name errors and logs use for this bank."""
        return f"{self.host}:{self.port}"

    def __repr__(self) -> str:
        pin = None
        if self.host_key:
            parts = self.host_key.split()
            pin = f"{parts[0]} (pinned)" if parts else "(pinned)"
        return (
            f"SftpEndpoint(host={self.host!r}, port={self.port}, username={self.username!r}, "
            f"private_key_path={str(self.private_key_path) if self.private_key_path else None!r}, "
            f"host_key={pin!r}, known_hosts_path="
            f"{str(self.known_hosts_path) if self.known_hosts_path else None!r}, "
            f"password={'***' if self.password else None!r}, timeout_s={self.timeout_s})"
        )

    __str__ = __repr__
