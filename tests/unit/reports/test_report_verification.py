"""Verifying a copy of an issued report: an untouched copy verifies; a changed byte of the
content or of the signature, another key, or a key swapped into the file does not, and the
verdict says which check failed."""
from __future__ import annotations

import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reports.documents import canonical, for_party, issue
from reports.exports import jsonfile
from reports.signing import Signer
from reports.verification import verify

CONTENT = {"report": "refund of surplus 结余资金退回", "batch": {"id": "B1", "program": "耕地地力保护补贴"},
           "funded_fen": 1234567, "refunded_fen": 23456, "lines": [{"seq": 7, "name": "张*", "amount_fen": 23456}]}


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(Ed25519PrivateKey.generate())


@pytest.fixture(scope="module")
def doc(signer):
    return issue("refund", CONTENT, signer)


def _export(doc) -> bytes:
    out = io.BytesIO()
    jsonfile.write(doc, out)
    return out.getvalue()


def test_an_untouched_export_verifies_every_copy(doc, signer):
    verdict = verify(_export(doc), signer.public_key_pem())
    assert verdict.valid, verdict.lines()
    assert [c.party for c in verdict.copies] == ["FINANCE", "DEPARTMENT", "BANK"]
    assert verdict.computed_sha256 == doc.digest
    assert verdict.lines() == ["FINANCE: ok", "DEPARTMENT: ok", "BANK: ok"]


def test_one_changed_byte_of_the_content_fails_the_digest_of_every_copy(doc, signer):
    data = _export(doc)
    assert data.count(b'"funded_fen": 1234567') == 1
    tampered = data.replace(b'"funded_fen": 1234567', b'"funded_fen": 1234568')
    verdict = verify(tampered, signer.public_key_pem())
    assert not verdict.valid
    assert verdict.computed_sha256 != doc.digest
    assert verdict.problems == (f"the file's content_sha256 {doc.digest} is not the content's SHA-256 "
                                f"{verdict.computed_sha256}: the content was altered after it was issued",)
    for copy in verdict.copies:  # the signature still matches the digest: only the digest check fails
        assert copy.problems == (f"the content's SHA-256 is {verdict.computed_sha256}, the copy says {doc.digest}: "
                                 "the content is not what this copy was issued with",)


def test_one_changed_byte_of_a_signature_fails_that_copy_only(doc, signer):
    parsed = json.loads(_export(doc))
    sig = parsed["copies"][2]["signature"]
    parsed["copies"][2]["signature"] = ("B" if sig[10] != "B" else "C").join([sig[:10], sig[11:]])
    verdict = verify(json.dumps(parsed, ensure_ascii=False).encode(), signer.public_key_pem())
    assert not verdict.valid and not verdict.problems
    assert [c.valid for c in verdict.copies] == [True, True, False]
    assert verdict.copies[2].problems == (
        f"the signature does not verify over the digest {doc.digest} with this public key: the signature or the "
        "digest was altered, or another key signed it",)


@pytest.mark.parametrize(("signature", "problem"), [
    ("not base64!", "the signature is not valid base64"),
    ("AAAA", "the signature has 3 bytes; an Ed25519 signature has 64"),
])
def test_a_malformed_signature_is_named_as_such(doc, signer, signature, problem):
    verdict = verify(doc.canonical, signer.public_key_pem(), "BANK", doc.digest, signature)
    assert verdict.copies[0].problems == (problem,)


def test_the_key_inside_the_file_is_not_trusted(doc, signer):
    """Someone re-signs altered content with their own key and puts that key in the file."""
    forged_content = dict(CONTENT, refunded_fen=1)
    forger = Signer(Ed25519PrivateKey.generate())
    forged = _export(issue("refund", forged_content, forger))
    assert verify(forged, forger.public_key_pem()).valid  # consistent in itself...
    verdict = verify(forged, signer.public_key_pem())  # ...but not the service's
    assert not verdict.valid
    assert all("does not verify" in c.problems[0] for c in verdict.copies)


def test_bare_content_with_the_copy_digest_and_signature(doc, signer):
    bank = next(c for c in doc.copies if c.party == "BANK")
    assert verify(doc.canonical, signer.public_key_pem(), "BANK", bank.digest, bank.signature).valid
    changed = doc.canonical.replace(b"23456", b"23457", 1)
    verdict = verify(changed, signer.public_key_pem(), "BANK", bank.digest, bank.signature)
    assert not verdict.valid
    assert verdict.copies[0].problems[0].startswith("the content's SHA-256 is ")
    assert verify(doc.canonical, signer.public_key_pem(), "BANK").problems == (
        "bare report content needs the copy's digest, signature",)
    assert verify(doc.canonical, signer.public_key_pem(), "TREASURY", bank.digest, bank.signature).copies[0].problems \
        == ("unknown party 'TREASURY' (the copies are FINANCE, DEPARTMENT, BANK)",)


@pytest.mark.parametrize(("data", "problem"), [
    (b"\xff\xfe{}", "the content is not UTF-8 text (byte 0)"),
    (b'{"report": ', "the content is not JSON (Expecting value at line 1 column 12)"),
    (b"[1, 2]", "the content is not a JSON object"),
])
def test_unreadable_input_says_why(signer, data, problem):
    verdict = verify(data, signer.public_key_pem(), "BANK", "0" * 64, "AAAA")
    assert not verdict.valid and verdict.problems[0].startswith(problem)


def test_one_party_copy_and_a_party_the_file_does_not_hold(doc, signer):
    bank_only = _export(for_party(doc, "BANK"))
    assert [c.party for c in verify(bank_only, signer.public_key_pem()).copies] == ["BANK"]
    verdict = verify(bank_only, signer.public_key_pem(), party="FINANCE")
    assert verdict.problems == ("the file holds no copy for party 'FINANCE' (it holds BANK)",)


def test_indentation_and_key_order_of_the_export_do_not_matter(doc, signer):
    parsed = json.loads(_export(doc))
    reordered = json.dumps(dict(reversed(list(parsed.items()))), ensure_ascii=False, separators=(",", ":")).encode()
    assert verify(reordered, signer.public_key_pem()).valid
    assert canonical(jsonfile.read(parsed).content) == doc.canonical
