"""Exchanged files: payment files sent and result files received, their states and deliveries."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, literal, or_, select, update

from domain.model import FileState
from ledger import journal
from ledger.schema import files, leases


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
    """The row that took these bytes first: not a re-delivery, nor a part of a file covering
    several batches (which has the file's digest too)."""
    return conn.execute(
        select(files).where(
            files.c.direction == direction,
            files.c.bank_code == bank_code,
            files.c.sha256 == sha256,
            files.c.duplicate_of.is_(None),
            files.c.part_of.is_(None),
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
               state: str | None = None, after_id: int = 0, banks: Iterable[str] | None = None):
    """Files (oldest first) with the lease of their unit of work: ``lease_owner``, ``lease_until``;
    ``banks``: only files exchanged with those banks (a bank user's view)."""
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
    if banks is not None:
        query = query.where(files.c.bank_code.in_(sorted(banks)))
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


def acknowledged_since(conn: Connection, since: datetime | None):
    """Payment files acknowledged at or after ``since`` (all of them for None), oldest first."""
    query = select(files).where(files.c.direction == "OUT", files.c.state == "ACKNOWLEDGED")
    if since is not None:
        query = query.where(files.c.acknowledged_at >= since)
    return conn.execute(query.order_by(files.c.id)).all()


def quarantined_files(conn: Connection, batch_id: str, bank_code: str, since: datetime | None,
                      until: datetime | None, limit: int):
    """Quarantined result files that concern a batch: attributed to it, naming it, or of its
    bank but naming no batch at all (unreadable before a batch could be read) and received while
    the batch was open (from ``since``, before ``until``). A file naming another batch, known or
    not, is listed under that one only."""
    unattributed = and_(files.c.bank_code == bank_code, files.c.batch_id.is_(None), files.c.claimed_batch_id.is_(None))
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
