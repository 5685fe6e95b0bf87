"""Screening probes: statistics, index look-ups of shared IDs and accounts, the stop list, and
duplicates within a batch.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, and_, func, literal, select

from domain.eligibility import SCREENED, Candidate, OtherLine, StopEntry, StopHit, StopKind
from domain.model import LineStatus
from domain.validation import ACCOUNT_SHARED, DUPLICATE_PERSON
from ledger.schema import lines, stop_entries
from ledger.store._bulk import _bounded, _for_seqs


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


def batch_lines_sharing(conn: Connection, batch_id: str, id_indexes: Sequence[bytes],
                        account_indexes: Sequence[bytes]) -> list[tuple[int, bytes, bytes]]:
    """(seq, id_index, account_index) of the batch's live lines (not removed) that hold one of
    these people or accounts: a re-issue's duplicates within its own batch, found before
    anything is written."""
    live = lines.c.status != LineStatus.REMOVED.value
    found: dict[int, tuple[int, bytes, bytes]] = {}
    for column, keys in ((lines.c.id_index, id_indexes), (lines.c.account_index, account_indexes)):
        for part in _bounded(sorted(set(keys))):
            for seq, id_index, account_index in conn.execute(
                    select(lines.c.seq, lines.c.id_index, lines.c.account_index)
                    .where(lines.c.batch_id == batch_id, live, column.in_(part))):
                found[seq] = (seq, bytes(id_index), bytes(account_index))
    return [found[seq] for seq in sorted(found)]


def person_rows(conn: Connection, batch_id: str, seqs: Sequence[int]):
    """Who the named lines pay, as stored: seq, name, the blind indexes and the masked numbers."""
    query = select(lines.c.seq, lines.c.name, lines.c.id_index, lines.c.id_masked, lines.c.account_index,
                   lines.c.account_masked).where(lines.c.batch_id == batch_id)
    return _for_seqs(conn, query, seqs, raw=True)
