"""A booked result file keeps its reading report: the records read and their fen, and what the
reader skipped and why (issue 15 item 5), whatever the reader (``skipped`` optional)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select

import bank_formats
from bank_formats.base import Skipped
from domain.reading_report import summary
from ledger.schema import files
from tests.support.ledger_world import World

START = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


def _result_row(world, batch_id):
    with world.ctx.engine.connect() as conn:
        return conn.execute(select(files).where(files.c.batch_id == batch_id, files.c.direction == "IN")).one()


def test_a_booked_result_file_keeps_what_was_read(engine, tmp_path):
    world = World(engine, tmp_path, START)
    batch_id, _ = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 40, seed=5)
    facts = world.bank_answers(batch_id, failure_ppm=250_000)
    row = _result_row(world, batch_id)
    report = json.loads(row.reading_report)
    # the records as the test read them itself from the bank's file (World.bank_answers)
    records = len(facts.paid) + len(facts.failed)
    fen = sum(facts.paid.values()) + sum(facts.failed.values())
    assert report["read"] == {"records": records, "total_fen": fen}
    assert report["skipped"]["count"] == 0 and (row.skipped_count, row.skipped_fen) == (0, 0)
    assert summary(report).endswith("skipped none")
    # as ListFiles gives it (the servicer's query and message)
    from adapter.convert import file_to_pb
    from ledger import store

    with world.ctx.engine.connect() as conn:
        listed = [file_to_pb(r) for r in store.list_files(conn, batch_id, None, 10) if r.direction == "IN"]
    assert [(f.reading_report.records, f.reading_report.total_fen, f.reading_report.skipped_count)
            for f in listed] == [(records, fen, 0)]


def test_what_a_reader_skipped_is_stored_with_the_file(engine, tmp_path, monkeypatch):
    fmt_class = type(bank_formats.get("iso20022"))
    original = fmt_class.read_results
    held = [Skipped("/Document/x[1]", "NOT_FINAL", "PDNG line 3", 1200),
            Skipped("/Document/x[2]", "NOT_FINAL", "ACSP line 4", 800),
            Skipped("/Document/x[3]", "FOREIGN_CURRENCY", "EUR 5.00", None)]

    def read_results(self, src, name="<result file>"):
        reader = original(self, src, name)

        class WithSkipped:
            header = reader.header
            skipped = held

            def __iter__(self):
                return iter(reader)
        return WithSkipped()

    monkeypatch.setattr(fmt_class, "read_results", read_results)
    world = World(engine, tmp_path, START)
    batch_id, _ = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 10, seed=6)
    world.bank_answers(batch_id, failure_ppm=0)
    row = _result_row(world, batch_id)
    report = json.loads(row.reading_report)
    # 1200 + 800 fen not final; the foreign-currency record has no amount in CNY
    assert report["skipped"]["by_reason"] == {
        "FOREIGN_CURRENCY": {"count": 1, "total_fen": 0, "unpriced": 1},
        "NOT_FINAL": {"count": 2, "total_fen": 2000, "unpriced": 0}}
    assert (row.skipped_count, row.skipped_fen) == (3, 2000)
    assert [s["where"] for s in report["skipped"]["first"]] == ["/Document/x[1]", "/Document/x[2]", "/Document/x[3]"]
    assert "NOT_FINAL 2 (20.00)" in summary(report) and "1 without amount in CNY" in summary(report)
