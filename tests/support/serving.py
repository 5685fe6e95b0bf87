"""Real service processes for end-to-end tests: settings files and ``ykt serve`` subprocesses.

The settings name one bank on a real sshd, token users from :mod:`tests.support.identities`,
and short lease and poll times, so faults and take-overs happen within seconds.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.identities import USERS
from tests.support.sshd import free_port

ROOT = Path(__file__).resolve().parents[2]


def write_settings(path: Path, *, data_dir: Path, database_url: str, key_file: Path, instance_id: str,
                   bank: str, profile: Path, sshd_server, lease_s: float = 10, sftp_timeout_s: float = 15) -> Path:
    users = "\n".join(f'[auth.users.{u}]\nrole = "{next(iter(user.roles))}"\ntoken_sha256 = "{user.token_sha256}"\n'
                      + (f'banks = ["{bank}"]\n' if user.banks else "")  # a bank user: of this bank
                      for u, user in USERS.items() if len(user.roles) == 1)
    path.write_text(f"""
data_dir = "{data_dir}"
database_url = "{database_url}"
pii_key_file = "{key_file}"
instance_id = "{instance_id}"
poll_interval_s = 0.2
lease_s = {lease_s}
retry_s = 1
[banks.{bank}]
profile = "{profile}"
[banks.{bank}.sftp]
host = "{sshd_server.host}"
port = {sshd_server.port}
username = "{sshd_server.username}"
private_key = "{sshd_server.client_key_path}"
host_key = "{sshd_server.host_public_key_line}"
timeout_s = {sftp_timeout_s}
{users}
""", encoding="utf-8")
    return path


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adapter.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def serve(config: Path, *, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``ykt serve`` and wait for its "serving" line; returns the process and its address."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "adapter.cli", "serve", "--config", str(config), "--address", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, **(env or {})},
    )
    line = proc.stdout.readline().strip()
    if line != f"ykt serving on port {port}":
        out, err = stop(proc)
        raise AssertionError(f"ykt serve did not start (exit {proc.returncode}): {line}{out}\n{err}")
    return proc, f"127.0.0.1:{port}"


def stop(proc: subprocess.Popen, timeout: float = 60) -> tuple[str, str]:
    """End a service process however it stands (stopped, running or dead); its output."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGCONT)
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


def is_stopped(pid: int) -> bool:
    """Has the process stopped itself (SIGSTOP)? Read from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] == "T"
