"""A large roster is checked in a worker process (service/roster_worker.py) while the submitting
process stores it. What is stored must be exactly what the submitting process alone stores, and
a worker that fails or dies must leave nothing behind."""
from __future__ import annotations

import os
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from domain.idnumber import compose
from domain.model import BatchHeader, PaymentLine
from domain.roster import generate_lines
from ledger.db import make_engine, migrate, sqlite_url
from ledger.schema import batches, line_issues, lines
from privacy.cipher import ACCOUNT, ID, PHONE, FieldCipher
from privacy.keys import Keyring
from service import roster_worker, submission
from service.config import BankProfile, Settings
from service.context import Context
from service.errors import InvalidInput
from service.roster_worker import WorkerFailed

REGION = "652301"
N = 12_345  # three chunks, the last one partial


def _context(engine, tmp_path, keyring: Keyring) -> Context:
    settings = Settings(str(engine.url), tmp_path / "service", {"BANK1": BankProfile("BANK1", "某银行", "iso20022")})
    return Context(engine, settings, cipher=FieldCipher(keyring))


def _header(roster: list[PaymentLine], **changes) -> BatchHeader:
    header = BatchHeader(idempotency_key="k1", program="耕地地力保护补贴", period="2026-11", region=REGION,
                         bank_code="BANK1", payer_name="某县财政局", payer_account="15000012345678",
                         control_count=len(roster), control_total_fen=sum(ln.amount_fen for ln in roster),
                         submitted_by="clerk", max_amount_fen=140_000)
    return replace(header, **changes)


def _roster() -> list[PaymentLine]:
    """Valid lines with faults of every in-process kind, some across chunk boundaries."""
    roster = list(generate_lines(N, seed=7, region=REGION))
    bad_check = roster[4].id_number[:17] + ("0" if roster[4].id_number[17] != "0" else "1")
    faults = {
        5: {"id_number": bad_check},  # ID_CHECKSUM
        5_003: {"id_number": roster[1].id_number},  # the same person as line 2, in another chunk
        5_010: {"account_no": roster[2].account_no},  # line 3's account for another person
        9_999: {"name": "买买提•艾力"},  # a look-alike of the middle dot
        12_000: {"phone": "02012345678"},
        12_001: {"id_number": compose("110101", "19800101", 123)},  # outside the batch's region
    }
    for seq, change in faults.items():
        roster[seq - 1] = replace(roster[seq - 1], **change)
    return roster


def _stored(engine, cipher: FieldCipher):
    with engine.connect() as conn:
        batch = conn.execute(select(batches.c.status, batches.c.request_digest)).one()
        rows = conn.execute(select(lines).order_by(lines.c.seq)).all()
        issues = conn.execute(select(line_issues.c.seq, line_issues.c.code, line_issues.c.field,
                                     line_issues.c.severity, line_issues.c.message)
                              .order_by(line_issues.c.seq, line_issues.c.code)).all()
    opened = [
        (r.seq, r.status, r.name, r.id_index, r.id_masked, r.id_region, r.account_index, r.account_masked,
         r.account_kind, r.amount_fen, r.remark, r.address, r.household_no,
         cipher.open(ID, r.id_sealed), cipher.open(ACCOUNT, r.account_sealed),
         None if r.phone_sealed is None else cipher.open(PHONE, r.phone_sealed))
        for r in rows
    ]
    return tuple(batch), opened, issues


def test_a_worker_stores_what_one_process_stores(tmp_path, monkeypatch):
    keyring = Keyring.generate()
    roster = _roster()
    found = {}
    for how, threshold in (("alone", N + 1), ("worker", N)):
        monkeypatch.setattr(roster_worker, "PARALLEL_LINES", threshold)
        engine = make_engine(sqlite_url(tmp_path / how / "ledger.sqlite3"))
        migrate(engine)
        ctx = _context(engine, tmp_path / how, keyring)
        outcome = submission.submit(ctx, _header(roster), roster)
        found[how] = (outcome.status, outcome.tally, _stored(engine, ctx.cipher))
        engine.dispose()
    assert found["worker"] == found["alone"]
    status, tally, (_batch, stored, issues) = found["worker"]
    assert status == "NEEDS_CORRECTION" and len(stored) == N
    assert {(seq, code) for seq, code, *_ in issues} >= {
        (5, "ID_CHECKSUM"), (5_003, "DUPLICATE_PERSON"), (5_010, "ACCOUNT_SHARED"),
        (9_999, "NAME_DOT_LOOKALIKE"), (12_000, "PHONE_FORMAT"), (12_001, "REGION_OUTSIDE")}
    assert tally.rejected >= 5 and tally.accepted + tally.held + tally.rejected == N


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_fault_in_the_structure_stores_nothing(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(roster_worker, "PARALLEL_LINES", 1)
    ctx = _context(engine, tmp_path, Keyring.generate())
    roster = _roster()
    roster[11_000] = replace(roster[11_000], seq=11_000)  # a seq twice, found in the third chunk
    with pytest.raises(InvalidInput) as raised:
        submission.submit(ctx, _header(roster), roster)
    assert [v.code for v in raised.value.violations] == ["DUPLICATE_SEQ"]
    assert _count(engine, batches) == _count(engine, lines) == _count(engine, line_issues) == 0


class _Unpicklable:
    """A field value that ends the worker when it gets there: raising, or exiting at once."""

    def __init__(self, exit_worker: bool) -> None:
        self.exit_worker = exit_worker

    def __reduce__(self):
        return (os._exit, (3,)) if self.exit_worker else (_refuse, ())


def _refuse():
    raise RuntimeError("cannot read this value")


@pytest.mark.parametrize("exit_worker", [False, True], ids=["fails", "dies"])
def test_a_worker_that_fails_or_dies_leaves_nothing(engine, tmp_path, monkeypatch, exit_worker):
    monkeypatch.setattr(roster_worker, "PARALLEL_LINES", 1)
    ctx = _context(engine, tmp_path, Keyring.generate())
    roster = _roster()
    roster[10_500] = replace(roster[10_500], remark=_Unpicklable(exit_worker))  # chunks 1-2 are stored by then
    with pytest.raises(WorkerFailed, match="exit code 3" if exit_worker else "cannot read this value"):
        submission.submit(ctx, _header(roster), roster)
    assert _count(engine, batches) == _count(engine, lines) == _count(engine, line_issues) == 0
