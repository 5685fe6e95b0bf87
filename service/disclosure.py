"""The public disclosure list (公示): who was paid how much, with the ID number masked, as the
notices require villages and towns to post it."""
from __future__ import annotations

from ledger import store
from service.batches import get
from service.context import Context


def page(ctx: Context, batch_id: str, after_seq: int, limit: int):
    """The batch and up to ``limit`` paid lines after ``after_seq``, in roster order."""
    batch, _ = get(ctx, batch_id)
    with ctx.engine.connect() as conn:
        return batch, store.paid_lines(conn, batch_id, after_seq, limit)
