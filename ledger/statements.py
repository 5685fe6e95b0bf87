"""The repository of bank statements, and the ledger's movements of a bank's clearing account.

Like ``ledger.store``, each function works on the caller's connection and transaction. The
ledger's side of a bank account is read from the postings (see ``domain/statement_match.py`` for
why it is clearing *and* suspense): one movement per transaction, itemised by line for the
payments of a result file.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from domain.beijing import day_of as bank_day  # banks book in Beijing days
from domain.beijing import day_start
from domain.model import EntrySide, StatementEntry, StatementHeader
from domain.statement_match import Movement, Statement
from ledger.schema import accounts, batches, postings, statement_entries, statement_files, transactions
from ledger.store import bulk_insert

ENTRY_COLUMNS = ("statement_file_id", "seq", "side", "amount_fen", "booking_date", "reference", "batch_id",
                 "line_seq", "counterparty_name", "counterparty_account", "remark")


# --- statement files --------------------------------------------------------------------------


def insert_file(conn: Connection, **values) -> int:
    return conn.execute(insert(statement_files).values(**values).returning(statement_files.c.id)).scalar_one()


def update_file(conn: Connection, file_id: int, **values) -> None:
    conn.execute(update(statement_files).where(statement_files.c.id == file_id).values(**values))


def get_file(conn: Connection, file_id: int):
    return conn.execute(select(statement_files).where(statement_files.c.id == file_id)).first()


def first_delivery(conn: Connection, bank_code: str, sha256: str):
    return conn.execute(select(statement_files).where(
        statement_files.c.bank_code == bank_code, statement_files.c.sha256 == sha256,
        statement_files.c.duplicate_of.is_(None))).first()


def by_remote(conn: Connection, bank_code: str, remote_path: str, size: int, mtime: int | None) -> list:
    """Statement files recorded from this very remote file (same path, size and mtime)."""
    return list(conn.execute(select(statement_files).where(
        statement_files.c.bank_code == bank_code, statement_files.c.remote_path == remote_path,
        statement_files.c.size == size, statement_files.c.remote_mtime == mtime)))


def stored_with_id(conn: Connection, bank_code: str, account: str, statement_id: str):
    return conn.execute(select(statement_files).where(
        statement_files.c.bank_code == bank_code, statement_files.c.account == account,
        statement_files.c.statement_id == statement_id, statement_files.c.state == "STORED")).first()


def insert_entries(conn: Connection, rows: Iterable[tuple]) -> None:
    bulk_insert(conn, statement_entries, ENTRY_COLUMNS, rows)


def list_files(conn: Connection, bank_code: str | None, state: str | None, limit: int, after_id: int = 0) -> list:
    query = select(statement_files).where(statement_files.c.id > after_id).order_by(statement_files.c.id).limit(limit)
    if bank_code:
        query = query.where(statement_files.c.bank_code == bank_code)
    if state:
        query = query.where(statement_files.c.state == state)
    return list(conn.execute(query))


def stored_in_period(conn: Connection, bank_code: str, account: str, from_date: date, to_date: date) -> list:
    """The account's stored statements lying within the period, in the bank's order."""
    c = statement_files.c
    return list(conn.execute(
        select(statement_files)
        .where(c.bank_code == bank_code, c.account == account, c.state == "STORED",
               c.from_date >= from_date, c.to_date <= to_date)
        .order_by(c.from_date, c.to_date, c.created_at, c.id)))


def statements(conn: Connection, rows: Sequence) -> list[Statement]:
    """The stored statements of these file rows, with their entries."""
    entries = _entries(conn, statement_entries.c.statement_file_id.in_([r.id for r in rows]))
    return [Statement(_header(r), entries.get(r.id, [])) for r in rows]


def batch_entries(conn: Connection, batch_id: str) -> list[tuple[str, StatementEntry]]:
    """The entries of stored statements naming the batch, each with its statement id."""
    rows = conn.execute(
        select(statement_files.c.id, statement_files.c.statement_id)
        .where(statement_files.c.state == "STORED",
               statement_files.c.id.in_(select(statement_entries.c.statement_file_id)
                                        .where(statement_entries.c.batch_id == batch_id)))
    ).all()
    sids = dict(rows)
    entries = _entries(conn, and_(statement_entries.c.batch_id == batch_id,
                                  statement_entries.c.statement_file_id.in_(list(sids))))
    return [(sids[fid], e) for fid in sorted(entries) for e in entries[fid]]


def repeated_debits(conn: Connection, batch_id: str) -> dict[int, list[tuple[str, int]]]:
    """The lines of a batch that stored statements debit more than once (distinct bank
    references), each with its debits (reference, fen) in the order the bank booked them."""
    c = statement_entries.c
    stored = and_(statement_files.c.state == "STORED", c.batch_id == batch_id, c.side == EntrySide.DEBIT.value,
                  c.line_seq.is_not(None))
    joined = statement_entries.join(statement_files, statement_files.c.id == c.statement_file_id)
    repeated = (select(c.line_seq).select_from(joined).where(stored).group_by(c.line_seq)
                .having(func.count(c.reference.distinct()) > 1))
    out: dict[int, list[tuple[str, int]]] = {}
    for seq, reference, fen in conn.execute(
            select(c.line_seq, c.reference, c.amount_fen).select_from(joined)
            .where(stored, c.line_seq.in_(repeated))
            .order_by(c.line_seq, c.booking_date, c.statement_file_id, c.seq)):
        debits = out.setdefault(seq, [])
        if all(reference != seen for seen, _ in debits):
            debits.append((reference, int(fen)))
    return out


def debited_lines(conn: Connection, batch_id: str, seqs: Sequence[int]) -> set[int]:
    """Which of a batch's lines a stored statement shows a debit for: the bank paid them out."""
    c = statement_entries.c
    return set(conn.execute(
        select(c.line_seq).join(statement_files, statement_files.c.id == c.statement_file_id)
        .where(statement_files.c.state == "STORED", c.batch_id == batch_id, c.side == EntrySide.DEBIT.value,
               c.line_seq.in_(list(seqs)))
    ).scalars())


def _entries(conn: Connection, where) -> dict[int, list[StatementEntry]]:
    c = statement_entries.c
    out: dict[int, list[StatementEntry]] = defaultdict(list)
    for r in conn.execute(select(statement_entries).where(where).order_by(c.statement_file_id, c.seq)):
        out[r.statement_file_id].append(StatementEntry(
            r.seq, EntrySide(r.side), int(r.amount_fen), r.booking_date, r.reference, r.batch_id, r.line_seq,
            r.counterparty_name, r.counterparty_account, r.remark))
    return out


def _header(r) -> StatementHeader:
    return StatementHeader(r.statement_id, r.account, r.created_at, r.from_date, r.to_date,
                           int(r.opening_balance_fen), int(r.closing_balance_fen), r.entry_count,
                           int(r.credit_fen), int(r.debit_fen), r.currency)


# --- the ledger's side of a bank account --------------------------------------------------------


def account_batches(bank_code: str, account: str):
    """The batches whose payments the bank draws from ``account``: their payer account is the
    agency clearing account the bank keeps for them."""
    return select(batches.c.id).where(batches.c.bank_code == bank_code, batches.c.payer_account == account)


def _at_bank(bank_code: str):
    """The ledger accounts whose money is at the bank: its clearing accounts and its suspense."""
    return or_(accounts.c.code.startswith(f"clearing:{bank_code}:", autoescape=True),
               accounts.c.code == f"suspense:{bank_code}")


def movements(conn: Connection, bank_code: str, batch_ids, start: date, end: date) -> list[Movement]:
    """The movements of the batches' money at the bank booked on the bank's days ``start`` to
    ``end``: per transaction, payments itemised by line (``batch_ids`` a list or a subquery)."""
    when = and_(transactions.c.created_at >= day_start(start),
                transactions.c.created_at < day_start(end + timedelta(days=1)))
    joined = postings.join(transactions, transactions.c.id == postings.c.transaction_id).join(
        accounts, accounts.c.id == postings.c.account_id)
    per_txn = conn.execute(
        select(transactions.c.id, transactions.c.kind, transactions.c.batch_id, transactions.c.file_id,
               transactions.c.created_at, func.sum(postings.c.amount_fen))
        .select_from(joined)
        .where(postings.c.batch_id.in_(batch_ids), _at_bank(bank_code), when)
        .group_by(transactions.c.id, transactions.c.kind, transactions.c.batch_id, transactions.c.file_id,
                  transactions.c.created_at)
        .order_by(transactions.c.created_at, transactions.c.id)
    ).all()
    paid: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for txn, batch_id, seq, amount in conn.execute(
        select(transactions.c.id, postings.c.batch_id, postings.c.seq, postings.c.amount_fen)
        .select_from(joined)
        .where(postings.c.batch_id.in_(batch_ids), accounts.c.kind == "paid", transactions.c.kind == "RESULT",
               postings.c.seq.is_not(None), when)
        .order_by(postings.c.batch_id, postings.c.seq)
    ):
        paid[txn].append((batch_id, seq, int(amount)))
    out = []
    for txn, kind, batch_id, file_id, created_at, total in per_txn:
        day = bank_day(created_at)
        lines = paid.get(txn, [])
        out += [Movement(kind, b, -amount, day, txn, seq, file_id) for b, seq, amount in lines]
        rest = int(total) + sum(amount for _, _, amount in lines)
        if rest:
            out.append(Movement(kind, batch_id, rest, day, txn, None, file_id))
    return out


def balance(conn: Connection, bank_code: str, batch_ids, end: date) -> int:
    """The ledger's balance of the batches' money at the bank at the end of the bank's day ``end``."""
    total = conn.execute(
        select(func.coalesce(func.sum(postings.c.amount_fen), 0))
        .select_from(postings.join(transactions, transactions.c.id == postings.c.transaction_id)
                     .join(accounts, accounts.c.id == postings.c.account_id))
        .where(postings.c.batch_id.in_(batch_ids), _at_bank(bank_code),
               transactions.c.created_at < day_start(end + timedelta(days=1)))
    ).scalar_one()
    return int(total)
