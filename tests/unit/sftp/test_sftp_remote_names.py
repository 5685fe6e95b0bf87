"""The rule for names in a bank's listing (sftp.names): one row per case, from the rules."""
from __future__ import annotations

import pytest

from sftp.names import MAX_NAME_BYTES, escaped, remote_name_problem

OK = None


@pytest.mark.parametrize("name, problem", [
    # plain names, as banks send them
    ("HP_DF_RCC01_20261102_B26110001.txt", OK),
    ("YKT_RET_YKT_PSBC01_B1_20261102.txt", OK),
    ("PAIN002_PAIN001_B1.xml", OK),
    ("回盘_B1.txt", OK),  # not ASCII, still one plain name
    ("HP_a.b.txt", OK),  # single dots are fine
    ("HP_x .txt", OK),  # a space is printable
    (".hidden", OK),  # a dot-file is a file name (readiness ignores it)
    ("a" * MAX_NAME_BYTES, OK),
    # not a file name
    ("", "not a file name"),
    (".", "not a file name"),
    ("..", "contains '..'"),
    # path separators and parent steps: the names of issue 14
    ("HP_../../../../x.txt", "contains '/'"),
    ("/etc/passwd", "contains '/'"),
    ("HP_a/b.txt", "contains '/'"),
    ("HP_..\\..\\x.txt", "contains '\\'"),
    ("HP_a\\b.txt", "contains '\\'"),
    ("HP_..x.txt", "contains '..'"),
    ("HP_x...txt", "contains '..'"),
    # NUL cuts the name short in C
    ("HP_x.txt\x00.xml", "contains NUL"),
    ("\x00", "contains NUL"),
    # control and format characters: forged log lines, hidden meaning
    ("HP_x\n.txt", "contains the control or format character U+000A"),
    ("HP_x\r.txt", "contains the control or format character U+000D"),
    ("HP_x\t.txt", "contains the control or format character U+0009"),
    ("HP_x\x1b[2J.txt", "contains the control or format character U+001B"),
    ("HP_x\x7f.txt", "contains the control or format character U+007F"),
    ("HP_x\x85.txt", "contains the control or format character U+0085"),
    ("HP_\u202etxt.exe", "contains the control or format character U+202E"),  # right-to-left override
    ("HP_x\u200b.txt", "contains the control or format character U+200B"),  # zero-width space
    ("HP_x\u2028.txt", "contains the control or format character U+2028"),  # line separator
    ("HP_x\udcff.txt", "contains the control or format character U+DCFF"),  # lone surrogate
    # too long for the local copy's name
    ("a" * (MAX_NAME_BYTES + 1), f"longer than {MAX_NAME_BYTES} bytes ({MAX_NAME_BYTES + 1})"),
    ("回" * 67, f"longer than {MAX_NAME_BYTES} bytes (201)"),  # 3 bytes each in UTF-8
])
def test_remote_name_rule(name, problem):
    assert remote_name_problem(name) == problem


def test_a_refused_name_is_escaped_for_the_log():
    assert escaped("HP_../../x.txt") == "'HP_../../x.txt'"
    assert escaped("HP_x\n.txt") == "'HP_x\\n.txt'"
    assert escaped("HP_\u202etxt") == "'HP_\\u202etxt'"
    assert escaped("HP_\x00") == "'HP_\\x00'"
    assert "\n" not in escaped("a\nb") and "\u202e" not in escaped("a\u202eb")
