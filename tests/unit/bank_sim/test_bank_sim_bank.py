"""SimulatedBank on local folders, with a tiny JSON-lines format standing in for a real one."""
from __future__ import annotations

import dataclasses
import threading
from datetime import date
from pathlib import Path

import pytest

from bank_sim.bank import SimulatedBank
from bank_sim.outcomes import decide, payment_ref
from domain.model import EntrySide, PaymentOutcome
from service.profiles import load_profile
from tests.support.fake_format import JsonLinesFormat, make_lines, write_payment_file

PROFILES = Path(__file__).resolve().parents[3] / "profiles"


@pytest.fixture
def fmt():
    return JsonLinesFormat()


def answered(bank_code, seed, header, lines, ppm):
    """What the bank answers: decide()'s outcome, each paid line under its payment's reference."""
    out = []
    for x in lines:
        r = decide(seed, header.batch_id, x, ppm)
        if r.outcome is PaymentOutcome.PAID:
            r = dataclasses.replace(r, bank_ref=payment_ref(bank_code, seed, header.file_id, x.seq))
        out.append(r)
    return out


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
    assert records == answered("SIM", 11, header, lines, 100_000)
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


@pytest.mark.parametrize("profile_name", ["RCC01", "PSBC01", "ABC01"])
def test_statement_carries_the_funding_and_one_debit_per_paid_line_with_money(tmp_path, profile_name):
    """Statements continue the clearing balance across files; a 0-fen line moves no money and
    gets no entry (statement readers refuse zero amounts)."""
    profile = load_profile(PROFILES / f"{profile_name}.toml")
    fmt = profile.bank_format
    bank = SimulatedBank.for_profile(tmp_path, profile, seed=5, failure_rate_ppm=200_000)
    lines = make_lines(50)
    lines[3] = dataclasses.replace(lines[3], amount_fen=0)
    balance = 0
    for n, batch in enumerate(["B1", "B2"], start=1):
        name = profile.naming.payment_name(profile.code, batch, date(2026, 11, 2), fmt.file_suffix)
        header = write_payment_file(fmt, tmp_path / profile.inbox / name, lines, batch_id=batch)
        bank.process_once()
        (path,) = [p for p in (tmp_path / profile.outbox).iterdir()
                   if profile.naming.is_statement(p.name, fmt.file_suffix) and p.name.endswith(f"{n:04d}{fmt.file_suffix}")]
        with open(path, "rb") as f:
            reader = fmt.read_statement(f, path.name)
            entries = list(reader)
        results = answered(profile.code, 5, header, lines, 200_000)
        paid = [r for r in results if r.outcome is PaymentOutcome.PAID and r.amount_fen > 0]
        sh = reader.header
        assert [(e.side, e.amount_fen) for e in entries] == (
            [(EntrySide.CREDIT, header.total_fen)] + [(EntrySide.DEBIT, r.amount_fen) for r in paid])
        assert [e.line_seq for e in entries[1:]] == [r.seq for r in paid]
        assert [e.reference for e in entries[1:]] == [r.bank_ref for r in paid]  # the payment's own
        assert sh.count == len(entries) and sh.opening_balance_fen == balance
        assert sh.credit_fen == header.total_fen and sh.debit_fen == sum(r.amount_fen for r in paid)
        balance = sh.closing_balance_fen
        assert balance == sh.opening_balance_fen + sh.credit_fen - sh.debit_fen


def _secured_bank(tmp_path, fmt):
    """A bank demanding signed, encrypted files both ways (CCB01's security), and the service's
    side of the same profile."""
    from bank_sim.bank import party_keys
    from filesec.keys import generate_keys
    from service.file_security import counterpart

    generate_keys(tmp_path / "keys" / "ykt", "ykt-1")
    generate_keys(tmp_path / "keys" / "bank", "bank-1")
    profile = load_profile(PROFILES / "CCB01.toml")
    ours = profile.with_keys(party_keys(tmp_path / "keys" / "ykt", tmp_path / "keys" / "bank"))
    bank = SimulatedBank(tmp_path / "root", fmt, seed=3, bank_code="CCB01",
                         security=counterpart(profile, party_keys(tmp_path / "keys" / "bank", tmp_path / "keys" / "ykt")))
    return bank, ours


def test_a_secured_bank_answers_a_signed_sealed_file_with_a_signed_sealed_result(tmp_path, fmt):
    from filesec import is_envelope
    from service.file_security import open_inbound, protect_outbound

    bank, ours = _secured_bank(tmp_path, fmt)
    lines = make_lines(50)
    header = write_payment_file(fmt, tmp_path / "clear" / "PAY_001.jsonl", lines)
    for made in protect_outbound(ours, tmp_path / "clear" / "PAY_001.jsonl", tmp_path / "sealed"):
        made.rename(bank.inbox / made.name)  # the signature first, as the service uploads

    (result,) = bank.process_once()

    signature = result.with_name(result.name + ".sig")
    assert is_envelope(result) and signature.exists()
    assert not list(bank.outbox.glob("*.tmp")) and not list(bank.staging.glob("*.jsonl"))  # no clear copy left
    clear = open_inbound(ours, result, signature, tmp_path / "opened")
    with open(clear, "rb") as f:
        reader = fmt.read_results(f, result.name)
        assert len(list(reader)) == 50 and reader.header.batch_id == header.batch_id
    assert sorted(p.name for p in bank.processed.iterdir()) == ["PAY_001.jsonl", "PAY_001.jsonl.sig"]


@pytest.mark.parametrize("damage", ["unsigned", "clear"])
def test_a_secured_bank_rejects_a_payment_file_without_its_security(tmp_path, fmt, damage):
    from service.file_security import protect_outbound

    bank, ours = _secured_bank(tmp_path, fmt)
    write_payment_file(fmt, tmp_path / "clear" / "PAY_001.jsonl", make_lines(5))
    if damage == "unsigned":  # sealed, but its signature never came
        sealed = protect_outbound(ours, tmp_path / "clear" / "PAY_001.jsonl", tmp_path / "sealed")[-1]
        sealed.rename(bank.inbox / sealed.name)
    else:  # sent in the clear
        (tmp_path / "clear" / "PAY_001.jsonl").rename(bank.inbox / "PAY_001.jsonl")

    assert bank.process_once() == []

    assert list(bank.outbox.iterdir()) == []
    note = (bank.rejected / "PAY_001.jsonl.error.txt").read_text(encoding="utf-8")
    assert "file security" in note
