"""The evidence trail: a hash-chained journal of every ledger transaction and state change.

Every ledger transaction and every change of state of a batch, of lines and of a file is
appended to ``journal`` in the same database transaction as the change, so a rollback removes
both (a rollback to a savepoint too). Each entry carries the digest of the one before: ``digest = SHA-256(prev_digest ||
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
           operations, not read off one row. The last ``lines`` entry of each batch in a
           database transaction also records ``after``: the batch's lines as that transaction
           leaves them, per status the count and the sum of their seqs (see ``line_states``),
           so ``verify`` can compare the table with the state the journal last recorded.

Entries of a database transaction are queued while it runs and chained when it commits (an
engine ``commit`` listener, just before the database commits): the head row ``journal_head``
is locked only then, so instances sharing one PostgreSQL append one after the other without
holding that lock through a long booking, and without the deadlock of taking it before some
row lock another transaction holds while it waits for the head. On SQLite the single write lock
serialises appends anyway. Seqs therefore follow commit order and have no gaps: a rolled-back
transaction never took one.

The first part of this module is the chain itself, pure and testable without a database. The
last checks the evidence: the database's own integrity (``damage_breaks``, ``catalogue_breaks``),
the chain, each transaction against its entry, each line's, file's and batch's state against the
state the journal last recorded for it, and the ledger's invariants (``verify``, and
``verify_url`` for a database named by URL, which reports even a file that is no database as a
break).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, case, event, func, insert, make_url, select, update
from sqlalchemy.exc import DBAPIError

from i18n import Named, Phrase
from ledger import guards
from ledger.schema import accounts, batches, files, journal, journal_head, lines, postings, transactions

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
    """Where the evidence stops agreeing: the journal entry (when one is to blame) and how.

    ``said`` is the problem as catalogue words (i18n/catalogue_verify.py), so that ``ykt verify``
    says it in the reader's language; ``problem`` its English text (what tests and auditors'
    scripts read). What the database itself wrote (SQLite's findings, a driver's message) is
    data inside the words, as it is."""

    seq: int | None
    said: Phrase

    @property
    def problem(self) -> str:
        return str(self.said)

    def words(self) -> Phrase:
        """The break as people read it, with the entry to blame."""
        return self.said if self.seq is None else Phrase.of("verify.entry", seq=self.seq, problem=self.said)

    def __str__(self) -> str:
        return str(self.words())


def walk(stored: Iterable[tuple[Entry, str, str]], head: tuple[int, str]) -> Iterator[Break]:
    """Check a chain given as (entry, stored prev_digest, stored digest) in seq order, and the
    head row's (seq, digest). Yields every break in order; after one, the walk goes on from
    the stored digest, so an altered entry shows as one break, not as all that follow it."""
    last_seq, last_digest = 0, GENESIS
    for entry, prev_digest, digest in stored:
        if entry.seq != last_seq + 1:
            missing = (Phrase.of("verify.chain.one_missing", seq=last_seq + 1) if entry.seq == last_seq + 2
                       else Phrase.of("verify.chain.missing", first=last_seq + 1, last=entry.seq - 1))
            yield Break(entry.seq, Phrase.of("verify.chain.follows", last=last_seq, missing=missing))
        elif prev_digest != last_digest:
            yield Break(entry.seq, Phrase.of("verify.chain.prev_digest", prev_digest=prev_digest, last=last_seq,
                                             digest=last_digest))
        expected = chain_digest(prev_digest, entry)
        if digest != expected:
            yield Break(entry.seq, Phrase.of("verify.chain.content", stored=digest, recomputed=expected))
        last_seq, last_digest = entry.seq, digest
    head_seq, head_digest = head
    if (head_seq, head_digest) != (last_seq, last_digest):
        yield Break(last_seq + 1 if head_seq > last_seq else head_seq,
                    Phrase.of("verify.chain.head", head_seq=head_seq, head_digest=head_digest, last_seq=last_seq,
                              last_digest=last_digest))


# --- appending, inside the caller's transaction -----------------------------------------------

_PENDING = "ykt.journal.pending"
_SAVEPOINTS = "ykt.journal.savepoints"  # the queue's length at each savepoint open now


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
    conn.info.pop(_SAVEPOINTS, None)
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
    pending = _with_line_states(conn, pending)
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


def line_states(conn: Connection, batch_id: str) -> dict[str, list[int]]:
    """A batch's lines as ``{status: [count, sum of seqs]}``.

    Why these two numbers: they cost one grouped read of the batch's lines per database
    transaction (not a journal row per line, which would double the cost of booking a million-
    line file), yet a line whose status was changed, a line removed and a line added all change
    them, and when only one line differs the difference of the sums is its seq, so ``verify``
    can name it. They are a checksum, not a seal: like the chain itself (which has no secret),
    they find damage and hand edits, not someone who rewrites the evidence to match.
    """
    rows = conn.execute(
        select(lines.c.status, func.count(), func.coalesce(func.sum(lines.c.seq), 0))
        .where(lines.c.batch_id == batch_id).group_by(lines.c.status)
    )
    return {status: [int(n), int(total)] for status, n, total in rows}


def _with_line_states(conn: Connection, pending: list[tuple]) -> list[tuple]:
    """The last ``lines`` entry of each batch in this transaction gets ``after``: the batch's line
    states as the transaction leaves them. Read under the head's lock, just before the commit:
    every transaction chained before this one has committed by then, and a statement sees what
    they committed (READ COMMITTED), so entries' ``after`` follow one another in seq order even
    when two transactions change lines of one batch at once."""
    last = {fields[3]: i for i, fields in enumerate(pending) if fields[2] == "lines"}
    for batch_id, i in last.items():
        *head, payload = pending[i]
        pending[i] = (*head, canonical({**json.loads(payload), "after": line_states(conn, batch_id)}))
    return pending


@event.listens_for(Engine, "rollback")
def _drop_queued(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)
    conn.info.pop(_SAVEPOINTS, None)


@event.listens_for(Engine, "savepoint")
def _mark_savepoint(conn: Connection, _name) -> None:
    """Where the queue stood when a savepoint was taken (savepoints nest, so a stack): rolling
    back to it drops the entries of the changes it undoes (a part of a result file quarantined
    alone, service.ingest)."""
    queued = conn.info.get(_PENDING)
    fresh = queued is not None and queued[0] is conn.get_transaction()
    conn.info.setdefault(_SAVEPOINTS, []).append(len(queued[1]) if fresh else 0)


@event.listens_for(Engine, "rollback_savepoint")
def _drop_since_savepoint(conn: Connection, _name, _context) -> None:
    marks = conn.info.get(_SAVEPOINTS)
    at = marks.pop() if marks else None
    queued = conn.info.get(_PENDING)
    if at is not None and queued is not None and queued[0] is conn.get_transaction():
        del queued[1][at:]


@event.listens_for(Engine, "release_savepoint")
def _forget_savepoint(conn: Connection, _name, _context) -> None:
    marks = conn.info.get(_SAVEPOINTS)
    if marks:
        marks.pop()


# --- what the repository records ------------------------------------------------------------

_STREAM = {"stream_results": True, "yield_per": 10_000}


def postings_digest(conn: Connection, txn_id: str) -> tuple[RowsDigest, int]:
    """The digest of a transaction's postings as stored, and the fen it moved (its debits).

    Read as plain DB-API tuples, a few thousand at a time: a result file's transaction has a
    posting per record, and result-row objects cost a second per million here."""
    out, moved = RowsDigest(), 0
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(f"SELECT p.n, a.code, p.amount_fen, p.batch_id, p.seq FROM {postings.name} p "
                       f"JOIN {accounts.name} a ON a.id = p.account_id WHERE p.transaction_id = {mark} "
                       f"ORDER BY p.n", (txn_id,))
        while part := cursor.fetchmany(10_000):
            out.add_rows(part)
            moved += sum([row[2] for row in part if row[2] > 0])
    finally:
        cursor.close()
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
    database: Phrase | str = ""  # what was checked of the database itself (``database_checks``)
    walked: bool = True  # False: the database itself is broken, the journal was not read

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
                breaks.append(Break(entry.seq, Phrase.of("verify.txn.not_in_ledger", txn=entry.transaction_id)))
            else:
                digest, moved = postings_digest(conn, txn.id)
                found = json.loads(canonical(_txn_payload(txn.kind, txn.memo, digest, moved)))
                recorded = json.loads(entry.payload)
                differs = sorted(k for k in found.keys() | recorded.keys() if found.get(k) != recorded.get(k))
                if differs:
                    what = tuple(Phrase.of("verify.txn.field_differs", field=Named("verify.txn_field", k),
                                           journaled=repr(recorded.get(k)), found=repr(found.get(k))) for k in differs)
                    breaks.append(Break(entry.seq, Phrase.of("verify.txn.differs", txn=txn.id, what=what)))
        yield item


@dataclass
class _LastRecorded:
    """The state the journal last recorded for each file, batch and batch's lines, with the seq of
    the entry that recorded it, gathered while the chain is walked."""

    files: dict[int, tuple[int, str]]
    batches: dict[str, tuple[int, str]]
    lines: dict[str, tuple[int, dict[str, list[int]]]]


def _noting_states(stored: Iterable[tuple[Entry, str, str]], last: _LastRecorded) -> Iterator[tuple[Entry, str, str]]:
    """Pass the chain through, noting the last recorded state of every file, batch and batch's lines."""
    for item in stored:
        entry = item[0]
        if entry.kind in ("file", "batch", "lines"):
            try:
                payload = json.loads(entry.payload)
            except ValueError:  # an altered entry: the walk names it
                payload = None
            payload = payload if isinstance(payload, dict) else {}
            values = payload.get("values")
            values = values if isinstance(values, dict) else {}
            if entry.kind == "file" and "state" in values:
                last.files[entry.file_id] = (entry.seq, values["state"])
            elif entry.kind == "batch" and "status" in values:
                last.batches[entry.batch_id] = (entry.seq, values["status"])
            elif entry.kind == "lines" and entry.batch_id is not None and _is_line_states(payload.get("after")):
                last.lines[entry.batch_id] = (entry.seq, payload["after"])
        yield item


def _is_line_states(value: Any) -> bool:
    """``line_states`` as an entry holds it (an altered entry may hold anything: the walk names it)."""
    return isinstance(value, dict) and all(
        isinstance(v, list) and len(v) == 2 and all(isinstance(n, int) for n in v) for v in value.values())


def _state_breaks(conn: Connection, last: _LastRecorded) -> Iterator[Break]:
    """Every file's, batch's and batch's lines' current state against the journal's last record.

    Why: an entry is written with every change the code makes, so a state the journal never set
    was set behind the code's back (a hand edit, a restored row, damage) and a row the journal
    knows but the table lacks was removed."""
    yield from _row_breaks(conn, "file", files.c.id, files.c.state, "state", last.files)
    yield from _row_breaks(conn, "batch", batches.c.id, batches.c.status, "status", last.batches)
    found: dict[str, dict[str, list[int]]] = {}
    grouped = select(lines.c.batch_id, lines.c.status, func.count(), func.coalesce(func.sum(lines.c.seq), 0))
    for batch_id, status, n, total in conn.execute(grouped.group_by(lines.c.batch_id, lines.c.status)):
        found.setdefault(batch_id, {})[status] = [int(n), int(total)]
    for batch_id in sorted(found.keys() | last.lines.keys()):
        if batch_id not in last.lines:
            count = sum(n for n, _ in found[batch_id].values())
            yield Break(None, Phrase.of("verify.lines.unrecorded", batch=batch_id, count=count))
            continue
        seq, recorded = last.lines[batch_id]
        problem = _lines_differ(recorded, found.get(batch_id, {}))
        if problem:
            yield Break(seq, Phrase.of("verify.lines.differ", batch=batch_id, problem=problem))


def _row_breaks(conn: Connection, what: str, key, column, name: str,
                recorded: dict[Any, tuple[int, str]]) -> Iterator[Break]:
    """Rows of one table (files or batches) against the state the journal last set each to."""
    table, states = Named("verify.table", key.table.name), f"{what}_{name}"  # file_state, batch_status
    name = Named("field", name)
    recorded = dict(recorded)

    def thing(row_id) -> Phrase:
        return Phrase.of("verify.thing", what=Named("verify.thing", what), id=row_id)

    for row_id, state in conn.execute(select(key, column).order_by(key)):
        seq, journaled = recorded.pop(row_id, (None, None))
        if seq is None:
            yield Break(None, Phrase.of("verify.row.unrecorded", thing=thing(row_id), table=table,
                                        state=_code(states, state)))
        elif state != journaled:
            yield Break(seq, Phrase.of("verify.row.differs", thing=thing(row_id), name=name,
                                       state=_code(states, state), table=table,
                                       journaled=_code(states, journaled)))
    for row_id, (seq, journaled) in sorted(recorded.items(), key=lambda kv: kv[1][0]):
        yield Break(seq, Phrase.of("verify.row.missing", thing=thing(row_id), journaled=_code(states, journaled),
                                   table=table))


def _code(kind: str, value: Any) -> Named | Any:
    """A state as found (``line_status``, ``file_state``...): named in Chinese when it is a code; an
    altered entry's value of another type is shown as it is."""
    return Named(kind, value) if isinstance(value, str) else value


def lines_differ(recorded: dict[str, list[int]], found: dict[str, list[int]]) -> str | None:
    """In words, how a batch's line states (``line_states``) differ from those recorded; None if
    they agree. One line changed, removed or added is named by its seq: the sums differ by it."""
    said = _lines_differ(recorded, found)
    return None if said is None else str(said)


def _lines_differ(recorded: dict[str, list[int]], found: dict[str, list[int]]) -> Phrase | None:
    """``lines_differ`` in catalogue words."""
    delta = {}
    for status in sorted(recorded.keys() | found.keys()):
        (n0, s0), (n1, s1) = recorded.get(status, [0, 0]), found.get(status, [0, 0])
        if (n0, s0) != (n1, s1):
            delta[status] = (n1 - n0, s1 - s0)
    if not delta:
        return None
    gone = [(status, -d_sum) for status, (d_n, d_sum) in delta.items() if d_n == -1]
    came = [(status, d_sum) for status, (d_n, d_sum) in delta.items() if d_n == 1]
    if len(delta) == 2 and len(gone) == len(came) == 1 and gone[0][1] == came[0][1] > 0:
        return Phrase.of("verify.line.changed", seq=came[0][1], status=_code("line_status", came[0][0]),
                         recorded=_code("line_status", gone[0][0]))
    if len(delta) == 1 and len(gone) == 1 and gone[0][1] > 0:
        return Phrase.of("verify.line.missing", seq=gone[0][1], recorded=_code("line_status", gone[0][0]))
    if len(delta) == 1 and len(came) == 1 and came[0][1] > 0:
        return Phrase.of("verify.line.unrecorded", seq=came[0][1], status=_code("line_status", came[0][0]))
    return Phrase.of("verify.lines.counts", counts=tuple(
        Phrase.of("verify.lines.count", status=_code("line_status", status), n=found.get(status, [0, 0])[0],
                  recorded=recorded.get(status, [0, 0])[0], sum=found.get(status, [0, 0])[1],
                  recorded_sum=recorded.get(status, [0, 0])[1]) for status in delta))


def _invariants(conn: Connection) -> Iterator[Break]:
    """The ledger's own rules, whatever the journal says."""
    p = postings.c
    unbalanced = conn.execute(
        select(p.transaction_id, func.sum(p.amount_fen), func.count()).group_by(p.transaction_id)
        .having((func.sum(p.amount_fen) != 0) | (func.count() < 2)).order_by(p.transaction_id)
    )
    for txn_id, total, count in unbalanced:
        yield Break(_entry_of(conn, txn_id), Phrase.of("verify.txn.unbalanced", txn=txn_id, count=count,
                                                       total=int(total)))
    unjournaled = conn.execute(
        select(transactions.c.id).outerjoin(journal, journal.c.transaction_id == transactions.c.id)
        .where(journal.c.seq.is_(None)).order_by(transactions.c.created_at, transactions.c.id)
    ).scalars()
    for txn_id in unjournaled:
        yield Break(None, Phrase.of("verify.txn.unjournaled", txn=txn_id))
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
        yield Break(None, Phrase.of("verify.batch.funded_differs", batch=batch_id, funded=funded_fen,
                                    ledger=funded_ledger))
    if funded_fen != paid + refunded + outstanding:
        yield Break(None, Phrase.of("verify.batch.unbalanced", batch=batch_id, funded=funded_fen, paid=paid,
                                    refunded=refunded, outstanding=outstanding))
    if status == "CLOSED" and balance("clearing") != 0:
        yield Break(None, Phrase.of("verify.batch.clearing_left", batch=batch_id, fen=balance("clearing")))
    if balance("due") + balance("unauthorized") != 0:
        yield Break(None, Phrase.of("verify.batch.due_differs", batch=batch_id, due=balance("due"),
                                    unauthorized=-balance("unauthorized")))


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
    """Walk the whole chain, check every file's, batch's and line's state against the journal's
    last record of it and the ledger's invariants; every break, first one first."""
    head = conn.execute(select(journal_head.c.seq, journal_head.c.digest).where(journal_head.c.id == 1)).one()
    txn_breaks: list[Break] = []
    last = _LastRecorded({}, {}, {})
    stored = _noting_states(_checked_transactions(conn, _stored_entries(conn), txn_breaks), last)
    chain = list(walk(stored, tuple(head)))
    breaks = sorted(chain + txn_breaks, key=lambda b: b.seq)  # stable: the chain's own break first
    breaks += _state_breaks(conn, last)
    breaks += _invariants(conn)
    count = select(func.count())
    return Report(
        entries=conn.execute(count.select_from(journal)).scalar_one(),
        transactions=conn.execute(count.select_from(transactions)).scalar_one(),
        batches=conn.execute(count.select_from(batches)).scalar_one(),
        breaks=breaks,
    )


# --- the database itself ----------------------------------------------------------------------

SQLITE_HEADER = b"SQLite format 3\x00"


def one_line(exc: BaseException) -> str:
    """An error as one plain line: the driver's own message where SQLAlchemy wraps one (its text
    adds the SQL and a link over several lines), whitespace folded."""
    inner = getattr(exc, "orig", None) or exc
    text = " ".join(str(inner).split()) or "no message"
    return f"{type(inner).__name__}: {text}"


def _database(problem: Phrase) -> Break:
    """A break in the database itself (``database: ...``): no journal entry is to blame."""
    return Break(None, Phrase.of("verify.database", problem=problem))


def sqlite_file_break(url: str) -> Break | None:
    """What is wrong with a SQLite ledger's file before it is opened, if anything: missing (opening
    it would make an empty one), not a database, or shorter than its header says."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    path = Path(database)
    if not path.is_file():
        return _database(Phrase.of("verify.db.not_a_file", path=path))
    size = path.stat().st_size
    with path.open("rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_HEADER):
        return _database(Phrase.of("verify.db.not_sqlite", path=path, size=size))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages, counter, valid_for = (int.from_bytes(header[i:i + 4], "big") for i in (28, 24, 92))
    wal = path.with_name(path.name + "-wal")
    no_wal = not wal.exists() or wal.stat().st_size == 0  # else the newest pages may be in the WAL
    if no_wal and pages and counter == valid_for and size < pages * page_size:
        return _database(Phrase.of("verify.db.truncated", path=path, size=size, pages=pages, page_size=page_size,
                                   total=pages * page_size))
    return None


def _trigger_names(dialect: str) -> list[str]:
    """The guard triggers the migrations create (ledger/guards.py) on this database."""
    ddl = guards.statements(dialect) + guards.journal_statements(dialect)
    return [m.group(1) for s in ddl for m in re.finditer(r"CREATE TRIGGER (\w+)", s)]


def _sqlite_damage(conn: Connection) -> Iterator[Break]:
    """SQLite's full check of its pages, indexes and constraints; what it finds is listed, or raised
    when the damage stops the check itself (then the error is the finding)."""
    try:
        problems = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check(10)")]
    except DBAPIError as exc:
        problems = [one_line(exc)]
    if problems != ["ok"]:
        yield _database(Phrase.of("verify.db.integrity_check", found="; ".join(problems)))


def _sqlite_catalogue(conn: Connection) -> Iterator[Break]:
    for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        yield _database(Phrase.of("verify.db.dangling", table=table, rowid=rowid, parent=parent))
    present = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
    for name in _trigger_names("sqlite"):
        if name not in present:
            yield _database(Phrase.of("verify.db.guard_missing", name=name))


_PG_CATALOGUE = {  # the words of what each query finds (``name``, ``table``), and the query
    "verify.db.index_invalid": """
        SELECT c.relname, t.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        WHERE c.relnamespace = current_schema()::regnamespace AND NOT (i.indisvalid AND i.indisready)
        ORDER BY 1""",
    "verify.db.trigger_disabled": """
        SELECT g.tgname, t.relname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
        WHERE t.relnamespace = current_schema()::regnamespace AND g.tgenabled = 'D' ORDER BY 2, 1""",
    "verify.db.constraint_unvalidated": """
        SELECT c.conname, t.relname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE c.connamespace = current_schema()::regnamespace AND NOT c.convalidated ORDER BY 2, 1""",
}


def _postgresql_catalogue(conn: Connection) -> Iterator[Break]:
    """PostgreSQL keeps its pages' checksums to itself; what a client can check is the catalogue:
    indexes valid, triggers (the guards, and the foreign keys' own) enabled, constraints
    validated, the guards present."""
    for problem, query in _PG_CATALOGUE.items():
        for name, table in conn.exec_driver_sql(query):
            yield _database(Phrase.of(problem, name=name, table=table))
    present = set(conn.exec_driver_sql(
        "SELECT g.tgname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid "
        "WHERE t.relnamespace = current_schema()::regnamespace").scalars())
    for name in _trigger_names("postgresql"):
        if name not in present:
            yield _database(Phrase.of("verify.db.guard_missing", name=name))


def _amcheck(conn: Connection) -> str | None:
    """The schema holding the ``amcheck`` extension's functions, if it is installed."""
    return conn.exec_driver_sql(
        "SELECT quote_ident(extnamespace::regnamespace::text) FROM pg_extension WHERE extname = 'amcheck'").scalar()


def _postgresql_damage(conn: Connection) -> Iterator[Break]:
    """With the ``amcheck`` extension installed (verify does not install it), each B-tree index's
    structure, against its table's rows where the extension can."""
    if (where := _amcheck(conn)) is None:
        return
    indexes = conn.exec_driver_sql(
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
        "WHERE c.relkind = 'i' AND a.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace "
        "ORDER BY c.relname").all()
    for oid, name in indexes:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"SELECT {where}.bt_index_check({int(oid)}, true)")
        except Exception as exc:  # noqa: BLE001 - amcheck's finding is the break
            yield _database(Phrase.of("verify.db.amcheck", name=name, error=one_line(exc)))


def _migrations_config():
    from alembic.config import Config

    from ledger.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _revision_break(conn: Connection) -> Break | None:
    """A database not at this code's revision: its tables are not what the checks read."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    at = MigrationContext.configure(conn).get_current_revision()
    head = ScriptDirectory.from_config(_migrations_config()).get_current_head()
    return None if at == head else _database(Phrase.of("verify.db.revision", at=at, head=head))


def _schema_breaks(conn: Connection) -> Iterator[Break]:
    """Tables, columns, indexes and keys against ledger/schema.py (what
    ``tests/integration/ledger/test_migrations.py`` holds for a fresh database)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ledger.schema import metadata

    for diff in compare_metadata(MigrationContext.configure(conn), metadata):
        yield _database(Phrase.of("verify.db.schema_differs", diff=_diff_text(diff)))


def _diff_text(diff) -> Phrase:
    """One Alembic autogenerate difference in words: ``add_x`` is in the schema and missing from
    the database, ``remove_x`` the other way round, ``modify_x`` a column that differs."""
    if isinstance(diff, list):  # [(modify_type|nullable|default, schema, table, column, info, was, is), ...]
        op, _schema, table, column, _info, found, wanted = diff[0]
        return Phrase.of("verify.schema.modified", table=table, column=column,
                         what=Named("verify.schema_property", op.removeprefix("modify_")), found=found, wanted=wanted)
    op, *args = diff
    thing, kind = args[-1], op.split("_", 1)[1]
    name = getattr(thing, "name", None) or "(unnamed)"
    table = args[1] if kind == "column" else getattr(getattr(thing, "table", None), "name", None)
    what = Named("verify.schema_kind", kind)
    where = (Phrase.of("verify.schema.column", table=table, name=name) if kind == "column"
             else Phrase.of("verify.schema.on_table", kind=what, name=name, table=table) if table and kind != "table"
             else Phrase.of("verify.schema.named", kind=what, name=name))
    return Phrase.of("verify.schema.missing" if op.startswith("add") else "verify.schema.extra", thing=where)


def damage_breaks(conn: Connection) -> list[Break]:
    """What makes the rest of verification pointless: damaged pages, or another schema revision."""
    found = list(_sqlite_damage(conn) if conn.dialect.name == "sqlite" else _postgresql_damage(conn))
    if not found and (revision := _revision_break(conn)) is not None:
        found.append(revision)
    return found


def catalogue_breaks(conn: Connection) -> list[Break]:
    """What is wrong with the database's structure: missing guards, dangling or unenforced keys,
    invalid indexes, a schema unlike ledger/schema.py. Listed after the ledger's own breaks:
    those say what is wrong with the evidence, these how it could have come about."""
    found = list(_sqlite_catalogue(conn) if conn.dialect.name == "sqlite" else _postgresql_catalogue(conn))
    return found + list(_schema_breaks(conn))


def database_checks(conn: Connection) -> Phrase:
    """What ``damage_breaks`` and ``catalogue_breaks`` check on this database, in words."""
    if conn.dialect.name == "sqlite":
        return Phrase("verify.checks.sqlite")
    return Phrase("verify.checks.postgresql_amcheck" if _amcheck(conn) is not None else "verify.checks.postgresql")


def verify_url(url: str) -> Report:
    """Verify the ledger at ``url`` whatever state it is in: a file that is missing, no database,
    truncated or damaged, or a database that cannot be read to the end, is a break like any
    other (the caller prints one line and exits non-zero), never an exception."""
    from ledger.db import make_engine

    engine = None
    try:
        if url.startswith("sqlite") and (found := sqlite_file_break(url)) is not None:
            return Report(0, 0, 0, [found], walked=False)
        engine = make_engine(url)
        with engine.connect() as conn:
            what, stop = database_checks(conn), damage_breaks(conn)
        if stop:  # the ledger's own checks would read what is already known to be wrong
            return Report(0, 0, 0, stop, what, walked=False)
        with snapshot(engine) as conn:
            report = verify(conn)
            report.breaks += catalogue_breaks(conn)
        report.database = what
        return report
    except Exception as exc:  # noqa: BLE001 - a database that cannot be read is what verify reports
        return Report(0, 0, 0, [_database(Phrase.of("verify.db.unreadable", error=one_line(exc)))], walked=False)
    finally:
        if engine is not None:
            engine.dispose()
