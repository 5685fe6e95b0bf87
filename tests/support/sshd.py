"""A real OpenSSH sshd on 127.0.0.1 for tests, serving SFTP (internal-sftp) to the current user.

    server = start_sshd(tmp_path)
    try:
        ... server.endpoint() / server.inbox ...
    finally:
        server.stop()

No chroot: the client works with absolute paths under ``server.root_dir`` (``inbox``, ``outbox``
are created there). When ``/usr/sbin/sshd`` is missing this raises :class:`SshdUnavailable`
(the fixture turns it into a test failure, not a skip: CI installs openssh-server).
"""
from __future__ import annotations

import getpass
import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from sftp.endpoint import SftpEndpoint
from sftp.keys import generate_ed25519

SSHD = os.environ.get("YKT_TEST_SSHD", "/usr/sbin/sshd")

__all__ = ["SSHD", "SshdServer", "SshdUnavailable", "free_port", "start_sshd"]


class SshdUnavailable(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class SshdServer:
    host: str
    port: int
    username: str
    client_key_path: Path
    host_public_key_line: str
    root_dir: Path
    log_path: Path
    authorized_keys_path: Path
    process: subprocess.Popen = field(repr=False)

    kind = "openssh"

    @property
    def inbox(self) -> str:
        return str(self.root_dir / "inbox")

    @property
    def outbox(self) -> str:
        return str(self.root_dir / "outbox")

    def remote(self, *parts: str) -> str:
        """Absolute remote path of ``parts`` under the bank root."""
        return str(self.root_dir.joinpath(*parts))

    def local(self, remote_path: str) -> Path:
        """The local file behind a remote path (same machine, no chroot)."""
        return Path(remote_path)

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
        """Accept one more client key (sshd re-reads AuthorizedKeysFile at each login)."""
        with open(self.authorized_keys_path, "a") as f:
            f.write(public_key_line.strip() + "\n")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _wait_for_port(host: str, port: int, proc: subprocess.Popen, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5) as s:
                s.settimeout(1.0)
                if s.recv(4).startswith(b"SSH-"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


def _config(port: int, host_key: Path, base: Path, authorized: Path, user: str) -> str:
    lines = [
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {host_key}",
        f"PidFile {base / 'sshd.pid'}",
        f"AuthorizedKeysFile {authorized}",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        # As root: no PAM (spec). As an ordinary user, sshd without PAM refuses accounts whose
        # password field is locked ("!"/"*", usual for CI and service users) even for key
        # logins; PAM's account check does not, and works unprivileged for the same user.
        "UsePAM no" if os.geteuid() == 0 else "UsePAM yes",
        "StrictModes no",
        "PermitRootLogin prohibit-password",
        f"AllowUsers {user}",
        "AllowTcpForwarding no",
        "X11Forwarding no",
        "PrintMotd no",
        "UseDNS no",
        "Subsystem sftp internal-sftp",
        "LogLevel VERBOSE",
    ]
    return "\n".join(lines) + "\n"


def _launch(sshd: str, cfg: Path, log_path: Path, port: int, timeout_s: float):
    """Run sshd in the foreground; returns (process, "") once it answers, or (None, why)."""
    # sshd must be started with an absolute path (it re-executes itself)
    cmd = [os.path.abspath(sshd), "-D", "-f", str(cfg), "-E", str(log_path)]
    out_path = log_path.with_suffix(".out")
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    if _wait_for_port("127.0.0.1", port, proc, time.monotonic() + timeout_s):
        return proc, ""
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass
    text = ""
    for p in (out_path, log_path):
        if p.exists():
            text += p.read_text(errors="replace")
    return None, f"127.0.0.1:{port} (exit {proc.returncode}): {text}"


def start_sshd(tmp_dir: Path, *, startup_timeout_s: float = 10.0) -> SshdServer:
    """Start sshd in ``tmp_dir`` (absolute paths everywhere) and wait until it answers."""
    sshd = SSHD
    if not (os.path.isfile(sshd) and os.access(sshd, os.X_OK)):
        raise SshdUnavailable(
            f"OpenSSH sshd not found at {sshd}: install openssh-server (apt-get install "
            "openssh-server) or point YKT_TEST_SSHD at it; the SFTP tests need a real sshd"
        )
    base = Path(tmp_dir).resolve() / "sshd"
    base.mkdir(parents=True, exist_ok=True)
    host_key = base / "ssh_host_ed25519_key"
    client_key = base / "client_ed25519"
    host_line = generate_ed25519(host_key, comment="ykt-test-sshd")
    client_line = generate_ed25519(client_key, comment="ykt-test-client")
    authorized = base / "authorized_keys"
    authorized.write_text(client_line + "\n")
    os.chmod(authorized, 0o600)
    root = Path(tmp_dir).resolve() / "bank"
    for d in ("inbox", "outbox"):
        (root / d).mkdir(parents=True, exist_ok=True)

    if os.geteuid() == 0:
        # privilege separation directory, required when sshd runs as root
        Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)

    user = getpass.getuser()
    cfg = base / "sshd_config"
    log_path = base / "sshd.log"
    error = ""
    for _attempt in range(3):  # another process may grab the free port before sshd binds it
        port = free_port()
        cfg.write_text(_config(port, host_key, base, authorized, user))
        log_path.unlink(missing_ok=True)
        proc, error = _launch(sshd, cfg, log_path, port, startup_timeout_s)
        if proc is not None:
            break
        if "Address already in use" not in error:
            break
    else:
        proc = None
    if proc is None:
        raise RuntimeError(f"sshd did not start: {error}")
    return SshdServer(
        host="127.0.0.1",
        port=port,
        username=user,
        client_key_path=client_key,
        host_public_key_line=host_line,
        root_dir=root,
        log_path=log_path,
        authorized_keys_path=authorized,
        process=proc,
    )

