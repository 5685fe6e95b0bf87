"""Faults against a real OpenSSH sshd on loopback: what is delivered, reported and left behind.

Connections are broken deterministically by :class:`tests.support.tcpproxy.FaultProxy` (reset
after exactly N bytes, or stalled), or by killing the sshd processes serving the session, or by
stopping sshd. The client's sleep is injected: it records the backoff and is the moment to look
at the server between two attempts.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import paramiko
import pytest

from sftp import (
    BankSftp,
    ConnectFailed,
    ConnectionLost,
    HostKeyMismatch,
    PermanentError,
    RemoteRefused,
    ServerUnavailable,
    TargetExists,
    TransferError,
    TransientError,
)
from sftp.keys import fingerprint, parse_public_key_line
from tests.support.sshd import start_sshd
from tests.support.tcpproxy import Fault, FaultProxy

pytestmark = [pytest.mark.sshd, pytest.mark.timeout(120)]

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# When the line drops mid-download, paramiko's read-ahead thread (SFTPFile.prefetch) dies with
# the send error it cannot report to anyone; the download itself sees the failure and retries.
prefetch_thread_dies = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnhandledThreadExceptionWarning"
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload(n: int, salt: bytes = b"") -> bytes:
    block = hashlib.sha256(salt).digest() * 32
    return (block * (n // len(block) + 1))[:n]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


class Sleeps:
    """The injected sleep: records each backoff, runs ``between(n)`` before attempt n + 1."""

    def __init__(self, between=None):
        self.delays: list[float] = []
        self.between = between

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.between is not None:
            self.between(len(self.delays))


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.fixture
def proxy(sshd_server):
    with FaultProxy(sshd_server.host, sshd_server.port) as p:
        yield p


@pytest.fixture
def unprivileged_sshd(tmp_path):
    """sshd whose SFTP sessions run as a user file permissions apply to (nobody under root)."""
    server = start_sshd(tmp_path, unprivileged=True)
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- server down


def test_server_down_at_upload_time_is_retried_then_fails(sshd_server, tmp_path):
    local = write(tmp_path / "PAY_1.xml", payload(10_000, b"down"))
    inbox = Path(sshd_server.inbox)
    sshd_server.stop_listener()  # the port now refuses connections
    sleeps = Sleeps()
    ep = sshd_server.endpoint(name="RCC01")  # defaults: 4 attempts, base 0.5 s, cap 10 s
    with BankSftp(ep, sleep=sleeps, rand=lambda: 1.0) as bank:
        with pytest.raises(ServerUnavailable) as info:
            bank.upload(local, sshd_server.inbox, "PAY_1.xml")
    err = info.value
    # reported: transient, bounded, with the bank, the file and the reason
    assert isinstance(err, TransientError) and isinstance(err, ConnectFailed)
    assert err.attempts == 4
    assert sleeps.delays == [0.5, 1.0, 2.0]  # exponential (rand = its upper bound)
    message = str(err)
    assert f"RCC01 (127.0.0.1:{sshd_server.port})" in message
    assert f"{sshd_server.inbox}/PAY_1.xml" in message
    assert "Connection refused" in message and "gave up after 4 attempts" in message
    assert bank.sessions_opened == 0
    # delivered / left: nothing
    assert names(inbox) == []


def test_server_back_before_the_attempts_run_out(sshd_server, tmp_path):
    data = payload(200_000, b"back")
    local = write(tmp_path / "PAY_2.xml", data)
    sshd_server.stop_listener()

    def between(n):
        if n == 2:
            sshd_server.start_listener()

    sleeps = Sleeps(between)
    with BankSftp(sshd_server.endpoint(), sleep=sleeps) as bank:
        delivered = bank.upload(local, sshd_server.inbox, "PAY_2.xml")
    assert delivered.attempts == 3 and not delivered.already_present
    assert len(sleeps.delays) == 2 and 0 <= sleeps.delays[0] <= 0.5 and 0 <= sleeps.delays[1] <= 1.0
    assert delivered.sha256 == sha(data)
    assert names(Path(sshd_server.inbox)) == ["PAY_2.xml"]
    assert Path(delivered.remote_path).read_bytes() == data


# --------------------------------------------------------------------------- cut mid-upload


@prefetch_thread_dies
def test_connection_cut_mid_upload_leaves_no_final_file_and_the_retry_delivers(sshd_server, proxy, tmp_path):
    data = payload(3_000_000, b"cut-up")
    local = write(tmp_path / "PAY_3.xml", data)
    inbox = Path(sshd_server.inbox)
    final, temp = inbox / "PAY_3.xml", inbox / ".PAY_3.xml.part"
    seen = {}

    def between(n):
        # after the cut, before the retry: nothing under the final name, a partial temp
        seen["final"] = final.exists()
        seen["temp"] = temp.stat().st_size if temp.exists() else None

    proxy.cut_next(upstream_after=1_000_000)
    sleeps = Sleeps(between)
    with BankSftp(sshd_server.endpoint(port=proxy.port), sleep=sleeps) as bank:
        delivered = bank.upload(local, sshd_server.inbox, "PAY_3.xml")

    assert proxy.faults == [Fault(1, "cut", "upstream", 1_000_000)]
    assert proxy.connections == 2
    assert seen["final"] is False
    assert seen["temp"] is not None and seen["temp"] < len(data)
    assert len(sleeps.delays) == 1
    assert delivered.attempts == 2 and not delivered.already_present
    assert delivered.size == len(data) and delivered.sha256 == sha(data)
    assert names(inbox) == ["PAY_3.xml"]  # the temp file is gone
    assert final.read_bytes() == data


@prefetch_thread_dies
def test_cut_upload_without_retries_leaves_a_stale_temp_that_a_later_upload_replaces(
    sshd_server, proxy, tmp_path
):
    data = payload(2_000_000, b"stale")
    local = write(tmp_path / "PAY_4.xml", data)
    inbox = Path(sshd_server.inbox)
    proxy.cut_next(upstream_after=700_000)
    sleeps = Sleeps()
    with BankSftp(sshd_server.endpoint(port=proxy.port, retry_attempts=1), sleep=sleeps) as bank:
        with pytest.raises(ConnectionLost) as info:
            bank.upload(local, sshd_server.inbox, "PAY_4.xml")
    assert isinstance(info.value, TransientError) and isinstance(info.value, TransferError)
    assert info.value.attempts == 1 and sleeps.delays == []
    assert "PAY_4.xml" in str(info.value) and "connection lost" in str(info.value)
    # left: no final file, a partial temp from the interrupted attempt
    assert names(inbox) == [".PAY_4.xml.part"]
    # (how much of it the server wrote before the reset is up to the server)
    assert (inbox / ".PAY_4.xml.part").stat().st_size < len(data)

    # later (the service's next round): the stale temp is replaced, the file delivered once
    with BankSftp(sshd_server.endpoint()) as bank:
        delivered = bank.upload(local, sshd_server.inbox, "PAY_4.xml")
    assert delivered.attempts == 1 and delivered.sha256 == sha(data)
    assert names(inbox) == ["PAY_4.xml"]
    assert (inbox / "PAY_4.xml").read_bytes() == data


def test_stale_complete_temp_of_other_content_is_overwritten_safely(sshd_server, tmp_path):
    # An older run wrote a whole temp file (other content, same name) and died before renaming.
    inbox = Path(sshd_server.inbox)
    old = payload(50_000, b"old version")
    write(inbox / ".PAY_5.xml.part", old)
    data = payload(40_000, b"new version")
    with BankSftp(sshd_server.endpoint()) as bank:
        delivered = bank.upload(write(tmp_path / "PAY_5.xml", data), sshd_server.inbox, "PAY_5.xml")
    assert delivered.sha256 == sha(data) and not delivered.already_present
    assert names(inbox) == ["PAY_5.xml"]
    assert (inbox / "PAY_5.xml").read_bytes() == data


@prefetch_thread_dies
def test_sshd_session_killed_mid_upload_is_retried(sshd_server, tmp_path):
    data = payload(3_000_000, b"kill")
    local = write(tmp_path / "PAY_6.xml", data)
    inbox = Path(sshd_server.inbox)
    killed: list[int] = []

    def progress(done, total):
        if done >= 1_000_000 and not killed:
            killed.extend(sshd_server.kill_sessions())  # the server side of the session dies

    seen = {}
    sleeps = Sleeps(lambda n: seen.setdefault("final", (inbox / "PAY_6.xml").exists()))
    with BankSftp(sshd_server.endpoint(), sleep=sleeps) as bank:
        delivered = bank.upload(local, sshd_server.inbox, "PAY_6.xml", progress=progress)
    assert killed, "no sshd session process found to kill"
    assert seen == {"final": False}
    assert delivered.attempts == 2 and delivered.sha256 == sha(data)
    assert names(inbox) == ["PAY_6.xml"]
    assert (inbox / "PAY_6.xml").read_bytes() == data


def test_rename_done_but_answer_lost_counts_as_delivered_once(sshd_server, tmp_path, monkeypatch):
    # The rename reaches the server, then the line drops before we see the answer.
    data = payload(100_000, b"lost answer")
    local = write(tmp_path / "PAY_7.xml", data)
    inbox = Path(sshd_server.inbox)
    real_rename = paramiko.SFTPClient.rename
    calls = []

    def rename_then_drop(self, old, new):
        calls.append(new)
        real_rename(self, old, new)
        if len(calls) == 1:
            self.sock.get_transport().close()
            raise EOFError("connection dropped")

    monkeypatch.setattr(paramiko.SFTPClient, "rename", rename_then_drop)
    sleeps = Sleeps()
    with BankSftp(sshd_server.endpoint(), sleep=sleeps) as bank:
        delivered = bank.upload(local, sshd_server.inbox, "PAY_7.xml")
    assert len(calls) == 1  # the retry found the file in place and renamed nothing
    assert len(sleeps.delays) == 1
    assert delivered.already_present and delivered.attempts == 2
    assert delivered.sha256 == sha(data)
    assert names(inbox) == ["PAY_7.xml"]
    assert (inbox / "PAY_7.xml").read_bytes() == data


def test_different_file_under_the_final_name_fails_at_once_and_is_kept(sshd_server, tmp_path):
    inbox = Path(sshd_server.inbox)
    theirs = payload(30_000, b"delivered earlier")
    write(inbox / "PAY_8.xml", theirs)
    ours = payload(30_000, b"changed since")
    sleeps = Sleeps()
    with BankSftp(sshd_server.endpoint(), sleep=sleeps) as bank:
        with pytest.raises(TargetExists, match="already delivered under this name") as info:
            bank.upload(write(tmp_path / "PAY_8.xml", ours), sshd_server.inbox, "PAY_8.xml")
    assert isinstance(info.value, PermanentError) and info.value.attempts == 1
    assert sleeps.delays == []
    assert names(inbox) == ["PAY_8.xml"]
    assert (inbox / "PAY_8.xml").read_bytes() == theirs


@prefetch_thread_dies
def test_host_key_changed_between_attempts_is_refused(sshd_server, proxy, tmp_path):
    # The first attempt is cut; when the client comes back, another key answers.
    data = payload(2_000_000, b"mitm")
    local = write(tmp_path / "PAY_9.xml", data)
    inbox = Path(sshd_server.inbox)
    proxy.cut_next(upstream_after=500_000)
    sleeps = Sleeps(lambda n: sshd_server.restart(new_host_key=True))
    with BankSftp(sshd_server.endpoint(port=proxy.port), sleep=sleeps) as bank:
        with pytest.raises(HostKeyMismatch) as info:
            bank.upload(local, sshd_server.inbox, "PAY_9.xml")
    assert info.value.attempts == 2 and len(sleeps.delays) == 1  # no third attempt
    assert "PAY_9.xml" not in names(inbox)


# --------------------------------------------------------------------------- refused by the server


def test_permission_denied_on_the_inbox_fails_at_once(unprivileged_sshd, tmp_path):
    server = unprivileged_sshd
    assert server.uid != 0  # the session user is one chmod applies to
    inbox = Path(server.inbox)
    os.chmod(inbox, 0o555)
    sleeps = Sleeps()
    bank = BankSftp(server.endpoint(name="ABC01"), sleep=sleeps)
    with bank, pytest.raises(RemoteRefused) as info:
        bank.upload(write(tmp_path / "PAY_10.xml", b"<pay/>"), server.inbox, "PAY_10.xml")
    err = info.value
    assert isinstance(err, PermanentError) and err.attempts == 1
    assert sleeps.delays == [] and bank.sessions_opened == 1
    assert str(err).startswith(f"bank ABC01 (127.0.0.1:{server.port}) path {server.inbox}/PAY_10.xml: ")
    assert "Permission denied" in str(err)
    assert names(inbox) == []  # no final file, no temp


def test_missing_folder_fails_at_once(sshd_server, tmp_path):
    sleeps = Sleeps()
    folder = sshd_server.remote("no-such-inbox")
    with BankSftp(sshd_server.endpoint(), sleep=sleeps) as bank:
        with pytest.raises(RemoteRefused, match=f"no such folder {folder}") as info:
            bank.upload(write(tmp_path / "PAY_11.xml", b"<pay/>"), folder, "PAY_11.xml")
    assert info.value.attempts == 1 and sleeps.delays == []
    assert not Path(folder).exists()


# --------------------------------------------------------------------------- downloads


@prefetch_thread_dies
def test_connection_cut_mid_download_leaves_no_local_file_and_the_retry_fetches_it(
    sshd_server, proxy, tmp_path
):
    data = payload(3_000_000, b"result")
    outbox = Path(sshd_server.outbox)
    write(outbox / "R1.xml", data)
    write(outbox / "R1.xml.done", b"")
    local_dir = tmp_path / "in"
    seen = {}
    sleeps = Sleeps(lambda n: seen.setdefault("local", names(local_dir)))
    with BankSftp(sshd_server.endpoint(port=proxy.port), sleep=sleeps) as bank:
        (ready,) = bank.list_ready(sshd_server.outbox, completion="marker").ready
        proxy.cut_next(downstream_after=1_000_000)  # affects the next connection...
        bank.close()  # ...so start the download on a fresh one
        got = bank.download(ready.path, local_dir / "R1.xml")
    assert proxy.faults == [Fault(2, "cut", "downstream", 1_000_000)]
    assert seen == {"local": []}  # neither the final nor the temp file after the cut
    assert got.attempts == 2 and got.size == len(data) and got.sha256 == sha(data)
    assert names(local_dir) == ["R1.xml"]
    assert (local_dir / "R1.xml").read_bytes() == data
    assert names(outbox) == ["R1.xml", "R1.xml.done"]  # the bank's copy stays until archived


@prefetch_thread_dies
def test_cut_download_without_retries_leaves_nothing_then_succeeds_later(sshd_server, proxy, tmp_path):
    data = payload(2_000_000, b"result 2")
    write(Path(sshd_server.outbox) / "R2.xml", data)
    local_dir = tmp_path / "in"
    remote = f"{sshd_server.outbox}/R2.xml"
    proxy.cut_next(downstream_after=800_000)
    with BankSftp(sshd_server.endpoint(port=proxy.port, retry_attempts=1)) as bank:
        with pytest.raises(ConnectionLost) as info:
            bank.download(remote, local_dir / "R2.xml")
    assert info.value.attempts == 1 and remote in str(info.value)
    assert names(local_dir) == []
    with BankSftp(sshd_server.endpoint(port=proxy.port)) as bank:
        got = bank.download(remote, local_dir / "R2.xml")
    assert got.sha256 == sha(data) and names(local_dir) == ["R2.xml"]


@prefetch_thread_dies
def test_stalled_download_times_out_and_is_retried(sshd_server, proxy, tmp_path):
    data = payload(2_000_000, b"stall")
    write(Path(sshd_server.outbox) / "R3.xml", data)
    proxy.stall_next(downstream_after=600_000)
    sleeps = Sleeps()
    with BankSftp(sshd_server.endpoint(port=proxy.port, timeout_s=1.0), sleep=sleeps) as bank:
        got = bank.download(f"{sshd_server.outbox}/R3.xml", tmp_path / "in" / "R3.xml")
    assert proxy.faults == [Fault(1, "stall", "downstream", 600_000)]
    assert got.attempts == 2 and got.sha256 == sha(data) and len(sleeps.delays) == 1
    assert names(tmp_path / "in") == ["R3.xml"]


def test_missing_result_file_fails_at_once(sshd_server, tmp_path):
    sleeps = Sleeps()
    with BankSftp(sshd_server.endpoint(), sleep=sleeps) as bank:
        with pytest.raises(RemoteRefused, match="No such file"):
            bank.download(f"{sshd_server.outbox}/GONE.xml", tmp_path / "in" / "GONE.xml")
    assert sleeps.delays == [] and not (tmp_path / "in").exists()


# --------------------------------------------------------------------------- completion


def test_growing_result_file_is_not_taken_until_stable(sshd_server, tmp_path):
    outbox = Path(sshd_server.outbox)
    parts = [payload(100_000, bytes([i])) for i in range(3)]
    write(outbox / "R4.xml", parts[0])
    with BankSftp(sshd_server.endpoint()) as bank:
        seen = bank.list_ready(sshd_server.outbox, suffix=".xml")
        assert seen.ready == [] and seen.observations["R4.xml"][0] == 100_000
        for part in parts[1:]:  # the bank is still writing between our polls
            with open(outbox / "R4.xml", "ab") as f:
                f.write(part)
            seen = bank.list_ready(sshd_server.outbox, suffix=".xml", previous=seen.observations)
            assert seen.ready == []
        seen = bank.list_ready(sshd_server.outbox, suffix=".xml", previous=seen.observations)
        (ready,) = seen.ready  # unchanged since the last poll: complete
        assert ready.size == 300_000
        got = bank.download(ready.path, tmp_path / "R4.xml")

        # under "marker" a growing file without its marker is never taken
        assert bank.list_ready(sshd_server.outbox, completion="marker").ready == []
    assert got.sha256 == sha(b"".join(parts))


def test_zero_byte_result_file(sshd_server, tmp_path):
    """Stable: a zero-byte file is never complete. Marker: it is passed up, size 0, for the
    caller to quarantine (the service records it as an empty file and books nothing)."""
    outbox = Path(sshd_server.outbox)
    write(outbox / "R5.xml", b"")
    with BankSftp(sshd_server.endpoint()) as bank:
        previous = None
        for _ in range(3):
            listing = bank.list_ready(sshd_server.outbox, suffix=".xml", previous=previous)
            assert listing.ready == [] and listing.observations["R5.xml"][0] == 0
            previous = listing.observations
        assert bank.list_ready(sshd_server.outbox, completion="marker").ready == []
        write(outbox / "R5.xml.done", b"")
        (ready,) = bank.list_ready(sshd_server.outbox, completion="marker").ready
        assert (ready.name, ready.size) == ("R5.xml", 0)
        got = bank.download(ready.path, tmp_path / "R5.xml")
    assert (got.size, got.sha256) == (0, EMPTY_SHA256)
    assert (tmp_path / "R5.xml").read_bytes() == b""


# --------------------------------------------------------------------------- host key


def test_host_key_change_between_connections_is_refused(sshd_server, tmp_path):
    inbox = Path(sshd_server.inbox)
    old_line = sshd_server.host_public_key_line
    ep = sshd_server.endpoint(name="RCC01")
    with BankSftp(ep) as bank:
        bank.upload(write(tmp_path / "PAY_A.xml", b"<a/>"), sshd_server.inbox, "PAY_A.xml")

    sshd_server.restart(new_host_key=True)
    new_line = sshd_server.host_public_key_line
    expected = fingerprint(parse_public_key_line(old_line))
    offered = fingerprint(parse_public_key_line(new_line))
    assert expected != offered

    sleeps = Sleeps()
    with BankSftp(ep, sleep=sleeps) as bank:
        with pytest.raises(HostKeyMismatch) as info:
            bank.upload(write(tmp_path / "PAY_B.xml", b"<b/>"), sshd_server.inbox, "PAY_B.xml")
    err = info.value
    assert isinstance(err, PermanentError) and err.attempts == 1 and sleeps.delays == []
    assert (err.expected_fingerprint, err.offered_fingerprint) == (expected, offered)
    message = str(err)
    assert expected in message and offered in message and message.count("SHA256:") == 2
    assert "RCC01" in message and "PAY_B.xml" in message
    private = sshd_server.host_key_path.read_text()
    assert not any(line in message for line in private.splitlines()[1:-1])
    assert old_line.split()[1] not in message and new_line.split()[1] not in message
    assert names(inbox) == ["PAY_A.xml"]  # nothing sent to the impostor

    with BankSftp(sshd_server.endpoint(host_key=new_line)) as bank:  # re-pinned by a person
        bank.upload(write(tmp_path / "PAY_B.xml", b"<b/>"), sshd_server.inbox, "PAY_B.xml")
    assert names(inbox) == ["PAY_A.xml", "PAY_B.xml"]
