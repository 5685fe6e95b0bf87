"""JSON export: the signed content with its copies, readable by people and verifiable offline.

The file holds the content as a JSON object, each copy's party, label, content digest and
signature, and the public key the service named. Verifying it (``ykt report verify FILE
--public-key PEM``, or the VerifyReportCopy RPC) re-derives the canonical form of the content
(:func:`reports.documents.canonical`), hashes it and checks each copy's signature against a key
the verifier trusts — never against the key inside the file, which anyone could replace along
with the signatures. Indentation and key order in the file do not matter; any changed value does.
"""
from __future__ import annotations

import io
import json
from typing import Any, BinaryIO

from reports.documents import Copy, Document, canonical

SUFFIX = "json"
FORMAT = "ykt-report/1"
SIGNATURE_NOTE = "Ed25519 over the ASCII hex content_sha256, base64"


class NotAnExport(ValueError):
    """The bytes are not a JSON export of a report; the message says what is missing."""


def as_dict(doc: Document) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": doc.kind,
        "content": doc.content,
        "content_sha256": doc.digest,
        "copies": [{"party": c.party, "label": c.label, "content_sha256": c.digest, "signature": c.signature}
                   for c in doc.copies],
        "signature": SIGNATURE_NOTE,
        "public_key_pem": doc.public_key_pem,
        "issued_at": doc.issued_at,  # when this copy was issued (Beijing time): outside the signed content
    }


def write(doc: Document, out: BinaryIO) -> None:
    """Streams: ``json.dump`` writes piece by piece, never the whole text at once."""
    text = io.TextIOWrapper(out, encoding="utf-8")
    try:
        json.dump(as_dict(doc), text, ensure_ascii=False, indent=2)
    finally:
        text.flush()
        text.detach()  # the caller owns ``out``


def is_export(parsed: Any) -> bool:
    """Whether parsed JSON looks like an export (rather than a report's bare content)."""
    return isinstance(parsed, dict) and "copies" in parsed and "content" in parsed


def read(parsed: Any) -> Document:
    """The document an export describes, digests and signatures as the file claims them.

    Takes the parsed JSON (``json.loads``). Nothing is verified here; the canonical bytes are
    re-derived from the content so that a verifier can hash them.
    """
    if not is_export(parsed):
        raise NotAnExport("not a report export: a JSON object with 'content' and 'copies' is expected")
    if parsed.get("format", FORMAT) != FORMAT:
        raise NotAnExport(f"unknown export format {parsed['format']!r} (this version reads {FORMAT})")
    content = parsed["content"]
    if not isinstance(content, dict):
        raise NotAnExport("'content' must be a JSON object")
    copies = []
    for n, c in enumerate(parsed["copies"]):
        missing = [k for k in ("party", "content_sha256", "signature") if not isinstance(c.get(k), str)]
        if missing:
            raise NotAnExport(f"copies[{n}] lacks {', '.join(missing)}")
        copies.append(Copy(c["party"], c.get("label", ""), c["content_sha256"], c["signature"]))
    return Document(str(parsed.get("kind", "")), content, canonical(content), str(parsed.get("content_sha256", "")),
                    tuple(copies), str(parsed.get("public_key_pem", "")), str(parsed.get("issued_at", "")))
