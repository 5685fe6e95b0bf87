"""The four discrepancy classes of a reconciliation, decided line by line from plain data.

========  ===================  ===========================================================
class     Chinese              a line is in it when
========  ===================  ===========================================================
OVER      多发 over-payment     the bank reports paying more than instructed, or paying a
                               line that is not in the roster
MISSED    漏发 missed payment   the batch was dispatched and the bank reported nothing
DUPLICATE 重发 duplicate        the bank reports paying the line more than once
LATE      迟发 late payment     the bank reports paying it after the payment deadline
========  ===================  ===========================================================

A failed line is not a discrepancy: it is reported, in suspense, and re-issued or refunded.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from domain.model import PaymentOutcome


class DiscrepancyClass(enum.StrEnum):
    OVER = "OVER"
    MISSED = "MISSED"
    DUPLICATE = "DUPLICATE"
    LATE = "LATE"


LABELS = {
    DiscrepancyClass.OVER: "多发 over-payment",
    DiscrepancyClass.MISSED: "漏发 missed payment",
    DiscrepancyClass.DUPLICATE: "重发 duplicate payment",
    DiscrepancyClass.LATE: "迟发 late payment",
}


@dataclass(frozen=True, slots=True)
class Instructed:
    seq: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Reported:
    """One result record the bank sent, with the day its file arrived."""

    seq: int
    outcome: PaymentOutcome
    amount_fen: int
    file_id: int
    arrived_on: date


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: DiscrepancyClass
    seq: int
    instructed_fen: int  # 0 when the line is not in the roster
    reported_fen: int  # what the bank says it paid in total for the line
    detail: str


def classify_line(
    line: Instructed | None, reports: list[Reported], dispatched: bool, due: date | None
) -> list[Discrepancy]:
    """Discrepancies of one line (``None`` when the bank reported a line we never sent)."""
    seq = line.seq if line else reports[0].seq
    instructed = line.amount_fen if line else 0
    paid = [r for r in reports if r.outcome is PaymentOutcome.PAID]
    paid_fen = sum(r.amount_fen for r in paid)
    found: list[Discrepancy] = []
    if line is None:
        if paid:
            found.append(Discrepancy(DiscrepancyClass.OVER, seq, 0, paid_fen, "paid, but not in the roster"))
        return found
    if not reports and dispatched:
        found.append(Discrepancy(DiscrepancyClass.MISSED, seq, instructed, 0, "no result from the bank"))
    if len(paid) > 1:
        files = ", ".join(str(r.file_id) for r in paid)
        found.append(Discrepancy(DiscrepancyClass.DUPLICATE, seq, instructed, paid_fen,
                                 f"paid {len(paid)} times (files {files})"))
    if any(r.amount_fen > instructed for r in paid):
        found.append(Discrepancy(DiscrepancyClass.OVER, seq, instructed, paid_fen,
                                 "bank paid more than instructed"))
    if due is not None and paid and min(r.arrived_on for r in paid) > due:
        found.append(Discrepancy(DiscrepancyClass.LATE, seq, instructed, paid_fen,
                                 f"reported paid on {min(r.arrived_on for r in paid)}, due {due}"))
    return found


def classify(
    lines: Iterable[Instructed], reports: Iterable[Reported], dispatched: bool, due: date | None
) -> Iterator[Discrepancy]:
    """Merge the roster and the bank's reports, both ordered by seq, and classify each line.

    Both inputs are streams; memory stays constant however large the batch.
    """
    grouped = groupby(reports, key=lambda r: r.seq)
    pending = next(grouped, None)
    for line in lines:
        while pending is not None and pending[0] < line.seq:
            yield from classify_line(None, list(pending[1]), dispatched, due)
            pending = next(grouped, None)
        if pending is not None and pending[0] == line.seq:
            found = classify_line(line, list(pending[1]), dispatched, due)
            pending = next(grouped, None)
        else:
            found = classify_line(line, [], dispatched, due)
        yield from found
    while pending is not None:
        yield from classify_line(None, list(pending[1]), dispatched, due)
        pending = next(grouped, None)
