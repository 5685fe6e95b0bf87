"""The shipped layouts declared (bank_formats/layout/builtin/): the same files as their modules.

The fixed-width GBK and delimited payment and result files, written and read through their
declarations by the generic layout engine: their golden files byte for byte, the spoiled golden
files refused at the same lines and fields, and any batch written identically by both (a
property test against the hand-tuned modules, which stay the registry's ``fixed_width_gbk`` and
``delimited``).
"""
from __future__ import annotations

import copy
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank_formats.base import FormatError
from bank_formats.delimited import DelimitedFormat
from bank_formats.layout import LayoutFormat, builtin
from domain.model import (
    AccountKind,
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)
from tests.unit.bank_formats import test_delimited_samples as D
from tests.unit.bank_formats import test_fixed_width_gbk_support as F


def delimited_declaration(encoding="utf-8", line_ending="LF", digest="sha256") -> dict:
    d = copy.deepcopy(builtin("delimited"))
    d["encoding"], d["line_ending"] = encoding, line_ending
    for kind in ("payments", "results"):
        d[kind]["trailer"]["fields"][1]["value"] = digest.upper()
        d[kind]["trailer"]["fields"][2]["algorithm"] = digest
    return d


FIXED = LayoutFormat(declaration="fixed_width_gbk")
UTF8 = LayoutFormat(declaration="delimited")
GBK = LayoutFormat(declaration=delimited_declaration("gbk", "CRLF", "sm3"))


def write(fmt, kind, header, items) -> bytes:
    out = io.BytesIO()
    getattr(fmt, f"write_{kind}")(out, header, items)
    return out.getvalue()


def read(fmt, kind, data: bytes, name="x.txt"):
    reader = getattr(fmt, f"read_{kind}")(io.BytesIO(data), name)
    return reader.header, list(reader)


@pytest.mark.parametrize("fmt, golden, samples", [
    (FIXED, F.golden, F),
    (UTF8, lambda n: D.golden(n.replace("valid", "utf8")), D),
    (GBK, lambda n: D.golden(n.replace("valid", "gbk")), D),
], ids=["fixed_width_gbk", "delimited-utf8", "delimited-gbk-sm3"])
def test_the_golden_files_written_and_read_through_the_declaration(fmt, golden, samples):
    assert write(fmt, "payments", samples.SAMPLE_HEADER, samples.SAMPLE_LINES) == golden("payments_valid.txt")
    assert write(fmt, "results", samples.SAMPLE_RESULT_HEADER, samples.SAMPLE_RECORDS) == golden("results_valid.txt")
    assert read(fmt, "payments", golden("payments_valid.txt")) == (samples.SAMPLE_HEADER, list(samples.SAMPLE_LINES))
    assert read(fmt, "results", golden("results_valid.txt")) == (samples.SAMPLE_RESULT_HEADER,
                                                                 list(samples.SAMPLE_RECORDS))


def _problems(fmt, kind, data):
    with pytest.raises(FormatError) as info:
        read(fmt, kind, data)
    return [(p.where, p.field) for p in info.value.problems]


# (the fixed-width module reads its payment and result files through its declaration now: its own
# tests, test_fixed_width_gbk*.py, say which lines and fields of these files are wrong)
SPOILED = [(UTF8, D.UTF8, F.TESTDATA.parent / "delimited" / n) for n in (
    "payments_bad_amount.txt", "payments_digest_mismatch.txt", "payments_field_count.txt", "payments_truncated.txt",
    "results_count_mismatch.txt", "results_truncated.txt")]


@pytest.mark.parametrize("fmt, module, path", SPOILED, ids=lambda x: getattr(x, "name", ""))
def test_a_spoiled_golden_file_is_refused_at_the_lines_and_fields_the_module_names(fmt, module, path):
    kind = "payments" if path.name.startswith("payments") else "results"
    ours, theirs = _problems(fmt, kind, path.read_bytes()), _problems(module, kind, path.read_bytes())
    if path.name == "results_truncated.txt" and module is D.UTF8:
        # a last line cut inside: the module counts its fields, the layout says it is cut short
        assert theirs[0] == ("line 4", "fields") and ours[0] == ("line 4", "record")
        ours, theirs = ours[1:], theirs[1:]
    assert ours == theirs


def test_a_bad_field_message_says_what_and_where():
    (problem,) = [p for p in _message_of(FIXED, "payments", F.golden("payments_non_gbk.txt")) if p.where == "line 4"]
    assert (problem.field, problem.message) == ("name", "is not valid GBK: b'\\xcd' at byte 54 of the record")


def _message_of(fmt, kind, data):
    with pytest.raises(FormatError) as info:
        read(fmt, kind, data)
    return info.value.problems


# --- any batch: the declaration writes what the module writes ----------------------------------

GBK_TEXT = st.text(st.sampled_from("王李张刘陈杨艾力·买麦燚堃喆　ABC xyz-123（）补贴"), max_size=12).map(str.strip)
DIGITS = st.text(st.sampled_from("0123456789"), min_size=1, max_size=19)


@st.composite
def batches(draw):
    n = draw(st.integers(1, 6))
    seqs = sorted(draw(st.sets(st.integers(1, 10**6), min_size=n, max_size=n)))
    lines = []
    for seq in seqs:
        lines.append(PaymentLine(
            seq=seq, name=draw(GBK_TEXT.filter(bool)), id_number=draw(DIGITS), account_no=draw(DIGITS),
            amount_fen=draw(st.integers(0, 10**12)), account_kind=draw(st.sampled_from(list(AccountKind))),
            bank_name=draw(GBK_TEXT), subsidy_item=draw(GBK_TEXT), remark=draw(GBK_TEXT), phone=draw(DIGITS),
            address=draw(GBK_TEXT), household_no=draw(st.sampled_from(["", "H1", "H650102-0001"]))))
    return lines


@st.composite
def results(draw):
    lines = draw(batches())
    records = []
    for x in lines:
        paid = draw(st.booleans())
        reason = None if paid else draw(st.sampled_from(list(FailureReason)))
        records.append(ResultRecord(
            seq=x.seq, outcome=PaymentOutcome.PAID if paid else PaymentOutcome.FAILED, amount_fen=x.amount_fen,
            account_no=x.account_no, reason=reason, bank_text=draw(GBK_TEXT),
            bank_ref=draw(st.sampled_from(["", "TX0001", "20261106ABC"])), name=draw(st.sampled_from(["", x.name]))))
    return records


def payment_header(lines) -> PaymentFileHeader:
    return PaymentFileHeader(file_id="PAY-1", batch_id="B1", created_at=F.SAMPLE_HEADER.created_at,
                             requested_date=F.SAMPLE_HEADER.requested_date, payer_name="某县财政局",
                             payer_account="41001", bank_code="RCC01", count=len(lines),
                             total_fen=sum(x.amount_fen for x in lines), purpose="耕地地力保护补贴")


def result_header(records) -> ResultFileHeader:
    paid = [r.amount_fen for r in records if r.outcome is PaymentOutcome.PAID]
    failed = [r.amount_fen for r in records if r.outcome is PaymentOutcome.FAILED]
    return ResultFileHeader(file_id="RES-1", original_file_id="PAY-1", batch_id="B1",
                            created_at=F.SAMPLE_RESULT_HEADER.created_at, count=len(records),
                            paid_count=len(paid), paid_fen=sum(paid), failed_count=len(failed), failed_fen=sum(failed))


# (the fixed-width module writes its payment and result files through its declaration: comparing
# the two would compare the engine with itself; test_fixed_width_gbk_properties.py checks what it writes)
PAIRS = [
    (UTF8, DelimitedFormat()),
    (GBK, DelimitedFormat(encoding="gbk", digest="sm3", line_ending="\r\n")),
]


@pytest.mark.parametrize("ours, module", PAIRS, ids=["delimited", "delimited-gbk"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=batches(), records=results())
def test_any_batch_is_written_as_the_module_writes_it_and_read_back(ours, module, lines, records):
    expected = write(module, "payments", payment_header(lines), lines)
    assert write(ours, "payments", payment_header(lines), lines) == expected
    assert read(ours, "payments", expected) == (payment_header(lines), lines)
    expected = write(module, "results", result_header(records), records)
    assert write(ours, "results", result_header(records), records) == expected
    header, got = read(ours, "results", expected)
    assert header == result_header(records)
    assert got == read(module, "results", expected)[1]


# --- the modules and their declarations agree --------------------------------------------------


def _declared_names(record, renames) -> tuple[str, ...]:
    """The record's field names as the module names them (its leading constant: record_type)."""
    return tuple(renames.get(f["name"], f["name"]) if "name" in f else "record_type" for f in record["fields"])


def test_the_delimited_module_has_the_declared_fields_in_the_declared_order():
    from bank_formats.delimited import payments, results

    d = builtin("delimited")
    assert _declared_names(d["payments"]["header"], {}) == payments.PAYMENT_HEADER_FIELDS
    assert _declared_names(d["payments"]["detail"], {}) == payments.PAYMENT_LINE_FIELDS
    assert _declared_names(d["results"]["header"], {}) == results.RESULT_HEADER_FIELDS
    assert _declared_names(d["results"]["detail"], {"outcome": "status"}) == results.RESULT_RECORD_FIELDS_REF
    assert {FailureReason(r): c for c, r in d["results"]["reasons"].items()} == results.REASON_TO_CODE


def test_the_fixed_width_module_takes_its_layouts_from_the_declaration():
    from bank_formats.fixed_width_gbk import layout

    d = builtin("fixed_width_gbk")
    for table, record in ((layout.PAYMENT_HEADER, d["payments"]["header"]),
                          (layout.PAYMENT_DETAIL, d["payments"]["detail"]),
                          (layout.RESULT_DETAIL_REF, d["results"]["detail"])):
        assert [(f.start + 1, f.width) for f in table.fields] == [(f["start"], f.get("width", 1))
                                                                  for f in record["fields"]]
    assert layout.REASON_TO_CODE == {FailureReason(r): c for c, r in d["results"]["reasons"].items()}
