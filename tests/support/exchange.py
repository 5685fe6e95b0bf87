"""Helpers for exchange-engine tests without sockets: a settable clock, an in-memory bank SFTP,
service contexts of several "instances" on one database, and funded batches."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.model import BatchHeader
from domain.roster import generate_lines
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import batches, submission
from service.config import BankProfile, Settings
from service.context import Context
from sftp.client import Delivered
from sftp.endpoint import SftpEndpoint
from sftp.errors import DeliveryUndecided, TransferError
from tests.support.identities import TEST_AUTH

__all__ = ["BANK", "REGION", "Clock", "MemoryBank", "funded_batch", "instance"]

BANK = "RCB01"
REGION = "652301"


class Clock:
    """A clock the test moves by hand; shared by every instance of a test."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime.now(UTC).replace(microsecond=0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += timedelta(seconds=seconds)


@dataclass
class MemoryBank:
    """A bank's inbox in memory behind the upload call of :class:`sftp.client.BankSftp`.

    ``before_upload(name)`` runs inside each upload before anything is written (to pause an
    instance there, or fail it); uploads are counted per name. Same rules as the real client:
    an identical file already under the name is delivered; a different one is refused.
    """

    inbox: dict[str, bytes] = field(default_factory=dict)
    uploads: list[str] = field(default_factory=list)  # names actually written
    calls: list[str] = field(default_factory=list)  # every upload call
    before_upload: Callable[[str], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def connect(self, endpoint):
        return _Session(self)


class _Session:
    def __init__(self, bank: MemoryBank):
        self.bank = bank

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def upload(self, local: Path, remote_dir: str, name: str, *, progress=None, guard=None, temp_tag="",
               resume=None, marker=None, taken_dirs=()) -> Delivered:
        """The real client's contract in memory: ``guard`` before the attempt and before the
        "rename" (here: putting the bytes into the inbox); with ``resume``, nothing is written."""
        bank = self.bank
        data = Path(local).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        bank.calls.append(name)
        if guard is not None:
            guard("attempt", f".{name}.{temp_tag}.part")
        if resume is not None:
            with bank._lock:
                if bank.inbox.get(name) == data:
                    return Delivered(f"{remote_dir}/{name}", len(data), digest, already_present=True)
            raise DeliveryUndecided("memory", f"{remote_dir}/{name}", "nothing at the bank shows it")
        if bank.before_upload is not None:
            bank.before_upload(name)
        if progress is not None:
            progress(len(data), len(data))
        if guard is not None and name not in bank.inbox:
            guard("rename", f".{name}.{temp_tag}.part")
        with bank._lock:
            if name in bank.inbox:
                if bank.inbox[name] != data:
                    raise TransferError("memory", f"{remote_dir}/{name}",
                                        "a different file is already delivered under this name; not overwriting")
                return Delivered(f"{remote_dir}/{name}", len(data), digest, already_present=True)
            bank.inbox[name] = data
            bank.uploads.append(name)
        return Delivered(f"{remote_dir}/{name}", len(data), digest)


def instance(engine, tmp_path: Path, name: str, bank: MemoryBank, clock: Clock, keyring: Keyring,
             lease_s: float = 60.0, retry_s: float = 30.0) -> Context:
    """One service instance: its own data folder and instance id, the shared database and keys."""
    profile = BankProfile(code=BANK, name="某农村商业银行", format="iso20022",
                          sftp=SftpEndpoint(host="bank.invalid", port=22, username="ykt", private_key_path=None,
                                            host_key="ssh-ed25519 AAAA"),
                          inbox="/inbox", outbox="/outbox", archive="/archive")
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / name, banks={BANK: profile},
                        auth=TEST_AUTH, lease_s=lease_s, retry_s=retry_s)
    return Context(engine=engine, settings=settings, clock=clock, connect=bank.connect,
                   cipher=FieldCipher(keyring), instance_id=name)


def funded_batch(ctx: Context, n: int = 20, seed: int = 3, period: str = "2026-11") -> tuple[str, int]:
    lines = list(generate_lines(n, seed=seed, region=REGION))
    total = sum(ln.amount_fen for ln in lines)
    header = BatchHeader(
        idempotency_key=f"k-{seed}-{period}", program="耕地地力保护补贴", period=period, region=REGION,
        bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678", control_count=n,
        control_total_fen=total, submitted_by="clerk",
    )
    batch_id = submission.submit(ctx, header, lines).batch_id
    batches.approve(ctx, batch_id, "approver")
    batches.fund(ctx, batch_id, total, "finance")
    return batch_id, total
