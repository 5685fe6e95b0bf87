"""What every use case needs: the database, the settings, a clock, the personal-data cipher and
a way to reach banks."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from privacy.cipher import FieldCipher
from privacy.errors import KeyringError, KeyringNotConfigured
from privacy.keys import Keyring
from service.config import ConfigError, Settings
from sftp.client import BankSftp
from sftp.endpoint import SftpEndpoint


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        raise ConfigError(f"personal-data keys: {exc} (create them with: ykt keys init)") from None
    return FieldCipher(keyring)


@dataclass
class Context:
    engine: Engine
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    connect: Callable[[SftpEndpoint], BankSftp] = field(default=BankSftp)
    cipher: FieldCipher | None = None  # None: loaded by load_cipher(settings)

    def __post_init__(self) -> None:
        if self.cipher is None:
            self.cipher = load_cipher(self.settings)
