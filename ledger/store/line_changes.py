"""Changes of who is paid waiting for a second person: one row per request, its lines sealed."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ledger import journal
from ledger.schema import line_changes

PENDING, APPROVED, REFUSED = "PENDING", "APPROVED", "REFUSED"


def insert_line_change(conn: Connection, batch_id: str, items: Sequence[dict[str, Any]], lines_sealed: bytes,
                       requested_by: str, requested_at: datetime) -> int:
    change_id = conn.execute(insert(line_changes).values(
        batch_id=batch_id, state=PENDING, line_count=len(items), items=json.dumps(list(items), ensure_ascii=False),
        lines_sealed=lines_sealed, requested_by=requested_by, requested_at=requested_at,
    ).returning(line_changes.c.id)).scalar_one()
    journal.record(conn, "line_change", {"change_id": change_id, "state": PENDING,
                                         "seqs": [item["seq"] for item in items]},
                   actor=requested_by, batch_id=batch_id)
    return change_id


def get_line_change(conn: Connection, batch_id: str, change_id: int, *, for_update: bool = False):
    query = select(line_changes).where(line_changes.c.id == change_id, line_changes.c.batch_id == batch_id)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).one_or_none()


def decide_line_change(conn: Connection, change_id: int, batch_id: str, state: str, decided_by: str,
                       decided_at: datetime, *, reason: str | None = None, file_id: int | None = None) -> bool:
    """Approve or refuse a change that is still pending; True when it was."""
    done = conn.execute(update(line_changes).where(line_changes.c.id == change_id, line_changes.c.state == PENDING)
                        .values(state=state, decided_by=decided_by, decided_at=decided_at, reason=reason,
                                file_id=file_id)).rowcount == 1
    if done:
        journal.record(conn, "line_change", {"change_id": change_id, "state": state, "file_id": file_id},
                       actor=decided_by, batch_id=batch_id)
    return done


def list_line_changes(conn: Connection, batch_id: str, state: str | None = None):
    query = select(line_changes).where(line_changes.c.batch_id == batch_id).order_by(line_changes.c.id)
    if state:
        query = query.where(line_changes.c.state == state)
    return conn.execute(query).all()
