"""What one record of a bank's result file books: the per-record rules of issue 12.

A result file is booked record by record. Every record that reconciles with the line it names is
booked as the bank says; every other record is booked as what it is — an over-payment (多发), a
second payment (重发), the same payment reported again, a contradiction — and listed as an
exception with the file, the record and the reason. Only a file that cannot be trusted as a
whole (unreadable, failing its signature or its own totals, another bank's) is quarantined.

The rules, decided here from plain data with no database:

==================  ===========================================================  ==================
disposition         the record                                                   books
==================  ===========================================================  ==================
PAID                pays an instructed, unanswered line its instructed amount    paid
PAID_SHORT          pays it less                                                 the amount paid
PAID_OVER           pays it more                                                 paid + excess due
FAILED              fails an instructed, unanswered line                         suspense
NOT_INSTRUCTED      pays a line never instructed (unknown, rejected, held,       all of it due
                    removed, given up)
OTHER_ACCOUNT       names another account or person than the line it names       paid: all due
SECOND_PAYMENT      pays a paid line again under another bank reference          all of it due
REREPORT            reports a payment already booked, whatever it was booked     nothing
                    as (same reference), or a payment or failure again (no
                    reference to tell them apart), or a
                    failure of an earlier instruction the line was re-issued
                    after
CONFLICT            contradicts what is booked (fails a paid line, or differs    nothing
                    from an earlier record of the same file)
IGNORED_FAILURE     fails a line that was never instructed                       nothing
==================  ===========================================================  ==================

The records are named tuples: immutable, and cheap to make a million times a result file. The
commonest record of all, the first PAID of an instructed PENDING line at its amount, account and
name with no payment booked for the seq, ``service.ingest`` decides without making them (a
million times a file); a change to the first row of the table must change it there too, and
``tests/unit/service/test_ingest_fast_path.py`` holds the two to the same answers.

"Due" is money due back from the bank (``domain.postings.due_back``): the bank paid it without
our instruction, so it never counts as paid and is never hidden in the refund. A record whose
line was failed and is still in suspense (not re-issued) and that the bank now reports paid is
booked as paid from suspense.
"""
from __future__ import annotations

import enum
from typing import NamedTuple

from domain.model import LineStatus, PaymentOutcome
from i18n import Named, Phrase
from i18n.stored import message

# A line in one of these states was never sent to the bank (or was taken back before it was
# paid): the bank paying it is an over-payment of the whole amount.
NEVER_INSTRUCTED = frozenset({LineStatus.REJECTED, LineStatus.HELD, LineStatus.REMOVED, LineStatus.GIVEN_UP})


class Disposition(enum.StrEnum):
    PAID = "PAID"
    PAID_SHORT = "PAID_SHORT"
    PAID_OVER = "PAID_OVER"
    FAILED = "FAILED"
    NOT_INSTRUCTED = "NOT_INSTRUCTED"
    OTHER_ACCOUNT = "OTHER_ACCOUNT"
    SECOND_PAYMENT = "SECOND_PAYMENT"
    REREPORT = "REREPORT"
    CONFLICT = "CONFLICT"
    IGNORED_FAILURE = "IGNORED_FAILURE"


#: Dispositions that are exceptions: listed with their file and record for someone to look at.
EXCEPTIONS = frozenset(Disposition) - {Disposition.PAID, Disposition.FAILED}


class LineState(NamedTuple):
    """What the ledger holds of the line a record names, when the record is read.

    ``account_index`` is the line's blind index of its account; ``round`` the payment file that
    last instructed it (0 the first, 1 the first re-issue...); ``refs`` the bank references of
    the payments booked for its seq, whatever they were booked as (paid, due back).
    """

    seq: int
    status: LineStatus
    amount_fen: int
    account_index: bytes
    name: str
    round: int = 0
    paid_fen: int = 0
    refs: frozenset[str] = frozenset()


class Record(NamedTuple):
    """One record of a result file, reduced to what the rules look at.

    ``account_index`` is the blind index of the account the record names (None when it names
    none); ``round`` the payment file the result file answers.
    """

    seq: int
    outcome: PaymentOutcome
    amount_fen: int
    account_index: bytes | None = None
    name: str = ""
    bank_ref: str = ""
    round: int = 0


class Booking(NamedTuple):
    """What a record books. ``new_status`` None: the line does not change.

    ``paid_fen`` goes to subsidy paid, ``failed_fen`` to failed-payment suspense, ``due_fen`` is
    due back from the bank; ``from_suspense``: the line's money leaves suspense, not clearing.
    ``bank_ref`` is the reference of a payment this booking takes note of.
    """

    disposition: Disposition
    detail: str  # a stored message (i18n.stored): said in the language of whoever reads it
    new_status: LineStatus | None = None
    paid_fen: int = 0
    failed_fen: int = 0
    due_fen: int = 0
    from_suspense: bool = False
    bank_ref: str = ""


# The details of the commonest bookings, made once (a detail is a stored message, JSON).
_PAID, _PAID_AFTER_FAILURE, _FAILED = message("booking.paid"), message("booking.paid_after_failure"), \
    message("booking.failed")


def book(record: Record, line: LineState | None, *, changed_in_file: bool = False,
         refs: frozenset[str] = frozenset()) -> Booking:
    """The booking of one record. ``line`` is None when the batch has no line of that seq; the
    references of payments already booked for such a seq are then ``refs``.

    ``changed_in_file``: an earlier record of the same file already changed the line (``line``
    is then the state :func:`after` that booking). One file changes a line once; a record that
    would change it again contradicts the file itself.
    """
    known = line.refs if line is not None else refs
    if record.outcome is PaymentOutcome.PAID and record.bank_ref and record.bank_ref in known:
        # whatever the payment was booked as (paid, due back), it is booked: this is news of it again
        return Booking(Disposition.REREPORT, message("booking.same_payment_again", seq=record.seq,
                                                     ref=record.bank_ref))
    booking = _book(record, line)
    if changed_in_file and booking.new_status is not None:
        return Booking(Disposition.CONFLICT, message("booking.contradicts_file", seq=record.seq,
                                                     status=Named("line_status", line.status.value),
                                                     disposition=Named("disposition", booking.disposition.value)))
    return booking


def after(line: LineState, booking: Booking) -> LineState:
    """The line as the ledger holds it once ``booking`` is booked."""
    refs = line.refs | {booking.bank_ref} if booking.bank_ref else line.refs
    if booking.new_status is None:
        return line._replace(refs=refs)
    return line._replace(status=booking.new_status, refs=refs,
                   paid_fen=booking.paid_fen if booking.new_status is LineStatus.PAID else line.paid_fen)


def _book(record: Record, line: LineState | None) -> Booking:
    paid = record.outcome is PaymentOutcome.PAID
    if line is None:
        return _never_instructed(record, Phrase.of("booking.why.not_in_batch", seq=record.seq))
    if line.status in NEVER_INSTRUCTED:
        return _never_instructed(record, Phrase.of("booking.why.never_instructed", seq=record.seq,
                                                   status=Named("line_status", line.status.value)))
    mismatch = _names_another(record, line)
    if mismatch is not None:
        if paid:
            return Booking(Disposition.OTHER_ACCOUNT, message("booking.paid_not_ours", mismatch=mismatch),
                           due_fen=record.amount_fen, bank_ref=record.bank_ref)
        return Booking(Disposition.OTHER_ACCOUNT, message("booking.failed_not_ours", mismatch=mismatch))
    if line.status is LineStatus.PENDING:
        if paid:  # an earlier instruction paid after all is still a payment: a re-issue's then is 重发
            return _pay(record, line, from_suspense=False)
        if record.round < line.round:
            return Booking(Disposition.REREPORT, message("booking.failed_earlier_round", round=record.round,
                                                         seq=line.seq))
        return Booking(Disposition.FAILED, _FAILED, LineStatus.FAILED, failed_fen=line.amount_fen)
    if line.status is LineStatus.FAILED:
        if paid:
            return _pay(record, line, from_suspense=True)
        return Booking(Disposition.REREPORT, message("booking.failed_again", seq=line.seq))
    if line.status is LineStatus.PAID:
        if not paid:
            return Booking(Disposition.CONFLICT, message("booking.paid_then_failed", seq=line.seq))
        return _paid_again(record, line)
    return Booking(Disposition.CONFLICT, message("booking.nothing_more", seq=line.seq,
                                                 status=Named("line_status", line.status.value)))


def _never_instructed(record: Record, why: Phrase) -> Booking:
    if record.outcome is PaymentOutcome.PAID:
        return Booking(Disposition.NOT_INSTRUCTED, message("booking.paid_but", why=why), due_fen=record.amount_fen,
                       bank_ref=record.bank_ref)
    return Booking(Disposition.IGNORED_FAILURE, message("booking.failed_but", why=why))


def _names_another(record: Record, line: LineState) -> Phrase | None:
    if record.account_index is not None and record.account_index != line.account_index:
        return Phrase.of("booking.why.other_account", seq=line.seq)
    if record.name and plain_name(record.name) != plain_name(line.name):
        return Phrase.of("booking.why.other_person", seq=line.seq)
    return None


def plain_name(name: str) -> str:
    """A name as compared: without spaces, the middle dot of minority names in any of its forms."""
    return "".join(name.split()).replace("．", "·").replace("•", "·").replace("・", "·")


def _pay(record: Record, line: LineState, *, from_suspense: bool) -> Booking:
    amount, instructed, paid, ref = record.amount_fen, line.amount_fen, LineStatus.PAID, record.bank_ref
    if amount == instructed:
        return Booking(Disposition.PAID, _PAID_AFTER_FAILURE if from_suspense else _PAID, paid, amount, 0, 0,
                       from_suspense, ref)
    if amount < instructed:
        return Booking(Disposition.PAID_SHORT,
                       message("booking.paid_short_after_failure" if from_suspense else "booking.paid_short",
                               amount=amount, instructed=instructed, unpaid=instructed - amount),
                       paid, amount, 0, 0, from_suspense, ref)
    return Booking(Disposition.PAID_OVER,
                   message("booking.paid_over_after_failure" if from_suspense else "booking.paid_over",
                           amount=amount, instructed=instructed, excess=amount - instructed),
                   paid, instructed, 0, amount - instructed, from_suspense, ref)


def _paid_again(record: Record, line: LineState) -> Booking:
    if record.bank_ref and line.refs:
        first = ", ".join(sorted(line.refs))
        return Booking(Disposition.SECOND_PAYMENT, message("booking.second_payment", seq=line.seq,
                                                           ref=record.bank_ref, first=first),
                       due_fen=record.amount_fen, bank_ref=record.bank_ref)
    return Booking(Disposition.REREPORT, message("booking.paid_again_no_ref", seq=line.seq))
