"""A bank file's problems keep their English text byte for byte and are stored as catalogue
messages, said in Chinese by default and in English on request (issue 16 item 3).

For each module whose problems have words, a few representative bad files: ``str(problem)`` is
the English text the readers always wrote (written here), the stored reason (what a quarantined
file keeps) is Chinese by default and that same English with "en". A problem a module has no
words for yet stays its English text, in both languages. The expected words are written from the
files' faults (the byte changed, the line, the field), not copied from output.
"""
from __future__ import annotations

import io

import pytest

import bank_formats
from bank_formats import FormatError, get_statement_format
from bank_formats.base import MAX_PROBLEMS, Problems, guarded
from bank_formats.delimited.core import new_hasher
from bank_formats.iso20022 import Iso20022Format
from bank_formats.iso20022._common import Problems as IsoProblems
from bank_formats.iso20022._tolerant import opened
from bank_formats.iso20022.payment_instructions import PaymentInstructions
from i18n import reset, use
from i18n.stored import shown
from tests.unit.bank_formats.iso20022_support import SAMPLE_HEADER as ISO_PAYMENT_HEADER
from tests.unit.bank_formats.iso20022_support import SAMPLE_LINES as ISO_LINES
from tests.unit.bank_formats.iso20022_support import SAMPLE_RECORDS as ISO_RECORDS
from tests.unit.bank_formats.iso20022_support import SAMPLE_RESULT_HEADER as ISO_HEADER
from tests.unit.bank_formats.iso20022_support import SCHEMA_DIR
from tests.unit.bank_formats.test_delimited_samples import GBK
from tests.unit.bank_formats.test_delimited_samples import SAMPLE_RECORDS as DELIMITED_RECORDS
from tests.unit.bank_formats.test_delimited_samples import SAMPLE_RESULT_HEADER as DELIMITED_HEADER
from tests.unit.bank_formats.test_fixed_width_gbk_support import FMT, SAMPLE_RECORDS, SAMPLE_RESULT_HEADER
from tests.unit.bank_formats.test_iso20022_camt054 import written as camt054_written
from tests.unit.bank_formats.test_iso20022_tolerant import ISO as TOLERANT_ISO
from tests.unit.bank_formats.test_iso20022_tolerant import camt053, ntry, pain002, stmt, tx


def problems(read, data: bytes, name: str = "r.txt"):
    with pytest.raises(FormatError) as err:
        list(read(io.BytesIO(data), name))
    return err.value.problems


def said(problem) -> tuple[str, str, str]:
    """(English text, stored reason in the default language, stored reason in English)."""
    stored = problem.stored()
    token = use(None)  # the default: what a call that asks nothing reads
    try:
        return str(problem), shown(stored), shown(stored, "en")
    finally:
        reset(token)


def problems_without_words(read, data: bytes, name: str) -> tuple[int, set[str]]:
    """How many problems ``read`` refuses ``data`` with (0 when it reads), and the English of
    those among them that have no catalogue words."""
    try:
        list(read(io.BytesIO(data), name))
    except FormatError as err:
        return len(err.problems), {str(p) for p in err.problems if p.said is None}
    return 0, set()


def fixed_results(*changes: tuple[int, int, bytes]) -> bytes:
    """The sample fixed-width result file with ``(line index, 1-based byte, new bytes)`` changes."""
    out = io.BytesIO()
    FMT.write_results(out, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    lines = out.getvalue().split(b"\r\n")
    for index, start, value in changes:
        line = lines[index]
        lines[index] = line[:start - 1] + value + line[start - 1 + len(value):]
    return b"\r\n".join(lines)


# --- (a) the checks every format shares: bank_formats/base.py ---------------------------------

def test_problems_beyond_the_limit_are_counted_in_words():
    p = Problems()
    for n in range(MAX_PROBLEMS + 3):
        p.add(f"line {n + 1}", "seq", "is empty")
    last = p.error("f.txt").problems[-1]
    assert said(last) == ("file: *: 3 more problems not listed", "文件，全部：另有 3 个问题未列出",
                          "file: *: 3 more problems not listed")


def test_a_readers_surprise_is_said_with_its_error():
    def records():
        yield 1
        raise KeyError("x")

    p = Problems()
    with pytest.raises(FormatError) as err:
        list(guarded(records(), p, "f.txt"))
    assert said(err.value.problems[0]) == ("file: file: unexpected KeyError: 'x'",
                                           "文件，文件：读取时出现意外错误：KeyError: 'x'",
                                           "file: file: unexpected KeyError: 'x'")


# --- (b) the declared-layout engine: the fixed-width GBK family -------------------------------

def test_an_amount_that_is_not_a_number():
    # the first detail record's amount (bytes 46-60) with a letter in it
    (p,) = problems(FMT.read_results, fixed_results((1, 46, b"00000000012A456")))
    assert said(p) == ("line 2: amount_fen: '00000000012A456' is not a number (15 digits)",
                       "第 2 行，金额：'00000000012A456' 不是数字（15 位数字）",
                       "line 2: amount_fen: '00000000012A456' is not a number (15 digits)")


def test_bytes_that_are_not_gbk_are_placed_in_the_record():
    # the bank's text (bytes 65-164) starts with a byte no GBK character starts with
    (p,) = problems(FMT.read_results, fixed_results((1, 65, b"\xff\xff")))
    assert said(p) == ("line 2: bank_text: is not valid GBK: b'\\xff' at byte 65 of the record",
                       "第 2 行，银行说明：不是有效的 GBK：记录第 65 字节处的 b'\\xff'",
                       "line 2: bank_text: is not valid GBK: b'\\xff' at byte 65 of the record")


def test_a_header_whose_count_is_not_paid_plus_failed():
    # the sample pays 1 record and fails 2; the header's count (bytes 126-135) says 4
    assert SAMPLE_RESULT_HEADER.paid_count == 1 and SAMPLE_RESULT_HEADER.failed_count == 2
    (p,) = problems(FMT.read_results, fixed_results((0, 126, b"0000000004")))
    assert said(p) == ("line 1: count: count 4 is not paid 1 + failed 2",
                       "第 1 行，笔数：笔数 4 不等于成功 1 笔 + 失败 2 笔",
                       "line 1: count: count 4 is not paid 1 + failed 2")


def test_a_file_cut_in_the_middle_of_a_record():
    data = fixed_results()
    assert len(data.split(b"\r\n")[3]) == 164  # the last record, then the final CRLF
    (p,) = problems(FMT.read_results, data[:-5])  # CRLF and 3 bytes of the record gone
    assert said(p) == ("line 4: record: the file ends in the middle of a record (161 of 164 bytes): it is cut short",
                       "第 4 行，记录：文件在一条记录中间结束（161/164 字节）：文件不完整",
                       "line 4: record: the file ends in the middle of a record (161 of 164 bytes): it is cut short")


def test_an_empty_file_and_a_bad_date():
    (empty,) = problems(FMT.read_results, b"")
    assert said(empty) == ("line 1: record: the file is empty: no header record", "第 1 行，记录：文件为空：没有文件头记录",
                           "line 1: record: the file is empty: no header record")
    # the header's created_at (bytes 107-125) in month 13
    (date,) = problems(FMT.read_results, fixed_results((0, 107, b"20261306")))
    assert said(date) == ("line 1: created_at: '20261306180000+0800' is not a valid date and time",
                          "第 1 行，生成时间：'20261306180000+0800' 不是有效的日期时间",
                          "line 1: created_at: '20261306180000+0800' is not a valid date and time")


def test_a_status_code_with_a_space():
    (p,) = problems(FMT.read_results, fixed_results((1, 61, b"00 0")))
    assert said(p) == ("line 2: status_code: '00 0' is not a status code (ASCII letters and digits)",
                       "第 2 行，状态码：'00 0' 不是状态码（ASCII 字母和数字）",
                       "line 2: status_code: '00 0' is not a status code (ASCII letters and digits)")


# --- (d) the CSV and MT940 statements -------------------------------------------------------

CSV = get_statement_format("csv", account="6222", date=1, date_format="%Y%m%d", debit=2, credit=3, balance=4)
CSV_TEXT = "日期,支出,收入,余额\n20261201,,1000.00,1000.00\n20261201,100.001,,900.00\n"


def test_a_csv_amount_with_a_fraction_of_a_fen():
    (p,) = problems(CSV.read_statement, CSV_TEXT.encode(), "s.csv")
    assert said(p) == ("line 3: amount: '100.001' has a fraction of a fen", "第 3 行，金额：'100.001' 含有不足一分的零头",
                       "line 3: amount: '100.001' has a fraction of a fen")


def test_a_csv_whose_last_row_has_no_line_break():
    text = CSV_TEXT.replace("100.001", "100.00")
    (p,) = problems(CSV.read_statement, text.encode()[:-1], "s.csv")
    assert said(p) == ("line 3: end: the last row has no line break: the file may be cut short",
                       "第 3 行，文件末尾：最后一行没有换行符：文件可能不完整",
                       "line 3: end: the last row has no line break: the file may be cut short")


def test_an_mt940_that_ends_inside_its_block_without_an_opening_balance():
    found = problems(get_statement_format("mt940").read_statement, b"{4:\n:20:X\n", "s.sta")
    assert [said(p) for p in found] == [
        ("line 2: :60F:: statement X has no opening balance",
         "第 2 行，:60F:：对账单 X 没有期初余额",
         "line 2: :60F:: statement X has no opening balance"),
        ("line 1: -}: the file ends inside a SWIFT block opened here: cut short?",
         "第 1 行，-}：文件在此处开始的 SWIFT 块内结束：文件不完整？",
         "line 1: -}: the file ends inside a SWIFT block opened here: cut short?")]


def test_a_delimited_file_re_encoded_as_utf8():
    """The delimited family's strict line reader (bank_formats/delimited/lines.py): the GBK
    sample re-encoded as UTF-8 on the way. Line 3's bank text 户名不符 is E6 88 B7 E5 90 8D E4 B8
    8D E7 AC A6 in UTF-8; read as GBK two bytes at a time, the pair AC A6 is no GBK character
    (row AC is unassigned), and the decoder names its first byte."""
    out = io.BytesIO()
    GBK.write_results(out, DELIMITED_HEADER, DELIMITED_RECORDS)
    data = out.getvalue().decode("gbk").encode("utf-8")
    first = problems(GBK.read_results, data)[0]
    assert said(first) == ("line 3: bank_text: bytes b'\\xac' are not valid gbk",
                           "第 3 行，银行说明：字节 b'\\xac' 不是有效的 gbk",
                           "line 3: bank_text: bytes b'\\xac' are not valid gbk")


def test_a_delimited_detail_line_with_a_field_missing():
    out = io.BytesIO()
    GBK.write_results(out, DELIMITED_HEADER, DELIMITED_RECORDS)
    lines = out.getvalue().split(b"\r\n")
    assert lines[1].startswith(b"D|1|")
    lines[1] = lines[1].replace(b"|", b"", 1)  # "D1|...": the record type and the seq run together
    found = problems(GBK.read_results, b"\r\n".join(lines))
    assert said(found[0]) == ("line 2: record_type: record type 'D1' is not D (H is only on line 1, S on the last)",
                              "第 2 行，记录类型：记录类型 'D1' 不是 D（H 只能在第 1 行，S 只能在最后一行）",
                              "line 2: record_type: record type 'D1' is not D (H is only on line 1, S on the last)")


# --- (c) ISO 20022: pain.002, camt.053, camt.054 ----------------------------------------------

def iso_line(data: bytes, text: bytes) -> str:
    """The place a problem names for the element on the line of ``data`` holding ``text``."""
    return "line %d" % (data[:data.index(text)].count(b"\n") + 1)


def test_our_pain002_with_a_bad_amount_and_a_control_sum_that_differs():
    """The strict reader of our own pain.002: record 1's InstdAmt (1234.56) with a letter, then
    with one fen more, which the ACSC control sum of the header (1234.56) no longer matches."""
    fmt = Iso20022Format(SCHEMA_DIR)
    out = io.BytesIO()
    fmt.write_results(out, ISO_HEADER, ISO_RECORDS)
    data = out.getvalue()
    assert data.count(b">1234.56<") == 2  # the header's ACSC DtldCtrlSum and record 1's InstdAmt
    tx = data.rindex(b">1234.56<")
    letter = data[:tx] + b">1234.5x<" + data[tx + 9:]
    found = problems(fmt.read_results, letter, "r.xml")
    at = iso_line(letter, b">1234.5x<")
    assert [said(p) for p in found] == [
        # the schema's own words for the same field are dropped: the reader's say more
        (f"{at}: InstdAmt: '1234.5x' is not an amount (digits, at most 2 decimals, no sign)",
         f"第 {at[5:]} 行，指令金额（InstdAmt）：'1234.5x' 不是金额（数字，最多两位小数，不带符号）",
         f"{at}: InstdAmt: '1234.5x' is not an amount (digits, at most 2 decimals, no sign)")]
    more = data[:tx] + b">1234.57<" + data[tx + 9:]
    (p,) = problems(fmt.read_results, more, "r.xml")
    place = "/Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts/NbOfTxsPerSts[DtldSts=ACSC]/DtldCtrlSum"
    assert said(p) == (f"{place}: DtldCtrlSum: header says 1234.56 for ACSC, the records add up to 1234.57",
                       f"{place}，分状态金额（DtldCtrlSum）：文件头记载 ACSC 金额 1234.56，记录合计 1234.57",
                       f"{place}: DtldCtrlSum: header says 1234.56 for ACSC, the records add up to 1234.57")


def test_a_schema_problem_is_said_in_chinese_and_left_as_it_is_in_english():
    fmt = Iso20022Format(SCHEMA_DIR)
    out = io.BytesIO()
    fmt.write_results(out, ISO_HEADER, ISO_RECORDS)
    data = out.getvalue().replace(b"<MsgId>", b"<Msgid>", 1).replace(b"</MsgId>", b"</Msgid>", 1)
    found = problems(fmt.read_results, data, "r.xml")
    schema = [p for p in found if p.field == "Msgid"]
    assert len(schema) == 1
    english, chinese, again = said(schema[0])
    assert english.startswith(f"{iso_line(data, b'<Msgid>')}: Msgid: Element 'Msgid': This element is not expected.")
    assert english == f"{iso_line(data, b'<Msgid>')}: Msgid: Element 'Msgid': This element is not expected. " \
                      "Expected is ( MsgId )."
    assert chinese == f"第 {iso_line(data, b'<Msgid>')[5:]} 行，Msgid：不符合报文的 XML Schema：元素 Msgid：此处不应出现该元素，应为 MsgId"
    assert again == english


def test_a_banks_pain002_with_an_amount_beyond_the_fen_and_a_status_that_is_no_code():
    data = pain002(TOLERANT_ISO + "pain.002.001.10", "\n".join([tx(1, "ACSC", "18.155"), tx(2, "Rjct")]))
    found = problems(Iso20022Format().read_results, data, "r.xml")
    amount, status = iso_line(data, b">18.155<"), iso_line(data, b"<TxSts>Rjct<")
    assert [said(p) for p in found] == [
        (f"{amount}: InstdAmt: '18.155' is not a whole number of fen (cents)",
         f"第 {amount[5:]} 行，指令金额（InstdAmt）：'18.155' 不是整分金额（含有不足一分的零头）",
         f"{amount}: InstdAmt: '18.155' is not a whole number of fen (cents)"),
        (f"{status}: TxSts: 'Rjct' is not a status code (four capital letters)",
         f"第 {status[5:]} 行，交易状态（TxSts）：'Rjct' 不是状态码（四个大写字母）",
         f"{status}: TxSts: 'Rjct' is not a status code (four capital letters)")]


def test_a_camt053_whose_balances_do_not_follow():
    # opening 100.00, one booked debit of 5.00: the closing balance should be 95.00, not 96.00
    data = camt053("04", stmt("S1", "CN001", ("OPBD", "100"), "96.00", ntry("5.00", "DBIT", "<EndToEndId>B1</EndToEndId>")))
    (p,) = problems(Iso20022Format().read_statement, data, "s.xml")
    at = iso_line(data, b"<Stmt>")
    assert said(p) == (
        f"{at}: Bal: statement S1: opening 10000 + booked credits - debits -500 is not the closing balance 9600 (fen)",
        f"第 {at[5:]} 行，余额（Bal）：对账单 S1：期初余额 10000 + 已记账贷方 - 借方 -500 不等于期末余额 9600（分）",
        f"{at}: Bal: statement S1: opening 10000 + booked credits - debits -500 is not the closing balance 9600 (fen)")


def test_a_camt054_notification_with_a_fraction_of_a_fen_and_xml_cut_short():
    data = camt054_written("camt.054.001.08").replace(b">123.45<", b">123.456<", 1)
    fmt = bank_formats.get("iso20022", results="camt.054.001.08")
    (p,) = problems(fmt.read_results, data, "n.xml")
    at = iso_line(data, b">123.456<")
    assert said(p) == (f"{at}: Amt: '123.456' is not a whole number of fen (cents)",
                       f"第 {at[5:]} 行，金额（Amt）：'123.456' 不是整分金额（含有不足一分的零头）",
                       f"{at}: Amt: '123.456' is not a whole number of fen (cents)")
    cut = camt054_written("camt.054.001.08")
    cut = cut[:cut.index(b"</Ntfctn>")]
    first = problems(fmt.read_results, cut, "n.xml")[0]
    english, chinese, again = said(first)
    assert english.startswith("line ") and ": xml: not well-formed XML: " in english
    reason = english.split(": not well-formed XML: ", 1)[1]
    assert chinese == f"第 {english.split(':')[0][5:]} 行，XML 格式：不是格式正确的 XML：{reason}"
    assert again == english


def test_an_iso_file_without_its_namespace_and_one_with_a_doctype():
    fmt = Iso20022Format()  # reads pain.002.001.10 as ours
    (ns,) = problems(fmt.read_results, b"<?xml version='1.0' encoding='UTF-8'?>\n<Document/>", "r.xml")
    expected = "'urn:iso:std:iso:20022:tech:xsd:pain.002.001.10'"
    assert said(ns) == (f"line 2: Document: namespace '' is not the expected {expected}",
                        f"第 2 行，报文（Document）：命名空间 '' 不是应有的 {expected}",
                        f"line 2: Document: namespace '' is not the expected {expected}")
    doc = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<Document/>'
    first = problems(fmt.read_results, doc, "r.xml")[0]
    assert said(first) == (
        "line 2: DOCTYPE: a document type declaration is not allowed in an ISO 20022 message (at byte 22)",
        "第 2 行，文档类型声明（DOCTYPE）：ISO 20022 报文中不允许出现文档类型声明（第 22 字节）",
        "line 2: DOCTYPE: a document type declaration is not allowed in an ISO 20022 message (at byte 22)")


# --- the pain.001 readers (iso20022/pain001.py, payment_instructions.py) -----------------------

def test_our_pain001_with_a_transaction_in_another_currency():
    """The strict pain.001 reader (the simulated bank's): line 3's amount (0.01) in USD, not CNY."""
    fmt = Iso20022Format(SCHEMA_DIR)
    out = io.BytesIO()
    fmt.write_payments(out, ISO_PAYMENT_HEADER, ISO_LINES)
    data = out.getvalue()
    assert data.count(b'Ccy="CNY">0.01<') == 1
    usd = data.replace(b'Ccy="CNY">0.01<', b'Ccy="USD">0.01<')
    (p,) = problems(fmt.read_payments, usd, "p.xml")
    at = iso_line(usd, b'Ccy="USD"')
    assert said(p) == (f"{at}: InstdAmt: currency 'USD' is not CNY",
                       f"第 {at[5:]} 行，指令金额（InstdAmt）：币种 'USD' 不是 CNY",
                       f"{at}: InstdAmt: currency 'USD' is not CNY")


def test_a_pain001_read_tolerantly_whose_group_count_differs():
    """The tolerant pain.001 reader (payment_instructions.py): GrpHdr says 4 transactions, the
    file has the sample's 3."""
    fmt = Iso20022Format(SCHEMA_DIR)
    out = io.BytesIO()
    fmt.write_payments(out, ISO_PAYMENT_HEADER, ISO_LINES)
    data = out.getvalue()
    assert data.count(b"<NbOfTxs>3</NbOfTxs>") == 2  # GrpHdr's, then PmtInf's
    four = data.replace(b"<NbOfTxs>3</NbOfTxs>", b"<NbOfTxs>4</NbOfTxs>", 1)
    source, _, message = opened(io.BytesIO(four))
    found = IsoProblems()
    assert len(list(PaymentInstructions(source, message, found))) == 3
    at = iso_line(four, b"<NbOfTxs>4<")
    assert [said(p) for p in found.listed()] == [
        (f"{at}: NbOfTxs: GrpHdr says 4 transactions, the file has 3",
         f"第 {at[5:]} 行，交易笔数（NbOfTxs）：组头记载 4 笔交易，文件中有 3 笔",
         f"{at}: NbOfTxs: GrpHdr says 4 transactions, the file has 3")]


# --- the strict delimited layout's header totals (bank_formats/layout/strict.py) ---------------

def test_a_delimited_header_whose_fen_paid_is_one_fen_short():
    """The GBK sample's header says 123455 fen paid; its one paid record (line 2) is 123456. The
    SM3 digest line is computed again over the changed lines, so only the total is wrong."""
    out = io.BytesIO()
    GBK.write_results(out, DELIMITED_HEADER, DELIMITED_RECORDS)
    data = out.getvalue()
    assert data.count(b"|1|123456|3|") == 1  # the header's paid count, fen paid, failed count
    body = data[:data.rindex(b"S|SM3|")].replace(b"|1|123456|3|", b"|1|123455|3|")
    hasher = new_hasher("sm3")
    hasher.update(body)
    (p,) = problems(GBK.read_results, body + b"S|SM3|" + hasher.hexdigest().encode() + b"\r\n")
    assert said(p) == ("line 1: paid_fen: header says 123455 fen paid, the records have 123456",
                       "第 1 行，成功金额（分）：文件头记载成功金额（分） 123455，记录中为 123456",
                       "line 1: paid_fen: header says 123455 fen paid, the records have 123456")
