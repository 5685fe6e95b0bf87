"""Yuan shown from integer fen (domain/money.py): by integer arithmetic, whatever the size; a
float never passes for fen."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import plain_yuan, yuan


@pytest.mark.parametrize("fen, grouped, plain, signed", [
    (0, "0.00", "0.00", "+0.00"),
    (5, "0.05", "0.05", "+0.05"),
    (-5, "-0.05", "-0.05", "-0.05"),
    (123456, "1,234.56", "1234.56", "+1234.56"),
    (-100000000, "-1,000,000.00", "-1000000.00", "-1000000.00"),
    (2**63 - 1, "92,233,720,368,547,758.07", "92233720368547758.07", "+92233720368547758.07"),
])
def test_yuan_from_fen(fen, grouped, plain, signed):
    assert (yuan(fen), plain_yuan(fen), plain_yuan(fen, signed=True)) == (grouped, plain, signed)


@pytest.mark.parametrize("show", [yuan, plain_yuan])
@pytest.mark.parametrize("bad", [1.5, "100", None])
def test_only_int_fen(show, bad):
    with pytest.raises(TypeError):
        show(bad)


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_plain_yuan_reads_back_as_the_same_fen(fen):
    text = plain_yuan(fen)
    whole, cents = text.lstrip("-").split(".")
    assert (-1 if text.startswith("-") else 1) * (int(whole) * 100 + int(cents)) == fen
    assert yuan(fen).replace(",", "") == text
