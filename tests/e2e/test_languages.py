"""Chinese for people, codes for machines (issue 16 item 3), through a real ``ykt serve``.

The same refused request is answered in Simplified Chinese by default and in English when the
call sends ``accept-language: en``; the status code and the ``google.rpc`` details (BadRequest
field paths and codes, ErrorInfo reason and metadata) are the same either way. A service whose
``language`` setting is ``en`` speaks English unless a call asks for Chinese. The expected
texts are written here from the issue's wording and the catalogue's intent, not copied from
output.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from adapter.client import _submit_requests
from domain.model import BatchHeader
from domain.roster import generate_lines
from privacy.keys import Keyring
from tests.support.identities import TestClient
from tests.support.serving import serve, stop, write_settings
from ykt.v1 import disbursement_pb2 as pb

pytestmark = [pytest.mark.sshd, pytest.mark.timeout(180)]

BANK = "RCB01"
REGION = "652301"
EN = (("accept-language", "en-US,en;q=0.9"),)
ZH = (("accept-language", "zh-CN"),)


def _config(tmp_path: Path, sshd_server, engine, top: str = "") -> Path:
    key_file = tmp_path / "keys" / "pii-keys.json"
    key_file.parent.mkdir()
    Keyring.generate(key_file)
    profile = tmp_path / f"{BANK}.toml"
    profile.write_text(f"""
[bank]
code = "{BANK}"
name = "某农村商业银行"
[format]
family = "iso20022"
[folders]
inbox = "inbox"
outbox = "outbox"
""", encoding="utf-8")
    path = write_settings(tmp_path / "ykt.toml", data_dir=tmp_path / "data",
                          database_url=engine.url.render_as_string(hide_password=False), key_file=key_file,
                          instance_id="a", bank=BANK, profile=profile, sshd_server=sshd_server)
    path.write_text(top + path.read_text(encoding="utf-8"), encoding="utf-8")  # top-level keys go first
    return path


def _header(key: str, lines, **changes) -> BatchHeader:
    fields = dict(idempotency_key=key, program="耕地地力保护补贴", period="2026-11", region=REGION, bank_code=BANK,
                  payer_name="某县财政局", payer_account="15000012345678", control_count=len(lines),
                  control_total_fen=sum(ln.amount_fen for ln in lines))
    return BatchHeader(**{**fields, **changes})


def _refused(call) -> tuple[grpc.StatusCode, str, dict[str, str], tuple]:
    """(code, message, BadRequest field → description, ErrorInfo (reason, domain, metadata))."""
    with pytest.raises(grpc.RpcError) as caught:
        call()
    err = caught.value
    status = rpc_status.from_call(err)
    fields, info = {}, None
    for detail in status.details if status is not None else ():
        bad, found = error_details_pb2.BadRequest(), error_details_pb2.ErrorInfo()
        if detail.Unpack(bad):
            fields.update({v.field: v.description for v in bad.field_violations})
        elif detail.Unpack(found):
            info = (found.reason, found.domain, dict(found.metadata))
    return err.code(), err.details(), fields, info


def test_the_same_refusal_in_chinese_by_default_and_in_english_on_request(tmp_path, sshd_server, sqlite_engine):
    proc, address = serve(_config(tmp_path, sshd_server, sqlite_engine))
    clerk = TestClient(address, "clerk")
    try:
        lines = list(generate_lines(3, seed=11, region=REGION))
        bad_header = _header("lang-1", lines, region="65230")  # five digits: not a division code

        def submit(extra=()):
            return lambda: clerk.stub.SubmitBatch(_submit_requests(bad_header, lines), metadata=clerk.metadata + extra)

        zh, en, zh_asked = _refused(submit()), _refused(submit(EN)), _refused(submit(ZH))
        assert zh[0] == en[0] == grpc.StatusCode.INVALID_ARGUMENT
        assert zh[1] == "批次表头有误，未存储任何内容"
        assert en[1] == "batch header rejected; nothing was stored"
        assert zh_asked[1] == zh[1]
        # the details: the same field, led by the same code; the words in the call's language
        assert list(zh[2]) == list(en[2]) == ["header.region"]
        assert zh[2]["header.region"] == "REGION_FORMAT: 地区代码：须为 6 位行政区划代码"
        assert en[2]["header.region"] == "REGION_FORMAT: a 6-digit division code"
        assert zh[3] == en[3] == ("BATCH_HEADER_REJECTED", "ykt.v1", {})

        # a roster line's problem: its code and field stay, its words follow the call
        others = list(generate_lines(3, seed=12, region=REGION))  # other people: no batch pays anyone twice
        broken = [replace(ln, id_number=ln.id_number[:-1] + ("0" if ln.id_number[-1] != "0" else "1"))
                  if ln.seq == 2 else ln for ln in others]
        first = clerk.submit(_header("lang-3", broken), broken)
        again = clerk.stub.SubmitBatch(_submit_requests(_header("lang-3", broken), broken), metadata=clerk.metadata + EN)
        assert again.replayed and again.batch_id == first.batch_id
        assert [(i.seq, i.field, i.code) for i in first.issues] == [(i.seq, i.field, i.code) for i in again.issues] \
            == [(2, "id_number", "ID_CHECKSUM")]
        assert first.issues[0].message == "第 2 行 证件号码：证件号码校验位错误"
        assert again.issues[0].message.startswith("line 2: id_number: ")  # the checker's own sentence, with detail

        # a batch nobody has
        def get(extra=()):
            return lambda: clerk.stub.GetBatch(pb.GetBatchRequest(batch_id="B2026NOPE"), metadata=clerk.metadata + extra)

        zh, en = _refused(get()), _refused(get(EN))
        assert zh[0] == en[0] == grpc.StatusCode.NOT_FOUND
        assert (zh[1], en[1]) == ("没有批次 B2026NOPE", "no batch B2026NOPE")
        assert zh[3] == en[3] == ("BATCH_NONE", "ykt.v1", {"batch": "B2026NOPE"})

        # a batch in the wrong state: its state by its Chinese name, or by its code in English
        good = _header("lang-2", lines)
        batch_id = clerk.submit(good, lines).batch_id
        approver = clerk.as_user("approver")
        approver.call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))

        def approve(extra=()):
            return lambda: approver.stub.ApproveBatch(pb.ApproveBatchRequest(batch_id=batch_id),
                                                      metadata=approver.metadata + extra)

        zh, en = _refused(approve()), _refused(approve(EN))
        assert zh[0] == en[0] == grpc.StatusCode.FAILED_PRECONDITION
        assert zh[1] == f"批次 {batch_id} 的状态是「已审核」；只有「待审核」的批次可以审核"
        assert en[1] == f"batch {batch_id} is APPROVED; only a SUBMITTED batch can approve"
        assert zh[3] == en[3] == ("BATCH_STATE", "ykt.v1", {"batch": batch_id, "status": "APPROVED",
                                                           "wanted": "SUBMITTED", "action": "approve"})

        # refused by the role table, before any use case runs
        bank = clerk.as_user("bank")

        def fund(extra=()):
            return lambda: bank.stub.FundBatch(pb.FundBatchRequest(batch_id=batch_id, amount_fen=1),
                                               metadata=bank.metadata + extra)

        zh, en = _refused(fund()), _refused(fund(EN))
        assert zh[0] == en[0] == grpc.StatusCode.PERMISSION_DENIED
        assert zh[1] == "FundBatch 需要角色 FINANCE；用户 'bank' 的角色是 BANK"
        assert en[1] == "FundBatch needs role FINANCE; user 'bank' has BANK"

        # no credentials at all
        anonymous = clerk.with_token(None)

        def anonymous_get(extra=()):
            return lambda: anonymous.stub.GetBatch(pb.GetBatchRequest(batch_id=batch_id),
                                                   metadata=anonymous.metadata + extra)

        zh, en = _refused(anonymous_get()), _refused(anonymous_get(EN))
        assert zh[0] == en[0] == grpc.StatusCode.UNAUTHENTICATED
        assert zh[1] == "未提供凭据：请发送 'authorization: Bearer <令牌>' 元数据"
        assert en[1] == "no credentials: send 'authorization: Bearer <token>' metadata"
    finally:
        stop(proc)


def test_the_language_setting_is_the_default_and_a_call_may_still_ask_for_chinese(tmp_path, sshd_server,
                                                                                   sqlite_engine):
    proc, address = serve(_config(tmp_path, sshd_server, sqlite_engine, 'language = "en"\n'))
    clerk = TestClient(address, "clerk")
    try:
        def get(extra=()):
            return lambda: clerk.stub.GetBatch(pb.GetBatchRequest(batch_id="B2026NOPE"), metadata=clerk.metadata + extra)

        assert _refused(get())[1] == "no batch B2026NOPE"
        assert _refused(get(ZH))[1] == "没有批次 B2026NOPE"
        assert _refused(get((("accept-language", "fr-FR"),)))[1] == "no batch B2026NOPE"  # not spoken: the setting
    finally:
        stop(proc)


def test_a_hand_in_for_a_bank_nobody_configured_is_refused_in_either_language(tmp_path, sshd_server, sqlite_engine):
    proc, address = serve(_config(tmp_path, sshd_server, sqlite_engine))
    finance = TestClient(address, "finance")
    try:
        def hand_in(extra=()):
            def requests():
                yield pb.IngestResultFileRequest(start=pb.IngestResultFileRequest.Start(bank_code="NOPE9",
                                                                                        file_name="r.xml"))
                yield pb.IngestResultFileRequest(data=b"<x/>")
            return lambda: finance.stub.IngestResultFile(requests(), metadata=finance.metadata + extra)

        zh, en = _refused(hand_in()), _refused(hand_in(EN))
        assert zh[0] == en[0] == grpc.StatusCode.INVALID_ARGUMENT
        assert zh[1] == f"未配置的银行 'NOPE9'；已配置的银行：{BANK}"
        assert en[1] == f"unknown bank 'NOPE9'; known banks: {BANK}"
        assert zh[3] == en[3] == ("BANK_UNKNOWN", "ykt.v1", {"bank": "'NOPE9'", "known": BANK})
    finally:
        stop(proc)
