"""Behaviour specific to the embedded bank server (bank_sim.sftp_server)."""
from __future__ import annotations

import hashlib
import os

import paramiko
import pytest
from paramiko.sftp import SFTP_OP_UNSUPPORTED

from bank_sim import sftp_server
from sftp import BankSftp, IncompleteTransfer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def raw(embedded_sftp_server):
    bank = BankSftp(embedded_sftp_server.endpoint())
    bank.connect()
    try:
        yield bank.sftp
    finally:
        bank.close()


@pytest.mark.parametrize("path", ["..", "/..", "../etc/passwd", "/../../etc/passwd", "/inbox/../../x"])
def test_paths_cannot_climb_out_of_the_root(raw, path):
    with pytest.raises(PermissionError):
        raw.stat(path)
    with pytest.raises(PermissionError):
        raw.open(path, "rb")


def test_writes_and_renames_outside_the_root_are_refused(raw, embedded_sftp_server, tmp_path):
    outside = embedded_sftp_server.root_dir.parent / "escaped.txt"
    with pytest.raises(PermissionError):
        raw.open("/../escaped.txt", "wb")
    with raw.open("/inbox/a.txt", "wb") as f:
        f.write(b"x")
    with pytest.raises(PermissionError):
        raw.rename("/inbox/a.txt", "/../escaped.txt")
    with pytest.raises(PermissionError):
        raw.posix_rename("/inbox/a.txt", "../../escaped.txt")
    with pytest.raises(PermissionError):
        raw.mkdir("/../newdir")
    assert not outside.exists()
    assert raw.normalize("/../..") == "/"


def test_symlink_pointing_outside_is_refused(raw, embedded_sftp_server):
    root = embedded_sftp_server.root_dir
    os.symlink("/etc", root / "etc-link")
    os.symlink("/etc/hostname", root / "inbox" / "host-link")
    with pytest.raises(PermissionError):
        raw.listdir("/etc-link")
    with pytest.raises(PermissionError):
        raw.open("/etc-link/hostname", "rb")
    with pytest.raises(PermissionError):
        raw.open("/inbox/host-link", "rb")


def test_root_listing_and_relative_paths(raw, embedded_sftp_server):
    assert sorted(raw.listdir(".")) == ["inbox", "outbox"]
    assert raw.normalize("inbox/../outbox") == "/outbox"
    raw.mkdir("archive")
    assert (embedded_sftp_server.root_dir / "archive").is_dir()


def test_plain_rename_does_not_overwrite(raw, embedded_sftp_server):
    for name in ("a", "b"):
        with raw.open(f"/inbox/{name}", "wb") as f:
            f.write(name.encode())
    with pytest.raises(IOError):
        raw.rename("/inbox/a", "/inbox/b")
    raw.posix_rename("/inbox/a", "/inbox/b")
    assert (embedded_sftp_server.root_dir / "inbox" / "b").read_bytes() == b"a"


def test_upload_works_without_posix_rename(embedded_sftp_server, tmp_path, monkeypatch):
    # The upload renames with the SFTP v3 rename, which never replaces an existing file; the
    # posix-rename@openssh.com extension (which would) is neither needed nor used.
    calls = []

    def unsupported(self, a, b):
        calls.append((a, b))
        return SFTP_OP_UNSUPPORTED

    monkeypatch.setattr(sftp_server.ChrootSftpInterface, "posix_rename", unsupported)
    local = tmp_path / "PAY.xml"
    local.write_bytes(b"<pay/>" * 1000)
    with BankSftp(embedded_sftp_server.endpoint()) as bank:
        delivered = bank.upload(local, "/inbox", "PAY.xml")
    assert calls == []
    assert delivered.sha256 == hashlib.sha256(local.read_bytes()).hexdigest()
    assert sorted(os.listdir(embedded_sftp_server.root_dir / "inbox")) == ["PAY.xml"]


def test_corrupted_upload_never_reaches_the_final_name(embedded_sftp_server, tmp_path, monkeypatch):
    original_write = paramiko.SFTPHandle.write

    def flip_bits(self, offset, data):
        return original_write(self, offset, bytes(b ^ 0x01 for b in data))

    monkeypatch.setattr(sftp_server._Handle, "write", flip_bits, raising=False)
    local = tmp_path / "PAY.xml"
    local.write_bytes(b"<pay/>" * 1000)
    with BankSftp(embedded_sftp_server.endpoint()) as bank:
        with pytest.raises(IncompleteTransfer, match="read-back differs"):
            bank.upload(local, "/inbox", "PAY.xml")
    assert os.listdir(embedded_sftp_server.root_dir / "inbox") == []


def test_unauthorised_username_when_server_pins_one(tmp_path):
    from sftp import AuthFailed
    from sftp.keys import generate_ed25519

    line = generate_ed25519(tmp_path / "client")
    server = sftp_server.EmbeddedSftpServer(
        tmp_path / "root", authorized_keys=[line], username="bank-a"
    ).start()
    try:
        from sftp import SftpEndpoint

        ep = SftpEndpoint("127.0.0.1", server.port, "someone-else", tmp_path / "client",
                          host_key=server.host_public_key_line)
        with pytest.raises(AuthFailed):
            BankSftp(ep).connect()
        ok = SftpEndpoint("127.0.0.1", server.port, "bank-a", tmp_path / "client",
                          host_key=server.host_public_key_line)
        with BankSftp(ok) as bank:
            assert bank.listdir("/") == []
    finally:
        server.stop()


def test_authorized_keys_file_is_reread(tmp_path):
    from sftp import AuthFailed, SftpEndpoint
    from sftp.keys import generate_ed25519

    line = generate_ed25519(tmp_path / "client")
    keys = tmp_path / "authorized_keys"
    keys.write_text("# nobody yet\n")
    host_key = tmp_path / "host_key"
    with sftp_server.EmbeddedSftpServer(tmp_path / "root", authorized_keys=keys,
                                        host_key_path=host_key) as server:
        assert (tmp_path / "host_key.pub").read_text().split()[:2] == server.host_public_key_line.split()
        ep = SftpEndpoint("127.0.0.1", server.port, "bank", tmp_path / "client",
                          host_key=(tmp_path / "host_key.pub").read_text())
        with pytest.raises(AuthFailed):
            BankSftp(ep).connect()
        keys.write_text(line + "\n")
        with BankSftp(ep) as bank:
            assert bank.listdir("/") == []
