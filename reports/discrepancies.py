"""The four discrepancy classes of a reconciliation, decided from plain data (issue 12's rules).

========  ===================  ==========================================  =======================
class     Chinese              a line is in it when                        amount counted
========  ===================  ==========================================  =======================
OVER      多发 over-payment     the bank paid a line never instructed        the whole payment if
                               (unknown, rejected, held, removed, given     never instructed; the
                               up), another account than the line's, or     excess otherwise
                               more than instructed
DUPLICATE 重发 duplicate        the bank paid a paid line again, under       each payment after the
                               another bank reference (or, where its        first
                               format has none, its statement shows a
                               second debit for the line)
MISSED    漏发 missed payment   an instructed line not paid in full by the   the unpaid amount
                               result deadline and not given up: no answer
                               (NO_RESULT), failed and not paid by a
                               re-issue, or paid short
LATE      迟发 late payment     paid after its payment deadline              the amount paid
========  ===================  ==========================================  =======================

Over- and duplicate payments come from the records the bank sent (:mod:`domain.booking` booked
them as due back from the bank); missed and late payments from each line's state in the ledger.
Days are Beijing days. A failed line before the result deadline is not a discrepancy yet: it is
in suspense, waiting to be re-issued or given up.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import i18n
from domain.booking import Disposition
from domain.model import LineStatus
from i18n.stored import as_phrase, message


class DiscrepancyClass(enum.StrEnum):
    OVER = "OVER"
    MISSED = "MISSED"
    DUPLICATE = "DUPLICATE"
    LATE = "LATE"


# The label a report's content carries for each class, in both languages as the signed content
# always has ("多发 over-payment"); the words are i18n's (catalogue_codes.py).
LABELS = {kind: " ".join(i18n.WORDS[f"discrepancy.{kind.value}"]) for kind in DiscrepancyClass}

NO_RESULT = "NO_RESULT"  # the bank never answered the line's last instruction
PAID_SHORT = "PAID_SHORT"

_OVER = frozenset({Disposition.NOT_INSTRUCTED, Disposition.OTHER_ACCOUNT, Disposition.PAID_OVER})


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the ledger holds of one roster line.

    ``paid_fen`` is what was booked to paid for it; ``closed_from`` the status a REFUNDED line
    was refunded from; ``paid_on`` the Beijing day the result file that paid it arrived.
    """

    seq: int
    status: LineStatus
    amount_fen: int
    paid_fen: int = 0
    reason: str | None = None
    closed_from: str | None = None
    paid_on: date | None = None


@dataclass(frozen=True, slots=True)
class DueRecord:
    """A result record that booked money due back from the bank. ``line_fen`` is the amount of
    the line it names (0: the batch has no such line)."""

    seq: int
    disposition: Disposition
    due_fen: int
    file_id: int
    record: int  # 1-based position in its file
    detail: str = ""
    line_fen: int = 0


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: DiscrepancyClass
    seq: int
    instructed_fen: int  # 0 when the line was never instructed
    fen: int  # the amount the class counts
    reason: str
    detail: str = ""  # a stored message (i18n.stored), said where the report is shown


def unpaid(line: LineFacts) -> tuple[int, str] | None:
    """(unpaid fen, reason) of an instructed line not paid in full and not given up; None else."""
    status = line.status
    if status is LineStatus.REFUNDED:
        status = LineStatus(line.closed_from) if line.closed_from else (
            LineStatus.FAILED if line.reason else LineStatus.PENDING)
    if status is LineStatus.PENDING:
        return line.amount_fen, NO_RESULT
    if status is LineStatus.FAILED:
        return line.amount_fen, line.reason or NO_RESULT
    if status is LineStatus.PAID and line.paid_fen < line.amount_fen:
        return line.amount_fen - line.paid_fen, PAID_SHORT
    return None


def classify_line(line: LineFacts, *, missed_due: bool, payment_due: date | None) -> Iterator[Discrepancy]:
    """Missed and late payments of one instructed line. ``missed_due``: the result deadline has
    passed (or the batch is closed), so what is unpaid now is missed."""
    if missed_due:
        found = unpaid(line)
        if found is not None:
            fen, reason = found
            yield Discrepancy(DiscrepancyClass.MISSED, line.seq, line.amount_fen, fen, reason)
    if payment_due is not None and line.paid_fen and line.paid_on is not None and line.paid_on > payment_due:
        yield Discrepancy(DiscrepancyClass.LATE, line.seq, line.amount_fen, line.paid_fen, "PAID_LATE",
                          message("detail.paid_late", paid_on=str(line.paid_on), due=str(payment_due)))


def classify_due(record: DueRecord) -> Discrepancy | None:
    """The over- or duplicate payment a record booked as due back from the bank; its line's
    instructed amount is 0 when the line was never instructed."""
    instructed_fen = 0 if record.disposition is Disposition.NOT_INSTRUCTED else record.line_fen
    if record.disposition is Disposition.SECOND_PAYMENT:
        kind = DiscrepancyClass.DUPLICATE
    elif record.disposition in _OVER:
        kind = DiscrepancyClass.OVER
    else:
        return None
    return Discrepancy(kind, record.seq, instructed_fen, record.due_fen, record.disposition.value,
                       message("detail.due_record", file=record.file_id, record=record.record,
                               detail=as_phrase(record.detail)))


def statement_duplicates(debits: dict[int, list[tuple[str, int]]], booked: dict[int, int],
                         instructed: dict[int, int]) -> Iterator[Discrepancy]:
    """重发 the result files could not show: where a format carries no bank reference, a second
    payment of a line looks like the first reported again, and the bank's statement tells them
    apart. ``debits`` are a line's distinct debits on the statements (reference, fen) in booking
    order, ``booked`` how many payments the result files booked for it, ``instructed`` its amount.
    Each debit after the payments already booked is a duplicate payment."""
    for seq, found in sorted(debits.items()):
        for reference, fen in found[max(booked.get(seq, 0), 1):]:
            yield Discrepancy(DiscrepancyClass.DUPLICATE, seq, instructed.get(seq, 0), fen, "STATEMENT_DEBIT",
                              f"a further debit {reference} on the bank's statement; the result files showed "
                              f"{booked.get(seq, 0)} payment(s)")


def classify(lines: Iterable[LineFacts], due: Iterable[DueRecord], *, instructed: bool, missed_due: bool,
             payment_due: date | None) -> Iterator[Discrepancy]:
    """Every discrepancy of a batch: ``lines`` (the roster, streamed), ``due`` (the records due
    back). ``instructed``: the batch went to the bank; lines never instructed are not missed."""
    for line in lines:
        if line.status in (LineStatus.REJECTED, LineStatus.HELD, LineStatus.REMOVED, LineStatus.GIVEN_UP):
            continue
        if not instructed and line.status is LineStatus.PENDING:
            continue
        yield from classify_line(line, missed_due=missed_due, payment_due=payment_due)
    for record in due:
        found = classify_due(record)
        if found is not None:
            yield found
