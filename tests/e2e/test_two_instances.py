"""Two service processes (``ykt serve``, each with its worker) on one PostgreSQL schema, one
real sshd and one simulated bank: every payment file reaches the bank exactly once and every
result file is booked exactly once, whichever instance does the work."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

import bank_formats
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.db import make_engine, migrate
from ledger.schema import audit_events, files, postings, transactions
from tests.support.identities import TestClient, USERS
from tests.support.sshd import free_port
from ykt.v1 import disbursement_pb2 as pb

pytestmark = pytest.mark.postgres

BANK = "RCB01"
REGION = "652301"
ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("YKT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BATCHES = 6


@pytest.fixture
def pg_url():
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)  # once, before the instances start (they would race for the first migration)
    yield url, engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _settings(tmp_path: Path, name: str, url: str, sshd_server, profile: Path, key_file: Path) -> Path:
    users = "\n".join(f'[auth.users.{u}]\nrole = "{next(iter(user.roles))}"\ntoken_sha256 = "{user.token_sha256}"\n'
                      for u, user in USERS.items() if len(user.roles) == 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(f"""
data_dir = "{tmp_path / name}"
database_url = "{url}"
pii_key_file = "{key_file}"
instance_id = "{name}"
poll_interval_s = 0.2
lease_s = 10
retry_s = 1
[banks.{BANK}]
profile = "{profile}"
[banks.{BANK}.sftp]
host = "{sshd_server.host}"
port = {sshd_server.port}
username = "{sshd_server.username}"
private_key = "{sshd_server.client_key_path}"
host_key = "{sshd_server.host_public_key_line}"
{users}
""", encoding="utf-8")
    return path


def _serve(config: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "adapter.cli", "serve", "--config", str(config), "--address", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    line = proc.stdout.readline().strip()
    assert line == f"ykt serving on port {port}", proc.stderr.read() if proc.poll() is not None else line
    return proc, f"127.0.0.1:{port}"


def test_two_instances_deliver_each_payment_file_once_and_book_each_result_once(pg_url, sshd_server, tmp_path):
    url, engine = pg_url
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
    configs = [_settings(tmp_path, name, url, sshd_server, profile, key_file) for name in ("instance-a", "instance-b")]
    init = subprocess.run([sys.executable, "-m", "adapter.cli", "keys", "init", "--config", str(configs[0])],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert init.returncode == 0, init.stderr

    bank = SimulatedBank(root, bank_formats.get("iso20022"), seed=5, bank_code=BANK, failure_rate_ppm=100_000)
    stop_bank = threading.Event()
    bank_thread = threading.Thread(target=bank.run_forever, args=(0.2, stop_bank), daemon=True)
    processes, clients = [], []
    try:
        for config in configs:
            proc, address = _serve(config)
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
