"""The journal's hash chain without a database: digests, and where a walk finds a break."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from ledger.journal import GENESIS, Entry, at_text, batch_breaks, canonical, chain_digest, rows_digest, walk

T0 = datetime(2026, 12, 1, 8, 30, 0, 123456, tzinfo=UTC)


def _entries(n: int) -> list[Entry]:
    return [Entry(seq, T0 + timedelta(seconds=seq), "clerk" if seq % 2 else None, "batch", "B1", None, None,
                  canonical({"from": None, "values": {"status": f"S{seq}"}})) for seq in range(1, n + 1)]


def _chained(entries: list[Entry]) -> tuple[list[tuple[Entry, str, str]], tuple[int, str]]:
    stored, prev = [], GENESIS
    for e in entries:
        digest = chain_digest(prev, e)
        stored.append((e, prev, digest))
        prev = digest
    return stored, (entries[-1].seq if entries else 0, prev)


def test_an_intact_chain_has_no_break():
    stored, head = _chained(_entries(5))
    assert list(walk(stored, head)) == []
    assert list(walk([], (0, GENESIS))) == []


def test_each_digest_covers_the_previous_one_and_every_field():
    e = _entries(1)[0]
    assert chain_digest(GENESIS, e) != chain_digest("1" * 64, e)
    for changed in (replace(e, actor="other"), replace(e, payload=canonical({"x": 1})), replace(e, kind="file"),
                    replace(e, at=e.at + timedelta(microseconds=1)), replace(e, file_id=7)):
        assert chain_digest(GENESIS, changed) != chain_digest(GENESIS, e)


def test_altered_entry_is_the_one_reported():
    stored, head = _chained(_entries(5))
    e, prev, digest = stored[2]
    stored[2] = (replace(e, payload=canonical({"from": None, "values": {"status": "PAID"}})), prev, digest)
    (found,) = walk(stored, head)
    assert found.seq == 3 and "does not match its digest" in found.problem


def test_a_deleted_entry_is_reported_at_the_entry_after_it():
    stored, head = _chained(_entries(5))
    del stored[1]
    (found,) = walk(stored, head)
    assert found.seq == 3 and "entry 2 is missing" in found.problem


def test_a_deleted_last_entry_shows_against_the_head():
    stored, head = _chained(_entries(5))
    del stored[-1]
    (found,) = walk(stored, head)
    assert found.seq == 5 and "ends at entry 4" in found.problem


def test_an_entry_rechained_with_a_wrong_prev_digest_is_reported():
    stored, head = _chained(_entries(3))
    e, _prev, _digest = stored[1]
    forged_prev = "f" * 64
    stored[1] = (e, forged_prev, chain_digest(forged_prev, e))  # consistent in itself, not with entry 1
    found = list(walk(stored, head))
    assert found[0].seq == 2 and "prev_digest" in found[0].problem


def test_times_from_either_database_give_one_text():
    aware = datetime(2026, 12, 1, 16, 30, 0, 5, tzinfo=timezone(timedelta(hours=8)))
    naive_utc = datetime(2026, 12, 1, 8, 30, 0, 5)
    assert at_text(aware) == at_text(naive_utc) == "2026-12-01T08:30:00.000005Z"


def test_canonical_json_is_key_order_independent_and_keeps_chinese():
    assert canonical({"b": 1, "a": "结余"}) == canonical({"a": "结余", "b": 1}) == '{"a":"结余","b":1}'


def test_rows_digest_counts_and_depends_on_order():
    one = rows_digest([(1, "PAID"), (2, "FAILED")])
    assert one.count == 2
    assert one.hexdigest() != rows_digest([(2, "FAILED"), (1, "PAID")]).hexdigest()
    assert one.hexdigest() != rows_digest([(1, "PAID"), (2, "PAID")]).hexdigest()


def test_batch_sums_must_account_for_every_funded_fen():
    # funded 100 from the budget; 90 paid, 10 still in clearing although the batch is closed
    sums = {"budget": (0, 100), "clearing": (100, 90), "paid": (90, 0)}
    assert [str(b) for b in batch_breaks("B1", "CLOSED", 100, sums)] == [
        "batch B1 is CLOSED with 10 fen left in clearing"]
    assert list(batch_breaks("B1", "DISPATCHED", 100, sums)) == []  # outstanding until the close
    # the batch row claims more funding than the ledger shows
    assert [str(b) for b in batch_breaks("B1", "DISPATCHED", 120, sums)] == [
        "batch B1: funded_fen is 120, the ledger funded 100 fen",
        "batch B1: funded 120 fen != paid 90 + refunded 0 + outstanding 10"]


def test_what_is_due_back_from_the_bank_must_equal_its_unauthorized_payments():
    # funded 100, all paid; the bank paid 7 fen more without instruction: due back 7
    sums = {"budget": (0, 100), "clearing": (100, 100), "paid": (100, 0), "due": (7, 0), "unauthorized": (0, 7)}
    assert list(batch_breaks("B1", "CLOSED", 100, sums)) == []
    sums["due"] = (9, 0)
    assert [str(b) for b in batch_breaks("B1", "CLOSED", 100, sums)] == [
        "batch B1: due back from the bank 9 fen, but the bank's unauthorized payments are 7 fen"]
