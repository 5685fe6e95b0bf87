"""The per-record booking rules (domain/booking.py), one test per row of issue 12's rules.

Expected figures are written from the rules: what the bank said, what the line was, and what
the rule says must be booked — never from what the code printed.
"""
import pytest

from domain.booking import Booking, Disposition, LineState, Record, after, book
from domain.model import LineStatus, PaymentOutcome
from domain.postings import BatchAccounts, result_file

PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED
ACC, OTHER = b"acct-of-line-7...", b"someone-else...."


def line(status=LineStatus.PENDING, amount=10_000, round_no=0, paid=0, refs=()):
    return LineState(7, status, amount, ACC, "张三", round_no, paid, frozenset(refs))


def rec(outcome=PAID, amount=10_000, account=ACC, name="", ref="R1", round_no=0, seq=7):
    return Record(seq, outcome, amount, account, name, ref, round_no)


def test_paid_in_full_books_the_instructed_amount_to_paid():
    b = book(rec(), line())
    assert (b.disposition, b.new_status, b.paid_fen, b.failed_fen, b.due_fen) == (
        Disposition.PAID, LineStatus.PAID, 10_000, 0, 0)
    assert b.bank_ref == "R1" and not b.from_suspense


def test_failed_books_the_instructed_amount_to_suspense():
    b = book(rec(FAILED, ref=""), line())
    assert (b.disposition, b.new_status, b.paid_fen, b.failed_fen, b.due_fen) == (
        Disposition.FAILED, LineStatus.FAILED, 0, 10_000, 0)


def test_a_short_payment_books_the_amount_paid():
    b = book(rec(amount=9_000), line())
    assert (b.disposition, b.new_status, b.paid_fen, b.due_fen) == (Disposition.PAID_SHORT, LineStatus.PAID, 9_000, 0)


def test_an_over_payment_of_an_instructed_line_books_the_excess_due_back():
    b = book(rec(amount=12_500), line())
    assert (b.disposition, b.new_status, b.paid_fen, b.due_fen) == (Disposition.PAID_OVER, LineStatus.PAID,
                                                                     10_000, 2_500)


@pytest.mark.parametrize("status", [LineStatus.REJECTED, LineStatus.HELD, LineStatus.REMOVED, LineStatus.GIVEN_UP])
def test_a_payment_of_a_line_never_instructed_is_due_back_whole(status):
    b = book(rec(amount=10_000), line(status))
    assert (b.disposition, b.new_status, b.paid_fen, b.due_fen) == (Disposition.NOT_INSTRUCTED, None, 0, 10_000)


def test_a_payment_of_an_unknown_seq_is_due_back_whole():
    b = book(rec(amount=4_321, seq=99), None)
    assert (b.disposition, b.new_status, b.due_fen) == (Disposition.NOT_INSTRUCTED, None, 4_321)


def test_a_failure_of_a_line_never_instructed_books_nothing():
    for state in (None, line(LineStatus.REMOVED)):
        b = book(rec(FAILED), state)
        assert (b.disposition, b.new_status, b.paid_fen, b.failed_fen, b.due_fen) == (
            Disposition.IGNORED_FAILURE, None, 0, 0, 0)


def test_a_record_naming_another_account_is_never_a_payment_of_our_line():
    b = book(rec(account=OTHER), line())
    assert (b.disposition, b.new_status, b.paid_fen, b.due_fen) == (Disposition.OTHER_ACCOUNT, None, 0, 10_000)
    b = book(rec(FAILED, account=OTHER), line())
    assert (b.disposition, b.new_status, b.failed_fen, b.due_fen) == (Disposition.OTHER_ACCOUNT, None, 0, 0)


def test_a_record_naming_another_person_is_never_a_payment_of_our_line():
    b = book(rec(name="李四"), line())
    assert (b.disposition, b.new_status, b.due_fen) == (Disposition.OTHER_ACCOUNT, None, 10_000)
    assert book(rec(name=" 张 三 "), line()).disposition is Disposition.PAID  # spaces are layout, not a name


def test_a_masked_account_cannot_be_compared_and_is_not_held_against_the_line():
    assert book(rec(account=None), line()).disposition is Disposition.PAID


def test_a_second_payment_under_another_reference_is_due_back_whole():
    b = book(rec(ref="R2"), line(LineStatus.PAID, paid=10_000, refs=["R1"]))
    assert (b.disposition, b.new_status, b.paid_fen, b.due_fen) == (Disposition.SECOND_PAYMENT, None, 0, 10_000)


def test_the_same_payment_reported_again_books_nothing():
    b = book(rec(ref="R1"), line(LineStatus.PAID, paid=10_000, refs=["R1"]))
    assert (b.disposition, b.new_status, b.paid_fen, b.due_fen) == (Disposition.REREPORT, None, 0, 0)


@pytest.mark.parametrize("state", [None, line(LineStatus.REMOVED), line(LineStatus.GIVEN_UP)])
def test_a_payment_booked_as_due_back_reported_again_under_its_reference_books_nothing(state):
    first = book(rec(ref="X1"), state)
    assert (first.disposition, first.due_fen, first.bank_ref) == (Disposition.NOT_INSTRUCTED, 10_000, "X1")
    again = book(rec(ref="X1"), after(state, first) if state else None, refs=frozenset({"X1"}))
    assert (again.disposition, again.due_fen) == (Disposition.REREPORT, 0)
    other = book(rec(ref="X2"), after(state, first) if state else None, refs=frozenset({"X1"}))
    assert (other.disposition, other.due_fen) == (Disposition.NOT_INSTRUCTED, 10_000)  # another payment: due too


def test_a_payment_to_another_account_reported_again_under_its_reference_books_nothing():
    state = line()
    first = book(rec(account=OTHER, ref="X1"), state)
    assert (first.disposition, first.due_fen) == (Disposition.OTHER_ACCOUNT, 10_000)
    again = book(rec(account=OTHER, ref="X1"), after(state, first))
    assert (again.disposition, again.due_fen, again.new_status) == (Disposition.REREPORT, 0, None)


def test_without_references_a_second_paid_record_is_a_rereport():
    b = book(rec(ref=""), line(LineStatus.PAID, paid=10_000, refs=[]))
    assert (b.disposition, b.due_fen) == (Disposition.REREPORT, 0)
    b = book(rec(ref="R9"), line(LineStatus.PAID, paid=10_000, refs=[]))
    assert (b.disposition, b.due_fen) == (Disposition.REREPORT, 0)


def test_a_failure_of_a_paid_line_contradicts_and_books_nothing():
    b = book(rec(FAILED), line(LineStatus.PAID, paid=10_000, refs=["R1"]))
    assert (b.disposition, b.new_status, b.failed_fen) == (Disposition.CONFLICT, None, 0)


def test_a_failed_line_paid_later_is_paid_from_suspense():
    b = book(rec(), line(LineStatus.FAILED))
    assert (b.disposition, b.new_status, b.paid_fen, b.from_suspense) == (Disposition.PAID, LineStatus.PAID,
                                                                           10_000, True)


def test_an_old_failure_of_a_reissued_line_books_nothing():
    b = book(rec(FAILED, round_no=0), line(round_no=1))
    assert (b.disposition, b.new_status, b.failed_fen) == (Disposition.REREPORT, None, 0)


def test_an_old_instruction_paid_after_a_reissue_is_a_payment_and_the_reissue_paid_too_is_a_second_one():
    state = line(round_no=1)
    first = book(rec(ref="OLD", round_no=0), state)
    assert (first.disposition, first.paid_fen) == (Disposition.PAID, 10_000)
    second = book(rec(ref="NEW", round_no=1), after(state, first))
    assert (second.disposition, second.due_fen) == (Disposition.SECOND_PAYMENT, 10_000)


def test_one_file_changes_a_line_once():
    state = line()
    first = book(rec(FAILED, ref=""), state)
    second = book(rec(PAID, ref="R1"), after(state, first), changed_in_file=True)
    assert (second.disposition, second.new_status, second.paid_fen) == (Disposition.CONFLICT, None, 0)
    again = book(rec(FAILED, ref=""), after(state, first), changed_in_file=True)
    assert again.disposition is Disposition.REREPORT


def test_a_file_paying_a_line_twice_under_two_references_pays_it_once_and_the_rest_is_due_back():
    state = line()
    first = book(rec(ref="A"), state)
    second = book(rec(ref="B"), after(state, first), changed_in_file=True)
    third = book(rec(ref="B"), after(after(state, first), second), changed_in_file=True)
    assert [(b.disposition, b.paid_fen, b.due_fen) for b in (first, second, third)] == [
        (Disposition.PAID, 10_000, 0), (Disposition.SECOND_PAYMENT, 0, 10_000), (Disposition.REREPORT, 0, 0)]


ACCOUNTS = BatchAccounts("652301", "B1", "P")


def test_a_result_files_entry_balances_and_puts_each_amount_where_the_rules_say():
    bookings = [
        (1, Booking(Disposition.PAID, "", LineStatus.PAID, paid_fen=100)),
        (2, Booking(Disposition.FAILED, "", LineStatus.FAILED, failed_fen=200)),
        (3, Booking(Disposition.PAID_OVER, "", LineStatus.PAID, paid_fen=300, due_fen=30)),
        (4, Booking(Disposition.PAID, "", LineStatus.PAID, paid_fen=400, from_suspense=True)),
        (5, Booking(Disposition.NOT_INSTRUCTED, "", due_fen=500)),
        (6, Booking(Disposition.REREPORT, "")),
    ]
    entry = result_file("X", ACCOUNTS, bookings)
    by_account = {}
    for p in entry.postings:
        by_account[p.account] = by_account.get(p.account, 0) + p.amount_fen
    assert by_account == {
        "paid:P": 100 + 300 + 400,
        "suspense:B1": 200 - 400,
        "due:B1": 30 + 500,
        "clearing:B1:652301": -(100 + 200 + 300),
        "unauthorized:B1": -(30 + 500),
    }


def test_a_file_of_rereports_only_books_no_entry():
    assert result_file("X", ACCOUNTS, [(1, Booking(Disposition.REREPORT, ""))]) is None
