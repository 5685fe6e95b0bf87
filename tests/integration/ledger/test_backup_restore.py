"""``ykt backup`` and ``ykt restore`` (issue 17, item 7), run as the operator runs them, on SQLite
and on PostgreSQL: a ledger with a closed batch and a signed report copy is backed up (one 0600
archive: the ledger, the personal-data keys, the report-signing keys, a manifest with each
member's SHA-256), restored into a fresh folder or database, ``ykt verify`` passes there, the
restored keys open the sealed personal data, and the report copy made before the backup still
verifies with the restored keys, also after a signing-key rotation. A second restore over the
restored target, and a damaged archive, are refused before anything is written."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from ledger.db import make_engine
from ledger.schema import lines
from privacy.cipher import ID, FieldCipher
from privacy.keys import Keyring
from reports.exports import jsonfile
from service import reporting
from tests.conftest import PG_URL
from tests.support.ledger_world import World


def ykt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adapter.cli", "--lang", "en", *args], capture_output=True, text=True,
                          timeout=300)


def _settings(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "ykt.toml"
    config.write_text(f'data_dir = "{folder / "var"}"\ndatabase_url = "{url}"\n'
                      f'pii_key_file = "{folder / "keys" / "pii-keys.json"}"\n', encoding="utf-8")
    return config


@pytest.fixture
def source(engine, tmp_path):
    """A closed batch, its keys on disk, a signed copy of its reconciliation, and the settings."""
    world = World(engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    batch_id, _ = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 30, seed=5)
    facts = world.bank_answers(batch_id, failure_ppm=250_000, fail={2})
    assert facts.paid and facts.failed
    world.close(batch_id)
    keyring = world.ctx.cipher.keyring
    config = _settings(tmp_path / "source", engine.url.render_as_string(hide_password=False))
    key_file = tmp_path / "source" / "keys" / "pii-keys.json"
    key_file.parent.mkdir(mode=0o700)
    keyring.save(key_file)
    world.ctx.settings = replace(world.ctx.settings, pii_key_file=key_file)
    doc = reporting.reconciliation(world.ctx, batch_id)  # signed with the source's report-signing keys
    assert {c.signature.split(":")[0] for c in doc.copies} == {"s1"}
    copy = tmp_path / "reconciliation.json"
    out = io.BytesIO()
    jsonfile.write(doc, out)
    copy.write_bytes(out.getvalue())
    with engine.connect() as conn:
        sealed = conn.execute(select(lines.c.id_sealed).where(lines.c.batch_id == batch_id)
                              .order_by(lines.c.seq).limit(1)).scalar_one()
    return config, keyring, copy, batch_id, FieldCipher(keyring).open(ID, sealed)


@pytest.fixture
def fresh_url(engine, tmp_path):
    """Where to restore: a new SQLite file, or a new PostgreSQL database (ours, dropped after)."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'var' / 'ledger.sqlite3'}"
        return
    name = f"ykt_restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield engine.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def test_a_backup_restores_into_a_fresh_target_verifies_and_old_copies_still_verify(engine, source, fresh_url,
                                                                                    tmp_path):
    config, keyring, copy, batch_id, first_id_number = source
    archive = tmp_path / "backup.tar"
    done = ykt("backup", "--config", str(config), "--out", str(archive))
    assert done.returncode == 0, done.stdout + done.stderr
    assert archive.stat().st_mode & 0o777 == 0o600
    assert "mode 0600" in done.stdout and "keys" in done.stdout
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        ledger_member = "ledger/ledger.sqlite3" if engine.dialect.name == "sqlite" else "ledger/ledger.pgdump"
        assert sorted(tar.getnames()) == sorted(["manifest.json", ledger_member, "keys/pii-keys.json",
                                                 "keys/report-signing-keys.json"])
        assert all(m.mode == 0o600 for m in tar.getmembers())
        for name, facts in manifest["members"].items():
            assert hashlib.sha256(tar.extractfile(name).read()).hexdigest() == facts["sha256"]
    assert manifest["format"] == "ykt-backup" and manifest["database"]["dialect"] == engine.dialect.name
    with engine.connect() as conn:
        assert manifest["database"]["schema_revision"] == conn.execute(
            text("SELECT version_num FROM alembic_version")).scalar_one()
    again = ykt("backup", "--config", str(config), "--out", str(archive))
    assert again.returncode == 2 and "refusing to replace" in again.stderr  # never over an archive

    target = _settings(tmp_path / "restored", fresh_url)
    done = ykt("restore", "--config", str(target), str(archive))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "now check it: ykt verify" in done.stdout
    restored_keys = tmp_path / "restored" / "keys"
    assert (restored_keys / "pii-keys.json").stat().st_mode & 0o777 == 0o600
    assert (restored_keys / "report-signing-keys.json").stat().st_mode & 0o777 == 0o600
    assert Keyring.load(restored_keys / "pii-keys.json") == keyring

    done = ykt("verify", "--config", str(target))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified" in done.stdout and "1 batches" in done.stdout

    restored = make_engine(fresh_url)
    try:
        with restored.connect() as conn:
            sealed = conn.execute(select(lines.c.id_sealed).where(lines.c.batch_id == batch_id)
                                  .order_by(lines.c.seq).limit(1)).scalar_one()
    finally:
        restored.dispose()
    assert FieldCipher(Keyring.load(restored_keys / "pii-keys.json")).open(ID, sealed) == first_id_number

    public = tmp_path / "public.json"
    assert ykt("keys", "public", "--config", str(target), "--out", str(public)).returncode == 0
    done = ykt("report", "verify", str(copy), "--public-key", str(public))
    assert done.returncode == 0 and done.stdout.rstrip().endswith("VALID"), done.stdout + done.stderr
    assert ykt("keys", "rotate-signing", "--config", str(target)).returncode == 0
    public.unlink()
    assert ykt("keys", "public", "--config", str(target), "--out", str(public)).returncode == 0
    assert sorted(json.loads(public.read_text())["keys"]) == ["s1", "s2"]
    done = ykt("report", "verify", str(copy), "--public-key", str(public))
    assert done.returncode == 0 and done.stdout.rstrip().endswith("VALID"), done.stdout + done.stderr

    # restoring again over what is now there is refused, every reason named, nothing touched
    before = (restored_keys / "report-signing-keys.json").read_bytes()
    done = ykt("restore", "--config", str(target), str(archive))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not empty" in done.stderr or "holds" in done.stderr
    assert f"the personal-data key file {restored_keys / 'pii-keys.json'} exists" in done.stderr
    assert f"the report-signing key file {restored_keys / 'report-signing-keys.json'} exists" in done.stderr
    assert (restored_keys / "report-signing-keys.json").read_bytes() == before


def test_a_damaged_archive_is_refused_and_nothing_is_written(sqlite_engine, tmp_path):
    world = World(sqlite_engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 5, seed=5)
    config = _settings(tmp_path / "source", sqlite_engine.url.render_as_string(hide_password=False))
    (tmp_path / "source" / "keys").mkdir(mode=0o700)
    world.ctx.cipher.keyring.save(tmp_path / "source" / "keys" / "pii-keys.json")
    archive = tmp_path / "backup.tar"
    assert ykt("backup", "--config", str(config), "--out", str(archive)).returncode == 0
    with tarfile.open(archive) as tar:
        member = tar.getmember("ledger/ledger.sqlite3")
        offset = member.offset_data + member.size // 2
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    archive.write_bytes(bytes(data))
    target = _settings(tmp_path / "restored", f"sqlite:///{tmp_path / 'restored' / 'var' / 'ledger.sqlite3'}")
    done = ykt("restore", "--config", str(target), str(archive))
    assert done.returncode == 2
    assert "ledger/ledger.sqlite3 has SHA-256" in done.stderr and "nothing restored" in done.stderr
    assert not (tmp_path / "restored" / "var" / "ledger.sqlite3").exists()
    assert not (tmp_path / "restored" / "keys").exists()
