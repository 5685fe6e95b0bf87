"""The `ykt` command as an operator runs it: a real process serving gRPC from a settings file."""
import signal
import subprocess
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.support.sshd import free_port

PROFILES = Path(__file__).resolve().parents[2] / "profiles"


def test_serve_answers_health_checks_and_stops_cleanly_on_sigterm(tmp_path, sshd_server):
    key = sshd_server.client_key_path
    (tmp_path / "ykt.toml").write_text(f"""
data_dir = "var"
[banks.ABC01]
profile = "{PROFILES / 'ABC01.toml'}"
[banks.ABC01.sftp]
host = "{sshd_server.host}"
port = {sshd_server.port}
username = "{sshd_server.username}"
private_key = "{key}"
host_key = "{sshd_server.host_public_key_line}"
""", encoding="utf-8")
    keys = [sys.executable, "-m", "adapter.cli", "keys", "init", "--config", str(tmp_path / "ykt.toml")]
    assert subprocess.run(keys, capture_output=True, timeout=60).returncode == 0
    assert (tmp_path / "keys" / "pii-keys.json").stat().st_mode & 0o077 == 0  # beside the settings, not in var
    again = subprocess.run(keys, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "refusing to replace" in again.stderr  # never over live keys
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "adapter.cli", "serve", "--config", str(tmp_path / "ykt.toml"),
         "--address", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout.readline().strip() == f"ykt serving on port {port}"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        assert (tmp_path / "var" / "ledger.sqlite3").exists()  # migrated on start
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


def test_a_bad_settings_file_is_named_with_its_key(tmp_path):
    (tmp_path / "bad.toml").write_text('[banks.X]\nprofile = "x.toml"\nformat = "telex"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "adapter.cli", "migrate", "--config", str(tmp_path / "bad.toml")],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0
    assert "banks.X.format: unknown key (bank details belong in its profile)" in proc.stderr
