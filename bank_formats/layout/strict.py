"""The reader of a delimited layout whose lines are strict (``lines = "strict"``), as the shipped
``delimited`` family's files are: the header on line 1 only, a digest line that ends the file.

A file is read in pieces of 256 KiB (lines up to ``max_line`` bytes, 1 MiB by default); CRLF and
LF may be mixed, a UTF-8 file may begin with a byte order mark. The digest line (the trailer:
its leading constants, ``S|SHA256|``, then 64 hex digits) is found wherever it is: it must name
the agreed algorithm, hold 64 hex digits and nothing after them, and be the last line; a file
without one is incomplete. Bytes the encoding cannot decode are reported by the field they are
in. A bad header is reported from the constructor after the whole file was read, with every
problem the file has. Messages are the family's (``wording = "delimited"``).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from bank_formats.base import FormatError, Skipped
from bank_formats.delimited.core import new_hasher
from bank_formats.fixed_width_gbk.fields import Problems
from bank_formats.layout.records import PAID, Compiled

if TYPE_CHECKING:
    from bank_formats.layout.files import FileCodec
    from bank_formats.layout.format import LayoutFormat

CHUNK = 256 * 1024
HEX64_RE = re.compile(r"[0-9A-Fa-f]{64}")
TOTAL_WORDS = {"paid_count": "paid records", "paid_fen": "fen paid", "failed_count": "failed records",
               "failed_fen": "fen failed"}


class StrictReader:
    """Reads one file of a strict delimited layout: ``header`` at once, the records by iterating."""

    def __init__(self, fmt: LayoutFormat, codec: FileCodec, src: BinaryIO, name: str) -> None:
        self.name = name
        self.skipped: list[Skipped] = []
        self._fmt = fmt
        self._codec = codec
        self._src = src
        self._problems = Problems()
        self._encoding = fmt.encoding
        self._sep = codec.decl.delimiter
        self._max_line = codec.decl.max_line
        trailer = codec.trailer
        consts = [c.write(None) for c in trailer.codecs if c.decl.type == "const"]
        self._trailer_fields = len(trailer.codecs)
        self._lead = (self._sep.join(consts[:1]) + self._sep).encode("ascii")
        self._algorithm = consts[1] if len(consts) > 1 else ""
        self._hasher = new_hasher(codec.digest.algorithm)
        self._head = codec.headers[0]
        self._what = "payment file" if codec.kind == "payments" else "result file"
        self._detail_names = [c.label for c in codec.details[-1].codecs]
        self._complete = False
        self.header = None
        self._gen = self._run()
        next(self._gen)  # reads the header; FormatError when it is bad (after the whole file)

    def __iter__(self):
        return self._gen

    def _run(self) -> Iterator:
        try:
            yield from self._read()
        except (FormatError, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 - a reader raises nothing but FormatError
            self._problems.add("file", "file", f"unexpected {type(exc).__name__}: {exc}")
            raise self._problems.error(self.name) from exc

    # --- scanning ---------------------------------------------------------------------------

    def _read_block(self) -> bytes | None:
        try:
            data = self._src.read(CHUNK)
        except OSError:
            raise  # reading failed (a dropped connection, a full disk): not a format problem
        except Exception as exc:  # noqa: BLE001 - e.g. the source is not a binary file
            self._problems.add("file", "file", f"cannot be read: {type(exc).__name__}: {exc}")
            return None
        if type(data) is bytes:
            return data
        if isinstance(data, (bytes, bytearray, memoryview)):
            return bytes(data)
        if data is None:
            self._problems.add("file", "file", "cannot be read: the source returned None")
        else:
            self._problems.add("file", "file", f"cannot be read: the source returned {type(data).__name__}, "
                                               f"not bytes")
        return None

    def _scan(self) -> Iterator[list[str | None]]:
        """Lists of decoded lines (None for one that could not be decoded), up to the digest line."""
        problems, hasher, lead = self._problems, self._hasher, self._lead
        inner = b"\n" + lead
        pending = b""
        lineno = 0
        while True:
            block = self._read_block()
            if block is None:
                return
            eof = not block
            if eof:
                part, pending = pending, b""
                if not part:
                    break
            else:
                data = pending + block if pending else block
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    pending = data
                    if len(pending) > self._max_line:
                        problems.add(f"line {lineno + 1}", "record_type",
                                     f"the line is longer than {self._max_line} bytes")
                        return
                    continue
                part, pending = data[:cut], data[cut:]
            if part.startswith(lead):
                s = 0
            else:
                s = part.find(inner)
                if s >= 0:
                    s += 1
            body = part if s < 0 else part[:s]
            if body:
                hasher.update(body)
                lines = self._decode(body, lineno)
                lineno += len(lines)
                yield lines
            if s >= 0:
                rest = part[s:]
                e = rest.find(b"\n")
                lineno += 1
                self._check_digest_line(rest if e < 0 else rest[:e], lineno)
                if (e >= 0 and e + 1 < len(rest)) or pending or (not eof and self._more()):
                    problems.add(f"line {lineno + 1}", "record_type",
                                 f"the file goes on after its digest line (line {lineno}), which must be the "
                                 f"last line")
                else:
                    self._complete = True
                return
            if eof:
                break
        problems.add(f"line {lineno + 1}", "digest",
                     f"the file ends after line {lineno} without its digest line "
                     f"({self._lead.decode('ascii')}{self._algorithm}|...): it is incomplete")

    def _more(self) -> bool:
        block = self._read_block()
        return block is None or bool(block)

    def _decode(self, body: bytes, lineno: int) -> list[str | None]:
        try:
            text = body.decode(self._encoding)
        except UnicodeDecodeError:
            return self._decode_each(body, lineno)
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        lines: list[str | None] = text.split("\n")  # type: ignore[assignment]
        if lines[-1] == "":
            lines.pop()
        return lines

    def _decode_each(self, body: bytes, lineno: int) -> list[str | None]:
        """Line by line, naming the field of bytes the encoding cannot decode."""
        enc, sep = self._encoding, self._sep
        raws = body.split(b"\n")
        if raws[-1] == b"":
            raws.pop()
        detail_type = self._codec.details[0].codecs[0].write(None) + sep
        out: list[str | None] = []
        for raw in raws:
            lineno += 1
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            try:
                out.append(raw.decode(enc))
                continue
            except UnicodeDecodeError as exc:
                start, end = exc.start, exc.end
            out.append(None)
            before = raw[:start].decode(enc, errors="replace")
            if lineno == 1:
                names = [c.label for c in self._head.codecs]
            elif before.startswith(detail_type):
                names = self._detail_names
            else:
                names = []
            index = before.count(sep)
            field = names[index] if index < len(names) else "record_type"
            self._problems.add(f"line {lineno}", field, f"bytes {raw[start:end]!r} are not valid {enc}")
        return out

    def _check_digest_line(self, raw: bytes, lineno: int) -> None:
        problems, where, alg = self._problems, f"line {lineno}", self._algorithm
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            problems.add(where, "digest", "the digest line is not ASCII text")
            return
        fields = text.split(self._sep)
        if len(fields) != self._trailer_fields:
            problems.add(where, "fields", f"{len(fields)} fields; a digest line has {self._trailer_fields} "
                                          f"({self._lead.decode('ascii')}{alg}|<hex digest>)")
            return
        if fields[1] != alg:
            problems.add(where, "algorithm", f"{fields[1]!r} is not the agreed {alg}")
            return
        stated = fields[-1]
        if HEX64_RE.fullmatch(stated) is None:
            problems.add(where, "digest", f"{stated!r} is not 64 hexadecimal digits")
            return
        actual = self._hasher.hexdigest()
        if stated.lower() != actual:
            problems.add(where, "digest", f"the {alg} digest of the file before this line is {actual}, the line "
                                          f"says {stated}: the file was changed or damaged")

    # --- records ------------------------------------------------------------------------------

    def _parse_header(self, text: str | None):
        if text is None:  # undecodable; its problem is recorded
            return None
        if text.startswith("\ufeff") and self._encoding == "utf-8":
            text = text[1:]
        head, p, w = self._head, self._problems, "line 1"
        fields = text.split(self._sep)
        if fields[0] != head.codecs[0].write(None):
            p.add(w, "record_type", f"record type {fields[0][:20]!r}: line 1 must be the {self._what} header "
                                    f"({head.codecs[0].write(None)})")
            return None
        if len(fields) != head.count:
            p.add(w, "fields", f"{len(fields)} fields; a {self._what} header has {head.count}")
            return None
        before = len(p)
        values = {}
        for c, raw in zip(head.codecs, fields):
            if c.decl.type in ("const", "filler"):
                continue
            try:
                values[c.decl.name] = c.read(raw)
            except ValueError as exc:
                p.add(w, c.label, str(exc))
        if len(p) > before:
            return None
        if self._codec.kind == "results" and values["count"] != values["paid_count"] + values["failed_count"]:
            p.add(w, "count", f"count {values['count']} is not paid {values['paid_count']} + failed "
                              f"{values['failed_count']}")
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
        for block in self._scan():
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
                before = len(p)
                prev = self._line_problems(f"line {count + 1}", text.split(self._sep), prev)
                if len(p) == before:  # cannot happen; never skip a line silently
                    p.add(f"line {count + 1}", "record_type", "the line cannot be read")
        if started and header is not None and self._complete:
            if count != header.count:
                p.add("line 1", "count", f"header says {header.count} {'records' if results else 'lines'}, "
                                         f"the file has {count}")
            if good == count:
                if results:
                    for k, actual in (("paid_count", paid_count), ("paid_fen", paid_fen),
                                      ("failed_count", failed_count), ("failed_fen", failed_fen)):
                        if getattr(header, k) != actual:
                            p.add("line 1", k, f"header says {getattr(header, k)} {TOTAL_WORDS[k]}, the records "
                                               f"have {actual}")
                elif total != header.total_fen:
                    p.add("line 1", "total_fen", f"header says {header.total_fen} fen, the lines add up to {total}")
        if not started:
            p.add("line 1", "record_type", "the file has no header line")
        if p or header is None:
            if not p:
                p.add("line 1", "record_type", "no header")
            raise p.error(self.name)

    def _line_problems(self, where: str, f: list[str], prev: int) -> int:
        """What is wrong with a detail line (seq, numbers, texts, then codes); the seq the next
        line must exceed."""
        codec, p = self._codec, self._problems
        variants = codec.details
        use: Compiled | None = next((v for v in variants if v.count == len(f)), None)
        kind = variants[0].codecs[0].write(None)
        if use is None or f[0] != kind:
            t = f[0]
            if t != kind:
                head = self._head.codecs[0].write(None)
                if t == head:
                    p.add(where, "record_type", f"a second header line ({head} is only on line 1)")
                else:
                    p.add(where, "record_type", f"record type {t[:20]!r} is not {kind} ({head} is only on "
                                                f"line 1, {self._lead.decode('ascii')[:-1]} on the last)")
            else:
                counts = str(variants[0].count)
                if len(variants) > 1:
                    counts += f" ({variants[1].count} with {' and '.join(codec.optional)})"
                p.add(where, "fields", f"{len(f)} fields; a detail line has {counts}")
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
                    p.add(where, "seq", str(exc))
                    continue
                if seq <= prev:
                    p.add(where, "seq", f"seq {seq} does not follow {prev}: seq must increase")
                prev = max(prev, seq)
                continue
            try:
                c.read(f[i])
            except (ValueError, KeyError) as exc:
                p.add(where, c.label, str(exc))
        return prev
