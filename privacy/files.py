"""Whole files sealed under the personal-data keys, for the copies kept after booking.

Payment, result and statement files carry names and account numbers in the clear. Once a file
is booked or acknowledged the ledger holds what it said, so its copy is deleted — or, when the
settings keep copies for a retention period, kept only sealed here.

Format (streamed, a file is never held in memory): ``YKTSEAL1``, the key id (one length byte,
ASCII), a 7-byte random prefix, then chunks of at most 1 MiB of plaintext, each as a 4-byte
big-endian length and its AES-256-GCM ciphertext. Each chunk's nonce is the prefix, its 4-byte
number and a last-chunk flag, so chunks cannot be reordered, dropped or the file cut short
without :func:`open_sealed` noticing. The key is derived (HKDF-SHA256) from the keyring's data
key of that id, so a sealed file and a sealed field never share a key; key rotation keeps old
files readable as long as their key stays in the keyring.
"""
from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from i18n import Phrase
from privacy.errors import SealedDataError
from privacy.keys import Keyring

__all__ = ["open_sealed", "seal_file"]

MAGIC = b"YKTSEAL1"
CHUNK = 1 << 20
_PREFIX = 7
_LENGTH = struct.Struct(">I")


def _aead(keyring: Keyring, key_id: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ykt sealed file v1").derive(
        keyring.data_key(key_id))
    return AESGCM(key)


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", number, last)


def seal_file(keyring: Keyring, source: Path, target: Path) -> None:
    """Write ``source`` sealed to ``target`` (created 0600, never over an existing file)."""
    key_id = keyring.current_id
    aead = _aead(keyring, key_id)
    prefix = os.urandom(_PREFIX)
    header = MAGIC + bytes((len(key_id),)) + key_id.encode("ascii") + prefix
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            out.write(header)
            chunk, number = src.read(CHUNK), 0
            while True:
                following = src.read(CHUNK) if chunk else b""
                last = not following
                sealed = aead.encrypt(_nonce(prefix, number, last), chunk, header)
                out.write(_LENGTH.pack(len(sealed)) + sealed)
                if last:
                    break
                chunk, number = following, number + 1
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def open_sealed(keyring: Keyring, source: Path) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk; SealedDataError if it was altered, cut
    short or sealed with a key the keyring does not hold."""
    with open(source, "rb") as src:
        if src.read(len(MAGIC)) != MAGIC:
            raise SealedDataError(Phrase.of("sealed.file.not_sealed", source=str(source)))
        size = src.read(1)
        key_id = src.read(size[0]).decode("ascii") if size else ""
        prefix = src.read(_PREFIX)
        header = MAGIC + size + key_id.encode("ascii") + prefix
        aead = _aead(keyring, key_id)
        number = 0
        while True:
            length = src.read(_LENGTH.size)
            if len(length) < _LENGTH.size:
                raise SealedDataError(Phrase.of("sealed.file.cut_short", source=str(source), number=number))
            sealed = src.read(_LENGTH.unpack(length)[0])
            for last in (False, True):
                try:
                    plain = aead.decrypt(_nonce(prefix, number, last), sealed, header)
                    break
                except InvalidTag:
                    continue
            else:
                raise SealedDataError(Phrase.of("sealed.file.unopenable", source=str(source), number=number))
            yield plain
            if last:
                if src.read(1):
                    raise SealedDataError(Phrase.of("sealed.file.trailing", source=str(source)))
                return
            number += 1
