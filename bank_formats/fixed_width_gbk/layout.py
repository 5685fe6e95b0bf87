"""The record layouts of the fixed-width GBK family, its code tables and its amount styles.

The layouts are data: the writers, the readers and the module docstring's tables all come from
them, so a width changed here changes every one of them at once.
"""
from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from domain.model import AccountKind, EntrySide, FailureReason

@dataclass(frozen=True, slots=True)
class Field:
    name: str
    width: int  # bytes
    type: str  # A N M S X C D T (see the module docstring)
    required: bool = False
    note: str = ""
    start: int = 0  # 0-based byte offset in the record


class Layout:
    """One kind of record: its fields in order, their offsets, its length in bytes."""

    def __init__(self, title: str, record_type: str, fields: list[Field]) -> None:
        self.title = title
        self.record_type = record_type
        placed = []
        pos = 0
        for f in fields:
            placed.append(Field(f.name, f.width, f.type, f.required, f.note, pos))
            pos += f.width
        self.fields: tuple[Field, ...] = tuple(placed)
        self.length = pos
        self.by_name = {f.name: f for f in placed}
        # one bytes piece per field; unpack_from ignores the line ending after the record
        self.struct = struct.Struct("".join(f"{f.width}s" for f in placed))

    def describe(self) -> str:
        """The table of this layout as the module docstring shows it."""
        rows = ["pos  width type field                note"]
        for f in self.fields:
            note = f.note or ("required" if f.required else "")
            rows.append(f"{f.start + 1:>3} {f.width:>6} {f.type:<4} {f.name:<20} {note}".rstrip())
        return "\n".join(rows)


MAX_SEQ = 10**10 - 1
MAX_AMOUNT = 10**15 - 1  # the largest amount of a 15-byte field in fen (the default style)
SEQ_NOTE = "1 or more; increasing from record to record"

PAYMENT_HEADER = Layout("payment file header", "H", [
    Field("record_type", 1, "A", note='"H"'),
    Field("batch_id", 35, "X", True),
    Field("file_id", 35, "X", True),
    Field("payer_account", 34, "X", True),
    Field("payer_name", 140, "X", True),
    Field("bank_code", 35, "X", True),
    Field("count", 10, "N", note="number of D records"),
    Field("total_fen", 18, "M", note="sum of their amount_fen"),
    Field("created_at", 19, "T"),
    Field("requested_date", 8, "D"),
    Field("purpose", 280, "X"),
])

PAYMENT_DETAIL = Layout("payment file detail", "D", [
    Field("record_type", 1, "A", note='"D"'),
    Field("seq", 10, "N", note=SEQ_NOTE),
    Field("account_no", 34, "X", True),
    Field("name", 60, "X", True),
    Field("amount_fen", 15, "M"),
    Field("id_number", 32, "X", True),
    Field("account_kind", 1, "C", note="1 CARD, 2 PASSBOOK, 3 SOCIAL_SECURITY_CARD"),
    Field("bank_name", 60, "X"),
    Field("subsidy_item", 40, "X"),
    Field("remark", 60, "X"),
    Field("phone", 20, "X"),
    Field("address", 120, "X"),
    Field("household_no", 32, "X"),
])

RESULT_HEADER = Layout("result file header", "H", [
    Field("record_type", 1, "A", note='"H"'),
    Field("file_id", 35, "X", True),
    Field("original_file_id", 35, "X", True),
    Field("batch_id", 35, "X", True),
    Field("created_at", 19, "T"),
    Field("count", 10, "N", note="number of D records = paid_count + failed_count"),
    Field("paid_count", 10, "N", note="records with status 0000"),
    Field("paid_fen", 18, "M", note="sum of their amount_fen"),
    Field("failed_count", 10, "N", note="records with any other status"),
    Field("failed_fen", 18, "M", note="sum of their amount_fen"),
])

_RESULT_FIELDS = [
    Field("record_type", 1, "A", note='"D"'),
    Field("seq", 10, "N", note=SEQ_NOTE),
    Field("account_no", 34, "X"),
    Field("amount_fen", 15, "M"),
    Field("status_code", 4, "C",
          note="0000 paid; anything else is the bank's failure code"),
    Field("bank_text", 100, "X", note="the bank's reason text (失败原因), kept verbatim"),
]

RESULT_DETAIL = Layout("result file detail", "D", _RESULT_FIELDS)

# The same record with two fields more at its end, told from the one above by its length (see
# the module docstring: the layout has no version and no reserved space to put them in).
RESULT_DETAIL_REF = Layout("result file detail with the bank's reference", "D", [
    *_RESULT_FIELDS,
    Field("bank_ref", 35, "X", note="银行流水号: the bank's own reference of the payment"),
    Field("name", 60, "X", note="户名: the beneficiary's name as the bank states it"),
])

STATEMENT_HEADER = Layout("statement header", "H", [
    Field("record_type", 1, "A", note='"H"'),
    Field("statement_id", 35, "X", True),
    Field("account", 35, "X", True),
    Field("created_at", 19, "T"),
    Field("from_date", 8, "D"),
    Field("to_date", 8, "D", note="not before from_date"),
    Field("opening_balance_fen", 19, "S"),
    Field("closing_balance_fen", 19, "S", note="= opening + credit_fen - debit_fen"),
    Field("count", 10, "N", note="number of D records"),
    Field("credit_fen", 18, "M", note="sum of the amount_fen of side C"),
    Field("debit_fen", 18, "M", note="sum of the amount_fen of side D"),
    Field("currency", 3, "C", note="ISO 4217, three capital letters"),
])

STATEMENT_DETAIL = Layout("statement detail", "D", [
    Field("record_type", 1, "A", note='"D"'),
    Field("seq", 10, "N", note="the record's position: 1, 2, 3 ..."),
    Field("side", 1, "C", note="C CREDIT (into the account), D DEBIT (out of it)"),
    Field("amount_fen", 15, "M", note="more than 0"),
    Field("booking_date", 8, "D"),
    Field("reference", 35, "X", True),
    Field("batch_id", 35, "X"),
    Field("line_seq", 10, "N", note="1 or more; spaces when the entry is for no one line"),
    Field("counterparty_name", 140, "X"),
    Field("counterparty_account", 34, "X"),
    Field("remark", 100, "X"),
])

LAYOUTS = {"payments": (PAYMENT_HEADER, PAYMENT_DETAIL), "results": (RESULT_HEADER, RESULT_DETAIL),
           "statement": (STATEMENT_HEADER, STATEMENT_DETAIL)}

SIDE_CODES: dict[EntrySide, bytes] = {EntrySide.CREDIT: b"C", EntrySide.DEBIT: b"D"}
SIDE_BY_CODE: dict[bytes, EntrySide] = {c: s for s, c in SIDE_CODES.items()}

# the text fields of a payment detail record, in record order
PAYMENT_TEXTS = ("account_no", "name", "id_number", "bank_name", "subsidy_item", "remark",
                 "phone", "address", "household_no")
# the text fields of a statement detail record, in record order
ENTRY_TEXTS = ("reference", "batch_id", "counterparty_name", "counterparty_account", "remark")

KIND_CODES: dict[AccountKind, str] = {
    AccountKind.CARD: "1",
    AccountKind.PASSBOOK: "2",
    AccountKind.SOCIAL_SECURITY_CARD: "3",
}
KIND_BY_CODE: dict[bytes, AccountKind] = {c.encode(): k for k, c in KIND_CODES.items()}

PAID_CODE = "0000"
REASON_TO_CODE: dict[FailureReason, str] = {
    FailureReason.ACCOUNT_NOT_FOUND: "1001",  # 账户不存在
    FailureReason.NAME_MISMATCH: "1002",  # 户名不符
    FailureReason.ACCOUNT_CLOSED: "1003",  # 账户已销户
    FailureReason.ACCOUNT_FROZEN: "1004",  # 账户冻结
    FailureReason.ID_MISMATCH: "1005",  # 证件号码不符
    FailureReason.CARD_LOST: "1006",  # 卡已挂失/换卡
    FailureReason.OTHER: "9999",  # 其他
}
CODE_TO_REASON: dict[str, FailureReason] = {c: r for r, c in REASON_TO_CODE.items()}


def reason_for_code(code: str) -> FailureReason:
    """The canonical reason of a bank failure code; OTHER for any code not in the table."""
    return CODE_TO_REASON.get(code, FailureReason.OTHER)


# --- amount styles -------------------------------------------------------------------------


class AmountStyle(ABC):
    """How the amounts of an "M" field are spelled: whole fen, or yuan with two decimals.

    Both are right-aligned and zero-padded to the field's width and are read with integer
    arithmetic only: an amount is never a float anywhere.
    """

    name: str

    @abstractmethod
    def largest(self, width: int) -> int:
        """The largest amount in fen a field of ``width`` bytes holds."""

    @abstractmethod
    def formatter(self, width: int) -> Callable[[int], bytes]:
        """A function writing an amount (0..largest) in ``width`` bytes, made once per field."""

    @abstractmethod
    def parse(self, raw: bytes) -> int | None:
        """The amount in fen ``raw`` spells, or None when it is not one."""

    @abstractmethod
    def shape(self, width: int) -> str:
        """What a field of ``width`` bytes must look like, for messages."""


class FenAmounts(AmountStyle):
    """``000000000123456``: the amount in fen, all digits (the default)."""

    name = "fen"

    def largest(self, width: int) -> int:
        return 10**width - 1

    def formatter(self, width: int) -> Callable[[int], bytes]:
        return (b"%%0%dd" % width).__mod__

    def parse(self, raw: bytes) -> int | None:
        return int(raw) if raw.isdigit() else None  # bytes.isdigit: ASCII digits only

    def shape(self, width: int) -> str:
        return f"{width} digits"


class YuanAmounts(AmountStyle):
    """``000000001234.56``: yuan, a point and exactly two decimals (one digit fewer than fen)."""

    name = "yuan"

    def largest(self, width: int) -> int:
        return 10**(width - 1) - 1

    def formatter(self, width: int) -> Callable[[int], bytes]:
        pattern = b"%%0%dd.%%02d" % (width - 3)

        def format_yuan(fen: int) -> bytes:
            return pattern % divmod(fen, 100)

        return format_yuan

    def parse(self, raw: bytes) -> int | None:
        whole, point, cents = raw[:-3], raw[-3:-2], raw[-2:]
        if point == b"." and whole.isdigit() and cents.isdigit():
            return int(whole) * 100 + int(cents)
        return None

    def shape(self, width: int) -> str:
        return f"yuan: {width - 3} digits, a point and 2 digits"


AMOUNT_STYLES: dict[str, AmountStyle] = {s.name: s for s in (FenAmounts(), YuanAmounts())}
