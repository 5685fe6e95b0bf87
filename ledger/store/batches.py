"""Payment batches: one row each, its status changed only from an expected one."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update

from domain.model import BatchStatus
from ledger import journal
from ledger.schema import batches


def insert_batch(conn: Connection, **values: Any) -> None:
    conn.execute(insert(batches).values(**values))
    journal.batch_changed(conn, values["id"], None, values)


def get_batch(conn: Connection, batch_id: str, *, for_update: bool = False):
    query = select(batches).where(batches.c.id == batch_id)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).one_or_none()


def batch_by_key(conn: Connection, idempotency_key: str):
    return conn.execute(select(batches).where(batches.c.idempotency_key == idempotency_key)).one_or_none()


def list_batches(conn: Connection, status: str | None, limit: int, after_id: str | None, *,
                 banks: Iterable[str] | None = None, statuses: Iterable[str] | None = None):
    """A page of batches by id; ``banks`` and ``statuses``: only those (a bank user's view)."""
    query = select(batches).order_by(batches.c.id).limit(limit)
    if status:
        query = query.where(batches.c.status == status)
    if banks is not None:
        query = query.where(batches.c.bank_code.in_(sorted(banks)))
    if statuses is not None:
        query = query.where(batches.c.status.in_(sorted(statuses)))
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
