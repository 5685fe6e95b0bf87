from __future__ import annotations

from collections import Counter

import pytest

from bank_sim.outcomes import BANK_TEXTS, decide
from domain.model import FailureReason, PaymentLine, PaymentOutcome


def line(seq: int, amount: int = 12_345, account: str = "6217000010001234567") -> PaymentLine:
    return PaymentLine(seq=seq, name="张三", id_number="110101199003078515", account_no=account,
                       amount_fen=amount)


def test_deterministic_from_seed_batch_and_seq():
    a = [decide(7, "B1", line(i)) for i in range(1, 2001)]
    b = [decide(7, "B1", line(i)) for i in range(1, 2001)]
    assert a == b
    assert [r.outcome for r in a] != [r.outcome for r in (decide(8, "B1", line(i)) for i in range(1, 2001))]
    assert [r.outcome for r in a] != [r.outcome for r in (decide(7, "B2", line(i)) for i in range(1, 2001))]


def test_paid_lines_carry_the_instructed_amount():
    for i in range(1, 500):
        r = decide(1, "B", line(i, amount=i * 100))
        assert r.seq == i and r.amount_fen == i * 100 and r.account_no == "6217000010001234567"
        assert r.bank_code == ""
        if r.outcome is PaymentOutcome.PAID:
            assert r.reason is None and r.bank_text == ""
        else:
            assert r.reason is not None and r.bank_text in BANK_TEXTS[r.reason]


def test_failure_rate_and_reason_spread_over_100k_lines():
    n = 100_000
    results = [decide(2026, "BATCH-2026-11", line(i)) for i in range(1, n + 1)]
    failed = [r for r in results if r.outcome is PaymentOutcome.FAILED]
    assert 0.027 * n <= len(failed) <= 0.033 * n  # 3 % nominal
    reasons = Counter(r.reason for r in failed)
    assert set(reasons) == set(FailureReason) - {FailureReason.OTHER}
    common = [FailureReason.ACCOUNT_NOT_FOUND, FailureReason.NAME_MISMATCH,
              FailureReason.ACCOUNT_CLOSED, FailureReason.ACCOUNT_FROZEN]
    rare = [FailureReason.ID_MISMATCH, FailureReason.CARD_LOST]
    assert min(reasons[r] for r in common) > max(reasons[r] for r in rare)
    assert {r.bank_text for r in failed} >= {"账户不存在", "户名不符", "账户已销户", "账户冻结"}


@pytest.mark.parametrize("ppm, expected", [(0, 0), (1_000_000, 300)])
def test_failure_rate_bounds(ppm, expected):
    results = [decide(3, "B", line(i), failure_rate_ppm=ppm) for i in range(1, 301)]
    assert sum(r.outcome is PaymentOutcome.FAILED for r in results) == expected


def test_line_without_account_fails_as_not_found():
    r = decide(3, "B", line(1, account=" "), failure_rate_ppm=0)
    assert r.outcome is PaymentOutcome.FAILED and r.reason is FailureReason.ACCOUNT_NOT_FOUND


def test_invalid_rate_is_refused():
    with pytest.raises(ValueError):
        decide(1, "B", line(1), failure_rate_ppm=1_000_001)
