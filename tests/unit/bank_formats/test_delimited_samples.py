"""Sample batch and helpers for the delimited format tests, and the golden files made from them.

The golden files in tests/testdata/delimited/ are written by :func:`regenerate`:

    python tests/unit/bank_formats/test_delimited_samples.py

valid ones by the writers, invalid ones by editing a valid one (and, except where the digest is
the point, putting the right digest line back so that only the intended problem shows).
"""
from __future__ import annotations

import hashlib
import io
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bank_formats.delimited import DelimitedFormat  # noqa: E402
from domain.model import (  # noqa: E402
    AccountKind,
    EntrySide,
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
TESTDATA = REPO_ROOT / "tests" / "testdata" / "delimited"
CST = timezone(timedelta(hours=8))
MAX_FEN = 10**18 - 1

# Every character here is in GBK. 億 and 東 are GBK characters whose second byte is 0x7C, the
# byte of "|": a reader that split bytes before decoding would cut them in two.
SAMPLE_LINES = (
    PaymentLine(1, "阿卜杜拉·买买提", "65010219800101123X", "6228480012345678901", 123456,
                AccountKind.PASSBOOK, "中国农业银行某县支行", "耕地地力保护补贴",
                "2026年11月 第一批", "13800138000", "某省某县某镇東村3组", "H000000001"),
    PaymentLine(2, "王億", "410102199001011234", "6222020200012345678", 999_999_999_999,
                AccountKind.CARD),
    PaymentLine(3, "李珺昇", "410102195505055555", "6230580000000000001", 1,
                AccountKind.SOCIAL_SECURITY_CARD, "某县农村商业银行营业部", "高龄津贴",
                "补发: 2026-10 (差额) #2", "", "", "H000000003"),
    PaymentLine(5, "喆·艾力", "650102200001011111", "6217000000000000005", 0, AccountKind.CARD,
                "", "", "", "(0371)5550123", "", ""),
)
SAMPLE_HEADER = PaymentFileHeader(
    file_id="PAY-20261105-000001",
    batch_id="B20261105A1B2C3D4",
    created_at=datetime(2026, 11, 5, 9, 30, 15, tzinfo=CST),
    requested_date=date(2026, 11, 6),
    payer_name="某县财政局",
    payer_account="1234567890123456789",
    bank_code="ABC-4101",
    count=len(SAMPLE_LINES),
    total_fen=sum(line.amount_fen for line in SAMPLE_LINES),
    purpose="耕地地力保护补贴 2026-11 410102",
)

SAMPLE_RECORDS = (
    ResultRecord(1, PaymentOutcome.PAID, 123456, "6228480012345678901"),
    ResultRecord(2, PaymentOutcome.FAILED, 999_999_999_999, "6222020200012345678",
                 FailureReason.NAME_MISMATCH, "E02", "户名不符"),
    ResultRecord(3, PaymentOutcome.FAILED, 1, "", FailureReason.OTHER, "X17",
                 "系统繁忙，请重试"),
    ResultRecord(5, PaymentOutcome.FAILED, 0, "6217000000000000005", FailureReason.CARD_LOST,
                 "E06", "卡已挂失"),
)
SAMPLE_RESULT_HEADER = ResultFileHeader(
    file_id="RES-20261106-000001",
    original_file_id="PAY-20261105-000001",
    batch_id="B20261105A1B2C3D4",
    created_at=datetime(2026, 11, 6, 18, 0, 0, tzinfo=CST),
    count=4,
    paid_count=1,
    paid_fen=123456,
    failed_count=3,
    failed_fen=999_999_999_999 + 1 + 0,
)

# the clearing account's November: funding, three payments, one returned, the surplus refunded
CREDIT, DEBIT = EntrySide.CREDIT, EntrySide.DEBIT
NOV = date(2026, 11, 5)
SAMPLE_ENTRIES = (
    StatementEntry(1, CREDIT, 1_000_000_123_456, NOV, "CR20261105000001", "B20261105A1B2C3D4",
                   None, "某县财政局", "1234567890123456789", "拨付 耕地地力保护补贴"),
    StatementEntry(2, DEBIT, 123456, date(2026, 11, 6), "DR20261106000001", "B20261105A1B2C3D4",
                   1, "阿卜杜拉·买买提", "6228480012345678901", ""),
    StatementEntry(3, DEBIT, 999_999_999_999, date(2026, 11, 6), "DR20261106000002",
                   "B20261105A1B2C3D4", 2, "王億", "6222020200012345678", ""),
    StatementEntry(4, DEBIT, 1, date(2026, 11, 6), "DR20261106000003", "B20261105A1B2C3D4", 3,
                   "李珺昇", "6230580000000000001", "补发"),
    StatementEntry(6, CREDIT, 999_999_999_999, date(2026, 11, 7), "RT20261107000001",
                   "B20261105A1B2C3D4", 2, "王億", "6222020200012345678", "退汇: 户名不符"),
    StatementEntry(7, DEBIT, 999_999_999_000, date(2026, 11, 30), "DR20261130000001",
                   "B20261105A1B2C3D4", None, "某县财政局", "1234567890123456789",
                   "结余退回 東"),
    StatementEntry(8, CREDIT, 5, date(2026, 11, 30), "INT20261130", "", None, "", "", "利息"),
)
SAMPLE_STATEMENT_HEADER = StatementHeader(
    statement_id="ST-1234567890123456789-202611",
    account="1234567890123456789",
    created_at=datetime(2026, 12, 1, 6, 0, 0, tzinfo=CST),
    from_date=date(2026, 11, 1),
    to_date=date(2026, 11, 30),
    opening_balance_fen=-250,
    closing_balance_fen=-250 + 2_000_000_123_460 - 2_000_000_122_456,
    count=7,
    credit_fen=1_000_000_123_456 + 999_999_999_999 + 5,
    debit_fen=123456 + 999_999_999_999 + 1 + 999_999_999_000,
)

UTF8 = DelimitedFormat()
GBK = DelimitedFormat(encoding="gbk", digest="sm3", line_ending="\r\n")
YUAN = DelimitedFormat(amount_style="yuan")


def golden(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def write_payments(fmt: DelimitedFormat, header=SAMPLE_HEADER, lines=SAMPLE_LINES) -> bytes:
    out = io.BytesIO()
    written = fmt.write_payments(out, header, lines)
    assert written.size == len(out.getvalue())
    return out.getvalue()


def write_results(fmt: DelimitedFormat, header=SAMPLE_RESULT_HEADER,
                  records=SAMPLE_RECORDS) -> bytes:
    out = io.BytesIO()
    written = fmt.write_results(out, header, records)
    assert written.size == len(out.getvalue())
    return out.getvalue()


def write_statement(fmt: DelimitedFormat, header=SAMPLE_STATEMENT_HEADER,
                    entries=SAMPLE_ENTRIES) -> bytes:
    out = io.BytesIO()
    written = fmt.write_statement(out, header, entries)
    assert written.size == len(out.getvalue())
    return out.getvalue()


def read_statement(fmt: DelimitedFormat, data: bytes, name: str = "s.txt"):
    reader = fmt.read_statement(io.BytesIO(data), name)
    header = reader.header
    return header, list(reader)


def read_payments(fmt: DelimitedFormat, data: bytes, name: str = "p.txt"):
    reader = fmt.read_payments(io.BytesIO(data), name)
    header = reader.header
    return header, list(reader)


def read_results(fmt: DelimitedFormat, data: bytes, name: str = "r.txt"):
    reader = fmt.read_results(io.BytesIO(data), name)
    header = reader.header
    return header, list(reader)


def with_digest(body: bytes, algorithm: str = "SHA256", ending: bytes = b"\n") -> bytes:
    """``body`` (complete lines) followed by its correct digest line."""
    if algorithm == "SHA256":
        hexdigest = hashlib.sha256(body).hexdigest()
    else:
        from cryptography.hazmat.primitives import hashes

        h = hashes.Hash(hashes.SM3())
        h.update(body)
        hexdigest = h.finalize().hex()
    return body + f"S|{algorithm}|{hexdigest}".encode("ascii") + ending


def body_lines(data: bytes) -> list[bytes]:
    """The lines of a UTF-8/LF file before its digest line, each with its b"\\n"."""
    lines = data.splitlines(keepends=True)
    assert lines[-1].startswith(b"S|")
    return lines[:-1]


def regenerate() -> None:
    TESTDATA.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    pay = write_payments(UTF8)
    res = write_results(UTF8)
    files["payments_utf8.txt"] = pay
    files["results_utf8.txt"] = res
    files["payments_gbk.txt"] = write_payments(GBK)
    files["results_gbk.txt"] = write_results(GBK)

    lines = body_lines(pay)
    # cut after line 3: complete lines, no digest line
    files["payments_truncated.txt"] = b"".join(lines[:3])
    # one character of line 2 changed, the digest line left as it was
    files["payments_digest_mismatch.txt"] = pay.replace("买买提".encode(), "买买堤".encode())
    # line 4 lost its phone field
    bad = list(lines)
    bad[3] = bad[3].replace(b"|||H000000003", b"||H000000003")
    files["payments_field_count.txt"] = with_digest(b"".join(bad))
    # amounts that are not integer fen
    bad = list(lines)
    bad[1] = bad[1].replace(b"|123456|", b"|1234.56|")
    bad[3] = bad[3].replace(b"|1|", b"|-1|", 1)
    bad[4] = bad[4].replace(b"|0|", "|１２|".encode(), 1)
    files["payments_bad_amount.txt"] = with_digest(b"".join(bad))

    rlines = body_lines(res)
    # the record of seq 3 is missing; the header is unchanged
    files["results_count_mismatch.txt"] = with_digest(b"".join(rlines[:3] + rlines[4:]))
    # cut inside line 4
    cut = b"".join(rlines[:3]) + rlines[3][:10]
    files["results_truncated.txt"] = cut
    files.update(_statement_files())
    for name, data in files.items():
        (TESTDATA / name).write_bytes(data)


def _statement_files() -> dict[str, bytes]:
    files = {"statement_utf8.txt": write_statement(UTF8),
             "statement_gbk.txt": write_statement(GBK),
             "statement_yuan.txt": write_statement(YUAN)}
    lines = body_lines(files["statement_utf8.txt"])
    # cut after line 4: complete lines, no digest line
    files["statement_truncated.txt"] = b"".join(lines[:4])
    # one character of an entry changed, the digest line left as it was
    files["statement_digest_mismatch.txt"] = files["statement_utf8.txt"].replace(
        "退汇".encode(), "退款".encode())
    # the closing balance does not follow from the opening balance and the sums
    bad = list(lines)
    bad[0] = bad[0].replace(b"|-250|754|", b"|-250|755|")
    files["statement_balance_mismatch.txt"] = with_digest(b"".join(bad))
    # the entry of seq 3 is missing; the header is unchanged
    files["statement_sums_mismatch.txt"] = with_digest(b"".join(lines[:3] + lines[4:]))
    # entries that cannot be read, each for another reason
    bad = list(lines)
    bad[1] = bad[1].replace(b"|C|", b"|X|")
    bad[2] = bad[2].replace(b"|123456|2026-11-06|", b"|0|2026-10-31|")
    bad[3] = bad[3].replace(b"|999999999999|", b"|9999999999.99|")
    bad[4] = bad[4].replace(b"|DR20261106000003|B20261105A1B2C3D4|3|", b"|||3|")
    bad[5] = bad[5].replace(b"|2|", b"|0|", 1)
    files["statement_bad_entries.txt"] = with_digest(b"".join(bad))
    # yuan amounts that are not yuan with two decimals
    ylines = body_lines(files["statement_yuan.txt"])
    ylines[0] = ylines[0].replace(b"|-2.50|", b"|-2.5|")
    ylines[1] = ylines[1].replace(b"|10000001234.56|", b"|1000000123456|")
    ylines[2] = ylines[2].replace(b"|1234.56|", b"|1,234.56|")
    ylines[4] = ylines[4].replace(b"|0.01|", b"|-0.01|")
    files["statement_yuan_bad_amount.txt"] = with_digest(b"".join(ylines))
    return files


def test_samples_add_up():
    h = SAMPLE_STATEMENT_HEADER
    assert h.count == len(SAMPLE_ENTRIES)
    assert h.credit_fen == sum(e.amount_fen for e in SAMPLE_ENTRIES if e.side == CREDIT)
    assert h.debit_fen == sum(e.amount_fen for e in SAMPLE_ENTRIES if e.side == DEBIT)
    assert h.closing_balance_fen == h.opening_balance_fen + h.credit_fen - h.debit_fen == 754
    assert SAMPLE_HEADER.total_fen == 999_999_999_999 + 123456 + 1
    assert SAMPLE_RESULT_HEADER.paid_count + SAMPLE_RESULT_HEADER.failed_count == len(
        SAMPLE_RECORDS)
    for line in SAMPLE_LINES:
        for value in (line.name, line.address, line.remark):
            value.encode("gbk")
    assert b"|" in "億".encode("gbk") and b"|" in "東".encode("gbk")


if __name__ == "__main__":
    regenerate()
