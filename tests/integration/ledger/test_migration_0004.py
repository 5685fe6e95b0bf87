"""Revision 0004 (the journal) gives transactions booked before it their entries, and goes back down."""
from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, inspect, select

from domain.postings import BatchAccounts, funding
from ledger import journal, store
from ledger.db import MIGRATIONS, migrate
from ledger.schema import journal as journal_table
from ledger.schema import postings, transactions


def _alembic(engine, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        action(config, revision)


def test_0004_journals_the_transactions_already_booked(engine):
    _alembic(engine, command.downgrade, "0003")
    assert "journal" not in inspect(engine).get_table_names()
    acct = BatchAccounts(region="652301", bank_code="RCB01", program="p")
    with engine.begin() as conn:  # booked by the code of revision 0003: no journal to append to
        ids = store.account_ids(conn, [acct.budget, acct.clearing])
        for amount in (500, 700):
            for n, p in enumerate(funding("B1", acct, amount).postings, start=1):
                conn.execute(insert(postings).values(transaction_id=f"T{amount}", n=n, account_id=ids[p.account],
                                                     amount_fen=p.amount_fen))
            conn.execute(insert(transactions).values(id=f"T{amount}", kind="FUND", memo="before the journal",
                                                     created_at=datetime(2026, 11, amount // 100, tzinfo=UTC)))
    migrate(engine)
    with journal.snapshot(engine) as conn:
        report = journal.verify(conn)
        journaled = conn.execute(select(journal_table.c.transaction_id).order_by(journal_table.c.seq)).scalars().all()
    assert report.ok, report.breaks
    assert journaled == ["T500", "T700"]
    _alembic(engine, command.downgrade, "0003")
    assert "journal_head" not in inspect(engine).get_table_names()
