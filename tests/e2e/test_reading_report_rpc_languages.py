"""A booked result file's reading report, through a real gRPC server whose language is the
default, Chinese (issue 16 item 3): what the reader skipped is said in Chinese to a call that
asks nothing and in English to one that sends ``accept-language: en``. The bank answers in its
own pain.002 (read tolerantly): one transaction still in progress, one in euros. The expected
words are written from what the file says of those two.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapter.client import Client
from service.identity import Role
from tests.support.office import Office
from tests.unit.bank_formats.test_iso20022_tolerant import SIX, pain002, tx
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB07"
USERS = {"clerk": Role.CLERK, "approver": Role.APPROVER, "finance": Role.FINANCE, "bank": Role.BANK}


@pytest.fixture
def office(sqlite_engine, tmp_path):
    o = Office(sqlite_engine, tmp_path, {k: frozenset([v]) for k, v in USERS.items()}, (BANK,), {"bank": (BANK,)},
               datetime(2026, 11, 2, 2, 0, tzinfo=UTC), language="zh")
    yield o
    o.close()


def _banks_answer(sent, message_id: str) -> bytes:
    """The bank's own pain.002 for the batch: line 1 paid, line 2 in progress (PDNG), line 3 paid
    in euros."""
    yuan = {seq: f"{ln.amount_fen // 100}.{ln.amount_fen % 100:02d}" for seq, ln in sent.roster.items()}
    txs = "\n".join([tx(1, "ACSC", yuan[1]), tx(2, "PDNG", yuan[2]),
                     tx(3, "ACSC", yuan[3]).replace('Ccy="CNY"', 'Ccy="EUR"')])
    data = pain002(SIX, txs).replace(b"<OrgnlMsgId>PAY-1<", f"<OrgnlMsgId>{message_id}<".encode())
    return data.replace(b">B1<", f">{sent.batch_id}<".encode()).replace(b">B1-", f">{sent.batch_id}-".encode())


def test_a_reading_reports_skipped_records_in_chinese_by_default_and_english_on_request(office):
    sent = office.sent_out("clerk", "approver", 3, bank=BANK)
    (out,) = [f for f in office.call("finance", "ListFiles", pb.ListFilesRequest(batch_id=sent.batch_id)).files
              if f.direction == "OUT"]
    reply = office.as_user("bank").ingest(BANK, "RES_1.xml", _banks_answer(sent, out.message_id))
    assert reply.file.state == "BOOKED" and reply.booked_lines == 1, list(reply.problems)
    e2e = f"{sent.batch_id}-"
    report = reply.file.reading_report  # the ingest call asked for no language: Chinese
    assert [(s.reason, s.detail) for s in report.first_skipped] == [
        ("NOT_FINAL", f"{e2e}2：状态 PDNG 不是最终状态（处理中）"), ("FOREIGN_CURRENCY", f"{e2e}3：金额币种为 EUR，不是 CNY")]

    english = Client(office._client.address, token=office.tokens["finance"], language="en")
    try:
        listed = english.call("ListFiles", pb.ListFilesRequest(batch_id=sent.batch_id)).files
    finally:
        english.close()
    (read,) = [f for f in listed if f.direction == "IN"]
    assert [s.detail for s in read.reading_report.first_skipped] == [
        f"{e2e}2: status PDNG is not final (in progress)", f"{e2e}3: EUR amount, not CNY"]
    chinese = office.call("finance", "ListFiles", pb.ListFilesRequest(batch_id=sent.batch_id)).files
    (read,) = [f for f in chinese if f.direction == "IN"]
    assert [s.detail for s in read.reading_report.first_skipped] == [s.detail for s in report.first_skipped]
