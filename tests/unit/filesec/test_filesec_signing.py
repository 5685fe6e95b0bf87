"""Detached signatures: every algorithm and digest round-trips; any change to the file or the
signature, another key, another file's signature, an unknown key id is refused with its reason."""
from __future__ import annotations

import base64
import os
import shutil
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils

from filesec import (
    BadSignature,
    Digest,
    FileSecurityError,
    KeyFileError,
    KeySet,
    MalformedSignature,
    PolicyViolation,
    Signature,
    SignatureAlgorithm,
    UnknownKey,
    generate_keys,
    sign_file,
    verify_file,
    write_signature,
)

WHEN = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def payload(tmp_path):
    path = tmp_path / "DF_CCB01_20261102_B1.txt"
    path.write_bytes(os.urandom(200_003))
    return path


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


@pytest.mark.parametrize("digest", list(Digest))
def test_every_algorithm_and_digest_round_trips(party, payload, digest):
    sig_path = write_signature(payload, None, party.sign, digest=digest, now=WHEN)
    assert sig_path.name == payload.name + ".sig"
    sig = verify_file(payload, sig_path, party.verify, digests=[digest])
    algorithm = SignatureAlgorithm.ED25519 if party.files.sign.parent.name.startswith("modern") \
        else SignatureAlgorithm.RSA_PSS_SHA256
    assert (sig.algorithm, sig.digest, sig.key_id, sig.name, sig.size) == (
        algorithm, digest, party.sign.current_id, payload.name, payload.stat().st_size)
    h = digest.new()
    h.update(payload.read_bytes())
    assert sig.hash == h.finalize()
    assert sig.signed_at == "2026-11-02T08:00:00Z"


def test_the_signature_file_is_the_documented_text(modern, payload):
    text = sign_file(payload, modern.sign, digest="sm3", now=WHEN).to_bytes().decode()
    lines = text.split("\n")
    assert lines[:8] == ["ykt-filesig/1", "algorithm: ed25519", "key-id: m1", "digest: sm3",
                         f"name: {payload.name}", f"size: {payload.stat().st_size}", lines[6], "signed-at: 2026-11-02T08:00:00Z"]
    assert lines[6].startswith("hash: ") and len(lines[6]) == 6 + 64
    assert lines[8] == "" and len(base64.b64decode(lines[9])) == 64 and lines[10:] == [""]
    # The statement is what Ed25519 signed: anyone can check it with the public key alone.
    statement = "\n".join(lines[:8]).encode() + b"\n"
    modern.verify.get("m1", "x").verify(base64.b64decode(lines[9]), statement)


def test_rsa_pss_is_the_standard_signature_over_the_statement(rsa_party, payload):
    """Prehashed SHA-256 of the statement, i.e. what `openssl dgst -sha256 -sigopt
    rsa_padding_mode:pss` computes over the statement's bytes."""
    sig = sign_file(payload, rsa_party.sign, now=WHEN)
    key = rsa_party.verify.get("r1", "x")
    key.verify(sig.value, sig.statement, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO), hashes.SHA256())
    h = hashes.Hash(hashes.SHA256())
    h.update(sig.statement)
    key.verify(sig.value, h.finalize(), padding.PSS(padding.MGF1(hashes.SHA256()), 32), utils.Prehashed(hashes.SHA256()))


def test_one_changed_byte_of_the_file_is_refused(party, payload):
    sig_path = write_signature(payload, None, party.sign)
    data = payload.read_bytes()
    for at in (0, len(data) // 2, len(data) - 1):
        payload.write_bytes(_flip(data, at))
        with pytest.raises(BadSignature, match="digest differs from the signed one") as caught:
            verify_file(payload, sig_path, party.verify)
        assert caught.value.file == payload.name
    payload.write_bytes(data[:-1])
    with pytest.raises(BadSignature, match="cut short"):
        verify_file(payload, sig_path, party.verify)
    payload.write_bytes(data + b"\n")
    with pytest.raises(BadSignature, match="altered or cut short"):
        verify_file(payload, sig_path, party.verify)


def test_one_changed_byte_of_the_signature_file_is_refused(party, payload):
    good = sign_file(payload, party.sign).to_bytes()
    end = good.index(b"\n\n")
    refused = 0
    for at in range(len(good)):
        bad = _flip(good, at)
        with pytest.raises((BadSignature, UnknownKey)):
            verify_file(payload, bad, party.verify)
        refused += 1
    assert refused == len(good)
    # in the statement's fields: the signature no longer covers it
    value_at = good.index(b"name: ") + len(b"name: ")
    with pytest.raises(BadSignature, match="does not verify"):
        verify_file(payload, _flip(good, value_at), party.verify, check_name=False)
    # in the signature itself
    with pytest.raises(BadSignature):
        verify_file(payload, good[:end + 2] + base64.b64encode(_flip(base64.b64decode(good[end + 2:]), 5)),
                    party.verify)


def test_a_signature_of_another_file_or_under_another_name_is_refused(modern, payload, tmp_path):
    other = tmp_path / "other.txt"
    other.write_bytes(b"another payment file")
    sig = write_signature(other, None, modern.sign)
    with pytest.raises(BadSignature, match="is for a file named 'other.txt'"):
        verify_file(payload, sig, modern.verify)
    renamed = tmp_path / "renamed.txt"
    shutil.copy(other, renamed)
    with pytest.raises(BadSignature, match="is for a file named 'other.txt', not 'renamed.txt'"):
        verify_file(renamed, sig, modern.verify)
    assert verify_file(renamed, sig, modern.verify, name="other.txt").name == "other.txt"


def test_a_signature_by_another_key_with_the_same_id_is_refused(payload, tmp_path, modern):
    impostor = generate_keys(tmp_path / "impostor", "m1")  # same id, different key
    sig = sign_file(payload, KeySet.load(impostor.sign, private=True)).to_bytes()
    with pytest.raises(BadSignature, match="does not verify"):
        verify_file(payload, sig, modern.verify)


def test_an_unknown_key_id_is_a_clear_error(modern, rsa_party, payload):
    sig = sign_file(payload, rsa_party.sign).to_bytes()
    with pytest.raises(UnknownKey) as caught:
        verify_file(payload, sig, modern.verify)
    assert caught.value.key_id == "r1"
    assert f"{payload.name}: made with key id 'r1', which is not among the keys of" in str(caught.value)
    assert "(m1)" in str(caught.value)


def test_an_algorithm_that_does_not_fit_the_key_is_refused(payload, tmp_path, modern):
    """A signature claiming RSA-PSS checked with an Ed25519 key of the same id: refused before use."""
    rsa_keys = generate_keys(tmp_path / "r", "m1", signing="rsa-pss-sha256", wrap="rsa-oaep-sha256", rsa_bits=2048)
    sig = sign_file(payload, KeySet.load(rsa_keys.sign, private=True)).to_bytes()
    with pytest.raises(BadSignature, match="claims rsa-pss-sha256 but key 'm1' is a ed25519 key"):
        verify_file(payload, sig, modern.verify)


def test_a_digest_other_than_the_profiles_is_a_policy_violation(modern, payload):
    sig = sign_file(payload, modern.sign, digest="sha256").to_bytes()
    with pytest.raises(PolicyViolation, match="signed over a sha256 digest; the profile demands sm3"):
        verify_file(payload, sig, modern.verify, digests=["sm3"])


def test_rotation_old_signatures_verify_while_the_old_key_is_kept(tmp_path, payload):
    folder = tmp_path / "keys"
    generate_keys(folder, "k2025")
    old_sig = sign_file(payload, KeySet.load(folder / "sign.keys.json", private=True)).to_bytes()
    files = generate_keys(folder, "k2026")  # rotate: new current key, the old one stays
    signer = KeySet.load(files.sign, private=True)
    assert (signer.current_id, signer.key_ids) == ("k2026", ("k2025", "k2026"))
    new_sig = sign_file(payload, signer).to_bytes()
    verifier = KeySet.load(files.verify, private=False)
    assert verify_file(payload, old_sig, verifier).key_id == "k2025"
    assert verify_file(payload, new_sig, verifier).key_id == "k2026"
    # once the old key is retired, its signatures name a key nobody holds
    retired = KeySet({"k2026": verifier.get("k2026", "x")}, private=False, source="retired")
    with pytest.raises(UnknownKey):
        verify_file(payload, old_sig, retired)


@pytest.mark.parametrize("mangle, why", [
    (lambda d: b"", "no blank line"),
    (lambda d: d.replace(b"ykt-filesig/1", b"ykt-filesig/2"), "first line must be 'ykt-filesig/1'"),
    (lambda d: d.replace(b"algorithm: ed25519", b"algorithm: sm2"), "unknown algorithm 'sm2'"),
    (lambda d: d.replace(b"digest: sha256", b"digest: md5"), "unknown digest 'md5'"),
    (lambda d: d.replace(b"key-id: m1", b"key-id: m 1"), "key id is not"),
    (lambda d: d.replace(b"size: ", b"size: -"), "size is not"),
    (lambda d: d.replace(b"name: ", b"name: ../"), "name is empty or holds '/'"),
    (lambda d: d.replace(b"signed-at: ", b"signed-at: 2"), "signed-at is not"),
    (lambda d: d.replace(b"\ndigest: sha256", b""), "expected the lines"),
    (lambda d: d.replace(b"key-id", b"keyid"), "expected line 'key-id: ...'"),
    (lambda d: d[:d.index(b"\n\n") + 2] + b"***", "not base64"),
    (lambda d: d[:d.index(b"\n\n") + 2], "signature is empty"),
    (lambda d: d + b"x" * 20000, "more than a signature file ever holds"),
    (lambda d: d.replace(b"name: ", b"name: \xff"), "not UTF-8"),
])
def test_a_malformed_signature_file_says_what_is_wrong(modern, payload, mangle, why):
    good = sign_file(payload, modern.sign).to_bytes()
    with pytest.raises(MalformedSignature, match=why):
        verify_file(payload, mangle(good), modern.verify)


def test_a_missing_signature_file_is_malformed_not_a_crash(modern, payload, tmp_path):
    with pytest.raises(MalformedSignature, match="missing"):
        verify_file(payload, tmp_path / "nope.sig", modern.verify)


def test_the_profiles_algorithm_must_be_the_current_keys(modern, payload):
    with pytest.raises(KeyFileError, match="makes ed25519 signatures, not the rsa-pss-sha256 demanded"):
        sign_file(payload, modern.sign, algorithm="rsa-pss-sha256")
    with pytest.raises(KeyFileError, match="cannot sign"):
        sign_file(payload, modern.decrypt)  # an X25519 key


def test_messages_never_carry_key_material(party, payload, tmp_path):
    secrets = []
    for key in (party.sign.current, party.decrypt.current):
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        secrets.append("".join(pem.splitlines()[1:-1])[10:40])
    messages = []
    good = sign_file(payload, party.sign).to_bytes()
    for bad in (_flip(good, 40), _flip(good, len(good) - 10), b"junk"):
        try:
            verify_file(payload, bad, party.verify)
        except FileSecurityError as exc:
            messages.append(str(exc))
    assert len(messages) == 3
    for message in messages:
        assert not any(s in message for s in secrets)
        assert base64.b64encode(Signature.parse(good).value).decode()[:20] not in message
