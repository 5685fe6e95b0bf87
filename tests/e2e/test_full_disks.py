"""Full disks and lost connections are errors people can act on (issue 13 item 5).

Real small file systems (tmpfs mounted for the test, so "No space left on device" comes from the
kernel) under the bank's inbox, the service's data folder and the SQLite ledger; the real gRPC
server and OpenSSH's sshd. Each full disk is reported as what it is — to the caller and in the
file's record — leaves no partial file, changes nothing else, and the work succeeds by itself
once space is back.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from adapter import server as grpc_server
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.db import make_engine, migrate
from ledger.schema import batches, files, lines, transactions
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import BankProfile, Settings
from service.context import Context
from service.errors import ResourceExhausted, Unavailable, environmental
from service.worker import Worker
from sftp import BankSftp, BankVolumeFull
from tests.support.exchange import Clock
from tests.support.identities import TEST_AUTH, TestClient
from tests.support.sshd import free_port
from ykt.v1 import disbursement_pb2 as pb

pytestmark = [
    pytest.mark.sshd,
    pytest.mark.skipif(os.geteuid() != 0, reason="mounts small file systems: needs root (CI runs as root)"),
]

BANK = "RCB01"
REGION = "652301"


@contextlib.contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` for the block."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill ``folder``'s file system, leaving about ``leave`` bytes; returns the filler file."""
    filler = folder / "filler"
    st = os.statvfs(folder)
    size = max(st.f_bavail * st.f_frsize - leave, 0)
    with open(filler, "wb") as out:
        with contextlib.suppress(OSError):
            out.write(b"\0" * size)
    return filler


def test_a_full_bank_volume_is_named_leaves_no_partial_copy_and_works_once_space_is_back(sshd_server, tmp_path):
    inbox = sshd_server.root_dir / "inbox"
    local = tmp_path / "PAY_1.xml"
    local.write_bytes(os.urandom(300_000))
    with small_disk(inbox, "128k"):
        with BankSftp(sshd_server.endpoint(), sleep=lambda s: None) as bank:
            with pytest.raises(BankVolumeFull, match="has no room: .* bytes free, the file needs 300,000"):
                bank.upload(local, str(inbox), "PAY_1.xml")
        assert os.listdir(inbox) == []  # no partial temporary copy, nothing under the name
    # the bank frees space (here: its volume is the larger one beneath again)
    with BankSftp(sshd_server.endpoint(), sleep=lambda s: None) as bank:
        delivered = bank.upload(local, str(inbox), "PAY_1.xml")
    assert delivered.sha256 == hashlib.sha256(local.read_bytes()).hexdigest()


@pytest.fixture
def service(sshd_server, tmp_path):
    """The real gRPC server on a port, its worker run by hand, one bank on sshd."""
    started = []

    def start(engine, data_dir: Path):
        profile = BankProfile(code=BANK, name="某农村商业银行", format="iso20022", sftp=sshd_server.endpoint(),
                              inbox=sshd_server.inbox, outbox=sshd_server.outbox,
                              archive=sshd_server.remote("archive"), completion="marker")
        # the service speaks English: these tests read its English messages (Chinese: test_languages.py)
        settings = Settings(language="en", database_url=str(engine.url), data_dir=data_dir, banks={BANK: profile},
                            auth=TEST_AUTH, retry_s=60)
        clock = Clock()
        ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()), clock=clock,
                      instance_id="disk-test")
        server, port = grpc_server.build(ctx, f"127.0.0.1:{free_port()}")
        client = TestClient(f"127.0.0.1:{port}", "clerk")
        started.append((server, client))
        return ctx, client, Worker(ctx), clock

    yield start
    for server, client in started:
        client.close()
        server.stop(grace=None).wait()


def _header(n_lines, seed: int) -> tuple[BatchHeader, list]:
    rows = list(generate_lines(n_lines, seed=seed, region=REGION))
    return BatchHeader(
        idempotency_key=f"disk-{seed}", program="耕地地力保护补贴", period=f"2026-{seed:02d}", region=REGION,
        bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678", control_count=n_lines,
        control_total_fen=sum(ln.amount_fen for ln in rows),
    ), rows


def _funded(client: TestClient, seed: int, n_lines: int = 400) -> str:
    header, rows = _header(n_lines, seed)
    batch_id = client.submit(header, rows).batch_id
    client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    client.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id,
                                                                    amount_fen=header.control_total_fen))
    return batch_id


def test_a_full_data_folder_is_reported_to_the_operator_and_in_the_file_and_retried_once_freed(
        service, sqlite_engine, tmp_path):
    data = tmp_path / "data"
    with small_disk(data, "2m"):
        ctx, client, worker, clock = service(sqlite_engine, data)
        batch_id = _funded(client, seed=1)
        (data / "outbound").mkdir()
        filler = fill(data, leave=4096)
        with pytest.raises(grpc.RpcError) as caught:
            client.as_user("finance").call("DispatchBatch", pb.DispatchBatchRequest(batch_id=batch_id))
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert f"the data folder {data} is full (No space left on device)" in caught.value.details()
        (record,) = client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
        assert record.state == "FAILED" and "is full (No space left on device)" in record.last_error
        assert "nothing was sent" in record.last_error and record.HasField("next_attempt_at")
        leftovers = [p.name for p in (data / "outbound").rglob("*") if p.is_file()]
        assert leftovers == []  # no partial rendering
        inbox = Path(ctx.settings.bank(BANK).inbox)
        assert list(inbox.iterdir()) == []

        filler.unlink()  # space is back
        clock.advance(61)
        worker.run_once()
        (record,) = client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
        assert record.state == "DELIVERED" and record.last_error == ""
        assert sorted(p.name for p in inbox.iterdir()) == [record.name, record.name + ".ok"]


def _snapshot(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (batches, lines, files, transactions)}


def test_a_full_ledger_disk_refuses_the_request_as_resource_exhausted_and_changes_nothing(service, tmp_path):
    disk = tmp_path / "ledger"
    with small_disk(disk, "16m"):
        engine = make_engine(f"sqlite:///{disk / 'ledger.db'}")
        migrate(engine)
        ctx, client, _worker, _clock = service(engine, tmp_path / "data")
        _funded(client, seed=1, n_lines=20)
        before = _snapshot(engine)
        filler = fill(disk, leave=0)
        header, rows = _header(3000, seed=2)
        with pytest.raises(grpc.RpcError) as caught:
            client.submit(header, rows)
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, caught.value.details()
        assert "the ledger's database is full" in caught.value.details()
        assert "nothing was changed" in caught.value.details()
        filler.unlink()
        assert _snapshot(engine) == before
        assert client.submit(header, rows).accepted_count == 3000  # space is back: the same request works
        engine.dispose()


def test_environment_failures_are_named_for_what_they_are():
    """The classification, on errors the real libraries raise."""
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test")
    with pytest.raises(OperationalError) as lost:
        engine.connect()
    known = environmental(lost.value)
    assert isinstance(known, Unavailable) and "the ledger's database cannot be reached" in str(known)
    full = environmental(OSError(28, "No space left on device", "/var/lib/ykt/outbound/x"))
    assert isinstance(full, ResourceExhausted) and "is full (No space left on device)" in str(full)
    read_only = environmental(OSError(30, "Read-only file system", "/var/lib/ykt/outbound/x"))
    assert isinstance(read_only, Unavailable) and "cannot be written (Read-only file system" in str(read_only)
    assert environmental(ValueError("a bug")) is None
    assert environmental(OSError(2, "No such file or directory")) is None
