"""How the client logs in: key files (plain or encrypted), an ssh-agent, a password from an
environment variable; failures are permanent (never retried) and no secret is ever logged."""
from __future__ import annotations

import logging
import os
import subprocess
import time
from pathlib import Path

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from bank_sim import sftp_server
from sftp import AuthFailed, BankSftp, PermanentError
from sftp.keys import generate_ed25519

pytestmark = pytest.mark.timeout(60)

PASSWORD = "Pw-9f3a!correct horse"
PASSPHRASE = "pp-41c7 battery staple"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _encrypted_key(path: Path, passphrase: str) -> str:
    key = ed25519.Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.BestAvailableEncryption(passphrase.encode()),
    ))
    os.chmod(path, 0o600)
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


def _key_body(path: Path) -> list[str]:
    """The lines of a private key file that carry key material."""
    return [line for line in path.read_text().splitlines() if line and not line.startswith("-----")]


@pytest.fixture
def ssh_agent(tmp_path, monkeypatch):
    """A private ssh-agent (started and ended here, by its pid); SSH_AUTH_SOCK points at it."""
    sock = tmp_path / "agent.sock"
    proc = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not sock.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("ssh-agent did not start")
        time.sleep(0.05)
    monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))

    def add(key_path: Path) -> None:
        subprocess.run(["ssh-add", str(key_path)], check=True, capture_output=True,
                       env={**os.environ, "SSH_AUTH_SOCK": str(sock)})

    try:
        yield add
    finally:
        proc.terminate()
        proc.wait(5)


# --------------------------------------------------------------------------- ssh-agent


@pytest.mark.sshd
def test_login_with_a_key_from_the_ssh_agent(sshd_server, ssh_agent, tmp_path):
    ssh_agent(sshd_server.client_key_path)
    local = tmp_path / "PAY.xml"
    local.write_bytes(b"<pay/>")
    with BankSftp(sshd_server.endpoint(private_key_path=None, use_agent=True)) as bank:
        delivered = bank.upload(local, sshd_server.inbox, "PAY.xml")
    assert Path(delivered.remote_path).read_bytes() == b"<pay/>"


@pytest.mark.sshd
def test_agent_is_used_only_when_the_endpoint_says_so(sshd_server, ssh_agent):
    ssh_agent(sshd_server.client_key_path)
    sleeps = Sleeps()
    with pytest.raises(AuthFailed, match="no private key, ssh-agent"):
        BankSftp(sshd_server.endpoint(private_key_path=None), sleep=sleeps).connect()
    assert sleeps == []


@pytest.mark.sshd
def test_empty_or_wrong_agent_fails_at_once(sshd_server, ssh_agent, tmp_path):
    sleeps = Sleeps()
    ep = sshd_server.endpoint(private_key_path=None, use_agent=True)
    with pytest.raises(AuthFailed, match="no ssh-agent key"):
        BankSftp(ep, sleep=sleeps).connect()
    generate_ed25519(tmp_path / "stranger")
    ssh_agent(tmp_path / "stranger")
    with pytest.raises(AuthFailed, match="refused") as info:
        BankSftp(ep, sleep=sleeps).connect()
    assert isinstance(info.value, PermanentError) and info.value.attempts == 1
    assert sleeps == []


# --------------------------------------------------------------------------- key files


@pytest.mark.sshd
def test_encrypted_key_with_passphrase_from_the_environment(sshd_server, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    key = tmp_path / "enc_key"
    sshd_server.authorize(_encrypted_key(key, PASSPHRASE))
    ep = sshd_server.endpoint(private_key_path=key, passphrase_env="YKT_TEST_KEY_PASSPHRASE")
    sleeps = Sleeps()
    errors = []

    # variable missing: refused at once, the variable named
    monkeypatch.delenv("YKT_TEST_KEY_PASSPHRASE", raising=False)
    with pytest.raises(AuthFailed, match="YKT_TEST_KEY_PASSPHRASE is not set") as info:
        BankSftp(ep, sleep=sleeps).connect()
    errors.append(str(info.value))
    # wrong passphrase
    monkeypatch.setenv("YKT_TEST_KEY_PASSPHRASE", "not " + PASSPHRASE)
    with pytest.raises(AuthFailed, match="cannot load private key") as info:
        BankSftp(ep, sleep=sleeps).connect()
    errors.append(str(info.value))
    # encrypted key without passphrase_env
    with pytest.raises(AuthFailed, match="encrypted and no passphrase_env") as info:
        BankSftp(sshd_server.endpoint(private_key_path=key), sleep=sleeps).connect()
    errors.append(str(info.value))
    assert sleeps == []

    monkeypatch.setenv("YKT_TEST_KEY_PASSPHRASE", PASSPHRASE)
    with BankSftp(ep) as bank:
        assert bank.listdir(sshd_server.inbox) == []

    text = caplog.text + "\n".join(errors)
    assert PASSPHRASE not in text
    assert not any(line in text for line in _key_body(key))


@pytest.mark.sshd
def test_wrong_key_is_not_retried_and_not_shown(sshd_server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = tmp_path / "wrong"
    generate_ed25519(wrong)
    sleeps = Sleeps()
    with pytest.raises(AuthFailed) as info:
        with BankSftp(sshd_server.endpoint(private_key_path=wrong, name="RCC01"), sleep=sleeps) as bank:
            bank.upload(wrong.with_suffix(".pub"), sshd_server.inbox, "PAY.xml")
    assert sleeps == [] and info.value.attempts == 1
    message = str(info.value)
    assert "RCC01" in message and "PAY.xml" in message and sshd_server.username in message
    assert not any(line in message + caplog.text for line in _key_body(wrong))
    assert os.listdir(sshd_server.inbox) == []


# --------------------------------------------------------------------------- passwords


@pytest.fixture
def password_bank(embedded_sftp_server, monkeypatch):
    """The embedded bank server accepting PASSWORD (and, as before, the test key)."""
    tried = []

    def check_auth_password(self, username, password):
        tried.append(password)
        return paramiko.AUTH_SUCCESSFUL if password == PASSWORD else paramiko.AUTH_FAILED

    monkeypatch.setattr(sftp_server._Auth, "get_allowed_auths", lambda self, username: "password,publickey")
    monkeypatch.setattr(sftp_server._Auth, "check_auth_password", check_auth_password, raising=False)
    embedded_sftp_server.tried_passwords = tried
    return embedded_sftp_server


def test_password_login_only_from_the_named_variable(password_bank, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    ep = password_bank.endpoint(private_key_path=None, password_env="YKT_TEST_SFTP_PASSWORD")
    sleeps = Sleeps()
    errors = []

    monkeypatch.delenv("YKT_TEST_SFTP_PASSWORD", raising=False)
    with pytest.raises(AuthFailed, match="password variable YKT_TEST_SFTP_PASSWORD is not set") as info:
        BankSftp(ep, sleep=sleeps).connect()
    errors.append(str(info.value))

    monkeypatch.setenv("YKT_TEST_SFTP_PASSWORD", PASSWORD + "x")
    with pytest.raises(AuthFailed, match="refused") as info:
        BankSftp(ep, sleep=sleeps).connect()
    errors.append(str(info.value))
    assert sleeps == []  # never retried

    monkeypatch.setenv("YKT_TEST_SFTP_PASSWORD", PASSWORD)
    with BankSftp(ep) as bank:
        assert sorted(e.name for e in bank.listdir("/")) == ["inbox", "outbox"]
    assert password_bank.tried_passwords == [PASSWORD + "x", PASSWORD]

    text = caplog.text + "\n".join(errors) + repr(ep)
    assert PASSWORD not in text


def test_password_is_never_offered_unless_the_endpoint_allows_it(password_bank, monkeypatch):
    monkeypatch.setenv("YKT_TEST_SFTP_PASSWORD", PASSWORD)
    with pytest.raises(AuthFailed, match="no private key, ssh-agent"):
        BankSftp(password_bank.endpoint(private_key_path=None)).connect()
    # with a key and no password_env: the key logs in, no password is sent
    with BankSftp(password_bank.endpoint()) as bank:
        bank.listdir("/")
    assert password_bank.tried_passwords == []
