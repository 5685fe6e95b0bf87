"""The reading report (issue 15 item 5): its figures from a reader's skipped records, its RPC
message and the lines ``ykt files`` shows under a file."""
from __future__ import annotations

from types import SimpleNamespace

from adapter.cli_files import _statements_table
from adapter.convert import file_to_pb
from adapter.reading_report_pb import reading_notes, reading_to_pb
from adapter.statement_rpc import file_to_pb as statement_file_to_pb
from bank_formats.base import Skipped
from domain.reading_report import reading_columns, reading_report, stored
from i18n import reset, use

SKIPPED = [Skipped(f"line {n}", "NOT_FINAL", f"PDNG seq {n}", 100 * n) for n in range(1, 26)] + [
    Skipped("line 90", "FOREIGN_CURRENCY", "EUR 12.00", None)]


def test_counts_and_totals_cover_every_skipped_record_and_list_the_first():
    report = reading_report(7, 70_000, SKIPPED, ["a note"], first=20)
    # NOT_FINAL: 100 * (1 + 2 + ... + 25) = 100 * 325 fen; the EUR record has no CNY amount
    assert report["skipped"]["by_reason"] == {"FOREIGN_CURRENCY": {"count": 1, "total_fen": 0, "unpriced": 1},
                                              "NOT_FINAL": {"count": 25, "total_fen": 32_500, "unpriced": 0}}
    assert (report["skipped"]["count"], report["skipped"]["total_fen"], report["skipped"]["unpriced"]) == (26, 32_500, 1)
    assert [s["where"] for s in report["skipped"]["first"]] == [f"line {n}" for n in range(1, 21)]
    assert report["read"] == {"records": 7, "total_fen": 70_000} and report["notes"] == ["a note"]
    columns = reading_columns(report)
    assert (columns["skipped_count"], columns["skipped_fen"]) == (26, 32_500)
    assert stored(columns["reading_report"]) == report


def test_the_rpc_message_and_the_files_listing_show_it():
    text = reading_columns(reading_report(7, 70_000, SKIPPED, ["a note"]))["reading_report"]
    msg = reading_to_pb(text)
    assert (msg.records, msg.total_fen, msg.skipped_count, msg.skipped_fen, msg.skipped_unpriced) == (
        7, 70_000, 26, 32_500, 1)
    assert [(r.reason, r.count, r.total_fen) for r in msg.by_reason] == [("FOREIGN_CURRENCY", 1, 0),
                                                                         ("NOT_FINAL", 25, 32_500)]
    assert [(s.where, s.has_amount, s.amount_fen) for s in msg.first_skipped][:2] == [("line 1", True, 100),
                                                                                     ("line 2", True, 200)]
    assert reading_to_pb(None) is None
    row = SimpleNamespace(id=3, direction="IN", bank_code="B", batch_id="X", name="r.xml", remote_path=None,
                          sha256=None, size=1, state="BOOKED", duplicate_of=None, attempts=0, last_error=None,
                          line_count=7, created_at=None, updated_at=None, next_attempt_at=None, delivered_at=None,
                          delivered_by=None, acknowledged_at=None, rendered_at=None, handled_by=None, fence=None,
                          claimed_batch_id=None, archived_at=None, message_id=None, reading_report=text)
    f = file_to_pb(row)
    assert f.reading_report.skipped_count == 26
    token = use("en")
    try:
        lines = reading_notes(f)
    finally:
        reset(token)
    assert lines[0] == "read 7 records, total 700.00 yuan"
    assert lines[1].startswith("skipped 26 (") and "not final (in progress) 25, 325.00 yuan" in lines[1]
    assert "1 without an amount in CNY" in lines[1]
    assert lines[2] == "  skipped line 1: not final (in progress): PDNG seq 1"
    assert lines[-2] == "  and 21 more skipped records not listed" and lines[-1] == "note: a note"
    statement_row = SimpleNamespace(id=4, bank_code="B", name="s.940", sha256="x", state="STORED", duplicate_of=None,
                                    last_error=None, received_by="w", received_at=None, archived_at=None,
                                    statement_id="S", account="A", from_date=None, to_date=None,
                                    opening_balance_fen=0, closing_balance_fen=0, entry_count=7, credit_fen=0,
                                    debit_fen=0, reading_report=text)
    statement = statement_file_to_pb(statement_row)
    assert statement.reading_report.records == 7
    # ykt statement list: under the table, what the reading of each statement left out
    plain = statement_file_to_pb(SimpleNamespace(**{**vars(statement_row), "id": 5, "reading_report": None}))
    token = use("en")
    try:
        listing = _statements_table([statement, plain]).splitlines()
    finally:
        reset(token)
    at = listing.index("statement file 4, as read:")
    assert listing[at + 1:at + 3] == ["    read 7 records, total 700.00 yuan", "    " + lines[1]]
    assert not any("statement file 5" in line for line in listing)


def test_a_file_without_a_report_shows_nothing_of_it():
    row = SimpleNamespace(id=3, direction="OUT", bank_code="B", batch_id="X", name="p.xml", remote_path=None,
                          sha256=None, size=1, state="DELIVERED", duplicate_of=None, attempts=1, last_error=None,
                          line_count=7, created_at=None, updated_at=None, next_attempt_at=None, delivered_at=None,
                          delivered_by=None, acknowledged_at=None, rendered_at=None, handled_by=None, fence=None,
                          claimed_batch_id=None, archived_at=None, message_id=None, reading_report=None)
    assert reading_notes(file_to_pb(row)) == []
