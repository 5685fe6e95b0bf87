"""``ykt verify`` checks everything it can (issue 13, item 6): the database's own integrity, every
line's, file's and batch's state against the state the journal last recorded, and the ledger's
invariants. Whatever is wrong — a damaged, truncated or foreign file, a status or state edited
behind the code's back, a row deleted — the real command names the first break on one line
and exits 1, never with a traceback; a clean ledger still verifies."""
from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from ledger import journal
from ledger.db import MIGRATIONS, migrate
from ledger.schema import batches, files, lines
from tests.support.ledger_world import World


class Ledger:
    """A real ledger after a batch's whole life, and what a test needs to damage it."""

    def __init__(self, engine, tmp_path: Path, batch_id: str, paid_seq: int, failed_seq: int):
        self.engine, self.tmp_path, self.batch_id = engine, tmp_path, batch_id
        self.paid_seq, self.failed_seq = paid_seq, failed_seq
        with engine.connect() as conn:
            self.result_file = conn.execute(select(files.c.id).where(files.c.direction == "IN")).scalar_one()
            self.payment_file = conn.execute(select(files.c.id).where(files.c.direction == "OUT")).scalar_one()
        url = engine.url.render_as_string(hide_password=False)
        self.config = tmp_path / "ykt.toml"
        self.config.write_text(f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{url}"\n', encoding="utf-8")

    @property
    def path(self) -> Path:
        """The SQLite file, with everything in it (no WAL left beside it)."""
        self.engine.dispose()  # the last connection to close checkpoints the WAL into the file
        wal = Path(self.engine.url.database + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        return Path(self.engine.url.database)

    def tamper(self, sql: str, **params) -> None:
        """Change the database behind the code's back, as someone with the database's keys could."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL session_replication_role = replica"))  # foreign keys off
            conn.execute(text(sql), params)
        self.engine.dispose()


@pytest.fixture
def ledger(engine, tmp_path) -> Ledger:
    """A batch submitted, approved, funded, dispatched, answered with failures and closed."""
    world = World(engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    batch_id, _total = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 40, seed=5)
    facts = world.bank_answers(batch_id, failure_ppm=250_000, fail={2})
    assert facts.paid and facts.failed
    world.close(batch_id)
    return Ledger(engine, tmp_path, batch_id, min(facts.paid), min(facts.failed))


def run_verify(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adapter.cli", "--lang", "en", "verify", "--config", str(config)],
                          capture_output=True, text=True, timeout=300)


def first_break(config: Path) -> str:
    """The line naming the first break; fails unless verify exits 1, in plain lines, no traceback."""
    done = run_verify(config)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out and "Error:" not in done.stderr, out
    (line,) = [ln for ln in done.stdout.splitlines() if ln.startswith("BROKEN:")]
    assert "the first: " in line
    return line


def test_a_clean_ledger_verifies(ledger):
    done = run_verify(ledger.config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified" in done.stdout and "BROKEN" not in done.stdout
    expected = "PRAGMA integrity_check" if ledger.engine.dialect.name == "sqlite" else "catalogue"
    assert expected in done.stdout


def test_a_line_status_edited_from_paid_to_failed_is_named(ledger):
    ledger.tamper("UPDATE lines SET status = 'FAILED' WHERE batch_id = :b AND seq = :s",
                  b=ledger.batch_id, s=ledger.paid_seq)
    line = first_break(ledger.config)
    assert f"lines of batch {ledger.batch_id}: line {ledger.paid_seq} is FAILED in the lines table, " \
           f"the journal last recorded it PAID" in line


def test_a_line_status_edited_to_paid_is_named(ledger):
    ledger.tamper("UPDATE lines SET status = 'PAID' WHERE batch_id = :b AND seq = :s",
                  b=ledger.batch_id, s=ledger.failed_seq)
    line = first_break(ledger.config)
    assert f"line {ledger.failed_seq} is PAID in the lines table, the journal last recorded it REFUNDED" in line


def test_two_lines_swapping_statuses_are_found(ledger):
    """The counts per status stay the same; the seqs under each status do not."""
    ledger.tamper("UPDATE lines SET status = CASE WHEN seq = :p THEN 'REFUNDED' ELSE 'PAID' END "
                  "WHERE batch_id = :b AND seq IN (:p, :f)", b=ledger.batch_id, p=ledger.paid_seq,
                  f=ledger.failed_seq)
    line = first_break(ledger.config)
    assert f"lines of batch {ledger.batch_id}: the lines table has " in line and "seq sum" in line


def test_a_file_state_edited_from_booked_to_received_is_named(ledger):
    ledger.tamper("UPDATE files SET state = 'RECEIVED' WHERE id = :f", f=ledger.result_file)
    line = first_break(ledger.config)
    assert f"file {ledger.result_file}: state is RECEIVED in the files table, but this entry, " \
           f"the journal's last record of it, set BOOKED" in line


def test_a_batch_status_edited_is_named(ledger):
    ledger.tamper("UPDATE batches SET status = 'FUNDED' WHERE id = :b", b=ledger.batch_id)
    line = first_break(ledger.config)
    assert f"batch {ledger.batch_id}: status is FUNDED in the batches table" in line and "set CLOSED" in line


def test_a_deleted_line_is_named(ledger):
    ledger.tamper("DELETE FROM lines WHERE batch_id = :b AND seq = :s", b=ledger.batch_id, s=ledger.paid_seq)
    line = first_break(ledger.config)
    assert f"line {ledger.paid_seq} (PAID in the journal) is missing from the lines table" in line


def test_a_deleted_file_row_is_named(ledger):
    ledger.tamper("DELETE FROM files WHERE id = :f", f=ledger.payment_file)
    line = first_break(ledger.config)
    assert f"file {ledger.payment_file} (ACKNOWLEDGED here, the journal's last record of it) " \
           f"is missing from the files table" in line


def test_a_file_row_the_journal_never_saw_is_named(ledger):
    ledger.tamper("INSERT INTO files (direction, bank_code, name, state, attempts, created_at, updated_at) "
                  "VALUES ('IN', 'RCB01', 'forged.xml', 'BOOKED', 0, :t, :t)", t=datetime.now(UTC))
    line = first_break(ledger.config)
    assert "the files table has it BOOKED, the journal never recorded it" in line


def test_a_missing_guard_is_named(ledger):
    if ledger.engine.dialect.name == "sqlite":
        ledger.tamper("DROP TRIGGER journal_no_delete")
        expected = "database: guard trigger journal_no_delete is missing"
    else:
        ledger.tamper("ALTER TABLE journal DISABLE TRIGGER journal_append_only")
        expected = "database: trigger journal_append_only on journal is disabled"
    assert f"the first: {expected}" in first_break(ledger.config)


def test_a_dropped_index_is_named(ledger):
    ledger.tamper("DROP INDEX ix_lines_batch_status")
    assert "index ix_lines_batch_status on lines is missing" in first_break(ledger.config)


# --- the SQLite file itself -------------------------------------------------------------------


@pytest.fixture
def sqlite_ledger(sqlite_engine, tmp_path) -> Ledger:
    world = World(sqlite_engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    batch_id, _total = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 40, seed=5)
    facts = world.bank_answers(batch_id, failure_ppm=250_000, fail={2})
    return Ledger(sqlite_engine, tmp_path, batch_id, min(facts.paid), min(facts.failed))


def test_4_kib_overwritten_mid_file_is_named(sqlite_ledger):
    path = sqlite_ledger.path
    with sqlite3.connect(path) as db:
        db.execute("VACUUM")  # no free pages: every page the damage can hit is in use
    db.close()
    size = path.stat().st_size
    offset = size // 2 // 4096 * 4096
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(random.Random(13).randbytes(4096))
    assert path.stat().st_size == size
    db = sqlite3.connect(path)
    try:  # SQLite's own check: the damage is real (reported, or the schema cannot even be read)
        assert db.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    except sqlite3.DatabaseError as exc:
        assert "malformed" in str(exc)
    db.close()
    line = first_break(sqlite_ledger.config)
    # Named by SQLite's check, or, where the damage stops SQLite reading its schema, by the read.
    assert "the first: database: PRAGMA integrity_check: " in line or \
        "the first: database: cannot be read: DatabaseError: database disk image is malformed" in line


def test_a_file_truncated_to_half_is_named(sqlite_ledger):
    path = sqlite_ledger.path
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2)
    line = first_break(sqlite_ledger.config)
    assert f"the first: database: {path} is truncated: {size // 2} bytes, its header says" in line


def test_a_truncated_file_with_a_wal_beside_it_is_still_a_named_break(sqlite_ledger):
    """Beside a WAL the header's page count may be stale, so the file's size is not judged:
    SQLite's own reading meets the damage, and that is named too, not raised."""
    path = sqlite_ledger.path
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)
    Path(f"{path}-wal").write_bytes(random.Random(5).randbytes(100))  # no valid frame: SQLite ignores it
    line = first_break(sqlite_ledger.config)
    assert "the first: database: " in line and "truncated" not in line


def test_a_file_that_is_no_database_is_named(sqlite_ledger):
    path = sqlite_ledger.path
    path.write_text("data_dir = 'this is a settings file, not a ledger'\n", encoding="utf-8")
    line = first_break(sqlite_ledger.config)
    assert f"the first: database: {path} is not a SQLite database" in line


def test_a_missing_file_is_named_and_not_created(sqlite_ledger):
    path = sqlite_ledger.path
    path.unlink()
    line = first_break(sqlite_ledger.config)
    assert f"the first: database: {path} does not exist" in line
    assert not path.exists()


def test_a_database_that_cannot_be_read_is_named(sqlite_ledger):
    """A valid SQLite file that is no ledger: the schema check says so, without a traceback."""
    path = sqlite_ledger.path
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    line = first_break(sqlite_ledger.config)
    assert "the first: database: " in line


# --- a ledger from before the states were recorded --------------------------------------------


def _copy_rows(ledger: Ledger, table, new_id: str, key: str, **overrides) -> None:
    """Copy the batch's rows of ``table`` under ``new_id`` by SQL alone: rows the journal never saw,
    as a ledger from before the journal (revision 0004) or the line states (0008) has them."""
    names = [c.name for c in table.columns if c.name != "id" or table.name == "batches"]
    values = [f":{c}" if c in overrides else c for c in names]
    values[names.index(key)] = ":new_id"
    ledger.tamper(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(values)} FROM {table.name} "
                  f"WHERE {key} = :b", b=ledger.batch_id, new_id=new_id, **overrides)


def test_states_the_journal_never_recorded_get_a_baseline_from_revision_0008(ledger):
    """A batch and its lines stored without the journal (as before revisions 0004 and 0008) are
    named; upgrading through 0008 journals them as they are; edits after that are named again."""
    _copy_rows(ledger, batches, "BOLD", "id", idempotency_key="old", status="SUBMITTED", funded_fen=0)
    _copy_rows(ledger, lines, "BOLD", "batch_id")
    assert "batch BOLD: the batches table has it SUBMITTED, the journal never recorded it" \
        in first_break(ledger.config)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ledger.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")  # 0008 adds entries only: its downgrade leaves them
    migrate(ledger.engine)
    with journal.snapshot(ledger.engine) as conn:
        report = journal.verify(conn)
    assert report.ok, report.breaks[:3]
    assert run_verify(ledger.config).returncode == 0
    ledger.tamper("UPDATE lines SET status = 'FAILED' WHERE batch_id = 'BOLD' AND seq = :s", s=ledger.paid_seq)
    assert f"lines of batch BOLD: line {ledger.paid_seq} is FAILED in the lines table, the journal last " \
           f"recorded it PAID" in first_break(ledger.config)
