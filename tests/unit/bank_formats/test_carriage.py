"""Each format's carriage: what its payment file can carry, field by field (issue 14 item 4).

The table is written from the formats' own rules (their module docstrings): the fixed-width
family counts bytes of GBK or GB18030 in fields of the layout's widths and reads a trailing
space back as padding; the delimited family has no widths and no escaping of ``|``; ISO 20022
counts characters against the schema's types (Max35Text, Max140Text, 7 address lines of 70),
and its phone is digits and ``()+-``; none takes a control character, line break,
bidirectional control or noncharacter. A fast path checks a usual line in a few calls; a
property makes sure it never lets through what the careful path would find.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bank_formats
from bank_formats.carriage import LINE_TEXTS, Carriage, TextField
from domain.model import AccountKind, PaymentFileHeader, PaymentLine

GBK_FIXED = ("fixed_width_gbk", {})
GB18030_FIXED = ("fixed_width_gbk", {"encoding": "gb18030"})
YUAN_FIXED = ("fixed_width_gbk", {"amount_style": "yuan"})
GBK_DELIMITED = ("delimited", {"encoding": "gbk"})
UTF8_DELIMITED = ("delimited", {})
ISO = ("iso20022", {})
ISO03 = ("iso20022", {"payments": "pain.001.001.03"})
EVERY = [GBK_FIXED, GB18030_FIXED, YUAN_FIXED, GBK_DELIMITED, UTF8_DELIMITED, ISO, ISO03]
WHOSE = "bank X01's files"

LINE = PaymentLine(7, "张三", "652301198001011234", "6222021234567890123", 12345, AccountKind.CARD,
                   "中国农业银行某支行", "耕地地力保护补贴", "2026年11月补贴", "13812345678", "幸福镇柳树村3组", "H0012")
HEADER = PaymentFileHeader("B20261206ABCD1234P1", "B20261206ABCD1234", datetime(2026, 12, 6, 10, 0,
                                                                               tzinfo=timezone(timedelta(hours=8))),
                           date(2026, 12, 9), "某县财政局", "15000012345678", "RCC01", 1, 12345,
                           "耕地地力保护补贴 2026-11 652301")


def carriage(case) -> Carriage:
    family, options = case
    return bank_formats.get(family, **options).carriage()


def test_a_usual_line_and_header_fit_every_format():
    for case in EVERY:
        assert carriage(case).check_line(LINE, WHOSE) == [], case
        assert carriage(case).check_header(HEADER, WHOSE) == [], case


# (formats, changes to LINE, field, code, words the message says)
LINE_CASES = [
    ([GBK_FIXED, GBK_DELIMITED], {"name": "张𠀀"}, "name", "TEXT_ENCODING",
     "character '𠀀' (U+20000) cannot be written in GBK, the encoding of bank X01's files"),
    ([GBK_FIXED], {"remark": "\uffe5" * 2 + "\u2603"}, "remark", "TEXT_ENCODING", "U+2603"),  # ￥ in GBK, ☃ not
    ([GB18030_FIXED], {"name": "𠀀" * 16}, "name", "TEXT_WIDTH",
     "is 64 bytes in GB18030; bank X01's files hold at most 60 bytes"),
    ([GBK_FIXED, YUAN_FIXED], {"address": "某" * 61}, "address", "TEXT_WIDTH", "is 122 bytes in GBK"),
    ([GBK_FIXED], {"remark": "备" * 31}, "remark", "TEXT_WIDTH", "at most 60 bytes"),
    ([GBK_FIXED], {"bank_name": "银" * 31}, "bank_name", "TEXT_WIDTH", "at most 60 bytes"),
    ([GBK_FIXED], {"subsidy_item": "补" * 21}, "subsidy_item", "TEXT_WIDTH", "at most 40 bytes"),
    ([GBK_FIXED], {"household_no": "户" * 17}, "household_no", "TEXT_WIDTH", "at most 32 bytes"),
    ([GBK_FIXED, GB18030_FIXED], {"remark": "备注 "}, "remark", "TEXT_CHARACTER", "ends with a space"),
    ([GBK_FIXED], {"household_no": ""}, None, None, None),  # optional: empty is fine
    ([GBK_DELIMITED, UTF8_DELIMITED], {"bank_name": "农行|某支行"}, "bank_name", "TEXT_CHARACTER",
     "holds '|', the field separator of bank X01's files"),
    ([GBK_DELIMITED, UTF8_DELIMITED, ISO], {"remark": "备注 "}, None, None, None),  # kept as it is
    ([GBK_DELIMITED, UTF8_DELIMITED, ISO], {"address": "某" * 140}, None, None, None),
    ([UTF8_DELIMITED, ISO, ISO03, GB18030_FIXED], {"name": "张𠀀"}, None, None, None),
    ([ISO, ISO03], {"subsidy_item": "补" * 36}, "subsidy_item", "TEXT_WIDTH",
     "is 36 characters; bank X01's files hold at most 35 characters in this field (Purp/Prtry)"),
    ([ISO], {"name": "张" * 141}, "name", "TEXT_WIDTH", "at most 140 characters"),
    ([ISO], {"address": "某" * 491}, "address", "TEXT_WIDTH", "at most 490 characters"),
    ([ISO], {"phone": "138 1234 5678"}, "phone", "TEXT_CHARACTER", "holds ' '"),
    ([ISO], {"phone": "+86(138)1234-5678"}, None, None, None),
    ([ISO], {"remark": "备" * 5000}, None, None, None),  # any length: pieces of 140
    (EVERY, {"name": ""}, "name", "TEXT_REQUIRED", "is empty"),
    (EVERY, {"account_no": ""}, "account_no", "TEXT_REQUIRED", "is empty"),
    (EVERY, {"remark": "一\r\n二"}, "remark", "TEXT_LINE_BREAK", "U+000D (CARRIAGE RETURN)"),
    (EVERY, {"address": "某村\n"}, "address", "TEXT_LINE_BREAK", "U+000A (LINE FEED)"),
    (EVERY, {"bank_name": "农行\u2029"}, "bank_name", "TEXT_LINE_BREAK", "U+2029"),
    (EVERY, {"remark": "\x1b[31m"}, "remark", "TEXT_CONTROL", "U+001B (ESCAPE)"),
    (EVERY, {"subsidy_item": "补\tu"}, "subsidy_item", "TEXT_CONTROL", "U+0009 (TAB)"),
    (EVERY, {"address": "某\x9b村"}, "address", "TEXT_CONTROL", "U+009B"),
    (EVERY, {"remark": "1234\u202e5678"}, "remark", "TEXT_BIDI", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    (EVERY, {"bank_name": "\u2067农行"}, "bank_name", "TEXT_BIDI", "U+2067 (RIGHT-TO-LEFT ISOLATE)"),
    (EVERY, {"household_no": "H\u200e1"}, "household_no", "TEXT_BIDI", "U+200E (LEFT-TO-RIGHT MARK)"),
    (EVERY, {"name": "张\u061c三"}, "name", "TEXT_BIDI", "U+061C"),
    (EVERY, {"remark": "\ufdd0"}, "remark", "TEXT_NONCHARACTER", "U+FDD0"),
    (EVERY, {"remark": "\U0001ffff"}, "remark", "TEXT_NONCHARACTER", "U+1FFFF"),
    (EVERY, {"id_number": "65230119800101123\x00"}, "id_number", "TEXT_CONTROL", "U+0000 (NUL)"),
    ([GBK_FIXED, GB18030_FIXED], {"amount_fen": 10**15}, "amount_fen", "AMOUNT_TOO_LARGE", "999999999999999"),
    ([YUAN_FIXED], {"amount_fen": 10**14}, "amount_fen", "AMOUNT_TOO_LARGE", "99999999999999"),
    ([GBK_DELIMITED, ISO], {"amount_fen": 10**18}, "amount_fen", "AMOUNT_TOO_LARGE", "999999999999999999"),
    ([GBK_FIXED], {"amount_fen": 10**15 - 1}, None, None, None),
]


@pytest.mark.parametrize(("cases", "changes", "field", "code", "words"), LINE_CASES,
                         ids=[f"{i}-{next(iter(c[1]))}-{c[3]}" for i, c in enumerate(LINE_CASES)])
def test_what_a_line_cannot_carry(cases, changes, field, code, words):
    for case in cases:
        found = carriage(case).check_line(replace(LINE, **changes), WHOSE)
        if field is None:
            assert found == [], (case, found)
        else:
            assert [(u.field, u.code) for u in found] == [(field, code)], (case, found)
            assert words in found[0].message, (case, found[0].message)


def test_every_field_that_is_wrong_is_named_once():
    line = replace(LINE, name="张𠀀", remark="备注\n", bank_name="银" * 31, address="某 ")
    found = carriage(GBK_FIXED).check_line(line, WHOSE)
    assert [(u.field, u.code) for u in found] == [("name", "TEXT_ENCODING"), ("bank_name", "TEXT_WIDTH"),
                                                  ("remark", "TEXT_LINE_BREAK"), ("address", "TEXT_CHARACTER")]


def test_a_line_whose_texts_are_not_texts_is_named_not_raised():
    found = carriage(ISO).check_line(replace(LINE, remark=None, phone=5), WHOSE)
    assert {(u.field, u.code) for u in found} == {("remark", "TEXT_CHARACTER"), ("phone", "TEXT_CHARACTER")}
    assert carriage(ISO).check_line(object(), WHOSE)  # not a line at all: every field named


# (formats, changes to HEADER, field, code)
HEADER_CASES = [
    ([GBK_FIXED], {"payer_name": "财" * 71}, "payer_name", "TEXT_WIDTH"),  # 142 of 140 bytes
    ([GBK_FIXED], {"purpose": "补" * 141}, "purpose", "TEXT_WIDTH"),  # 282 of 280 bytes
    ([ISO03], {"purpose": "耕地地力保护补贴耕地地力保护补贴 2026-11-第二批次 652301"}, "purpose", "TEXT_WIDTH"),  # 36 of 35
    ([ISO], {"purpose": "补" * 141}, "purpose", "TEXT_WIDTH"),
    ([ISO], {"payer_account": "1" * 35}, "payer_account", "TEXT_WIDTH"),
    ([GBK_FIXED, GBK_DELIMITED], {"payer_name": "𠀀财政局"}, "payer_name", "TEXT_ENCODING"),
    ([GBK_DELIMITED], {"payer_account": "1|2"}, "payer_account", "TEXT_CHARACTER"),
    ([GBK_FIXED], {"payer_name": "财政局 "}, "payer_name", "TEXT_CHARACTER"),
    (EVERY, {"payer_name": ""}, "payer_name", "TEXT_REQUIRED"),
    (EVERY, {"purpose": "a\nb"}, "purpose", "TEXT_LINE_BREAK"),
    (EVERY, {"payer_name": "\u202d财政局"}, "payer_name", "TEXT_BIDI"),
    ([GBK_FIXED, GBK_DELIMITED, ISO], {"total_fen": 10**18}, "total_fen", "AMOUNT_TOO_LARGE"),
    ([GBK_FIXED], {"count": 10**10}, "count", "AMOUNT_TOO_LARGE"),
    ([ISO], {"count": 10**15}, "count", "AMOUNT_TOO_LARGE"),
    ([ISO], {"purpose": "补" * 140, "payer_name": "财" * 140}, None, None),
]


@pytest.mark.parametrize(("cases", "changes", "field", "code"), HEADER_CASES,
                         ids=[f"{i}-{next(iter(c[1]))}-{c[3]}" for i, c in enumerate(HEADER_CASES)])
def test_what_a_header_cannot_carry(cases, changes, field, code):
    for case in cases:
        found = carriage(case).check_header(replace(HEADER, **changes), WHOSE)
        assert [(u.field, u.code) for u in found] == ([] if field is None else [(field, code)]), (case, found)


def test_the_fixed_width_carriage_is_the_layout():
    """Widths and required fields come from the layout the writer writes, not from a copy."""
    from bank_formats.fixed_width_gbk.layout import PAYMENT_DETAIL, PAYMENT_HEADER

    c = carriage(GBK_FIXED)
    assert {(f.name, f.width, f.required) for f in c.line_fields} == {
        (f.name, f.width, f.required) for f in PAYMENT_DETAIL.fields if f.type == "X"}
    assert {f.name for f in c.header_fields} == {f.name for f in PAYMENT_HEADER.fields if f.type == "X"}
    assert {f.name for f in c.line_fields} == set(LINE_TEXTS)


def test_a_carriage_must_name_every_text_of_a_line():
    with pytest.raises(ValueError, match="every text of a line"):
        Carriage(family="x", encoding="utf-8", encoding_label="UTF-8", in_bytes=False,
                 line=[TextField("name")], header=[], max_amount_fen=1, max_total_fen=1, max_count=1)


# The fast path (texts joined, searched and encoded once) never finds less than the careful one.
TEXT = st.text(st.one_of(st.sampled_from("张三𠀀·| \t\n\r\x00\u202e\u2066\u200e\ufffe€☃<>&"),
                         st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                         st.characters(min_codepoint=0x4E00, max_codepoint=0x4E20), st.characters()),
               max_size=70)


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(EVERY), texts=st.fixed_dictionaries({f: TEXT for f in LINE_TEXTS}),
       amount=st.integers(-1, 10**19))
def test_the_quick_check_agrees_with_the_careful_one(case, texts, amount):
    c = carriage(case)
    line = replace(LINE, amount_fen=amount, **texts)
    careful = c._look_at_line(line, WHOSE)
    assert c.check_line(line, WHOSE) == careful
    if not careful:  # nothing found: the bank's writer takes the line
        import io

        fmt = bank_formats.get(case[0], **case[1])
        header = replace(HEADER, count=1, total_fen=max(amount, 0))
        if amount >= 0 and not c.check_header(header):
            fmt.write_payments(io.BytesIO(), header, [replace(line, seq=1)])
