"""The shipped production example (issue 17 item 4): examples/production installed as its
comments and docs/operations.md say — copied to an /etc/ykt-like folder with the profiles, then
the `ykt certs` and `ykt keys init` commands written in its header — starts as the systemd unit
starts it (ExecStartPre, ExecStart), on PostgreSQL with mutual TLS, and answers a clerk who
presents a certificate and nobody who does not."""
from __future__ import annotations

import configparser
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from adapter.client import Client
from tests.support.sshd import free_port
from ykt.v1 import disbursement_pb2 as pb

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "production"
CLI = [sys.executable, "-m", "adapter.cli"]


def _header_commands(settings: Path) -> list[list[str]]:
    """The `ykt ...` commands the settings file's header tells the operator to run."""
    commands, current = [], ""
    for line in settings.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if text.startswith("ykt ") or current:
            current += " " + text.split("#")[0].rstrip("\\").strip()
            if not text.endswith("\\"):
                commands.append(shlex.split(current))
                current = ""
    return commands


def _unit() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(EXAMPLE / "ykt.service", encoding="utf-8")
    return parser["Service"]


def test_the_systemd_unit_is_valid(tmp_path):
    text = (EXAMPLE / "ykt.service").read_text(encoding="utf-8")
    unit = tmp_path / "ykt.service"
    unit.write_text(text.replace("/opt/ykt/.venv/bin/ykt", str(Path(sys.executable).with_name("ykt"))),
                    encoding="utf-8")
    checked = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    service = _unit()
    assert service["User"] == "ykt" and service["UMask"] == "0077" and service["ProtectSystem"] == "strict"


def test_the_production_example_starts_as_shipped_after_certs_and_keys_init(tmp_path, pg_engine):
    etc = tmp_path / "etc" / "ykt"
    shutil.copytree(EXAMPLE, etc)
    shutil.copytree(ROOT / "profiles", etc / "profiles")
    settings = etc / "ykt.toml"
    commands = _header_commands(settings)
    assert [c[:2] for c in commands] == [["ykt", "certs"], ["ykt", "keys"]]
    for command in commands:
        done = subprocess.run(CLI + command[1:], capture_output=True, text=True, timeout=120, cwd=etc)
        assert done.returncode == 0, (command, done.stderr)
    for key in ("keys/pii-keys.json", "keys/sftp_ed25519", "pki/server.key", "pki/wang.clerk.key"):
        assert (etc / key).stat().st_mode & 0o077 == 0, key

    service = _unit()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("YKT_")},
           "YKT_DATABASE_URL": pg_engine.url.render_as_string(hide_password=False),
           "YKT_DATA_DIR": str(tmp_path / "var" / "lib" / "ykt")}
    port = free_port()

    def as_run(line: str) -> list[str]:
        words = shlex.split(line.replace("/etc/ykt", str(etc)).replace("0.0.0.0:50051", f"127.0.0.1:{port}"))
        assert words[0] == "/opt/ykt/.venv/bin/ykt"
        return CLI + words[1:]

    migrated = subprocess.run(as_run(service["ExecStartPre"]), capture_output=True, text=True, timeout=120, env=env)
    assert migrated.returncode == 0, migrated.stderr
    proc = subprocess.Popen(as_run(service["ExecStart"]), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        line = proc.stdout.readline().strip()
        assert line == f"ykt serving on port {port}", proc.stderr.read() if proc.poll() is not None else line
        pki = etc / "pki"
        ca = (pki / "ca.pem").read_bytes()
        clerk = Client(f"127.0.0.1:{port}", tls=(ca, (pki / "wang.clerk.pem").read_bytes(),
                                                  (pki / "wang.clerk.key").read_bytes()),
                       server_name="ykt.county.example.cn")
        assert list(clerk.call("ListBatches", pb.ListBatchesRequest()).batches) == []
        clerk.close()
        stranger = Client(f"127.0.0.1:{port}", tls=(ca, None, None), server_name="ykt.county.example.cn")
        with pytest.raises(grpc.RpcError) as refused:
            stranger.call("ListBatches", pb.ListBatchesRequest())
        assert refused.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAUTHENTICATED)
        stranger.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
