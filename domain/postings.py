"""Posting rules: which accounts move, and by how much, for each event in a batch's life.

Debits are positive, credits negative, amounts in fen. An :class:`Entry` cannot be built unless
its postings sum to zero; the database refuses an unbalanced transaction too (``ledger.guards``).

The accounts:

======================  ====================================  =======================
code                    what it holds                         keyed by
======================  ====================================  =======================
``budget:R``            finance's subsidy budget              region R
``clearing:B:R``        the bank's agency clearing account    bank B, region R
``paid:P``              subsidies paid to citizens            program P
``suspense:B``          failed payments awaiting re-issue     bank B
                        or refund
``due:B``               due back from the bank: what it paid  bank B
                        without our instruction (多发, 重发)
``unauthorized:B``      the bank's payments without our       bank B
                        instruction, as it reported them
======================  ====================================  =======================

Life of the money of one batch: funding moves the total from budget to clearing; each bank
result moves a line's amount from clearing to paid (success) or to suspense (failure); closing
the batch returns whatever was not paid — failed lines from suspense, unreported lines from
clearing, and the unpaid part of a line paid short — to the budget. After close the batch's
clearing balance is zero and funded = paid + refunded.

A payment the bank made without our instruction (a line never instructed, another account, more
than instructed, a second payment) is not paid subsidy and not the budget's loss: it is booked
as due back from the bank (``due:B``) against the bank's unauthorized payments
(``unauthorized:B``), a pair that sums to zero per batch. So funded = paid + refunded +
outstanding holds at every moment whatever the bank does, the refund is never made smaller by
the bank's mistakes, and what the bank owes is listed for recovery until it is settled. The
bank's statement shows such a payment as a debit our clearing account does not have: the
amount due back.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.booking import Booking


class UnbalancedEntry(ValueError):
    """An entry whose postings do not sum to zero, or that has fewer than two postings."""


def budget(region: str) -> str:
    return f"budget:{region}"


def clearing(bank_code: str, region: str) -> str:
    return f"clearing:{bank_code}:{region}"


def paid(program: str) -> str:
    return f"paid:{program}"


def suspense(bank_code: str) -> str:
    return f"suspense:{bank_code}"


def due_back(bank_code: str) -> str:
    return f"due:{bank_code}"


def unauthorized(bank_code: str) -> str:
    return f"unauthorized:{bank_code}"


def bank_of(account: str) -> str | None:
    """The bank an account code belongs to (clearing, suspense, due, unauthorized), else None."""
    kind, _, rest = account.partition(":")
    return rest.split(":", 1)[0] if kind in ("clearing", "suspense", "due", "unauthorized") and rest else None


ACCOUNT_KINDS = {
    "budget": "财政补贴预算 finance budget",
    "clearing": "代发清算户 agency clearing",
    "paid": "补贴已发放 subsidy paid",
    "suspense": "发放失败挂账 failed-payment suspense",
    "due": "应收银行退回 due back from the bank",
    "unauthorized": "银行无指令支付 paid by the bank without instruction",
}


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount_fen: int
    seq: int | None = None  # the batch line the posting belongs to, when it belongs to one


@dataclass(frozen=True, slots=True)
class Entry:
    """A balanced set of postings that will become one ledger transaction."""

    kind: str
    batch_id: str
    memo: str
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        check_balanced(self.postings)


def check_balanced(postings: Iterable[Posting]) -> None:
    count = 0
    total = 0
    for p in postings:
        if type(p.amount_fen) is not int:
            raise UnbalancedEntry(f"posting to {p.account}: amount must be int fen, got {p.amount_fen!r}")
        if p.amount_fen == 0:
            raise UnbalancedEntry(f"posting to {p.account}: amount must not be zero")
        count += 1
        total += p.amount_fen
    if count < 2:
        raise UnbalancedEntry(f"an entry needs at least two postings, got {count}")
    if total != 0:
        raise UnbalancedEntry(f"postings sum to {total} fen, not zero")


@dataclass(frozen=True, slots=True)
class BatchAccounts:
    """The accounts one batch touches."""

    region: str
    bank_code: str
    program: str

    @property
    def budget(self) -> str:
        return budget(self.region)

    @property
    def clearing(self) -> str:
        return clearing(self.bank_code, self.region)

    @property
    def paid(self) -> str:
        return paid(self.program)

    @property
    def suspense(self) -> str:
        return suspense(self.bank_code)

    @property
    def due_back(self) -> str:
        return due_back(self.bank_code)

    @property
    def unauthorized(self) -> str:
        return unauthorized(self.bank_code)


def funding(batch_id: str, accounts: BatchAccounts, amount_fen: int) -> Entry:
    """Finance transfers the batch total to the bank's clearing account."""
    return Entry(
        kind="FUND",
        batch_id=batch_id,
        memo=f"funding of batch {batch_id}",
        postings=(Posting(accounts.clearing, amount_fen), Posting(accounts.budget, -amount_fen)),
    )


def reissue(batch_id: str, accounts: BatchAccounts, lines: Iterable[tuple[int, int]]) -> Entry:
    """Failed lines go out again (补发): their money leaves suspense for clearing, where the
    bank's next result takes it from. ``lines`` are ``(seq, amount_fen)``."""
    debits = tuple(Posting(accounts.clearing, amount, seq) for seq, amount in lines)
    return Entry(
        kind="REISSUE",
        batch_id=batch_id,
        memo=f"failed lines of batch {batch_id} re-issued",
        postings=(*debits, Posting(accounts.suspense, -sum(p.amount_fen for p in debits))),
    )


def result_file(batch_id: str, accounts: BatchAccounts, bookings: Iterable[tuple[int, Booking]]) -> Entry | None:
    """The ledger transaction of one result file's records, ``(seq, booking)`` each (see
    :mod:`domain.booking`); None when the file books no money (re-reports only, say).

    ``ledger.store.book_result_file`` books the same rule set-based in SQL for a million lines;
    this is the rule as plain data, which the tests hold the SQL to.
    """
    legs: list[Posting] = []
    from_clearing = from_suspense = due = 0
    for seq, b in bookings:
        if b.paid_fen:
            legs.append(Posting(accounts.paid, b.paid_fen, seq))
        if b.failed_fen:
            legs.append(Posting(accounts.suspense, b.failed_fen, seq))
        if b.due_fen:
            legs.append(Posting(accounts.due_back, b.due_fen, seq))
            due += b.due_fen
        moved = b.paid_fen + b.failed_fen
        if b.from_suspense:
            from_suspense += moved
        else:
            from_clearing += moved
    counter = [Posting(account, -amount) for account, amount in (
        (accounts.clearing, from_clearing), (accounts.suspense, from_suspense), (accounts.unauthorized, due)) if amount]
    if not legs:
        return None
    return Entry(kind="RESULT", batch_id=batch_id, memo=f"bank results for batch {batch_id}",
                 postings=(*legs, *counter))


def surplus_refund(
    batch_id: str,
    accounts: BatchAccounts,
    failed: Iterable[tuple[int, int]],
    unreported: Iterable[tuple[int, int]],
) -> Entry | None:
    """Return the unpaid money of a batch to finance (结余资金退回).

    ``failed`` lines' money sits in suspense; ``unreported`` money still in clearing (lines
    never answered, and the unpaid part of lines paid short); both are given as ``(seq,
    amount_fen)``. None when there is nothing to refund.
    """
    credits = tuple(Posting(accounts.suspense, -amount, seq) for seq, amount in failed) + tuple(
        Posting(accounts.clearing, -amount, seq) for seq, amount in unreported
    )
    if not credits:
        return None
    total = -sum(p.amount_fen for p in credits)
    return Entry(
        kind="REFUND",
        batch_id=batch_id,
        memo=f"surplus of batch {batch_id} returned to finance",
        postings=(Posting(accounts.budget, total), *credits),
    )
