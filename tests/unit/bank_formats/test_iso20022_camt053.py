"""camt.053 statements: what the writer refuses, what the reader checks and how it says so."""
from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest

from bank_formats.base import FormatError, Problem
from bank_formats.iso20022 import Iso20022Format
from domain.model import EntrySide, StatementEntry
from tests.unit.bank_formats.iso20022_support import (
    SAMPLE_ENTRIES,
    SAMPLE_STATEMENT_HEADER,
    SCHEMA_DIR,
    STATEMENTS,
    read_statement,
    write_statement,
)

STMT = "/Document/BkToCstmrStmt/Stmt"
HEADER = SAMPLE_STATEMENT_HEADER


@pytest.fixture(scope="module", params=STATEMENTS)
def version(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def plain(version) -> Iso20022Format:
    return Iso20022Format(statements=version)


@pytest.fixture(scope="module")
def validating(version) -> Iso20022Format:
    return Iso20022Format(SCHEMA_DIR, statements=version)


@pytest.fixture(scope="module")
def sample(plain) -> bytes:
    return write_statement(plain, HEADER, SAMPLE_ENTRIES)


def problems_of(fmt: Iso20022Format, data: bytes) -> list[Problem]:
    with pytest.raises(FormatError) as info:
        read_statement(fmt, data, "stmt.xml")
    assert info.value.file == "stmt.xml"
    return info.value.problems


def write_problems(fmt: Iso20022Format, header, entries) -> list[Problem]:
    with pytest.raises(FormatError) as info:
        fmt.write_statement(io.BytesIO(), header, entries)
    return info.value.problems


# --- writer ---------------------------------------------------------------------------------

def test_layout_one_entry_per_line(sample):
    lines = sample.split(b"\n")
    assert lines[4].startswith(b"<Stmt><Id>STMT-20261101-20261130</Id>")
    assert lines[5].startswith(b"<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>"
                               b"<Amt Ccy=\"CNY\">0.10</Amt><CdtDbtInd>DBIT</CdtDbtInd>")
    assert lines[6].startswith(b"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>"
                               b"<Amt Ccy=\"CNY\">0.60</Amt><CdtDbtInd>DBIT</CdtDbtInd>")
    assert lines[7] == (b"<TxsSummry><TtlNtries><NbOfNtries>6</NbOfNtries>"
                        b"<Sum>4000002469.60</Sum></TtlNtries>"
                        b"<TtlCdtNtries><Sum>2000001234.55</Sum></TtlCdtNtries>"
                        b"<TtlDbtNtries><Sum>2000001235.05</Sum></TtlDbtNtries></TxsSummry>")
    assert [x.startswith(b"<Ntry>") for x in lines[8:15]] == [True] * 6 + [False]


def test_funding_and_payment_references(sample):
    assert (b"<Refs><PmtInfId>B2026110501</PmtInfId><EndToEndId>B2026110501</EndToEndId>"
            b"</Refs>") in sample
    assert (b"<Refs><PmtInfId>B2026110501</PmtInfId><InstrId>1</InstrId>"
            b"<EndToEndId>B2026110501-1</EndToEndId></Refs>") in sample
    last = sample.split(b"\n")[13]  # the fee: no batch, no party, no remark
    assert b"NtryDtls" not in last and b"<AcctSvcrRef>FEE-0001</AcctSvcrRef>" in last


def test_empty_statement_round_trips(plain, validating):
    header = dataclasses.replace(HEADER, count=0, credit_fen=0, debit_fen=0,
                                 opening_balance_fen=0, closing_balance_fen=0)
    data = write_statement(plain, header, [])
    for fmt in (plain, validating):
        assert read_statement(fmt, data) == (header, [])


def test_long_remark_is_cut_and_joined(plain, validating):
    entries = [dataclasses.replace(SAMPLE_ENTRIES[0], remark="拨" * 141 + "·" * 140)]
    header = dataclasses.replace(HEADER, count=1, credit_fen=entries[0].amount_fen, debit_fen=0,
                                 closing_balance_fen=HEADER.opening_balance_fen
                                 + entries[0].amount_fen)
    data = write_statement(plain, header, entries)
    assert data.count(b"<Ustrd>") == 3
    for fmt in (plain, validating):
        assert read_statement(fmt, data) == (header, entries)


def test_writer_checks_the_balance_and_the_totals(plain):
    header = dataclasses.replace(HEADER, closing_balance_fen=0, count=7, debit_fen=1)
    assert write_problems(plain, header, SAMPLE_ENTRIES) == [
        Problem("Stmt/Bal[CLBD]", "Amt",
                "closing balance 0 is not opening -10 + credit 200000123455 - debit 1 = "
                "200000123444 (fen)"),
        Problem("Stmt/TxsSummry/TtlNtries", "NbOfNtries", "header says 7 entries, 6 were given"),
        Problem("Stmt/TxsSummry/TtlDbtNtries", "Sum",
                "header says 0.01, the debit entries add up to 2000001235.05"),
    ]


def test_writer_collects_every_bad_entry(plain):
    bad = [
        dataclasses.replace(SAMPLE_ENTRIES[0], seq=2),
        dataclasses.replace(SAMPLE_ENTRIES[1], amount_fen=0, reference=""),
        dataclasses.replace(SAMPLE_ENTRIES[2], batch_id="", counterparty_account="x" * 35),
        dataclasses.replace(SAMPLE_ENTRIES[3], batch_id="B" * 34, side="IN"),
        dataclasses.replace(SAMPLE_ENTRIES[4], booking_date="2026-11-08", line_seq=0),
        dataclasses.replace(SAMPLE_ENTRIES[5], remark="bad\x00text"),
    ]
    assert write_problems(plain, HEADER, bad) == [
        Problem("Ntry[1]", "seq", "seq 2 is not the entry's position 1"),
        Problem("Ntry[2]", "Amt", "amount 0 is not an int number of fen in "
                                  "1..999999999999999999"),
        Problem("Ntry[2]", "AcctSvcrRef", "is empty"),
        Problem("Ntry[3]", "PmtInfId", "an entry with a line_seq needs its batch_id"),
        Problem("Ntry[3]", "Acct/Id", "is 35 characters long; at most 34 fit"),
        Problem("Ntry[4]", "CdtDbtInd", "unknown side 'IN'"),
        Problem("Ntry[4]", "EndToEndId", f"{'B' * 34}-2 is longer than 35 characters"),
        Problem("Ntry[5]", "BookgDt", "booking date '2026-11-08' is not a date"),
        Problem("Ntry[5]", "InstrId", "line_seq 0 is not a positive int"),
        Problem("Ntry[6]", "Ustrd", "cannot be written in XML: All strings must be XML "
                                    "compatible: Unicode or ASCII, no NULL bytes or control "
                                    "characters"),
        Problem("Stmt/TxsSummry/TtlCdtNtries", "Sum",
                "header says 2000001234.55, the credit entries add up to 1000001234.56"),
        # (the sums take every entry whose side and amount are good)
        Problem("Stmt/TxsSummry/TtlDbtNtries", "Sum",
                "header says 2000001235.05, the debit entries add up to 2000000000.49"),
    ]


def test_writer_checks_the_header(plain):
    header = dataclasses.replace(HEADER, statement_id="", account="9" * 35, currency="cny",
                                 from_date=date(2026, 12, 1), opening_balance_fen=1.5)
    assert write_problems(plain, header, SAMPLE_ENTRIES) == [
        Problem("Stmt", "Id", "is empty"),
        Problem("Stmt/Acct", "Id", "is 35 characters long; at most 34 fit"),
        Problem("Stmt/Acct", "Ccy", "currency 'cny' is not 3 capital letters"),
        Problem("Stmt/FrToDt", "ToDtTm",
                "the period ends (2026-11-30) before it starts (2026-12-01)"),
        Problem("Stmt/Bal[OPBD]", "Amt", "balance must be an int number of fen, got 1.5"),
    ]


# --- reader ---------------------------------------------------------------------------------

def test_reader_checks_that_the_balance_follows(plain, validating, sample):
    data = sample.replace(b'<Amt Ccy="CNY">0.60</Amt>', b'<Amt Ccy="CNY">0.70</Amt>')
    for fmt in (plain, validating):
        assert problems_of(fmt, data) == [
            Problem("line 7", "Amt", "closing balance -0.70 is not opening -0.10 + credit "
                                     "2000001234.55 - debit 2000001235.05 = -0.60"),
        ]


def test_reader_checks_that_the_entries_add_up(plain, validating, sample):
    lines = sample.split(b"\n")
    del lines[13]  # the fee of 0.50
    lines[9] = lines[9].replace(b"1234.56", b"1234.55")
    data = b"\n".join(lines)
    for fmt in (plain, validating):
        assert problems_of(fmt, data) == [
            Problem(f"{STMT}/TxsSummry/TtlNtries/NbOfNtries", "NbOfNtries",
                    "summary says 6 entries, the statement has 5"),
            Problem(f"{STMT}/TxsSummry/TtlDbtNtries/Sum", "Sum",
                    "summary says 2000001235.05, the debit entries add up to 2000001234.54"),
        ]


def test_reader_collects_every_entry_problem(plain, sample, version):
    lines = sample.split(b"\n")
    lines[8] = lines[8].replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd>CR</CdtDbtInd>")
    # (a status that is neither booked nor in progress: PDNG is skipped, see test_iso20022_camt053_pending)
    lines[9] = lines[9].replace(b'Ccy="CNY"', b'Ccy="USD"').replace(b"BOOK", b"BOKD")
    lines[10] = lines[10].replace(b"<EndToEndId>B2026110501-2<", b"<EndToEndId>B2026110501-3<")
    lines[11] = (lines[11].replace(b"<AcctSvcrRef>BK20261107000001</AcctSvcrRef>", b"")
                 .replace(b"<BookgDt><Dt>2026-11-07</Dt>", b"<BookgDt><Dt>2026-11-31</Dt>"))
    lines[12] = lines[12].replace(b"<InstrId>", b"<InstrId>0")  # (no InstrId there: unchanged)
    lines[13] = lines[13].replace(b"0.50</Amt>", b"0.00</Amt>")
    assert problems_of(plain, b"\n".join(lines)) == [
        Problem("line 9", "CdtDbtInd", "'CR' is not CRDT or DBIT"),
        Problem("line 10", "Amt", "currency 'USD' is not the statement's CNY"),
        Problem("line 10", "Sts", "status 'BOKD' is not BOOK (booked) nor a status of an entry in progress "
                                  "(FUTR, INFO, PDNG)"),
        Problem("line 11", "EndToEndId", "'B2026110501-3' does not match B2026110501-2"),
        Problem("line 12", "BookgDt", "'2026-11-31' is not a valid date"),
        Problem("line 12", "AcctSvcrRef", "AcctSvcrRef (the bank's reference) is missing"),
        Problem("line 14", "Amt", "an entry's amount must be more than 0"),
    ]


def test_schema_problems_come_with_their_line_and_the_readers_own_win(validating, sample):
    lines = sample.split(b"\n")
    lines[9] = lines[9].replace(b"1234.56</Amt>", b"1234.567</Amt>")
    lines[10] = lines[10].replace(b"<AcctSvcrRef>BK20261106000002<", b"<AcctSvcrRef>" + b"R" * 36
                                  + b"<")
    problems = problems_of(validating, b"\n".join(lines))
    assert problems[0] == Problem(
        "line 10", "Amt", "'1234.567' is not an amount (digits, at most 2 decimals, no sign)")
    assert problems[1].where == "line 11" and problems[1].field == "AcctSvcrRef"
    assert problems[1].message.startswith("Element 'AcctSvcrRef': [facet 'maxLength'] The "
                                          "value has a length of '36'")
    # the sums are not checked when an entry could not be read: they would say the same again
    assert problems[2:] == []


def test_a_statement_without_summary_cannot_be_checked(plain, sample):
    start = sample.index(b"<TxsSummry>")
    data = sample[:start] + sample[sample.index(b"</TxsSummry>") + 13:]
    assert problems_of(plain, data) == [
        Problem("line 5", "TxsSummry", "TxsSummry is missing: the entries cannot be checked")]


def test_one_statement_per_file(plain, sample):
    lines = sample.split(b"\n")
    data = b"\n".join(lines[:14] + [b"</Stmt>" + lines[4]] + lines[5:8] + lines[14:])
    assert problems_of(plain, data) == [
        Problem("line 15", "Stmt", "more than one Stmt: one file must hold one statement")]


V08_FROM_A_BANK = """<?xml version="1.0" encoding="utf-8"?>
<!-- another bank's layout: prefixes, indentation, elements this reader does not need -->
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <c:BkToCstmrStmt>
    <c:GrpHdr><c:MsgId>M1</c:MsgId><c:CreDtTm>2026-12-01T06:00:00+08:00</c:CreDtTm></c:GrpHdr>
    <c:Stmt>
      <c:Id>S1</c:Id>
      <c:FrToDt><c:FrDtTm>2026-11-01T00:00:00+08:00</c:FrDtTm>
                <c:ToDtTm>2026-12-01T00:00:00+08:00</c:ToDtTm></c:FrToDt>
      <c:Acct><c:Id><c:Othr><c:Id>95588</c:Id></c:Othr></c:Id><c:Nm>专户</c:Nm></c:Acct>
      <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>CLAV</c:Cd></c:CdOrPrtry></c:Tp>
        <c:Amt Ccy="CNY">1.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2026-11-30</c:Dt></c:Dt></c:Bal>
      <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>OPBD</c:Cd></c:CdOrPrtry></c:Tp>
        <c:Amt Ccy="CNY">0</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2026-11-01</c:Dt></c:Dt></c:Bal>
      <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>CLBD</c:Cd></c:CdOrPrtry></c:Tp>
        <c:Amt Ccy="CNY">1.0</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2026-11-30</c:Dt></c:Dt></c:Bal>
      <c:TxsSummry>
        <c:TtlCdtNtries><c:NbOfNtries>1</c:NbOfNtries><c:Sum>3</c:Sum></c:TtlCdtNtries>
        <c:TtlDbtNtries><c:NbOfNtries>1</c:NbOfNtries><c:Sum>2.00</c:Sum></c:TtlDbtNtries>
      </c:TxsSummry>
      <c:Ntry>
        <c:NtryRef>1</c:NtryRef><c:Amt Ccy="CNY">3.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd>
        <c:Sts><c:Cd>BOOK</c:Cd></c:Sts><c:BookgDt><c:DtTm>2026-11-02T10:00:00+08:00</c:DtTm></c:BookgDt>
        <c:AcctSvcrRef>X1</c:AcctSvcrRef>
        <c:BkTxCd><c:Prtry><c:Cd>A</c:Cd></c:Prtry></c:BkTxCd>
        <c:NtryDtls><c:TxDtls>
          <c:Refs><c:EndToEndId>B-2026-7</c:EndToEndId></c:Refs>
          <c:RltdPties><c:Dbtr><c:Pty><c:Nm>张·三</c:Nm></c:Pty></c:Dbtr></c:RltdPties>
          <c:RmtInf><c:Ustrd>退</c:Ustrd><c:Ustrd>回</c:Ustrd></c:RmtInf>
        </c:TxDtls></c:NtryDtls>
      </c:Ntry>
      <c:Ntry>
        <c:Amt Ccy="CNY">2.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd>
        <c:Sts><c:Cd>BOOK</c:Cd></c:Sts><c:BookgDt><c:Dt>2026-11-03</c:Dt></c:BookgDt>
        <c:AcctSvcrRef>X2</c:AcctSvcrRef>
        <c:BkTxCd><c:Prtry><c:Cd>A</c:Cd></c:Prtry></c:BkTxCd>
        <c:NtryDtls><c:TxDtls><c:Refs><c:EndToEndId>B9</c:EndToEndId></c:Refs></c:TxDtls></c:NtryDtls>
      </c:Ntry>
    </c:Stmt>
  </c:BkToCstmrStmt>
</c:Document>
""".encode()


def test_reads_another_banks_layout():
    for fmt in (Iso20022Format(), Iso20022Format(SCHEMA_DIR)):
        header, entries = read_statement(fmt, V08_FROM_A_BANK)
        assert (header.statement_id, header.account, header.created_at.isoformat(),
                header.from_date, header.to_date, header.opening_balance_fen,
                header.closing_balance_fen, header.count, header.credit_fen, header.debit_fen,
                header.currency) == (
            "S1", "95588", "2026-12-01T06:00:00+08:00", date(2026, 11, 1), date(2026, 12, 1),
            0, 100, 2, 300, 200, "CNY")
        assert entries == [
            StatementEntry(1, EntrySide.CREDIT, 300, date(2026, 11, 2), "X1", "B-2026", 7,
                           "张·三", "", "退回"),
            StatementEntry(2, EntrySide.DEBIT, 200, date(2026, 11, 3), "X2", "B9"),
        ]


def test_side_counts_of_a_banks_summary_are_checked():
    data = V08_FROM_A_BANK.replace(b"<c:NbOfNtries>1</c:NbOfNtries><c:Sum>2.00",
                                   b"<c:NbOfNtries>2</c:NbOfNtries><c:Sum>2.00")
    # (a bank's own layout: read by the tolerant reader, issue 15, which names the summary's
    # line and the figure that differs; the total it derives from the sides is not repeated)
    assert problems_of(Iso20022Format(), data) == [
        Problem("line 17", "TxsSummry",
                "statement S1: debit count: the summary says 2, the entries add up to 1"),
    ]


def test_missing_balances_and_period_are_header_problems(plain, sample):
    lines = sample.split(b"\n")
    lines[4] = lines[4][: lines[4].index(b"<FrToDt>")] + lines[4][lines[4].index(b"<Acct>"):]
    del lines[5]
    with pytest.raises(FormatError) as info:
        plain.read_statement(io.BytesIO(b"\n".join(lines)), "stmt.xml")
    assert info.value.problems == [
        Problem("line 5", "FrToDt", "Stmt/FrToDt is missing"),
        Problem("line 5", "Bal", "the OPBD balance is missing"),
    ]


@pytest.mark.parametrize("other", STATEMENTS)
def test_a_statement_in_a_payment_or_result_reader_is_refused(sample, other):
    fmt = Iso20022Format()
    for read in (fmt.read_payments, fmt.read_results):
        with pytest.raises(FormatError) as info:
            list(read(io.BytesIO(sample), "x.xml"))
        assert info.value.problems[0].field == "Document"
