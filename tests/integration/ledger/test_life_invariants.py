"""Random lives of batches keep every ledger invariant (a hypothesis state machine).

Batches are submitted, approved and funded, dispatched to an in-memory bank inbox, answered by
the simulator with a random failure rate, their failed lines re-issued with corrected accounts or
given up, result files delivered twice, and batches closed — in any order the rules allow. After
every step: every transaction sums to zero; for every batch, funded = paid + refunded +
outstanding (clearing and suspense); a closed batch leaves nothing in clearing or suspense; the
ledger's paid money equals the lines marked paid; nothing is ever booked twice; and the
hash-chained journal covers every change and verifies.
"""
from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, precondition, rule

import bank_formats
from bank_sim.bank import SimulatedBank
from domain.model import BatchStatus, LineStatus
from domain.roster import generate_lines
from ledger import journal, store
from ledger.db import make_engine, migrate, sqlite_url
from privacy.keys import Keyring
from service import closing, dispatch, reissue, submission
from service.ingest import ingest_file
from tests.support.exchange import BANK, REGION, Clock, MemoryBank, funded_batch, instance


def _pick(data, items: list):
    """One of ``items``, drawn the same way whatever their number (hypothesis replays a case by
    its draws, and how many batches or lines there are is the ledger's state, not a draw)."""
    return items[data.draw(st.integers(0, 1_000_000)) % len(items)]


def _some(data, items: list) -> list:
    """A non-empty subset of ``items``, drawn as :func:`_pick` draws."""
    picks = data.draw(st.lists(st.integers(0, 1_000_000), min_size=1, max_size=8))
    return sorted({items[i % len(items)] for i in picks})


class _CountingIds:
    """Batch ids in order (B…00000001, …) instead of random ones, so that a case replays the same
    batches, and so the simulated bank (which decides by batch id) answers the same way."""

    def __init__(self) -> None:
        self.n = 0

    def token_hex(self, nbytes: int) -> str:
        self.n += 1
        return f"{self.n:0{2 * nbytes}x}"


class BatchLives(RuleBasedStateMachine):
    batches = Bundle("batches")

    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="ykt-life-"))
        self.engine = make_engine(sqlite_url(self.tmp / "ledger.sqlite3"))
        migrate(self.engine)
        self.inbox = MemoryBank()
        self.ctx = instance(self.engine, self.tmp, "life", self.inbox, Clock(), Keyring.generate())
        self.bank = SimulatedBank(self.tmp / "bank", bank_formats.get("iso20022"), seed=5, bank_code=BANK)
        self.answered: set[str] = set()
        self.results: list[Path] = []
        self.seeds = iter(range(100, 10_000))
        self.fresh_accounts = (ln.account_no for ln in generate_lines(10_000, seed=99, region=REGION))
        self.rosters: dict[str, dict[int, object]] = {}
        self.booked_files: Counter[str] = Counter()
        self._random_ids, submission.secrets = submission.secrets, _CountingIds()

    def teardown(self):
        submission.secrets = self._random_ids
        self.engine.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- the life of a batch ----------------------------------------------------------------

    @rule(target=batches, n=st.integers(3, 12))
    def fund_a_batch(self, n):
        seed = next(self.seeds)
        batch_id, _total = funded_batch(self.ctx, n=n, seed=seed, period=f"2026-{seed % 12 + 1:02d}-{seed}")
        self.rosters[batch_id] = {ln.seq: ln for ln in generate_lines(n, seed=seed, region=REGION)}
        return batch_id

    @rule(batch_id=batches)
    def dispatch(self, batch_id):
        if self._status(batch_id) == BatchStatus.FUNDED.value:
            dispatch.dispatch(self.ctx, batch_id)
            assert self._status(batch_id) == BatchStatus.DISPATCHED.value

    @rule(failure_ppm=st.sampled_from([0, 300_000, 1_000_000]))
    def bank_answers(self, failure_ppm):
        self.bank.failure_rate_ppm = failure_ppm
        for name, data in list(self.inbox.inbox.items()):
            if name in self.answered:
                continue
            self.answered.add(name)
            (self.bank.inbox / name).write_bytes(data)
            for result in self.bank.process_once():
                outcome = ingest_file(self.ctx, BANK, result, result.name)
                self.results.append(result)
                if outcome.booked_lines:
                    self.booked_files[outcome.batch_id] += 1

    @precondition(lambda self: self.results)
    @rule(data=st.data())
    def a_result_file_comes_again(self, data):
        result = _pick(data, self.results)
        copy = result.with_name("AGAIN_" + result.name)
        shutil.copy(result, copy)
        before = self._counts()
        outcome = ingest_file(self.ctx, BANK, copy, copy.name)
        assert outcome.booked_lines == 0 and self._counts() == before
        event("a result file delivered again")

    @precondition(lambda self: self._with_failed_lines(reissuable=True))
    @rule(data=st.data())
    def reissue_some_failed(self, data):
        batch_id = _pick(data, self._with_failed_lines(reissuable=True))
        chosen = _some(data, self._lines(batch_id, LineStatus.FAILED))
        corrected = [replace(self.rosters[batch_id][seq], account_no=next(self.fresh_accounts)) for seq in chosen]
        for ln in corrected:
            self.rosters[batch_id][ln.seq] = ln
        change = reissue.reissue(self.ctx, batch_id, corrected, "clerk").change  # other accounts: a second person
        reissue.approve_change(self.ctx, batch_id, change.id, "approver")
        assert self._status(batch_id) == BatchStatus.FUNDED.value
        event("failed lines re-issued")

    @precondition(lambda self: self._with_failed_lines())
    @rule(data=st.data())
    def give_up_some_failed(self, data):
        batch_id = _pick(data, self._with_failed_lines())
        chosen = _some(data, self._lines(batch_id, LineStatus.FAILED))
        reissue.give_up(self.ctx, batch_id, chosen, "本人已故", "approver")
        event("failed lines given up")

    @rule(batch_id=consumes(batches))
    def close(self, batch_id):
        status = self._status(batch_id)
        if status == BatchStatus.RESULTS_COMPLETE.value:
            closing.close(self.ctx, batch_id, "finance")
        elif status == BatchStatus.DISPATCHED.value:
            closing.close(self.ctx, batch_id, "finance", allow_unreported=True)
        else:
            return
        assert self._status(batch_id) == BatchStatus.CLOSED.value
        event(f"a batch closed from {status}")

    # -- what must always hold ----------------------------------------------------------------

    @invariant()
    def every_transaction_sums_to_zero(self):
        with self.engine.connect() as conn:
            assert store.unbalanced_transactions(conn) == []

    @invariant()
    def every_fen_funded_is_paid_refunded_or_outstanding(self):
        with self.engine.connect() as conn:
            for batch_id in self.rosters:
                batch = store.get_batch(conn, batch_id)
                by_kind = Counter()
                for code, balance in store.balances(conn, batch_id=batch_id):
                    by_kind[code.split(":", 1)[0]] += balance
                refunded = by_kind["budget"] + batch.funded_fen
                assert batch.funded_fen == by_kind["paid"] + refunded + by_kind["clearing"] + by_kind["suspense"]
                assert min(by_kind["paid"], by_kind["clearing"], by_kind["suspense"], refunded) >= 0
                paid_lines = store.line_status_totals(conn, batch_id).get(LineStatus.PAID.value, (0, 0))[1]
                assert by_kind["paid"] == paid_lines
                if batch.status == BatchStatus.CLOSED.value:
                    assert by_kind["clearing"] == by_kind["suspense"] == 0
                    assert refunded == batch.funded_fen - paid_lines

    @invariant()
    def the_journal_chains_every_change_and_verifies(self):
        with self.engine.connect() as conn:
            report = journal.verify(conn)
        assert report.ok, report.breaks[:3]

    # -- helpers ------------------------------------------------------------------------------

    def _status(self, batch_id: str) -> str:
        with self.engine.connect() as conn:
            return store.get_batch(conn, batch_id).status

    def _with_failed_lines(self, reissuable: bool = False) -> list[str]:
        """Batches with failed lines the department may act on now (re-issue: no file on its way)."""
        out = []
        with self.engine.connect() as conn:
            for batch_id in self.rosters:
                batch = store.get_batch(conn, batch_id)
                if batch.status not in reissue.ANSWERED or batch.dispatched_at is None:
                    continue
                if not store.line_rows(conn, batch_id, [LineStatus.FAILED], limit=1):
                    continue
                if reissuable and store.outbound_file(conn, batch_id).state not in ("DELIVERED", "ACKNOWLEDGED"):
                    continue
                out.append(batch_id)
        return out

    def _lines(self, batch_id: str, status: LineStatus) -> list[int]:
        with self.engine.connect() as conn:
            return [r.seq for r in store.line_rows(conn, batch_id, [status])]

    def _counts(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            return len(store.list_transactions(conn, None, 100_000)), len(store.balances(conn))


BatchLives.TestCase.settings = settings(max_examples=20, stateful_step_count=30, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow])
test_random_lives_of_batches_keep_every_invariant = BatchLives.TestCase
