"""Batches taken through their whole life by the service layer, for report tests.

No sockets: payment files go to an in-memory bank inbox (:class:`tests.support.exchange.MemoryBank`),
the simulated bank answers them, and :func:`service.ingest.ingest_file` books its result file,
all under a hand-moved clock so a test can place funding, results and refunds in given months
and after the payment deadline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import bank_formats
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader, PaymentOutcome
from domain.roster import generate_lines
from ledger import store
from privacy.keys import Keyring
from service import batches, closing, dispatch, submission
from service.context import Context
from service.ingest import ingest_file
from tests.support.exchange import BANK, Clock, MemoryBank, instance

__all__ = ["BatchFacts", "World"]


@dataclass(frozen=True)
class BatchFacts:
    """What the test knows of a batch it ran, from the bank's result file and the roster."""

    batch_id: str
    funded_fen: int
    paid: dict[int, int]  # seq -> fen
    failed: dict[int, int]
    payment_due: object


class World:
    def __init__(self, engine, tmp_path: Path, start: datetime):
        self.clock = Clock(start)
        self.bank = MemoryBank()
        self.tmp_path = tmp_path
        self.ctx: Context = instance(engine, tmp_path, "svc", self.bank, self.clock, Keyring.generate())
        self._answered = 0

    def at(self, moment: datetime) -> None:
        self.clock.now = moment

    def submit_fund_dispatch(self, program: str, region: str, period: str, n: int, seed: int) -> tuple[str, int]:
        lines = list(generate_lines(n, seed=seed, region=region))
        total = sum(ln.amount_fen for ln in lines)
        header = BatchHeader(
            idempotency_key=f"{program}-{region}-{period}-{seed}", program=program, period=period, region=region,
            bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678", control_count=n,
            control_total_fen=total, submitted_by="clerk",
        )
        batch_id = submission.submit(self.ctx, header, lines).batch_id
        batches.approve(self.ctx, batch_id, "approver")
        batches.fund(self.ctx, batch_id, total, "finance")
        dispatch.dispatch(self.ctx, batch_id)
        return batch_id, total

    def bank_answers(self, batch_id: str, failure_ppm: int = 200_000, seed: int = 11, fail=()) -> BatchFacts:
        """The bank answers the batch's payment file; the service books the result.

        Which lines fail at ``failure_ppm`` depends on the batch id, which is random: a test
        that needs a failure names lines that fail for sure in ``fail``."""
        self._answered += 1
        sim = SimulatedBank(self.tmp_path / f"sim{self._answered}", bank_formats.get("iso20022"), seed=seed,
                            bank_code=BANK, failure_rate_ppm=failure_ppm, fail=fail)
        with self.ctx.engine.connect() as conn:
            sent = store.outbound_file(conn, batch_id)
        (sim.inbox / sent.name).write_bytes(self.bank.inbox[sent.name])
        (result,) = sim.process_once()
        outcome = ingest_file(self.ctx, BANK, result, result.name)
        assert outcome.booked_lines > 0, outcome
        paid, failed = {}, {}
        with result.open("rb") as src:
            for rec in bank_formats.get("iso20022").read_results(src):
                (paid if rec.outcome is PaymentOutcome.PAID else failed)[rec.seq] = rec.amount_fen
        with self.ctx.engine.connect() as conn:
            batch = store.get_batch(conn, batch_id)
        return BatchFacts(batch_id, batch.funded_fen, paid, failed, batch.payment_due)

    def close(self, batch_id: str, allow_unreported: bool = False) -> None:
        closing.close(self.ctx, batch_id, "finance", allow_unreported=allow_unreported)
