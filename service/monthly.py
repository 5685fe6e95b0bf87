"""The monthly report (月度发放报表) of one program in one region, from the ledger.

For a calendar month it sums what the ledger booked in it, over every batch of the program and
region whatever its period: lines paid, failed and refunded (count and fen), the paid ones that
came after their batch's payment deadline (迟发, by the day the bank's result file arrived, as
the batch reconciliation decides it), the batches funded, and what was outstanding at the end
of the month — funded but neither paid nor refunded, in the bank's clearing account or in
failed-payment suspense. Months are Beijing-time calendar months (UTC+8), as the offices that
report them keep them; the ledger's UTC times are compared with those bounds. The report is
issued as a signed three-copy document like the batch reports.

The content holds no time of issue: the same month of the same ledger gives the same digest
whenever it is fetched. The reporting dates are in it; whether a copy was issued after them is
judged from its time of issue and printed beside it (:func:`reports.layout.issued_late`).
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select

from domain import beijing
from domain.beijing import BEIJING
from ledger.schema import accounts, batches, files, postings, transactions
from reports.documents import Document, issue
from service.context import Context
from service.errors import InvalidInput, NotFound, Violation, require
from service.reporting import MAX_LISTED, issued_at, signer

FIGURES = ("paid_count", "paid_fen", "failed_count", "failed_fen", "refunded_count", "refunded_fen",
           "late_count", "late_fen", "outstanding_count", "outstanding_fen")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """``"2026-11"`` → the first instants of November and of December 2026 in Beijing, as UTC."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not found or not 1 <= int(found[2]) <= 12:
        raise InvalidInput("error.month.format", [Violation("month", "FORMAT", "YYYY-MM, e.g. 2026-11")],
                           month=repr(month))
    year, mon = int(found[1]), int(found[2])
    start = datetime(year, mon, 1, tzinfo=BEIJING)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=BEIJING)
    return start.astimezone(UTC), end.astimezone(UTC)


def reporting_dates(month: str) -> dict:
    """The notices' monthly reporting system (月报制度): the competent department gives the county
    finance bureau the month's payments and real-name ledger on the 28th, and the county finance
    bureau reports them to the city finance bureau before the 5th of the next month."""
    year, mon = (int(part) for part in month.split("-"))
    department = date(year, mon, 28)
    county = date(year + mon // 12, mon % 12 + 1, 5)
    return {
        "basis": "月报制度: 业务主管部门每月28日向区(县)财政局提供发放情况及实名制台账, "
                 "区(县)财政局每月5日前向市财政局报送",
        "department_to_county_finance": department.isoformat(),
        "county_to_city_finance_by": county.isoformat(),
    }


def monthly_report(ctx: Context, program: str, region: str, month: str) -> Document:
    require(program=program, region=region, month=month)
    start, end = month_bounds(month)
    in_scope = (batches.c.program == program, batches.c.region == region)
    with ctx.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(batches).where(*in_scope)).scalar_one() == 0:
            raise NotFound("error.batch.none_in_region", program=repr(program), region=region)
        funded = conn.execute(select(batches).where(*in_scope, batches.c.funded_at < end)
                              .order_by(batches.c.id)).all()
        moved = _movements(conn, in_scope, start, end)
        to_date = _to_date(conn, in_scope, end)
        settled = _settled_lines(conn, in_scope, end)
    per_batch = {b.id: dict.fromkeys(FIGURES, 0) for b in funded}
    for b in funded:
        _month(per_batch[b.id], moved.get(b.id, []), b.payment_due)
        _outstanding(per_batch[b.id], to_date.get(b.id, {}), b.line_count - settled.get(b.id, 0))
    totals = {key: sum(f[key] for f in per_batch.values()) for key in FIGURES}
    in_month = [b for b in funded if start <= beijing.aware(b.funded_at) < end]
    totals = {"funded_batches": len(in_month), "funded_fen": sum(b.funded_fen for b in in_month), **totals}
    ledger_to_date = {k: sum(t.get(k, 0) for t in to_date.values())
                      for k in ("funded_fen", "paid_fen", "refunded_fen", "outstanding_fen")}
    listed = [{"id": b.id, "period": b.period, "bank_code": b.bank_code, "status": b.status,
               "payment_due": b.payment_due.isoformat() if b.payment_due else None, **per_batch[b.id]}
              for b in funded if any(per_batch[b.id].values())][:MAX_LISTED]
    content = {
        "report": "monthly report 月度发放报表",
        "scope": {"program": program, "region": region, "month": month,
                  "from": start.astimezone(BEIJING).isoformat(), "until": end.astimezone(BEIJING).isoformat()},
        "reporting": reporting_dates(month),
        "totals": totals,
        "ledger_to_month_end": ledger_to_date,
        "batches": listed,  # batches with anything in the month or outstanding at its end (first MAX_LISTED)
        "checks": {
            "outstanding_equals_funded_less_paid_and_refunded": ledger_to_date["outstanding_fen"]
            == ledger_to_date["funded_fen"] - ledger_to_date["paid_fen"] - ledger_to_date["refunded_fen"],
            "outstanding_lines_not_negative": all(f["outstanding_count"] >= 0 for f in per_batch.values()),
        },
    }
    return issue("monthly", content, signer(ctx), issued_at(ctx))


def _ledger_rows(in_scope, *where, arrival: bool = False):
    """Per batch, transaction kind and account kind (and with ``arrival`` the day the result file
    of the transaction arrived): the number of line postings and their sum."""
    joined = (postings.join(transactions, transactions.c.id == postings.c.transaction_id)
              .join(accounts, accounts.c.id == postings.c.account_id)
              .join(batches, batches.c.id == postings.c.batch_id))
    keys = [postings.c.batch_id, transactions.c.kind, accounts.c.kind]
    if arrival:
        joined = joined.outerjoin(files, files.c.id == transactions.c.file_id)
        keys.append(files.c.created_at)
    return (
        select(*keys, func.count(postings.c.seq), func.coalesce(func.sum(postings.c.amount_fen), 0))
        .select_from(joined)
        .where(*in_scope, *where)
        .group_by(*keys)
    )


def _movements(conn, in_scope, start: datetime, end: datetime) -> dict[str, list[tuple]]:
    """Line postings booked in the month, per batch."""
    query = _ledger_rows(in_scope, transactions.c.created_at >= start, transactions.c.created_at < end,
                         postings.c.seq.is_not(None), arrival=True)
    found: dict[str, list[tuple]] = defaultdict(list)
    for batch_id, txn_kind, account_kind, arrived, n, fen in conn.execute(query):
        found[batch_id].append((txn_kind, account_kind, int(n), int(fen), arrived))
    return found


def _to_date(conn, in_scope, end: datetime) -> dict[str, dict[str, int]]:
    """Per batch, what the ledger held before ``end``: funded, paid, refunded and outstanding fen."""
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for batch_id, txn_kind, account_kind, n, fen in conn.execute(
            _ledger_rows(in_scope, transactions.c.created_at < end)):
        t = found[batch_id]
        fen, n = int(fen), int(n)
        if account_kind in ("clearing", "suspense"):
            t["outstanding_fen"] += fen
        if (txn_kind, account_kind) == ("FUND", "clearing"):
            t["funded_fen"] += fen
        elif (txn_kind, account_kind) == ("RESULT", "paid"):
            t["paid_fen"] += fen
        elif (txn_kind, account_kind) == ("REFUND", "budget"):
            t["refunded_fen"] += fen
    return found


def _month(figures: dict[str, int], moved: list[tuple], due: date | None) -> None:
    for txn_kind, account_kind, n, fen, arrived in moved:
        if (txn_kind, account_kind) == ("RESULT", "paid"):
            figures["paid_count"] += n
            figures["paid_fen"] += fen
            if due is not None and arrived is not None and beijing.day_of(arrived) > due:
                figures["late_count"] += n
                figures["late_fen"] += fen
        elif (txn_kind, account_kind) == ("RESULT", "suspense"):
            figures["failed_count"] += n
            figures["failed_fen"] += fen
        elif txn_kind == "REFUND" and account_kind in ("suspense", "clearing"):
            figures["refunded_count"] += n
            figures["refunded_fen"] -= fen  # credits: the money leaving for the budget


def _outstanding(figures: dict[str, int], to_date: dict[str, int], unsettled: int) -> None:
    figures["outstanding_fen"] = to_date.get("outstanding_fen", 0)
    figures["outstanding_count"] = unsettled


def _settled_lines(conn, in_scope, end: datetime) -> dict[str, int]:
    """Per batch, how many lines were settled (paid, or refunded) before ``end``: each once, so
    that a line paid short and its rest refunded is one settled line."""
    settling = or_((transactions.c.kind == "RESULT") & (accounts.c.kind == "paid"), transactions.c.kind == "REFUND")
    query = (
        select(postings.c.batch_id, func.count(postings.c.seq.distinct()))
        .select_from(postings.join(transactions, transactions.c.id == postings.c.transaction_id)
                     .join(accounts, accounts.c.id == postings.c.account_id)
                     .join(batches, batches.c.id == postings.c.batch_id))
        .where(*in_scope, transactions.c.created_at < end, postings.c.seq.is_not(None), settling)
        .group_by(postings.c.batch_id)
    )
    return {batch_id: int(n) for batch_id, n in conn.execute(query)}
