"""Sample data and shortcuts for the fixed-width GBK format tests (this module holds no tests).

The golden files in tests/testdata/fixed_width_gbk/ are the sample batch below as the writers
write it, and copies of those spoiled on purpose; ``python -m
tests.unit.bank_formats.test_fixed_width_gbk_support`` writes them again.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bank_formats.base import FormatError, Problem
from bank_formats.fixed_width_gbk import FixedWidthGbkFormat
from domain.model import (
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
TESTDATA = REPO_ROOT / "tests" / "testdata" / "fixed_width_gbk"
CST = timezone(timedelta(hours=8))

FMT = FixedWidthGbkFormat()  # GBK, CRLF: what the registry builds
FMT_18030 = FixedWidthGbkFormat(encoding="gb18030")
FMT_LF = FixedWidthGbkFormat(line_ending="\n")
FMT_YUAN = FixedWidthGbkFormat(amount_style="yuan")
ALL_FORMATS = (FMT, FMT_18030, FMT_LF)

MAX_AMOUNT = 999_999_999_999_999  # 15 digits

SAMPLE_LINES = (
    PaymentLine(
        seq=1,
        name="艾力·买买提",  # U+00B7, GBK A1A4
        id_number="65010219900101123X",
        account_no="6222021234567890123",
        amount_fen=123456,
        account_kind=AccountKind.CARD,
        bank_name="中国工商银行乌鲁木齐分行",
        subsidy_item="耕地地力保护补贴",
        remark="",
        phone="13800138000",
        address="新疆维吾尔自治区乌鲁木齐市某区某路1号",
        household_no="H650102-0001",
    ),
    PaymentLine(
        seq=2,
        name="燚堃喆",  # rare, but in GBK
        id_number="410102196001011234",
        account_no="41001234567890",
        amount_fen=MAX_AMOUNT,
        account_kind=AccountKind.PASSBOOK,
        subsidy_item="农机购置补贴",
        remark="存折打印：2026年11月补贴 & 退耕还林",
    ),
    PaymentLine(
        seq=3,
        name="王\u3000小明",  # an ideographic space (GBK A1A1) inside the name
        id_number="110101200001011234",
        account_no="6217000010001234567",
        amount_fen=1,
        account_kind=AccountKind.SOCIAL_SECURITY_CARD,
    ),
)

SAMPLE_HEADER = PaymentFileHeader(
    file_id="PAY-20261105-0001",
    batch_id="B2026110501",
    created_at=datetime(2026, 11, 5, 9, 30, 0, tzinfo=CST),
    requested_date=date(2026, 11, 6),
    payer_name="某县财政局",
    payer_account="410012345678901234567",
    bank_code="RCB4101",
    count=3,
    total_fen=123456 + MAX_AMOUNT + 1,
    purpose="耕地地力保护补贴 2026年11月",
)

SAMPLE_RECORDS = (
    ResultRecord(seq=1, outcome=PaymentOutcome.PAID, amount_fen=123456,
                 account_no="6222021234567890123"),
    ResultRecord(seq=2, outcome=PaymentOutcome.FAILED, amount_fen=MAX_AMOUNT,
                 account_no="41001234567890", reason=FailureReason.ACCOUNT_NOT_FOUND,
                 bank_code="1001", bank_text="账户不存在"),
    ResultRecord(seq=3, outcome=PaymentOutcome.FAILED, amount_fen=1,
                 account_no="6217000010001234567", reason=FailureReason.OTHER,
                 bank_code="E042", bank_text="账户状态异常（请到开户网点核实）"),
)

SAMPLE_RESULT_HEADER = ResultFileHeader(
    file_id="RES-20261106-0001",
    original_file_id="PAY-20261105-0001",
    batch_id="B2026110501",
    created_at=datetime(2026, 11, 6, 18, 0, 0, tzinfo=CST),
    count=3,
    paid_count=1,
    paid_fen=123456,
    failed_count=2,
    failed_fen=MAX_AMOUNT + 1,
)

SAMPLE_ENTRIES = (
    StatementEntry(seq=1, side=EntrySide.CREDIT, amount_fen=100_000_000_00,
                   booking_date=date(2026, 11, 5), reference="FUND-20261105-0001",
                   batch_id="B2026110501", counterparty_name="某县财政局",
                   counterparty_account="410012345678901234567", remark="耕地地力保护补贴资金拨付"),
    StatementEntry(seq=2, side=EntrySide.DEBIT, amount_fen=123456, booking_date=date(2026, 11, 6),
                   reference="TX00000001", batch_id="B2026110501", line_seq=1,
                   counterparty_name="艾力·买买提", counterparty_account="6222021234567890123",
                   remark="耕地地力保护补贴"),
    StatementEntry(seq=3, side=EntrySide.DEBIT, amount_fen=1, booking_date=date(2026, 11, 6),
                   reference="TX00000003", batch_id="B2026110501", line_seq=3,
                   counterparty_name="燚堃喆", counterparty_account="6217000010001234567"),
    StatementEntry(seq=4, side=EntrySide.DEBIT, amount_fen=100_000_000_00 - 123456 - 1,
                   booking_date=date(2026, 11, 6), reference="RFD-20261106-0001",
                   batch_id="B2026110501", remark="结余资金退回"),
)

SAMPLE_STATEMENT_HEADER = StatementHeader(
    statement_id="DZD-20261106-0001",
    account="410098765432109876543",
    created_at=datetime(2026, 11, 6, 20, 0, 0, tzinfo=CST),
    from_date=date(2026, 11, 5),
    to_date=date(2026, 11, 6),
    opening_balance_fen=-12345,  # an overdrawn clearing account
    closing_balance_fen=-12345,
    count=4,
    credit_fen=100_000_000_00,
    debit_fen=100_000_000_00,
)


def golden(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def write_payments(fmt: FixedWidthGbkFormat, header: PaymentFileHeader, lines) -> bytes:
    out = io.BytesIO()
    written = fmt.write_payments(out, header, lines)
    data = out.getvalue()
    assert written.size == len(data)
    assert (written.count, written.total_fen) == (header.count, header.total_fen)
    return data


def write_results(fmt: FixedWidthGbkFormat, header: ResultFileHeader, records) -> bytes:
    out = io.BytesIO()
    written = fmt.write_results(out, header, records)
    data = out.getvalue()
    assert written.size == len(data)
    assert written.count == header.count
    return data


def write_statement(fmt: FixedWidthGbkFormat, header: StatementHeader, entries) -> bytes:
    out = io.BytesIO()
    written = fmt.write_statement(out, header, entries)
    data = out.getvalue()
    assert written.size == len(data)
    assert (written.count, written.total_fen) == (header.count,
                                                  header.credit_fen + header.debit_fen)
    return data


def read_statement(fmt: FixedWidthGbkFormat, data: bytes, name: str = "statement.txt"):
    reader = fmt.read_statement(io.BytesIO(data), name)
    return reader.header, list(reader)


def read_payments(fmt: FixedWidthGbkFormat, data: bytes, name: str = "payments.txt"):
    reader = fmt.read_payments(io.BytesIO(data), name)
    return reader.header, list(reader)


def read_results(fmt: FixedWidthGbkFormat, data: bytes, name: str = "results.txt"):
    reader = fmt.read_results(io.BytesIO(data), name)
    return reader.header, list(reader)


def problems_of(call, *args) -> list[Problem]:
    """The problems of the FormatError ``call(*args)`` raises."""
    with pytest.raises(FormatError) as info:
        call(*args)
    return info.value.problems


def read_problems(kind: str, data: bytes, fmt: FixedWidthGbkFormat = FMT) -> list[Problem]:
    read = read_payments if kind == "payments" else read_results
    return problems_of(read, fmt, data)


def write_payment_problems(header, lines, fmt: FixedWidthGbkFormat = FMT) -> list[Problem]:
    return problems_of(fmt.write_payments, io.BytesIO(), header, lines)


def write_result_problems(header, records, fmt: FixedWidthGbkFormat = FMT) -> list[Problem]:
    return problems_of(fmt.write_results, io.BytesIO(), header, records)


# --- the golden files ------------------------------------------------------------------------

def _lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\r\n")


def _with_field(data: bytes, line_no: int, start: int, value: bytes) -> bytes:
    """``data`` with ``value`` put at byte ``start`` (1-based) of line ``line_no``."""
    lines = _lines_of(data)
    line = lines[line_no - 1]
    lines[line_no - 1] = line[: start - 1] + value + line[start - 1 + len(value):]
    return b"\r\n".join(lines)


def golden_files() -> dict[str, bytes]:
    payments = write_payments(FMT, SAMPLE_HEADER, SAMPLE_LINES)
    results = write_results(FMT, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    files = {"payments_valid.txt": payments, "results_valid.txt": results}
    # amount_fen is at 106..120 of a payment detail record
    bad = _with_field(payments, 2, 106, b"000000001234.56")
    bad = _with_field(bad, 3, 106, b"-00000000000001")
    bad = _with_field(bad, 4, 106, b"               ")
    files["payments_bad_amount.txt"] = bad
    # a name one byte longer: the record is 486 bytes
    lines = _lines_of(payments)
    lines[2] = lines[2][:45] + b"X" + lines[2][45:]
    files["payments_wrong_length.txt"] = b"\r\n".join(lines)
    # bytes that are not GBK in a name (0x80 leads nothing; a lead byte before the padding)
    bad = _with_field(payments, 2, 46, b"\x80\x80")
    bad = _with_field(bad, 4, 54, b"\xcd")
    files["payments_non_gbk.txt"] = bad
    # cut in the middle of the third record, and cut after the second one
    cut = results.index(b"\r\n", results.index(b"\r\nD0000000002") + 2) + 2
    files["results_truncated.txt"] = results[: cut + 60]
    files["results_count_mismatch.txt"] = results[:cut]
    files.update(statement_files())
    return files


def statement_files() -> dict[str, bytes]:
    statement = write_statement(FMT, SAMPLE_STATEMENT_HEADER, SAMPLE_ENTRIES)
    files = {"statement_valid.txt": statement,
             "statement_yuan_valid.txt": write_statement(FMT_YUAN, SAMPLE_STATEMENT_HEADER,
                                                         SAMPLE_ENTRIES)}
    # side at 12, amount_fen at 13..27, booking_date at 28..35, line_seq at 106..115
    bad = _with_field(statement, 2, 12, b"X")
    bad = _with_field(bad, 3, 13, b"000000000000000")
    bad = _with_field(bad, 4, 106, b"00000000x3")
    bad = _with_field(bad, 5, 28, b"20261131")
    files["statement_bad_records.txt"] = bad
    # the debit of line 3 one fen more: the entries no longer add up to the header
    files["statement_sums_mismatch.txt"] = _with_field(statement, 3, 13, b"000000000123457")
    # the closing balance (at 126..144) one fen less: the header does not balance
    files["statement_unbalanced.txt"] = _with_field(statement, 1, 126, b"-000000000000012344")
    # cut 100 bytes into the fourth entry
    files["statement_truncated.txt"] = statement[: statement.index(b"\r\nD0000000004") + 102]
    return files


if __name__ == "__main__":
    TESTDATA.mkdir(parents=True, exist_ok=True)
    for file_name, content in golden_files().items():
        (TESTDATA / file_name).write_bytes(content)
        print(TESTDATA / file_name, len(content))
