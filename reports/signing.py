"""The service's Ed25519 report-signing keys: each copy of a report carries a signature over its
content digest, so any party can show its copy is the one the service issued.

The keys are a *key set*, like the personal-data keyring (:mod:`privacy.keys`): several keys by
id, one current. The current key signs; every signature names the key that made it
(``KEY_ID:BASE64``), so after a rotation the older keys' public halves still verify the copies
they signed. The key set file (JSON, mode 0600, refused if group or others may read it)::

    {"current": "s2", "keys": {"s1": "<base64 of the 32-byte Ed25519 private key>", "s2": "..."}}

It lives beside the personal-data key file (``report-signing-keys.json``), so instances sharing
those keys sign with one key. A key file of the earlier kind (``report-signing.pem``, one PEM
key) is taken in as key ``s1`` the first time the set is needed; signatures made before then
carry no key id and are checked against ``s1``.

The other parties get the public keys as a *public key set* (``ykt keys public``)::

    {"kind": "ykt report-signing public keys", "current": "s2",
     "keys": {"s1": "-----BEGIN PUBLIC KEY-----...", "s2": "..."}}
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from durable import fsync_dir, write_atomic
from i18n import Refused
from i18n.library_words import briefly, said

LEGACY_KEY_ID = "s1"  # the key of a report-signing.pem taken in, and of signatures without an id
PUBLIC_KIND = "ykt report-signing public keys"
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,16}")

#: Public keys to verify against: one PEM (whatever key id a signature names) or PEMs by key id.
PublicKeys = str | Mapping[str, str]


class SigningKeyError(Refused):
    """A signing key set that cannot be used: missing, unreadable, open to others, malformed.
    Its reason is catalogue words (i18n/catalogue_signing.py), said in the reader's language
    wherever it is shown; ``str()`` is the English, as it always was."""


@dataclass(frozen=True)
class Signer:
    key: Ed25519PrivateKey
    key_id: str = ""  # written before each signature ("s2:..."); "" signs without an id

    @classmethod
    def from_file(cls, path: Path) -> Signer:
        """The current key of the key set at ``path``, creating the set the first time."""
        return SigningKeys.load_or_create(path).signer()

    def sign(self, digest_hex: str) -> str:
        raw = base64.b64encode(self.key.sign(digest_hex.encode("ascii"))).decode("ascii")
        return f"{self.key_id}:{raw}" if self.key_id else raw

    def public_key_pem(self) -> str:
        return _public_pem(self.key)


class SigningKeys:
    """Ed25519 private keys by id and the id of the current one. Immutable: :meth:`rotated`
    returns a new set. The representation shows key ids only."""

    __slots__ = ("_current", "_keys", "_source")

    def __init__(self, keys: Mapping[str, Ed25519PrivateKey], current: str, *, source: str = "signing keys"):
        if not keys:
            raise SigningKeyError("signing.keys.none", source=source)
        for key_id in keys:
            if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
                raise SigningKeyError("signing.keys.bad_id", source=source, key_id=repr(key_id))
        if current not in keys:
            raise SigningKeyError("signing.keys.current_not_held", source=source, current=repr(current),
                                  keys=str(sorted(keys)))
        self._keys, self._current, self._source = dict(keys), current, source

    @property
    def current_id(self) -> str:
        return self._current

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    @property
    def source(self) -> str:
        return self._source

    def signer(self) -> Signer:
        """Signs with the current key, naming it in every signature."""
        return Signer(self._keys[self._current], self._current)

    def public_keys(self) -> dict[str, str]:
        """Every key's public half (PEM) by id: what verifies copies signed by any of them."""
        return {key_id: _public_pem(key) for key_id, key in self._keys.items()}

    def public_document(self) -> dict:
        """The public key set to hand to the other parties (no secret in it)."""
        return {"kind": PUBLIC_KIND, "current": self._current, "keys": self.public_keys()}

    def __repr__(self) -> str:
        return f"SigningKeys(current={self._current!r}, key_ids={list(self._keys)!r}, source={self._source!r})"

    # -- making, rotating, files ---------------------------------------------------------------

    @classmethod
    def generate(cls, key_id: str = LEGACY_KEY_ID, *, source: str = "generated signing keys") -> SigningKeys:
        return cls({key_id: Ed25519PrivateKey.generate()}, key_id, source=source)

    def rotated(self, key_id: str | None = None) -> SigningKeys:
        """A set with a new key made current; the old ones stay so their signatures verify.
        ``key_id`` defaults to ``s<N>``, N one more than the highest such id."""
        if key_id is None:
            numbers = [int(k[1:]) for k in self._keys if re.fullmatch(r"s[0-9]{1,14}", k)]
            key_id = f"s{max(numbers, default=0) + 1}"
        if key_id in self._keys:
            raise SigningKeyError("signing.keys.id_taken", source=self._source, key_id=repr(key_id))
        return SigningKeys({**self._keys, key_id: Ed25519PrivateKey.generate()}, key_id, source=self._source)

    def to_document(self) -> dict:
        """The key set with its private keys (base64 of the raw 32 bytes): a secret."""
        raw = {k: v.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                  serialization.NoEncryption()) for k, v in self._keys.items()}
        return {"current": self._current, "keys": {k: base64.b64encode(v).decode("ascii") for k, v in raw.items()}}

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_document(), indent=2) + "\n").encode("utf-8")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the set to ``path``, mode 0600, atomically (replacing what is there)."""
        write_atomic(Path(path), self.to_bytes(), mode=0o600)

    @classmethod
    def from_document(cls, text: str | bytes, *, source: str = "signing key document") -> SigningKeys:
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SigningKeyError("signing.document.not_json", source=source, error=said(exc)) from None
        if not isinstance(doc, dict) or set(doc) != {"current", "keys"} or not isinstance(doc["keys"], dict):
            raise SigningKeyError("signing.document.shape", source=source)
        keys = {}
        for key_id, value in doc["keys"].items():
            try:
                raw = base64.b64decode(str(value), validate=True)
                keys[key_id] = Ed25519PrivateKey.from_private_bytes(raw)
            except (binascii.Error, ValueError):
                raise SigningKeyError("signing.document.bad_key", source=source, key_id=repr(key_id)) from None
        return cls(keys, doc["current"] if isinstance(doc["current"], str) else repr(doc["current"]), source=source)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SigningKeys:
        """Read a key set file; refuse one that group or others may read or write."""
        path = Path(path)
        return cls.from_document(_read_private(path), source=str(path))

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str], legacy: Path | None = None) -> SigningKeys:
        """The key set at ``path``; when there is none, one made from ``legacy`` (a single PEM
        key file of the earlier kind, which becomes key ``s1``) or a new one, written 0600.

        Instances sharing the key folder may race to make it: the file is created exclusively,
        so the first one written is the one every instance loads."""
        path = Path(path)
        legacy = path.with_name(LEGACY_FILE_NAME) if legacy is None else legacy
        if path.exists():
            return cls.load(path)
        made = cls.from_legacy(legacy) if legacy.exists() else cls.generate(source=str(path))
        _create_exclusive(path, made.to_bytes())
        return cls.load(path)

    @classmethod
    def from_legacy(cls, pem_file: Path) -> SigningKeys:
        try:
            key = serialization.load_pem_private_key(pem_file.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise SigningKeyError("signing.legacy.unreadable", path=str(pem_file), error=said(exc)) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError("signing.legacy.not_ed25519", path=str(pem_file), kind=type(key).__name__)
        return cls({LEGACY_KEY_ID: key}, LEGACY_KEY_ID, source=str(pem_file))


LEGACY_FILE_NAME = "report-signing.pem"
FILE_NAME = "report-signing-keys.json"


def rotate_file(path: Path, key_id: str | None = None) -> SigningKeys:
    """Add a new current key to the key set at ``path`` (made first if there is none, taking in
    a report-signing.pem beside it); returns the new set."""
    rotated = SigningKeys.load_or_create(path).rotated(key_id)
    rotated.save(path)
    return rotated


def public_keys_from_text(text: str, source: str = "public key") -> PublicKeys:
    """What ``ykt report verify --public-key`` reads: a public key set (``ykt keys public``) or
    one PEM public key."""
    if not text.lstrip().startswith("{"):
        return text
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SigningKeyError("signing.public.not_json", source=source, error=said(exc)) from None
    keys = doc.get("keys") if isinstance(doc, dict) else None
    if not isinstance(keys, dict) or not keys or not all(isinstance(v, str) for v in keys.values()):
        raise SigningKeyError("signing.public.shape", source=source)
    return dict(keys)


def verify(public_keys: PublicKeys, digest_hex: str, signature: str) -> bool:
    return signature_problem(public_keys, digest_hex, signature) is None


def split_signature(signature: str) -> tuple[str | None, str]:
    """``"s2:BASE64"`` → ("s2", "BASE64"); a signature without a key id → (None, it)."""
    if ":" in signature:
        key_id, raw = signature.split(":", 1)
        return key_id, raw
    return None, signature


def signature_problem(public_keys: PublicKeys, digest_hex: str, signature: str) -> str | None:
    """Why ``signature`` is not the service's signature over ``digest_hex`` (None: it is).

    ``public_keys`` is one PEM (checked whatever key id the signature names) or PEMs by key id
    (the signature's key id picks; one without an id is key ``s1``'s). Each failure is named
    apart, so whoever checks a copy learns whether the key, the encoding or the signature itself
    is wrong.
    """
    key_id, signature_b64 = split_signature(signature)
    if key_id is not None and not _KEY_ID.fullmatch(key_id):
        return f"the signature's key id {key_id!r} is not 1 to 16 characters from A-Z a-z 0-9 . _ -"
    if isinstance(public_keys, str):
        public_key_pem = public_keys
    else:
        wanted = key_id or LEGACY_KEY_ID
        if wanted not in public_keys:
            return (f"the signature was made with key {wanted!r}, which is not among the public keys "
                    f"({', '.join(sorted(public_keys)) or 'none'}): get the service's current public key set "
                    "(ykt keys public)")
        public_key_pem = public_keys[wanted]
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
        named = f" (key {key_id})" if key_id else ""
        return (f"the signature{named} does not verify over the digest {digest_hex} with this public key: "
                "the signature or the digest was altered, or another key signed it")
    return None


def _public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def _read_private(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise SigningKeyError("signing.file.not_found", path=str(path)) from None
    except OSError as exc:
        raise SigningKeyError("signing.file.cannot_open", path=str(path), why=briefly(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SigningKeyError("signing.file.not_regular", path=str(path))
        if os.name == "posix" and st.st_mode & 0o077:
            raise SigningKeyError("signing.file.open_to_others", path=str(path),
                                  mode=f"{stat.S_IMODE(st.st_mode):04o}")
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _create_exclusive(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (0600, complete or not at all) unless a file is already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)  # fails if another instance made it first: theirs stands
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
