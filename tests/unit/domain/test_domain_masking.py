"""Masking reveals at most the documented characters, and never raises."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.masking import mask_account, mask_id, mask_name, mask_phone


def test_examples() -> None:
    assert mask_id("11010519491231123X") == "110***********123X"
    assert mask_account("6222021234565678") == "6222********5678"
    assert mask_account("6228480000000000001") == "6228***********0001"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("阿依古") == "阿**"
    assert mask_name("买买提·艾力") == "买*****"


@pytest.mark.parametrize("fn", [mask_id, mask_account, mask_phone, mask_name])
@pytest.mark.parametrize("value", [None, "", "1", "12", "1234", 12345678901, b"123", object()])
def test_total_on_odd_input(fn, value) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(fn(value), str)


def test_short_input() -> None:
    assert mask_id("") == ""
    assert mask_id("1234") == "****"
    assert mask_id("12345678") == "****5678"  # too short for head and tail: tail only
    assert mask_id("12345678901") == "123****8901"
    assert mask_account("1234567") == "*******"
    assert mask_account("12345678") == "****5678"
    assert mask_phone("1381234") == "*******"
    assert mask_name("张") == "*"
    assert mask_name("") == ""
    assert mask_name(None) == ""


@pytest.mark.parametrize(("fn", "head", "tail"), [(mask_id, 3, 4), (mask_account, 4, 4), (mask_phone, 3, 4)])
@given(value=st.text(max_size=40))
def test_never_reveals_more_than_documented(fn, head: int, tail: int, value: str) -> None:  # type: ignore[no-untyped-def]
    masked = fn(value)
    n = len(value)
    assert len(masked) == n
    shown = [i for i in range(n) if masked[i] != "*"]
    allowed = set(range(head)) | set(range(n - tail, n))
    assert set(shown) <= allowed
    for i in range(n):
        assert masked[i] in ("*", value[i])
    hidden = sum(1 for i in range(n) if masked[i] == "*")
    assert hidden >= min(n, 4)


@given(st.text(max_size=30))
def test_name_keeps_only_the_first_character(value: str) -> None:
    masked = mask_name(value)
    assert len(masked) == len(value)
    if len(value) >= 2:
        assert masked == value[0] + "*" * (len(value) - 1)
    else:
        assert masked == "*" * len(value)
