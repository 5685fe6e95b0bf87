"""Bank statements end to end: the simulated bank leaves a camt.053 statement of the clearing
account in its outbox beside each result file; the worker polls it over real sshd, stores it once
and the service reconciles it with the ledger through a real gRPC server."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from decimal import Decimal

import grpc
import pytest
from sqlalchemy import func, select

import bank_formats
import i18n
from adapter import cli
from adapter import server as grpc_server
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader, EntrySide
from domain.roster import generate_lines
from ledger.schema import postings, statement_entries, transactions
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import BankProfile, Settings
from service.context import Context
from service.worker import Worker
from tests.support.identities import TEST_AUTH, TOKENS, TestClient
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB01"
REGION = "652301"
ACCOUNT = "15000012345678"
N = 200


@pytest.fixture
def world(engine, sshd_server, tmp_path, official_schemas):
    profile = BankProfile(
        code=BANK, name="某农村商业银行", format="iso20022",
        sftp=sshd_server.endpoint(), inbox=sshd_server.inbox, outbox=sshd_server.outbox,
        archive=sshd_server.remote("archive"), completion="marker", payment_days=3,
        schema_dir=official_schemas,
    )
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "service", banks={BANK: profile},
                        auth=TEST_AUTH)
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    bank = SimulatedBank(sshd_server.root_dir, bank_formats.get("iso20022", schema_dir=official_schemas),
                         seed=11, bank_code=BANK, failure_rate_ppm=100_000, write_statements=True)
    client = TestClient(f"127.0.0.1:{port}", "clerk", language="en")  # reads the service's English
    yield ctx, client, bank, sshd_server.root_dir, Worker(ctx)
    client.close()
    server.stop(grace=None).wait()


def _funded_and_dispatched(ctx, client, worker) -> tuple[str, int]:
    lines = list(generate_lines(N, seed=3, region=REGION))
    total = sum(ln.amount_fen for ln in lines)
    header = BatchHeader(idempotency_key="s1", program="耕地地力保护补贴", period="2026-11", region=REGION,
                         bank_code=BANK, payer_name="某县财政局", payer_account=ACCOUNT, control_count=N,
                         control_total_fen=total)
    batch_id = client.submit(header, lines).batch_id
    client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    client.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=total))
    worker.run_once()
    return batch_id, total


def _statement_files(client, **kw) -> list:
    return list(client.as_user("auditor").call("ListStatementFiles", pb.ListStatementFilesRequest(**kw)).files)


def _reconcile(client, **kw) -> pb.StatementReconciliation:
    return client.as_user("auditor").call("GetStatementReconciliation", pb.GetStatementReconciliationRequest(**kw))


def _counts(ctx) -> tuple[int, int, int]:
    with ctx.engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (statement_entries, transactions, postings))


def _outbox_statement(root):
    return next(p for p in (root / "outbox").iterdir() if p.name.startswith("STMT_") and p.suffix == ".xml")


def test_the_banks_statement_is_polled_stored_and_reconciles_clean(world, monkeypatch, capsys, tmp_path):
    ctx, client, bank, root, worker = world
    batch_id, total = _funded_and_dispatched(ctx, client, worker)
    ledger_before = _counts(ctx)[1:]
    assert len(bank.process_once()) == 1
    worker.run_once()
    batch = client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
    paid_n, paid_fen = next((s.count, s.fen) for s in batch.lines_by_status if s.status == "PAID")

    (stmt,) = _statement_files(client)
    assert (stmt.state, stmt.account, stmt.entry_count) == ("STORED", ACCOUNT, 1 + paid_n)
    assert (stmt.credit_fen, stmt.debit_fen, stmt.closing_balance_fen) == (total, paid_fen, total - paid_fen)
    assert stmt.archived_at.seconds and not [p for p in (root / "outbox").iterdir() if p.name.startswith("STMT_")]
    assert (root / "archive" / stmt.name).exists()
    # the statement posts nothing: only the booking of the result file moved the ledger
    assert _counts(ctx)[1] == ledger_before[0] + 1

    rec = _reconcile(client, statement_file_id=stmt.file_id)
    assert rec.clean and rec.in_balance, rec.breaks
    assert (rec.matched_entries, rec.closing_fen, rec.ledger_balance_fen) == (1 + paid_n, total - paid_fen,
                                                                             total - paid_fen)
    by_account = _reconcile(client, bank_code=BANK, account=ACCOUNT, from_date=stmt.from_date, to_date=stmt.to_date)
    assert by_account.clean and json.loads(by_account.content_json)["statements"][0]["file_id"] == stmt.file_id
    monkeypatch.setenv("YKT_TOKEN", TOKENS["auditor"])
    monkeypatch.setenv("YKT_LANG", "en")  # ykt's words asserted in English below
    argv = ["statement", "--bank", BANK, "--account", ACCOUNT, "--from", stmt.from_date, "--address", client.address,
            "--out", str(tmp_path / "statement.json")]
    assert cli.main(argv) == 0
    assert "CLEAN; in balance" in capsys.readouterr().out
    assert json.loads((tmp_path / "statement.json").read_text())["clean"] is True

    figures = json.loads(client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id)).content_json)
    assert figures["statement"] | {"label": ""} == {
        "label": "", "statements": 1, "entries": 1 + paid_n, "funded_fen": total, "paid_fen": paid_fen,
        "refunded_fen": 0, "other_fen": 0, "breaks": {}}

    # The batch closes: the ledger returns the surplus, which the bank has not shown yet.
    client.as_user("finance").call("CloseBatch", pb.CloseBatchRequest(batch_id=batch_id))
    rec = _reconcile(client, statement_file_id=stmt.file_id)
    assert not rec.clean and not rec.in_balance and rec.unexplained_fen == 0
    (missing,) = [b for b in rec.breaks if b.kind == "LEDGER_ONLY"]
    assert (missing.batch_id, missing.ledger_fen) == (batch_id, -(total - paid_fen))
    assert [b.kind for b in rec.breaks if b.kind != "LEDGER_ONLY"] == ["BALANCE_MISMATCH"]
    assert cli.main(["statement", "--file-id", str(stmt.file_id), "--address", client.address]) == 1  # breaks found
    shown = capsys.readouterr().out
    assert "BREAKS; NOT in balance" in shown and i18n.name("break", "LEDGER_ONLY", "en") in shown  # named for people
    assert f"{Decimal(-(total - paid_fen)) / 100:,.2f}" in shown  # the ledger's side in yuan

    # the bank may hand statements in, not read reconciliations
    with pytest.raises(grpc.RpcError) as err:
        client.as_user("bank").call("GetStatementReconciliation",
                                    pb.GetStatementReconciliationRequest(statement_file_id=stmt.file_id))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_statement_showing_another_amount_lists_the_break(world):
    ctx, client, bank, root, worker = world
    batch_id, _ = _funded_and_dispatched(ctx, client, worker)
    bank.process_once()
    path = _outbox_statement(root)
    fmt = bank.fmt
    with open(path, "rb") as src:
        reader = fmt.read_statement(src, path.name)
        header, entries = reader.header, list(reader)
    i, target = next((i, e) for i, e in enumerate(entries) if e.side is EntrySide.DEBIT)
    entries[i] = replace(target, amount_fen=target.amount_fen + 7)  # the bank says it paid 7 fen more
    header = replace(header, debit_fen=header.debit_fen + 7, closing_balance_fen=header.closing_balance_fen - 7)
    with open(path, "wb") as out:  # a statement consistent in itself, against our ledger
        fmt.write_statement(out, header, entries)
    worker.run_once()

    (stmt,) = _statement_files(client)
    rec = _reconcile(client, statement_file_id=stmt.file_id)
    assert not rec.clean and not rec.in_balance
    (brk,) = [b for b in rec.breaks if b.kind == "AMOUNT_MISMATCH"]
    assert (brk.batch_id, brk.line_seq, brk.statement_fen, brk.ledger_fen) == (
        batch_id, target.line_seq, -(target.amount_fen + 7), -target.amount_fen)
    assert sorted(b.kind for b in rec.breaks) == ["AMOUNT_MISMATCH", "BALANCE_MISMATCH"]
    assert rec.closing_fen - rec.ledger_balance_fen == -7 and rec.unexplained_fen == 0
    figures = json.loads(client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id)).content_json)
    assert figures["statement"]["breaks"] == {"AMOUNT_MISMATCH": 1}


def test_a_statement_delivered_again_stores_nothing(world):
    ctx, client, bank, root, worker = world
    _funded_and_dispatched(ctx, client, worker)
    bank.process_once()
    worker.run_once()
    (first,) = _statement_files(client)
    before = _counts(ctx)
    archived = root / "archive" / first.name
    later = archived.stat().st_mtime + 60  # delivered again a minute later: not the very file taken before
    for name in (first.name, first.name.replace("STMT_", "STMT_AGAIN_", 1)):  # same name, and a new one
        shutil.copy(archived, root / "outbox" / name)
        os.utime(root / "outbox" / name, (later, later))
        (root / "outbox" / f"{name}.done").touch()
    worker.run_once()
    reply = client.as_user("bank").ingest_statement(BANK, "handed-in.xml", archived.read_bytes())
    assert (reply.file.state, reply.file.duplicate_of) == ("DUPLICATE", first.file_id)
    assert _counts(ctx) == before
    files = _statement_files(client)
    assert [f.state for f in files] == ["STORED", "DUPLICATE", "DUPLICATE", "DUPLICATE"]
    assert {f.duplicate_of for f in files[1:]} == {first.file_id}
    assert _reconcile(client, statement_file_id=first.file_id).clean


def test_a_malformed_statement_is_quarantined_with_its_reason(world):
    ctx, client, bank, root, worker = world
    _funded_and_dispatched(ctx, client, worker)
    bank.process_once()
    good = _outbox_statement(root).read_bytes()
    bad = good.replace(b"<NbOfNtries>", b"<NbOfNtries>9", 1)  # the count no longer matches the entries
    reply = client.as_user("bank").ingest_statement(BANK, "broken.xml", bad)
    assert reply.file.state == "QUARANTINED" and reply.problems
    assert reply.problems[0].startswith("broken.xml: ") and "NbOfNtries" in " ".join(reply.problems)
    assert reply.file.last_error.startswith(reply.problems[0])
    assert _counts(ctx)[0] == 0  # no entry stored
    assert [f.file_id for f in _statement_files(client, state="QUARANTINED")] == [reply.file.file_id]
    with pytest.raises(grpc.RpcError) as err:
        _reconcile(client, statement_file_id=reply.file.file_id)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # the bank's good statement is still taken, once
    worker.run_once()
    assert [f.state for f in _statement_files(client)] == ["QUARANTINED", "STORED"]
