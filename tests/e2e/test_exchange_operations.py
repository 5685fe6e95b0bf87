"""The exchange with the bank as operators see it, through a real gRPC server and a real sshd:
failed uploads and their retries, RegenerateFile and MarkFileDelivered (roles, refusals, audit),
the ``ykt files`` command, and inbound files that must be booked once or quarantined, never
dropped and never fetched again and again. Each test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sqlalchemy import func, select

import bank_formats
from adapter import server as grpc_server
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader, FailureReason, PaymentOutcome, ResultFileHeader, ResultRecord
from domain.roster import generate_lines
from ledger.schema import files, transactions
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import polling
from service.config import BankProfile, Settings
from service.context import Context
from service.worker import Worker
from sftp.client import BankSftp
from tests.support.exchange import Clock
from tests.support.identities import TEST_AUTH, TOKENS, TestClient
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB01"
REGION = "652301"
ROOT = Path(__file__).resolve().parents[2]
_SECOND = timedelta(seconds=1)


@dataclass
class Bench:
    ctx: Context
    client: TestClient
    bank: SimulatedBank
    root: Path  # the bank's folders (sshd serves them)
    worker: Worker
    clock: Clock
    address: str

    def as_user(self, user: str) -> TestClient:
        return self.client.as_user(user)

    def files(self, **kw) -> list:
        return list(self.client.call("ListFiles", pb.ListFilesRequest(**kw)).files)

    def counts(self) -> tuple[int, int]:
        with self.ctx.engine.connect() as conn:
            return (conn.execute(select(func.count()).select_from(files)).scalar_one(),
                    conn.execute(select(func.count()).select_from(transactions)).scalar_one())


@pytest.fixture
def bench(engine, sshd_server, tmp_path):
    def start() -> Bench:
        profile = BankProfile(
            code=BANK, name="某农村商业银行", format="iso20022", sftp=sshd_server.endpoint(),
            inbox=sshd_server.inbox, outbox=sshd_server.outbox, archive=sshd_server.remote("archive"),
            completion="marker",
        )
        settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "service", banks={BANK: profile},
                            auth=TEST_AUTH, retry_s=60)
        clock = Clock()
        ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()), clock=clock,
                      instance_id="test-instance")
        server, port = grpc_server.build(ctx, "127.0.0.1:0")
        servers.append(server)
        bank = SimulatedBank(sshd_server.root_dir, bank_formats.get("iso20022"), seed=11, bank_code=BANK,
                             failure_rate_ppm=100_000)
        client = TestClient(f"127.0.0.1:{port}", "clerk", language="en")  # reads the service's English
        clients.append(client)
        return Bench(ctx, client, bank, sshd_server.root_dir, Worker(ctx), clock, f"127.0.0.1:{port}")

    servers, clients = [], []
    yield start
    for client in clients:
        client.close()
    for server in servers:
        server.stop(grace=None).wait()


@pytest.fixture
def line_down(monkeypatch):
    """The bank's server cannot be reached while ``down["now"]`` is true: every upload fails
    with an error that trying again later may cure."""
    from sftp.errors import ConnectFailed

    down = {"now": True}
    real = BankSftp.upload

    def upload(self, local_path, remote_dir, name, **kw):
        if down["now"]:
            raise ConnectFailed("bank", None, "connection timed out (the line is down)")
        return real(self, local_path, remote_dir, name, **kw)

    monkeypatch.setattr(BankSftp, "upload", upload)
    return down


def _funded(b: Bench, n: int = 30, seed: int = 3) -> str:
    lines = list(generate_lines(n, seed=seed, region=REGION))
    header = BatchHeader(
        idempotency_key=f"k{seed}", program="耕地地力保护补贴", period=f"2026-{seed:02d}", region=REGION,
        bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678", control_count=n,
        control_total_fen=sum(ln.amount_fen for ln in lines),
    )
    batch_id = b.client.submit(header, lines).batch_id
    b.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    b.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id,
                                                               amount_fen=header.control_total_fen))
    return batch_id


def _code(call) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as err:
        return err.code()
    return grpc.StatusCode.OK


def _trail(b: Bench, batch_id: str) -> list[tuple[str, str, str]]:
    events = b.client.call("GetAuditTrail", pb.GetAuditTrailRequest(batch_id=batch_id)).events
    return [(e.action, e.actor, e.detail) for e in events]


# --- outbound: failures, retries and operators ------------------------------------------------


def test_a_failed_upload_waits_for_its_retry_time_then_the_operator_marks_it_delivered(bench, line_down):
    b = bench()
    batch_id = _funded(b)
    b.worker.run_once()
    (sent,) = b.files(batch_id=batch_id)
    assert (sent.direction, sent.state, sent.attempts) == ("OUT", "FAILED", 1)
    assert "the line is down" in sent.last_error and sent.sha256
    assert sent.next_attempt_at.ToDatetime(tzinfo=UTC) == b.clock() + b.ctx.settings.retry_s * _SECOND
    b.worker.run_once()  # not due yet
    assert b.files(batch_id=batch_id)[0].attempts == 1
    b.clock.advance(61)
    b.worker.run_once()  # due: tried again, waits twice as long now
    sent = b.files(batch_id=batch_id)[0]
    assert (sent.state, sent.attempts) == ("FAILED", 2)
    assert sent.next_attempt_at.ToDatetime(tzinfo=UTC) == b.clock() + 2 * b.ctx.settings.retry_s * _SECOND

    request = pb.MarkFileDeliveredRequest(file_id=sent.file_id, reason="handed over on CD-R, receipt 2026-118")
    for user in ("clerk", "approver", "bank", "auditor"):
        assert _code(lambda u=user: b.as_user(u).call("MarkFileDelivered", request)) == grpc.StatusCode.PERMISSION_DENIED
    assert _code(lambda: b.as_user("finance").call("MarkFileDelivered", pb.MarkFileDeliveredRequest(
        file_id=sent.file_id, reason="  "))) == grpc.StatusCode.INVALID_ARGUMENT
    assert _code(lambda: b.as_user("finance").call("MarkFileDelivered", pb.MarkFileDeliveredRequest(
        file_id=999_999, reason="x"))) == grpc.StatusCode.NOT_FOUND
    marked = b.as_user("finance").call("MarkFileDelivered", request)
    assert (marked.state, marked.delivered_by, marked.attempts) == ("DELIVERED", "finance", 2)
    assert b.client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id)).status == "DISPATCHED"

    # At the bank now: never regenerated, never marked twice, never uploaded by the worker.
    finance = TestClient(b.address, "finance")  # asking for no language (the bench's client asks English)
    for method, req in (("MarkFileDelivered", request),
                        ("RegenerateFile", pb.RegenerateFileRequest(file_id=sent.file_id, reason="again"))):
        with pytest.raises(grpc.RpcError) as err:
            finance.call(method, req)
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        # said in the service's default language, Chinese; the reason for machines in the details
        assert err.value.details() == f"文件 {sent.file_id}（{sent.name}）的状态是「已送达银行」：已在银行，付款文件绝不重复发送"
        info = error_details_pb2.ErrorInfo()
        assert [d.Unpack(info) for d in rpc_status.from_call(err.value).details] == [True]
        assert (info.reason, info.metadata["state"]) == ("FILE_AT_BANK", "DELIVERED")
    finance.close()
    b.clock.advance(3600)
    b.worker.run_once()
    assert b.files(batch_id=batch_id)[0].attempts == 2
    actions = [(a, u) for a, u, _ in _trail(b, batch_id)]
    assert actions[-2:] == [("DISPATCH", "worker"), ("MARK_FILE_DELIVERED", "finance")]
    assert "receipt 2026-118" in _trail(b, batch_id)[-1][2]


def test_the_operator_regenerates_a_failed_file_and_the_worker_delivers_it_once(bench, line_down):
    b = bench()
    batch_id = _funded(b)
    b.worker.run_once()
    (failed,) = b.files(batch_id=batch_id)
    assert failed.state == "FAILED"
    assert _code(lambda: b.as_user("clerk").call("RegenerateFile", pb.RegenerateFileRequest(
        file_id=failed.file_id, reason="x"))) == grpc.StatusCode.PERMISSION_DENIED
    b.clock.advance(5)  # the new rendering carries a new creation time
    again = b.as_user("finance").call("RegenerateFile", pb.RegenerateFileRequest(
        file_id=failed.file_id, reason="the bank's new folder is ready"))
    assert (again.state, again.name, again.message_id) == ("GENERATED", failed.name, failed.message_id)
    assert again.sha256 != failed.sha256 and again.rendered_at.ToDatetime() > failed.rendered_at.ToDatetime()
    assert again.next_attempt_at.ToDatetime(tzinfo=UTC) == b.clock()  # queued: the worker takes it now
    line_down["now"] = False
    b.worker.run_once()
    (sent,) = b.files(batch_id=batch_id)
    assert (sent.state, sent.attempts, sent.delivered_by) == ("DELIVERED", 2, "test-instance")
    assert sent.sha256 == again.sha256
    # the file once, and the marker that shows it was delivered even after the bank takes it
    assert sorted(p.name for p in (b.root / "inbox").iterdir()) == [sent.name, sent.name + ".ok"]
    assert _trail(b, batch_id)[-1][:2] == ("REGENERATE_FILE", "finance")
    assert "the bank's new folder is ready" in _trail(b, batch_id)[-1][2]
    with pytest.raises(grpc.RpcError) as err:
        b.as_user("finance").call("RegenerateFile", pb.RegenerateFileRequest(file_id=sent.file_id, reason="x"))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_a_different_file_under_the_payment_files_name_waits_for_an_operator(bench):
    b = bench()
    batch_id = _funded(b)
    (b.root / "inbox" / f"PAY_{batch_id}.xml").write_bytes(b"<not ours/>")
    b.worker.run_once()
    (sent,) = b.files(batch_id=batch_id)
    assert (sent.state, sent.attempts) == ("FAILED", 1)
    assert sent.last_error.startswith("needs an operator: ") and not sent.HasField("next_attempt_at")
    b.clock.advance(86_400)
    b.worker.run_once()  # no automatic retry of a permanent error
    assert b.files(batch_id=batch_id)[0].attempts == 1
    assert (b.root / "inbox" / sent.name).read_bytes() == b"<not ours/>"


def test_ykt_files_lists_every_file_and_mark_delivered_runs_from_the_command_line(bench, line_down):
    b = bench()
    batch_id = _funded(b)
    b.worker.run_once()
    (sent,) = b.files(batch_id=batch_id)
    env = {**os.environ, "YKT_TOKEN": TOKENS["auditor"], "YKT_LANG": "en"}
    cli = [sys.executable, "-m", "adapter.cli"]
    shown = subprocess.run(cli + ["files", "--bank", BANK, "--address", b.address], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert f"bank {BANK}" in shown.stdout and sent.name in shown.stdout
    assert sent.sha256[:16] in shown.stdout and "last error:" in shown.stdout and "next attempt:" in shown.stdout
    as_json = subprocess.run(cli + ["files", "--bank", BANK, "--json", "--address", b.address], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert [(f["name"], f["state"]) for f in json.loads(as_json.stdout)] == [(sent.name, "FAILED")]
    denied = subprocess.run(cli + ["mark-delivered", str(sent.file_id), "--reason", "by courier",
                                   "--address", b.address], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert denied.returncode == 3 and "PERMISSION_DENIED" in denied.stderr  # refused by the service
    env["YKT_TOKEN"] = TOKENS["finance"]
    done = subprocess.run(cli + ["files", "mark-delivered", str(sent.file_id), "--reason", "by courier", "--json",
                                 "--address", b.address], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert (json.loads(done.stdout)["state"], json.loads(done.stdout)["delivered_by"]) == ("DELIVERED", "finance")
    listed = subprocess.run(cli + ["files", "list", "--batch", batch_id, "--state", "delivered", "--address",
                                   b.address], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert sent.name in listed.stdout and "by finance" in listed.stdout


# --- inbound: booked once, quarantined with reasons, never fetched again and again ------------


@pytest.fixture
def no_archiving(monkeypatch):
    """The bank's outbox is read-only for us (as at many banks): archiving always fails.
    Returns the list of remote paths downloaded."""
    downloads = []
    real = BankSftp.download

    def counting(self, remote_path, local_path, **kw):
        downloads.append(remote_path)
        return real(self, remote_path, local_path, **kw)

    monkeypatch.setattr(BankSftp, "download", counting)
    monkeypatch.setattr(polling, "_archive", lambda sftp, bank, path: False)
    return downloads


def _deliver(b: Bench, name: str, data: bytes) -> None:
    (b.root / "outbox" / name).write_bytes(data)
    (b.root / "outbox" / f"{name}.done").touch()


def test_a_result_file_twice_and_under_two_names_is_booked_once_and_fetched_once(bench, no_archiving):
    b = bench()
    batch_id = _funded(b)
    b.worker.run_once()
    (result,) = b.bank.process_once()
    b.worker.run_once()
    assert [f.state for f in b.files(batch_id=batch_id)] == ["ACKNOWLEDGED", "BOOKED"]
    assert result.exists()  # could not be archived
    shutil.copy(result, b.root / "outbox" / result.name.replace("RESULT_", "RESULT_AGAIN_"))
    (b.root / "outbox" / (result.name.replace("RESULT_", "RESULT_AGAIN_") + ".done")).touch()
    before = b.counts()
    for _ in range(3):
        b.worker.run_once()
    inbound = [f for f in b.files(batch_id=batch_id) if f.direction == "IN"]
    assert [f.state for f in inbound] == ["BOOKED", "DUPLICATE"]
    assert inbound[1].duplicate_of == inbound[0].file_id and "same content" in inbound[1].last_error
    assert b.counts() == (before[0] + 1, before[1])  # one row for the copy; nothing booked
    assert sorted(Path(p).name for p in no_archiving) == sorted([result.name, "RESULT_AGAIN_" + result.name[7:]])


def test_a_zero_byte_result_file_is_quarantined_with_its_reason_and_not_fetched_again(bench, no_archiving,
                                                                                      monkeypatch):
    b = bench()
    _deliver(b, "RESULT_PAY_EMPTY.xml", b"")
    for _ in range(3):
        b.worker.run_once()
    (empty,) = b.files(bank_code=BANK)
    assert (empty.state, empty.size, empty.batch_id) == ("QUARANTINED", 0, "")
    assert "empty file (0 bytes)" in empty.last_error
    assert no_archiving == [str(b.root / "outbox" / "RESULT_PAY_EMPTY.xml")]  # fetched once, not at every poll
    assert [f.file_id for f in b.files(state="QUARANTINED")] == [empty.file_id]
    monkeypatch.setattr(polling, "_archive", _real_archive)  # the bank lets us clean up now
    b.worker.run_once()
    (empty,) = b.files(bank_code=BANK)
    assert empty.HasField("archived_at") and len(no_archiving) == 1
    assert not (b.root / "outbox" / "RESULT_PAY_EMPTY.xml").exists()


_real_archive = polling._archive


def test_a_result_for_an_unknown_batch_is_quarantined_and_one_for_unknown_lines_books_them_as_exceptions(bench):
    b = bench()
    batch_id = _funded(b, n=10)
    b.worker.run_once()
    fmt = bank_formats.get("iso20022")
    now = datetime.now(UTC)

    def result(name, batch, original, records):
        path = b.ctx.settings.data_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        paid = [r for r in records if r.outcome is PaymentOutcome.PAID]
        header = ResultFileHeader(f"R{name[:8]}", original, batch, now, len(records), len(paid),
                                  sum(r.amount_fen for r in paid), len(records) - len(paid),
                                  sum(r.amount_fen for r in records) - sum(r.amount_fen for r in paid))
        with open(path, "wb") as out:
            fmt.write_results(out, header, records)
        _deliver(b, name, path.read_bytes())

    result("RESULT_PAY_B-NOSUCH.xml", "B-NOSUCH", "B-NOSUCHP1", [ResultRecord(1, PaymentOutcome.PAID, 100)])
    result("RESULT_PAY_STRAY.xml", batch_id, f"{batch_id}P1",
           [ResultRecord(999, PaymentOutcome.FAILED, 100, reason=FailureReason.ACCOUNT_NOT_FOUND)])
    before = b.counts()
    b.worker.run_once()
    quarantined = b.files(state="QUARANTINED")
    assert [(f.name, f.batch_id, f.claimed_batch_id) for f in quarantined] == [("RESULT_PAY_B-NOSUCH.xml", "", "B-NOSUCH")]
    assert "names batch B-NOSUCH, which does not exist" in quarantined[0].last_error
    assert quarantined[0].HasField("archived_at")  # kept, not dropped: archived at the bank
    assert [f.name for f in b.files(batch_id="B-NOSUCH")] == ["RESULT_PAY_B-NOSUCH.xml"]
    # The stray record names a line the batch does not have: the file is booked record by record,
    # the record books nothing (a failure of a line never instructed) and is listed.
    (stray,) = [f for f in b.files(batch_id=batch_id) if f.name == "RESULT_PAY_STRAY.xml"]
    assert stray.state == "BOOKED" and "IGNORED_FAILURE" in stray.last_error
    assert b.counts()[1] == before[1]  # nothing booked
    (exc,) = b.client.call("ListExceptions", pb.ListExceptionsRequest(batch_id=batch_id)).exceptions
    assert (exc.file_name, exc.record, exc.seq, exc.kind, exc.due_back_fen) == (
        "RESULT_PAY_STRAY.xml", 1, 999, "IGNORED_FAILURE", 0)
    shown = subprocess.run([sys.executable, "-m", "adapter.cli", "exceptions", "--batch", batch_id, "--address",
                            b.address], env={**os.environ, "YKT_TOKEN": TOKENS["auditor"], "YKT_LANG": "en"},
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "RESULT_PAY_STRAY.xml" in shown.stdout and "999" in shown.stdout
    assert "1 exceptions; due back from the bank 0.00 yuan" in shown.stdout
    as_json = subprocess.run([sys.executable, "-m", "adapter.cli", "exceptions", "--batch", batch_id, "--json",
                              "--address", b.address], env={**os.environ, "YKT_TOKEN": TOKENS["auditor"]},
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert [(e["kind"], e["seq"], e["file_name"]) for e in json.loads(as_json.stdout)] == [
        ("IGNORED_FAILURE", 999, "RESULT_PAY_STRAY.xml")]
    for bad, code in ((pb.ListExceptionsRequest(batch_id=batch_id, page_token="1:x"), grpc.StatusCode.INVALID_ARGUMENT),
                      (pb.ListExceptionsRequest(batch_id=batch_id, page_size=5000), grpc.StatusCode.INVALID_ARGUMENT),
                      (pb.ListExceptionsRequest(batch_id="B-NOSUCH"), grpc.StatusCode.NOT_FOUND)):
        with pytest.raises(grpc.RpcError) as refused:
            b.client.call("ListExceptions", bad)
        assert refused.value.code() == code

    recon = b.client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id))
    content = json.loads(recon.content_json)
    assert content["quarantined_files"]["count"] == 0  # the unknown batch's file is listed under that batch only
    assert content["bank"]["exceptions_count"] == 1 and content["bank"]["due_back_fen"] == 0

    (answer,) = b.bank.process_once()  # the bank's real answer still books, once
    b.worker.run_once()
    states = [(f.name, f.state) for f in b.files(batch_id=batch_id)]
    assert (answer.name, "BOOKED") in states and states[0][1] == "ACKNOWLEDGED"


def test_a_file_that_cannot_be_fetched_neither_holds_up_nor_repeats_the_others(bench, monkeypatch):
    b = bench()
    first, second = _funded(b, seed=3), _funded(b, seed=4)
    b.worker.run_once()
    answers = sorted(b.bank.process_once())
    assert len(answers) == 2
    stuck = answers[0].name
    fetched = []
    real = BankSftp.download

    def flaky(self, remote_path, local_path, **kw):
        fetched.append(Path(remote_path).name)
        if Path(remote_path).name == stuck:
            from sftp.errors import TransferError

            raise TransferError("bank", remote_path, "download failed: connection reset")
        return real(self, remote_path, local_path, **kw)

    monkeypatch.setattr(BankSftp, "download", flaky)
    b.worker.run_once()
    b.worker.run_once()
    booked = {f.batch_id: f.state for f in b.files(bank_code=BANK) if f.direction == "IN"}
    assert len(booked) == 1 and set(booked.values()) == {"BOOKED"}  # the other one went through
    assert fetched.count(answers[1].name) == 1 and fetched.count(stuck) == 2
    monkeypatch.setattr(BankSftp, "download", real)
    b.worker.run_once()
    inbound = [(f.batch_id, f.state) for f in b.files(bank_code=BANK) if f.direction == "IN"]
    assert sorted(inbound) == sorted([(first, "BOOKED"), (second, "BOOKED")])
    assert list((b.root / "outbox").glob("RESULT_*")) == []
