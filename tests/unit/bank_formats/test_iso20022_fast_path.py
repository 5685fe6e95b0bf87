"""Readers without a schema take the lines laid out as the writers write them by a regular
expression, without the XML parser (``FastStream``): whatever the file, they must say exactly
what reading it with the parser alone says - the same header, records and problems, lines and
all. The writers put files together from text; they must stay schema-valid (the round trips
here validate every file written) and refuse what XML cannot carry with FormatError.
"""
from __future__ import annotations

import dataclasses
import io
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from bank_formats.base import FormatError, Problem
from bank_formats.iso20022 import REASON_TO_CODE, Iso20022Format, _common
from domain.model import (
    AccountKind,
    EntrySide,
    FailureReason,
    PaymentLine,
    PaymentOutcome,
    ResultRecord,
    StatementEntry,
)
from tests.unit.bank_formats.iso20022_support import (
    SAMPLE_HEADER,
    SAMPLE_RESULT_HEADER,
    SAMPLE_STATEMENT_HEADER,
    write_payments,
    write_results,
    write_statement,
)

FORMATS = {
    "current": Iso20022Format(),
    "older": Iso20022Format(payments="pain.001.001.03", results="pain.002.001.03",
                            statements="camt.053.001.02"),
}
READ = {"payments": "read_payments", "results": "read_results", "statement": "read_statement"}
# texts that make a line one the pattern does not take (the parser reads it) ...
ODD = ["A & B", "<王>", "a > b", "x\ry", "tab\there", "two\nlines", "引号\"'", "𠮷"]
# ... and ones it takes
PLAIN = ["王小明", "艾力·买买提", "ÅÄÖ", "a-b c", "中国农业银行某县支行"]


def _text(i: int, odd_every: int) -> str:
    return ODD[i % len(ODD)] if odd_every and i % odd_every == 0 else PLAIN[i % len(PLAIN)]


def payment_lines(n: int, odd_every: int = 0) -> list[PaymentLine]:
    return [PaymentLine(
        seq, _text(seq, odd_every), f"4101021960{seq:08d}", f"622202{seq:013d}",
        (seq * 7919) % 500_000, list(AccountKind)[seq % 3], PLAIN[(seq // 7) % 5] if seq % 4 else "",
        "耕地地力保护补贴" if seq % 5 else "", ("备注" * 80) if seq % 11 == 0 else "",
        f"138{seq:08d}" if seq % 2 else "", ("地址" * 40) if seq % 13 == 0 else "",
        f"H{seq:05d}" if seq % 9 == 0 else "",
    ) for seq in range(1, n + 1)]


def payment_file(fmt: Iso20022Format, n: int, odd_every: int = 0) -> bytes:
    lines = payment_lines(n, odd_every)
    header = dataclasses.replace(SAMPLE_HEADER, count=n,
                                 total_fen=sum(x.amount_fen for x in lines))
    return write_payments(fmt, header, lines)


def _ref(seq: int, odd_every: int) -> str:
    """The bank's reference of every second record (one with "&" now and then), or none."""
    if seq % 2 == 0:
        return ""
    return f"R&D-{seq}" if odd_every and seq % odd_every == 0 else f"BK2026110600{seq:08d}"


def result_records(n: int, odd_every: int = 0) -> list[ResultRecord]:
    reasons = list(FailureReason)
    return [
        ResultRecord(seq, PaymentOutcome.PAID, seq * 101, f"6222{seq:08d}" if seq % 7 else "",
                     bank_ref=_ref(seq, odd_every),
                     name=_text(seq, odd_every) if seq % 5 == 0 else "")
        if seq % 3 else
        ResultRecord(seq, PaymentOutcome.FAILED, seq * 101, f"6222{seq:08d}",
                     reasons[seq % len(reasons)],
                     "E0042" if seq % 2 else REASON_TO_CODE[reasons[seq % len(reasons)]],
                     _text(seq, odd_every) * (1 if seq % 9 else 40),
                     bank_ref=_ref(seq, odd_every) if seq % 4 == 1 else "",
                     name=_text(seq + 1, 0) if seq % 4 == 3 else "")
        for seq in range(1, n + 1)
    ]


def result_file(fmt: Iso20022Format, n: int, odd_every: int = 0) -> bytes:
    records = result_records(n, odd_every)
    paid = [r for r in records if r.outcome == PaymentOutcome.PAID]
    failed = [r for r in records if r.outcome == PaymentOutcome.FAILED]
    header = dataclasses.replace(
        SAMPLE_RESULT_HEADER, count=n, paid_count=len(paid),
        paid_fen=sum(r.amount_fen for r in paid), failed_count=len(failed),
        failed_fen=sum(r.amount_fen for r in failed))
    return write_results(fmt, header, records)


def statement_entries(n: int, odd_every: int = 0) -> list[StatementEntry]:
    return [StatementEntry(
        seq, EntrySide.CREDIT if seq % 6 == 1 else EntrySide.DEBIT, seq * 103,
        date(2026, 11, 1 + seq % 28), f"BK{seq:010d}", "B2026110501" if seq % 10 else "",
        seq if seq % 10 and seq % 4 else None, _text(seq, odd_every) if seq % 3 else "",
        f"6222{seq:08d}" if seq % 5 else "", ("退回" * 90) if seq % 17 == 0 else "惠民惠农补贴",
    ) for seq in range(1, n + 1)]


def statement_file(fmt: Iso20022Format, n: int, odd_every: int = 0) -> bytes:
    entries = statement_entries(n, odd_every)
    credit = sum(e.amount_fen for e in entries if e.side is EntrySide.CREDIT)
    debit = sum(e.amount_fen for e in entries if e.side is EntrySide.DEBIT)
    header = dataclasses.replace(
        SAMPLE_STATEMENT_HEADER, count=n, credit_fen=credit, debit_fen=debit,
        opening_balance_fen=0, closing_balance_fen=credit - debit)
    return write_statement(fmt, header, entries)


FILES = {"payments": payment_file, "results": result_file, "statement": statement_file}
EXPECTED = {"payments": payment_lines, "results": result_records,
            "statement": statement_entries}


def read(fmt: Iso20022Format, kind: str, data: bytes):
    """(header, items, problems or None) of reading ``data`` to the end."""
    header, items = None, []
    try:
        reader = getattr(fmt, READ[kind])(io.BytesIO(data), "f.xml")
        header = reader.header
        items.extend(reader)
    except FormatError as exc:
        assert exc.problems
        return header, items, exc.problems
    return header, items, None


def read_both(fmt: Iso20022Format, kind: str, data: bytes):
    """What the reader says with the fast path and with the parser alone."""
    fast = read(fmt, kind, data)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_common, "FAST_LINES", False)
        slow = read(fmt, kind, data)
    return fast, slow


class _Counting:
    """Counts the lines FastStream hands over as matches."""

    def __init__(self, mp: pytest.MonkeyPatch) -> None:
        self.taken = 0
        original = _common.FastStream.__iter__

        def counting(stream):
            for item in original(stream):
                if isinstance(item, re.Match):
                    self.taken += 1
                yield item

        mp.setattr(_common.FastStream, "__iter__", counting)


@pytest.mark.parametrize("variant", sorted(FORMATS))
@pytest.mark.parametrize("kind", sorted(FILES))
def test_the_writers_lines_are_taken_without_the_parser(monkeypatch, variant, kind):
    fmt = FORMATS[variant]
    data = FILES[kind](fmt, 300)
    counting = _Counting(monkeypatch)
    header, items, problems = read(fmt, kind, data)
    assert problems is None
    assert items == EXPECTED[kind](300)
    assert counting.taken == 299  # all but the first, which the parser reads with the header


@pytest.mark.parametrize("variant", sorted(FORMATS))
@pytest.mark.parametrize("kind", sorted(FILES))
def test_odd_lines_are_parsed_and_taking_goes_on_after_them(monkeypatch, variant, kind):
    fmt = FORMATS[variant]
    data = FILES[kind](fmt, 300, odd_every=10)
    counting = _Counting(monkeypatch)
    fast = read(fmt, kind, data)
    assert fast[1] == EXPECTED[kind](300, odd_every=10)
    assert 150 < counting.taken < 299
    assert fast == read_both(fmt, kind, data)[1]


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize(
    ("chunk", "max_line", "parse_one_in"),
    [(1 << 20, 4 << 20, 1 << 16), (97, 300, 3), (1000, 1000, 1), (4096, 50_000, 2)],
)
def test_any_chunk_size_and_very_long_lines(monkeypatch, kind, chunk, max_line, parse_one_in):
    # pieces of the file that end mid-line, lines fed in pieces, lines parsed now and then
    monkeypatch.setattr(_common, "CHUNK", chunk)
    monkeypatch.setattr(_common, "_MAX_LINE", max_line)
    monkeypatch.setattr(_common, "PARSE_ONE_IN", parse_one_in)
    for fmt in FORMATS.values():
        data = FILES[kind](fmt, 120, odd_every=15)
        fast, slow = read_both(fmt, kind, data)
        assert fast == slow
        assert fast[1] == EXPECTED[kind](120, odd_every=15)
        cut = data[: len(data) * 2 // 3]
        assert read_both(fmt, kind, cut)[0] == read_both(fmt, kind, cut)[1]


@pytest.mark.parametrize("kind", sorted(FILES))
def test_other_layouts_read_the_same(kind):
    fmt = FORMATS["current"]
    data = FILES[kind](fmt, 40, odd_every=7)
    expected = EXPECTED[kind](40, odd_every=7)
    root = etree.fromstring(data)
    layouts = {
        "pretty": etree.tostring(root, pretty_print=True, xml_declaration=True,
                                 encoding="UTF-8"),
        "one line": etree.tostring(root, xml_declaration=True, encoding="UTF-8").replace(
            b">\n<", b"><"),
        "CRLF": data.replace(b"\n", b"\r\n"),
        "commented": data.replace(b"\n<", b"\n<!-- x -->\n<", 3),
    }
    for name, layout in layouts.items():
        fast, slow = read_both(fmt, kind, layout)
        assert fast == slow, name
        assert fast[1] == expected and fast[2] is None, name


def test_a_line_inside_a_comment_or_cdata_is_not_taken():
    fmt = FORMATS["current"]
    data = payment_file(fmt, 6)
    lines = data.split(b"\n")
    first = next(i for i, x in enumerate(lines) if x.startswith(b"<CdtTrfTxInf>"))
    # lines 3..4 of the transactions commented out: the file says 6, it has 4
    lines[first + 2] = b"<!--" + lines[first + 2]
    lines[first + 3] = lines[first + 3] + b"-->"
    commented = b"\n".join(lines)
    fast, slow = read_both(fmt, "payments", commented)
    assert fast == slow
    assert [x.seq for x in fast[1]] == [1, 2, 5, 6]
    assert fast[2] == [Problem("/Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs", "NbOfTxs",
                               "header says 6 transactions, the file has 4")]


def test_problems_keep_their_line_numbers_after_lines_taken():
    fmt = FORMATS["current"]
    data = payment_file(fmt, 500)
    lines = data.split(b"\n")
    first = next(i for i, x in enumerate(lines) if x.startswith(b"<CdtTrfTxInf>"))
    for k in (200, 201, 450):
        lines[first + k] = re.sub(rb"<InstdAmt Ccy=\"CNY\">[0-9.]+<", b'<InstdAmt Ccy="CNY">1.234<',
                                  lines[first + k])
    lines[first + 300] = lines[first + 300].replace(b"</Nm>", b"</Nmx>", 1)
    data = b"\n".join(lines)
    fast, slow = read_both(fmt, "payments", data)
    assert fast == slow
    line = first + 1  # the file's line number of lines[first]
    assert fast[2][0] == Problem(f"line {line + 300}", "xml",
                                 f"not well-formed XML: Opening and ending tag mismatch: Nm line "
                                 f"{line + 300} and Nmx")
    assert [p.where for p in fast[2][1:]] == [f"line {line + 200}", f"line {line + 201}"]


def test_text_that_is_not_utf8_or_not_xml_in_a_line_taken(monkeypatch):
    fmt = FORMATS["current"]
    data = payment_file(fmt, 20)
    name = "王小明".encode()
    for bad in (b"\xe7\x8e", b"\xef\xbf\xbe", b"\xed\xa0\x80"):  # cut, U+FFFE, a surrogate
        i = data.index(name, data.index(b"<InstrId>12<"))
        fast, slow = read_both(fmt, "payments", data[:i] + bad + data[i + len(name):])
        assert fast == slow
        assert fast[2][0].field == "xml" and fast[2][0].where.startswith("line ")


STATEMENT_KINDS = sorted(FILES)


@st.composite
def mutated(draw):
    kind = draw(st.sampled_from(STATEMENT_KINDS))
    variant = draw(st.sampled_from(sorted(FORMATS)))
    data = bytearray(_FILES_CACHE[(kind, variant)])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "delete", "insert", "truncate", "line"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[i] = draw(st.sampled_from(b"<>&/\"'=0 -.x\x00\xff\x80\n\r\t"))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 40))]
        elif op == "insert":
            data[i:i] = draw(st.sampled_from([
                b"<", b"</Nm>", b"<X>", b"&", b"&amp;", b"\xe4", b"<!--", b"-->", b"]]>", b"9",
                b"\n", b"<![CDATA[", b"\xef\xbf\xbf", b"<?pi x?>", b"&#13;", b'xmlns="urn:x"']))
        elif op == "truncate":
            del data[i:]
        else:  # a whole line repeated somewhere else
            lines = bytes(data).split(b"\n")
            j = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[j])
            data = bytearray(b"\n".join(lines))
    return kind, variant, bytes(data)


_FILES_CACHE = {(kind, variant): FILES[kind](FORMATS[variant], 60, odd_every=9)
                for kind in FILES for variant in FORMATS}


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated(), st.sampled_from([1 << 20, 211]))
def test_mutated_files_read_as_the_parser_reads_them(case, chunk):
    kind, variant, data = case
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_common, "CHUNK", chunk)
        fast, slow = read_both(FORMATS[variant], kind, data)
    assert fast == slow


@pytest.mark.parametrize(
    ("field", "where"),
    [("file_id", ("GrpHdr", "MsgId")), ("payer_name", ("PmtInf/Dbtr", "Nm")),
     ("purpose", ("PmtInf", "InstrForDbtrAgt"))],
)
def test_header_texts_xml_cannot_carry_are_refused(field, where):
    header = dataclasses.replace(SAMPLE_HEADER, **{field: "bad\x00text"}, count=3,
                                 total_fen=3)
    lines = [PaymentLine(i, "王", "1", "2", 1) for i in (1, 2, 3)]
    with pytest.raises(FormatError) as info:
        FORMATS["current"].write_payments(io.BytesIO(), header, lines)
    assert [(p.where, p.field) for p in info.value.problems] == [where]
    assert info.value.problems[0].message.startswith("cannot be written in XML: ")


def test_maker_makes_what_the_class_makes():
    samples = [payment_lines(3)[2], result_records(3)[2], statement_entries(3)[2]]
    for obj in samples:
        cls = type(obj)
        make = _common.maker(cls)
        assert make is not cls  # the readers' classes qualify
        values = [getattr(obj, f.name) for f in dataclasses.fields(cls)]
        made = make(*values)
        assert type(made) is cls and made == obj and hash(made) == hash(obj)
        assert repr(made) == repr(obj)
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.seq = 5


def test_maker_leaves_other_classes_alone():
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError

    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class NotInit:
        a: int
        b: int = dataclasses.field(default=0, init=False)

    for cls in (Checked, NoSlots, NotFrozen, NotInit, int):
        assert _common.maker(cls) is cls
