"""What the tolerant ISO 20022 readers share: which message a file is, its bytes as declared,
loose amounts and dates, and the events of its records whatever the namespace.

The strict readers (pain002.py, camt053.py) read the files this project's writers write, fast.
The banks' own files differ from those in ways the standard allows: another version (pain.002
v11, camt.053 v04/v10), a national variant (SIX ``pain.002.001.03.ch.02``, whose namespace is
not ISO's), no namespace at all, ISO-8859-1, optional elements left out, amounts with more
decimals than two (``18.150``), date-times where a date is expected, an encoding other than
UTF-8 declared (ISO-8859-1, GBK, ...: transcoded before anything else looks at the bytes). The readers built on this
module take elements by their local names along their paths from the root, so every version of
a message that keeps those names is read alike; the names used are the same in every version
from 2009 to 2023 (where a version moved something, the readers say so where they look).

The hostile-file guard of ``_common`` still sees every byte (no DTD, no entity, no processing
instruction, UTF-8 only once transcoded), and records are taken only at their paths from the
root (``_common.Places``).
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from lxml import etree

from bank_formats.base import FileKind, Refused
from bank_formats.iso20022._common import MAX_FEN

HEAD_BYTES = 65536  # what is looked at before reading: the prolog and the root's first child

# The message each root child names, and what the family's files of it are for.
BODIES: dict[str, tuple[str, FileKind]] = {
    "CstmrCdtTrfInitn": ("pain.001", "payments"),
    "CstmrPmtStsRpt": ("pain.002", "results"),
    "BkToCstmrAcctRpt": ("camt.052", "statement"),
    "BkToCstmrStmt": ("camt.053", "statement"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "statement"),
}
# The versions read (ISO's numbering, "001.NN"): those banks send today and the ones between.
VERSIONS: dict[str, range] = {
    "pain.001": range(3, 13),
    "pain.002": range(3, 15),
    "camt.052": range(2, 14),
    "camt.053": range(2, 14),
    "camt.054": range(2, 14),
}
_NAME_IN_NS = re.compile(r"(pain|camt)\.([0-9]{3})\.001\.([0-9]{2})")


@dataclass(frozen=True, slots=True)
class Message:
    """Which ISO 20022 message a file holds, as its root says."""

    name: str  # e.g. "pain.002"
    version: int | None  # e.g. 3; None when the namespace does not say (no namespace)
    namespace: str  # the root's namespace, "" for none
    body: str  # the root's child, e.g. "CstmrPmtStsRpt"
    kind: FileKind

    @property
    def label(self) -> str:
        """For people: ``pain.002.001.03`` (or the namespace's own words for a variant)."""
        m = _NAME_IN_NS.search(self.namespace)
        if m is None:
            return f"{self.name} (no namespace)" if not self.namespace else self.namespace
        rest = self.namespace[m.end():]
        variant = re.match(r"(\.[a-z]{2}\.[0-9]{2})", rest)
        return m.group(0) + (variant.group(1) if variant else "")

    def tag(self, local: str) -> str:
        return f"{{{self.namespace}}}{local}" if self.namespace else local


def identify(head: bytes) -> Message | None:
    """The message ``head`` (a file's first bytes) starts, or None: not XML so far, not an ISO
    20022 ``Document``, or a body and namespace that disagree or a version not read. Never raises.

    The body (the root's first child) says which message it is; the namespace, when there is
    one, must name the same message (ISO's ``urn:iso:std:iso:20022:tech:xsd:pain.002.001.10``
    or a national variant's, such as SIX's ``http://www.six-interbank-clearing.com/de/
    pain.002.001.03.ch.02.xsd``).
    """
    try:
        parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True,
                                     load_dtd=False, huge_tree=False)
        parser.feed(head[:HEAD_BYTES])
        root = None
        for _, el in parser.read_events():
            q = etree.QName(el)
            if root is None:
                if q.localname != "Document":
                    return None
                root = q
                continue
            return _message(root.namespace or "", q)
    except Exception:  # noqa: BLE001 - garbage in, None out
        return None
    return None


def _message(namespace: str, body: etree.QName) -> Message | None:
    if (body.namespace or "") != namespace or body.localname not in BODIES:
        return None
    name, kind = BODIES[body.localname]
    version = None
    if namespace:
        m = _NAME_IN_NS.search(namespace)
        if m is None or f"{m.group(1)}.{m.group(2)}" != name:
            return None
        version = int(m.group(3))
        if version not in VERSIONS[name]:
            return None
    return Message(name, version, namespace, body.localname, kind)


# --- bytes as declared ---------------------------------------------------------------------

_DECL = re.compile(rb"^(\xef\xbb\xbf)?<\?xml\s[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_PROBE = "<?xml version='1.0' encoding='x'?><Document xmlns=\"urn:x\"/>&#13;"


def _transcodable(declared: str) -> str | None:
    """The Python codec of a declared encoding other than UTF-8 that is read by transcoding
    it to UTF-8 before the guard (ISO-8859-1, windows-1252, GBK, GB18030, ...): one Python
    knows that writes ASCII as ASCII, so the declaration could be read as bytes. None for UTF-8
    itself and for what is not such a codec (the guard then refuses it, naming it)."""
    try:
        codec = codecs.lookup(declared).name
    except (LookupError, ValueError):
        return None
    if codec in ("utf-8", "utf-8-sig"):
        return None
    try:
        if _PROBE.encode(codec) != _PROBE.encode("ascii"):
            return None
    except (UnicodeError, LookupError):
        return None
    return codec


class Prefixed:
    """``head`` then the rest of ``src``: a source whose first bytes were looked at already."""

    __slots__ = ("_head", "_src")

    def __init__(self, head: bytes, src: BinaryIO) -> None:
        self._head = head
        self._src = src

    def read(self, size: int = -1) -> bytes:
        head = self._head
        if not head:
            return self._src.read(size)
        if size is None or size < 0:
            self._head = b""
            return head + self._src.read()
        self._head = head[size:]
        return head[:size]

    def readline(self, size: int = -1) -> bytes:
        head = self._head
        if not head:
            return self._src.readline(size)
        end = head.find(b"\n") + 1 or len(head)
        if size is not None and 0 <= size < end:
            end = size
        line, self._head = head[:end], head[end:]
        if line.endswith(b"\n") or self._head or (size is not None and 0 <= size <= len(line)):
            return line
        return line + self._src.readline(-1 if size is None or size < 0 else size - len(line))


class Transcoded:
    """A source declared in another encoding than UTF-8, handed out as UTF-8 with its declaration
    saying so (the guard and the parser then see what they always see). A byte the declared
    encoding does not have raises UnicodeDecodeError, which the readers report as the file's
    problem."""

    __slots__ = ("_src", "_decoder", "_first", "_declared")

    def __init__(self, src: BinaryIO, codec: str, declared: bytes) -> None:
        self._src = src
        self._decoder = codecs.getincrementaldecoder(codec)("strict")
        self._first = True
        self._declared = declared

    def read(self, size: int = -1) -> bytes:
        if self._first and size is not None and 0 <= size < HEAD_BYTES:
            size = HEAD_BYTES  # the declaration whole, to say UTF-8 in it
        raw = self._src.read(size)
        text = self._decoder.decode(raw, final=not raw)
        data = text.encode("utf-8")
        if self._first:
            self._first = False
            data = _declared_utf8(data, self._declared)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(65536)


def _declared_utf8(data: bytes, declared: bytes) -> bytes:
    """``data`` (the start of a transcoded file) with its declaration saying UTF-8."""
    data = data.replace(b'encoding="' + declared + b'"', b'encoding="UTF-8"', 1)
    return data.replace(b"encoding='" + declared + b"'", b"encoding='UTF-8'", 1)


def opened(src: BinaryIO) -> tuple[BinaryIO, bytes, Message | None]:
    """``src`` ready for the guard (transcoded to UTF-8 when declared in another encoding
    that writes ASCII as ASCII: ISO-8859-1, windows-1252, GBK, GB18030, ...), its first bytes
    (as handed out) and the message its head names (None: the guard and the reader say what is wrong).
    Other encodings are left to the guard, which refuses them."""
    head = b""
    while len(head) < HEAD_BYTES:
        chunk = src.read(HEAD_BYTES - len(head))
        if not chunk:
            break
        if not isinstance(chunk, bytes):
            return Prefixed(head, src), b"", None
        head += chunk
    source: BinaryIO = Prefixed(head, src)
    m = _DECL.match(head)
    if m is not None:
        declared = m.group(2)
        codec = _transcodable(declared.decode("ascii", "replace"))
        if codec is not None and m.group(1) is None:
            source = Transcoded(source, codec, declared)
            head = _declared_utf8(head.decode(codec, "replace").encode("utf-8"), declared)
    return source, head, identify(head)


# --- values --------------------------------------------------------------------------------

_XML_WS = " \t\r\n"
_AMOUNT = re.compile(r"([0-9]{1,18})(?:\.([0-9]{0,18}))?", re.ASCII)


def amount_fen(text: str | None) -> int:
    """An ISO amount (DecimalNumber: up to 5 decimals in ActiveCurrencyAndAmount, more in
    some banks' files) as fen, when it is a whole number of fen: ``"18.150"`` is 1815,
    ``"18.155"`` is refused (a ValueError saying so), as is a sign, an exponent or nothing."""
    if text and text.isascii():  # (the usual "179.19" without the regular expression)
        whole, dot, frac = text.partition(".")
        if len(frac) == 2 and 0 < len(whole) <= 18 and whole.isdigit() and frac.isdigit():
            fen = int(whole) * 100 + int(frac)
            if fen <= MAX_FEN:
                return fen
    m = _AMOUNT.fullmatch((text or "").strip(_XML_WS))
    if m is None:
        raise Refused("format.iso.not_loose_amount", raw=repr(text))
    whole, frac = m.group(1), m.group(2) or ""
    if frac[2:].strip("0"):
        raise Refused("format.iso.not_whole_fen", raw=repr(text))
    fen = int(whole) * 100 + int(frac[:2].ljust(2, "0"))
    if fen > MAX_FEN:
        raise Refused("format.iso.amount_too_large", raw=repr(text))
    return fen


_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII)
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]+))?"
                       r"(Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII)


def loose_datetime(text: str | None) -> datetime:
    """An ISODateTime (any number of second decimals; kept to microseconds) or an ISODate
    (midnight)."""
    t = (text or "").strip(_XML_WS)
    m = _DATETIME.fullmatch(t)
    try:
        if m is not None:
            frac = (m.group(2) or "")[:6]
            zone = m.group(3) or ""
            return datetime.fromisoformat(m.group(1) + (f".{frac.ljust(6, '0')}" if frac else "")
                                          + ("+00:00" if zone == "Z" else zone))
        d = _DATE.fullmatch(t)
        if d is not None:
            return datetime.fromisoformat(d.group(1))
    except ValueError:
        raise Refused("format.invalid_datetime", raw=repr(text)) from None
    raise Refused("format.iso.not_date_or_datetime", raw=repr(text))


def loose_date(text: str | None) -> date:
    """An ISODate, or the date of an ISODateTime (banks write one where the other is due)."""
    return loose_datetime(text).date()


def first(el: etree._Element, tag: str) -> etree._Element | None:
    """The first child of ``el`` with ``tag``, or None (lxml's ``find`` parses a path each
    call: 20 us where this takes 1)."""
    for c in el.iterchildren(tag):
        return c
    return None


def where(el: etree._Element | None, fallback: str) -> str:
    line = None if el is None else el.sourceline
    return f"line {line}" if line else fallback


# --- records one a line, read without the parser ---------------------------------------------
#
# A bank's file (like our writers') often holds one record a line, every record laid out the
# same few ways. ``LineShapes`` learns the layout of a record the parser read (one that stood
# alone on its line) and makes a ``_common.FastStream`` pattern of it: the record's elements
# and attributes as they were, each text and attribute value a group of plain text (no markup,
# no reference, nothing XML cannot carry). A line the pattern takes is well-formed and has the
# very elements of the record learned, so a reader takes each value from its group, by the
# value's path in the record (see ``Shape``); a line it does not take, or whose values the
# reader does not accept at once, is parsed as usual (the reader's own path says what is
# wrong). Learned: at most ``LIMIT`` layouts a file, from records that end on their first line.

# (possessive: what follows a value, "<" or '"', is none of its characters, so giving some
# back never helps a match; a failed one stops at once)
_TEXT_GROUP = rb"([^<>&\x00-\x1f]*+)"
_ATTR_GROUP = rb'="([^"<>&\x00-\x1f]*+)"'


class Shape:
    """One layout of a record: its texts and attribute values, in the order of the groups.

    Paths are the local names from the record down, joined by "/", the second and later
    siblings of one name numbered (``NtryDtls/TxDtls[1]/Amt``), an attribute after "@"
    (``Amt@Ccy``); ``slots`` maps the path of each text (of an element without children) and
    attribute value to its group (1-based within the shape), ``children`` each element's path
    to the paths of its children in order ("" is the record). ``plan`` is the reader's, made
    once (None: not made yet; False: the reader does not take this layout without the parser).
    """

    __slots__ = ("slots", "children", "size", "plan")

    def __init__(self, slots: dict[str, int], children: dict[str, list[str]], size: int) -> None:
        self.slots = slots
        self.children = children
        self.size = size
        self.plan = None

    def has(self, path: str) -> bool:
        return path in self.children

    def kids(self, path: str, name: str) -> list[str]:
        """The paths of the children named ``name`` of the element at ``path``, in order."""
        return [c for c in self.children.get(path, ()) if _last_name(c) == name]


def _last_name(path: str) -> str:
    name = path.rpartition("/")[2]
    return name.partition("[")[0]


class LineShapes:
    """The layouts learned of one file's records and the pattern that takes them (set as the
    ``fast`` pattern of ``stream``, a ``_common.FastStream``); see above. The layouts are tried
    in the order of their use so far (put in that order again every ``REORDER`` lines taken):
    a line is compared with the usual layout first."""

    LIMIT = 8  # layouts a file
    LOOKS = 256  # records looked at to learn from, a file (one costs about as much as 3 parsed)
    REORDER = 4096

    def __init__(self, record_tag: str, stream) -> None:
        self._tag = record_tag
        self._ns = record_tag[1: record_tag.index("}")] if record_tag.startswith("{") else None
        self._stream = stream
        self._known: set[bytes] = set()
        self._shapes: list[tuple[bytes, Shape, list[int]]] = []  # in the pattern's order, [lines taken]
        # per pattern made (a stream goes on with the last one until it parses a line): the
        # group around each layout -> (its plan, the groups of the values the plan reads)
        self._groups: dict[re.Pattern[bytes], dict[int, tuple]] = {}
        self._taken = 0
        self._looks = 0
        self._pattern: re.Pattern[bytes] | None = None  # the pattern of the last line taken
        self._current: dict[int, tuple] = {}  # and its groups
        self.trimmed = False  # the values of the last line taken have no white space around them

    def learn(self, el: etree._Element, planner) -> None:
        """Learn the layout of ``el`` (a record just parsed, not cleared yet) when it stood alone
        on its line and ``planner(shape)`` makes a plan of it (with ``groups``, a Planner's)."""
        if len(self._shapes) >= self.LIMIT or self._looks >= self.LOOKS or el.tag != self._tag:
            return
        line = el.sourceline
        last = el
        while len(last):
            last = last[-1]
        if not line or last.sourceline != line:
            return  # (laid out over several lines: no pattern takes it)
        self._looks += 1
        slots: dict[str, int] = {}
        children: dict[str, list[str]] = {}
        try:
            piece = self._piece(el, el.prefix, "", slots, children)
        except _NotTaken:
            return
        if piece in self._known:
            return
        self._known.add(piece)
        shape = Shape(slots, children, len(slots))
        plan = planner(shape)
        if not plan:
            return
        shape.plan = plan
        self._shapes.append((piece, shape, [0]))
        self._compile()

    def _compile(self) -> None:
        groups: dict[int, tuple] = {}
        group = 0
        for _, shape, uses in self._shapes:
            group += 1  # the layout's own group around it
            groups[group] = (shape.plan, tuple(group + g for g in shape.plan.groups), uses)
            group += shape.size
        pattern = re.compile(b"(?:" + b"|".join(b"(" + p + b")" for p, _, _ in self._shapes) + rb")\r?\n")
        self._groups[pattern] = groups
        while len(self._groups) > 8:  # (a stream goes on with a pattern until it parses a line)
            del self._groups[next(iter(self._groups))]
        self._stream.fast = pattern

    def take(self, m: re.Match[bytes]) -> tuple:
        """(the plan of the layout of a line the pattern took, its values at the plan's
        positions: "" at 0 and for an empty element), decoded from UTF-8 (ValueError, such as
        UnicodeDecodeError: the parser is to read the line)."""
        pattern = m.re
        if pattern is not self._pattern:  # (a pattern's hash is its text's: looked up on a change)
            groups = self._groups.get(pattern)
            if groups is None:  # (one of long ago: the line is parsed, and the stream takes the last)
                raise ValueError("a pattern no longer kept")
            self._pattern = pattern
            self._current = groups
        plan, fetch, uses = self._current[m.lastindex]
        uses[0] += 1
        taken = self._taken = self._taken + 1
        if not taken % self.REORDER and len(self._shapes) > 1:
            self._reorder()
        # every text of the line UTF-8, as the parser would have it, not only those read (apart
        # from the values: joining the line to them, as before, made the split of the values
        # cost 1.4 us); a NUL is in none of them (the pattern takes none)
        m.group(0).decode()
        if not fetch:
            self.trimmed = True
            return plan, [""]
        raw = m.group(*fetch) if len(fetch) > 1 else (m.group(fetch[0]),)
        try:
            joined = b"\x00".join(raw)
        except TypeError:  # (an empty element written <X/>: no group)
            joined = b"\x00".join([b or b"" for b in raw])
        values = joined.decode().split("\x00")
        values.insert(0, "")  # (position 0: a value the layout does not have)
        # no value begins or ends with a space (the only XML white space a group can hold): a
        # reader may then take them as they are instead of stripping each (see ``trimmed``)
        self.trimmed = b" " not in joined or (b" \x00" not in joined and b"\x00 " not in joined
                                              and joined[-1:] != b" " and joined[:1] != b" ")
        return plan, values

    def _reorder(self) -> None:
        ordered = sorted(self._shapes, key=lambda entry: -entry[2][0])
        if ordered != self._shapes:
            self._shapes = ordered
            self._compile()

    def _piece(self, el, prefix, path: str, slots: dict, children: dict) -> bytes:
        tag = el.tag
        if not isinstance(tag, str) or el.prefix != prefix:
            raise _NotTaken
        q = etree.QName(tag)
        if q.namespace != self._ns:
            raise _NotTaken
        name = re.escape(((prefix + ":") if prefix else "") + q.localname).encode()
        out = [b"<", name]
        for attr in el.attrib:
            if attr.startswith("{"):
                raise _NotTaken
            out += [b" ", re.escape(attr).encode(), _ATTR_GROUP]
            slots[f"{path}@{attr}"] = len(slots) + 1
        kids: list[str] = []
        children[path] = kids
        if len(el):
            out.append(b">")
            seen: dict[str, int] = {}
            for c in el:
                if not isinstance(c.tag, str):
                    raise _NotTaken
                local = etree.QName(c.tag).localname
                n = seen.get(local, 0)
                seen[local] = n + 1
                sub = f"{path}/{local}" if path else local
                if n:
                    sub += f"[{n}]"
                kids.append(sub)
                out.append(self._piece(c, prefix, sub, slots, children))
            out += [b"</", name, b">"]
        else:
            out += [b"(?:/>|>", _TEXT_GROUP, b"</", name, b">)"]
            slots[path] = len(slots) + 1
        return b"".join(out)


class _NotTaken(Exception):
    """A record no pattern is made of (another namespace or prefix inside, a comment...)."""


class Planner:
    """What a reader's plan reads of a shape: each value a position in the values
    ``LineShapes.take`` returns (0 for a value the layout does not have: always "")."""

    __slots__ = ("shape", "groups")

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.groups: list[int] = []

    def at(self, path: str) -> int:
        slot = self.shape.slots.get(path)
        if slot is None:
            return 0
        self.groups.append(slot)
        return len(self.groups)

    def finish(self) -> tuple[int, ...]:
        """The groups the plan reads, relative to the shape's."""
        return tuple(self.groups)


