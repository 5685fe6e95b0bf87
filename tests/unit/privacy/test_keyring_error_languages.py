"""The personal-data keys refused, said in the reader's language (issue 16 item 3): Chinese by
default, English on request, the English byte for byte what privacy/keys.py always wrote.

A refused key file stops the service: ``config.pii_keys`` when the service starts
(service/context.load_cipher) and ``config.start.pii_keys`` in the start checks
(service/config.start_problems), each with ``said(exc)`` inside. The expected words are written here
from the fault (a key file open to others, missing, not UTF-8, a TOML mistake, a key of the wrong
length...), not copied from output. The source scan checks that every refusal privacy/keys.py makes
is catalogue words with exactly their arguments.
"""
from __future__ import annotations

import ast
import base64
import json
from pathlib import Path

import pytest

import i18n
from i18n.library_words import said
from privacy.errors import KeyFilePermissionError, KeyringError, KeyringNotConfigured, UnknownKeyIdError
from privacy.keys import Keyring
from service import config
from service.context import load_cipher
from tests.support.catalogue_scan import made_in
from tests.support.error_words import refused

ROOT = Path(__file__).resolve().parents[3]
KEY = base64.b64encode(b"k" * 32).decode()
INDEX = base64.b64encode(b"i" * 32).decode()




@pytest.fixture
def no_key_variables(monkeypatch):
    monkeypatch.delenv("YKT_PII_KEY_FILE", raising=False)
    monkeypatch.delenv("YKT_PII_KEYS", raising=False)


def _key_file(path: Path, mode: int = 0o600) -> Path:
    Keyring({"k1": b"k" * 32}, "k1", b"i" * 32).save(path)
    path.chmod(mode)
    return path


def test_a_key_file_others_may_read_stops_the_service_in_the_readers_language(tmp_path, no_key_variables):
    path = _key_file(tmp_path / "pii-keys.json", 0o640)
    settings = config.from_dict({"pii_key_file": str(path)}, base=tmp_path, source="s.toml")
    with pytest.raises(config.ConfigError) as caught:
        load_cipher(settings)
    english = (f"personal-data keys: {path}: the key file is open to group or others (mode 0640); it must be "
               f"readable by its owner only: chmod 600 {path} (create them with: ykt keys init)")
    assert caught.value.problems == (english,)
    assert caught.value.said("en") == (english,)
    assert caught.value.said() == (f"个人数据密钥：{path}：同组用户或其他用户也有权限访问该密钥文件（权限 0640）；"
                                   f"它只能由属主读取：chmod 600 {path}（请用以下命令生成：ykt keys init）",)


def test_a_missing_key_file_in_the_start_checks(tmp_path):
    path = tmp_path / "keys" / "pii-keys.json"
    settings = config.from_dict({"pii_key_file": str(path)}, base=tmp_path, source="s.toml")
    problems = [p for p in config.start_problems(settings, {}) if p.key == "config.start.pii_keys"]
    assert [str(p) for p in problems] == [f"s.toml: pii_key_file: personal-data keys: {path}: key file not found "
                                          "(create them with: ykt keys init --config s.toml)"]
    assert [i18n.say(p.key, "zh", **dict(p.fields)) for p in problems] == \
        [f"s.toml：pii_key_file：个人数据密钥：{path}：密钥文件不存在（请用以下命令生成：ykt keys init --config s.toml）"]


def test_a_key_file_open_to_others(tmp_path):
    path = _key_file(tmp_path / "k.json", 0o604)
    with pytest.raises(KeyFilePermissionError) as caught:
        Keyring.load(path)
    refused(caught.value,
            f"{path}: the key file is open to group or others (mode 0604); it must be readable by its owner only: "
            f"chmod 600 {path}",
            f"{path}：同组用户或其他用户也有权限访问该密钥文件（权限 0604）；它只能由属主读取：chmod 600 {path}")


def test_a_folder_for_a_key_file(tmp_path):
    with pytest.raises(KeyFilePermissionError) as caught:
        Keyring.load(tmp_path)
    refused(caught.value, f"{tmp_path}: the key file is not a regular file", f"{tmp_path}：密钥文件不是普通文件")


def test_a_key_file_in_gbk(tmp_path):
    path = tmp_path / "k.json"
    path.write_bytes('{"current": "密钥"}'.encode("gbk"))
    path.chmod(0o600)
    with pytest.raises(KeyringError) as caught:
        Keyring.load(path)
    refused(caught.value, f"{path}: the key file is not UTF-8 text", f"{path}：密钥文件不是 UTF-8 文本")


def test_a_toml_key_file_with_a_mistake_says_the_parsers_reason_in_words_too(tmp_path):
    path = tmp_path / "k.toml"
    path.write_text(f'current "k1"\nindex_key = "{INDEX}"\n')
    path.chmod(0o600)
    with pytest.raises(KeyringError) as caught:
        Keyring.load(path)
    refused(caught.value,
            f"{path}: the key document is not valid TOML: Expected '=' after a key in a key/value pair "
            "(at line 1, column 9)",
            f"{path}：密钥文档不是有效的 TOML：键之后应为 '='（键 = 值）（第 1 行第 9 列）")


def test_a_data_key_of_the_wrong_length():
    document = json.dumps({"current": "k1", "keys": {"k1": base64.b64encode(b"k" * 16).decode()}, "index_key": INDEX})
    with pytest.raises(KeyringError) as caught:
        Keyring.from_document(document, source="$YKT_PII_KEYS")
    refused(caught.value, "$YKT_PII_KEYS: data key 'k1' must be 32 bytes (AES-256), is 16 bytes",
            "$YKT_PII_KEYS：数据密钥 'k1' 应为 32 字节（AES-256），实际为 16 字节")


def test_an_index_key_that_is_no_base64():
    document = json.dumps({"current": "k1", "keys": {"k1": KEY}, "index_key": "not base64!"})
    with pytest.raises(KeyringError) as caught:
        Keyring.from_document(document, source="$YKT_PII_KEYS")
    refused(caught.value, "$YKT_PII_KEYS: 'index_key' is not valid base64",
            "$YKT_PII_KEYS：索引密钥 'index_key' 不是有效的 base64")


def test_an_index_key_equal_to_a_data_key():
    document = json.dumps({"current": "k1", "keys": {"k1": KEY}, "index_key": KEY})
    with pytest.raises(KeyringError) as caught:
        Keyring.from_document(document, source="k.json")
    refused(caught.value, "k.json: the index key must differ from every data key",
            "k.json：索引密钥不能与任何一个数据密钥相同")


def test_a_document_with_a_misspelt_entry():
    document = json.dumps({"current": "k1", "keys": {"k1": KEY}, "index-key": INDEX})
    with pytest.raises(KeyringError) as caught:
        Keyring.from_document(document, source="k.json")
    refused(caught.value, "k.json: unknown entries ['index-key']; a key document has only "
                          "['current', 'index_key', 'keys']",
            "k.json：有无法识别的项 ['index-key']；密钥文档只能有 ['current', 'index_key', 'keys']")


def test_a_value_sealed_with_a_key_no_longer_held():
    keyring = Keyring.from_document(json.dumps({"current": "k2", "keys": {"k2": KEY}, "index_key": INDEX}),
                                    source="k.json")
    with pytest.raises(UnknownKeyIdError) as caught:
        keyring.data_key("k1")
    refused(caught.value, "k.json: no data key with id 'k1' (have ['k2'])", "k.json：没有编号为 'k1' 的数据密钥（现有：['k2']）")


def test_both_places_for_the_keys_or_neither():
    with pytest.raises(KeyringError) as caught:
        Keyring.from_env({"YKT_PII_KEY_FILE": "k.json", "YKT_PII_KEYS": "{}"})
    refused(caught.value, "both YKT_PII_KEY_FILE and YKT_PII_KEYS are set; set only one",
            "YKT_PII_KEY_FILE 和 YKT_PII_KEYS 都已设置；只能设置其中一个")
    with pytest.raises(KeyringNotConfigured) as caught:
        Keyring.from_env({})
    refused(caught.value, "no keys for personal data: set YKT_PII_KEY_FILE to a key file (python -m privacy "
                          "generate PATH) or YKT_PII_KEYS to a key document",
            "没有个人数据密钥：请把 YKT_PII_KEY_FILE 设为密钥文件（python -m privacy generate PATH），"
            "或把 YKT_PII_KEYS 设为密钥文档")


def test_a_message_given_as_text_keeps_no_words():
    """A privacy error made with a plain text (the package itself now gives words for every one; the
    constructor still takes text) is said as it is."""
    exc = UnknownKeyIdError("name: sealed with key 'k0', which this keyring does not hold", "k0")
    assert exc.phrase is None and said(exc) == str(exc)


# -- every refusal has words -------------------------------------------------------------------

SOURCE = ROOT / "privacy" / "keys.py"
ERRORS = {"KeyringError", "KeyFilePermissionError", "KeyringNotConfigured", "UnknownKeyIdError"}


def _is_phrase_of(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "of"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "Phrase")


def _worded(node: ast.AST) -> bool:
    if isinstance(node, ast.IfExp):
        return _worded(node.body) and _worded(node.orelse)
    return _is_phrase_of(node)


def test_every_refusal_is_made_of_catalogue_words_with_exactly_their_arguments():
    calls = [node for node in ast.walk(ast.parse(SOURCE.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)]
    made = [c for c in calls if isinstance(c.func, ast.Name) and c.func.id in ERRORS]
    assert len(made) > 20  # the scan found them (24 when written)
    assert [c.lineno for c in made if not _worded(c.args[0])] == []
    assert not [c.lineno for c in calls if isinstance(c.func, ast.Name) and c.func.id in ("ValueError", "TypeError")]
    words = [m for m in made_in([SOURCE]) if m.callee == "of"]  # each with exactly its arguments: i18n's test
    assert [m.where for m in words if m.key is None] == []
    assert {key for key in i18n.WORDS if key.startswith("privacy.")} == {m.key for m in words}
