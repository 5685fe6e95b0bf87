"""How verify puts a difference between a batch's recorded and current line states in words."""
from __future__ import annotations

from ledger.journal import lines_differ

RECORDED = {"PAID": [3, 1 + 2 + 4], "REFUNDED": [2, 3 + 5]}


def test_equal_states_are_no_difference():
    assert lines_differ(RECORDED, {"REFUNDED": [2, 8], "PAID": [3, 7]}) is None


def test_one_line_changed_is_named_by_its_seq():
    found = {"PAID": [2, 1 + 2], "REFUNDED": [2, 8], "FAILED": [1, 4]}
    assert lines_differ(RECORDED, found) == "line 4 is FAILED in the lines table, the journal last recorded it PAID"


def test_one_line_removed_or_added_is_named_by_its_seq():
    assert lines_differ(RECORDED, {"PAID": [3, 7], "REFUNDED": [1, 3]}) == \
        "line 5 (REFUNDED in the journal) is missing from the lines table"
    assert lines_differ(RECORDED, {"PAID": [4, 7 + 9], "REFUNDED": [2, 8]}) == \
        "line 9 (PAID) is in the lines table, the journal never recorded it"


def test_a_swap_keeps_the_counts_but_not_the_sums():
    found = {"PAID": [3, 1 + 2 + 5], "REFUNDED": [2, 3 + 4]}
    assert lines_differ(RECORDED, found) == ("the lines table has PAID 3 (journal 3, seq sum 8 against 7), "
                                             "REFUNDED 2 (journal 2, seq sum 7 against 8)")


def test_all_lines_gone():
    assert lines_differ(RECORDED, {}).startswith("the lines table has PAID 0 (journal 3")
