"""The pieces of `ykt`'s output and input that are plain functions: tables aligned by display
width, money as yuan and as integer fen, line numbers, exit codes, the language asked for."""
from __future__ import annotations

import argparse

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from adapter import cli, cli_errors
from adapter.cli_batches import fen_of
from adapter.cli_lines import seqs_of
from adapter.cli_output import table, to_data
from adapter.client import Client
from ykt.v1 import disbursement_pb2 as pb


def test_a_table_aligns_chinese_by_display_width_and_amounts_right():
    # 姓名 is 4 cells wide, 欧阳娜娜 8; 金额(元) is 8 (two wide characters, 元, two brackets)
    assert table(["姓名", "金额(元)"], [["张三", "1.00"], ["欧阳娜娜", "1,234.56"]], right=(1,)).splitlines() == [
        "姓名      金额(元)",
        "--------  --------",
        "张三          1.00",
        "欧阳娜娜  1,234.56",
    ]


def test_a_cell_with_a_line_break_stays_on_its_row():
    assert table(["a"], [["x\ny\tz"]]).splitlines()[2] == "x y z"


def test_json_data_keeps_fen_exact_codes_as_codes_and_times_in_utc():
    big = 2**53 + 1  # beyond a float's exact integers
    batch = pb.Batch(batch_id="B1", status="FUNDED", total_fen=big, created_at=Timestamp(seconds=1_796_565_640),
                     lines_by_status=[pb.StatusTotal(status="PAID", count=2, fen=300)])
    data = to_data(batch)
    assert data["total_fen"] == big and type(data["total_fen"]) is int
    assert data["status"] == "FUNDED" and data["funded_fen"] == 0  # a zero is an answer too
    assert data["created_at"] == "2026-12-06T14:00:40Z" and data["closed_at"] is None
    assert data["lines_by_status"] == [{"status": "PAID", "count": 2, "fen": 300}]


@pytest.mark.parametrize(("text", "fen"), [("1,234.5", 123450), ("0.01", 1), ("12345.60", 1234560), (" 7 ", 700)])
def test_yuan_on_the_command_line_is_exact_fen(text, fen):
    assert fen_of(text) == fen


@pytest.mark.parametrize("text", ["1.001", "abc", "-1", "0", "NaN", "Infinity", ""])
def test_a_yuan_amount_that_is_not_one_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        fen_of(text)


def test_line_numbers_as_people_write_them():
    assert seqs_of("3,7,10-12") == (3, 7, 10, 11, 12)
    assert seqs_of("3, 3 ,") == (3,)
    for bad in ("0", "5-3", "", "x", "1-", "2-200000"):
        with pytest.raises(argparse.ArgumentTypeError):
            seqs_of(bad)


class _Refusal(grpc.RpcError):
    def __init__(self, code):
        self._code = code

    def code(self):
        return self._code

    def details(self):
        return "why"


def test_refused_requests_and_failures_have_their_own_exit_codes():
    refused = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND,
               grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.ALREADY_EXISTS,
               grpc.StatusCode.OUT_OF_RANGE}
    for code in grpc.StatusCode:
        if code is grpc.StatusCode.OK:
            continue
        assert cli_errors.exit_code(_Refusal(code)) == (3 if code in refused else 4), code


def test_the_language_is_read_before_the_words_are_parsed(monkeypatch):
    monkeypatch.setenv("YKT_LANG", "en")
    assert cli._lang_of(["batch", "list"]) == "en"
    assert cli._lang_of(["batch", "list", "--lang", "zh"]) == "zh"
    assert cli._lang_of(["--lang=zh", "batch", "list"]) == "zh"
    monkeypatch.delenv("YKT_LANG")
    assert cli._lang_of(["batch"]) is None


def test_the_client_sends_the_language_and_the_token():
    client = Client("127.0.0.1:1", token="t", language="en")
    try:
        assert client.metadata == (("authorization", "Bearer t"), ("accept-language", "en"))
        assert Client("127.0.0.1:1").metadata == ()
    finally:
        client.close()


def test_a_run_puts_the_callers_language_and_argparse_back(capsys):
    import argparse as argparse_module

    import i18n

    before_lang, before_words = i18n.current(), argparse_module._
    with pytest.raises(SystemExit):
        cli.main(["--lang", "en" if before_lang == "zh" else "zh", "batch", "list", "--status", "LOST"])
    assert "LOST" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "batch", "show", "B1", "--address", ""]) == 2
    assert (i18n.current(), argparse_module._) == (before_lang, before_words)
