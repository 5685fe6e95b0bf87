"""The MT940 and CSV samples of ../shared/bank-samples damaged every way a transfer damages a
file (cut short, bytes flipped, re-encoded) are read or refused with FormatError, nothing else:
no other exception escapes the readers, and a read that succeeds still adds up."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from bank_formats import FormatError, get_statement_format

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "bank-samples"
CSV_MAPPINGS = {
    "oca__sheet_file__balance.csv": dict(amount="Amount", balance="Balance"),
    "oca__sheet_file__debit_credit.csv": dict(amount="Amount", direction="D/C", balance="Balance"),
    "oca__sheet_file__sample_statement_en.csv": dict(amount="Amount", currency_column="Currency"),
}
CASES = ([(p, get_statement_format("mt940")) for p in sorted((SAMPLES / "mt940").glob("*"))]
         + [(SAMPLES / "csv" / name, get_statement_format("csv", account="A", currency="EUR", date="Date",
                                                          date_format="%m/%d/%Y", thousands=",", **m))
            for name, m in CSV_MAPPINGS.items()])

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/bank-samples is not here")


def mutations(data: bytes):
    step = max(1, len(data) // 150)
    for cut in range(0, len(data), step):
        yield f"cut at {cut}", data[:cut]
    for at in range(0, len(data), step):
        for bit in (0x01, 0x20, 0x80):
            yield f"byte {at} ^ {bit:#x}", data[:at] + bytes([data[at] ^ bit]) + data[at + 1:]
    yield "utf-16", data.decode("latin-1").encode("utf-16")
    yield "utf-8 BOM", b"\xef\xbb\xbf" + data
    yield "CRLF", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    yield "GBK text in", data.replace(b"E", "账".encode("gbk"), 3)
    yield "NUL", data.replace(b"\n", b"\n\x00", 1)


@pytest.mark.parametrize("path, fmt", CASES, ids=[p.name for p, _ in CASES])
def test_damaged_samples_raise_only_format_error(path, fmt):
    outcomes = {"read": 0, "refused": 0}
    for what, data in mutations(path.read_bytes()):
        reader = fmt.read_statement(io.BytesIO(data), path.name)
        try:
            entries = list(reader)
        except FormatError as exc:
            assert exc.problems, what
            outcomes["refused"] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{path.name}, {what}: {type(exc).__name__}: {exc}")
        h = reader.header
        assert h.count == len(entries), what
        assert h.credit_fen == sum(e.amount_fen for e in entries if e.side.value == "CRDT"), what
        assert h.debit_fen == sum(e.amount_fen for e in entries if e.side.value == "DBIT"), what
        assert all(e.amount_fen > 0 for e in entries), what
        assert h.opening_balance_fen + h.credit_fen - h.debit_fen == h.closing_balance_fen, what
        outcomes["read"] += 1
    assert outcomes["refused"] > 0  # the damage is seen, not read past
