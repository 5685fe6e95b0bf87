"""Fixed-width GBK: the layout, round trips, and what the writers and readers refuse."""
from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timedelta, timezone

import pytest

import bank_formats
from bank_formats import fixed_width_gbk as fw
from bank_formats.base import FormatError, Problem
from bank_formats.fixed_width_gbk import FixedWidthGbkFormat
from domain.model import (
    AccountKind,
    FailureReason,
    PaymentLine,
    PaymentOutcome,
    ResultRecord,
)
from tests.unit.bank_formats.test_fixed_width_gbk_support import (
    ALL_FORMATS,
    CST,
    FMT,
    FMT_18030,
    FMT_LF,
    MAX_AMOUNT,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    read_payments,
    read_problems,
    read_results,
    write_payment_problems,
    write_payments,
    write_result_problems,
    write_results,
)


def header_for(lines, **changes):
    lines = list(lines)
    values = {"count": len(lines), "total_fen": sum(x.amount_fen for x in lines), **changes}
    return dataclasses.replace(SAMPLE_HEADER, **values)


def line(seq, **changes):
    base = PaymentLine(seq=seq, name=f"张三{seq}", id_number=f"11010119900101{seq:04d}",
                       account_no=f"6222{seq:015d}", amount_fen=100 * seq)
    return dataclasses.replace(base, **changes)


def result_header_for(records, **changes):
    records = list(records)
    paid = [r for r in records if r.outcome == PaymentOutcome.PAID]
    failed = [r for r in records if r.outcome != PaymentOutcome.PAID]
    values = {"count": len(records), "paid_count": len(paid),
              "paid_fen": sum(r.amount_fen for r in paid), "failed_count": len(failed),
              "failed_fen": sum(r.amount_fen for r in failed), **changes}
    return dataclasses.replace(SAMPLE_RESULT_HEADER, **values)


def record(seq, outcome=PaymentOutcome.PAID, **changes):
    base = ResultRecord(seq=seq, outcome=outcome, amount_fen=100 * seq,
                        account_no=f"6222{seq:015d}")
    return dataclasses.replace(base, **changes)


def round_trip(fmt, lines, **header_changes):
    header = header_for(lines, **header_changes)
    got_header, got = read_payments(fmt, write_payments(fmt, header, lines))
    assert got_header == header
    assert got == list(lines)
    return got_header, got


# --- the format object and its layout ----------------------------------------------------------


def test_name_suffix_and_options():
    assert (FMT.name, FMT.file_suffix) == ("fixed_width_gbk", ".txt")
    assert (FMT.encoding, FMT.line_ending) == ("gbk", "\r\n")
    assert FixedWidthGbkFormat(schema_dir=None, encoding="GB18030").encoding == "gb18030"
    assert FixedWidthGbkFormat("/no/schemas/here").line_ending == "\r\n"  # no schema to load
    with pytest.raises(ValueError, match="encoding"):
        FixedWidthGbkFormat(encoding="utf-8")
    with pytest.raises(ValueError, match="line_ending"):
        FixedWidthGbkFormat(line_ending="\r")


def test_the_registry_builds_the_format():
    if "fixed_width_gbk" not in bank_formats.names():
        pytest.skip("fixed_width_gbk is not registered in bank_formats yet")
    fmt = bank_formats.get("fixed_width_gbk")
    assert isinstance(fmt, FixedWidthGbkFormat)
    assert (fmt.encoding, fmt.line_ending) == ("gbk", "\r\n")


def test_the_docstring_tables_are_the_layouts():
    for layout, length in ((fw.PAYMENT_HEADER, 615), (fw.PAYMENT_DETAIL, 485),
                           (fw.RESULT_HEADER, 191), (fw.RESULT_DETAIL, 164),
                           (fw.RESULT_DETAIL_REF, 259)):
        assert layout.length == length == layout.struct.size
        for row in layout.describe().splitlines():
            assert "    " + row + "\n" in fw.__doc__, row
        assert f"{length} bytes::" in fw.__doc__


def test_the_docstring_code_table_is_the_mapping():
    for reason, code in fw.REASON_TO_CODE.items():
        assert f"{code}  FAILED  {reason.value}" in fw.__doc__
    assert fw.REASON_TO_CODE == {
        FailureReason.ACCOUNT_NOT_FOUND: "1001", FailureReason.NAME_MISMATCH: "1002",
        FailureReason.ACCOUNT_CLOSED: "1003", FailureReason.ACCOUNT_FROZEN: "1004",
        FailureReason.ID_MISMATCH: "1005", FailureReason.CARD_LOST: "1006",
        FailureReason.OTHER: "9999",
    }


def test_records_are_laid_out_byte_by_byte():
    data = write_payments(FMT, SAMPLE_HEADER, SAMPLE_LINES)
    records = data.split(b"\r\n")
    assert records[-1] == b"" and len(records) == 5  # every record ends with CRLF
    head, first, second, third = records[:4]
    assert len(head) == 615 and {len(first), len(second), len(third)} == {485}
    assert head[:48] == b"HB2026110501" + b" " * 24 + b"PAY-20261105"
    assert head[280:327] == b"0000000003" + b"%018d" % SAMPLE_HEADER.total_fen + (
        b"20261105093000+0800")
    assert head[327:335] == b"20261106"
    assert first[:11] == b"D0000000001"
    assert first[11:45] == b"6222021234567890123".ljust(34)
    assert first[45:105] == "艾力·买买提".encode("gbk").ljust(60)
    assert "艾力·买买提".encode("gbk") == b"\xb0\xac\xc1\xa6\xa1\xa4\xc2\xf2\xc2\xf2\xcc\xe1"
    assert first[105:120] == b"000000000123456"
    assert first[152:153] == b"1"
    assert second[105:120] == b"999999999999999" and second[152:153] == b"2"
    assert third[152:153] == b"3" and third[153:] == b" " * 332  # all optional fields empty


def test_result_records_are_laid_out_byte_by_byte():
    data = write_results(FMT, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    head, paid, failed, other, end = data.split(b"\r\n")
    assert end == b"" and len(head) == 191 and {len(paid), len(failed), len(other)} == {164}
    assert head[106:] == (b"20261106180000+0800" b"0000000003" b"0000000001"
                          b"000000000000123456" b"0000000002" b"001000000000000000")
    assert paid[60:] == b"0000" + b" " * 100
    assert failed[60:64] == b"1001" and failed[64:].rstrip() == "账户不存在".encode("gbk")
    assert other[60:64] == b"E042"


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_FORMATS, ids=["gbk-crlf", "gb18030", "lf"])
def test_sample_round_trip(fmt):
    round_trip(fmt, SAMPLE_LINES)
    data = write_results(fmt, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    assert read_results(fmt, data) == (SAMPLE_RESULT_HEADER, list(SAMPLE_RECORDS))


def test_every_field_filled_to_its_width():
    full = PaymentLine(
        seq=fw.MAX_SEQ,
        name="阿" * 29 + "·",  # 60 bytes
        id_number="X" * 32,
        account_no="9" * 34,
        amount_fen=MAX_AMOUNT,
        account_kind=AccountKind.SOCIAL_SECURITY_CARD,
        bank_name="银" * 30,
        subsidy_item="补" * 20,
        remark="注" * 30,
        phone="+86-138-0013-8000 12",
        address="址" * 59 + "12",
        household_no="户" * 16,
    )
    header = header_for([full], batch_id="B" * 35, file_id="F" * 35, payer_account="1" * 34,
                        payer_name="财" * 70, bank_code="C" * 35, purpose="目" * 140)
    data = write_payments(FMT, header, [full])
    assert len(data) == 615 + 2 + 485 + 2
    assert read_payments(FMT, data) == (header, [full])


def test_empty_optional_fields_and_smallest_values():
    lines = [line(1, amount_fen=0), line(2, amount_fen=1, phone="", remark="")]
    round_trip(FMT, lines, purpose="")


def test_names_with_middle_dots_and_rare_characters_that_gbk_has():
    names = ["阿卜杜热合曼·买买提", "玛依拉·艾则孜", "燚", "堃喆赟", "玥旸镕昇", "﨑",
             "王\u3000小明",
             "Ａｌｉｃｅ", "O'Brien-Smith", "李 四", "张<三>"]
    lines = [line(i + 1, name=n, address=n, remark=n) for i, n in enumerate(names)]
    round_trip(FMT, lines)
    round_trip(FMT_18030, lines)


def test_gb18030_writes_what_gbk_cannot():
    lines = [line(1, name="𠮷䶮"), line(2, name="😀€", address="\u00a0x")]
    round_trip(FMT_18030, lines)
    data = write_payments(FMT_18030, header_for(lines), lines)
    assert "𠮷".encode("gb18030") in data and len("𠮷".encode("gb18030")) == 4


def test_texts_that_are_not_plain_ascii_in_id_fields_read_back():
    # the readers decode account numbers and the like as ASCII first, GBK when that fails
    lines = [line(1, account_no="存折0001", id_number="护照E1234", phone="（0371）1234",
                  household_no="户-7")]
    round_trip(FMT, lines)


def test_many_lines_cross_the_writers_buffer_and_readers_pieces():
    lines = [line(i, name="测" * (i % 30 + 1), bank_name=f"银行{i % 7}") for i in range(1, 3001)]
    round_trip(FMT, lines)
    round_trip(FMT_LF, lines)


@pytest.mark.parametrize(
    "created_at",
    [
        datetime(2026, 11, 5, 9, 30, 15, tzinfo=CST),
        datetime(2026, 11, 5, 9, 30, 15, tzinfo=timezone.utc),
        datetime(2026, 11, 5, 9, 30, 15, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
        datetime(2026, 11, 5, 9, 30, 15),  # no time zone
        datetime(1, 1, 1, 0, 0, 0),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=14))),
    ],
)
def test_date_times_round_trip_to_the_second(created_at):
    header, _ = round_trip(FMT, SAMPLE_LINES, created_at=created_at)
    assert header.created_at.utcoffset() == created_at.utcoffset()
    rheader = dataclasses.replace(SAMPLE_RESULT_HEADER, created_at=created_at)
    got, _ = read_results(FMT, write_results(FMT, rheader, SAMPLE_RECORDS))
    assert got == rheader


def test_fractions_of_a_second_are_dropped():
    created = datetime(2026, 11, 5, 9, 30, 15, 999_999, tzinfo=timezone.utc)
    header = header_for(SAMPLE_LINES, created_at=created)
    got, _ = read_payments(FMT, write_payments(FMT, header, SAMPLE_LINES))
    assert got.created_at == created.replace(microsecond=0)


def test_the_header_is_there_before_iterating_and_lines_stream():
    data = write_payments(FMT, header_for(SAMPLE_LINES), SAMPLE_LINES)
    reader = FMT.read_payments(io.BytesIO(data), "p.txt")
    assert reader.header == SAMPLE_HEADER
    it = iter(reader)
    assert next(it) == SAMPLE_LINES[0]
    assert list(reader) == list(SAMPLE_LINES[1:])  # iterating again goes on where it stopped


def test_a_batch_without_lines():
    header = header_for([])
    assert read_payments(FMT, write_payments(FMT, header, [])) == (header, [])


# --- the writers refuse, naming the line and the field ---------------------------------------


def test_a_value_too_wide_is_refused_not_cut():
    lines = [line(1), line(2, name="阿" * 31), line(3, account_no="1" * 35),
             line(4, address="址" * 60 + "x")]
    assert write_payment_problems(header_for(lines), lines) == [
        Problem("line 3 (seq 2)", "name", "is 62 bytes in GBK; the field holds 60"),
        Problem("line 4 (seq 3)", "account_no", "is 35 bytes in GBK; the field holds 34"),
        Problem("line 5 (seq 4)", "address", "is 121 bytes in GBK; the field holds 120"),
    ]


def test_a_character_gbk_lacks_is_refused():
    lines = [line(1, name="𠮷䶮"), line(2, remark="发放😀"), line(3, bank_name="€")]
    assert write_payment_problems(header_for(lines), lines) == [
        Problem("line 2 (seq 1)", "name", "character '𠮷' (U+20BB7) cannot be written in GBK"),
        Problem("line 3 (seq 2)", "remark", "character '😀' (U+1F600) cannot be written in GBK"),
        Problem("line 4 (seq 3)", "bank_name", "character '€' (U+20AC) cannot be written in GBK"),
    ]


def test_texts_that_would_not_read_back_are_refused():
    lines = [line(1, name="张三\r\n"), line(2, address="某村 "), line(3, phone="\t138"),
             line(4, id_number=""), line(5, remark=" "), line(6, household_no="\x7f")]
    assert write_payment_problems(header_for(lines), lines) == [
        Problem("line 2 (seq 1)", "name", "holds a control character (U+000D)"),
        Problem("line 3 (seq 2)", "address", "ends with a space, which reads back as padding"),
        Problem("line 4 (seq 3)", "phone", "holds a control character (U+0009)"),
        Problem("line 5 (seq 4)", "id_number", "is empty"),
        Problem("line 6 (seq 5)", "remark", "ends with a space, which reads back as padding"),
        Problem("line 7 (seq 6)", "household_no", "holds a control character (U+007F)"),
    ]


def test_numbers_kinds_and_types_are_checked():
    lines = [line(1, amount_fen=-1), line(2, amount_fen=MAX_AMOUNT + 1), line(3, amount_fen=1.5),
             line(4, account_kind="DEBIT"), line(5, name=None), line(6, amount_fen=True),
             line(0), line(10**10)]
    header = header_for([], count=8, total_fen=0)
    assert write_payment_problems(header, lines) == [
        Problem("line 2 (seq 1)", "amount_fen", "-1 is not within 0..999999999999999 fen"),
        Problem("line 3 (seq 2)", "amount_fen",
                "1000000000000000 is not within 0..999999999999999 fen"),
        Problem("line 4 (seq 3)", "amount_fen", "must be an int, got float"),
        Problem("line 5 (seq 4)", "account_kind", "unknown account kind 'DEBIT'"),
        Problem("line 6 (seq 5)", "name", "must be a text, got NoneType"),
        Problem("line 7 (seq 6)", "amount_fen", "must be an int, got bool"),
        Problem("line 8 (seq 0)", "seq", "0 is not within 1..9999999999"),
        Problem("line 9 (seq 10000000000)", "seq", "10000000000 is not within 1..9999999999"),
        Problem("line 1", "total_fen", "header says 0 fen, the lines add up to 1000000000900"),
    ]


def test_seqs_must_increase():
    lines = [line(1), line(3), line(3), line(2), line(4)]
    assert write_payment_problems(header_for(lines), lines) == [
        Problem("line 4 (seq 3)", "seq", "seq 3 does not follow 3: seqs must increase"),
        Problem("line 5 (seq 2)", "seq", "seq 2 does not follow 3: seqs must increase"),
    ]


def test_account_kinds_given_as_plain_texts_are_written():
    lines = [line(1, account_kind="PASSBOOK")]
    _, got = read_payments(FMT, write_payments(FMT, header_for(lines), lines))
    assert got[0].account_kind is AccountKind.PASSBOOK


def test_control_totals_are_checked_after_the_lines():
    lines = [line(1), line(2)]
    assert write_payment_problems(header_for(lines, count=3, total_fen=1), lines) == [
        Problem("line 1", "count", "header says 3 lines, 2 were given"),
        Problem("line 1", "total_fen", "header says 1 fen, the lines add up to 300"),
    ]


def test_header_values_are_checked():
    header = header_for(SAMPLE_LINES, payer_name="财" * 71, batch_id="", bank_code="ICBC\n",
                        created_at=datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=30))),
                        requested_date=datetime(2026, 1, 1), count=-1, purpose="😀")
    assert write_payment_problems(header, SAMPLE_LINES) == [
        Problem("line 1", "batch_id", "is empty"),
        Problem("line 1", "payer_name", "is 142 bytes in GBK; the field holds 140"),
        Problem("line 1", "bank_code", "holds a control character (U+000A)"),
        Problem("line 1", "count", "-1 is not within 0..9999999999"),
        Problem("line 1", "created_at", "time zone offset 0:00:30 is not a whole number of "
                                        "minutes"),
        Problem("line 1", "requested_date", "must be a date, got datetime"),
        Problem("line 1", "purpose", "character '😀' (U+1F600) cannot be written in GBK"),
        Problem("line 1", "count", "header says -1 lines, 3 were given"),
    ]


def test_many_bad_lines_are_listed_up_to_a_limit():
    lines = [line(i, name="") for i in range(1, 1201)]
    problems = write_payment_problems(header_for(lines), lines)
    assert len(problems) == 1001
    assert problems[-1] == Problem("file", "*", "200 more problems not listed")


# --- result codes ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(FailureReason))
def test_each_reason_is_written_as_its_code_and_read_back(reason):
    records = [record(1, PaymentOutcome.FAILED, reason=reason, bank_text="失败")]
    _, got = read_results(FMT, write_results(FMT, result_header_for(records), records))
    assert got == [dataclasses.replace(records[0], bank_code=fw.REASON_TO_CODE[reason])]


@pytest.mark.parametrize(
    ("code", "text", "reason"),
    [
        ("1001", "账户不存在", FailureReason.ACCOUNT_NOT_FOUND),
        ("1002", "户名不符", FailureReason.NAME_MISMATCH),
        ("1003", "账户已销户", FailureReason.ACCOUNT_CLOSED),
        ("1004", "账户冻结", FailureReason.ACCOUNT_FROZEN),
        ("1005", "证件号码不符", FailureReason.ID_MISMATCH),
        ("1006", "卡已挂失/换卡", FailureReason.CARD_LOST),
        ("9999", "其他", FailureReason.OTHER),
        ("E042", "账户状态异常", FailureReason.OTHER),
        ("7", "", FailureReason.OTHER),
        ("ABCD", "未知错误 code=ABCD", FailureReason.OTHER),
    ],
)
def test_the_banks_codes_are_read_as_reasons_and_kept_verbatim(code, text, reason):
    records = [record(1, PaymentOutcome.FAILED, reason=reason, bank_code=code, bank_text=text)]
    data = write_results(FMT, result_header_for(records), records)
    assert data.split(b"\r\n")[1][60:64] == code.encode().ljust(4)
    _, got = read_results(FMT, data)
    assert got == records


def test_a_failure_without_a_reason_is_written_as_other():
    records = [record(1, PaymentOutcome.FAILED, bank_text="？")]
    _, got = read_results(FMT, write_results(FMT, result_header_for(records), records))
    assert (got[0].reason, got[0].bank_code, got[0].bank_text) == (FailureReason.OTHER, "9999",
                                                                   "？")


def test_paid_records_read_back_without_a_code_and_keep_their_text():
    records = [record(1), record(2, bank_text="交易成功")]
    _, got = read_results(FMT, write_results(FMT, result_header_for(records), records))
    assert got == records


def test_result_records_that_would_not_read_back_are_refused():
    F, P = PaymentOutcome.FAILED, PaymentOutcome.PAID
    records = [
        record(1, F, reason=FailureReason.ACCOUNT_FROZEN, bank_code="E042"),
        record(2, F, reason=FailureReason.OTHER, bank_code="1001"),
        record(3, F, reason=FailureReason.CARD_LOST, bank_code="10061"),
        record(4, F, bank_code="0000"),
        record(5, P, bank_code="0000"),
        record(6, P, reason=FailureReason.OTHER),
        record(7, "RETURNED"),
        record(8, F, bank_code="E 1"),
        record(9, F, reason="LOST"),
        record(10, F, bank_text="原" * 51),
        record(11, account_no="账号" * 9),
        record(12, F, reason=FailureReason.OTHER, bank_code="A-1"),
    ]
    header = result_header_for(records[:0], count=12, failed_count=12)
    problems = write_result_problems(header, records)
    assert problems[:12] == [
        Problem("line 2 (seq 1)", "status_code",
                "bank code E042 reads back as OTHER, not ACCOUNT_FROZEN; leave bank_code empty "
                "to write 1004"),
        Problem("line 3 (seq 2)", "status_code",
                "bank code 1001 reads back as ACCOUNT_NOT_FOUND, not OTHER; leave bank_code "
                "empty to write 9999"),
        Problem("line 4 (seq 3)", "status_code",
                "bank code '10061' is not 1 to 4 ASCII letters and digits"),
        Problem("line 5 (seq 4)", "status_code", "0000 means paid; the record failed"),
        Problem("line 6 (seq 5)", "status_code",
                "a paid record has no bank code (the file says 0000), got '0000'"),
        Problem("line 7 (seq 6)", "status_code",
                "a paid record cannot have a failure reason (OTHER)"),
        Problem("line 8 (seq 7)", "status_code", "unknown outcome 'RETURNED'"),
        Problem("line 9 (seq 8)", "status_code",
                "bank code 'E 1' is not 1 to 4 ASCII letters and digits"),
        Problem("line 10 (seq 9)", "status_code", "unknown failure reason 'LOST'"),
        Problem("line 11 (seq 10)", "bank_text", "is 102 bytes in GBK; the field holds 100"),
        Problem("line 12 (seq 11)", "account_no", "is 36 bytes in GBK; the field holds 34"),
        Problem("line 13 (seq 12)", "status_code",
                "bank code 'A-1' is not 1 to 4 ASCII letters and digits"),
    ]


def test_result_control_totals_are_checked():
    records = [record(1), record(2, PaymentOutcome.FAILED, reason=FailureReason.NAME_MISMATCH)]
    header = result_header_for(records, count=3, paid_count=2, paid_fen=300, failed_count=1,
                               failed_fen=1)
    assert write_result_problems(header, records) == [
        Problem("line 1", "count", "header says 3 records, the records give 2"),
        Problem("line 1", "paid_count", "header says 2 paid records, the records give 1"),
        Problem("line 1", "paid_fen", "header says 300 fen paid, the records give 100"),
        Problem("line 1", "failed_fen", "header says 1 fen failed, the records give 200"),
    ]
    header = result_header_for(records, count=5)
    assert write_result_problems(header, records)[0] == Problem(
        "line 1", "count", "count 5 is not paid 1 + failed 1")


# --- the readers ----------------------------------------------------------------------------


def _payments(*changes) -> bytes:
    """The sample payment file with (line number, 1-based byte, new bytes) changes."""
    lines = write_payments(FMT, SAMPLE_HEADER, SAMPLE_LINES).split(b"\r\n")
    for n, start, value in changes:
        lines[n - 1] = lines[n - 1][: start - 1] + value + lines[n - 1][start - 1 + len(value):]
    return b"\r\n".join(lines)


def _results(*changes) -> bytes:
    lines = write_results(FMT, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS).split(b"\r\n")
    for n, start, value in changes:
        lines[n - 1] = lines[n - 1][: start - 1] + value + lines[n - 1][start - 1 + len(value):]
    return b"\r\n".join(lines)


def test_the_sample_reads_back_through_the_fast_and_the_careful_path():
    assert read_payments(FMT, _payments()) == (SAMPLE_HEADER, list(SAMPLE_LINES))


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ([(2, 1, b"X")], [Problem("line 2", "record_type", "record type 'X'; expected 'D'")]),
        ([(3, 1, b"H")], [Problem("line 3", "record_type",
                                  "a second header record; expected 'D'")]),
        ([(2, 2, b"00000000a1")], [Problem("line 2", "seq", "'00000000a1' is not a number "
                                                            "(10 digits)")]),
        ([(2, 2, b"0000000000")], [Problem("line 2", "seq", "0 is less than 1")]),
        ([(3, 2, b"0000000001")], [Problem("line 3", "seq",
                                           "seq 1 does not follow 1: seqs must increase")]),
        ([(4, 2, b"0000000001")], [Problem("line 4", "seq",
                                           "seq 1 does not follow 2: seqs must increase")]),
        ([(2, 153, b"9")], [Problem("line 2", "account_kind",
                                    "'9' is not an account kind (1, 2, 3)")]),
        ([(2, 46, b" " * 60)], [Problem("line 2", "name", "is empty")]),
        ([(2, 46, b"\t ")], [Problem("line 2", "name", "holds a control character (U+0009)")]),
        ([(2, 12, b"\xff")], [Problem("line 2", "account_no",
                                      "is not valid GBK: b'\\xff' at byte 12 of the record")]),
        ([(2, 106, b"+00000000123456")], [Problem("line 2", "amount_fen", "'+00000000123456' "
                                                                          "is not a number "
                                                                          "(15 digits)")]),
        ([(2, 106, b"000000000123457")], [Problem("line 1", "total_fen",
                                                  "header says 1000000000123456 fen, the "
                                                  "records add up to 1000000000123457")]),
    ],
)
def test_payment_record_problems(changes, problems):
    assert read_problems("payments", _payments(*changes)) == problems


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ([(1, 1, b"D")], [Problem("line 1", "record_type", "record type 'D'; expected 'H'")]),
        ([(1, 281, b"         x")], [Problem("line 1", "count", "'         x' is not a "
                                                               "number (10 digits)")]),
        ([(1, 309, b"20261131")], [Problem("line 1", "created_at", "'20261131093000+0800' is "
                                                                  "not a valid date and time")]),
        ([(1, 323, b"+2400")], [Problem("line 1", "created_at",
                                        "'+2400' is not a valid UTC offset")]),
        ([(1, 323, b"Z    ")], [Problem("line 1", "created_at",
                                        "'Z    ' is not a UTC offset (+HHMM, -HHMM or five "
                                        "spaces)")]),
        ([(1, 328, b"2026-11-")], [Problem("line 1", "requested_date",
                                           "'2026-11-' is not a date (YYYYMMDD)")]),
        ([(1, 328, b"20260229")], [Problem("line 1", "requested_date",
                                           "'20260229' is not a valid date")]),
        ([(1, 2, b" " * 35)], [Problem("line 1", "batch_id", "is empty")]),
    ],
)
def test_payment_header_problems_are_raised_by_read_payments(changes, problems):
    with pytest.raises(FormatError) as info:
        FMT.read_payments(io.BytesIO(_payments(*changes)), "p.txt")
    assert info.value.problems == problems


def test_the_header_record_must_come_first():
    data = _payments().split(b"\r\n", 1)[1]
    assert read_problems("payments", data) == [
        Problem("line 1", "record", "the record is 485 bytes long; a payment file header "
                                    "record is 615")]
    assert read_problems("payments", b"") == [
        Problem("line 1", "record", "the file is empty: no header record")]


def test_line_endings_must_be_the_formats():
    crlf = _payments()
    lf = crlf.replace(b"\r\n", b"\n")
    assert read_payments(FMT_LF, lf) == (SAMPLE_HEADER, list(SAMPLE_LINES))
    assert read_problems("payments", lf) == [
        Problem("line 1", "line_ending", "the record ends with LF; records end with CRLF")]
    one = crlf.replace(b"\r\nD0000000002", b"\nD0000000002")
    assert read_problems("payments", one) == [
        Problem("line 2", "line_ending", "the record ends with LF; records end with CRLF")]
    assert read_problems("payments", crlf, FMT_LF) == [
        Problem("line 1", "record", "the record is 616 bytes long; a payment file header "
                                    "record is 615")]


def test_a_file_cut_short_is_reported():
    data = _payments()
    assert read_problems("payments", data[:-2]) == [
        Problem("line 4", "record", "the file ends without a line ending after this record "
                                    "(CRLF): it is cut short")]
    assert read_problems("payments", data[:-1]) == read_problems("payments", data[:-2])
    assert read_problems("payments", data[:-100]) == [
        Problem("line 4", "record", "the file ends in the middle of a record (387 of 485 "
                                    "bytes): it is cut short")]
    assert read_problems("payments", data[:100]) == [
        Problem("line 1", "record", "the file ends in the middle of a record (100 of 615 "
                                    "bytes): it is cut short")]


def test_lines_after_the_last_record_are_reported():
    assert read_problems("payments", _payments() + b"\r\n") == [
        Problem("line 5", "record", "the record is 0 bytes long; a payment file detail record "
                                    "is 485"),
        Problem("line 1", "count", "header says 3 records, the file has 4"),
    ]
    assert read_problems("payments", _payments() + b"\x1a") == [
        Problem("line 5", "record", "the file ends in the middle of a record (1 of 485 bytes): "
                                    "it is cut short"),
        Problem("line 1", "count", "header says 3 records, the file has 4"),
    ]


def test_an_overlong_line_is_reported_without_being_kept():
    data = _payments()
    cut = data.index(b"\r\nD0000000002") + 2
    # a line in one piece read is measured; a longer one is not kept to be measured
    assert read_problems("payments", data[:cut] + b"X" * 100_000 + data[cut:]) == [
        Problem("line 3", "record", "the record is 100485 bytes long; a payment file detail "
                                    "record is 485"),
    ]
    assert read_problems("payments", data[:cut] + b"X" * 1_000_000 + data[cut:]) == [
        Problem("line 3", "record", "the record is longer than 8192 bytes; a payment file "
                                    "detail record is 485"),
    ]
    assert read_problems("payments", b"H" * 100_000) == [
        Problem("line 1", "record", "the record is longer than 8192 bytes; a payment file "
                                    "header record is 615"),
    ]


def test_records_before_a_problem_are_yielded():
    data = _payments((3, 106, b"x"))
    reader = FMT.read_payments(io.BytesIO(data), "p.txt")
    got = []
    with pytest.raises(FormatError) as info:
        for item in reader:
            got.append(item)
    assert got == [SAMPLE_LINES[0], SAMPLE_LINES[2]]
    assert info.value.file == "p.txt"
    assert info.value.problems == [
        Problem("line 3", "amount_fen", "'x99999999999999' is not a number (15 digits)")]


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ([(2, 61, b"    ")], [Problem("line 2", "status_code", "is empty")]),
        ([(2, 61, b"00-0")], [Problem("line 2", "status_code", "'00-0' is not a status code "
                                                               "(ASCII letters and digits)")]),
        ([(2, 61, b"1001")], [
            Problem("line 1", "paid_count", "header says 1 paid records, the records give 0"),
            Problem("line 1", "paid_fen", "header says 123456 fen paid, the records give 0"),
            Problem("line 1", "failed_count", "header says 2 failed records, the records give 3"),
            Problem("line 1", "failed_fen",
                    "header says 1000000000000000 fen failed, the records give "
                    "1000000000123456"),
        ]),
        ([(3, 2, b"0000000003")], [Problem("line 4", "seq",
                                           "seq 3 does not follow 3: seqs must increase")]),
        ([(3, 65, b"\xff")], [Problem("line 3", "bank_text",
                                      "is not valid GBK: b'\\xff' at byte 65 of the record")]),
        ([(1, 126, b"0000000004")], [Problem("line 1", "count",
                                             "count 4 is not paid 1 + failed 2")]),
    ],
)
def test_result_problems(changes, problems):
    assert read_problems("results", _results(*changes)) == problems


def test_result_codes_the_reader_maps():
    rows = [(b"0000", PaymentOutcome.PAID, None, ""),
            (b"1001", PaymentOutcome.FAILED, FailureReason.ACCOUNT_NOT_FOUND, "1001"),
            (b"1006", PaymentOutcome.FAILED, FailureReason.CARD_LOST, "1006"),
            (b"42  ", PaymentOutcome.FAILED, FailureReason.OTHER, "42"),
            (b"0001", PaymentOutcome.FAILED, FailureReason.OTHER, "0001")]
    for code, outcome, reason, bank_code in rows:
        paid = outcome == PaymentOutcome.PAID
        head = (b"0000000003" + (b"0000000001" if paid else b"0000000000")
                + (b"%018d" % 123456 if paid else b"%018d" % 0)
                + (b"0000000002" if paid else b"0000000003")
                + b"%018d" % (MAX_AMOUNT + 1 + (0 if paid else 123456)))
        data = _results((1, 126, head), (2, 61, code), (3, 61, b"1001"), (4, 61, b"1001"))
        _, got = read_results(FMT, data)
        assert (got[0].outcome, got[0].reason, got[0].bank_code) == (outcome, reason, bank_code)
