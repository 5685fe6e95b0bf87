"""The public disclosure list (公示): who was paid how much, with the ID number masked, as the
notices require villages and towns to post it."""
from __future__ import annotations

from sqlalchemy import select

from domain.model import LineStatus
from ledger.schema import files, lines
from service.batches import get
from service.context import Context


def page(ctx: Context, batch_id: str, after_seq: int, limit: int):
    """The batch and up to ``limit`` paid lines after ``after_seq``, in roster order."""
    batch, _ = get(ctx, batch_id)
    query = (
        select(lines.c.seq, lines.c.name, lines.c.id_masked, lines.c.amount_fen, files.c.created_at.label("paid_at"))
        .join(files, files.c.id == lines.c.result_file_id)
        .where(lines.c.batch_id == batch_id, lines.c.status == LineStatus.PAID.value, lines.c.seq > after_seq)
        .order_by(lines.c.seq).limit(limit)
    )
    with ctx.engine.connect() as conn:
        return batch, conn.execute(query).all()
