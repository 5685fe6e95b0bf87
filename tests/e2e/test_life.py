"""The whole life of a subsidy batch in one test, through the real gRPC server and OpenSSH sshd.

Submit (one line rejected), correct it, approve, fund, dispatch, the bank pays most and fails
some, re-issue the failed lines corrected but one, give that one up, the bank pays the re-issue,
close and refund, reconcile the bank's statements, issue the triple-copy reconciliation and
verify each of its three copies — and one tampered byte is caught — and verify the journal.
"""
from __future__ import annotations

import json
from dataclasses import replace

import grpc
import pytest

import bank_formats
from adapter import convert
from adapter import server as grpc_server
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger import journal
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import BankProfile, Settings
from service.context import Context
from service.worker import Worker
from tests.support.identities import TEST_AUTH, TestClient
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB01"
REGION = "652301"
ACCOUNT = "15000012345678"
PROGRAM = "耕地地力保护补贴"
N = 120


@pytest.fixture
def world(engine, sshd_server, tmp_path, official_schemas):
    profile = BankProfile(
        code=BANK, name="某农村商业银行", format="iso20022",
        sftp=sshd_server.endpoint(), inbox=sshd_server.inbox, outbox=sshd_server.outbox,
        archive=sshd_server.remote("archive"), completion="marker", schema_dir=official_schemas,
    )
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "service", banks={BANK: profile},
                        auth=TEST_AUTH)
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    bank = SimulatedBank(sshd_server.root_dir, bank_formats.get("iso20022", schema_dir=official_schemas),
                         seed=11, bank_code=BANK, failure_rate_ppm=150_000, write_statements=True)
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    yield client, bank, Worker(ctx)
    client.close()
    server.stop(grace=None).wait()


def _by_status(client, batch_id) -> dict[str, tuple[int, int]]:
    batch = client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
    return {s.status: (s.count, s.fen) for s in batch.lines_by_status}


def test_the_whole_life_of_a_batch(world, engine):
    client, bank, worker = world
    finance, approver, auditor = (client.as_user(u) for u in ("finance", "approver", "auditor"))
    roster = list(generate_lines(N, seed=21, region=REGION))
    total = sum(ln.amount_fen for ln in roster)
    typo = replace(roster[7], id_number=roster[7].id_number[:-1] + ("0" if roster[7].id_number[-1] != "0" else "1"))
    header = BatchHeader(idempotency_key="life-1", program=PROGRAM, period="2026-11", region=REGION, bank_code=BANK,
                         payer_name="某县财政局", payer_account=ACCOUNT, control_count=N, control_total_fen=total)

    # Submitted with a mistyped ID number: that line is rejected, the batch waits for it.
    submitted = client.submit(header, [*roster[:7], typo, *roster[8:]])
    batch_id = submitted.batch_id
    assert client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id)).status == "NEEDS_CORRECTION"
    client.call("CorrectLines", pb.CorrectLinesRequest(batch_id=batch_id, lines=[convert.line_to_pb(roster[7])]))
    approver.call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    finance.call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=total))

    # Dispatched; the bank pays most lines and fails some.
    worker.run_once()
    assert len(bank.process_once()) == 1
    worker.run_once()
    first = _by_status(client, batch_id)
    failed_n, failed_fen = first["FAILED"]
    assert failed_n >= 2 and first["PAID"][0] + failed_n == N

    # Failed lines corrected and re-issued, but one: given up. The re-issue is paid.
    listed = _failed_lines(client, batch_id)
    assert all(v.reason and v.follow_up and "*" in v.account_no_masked for v in listed)
    assert sum(v.amount_fen for v in listed) == failed_fen
    failed = [ln for ln in roster if ln.seq in {v.seq for v in listed}]
    assert len(failed) == failed_n
    fresh = generate_lines(failed_n, seed=77, region=REGION)
    corrected = [replace(ln, account_no=new.account_no) for ln, new in zip(failed[:-1], fresh, strict=False)]
    change = client.call("ReissueLines", pb.CorrectLinesRequest(
        batch_id=batch_id, lines=[convert.line_to_pb(ln) for ln in corrected])).change  # other accounts: it waits
    approver.call("ApproveLineChanges", pb.LineChangeRequest(batch_id=batch_id, change_id=change.change_id))
    approver.call("GiveUpLines", pb.ResolveLinesRequest(batch_id=batch_id, seqs=[failed[-1].seq], reason="本人已故"))
    bank.failure_rate_ppm = 0
    worker.run_once()
    assert len(bank.process_once()) == 1
    worker.run_once()
    second = _by_status(client, batch_id)
    given_up_fen = failed[-1].amount_fen
    assert second == {"PAID": (N - 1, total - given_up_fen), "GIVEN_UP": (1, given_up_fen)}

    # Before the close the bank's statements (one per payment file) agree with the ledger.
    statements = auditor.call("ListStatementFiles", pb.ListStatementFilesRequest(bank_code=BANK)).files
    assert [s.state for s in statements] == ["STORED", "STORED"]
    days = sorted({s.from_date for s in statements} | {s.to_date for s in statements})
    rec = auditor.call("GetStatementReconciliation", pb.GetStatementReconciliationRequest(
        bank_code=BANK, account=ACCOUNT, from_date=days[0], to_date=days[-1]))
    assert rec.clean and rec.in_balance, rec.breaks
    assert rec.closing_fen == rec.ledger_balance_fen == given_up_fen  # the given-up money is still at the bank

    # Closed: the surplus goes back to finance, itemized.
    refund = json.loads(finance.call("CloseBatch", pb.CloseBatchRequest(batch_id=batch_id)).content_json)
    assert (refund["refunded_count"], refund["refunded_fen"], refund["surplus_fen"]) == (1, given_up_fen, given_up_fen)
    assert all(refund["checks"].values()), refund["checks"]

    # The triple-copy reconciliation: every check holds, no discrepancy, three verified copies.
    report = auditor.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id))
    content = json.loads(report.content_json)
    assert all(content["checks"].values()), content["checks"]
    assert all(slot["count"] == 0 for slot in content["discrepancies"].values())
    assert content["ledger"] == {"clearing_fen": 0, "paid_fen": total - given_up_fen, "suspense_fen": 0,
                                 "refunded_fen": given_up_fen, "due_back_fen": 0}
    assert (content["statement"]["funded_fen"], content["statement"]["paid_fen"]) == (total, total - given_up_fen)
    assert [c.party for c in report.copies] == ["FINANCE", "DEPARTMENT", "BANK"]
    for copy in report.copies:
        verdict = auditor.call("VerifyReportCopy", pb.VerifyReportCopyRequest(
            content=report.content_json.encode(), party=copy.party, content_sha256=copy.content_sha256,
            signature=copy.signature))
        assert verdict.valid, verdict
    tampered = report.content_json.replace(str(total - given_up_fen), str(total - given_up_fen + 1), 1)
    assert tampered != report.content_json
    verdict = auditor.call("VerifyReportCopy", pb.VerifyReportCopyRequest(
        content=tampered.encode(), party="BANK", content_sha256=report.copies[2].content_sha256,
        signature=report.copies[2].signature))
    assert not verdict.valid

    # The evidence trail: every change of the life is in the hash-chained journal, which verifies.
    with engine.connect() as conn:
        trail = journal.verify(conn)
    assert trail.ok, trail.breaks[:3]
    assert trail.transactions == 5 and trail.entries > 5  # fund, result, re-issue, result, refund

    # Nothing more is booked for a closed batch, and a clerk cannot re-open it by re-issuing.
    with pytest.raises(grpc.RpcError) as caught:
        client.call("ReissueLines", pb.CorrectLinesRequest(batch_id=batch_id, lines=[convert.line_to_pb(failed[-1])]))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def _failed_lines(caller, batch_id):
    return caller.call("ListLines", pb.ListLinesRequest(batch_id=batch_id, status="FAILED")).lines
