"""Key sets: the asymmetric keys of one party for one purpose, by key id, with rotation.

Each party (this service, each bank) has up to four key sets in play per bank:

==============  =======================================  ==========================
key set         holds                                    used to
==============  =======================================  ==========================
``sign``        our private signing keys                 sign outbound files
``decrypt``     our private decryption keys              open envelopes sent to us
``verify``      the bank's public signing keys           verify the bank's files
``encrypt``     the bank's public encryption keys        encrypt files for the bank
==============  =======================================  ==========================

Every signature and envelope names the id of the key it was made with; the reader looks that id
up in its set, so a set may hold several keys: **rotation** is adding a new key, making it
``current`` (the one that signs or encrypts), and keeping the old ones as long as files made with
them may still arrive. An id the set does not hold is :class:`~filesec.errors.UnknownKey`.

A key set is a JSON document::

    {
      "current": "ykt-2027",
      "keys": {
        "ykt-2026": "ykt-2026.sign.pem",
        "ykt-2027": "-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEI...\\n-----END PRIVATE KEY-----\\n"
      }
    }

Each key is either a PEM text or the name of a PEM file, relative to the key set's folder (so a
key received from a bank as a ``.pem`` file is added with one line). Private keys are unencrypted
PKCS#8 (or traditional) PEM; public keys are SubjectPublicKeyInfo PEM. Key types: Ed25519 and
RSA (at least 2048 bits) for signatures, RSA and X25519 for encryption; the type of a key decides
the algorithm it is used with. ``current`` may be left out when the set has one key, and is not
needed for ``verify`` and ``decrypt`` sets.

A **private** key set (and every PEM file it names) must be a regular file with no permission
bits for group or others (``chmod 600``), or loading refuses, as OpenSSH does for private keys;
:func:`generate_keys` writes them so. A public key set refuses to hold a private key (it is what
is handed to the other party).

Key ids are 1 to 64 characters from ``A-Z a-z 0-9 . _ -``. Messages name the key set file and key
ids, never key material.
"""
from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa, x25519

from durable import fsync_dir, write_atomic
from filesec.algorithms import SignatureAlgorithm, Wrap
from filesec.errors import KeyFileError, UnknownKey
from i18n import Phrase
from i18n.library_words import briefly

__all__ = [
    "KEY_ID",
    "KeySet",
    "PartyKeys",
    "PrivateKey",
    "PublicKey",
    "add_key",
    "generate_keys",
    "key_kind",
]

PrivateKey = Union[ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey, x25519.X25519PrivateKey]  # noqa: UP007
PublicKey = Union[ed25519.Ed25519PublicKey, rsa.RSAPublicKey, x25519.X25519PublicKey]  # noqa: UP007
Key = Union[PrivateKey, PublicKey]  # noqa: UP007

KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
MIN_RSA_BITS = 2048
MAX_KEY_FILE = 1 << 20  # a key set or PEM file is small; refuse to read anything huge
_FIELDS = frozenset({"current", "keys"})


def key_kind(key: Key) -> str:
    """``ed25519``, ``rsa`` or ``x25519``: the kind of a key, private or public."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "rsa"
    if isinstance(key, x25519.X25519PrivateKey | x25519.X25519PublicKey):
        return "x25519"
    raise TypeError(f"unsupported key type {type(key).__name__}")


def signature_algorithm_of(key: Key) -> SignatureAlgorithm | None:
    """The signature algorithm a key is used with; None for a key that does not sign."""
    return {"ed25519": SignatureAlgorithm.ED25519, "rsa": SignatureAlgorithm.RSA_PSS_SHA256}.get(key_kind(key))


def wrap_of(key: Key) -> Wrap | None:
    """The key wrap a key is used with; None for a key that does not encrypt."""
    return {"rsa": Wrap.RSA_OAEP_SHA256, "x25519": Wrap.X25519_HKDF_SHA256}.get(key_kind(key))


class KeySet:
    """Keys by id and the id of the current one; private or public. Shows key ids only."""

    __slots__ = ("_current", "_keys", "_private", "_source")

    def __init__(self, keys: Mapping[str, Key], current: str | None = None, *, private: bool,
                 source: str = "key set") -> None:
        if not keys:
            raise KeyFileError(source, Phrase.of("filesec.keys.empty"))
        for key_id, key in keys.items():
            if not isinstance(key_id, str) or not KEY_ID.fullmatch(key_id):
                raise KeyFileError(source, Phrase.of("filesec.keys.bad_id", key_id=repr(key_id)))
            _check_key(key, private, source, key_id)
        if current is None and len(keys) == 1:
            current = next(iter(keys))
        if current is not None and current not in keys:
            raise KeyFileError(source, Phrase.of("filesec.keys.current_not_held", current=repr(current),
                                                 keys=str(sorted(keys))))
        self._keys = dict(keys)
        self._current = current
        self._private = private
        self._source = source

    @property
    def source(self) -> str:
        return self._source

    @property
    def private(self) -> bool:
        return self._private

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    @property
    def current_id(self) -> str:
        if self._current is None:
            raise KeyFileError(self._source, Phrase.of("filesec.keys.no_current", count=len(self._keys)))
        return self._current

    @property
    def current(self) -> Key:
        return self._keys[self.current_id]

    def get(self, key_id: str, file: object) -> Key:
        """The key with this id; :class:`UnknownKey` naming ``file`` (the file that asked) if none."""
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownKey(file, Phrase.of("filesec.keys.unknown", key_id=repr(key_id), source=self._source,
                                             keys=", ".join(sorted(self._keys))), key_id) from None

    def public(self) -> KeySet:
        """The public halves of a private set (what is handed to the other party)."""
        if not self._private:
            return self
        return KeySet({k: v.public_key() for k, v in self._keys.items()}, self._current, private=False,
                      source=f"public halves of {self._source}")

    def kinds(self) -> set[str]:
        return {key_kind(k) for k in self._keys.values()}

    def __repr__(self) -> str:
        return (f"KeySet({'private' if self._private else 'public'}, current={self._current!r}, "
                f"key_ids={list(self._keys)!r}, source={self._source!r})")

    # -- files ---------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, private: bool) -> KeySet:
        """Read a key set file (and the PEM files it names); private sets must be mode 0600."""
        path = Path(path)
        doc = _parse_document(_read(path, private, path), path)
        keys = {}
        for key_id, value in doc["keys"].items():
            if not isinstance(value, str) or not value.strip():
                raise KeyFileError(path, Phrase.of("filesec.keys.not_pem_or_name", key_id=repr(key_id)))
            if value.lstrip().startswith("-----BEGIN"):
                pem, where = value.encode("ascii", "replace"), path
            else:
                where = path.parent / value
                pem = _read(where, private, path)
            keys[key_id] = _load_pem(pem, private, where, key_id)
        return cls(keys, doc.get("current"), private=private, source=str(path))


def _parse_document(data: bytes, path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise KeyFileError(path, Phrase.of("filesec.keys.not_utf8")) from None
    except json.JSONDecodeError as exc:  # position only, never the text
        raise KeyFileError(path, Phrase.of("filesec.keys.not_json", line=exc.lineno, column=exc.colno)) from None
    if not isinstance(doc, dict):
        raise KeyFileError(path, Phrase.of("filesec.keys.not_object"))
    unknown = sorted(set(doc) - _FIELDS)
    if unknown:
        raise KeyFileError(path, Phrase.of("filesec.keys.unknown_entries", unknown=str(unknown),
                                           fields=str(sorted(_FIELDS))))
    if not isinstance(doc.get("keys"), dict) or not doc["keys"]:
        raise KeyFileError(path, Phrase.of("filesec.keys.keys_not_map"))
    if "current" in doc and not isinstance(doc["current"], str):
        raise KeyFileError(path, Phrase.of("filesec.keys.current_not_id"))
    return doc


def _read(path: Path, private: bool, key_set: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise KeyFileError(path, Phrase.of("filesec.keys.set_not_found") if path == key_set
                           else Phrase.of("filesec.keys.pem_not_found", key_set=str(key_set))) from None
    except OSError as exc:
        raise KeyFileError(path, Phrase.of("filesec.keys.cannot_open", why=briefly(exc))) from None
    try:
        st = os.fstat(fd)  # the file we read, not whatever the name points at later
        if not stat.S_ISREG(st.st_mode):
            raise KeyFileError(path, Phrase.of("filesec.keys.not_regular"))
        if private and os.name == "posix" and st.st_mode & 0o077:
            raise KeyFileError(path, Phrase.of("filesec.keys.open_to_others", mode=f"{stat.S_IMODE(st.st_mode):04o}",
                                               path=str(path)))
        if st.st_size > MAX_KEY_FILE:
            raise KeyFileError(path, Phrase.of("filesec.keys.too_large", size=st.st_size))
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _load_pem(pem: bytes, private: bool, where: Path, key_id: str) -> Key:
    is_private = b"PRIVATE KEY-----" in pem
    if is_private and not private:
        raise KeyFileError(where, Phrase.of("filesec.keys.private_in_public", key_id=repr(key_id)))
    if private and not is_private:
        raise KeyFileError(where, Phrase.of("filesec.keys.not_private", key_id=repr(key_id)))
    try:
        if private:
            key = serialization.load_pem_private_key(pem, password=None)
        else:
            key = serialization.load_pem_public_key(pem)
    except TypeError:
        raise KeyFileError(where, Phrase.of("filesec.keys.password", key_id=repr(key_id))) from None
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(where, Phrase.of("filesec.keys.unreadable_private" if private
                                            else "filesec.keys.unreadable_public", key_id=repr(key_id))) from None
    _check_key(key, private, where, key_id)
    return key  # type: ignore[return-value]


def _check_key(key: object, private: bool, where: object, key_id: str) -> None:
    allowed = ((ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey, x25519.X25519PrivateKey) if private
               else (ed25519.Ed25519PublicKey, rsa.RSAPublicKey, x25519.X25519PublicKey))
    if not isinstance(key, allowed):
        raise KeyFileError(where, Phrase.of("filesec.keys.wrong_type_private" if private
                                            else "filesec.keys.wrong_type_public",
                                            key_id=repr(key_id), type=type(key).__name__.lstrip("_")))
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise KeyFileError(where, Phrase.of("filesec.keys.rsa_too_small", key_id=repr(key_id), bits=key.key_size,
                                            least=MIN_RSA_BITS))


# -- writing, generating, rotating -------------------------------------------------------------


def write_key_set(path: Path, keys: Mapping[str, str], current: str | None, *, private: bool) -> None:
    """Write a key set document (ids to PEM texts or file names) atomically; 0600 if private."""
    doc: dict[str, Any] = {}
    if current is not None:
        doc["current"] = current
    doc["keys"] = dict(keys)
    write_atomic(Path(path), (json.dumps(doc, indent=2) + "\n").encode("utf-8"), 0o600 if private else 0o644)


def add_key(key_set: str | os.PathLike[str], key_id: str, pem_file: str, *, private: bool,
            make_current: bool = True) -> None:
    """Add ``key_id`` (a PEM file beside the key set) to a key set, creating the set if need be.

    Refuses an id already in the set: a key id must always mean one key, or old signatures
    would be checked against the wrong key. The set is loaded back to check the new key.
    """
    path = Path(key_set)
    if not KEY_ID.fullmatch(key_id):
        raise KeyFileError(path, Phrase.of("filesec.keys.bad_id", key_id=repr(key_id)))
    keys: dict[str, str] = {}
    current = None
    if path.exists():
        doc = _parse_document(_read(path, private, path), path)
        keys, current = dict(doc["keys"]), doc.get("current")
        if key_id in keys:
            raise KeyFileError(path, Phrase.of("filesec.keys.id_taken", key_id=repr(key_id)))
        if current is None and len(keys) == 1:
            current = next(iter(keys))
    keys[key_id] = pem_file
    if make_current or current is None:
        current = key_id
    old = path.read_bytes() if path.exists() else None
    write_key_set(path, keys, current, private=private)
    try:
        KeySet.load(path, private=private)
    except KeyFileError:
        if old is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, old, 0o600 if private else 0o644)
        raise


@dataclass(frozen=True)
class PartyKeys:
    """The four key set files of one party, as :func:`generate_keys` leaves them in a folder.

    ``sign`` and ``decrypt`` hold the party's private keys and stay with it; ``verify`` and
    ``encrypt`` hold their public halves and are what the other party configures as *its*
    ``verify`` and ``encrypt`` key sets.
    """

    sign: Path
    decrypt: Path
    verify: Path
    encrypt: Path

    @classmethod
    def in_folder(cls, folder: Path) -> PartyKeys:
        folder = Path(folder)
        return cls(folder / "sign.keys.json", folder / "decrypt.keys.json",
                   folder / "verify.keys.json", folder / "encrypt.keys.json")


def generate_keys(folder: str | os.PathLike[str], key_id: str, *,
                  signing: SignatureAlgorithm | str = SignatureAlgorithm.ED25519,
                  wrap: Wrap | str = Wrap.X25519_HKDF_SHA256, rsa_bits: int = 3072,
                  make_current: bool = True) -> PartyKeys:
    """Make a new signing key pair and a new encryption key pair for one party, id ``key_id``.

    In ``folder`` (created with mode 0700): ``ID.sign.pem`` and ``ID.decrypt.pem`` (private,
    mode 0600), ``ID.verify.pub.pem`` and ``ID.encrypt.pub.pem`` (public), and the four key sets of
    :class:`PartyKeys`, created or — for rotation — extended with the new id (made current unless
    ``make_current`` is false; the old keys stay). Existing key files are never overwritten.
    """
    folder = Path(folder)
    signing, wrap = SignatureAlgorithm(signing), Wrap(wrap)
    if not KEY_ID.fullmatch(key_id):
        raise KeyFileError(folder, Phrase.of("filesec.keys.bad_id", key_id=repr(key_id)))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    sets = PartyKeys.in_folder(folder)
    names = {"sign": f"{key_id}.sign.pem", "verify": f"{key_id}.verify.pub.pem",
             "decrypt": f"{key_id}.decrypt.pem", "encrypt": f"{key_id}.encrypt.pub.pem"}
    for name in names.values():
        if (folder / name).exists():
            raise KeyFileError(folder / name, Phrase.of("filesec.keys.file_exists"))
    for set_path in (sets.sign, sets.decrypt, sets.verify, sets.encrypt):
        if set_path.exists():
            private = set_path in (sets.sign, sets.decrypt)
            doc = _parse_document(_read(set_path, private, set_path), set_path)
            if key_id in doc["keys"]:
                raise KeyFileError(set_path, Phrase.of("filesec.keys.id_taken", key_id=repr(key_id)))

    sign_key: PrivateKey = (ed25519.Ed25519PrivateKey.generate() if signing is SignatureAlgorithm.ED25519
                            else rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits))
    enc_key: PrivateKey = (x25519.X25519PrivateKey.generate() if wrap is Wrap.X25519_HKDF_SHA256
                           else rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits))
    _write_new(folder / names["sign"], _private_pem(sign_key), 0o600)
    _write_new(folder / names["verify"], _public_pem(sign_key), 0o644)
    _write_new(folder / names["decrypt"], _private_pem(enc_key), 0o600)
    _write_new(folder / names["encrypt"], _public_pem(enc_key), 0o644)
    add_key(sets.sign, key_id, names["sign"], private=True, make_current=make_current)
    add_key(sets.verify, key_id, names["verify"], private=False, make_current=make_current)
    add_key(sets.decrypt, key_id, names["decrypt"], private=True, make_current=make_current)
    add_key(sets.encrypt, key_id, names["encrypt"], private=False, make_current=make_current)
    return sets


def _private_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _public_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(path.parent)
