"""A roster is checked and stored a chunk at a time inside one transaction: findings that span
chunks (the same person twice, one account for two people) are found, what is stored opens to
what was sent, and a fault found in a late chunk, a stream that breaks midway, or a write
that fails on its thread or a screening that fails, stores nothing."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from domain.idnumber import compose
from domain.model import BatchHeader, PaymentLine
from domain.roster import generate_lines
from ledger.schema import batches, line_issues, lines
from privacy.cipher import ACCOUNT, ID, PHONE, FieldCipher
from privacy.keys import Keyring
from ledger import store
from service import screening, submission
from service.config import BankProfile, Settings
from service.context import Context
from service.errors import InvalidInput

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


def test_findings_across_chunks_are_found_and_stored_lines_open_to_what_was_sent(engine, tmp_path):
    ctx = _context(engine, tmp_path, Keyring.generate())
    roster = _roster()
    outcome = submission.submit(ctx, _header(roster), roster)
    _batch, stored, issues = _stored(engine, ctx.cipher)
    assert outcome.status == "NEEDS_CORRECTION" and len(stored) == N
    assert {(seq, code) for seq, code, *_ in issues} >= {
        (5, "ID_CHECKSUM"), (5_003, "DUPLICATE_PERSON"), (5_010, "ACCOUNT_SHARED"),
        (9_999, "NAME_DOT_LOOKALIKE"), (12_000, "PHONE_FORMAT"), (12_001, "REGION_OUTSIDE")}
    assert outcome.tally.rejected >= 5 and outcome.tally.accepted + outcome.tally.held + outcome.tally.rejected == N
    sent = {ln.seq: ln for ln in roster}
    for seq, *_rest, id_number, account_no, phone in stored:
        assert (id_number, account_no, phone) == (sent[seq].id_number, sent[seq].account_no, sent[seq].phone or None)


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_fault_in_the_structure_found_in_a_late_chunk_stores_nothing(engine, tmp_path):
    ctx = _context(engine, tmp_path, Keyring.generate())
    roster = _roster()
    roster[11_000] = replace(roster[11_000], seq=11_000)  # a seq twice, found in the third chunk
    with pytest.raises(InvalidInput) as raised:
        submission.submit(ctx, _header(roster), roster)
    assert [v.code for v in raised.value.violations] == ["DUPLICATE_SEQ"]
    assert _count(engine, batches) == _count(engine, lines) == _count(engine, line_issues) == 0


def test_a_roster_stream_that_breaks_midway_stores_nothing(engine, tmp_path):
    """The client's stream fails after two chunks were stored: the transaction takes them back."""
    ctx = _context(engine, tmp_path, Keyring.generate())
    roster = _roster()

    def broken():
        yield from roster[:10_500]
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        submission.submit(ctx, _header(roster), broken())
    assert _count(engine, batches) == _count(engine, lines) == _count(engine, line_issues) == 0


def _threads_left() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("writing")]


@pytest.mark.parametrize("step", ["write", "screen"])
def test_a_write_or_screening_that_fails_midway_stores_nothing_and_leaves_no_thread(engine, tmp_path, monkeypatch,
                                                                                   step):
    """Chunks are written on a thread of their own and screened on a connection of their own: a
    failure of either on the second chunk reaches the caller as it was raised, after the thread
    has stopped, and the transaction takes back the chunk already written."""
    ctx = _context(engine, tmp_path, Keyring.generate())
    roster = _roster()
    calls = []
    target, name = (store, "insert_line_rows") if step == "write" else (screening, "against_others")
    real = getattr(target, name)

    def failing(*args, **kwargs):
        calls.append(threading.current_thread().name)
        if len(calls) == 2:
            raise OSError(f"the disk is full ({step})")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)
    with pytest.raises(OSError, match=rf"the disk is full \({step}\)"):
        submission.submit(ctx, _header(roster), roster)
    assert calls[0].startswith("writing" if step == "write" else "MainThread")
    assert _threads_left() == []
    assert _count(engine, batches) == _count(engine, lines) == _count(engine, line_issues) == 0
    monkeypatch.undo()
    outcome = submission.submit(ctx, _header(roster), roster)  # the same request again: nothing was left behind
    assert not outcome.replayed and _count(engine, lines) == N
