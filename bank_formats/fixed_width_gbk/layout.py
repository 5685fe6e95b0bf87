"""The record layouts of the fixed-width GBK family, its code tables and its amount styles.

The layouts are data: the writers, the readers and the module docstring's tables all come from
them, so a width changed here changes every one of them at once. The payment and result layouts
and code tables are read from their declaration (bank_formats/layout/builtin/fixed_width_gbk.toml);
the writers' and readers' hand-tuned templates assert their lengths against them.
"""
from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from bank_formats.layout.declaration import builtin, declaration_from_dict
from domain.model import EntrySide, FailureReason
from i18n import Phrase


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

# The payment and result records are declared field by field in the layout engine's shipped
# declaration (bank_formats/layout/builtin/fixed_width_gbk.toml), which a bank profile can use or
# copy (format family "layout"): these tables are made from it, so the declaration and this
# module cannot differ. The statement records are not declared there yet (declared layouts have
# no statement) and stay below.
_DECLARED = declaration_from_dict(builtin("fixed_width_gbk")).files
_LETTERS = {"text": "X", "int": "N", "amount": "M", "datetime": "T", "date": "D", "code": "C",
            "status": "C"}
_NAMES = {"status": "status_code"}  # the declaration names the model's field, the table the file's


def _declared(kind: str, role: str, title: str, *, optional: bool = False) -> Layout:
    """The layout of a declared record (with its optional trailing fields, or without)."""
    record = _DECLARED[kind].headers[0] if role == "header" else _DECLARED[kind].detail
    fields = []
    for f in record.fields:
        if f.optional and not optional:
            continue
        if f.type == "const":  # the record type, the record's first byte
            fields.append(Field("record_type", f.width, "A", note=f'"{f.value}"'))
        else:
            fields.append(Field(_NAMES.get(f.name, f.name), f.width, _LETTERS[f.type], f.required,
                                f.note))
    return Layout(title, record.fields[0].value, fields)


PAYMENT_HEADER = _declared("payments", "header", "payment file header")
PAYMENT_DETAIL = _declared("payments", "detail", "payment file detail")
RESULT_HEADER = _declared("results", "header", "result file header")
RESULT_DETAIL = _declared("results", "detail", "result file detail")
# The same record with two fields more at its end, told from the one above by its length (see
# the module docstring: the layout has no version and no reserved space to put them in).
RESULT_DETAIL_REF = _declared("results", "detail", "result file detail with the bank's reference",
                              optional=True)

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

# the text fields of a statement detail record, in record order
ENTRY_TEXTS = ("reference", "batch_id", "counterparty_name", "counterparty_account", "remark")

# 1001 账户不存在, 1002 户名不符, 1003 账户已销户, 1004 账户冻结, 1005 证件号码不符,
# 1006 卡已挂失/换卡, 9999 其他: the declaration's [results.reasons]
REASON_TO_CODE: dict[FailureReason, str] = {r: c for c, r in _DECLARED["results"].reasons.items()}
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
    def shape(self, width: int) -> Phrase:
        """What a field of ``width`` bytes must look like, in catalogue words for messages."""


class FenAmounts(AmountStyle):
    """``000000000123456``: the amount in fen, all digits (the default)."""

    name = "fen"

    def largest(self, width: int) -> int:
        return 10**width - 1

    def formatter(self, width: int) -> Callable[[int], bytes]:
        return (b"%%0%dd" % width).__mod__

    def parse(self, raw: bytes) -> int | None:
        return int(raw) if raw.isdigit() else None  # bytes.isdigit: ASCII digits only

    def shape(self, width: int) -> Phrase:
        return Phrase.of("format.shape.digits_n", width=width)


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

    def shape(self, width: int) -> Phrase:
        return Phrase.of("format.shape.yuan_n", digits=width - 3)


AMOUNT_STYLES: dict[str, AmountStyle] = {s.name: s for s in (FenAmounts(), YuanAmounts())}
