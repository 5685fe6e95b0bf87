"""Database triggers that keep the ledger balanced and append-only, whatever code writes to it.

The domain code already refuses an unbalanced entry; these guards make the database refuse it
too, so that a bug, a hand-written SQL statement or a future code path cannot break the books.

How a transaction is sealed: its postings are inserted first (their foreign key to
``transactions`` is deferred), then the transaction row. Inserting that row checks that its
postings number at least two and sum to zero; once it exists, no posting can be added to it.
Updates and deletes of postings and transactions are refused: corrections are new transactions.
"""
from __future__ import annotations

SQLITE = [
    """
    CREATE TRIGGER ledger_transaction_balanced BEFORE INSERT ON transactions
    WHEN (SELECT COUNT(*) FROM postings WHERE transaction_id = NEW.id) < 2
      OR (SELECT SUM(amount_fen) FROM postings WHERE transaction_id = NEW.id) <> 0
    BEGIN SELECT RAISE(ABORT, 'ledger: postings of a transaction must be two or more and sum to zero'); END
    """,
    """
    CREATE TRIGGER ledger_posting_sealed BEFORE INSERT ON postings
    WHEN EXISTS (SELECT 1 FROM transactions WHERE id = NEW.transaction_id)
    BEGIN SELECT RAISE(ABORT, 'ledger: transaction is sealed; add a new transaction instead'); END
    """,
    *(
        f"""
        CREATE TRIGGER ledger_{table}_no_{op.lower()} BEFORE {op} ON {table}
        BEGIN SELECT RAISE(ABORT, 'ledger: {table} are append-only; correct with a reversing transaction'); END
        """
        for table in ("postings", "transactions")
        for op in ("UPDATE", "DELETE")
    ),
]

POSTGRESQL = [
    """
    CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ledger: % are append-only; correct with a reversing transaction', TG_TABLE_NAME;
    END $$
    """,
    """
    CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE bad text;
    BEGIN
      SELECT n.id INTO bad FROM new_rows n
      WHERE (SELECT COUNT(*) FROM postings p WHERE p.transaction_id = n.id) < 2
         OR (SELECT SUM(p.amount_fen) FROM postings p WHERE p.transaction_id = n.id) <> 0
      LIMIT 1;
      IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ledger: postings of transaction % must be two or more and sum to zero', bad;
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION ledger_posting_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE bad text;
    BEGIN
      SELECT t.id INTO bad FROM (SELECT DISTINCT transaction_id FROM new_rows) n
      JOIN transactions t ON t.id = n.transaction_id LIMIT 1;
      IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ledger: transaction % is sealed; add a new transaction instead', bad;
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER ledger_transaction_balanced AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION ledger_transaction_balanced()
    """,
    """
    CREATE TRIGGER ledger_posting_sealed AFTER INSERT ON postings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION ledger_posting_sealed()
    """,
    *(
        f"""
        CREATE TRIGGER ledger_{table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()
        """
        for table in ("postings", "transactions")
    ),
]


# The evidence trail (migration 0004): journal entries are never changed or removed.
JOURNAL_SQLITE = [
    f"""
    CREATE TRIGGER journal_no_{op.lower()} BEFORE {op} ON journal
    BEGIN SELECT RAISE(ABORT, 'journal: entries are append-only'); END
    """
    for op in ("UPDATE", "DELETE")
]

JOURNAL_POSTGRESQL = [
    """
    CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'journal: entries are append-only';
    END $$
    """,
    """
    CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only()
    """,
]

JOURNAL_DROP = {
    "sqlite": ["DROP TRIGGER journal_no_update", "DROP TRIGGER journal_no_delete"],
    "postgresql": ["DROP TRIGGER journal_append_only ON journal", "DROP FUNCTION journal_append_only()"],
}


def journal_statements(dialect: str) -> list[str]:
    """The journal's append-only guard DDL for a database dialect."""
    return _for_dialect({"sqlite": JOURNAL_SQLITE, "postgresql": JOURNAL_POSTGRESQL}, dialect)


def journal_drop_statements(dialect: str) -> list[str]:
    """What undoes ``journal_statements`` (the downgrade of migration 0004)."""
    return _for_dialect(JOURNAL_DROP, dialect)


def statements(dialect: str) -> list[str]:
    """The guard DDL for a database dialect name as SQLAlchemy reports it."""
    return _for_dialect({"sqlite": SQLITE, "postgresql": POSTGRESQL}, dialect)


def _for_dialect(by_dialect: dict[str, list[str]], dialect: str) -> list[str]:
    try:
        return by_dialect[dialect]
    except KeyError:
        raise ValueError(f"no ledger guards for database dialect {dialect!r}") from None
