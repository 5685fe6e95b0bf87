"""`ykt serve` refuses to start rather than run wrong (issue 17, items 2 and 3): one server per
port, and every file the settings name checked before it listens."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from adapter import server as grpc_server
from ledger.db import make_engine, migrate, sqlite_url
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import Settings
from service.context import Context
from tests.support.sshd import free_port

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "adapter.cli"]
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("YKT_")}, "YKT_LANG": "en"}  # the English words


@pytest.fixture
def ctx(tmp_path):
    engine = make_engine(sqlite_url(tmp_path / "ledger.sqlite3"))
    migrate(engine)
    yield Context(engine=engine, settings=Settings(database_url=str(engine.url), data_dir=tmp_path),
                  cipher=FieldCipher(Keyring.generate()))
    engine.dispose()


def test_a_second_server_on_a_port_in_use_fails_naming_the_port(ctx):
    first, port = grpc_server.build(ctx, "127.0.0.1:0")
    try:
        with pytest.raises(grpc_server.AddressUnavailable) as caught:
            grpc_server.build(ctx, f"127.0.0.1:{port}")
        assert str(caught.value) == (f"cannot listen on 127.0.0.1:{port}: port {port} is in use "
                                     "(is another ykt serve running on it?)")
        with pytest.raises(grpc_server.AddressUnavailable, match=f"port {port} is in use"):
            grpc_server.build(ctx, f"0.0.0.0:{port}")  # the wildcard address holds 127.0.0.1 too
    finally:
        first.stop(grace=None).wait()
    again, _ = grpc_server.build(ctx, f"127.0.0.1:{port}")  # free again once the first has stopped
    again.stop(grace=None).wait()


def test_grpc_itself_does_not_share_the_port(ctx, monkeypatch):
    """Without the check before binding, gRPC's bind must still fail: SO_REUSEPORT is off (with
    gRPC's default both servers would bind and share the calls)."""
    first, port = grpc_server.build(ctx, "127.0.0.1:0")
    monkeypatch.setattr(grpc_server, "_check_free", lambda address: None)
    try:
        with pytest.raises(grpc_server.AddressUnavailable, match=f"cannot listen on 127.0.0.1:{port}: "):
            grpc_server.build(ctx, f"127.0.0.1:{port}")
    finally:
        first.stop(grace=None).wait()


def _settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "ykt.toml"
    path.write_text('data_dir = "var"\n', encoding="utf-8")
    made = subprocess.run(CLI + ["keys", "init", "--config", str(path)], env=ENV, capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    return path


def test_ykt_serve_on_a_port_in_use_exits_with_one_clear_line(tmp_path):
    config = _settings_file(tmp_path)
    with socket.socket() as holder:  # anything listening there: another ykt serve, another program
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = subprocess.run(CLI + ["serve", "--no-worker", "--config", str(config), "--address", f"127.0.0.1:{port}"],
                              env=ENV, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"ykt: cannot listen on 127.0.0.1:{port}: port {port} is in use (is another ykt serve running on it?)"]


def test_ykt_serve_names_each_missing_file_and_does_not_start(tmp_path):
    config = _settings_file(tmp_path)
    config.write_text(f"""data_dir = "var"
pii_key_file = "keys/pii-keys.json"
[banks.RCC01]
profile = "{ROOT / 'profiles' / 'RCC01.toml'}"
[banks.RCC01.sftp]
host = "127.0.0.1"
port = 2222
username = "ykt"
private_key = "keys/missing_ed25519"
known_hosts = "keys/known_hosts"
""", encoding="utf-8")
    port = free_port()
    proc = subprocess.run(CLI + ["serve", "--no-worker", "--config", str(config), "--address", f"127.0.0.1:{port}"],
                          env={**ENV, "YKT_AUTH__TLS_CERT": "nope.pem", "YKT_AUTH__TLS_KEY": str(config)},
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"ykt: {config}: auth.tls_cert (from YKT_AUTH__TLS_CERT): no such file {tmp_path / 'nope.pem'}"]
    proc = subprocess.run(CLI + ["serve", "--no-worker", "--config", str(config), "--address", f"127.0.0.1:{port}"],
                          env=ENV, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"ykt: {config}: banks.RCC01.sftp.known_hosts: cannot read {tmp_path / 'keys' / 'known_hosts'}: "
        "No such file or directory",
        f"ykt: {config}: banks.RCC01.sftp.private_key: no such file {tmp_path / 'keys' / 'missing_ed25519'}",
    ]
    assert not (tmp_path / "var" / "ledger.sqlite3").exists()  # stopped before it migrated anything


def test_a_misspelt_setting_stops_every_command_that_reads_the_settings(tmp_path):
    config = tmp_path / "ykt.toml"
    config.write_text('databse_url = "postgresql+psycopg://ykt@db/ykt"\npoll_intervall_s = 1\n', encoding="utf-8")
    for command in (["serve", "--no-worker"], ["migrate"], ["keys", "init"]):
        proc = subprocess.run(CLI + [*command, "--config", str(config)], env=ENV, capture_output=True, text=True,
                              timeout=60, cwd=ROOT)
        assert proc.returncode == 2, command
        lines = proc.stderr.strip().splitlines()
        assert [line.split(";")[0] for line in lines] == [
            f"ykt: {config}: databse_url: unknown key", f"ykt: {config}: poll_intervall_s: unknown key"], lines
        assert "did you mean 'database_url'?" in lines[0] and "did you mean 'poll_interval_s'?" in lines[1]
    assert not (tmp_path / "var").exists()  # no ledger made anywhere
