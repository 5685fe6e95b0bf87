"""Helpers for the ISO 20022 format tests: the official schemas, a sample batch, shortcuts.

Every file a writer produces in these tests is validated against the official ISO 20022
schemas in ``<repo root>/../shared/iso20022/`` (see :func:`assert_valid` and
:func:`assert_valid_variant`).
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from bank_formats.iso20022 import Iso20022Format
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
SCHEMA_DIR = (REPO_ROOT / ".." / "shared" / "iso20022").resolve()
TESTDATA = REPO_ROOT / "tests" / "testdata" / "iso20022"
XSD_001 = "pain.001.001.09.xsd"
XSD_002 = "pain.002.001.10.xsd"
# the only pain.002.001.03 schema at hand is a restricted (German SEPA) variant of it
XSD_002_V03_DK = "pain.002.001.03.DK-SEPA-variant.xsd"
PAYMENTS = ("pain.001.001.09", "pain.001.001.03")
RESULTS = ("pain.002.001.10", "pain.002.001.03")
STATEMENTS = ("camt.053.001.08", "camt.053.001.02")

CST = timezone(timedelta(hours=8))

_schemas: dict[str, etree.XMLSchema] = {}


def official_schema(file_name: str) -> etree.XMLSchema:
    """The official schema, loaded once; fails the test run loudly when it is not there."""
    if file_name not in _schemas:
        path = SCHEMA_DIR / file_name
        if not path.is_file():
            pytest.fail(
                f"official ISO 20022 schema {path} is missing: the tests validate every file "
                f"they write against ../shared/iso20022/ next to the repository root",
                pytrace=False,
            )
        _schemas[file_name] = etree.XMLSchema(etree.parse(str(path)))
    return _schemas[file_name]


def assert_valid(data: bytes, file_name: str) -> None:
    """``data`` is valid against the official schema ``file_name`` (pytest shows the errors)."""
    schema = official_schema(file_name)
    doc = etree.parse(io.BytesIO(data))
    if not schema.validate(doc):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        pytest.fail(f"not valid against {file_name}:\n{errors}")


_DK_NS = "{urn:iso:std:iso:20022:tech:xsd:pain.002.001.03}"


def dk_sepa_projection(data: bytes) -> bytes:
    """A pain.002.001.03 file cut down to what the DK-SEPA variant of the schema allows.

    The variant (the only pain.002.001.03 schema at hand) is SEPA's restriction of ISO's v03:
    it has no NbOfTxsPerSts, no AddtlInf, no Rsn/Prtry, no AcctSvcrRef (ISO's v03 has it, in
    PaymentTransactionInformation25), only the RJCT status, IBAN accounts, EUR amounts of 0.01
    to 999999999.99 and ids (MsgId, OrgnlPmtInfId) of SEPA's restricted characters (the data of
    the tests that use it keep to those amounts and ids). A faithful ISO v03 status report has
    all of those, so it cannot be valid against the variant. This removes exactly those parts
    (the paid records, the per-status totals, the reason texts and proprietary codes, the
    bank's references, the creditor accounts), cuts names to SEPA's 70 characters and relabels
    CNY as EUR; everything that is left
    - the namespace, the root, the headers, the order and names of the elements of each record
    (the creditor's name among them) - is then validated.
    """
    doc = etree.fromstring(data)
    for path in (f"//{_DK_NS}NbOfTxsPerSts", f"//{_DK_NS}AddtlInf",
                 f"//{_DK_NS}StsRsnInf[{_DK_NS}Rsn/{_DK_NS}Prtry]", f"//{_DK_NS}AcctSvcrRef",
                 f"//{_DK_NS}OrgnlTxRef/{_DK_NS}CdtrAcct",
                 f"//{_DK_NS}TxInfAndSts[{_DK_NS}TxSts != 'RJCT']"):
        for el in doc.xpath(path.replace(_DK_NS, "p:"),
                            namespaces={"p": _DK_NS[1:-1]}):
            el.getparent().remove(el)
    for el in doc.iter(f"{_DK_NS}InstdAmt"):
        assert el.get("Ccy") == "CNY"
        el.set("Ccy", "EUR")
    for el in doc.iter(f"{_DK_NS}Nm"):  # SEPA's names are Max70Text, ISO's v03 Max140Text
        el.text = el.text[:70]
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8")


def assert_valid_variant(data: bytes, variant: str) -> None:
    """``data`` is valid against the official schema of ``variant`` (for pain.002.001.03: what
    of it the restricted DK-SEPA variant can check, see :func:`dk_sepa_projection`)."""
    if variant == "pain.002.001.03":
        assert etree.QName(etree.fromstring(data)).namespace == _DK_NS[1:-1]
        assert_valid(dk_sepa_projection(data), XSD_002_V03_DK)
    else:
        assert_valid(data, variant + ".xsd")


def write_payments(fmt: Iso20022Format, header: PaymentFileHeader, lines) -> bytes:
    out = io.BytesIO()
    written = fmt.write_payments(out, header, lines)
    data = out.getvalue()
    assert written.size == len(data)
    assert_valid_variant(data, fmt.payments.name)
    return data


def write_results(fmt: Iso20022Format, header: ResultFileHeader, records) -> bytes:
    out = io.BytesIO()
    written = fmt.write_results(out, header, records)
    data = out.getvalue()
    assert written.size == len(data)
    assert_valid_variant(data, fmt.results.name)
    return data


def write_statement(fmt: Iso20022Format, header: StatementHeader, entries) -> bytes:
    out = io.BytesIO()
    written = fmt.write_statement(out, header, entries)
    data = out.getvalue()
    assert written.size == len(data)
    assert_valid_variant(data, fmt.statements.name)
    return data


def read_payments(fmt: Iso20022Format, data: bytes, name: str = "payments.xml"):
    reader = fmt.read_payments(io.BytesIO(data), name)
    return reader.header, list(reader)


def read_results(fmt: Iso20022Format, data: bytes, name: str = "results.xml"):
    reader = fmt.read_results(io.BytesIO(data), name)
    return reader.header, list(reader)


def read_statement(fmt: Iso20022Format, data: bytes, name: str = "statement.xml"):
    reader = fmt.read_statement(io.BytesIO(data), name)
    return reader.header, list(reader)


# --- sample batch (the golden files are these, written by the writers) ----------------------

SAMPLE_LINES = (
    PaymentLine(
        seq=1,
        name="艾力·买买提",
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
        name="𠮷䶮",
        id_number="410102196001011234",
        account_no="41001234567890",
        amount_fen=99_999_999_999,
        account_kind=AccountKind.PASSBOOK,
        subsidy_item="农机购置补贴",
        remark="存折打印：2026年11月补贴 & 退耕还林",
    ),
    PaymentLine(
        seq=3,
        name="王 小明",
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
    bank_code="ICBC4101",
    count=3,
    total_fen=123456 + 99_999_999_999 + 1,
    purpose="耕地地力保护补贴 2026年11月",
)

SAMPLE_RECORDS = (
    ResultRecord(seq=1, outcome=PaymentOutcome.PAID, amount_fen=123456,
                 account_no="6222021234567890123"),
    ResultRecord(seq=2, outcome=PaymentOutcome.FAILED, amount_fen=99_999_999_999,
                 account_no="41001234567890", reason=FailureReason.ACCOUNT_NOT_FOUND,
                 bank_code="AC01", bank_text="账号不存在"),
    ResultRecord(seq=3, outcome=PaymentOutcome.FAILED, amount_fen=1,
                 account_no="6217000010001234567", reason=FailureReason.ACCOUNT_FROZEN,
                 bank_code="E0042", bank_text="账户已冻结（司法冻结）"),
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
    failed_fen=99_999_999_999 + 1,
)


def golden(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


# --- sample statement: the finance bureau funds the batch, two lines are paid, one payment
# comes back, the surplus is refunded ---------------------------------------------------------

SAMPLE_ENTRIES = (
    StatementEntry(seq=1, side=EntrySide.CREDIT, amount_fen=100_000_123_456,
                   booking_date=date(2026, 11, 5), reference="BK20261105000001",
                   batch_id="B2026110501", counterparty_name="某县财政局",
                   counterparty_account="410012345678901234567", remark="拨款：耕地地力保护补贴"),
    StatementEntry(seq=2, side=EntrySide.DEBIT, amount_fen=123456,
                   booking_date=date(2026, 11, 6), reference="BK20261106000001",
                   batch_id="B2026110501", line_seq=1, counterparty_name="艾力·买买提",
                   counterparty_account="6222021234567890123"),
    StatementEntry(seq=3, side=EntrySide.DEBIT, amount_fen=99_999_999_999,
                   booking_date=date(2026, 11, 6), reference="BK20261106000002",
                   batch_id="B2026110501", line_seq=2, counterparty_name="𠮷䶮",
                   counterparty_account="41001234567890", remark="存折 & <补贴>"),
    StatementEntry(seq=4, side=EntrySide.CREDIT, amount_fen=99_999_999_999,
                   booking_date=date(2026, 11, 7), reference="BK20261107000001",
                   batch_id="B2026110501", line_seq=2, remark="退回：账号不存在"),
    StatementEntry(seq=5, side=EntrySide.DEBIT, amount_fen=99_999_999_999 + 1,
                   booking_date=date(2026, 11, 8), reference="BK20261108000001",
                   batch_id="B2026110501", counterparty_name="某县财政局",
                   counterparty_account="410012345678901234567"),
    StatementEntry(seq=6, side=EntrySide.DEBIT, amount_fen=50,
                   booking_date=date(2026, 11, 8), reference="FEE-0001"),
)

SAMPLE_STATEMENT_HEADER = StatementHeader(
    statement_id="STMT-20261101-20261130",
    account="95588000111122223333",
    created_at=datetime(2026, 12, 1, 6, 0, 0, tzinfo=CST),
    from_date=date(2026, 11, 1),
    to_date=date(2026, 11, 30),
    opening_balance_fen=-10,
    closing_balance_fen=-10 + 100_000_123_456 + 99_999_999_999
    - (123456 + 99_999_999_999 + 99_999_999_999 + 1 + 50),
    count=6,
    credit_fen=100_000_123_456 + 99_999_999_999,
    debit_fen=123456 + 99_999_999_999 + 99_999_999_999 + 1 + 50,
)
