"""The synthetic roster generator: valid, unique, reproducible, streaming."""
from __future__ import annotations

import itertools
import types
from collections import Counter
from datetime import date

import pytest

from domain import idnumber
from domain.model import AccountKind
from domain.roster import MAX_LINES, generate_lines
from domain.validation import BatchChecker, luhn_ok

TODAY = date(2025, 6, 1)
N = 20_000


@pytest.fixture(scope="module")
def roster() -> list:  # type: ignore[type-arg]
    return list(generate_lines(N, seed=42))


def test_every_line_passes_every_check(roster) -> None:  # type: ignore[no-untyped-def]
    checker = BatchChecker(today=TODAY)
    problems = [e for line in roster for e in checker.check(line)]
    assert problems == []
    assert checker.finish(N, sum(line.amount_fen for line in roster)) == []


def test_numbers_are_unique_and_well_formed(roster) -> None:  # type: ignore[no-untyped-def]
    assert [line.seq for line in roster] == list(range(1, N + 1))
    assert len({line.id_number for line in roster}) == N
    assert len({line.account_no for line in roster}) == N
    assert all(idnumber.region(line.id_number) == "652301" for line in roster)
    kinds = Counter(line.account_kind for line in roster)
    assert set(kinds) == set(AccountKind)
    assert kinds[AccountKind.PASSBOOK] > N * 0.03
    for line in roster:
        if line.account_kind != AccountKind.PASSBOOK:
            assert len(line.account_no) == 19 and line.account_no.startswith("622")
            assert luhn_ok(line.account_no)
        assert 5_000 <= line.amount_fen <= 150_000
        assert line.bank_name and line.subsidy_item == "耕地地力保护补贴" and line.remark


def test_names_include_minority_names(roster) -> None:  # type: ignore[no-untyped-def]
    minority = [line.name for line in roster if "·" in line.name]
    assert 0.01 * N < len(minority) < 0.03 * N
    assert len({line.name[0] for line in roster}) > 50


def test_reproducible() -> None:
    first = list(generate_lines(200, seed=7))
    assert first == list(generate_lines(200, seed=7))
    assert first != list(generate_lines(200, seed=8))
    # a prefix of a longer roster is the shorter roster
    assert first[:50] == list(generate_lines(50, seed=7))


def test_other_region_and_amounts() -> None:
    lines = list(generate_lines(500, seed=1, region="110105", amount_range=(100, 100), subsidy_item="高龄津贴"))
    assert {idnumber.region(line.id_number) for line in lines} == {"110105"}
    assert {line.amount_fen for line in lines} == {100}
    assert {line.remark for line in lines} == {"高龄津贴"}
    checker = BatchChecker(today=TODAY, max_amount_fen=100)
    assert [e for line in lines for e in checker.check(line)] == []


def test_disjoint_ranges_of_one_seed_share_no_person_and_no_account() -> None:
    """Several banks' rosters (or a re-issue's fresh accounts) from one seed: people numbered
    ``[start, start + n)`` are distinct from every other range's, however the ranges are cut."""
    first = list(generate_lines(3_000, seed=11))
    second = list(generate_lines(3_000, seed=11, start=3_000))
    third = list(generate_lines(500, seed=11, start=6_000))
    whole = list(generate_lines(6_500, seed=11))
    for part in (second, third):
        assert [line.seq for line in part] == list(range(1, len(part) + 1))
    ids = [line.id_number for part in (first, second, third) for line in part]
    accounts = [line.account_no for part in (first, second, third) for line in part]
    assert len(set(ids)) == len(ids) == 6_500 and len(set(accounts)) == 6_500
    # the same people as the one roster of 6,500, cut in three (their banks, hence accounts, drawn afresh)
    assert set(ids) == {line.id_number for line in whole}
    assert first == whole[:3_000]  # start 0 is the roster as it always was
    # names and amounts are drawn afresh for each range, not the first range's again
    assert [line.amount_fen for line in second[:100]] != [line.amount_fen for line in first[:100]]
    for part in (second, third):
        checker = BatchChecker(today=TODAY)
        assert [e for line in part for e in checker.check(line)] == []


def test_streams_without_building_a_list() -> None:
    it = generate_lines(10_000_000, seed=1)
    assert isinstance(it, types.GeneratorType)
    head = list(itertools.islice(it, 3))
    assert [line.seq for line in head] == [1, 2, 3]


def test_ten_million_lines_are_allowed() -> None:
    # identities come from a bijection on (birth day, sequence code) pairs: more than 10 million
    assert MAX_LINES >= 10_000_000
    assert next(generate_lines(10_000_000, seed=3)).seq == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": -1},
        {"n": MAX_LINES + 1},
        {"n": 1, "region": "990101"},
        {"n": 1, "region": "65230"},
        {"n": 1, "amount_range": (0, 10)},
        {"n": 1, "amount_range": (10, 5)},
        {"n": 1, "amount_range": (1.5, 10)},
        {"n": 1, "start": -1},
        {"n": 2, "start": MAX_LINES - 1},
    ],
)
def test_bad_arguments(kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        generate_lines(**kwargs)
