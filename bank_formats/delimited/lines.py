"""The readers of files that end with a digest line: the delimited family's statement
(``S|SHA256|<hex>``) and a declared layout with ``lines = "strict"`` (the family's payment and
result files). ``DigestLines`` is their one line scanner, ``Reader`` what they share besides.

A file is read in blocks (constant memory; a line longer than ``max_line`` bytes is a problem and
ends the reading). Lines may end with CRLF or LF, even mixed. Every byte before the digest line is
hashed; the digest line is found wherever it is (a line that starts with its leading constant):
it must name the agreed algorithm, hold 64 hex digits and nothing after them, and be the last
line; a file without one is incomplete. Bytes the encoding cannot decode are reported by the
field they are in.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from bank_formats.base import Problems, guarded, why
from bank_formats.delimited.core import parse_number
from i18n import Named, Phrase

CHUNK = 1 << 18  # bytes read at a time
MAX_LINE_BYTES = 1 << 20  # the longest line read (constant memory), unless a declaration says otherwise
HEX64_RE = re.compile(r"[0-9a-fA-F]{64}", re.ASCII)


class DigestLines:
    """Iterating yields lists of decoded lines (None for a line that could not be decoded, whose
    problem is recorded), from the first line to the one before the digest line; the digest line
    is checked at the end. ``complete``: the digest line was found, right or wrong, and was last.

    ``lead``: the digest line's leading constant and separator (``S|``); ``fields``: how many
    fields the digest line has (the hex digest is the last); ``header_fields``,
    ``detail_fields`` and ``detail_type``: the field names an undecodable byte is reported by, on
    line 1 and on a line that starts with the detail record type.
    """

    def __init__(self, src: BinaryIO, problems: Problems, *, encoding: str, hasher, algorithm: str,
                 sep: str, lead: str, fields: int, max_line: int, header_fields: tuple[str, ...] | list[str],
                 detail_fields: tuple[str, ...] | list[str], detail_type: str) -> None:
        self._src = src
        self._problems = problems
        self._encoding = encoding
        self._hasher = hasher
        self._algorithm = algorithm
        self._sep = sep
        self._lead_text = lead
        self._lead = lead.encode("ascii")
        self._fields = fields
        self._max_line = max_line
        self._header_fields = header_fields
        self._detail_fields = detail_fields
        self._detail_start = detail_type + sep
        self.complete = False

    def _read_block(self) -> bytes | None:
        """The next block of the source; None (after recording why) when it cannot be read."""
        try:
            data = self._src.read(CHUNK)
        except OSError:
            raise  # reading failed (a dropped connection, a full disk): not a format problem
        except Exception as exc:  # noqa: BLE001 - e.g. the source is not a binary file
            self._problems.add("file", "file", Phrase.of("format.cannot_read", error=f"{type(exc).__name__}: {exc}"))
            return None
        if type(data) is bytes:
            return data
        if isinstance(data, (bytes, bytearray, memoryview)):
            return bytes(data)
        if data is None:  # a non-blocking source with nothing to hand out
            self._problems.add("file", "file", Phrase.of("format.engine.source_none"))
        else:
            self._problems.add("file", "file", Phrase.of("format.engine.source_not_bytes", type=type(data).__name__))
        return None

    def __iter__(self) -> Iterator[list[str | None]]:
        problems, hasher, lead = self._problems, self._hasher, self._lead
        inner = b"\n" + lead
        pending = b""
        lineno = 0  # lines handed out so far
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
                                     Phrase.of("format.line_too_long", limit=self._max_line))
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
                    problems.add(f"line {lineno + 1}", "record_type", Phrase.of("format.engine.after_digest_line",
                                                                                line=lineno))
                else:
                    self.complete = True
                return
            if eof:
                break
        problems.add(f"line {lineno + 1}", "digest", Phrase.of("format.engine.no_digest_line", line=lineno,
                                                               lead=self._lead_text, algorithm=self._algorithm))

    def _more(self) -> bool:
        block = self._read_block()
        return block is None or bool(block)

    def _decode(self, body: bytes, lineno: int) -> list[str | None]:
        """The lines in ``body`` (which ends with a line ending unless it is the file's end)."""
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
                names = self._header_fields
            elif before.startswith(self._detail_start):
                names = self._detail_fields
            else:
                names = ()
            index = before.count(sep)
            field = names[index] if index < len(names) else "record_type"
            self._problems.add(f"line {lineno}", field, Phrase.of("format.bytes_not_valid", bad=repr(raw[start:end]),
                                                                  encoding=enc))
        return out

    def _check_digest_line(self, raw: bytes, lineno: int) -> None:
        problems, where, alg = self._problems, f"line {lineno}", self._algorithm
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            problems.add(where, "digest", Phrase.of("format.engine.digest_not_ascii"))
            return
        fields = text.split(self._sep)
        if len(fields) != self._fields:
            problems.add(where, "fields", Phrase.of("format.engine.digest_fields", count=len(fields),
                                                    expected=self._fields, lead=self._lead_text, algorithm=alg))
            return
        if fields[1] != alg:
            problems.add(where, "algorithm", Phrase.of("format.engine.not_agreed_algorithm", got=repr(fields[1]),
                                                       algorithm=alg))
            return
        stated = fields[-1]
        if HEX64_RE.fullmatch(stated) is None:
            problems.add(where, "digest", Phrase.of("format.engine.not_hex64", stated=repr(stated)))
            return
        actual = self._hasher.hexdigest()
        if stated.lower() != actual:
            problems.add(where, "digest", Phrase.of("format.line_digest_differs", algorithm=alg, actual=actual,
                                                    stated=stated))


class Reader:
    """What the readers share: the scanner, the header on line 1, the seq rule, the error handling.

    ``_start`` (called by the constructor) reads the header; FormatError when it is bad, after the
    whole file was read. Iterating yields the records; FormatError at the end when anything was
    wrong. A subclass sets ``_header_fields`` and ``_detail_fields`` (what problems call the
    fields) and defines ``_read``.
    """

    _header_fields: tuple[str, ...] | list[str] = ()
    _detail_fields: tuple[str, ...] | list[str] = ()

    def _start(self, src: BinaryIO, name: str, *, encoding: str, hasher, algorithm: str, sep: str = "|",
               header_type: str = "H", detail_type: str = "D", trailer_type: str = "S", digest_fields: int = 3,
               max_line: int = MAX_LINE_BYTES) -> None:
        self.name = name
        self._encoding = encoding
        self._sep = sep
        self._header_type, self._detail_type, self._trailer_type = header_type, detail_type, trailer_type
        self._problems = Problems()
        self._lines = DigestLines(src, self._problems, encoding=encoding, hasher=hasher, algorithm=algorithm,
                                  sep=sep, lead=trailer_type + sep, fields=digest_fields, max_line=max_line,
                                  header_fields=self._header_fields, detail_fields=self._detail_fields,
                                  detail_type=detail_type)
        self.header = None
        self._gen = guarded(self._read(), self._problems, name)
        next(self._gen)  # reads the header; FormatError when it is bad (after the whole file)

    def __iter__(self):
        return self._gen

    def _read(self) -> Iterator:  # pragma: no cover - defined by each reader
        raise NotImplementedError

    def _split_header(self, text: str | None, count: int, what: str) -> list[str] | None:
        """Line 1's fields, or None after recording why it is no header of ``count`` fields."""
        if text is None:  # undecodable; its problem is recorded
            return None
        if text.startswith("\ufeff") and self._encoding == "utf-8":
            text = text[1:]  # a byte order mark (some Windows tools write one)
        fields = text.split(self._sep)
        p, head = self._problems, self._header_type
        if fields[0] != head:
            p.add("line 1", "record_type", Phrase.of("format.not_header_line", type=repr(fields[0][:20]),
                                                     what=Named("format_file", what), head=head))
            return None
        if len(fields) != count:
            p.add("line 1", "fields", Phrase.of("format.header_fields", count=len(fields),
                                                what=Named("format_file", what), expected=count))
            return None
        return fields

    def _seq_after(self, where: str, text: str, prev: int) -> int:
        """Records what is wrong with a detail line's seq; the seq the next line must exceed."""
        try:
            seq = parse_number(text)
        except ValueError as exc:
            self._problems.add(where, "seq", why(exc))
            return prev
        if seq == 0:
            self._problems.add(where, "seq", Phrase.of("format.seq_zero"))
        elif seq <= prev:
            self._problems.add(where, "seq", Phrase.of("format.seq_must_increase", seq=seq, last=prev))
        return max(prev, seq)

    def _finish(self, started: bool, header: object) -> None:
        """Raises the FormatError listing every problem, if there was any (or no header)."""
        problems = self._problems
        if not started:
            problems.add("line 1", "record_type", Phrase.of("format.no_header_line"))
        if problems or header is None:
            if not problems:
                problems.add("line 1", "record_type", Phrase.of("format.engine.no_header"))
            raise problems.error(self.name)

    def _bad_line(self, check, where: str, fields: list[str], prev: int) -> int:
        before = len(self._problems)
        prev = check(where, fields, prev)
        if len(self._problems) == before:  # cannot happen; never skip a line silently
            self._problems.add(where, "record_type", Phrase.of("format.engine.line_unreadable"))
        return prev

    def _record_type_problem(self, where: str, fields: list[str], count: int | str) -> None:
        """``count``: how many fields a detail line has, as the message says it ("7 (9 with ...)")."""
        t, p = fields[0], self._problems
        head, detail = self._header_type, self._detail_type
        if t != detail:
            if t == head:
                p.add(where, "record_type", Phrase.of("format.second_header_line", head=head))
            else:
                p.add(where, "record_type", Phrase.of("format.not_detail_line", type=repr(t[:20]), detail=detail,
                                                      head=head, trailer=self._trailer_type))
        else:
            p.add(where, "fields", Phrase.of("format.detail_fields", count=len(fields), expected=count))
