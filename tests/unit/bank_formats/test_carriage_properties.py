"""Nothing a bank's carriage accepts can fail to render (issue 14 item 4), by generated examples.

For every format family and its options that change what a file carries (encoding, amount
style, message version), lines and headers are drawn from a wide alphabet — common and rare
CJK (Extension A, and B outside the BMP and GBK), ASCII with the characters formats care about
(``|``, ``<``, ``&``, quotes, spaces), full-width punctuation, and any character at all —
cut to the field's width (that is generation; the carriage decides) and kept only when the
carriage accepts them. Each file is then written, read back by the format's own reader (and
ISO 20022 files checked against the official schema), and must come back equal, header and
lines. A second property runs the other way for the characters no format may carry: a line
holding one is refused, whatever the format.
"""
from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bank_formats
from bank_formats.carriage import LINE_TEXTS, Carriage, TextField
from domain.model import AccountKind, PaymentFileHeader, PaymentLine
from domain.text import BIDI, LINE_BREAKS, TEXT_CODES
from tests.unit.bank_formats.iso20022_support import assert_valid_variant

FORMATS = [
    ("fixed_width_gbk", {}),
    ("fixed_width_gbk", {"encoding": "gb18030", "line_ending": "\n"}),
    ("fixed_width_gbk", {"amount_style": "yuan"}),
    ("delimited", {}),
    ("delimited", {"encoding": "gbk", "amount_style": "yuan", "line_ending": "\r\n"}),
    ("delimited", {"encoding": "gb18030", "digest": "sm3"}),
    ("iso20022", {}),
    ("iso20022", {"payments": "pain.001.001.03"}),
]
IDS = [f"{name}-{'-'.join(f'{v}'.strip() for v in options.values()) or 'default'}".replace("\n", "LF")
       .replace("\r", "CR") for name, options in FORMATS]

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example])

ANY_CHAR = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK, BMP
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),  # Extension A
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # Extension B: GB18030 only, 4 bytes
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from("·|<>&\"' -\u3000：（）、，“”《》—…￥€"),
    st.just(" "),  # often: a fixed-width field reads a trailing space back as padding
    st.characters(),  # anything, surrogates aside
)
PLAIN = TextField("x")


_FORMATS: dict[int, object] = {}  # one format object per case, so that its carriage is made once


def _format(family: str, options: dict):
    key = FORMATS.index((family, options))
    if key not in _FORMATS:
        _FORMATS[key] = bank_formats.get(family, **options)
    return _FORMATS[key]


def _alphabet(carriage: Carriage, field: TextField) -> st.SearchStrategy[str]:
    if field.allowed is not None:  # the phone: only the characters its pattern takes
        return st.sampled_from([c for c in map(chr, range(0x20, 0x7F)) if re.fullmatch(field.allowed, c)])
    known: dict[str, bool] = carriage.__dict__.setdefault("_test_chars", {})

    def carried(ch: str) -> bool:  # inside a text (a space may not end a fixed-width one)
        if ch not in known:
            known[ch] = carriage.check_text(PLAIN, f"a{ch}a") is None
        return known[ch]

    # a character the format cannot carry becomes one it can (a filter would throw most texts of
    # a GBK bank away: a quarter of these characters are not in GBK)
    return ANY_CHAR.map(lambda ch: ch if carried(ch) else "一")


def _size(carriage: Carriage, text: str) -> int:
    return len(text.encode(carriage.encoding)) if carriage.in_bytes else len(text)


@st.composite
def _text(draw, carriage: Carriage, field: TextField) -> str:
    chars = _alphabet(carriage, field)
    if field.width is None:  # no limit to find: any length will do
        value = draw(st.text(chars, min_size=int(field.required), max_size=40))
    else:  # any length, or often as long as the field holds (the edge a width is wrong at)
        cap = min(field.width, 150)
        value = draw(st.one_of(st.text(chars, min_size=int(field.required), max_size=cap),
                               st.text(chars, min_size=cap, max_size=cap)))
    # made to fit, as a clerk would (generating, not checking: the carriage decides below)
    while field.width is not None and _size(carriage, value) > field.width:
        value = value[:-1]  # cut to the width
    if carriage.padded:
        value = value.rstrip(" ")  # a space inside a text, never at its end
    if field.required and not value:
        value = "一"
    assume(carriage.check_text(field, value) is None)
    return value


@st.composite
def _line(draw, carriage: Carriage, seq: int) -> PaymentLine:
    texts = {f.name: draw(_text(carriage, f)) for f in carriage.line_fields}
    amount = draw(st.one_of(st.integers(1, carriage.max_amount_fen),
                            st.sampled_from([1, 99, 100, carriage.max_amount_fen])))
    return PaymentLine(seq=seq, amount_fen=amount, account_kind=draw(st.sampled_from(list(AccountKind))), **texts)


BEIJING = timezone(timedelta(hours=8))


@st.composite
def _file(draw, carriage: Carriage) -> tuple[PaymentFileHeader, list[PaymentLine]]:
    n = draw(st.integers(1, 4))
    lines = [draw(_line(carriage, seq)) for seq in range(1, n + 1)]
    total = sum(ln.amount_fen for ln in lines)
    assume(total <= carriage.max_total_fen)
    batch = f"B20261201{draw(st.text('0123456789ABCDEF', min_size=8, max_size=8))}"
    texts = {f.name: draw(_text(carriage, f)) for f in carriage.header_fields
             if f.name not in ("file_id", "batch_id")}
    header = PaymentFileHeader(
        file_id=f"{batch}P{draw(st.integers(1, 9))}", batch_id=batch,
        created_at=draw(st.datetimes(datetime(2020, 1, 1), datetime(2099, 1, 1))).replace(microsecond=0,
                                                                                         tzinfo=BEIJING),
        requested_date=draw(st.dates(date(2020, 1, 1), date(2099, 1, 1))), count=n, total_fen=total, **texts)
    return header, lines


@pytest.mark.parametrize(("family", "options"), FORMATS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_whatever_the_carriage_accepts_renders_and_reads_back_equal(family, options, data):
    fmt = _format(family, options)
    carriage = fmt.carriage()
    header, lines = data.draw(_file(carriage))
    assert carriage.check_header(header) == [] and all(carriage.check_line(ln) == [] for ln in lines)
    out = io.BytesIO()
    written = fmt.write_payments(out, header, iter(lines))  # a FormatError here is the bug this test is for
    raw = out.getvalue()
    assert (written.count, written.total_fen, written.size) == (len(lines), header.total_fen, len(raw))
    if family == "iso20022":
        assert_valid_variant(raw, fmt.payments.name)
    reader = fmt.read_payments(io.BytesIO(raw))
    assert reader.header == header
    assert list(reader) == lines


UNIVERSAL = st.sampled_from(sorted(set(LINE_BREAKS + BIDI + "\x00\x01\x07\x1b\x7f\x80\x9f\ufffe\uffff\ufdd0"
                                       "\U0001fffe\U0010ffff")))


@pytest.mark.parametrize(("family", "options"), FORMATS, ids=IDS)
@settings(max_examples=40, deadline=None)
@given(field=st.sampled_from(LINE_TEXTS), at=st.integers(0, 3), ch=UNIVERSAL)
def test_a_character_no_text_may_hold_is_refused_whatever_the_format(family, options, field, at, ch):
    carriage = bank_formats.get(family, **options).carriage()
    line = PaymentLine(1, "张三", "652301198001011234", "6222021234567890123", 100, AccountKind.PASSBOOK,
                       "农行", "耕地", "备注", "13812345678", "某村", "H12")
    value = getattr(line, field)
    bad = replace(line, **{field: value[:at] + ch + value[at:]})
    found = carriage.check_line(bad, "bank X's files")
    assert [(u.field, u.code in TEXT_CODES) for u in found] == [(field, True)], found
    assert f"U+{ord(ch):04X}" in found[0].message
