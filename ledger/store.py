"""The repository: every read and write the service layer makes, on one open connection.

Each function takes a SQLAlchemy ``Connection`` whose transaction the caller owns (the service
layer opens it with ``engine.begin()``), so a use case is all-or-nothing. Bulk work is done in
set-based statements or ``executemany`` chunks, never a query per line.
"""
from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.eligibility import SCREENED, Candidate, OtherLine, StopEntry, StopHit, StopKind
from domain.masking import mask_account, mask_id
from domain.model import AccountKind, BatchStatus, FileState, LineIssue, LineStatus, PaymentLine, PaymentOutcome
from domain.postings import ACCOUNT_KINDS, BatchAccounts, Entry
from domain.validation import ACCOUNT_SHARED, DUPLICATE_PERSON
from ledger import journal
from ledger.schema import (
    accounts,
    audit_events,
    batches,
    files,
    leases,
    line_issues,
    lines,
    postings,
    result_lines,
    stop_entries,
    transactions,
)
from privacy.cipher import ACCOUNT, ID, PHONE, FieldCipher  # field names bound into every ciphertext

CHUNK = 5000
_SQLITE_ROWS = 2000  # rows per INSERT at most, however many SQLite could bind


def bulk_insert(conn: Connection, table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert many rows fast, inside the caller's transaction.

    PostgreSQL gets ``COPY``; SQLite multi-row ``INSERT`` statements at the driver, each as
    many rows as SQLite binds at once. Both are several times faster than row dictionaries
    through SQLAlchemy, which matters at a million lines. Many rows a statement rather than an
    ``executemany`` of one row each because Python's sqlite3 lets go of the GIL only while a
    statement runs: a long statement lets another thread work meanwhile (a submission checks
    its next chunk while this one is written, see ``service/submission.py``).
    """
    names = ", ".join(columns)
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        with dbapi.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    rows = rows if isinstance(rows, list) else list(rows)
    per = max(1, min(_SQLITE_ROWS, dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)))
    row_marks = f"({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES {', '.join([row_marks] * len(part))}",
                             tuple(chain.from_iterable(part)))


# --- accounts and transactions -------------------------------------------------------------


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
    """Book the staged results of one file: ledger postings and line statuses, set-based.

    Each staged record becomes a debit to paid or suspense (``BatchAccounts.result_account``)
    tied to its line, and one credit of their total leaves clearing. Returns (lines, fen).
    """
    ids = account_ids(conn, [acct.paid, acct.suspense, acct.clearing])
    txn_id = uuid.uuid4().hex
    staged = result_lines.c
    conn.execute(
        insert(postings).from_select(
            ["transaction_id", "n", "account_id", "amount_fen", "batch_id", "seq"],
            select(
                literal(txn_id),
                staged.ordinal + 1,
                case(
                    (staged.outcome == PaymentOutcome.PAID.value, ids[acct.paid]),
                    else_=ids[acct.suspense],
                ),
                staged.amount_fen,
                staged.batch_id,
                staged.seq,
            ).where(staged.file_id == file_id),
        )
    )
    count, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(staged.amount_fen), 0)).where(
            staged.file_id == file_id
        )
    ).one()
    count, total = int(count), int(total)  # PostgreSQL sums BIGINT as NUMERIC
    conn.execute(
        insert(postings).values(
            transaction_id=txn_id,
            n=0,
            account_id=ids[acct.clearing],
            amount_fen=-total,
            batch_id=batch_id,
            seq=None,
        )
    )
    _seal(conn, txn_id, "RESULT", batch_id, f"bank results for batch {batch_id}", now, file_id)
    conn.execute(
        update(lines)
        .where(
            and_(
                lines.c.batch_id == staged.batch_id,
                lines.c.seq == staged.seq,
                staged.file_id == file_id,
            )
        )
        .values(
            status=staged.outcome,
            reason=staged.reason,
            bank_reason_code=staged.bank_reason_code,
            bank_reason_text=staged.bank_reason_text,
            result_file_id=file_id,
        )
    )
    journal.lines_booked(conn, batch_id, file_id, txn_id, count)
    return count, total


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


def list_transactions(conn: Connection, batch_id: str | None, limit: int) -> list[TransactionView]:
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


# --- batches and lines ---------------------------------------------------------------------


def insert_batch(conn: Connection, **values: Any) -> None:
    conn.execute(insert(batches).values(**values))
    journal.batch_changed(conn, values["id"], None, values)


_LINE_COLUMNS = (
    "batch_id", "seq", "name", "id_sealed", "id_index", "id_masked", "id_region", "account_sealed",
    "account_index", "account_masked", "account_kind", "amount_fen", "bank_name", "subsidy_item",
    "remark", "phone_sealed", "address", "household_no", "status",
)


def insert_line_rows(conn: Connection, batch_id: str, rows: Sequence[tuple]) -> None:
    """Store rows made by :func:`make_line_rows` (identity, account and phone numbers only sealed)."""
    if rows:
        bulk_insert(conn, lines, _LINE_COLUMNS, rows)
        journal.lines_changed(conn, batch_id, "insert", sorted((row[1], row[-1]) for row in rows))


def replace_line(conn: Connection, cipher: FieldCipher, batch_id: str, ln: PaymentLine, status: LineStatus) -> None:
    """A corrected line takes the place of the rejected or held one with the same seq."""
    (row,) = make_line_rows(batch_id, [ln], [status], seal_lines(cipher, [ln]))
    conn.execute(update(lines).where(lines.c.batch_id == batch_id, lines.c.seq == ln.seq)
                 .values(**dict(zip(_LINE_COLUMNS, row, strict=True))))
    journal.lines_changed(conn, batch_id, "replace", [(ln.seq, status.value)])


@dataclass(frozen=True)
class SealedLines:
    """The personal numbers of a chunk of lines as stored: blind indexes (for look-ups and
    screening) and AES-GCM seals, in the order of the lines."""

    id_index: list[bytes]
    account_index: list[bytes]
    id_sealed: list[bytes]
    account_sealed: list[bytes]
    phone_sealed: list[bytes | None]


def seal_lines(cipher: FieldCipher, chunk: Sequence[PaymentLine]) -> SealedLines:
    """Index and seal a chunk at a time (one random draw for all nonces, no per-value set-up):
    at a million lines this is a good part of a submission."""
    ids = [ln.id_number.upper() for ln in chunk]
    accounts = [ln.account_no for ln in chunk]
    return SealedLines(cipher.index_many(ID, ids), cipher.index_many(ACCOUNT, accounts),
                       cipher.seal_many(ID, ids), cipher.seal_many(ACCOUNT, accounts),
                       cipher.seal_many(PHONE, [ln.phone or None for ln in chunk]))


def make_line_rows(batch_id: str, chunk: Sequence[PaymentLine], statuses: Sequence[LineStatus],
                   sealed: SealedLines) -> list[tuple]:
    """Rows of ``lines``: the sealed numbers, their masks, and the rest of each line as sent."""
    rows = []
    append, rejected = rows.append, LineStatus.REJECTED
    for ln, status, id_seal, id_ix, acct_seal, acct_ix, phone in zip(
            chunk, statuses, sealed.id_sealed, sealed.id_index, sealed.account_sealed, sealed.account_index,
            sealed.phone_sealed, strict=True):
        id_number = ln.id_number.upper()
        region = id_number[:6]
        row = (batch_id, ln.seq, ln.name, id_seal, id_ix, mask_id(id_number), region if region.isdigit() else "",
               acct_seal, acct_ix, mask_account(ln.account_no), str(ln.account_kind), ln.amount_fen, ln.bank_name,
               ln.subsidy_item, ln.remark, phone, ln.address, ln.household_no, str(status))  # str(): the value, in C
        append(row if status is not rejected else _fitted(row))
    return rows


# Column widths of the text a rejected line may carry beyond them (accepted lines were checked).
_WIDTHS = {2: 64, 5: 24, 9: 40, 10: 24, 12: 140, 13: 140, 14: 140, 16: 140, 17: 32}


def _fitted(row: tuple) -> tuple:
    return tuple(_fit(v, _WIDTHS[i]) if i in _WIDTHS else v for i, v in enumerate(row))


def _fit(text: str, width: int) -> str:
    """A rejected line is kept as sent, within the column; accepted lines were checked to fit."""
    return text if len(text) <= width else text[: width - 1] + "…"



def _seq_chunks(seqs: Iterable[int]) -> Iterator[list[int]]:
    """Sorted distinct seqs in lists small enough to bind."""
    return _bounded(sorted(set(seqs)))


def _bounded(values: list) -> Iterator[list]:
    """``values`` in lists small enough to bind in one statement (SQLite takes at most 999)."""
    for start in range(0, len(values), 900):
        yield values[start:start + 900]


def set_line_status(conn: Connection, batch_id: str, seqs: Iterable[int], status: LineStatus) -> None:
    seqs = sorted(set(seqs))
    journal.lines_changed(conn, batch_id, "set", ((seq, status.value) for seq in seqs))
    for chunk in _seq_chunks(seqs):
        conn.execute(update(lines).where(lines.c.batch_id == batch_id, lines.c.seq.in_(chunk))
                     .values(status=status.value))


def insert_issues(conn: Connection, batch_id: str, issues: Iterable[LineIssue], now: datetime) -> None:
    columns = ("batch_id", "seq", "code", "field", "severity", "message", "other_batch_id", "other_seq",
               "open", "created_at")
    bulk_insert(conn, line_issues, columns, (
        (batch_id, i.seq, i.code, i.field, i.severity, i.message[:400], i.other_batch_id, i.other_seq, 1, now)
        for i in issues
    ))


def close_issues(conn: Connection, batch_id: str, seqs: Iterable[int]) -> None:
    for chunk in _seq_chunks(seqs):
        conn.execute(update(line_issues).where(line_issues.c.batch_id == batch_id, line_issues.c.seq.in_(chunk))
                     .values(open=0))


def list_issues(conn: Connection, batch_id: str, *, open_only: bool, after_id: int, limit: int):
    query = (select(line_issues).where(line_issues.c.batch_id == batch_id, line_issues.c.id > after_id)
             .order_by(line_issues.c.id).limit(limit))
    if open_only:
        query = query.where(line_issues.c.open == 1)
    return conn.execute(query).all()


def refresh_statistics(conn: Connection, table: str) -> None:
    """Let PostgreSQL's planner see rows just copied in: without it, a join over a fresh
    million-row table is planned as if the table were empty, and runs for hours. SQLite plans
    by index and needs nothing."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {table}")


def probe_by_index(conn: Connection) -> None:
    """Make ``conn``, a connection that only screens, look lines up by their indexes for the
    rest of its transaction. On PostgreSQL it does not see the submission's own rows, nor
    statistics taken in the submission's transaction: while a batch adds a million rows to a
    table the planner last saw empty, it would scan the table for every chunk's probes."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")


def lines_sharing(conn: Connection, batch_id: str, id_indexes: Sequence[bytes],
                  account_indexes: Sequence[bytes]) -> list[OtherLine]:
    """Lines of other batches that screening may name (see ``eligibility.SCREENED``) and that
    hold one of these people or accounts, with their batch's program and period.

    Index probes for a chunk of candidates at a time: the cost follows the candidates and what
    they match, not the size of the table. While a submission grows the table in its open
    transaction the planner's statistics say nothing of it, so the query leaves the planner no
    other way in: on PostgreSQL the keys drive a lateral look-up each, kept apart from the join
    by ``OFFSET 0`` (it would otherwise go through the batches and their (batch, status) index);
    on SQLite the blind index is named. The statuses are sorted out here.
    """
    found: dict[tuple[str, int], OtherLine] = {}
    postgres = conn.dialect.name == "postgresql"
    for column, keys in (("id_index", id_indexes), ("account_index", account_indexes)):
        if postgres:
            source = f"unnest({{array}}) AS k(key) CROSS JOIN LATERAL (SELECT * FROM lines WHERE {column} = k.key OFFSET 0) o"
            where = ""
        else:
            source, where = f"lines o INDEXED BY ix_lines_{column}", f"o.{column} {{keys}} AND "
        for r in _probe(conn, keys, (
                "SELECT o.id_index, o.account_index, o.batch_id, o.seq, o.status, b.program, b.period "
                f"FROM {source} JOIN batches b ON b.id = o.batch_id WHERE {where}o.batch_id != {{p}}"), batch_id):
            if r[4] not in SCREENED:
                continue
            found[(r[2], r[3])] = OtherLine(bytes(r[0]), bytes(r[1]), *r[2:])
    return list(found.values())


def stop_entries_for(conn: Connection, id_indexes: Sequence[bytes]) -> list[StopHit]:
    """The stop entries of any of these people; which are active on a day is the domain's rule."""
    return [StopHit(bytes(key), entry_id, StopEntry(StopKind(kind), _day(start), _day(until), revoked is not None))
            for key, entry_id, kind, start, until, revoked in _probe(conn, id_indexes, (
                "SELECT id_index, id, kind, effective_from, effective_until, revoked_at "
                "FROM stop_entries WHERE id_index {keys}"))]


def _day(value: date | str | None) -> date | None:
    """A date column read at the driver (SQLite gives its text)."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def _probe(conn: Connection, keys: Sequence[bytes], sql: str, *params) -> list[tuple]:
    """Rows of ``sql`` whose ``{keys}`` matches any of ``keys`` (on PostgreSQL ``{array}`` may
    take the keys as an array instead), ``{p}`` taking ``params`` in order.

    At the driver: at a million lines SQLAlchemy's handling of each bound value would cost more
    than the index look-ups themselves. A bounded number of keys per statement, so that the
    planner always sees a handful of index probes.
    """
    postgres = conn.dialect.name == "postgresql"
    rows = []
    for part in _bounded(sorted(set(keys))):
        if postgres:
            rows += conn.exec_driver_sql(sql.format(keys="= ANY(%s)", array="%s::bytea[]", p="%s"),
                                         (part, *params)).all()
        else:
            rows += conn.exec_driver_sql(sql.format(keys=f"IN ({','.join('?' * len(part))})", p="?"),
                                         (*part, *params)).all()
    return rows


def screening_candidates(conn: Connection, batch_id: str, seqs: Sequence[int]) -> list[Candidate]:
    """The named lines that screening looks at: accepted or held (a rejected line waits for its
    correction, and is screened then)."""
    query = (select(lines.c.seq, lines.c.id_index, lines.c.account_index)
             .where(lines.c.batch_id == batch_id,
                    lines.c.status.in_([LineStatus.PENDING.value, LineStatus.HELD.value])))
    return [Candidate(r.seq, bytes(r.id_index), bytes(r.account_index)) for r in _for_seqs(conn, query, seqs, raw=True)]


def stop_hits(conn: Connection, batch_id: str) -> list[tuple[int, StopHit]]:
    """(seq, stop entry) for the batch's accepted lines whose person has a stop entry: the last
    look before approval, driven by the (short) stop list."""
    query = (
        select(lines.c.seq, stop_entries.c.id_index, stop_entries.c.id, stop_entries.c.kind,
               stop_entries.c.effective_from, stop_entries.c.effective_until, stop_entries.c.revoked_at)
        .join(stop_entries, stop_entries.c.id_index == lines.c.id_index)
        .where(lines.c.batch_id == batch_id, lines.c.status == LineStatus.PENDING.value)
        .order_by(lines.c.seq, stop_entries.c.id)
    )
    return [(r.seq, StopHit(bytes(r.id_index), r.id, StopEntry(StopKind(r.kind), r.effective_from,
                                                                r.effective_until, r.revoked_at is not None)))
            for r in conn.execute(query)]


def in_batch_duplicates(conn: Connection, batch_id: str, seqs: Sequence[int]) -> list[tuple[int, str, int]]:
    """(seq, code, other seq) for the given lines against the rest of their own batch: the same
    person twice, or one account for two people (submission checks these in memory)."""
    other = lines.alias("o")
    live = other.c.status != LineStatus.REMOVED.value
    out = []
    for code, cond in (
        (DUPLICATE_PERSON, other.c.id_index == lines.c.id_index),
        (ACCOUNT_SHARED, and_(other.c.account_index == lines.c.account_index, other.c.id_index != lines.c.id_index)),
    ):
        query = (
            select(lines.c.seq, literal(code), func.min(other.c.seq))
            .join(other, and_(other.c.batch_id == lines.c.batch_id, other.c.seq != lines.c.seq, cond, live))
            .where(lines.c.batch_id == batch_id)
            .group_by(lines.c.seq).order_by(lines.c.seq)
        )
        out += _for_seqs(conn, query, seqs)
    return out


def lines_by_seq(conn: Connection, batch_id: str, seqs: Sequence[int]):
    query = select(lines.c.seq, lines.c.status, lines.c.amount_fen).where(lines.c.batch_id == batch_id)
    return _for_seqs(conn, query, seqs, raw=True)


def open_issue_seqs(conn: Connection, batch_id: str, seqs: Sequence[int], codes: Iterable[str]) -> list[int]:
    out: set[int] = set()
    for chunk in _seq_chunks(seqs):
        out.update(conn.execute(
            select(line_issues.c.seq).where(
                line_issues.c.batch_id == batch_id, line_issues.c.open == 1,
                line_issues.c.code.in_(list(codes)), line_issues.c.seq.in_(chunk))
        ).scalars())
    return sorted(out)


def audit(conn: Connection, at: datetime, actor: str, action: str, batch_id: str | None, seq: int | None,
          detail: str) -> None:
    """Record who did what (personal data only masked in ``detail``)."""
    conn.execute(insert(audit_events).values(at=at, actor=actor or "?", action=action, batch_id=batch_id,
                                             seq=seq, detail=detail[:1000]))


def audit_trail(conn: Connection, batch_id: str):
    return conn.execute(select(audit_events).where(audit_events.c.batch_id == batch_id)
                        .order_by(audit_events.c.id)).all()


def _for_seqs(conn: Connection, query, seqs: Sequence[int] | None, raw: bool = False) -> list:
    """Run a query over a batch's lines, for all of them or only ``seqs`` (in bounded chunks)."""
    shape = (lambda r: r) if raw else tuple
    if seqs is None:
        return [shape(r) for r in conn.execute(query)]
    out = []
    for chunk in _seq_chunks(seqs):
        out += [shape(r) for r in conn.execute(query.where(lines.c.seq.in_(chunk)))]
    return out


def get_batch(conn: Connection, batch_id: str, *, for_update: bool = False):
    query = select(batches).where(batches.c.id == batch_id)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).one_or_none()


def batch_by_key(conn: Connection, idempotency_key: str):
    return conn.execute(select(batches).where(batches.c.idempotency_key == idempotency_key)).one_or_none()


def list_batches(conn: Connection, status: str | None, limit: int, after_id: str | None):
    query = select(batches).order_by(batches.c.id).limit(limit)
    if status:
        query = query.where(batches.c.status == status)
    if after_id:
        query = query.where(batches.c.id > after_id)
    return conn.execute(query).all()


def batches_in(conn: Connection, statuses: Sequence[BatchStatus]):
    return conn.execute(
        select(batches).where(batches.c.status.in_([s.value for s in statuses])).order_by(batches.c.id)
    ).all()


def update_batch(conn: Connection, batch_id: str, expect_status: BatchStatus | None, **values: Any) -> bool:
    """Update a batch, only if it is still in ``expect_status``; True when it was."""
    query = update(batches).where(batches.c.id == batch_id).values(**values)
    if expect_status is not None:
        query = query.where(batches.c.status == expect_status.value)
    if conn.execute(query).rowcount != 1:
        return False
    journal.batch_changed(conn, batch_id, expect_status and expect_status.value, values)
    return True


def iter_lines(conn: Connection, cipher: FieldCipher, batch_id: str,
               status: LineStatus | None = None) -> Iterator[PaymentLine]:
    """Stream a batch's lines in order, in pages, as domain records with their numbers opened."""
    last = 0
    while True:
        query = (
            select(lines)
            .where(lines.c.batch_id == batch_id, lines.c.seq > last)
            .order_by(lines.c.seq)
            .limit(CHUNK)
        )
        if status is not None:
            query = query.where(lines.c.status == status.value)
        page = conn.execute(query).all()
        if not page:
            return
        for r in page:
            yield PaymentLine(
                seq=r.seq,
                name=r.name,
                id_number=cipher.open(ID, r.id_sealed),
                account_no=cipher.open(ACCOUNT, r.account_sealed),
                amount_fen=r.amount_fen,
                account_kind=AccountKind(r.account_kind),
                bank_name=r.bank_name,
                subsidy_item=r.subsidy_item,
                remark=r.remark,
                phone=cipher.open(PHONE, r.phone_sealed) if r.phone_sealed is not None else "",
                address=r.address,
                household_no=r.household_no,
            )
        last = page[-1].seq


def line_rows(conn: Connection, batch_id: str, statuses: Sequence[LineStatus], limit: int | None = None,
              after_seq: int = 0):
    query = (
        select(lines)
        .where(lines.c.batch_id == batch_id, lines.c.status.in_([s.value for s in statuses]), lines.c.seq > after_seq)
        .order_by(lines.c.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    return conn.execute(query).all()


def paid_lines(conn: Connection, batch_id: str, after_seq: int, limit: int):
    """Paid lines (masked ID, amount, when the result arrived) after ``after_seq``, in order."""
    query = (
        select(lines.c.seq, lines.c.name, lines.c.id_masked, lines.c.amount_fen, files.c.created_at.label("paid_at"))
        .join(files, files.c.id == lines.c.result_file_id)
        .where(lines.c.batch_id == batch_id, lines.c.status == LineStatus.PAID.value, lines.c.seq > after_seq)
        .order_by(lines.c.seq).limit(limit)
    )
    return conn.execute(query).all()


def line_status_totals(conn: Connection, batch_id: str) -> dict[str, tuple[int, int]]:
    """(count, fen) of a batch's lines by status."""
    query = (
        select(lines.c.status, func.count(), func.sum(lines.c.amount_fen))
        .where(lines.c.batch_id == batch_id)
        .group_by(lines.c.status)
    )
    return {status: (int(n), int(fen)) for status, n, fen in conn.execute(query)}


def close_unpaid_lines(conn: Connection, batch_id: str) -> None:
    unpaid = and_(
        lines.c.batch_id == batch_id,
        lines.c.status.in_([LineStatus.FAILED.value, LineStatus.GIVEN_UP.value, LineStatus.PENDING.value]),
    )
    journal.lines_selected(conn, batch_id, "close", select(lines.c.seq, literal(LineStatus.REFUNDED.value))
                           .where(unpaid).order_by(lines.c.seq))
    conn.execute(update(lines).where(unpaid).values(status=LineStatus.REFUNDED.value))


# --- exchanged files -----------------------------------------------------------------------


def insert_file(conn: Connection, **values: Any) -> int:
    file_id = conn.execute(insert(files).values(**values).returning(files.c.id)).scalar_one()
    journal.file_changed(conn, file_id, None, values)
    return file_id


def update_file(conn: Connection, file_id: int, **values: Any) -> None:
    conn.execute(update(files).where(files.c.id == file_id).values(**values))
    if "state" in values:
        journal.file_changed(conn, file_id, [], values)


def move_file(conn: Connection, file_id: int, from_states: Iterable[str], **values: Any) -> bool:
    """Change a file only if it is still in one of ``from_states``; True when it was.

    Every state change of the exchange goes through here, so two instances (or an instance
    and an operator) can never both make the same move: the second finds the state changed.
    """
    states = [str(s) for s in from_states]
    query = update(files).where(files.c.id == file_id, files.c.state.in_(states)).values(**values)
    if conn.execute(query).rowcount != 1:
        return False
    if "state" in values:
        journal.file_changed(conn, file_id, states, values)
    return True


def get_file(conn: Connection, file_id: int):
    return conn.execute(select(files).where(files.c.id == file_id)).one_or_none()


def first_delivery(conn: Connection, direction: str, bank_code: str, sha256: str):
    return conn.execute(
        select(files).where(
            files.c.direction == direction,
            files.c.bank_code == bank_code,
            files.c.sha256 == sha256,
            files.c.duplicate_of.is_(None),
        )
    ).one_or_none()


def inbound_by_remote(conn: Connection, bank_code: str, remote_path: str, size: int, mtime: int | None):
    """The file rows taken from this remote file — same path, size and mtime, and not archived
    yet (once we archived the bank's copy, a file at that path again is a new delivery)."""
    return conn.execute(
        select(files).where(
            files.c.direction == "IN",
            files.c.bank_code == bank_code,
            files.c.remote_path == remote_path,
            files.c.size == size,
            files.c.remote_mtime == mtime,
            files.c.archived_at.is_(None),
        ).order_by(files.c.id)
    ).all()


def claim_received(conn: Connection, file_id: int) -> bool:
    """Take a RECEIVED result file for booking in this transaction, or find it taken.

    PostgreSQL locks the row (``FOR UPDATE SKIP LOCKED``: an instance booking it right now is
    skipped, not waited for); SQLite has one writer, and the conditional update takes the write
    lock. Either way the claim holds until the transaction ends.
    """
    if conn.dialect.name == "postgresql":
        found = conn.execute(
            select(files.c.id).where(files.c.id == file_id, files.c.state == "RECEIVED")
            .with_for_update(skip_locked=True)
        ).first()
        return found is not None
    return conn.execute(
        update(files).where(files.c.id == file_id, files.c.state == "RECEIVED").values(state="RECEIVED")
    ).rowcount == 1


def _lease_owner_join():
    """Join condition of a file and the lease of its unit of work (dispatch of its batch for
    payment files, polling of its bank for result files)."""
    unit = case((files.c.direction == "OUT", literal("dispatch:") + files.c.batch_id),
                else_=literal("poll:") + files.c.bank_code)
    return leases.c.name == unit


def list_files(conn: Connection, batch_id: str | None, bank_code: str | None, limit: int,
               state: str | None = None, after_id: int = 0):
    """Files (oldest first) with the lease of their unit of work: ``lease_owner``, ``lease_until``."""
    query = (
        select(files, leases.c.owner.label("lease_owner"), leases.c.lease_until.label("lease_until"))
        .select_from(files.outerjoin(leases, _lease_owner_join()))
        .where(files.c.id > after_id)
        .order_by(files.c.id).limit(limit)
    )
    if batch_id:
        query = query.where(or_(files.c.batch_id == batch_id, files.c.claimed_batch_id == batch_id))
    if bank_code:
        query = query.where(files.c.bank_code == bank_code)
    if state:
        query = query.where(files.c.state == state)
    return conn.execute(query).all()


def outbound_file(conn: Connection, batch_id: str, message_id: str | None = None):
    """The batch's latest payment file (a re-issue makes another), or the one with ``message_id``."""
    query = select(files).where(files.c.batch_id == batch_id, files.c.direction == "OUT")
    if message_id is not None:
        query = query.where(files.c.message_id == message_id)
    return conn.execute(query.order_by(files.c.id.desc())).first()


def first_result_at(conn: Connection, batch_id: str) -> datetime | None:
    """When the bank's first booked result file for the batch arrived."""
    return conn.execute(
        select(files.c.created_at).where(files.c.batch_id == batch_id, files.c.direction == "IN",
                                         files.c.state == FileState.BOOKED.value)
        .order_by(files.c.created_at).limit(1)
    ).scalar()


def outbound_count(conn: Connection, batch_id: str) -> int:
    return conn.execute(
        select(func.count()).select_from(files).where(files.c.batch_id == batch_id, files.c.direction == "OUT")
    ).scalar_one()


def outbound_in(conn: Connection, bank_code: str, states: Iterable[str]):
    return conn.execute(
        select(files).where(files.c.direction == "OUT", files.c.bank_code == bank_code,
                            files.c.state.in_([str(s) for s in states])).order_by(files.c.id)
    ).all()


def quarantined_files(conn: Connection, batch_id: str, bank_code: str, since: datetime | None,
                      until: datetime | None, limit: int):
    """Quarantined result files that concern a batch: attributed to it, naming it, or of its
    bank but attributable to no batch at all (unreadable, or naming an unknown batch) and
    received while the batch was open (from ``since``, before ``until``)."""
    unattributed = and_(files.c.bank_code == bank_code, files.c.batch_id.is_(None))
    if since is not None:
        unattributed = and_(unattributed, files.c.created_at >= since)
    if until is not None:
        unattributed = and_(unattributed, files.c.created_at < until)
    return conn.execute(
        select(files).where(
            files.c.direction == "IN", files.c.state == "QUARANTINED",
            or_(files.c.batch_id == batch_id, files.c.claimed_batch_id == batch_id, unattributed),
        ).order_by(files.c.id).limit(limit)
    ).all()


# --- leases: one row per unit of exchange work ----------------------------------------------


def _dialect_insert(conn: Connection):
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def lease_acquire(conn: Connection, name: str, owner: str, now: datetime, until: datetime) -> int | None:
    """Take the lease ``name`` if nobody holds it (or its holder's time ran out); returns the new
    fencing token, or None when another instance holds it.

    PostgreSQL first locks the row with ``SELECT ... FOR UPDATE SKIP LOCKED`` (an instance in
    the middle of taking it or working under it is skipped, never waited for); SQLite has one
    writer and the conditional update alone decides.
    """
    # Look before inserting: on PostgreSQL an INSERT conflicting with a row that a holder has
    # locked (renewed in a long transaction) would wait for that transaction to end.
    if conn.execute(select(leases.c.name).where(leases.c.name == name)).first() is None:
        conn.execute(_dialect_insert(conn)(leases).values(name=name, fence=0)
                     .on_conflict_do_nothing(index_elements=["name"]))
    free = or_(leases.c.owner.is_(None), leases.c.lease_until.is_(None), leases.c.lease_until < now)
    if conn.dialect.name == "postgresql":
        row = conn.execute(select(leases.c.name).where(leases.c.name == name, free)
                           .with_for_update(skip_locked=True)).first()
        if row is None:
            return None
    return conn.execute(
        update(leases).where(leases.c.name == name, free)
        .values(owner=owner, lease_until=until, fence=leases.c.fence + 1, acquired_at=now)
        .returning(leases.c.fence)
    ).scalar_one_or_none()


def lease_renew(conn: Connection, name: str, owner: str, fence: int, until: datetime) -> bool:
    """Extend the lease if ``owner`` still holds it with ``fence``; False when it was lost.

    Used as the first statement of every transaction that changes something under the lease:
    it locks the lease row (PostgreSQL) or takes the write lock (SQLite) until the transaction
    ends, so nobody can take the lease over between the check and the commit.
    """
    return conn.execute(
        update(leases).where(leases.c.name == name, leases.c.owner == owner, leases.c.fence == fence)
        .values(lease_until=until)
    ).rowcount == 1


def lease_release(conn: Connection, name: str, owner: str, fence: int) -> None:
    """Give the lease back (the fence stays: the next holder gets a higher one)."""
    conn.execute(
        update(leases).where(leases.c.name == name, leases.c.owner == owner, leases.c.fence == fence)
        .values(owner=None, lease_until=None)
    )


def get_lease(conn: Connection, name: str):
    return conn.execute(select(leases).where(leases.c.name == name)).one_or_none()


# --- staged bank results -------------------------------------------------------------------


RESULT_COLUMNS = (
    "file_id", "ordinal", "batch_id", "seq", "outcome", "amount_fen", "reason", "bank_reason_code",
    "bank_reason_text",
)


def insert_result_lines(conn: Connection, rows: Iterable[tuple]) -> None:
    """Stage result records: tuples in the order of ``RESULT_COLUMNS``."""
    bulk_insert(conn, result_lines, RESULT_COLUMNS, rows)


@dataclass(frozen=True, slots=True)
class StagedCheck:
    """What the staged records of a result file say against the batch's lines."""

    unknown_lines: list[int]
    amount_mismatches: list[tuple[int, int, int]]  # seq, instructed, reported
    not_pending: list[tuple[int, str]]  # seq, status the line already has
    repeated_in_file: list[int]


def check_staged(conn: Connection, file_id: int, limit: int = 100) -> StagedCheck:
    """Set-based checks of a staged result file against its batch; at most ``limit`` of each."""
    s, ln = result_lines.c, lines.c
    joined = result_lines.outerjoin(lines, and_(ln.batch_id == s.batch_id, ln.seq == s.seq))
    base = select(s.seq).select_from(joined).where(s.file_id == file_id).order_by(s.seq).limit(limit)
    unknown = conn.execute(base.where(ln.seq.is_(None))).scalars().all()
    mismatches = conn.execute(
        select(s.seq, ln.amount_fen, s.amount_fen)
        .select_from(joined)
        .where(s.file_id == file_id, ln.amount_fen != s.amount_fen)
        .order_by(s.seq)
        .limit(limit)
    ).all()
    not_pending = conn.execute(
        select(s.seq, ln.status)
        .select_from(joined)
        .where(s.file_id == file_id, ln.status != LineStatus.PENDING.value)
        .order_by(s.seq)
        .limit(limit)
    ).all()
    repeated = conn.execute(
        select(s.seq)
        .where(s.file_id == file_id)
        .group_by(s.seq)
        .having(func.count() > 1)
        .order_by(s.seq)
        .limit(limit)
    ).scalars().all()
    return StagedCheck(
        unknown_lines=list(unknown),
        amount_mismatches=[tuple(m) for m in mismatches],
        not_pending=[tuple(n) for n in not_pending],
        repeated_in_file=list(repeated),
    )


def reported_results(conn: Connection, batch_id: str):
    """Every result record the bank sent for a batch, with its file's state and arrival."""
    return conn.execute(
        select(
            result_lines.c.seq,
            result_lines.c.outcome,
            result_lines.c.amount_fen,
            result_lines.c.file_id,
            files.c.state,
            files.c.created_at,
        )
        .select_from(result_lines.join(files, files.c.id == result_lines.c.file_id))
        .where(result_lines.c.batch_id == batch_id)
        .order_by(result_lines.c.seq, result_lines.c.file_id)
    )
