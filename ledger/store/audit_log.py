"""The audit trail: who did what to which batch or line."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, insert, select

from i18n.stored import fit
from ledger.schema import audit_events


def audit(conn: Connection, at: datetime, actor: str, action: str, batch_id: str | None, seq: int | None,
          detail: str) -> None:
    """Record who did what (personal data only masked in ``detail``, a stored message of
    i18n.stored, said in the reader's language when shown)."""
    conn.execute(insert(audit_events).values(at=at, actor=actor or "?", action=action, batch_id=batch_id,
                                             seq=seq, detail=fit(detail, 1000)))


def actors(conn: Connection, batch_id: str, actions: Iterable[str], seqs: Iterable[int] | None = None) -> set[str]:
    """Who did any of ``actions`` to the batch (to one of ``seqs`` of its lines, if given)."""
    query = select(audit_events.c.actor).distinct().where(audit_events.c.batch_id == batch_id,
                                                           audit_events.c.action.in_(list(actions)))
    if seqs is not None:
        query = query.where(audit_events.c.seq.in_(sorted(set(seqs))))
    return set(conn.execute(query).scalars())


def audit_trail(conn: Connection, batch_id: str):
    return conn.execute(select(audit_events).where(audit_events.c.batch_id == batch_id)
                        .order_by(audit_events.c.id)).all()
