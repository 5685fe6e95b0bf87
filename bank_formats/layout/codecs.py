"""One declared field made into two functions: ``read(raw) -> value`` and ``write(value) -> piece``.

Made once per field when a layout is compiled, so that no line looks at the declaration again.
In a fixed layout ``raw`` is the field's bytes and ``write`` returns exactly ``width`` bytes; in
a delimited one ``raw`` is the field's text (the line is decoded before it is split: in GBK the
byte of ``|`` can be the second byte of a Chinese character) and ``write`` returns text. Both
raise ``ValueError`` with a message saying why (without the field's name: the caller adds it), a
:class:`~bank_formats.base.Refused` in catalogue words so that people read it in their language.
Amounts are integer fen throughout; a yuan amount is read and written with integer arithmetic.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime

from bank_formats.base import Refused
from bank_formats.delimited.core import format_datetime as iso_datetime_text
from bank_formats.delimited.core import parse_datetime as parse_iso_datetime
from bank_formats.fixed_width_gbk.fields import format_datetime as compact_datetime_text
from bank_formats.fixed_width_gbk.fields import parse_datetime as parse_compact_datetime
from bank_formats.fixed_width_gbk.fields import show
from bank_formats.layout.declaration import CODE_ENUMS, FieldDecl
from bank_formats.layout.wording import WORDINGS, Wording
from domain.model import FailureReason, PaymentOutcome
from i18n import WORDS, Named, Phrase

CONTROL_RE = re.compile("[\x00-\x1f\x7f]")  # what no text of a fixed layout holds
# what no text of a delimited layout holds (besides its delimiter): a line break; other control
# characters are written and read as they are, as bank_formats.delimited does
LINEBREAK_RE = re.compile("[\r\n]")
MAX_DELIMITED = 10**18 - 1  # a delimited number without a width: 18 digits (a signed 64-bit int)

Read = Callable[[object], object]
Write = Callable[[object], object]


def quote(raw: object) -> str:
    return show(raw) if isinstance(raw, bytes) else repr(raw)


def _refusal(words: str, **values) -> Callable[[], ValueError]:
    """What makes a refusal in a wording's ``words``: a shipped table's catalogue key, said with the
    ``values`` quoted, so that people read it in their language; else a table's own text (one added
    at run time), the values put in as it says (``{sep!r}``), said as it is."""
    if words in WORDS:
        return lambda: Refused(words, **{k: repr(v) for k, v in values.items()})
    text = words.format(**values)
    return lambda: ValueError(text)


def _padding(align: str, pad: str) -> Callable[[], Refused]:
    """What makes the refusal of a fixed text that ends (left-aligned) or starts (right-aligned)
    with its field's pad, which would read back as padding."""
    if pad == " ":
        key = "format.layouts.trailing_space" if align == "left" else "format.engine.leading_space"
        return lambda: Refused(key)
    key = "format.engine.ends_with_pad" if align == "left" else "format.engine.starts_with_pad"
    return lambda: Refused(key, pad=repr(pad))


def paid_with_reason(reason: object) -> Refused:
    """A paid record given a failure ``reason`` (named by its words where it is one)."""
    return Refused("format.paid_with_reason", reason=Named("reason", f"{reason}"))


class FieldCodec:
    """``read`` and ``write`` of one field, and what messages call it."""

    __slots__ = ("decl", "label", "read", "write", "largest")

    def __init__(self, decl: FieldDecl, read: Read, write: Write, largest: int | None = None):
        self.decl = decl
        self.label = decl.label
        self.read = read
        self.write = write
        self.largest = largest  # the largest number or amount (fen) the field holds


def make_codec(f: FieldDecl, *, fixed: bool, encoding: str, encoding_label: str,
               delimiter: str, reasons: Mapping[str, FailureReason], numbers: str = "plain",
               wording: str = "layout") -> FieldCodec:
    """The codec of field ``f`` in a fixed (bytes) or delimited (text) layout; its messages in
    ``wording`` (a name in WORDINGS)."""
    words = WORDINGS[wording]
    width = f.width
    if fixed:
        pad = f.pad.encode("ascii")

        def strip(raw):
            return raw.rstrip(pad) if f.align == "left" else raw.lstrip(pad)

        def fill(piece: bytes) -> bytes:
            if len(piece) > width:
                raise Refused("format.engine.bytes_too_long", piece=quote(piece), length=len(piece), width=width)
            return piece.ljust(width, pad) if f.align == "left" else piece.rjust(width, pad)

        def out(text: str) -> bytes:
            return fill(text.encode("ascii"))
    else:
        pad = f.pad

        def strip(raw):
            return raw

        def fill(piece: str) -> str:
            return piece

        def out(text: str) -> str:
            if width is not None and len(text) > width:
                raise Refused("format.engine.characters_too_long", text=repr(text), length=len(text), width=width)
            return text

    t = f.type
    if t == "const":
        expected = f.value.encode(encoding) if fixed else f.value
        piece = fill(expected)

        leading = f.label == "record_type"

        def read_const(raw):
            if raw != piece:
                if leading:
                    raise Refused("format.record_type", raw=quote(raw), expected=repr(f.value))
                raise Refused("format.not_constant", raw=quote(raw), expected=repr(f.value))
            return None

        return FieldCodec(f, read_const, lambda _v: piece)
    if t == "filler":
        piece = fill(f.value.encode(encoding)) if fixed else f.value
        return FieldCodec(f, lambda raw: None, lambda _v: piece)
    if t == "digest":
        return FieldCodec(f, lambda raw: raw, lambda v: out(v))
    if t == "text":
        return _text_codec(f, fixed, encoding, encoding if words.encoding_by_codec else encoding_label, delimiter,
                           strip, fill, words)
    if t in ("int", "amount"):
        return _counted_codec(f, out) if numbers == "counted" else _number_codec(f, fixed, strip, out)
    if t == "date":
        return _date_codec(f, fixed, out, f.format.lower() if words.formats_lower else f.format)
    if t == "datetime":
        return _datetime_codec(f, fixed, out)
    if t == "code":
        enum = CODE_ENUMS[f.name]
        by_value = {enum(k): (fill(v.encode("ascii")) if fixed else v) for k, v in f.codes.items()}
        by_code = {piece: value for value, piece in by_value.items()}
        by_stripped = {(strip(piece) if fixed else piece): value for value, piece in by_value.items()}
        known = ", ".join(f.codes.values())
        what = f.name.replace("_", " ")
        if words.outcome_by_label and f.name == "outcome":  # a status, S paid
            known = ", ".join(f"{v} {k.lower()}" for k, v in f.codes.items())
            what = f.label
        called = Named("format_code", f"{'an' if what[:1] in 'aeiou' else 'a'} {what}")  # "an account kind"
        named = Named("format_code_field", what)  # "account kind"

        def read_code(raw):
            value = by_code.get(raw)
            if value is None:
                value = by_stripped.get(strip(raw))
                if value is None:
                    raise Refused("format.not_code", raw=quote(raw), what=called, known=known)
            return value

        def write_code(value):
            try:
                return by_value[value]
            except (KeyError, TypeError):
                raise Refused("format.engine.unknown_code", what=named, value=repr(value)) from None

        return FieldCodec(f, read_code, write_code)
    if t == "status":
        return _status_codec(f, fixed, strip, out, reasons)
    raise AssertionError(t)  # pragma: no cover - the declaration checked the type


def _text_codec(f: FieldDecl, fixed: bool, encoding: str, label: str, delimiter: str, strip,
                fill, words: Wording) -> FieldCodec:
    """A text; ``label`` is what messages call the encoding. A delimited text holds no delimiter
    and no line break (said as ``words`` say it) or other control character."""
    width, required = f.width, f.required
    pad_char = f.pad
    decode = __import__("codecs").lookup(encoding).decode
    forbidden = (CONTROL_RE if fixed else LINEBREAK_RE).search
    holds_separator = _refusal(words.separator, sep=delimiter)
    line_break = _refusal(words.line_break) if words.line_break else None
    padding = _padding(f.align, pad_char)

    def read_text(raw):
        if fixed:
            value = strip(raw)
            try:
                text = decode(value)[0]
            except UnicodeDecodeError as exc:
                bad = value[exc.start:exc.end]
                offset = exc.start + (len(raw) - len(value) if f.align == "right" else 0)
                raise Refused("format.not_in_encoding_field", encoding=label, bad=repr(bad), at=offset + 1) from None
        else:
            text = raw
        if required and not text:
            raise Refused("format.empty")
        return text

    def write_text(value):
        if not isinstance(value, str):
            raise Refused("format.layouts.not_text", type=type(value).__name__)
        if not value:
            if required:
                raise Refused("format.empty")
            return fill(b"") if fixed else ""
        if not fixed:
            if delimiter in value:
                raise holds_separator()
            if line_break and ("\r" in value or "\n" in value):
                raise line_break()
        bad = forbidden(value)
        if bad:
            raise Refused("format.control_char", code=f"{ord(bad.group()):04X}")
        if fixed and (value[-1] == pad_char if f.align == "left" else value[0] == pad_char):
            raise padding()
        try:
            raw = value.encode(encoding)
        except UnicodeEncodeError as exc:
            ch = value[exc.start]
            raise Refused("format.layouts.cannot_encode", char=repr(ch), code=f"{ord(ch):04X}", encoding=label) from None
        if width is not None and len(raw) > width:
            raise Refused("format.layouts.too_many_bytes", length=len(raw), encoding=label, width=width)
        return fill(raw) if fixed else value

    if fixed:
        cache: dict = {}

        def write_cached(value):
            try:
                return cache[value]
            except KeyError:
                pass
            except TypeError:
                return write_text(value)
            piece = write_text(value)
            if len(cache) >= 256:  # values that repeat (bank, item, remark) stay; unique ones pass through
                cache.clear()
            cache[value] = piece
            return piece

        return FieldCodec(f, read_text, write_cached)
    return FieldCodec(f, read_text, write_text)


def _number_codec(f: FieldDecl, fixed: bool, strip, out) -> FieldCodec:
    width = f.width
    yuan = f.type == "amount" and f.unit == "yuan"
    zero_padded = f.pad == "0"
    minimum = 1 if f.name == "seq" else 0
    if fixed:
        largest = 10 ** (width - 1) - 1 if yuan else 10**width - 1
    else:
        digits = width if width is not None else 18
        largest = min(10 ** (digits - 1) - 1 if yuan else 10**digits - 1, MAX_DELIMITED)
    dot = b"." if fixed else "."
    if fixed and zero_padded:
        shape = Phrase.of("format.shape.yuan_n", digits=width - 3) if yuan else Phrase.of("format.shape.digits_n",
                                                                                          width=width)
    else:
        shape = Phrase.of("format.shape.yuan" if yuan else "format.shape.digits")
    min_width = f.min_width

    def read_number(raw):
        value = raw if zero_padded else strip(raw)
        if yuan:
            whole, point, cents = value.rpartition(dot)
            if (point and len(cents) == 2 and cents.isdigit() and cents.isascii()
                    and whole.isdigit() and whole.isascii()):
                number = int(whole) * 100 + int(cents)
            else:
                raise Refused("format.not_number" if fixed and zero_padded else "format.not_amount", raw=quote(raw),
                              shape=shape)
        elif value.isdigit() and value.isascii():
            number = int(value)
        else:
            raise Refused("format.not_number", raw=quote(raw), shape=shape)
        if number < minimum:
            raise Refused("format.less_than", number=number, minimum=minimum)
        return number

    within = "format.layouts.not_within_fen" if f.type == "amount" else "format.layouts.not_within"

    def write_number(value):
        if type(value) is not int:
            raise Refused("format.layouts.not_int", type=type(value).__name__)
        if not minimum <= value <= largest:
            raise Refused(within, value=value, low=minimum, high=largest)
        if yuan:
            text = "%d.%02d" % divmod(value, 100)
        else:
            text = "%d" % value
        if min_width and len(text) < min_width:
            text = text.rjust(min_width, "0")
        return out(text)

    return FieldCodec(f, read_number, write_number, largest)


COUNTED_DIGITS = 18  # a counted number: at most this many digits, leading zeros included
COUNTED_YUAN = 16  # (a yuan amount: before its point)


def _counted_codec(f: FieldDecl, out) -> FieldCodec:
    """A number of a delimited layout with ``numbers = "counted"`` (bank_formats.delimited's rules):
    1 to 18 ASCII digits, leading zeros counted, or in yuan 1 to 16 digits, a point and two; the
    writer refuses a value outside 0..10**18-1 (1.. for seq) naming the field and the value."""
    yuan = f.type == "amount" and f.unit == "yuan"
    minimum = 1 if f.name == "seq" else 0
    largest = 10**COUNTED_DIGITS - 1
    min_width = f.min_width

    def read_number(raw):
        if not raw:
            raise Refused("format.empty")
        if yuan:
            whole, point, cents = raw.rpartition(".")
            ok = point and len(cents) == 2 and (whole + cents).isascii() and (whole + cents).isdigit() and whole
            if ok and len(whole) > COUNTED_YUAN:
                raise Refused("format.too_many_yuan_digits", raw=repr(raw), digits=COUNTED_YUAN)
            if not ok:
                raise Refused("format.not_yuan", raw=repr(raw[:40]))
            number = int(whole) * 100 + int(cents)
        else:
            if not (raw.isascii() and raw.isdigit()):
                raise Refused("format.not_whole", raw=repr(raw[:40]))
            if len(raw) > COUNTED_DIGITS:
                raise Refused("format.too_many_digits", raw=repr(raw), digits=COUNTED_DIGITS)
            number = int(raw)
        if number < minimum:
            if f.name == "seq":
                raise Refused("format.not_positive", field=f.label, number=number)
            raise Refused("format.less_than", number=number, minimum=minimum)
        return number

    field = Named("field", f.label)

    def write_number(value):
        if type(value) is not int:
            raise Refused("format.layouts.named_not_int", what=field, type=type(value).__name__)
        if not minimum <= value <= largest:
            raise Refused("format.layouts.outside", what=field, value=value, low=minimum, high=largest)
        text = "%d.%02d" % divmod(value, 100) if yuan else "%d" % value
        if min_width and len(text) < min_width:
            text = text.rjust(min_width, "0")
        return out(text)

    return FieldCodec(f, read_number, write_number, largest)


def _date_codec(f: FieldDecl, fixed: bool, out, shape: str) -> FieldCodec:
    compact = f.format == "YYYYMMDD"
    cache: dict = {}

    def read_date(raw):
        value = cache.get(raw)
        if value is not None:
            return value
        text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw
        if compact:
            if not (len(text) == 8 and text.isdigit() and text.isascii()):
                raise Refused("format.not_date", raw=quote(raw), shape=shape)
            shaped = (int(text[0:4]), int(text[4:6]), int(text[6:8]))
        else:
            if not (len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii()
                    and text[:4].isdigit() and text[5:7].isdigit() and text[8:].isdigit()):
                raise Refused("format.not_date", raw=quote(raw), shape=shape)
            shaped = (int(text[0:4]), int(text[5:7]), int(text[8:10]))
        try:
            value = date(*shaped)
        except ValueError:
            raise Refused("format.invalid_date", raw=quote(raw)) from None
        if len(cache) >= 4096:
            cache.clear()
        cache[raw] = value
        return value

    def write_date(value):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise Refused("format.layouts.must_be_date", type=type(value).__name__)
        return out(f"{value.year:04d}{value.month:02d}{value.day:02d}" if compact else value.isoformat())

    return FieldCodec(f, read_date, write_date)


def _datetime_codec(f: FieldDecl, fixed: bool, out) -> FieldCodec:
    iso = f.format == "iso"

    def read_datetime(raw):
        if iso:
            return parse_iso_datetime(raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw)
        return parse_compact_datetime(raw if isinstance(raw, bytes) else raw.encode("ascii", "replace"))

    def write_datetime(value):
        if iso:
            if isinstance(value, datetime):
                value = value.replace(microsecond=0)
            return out(iso_datetime_text(value))
        return out(compact_datetime_text(value))

    return FieldCodec(f, read_datetime, write_datetime)


PAID, FAILED, OTHER = PaymentOutcome.PAID, PaymentOutcome.FAILED, FailureReason.OTHER


def reason_codes(reasons: Mapping[str, FailureReason]) -> dict[FailureReason, str]:
    """The code written for each reason: the first code the table maps to it."""
    codes: dict[FailureReason, str] = {}
    for code, reason in reasons.items():
        codes.setdefault(reason, code)
    return codes


def _status_codec(f: FieldDecl, fixed: bool, strip, out, reasons) -> FieldCodec:
    """A status field: the paid code, or the bank's failure code. ``read`` returns (outcome,
    reason, bank_code); ``write`` takes that triple (bank_code empty: the reason's code). With
    ``unknown = "refuse"`` only the declared codes (paid, other, the reasons') are read or
    written: another is no failure code but a code the layout does not know."""
    paid, other, width = f.paid, f.other, f.width
    codes = reason_codes(reasons)
    paid_result = (PAID, None, "")
    known = None
    if f.unknown == "refuse":
        known = {other, *reasons}
        listed = ", ".join([f"{paid} paid", f"{other} failed"] + [f"{k} {reasons[k]}" for k in sorted(reasons)
                                                                  if k != other])

    def read_status(raw):
        code = strip(raw) if fixed else raw.strip()
        if isinstance(code, bytes):
            if not code.isascii():
                raise Refused("format.status_not_ascii", raw=quote(raw))
            code = code.decode("ascii")
        if code == paid:
            return paid_result
        if not code:
            raise Refused("format.empty")
        if not (code.isalnum() and code.isascii()):
            raise Refused("format.status_not_alnum", raw=quote(raw))
        if known is not None and code not in known:
            raise Refused("format.status_unknown", code=repr(code), listed=listed)
        return (FAILED, reasons.get(code, OTHER), code)

    def write_status(triple):
        outcome, reason, code = triple
        if not isinstance(code, str):
            raise Refused("format.engine.named_not_text", what=Named("field", "bank_code"), type=type(code).__name__)
        if outcome == PAID:
            if reason is not None:
                raise paid_with_reason(reason)
            if code:
                raise Refused("format.engine.paid_with_code", paid=paid, code=repr(code))
            return out(paid)
        if outcome != FAILED:
            raise Refused("format.unknown_outcome", outcome=repr(outcome))
        if reason is not None and not isinstance(reason, FailureReason):
            raise Refused("format.unknown_reason", reason=repr(reason))
        reason = reason or OTHER
        if not code:
            return out(codes.get(reason, other))
        if code == paid:
            raise Refused("format.engine.paid_code_failed", paid=paid)
        if not (code.isascii() and code.isalnum()) or (width is not None and len(code) > width):
            if width:
                raise Refused("format.engine.code_not_alnum_n", code=repr(code), width=width)
            raise Refused("format.engine.code_not_alnum", code=repr(code))
        if known is not None and code not in known:
            raise Refused("format.engine.code_not_declared", code=repr(code), listed=listed)
        reads = reasons.get(code, OTHER)
        if reads != reason:
            raise Refused("format.engine.code_reads_back_leave", code=code, reads=Named("reason", str(reads)),
                          reason=Named("reason", str(reason)), default=codes.get(reason, other))
        return out(code)

    return FieldCodec(f, read_status, write_status)
