"""Staging a result file decides every record as :func:`domain.booking.book` does.

``service.ingest`` decides the common record — the plain payment of a line waiting for it — without
making the rules' records, for speed at a million records a file. These tests stage files mixing
plain payments with every kind of anomaly (short, over, another account or person, a line never
instructed, an unknown seq, a payment already booked, the same line named again in the same chunk
and in a later one) into a real ledger, and compare what was staged with a plain record-by-record
application of the rules: the expected bookings come from ``domain.booking`` and the line states
read from the ledger before the file, never from what the staging code printed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from domain import booking
from domain.model import FailureReason, FileState, LineStatus, PaymentOutcome, ResultRecord
from domain.roster import generate_lines
from ledger import store
from ledger.schema import result_lines
from privacy.cipher import ACCOUNT, FieldCipher
from privacy.keys import Keyring
from service import ingest

PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
BATCH = "B-FAST-1"
N = 60  # lines in the batch
ROUND = 1  # the result file answers the first re-issue


@dataclass
class Ctx:
    cipher: FieldCipher


@dataclass
class Batch:
    id: str
    roster_count: int


def _ledger(conn, cipher: FieldCipher):
    """A batch of N lines: most waiting for an answer (PENDING), some in every other state; a
    booked earlier file with payments of seq 5 (paid), seq 6 (still PENDING: that payment named
    another account) and seq 999 (not in the batch); seq 12 waiting with a reference on its row."""
    roster = list(generate_lines(N, seed=7))
    store.insert_batch(conn, id=BATCH, idempotency_key="fast-1", request_digest="x", program="耕地地力保护补贴",
                       period="2026-11", region="652301", bank_code="B", payer_name="某县财政局",
                       payer_account="15000012345678", roster_count=N, roster_fen=sum(ln.amount_fen for ln in roster),
                       line_count=N, total_fen=sum(ln.amount_fen for ln in roster), status="DISPATCHED",
                       submitted_by="clerk", created_at=NOW)
    store.insert_line_rows(conn, BATCH, store.make_line_rows(BATCH, roster, [LineStatus.PENDING] * N,
                                                             store.seal_lines(cipher, roster)))
    states = {1: "FAILED", 2: "PAID", 3: "REMOVED", 4: "HELD", 5: "PAID", 7: "GIVEN_UP", 8: "REJECTED",
              9: "REFUNDED", 10: "FAILED"}
    for seq, status in states.items():
        conn.execute(text("UPDATE lines SET status = :s WHERE batch_id = :b AND seq = :q"),
                     {"s": status, "b": BATCH, "q": seq})
    conn.execute(text("UPDATE lines SET paid_fen = amount_fen, bank_ref = 'OLD-2' WHERE batch_id = :b AND seq = 2"),
                 {"b": BATCH})
    conn.execute(text("UPDATE lines SET paid_fen = amount_fen WHERE batch_id = :b AND seq = 5"), {"b": BATCH})
    conn.execute(text("UPDATE lines SET round = 1 WHERE batch_id = :b AND seq IN (10, 11, 12)"), {"b": BATCH})
    # waiting for an answer, with the reference of a payment on the line itself
    conn.execute(text("UPDATE lines SET bank_ref = 'OLD-12' WHERE batch_id = :b AND seq = 12"), {"b": BATCH})
    earlier = store.insert_file(conn, direction="IN", bank_code="B", name="earlier.txt", sha256="e" * 64, size=1,
                                state=FileState.BOOKED.value, batch_id=BATCH, created_at=NOW, updated_at=NOW)
    store.insert_result_lines(conn, [
        (earlier, 0, BATCH, 5, "PAID", 1, None, None, None, "OLD-5", "PAID", None, "PAID", 1, 0, 0, 0),
        (earlier, 1, BATCH, 6, "PAID", 1, None, None, None, "OLD-6", "OTHER_ACCOUNT", "x", None, 0, 0, 1, 0),
        (earlier, 2, BATCH, 999, "PAID", 1, None, None, None, "OLD-999", "NOT_INSTRUCTED", "x", None, 0, 0, 1, 0),
    ])
    return roster


def _records(roster, rng: random.Random) -> list[ResultRecord]:
    """A result file: every line answered, mostly plain payments, with anomalies drawn at random,
    lines named again (in the same chunk and later), and seqs the batch does not have."""
    by_seq = {ln.seq: ln for ln in roster}
    out = []
    for ln in roster:
        kind = rng.choice(["plain"] * 6 + ["failed", "short", "over", "account", "masked", "no account", "name",
                                           "spaced name", "other name", "old ref", "no ref"])
        if ln.seq in (6, 12):  # waiting for an answer, but a payment under this reference is booked for its seq
            kind = "old ref"
        amount, account, name, ref, outcome = ln.amount_fen, ln.account_no, "", f"R-{ln.seq}", PAID
        if kind == "failed":
            outcome, ref = FAILED, ""
        elif kind == "short":
            amount -= 1
        elif kind == "over":
            amount += 1
        elif kind == "account":
            account = by_seq[ln.seq % N + 1].account_no
        elif kind == "masked":
            account = account[:4] + "****" + account[-4:]
        elif kind == "no account":
            account = ""
        elif kind == "name":
            name = ln.name
        elif kind == "spaced name":
            name = " ".join(ln.name)
        elif kind == "other name":
            name = ln.name + "某"
        elif kind == "old ref":
            ref = {2: "OLD-2", 5: "OLD-5", 6: "OLD-6", 12: "OLD-12"}.get(ln.seq, ref)
        elif kind == "no ref":
            ref = ""
        out.append(_rec(ln.seq, outcome, amount, account, name, ref))
    for seq in rng.sample(range(1, N + 1), 15):  # named again, with another or the same answer
        ln = by_seq[seq]
        again = rng.choice([_rec(seq, PAID, ln.amount_fen, ln.account_no, "", f"R-{seq}"),
                            _rec(seq, PAID, ln.amount_fen, ln.account_no, "", f"R2-{seq}"),
                            _rec(seq, PAID, ln.amount_fen, ln.account_no, "", ""),
                            _rec(seq, FAILED, ln.amount_fen, ln.account_no, "", "")])
        out.insert(rng.randrange(len(out) + 1), again)
    for seq, ref in ((999, "OLD-999"), (999, "NEW-999"), (1000, "S-1"), (1000, "S-1"), (0, "")):
        out.insert(rng.randrange(len(out) + 1), _rec(seq, PAID if ref else FAILED, 500, "6222000011112222", "", ref))
    return out


def _rec(seq, outcome, amount, account, name, ref) -> ResultRecord:
    failed = outcome is FAILED
    return ResultRecord(seq, outcome, amount, account, FailureReason.ACCOUNT_NOT_FOUND if failed else None,
                        "AC01" if failed else "", "账号不存在" if failed else "", ref, name)


def _expected(conn, cipher: FieldCipher, file_id: int, records: list[ResultRecord]) -> list[tuple]:
    """The rules applied record by record, from the line states before the file."""
    states, strays = _ledger_before(conn)
    changed: dict[int, bool] = {}
    file_refs: dict[int, set[str]] = {}
    out = []
    for ordinal, r in enumerate(records):
        account = r.account_no.strip()
        index = cipher.index(ACCOUNT, account) if account and "*" not in account else None
        line = states.get(r.seq)
        refs = frozenset(strays.get(r.seq, frozenset()) | file_refs.get(r.seq, set())) if line is None else frozenset()
        b = booking.book(booking.Record(r.seq, r.outcome, r.amount_fen, index, r.name, r.bank_ref, ROUND), line,
                         changed_in_file=changed.get(r.seq, False), refs=refs)
        if line is not None:
            states[r.seq] = booking.after(line, b)
            changed[r.seq] = changed.get(r.seq, False) or b.new_status is not None
        elif b.bank_ref:
            file_refs.setdefault(r.seq, set()).add(b.bank_ref)
        out.append((ordinal, r.seq, r.outcome.value, r.amount_fen, r.reason.value if r.reason else None,
                    r.bank_code or None, r.bank_text or None, r.bank_ref or None, b.disposition.value,
                    b.detail if b.disposition in booking.EXCEPTIONS else None,
                    b.new_status.value if b.new_status else None, b.paid_fen, b.failed_fen, b.due_fen,
                    int(b.from_suspense)))
    return out


def _ledger_before(conn) -> tuple[dict[int, booking.LineState], dict[int, frozenset[str]]]:
    """Every line as the rules see it, and the references of payments booked for seqs the batch
    does not have: read here, not with the staging code's queries."""
    booked: dict[int, set[str]] = {}
    for seq, ref in conn.execute(text(
            "SELECT r.seq, r.bank_ref FROM result_lines r JOIN files f ON f.id = r.file_id "
            "WHERE r.batch_id = :b AND f.state = 'BOOKED' AND r.outcome = 'PAID' AND r.bank_ref IS NOT NULL "
            "AND r.disposition IN ('PAID', 'PAID_SHORT', 'PAID_OVER', 'SECOND_PAYMENT', 'NOT_INSTRUCTED', "
            "'OTHER_ACCOUNT')"), {"b": BATCH}):
        booked.setdefault(seq, set()).add(ref)
    states = {}
    for seq, status, amount, index, name, round_no, paid_fen, ref in conn.execute(text(
            "SELECT seq, status, amount_fen, account_index, name, round, paid_fen, bank_ref FROM lines "
            "WHERE batch_id = :b"), {"b": BATCH}):
        refs = booked.pop(seq, set()) | ({ref} if ref else set())
        states[seq] = booking.LineState(seq, LineStatus(status), amount, bytes(index), name, round_no, paid_fen or 0,
                                        frozenset(refs))
    return states, {seq: frozenset(refs) for seq, refs in booked.items()}


def _staged(conn, file_id: int) -> list[tuple]:
    s = result_lines.c
    return [tuple(r) for r in conn.execute(
        select(s.ordinal, s.seq, s.outcome, s.amount_fen, s.reason, s.bank_reason_code, s.bank_reason_text,
               s.bank_ref, s.disposition, s.detail, s.new_status, s.paid_fen, s.failed_fen, s.due_fen,
               s.from_suspense).where(s.file_id == file_id).order_by(s.ordinal))]


@pytest.mark.parametrize("chunk", [3, 16, 5000])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_staging_books_each_record_as_the_rules_do(engine, monkeypatch, chunk, seed):
    """Small chunks put a line's second record in a later chunk than its first; a large one
    keeps both in the same chunk."""
    monkeypatch.setattr(store, "CHUNK", chunk)
    cipher = FieldCipher(Keyring.generate())
    calls = []
    rules = booking.book
    monkeypatch.setattr(booking, "book", lambda *a, **k: calls.append(1) or rules(*a, **k))
    with engine.begin() as conn:
        roster = _ledger(conn, cipher)
        records = _records(roster, random.Random(seed))
        file_id = store.insert_file(conn, direction="IN", bank_code="B", name="result.txt", sha256="f" * 64, size=1,
                                    state=FileState.RECEIVED.value, created_at=NOW, updated_at=NOW)
        expected = _expected(conn, cipher, file_id, records)
        calls.clear()  # the rules' calls made by the staging alone
        staged = ingest._stage(Ctx(cipher), conn, Batch(BATCH, N), file_id, ROUND, iter(records), {})
        got = _staged(conn, file_id)
    assert got == expected
    assert staged.records == len(records)
    exceptions = [e[8] for e in expected if e[8] in {d.value for d in booking.EXCEPTIONS}]
    assert sum(staged.exceptions.values()) == len(exceptions)
    # the plain payments were decided without the rules' records (and still as the rules decide)
    plain = sum(1 for e in expected if e[8] == "PAID" and e[13] == 0 and e[14] == 0)
    assert plain > 10 and len(calls) < len(records)


def test_a_plain_payment_named_again_in_the_same_chunk_is_a_conflict_or_a_rereport(engine):
    """The second record of a line paid by the first record of the same chunk: the same payment
    again books nothing; a failure contradicts the file."""
    cipher = FieldCipher(Keyring.generate())
    with engine.begin() as conn:
        roster = _ledger(conn, cipher)
        ln = roster[20]
        records = [_rec(ln.seq, PAID, ln.amount_fen, ln.account_no, "", "R-A"),
                   _rec(ln.seq, PAID, ln.amount_fen, ln.account_no, "", "R-A"),
                   _rec(ln.seq, FAILED, ln.amount_fen, ln.account_no, "", "")]
        file_id = store.insert_file(conn, direction="IN", bank_code="B", name="again.txt", sha256="a" * 64, size=1,
                                    state=FileState.RECEIVED.value, created_at=NOW, updated_at=NOW)
        ingest._stage(Ctx(cipher), conn, Batch(BATCH, N), file_id, ROUND, iter(records), {})
        got = [(r[8], r[10], r[11], r[12]) for r in _staged(conn, file_id)]
    assert got == [("PAID", "PAID", ln.amount_fen, 0), ("REREPORT", None, 0, 0), ("CONFLICT", None, 0, 0)]
