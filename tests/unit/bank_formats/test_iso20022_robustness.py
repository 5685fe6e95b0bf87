"""Malformed input of any kind makes both readers raise FormatError, and nothing else."""
from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank_formats.base import FormatError, Problem
from tests.unit.bank_formats.iso20022_support import golden

VALID = {"payments": golden("pain001_valid.xml"), "results": golden("pain002_valid.xml")}
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def consume(fmt, kind: str, data: bytes) -> FormatError | None:
    """Reads ``data`` to the end; the FormatError raised, or None when it was read cleanly."""
    read = fmt.read_payments if kind == "payments" else fmt.read_results
    try:
        reader = read(io.BytesIO(data), "fuzz.xml")
        assert reader.header is not None
        for _ in reader:
            pass
    except FormatError as exc:
        assert exc.problems, "a FormatError lists its problems"
        for p in exc.problems:
            assert isinstance(p.where, str) and isinstance(p.field, str) and p.message
            assert not p.message.startswith("unexpected "), p  # the reader's safety net
        return exc
    return None


def both_readers(fmt, vfmt, data: bytes) -> None:
    for f in (fmt, vfmt):
        for kind in ("payments", "results"):
            consume(f, kind, data)  # anything but FormatError fails the test


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(fmt, vfmt, data):
    both_readers(fmt, vfmt, data)


@SETTINGS
@given(st.sampled_from([b"", b"<", b"<?xml version='1.0'?>", b"\xef\xbb\xbf", b"\xff\xfe",
                        b"<?xml version='1.0' encoding='x-unknown'?>",
                        b"<?xml version='1.0' encoding='UTF-16'?>",
                        b"<!DOCTYPE Document [<!ENTITY a 'aaaaaaaaaa'>]>",
                        b"<!DOCTYPE d SYSTEM 'file:///etc/passwd'>"]),
       st.binary(max_size=500))
def test_random_bytes_after_a_plausible_start(fmt, vfmt, start, rest):
    both_readers(fmt, vfmt, start + rest)


@st.composite
def mutations(draw, data: bytes):
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "delete", "insert", "truncate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[i] = draw(st.sampled_from(b"<>&/\"'=0 -.x\x00\xff\x80"))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 20))]
        elif op == "insert":
            data[i:i] = draw(st.sampled_from([b"<", b"</Nm>", b"<X>", b"&", b"&amp;", b"\xe4",
                                              b"<!--", b"]]>", b"9", b"-", b".5"]))
        else:
            del data[i:]
    return bytes(data)


@SETTINGS
@given(st.sampled_from(sorted(VALID)).flatmap(
    lambda kind: st.tuples(st.just(kind), mutations(VALID[kind]))))
def test_mutated_real_files(fmt, vfmt, case):
    kind, data = case
    for f in (fmt, vfmt):
        consume(f, kind, data)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_every_truncation_is_reported(fmt, vfmt, kind):
    data = VALID[kind]
    end = data.rindex(b"</Document>") + len(b"</Document>")
    for cut in range(0, end, 3):
        for f in (fmt, vfmt):
            assert consume(f, kind, data[:cut]) is not None, (cut, f.schema_dir)


def test_a_file_of_the_other_kind_is_refused(fmt, vfmt):
    for f in (fmt, vfmt):
        assert consume(f, "payments", VALID["results"]) is not None
        assert consume(f, "results", VALID["payments"]) is not None


def _with_prolog(prolog: bytes) -> bytes:
    return VALID["payments"].replace(b"<?xml version='1.0' encoding='UTF-8'?>\n", prolog)


@pytest.mark.parametrize(
    "prolog",
    [
        # an external entity (would read a local file)
        b"<?xml version='1.0'?>\n<!DOCTYPE Document [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n",
        # a "billion laughs" (libxml2 with a schema plugged in crashes on it: never parse one)
        b"<?xml version='1.0'?>\n<!-- a comment first -->\n<!DOCTYPE Document [\n"
        b"<!ENTITY a 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'>\n"
        + b"".join(b"<!ENTITY %c '%s'>\n" % (c, (b"&%c;" % (c - 1)) * 20)
                   for c in b"bcdefgh") + b"]>\n",
    ],
)
def test_document_type_declarations_are_refused(fmt, vfmt, prolog):
    data = _with_prolog(prolog).replace("某县财政局".encode(), b"&x;&h;")
    line = prolog[: prolog.index(b"<!DOCTYPE")].count(b"\n") + 1
    offset = data.index(b"<!DOCTYPE")
    for f in (fmt, vfmt):
        exc = consume(f, "payments", data)
        assert exc is not None and exc.problems == [
            Problem(f"line {line}", "DOCTYPE",
                    "a document type declaration is not allowed in an ISO 20022 message "
                    f"(at byte {offset})")
        ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with_prolog(b"<?xml version='1.0' encoding='GBK'?>\n"),
         "encoding 'GBK' is not UTF-8 (ISO 20022 messages are)"),
        (VALID["payments"].decode("utf-8").replace("UTF-8", "UTF-16").encode("utf-16"),
         "the file is not UTF-8 (ISO 20022 messages are)"),
    ],
)
def test_only_utf8(fmt, vfmt, data, message):
    for f in (fmt, vfmt):
        assert consume(f, "payments", data).problems == [Problem("line 1", "encoding", message)]


def test_byte_order_mark_and_lower_case_encoding_are_fine(fmt, vfmt):
    data = b"\xef\xbb\xbf" + _with_prolog(b'<?xml version="1.0" encoding="utf-8"?>\n')
    for f in (fmt, vfmt):
        assert consume(f, "payments", data) is None


class _DroppedConnection(io.BytesIO):
    """Gives a few small pieces of the file, then fails as a dropped SFTP connection would."""

    def __init__(self, data: bytes, pieces: int) -> None:
        super().__init__(data)
        self.pieces = pieces

    def read(self, size=-1):
        self.pieces -= 1
        if self.pieces < 0:
            raise ConnectionResetError("connection dropped")
        return super().read(300)

    def readline(self, size=-1):
        self.pieces -= 1
        if self.pieces < 0:
            raise ConnectionResetError("connection dropped")
        return super().readline(size)


@pytest.mark.parametrize("pieces", [0, 3, 250])
def test_read_errors_are_not_format_errors(fmt, vfmt, pieces):
    data = VALID["results"] + b"\n" * 200_000  # longer than what is read to check the prolog
    for f in (fmt, vfmt):
        with pytest.raises(ConnectionResetError):
            reader = f.read_results(_DroppedConnection(data, pieces))
            list(reader)


@pytest.mark.parametrize("cut_after", [b"<OrgnlE", b"<OrgnlTxRef><Amt><InstdA", b"<TxSts>RJ"])
def test_a_cut_is_the_first_problem_even_when_the_schema_objects_too(fmt, vfmt, cut_after):
    # with a schema, lxml reports only the first error: here the schema's complaint about the
    # cut-off element, and not the parser's; the reader still says the file is cut short, first
    data = VALID["results"]
    data = data[: data.index(cut_after, data.index(b"<OrgnlInstrId>3<")) + len(cut_after)]
    for f in (fmt, vfmt):
        first = consume(f, "results", data).problems[0]
        assert first.where == "line 9" and first.field == "xml"
        assert first.message.startswith("not well-formed XML: "), first
