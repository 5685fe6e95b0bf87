"""SimulatedBank on local folders, with a tiny JSON-lines format standing in for a real one."""
from __future__ import annotations

import threading

import pytest

from bank_sim.bank import SimulatedBank
from bank_sim.outcomes import decide
from domain.model import PaymentOutcome
from tests.support.fake_format import JsonLinesFormat, make_lines, write_payment_file


@pytest.fixture
def fmt():
    return JsonLinesFormat()


def test_processes_payment_file_into_one_result_file(tmp_path, fmt):
    bank = SimulatedBank(tmp_path, fmt, seed=11, bank_code="SIM", failure_rate_ppm=100_000)
    lines = make_lines(500)
    header = write_payment_file(fmt, tmp_path / "inbox" / "PAY_001.jsonl", lines)
    (tmp_path / "inbox" / ".PAY_002.jsonl.part").write_bytes(b"being uploaded")

    written = bank.process_once()

    result = tmp_path / "outbox" / "RESULT_PAY_001.jsonl"
    assert written == [result]
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [
        "RESULT_PAY_001.jsonl", "RESULT_PAY_001.jsonl.done"]
    assert (tmp_path / "processed" / "PAY_001.jsonl").exists()
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == [".PAY_002.jsonl.part"]

    with open(result, "rb") as f:
        reader = fmt.read_results(f, result.name)
        records = list(reader)
    rh = reader.header
    assert rh.original_file_id == header.file_id and rh.batch_id == header.batch_id
    assert rh.count == len(records) == 500
    assert records == [decide(11, header.batch_id, x, 100_000) for x in lines]
    paid = [r for r in records if r.outcome is PaymentOutcome.PAID]
    failed = [r for r in records if r.outcome is PaymentOutcome.FAILED]
    assert (rh.paid_count, rh.paid_fen) == (len(paid), sum(r.amount_fen for r in paid))
    assert (rh.failed_count, rh.failed_fen) == (len(failed), sum(r.amount_fen for r in failed))
    assert failed  # 10 % of 500

    assert bank.process_once() == []  # nothing left to do


def test_garbage_file_is_rejected_with_reason(tmp_path, fmt):
    bank = SimulatedBank(tmp_path, fmt, seed=1, bank_code="SIM")
    (tmp_path / "inbox" / "GARBAGE.jsonl").write_bytes(b"\x00\xffnot a payment file\n")
    write_payment_file(fmt, tmp_path / "inbox" / "PAY_OK.jsonl", make_lines(3))

    written = bank.process_once()

    assert [p.name for p in written] == ["RESULT_PAY_OK.jsonl"]
    assert (tmp_path / "rejected" / "GARBAGE.jsonl").exists()
    why = (tmp_path / "rejected" / "GARBAGE.jsonl.error.txt").read_text(encoding="utf-8")
    assert "GARBAGE.jsonl" in why and "header" in why
    assert not (tmp_path / "outbox" / "RESULT_GARBAGE.jsonl").exists()
    assert list((tmp_path / "inbox").iterdir()) == []


def test_wrong_control_totals_are_rejected(tmp_path, fmt):
    bank = SimulatedBank(tmp_path, fmt, seed=1, bank_code="SIM")
    write_payment_file(fmt, tmp_path / "inbox" / "PAY_BAD.jsonl", make_lines(3), total=1)
    assert bank.process_once() == []
    why = (tmp_path / "rejected" / "PAY_BAD.jsonl.error.txt").read_text(encoding="utf-8")
    assert "control totals" in why


def test_resubmitted_file_is_rejected_as_duplicate(tmp_path, fmt):
    bank = SimulatedBank(tmp_path, fmt, seed=1, bank_code="SIM")
    path = tmp_path / "inbox" / "PAY.jsonl"
    write_payment_file(fmt, path, make_lines(3))
    assert len(bank.process_once()) == 1
    (tmp_path / "outbox" / "RESULT_PAY.jsonl").unlink()  # the service fetched it
    write_payment_file(fmt, path, make_lines(3))
    assert bank.process_once() == []
    assert "duplicate" in (tmp_path / "rejected" / "PAY.jsonl.error.txt").read_text(encoding="utf-8")


def test_result_already_written_before_a_crash_is_kept(tmp_path, fmt):
    bank = SimulatedBank(tmp_path, fmt, seed=1, bank_code="SIM")
    path = tmp_path / "inbox" / "PAY.jsonl"
    write_payment_file(fmt, path, make_lines(3))
    (tmp_path / "outbox" / "RESULT_PAY.jsonl").write_bytes(b"written before the crash")
    assert [p.name for p in bank.process_once()] == ["RESULT_PAY.jsonl"]
    assert (tmp_path / "outbox" / "RESULT_PAY.jsonl").read_bytes() == b"written before the crash"
    assert (tmp_path / "outbox" / "RESULT_PAY.jsonl.done").exists()
    assert (tmp_path / "processed" / "PAY.jsonl").exists()


def test_failed_write_leaves_no_partial_result_and_retries(tmp_path, fmt, monkeypatch):
    bank = SimulatedBank(tmp_path, fmt, seed=1, bank_code="SIM")
    write_payment_file(fmt, tmp_path / "inbox" / "PAY.jsonl", make_lines(50))
    real = fmt.write_results

    def explode(out, header, records):
        out.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fmt, "write_results", explode)
    assert bank.process_once() == []
    assert list((tmp_path / "outbox").iterdir()) == []
    assert (tmp_path / "inbox" / "PAY.jsonl").exists()

    monkeypatch.setattr(fmt, "write_results", real)
    assert [p.name for p in bank.process_once()] == ["RESULT_PAY.jsonl"]


def test_run_forever_stops_on_event(tmp_path, fmt):
    bank = SimulatedBank(tmp_path, fmt, seed=1, bank_code="SIM")
    write_payment_file(fmt, tmp_path / "inbox" / "PAY.jsonl", make_lines(2))
    stop = threading.Event()
    t = threading.Thread(target=bank.run_forever, args=(0.05, stop))
    t.start()
    try:
        for _ in range(100):
            if (tmp_path / "outbox" / "RESULT_PAY.jsonl.done").exists():
                break
            stop.wait(0.05)
    finally:
        stop.set()
        t.join(5)
    assert not t.is_alive()
    assert (tmp_path / "outbox" / "RESULT_PAY.jsonl").exists()
