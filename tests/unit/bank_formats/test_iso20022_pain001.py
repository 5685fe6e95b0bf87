"""pain.001.001.09: the payment file writer and reader."""
from __future__ import annotations

import dataclasses
import io

import pytest
from lxml import etree

from bank_formats import get
from bank_formats.base import FormatError, Problem
from bank_formats.iso20022 import Iso20022Format
from domain.model import AccountKind, PaymentLine
from tests.unit.bank_formats.iso20022_support import (
    SAMPLE_HEADER,
    SAMPLE_LINES,
    golden,
    read_payments,
    write_payments,
)

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


def header_for(lines, **changes):
    lines = list(lines)
    values = {"count": len(lines), "total_fen": sum(x.amount_fen for x in lines), **changes}
    return dataclasses.replace(SAMPLE_HEADER, **values)


def line(seq, **changes):
    base = PaymentLine(seq=seq, name=f"张三{seq}", id_number=f"11010119900101{seq:04d}",
                       account_no=f"6222{seq:015d}", amount_fen=100 * seq)
    return dataclasses.replace(base, **changes)


def write_problems(fmt, header, lines) -> list[Problem]:
    with pytest.raises(FormatError) as info:
        fmt.write_payments(io.BytesIO(), header, lines)
    return info.value.problems


def test_registry_builds_the_format(schema_dir):
    fmt = get("iso20022", schema_dir=schema_dir)
    assert isinstance(fmt, Iso20022Format)
    assert (fmt.name, fmt.file_suffix) == ("iso20022", ".xml")


def test_round_trip_every_field(any_fmt):
    data = write_payments(any_fmt, SAMPLE_HEADER, SAMPLE_LINES)
    header, lines = read_payments(any_fmt, data)
    assert header == SAMPLE_HEADER
    assert lines == list(SAMPLE_LINES)


def test_writer_takes_a_generator_and_reports_what_it_wrote(fmt):
    lines = [line(i) for i in range(1, 101)]
    header = header_for(lines)
    out = io.BytesIO()
    written = fmt.write_payments(out, header, (x for x in lines))
    assert (written.count, written.total_fen, written.size) == (100, header.total_fen,
                                                                len(out.getvalue()))
    assert read_payments(fmt, out.getvalue())[1] == lines


def test_output_is_streamed_one_transaction_per_line_with_one_namespace(fmt):
    data = write_payments(fmt, header_for(SAMPLE_LINES), SAMPLE_LINES)
    text = data.decode("utf-8")
    assert text.count("xmlns") == 1
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<Document xmlns=\"" + NS)
    tx_lines = [x for x in text.splitlines() if x.startswith("<CdtTrfTxInf>")]
    assert len(tx_lines) == 3 and all(x.endswith("</CdtTrfTxInf>") for x in tx_lines)


def test_long_address_and_remark_are_cut_and_joined(any_fmt):
    lines = [line(1, address="村" * 490, remark="备注" * 200, phone="(010)-12345678",
                  bank_name="银" * 140, subsidy_item="项" * 35, household_no="H" * 35)]
    data = write_payments(any_fmt, header_for(lines), lines)
    assert data.count(b"<AdrLine>") == 7
    assert read_payments(any_fmt, data)[1] == lines


def test_characters_that_need_escaping_round_trip(any_fmt):
    lines = [line(1, name="A&B <王> \"'", remark="a\r\nb\tc ]]> &amp;", address=" 前后空格 ")]
    data = write_payments(any_fmt, header_for(lines), lines)
    assert read_payments(any_fmt, data)[1] == lines


def test_control_totals_must_match(fmt):
    lines = [line(1), line(2)]
    assert write_problems(fmt, header_for(lines, count=3), lines) == [
        Problem("GrpHdr", "NbOfTxs", "header says 3 lines, 2 were given")
    ]
    assert write_problems(fmt, header_for(lines, total_fen=301), lines) == [
        Problem("GrpHdr", "CtrlSum", "header says 3.01, the lines add up to 3.00")
    ]


def test_writer_collects_every_bad_value(fmt):
    lines = [
        line(1, name=""),
        line(2, amount_fen=-5),
        line(3, phone="138-abc"),
        line(4, name="名" * 141, account_no="1" * 35),
        line(5, account_kind="DEBIT"),
        line(6, remark="bad \x01 char"),
        line(7, amount_fen=1.5),
        line(0),
    ]
    header = dataclasses.replace(SAMPLE_HEADER, count=8, total_fen=0)
    problems = write_problems(fmt, header, lines)
    assert problems[:-1] == [
        Problem("CdtTrfTxInf[1]", "Cdtr/Nm", "is empty"),
        Problem("CdtTrfTxInf[2]", "InstdAmt",
                "amount must be an int number of fen in 0..999999999999999999, got -5"),
        Problem("CdtTrfTxInf[3]", "MobNb", "phone '138-abc' may hold only digits and ()+-"),
        Problem("CdtTrfTxInf[4]", "Cdtr/Nm", "is 141 characters long; at most 140 fit"),
        Problem("CdtTrfTxInf[4]", "CdtrAcct/Id", "is 35 characters long; at most 34 fit"),
        Problem("CdtTrfTxInf[5]", "CdtrAcct/Tp", "unknown account kind 'DEBIT'"),
        Problem("CdtTrfTxInf[6]", "RmtInf/Ustrd",
                "cannot be written in XML: All strings must be XML compatible: Unicode or "
                "ASCII, no NULL bytes or control characters"),
        Problem("CdtTrfTxInf[7]", "InstdAmt",
                "amount must be an int number of fen in 0..999999999999999999, got 1.5"),
        Problem("CdtTrfTxInf[8]", "InstrId", "seq 0 is not a positive integer"),
    ]
    assert problems[-1].field == "CtrlSum"  # and the totals do not match either


def test_writer_checks_the_header(fmt):
    header = dataclasses.replace(SAMPLE_HEADER, file_id="F" * 36, payer_name="",
                                 purpose="用" * 141, requested_date="2026-11-06")
    assert write_problems(fmt, header, SAMPLE_LINES) == [
        Problem("GrpHdr", "MsgId", "is 36 characters long; at most 35 fit"),
        Problem("PmtInf/Dbtr", "Nm", "is empty"),
        Problem("PmtInf", "InstrForDbtrAgt", "is 141 characters long; at most 140 fit"),
        Problem("PmtInf/ReqdExctnDt", "Dt", "'str' object has no attribute 'isoformat'"),
    ]


def test_end_to_end_id_must_fit(fmt):
    batch = "B" * 33  # "-1" fits, "-10" does not
    lines = [line(1), line(10)]
    problems = write_problems(fmt, header_for(lines, batch_id=batch), lines)
    assert problems == [
        Problem("CdtTrfTxInf[2]", "EndToEndId", f"{batch}-10 is longer than 35 characters")
    ]


def test_empty_payment_is_refused(fmt):
    header = dataclasses.replace(SAMPLE_HEADER, count=0, total_fen=0)
    assert write_problems(fmt, header, []) == [
        Problem("PmtInf", "CdtTrfTxInf", "a payment file needs at least one line")
    ]


# --- reading files the writer did not write --------------------------------------------------


def test_reads_pretty_printed_and_prefixed_files(any_fmt):
    tree = etree.parse(io.BytesIO(golden("pain001_valid.xml")))
    etree.indent(tree)
    pretty = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    assert read_payments(any_fmt, pretty) == (SAMPLE_HEADER, list(SAMPLE_LINES))
    prefixed = golden("pain001_valid.xml").decode()
    prefixed = prefixed.replace(f'<Document xmlns="{NS}">', f'<p:Document xmlns:p="{NS}">')
    prefixed = prefixed.replace("</", "</p:").replace("<", "<p:").replace("<p:/p:", "</p:")
    prefixed = prefixed.replace("<p:?xml", "<?xml").replace("<p:p:Document", "<p:Document")
    assert read_payments(any_fmt, prefixed.encode()) == (SAMPLE_HEADER, list(SAMPLE_LINES))


def test_reads_other_layouts_of_the_same_data(fmt):
    text = golden("pain001_valid.xml").decode()
    nidn = ("<Othr><Id>65010219900101123X</Id><SchmeNm><Cd>NIDN</Cd></SchmeNm></Othr>")
    household = ("<Othr><Id>H650102-0001</Id><SchmeNm><Prtry>HOUSEHOLD</Prtry></SchmeNm></Othr>")
    text = text.replace(nidn + household, household + nidn)  # another order of PrvtId/Othr
    text = text.replace("<Tp><Prtry>CARD</Prtry></Tp>", "")  # no account type: a card
    text = text.replace("<MobNb>+86-13800138000</MobNb>", "<MobNb>+86-13800138000</MobNb>"
                        "<EmailAdr>a@b.cn</EmailAdr>")  # something we do not read
    assert read_payments(fmt, text.encode()) == (SAMPLE_HEADER, list(SAMPLE_LINES))


def _read_problems(fmt, data: bytes) -> list[Problem]:
    with pytest.raises(FormatError) as info:
        read_payments(fmt, data)
    return info.value.problems


def _tx(text: str, n: int) -> str:
    return [x for x in text.splitlines() if x.startswith("<CdtTrfTxInf>")][n - 1]


def test_reader_collects_field_problems_of_every_transaction(fmt):
    text = golden("pain001_valid.xml").decode()
    tx1, tx2, tx3 = _tx(text, 1), _tx(text, 2), _tx(text, 3)
    text = text.replace(tx1, tx1.replace("<InstrId>1</InstrId>", "<InstrId>one</InstrId>"))
    text = text.replace(tx2, tx2.replace("<Nm>𠮷䶮</Nm>", "").replace("PASSBOOK", "CHEQUE"))
    text = text.replace(tx3, tx3.replace('Ccy="CNY"', 'Ccy="USD"')
                        .replace("B2026110501-3", "B2026110501-4"))
    assert _read_problems(fmt, text.encode()) == [
        Problem("line 7", "InstrId", "'one' is not a line number (a positive integer)"),
        Problem("line 8", "Nm", "Cdtr/Nm is missing"),
        Problem("line 8", "Prtry", "unknown account kind 'CHEQUE' in CdtrAcct/Tp/Prtry"),
        Problem("line 9", "EndToEndId", "'B2026110501-4' does not match B2026110501-3"),
        Problem("line 9", "InstdAmt", "currency 'USD' is not CNY"),
    ]


def test_reader_reports_header_problems(fmt):
    text = golden("pain001_valid.xml").decode()
    text = text.replace("<MsgId>PAY-20261105-0001</MsgId>", "")
    text = text.replace("<Dt>2026-11-06</Dt>", "<Dt>2026-11-31</Dt>")
    text = text.replace("<NbOfTxs>3</NbOfTxs><CtrlSum>1000001234.56</CtrlSum><ReqdExctnDt>",
                        "<NbOfTxs>4</NbOfTxs><CtrlSum>1000001234.56</CtrlSum><ReqdExctnDt>")
    with pytest.raises(FormatError) as info:
        fmt.read_payments(io.BytesIO(text.encode()), "p.xml")  # before any line is read
    assert info.value.problems == [
        Problem("line 4", "MsgId", "GrpHdr/MsgId is missing"),
        Problem("line 6", "NbOfTxs", "PmtInf says 4 transactions, GrpHdr says 3"),
        Problem("line 6", "ReqdExctnDt", "'2026-11-31' is not a valid date"),
    ]


def test_reader_checks_count_and_sum(fmt):
    text = golden("pain001_valid.xml").decode()
    text = text.replace(_tx(text, 3) + "\n", "")
    assert _read_problems(fmt, text.encode()) == [
        Problem("/Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs", "NbOfTxs",
                "header says 3 transactions, the file has 2"),
    ]
    text = golden("pain001_valid.xml").decode().replace(">0.01<", ">0.02<")
    assert _read_problems(fmt, text.encode()) == [
        Problem("/Document/CstmrCdtTrfInitn/GrpHdr/CtrlSum", "CtrlSum",
                "header says 1000001234.56, the transactions add up to 1000001234.57"),
    ]


def test_schema_errors_come_with_their_line(vfmt, fmt):
    text = golden("pain001_valid.xml").decode()
    tx2 = _tx(text, 2)
    bad = tx2.replace("<Purp><Prtry>农机购置补贴</Prtry></Purp>", "<Purp><Prtry>" + "长" * 36
                      + "</Prtry></Purp>")
    text = text.replace(tx2, bad).replace("<PmtMtd>TRF</PmtMtd>", "<PmtMtd>XXX</PmtMtd>")
    data = text.encode()
    assert _read_problems(vfmt, data) == [
        Problem("line 6", "PmtMtd",
                "Element 'PmtMtd': [facet 'enumeration'] The value 'XXX' is not an element of "
                "the set {'CHK', 'TRF', 'TRA'}."),
        Problem("line 8", "Prtry",
                "Element 'Prtry': [facet 'maxLength'] The value has a length of '36'; this "
                "exceeds the allowed maximum length of '35'."),
    ]
    # without the schema the reader takes what it can use
    header, lines = read_payments(fmt, data)
    assert lines[1].subsidy_item == "长" * 36


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [Problem("line 1", "xml", "not well-formed XML: no element found")]),
        (b"<Document/>", [Problem("line 1", "Document",
                                  f"namespace '' is not the expected '{NS}'")]),
        (b"<html><body/></html>",
         [Problem("line 1", "html", f"root element is 'html', expected 'Document' in {NS}")]),
        (f'<Document xmlns="{NS}"/>'.encode(),
         [Problem("line 1", "CstmrCdtTrfInitn", "no payment found in the file")]),
        (f'<Document xmlns="{NS}"><CstmrCdtTrfInitn/></Document>'.encode(),
         [Problem("line 1", "CstmrCdtTrfInitn", "no payment found in the file")]),
    ],
)
def test_not_a_payment_file(fmt, data, expected):
    assert _read_problems(fmt, data) == expected


def test_a_problem_in_every_line_is_counted_not_listed(fmt):
    lines = [line(i) for i in range(1, 1201)]
    data = write_payments(fmt, header_for(lines), lines)
    bad = data.replace(b'Ccy="CNY"', b'Ccy="EUR"')
    problems = _read_problems(fmt, bad)
    assert len(problems) == 1001
    assert problems[-1] == Problem("file", "*", "200 more problems not listed")


def test_passbook_and_social_security_card_kinds(fmt):
    lines = [line(1, account_kind=AccountKind.PASSBOOK),
             line(2, account_kind=AccountKind.SOCIAL_SECURITY_CARD), line(3, account_kind="CARD")]
    data = write_payments(fmt, header_for(lines), lines)
    assert [x.account_kind for x in read_payments(fmt, data)[1]] == [
        AccountKind.PASSBOOK, AccountKind.SOCIAL_SECURITY_CARD, AccountKind.CARD]
