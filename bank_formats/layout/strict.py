"""The reader of a delimited layout whose lines are strict (``lines = "strict"``), as the shipped
``delimited`` family's files are: the header on line 1 only, a digest line that ends the file.

A file is read in pieces of 256 KiB (lines up to ``max_line`` bytes, 1 MiB by default); CRLF and
LF may be mixed, a UTF-8 file may begin with a byte order mark. The digest line (the trailer:
its leading constants, ``S|SHA256|``, then 64 hex digits) is found wherever it is: it must name
the agreed algorithm, hold 64 hex digits and nothing after them, and be the last line; a file
without one is incomplete. Bytes the encoding cannot decode are reported by the field they are
in. A bad header is reported from the constructor after the whole file was read, with every
problem the file has. Messages are the family's (``wording = "delimited"``). The scanner, and
what else this reader shares with the family's statement reader, is
``bank_formats.delimited.lines``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from bank_formats.base import Skipped, why
from bank_formats.delimited.core import new_hasher
from bank_formats.delimited.lines import Reader
from bank_formats.layout.records import PAID, Compiled
from i18n import Phrase

if TYPE_CHECKING:
    from bank_formats.layout.files import FileCodec
    from bank_formats.layout.format import LayoutFormat


class StrictReader(Reader):
    """Reads one file of a strict delimited layout: ``header`` at once, the records by iterating."""

    def __init__(self, fmt: LayoutFormat, codec: FileCodec, src: BinaryIO, name: str) -> None:
        self.skipped: list[Skipped] = []
        self._fmt = fmt
        self._codec = codec
        trailer = codec.trailer
        consts = [c.write(None) for c in trailer.codecs if c.decl.type == "const"]
        self._head = codec.headers[0]
        self._what = "payment file" if codec.kind == "payments" else "result file"
        self._header_fields = [c.label for c in self._head.codecs]
        self._detail_fields = [c.label for c in codec.details[-1].codecs]
        self._start(src, name, encoding=fmt.encoding, hasher=new_hasher(codec.digest.algorithm),
                    algorithm=consts[1] if len(consts) > 1 else "", sep=codec.decl.delimiter,
                    header_type=self._head.codecs[0].write(None),
                    detail_type=codec.details[0].codecs[0].write(None), trailer_type=consts[0],
                    digest_fields=len(trailer.codecs), max_line=codec.decl.max_line)

    # --- records ------------------------------------------------------------------------------

    def _parse_header(self, text: str | None):
        head, p, w = self._head, self._problems, "line 1"
        fields = self._split_header(text, head.count, self._what)
        if fields is None:
            return None
        before = len(p)
        values = {}
        for c, raw in zip(head.codecs, fields):
            if c.decl.type in ("const", "filler"):
                continue
            try:
                values[c.decl.name] = c.read(raw)
            except ValueError as exc:
                p.add(w, c.label, why(exc))
        if len(p) > before:
            return None
        if self._codec.kind == "results" and values["count"] != values["paid_count"] + values["failed_count"]:
            p.add(w, "count", Phrase.of("format.count_not_sum", count=values["count"], paid=values["paid_count"],
                                         failed=values["failed_count"]))
            return None
        model = self._fmt.header_model(self._codec.kind)
        return model(**{n: values.get(n, d) for n, d in self._fmt.header_defaults(self._codec.kind).items()})

    def _read(self) -> Iterator:
        codec, p = self._codec, self._problems
        results = codec.kind == "results"
        variants = codec.details
        fast = variants[0].read_fast
        longer = variants[1].read_fast if len(variants) > 1 else None
        header = None
        started = False
        count = good = prev = total = paid_count = paid_fen = failed_count = failed_fen = 0
        for block in self._lines:
            if not started:
                started = True
                header = self._parse_header(block[0])
                if header is not None:
                    self.header = header
                    yield None
                block = block[1:]
            for text in block:
                count += 1
                if text is None:
                    continue
                try:
                    rec = fast(text)
                except Exception:  # noqa: BLE001 - the careful path says what
                    rec = None
                    if longer is not None:
                        try:
                            rec = longer(text)
                        except Exception:  # noqa: BLE001
                            rec = None
                if rec is not None and rec.seq > prev:
                    prev = rec.seq
                    good += 1
                    if results:
                        if rec.outcome is PAID:
                            paid_count += 1
                            paid_fen += rec.amount_fen
                        else:
                            failed_count += 1
                            failed_fen += rec.amount_fen
                    else:
                        total += rec.amount_fen
                    if header is not None:
                        yield rec
                    continue
                prev = self._bad_line(self._line_problems, f"line {count + 1}", text.split(self._sep), prev)
        if started and header is not None and self._lines.complete:
            if count != header.count:
                p.add("line 1", "count", Phrase.of("format.count_differs" if results else "format.line_count_differs",
                                                   stated=header.count, seen=count))
            if good == count:
                if results:
                    for k, actual in (("paid_count", paid_count), ("paid_fen", paid_fen),
                                      ("failed_count", failed_count), ("failed_fen", failed_fen)):
                        if getattr(header, k) != actual:
                            p.add("line 1", k, Phrase.of("format.total_have", stated=getattr(header, k),
                                                         what=Phrase.of(f"format.total.{k}"), actual=actual))
                elif total != header.total_fen:
                    p.add("line 1", "total_fen", Phrase.of("format.lines_fen_differs", stated=header.total_fen,
                                                                actual=total))
        self._finish(started, header)

    def _line_problems(self, where: str, f: list[str], prev: int) -> int:
        """What is wrong with a detail line (seq, numbers, texts, then codes); the seq the next
        line must exceed."""
        codec, p = self._codec, self._problems
        variants = codec.details
        use: Compiled | None = next((v for v in variants if v.count == len(f)), None)
        if use is None or f[0] != self._detail_type:
            counts = str(variants[0].count)
            if len(variants) > 1:
                counts += f" ({variants[1].count} with {' and '.join(codec.optional)})"
            self._record_type_problem(where, f, counts)
            return prev
        order = sorted(range(use.count), key=lambda i: (
            0 if use.codecs[i].decl.name == "seq" else 1 if use.codecs[i].decl.type in ("int", "amount")
            else 2 if use.codecs[i].decl.type == "text" else 3, i))
        for i in order:
            c = use.codecs[i]
            if c.decl.type in ("const", "filler"):
                continue
            if c.decl.name == "seq":
                try:
                    seq = c.read(f[i])
                except ValueError as exc:
                    p.add(where, "seq", why(exc))
                    continue
                if seq <= prev:
                    p.add(where, "seq", Phrase.of("format.seq_must_increase", seq=seq, last=prev))
                prev = max(prev, seq)
                continue
            try:
                c.read(f[i])
            except (ValueError, KeyError) as exc:
                p.add(where, c.label, why(exc))
        return prev
