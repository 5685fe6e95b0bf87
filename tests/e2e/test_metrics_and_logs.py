"""Metrics and logs of a real ``ykt serve`` (issue 17 item 6).

One batch goes the whole way — submitted, approved, funded, dispatched by the worker to a real
sshd, answered by the simulated bank, booked — and the Prometheus endpoint is scraped over HTTP
at each step; the numbers are what the rules say they must be at that step. JSON logs: every
stderr line is one JSON object, the caller's ``x-request-id`` is on the lines logged for its call
and comes back in the trailing metadata, and no identity or account number is in the clear.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert

import bank_formats
from adapter.client import _submit_requests as _requests
from bank_sim.bank import SimulatedBank
from domain.idnumber import check_character
from domain.masking import mask_id
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.schema import leases
from privacy.keys import Keyring
from service.context import utc_now
from tests.support.identities import TestClient
from tests.support.serving import serve, stop, write_settings
from tests.support.sshd import free_port
from ykt.v1 import disbursement_pb2 as pb

pytestmark = [pytest.mark.sshd, pytest.mark.timeout(180)]

BANK = "RCB01"
REGION = "652301"
N = 12


def _scrape(url: str) -> dict[tuple[str, tuple], float]:
    """Every sample of the endpoint: (name, sorted labels) → value."""
    with urllib.request.urlopen(url, timeout=10) as reply:
        assert reply.status == 200
        text = reply.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _by(samples, name: str, label: str) -> dict[str, float]:
    return {dict(key)[label]: v for (n, key), v in samples.items() if n == name}


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _profile(tmp_path: Path, root: Path) -> Path:
    profile = tmp_path / f"{BANK}.toml"
    profile.write_text(f"""
[bank]
code = "{BANK}"
name = "某农村商业银行"
[format]
family = "iso20022"
[folders]
inbox = "{root / 'inbox'}"
outbox = "{root / 'outbox'}"
archive = "{root / 'archive'}"
completion = "marker"
""", encoding="utf-8")
    return profile


def _settings(tmp_path: Path, sshd_server, engine, top: str) -> Path:
    key_file = tmp_path / "keys" / "pii-keys.json"
    key_file.parent.mkdir()
    Keyring.generate(key_file)
    path = write_settings(tmp_path / "ykt.toml", data_dir=tmp_path / "data",
                          database_url=engine.url.render_as_string(hide_password=False), key_file=key_file,
                          instance_id="a", bank=BANK, profile=_profile(tmp_path, sshd_server.root_dir),
                          sshd_server=sshd_server, sftp_timeout_s=2)
    path.write_text(top + path.read_text(encoding="utf-8"), encoding="utf-8")  # top-level keys go first
    return path


def _header(key: str, lines) -> BatchHeader:
    return BatchHeader(idempotency_key=key, program="耕地地力保护补贴", period="2026-11", region=REGION,
                       bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678",
                       control_count=len(lines), control_total_fen=sum(ln.amount_fen for ln in lines))


def test_the_endpoint_counts_a_batch_through_its_whole_life(tmp_path, sshd_server, sqlite_engine):
    metrics_port = free_port()
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    config = _settings(tmp_path, sshd_server, sqlite_engine, f'metrics_address = "127.0.0.1:{metrics_port}"\n')
    bank = SimulatedBank(sshd_server.root_dir, bank_formats.get("iso20022"), seed=5, bank_code=BANK)
    stop_bank = threading.Event()
    bank_thread = threading.Thread(target=bank.run_forever, args=(0.2, stop_bank), daemon=True)
    proc, address = serve(config)
    client = TestClient(address, "clerk")
    try:
        assert proc.stdout.readline().strip() == f"ykt metrics on http://127.0.0.1:{metrics_port}/metrics"
        empty = _scrape(url)
        assert _value(empty, "ykt_ledger_up") == 1
        assert sum(_by(empty, "ykt_batches", "state").values()) == 0
        assert _by(empty, "ykt_batches", "state")["CLOSED"] == 0  # every state is there, zero or not
        assert _value(empty, "ykt_oldest_unacknowledged_file_age_seconds", bank=BANK) == 0

        lines = list(generate_lines(N, seed=7, region=REGION))
        total = sum(ln.amount_fen for ln in lines)
        batch_id = client.submit(_header("metrics-1", lines), lines).batch_id
        client.submit(_header("metrics-1", lines), lines)  # the same request again: a replay, counted once
        client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))

        approved = _scrape(url)  # the worker leaves an approved batch alone: nothing moves
        assert _by(approved, "ykt_batches", "state")["APPROVED"] == 1
        assert sum(_by(approved, "ykt_batches", "state").values()) == 1
        assert _by(approved, "ykt_lines", "status")["PENDING"] == N
        assert sum(_by(approved, "ykt_lines", "status").values()) == N
        assert _value(approved, "ykt_lines_submitted_total") == N
        assert _value(approved, "ykt_batches_submitted_total", state="SUBMITTED") == 1
        assert _value(approved, "ykt_submission_seconds_count") == 2
        assert not _by(approved, "ykt_files", "state")

        # funded while the bank does not answer: the file waits at the bank, the batch for results
        client.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=total))
        waiting = _wait(lambda: (s := _scrape(url)) and _value(s, "ykt_files", direction="OUT", state="DELIVERED",
                                                                bank=BANK) == 1 and s, 30, "the delivery")
        assert _by(waiting, "ykt_batches", "state")["DISPATCHED"] == 1
        time.sleep(1.2)
        waiting = _scrape(url)
        assert _value(waiting, "ykt_oldest_unacknowledged_file_age_seconds", bank=BANK) >= 1
        assert _value(waiting, "ykt_oldest_unanswered_batch_age_seconds", bank=BANK) >= 1
        assert _value(waiting, "ykt_lines_booked_total", bank=BANK) == 0

        # a lease another instance holds, and one that ran out
        now = utc_now()
        with sqlite_engine.begin() as conn:
            conn.execute(insert(leases), [
                {"name": "dispatch:BX", "owner": "b", "lease_until": now + timedelta(seconds=60), "fence": 3},
                {"name": "dispatch:BY", "owner": "c", "lease_until": now - timedelta(seconds=5), "fence": 1},
            ])
        held = _scrape(url)
        assert _value(held, "ykt_lease_held", lease="dispatch:BX", owner="b") == 1
        assert 50 < _value(held, "ykt_lease_remaining_seconds", lease="dispatch:BX", owner="b") <= 60
        assert ("ykt_lease_held", (("lease", "dispatch:BY"), ("owner", "c"))) not in held

        bank_thread.start()
        done = _wait(lambda: (s := _scrape(url)) and _by(s, "ykt_batches", "state")["RESULTS_COMPLETE"] == 1
                     and _value(s, "ykt_lines_booked_total", bank=BANK) == N and s, 60, "the results booked")
    finally:
        client.close()
        stop_bank.set()
        out, err = stop(proc)
    assert sum(_by(done, "ykt_batches", "state").values()) == 1
    by_status = _by(done, "ykt_lines", "status")
    assert sum(by_status.values()) == N
    assert by_status["PAID"] + by_status["FAILED"] == N  # every line has its final result
    assert by_status["PENDING"] == 0
    assert _value(done, "ykt_files", direction="OUT", state="ACKNOWLEDGED", bank=BANK) == 1
    assert _value(done, "ykt_files", direction="IN", state="BOOKED", bank=BANK) == 1
    assert sum(v for (n, _), v in done.items() if n == "ykt_files") == 2
    assert _value(done, "ykt_result_files_total", bank=BANK, state="BOOKED") == 1
    assert _value(done, "ykt_booking_seconds_count", bank=BANK) == 1
    assert _value(done, "ykt_oldest_unacknowledged_file_age_seconds", bank=BANK) == 0
    assert _value(done, "ykt_oldest_unanswered_batch_age_seconds", bank=BANK) == 0
    assert _value(done, "ykt_worker_rounds_total") > 3
    assert sum(v for (n, _), v in done.items() if n == "ykt_worker_round_errors_total") == 0
    assert "Traceback" not in err, err


def test_json_logs_carry_the_request_id_and_mask_personal_numbers(tmp_path, sshd_server, sqlite_engine):
    config = _settings(tmp_path, sshd_server, sqlite_engine, 'log_format = "json"\n')
    proc, address = serve(config, env={"YKT_POLL_INTERVAL_S": "30"})
    id_number = "11010519491231002" + check_character("11010519491231002")
    lines = list(generate_lines(3, seed=11, region=REGION))
    auditor = TestClient(address, "auditor")  # AUDITOR may not approve: a refusal logged as a WARNING
    clerk = auditor.as_user("clerk")
    try:
        with pytest.raises(grpc.RpcError) as refused:
            auditor.stub.ApproveBatch(pb.ApproveBatchRequest(batch_id="B2026NOPE"),
                                      metadata=[*auditor.metadata, ("x-request-id", "req-42-abc")])
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert ("x-request-id", "req-42-abc") in refused.value.trailing_metadata()
        # an identity number sent as the request id: logged and echoed masked only
        with pytest.raises(grpc.RpcError) as as_id:
            auditor.stub.ApproveBatch(pb.ApproveBatchRequest(batch_id="B2026NOPE"),
                                      metadata=[*auditor.metadata, ("x-request-id", id_number)])
        assert dict(as_id.value.trailing_metadata())["x-request-id"] == mask_id(id_number)
        # none given: one is made, and a service error keeps it beside its details
        with pytest.raises(grpc.RpcError) as missing:
            clerk.stub.GetBatch(pb.GetBatchRequest(batch_id="B2026NOPE"), metadata=clerk.metadata)
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        trailing = dict(missing.value.trailing_metadata())
        assert len(trailing["x-request-id"]) == 32 and "grpc-status-details-bin" in trailing
        _reply, call = clerk.stub.SubmitBatch.with_call(iter(_requests(_header("json-logs", lines), lines)),
                                                        metadata=[*clerk.metadata, ("x-request-id", "sub-1")])
        assert ("x-request-id", "sub-1") in call.trailing_metadata()
    finally:
        auditor.close()
        out, err = stop(proc)
    records = [json.loads(line) for line in err.splitlines()]  # every line one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records), records
    refusals = [r for r in records if "refused" in r["message"] and "ApproveBatch" in r["message"]]
    assert [r.get("request_id") for r in refusals] == ["req-42-abc", mask_id(id_number)], records
    assert id_number not in err
    for ln in lines:
        assert ln.id_number not in err and ln.account_no not in err
