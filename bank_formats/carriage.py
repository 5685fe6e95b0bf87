"""What a bank's payment file can carry, field by field: the check a submission runs on every
line and on the header, so that nothing it accepts can fail to render.

Each format family describes its payment file as a :class:`Carriage` (``fmt.carriage()``): the
encoding of its texts, and for each text field of a line (:class:`~domain.model.PaymentLine`)
and of the file's header (:class:`~domain.model.PaymentFileHeader`) how much it holds (bytes
of the encoding, or characters), whether the file needs it non-empty, and which characters
the family cannot carry (the delimited family's ``|``; a fixed-width field's trailing space,
which reads back as padding). The characters no text may hold whatever the format
(:mod:`domain.text`: control characters, line breaks, bidirectional controls,
noncharacters) are refused by every carriage. Amounts and counts must fit their fields too.

:meth:`Carriage.check_line` and :meth:`Carriage.check_header` return what does not fit as
:class:`Unfit` (the field, a reason code, and why, naming the bank's files as the caller calls
them: ``character '𠀀' (U+20000) cannot be written in GBK, the encoding of bank RCC01's files``).
A usual line is checked in a few calls whatever its fields (its texts joined, tested printable
and encoded once: see ``Carriage._compile_fits``); only a line with something unusual is looked
at field by field. Pure: no I/O.

Reason codes: the :mod:`domain.text` ones, and

* ``TEXT_ENCODING``: a character the file's encoding cannot write;
* ``TEXT_WIDTH``: more bytes (or characters) than the field holds;
* ``TEXT_CHARACTER``: a character this format cannot carry in the field (a separator, a
  trailing space, anything but the phone characters ISO 20022 allows...), or not a text;
* ``TEXT_REQUIRED``: empty where the file needs a value;
* ``AMOUNT_TOO_LARGE``: an amount, total or count larger than the file's field holds.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bank_formats.base import Refused
from domain.text import text_problem

__all__ = ["AMOUNT_TOO_LARGE", "CARRIAGE_CODES", "LINE_TEXTS", "TEXT_CHARACTER", "TEXT_ENCODING", "TEXT_REQUIRED",
           "TEXT_WIDTH", "Carriage", "TextField", "Unfit"]

TEXT_ENCODING = "TEXT_ENCODING"
TEXT_WIDTH = "TEXT_WIDTH"
TEXT_CHARACTER = "TEXT_CHARACTER"
TEXT_REQUIRED = "TEXT_REQUIRED"
AMOUNT_TOO_LARGE = "AMOUNT_TOO_LARGE"
CARRIAGE_CODES = frozenset({TEXT_ENCODING, TEXT_WIDTH, TEXT_CHARACTER, TEXT_REQUIRED, AMOUNT_TOO_LARGE})

# The text fields of a payment line, in the order a carriage lists them.
LINE_TEXTS = ("name", "id_number", "account_no", "bank_name", "subsidy_item", "remark", "phone", "address",
              "household_no")
# The text fields of a payment file's header.
HEADER_TEXTS = ("file_id", "batch_id", "payer_name", "payer_account", "bank_code", "purpose")

@dataclass(frozen=True, slots=True)
class Unfit:
    """Something of a line or header a bank's file cannot carry."""

    field: str  # the attribute of PaymentLine or PaymentFileHeader
    code: str
    message: str  # why, without the field's name


@dataclass(frozen=True, slots=True)
class TextField:
    """One text field of a payment file, as the format writes it."""

    name: str  # the attribute of PaymentLine or PaymentFileHeader
    width: int | None = None  # how much it holds: bytes of the encoding, or characters; None: no limit
    required: bool = False  # empty is refused
    allowed: str | None = None  # a regular expression the whole value must match, when not empty
    allowed_text: str = ""  # what ``allowed`` admits, for messages
    label: str = ""  # the field in the file, for messages (e.g. "Cdtr/Nm"); default: ``name``


class Carriage:
    """What one format's payment files carry; see the module docstring.

    ``encoding``: Python's codec of the texts (their widths are then counted in its bytes when
    ``in_bytes``, else in characters); ``encoding_label`` names it in messages (``GBK``).
    ``separators``: characters the format cannot carry in any text, each with why
    (``{"|": "the field separator"}``). ``padded``: a text may not end with a space (a
    fixed-width field reads back without its trailing spaces). ``max_amount_fen``: the largest
    amount a line's field holds; ``max_total_fen`` and ``max_count`` the header's.
    """

    def __init__(self, *, family: str, encoding: str, encoding_label: str, in_bytes: bool,
                 line: Iterable[TextField], header: Iterable[TextField], max_amount_fen: int, max_total_fen: int,
                 max_count: int, separators: dict[str, str] | None = None, padded: bool = False) -> None:
        self.family = family
        self.encoding = encoding
        self.encoding_label = encoding_label
        self.in_bytes = in_bytes
        self.line_fields = tuple(line)
        self.header_fields = tuple(header)
        self.max_amount_fen = max_amount_fen
        self.max_total_fen = max_total_fen
        self.max_count = max_count
        self.separators = dict(separators or {})
        self.padded = padded
        names = [f.name for f in self.line_fields]
        if sorted(names) != sorted(LINE_TEXTS):
            raise Refused("format.engine.carriage_texts", texts=", ".join(LINE_TEXTS))
        self._fits = self._compile_fits()

    def __repr__(self) -> str:
        unit = "bytes" if self.in_bytes else "characters"
        return f"Carriage({self.family}, {self.encoding_label}, widths in {unit})"

    @property
    def unit(self) -> str:
        return "bytes" if self.in_bytes else "characters"

    # --- lines ------------------------------------------------------------------------------

    def check_line(self, line: object, whose: str = "the bank's files") -> list[Unfit]:
        """What of ``line`` (a PaymentLine) the file cannot carry; empty when it all fits.

        ``whose`` names the files in messages ("bank RCC01's files").
        """
        try:
            if self._fits(line):
                return []
        except (AttributeError, TypeError, ValueError):  # not a line, not texts, not encodable
            pass
        return self._look_at_line(line, whose)

    def _compile_fits(self):
        """``fits(line)``: True when ``line`` certainly fits, in a few calls whatever its fields
        (False, or an error, sends it to the careful look that says what does not fit).

        Made for this carriage's fields, like ``bank_formats.maker``: the texts are joined by
        ``;`` into one string, which must be printable (str.isprintable: no control character,
        line break, bidirectional control, noncharacter, surrogate — nor a few harmless ones,
        such as U+3000, which the careful look then lets through) and free of the format's
        separators; in bytes, it is encoded once and split on ``;`` again (no byte of a
        multibyte GBK, GB18030 or UTF-8 character is a ``;``; a ``;`` in a text shows as one
        piece too many), each piece within its width; or each text within its width in
        characters. Required texts are not empty, patterns match, the amount fits.
        """
        names = [f.name for f in self.line_fields]
        v = {name: f"t{i}" for i, name in enumerate(names)}
        scope: dict[str, object] = {"MAX": self.max_amount_fen}
        body = [f"    {v[n]} = line.{n}" for n in names]
        body.append("    amount = line.amount_fen")
        body.append("    if type(amount) is int and amount > MAX: return False")
        body.append(f"    j = ';'.join(({', '.join(v[n] for n in names)},))")
        checks = ["not j.isprintable()"]
        checks += [f"{c!r} in j" for c in self.separators]
        if self.padded:
            checks.append("' ;' in j or j[-1:] == ' '")
        required = [v[f.name] for f in self.line_fields if f.required]
        if required:
            checks.append(f"not ({' and '.join(required)})")
        body.append(f"    if {' or '.join(checks)}: return False")
        for i, f in enumerate(self.line_fields):
            if f.allowed is not None:
                scope[f"ok{i}"] = re.compile(f.allowed).fullmatch
                body.append(f"    if {v[f.name]} and ok{i}({v[f.name]}) is None: return False")
        widths = [(i, f) for i, f in enumerate(self.line_fields) if f.width is not None]
        if self.in_bytes:
            scope["ENCODING"] = self.encoding
            body.append("    p = j.encode(ENCODING).split(b';')")  # UnicodeEncodeError: a ValueError
            body.append(f"    if len(p) != {len(names)}: return False")
            sized = [f"len(p[{i}]) > {f.width}" for i, f in widths]
        else:
            sized = [f"len({v[f.name]}) > {f.width}" for i, f in widths]
        if sized:
            body.append(f"    if {' or '.join(sized)}: return False")
        body.append("    return True")
        exec("def fits(line):\n" + "\n".join(body) + "\n", scope)  # noqa: S102 - our own source
        return scope["fits"]

    def _look_at_line(self, line: object, whose: str) -> list[Unfit]:
        out: list[Unfit] = []
        for f in self.line_fields:
            problem = self._text_problem(f, getattr(line, f.name, None), whose)
            if problem is not None:
                out.append(problem)
        amount = getattr(line, "amount_fen", None)
        if type(amount) is int and amount > self.max_amount_fen:
            out.append(Unfit("amount_fen", AMOUNT_TOO_LARGE,
                             f"{amount} fen is more than {whose} hold in a line's amount "
                             f"(at most {self.max_amount_fen} fen)"))
        return out

    # --- the header -------------------------------------------------------------------------

    def check_header(self, header: object, whose: str = "the bank's files") -> list[Unfit]:
        """What of ``header`` (a PaymentFileHeader, or anything with its attributes) the file
        cannot carry: its texts, the count and the total."""
        out: list[Unfit] = []
        for f in self.header_fields:
            problem = self._text_problem(f, getattr(header, f.name, None), whose)
            if problem is not None:
                out.append(problem)
        count = getattr(header, "count", None)
        if type(count) is int and count > self.max_count:
            out.append(Unfit("count", AMOUNT_TOO_LARGE,
                             f"{count} lines are more than {whose} count (at most {self.max_count})"))
        total = getattr(header, "total_fen", None)
        if type(total) is int and total > self.max_total_fen:
            out.append(Unfit("total_fen", AMOUNT_TOO_LARGE,
                             f"{total} fen is more than {whose} hold in the file's total "
                             f"(at most {self.max_total_fen} fen)"))
        return out

    # --- one text ---------------------------------------------------------------------------

    def check_text(self, f: TextField, value: object, whose: str = "the bank's files") -> Unfit | None:
        """The first thing wrong with ``value`` as the field ``f``, or None."""
        return self._text_problem(f, value, whose)

    def _text_problem(self, f: TextField, value: object, whose: str) -> Unfit | None:
        name = f.name
        if not isinstance(value, str):
            return Unfit(name, TEXT_CHARACTER, f"must be a text, not {type(value).__name__}")
        found = text_problem(value)
        if found is not None:
            return Unfit(name, found[0], found[1])
        for ch, why in self.separators.items():
            if ch in value:
                return Unfit(name, TEXT_CHARACTER, f"holds {ch!r}, {why} of {whose}, which have no escaping")
        if not value:
            return Unfit(name, TEXT_REQUIRED, f"is empty; {whose} need it") if f.required else None
        if self.padded and value[-1] == " ":
            return Unfit(name, TEXT_CHARACTER, f"ends with a space, which {whose} read back as padding "
                                               "(fixed-width fields)")
        try:
            size = len(value.encode(self.encoding)) if self.in_bytes else len(value)
        except UnicodeEncodeError as exc:
            ch = value[exc.start]
            return Unfit(name, TEXT_ENCODING, f"character {ch!r} (U+{ord(ch):04X}) cannot be written in "
                                              f"{self.encoding_label}, the encoding of {whose}")
        if f.width is not None and size > f.width:
            in_what = f" in {self.encoding_label}" if self.in_bytes else ""
            where = f" ({f.label})" if f.label else ""
            return Unfit(name, TEXT_WIDTH, f"is {size} {self.unit}{in_what}; {whose} hold at most {f.width} "
                                           f"{self.unit} in this field{where}")
        if f.allowed is not None and re.fullmatch(f.allowed, value) is None:
            bad = next((c for c in value if re.fullmatch(f.allowed, c) is None), value[0])
            return Unfit(name, TEXT_CHARACTER, f"holds {bad!r}; {whose} take only {f.allowed_text} here")
        return None
