"""The ISO 20022 family's last problems and refusals (the writers' values, the format's
options) keep their English text byte for byte and have catalogue words: Chinese by default,
that same English on request; the XML element a problem names as its field has a Chinese name
with the element in parentheses (issue 16 item 3).

The bad values are the sample batch of iso20022_support with one fault each: the expected words
are written from that fault and the rule it breaks, not copied from output. The sweep damages
our own golden files and the banks' samples (../shared/bank-samples) element by element and
checks that every problem any reader reports has words and a named field.
"""
from __future__ import annotations

import ast
import dataclasses
import io
import random
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import bank_formats
import i18n
from bank_formats import FormatError
from bank_formats.base import Refused
from bank_formats.iso20022 import Iso20022Format
from bank_formats.iso20022._common import MAX_FEN, format_amount, format_datetime
from bank_formats.iso20022.camt054 import write_notification
from domain.model import FailureReason
from tests.support.catalogue_scan import made_in
from tests.unit.bank_formats.iso20022_support import (
    SAMPLE_ENTRIES,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    SAMPLE_STATEMENT_HEADER,
    SCHEMA_DIR,
    TESTDATA,
)
from tests.unit.bank_formats.test_iso_samples_robustness import FILES as BANK_SAMPLES
from tests.unit.bank_formats.test_iso_samples_robustness import mutations
from tests.unit.bank_formats.test_problem_languages import said
from tests.unit.bank_formats.test_problem_languages_statements import refused

ROOT = Path(__file__).resolve().parents[3]
FMT = Iso20022Format()
replace = dataclasses.replace


def written_problems(write, *args) -> list:
    """The problems of the FormatError ``write(out, *args)`` raises."""
    with pytest.raises(FormatError) as err:
        write(io.BytesIO(), *args)
    return err.value.problems


def said_of(found, where: str, field: str) -> tuple[str, str, str]:
    """The one problem of ``found`` at ``where`` in ``field``, said (test_problem_languages.said)."""
    (p,) = [p for p in found if (p.where, p.field) == (where, field)]
    return said(p)


# --- the pain.001 writer -------------------------------------------------------------------------

def test_a_payment_header_with_an_empty_id_a_time_that_is_text_no_date_and_a_count_that_is_text():
    header = replace(SAMPLE_HEADER, file_id="", created_at="2026-11-05", requested_date=None, count="3")
    found = written_problems(FMT.write_payments, header, SAMPLE_LINES)
    assert said_of(found, "GrpHdr", "MsgId") == ("GrpHdr: MsgId: is empty", "GrpHdr，报文标识（MsgId）：为空",
                                                 "GrpHdr: MsgId: is empty")
    # a text has no utcoffset, None no isoformat: Python's words, framed in Chinese
    assert said_of(found, "GrpHdr", "CreDtTm") == (
        "GrpHdr: CreDtTm: 'str' object has no attribute 'utcoffset'",
        "GrpHdr，生成时间（CreDtTm）：不是可写出的日期时间（'str' object has no attribute 'utcoffset'）",
        "GrpHdr: CreDtTm: 'str' object has no attribute 'utcoffset'")
    assert said_of(found, "PmtInf/ReqdExctnDt", "Dt") == (
        "PmtInf/ReqdExctnDt: Dt: 'NoneType' object has no attribute 'isoformat'",
        "PmtInf/ReqdExctnDt，日期（Dt）：不是可写出的日期（'NoneType' object has no attribute 'isoformat'）",
        "PmtInf/ReqdExctnDt: Dt: 'NoneType' object has no attribute 'isoformat'")
    # the count is refused, so the three lines are not compared with it
    assert [said(p) for p in found if p.field == "NbOfTxs"] == [
        ("GrpHdr: NbOfTxs: count '3' is not a number of transactions",
         "GrpHdr，交易笔数（NbOfTxs）：笔数 '3' 不是交易笔数",
         "GrpHdr: NbOfTxs: count '3' is not a number of transactions")]


def test_a_payment_line_with_seq_0_a_negative_amount_an_unknown_kind_and_a_phone_with_letters():
    line = replace(SAMPLE_LINES[0], seq=0, amount_fen=-5, account_kind="GOLD", phone="138-abc")
    header = replace(SAMPLE_HEADER, count=1, total_fen=0)
    found = written_problems(FMT.write_payments, header, [line])
    w = "CdtTrfTxInf[1]"
    assert said_of(found, w, "InstrId") == (f"{w}: InstrId: seq 0 is not a positive integer",
                                            f"{w}，指令标识（InstrId）：序号 0 不是正整数",
                                            f"{w}: InstrId: seq 0 is not a positive integer")
    assert said_of(found, w, "InstdAmt") == (
        f"{w}: InstdAmt: amount must be an int number of fen in 0..{MAX_FEN}, got -5",
        f"{w}，指令金额（InstdAmt）：金额必须是 0..{MAX_FEN} 之间的整数（分），实际是 -5",
        f"{w}: InstdAmt: amount must be an int number of fen in 0..{MAX_FEN}, got -5")
    assert said_of(found, w, "CdtrAcct/Tp") == (f"{w}: CdtrAcct/Tp: unknown account kind 'GOLD'",
                                                f"{w}，收款账户类型（CdtrAcct/Tp）：未知的账户类型 'GOLD'",
                                                f"{w}: CdtrAcct/Tp: unknown account kind 'GOLD'")
    assert said_of(found, w, "MobNb") == (f"{w}: MobNb: phone '138-abc' may hold only digits and ()+-",
                                          f"{w}，手机号码（MobNb）：电话号码 '138-abc' 只能包含数字和 ()+-",
                                          f"{w}: MobNb: phone '138-abc' may hold only digits and ()+-")


def test_payment_texts_too_long_not_text_or_not_xml_and_a_file_of_no_lines():
    line = replace(SAMPLE_LINES[0], name="名" * 141, id_number=12345)
    found = written_problems(FMT.write_payments, replace(SAMPLE_HEADER, count=1, total_fen=123456), [line])
    w = "CdtTrfTxInf[1]"
    assert said_of(found, w, "Cdtr/Nm") == (f"{w}: Cdtr/Nm: is 141 characters long; at most 140 fit",
                                            f"{w}，收款人户名（Cdtr/Nm）：长 141 个字符；最多只能容纳 140 个",
                                            f"{w}: Cdtr/Nm: is 141 characters long; at most 140 fit")
    assert said_of(found, w, "Cdtr/Id") == (f"{w}: Cdtr/Id: must be a text, got int",
                                            f"{w}，收款人证件号码（Cdtr/Id）：必须是文本，实际是 int",
                                            f"{w}: Cdtr/Id: must be a text, got int")
    # a NUL in the remark: XML 1.0 has no such character (lxml's sentence, as the writer always said)
    found = written_problems(FMT.write_payments, replace(SAMPLE_HEADER, count=1, total_fen=123456),
                             [replace(SAMPLE_LINES[0], remark="a\x00b")])
    english = (f"{w}: RmtInf/Ustrd: cannot be written in XML: All strings must be XML compatible: Unicode or ASCII, "
               "no NULL bytes or control characters")
    assert said_of(found, w, "RmtInf/Ustrd") == (
        english, f"{w}，附言（RmtInf/Ustrd）：无法写入 XML：含有 XML 不能表示的字符（空字符或控制字符）", english)
    found = written_problems(FMT.write_payments, SAMPLE_HEADER, [])
    assert said_of(found, "PmtInf", "CdtTrfTxInf") == (
        "PmtInf: CdtTrfTxInf: a payment file needs at least one line",
        "PmtInf，转账交易（CdtTrfTxInf）：付款文件至少要有一行",
        "PmtInf: CdtTrfTxInf: a payment file needs at least one line")
    # the header promises the sample's 3 lines and their sum; no line was given
    assert said_of(found, "GrpHdr", "NbOfTxs") == ("GrpHdr: NbOfTxs: header says 3 lines, 0 were given",
                                                   "GrpHdr，交易笔数（NbOfTxs）：文件头记载 3 行，实际给出 0 行",
                                                   "GrpHdr: NbOfTxs: header says 3 lines, 0 were given")
    total = format_amount(SAMPLE_HEADER.total_fen)
    assert said_of(found, "GrpHdr", "CtrlSum") == (
        f"GrpHdr: CtrlSum: header says {total}, the lines add up to 0.00",
        f"GrpHdr，控制总金额（CtrlSum）：文件头记载金额 {total}，各行合计 0.00",
        f"GrpHdr: CtrlSum: header says {total}, the lines add up to 0.00")


def test_an_end_to_end_id_longer_than_35_characters():
    header = replace(SAMPLE_HEADER, batch_id="B" * 34, count=1, total_fen=123456)
    found = written_problems(FMT.write_payments, header, [replace(SAMPLE_LINES[0], seq=10)])
    e2e = "B" * 34 + "-10"
    assert said_of(found, "CdtTrfTxInf[1]", "EndToEndId") == (
        f"CdtTrfTxInf[1]: EndToEndId: {e2e} is longer than 35 characters",
        f"CdtTrfTxInf[1]，端到端标识（EndToEndId）：端到端标识 {e2e} 超过 35 个字符",
        f"CdtTrfTxInf[1]: EndToEndId: {e2e} is longer than 35 characters")


# --- the pain.002 writer -------------------------------------------------------------------------

def test_a_result_header_whose_counts_are_not_counts_and_whose_fen_is_negative():
    header = replace(SAMPLE_RESULT_HEADER, paid_count="1", failed_fen=-1)
    found = written_problems(FMT.write_results, header, SAMPLE_RECORDS)
    assert said_of(found, "OrgnlGrpInfAndSts", "DtldNbOfTxs") == (
        "OrgnlGrpInfAndSts: DtldNbOfTxs: paid_count '1' is not a count",
        "OrgnlGrpInfAndSts，分状态笔数（DtldNbOfTxs）：成功笔数 '1' 不是笔数",
        "OrgnlGrpInfAndSts: DtldNbOfTxs: paid_count '1' is not a count")
    english = f"OrgnlGrpInfAndSts: DtldCtrlSum: failed_fen: amount must be an int number of fen in 0..{MAX_FEN}, got -1"
    assert said_of(found, "OrgnlGrpInfAndSts", "DtldCtrlSum") == (
        english, f"OrgnlGrpInfAndSts，分状态金额（DtldCtrlSum）：失败金额（分）：金额必须是 0..{MAX_FEN} "
                 "之间的整数（分），实际是 -1", english)


def test_a_result_header_whose_count_is_not_paid_plus_failed_and_totals_the_records_do_not_give():
    # the sample pays 1 record (1234.56) and fails 2; this header says 5 records, 2 paid
    header = replace(SAMPLE_RESULT_HEADER, count=5, paid_count=2, paid_fen=123457)
    found = written_problems(FMT.write_results, header, SAMPLE_RECORDS)
    assert [said(p) for p in found if p.field == "OrgnlNbOfTxs"] == [
        ("OrgnlGrpInfAndSts: OrgnlNbOfTxs: count 5 is not paid 2 + failed 2",
         "OrgnlGrpInfAndSts，原交易笔数（OrgnlNbOfTxs）：笔数 5 不等于成功 2 笔 + 失败 2 笔",
         "OrgnlGrpInfAndSts: OrgnlNbOfTxs: count 5 is not paid 2 + failed 2"),
        ("OrgnlGrpInfAndSts: OrgnlNbOfTxs: header says 5 records, 3 were given",
         "OrgnlGrpInfAndSts，原交易笔数（OrgnlNbOfTxs）：文件头记载 5 笔记录，实际给出 3 笔",
         "OrgnlGrpInfAndSts: OrgnlNbOfTxs: header says 5 records, 3 were given")]
    assert said_of(found, "NbOfTxsPerSts[ACSC]", "DtldNbOfTxs") == (
        "NbOfTxsPerSts[ACSC]: DtldNbOfTxs: header says 2 ACSC records, 1 were given",
        "NbOfTxsPerSts[ACSC]，分状态笔数（DtldNbOfTxs）：文件头记载 ACSC 2 笔，实际给出 1 笔",
        "NbOfTxsPerSts[ACSC]: DtldNbOfTxs: header says 2 ACSC records, 1 were given")
    assert said_of(found, "NbOfTxsPerSts[ACSC]", "DtldCtrlSum") == (
        "NbOfTxsPerSts[ACSC]: DtldCtrlSum: header says 1234.57 for ACSC, the records add up to 1234.56",
        "NbOfTxsPerSts[ACSC]，分状态金额（DtldCtrlSum）：文件头记载 ACSC 金额 1234.57，记录合计 1234.56",
        "NbOfTxsPerSts[ACSC]: DtldCtrlSum: header says 1234.57 for ACSC, the records add up to 1234.56")


def test_result_records_of_no_seq_no_outcome_a_paid_one_with_a_reason_and_an_unknown_reason():
    paid, failed, _ = SAMPLE_RECORDS
    records = [replace(paid, seq=0, reason=FailureReason.ACCOUNT_CLOSED), replace(failed, outcome="LOST"),
               replace(failed, seq=3, reason="GONE")]
    found = written_problems(FMT.write_results, SAMPLE_RESULT_HEADER, records)
    closed = i18n.name("reason", "ACCOUNT_CLOSED", "zh")
    assert [said(p) for p in found if p.where == "TxInfAndSts[1]"] == [
        ("TxInfAndSts[1]: OrgnlInstrId: seq 0 is not a positive integer",
         "TxInfAndSts[1]，原指令标识（OrgnlInstrId）：序号 0 不是正整数",
         "TxInfAndSts[1]: OrgnlInstrId: seq 0 is not a positive integer"),
        ("TxInfAndSts[1]: Rsn: a paid record cannot have a failure reason (ACCOUNT_CLOSED)",
         f"TxInfAndSts[1]，原因代码（Rsn）：成功的记录不能有失败原因（{closed}）",
         "TxInfAndSts[1]: Rsn: a paid record cannot have a failure reason (ACCOUNT_CLOSED)")]
    assert said_of(found, "TxInfAndSts[2]", "TxSts") == ("TxInfAndSts[2]: TxSts: unknown outcome 'LOST'",
                                                         "TxInfAndSts[2]，交易状态（TxSts）：未知的处理结果 'LOST'",
                                                         "TxInfAndSts[2]: TxSts: unknown outcome 'LOST'")
    assert said_of(found, "TxInfAndSts[3]", "Rsn") == ("TxInfAndSts[3]: Rsn: unknown failure reason 'GONE'",
                                                       "TxInfAndSts[3]，原因代码（Rsn）：未知的失败原因 'GONE'",
                                                       "TxInfAndSts[3]: Rsn: unknown failure reason 'GONE'")


def test_a_result_records_end_to_end_id_longer_than_35_characters():
    header = replace(SAMPLE_RESULT_HEADER, batch_id="B" * 33)
    found = written_problems(FMT.write_results, header, [replace(SAMPLE_RECORDS[0], seq=100)])
    assert said_of(found, "TxInfAndSts[1]", "OrgnlEndToEndId") == (
        f"TxInfAndSts[1]: OrgnlEndToEndId: {'B' * 33}-100 is longer than 35 characters",
        f"TxInfAndSts[1]，原端到端标识（OrgnlEndToEndId）：端到端标识 {'B' * 33}-100 超过 35 个字符",
        f"TxInfAndSts[1]: OrgnlEndToEndId: {'B' * 33}-100 is longer than 35 characters")


# --- the camt.053 writer -------------------------------------------------------------------------

def test_a_statement_header_in_lower_case_currency_with_its_period_backwards_and_a_float_balance():
    header = replace(SAMPLE_STATEMENT_HEADER, currency="cny", from_date=date(2026, 12, 1), to_date=date(2026, 11, 30),
                     opening_balance_fen=1.5, count="6")
    found = written_problems(FMT.write_statement, header, SAMPLE_ENTRIES)
    assert said_of(found, "Stmt/Acct", "Ccy") == ("Stmt/Acct: Ccy: currency 'cny' is not 3 capital letters",
                                                  "Stmt/Acct，币种（Ccy）：币种 'cny' 不是 3 个大写字母",
                                                  "Stmt/Acct: Ccy: currency 'cny' is not 3 capital letters")
    assert said_of(found, "Stmt/FrToDt", "ToDtTm") == (
        "Stmt/FrToDt: ToDtTm: the period ends (2026-11-30) before it starts (2026-12-01)",
        "Stmt/FrToDt，截止时间（ToDtTm）：对账期间的结束日期（2026-11-30）早于开始日期（2026-12-01）",
        "Stmt/FrToDt: ToDtTm: the period ends (2026-11-30) before it starts (2026-12-01)")
    english = "Stmt/Bal[OPBD]: Amt: balance must be an int number of fen, got 1.5"
    assert said_of(found, "Stmt/Bal[OPBD]", "Amt") == (
        english, "Stmt/Bal[OPBD]，金额（Amt）：余额必须是整数（分），实际是 1.5", english)
    assert said_of(found, "Stmt/TxsSummry/TtlNtries", "NbOfNtries") == (
        "Stmt/TxsSummry/TtlNtries: NbOfNtries: count '6' is not a number of entries",
        "Stmt/TxsSummry/TtlNtries，分录笔数（NbOfNtries）：笔数 '6' 不是分录笔数",
        "Stmt/TxsSummry/TtlNtries: NbOfNtries: count '6' is not a number of entries")


def test_a_statement_header_of_a_date_that_is_text_and_a_closing_balance_that_does_not_follow():
    h = SAMPLE_STATEMENT_HEADER
    header = replace(h, from_date="2026-11-01", closing_balance_fen=h.closing_balance_fen + 1)
    found = written_problems(FMT.write_statement, header, SAMPLE_ENTRIES)
    english = "Stmt/FrToDt: FrDtTm: from_date '2026-11-01' is not a date"
    assert said_of(found, "Stmt/FrToDt", "FrDtTm") == (
        english, "Stmt/FrToDt，起始时间（FrDtTm）：开始日期 '2026-11-01' 不是日期", english)
    closing, follows = h.closing_balance_fen + 1, h.opening_balance_fen + h.credit_fen - h.debit_fen
    english = (f"Stmt/Bal[CLBD]: Amt: closing balance {closing} is not opening {h.opening_balance_fen} + credit "
               f"{h.credit_fen} - debit {h.debit_fen} = {follows} (fen)")
    assert said_of(found, "Stmt/Bal[CLBD]", "Amt") == (
        english, f"Stmt/Bal[CLBD]，金额（Amt）：期末余额 {closing} 不等于期初 {h.opening_balance_fen} + 贷方 "
                 f"{h.credit_fen} - 借方 {h.debit_fen} = {follows}（分）", english)


def test_statement_entries_out_of_place_of_no_amount_no_side_no_date_and_a_line_seq_without_batch():
    first = SAMPLE_ENTRIES[0]
    entries = [replace(first, seq=2, amount_fen=0, side="X", booking_date="2026-11-05"),
               replace(SAMPLE_ENTRIES[1], line_seq=0), replace(SAMPLE_ENTRIES[2], batch_id="")]
    found = written_problems(FMT.write_statement, replace(SAMPLE_STATEMENT_HEADER, count=3), entries)
    assert [said(p) for p in found if p.where == "Ntry[1]"] == [
        ("Ntry[1]: seq: seq 2 is not the entry's position 1", "Ntry[1]，序号：序号 2 与该分录的位置 1 不符",
         "Ntry[1]: seq: seq 2 is not the entry's position 1"),
        (f"Ntry[1]: Amt: amount 0 is not an int number of fen in 1..{MAX_FEN}",
         f"Ntry[1]，金额（Amt）：金额 0 不是 1..{MAX_FEN} 之间的整数（分）",
         f"Ntry[1]: Amt: amount 0 is not an int number of fen in 1..{MAX_FEN}"),
        ("Ntry[1]: CdtDbtInd: unknown side 'X'", "Ntry[1]，借贷标识（CdtDbtInd）：未知的借贷方向 'X'",
         "Ntry[1]: CdtDbtInd: unknown side 'X'"),
        ("Ntry[1]: BookgDt: booking date '2026-11-05' is not a date",
         "Ntry[1]，记账日期（BookgDt）：记账日期 '2026-11-05' 不是日期",
         "Ntry[1]: BookgDt: booking date '2026-11-05' is not a date")]
    assert said_of(found, "Ntry[2]", "InstrId") == ("Ntry[2]: InstrId: line_seq 0 is not a positive int",
                                                    "Ntry[2]，指令标识（InstrId）：批次明细序号 0 不是正整数",
                                                    "Ntry[2]: InstrId: line_seq 0 is not a positive int")
    assert said_of(found, "Ntry[3]", "PmtInfId") == ("Ntry[3]: PmtInfId: an entry with a line_seq needs its batch_id",
                                                     "Ntry[3]，付款信息标识（PmtInfId）：有批次明细序号的分录必须给出所在的批次号",
                                                     "Ntry[3]: PmtInfId: an entry with a line_seq needs its batch_id")


def test_a_statement_header_whose_totals_the_entries_do_not_give():
    # the sample's first five entries: its last, a debit of 0.50 (a fee), is left out
    h = SAMPLE_STATEMENT_HEADER
    found = written_problems(FMT.write_statement, h, SAMPLE_ENTRIES[:5])
    assert said_of(found, "Stmt/TxsSummry/TtlNtries", "NbOfNtries") == (
        "Stmt/TxsSummry/TtlNtries: NbOfNtries: header says 6 entries, 5 were given",
        "Stmt/TxsSummry/TtlNtries，分录笔数（NbOfNtries）：文件头记载 6 笔分录，实际给出 5 笔",
        "Stmt/TxsSummry/TtlNtries: NbOfNtries: header says 6 entries, 5 were given")
    stated, actual = format_amount(h.debit_fen), format_amount(h.debit_fen - 50)
    assert said_of(found, "Stmt/TxsSummry/TtlDbtNtries", "Sum") == (
        f"Stmt/TxsSummry/TtlDbtNtries: Sum: header says {stated}, the debit entries add up to {actual}",
        f"Stmt/TxsSummry/TtlDbtNtries，合计金额（Sum）：文件头记载 {stated}，借方分录合计 {actual}",
        f"Stmt/TxsSummry/TtlDbtNtries: Sum: header says {stated}, the debit entries add up to {actual}")


def test_a_time_that_cannot_be_written():
    """ISO's dateTime carries whole minutes of offset and years 1 to 9999."""
    odd = datetime(2026, 11, 5, tzinfo=timezone(timedelta(seconds=30)))
    assert refused(lambda: format_datetime(odd)) == ("time zone offset 0:00:30 is not a whole number of minutes",
                                                     "时区偏移 0:00:30 不是整分钟数",
                                                     "time zone offset 0:00:30 is not a whole number of minutes")
    found = written_problems(FMT.write_results, replace(SAMPLE_RESULT_HEADER, created_at=date(2026, 11, 6)),
                             SAMPLE_RECORDS)
    assert said_of(found, "GrpHdr", "CreDtTm") == (
        "GrpHdr: CreDtTm: 'datetime.date' object has no attribute 'utcoffset'",
        "GrpHdr，生成时间（CreDtTm）：不是可写出的日期时间（'datetime.date' object has no attribute 'utcoffset'）",
        "GrpHdr: CreDtTm: 'datetime.date' object has no attribute 'utcoffset'")


# --- the camt.054 writer -------------------------------------------------------------------------

def test_a_notification_record_that_cannot_be_written_and_header_totals_it_does_not_give():
    paid, failed, _ = SAMPLE_RECORDS
    records = [paid, replace(failed, amount_fen=-1)]
    found = written_problems(write_notification, SAMPLE_RESULT_HEADER, records)
    assert said_of(found, "Ntry[2]", "Ntry") == (
        "Ntry[2]: Ntry: record 2: not a line number, an amount in fen and PAID or FAILED",
        "Ntry[2]，分录（Ntry）：记录 2：须有行号、以分为单位的金额和处理结果 PAID 或 FAILED",
        "Ntry[2]: Ntry: record 2: not a line number, an amount in fen and PAID or FAILED")
    # the header: 3 records, 2 of them failed (99999999999 + 1 fen); of two given one was written
    assert said_of(found, "header", "count") == ("header: count: header says 3 records, 2 were given",
                                                 "文件头，笔数：文件头记载 3 笔记录，实际给出 2 笔",
                                                 "header: count: header says 3 records, 2 were given")
    fen = SAMPLE_RESULT_HEADER.failed_fen
    assert said_of(found, "header", "failed") == (
        f"header: failed: header says 2 failed / {fen} fen, the records are 0 / 0",
        f"文件头，失败笔数与金额：文件头记载失败 2 笔 / {fen} 分，记录为 0 笔 / 0 分",
        f"header: failed: header says 2 failed / {fen} fen, the records are 0 / 0")


def test_a_notification_value_that_is_no_text_keeps_pythons_words_why():
    found = written_problems(write_notification, SAMPLE_RESULT_HEADER, [replace(SAMPLE_RECORDS[0], bank_ref=5)])
    english = "Ntry[1]: AcctSvcrRef: cannot be written in XML: expected string or bytes-like object, got 'int'"
    assert said_of(found, "Ntry[1]", "AcctSvcrRef") == (
        english, "Ntry[1]，银行流水号（AcctSvcrRef）：无法写入 XML：expected string or bytes-like object, got 'int'",
        english)


# --- the format's options ------------------------------------------------------------------------

def test_options_naming_no_version_read_are_refused_in_words():
    assert refused(lambda: Iso20022Format(payments="pain.001.001.99")) == (
        "iso20022 option payments='pain.001.001.99' is not a known version; known: pain.001.001.03, pain.001.001.09",
        "iso20022 选项 payments='pain.001.001.99' 不是已知的报文版本；可用：pain.001.001.03, pain.001.001.09",
        "iso20022 option payments='pain.001.001.99' is not a known version; known: pain.001.001.03, pain.001.001.09")
    assert refused(lambda: bank_formats.get("iso20022", results="camt.054.001.99")) == (
        "iso20022 option results='camt.054.001.99' is not a camt.054 version read (camt.054.001.02 to camt.054.001.13)",
        "iso20022 选项 results='camt.054.001.99' 不是可读取的 camt.054 版本（camt.054.001.02 至 camt.054.001.13）",
        "iso20022 option results='camt.054.001.99' is not a camt.054 version read (camt.054.001.02 to camt.054.001.13)")
    pain002 = (TESTDATA / "pain002_valid.xml").read_bytes()
    assert refused(lambda: FMT.read_results(io.BytesIO(pain002), "r.xml", batch_id="B1")) == (
        "r.xml: only a notification is read one batch at a time", "r.xml：只有借贷记通知才能按单个批次读取",
        "r.xml: only a notification is read one batch at a time")


def test_a_schema_folder_without_the_schema_is_refused_with_the_path(tmp_path):
    english, chinese, again = refused(lambda: Iso20022Format(tmp_path))
    path = tmp_path / "pain.001.001.09.xsd"
    assert english.startswith(f"iso20022 payments=pain.001.001.09: cannot load schema {path}: ") and again == english
    cause = english.split(f"{path}: ", 1)[1]
    assert chinese == f"iso20022 选项 payments=pain.001.001.09：无法加载 XML Schema {path}：{cause}"


# --- every problem of a damaged file has words, and its field a Chinese name ----------------------

# the problems whose field is the file's own name for a thing (an element the schema or the root
# check found, spelt as the file has it): shown as it is
FILES_OWN_NAMES = {"format.iso.schema", "format.iso.namespace", "format.iso.root", "format.iso.root_not_document"}
READERS = [Iso20022Format(SCHEMA_DIR), bank_formats.get("iso20022", results="camt.054.001.08")]
ELEMENT_TEXT = re.compile(rb"<(\w+)(?: [^>]*)?>([^<>]+)</\1>")


def damaged(data: bytes, seed: str):
    """``data`` cut, flipped, re-encoded, wrapped (the robustness test's mutations, for a file
    that is UTF-8 text), then with the text of each element name it has (its first one)
    replaced by "?"."""
    yield data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:  # (a file cut in a character: cut already)
        pass
    else:
        yield from (d for _, d in mutations(data, random.Random(seed)))
    seen = set()
    for m in ELEMENT_TEXT.finditer(data):
        if m.group(1) not in seen:
            seen.add(m.group(1))
            yield data[:m.start(2)] + b"?" + data[m.end(2):]


def problems_of(data: bytes):
    for fmt in READERS:
        for read in (fmt.read_results, fmt.read_statement, fmt.read_payments):
            try:
                list(read(io.BytesIO(data), "m.xml"))
            except FormatError as exc:
                yield from exc.problems


SOURCES = sorted(TESTDATA.glob("*.xml")) + BANK_SAMPLES


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_every_problem_of_a_damaged_file_has_words_and_names_its_field(path):
    seen = 0
    for data in damaged(path.read_bytes(), path.name):
        for p in problems_of(data):
            seen += 1
            assert p.said is not None, str(p)
            assert i18n.stored.shown(p.stored(), "en") == str(p)
            if p.said.key not in FILES_OWN_NAMES:
                assert f"field.{p.field}" in i18n.WORDS, str(p)
    assert seen > 0


ISO = ROOT / "bank_formats" / "iso20022"


def test_the_iso_modules_say_their_problems_and_refusals_in_words():
    """The family's ``format.*`` words (each with exactly its arguments: tests/unit/i18n/
    test_catalogue_keys_made.py); a key made of a code (``f"format.iso.side.{...}"``) has words
    for every code it is made of (checked where it is said above)."""
    made = [m for m in made_in(sorted(ISO.glob("*.py"))) if m.key and m.key.startswith("format.")]
    assert len(made) > 150


def test_every_field_an_iso_module_names_has_a_chinese_name_with_its_element():
    """The fields written out in the family's problems (a literal second argument of ``add``):
    each has Chinese words; an element's English is the element itself."""
    fields = set()
    for module in sorted(ISO.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add"
                    and len(node.args) >= 3 and isinstance(node.args[1], ast.Constant)):
                fields.add(node.args[1].value)
    assert {"InstdAmt", "TxSts", "NbOfTxs", "DtldCtrlSum", "OrgnlEndToEndId", "CdtDbtInd"} <= fields
    for field in fields:
        zh, en = i18n.WORDS[f"field.{field}"]
        assert en == field or field[0].islower(), field  # (count, seq, file...: the readers' own names)
        assert re.search(r"[\u4e00-\u9fff]", zh), field
    assert i18n.name("field", "InstdAmt", "zh") == "指令金额（InstdAmt）"


def test_a_refusal_is_still_the_value_error_it_was():
    with pytest.raises(ValueError, match=r"^amount must be an int number of fen in 0\.\.999999999999999999, got 1\.5$"):
        format_amount(1.5)
    with pytest.raises(Refused):
        format_amount(-1)
