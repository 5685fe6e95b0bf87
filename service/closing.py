"""Closing a batch: what was funded and not paid goes back to finance (结余资金退回)."""
from __future__ import annotations

from domain.model import BatchStatus, LineStatus
from domain.postings import surplus_refund
from i18n import Named
from ledger import store
from service.batches import accounts_of
from service.context import Context
from service.errors import FailedPrecondition, NotFound


def close(ctx: Context, batch_id: str, actor: str, *, allow_unreported: bool = False) -> None:
    """Book the surplus refund, itemized by unpaid line, and close the batch.

    A batch closes once every line has a bank result. ``allow_unreported`` closes it anyway:
    lines the bank never reported are then refunded from clearing and stay listed as missed
    payments (漏发) in the reconciliation. The unpaid part of a line the bank paid short is
    refunded too. What the bank paid without our instruction is not in the refund: it stays due
    back from the bank (``domain.postings``).
    """
    with ctx.engine.begin() as conn:
        batch = store.get_batch(conn, batch_id, for_update=True)
        if batch is None:
            raise NotFound("error.batch.none", batch=batch_id)
        allowed = [BatchStatus.RESULTS_COMPLETE.value]
        if allow_unreported:
            allowed.append(BatchStatus.DISPATCHED.value)
        if batch.status not in allowed:
            raise FailedPrecondition("error.batch.not_closable" if allow_unreported else "error.batch.not_closable_yet",
                                     batch=batch_id, status=Named("batch_status", batch.status))
        failed = [(r.seq, r.amount_fen) for r in store.line_rows(conn, batch_id, [LineStatus.FAILED,
                                                                                  LineStatus.GIVEN_UP])]
        unreported = [(r.seq, r.amount_fen) for r in store.line_rows(conn, batch_id, [LineStatus.PENDING])]
        for seq, rest, in_suspense in store.short_paid(conn, batch_id):  # the unpaid part of a short payment
            (failed if in_suspense else unreported).append((seq, rest))
        entry = surplus_refund(batch_id, accounts_of(batch), failed, unreported)
        now = ctx.clock()
        if entry is not None:
            store.post(conn, entry, now)
            store.close_unpaid_lines(conn, batch_id)
        store.update_batch(
            conn, batch_id, BatchStatus(batch.status), status=BatchStatus.CLOSED.value, closed_at=now
        )
