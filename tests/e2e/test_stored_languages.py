"""What the ledger stores and shows later is said in the reader's language (issue 16 item 3),
through a real gRPC server whose language is the default, Chinese.

A quarantined result file's reason, an exception's detail, an audit entry and an ingest's
problems are stored as messages (i18n/stored.py); the same stored row is said in Chinese to a
call that asks nothing and in English to one that sends ``accept-language: en``, and ``ykt``
shows them in Chinese by default. The expected words are written here from the catalogue's
intent and the inputs (a batch of 3, an empty file, a result handed in twice), not copied from
output.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapter import cli
from adapter.client import Client
from service.identity import Role
from tests.support.office import Office
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB01"
USERS = {"clerk": Role.CLERK, "approver": Role.APPROVER, "finance": Role.FINANCE, "bank": Role.BANK,
         "auditor": Role.AUDITOR}


@pytest.fixture
def office(sqlite_engine, tmp_path):
    o = Office(sqlite_engine, tmp_path, {k: frozenset([v]) for k, v in USERS.items()}, (BANK,), {"bank": (BANK,)},
               datetime(2026, 11, 2, 2, 0, tzinfo=UTC), language="zh")
    yield o
    o.close()


def _english(office: Office, user: str) -> Client:
    return Client(office._client.address, token=office.tokens[user], language="en")


def test_quarantine_reasons_exceptions_audit_and_problems_in_chinese_by_default_and_english_on_request(
        office, monkeypatch, capsys):
    sent = office.sent_out("clerk", "approver", 3, bank=BANK)
    first = office.bank_answers(sent, "bank", failure_ppm=0)
    assert first.booked_lines == 3 and not first.problems
    bank = office.as_user("bank")  # asks for no language: the service's, Chinese
    bank_en = _english(office, "bank")

    # an empty result file: quarantined, nothing booked; the reason in the caller's language
    empty = bank.ingest(BANK, "RET_EMPTY.xml", b"")
    assert empty.file.state == "QUARANTINED"
    assert list(empty.problems) == [empty.file.last_error] == ["空文件（0 字节）：没有表头，也没有记录"]
    listed = {f.file_id: f for f in bank_en.call("ListFiles", pb.ListFilesRequest(bank_code=BANK)).files}
    assert listed[empty.file.file_id].last_error == "empty file (0 bytes): no header and no records"

    # the same answer handed in again (other bytes, same records): every record was paid already
    # and names a payment already booked — booked nothing, each an exception of the file
    again = office.last_result.read_bytes() + b"\n"
    reply = bank.ingest(BANK, "RET_AGAIN.xml", again)
    assert reply.file.state == "BOOKED" and reply.booked_lines == 0
    exceptions = office.call("finance", "ListExceptions", pb.ListExceptionsRequest(batch_id=sent.batch_id)).exceptions
    exceptions_en = _english(office, "finance").call(
        "ListExceptions", pb.ListExceptionsRequest(batch_id=sent.batch_id)).exceptions
    assert [(e.seq, e.kind) for e in exceptions] == [(e.seq, e.kind) for e in exceptions_en] \
        == [(seq, "REREPORT") for seq in (1, 2, 3)]
    for zh, en in zip(exceptions, exceptions_en, strict=True):
        assert zh.bank_ref and zh.bank_ref == en.bank_ref
        assert zh.detail == f"第 {zh.seq} 行：同一笔付款（{zh.bank_ref}）再次回盘"
        assert en.detail == f"line {en.seq}: the same payment ({en.bank_ref}) reported again"
    refs = {e.seq: e.bank_ref for e in exceptions}
    assert list(reply.problems) == [f"第 {seq} 条记录（第 {seq} 行）：重复回盘：第 {seq} 行：同一笔付款（{refs[seq]}）再次回盘"
                                    for seq in (1, 2, 3)]
    assert reply.file.last_error == "例外：重复回盘 3 笔"
    listed = {f.file_id: f for f in bank_en.call("ListFiles", pb.ListFilesRequest(bank_code=BANK)).files}
    assert listed[reply.file.file_id].last_error == "3 REREPORT"  # as the English reader always saw it

    # the audit trail: who did what, the detail in the reader's language
    total = sent.total_fen
    trail = office.call("auditor", "GetAuditTrail", pb.GetAuditTrailRequest(batch_id=sent.batch_id)).events
    trail_en = _english(office, "auditor").call("GetAuditTrail",
                                                pb.GetAuditTrailRequest(batch_id=sent.batch_id)).events
    zh = {e.action: e.detail for e in trail}
    en = {e.action: e.detail for e in trail_en}
    assert (zh["SUBMIT"], en["SUBMIT"]) == (f"3 行，{total} 分", f"3 lines, {total} fen")
    assert (zh["FUND"], en["FUND"]) == (f"{total} 分", f"{total} fen")
    booked = [e for e in trail_en if e.action == "BOOK_RESULTS"]
    assert [e.detail for e in booked] == [f"file {first.file.file_id} {first.file.name}: 3 lines, {total} fen",
                                          f"file {reply.file.file_id} RET_AGAIN.xml: 0 lines, 0 fen; 3 REREPORT"]
    assert [e.detail for e in trail if e.action == "BOOK_RESULTS"][1] == \
        f"文件 {reply.file.file_id} RET_AGAIN.xml：0 行，0 分；重复回盘 3 笔"

    # ykt, in Chinese unless told otherwise, shows what the service says
    def ykt(user: str, *words: str) -> str:
        monkeypatch.setenv("YKT_TOKEN", office.tokens[user])
        monkeypatch.delenv("YKT_LANG", raising=False)
        capsys.readouterr()
        assert cli.main([*words, "--address", office._client.address]) == 0
        return capsys.readouterr().out

    assert "空文件（0 字节）：没有表头，也没有记录" in ykt("finance", "files", "list", "--bank", BANK)
    out = ykt("finance", "exceptions", "--batch", sent.batch_id)
    assert all(f"第 {seq} 行：同一笔付款（{ref}）再次回盘" in out for seq, ref in refs.items()), out
    assert f"3 行，{total} 分" in ykt("auditor", "audit", sent.batch_id)
