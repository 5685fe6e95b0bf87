"""A payment file the bank's format refuses to write is stored as ``dispatch.unwritable`` with the
number of problems found (service/dispatch.py). A writer keeps at most MAX_PROBLEMS of them and
says how many more it left out; the frame must count them all, not the kept ones plus the
"not listed" note."""
from __future__ import annotations

from bank_formats.base import MAX_PROBLEMS, Problems
from i18n.stored import shown
from service.dispatch import _unexpected_error

REFUSED = MAX_PROBLEMS + 500


def _refused(count: int):
    problems = Problems()
    for seq in range(1, count + 1):
        problems.add(f"line {seq + 1}", "name", f"seq {seq}: contains '|', the field separator")
    return problems.error("pay.txt")


def test_a_file_with_more_problems_than_are_kept_says_how_many_were_found():
    stored = _unexpected_error(_refused(REFUSED))
    assert shown(stored, "en").startswith(f"the payment file cannot be written in the bank's format ({REFUSED} "
                                          "problems); nothing was sent; line 2: name: seq 1: ")
    assert shown(stored, "zh").startswith(f"付款文件无法按银行的格式写出（{REFUSED} 个问题）；未发送任何内容")


def test_a_file_with_few_problems_counts_each_once():
    assert shown(_unexpected_error(_refused(3)), "en").startswith(
        "the payment file cannot be written in the bank's format (3 problems); nothing was sent; line 2: name: ")
