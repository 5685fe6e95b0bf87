"""Files at rest (issue 14 item 7): what the service writes is 0600 in 0700 folders, the SQLite
ledger and its WAL included, and once the ledger holds what a file said its local copy is
deleted — or kept sealed under the personal-data keys for the retention period, then deleted.

A whole exchange with a real sshd and the simulated bank: dispatch, the bank's answer, polling
and booking, the acknowledgement.
"""
from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest

import bank_formats
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger import store
from ledger.db import make_engine, migrate, sqlite_url
from privacy.cipher import FieldCipher
from privacy.files import open_sealed
from privacy.keys import Keyring
from service import batches, submission
from service.config import BankProfile, Settings
from service.context import Context
from service.worker import Worker
from tests.support.exchange import Clock
from tests.support.identities import TEST_AUTH

pytestmark = pytest.mark.sshd

BANK = "RCB01"
REGION = "652301"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _exchange(tmp_path, sshd_server, retention_days: int):
    engine = make_engine(sqlite_url(tmp_path / "ledger" / "ledger.sqlite3"))
    migrate(engine)
    profile = BankProfile(code=BANK, name="某农村商业银行", format="iso20022", sftp=sshd_server.endpoint(),
                          inbox=sshd_server.inbox, outbox=sshd_server.outbox, archive=sshd_server.remote("archive"),
                          completion="marker")
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "data", banks={BANK: profile},
                        auth=TEST_AUTH, file_retention_days=retention_days)
    clock = Clock()
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()), clock=clock,
                  instance_id="rest")
    rows = list(generate_lines(15, seed=4, region=REGION))
    total = sum(r.amount_fen for r in rows)
    header = BatchHeader(idempotency_key="rest", program="耕地地力保护补贴", period="2026-11", region=REGION,
                         bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678",
                         control_count=len(rows), control_total_fen=total, submitted_by="clerk")
    batch_id = submission.submit(ctx, header, rows).batch_id
    batches.approve(ctx, batch_id, "approver")
    batches.fund(ctx, batch_id, total, "finance")
    worker = Worker(ctx)
    worker.run_once()  # dispatch
    outbound = ctx.settings.data_dir / "outbound" / BANK
    sent = {p.name: p.read_bytes() for p in outbound.iterdir() if p.is_file()}
    modes = {str(p.relative_to(tmp_path)): _mode(p) for p in [*outbound.iterdir(), outbound, outbound.parent]}
    bank = SimulatedBank(sshd_server.root_dir, bank_formats.get("iso20022"), seed=3, bank_code=BANK)
    (answer,) = bank.process_once()
    answered = answer.read_bytes()
    worker.run_once()  # poll: book the answer, see the payment file taken
    worker.run_once()  # the sweep after the acknowledgement
    with engine.connect() as conn:
        states = sorted((f.direction, f.state) for f in store.list_files(conn, batch_id, None, 10))
    return ctx, engine, states, sent, answered, modes


def test_files_are_private_and_deleted_once_the_ledger_holds_them(tmp_path, sshd_server):
    ctx, engine, states, sent, _answer, modes = _exchange(tmp_path, sshd_server, retention_days=0)
    assert states == [("IN", "BOOKED"), ("OUT", "ACKNOWLEDGED")]
    assert len(sent) == 1 and set(modes.values()) <= {0o600, 0o700}, modes
    data = ctx.settings.data_dir
    left = [str(p.relative_to(data)) for p in data.rglob("*") if p.is_file()]
    assert [name for name in left if not name.startswith("keys/")] == []  # no payment or result file stays
    for folder in (data / "outbound" / BANK, data / "inbound" / BANK):
        assert _mode(folder) == 0o700
    ledger = Path(engine.url.database)
    for path in (ledger, ledger.with_name(ledger.name + "-wal"), ledger.with_name(ledger.name + "-shm")):
        assert _mode(path) == 0o600, path
    with engine.connect() as conn:  # what stays: the digest and the size
        assert all(f.sha256 and f.size for f in store.list_files(conn, None, None, 10))


def test_with_a_retention_period_the_copies_are_kept_only_sealed_then_deleted(tmp_path, sshd_server):
    ctx, _engine, states, sent, answer, _modes = _exchange(tmp_path, sshd_server, retention_days=30)
    assert states == [("IN", "BOOKED"), ("OUT", "ACKNOWLEDGED")]
    data = ctx.settings.data_dir
    clear = [p for p in (data / "outbound").rglob("*") if p.is_file()] + \
            [p for p in (data / "inbound").rglob("*") if p.is_file()]
    assert clear == []
    sealed = sorted((data / "retained").rglob("*.sealed"))
    opened = {p.name: b"".join(open_sealed(ctx.cipher.keyring, p)) for p in sealed}
    assert sorted(opened.values()) == sorted([*sent.values(), answer])
    assert all(_mode(p) == 0o600 for p in sealed) and _mode(data / "retained") == 0o700

    ctx.clock.advance(timedelta(days=30).total_seconds())
    Worker(ctx).run_once()  # still within the period: kept
    assert sorted((data / "retained").rglob("*.sealed")) == sealed
    ctx.clock.advance(timedelta(days=1).total_seconds())
    Worker(ctx).run_once()
    assert list((data / "retained").rglob("*.sealed")) == []
