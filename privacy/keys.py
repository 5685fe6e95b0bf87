"""The keys that seal personal data at rest: AES-256 data keys by id, and one blind-index key.

Why: the ledger keeps identity, account and phone numbers sealed (see :mod:`privacy.cipher`), so a
stolen database file or backup reveals none of them. That only holds while the keys live
elsewhere: in a key file readable by the service's user alone, or in the service's environment.
The key file is never stored beside the database and never in a backup of it.

Two kinds of key, kept apart on purpose:

* **Data keys** (AES-256-GCM, 32 bytes each) seal and open values. Every sealed value carries the
  id of the key that sealed it, so the keyring can *rotate*: a new key is added and made current,
  new values are sealed with it, and the old keys stay to open older values (re-sealing old rows
  with :meth:`privacy.cipher.FieldCipher.reseal` is optional, and only then may an old key go).
* **The index key** (HMAC-SHA256, 32 bytes) computes the blind indexes used for equality look-ups
  and duplicate checks. It does **not** rotate with the data keys: an index is only useful if the
  same value gives the same index in every batch, past and future. Identity numbers live in a
  small space (about 10^10 plausible values), so an unkeyed hash could be reversed by trying them
  all; with a secret key that search needs the key. Rotating the index key therefore means
  re-indexing every row (open each sealed value, compute the new index) in one maintenance run,
  then switching the key file; there is no index key id beside the index.

The key document (JSON, or TOML when the file name ends in ``.toml``)::

    {
      "current": "k2",
      "keys": {"k1": "<base64 of 32 bytes>", "k2": "<base64 of 32 bytes>"},
      "index_key": "<base64 of 32 bytes>"
    }

Key ids are 1 to 16 characters from ``A-Z a-z 0-9 . _ -``; they are written into every sealed
value, so keep them short. Where the keys come from, in order (:meth:`Keyring.from_env`):
``YKT_PII_KEY_FILE`` naming a key file, or ``YKT_PII_KEYS`` holding the document itself (setting
both is an error). The file is preferred: an environment is visible to anything that can read
``/proc/PID/environ`` as the same user, and is easily printed by accident.

A key file must be a regular file with no permission bits for group or others (``chmod 600``);
otherwise loading refuses, as OpenSSH does for private keys. :meth:`Keyring.generate` and
:meth:`Keyring.save` write files that way, atomically. ``python -m privacy`` generates, rotates
and describes key files from the command line.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from durable import write_atomic
from i18n import Phrase
from i18n.library_words import briefly, said
from privacy.errors import KeyFilePermissionError, KeyringError, KeyringNotConfigured, UnknownKeyIdError

__all__ = ["ENV_KEYS", "ENV_KEY_FILE", "KEY_BYTES", "Keyring", "rotate_key_file"]

ENV_KEYS = "YKT_PII_KEYS"
ENV_KEY_FILE = "YKT_PII_KEY_FILE"
KEY_BYTES = 32  # AES-256; and the index key, the size of an SHA-256 output

_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,16}")
_DOCUMENT_FIELDS = frozenset({"current", "keys", "index_key"})


class Keyring:
    """Data keys by id, the id of the current one, and the blind-index key.

    Immutable: :meth:`rotated` returns a new keyring. The representation shows key ids only.
    """

    __slots__ = ("_current", "_index_key", "_keys", "_source")

    def __init__(self, keys: Mapping[str, bytes], current: str, index_key: bytes, *, source: str = "keyring") -> None:
        where = source
        if not keys:
            raise KeyringError(Phrase.of("privacy.keyring.no_data_keys", source=where))
        checked: dict[str, bytes] = {}
        for key_id, key in keys.items():
            if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
                raise KeyringError(Phrase.of("privacy.keyring.bad_id", source=where, key_id=repr(key_id)))
            if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
                raise KeyringError(Phrase.of("privacy.keyring.data_key_size", source=where, key_id=repr(key_id),
                                             want=KEY_BYTES, size=len(key))
                                   if isinstance(key, bytes | bytearray)
                                   else Phrase.of("privacy.keyring.data_key_not_bytes", source=where,
                                                  key_id=repr(key_id), want=KEY_BYTES))
            checked[key_id] = bytes(key)
        if current not in checked:
            raise KeyringError(Phrase.of("privacy.keyring.current_not_held", source=where, current=repr(current),
                                         keys=str(sorted(checked))))
        if not isinstance(index_key, bytes | bytearray) or len(index_key) != KEY_BYTES:
            raise KeyringError(Phrase.of("privacy.keyring.index_key_size", source=where, want=KEY_BYTES,
                                         size=len(index_key))
                               if isinstance(index_key, bytes | bytearray)
                               else Phrase.of("privacy.keyring.index_key_not_bytes", source=where, want=KEY_BYTES))
        if bytes(index_key) in checked.values():
            raise KeyringError(Phrase.of("privacy.keyring.index_key_reused", source=where))
        self._keys = checked
        self._current = current
        self._index_key = bytes(index_key)
        self._source = source

    # -- reading -------------------------------------------------------------------------------

    @property
    def current_id(self) -> str:
        """The id of the key that seals new values."""
        return self._current

    @property
    def key_ids(self) -> tuple[str, ...]:
        """All data key ids, in the order of the document."""
        return tuple(self._keys)

    @property
    def source(self) -> str:
        """Where the keys came from (a path, an environment variable), for messages."""
        return self._source

    def data_key(self, key_id: str) -> bytes:
        """The data key with this id; :class:`UnknownKeyIdError` if there is none."""
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownKeyIdError(Phrase.of("privacy.keyring.unknown_id", source=self._source, key_id=repr(key_id),
                                              keys=str(sorted(self._keys))), key_id) from None

    @property
    def current_key(self) -> bytes:
        return self._keys[self._current]

    @property
    def index_key(self) -> bytes:
        return self._index_key

    def __repr__(self) -> str:
        return f"Keyring(current={self._current!r}, key_ids={list(self._keys)!r}, source={self._source!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Keyring):
            return NotImplemented
        return (self._keys, self._current, self._index_key) == (other._keys, other._current, other._index_key)

    __hash__ = None  # type: ignore[assignment]

    # -- making and rotating -------------------------------------------------------------------

    @classmethod
    def generate(cls, path: str | os.PathLike[str] | None = None, *, key_id: str = "k1",
                 overwrite: bool = False) -> Keyring:
        """A fresh keyring with one data key and an index key, written to ``path`` (mode 0600).

        Refuses to replace an existing file unless ``overwrite``: losing a key file loses every
        value sealed with it. With no path, the keyring lives in memory only.
        """
        keyring = cls({key_id: secrets.token_bytes(KEY_BYTES)}, key_id, secrets.token_bytes(KEY_BYTES),
                      source=str(path) if path is not None else "generated keyring")
        if path is not None:
            keyring.save(path, overwrite=overwrite)
        return keyring

    def rotated(self, key_id: str | None = None) -> Keyring:
        """A keyring with a new data key made current; the old keys stay to open old values.

        ``key_id`` defaults to ``k<N>`` with N one more than the highest such id. The index key
        is kept (see the module documentation).
        """
        if key_id is None:
            numbers = [int(k[1:]) for k in self._keys if re.fullmatch(r"k[0-9]{1,14}", k)]
            key_id = f"k{max(numbers, default=0) + 1}"
        if key_id in self._keys:
            raise KeyringError(Phrase.of("privacy.keyring.id_taken", source=self._source, key_id=repr(key_id)))
        keys = dict(self._keys)
        keys[key_id] = secrets.token_bytes(KEY_BYTES)
        return Keyring(keys, key_id, self._index_key, source=self._source)

    # -- documents and files -------------------------------------------------------------------

    def to_document(self) -> dict[str, Any]:
        """The key document (with the keys in base64): handle it as the secret it is."""
        return {
            "current": self._current,
            "keys": {k: base64.b64encode(v).decode("ascii") for k, v in self._keys.items()},
            "index_key": base64.b64encode(self._index_key).decode("ascii"),
        }

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> None:
        """Write the key document to ``path`` with mode 0600, atomically (temporary file, rename).

        TOML when the name ends in ``.toml``, JSON otherwise.
        """
        path = Path(path)
        if not overwrite and path.exists():
            raise KeyringError(Phrase.of("privacy.file.exists", path=str(path)))
        doc = self.to_document()
        if path.suffix.lower() == ".toml":
            text = _toml_document(doc)
        else:
            text = json.dumps(doc, indent=2) + "\n"
        write_atomic(path, text.encode("utf-8"), mode=0o600)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Keyring:
        """Read a key file; refuse one that group or others may read or write."""
        path = Path(path)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise KeyringError(Phrase.of("privacy.file.not_found", path=str(path))) from None
        except OSError as exc:
            raise KeyringError(Phrase.of("privacy.file.cannot_open", path=str(path), why=briefly(exc))) from None
        try:
            st = os.fstat(fd)  # the file we read, not whatever the name points at later
            if not stat.S_ISREG(st.st_mode):
                raise KeyFilePermissionError(Phrase.of("privacy.file.not_regular", path=str(path)))
            if os.name == "posix" and st.st_mode & 0o077:
                raise KeyFilePermissionError(Phrase.of("privacy.file.open_to_others", path=str(path),
                                                       mode=f"{stat.S_IMODE(st.st_mode):04o}"))
            chunks = []
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
        finally:
            os.close(fd)
        try:
            text = b"".join(chunks).decode("utf-8")
        except UnicodeDecodeError:
            raise KeyringError(Phrase.of("privacy.file.not_utf8", path=str(path))) from None
        return cls.from_document(text, source=str(path), toml=path.suffix.lower() == ".toml")

    @classmethod
    def from_document(cls, document: str | Mapping[str, Any], *, source: str = "key document",
                      toml: bool | None = None) -> Keyring:
        """A keyring from a key document: text (JSON or TOML) or an already parsed mapping.

        For text, ``toml=None`` takes JSON when it starts with ``{`` and TOML otherwise.
        """
        if isinstance(document, str):
            if toml is None:
                toml = not document.lstrip().startswith("{")
            try:
                doc = tomllib.loads(document) if toml else json.loads(document)
            except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
                # both parsers' messages give a position and never quote the text
                raise KeyringError(Phrase.of("privacy.document.unparsable", source=source,
                                             format="TOML" if toml else "JSON", error=said(exc))) from None
        else:
            doc = document
        if not isinstance(doc, Mapping):
            raise KeyringError(Phrase.of("privacy.document.not_table", source=source))
        unknown = sorted(set(doc) - _DOCUMENT_FIELDS)
        if unknown:
            raise KeyringError(Phrase.of("privacy.document.unknown_entries", source=source, unknown=str(unknown),
                                         fields=str(sorted(_DOCUMENT_FIELDS))))
        missing = sorted(_DOCUMENT_FIELDS - set(doc))
        if missing:
            raise KeyringError(Phrase.of("privacy.document.missing", source=source, missing=str(missing)))
        current, keys, index_key = doc["current"], doc["keys"], doc["index_key"]
        if not isinstance(current, str):
            raise KeyringError(Phrase.of("privacy.document.current_not_id", source=source))
        if not isinstance(keys, Mapping) or not keys:
            raise KeyringError(Phrase.of("privacy.document.keys_not_map", source=source))
        decoded = {str(k): _b64(v, source, Phrase.of("privacy.document.data_key", key_id=repr(k)))
                   for k, v in keys.items()}
        return cls(decoded, current, _b64(index_key, source, Phrase.of("privacy.document.index_key")), source=source)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Keyring:
        """The keyring named by ``YKT_PII_KEY_FILE`` or held in ``YKT_PII_KEYS`` (not both)."""
        env = os.environ if environ is None else environ
        file, doc = env.get(ENV_KEY_FILE, ""), env.get(ENV_KEYS, "")
        if file and doc:
            raise KeyringError(Phrase.of("privacy.env.both", file_var=ENV_KEY_FILE, keys_var=ENV_KEYS))
        if file:
            return cls.load(file)
        if doc:
            return cls.from_document(doc, source=f"${ENV_KEYS}")
        raise KeyringNotConfigured(Phrase.of("privacy.env.neither", file_var=ENV_KEY_FILE, keys_var=ENV_KEYS))


def rotate_key_file(path: str | os.PathLike[str], key_id: str | None = None) -> str:
    """Add a new data key to the key file at ``path`` and make it current; returns its id.

    The file is replaced atomically and keeps mode 0600. Services using the file pick the new
    key up when they next load it; until then they keep sealing with the old one, which is fine
    because both can open each other's values once they have reloaded.
    """
    keyring = Keyring.load(path).rotated(key_id)
    keyring.save(path)
    return keyring.current_id


def _b64(value: object, source: str, what: Phrase) -> bytes:
    """The bytes of a key written in base64; ``what`` names the key (a data key, the index key)."""
    if not isinstance(value, str):
        raise KeyringError(Phrase.of("privacy.document.not_text", source=source, what=what))
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(Phrase.of("privacy.document.not_base64", source=source, what=what)) from None


def _toml_document(doc: dict[str, Any]) -> str:
    lines = [f'current = "{doc["current"]}"', f'index_key = "{doc["index_key"]}"', "", "[keys]"]
    lines += [f'"{k}" = "{v}"' for k, v in doc["keys"].items()]  # ids and base64 need no escaping
    return "\n".join(lines) + "\n"


