"""The simulated bank end to end: upload a payment file over SFTP, fetch its result file.

Runs once for every bank profile shipped in ``profiles/``: its format, folders, file names and
completion rule, as the service will meet them.
"""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

import bank_sim
from bank_sim.bank import party_keys
from domain.model import EntrySide, PaymentOutcome, payment_message_id
from filesec import is_envelope
from filesec.keys import generate_keys
from service.file_security import is_signature_name, open_inbound, protect_outbound, signature_name
from service.profiles import load_profile
from sftp import BankSftp, SftpEndpoint
from sftp.keys import generate_ed25519
from tests.support.fake_format import JsonLinesFormat, make_lines, write_payment_file

pytestmark = pytest.mark.timeout(60)



PROFILES = sorted((Path(__file__).resolve().parents[3] / "profiles").glob("*.toml"))


def _wait_ready(bank: BankSftp, outbox: str, completion: str, want: int, timeout_s: float = 20.0):
    previous = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        listing = bank.list_ready(outbox, completion=completion, previous=previous)
        if len(listing.ready) >= want:
            return listing.ready
        previous = listing.observations
        time.sleep(0.1 if completion == "marker" else 1.05)  # "stable" needs a second sighting
    raise AssertionError(f"no result file in {outbox} after {timeout_s}s")


def _fetch(client: BankSftp, profile, remote, folder: Path) -> Path:
    """Download a file of the bank's (and its signature, when it signs), verified and opened."""
    local = client.download(remote.path, folder / remote.name).local_path
    if not profile.security.required:
        return local
    signature = folder / signature_name(profile, remote.name)
    client.download(signature_name(profile, remote.path), signature)
    return open_inbound(profile, local, signature, folder / "clear")


@pytest.mark.parametrize("profile_path", PROFILES, ids=lambda p: p.stem)
def test_every_shipped_profile_answers_a_payment_file_over_sftp(tmp_path, profile_path):
    profile = load_profile(profile_path)
    fmt = profile.bank_format
    client_line = generate_ed25519(tmp_path / "client")
    bank_keys = None
    if profile.security.required:  # signed and sealed both ways: each party with its own keys
        generate_keys(tmp_path / "keys" / "ykt", "ykt-1")
        generate_keys(tmp_path / "keys" / "bank", "bank-1")
        profile = profile.with_keys(party_keys(tmp_path / "keys" / "ykt", tmp_path / "keys" / "bank"))
        bank_keys = party_keys(tmp_path / "keys" / "bank", tmp_path / "keys" / "ykt")
    bank = bank_sim.SimulatedBank.for_profile(tmp_path / "bank", profile, 2026, failure_rate_ppm=50_000,
                                              keys=bank_keys)
    sim = bank_sim.start(bank, 0, [client_line], tmp_path / "host_key", interval_s=0.05)
    try:
        name = profile.naming.payment_name(profile.code, "B1", date(2026, 11, 2), fmt.file_suffix)
        lines = make_lines(400)
        header = write_payment_file(fmt, tmp_path / "out" / name, lines)
        ep = SftpEndpoint(sim.host, sim.port, "ykt", tmp_path / "client",
                          host_key=(tmp_path / "host_key.pub").read_text())
        with BankSftp(ep) as client:
            for path in protect_outbound(profile, tmp_path / "out" / name, tmp_path / "sealed"):  # signature first
                client.upload(path, profile.inbox, path.name)
            # The bank answers with its result file and a statement of the clearing account (a
            # declared layout, bank_formats.layout, has no statement: only the result file).
            statements = getattr(fmt, "has_statements", True)
            outbox = [f for f in _wait_ready(client, profile.outbox, profile.completion, want=1 + statements)
                      if not is_signature_name(profile, f.name)]
            (ready,) = [f for f in outbox if profile.naming.is_result(f.name, fmt.file_suffix)]
            stmts = [f for f in outbox if profile.naming.is_statement(f.name, fmt.file_suffix)]
            assert len(stmts) == statements
            assert ready.name == profile.naming.result_name(name, fmt.file_suffix)
            got, *got_stmt = (_fetch(client, profile, f, tmp_path / "in") for f in (ready, *stmts))
        if profile.security.required:  # nothing the bank sent was readable without our key
            assert all(is_envelope(tmp_path / "in" / f.name) for f in (ready, *stmts))
        with open(got, "rb") as f:
            assert fmt.detect(f.read(4096)) == "results"
            f.seek(0)
            reader = fmt.read_results(f, ready.name)
            records = list(reader)
        paid_fen = sum(x.amount_fen for x, r in zip(lines, records) if r.outcome is PaymentOutcome.PAID)
        assert reader.header.paid_fen == paid_fen
        for got_one, stmt in zip(got_stmt, stmts):
            with open(got_one, "rb") as f:
                assert fmt.detect(f.read(4096)) == "statement"
                f.seek(0)
                statement = fmt.read_statement(f, stmt.name)
                entries = list(statement)
            assert statement.header.credit_fen == sum(x.amount_fen for x in lines)  # the funding
            assert statement.header.debit_fen == paid_fen == sum(
                e.amount_fen for e in entries if e.side is EntrySide.DEBIT)
            assert statement.header.count == len(entries) == 1 + reader.header.paid_count
            assert statement.header.closing_balance_fen == (
                statement.header.opening_balance_fen + statement.header.credit_fen - statement.header.debit_fen)
        if "original_file_id" in getattr(fmt, "stated_in_file", lambda kind: {"original_file_id"})("results"):
            assert reader.header.original_file_id == header.file_id
            assert reader.header.batch_id == header.batch_id
        else:  # a bank layout without our ids (JZ8602): both come from the file names
            assert (reader.header.original_file_id, reader.header.batch_id) == (payment_message_id("B1", 0), "B1")
        assert [r.amount_fen for r in records] == [x.amount_fen for x in lines]
        assert [r.seq for r in records] == [x.seq for x in lines]
        assert reader.header.paid_count + reader.header.failed_count == 400
        assert sum(r.outcome is PaymentOutcome.FAILED for r in records) == reader.header.failed_count
        assert 0 < reader.header.failed_count < 60
        assert (tmp_path / "bank" / "processed" / name).exists()
    finally:
        sim.stop()


def test_garbage_upload_is_rejected(tmp_path):
    client_line = generate_ed25519(tmp_path / "client")
    bank = bank_sim.SimulatedBank(tmp_path / "bank", JsonLinesFormat(), 1, "SIMBANK")
    sim = bank_sim.start(bank, 0, [client_line], None, interval_s=0.05)
    try:
        (tmp_path / "junk.jsonl").write_bytes(b"this is not a payment file")
        ep = SftpEndpoint(sim.host, sim.port, "ykt", tmp_path / "client",
                          host_key=sim.host_public_key_line)
        with BankSftp(ep) as bank:
            bank.upload(tmp_path / "junk.jsonl", "/inbox", "junk.jsonl")
        note = tmp_path / "bank" / "rejected" / "junk.jsonl.error.txt"
        for _ in range(200):
            if note.exists():
                break
            time.sleep(0.05)
        assert note.exists()
        assert list((tmp_path / "bank" / "outbox").iterdir()) == []
    finally:
        sim.stop()
