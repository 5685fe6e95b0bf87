"""The ISO 20022 samples of ../shared/bank-samples mutated (cut short, bytes flipped,
re-encoded, wrapped and nested) and fed to every reader of the family: each either reads the
file or raises FormatError, nothing else (issue 15 item 6). A seeded loop, a few seconds."""
from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

import bank_formats
from bank_formats.base import FormatError, Skipped
from bank_formats.iso20022._common import Problems
from bank_formats.iso20022._tolerant import opened
from bank_formats.iso20022.account_entries import AccountEntries
from bank_formats.iso20022.payment_instructions import PaymentInstructions
from bank_formats.iso20022.status_report import StatusReport

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "bank-samples"
FILES = sorted(p for f in ("pain001", "pain002", "camt052", "camt053", "camt054") for p in (SAMPLES / f).glob("*.xml")
               ) if SAMPLES.is_dir() else []
FORMATS = [bank_formats.get("iso20022"), bank_formats.get("iso20022", results="camt.054.001.08"),
           bank_formats.get("iso20022", payments="pain.001.001.03", results="pain.002.001.03",
                            statements="camt.053.001.02")]
BODIES = (b"<CstmrPmtStsRpt>", b"<BkToCstmrStmt>", b"<BkToCstmrAcctRpt>", b"<BkToCstmrDbtCdtNtfctn>",
          b"<CstmrCdtTrfInitn>")
RECORDS = (b"<TxInfAndSts>", b"<Ntry>", b"<CdtTrfTxInf>")


def mutations(data: bytes, rng: random.Random):
    for _ in range(8):
        yield "cut", data[: rng.randrange(len(data))]
    for _ in range(8):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        yield "flip", bytes(b)
    yield "utf-16", data.decode("utf-8").encode("utf-16")
    yield "declared latin-1", data.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    yield "declared cp1252, undefined byte", data.replace(b'encoding="UTF-8"', b'encoding="windows-1252"') + b"\x81"
    yield "declared ascii", data.replace(b'encoding="UTF-8"', b'encoding="US-ASCII"') + "<!--é-->".encode()
    yield "no declaration", data[data.index(b"?>") + 2:] if data.startswith(b"<?xml") else data
    for body in BODIES:
        if body in data:
            close = b"</" + body[1:]
            yield "wrapped", data.replace(body, b"<Wrap>" + body).replace(close, close + b"</Wrap>")
    for rec in RECORDS:
        at = data.find(rec)
        if at >= 0:
            end = data.find(b"</" + rec[1:], at) + len(rec) + 1
            copy = data[at:end]
            yield "nested record", data[:end] + copy + data[end:]  # a record in a record's place twice
            yield "record in a record", data[:at + len(rec)] + copy + data[at + len(rec):]
            yield "record in SplmtryData", data.replace(b"</Document>", b"<SplmtryData><Envlp>" + copy
                                                        + b"</Envlp></SplmtryData></Document>")
    yield "deep", data.replace(b"<GrpHdr>", b"<a>" * 300 + b"</a>" * 300 + b"<GrpHdr>", 1)


def read_all(fmt, data: bytes) -> None:
    for read in (fmt.read_results, fmt.read_statement, fmt.read_payments):
        try:
            reader = read(io.BytesIO(data), "m.xml")
            for _ in reader:
                pass
            for s in getattr(reader, "skipped", []):
                assert isinstance(s, Skipped)
        except FormatError as exc:
            assert exc.problems, exc
    assert fmt.detect(data[:4096]) in (None, "payments", "results", "statement")


def parse_layers(data: bytes) -> None:
    """The plain-data layers under the readers never raise: every problem is in Problems."""
    source, _, message = opened(io.BytesIO(data))
    if message is None:
        return
    layer = {"pain.001": PaymentInstructions, "pain.002": StatusReport}.get(message.name, AccountEntries)
    problems = Problems()
    for _ in layer(source, message, problems):
        pass


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_mutated_samples_raise_only_format_errors(path):
    data = path.read_bytes()
    rng = random.Random(path.name)
    n = 0
    for _kind, mutated in mutations(data, rng):
        for fmt in FORMATS:
            read_all(fmt, mutated)
        parse_layers(mutated)
        n += 1
    assert n >= 20
