"""The program registry's rules (domain/programs.py), one row per rule."""
from __future__ import annotations

import pytest

from domain.programs import Program, check, standard

REGISTRY = {
    "耕地地力保护补贴": Program("耕地地力保护补贴", "GDDL", "县农业农村局", "year"),
    "高龄津贴": Program("高龄津贴", "GLJT", "县民政局", "month", standard_fen=10000),
    "困难残疾人生活补贴": Program("困难残疾人生活补贴", "KNCJ", "县残联", "quarter", standard_fen=9000),
}


@pytest.mark.parametrize("program, period, header_standard, expected", [
    ("耕地地力保护补贴", "2026", None, []),
    ("高龄津贴", "2026-11", None, []),
    ("高龄津贴", "2026-11", 10000, []),  # the header may repeat the registered standard
    ("困难残疾人生活补贴", "2026-Q4", None, []),
    ("耕地地力保护补贴 ", "2026", None, [("program", "PROGRAM_UNKNOWN")]),  # a trailing space is another name
    ("耕地补贴", "2026", None, [("program", "PROGRAM_UNKNOWN")]),
    ("耕地地力保护补贴", "2026-11", None, [("period", "PERIOD_FORMAT")]),  # a yearly program
    ("高龄津贴", "2026-13", None, [("period", "PERIOD_FORMAT")]),
    ("高龄津贴", "2026-1", None, [("period", "PERIOD_FORMAT")]),
    ("高龄津贴", "２０２６-11", None, [("period", "PERIOD_FORMAT")]),  # full-width digits
    ("困难残疾人生活补贴", "2026-Q5", None, [("period", "PERIOD_FORMAT")]),
    ("困难残疾人生活补贴", "2026-q4", None, [("period", "PERIOD_FORMAT")]),
    ("高龄津贴", "2026-11", 20000, [("max_amount_fen", "STANDARD_NOT_REGISTERED")]),  # a careless header
    ("耕地地力保护补贴", "2026", 5000, [("max_amount_fen", "STANDARD_NOT_REGISTERED")]),  # none registered
    ("高龄津贴", "2026/11", 1, [("period", "PERIOD_FORMAT"), ("max_amount_fen", "STANDARD_NOT_REGISTERED")]),
])
def test_each_rule_of_the_registry(program, period, header_standard, expected):
    assert [(r.field, r.code) for r in check(REGISTRY, program, period, header_standard)] == expected


def test_without_a_registry_anything_goes_and_the_header_sets_the_standard():
    assert check({}, "any program", "whenever", 123) == []
    assert standard({}, "any program", 123) == 123


def test_the_registry_sets_the_standard_of_its_programs():
    assert standard(REGISTRY, "高龄津贴", None) == 10000
    assert standard(REGISTRY, "耕地地力保护补贴", None) is None


@pytest.mark.parametrize("kwargs, message", [
    ({"code": "gd"}, "code 'gd'"),
    ({"code": "A" * 17}, "code"),
    ({"period": "week"}, "period 'week'"),
    ({"standard_fen": 0}, "standard_fen 0"),
    ({"standard_fen": 1.5}, "standard_fen 1.5"),
])
def test_a_malformed_entry_is_refused(kwargs, message):
    values = {"name": "x", "code": "X", "department": "d", "period": "month", **kwargs}
    with pytest.raises(ValueError, match=message):
        Program(**values)
