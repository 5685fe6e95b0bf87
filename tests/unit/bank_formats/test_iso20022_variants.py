"""The versions of each ISO 20022 message, chosen by the format's options (a bank profile's)."""
from __future__ import annotations

import dataclasses
import functools
import io
import re

import pytest
from lxml import etree

import bank_formats
from bank_formats.base import FormatError, Problem
from bank_formats.iso20022 import Iso20022Format
from tests.unit.bank_formats.iso20022_support import (
    PAYMENTS,
    RESULTS,
    SAMPLE_ENTRIES,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    SAMPLE_STATEMENT_HEADER,
    SCHEMA_DIR,
    STATEMENTS,
    XSD_002_V03_DK,
    dk_sepa_projection,
    official_schema,
    read_payments,
    read_results,
    read_statement,
    write_payments,
    write_results,
    write_statement,
)


@functools.cache
def formats(**options) -> tuple[Iso20022Format, Iso20022Format | None]:
    """The format with these options, without and (when the schemas are at hand) with schemas.

    There is no unrestricted pain.002.001.03 schema at hand (see dk_sepa_projection), so a
    format set up for it reads without one.
    """
    plain = Iso20022Format(**options)
    if options.get("results") == "pain.002.001.03":
        return plain, None
    return plain, Iso20022Format(SCHEMA_DIR, **options)


def readers(**options) -> list[Iso20022Format]:
    return [f for f in formats(**options) if f is not None]


def test_defaults_are_the_newer_versions():
    fmt = Iso20022Format()
    assert (fmt.payments.name, fmt.results.name, fmt.statements.name) == (
        "pain.001.001.09", "pain.002.001.10", "camt.053.001.08")


def test_registry_passes_the_options():
    fmt = bank_formats.get("iso20022", schema_dir=SCHEMA_DIR, payments="pain.001.001.03",
                           statements="camt.053.001.02")
    assert (fmt.payments.name, fmt.results.name, fmt.statements.name) == (
        "pain.001.001.03", "pain.002.001.10", "camt.053.001.02")


@pytest.mark.parametrize(("option", "value", "known"), [
    ("payments", "pain.001.001.10", "pain.001.001.03, pain.001.001.09"),
    ("payments", "camt.053.001.08", "pain.001.001.03, pain.001.001.09"),  # a message of
    ("results", "pain.002", "pain.002.001.03, pain.002.001.10"),  # another kind is unknown too
    ("statements", "camt.052.001.08", "camt.053.001.02, camt.053.001.08"),
    ("statements", None, "camt.053.001.02, camt.053.001.08"),
])
def test_an_unknown_version_names_the_option_and_the_known_ones(option, value, known):
    with pytest.raises(ValueError) as info:
        Iso20022Format(**{option: value})
    assert str(info.value) == (f"iso20022 option {option}={value!r} is not a known version; "
                               f"known: {known}")


def test_an_unknown_option_is_refused():
    with pytest.raises(TypeError, match="pain"):
        Iso20022Format(pain="pain.001.001.03")


def test_a_missing_schema_of_a_configured_version_shows_at_once(tmp_path):
    # the directory holds the schemas of the default versions, not camt.053.001.02's
    for name in ("pain.001.001.09.xsd", "pain.002.001.10.xsd", "camt.053.001.08.xsd"):
        (tmp_path / name).symlink_to(SCHEMA_DIR / name)
    Iso20022Format(tmp_path)  # fine
    with pytest.raises(ValueError, match=re.escape(
            f"iso20022 statements=camt.053.001.02: cannot load schema "
            f"{tmp_path / 'camt.053.001.02.xsd'}")):
        Iso20022Format(tmp_path, statements="camt.053.001.02")


# --- every version: schema-valid output, every field read back ------------------------------

@pytest.mark.parametrize("version", PAYMENTS)
def test_payments_round_trip(version):
    plain, _ = formats(payments=version)
    data = write_payments(plain, SAMPLE_HEADER, SAMPLE_LINES)  # validated against the schema
    assert data.count(b"xmlns") == 1 and f"xsd:{version}\"".encode() in data
    for fmt in readers(payments=version):
        assert read_payments(fmt, data) == (SAMPLE_HEADER, list(SAMPLE_LINES))


@pytest.mark.parametrize("version", RESULTS)
def test_results_round_trip(version):
    plain, _ = formats(results=version)
    data = write_results(plain, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    assert data.count(b"xmlns") == 1 and f"xsd:{version}\"".encode() in data
    for fmt in readers(results=version):
        assert read_results(fmt, data) == (SAMPLE_RESULT_HEADER, list(SAMPLE_RECORDS))


@pytest.mark.parametrize("version", STATEMENTS)
def test_statements_round_trip(version):
    plain, _ = formats(statements=version)
    data = write_statement(plain, SAMPLE_STATEMENT_HEADER, SAMPLE_ENTRIES)
    assert data.count(b"xmlns") == 1 and f"xsd:{version}\"".encode() in data
    for fmt in readers(statements=version):
        assert read_statement(fmt, data) == (SAMPLE_STATEMENT_HEADER, list(SAMPLE_ENTRIES))


@pytest.mark.parametrize("version", PAYMENTS)
def test_chinese_texts_are_utf8_in_payment_files(version):
    data = write_payments(formats(payments=version)[0], SAMPLE_HEADER, SAMPLE_LINES)
    for text in ("艾力·买买提", "𠮷䶮", "某县财政局", "存折打印：2026年11月补贴 &amp; 退耕还林",
                 "耕地地力保护补贴 2026年11月"):
        assert text.encode("utf-8") in data


@pytest.mark.parametrize("version", RESULTS)
def test_chinese_texts_are_utf8_in_result_files(version):
    data = write_results(formats(results=version)[0], SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    for text in ("账号不存在", "账户已冻结（司法冻结）"):
        assert text.encode("utf-8") in data


@pytest.mark.parametrize("version", STATEMENTS)
def test_chinese_texts_are_utf8_in_statements(version):
    data = write_statement(formats(statements=version)[0], SAMPLE_STATEMENT_HEADER,
                           SAMPLE_ENTRIES)
    for text in ("艾力·买买提", "𠮷䶮", "某县财政局", "拨款：耕地地力保护补贴", "存折 &amp; &lt;补贴&gt;"):
        assert text.encode("utf-8") in data


# --- what differs between the versions ------------------------------------------------------

def test_pain001_v03_writes_the_date_and_the_purpose_where_v03_has_them():
    data = write_payments(formats(payments="pain.001.001.03")[0], SAMPLE_HEADER, SAMPLE_LINES)
    assert (b"<CtrlSum>1000001234.56</CtrlSum><PmtTpInf><CtgyPurp><Prtry>"
            + "耕地地力保护补贴 2026年11月".encode() + b"</Prtry></CtgyPurp></PmtTpInf>"
            b"<ReqdExctnDt>2026-11-06</ReqdExctnDt><Dbtr>") in data
    assert b"InstrForDbtrAgt" not in data


def test_pain001_v03_has_room_for_35_characters_of_purpose_only():
    header = dataclasses.replace(SAMPLE_HEADER, purpose="补" * 36)
    with pytest.raises(FormatError) as info:
        formats(payments="pain.001.001.03")[0].write_payments(io.BytesIO(), header, SAMPLE_LINES)
    assert info.value.problems == [
        Problem("PmtInf/PmtTpInf/CtgyPurp", "Prtry", "is 36 characters long; at most 35 fit")]
    header = dataclasses.replace(header, purpose="补" * 35)
    data = write_payments(formats(payments="pain.001.001.03")[0], header, SAMPLE_LINES)
    for fmt in readers(payments="pain.001.001.03"):
        assert read_payments(fmt, data)[0].purpose == "补" * 35


def test_pain001_v03_without_a_purpose_has_no_payment_type():
    header = dataclasses.replace(SAMPLE_HEADER, purpose="")
    data = write_payments(formats(payments="pain.001.001.03")[0], header, SAMPLE_LINES)
    assert b"PmtTpInf" not in data
    assert read_payments(formats(payments="pain.001.001.03")[1], data)[0] == header


@pytest.mark.parametrize(("payments", "results"), [
    ("pain.001.001.09", "pain.002.001.10"), ("pain.001.001.03", "pain.002.001.10"),
    ("pain.001.001.09", "pain.002.001.03"), ("pain.001.001.03", "pain.002.001.03"),
])
def test_a_result_file_names_the_payment_version_it_answers(payments, results):
    plain, _ = formats(payments=payments, results=results)
    data = write_results(plain, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    assert f"<OrgnlMsgNmId>{payments}</OrgnlMsgNmId>".encode() in data
    for fmt in readers(payments=payments, results=results):
        assert read_results(fmt, data)[0] == SAMPLE_RESULT_HEADER
    other = "pain.001.001.03" if payments == "pain.001.001.09" else "pain.001.001.09"
    with pytest.raises(FormatError) as info:
        read_results(formats(payments=other, results=results)[0], data)
    assert info.value.problems == [
        Problem("line 5", "OrgnlMsgNmId", f"{payments!r} is not {other}")]


@pytest.mark.parametrize(("kind", "versions"), [
    ("payments", PAYMENTS), ("results", RESULTS), ("statements", STATEMENTS)])
def test_a_file_of_another_version_is_read_or_refused_with_its_namespace(kind, versions):
    new, old = versions
    write = {"payments": write_payments, "results": write_results,
             "statements": write_statement}[kind]
    sample = {"payments": (SAMPLE_HEADER, SAMPLE_LINES),
              "results": (SAMPLE_RESULT_HEADER, SAMPLE_RECORDS),
              "statements": (SAMPLE_STATEMENT_HEADER, SAMPLE_ENTRIES)}[kind]
    read = {"payments": read_payments, "results": read_results,
            "statements": read_statement}[kind]
    data = write(formats(**{kind: old})[0], *sample)
    if kind != "payments":
        # issue 15: results and statements of any version are read (by the tolerant reader),
        # with the figures they were written with
        for fmt in readers(**{kind: new}):
            assert read(fmt, data) == (sample[0], list(sample[1]))
        return
    with pytest.raises(FormatError) as info:
        read(formats(**{kind: new})[0], data)
    assert info.value.problems == [
        Problem("line 2", "Document",
                f"namespace 'urn:iso:std:iso:20022:tech:xsd:{old}' is not the expected "
                f"'urn:iso:std:iso:20022:tech:xsd:{new}'")]


def test_camt053_v02_and_v08_differ_in_status_and_party():
    v08 = write_statement(formats(statements="camt.053.001.08")[0], SAMPLE_STATEMENT_HEADER,
                          SAMPLE_ENTRIES)
    v02 = write_statement(formats(statements="camt.053.001.02")[0], SAMPLE_STATEMENT_HEADER,
                          SAMPLE_ENTRIES)
    assert v08.count(b"<Sts><Cd>BOOK</Cd></Sts>") == 6
    assert v02.count(b"<Sts>BOOK</Sts>") == 6
    assert "<Cdtr><Pty><Nm>艾力·买买提</Nm></Pty></Cdtr>".encode() in v08
    assert "<Cdtr><Nm>艾力·买买提</Nm></Cdtr>".encode() in v02
    strip = [(b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts>BOOK</Sts>"), (b"<Pty>", b""),
             (b"</Pty>", b""), (b"camt.053.001.08", b"camt.053.001.02")]
    for old, new in strip:
        v08 = v08.replace(old, new)
    assert v08 == v02  # and nothing else differs


# --- pain.002.001.03 against the restricted schema at hand ----------------------------------

def test_pain002_v03_is_valid_as_far_as_the_dk_sepa_variant_can_tell():
    """The DK-SEPA variant cannot validate a faithful ISO pain.002.001.03 as a whole: it has no
    NbOfTxsPerSts, AddtlInf or Rsn/Prtry, knows only RJCT, EUR and IBANs. The file is checked
    twice: its projection onto what the variant has is valid (write_results does that), and
    the variant's complaints about the whole file are exactly those restrictions."""
    data = write_results(formats(results="pain.002.001.03")[0], SAMPLE_RESULT_HEADER,
                         SAMPLE_RECORDS)
    projected = dk_sepa_projection(data)
    assert projected.count(b"<TxInfAndSts>") == 2  # the two rejected records are checked
    schema = official_schema(XSD_002_V03_DK)
    assert not schema.validate(etree.fromstring(data))
    ns = "{urn:iso:std:iso:20022:tech:xsd:pain.002.001.03}"
    complaints = sorted({re.sub(r" Expected is .*", "", e.message.replace(ns, ""))
                         for e in schema.error_log})
    assert complaints == [
        "Element 'AddtlInf': This element is not expected.",
        "Element 'InstdAmt', attribute 'Ccy': [facet 'enumeration'] The value 'CNY' is not "
        "an element of the set {'EUR'}.",
        "Element 'NbOfTxsPerSts': This element is not expected.",
        "Element 'Othr': This element is not expected.",
        "Element 'Prtry': This element is not expected.",
        "Element 'TxSts': [facet 'enumeration'] The value 'ACSC' is not an element of the "
        "set {'RJCT'}.",
    ]


def test_a_validating_pain002_v03_reader_uses_the_schema_it_is_given(tmp_path):
    # a bank that publishes its restricted schema under the ISO name: what it refuses, the
    # reader refuses, with the line
    for name in ("pain.001.001.09.xsd", "camt.053.001.08.xsd"):
        (tmp_path / name).symlink_to(SCHEMA_DIR / name)
    (tmp_path / "pain.002.001.03.xsd").symlink_to(SCHEMA_DIR / XSD_002_V03_DK)
    fmt = Iso20022Format(tmp_path, results="pain.002.001.03")
    data = write_results(formats(results="pain.002.001.03")[0], SAMPLE_RESULT_HEADER,
                         SAMPLE_RECORDS)
    with pytest.raises(FormatError) as info:
        read_results(fmt, data)
    first = info.value.problems[0]
    assert (first.where, first.field) == ("line 5", "NbOfTxsPerSts")
    assert first.message.startswith("Element 'NbOfTxsPerSts': This element is not expected.")
