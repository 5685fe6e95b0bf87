"""The stop list's repository: entries sealed like every ID number, found by blind index."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Connection, select, update
from sqlalchemy import insert as sa_insert

from domain.eligibility import StopKind
from domain.masking import mask_id
from domain.model import LineStatus
from ledger.schema import files, lines, stop_entries
from ledger.store import ID
from privacy.cipher import FieldCipher


def insert(conn: Connection, cipher: FieldCipher, id_number: str, kind: StopKind, start: date,
           until: date | None, source: str, note: str, actor: str, now: datetime) -> int:
    return conn.execute(sa_insert(stop_entries).values(
        id_sealed=cipher.seal(ID, id_number), id_index=cipher.index(ID, id_number), id_masked=mask_id(id_number),
        kind=kind.value, effective_from=start, effective_until=until, source=source, note=note,
        created_by=actor, created_at=now,
    ).returning(stop_entries.c.id)).scalar_one()


def by_ids(conn: Connection, ids: Sequence[int]):
    return conn.execute(select(stop_entries).where(stop_entries.c.id.in_(list(ids))).order_by(stop_entries.c.id)).all()


def for_person(conn: Connection, cipher: FieldCipher, id_number: str):
    return conn.execute(select(stop_entries).where(stop_entries.c.id_index == cipher.index(ID, id_number))
                        .order_by(stop_entries.c.id)).all()


def revoke(conn: Connection, entry_id: int, actor: str, now: datetime) -> bool:
    return conn.execute(update(stop_entries).where(stop_entries.c.id == entry_id, stop_entries.c.revoked_at.is_(None))
                        .values(revoked_by=actor, revoked_at=now)).rowcount == 1


def paid_after_stop_candidates(conn: Connection, banks: Iterable[str] | None = None):
    """(line, stop entry, when its result file arrived) for every paid line of a stopped person
    (paid by one of ``banks``, if given); the caller decides, by date, which payments came after
    the stop."""
    query = (
        select(lines.c.batch_id, lines.c.seq, lines.c.name, lines.c.id_masked, lines.c.account_masked,
               lines.c.amount_fen, stop_entries.c.id.label("stop_id"), files.c.created_at.label("paid_at"))
        .join(stop_entries, stop_entries.c.id_index == lines.c.id_index)
        .join(files, files.c.id == lines.c.result_file_id)
        .where(lines.c.status == LineStatus.PAID.value, stop_entries.c.revoked_at.is_(None))
        .order_by(files.c.created_at, lines.c.batch_id, lines.c.seq)
    )
    if banks is not None:
        query = query.where(files.c.bank_code.in_(sorted(banks)))
    found = conn.execute(query).all()
    entries = {e.id: e for e in by_ids(conn, {r.stop_id for r in found})}
    for row in found:
        yield row, entries[row.stop_id], row.paid_at
