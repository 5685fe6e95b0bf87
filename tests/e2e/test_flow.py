"""The whole flow through a real gRPC server on a port and a real OpenSSH sshd on loopback.

The bank is the simulator working on the folders sshd serves; the service's worker dispatches
and polls over SFTP exactly as it would against a real agency bank.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status
from sqlalchemy import func, select

import bank_formats
from adapter import convert
from adapter import server as grpc_server
from adapter.client import Client
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader, LineStatus
from domain.roster import generate_lines
from i18n.stored import shown
from ledger import store
from ledger.schema import postings, transactions
from reports.signing import verify
from service.config import BankProfile, Settings
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.context import Context
from service.worker import Worker
from tests.support.identities import TEST_AUTH, TestClient
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB01"
REGION = "652301"


@dataclass
class Harness:
    ctx: Context
    client: TestClient  # the clerk
    bank: SimulatedBank
    bank_root: Path
    worker: Worker
    channel_address: str

    def as_user(self, user: str) -> Client:
        return self.client.as_user(user)


@pytest.fixture
def harness(engine, sshd_server, tmp_path, official_schemas):
    profile = BankProfile(
        code=BANK, name="某农村商业银行", format="iso20022",
        sftp=sshd_server.endpoint(), inbox=sshd_server.inbox, outbox=sshd_server.outbox,
        archive=sshd_server.remote("archive"), completion="marker", payment_days=3,
        schema_dir=official_schemas,
    )
    # the service speaks English: these tests read its English messages (Chinese: test_languages.py)
    settings = Settings(language="en", database_url=str(engine.url), data_dir=tmp_path / "service", banks={BANK: profile},
                        auth=TEST_AUTH)
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    bank = SimulatedBank(sshd_server.root_dir, bank_formats.get("iso20022", schema_dir=official_schemas),
                         seed=11, bank_code=BANK, failure_rate_ppm=100_000)
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    yield Harness(ctx, client, bank, sshd_server.root_dir, Worker(ctx), f"127.0.0.1:{port}")
    client.close()
    server.stop(grace=None).wait()


def _header(n: int, key: str = "k1", lines=None) -> BatchHeader:
    lines = list(lines if lines is not None else generate_lines(n, seed=3, region=REGION))
    return BatchHeader(
        idempotency_key=key, program="耕地地力保护补贴", period="2026-11", region=REGION, bank_code=BANK,
        payer_name="某县财政局", payer_account="15000012345678", control_count=len(lines),
        control_total_fen=sum(ln.amount_fen for ln in lines),
    )


def _submit_funded_dispatched(h: Harness, n: int = 300) -> tuple[str, int]:
    header = _header(n)
    batch_id = h.client.submit(header, generate_lines(n, seed=3, region=REGION)).batch_id
    h.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    h.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=header.control_total_fen))
    h.worker.run_once()  # dispatches over SFTP
    return batch_id, header.control_total_fen


def _bank_answers_and_service_books(h: Harness) -> None:
    assert len(h.bank.process_once()) == 1
    h.worker.run_once()


def _ledger_counts(h: Harness) -> tuple[int, int]:
    with h.ctx.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(transactions)).scalar_one(),
                conn.execute(select(func.count()).select_from(postings)).scalar_one())


def test_the_whole_flow(harness):
    h = harness
    batch_id, total = _submit_funded_dispatched(h)
    batch = h.client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
    assert batch.status == "DISPATCHED" and batch.funded_fen == total and batch.payment_due
    sent = h.client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
    assert [(f.direction, f.state) for f in sent] == [("OUT", "DELIVERED")]
    assert (h.bank_root / "inbox" / sent[0].name).exists()

    _bank_answers_and_service_books(h)
    batch = h.client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
    by_status = {s.status: (s.count, s.fen) for s in batch.lines_by_status}
    assert batch.status == "RESULTS_COMPLETE"
    paid_n, paid_fen = by_status["PAID"]
    failed_n, failed_fen = by_status["FAILED"]
    assert paid_n + failed_n == 300 and paid_fen + failed_fen == total and failed_n > 0
    files = h.client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
    assert [(f.direction, f.state) for f in files] == [("OUT", "ACKNOWLEDGED"), ("IN", "BOOKED")]  # the bank took it
    assert list((h.bank_root / "outbox").iterdir()) == []  # archived on the bank side after booking
    assert len(list((h.bank_root / "archive").iterdir())) == 1

    refund = h.as_user("finance").call("CloseBatch", pb.CloseBatchRequest(batch_id=batch_id))
    refund_content = json.loads(refund.content_json)
    assert refund_content["refunded_fen"] == failed_fen == refund_content["surplus_fen"]
    assert refund_content["refunded_count"] == failed_n
    assert all(refund_content["checks"].values())
    assert all("*" in item["id_number"] and "*" in item["account_no"] for item in refund_content["lines"])

    balances = dict((b.account, b.balance_fen) for b in h.client.call(
        "GetBalances", pb.GetBalancesRequest(batch_id=batch_id)).balances)
    assert balances == {f"budget:{REGION}": -paid_fen, f"clearing:{BANK}:{REGION}": 0,
                        "paid:耕地地力保护补贴": paid_fen, f"suspense:{BANK}": 0}
    kinds = [t.kind for t in h.client.call("ListTransactions", pb.ListTransactionsRequest(batch_id=batch_id)).transactions]
    assert sorted(kinds) == ["FUND", "REFUND", "RESULT"]

    recon = h.client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id))
    content = json.loads(recon.content_json)
    assert content["bank"]["paid_count"] == paid_n and content["ledger"]["paid_fen"] == paid_fen
    assert all(content["checks"].values()), content["checks"]
    # closed with failed lines neither re-issued nor given up: each is missed (漏发) at its amount
    assert {k: (v["count"], v["fen"]) for k, v in content["discrepancies"].items()} == {
        "OVER": (0, 0), "DUPLICATE": (0, 0), "MISSED": (failed_n, failed_fen), "LATE": (0, 0)}
    assert [c.party for c in recon.copies] == ["FINANCE", "DEPARTMENT", "BANK"]
    for copy in recon.copies:
        assert copy.content_sha256 == recon.content_sha256
        assert verify(recon.public_key_pem, copy.content_sha256, copy.signature)
    assert not verify(recon.public_key_pem, "0" * 64, recon.copies[0].signature)
    assert "三联单" in recon.text and recon.text.count("content sha256") == 3


def test_a_redelivered_result_file_books_nothing(harness):
    h = harness
    batch_id, _ = _submit_funded_dispatched(h)
    _bank_answers_and_service_books(h)
    before = _ledger_counts(h)
    archived = next((h.bank_root / "archive").iterdir())
    renamed = archived.name.replace("RESULT_", "RESULT_RESENT_", 1)
    later = archived.stat().st_mtime + 60  # delivered again a minute later: not the very file taken before
    for name in (archived.name, renamed):  # the same name again, and the same bytes under a new name
        shutil.copy(archived, h.bank_root / "outbox" / name)
        os.utime(h.bank_root / "outbox" / name, (later, later))
        (h.bank_root / "outbox" / f"{name}.done").touch()
    h.worker.run_once()
    assert _ledger_counts(h) == before
    files = h.client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
    inbound = [f for f in files if f.direction == "IN"]
    assert [f.state for f in inbound] == ["BOOKED", "DUPLICATE", "DUPLICATE"]
    assert {f.duplicate_of for f in inbound[1:]} == {inbound[0].file_id}


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_a_truncated_or_corrupt_result_file_is_rejected_and_books_nothing(harness, damage, monkeypatch):
    monkeypatch.setattr(store, "CHUNK", 7)  # the damage comes chunks in, with staged rows being written
    h = harness
    batch_id, _ = _submit_funded_dispatched(h)
    h.bank.process_once()
    result = next(p for p in (h.bank_root / "outbox").iterdir() if p.suffix == ".xml")
    good = result.read_bytes()
    bad = good[: len(good) // 2] if damage == "truncated" else good.replace(b"<TxSts>ACSC</TxSts>", b"<TxSts>ACSC</TxSts><Junk/>", 1)
    before = _ledger_counts(h)
    reply = h.as_user("bank").ingest(BANK, "damaged.xml", bad)
    assert reply.file.state == "QUARANTINED" and reply.booked_lines == 0
    assert reply.problems[0].startswith("line ")  # the error says where, first
    assert ("Junk" if damage == "corrupt" else "not well-formed") in reply.problems[0]
    assert reply.file.last_error.startswith(reply.problems[0])
    assert _ledger_counts(h) == before
    # its header named the batch: it is listed under that batch (not under every open batch of the bank)
    assert reply.file.batch_id == batch_id
    content = json.loads(h.client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id)).content_json)
    # the signed content keeps the stored message; said in English for an English reader
    assert [(f["name"], shown(f["concerns"], "en")) for f in content["quarantined_files"]["files"]] == \
        [("damaged.xml", "this batch")]
    batch = h.client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
    assert {s.status for s in batch.lines_by_status} == {"PENDING"}
    # The bank's good file still books, once.
    reply = h.as_user("bank").ingest(BANK, result.name, good)
    assert reply.file.state == "BOOKED" and reply.booked_lines == 300


def test_a_crash_while_booking_books_nothing_and_a_retry_books_once(harness, monkeypatch):
    from service import ingest

    h = harness
    batch_id, _ = _submit_funded_dispatched(h)
    h.bank.process_once()
    result = next(p for p in (h.bank_root / "outbox").iterdir() if p.suffix == ".xml")
    real = ingest.store.book_result_file

    def crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(ingest.store, "book_result_file", crash)
    before = _ledger_counts(h)
    with pytest.raises(RuntimeError):
        ingest.ingest_file(h.ctx, BANK, result, result.name)
    assert _ledger_counts(h) == before
    monkeypatch.setattr(ingest.store, "book_result_file", real)
    h.worker.run_once()  # the poller finds the file still in the outbox
    txns, posts = _ledger_counts(h)
    assert (txns, posts) == (before[0] + 1, before[1] + 301)
    states = [f.state for f in h.client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files]
    assert states == ["ACKNOWLEDGED", "BOOKED"]


def _bad_request(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    bad = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad)
    return {v.field: v.description for v in bad.field_violations}


def test_a_bad_line_is_rejected_by_name_and_waits_for_its_correction(harness):
    h = harness
    lines = list(generate_lines(5, seed=3, region=REGION))
    good_id = lines[2].id_number
    bad = replace(lines[2], id_number=good_id[:-1] + ("0" if good_id[-1] != "0" else "1"))
    lines[2] = bad
    reply = h.client.submit(_header(5, lines=lines), lines)
    assert (reply.status, reply.accepted_count, reply.rejected_count, reply.held_count) == ("NEEDS_CORRECTION", 4, 1, 0)
    (issue,) = reply.issues
    assert (issue.seq, issue.field, issue.code, issue.severity) == (3, "id_number", "ID_CHECKSUM", "error")
    assert bad.id_number not in issue.message  # personal data masked
    listed = h.client.call("ListLineIssues", pb.ListLineIssuesRequest(batch_id=reply.batch_id)).issues
    assert [(i.seq, i.code, i.open) for i in listed] == [(3, "ID_CHECKSUM", True)]
    with pytest.raises(grpc.RpcError) as err:
        h.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=reply.batch_id))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert _ledger_counts(h) == (0, 0)

    with pytest.raises(grpc.RpcError) as err:  # a correction may not change the agreed amount
        h.client.call("CorrectLines", pb.CorrectLinesRequest(batch_id=reply.batch_id, lines=[
            convert.line_to_pb(replace(bad, id_number=good_id, amount_fen=bad.amount_fen + 1))]))
    assert _bad_request(err.value) == {"lines[3].amount_fen": f"AMOUNT_CHANGED: line 3: the amount "
                                                               f"{bad.amount_fen} fen cannot change in a correction"}
    fixed = h.client.call("CorrectLines", pb.CorrectLinesRequest(
        batch_id=reply.batch_id, lines=[convert.line_to_pb(replace(bad, id_number=good_id))]))
    assert (fixed.status, fixed.accepted_count, fixed.rejected_count) == ("SUBMITTED", 5, 0)
    listed = h.client.call("ListLineIssues", pb.ListLineIssuesRequest(batch_id=reply.batch_id)).issues
    assert [(i.seq, i.code, i.open) for i in listed] == [(3, "ID_CHECKSUM", False)]  # kept, closed
    approved = h.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=reply.batch_id))
    assert (approved.line_count, approved.total_fen) == (5, sum(ln.amount_fen for ln in lines))
    trail = h.client.call("GetAuditTrail", pb.GetAuditTrailRequest(batch_id=reply.batch_id)).events
    assert [(e.action, e.actor, e.seq) for e in trail] == [
        ("SUBMIT", "clerk", 0), ("CORRECT_LINE", "clerk", 3), ("APPROVE", "approver", 0)]


def test_a_structural_fault_rejects_the_request_and_stores_nothing(harness):
    h = harness
    lines = list(generate_lines(5, seed=3, region=REGION))
    header = replace(_header(5, lines=lines), control_total_fen=sum(ln.amount_fen for ln in lines) + 1)
    with pytest.raises(grpc.RpcError) as err:
        h.client.submit(header, lines)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert list(_bad_request(err.value)) == ["batch.control_total_fen"]
    assert h.client.call("ListBatches", pb.ListBatchesRequest()).batches == []


def test_submission_is_idempotent_on_the_client_key(harness):
    h = harness
    header = _header(20)
    first = h.client.submit(header, generate_lines(20, seed=3, region=REGION))
    again = h.client.submit(header, generate_lines(20, seed=3, region=REGION))
    assert (again.batch_id, again.replayed, first.replayed) == (first.batch_id, True, False)
    other = list(generate_lines(20, seed=4, region=REGION))
    with pytest.raises(grpc.RpcError) as err:
        h.client.submit(_header(20, lines=other), other)
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert len(h.client.call("ListBatches", pb.ListBatchesRequest()).batches) == 1


def test_duties_are_separate_and_states_are_enforced(harness):
    h = harness
    header = _header(10)
    batch_id = h.as_user("lead").submit(header, generate_lines(10, seed=3, region=REGION)).batch_id
    with pytest.raises(grpc.RpcError) as err:  # the submitter, though an approver too
        h.as_user("lead").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "other than its submitter (lead)" in err.value.details()
    with pytest.raises(grpc.RpcError) as err:
        h.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=1))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    h.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    with pytest.raises(grpc.RpcError) as err:
        h.as_user("finance").call("FundBatch", pb.FundBatchRequest(
            batch_id=batch_id, amount_fen=header.control_total_fen - 1))
    assert _bad_request(err.value) == {"amount_fen": f"FUNDING_MISMATCH: funded {header.control_total_fen - 1} fen, "
                                                     f"batch total is {header.control_total_fen} fen"}
    with pytest.raises(grpc.RpcError) as err:
        h.client.call("GetBatch", pb.GetBatchRequest(batch_id="B-none"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_and_reflection_answer(harness):
    channel = grpc.insecure_channel(harness.channel_address)
    health = health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service="ykt.v1.DisbursementService"))
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                        metadata=harness.as_user("auditor").metadata)
    names = {s.name for r in replies for s in r.list_services_response.service}
    assert "ykt.v1.DisbursementService" in names
    channel.close()


def test_one_file_naming_lines_several_times_books_each_line_once_and_the_rest_as_what_it_is(harness, monkeypatch):
    """Records of one file (ISO 20022, whose order is free) naming a line again: a payment under
    another reference is a second payment (重发, due back), the same reference a re-report, a
    failure followed by a payment a contradiction; a line the batch does not have paid is 多发.
    The file is read 5 records at a time, so repeats fall in later chunks too."""
    from datetime import UTC, datetime

    from domain.model import FailureReason, PaymentOutcome, ResultFileHeader, ResultRecord

    monkeypatch.setattr(store, "CHUNK", 5)
    h = harness
    batch_id, total = _submit_funded_dispatched(h, n=12)
    roster = {ln.seq: ln for ln in generate_lines(12, seed=3, region=REGION)}
    PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED

    def paid(seq, ref):
        return ResultRecord(seq, PAID, roster[seq].amount_fen, roster[seq].account_no, bank_ref=ref)

    records = [paid(seq, f"R{seq}") for seq in range(1, 13) if seq != 9]
    records += [paid(3, "R3"),  # the same payment again
                ResultRecord(9, FAILED, roster[9].amount_fen, roster[9].account_no, FailureReason.NAME_MISMATCH),
                paid(1, "R1-B"),  # line 1 paid a second time
                paid(9, "R9"),  # line 9 paid after this very file failed it
                ResultRecord(99, PAID, 500, "6222020200000000099", bank_ref="R99")]  # never in the batch
    paid_records = [r for r in records if r.outcome is PAID]
    header = ResultFileHeader("AGAIN1", f"{batch_id}P1", batch_id, datetime.now(UTC), len(records),
                              len(paid_records), sum(r.amount_fen for r in paid_records), 1, roster[9].amount_fen)
    path = h.ctx.settings.data_dir / "again.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        bank_formats.get("iso20022").write_results(out, header, records)
    reply = h.as_user("bank").ingest(BANK, "again.xml", path.read_bytes())
    assert reply.file.state == "BOOKED" and reply.booked_lines == 12
    l1, l9 = roster[1].amount_fen, roster[9].amount_fen
    exceptions = h.client.call("ListExceptions", pb.ListExceptionsRequest(batch_id=batch_id)).exceptions
    assert [(e.record, e.seq, e.kind, e.due_back_fen) for e in exceptions] == [
        (12, 3, "REREPORT", 0), (14, 1, "SECOND_PAYMENT", l1), (15, 9, "CONFLICT", 0), (16, 99, "NOT_INSTRUCTED", 500)]
    content = json.loads(h.client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id)).content_json)
    assert {k: (v["count"], v["fen"]) for k, v in content["discrepancies"].items()} == {
        "OVER": (1, 500), "DUPLICATE": (1, l1), "MISSED": (0, 0), "LATE": (0, 0)}
    assert content["ledger"] == {"clearing_fen": 0, "paid_fen": total - l9, "suspense_fen": l9, "refunded_fen": 0,
                                 "due_back_fen": l1 + 500}
    assert (content["bank"]["paid_count"], content["bank"]["failed_count"]) == (11, 1)
    assert all(content["checks"].values()), content["checks"]


def _line_status(h: Harness, batch_id: str, seq: int) -> str:
    from ledger.schema import lines

    with h.ctx.engine.connect() as conn:
        return conn.execute(select(lines.c.status).where(lines.c.batch_id == batch_id, lines.c.seq == seq)).scalar_one()


def test_a_payment_after_the_persons_stop_date_is_listed_for_recovery_and_disclosed_masked(harness):
    h = harness
    batch_id, _ = _submit_funded_dispatched(h, n=20)
    _bank_answers_and_service_books(h)
    roster = list(generate_lines(20, seed=3, region=REGION))
    paid = [ln for ln in roster if _line_status(h, batch_id, ln.seq) == "PAID"]
    late_news = paid[0]  # the death was reported after the payment went out, effective before it
    h.client.call("AddStopEntries", pb.AddStopEntriesRequest(entries=[
        pb.StopEntryInput(id_number=late_news.id_number, kind="DECEASED", effective_from="2026-01-01",
                          source="民政局通报 2026-118"),
        pb.StopEntryInput(id_number=paid[1].id_number, kind="INELIGIBLE", effective_from="2099-01-01",
                          source="不在本期"),  # stops only in the future: nothing to recover
    ]))
    found = h.client.call("ListRecoveries", pb.ListRecoveriesRequest())
    assert [(r.batch_id, r.seq, r.amount_fen, r.stop.kind) for r in found.recoveries] == [
        (batch_id, late_news.seq, late_news.amount_fen, "DECEASED")]
    assert found.total_fen == late_news.amount_fen
    assert late_news.id_number not in str(found) and late_news.account_no not in str(found)

    disclosed = h.client.call("GetDisclosureList", pb.GetDisclosureListRequest(batch_id=batch_id, page_size=5))
    assert [i.seq for i in disclosed.items] == [ln.seq for ln in paid[:5]]
    assert disclosed.next_after_seq == paid[4].seq
    rest = h.client.call("GetDisclosureList", pb.GetDisclosureListRequest(
        batch_id=batch_id, after_seq=disclosed.next_after_seq, page_size=100))
    items = list(disclosed.items) + list(rest.items)
    assert rest.next_after_seq == 0 and len(items) == len(paid)
    for item, ln in zip(items, paid, strict=True):
        assert (item.name, item.amount_fen, item.program) == (ln.name, ln.amount_fen, "耕地地力保护补贴")
        assert item.id_number != ln.id_number and item.id_number[-4:] == ln.id_number[-4:]


def test_no_clear_id_account_or_phone_in_the_database_or_the_logs(harness, caplog, engine):
    """A stolen database file, backup or log reveals no ID, account or phone number."""
    import logging

    if engine.dialect.name != "sqlite":
        pytest.skip("scans the SQLite file; PostgreSQL stores the same sealed columns")
    caplog.set_level(logging.DEBUG)
    h = harness
    batch_id, _ = _submit_funded_dispatched(h, n=200)
    _bank_answers_and_service_books(h)
    h.as_user("finance").call("CloseBatch", pb.CloseBatchRequest(batch_id=batch_id))
    h.client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id))
    h.client.call("GetDisclosureList", pb.GetDisclosureListRequest(batch_id=batch_id))
    h.ctx.engine.dispose()  # let SQLite fold its write-ahead log into the file
    database = Path(engine.url.database)
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    secrets = [v for ln in generate_lines(200, seed=3, region=REGION) for v in (ln.id_number, ln.account_no, ln.phone) if v]
    assert len(secrets) >= 400
    leaked = [v for v in secrets if v.encode() in stored or v in logged]
    assert leaked == []
    assert batch_id.encode() in stored  # the scan does read the data


def _statuses(h: Harness, batch_id: str) -> dict[str, tuple[int, int]]:
    batch = h.client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
    return {s.status: (s.count, s.fen) for s in batch.lines_by_status}


def test_failed_lines_are_reissued_or_given_up_and_the_batch_closes_balanced(harness):
    """补发: failed lines corrected and paid from a second file; one given up and refunded."""
    h = harness
    batch_id, total = _submit_funded_dispatched(h)
    _bank_answers_and_service_books(h)
    roster = {ln.seq: ln for ln in generate_lines(300, seed=3, region=REGION)}
    with h.ctx.engine.connect() as conn:
        failed = [r.seq for r in store.line_rows(conn, batch_id, [LineStatus.FAILED])]
        paid_seq = store.line_rows(conn, batch_id, [LineStatus.PAID], limit=1)[0].seq
    assert len(failed) >= 3
    reissued, given_up = failed[:-1], failed[-1]
    fresh = generate_lines(len(reissued), seed=77, region=REGION)
    corrected = [replace(roster[seq], account_no=new.account_no) for seq, new in zip(reissued, fresh, strict=True)]
    before = _ledger_counts(h)

    # Refused, naming the line, and nothing changes: a paid line, a changed amount, a bad account.
    for bad, code in ((replace(roster[paid_seq]), "LINE_NOT_FAILED"),
                      (replace(corrected[0], amount_fen=corrected[0].amount_fen + 1), "AMOUNT_CHANGED"),
                      (replace(corrected[0], account_no="12AB"), None)):
        with pytest.raises(grpc.RpcError) as caught:
            h.client.call("ReissueLines", pb.CorrectLinesRequest(batch_id=batch_id, lines=[convert.line_to_pb(bad)]))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        violations = _bad_request(caught.value)
        assert any(f"lines[{bad.seq}]" in field for field in violations), violations
        if code:
            assert any(code in text for text in violations.values()), violations
    assert _ledger_counts(h) == before and _statuses(h, batch_id)["FAILED"][0] == len(failed)

    asked = h.client.call("ReissueLines", pb.CorrectLinesRequest(
        batch_id=batch_id, lines=[convert.line_to_pb(ln) for ln in corrected]))
    # other accounts: a change of who is paid, which waits for a second person; nothing is sent yet
    assert asked.change.state == "PENDING" and not asked.HasField("file")
    assert [(i.seq, list(i.changed)) for i in asked.change.lines] == [(seq, ["account_no"]) for seq in reissued]
    assert _ledger_counts(h) == before
    sent = h.as_user("approver").call("ApproveLineChanges", pb.LineChangeRequest(
        batch_id=batch_id, change_id=asked.change.change_id)).file
    assert sent.state == "GENERATED" and f"{batch_id}-R1" in sent.name
    h.as_user("approver").call("GiveUpLines", pb.ResolveLinesRequest(
        batch_id=batch_id, seqs=[given_up], reason="本人已故，停发"))
    with pytest.raises(grpc.RpcError) as caught:  # a given-up line is no longer re-issued
        h.client.call("ReissueLines", pb.CorrectLinesRequest(
            batch_id=batch_id, lines=[convert.line_to_pb(roster[given_up])]))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION  # a re-issue file is on its way

    h.bank.failure_rate_ppm = 0  # the corrected accounts work
    h.worker.run_once()  # dispatches the re-issue file
    files = h.client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
    assert [(f.direction, f.state) for f in files] == [("OUT", "ACKNOWLEDGED"), ("IN", "BOOKED"), ("OUT", "DELIVERED")]
    with open(h.bank_root / "inbox" / sent.name, "rb") as f:  # only the corrected lines, under their own seqs
        reader = h.bank.fmt.read_payments(f, sent.name)
        carried = [(ln.seq, ln.account_no) for ln in reader]
    assert carried == [(ln.seq, ln.account_no) for ln in corrected]
    assert reader.header.count == len(corrected) and reader.header.batch_id == batch_id

    _bank_answers_and_service_books(h)
    statuses = _statuses(h, batch_id)
    assert h.client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id)).status == "RESULTS_COMPLETE"
    given_up_fen = roster[given_up].amount_fen
    assert statuses["PAID"] == (299, total - given_up_fen) and statuses["GIVEN_UP"] == (1, given_up_fen)

    refund = json.loads(h.as_user("finance").call("CloseBatch", pb.CloseBatchRequest(batch_id=batch_id)).content_json)
    assert (refund["refunded_count"], refund["refunded_fen"]) == (1, given_up_fen)
    assert all(refund["checks"].values())
    balances = dict((b.account, b.balance_fen) for b in h.client.call(
        "GetBalances", pb.GetBalancesRequest(batch_id=batch_id)).balances)
    assert balances[f"clearing:{BANK}:{REGION}"] == 0 and balances[f"suspense:{BANK}"] == 0
    assert balances["paid:耕地地力保护补贴"] == total - given_up_fen
    kinds = [t.kind for t in h.client.call("ListTransactions", pb.ListTransactionsRequest(batch_id=batch_id)).transactions]
    assert sorted(kinds) == ["FUND", "REFUND", "REISSUE", "RESULT", "RESULT"]
    recon = json.loads(h.client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id)).content_json)
    assert all(recon["checks"].values()), recon["checks"]
    assert all(slot["count"] == 0 for slot in recon["discrepancies"].values())  # a re-issue is not a duplicate
    trail = [e.action for e in h.client.call("GetAuditTrail", pb.GetAuditTrailRequest(batch_id=batch_id)).events]
    assert trail.count("REISSUE_LINE") == len(reissued) and trail.count("GIVE_UP_LINE") == 1

    # A result arriving after the close is quarantined and books nothing.
    late = h.bank_root / "inbox" / sent.name.replace("-R1", "-R9")
    shutil.copy(h.bank_root / "processed" / sent.name, late)
    h.bank.seed = 12  # another answer, not a re-delivery of the same bytes
    before = _ledger_counts(h)
    _bank_answers_and_service_books(h)
    files = h.client.call("ListFiles", pb.ListFilesRequest(bank_code=BANK, state="QUARANTINED")).files
    assert len(files) == 1 and "CLOSED" in files[0].last_error
    assert _ledger_counts(h) == before


def test_results_after_the_working_day_deadlines_are_late_lines_and_a_late_report(harness):
    """迟发: funded on 2026-09-25 (Mid-Autumn Festival, a holiday); the profile allows 3 working
    days to pay: 09-28..09-30. The report is due 5 working days after funding: the National Day
    holiday (10-01..10-07) is skipped, so 10-09. Results arriving on 10-12 are late, both."""
    from datetime import UTC, datetime

    h = harness
    h.ctx.clock = lambda: datetime(2026, 9, 25, 2, 0, tzinfo=UTC)
    batch_id, _total = _submit_funded_dispatched(h, n=20)
    assert h.client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id)).payment_due == "2026-09-30"
    h.ctx.clock = lambda: datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
    _bank_answers_and_service_books(h)
    recon = json.loads(h.client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id)).content_json)
    assert recon["deadlines"] == {"payment_due": "2026-09-30", "result_due": "2026-10-09",
                                  "first_result_on": "2026-10-12", "late_report": True}
    late = recon["discrepancies"]["LATE"]
    paid = _statuses(h, batch_id)["PAID"]
    assert late["label"].startswith("迟发") and late["count"] == paid[0] > 0
    assert shown(late["lines"][0]["detail"], "en") == "paid on 2026-10-12, due 2026-09-30"
    assert late["fen"] == paid[1]  # the amount paid late
