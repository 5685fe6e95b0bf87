"""The embedded bank SFTP server (bank_sim.sftp_server) packaged like the sshd helper."""
from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path

from bank_sim.sftp_server import EmbeddedSftpServer
from sftp.endpoint import SftpEndpoint
from sftp.keys import generate_ed25519

__all__ = ["EmbeddedBank", "start_embedded"]


@dataclass
class EmbeddedBank:
    host: str
    port: int
    username: str
    client_key_path: Path
    host_public_key_line: str
    root_dir: Path
    server: EmbeddedSftpServer = field(repr=False)

    kind = "embedded"

    @property
    def inbox(self) -> str:
        return "/inbox"

    @property
    def outbox(self) -> str:
        return "/outbox"

    def remote(self, *parts: str) -> str:
        return "/" + "/".join(parts)

    def local(self, remote_path: str) -> Path:
        return self.root_dir / remote_path.lstrip("/")

    def endpoint(self, **overrides) -> SftpEndpoint:
        kw = dict(
            host=self.host,
            port=self.port,
            username=self.username,
            private_key_path=self.client_key_path,
            host_key=self.host_public_key_line,
            timeout_s=10.0,
        )
        kw.update(overrides)
        return SftpEndpoint(**kw)

    def authorize(self, public_key_line: str) -> None:
        self.server.authorize(public_key_line)

    def stop(self) -> None:
        self.server.stop()


def start_embedded(tmp_dir: Path) -> EmbeddedBank:
    base = Path(tmp_dir).resolve() / "embedded"
    client_key = base / "client_ed25519"
    client_line = generate_ed25519(client_key, comment="ykt-test-client")
    root = base / "bank"
    for d in ("inbox", "outbox"):
        (root / d).mkdir(parents=True, exist_ok=True)
    server = EmbeddedSftpServer(
        root, authorized_keys=[client_line], host_key_path=base / "ssh_host_ed25519_key"
    ).start()
    return EmbeddedBank(
        host=server.host,
        port=server.port,
        username=getpass.getuser(),
        client_key_path=client_key,
        host_public_key_line=server.host_public_key_line,
        root_dir=root,
        server=server,
    )
