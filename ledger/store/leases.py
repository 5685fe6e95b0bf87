"""Leases: one row per unit of exchange work, taken with a fencing token."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ledger.schema import leases


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


def lease_renew(conn: Connection, name: str, owner: str, fence: int, until: datetime,
                now: datetime | None = None) -> bool:
    """Extend the lease if ``owner`` still holds it with ``fence`` (and, given ``now``, its time
    has not run out); False when it was lost.

    Used as the first statement of every transaction that changes something under the lease:
    it locks the lease row (PostgreSQL) or takes the write lock (SQLite) until the transaction
    ends, so nobody can take the lease over between the check and the commit.
    """
    held = [leases.c.name == name, leases.c.owner == owner, leases.c.fence == fence]
    if now is not None:
        held.append(leases.c.lease_until >= now)
    return conn.execute(update(leases).where(*held).values(lease_until=until)).rowcount == 1


def leases_release_owner(conn: Connection, owner: str) -> list[str]:
    """Give back every lease ``owner`` holds; returns their names. For a restarted instance,
    whose previous process held them and is gone."""
    rows = conn.execute(select(leases.c.name).where(leases.c.owner == owner)).scalars().all()
    if rows:
        conn.execute(update(leases).where(leases.c.owner == owner).values(owner=None, lease_until=None))
    return list(rows)


def lease_release(conn: Connection, name: str, owner: str, fence: int) -> None:
    """Give the lease back (the fence stays: the next holder gets a higher one)."""
    conn.execute(
        update(leases).where(leases.c.name == name, leases.c.owner == owner, leases.c.fence == fence)
        .values(owner=None, lease_until=None)
    )


def get_lease(conn: Connection, name: str):
    return conn.execute(select(leases).where(leases.c.name == name)).one_or_none()
