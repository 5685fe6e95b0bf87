"""One batch or bank that fails unexpectedly never stops the worker's rounds for the others
(issue 14 item 5): the failing item is marked with its reason and backs off alone."""
from __future__ import annotations

from dataclasses import replace

from domain.model import BatchHeader, BatchStatus
from domain.roster import generate_lines
from i18n.stored import shown
from ledger import store
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import batches, submission
from service.config import BankProfile
from service.context import Context
from service.worker import Worker
from sftp.endpoint import SftpEndpoint
from tests.support.exchange import REGION, Clock, MemoryBank, instance

BROKEN, HEALTHY = "RCB01", "ABC01"


def _two_banks(engine, tmp_path):
    clock, bank = Clock(), MemoryBank()
    base = instance(engine, tmp_path, "w", bank, clock, Keyring.generate(), retry_s=30)
    endpoint = SftpEndpoint(host="bank.invalid", port=22, username="ykt", private_key_path=None,
                            host_key="ssh-ed25519 AAAA")
    banks = {code: BankProfile(code=code, name=code, format=fmt, sftp=endpoint, inbox=f"/{code}/in",
                               outbox=f"/{code}/out") for code, fmt in ((BROKEN, "delimited"), (HEALTHY, "iso20022"))}
    ctx = Context(engine=engine, settings=replace(base.settings, banks=banks), clock=clock, connect=bank.connect,
                  cipher=FieldCipher(Keyring.generate()), instance_id="w")
    return ctx, clock, bank


def _funded(ctx, bank_code: str, seed: int) -> str:
    rows = list(generate_lines(10, seed=seed, region=REGION))
    total = sum(r.amount_fen for r in rows)
    header = BatchHeader(idempotency_key=f"iso-{seed}", program="耕地地力保护补贴", period="2026-11", region=REGION,
                         bank_code=bank_code, payer_name="某县财政局", payer_account="15000012345678",
                         control_count=len(rows), control_total_fen=total, submitted_by="clerk")
    batch_id = submission.submit(ctx, header, rows).batch_id
    batches.approve(ctx, batch_id, "approver")
    batches.fund(ctx, batch_id, total, "finance")
    return batch_id


def test_a_failure_in_one_banks_batch_and_polling_leaves_the_other_bank_dispatched_and_polled(
        engine, tmp_path, monkeypatch):
    ctx, clock, memory = _two_banks(engine, tmp_path)
    broken_batch = _funded(ctx, BROKEN, seed=1)
    healthy_batch = _funded(ctx, HEALTHY, seed=2)

    def boom(*args, **kwargs):
        raise RuntimeError("boom while rendering")

    monkeypatch.setattr(ctx.settings.bank(BROKEN).bank_format, "write_payments", boom)
    worker = Worker(ctx)
    polled = []

    def poll(code):
        polled.append(code)
        if code == BROKEN:
            raise KeyError("the bank's listing broke the poller")

    monkeypatch.setattr(worker.poller, "poll", poll)

    worker.run_once()
    with engine.connect() as conn:
        assert store.get_batch(conn, healthy_batch).status == BatchStatus.DISPATCHED.value
        assert store.get_batch(conn, broken_batch).status == BatchStatus.FUNDED.value
        failed = store.outbound_file(conn, broken_batch)
    assert list(memory.inbox) == [store_name(ctx, healthy_batch)]
    assert failed.state == "FAILED"
    # stored as a message, said in English for an English reader
    assert shown(failed.last_error, "en").startswith("unexpected error (RuntimeError: boom while rendering); "
                                                     "nothing was sent")
    assert failed.next_attempt_at is not None  # backs off, then tried again by itself
    assert polled == [BROKEN, HEALTHY]

    worker.run_once()  # at once: the broken bank waits out its back-off, the healthy one is polled
    assert polled == [BROKEN, HEALTHY, HEALTHY]
    clock.advance(31)
    worker.run_once()
    assert polled == [BROKEN, HEALTHY, HEALTHY, BROKEN, HEALTHY]
    with engine.connect() as conn:
        assert store.outbound_file(conn, broken_batch).attempts == 0  # never uploaded: nothing reached a bank


def store_name(ctx, batch_id):
    with ctx.engine.connect() as conn:
        return store.outbound_file(conn, batch_id).name
