import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.postings import BatchAccounts, Entry, Posting, UnbalancedEntry, funding, surplus_refund

ACCT = BatchAccounts(region="652301", bank_code="B1", program="耕地地力保护补贴")


def test_an_unbalanced_entry_cannot_be_built():
    with pytest.raises(UnbalancedEntry, match="sum to 1 fen"):
        Entry("X", "B", "m", (Posting("a", 100), Posting("b", -99)))


def test_an_entry_needs_two_postings_and_no_zero_or_float_amounts():
    with pytest.raises(UnbalancedEntry, match="at least two"):
        Entry("X", "B", "m", (Posting("a", 5),))
    with pytest.raises(UnbalancedEntry, match="must not be zero"):
        Entry("X", "B", "m", (Posting("a", 0), Posting("b", 0)))
    with pytest.raises(UnbalancedEntry, match="int fen"):
        Entry("X", "B", "m", (Posting("a", 1.5), Posting("b", -1.5)))


def test_funding_moves_the_total_from_budget_to_clearing():
    entry = funding("B1", ACCT, 12345)
    assert {(p.account, p.amount_fen) for p in entry.postings} == {
        ("clearing:B1:652301", 12345), ("budget:652301", -12345)}


def test_the_bank_owes_back_what_it_paid_without_instruction():
    assert (ACCT.due_back, ACCT.unauthorized) == ("due:B1", "unauthorized:B1")


@given(
    failed=st.lists(st.integers(1, 10**9), max_size=30),
    unreported=st.lists(st.integers(1, 10**9), max_size=30),
)
def test_surplus_refund_is_itemized_and_balanced(failed, unreported):
    entry = surplus_refund("B", ACCT, list(enumerate(failed, 1)), list(enumerate(unreported, 1000)))
    if not failed and not unreported:
        assert entry is None
        return
    assert sum(p.amount_fen for p in entry.postings) == 0
    budget = [p for p in entry.postings if p.account == "budget:652301"]
    assert [p.amount_fen for p in budget] == [sum(failed) + sum(unreported)]
    assert sorted(-p.amount_fen for p in entry.postings if p.account == "suspense:B1") == sorted(failed)
    assert sorted(-p.amount_fen for p in entry.postings if p.account == "clearing:B1:652301") == sorted(unreported)
