"""A payment file reaches the bank once, whatever instant the service dies or stalls at (issue 13).

Real ``ykt serve`` processes with their workers, a real sshd, a simulated bank answering from the
SFTP folders. The fault is a real SIGKILL or SIGSTOP that the process sends itself at a named
instant of the upload (:mod:`durable.faults`):

* killed, then restarted under the same instance id: the new process takes its predecessor's
  leases back at once and finishes the delivery within seconds (the lease is 120 s); SQLite;
* stopped for longer than its lease and the SFTP timeout while a second instance takes over,
  then continued: the stale process sends nothing and leaves nothing at the bank; PostgreSQL,
  the ledger several instances share in production;
* killed and taken over by a second instance once the lease ran out (PostgreSQL), and stopped
  past its lease with nobody taking over, then continued (SQLite).

In every case the bank holds the payment file's bytes exactly once (inbox, processed and
rejected folders, by SHA-256), no temporary ``.part`` file is left, and the ledger says
delivered; or, where nothing at the bank can tell whether a rename happened, the file waits for
an operator with that reason and is not sent again.
"""
from __future__ import annotations

import hashlib
import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

import bank_formats
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.schema import files
from privacy.keys import Keyring
from tests.support.identities import TestClient
from tests.support.serving import is_stopped, serve, stop, write_settings
from ykt.v1 import disbursement_pb2 as pb

pytestmark = [pytest.mark.sshd, pytest.mark.timeout(180)]

BANK = "RCB01"
REGION = "652301"
POINTS = ["upload.before_temp", "upload.during_temp", "upload.before_rename", "upload.after_rename",
          "dispatch.after_commit"]
AT_BANK = ("DELIVERED", "ACKNOWLEDGED")


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


class Scene:
    """One bank on the sshd, the simulated bank answering in a thread, and settings for the
    instances "a" and "b" on the shared ledger."""

    def __init__(self, tmp_path: Path, sshd_server, url: str, engine, *, taken: bool, lease_s: float):
        self.root = sshd_server.root_dir
        self.engine = engine
        profile = tmp_path / f"{BANK}.toml"
        profile.write_text(f"""
[bank]
code = "{BANK}"
name = "某农村商业银行"
[format]
family = "iso20022"
[folders]
inbox = "{self.root / 'inbox'}"
outbox = "{self.root / 'outbox'}"
archive = "{self.root / 'archive'}"
completion = "marker"
{f'taken = "{self.root / "processed"}"' if taken else ''}
""", encoding="utf-8")
        key_file = tmp_path / "keys" / "pii-keys.json"
        self.configs = {
            name: write_settings(tmp_path / f"{name}.toml", data_dir=tmp_path / name, database_url=url,
                                 key_file=key_file, instance_id=name, bank=BANK, profile=profile,
                                 sshd_server=sshd_server, lease_s=lease_s, sftp_timeout_s=1)
            for name in ("a", "b")
        }
        key_file.parent.mkdir()
        Keyring.generate(key_file)
        self.bank = SimulatedBank(self.root, bank_formats.get("iso20022"), seed=5, bank_code=BANK)
        self._stop_bank = threading.Event()
        self._bank_thread = threading.Thread(target=self.bank.run_forever, args=(0.2, self._stop_bank), daemon=True)
        self._bank_thread.start()

    def close(self) -> None:
        self._stop_bank.set()
        self._bank_thread.join(10)

    def funded_batch(self, address: str) -> str:
        client = TestClient(address, "clerk")
        try:
            lines = list(generate_lines(12, seed=7, region=REGION))
            total = sum(ln.amount_fen for ln in lines)
            header = BatchHeader(
                idempotency_key="faults-1", program="耕地地力保护补贴", period="2026-11", region=REGION,
                bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678",
                control_count=len(lines), control_total_fen=total,
            )
            batch_id = client.submit(header, lines).batch_id
            client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
            client.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=total))
            return batch_id
        finally:
            client.close()

    def payment_file(self):
        with self.engine.connect() as conn:
            return conn.execute(select(files).where(files.c.direction == "OUT")).one_or_none()

    def wait_for(self, predicate, seconds: float, what: str):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out after {seconds} s waiting for {what}; payment file: {self.payment_file()}")

    def copies_at_bank(self, digest: str) -> list[str]:
        """Every file at the bank with the payment file's bytes, and every temporary file."""
        found = []
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and (path.name.endswith(".part")
                                   or hashlib.sha256(path.read_bytes()).hexdigest() == digest):
                found.append(str(path.relative_to(self.root)))
        return found


def _delivered(scene: Scene):
    record = scene.payment_file()
    return record if record is not None and record.state in AT_BANK else None


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_any_instant_the_restarted_instance_delivers_once_within_seconds(
        point, tmp_path, sshd_server, sqlite_engine):
    url, engine = _url(sqlite_engine), sqlite_engine
    scene = Scene(tmp_path, sshd_server, url, engine, taken=True, lease_s=120)
    procs = []
    try:
        first, address = serve(scene.configs["a"], env={"YKT_FAULT": f"{point}:kill"})
        procs.append(first)
        scene.funded_batch(address)
        assert first.wait(timeout=60) == -9, f"not killed at {point}"
        killed_in = scene.payment_file().state

        restarted = time.monotonic()
        again, _ = serve(scene.configs["a"])
        ready = time.monotonic()
        procs.append(again)
        record = scene.wait_for(lambda: _delivered(scene), 30, "the delivery")
        took, since_start = time.monotonic() - ready, time.monotonic() - restarted
        scene.wait_for(lambda: scene.payment_file().state == "ACKNOWLEDGED", 30, "the bank's answer")
    finally:
        logs = [stop(p) for p in procs]
        scene.close()
    print(f"{point}: killed with the file {killed_in}; delivered {took:.2f} s after the restarted instance "
          f"listened ({since_start:.2f} s after it was started)")
    assert took < 5, f"the restarted instance took {took:.1f} s to deliver (its own lease is 120 s)"
    assert scene.copies_at_bank(record.sha256) == [f"processed/{record.name}"]
    assert "Traceback" not in logs[-1][1], logs[-1][1]


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.postgres
def test_stalled_past_its_lease_at_any_instant_an_instance_sends_nothing_once_another_took_over(
        point, tmp_path, sshd_server, pg_engine):
    url, engine = _url(pg_engine), pg_engine
    lease_s = 2
    scene = Scene(tmp_path, sshd_server, url, engine, taken=True, lease_s=lease_s)
    procs = []
    try:
        stalled, address = serve(scene.configs["a"], env={"YKT_FAULT": f"{point}:stop"})
        procs.append(stalled)
        scene.funded_batch(address)
        scene.wait_for(lambda: is_stopped(stalled.pid), 60, f"instance a to stop at {point}")
        time.sleep(lease_s + 1.5)  # longer than the lease and the SFTP timeout (1 s)

        other, _ = serve(scene.configs["b"])
        procs.append(other)
        record = scene.wait_for(lambda: _delivered(scene), 30, "the delivery")
        scene.wait_for(lambda: scene.payment_file().state == "ACKNOWLEDGED", 30, "the bank's answer")
        stalled.send_signal(signal.SIGCONT)
        # a, continued, runs into its lost lease and removes its own temporary copy, if it made
        # one: the bank holds the file once, and still does a while later
        once = [f"processed/{record.name}"]
        for _ in range(2):
            scene.wait_for(lambda: scene.copies_at_bank(record.sha256) == once, 60,
                           f"the bank to hold it once ({scene.copies_at_bank(record.sha256)} at first)")
            time.sleep(2)
        assert stalled.poll() is None, "instance a died after being continued"
        record = scene.payment_file()
    finally:
        logs = [stop(p) for p in procs]
        scene.close()
    assert record.state == "ACKNOWLEDGED"
    if point != "dispatch.after_commit":
        assert record.delivered_by == "b"
    assert scene.copies_at_bank(record.sha256) == [f"processed/{record.name}"]
    assert list((scene.root / "rejected").iterdir()) == []
    for _out, err in logs:
        assert "Traceback" not in err, err


@pytest.mark.parametrize("point", ["upload.before_rename", "upload.after_rename"])
@pytest.mark.postgres
def test_killed_and_taken_over_by_another_instance_once_the_lease_ran_out(point, tmp_path, sshd_server, pg_engine):
    url, engine = _url(pg_engine), pg_engine
    lease_s = 2
    scene = Scene(tmp_path, sshd_server, url, engine, taken=True, lease_s=lease_s)
    procs = []
    try:
        first, address = serve(scene.configs["a"], env={"YKT_FAULT": f"{point}:kill"})
        procs.append(first)
        scene.funded_batch(address)
        assert first.wait(timeout=60) == -9
        time.sleep(lease_s + 0.5)
        other, _ = serve(scene.configs["b"])
        procs.append(other)
        scene.wait_for(lambda: _delivered(scene), 30, "the delivery")
        record = scene.wait_for(lambda: (r := scene.payment_file()).state == "ACKNOWLEDGED" and r, 30, "the answer")
    finally:
        [stop(p) for p in procs]
        scene.close()
    assert record.delivered_by == "b"
    assert scene.copies_at_bank(record.sha256) == [f"processed/{record.name}"]
    assert list((scene.root / "rejected").iterdir()) == []


@pytest.mark.parametrize("point", ["upload.before_temp", "upload.before_rename"])
def test_stopped_alone_past_its_lease_an_instance_delivers_once_when_continued(
        point, tmp_path, sshd_server, sqlite_engine):
    """Nobody takes over: before the rename's intent it finds its lease ran out, drops its
    temporary copy and starts again under a new lease; after it, the rename it recorded goes."""
    url, engine = _url(sqlite_engine), sqlite_engine
    lease_s = 2
    scene = Scene(tmp_path, sshd_server, url, engine, taken=True, lease_s=lease_s)
    procs = []
    try:
        alone, address = serve(scene.configs["a"], env={"YKT_FAULT": f"{point}:stop"})
        procs.append(alone)
        scene.funded_batch(address)
        scene.wait_for(lambda: is_stopped(alone.pid), 60, f"instance a to stop at {point}")
        time.sleep(lease_s + 1.5)  # longer than the lease and the SFTP timeout (1 s)
        alone.send_signal(signal.SIGCONT)
        record = scene.wait_for(lambda: (r := scene.payment_file()).state == "ACKNOWLEDGED" and r, 60, "the answer")
        time.sleep(1)
    finally:
        logs = [stop(p) for p in procs]
        scene.close()
    assert record.delivered_by == "a"
    assert scene.copies_at_bank(record.sha256) == [f"processed/{record.name}"]
    assert list((scene.root / "rejected").iterdir()) == []
    assert "Traceback" not in logs[0][1], logs[0][1]


def test_killed_after_the_rename_with_nothing_at_the_bank_to_tell_it_waits_for_an_operator(
        tmp_path, sshd_server, sqlite_engine):
    """The bank took the file out of its inbox, keeps no folder the profile names, and removed
    the marker: only the bank can say whether it has the file. It is not sent again."""
    url, engine = _url(sqlite_engine), sqlite_engine
    scene = Scene(tmp_path, sshd_server, url, engine, taken=False, lease_s=120)
    procs = []
    try:
        first, address = serve(scene.configs["a"], env={"YKT_FAULT": "upload.after_rename:kill"})
        procs.append(first)
        scene.funded_batch(address)
        assert first.wait(timeout=60) == -9
        scene.wait_for(lambda: not (scene.root / "inbox" / scene.payment_file().name).exists(), 30,
                       "the bank to take the file")
        again, _ = serve(scene.configs["a"])
        procs.append(again)
        record = scene.wait_for(
            lambda: (r := scene.payment_file()) is not None and r.state == "FAILED" and r, 30, "the verdict")
        time.sleep(1)  # further worker rounds send nothing either
        record = scene.payment_file()
    finally:
        [stop(p) for p in procs]
        scene.close()
    # The bank's answer may already have made it ACKNOWLEDGED; if not, it waits for a person.
    assert record.state in ("FAILED", "ACKNOWLEDGED")
    if record.state == "FAILED":
        assert record.next_attempt_at is None
        assert record.last_error.startswith("needs an operator: ")
        assert "ask the bank whether it has it" in record.last_error
    assert scene.copies_at_bank(record.sha256) == [f"processed/{record.name}"]
