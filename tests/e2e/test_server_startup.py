"""At start-up the server warns when the official holiday calendar is about to run out: after
its last day no payment deadline can be set, so no batch can be funded."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapter import server as grpc_server
from domain.workdays import calendar_from_table
from ledger.db import make_engine, migrate, sqlite_url
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import Settings
from service.context import Context

# SYNTHETIC 2027 data for this test only (the official 2027 arrangement is not known here).
SYNTHETIC_2027 = calendar_from_table({"years": {"2027": {
    "source": "test data, not an official notice", "holidays": ["2027-01-01"], "workdays": []}}})


@pytest.mark.parametrize(("today", "supplied", "warned"), [
    (datetime(2026, 12, 5, 2, 0, tzinfo=UTC), False, True),  # 26 days left
    (datetime(2026, 11, 2, 2, 0, tzinfo=UTC), False, True),  # 59 days left
    (datetime(2026, 11, 1, 2, 0, tzinfo=UTC), False, False),  # 60 days left
    (datetime(2026, 12, 5, 2, 0, tzinfo=UTC), True, False),  # the settings supply 2027
])
def test_a_calendar_that_runs_out_within_60_days_is_warned_of_at_start_up(tmp_path, caplog, today, supplied,
                                                                           warned):
    engine = make_engine(sqlite_url(tmp_path / "ledger.sqlite3"))
    migrate(engine)
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path)
    if supplied:
        settings = replace(settings, calendar=SYNTHETIC_2027)
    ctx = Context(engine=engine, settings=settings, clock=lambda: today, cipher=FieldCipher(Keyring.generate()))
    with caplog.at_level(logging.WARNING, logger="ykt.grpc"):
        server, _port = grpc_server.build(ctx, "127.0.0.1:0")
    server.stop(grace=None).wait()
    engine.dispose()
    warnings = [r.getMessage() for r in caplog.records if "holiday calendar" in r.getMessage()]
    if warned:
        assert warnings == ["the official holiday calendar is known only to 2026-12-31 (chinese-calendar 1.11.0): "
                            "a batch whose payment deadline falls after it cannot be funded; copy the next "
                            "year's arrangement from the State Council's notice into the settings' [calendar]"]
    else:
        assert warnings == []
