"""detect: which kind of ISO 20022 file a head of bytes starts, any version; never an error."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank_formats.base import DETECT_BYTES
from bank_formats.iso20022 import Iso20022Format
from tests.unit.bank_formats.iso20022_support import golden

FMT = Iso20022Format()  # configured with the newer versions: the older ones are detected too


@pytest.mark.parametrize(("name", "kind"), [
    ("pain001_valid.xml", "payments"),
    ("pain001_v03_valid.xml", "payments"),
    ("pain002_valid.xml", "results"),
    ("pain002_v03_valid.xml", "results"),
    ("camt053_v08_valid.xml", "statement"),
    ("camt053_v02_valid.xml", "statement"),
    ("pain001_bad_amount.xml", "payments"),  # detect looks at the root only
])
def test_every_version_of_every_message(name, kind):
    head = golden(name)[:DETECT_BYTES]
    assert FMT.detect(head) == kind
    assert Iso20022Format(payments="pain.001.001.03", results="pain.002.001.03",
                          statements="camt.053.001.02").detect(head) == kind


@pytest.mark.parametrize(("head", "kind"), [
    (b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>\n<!-- x -->\n"
     b"<p:Document xmlns:p='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><p:BkTo", "statement"),
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'>", "payments"),
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.002.001.10'/>", "results"),
    # not ours: another message, another root, no namespace, a bank's own namespace
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.052.001.08'>", None),
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.002.001.11'>", None),
    (b"<Document xmlns='http://www.six-interbank-clearing.com/de/pain.001.001.03.ch.02.xsd'>",
     None),
    (b"<Envelope xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.09'>", None),
    (b"<Document>", None),
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.09", None),  # cut short
    # not XML at all: the other formats' files, empty, binary
    ("H|B2026110501|3|1000001234.56\r\n".encode("gbk"), None),
    ("序号,姓名,身份证号\n".encode(), None),
    (b"", None),
    (b"\x00\x01\x02", None),
    ("<?xml version='1.0' encoding='UTF-16'?><Document/>".encode("utf-16"), None),
    (b"<!DOCTYPE d [<!ENTITY a 'aaaa'>]><Document xmlns='urn:iso:std:iso:20022:tech:xsd:"
     b"pain.001.001.09'>&a;", "payments"),
])
def test_heads(head, kind):
    assert FMT.detect(head) == kind


def test_only_the_first_bytes_are_looked_at():
    head = b"<!--" + b" " * DETECT_BYTES + b"-->" + golden("pain001_valid.xml")[38:]
    assert FMT.detect(head) is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=DETECT_BYTES))
def test_garbage_is_none(data):
    assert FMT.detect(data) is None


@settings(max_examples=100, deadline=None)
@given(st.integers(0, DETECT_BYTES), st.sampled_from(["pain001_valid.xml", "camt053_v02_valid.xml",
                                                      "pain002_v03_valid.xml"]))
def test_any_cut_of_a_real_file_never_raises(cut, name):
    assert FMT.detect(golden(name)[:cut]) in (None, "payments", "results", "statement")
