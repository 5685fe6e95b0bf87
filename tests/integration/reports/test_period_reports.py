"""The aggregated reconciliation (program × period × region) and the monthly report (program ×
region × month), checked against a ledger built through the service layer on SQLite and
PostgreSQL: batches funded, answered by the bank and closed at set moments, one of them late, and
batches of another region and another program that must not count."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reports.signing import verify
from reports.layout import issued_late
from service import aggregate, monthly, reporting
from service.errors import InvalidInput, NotFound
from tests.support.ledger_world import World

PROGRAM, OTHER_PROGRAM = "耕地地力保护补贴", "农机购置补贴"
REGION, OTHER_REGION = "652301", "652302"


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 3, 0, tzinfo=UTC)


@pytest.fixture
def world(engine, tmp_path):
    """November: batch 1 funded on the 3rd, answered on the 4th (due the 6th), closed on the 20th;
    batch 2 funded on the 25th. December: batch 2 answered on the 10th, after its deadline, and
    left open. Batches of another region and another program run alongside."""
    w = World(engine, tmp_path, _at(11, 3))
    b1, _ = w.submit_fund_dispatch(PROGRAM, REGION, "2026-11", 30, seed=21)
    other_region, _ = w.submit_fund_dispatch(PROGRAM, OTHER_REGION, "2026-11", 12, seed=22)
    other_program, _ = w.submit_fund_dispatch(OTHER_PROGRAM, REGION, "2026-11", 12, seed=23)
    w.at(_at(11, 4))
    first = w.bank_answers(b1, failure_ppm=250_000, seed=5, fail={2})
    w.bank_answers(other_region, seed=6)
    w.bank_answers(other_program, seed=7)
    w.at(_at(11, 20))
    w.close(b1)
    w.close(other_program)
    w.at(_at(11, 25))
    b2, _ = w.submit_fund_dispatch(PROGRAM, REGION, "2026-11", 25, seed=24)
    w.at(_at(12, 10))
    second = w.bank_answers(b2, failure_ppm=300_000, seed=8, fail={3})
    assert first.failed and second.failed and second.paid
    assert second.payment_due < _at(12, 10).date() and first.payment_due >= _at(11, 4).date()
    return w, first, second


def _fen(d: dict[int, int]) -> int:
    return sum(d.values())


def test_the_monthly_report_of_november(world):
    w, first, second = world
    doc = monthly.monthly_report(w.ctx, PROGRAM, REGION, "2026-11")
    t = doc.content["totals"]
    assert (t["funded_batches"], t["funded_fen"]) == (2, first.funded_fen + second.funded_fen)
    assert (t["paid_count"], t["paid_fen"]) == (len(first.paid), _fen(first.paid))
    assert (t["failed_count"], t["failed_fen"]) == (len(first.failed), _fen(first.failed))
    assert (t["refunded_count"], t["refunded_fen"]) == (len(first.failed), _fen(first.failed))  # closed on the 20th
    assert (t["late_count"], t["late_fen"]) == (0, 0)
    # at the end of November batch 2 is funded and unanswered: all of it is outstanding
    assert (t["outstanding_count"], t["outstanding_fen"]) == (25, second.funded_fen)
    assert [b["id"] for b in doc.content["batches"]] == sorted([first.batch_id, second.batch_id])
    assert all(doc.content["checks"].values())
    r = doc.content["reporting"]  # the notices' monthly reporting dates; the time of issue is outside the content
    assert (r["department_to_county_finance"], r["county_to_city_finance_by"]) == ("2026-11-28", "2026-12-05")
    assert doc.issued_at == w.ctx.clock().astimezone(monthly.BEIJING).isoformat(timespec="seconds")
    issued_on = w.ctx.clock().astimezone(monthly.BEIJING).date()
    assert issued_late(r, issued_on)["after_department_date"] == (issued_on.isoformat() > "2026-11-28")
    assert monthly.reporting_dates("2026-12")["county_to_city_finance_by"] == "2027-01-05"
    assert issued_late(monthly.reporting_dates("2026-12"), datetime(2027, 1, 5).date())["after_county_date"] is True
    assert issued_late(monthly.reporting_dates("2026-12"), datetime(2027, 1, 4).date())["after_county_date"] is False
    assert doc.content["scope"]["from"] == "2026-11-01T00:00:00+08:00"  # Beijing months
    assert monthly.month_bounds("2026-12") == (datetime(2026, 11, 30, 16, 0, tzinfo=UTC), datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
    assert verify(doc.public_key_pem, doc.digest, doc.copies[0].signature)


def test_the_monthly_report_of_december_counts_the_late_payments(world):
    w, first, second = world
    t = monthly.monthly_report(w.ctx, PROGRAM, REGION, "2026-12").content["totals"]
    assert (t["funded_batches"], t["funded_fen"]) == (0, 0)
    assert (t["paid_count"], t["paid_fen"]) == (len(second.paid), _fen(second.paid))
    assert (t["late_count"], t["late_fen"]) == (len(second.paid), _fen(second.paid))  # answered after the deadline
    assert (t["failed_count"], t["failed_fen"]) == (len(second.failed), _fen(second.failed))
    assert (t["refunded_count"], t["refunded_fen"]) == (0, 0)
    # batch 2's failed lines wait in suspense; batch 1 is settled
    assert (t["outstanding_count"], t["outstanding_fen"]) == (len(second.failed), _fen(second.failed))


def test_a_month_before_anything_happened_is_all_zero(world):
    w, _, _ = world
    content = monthly.monthly_report(w.ctx, PROGRAM, REGION, "2026-10").content
    assert set(content["totals"].values()) == {0} and content["batches"] == []


def test_the_aggregated_reconciliation_sums_the_batches_of_the_period_and_region(world):
    w, first, second = world
    doc = aggregate.aggregate_reconciliation(w.ctx, PROGRAM, "2026-11", REGION)
    c = doc.content
    assert c["batch_count"] == 2
    assert [b["id"] for b in c["batches"]] == sorted([first.batch_id, second.batch_id])
    t = c["totals"]
    assert t["funded_fen"] == first.funded_fen + second.funded_fen
    assert (t["paid_count"], t["paid_fen"]) == (len(first.paid) + len(second.paid),
                                                _fen(first.paid) + _fen(second.paid))
    assert (t["failed_count"], t["failed_fen"]) == (len(first.failed) + len(second.failed),
                                                    _fen(first.failed) + _fen(second.failed))
    assert t["ledger_paid_fen"] == t["paid_fen"]
    assert t["ledger_refunded_fen"] == _fen(first.failed)  # batch 1 closed
    assert t["ledger_suspense_fen"] == _fen(second.failed)  # batch 2 open
    assert c["discrepancies"]["LATE"]["count"] == len(second.paid)
    # failed and neither re-issued nor given up: batch 1 closed so, batch 2 past its result deadline
    assert (c["discrepancies"]["MISSED"]["count"], c["discrepancies"]["MISSED"]["fen"]) == (
        len(first.failed) + len(second.failed), _fen(first.failed) + _fen(second.failed))
    assert c["discrepancies"]["LATE"]["fen"] == _fen(second.paid)
    assert all(c["checks"].values()), c["checks"]
    # each batch's row is its own reconciliation's figures
    for row in c["batches"]:
        own = reporting.reconciliation_content(w.ctx, row["id"])
        assert (row["paid_fen"], row["ledger_refunded_fen"], row["instructed_count"]) == (
            own["bank"]["paid_fen"], own["ledger"]["refunded_fen"], own["finance"]["instructed_count"])


def test_scopes_without_batches_and_bad_months_are_refused(world):
    w, _, _ = world
    with pytest.raises(NotFound, match="no batch of program '耕地地力保护补贴', period 2027-01, region 652301"):
        aggregate.aggregate_reconciliation(w.ctx, PROGRAM, "2027-01", REGION)
    with pytest.raises(NotFound, match="in region 110101"):
        monthly.monthly_report(w.ctx, PROGRAM, "110101", "2026-11")
    for month in ("2026-13", "2026-1", "November"):
        with pytest.raises(InvalidInput, match="is not YYYY-MM"):
            monthly.monthly_report(w.ctx, PROGRAM, REGION, month)
    with pytest.raises(InvalidInput) as err:
        aggregate.aggregate_reconciliation(w.ctx, "", "2026-11", "")
    assert [v.field for v in err.value.violations] == ["program", "region"]
