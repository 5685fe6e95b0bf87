"""The layout engine's last English texts have catalogue words (issue 16 item 3): the delimited
family's line scanner (bank_formats/delimited/lines.py: the digest line, a line too long, a source
that hands out no bytes) and the declared layouts' writers (layout/codecs.py, records.py: a value
a field cannot hold), a format's carriage, and the fixed-width amount styles' shapes.

As in test_problem_languages.py: the English text as these modules always wrote it (written here
from the fault), the stored reason Chinese by default and that same English on request; every
problem of a set of damaged files has words; every phrase these modules make has its key's exact
arguments.
"""
from __future__ import annotations

import ast
import dataclasses
import io
from datetime import datetime
from pathlib import Path

import pytest

from bank_formats.base import FormatError, Problem, Problems, why
from bank_formats.carriage import Carriage, TextField
from bank_formats.delimited.lines import Reader
from bank_formats.fixed_width_gbk.layout import FenAmounts, YuanAmounts
from bank_formats.layout import LayoutFormat, builtin
from bank_formats.layout.codecs import make_codec
from bank_formats.layout.declaration import FieldDecl
from bank_formats.layout.wording import WORDINGS
from domain.model import FailureReason, PaymentOutcome, ResultRecord
from i18n import Phrase, reset, say, use
from i18n.stored import message, shown
from tests.support.catalogue_scan import made_in
from tests.unit.bank_formats.test_delimited_samples import (
    GBK,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    UTF8,
    YUAN,
    body_lines,
    write_payments,
    write_results,
    write_statement,
)
from tests.unit.bank_formats.test_fixed_width_gbk_support import FMT
from tests.unit.bank_formats.test_problem_languages import problems_without_words, said

ROOT = Path(__file__).resolve().parents[3]
MODULES = ("bank_formats/delimited/lines.py", "bank_formats/fixed_width_gbk/layout.py",
           "bank_formats/fixed_width_gbk/readers.py", "bank_formats/layout/codecs.py",
           "bank_formats/layout/records.py", "bank_formats/carriage.py", "bank_formats/layout/files.py",
           "bank_formats/layout/wording.py")
PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED


def read_problems(read, data) -> list[Problem]:
    """The problems of reading ``data`` (bytes, or a source object) to its end."""
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    with pytest.raises(FormatError) as err:
        list(read(src, "x.txt"))
    return err.value.problems


def said_all(read, data) -> list[tuple[str, str, str]]:
    return [said(p) for p in read_problems(read, data)]


RESULTS = write_results(UTF8)
BODY = b"".join(body_lines(RESULTS))  # the five lines before the digest line


# --- the digest line and the line scanner ------------------------------------------------------

def test_the_sample_result_file_reads_and_ends_with_its_digest_line_on_line_6():
    assert len(list(UTF8.read_results(io.BytesIO(RESULTS), "r.txt"))) == 4
    assert RESULTS.startswith(BODY) and RESULTS[len(BODY):].startswith(b"S|SHA256|") and BODY.count(b"\n") == 5


def test_a_file_that_goes_on_after_its_digest_line():
    assert said_all(UTF8.read_results, RESULTS + b"D|9\n") == [(
        "line 7: record_type: the file goes on after its digest line (line 6), which must be the last line",
        "第 7 行，记录类型：摘要行（第 6 行）之后文件还有内容：摘要行必须是最后一行",
        "line 7: record_type: the file goes on after its digest line (line 6), which must be the last line")]


def test_a_file_cut_before_its_digest_line():
    assert said_all(UTF8.read_results, BODY) == [(
        "line 6: digest: the file ends after line 5 without its digest line (S|SHA256|...): it is incomplete",
        "第 6 行，摘要值：文件在第 5 行之后结束，缺少摘要行（S|SHA256|...）：文件不完整",
        "line 6: digest: the file ends after line 5 without its digest line (S|SHA256|...): it is incomplete")]


def test_an_sm3_statement_cut_before_its_digest_line_names_sm3():
    statement = write_statement(GBK)
    cut = statement[:statement.rindex(b"S|SM3|")]
    (problem,) = read_problems(GBK.read_statement, cut)
    assert said(problem)[1] == "第 9 行，摘要值：文件在第 8 行之后结束，缺少摘要行（S|SM3|...）：文件不完整"


@pytest.mark.parametrize(("digest_line", "english", "chinese"), [
    ("S|SHA256|é", "line 6: digest: the digest line is not ASCII text", "第 6 行，摘要值：摘要行不是 ASCII 文本"),
    ("S|SHA256", "line 6: fields: 2 fields; a digest line has 3 (S|SHA256|<hex digest>)",
     "第 6 行，字段：2 个字段；摘要行应有 3 个（S|SHA256|<十六进制摘要值>）"),
    ("S|SHA256|" + "0" * 64 + "|", "line 6: fields: 4 fields; a digest line has 3 (S|SHA256|<hex digest>)",
     "第 6 行，字段：4 个字段；摘要行应有 3 个（S|SHA256|<十六进制摘要值>）"),
    ("S|MD5|" + "0" * 64, "line 6: algorithm: 'MD5' is not the agreed SHA256",
     "第 6 行，摘要算法：'MD5' 不是约定的摘要算法 SHA256"),
    ("S|SHA256|12ab", "line 6: digest: '12ab' is not 64 hexadecimal digits",
     "第 6 行，摘要值：'12ab' 不是 64 位十六进制数字"),
])
def test_a_digest_line_that_is_wrong(digest_line, english, chinese):
    assert said_all(UTF8.read_results, BODY + digest_line.encode("utf-8") + b"\n") == [(english, chinese, english)]


def test_a_line_longer_than_the_longest_read():
    # 2 MiB without a line break: the scanner stops at 1 MiB (1048576 bytes), on line 1
    problems = said_all(UTF8.read_results, b"H|" + b"7" * (2 << 20))
    assert problems[0] == ("line 1: record_type: the line is longer than 1048576 bytes",
                           "第 1 行，记录类型：该行超过 1048576 字节",
                           "line 1: record_type: the line is longer than 1048576 bytes")


class Source:
    """A source whose ``read`` hands out ``given`` (or raises it)."""

    def __init__(self, given) -> None:
        self.given = given

    def read(self, size: int = -1):
        if isinstance(self.given, Exception):
            raise self.given
        return self.given


@pytest.mark.parametrize(("given", "english", "chinese"), [
    (None, "file: file: cannot be read: the source returned None",
     "文件，文件：无法读取：数据源没有返回任何数据（None）"),
    ("H|text", "file: file: cannot be read: the source returned str, not bytes",
     "文件，文件：无法读取：数据源返回的是 str，不是字节"),
    (RuntimeError("the handle is closed"), "file: file: cannot be read: RuntimeError: the handle is closed",
     "文件，文件：无法读取：RuntimeError: the handle is closed"),
])
def test_a_source_that_hands_out_no_bytes(given, english, chinese):
    first = said_all(UTF8.read_statement, Source(given))[0]
    assert first == (english, chinese, english)


def bare_reader() -> Reader:
    reader = Reader()
    reader.name, reader._problems = "x.txt", Problems()
    return reader


def test_a_reader_that_ends_without_a_header_and_no_problem_says_so():
    with pytest.raises(FormatError) as err:
        bare_reader()._finish(True, None)
    assert [said(p) for p in err.value.problems] == [
        ("line 1: record_type: no header", "第 1 行，记录类型：没有文件头", "line 1: record_type: no header")]


def test_a_line_whose_check_finds_nothing_is_not_skipped_silently():
    reader = bare_reader()
    assert reader._bad_line(lambda where, fields, prev: prev, "line 4", ["D"], 3) == 3
    assert [said(p) for p in reader._problems.listed()] == [
        ("line 4: record_type: the line cannot be read", "第 4 行，记录类型：该行无法读取",
         "line 4: record_type: the line cannot be read")]


# --- the fixed-width amount styles -------------------------------------------------------------

def test_an_amount_styles_shape_is_said_in_both_languages():
    fen, yuan = FenAmounts().shape(15), YuanAmounts().shape(15)
    assert (str(fen), say(fen.key, "zh", **dict(fen.fields))) == ("15 digits", "15 位数字")
    assert (str(yuan), say(yuan.key, "zh", **dict(yuan.fields))) == (
        "yuan: 12 digits, a point and 2 digits", "以元为单位：12 位整数、小数点和 2 位小数")


# --- the writers' refusals ---------------------------------------------------------------------

REASONS = {"1001": FailureReason.ACCOUNT_NOT_FOUND, "9999": FailureReason.OTHER}


def codec(fixed: bool = True, wording: str = "layout", numbers: str = "plain", **decl):
    """The codec of one field declared by ``decl``, in a GBK layout with ``|`` as delimiter."""
    return make_codec(FieldDecl(**decl), fixed=fixed, encoding="gbk", encoding_label="GBK", delimiter="|",
                      reasons=REASONS, numbers=numbers, wording=wording)


def refusal(write, value) -> tuple[str, str]:
    """Why ``write`` refuses ``value``: (the English text, its words said in the default language);
    the words said in English on request are that English text."""
    with pytest.raises(ValueError) as info:
        write(value)
    words = why(info.value)
    assert isinstance(words, Phrase), f"{info.value} has no words"
    stored = message(words.key, **dict(words.fields))
    token = use(None)
    try:
        chinese = shown(stored)
    finally:
        reset(token)
    assert shown(stored, "en") == str(info.value)
    return str(info.value), chinese


TEXT = {"name": "name", "type": "text", "width": 8}


@pytest.mark.parametrize(("decl", "value", "english", "chinese"), [
    (TEXT, 7, "must be a text, got int", "必须是文本，实际是 int"),
    ({**TEXT, "required": True}, "", "is empty", "为空"),
    (TEXT, "王\x01伟", "holds a control character (U+0001)", "含有控制字符（U+0001）"),
    (TEXT, "王伟 ", "ends with a space, which reads back as padding", "以空格结尾，读回时会被当作填充空格"),
    ({**TEXT, "align": "right"}, " 王伟", "starts with a space, which reads back as padding",
     "以空格开头，读回时会被当作填充空格"),
    ({**TEXT, "pad": "0"}, "A100", "ends with '0', which reads back as padding",
     "以 '0' 结尾，读回时会被当作填充字符"),
    ({**TEXT, "pad": "0", "align": "right"}, "0A1", "starts with '0', which reads back as padding",
     "以 '0' 开头，读回时会被当作填充字符"),
    (TEXT, "王𠀀", "character '𠀀' (U+20000) cannot be written in GBK", "字符 '𠀀'（U+20000）无法用 GBK 写出"),
    (TEXT, "阿卜杜拉·买", "is 12 bytes in GBK; the field holds 8",  # six characters of two bytes (· is A1A4)
     "按 GBK 编码为 12 字节；该字段只能容纳 8 字节"),
    ({"name": "amount_fen", "type": "amount", "width": 5, "pad": "0", "align": "right"}, "100",
     "must be an int, got str", "必须是整数，实际是 str"),
    ({"name": "amount_fen", "type": "amount", "width": 5, "pad": "0", "align": "right"}, 100000,
     "100000 is not within 0..99999 fen", "100000 不在 0..99999 分的范围内"),
    ({"name": "seq", "type": "int", "width": 3, "pad": "0", "align": "right"}, 0,
     "0 is not within 1..999", "0 不在 1..999 范围内"),
    ({"name": "requested_date", "type": "date", "width": 6, "format": "YYYYMMDD"}, datetime(2026, 11, 5).date(),
     "'20261105' is 8 bytes; the field holds 6", "'20261105' 为 8 字节；该字段只能容纳 6 字节"),
    ({"name": "requested_date", "type": "date", "width": 8, "format": "YYYYMMDD"}, datetime(2026, 11, 5, 9),
     "must be a date, got datetime", "必须是日期，实际是 datetime"),
    ({"name": "account_kind", "type": "code", "width": 1, "codes": {"CARD": "1", "PASSBOOK": "2"}}, "BOOK",
     "unknown account kind 'BOOK'", "未知的账户类型 'BOOK'"),
])
def test_a_fixed_field_refuses_what_it_cannot_hold(decl, value, english, chinese):
    assert refusal(codec(**decl).write, value) == (english, chinese)


@pytest.mark.parametrize(("wording", "decl", "value", "english", "chinese"), [
    ("layout", TEXT, "王|伟", "holds '|', the field separator", "含有字段分隔符 '|'"),
    ("delimited", TEXT, "王|伟", "contains '|', the field separator; the format has no escaping",
     "含有字段分隔符 '|'；该格式无法转义"),
    ("delimited", TEXT, "王\r\n伟", "contains a line break (CR or LF); the format has no escaping",
     "含有换行符（CR 或 LF）；该格式无法转义"),
    ("layout", TEXT, "王\n伟", "holds a control character (U+000A)", "含有控制字符（U+000A）"),
    ("layout", {"name": "digest", "type": "digest", "width": 10}, "0123456789ab",
     "'0123456789ab' is 12 characters; the field holds 10", "'0123456789ab' 为 12 个字符；该字段只能容纳 10 个字符"),
    ("delimited", {"name": "outcome", "type": "code", "called": "status", "codes": {"PAID": "S", "FAILED": "F"}},
     "LOST", "unknown status 'LOST'", "未知的处理状态 'LOST'"),
])
def test_a_delimited_field_refuses_what_it_cannot_hold_in_its_wordings_words(wording, decl, value, english, chinese):
    assert refusal(codec(False, wording, **decl).write, value) == (english, chinese)


@pytest.mark.parametrize(("value", "english", "chinese"), [
    ("1", "amount_fen must be an int, got str", "金额必须是整数，实际是 str"),
    (-1, "amount_fen -1 is outside 0..999999999999999999", "金额 -1 不在 0..999999999999999999 范围内"),
])
def test_a_counted_number_names_its_field(value, english, chinese):
    amount = codec(False, "delimited", "counted", name="amount_fen", type="amount")
    assert refusal(amount.write, value) == (english, chinese)


STATUS = {"name": "status", "type": "status", "width": 4, "paid": "0000", "other": "9999"}


@pytest.mark.parametrize(("decl", "triple", "english", "chinese"), [
    (STATUS, (PAID, None, 1001), "bank_code must be a text, got int", "银行代码必须是文本，实际是 int"),
    (STATUS, (PAID, FailureReason.ACCOUNT_FROZEN, ""), "a paid record cannot have a failure reason (ACCOUNT_FROZEN)",
     "成功的记录不能有失败原因（账户冻结）"),
    (STATUS, (PAID, None, "1001"), "a paid record has no bank code (the file says 0000), got '1001'",
     "成功的记录没有银行失败代码（文件中记为 0000），实际给出 '1001'"),
    (STATUS, ("LOST", None, ""), "unknown outcome 'LOST'", "未知的处理结果 'LOST'"),
    (STATUS, (FAILED, "FROZEN", ""), "unknown failure reason 'FROZEN'", "未知的失败原因 'FROZEN'"),
    (STATUS, (FAILED, None, "0000"), "0000 means paid; the record failed", "0000 表示成功；该记录是失败的"),
    (STATUS, (FAILED, None, "10 1"), "bank code '10 1' is not 1 to 4 ASCII letters and digits",
     "银行失败代码 '10 1' 不是 1 到 4 个 ASCII 字母和数字"),
    (STATUS, (FAILED, None, "10001"), "bank code '10001' is not 1 to 4 ASCII letters and digits",
     "银行失败代码 '10001' 不是 1 到 4 个 ASCII 字母和数字"),
    ({**STATUS, "width": None}, (FAILED, None, "E-1"), "bank code 'E-1' is not ASCII letters and digits",
     "银行失败代码 'E-1' 不是 ASCII 字母和数字"),
    ({**STATUS, "unknown": "refuse"}, (FAILED, None, "1234"),
     "bank code '1234' is not one this layout declares (0000 paid, 9999 failed, 1001 ACCOUNT_NOT_FOUND)",
     "银行失败代码 '1234' 不在该格式声明的代码之中（0000 paid, 9999 failed, 1001 ACCOUNT_NOT_FOUND）"),
    (STATUS, (FAILED, FailureReason.ACCOUNT_FROZEN, "1001"),
     "bank code 1001 reads back as ACCOUNT_NOT_FOUND, not ACCOUNT_FROZEN; leave bank_code empty to write 9999",
     "银行失败代码 1001 读回时是“账户不存在”，不是“账户冻结”；银行失败代码留空即写出 9999"),
])
def test_a_status_refuses_a_record_it_cannot_write(decl, triple, english, chinese):
    assert refusal(codec(**decl).write, triple) == (english, chinese)


# the shipped tables' texts as bank_formats.layout.wording held them in English before they were keys
SHIPPED_TEXTS = {
    "layout": ("holds {sep!r}, the field separator", "", "header says {stated} {what}, the records give {actual}"),
    "delimited": ("contains {sep!r}, the field separator; the format has no escaping",
                  "contains a line break (CR or LF); the format has no escaping",
                  "header says {stated} {what}, the records have {actual}"),
}


@pytest.mark.parametrize("name", sorted(SHIPPED_TEXTS))
def test_the_shipped_wordings_texts_are_catalogue_words_whose_english_is_the_old_text(name):
    words, (separator, line_break, records_total) = WORDINGS[name], SHIPPED_TEXTS[name]
    for sep in ("|", ",", "\t"):
        assert str(Phrase.of(words.separator, sep=repr(sep))) == separator.format(sep=sep)
    assert (say(words.line_break, "en") if words.line_break else "") == line_break
    what = Phrase.of("format.total.paid_fen")
    assert str(Phrase.of(words.records_total, stated=7, what=what, actual=9)) == records_total.format(
        stated=7, what="fen paid", actual=9)
    assert all(say(key, "zh") != say(key, "en") for key in (words.separator, words.records_total))


def test_a_wording_added_at_run_time_keeps_its_own_text(monkeypatch):
    monkeypatch.setitem(WORDINGS, "plain", dataclasses.replace(WORDINGS["layout"], separator="may not hold {sep!r}"))
    with pytest.raises(ValueError) as info:
        codec(False, "plain", **TEXT).write("王|伟")
    assert str(info.value) == "may not hold '|'" and why(info.value) == "may not hold '|'"


# --- the refusals as a writer reports them -----------------------------------------------------

def written_problems(write, header, records) -> list[tuple[str, str, str]]:
    with pytest.raises(FormatError) as err:
        write(io.BytesIO(), header, records)
    return [said(p) for p in err.value.problems]


def test_the_fixed_width_writer_says_a_lines_refusals_in_words():
    line = dataclasses.replace(SAMPLE_LINES[0], name="王𠀀", remark="第一批 ")
    assert written_problems(FMT.write_payments, SAMPLE_HEADER, [line, *SAMPLE_LINES[1:]]) == [
        ("line 2 (seq 1): name: character '𠀀' (U+20000) cannot be written in GBK",
         "第 2 行（序号 1），姓名：字符 '𠀀'（U+20000）无法用 GBK 写出",
         "line 2 (seq 1): name: character '𠀀' (U+20000) cannot be written in GBK"),
        ("line 2 (seq 1): remark: ends with a space, which reads back as padding",
         "第 2 行（序号 1），备注：以空格结尾，读回时会被当作填充空格",
         "line 2 (seq 1): remark: ends with a space, which reads back as padding"),
    ]


def test_the_fixed_width_writer_says_a_result_records_refusals_in_words():
    paid = dataclasses.replace(SAMPLE_RECORDS[0], reason=FailureReason.ACCOUNT_FROZEN)
    closed = dataclasses.replace(SAMPLE_RECORDS[1], bank_code="1003")  # 1003 is ACCOUNT_CLOSED, not NAME_MISMATCH
    problems = written_problems(FMT.write_results, SAMPLE_RESULT_HEADER, [paid, closed])
    assert problems[:2] == [
        ("line 2 (seq 1): status_code: a paid record cannot have a failure reason (ACCOUNT_FROZEN)",
         "第 2 行（序号 1），状态码：成功的记录不能有失败原因（账户冻结）",
         "line 2 (seq 1): status_code: a paid record cannot have a failure reason (ACCOUNT_FROZEN)"),
        ("line 3 (seq 2): status_code: bank code 1003 reads back as ACCOUNT_CLOSED, not NAME_MISMATCH; leave "
         "bank_code empty to write 1002",
         "第 3 行（序号 2），状态码：银行失败代码 1003 读回时是“账户已销户”，不是“户名不符”；银行失败代码留空即写出 1002",
         "line 3 (seq 2): status_code: bank code 1003 reads back as ACCOUNT_CLOSED, not NAME_MISMATCH; leave "
         "bank_code empty to write 1002"),
    ]


def delimited_layout() -> LayoutFormat:
    """The delimited family's declaration in the engine's own words, its problems placed by seq."""
    raw = builtin("delimited")
    for kind in ("payments", "results"):
        raw[kind]["wording"], raw[kind]["seq_in"] = "layout", "where"
    return LayoutFormat(declaration=raw)


def test_a_declared_delimited_writer_says_a_bank_code_that_reads_back_as_another_reason_in_words():
    fmt = delimited_layout()
    paid = dataclasses.replace(SAMPLE_RECORDS[0], reason=FailureReason.ACCOUNT_FROZEN)
    other = dataclasses.replace(SAMPLE_RECORDS[1], bank_code="E99")  # E99 is OTHER, the record NAME_MISMATCH
    assert written_problems(fmt.write_results, SAMPLE_RESULT_HEADER, [paid, other, *SAMPLE_RECORDS[2:]]) == [
        ("line 2 (seq 1): bank_code: a paid record cannot have a failure reason (ACCOUNT_FROZEN)",
         "第 2 行（序号 1），银行代码：成功的记录不能有失败原因（账户冻结）",
         "line 2 (seq 1): bank_code: a paid record cannot have a failure reason (ACCOUNT_FROZEN)"),
        ("line 3 (seq 2): bank_code: bank code 'E99' reads back as OTHER, not NAME_MISMATCH",
         "第 3 行（序号 2），银行代码：银行失败代码 'E99' 读回时是“其他原因”，不是“户名不符”",
         "line 3 (seq 2): bank_code: bank code 'E99' reads back as OTHER, not NAME_MISMATCH"),
    ]


def test_the_delimited_familys_result_writer_says_each_records_refusal_after_its_seq_in_words():
    records = [
        ResultRecord(1, FAILED, 5, "", FailureReason.NAME_MISMATCH, "E01"),  # E01 is ACCOUNT_NOT_FOUND
        ResultRecord(2, PAID, 5, "", FailureReason.CARD_LOST),
        ResultRecord(3, "MAYBE", 5),
        ResultRecord(4, FAILED, 5, "", "FROZEN"),
        ResultRecord(4, PAID, 5),
    ]
    # five records given, the header says four; two paid and two failed of 5 fen count, not 11
    header = dataclasses.replace(SAMPLE_RESULT_HEADER, count=4, paid_count=2, paid_fen=10, failed_count=2,
                                 failed_fen=11)
    assert written_problems(UTF8.write_results, header, records) == [
        ("line 2: bank_code: seq 1: code 'E01' reads back as ACCOUNT_NOT_FOUND, not NAME_MISMATCH: it cannot be "
         "written for that reason",
         "第 2 行，银行代码：序号 1：银行失败代码 'E01' 读回时是“账户不存在”，不是“户名不符”：不能用它写出这一失败原因",
         "line 2: bank_code: seq 1: code 'E01' reads back as ACCOUNT_NOT_FOUND, not NAME_MISMATCH: it cannot be "
         "written for that reason"),
        ("line 3: status: seq 2: a paid record cannot have a failure reason (CARD_LOST)",
         "第 3 行，状态：序号 2：成功的记录不能有失败原因（卡已挂失或换卡）",
         "line 3: status: seq 2: a paid record cannot have a failure reason (CARD_LOST)"),
        ("line 4: status: seq 3: unknown outcome 'MAYBE'", "第 4 行，状态：序号 3：未知的处理结果 'MAYBE'",
         "line 4: status: seq 3: unknown outcome 'MAYBE'"),
        ("line 5: bank_code: seq 4: unknown failure reason 'FROZEN'", "第 5 行，银行代码：序号 4：未知的失败原因 'FROZEN'",
         "line 5: bank_code: seq 4: unknown failure reason 'FROZEN'"),
        ("line 6: seq: seq 4 does not follow 4: seq must increase", "第 6 行，序号：序号 4 不大于前一个序号 4：序号必须递增",
         "line 6: seq: seq 4 does not follow 4: seq must increase"),
        ("line 1: count: header says 4 records, 5 were given", "第 1 行，笔数：文件头记载 4 笔记录，实际给出 5 笔",
         "line 1: count: header says 4 records, 5 were given"),
        ("line 1: failed_fen: header says 11 fen failed, the records have 10",
         "第 1 行，失败金额（分）：文件头记载失败金额（分） 11，记录中为 10",
         "line 1: failed_fen: header says 11 fen failed, the records have 10"),
    ]


def test_the_delimited_familys_result_writer_says_a_count_that_is_not_paid_and_failed_in_words():
    header = dataclasses.replace(SAMPLE_RESULT_HEADER, count=5)  # 1 paid + 3 failed
    assert written_problems(UTF8.write_results, header, SAMPLE_RECORDS) == [
        ("line 1: count: count 5 is not paid 1 + failed 3", "第 1 行，笔数：笔数 5 不等于成功 1 笔 + 失败 3 笔",
         "line 1: count: count 5 is not paid 1 + failed 3")]


def test_the_delimited_familys_payment_writer_names_what_a_record_lacks_in_words():
    kind = dataclasses.replace(SAMPLE_LINES[0], account_kind="DEBIT")
    amount = kind.amount_fen
    # two lines given, the header says three and a fen more than the line that has an amount
    header = dataclasses.replace(SAMPLE_HEADER, count=3, total_fen=amount + 1)
    problems = written_problems(UTF8.write_payments, header, [kind, "not a line"])
    assert problems[:4] == [
        ("line 2: account_kind: seq 1: unknown account kind 'DEBIT'", "第 2 行，账户类型：序号 1：未知的账户类型 'DEBIT'",
         "line 2: account_kind: seq 1: unknown account kind 'DEBIT'"),
        ("line 3: seq: seq <missing> is not a positive integer of at most 18 digits",
         "第 3 行，序号：序号 <missing> 不是不超过 18 位的正整数",
         "line 3: seq: seq <missing> is not a positive integer of at most 18 digits"),
        ("line 3: amount_fen: amount_fen is missing", "第 3 行，金额：没有给出金额", "line 3: amount_fen: amount_fen is missing"),
        ("line 3: account_kind: unknown account kind <missing>", "第 3 行，账户类型：未知的账户类型 <missing>",
         "line 3: account_kind: unknown account kind <missing>"),
    ]
    texts = problems[4:-2]
    assert len(texts) == 9 and all(english.endswith(": is missing") and chinese.endswith("：没有给出")
                                   for english, chinese, _ in texts)
    assert problems[-2:] == [
        ("line 1: count: header says 3 lines, 2 were given", "第 1 行，笔数：文件头记载 3 行，实际给出 2 行",
         "line 1: count: header says 3 lines, 2 were given"),
        (f"line 1: total_fen: header says {amount + 1} fen, the lines add up to {amount}",
         f"第 1 行，总金额（分）：文件头记载 {amount + 1} 分，各行合计 {amount} 分",
         f"line 1: total_fen: header says {amount + 1} fen, the lines add up to {amount}"),
    ]


def engine_worded_layout() -> LayoutFormat:
    """The delimited family's declaration in the engine's own words, its problems still said after
    "seq S: " at their line (``seq_in = "message"``, as the family declares)."""
    raw = builtin("delimited")
    for kind in ("payments", "results"):
        raw[kind]["wording"] = "layout"
    return LayoutFormat(declaration=raw)


def test_a_writer_that_puts_the_seq_in_the_message_keeps_the_words_of_the_refusal():
    fmt = engine_worded_layout()
    lines = [dataclasses.replace(SAMPLE_LINES[0], name="王|伟"), SAMPLE_LINES[1], SAMPLE_LINES[0]]
    header = dataclasses.replace(SAMPLE_HEADER, count=3, total_fen=sum(x.amount_fen for x in lines))
    assert written_problems(fmt.write_payments, header, lines) == [
        ("line 2: name: seq 1: holds '|', the field separator", "第 2 行，姓名：序号 1：含有字段分隔符 '|'",
         "line 2: name: seq 1: holds '|', the field separator"),
        ("line 4: seq: seq 1: seq 1 does not follow 2: seqs must increase",
         "第 4 行，序号：序号 1：序号 1 不大于前一个序号 2：序号必须递增",
         "line 4: seq: seq 1: seq 1 does not follow 2: seqs must increase"),
    ]


def test_the_engines_own_totals_are_said_in_words():
    fmt = engine_worded_layout()
    header = dataclasses.replace(SAMPLE_RESULT_HEADER, paid_count=0, failed_count=4)  # 1 paid, 3 failed
    assert written_problems(fmt.write_results, header, SAMPLE_RECORDS) == [
        ("line 1: paid_count: header says 0 paid records, the records give 1",
         "第 1 行，成功笔数：文件头记载成功笔数 0，记录合计为 1",
         "line 1: paid_count: header says 0 paid records, the records give 1"),
        ("line 1: failed_count: header says 4 failed records, the records give 3",
         "第 1 行，失败笔数：文件头记载失败笔数 4，记录合计为 3",
         "line 1: failed_count: header says 4 failed records, the records give 3"),
    ]


def test_a_value_the_writer_is_not_given_is_named():
    trailer = delimited_layout()._files["results"].trailer
    problems = Problems()
    assert trailer.write_slow(None, "line 6", problems, {}) is None
    (problem,) = problems.listed()
    assert (problem.message, shown(problem.stored(), "zh")) == ("missing 'digest'", "第 6 行，第 3 个字段：缺少 'digest'")
    assert shown(problem.stored(), "en") == "line 6: field 3: missing 'digest'"


def test_a_carriage_that_leaves_out_a_text_of_the_line_is_refused_in_words():
    with pytest.raises(ValueError) as info:
        Carriage(family="test", encoding="gbk", encoding_label="GBK", in_bytes=True, line=[TextField("name")],
                 header=[], max_amount_fen=1, max_total_fen=1, max_count=1)
    english = ("a carriage lists every text of a line: name, id_number, account_no, bank_name, subsidy_item, remark, "
               "phone, address, household_no")
    words = why(info.value)
    assert (str(info.value), str(words)) == (english, english)
    assert say(words.key, "zh", **dict(words.fields)).startswith("格式的可承载字段表必须列出付款明细的每个文本字段：name, ")


# --- every problem has words -------------------------------------------------------------------

DIGEST_LINES = (b"S|SHA256\n", b"S|MD5|" + b"0" * 64 + b"\n", b"S|SHA256|xyz\n", "S|SHA256|é\n".encode(),
                b"S|SHA256|" + b"0" * 64 + b"\n", b"S|SHA256|" + b"0" * 64 + b"|\n", b"S|SM3|")


def damaged(data: bytes):
    """``data`` cut at 40 places, with a line more after its end, twice over, without its digest
    line, and each line left out, with a separator less or more, with bytes no encoding has in
    front; its body with each wrong digest line."""
    lines = data.splitlines(keepends=True)
    for cut in range(0, len(data), max(1, len(data) // 40)):
        yield data[:cut]
    yield data + b"D|9\n"
    yield data + data
    for i in range(len(lines)):
        yield b"".join(lines[:i] + lines[i + 1:])
        yield b"".join(lines[:i] + [lines[i].replace(b"|", b"", 1)] + lines[i + 1:])
        yield b"".join(lines[:i] + [lines[i].replace(b"|", b"||", 1)] + lines[i + 1:])
        yield b"".join(lines[:i] + [b"\xff\xfe" + lines[i]] + lines[i + 1:])
    for digest_line in DIGEST_LINES:
        yield b"".join(lines[:-1]) + digest_line


def test_every_problem_of_damaged_files_read_through_the_line_scanner_has_words():
    seen, without = 0, set()
    for fmt in (UTF8, GBK, YUAN):
        for read, data in ((fmt.read_payments, write_payments(fmt)), (fmt.read_results, write_results(fmt)),
                           (fmt.read_statement, write_statement(fmt))):
            for bad in damaged(data):
                found, unworded = problems_without_words(read, bad, "x.txt")
                seen += found
                without |= unworded
    assert seen > 1000  # the damage was found
    assert not without, sorted(without)[:20]


def test_these_modules_say_their_problems_and_refusals_in_words():
    """(Each with exactly its words' arguments: tests/unit/i18n/test_catalogue_keys_made.py.)"""
    made = [m for m in made_in(ROOT / module for module in MODULES) if m.key]
    assert len(made) > 50  # the scan found them


def test_no_plain_english_is_left_in_these_modules():
    """No ``raise ValueError("...")`` and no problem added as a written-out text."""
    for module in MODULES:
        for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ValueError":
                assert not node.args or not isinstance(node.args[0], (ast.Constant, ast.JoinedStr)), \
                    f"{module}:{node.lineno}: a ValueError without words"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add" \
                    and len(node.args) == 3:
                assert not isinstance(node.args[2], (ast.Constant, ast.JoinedStr)), \
                    f"{module}:{node.lineno}: a problem without words"
