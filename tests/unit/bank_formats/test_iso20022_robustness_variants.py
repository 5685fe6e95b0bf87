"""Malformed input to every reader of every version (and to detect): FormatError, nothing else."""
from __future__ import annotations

import functools
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank_formats.base import FormatError
from bank_formats.iso20022 import Iso20022Format
from tests.unit.bank_formats.iso20022_support import SCHEMA_DIR, golden
from tests.unit.bank_formats.test_iso20022_robustness import consume as consume_pain
from tests.unit.bank_formats.test_iso20022_robustness import mutations

OPTIONS = {
    "payments": ("pain.001.001.09", "pain.001.001.03"),
    "results": ("pain.002.001.10", "pain.002.001.03"),
    "statement": ("camt.053.001.08", "camt.053.001.02"),
}
OPTION_NAME = {"payments": "payments", "results": "results", "statement": "statements"}
VALID = {
    ("payments", "pain.001.001.09"): "pain001_valid.xml",
    ("payments", "pain.001.001.03"): "pain001_v03_valid.xml",
    ("results", "pain.002.001.10"): "pain002_valid.xml",
    ("results", "pain.002.001.03"): "pain002_v03_valid.xml",
    ("statement", "camt.053.001.08"): "camt053_v08_valid.xml",
    ("statement", "camt.053.001.02"): "camt053_v02_valid.xml",
}
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@functools.cache
def fmt_for(kind: str, version: str, validating: bool) -> Iso20022Format:
    return Iso20022Format(SCHEMA_DIR if validating else None, **{OPTION_NAME[kind]: version})


def readers(kind: str, version: str) -> list[Iso20022Format]:
    # no unrestricted pain.002.001.03 schema is at hand
    return [fmt_for(kind, version, False)] + (
        [] if version == "pain.002.001.03" else [fmt_for(kind, version, True)])


def consume(fmt: Iso20022Format, kind: str, data: bytes) -> FormatError | None:
    """Reads ``data`` to the end; the FormatError raised, or None when it was read cleanly."""
    if kind != "statement":
        return consume_pain(fmt, kind, data)
    try:
        reader = fmt.read_statement(io.BytesIO(data), "fuzz.xml")
        assert reader.header is not None
        for _ in reader:
            pass
    except FormatError as exc:
        assert exc.problems
        for p in exc.problems:
            assert isinstance(p.where, str) and isinstance(p.field, str) and p.message
            assert not p.message.startswith("unexpected "), p  # the reader's safety net
        return exc
    return None


def every_reader(data: bytes) -> None:
    for (kind, version) in VALID:
        for fmt in readers(kind, version):
            consume(fmt, kind, data)
    assert Iso20022Format().detect(data) in (None, "payments", "results", "statement")


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    every_reader(data)


@SETTINGS
@given(st.sampled_from(sorted(VALID)).flatmap(
    lambda key: st.tuples(st.just(key), mutations(golden(VALID[key])))))
def test_mutated_real_files(case):
    (kind, version), data = case
    for fmt in readers(kind, version):
        consume(fmt, kind, data)
    assert Iso20022Format().detect(data) in (None, "payments", "results", "statement")


@SETTINGS
@given(st.sampled_from(sorted(VALID)), st.sampled_from(sorted(VALID)))
def test_a_file_of_another_message_or_version_is_refused(written, read):
    # (issue 15: results and statements of another version are read, by the tolerant
    # readers; another message, or a payment file of another version, is refused)
    if written != read and (written[0] != read[0] or read[0] == "payments"):
        kind, version = read
        for fmt in readers(kind, version):
            assert consume(fmt, kind, golden(VALID[written])) is not None


@pytest.mark.parametrize("key", [k for k in VALID if k[1] in (
    "pain.001.001.03", "pain.002.001.03", "camt.053.001.08", "camt.053.001.02")])
def test_every_truncation_is_reported(key):
    kind, version = key
    data = golden(VALID[key])
    end = data.rindex(b"</Document>") + len(b"</Document>")
    for cut in range(0, end, 7):
        for fmt in readers(kind, version):
            assert consume(fmt, kind, data[:cut]) is not None, (cut, fmt.schema_dir)
