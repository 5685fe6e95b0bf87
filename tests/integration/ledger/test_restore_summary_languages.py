"""``ykt backup`` and ``ykt restore`` say what they wrote in the reader's language (issue 16):
Chinese by default, English with ``--lang en``, the English lines byte for byte as before; the
archive's manifest keeps its English (scripts read it) whichever language made it.

A real backup of a SQLite ledger with two report-signing keys, restored into two fresh targets
(one per language): the ledger with its schema revision, the personal-data keys and the signing
keys, each key list joined as each language joins lists. And the signing keys' own words inside
``ykt backup``'s refusal when the key set is open to others. The expected words are written here
from what was backed up, not copied from output.
"""
from __future__ import annotations

import json
import sqlite3
import tarfile
from datetime import UTC, datetime

import pytest

from reports.signing import rotate_file
from service import config as settings_file
from tests.support.ledger_cli import fresh_target, source_settings, ykt
from tests.support.ledger_world import World


@pytest.fixture
def source(sqlite_engine, tmp_path):
    """A SQLite ledger with a dispatched batch, its personal-data keys, a report-signing key set
    rotated once (s1, s2; s2 current) and its settings."""
    world = World(sqlite_engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 3, seed=12)
    keyring = world.ctx.cipher.keyring
    config = source_settings(tmp_path / "source", sqlite_engine, keyring)
    rotate_file(config.parent / "keys" / "report-signing-keys.json")  # s1 made, then s2 made current
    sqlite_engine.dispose()  # the last connection to close takes the WAL into the file
    with sqlite3.connect(sqlite_engine.url.database) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    return config, keyring, revision


def test_backup_and_restore_say_what_they_wrote_in_both_languages(source, tmp_path):
    config, keyring, revision = source
    pii_ids, pii_current = keyring.key_ids, keyring.current_id
    english_pii = f"personal-data keys ({', '.join(pii_ids)}, current {pii_current}; index key)"
    chinese_pii = f"个人信息密钥（{'、'.join(pii_ids)}，当前 {pii_current}；索引密钥）"

    archives = {lang: tmp_path / f"backup-{lang or 'zh'}.tar" for lang in (None, "en")}
    said = {lang: ykt("backup", "--config", str(config), "--out", str(archives[lang]), lang=lang) for lang in archives}
    assert all(done.returncode == 0 and not done.stderr for done in said.values()), said
    assert said["en"].stdout.splitlines()[0] == (
        f"wrote {archives['en']} (mode 0600): the sqlite ledger at revision {revision} and {english_pii}, "
        "report-signing keys (s1, s2, current s2).")
    assert said[None].stdout.splitlines()[0] == (
        f"已写入 {archives[None]}(权限 0600):sqlite 账本,版本 {revision},以及 {chinese_pii}、"
        "报表签名密钥（s1、s2，当前 s2）。")
    for archive in archives.values():  # the manifest in English, whichever language wrote it
        with tarfile.open(archive) as tar:
            manifest = json.loads(tar.extractfile("manifest.json").read())
        assert manifest["keys"] == [english_pii, "report-signing keys (s1, s2, current s2)"]

    for lang, archive in archives.items():
        target = fresh_target(tmp_path / f"restored-{lang or 'zh'}")
        settings = settings_file.load(target)
        ledger, pii, signing = target.parent / "var" / "ledger.sqlite3", settings.key_file, settings.signing_key_file
        done = ykt("restore", "--config", str(target), str(archive), lang=lang)
        assert done.returncode == 0 and not done.stderr, done.stdout + done.stderr
        with tarfile.open(archive) as tar:
            made = json.loads(tar.extractfile("manifest.json").read())["created_at"]
        if lang == "en":
            assert done.stdout.splitlines() == [
                f"restored {archive} (made {made}):",
                f"  the SQLite ledger {ledger} (schema revision {revision})",
                f"  the personal-data keys {pii} (mode 0600; {', '.join(pii_ids)}, current {pii_current})",
                f"  the report-signing keys {signing} (mode 0600; s1, s2, current s2)",
                f"now check it: ykt verify --config {target}"]
        else:
            assert done.stdout.splitlines() == [
                f"已恢复 {archive}(制作于 {made}):",
                f"  SQLite 账簿 {ledger}（表结构版本 {revision}）",
                f"  个人信息密钥 {pii}（权限 0600；{'、'.join(pii_ids)}，当前 {pii_current}）",
                f"  报表签名密钥 {signing}（权限 0600；s1、s2，当前 s2）",
                f"请核验:ykt verify --config {target}"]


def test_a_signing_key_set_open_to_others_stops_the_backup_in_the_signing_keys_words(source, tmp_path):
    config, _, _ = source
    signing = settings_file.load(config).signing_key_file
    signing.chmod(0o644)
    said = {lang: ykt("backup", "--config", str(config), "--out", str(tmp_path / "b.tar"), lang=lang)
            for lang in (None, "en")}
    assert all(done.returncode == 2 and not done.stdout for done in said.values()), said
    assert said["en"].stderr.splitlines() == [
        f"ykt: backup: report-signing keys: {signing}: the signing key set is open to group or others (mode 0644); "
        f"it must be readable by its owner only: chmod 600 {signing}"]
    assert said[None].stderr.splitlines() == [
        f"ykt: 无法备份：报表签名密钥：{signing}：同组用户或其他用户也有权限访问该签名密钥组文件（权限 0644）；"
        f"它只能由属主读取：chmod 600 {signing}"]
    assert not (tmp_path / "b.tar").exists()
