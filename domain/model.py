"""The records every part of the system exchanges: batches, lines, files and bank results.

They are immutable plain data so that the domain rules, the bank formats and the reports can be
tested without a database or a socket. Money is always an ``int`` number of fen.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class AccountKind(enum.StrEnum):
    """The kind of account a subsidy is paid into (one card per person, 一卡通)."""

    CARD = "CARD"  # bank card (借记卡)
    PASSBOOK = "PASSBOOK"  # 存折: the subsidy item is printed on it
    SOCIAL_SECURITY_CARD = "SOCIAL_SECURITY_CARD"  # 社保卡 with a financial account


class BatchStatus(enum.StrEnum):
    NEEDS_CORRECTION = "NEEDS_CORRECTION"  # stored with rejected lines: correct or remove them
    SUBMITTED = "SUBMITTED"  # every line checked, none rejected: waiting for a second person's approval
    APPROVED = "APPROVED"
    FUNDED = "FUNDED"  # finance moved the batch total to the bank's clearing account
    DISPATCHED = "DISPATCHED"  # the payment file reached the bank's inbox
    RESULTS_COMPLETE = "RESULTS_COMPLETE"  # every line has a final bank result
    CLOSED = "CLOSED"  # surplus refunded to finance; nothing more can be booked


class LineStatus(enum.StrEnum):
    REJECTED = "REJECTED"  # failed a check at submission; waits for correction or removal
    HELD = "HELD"  # stop list or one-card review: not paid unless released
    REMOVED = "REMOVED"  # taken out of the batch by the department, with a reason
    PENDING = "PENDING"  # accepted (instructed once approved), no bank result yet
    PAID = "PAID"
    FAILED = "FAILED"  # the bank could not pay it: corrected and re-issued (PENDING again), or given up
    GIVEN_UP = "GIVEN_UP"  # failed, and the department stopped trying; refunded at close
    REFUNDED = "REFUNDED"  # failed or never reported; its money went back to finance at close


class FileState(enum.StrEnum):
    """Where a file exchanged with a bank stands.

    A payment file (direction OUT) goes GENERATED → UPLOADING → DELIVERED → ACKNOWLEDGED; an
    upload that fails leaves it FAILED with ``attempts``, ``last_error`` and
    ``next_attempt_at`` (none: it waits for an operator), from where the worker takes it up
    again. A result file (IN) is RECEIVED ("result received"), then BOOKED, QUARANTINED or,
    when the same bytes came before, DUPLICATE.
    """

    GENERATED = "GENERATED"  # payment file rendered and checked, waiting for its upload
    UPLOADING = "UPLOADING"  # an instance holding the batch's lease is uploading it (attempts counted)
    FAILED = "FAILED"  # the last upload attempt failed; retried from next_attempt_at
    DELIVERED = "DELIVERED"  # in the bank's inbox under its final name, verified by read-back
    ACKNOWLEDGED = "ACKNOWLEDGED"  # the bank took it: gone from its inbox, or its result file came
    RECEIVED = "RECEIVED"  # result file fetched and recorded, not yet booked
    BOOKED = "BOOKED"  # its results are in the ledger
    DUPLICATE = "DUPLICATE"  # the same content arrived before; booked nothing
    QUARANTINED = "QUARANTINED"  # unreadable or contradicting the batch; booked nothing


# A payment file in one of these states is at the bank: it is never rendered or sent again.
OUTBOUND_AT_BANK = frozenset({FileState.DELIVERED, FileState.ACKNOWLEDGED})
# A payment file in one of these states may still be (re)sent.
OUTBOUND_PENDING = frozenset({FileState.GENERATED, FileState.UPLOADING, FileState.FAILED})
# A result file in one of these states is settled: nothing more is done with its bytes.
INBOUND_SETTLED = frozenset({FileState.BOOKED, FileState.QUARANTINED, FileState.DUPLICATE})


class PaymentOutcome(enum.StrEnum):
    """What a bank says happened to one line."""

    PAID = "PAID"
    FAILED = "FAILED"


class FailureReason(enum.StrEnum):
    """The canonical failure reasons every bank's own codes are mapped to."""

    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    NAME_MISMATCH = "NAME_MISMATCH"
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED"
    ACCOUNT_FROZEN = "ACCOUNT_FROZEN"
    ID_MISMATCH = "ID_MISMATCH"
    CARD_LOST = "CARD_LOST"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One beneficiary line of a real-name payment roster (实名制发放名册).

    ``seq`` is the line's 1-based position in its batch and identifies it in every file.
    """

    seq: int
    name: str
    id_number: str
    account_no: str
    amount_fen: int
    account_kind: AccountKind = AccountKind.CARD
    bank_name: str = ""
    subsidy_item: str = ""
    remark: str = ""  # printed on the passbook
    phone: str = ""
    address: str = ""
    household_no: str = ""


@dataclass(frozen=True, slots=True)
class LineIssue:
    """Something found about a roster line: why it was rejected or held, or a warning.

    ``severity`` is ``error`` (the line is rejected until corrected or removed), ``hold`` (not
    paid unless released) or ``warning`` (noted; the line goes ahead). A duplicate or a one-card
    conflict names the other line in ``other_batch_id``/``other_seq``. Messages carry personal
    data only masked.
    """

    seq: int
    field: str
    code: str
    severity: str
    message: str
    other_batch_id: str | None = None
    other_seq: int | None = None


@dataclass(frozen=True, slots=True)
class PaymentFileHeader:
    """What a payment file states about itself before its lines.

    ``count`` and ``total_fen`` are the control totals; a writer checks that the lines it is
    given add up to them and fails otherwise.
    """

    file_id: str  # unique per file (pain.001 MsgId)
    batch_id: str
    created_at: datetime
    requested_date: date
    payer_name: str
    payer_account: str
    bank_code: str
    count: int
    total_fen: int
    purpose: str = ""  # program and period, for people reading the file


def payment_message_id(batch_id: str, round_no: int) -> str:
    """The id a batch's payment file carries inside (pain.001 MsgId): ``BATCHP1`` the first,
    ``BATCHP2`` the first re-issue (补发)..."""
    return f"{batch_id}P{round_no + 1}"


def payment_purpose(program: str, period: str, region: str) -> str:
    """What a batch's payment file states as its purpose: ``program period region``."""
    return f"{program} {period} {region}"


def payment_round(message_id: str | None, batch_id: str) -> int:
    """Which payment file of its batch ``message_id`` names (see :func:`payment_message_id`)."""
    suffix = (message_id or "")[len(batch_id) + 1:]
    return int(suffix) - 1 if suffix.isdigit() and int(suffix) > 0 else 0


@dataclass(frozen=True, slots=True)
class ResultFileHeader:
    """What a bank's result file (回盘文件) states about itself before its records."""

    file_id: str  # the bank's own id of this result file
    original_file_id: str  # the payment file it answers
    batch_id: str
    created_at: datetime
    count: int  # number of records that follow
    paid_count: int
    paid_fen: int
    failed_count: int
    failed_fen: int


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """The bank's outcome for one line, as read from a result file."""

    seq: int
    outcome: PaymentOutcome
    amount_fen: int
    account_no: str = ""
    reason: FailureReason | None = None  # None when paid
    bank_code: str = ""  # the bank's own reason code, kept verbatim
    bank_text: str = ""  # the bank's own reason text, kept verbatim
    # The bank's own reference of the payment (ISO 20022 AcctSvcrRef, else TxId or UETR; the
    # serial number of a Chinese layout): the same reference twice is the same payment reported
    # again, another reference a second payment (重发). Empty where the format carries none.
    bank_ref: str = ""
    name: str = ""  # the beneficiary's name as the bank states it, where the format carries it


class EntrySide(enum.StrEnum):
    """Which way money moved on the statement's account (ISO 20022 CdtDbtInd)."""

    CREDIT = "CRDT"  # into the agency clearing account: finance's funding, a returned payment
    DEBIT = "DBIT"  # out of it: a payment to a beneficiary, the refund of surplus to finance


@dataclass(frozen=True, slots=True)
class StatementHeader:
    """A bank's statement of one account (对账单) for a period, before its entries.

    Balances are signed fen (a credit balance is positive). A reader checks that
    ``closing_balance_fen == opening_balance_fen + credit_fen - debit_fen`` and that the entries
    add up to ``count``, ``credit_fen`` and ``debit_fen``; a writer checks the same.
    """

    statement_id: str
    account: str  # the account the statement is for (the agency clearing account)
    created_at: datetime
    from_date: date
    to_date: date
    opening_balance_fen: int
    closing_balance_fen: int
    count: int
    credit_fen: int
    debit_fen: int
    currency: str = "CNY"


@dataclass(frozen=True, slots=True)
class StatementEntry:
    """One movement on the statement's account.

    A payment to a beneficiary names its batch and line (in ISO 20022 through the EndToEndId
    ``<batch_id>-<seq>`` of the payment file); funding and refunds name the batch only.
    """

    seq: int  # 1-based position in the statement
    side: EntrySide
    amount_fen: int  # > 0
    booking_date: date
    reference: str  # the bank's own reference of the movement
    batch_id: str = ""
    line_seq: int | None = None
    counterparty_name: str = ""
    counterparty_account: str = ""
    remark: str = ""


@dataclass(frozen=True, slots=True)
class BatchHeader:
    """What a finance system states about a batch when it submits it (发放批次)."""

    idempotency_key: str
    program: str  # subsidy program code, e.g. 耕地地力保护补贴
    period: str  # e.g. 2026-11
    region: str  # 6-digit administrative division code
    bank_code: str
    payer_name: str
    payer_account: str
    control_count: int
    control_total_fen: int
    submitted_by: str = ""
    max_amount_fen: int | None = None  # the program's standard, when it has one
    extra: dict[str, str] = field(default_factory=dict)
