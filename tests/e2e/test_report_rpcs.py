"""The report RPCs and ``ykt report`` through a real gRPC server on a port: the aggregated and
monthly reports (readers, but not the bank), VerifyReportCopy (everyone), and the command that
exports a report in every format and verifies a copy offline or through the server."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import grpc
import pytest

from adapter import cli
from adapter import server as grpc_server
from service import monthly
from tests.support.identities import TOKENS, TestClient
from tests.support.ledger_world import World
from ykt.v1 import disbursement_pb2 as pb

PROGRAM, REGION = "耕地地力保护补贴", "652301"


@pytest.fixture
def served(sqlite_engine, tmp_path):
    world = World(sqlite_engine, tmp_path, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    batch_id, _ = world.submit_fund_dispatch(PROGRAM, REGION, "2026-11", 30, seed=3)
    world.bank_answers(batch_id, failure_ppm=200_000)
    world.close(batch_id)
    server, port = grpc_server.build(world.ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "auditor")
    yield world, batch_id, client
    client.close()
    server.stop(grace=None).wait()


def _aggregate_request():
    return pb.GetAggregateReportRequest(program=PROGRAM, period="2026-11", region=REGION)


def _monthly_request():
    return pb.GetMonthlyReportRequest(program=PROGRAM, region=REGION, month="2026-11")


def test_the_cross_batch_reports_answer_readers_and_refuse_the_bank(served):
    world, batch_id, client = served
    for user in ("auditor", "finance", "clerk", "approver"):
        agg = client.as_user(user).call("GetAggregateReconciliation", _aggregate_request())
        assert agg.kind == "aggregate" and agg.batch_id == ""
        assert [b["id"] for b in json.loads(agg.content_json)["batches"]] == [batch_id]
        month = client.as_user(user).call("GetMonthlyReport", _monthly_request())
        assert json.loads(month.content_json)["totals"] == \
            monthly.monthly_report(world.ctx, PROGRAM, REGION, "2026-11").content["totals"]
        assert "月度发放报表" in month.text and month.text.count("content sha256") == 3
    bank = client.as_user("bank")
    for method, request in (("GetAggregateReconciliation", _aggregate_request()),
                            ("GetMonthlyReport", _monthly_request())):
        with pytest.raises(grpc.RpcError) as err:
            bank.call(method, request)
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # the service's default language, Chinese; the roles stay codes
        assert err.value.details() == f"{method} 需要角色 CLERK 或 APPROVER 或 FINANCE 或 AUDITOR；用户 'bank' 的角色是 BANK"
    with pytest.raises(grpc.RpcError) as err:
        client.call("GetMonthlyReport", pb.GetMonthlyReportRequest(program=PROGRAM, region=REGION, month="11/2026"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details() == "月份 '11/2026' 的格式不是 YYYY-MM"


def test_verify_report_copy_checks_digest_and_signature_with_the_services_key(served):
    _, batch_id, client = served
    bank = client.as_user("bank")  # every party may check its copy
    recon = bank.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id))
    (copy,) = recon.copies  # the bank receives its own copy (第三联) only
    assert copy.party == "BANK" and recon.text.count("content sha256") == 1
    content = recon.content_json.encode()
    ok = bank.call("VerifyReportCopy", pb.VerifyReportCopyRequest(
        content=content, party="BANK", content_sha256=copy.content_sha256, signature=copy.signature))
    assert ok.valid and ok.computed_sha256 == recon.content_sha256 and [c.party for c in ok.copies] == ["BANK"]
    changed = content.replace(b'"funded_fen":', b'"funded_fen":1', 1)
    bad = bank.call("VerifyReportCopy", pb.VerifyReportCopyRequest(
        content=changed, party="BANK", content_sha256=copy.content_sha256, signature=copy.signature))
    assert not bad.valid
    assert list(bad.copies[0].problems) == [
        f"the content's SHA-256 is {bad.computed_sha256}, the copy says {copy.content_sha256}: "
        "the content is not what this copy was issued with"]
    no_copy = bank.call("VerifyReportCopy", pb.VerifyReportCopyRequest(content=b"{}", party="BANK"))
    assert not no_copy.valid and list(no_copy.problems) == ["bare report content needs the copy's digest, signature"]


def _ykt(monkeypatch, capsys, user: str, *argv: str) -> tuple[int, str]:
    monkeypatch.setenv("YKT_TOKEN", TOKENS[user])
    monkeypatch.setenv("YKT_LANG", "en")  # the command's own words in English, as asserted below
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_ykt_report_exports_every_format_and_verifies_offline_and_through_the_server(
        served, tmp_path, monkeypatch, capsys):
    _, batch_id, client = served
    address = client.address
    out = tmp_path / "out"
    code, said = _ykt(monkeypatch, capsys, "finance", "report", "reconciliation", batch_id, "--format", "all",
                      "--out", str(out), "--address", address)
    assert code == 0, said
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{batch_id}_reconciliation.{s}"
                                                           for s in ("csv", "json", "pdf", "txt", "xlsx"))
    exported = out / f"{batch_id}_reconciliation.json"
    key = tmp_path / "service.pem"
    key.write_text(json.loads(exported.read_text(encoding="utf-8"))["public_key_pem"], encoding="ascii")

    code, said = _ykt(monkeypatch, capsys, "bank", "report", "verify", str(exported), "--public-key", str(key))
    assert code == 0 and "FINANCE: ok" in said and "BANK: ok" in said and said.rstrip().endswith("VALID"), said
    code, said = _ykt(monkeypatch, capsys, "bank", "report", "verify", str(exported), "--address", address)
    assert code == 0 and f"the key of the server at {address}" in said, said

    tampered = tmp_path / "tampered.json"
    parsed = json.loads(exported.read_text(encoding="utf-8"))
    parsed["content"]["finance"]["funded_fen"] += 1
    tampered.write_text(json.dumps(parsed, ensure_ascii=False), encoding="utf-8")
    for where in (("--public-key", str(key)), ("--address", address)):
        code, said = _ykt(monkeypatch, capsys, "bank", "report", "verify", str(tampered), *where)
        assert code == 1 and said.rstrip().endswith("NOT VALID"), said
        assert "the content was altered after it was issued" in said
        assert "BANK: FAIL: the content's SHA-256 is" in said


def test_ykt_report_monthly_and_aggregate_for_one_party(served, tmp_path, monkeypatch, capsys):
    _, _, client = served
    for argv in (("monthly", "--program", PROGRAM, "--region", REGION, "--month", "2026-11"),
                 ("aggregate", "--program", PROGRAM, "--period", "2026-11", "--region", REGION)):
        code, said = _ykt(monkeypatch, capsys, "auditor", "report", *argv, "--format", "json,pdf", "--party", "bank",
                          "--out", str(tmp_path), "--address", client.address)
        assert code == 0, said
        (exported,) = tmp_path.glob(f"*_{argv[0]}_BANK.json")
        assert [c["party"] for c in json.loads(exported.read_text(encoding="utf-8"))["copies"]] == ["BANK"]
        assert exported.with_suffix(".pdf").exists()
    code, said = _ykt(monkeypatch, capsys, "bank", "report", "monthly", "--program", PROGRAM, "--region", REGION,
                      "--month", "2026-11", "--address", client.address)
    assert code == 3 and "PERMISSION_DENIED" in said  # refused by the service (adapter/cli_errors.py)
    code, said = _ykt(monkeypatch, capsys, "auditor", "report", "refund", "B-NONE", "--format", "docx",
                      "--address", client.address)
    assert code == 2 and "unknown format docx" in said


def test_a_copy_fetched_before_a_signing_key_rotation_still_verifies_through_the_server(served):
    """Issue 17 item 5: the server signs with the current key of its key set, naming it; after
    ``rotate-signing`` new copies name the new key and VerifyReportCopy still accepts the old."""
    from reports.signing import SigningKeys, rotate_file

    world, batch_id, client = served
    before = client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id))
    assert {c.signature.split(":")[0] for c in before.copies} == {"s1"}
    rotated = rotate_file(world.ctx.settings.signing_key_file)
    assert rotated.current_id == "s2"
    after = client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id))
    assert after.content_sha256 == before.content_sha256  # the same content ...
    assert {c.signature.split(":")[0] for c in after.copies} == {"s2"}  # ... signed by the new key
    assert after.public_key_pem == SigningKeys.load(world.ctx.settings.signing_key_file).public_keys()["s2"]
    for report in (before, after):
        copy = report.copies[0]
        verdict = client.call("VerifyReportCopy", pb.VerifyReportCopyRequest(
            content=report.content_json.encode(), party=copy.party, content_sha256=copy.content_sha256,
            signature=copy.signature))
        assert verdict.valid, list(verdict.copies[0].problems)
    # a signature relabelled with the other key's id does not pass
    copy = before.copies[0]
    relabelled = "s2:" + copy.signature.split(":", 1)[1]
    verdict = client.call("VerifyReportCopy", pb.VerifyReportCopyRequest(
        content=before.content_json.encode(), party=copy.party, content_sha256=copy.content_sha256,
        signature=relabelled))
    assert not verdict.valid and "(key s2) does not verify" in verdict.copies[0].problems[0]
