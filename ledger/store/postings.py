"""Accounts, transactions and postings: the double-entry rules as stored.

Every transaction is sealed (balanced, recorded in the journal) in the same transaction as
its postings; result files are booked set-based in SQL.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.model import LineStatus
from domain.postings import ACCOUNT_KINDS, BatchAccounts, Entry
from ledger import journal
from ledger.schema import accounts, batches, lines, postings, result_lines, transactions
from ledger.store._bulk import CHUNK


def account_ids(conn: Connection, codes: Iterable[str]) -> dict[str, int]:
    """Ids of the named accounts, creating the ones that do not exist yet."""
    codes = sorted(set(codes))
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    rows = [
        {"code": c, "kind": c.split(":", 1)[0], "name": f"{ACCOUNT_KINDS[c.split(':', 1)[0]]} {c}"}
        for c in codes
    ]
    conn.execute(dialect_insert(accounts).on_conflict_do_nothing(index_elements=["code"]), rows)
    found = conn.execute(select(accounts.c.code, accounts.c.id).where(accounts.c.code.in_(codes)))
    return dict(found.all())


def post(conn: Connection, entry: Entry, now: datetime, file_id: int | None = None) -> str:
    """Write a balanced entry as one sealed ledger transaction; returns its id."""
    ids = account_ids(conn, (p.account for p in entry.postings))
    txn_id = uuid.uuid4().hex
    rows = [
        {
            "transaction_id": txn_id,
            "n": n,
            "account_id": ids[p.account],
            "amount_fen": p.amount_fen,
            "batch_id": entry.batch_id,
            "seq": p.seq,
        }
        for n, p in enumerate(entry.postings, start=1)
    ]
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(postings), rows[start : start + CHUNK])
    _seal(conn, txn_id, entry.kind, entry.batch_id, entry.memo, now, file_id)
    return txn_id


def _seal(conn, txn_id, kind, batch_id, memo, now, file_id) -> None:
    conn.execute(
        insert(transactions).values(
            id=txn_id, kind=kind, batch_id=batch_id, file_id=file_id, memo=memo, created_at=now
        )
    )
    journal.transaction(conn, txn_id, kind, batch_id, memo, file_id)


def book_result_file(
    conn: Connection, file_id: int, batch_id: str, acct: BatchAccounts, now: datetime
) -> tuple[int, int]:
    """Book the staged records of one file as :mod:`domain.booking` decided them, set-based:
    the rule ``domain.postings.result_file`` in SQL, for a million records at a time.

    Each record's paid, failed and due-back fen become debits to paid, suspense and due back
    from the bank, tied to its line; their counterparts leave clearing (or suspense, for a failed
    line the bank now pays) and the bank's unauthorized payments. The lines the records change
    take their new status. Returns (lines changed, fen moved to paid and suspense); a file that
    moves no money (re-reports only) books no transaction.
    """
    s = result_lines.c
    of_file = s.file_id == file_id
    moved = s.paid_fen + s.failed_fen
    second_leg = and_(s.due_fen > 0, moved > 0)  # the excess of an over-payment
    changed, from_clearing, from_suspense, due, excesses = (int(v or 0) for v in conn.execute(
        select(func.count(s.new_status), func.sum(case((s.from_suspense == 0, moved), else_=0)),
               func.sum(case((s.from_suspense == 1, moved), else_=0)), func.sum(s.due_fen),
               func.sum(case((second_leg, 1), else_=0))).where(of_file)
    ).one())  # PostgreSQL sums BIGINT as NUMERIC
    if not (from_clearing or from_suspense or due):
        return 0, 0
    ids = account_ids(conn, [acct.paid, acct.suspense, acct.clearing, acct.due_back, acct.unauthorized])
    txn_id = uuid.uuid4().hex
    columns = ["transaction_id", "n", "account_id", "amount_fen", "batch_id", "seq"]
    # A record's first leg (paid, failed or due back) in one pass over the file's records; the
    # rare second one (the excess of an over-payment) in another, when there is one.
    conn.execute(insert(postings).from_select(columns, select(
        literal(txn_id), s.ordinal * 2 + 1,
        case((s.paid_fen > 0, ids[acct.paid]), (s.failed_fen > 0, ids[acct.suspense]), else_=ids[acct.due_back]),
        case((s.paid_fen > 0, s.paid_fen), (s.failed_fen > 0, s.failed_fen), else_=s.due_fen),
        s.batch_id, s.seq,
    ).where(of_file, s.paid_fen + s.failed_fen + s.due_fen > 0)))
    if excesses:
        conn.execute(insert(postings).from_select(columns, select(
            literal(txn_id), s.ordinal * 2 + 2, literal(ids[acct.due_back]), s.due_fen, s.batch_id, s.seq,
        ).where(of_file, second_leg)))
    counters = [{"transaction_id": txn_id, "n": -n, "account_id": ids[account], "amount_fen": -amount,
                 "batch_id": batch_id, "seq": None}
                for n, (account, amount) in enumerate(((acct.clearing, from_clearing), (acct.suspense, from_suspense),
                                                       (acct.unauthorized, due))) if amount]
    conn.execute(insert(postings), counters)
    _seal(conn, txn_id, "RESULT", batch_id, f"bank results for batch {batch_id}", now, file_id)
    # The lines take their new status and what was paid. The bank's reference of each payment
    # stays with the record that booked it (result_lines, where the rules read it) and is not
    # copied onto the line (lines.bank_ref is only read, for lines booked so before): ~27 more
    # bytes in every paid line's row split the full pages of ``lines`` (measured at a million
    # lines: about 0.7 s more CPU for this UPDATE alone).
    paid_now = s.new_status == LineStatus.PAID.value
    conn.execute(
        update(lines)
        .where(and_(lines.c.batch_id == s.batch_id, lines.c.seq == s.seq, of_file, s.new_status.is_not(None)))
        .values(
            status=s.new_status,
            reason=s.reason,
            bank_reason_code=s.bank_reason_code,
            bank_reason_text=s.bank_reason_text,
            result_file_id=file_id,
            paid_fen=case((paid_now, s.paid_fen), else_=lines.c.paid_fen),
        )
    )
    journal.lines_booked(conn, batch_id, file_id, txn_id, changed)
    return changed, from_clearing + from_suspense


def balances(conn: Connection, prefix: str = "", batch_id: str | None = None) -> list[tuple[str, int]]:
    """Balance of every account whose code starts with ``prefix``, optionally for one batch."""
    query = (
        select(accounts.c.code, func.coalesce(func.sum(postings.c.amount_fen), 0))
        .select_from(accounts.outerjoin(postings, postings.c.account_id == accounts.c.id))
        .where(accounts.c.code.startswith(prefix, autoescape=True))
        .group_by(accounts.c.code)
        .order_by(accounts.c.code)
    )
    if batch_id is not None:
        query = query.where(postings.c.batch_id == batch_id)
    return [(code, int(total)) for code, total in conn.execute(query)]


@dataclass(frozen=True, slots=True)
class TransactionView:
    id: str
    kind: str
    batch_id: str | None
    file_id: int | None
    memo: str
    created_at: datetime
    posting_count: int
    debit_fen: int  # sum of the positive postings: the amount the transaction moved


def list_transactions(conn: Connection, batch_id: str | None, limit: int,
                      banks: Iterable[str] | None = None) -> list[TransactionView]:
    """The first ``limit`` transactions (of one batch); ``banks``: only those of batches paid
    through these banks (a bank user's view)."""
    moved = func.sum(case((postings.c.amount_fen > 0, postings.c.amount_fen), else_=0))
    query = (
        select(
            transactions.c.id,
            transactions.c.kind,
            transactions.c.batch_id,
            transactions.c.file_id,
            transactions.c.memo,
            transactions.c.created_at,
            func.count(postings.c.n),
            moved,
        )
        .select_from(transactions.join(postings, postings.c.transaction_id == transactions.c.id))
        .group_by(transactions.c.id)
        .order_by(transactions.c.created_at, transactions.c.id)
        .limit(limit)
    )
    if batch_id:
        query = query.where(transactions.c.batch_id == batch_id)
    if banks is not None:
        query = query.where(transactions.c.batch_id.in_(
            select(batches.c.id).where(batches.c.bank_code.in_(sorted(banks)))))
    return [TransactionView(*row[:6], int(row[6]), int(row[7])) for row in conn.execute(query)]


def unbalanced_transactions(conn: Connection, batch_id: str | None = None) -> list[str]:
    """Ids of transactions whose postings do not sum to zero (an invariant check: always [])."""
    query = (
        select(postings.c.transaction_id)
        .group_by(postings.c.transaction_id)
        .having(func.sum(postings.c.amount_fen) != 0)
    )
    if batch_id is not None:
        batch_txns = select(transactions.c.id).where(transactions.c.batch_id == batch_id)
        query = query.where(postings.c.transaction_id.in_(batch_txns))
    return list(conn.execute(query).scalars())
