"""``ykt report verify`` on a file it cannot read names the file once and says the system's
reason in the command's language, without Python's errno and the file's name a second time
(``cli.file.unreadable`` names the file itself: its reason is ``briefly``'s, as ``ykt lines``
and the CLI's other file messages say it)."""
from __future__ import annotations

import pytest

from adapter import cli


@pytest.fixture(autouse=True)
def _no_language_from_outside(monkeypatch):
    monkeypatch.delenv("YKT_LANG", raising=False)


def test_a_missing_copy_is_named_once_with_the_reason_in_english_on_request(tmp_path, capsys):
    missing = tmp_path / "copy.json"
    keys = tmp_path / "public-keys.json"
    keys.write_text("{}", encoding="ascii")
    assert cli.main(["--lang", "en", "report", "verify", str(missing), "--public-key", str(keys)]) == 2
    assert capsys.readouterr().err == f"ykt: cannot read {missing}: No such file or directory\n"


def test_a_missing_public_key_set_is_named_once_in_chinese_by_default(tmp_path, capsys):
    copy = tmp_path / "copy.json"
    copy.write_text("{}", encoding="utf-8")
    missing = tmp_path / "public-keys.json"
    assert cli.main(["report", "verify", str(copy), "--public-key", str(missing)]) == 2
    assert capsys.readouterr().err == f"ykt: 无法读取文件 {missing}:文件或文件夹不存在\n"
