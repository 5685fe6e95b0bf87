"""What every use case needs: the database, the settings, a clock and a way to reach banks."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from service.config import Settings
from sftp.client import BankSftp
from sftp.endpoint import SftpEndpoint


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    engine: Engine
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    connect: Callable[[SftpEndpoint], BankSftp] = field(default=BankSftp)
