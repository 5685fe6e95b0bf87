"""Issued reports: canonical content, its digest, and the three signed copies (三联单).

Content is a JSON-able dict of ints and strings (money in fen). Its canonical form is JSON with
sorted keys and no insignificant whitespace; the SHA-256 of that form is the content digest.
Every copy carries the same digest and a signature over it, so the finance bureau, the
department and the bank can each prove their copy matches the other two.

The digest covers the content only. When a copy was issued (``issued_at``, Beijing time) is
printed on it but is not part of the content: two parties fetching the same closed batch hold
copies with the same digest. The content says instead what it is as of (``as_of``): the close
of a closed batch, fixed then; for a batch still open the Beijing day by which deadlines were
judged.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from reports.signing import Signer

PARTIES = (
    ("FINANCE", "第一联 财政部门 / copy 1 of 3: finance bureau"),
    ("DEPARTMENT", "第二联 业务主管部门 / copy 2 of 3: competent department"),
    ("BANK", "第三联 代发金融机构 / copy 3 of 3: agency bank"),
)


@dataclass(frozen=True, slots=True)
class Copy:
    party: str
    label: str
    digest: str
    signature: str


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # "reconciliation" or "refund"
    content: dict[str, Any]
    canonical: bytes
    digest: str
    copies: tuple[Copy, ...]
    public_key_pem: str
    issued_at: str = ""  # Beijing time, ISO 8601: printed on the copies, outside the signed content


PARTY_NAMES = tuple(party for party, _ in PARTIES)


def for_party(doc: Document, party: str) -> Document:
    """The document as one party receives it: its own copy only (exports then carry one copy)."""
    copies = tuple(c for c in doc.copies if c.party == party)
    if not copies:
        raise ValueError(f"no copy for party {party!r}; the copies are {', '.join(c.party for c in doc.copies)}")
    return replace(doc, copies=copies)


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def issue(kind: str, content: dict[str, Any], signer: Signer, issued_at: str = "") -> Document:
    """Sign ``content``; ``issued_at`` is kept with the document, outside what is signed."""
    body = canonical(content)
    digest = hashlib.sha256(body).hexdigest()
    signature = signer.sign(digest)
    copies = tuple(Copy(party, label, digest, signature) for party, label in PARTIES)
    return Document(kind, content, body, digest, copies, signer.public_key_pem(), issued_at)


def digest_matches(canonical_json: bytes, digest: str) -> bool:
    return hashlib.sha256(canonical_json).hexdigest() == digest
