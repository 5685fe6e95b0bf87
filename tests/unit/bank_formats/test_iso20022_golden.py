"""The golden files in tests/testdata/iso20022/: what the writers write, what the readers say."""
from __future__ import annotations

import pytest

from bank_formats.base import FormatError, Problem
from tests.unit.bank_formats.iso20022_support import (
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    XSD_001,
    XSD_002,
    assert_valid,
    golden,
    read_payments,
    read_results,
    write_payments,
    write_results,
)

NS001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
GRP = "/Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts"


def test_golden_files_are_what_the_writers_write(fmt):
    assert write_payments(fmt, SAMPLE_HEADER, SAMPLE_LINES) == golden("pain001_valid.xml")
    assert write_results(fmt, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS) == golden("pain002_valid.xml")
    assert_valid(golden("pain001_valid.xml"), XSD_001)
    assert_valid(golden("pain002_valid.xml"), XSD_002)


def test_golden_files_declare_the_namespace_once():
    for name in ("pain001_valid.xml", "pain002_valid.xml"):
        assert golden(name).count(b"xmlns") == 1


def test_valid_pain001(any_fmt):
    header, lines = read_payments(any_fmt, golden("pain001_valid.xml"))
    assert header == SAMPLE_HEADER
    assert lines == list(SAMPLE_LINES)


def test_valid_pain002(any_fmt):
    header, records = read_results(any_fmt, golden("pain002_valid.xml"))
    assert header == SAMPLE_RESULT_HEADER
    assert records == list(SAMPLE_RECORDS)


def _problems(read, fmt, name):
    with pytest.raises(FormatError) as info:
        read(fmt, golden(name), name)
    assert info.value.file == name
    return info.value.problems


def test_bad_amounts_are_all_reported(any_fmt):
    # with the schema the schema's own complaints about lines 8 and 9 are left out: the reader
    # says the same, more plainly
    assert _problems(read_payments, any_fmt, "pain001_bad_amount.xml") == [
        Problem("line 7", "InstdAmt",
                "'1234.567' is not an amount (digits, at most 2 decimals, no sign)"),
        Problem("line 8", "InstdAmt",
                "'-999999999.99' is not an amount (digits, at most 2 decimals, no sign)"),
        Problem("line 9", "InstdAmt",
                "'1,00' is not an amount (digits, at most 2 decimals, no sign)"),
    ]


def test_wrong_namespace(fmt, vfmt):
    assert _problems(read_payments, fmt, "pain001_wrong_namespace.xml") == [
        Problem("line 2", "Document",
                "namespace 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03' is not the "
                f"expected '{NS001}'"),
    ]
    assert _problems(read_payments, vfmt, "pain001_wrong_namespace.xml") == [
        Problem("line 2", "Document",
                "Element '{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}Document': "
                "No matching global declaration available for the validation root."),
    ]


def test_truncated_result_file(any_fmt):
    assert _problems(read_results, any_fmt, "pain002_truncated.xml") == [
        Problem("line 9", "xml",
                "not well-formed XML: Premature end of data in tag OrgnlEndToEndId line 9"),
    ]


def test_truncated_result_file_yields_the_records_before_the_cut(fmt):
    import io

    reader = fmt.read_results(io.BytesIO(golden("pain002_truncated.xml")), "r.xml")
    assert reader.header == SAMPLE_RESULT_HEADER
    got = []
    with pytest.raises(FormatError):
        for record in reader:
            got.append(record)
    assert got == list(SAMPLE_RECORDS[:2])


def test_well_formed_result_file_missing_a_record(any_fmt):
    assert _problems(read_results, any_fmt, "pain002_count_mismatch.xml") == [
        Problem(f"{GRP}/OrgnlNbOfTxs", "OrgnlNbOfTxs",
                "header says 3 transactions, the file has 2"),
        Problem(f"{GRP}/NbOfTxsPerSts[DtldSts=RJCT]/DtldNbOfTxs", "DtldNbOfTxs",
                "header says 2 RJCT, the file has 1"),
        Problem(f"{GRP}/NbOfTxsPerSts[DtldSts=RJCT]/DtldCtrlSum", "DtldCtrlSum",
                "header says 1000000000.00 for RJCT, the records add up to 999999999.99"),
    ]
