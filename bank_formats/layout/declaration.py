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

from bank_formats.base import Refused
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
from i18n import Named, Phrase

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
        raise _at("declaration", Phrase.of("format.declaration.no_builtin", name=repr(name),
                                           shipped=", ".join(builtin_names())))
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _at(path: str, why: Phrase) -> Refused:
    """The declaration refused at key ``path`` (``payments.detail.fields[3].width``), and why: the
    ValueError every mistake raises, in words a profile's loader says in the reader's language."""
    return Refused("format.declaration.at", path=path, why=why)


class _Path:
    def __init__(self, path: str):
        self.path = path

    def fail(self, key: str, why: Phrase) -> Refused:
        return _at(f"{self.path}.{key}" if self.path else key, why)


def _table(raw: object, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _at(where, Phrase.of("format.declaration.table", got=type(raw).__name__))
    return raw


def declaration_from_dict(raw: Mapping[str, Any], title: str = "layout") -> Declaration:
    """The declaration in ``raw`` (a profile's ``[format]`` table without ``family``)."""
    known = {"encoding", "line_ending", "values", "title", *FILE_KINDS}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _at(unknown[0], Phrase.of("format.declaration.unknown_key", known=", ".join(sorted(known))))
    enc = str(raw.get("encoding", "gbk")).lower().replace("_", "-")
    if enc not in ENCODINGS:
        raise _at("encoding", Phrase.of("format.declaration.not_one_of", got=repr(raw.get("encoding")),
                                        allowed=", ".join(ENCODINGS)))
    eol = raw.get("line_ending", "\r\n")
    eol = {"CRLF": "\r\n", "LF": "\n"}.get(eol, eol)
    if eol not in LINE_ENDINGS:
        raise _at("line_ending", Phrase.of("format.declaration.not_either", got=repr(raw.get("line_ending")),
                                           first="CRLF", second="LF"))
    values = dict(_table(raw.get("values", {}), "values"))
    for k, v in values.items():
        if not isinstance(v, str):
            raise _at(f"values.{k}", Phrase.of("format.declaration.a_text", got=repr(v)))
    files = {}
    for kind in FILE_KINDS:
        if kind in raw:
            files[kind] = _file(kind, _table(raw[kind], kind), values)
    if not files:
        raise Refused("format.declaration.no_files")
    return Declaration(enc, eol, values, files, str(raw.get("title", title)))


def _file(kind: str, raw: Mapping[str, Any], values: Mapping[str, str]) -> FileDecl:
    p = _Path(kind)
    known = {"layout", "delimiter", "trailing_delimiter", "header", "detail", "trailer", "name", "reasons",
             "blank_lines", "numbers", "seq_in", "wording", "lines", "max_line"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise p.fail(unknown[0], Phrase.of("format.declaration.unknown_key", known=", ".join(sorted(known))))
    layout = raw.get("layout")
    if layout not in LAYOUTS:
        raise p.fail("layout", Phrase.of("format.declaration.not_one_of", got=repr(layout), allowed=", ".join(LAYOUTS)))
    delimiter = raw.get("delimiter", "|")
    if layout == "delimited" and (not isinstance(delimiter, str) or len(delimiter) != 1
                                  or delimiter in "\r\n"):
        raise p.fail("delimiter", Phrase.of("format.declaration.one_character", got=repr(delimiter)))
    trailing = raw.get("trailing_delimiter", False)
    if not isinstance(trailing, bool):
        raise p.fail("trailing_delimiter", Phrase.of("format.declaration.flag", got=repr(trailing)))
    head = raw.get("header", [])
    heads = [head] if isinstance(head, Mapping) else head
    if not isinstance(heads, list):
        raise p.fail("header", Phrase.of("format.declaration.tables"))
    headers = tuple(_record(kind, "header", h, f"{kind}.header[{i}]", layout, values)
                    for i, h in enumerate(heads))
    if "detail" not in raw:
        raise p.fail("detail", Phrase.of("format.declaration.no_detail"))
    detail = _record(kind, "detail", raw["detail"], f"{kind}.detail", layout, values)
    trailer = (_record(kind, "trailer", raw["trailer"], f"{kind}.trailer", layout, values)
               if "trailer" in raw else None)
    pattern = None
    if "name" in raw:
        try:
            pattern = re.compile(str(raw["name"]))
        except re.error as exc:
            raise p.fail("name", Phrase.of("format.declaration.not_regex", error=str(exc))) from None
        model = (*_names(MODEL[(kind, "header")]), "round")
        wrong = sorted(set(pattern.groupindex) - set(model))
        if wrong:
            raise p.fail("name", Phrase.of("format.declaration.group", group=repr(wrong[0]), known=", ".join(model)))
        if "round" in pattern.groupindex and "batch_id" not in pattern.groupindex:
            raise p.fail("name", Phrase.of("format.declaration.round_alone"))
    reasons = {}
    for code, reason in _table(raw.get("reasons", {}), f"{kind}.reasons").items():
        try:
            reasons[str(code)] = FailureReason(reason)
        except ValueError:
            raise p.fail(f"reasons.{code}", Phrase.of("format.declaration.not_reason", got=repr(reason),
                                                      known=", ".join(r.value for r in FailureReason))) from None
    blank_lines = raw.get("blank_lines", "skip")
    if blank_lines not in ("skip", "refuse"):
        raise p.fail("blank_lines", _not_either(blank_lines, "skip", "refuse"))
    numbers = raw.get("numbers", "plain")
    if numbers not in ("plain", "counted") or (numbers == "counted" and layout != "delimited"):
        raise p.fail("numbers", Phrase.of("format.declaration.numbers", got=repr(numbers)))
    seq_in = raw.get("seq_in", "where")
    if seq_in not in ("where", "message"):
        raise p.fail("seq_in", _not_either(seq_in, "where", "message"))
    wording = raw.get("wording", "layout")
    if wording not in WORDINGS:
        *others, last = WORDINGS
        raise p.fail("wording", _not_either(wording, " or ".join(others), last))
    lines = raw.get("lines", "records")
    if lines not in ("records", "strict"):
        raise p.fail("lines", _not_either(lines, "records", "strict"))
    if lines == "strict" and (layout != "delimited" or trailer is None or len(headers) != 1
                              or not any(f.type == "digest" for f in trailer.fields)):
        raise p.fail("lines", Phrase.of("format.declaration.strict_lines"))
    max_line = raw.get("max_line", 64 * 1024)
    if type(max_line) is not int or not 1024 <= max_line <= 64 * 1024 * 1024:
        raise p.fail("max_line", Phrase.of("format.declaration.max_line", got=repr(max_line)))
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
        raise p.fail(unknown[0], Phrase.of("format.declaration.unknown_key", known="fields, line"))
    if "line" in raw:
        if "fields" in raw or role == "detail":
            raise p.fail("line", Phrase.of("format.declaration.template_alone"))
        line = raw["line"]
        if not isinstance(line, str) or not line:
            raise p.fail("line", Phrase.of("format.declaration.non_empty_text", got=repr(line)))
        try:
            template_names(line)
        except Refused as exc:
            raise p.fail("line", exc.phrase) from None
        return RecordDecl(role, (), line, where)
    items = raw.get("fields")
    if not isinstance(items, list) or not items:
        raise p.fail("fields", Phrase.of("format.declaration.no_fields"))
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
                raise _at(f"{fw}.value", Phrase.of("format.declaration.not_in_values", name=repr(ref.group(1))))
            item["value"] = values[ref.group(1)]
        f = _field(item, fw, layout)
        if f.name:
            if f.name not in allowed:
                raise _at(f"{fw}.name", Phrase.of("format.declaration.not_model_field", name=repr(f.name),
                                                  kind=Named("format.file_kind", kind),
                                                  role=Named("format.record_role", model_role),
                                                  known=", ".join(sorted(allowed))))
            if f.type not in FIELD_TYPES[f.name]:
                raise _at(f"{fw}.type", Phrase.of("format.declaration.wrong_type", name=f.name,
                                                  type=FIELD_TYPES[f.name][0], given=f.type))
            if f.name in seen:
                raise _at(f"{fw}.name", Phrase.of("format.declaration.declared_twice", name=f.name))
            seen.add(f.name)
        if f.type == "digest" and role != "trailer":
            raise _at(f"{fw}.type", Phrase.of("format.declaration.digest_not_trailer"))
        if f.type == "code":
            enum = CODE_ENUMS[f.name]
            missing = [e.value for e in enum if e.value not in f.codes]
            if missing:
                raise _at(f"{fw}.codes", Phrase.of("format.declaration.no_code_for", values=", ".join(missing)))
        if layout == "fixed":
            if f.start is not None and f.start != pos:
                raise _at(f"{fw}.start", Phrase.of("format.declaration.start", start=pos, before=pos - 1,
                                                   given=f.start))
            pos += f.width
        if f.optional and i + 1 < len(items) and not _table(items[i + 1], fw).get("optional", False):
            raise _at(f"{fw}.optional", Phrase.of("format.declaration.optional_last"))
        out.append(f)
    return RecordDecl(role, tuple(out), "", where)


def _field(raw: Mapping[str, Any], where: str, layout: str) -> FieldDecl:
    p = _Path(where)
    unknown = sorted(set(raw) - _FIELD_KEYS)
    if unknown:
        raise p.fail(unknown[0], Phrase.of("format.declaration.unknown_key", known=", ".join(sorted(_FIELD_KEYS))))
    name = raw.get("name", "")
    if not isinstance(name, str):
        raise p.fail("name", Phrase.of("format.declaration.a_text", got=repr(name)))
    ftype = raw.get("type")
    if ftype is None:
        # (a name the layout does not know is reported by the record, naming what it knows)
        ftype = "const" if "value" in raw and not name else FIELD_TYPES.get(name, ("text",))[0]
    if ftype not in TYPES:
        raise p.fail("type", Phrase.of("format.declaration.not_one_of", got=repr(ftype), allowed=", ".join(TYPES)))
    if ftype in ("const", "filler", "digest") and name:
        raise p.fail("name", Phrase.of("format.declaration.fills_nothing", type=ftype))
    if ftype not in ("const", "filler", "digest") and not name:
        raise p.fail("name", Phrase.of("format.declaration.needs_name", type=ftype))
    width = raw.get("width")
    if width is not None and (type(width) is not int or not 1 <= width <= 4096):
        raise p.fail("width", Phrase.of("format.declaration.width", got=repr(width)))
    value = raw.get("value", "")
    if not isinstance(value, str):
        raise p.fail("value", Phrase.of("format.declaration.a_text", got=repr(value)))
    if layout == "fixed":
        if width is None:
            if ftype == "const" and value.isascii() and value:
                width = len(value)
            else:
                raise p.fail("width", Phrase.of("format.declaration.no_width"))
    elif "start" in raw:
        raise p.fail("start", Phrase.of("format.declaration.delimited_start"))
    numeric = ftype in ("int", "amount")
    align = raw.get("align", "right" if numeric else "left")
    if align not in ("left", "right"):
        raise p.fail("align", _not_either(align, "left", "right"))
    pad = raw.get("pad", "0" if numeric and align == "right" else " ")
    if not (isinstance(pad, str) and len(pad) == 1 and pad.isascii() and pad.isprintable()):
        raise p.fail("pad", Phrase.of("format.declaration.pad", got=repr(pad)))
    unit = raw.get("unit", "fen")
    if unit not in ("fen", "yuan"):
        raise p.fail("unit", _not_either(unit, "fen", "yuan"))
    fmt = raw.get("format", {"date": "YYYYMMDD", "datetime": "YYYYMMDDhhmmss+hhmm"}.get(ftype, ""))
    if ftype == "date" and fmt not in DATE_FORMATS:
        raise p.fail("format", Phrase.of("format.declaration.not_one_of", got=repr(fmt),
                                         allowed=", ".join(DATE_FORMATS)))
    if ftype == "datetime" and fmt not in DATETIME_FORMATS:
        raise p.fail("format", Phrase.of("format.declaration.not_one_of", got=repr(fmt),
                                         allowed=", ".join(DATETIME_FORMATS)))
    codes = raw.get("codes", {})
    if not isinstance(codes, Mapping) or not all(isinstance(v, str) and v for v in codes.values()):
        raise p.fail("codes", Phrase.of("format.declaration.codes_table"))
    if ftype == "code":
        enum = CODE_ENUMS.get(name)
        bad = [k for k in codes if enum is None or k not in {e.value for e in enum}]
        if bad:
            raise p.fail("codes", Phrase.of("format.declaration.not_value_of", value=repr(bad[0]), name=name))
        if len(set(codes.values())) != len(codes):
            raise p.fail("codes", Phrase.of("format.declaration.same_code"))
    paid, other = raw.get("paid", ""), raw.get("other", "")
    if ftype == "status" and not (isinstance(paid, str) and paid and isinstance(other, str) and other
                                  and paid != other):
        raise p.fail("paid", Phrase.of("format.declaration.status_codes"))
    unknown = raw.get("unknown", "failed")
    if unknown not in ("failed", "refuse"):
        raise p.fail("unknown", _not_either(unknown, "failed", "refuse"))
    if "unknown" in raw and ftype != "status":
        raise p.fail("unknown", Phrase.of("format.declaration.unknown_not_status"))
    algorithm = raw.get("algorithm", "sha256")
    if algorithm not in DIGESTS:
        raise p.fail("algorithm", Phrase.of("format.declaration.not_one_of", got=repr(algorithm),
                                            allowed=", ".join(DIGESTS)))
    flags = {}
    for key in ("required", "optional"):
        flags[key] = raw.get(key, False)
        if not isinstance(flags[key], bool):
            raise p.fail(key, Phrase.of("format.declaration.flag", got=repr(flags[key])))
    min_width = raw.get("min_width", 0)
    if type(min_width) is not int or min_width < 0:
        raise p.fail("min_width", Phrase.of("format.declaration.whole_number", got=repr(min_width)))
    start = raw.get("start")
    if start is not None and (type(start) is not int or start < 1):
        raise p.fail("start", Phrase.of("format.declaration.start_position", got=repr(start)))
    if ftype == "const" and not value:
        raise p.fail("value", Phrase.of("format.declaration.const_empty"))
    if layout == "fixed" and ftype == "const" and len(value.encode("utf-8")) > width:
        raise p.fail("value", Phrase.of("format.declaration.does_not_fit", value=repr(value), width=width))
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise p.fail("note", Phrase.of("format.declaration.a_text", got=repr(note)))
    called = raw.get("label", "")
    if not (isinstance(called, str) and called.isidentifier()) and called != "":
        raise p.fail("label", Phrase.of("format.declaration.label", got=repr(called)))
    return FieldDecl(name, ftype, width, start, align, pad, flags["required"], value, unit, fmt,
                     dict(codes), paid, other, unknown, flags["optional"], min_width, algorithm, note, where,
                     called)


def _not_either(got: object, first: str, second: str) -> Phrase:
    """``got`` is neither of a setting's two values."""
    return Phrase.of("format.declaration.not_either", got=repr(got), first=first, second=second)


def _check_file(decl: FileDecl, p: _Path) -> None:
    detail = {f.name for f in decl.detail.fields}
    if "seq" not in detail:
        raise p.fail("detail", Phrase.of("format.declaration.no_seq"))
    if "amount_fen" not in detail:
        raise p.fail("detail", Phrase.of("format.declaration.no_amount"))
    if decl.kind == "payments" and "account_no" not in detail:
        raise p.fail("detail", Phrase.of("format.declaration.no_account"))
    if decl.kind == "results":
        if not ({"status", "outcome"} & detail):
            raise p.fail("detail", Phrase.of("format.declaration.no_status"))
        if {"status", "outcome"} <= detail:
            raise p.fail("detail", Phrase.of("format.declaration.both_status"))
    if decl.trailer is not None and decl.trailer.fields:
        digests = [f for f in decl.trailer.fields if f.type == "digest"]
        if len(digests) > 1:
            raise p.fail("trailer", Phrase.of("format.declaration.two_digests"))
    if decl.layout == "delimited" and decl.headers and any(h.line for h in decl.headers):
        pass  # template lines are lines of their own in either layout


TEMPLATE_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def template_names(line: str) -> list[str]:
    """The names in a template line, in order; ValueError for braces that are not ``{name}``."""
    names = TEMPLATE_RE.findall(line)
    rest = TEMPLATE_RE.sub("", line)
    if "{" in rest or "}" in rest:
        raise Refused("format.declaration.braces", line=repr(line))
    if len(set(names)) != len(names):
        raise Refused("format.declaration.name_twice", line=repr(line))
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
