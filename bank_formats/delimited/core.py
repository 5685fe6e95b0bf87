"""What the delimited family's kinds of file share: options, amounts, values and the
writers' sink (see the package docstring for the layouts; the readers' scanner and base are in
``lines``)."""
from __future__ import annotations

import codecs
import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes

from bank_formats.base import Problems, Refused, why
from i18n import Named, Phrase

MAX_FEN = 10**18 - 1  # 18 digits: fits a signed 64-bit integer
MAX_NUMBER = 10**18 - 1  # counts and seq
FLUSH_LINES = 2048  # lines a writer encodes, hashes and writes at a time

SEP = "|"

# --- options -------------------------------------------------------------------------------

ENCODINGS = ("utf-8", "gbk", "gb18030")
DIGESTS = {"sha256": "SHA256", "sm3": "SM3"}


def encoding_name(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        name = None
    if name not in ENCODINGS:
        raise Refused("format.layouts.option_one_of", option="encoding", allowed=", ".join(ENCODINGS),
                      given=repr(encoding))
    return name


class _Sm3:
    """SM3 (GB/T 32905-2016) with hashlib's interface, from ``cryptography``."""

    __slots__ = ("_h",)

    def __init__(self) -> None:
        self._h = hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def hexdigest(self) -> str:
        return self._h.finalize().hex()


def new_hasher(digest: str):
    """A fresh hasher (``update``, ``hexdigest``) for ``"sha256"`` or ``"sm3"``."""
    if digest == "sha256":
        return hashlib.sha256()
    if digest == "sm3":
        return _Sm3()
    raise _not_a_digest(digest)


def _not_a_digest(digest: object) -> Refused:
    """A digest we do not compute, refused alike by new_hasher and Options.checked."""
    return Refused("format.layouts.option_one_of", option="digest", allowed=", ".join(DIGESTS), given=repr(digest))


# --- amounts -------------------------------------------------------------------------------


class AmountStyle(ABC):
    """How a bank writes amounts: ``text``/``value`` are the fast pair the writers and readers
    call per line (``value`` returns None rather than raising, so a reader's good path never
    pays for an exception); ``parse`` says why a text is not an amount. Amounts are never
    floats: both styles are converted by integer arithmetic on the digits."""

    name = ""
    _not_unsigned = ""  # the words saying what an amount looks like (a key), for problems
    _not_signed = ""

    @staticmethod
    @abstractmethod
    def text(fen: int) -> str:
        """``fen`` (>= 0) as the bank writes it."""

    @staticmethod
    @abstractmethod
    def value(text: str) -> int | None:
        """The fen ``text`` (no sign) states, or None when it is not an amount."""

    @abstractmethod
    def _too_long(self, digits: str) -> Refused | None:
        """The refusal of ``digits`` when it is an amount of the right shape but too long, or None."""

    def signed_text(self, fen: int) -> str:
        return "-" + self.text(-fen) if fen < 0 else self.text(fen)

    def signed_value(self, text: str) -> int | None:
        if text.startswith("-"):
            fen = self.value(text[1:])
            return None if fen is None else -fen
        return self.value(text)

    def parse(self, text: str) -> int:
        """``text`` as fen; ValueError saying why it is not an amount."""
        fen = self.value(text)
        if fen is None:
            raise self._refusal(text, text, self._not_unsigned)
        return fen

    def parse_signed(self, text: str) -> int:
        """``text`` as fen, a ``-`` allowed in front (balances); ValueError saying why not."""
        fen = self.signed_value(text)
        if fen is None:
            digits = text[1:] if text.startswith("-") else text
            raise self._refusal(text, digits, self._not_signed)
        return fen

    def _refusal(self, text: str, digits: str, not_key: str) -> Refused:
        """Why ``text`` is not an amount: empty, too long, or not of the shape ``not_key`` says."""
        if not text:
            return Refused("format.empty")
        return self._too_long(digits) or Refused(not_key, raw=repr(text[:40]))


class FenStyle(AmountStyle):
    """Integer fen, 1 to 18 digits: ``123456`` is 1234.56 yuan."""

    name = "fen"
    _not_unsigned = "format.not_whole"
    _not_signed = "format.layouts.not_signed_whole"
    text = staticmethod(str)

    @staticmethod
    def value(text: str) -> int | None:
        if 0 < len(text) <= 18 and text.isascii() and text.isdigit():
            return int(text)
        return None

    def _too_long(self, digits: str) -> Refused | None:
        if len(digits) > 18 and digits.isascii() and digits.isdigit():
            return Refused("format.too_many_digits", raw=repr(digits), digits=18)
        return None


class YuanStyle(AmountStyle):
    """Yuan with exactly two decimals, 1 to 16 digits before the point: ``1234.56``."""

    name = "yuan"
    _not_unsigned = "format.not_yuan"
    _not_signed = "format.layouts.not_signed_yuan"

    @staticmethod
    def text(fen: int) -> str:
        digits = str(fen).rjust(3, "0")
        return f"{digits[:-2]}.{digits[-2:]}"

    @staticmethod
    def value(text: str) -> int | None:
        if 3 < len(text) <= 19 and text[-3] == ".":
            digits = text[:-3] + text[-2:]
            if digits.isascii() and digits.isdigit():
                return int(digits)
        return None

    def _too_long(self, digits: str) -> Refused | None:
        whole, point, cents = digits.rpartition(".")
        if (point and len(whole) > 16 and len(cents) == 2 and (whole + cents).isascii()
                and (whole + cents).isdigit()):
            return Refused("format.too_many_yuan_digits", raw=repr(digits), digits=16)
        return None


AMOUNT_STYLES: dict[str, AmountStyle] = {"fen": FenStyle(), "yuan": YuanStyle()}


@dataclass(frozen=True, slots=True)
class Options:
    """A bank's settings of the family, checked once: every writer and reader takes them."""

    encoding: str
    digest: str
    line_ending: str
    amounts: AmountStyle

    @classmethod
    def checked(cls, encoding: object, digest: object, line_ending: object,
                amount_style: object) -> Options:
        """The options, or ValueError naming the first one that is wrong."""
        encoding = encoding_name(encoding)
        if not isinstance(digest, str) or digest.lower() not in DIGESTS:
            raise _not_a_digest(digest)
        if line_ending not in ("\n", "\r\n"):
            raise Refused("format.layouts.option_either", option="line_ending", one=repr("\n"), other=repr("\r\n"),
                          given=repr(line_ending))
        amounts = AMOUNT_STYLES.get(amount_style) if isinstance(amount_style, str) else None
        if amounts is None:
            raise Refused("format.layouts.option_one_of", option="amount_style", allowed=", ".join(AMOUNT_STYLES),
                          given=repr(amount_style))
        return cls(encoding, digest.lower(), line_ending, amounts)

    @property
    def algorithm(self) -> str:
        """The digest's name in the digest line."""
        return DIGESTS[self.digest]


# --- problems ------------------------------------------------------------------------------


# --- values --------------------------------------------------------------------------------


class Missing:
    """What the writers' checks see for an attribute the object given them does not have."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


def of_seq(seq: object, problem: Phrase) -> Phrase:
    """``problem`` of the entry ``seq`` ("seq 7: ..."), so that a writer's problem names the entry
    it is about; the problem alone when there is no seq to name (None)."""
    return problem if seq is None else Phrase.of("format.layouts.of_seq", seq=seq, problem=problem)


def cannot_encode(value: str, start: int, encoding: str) -> Phrase:
    """Why ``value`` cannot be written: its character at ``start`` is not in ``encoding``."""
    ch = value[start]
    return Phrase.of("format.layouts.cannot_encode", char=repr(ch), code=f"{ord(ch):04X}", encoding=encoding)


def text_problem(value: object, required: bool, encoding: str) -> Phrase | None:
    """Why ``value`` cannot be written as a field, or None."""
    if value is MISSING:
        return Phrase.of("format.layouts.missing")
    if not isinstance(value, str):
        return Phrase.of("format.layouts.not_text", type=type(value).__name__)
    if not value:
        return Phrase.of("format.empty") if required else None
    if SEP in value:
        return Phrase.of("format.layouts.has_separator")
    if "\r" in value or "\n" in value:
        return Phrase.of("format.layouts.has_line_break")
    try:
        value.encode(encoding)
    except UnicodeEncodeError as exc:
        return cannot_encode(value, exc.start, encoding)
    return None


def number_problem(value: object, what: str, low: int, high: int) -> Phrase | None:
    """Why ``value`` cannot be written as the number field ``what`` (named in the words), or None."""
    field = Named("field", what)
    if value is MISSING:
        return Phrase.of("format.layouts.named_missing", what=field)
    if type(value) is not int:
        return Phrase.of("format.layouts.named_not_int", what=field, type=type(value).__name__)
    if not low <= value <= high:
        return Phrase.of("format.layouts.outside", what=field, value=value, low=low, high=high)
    return None


def format_datetime(value: object) -> str:
    """``yyyy-mm-ddThh:mm:ss`` plus ``±hh:mm`` when aware; ValueError when it cannot be written."""
    if not isinstance(value, datetime):
        raise Refused("format.layouts.must_be_datetime", type=type(value).__name__)
    offset = value.utcoffset()
    if offset is not None and (offset.seconds % 60 or offset.microseconds):
        raise Refused("format.layouts.offset_minutes", offset=str(offset))
    return value.isoformat(timespec="seconds")


def format_field(problems: Problems, where: str, field: str, format, value: object) -> str:
    """``format(value)``, or "" after recording why ``value`` cannot be written."""
    try:
        return format(value)
    except ValueError as exc:
        problems.add(where, field, why(exc))
        return ""


def format_date(value: object) -> str:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Refused("format.layouts.must_be_date", type=type(value).__name__)
    return value.isoformat()


DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})?",
    re.ASCII,
)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_datetime(text: str) -> datetime:
    if DATETIME_RE.fullmatch(text) is None:
        raise Refused("format.not_datetime", raw=repr(text), shape="yyyy-mm-ddThh:mm:ss[±hh:mm]")
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise Refused("format.invalid_datetime", raw=repr(text)) from None


def parse_date(text: str) -> date:
    if _DATE_RE.fullmatch(text) is None:
        raise Refused("format.not_date", raw=repr(text), shape="yyyy-mm-dd")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused("format.invalid_date", raw=repr(text)) from None


def parse_number(text: str) -> int:
    """1 to 18 ASCII digits -> int; ValueError otherwise."""
    if 0 < len(text) <= 18 and text.isascii() and text.isdigit():
        return int(text)
    return _bad_number(text)


def _bad_number(text: str) -> int:
    if not text:
        raise Refused("format.empty")
    if len(text) > 18 and text.isascii() and text.isdigit():
        raise Refused("format.too_many_digits", raw=repr(text), digits=18)
    raise Refused("format.not_whole", raw=repr(text[:40]))


# --- writing -------------------------------------------------------------------------------


class Sink:
    """Encodes, hashes and writes lines in blocks; finds the fields that cannot be encoded."""

    __slots__ = ("out", "encoding", "ending", "algorithm", "hasher", "size", "problems")

    def __init__(self, out: BinaryIO, options: Options, problems: Problems) -> None:
        self.out = out
        self.encoding = options.encoding
        self.ending = options.line_ending
        self.algorithm = options.algorithm
        self.hasher = new_hasher(options.digest)
        self.size = 0
        self.problems = problems

    def write_lines(self, lines: list[str], first: int, names: tuple[str, ...],
                    seq_given: bool) -> None:
        """Writes ``lines`` (file lines ``first``.. on); each holds len(names) fields exactly."""
        if not lines:
            return
        ending = self.ending
        text = ending.join(lines) + ending
        try:
            data = text.encode(self.encoding)
        except UnicodeEncodeError:
            data = self._encode_each(lines, first, names, seq_given)
        if data:
            self.hasher.update(data)
            self.out.write(data)
            self.size += len(data)

    def _encode_each(self, lines: list[str], first: int, names: tuple[str, ...],
                     seq_given: bool) -> bytes:
        enc = self.encoding
        ending = self.ending.encode(enc)
        good: list[bytes] = []
        for i, line in enumerate(lines):
            try:
                good.append(line.encode(enc) + ending)
                continue
            except UnicodeEncodeError:
                pass
            fields = line.split(SEP)
            seq = fields[1] if seq_given else None
            for name, value in zip(names, fields):
                try:
                    value.encode(enc)
                except UnicodeEncodeError as exc:
                    self.problems.add(f"line {first + i}", name, of_seq(seq, cannot_encode(value, exc.start, enc)))
        return b"".join(good)

    def write_digest(self) -> None:
        data = f"S{SEP}{self.algorithm}{SEP}{self.hasher.hexdigest()}{self.ending}".encode()
        self.out.write(data)
        self.size += len(data)


def check_texts(problems: Problems, where: str, seq: int | None, encoding: str,
                items: Iterable[tuple[str, object, bool]]) -> None:
    """Records why each text cannot be written (of the entry ``seq``, when there is one)."""
    for field, value, required in items:
        message = text_problem(value, required, encoding)
        if message is not None:
            problems.add(where, field, of_seq(seq, message))


def seq_problem(seq: object, prev: int) -> Phrase | None:
    if type(seq) is not int or not 1 <= seq <= MAX_NUMBER:
        return Phrase.of("format.layouts.seq_not_positive", seq=repr(seq))
    if seq <= prev:
        return Phrase.of("format.seq_must_increase", seq=seq, last=prev)
    return None


# --- reading (the readers themselves: bank_formats.delimited.lines) -------------------------


def required_texts(p: Problems, where: str, fields: list[str], names: tuple[str, ...],
                   indices: Iterable[int], vals: dict) -> None:
    for i in indices:
        if fields[i]:
            vals[names[i]] = fields[i]
        else:
            p.add(where, names[i], Phrase.of("format.empty"))


def parse_fields(p: Problems, where: str, fields: list[str], names: tuple[str, ...],
                 indices: Iterable[int], parse, vals: dict) -> None:
    """``parse`` (which raises ValueError saying why) of each field into ``vals`` by name."""
    for i in indices:
        try:
            vals[names[i]] = parse(fields[i])
        except ValueError as exc:
            p.add(where, names[i], why(exc))
