"""Keyrings: key files (mode 0600, JSON and TOML), the environment, rotation, and clear errors."""
from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from privacy import (
    ENV_KEY_FILE,
    ENV_KEYS,
    KeyFilePermissionError,
    Keyring,
    KeyringError,
    KeyringNotConfigured,
    PrivacyError,
    UnknownKeyIdError,
    rotate_key_file,
)
from privacy.__main__ import main as cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _b64(n: int, fill: int) -> str:
    return base64.b64encode(bytes([fill]) * n).decode()


def _doc(**changes) -> dict:
    doc = {"current": "k1", "keys": {"k1": _b64(32, 1)}, "index_key": _b64(32, 2)}
    doc.update(changes)
    return doc


def _secrets_of(keyring: Keyring) -> list[str]:
    doc = keyring.to_document()
    return [*doc["keys"].values(), doc["index_key"]]


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("name", ["keys.json", "keys.toml"])
def test_generate_writes_an_owner_only_file_that_loads_back(tmp_path, name) -> None:
    path = tmp_path / name
    made = Keyring.generate(path)
    assert _mode(path) == 0o600
    loaded = Keyring.load(path)
    assert loaded == made
    assert loaded.current_id == "k1" and loaded.key_ids == ("k1",)
    assert len(loaded.current_key) == 32 and len(loaded.index_key) == 32
    assert loaded.index_key != loaded.current_key
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, renamed


def test_generate_ignores_a_permissive_umask(tmp_path) -> None:
    old = os.umask(0)
    try:
        Keyring.generate(tmp_path / "k.json")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "k.json") == 0o600


def test_generate_refuses_to_replace_a_key_file(tmp_path) -> None:
    path = tmp_path / "k.json"
    first = Keyring.generate(path)
    with pytest.raises(KeyringError, match="already exists"):
        Keyring.generate(path)
    assert Keyring.load(path) == first
    assert Keyring.generate(path, overwrite=True) != first


def test_generated_keyrings_differ() -> None:
    a, b = Keyring.generate(), Keyring.generate()
    assert a.current_key != b.current_key and a.index_key != b.index_key


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o602, 0o620, 0o610, 0o601])
def test_a_key_file_open_to_group_or_others_is_refused(tmp_path, mode) -> None:
    path = tmp_path / "k.json"
    keyring = Keyring.generate(path)
    os.chmod(path, mode)
    with pytest.raises(KeyFilePermissionError) as caught:
        Keyring.load(path)
    message = str(caught.value)
    assert str(path) in message and f"{mode:04o}" in message and "chmod 600" in message
    assert not any(secret in message for secret in _secrets_of(keyring))


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_owner_only_modes_are_accepted(tmp_path, mode) -> None:
    path = tmp_path / "k.json"
    Keyring.generate(path)
    os.chmod(path, mode)
    assert Keyring.load(path).current_id == "k1"


def test_a_directory_or_a_missing_file_is_refused(tmp_path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    with pytest.raises(KeyFilePermissionError, match="not a regular file"):
        Keyring.load(folder)
    with pytest.raises(KeyringError, match="not found"):
        Keyring.load(tmp_path / "absent.json")


def test_a_symlink_to_a_private_key_file_is_followed(tmp_path) -> None:
    target = tmp_path / "real.json"
    Keyring.generate(target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert Keyring.load(link) == Keyring.load(target)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (_doc(current="k9"), "current key id 'k9' is not among the keys"),
        (_doc(keys={"k1": _b64(16, 1)}), "'k1' must be 32 bytes .* is 16 bytes"),
        (_doc(keys={"k1": "not base64!"}), "data key 'k1' is not valid base64"),
        (_doc(index_key=_b64(31, 2)), "index key must be 32 bytes"),
        (_doc(index_key=_b64(32, 1)), "index key must differ from every data key"),
        (_doc(keys={}), "'keys' must map key ids"),
        (_doc(keys={"a key with spaces": _b64(32, 1)}, current="a key with spaces"), "is not 1 to 16 characters"),
        (_doc(keys={"k" * 17: _b64(32, 1)}, current="k" * 17), "is not 1 to 16 characters"),
        ({"current": "k1", "keys": {"k1": _b64(32, 1)}}, r"missing \['index_key'\]"),
        (_doc(indexkey=_b64(32, 3)), r"unknown entries \['indexkey'\]"),
        (_doc(current=1), "'current' must be a key id"),
        (_doc(index_key=42), "'index_key' must be base64 text"),
        ([1, 2], "must be a table/object"),
    ],
)
def test_bad_documents_are_refused_with_the_reason(doc, expected) -> None:
    text = json.dumps(doc)
    with pytest.raises(KeyringError, match=expected) as caught:
        Keyring.from_document(text, source="test.json", toml=False)
    message = str(caught.value)
    assert message.startswith("test.json: ")
    for secret in (_b64(32, 1), _b64(32, 2), _b64(16, 1), _b64(31, 2)):
        assert secret not in message


@pytest.mark.parametrize("text", ["{not json", "current = ", "= 3"])
def test_unparseable_documents_are_refused_without_quoting_them(text) -> None:
    with pytest.raises(KeyringError, match="not valid (JSON|TOML)"):
        Keyring.from_document(text, source="$X")


def test_toml_documents_are_read() -> None:
    text = f'current = "k2"\nindex_key = "{_b64(32, 3)}"\n[keys]\nk1 = "{_b64(32, 1)}"\nk2 = "{_b64(32, 2)}"\n'
    keyring = Keyring.from_document(text)
    assert keyring.current_id == "k2" and keyring.key_ids == ("k1", "k2")
    assert keyring.data_key("k1") == bytes([1]) * 32


def test_unknown_key_id_error() -> None:
    keyring = Keyring.from_document(_doc(), source="here")
    with pytest.raises(UnknownKeyIdError, match="no data key with id 'k7'") as caught:
        keyring.data_key("k7")
    assert caught.value.key_id == "k7"
    assert isinstance(caught.value, PrivacyError)


def test_repr_shows_ids_only() -> None:
    keyring = Keyring.generate()
    text = repr(keyring)
    assert "k1" in text
    assert not any(secret in text for secret in _secrets_of(keyring))
    assert keyring.current_key.hex() not in text


# -- the environment --------------------------------------------------------------------------


def test_env_document_json_and_toml(tmp_path) -> None:
    keyring = Keyring.generate()
    from_json = Keyring.from_env({ENV_KEYS: json.dumps(keyring.to_document())})
    assert from_json == keyring and from_json.source == "$YKT_PII_KEYS"
    Keyring.generate(tmp_path / "k.toml")
    toml_text = (tmp_path / "k.toml").read_text()
    assert Keyring.from_env({ENV_KEYS: toml_text}) == Keyring.load(tmp_path / "k.toml")


def test_env_key_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "k.json"
    keyring = Keyring.generate(path)
    assert Keyring.from_env({ENV_KEY_FILE: str(path)}) == keyring
    monkeypatch.delenv(ENV_KEYS, raising=False)
    monkeypatch.setenv(ENV_KEY_FILE, str(path))
    assert Keyring.from_env() == keyring  # os.environ by default
    os.chmod(path, 0o644)
    with pytest.raises(KeyFilePermissionError):
        Keyring.from_env()


def test_env_both_or_neither_is_an_error(tmp_path) -> None:
    with pytest.raises(KeyringNotConfigured, match=f"{ENV_KEY_FILE}.*{ENV_KEYS}"):
        Keyring.from_env({})
    with pytest.raises(KeyringError, match="set only one"):
        Keyring.from_env({ENV_KEY_FILE: str(tmp_path / "k.json"), ENV_KEYS: "{}"})


def test_env_bad_document_names_the_variable() -> None:
    with pytest.raises(KeyringError, match=r"^\$YKT_PII_KEYS: missing"):
        Keyring.from_env({ENV_KEYS: "{}"})


# -- rotation ---------------------------------------------------------------------------------


def test_rotated_adds_a_current_key_and_keeps_the_rest() -> None:
    first = Keyring.generate()
    second = first.rotated()
    assert second.current_id == "k2" and second.key_ids == ("k1", "k2")
    assert second.data_key("k1") == first.data_key("k1")
    assert second.current_key != first.current_key
    assert second.index_key == first.index_key  # the index key does not rotate
    assert first.current_id == "k1"  # keyrings are immutable
    third = second.rotated("2027-01")
    assert third.current_id == "2027-01" and third.rotated().current_id == "k3"
    with pytest.raises(KeyringError, match="already in use"):
        third.rotated("k1")


def test_rotate_key_file(tmp_path) -> None:
    path = tmp_path / "k.json"
    first = Keyring.generate(path)
    assert rotate_key_file(path) == "k2"
    assert _mode(path) == 0o600
    loaded = Keyring.load(path)
    assert loaded.key_ids == ("k1", "k2") and loaded.current_id == "k2"
    assert loaded.data_key("k1") == first.current_key and loaded.index_key == first.index_key
    os.chmod(path, 0o644)
    with pytest.raises(KeyFilePermissionError):  # never rewrites a file it would refuse to read
        rotate_key_file(path)


def test_cli_never_prints_key_material(tmp_path, capsys) -> None:
    path = tmp_path / "k.json"
    assert cli(["generate", str(path)]) == 0
    assert cli(["rotate", str(path)]) == 0
    assert cli(["show", str(path)]) == 0
    assert cli(["generate", str(path)]) == 2
    out = capsys.readouterr()
    assert "current key k2; keys k1, k2" in out.out
    assert "already exists" in out.err
    assert not any(secret in out.out + out.err for secret in _secrets_of(Keyring.load(path)))
