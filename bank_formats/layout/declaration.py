"""A bank's file layout as data: what a profile's ``[format]`` table declares, checked on load.

The declaration is plain data (frozen dataclasses) made from the TOML tables of a bank profile
by :func:`declaration_from_dict`; :mod:`bank_formats.layout.compiled` turns it into readers and
writers. Every mistake raises ``ValueError`` naming the key path
(``payments.detail.fields[3].width: ...``), which the profile loader prefixes with the file.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bank_formats.layout.wording import WORDINGS
from domain.model import (
    AccountKind,
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)

FILE_KINDS = ("payments", "results")
LAYOUTS = ("fixed", "delimited")
TYPES = ("const", "filler", "text", "int", "amount", "date", "datetime", "code", "status", "digest")
DATE_FORMATS = ("YYYYMMDD", "YYYY-MM-DD")
DATETIME_FORMATS = ("YYYYMMDDhhmmss+hhmm", "iso")
DIGESTS = ("sha256", "sm3")
ENCODINGS = {"gbk": "GBK", "gb18030": "GB18030", "utf-8": "UTF-8"}
LINE_ENDINGS = ("\r\n", "\n")


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


# Which model fields a record of each file kind and role may fill, and of which value type.
MODEL = {
    ("payments", "header"): PaymentFileHeader,
    ("payments", "detail"): PaymentLine,
    ("results", "header"): ResultFileHeader,
    ("results", "detail"): ResultRecord,
}
FIELD_TYPES: dict[str, tuple[str, ...]] = {
    # header and trailer fields (a trailer states control totals as a header does)
    "file_id": ("text",), "batch_id": ("text",), "original_file_id": ("text",),
    "payer_name": ("text",), "payer_account": ("text",), "bank_code": ("text",), "purpose": ("text",),
    "created_at": ("datetime",), "requested_date": ("date",),
    "count": ("int",), "paid_count": ("int",), "failed_count": ("int",),
    "total_fen": ("amount",), "paid_fen": ("amount",), "failed_fen": ("amount",),
    # detail fields
    "seq": ("int",), "amount_fen": ("amount",), "account_kind": ("code",), "outcome": ("code",),
    "status": ("status",), "name": ("text",), "id_number": ("text",), "account_no": ("text",),
    "bank_name": ("text",), "subsidy_item": ("text",), "remark": ("text",), "phone": ("text",),
    "address": ("text",), "household_no": ("text",), "bank_text": ("text",), "bank_ref": ("text",),
}
def header_field_names(kind: str) -> tuple[str, ...]:
    return _names(MODEL[(kind, "header")])


# the enums a "code" field maps
CODE_ENUMS = {"account_kind": AccountKind, "outcome": PaymentOutcome}


@dataclass(frozen=True, slots=True)
class FieldDecl:
    """One field of a record: what it holds, where and how it is spelled.

    ``name``: the model field it fills ("" for a constant or filler); ``width``: bytes of the
    file's encoding (fixed layouts: exactly; delimited: at most, when given); ``start``: 1-based
    byte position (fixed layouts; checked against the widths before it); ``align``/``pad``: how a
    value shorter than its width is filled; ``value``: the constant's text (or what a filler
    writes); ``unit``: "fen" or "yuan" for amounts; ``format``: a date's or date-time's spelling;
    ``codes``: model value -> the file's code ("code" fields); ``paid``/``other``: a status
    field's code for paid and for a failure without a code of its own; ``unknown``: what a status
    code that is neither of them nor one of the file's ``reasons`` means, "failed" (the bank's
    own failure code) or "refuse" (not a code the layout knows: the record is refused, for a
    bank whose specification lists no codes); ``optional``: a trailing
    field that only records carrying a value have (told by the record's length or field count);
    ``min_width``: a delimited number zero-padded to at least this many digits.
    """

    name: str
    type: str
    width: int | None = None
    start: int | None = None
    align: str = "left"
    pad: str = " "
    required: bool = False
    value: str = ""
    unit: str = "fen"
    format: str = ""
    codes: Mapping[str, str] = field(default_factory=dict)
    paid: str = ""
    other: str = ""
    unknown: str = "failed"
    optional: bool = False
    min_width: int = 0
    algorithm: str = "sha256"
    note: str = ""  # for people reading the layout's table
    where: str = ""  # the declaration's key path, for messages
    called: str = ""  # what problems call the field, when not its model name (``label`` key)

    @property
    def label(self) -> str:
        """What problems call the field: its declared ``label``, or its model name; a leading
        constant is the record type; another constant or filler is "field N" (its position in the
        record, from 1)."""
        if self.called:
            return self.called
        if self.name:
            return self.name
        index = self.where.rsplit("[", 1)[-1].rstrip("]")
        if index == "0" and self.type == "const":
            return "record_type"
        return f"field {int(index) + 1}" if index.isdigit() else self.where


@dataclass(frozen=True, slots=True)
class RecordDecl:
    """One kind of line: fields (fixed or delimited), or a ``line`` template such as
    ``[{unit}]批量代理业务{report}记录`` (literal text with named values, for title lines)."""

    role: str  # header, detail, trailer
    fields: tuple[FieldDecl, ...] = ()
    line: str = ""
    where: str = ""

    @property
    def length(self) -> int:
        return sum(f.width or 0 for f in self.fields)

    def required_length(self) -> int:
        return sum(f.width or 0 for f in self.fields if not f.optional)


@dataclass(frozen=True, slots=True)
class FileDecl:
    """The layout of one kind of file (payments, results)."""

    kind: str
    layout: str  # fixed | delimited
    delimiter: str = "|"
    trailing_delimiter: bool = False
    headers: tuple[RecordDecl, ...] = ()
    detail: RecordDecl = RecordDecl("detail")
    trailer: RecordDecl | None = None
    name_pattern: re.Pattern[str] | None = None  # header values taken from the file's name
    reasons: Mapping[str, FailureReason] = field(default_factory=dict)
    # an empty line: skipped and listed (a bank's report ending with one), or a wrong record
    # (a layout whose every line is a record of a fixed length, as fixed_width_gbk's)
    blank_lines: str = "skip"
    # numbers of a delimited layout: "plain" (any count of digits within the field's largest
    # value) or "counted" (bank_formats.delimited's rules: at most 18 digits, 16 before a yuan
    # amount's point, leading zeros counted; its wording: "is outside", "not a whole number")
    numbers: str = "plain"
    # where a writer's problem with a record names its seq: in the place ("line N (seq S)") or at
    # the front of the message ("line N", "seq S: ...", bank_formats.delimited's way)
    seq_in: str = "where"
    # the words of problems and the writer's habits that go with them: a table of
    # bank_formats.layout.wording, the engine's own ("layout") or bank_formats.delimited's
    # ("delimited": "the records have", "contains '|' ... no escaping"...), which its users know
    wording: str = "layout"
    # lines of a delimited layout with a digest trailer: "records" (the engine's reading: the
    # last line is the trailer) or "strict" (bank_formats.layout.strict: the header on line 1 only,
    # the digest line wherever it is ends the file; a bad header reported after the whole file)
    lines: str = "records"
    max_line: int = 64 * 1024  # (bytes of a line, strict lines)


@dataclass(frozen=True, slots=True)
class Declaration:
    encoding: str = "gbk"
    line_ending: str = "\r\n"
    values: Mapping[str, str] = field(default_factory=dict)  # constants named in templates
    files: Mapping[str, FileDecl] = field(default_factory=dict)
    title: str = "layout"


# --- loading -------------------------------------------------------------------------------

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def builtin(name: str) -> dict[str, Any]:
    """A layout shipped with the product (``bank_formats/layout/builtin/NAME.toml``), as a dict."""
    path = BUILTIN_DIR / f"{name}.toml"
    if not path.is_file():
        raise ValueError(f"declaration: no shipped layout {name!r}; shipped: {', '.join(builtin_names())}")
    return tomllib.loads(path.read_text(encoding="utf-8"))


class _Path:
    def __init__(self, path: str):
        self.path = path

    def fail(self, key: str, why: str) -> ValueError:
        return ValueError(f"{self.path}.{key}: {why}" if self.path else f"{key}: {why}")


def _table(raw: object, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a table, got {type(raw).__name__}")
    return raw


def declaration_from_dict(raw: Mapping[str, Any], title: str = "layout") -> Declaration:
    """The declaration in ``raw`` (a profile's ``[format]`` table without ``family``)."""
    known = {"encoding", "line_ending", "values", "title", *FILE_KINDS}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key; known: {', '.join(sorted(known))}")
    enc = str(raw.get("encoding", "gbk")).lower().replace("_", "-")
    if enc not in ENCODINGS:
        raise ValueError(f"encoding: {raw.get('encoding')!r} is not one of {', '.join(ENCODINGS)}")
    eol = raw.get("line_ending", "\r\n")
    eol = {"CRLF": "\r\n", "LF": "\n"}.get(eol, eol)
    if eol not in LINE_ENDINGS:
        raise ValueError(f"line_ending: {raw.get('line_ending')!r} is not CRLF or LF")
    values = dict(_table(raw.get("values", {}), "values"))
    for k, v in values.items():
        if not isinstance(v, str):
            raise ValueError(f"values.{k}: expected a text, got {v!r}")
    files = {}
    for kind in FILE_KINDS:
        if kind in raw:
            files[kind] = _file(kind, _table(raw[kind], kind), values)
    if not files:
        raise ValueError(f"{' or '.join(FILE_KINDS)}: a layout declares at least one kind of file")
    return Declaration(enc, eol, values, files, str(raw.get("title", title)))


def _file(kind: str, raw: Mapping[str, Any], values: Mapping[str, str]) -> FileDecl:
    p = _Path(kind)
    known = {"layout", "delimiter", "trailing_delimiter", "header", "detail", "trailer", "name", "reasons",
             "blank_lines", "numbers", "seq_in", "wording", "lines", "max_line"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise p.fail(unknown[0], f"unknown key; known: {', '.join(sorted(known))}")
    layout = raw.get("layout")
    if layout not in LAYOUTS:
        raise p.fail("layout", f"{layout!r} is not one of {', '.join(LAYOUTS)}")
    delimiter = raw.get("delimiter", "|")
    if layout == "delimited" and (not isinstance(delimiter, str) or len(delimiter) != 1
                                  or delimiter in "\r\n"):
        raise p.fail("delimiter", f"expected one character, got {delimiter!r}")
    trailing = raw.get("trailing_delimiter", False)
    if not isinstance(trailing, bool):
        raise p.fail("trailing_delimiter", f"expected true or false, got {trailing!r}")
    head = raw.get("header", [])
    heads = [head] if isinstance(head, Mapping) else head
    if not isinstance(heads, list):
        raise p.fail("header", "expected a table or an array of tables")
    headers = tuple(_record(kind, "header", h, f"{kind}.header[{i}]", layout, values)
                    for i, h in enumerate(heads))
    if "detail" not in raw:
        raise p.fail("detail", "missing: the record of each payment line or result")
    detail = _record(kind, "detail", raw["detail"], f"{kind}.detail", layout, values)
    trailer = (_record(kind, "trailer", raw["trailer"], f"{kind}.trailer", layout, values)
               if "trailer" in raw else None)
    pattern = None
    if "name" in raw:
        try:
            pattern = re.compile(str(raw["name"]))
        except re.error as exc:
            raise p.fail("name", f"not a regular expression: {exc}") from None
        model = (*_names(MODEL[(kind, "header")]), "round")
        wrong = sorted(set(pattern.groupindex) - set(model))
        if wrong:
            raise p.fail("name", f"group {wrong[0]!r} is not a header field; known: {', '.join(model)}")
        if "round" in pattern.groupindex and "batch_id" not in pattern.groupindex:
            raise p.fail("name", "group 'round' (our re-issue number) needs batch_id beside it")
    reasons = {}
    for code, reason in _table(raw.get("reasons", {}), f"{kind}.reasons").items():
        try:
            reasons[str(code)] = FailureReason(reason)
        except ValueError:
            raise p.fail(f"reasons.{code}", f"{reason!r} is not a failure reason; known: "
                         f"{', '.join(r.value for r in FailureReason)}") from None
    blank_lines = raw.get("blank_lines", "skip")
    if blank_lines not in ("skip", "refuse"):
        raise p.fail("blank_lines", f"{blank_lines!r} is not skip or refuse")
    numbers = raw.get("numbers", "plain")
    if numbers not in ("plain", "counted") or (numbers == "counted" and layout != "delimited"):
        raise p.fail("numbers", f"{numbers!r} is not plain or counted (counted: delimited layouts)")
    seq_in = raw.get("seq_in", "where")
    if seq_in not in ("where", "message"):
        raise p.fail("seq_in", f"{seq_in!r} is not where or message")
    wording = raw.get("wording", "layout")
    if wording not in WORDINGS:
        raise p.fail("wording", f"{wording!r} is not {' or '.join(WORDINGS)}")
    lines = raw.get("lines", "records")
    if lines not in ("records", "strict"):
        raise p.fail("lines", f"{lines!r} is not records or strict")
    if lines == "strict" and (layout != "delimited" or trailer is None or len(headers) != 1
                              or not any(f.type == "digest" for f in trailer.fields)):
        raise p.fail("lines", "strict lines need a delimited layout with one header record and a digest trailer")
    max_line = raw.get("max_line", 64 * 1024)
    if type(max_line) is not int or not 1024 <= max_line <= 64 * 1024 * 1024:
        raise p.fail("max_line", f"expected bytes from 1024 to 67108864, got {max_line!r}")
    decl = FileDecl(kind, layout, delimiter, trailing, headers, detail, trailer, pattern, reasons, blank_lines,
                    numbers, seq_in, wording, lines, max_line)
    _check_file(decl, p)
    return decl


_FIELD_KEYS = ({f.name for f in fields(FieldDecl)} - {"where", "called"}) | {"label"}


def _record(kind: str, role: str, raw: object, where: str, layout: str,
            values: Mapping[str, str]) -> RecordDecl:
    raw = _table(raw, where)
    p = _Path(where)
    unknown = sorted(set(raw) - {"fields", "line"})
    if unknown:
        raise p.fail(unknown[0], "unknown key; known: fields, line")
    if "line" in raw:
        if "fields" in raw or role == "detail":
            raise p.fail("line", "a template line is a header or trailer of its own, without fields")
        line = raw["line"]
        if not isinstance(line, str) or not line:
            raise p.fail("line", f"expected a non-empty text, got {line!r}")
        try:
            template_names(line)
        except ValueError as exc:
            raise p.fail("line", str(exc)) from None
        return RecordDecl(role, (), line, where)
    items = raw.get("fields")
    if not isinstance(items, list) or not items:
        raise p.fail("fields", "expected a non-empty array of field tables")
    model_role = "header" if role == "trailer" else role
    allowed = set(_names(MODEL[(kind, model_role)])) | ({"status"} if (kind, role) == ("results", "detail") else set())
    allowed -= {"reason"}  # a result's reason follows from its status or bank code and the reasons table
    out = []
    pos = 1
    seen: set[str] = set()
    for i, item in enumerate(items):
        fw = f"{where}.fields[{i}]"
        item = dict(_table(item, fw))
        ref = TEMPLATE_RE.fullmatch(str(item.get("value", "")))
        if ref is not None:  # value = "{unit}": the constant of that name in [values]
            if ref.group(1) not in values:
                raise ValueError(f"{fw}.value: {ref.group(1)!r} is not in values")
            item["value"] = values[ref.group(1)]
        f = _field(item, fw, layout)
        if f.name:
            if f.name not in allowed:
                raise ValueError(f"{fw}.name: {f.name!r} is not a field of a {kind} {model_role}; "
                                 f"known: {', '.join(sorted(allowed))}")
            if f.type not in FIELD_TYPES[f.name]:
                raise ValueError(f"{fw}.type: {f.name} is of type {FIELD_TYPES[f.name][0]}, not {f.type}")
            if f.name in seen:
                raise ValueError(f"{fw}.name: {f.name} is declared twice")
            seen.add(f.name)
        if f.type == "digest" and role != "trailer":
            raise ValueError(f"{fw}.type: a digest is the trailer's (it covers every line before it)")
        if f.type == "code":
            enum = CODE_ENUMS[f.name]
            missing = [e.value for e in enum if e.value not in f.codes]
            if missing:
                raise ValueError(f"{fw}.codes: no code for {', '.join(missing)}")
        if layout == "fixed":
            if f.start is not None and f.start != pos:
                raise ValueError(f"{fw}.start: the field starts at byte {pos} (the widths before it add "
                                 f"up to {pos - 1}), not {f.start}")
            pos += f.width
        if f.optional and i + 1 < len(items) and not _table(items[i + 1], fw).get("optional", False):
            raise ValueError(f"{fw}.optional: only the last fields of a record may be optional")
        out.append(f)
    return RecordDecl(role, tuple(out), "", where)


def _field(raw: Mapping[str, Any], where: str, layout: str) -> FieldDecl:
    p = _Path(where)
    unknown = sorted(set(raw) - _FIELD_KEYS)
    if unknown:
        raise p.fail(unknown[0], f"unknown key; known: {', '.join(sorted(_FIELD_KEYS))}")
    name = raw.get("name", "")
    ftype = raw.get("type")
    if ftype is None:
        # (a name the layout does not know is reported by the record, naming what it knows)
        ftype = "const" if "value" in raw and not name else FIELD_TYPES.get(name, ("text",))[0]
    if ftype not in TYPES:
        raise p.fail("type", f"{ftype!r} is not one of {', '.join(TYPES)}")
    if ftype in ("const", "filler", "digest") and name:
        raise p.fail("name", f"a {ftype} field fills no model field")
    if ftype not in ("const", "filler", "digest") and not name:
        raise p.fail("name", f"a {ftype} field needs the model field it fills")
    width = raw.get("width")
    if width is not None and (type(width) is not int or not 1 <= width <= 4096):
        raise p.fail("width", f"expected a number of bytes 1..4096, got {width!r}")
    value = raw.get("value", "")
    if not isinstance(value, str):
        raise p.fail("value", f"expected a text, got {value!r}")
    if layout == "fixed":
        if width is None:
            if ftype == "const" and value.isascii() and value:
                width = len(value)
            else:
                raise p.fail("width", "missing: every field of a fixed layout has a width in bytes")
    elif "start" in raw:
        raise p.fail("start", "a delimited field has a position, not a byte start")
    numeric = ftype in ("int", "amount")
    align = raw.get("align", "right" if numeric else "left")
    if align not in ("left", "right"):
        raise p.fail("align", f"{align!r} is not left or right")
    pad = raw.get("pad", "0" if numeric and align == "right" else " ")
    if not (isinstance(pad, str) and len(pad) == 1 and pad.isascii() and pad.isprintable()):
        raise p.fail("pad", f"expected one printable ASCII character, got {pad!r}")
    unit = raw.get("unit", "fen")
    if unit not in ("fen", "yuan"):
        raise p.fail("unit", f"{unit!r} is not fen or yuan")
    fmt = raw.get("format", {"date": "YYYYMMDD", "datetime": "YYYYMMDDhhmmss+hhmm"}.get(ftype, ""))
    if ftype == "date" and fmt not in DATE_FORMATS:
        raise p.fail("format", f"{fmt!r} is not one of {', '.join(DATE_FORMATS)}")
    if ftype == "datetime" and fmt not in DATETIME_FORMATS:
        raise p.fail("format", f"{fmt!r} is not one of {', '.join(DATETIME_FORMATS)}")
    codes = raw.get("codes", {})
    if not isinstance(codes, Mapping) or not all(isinstance(v, str) and v for v in codes.values()):
        raise p.fail("codes", "expected a table of model value = \"code\"")
    if ftype == "code":
        enum = CODE_ENUMS.get(name)
        bad = [k for k in codes if enum is None or k not in {e.value for e in enum}]
        if bad:
            raise p.fail("codes", f"{bad[0]!r} is not a value of {name}")
        if len(set(codes.values())) != len(codes):
            raise p.fail("codes", "two values have the same code")
    paid, other = raw.get("paid", ""), raw.get("other", "")
    if ftype == "status" and not (isinstance(paid, str) and paid and isinstance(other, str) and other
                                  and paid != other):
        raise p.fail("paid", "a status field states its code for paid and, as other, for a failure "
                     "without a code of its own (two different codes)")
    unknown = raw.get("unknown", "failed")
    if unknown not in ("failed", "refuse"):
        raise p.fail("unknown", f"{unknown!r} is not failed or refuse")
    if "unknown" in raw and ftype != "status":
        raise p.fail("unknown", "only a status field has codes that may be unknown")
    algorithm = raw.get("algorithm", "sha256")
    if algorithm not in DIGESTS:
        raise p.fail("algorithm", f"{algorithm!r} is not one of {', '.join(DIGESTS)}")
    flags = {}
    for key in ("required", "optional"):
        flags[key] = raw.get(key, False)
        if not isinstance(flags[key], bool):
            raise p.fail(key, f"expected true or false, got {flags[key]!r}")
    min_width = raw.get("min_width", 0)
    if type(min_width) is not int or min_width < 0:
        raise p.fail("min_width", f"expected a whole number, got {min_width!r}")
    start = raw.get("start")
    if start is not None and (type(start) is not int or start < 1):
        raise p.fail("start", f"expected a byte position from 1, got {start!r}")
    if ftype == "const" and not value:
        raise p.fail("value", "a constant needs its text")
    if layout == "fixed" and ftype == "const" and len(value.encode("utf-8")) > width:
        raise p.fail("value", f"{value!r} does not fit {width} bytes")
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise p.fail("note", f"expected a text, got {note!r}")
    called = raw.get("label", "")
    if not (isinstance(called, str) and called.isidentifier()) and called != "":
        raise p.fail("label", f"expected a field name for messages such as 'status_code', got {called!r}")
    return FieldDecl(name, ftype, width, start, align, pad, flags["required"], value, unit, fmt,
                     dict(codes), paid, other, unknown, flags["optional"], min_width, algorithm, note, where,
                     called)


def _check_file(decl: FileDecl, p: _Path) -> None:
    detail = {f.name for f in decl.detail.fields}
    if "seq" not in detail:
        raise p.fail("detail", "declares no seq: a line is tied to the batch by its sequence number")
    if "amount_fen" not in detail:
        raise p.fail("detail", "declares no amount_fen")
    if decl.kind == "payments" and "account_no" not in detail:
        raise p.fail("detail", "declares no account_no")
    if decl.kind == "results":
        if not ({"status", "outcome"} & detail):
            raise p.fail("detail", "declares neither a status nor an outcome field")
        if {"status", "outcome"} <= detail:
            raise p.fail("detail", "declares both a status and an outcome field: one says paid or failed")
    if decl.trailer is not None and decl.trailer.fields:
        digests = [f for f in decl.trailer.fields if f.type == "digest"]
        if len(digests) > 1:
            raise p.fail("trailer", "declares more than one digest")
    if decl.layout == "delimited" and decl.headers and any(h.line for h in decl.headers):
        pass  # template lines are lines of their own in either layout


TEMPLATE_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def template_names(line: str) -> list[str]:
    """The names in a template line, in order; ValueError for braces that are not ``{name}``."""
    names = TEMPLATE_RE.findall(line)
    rest = TEMPLATE_RE.sub("", line)
    if "{" in rest or "}" in rest:
        raise ValueError(f"{line!r}: braces are for {{name}} only")
    if len(set(names)) != len(names):
        raise ValueError(f"{line!r}: a name appears twice")
    return names


AMOUNT_FIELDS = frozenset(n for n, t in FIELD_TYPES.items() if t == ("amount",))
DIGEST_LABELS = {"sha256": "SHA256", "sm3": "SM3"}


def shipped(name: str, *, encoding: str | None = None, line_ending: str | None = None,
            unit: str = "fen", digest: str | None = None) -> dict[str, Any]:
    """A shipped layout with the options its registry family takes (``bank_formats.get``'s
    ``encoding``, ``line_ending``, ``amount_style`` and ``digest``) applied to its declaration:
    the family's files are this declaration's, whatever options a profile chose."""
    raw = builtin(name)
    if encoding is not None:
        raw["encoding"] = encoding
    if line_ending is not None:
        raw["line_ending"] = line_ending
    for kind in FILE_KINDS:
        for role in ("header", "detail", "trailer"):
            records = raw.get(kind, {}).get(role)
            for rec in records if isinstance(records, list) else [records] if records else []:
                for f in rec.get("fields", []):
                    if f.get("name") in AMOUNT_FIELDS:
                        f["unit"] = unit
                    if digest is not None and f.get("value") in DIGEST_LABELS.values():
                        f["value"] = DIGEST_LABELS[digest]
                    if digest is not None and f.get("type") == "digest":
                        f["algorithm"] = digest
    return raw
