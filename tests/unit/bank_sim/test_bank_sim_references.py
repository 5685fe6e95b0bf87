"""The simulated bank's payment references, and the two misbehaviours it can be told to show:
reporting an answer again (same records, same references) and paying lines twice (重发: a
second result file, PAID under another reference, and a second debit on the statement)."""
from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from bank_sim.bank import SimulatedBank
from bank_sim.outcomes import decide, paid_twice, payment_ref, ref_prefix
from domain.model import EntrySide, PaymentOutcome
from service.profiles import load_profile
from tests.support.fake_format import JsonLinesFormat, make_lines, write_payment_file

PROFILES = Path(__file__).resolve().parents[3] / "profiles"


def read_results(fmt, path):
    with open(path, "rb") as f:
        reader = fmt.read_results(f, path.name)
        return reader.header, list(reader)


def read_statement(fmt, path):
    with open(path, "rb") as f:
        reader = fmt.read_statement(f, path.name)
        return reader.header, list(reader)


# --- the references ------------------------------------------------------------------------

def test_a_reference_is_deterministic_short_and_unique():
    ref = payment_ref("RCC01", 7, "PAY-1", 42)
    assert ref == payment_ref("RCC01", 7, "PAY-1", 42)
    assert ref == ref_prefix("RCC01", 7, "PAY-1") + "0000000042" and len(ref) == 26
    assert ref.isascii() and ref.isalnum()
    assert len(payment_ref("RCC01", 7, "PAY-1", 10**18 - 1)) == 34  # fits a 35-character field
    refs = {payment_ref(bank, seed, file_id, seq, payment)
            for bank in ("RCC01", "ABC01") for seed in (7, 8) for file_id in ("PAY-1", "PAY-2")
            for seq in range(1, 200) for payment in (1, 2)}
    assert len(refs) == 2 * 2 * 2 * 199 * 2
    with pytest.raises(ValueError):
        payment_ref("RCC01", 7, "PAY-1", 1, payment=0)


def test_paid_twice_by_seq_or_by_rate():
    assert [q for q in range(1, 100) if paid_twice(7, "B1", q, {3, 50})] == [3, 50]
    assert not any(paid_twice(7, "B1", q) for q in range(1, 1000))
    assert all(paid_twice(7, "B1", q, rate_ppm=1_000_000) for q in range(1, 1000))
    some = [q for q in range(1, 10_001) if paid_twice(7, "B1", q, rate_ppm=100_000)]
    assert 800 < len(some) < 1200  # 10 %
    assert some == [q for q in range(1, 10_001) if paid_twice(7, "B1", q, rate_ppm=100_000)]
    assert some != [q for q in range(1, 10_001) if paid_twice(8, "B1", q, rate_ppm=100_000)]


@pytest.mark.parametrize("options", [{"pay_twice": [0]}, {"pay_twice": ["3"]},
                                     {"pay_twice_ppm": -1}, {"pay_twice_ppm": 1_000_001}])
def test_bad_options_are_refused(tmp_path, options):
    with pytest.raises(ValueError):
        SimulatedBank(tmp_path, JsonLinesFormat(), seed=1, bank_code="SIM", **options)


def test_every_paid_record_has_its_own_reference_and_failures_none(tmp_path):
    fmt = JsonLinesFormat()
    bank = SimulatedBank(tmp_path, fmt, seed=3, bank_code="SIM", failure_rate_ppm=200_000)
    lines = make_lines(300)
    header = write_payment_file(fmt, tmp_path / "inbox" / "PAY_001.jsonl", lines)
    (result,) = bank.process_once()
    _, records = read_results(fmt, result)
    paid = [r for r in records if r.outcome is PaymentOutcome.PAID]
    failed = [r for r in records if r.outcome is PaymentOutcome.FAILED]
    assert paid and failed
    assert [r.bank_ref for r in paid] == [payment_ref("SIM", 3, header.file_id, r.seq) for r in paid]
    assert len({r.bank_ref for r in paid}) == len(paid)
    assert all(r.bank_ref == "" for r in failed)
    # a re-issue is another payment file: its payments have other references
    again = write_payment_file(fmt, tmp_path / "inbox" / "PAY_002.jsonl", lines)
    (result2,) = bank.process_once()
    _, records2 = read_results(fmt, result2)
    assert again.file_id != header.file_id
    assert not {r.bank_ref for r in records2 if r.bank_ref} & {r.bank_ref for r in paid}


def test_by_default_one_result_file_per_payment_file(tmp_path):
    fmt = JsonLinesFormat()
    bank = SimulatedBank(tmp_path, fmt, seed=3, bank_code="SIM")
    write_payment_file(fmt, tmp_path / "inbox" / "PAY_001.jsonl", make_lines(50))
    assert [p.name for p in bank.process_once()] == ["RESULT_PAY_001.jsonl"]
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [
        "RESULT_PAY_001.jsonl", "RESULT_PAY_001.jsonl.done"]


# --- re-report -------------------------------------------------------------------------------

def test_rereport_writes_the_same_records_again_under_another_name_and_id(tmp_path):
    fmt = JsonLinesFormat()
    bank = SimulatedBank(tmp_path, fmt, seed=3, bank_code="SIM", failure_rate_ppm=100_000,
                         rereport=True)
    header = write_payment_file(fmt, tmp_path / "inbox" / "PAY_001.jsonl", make_lines(200))

    written = bank.process_once()

    assert [p.name for p in written] == ["RESULT_PAY_001.jsonl", "RESULT_PAY_001_REREPORT.jsonl"]
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [
        "RESULT_PAY_001.jsonl", "RESULT_PAY_001.jsonl.done",
        "RESULT_PAY_001_REREPORT.jsonl", "RESULT_PAY_001_REREPORT.jsonl.done"]
    first_header, first = read_results(fmt, written[0])
    again_header, again = read_results(fmt, written[1])
    assert again == first  # the same records, references and all
    assert all(r.bank_ref for r in again if r.outcome is PaymentOutcome.PAID)
    assert again_header.file_id != first_header.file_id
    assert dataclasses.replace(again_header, file_id=first_header.file_id,
                               created_at=first_header.created_at) == first_header
    assert again_header.original_file_id == header.file_id
    assert written[0].read_bytes() != written[1].read_bytes()  # not a re-delivery of the bytes
    assert bank.process_once() == []


def test_a_rereport_written_before_a_crash_is_kept(tmp_path):
    fmt = JsonLinesFormat()
    bank = SimulatedBank(tmp_path, fmt, seed=3, bank_code="SIM", rereport=True)
    write_payment_file(fmt, tmp_path / "inbox" / "PAY.jsonl", make_lines(5))
    (tmp_path / "outbox" / "RESULT_PAY_REREPORT.jsonl").write_bytes(b"written before the crash")
    assert [p.name for p in bank.process_once()] == ["RESULT_PAY.jsonl", "RESULT_PAY_REREPORT.jsonl"]
    assert (tmp_path / "outbox" / "RESULT_PAY_REREPORT.jsonl").read_bytes() == b"written before the crash"
    assert (tmp_path / "outbox" / "RESULT_PAY_REREPORT.jsonl.done").exists()


# --- pay twice -------------------------------------------------------------------------------

def test_pay_twice_writes_the_lines_paid_again_under_new_references(tmp_path):
    fmt = JsonLinesFormat()
    lines = make_lines(100)
    outcomes = {x.seq: decide(3, "B20261105A1B2C3D4", x, 100_000).outcome for x in lines}
    failed_seq = next(q for q, o in outcomes.items() if o is PaymentOutcome.FAILED)
    paid_seqs = [q for q, o in outcomes.items() if o is PaymentOutcome.PAID]
    chosen = {paid_seqs[0], paid_seqs[40], paid_seqs[-1], failed_seq}  # a failed one: not paid
    bank = SimulatedBank(tmp_path, fmt, seed=3, bank_code="SIM", failure_rate_ppm=100_000,
                         pay_twice=chosen)
    header = write_payment_file(fmt, tmp_path / "inbox" / "PAY_001.jsonl", lines,
                                batch_id="B20261105A1B2C3D4")

    written = bank.process_once()

    assert [p.name for p in written] == ["RESULT_PAY_001.jsonl", "RESULT_PAY_001_REPAY.jsonl"]
    assert (tmp_path / "outbox" / "RESULT_PAY_001_REPAY.jsonl.done").exists()
    _, first = read_results(fmt, written[0])
    twice_header, twice = read_results(fmt, written[1])
    by_seq = {r.seq: r for r in first}
    expected = sorted(q for q in chosen if outcomes[q] is PaymentOutcome.PAID)
    assert [r.seq for r in twice] == expected and failed_seq not in expected
    for r in twice:
        assert r.outcome is PaymentOutcome.PAID and r.amount_fen == by_seq[r.seq].amount_fen
        assert r.account_no == by_seq[r.seq].account_no
        assert r.bank_ref == payment_ref("SIM", 3, header.file_id, r.seq, payment=2)
        assert r.bank_ref != by_seq[r.seq].bank_ref == payment_ref("SIM", 3, header.file_id, r.seq)
    assert (twice_header.count, twice_header.paid_count, twice_header.failed_count) == (3, 3, 0)
    assert twice_header.paid_fen == sum(r.amount_fen for r in twice) and twice_header.failed_fen == 0
    assert twice_header.original_file_id == header.file_id and twice_header.batch_id == header.batch_id


def test_pay_twice_by_rate_is_deterministic_by_seed(tmp_path):
    def twice_paid(root, seed):
        fmt = JsonLinesFormat()
        bank = SimulatedBank(root, fmt, seed=seed, bank_code="SIM", pay_twice_ppm=100_000)
        write_payment_file(fmt, root / "inbox" / "PAY.jsonl", make_lines(400))
        written = bank.process_once()
        assert [p.name for p in written] == ["RESULT_PAY.jsonl", "RESULT_PAY_REPAY.jsonl"]
        return read_results(fmt, written[1])[1]

    a, b, c = (twice_paid(tmp_path / name, seed) for name, seed in (("a", 9), ("b", 9), ("c", 10)))
    assert a == b and [r.seq for r in a] != [r.seq for r in c]
    assert 20 < len(a) < 65  # 10 % of the about 388 lines paid


def test_no_second_file_when_no_line_is_paid_twice(tmp_path):
    fmt = JsonLinesFormat()
    bank = SimulatedBank(tmp_path, fmt, seed=3, bank_code="SIM", pay_twice={999})
    write_payment_file(fmt, tmp_path / "inbox" / "PAY.jsonl", make_lines(10))
    assert [p.name for p in bank.process_once()] == ["RESULT_PAY.jsonl"]


# --- with the real formats, both misbehaviours, statements ------------------------------------

@pytest.mark.parametrize("profile_name", ["RCC01", "PSBC01", "ABC01"])
def test_real_formats_carry_the_references_and_the_second_payments_reach_the_statement(
        tmp_path, profile_name):
    profile = load_profile(PROFILES / f"{profile_name}.toml")
    fmt = profile.bank_format
    bank = SimulatedBank.for_profile(tmp_path, profile, seed=5, failure_rate_ppm=200_000,
                                     rereport=True, pay_twice_ppm=150_000)
    lines = make_lines(60)
    name = profile.naming.payment_name(profile.code, "B1", date(2026, 11, 2), fmt.file_suffix)
    header = write_payment_file(fmt, tmp_path / profile.inbox / name, lines, batch_id="B1")

    answer, rereport, repay = bank.process_once()

    stem = Path(name).stem
    assert answer.name == profile.naming.result_name(name, fmt.file_suffix)
    assert rereport.name == profile.naming.result_name(f"{stem}_REREPORT{fmt.file_suffix}",
                                                       fmt.file_suffix)
    assert repay.name == profile.naming.result_name(f"{stem}_REPAY{fmt.file_suffix}",
                                                    fmt.file_suffix)
    for path in (answer, rereport, repay):  # the service recognises them all as result files
        assert profile.naming.is_result(path.name, fmt.file_suffix)
    _, first = read_results(fmt, answer)
    _, again = read_results(fmt, rereport)
    _, twice = read_results(fmt, repay)
    paid = [r for r in first if r.outcome is PaymentOutcome.PAID]
    assert [r.bank_ref for r in paid] == [payment_ref(profile.code, 5, header.file_id, r.seq)
                                           for r in paid]
    assert again == first
    assert twice and [r.seq for r in twice] == [
        r.seq for r in paid if paid_twice(5, "B1", r.seq, rate_ppm=150_000)]
    assert all(r.bank_ref == payment_ref(profile.code, 5, header.file_id, r.seq, payment=2)
               for r in twice)

    statements = sorted(p for p in (tmp_path / profile.outbox).iterdir()
                        if profile.naming.is_statement(p.name, fmt.file_suffix))
    assert len(statements) == 2  # the answer's, then the second payments'
    (h1, e1), (h2, e2) = (read_statement(fmt, p) for p in statements)
    assert [e.reference for e in e1 if e.side is EntrySide.DEBIT] == [
        r.bank_ref for r in paid if r.amount_fen > 0]
    assert [(e.side, e.amount_fen, e.line_seq, e.reference) for e in e2] == [
        (EntrySide.DEBIT, r.amount_fen, r.seq, r.bank_ref) for r in twice if r.amount_fen > 0]
    assert h2.opening_balance_fen == h1.closing_balance_fen
    assert h2.closing_balance_fen == h1.closing_balance_fen - sum(r.amount_fen for r in twice)
    assert h2.credit_fen == 0
