"""Funding sets the payment deadline on the settings' calendar: at the end of the package's
years (chinese-calendar knows 2026 and earlier) a batch can be funded only when the settings
supply the next year, and the reconciliation's result deadline counts on the same calendar."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.workdays import calendar_from_table
from ledger import store
from privacy.keys import Keyring
from service import reporting
from service.errors import FailedPrecondition
from tests.support.exchange import BANK, Clock, MemoryBank, funded_batch, instance

# SYNTHETIC 2027 data for this test only (the official 2027 arrangement is not known here):
# 1 January, a Friday, off; Saturday 30 January worked.
SYNTHETIC_2027 = calendar_from_table({"years": {"2027": {
    "source": "test data, not an official notice", "holidays": ["2027-01-01"], "workdays": ["2027-01-30"]}}})


def _ctx(engine, tmp_path, calendar=None):
    ctx = instance(engine, tmp_path, "svc", MemoryBank(), Clock(datetime(2026, 12, 28, 2, 0, tzinfo=UTC)),
                   Keyring.generate())
    bank = replace(ctx.settings.bank(BANK), payment_days=5, result_days=7)
    settings = replace(ctx.settings, banks={BANK: bank})
    ctx.settings = settings if calendar is None else replace(settings, calendar=calendar)
    return ctx


def test_funding_at_the_end_of_the_year_counts_on_the_supplied_year(engine, tmp_path):
    ctx = _ctx(engine, tmp_path, SYNTHETIC_2027)
    batch_id, total = funded_batch(ctx)
    with engine.connect() as conn:
        batch = store.get_batch(conn, batch_id)
    # Monday 28 December + 5: 29, 30, 31 December, (1 January off, weekend), 4, 5 January
    assert (batch.status, batch.funded_fen, batch.payment_due) == ("FUNDED", total, date(2027, 1, 5))
    deadlines = reporting.reconciliation_content(ctx, batch_id)["deadlines"]
    assert (deadlines["payment_due"], deadlines["result_due"]) == ("2027-01-05", "2027-01-07")
    assert "calendar" not in deadlines


def test_without_the_next_year_funding_is_refused_and_says_how_to_extend_the_calendar(engine, tmp_path):
    ctx = _ctx(engine, tmp_path)
    with pytest.raises(FailedPrecondition) as e:
        funded_batch(ctx)
    message = str(e.value)
    assert "cannot set its payment deadline: date 2027-01-01 is outside the Chinese official holiday calendar" in message
    assert "known only from 2004-01-01 to 2026-12-31" in message
    assert "calendar file of the settings" in message and "[years.2027]" in message
