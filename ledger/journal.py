"""The evidence trail: a hash-chained journal of every ledger transaction and state change.

Every ledger transaction and every change of state of a batch, of lines and of a file is
appended to ``journal`` in the same database transaction as the change, so a rollback removes
both. Each entry carries the digest of the one before: ``digest = SHA-256(prev_digest ||
canonical entry)``, so changing, removing or inserting an entry anywhere breaks the chain from
there on, and ``verify`` says where.

What an entry holds, by ``kind``:

``txn``    one per ledger transaction: its kind and memo, the number of its postings and a
           digest over them in order (n, account code, amount, batch, line), and the fen moved.
``batch``  a batch created or updated: the status it was expected in, the values written.
``file``   a file created or moved to another state: the states it was allowed to leave,
           the values written.
``lines``  line states, **per operation, not per line**: a million-line result file moves its
           lines in one UPDATE, and one journal row per line would double the cost of booking
           it. The entry records how many lines the operation set and a digest over the
           ordered (seq, new status) list; a line's history is then proved by replaying the
           operations, not read off one row.

Entries of a database transaction are queued while it runs and chained when it commits (an
engine ``commit`` listener, just before the database commits): the head row ``journal_head``
is locked only then, so instances sharing one PostgreSQL append one after the other without
holding that lock through a long booking, and without the deadlock of taking it before some
row lock another transaction holds while it waits for the head. On SQLite the single write lock
serialises appends anyway. Seqs therefore follow commit order and have no gaps: a rolled-back
transaction never took one.

The first part of this module is the chain itself, pure and testable without a database.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, case, event, func, insert, select, update

from ledger.schema import accounts, batches, journal, journal_head, postings, transactions

GENESIS = "0" * 64  # the prev_digest of entry 1


# --- the chain, without a database ----------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON for the values store functions write: times as ISO text, bytes as hex."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def canonical(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def at_text(moment: datetime) -> str:
    """A moment as the digest sees it: UTC, microseconds. SQLite hands back a naive UTC time,
    PostgreSQL an aware one; both give the same text."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    at: datetime
    actor: str | None
    kind: str
    batch_id: str | None
    file_id: int | None
    transaction_id: str | None
    payload: str  # canonical JSON

    def body(self) -> str:
        return canonical([self.seq, at_text(self.at), self.actor, self.kind, self.batch_id, self.file_id,
                          self.transaction_id, self.payload])


def chain_digest(prev_digest: str, entry: Entry) -> str:
    return hashlib.sha256((prev_digest + entry.body()).encode()).hexdigest()


class RowsDigest:
    """SHA-256 over rows fed in order, one ``a|b|c`` text line each (None as ``None``), and how
    many there were. Rows go in by the thousand: a result file hashes a million of them."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.count = 0

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            line = "|".join(["%s"] * len(rows[0])) + "\n"
            self._hash.update("".join([line % tuple(r) for r in rows]).encode())
            self.count += len(rows)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def rows_digest(rows: Iterable[Sequence[Any]], chunk: int = 10_000) -> RowsDigest:
    out = RowsDigest()
    rows = iter(rows)
    while part := list(islice(rows, chunk)):
        out.add_rows(part)
    return out


@dataclass(frozen=True, slots=True)
class Break:
    """Where the evidence stops agreeing: the journal entry (when one is to blame) and how."""

    seq: int | None
    problem: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.problem}" if self.seq is not None else self.problem


def walk(stored: Iterable[tuple[Entry, str, str]], head: tuple[int, str]) -> Iterator[Break]:
    """Check a chain given as (entry, stored prev_digest, stored digest) in seq order, and the
    head row's (seq, digest). Yields every break in order; after one, the walk goes on from
    the stored digest, so an altered entry shows as one break, not as all that follow it."""
    last_seq, last_digest = 0, GENESIS
    for entry, prev_digest, digest in stored:
        if entry.seq != last_seq + 1:
            missing = (f"entry {last_seq + 1} is missing" if entry.seq == last_seq + 2
                       else f"entries {last_seq + 1}..{entry.seq - 1} are missing")
            yield Break(entry.seq, f"follows entry {last_seq}: {missing}")
        elif prev_digest != last_digest:
            yield Break(entry.seq, f"prev_digest {prev_digest} is not entry {last_seq}'s digest {last_digest}")
        expected = chain_digest(prev_digest, entry)
        if digest != expected:
            yield Break(entry.seq, f"content does not match its digest (stored {digest}, recomputed {expected})")
        last_seq, last_digest = entry.seq, digest
    head_seq, head_digest = head
    if (head_seq, head_digest) != (last_seq, last_digest):
        yield Break(last_seq + 1 if head_seq > last_seq else head_seq,
                    f"the head says the journal ends at entry {head_seq} ({head_digest}), "
                    f"it ends at entry {last_seq} ({last_digest})")


# --- appending, inside the caller's transaction -----------------------------------------------

_PENDING = "ykt.journal.pending"


def record(conn: Connection, kind: str, payload: dict[str, Any], *, actor: str | None = None,
           batch_id: str | None = None, file_id: int | None = None, transaction_id: str | None = None) -> None:
    """Queue an entry; it is chained and written when the caller's transaction commits."""
    tx = conn.get_transaction()
    queued = conn.info.get(_PENDING)
    if queued is None or queued[0] is not tx:  # a queue left by an earlier transaction is stale
        queued = conn.info[_PENDING] = (tx, [])
    queued[1].append((datetime.now(UTC), actor, kind, batch_id, file_id, transaction_id, canonical(payload)))


@event.listens_for(Engine, "commit")
def _append_queued(conn: Connection) -> None:
    queued = conn.info.pop(_PENDING, None)
    if not queued or queued[0] is not conn.get_transaction() or not queued[1]:
        return
    pending = queued[1]
    # The UPDATE takes the head row's lock (PostgreSQL) or the write lock (SQLite) before
    # reading it: no other transaction can append between our read and our write.
    last, prev = conn.execute(
        update(journal_head).where(journal_head.c.id == 1)
        .values(seq=journal_head.c.seq + len(pending))
        .returning(journal_head.c.seq, journal_head.c.digest)
    ).one()
    rows = []
    for seq, fields in enumerate(pending, start=last - len(pending) + 1):
        entry = Entry(seq, *fields)
        digest = chain_digest(prev, entry)
        rows.append({"seq": seq, "at": entry.at, "actor": entry.actor, "kind": entry.kind,
                     "batch_id": entry.batch_id, "file_id": entry.file_id,
                     "transaction_id": entry.transaction_id, "payload": entry.payload,
                     "prev_digest": prev, "digest": digest})
        prev = digest
    conn.execute(insert(journal), rows)
    conn.execute(update(journal_head).where(journal_head.c.id == 1).values(digest=prev))


@event.listens_for(Engine, "rollback")
def _drop_queued(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)


# --- what the repository records ------------------------------------------------------------

_STREAM = {"stream_results": True, "yield_per": 10_000}


def _postings_of(txn_id: str):
    return (
        select(postings.c.n, accounts.c.code, postings.c.amount_fen, postings.c.batch_id, postings.c.seq)
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(postings.c.transaction_id == txn_id)
        .order_by(postings.c.n)
    )


def postings_digest(conn: Connection, txn_id: str) -> tuple[RowsDigest, int]:
    """The digest of a transaction's postings as stored, and the fen it moved (its debits)."""
    out, moved = RowsDigest(), 0
    for part in conn.execute(_postings_of(txn_id), execution_options=_STREAM).partitions():
        out.add_rows(part)
        moved += sum(amount for _n, _code, amount, _batch, _seq in part if amount > 0)
    return out, moved


def _txn_payload(kind: str, memo: str, digest: RowsDigest, moved: int) -> dict[str, Any]:
    return {"kind": kind, "memo": memo, "postings": digest.count, "postings_digest": digest.hexdigest(),
            "moved_fen": moved}


def transaction(conn: Connection, txn_id: str, kind: str, batch_id: str | None, memo: str,
                file_id: int | None) -> None:
    """A sealed ledger transaction, with a digest over its postings read back as stored."""
    digest, moved = postings_digest(conn, txn_id)
    record(conn, "txn", _txn_payload(kind, memo, digest, moved), batch_id=batch_id, file_id=file_id,
           transaction_id=txn_id)


def _actor(values: dict[str, Any]) -> str | None:
    """Who made the change, where the values written name them (approved_by, handled_by...)."""
    return next((str(v) for k, v in sorted(values.items()) if k.endswith("_by") and v), None)


def batch_changed(conn: Connection, batch_id: str, expected_status: str | None, values: dict[str, Any]) -> None:
    record(conn, "batch", {"from": expected_status, "values": values}, actor=_actor(values), batch_id=batch_id)


def file_changed(conn: Connection, file_id: int, from_states: list[str] | None, values: dict[str, Any]) -> None:
    """A file created (``from_states`` None) or moved out of ``from_states`` (empty: from any state)."""
    record(conn, "file", {"from": from_states, "values": values}, actor=_actor(values),
           batch_id=values.get("batch_id"), file_id=file_id)


def lines_changed(conn: Connection, batch_id: str, operation: str, seq_status: Iterable[tuple[int, str]],
                  file_id: int | None = None) -> None:
    """One operation on a batch's lines: ``seq_status`` is its (seq, new status) list in seq order."""
    _lines_entry(conn, batch_id, operation, rows_digest(seq_status), file_id)


def _lines_entry(conn: Connection, batch_id: str, operation: str, digest: RowsDigest, file_id: int | None) -> None:
    if digest.count:
        record(conn, "lines", {"operation": operation, "lines": digest.count, "digest": digest.hexdigest()},
               batch_id=batch_id, file_id=file_id)


def lines_booked(conn: Connection, batch_id: str, file_id: int, txn_id: str, count: int) -> None:
    """The lines a result file settled. Their new statuses are already in the evidence: each line's
    posting in the file's transaction (its seq, to paid or to suspense) is under that transaction's
    postings digest, so this entry points at it rather than reading a million rows a second time."""
    if count:
        record(conn, "lines", {"operation": "result", "lines": count, "transaction_id": txn_id},
               batch_id=batch_id, file_id=file_id)


def lines_selected(conn: Connection, batch_id: str, operation: str, query, file_id: int | None = None) -> None:
    """``lines_changed`` for a (seq, new status) query ordered by seq, streamed."""
    digest = RowsDigest()
    for part in conn.execute(query, execution_options=_STREAM).partitions():
        digest.add_rows(part)
    _lines_entry(conn, batch_id, operation, digest, file_id)


# --- verification ---------------------------------------------------------------------------


@dataclass
class Report:
    entries: int
    transactions: int
    batches: int
    breaks: list[Break]

    @property
    def ok(self) -> bool:
        return not self.breaks


def _stored_entries(conn: Connection, after: int = 0, page: int = 10_000) -> Iterator[tuple[Entry, str, str]]:
    """The journal in seq order, a page at a time (it grows without bound)."""
    j = journal.c
    while True:
        rows = conn.execute(select(journal).where(j.seq > after).order_by(j.seq).limit(page)).all()
        for r in rows:
            entry = Entry(r.seq, r.at, r.actor, r.kind, r.batch_id, r.file_id, r.transaction_id, r.payload)
            yield entry, r.prev_digest, r.digest
        if len(rows) < page:
            return
        after = rows[-1].seq


def _checked_transactions(conn: Connection, stored: Iterable[tuple[Entry, str, str]],
                          breaks: list[Break]) -> Iterator[tuple[Entry, str, str]]:
    """Pass the chain through, checking each ``txn`` entry against the transaction in the ledger."""
    for item in stored:
        entry = item[0]
        if entry.kind == "txn":
            txn = conn.execute(select(transactions).where(transactions.c.id == entry.transaction_id)).one_or_none()
            if txn is None:
                breaks.append(Break(entry.seq, f"transaction {entry.transaction_id} is not in the ledger"))
            else:
                digest, moved = postings_digest(conn, txn.id)
                found = json.loads(canonical(_txn_payload(txn.kind, txn.memo, digest, moved)))
                recorded = json.loads(entry.payload)
                differs = sorted(k for k in found.keys() | recorded.keys() if found.get(k) != recorded.get(k))
                if differs:
                    what = ", ".join(f"{k} journaled {recorded.get(k)!r}, ledger has {found.get(k)!r}" for k in differs)
                    breaks.append(Break(entry.seq, f"transaction {txn.id} differs from its entry: {what}"))
        yield item


def _invariants(conn: Connection) -> Iterator[Break]:
    """The ledger's own rules, whatever the journal says."""
    p = postings.c
    unbalanced = conn.execute(
        select(p.transaction_id, func.sum(p.amount_fen), func.count()).group_by(p.transaction_id)
        .having((func.sum(p.amount_fen) != 0) | (func.count() < 2)).order_by(p.transaction_id)
    )
    for txn_id, total, count in unbalanced:
        yield Break(_entry_of(conn, txn_id), f"transaction {txn_id}: {count} postings sum to {int(total)} fen, not zero")
    unjournaled = conn.execute(
        select(transactions.c.id).outerjoin(journal, journal.c.transaction_id == transactions.c.id)
        .where(journal.c.seq.is_(None)).order_by(transactions.c.created_at, transactions.c.id)
    ).scalars()
    for txn_id in unjournaled:
        yield Break(None, f"transaction {txn_id} has no journal entry")
    # Per batch and account kind: what went in (debits) and what went out (credits).
    sums = conn.execute(
        select(p.batch_id, accounts.c.kind, func.sum(case((p.amount_fen > 0, p.amount_fen), else_=0)),
               func.sum(case((p.amount_fen < 0, -p.amount_fen), else_=0)))
        .join(accounts, accounts.c.id == p.account_id).where(p.batch_id.is_not(None))
        .group_by(p.batch_id, accounts.c.kind)
    )
    by_batch: dict[str, dict[str, tuple[int, int]]] = {}
    for batch_id, account_kind, debit, credit in sums:
        by_batch.setdefault(batch_id, {})[account_kind] = (int(debit), int(credit))
    for b in conn.execute(select(batches.c.id, batches.c.status, batches.c.funded_fen).order_by(batches.c.id)):
        yield from batch_breaks(b.id, b.status, b.funded_fen, by_batch.get(b.id, {}))


def batch_breaks(batch_id: str, status: str, funded_fen: int, sums: dict[str, tuple[int, int]]) -> Iterator[Break]:
    """funded = paid + refunded + outstanding (clearing and suspense), an empty clearing account
    once the batch is closed, and what is due back from the bank equal to the payments it made
    without our instruction. Funding is what left the budget, refunds what came back."""
    def balance(kind: str) -> int:
        debit, credit = sums.get(kind, (0, 0))
        return debit - credit

    refunded, funded_ledger = sums.get("budget", (0, 0))
    paid, outstanding = balance("paid"), balance("clearing") + balance("suspense")
    if funded_ledger != funded_fen:
        yield Break(None, f"batch {batch_id}: funded_fen is {funded_fen}, the ledger funded {funded_ledger} fen")
    if funded_fen != paid + refunded + outstanding:
        yield Break(None, f"batch {batch_id}: funded {funded_fen} fen != paid {paid} + refunded {refunded} "
                          f"+ outstanding {outstanding}")
    if status == "CLOSED" and balance("clearing") != 0:
        yield Break(None, f"batch {batch_id} is CLOSED with {balance('clearing')} fen left in clearing")
    if balance("due") + balance("unauthorized") != 0:
        yield Break(None, f"batch {batch_id}: due back from the bank {balance('due')} fen, but the bank's "
                          f"unauthorized payments are {-balance('unauthorized')} fen")


def _entry_of(conn: Connection, txn_id: str) -> int | None:
    return conn.execute(select(journal.c.seq).where(journal.c.transaction_id == txn_id)).scalar()


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one state of the database throughout, so that verifying beside
    running instances does not take their commits in between two queries for breaks."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            yield conn
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN")  # pysqlite begins only before writes; a read must begin too
        yield conn


def verify(conn: Connection) -> Report:
    """Walk the whole chain and check the ledger's invariants; every break, first one first."""
    head = conn.execute(select(journal_head.c.seq, journal_head.c.digest).where(journal_head.c.id == 1)).one()
    txn_breaks: list[Break] = []
    chain = list(walk(_checked_transactions(conn, _stored_entries(conn), txn_breaks), tuple(head)))
    breaks = sorted(chain + txn_breaks, key=lambda b: b.seq)  # stable: the chain's own break first
    breaks += _invariants(conn)
    count = select(func.count())
    return Report(
        entries=conn.execute(count.select_from(journal)).scalar_one(),
        transactions=conn.execute(count.select_from(transactions)).scalar_one(),
        batches=conn.execute(count.select_from(batches)).scalar_one(),
        breaks=breaks,
    )
