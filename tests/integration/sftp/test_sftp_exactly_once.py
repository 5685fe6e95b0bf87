"""The SFTP client's part of exactly-once delivery (issue 13), against a real OpenSSH sshd.

Once a rename into place was sent, the client never writes the file again: a lost answer is
settled from the bank's folders (the file under its name, its temporary copy, the marker, the
folder where the bank keeps what it took), or refused as undecided. The caller's guard runs
before every attempt and before the rename, and a refused rename leaves no debris.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import paramiko
import pytest

from sftp import BankSftp, DeliveryUndecided

pytestmark = [pytest.mark.sshd, pytest.mark.timeout(120)]

DATA = b"<Document>payment file</Document>\n" * 500
NAME = "PAY_001.xml"


class Refused(Exception):
    pass


@pytest.fixture
def local(tmp_path) -> Path:
    path = tmp_path / "out" / NAME
    path.parent.mkdir()
    path.write_bytes(DATA)
    return path


@pytest.fixture
def folders(sshd_server):
    inbox, processed = sshd_server.root_dir / "inbox", sshd_server.root_dir / "processed"
    inbox.mkdir(exist_ok=True)
    processed.mkdir(exist_ok=True)
    return inbox, processed


class Writes:
    """Counts the files the client opens for writing at the bank (paramiko's SFTPClient.open)."""

    def __init__(self, monkeypatch):
        self.names: list[str] = []
        real = paramiko.SFTPClient.open

        def counting(client, filename, mode="r", *args, **kwargs):
            if "w" in mode:
                self.names.append(os.path.basename(filename))
            return real(client, filename, mode, *args, **kwargs)

        monkeypatch.setattr(paramiko.SFTPClient, "open", counting)


def lose_the_rename_answer(monkeypatch, after=None):
    """The rename reaches the bank and is carried out; its answer never comes back (EOF).
    ``after()`` runs at the bank before the client hears of it."""
    real = paramiko.SFTPClient.rename
    calls = []

    def rename(client, old, new):
        calls.append((old, new))
        real(client, old, new)
        if len(calls) == 1:
            if after is not None:
                after()
            raise EOFError("the line went down before the answer")

    monkeypatch.setattr(paramiko.SFTPClient, "rename", rename)
    return calls


def test_a_lost_rename_answer_is_settled_by_the_file_under_its_name_not_by_sending_again(
        sshd_server, folders, local, monkeypatch):
    inbox, _ = folders
    writes = Writes(monkeypatch)
    renames = lose_the_rename_answer(monkeypatch)
    with BankSftp(sshd_server.endpoint(), sleep=lambda s: None) as bank:
        delivered = bank.upload(local, str(inbox), NAME, temp_tag="7", marker=".ok")
    assert delivered.already_present and delivered.attempts == 2
    assert len(renames) == 1  # sent once
    assert writes.names == [f".{NAME}.7.part", NAME + ".ok"]  # the file was written once
    assert sorted(os.listdir(inbox)) == [NAME, NAME + ".ok"]
    assert (inbox / NAME).read_bytes() == DATA


def test_a_lost_rename_answer_after_which_the_bank_took_the_file_is_settled_by_its_folder(
        sshd_server, folders, local, monkeypatch):
    inbox, processed = folders
    writes = Writes(monkeypatch)
    lose_the_rename_answer(monkeypatch, after=lambda: os.replace(inbox / NAME, processed / NAME))
    with BankSftp(sshd_server.endpoint(), sleep=lambda s: None) as bank:
        delivered = bank.upload(local, str(inbox), NAME, temp_tag="7", taken_dirs=(str(processed),))
    assert delivered.already_present
    assert writes.names == [f".{NAME}.7.part"]
    assert os.listdir(inbox) == [] and os.listdir(processed) == [NAME]


def test_a_lost_rename_answer_with_nothing_at_the_bank_to_tell_is_undecided_and_nothing_is_sent_again(
        sshd_server, folders, local, monkeypatch):
    inbox, processed = folders
    writes = Writes(monkeypatch)
    elsewhere = sshd_server.root_dir / "bank-internal"
    elsewhere.mkdir()
    lose_the_rename_answer(monkeypatch, after=lambda: os.replace(inbox / NAME, elsewhere / NAME))
    with BankSftp(sshd_server.endpoint(), sleep=lambda s: None) as bank, \
            pytest.raises(DeliveryUndecided, match="ask the bank whether it has it"):
        bank.upload(local, str(inbox), NAME, temp_tag="7", taken_dirs=(str(processed),))
    assert writes.names == [f".{NAME}.7.part"]
    assert os.listdir(inbox) == [] and os.listdir(processed) == []


def test_the_guard_runs_before_each_attempt_and_the_rename_and_a_refused_rename_leaves_nothing(
        sshd_server, folders, local):
    inbox, _ = folders
    steps = []

    def guard(step, temp):
        steps.append((step, temp))
        if step == "rename":
            raise Refused("lease lost")

    with BankSftp(sshd_server.endpoint(), sleep=lambda s: None) as bank, pytest.raises(Refused):
        bank.upload(local, str(inbox), NAME, guard=guard, temp_tag="3")
    assert steps == [("attempt", str(inbox / f".{NAME}.3.part")), ("rename", f".{NAME}.3.part")]
    assert os.listdir(inbox) == []  # its own temporary copy removed: no debris at the bank


def test_resuming_a_recorded_rename_renames_the_waiting_copy_without_writing(sshd_server, folders, local,
                                                                              monkeypatch):
    """Another process wrote and verified ``.NAME.5.part``, recorded its intent and died before
    the rename: the copy is renamed as it is."""
    inbox, _ = folders
    (inbox / f".{NAME}.5.part").write_bytes(DATA)
    writes = Writes(monkeypatch)
    steps = []
    with BankSftp(sshd_server.endpoint()) as bank:
        delivered = bank.upload(local, str(inbox), NAME, temp_tag="9", resume=f".{NAME}.5.part", marker=".ok",
                                guard=lambda step, temp: steps.append((step, os.path.basename(temp))))
    assert not delivered.already_present
    assert steps == [("attempt", f".{NAME}.9.part"), ("rename", f".{NAME}.5.part")]
    assert writes.names == [NAME + ".ok"]  # only the marker
    assert sorted(os.listdir(inbox)) == [NAME, NAME + ".ok"]


def test_resuming_with_an_incomplete_copy_and_nothing_else_is_undecided(sshd_server, folders, local):
    inbox, _ = folders
    (inbox / f".{NAME}.5.part").write_bytes(DATA[:100])
    with BankSftp(sshd_server.endpoint()) as bank, pytest.raises(DeliveryUndecided):
        bank.upload(local, str(inbox), NAME, resume=f".{NAME}.5.part")
    assert os.listdir(inbox) == [f".{NAME}.5.part"]  # evidence is left as it is


def test_resuming_finds_the_marker_once_the_bank_took_the_file(sshd_server, folders, local):
    inbox, _ = folders
    (inbox / (NAME + ".ok")).write_bytes(b"")
    with BankSftp(sshd_server.endpoint()) as bank:
        assert bank.upload(local, str(inbox), NAME, resume=f".{NAME}.5.part", marker=".ok").already_present


def test_a_fresh_upload_removes_the_temporary_copies_earlier_processes_left(sshd_server, folders, local):
    inbox, _ = folders
    for tag in ("1", "2"):
        (inbox / f".{NAME}.{tag}.part").write_bytes(b"half")
    (inbox / ".OTHER.xml.1.part").write_bytes(b"another file's")
    with BankSftp(sshd_server.endpoint()) as bank:
        bank.upload(local, str(inbox), NAME, temp_tag="3", marker=".ok")
    assert sorted(os.listdir(inbox)) == [".OTHER.xml.1.part", NAME, NAME + ".ok"]
    assert hashlib.sha256((inbox / NAME).read_bytes()).hexdigest() == hashlib.sha256(DATA).hexdigest()


def test_a_progress_callback_that_refuses_to_go_on_leaves_no_temporary_copy(sshd_server, folders, tmp_path):
    """The dispatcher's progress callback renews its lease; a lost lease raises from inside the
    write: the half-written temporary copy is removed."""
    inbox, _ = folders
    big = tmp_path / "big.xml"
    big.write_bytes(os.urandom(3 * 256 * 1024))

    def progress(done, total):
        if done > 256 * 1024:
            raise Refused("lease lost mid-write")

    with BankSftp(sshd_server.endpoint(), sleep=lambda s: None) as bank, pytest.raises(Refused):
        bank.upload(big, str(inbox), NAME, temp_tag="4", progress=progress)
    assert os.listdir(inbox) == []
