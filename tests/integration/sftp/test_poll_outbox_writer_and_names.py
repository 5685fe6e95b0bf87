"""Polling a bank's outbox over a real OpenSSH sshd, as the service does it (service.polling).

* Issue 13 item 4: under "stable" completion a result file the bank is still writing — in
  pieces, pausing longer than a poll interval — is never taken, quarantined or archived; it is
  booked once, complete, after it held still for the profile's settle time. A file that changes
  while it is read is dropped and read again later.
* Issue 14 item 6: a name in the bank's listing that is not a plain file name is refused (logged
  with the bank and the escaped name) before any path is built from it; the other files are
  taken as usual.

The bank is the PSBC01 profile (delimited GBK, "stable" completion); its result file is the
simulator's answer to the payment file the service dispatched, written again by a test writer.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import select

from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.schema import batches as batches_table
from ledger.schema import files
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import batches, submission
from service.config import Settings
from service.context import Context
from service.polling import OutboxPoller
from service.profiles import load_profile
from service.worker import Worker
from sftp.client import BankSftp
from sftp.readiness import Entry
from tests.support.identities import TEST_AUTH

pytestmark = [pytest.mark.sshd, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[3]
PROFILE = ROOT / "profiles" / "PSBC01.toml"
BANK = "PSBC01"
REGION = "652301"

POLL_S = 0.25  # the poll interval here
PAUSE_S = 1.2  # the bank's writer pauses this long between pieces: several poll intervals
SETTLE_S = 3.0  # the profile's settle time: longer than the writer's pauses


@dataclass
class World:
    ctx: Context
    root: Path  # sshd's root: the bank's folders
    outbox: Path
    archive: Path
    inbound: Path  # the service's local folder for this bank's files
    batch_id: str
    result_name: str
    result: bytes  # the complete result file the bank answers with

    def inbound_rows(self) -> list:
        with self.ctx.engine.connect() as conn:
            return conn.execute(select(files).where(files.c.direction == "IN", files.c.bank_code == BANK)
                                .order_by(files.c.id)).all()

    def batch_status(self) -> str:
        with self.ctx.engine.connect() as conn:
            return conn.execute(select(batches_table.c.status).where(batches_table.c.id == self.batch_id)).scalar_one()


def _world(engine, sshd_server, tmp_path, *, connect=None, settle_s: float = SETTLE_S) -> World:
    base = load_profile(PROFILE)
    assert base.completion == "stable"
    for folder in (base.inbox, base.outbox, "archive"):
        (sshd_server.root_dir / folder).mkdir(exist_ok=True)
    profile = replace(base.with_connection(sshd_server.endpoint()), inbox=sshd_server.remote(base.inbox),
                      outbox=sshd_server.remote(base.outbox), archive=sshd_server.remote("archive"),
                      settle_s=settle_s)
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "service", banks={BANK: profile},
                        auth=TEST_AUTH)
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()),
                  instance_id="poll-test", **({"connect": connect} if connect else {}))
    lines = list(generate_lines(30, seed=13, region=REGION))
    total = sum(ln.amount_fen for ln in lines)
    header = BatchHeader(
        idempotency_key="poll-1", program="耕地地力保护补贴", period="2026-11", region=REGION, bank_code=BANK,
        payer_name="某县财政局", payer_account="15000012345678", control_count=len(lines),
        control_total_fen=total, submitted_by="clerk",
    )
    batch_id = submission.submit(ctx, header, lines).batch_id
    batches.approve(ctx, batch_id, "approver")
    batches.fund(ctx, batch_id, total, "finance")
    Worker(ctx).run_once()  # dispatches the payment file over SFTP
    sim = SimulatedBank.for_profile(sshd_server.root_dir, base, 7, failure_rate_ppm=100_000, write_statements=False)
    (answer,) = sim.process_once()
    data = answer.read_bytes()
    answer.unlink()  # the test's writer writes it again, slowly
    assert [p.name for p in (sshd_server.root_dir / base.outbox).iterdir()] == []
    return World(ctx, sshd_server.root_dir, sshd_server.root_dir / base.outbox, sshd_server.root_dir / "archive",
                 settings.data_dir / "inbound" / BANK, batch_id, answer.name, data)


class SlowWriter(threading.Thread):
    """The bank writing its result file in pieces, pausing between them. Before each piece it
    checks the file is still where it was (same inode): anything else means the service took it
    away (archived or deleted) while it was being written."""

    def __init__(self, path: Path, data: bytes, pieces: int, pause_s: float):
        super().__init__(name="slow-bank-writer", daemon=True)
        step = -(-len(data) // pieces)
        self.path, self.parts, self.pause_s = path, [data[i:i + step] for i in range(0, len(data), step)], pause_s
        self.violations: list[str] = []
        self.sizes_seen: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        try:
            with open(self.path, "wb") as f:
                inode = os.fstat(f.fileno()).st_ino
                for n, part in enumerate(self.parts):
                    if n:
                        time.sleep(self.pause_s)
                        try:
                            if os.stat(self.path).st_ino != inode:
                                self.violations.append(f"replaced before piece {n}")
                        except FileNotFoundError:
                            self.violations.append(f"taken away (archived or deleted) before piece {n}")
                    f.write(part)
                    f.flush()
                    os.fsync(f.fileno())
        finally:
            self.done.set()


def _poll_until(poller: OutboxPoller, until, timeout_s: float = 40.0, on_poll=None) -> int:
    """Poll every POLL_S until ``until()``; the number of polls."""
    deadline = time.monotonic() + timeout_s
    polls = 0
    while not until():
        assert time.monotonic() < deadline, "timed out polling"
        poller.poll(BANK)
        polls += 1
        if on_poll is not None:
            on_poll()
        time.sleep(POLL_S)
    return polls


def test_a_result_file_written_slowly_is_booked_once_complete_never_taken_while_written(sqlite_engine, sshd_server,
                                                                                        tmp_path, caplog):
    w = _world(sqlite_engine, sshd_server, tmp_path)
    poller = OutboxPoller(w.ctx)
    writer = SlowWriter(w.outbox / w.result_name, w.result, pieces=4, pause_s=PAUSE_S)
    sightings: list[tuple[int, int]] = []  # (size, mtime) of the file after each poll while the bank writes
    taken_while_writing: list[list] = []

    def look() -> None:
        if writer.done.is_set():
            return
        try:
            st = (w.outbox / w.result_name).stat()
        except FileNotFoundError:
            return  # the writer notes it
        sightings.append((st.st_size, int(st.st_mtime)))
        if w.inbound_rows():
            taken_while_writing.append(w.inbound_rows())

    caplog.set_level(logging.INFO)
    writer.start()
    _poll_until(poller, writer.done.is_set, on_poll=look)
    writer.join()
    done_at = time.monotonic()
    _poll_until(poller, lambda: bool(w.inbound_rows()))
    booked_after = time.monotonic() - done_at
    for _ in range(4):  # and nothing more happens
        poller.poll(BANK)

    assert writer.violations == []  # never archived, deleted or moved while the bank wrote it
    assert taken_while_writing == []  # nothing recorded (so nothing quarantined) before it was complete
    assert booked_after >= SETTLE_S - 1.0  # it held still for the settle time first (mtime: whole seconds)
    # The test did what it means to: the bank paused longer than a poll interval, so polls saw the
    # same (size, mtime) twice while the file was incomplete (the old rule took it then).
    assert len(sightings) >= 8
    assert any(a == b and a[0] < len(w.result) for a, b in zip(sightings, sightings[1:]))

    (row,) = w.inbound_rows()  # booked once, complete
    assert (row.name, row.state, row.size, row.sha256) == (
        w.result_name, "BOOKED", len(w.result), hashlib.sha256(w.result).hexdigest())
    assert row.archived_at is not None
    assert w.batch_status() == "RESULTS_COMPLETE"
    assert list(w.outbox.iterdir()) == []
    assert (w.archive / w.result_name).read_bytes() == w.result  # the bank's complete file, archived
    assert "QUARANTINED" not in caplog.text and "quarantined" not in caplog.text


class ChangingBank(BankSftp):
    """The real client; the bank writes more to its file while our download of it runs."""

    hook = None  # (remote_path) -> None, run once, inside the first download

    def download(self, remote_path, local_path, **kwargs):
        hook, ChangingBank.hook = ChangingBank.hook, None
        if hook is not None and hook.when == "before":
            hook(remote_path)  # the bank writes between our look and our read
        got = super().download(remote_path, local_path, **kwargs)
        if hook is not None and hook.when == "after":
            hook(remote_path)  # the bank writes as our read ends
        return got


class Resume:
    def __init__(self, path: Path, rest: bytes, when: str):
        self.path, self.rest, self.when = path, rest, when
        self.ran = False

    def __call__(self, remote_path: str) -> None:
        assert remote_path.endswith(self.path.name)
        with open(self.path, "ab") as f:
            f.write(self.rest)
        os.utime(self.path, (time.time() + 7, time.time() + 7))  # a new mtime even within the second
        self.ran = True


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_file_that_changes_while_it_is_read_is_dropped_and_read_again_later(sqlite_engine, sshd_server,
                                                                              tmp_path, caplog, when):
    w = _world(sqlite_engine, sshd_server, tmp_path, connect=ChangingBank, settle_s=10.0)
    clock = [1000.0]
    poller = OutboxPoller(w.ctx, monotonic=lambda: clock[0])  # the settle time on a clock of the test's
    half = len(w.result) // 2
    path = w.outbox / w.result_name
    path.write_bytes(w.result[:half])
    resume = Resume(path, w.result[half:], when)
    ChangingBank.hook = resume

    caplog.set_level(logging.INFO, logger="ykt.poll")
    assert poller.poll(BANK) == []  # first sighting
    clock[0] += 9.9
    assert poller.poll(BANK) == [] and not resume.ran  # not settled yet: not read
    clock[0] += 0.1
    assert poller.poll(BANK) == []  # settled: read, but the bank wrote on meanwhile
    assert resume.ran
    assert "changed while it was read" in caplog.text
    assert w.inbound_rows() == []  # nothing recorded, nothing quarantined
    assert path.read_bytes() == w.result and list(w.archive.iterdir()) == []  # not archived
    assert not w.inbound.exists() or [p for p in w.inbound.iterdir() if p.is_file()] == []  # copy dropped

    clock[0] += 9.9
    assert poller.poll(BANK) == []  # the settle time started again at the change
    clock[0] += 10.0
    (outcome,) = poller.poll(BANK)
    assert outcome.state.value == "BOOKED"
    (row,) = w.inbound_rows()
    assert (row.state, row.size, row.sha256) == ("BOOKED", len(w.result), hashlib.sha256(w.result).hexdigest())
    assert not path.exists() and (w.archive / w.result_name).read_bytes() == w.result


# --------------------------------------------------------------------------- remote names


EXTRA = "YKT_RET_../../../../x.txt"  # the name of issue 14: fits YKT_RET_*.txt (fnmatch's * matches '/')


class HostileListing(BankSftp):
    """The real client, with a listing that also names a path (no file system can hold such a
    name, but a hostile or broken server can send one); every download is noted."""

    downloads: list[str] = []
    extra: str | None = None

    def listdir(self, remote_dir):
        entries = super().listdir(remote_dir)
        if self.extra is not None and remote_dir.endswith("/out"):
            entries.append(Entry(self.extra, 64, 1_700_000_000))
        return entries

    def download(self, remote_path, local_path, **kwargs):
        HostileListing.downloads.append(remote_path)
        return super().download(remote_path, local_path, **kwargs)


def test_names_that_are_not_plain_file_names_are_refused_and_the_others_taken(sqlite_engine, sshd_server,
                                                                              tmp_path, caplog):
    w = _world(sqlite_engine, sshd_server, tmp_path, connect=HostileListing, settle_s=0.0)
    HostileListing.downloads, HostileListing.extra = [], EXTRA
    # Names a Linux file system holds, that fit the result pattern YKT_RET_*.txt.
    hostile = ["YKT_RET_..\\..\\..\\evil.txt", "YKT_RET_x\nbank PSBC01: booked everything.txt",
               "YKT_RET_..txt", "YKT_RET_\u202etxt.exe.txt"]
    for name in hostile:
        (w.outbox / name).write_bytes(w.result)
    (w.outbox / "YKT_RET_..").mkdir()  # the folder the injected name would climb through
    (w.outbox / w.result_name).write_bytes(w.result)
    caplog.set_level(logging.INFO, logger="ykt.poll")

    poller = OutboxPoller(w.ctx)
    try:
        outcomes = poller.poll(BANK) + poller.poll(BANK) + poller.poll(BANK)
    finally:
        HostileListing.extra = None

    # The plain name was booked; not one hostile name was fetched or recorded.
    assert [(o.state.value, o.booked_lines > 0) for o in outcomes] == [("BOOKED", True)]
    (row,) = w.inbound_rows()
    assert row.name == w.result_name
    assert HostileListing.downloads and all(p.endswith("/" + w.result_name) for p in HostileListing.downloads)
    assert sorted(p.name for p in w.outbox.iterdir()) == sorted([*hostile, "YKT_RET_.."])  # left for a person
    # Nothing written from a hostile name: no copy of one anywhere but the bank's outbox, and
    # the service's inbound folder holds only the plain file's copy.
    written = [p for p in tmp_path.rglob("*") if p.parent != w.outbox and ("evil" in p.name or "x.txt" in p.name
                                                                           or "booked everything" in p.name)]
    assert written == []
    # and the service's inbound folder holds nothing: the booked file's own copy was deleted once
    # the ledger held it (service.retention), and no hostile name ever had one
    assert [p.name for p in w.inbound.rglob("*") if p.is_file()] == []

    # Each refusal is one warning naming the bank and the escaped name (no raw newline or
    # override reaches the log), however many polls saw it.
    refusals = [r.getMessage() for r in caplog.records if "refused the name" in r.getMessage()]
    for name in [*hostile, "YKT_RET_..", EXTRA]:
        said = [m for m in refusals if repr(name) in m]
        assert len(said) == 1, (name, refusals)
        assert said[0].startswith(f"bank {BANK}: refused the name {name!r} in its outbox: contains ")
    assert len(refusals) == len(hostile) + 2
    assert not any("\n" in m or "\u202e" in m for m in refusals)
