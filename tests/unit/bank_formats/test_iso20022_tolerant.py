"""The tolerant readers on files that answer our own payment file in CNY, as banks write them
(issue 15 item 1): other versions and variants, no namespace, ISO-8859-1, optional elements
left out, group and payment statuses, statuses still in progress, several statements, batch
bookings. Expected records are written by hand from the files below."""
from __future__ import annotations

import io
from datetime import date

import pytest

from bank_formats.base import FormatError
from bank_formats.iso20022 import Iso20022Format
from domain.model import EntrySide, FailureReason, PaymentOutcome, ResultRecord, StatementEntry

PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED
ISO = "urn:iso:std:iso:20022:tech:xsd:"
SIX = "http://www.six-interbank-clearing.com/de/pain.002.001.03.ch.02.xsd"


def pain002(namespace: str | None, txs: str, grp: str = "", pmt: str = "", encoding: str = "UTF-8") -> bytes:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    text = f"""<?xml version="1.0" encoding="{encoding}"?>
<Document{xmlns}>
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>RES-1</MsgId><CreDtTm>2026-11-06</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>PAY-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>{grp}
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>{pmt}
{txs}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""
    return text.encode("latin-1" if encoding == "ISO-8859-1" else "utf-8")


def tx(seq: int, status: str = "", amount: str = "1.00", extra: str = "") -> str:
    sts = f"<TxSts>{status}</TxSts>" if status else ""
    return (f"      <TxInfAndSts><OrgnlEndToEndId>B1-{seq}</OrgnlEndToEndId>{sts}{extra}"
            f'<OrgnlTxRef><Amt><InstdAmt Ccy="CNY">{amount}</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>')


def read_results(data: bytes, fmt: Iso20022Format | None = None):
    reader = (fmt or Iso20022Format()).read_results(io.BytesIO(data), "r.xml")
    return reader, list(reader)


TXS = "\n".join([tx(1, "ACSC", "18.150"),
                 tx(2, "RJCT", "2", "<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>closed</AddtlInf></StsRsnInf>"),
                 tx(3, "ACCC", "3.5")])
EXPECTED = [ResultRecord(1, PAID, 1815), ResultRecord(2, FAILED, 200, "", FailureReason.ACCOUNT_CLOSED, "AC04",
                                                      "closed"), ResultRecord(3, PAID, 350)]


@pytest.mark.parametrize("namespace", [ISO + "pain.002.001.03", ISO + "pain.002.001.10", ISO + "pain.002.001.11",
                                       ISO + "pain.002.001.12", SIX, None])
def test_every_version_variant_and_no_namespace_read_alike(namespace):
    data = pain002(namespace, TXS)
    assert Iso20022Format().detect(data) == "results"
    for fmt in (Iso20022Format(), Iso20022Format(results="pain.002.001.03")):
        reader, records = read_results(data, fmt)
        assert records == EXPECTED
        assert reader.skipped == []
        assert (reader.header.file_id, reader.header.original_file_id, reader.header.batch_id,
                reader.header.created_at.isoformat()) == ("RES-1", "PAY-1", "B1", "2026-11-06T00:00:00")


def test_iso_8859_1_is_read_as_declared():
    data = pain002(ISO + "pain.002.001.03", tx(4, "RJCT", "1", "<StsRsnInf><AddtlInf>Konto geschlossen: "
                                                                  "Müller</AddtlInf></StsRsnInf>"),
                   encoding="ISO-8859-1")
    assert "ü".encode("latin-1") in data and "ü".encode() not in data
    _, records = read_results(data)
    assert [(r.seq, r.outcome, r.bank_text) for r in records] == [(4, FAILED, "Konto geschlossen: Müller")]


@pytest.mark.parametrize("encoding", ["GBK", "GB18030"])
def test_a_chinese_encoding_is_read_as_declared(encoding):
    text = pain002(ISO + "pain.002.001.03", tx(5, "RJCT", "1", "<StsRsnInf><AddtlInf>账户已冻结（司法冻结）"
                                                                 "</AddtlInf></StsRsnInf>")).decode()
    data = text.replace('encoding="UTF-8"', f'encoding="{encoding}"').encode(encoding)
    assert "账户".encode(encoding) in data and "账户".encode() not in data
    _, records = read_results(data)
    assert [(r.seq, r.bank_text) for r in records] == [(5, "账户已冻结（司法冻结）")]


@pytest.mark.parametrize("encoding", ["x-unknown", "UTF-16", "cp500"])
def test_an_encoding_that_is_not_read_is_refused_on_line_1(encoding):
    data = pain002(ISO + "pain.002.001.03", TXS).replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode())
    with pytest.raises(FormatError) as info:
        read_results(data)
    assert [(p.where, p.field) for p in info.value.problems] == [("line 1", "encoding")]


def test_group_and_payment_statuses_apply_to_the_transactions_without_their_own():
    rejected = pain002(ISO + "pain.002.001.10", "\n".join([tx(1), tx(2), tx(3, "ACSC")]),
                       grp="<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf>")
    _, records = read_results(rejected)
    assert [(r.seq, r.outcome, r.bank_code) for r in records] == [(1, FAILED, "AC01"), (2, FAILED, "AC01"),
                                                                  (3, PAID, "")]
    paid = pain002(ISO + "pain.002.001.10", "\n".join([tx(1), tx(2, "RJCT")]), grp="<GrpSts>PART</GrpSts>",
                   pmt="<PmtInfSts>ACSC</PmtInfSts>")
    _, records = read_results(paid)
    assert [(r.seq, r.outcome) for r in records] == [(1, PAID), (2, FAILED)]


def test_statuses_in_progress_are_skipped_not_booked_and_not_refused():
    data = pain002(ISO + "pain.002.001.11", "\n".join([tx(1, "ACSP", "5"), tx(2, "PDNG", "6"), tx(3, "ACSC", "7"),
                                                       tx(4, "RCVC", "8"), tx(5, "ACTC", "9")]))
    reader, records = read_results(data)
    assert records == [ResultRecord(3, PAID, 700)]
    assert [(s.where, s.reason, s.amount_fen) for s in reader.skipped] == [
        ("line 8", "NOT_FINAL", 500), ("line 9", "NOT_FINAL", 600), ("line 11", "NOT_FINAL", 800),
        ("line 12", "NOT_FINAL", 900)]  # (line 7 opens OrgnlPmtInfAndSts, one TxInfAndSts a line after it)


def test_a_whole_file_accepted_with_no_transaction_listed_is_in_progress():
    data = pain002(SIX, "", grp="<GrpSts>ACCP</GrpSts>")
    data = data.replace(b"<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>\n\n    </OrgnlPmtInfAndSts>", b"")
    reader, records = read_results(data)
    assert records == []
    assert [(s.reason, s.detail) for s in reader.skipped] == [
        ("NOT_FINAL", "status ACCP for the whole file, no transaction listed")]


def test_a_final_status_for_the_whole_file_is_handed_to_the_service():
    # no transaction listed: the reader cannot name the lines, the service books each line the
    # payment file instructed (tests/integration/statements/test_group_status_results.py)
    data = pain002(SIX, "", grp="<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn>"
                                "<AddtlInf>no funds</AddtlInf></StsRsnInf>")
    data = data.replace(b"<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>\n\n    </OrgnlPmtInfAndSts>", b"")
    data = data.replace(b"<OrgnlMsgId>PAY-1<", b"<OrgnlMsgId>B2026-7P2<")
    reader, records = read_results(data)
    assert records == [] and reader.skipped == []
    assert reader.header.batch_id == "B2026-7"
    assert reader.whole_file[:4] == (FAILED, "AM04", "AM04", "no funds")


def test_a_status_record_in_supplementary_data_is_not_read():
    hidden = ("<SplmtryData><Envlp><TxInfAndSts><OrgnlEndToEndId>B1-9</OrgnlEndToEndId><TxSts>ACSC</TxSts>"
              "</TxInfAndSts></Envlp></SplmtryData>")
    data = pain002(ISO + "pain.002.001.10", TXS).replace(b"</CstmrPmtStsRpt>", hidden.encode() + b"</CstmrPmtStsRpt>")
    _, records = read_results(data)
    assert records == EXPECTED


def test_foreign_currency_and_unknown_references_are_skipped():
    data = pain002(ISO + "pain.002.001.10", "\n".join([
        tx(1, "ACSC").replace('Ccy="CNY"', 'Ccy="EUR"'),
        tx(2, "ACSC").replace("<OrgnlEndToEndId>B1-2<", "<OrgnlEndToEndId>NOTPROVIDED<")]))
    reader, records = read_results(data)
    assert records == []
    assert [(s.reason, s.amount_fen) for s in reader.skipped] == [("FOREIGN_CURRENCY", None),
                                                                  ("NO_LINE_REFERENCE", 100)]


def camt053(version: str, statements: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ISO}camt.053.001.{version}"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-01T06:00:00+08:00</CreDtTm></GrpHdr>
{statements}
</BkToCstmrStmt></Document>""".encode()


def stmt(ident: str, account: str, opening: tuple[str, str], closing: str, entries: str) -> str:
    code, amount = opening
    return (f"<Stmt><Id>{ident}</Id><Acct><Id><IBAN>{account}</IBAN></Id><Ccy>CNY</Ccy></Acct>"
            f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">{amount}</Amt>'
            f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><DtTm>2026-11-01T00:00:00</DtTm></Dt></Bal>"
            f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">{closing}</Amt>'
            f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>\n{entries}</Stmt>")


def ntry(amount: str, side: str, refs: str, status: str = "<Sts><Cd>BOOK</Cd></Sts>", details: str = "") -> str:
    return (f'<Ntry><Amt Ccy="CNY">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd>{status}'
            f"<BookgDt><DtTm>2026-11-03T10:00:00+08:00</DtTm></BookgDt><AcctSvcrRef>R{amount}</AcctSvcrRef>"
            f"<NtryDtls>{details}<TxDtls><Refs>{refs}</Refs></TxDtls></NtryDtls></Ntry>\n")


def test_camt053_v10_several_statements_prcd_no_summary_batch_booking():
    first = stmt("S1", "CN001", ("PRCD", "100.000"), "95.00",
                 ntry("5.00", "DBIT", "<PmtInfId>B1</PmtInfId><InstrId>7</InstrId><EndToEndId>B1-7</EndToEndId>")
                 + ntry("9.99", "DBIT", "<EndToEndId>X</EndToEndId>", status="<Sts><Cd>PDNG</Cd></Sts>"))
    second = stmt("S2", "CN001", ("OPBD", "95"), "85.00",
                  ntry("10.00", "DBIT", "<EndToEndId>B2-1</EndToEndId>",
                       details="<Btch><MsgId>PAY-2</MsgId><PmtInfId>B2</PmtInfId><NbOfTxs>2</NbOfTxs></Btch>")
                  .replace("<TxDtls><Refs><EndToEndId>B2-1</EndToEndId></Refs></TxDtls>", ""))
    other = stmt("S3", "CN999", ("OPBD", "0"), "1.00", ntry("1.00", "CRDT", "<EndToEndId>B3</EndToEndId>"))
    data = camt053("10", first + second + other)
    fmt = Iso20022Format()
    assert fmt.detect(data) == "statement"
    reader = fmt.read_statement(io.BytesIO(data), "s.xml")
    entries = list(reader)
    day = date(2026, 11, 3)
    assert entries == [StatementEntry(1, EntrySide.DEBIT, 500, day, "R5.00", "B1", 7),
                       StatementEntry(2, EntrySide.DEBIT, 1000, day, "R10.00", "B2", None)]
    assert [(s.reason, s.amount_fen) for s in reader.skipped] == [("NOT_FINAL", 999), ("OTHER_ACCOUNT", 100)]
    h = reader.header
    assert (h.statement_id, h.account, h.from_date, h.to_date, h.opening_balance_fen, h.closing_balance_fen,
            h.count, h.credit_fen, h.debit_fen, h.currency) == (
        "S1", "CN001", date(2026, 11, 1), date(2026, 11, 30), 10000, 8500, 2, 0, 1500, "CNY")


def test_a_statement_that_does_not_add_up_is_refused_where_it_is():
    data = camt053("04", stmt("S1", "CN001", ("OPBD", "100"), "96.00", ntry("5.00", "DBIT", "<EndToEndId>B1</EndToEndId>")))
    with pytest.raises(FormatError) as info:
        list(Iso20022Format().read_statement(io.BytesIO(data), "s.xml"))
    assert [(p.where, p.field, p.message) for p in info.value.problems] == [
        ("line 4", "Bal", "statement S1: opening 10000 + booked credits - debits -500 is not the closing "
                          "balance 9600 (fen)")]
