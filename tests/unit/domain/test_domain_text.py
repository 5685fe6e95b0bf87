"""Characters no text field may hold, whatever the bank (issue 14 item 4): every one of them is
named by its reason code and code point, and what people's data holds is left alone."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.text import FORBIDDEN, TEXT_CODES, text_problem

CASES = [
    ("\n", "TEXT_LINE_BREAK", "U+000A (LINE FEED)"),
    ("\r", "TEXT_LINE_BREAK", "U+000D (CARRIAGE RETURN)"),
    ("\x0b", "TEXT_LINE_BREAK", "U+000B"),
    ("\x0c", "TEXT_LINE_BREAK", "U+000C"),
    ("\x85", "TEXT_LINE_BREAK", "U+0085"),
    ("\u2028", "TEXT_LINE_BREAK", "U+2028 (LINE SEPARATOR)"),
    ("\u2029", "TEXT_LINE_BREAK", "U+2029 (PARAGRAPH SEPARATOR)"),
    ("\x00", "TEXT_CONTROL", "U+0000 (NUL)"),
    ("\t", "TEXT_CONTROL", "U+0009 (TAB)"),
    ("\x1b", "TEXT_CONTROL", "U+001B (ESCAPE)"),
    ("\x7f", "TEXT_CONTROL", "U+007F (DELETE)"),
    ("\x80", "TEXT_CONTROL", "U+0080"),
    ("\x9f", "TEXT_CONTROL", "U+009F"),
    *((chr(c), "TEXT_BIDI", f"U+{c:04X}") for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067,
                                                     0x2068, 0x2069, 0x200E, 0x200F, 0x061C)),
    ("\ud800", "TEXT_NONCHARACTER", "U+D800"),
    ("\udfff", "TEXT_NONCHARACTER", "U+DFFF"),
    ("\ufdd0", "TEXT_NONCHARACTER", "U+FDD0"),
    ("\ufdef", "TEXT_NONCHARACTER", "U+FDEF"),
    ("\ufffe", "TEXT_NONCHARACTER", "U+FFFE"),
    ("\uffff", "TEXT_NONCHARACTER", "U+FFFF"),
    ("\U0001fffe", "TEXT_NONCHARACTER", "U+1FFFE"),
    ("\U0010ffff", "TEXT_NONCHARACTER", "U+10FFFF"),
]


@pytest.mark.parametrize(("ch", "code", "named"), CASES, ids=[f"U+{ord(c[0]):04X}" for c in CASES])
def test_each_character_no_text_may_hold_is_named(ch, code, named):
    found = text_problem(f"张三{ch}李四")
    assert found is not None and found[0] == code
    assert named in found[1]
    assert ch not in found[1]  # never shown itself


@pytest.mark.parametrize("text", ["张三", "买买提·艾力", "㐀𠀀", "Zhang San", "a|b<c>&d\"e'f", "全角　空格",
                                  "￥１２３", "😀", "\u200d", "\u00ad", "\ufeff", "\ufffd", "Ω≈ç√"])
def test_what_people_write_is_left_alone(text):
    assert text_problem(text) is None


@given(st.text())
def test_a_text_is_refused_exactly_when_it_holds_one_of_them(text):
    found = text_problem(text)
    bad = [c for c in text if c in "\n\r\x0b\x0c\x85\u2028\u2029" or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F
           or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
           or 0xD800 <= ord(c) <= 0xDFFF or 0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE]
    assert (found is None) == (not bad)
    if bad:
        assert found[0] in TEXT_CODES and f"U+{ord(bad[0]):04X}" in found[1]
        assert FORBIDDEN.search(text).group() == bad[0]
