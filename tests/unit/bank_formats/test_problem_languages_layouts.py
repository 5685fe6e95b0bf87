"""The two Chinese layouts' own statement readers (delimited and fixed-width GBK), their field
parsing, the delimited amount styles and the writers' refusals say their problems in catalogue
words (issue 16 item 3): the English text as these modules always wrote it (written here from
the files' faults), Chinese by default, that same English on request; and every problem they
raise on a set of damaged statements has words.
"""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from bank_formats.base import FormatError, Problem, why
from bank_formats.delimited import DelimitedFormat
from bank_formats.delimited.core import AMOUNT_STYLES
from bank_formats.fixed_width_gbk import FixedWidthGbkFormat
from bank_formats.fixed_width_gbk.layout import STATEMENT_DETAIL, STATEMENT_HEADER
from tests.support.catalogue_scan import made_in
from tests.unit.bank_formats.test_delimited_samples import SAMPLE_ENTRIES as DELIMITED_ENTRIES
from tests.unit.bank_formats.test_delimited_samples import SAMPLE_STATEMENT_HEADER as DELIMITED_HEADER
from tests.unit.bank_formats.test_delimited_samples import UTF8, YUAN, body_lines, with_digest
from tests.unit.bank_formats.test_fixed_width_gbk_support import FMT, FMT_YUAN, SAMPLE_ENTRIES, SAMPLE_STATEMENT_HEADER
from tests.unit.bank_formats.test_problem_languages import problems_without_words, said

ROOT = Path(__file__).resolve().parents[3]
MODULES = ("bank_formats/delimited/core.py", "bank_formats/delimited/statements.py",
           "bank_formats/fixed_width_gbk/fields.py", "bank_formats/fixed_width_gbk/readers.py",
           "bank_formats/fixed_width_gbk/statements.py", "bank_formats/fixed_width_gbk/format.py")


def read_problems(fmt, data: bytes) -> list[Problem]:
    """The problems of reading the statement ``data`` (the header and every entry)."""
    with pytest.raises(FormatError) as err:
        list(fmt.read_statement(io.BytesIO(data), "s.txt"))
    return err.value.problems


def the_problem(fmt, data: bytes) -> tuple[str, str, str]:
    """The one problem of ``data``, said (English, the default language, English on request)."""
    (problem,) = read_problems(fmt, data)
    return said(problem)


# --- the delimited family --------------------------------------------------------------------

def delimited(fmt: DelimitedFormat = UTF8, *changes: tuple[int, int, str]) -> bytes:
    """The sample statement with ``(line index, field index, new text)`` changes, its digest line
    recomputed (so that the change is the file's only fault)."""
    out = io.BytesIO()
    fmt.write_statement(out, DELIMITED_HEADER, DELIMITED_ENTRIES)
    lines = [line.decode("utf-8").rstrip("\n").split("|") for line in body_lines(out.getvalue())]
    for index, field, text in changes:
        lines[index][field] = text
    return with_digest("".join("|".join(f) + "\n" for f in lines).encode("utf-8"))


def test_the_delimited_sample_reads_and_its_fields_are_where_the_changes_put_them():
    assert len(list(UTF8.read_statement(io.BytesIO(delimited()), "s.txt"))) == 7
    assert delimited(UTF8, (1, 3, "X")).splitlines()[1].startswith(b"D|1|C|X|2026-11-05|")


def test_a_delimited_amount_that_is_not_a_whole_number():
    # the third entry's amount (line 4, field 3) with a letter in it
    assert the_problem(UTF8, delimited(UTF8, (3, 3, "12A4"))) == (
        "line 4: amount_fen: '12A4' is not a whole number (ASCII digits only: no sign, no point, no spaces)",
        "第 4 行，金额：'12A4' 不是整数（只能是 ASCII 数字：不带符号、小数点或空格）",
        "line 4: amount_fen: '12A4' is not a whole number (ASCII digits only: no sign, no point, no spaces)")


def test_a_yuan_opening_balance_with_one_decimal():
    # the header's opening balance (field 6) -2.50 written -2.5
    assert the_problem(YUAN, delimited(YUAN, (0, 6, "-2.5"))) == (
        "line 1: opening_balance_fen: '-2.5' is not an amount in yuan (ASCII digits, a point and exactly two "
        "decimals, e.g. -1234.56: a '-' allowed in front, no spaces)",
        "第 1 行，期初余额（分）：'-2.5' 不是以元为单位的金额（ASCII 数字、小数点和正好两位小数，例如 -1234.56：前面可带 '-'，不带空格）",
        "line 1: opening_balance_fen: '-2.5' is not an amount in yuan (ASCII digits, a point and exactly two "
        "decimals, e.g. -1234.56: a '-' allowed in front, no spaces)")


def test_a_delimited_header_in_lower_case_currency_and_a_period_backwards():
    assert the_problem(UTF8, delimited(UTF8, (0, 11, "cny"))) == (
        "line 1: currency: 'cny' is not a currency code (3 letters A-Z)",
        "第 1 行，币种：'cny' 不是币种代码（3 个大写字母 A-Z）",
        "line 1: currency: 'cny' is not a currency code (3 letters A-Z)")
    # the period 2026-11-01 .. 2026-11-30 ending on 2026-10-31
    problems = read_problems(UTF8, delimited(UTF8, (0, 5, "2026-10-31")))
    assert said(problems[0]) == ("line 1: to_date: to_date 2026-10-31 is before from_date 2026-11-01",
                                 "第 1 行，结束日期：结束日期 2026-10-31 早于开始日期 2026-11-01",
                                 "line 1: to_date: to_date 2026-10-31 is before from_date 2026-11-01")


def test_a_delimited_closing_balance_one_fen_over():
    # -250 + 2000000123460 - 2000000122456 is 754; the header says 755
    assert the_problem(UTF8, delimited(UTF8, (0, 7, "755"))) == (
        "line 1: closing_balance_fen: closing balance 755 is not opening balance -250 + credit 2000000123460 - "
        "debit 2000000122456 = 754",
        "第 1 行，期末余额（分）：期末余额 755 不等于期初余额 -250 + 贷方 2000000123460 - 借方 2000000122456 = 754",
        "line 1: closing_balance_fen: closing balance 755 is not opening balance -250 + credit 2000000123460 - "
        "debit 2000000122456 = 754")


def test_delimited_header_totals_against_the_entries():
    # 7 entries, the header says 8
    assert the_problem(UTF8, delimited(UTF8, (0, 8, "8"))) == (
        "line 1: count: header says 8 entries, 7 in the file", "第 1 行，笔数：文件头记载 8 笔分录，文件中有 7 笔",
        "line 1: count: header says 8 entries, 7 in the file")
    # the last entry (interest, a credit of 5 fen) says 6: the credits add up to one fen more
    assert the_problem(UTF8, delimited(UTF8, (7, 3, "6"))) == (
        "line 1: credit_fen: header says 2000000123460 fen, the entries add up to 2000000123461",
        "第 1 行，贷方金额（分）：文件头记载 2000000123460 分，分录合计 2000000123461 分",
        "line 1: credit_fen: header says 2000000123460 fen, the entries add up to 2000000123461")


def test_delimited_entries_with_a_bad_side_a_zero_a_date_outside_and_line_seqs():
    assert the_problem(UTF8, delimited(UTF8, (1, 2, "X"))) == (
        "line 2: side: 'X' is not a side (C credit, D debit)", "第 2 行，借贷方向：'X' 不是借贷方向（C 贷方，D 借方）",
        "line 2: side: 'X' is not a side (C credit, D debit)")
    assert the_problem(UTF8, delimited(UTF8, (4, 3, "0"))) == (
        "line 5: amount_fen: an entry moves a positive amount, not 0", "第 5 行，金额：分录金额必须为正数，不能为 0",
        "line 5: amount_fen: an entry moves a positive amount, not 0")
    assert the_problem(UTF8, delimited(UTF8, (2, 4, "2026-12-01"))) == (
        "line 3: booking_date: 2026-12-01 is outside the statement's period 2026-11-01 .. 2026-11-30",
        "第 3 行，记账日期：2026-12-01 不在对账单期间 2026-11-01 至 2026-11-30 之内",
        "line 3: booking_date: 2026-12-01 is outside the statement's period 2026-11-01 .. 2026-11-30")
    # the interest entry (line 8) is in no batch: a line_seq there names no line
    assert the_problem(UTF8, delimited(UTF8, (7, 7, "4"))) == (
        "line 8: line_seq: a line_seq needs the batch_id it is in", "第 8 行，批次明细序号：有批次明细序号时必须给出所在的批次号",
        "line 8: line_seq: a line_seq needs the batch_id it is in")
    assert the_problem(UTF8, delimited(UTF8, (2, 7, "0"))) == (
        "line 3: line_seq: line_seq 0 is not a positive integer", "第 3 行，批次明细序号：批次明细序号 0 不是正整数",
        "line 3: line_seq: line_seq 0 is not a positive integer")


# each amount style: (text, English reason, Chinese reason) of a text that is not an amount
AMOUNTS = {
    ("fen", False): [
        ("", "is empty", "为空"),
        ("1234567890123456789", "'1234567890123456789' has more than 18 digits", "'1234567890123456789' 超过 18 位数字"),
        ("12.34", "'12.34' is not a whole number (ASCII digits only: no sign, no point, no spaces)",
         "'12.34' 不是整数（只能是 ASCII 数字：不带符号、小数点或空格）"),
    ],
    ("fen", True): [
        ("-", "'-' is not a whole number (ASCII digits only, a '-' allowed in front: no point, no spaces)",
         "'-' 不是整数（只能是 ASCII 数字，前面可带 '-'：不带小数点或空格）"),
        ("-1234567890123456789", "'1234567890123456789' has more than 18 digits", "'1234567890123456789' 超过 18 位数字"),
    ],
    ("yuan", False): [
        ("", "is empty", "为空"),
        ("12345678901234567.00", "'12345678901234567.00' has more than 16 digits before the point",
         "'12345678901234567.00' 的整数部分超过 16 位"),
        ("1234", "'1234' is not an amount in yuan (ASCII digits, a point and exactly two decimals, e.g. 1234.56: "
                 "no sign, no spaces)",
         "'1234' 不是以元为单位的金额（ASCII 数字、小数点和正好两位小数，例如 1234.56：不带符号、空格）"),
    ],
    ("yuan", True): [
        ("+1.00", "'+1.00' is not an amount in yuan (ASCII digits, a point and exactly two decimals, e.g. -1234.56: "
                  "a '-' allowed in front, no spaces)",
         "'+1.00' 不是以元为单位的金额（ASCII 数字、小数点和正好两位小数，例如 -1234.56：前面可带 '-'，不带空格）"),
    ],
}


@pytest.mark.parametrize(("style", "signed", "text", "english", "chinese"),
                         [(style, signed, *case) for (style, signed), cases in AMOUNTS.items() for case in cases])
def test_each_amount_style_says_why_a_text_is_not_an_amount(style, signed, text, english, chinese):
    amounts = AMOUNT_STYLES[style]
    with pytest.raises(ValueError) as err:
        (amounts.parse_signed if signed else amounts.parse)(text)
    assert str(err.value) == english
    problem = Problem.of("line 2", "amount_fen", why(err.value))
    assert said(problem) == (f"line 2: amount_fen: {english}", f"第 2 行，金额：{chinese}", f"line 2: amount_fen: {english}")


def test_a_delimited_writer_names_the_entry_it_cannot_write():
    # the second entry (seq 2) on neither side, its remark holding the field separator
    entries = list(DELIMITED_ENTRIES)
    entries[1] = replace(entries[1], side="X", remark="a|b")
    with pytest.raises(FormatError) as err:
        UTF8.write_statement(io.BytesIO(), DELIMITED_HEADER, entries)
    by_field = {p.field: p for p in err.value.problems}
    assert said(by_field["side"]) == ("line 3: side: seq 2: unknown side 'X'", "第 3 行，借贷方向：序号 2：未知的借贷方向 'X'",
                                      "line 3: side: seq 2: unknown side 'X'")
    assert said(by_field["remark"]) == (
        "line 3: remark: seq 2: contains '|', the field separator; the format has no escaping",
        "第 3 行，备注：序号 2：含有字段分隔符 '|'；该格式无法转义",
        "line 3: remark: seq 2: contains '|', the field separator; the format has no escaping")


def test_a_wrong_option_is_refused_in_words():
    with pytest.raises(ValueError) as err:
        DelimitedFormat(amount_style="cents")
    assert str(err.value) == "amount_style must be one of fen, yuan, not 'cents'"
    assert said(Problem.of("file", "file", why(err.value)))[1] == "文件，文件：amount_style 必须是 fen, yuan 之一，不能是 'cents'"
    with pytest.raises(ValueError) as err:
        FixedWidthGbkFormat(line_ending="\r")
    assert str(err.value) == "line_ending must be '\\r\\n' or '\\n', not '\\r'"
    assert said(Problem.of("file", "file", why(err.value)))[1] == \
        "文件，文件：line_ending 必须是 '\\r\\n' 或 '\\n'，不能是 '\\r'"


# --- the fixed-width GBK family --------------------------------------------------------------

def fixed(fmt: FixedWidthGbkFormat = FMT, *changes: tuple[int, str, bytes]) -> bytes:
    """The sample statement with ``(line index, field name, new bytes)`` changes: the bytes are put
    at the field's place in the header (line 0) or a detail record."""
    out = io.BytesIO()
    fmt.write_statement(out, SAMPLE_STATEMENT_HEADER, SAMPLE_ENTRIES)
    eol = fmt.line_ending.encode("ascii")
    lines = out.getvalue().split(eol)
    for index, name, value in changes:
        start = (STATEMENT_HEADER if index == 0 else STATEMENT_DETAIL).by_name[name].start
        lines[index] = lines[index][:start] + value + lines[index][start + len(value):]
    return eol.join(lines)


def test_the_fixed_sample_reads_and_the_layout_is_where_the_rules_say():
    assert len(list(FMT.read_statement(io.BytesIO(fixed()), "s.txt"))) == 4
    assert (STATEMENT_HEADER.length, STATEMENT_DETAIL.length) == (193, 389)
    assert [STATEMENT_DETAIL.by_name[n].start + 1 for n in ("amount_fen", "reference", "remark")] == [13, 36, 290]


def test_a_fixed_amount_with_a_letter_in_each_style():
    # the first entry's amount 10000000000 fen (15 bytes; in yuan 100000000.00)
    assert the_problem(FMT, fixed(FMT, (1, "amount_fen", b"00001000000000X"))) == (
        "line 2: amount_fen: '00001000000000X' is not a number (15 digits)",
        "第 2 行，金额：'00001000000000X' 不是数字（15 位数字）",
        "line 2: amount_fen: '00001000000000X' is not a number (15 digits)")
    assert the_problem(FMT_YUAN, fixed(FMT_YUAN, (1, "amount_fen", b"000100000000,00"))) == (
        "line 2: amount_fen: '000100000000,00' is not a number (yuan: 12 digits, a point and 2 digits)",
        "第 2 行，金额：'000100000000,00' 不是数字（以元为单位：12 位整数、小数点和 2 位小数）",
        "line 2: amount_fen: '000100000000,00' is not a number (yuan: 12 digits, a point and 2 digits)")


def test_fixed_signed_balances():
    # the opening balance -12345 (19 bytes: a sign and 18 digits) with a star for its sign
    assert the_problem(FMT, fixed(FMT, (0, "opening_balance_fen", b"*"))) == (
        "line 1: opening_balance_fen: '*000000000000012345' is not a signed amount (+ or -, 18 digits)",
        "第 1 行，期初余额（分）：'*000000000000012345' 不是带符号的金额（+ 或 -，18 位数字）",
        "line 1: opening_balance_fen: '*000000000000012345' is not a signed amount (+ or -, 18 digits)")
    assert the_problem(FMT_YUAN, fixed(FMT_YUAN, (0, "opening_balance_fen", b"*"))) == (
        "line 1: opening_balance_fen: '*000000000000123.45' is not a signed amount (+ or -, yuan: 15 digits, a point "
        "and 2 digits)",
        "第 1 行，期初余额（分）：'*000000000000123.45' 不是带符号的金额（+ 或 -，以元为单位：15 位整数、小数点和 2 位小数）",
        "line 1: opening_balance_fen: '*000000000000123.45' is not a signed amount (+ or -, yuan: 15 digits, a point "
        "and 2 digits)")
    zero = b"-" + b"0" * 18
    assert the_problem(FMT, fixed(FMT, (0, "opening_balance_fen", zero))) == (
        "line 1: opening_balance_fen: '-000000000000000000': zero is written with +",
        "第 1 行，期初余额（分）：'-000000000000000000'：金额为零时符号应为 +",
        "line 1: opening_balance_fen: '-000000000000000000': zero is written with +")


def test_a_fixed_header_in_lower_case_currency_a_period_backwards_and_a_balance_that_does_not_follow():
    assert the_problem(FMT, fixed(FMT, (0, "currency", b"cny"))) == (
        "line 1: currency: 'cny' is not a currency code (three capital letters, ISO 4217)",
        "第 1 行，币种：'cny' 不是币种代码（三个大写字母，ISO 4217）",
        "line 1: currency: 'cny' is not a currency code (three capital letters, ISO 4217)")
    assert the_problem(FMT, fixed(FMT, (0, "to_date", b"20261104"))) == (
        "line 1: to_date: 2026-11-04 is before from_date 2026-11-05", "第 1 行，结束日期：2026-11-04 早于开始日期 2026-11-05",
        "line 1: to_date: 2026-11-04 is before from_date 2026-11-05")
    # opening -12345 + credit 10000000000 - debit 10000000000 is -12345; the header says -12344
    assert the_problem(FMT, fixed(FMT, (0, "closing_balance_fen", b"-000000000000012344"))) == (
        "line 1: closing_balance_fen: closing balance -12344 is not opening -12345 + credit 10000000000 - debit "
        "10000000000 = -12345",
        "第 1 行，期末余额（分）：期末余额 -12344 不等于期初余额 -12345 + 贷方 10000000000 - 借方 10000000000 = -12345",
        "line 1: closing_balance_fen: closing balance -12344 is not opening -12345 + credit 10000000000 - debit "
        "10000000000 = -12345")


def test_fixed_header_totals_against_the_entries():
    assert the_problem(FMT, fixed(FMT, (0, "count", b"0000000005"))) == (
        "line 1: count: header says 5 entries, the file has 4", "第 1 行，笔数：文件头记载 5 笔分录，文件中有 4 笔",
        "line 1: count: header says 5 entries, the file has 4")
    # one fen more credited, and the closing balance with it: the header agrees with itself only
    data = fixed(FMT, (0, "credit_fen", b"000000010000000001"), (0, "closing_balance_fen", b"-000000000000012344"))
    assert the_problem(FMT, data) == (
        "line 1: credit_fen: header says 10000000001 fen credited, the entries give 10000000000",
        "第 1 行，贷方金额（分）：文件头记载贷方金额（分） 10000000001，分录合计为 10000000000",
        "line 1: credit_fen: header says 10000000001 fen credited, the entries give 10000000000")


def test_fixed_entries_with_a_bad_side_seq_date_line_seq_and_texts():
    assert the_problem(FMT, fixed(FMT, (2, "side", b"X"))) == (
        "line 3: side: 'X' is not a side (C or D)", "第 3 行，借贷方向：'X' 不是借贷方向（C 或 D）",
        "line 3: side: 'X' is not a side (C or D)")
    assert the_problem(FMT, fixed(FMT, (2, "seq", b"0000000005"))) == (
        "line 3: seq: seq 5 is not the record's position 2: seqs count the entries from 1",
        "第 3 行，序号：序号 5 与该记录的位置 2 不符：序号应从 1 起按分录顺序编号",
        "line 3: seq: seq 5 is not the record's position 2: seqs count the entries from 1")
    assert the_problem(FMT, fixed(FMT, (1, "booking_date", b"20261332"))) == (
        "line 2: booking_date: '20261332' is not a valid date", "第 2 行，记账日期：'20261332' 不是有效日期",
        "line 2: booking_date: '20261332' is not a valid date")
    assert the_problem(FMT, fixed(FMT, (2, "line_seq", b"0000000000"))) == (
        "line 3: line_seq: 0 is less than 1", "第 3 行，批次明细序号：0 小于 1", "line 3: line_seq: 0 is less than 1")
    assert the_problem(FMT, fixed(FMT, (1, "reference", b" " * 35))) == (
        "line 2: reference: is empty", "第 2 行，交易流水号：为空", "line 2: reference: is empty")
    assert the_problem(FMT, fixed(FMT, (1, "reference", b"\x01"))) == (
        "line 2: reference: holds a control character (U+0001)", "第 2 行，交易流水号：含有控制字符（U+0001）",
        "line 2: reference: holds a control character (U+0001)")
    # the remark's first byte one no GBK character starts with
    assert the_problem(FMT, fixed(FMT, (1, "remark", b"\xff"))) == (
        "line 2: remark: is not valid GBK: b'\\xff' at byte 290 of the record",
        "第 2 行，备注：不是有效的 GBK：记录第 290 字节处的 b'\\xff'",
        "line 2: remark: is not valid GBK: b'\\xff' at byte 290 of the record")


def test_fixed_records_of_the_wrong_type_length_or_ending():
    assert the_problem(FMT, fixed(FMT, (1, "record_type", b"X"))) == (
        "line 2: record_type: record type 'X'; expected 'D'", "第 2 行，记录类型：记录类型为 'X'；应为 'D'",
        "line 2: record_type: record type 'X'; expected 'D'")
    assert the_problem(FMT, fixed(FMT, (1, "record_type", b"H"))) == (
        "line 2: record_type: a second header record; expected 'D'", "第 2 行，记录类型：第二条文件头记录；应为 'D'",
        "line 2: record_type: a second header record; expected 'D'")
    lines = fixed().split(b"\r\n")
    short = b"\r\n".join(lines[:2] + [lines[2][:-1]] + lines[3:])  # line 3 one byte short
    assert the_problem(FMT, short) == (
        "line 3: record: the record is 388 bytes long; a statement detail record is 389",
        "第 3 行，记录：记录长 388 字节；对账单明细记录应为 389 字节",
        "line 3: record: the record is 388 bytes long; a statement detail record is 389")
    lf = b"\r\n".join(lines[:1]) + b"\n" + b"\r\n".join(lines[1:])  # the header ends with LF only
    assert the_problem(FMT, lf) == (
        "line 1: line_ending: the record ends with LF; records end with CRLF",
        "第 1 行，换行符：记录以换行符（LF）结尾；记录应以回车换行符（CRLF）结尾",
        "line 1: line_ending: the record ends with LF; records end with CRLF")
    # a fifth record of 9000 bytes, unended: the reader keeps no line that long to know its length
    problems = read_problems(FMT, fixed() + b"D" * 9000)
    assert said(problems[0]) == (
        "line 6: record: the record is longer than 8192 bytes; a statement detail record is 389",
        "第 6 行，记录：记录超过 8192 字节；对账单明细记录应为 389 字节",
        "line 6: record: the record is longer than 8192 bytes; a statement detail record is 389")


def test_a_fixed_file_empty_or_cut_short():
    assert the_problem(FMT, b"") == ("line 1: record: the file is empty: no header record",
                                     "第 1 行，记录：文件为空：没有文件头记录",
                                     "line 1: record: the file is empty: no header record")
    assert the_problem(FMT, fixed()[:-5]) == (  # CRLF and 3 bytes of the last record gone
        "line 5: record: the file ends in the middle of a record (386 of 389 bytes): it is cut short",
        "第 5 行，记录：文件在一条记录中间结束（386/389 字节）：文件不完整",
        "line 5: record: the file ends in the middle of a record (386 of 389 bytes): it is cut short")
    assert the_problem(FMT, fixed()[:-2]) == (  # the last CRLF gone
        "line 5: record: the file ends without a line ending after this record (CRLF): it is cut short",
        "第 5 行，记录：文件在这条记录后没有换行符（CRLF）就结束了：文件不完整",
        "line 5: record: the file ends without a line ending after this record (CRLF): it is cut short")


def test_a_fixed_writer_names_the_entry_it_cannot_write():
    entries = list(SAMPLE_ENTRIES)
    entries[1] = replace(entries[1], remark="补贴 ")
    with pytest.raises(FormatError) as err:
        FMT.write_statement(io.BytesIO(), SAMPLE_STATEMENT_HEADER, entries)
    (problem,) = err.value.problems
    assert said(problem) == ("line 3 (seq 2): remark: ends with a space, which reads back as padding",
                             "第 3 行（序号 2），备注：以空格结尾，读回时会被当作填充空格",
                             "line 3 (seq 2): remark: ends with a space, which reads back as padding")


# --- every problem has words -----------------------------------------------------------------

BAD_TEXTS = ("", "X", "-", "0", "-0", "12.345", "1.5", "１", "9" * 20, "2026-02-30", "2026-13-01", "C D", "|")


def damaged_delimited():
    """Every field of the header and of two entries replaced by each bad text, in both amount styles."""
    for fmt in (UTF8, YUAN):
        for index, count in ((0, 12), (1, 11), (8 - 1, 11)):
            for field in range(1, count):
                for text in BAD_TEXTS:
                    yield fmt, delimited(fmt, (index, field, text))


def damaged_fixed():
    """Every field of the header and of a detail record filled with each bad byte (a letter, a
    space, a byte that is not GBK, a sign, a control character), in both amount styles; and cut."""
    for fmt in (FMT, FMT_YUAN):
        for index, layout in ((0, STATEMENT_HEADER), (2, STATEMENT_DETAIL)):
            for f in layout.fields:
                for byte in (b"X", b" ", b"\xff", b"-", b"\x01", b"0", b"9"):
                    yield fmt, fixed(fmt, (index, f.name, byte * f.width))
        whole = fixed(fmt)
        for cut in (0, 1, 100, 195, 196, 500, len(whole) - 1, len(whole) - 2):
            yield fmt, whole[:cut]


def test_every_problem_of_damaged_statements_has_words():
    seen, without = 0, set()
    for fmt, data in [*damaged_delimited(), *damaged_fixed()]:
        found, unworded = problems_without_words(fmt.read_statement, data, "s.txt")
        seen += found
        without |= unworded
    assert seen > 500  # the damage was found
    assert not without, sorted(without)[:20]


def test_these_modules_say_their_problems_and_refusals_in_words():
    """(Each with exactly its words' arguments: tests/unit/i18n/test_catalogue_keys_made.py.)"""
    made = [m for m in made_in(ROOT / module for module in MODULES) if m.key]
    assert len(made) > 60  # the scan found them
