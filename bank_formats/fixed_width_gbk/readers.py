"""What the family's own reader (the statement's) is built on: pieces of lines, the header, problems.

Payment and result files are read by the declared layout (:mod:`bank_formats.layout`, declared
in ``bank_formats/layout/builtin/fixed_width_gbk.toml``); the statement has no declared
counterpart yet (a declaration has payment and result records only), so it keeps this reader.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from bank_formats.base import Problems, guarded, why
from bank_formats.fixed_width_gbk.fields import (
    CHUNK,
    MAX_LINE,
    SP,
    Overlong,
    control_char,
    parse_date,
    parse_datetime,
    show,
)
from bank_formats.fixed_width_gbk.layout import Field, Layout
from i18n import Phrase

if TYPE_CHECKING:
    from bank_formats.fixed_width_gbk.format import FixedWidthGbkFormat


class RecordReader:
    """What every reader shares: pieces of lines from the source, the header, the problems."""

    _header_layout: Layout
    _detail_layout: Layout

    def __init__(self, fmt: FixedWidthGbkFormat, src: BinaryIO, name: str) -> None:
        self.name = name
        self._fmt = fmt
        self._src = src
        self._problems = Problems()
        self._decode = fmt._decode
        self._amounts = fmt.amounts
        self._crlf = fmt.line_ending == "\r\n"
        self._carry = b""  # bytes read after the last complete line
        self._skipping = False  # in the middle of an overlong line
        self._eof = False
        self._gen = None
        first = self._first_line()
        if first is None:
            if not self._problems:
                self._problems.add("line 1", "record", Phrase.of("format.no_header"))
            raise self._problems.error(name)
        header = None
        try:
            header = self._parse_header(first)
        except Exception as exc:  # noqa: BLE001 - a reader raises nothing but FormatError
            self._problems.add("line 1", "record", Phrase.of("format.unexpected", error=f"{type(exc).__name__}: {exc}"))
        if header is None:
            raise self._problems.error(name)
        self.header = header

    # reading lines ------------------------------------------------------------------------

    def _read(self) -> bytes:
        """The next piece of the source (b"" at its end); OSError propagates."""
        if self._eof:
            return b""
        try:
            data = self._src.read(CHUNK)
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. a source that is not a binary file
            self._eof = True
            self._problems.add("file", "file", Phrase.of("format.cannot_read", error=f"{type(exc).__name__}: {exc}"))
            return b""
        if data is None:  # a non-blocking source with nothing to give is not a file
            data = b""
        if not isinstance(data, bytes):
            if isinstance(data, (bytearray, memoryview)):
                data = bytes(data)
            else:
                self._eof = True
                self._problems.add("file", "file", Phrase.of("format.read_not_bytes", type=type(data).__name__))
                return b""
        if not data:
            self._eof = True
        return data

    def _batches(self) -> Iterator[list[bytes]]:
        """Lists of complete lines (without their "\\n"); the rest ends up in ``_carry``."""
        carry = self._carry  # what was read after the header's line
        data = b""
        while True:
            if self._skipping:  # in an overlong line: drop everything up to its end
                nl = data.find(b"\n")
                if nl < 0:
                    data = b""
                else:
                    self._skipping = False
                    data = data[nl + 1:]
            if carry or data:
                lines = (carry + data).split(b"\n") if carry else data.split(b"\n")
                carry = lines.pop()
                if len(carry) > MAX_LINE:
                    lines.append(Overlong(carry[:MAX_LINE]))
                    carry = b""
                    self._skipping = True
                self._carry = carry
                if lines:
                    yield lines
            data = self._read()
            if not data:
                return

    def _first_line(self) -> bytes | None:
        """The first line (None for an empty file); what was read after it stays in _carry."""
        buf = b""
        while True:
            nl = buf.find(b"\n")
            if nl >= 0:
                self._carry = buf[nl + 1:]
                return buf[:nl]
            if len(buf) > MAX_LINE:
                self._skipping = True
                return Overlong(buf[:MAX_LINE])
            data = self._read()
            if not data:
                # no line ending: the whole file is one partial line
                self._carry = b""
                if not buf:
                    return None
                self._tail_only = True
                return buf
            buf += data

    _tail_only = False  # the first line had no line ending

    def _record_of(self, line: bytes, lineno: int, layout: Layout, last_line: bool = False) -> bytes | None:
        """The record in ``line`` without its line ending, or None after adding problems."""
        where = f"line {lineno}"
        p = self._problems
        expected = layout.length
        title = Phrase.of(f"format.layouts.title.{layout.title}")
        if type(line) is Overlong:
            p.add(where, "record", Phrase.of("format.record_too_long", limit=MAX_LINE, title=title, length=expected,
                                             also=""))
            return None
        if last_line:
            # the file does not end with a line ending: it was cut short
            body = line[:-1] if self._crlf and line.endswith(b"\r") else line
            if len(body) < expected:
                p.add(where, "record", Phrase.of("format.cut_mid_record", got=len(body), expected=expected))
            else:
                p.add(where, "record", Phrase.of("format.no_line_ending", eol=self._fmt.line_ending_label))
            return None
        if self._crlf:
            if line.endswith(b"\r"):
                line = line[:-1]
            else:
                p.add(where, "line_ending", Phrase.of("format.lf_not_crlf"))
        if len(line) != expected:
            p.add(where, "record", Phrase.of("format.record_length", length=len(line), title=title, expected=expected,
                                             also=""))
            return None
        if line[:1] != layout.record_type.encode("ascii"):
            kind, rt = line[:1], repr(layout.record_type)
            p.add(where, "record_type", Phrase.of("format.second_header", expected=rt) if kind == b"H"
                  else Phrase.of("format.record_type", raw=show(kind), expected=rt))
            return None
        return line

    def _text(self, raw: bytes, field: Field, where: str) -> str | None:
        """The text in ``raw`` (one field's bytes), or None after adding a problem."""
        p = self._problems
        value = raw.rstrip(SP)
        try:
            text = self._decode(value)[0]
        except UnicodeDecodeError as exc:
            bad = value[exc.start:exc.end]
            p.add(where, field.name, Phrase.of("format.not_in_encoding_record", encoding=self._fmt.encoding_label,
                                               bad=repr(bad), at=field.start + exc.start + 1))
            return None
        ch = control_char(text)
        if ch is not None:
            p.add(where, field.name, Phrase.of("format.control_char", code=f"{ord(ch):04X}"))
            return None
        if field.required and not text:
            p.add(where, field.name, Phrase.of("format.empty"))
            return None
        return text

    def _number(self, raw: bytes, field: Field, where: str, minimum: int = 0) -> int | None:
        if not (raw.isdigit() and raw.isascii()):
            shape = Phrase.of("format.shape.digits_n", width=field.width)
            self._problems.add(where, field.name, Phrase.of("format.not_number", raw=show(raw), shape=shape))
            return None
        value = int(raw)
        if value < minimum:
            self._problems.add(where, field.name, Phrase.of("format.less_than", number=value, minimum=minimum))
            return None
        return value

    def _amount(self, raw: bytes, field: Field, where: str, minimum: int = 0) -> int | None:
        """An "M" field in the format's amount style, or None after adding a problem."""
        value = self._amounts.parse(raw)
        if value is None:
            self._problems.add(where, field.name, Phrase.of("format.not_number", raw=show(raw),
                                                            shape=self._amounts.shape(field.width)))
            return None
        if value < minimum:
            self._problems.add(where, field.name, Phrase.of("format.less_than", number=value, minimum=minimum))
            return None
        return value

    def _signed(self, raw: bytes, field: Field, where: str) -> int | None:
        """An "S" field: "+" or "-", then an amount; zero is "+" (one spelling per value)."""
        sign = raw[:1]
        value = self._amounts.parse(raw[1:])
        if sign not in (b"+", b"-") or value is None:
            self._problems.add(where, field.name, Phrase.of("format.layouts.not_signed_amount", raw=show(raw),
                                                            shape=self._amounts.shape(field.width - 1)))
            return None
        if sign == b"-" and value == 0:
            self._problems.add(where, field.name, Phrase.of("format.layouts.zero_with_plus", raw=show(raw)))
            return None
        return -value if sign == b"-" else value

    def _currency(self, raw: bytes, field: Field, where: str) -> str | None:
        if not (raw.isalpha() and raw.isupper()):  # bytes methods: ASCII only
            self._problems.add(where, field.name, Phrase.of("format.layouts.not_currency_iso", raw=show(raw)))
            return None
        return raw.decode("ascii")

    def _header_values(self, line: bytes, layout: Layout) -> dict | None:
        """The header's fields by name, or None after adding problems."""
        if self._tail_only:
            self._record_of(line, 1, layout, last_line=True)
            return None
        record = self._record_of(line, 1, layout)
        if record is None or self._problems:  # (a header record ending with LF only)
            return None
        where = "line 1"
        values: dict = {}
        ok = True
        for f, raw in zip(layout.fields, layout.struct.unpack_from(record), strict=True):
            try:
                if f.type == "A":
                    continue
                if f.type == "X":
                    value = self._text(raw, f, where)
                elif f.type == "N":
                    value = self._number(raw, f, where)
                elif f.type == "M":
                    value = self._amount(raw, f, where)
                elif f.type == "S":
                    value = self._signed(raw, f, where)
                elif f.type == "C":  # the only code in a header is the statement's currency
                    value = self._currency(raw, f, where)
                elif f.type == "T":
                    value = parse_datetime(raw)
                elif f.type == "D":
                    value = parse_date(raw)
                else:  # pragma: no cover
                    raise AssertionError(f.type)
            except ValueError as exc:
                self._problems.add(where, f.name, why(exc))
                value = None
            if value is None:
                ok = False
            values[f.name] = value
        return values if ok else None

    # iteration --------------------------------------------------------------------------------

    def __iter__(self):
        # a reader streams its file once; iterating again goes on where it stopped
        if self._gen is None:
            self._gen = guarded(self._records(), self._problems, self.name)
        return self._gen

    def _end(self, lineno: int) -> int:
        """Reports what follows the last complete line; the number of records it held."""
        tail = self._carry
        self._carry = b""
        if self._skipping:
            # an overlong last line without a line ending: reported already
            return 0
        if not tail:
            return 0
        self._record_of(tail, lineno + 1, self._detail_layout, last_line=True)
        return 1

    def _records(self):  # pragma: no cover - defined by the subclasses
        raise NotImplementedError
