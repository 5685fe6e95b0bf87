"""The readers and writers of a declared layout: header records, detail records, a trailer.

Readers stream the file in pieces (constant memory), parse the header records when made
(``FormatError`` at once when they are wrong) and yield the detail records that are right; at
the end they raise one ``FormatError`` listing every problem (``where`` = "line N", ``field`` =
the model field or ``record``), including control totals that do not match and a digest that
does not. A layout whose header states no count (the result reports of some banks carry none)
is read in two passes of a seekable file, the first only counting. Writers check every record,
write the right ones and raise one ``FormatError`` at the end (the caller writes to a temporary
file); a trailer with a digest is written only when nothing was wrong, so a failed file never
looks complete.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, BinaryIO

from bank_formats.base import FormatError, Problems, Skipped, WrittenFile, guarded, why
from bank_formats.delimited.core import new_hasher
from bank_formats.layout.codecs import LINEBREAK_RE, paid_with_reason
from bank_formats.layout.declaration import FileDecl, header_field_names, template_names
from bank_formats.layout.records import CONTROL_BYTES, PAID, Compiled
from bank_formats.layout.wording import WORDINGS
from domain.model import FailureReason, PaymentOutcome, payment_message_id
from i18n import Named, Phrase

if TYPE_CHECKING:
    from bank_formats.layout.format import LayoutFormat

CHUNK = 256 * 1024
MAX_LINE = 64 * 1024  # a longer line is reported, not kept
MAX_FIXED_LINE = 8 * 1024  # (a fixed layout's: a longer line cannot be one of its records)
OVERLONG = object()  # what _lines gives for a line longer than the layout's limit
EOL_LABELS = {"\r\n": "CRLF", "\n": "LF"}
# what a message calls the longer variant of a record by its first optional field
OPTIONAL_WORDS = {"bank_ref": "the bank's reference", "name": "the beneficiary's name"}
BOM = b"\xef\xbb\xbf"
END = object()  # after the last line

# the control totals a header or trailer may state, and what each counts
TOTALS = {
    "payments": ("count", "total_fen"),
    "results": ("count", "paid_count", "paid_fen", "failed_count", "failed_fen"),
}


def _looks_utf8(data: bytes) -> bool:
    """Whether ``data`` (a file's first piece) holds non-ASCII text that is valid UTF-8: text in
    GBK or GB18030 practically never is (a Chinese character's second byte is not a UTF-8
    continuation byte but for a few pairs, such as 亍, D8 A1: so a fixed layout, whose record
    lengths in bytes tell a re-encoded file anyway, does not ask)."""
    if data.isascii():
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


class Template:
    """A ``line`` record: literal text with ``{name}`` values, read by a regular expression."""

    def __init__(self, line: str, header_fields: tuple[str, ...]):
        self.line = line
        self.names = template_names(line)
        pattern = ""
        pos = 0
        for m in re.finditer(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", line):
            pattern += re.escape(line[pos:m.start()]) + f"(?P<{m.group(1)}>.*?)"
            pos = m.end()
        self.regex = re.compile(pattern + re.escape(line[pos:]) + r"\s*")
        self.model_names = [n for n in self.names if n in header_fields]

    def read(self, text: str) -> dict | None:
        m = self.regex.fullmatch(text)
        return None if m is None else m.groupdict()

    def write(self, values: dict) -> str:
        return self.line.format(**{n: values.get(n, "") for n in self.names})


class FileCodec:
    """One kind of file of a layout, compiled: header records, detail variants, trailer."""

    def __init__(self, fmt: LayoutFormat, decl: FileDecl) -> None:
        self.decl = decl
        self.kind = decl.kind
        self.fixed = decl.layout == "fixed"
        kw = dict(fixed=self.fixed, encoding=fmt.encoding, encoding_label=fmt.encoding_label,
                  delimiter=decl.delimiter, trailing=decl.trailing_delimiter, reasons=decl.reasons,
                  numbers=decl.numbers, wording=decl.wording)
        model_header = header_field_names(decl.kind)
        self.headers: list[Compiled | Template] = [
            Template(h.line, model_header) if h.line else Compiled(decl.kind, h, h.fields, **kw)
            for h in decl.headers]
        d = decl.detail
        full = Compiled(decl.kind, d, d.fields, **kw)
        required = tuple(f for f in d.fields if not f.optional)
        # the variants of the detail record, the plain one first; told apart by length or count
        self.details = [full] if len(required) == len(d.fields) else [
            Compiled(decl.kind, d, required, **kw), full]
        self.optional = tuple(f.name for f in d.fields if f.optional)
        t = decl.trailer
        self.trailer = None
        if t is not None:
            self.trailer = Template(t.line, model_header) if t.line else Compiled(decl.kind, t, t.fields, **kw)
        stated = set()
        for h in self.headers:
            stated |= set(h.model_names if isinstance(h, Template) else h.by_name)
        self.header_states = stated
        trailer_names = set()
        if isinstance(self.trailer, Compiled):
            trailer_names = set(self.trailer.by_name)
        self.trailer_states = trailer_names
        self.digest = next((c.decl for c in getattr(self.trailer, "codecs", ()) if c.decl.type == "digest"), None)
        # a header that states no count is completed by a counting pass first
        self.needs_count = "count" not in stated
        self.totals = TOTALS[decl.kind]


# --- reading -----------------------------------------------------------------------------


class LayoutReader:
    """Reads one file of a declared layout: ``header`` at once, the records by iterating."""

    def __init__(self, fmt: LayoutFormat, codec: FileCodec, src: BinaryIO, name: str, *,
                 detecting: bool = False) -> None:
        self.name = name
        self._detecting = detecting
        self.skipped: list[Skipped] = []
        self._fmt = fmt
        self._codec = codec
        self._src = src
        self._problems = Problems()
        self._decode = fmt.decode
        self._gen = None
        self._tally = None
        self._hasher = None
        try:
            self._start = src.tell() if codec.needs_count else 0
        except (OSError, AttributeError, ValueError):
            self._start = None
        if codec.needs_count and not detecting:
            self._tally = self._count_pass()
        self.header = self._read_header()

    # lines ----------------------------------------------------------------------------------

    def _lines(self) -> Iterator[tuple[int, bytes, bool]]:
        """(line number, the line without its line ending, whether it had one), streamed; a line
        longer than the limit is OVERLONG instead of its bytes.

        A delimited layout's lines may end with CRLF or LF, even mixed. A fixed layout's records
        are counted in bytes, so its line ending is the declared one: with CRLF, a line ending
        with LF alone is reported (and read); with LF, a CR is a byte of the record."""
        src = self._src
        fixed = self._codec.fixed
        strict_crlf = fixed and self._fmt.eol == b"\r\n"
        keep_cr = fixed and not strict_crlf
        lf_seen = False
        limit = max(MAX_FIXED_LINE, 2 * max(d.length for d in self._codec.details)) if fixed else MAX_LINE
        carry = b""
        lineno = 0
        skipping = False
        first = True
        hasher = self._hasher
        held = None  # (digest) the last line's bytes, hashed once a line follows it
        while True:
            try:
                data = src.read(CHUNK)
            except OSError:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. a source that is not a binary file
                self._problems.add("file", "file", Phrase.of("format.cannot_read", error=f"{type(exc).__name__}: {exc}"))
                return
            if data is None:
                data = b""
            if not isinstance(data, (bytes, bytearray, memoryview)):
                self._problems.add("file", "file", Phrase.of("format.read_not_bytes", type=type(data).__name__))
                return
            data = bytes(data)
            if first and data:
                first = False
                if data.startswith(BOM) and self._fmt.encoding == "utf-8":
                    data = data[3:]
                elif self._fmt.encoding != "utf-8" and not fixed and _looks_utf8(data):
                    # GBK decodes most byte pairs, so a UTF-8 file would read as other characters
                    self._problems.add("file", "encoding", Phrase.of("format.utf8_not_layout",
                                                                     encoding=self._fmt.encoding_label))
                    return
            if not data:
                if hasher is not None and carry and held is not None:
                    hasher.update(held)  # the last line has no line ending: the one before is not the last
                if carry and not skipping:
                    lineno += 1
                    yield lineno, carry if keep_cr else carry.removesuffix(b"\r"), False
                return
            if skipping:
                nl = data.find(b"\n")
                if nl < 0:
                    continue
                skipping = False
                data = data[nl + 1:]
            lines = (carry + data).split(b"\n") if carry else data.split(b"\n")
            carry = lines.pop()
            if hasher is not None and lines:
                if held is not None:
                    hasher.update(held)
                hasher.update(b"\n".join(lines[:-1]) + b"\n" if len(lines) > 1 else b"")
                held = lines[-1] + b"\n"
            if keep_cr:
                for line in lines:
                    lineno += 1
                    yield lineno, line, True
            elif strict_crlf:
                for line in lines:
                    lineno += 1
                    if line[-1:] == b"\r":
                        yield lineno, line[:-1], True
                    else:
                        if not lf_seen:  # (once: a file converted to LF would say it on every line)
                            lf_seen = True
                            self._problems.add(f"line {lineno}", "line_ending", Phrase.of("format.lf_not_crlf"))
                        yield lineno, line, True
            else:
                for line in lines:
                    lineno += 1
                    yield lineno, line[:-1] if line[-1:] == b"\r" else line, True
            if len(carry) > limit:
                lineno += 1
                yield lineno, OVERLONG, True
                carry = b""
                skipping = True

    def _overlong(self, where: str, rec) -> None:
        """A line too long to be kept: what the record should have been."""
        if self._codec.fixed and isinstance(rec, Compiled):
            limit = max(MAX_FIXED_LINE, 2 * max(d.length for d in self._codec.details))
            self._problems.add(where, "record", Phrase.of("format.record_too_long", limit=limit, title=rec.title,
                                                          length=rec.length, also=self._also(rec)))
        else:
            self._problems.add(where, "record", Phrase.of("format.line_too_long", limit=MAX_LINE))

    def _also(self, rec) -> Phrase | str:
        """For a detail record with a longer variant: " (259 with the bank's reference)"."""
        details = self._codec.details
        if rec is not details[0] or len(details) < 2 or not self._codec.fixed:
            return ""
        first = self._codec.optional[0]
        what = Phrase.of(f"format.optional.{first}") if first in OPTIONAL_WORDS else first
        return Phrase.of("format.also", length=details[1].length, what=what)

    def _cut_short(self, where: str, line: bytes, rec) -> None:
        """The last line, without a line ending: the file was cut short."""
        if self._codec.fixed and isinstance(rec, Compiled):
            expected = rec.length
            if rec is self._codec.details[0] and len(self._codec.details) > 1 and len(line) > expected:
                expected = self._codec.details[1].length
            if len(line) < expected:
                self._problems.add(where, "record", Phrase.of("format.cut_mid_record", got=len(line),
                                                              expected=expected))
                return
        self._problems.add(where, "record", Phrase.of("format.no_line_ending", eol=EOL_LABELS[self._fmt.line_ending]))

    def _read_header(self):
        codec, p = self._codec, self._problems
        values: dict = {}
        if codec.digest is not None:
            self._hasher = new_hasher(codec.digest.algorithm)
        self._line_iter = self._lines()
        for i, rec in enumerate(codec.headers):
            item = next(self._line_iter, None)
            where = f"line {i + 1}"
            if item is None:
                if not p:  # (a source that could not be read says so already)
                    p.add(where, "record", Phrase.of("format.ends_before_header" if i else "format.no_header"))
                raise p.error(self.name)
            _, line, ended = item
            if line is OVERLONG:
                self._overlong(where, rec)
                raise p.error(self.name)
            if not ended:
                self._cut_short(where, line, rec)
                raise p.error(self.name)
            got = self._header_record(rec, line, where)
            if got is None:
                raise p.error(self.name)
            values.update(got)
        self._header_lines = len(codec.headers)
        if codec.decl.name_pattern is not None and not self._detecting:
            m = codec.decl.name_pattern.search(self.name)
            if m is None:
                p.add("file", "name", Phrase.of("format.name_pattern", name=repr(self.name),
                                                pattern=repr(codec.decl.name_pattern.pattern)))
                raise p.error(self.name)
            named = m.groupdict()
            for k, v in named.items():
                if v is not None and k != "round":
                    values.setdefault(k, v)
            if "batch_id" in named and named["batch_id"]:
                # the batch and the re-issue number our payment file names carry ({batch}, or
                # {batch}-R{round} for a re-issue) say which of our files this is, or answers
                ours = payment_message_id(named["batch_id"], int(named.get("round") or 0))
                values.setdefault("file_id" if codec.kind == "payments" else "original_file_id", ours)
        if self._tally is not None:
            for k in codec.totals:
                values.setdefault(k, self._tally[k])
        if codec.kind == "results" and "count" in values and not self._tally:
            if all(k in values for k in ("paid_count", "failed_count")) and \
                    values["count"] != values["paid_count"] + values["failed_count"]:
                p.add("line 1", "count", Phrase.of("format.count_not_sum", count=values["count"],
                                                   paid=values["paid_count"], failed=values["failed_count"]))
                raise p.error(self.name)
        model = self._fmt.header_model(codec.kind)
        return model(**{n: values.get(n, d) for n, d in self._fmt.header_defaults(codec.kind).items()})

    def _decoded(self, line: bytes, where: str):
        try:
            text = self._decode(line)[0]
        except UnicodeDecodeError as exc:
            self._problems.add(where, "record", Phrase.of("format.not_in_encoding", encoding=self._fmt.encoding_label,
                                                          bad=repr(line[exc.start:exc.end]), at=exc.start + 1))
            return None
        return text

    def _header_record(self, rec, line: bytes, where: str) -> dict | None:
        p = self._problems
        if isinstance(rec, Template):
            text = self._decoded(line, where)
            if text is None:
                return None
            got = rec.read(text)
            if got is None:
                p.add(where, "record", Phrase.of("format.not_template_line", line=repr(rec.line)))
                return None
            return {k: v for k, v in got.items() if k in rec.model_names}
        raw = line if rec.fixed else self._decoded(line, where)
        if raw is None:
            return None
        return rec.read_values(raw, where, p)

    # records --------------------------------------------------------------------------------

    def __iter__(self):
        if self._gen is None:
            self._gen = guarded(self._records(self._line_iter, self._header_lines, counting=False), self._problems,
                                self.name)
        return self._gen

    def _count_pass(self) -> dict:
        """The totals of a file whose header states none: a first, counting pass."""
        if self._start is None or not getattr(self._src, "seekable", lambda: False)():
            self._problems.add("file", "file", Phrase.of("format.needs_seekable"))
            raise self._problems.error(self.name)
        lines = self._lines()
        for _ in self._codec.headers:
            next(lines, None)
        tally: dict = {}
        saved, self._problems = self._problems, Problems()
        try:
            for _ in self._records(lines, len(self._codec.headers), counting=True, tally=tally):
                pass
        except FormatError:
            pass
        finally:
            self._problems = saved
        self._src.seek(self._start)
        return tally

    def _records(self, lines, header_lines: int, *, counting: bool, tally: dict | None = None):
        codec, p = self._codec, self._problems
        fixed = codec.fixed
        variants = codec.details
        plain = variants[0]
        fast = plain.read_fast
        length = plain.length
        longer = variants[1] if len(variants) > 1 else None
        decode = self._decode
        control = CONTROL_BYTES
        control_re = LINEBREAK_RE.search  # (delimited: a line holds no other line break)
        has_trailer = codec.trailer is not None
        hasher = self._hasher if not counting else None
        results = codec.kind == "results"
        seen = good = last = total = paid_count = paid_fen = failed_count = failed_fen = 0
        pending = None  # the line held back: it may be the trailer
        lineno = header_lines
        trailer_item = None
        missing_trailer = False
        skip_blank = codec.decl.blank_lines == "skip"
        for item in chain(lines, (END,)) if has_trailer else lines:
            if has_trailer:
                if item is END:
                    # the last line: the trailer, unless it is a detail record (the trailer was lost)
                    if pending is None or (pending[1] is not OVERLONG and self._is_trailer(pending[1])):
                        trailer_item = pending
                        missing_trailer = pending is None
                        break
                    item, pending, missing_trailer = pending, None, True
                else:
                    item, pending = pending, item
                    if item is None:
                        continue
            lineno, line, ended = item
            if line is OVERLONG:
                seen += 1
                self._overlong(f"line {lineno}", plain)
                continue
            if skip_blank and ended and not line.strip(b" \t"):  # (some banks end their reports with one)
                if not counting:
                    self.skipped.append(Skipped.of(f"line {lineno}", "BLANK_LINE", Phrase.of("format.skip.empty_line")))
                continue
            seen += 1
            if not ended:
                self._cut_short(f"line {lineno}", line, plain)
                continue
            rec = None
            try:
                if fixed:
                    if len(line) == length and len(line.translate(None, control)) == length:
                        rec = fast(line)
                    elif longer is not None and len(line) == longer.length \
                            and len(line.translate(None, control)) == len(line):
                        rec = longer.read_fast(line)
                else:
                    text = decode(line)[0]
                    if control_re(text) is None:
                        try:
                            rec = fast(text)
                        except Exception:  # noqa: BLE001 - the careful path says what
                            if longer is None:
                                raise
                            rec = longer.read_fast(text)
            except Exception:  # noqa: BLE001 - the careful path says what
                rec = None
            if rec is None:
                rec = self._detail_slow(line, f"line {lineno}")
                if rec is None:
                    continue
            seq = rec.seq
            if seq <= last:
                p.add(f"line {lineno}", "seq", Phrase.of("format.seq_not_increasing", seq=seq, last=last))
                continue
            last = seq
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
            if not counting:
                yield rec
        trailer_values = None
        if has_trailer:
            if missing_trailer:
                p.add(f"line {lineno + 1}", "digest" if codec.digest is not None else "record",
                      Phrase.of("format.no_trailer", line=lineno))
            else:
                t_lineno, t_line, t_ended = trailer_item
                trailer_values = self._header_record(codec.trailer, t_line, f"line {t_lineno}")
                if trailer_values is not None and hasher is not None:
                    stated = trailer_values.get("digest", b"")
                    stated = stated.decode("ascii", "replace") if isinstance(stated, bytes) else stated
                    actual = hasher.hexdigest()
                    if stated.strip().lower() != actual:
                        p.add(f"line {t_lineno}", "digest", Phrase.of("format.digest_differs", actual=actual,
                                                                      stated=stated.strip()))
        if tally is not None:
            tally.update(count=seen, total_fen=total, paid_count=paid_count, paid_fen=paid_fen,
                         failed_count=failed_count, failed_fen=failed_fen)
        actual = {"count": seen, "total_fen": total, "paid_count": paid_count, "paid_fen": paid_fen,
                  "failed_count": failed_count, "failed_fen": failed_fen}
        if not counting:
            header = self.header
            stated = {k: getattr(header, k) for k in codec.totals if k in codec.header_states}
            for k, v in (trailer_values or {}).items():
                if k in codec.totals:
                    stated[k] = v
            # a file that lost its trailer is cut short: its totals say nothing more (a record cut
            # in two still counts as one, so a file cut after a whole record is caught by its count)
            counted = "count" not in stated or stated["count"] == seen
            if not counted and not missing_trailer:
                p.add("line 1", "count", Phrase.of("format.count_differs", stated=stated["count"], seen=seen))
            if good == seen and not missing_trailer and (counted or results):
                for k, v in stated.items():
                    if k != "count" and v != actual[k]:
                        p.add("line 1", k, _totals_differ(k, v, actual[k]))
            if self._tally is not None and self._tally.get("count") != seen:
                p.add("file", "file", Phrase.of("format.file_changed"))
        if p:
            raise p.error(self.name)

    def _is_trailer(self, line: bytes) -> bool:
        """Whether the last line is the trailer: its leading constants are the trailer's."""
        trailer = self._codec.trailer
        if isinstance(trailer, Template):
            text = self._decode(line, "replace")[0]
            return trailer.read(text) is not None
        lead = []
        for c in trailer.codecs:
            if c.decl.type != "const":
                break
            lead.append(c.write(None))
        if not lead:
            return True
        if trailer.fixed:
            return line.startswith(b"".join(lead))
        text = self._decode(line, "replace")[0]
        return text.split(trailer.delimiter)[:len(lead)] == lead

    def _second_header(self, raw: bytes, detail: Compiled, where: str) -> bool:
        """Whether a fixed record begins with the header's record type instead of its own
        (a header record written twice); adds the problem."""
        first = self._codec.headers[0] if self._codec.headers else None
        if not isinstance(first, Compiled) or first.codecs[0].decl.label != "record_type" \
                or detail.codecs[0].decl.label != "record_type":
            return False
        mine, theirs = detail.codecs[0].write(None), first.codecs[0].write(None)
        if raw.startswith(mine) or not raw.startswith(theirs):
            return False
        self._problems.add(where, "record_type", Phrase.of("format.second_header",
                                                           expected=repr(detail.codecs[0].decl.value)))
        return True

    def _detail_slow(self, line: bytes, where: str):
        codec, p = self._codec, self._problems
        if codec.fixed:
            raw = line  # (a control character is found in its field)
        else:
            raw = self._decoded(line, where)
            if raw is None:
                return None
            bad = LINEBREAK_RE.search(raw)
            if bad:
                p.add(where, "record", Phrase.of("format.control_char", code=f"{ord(bad.group()):04X}"))
                return None
        variant = codec.details[0]
        if len(codec.details) > 1:
            longer = codec.details[1]
            if (codec.fixed and len(raw) == longer.length) or (
                    not codec.fixed and not isinstance(longer.split(raw), str)):
                variant = longer
        if codec.fixed and len(raw) != variant.length:
            plain = codec.details[0]
            p.add(where, "record", Phrase.of("format.record_length", length=len(raw), title=plain.title,
                                             expected=plain.length, also=self._also(plain)))
            return None
        if codec.fixed and self._second_header(raw, variant, where):
            return None
        values = variant.read_values(raw, where, p)
        if values is None:
            return None
        return variant.make(values)


# --- writing -----------------------------------------------------------------------------


def write_file(fmt: LayoutFormat, codec: FileCodec, out: BinaryIO, header, records: Iterable,
               file_label: str) -> WrittenFile:
    p = Problems()
    words = WORDINGS[codec.decl.wording]
    eol = fmt.eol
    eol_text = fmt.line_ending
    encode = fmt.encode
    hasher = new_hasher(codec.digest.algorithm) if codec.digest is not None else None
    size = 0
    head_values = dict(fmt.values)
    for n in fmt.header_defaults(codec.kind):
        head_values[n] = getattr(header, n, None)
    head = []
    for i, rec in enumerate(codec.headers):
        where = f"line {i + 1}"
        if isinstance(rec, Template):
            text = rec.write({k: ("" if v is None else str(v)) for k, v in head_values.items()})
            try:
                head.append(encode(text)[0] + eol)
            except UnicodeEncodeError as exc:
                p.add(where, "record", _unencodable(fmt, exc))
            continue
        piece = rec.write_slow(header, where, p, head_values)
        if piece is not None:
            head.append((piece if rec.fixed else encode(piece)[0]) + eol)
    if codec.kind == "results" and all(type(getattr(header, k, None)) is int for k in
                                        ("count", "paid_count", "failed_count")) \
            and header.count != header.paid_count + header.failed_count:
        p.add("line 1", "count", Phrase.of("format.count_not_sum", count=header.count, paid=header.paid_count,
                                           failed=header.failed_count))
        if words.counts_refused:
            head = []  # (no totals are checked against a header that cannot be written)
    head_ok = len(head) == len(codec.headers)
    if head_ok and not p:
        data = b"".join(head)
        out.write(data)
        size += len(data)
        if hasher is not None:
            hasher.update(data)
    lineno = len(codec.headers)
    variants = codec.details
    plain = variants[0]
    fast = plain.write_fast
    longer = variants[1] if len(variants) > 1 else None
    optional = codec.optional
    amount_largest = plain.by_name["amount_fen"].largest
    fixed = codec.fixed
    results = codec.kind == "results"
    counts_refused = words.counts_refused
    buf: list[bytes] = []
    count = last = total = paid_count = paid_fen = failed_count = failed_fen = 0
    for rec in records:
        count += 1
        lineno += 1
        line = None
        try:
            seq, amount = rec.seq, rec.amount_fen
            if type(seq) is int and seq > last and type(amount) is int:
                use = plain
                if longer is not None and any(getattr(rec, n) for n in optional):
                    use = longer
                line = use.write_fast(rec) if use is not plain else fast(rec)
                line = line + eol if fixed else encode(line + eol_text)[0]
        except Exception:  # noqa: BLE001 - the careful path says what
            line = None
        if line is None:
            line = _record_slow(fmt, codec, rec, lineno, last, p)
            if type(getattr(rec, "seq", None)) is int and rec.seq > last:
                last = rec.seq
            amount = getattr(rec, "amount_fen", None)
            if counts_refused:
                # (a record refused still counts when its outcome and amount are known)
                if type(amount) is not int:
                    continue
            elif type(amount) is not int or not 0 <= amount <= amount_largest:
                continue  # (the field's problem is reported; the totals are the right lines')
        else:
            last = seq
        if results:
            outcome = getattr(rec, "outcome", None)
            if outcome == PaymentOutcome.PAID:
                paid_count += 1
                paid_fen += amount
            elif counts_refused and outcome != PaymentOutcome.FAILED:
                pass
            else:
                failed_count += 1
                failed_fen += amount
        else:
            total += amount
        if line is not None:
            buf.append(line)
            if len(buf) >= 512:
                data = b"".join(buf)
                out.write(data)
                size += len(data)
                if hasher is not None:
                    hasher.update(data)
                buf.clear()
    if buf:
        data = b"".join(buf)
        out.write(data)
        size += len(data)
        if hasher is not None:
            hasher.update(data)
    actual = {"count": count, "total_fen": total, "paid_count": paid_count, "paid_fen": paid_fen,
              "failed_count": failed_count, "failed_fen": failed_fen}
    for k in codec.totals:
        stated = getattr(header, k, None)
        if counts_refused and not head_ok:
            break
        if type(stated) is int and stated != actual[k]:
            p.add("line 1", k, words.written_total(codec.kind, k, stated, actual[k]))
    if codec.trailer is not None and not p:
        where = f"line {lineno + 1}"
        values = dict(fmt.values)
        values.update(actual)
        if hasher is not None:
            values["digest"] = hasher.hexdigest()
        if isinstance(codec.trailer, Template):
            piece = codec.trailer.write({k: str(v) for k, v in values.items()})
            trailer = encode(piece)[0] + eol
        else:
            piece = codec.trailer.write_slow(None, where, p, values)
            trailer = None if piece is None else (piece if fixed else encode(piece)[0]) + eol
        if trailer is not None:
            out.write(trailer)
            size += len(trailer)
    if p:
        raise p.error(file_label)
    return WrittenFile(count=count, total_fen=(paid_fen + failed_fen) if results else total, size=size)


def _totals_differ(name: str, stated: int, actual: int) -> Phrase:
    """A header's control total that the records read do not make."""
    if name == "total_fen":
        return Phrase.of("format.fen_differs", stated=stated, actual=actual)
    return Phrase.of("format.total_differs", stated=stated, what=Phrase.of(f"format.total.{name}"), actual=actual)


def _unencodable(fmt: LayoutFormat, exc: UnicodeEncodeError) -> Phrase:
    """A line the layout's encoding cannot write (the codec's reason as Python says it)."""
    return Phrase.of("format.engine.line_not_encodable", encoding=fmt.encoding_label, reason=exc.reason)


def _of_seq(seq, message: Phrase | str) -> Phrase:
    """``message`` after "seq S: ", for a problem placed at its line without its seq."""
    return Phrase.of("format.layouts.of_seq", seq=f"{seq}", problem=message)


class _SeqFirst:
    """Problems of one record given to a writer, each message after "seq S: " (``seq_in = "message"``)."""

    __slots__ = ("p", "seq")

    def __init__(self, p: Problems, seq) -> None:
        self.p, self.seq = p, seq

    def add(self, where: str, field: str, message: Phrase | str) -> None:
        self.p.add(where, field, _of_seq(self.seq, message))

    def __len__(self) -> int:
        return len(self.p)


class _Missing:
    """An attribute a record given to a writer does not have (checked by kind)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()
SEQ_LARGEST = 10**18 - 1


def _record_problems_by_kind(codec: FileCodec, use: Compiled, rec, where: str, last: int, p: Problems) -> None:
    """(a wording that ``checks_by_kind``) Why a record given to a writer cannot be written: the
    seq (its own message), the numbers, the codes and status, then the texts; an attribute the
    record lacks is "missing", field by field."""
    seq = getattr(rec, "seq", MISSING)
    if type(seq) is not int or not 1 <= seq <= SEQ_LARGEST:
        p.add(where, "seq", Phrase.of("format.layouts.seq_not_positive", seq=repr(seq)))
    elif seq <= last:
        p.add(where, "seq", Phrase.of("format.seq_must_increase", seq=seq, last=last))

    def add(field: str, message: Phrase) -> None:
        """A problem of the record, after "seq S: " when its seq is a number."""
        p.add(where, field, _of_seq(seq, message) if type(seq) is int else message)

    numbers, codes, texts = [], [], []
    for c in use.codecs:
        t = c.decl.type
        if c.decl.name == "seq" or t in ("const", "filler", "digest"):
            continue
        (numbers if t in ("int", "amount") else texts if t == "text" and c.decl.name != "bank_code"
         else codes).append(c)

    def check(c, value, missing: Phrase) -> None:
        """The problem field ``c`` has with ``value``; ``missing`` when the record lacks it."""
        if value is MISSING:
            add(c.label, missing)
            return
        try:
            c.write(value)
        except ValueError as exc:
            add(c.label, why(exc))

    for c in numbers:
        check(c, getattr(rec, c.decl.name, MISSING), Phrase.of("format.layouts.named_missing",
                                                               what=Named("field", c.label)))
    for c in codes:
        name = c.decl.name
        if name == "outcome":
            outcome, reason = getattr(rec, "outcome", MISSING), getattr(rec, "reason", MISSING)
            if outcome == PaymentOutcome.PAID:
                if reason is not None:
                    add("status", paid_with_reason(reason).phrase)
            elif outcome == PaymentOutcome.FAILED:
                code = getattr(rec, "bank_code", MISSING)
                if reason is not None and not isinstance(reason, FailureReason):
                    add("bank_code", Phrase.of("format.unknown_reason", reason=repr(reason)))
                elif isinstance(code, str) and code and reason is not None \
                        and (reads := codec.decl.reasons.get(code, FailureReason.OTHER)) != reason:
                    add("bank_code", Phrase.of("format.engine.code_reads_back_cannot", code=repr(code),
                                               reads=Named("reason", f"{reads}"), reason=Named("reason", f"{reason}")))
            else:
                add("status", Phrase.of("format.unknown_outcome", outcome=repr(outcome)))
            continue
        if name == "bank_code":
            texts.insert(0, c)
            continue
        value = getattr(rec, name, MISSING)
        try:
            c.write(value)
        except (ValueError, TypeError, KeyError):
            what = Named("format_code_field", name.replace("_", " "))
            add(c.label, Phrase.of("format.engine.unknown_code", what=what, value=repr(value)))
    texts.sort(key=lambda c: use.codecs.index(c))
    for c in texts:
        check(c, getattr(rec, c.decl.name, "" if c.decl.optional else MISSING), Phrase.of("format.layouts.missing"))


def _record_slow(fmt: LayoutFormat, codec: FileCodec, rec, lineno: int, last: int, p: Problems):
    seq = getattr(rec, "seq", None)
    where = f"line {lineno} (seq {seq!r})"
    if WORDINGS[codec.decl.wording].checks_by_kind:
        use = codec.details[-1]
        before = len(p)
        _record_problems_by_kind(codec, use, rec, f"line {lineno}", last, p)
        if len(p) > before:
            return None
        try:
            use = codec.details[0] if not any(getattr(rec, n) for n in codec.optional) else use
            piece = use.write_slow(rec, f"line {lineno}", p)
            return None if piece is None else fmt.encode(piece + fmt.line_ending)[0]
        except (AttributeError, UnicodeEncodeError) as exc:
            p.add(f"line {lineno}", "record", Phrase.of("format.layouts.cannot_write", entry=f"{exc}"))
            return None
    if codec.decl.seq_in == "message":
        where, p = f"line {lineno}", _SeqFirst(p, seq)
    out_of_order = type(seq) is int and 1 <= seq <= last
    if out_of_order:
        p.add(where, "seq", Phrase.of("format.seq_not_increasing", seq=seq, last=last))
    variants = codec.details
    use = variants[0]
    if len(variants) > 1:
        try:
            if any(getattr(rec, n) for n in codec.optional):
                use = variants[1]
        except AttributeError:
            pass
    piece = use.write_slow(rec, where, p)
    if piece is None or out_of_order:
        return None
    if codec.fixed:
        return piece + fmt.eol
    try:
        return fmt.encode(piece + fmt.line_ending)[0]
    except UnicodeEncodeError as exc:
        p.add(where, "record", _unencodable(fmt, exc))
        return None
