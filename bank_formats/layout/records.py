"""A declared record compiled: its fields' codecs, and fast functions made for it once.

A detail record is read and written a million times a file, so the declaration is turned into
Python source once (``compile_record``) - one ``struct`` unpack (fixed) or one ``split``
(delimited), then each field's ``read`` called on its piece and the model object made in one
call - and ``exec``'d; nothing per line looks at the declaration. When that fast function
raises, the careful path (:meth:`Compiled.read_slow`, :meth:`Compiled.write_slow`) goes field by
field and says which field is wrong and why.
"""
from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import MISSING
from dataclasses import fields as dc_fields

from bank_formats.base import Problems, Refused, why
from bank_formats.layout.codecs import (
    CONTROL_RE,
    LINEBREAK_RE,
    FieldCodec,
    make_codec,
    paid_with_reason,
    reason_codes,
)
from bank_formats.layout.declaration import CODE_ENUMS, FIELD_TYPES, MODEL, FieldDecl, RecordDecl
from bank_formats.maker import maker
from domain.model import FailureReason, PaymentOutcome
from i18n import Named, Phrase

PAID, FAILED, OTHER = PaymentOutcome.PAID, PaymentOutcome.FAILED, FailureReason.OTHER
CONTROL_BYTES = bytes(range(0x20)) + b"\x7f"
CONTROL_BUT_US = re.compile("[\x00-\x1e\x7f]")  # (U+001F joins the texts the fast writer checks at once)


class Skip(Exception):
    """The fast path cannot take this line: the careful path looks at it."""


class Compiled:
    """One record (one variant: with or without its optional trailing fields), compiled."""

    def __init__(self, kind: str, decl: RecordDecl, fields: tuple[FieldDecl, ...], *, fixed: bool,
                 encoding: str, encoding_label: str, delimiter: str, trailing: bool,
                 reasons: Mapping[str, FailureReason], numbers: str = "plain",
                 wording: str = "layout") -> None:
        self.kind = kind
        self.wording = wording
        self.numbers = numbers
        self.decl = decl
        self.role = decl.role
        self.title = Phrase.of(f"format.title.{kind}.{decl.role}")  # "payment file detail", for messages
        self.fixed = fixed
        self.delimiter = delimiter
        self.trailing = trailing
        self.reasons = reasons
        self.encoding = encoding
        self.codecs_decode = codecs.lookup(encoding).decode
        self.codecs: tuple[FieldCodec, ...] = tuple(
            make_codec(f, fixed=fixed, encoding=encoding, encoding_label=encoding_label,
                       delimiter=delimiter, reasons=reasons, numbers=numbers, wording=wording)
            for f in fields)
        self.by_name = {c.decl.name: c for c in self.codecs if c.decl.name}
        self.count = len(self.codecs)
        self.length = sum(f.width for f in fields) if fixed else None
        self.struct = struct.Struct("".join(f"{f.width}s" for f in fields)) if fixed else None
        model = MODEL[(kind, "header" if decl.role == "trailer" else decl.role)]
        self.model = model
        self.model_fields = tuple(f.name for f in dc_fields(model))
        # a model field the layout does not carry reads back as its default ("" for a text
        # without one, None for a date)
        self.defaults = {f.name: f.default if f.default is not MISSING else
                         ("" if FIELD_TYPES.get(f.name, ("",))[0] == "text" else None)
                         for f in dc_fields(model)}
        self.starts = []
        pos = 0
        for f in fields:
            self.starts.append(pos)
            pos += f.width or 0
        if decl.role == "detail":
            self.read_fast = self._compile_read()
            self.write_fast = self._compile_write()

    # --- values of a record ----------------------------------------------------------------

    def _value_expr(self, name: str, pieces: dict[str, str], scope: dict) -> str:
        """The Python expression giving model field ``name`` from the pieces read."""
        if name in pieces:
            return pieces[name]
        scope[f"d_{name}"] = self.defaults[name]
        return f"d_{name}"

    def _compile_read(self) -> Callable:
        scope: dict[str, object] = {"make": maker(self.model), "Skip": Skip, "PAID": PAID,
                                    "reasons_get": self.reasons.get, "OTHER": OTHER}
        body = []
        raws = ", ".join(f"r{i}" for i in range(self.count))
        if self.fixed:
            scope["unpack"] = self.struct.unpack_from
            body.append(f"    {raws}, = unpack(line)")
        else:
            body.append(f"    parts = line.split({self.delimiter!r})")
            if self.trailing:
                body.append("    if parts.pop() != '': raise Skip")
            body.append(f"    if len(parts) != {self.count}: raise Skip")
            body.append(f"    {raws}, = parts")
        pieces: dict[str, str] = {}
        for i, c in enumerate(self.codecs):
            scope[f"p{i}"] = c.read
            t = c.decl.type
            if t == "const":
                scope[f"k{i}"] = c.write(None)
                body.append(f"    if r{i} != k{i}: raise Skip")
            elif t == "filler":
                continue
            elif t == "status":
                body.append(f"    st = p{i}(r{i})")
                pieces.update(outcome="st[0]", reason="st[1]", bank_code="st[2]")
            elif (inline := self._inline_read(i, c, scope)) is not None:
                body.extend(inline)
                pieces[c.decl.name] = f"v_{c.decl.name}"
            else:
                body.append(f"    v_{c.decl.name} = p{i}(r{i})")
                pieces[c.decl.name] = f"v_{c.decl.name}"
        if "outcome" in pieces and "status" not in self.by_name:
            code = pieces.get("bank_code", "''")
            body.append(f"    reason = None if v_outcome is PAID else reasons_get({code}, OTHER)")
            pieces["reason"] = "reason"
        args = ", ".join(self._value_expr(n, pieces, scope) for n in self.model_fields)
        body.append(f"    return make({args})")
        src = "def read_fast(line):\n" + "\n".join(body) + "\n"
        exec(src, scope)  # noqa: S102 - source made from the checked declaration only
        return scope["read_fast"]

    def _inline_read(self, i: int, c: FieldCodec, scope: dict) -> list[str] | None:
        """The source reading the usual field types in line, without a call per field: what
        they do is what the codec's ``read`` does for a well-formed value (anything else raises,
        and the careful path, which calls ``read``, says why)."""
        d = c.decl
        v, r = f"v_{d.name}", f"r{i}"
        if d.type == "text":
            if self.fixed:
                scope["decode"] = self.codecs_decode
                scope[f"P{i}"] = d.pad.encode("ascii")
                strip = "rstrip" if d.align == "left" else "lstrip"
                lines = [f"    {v} = decode({r}.{strip}(P{i}))[0]"]
            else:
                lines = [f"    {v} = {r}"]
            if d.required:
                lines.append(f"    if not {v}: raise Skip")
            return lines
        if d.type in ("int", "amount") and not (d.type == "amount" and d.unit == "yuan"):
            if self.fixed and d.pad != "0":
                return None
            test = f"{r}.isdigit()" if self.fixed else f"{r}.isdigit() and {r}.isascii()"
            if self.numbers == "counted":
                test += f" and len({r}) <= 18"
            lines = [f"    if not ({test}): raise Skip", f"    {v} = int({r})"]
            if d.name == "seq":
                lines.append(f"    if {v} < 1: raise Skip")
            return lines
        if d.type == "code":
            # the codec's own table: the code as it stands in the file -> the model's value
            table = {c.write(value): value for value in {e for e in _enum_values(d)}}
            scope[f"C{i}"] = table
            return [f"    {v} = C{i}[{r}]"]
        return None

    def _compile_write(self) -> Callable:
        """``write_fast(obj) -> bytes or text`` without the line ending; raises on anything
        unusual (the careful path then says what).

        Fixed layouts: the texts are checked at once (joined by a control character no text
        may hold: no control character, none ending - or starting, when right-aligned - with
        the padding) and encoded in one call, then the record is made by one ``%`` of a bytes
        template (``%-34s``, ``%010d``...) and its length says whether every field fitted.
        Delimited layouts: the values are joined as they are and the line is checked once
        (as many delimiters as fields, no line break). Other fields call their codec."""
        scope: dict[str, object] = {"Skip": Skip, "control": CONTROL_BUT_US.search, "breaks": LINEBREAK_RE.search,
                                    "encode": codecs.lookup(self.encoding).encode}
        body: list[str] = []
        args: list[str] = []
        template = []
        left: list[tuple[int, FieldCodec]] = []
        right: list[tuple[int, FieldCodec]] = []
        for i, c in enumerate(self.codecs):
            scope[f"w{i}"] = c.write
            d, t = c.decl, c.decl.type
            if t in ("const", "filler"):
                piece = c.write(None)
                if self.fixed:
                    template.append(piece.replace(b"%", b"%%"))
                else:
                    template.append(piece)
                continue
            if t == "status":
                expr = f"w{i}((o.outcome, o.reason, o.bank_code))"
            elif d.name == "bank_code" and "outcome" in self.by_name:
                scope["code_of"] = self.bank_code_of
                expr = f"w{i}(code_of(o))"
            elif t == "text" and self.fixed and d.pad == " ":
                (left if d.align == "left" else right).append((i, c))
                template.append(f"%{'-' if d.align == 'left' else ''}{d.width}s".encode("ascii"))
                args.append(f"x{i}")
                continue
            elif t == "text" and not self.fixed and d.width is None:
                body.append(f"    x{i} = o.{d.name}")
                if d.required:
                    body.append(f"    if not x{i}: raise Skip")
                template.append(None)
                args.append(f"x{i}")
                continue
            elif t in ("int", "amount") and not (t == "amount" and d.unit == "yuan") and (
                    not self.fixed or d.pad in ("0", " ")):
                low = 1 if d.name == "seq" else 0
                body.append(f"    x{i} = o.{d.name}")
                body.append(f"    if type(x{i}) is not int or x{i} < {low}: raise Skip")
                if not self.fixed:
                    body.append(f"    if x{i} > {c.largest}: raise Skip")
                    expr = (f"'%0{d.min_width}d' % x{i}" if d.min_width else f"'%d' % x{i}")
                else:
                    flag = "0" if d.pad == "0" else ("-" if d.align == "left" else "")
                    template.append(f"%{flag}{d.width}d".encode("ascii"))
                    args.append(f"x{i}")
                    continue
            elif t == "code":
                scope[f"C{i}"] = {value: c.write(value) for value in _enum_values(d)}
                expr = f"C{i}[o.{d.name}]"
            else:
                expr = f"w{i}(o.{d.name})"
            body.append(f"    x{i} = {expr}")
            template.append(b"%s" if self.fixed else None)
            args.append(f"x{i}")
        if self.fixed:
            for group, bad in ((left, "' \\x1f' in j or j[-1:] == ' '"), (right, "'\\x1f ' in j or j[:1] == ' '")):
                if not group:
                    continue
                names = [f"x{i}" for i, _ in group]
                attrs = ", ".join(f"o.{c.decl.name}" for _, c in group)
                suffix = "l" if group is left else "r"
                body.append(f"    j = '\\x1f'.join(({attrs},))")
                body.append(f"    if control(j) or j.count('\\x1f') != {len(group) - 1} or {bad}: raise Skip")
                body.append(f"    {', '.join(names)}, = encode(j)[0].split(b'\\x1f')")
                for i, c in group:
                    if c.decl.required:
                        body.append(f"    if not x{i}: raise Skip")
                del suffix
            scope["T"] = b"".join(template)
            scope["L"] = self.length
            body.append(f"    r = T % ({', '.join(args)},)")
            body.append("    if len(r) != L: raise Skip")
            body.append("    return r")
        else:
            d = self.delimiter
            pieces = []
            it = iter(args)
            for piece in template:
                pieces.append(repr(piece) if piece is not None else next(it))
            body.append(f"    r = {d!r}.join(({', '.join(pieces)},)){' + ' + repr(d) if self.trailing else ''}")
            body.append(f"    if r.count({d!r}) != {self.count - 1 + self.trailing} or breaks(r): raise Skip")
            body.append("    return r")
        src = "def write_fast(o):\n" + "\n".join(body) + "\n"
        exec(src, scope)  # noqa: S102 - source made from the checked declaration only
        return scope["write_fast"]

    def bank_code_of(self, rec) -> str:
        """The bank code a delimited-style record (outcome field and bank_code field) writes:
        its own, or for a failure without one the code of its reason; one that would read back
        as another reason is refused, and so is a reason that is none (it was written with no code)."""
        code, reason, outcome = rec.bank_code, rec.reason, rec.outcome
        if outcome == PAID:
            if reason is not None:
                raise paid_with_reason(reason)
            return code
        if reason is not None and not isinstance(reason, FailureReason):
            raise Refused("format.unknown_reason", reason=repr(reason))
        if not code:
            if reason is None:
                reason = OTHER
            return reason_codes(self.reasons).get(reason, "")
        reads = self.reasons.get(code, OTHER)
        if reason is not None and reads != reason:
            raise Refused("format.engine.code_reads_back", code=repr(code), reads=Named("reason", str(reads)),
                          reason=Named("reason", f"{reason}"))
        return code

    # --- the careful paths -------------------------------------------------------------------

    def split(self, line):
        """The record's raw pieces, or why it has not the right shape (catalogue words)."""
        if self.fixed:
            if len(line) != self.length:
                return Phrase.of("format.record_length", length=len(line), title=self.title, expected=self.length,
                                 also="")
            return list(self.struct.unpack_from(line))
        parts = line.split(self.delimiter)
        if self.trailing:
            if parts[-1] != "":
                return Phrase.of("format.no_final_delimiter", delimiter=repr(self.delimiter))
            parts.pop()
        if len(parts) != self.count:
            return Phrase.of("format.field_count", count=len(parts), title=self.title, expected=self.count)
        return parts

    def read_values(self, line, where: str, problems: Problems) -> dict | None:
        """The record's values by model field name, or None after adding its problems.

        A status field gives ``outcome``, ``reason`` and ``bank_code``; a digest field is
        given under ``digest``."""
        pieces = self.split(line)
        if isinstance(pieces, Phrase):
            problems.add(where, "record" if self.fixed else "fields", pieces)
            return None
        before = len(problems)
        values: dict = {}
        for c, raw, start in zip(self.codecs, pieces, self.starts, strict=True):
            try:
                value = c.read(raw)
                if isinstance(value, str) and c.decl.type == "text":
                    bad = (CONTROL_RE if self.fixed else LINEBREAK_RE).search(value)
                    if bad:
                        raise Refused("format.control_char", code=f"{ord(bad.group()):04X}")
            except ValueError as exc:
                message = why(exc)
                if self.fixed and isinstance(message, Phrase) and message.key == "format.not_in_encoding_field":
                    # say where in the record, which is what someone with the file in a viewer needs
                    args = dict(message.fields)
                    message = Phrase.of("format.not_in_encoding_record", encoding=args["encoding"], bad=args["bad"],
                                        at=start + args["at"])
                problems.add(where, c.label, message)
                continue
            t = c.decl.type
            if t == "status":
                values["outcome"], values["reason"], values["bank_code"] = value
            elif t == "digest":
                values["digest"] = raw
            elif c.decl.name:
                values[c.decl.name] = value
        if len(problems) > before:
            return None
        if "outcome" in values and "status" not in self.by_name:
            values["reason"] = (None if values["outcome"] is PAID
                                else self.reasons.get(values.get("bank_code", ""), OTHER))
        return values

    def make(self, values: dict):
        return self.model(**{n: values.get(n, self.defaults[n]) for n in self.model_fields})

    def write_slow(self, obj, where: str, problems: Problems, values: Mapping | None = None):
        """The record of ``obj`` (an object with the model's attributes, or ``values`` by
        name), or None after adding a problem for each field that cannot be written."""
        before = len(problems)
        out = []
        for c in self.codecs:
            t = c.decl.type
            try:
                if t in ("const", "filler"):
                    piece = c.write(None)
                elif t == "status":
                    piece = c.write((getattr(obj, "outcome", None), getattr(obj, "reason", None),
                                     getattr(obj, "bank_code", "")))
                elif t == "digest":
                    piece = c.write(values["digest"])
                elif c.decl.name == "bank_code" and "outcome" in self.by_name:
                    piece = c.write(self.bank_code_of(obj))
                else:
                    name = c.decl.name
                    value = values[name] if values is not None and name in values else getattr(obj, name)
                    piece = c.write(value)
            except KeyError as exc:
                problems.add(where, c.label, Phrase.of("format.engine.missing_value", name=str(exc)))
                continue
            except (ValueError, TypeError, AttributeError) as exc:
                problems.add(where, c.label, why(exc))
                continue
            out.append(piece)
        if len(problems) > before:
            return None
        if self.fixed:
            return b"".join(out)
        return self.delimiter.join(out) + (self.delimiter if self.trailing else "")


def _enum_values(d: FieldDecl) -> list:
    enum = CODE_ENUMS[d.name]
    return [enum(k) for k in d.codes]
