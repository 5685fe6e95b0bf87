"""Envelopes: a file encrypted for one recipient, in authenticated chunks, streaming both ways.

Hybrid encryption: a fresh random **content key** per file encrypts the content; the content
key is **wrapped** for the recipient's public key, whose id the header names. An envelope is a
short text header, a blank line, then binary chunk records::

    ykt-fileenc/1
    cipher: sm4-gcm
    wrap: x25519-hkdf-sha256
    key-id: ccb-2026
    ephemeral: <base64, 32 bytes: the sender's one-time X25519 public key>
    wrapped-key: <base64: the content key, wrapped>
    chunk-size: 1048576
    <empty line>
    record 0 | record 1 | ... | record n          (binary)

The header lines always come in this order, each once (``ephemeral`` only for X25519); a reader
refuses anything else. The content is cut into chunks of ``chunk-size`` bytes (the last one may be
shorter, or empty for an empty file); record *i* is chunk *i* encrypted, followed by its tag, so
every record but the last is ``chunk-size + tag`` bytes long. Each chunk is authenticated with the
associated data ``H(header) || i (8 bytes, big-endian) || final (1 byte, 1 for the last chunk)``,
where ``H(header)`` is the SHA-256 (SM3 for the SM4 ciphers) of the header bytes up to and
including the empty line. So any change to the header, a wrapped key, a chunk or the order of
chunks fails authentication (:class:`DecryptionFailed`), and an envelope cut at a chunk boundary
is recognised because its last chunk was not sealed as final (:class:`Truncated`).

Ciphers (:class:`~filesec.algorithms.Cipher`), with a content key of their own size:

* ``aes-256-gcm``: AES-256-GCM, nonce ``0x00000000 || i``; tag 16 bytes.
* ``sm4-gcm``: SM4 (GB/T 32907) in GCM, same nonce and tag; needs OpenSSL's SM4-GCM (present in
  the OpenSSL that ``cryptography`` 50 ships with; :func:`filesec.algorithms.cipher_available`).
* ``sm4-ctr+hmac-sm3``: for builds without SM4-GCM. Content key = 16-byte SM4 key || 32-byte HMAC
  key; chunk encrypted with SM4-CTR, counter block ``i (8 bytes) || 0 (8 bytes)``; tag = HMAC-SM3
  over ``associated data || ciphertext`` (32 bytes), checked before decrypting (encrypt-then-MAC).

The nonce/counter is the chunk index; that is safe because every content key encrypts one file.

Wraps (:class:`~filesec.algorithms.Wrap`), decided by the type of the recipient's key:

* ``rsa-oaep-sha256``: the content key encrypted with RSAES-OAEP (SHA-256, MGF1-SHA-256, no label).
* ``x25519-hkdf-sha256``: a one-time X25519 key pair; the shared secret with the recipient's
  static key goes through HKDF-SHA256 (salt = ephemeral public || recipient public, info =
  ``ykt-fileenc/1 x25519-hkdf-sha256``) to a 32-byte key-encryption key, which wraps the content
  key with AES key wrap (RFC 3394).

Decryption writes plaintext as it goes; only :func:`decrypt_file` (temporary file, renamed after
the final chunk authenticated) guarantees that nothing unauthenticated is ever left behind.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hmac, keywrap
from cryptography.hazmat.primitives.asymmetric import padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers import Cipher as _Cipher
from cryptography.hazmat.primitives.ciphers import algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from durable import atomic_output
from filesec._io import read_exact
from filesec.algorithms import Cipher, Wrap, cipher_available
from filesec.errors import DecryptionFailed, KeyFileError, MalformedEnvelope, PolicyViolation, Truncated
from filesec.keys import KEY_ID, KeySet, wrap_of
from i18n import Phrase

__all__ = [
    "CHUNK_SIZE",
    "FORMAT",
    "EnvelopeHeader",
    "decrypt_file",
    "decrypt_stream",
    "encrypt_file",
    "encrypt_stream",
    "is_envelope",
    "read_header",
]

FORMAT = "ykt-fileenc/1"
MAGIC = (FORMAT + "\n").encode("ascii")
CHUNK_SIZE = 1 << 20  # 1 MiB
MAX_CHUNK_SIZE = 16 << 20  # a reader allocates at most this per record, whatever the header says
MAX_HEADER = 8 * 1024
_HKDF_INFO = b"ykt-fileenc/1 x25519-hkdf-sha256"
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@dataclass(frozen=True)
class EnvelopeHeader:
    cipher: Cipher
    wrap: Wrap
    key_id: str
    wrapped_key: bytes
    chunk_size: int
    ephemeral: bytes | None = None  # X25519 only: the sender's one-time public key

    def to_bytes(self) -> bytes:
        lines = [FORMAT, f"cipher: {self.cipher}", f"wrap: {self.wrap}", f"key-id: {self.key_id}"]
        if self.ephemeral is not None:
            lines.append(f"ephemeral: {_b64(self.ephemeral)}")
        lines += [f"wrapped-key: {_b64(self.wrapped_key)}", f"chunk-size: {self.chunk_size}", "", ""]
        return "\n".join(lines).encode("ascii")

    @property
    def tag_bytes(self) -> int:
        return self.cipher.tag_bytes

    @classmethod
    def read(cls, src: BinaryIO, source: object = "envelope") -> tuple[EnvelopeHeader, bytes]:
        """Read the header from ``src`` (positioned at the start); returns it and its exact bytes."""
        def bad(why: Phrase) -> MalformedEnvelope:
            return MalformedEnvelope(source, Phrase.of("filesec.env.unreadable", why=why))

        first = src.read(len(MAGIC))
        if first != MAGIC:
            if len(first) < len(MAGIC) and MAGIC.startswith(first) and first:
                raise Truncated(source, Phrase.of("filesec.env.ends_in_header"))
            raise bad(Phrase.of("filesec.env.magic", format=repr(FORMAT)))
        raw = bytearray(first)
        lines: list[str] = []
        while True:
            line = src.readline(MAX_HEADER)
            raw += line
            if len(raw) > MAX_HEADER:
                raise bad(Phrase.of("filesec.env.header_too_long", limit=MAX_HEADER))
            if not line.endswith(b"\n"):
                raise Truncated(source, Phrase.of("filesec.env.ends_in_header"))
            if line == b"\n":
                break
            try:
                lines.append(line[:-1].decode("ascii"))
            except UnicodeDecodeError:
                raise bad(Phrase.of("filesec.env.header_not_ascii")) from None
        values: dict[str, str] = {}
        for line in lines:
            key, sep, value = line.partition(": ")
            if not sep:
                raise bad(Phrase.of("filesec.env.header_line", line=repr(line[:40])))
            if key in values:
                raise bad(Phrase.of("filesec.env.header_twice", name=repr(key)))
            values[key] = value
        try:
            cipher = Cipher(values.get("cipher", ""))
        except ValueError:
            raise bad(Phrase.of("filesec.env.cipher", cipher=repr(values.get("cipher", "")[:40]))) from None
        try:
            wrap = Wrap(values.get("wrap", ""))
        except ValueError:
            raise bad(Phrase.of("filesec.env.wrap", wrap=repr(values.get("wrap", "")[:40]))) from None
        order = ["cipher", "wrap", "key-id"] + (["ephemeral"] if wrap is Wrap.X25519_HKDF_SHA256 else [])
        order += ["wrapped-key", "chunk-size"]
        if list(values) != order:
            raise bad(Phrase.of("filesec.env.order", lines=", ".join(order)))
        if not KEY_ID.fullmatch(values["key-id"]):
            raise bad(Phrase.of("filesec.read.key_id"))
        if not re.fullmatch(r"[1-9][0-9]{0,8}", values["chunk-size"]) or int(values["chunk-size"]) > MAX_CHUNK_SIZE:
            raise bad(Phrase.of("filesec.env.chunk_size", limit=MAX_CHUNK_SIZE))
        ephemeral = None
        if wrap is Wrap.X25519_HKDF_SHA256:
            ephemeral = _unb64(values["ephemeral"], bad, "ephemeral")
            if len(ephemeral) != 32:
                raise bad(Phrase.of("filesec.env.ephemeral_size"))
        header = cls(cipher, wrap, values["key-id"], _unb64(values["wrapped-key"], bad, "wrapped-key"),
                     int(values["chunk-size"]), ephemeral)
        if header.to_bytes() != bytes(raw):
            raise bad(Phrase.of("filesec.env.not_canonical"))
        return header, bytes(raw)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, bad, what: str) -> bytes:
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise bad(Phrase.of("filesec.env.not_base64", field=what)) from None
    if not value:
        raise bad(Phrase.of("filesec.env.empty", field=what))
    return value


# -- the chunk ciphers -------------------------------------------------------------------------


class _Chunks:
    """Seal and open chunk ``i`` of one envelope under its content key."""

    def __init__(self, cipher: Cipher, content_key: bytes, header_bytes: bytes) -> None:
        self.cipher = cipher
        h = hashes.Hash(hashes.SM3() if cipher.national else hashes.SHA256())
        h.update(header_bytes)
        self.header_digest = h.finalize()
        if cipher is Cipher.AES_256_GCM:
            self._aead = AESGCM(content_key)
        elif cipher is Cipher.SM4_GCM:
            self._sm4 = algorithms.SM4(content_key)
        else:
            self._sm4 = algorithms.SM4(content_key[:16])
            self._mac_key = content_key[16:]

    def _aad(self, index: int, final: bool) -> bytes:
        return self.header_digest + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")

    def seal(self, index: int, final: bool, chunk: bytes) -> bytes:
        aad = self._aad(index, final)
        if self.cipher is Cipher.AES_256_GCM:
            return self._aead.encrypt(_nonce(index), chunk, aad)
        if self.cipher is Cipher.SM4_GCM:
            enc = _Cipher(self._sm4, modes.GCM(_nonce(index))).encryptor()
            enc.authenticate_additional_data(aad)
            body = enc.update(chunk) + enc.finalize()
            return body + enc.tag
        enc = _Cipher(self._sm4, modes.CTR(_counter(index))).encryptor()
        body = enc.update(chunk) + enc.finalize()
        mac = hmac.HMAC(self._mac_key, hashes.SM3())
        mac.update(aad)
        mac.update(body)
        return body + mac.finalize()

    def open(self, index: int, final: bool, record: bytes) -> bytes:
        """The chunk; ``InvalidTag`` if the record does not authenticate as chunk ``index``."""
        aad = self._aad(index, final)
        tag_len = self.cipher.tag_bytes
        if len(record) < tag_len:
            raise InvalidTag()
        if self.cipher is Cipher.AES_256_GCM:
            return self._aead.decrypt(_nonce(index), record, aad)
        body, tag = record[:-tag_len], record[-tag_len:]
        if self.cipher is Cipher.SM4_GCM:
            dec = _Cipher(self._sm4, modes.GCM(_nonce(index), tag)).decryptor()
            dec.authenticate_additional_data(aad)
            return dec.update(body) + dec.finalize()
        mac = hmac.HMAC(self._mac_key, hashes.SM3())
        mac.update(aad)
        mac.update(body)
        try:
            mac.verify(tag)
        except InvalidSignature:
            raise InvalidTag() from None
        dec = _Cipher(self._sm4, modes.CTR(_counter(index))).decryptor()
        return dec.update(body) + dec.finalize()


def _nonce(index: int) -> bytes:
    return b"\x00\x00\x00\x00" + index.to_bytes(8, "big")


def _counter(index: int) -> bytes:
    return index.to_bytes(8, "big") + b"\x00" * 8


# -- wrapping the content key ------------------------------------------------------------------


def _kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=ephemeral + recipient, info=_HKDF_INFO).derive(shared)


def _raw(key: x25519.X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _wrap(cipher: Cipher, key, key_id: str, chunk_size: int) -> tuple[EnvelopeHeader, bytes]:
    content_key = os.urandom(cipher.key_bytes)
    if isinstance(key, rsa.RSAPublicKey):
        return EnvelopeHeader(cipher, Wrap.RSA_OAEP_SHA256, key_id, key.encrypt(content_key, _OAEP), chunk_size), \
            content_key
    assert isinstance(key, x25519.X25519PublicKey)
    eph = x25519.X25519PrivateKey.generate()
    eph_pub = _raw(eph.public_key())
    kek = _kek(eph.exchange(key), eph_pub, _raw(key))
    return EnvelopeHeader(cipher, Wrap.X25519_HKDF_SHA256, key_id, keywrap.aes_key_wrap(kek, content_key),
                          chunk_size, eph_pub), content_key


def _unwrap(header: EnvelopeHeader, key, source: object) -> bytes:
    def failed() -> DecryptionFailed:
        return DecryptionFailed(source, Phrase.of("filesec.env.cannot_unwrap", key_id=repr(header.key_id)))

    expected = wrap_of(key)
    if expected is not header.wrap:
        raise DecryptionFailed(source, Phrase.of("filesec.env.wrong_key_kind", wrap=str(header.wrap),
                                                 key_id=repr(header.key_id), kind=str(expected)) if expected
                               else Phrase.of("filesec.env.not_encryption_key", wrap=str(header.wrap),
                                              key_id=repr(header.key_id)))
    try:
        if isinstance(key, rsa.RSAPrivateKey):
            content_key = key.decrypt(header.wrapped_key, _OAEP)
        else:
            assert isinstance(key, x25519.X25519PrivateKey) and header.ephemeral is not None
            eph = x25519.X25519PublicKey.from_public_bytes(header.ephemeral)
            kek = _kek(key.exchange(eph), header.ephemeral, _raw(key.public_key()))
            content_key = keywrap.aes_key_unwrap(kek, header.wrapped_key)
    except (ValueError, keywrap.InvalidUnwrap):
        raise failed() from None
    if len(content_key) != header.cipher.key_bytes:
        raise failed()
    return content_key


# -- streams and files -------------------------------------------------------------------------


def encrypt_stream(src: BinaryIO, dst: BinaryIO, keys: KeySet, *, cipher: Cipher | str = Cipher.AES_256_GCM,
                   wrap: Wrap | str | None = None, chunk_size: int = CHUNK_SIZE) -> EnvelopeHeader:
    """Encrypt everything left in ``src`` into ``dst`` for the current key of ``keys`` (public).

    ``wrap``, if given, is what the profile demands: the current key must be of that kind
    (:class:`KeyFileError` otherwise). Memory: two chunks at a time.
    """
    cipher = Cipher(cipher)
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be from 1 to {MAX_CHUNK_SIZE} bytes")
    if not cipher_available(cipher):
        raise KeyFileError(keys.source, Phrase.of("filesec.keys.cipher_unavailable", cipher=str(cipher)))
    key_id, key = keys.current_id, keys.current
    made = wrap_of(key)
    if made is None:
        raise KeyFileError(keys.source, Phrase.of("filesec.keys.cannot_encrypt", key_id=repr(key_id)))
    if wrap is not None and Wrap(wrap) is not made:
        raise KeyFileError(keys.source, Phrase.of("filesec.keys.wraps_other", key_id=repr(key_id), made=str(made),
                                                  demanded=str(Wrap(wrap))))
    if keys.private:
        key = key.public_key()
    header, content_key = _wrap(cipher, key, key_id, chunk_size)
    header_bytes = header.to_bytes()
    chunks = _Chunks(cipher, content_key, header_bytes)
    dst.write(header_bytes)
    index = 0
    current = read_exact(src, chunk_size)
    while True:
        following = read_exact(src, chunk_size) if len(current) == chunk_size else b""
        final = not following
        dst.write(chunks.seal(index, final, current))
        if final:
            return header
        current = following
        index += 1


def decrypt_stream(src: BinaryIO, dst: BinaryIO, keys: KeySet, *, source: object = "envelope",
                   ciphers: Collection[Cipher | str] | None = None) -> EnvelopeHeader:
    """Decrypt the envelope in ``src`` into ``dst`` with our private ``keys`` (by the header's id).

    ``ciphers`` limits the ciphers accepted (:class:`PolicyViolation` otherwise). Errors name
    ``source``. Plaintext is written chunk by chunk as each authenticates; whether the envelope
    was complete is known only at the end, so write into something you can throw away on error.
    """
    header, header_bytes = EnvelopeHeader.read(src, source)
    if ciphers is not None and header.cipher not in {Cipher(c) for c in ciphers}:
        allowed = ", ".join(sorted(str(Cipher(c)) for c in ciphers))
        raise PolicyViolation(source, Phrase.of("filesec.env.cipher_refused", cipher=str(header.cipher),
                                                allowed=allowed))
    if not cipher_available(header.cipher):
        raise DecryptionFailed(source, Phrase.of("filesec.env.cipher_unavailable", cipher=str(header.cipher)))
    if not keys.private:
        raise KeyFileError(keys.source, Phrase.of("filesec.keys.public_for_decrypt"))
    content_key = _unwrap(header, keys.get(header.key_id, source), source)
    chunks = _Chunks(header.cipher, content_key, header_bytes)
    record = header.chunk_size + header.tag_bytes
    current = read_exact(src, record)
    if not current:
        raise Truncated(source, Phrase.of("filesec.env.no_chunk"))
    index = 0
    while True:
        following = read_exact(src, record) if len(current) == record else b""
        final = not following
        try:
            dst.write(chunks.open(index, final, current))
        except InvalidTag:
            raise _why(chunks, index, current, header, source) from None
        if final:
            return header
        current = following
        index += 1


def _why(chunks: _Chunks, index: int, record: bytes, header: EnvelopeHeader, source: object) -> DecryptionFailed:
    """Why a record failed: a complete chunk sealed as not final, at the end, means the file was cut short."""
    if len(record) < header.tag_bytes:
        return Truncated(source, Phrase.of("filesec.env.ends_in_chunk", index=index))
    if len(record) == header.chunk_size + header.tag_bytes:
        try:
            chunks.open(index, False, record)
        except InvalidTag:
            pass
        else:
            return Truncated(source, Phrase.of("filesec.env.not_final", index=index))
    return DecryptionFailed(source, Phrase.of("filesec.env.chunk_fails", index=index))


def encrypt_file(src: str | os.PathLike[str], dst: str | os.PathLike[str], keys: KeySet, **options) -> EnvelopeHeader:
    """Encrypt the file ``src`` into ``dst`` (written atomically); see :func:`encrypt_stream`."""
    with open(src, "rb") as inp, atomic_output(Path(dst)) as out:
        return encrypt_stream(inp, out, keys, **options)


def decrypt_file(src: str | os.PathLike[str], dst: str | os.PathLike[str], keys: KeySet, *,
                 ciphers: Collection[Cipher | str] | None = None, mode: int = 0o600,
                 source: str | None = None) -> EnvelopeHeader:
    """Decrypt the envelope ``src`` into ``dst``, which appears only if the whole envelope
    authenticated (temporary file, renamed at the end; removed on any error). Mode 0600 by
    default: the clear file is as sensitive as what it holds. Errors name ``source`` (default:
    ``src``'s file name)."""
    src = Path(src)
    with open(src, "rb") as inp, atomic_output(Path(dst), mode) as out:
        return decrypt_stream(inp, out, keys, source=src.name if source is None else source, ciphers=ciphers)


def read_header(path: str | os.PathLike[str]) -> EnvelopeHeader:
    """The header of the envelope at ``path`` (which key id it is for, which cipher)."""
    path = Path(path)
    with open(path, "rb") as src:
        return EnvelopeHeader.read(src, path.name)[0]


def is_envelope(path: str | os.PathLike[str]) -> bool:
    """Whether the file starts like an envelope (it may still be damaged)."""
    try:
        with open(path, "rb") as src:
            return src.read(len(MAGIC)) == MAGIC
    except OSError:
        return False
