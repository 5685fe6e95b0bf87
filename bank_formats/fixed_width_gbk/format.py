"""The format object: options, field encoding, the payment and result writers, detection."""
from __future__ import annotations

import codecs
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from bank_formats.base import DETECT_BYTES, FileKind, Problems, Refused, WrittenFile, why
from bank_formats.carriage import Carriage, TextField
from bank_formats.fixed_width_gbk.fields import (
    CONTROL_BYTES,
    ENCODINGS,
    LINE_ENDINGS,
    SP,
    control_char,
    format_date,
    format_datetime,
)
from bank_formats.fixed_width_gbk.layout import (
    AMOUNT_STYLES,
    LAYOUTS,
    PAYMENT_DETAIL,
    PAYMENT_HEADER,
    Field,
    Layout,
)
from bank_formats.fixed_width_gbk.statements import StatementFileReader, write_statement
from bank_formats.layout.declaration import shipped
from domain.model import (
    PaymentFileHeader,
    PaymentLine,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)
from i18n import Phrase

if TYPE_CHECKING:
    from bank_formats.layout.files import LayoutReader


def _not_either(option: str, one: str, other: str, given: object) -> Refused:
    """The refusal of a format option that is neither of its two values."""
    return Refused("format.layouts.option_either", option=option, one=repr(one), other=repr(other), given=repr(given))


class FixedWidthGbkFormat:
    """Fixed-width GBK (or GB18030) text records; see the module docstring for the layout."""

    name = "fixed_width_gbk"
    file_suffix = ".txt"

    def __init__(self, schema_dir: Path | None = None, *, line_ending: str = "\r\n",
                 encoding: str = "gbk", amount_style: str = "fen") -> None:
        # schema_dir is accepted for the registry's sake: this format has no schema
        self.schema_dir = Path(schema_dir) if schema_dir is not None else None
        enc = str(encoding).lower().replace("_", "").replace("-", "")
        if enc not in ENCODINGS:
            raise _not_either("encoding", "gbk", "gb18030", encoding)
        if line_ending not in LINE_ENDINGS:
            raise _not_either("line_ending", "\r\n", "\n", line_ending)
        if amount_style not in AMOUNT_STYLES:
            raise _not_either("amount_style", "fen", "yuan", amount_style)
        self.encoding = enc
        self.encoding_label = ENCODINGS[enc]
        self.line_ending = line_ending
        self.line_ending_label = LINE_ENDINGS[line_ending]
        self._eol = line_ending.encode("ascii")
        codec = codecs.lookup(enc)
        self._encode = codec.encode
        self._decode = codec.decode
        self.amount_style = amount_style
        self.amounts = AMOUNT_STYLES[amount_style]
        # payment and result files are the declared layout's, with this format's options (imported
        # here: the engine's modules import this package's fields, and either may be loaded first)
        from bank_formats.layout.format import LayoutFormat

        self._layout = LayoutFormat(declaration=shipped(
            "fixed_width_gbk", encoding=enc, line_ending="CRLF" if line_ending == "\r\n" else "LF",
            unit=amount_style))

    def carriage(self) -> Carriage:
        """What a payment file carries: every X field of the payment layouts, in bytes of this
        format's encoding, no trailing space (it reads back as padding); amounts and counts as
        wide as their fields (see :mod:`bank_formats.carriage`)."""
        made = self.__dict__.get("_carriage")
        if made is None:
            def texts(layout: Layout) -> list[TextField]:
                return [TextField(f.name, f.width, f.required) for f in layout.fields if f.type == "X"]

            made = self._carriage = Carriage(
                family=self.name, encoding=self.encoding, encoding_label=self.encoding_label, in_bytes=True,
                line=texts(PAYMENT_DETAIL), header=texts(PAYMENT_HEADER),
                max_amount_fen=self.amounts.largest(PAYMENT_DETAIL.by_name["amount_fen"].width),
                max_total_fen=self.amounts.largest(PAYMENT_HEADER.by_name["total_fen"].width),
                max_count=10 ** PAYMENT_HEADER.by_name["count"].width - 1, padded=True)
        return made

    def __repr__(self) -> str:
        return (f"FixedWidthGbkFormat(encoding={self.encoding!r}, "
                f"line_ending={self.line_ending!r}, amount_style={self.amount_style!r})")

    # --- field encoding (the careful path; also used for every header) ---------------------

    def _text_bytes(self, value: object, field: Field, where: str, problems: Problems,
                    label: str | None = None) -> bytes | None:
        """``value`` encoded and padded to ``field``'s width, or None after adding problems."""
        name = label or field.name
        if not isinstance(value, str):
            problems.add(where, name, Phrase.of("format.layouts.not_text", type=type(value).__name__))
            return None
        if not value:
            if field.required:
                problems.add(where, name, Phrase.of("format.empty"))
                return None
            return SP * field.width
        ok = True
        ch = control_char(value)
        if ch is not None:
            problems.add(where, name, Phrase.of("format.control_char", code=f"{ord(ch):04X}"))
            ok = False
        if value[-1] == " ":
            problems.add(where, name, Phrase.of("format.layouts.trailing_space"))
            ok = False
        try:
            raw = value.encode(self.encoding)
        except UnicodeEncodeError as exc:
            bad = value[exc.start]
            problems.add(where, name, Phrase.of("format.layouts.cannot_encode", char=repr(bad), code=f"{ord(bad):04X}",
                                                encoding=self.encoding_label))
            return None
        if len(raw) > field.width:
            problems.add(where, name, Phrase.of("format.layouts.too_many_bytes", length=len(raw),
                                                encoding=self.encoding_label, width=field.width))
            return None
        return raw.ljust(field.width) if ok else None

    @staticmethod
    def _number_bytes(value: object, field: Field, where: str, problems: Problems,
                      minimum: int = 0) -> bytes | None:
        if type(value) is not int:
            problems.add(where, field.name, Phrase.of("format.layouts.not_int", type=type(value).__name__))
            return None
        top = 10**field.width - 1
        if not minimum <= value <= top:
            problems.add(where, field.name, Phrase.of("format.layouts.not_within", value=value, low=minimum, high=top))
            return None
        return b"%0*d" % (field.width, value)

    def _amount_bytes(self, value: object, field: Field, where: str, problems: Problems,
                      minimum: int = 0) -> bytes | None:
        """An "M" field in this format's amount style, or None after adding a problem."""
        if type(value) is not int:
            problems.add(where, field.name, Phrase.of("format.layouts.not_int", type=type(value).__name__))
            return None
        top = self.amounts.largest(field.width)
        if not minimum <= value <= top:
            problems.add(where, field.name, Phrase.of("format.layouts.not_within_fen", value=value, low=minimum,
                                                      high=top))
            return None
        return self.amounts.formatter(field.width)(value)

    def _signed_bytes(self, value: object, field: Field, where: str,
                      problems: Problems) -> bytes | None:
        """An "S" field: "+" (zero too) or "-", then the amount's size as an "M" field."""
        if type(value) is not int:
            problems.add(where, field.name, Phrase.of("format.layouts.not_int", type=type(value).__name__))
            return None
        top = self.amounts.largest(field.width - 1)
        if not -top <= value <= top:
            problems.add(where, field.name, Phrase.of("format.layouts.not_within_fen", value=value, low=-top,
                                                      high=top))
            return None
        sign = b"-" if value < 0 else b"+"
        return sign + self.amounts.formatter(field.width - 1)(abs(value))

    @staticmethod
    def _currency_bytes(value: object, field: Field, where: str,
                        problems: Problems) -> bytes | None:
        if not (isinstance(value, str) and len(value) == field.width and value.isascii()
                and value.isalpha() and value.isupper()):
            problems.add(where, field.name, Phrase.of("format.layouts.not_currency_iso", raw=repr(value)))
            return None
        return value.encode("ascii")

    def _header_bytes(self, layout: Layout, values: dict[str, object],
                      problems: Problems) -> bytes | None:
        """The header record (with its line ending), or None after adding problems."""
        where = "line 1"
        pieces = []
        ok = True
        for f in layout.fields:
            value = values.get(f.name)
            piece: bytes | None
            if f.type == "A":
                piece = layout.record_type.encode("ascii")
            elif f.type == "X":
                piece = self._text_bytes(value, f, where, problems)
            elif f.type == "N":
                piece = self._number_bytes(value, f, where, problems)
            elif f.type == "M":
                piece = self._amount_bytes(value, f, where, problems)
            elif f.type == "S":
                piece = self._signed_bytes(value, f, where, problems)
            elif f.type == "C":  # the only code in a header is the statement's currency
                piece = self._currency_bytes(value, f, where, problems)
            elif f.type == "T":
                try:
                    piece = format_datetime(value).encode("ascii")
                except ValueError as exc:
                    problems.add(where, f.name, why(exc))
                    piece = None
            elif f.type == "D":
                try:
                    piece = format_date(value).encode("ascii")
                except ValueError as exc:
                    problems.add(where, f.name, why(exc))
                    piece = None
            else:  # pragma: no cover - headers have no other field types
                raise AssertionError(f.type)
            if piece is None:
                ok = False
            else:
                pieces.append(piece)
        if not ok:
            return None
        record = b"".join(pieces)
        assert len(record) == layout.length
        return record + self._eol

    # --- payment and result files: the declared layout (bank_formats/layout/builtin) ------

    def write_payments(self, out: BinaryIO, header: PaymentFileHeader,
                       lines: Iterable[PaymentLine]) -> WrittenFile:
        return self._layout.write_payments(out, header, lines)

    def read_payments(self, src: BinaryIO, name: str = "<payment file>") -> LayoutReader:
        return self._layout.read_payments(src, name)

    def write_results(self, out: BinaryIO, header: ResultFileHeader,
                      records: Iterable[ResultRecord]) -> WrittenFile:
        return self._layout.write_results(out, header, records)

    def read_results(self, src: BinaryIO, name: str = "<result file>") -> LayoutReader:
        return self._layout.read_results(src, name)

    # --- statements ------------------------------------------------------------------------

    def write_statement(self, out: BinaryIO, header: StatementHeader,
                        entries: Iterable[StatementEntry]) -> WrittenFile:
        return write_statement(self, out, header, entries)

    def read_statement(self, src: BinaryIO, name: str = "<statement>") -> StatementFileReader:
        return StatementFileReader(self, src, name)

    # --- detection -------------------------------------------------------------------------

    def detect(self, head: bytes) -> FileKind | None:
        """The kind of file ``head`` begins, by its header record; None for anything else.

        A file of this format is told by its first record: an "H" of exactly the length of
        one kind's header, ending with this format's line ending, holding no control byte (so a
        CRLF file is not taken for an LF one a byte longer) and digits in its number and date
        fields; when the head goes on, the next record must begin with "D". Never raises,
        whatever it is given.
        """
        if not isinstance(head, (bytes, bytearray, memoryview)):
            return None
        head = bytes(head[:DETECT_BYTES])
        eol = self._eol
        for kind, (header, _) in LAYOUTS.items():
            end = header.length
            after = head[end + len(eol):end + len(eol) + 1]
            if (head[:1] == b"H" and head[end:end + len(eol)] == eol
                    and len(head[:end].translate(None, CONTROL_BYTES)) == end
                    and after in (b"", b"D")
                    and all(raw.isdigit() for f, raw in zip(header.fields,
                                                            header.struct.unpack_from(head))
                            if f.type in "ND")):
                return kind
        return None
