"""The evidence trail on both databases: a whole batch life verifies, and tampering with the
journal or the ledger is found at the entry it touched."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from domain.model import BatchStatus
from ledger import journal, store
from ledger.schema import journal as journal_table
from ledger.schema import journal_head, transactions
from tests.support.ledger_world import World


@pytest.fixture
def closed_batch(engine, tmp_path):
    """A batch submitted, approved, funded, dispatched, answered with failures, and closed."""
    world = World(engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    batch_id, _total = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 40, seed=5)
    facts = world.bank_answers(batch_id, failure_ppm=250_000, fail={2})
    assert facts.failed  # the close has something to refund
    world.close(batch_id)
    return batch_id


def _verify(engine) -> journal.Report:
    with journal.snapshot(engine) as conn:
        return journal.verify(conn)


def _entries(engine, **where):
    query = select(journal_table).order_by(journal_table.c.seq)
    for column, value in where.items():
        query = query.where(journal_table.c[column] == value)
    with engine.connect() as conn:
        return conn.execute(query).all()


def _tamper(engine, sql: str, **params) -> None:
    """Change the database behind the guards' back, as someone with the database's keys could."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # triggers off
        else:
            for trigger in ("journal_no_update", "journal_no_delete", "ledger_postings_no_update"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        conn.execute(text(sql), params)


def test_a_whole_batch_life_leaves_a_chain_that_verifies(engine, closed_batch):
    report = _verify(engine)
    assert report.ok, report.breaks
    entries = _entries(engine)
    assert report.entries == len(entries) and [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert {e.kind for e in entries} == {"txn", "batch", "lines", "file"}
    with engine.connect() as conn:
        txn_ids = set(conn.execute(select(transactions.c.id)).scalars())
    assert {e.transaction_id for e in entries if e.kind == "txn"} == txn_ids  # FUND, RESULT, REFUND
    statuses = [json.loads(e.payload)["values"]["status"] for e in entries if e.kind == "batch"]
    assert statuses[-5:] == ["APPROVED", "FUNDED", "DISPATCHED", "RESULTS_COMPLETE", "CLOSED"], statuses
    operations = [json.loads(e.payload)["operation"] for e in _entries(engine, kind="lines")]
    assert "insert" in operations and "result" in operations and "close" in operations
    result = next(json.loads(e.payload) for e in _entries(engine, kind="lines")
                  if json.loads(e.payload)["operation"] == "result")
    assert result["lines"] == 40  # one entry for the whole result file, not one per line


def test_an_altered_entry_is_found_at_its_seq(engine, closed_batch):
    target = _entries(engine, kind="batch")[-1]  # the close
    payload = target.payload.replace(BatchStatus.CLOSED.value, BatchStatus.FUNDED.value)
    assert payload != target.payload
    _tamper(engine, "UPDATE journal SET payload = :p WHERE seq = :s", p=payload, s=target.seq)
    report = _verify(engine)
    assert not report.ok
    first = report.breaks[0]
    assert first.seq == target.seq and "does not match its digest" in first.problem


def test_a_deleted_entry_is_found_at_the_entry_after_it(engine, closed_batch):
    target = _entries(engine, kind="txn")[0]  # the funding
    _tamper(engine, "DELETE FROM journal WHERE seq = :s", s=target.seq)
    report = _verify(engine)
    assert report.breaks[0].seq == target.seq + 1
    assert f"entry {target.seq} is missing" in report.breaks[0].problem
    assert any(f"transaction {target.transaction_id} has no journal entry" in str(b) for b in report.breaks)


def test_an_altered_posting_amount_is_found_at_its_transaction_entry(engine, closed_batch):
    entry = _entries(engine, kind="txn")[1]  # the result file's booking
    _tamper(engine, "UPDATE postings SET amount_fen = amount_fen + 1 WHERE transaction_id = :t AND n = 1",
            t=entry.transaction_id)
    report = _verify(engine)
    first = report.breaks[0]
    assert first.seq == entry.seq and "postings_digest" in first.problem and "moved_fen" in first.problem
    text_of = [str(b) for b in report.breaks]
    assert any("sum to 1 fen, not zero" in t for t in text_of)  # the ledger invariant too
    assert any("funded" in t and "!= paid" in t for t in text_of)


def test_the_guards_refuse_to_change_or_remove_an_entry(engine, closed_batch):
    for sql in ("UPDATE journal SET actor = 'x' WHERE seq = 1", "DELETE FROM journal WHERE seq = 1"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    assert _verify(engine).ok


def _head(engine):
    with engine.connect() as conn:
        return tuple(conn.execute(select(journal_head.c.seq, journal_head.c.digest)).one())


def test_a_rolled_back_operation_leaves_no_entry(engine, closed_batch):
    before, head = len(_entries(engine)), _head(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert store.update_batch(conn, closed_batch, None, status=BatchStatus.FUNDED.value)
        raise RuntimeError("the use case fails after the change")
    assert (len(_entries(engine)), _head(engine)) == (before, head)
    with engine.begin() as conn:  # and the next change chains on as if nothing happened
        store.update_batch(conn, closed_batch, None, approved_by="auditor")
    report = _verify(engine)
    assert report.ok and report.entries == before + 1


def test_concurrent_appends_from_many_connections_chain_one_after_the_other(engine, closed_batch):
    errors = []

    def work(who: str):
        try:
            for i in range(15):
                with engine.begin() as conn:
                    store.update_batch(conn, closed_batch, None, approved_by=f"{who}{i}")
                    store.update_batch(conn, closed_batch, None, funded_by=f"{who}{i}")
        except Exception as exc:  # noqa: BLE001 - reported below with the thread that failed
            errors.append((who, exc))

    before = len(_entries(engine))
    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify(engine)
    assert report.ok, report.breaks
    assert report.entries == before + 4 * 15 * 2


def _config(tmp_path, engine):
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "ykt.toml"
    path.write_text(f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{url}"\n', encoding="utf-8")
    return path


def test_the_verify_command_exits_non_zero_naming_the_first_break(engine, closed_batch, tmp_path):
    command = [sys.executable, "-m", "adapter.cli", "--lang", "en", "verify", "--config", str(_config(tmp_path, engine))]
    ok = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "verified" in ok.stdout
    target = _entries(engine, kind="file")[0]
    _tamper(engine, "UPDATE journal SET actor = 'mallory' WHERE seq = :s", s=target.seq)
    broken = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1
    assert f"the first: entry {target.seq}: content does not match its digest" in broken.stdout

