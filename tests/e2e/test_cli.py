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
    assert again.returncode == 2 and "密钥文件已存在；拒绝覆盖" in again.stderr  # never over live keys (said in Chinese)
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


def test_a_bad_settings_file_is_named_with_its_key_in_chinese_by_default_and_in_english_when_asked(tmp_path):
    """Each problem on a line of its own naming the file, the key and why, exit code 2: in Chinese
    unless --lang, YKT_LANG or the file's own language setting (in that order) asks for English;
    --json gives each problem's stable code."""
    import json
    import os

    bad = tmp_path / "bad.toml"
    body = 'poll_interval_s = -1\n[banks.X]\nprofile = "x.toml"\nformat = "telex"\n'
    env = {k: v for k, v in os.environ.items() if not k.startswith("YKT_")}

    def ykt(*words: str, text: str = body, **more: str) -> tuple[int, list[str]]:
        bad.write_text(text, encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "adapter.cli", *words, "migrate", "--config", str(bad)],
                              capture_output=True, text=True, timeout=60, env={**env, **more})
        assert proc.stdout == ""
        return proc.returncode, proc.stderr.splitlines()

    chinese = {f"ykt: {bad}：banks.X.format：未知的键（银行的详细信息写在该银行的 profile 中）（可用的键：profile, sftp, keys）",
               f"ykt: {bad}：banks.X.sftp：缺少此项",
               f"ykt: {bad}：poll_interval_s：应为正的秒数，实际为 -1"}
    english = {f"ykt: {bad}: banks.X.format: unknown key (bank details belong in its profile) (valid: profile, sftp, keys)",
               f"ykt: {bad}: banks.X.sftp: missing",
               f"ykt: {bad}: poll_interval_s: expected a positive number of seconds, got -1"}
    code, lines = ykt()
    assert code == 2 and len(lines) == 3 and set(lines) == chinese
    code, lines = ykt("--lang", "en")
    assert code == 2 and len(lines) == 3 and set(lines) == english
    assert ykt(YKT_LANG="en") == (2, ykt("--lang", "en")[1])
    in_english = 'language = "en"\n' + body  # the settings' own language, when nobody asked for one
    assert ykt(text=in_english)[0] == 2 and set(ykt(text=in_english)[1]) == english
    assert set(ykt(text=in_english, YKT_LANGUAGE="zh")[1]) == chinese  # the setting from the environment wins
    assert set(ykt("--lang", "zh", text=in_english)[1]) == chinese  # --lang before the setting
    assert set(ykt(text=in_english, YKT_LANG="zh")[1]) == chinese  # YKT_LANG before the setting
    code, lines = ykt("--json")
    assert code == 2 and len(lines) == 1
    problems = json.loads(lines[0])["error"]["problems"]
    assert sorted(p["code"] for p in problems) == ["config.expected", "config.missing", "config.unknown_key"]
    assert {f"ykt: {p['message']}" for p in problems} == chinese
