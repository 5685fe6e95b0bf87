"""The shipped layouts declared (bank_formats/layout/builtin/): the same files as their modules.

The fixed-width GBK and delimited payment and result files, written and read through their
declarations by the generic layout engine: their golden files byte for byte. Both registry
families (``fixed_width_gbk``, ``delimited``) now write and read their payment and result files
through these declarations, so their own tests (test_fixed_width_gbk*.py, test_delimited*.py) say
which lines and fields of spoiled files are wrong.
"""
from __future__ import annotations

import copy
import io

import pytest

from bank_formats.base import FormatError
from bank_formats.layout import LayoutFormat, builtin
from domain.model import (
    FailureReason,
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


def test_a_bad_field_message_says_what_and_where():
    (problem,) = [p for p in _message_of(FIXED, "payments", F.golden("payments_non_gbk.txt")) if p.where == "line 4"]
    assert (problem.field, problem.message) == ("name", "is not valid GBK: b'\\xcd' at byte 54 of the record")


def _message_of(fmt, kind, data):
    with pytest.raises(FormatError) as info:
        read(fmt, kind, data)
    return info.value.problems


# --- the modules and their declarations agree --------------------------------------------------


def _declared_names(record, renames) -> tuple[str, ...]:
    """The record's field names as the module names them (its leading constant: record_type)."""
    return tuple(renames.get(f["name"], f["name"]) if "name" in f else "record_type" for f in record["fields"])


def test_the_delimited_family_names_the_declared_fields_in_the_documented_order():
    from bank_formats.delimited import layout

    assert layout.PAYMENT_HEADER_FIELDS == (
        "record_type", "file_id", "batch_id", "payer_account", "payer_name", "bank_code", "count", "total_fen",
        "created_at", "requested_date", "purpose")
    assert layout.PAYMENT_LINE_FIELDS == (
        "record_type", "seq", "account_no", "name", "amount_fen", "id_number", "account_kind", "bank_name",
        "subsidy_item", "remark", "phone", "address", "household_no")
    assert layout.RESULT_HEADER_FIELDS == (
        "record_type", "file_id", "original_file_id", "batch_id", "created_at", "count", "paid_count", "paid_fen",
        "failed_count", "failed_fen")
    assert layout.RESULT_RECORD_FIELDS_REF == (
        "record_type", "seq", "account_no", "amount_fen", "status", "bank_code", "bank_text", "bank_ref", "name")
    assert layout.REASON_TO_CODE == {
        FailureReason.ACCOUNT_NOT_FOUND: "E01", FailureReason.NAME_MISMATCH: "E02", FailureReason.ACCOUNT_CLOSED: "E03",
        FailureReason.ACCOUNT_FROZEN: "E04", FailureReason.ID_MISMATCH: "E05", FailureReason.CARD_LOST: "E06",
        FailureReason.OTHER: "E99"}


def test_the_fixed_width_module_takes_its_layouts_from_the_declaration():
    from bank_formats.fixed_width_gbk import layout

    d = builtin("fixed_width_gbk")
    for table, record in ((layout.PAYMENT_HEADER, d["payments"]["header"]),
                          (layout.PAYMENT_DETAIL, d["payments"]["detail"]),
                          (layout.RESULT_DETAIL_REF, d["results"]["detail"])):
        assert [(f.start + 1, f.width) for f in table.fields] == [(f["start"], f.get("width", 1))
                                                                  for f in record["fields"]]
    assert layout.REASON_TO_CODE == {FailureReason(r): c for c, r in d["results"]["reasons"].items()}
