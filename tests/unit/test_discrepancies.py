from datetime import date

from domain.model import PaymentOutcome
from reports.discrepancies import DiscrepancyClass as C
from reports.discrepancies import Instructed, Reported, classify

DUE = date(2026, 11, 25)
PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED


def kinds(lines, reports, dispatched=True, due=DUE):
    return [(d.kind, d.seq) for d in classify(lines, reports, dispatched, due)]


def test_a_clean_batch_has_no_discrepancies():
    lines = [Instructed(1, 100), Instructed(2, 200)]
    reports = [Reported(1, PAID, 100, 9, DUE), Reported(2, FAILED, 200, 9, DUE)]
    assert kinds(lines, reports) == []


def test_each_class_is_found_on_its_line():
    lines = [Instructed(1, 100), Instructed(2, 200), Instructed(3, 300), Instructed(4, 400)]
    reports = [
        Reported(1, PAID, 150, 9, DUE),  # over-paid
        Reported(2, PAID, 200, 9, DUE), Reported(2, PAID, 200, 10, DUE),  # paid twice
        Reported(4, PAID, 400, 9, date(2026, 11, 26)),  # late
        Reported(7, PAID, 50, 9, DUE),  # not in the roster
    ]
    assert kinds(lines, reports) == [
        (C.OVER, 1), (C.DUPLICATE, 2), (C.MISSED, 3), (C.LATE, 4), (C.OVER, 7)]


def test_nothing_is_missed_before_dispatch_and_nothing_late_without_a_deadline():
    assert kinds([Instructed(1, 100)], [], dispatched=False) == []
    assert kinds([Instructed(1, 100)], [Reported(1, PAID, 100, 1, date(2030, 1, 1))], due=None) == []


def test_reports_before_the_first_line_are_over_payments():
    assert kinds([Instructed(5, 100)], [Reported(2, PAID, 10, 1, DUE), Reported(5, PAID, 100, 1, DUE)]) == [
        (C.OVER, 2)]
