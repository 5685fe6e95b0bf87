"""``detect`` of the delimited format: which kind of file a head of bytes starts, never raising."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bank_formats.base import DETECT_BYTES
from bank_formats.delimited import DelimitedFormat
from tests.unit.bank_formats.test_delimited import ALL_CONFIGS, CONFIG_IDS
from tests.unit.bank_formats.test_delimited_properties import SETTINGS, mutations
from tests.unit.bank_formats.test_delimited_samples import (
    GBK,
    SAMPLE_HEADER,
    UTF8,
    YUAN,
    golden,
    write_payments,
    write_results,
    write_statement,
)

KIND_OF_GOLDEN = {
    "payments_utf8.txt": "payments", "payments_gbk.txt": "payments",
    "payments_truncated.txt": "payments", "payments_bad_amount.txt": "payments",
    "results_utf8.txt": "results", "results_gbk.txt": "results",
    "results_truncated.txt": "results", "results_count_mismatch.txt": "results",
    "statement_utf8.txt": "statement", "statement_gbk.txt": "statement",
    "statement_yuan.txt": "statement", "statement_truncated.txt": "statement",
    "statement_balance_mismatch.txt": "statement",
}
DETECTORS = [UTF8, GBK, DelimitedFormat(encoding="gb18030"), YUAN]


@pytest.mark.parametrize("name", sorted(KIND_OF_GOLDEN))
def test_golden_files_in_any_configured_encoding(name):
    head = golden(name)[:DETECT_BYTES]
    assert [fmt.detect(head) for fmt in DETECTORS] == [KIND_OF_GOLDEN[name]] * len(DETECTORS)


@pytest.mark.parametrize("fmt", ALL_CONFIGS, ids=CONFIG_IDS)
def test_what_each_writer_writes(fmt):
    assert fmt.detect(write_payments(fmt)) == "payments"
    assert fmt.detect(write_results(fmt)) == "results"
    assert fmt.detect(write_statement(fmt)) == "statement"


def test_gbk_byte_of_the_separator_is_not_counted():
    # 億 in GBK ends with 0x7C, the byte of "|": counting bytes would see 12 fields, a statement
    data = write_payments(GBK, replace(SAMPLE_HEADER, payer_name="王億财政"))
    first = data.split(b"\r\n")[0]
    assert first.count(b"|") == 11  # one more than the payment header's 10 separators
    assert [fmt.detect(data) for fmt in DETECTORS] == ["payments"] * len(DETECTORS)


def test_a_byte_order_mark_and_crlf_are_allowed():
    data = golden("results_utf8.txt")
    assert UTF8.detect(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")) == "results"


@pytest.mark.parametrize("head", [
    b"",
    b"H|",
    golden("statement_utf8.txt").split(b"\n")[0],  # the header line does not end in the head
    b"H|" + b"x" * DETECT_BYTES + b"\n",
    b"<?xml version='1.0' encoding='UTF-8'?>\n<Document/>\n",
    b"D|1|62|5|S||\n",
    b"S|SHA256|" + b"0" * 64 + b"\n",
    b"H|R1|P1|B1|not a time|1|1|5|0|0\n",  # a result header's fields, no created_at
    b"H|a|b|c|d|e|f|g|h|i|j|k|l|m\n",
    b"H" + b"|" * 9 + b"\n",
    b"\xff\xfe\x00H\x00|\x00\n",
    "not bytes",
    None,
])
def test_anything_else_is_none(head):
    for fmt in DETECTORS:
        assert fmt.detect(head) is None


def test_only_the_first_detect_bytes_are_looked_at():
    head = b"x" * DETECT_BYTES + golden("payments_utf8.txt")
    assert UTF8.detect(head) is None
    padded = golden("payments_utf8.txt").replace(b"\n", b" " * DETECT_BYTES + b"\n", 1)
    assert UTF8.detect(padded) is None  # its header line ends after DETECT_BYTES


# --- never raises ----------------------------------------------------------------------------

VALID = [golden(n) for n in ("payments_utf8.txt", "results_gbk.txt", "statement_utf8.txt",
                             "statement_gbk.txt", "statement_yuan.txt")]


def detect_all(head) -> None:
    for fmt in DETECTORS:
        assert fmt.detect(head) in (None, "payments", "results", "statement")


@SETTINGS
@given(st.binary(max_size=DETECT_BYTES + 100))
def test_random_bytes(head):
    detect_all(head)


@SETTINGS
@given(st.sampled_from([b"H|", b"\xef\xbb\xbfH|", b"H|x|y|2026-01-01T00:00:00|"]),
       st.binary(max_size=300))
def test_random_bytes_after_a_plausible_start(start, rest):
    detect_all(start + rest)


@SETTINGS
@given(st.sampled_from(range(len(VALID))).flatmap(lambda i: mutations(VALID[i])))
def test_mutated_files(head):
    detect_all(head)
    detect_all(bytearray(head))
