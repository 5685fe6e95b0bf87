"""The errors of the privacy package: one hierarchy, messages that never carry key material.

Every message names what is wrong and where (the key file, the environment variable, the field,
the key id) so that an operator can fix it; none repeats a key, a plaintext or a ciphertext.

::

    PrivacyError
    ├── KeyringError              the keys cannot be loaded or are unusable
    │   ├── KeyringNotConfigured  no key file and no key document given
    │   └── KeyFilePermissionError  the key file is open to group or others, or not a file
    └── SealedDataError           a sealed value cannot be opened
        ├── MalformedBlobError    too short, or an unknown format version
        ├── UnknownKeyIdError     sealed with a key this keyring does not hold
        └── TamperedBlobError     authentication failed: altered, or sealed for another field

A message may be given as catalogue words (an :class:`i18n.Phrase`, i18n/catalogue_privacy.py), kept
as :attr:`PrivacyError.phrase`, so that a refused key file is said in the reader's language
(``i18n.library_words.said``); ``str()`` is its English text.
"""
from __future__ import annotations

from i18n import Phrase

__all__ = [
    "KeyFilePermissionError",
    "KeyringError",
    "KeyringNotConfigured",
    "MalformedBlobError",
    "PrivacyError",
    "SealedDataError",
    "TamperedBlobError",
    "UnknownKeyIdError",
]


class PrivacyError(Exception):
    """Base of every error raised by the privacy package. ``phrase``: the message's words, or
    None for a message given as plain text."""

    def __init__(self, message: str | Phrase) -> None:
        self.phrase = message if isinstance(message, Phrase) else None
        super().__init__(str(message))


class KeyringError(PrivacyError):
    """The keys cannot be loaded: missing, malformed, wrong length, or unsafe to use."""


class KeyringNotConfigured(KeyringError):
    """Neither a key file nor a key document was given."""


class KeyFilePermissionError(KeyringError):
    """The key file is readable or writable by group or others, or is not a regular file."""


class SealedDataError(PrivacyError):
    """A sealed value cannot be opened."""


class MalformedBlobError(SealedDataError):
    """The value is not a sealed value of a known format (too short, unknown version)."""


class UnknownKeyIdError(SealedDataError):
    """The value was sealed with a key id that this keyring does not hold."""

    def __init__(self, message: str | Phrase, key_id: str) -> None:
        super().__init__(message)
        self.key_id = key_id


class TamperedBlobError(SealedDataError):
    """Authentication failed: the value was altered, or it was sealed for another field."""
