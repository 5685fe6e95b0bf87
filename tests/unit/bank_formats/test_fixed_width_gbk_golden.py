"""The golden files in tests/testdata/fixed_width_gbk/: what the writers write, what readers say."""
from __future__ import annotations

import io

import pytest

from bank_formats.base import FormatError, Problem
from tests.unit.bank_formats.test_fixed_width_gbk_support import (
    FMT,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    TESTDATA,
    golden,
    golden_files,
    read_payments,
    read_results,
    write_payments,
    write_results,
)


def test_the_golden_files_are_what_the_writers_write():
    assert write_payments(FMT, SAMPLE_HEADER, SAMPLE_LINES) == golden("payments_valid.txt")
    assert write_results(FMT, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS) == golden("results_valid.txt")


def test_the_spoiled_golden_files_are_up_to_date():
    expected = golden_files()
    assert sorted(p.name for p in TESTDATA.iterdir()) == sorted(expected)
    for name, content in expected.items():
        assert golden(name) == content, name


def test_valid_payment_file():
    assert read_payments(FMT, golden("payments_valid.txt")) == (SAMPLE_HEADER,
                                                                 list(SAMPLE_LINES))


def test_valid_result_file():
    assert read_results(FMT, golden("results_valid.txt")) == (SAMPLE_RESULT_HEADER,
                                                               list(SAMPLE_RECORDS))


def _problems(read, name):
    with pytest.raises(FormatError) as info:
        read(FMT, golden(name), name)
    assert info.value.file == name
    return info.value.problems


def test_bad_amounts_are_all_reported():
    assert _problems(read_payments, "payments_bad_amount.txt") == [
        Problem("line 2", "amount_fen", "'000000001234.56' is not a number (15 digits)"),
        Problem("line 3", "amount_fen", "'-00000000000001' is not a number (15 digits)"),
        Problem("line 4", "amount_fen", "'               ' is not a number (15 digits)"),
    ]


def test_a_record_of_the_wrong_length():
    assert _problems(read_payments, "payments_wrong_length.txt") == [
        Problem("line 3", "record",
                "the record is 486 bytes long; a payment file detail record is 485"),
    ]


def test_bytes_that_are_not_gbk():
    assert _problems(read_payments, "payments_non_gbk.txt") == [
        Problem("line 2", "name", "is not valid GBK: b'\\x80' at byte 46 of the record"),
        Problem("line 4", "name", "is not valid GBK: b'\\xcd' at byte 54 of the record"),
    ]


def test_a_result_file_cut_in_a_record():
    assert _problems(read_results, "results_truncated.txt") == [
        Problem("line 4", "record",
                "the file ends in the middle of a record (60 of 164 bytes): it is cut short"),
    ]


def test_a_result_file_cut_after_a_record_is_caught_by_the_control_totals():
    assert _problems(read_results, "results_count_mismatch.txt") == [
        Problem("line 1", "count", "header says 3 records, the file has 2"),
        Problem("line 1", "failed_count", "header says 2 failed records, the records give 1"),
        Problem("line 1", "failed_fen", "header says 1000000000000000 fen failed, the records "
                                        "give 999999999999999"),
    ]


@pytest.mark.parametrize("name", ["results_truncated.txt", "results_count_mismatch.txt"])
def test_a_cut_result_file_yields_the_records_before_the_cut(name):
    reader = FMT.read_results(io.BytesIO(golden(name)), name)
    assert reader.header == SAMPLE_RESULT_HEADER
    got = []
    with pytest.raises(FormatError):
        for rec in reader:
            got.append(rec)
    assert got == list(SAMPLE_RECORDS[:2])


def test_a_file_of_the_other_kind_is_refused():
    assert _problems(read_payments, "results_valid.txt") == [
        Problem("line 1", "record",
                "the record is 191 bytes long; a payment file header record is 615"),
    ]
    assert _problems(read_results, "payments_valid.txt") == [
        Problem("line 1", "record",
                "the record is 615 bytes long; a result file header record is 191"),
    ]
