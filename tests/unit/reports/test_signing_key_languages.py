"""The report-signing keys refused, said in the reader's language (issue 16 item 3): Chinese by
default, English on request, the English byte for byte what reports/signing.py always wrote.

``ykt keys rotate-signing`` and ``ykt keys public`` print why the key set cannot be used
(``cli.signing.refused`` with ``said(exc)`` inside); the same words are inside ``ykt backup``'s
refusal (``backup.signing_keys``) and wherever a ``SigningKeyError`` is shown. The expected words
are written here from each fault (a key set open to others, not a key set, a key that is no key, a
current key id not among the keys, a folder where the file should be, a key of the earlier kind
that is no Ed25519 key, a public key set without keys), not copied from output.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from adapter import cli
from reports.signing import SigningKeyError, SigningKeys, public_keys_from_text
from tests.support.error_words import words

KEY = base64.b64encode(b"s" * 32).decode()


@pytest.fixture
def settings(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """Settings whose key folder holds the report-signing key set; no YKT_LANG from outside."""
    monkeypatch.delenv("YKT_LANG", raising=False)
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    config = tmp_path / "ykt.toml"
    config.write_text(f'data_dir = "{tmp_path / "var"}"\npii_key_file = "{folder / "pii-keys.json"}"\n',
                      encoding="utf-8")
    return config, folder / "report-signing-keys.json"


def refusal(capsys, *words: str) -> tuple[str, str]:
    """What ``ykt WORDS`` prints when it refuses (exit 2, nothing on stdout): (Chinese by
    default, English with --lang en)."""
    said_ = []
    for lang in ([], ["--lang", "en"]):
        assert cli.main([*lang, *words]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        said_.append(err)
    return said_[0], said_[1]


def _key_set(path: Path, document: dict | bytes, mode: int = 0o600) -> Path:
    path.write_bytes(document if isinstance(document, bytes) else json.dumps(document).encode())
    path.chmod(mode)
    return path


def test_a_key_set_others_may_read_is_refused_in_the_readers_language(settings, capsys):
    config, path = settings
    SigningKeys.generate().save(path)
    path.chmod(0o640)
    chinese, english = refusal(capsys, "keys", "rotate-signing", "--config", str(config))
    assert english == (f"ykt: {path}: the signing key set is open to group or others (mode 0640); it must be "
                       f"readable by its owner only: chmod 600 {path}\n")
    assert chinese == (f"ykt: 报表签名密钥：{path}：同组用户或其他用户也有权限访问该签名密钥组文件（权限 0640）；"
                       f"它只能由属主读取：chmod 600 {path}\n")
    assert json.loads(path.read_text())["current"] == "s1"  # nothing rotated


def test_a_file_that_is_not_utf8_is_not_a_key_set(settings, capsys):
    config, path = settings
    _key_set(path, b"{\xb5}")
    chinese, english = refusal(capsys, "keys", "public", "--config", str(config))
    assert english == (f"ykt: {path}: not a signing key set (JSON): 'utf-8' codec can't decode byte 0xb5 in "
                       "position 1: invalid start byte\n")
    assert chinese == (f"ykt: 报表签名密钥：{path}：不是签名密钥组（JSON）：不是有效的 utf-8 文本："
                       "位置 1（从 0 起算）的字节 0xb5：不能作为字符的开头\n")


def test_a_key_that_is_no_ed25519_key(settings, capsys):
    config, path = settings
    _key_set(path, {"current": "s1", "keys": {"s1": base64.b64encode(b"too short").decode()}})
    chinese, english = refusal(capsys, "keys", "public", "--config", str(config))
    assert english == f"ykt: {path}: key 's1' is not base64 of a 32-byte Ed25519 key\n"
    assert chinese == f"ykt: 报表签名密钥：{path}：密钥 's1' 不是 base64 编码的 32 字节 Ed25519 密钥\n"


def test_a_current_key_id_not_among_the_keys(settings, capsys):
    config, path = settings
    _key_set(path, {"current": "s9", "keys": {"s1": KEY, "s2": KEY}})
    chinese, english = refusal(capsys, "keys", "rotate-signing", "--config", str(config))
    assert english == f"ykt: {path}: the current key id 's9' is not among the keys ['s1', 's2']\n"
    assert chinese == f"ykt: 报表签名密钥：{path}：当前密钥编号 's9' 不在密钥 ['s1', 's2'] 之中\n"


def test_a_key_set_with_other_entries(settings, capsys):
    config, path = settings
    _key_set(path, {"current": "s1", "keys": {"s1": KEY}, "comment": "spare"})
    chinese, english = refusal(capsys, "keys", "public", "--config", str(config))
    assert english == (f"ykt: {path}: a signing key set holds exactly 'current' and 'keys' (ids to base64 "
                       "keys)\n")
    assert chinese == (f"ykt: 报表签名密钥：{path}：签名密钥组只能有 'current' 和 'keys' 两项"
                       "（密钥编号对应 base64 编码的密钥）\n")


def test_a_folder_where_the_key_set_should_be(settings, capsys):
    config, path = settings
    path.mkdir()
    chinese, english = refusal(capsys, "keys", "public", "--config", str(config))
    assert english == f"ykt: {path}: the signing key set is not a regular file\n"
    assert chinese == f"ykt: 报表签名密钥：{path}：签名密钥组文件不是普通文件\n"


def _p256_legacy_key(path: Path) -> tuple[Path, ec.EllipticCurvePrivateKey]:
    """A report-signing.pem of the earlier kind beside the key set, holding a P-256 key (not Ed25519)."""
    legacy = path.with_name("report-signing.pem")
    key = ec.generate_private_key(ec.SECP256R1())
    legacy.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))
    legacy.chmod(0o600)
    return legacy, key


def test_a_key_of_the_earlier_kind_that_is_not_ed25519(settings, capsys):
    config, path = settings
    legacy, key = _p256_legacy_key(path)
    kind = type(key).__name__  # the key's class, named as Python names it (data, in both languages)
    chinese, english = refusal(capsys, "keys", "public", "--config", str(config))
    assert english == f"ykt: {legacy}: the report-signing key is {kind}, not Ed25519\n"
    assert chinese == f"ykt: 报表签名密钥：{legacy}：报表签名密钥是 {kind}，不是 Ed25519\n"
    assert not path.exists()  # no key set made from it



def test_a_public_key_set_without_keys_for_report_verify():
    with pytest.raises(SigningKeyError) as caught:
        public_keys_from_text('{"kind": "ykt report-signing public keys", "keys": {}}', "bank.json")
    english = "bank.json: a public key set holds 'keys': key ids to PEM public keys"
    assert words(caught.value) == (english, "bank.json：公钥组应有 'keys'：密钥编号对应 PEM 格式的公钥", english)


def test_a_key_id_already_in_use_when_rotating():
    keys = SigningKeys.generate(source="k.json")
    with pytest.raises(SigningKeyError) as caught:
        keys.rotated("s1")
    english = "k.json: key id 's1' is already in use; pick a new one"
    assert words(caught.value) == (english, "k.json：密钥编号 's1' 已被使用；请另选一个", english)


def test_a_missing_key_set(tmp_path):
    path = tmp_path / "report-signing-keys.json"
    with pytest.raises(SigningKeyError) as caught:
        SigningKeys.load(path)
    english = f"{path}: signing key set not found"
    assert words(caught.value) == (english, f"{path}：签名密钥组文件不存在", english)


def test_keys_init_beside_a_key_of_the_earlier_kind_that_is_not_ed25519_is_refused_not_a_traceback(settings,
                                                                                                    capsys):
    config, path = settings
    legacy, key = _p256_legacy_key(path)
    assert cli.main(["keys", "init", "--config", str(config)]) == 2
    out, err = capsys.readouterr()
    assert err == f"ykt: 报表签名密钥：{legacy}：报表签名密钥是 {type(key).__name__}，不是 Ed25519\n"
    assert not path.exists()
