"""A quarantined fixed-width GBK result file's reason (the reader's problem: which line, which
field, why) is said in Chinese to a call that asks nothing and in English to one that sends
``accept-language: en``, through a real gRPC server whose language is the default, Chinese
(issue 16 item 3). The expected words are written from the fault put in the file.
"""
from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime

import pytest

from adapter.client import Client
from service.identity import Role
from tests.support import office as office_module
from tests.support.office import Office
from tests.unit.bank_formats.test_fixed_width_gbk_support import FMT, SAMPLE_RECORDS, SAMPLE_RESULT_HEADER
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB07"
USERS = {"finance": Role.FINANCE, "bank": Role.BANK}


@pytest.fixture
def office(sqlite_engine, tmp_path, monkeypatch):
    iso_profile = office_module.bank_profile
    monkeypatch.setattr(office_module, "bank_profile",
                        lambda code: dataclasses.replace(iso_profile(code), format="fixed_width_gbk"))
    o = Office(sqlite_engine, tmp_path, {k: frozenset([v]) for k, v in USERS.items()}, (BANK,), {"bank": (BANK,)},
               datetime(2026, 11, 2, 2, 0, tzinfo=UTC), language="zh")
    yield o
    o.close()


def test_a_fixed_width_result_files_reason_in_chinese_by_default_and_english_on_request(office):
    out = io.BytesIO()
    FMT.write_results(out, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    header, rest = out.getvalue().split(b"\r\n", 1)
    # the header's count (bytes 126-135): 4, where the header pays 1 record and fails 2
    assert (SAMPLE_RESULT_HEADER.paid_count, SAMPLE_RESULT_HEADER.failed_count) == (1, 2)
    bad = header[:125] + b"0000000004" + header[135:] + b"\r\n" + rest

    reply = office.as_user("bank").ingest(BANK, "RET_COUNT.txt", bad)  # asks no language: Chinese
    assert reply.file.state == "QUARANTINED" and reply.booked_lines == 0
    assert list(reply.problems) == [reply.file.last_error] == ["第 1 行，笔数：笔数 4 不等于成功 1 笔 + 失败 2 笔"]

    english = Client(office._client.address, token=office.tokens["finance"], language="en")
    try:
        listed = {f.file_id: f for f in english.call("ListFiles", pb.ListFilesRequest(bank_code=BANK)).files}
    finally:
        english.close()
    assert listed[reply.file.file_id].last_error == "line 1: count: count 4 is not paid 1 + failed 2"
    chinese = {f.file_id: f for f in office.call("finance", "ListFiles", pb.ListFilesRequest(bank_code=BANK)).files}
    assert chinese[reply.file.file_id].last_error == "第 1 行，笔数：笔数 4 不等于成功 1 笔 + 失败 2 笔"
