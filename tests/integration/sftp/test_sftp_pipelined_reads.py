"""Downloads and upload read-backs keep many read requests in flight, against the real OpenSSH sshd.

paramiko's own read-ahead (``SFTPFile.prefetch``) can turn itself off in the middle of a file and
go on with one 32 KiB request per round trip (paramiko issue #2418). These tests watch the SFTP
packets themselves: each READ request the client sends, and each answer it reads, by request id;
so they see how many reads were outstanding when each was sent, whatever code sent them.
"""
from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import paramiko
import pytest
from paramiko.sftp import CMD_READ

from sftp import BankSftp
from sftp.errors import IncompleteTransfer

pytestmark = pytest.mark.timeout(120)

SEGMENT = 32 * 1024  # the read size paramiko and every SFTP server agree on
SIZE = 8 * 1024 * 1024 + 12_345  # several MB, not a whole number of segments


def payload(n: int, salt: bytes) -> bytes:
    """Bytes that differ from one KiB to the next (a misplaced segment changes the digest)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(salt + i.to_bytes(8, "big")).digest() * 32
        i += 1
    return bytes(out[:n])


class ReadWatch:
    """Outstanding READ requests on the wire, seen at each READ the client sends."""

    def __init__(self) -> None:
        self.outstanding: set[int] = set()
        self.in_flight_at_send: list[int] = []
        self.offsets: list[tuple[int, int]] = []


@pytest.fixture
def watch(monkeypatch) -> ReadWatch:
    w = ReadWatch()
    send = paramiko.SFTPClient._async_request
    read_packet = paramiko.SFTPClient._read_packet

    def watched_send(self, fileobj, t, *args):
        num = send(self, fileobj, t, *args)
        if t == CMD_READ:
            w.in_flight_at_send.append(len(w.outstanding))
            w.outstanding.add(num)
            w.offsets.append((int(args[1]), int(args[2])))
        return num

    def watched_read(self):
        t, data = read_packet(self)
        (num,) = struct.unpack(">I", data[:4])  # every answer starts with the request id
        w.outstanding.discard(num)
        return t, data

    monkeypatch.setattr(paramiko.SFTPClient, "_async_request", watched_send)
    monkeypatch.setattr(paramiko.SFTPClient, "_read_packet", watched_read)
    return w


def segments(size: int) -> int:
    return -(-size // SEGMENT)


def assert_steady_pipeline(w: ReadWatch, size: int) -> None:
    """Every segment asked once, in order; apart from the first few sends (filling the pipe)
    and the last read (the one that meets the end of the file), each READ went out while at
    least 8 others were outstanding. Stop-and-wait would send every READ with 0 outstanding."""
    n = segments(size)
    thin = [i for i, k in enumerate(w.in_flight_at_send) if k < 8]
    assert thin == [*range(8), n]  # the first 8 sends while filling, and the end-of-file read
    assert max(w.in_flight_at_send) >= 32
    data_reads = w.offsets[:n]
    assert data_reads == [(i * SEGMENT, min(SEGMENT, size - i * SEGMENT)) for i in range(n)]
    assert w.offsets[n:] == [(size, SEGMENT)]  # one more read, past the end: the end-of-file answer


def test_download_of_several_mb_keeps_many_reads_in_flight(sshd_server, watch, tmp_path):
    data = payload(SIZE, b"download")
    remote = Path(sshd_server.outbox) / "RESULT_BIG.xml"
    remote.write_bytes(data)
    seen: list[tuple[int, int]] = []
    with BankSftp(sshd_server.endpoint()) as bank:
        got = bank.download(str(remote), tmp_path / "in" / "RESULT_BIG.xml",
                            progress=lambda done, total: seen.append((done, total)))
    assert (tmp_path / "in" / "RESULT_BIG.xml").read_bytes() == data
    assert got.size == SIZE and got.sha256 == hashlib.sha256(data).hexdigest()
    assert not list((tmp_path / "in").glob(".*"))
    # progress: every 256 KiB, then the last bytes, against the size the server reported
    assert [done for done, _ in seen] == [*range(256 * 1024, SIZE, 256 * 1024), SIZE]
    assert {total for _, total in seen} == {SIZE}
    assert_steady_pipeline(watch, SIZE)


def test_read_back_after_upload_keeps_many_reads_in_flight(sshd_server, watch, tmp_path):
    data = payload(SIZE, b"upload")
    local = tmp_path / "out" / "PAY_BIG.xml"
    local.parent.mkdir()
    local.write_bytes(data)
    with BankSftp(sshd_server.endpoint()) as bank:
        delivered = bank.upload(local, sshd_server.inbox, "PAY_BIG.xml")
    assert delivered.size == SIZE and delivered.sha256 == hashlib.sha256(data).hexdigest()
    assert (Path(sshd_server.inbox) / "PAY_BIG.xml").read_bytes() == data
    assert_steady_pipeline(watch, SIZE)  # the only reads of an upload are its read-back


def _change_after_stat(bank: BankSftp, remote: Path, change) -> None:
    """Change the file on the bank's disk right after the client stat-ed it."""
    real_stat = bank.sftp.stat

    def stat_then_change(path):
        st = real_stat(path)
        change(remote)
        return st

    bank.sftp.stat = stat_then_change


@pytest.mark.parametrize(
    ("change", "downloaded"),
    [
        (lambda p: p.open("ab").write(b"x" * 1000), 300_000 + 1000),  # grew: read to its new end
        (lambda p: p.open("r+b").truncate(100_000), 100_000),  # shrank: stop at its end
    ],
    ids=["grew", "shrank"],
)
def test_a_file_that_changes_after_stat_is_refused_and_leaves_no_local_file(
    sshd_server, tmp_path, change, downloaded
):
    remote = Path(sshd_server.outbox) / "RESULT_MOVING.xml"
    remote.write_bytes(payload(300_000, b"moving"))
    local = tmp_path / "in" / "RESULT_MOVING.xml"
    with BankSftp(sshd_server.endpoint()) as bank:
        bank.connect()
        _change_after_stat(bank, remote, change)
        with pytest.raises(IncompleteTransfer, match=f"downloaded {downloaded} bytes but the server says 300000"):
            bank.download(str(remote), local)
    assert not local.exists()
    assert not list(local.parent.glob(".*"))
