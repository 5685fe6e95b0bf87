"""BankSftp against a real OpenSSH sshd and against the embedded bank server."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sftp import (
    AuthFailed,
    BankSftp,
    ConnectFailed,
    HostKeyMismatch,
    SftpError,
    TransferError,
    UnknownHost,
)
from sftp.keys import generate_ed25519

pytestmark = pytest.mark.timeout(60)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def payload(n: int, salt: bytes = b"") -> bytes:
    block = hashlib.sha256(salt).digest() * 32  # 1 KiB, not compressible to nothing
    return (block * (n // len(block) + 1))[:n]


# --------------------------------------------------------------------------- round trip


def test_upload_download_round_trip(sftp_bank, tmp_path):
    data = payload(700_000, b"round")
    local = write(tmp_path / "out" / "PAY_001.xml", data)
    with BankSftp(sftp_bank.endpoint()) as bank:
        delivered = bank.upload(local, sftp_bank.inbox, "PAY_001.xml")
        assert delivered.remote_path == f"{sftp_bank.inbox}/PAY_001.xml"
        assert delivered.size == len(data)
        assert delivered.sha256 == sha(data)
        assert not delivered.already_present
        names = [e.name for e in bank.listdir(sftp_bank.inbox)]
        assert names == ["PAY_001.xml"]  # no temp file left behind

        got = bank.download(delivered.remote_path, tmp_path / "in" / "copy.xml")
    assert got.size == len(data) and got.sha256 == sha(data)
    assert (tmp_path / "in" / "copy.xml").read_bytes() == data
    assert not list((tmp_path / "in").glob(".*"))
    assert sftp_bank.local(delivered.remote_path).read_bytes() == data


def test_upload_replaces_stale_temp_file(sftp_bank, tmp_path):
    stale = sftp_bank.local(sftp_bank.remote("inbox", ".PAY.xml.part"))
    write(stale, b"half of an earlier attempt")
    data = payload(10_000, b"stale")
    with BankSftp(sftp_bank.endpoint()) as bank:
        delivered = bank.upload(write(tmp_path / "PAY.xml", data), sftp_bank.inbox, "PAY.xml")
    assert delivered.sha256 == sha(data)
    assert not stale.exists()
    assert sftp_bank.local(delivered.remote_path).read_bytes() == data


@pytest.mark.parametrize("key_type", ["rsa", "ecdsa"])
def test_other_client_key_types(sftp_bank, tmp_path, key_type):
    if key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / f"client_{key_type}"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    os.chmod(path, 0o600)
    line = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()
    sftp_bank.authorize(line)
    with BankSftp(sftp_bank.endpoint(private_key_path=path)) as bank:
        assert bank.listdir(sftp_bank.inbox) == []


# --------------------------------------------------------------------------- interruption


def test_interrupted_upload_leaves_nothing_under_final_name_and_retry_succeeds(sftp_bank, tmp_path):
    data = payload(3_000_000, b"big")
    local = write(tmp_path / "PAY_BIG.xml", data)
    final = sftp_bank.local(sftp_bank.remote("inbox", "PAY_BIG.xml"))

    bank = BankSftp(sftp_bank.endpoint())
    bank.connect()

    def cut(done: int, total: int) -> None:
        if done >= 512 * 1024:
            bank.transport.close()  # the line drops mid-transfer

    with pytest.raises(SftpError) as info:
        bank.upload(local, sftp_bank.inbox, "PAY_BIG.xml", progress=cut)
    bank.close()
    assert "PAY_BIG.xml" in str(info.value)
    assert not final.exists()

    with BankSftp(sftp_bank.endpoint()) as bank:
        # the bank polling its inbox sees nothing complete
        assert bank.list_ready(sftp_bank.inbox, completion="marker").ready == []
        delivered = bank.upload(local, sftp_bank.inbox, "PAY_BIG.xml")
        assert [e.name for e in bank.listdir(sftp_bank.inbox)] == ["PAY_BIG.xml"]
    assert delivered.sha256 == sha(data)
    assert final.read_bytes() == data


# --------------------------------------------------------------------------- idempotence


def test_reupload_same_content_is_idempotent(sftp_bank, tmp_path):
    data = payload(50_000, b"same")
    local = write(tmp_path / "PAY.xml", data)
    with BankSftp(sftp_bank.endpoint()) as bank:
        first = bank.upload(local, sftp_bank.inbox, "PAY.xml")
        mtime = sftp_bank.local(first.remote_path).stat().st_mtime_ns
        again = bank.upload(local, sftp_bank.inbox, "PAY.xml")
    assert again.already_present and again.sha256 == first.sha256 and again.size == first.size
    assert sftp_bank.local(first.remote_path).stat().st_mtime_ns == mtime


@pytest.mark.parametrize("size_differs", [True, False])
def test_different_content_under_delivered_name_is_refused(sftp_bank, tmp_path, size_differs):
    original = payload(20_000, b"v1")
    changed = payload(20_001 if size_differs else 20_000, b"v2")
    with BankSftp(sftp_bank.endpoint()) as bank:
        delivered = bank.upload(write(tmp_path / "a" / "PAY.xml", original), sftp_bank.inbox, "PAY.xml")
        with pytest.raises(TransferError, match="already delivered"):
            bank.upload(write(tmp_path / "b" / "PAY.xml", changed), sftp_bank.inbox, "PAY.xml")
        assert [e.name for e in bank.listdir(sftp_bank.inbox)] == ["PAY.xml"]
    assert sftp_bank.local(delivered.remote_path).read_bytes() == original


# --------------------------------------------------------------------------- host keys and auth


def test_unknown_host_key_is_refused(sftp_bank, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(UnknownHost, match="not known"):
        BankSftp(sftp_bank.endpoint(host_key=None, known_hosts_path=empty)).connect()


def test_no_pin_and_no_known_hosts_is_refused(sftp_bank):
    with pytest.raises(ConnectFailed, match="refusing"):
        BankSftp(sftp_bank.endpoint(host_key=None)).connect()


def test_known_hosts_file_is_accepted(sftp_bank, tmp_path):
    kh = tmp_path / "known_hosts"
    kh.write_text(f"[{sftp_bank.host}]:{sftp_bank.port} {sftp_bank.host_public_key_line}\n")
    with BankSftp(sftp_bank.endpoint(host_key=None, known_hosts_path=kh)) as bank:
        assert bank.listdir(sftp_bank.inbox) == []


@pytest.mark.parametrize("other_type", ["ed25519", "rsa"])
def test_mismatching_pinned_host_key_is_refused(sftp_bank, tmp_path, other_type):
    if other_type == "ed25519":
        other = generate_ed25519(tmp_path / "other")
    else:
        k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        other = k.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode()
    with pytest.raises(HostKeyMismatch) as info:
        BankSftp(sftp_bank.endpoint(host_key=other)).connect()
    assert f"{sftp_bank.host}:{sftp_bank.port}" in str(info.value)


def test_wrong_client_key_fails_auth(sftp_bank, tmp_path):
    wrong = tmp_path / "wrong_key"
    generate_ed25519(wrong)
    with pytest.raises(AuthFailed) as info:
        BankSftp(sftp_bank.endpoint(private_key_path=wrong)).connect()
    message = str(info.value)
    assert sftp_bank.username in message
    key_text = wrong.read_text()
    assert key_text.splitlines()[1] not in message


def test_missing_private_key_file_fails_auth(sftp_bank, tmp_path):
    with pytest.raises(AuthFailed, match="cannot load private key"):
        BankSftp(sftp_bank.endpoint(private_key_path=tmp_path / "nope")).connect()


# --------------------------------------------------------------------------- readiness


def test_list_ready_stable(sftp_bank, tmp_path):
    outbox = sftp_bank.local(sftp_bank.outbox)
    write(outbox / "R1.xml", b"<first part>")
    write(outbox / "EMPTY.xml", b"")
    write(outbox / ".R2.xml.tmp", b"being written")
    write(outbox / "R3.xml.part", b"being written")
    write(outbox / "notes.txt", b"not a result")
    with BankSftp(sftp_bank.endpoint()) as bank:
        first = bank.list_ready(sftp_bank.outbox, suffix=".xml", completion="stable")
        assert first.ready == []  # never ready at first sight
        assert set(first.observations) == {"R1.xml", "EMPTY.xml"}

        with open(outbox / "R1.xml", "ab") as f:  # the bank is still writing
            f.write(b"<second part>")
        second = bank.list_ready(sftp_bank.outbox, suffix=".xml", previous=first.observations)
        assert second.ready == []

        third = bank.list_ready(sftp_bank.outbox, suffix=".xml", previous=second.observations)
        assert [r.name for r in third.ready] == ["R1.xml"]  # unchanged since the last poll
        r = third.ready[0]
        assert r.path == f"{sftp_bank.outbox}/R1.xml" and r.size == len(b"<first part><second part>")

        # zero-byte file never ready, however long it stays
        fourth = bank.list_ready(sftp_bank.outbox, suffix=".xml", previous=third.observations)
        assert [r.name for r in fourth] == ["R1.xml"]


def test_list_ready_marker(sftp_bank):
    outbox = sftp_bank.local(sftp_bank.outbox)
    write(outbox / "R1.xml", b"<done/>")
    write(outbox / "R2.xml", b"<still writing")
    write(outbox / "R3.xml.done", b"")  # marker without its file
    with BankSftp(sftp_bank.endpoint()) as bank:
        assert bank.list_ready(sftp_bank.outbox, completion="marker").ready == []
        write(outbox / "R1.xml.done", b"")
        listing = bank.list_ready(sftp_bank.outbox, completion="marker")
        assert [r.name for r in listing] == ["R1.xml"]


def test_download_and_archive(sftp_bank, tmp_path):
    outbox = sftp_bank.local(sftp_bank.outbox)
    write(outbox / "R1.xml", b"<result/>")
    write(outbox / "R1.xml.done", b"")
    write(outbox / "R2.xml", b"<other/>")
    archive = sftp_bank.remote("archive", "2026")
    with BankSftp(sftp_bank.endpoint()) as bank:
        (ready,) = bank.list_ready(sftp_bank.outbox, completion="marker").ready
        got = bank.download(ready.path, tmp_path / "R1.xml")
        assert got.sha256 == sha(b"<result/>")
        new_path = bank.move(ready.path, archive)
        assert new_path == f"{archive}/R1.xml"
        assert sorted(e.name for e in bank.listdir(sftp_bank.outbox)) == ["R2.xml"]  # marker gone

        write(outbox / "R1.xml", b"<result again/>")
        with pytest.raises(TransferError, match="target exists"):
            bank.move(f"{sftp_bank.outbox}/R1.xml", archive)
        bank.remove(f"{sftp_bank.outbox}/R1.xml")
        with pytest.raises(TransferError, match="R1.xml"):
            bank.download(f"{sftp_bank.outbox}/R1.xml", tmp_path / "gone.xml")
    assert sftp_bank.local(new_path).read_bytes() == b"<result/>"
    assert not (tmp_path / "gone.xml").exists()
    assert not list(tmp_path.glob(".gone*"))
