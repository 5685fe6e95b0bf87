"""Leases and fencing of the exchange engine, on SQLite and PostgreSQL: several "instances"
(service contexts with their own id and data folder) share one database, and an instance that
lost its lease can change nothing — not mark a payment file delivered, not book a result."""
from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bank_sim.bank import SimulatedBank
from domain.model import FileState
from ledger import store
from ledger.schema import files, transactions
from privacy.keys import Keyring
from service import dispatch, leases
from service.ingest import ingest_file
from service.leases import LeaseLost
from tests.support.exchange import BANK, Clock, MemoryBank, funded_batch, instance


@pytest.fixture
def world(engine, tmp_path):
    clock, bank, keys = Clock(), MemoryBank(), Keyring.generate()

    def make(name: str, **kw):
        return instance(engine, tmp_path, name, bank, clock, keys, **kw)

    return make, clock, bank


def _file(ctx, file_id):
    with ctx.engine.connect() as conn:
        return store.get_file(conn, file_id)


def _count(ctx, table, *where) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_a_lease_is_held_by_one_instance_until_released_or_run_out(world):
    make, clock, _ = world
    a, b = make("a", lease_s=30), make("b", lease_s=30)
    held = leases.acquire(a, "dispatch:X")
    assert held is not None and held.fence == 1
    assert leases.acquire(b, "dispatch:X") is None  # busy
    assert leases.acquire(a, "dispatch:X") is None  # not twice, not even by its holder
    assert leases.holder(b, "dispatch:X")[0] == "a"
    assert leases.acquire(b, "dispatch:Y").fence == 1  # another unit is free
    held.release()
    again = leases.acquire(b, "dispatch:X")
    assert again.fence == 2 and again.owner == "b"
    clock.advance(31)  # b stalls past its lease
    taken = leases.acquire(a, "dispatch:X")
    assert taken.fence == 3
    with pytest.raises(LeaseLost, match="lost its lease"):
        again.renew()
    again.release()  # a stale holder's release changes nothing
    assert leases.holder(b, "dispatch:X")[0] == "a"
    taken.renew()


@pytest.mark.parametrize("stale_upload", ["succeeds", "fails"])
def test_an_instance_that_lost_its_lease_cannot_mark_the_file_delivered_or_failed(world, stale_upload):
    """Instance a stalls inside its upload until its lease runs out; b takes the batch over and
    delivers it. When a wakes up, whatever its upload did, it changes nothing."""
    make, clock, bank = world
    a, b = make("a"), make("b")
    batch_id, _ = funded_batch(a)
    seen = []

    def stall(name):
        seen.append(name)
        if len(seen) == 1:  # a, inside its upload: stalls for two lease times
            clock.advance(2 * a.settings.lease_s)
            done = dispatch.dispatch(b, batch_id, scheduled=True)
            assert done.state == FileState.DELIVERED.value
            if stale_upload == "fails":
                from sftp.errors import ConnectFailed

                raise ConnectFailed("memory", None, "the network went away while a was stalled")

    bank.before_upload = stall
    with pytest.raises(LeaseLost):
        dispatch.dispatch(a, batch_id)
    with a.engine.connect() as conn:
        record = store.outbound_file(conn, batch_id)
        assert store.get_batch(conn, batch_id).status == "DISPATCHED"
    assert record.state == FileState.DELIVERED.value
    assert (record.handled_by, record.fence, record.delivered_by) == ("b", 2, "b")
    assert record.attempts == 2  # a's attempt and b's
    assert bank.uploads == [record.name]  # the bank has it once


def test_a_crash_between_uploading_and_delivered_is_finished_by_the_next_instance(world, monkeypatch):
    """a dies after the bank's read-back and before recording DELIVERED: the file stays
    UPLOADING with a lease that runs out; b finds the identical file under its final name."""
    make, clock, bank = world
    a, b = make("a"), make("b")
    batch_id, _ = funded_batch(a)

    class Crash(BaseException):
        pass

    real = store.move_file

    def crash_on_delivered(conn, file_id, from_states, **values):
        if values.get("state") == FileState.DELIVERED.value:
            raise Crash
        return real(conn, file_id, from_states, **values)

    monkeypatch.setattr(store, "move_file", crash_on_delivered)
    monkeypatch.setattr(leases.Lease, "release", lambda self: None)  # a dead process releases nothing
    with pytest.raises(Crash):
        dispatch.dispatch(a, batch_id)
    monkeypatch.undo()
    with a.engine.connect() as conn:
        record = store.outbound_file(conn, batch_id)
    assert (record.state, record.attempts, record.handled_by) == (FileState.UPLOADING.value, 1, "a")
    assert bank.uploads == [record.name]
    assert dispatch.dispatch(b, batch_id, scheduled=True) is None  # a's lease still runs
    clock.advance(a.settings.lease_s + 1)
    done = dispatch.dispatch(b, batch_id, scheduled=True)
    assert (done.state, done.attempts, done.handled_by, done.sha256) == (
        FileState.DELIVERED.value, 2, "b", record.sha256)
    assert bank.uploads == [record.name] and bank.calls == [record.name] * 2  # uploaded once, found once


def test_instances_dispatching_one_batch_at_once_upload_it_once(world):
    make, _, bank = world
    instances = [make(f"i{n}") for n in range(4)]
    batch_id, _ = funded_batch(instances[0])
    start = threading.Barrier(len(instances))
    results, errors = [], []

    def run(ctx):
        start.wait()
        try:
            results.append(dispatch.dispatch(ctx, batch_id, scheduled=True))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ctx,)) for ctx in instances]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(bank.uploads) == 1 and len(bank.calls) == 1
    with instances[0].engine.connect() as conn:
        record = store.outbound_file(conn, batch_id)
    assert (record.state, record.attempts) == (FileState.DELIVERED.value, 1)


def _answer(tmp_path: Path, bank: MemoryBank, seed: int = 11) -> Path:
    """The simulated bank answers what is in the memory inbox; returns its result file."""
    import bank_formats

    sim = SimulatedBank(tmp_path / "sim", bank_formats.get("iso20022"), seed=seed, bank_code=BANK)
    for name, data in bank.inbox.items():
        (sim.inbox / name).write_bytes(data)
    (result,) = sim.process_once()
    return result


def test_an_instance_that_lost_its_poll_lease_books_nothing(world, tmp_path):
    make, clock, bank = world
    a, b = make("a"), make("b")
    batch_id, _ = funded_batch(a)
    dispatch.dispatch(a, batch_id)
    result = _answer(tmp_path, bank)
    stale = leases.acquire(a, leases.poll_unit(BANK))
    clock.advance(a.settings.lease_s + 1)
    fresh = leases.acquire(b, leases.poll_unit(BANK))
    assert fresh.fence == stale.fence + 1
    with pytest.raises(LeaseLost):
        ingest_file(a, BANK, result, result.name, "/outbox/" + result.name, remote_mtime=1, lease=stale)
    assert _count(a, files, files.c.direction == "IN") == 0
    assert _count(a, transactions, transactions.c.kind == "RESULT") == 0
    outcome = ingest_file(b, BANK, result, result.name, "/outbox/" + result.name, remote_mtime=1, lease=fresh)
    assert outcome.state == FileState.BOOKED and outcome.booked_lines == 20
    assert (_file(b, outcome.file_id).handled_by, _file(b, outcome.file_id).fence) == ("b", fresh.fence)


def test_instances_fetching_one_result_file_at_once_book_it_once(world, tmp_path):
    """Four instances ingest the same remote file together (no lease: as if their polls
    overlapped). The unique digest index and the claim decide: one books, nothing twice."""
    make, _, bank = world
    instances = [make(f"i{n}") for n in range(4)]
    batch_id, _ = funded_batch(instances[0])
    dispatch.dispatch(instances[0], batch_id)
    result = _answer(tmp_path, bank)
    start = threading.Barrier(len(instances))
    outcomes, errors = [], []

    def run(ctx):
        start.wait()
        try:
            outcomes.append(ingest_file(ctx, BANK, result, result.name, "/outbox/" + result.name, remote_mtime=7))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ctx,)) for ctx in instances]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with instances[0].engine.connect() as conn:
        rows = conn.execute(select(files.c.state).where(files.c.direction == "IN")).scalars().all()
    assert rows.count("BOOKED") == 1 and set(rows) <= {"BOOKED", "DUPLICATE"}
    assert _count(instances[0], transactions, transactions.c.kind == "RESULT") == 1
    assert sum(o.booked_lines for o in outcomes) == 20
    assert sum(o.state == FileState.BOOKED and not o.already_taken for o in outcomes) == 1


def test_a_restarted_instance_takes_its_own_leases_back_at_once_and_fences_its_predecessor(world, engine, tmp_path):
    """Same instance id, new process: its predecessor's leases are free at once (not after
    their 60 s), and should the old process still be alive, it is fenced."""
    make, _clock, _bank = world
    old = make("a")
    old.settings = replace(old.settings, instance_id="a")
    held = leases.acquire(old, "dispatch:X")
    assert leases.acquire(old, "poll:RCB01") is not None
    other = make("b")
    assert leases.acquire(other, "dispatch:Y") is not None  # another instance's lease is not touched

    new = make("a")
    new.settings = replace(new.settings, instance_id="a")
    assert sorted(leases.take_back_own(new)) == ["dispatch:X", "poll:RCB01"]
    again = leases.acquire(new, "dispatch:X")
    assert again is not None and again.fence == held.fence + 1
    with pytest.raises(LeaseLost):
        held.renew()
    assert leases.holder(new, "dispatch:Y")[0] == "b"


def test_an_instance_with_a_generated_id_takes_nothing_back(world):
    make, _clock, _bank = world
    a = make("a")
    assert leases.acquire(a, "dispatch:X") is not None
    assert leases.take_back_own(a) == []  # its id is its own process's: nothing of a predecessor
    assert leases.holder(a, "dispatch:X")[0] == "a"


def test_a_lease_whose_release_failed_is_released_at_the_next_round(world, monkeypatch):
    make, _clock, _bank = world
    a, b = make("a"), make("b")
    held = leases.acquire(a, "dispatch:X")
    real = store.lease_release

    def database_down(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "lease_release", database_down)
    held.release()
    assert leases.acquire(b, "dispatch:X") is None  # still held: the release did not happen
    monkeypatch.setattr(store, "lease_release", real)
    leases.release_pending()
    assert leases.acquire(b, "dispatch:X") is not None  # free without waiting for it to run out


def test_a_check_before_sending_refuses_an_expired_lease_even_if_nobody_took_it(world):
    make, clock, _bank = world
    a = make("a", lease_s=30)
    held = leases.acquire(a, "dispatch:X")
    clock.advance(31)
    with a.engine.begin() as conn:
        held.check(conn)  # writing under a lease nobody took over is still safe (the fence decides)
    clock.advance(31)
    with pytest.raises(LeaseLost), a.engine.begin() as conn:
        held.check(conn, live=True)  # but nothing is sent to a bank on a lease that ran out
