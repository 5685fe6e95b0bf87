"""A small model of issue 12's money rules, independent of the product (it imports none of it):
plain Python over plain data, for the model-based test ``tests/e2e/test_money_model.py``.

The data: each line of a batch (instructed amount, account, status), the bank facts booked about
it in order (one record of a booked result file each: paid with an amount and a bank reference,
or failed), and the two deadlines. From them the model says every figure the service reports: the
reconciliation's bank, ledger and discrepancy figures, the exceptions, the refund of surplus at
close and a month's figures. Days are Beijing days (UTC+8).

The rules (issue 12 item 5), as the model applies them to each fact:

* a payment with a reference already reported for the line is a re-report: it books nothing;
* a payment of a line never instructed (unknown, removed, given up) is over-paid (多发) whole;
* a payment naming another account than the line's is over-paid whole; the line is unchanged;
* a payment of a paid line (new reference) is a duplicate (重发), the whole of it;
* otherwise it pays the line: what is at most the instructed amount goes to paid (a short
  payment's rest stays where the line's money was), any excess is over-paid (多发);
* a failure moves the line's money to suspense. Over- and duplicate payments are due back from
  the bank: never paid, never refunded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
REASONS = {"E01": "ACCOUNT_NOT_FOUND", "E02": "NAME_MISMATCH", "E03": "ACCOUNT_CLOSED",
           "E04": "ACCOUNT_FROZEN", "E05": "ID_MISMATCH", "E06": "CARD_LOST"}
PAYS = ("PAID", "PAID_SHORT", "PAID_OVER")  # facts that paid a line
OVER = ("NOT_INSTRUCTED", "OTHER_ACCOUNT", "PAID_OVER")


def day(at: datetime) -> date:
    return at.astimezone(BEIJING).date()


@dataclass(frozen=True)
class Fact:
    """One record of a result file: paid (``ref``) or failed (``code``)."""

    seq: int
    account: str
    amount: int
    paid: bool
    ref: str = ""
    code: str = ""


@dataclass
class Line:
    seq: int
    amount: int
    account: str
    status: str = "UNANSWERED"  # UNANSWERED, PAID, FAILED, GIVEN_UP; REMOVED: never instructed
    paid: int = 0  # fen booked to paid
    paid_on: date | None = None
    reason: str | None = None  # of its last failure
    in_suspense: bool = False  # where its unpaid money sits (else clearing)
    refunded: int = 0


@dataclass(frozen=True)
class Booked:
    """What one fact booked: ``kind`` is what it was, the fen it moved, and when."""

    on: date
    seq: int
    kind: str
    paid: int = 0
    failed: int = 0
    due: int = 0


@dataclass
class Model:
    lines: dict[int, Line]
    payment_due: date
    result_due: date
    funded_on: date | None = None
    booked: list[Booked] = field(default_factory=list)
    refunds: list[tuple[date, int, int]] = field(default_factory=list)  # (day, seq, fen)
    refs: dict[int, set[str]] = field(default_factory=dict)  # payment references seen per seq
    first_result: date | None = None
    closed: bool = False
    closed_on: date | None = None

    @property
    def instructed(self) -> list[Line]:
        return [ln for ln in self.lines.values() if ln.status != "REMOVED"]

    @property
    def funded(self) -> int:
        return sum(ln.amount for ln in self.instructed)

    # -- what happens -------------------------------------------------------------------------

    def book_file(self, facts: list[Fact], at: datetime) -> None:
        self.first_result = self.first_result or day(at)
        self.booked += [self._book(f, day(at)) for f in facts]

    def _book(self, f: Fact, on: date) -> Booked:
        line = self.lines.get(f.seq)
        if not f.paid:  # (the test fails only unanswered lines, naming their account)
            line.status, line.reason, line.in_suspense = "FAILED", REASONS[f.code], True
            return Booked(on, f.seq, "FAILED", failed=line.amount)
        seen = self.refs.setdefault(f.seq, set())
        if f.ref in seen:
            return Booked(on, f.seq, "REREPORT")
        seen.add(f.ref)
        if line is None or line.status in ("REMOVED", "GIVEN_UP"):
            return Booked(on, f.seq, "NOT_INSTRUCTED", due=f.amount)
        if f.account != line.account:
            return Booked(on, f.seq, "OTHER_ACCOUNT", due=f.amount)
        if line.status == "PAID":
            return Booked(on, f.seq, "SECOND_PAYMENT", due=f.amount)
        paid = min(f.amount, line.amount)
        line.status, line.paid, line.paid_on = "PAID", paid, on
        kind = "PAID" if f.amount == line.amount else "PAID_SHORT" if f.amount < line.amount else "PAID_OVER"
        return Booked(on, f.seq, kind, paid=paid, due=f.amount - paid)

    def give_up(self, seqs: list[int]) -> None:
        for seq in seqs:
            self.lines[seq].status = "GIVEN_UP"

    def reissue(self, accounts: dict[int, str]) -> None:
        for seq, account in accounts.items():
            ln = self.lines[seq]
            ln.status, ln.account, ln.reason, ln.in_suspense = "UNANSWERED", account, None, False

    def close(self, at: datetime) -> None:
        for ln in self.instructed:
            rest = ln.amount - ln.paid
            if rest:
                ln.refunded = rest
                self.refunds.append((day(at), ln.seq, rest))
        self.closed, self.closed_on = True, day(at)  # a closed batch's deadlines: judged on this day, ever after

    # -- what the service must say ------------------------------------------------------------

    def reconciliation(self, today: date) -> dict:
        b = self.booked
        paying = [x for x in b if x.kind in PAYS]
        failing = [x for x in b if x.kind == "FAILED"]
        due = [x for x in b if x.due]
        unanswered = [ln for ln in self.instructed if ln.status == "UNANSWERED"]
        open_ = [ln for ln in self.instructed if not self.closed]
        missed = []
        if self.closed or today > self.result_due:
            for ln in self.instructed:
                if ln.status in ("UNANSWERED", "FAILED") or (ln.status == "PAID" and ln.paid < ln.amount):
                    missed.append((ln.seq, ln.amount - ln.paid))
        late = [(ln.seq, ln.paid) for ln in self.instructed if ln.paid and ln.paid_on > self.payment_due]
        return {
            "bank": {
                "paid_count": len(paying), "paid_fen": sum(x.paid for x in paying),
                "failed_count": len(failing), "failed_fen": sum(x.failed for x in failing),
                "unreported_count": len(unanswered), "unreported_fen": sum(ln.amount for ln in unanswered),
                "due_back_count": len(due), "due_back_fen": sum(x.due for x in due),
                "rereported_count": sum(x.kind == "REREPORT" for x in b),
                "exceptions_count": sum(x.kind not in ("PAID", "FAILED") for x in b),
            },
            "ledger": {
                "clearing_fen": sum(ln.amount - ln.paid for ln in open_ if not ln.in_suspense),
                "paid_fen": sum(ln.paid for ln in self.instructed),
                "suspense_fen": sum(ln.amount - ln.paid for ln in open_ if ln.in_suspense),
                "refunded_fen": sum(ln.refunded for ln in self.instructed),
                "due_back_fen": sum(x.due for x in due),
            },
            "discrepancies": {
                "OVER": sorted((x.seq, x.due) for x in due if x.kind in OVER),
                "DUPLICATE": sorted((x.seq, x.due) for x in due if x.kind == "SECOND_PAYMENT"),
                "MISSED": missed,
                "LATE": late,
            },
        }

    def exceptions(self) -> list[tuple[int, str, int]]:
        return sorted((x.seq, x.kind, x.due) for x in self.booked if x.kind not in ("PAID", "FAILED"))

    def refund(self) -> dict:
        items = []
        for ln in self.instructed:
            if ln.refunded:
                reason = "PAID_SHORT" if ln.status == "PAID" else ln.reason or "NO_RESULT"
                items.append((ln.seq, ln.refunded, reason, ln.status == "GIVEN_UP"))
        due = [x for x in self.booked if x.due]
        reasons = sorted({r for _, _, r, _ in items})
        return {
            "funded_fen": self.funded, "paid_fen": sum(ln.paid for ln in self.instructed),
            "refunded_fen": sum(i[1] for i in items), "refunded_count": len(items),
            "surplus_fen": self.funded - sum(ln.paid for ln in self.instructed),
            "by_reason": {r: sum(i[2] == r for i in items) for r in reasons},
            "lines": items, "due_back": {"fen": sum(x.due for x in due), "count": len(due)},
        }

    def month(self, month: str) -> dict:
        """The month's figures (``YYYY-MM``, Beijing) of this batch alone."""
        def of(d: date) -> str:
            return d.strftime("%Y-%m")
        figures = dict.fromkeys(("paid_count", "paid_fen", "failed_count", "failed_fen", "refunded_count",
                                 "refunded_fen", "late_count", "late_fen", "outstanding_count",
                                 "outstanding_fen", "funded_batches", "funded_fen"), 0)
        if self.funded_on is None or of(self.funded_on) > month:
            return figures
        if of(self.funded_on) == month:
            figures["funded_batches"], figures["funded_fen"] = 1, self.funded
        for x in self.booked:
            if of(x.on) == month and x.kind in PAYS:
                figures["paid_count"] += 1
                figures["paid_fen"] += x.paid
                if x.on > self.payment_due:
                    figures["late_count"] += 1
                    figures["late_fen"] += x.paid
            elif of(x.on) == month and x.kind == "FAILED":
                figures["failed_count"] += 1
                figures["failed_fen"] += x.failed
        for on, _seq, fen in self.refunds:
            if of(on) == month:
                figures["refunded_count"] += 1
                figures["refunded_fen"] += fen
        paid = [x for x in self.booked if x.kind in PAYS and of(x.on) <= month]
        refunded = [(seq, fen) for on, seq, fen in self.refunds if of(on) <= month]
        settled = {x.seq for x in paid} | {seq for seq, _ in refunded}
        figures["outstanding_count"] = len(self.instructed) - len(settled)
        figures["outstanding_fen"] = self.funded - sum(x.paid for x in paid) - sum(f for _, f in refunded)
        return figures
