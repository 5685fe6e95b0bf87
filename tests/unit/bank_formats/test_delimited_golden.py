"""The golden files in tests/testdata/delimited/: what the writers write, what the readers say."""
from __future__ import annotations

import io

import pytest

from bank_formats.base import FormatError, Problem
from tests.unit.bank_formats.test_delimited_samples import (
    GBK,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    UTF8,
    golden,
    read_payments,
    read_results,
    write_payments,
    write_results,
)


def test_golden_files_are_what_the_writers_write():
    assert write_payments(UTF8) == golden("payments_utf8.txt")
    assert write_results(UTF8) == golden("results_utf8.txt")
    assert write_payments(GBK) == golden("payments_gbk.txt")
    assert write_results(GBK) == golden("results_gbk.txt")


def test_golden_layout():
    lines = golden("payments_utf8.txt").decode("utf-8").split("\n")
    assert lines[0] == ("H|PAY-20261105-000001|B20261105A1B2C3D4|1234567890123456789|某县财政局|"
                        "ABC-4101|4|1000000123456|2026-11-05T09:30:15+08:00|2026-11-06|"
                        "耕地地力保护补贴 2026-11 410102")
    assert lines[1] == ("D|1|6228480012345678901|阿卜杜拉·买买提|123456|65010219800101123X|"
                        "PASSBOOK|中国农业银行某县支行|耕地地力保护补贴|2026年11月 第一批|"
                        "13800138000|某省某县某镇東村3组|H000000001")
    assert lines[5].startswith("S|SHA256|") and len(lines[5]) == 9 + 64 and lines[6] == ""
    lines = golden("results_gbk.txt").decode("gbk").split("\r\n")
    assert lines[0] == ("H|RES-20261106-000001|PAY-20261105-000001|B20261105A1B2C3D4|"
                        "2026-11-06T18:00:00+08:00|4|1|123456|3|1000000000000")
    assert lines[1:5] == ["D|1|6228480012345678901|123456|S||",
                          "D|2|6222020200012345678|999999999999|F|E02|户名不符",
                          "D|3||1|F|X17|系统繁忙，请重试",
                          "D|5|6217000000000000005|0|F|E06|卡已挂失"]
    assert lines[5].startswith("S|SM3|") and len(lines[5]) == 6 + 64 and lines[6] == ""


@pytest.mark.parametrize("fmt, name", [(UTF8, "payments_utf8.txt"), (GBK, "payments_gbk.txt")])
def test_valid_payment_files(fmt, name):
    assert read_payments(fmt, golden(name)) == (SAMPLE_HEADER, list(SAMPLE_LINES))


@pytest.mark.parametrize("fmt, name", [(UTF8, "results_utf8.txt"), (GBK, "results_gbk.txt")])
def test_valid_result_files(fmt, name):
    assert read_results(fmt, golden(name)) == (SAMPLE_RESULT_HEADER, list(SAMPLE_RECORDS))


def test_gbk_file_is_not_sha256_utf8():
    with pytest.raises(FormatError):
        read_payments(UTF8, golden("payments_gbk.txt"))


def _problems(read, name, fmt=UTF8):
    with pytest.raises(FormatError) as info:
        read(fmt, golden(name), name)
    assert info.value.file == name
    return info.value.problems


def test_truncated_payment_file():
    assert _problems(read_payments, "payments_truncated.txt") == [
        Problem("line 4", "digest", "the file ends after line 3 without its digest line "
                                    "(S|SHA256|...): it is incomplete"),
    ]


def test_truncated_payment_file_yields_the_lines_before_the_cut():
    reader = UTF8.read_payments(io.BytesIO(golden("payments_truncated.txt")), "p.txt")
    assert reader.header == SAMPLE_HEADER
    got = []
    with pytest.raises(FormatError):
        for line in reader:
            got.append(line)
    assert got == list(SAMPLE_LINES[:2])


def test_result_file_cut_inside_a_line():
    assert _problems(read_results, "results_truncated.txt") == [
        Problem("line 4", "fields", "6 fields; a detail line has 7 (9 with bank_ref and name)"),
        Problem("line 5", "digest", "the file ends after line 4 without its digest line "
                                    "(S|SHA256|...): it is incomplete"),
    ]


def test_digest_mismatch():
    assert _problems(read_payments, "payments_digest_mismatch.txt") == [
        Problem("line 6", "digest",
                "the SHA256 digest of the file before this line is "
                "140c1f636882b73e473dee207f51197648133138c9eec9d51d27bff406f56c24, the line says "
                "da56bc6c10b02ebe9bcc45b7d36cd051c13c2df360487dd1421c409f7384bcb1: the file was "
                "changed or damaged"),
    ]


def test_field_count_wrong():
    assert _problems(read_payments, "payments_field_count.txt") == [
        Problem("line 4", "fields", "12 fields; a detail line has 13"),
    ]


def test_bad_amounts_are_all_reported():
    message = "is not a whole number (ASCII digits only: no sign, no point, no spaces)"
    assert _problems(read_payments, "payments_bad_amount.txt") == [
        Problem("line 2", "amount_fen", f"'1234.56' {message}"),
        Problem("line 4", "amount_fen", f"'-1' {message}"),
        Problem("line 5", "amount_fen", f"'１２' {message}"),
    ]


def test_result_file_count_mismatch():
    assert _problems(read_results, "results_count_mismatch.txt") == [
        Problem("line 1", "count", "header says 4 records, the file has 3"),
        Problem("line 1", "failed_count", "header says 3 failed records, the records have 2"),
        Problem("line 1", "failed_fen",
                "header says 1000000000000 fen failed, the records have 999999999999"),
    ]
