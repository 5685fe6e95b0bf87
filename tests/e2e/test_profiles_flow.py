"""Every shipped bank profile end to end: real gRPC server, real sshd, the simulator as the bank.

Adding a bank is configuration: these tests run the same flow for each profile in
``profiles/`` and check that the files were named, placed and read as the profile says.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapter import server as grpc_server
from bank_sim.bank import SimulatedBank, party_keys
from domain.model import BatchHeader
from domain.roster import generate_lines
from filesec import KeySet, is_envelope, write_signature
from filesec.keys import generate_keys
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import Settings
from service.context import Context
from service.profiles import FileSecurity, SecurityKeys, Signing, load_profile
from service.worker import Worker
from tests.support.identities import TEST_AUTH, TestClient
from ykt.v1 import disbursement_pb2 as pb

PROFILES = sorted((Path(__file__).resolve().parents[2] / "profiles").glob("*.toml"))
SECURED = [p for p in PROFILES if load_profile(p).security.required]
REGION = "652301"
N = 400


def _keys(tmp_path) -> tuple[SecurityKeys, SecurityKeys]:
    """Key sets of the service and of the bank, each made by its own party, each holding the
    other's public halves: (the service's settings keys, the bank's)."""
    ours, theirs = tmp_path / "keys" / "ykt", tmp_path / "keys" / "bank"
    generate_keys(ours, "ykt-2026")
    generate_keys(theirs, "bank-2026")
    return party_keys(ours, theirs), party_keys(theirs, ours)


def _service(engine, tmp_path, sshd_server, profile, keys: SecurityKeys | None = None):
    """The service with ``profile`` reaching sshd; the profile's folders live under sshd's root."""
    connected = replace(
        profile.with_connection(sshd_server.endpoint()),
        inbox=sshd_server.remote(profile.inbox), outbox=sshd_server.remote(profile.outbox),
        archive=sshd_server.remote(profile.archive) if profile.archive else None,
    )
    if keys is not None:
        connected = connected.with_keys(keys)
    # the service speaks English: these tests read its English messages (Chinese: test_languages.py)
    settings = Settings(language="en", database_url=str(engine.url), data_dir=tmp_path / "service",
                        banks={profile.code: connected}, auth=TEST_AUTH)
    return Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))


def _parties(engine, tmp_path, sshd_server, profile):
    """The service's context and the simulated bank for ``profile``, with keys when it secures files."""
    keys = _keys(tmp_path) if profile.security.required else (None, None)
    ctx = _service(engine, tmp_path, sshd_server, profile, keys[0])
    bank = SimulatedBank.for_profile(sshd_server.root_dir, profile, seed=4, failure_rate_ppm=150_000, keys=keys[1])
    return ctx, bank


def _submit(client: TestClient, code: str) -> tuple[str, int]:
    lines = list(generate_lines(N, seed=9, region=REGION))
    total = sum(ln.amount_fen for ln in lines)
    header = BatchHeader(
        idempotency_key=f"p-{code}", program="耕地地力保护补贴", period="2026-11", region=REGION,
        bank_code=code, payer_name="某县财政局", payer_account="15000012345678",
        control_count=N, control_total_fen=total,
    )
    batch_id = client.submit(header, lines).batch_id
    client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    client.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=total))
    return batch_id, total


@pytest.mark.parametrize("profile_path", PROFILES, ids=lambda p: p.stem)
def test_a_batch_goes_through_each_shipped_profile(engine, tmp_path, sshd_server, profile_path):
    profile = load_profile(profile_path)
    ctx, bank = _parties(engine, tmp_path, sshd_server, profile)
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    try:
        batch_id, total = _submit(client, profile.code)
        worker = Worker(ctx)
        worker.run_once()  # dispatch
        (sent,) = client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
        suffix = profile.bank_format.file_suffix
        # the file is named by the Beijing day it was rendered on (issue 12: every day is a Beijing
        # day): from 16:00 UTC that is already tomorrow's date in UTC terms
        beijing_day = ctx.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()
        assert sent.name == profile.naming.payment_name(profile.code, batch_id, beijing_day, suffix)
        uploaded = sshd_server.root_dir / profile.inbox / sent.name
        assert uploaded.exists()
        if profile.security.required:  # signed (signature first) and encrypted; no clear copy kept
            assert uploaded.with_name(sent.name + profile.security.signature_suffix).exists()
            assert is_envelope(uploaded)
            assert not (ctx.settings.data_dir / "outbound" / profile.code / sent.name).exists()

        assert len(bank.process_once()) == 1
        worker.run_once()  # sees the result; a "stable" bank's once it held still for the settle time
        deadline = time.monotonic() + profile.settle_s + 30
        while (batch := client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))).status != "RESULTS_COMPLETE" \
                and time.monotonic() < deadline:
            time.sleep(0.2)
            worker.run_once()
        assert batch.status == "RESULTS_COMPLETE", batch
        files = client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
        assert [(f.direction, f.state) for f in files] == [("OUT", "ACKNOWLEDGED"), ("IN", "BOOKED")]
        assert files[1].name == profile.naming.result_name(sent.name, suffix)
        assert list((sshd_server.root_dir / profile.outbox).glob(files[1].name)) == []  # archived or deleted
        # The statement the bank also left is taken too (stored, never posted), archived like a
        # result file, and reconciles clean with the ledger in every format family (a bank layout
        # declared in its profile, bank_formats.layout, has no statement: JZ8602).
        assert not [p for p in (sshd_server.root_dir / profile.outbox).iterdir()
                    if profile.naming.is_statement(p.name, suffix)]
        statements = client.as_user("auditor").call("ListStatementFiles", pb.ListStatementFilesRequest()).files
        assert len(statements) == getattr(profile.bank_format, "has_statements", True)
        for stmt in statements:
            assert stmt.state == "STORED" and stmt.name == profile.naming.statement_name(
                "15000012345678", date.fromisoformat(stmt.from_date), 1, suffix)
            statement = client.as_user("auditor").call(
                "GetStatementReconciliation", pb.GetStatementReconciliationRequest(statement_file_id=stmt.file_id))
            assert statement.clean and statement.in_balance and statement.matched_entries == stmt.entry_count
            if profile.security.required and profile.archive:  # the bank's statement was sealed too, and signed
                archived = sshd_server.root_dir / profile.archive / stmt.name
                assert is_envelope(archived)
                assert archived.with_name(archived.name + profile.security.signature_suffix).exists()
        assert not list((ctx.settings.data_dir / "inbound" / profile.code).glob("clear/*"))  # clear copies gone

        refund = json.loads(client.as_user("finance").call(
            "CloseBatch", pb.CloseBatchRequest(batch_id=batch_id)).content_json)
        recon = json.loads(client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id)).content_json)
        assert all(recon["checks"].values()), recon["checks"]
        assert recon["ledger"]["paid_fen"] + refund["refunded_fen"] == total
        assert refund["refunded_count"] == recon["bank"]["failed_count"] > 0
        for item in refund["lines"]:
            assert item["follow_up"] in ("REISSUE_AFTER_CORRECTION", "STOP", "REFUND")
        own = [item for item in refund["lines"] if item["bank_reason"].split(" ")[0] in profile.reason_codes]
        for item in own:  # a code only this bank uses is classed by its profile, kept verbatim
            assert item["reason"] == profile.reason_codes[item["bank_reason"].split(" ")[0]].value
        if profile.reason_codes:
            assert own, "the simulator should have used the bank's own codes"
    finally:
        client.close()
        server.stop(grace=None).wait()


def test_a_bank_demanding_signed_files_gets_nothing_unsigned(engine, tmp_path, sshd_server):
    """A profile that demands signing, without signing keys in the settings: nothing is sent."""
    profile = load_profile(PROFILES[0])
    profile = replace(profile, security=FileSecurity(sign=Signing.ED25519))
    ctx = _service(engine, tmp_path, sshd_server, profile)
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    try:
        batch_id, _ = _submit(client, profile.code)
        with pytest.raises(Exception) as caught:
            client.as_user("finance").call("DispatchBatch", pb.DispatchBatchRequest(batch_id=batch_id))
        assert caught.value.code().name == "FAILED_PRECONDITION"
        assert "no sign key set is configured" in caught.value.details()
        assert "nothing was sent" in caught.value.details()
        assert list((sshd_server.root_dir / profile.inbox).glob("*")) == []
        assert client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id)).status == "FUNDED"
    finally:
        client.close()
        server.stop(grace=None).wait()


@pytest.mark.parametrize("damage", ["tampered", "unsigned", "wrong signer"])
def test_a_result_file_failing_its_signature_is_quarantined_and_books_nothing(engine, tmp_path, sshd_server,
                                                                              damage):
    profile = load_profile(SECURED[0])
    ctx, bank = _parties(engine, tmp_path, sshd_server, profile)
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    try:
        batch_id, _ = _submit(client, profile.code)
        worker = Worker(ctx)
        worker.run_once()
        (result,) = bank.process_once()
        signature = result.with_name(result.name + profile.security.signature_suffix)
        if damage == "tampered":  # one byte of the sealed file changed after signing
            data = bytearray(result.read_bytes())
            data[-40] ^= 0x01
            result.write_bytes(bytes(data))
        elif damage == "unsigned":
            signature.unlink()
        else:  # signed with a key the service does not know as the bank's
            generate_keys(tmp_path / "keys" / "mallory", "mallory-1")
            signature.unlink()
            write_signature(result, signature, KeySet.load(tmp_path / "keys" / "mallory" / "sign.keys.json",
                                                           private=True), digest=profile.security.digest)
        worker.run_once()
        worker.run_once()
        files = client.call("ListFiles", pb.ListFilesRequest(bank_code=profile.code)).files
        inbound = [f for f in files if f.direction == "IN"]
        assert [f.state for f in inbound] == ["QUARANTINED"]
        assert "file security" in inbound[0].last_error
        batch = client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
        assert batch.status == "DISPATCHED"
        balances = client.call("GetBalances", pb.GetBalancesRequest(batch_id=batch_id)).balances
        assert all(not b.account.startswith(("paid:", "suspense:")) or b.balance_fen == 0 for b in balances)
    finally:
        client.close()
        server.stop(grace=None).wait()


def test_every_shipped_profile_is_served_and_ccb01_secures_its_files():
    assert {p.stem for p in PROFILES} >= {"ABC01", "CCB01", "PSBC01", "RCC01"}
    assert {p.stem for p in SECURED} == {"CCB01"}
