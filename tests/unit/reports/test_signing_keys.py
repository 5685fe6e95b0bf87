"""The report-signing key set (issue 17, item 5): several Ed25519 keys by id, one current, in a
0600 file beside the personal-data keys; each signature names its key; a rotation keeps the old
keys so copies signed before it still verify; a report-signing.pem of the earlier kind becomes
key s1, and its signatures (which carry no key id) still verify."""
from __future__ import annotations

import io
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reports.documents import issue
from reports.exports import jsonfile
from reports.signing import (
    LEGACY_FILE_NAME,
    PUBLIC_KIND,
    Signer,
    SigningKeyError,
    SigningKeys,
    _create_exclusive,
    public_keys_from_text,
    rotate_file,
    signature_problem,
)
from reports.verification import verify

CONTENT = {"report": "refund of surplus 结余资金退回", "batch": {"id": "B1"}, "funded_fen": 100, "lines": []}


def _export(doc) -> bytes:
    out = io.BytesIO()
    jsonfile.write(doc, out)
    return out.getvalue()


def test_the_first_use_makes_a_private_set_whose_signatures_name_the_key(tmp_path):
    path = tmp_path / "keys" / "report-signing-keys.json"
    keys = SigningKeys.load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert keys.current_id == "s1" and keys.key_ids == ("s1",)
    doc = issue("refund", CONTENT, keys.signer())
    assert all(c.signature.startswith("s1:") for c in doc.copies)
    assert verify(_export(doc), keys.public_keys()).valid
    again = SigningKeys.load_or_create(path)  # the same keys, not new ones
    assert again.public_keys() == keys.public_keys()


def test_old_copies_verify_after_a_rotation_and_new_ones_name_the_new_key(tmp_path):
    path = tmp_path / "report-signing-keys.json"
    before = SigningKeys.load_or_create(path)
    old_copy = _export(issue("refund", CONTENT, before.signer()))
    after = rotate_file(path)
    assert after.current_id == "s2" and after.key_ids == ("s1", "s2")
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = SigningKeys.load(path)
    assert loaded.current_id == "s2"
    verdict = verify(old_copy, loaded.public_keys())
    assert verdict.valid, verdict.lines()
    new_doc = issue("refund", CONTENT, loaded.signer())
    assert {c.signature.split(":")[0] for c in new_doc.copies} == {"s2"}
    assert verify(_export(new_doc), loaded.public_keys()).valid
    # a verifier holding only the keys from before the rotation is told which key it lacks
    stale = verify(_export(new_doc), before.public_keys())
    assert not stale.valid
    assert stale.copies[0].problems == ("the signature was made with key 's2', which is not among the public keys "
                                        "(s1): get the service's current public key set (ykt keys public)",)


def test_a_signature_relabelled_with_another_key_id_does_not_verify(tmp_path):
    keys = SigningKeys.generate().rotated()
    doc = issue("refund", CONTENT, keys.signer())
    sig = doc.copies[0].signature
    assert sig.startswith("s2:")
    problem = signature_problem(keys.public_keys(), doc.digest, "s1:" + sig[3:])
    assert problem is not None and "(key s1) does not verify" in problem
    assert signature_problem(keys.public_keys(), doc.digest, sig) is None
    assert "key id" in signature_problem(keys.public_keys(), doc.digest, "s 1:" + sig[3:])


def test_a_report_signing_pem_of_the_earlier_kind_becomes_key_s1(tmp_path):
    legacy_key = Ed25519PrivateKey.generate()
    (tmp_path / LEGACY_FILE_NAME).write_bytes(legacy_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    old_copy = _export(issue("refund", CONTENT, Signer(legacy_key)))  # as issued before: no key id
    assert json.loads(old_copy)["copies"][0]["signature"].count(":") == 0
    keys = SigningKeys.load_or_create(tmp_path / "report-signing-keys.json")
    assert keys.key_ids == ("s1",)
    assert keys.signer().public_key_pem() == Signer(legacy_key).public_key_pem()
    assert verify(old_copy, keys.public_keys()).valid
    rotated = rotate_file(tmp_path / "report-signing-keys.json")
    assert verify(old_copy, rotated.public_keys()).valid  # an id-less signature is s1's, after rotations too
    # and a foreign key's id-less signature does not pass as s1's
    forged = _export(issue("refund", CONTENT, Signer(Ed25519PrivateKey.generate())))
    assert not verify(forged, rotated.public_keys()).valid


def test_a_set_open_to_others_is_refused(tmp_path):
    path = tmp_path / "report-signing-keys.json"
    SigningKeys.load_or_create(path)
    path.chmod(0o640)
    with pytest.raises(SigningKeyError, match="open to group or others .*chmod 600"):
        SigningKeys.load(path)


def test_a_malformed_set_is_refused(tmp_path):
    path = tmp_path / "report-signing-keys.json"
    path.write_text('{"current": "s2", "keys": {"s1": "AAAA"}}', encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(SigningKeyError, match="not base64 of a 32-byte Ed25519 key"):
        SigningKeys.load(path)
    good = SigningKeys.generate().to_document()
    path.write_text(json.dumps({**good, "current": "s9"}), encoding="utf-8")
    with pytest.raises(SigningKeyError, match="current key id 's9' is not among"):
        SigningKeys.load(path)


def test_the_first_set_written_stands_when_instances_race(tmp_path):
    path = tmp_path / "report-signing-keys.json"
    first, second = SigningKeys.generate(), SigningKeys.generate()
    _create_exclusive(path, first.to_bytes())
    _create_exclusive(path, second.to_bytes())
    assert SigningKeys.load(path).public_keys() == first.public_keys()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_the_public_key_set_holds_no_secret_and_reads_back(tmp_path):
    keys = SigningKeys.generate().rotated()
    doc = keys.public_document()
    assert doc["kind"] == PUBLIC_KIND and doc["current"] == "s2" and set(doc["keys"]) == {"s1", "s2"}
    text = json.dumps(doc)
    assert "PRIVATE" not in text
    private = keys.to_document()["keys"]
    assert not any(v in text for v in private.values())
    assert public_keys_from_text(text) == keys.public_keys()
    pem = keys.public_keys()["s1"]
    assert public_keys_from_text(pem) == pem  # one PEM, as before
    with pytest.raises(SigningKeyError):
        public_keys_from_text('{"keys": {}}')
