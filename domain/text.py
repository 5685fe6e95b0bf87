"""Characters no text field may hold, whatever the bank and its file format.

A text that reaches a bank's file, a report, a log or a screen must say what it shows. These
never do, and no format needs them, so every text field of a request is refused when it holds
one (each bank's format then adds what its own files cannot carry: see
:mod:`bank_formats.carriage`):

* ``TEXT_LINE_BREAK``: CR, LF, NEL (U+0085), the line and paragraph separators (U+2028,
  U+2029), vertical tab and form feed: a field is one line; a break would end a record of a
  line-based file early;
* ``TEXT_CONTROL``: any other control character (C0 U+0000-U+001F, DEL, C1 U+0080-U+009F);
* ``TEXT_BIDI``: the bidirectional controls (U+202A-U+202E embeddings and overrides, U+2066-
  U+2069 isolates, U+200E/U+200F and U+061C marks), which make a text read differently from
  what it is (a "right-to-left override" turns an account number round on screen);
* ``TEXT_NONCHARACTER``: lone surrogates (no encoding can write them) and the Unicode
  noncharacters (U+FDD0-U+FDEF and the last two code points of every plane, U+FFFE, U+FFFF ...),
  which XML cannot carry and no person's data holds.

:func:`text_problem` says what is wrong with one text (None when nothing is);
:data:`FORBIDDEN` finds the first such character in a text (a precompiled class: one search per
text, or one per joined line of texts). Pure: no I/O.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["CLASS_BODY", "FORBIDDEN", "FORBIDDEN_BUT_NUL", "TEXT_BIDI", "TEXT_CODES", "TEXT_CONTROL", "TEXT_LINE_BREAK", "TEXT_NONCHARACTER",
           "describe", "text_problem"]

TEXT_LINE_BREAK = "TEXT_LINE_BREAK"
TEXT_CONTROL = "TEXT_CONTROL"
TEXT_BIDI = "TEXT_BIDI"
TEXT_NONCHARACTER = "TEXT_NONCHARACTER"
TEXT_CODES = frozenset({TEXT_LINE_BREAK, TEXT_CONTROL, TEXT_BIDI, TEXT_NONCHARACTER})

LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
# Every character above but U+0000, as the body of a character class: the checks that join a
# line's texts with U+0000 to search them at once use it without (FORBIDDEN_BUT_NUL), and add
# what their format cannot carry (bank_formats.carriage).
CLASS_BODY = "\x01-\x1f\x7f-\x9f" + BIDI + "\u2028\u2029\ud800-\udfff" + _NONCHARACTERS
FORBIDDEN = re.compile("[\x00" + CLASS_BODY + "]")
FORBIDDEN_BUT_NUL = re.compile("[" + CLASS_BODY + "]")
_CONTROL_NAMES = {"\x00": "NUL", "\t": "TAB", "\n": "LINE FEED", "\x0b": "VERTICAL TAB", "\x0c": "FORM FEED",
                  "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x7f": "DELETE", "\x85": "NEXT LINE"}


def describe(ch: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: a character named for a message, never shown itself."""
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def code_of(ch: str) -> str:
    """The reason code of one character :data:`FORBIDDEN` matched."""
    if ch in LINE_BREAKS:
        return TEXT_LINE_BREAK
    if ch in BIDI:
        return TEXT_BIDI
    if "\ud800" <= ch <= "\udfff" or _is_noncharacter(ch):
        return TEXT_NONCHARACTER
    return TEXT_CONTROL


def _is_noncharacter(ch: str) -> bool:
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE


_WHY = {
    TEXT_LINE_BREAK: "holds a line break, {}; a field is one line",
    TEXT_CONTROL: "holds the control character {}",
    TEXT_BIDI: "holds the bidirectional control {}, which makes a text read differently from what it is",
    TEXT_NONCHARACTER: "holds {}, which is not a character any file can carry",
}


def text_problem(value: str) -> tuple[str, str] | None:
    """(reason code, why) for the first character of ``value`` no text field may hold, or None."""
    m = FORBIDDEN.search(value)
    if m is None:
        return None
    ch = m.group()
    code = code_of(ch)
    return code, _WHY[code].format(describe(ch))
