"""Every word the command line says has Chinese and English with the same blanks to fill, and
every key the code asks for is in the catalogue (a missing key would show people the key)."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import i18n
from adapter import cli_files, cli_lines

ADAPTER = Path(__file__).resolve().parents[3] / "adapter"
SOURCES = [*ADAPTER.glob("cli*.py"), ADAPTER / "ops_cli.py", ADAPTER / "report_cli.py"]
CLI_WORDS = {k: v for k, v in i18n.WORDS.items() if k.startswith("cli.")}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CLI_WORDS))
def test_chinese_and_english_fill_the_same_blanks(key):
    zh, en = CLI_WORDS[key]
    assert zh.strip() and en.strip()
    assert _fields(zh) == _fields(en)


def test_every_key_the_code_asks_for_is_in_the_catalogue():
    asked = set()
    for path in SOURCES:
        asked |= set(re.findall(r'"(cli\.[a-z_.]+[a-z_])"', path.read_text(encoding="utf-8")))
    assert len(asked) > 120  # the search finds the keys (it would pass finding none)
    assert sorted(asked - CLI_WORDS.keys()) == []


def test_the_words_made_from_codes_exist_for_every_code():
    made = [f"cli.direction.{d}" for d in ("IN", "OUT")]
    made += [f"cli.severity.{s}" for s in ("error", "hold", "warning")]
    made += [f"cli.change_state.{s}" for s in cli_lines.CHANGE_STATES]
    made += [f"cli.lines.done.{m}" for m in ("RemoveLines", "ReleaseLines", "GiveUpLines", "AllowReissue")]
    made += [f"cli.files.done.{m}" for m in ("RegenerateFile", "MarkFileDelivered")]
    assert [k for k in made if k not in CLI_WORDS] == []
    assert cli_files.FILE_STATES  # the states offered on the command line are named by the code catalogue
    assert [s for s in cli_files.FILE_STATES if f"file_state.{s}" not in i18n.WORDS] == []
    assert [s for s in cli_lines.LINE_STATUSES if f"line_status.{s}" not in i18n.WORDS] == []
