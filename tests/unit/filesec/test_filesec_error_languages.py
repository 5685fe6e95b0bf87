"""A bank file refused by file security, and a bank's key sets refused at start, said in the reader's
language (issue 16 item 3): Chinese by default, English on request, the English byte for byte what
filesec always wrote.

Each case is a real failure (a tampered signed file, a key id we do not hold, a missing signature,
an altered or cut envelope, a private key set open to others...). What a quarantined file keeps is
``message("ingest.file_security", error=said(exc))`` (service/ingest.py, service/statements.py); a
key set refused at start is the settings' ``config.bank.keys``. The expected words are written here
from the fault, not copied from output. The source scan checks that every error filesec and
service/file_security.py raise is made from catalogue words with exactly their arguments.
"""
from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

import i18n
from filesec import (
    BadSignature,
    DecryptionFailed,
    KeyFileError,
    KeySet,
    MalformedSignature,
    MissingSignature,
    PolicyViolation,
    Truncated,
    UnknownKey,
    decrypt_file,
    encrypt_file,
    generate_keys,
    verify_file,
    write_signature,
)
from i18n import reset, use
from i18n.library_words import said
from i18n.stored import message, shown
from service import config
from service.file_security import open_inbound, with_settings_keys
from service.profiles import profile_from_dict
from tests.support.catalogue_scan import made_in

ROOT = Path(__file__).resolve().parents[3]
SFTP = {"host": "h", "port": 22, "username": "u", "host_key": "ssh-ed25519 AAAA"}


def stored(exc: Exception) -> tuple[str, str, str]:
    """(str(exc), the quarantine reason as stored and read by default, the same in English)."""
    kept = message("ingest.file_security", error=said(exc))
    token = use(None)  # the default: what a call that asks nothing reads
    try:
        return str(exc), shown(kept), shown(kept, "en")
    finally:
        reset(token)


def refused(exc: Exception, english: str, chinese: str) -> None:
    """``exc`` is ``english`` as it always was; stored, it reads ``chinese`` by default and the
    same English on request."""
    assert stored(exc) == (english, f"文件安全校验未通过：{chinese}", f"file security: {english}")


@pytest.fixture
def signed(modern, tmp_path):
    """A file and its signature made with our Ed25519 key ``m1`` (digest SHA-256)."""
    path = tmp_path / "DF_CCB01_20261102_B1.txt"
    path.write_bytes(b"1|ZHANG SAN|6222020200000001|1000\r\n" * 40)
    return path, write_signature(path, None, modern.sign)


def unverified(kind: type[Exception], path: Path, sig: Path, modern, **options) -> Exception:
    """The error (of ``kind``) verify_file raises for the signed file and its signature as they now are."""
    with pytest.raises(kind) as caught:
        verify_file(path, sig, modern.verify, **options)
    return caught.value


def test_a_file_changed_after_it_was_signed(signed, modern):
    path, sig = signed
    data = bytearray(path.read_bytes())
    data[25] ^= 0x01  # one byte of an account number, same size
    path.write_bytes(bytes(data))
    refused(unverified(BadSignature, path, sig, modern),
            "DF_CCB01_20261102_B1.txt: the file's sha256 digest differs from the signed one: the file was altered",
            "DF_CCB01_20261102_B1.txt：文件的 sha256 摘要与签名中的不一致：文件被改动过")


def test_a_signed_file_cut_short(signed, modern):
    path, sig = signed
    path.write_bytes(path.read_bytes()[:-36])  # 40 lines of 35 bytes: the last line and one byte more
    refused(unverified(BadSignature, path, sig, modern),
            "DF_CCB01_20261102_B1.txt: the file has 1364 bytes, the signature is for 1400 bytes: the file was "
            "altered or cut short",
            "DF_CCB01_20261102_B1.txt：文件有 1364 字节，而签名针对的是 1400 字节：文件被改动过或不完整")


def test_a_signature_file_changed(signed, modern):
    path, sig = signed
    text = sig.read_text()
    sig.write_text(text.replace("signed-at: 20", "signed-at: 19", 1))
    refused(unverified(BadSignature, path, sig, modern),
            "DF_CCB01_20261102_B1.txt: the ed25519 signature by key 'm1' does not verify: the signature file was "
            "altered or not made with that key",
            "DF_CCB01_20261102_B1.txt：用密钥 'm1' 验签未通过（ed25519 签名）：签名文件被改动过，或不是用该密钥签的")


def test_a_file_signed_by_a_key_id_we_do_not_hold(signed, modern, tmp_path):
    path, _ = signed
    stranger = generate_keys(tmp_path / "stranger", "ccb-2027")
    sig = write_signature(path, tmp_path / "x.sig", KeySet.load(stranger.sign, private=True))
    source = str(modern.files.verify)
    refused(unverified(UnknownKey, path, sig, modern),
            f"DF_CCB01_20261102_B1.txt: made with key id 'ccb-2027', which is not among the keys of {source} (m1)",
            f"DF_CCB01_20261102_B1.txt：所用的密钥编号 'ccb-2027' 不在 {source} 中（现有密钥编号：m1）")


def test_a_signature_that_is_no_signature(signed, modern):
    path, sig = signed
    sig.write_text("-----BEGIN PGP SIGNATURE-----\n\niQEz\n")
    refused(unverified(MalformedSignature, path, sig, modern),
            "DF_CCB01_20261102_B1.txt.sig: not a readable signature: first line must be 'ykt-filesig/1'",
            "DF_CCB01_20261102_B1.txt.sig：签名文件无法读取：第一行应为 'ykt-filesig/1'")


def test_a_signature_over_a_digest_the_profile_does_not_accept(signed, modern):
    path, sig = signed
    refused(unverified(PolicyViolation, path, sig, modern, digests=["sm3"]),
            "DF_CCB01_20261102_B1.txt: signed over a sha256 digest; the profile demands sm3",
            "DF_CCB01_20261102_B1.txt：签名所用的摘要算法是 sha256；该银行的配置要求 sm3")


def test_a_missing_signature_where_the_bank_signs(tmp_path):
    profile = profile_from_dict({"bank": {"code": "CCB01"}, "format": {"family": "delimited"},
                                 "security": {"verify_inbound": True}}, base=ROOT, source="p.toml")
    path = tmp_path / "RS_CCB01_20261102_B1.txt"
    path.write_bytes(b"1|PAID\r\n")
    with pytest.raises(MissingSignature) as caught:
        open_inbound(profile, path, None, tmp_path / "clear")
    refused(caught.value,
            "RS_CCB01_20261102_B1.txt: bank CCB01 signs its files and no signature RS_CCB01_20261102_B1.txt.sig "
            "came with this one",
            "RS_CCB01_20261102_B1.txt：银行 CCB01 会对其文件签名，但此文件没有随附签名文件 RS_CCB01_20261102_B1.txt.sig")


@pytest.fixture
def envelope(modern, tmp_path):
    """A file of three 64-byte chunks and more, encrypted for our X25519 key ``m1``."""
    clear = tmp_path / "RS_CCB01_20261102_B1.txt"
    clear.write_bytes(bytes(range(200)))
    sealed = tmp_path / "RS_CCB01_20261102_B1.txt.enc"
    encrypt_file(clear, sealed, modern.encrypt, chunk_size=64)
    return sealed


def _header_length(data: bytes) -> int:
    return data.index(b"\n\n") + 2


def test_an_envelope_altered_in_its_content(envelope, modern, tmp_path):
    data = bytearray(envelope.read_bytes())
    data[_header_length(data) + 90] ^= 0x80  # a byte of the second chunk (records of 64 + 16 bytes)
    envelope.write_bytes(bytes(data))
    out = tmp_path / "out.txt"
    with pytest.raises(DecryptionFailed) as caught:
        decrypt_file(envelope, out, modern.decrypt)
    assert not out.exists()
    refused(caught.value,
            "RS_CCB01_20261102_B1.txt.enc: chunk 1 fails authentication: the file was altered, its chunks "
            "reordered, or it was cut short inside a chunk",
            "RS_CCB01_20261102_B1.txt.enc：数据块 1 解密校验未通过：文件被改动过、数据块顺序被打乱，或文件在某一块中间被截断")


def test_an_envelope_cut_after_a_chunk(envelope, modern, tmp_path):
    data = envelope.read_bytes()
    envelope.write_bytes(data[:_header_length(data) + 2 * (64 + 16)])  # the first two chunks, whole
    with pytest.raises(Truncated) as caught:
        decrypt_file(envelope, tmp_path / "out.txt", modern.decrypt)
    refused(caught.value,
            "RS_CCB01_20261102_B1.txt.enc: the envelope ends after chunk 1, which is not its final chunk: the file "
            "was cut short",
            "RS_CCB01_20261102_B1.txt.enc：加密文件在数据块 1 之后就结束了，而该块不是最后一块：文件不完整")


def test_an_envelope_whose_header_names_another_cipher(envelope, modern, tmp_path):
    data = envelope.read_bytes()
    envelope.write_bytes(data.replace(b"cipher: aes-256-gcm", b"cipher: des-ede3-cbc", 1))
    with pytest.raises(DecryptionFailed) as caught:
        decrypt_file(envelope, tmp_path / "out.txt", modern.decrypt)
    refused(caught.value,
            "RS_CCB01_20261102_B1.txt.enc: not a readable envelope: unknown cipher 'des-ede3-cbc'",
            "RS_CCB01_20261102_B1.txt.enc：加密文件无法读取：未知的加密算法 'des-ede3-cbc'")


def test_an_envelope_for_another_key_of_the_same_id(envelope, tmp_path):
    other = generate_keys(tmp_path / "other", "m1")
    with pytest.raises(DecryptionFailed) as caught:
        decrypt_file(envelope, tmp_path / "out.txt", KeySet.load(other.decrypt, private=True))
    refused(caught.value,
            "RS_CCB01_20261102_B1.txt.enc: the content key does not unwrap with our key 'm1': the file was not "
            "encrypted for that key, or its header was altered",
            "RS_CCB01_20261102_B1.txt.enc：无法用我方密钥 'm1' 解开内容密钥：文件不是为该密钥加密的，或文件头被改动过")


def test_a_private_key_set_open_to_others(modern, tmp_path):
    folder = tmp_path / "ours"
    shutil.copytree(modern.files.sign.parent, folder)
    key_set = folder / "sign.keys.json"
    os.chmod(key_set, 0o644)
    with pytest.raises(KeyFileError) as caught:
        KeySet.load(key_set, private=True)
    refused(caught.value,
            f"{key_set}: is read for private keys but is open to group or others (mode 0644); it must be readable "
            f"by its owner only: chmod 600 {key_set}",
            f"{key_set}：存放私钥，但同组用户或其他用户也有权限访问（权限 0644）；它只能由属主读取：chmod 600 {key_set}")


def test_a_key_set_that_is_not_json(tmp_path):
    key_set = tmp_path / "verify.keys.json"
    key_set.write_text('{"keys": {"ccb-1": "ccb-1.pem",}}')
    with pytest.raises(KeyFileError) as caught:
        KeySet.load(key_set, private=False)
    refused(caught.value, f"{key_set}: the key set is not valid JSON (line 1, column 32)",
            f"{key_set}：密钥组文件不是有效的 JSON（第 1 行第 32 列）")


def test_a_missing_key_set_stops_the_service_in_the_readers_language(modern):
    table = {"sign": str(modern.files.sign), "decrypt": str(modern.files.decrypt),
             "verify": "/nonexistent/verify.keys.json", "encrypt": str(modern.files.encrypt)}
    bank = {"profile": str(ROOT / "profiles/CCB01.toml"), "sftp": SFTP, "keys": table}
    with pytest.raises(config.ConfigError) as caught:
        config.from_dict({"banks": {"CCB01": bank}}, base=ROOT, source="s.toml")
    english = "banks.CCB01.keys.verify: /nonexistent/verify.keys.json: key set not found"
    assert caught.value.problems[0].endswith(english)
    assert caught.value.said("en") == caught.value.problems
    assert caught.value.said("zh")[0].endswith(".keys.verify：/nonexistent/verify.keys.json：密钥组文件不存在")


def test_a_key_setting_missing_for_what_the_profile_demands():
    profile = profile_from_dict({"bank": {"code": "CCB01"}, "format": {"family": "delimited"},
                                 "security": {"encrypt": "x25519+sm4-gcm"}}, base=ROOT, source="p.toml")
    with pytest.raises(ValueError) as caught:
        with_settings_keys(profile, {}, Path)
    words = said(caught.value)
    assert str(caught.value) == "keys.encrypt: missing: the profile encrypts outbound files " \
                                "(security.encrypt = x25519+sm4-gcm)"
    assert i18n.say(words.key, "zh", **dict(words.fields)) == \
        "keys.encrypt：缺少此项：该银行的配置要求对发出的文件加密（security.encrypt = x25519+sm4-gcm）"
    assert i18n.say(words.key, "en", **dict(words.fields)) == str(caught.value)


def test_the_readers_language_is_the_calls(signed, modern):
    path, sig = signed
    path.write_bytes(path.read_bytes() + b"\r\n")
    with pytest.raises(BadSignature) as caught:
        verify_file(path, sig, modern.verify)
    kept = message("ingest.file_security", error=said(caught.value))
    token = use("en")
    try:
        assert shown(kept) == f"file security: {caught.value}"
    finally:
        reset(token)


# -- every raise has words -----------------------------------------------------------------------

SOURCES = sorted((ROOT / "filesec").glob("*.py")) + [ROOT / "service" / "file_security.py"]
ERRORS = {"FileSecurityError", "KeyFileError", "UnknownKey", "PolicyViolation", "MissingSignature", "BadSignature",
          "MalformedSignature", "DecryptionFailed", "MalformedEnvelope", "Truncated"}
# a caller's mistake in the arguments of the package's functions, never a file's or a setting's
PROGRAMMING_ERRORS = {("filesec/envelope.py", "ValueError"), ("filesec/keys.py", "TypeError"),
                      ("filesec/signing.py", "ValueError")}


def _name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _is_phrase_of(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "of"
            and _name(node.func.value) == "Phrase")


def _worded(node: ast.AST) -> bool:
    """Catalogue words: ``Phrase.of(...)``, or one of two by a condition."""
    if isinstance(node, ast.IfExp):
        return _worded(node.body) and _worded(node.orelse)
    return _is_phrase_of(node)


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def test_every_error_is_made_of_catalogue_words():
    made, unworded, plain = 0, [], set()
    for path in SOURCES:
        where = path.relative_to(ROOT).as_posix()
        for call in _calls(path):
            name = _name(call.func)
            if name in ERRORS or name == "bad":
                made += 1
                reason = call.args[0] if name == "bad" else call.args[1]
                if not _worded(reason):
                    unworded.append(f"{where}:{call.lineno}")
            elif name in ("ValueError", "TypeError"):
                plain.add((where, name))
    assert made > 90  # the scan found them (about 100 when written)
    assert unworded == []
    assert plain <= PROGRAMMING_ERRORS


def test_every_word_is_written_out_and_used():
    """(Each with exactly its arguments: tests/unit/i18n/test_catalogue_keys_made.py.)"""
    made = list(made_in(SOURCES))
    assert [m.where for m in made if m.key is None] == []
    catalogue = {key for key in i18n.WORDS if key.startswith("filesec.")}
    assert catalogue - {m.key for m in made} == set()


def test_the_chinese_words_name_no_english_field():
    """Each Chinese text is Chinese apart from its data, names and the settings' own keys (the
    frames of a file and why, of a setting and why, have only data)."""
    frames = {"filesec.error", "filesec.settings.key_set"}
    for key, (zh, en) in i18n.WORDS.items():
        if key.startswith("filesec.") and key not in frames:
            assert zh != en and any("\u4e00" <= c <= "\u9fff" for c in zh), key
