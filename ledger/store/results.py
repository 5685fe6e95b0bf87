"""Staged bank results: result records as received, and set-based checks against the batch."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select

from domain.model import LineStatus
from ledger.schema import files, lines, result_lines
from ledger.store._bulk import bulk_insert


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
