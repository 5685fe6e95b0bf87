"""A real OpenSSH sshd on 127.0.0.1 for tests, serving SFTP (internal-sftp) to the current user.

    server = start_sshd(tmp_path)
    try:
        ... server.endpoint() / server.inbox ...
    finally:
        server.stop()

No chroot: the client works with absolute paths under ``server.root_dir`` (``inbox``, ``outbox``
are created there). When ``/usr/sbin/sshd`` is missing this raises :class:`SshdUnavailable`
(the fixture turns it into a test failure, not a skip: CI installs openssh-server).

``start_sshd(tmp, unprivileged=True)`` serves SFTP as a user to whom file permissions apply:
the current user normally, but ``nobody`` (or ``$YKT_TEST_SFTP_USER``) when the tests run as
root, for whom ``chmod 0555`` would deny nothing. Its files then live in a fresh directory
under the system temp dir that the user can reach (pytest's own is private to root), removed
by ``stop()``.

For fault tests: ``restart(new_host_key=...)`` stops sshd and starts it again on the same port
(optionally with a new host key), ``stop_listener()`` / ``start_listener()`` take it down and
up, and ``kill_sessions()`` SIGKILLs the per-connection sshd processes (the server side of
every open session) by process id.
"""
from __future__ import annotations

import getpass
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
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
    config_path: Path | None = None
    host_key_path: Path | None = None
    uid: int | None = None  # the user SFTP sessions run as
    cleanup_dir: Path | None = None  # removed by stop() (unprivileged servers only)
    startup_timeout_s: float = 10.0

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

    def session_pids(self) -> list[int]:
        """Process ids of the sshd processes serving connections (children of the listener)."""
        if self.process.poll() is not None:
            return []
        return _descendants(self.process.pid)

    def kill_sessions(self) -> list[int]:
        """SIGKILL every per-connection sshd process (by pid); the listener keeps running."""
        pids = self.session_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return pids

    def stop_listener(self) -> None:
        """Stop sshd and the sessions it serves; the port refuses connections until restart."""
        sessions = self.session_pids()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for pid in sessions:  # sessions outlive the listener; end the ones it had started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def start_listener(self) -> None:
        """Start sshd again on the same port with the same configuration."""
        if self.process.poll() is None:
            return
        if self.config_path is None:
            raise RuntimeError("this server cannot be restarted (no config_path)")
        proc, error = _launch(SSHD, self.config_path, self.log_path, self.port, self.startup_timeout_s)
        if proc is None:
            raise RuntimeError(f"sshd did not restart: {error}")
        self.process = proc

    def restart(self, *, new_host_key: bool = False) -> None:
        """Stop and start sshd on the same port; with ``new_host_key`` it gets a new host key
        (``host_public_key_line`` is updated; endpoints made before keep the old pin)."""
        self.stop_listener()
        if new_host_key:
            if self.host_key_path is None:
                raise RuntimeError("this server has no host_key_path")
            self.host_public_key_line = generate_ed25519(self.host_key_path, comment="ykt-test-sshd-new")
        self.start_listener()

    def stop(self) -> None:
        self.stop_listener()
        if self.cleanup_dir is not None:
            shutil.rmtree(self.cleanup_dir, ignore_errors=True)
            self.cleanup_dir = None


def _descendants(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()  # the command name may hold spaces
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], list(children.get(root_pid, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


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


def start_sshd(
    tmp_dir: Path, *, startup_timeout_s: float = 10.0, unprivileged: bool = False
) -> SshdServer:
    """Start sshd in ``tmp_dir`` (absolute paths everywhere) and wait until it answers.

    ``unprivileged``: SFTP sessions run as a user to whom file permissions apply (``nobody``
    when the tests run as root; see the module docstring).
    """
    sshd = SSHD
    if not (os.path.isfile(sshd) and os.access(sshd, os.X_OK)):
        raise SshdUnavailable(
            f"OpenSSH sshd not found at {sshd}: install openssh-server (apt-get install "
            "openssh-server) or point YKT_TEST_SSHD at it; the SFTP tests need a real sshd"
        )
    user = getpass.getuser()
    cleanup = None
    top = Path(tmp_dir).resolve()
    if unprivileged and os.geteuid() == 0:
        user = os.environ.get("YKT_TEST_SFTP_USER", "nobody")
        # pytest's temp dir is private to root: the session user could not reach its files
        cleanup = top = Path(tempfile.mkdtemp(prefix="ykt-sshd-")).resolve()
        os.chmod(top, 0o755)
    account = pwd.getpwnam(user)
    base = top / "sshd"
    base.mkdir(parents=True, exist_ok=True)
    host_key = base / "ssh_host_ed25519_key"
    client_key = base / "client_ed25519"
    host_line = generate_ed25519(host_key, comment="ykt-test-sshd")
    client_line = generate_ed25519(client_key, comment="ykt-test-client")
    authorized = base / "authorized_keys"
    authorized.write_text(client_line + "\n")
    # sshd reads the file as the session user
    os.chmod(authorized, 0o644 if account.pw_uid != os.geteuid() else 0o600)
    root = top / "bank"
    for d in ("inbox", "outbox"):
        (root / d).mkdir(parents=True, exist_ok=True)
    if account.pw_uid != os.geteuid():
        for path in (root, root / "inbox", root / "outbox"):
            os.chown(path, account.pw_uid, account.pw_gid)

    if os.geteuid() == 0:
        # privilege separation directory, required when sshd runs as root
        Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)

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
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
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
        config_path=cfg,
        host_key_path=host_key,
        uid=account.pw_uid,
        cleanup_dir=cleanup,
        startup_timeout_s=startup_timeout_s,
    )
