"""``ykt backup`` and ``ykt restore`` say why they refuse in the reader's language (issue 16):
Chinese by default, English with ``--lang en``, the English lines byte for byte as before
(``str(BackupError)`` too). What another program or library wrote (tarfile's reason) stays as it
is inside the words; a system error is said in the library's words (i18n.library_words).

Real refusals: an archive that is not one, an archive that does not exist, a member damaged
after the backup, an output file that exists, and a restore over a live ledger (every problem on
a line of its own, in both languages). The expected words are written from each fault.
"""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url

from i18n import Phrase
from service import config as settings_file
from service.backup import BackupError
from tests.support.ledger_cli import fresh_target, source_settings, ykt
from tests.support.ledger_world import World


def refused(*args: str) -> tuple[list[str], list[str]]:
    """The command's refusal lines (exit 2, nothing on stdout): (Chinese by default, English)."""
    said = []
    for lang in (None, "en"):
        done = ykt(*args, lang=lang)
        assert done.returncode == 2 and not done.stdout, done.stdout + done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        said.append(done.stderr.splitlines())
    return said[0], said[1]


@pytest.fixture
def source(sqlite_engine, tmp_path) -> tuple[Path, Path]:
    """A SQLite ledger with a dispatched batch, its keys, its settings, and an archive of it."""
    world = World(sqlite_engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 5, seed=5)
    config = source_settings(tmp_path / "source", sqlite_engine, world.ctx.cipher.keyring)
    sqlite_engine.dispose()  # the last connection to close takes the WAL into the file
    archive = tmp_path / "backup.tar"
    done = ykt("backup", "--config", str(config), "--out", str(archive), lang="en")
    assert done.returncode == 0, done.stdout + done.stderr
    return config, archive


def test_an_existing_output_file_is_refused_in_both_languages(source):
    config, archive = source
    before = archive.read_bytes()
    zh, en = refused("backup", "--config", str(config), "--out", str(archive))
    assert en == [f"ykt: backup: {archive} already exists; refusing to replace it"]
    assert zh == [f"ykt: 无法备份：{archive} 已存在；不会覆盖它"]
    assert archive.read_bytes() == before


def test_a_file_that_is_no_archive_keeps_tarfiles_reason_as_it_is(source, tmp_path):
    config, _ = source
    bogus = tmp_path / "notes.tar"
    bogus.write_text("these are notes, not an archive\n" * 40, encoding="utf-8")
    try:
        tarfile.open(bogus, mode="r:")
    except tarfile.TarError as exc:
        reason = str(exc)  # tarfile's own words for this file
    else:
        pytest.fail("tarfile read the notes as an archive")
    zh, en = refused("restore", "--config", str(fresh_target(tmp_path / "restored")), str(bogus))
    assert en == [f"ykt: restore: {bogus}: not a ykt backup archive: {reason}"]
    assert zh == [f"ykt: 无法恢复：{bogus}：不是 ykt 备份文件：{reason}"]
    assert not (tmp_path / "restored" / "var").exists()


def test_an_archive_that_does_not_exist_is_said_in_the_systems_words(source, tmp_path):
    config, _ = source
    missing = tmp_path / "nowhere.tar"
    zh, en = refused("restore", "--config", str(fresh_target(tmp_path / "restored")), str(missing))
    assert en == [f"ykt: restore: {missing}: not a ykt backup archive: [Errno 2] No such file or directory: "
                  f"'{missing}'"]
    assert zh == [f"ykt: 无法恢复：{missing}：不是 ykt 备份文件：文件或文件夹不存在：'{missing}'（系统错误号 2）"]


def test_a_member_damaged_after_the_backup_is_named_with_both_digests(source, tmp_path):
    _, archive = source
    with tarfile.open(archive) as tar:
        member = tar.getmember("ledger/ledger.sqlite3")
        listed = json.loads(tar.extractfile("manifest.json").read())["members"]["ledger/ledger.sqlite3"]["sha256"]
        data = bytearray(tar.extractfile(member).read())
        offset = member.offset_data + member.size // 2
    data[member.size // 2] ^= 0x01
    damaged = hashlib.sha256(data).hexdigest()
    raw = bytearray(archive.read_bytes())
    raw[offset] ^= 0x01
    archive.write_bytes(bytes(raw))
    zh, en = refused("restore", "--config", str(fresh_target(tmp_path / "restored")), str(archive))
    assert en == [f"ykt: restore: {archive}: ledger/ledger.sqlite3 has SHA-256 {damaged}, the manifest says {listed}: "
                  f"the archive was altered or damaged; nothing restored"]
    assert zh == [f"ykt: 无法恢复：{archive}：ledger/ledger.sqlite3 的 SHA-256 为 {damaged}，清单记载为 {listed}："
                  f"备份文件被改动或已损坏；未恢复任何内容"]
    assert not (tmp_path / "restored" / "var" / "ledger.sqlite3").exists()


def test_a_restore_over_the_live_ledger_names_every_problem_on_its_own_line(source):
    """Restoring into the settings the archive was made from: the ledger has tables, both key
    files exist; three refusals, each a line, in the same order in both languages."""
    config, archive = source
    settings = settings_file.load(config)
    ledger, pii, signing = Path(make_url(settings.database_url).database), settings.key_file, settings.signing_key_file
    assert ledger.exists() and pii.exists() and signing.exists()
    zh, en = refused("restore", "--config", str(config), str(archive))
    assert en == [
        f"ykt: restore: the SQLite ledger {ledger} is not empty; restore into a new file (or move it away)",
        f"ykt: restore: the personal-data key file {pii} exists; restore never replaces keys "
        f"(move it away if it is not the live one)",
        f"ykt: restore: the report-signing key file {signing} exists; restore never replaces keys "
        f"(move it away if it is not the live one)"]
    assert zh == [
        f"ykt: 无法恢复：SQLite 账簿 {ledger} 不是空的；请恢复到一个新文件（或先把它移走）",
        f"ykt: 无法恢复：个人信息密钥文件 {pii} 已存在；恢复从不替换密钥（如果它不是正在使用的密钥，请先移走）",
        f"ykt: 无法恢复：报表签名密钥文件 {signing} 已存在；恢复从不替换密钥（如果它不是正在使用的密钥，请先移走）"]


def test_the_error_keeps_its_english_text_and_carries_the_words():
    one = BackupError(Phrase.of("backup.exists", out=Path("/srv/b.tar")))
    assert str(one) == "/srv/b.tar already exists; refusing to replace it"
    assert one.phrase == one.problems[0]
    two = BackupError(Phrase.of("backup.left_over", path="/v/l-wal"), Phrase.of("backup.pii_keys_in_env"))
    assert str(two).splitlines()[0] == "/v/l-wal is left from an earlier ledger; move it away first"
    assert str(two).splitlines()[1].startswith("YKT_PII_KEYS is set: ")
    assert two.phrase is None and len(two.problems) == 2


def test_an_archive_whose_key_set_does_not_load_restores_nothing(source, tmp_path):
    """Its checksum made to match: the keys are loaded before the ledger is written, so a key set
    that does not load leaves no restored ledger without its keys."""
    from service.backup import MANIFEST, PII_MEMBER

    _, archive = source
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    members[PII_MEMBER] = b'{"keys": {}}'
    manifest = json.loads(members[MANIFEST])
    manifest["members"][PII_MEMBER]["sha256"] = hashlib.sha256(members[PII_MEMBER]).hexdigest()
    manifest["members"][PII_MEMBER]["size"] = len(members[PII_MEMBER])
    members[MANIFEST] = json.dumps(manifest).encode()
    crafted = tmp_path / "crafted.tar"
    with tarfile.open(crafted, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    zh, en = refused("restore", "--config", str(fresh_target(tmp_path / "restored")), str(crafted))
    assert len(en) == 1 and en[0].startswith("ykt: restore: the archive's personal-data keys do not load: ")
    assert en[0].endswith("; nothing was restored")
    assert zh[0].startswith("ykt: 无法恢复：备份中的个人信息密钥无法载入：") and zh[0].endswith("；未恢复任何内容")
    assert not (tmp_path / "restored" / "var" / "ledger.sqlite3").exists()
    assert not (tmp_path / "restored" / "keys" / "pii-keys.json").exists()
