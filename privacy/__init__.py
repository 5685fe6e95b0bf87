"""Personal data at rest and in output: sealed fields, blind indexes, key files, log masking.

Threat model, in short: a stolen database file or backup must reveal no identity, account or
phone number. The ledger therefore stores them only sealed with AES-256-GCM
(:class:`FieldCipher`), with a keyed blind index (HMAC-SHA256) for equality look-ups and
duplicate checks, and a masked form for reports. The keys live outside the database, in a key
file readable by the service alone or in the environment (:class:`Keyring`); the index key is
separate from the data keys and does not rotate with them, so without it the index cannot be
reversed by trying every plausible identity number. Logs get a filter that masks anything that
looks like such a number (:mod:`privacy.logmask`).

::

    keyring = Keyring.from_env()          # YKT_PII_KEY_FILE or YKT_PII_KEYS
    cipher = FieldCipher(keyring)
    blob = cipher.seal(ID, "11010519491231002X")
    cipher.open(ID, blob)                 # '11010519491231002X'
    cipher.index(ID, "11010519491231002x")  # 16 bytes, same as for ...002X

``python -m privacy generate|rotate|show KEYFILE`` manages key files.
"""
from privacy.cipher import ACCOUNT, ID, INDEX_BYTES, PHONE, FieldCipher, normalize
from privacy.errors import (
    KeyFilePermissionError,
    KeyringError,
    KeyringNotConfigured,
    MalformedBlobError,
    PrivacyError,
    SealedDataError,
    TamperedBlobError,
    UnknownKeyIdError,
)
from privacy.keys import ENV_KEY_FILE, ENV_KEYS, Keyring, rotate_key_file

__all__ = [
    "ACCOUNT",
    "ENV_KEYS",
    "ENV_KEY_FILE",
    "ID",
    "INDEX_BYTES",
    "PHONE",
    "FieldCipher",
    "KeyFilePermissionError",
    "Keyring",
    "KeyringError",
    "KeyringNotConfigured",
    "MalformedBlobError",
    "PrivacyError",
    "SealedDataError",
    "TamperedBlobError",
    "UnknownKeyIdError",
    "normalize",
    "rotate_key_file",
]
