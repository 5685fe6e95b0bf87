"""The algorithms filesec speaks, by the names written into signature files and envelopes.

What the installed ``cryptography``/OpenSSL can do is checked at run time
(:func:`cipher_available`): SM3 and SM4 come from OpenSSL and may be missing from a build.
SM2 signatures and SM2 encryption are **not** available: ``cryptography`` exposes no SM2 curve
(its ``ec`` module has none), so profiles asking for the Chinese national algorithms sign with
Ed25519 or RSA-PSS over an SM3 digest, and wrap SM4 content keys with RSA-OAEP or X25519.
"""
from __future__ import annotations

import enum
import os
from functools import cache

from cryptography.hazmat.primitives import hashes

__all__ = ["Cipher", "Digest", "SignatureAlgorithm", "Wrap", "cipher_available"]


class Digest(enum.StrEnum):
    """The digest of a whole file inside a signature."""

    SHA256 = "sha256"
    SM3 = "sm3"  # GB/T 32905-2016

    def new(self) -> hashes.Hash:
        return hashes.Hash(hashes.SHA256() if self is Digest.SHA256 else hashes.SM3())


class SignatureAlgorithm(enum.StrEnum):
    """How the signature statement (which carries the file's digest) is signed."""

    ED25519 = "ed25519"  # RFC 8032 Ed25519 (pure) over the statement
    RSA_PSS_SHA256 = "rsa-pss-sha256"  # RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 bytes


class Wrap(enum.StrEnum):
    """How an envelope's random content key is made known to its recipient."""

    RSA_OAEP_SHA256 = "rsa-oaep-sha256"  # RSAES-OAEP, SHA-256, MGF1-SHA-256, no label
    X25519_HKDF_SHA256 = "x25519-hkdf-sha256"  # ephemeral-static X25519, HKDF-SHA256, AES key wrap


class Cipher(enum.StrEnum):
    """How an envelope's content is encrypted, chunk by chunk, each chunk authenticated."""

    AES_256_GCM = "aes-256-gcm"
    SM4_GCM = "sm4-gcm"  # GB/T 32907-2016 block cipher in GCM (needs OpenSSL's SM4-GCM)
    SM4_CTR_HMAC_SM3 = "sm4-ctr+hmac-sm3"  # encrypt-then-MAC: SM4-CTR, HMAC-SM3 over the chunk

    @property
    def key_bytes(self) -> int:
        """Length of the content key: 32 (AES-256), 16 (SM4), 16 + 32 (SM4 key + HMAC key)."""
        return {Cipher.AES_256_GCM: 32, Cipher.SM4_GCM: 16, Cipher.SM4_CTR_HMAC_SM3: 48}[self]

    @property
    def tag_bytes(self) -> int:
        return 32 if self is Cipher.SM4_CTR_HMAC_SM3 else 16

    @property
    def national(self) -> bool:
        """An SM4 cipher: its header digest is SM3 rather than SHA-256."""
        return self is not Cipher.AES_256_GCM


@cache
def cipher_available(cipher: Cipher) -> bool:
    """Whether this ``cryptography``/OpenSSL build can run ``cipher`` (tried, not assumed)."""
    from cryptography.hazmat.primitives import hmac
    from cryptography.hazmat.primitives.ciphers import Cipher as _Cipher
    from cryptography.hazmat.primitives.ciphers import algorithms, modes

    try:
        if cipher is Cipher.AES_256_GCM:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            AESGCM(os.urandom(32)).encrypt(os.urandom(12), b"x", b"")
        elif cipher is Cipher.SM4_GCM:
            enc = _Cipher(algorithms.SM4(os.urandom(16)), modes.GCM(os.urandom(12))).encryptor()
            enc.update(b"x")
            enc.finalize()
        else:
            enc = _Cipher(algorithms.SM4(os.urandom(16)), modes.CTR(os.urandom(16))).encryptor()
            enc.update(b"x")
            enc.finalize()
            mac = hmac.HMAC(os.urandom(32), hashes.SM3())
            mac.update(b"x")
            mac.finalize()
    except Exception:  # noqa: BLE001 - UnsupportedAlgorithm and friends: simply not available
        return False
    return True
