"""``ykt verify`` says what it finds in the reader's language (issue 16): Chinese by default,
English with ``--lang en``, the English lines byte for byte as before (``Break.problem`` and
``str(break)`` too: tests and auditors' scripts read them).

Real breaks, made as test_verify_integrity.py makes them: a journal entry edited, a line's and a
file's state changed behind the code's back, an index dropped, a SQLite file truncated, replaced
or overwritten in the middle. The expected Chinese is written from each fault (the entry, the
line, the states by their Chinese names); what the database itself wrote stays as it is in both.
"""
from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from ledger import journal
from ledger.schema import journal as journal_table
from tests.integration.ledger.test_verify_integrity import Ledger
from tests.support.ledger_world import World


def _ledger(engine, tmp_path: Path, close: bool) -> Ledger:
    world = World(engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    batch_id, _total = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 40, seed=5)
    facts = world.bank_answers(batch_id, failure_ppm=250_000, fail={2})
    if close:
        world.close(batch_id)
    return Ledger(engine, tmp_path, batch_id, min(facts.paid), min(facts.failed))


@pytest.fixture
def ledger(engine, tmp_path) -> Ledger:
    """A batch's whole life, closed, on SQLite and PostgreSQL."""
    return _ledger(engine, tmp_path, close=True)


@pytest.fixture
def sqlite_ledger(sqlite_engine, tmp_path) -> Ledger:
    return _ledger(sqlite_engine, tmp_path, close=False)


def verify_said(config: Path, *lang: str) -> tuple[str, list[str]]:
    """``ykt [--lang X] verify``'s first-break line and its "then" lines; it must exit 1 with no
    traceback. No language asked: Chinese, whatever YKT_LANG the test runs under."""
    env = {k: v for k, v in os.environ.items() if k != "YKT_LANG"}
    done = subprocess.run([sys.executable, "-m", "adapter.cli", *lang, "verify", "--config", str(config)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    out = done.stdout.splitlines()
    first = "BROKEN:" if lang else "核验未通过"
    (line,) = [ln for ln in out if ln.startswith(first)]
    return line, [ln for ln in out if ln.startswith("  then " if lang else "  其次")]


def first_said(config: Path) -> tuple[str, str]:
    """The first break as ``ykt verify`` says it: (Chinese by default, English on request)."""
    zh, _ = verify_said(config)
    en, _ = verify_said(config, "--lang", "en")
    assert zh.count("第一个") == 1 and "the first: " in en
    return zh.split("第一个", 1)[1][1:], en.split("the first: ", 1)[1]


def first_break(ledger: Ledger) -> journal.Break:
    with journal.snapshot(ledger.engine) as conn:
        return journal.verify(conn).breaks[0]


def test_a_line_paid_edited_to_failed_is_named_with_the_states_chinese_names(ledger):
    ledger.tamper("UPDATE lines SET status = 'FAILED' WHERE batch_id = :b AND seq = :s",
                  b=ledger.batch_id, s=ledger.paid_seq)
    found = first_break(ledger)
    english = (f"lines of batch {ledger.batch_id}: line {ledger.paid_seq} is FAILED in the lines table, "
               f"the journal last recorded it PAID (this entry recorded them last)")
    assert found.problem == english and str(found) == f"entry {found.seq}: {english}"
    zh, en = first_said(ledger.config)
    assert en == f"entry {found.seq}: {english}"
    assert zh == (f"第 {found.seq} 条日志：批次 {ledger.batch_id} 的明细：第 {ledger.paid_seq} 行在明细表（lines）中"
                  f"为“发放失败”，日志最后记为“已发放”（这条日志是对它们的最后记录）")


def test_a_file_state_edited_is_named_in_chinese_and_as_before_in_english(ledger):
    ledger.tamper("UPDATE files SET state = 'RECEIVED' WHERE id = :f", f=ledger.result_file)
    zh, en = first_said(ledger.config)
    assert en.endswith(f": file {ledger.result_file}: state is RECEIVED in the files table, but this entry, "
                       f"the journal's last record of it, set BOOKED")
    seq = en.removeprefix("entry ").split(":", 1)[0]
    assert zh == (f"第 {seq} 条日志：文件 {ledger.result_file}：文件表（files）中的状态为“已收到回盘”，"
                  f"但这条日志（日志对它的最后记录）记为“已入账”")


def test_an_edited_journal_entry_is_named_at_its_seq_with_both_digests(ledger):
    with ledger.engine.connect() as conn:
        seq, digest = conn.execute(select(journal_table.c.seq, journal_table.c.digest)
                                   .where(journal_table.c.kind == "file").order_by(journal_table.c.seq)).first()
    if ledger.engine.dialect.name == "sqlite":  # PostgreSQL's guards are off while Ledger.tamper changes rows
        ledger.tamper("DROP TRIGGER journal_no_update")
    ledger.tamper("UPDATE journal SET actor = 'mallory' WHERE seq = :s", s=seq)
    found = first_break(ledger)
    assert found.seq == seq and found.problem.startswith(f"content does not match its digest (stored {digest}, ")
    recomputed = found.problem.removesuffix(")").rsplit(" ", 1)[1]
    assert recomputed != digest and len(recomputed) == 64
    zh, en = first_said(ledger.config)
    assert en == f"entry {seq}: content does not match its digest (stored {digest}, recomputed {recomputed})"
    assert zh == f"第 {seq} 条日志：内容与其摘要值不符（存储的为 {digest}，重新计算为 {recomputed}）"
    if ledger.engine.dialect.name == "sqlite":  # the dropped guard is named after the ledger's breaks
        (zh_then,), (en_then,) = verify_said(ledger.config)[1], verify_said(ledger.config, "--lang", "en")[1]
        assert en_then == "  then database: guard trigger journal_no_update is missing"
        assert zh_then.endswith("数据库：防篡改触发器 journal_no_update 缺失")


def test_a_dropped_index_is_a_schema_difference_in_words(ledger):
    ledger.tamper("DROP INDEX ix_lines_batch_status")
    zh, en = first_said(ledger.config)
    assert en == "database: schema differs from ledger/schema.py: index ix_lines_batch_status on lines is missing"
    assert zh == "数据库：表结构与 ledger/schema.py 不一致：数据库中缺少：lines 表上的索引 ix_lines_batch_status"


# --- the SQLite file itself -------------------------------------------------------------------


def test_a_truncated_file_is_named_with_its_sizes(sqlite_ledger):
    path = sqlite_ledger.path
    size = path.stat().st_size
    with path.open("rb") as f:
        header = f.read(100)
    page_size, pages = int.from_bytes(header[16:18], "big"), int.from_bytes(header[28:32], "big")
    with path.open("r+b") as f:
        f.truncate(size // 2)
    zh, en = first_said(sqlite_ledger.config)
    assert en == (f"database: {path} is truncated: {size // 2} bytes, its header says {pages} pages of "
                  f"{page_size} bytes ({pages * page_size} bytes)")
    assert zh == (f"数据库：{path} 被截短：只有 {size // 2} 字节，文件头记载为 {pages} 页、每页 {page_size} 字节"
                  f"（共 {pages * page_size} 字节）")


def test_a_file_that_is_no_database_is_named(sqlite_ledger):
    path = sqlite_ledger.path
    path.write_text("data_dir = 'this is a settings file, not a ledger'\n", encoding="utf-8")
    size = path.stat().st_size
    zh, en = first_said(sqlite_ledger.config)
    assert en == f"database: {path} is not a SQLite database ({size} bytes, no SQLite header)"
    assert zh == f"数据库：{path} 不是 SQLite 数据库（{size} 字节，没有 SQLite 文件头）"


def test_sqlites_own_findings_stay_as_sqlite_wrote_them_inside_the_words(sqlite_ledger):
    path = sqlite_ledger.path
    with sqlite3.connect(path) as db:
        db.execute("VACUUM")
    db.close()
    offset = path.stat().st_size // 2 // 4096 * 4096
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(random.Random(13).randbytes(4096))
    assert hashlib.sha256(path.read_bytes()).hexdigest() != digest
    zh, en = first_said(sqlite_ledger.config)
    # Named by SQLite's check, or, where the damage stops SQLite reading its schema, by the read.
    for en_words, zh_words in (("database: PRAGMA integrity_check: ", "数据库：SQLite 完整性检查（PRAGMA integrity_check）发现："),
                               ("database: cannot be read: ", "数据库：无法读取：")):
        if en.startswith(en_words):
            sqlite_wrote = en.removeprefix(en_words)
            assert sqlite_wrote and zh == zh_words + sqlite_wrote
            break
    else:
        pytest.fail(f"neither SQLite's check nor the read named the damage: {en}")


def test_what_was_checked_of_the_database_is_said_in_the_commands_language(ledger):
    env = {k: v for k, v in os.environ.items() if k != "YKT_LANG"}
    said = {lang: subprocess.run([sys.executable, "-m", "adapter.cli", *lang, "verify", "--config", str(ledger.config)],
                                 capture_output=True, text=True, timeout=300, env=env).stdout
            for lang in ((), ("--lang", "en"))}
    if ledger.engine.dialect.name == "sqlite":
        assert "PRAGMA integrity_check（完整性）、foreign_key_check（外键）、保护触发器" in said[()]
        assert "PRAGMA integrity_check, foreign_key_check, guard triggers, schema revision" in said[("--lang", "en")]
    else:
        assert "数据库目录（索引有效、触发器已启用且存在、约束已验证）" in said[()]
        assert "catalogue (indexes valid, triggers enabled and present, constraints validated)" in \
            said[("--lang", "en")]
