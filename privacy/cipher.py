"""Sealing personal data field by field (AES-256-GCM) and blind indexes for look-ups (HMAC-SHA256).

Threat model. The ledger keeps identity, account and phone numbers only sealed, so a stolen
database file, a backup, a replica or a careless SQL export reveals none of them; the masked
forms kept beside them serve reports. The attacker assumed here has the database but not the key
file (:mod:`privacy.keys`). Not covered: an attacker inside the running service (it holds the
keys); and someone who can write to the database can still swap two whole sealed values *of the
same field* between rows (the associated data binds the field, not the row) — writes are guarded
by database access control and the ledger's own checks, not by this module.

Sealed value (``bytes``, 30 + len(key id) + len(UTF-8 value) bytes)::

    0x01 | len(key id) | key id | nonce (12 random bytes) | AES-256-GCM ciphertext and 16-byte tag

The associated data is the header (version, key id) followed by the field name, so a value sealed
for ``account`` does not open as ``id``: a row's account cannot be swapped into the identity
column, nor a header edited, without :class:`TamperedBlobError`. The key id lets values sealed
before a key rotation still open. Nonces are random: keep each data key below about 2^32 seals
(NIST SP 800-38D), i.e. rotate at least every thousand batches of a million lines.

Blind index (16 bytes): HMAC-SHA256 with the index key over
``"ykt/blind-index/v1" 0x00 field 0x00 normalized value`` (UTF-8), truncated to 128 bits. It is
deterministic, so equal values give equal indexes across batches (the one-card registry, duplicate
and stop-list checks), and the field name is in the input, so the same number as ``id`` and as
``account`` gives unrelated indexes. Without the index key the index cannot be reversed by trying
all ~10^10 plausible identity numbers, which an unkeyed hash would allow. Normalization, before
hashing only (sealing keeps the value exactly): NFKC (full-width digits become ASCII) and then,
repeated until nothing changes,

* ``id``: all whitespace removed, upper case (``x`` → ``X``);
* ``account``: whitespace and ``-`` removed (cards printed in groups of four);
* ``phone``: whitespace and ``-`` removed, a leading ``+86`` or ``0086`` dropped;
* any other field: surrounding whitespace stripped.

Changing the normalization changes indexes: it needs a re-index, like an index key change.

Speed: the AESGCM objects and the HMAC inner/outer SHA-256 states are built once per key and field
and copied per value (HMAC computed by hand from two :mod:`hashlib` states is about twice as fast
as copying an :func:`hmac.new` object); the ``*_many`` helpers draw all nonces with one
``os.urandom`` call. See ``bench/bench_privacy.py``.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from i18n import Named, Phrase
from privacy.errors import MalformedBlobError, TamperedBlobError, UnknownKeyIdError
from privacy.keys import Keyring

__all__ = ["ACCOUNT", "FORMAT_VERSION", "ID", "INDEX_BYTES", "PHONE", "FieldCipher", "normalize"]

ID = "id"
ACCOUNT = "account"
PHONE = "phone"

FORMAT_VERSION = 1
INDEX_BYTES = 16
_NONCE = 12
_TAG = 16
_INDEX_PREFIX = b"ykt/blind-index/v1\x00"
_FIELD = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_urandom = os.urandom


def _settled(value: str, transform: Callable[[str], str]) -> str:
    """NFKC and ``transform`` repeated until nothing changes (upper-casing can undo NFKC)."""
    for _ in range(8):
        settled = transform(unicodedata.normalize("NFKC", value))
        if settled == value:
            break
        value = settled
    return value


def _id_transform(value: str) -> str:
    return "".join(value.split()).upper()


def _account_transform(value: str) -> str:
    return "".join(value.split()).replace("-", "")


def _phone_transform(value: str) -> str:
    text = "".join(value.split()).replace("-", "")
    if text.startswith("+86"):
        return text[3:]
    if text.startswith("0086"):
        return text[4:]
    return text


def _normalize_id(value: str) -> str:
    if value.isascii() and value.isalnum():
        return value.upper()
    return _settled(value, _id_transform)


def _normalize_account(value: str) -> str:
    if value.isascii() and value.isalnum():
        return value
    return _settled(value, _account_transform)


def _normalize_phone(value: str) -> str:
    if value.isascii() and value.isdigit() and not value.startswith("0086"):
        return value
    return _settled(value, _phone_transform)


def _normalize_text(value: str) -> str:
    return _settled(value, str.strip)


_NORMALIZERS: dict[str, Callable[[str], str]] = {ID: _normalize_id, ACCOUNT: _normalize_account,
                                                 PHONE: _normalize_phone}


def normalize(field: str, value: str) -> str:
    """The form of ``value`` that the blind index of ``field`` is computed over."""
    if not isinstance(value, str):
        raise TypeError(f"{field}: a value to index must be text, not {type(value).__name__}")
    return _NORMALIZERS.get(field, _normalize_text)(value)


def _field_bytes(field: object) -> bytes:
    if not isinstance(field, str) or not _FIELD.fullmatch(field):
        raise ValueError(f"field name {field!r} is not 1 to 64 characters from A-Z a-z 0-9 _ . : -")
    return field.encode("ascii")


def _hmac_states(key: bytes, prefix: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """RFC 2104 HMAC-SHA256 split into its inner state (with ``prefix`` fed) and outer state."""
    block = 64
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(prefix)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner, outer


class FieldCipher:
    """Seal, open and blind-index personal data fields with the keys of a :class:`Keyring`.

    Thread-safe: the cipher holds no per-call state. Values are ``str``; the ``*_many`` helpers
    pass ``None`` through as ``None`` (an absent phone number), while an empty string is sealed.
    """

    __slots__ = ("_aad", "_aead", "_encrypt", "_fields", "_header", "_index", "_keyring")

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._aead = {kid.encode("ascii"): AESGCM(keyring.data_key(kid)) for kid in keyring.key_ids}
        current = keyring.current_id.encode("ascii")
        self._header = bytes((FORMAT_VERSION, len(current))) + current
        self._encrypt = self._aead[current].encrypt
        self._aad: dict[str, bytes] = {}  # field -> current header + field name
        self._fields: dict[str, bytes] = {}  # field -> field name as bytes
        self._index: dict[str, tuple] = {}  # field -> (inner, outer, normalizer)

    @classmethod
    def from_env(cls) -> FieldCipher:
        """A cipher with the keys named by the environment (see :meth:`Keyring.from_env`)."""
        return cls(Keyring.from_env())

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    def __repr__(self) -> str:
        return f"FieldCipher({self._keyring!r})"

    # -- per-field state, built on first use ---------------------------------------------------

    def _field(self, field: str) -> bytes:
        fb = self._fields.get(field)
        if fb is None:
            fb = self._fields[field] = _field_bytes(field)
        return fb

    def _seal_aad(self, field: str) -> bytes:
        aad = self._aad.get(field)
        if aad is None:
            aad = self._aad[field] = self._header + self._field(field)
        return aad

    def _index_state(self, field: str) -> tuple:
        state = self._index.get(field)
        if state is None:
            inner, outer = _hmac_states(self._keyring.index_key, _INDEX_PREFIX + self._field(field) + b"\0")
            # the shortcut index_many takes for plain ASCII letters and digits: upper-case (1), as is (2)
            shortcut = {ID: 1, ACCOUNT: 2}.get(field, 0)
            state = self._index[field] = (inner.copy, outer.copy, _NORMALIZERS.get(field, _normalize_text), shortcut)
        return state

    # -- one value -----------------------------------------------------------------------------

    def seal(self, field: str, value: str) -> bytes:
        """Encrypt ``value`` for ``field`` with the current key; a fresh nonce every time."""
        aad = self._aad.get(field) or self._seal_aad(field)
        if not isinstance(value, str):
            raise TypeError(f"{field}: a value to seal must be text, not {type(value).__name__}")
        nonce = _urandom(_NONCE)
        return self._header + nonce + self._encrypt(nonce, value.encode("utf-8", "surrogatepass"), aad)

    def open(self, field: str, blob: bytes | bytearray | memoryview) -> str:
        """Decrypt a value sealed for ``field``; :class:`~privacy.errors.SealedDataError` otherwise."""
        fb = self._fields.get(field) or self._field(field)
        return self._open(field, fb, blob)

    def _open(self, field: str, fb: bytes, blob: bytes | bytearray | memoryview) -> str:
        if type(blob) is not bytes:
            if not isinstance(blob, bytes | bytearray | memoryview):
                raise TypeError(f"{field}: a sealed value is bytes, not {type(blob).__name__}")
            blob = bytes(blob)
        if len(blob) < 2 + 1 + _NONCE + _TAG or blob[0] != FORMAT_VERSION:
            raise MalformedBlobError(Phrase.of("sealed.value.malformed", field=Named("sealed_field", field),
                                               version=blob[0], known=FORMAT_VERSION) if blob else
                                     Phrase.of("sealed.value.no_version", field=Named("sealed_field", field),
                                               known=FORMAT_VERSION))
        end = 2 + blob[1]
        aead = self._aead.get(blob[2:end])
        if aead is None:
            kid = blob[2:end].decode("ascii", "backslashreplace")
            raise UnknownKeyIdError(Phrase.of("sealed.value.unknown_key", field=Named("sealed_field", field),
                                              key_id=repr(kid), source=self._keyring.source,
                                              keys=str(list(self._keyring.key_ids))), kid)
        if len(blob) < end + _NONCE + _TAG:
            raise MalformedBlobError(Phrase.of("sealed.value.truncated", field=Named("sealed_field", field)))
        try:
            plain = aead.decrypt(blob[end:end + _NONCE], blob[end + _NONCE:], blob[:end] + fb)
        except InvalidTag:
            raise TamperedBlobError(Phrase.of("sealed.value.tampered", field=Named("sealed_field", field))) from None
        return plain.decode("utf-8", "surrogatepass")

    def index(self, field: str, value: str) -> bytes:
        """The 16-byte blind index of ``value`` (normalized, see the module documentation)."""
        inner_copy, outer_copy, norm, _ = self._index.get(field) or self._index_state(field)
        if not isinstance(value, str):
            raise TypeError(f"{field}: a value to index must be text, not {type(value).__name__}")
        inner = inner_copy()
        inner.update(norm(value).encode("utf-8", "surrogatepass"))
        outer = outer_copy()
        outer.update(inner.digest())
        return outer.digest()[:INDEX_BYTES]

    # -- many values ---------------------------------------------------------------------------

    def seal_many(self, field: str, values: Iterable[str | None]) -> list[bytes | None]:
        """:meth:`seal` for each value, ``None`` for ``None``; one ``os.urandom`` call for all nonces."""
        aad = self._aad.get(field) or self._seal_aad(field)
        if isinstance(values, str | bytes):
            raise TypeError(f"{field}: seal_many takes a sequence of values, not one value")
        if not isinstance(values, Sequence):
            values = list(values)
        header, encrypt = self._header, self._encrypt
        count = _NONCE * len(values)
        random = _urandom(count)
        nonces = [random[at:at + _NONCE] for at in range(0, count, _NONCE)]
        try:
            return [None if value is None
                    else header + nonce + encrypt(nonce, value.encode("utf-8", "surrogatepass"), aad)
                    for value, nonce in zip(values, nonces)]
        except AttributeError:
            bad = next((v for v in values if v is not None and not isinstance(v, str)), None)
            raise TypeError(f"{field}: values to seal must be text or None, not {type(bad).__name__}") from None

    def open_many(self, field: str, blobs: Iterable[bytes | bytearray | memoryview | None]) -> list[str | None]:
        """:meth:`open` for each sealed value, ``None`` for ``None``."""
        fb = self._fields.get(field) or self._field(field)
        open_ = self._open
        return [None if blob is None else open_(field, fb, blob) for blob in blobs]

    def index_many(self, field: str, values: Iterable[str | None]) -> list[bytes | None]:
        """:meth:`index` for each value, ``None`` for ``None``."""
        inner_copy, outer_copy, norm, shortcut = self._index.get(field) or self._index_state(field)
        if isinstance(values, str | bytes):
            raise TypeError(f"{field}: index_many takes a sequence of values, not one value")
        out: list[bytes | None] = []
        append = out.append
        value = None
        try:
            for value in values:
                if value is None:
                    append(None)
                    continue
                inner = inner_copy()
                if shortcut and value.isascii() and value.isalnum():  # what normalization would give
                    inner.update((value.upper() if shortcut == 1 else value).encode())
                else:
                    inner.update(norm(value).encode("utf-8", "surrogatepass"))
                outer = outer_copy()
                outer.update(inner.digest())
                append(outer.digest()[:INDEX_BYTES])
        except AttributeError:
            raise TypeError(f"{field}: values to index must be text or None, not {type(value).__name__}") from None
        return out

    # -- rotation ------------------------------------------------------------------------------

    @staticmethod
    def key_id_of(blob: bytes | bytearray | memoryview) -> str:
        """The id of the key that sealed ``blob`` (read from its header, not authenticated)."""
        blob = bytes(blob)
        if len(blob) < 3 or blob[0] != FORMAT_VERSION or len(blob) < 2 + blob[1]:
            raise MalformedBlobError(Phrase("sealed.value.not_sealed"))
        return blob[2:2 + blob[1]].decode("ascii", "backslashreplace")

    def reseal(self, field: str, blob: bytes | bytearray | memoryview) -> bytes:
        """The value sealed again with the current key; ``blob`` itself if it already is.

        For re-encrypting old rows after a rotation, so that an old key can be retired.
        """
        if self.key_id_of(blob) == self._keyring.current_id:
            self.open(field, blob)  # still authenticate it: a re-encryption run must not pass on damage
            return bytes(blob)
        return self.seal(field, self.open(field, blob))
