"""Key sets: generated files and their modes, rotation, PEM texts or files, and clear refusals
of unsafe or unusable key files — with messages that never carry key material."""
from __future__ import annotations

import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from filesec import KeyFileError, KeySet, PartyKeys, UnknownKey, add_key, generate_keys, key_kind

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _pub(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _write(path, doc, mode=0o600):
    path.write_text(json.dumps(doc))
    os.chmod(path, mode)
    return path


def test_generate_writes_private_keys_owner_only_and_public_halves_for_the_other_party(tmp_path):
    old = os.umask(0)
    try:
        files = generate_keys(tmp_path / "ours", "ykt-2026")
    finally:
        os.umask(old)
    assert files == PartyKeys.in_folder(tmp_path / "ours")
    assert _mode(tmp_path / "ours") == 0o700
    for private in (files.sign, files.decrypt, tmp_path / "ours" / "ykt-2026.sign.pem",
                    tmp_path / "ours" / "ykt-2026.decrypt.pem"):
        assert _mode(private) == 0o600, private
    sign, decrypt = KeySet.load(files.sign, private=True), KeySet.load(files.decrypt, private=True)
    verify, encrypt = KeySet.load(files.verify, private=False), KeySet.load(files.encrypt, private=False)
    assert [key_kind(s.current) for s in (sign, verify, decrypt, encrypt)] == ["ed25519", "ed25519", "x25519", "x25519"]
    assert {s.current_id for s in (sign, verify, decrypt, encrypt)} == {"ykt-2026"}
    assert sign.public().current.public_bytes_raw() == verify.current.public_bytes_raw()
    assert json.loads(files.sign.read_text()) == {"current": "ykt-2026", "keys": {"ykt-2026": "ykt-2026.sign.pem"}}
    assert not list((tmp_path / "ours").glob(".*"))  # no temporary files left


def test_generate_rsa_keys_of_the_size_asked(tmp_path):
    files = generate_keys(tmp_path, "b1", signing="rsa-pss-sha256", wrap="rsa-oaep-sha256", rsa_bits=2048)
    assert KeySet.load(files.sign, private=True).current.key_size == 2048
    assert key_kind(KeySet.load(files.encrypt, private=False).current) == "rsa"


def test_rotation_adds_a_current_key_and_keeps_the_old_ones(tmp_path):
    generate_keys(tmp_path, "k1")
    files = generate_keys(tmp_path, "k2")
    for path, private in ((files.sign, True), (files.verify, False), (files.decrypt, True), (files.encrypt, False)):
        keys = KeySet.load(path, private=private)
        assert (keys.current_id, keys.key_ids) == ("k2", ("k1", "k2"))
    staged = generate_keys(tmp_path, "k3", make_current=False)  # published ahead of its use
    assert KeySet.load(staged.sign, private=True).current_id == "k2"
    with pytest.raises(KeyFileError, match="already exists"):
        generate_keys(tmp_path, "k2")


def test_a_key_id_used_before_is_refused(tmp_path):
    files = generate_keys(tmp_path, "k1")
    (tmp_path / "k1b.pem").write_text(_pem(ed25519.Ed25519PrivateKey.generate()))
    os.chmod(tmp_path / "k1b.pem", 0o600)
    with pytest.raises(KeyFileError, match="'k1' is already in the set; rotation needs a new id"):
        add_key(files.sign, "k1", "k1b.pem", private=True)


def test_add_key_checks_the_new_key_and_leaves_the_set_as_it_was_if_bad(tmp_path):
    files = generate_keys(tmp_path, "k1")
    before = files.sign.read_bytes()
    (tmp_path / "open.pem").write_text(_pem(ed25519.Ed25519PrivateKey.generate()))
    os.chmod(tmp_path / "open.pem", 0o644)
    with pytest.raises(KeyFileError, match="open to group or others"):
        add_key(files.sign, "k2", "open.pem", private=True)
    assert files.sign.read_bytes() == before


def test_keys_may_be_pem_texts_or_files_and_ids_pick_them(tmp_path):
    a, b = ed25519.Ed25519PrivateKey.generate(), rsa.generate_private_key(65537, 2048)
    (tmp_path / "b.pub.pem").write_text(_pub(b))
    path = _write(tmp_path / "verify.json", {"keys": {"a": _pub(a), "b": "b.pub.pem"}}, 0o644)
    keys = KeySet.load(path, private=False)
    assert keys.kinds() == {"ed25519", "rsa"}
    assert keys.get("b", "F").key_size == 2048
    with pytest.raises(UnknownKey) as caught:
        keys.get("c", "F.txt")
    assert str(caught.value) == (f"F.txt: made with key id 'c', which is not among the keys of {path} (a, b)")
    with pytest.raises(KeyFileError, match="names no current one"):
        keys.current_id  # noqa: B018
    assert "PRIVATE" not in repr(keys) and "'a', 'b'" in repr(keys)


@pytest.mark.parametrize("doc, mode, private, why", [
    ("{", 0o600, True, "not valid JSON"),
    ([], 0o600, True, "must be a JSON object"),
    ({"keys": {}}, 0o600, True, "at least one"),
    ({"keys": {"a": "x.pem"}, "index_key": "x"}, 0o600, True, "unknown entries"),
    ({"keys": {"a": "missing.pem"}}, 0o600, True, "not found"),
    ({"keys": {"a b": "PRIV"}}, 0o600, True, "key id 'a b' is not"),
    ({"current": "z", "keys": {"a": "PRIV"}}, 0o600, True, "current key id 'z' is not among"),
    ({"keys": {"a": "PRIV"}}, 0o640, True, "open to group or others \\(mode 0640\\)"),
    ({"keys": {"a": "PRIV"}}, 0o644, False, "private key in a public key set"),
    ({"keys": {"a": "PUB"}}, 0o600, True, "not a private key"),
    ({"keys": {"a": "EC"}}, 0o600, True, "expected a private Ed25519, RSA or X25519 key"),
    ({"keys": {"a": "RSA1024"}}, 0o600, True, "RSA with 1024 bits; at least 2048"),
    ({"keys": {"a": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}}, 0o600, True,
     "not a readable PEM private key"),
    ({"keys": {"a": 5}}, 0o600, True, "expected a PEM text or the name of a PEM file"),
])
def test_an_unusable_key_set_is_refused_with_the_reason(tmp_path, doc, mode, private, why):
    key = ed25519.Ed25519PrivateKey.generate()
    subs = {"PRIV": _pem(key), "PUB": _pub(key), "EC": _pem(ec.generate_private_key(ec.SECP256R1())),
            "RSA1024": _pem(rsa.generate_private_key(65537, 1024))}
    text = doc if isinstance(doc, str) else json.dumps(doc)
    for k, v in subs.items():
        text = text.replace(f'"{k}"', json.dumps(v))
    path = tmp_path / "set.json"
    path.write_text(text)
    os.chmod(path, mode)
    with pytest.raises(KeyFileError, match=why) as caught:
        KeySet.load(path, private=private)
    secret = "".join(subs["PRIV"].splitlines()[1:-1])
    assert secret[:20] not in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_referenced_private_pem_must_be_owner_only_too(tmp_path):
    (tmp_path / "k.pem").write_text(_pem(ed25519.Ed25519PrivateKey.generate()))
    os.chmod(tmp_path / "k.pem", 0o644)
    path = _write(tmp_path / "sign.json", {"keys": {"k": "k.pem"}})
    with pytest.raises(KeyFileError, match=r"k\.pem: is read for private keys but is open to group or others"):
        KeySet.load(path, private=True)


def test_a_password_protected_key_is_refused_with_the_reason(tmp_path):
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw")).decode()
    path = _write(tmp_path / "sign.json", {"keys": {"k": pem}})
    with pytest.raises(KeyFileError, match="protected by a password"):
        KeySet.load(path, private=True)


def test_a_directory_or_missing_file_is_not_a_key_set(tmp_path):
    with pytest.raises(KeyFileError, match="not a regular file"):
        KeySet.load(tmp_path, private=False)
    with pytest.raises(KeyFileError, match="key set not found"):
        KeySet.load(tmp_path / "nope.json", private=False)


def test_the_command_line_generates_rotates_and_shows(tmp_path, capsys):
    from filesec.__main__ import main

    assert main(["generate", str(tmp_path / "bank"), "b1"]) == 0
    assert main(["generate", str(tmp_path / "bank"), "b2", "--not-current"]) == 0
    capsys.readouterr()
    assert main(["show", str(tmp_path / "bank" / "sign.keys.json"), "--private"]) == 0
    assert capsys.readouterr().out == "b1\ted25519 (current)\nb2\ted25519\n"
    assert main(["show", str(tmp_path / "bank" / "encrypt.keys.json")]) == 0
    assert "BEGIN" not in capsys.readouterr().out
    assert main(["generate", str(tmp_path / "bank"), "b1"]) == 1
    assert "already exists" in capsys.readouterr().err
