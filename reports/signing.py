"""The service's Ed25519 report-signing key: each copy of a report carries a signature over its
content digest, so any party can show its copy is the one the service issued."""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


@dataclass(frozen=True)
class Signer:
    key: Ed25519PrivateKey

    @classmethod
    def from_file(cls, path: Path) -> Signer:
        """Load the key, creating it (owner-readable only) the first time."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
        return cls(serialization.load_pem_private_key(path.read_bytes(), password=None))

    def sign(self, digest_hex: str) -> str:
        return base64.b64encode(self.key.sign(digest_hex.encode("ascii"))).decode("ascii")

    def public_key_pem(self) -> str:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")


def verify(public_key_pem: str, digest_hex: str, signature_b64: str) -> bool:
    return signature_problem(public_key_pem, digest_hex, signature_b64) is None


def signature_problem(public_key_pem: str, digest_hex: str, signature_b64: str) -> str | None:
    """Why ``signature_b64`` is not the service's signature over ``digest_hex`` (None: it is).

    Each failure is named apart, so whoever checks a copy learns whether the key, the encoding
    or the signature itself is wrong.
    """
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        return f"the public key is not a PEM public key ({exc})"
    if not isinstance(key, Ed25519PublicKey):
        return f"the public key is {type(key).__name__}, not Ed25519"
    try:
        raw = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return "the signature is not valid base64"
    if len(raw) != 64:
        return f"the signature has {len(raw)} bytes; an Ed25519 signature has 64"
    try:
        key.verify(raw, digest_hex.encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        return (f"the signature does not verify over the digest {digest_hex} with this public key: "
                "the signature or the digest was altered, or another key signed it")
    return None
