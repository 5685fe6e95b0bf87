"""The aggregated reconciliation (汇总对账) of one program, period and region across its batches.

A program's period in a region is often paid in several batches (several banks, re-submitted
rosters). Finance and the department reconcile the period as a whole: this report sums each
batch's reconciliation — the very figures its own 三联单 shows, computed by
:func:`service.reporting.reconciliation_content` — lists the batches with their discrepancy
counts and failing checks, and is issued as a signed three-copy document like the others.

Like the batch reports its content holds no time of issue: it is as of the latest close when
every batch is closed (so the digest stays the same however often it is fetched), else as of
the Beijing day the open batches' deadlines were judged on.
"""
from __future__ import annotations

from sqlalchemy import select

from domain import beijing
from domain.model import BatchStatus
from ledger.schema import batches
from reports.discrepancies import LABELS, DiscrepancyClass
from reports.documents import Document, issue
from service.context import Context
from service.errors import NotFound, require
from service.reporting import MAX_LISTED, OUTCOMES, issued_at, reconciliation_content, signer

# each instructed line by how it ended, and those re-issued (service.reporting's "outcome")
OUTCOME_FIGURES = tuple(f"outcome_{k}_{x}" for k in (*OUTCOMES, "reissued") for x in ("count", "fen"))
FIGURES = ("roster_count", "roster_fen", "instructed_count", "instructed_fen", "funded_fen", "paid_count",
           "paid_fen", "failed_count", "failed_fen", "unreported_count", "unreported_fen", "due_back_fen",
           "ledger_paid_fen", "ledger_suspense_fen", "ledger_clearing_fen", "ledger_refunded_fen",
           "ledger_due_back_fen", *OUTCOME_FIGURES)


def aggregate_reconciliation(ctx: Context, program: str, period: str, region: str) -> Document:
    require(program=program, period=period, region=region)
    with ctx.engine.connect() as conn:
        ids = list(conn.execute(
            select(batches.c.id)
            .where(batches.c.program == program, batches.c.period == period, batches.c.region == region)
            .order_by(batches.c.id)
        ).scalars())
    if not ids:
        raise NotFound("error.batch.none_of_program", program=repr(program), period=period, region=region)
    totals = dict.fromkeys(FIGURES, 0)
    discrepancies = {k.value: {"label": LABELS[k], "count": 0, "fen": 0} for k in DiscrepancyClass}
    listed, failing = [], []
    closes, all_closed = [], True
    for batch_id in ids:  # one batch's content at a time: memory stays that of one reconciliation
        c = reconciliation_content(ctx, batch_id)
        row = _figures(c)
        for key in FIGURES:
            totals[key] += row[key]
        for kind, slot in c["discrepancies"].items():
            discrepancies[kind]["count"] += slot["count"]
            discrepancies[kind]["fen"] += slot["fen"]
        all_closed &= c["batch"]["status"] == BatchStatus.CLOSED.value
        closes.append(c["as_of"])
        failed_checks = [name for name, ok in c["checks"].items() if not ok]
        if failed_checks:
            failing.append(batch_id)
        if len(listed) < MAX_LISTED:
            b = c["batch"]
            listed.append({"id": batch_id, "bank_code": b["bank_code"], "status": b["status"], **row,
                           "discrepancy_count": sum(s["count"] for s in c["discrepancies"].values()),
                           "failed_checks": failed_checks})
    content = {
        "report": "aggregated reconciliation 汇总对账",
        "as_of": max(closes) if all_closed else beijing.day_of(ctx.clock()).isoformat(),
        "scope": {"program": program, "period": period, "region": region},
        "batch_count": len(ids),
        "totals": totals,
        "discrepancies": discrepancies,
        "batches": listed,  # the first MAX_LISTED batches; the totals cover all
        "failing_batches": failing[:MAX_LISTED],
        "checks": {
            "every_batch_passes_its_checks": not failing,
            "funded_equals_paid_refunded_outstanding": totals["funded_fen"] == totals["ledger_paid_fen"]
            + totals["ledger_refunded_fen"] + totals["ledger_clearing_fen"] + totals["ledger_suspense_fen"],
            "bank_paid_equals_ledger_paid": totals["paid_fen"] == totals["ledger_paid_fen"],
            "bank_due_back_equals_ledger_due_back": totals["due_back_fen"] == totals["ledger_due_back_fen"],
        },
    }
    return issue("aggregate", content, signer(ctx), issued_at(ctx))


def _figures(c: dict) -> dict[str, int]:
    r, f, b, led = c["roster"], c["finance"], c["bank"], c["ledger"]
    return {
        "roster_count": r["count"], "roster_fen": r["total_fen"],
        "instructed_count": f["instructed_count"], "instructed_fen": f["instructed_fen"],
        "funded_fen": f["funded_fen"],
        "paid_count": b["paid_count"], "paid_fen": b["paid_fen"],
        "failed_count": b["failed_count"], "failed_fen": b["failed_fen"],
        "unreported_count": b["unreported_count"], "unreported_fen": b["unreported_fen"],
        "due_back_fen": b["due_back_fen"],
        "ledger_paid_fen": led["paid_fen"], "ledger_suspense_fen": led["suspense_fen"],
        "ledger_clearing_fen": led["clearing_fen"], "ledger_refunded_fen": led["refunded_fen"],
        "ledger_due_back_fen": led["due_back_fen"],
        **{f"outcome_{k}_{x}": c["outcome"][k][x] for k in (*OUTCOMES, "reissued") for x in ("count", "fen")},
    }
