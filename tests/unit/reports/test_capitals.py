"""Capital numerals (大写) for amounts, checked against the voucher-filling rules' own examples
and the edge cases of zeros, 角 and 分."""
from __future__ import annotations

import pytest

from reports.capitals import capitals

CASES = [
    (0, "零元整"),
    (1, "壹分"),  # 0.01
    (10, "壹角整"),  # 0.10
    (15, "壹角伍分"),
    (100, "壹元整"),
    (1000, "壹拾元整"),  # a leading ten is 壹拾
    (1005, "壹拾元零伍分"),  # 10.05
    (1050, "壹拾元零伍角整"),  # 10.50: zero 元 digit before 角
    (10000, "壹佰元整"),
    (140950, "壹仟肆佰零玖元伍角整"),  # the rules' 1,409.50
    (600714, "陆仟零柒元壹角肆分"),  # the rules' 6,007.14
    (168032, "壹仟陆佰捌拾元零叁角贰分"),  # the rules' 1,680.32
    (10700053, "壹拾万柒仟元零伍角叁分"),  # the rules' 107,000.53
    (10020000, "壹拾万零贰佰元整"),  # 100,200.00 (the example)
    (100000001, "壹佰万元零壹分"),  # 1,000,000.01
    (100000000, "壹佰万元整"),
    (101000, "壹仟零壹拾元整"),  # 1,010
    (1000500, "壹万零伍元整"),  # 10,005
    (1234567890, "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"),
    (10000001000, "壹亿零壹拾元整"),  # 100,000,010
    (1000010000000, "壹佰亿零壹拾万元整"),  # 10,000,100,000
    (99999999, "玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    (-1005, "负壹拾元零伍分"),
]


@pytest.mark.parametrize(("fen", "expected"), CASES)
def test_capitals_follow_the_rules(fen, expected):
    assert capitals(fen) == expected


def test_money_is_integer_fen_only():
    with pytest.raises(TypeError):
        capitals(10.05)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        capitals(True)  # type: ignore[arg-type]
