"""The ``ykt`` command run as an operator runs it, and the settings beside a ledger that its
backup and restore tests back up from and restore into."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def ykt(*args: str, lang: str | None = None) -> subprocess.CompletedProcess:
    """The command as an operator runs it; no language asked: Chinese, whatever YKT_LANG the test
    runs under."""
    env = {k: v for k, v in os.environ.items() if k != "YKT_LANG"}
    words = ["--lang", lang, *args] if lang else list(args)
    return subprocess.run([sys.executable, "-m", "adapter.cli", *words], capture_output=True, text=True, timeout=300,
                          env=env)


def source_settings(folder: Path, engine, keyring) -> Path:
    """Settings made in ``folder`` for the ledger behind ``engine``, its personal-data keys saved in
    the folder's keys/ (readable by its owner only); returns the settings file."""
    folder.mkdir()
    config = folder / "ykt.toml"
    config.write_text(f'data_dir = "{folder / "var"}"\n'
                      f'database_url = "{engine.url.render_as_string(hide_password=False)}"\n'
                      f'pii_key_file = "{folder / "keys" / "pii-keys.json"}"\n', encoding="utf-8")
    (folder / "keys").mkdir(mode=0o700)
    keyring.save(folder / "keys" / "pii-keys.json")
    return config


def fresh_target(folder: Path) -> Path:
    """Settings made in ``folder`` for a SQLite ledger not yet there: what a restore writes into."""
    folder.mkdir()
    config = folder / "ykt.toml"
    config.write_text(f'data_dir = "{folder / "var"}"\ndatabase_url = "sqlite:///{folder / "var" / "ledger.sqlite3"}"\n'
                      f'pii_key_file = "{folder / "keys" / "pii-keys.json"}"\n', encoding="utf-8")
    return config
