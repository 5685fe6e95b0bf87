"""The database itself keeps the ledger balanced and append-only (SQLite and PostgreSQL)."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DBAPIError

from domain.postings import Entry, Posting
from ledger import store
from ledger.schema import postings, transactions

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _raw_transaction(conn, txn_id, amounts):
    ids = store.account_ids(conn, ["budget:1", "clearing:B:1"])
    conn.execute(insert(postings), [
        {"transaction_id": txn_id, "n": n, "account_id": ids["budget:1" if n % 2 else "clearing:B:1"],
         "amount_fen": a, "batch_id": None, "seq": None}
        for n, a in enumerate(amounts, 1)])
    conn.execute(insert(transactions).values(id=txn_id, kind="X", memo="raw", created_at=NOW))


def test_a_balanced_transaction_is_sealed_and_counted(engine):
    with engine.begin() as conn:
        store.insert_batch(
            conn, id="B", idempotency_key="k", request_digest="d", program="P", period="2026-11",
            region="1", bank_code="B", payer_name="n", payer_account="a", line_count=1, total_fen=500,
            status="FUNDED", submitted_by="clerk", created_at=NOW,
        )
        store.post(conn, Entry("FUND", "B", "m", (Posting("clearing:B:1", 500), Posting("budget:1", -500))), NOW)
    with engine.connect() as conn:
        assert dict(store.balances(conn)) == {"budget:1": -500, "clearing:B:1": 500}
        assert store.unbalanced_transactions(conn) == []


@pytest.mark.parametrize("amounts", [[100, -99], [100], [100, 1, -100]])
def test_the_database_refuses_an_unbalanced_transaction(engine, amounts):
    with pytest.raises(DBAPIError, match="sum to zero"):
        with engine.begin() as conn:
            _raw_transaction(conn, "t1", amounts)
    with engine.connect() as conn:
        assert conn.execute(select(postings)).all() == []


def test_postings_cannot_be_added_to_a_sealed_transaction(engine):
    with engine.begin() as conn:
        _raw_transaction(conn, "t1", [100, -100])
    with pytest.raises(DBAPIError, match="sealed"):
        with engine.begin() as conn:
            account = conn.execute(select(postings.c.account_id)).first()[0]
            conn.execute(insert(postings).values(transaction_id="t1", n=9, account_id=account, amount_fen=1))


@pytest.mark.parametrize("statement", [
    update(postings).values(amount_fen=1),
    delete(postings),
    update(transactions).values(memo="changed"),
    delete(transactions),
])
def test_the_ledger_is_append_only(engine, statement):
    with engine.begin() as conn:
        _raw_transaction(conn, "t1", [100, -100])
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        assert sorted(conn.execute(select(postings.c.amount_fen)).scalars()) == [-100, 100]
