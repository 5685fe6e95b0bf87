"""What the ISO 20022 writers and readers share: amounts, reason codes, schemas, streaming parse.

Amounts are integer fen. They are written as ``"1234.56"`` by integer arithmetic and read back
by a strict pattern (digits, optionally ``.`` and one or two digits; no sign, no exponent, no
more than two decimals); no float is involved anywhere.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO

from lxml import etree

from bank_formats import base
from bank_formats.base import MAX_PROBLEMS, FileKind, Problem, Refused
from bank_formats.iso20022.schema_words import said as schema_said
from bank_formats.maker import maker  # noqa: F401 - the readers (and tests) take it from here
from domain.model import FailureReason
from i18n import Phrase

NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"


@dataclass(frozen=True, slots=True)
class Variant:
    """One version of one message: its name (as in pain.002's OrgnlMsgNmId), namespace, schema."""

    name: str  # e.g. "pain.001.001.09"
    kind: FileKind  # what the family's files of this message are for

    @property
    def namespace(self) -> str:
        return NS_PREFIX + self.name

    @property
    def xsd(self) -> str:
        """The schema's file name as published, looked for in a bank's schema directory."""
        return self.name + ".xsd"


PAIN001_V03 = Variant("pain.001.001.03", "payments")
PAIN001_V09 = Variant("pain.001.001.09", "payments")
PAIN002_V03 = Variant("pain.002.001.03", "results")
PAIN002_V10 = Variant("pain.002.001.10", "results")
CAMT053_V02 = Variant("camt.053.001.02", "statement")
CAMT053_V08 = Variant("camt.053.001.08", "statement")
VARIANTS: dict[str, Variant] = {
    v.name: v for v in (PAIN001_V03, PAIN001_V09, PAIN002_V03, PAIN002_V10, CAMT053_V02,
                        CAMT053_V08)
}
_BY_NAMESPACE = {v.namespace: v for v in VARIANTS.values()}


def variant_of_namespace(namespace: str | None) -> Variant | None:
    return _BY_NAMESPACE.get(namespace) if namespace else None

# the defaults (kept under their old names for the modules and tests that use them)
NS_PAIN001 = PAIN001_V09.namespace
NS_PAIN002 = PAIN002_V10.namespace
XSD_PAIN001 = PAIN001_V09.xsd
XSD_PAIN002 = PAIN002_V10.xsd
MSG_NAME_PAIN001 = PAIN001_V09.name


def tags(namespace: str, local_names: dict[str, str]) -> SimpleNamespace:
    """``{KEY: "Local"}`` as an object whose attribute KEY is ``"{namespace}Local"``.

    A reader serves every version of its message with one object of these: the versions this
    project reads differ, where it looks, only in their namespace.
    """
    return SimpleNamespace(**{k: f"{{{namespace}}}{v}" for k, v in local_names.items()})

CURRENCY = "CNY"
# ActiveOrHistoricCurrencyAndAmount and DecimalNumber allow 18 digits in total.
MAX_FEN = 10**18 - 1

# --- reason codes (ExternalStatusReason1Code) ------------------------------------------------

REASON_TO_CODE: dict[FailureReason, str] = {
    FailureReason.ACCOUNT_NOT_FOUND: "AC01",  # IncorrectAccountNumber
    FailureReason.NAME_MISMATCH: "BE01",  # InconsistentWithEndCustomer
    FailureReason.ACCOUNT_CLOSED: "AC04",  # ClosedAccountNumber
    FailureReason.ACCOUNT_FROZEN: "AC06",  # BlockedAccount
    FailureReason.ID_MISMATCH: "BE17",  # InvalidCreditorIdentificationCode
    FailureReason.CARD_LOST: "AC16",  # CardNumberInvalid (card reported lost, 挂失)
    FailureReason.OTHER: "NARR",  # Narrative: the reason is in AddtlInf
}
CODE_TO_REASON: dict[str, FailureReason] = {code: r for r, code in REASON_TO_CODE.items()}


def reason_for_code(code: str) -> FailureReason:
    """The canonical reason of an ISO status reason code; OTHER for any code not mapped."""
    return CODE_TO_REASON.get(code, FailureReason.OTHER)


# --- amounts -------------------------------------------------------------------------------

_AMOUNT_RE = re.compile(r"([0-9]{1,16})(?:\.([0-9]{1,2}))?", re.ASCII)
_XML_WS = " \t\r\n"


def format_amount(fen: int) -> str:
    """``123456`` -> ``"1234.56"``; raises ValueError for anything but a non-negative int."""
    if type(fen) is not int or fen < 0 or fen > MAX_FEN:
        raise Refused("format.iso.amount_not_fen", largest=MAX_FEN, got=repr(fen))
    return f"{fen // 100}.{fen % 100:02d}"


def parse_amount(text: str | None) -> int:
    """``"1234.56"`` -> ``123456``; raises ValueError with a readable message when malformed."""
    if text is not None:  # the usual shape, checked without a regular expression
        whole, dot, frac = text.partition(".")
        if (dot and len(frac) == 2 and 0 < len(whole) <= 16 and whole.isascii()
                and whole.isdigit() and frac.isascii() and frac.isdigit()):
            return int(whole) * 100 + int(frac)
    return _parse_amount(text)


def _parse_amount(text: str | None) -> int:
    if text is None:
        raise Refused("format.iso.amount_empty")
    m = _AMOUNT_RE.fullmatch(text.strip(_XML_WS))
    if m is None:
        raise Refused("format.iso.not_amount", raw=repr(text))
    whole, frac = m.groups()
    if frac is None:
        return int(whole) * 100
    if len(frac) == 1:
        return int(whole) * 100 + int(frac) * 10
    return int(whole) * 100 + int(frac)


_COUNT_RE = re.compile(r"[0-9]{1,15}", re.ASCII)


def parse_count(text: str | None) -> int:
    if text is None or _COUNT_RE.fullmatch(text.strip(_XML_WS)) is None:
        raise Refused("format.iso.not_count", raw=repr(text))
    return int(text.strip(_XML_WS))


_SEQ_RE = re.compile(r"[1-9][0-9]{0,17}", re.ASCII)


def parse_seq(text: str | None) -> int:
    if text and len(text) <= 18 and text.isascii() and text.isdigit() and text[0] != "0":
        return int(text)
    if text is None or _SEQ_RE.fullmatch(text.strip(_XML_WS)) is None:
        raise Refused("format.iso.not_seq", raw=repr(text))
    return int(text.strip(_XML_WS))


_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?",
    re.ASCII,
)
_DATE_RE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII)


def format_datetime(value: datetime) -> str:
    """``value`` as ISO text; Refused (a ValueError) for one that cannot be written, a value that
    is no datetime too (Python's own words why, framed: they were the writers' text)."""
    try:
        offset = value.utcoffset()
    except (AttributeError, TypeError) as exc:
        raise Refused("format.iso.datetime_value", error=str(exc)) from None
    if offset is not None and (offset.seconds % 60 or offset.microseconds):
        raise Refused("format.layouts.offset_minutes", offset=str(offset))
    if not 1 <= value.year <= 9999:
        raise Refused("format.iso.year_unwritable", year=value.year)
    return value.isoformat()


def parse_datetime(text: str | None) -> datetime:
    t = (text or "").strip(_XML_WS)
    if _DATETIME_RE.fullmatch(t) is None:
        raise Refused("format.iso.not_datetime", raw=repr(text))
    try:
        return datetime.fromisoformat(t)
    except ValueError:
        raise Refused("format.invalid_datetime", raw=repr(text)) from None


def parse_date(text: str | None) -> date:
    m = _DATE_RE.fullmatch((text or "").strip(_XML_WS))
    if m is None:
        raise Refused("format.iso.not_date", raw=repr(text))
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        raise Refused("format.invalid_date", raw=repr(text)) from None


def chunks(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters (none for an empty text)."""
    return [text[i : i + size] for i in range(0, len(text), size)]


# --- writing -------------------------------------------------------------------------------

# What XML character data needs escaped (as lxml escapes it: & < > and CR) or cannot carry at
# all (XML 1.0's Char leaves out the C0 controls but TAB, LF and CR, the surrogates, U+FFFE and
# U+FFFF). A text without any of them is written as it is.
NEEDS_CARE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """``text`` as XML character data, escaped exactly as lxml's serializer writes it.

    Raises ValueError (lxml's own message, as the writers always said) for a text that XML
    1.0 cannot carry, and TypeError for anything but a str.
    """
    if NEEDS_CARE.search(text) is None:
        return text
    etree.Element("x").text = text  # lxml's check: ValueError for what XML 1.0 cannot carry
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


# lxml's reason (the writers' words since the start) for a text with a character XML 1.0 has not
_NOT_XML_CHARS_SAID = "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"


def xml_refusal(exc: ValueError | TypeError) -> Phrase:
    """Why :func:`escape` refused a text, in words: lxml's sentence for a character XML cannot
    carry said in Chinese too, any other reason (no text at all, a lone surrogate) as it is."""
    if str(exc) == _NOT_XML_CHARS_SAID:
        return Phrase.of("format.iso.not_xml_chars")
    return Phrase.of("format.iso.not_xml_text", error=str(exc))


XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
FLUSH_PIECES = 512  # pieces of a file a writer collects before writing them


class ByteSink:
    """Collects the pieces of a file (bytes, UTF-8) and writes them, counting the bytes."""

    __slots__ = ("_out", "pieces", "size")

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.pieces: list[bytes] = []  # appended to directly by the writers' loops
        self.size = 0

    def write(self, text: str) -> None:
        self.pieces.append(text.encode("utf-8"))

    def flush(self) -> None:
        if self.pieces:
            data = b"".join(self.pieces)
            self.pieces.clear()
            self._out.write(data)
            self.size += len(data)


# --- problems ------------------------------------------------------------------------------


class Problems(base.Problems):
    """bank_formats.base's Problems, but: problems the schema found are dropped from the final
    list when the reader found a problem at the same place in the same field itself (its message
    says more about the value); the problem that stopped reading (a file that is not well-formed
    XML, or cut short) comes first, and is kept even beyond MAX_PROBLEMS.
    """

    __slots__ = ("_schema", "_fatal")

    def __init__(self) -> None:
        super().__init__()
        self._schema: set[int] = set()  # indices of problems found by the schema
        self._fatal: set[int] = set()  # indices of problems that stopped reading

    def add(self, where: str, field: str, message: str | Phrase, *, schema: bool = False,
            fatal: bool = False) -> None:
        """As base.Problems.add; ``schema``: the schema found it, ``fatal``: it stopped reading."""
        if len(self.items) < MAX_PROBLEMS or fatal:
            if schema:
                self._schema.add(len(self.items))
            if fatal:
                self._fatal.add(len(self.items))
            self.items.append(Problem.of(where, field, message))
        else:
            self.dropped += 1

    def listed(self) -> list[Problem]:
        own = {(p.where, p.field) for i, p in enumerate(self.items) if i not in self._schema}
        kept = [i for i, p in enumerate(self.items)
                if i not in self._schema or (p.where, p.field) not in own]
        items = [self.items[i] for i in kept if i in self._fatal]
        return items + [self.items[i] for i in kept if i not in self._fatal]


def local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return str(tag)
    return tag.rpartition("}")[2]


def check_root(root: etree._Element, expected: str, problems: Problems) -> bool:
    """Whether ``root`` is the ``expected`` root element; a problem saying why not otherwise."""
    tag = root.tag
    if tag == expected:
        return True
    where = f"line {root.sourceline}" if root.sourceline else "/"
    name = local_name(tag)
    ns = tag[1 : tag.index("}")] if isinstance(tag, str) and tag.startswith("{") else ""
    exp_name = local_name(expected)
    exp_ns = expected[1 : expected.index("}")]
    if name == exp_name:
        problems.add(where, name, Phrase.of("format.iso.namespace", ns=repr(ns), expected=repr(exp_ns)))
    else:
        problems.add(where, name, Phrase.of("format.iso.root", name=repr(name), expected=repr(exp_name),
                                            ns=exp_ns))
    return False


# --- schemas -------------------------------------------------------------------------------

_schema_cache: dict[tuple[str, str], etree.XMLSchema] = {}
_schema_lock = threading.Lock()


def load_schema(schema_dir: Path, file_name: str) -> etree.XMLSchema:
    """The XML schema ``schema_dir / file_name``, parsed once per process and directory."""
    path = (Path(schema_dir) / file_name).resolve()
    key = (str(path.parent), file_name)
    with _schema_lock:
        schema = _schema_cache.get(key)
        if schema is None:
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            schema = etree.XMLSchema(etree.parse(str(path), parser))
            _schema_cache[key] = schema
        return schema


# --- streaming parse -----------------------------------------------------------------------

_SCHEMA_DOMAIN = etree.ErrorDomains.SCHEMASV
_ELEMENT_IN_MESSAGE = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")
_BYTES_MESSAGE = re.compile(r"line [0-9]+: b(['\"])(.*)\1", re.S)
_POSITION_SUFFIX = re.compile(r"(?:, line [0-9]+)?, line [0-9]+, column [0-9]+$")


class _LineFeeder:
    """Hands the parser one text line per read, so schema errors can be given a line number.

    libxml2 reports schema errors found while parsing with line 0. Fed a line at a time, the
    errors that appear in the parser's log before a read were caused by the line fed before it.
    """

    __slots__ = ("_src", "newlines", "line", "parser", "seen", "problems", "root_rejected",
                 "_own")

    def __init__(self, src: BinaryIO, problems: Problems, namespace: str) -> None:
        self._src = src
        # the expected namespace is left out of schema messages; any other one is what is wrong
        self._own = "{" + namespace + "}"
        self.newlines = 0  # newlines handed out so far
        self.line = 1  # the line the last piece handed out starts on
        self.parser = None  # the iterparse object, set once it exists
        self.seen = 0  # entries of its error log looked at
        self.problems = problems
        self.root_rejected = False  # the schema has no declaration for the root element

    def read(self, size: int = -1) -> bytes:
        self.collect()
        data = self._src.readline(65536)
        self.line = self.newlines + 1
        if data[-1:] == b"\n":
            self.newlines += 1
        return data

    def collect(self) -> None:
        if self.parser is None:
            return
        log = self.parser.error_log  # a copy: lxml does not hand out the live log
        n = len(log)
        for i in range(self.seen, n):
            entry = log[i]
            if entry.domain != _SCHEMA_DOMAIN:
                continue
            if "No matching global declaration available for the validation root" in entry.message:
                self.root_rejected = True
            m = _ELEMENT_IN_MESSAGE.match(entry.message)
            said = schema_said(entry.message.replace(self._own, ""))
            self.problems.add(f"line {self.line}", m.group(1) if m else "schema",
                              Phrase.of("format.iso.schema", message=said), schema=True)
        self.seen = n


_PROLOG_LIMIT = 65536
_XML_DECL = re.compile(rb"<\?xml\s[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_DECL_START = re.compile(rb"<\?xml[ \t\r\n]")


# --- hostile markup ------------------------------------------------------------------------
#
# An ISO 20022 message has no document type declaration, no entity and no processing
# instruction. Every byte a reader's parser is given has been looked at first by _Guarded,
# which refuses, wherever in the file they are:
#
#   <!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST, <!NOTATION and any other "<!" that starts
#   neither a comment nor a CDATA section;
#   "<?" (a processing instruction), but for the XML declaration at the very start;
#   an entity reference "&name;" other than the five XML predefines (&lt; &gt; &amp; &apos;
#   &quot;); character references (&#...;) and a bare "&" are left to the parser, which
#   refuses what is not well-formed.
#
# Inside a comment or a CDATA section these are text, and are left alone. The bytes are
# UTF-8 (check_prolog refuses any other encoding, and the EBCDIC and UTF-16/32 signatures
# libxml2 would switch on), so markup is found byte by byte. A construct split across two
# reads is held back until the bytes that tell it apart have come, so that nothing reaches the
# parser undecided. The parser never sees a DTD, so it has no entity to substitute and no
# external subset to load: libxml2 with a schema plugged in crashes (SIGSEGV) on entities a
# DTD declares, which is why this runs before any schema-validating parse.

_TEXT, _COMMENT, _CDATA = 0, 1, 2
# the "<!" constructs, longest first per kind: (how it starts, field, what it is)
_DECLARATIONS = (
    (b"<!DOCTYPE", "DOCTYPE", Phrase.of("format.iso.decl.doctype")),
    (b"<!ENTITY", "ENTITY", Phrase.of("format.iso.decl.entity")),
    (b"<!ELEMENT", "DTD", Phrase.of("format.iso.decl.element")),
    (b"<!ATTLIST", "DTD", Phrase.of("format.iso.decl.attlist")),
    (b"<!NOTATION", "DTD", Phrase.of("format.iso.decl.notation")),
)
_CONSTRUCTS = (b"<!--", b"<![CDATA[") + tuple(d[0] for d in _DECLARATIONS)
_PREDEFINED = frozenset((b"lt", b"gt", b"amp", b"apos", b"quot"))
_NAME_MAX = 256  # an entity name longer than this is left to the parser (which refuses it)
_ENTITY_NAME = re.compile(rb"[^\x00-\x20&;<>\"'#=/]{0,%d}" % _NAME_MAX)
_SUSPECT_AMP = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);|#)")
_NOISE = 64  # '!', '?' or '&' in plain text in one piece before searching the slower way


class ForbiddenMarkup(Exception):
    """What :class:`_Guarded` raises instead of handing out bytes with forbidden markup.

    ``offset``: the byte of the file where the construct starts; ``newlines``: the newlines
    between the last byte handed out and it (a stream adds the lines it was handed);
    ``message``: why, in catalogue words (the file's problem is said in the reader's language).
    """

    def __init__(self, offset: int, newlines: int, field: str, message: Phrase) -> None:
        super().__init__(str(message))
        self.offset = offset
        self.newlines = newlines
        self.field = field
        self.message = message


class _Guarded:
    """A binary source whose bytes are handed out only once checked for hostile markup.

    ``head``: the first bytes of ``src``, read already (to look at the prolog); ``start``: how
    many bytes at the start are not looked at (the "<?" of the XML declaration). ``read`` and
    ``readline`` may hand out a few bytes more or fewer than asked (a construct is never cut);
    they raise :class:`ForbiddenMarkup`, and then again on every later call.
    """

    __slots__ = ("_src", "_head", "_tail", "_state", "_offset", "_start", "_error")

    def __init__(self, src: BinaryIO, head: bytes, start: int) -> None:
        self._src = src
        self._head = head
        self._tail = b""  # looked at, held back: the next bytes tell what it starts
        self._state = _TEXT  # inside a comment or a CDATA section at the end of _tail
        self._offset = 0  # bytes handed out so far (where _tail starts in the file)
        self._start = start
        self._error: ForbiddenMarkup | None = None

    def read(self, size: int = -1) -> bytes:
        while True:
            raw = self._raw_read(size)
            data = self._checked(raw)
            if data or not raw:
                return data

    def readline(self, size: int = -1) -> bytes:
        # (a validating reader reads a line at a time: the usual line is handed out at once)
        if (not self._head and not self._tail and not self._state and self._error is None
                and self._offset >= self._start):
            raw = self._src.readline(size)
            # (33, 63, 38: "!", "?", "&"; an int is looked for without a detour)
            if not (33 in raw or 63 in raw or 38 in raw or raw[-1:] == b"<"):
                self._offset += len(raw)
                return raw
        else:
            raw = self._raw_readline(size)
        while True:
            data = self._checked(raw)
            if data or not raw:
                return data
            raw = self._raw_readline(size)

    def _raw_read(self, size: int) -> bytes:
        head = self._head
        if not head:
            return self._src.read(size)
        if size is None or size < 0 or size >= len(head):
            self._head = b""
            return head
        self._head = head[size:]
        return head[:size]

    def _raw_readline(self, size: int) -> bytes:
        head = self._head
        if not head:
            return self._src.readline(size)
        end = head.find(b"\n") + 1 or len(head)
        if size is not None and 0 <= size < end:
            end = size
        line, self._head = head[:end], head[end:]
        if line.endswith(b"\n") or (size is not None and 0 <= size <= len(line)):
            return line
        return line + self._src.readline(-1 if size is None or size < 0 else size - len(line))

    def _checked(self, raw: bytes) -> bytes:
        if self._error is not None:
            raise self._error
        if type(raw) is not bytes:
            raw = bytes(raw)  # (TypeError for text: the stream says the file cannot be read)
        if (not self._tail and self._state == _TEXT and 33 not in raw and 63 not in raw
                and 38 not in raw and raw[-1:] != b"<" and self._offset >= self._start):
            self._offset += len(raw)  # (the usual line: nothing to look at more closely)
            return raw
        data = self._tail + raw if self._tail else raw
        try:
            keep = self._scan(data, not raw)
        except ForbiddenMarkup as exc:
            self._error = exc
            self._tail = b""
            raise
        if keep == len(data):
            self._tail = b""
        else:
            self._tail = data[keep:]
            data = data[:keep]
        self._offset += keep
        return data

    def _fail(self, data: bytes, at: int, field: str, message: Phrase) -> ForbiddenMarkup:
        offset = self._offset + at
        return ForbiddenMarkup(offset, data.count(b"\n", 0, at), field,
                               Phrase.of("format.iso.at_byte", what=message, offset=offset))

    def _scan(self, data: bytes, final: bool) -> int:
        """How many bytes at the start of ``data`` may be handed out; raises ForbiddenMarkup.

        ``data`` starts where the last scan left off, in ``self._state``; ``final``: no more
        bytes follow, so nothing is held back.
        """
        n = len(data)
        pos = self._start - self._offset if self._start > self._offset else 0
        state = self._state
        find = data.find
        bang = quest = amp = -2  # the next '!', '?', '&' at or after pos; -1: none; -2: unknown
        bang_needle, quest_needle, shift = b"!", b"?", 0
        amp_search = None
        noise = 0
        while True:
            if state != _TEXT:
                closer = b"-->" if state == _COMMENT else b"]]>"
                end = find(closer, pos)
                if end < 0:
                    self._state = state
                    if final:
                        return n
                    # the last bytes may begin the closer
                    keep = n - 2 if data.endswith(closer[:2]) else (
                        n - 1 if data.endswith(closer[:1]) else n)
                    return max(keep, pos)
                pos = end + 3
                state = _TEXT
                continue
            if bang != -1 and bang < pos:
                bang = find(bang_needle, pos)
                if bang >= 0:
                    bang += shift
            if quest != -1 and quest < pos:
                quest = find(quest_needle, pos)
                if quest >= 0:
                    quest += shift
            if amp != -1 and amp < pos:
                if amp_search is None:
                    amp = find(b"&", pos)
                else:
                    m = amp_search(data, pos)
                    amp = -1 if m is None else m.start()
            i = n
            for j in (bang, quest, amp):
                if 0 <= j < i:
                    i = j
            if i == n:
                self._state = _TEXT
                if not final and data.endswith(b"<") and n - 1 >= pos:
                    return n - 1  # it may start a construct
                return n
            if i == amp:
                # an entity reference: only the predefined ones (character references and a
                # bare '&' are the parser's)
                if i + 1 == n:
                    if not final:
                        self._state = _TEXT
                        return i
                    pos = n
                    continue
                if data[i + 1] == 35:  # '#'
                    pos = i + 2
                    continue
                j = _ENTITY_NAME.match(data, i + 1).end()
                if j == n and not final and j - i - 1 < _NAME_MAX:
                    self._state = _TEXT
                    return i  # the name may go on
                if j < n and data[j] == 59 and j > i + 1:  # ';'
                    name = data[i + 1:j]
                    if name not in _PREDEFINED:
                        shown = name[:40].decode("utf-8", "replace")
                        raise self._fail(data, i, "entity", Phrase.of("format.iso.entity_ref", name=shown))
                    pos = j + 1
                else:
                    pos = i + 1
                noise += 1
                if noise == _NOISE and amp_search is None:
                    amp_search = _SUSPECT_AMP.search  # many '&amp;': skip them in C
                continue
            s = i - 1  # where the '<' would be
            if s < pos or data[s] != 60:  # '<'
                pos = i + 1
                noise += 1
                if noise == _NOISE and shift == 0:
                    # much '!' or '?' in plain text: search for "<!" and "<?" instead
                    bang_needle, quest_needle, shift = b"<!", b"<?", 1
                continue
            if i == quest:
                raise self._fail(data, s, "PI", Phrase.of("format.iso.pi"))
            if data.startswith(b"<!--", s):
                state = _COMMENT
                pos = s + 4
                continue
            if data.startswith(b"<![CDATA[", s):
                state = _CDATA
                pos = s + 9
                continue
            if not final and n - s < 10:
                rest = data[s:]
                if any(c.startswith(rest) for c in _CONSTRUCTS):
                    self._state = _TEXT
                    return s  # the next bytes tell what it is
            for start, field, what in _DECLARATIONS:
                if data.startswith(start, s):
                    raise self._fail(data, s, field, Phrase.of("format.iso.not_allowed", what=what))
            raise self._fail(data, s, "xml", Phrase.of("format.iso.bad_bang"))


def check_prolog(src: BinaryIO, problems: Problems) -> _Guarded | None:
    """``src`` ready to be parsed, guarded (see :class:`_Guarded`), or None (and a problem)
    when it is not UTF-8.

    ISO 20022 messages are UTF-8: refusing other encodings (declared, by a byte order mark,
    or by the signatures libxml2 switches encoding on) keeps the byte checks of the guard true.
    """
    head = b""
    while len(head) < _PROLOG_LIMIT:
        chunk = src.read(_PROLOG_LIMIT - len(head))
        if not chunk:
            break
        head += chunk
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    text = head[bom:] if bom else head
    if (text[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in text[:4]
            or text[:4] == b"\x4c\x6f\xa7\x94"):  # UTF-16/32 or EBCDIC
        problems.add("line 1", "encoding", Phrase.of("format.iso.not_utf8"), fatal=True)
        return None
    start = 0
    if _DECL_START.match(text):
        end = text.find(b"?>")
        if end < 0:
            problems.add("line 1", "xml", Phrase.of("format.iso.long_declaration", limit=_PROLOG_LIMIT),
                         fatal=True)
            return None
        m = _XML_DECL.match(text, 0, end)
        if m is not None:
            encoding = m.group(1).decode("ascii", "replace")
            if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
                problems.add("line 1", "encoding", Phrase.of("format.iso.declared_encoding", encoding=repr(encoding)),
                             fatal=True)
                return None
        start = bom + 2  # the declaration's "<?" is no processing instruction
    return _Guarded(src, head, start)


def _opened(src: BinaryIO, problems: Problems) -> _Guarded | None:
    """The source past a checked prolog, or None (with the problem noted) when it cannot be read.
    A failing read (a dropped connection, a full disk) is raised: it is not a format problem."""
    try:
        return check_prolog(src, problems)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. the source is not a binary file
        problems.add("file", "file", Phrase.of("format.cannot_read", error=f"{type(exc).__name__}: {exc}"), fatal=True)
        return None


def forbidden(problems: Problems, exc: ForbiddenMarkup, line: int | None) -> None:
    """The problem of a file with forbidden markup, at ``line`` (None: not known)."""
    problems.add(f"line {line}" if line else f"byte {exc.offset}", exc.field, exc.message,
                 fatal=True)


# --- where the elements a reader takes stand ----------------------------------------------


class Places:
    """Where each element a reader takes must stand: its tags from the root down.

    ``paths`` maps a tag to its path, e.g. TxInfAndSts to (Document, CstmrPmtStsRpt,
    OrgnlPmtInfAndSts, TxInfAndSts), all in the message's namespace; the root's path is the
    root tag alone. An element of one of these tags found anywhere else is not the message's:
    inside SplmtryData (supplementary data, whose Envlp may hold anything, the schema checks
    it only laxly) it is left alone without a word; anywhere else it is a problem (the schema,
    when there is one, says so too), and it is not read either. Under a root that is not the
    expected one every element is handed on, so the reader reports the root.
    """

    __slots__ = ("_paths", "_root", "_splmtry", "_problems", "_parents")

    def __init__(self, paths: dict[str, tuple[str, ...]], problems: Problems) -> None:
        self._paths = {tag: tuple(reversed(path)) for tag, path in paths.items()}
        root = next(iter(paths.values()))[0]
        self._root = root
        # (a message without a namespace has plain tags: the tolerant readers read those too)
        self._splmtry = (root[: root.index("}") + 1] if root.startswith("{") else "") + "SplmtryData"
        self._problems = problems
        # per tag, the parent of the last element found at its place: a sibling of it is
        # placed too (the tree only grows while it is read; nothing is ever moved)
        self._parents: dict[str, etree._Element] = {}

    def placed(self, el: etree._Element) -> bool:
        """Whether ``el`` stands where its tag belongs (the reader takes it)."""
        tag = el.tag
        parent = el.getparent()
        if parent is not None and self._parents.get(tag) is parent:
            return True
        upward = self._paths.get(tag)
        if upward is None:
            return True
        e = el
        for t in upward:
            if e is None or e.tag != t:
                return self._elsewhere(el, upward)
            e = e.getparent()
        if e is not None:
            return self._elsewhere(el, upward)
        if parent is not None:
            self._parents[tag] = parent
        return True

    def _elsewhere(self, el: etree._Element, upward: tuple[str, ...]) -> bool:
        names: list[str] = []
        supplementary = False
        e = root = el
        while e is not None:
            tag = e.tag
            if tag == self._splmtry:
                supplementary = True
            names.append(local_name(tag))
            root = e
            e = e.getparent()
        if root.tag != self._root:
            return True
        if not supplementary:
            name = local_name(el.tag)
            self._problems.add(
                f"line {el.sourceline}" if el.sourceline else "/".join(reversed(names)), name,
                Phrase.of("format.iso.misplaced", name=name, at="/" + "/".join(reversed(names)),
                          expected="/" + "/".join(local_name(t) for t in reversed(upward))))
        el.clear(keep_tail=True)  # (not the message's: nothing of it is kept)
        return False


class _DocumentType(Exception):
    """The parser reports a DTD (which the guard does not let through)."""


def _no_dtd(el: etree._Element) -> bool:
    """Whether the document ``el`` is in has no DTD (the guard lets none through: this is the
    parser's own word on it, checked once)."""
    info = el.getroottree().docinfo
    return info.internalDTD is None and not info.doctype


class EventStream:
    """The ``end`` events of one file, with everything that can go wrong turned into problems.

    Iterating yields the elements whose tag is a key of ``paths`` (all in the message's
    namespace, the root element first) as they end, those that stand where ``paths`` says
    (see :class:`Places`); when the parser cannot
    go on the iteration just stops and the reason is in ``problems`` (``broken`` is then set).
    With a schema the file is validated while it is parsed and every schema error becomes a
    problem with the line it was found on; reading stops after MAX_PROBLEMS of them because
    lxml keeps every error in memory. An OSError of the source is not a problem of the file:
    it propagates, so that a caller can tell a dropped connection from a bad file.
    """

    def __init__(
        self,
        src: BinaryIO,
        paths: dict[str, tuple[str, ...]],
        schema: etree.XMLSchema | None,
        problems: Problems,
    ) -> None:
        self.problems = problems
        self.broken = False  # the parser stopped before the end of the file
        self.fast = None  # what FastStream takes without the parser; this one never does
        self._it = None
        self._feeder = None
        self._places = Places(paths, problems)
        tags = tuple(paths)
        src = _opened(src, problems)
        if src is None:
            self.broken = True
            return
        namespace = tags[0][1 : tags[0].index("}")]
        self._feeder = _LineFeeder(src, problems, namespace) if schema is not None else None
        source = self._feeder if self._feeder is not None else src
        kwargs = dict(
            events=("end",),
            tag=tags,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
        )
        if schema is not None:
            # The guard lets no DTD and no entity reference but the predefined ones through,
            # so the parser has no entity to substitute and none to load. resolve_entities is
            # left at its default ("internal": never an external one) all the same: lxml 6.1
            # with resolve_entities=False and a schema reports no error for a file that ends
            # too early and "no element found (line 0)" for a mismatched tag.
            kwargs["schema"] = schema
        else:
            kwargs["resolve_entities"] = False
        try:
            self._it = etree.iterparse(source, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure is a problem of the file
            self._it = None
            self.broken = True
            problems.add("line 1", "file", Phrase.of("format.iso.cannot_parse", error=str(exc)))
        if self._feeder is not None:
            self._feeder.parser = self._it

    def defer(self) -> None:
        """(Only FastStream yields lines a reader may hand back.)"""

    def check_complete(self, complete: bool) -> None:
        """Called by a reader at the end with whether it saw its root element end.

        With a schema plugged in, lxml reports only the first error: a schema error caused by
        the last, cut-off element hides the parser's "premature end of data". A file whose root
        did not end is cut short, unless the schema refused the root element itself.
        """
        if complete or self.broken:
            return
        feeder = self._feeder
        if feeder is not None:
            if not feeder.root_rejected:
                self.broken = True
                self.problems.add(f"line {feeder.line}", "xml", Phrase.of("format.iso.root_not_ended"), fatal=True)
        elif not self.problems:
            self.broken = True
            self.problems.add("/Document", "Document",
                              Phrase.of("format.iso.cut_short"), fatal=True)

    @property
    def root(self) -> etree._Element | None:
        try:
            return None if self._it is None else self._it.root
        except Exception:  # noqa: BLE001
            return None

    def __iter__(self) -> Iterator[etree._Element]:
        it = self._it
        if it is None:
            return
        feeder = self._feeder
        problems = self.problems
        placed = self._places.placed
        first = True
        while True:
            try:
                _, el = next(it)
            except StopIteration:
                self._finish(None)
                return
            except etree.XMLSyntaxError as exc:
                self._finish(exc)
                return
            except ForbiddenMarkup as exc:
                self._finish(None)
                self.broken = True
                forbidden(problems, exc,
                          None if feeder is None else feeder.newlines + 1 + exc.newlines)
                return
            except OSError:
                raise  # reading failed: not a format problem, the caller may try again
            except Exception as exc:  # noqa: BLE001 - e.g. the source returned text
                self._finish(None)
                self.broken = True
                problems.add("file", "file", Phrase.of("format.cannot_read", error=f"{type(exc).__name__}: {exc}"),
                             fatal=True)
                return
            if first:
                first = False
                if not _no_dtd(el):
                    self.broken = True
                    problems.add("line 1", "DOCTYPE", Phrase.of("format.iso.doctype"), fatal=True)
                    return
            if placed(el):
                yield el
            if feeder is not None and len(problems) >= MAX_PROBLEMS:
                self.broken = True
                problems.add("file", "file", Phrase.of("format.iso.stopped", limit=MAX_PROBLEMS))
                return

    def _finish(self, exc: etree.XMLSyntaxError | None) -> None:
        if self._feeder is not None:
            self._feeder.collect()
        if exc is None:
            return
        try:
            log = list(self._it.error_log)
        except Exception:  # noqa: BLE001
            log = []
        syntax = [e for e in log if e.domain != _SCHEMA_DOMAIN and e.level >= 2]
        schema_messages = {e.message for e in log if e.domain == _SCHEMA_DOMAIN}
        if not syntax and (exc.lineno or 0) == 0 and exc.msg in schema_messages:
            # At the end of a well-formed file that is not schema-valid lxml raises the first
            # schema error again; the schema errors are collected already.
            return
        self.broken = True
        if syntax:
            line, message = syntax[0].line, syntax[0].message
        else:
            line, message = exc.lineno or 0, exc.msg or str(exc)
            m = _BYTES_MESSAGE.fullmatch(message)  # how lxml words it when validating
            if m:
                message = m.group(2)
            message = _POSITION_SUFFIX.sub("", message)
        self.problems.add(f"line {max(line, 1)}", "xml", Phrase.of("format.iso.not_xml", error=message),
                          fatal=True)


# --- reading without a schema: the writer's own lines without the parser --------------------

CHUNK = 1 << 20  # bytes read at a time
# Lines taken by a regular expression are fed to the parser as bare newlines (so that it counts
# lines right), which it gathers into one text node; one line in this many is parsed instead,
# which keeps that text node small (libxml2 refuses a text node of 10 MB).
PARSE_ONE_IN = 1 << 14
_MAX_LINE = 4 * CHUNK  # a longer line is fed in pieces (no regular expression takes it)
_NOT_XML_CHARS = re.compile(b"\xef\xbf[\xbe\xbf]")  # U+FFFE, U+FFFF: valid UTF-8, not XML


class FastStream:
    """The events of one file read without a schema; lines as the writer writes them are
    handed over as matches of a regular expression and never reach the XML parser.

    Iterating yields elements, as :class:`EventStream` does, and ``re.Match`` objects of
    ``fast`` (a bytes pattern the reader sets once it knows the header; it must match one
    whole line, newline included, of one element of ``line_tag`` whose texts cannot hold markup,
    entity references or characters XML cannot carry). The reader takes the values from the
    match; when it cannot (a text that is not UTF-8, a value it does not accept), it calls
    :meth:`defer` before asking for the next item, and the line is parsed after all: the element
    comes next, and the reader's usual path says what is wrong.

    Why a line can be taken without the parser: the pattern accepts only a balanced element
    with plain texts, so it is well-formed and leaves the parser where it was; and a line is
    taken only while the parser is known to be in the content of the ``line_tag`` elements'
    parent, where ``paths`` says it stands, between two elements: after the parser reported
    a ``line_tag`` element at its place (see :class:`Places`), that starts on the line just
    fed, which the pattern matched, and as long as every line since matched too. (A look-alike
    elsewhere, say in SplmtryData, is parsed, and left out as EventStream leaves it out.)
    Anything else (other lines, another layout, a comment) goes to the parser as it is, so
    that the file is still checked as XML from end to end; the parser is fed a newline for
    each line taken, and its line numbers stay those of the file.
    """

    def __init__(self, src: BinaryIO, paths: dict[str, tuple[str, ...]], problems: Problems,
                 line_tag: str, line_start: bytes) -> None:
        self.problems = problems
        self.broken = False  # the parser stopped before the end of the file
        self.fast: re.Pattern[bytes] | None = None
        self.arm = True  # False: every line goes to the parser (see FAST_LINES)
        self._deferred = False
        self.line = 0  # the line of the last match yielded
        self._root: etree._Element | None = None
        self._line_tag = line_tag
        self._line_start = line_start  # how a candidate line starts, e.g. b"<CdtTrfTxInf>"
        self._places = Places(paths, problems)
        self._tx_line = 0  # where the last line_tag element reported starts
        self._tx_placed = False  # and whether it stands at its place
        self._first = True  # no element reported yet
        self._src = None
        self._parser = None
        src = _opened(src, problems)
        if src is None:
            self.broken = True
            return
        self._src = src
        # (no DTD and no entity reference but the predefined ones get past the guard: the
        # parser has nothing to substitute or load, and is told not to all the same)
        self._parser = etree.XMLPullParser(events=("end",), tag=tuple(paths), no_network=True,
                                           load_dtd=False, resolve_entities=False,
                                           remove_comments=True, remove_pis=True)

    def defer(self) -> None:
        """The reader could not take the match it was just given: parse the line instead."""
        self._deferred = True

    @property
    def root(self) -> etree._Element | None:
        return self._root

    def check_complete(self, complete: bool) -> None:
        """As :meth:`EventStream.check_complete` (the parser reports a file cut short)."""
        if not complete and not self.broken and not self.problems:
            self.broken = True
            self.problems.add("/Document", "Document",
                              Phrase.of("format.iso.cut_short"), fatal=True)

    def __iter__(self) -> Iterator[etree._Element | re.Match[bytes]]:
        if self._parser is None:
            return iter(())
        return self._read()

    def _fail(self, exc: etree.XMLSyntaxError) -> None:
        self.broken = True
        message = _POSITION_SUFFIX.sub("", exc.msg or str(exc))
        self.problems.add(f"line {max(exc.lineno or 0, 1)}", "xml", Phrase.of("format.iso.not_xml", error=message),
                          fatal=True)

    def _drain(self) -> Iterator[etree._Element]:
        line_tag = self._line_tag
        placed = self._places.placed
        for _, el in self._parser.read_events():
            if self._first:
                self._first = False
                if not _no_dtd(el):  # (the guard lets none through)
                    raise _DocumentType
            if el.tag == line_tag:
                self._tx_line = el.sourceline
                self._tx_placed = ok = placed(el)
                if ok:
                    yield el
            elif placed(el):
                yield el

    def _read(self) -> Iterator[etree._Element | re.Match[bytes]]:
        read = self._src.read
        feed = self._parser.feed
        drain = self._drain
        start = self._line_start
        after_newline = b"\n" + start
        line = 1  # the line of the file that data[0] is on
        pending = 0  # newlines standing for the lines taken, not fed yet
        armed = False  # the next line may be taken without the parser
        midline = False  # data[0] is not the start of a line
        rest = b""
        eof = False
        match = None  # self.fast.match, once armed
        parse_one_in = PARSE_ONE_IN
        try:
            while not eof:
                chunk = read(CHUNK)
                if not chunk:
                    eof = True
                    data = rest
                    cut = len(data)
                else:
                    data = rest + chunk if rest else chunk
                    cut = data.rfind(b"\n") + 1
                    if cut == 0:
                        if len(data) < _MAX_LINE:
                            rest = data
                            continue
                        cut = len(data)  # a very long line: fed in pieces
                rest = data[cut:]
                clean = b"\xef" not in data or _NOT_XML_CHARS.search(data) is None
                armed = armed and clean
                pos = 0
                if midline:
                    end = data.find(b"\n", 0, cut) + 1 or cut
                    feed(b"\n" * pending + data[:end])
                    pending = 0
                    line += data.count(b"\n", 0, end)
                    pos = end
                    yield from drain()
                while pos < cut:
                    if armed:
                        m = match(data, pos, cut)
                        if m is not None:
                            end = m.end()
                            if pending < parse_one_in:
                                self._deferred = False
                                self.line = line  # (the line of the match, for the reader)
                                yield m
                                if not self._deferred:
                                    pending += 1
                                    line += 1
                                    pos = end
                                    continue
                            # parsed after all: the element comes next, then taking goes on
                            feed(b"\n" * pending + data[pos:end])
                            pending = 0
                            yield from drain()
                            # taking goes on with the reader's pattern of now: a tolerant
                            # reader puts its usual layout first as it learns which that is
                            # (LineShapes); the first pattern armed tried a one-off record's
                            # layout before it on every line, twice the cost of a match
                            fast = self.fast
                            armed = fast is not None and self._tx_line == line and self._tx_placed
                            if armed:
                                match = fast.match
                            line += 1
                            pos = end
                            continue
                        armed = False
                    # the parser takes everything up to the next candidate: a line that starts
                    # like one, and once the pattern is known, that it takes (parsed alone, it
                    # may show that the lines after it can be taken)
                    if pos == 0 and data.startswith(start):
                        q = 0
                    else:
                        q = data.find(after_newline, pos - 1 if pos else 0, cut)
                        q = cut if q < 0 else q + 1
                    fast = self.fast
                    if fast is not None and clean and self.arm:
                        while q < cut and fast.match(data, q, cut) is None:
                            q = data.find(after_newline, q, cut)
                            q = cut if q < 0 else q + 1
                    if q > pos:
                        feed(b"\n" * pending + data[pos:q])
                        pending = 0
                        line += data.count(b"\n", pos, q)
                        pos = q
                        yield from drain()
                        if pos >= cut:
                            break
                    # a candidate: parsed; if the pattern takes it, the next lines may be taken
                    end = data.find(b"\n", pos, cut) + 1 or cut
                    feed(b"\n" * pending + data[pos:end])
                    pending = 0
                    yield from drain()
                    fast = self.fast
                    if (fast is not None and clean and self.arm and self._tx_line == line
                            and self._tx_placed):
                        match = fast.match  # (the reader sets it once, with the header)
                        m = match(data, pos, cut)
                        armed = m is not None and m.end() == end
                    if data[end - 1:end] == b"\n":
                        line += 1
                    pos = end
                # a very long line is fed in pieces: the next data goes on with it
                midline = not eof and cut > 0 and data[cut - 1:cut] != b"\n"
                armed = armed and not midline
            if pending:
                feed(b"\n" * pending)
            self._root = self._parser.close()
            yield from drain()
        except etree.XMLSyntaxError as exc:
            yield from drain()  # what was parsed before the error
            self._fail(exc)
        except ForbiddenMarkup as exc:
            # (``rest``, what came after the last newline handed out, holds none)
            self.broken = True
            forbidden(self.problems, exc, line + exc.newlines)
        except _DocumentType:
            self.broken = True
            self.problems.add("line 1", "DOCTYPE", Phrase.of("format.iso.doctype"), fatal=True)
        except OSError:
            raise  # reading failed: not a format problem, the caller may try again
        except Exception as exc:  # noqa: BLE001 - e.g. the source returned text
            self.broken = True
            self.problems.add("file", "file", Phrase.of("format.cannot_read", error=f"{type(exc).__name__}: {exc}"),
                              fatal=True)


# what the fast patterns take as a text: no markup, no reference, nothing XML cannot carry
# (the bytes of other characters are checked by decoding them, U+FFFE/U+FFFF above)
PLAIN = rb"[^<>&\x00-\x1f]+"
_PLAIN_TEXT = re.compile("[^<>&\x00-\x1f\ud800-\udfff\ufffe\uffff]+")


def literal(text: str | None) -> bytes | None:
    """``text`` as a fast pattern's literal (as it stands in a line), or None when a line
    holding it is not one a fast pattern takes."""
    if text is None or _PLAIN_TEXT.fullmatch(text) is None:
        return None
    return re.escape(text.encode("utf-8"))


# (``maker``, which the readers here use too, lives in bank_formats.maker.)


# Whether readers without a schema take the writer's own lines without the parser (FastStream).
# Off, every line is parsed: as slow as reading with a schema, and the same records and
# problems (the tests compare the two).
FAST_LINES = True


def open_stream(src: BinaryIO, paths: dict[str, tuple[str, ...]],
                schema: etree.XMLSchema | None, problems: Problems, line_tag: str,
                line_start: bytes) -> EventStream | FastStream:
    """A validating EventStream with a schema, a FastStream without; ``paths``: the elements
    the reader takes, each with its path from the root (the root's first), see Places."""
    if schema is not None:
        return EventStream(src, paths, schema, problems)
    stream = FastStream(src, paths, problems, line_tag, line_start)
    if not FAST_LINES:
        stream.arm = False
    return stream
