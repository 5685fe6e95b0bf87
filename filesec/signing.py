"""Detached signatures of files: ``NAME.sig`` beside ``NAME``, streaming over the file.

A file of any size is hashed in chunks (SHA-256 or SM3); what is signed is a short **statement**
that carries that digest together with the file's name and size, the signer's key id, the
algorithms and the time. The signature file is that statement followed by a blank line and the
signature in base64 — UTF-8 text, LF line ends, readable with ``cat``::

    ykt-filesig/1
    algorithm: ed25519
    key-id: ykt-2026
    digest: sm3
    name: DF_CCB01_20261102_B26110001.txt
    size: 1048576
    hash: 66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0
    signed-at: 2026-11-02T08:00:00Z

    3q2+7w...==

The signed bytes are the statement exactly as in the file: every line up to, not including, the
blank line, each ending in ``\\n`` (so the first line, ``ykt-filesig/1``, separates these signatures
from any other use of the key). The fields always come in this order, each once; ``hash`` is the
lower-case hex digest of the file's bytes with ``digest``; ``name`` is the file's name as
delivered (no ``/``, no control characters). A reader refuses anything else.

Algorithms (the key's type decides, see :func:`filesec.keys.signature_algorithm_of`):

* ``ed25519``: pure Ed25519 (RFC 8032) over the statement. Ed25519 has no streaming interface and
  ``cryptography`` does not offer Ed25519ph, so the file is *prehashed* explicitly: the statement
  holds the file's SHA-256 or SM3 digest and the 64-byte signature covers the statement. (This is
  not RFC 8032's Ed25519ph, which would sign SHA-512 of the file.)
* ``rsa-pss-sha256``: RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt over the
  statement; computed as SHA-256 of the statement signed with ``utils.Prehashed`` — the same
  bytes as ``openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sign``
  applied to the statement. Verification accepts any salt length.

SM2 is not available in ``cryptography``; with ``digest: sm3`` a profile asking for the Chinese
national algorithms gets an SM3 digest signed by Ed25519 or RSA-PSS.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa, utils

from durable import write_atomic
from filesec._io import hash_file
from filesec.algorithms import Digest, SignatureAlgorithm
from filesec.errors import BadSignature, KeyFileError, MalformedSignature, PolicyViolation
from filesec.keys import KEY_ID, KeySet, signature_algorithm_of
from i18n import Phrase
from i18n.library_words import briefly

__all__ = ["FORMAT", "SIGNATURE_SUFFIX", "Signature", "sign_file", "verify_file", "write_signature"]

FORMAT = "ykt-filesig/1"
SIGNATURE_SUFFIX = ".sig"
MAX_SIGNATURE_FILE = 16 * 1024
_FIELDS = ("algorithm", "key-id", "digest", "name", "size", "hash", "signed-at")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_HEX = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f/]")


@dataclass(frozen=True)
class Signature:
    """A parsed signature file: the statement's fields, the statement bytes and the signature."""

    algorithm: SignatureAlgorithm
    key_id: str
    digest: Digest
    name: str
    size: int
    hash: bytes
    signed_at: str
    value: bytes

    @property
    def statement(self) -> bytes:
        lines = [FORMAT, f"algorithm: {self.algorithm}", f"key-id: {self.key_id}", f"digest: {self.digest}",
                 f"name: {self.name}", f"size: {self.size}", f"hash: {self.hash.hex()}",
                 f"signed-at: {self.signed_at}"]
        return ("\n".join(lines) + "\n").encode("utf-8")

    def to_bytes(self) -> bytes:
        return self.statement + b"\n" + base64.b64encode(self.value) + b"\n"

    @classmethod
    def parse(cls, data: bytes, source: object = "signature") -> Signature:
        """Read a signature file's bytes strictly; :class:`MalformedSignature` naming ``source``."""
        def bad(why: Phrase) -> MalformedSignature:
            return MalformedSignature(source, Phrase.of("filesec.sig.unreadable", why=why))

        if len(data) > MAX_SIGNATURE_FILE:
            raise bad(Phrase.of("filesec.sig.too_large", size=len(data)))
        end = data.find(b"\n\n")
        if end < 0:
            raise bad(Phrase.of("filesec.sig.no_blank_line"))
        try:
            lines = data[:end].decode("utf-8").split("\n")
        except UnicodeDecodeError:
            raise bad(Phrase.of("filesec.sig.not_utf8")) from None
        if lines[0] != FORMAT:
            raise bad(Phrase.of("filesec.sig.first_line", format=repr(FORMAT)))
        fields = lines[1:]
        if len(fields) != len(_FIELDS):
            raise bad(Phrase.of("filesec.sig.lines", fields=", ".join(_FIELDS)))
        values: dict[str, str] = {}
        for want, line in zip(_FIELDS, fields, strict=True):
            key, sep, value = line.partition(": ")
            if key != want or not sep:
                raise bad(Phrase.of("filesec.sig.line", want=want, found=repr(line[:40])))
            values[want] = value
        try:
            algorithm = SignatureAlgorithm(values["algorithm"])
        except ValueError:
            raise bad(Phrase.of("filesec.sig.algorithm", algorithm=repr(values["algorithm"][:40]))) from None
        try:
            digest = Digest(values["digest"])
        except ValueError:
            raise bad(Phrase.of("filesec.sig.digest", digest=repr(values["digest"][:40]))) from None
        if not KEY_ID.fullmatch(values["key-id"]):
            raise bad(Phrase.of("filesec.read.key_id"))
        name = values["name"]
        if not name or _CONTROL.search(name):
            raise bad(Phrase.of("filesec.sig.name"))
        if not re.fullmatch(r"0|[1-9][0-9]{0,18}", values["size"]):
            raise bad(Phrase.of("filesec.sig.size"))
        if not _HEX.fullmatch(values["hash"]):
            raise bad(Phrase.of("filesec.sig.hash"))
        if not _TIME.fullmatch(values["signed-at"]):
            raise bad(Phrase.of("filesec.sig.signed_at"))
        text = data[end + 2:]
        if text.endswith(b"\n"):
            text = text[:-1]
        try:
            value = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise bad(Phrase.of("filesec.sig.not_base64")) from None
        if not value:
            raise bad(Phrase.of("filesec.sig.empty"))
        sig = cls(algorithm, values["key-id"], digest, name, int(values["size"]), bytes.fromhex(values["hash"]),
                  values["signed-at"], value)
        if sig.statement != data[:end + 1]:  # cannot happen with the checks above; belt and braces
            raise bad(Phrase.of("filesec.sig.not_canonical"))
        return sig


def sign_file(path: str | os.PathLike[str], keys: KeySet, *, digest: Digest | str = Digest.SHA256,
              algorithm: SignatureAlgorithm | str | None = None, name: str | None = None,
              now: datetime | None = None) -> Signature:
    """Sign ``path`` with the current key of the private key set ``keys``, reading it in chunks.

    ``algorithm``, if given, is what the profile demands; the current key must be of that kind
    (:class:`KeyFileError` otherwise). ``name`` defaults to the file's own name.
    """
    path = Path(path)
    digest = Digest(digest)
    key_id = keys.current_id
    key = keys.current
    made = signature_algorithm_of(key)
    if made is None or not keys.private:
        raise KeyFileError(keys.source, Phrase.of("filesec.keys.cannot_sign", key_id=repr(key_id),
                                                  type=type(key).__name__.lstrip("_")))
    if algorithm is not None and SignatureAlgorithm(algorithm) is not made:
        raise KeyFileError(keys.source, Phrase.of("filesec.keys.signs_other", key_id=repr(key_id), made=str(made),
                                                  demanded=str(SignatureAlgorithm(algorithm))))
    name = path.name if name is None else name
    if not name or _CONTROL.search(name):
        raise ValueError(f"{name!r}: a signed file's name cannot be empty or hold '/' or control characters")
    size, file_hash = hash_file(path, digest)
    when = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    statement = Signature(made, key_id, digest, name, size, file_hash, when, b"").statement
    if isinstance(key, ed25519.Ed25519PrivateKey):
        value = key.sign(statement)
    else:
        assert isinstance(key, rsa.RSAPrivateKey)
        value = key.sign(_sha256(statement), _PSS_SIGN, utils.Prehashed(hashes.SHA256()))
    return Signature(made, key_id, digest, name, size, file_hash, when, value)


def write_signature(path: str | os.PathLike[str], out: str | os.PathLike[str] | None, keys: KeySet, **options) -> Path:
    """Sign ``path`` (see :func:`sign_file`) and write the signature file atomically to ``out``
    (default: ``NAME.sig`` beside the file). Returns the signature file's path."""
    path = Path(path)
    target = Path(out) if out is not None else path.with_name(path.name + SIGNATURE_SUFFIX)
    write_atomic(target, sign_file(path, keys, **options).to_bytes())
    return target


def verify_file(path: str | os.PathLike[str], signature: bytes | str | os.PathLike[str], keys: KeySet, *,
                digests: Collection[Digest | str] | None = None, name: str | None = None,
                check_name: bool = True) -> Signature:
    """Check that ``signature`` (the signature file's bytes, or its path) proves ``path``.

    The signature's key id picks the key from the public key set ``keys`` (:class:`UnknownKey`
    if it has none); the key's type must match the signature's algorithm. ``digests`` limits the
    digests accepted (a profile's demand; :class:`PolicyViolation` otherwise). The statement's name
    must be ``name`` (default: the file's name) unless ``check_name`` is false. The signature is
    checked before the file is read; then the file is hashed in chunks and its size and digest
    compared. Returns the parsed signature; raises :class:`BadSignature` (or a subclass) otherwise.
    """
    path = Path(path)
    source: object = path.name
    if not isinstance(signature, bytes):
        sig_path = Path(signature)
        source = sig_path.name
        try:
            with open(sig_path, "rb") as f:
                data = f.read(MAX_SIGNATURE_FILE + 1)
        except FileNotFoundError:
            raise MalformedSignature(sig_path.name, Phrase.of("filesec.sig.missing")) from None
        except OSError as exc:
            raise MalformedSignature(sig_path.name, Phrase.of("filesec.sig.cannot_read", why=briefly(exc))) from None
    else:
        data = signature
    sig = Signature.parse(data, source)
    if digests is not None and sig.digest not in {Digest(d) for d in digests}:
        allowed = ", ".join(sorted(str(Digest(d)) for d in digests))
        raise PolicyViolation(path.name, Phrase.of("filesec.sig.digest_refused", digest=str(sig.digest),
                                                   allowed=allowed))
    key = keys.get(sig.key_id, path.name)
    expected = signature_algorithm_of(key)
    if expected is not sig.algorithm:
        raise BadSignature(path.name, Phrase.of("filesec.sig.wrong_key_kind", algorithm=str(sig.algorithm),
                                                key_id=repr(sig.key_id), kind=str(expected)) if expected
                           else Phrase.of("filesec.sig.not_signing_key", algorithm=str(sig.algorithm),
                                          key_id=repr(sig.key_id)))
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(sig.value, sig.statement)
        else:
            assert isinstance(key, rsa.RSAPublicKey)
            key.verify(sig.value, _sha256(sig.statement), _PSS_VERIFY, utils.Prehashed(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise BadSignature(path.name, Phrase.of("filesec.sig.does_not_verify", algorithm=str(sig.algorithm),
                                                key_id=repr(sig.key_id))) from None
    want_name = path.name if name is None else name
    if check_name and sig.name != want_name:
        raise BadSignature(path.name, Phrase.of("filesec.sig.other_name", signed=repr(sig.name), name=repr(want_name)))
    try:
        size, file_hash = hash_file(path, sig.digest)
    except OSError as exc:
        raise BadSignature(path.name, Phrase.of("filesec.sig.cannot_read_file", why=briefly(exc))) from None
    if size != sig.size:
        raise BadSignature(path.name, Phrase.of("filesec.sig.size_differs", size=size, signed=sig.size))
    if file_hash != sig.hash:
        raise BadSignature(path.name, Phrase.of("filesec.sig.hash_differs", digest=str(sig.digest)))
    return sig


_PSS_SIGN = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
_PSS_VERIFY = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)


def _sha256(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SHA256())
    h.update(data)
    return h.finalize()
