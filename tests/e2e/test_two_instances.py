"""Two service processes (``ykt serve``, each with its worker) on one PostgreSQL schema, one
real sshd and one simulated bank: every payment file reaches the bank exactly once and every
result file is booked exactly once, whichever instance does the work."""
from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import bank_formats
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.schema import audit_events, files, postings, transactions
from tests.support.identities import TestClient
from tests.support.serving import cli, serve, write_settings
from ykt.v1 import disbursement_pb2 as pb

pytestmark = pytest.mark.postgres

BANK = "RCB01"
REGION = "652301"
BATCHES = 6


def test_two_instances_deliver_each_payment_file_once_and_book_each_result_once(pg_engine, sshd_server, tmp_path):
    url, engine = pg_engine.url.render_as_string(hide_password=False), pg_engine
    root = sshd_server.root_dir
    profile = tmp_path / f"{BANK}.toml"
    profile.write_text(f"""
[bank]
code = "{BANK}"
name = "某农村商业银行"
[format]
family = "iso20022"
[folders]
inbox = "{root / 'inbox'}"
outbox = "{root / 'outbox'}"
archive = "{root / 'archive'}"
completion = "marker"
""", encoding="utf-8")
    key_file = tmp_path / "shared-keys" / "pii-keys.json"  # both instances open the same sealed data
    configs = [write_settings(tmp_path / f"{name}.toml", data_dir=tmp_path / name, database_url=url,
                              key_file=key_file, instance_id=name, bank=BANK, profile=profile,
                              sshd_server=sshd_server)
               for name in ("instance-a", "instance-b")]
    init = cli("keys", "init", "--config", str(configs[0]))
    assert init.returncode == 0, init.stderr

    bank = SimulatedBank(root, bank_formats.get("iso20022"), seed=5, bank_code=BANK, failure_rate_ppm=100_000)
    stop_bank = threading.Event()
    bank_thread = threading.Thread(target=bank.run_forever, args=(0.2, stop_bank), daemon=True)
    processes, clients = [], []
    try:
        for config in configs:
            proc, address = serve(config)
            processes.append(proc)
            clients.append(TestClient(address, "clerk"))
        bank_thread.start()
        expected = {}
        for n in range(BATCHES):
            client = clients[n % 2]  # each batch through one instance, funded through the other
            lines = list(generate_lines(20 + n, seed=100 + n, region=REGION))
            total = sum(ln.amount_fen for ln in lines)
            header = BatchHeader(
                idempotency_key=f"two-{n}", program="耕地地力保护补贴", period=f"2026-{n + 1:02d}", region=REGION,
                bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678",
                control_count=len(lines), control_total_fen=total,
            )
            batch_id = client.submit(header, lines).batch_id
            client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
            clients[(n + 1) % 2].as_user("finance").call(
                "FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=total))
            expected[batch_id] = len(lines)

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            statuses = {b: clients[0].call("GetBatch", pb.GetBatchRequest(batch_id=b)).status for b in expected}
            if set(statuses.values()) == {"RESULTS_COMPLETE"}:
                break
            time.sleep(0.3)
        assert set(statuses.values()) == {"RESULTS_COMPLETE"}, statuses
        listed = clients[1].call("ListFiles", pb.ListFilesRequest(bank_code=BANK)).files
    finally:
        stop_bank.set()
        for client in clients:
            client.close()
        for proc in processes:
            proc.send_signal(signal.SIGTERM)
        logs = [proc.communicate(timeout=60) for proc in processes]
        bank_thread.join(10)
    for proc, (_out, err) in zip(processes, logs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err

    # The bank: each payment file came once (a second copy would sit in rejected/), each answer
    # was fetched once and archived.
    sent = sorted(f.name for f in listed if f.direction == "OUT")
    assert len(sent) == BATCHES
    assert sorted(p.name for p in (root / "processed").iterdir()) == sent
    assert list((root / "rejected").iterdir()) == []
    assert [p for p in (root / "inbox").iterdir() if not p.name.startswith(".")] == []
    assert sorted(p.name for p in (root / "archive").iterdir()) == sorted(f"RESULT_{Path(n).stem}.xml" for n in sent)
    assert [p.name for p in (root / "outbox").iterdir()] == []

    # The ledger: one payment file and one booked result file per batch, nothing else.
    assert sorted((f.direction, f.state, f.attempts) for f in listed) == sorted(
        [("OUT", "ACKNOWLEDGED", 1)] * BATCHES + [("IN", "BOOKED", 0)] * BATCHES)
    assert {f.batch_id for f in listed} == set(expected)
    with engine.connect() as conn:
        kinds = dict(conn.execute(select(transactions.c.kind, func.count()).group_by(transactions.c.kind)).all())
        assert kinds == {"FUND": BATCHES, "RESULT": BATCHES}
        for batch_id, n in expected.items():
            result_postings = conn.execute(
                select(func.count()).select_from(postings.join(transactions, transactions.c.id == postings.c.transaction_id))
                .where(transactions.c.kind == "RESULT", transactions.c.batch_id == batch_id)).scalar_one()
            assert result_postings == n + 1  # one per line, and clearing
            booked = conn.execute(select(func.count()).select_from(audit_events).where(
                audit_events.c.batch_id == batch_id, audit_events.c.action == "BOOK_RESULTS")).scalar_one()
            assert booked == 1
        handlers = set(conn.execute(select(files.c.handled_by)).scalars())
    assert handlers <= {"instance-a", "instance-b"}
    print(f"work done by: {sorted(handlers)}")
