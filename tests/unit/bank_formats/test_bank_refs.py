"""The bank's reference of each payment (``ResultRecord.bank_ref``) and the beneficiary's name as
the bank states it (``ResultRecord.name``), in every format family's result files.

Round trips: what a writer writes with them reads back as it was, in every family and version
(ISO 20022 files validated against the official schemas), and the fast paths read what the
parser reads. Hand-written files (not from the writers): the ISO 20022 reader takes
AcctSvcrRef first, OrgnlUETR (v10 only) when there is none, else nothing; the fixed-width and
delimited readers take old records without the fields and new ones with them, side by side.
"""
from __future__ import annotations

import dataclasses
import io

import pytest

from bank_formats.base import FormatError, Problem
from bank_formats.delimited import DelimitedFormat
from bank_formats.fixed_width_gbk import FixedWidthGbkFormat
from bank_formats.iso20022 import Iso20022Format, _common
from domain.model import FailureReason, PaymentOutcome, ResultFileHeader, ResultRecord
from tests.unit.bank_formats import iso20022_support as iso
from tests.unit.bank_formats import test_delimited_samples as dl
from tests.unit.bank_formats import test_fixed_width_gbk_support as fw

PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED


def with_refs(records):
    """The records with a reference on every second one and a name on every third."""
    return [dataclasses.replace(r, bank_ref=f"BK2026110600{r.seq:08d}" if i % 2 == 0 else "",
                                name="艾力·买买提" if i % 3 == 0 else "")
            for i, r in enumerate(records)]


def read_results(fmt, data: bytes, name: str = "results"):
    reader = fmt.read_results(io.BytesIO(data), name)
    return reader.header, list(reader)


def read_both(fmt: Iso20022Format, data: bytes):
    """What the ISO 20022 reader says with its fast path and with the parser alone."""
    fast = read_results(fmt, data)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_common, "FAST_LINES", False)
        slow = read_results(fmt, data)
    assert fast == slow
    return fast


# --- ISO 20022 pain.002: round trips ----------------------------------------------------------

@pytest.mark.parametrize("version", iso.RESULTS)
def test_pain002_round_trip_carries_references_and_names(version):
    plain = Iso20022Format(results=version)
    iso.official_schema(iso.XSD_002)
    # (the only v03 schema at hand is a restricted variant: files are read validating in v10)
    formats = [plain] + ([Iso20022Format(schema_dir=iso.SCHEMA_DIR)] if version == iso.RESULTS[0]
                         else [])
    records = with_refs(iso.SAMPLE_RECORDS)
    assert [r.bank_ref != "" for r in records] == [True, False, True]
    data = iso.write_results(plain, iso.SAMPLE_RESULT_HEADER, records)
    iso.assert_valid_variant(data, version)
    assert data.count(b"<AcctSvcrRef>BK2026110600") == 2
    for fmt in formats:
        assert read_results(fmt, data) == (iso.SAMPLE_RESULT_HEADER, records)
    assert read_both(plain, data)[1] == records


@pytest.mark.parametrize("version", iso.RESULTS)
def test_pain002_references_and_names_xml_must_escape(version):
    fmt = Iso20022Format(results=version)
    records = [dataclasses.replace(r, bank_ref="R&D<1>", name="王 & 李 <某>")
               for r in iso.SAMPLE_RECORDS]
    data = iso.write_results(fmt, iso.SAMPLE_RESULT_HEADER, records)
    iso.assert_valid_variant(data, version)
    assert read_both(fmt, data)[1] == records


def test_pain002_refuses_a_reference_or_name_it_cannot_write():
    records = list(iso.SAMPLE_RECORDS)
    records[0] = dataclasses.replace(records[0], bank_ref="R" * 36)
    records[1] = dataclasses.replace(records[1], name="名" * 141)
    records[2] = dataclasses.replace(records[2], bank_ref="bad\x00ref")
    with pytest.raises(FormatError) as info:
        Iso20022Format().write_results(io.BytesIO(), iso.SAMPLE_RESULT_HEADER, records)
    assert [(p.where, p.field) for p in info.value.problems] == [
        ("TxInfAndSts[1]", "AcctSvcrRef"), ("TxInfAndSts[2]", "Cdtr/Nm"),
        ("TxInfAndSts[3]", "AcctSvcrRef")]


# --- ISO 20022 pain.002: hand-written files ---------------------------------------------------

UETR_1 = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
UETR_2 = "a8098c1a-f86e-41d3-a9b5-2c4f0a1e7c42"

# A bank's v10 status report as banks lay them out: indented, one element a line. Record 1 has
# both AcctSvcrRef and OrgnlUETR, record 2 only OrgnlUETR, record 3 neither.
PAIN002_V10 = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>HB-RES-0001</MsgId>
      <CreDtTm>2026-11-06T18:00:00+08:00</CreDtTm>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>PAY-20261105-0001</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <OrgnlNbOfTxs>3</OrgnlNbOfTxs>
      <NbOfTxsPerSts>
        <DtldNbOfTxs>2</DtldNbOfTxs>
        <DtldSts>ACSC</DtldSts>
        <DtldCtrlSum>300.00</DtldCtrlSum>
      </NbOfTxsPerSts>
      <NbOfTxsPerSts>
        <DtldNbOfTxs>1</DtldNbOfTxs>
        <DtldSts>RJCT</DtldSts>
        <DtldCtrlSum>0.50</DtldCtrlSum>
      </NbOfTxsPerSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>B1</OrgnlPmtInfId>
      <TxInfAndSts>
        <OrgnlInstrId>1</OrgnlInstrId>
        <OrgnlEndToEndId>B1-1</OrgnlEndToEndId>
        <OrgnlUETR>{UETR_1}</OrgnlUETR>
        <TxSts>ACSC</TxSts>
        <AcctSvcrRef>BK20261106000001</AcctSvcrRef>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="CNY">100.00</InstdAmt></Amt>
          <Cdtr><Pty><Nm>王小明</Nm></Pty></Cdtr>
          <CdtrAcct><Id><Othr><Id>6222020000000000001</Id></Othr></Id></CdtrAcct>
        </OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlInstrId>2</OrgnlInstrId>
        <OrgnlEndToEndId>B1-2</OrgnlEndToEndId>
        <OrgnlUETR>{UETR_2}</OrgnlUETR>
        <TxSts>ACSC</TxSts>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="CNY">200.00</InstdAmt></Amt>
        </OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlInstrId>3</OrgnlInstrId>
        <OrgnlEndToEndId>B1-3</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="CNY">0.50</InstdAmt></Amt>
          <Cdtr><Pty><Nm>李四</Nm></Pty></Cdtr>
        </OrgnlTxRef>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""

V10_RECORDS = [
    ResultRecord(1, PAID, 10000, "6222020000000000001", bank_ref="BK20261106000001",
                 name="王小明"),
    ResultRecord(2, PAID, 20000, bank_ref=UETR_2),
    ResultRecord(3, FAILED, 50, reason=FailureReason.ACCOUNT_NOT_FOUND, bank_code="AC01",
                 name="李四"),
]


def test_pain002_v10_takes_acctsvcrref_first_then_the_uetr_then_nothing():
    data = PAIN002_V10.encode()
    iso.assert_valid(data, iso.XSD_002)
    for fmt in (Iso20022Format(), Iso20022Format(schema_dir=iso.SCHEMA_DIR)):
        header, records = read_results(fmt, data)
        assert (header.file_id, header.batch_id, header.count) == ("HB-RES-0001", "B1", 3)
        assert records == V10_RECORDS


def test_pain002_v10_an_empty_acctsvcrref_falls_back_to_the_uetr():
    # not schema-valid (Max35Text has at least one character), but what a bank may send
    data = PAIN002_V10.replace("<AcctSvcrRef>BK20261106000001</AcctSvcrRef>",
                               "<AcctSvcrRef></AcctSvcrRef>").encode()
    assert read_results(Iso20022Format(), data)[1][0].bank_ref == UETR_1


def test_pain002_v10_hand_written_in_the_writers_layout_reads_the_same_fast():
    # one record a line, as the writer lays them out, so the fast path takes the lines
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">\n<CstmrPmtStsRpt>\n'
            '<GrpHdr><MsgId>HB-RES-0002</MsgId><CreDtTm>2026-11-06T18:00:00+08:00</CreDtTm>'
            '</GrpHdr>\n<OrgnlGrpInfAndSts><OrgnlMsgId>PAY-1</OrgnlMsgId>'
            '<OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><OrgnlNbOfTxs>4</OrgnlNbOfTxs>'
            '<NbOfTxsPerSts><DtldNbOfTxs>3</DtldNbOfTxs><DtldSts>ACSC</DtldSts>'
            '<DtldCtrlSum>6.00</DtldCtrlSum></NbOfTxsPerSts><NbOfTxsPerSts>'
            '<DtldNbOfTxs>1</DtldNbOfTxs><DtldSts>RJCT</DtldSts><DtldCtrlSum>4.00</DtldCtrlSum>'
            '</NbOfTxsPerSts></OrgnlGrpInfAndSts>\n'
            '<OrgnlPmtInfAndSts><OrgnlPmtInfId>B2</OrgnlPmtInfId>\n')
    tx = ('<TxInfAndSts><OrgnlInstrId>{n}</OrgnlInstrId><OrgnlEndToEndId>B2-{n}'
          '</OrgnlEndToEndId>{uetr}<TxSts>{sts}</TxSts>{rsn}{ref}<OrgnlTxRef><Amt>'
          '<InstdAmt Ccy="CNY">{n}.00</InstdAmt></Amt>{cdtr}</OrgnlTxRef></TxInfAndSts>\n')
    lines = [
        tx.format(n=1, uetr="", sts="ACSC", rsn="", ref="<AcctSvcrRef>BK-1</AcctSvcrRef>",
                  cdtr=""),
        tx.format(n=2, uetr="", sts="ACSC", rsn="", ref="<AcctSvcrRef>BK-2</AcctSvcrRef>",
                  cdtr="<Cdtr><Pty><Nm>王小明</Nm></Pty></Cdtr>"),
        tx.format(n=3, uetr=f"<OrgnlUETR>{UETR_1}</OrgnlUETR>", sts="ACSC", rsn="", ref="",
                  cdtr=""),
        tx.format(n=4, uetr="", sts="RJCT", rsn="<StsRsnInf><Rsn><Cd>BE01</Cd></Rsn></StsRsnInf>",
                  ref="<AcctSvcrRef>BK-4</AcctSvcrRef>", cdtr="<Cdtr><Pty><Nm>李四</Nm></Pty></Cdtr>"),
    ]
    data = (head + "".join(lines) + "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>").encode()
    iso.assert_valid(data, iso.XSD_002)
    _, records = read_both(Iso20022Format(), data)
    assert records == [
        ResultRecord(1, PAID, 100, bank_ref="BK-1"),
        ResultRecord(2, PAID, 200, bank_ref="BK-2", name="王小明"),
        ResultRecord(3, PAID, 300, bank_ref=UETR_1),
        ResultRecord(4, FAILED, 400, reason=FailureReason.NAME_MISMATCH, bank_code="BE01",
                     bank_ref="BK-4", name="李四"),
    ]


def _v03(tx: str, n: int = 1, paid: str = "1.00") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
 <CstmrPmtStsRpt>
  <GrpHdr><MsgId>HB-RES-0003</MsgId><CreDtTm>2026-11-06T18:00:00</CreDtTm></GrpHdr>
  <OrgnlGrpInfAndSts>
   <OrgnlMsgId>PAY-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>
   <OrgnlNbOfTxs>{n}</OrgnlNbOfTxs>
   <NbOfTxsPerSts><DtldNbOfTxs>{n}</DtldNbOfTxs><DtldSts>ACSC</DtldSts><DtldCtrlSum>{paid}</DtldCtrlSum></NbOfTxsPerSts>
  </OrgnlGrpInfAndSts>
  <OrgnlPmtInfAndSts>
   <OrgnlPmtInfId>B3</OrgnlPmtInfId>
{tx}
  </OrgnlPmtInfAndSts>
 </CstmrPmtStsRpt>
</Document>
""".encode()


V03 = Iso20022Format(payments="pain.001.001.03", results="pain.002.001.03")


def test_pain002_v03_takes_acctsvcrref_and_the_name_in_cdtr_nm():
    data = _v03("""   <TxInfAndSts>
    <OrgnlInstrId>1</OrgnlInstrId><OrgnlEndToEndId>B3-1</OrgnlEndToEndId>
    <TxSts>ACSC</TxSts>
    <AccptncDtTm>2026-11-06T10:00:00</AccptncDtTm>
    <AcctSvcrRef>20261106RCC000123</AcctSvcrRef>
    <ClrSysRef>CNAPS-9</ClrSysRef>
    <OrgnlTxRef><Amt><InstdAmt Ccy="CNY">1.00</InstdAmt></Amt><Cdtr><Nm>艾力·买买提</Nm></Cdtr></OrgnlTxRef>
   </TxInfAndSts>""")
    assert read_both(V03, data)[1] == [
        ResultRecord(1, PAID, 100, bank_ref="20261106RCC000123", name="艾力·买买提")]


def test_pain002_v03_has_no_uetr_and_no_fallback_to_it():
    # OrgnlUETR is not in v03's schema: a reader without one does not take it as the reference
    data = _v03("""   <TxInfAndSts>
    <OrgnlInstrId>1</OrgnlInstrId><OrgnlEndToEndId>B3-1</OrgnlEndToEndId>
    <OrgnlUETR>3f2504e0-4f89-41d3-9a0c-0305e82c3301</OrgnlUETR>
    <TxSts>ACSC</TxSts>
    <OrgnlTxRef><Amt><InstdAmt Ccy="CNY">1.00</InstdAmt></Amt></OrgnlTxRef>
   </TxInfAndSts>
   <TxInfAndSts>
    <OrgnlInstrId>2</OrgnlInstrId>
    <TxSts>ACSC</TxSts>
    <OrgnlTxRef><Amt><InstdAmt Ccy="CNY">2.00</InstdAmt></Amt><Cdtr><Pty><Nm>v10's place</Nm></Pty></Cdtr></OrgnlTxRef>
   </TxInfAndSts>""", n=2, paid="3.00")
    assert read_both(V03, data)[1] == [ResultRecord(1, PAID, 100), ResultRecord(2, PAID, 200)]


def test_pain002_the_old_golden_files_read_without_references():
    for name, fmt in (("pain002_valid.xml", Iso20022Format()),
                      ("pain002_v03_valid.xml", Iso20022Format(results="pain.002.001.03"))):
        _, records = read_results(fmt, iso.golden(name))
        assert records == list(iso.SAMPLE_RECORDS)
        assert all(r.bank_ref == "" and r.name == "" for r in records)


# --- fixed-width GBK ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", fw.ALL_FORMATS, ids=["gbk", "gb18030", "lf"])
def test_fixed_width_round_trip_carries_references_and_names(fmt):
    records = with_refs(fw.SAMPLE_RECORDS)
    data = fw.write_results(fmt, fw.SAMPLE_RESULT_HEADER, records)
    eol = fmt.line_ending.encode()
    lengths = [len(x) for x in data.split(eol)]
    # records 1 and 3 carry a reference (1 a name as well): 259 bytes; record 2 neither: 164
    assert lengths == [191, 259, 164, 259, 0]
    assert fw.read_results(fmt, data) == (fw.SAMPLE_RESULT_HEADER, records)


def test_fixed_width_without_references_writes_the_golden_file_byte_for_byte():
    assert fw.write_results(fw.FMT, fw.SAMPLE_RESULT_HEADER, fw.SAMPLE_RECORDS) == fw.golden(
        "results_valid.txt")


def test_fixed_width_refuses_a_reference_too_long_or_unwritable():
    records = list(fw.SAMPLE_RECORDS)
    records[0] = dataclasses.replace(records[0], bank_ref="R" * 36)
    records[1] = dataclasses.replace(records[1], name="名" * 31)  # 62 bytes in GBK
    records[2] = dataclasses.replace(records[2], bank_ref="ends with a space ")
    assert fw.write_result_problems(fw.SAMPLE_RESULT_HEADER, records) == [
        Problem("line 2 (seq 1)", "bank_ref", "is 36 bytes in GBK; the field holds 35"),
        Problem("line 3 (seq 2)", "name", "is 62 bytes in GBK; the field holds 60"),
        Problem("line 4 (seq 3)", "bank_ref", "ends with a space, which reads back as padding"),
    ]


def _fw_header(count: int, paid: int, paid_fen: int, failed: int, failed_fen: int) -> bytes:
    return (b"H" + b"HP-RES-0001".ljust(35) + b"PAY-1".ljust(35) + b"B1".ljust(35)
            + b"20261106180000+0800" + b"%010d%010d%018d%010d%018d" % (
                count, paid, paid_fen, failed, failed_fen) + b"\r\n")


def _fw_record(seq: int, account: str, amount: int, code: str, text: str = "",
               ref: str | None = None, name: str | None = None) -> bytes:
    record = (b"D%010d" % seq + account.encode().ljust(34) + b"%015d" % amount
              + code.encode().ljust(4) + text.encode("gbk").ljust(100))
    if ref is not None:
        record += ref.encode("gbk").ljust(35) + (name or "").encode("gbk").ljust(60)
    return record + b"\r\n"


def test_fixed_width_hand_written_old_and_new_records_side_by_side():
    data = (_fw_header(4, 3, 600, 1, 400)
            + _fw_record(1, "6222020000000000001", 100, "0000")  # as every file before
            + _fw_record(2, "6222020000000000002", 200, "0000", ref="2026110600000002",
                         name="王小明")
            + _fw_record(3, "6222020000000000003", 300, "0000", ref="2026110600000003")
            + _fw_record(4, "6222020000000000004", 400, "1002", "户名不符", ref="",
                         name="李四"))
    header, records = fw.read_results(fw.FMT, data)
    assert (header.count, header.paid_fen, header.failed_fen) == (4, 600, 400)
    assert records == [
        ResultRecord(1, PAID, 100, "6222020000000000001"),
        ResultRecord(2, PAID, 200, "6222020000000000002", bank_ref="2026110600000002",
                     name="王小明"),
        ResultRecord(3, PAID, 300, "6222020000000000003", bank_ref="2026110600000003"),
        ResultRecord(4, FAILED, 400, "6222020000000000004", FailureReason.NAME_MISMATCH,
                     "1002", "户名不符", name="李四"),
    ]


def test_fixed_width_the_slow_path_reads_the_new_fields_too():
    # a record the fast path leaves alone (a control character in its text) is looked at
    # closely; a reference in GBK is read as text of the file's encoding
    good = _fw_record(1, "6222020000000000001", 100, "0000", ref="流水-001", name="王小明")
    bad = _fw_record(2, "6222020000000000002", 200, "0000", "a\x01b", ref="R2")
    header = _fw_header(2, 2, 300, 0, 0)
    with pytest.raises(FormatError) as info:
        list(fw.FMT.read_results(io.BytesIO(header + good + bad), "r.txt"))
    assert info.value.problems == [
        Problem("line 3", "bank_text", "holds a control character (U+0001)")]
    assert fw.read_results(fw.FMT, _fw_header(1, 1, 100, 0, 0) + good)[1] == [
        ResultRecord(1, PAID, 100, "6222020000000000001", bank_ref="流水-001", name="王小明")]


def test_fixed_width_a_record_of_neither_length_and_one_cut_short():
    data = _fw_header(2, 2, 300, 0, 0) + _fw_record(1, "6222020000000000001", 100, "0000")
    odd = _fw_record(2, "6222020000000000002", 200, "0000", ref="R2")[:-2] + b"XX\r\n"
    assert fw.read_problems("results", data + odd) == [
        Problem("line 3", "record", "the record is 261 bytes long; a result file detail "
                                    "record is 164 (259 with the bank's reference)")]
    cut = _fw_record(2, "6222020000000000002", 200, "0000", ref="R2")[:200]
    assert fw.read_problems("results", data + cut) == [
        Problem("line 3", "record", "the file ends in the middle of a record (200 of 259 "
                                    "bytes): it is cut short")]


# --- delimited ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [dl.UTF8, dl.GBK, dl.YUAN], ids=["utf8", "gbk", "yuan"])
def test_delimited_round_trip_carries_references_and_names(fmt):
    records = with_refs(dl.SAMPLE_RECORDS)
    data = dl.write_results(fmt, records=records)
    lines = data.decode(fmt.encoding).split(fmt.line_ending)
    assert [x.count("|") for x in lines[1:5]] == [8, 6, 8, 8]  # 9 fields, or 7 with neither
    assert dl.read_results(fmt, data) == (dl.SAMPLE_RESULT_HEADER, records)


def test_delimited_without_references_writes_the_golden_files_byte_for_byte():
    assert dl.write_results(dl.UTF8) == dl.golden("results_utf8.txt")
    assert dl.write_results(dl.GBK) == dl.golden("results_gbk.txt")


def test_delimited_refuses_a_reference_it_cannot_write():
    records = list(dl.SAMPLE_RECORDS)
    records[0] = dataclasses.replace(records[0], bank_ref="R|1")
    records[1] = dataclasses.replace(records[1], name="王\n五")
    with pytest.raises(FormatError) as info:
        DelimitedFormat().write_results(io.BytesIO(), dl.SAMPLE_RESULT_HEADER, records)
    assert [(p.where, p.field) for p in info.value.problems][:2] == [
        ("line 2", "bank_ref"), ("line 3", "name")]


def test_delimited_hand_written_old_and_new_lines_side_by_side():
    body = ("H|RES-1|PAY-1|B1|2026-11-06T18:00:00+08:00|4|3|600|1|400\n"
            "D|1|6222020000000000001|100|S||\n"  # as every file before
            "D|2|6222020000000000002|200|S|||2026110600000002|王小明\n"
            "D|3|6222020000000000003|300|S|||2026110600000003|\n"
            "D|4|6222020000000000004|400|F|E02|户名不符||李四\n").encode()
    header, records = dl.read_results(dl.UTF8, dl.with_digest(body))
    assert (header.count, header.paid_fen) == (4, 600)
    assert records == [
        ResultRecord(1, PAID, 100, "6222020000000000001"),
        ResultRecord(2, PAID, 200, "6222020000000000002", bank_ref="2026110600000002",
                     name="王小明"),
        ResultRecord(3, PAID, 300, "6222020000000000003", bank_ref="2026110600000003"),
        ResultRecord(4, FAILED, 400, "6222020000000000004", FailureReason.NAME_MISMATCH, "E02",
                     "户名不符", name="李四"),
    ]


def test_delimited_a_line_of_eight_fields_is_refused():
    body = ("H|RES-1|PAY-1|B1|2026-11-06T18:00:00+08:00|1|1|100|0|0\n"
            "D|1|6222020000000000001|100|S|||BK1\n").encode()
    with pytest.raises(FormatError) as info:
        dl.read_results(dl.UTF8, dl.with_digest(body))
    assert info.value.problems[0] == Problem(
        "line 2", "fields", "8 fields; a detail line has 7 (9 with bank_ref and name)")


# --- every family: a record without either field reads back with both empty ---------------------

@pytest.mark.parametrize("fmt", [Iso20022Format(), fw.FMT, dl.UTF8], ids=lambda f: f.name)
def test_every_family_round_trips_a_file_of_references_only(fmt):
    records = [ResultRecord(1, PAID, 1, "6222", bank_ref="A1"),
               ResultRecord(2, PAID, 2, "", bank_ref="A2"),
               ResultRecord(3, FAILED, 3, "", FailureReason.OTHER, "", "x", bank_ref="A3")]
    header = ResultFileHeader("R", "P", "B2026110501", iso.SAMPLE_RESULT_HEADER.created_at,
                              3, 2, 3, 1, 3)
    out = io.BytesIO()
    fmt.write_results(out, header, records)
    _, got = read_results(fmt, out.getvalue())
    assert [(r.seq, r.bank_ref, r.name) for r in got] == [(1, "A1", ""), (2, "A2", ""),
                                                           (3, "A3", "")]
