"""The errors of the filesec package: one hierarchy; messages name the file and why, never a key.

::

    FileSecurityError               anything that stops a file from being protected or opened
    ├── KeyFileError                a key set cannot be used: missing, malformed, open to others,
    │                               a key of the wrong type (a fault of the configuration)
    ├── UnknownKey                  a signature or envelope names a key id we do not hold
    ├── PolicyViolation             the file is not protected the way the bank's profile demands
    │   └── MissingSignature        a signature is demanded and none came with the file
    ├── BadSignature                the signature does not prove the file: altered file,
    │   │                           altered signature, another file's signature
    │   └── MalformedSignature      the signature file is not a signature of a known format
    └── DecryptionFailed            the envelope does not open: altered header, wrapped key or
        │                           chunk, reordered chunks, not encrypted for our key
        ├── MalformedEnvelope       not an envelope of a known format
        └── Truncated               the envelope ends before its final chunk

Every error carries ``file`` (the name or path it is about, for the quarantine record). A caller
quarantines a file on any :class:`FileSecurityError` and books nothing; :class:`KeyFileError` is a
fault of this side's configuration, not of the file, and may instead be retried once it is fixed.

Why is given as catalogue words (i18n/catalogue_filesec.py), so that a quarantined file's reason and
a refused key set are said in the reader's language: :attr:`FileSecurityError.phrase` is the whole
error in words (``i18n.library_words.said`` gives it), ``str()`` stays the English text.
"""
from __future__ import annotations

from i18n import Phrase

__all__ = [
    "BadSignature",
    "DecryptionFailed",
    "FileSecurityError",
    "KeyFileError",
    "MalformedEnvelope",
    "MalformedSignature",
    "MissingSignature",
    "PolicyViolation",
    "Truncated",
    "UnknownKey",
]


class FileSecurityError(Exception):
    """Base of every filesec error. ``file`` is the file (name or path) the error is about;
    ``why`` is English, ``said`` the same reason as given (catalogue words, or a plain text)."""

    def __init__(self, file: object, why: str | Phrase) -> None:
        self.file = str(file)
        self.said = why
        self.why = str(why)
        super().__init__(str(self.phrase))

    @property
    def phrase(self) -> Phrase:
        """The whole error in words: the file, then why."""
        return Phrase.of("filesec.error", file=self.file, why=self.said)


class KeyFileError(FileSecurityError):
    """A key set or key file cannot be used; ``file`` is the key file."""


class UnknownKey(FileSecurityError):
    """The signature or envelope names a key id that the configured key set does not hold."""

    def __init__(self, file: object, why: str | Phrase, key_id: str) -> None:
        super().__init__(file, why)
        self.key_id = key_id


class PolicyViolation(FileSecurityError):
    """The file is protected differently from (or less than) what the profile demands."""


class MissingSignature(PolicyViolation):
    """A signature is demanded for the file and none was given."""


class BadSignature(FileSecurityError):
    """The signature does not verify, or does not belong to this file."""


class MalformedSignature(BadSignature):
    """The signature file cannot be read as a signature of a known format."""


class DecryptionFailed(FileSecurityError):
    """The envelope does not decrypt: something in it was altered, or it is not for our key."""


class MalformedEnvelope(DecryptionFailed):
    """The file is not an envelope of a known format (bad magic, bad header)."""


class Truncated(DecryptionFailed):
    """The envelope ends before its final chunk: the file was cut short."""
