"""What every use case needs: the database, the settings, a clock, the personal-data cipher and
a way to reach banks."""
from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from i18n import Phrase
from i18n.library_words import said
from privacy.cipher import FieldCipher
from privacy.errors import KeyringError, KeyringNotConfigured
from privacy.keys import Keyring
from service.config import ConfigError, Settings
from sftp.client import BankSftp
from sftp.endpoint import SftpEndpoint


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_instance_id() -> str:
    """``host:pid:random``: names this process in leases and in ``ykt files``; unique per start."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(3)}"


def load_cipher(settings: Settings) -> FieldCipher:
    """The personal-data keys: from ``YKT_PII_KEY_FILE``/``YKT_PII_KEYS`` when set, else the
    settings' key file. A missing key file is an error, never a reason to make new keys: values
    sealed with the lost ones could not be opened again."""
    try:
        try:
            keyring = Keyring.from_env()
        except KeyringNotConfigured:
            keyring = Keyring.load(settings.key_file)
    except KeyringError as exc:
        raise ConfigError(Phrase.of("config.pii_keys", detail=said(exc))) from None
    return FieldCipher(keyring)


@dataclass
class Context:
    engine: Engine
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    connect: Callable[[SftpEndpoint], BankSftp] = field(default=BankSftp)
    cipher: FieldCipher | None = None  # None: loaded by load_cipher(settings)
    instance_id: str = ""  # who holds leases in the database; "": settings.instance_id or new_instance_id()

    def __post_init__(self) -> None:
        if self.cipher is None:
            self.cipher = load_cipher(self.settings)
        if not self.instance_id:
            self.instance_id = self.settings.instance_id or new_instance_id()
