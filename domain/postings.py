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
======================  ====================================  =======================

Life of the money of one batch: funding moves the total from budget to clearing; each bank
result moves a line's amount from clearing to paid (success) or to suspense (failure); closing
the batch returns whatever was not paid — failed lines from suspense, unreported lines from
clearing — to the budget. After close the batch's clearing balance is zero and
funded = paid + refunded.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.model import PaymentOutcome


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


ACCOUNT_KINDS = {
    "budget": "财政补贴预算 finance budget",
    "clearing": "代发清算户 agency clearing",
    "paid": "补贴已发放 subsidy paid",
    "suspense": "发放失败挂账 failed-payment suspense",
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

    def result_account(self, outcome: PaymentOutcome) -> str:
        """Where a line's money goes when the bank reports ``outcome``.

        Booking a result file is one debit per line to this account and one credit of the
        total to clearing; ``ledger.store.book_result_file`` does it set-based in SQL.
        """
        return self.paid if outcome is PaymentOutcome.PAID else self.suspense


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


def surplus_refund(
    batch_id: str,
    accounts: BatchAccounts,
    failed: Iterable[tuple[int, int]],
    unreported: Iterable[tuple[int, int]],
) -> Entry | None:
    """Return the unpaid money of a batch to finance (结余资金退回).

    ``failed`` lines' money sits in suspense, ``unreported`` lines' money still in clearing;
    both are given as ``(seq, amount_fen)``. None when there is nothing to refund.
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
