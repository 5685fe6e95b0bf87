"""The format object of a declared layout (registry name ``layout``)."""
from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any, BinaryIO

from bank_formats.base import DETECT_BYTES, FileKind, FormatError, Problem, Refused, WrittenFile
from bank_formats.carriage import LINE_TEXTS, Carriage, TextField
from bank_formats.layout.declaration import (
    ENCODINGS,
    FIELD_TYPES,
    MODEL,
    Declaration,
    builtin,
    declaration_from_dict,
)
from bank_formats.layout.files import FileCodec, LayoutReader, write_file
from i18n import Named, Phrase


class LayoutFormat:
    """A bank's own fixed-width or delimited layout, declared field by field in its profile.

        fmt = LayoutFormat(**profile_format_table)     # the [format] table without family
        fmt = LayoutFormat(declaration="fixed_width_gbk")   # a shipped layout
    """

    name = "layout"
    has_statements = False  # statements come in another format (ISO 20022, MT940, CSV) for now

    def __init__(self, schema_dir: Path | None = None, *, declaration: str | Mapping | None = None,
                 suffix: str = ".txt", **table: Any) -> None:
        self.schema_dir = schema_dir
        raw: dict[str, Any] = {}
        if isinstance(declaration, str):
            raw.update(builtin(declaration))
        elif isinstance(declaration, Mapping):
            raw.update(declaration)
        elif declaration is not None:
            raise Refused("format.declaration.at", path="declaration",
                          why=Phrase.of("format.declaration.layout_name", got=repr(declaration)))
        raw.update(table)
        if not isinstance(suffix, str) or not suffix.startswith(".") or "/" in suffix:
            raise Refused("format.declaration.at", path="suffix",
                          why=Phrase.of("format.declaration.suffix", got=repr(suffix)))
        self.file_suffix = suffix
        self.declaration: Declaration = declaration_from_dict(raw)
        d = self.declaration
        self.encoding = d.encoding
        self.encoding_label = ENCODINGS[d.encoding]
        self.line_ending = d.line_ending
        self.eol = d.line_ending.encode("ascii")
        codec = codecs.lookup(d.encoding)
        self.encode, self.decode = codec.encode, codec.decode
        self.values = dict(d.values)
        self._files = {kind: FileCodec(self, decl) for kind, decl in d.files.items()}

    def __repr__(self) -> str:
        return f"LayoutFormat({self.declaration.title!r}, {self.encoding_label}, kinds={sorted(self._files)})"

    # --- models ----------------------------------------------------------------------------

    @staticmethod
    def header_model(kind: str):
        return MODEL[(kind, "header")]

    @staticmethod
    def header_defaults(kind: str) -> dict[str, Any]:
        """Each header field's value when neither the file nor its name states it."""
        out = {}
        for f in fields(MODEL[(kind, "header")]):
            if f.default is not MISSING:
                out[f.name] = f.default
            else:
                out[f.name] = "" if FIELD_TYPES[f.name][0] == "text" else None
        return out

    def stated_in_file(self, kind: str) -> frozenset[str]:
        """The header fields a file of ``kind`` states in its own records (the others come from
        its name, or are counted)."""
        codec = self._files.get(kind)
        return frozenset() if codec is None else frozenset(codec.header_states | codec.trailer_states)

    def _file(self, kind: str, file: str) -> FileCodec:
        codec = self._files.get(kind)
        if codec is None:
            raise FormatError(file, [Problem.of("file", "layout", Phrase.of(
                "format.declaration.no_kind", kind=Named("format.file_kind", kind)))])
        return codec

    # --- the BankFormat interface ----------------------------------------------------------

    def write_payments(self, out: BinaryIO, header, lines: Iterable) -> WrittenFile:
        return write_file(self, self._file("payments", "<payment file>"), out, header, lines, "<payment file>")

    def read_payments(self, src: BinaryIO, name: str = "<payment file>") -> LayoutReader:
        return self._reader(self._file("payments", name), src, name)

    def write_results(self, out: BinaryIO, header, records: Iterable) -> WrittenFile:
        return write_file(self, self._file("results", "<result file>"), out, header, records, "<result file>")

    def read_results(self, src: BinaryIO, name: str = "<result file>") -> LayoutReader:
        return self._reader(self._file("results", name), src, name)

    def _reader(self, codec: FileCodec, src: BinaryIO, name: str):
        if codec.decl.lines == "strict":
            from bank_formats.layout.strict import StrictReader

            return StrictReader(self, codec, src, name)
        return LayoutReader(self, codec, src, name)

    def write_statement(self, out: BinaryIO, header, entries: Iterable) -> WrittenFile:
        raise FormatError("<statement>", [Problem.of("file", "layout", Phrase.of("format.declaration.no_statement"))])

    def read_statement(self, src: BinaryIO, name: str = "<statement>"):
        raise FormatError(name, [Problem.of("file", "layout", Phrase.of("format.declaration.no_statement"))])

    def detect(self, head: bytes) -> FileKind | None:
        """The kind whose header records the head of a file holds; None otherwise, never raising."""
        if not isinstance(head, (bytes, bytearray, memoryview)):
            return None
        head = bytes(head[:DETECT_BYTES])
        for kind, codec in self._files.items():
            if not codec.headers:
                continue
            lines = head.split(b"\n")
            if len(lines) <= len(codec.headers):
                continue  # every header record must end within the head
            try:
                LayoutReader(self, codec, io.BytesIO(b"\n".join(lines[:len(codec.headers)]) + b"\n"),
                             "<detect>", detecting=True)
            except Exception:  # noqa: BLE001 - detect never raises
                continue
            return kind  # type: ignore[return-value]
        return None

    def carriage(self) -> Carriage:
        """What a payment file carries: each declared text field's width in bytes of the encoding
        (texts the layout does not write carry anything); amounts and counts as wide as their fields."""
        made = self.__dict__.get("_carriage")
        if made is not None:
            return made
        codec = self._files.get("payments")
        detail = {} if codec is None else codec.details[-1].by_name
        header: dict = {}
        for h in [] if codec is None else codec.headers:
            header.update(getattr(h, "by_name", {}))

        def text(name: str, where: dict) -> TextField:
            c = where.get(name)
            if c is None:
                return TextField(name, None, False)
            return TextField(name, c.decl.width, c.decl.required)

        amount = detail.get("amount_fen")
        total = header.get("total_fen")
        count = header.get("count")
        fixed = codec is not None and codec.fixed
        made = self._carriage = Carriage(
            family=self.name, encoding=self.encoding, encoding_label=self.encoding_label, in_bytes=True,
            line=[text(n, detail) for n in LINE_TEXTS],
            header=[text(n, header) for n in ("file_id", "batch_id", "payer_account", "payer_name", "bank_code",
                                             "purpose")],
            max_amount_fen=amount.largest if amount is not None else 10**18 - 1,
            max_total_fen=total.largest if total is not None else 10**18 - 1,
            max_count=count.largest if count is not None else 10**18 - 1,
            separators=None if fixed or codec is None else {codec.decl.delimiter: "the field separator"},
            padded=fixed)
        return made
