"""File security for the files exchanged with banks: detached signatures and encryption.

Pure: files (or streams) in, files out; no SFTP, no database, no profiles (the service applies a
bank profile's ``[security]`` table through :mod:`service.file_security`). Files of any size are
handled in chunks of 1 MiB, so memory does not grow with the file.

* **Signatures** (:mod:`filesec.signing`): ``NAME.sig`` beside ``NAME``, a short text statement
  (format, algorithm, key id, digest, name, size, the file's SHA-256 or SM3 digest, time) and its
  Ed25519 or RSA-PSS-SHA256 signature.
* **Envelopes** (:mod:`filesec.envelope`): hybrid encryption, a random content key per file
  (AES-256-GCM, SM4-GCM or SM4-CTR + HMAC-SM3, each 1 MiB chunk authenticated with its index and
  a final flag) wrapped for the recipient's RSA-OAEP-SHA256 or X25519 (ECDH + HKDF-SHA256) key.
* **Keys** (:mod:`filesec.keys`): key sets by key id, so keys rotate; private key files mode
  0600; :func:`generate_keys` makes a party's key pairs and key sets.
* **Errors** (:mod:`filesec.errors`): one hierarchy under :class:`FileSecurityError`, messages
  naming the file and why, never key material.

SM2 is not available in ``cryptography`` (no SM2 curve): Chinese-national-algorithm profiles sign
an SM3 digest with Ed25519 or RSA-PSS and wrap SM4 keys with X25519 or RSA-OAEP.

::

    ours = generate_keys("var/keys/ykt", "ykt-2026")            # sign/decrypt (private), verify/encrypt (public)
    bank = generate_keys("var/keys/CCB01", "ccb-2026", signing="rsa-pss-sha256", wrap="rsa-oaep-sha256")
    encrypt_file("PAY.txt", "out/PAY.txt", KeySet.load(bank.encrypt, private=False), cipher="sm4-gcm")
    write_signature("out/PAY.txt", None, KeySet.load(ours.sign, private=True), digest="sm3")
    verify_file("out/PAY.txt", "out/PAY.txt.sig", KeySet.load(ours.verify, private=False))
    decrypt_file("out/PAY.txt", "clear/PAY.txt", KeySet.load(bank.decrypt, private=True))

``python -m filesec generate FOLDER KEY_ID [--rsa]`` makes (or rotates) a party's keys from the
command line; ``python -m filesec show KEYSET`` lists key ids and kinds.
"""
from filesec.algorithms import Cipher, Digest, SignatureAlgorithm, Wrap, cipher_available
from filesec.envelope import (
    CHUNK_SIZE,
    EnvelopeHeader,
    decrypt_file,
    decrypt_stream,
    encrypt_file,
    encrypt_stream,
    is_envelope,
    read_header,
)
from filesec.errors import (
    BadSignature,
    DecryptionFailed,
    FileSecurityError,
    KeyFileError,
    MalformedEnvelope,
    MalformedSignature,
    MissingSignature,
    PolicyViolation,
    Truncated,
    UnknownKey,
)
from filesec.keys import KeySet, PartyKeys, add_key, generate_keys, key_kind
from filesec.signing import SIGNATURE_SUFFIX, Signature, sign_file, verify_file, write_signature

__all__ = [
    "CHUNK_SIZE",
    "SIGNATURE_SUFFIX",
    "BadSignature",
    "Cipher",
    "DecryptionFailed",
    "Digest",
    "EnvelopeHeader",
    "FileSecurityError",
    "KeyFileError",
    "KeySet",
    "MalformedEnvelope",
    "MalformedSignature",
    "MissingSignature",
    "PartyKeys",
    "PolicyViolation",
    "Signature",
    "SignatureAlgorithm",
    "Truncated",
    "UnknownKey",
    "Wrap",
    "add_key",
    "cipher_available",
    "decrypt_file",
    "decrypt_stream",
    "encrypt_file",
    "encrypt_stream",
    "generate_keys",
    "is_envelope",
    "key_kind",
    "read_header",
    "sign_file",
    "verify_file",
    "write_signature",
]
