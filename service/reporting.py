"""Reports of a batch, issued as signed three-copy documents.

The triple-copy reconciliation (三联单) sets side by side what the roster asked, what finance
instructed and funded, what the bank reported and what the ledger holds, and lists the
discrepancies. The refund-of-surplus report itemizes every unpaid line. Personal data in
reports is masked.

The signed content holds no time of issue, so the same closed batch gives the same content and
digest however often and by whomever it is fetched. It says what it is as of (``as_of``): for a
closed batch its close, fixed then, and deadlines are judged on the day it closed; for a batch
still open the Beijing day the deadlines were judged on. The time of issue travels beside it
(:attr:`reports.documents.Document.issued_at`) and is printed on each copy.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from itertools import chain

from sqlalchemy import func, select

from domain import beijing, workdays
from domain.booking import EXCEPTIONS, Disposition
from domain.masking import mask_name
from domain.model import BatchStatus, FailureReason, LineStatus
from domain.reasons import follow_up
from i18n import Named
from i18n.stored import message
from ledger import statements as ledger_statements
from ledger import store
from ledger.schema import lines as line_table
from reports.discrepancies import (
    LABELS,
    NO_RESULT,
    PAID_SHORT,
    DiscrepancyClass,
    DueRecord,
    LineFacts,
    classify,
    statement_duplicates,
)
from reports.documents import Document, issue
from reports.signing import Signer, SigningKeys
from service import batches
from service import statements as bank_statements
from service.context import Context
from service.errors import FailedPrecondition, NotFound

MAX_LISTED = 1000  # discrepancy lines listed per class; counts and sums always cover all


def signing_keys(ctx: Context) -> SigningKeys:
    """The report-signing key set beside the personal-data keys, made (or taken in from a
    report-signing.pem of the earlier kind) at first use when ``ykt keys init`` did not."""
    return SigningKeys.load_or_create(ctx.settings.signing_key_file, ctx.settings.legacy_signing_key_file)


def signer(ctx: Context) -> Signer:
    """Signs with the current key, naming its id in every signature."""
    return signing_keys(ctx).signer()


def public_keys(ctx: Context) -> dict[str, str]:
    """Every signing key's public half by id: a copy signed before a rotation still verifies."""
    return signing_keys(ctx).public_keys()


def issued_at(ctx: Context) -> str:
    """Now in Beijing time: when a copy is issued (printed on it, outside the signed content)."""
    return beijing.local(ctx.clock()).isoformat(timespec="seconds")


def judged_on(ctx: Context, batch) -> date:
    """The Beijing day a batch's deadlines are judged on: the day it closed, else today."""
    if batch.status == BatchStatus.CLOSED.value and batch.closed_at is not None:
        return beijing.day_of(batch.closed_at)
    return beijing.day_of(ctx.clock())


def as_of(ctx: Context, batch) -> str:
    """What a batch's report content is as of: its close (seconds, Beijing) once closed, else
    the Beijing day its deadlines were judged on."""
    if batch.status == BatchStatus.CLOSED.value and batch.closed_at is not None:
        return beijing.local(batch.closed_at).isoformat(timespec="seconds")
    return judged_on(ctx, batch).isoformat()


def reconciliation(ctx: Context, batch_id: str) -> Document:
    return issue("reconciliation", reconciliation_content(ctx, batch_id), signer(ctx), issued_at(ctx))


def reconciliation_content(ctx: Context, batch_id: str) -> dict:
    """The reconciliation's content, unsigned: also each batch's figures in the aggregated
    reconciliation (service.aggregate), which must agree with the batch's own report."""
    with ctx.engine.connect() as conn:
        batch = store.get_batch(conn, batch_id)
        if batch is None:
            raise NotFound("error.batch.none", batch=batch_id)
        roster = store.line_status_totals(conn, batch_id)
        reported = _reported_totals(conn, batch)
        ledger = _ledger_totals(conn, batch)
        unbalanced = store.unbalanced_transactions(conn, batch_id)
        dispatched = batch.dispatched_at is not None
        deadlines = _deadlines(ctx, batch, store.first_result_at(conn, batch_id))
        quarantined = store.quarantined_files(conn, batch_id, batch.bank_code, batch.funded_at or batch.created_at,
                                              batch.closed_at, MAX_LISTED)
        found = classify(
            (LineFacts(r.seq, LineStatus(r.status), r.amount_fen, r.paid_fen or 0, r.reason, r.closed_from,
                       beijing.day_of(r.paid_at) if r.paid_at is not None else None)
             for r in store.line_facts(conn, batch_id)),
            (DueRecord(r.seq, Disposition(r.disposition), r.due_fen, r.file_id, r.ordinal + 1, r.detail or "",
                       r.line_fen or 0)
             for r in store.due_records(conn, batch_id)),
            instructed=dispatched, missed_due=_missed_due(ctx, batch, deadlines), payment_due=batch.payment_due,
        )
        debits = ledger_statements.repeated_debits(conn, batch_id)
        if debits:
            amounts = {r.seq: r.amount_fen for r in store.lines_by_seq(conn, batch_id, list(debits))}
            found = chain(found, statement_duplicates(debits, store.payments_booked(conn, batch_id, list(debits)),
                                                      amounts))
        discrepancies = {k.value: {"label": LABELS[k], "count": 0, "fen": 0, "lines": []} for k in DiscrepancyClass}
        for d in found:
            slot = discrepancies[d.kind.value]
            slot["count"] += 1
            slot["fen"] += d.fen
            if len(slot["lines"]) < MAX_LISTED:
                slot["lines"].append({"seq": d.seq, "instructed_fen": d.instructed_fen, "fen": d.fen,
                                      "reason": d.reason, "detail": d.detail})
        statement = bank_statements.batch_figures(conn, batch)
        outcome = _outcome(conn, batch_id)
    roster_count = sum(n for n, _ in roster.values())
    roster_fen = sum(f for _, f in roster.values())
    outside = [LineStatus.REJECTED.value, LineStatus.HELD.value, LineStatus.REMOVED.value]
    outside_count = sum(roster.get(s, (0, 0))[0] for s in outside)
    outside_fen = sum(roster.get(s, (0, 0))[1] for s in outside)
    approved = batch.approved_at is not None
    content = {
        "report": "triple-copy reconciliation 三联单",
        "as_of": as_of(ctx, batch),
        "batch": _batch_summary(batch),
        "roster": {
            "count": roster_count,
            "total_fen": roster_fen,
            # lines the department submitted that are not paid from this batch, by status
            "not_instructed": {s: {"count": roster[s][0], "fen": roster[s][1]} for s in outside if s in roster},
        },
        "finance": {
            "instructed_count": batch.line_count,
            "instructed_fen": batch.total_fen,
            "funded_fen": batch.funded_fen,
        },
        "bank": reported,
        # Each instructed line once, by where it ended: paid on the first instruction, paid on a
        # re-issue (补发), failed and not paid, no answer. They add up to the instruction, where
        # the bank's records (paid, failed) count a line failed and re-issued in both.
        "outcome": outcome,
        "ledger": ledger,
        "deadlines": deadlines,
        "discrepancies": discrepancies,
        # Result files that booked nothing: unreadable, naming an unknown batch or lines the batch
        # does not have, contradicting it. Their records (when readable) are in bank.quarantined_*
        # and in the discrepancies above; the files themselves are listed here with the reasons.
        "quarantined_files": {
            "label": "隔离回盘文件 quarantined result files (booked nothing)",
            "count": len(quarantined),
            "files": [_quarantined(f, batch_id) for f in quarantined],
        },
        # What the bank's own statements of the clearing account show for the batch (stored,
        # never posted): funded, paid and refunded as matched to the ledger, and the breaks.
        "statement": statement,
        "checks": {
            "every_transaction_sums_to_zero": not unbalanced,
            "roster_equals_submission": (roster_count, roster_fen) == (batch.roster_count, batch.roster_fen),
            "instruction_equals_accepted_lines": not approved or (
                (batch.line_count, batch.total_fen) == (roster_count - outside_count, roster_fen - outside_fen)),
            "funded_equals_instruction": batch.funded_fen in (0, batch.total_fen),
            "funded_equals_paid_refunded_outstanding": batch.funded_fen
            == ledger["paid_fen"] + ledger["refunded_fen"] + ledger["clearing_fen"] + ledger["suspense_fen"],
            "bank_paid_equals_ledger_paid": reported["paid_fen"] == ledger["paid_fen"],
            "bank_due_back_equals_ledger_due_back": reported["due_back_fen"] == ledger["due_back_fen"],
            "closed_clearing_is_zero": batch.status != BatchStatus.CLOSED.value or ledger["clearing_fen"] == 0,
            "outcome_adds_up_to_instruction": not approved or (
                sum(outcome[k]["count"] for k in OUTCOMES), sum(outcome[k]["fen"] for k in OUTCOMES))
            == (batch.line_count, batch.total_fen),
        },
    }
    return content


OUTCOMES = ("paid_first", "paid_on_reissue", "failed", "unanswered")
_FAILED_AT_CLOSE = (LineStatus.FAILED.value, LineStatus.GIVEN_UP.value)


def _outcome(conn, batch_id: str) -> dict[str, dict[str, int]]:
    """Instructed lines by how they ended (:data:`OUTCOMES`), and those re-issued at least once
    (``reissued``: instructed again in a later payment file), each with its count and
    instructed fen."""
    ln = line_table.c
    out = {k: {"count": 0, "fen": 0} for k in (*OUTCOMES, "reissued")}
    rows = conn.execute(
        select(ln.status, ln.closed_from, ln.reason.is_not(None), ln.round, func.count(),
               func.coalesce(func.sum(ln.amount_fen), 0))
        .where(ln.batch_id == batch_id)
        .group_by(ln.status, ln.closed_from, ln.reason.is_not(None), ln.round))
    for status, closed_from, has_reason, round_no, n, fen in rows:
        again = round_no > 0
        if status == LineStatus.PAID.value:
            key = "paid_on_reissue" if again else "paid_first"
        elif status in _FAILED_AT_CLOSE or (status == LineStatus.REFUNDED.value and (
                closed_from in _FAILED_AT_CLOSE or (closed_from is None and has_reason))):
            key = "failed"
        elif status in (LineStatus.PENDING.value, LineStatus.REFUNDED.value):
            key = "unanswered"
        else:
            continue  # rejected, held, removed: never instructed
        out[key]["count"] += int(n)
        out[key]["fen"] += int(fen)
        if again:
            out["reissued"]["count"] += int(n)
            out["reissued"]["fen"] += int(fen)
    return out


def refund_report(ctx: Context, batch_id: str) -> Document:
    """The itemized refund-of-surplus report of a closed batch."""
    with ctx.engine.connect() as conn:
        batch = store.get_batch(conn, batch_id)
        if batch is None:
            raise NotFound("error.batch.none", batch=batch_id)
        if batch.status != BatchStatus.CLOSED.value:
            raise FailedPrecondition("error.batch.not_closed", batch=batch_id,
                                     status=Named("batch_status", batch.status))
        ledger = _ledger_totals(conn, batch)
        items = []
        reasons: Counter[str] = Counter()
        for r in store.refunded_lines(conn, batch_id):
            short = r.status == LineStatus.PAID.value
            reason = PAID_SHORT if short else (r.reason or NO_RESULT)
            reasons[reason] += 1
            items.append({
                "seq": r.seq,
                "name": mask_name(r.name),
                "id_number": r.id_masked,
                "account_no": r.account_masked,
                "amount_fen": r.amount_fen - (r.paid_fen or 0) if short else r.amount_fen,
                "reason": reason,
                "given_up": r.closed_from == LineStatus.GIVEN_UP.value,
                "follow_up": follow_up(FailureReason(r.reason)).value if r.reason and not short else "ASK_BANK",
                "bank_reason": " ".join(filter(None, [r.bank_reason_code, r.bank_reason_text])),
            })
        due = [{"seq": r.seq, "kind": r.disposition, "due_fen": r.due_fen, "file_id": r.file_id,
                "record": r.ordinal + 1, "detail": r.detail or ""} for r in store.due_records(conn, batch_id)]
    content = {
        "report": "refund of surplus 结余资金退回",
        "as_of": as_of(ctx, batch),
        "batch": _batch_summary(batch),
        "funded_fen": batch.funded_fen,
        "paid_fen": ledger["paid_fen"],
        "refunded_fen": ledger["refunded_fen"],
        "surplus_fen": batch.funded_fen - ledger["paid_fen"],
        "refunded_count": len(items),
        "by_reason": dict(sorted(reasons.items())),
        "lines": items,
        # Paid by the bank without our instruction (多发, 重发): not in the refund, owed by the bank.
        "due_back": {"label": "应收银行退回 due back from the bank", "fen": ledger["due_back_fen"],
                     "count": len(due), "records": due[:MAX_LISTED]},
        "checks": {
            "surplus_equals_refund": batch.funded_fen - ledger["paid_fen"] == ledger["refunded_fen"],
            "items_sum_to_refund": sum(i["amount_fen"] for i in items) == ledger["refunded_fen"],
            "due_back_listed": sum(d["due_fen"] for d in due) == ledger["due_back_fen"],
        },
    }
    return issue("refund", content, signer(ctx), issued_at(ctx))


def _quarantined(f, batch_id: str) -> dict:
    if f.batch_id == batch_id or f.claimed_batch_id == batch_id:
        concerns = message("detail.concerns_this_batch")
    elif f.claimed_batch_id:
        concerns = message("detail.concerns_unknown_batch", batch=f.claimed_batch_id)
    else:
        concerns = message("detail.concerns_no_batch")
    return {"file_id": f.id, "name": f.name, "received_at": beijing.local(f.created_at).isoformat(timespec="seconds"),
            "sha256": f.sha256 or "", "concerns": concerns, "reasons": f.last_error or ""}


def _deadlines(ctx: Context, batch, first_result: datetime | None) -> dict:
    """The bank profile's deadlines in working days from funding, on the official calendar, in
    Beijing days: lines paid after ``payment_due`` are late (迟发, in the discrepancies); a result
    report first arriving after ``result_due`` — or still missing after it — is a late report."""
    if batch.funded_at is None:
        return {"payment_due": None, "result_due": None, "first_result_on": None, "late_report": False}
    arrived = beijing.day_of(first_result) if first_result is not None else None
    out = {"payment_due": batch.payment_due.isoformat() if batch.payment_due else None, "result_due": None,
           "first_result_on": arrived.isoformat() if arrived else None, "late_report": False}
    try:
        due = batches.result_due(ctx, batch)
    except workdays.CalendarRangeError as exc:  # said in the report rather than failing it
        return out | {"calendar": str(exc)}
    return out | {"result_due": due.isoformat(), "late_report": (arrived or judged_on(ctx, batch)) > due}


def _missed_due(ctx: Context, batch, deadlines: dict) -> bool:
    """Whether what is unpaid now is missed (漏发): the result deadline has passed, or the batch is
    closed."""
    if batch.status == BatchStatus.CLOSED.value:
        return True
    due = deadlines.get("result_due")
    return due is not None and judged_on(ctx, batch) > date.fromisoformat(due)


def _batch_summary(batch) -> dict:
    return {
        "id": batch.id,
        "program": batch.program,
        "period": batch.period,
        "region": batch.region,
        "bank_code": batch.bank_code,
        "status": batch.status,
        "payment_due": batch.payment_due.isoformat() if batch.payment_due else None,
    }


def _reported_totals(conn, batch) -> dict[str, int]:
    """What the bank's booked result files say, record by record as booked (domain.booking)."""
    out = {"paid_count": 0, "paid_fen": 0, "failed_count": 0, "failed_fen": 0, "due_back_count": 0,
           "due_back_fen": 0, "rereported_count": 0, "exceptions_count": 0}
    for r in store.booked_totals(conn, batch.id):
        if r.new_status == LineStatus.PAID.value:
            out["paid_count"] += r.n
        elif r.new_status == LineStatus.FAILED.value:
            out["failed_count"] += r.n
            out["failed_fen"] += r.failed_fen
        out["paid_fen"] += r.paid_fen
        if r.due_fen:
            out["due_back_count"] += r.n
            out["due_back_fen"] += r.due_fen
        if r.disposition == Disposition.REREPORT.value:
            out["rereported_count"] += r.n
        if r.disposition in EXCEPTIONS:
            out["exceptions_count"] += r.n
    # Lines instructed and never answered, before close and after it (refunded from clearing).
    out["unreported_count"], out["unreported_fen"] = (
        store.unanswered_totals(conn, batch.id) if batch.dispatched_at is not None else (0, 0))
    return out


def _ledger_totals(conn, batch) -> dict[str, int]:
    by_kind: Counter[str] = Counter()
    for code, balance in store.balances(conn, batch_id=batch.id):
        by_kind[code.split(":", 1)[0]] += balance
    return {  # the batch's budget balance is -funded + refunded
        "clearing_fen": by_kind["clearing"],
        "paid_fen": by_kind["paid"],
        "suspense_fen": by_kind["suspense"],
        "refunded_fen": by_kind["budget"] + batch.funded_fen,
        "due_back_fen": by_kind["due"],  # paid by the bank without our instruction; not in funded
    }


