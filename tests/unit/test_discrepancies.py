"""The discrepancy classes of the reconciliation (reports/discrepancies.py): a test per row of
issue 12's table, figures written from the rules."""
from datetime import date

from domain.booking import Disposition
from domain.model import LineStatus as S
from reports.discrepancies import DiscrepancyClass as C
from reports.discrepancies import DueRecord, LineFacts, classify, statement_duplicates

DUE = date(2026, 11, 25)


def found(lines, due=(), *, instructed=True, missed_due=True, payment_due=DUE):
    return [(d.kind, d.seq, d.fen, d.reason) for d in classify(lines, due, instructed=instructed,
                                                               missed_due=missed_due, payment_due=payment_due)]


def test_a_clean_batch_has_no_discrepancies():
    assert found([LineFacts(1, S.PAID, 100, 100, paid_on=DUE), LineFacts(2, S.PAID, 200, 200, paid_on=DUE)]) == []


def test_over_payment_never_instructed_counts_the_whole_payment_and_excess_only_the_excess():
    due = [DueRecord(9, Disposition.NOT_INSTRUCTED, 5_000, 3, 1), DueRecord(2, Disposition.PAID_OVER, 700, 3, 2),
           DueRecord(4, Disposition.OTHER_ACCOUNT, 1_000, 3, 3)]
    assert [(k, s, f) for k, s, f, _ in found([], due)] == [(C.OVER, 9, 5_000), (C.OVER, 2, 700), (C.OVER, 4, 1_000)]


def test_duplicate_counts_each_payment_after_the_first():
    due = [DueRecord(2, Disposition.SECOND_PAYMENT, 300, 4, 1), DueRecord(2, Disposition.SECOND_PAYMENT, 300, 5, 1)]
    assert [(k, s, f) for k, s, f, _ in found([LineFacts(2, S.PAID, 300, 300, paid_on=DUE)], due)] == [
        (C.DUPLICATE, 2, 300), (C.DUPLICATE, 2, 300)]


def test_missed_counts_the_unpaid_amount_with_its_reason():
    lines = [
        LineFacts(1, S.PENDING, 100),  # no answer
        LineFacts(2, S.FAILED, 200, reason="ACCOUNT_CLOSED"),  # failed, not re-issued
        LineFacts(3, S.PAID, 300, 250, paid_on=DUE),  # paid short
        LineFacts(4, S.GIVEN_UP, 400, reason="ACCOUNT_CLOSED"),  # given up: not missed
        LineFacts(5, S.REFUNDED, 500, closed_from="PENDING"),  # closed unanswered
        LineFacts(6, S.REFUNDED, 600, reason="NAME_MISMATCH", closed_from="FAILED"),
        LineFacts(7, S.REFUNDED, 700, reason="NAME_MISMATCH", closed_from="GIVEN_UP"),
    ]
    assert found(lines) == [
        (C.MISSED, 1, 100, "NO_RESULT"), (C.MISSED, 2, 200, "ACCOUNT_CLOSED"), (C.MISSED, 3, 50, "PAID_SHORT"),
        (C.MISSED, 5, 500, "NO_RESULT"), (C.MISSED, 6, 600, "NAME_MISMATCH")]


def test_a_reissued_line_never_answered_is_missed_with_no_result():
    # re-issue clears the old failure reason: the line is pending on its new instruction
    assert found([LineFacts(1, S.PENDING, 100, reason=None)]) == [(C.MISSED, 1, 100, "NO_RESULT")]


def test_nothing_is_missed_before_the_result_deadline():
    assert found([LineFacts(1, S.PENDING, 100), LineFacts(2, S.FAILED, 200, reason="OTHER")], missed_due=False) == []


def test_lines_not_yet_sent_are_not_missed():
    assert found([LineFacts(1, S.PENDING, 100)], instructed=False) == []


def test_late_counts_the_amount_paid_late():
    lines = [LineFacts(1, S.PAID, 100, 100, paid_on=date(2026, 11, 26)), LineFacts(2, S.PAID, 200, 200, paid_on=DUE),
             LineFacts(3, S.PAID, 300, 280, paid_on=date(2026, 11, 30))]
    assert found(lines, missed_due=False) == [(C.LATE, 1, 100, "PAID_LATE"), (C.LATE, 3, 280, "PAID_LATE")]


def test_lines_never_instructed_are_never_missed():
    lines = [LineFacts(1, s, 100) for s in (S.REJECTED, S.HELD, S.REMOVED)]
    assert found(lines) == []


def test_a_due_back_record_shows_the_instructed_amount_of_its_line_unless_never_instructed():
    due = [DueRecord(2, Disposition.PAID_OVER, 700, 3, 1, line_fen=10_000),
           DueRecord(3, Disposition.NOT_INSTRUCTED, 900, 3, 2, line_fen=900),  # e.g. a removed line
           DueRecord(4, Disposition.SECOND_PAYMENT, 400, 3, 3, line_fen=400)]
    assert [(d.kind, d.seq, d.instructed_fen, d.fen) for d in classify([], due, instructed=True, missed_due=False,
                                                                       payment_due=None)] == [
        (C.OVER, 2, 10_000, 700), (C.OVER, 3, 0, 900), (C.DUPLICATE, 4, 400, 400)]


def test_a_statement_debit_beyond_the_payments_booked_is_a_duplicate_payment():
    debits = {3: [("D1", 300), ("D2", 300)], 5: [("D5", 500), ("D5B", 500), ("D5C", 500)], 6: [("D6", 600), ("D6B", 600)]}
    booked = {3: 1, 5: 2, 6: 2}  # line 6's second payment already came as a 重发 record with a reference
    found = [(d.kind, d.seq, d.instructed_fen, d.fen, d.reason)
             for d in statement_duplicates(debits, booked, {3: 300, 5: 500, 6: 600})]
    assert found == [(C.DUPLICATE, 3, 300, 300, "STATEMENT_DEBIT"), (C.DUPLICATE, 5, 500, 500, "STATEMENT_DEBIT")]
