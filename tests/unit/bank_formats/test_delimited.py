"""The delimited format: round trips, digests, what the writers refuse, what the readers report."""
from __future__ import annotations

import hashlib
import io
import tracemalloc
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from bank_formats.base import FormatError, Problem
from bank_formats.delimited import (
    CODE_TEXT,
    CODE_TO_REASON,
    REASON_TO_CODE,
    DelimitedFormat,
    new_hasher,
)
from domain.model import (
    AccountKind,
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)
from tests.unit.bank_formats.test_delimited_samples import (
    CST,
    MAX_FEN,
    SAMPLE_HEADER,
    SAMPLE_LINES,
    SAMPLE_RECORDS,
    SAMPLE_RESULT_HEADER,
    UTF8,
    read_payments,
    read_results,
    with_digest,
    write_payments,
    write_results,
)

SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
ALL_CONFIGS = [
    DelimitedFormat(encoding=enc, digest=dig, line_ending=end)
    for enc in ("utf-8", "gbk", "gb18030")
    for dig in ("sha256", "sm3")
    for end in ("\n", "\r\n")
]
ENDING_NAMES = {"\n": "lf", "\r\n": "crlf"}
CONFIG_IDS = [f"{f.encoding}-{f.digest}-{ENDING_NAMES[f.line_ending]}" for f in ALL_CONFIGS]
# characters outside GBK (CJK Extension B and A), found in real names
RARE_LINES = (
    PaymentLine(1, "𠮷田·𪚥", "110101190001011234", "6222000000000000001", 100),
    PaymentLine(2, "䶮", "110101190001011235", "6222000000000000002", 200,
                AccountKind.PASSBOOK, remark="𡈼"),
)


def header_for(lines, **changes) -> PaymentFileHeader:
    return replace(SAMPLE_HEADER, count=len(lines), total_fen=sum(x.amount_fen for x in lines),
                   **changes)


def result_header_for(records, **changes) -> ResultFileHeader:
    paid = [r for r in records if r.outcome == PaymentOutcome.PAID]
    failed = [r for r in records if r.outcome == PaymentOutcome.FAILED]
    return replace(SAMPLE_RESULT_HEADER, count=len(records), paid_count=len(paid),
                   paid_fen=sum(r.amount_fen for r in paid), failed_count=len(failed),
                   failed_fen=sum(r.amount_fen for r in failed), **changes)


def write_problems(fmt, header, lines) -> list[Problem]:
    out = io.BytesIO()
    with pytest.raises(FormatError) as info:
        fmt.write_payments(out, header, lines)
    assert b"S|" not in out.getvalue()  # no digest line: the output never passes as complete
    return info.value.problems


def write_result_problems(fmt, header, records) -> list[Problem]:
    out = io.BytesIO()
    with pytest.raises(FormatError) as info:
        fmt.write_results(out, header, records)
    assert b"\nS|" not in out.getvalue()
    return info.value.problems


def read_problems(read, fmt, data: bytes) -> list[Problem]:
    with pytest.raises(FormatError) as info:
        read(fmt, data, "f.txt")
    assert info.value.file == "f.txt"
    return info.value.problems


# --- digests ---------------------------------------------------------------------------------


def test_sm3_known_answer():
    h = new_hasher("sm3")
    h.update(b"abc")
    assert h.hexdigest() == SM3_ABC
    h = new_hasher("sm3")  # the GB/T 32905 second example: "abcd" 16 times
    h.update(b"abcd" * 16)
    assert h.hexdigest() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


@pytest.mark.parametrize("fmt", ALL_CONFIGS, ids=CONFIG_IDS)
def test_digest_line_is_the_digest_of_every_byte_before_it(fmt):
    data = write_payments(fmt)
    ending = fmt.line_ending.encode()
    body, _, last = data[: -len(ending)].rpartition(ending)
    body += ending
    algorithm, hexdigest = last.decode("ascii").split("|")[1:]
    if fmt.digest == "sha256":
        assert algorithm == "SHA256"
        assert hexdigest == hashlib.sha256(body).hexdigest()
    else:
        assert algorithm == "SM3"
        assert data == with_digest(body, "SM3", ending)
    assert data.endswith(ending)


def test_digest_algorithm_must_be_the_agreed_one():
    data = write_payments(UTF8)
    assert read_problems(read_payments, DelimitedFormat(digest="sm3"), data) == [
        Problem("line 6", "algorithm", "'SHA256' is not the agreed SM3"),
    ]


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_CONFIGS, ids=CONFIG_IDS)
def test_round_trip(fmt):
    header, lines = read_payments(fmt, write_payments(fmt))
    assert header == SAMPLE_HEADER
    assert lines == list(SAMPLE_LINES)
    assert [type(x.account_kind) for x in lines] == [AccountKind] * len(lines)
    header, records = read_results(fmt, write_results(fmt))
    assert header == SAMPLE_RESULT_HEADER
    assert records == list(SAMPLE_RECORDS)


@pytest.mark.parametrize("fmt", [f for f in ALL_CONFIGS if f.encoding != "gbk"],
                         ids=[i for i in CONFIG_IDS if not i.startswith("gbk")])
def test_rare_characters_round_trip_in_utf8_and_gb18030(fmt):
    header = header_for(RARE_LINES)
    got_header, lines = read_payments(fmt, write_payments(fmt, header, RARE_LINES))
    assert got_header == header
    assert lines == list(RARE_LINES)


def test_rare_character_cannot_be_written_in_gbk():
    fmt = DelimitedFormat(encoding="gbk")
    assert write_problems(fmt, header_for(RARE_LINES), RARE_LINES) == [
        Problem("line 2", "name", "seq 1: character '𠮷' (U+20BB7) cannot be written in gbk"),
        Problem("line 3", "name", "seq 2: character '䶮' (U+4DAE) cannot be written in gbk"),
        Problem("line 3", "remark", "seq 2: character '𡈼' (U+2123C) cannot be written in gbk"),
    ]
    header = header_for(SAMPLE_LINES, payer_name="𠮷县财政局")
    assert write_problems(fmt, header, SAMPLE_LINES) == [
        Problem("line 1", "payer_name", "character '𠮷' (U+20BB7) cannot be written in gbk"),
    ]


def test_max_amounts_and_counts():
    lines = [PaymentLine(10**18 - 1, "张三", "1", "2", MAX_FEN)]
    header = header_for(lines)
    assert header.total_fen == MAX_FEN
    assert read_payments(UTF8, write_payments(UTF8, header, lines)) == (header, lines)
    records = [ResultRecord(7, PaymentOutcome.PAID, MAX_FEN)]
    rheader = result_header_for(records)
    assert read_results(UTF8, write_results(UTF8, rheader, records)) == (rheader, records)


def test_empty_optional_fields_round_trip():
    lines = [PaymentLine(1, "张三", "110101190001011234", "6222000000000000001", 1)]
    header = header_for(lines, purpose="")
    data = write_payments(UTF8, header, lines)
    assert data.splitlines()[1] == b"D|1|6222000000000000001|" + "张三".encode() + \
        b"|1|110101190001011234|CARD||||||"
    assert read_payments(UTF8, data) == (header, lines)
    records = [ResultRecord(1, PaymentOutcome.PAID, 1),
               ResultRecord(2, PaymentOutcome.FAILED, 2, reason=FailureReason.OTHER,
                            bank_code="E99")]
    rheader = result_header_for(records)
    assert read_results(UTF8, write_results(UTF8, rheader, records)) == (rheader, records)


def test_empty_file_of_lines():
    header = header_for([])
    data = write_payments(UTF8, header, [])
    assert len(data.splitlines()) == 2
    assert read_payments(UTF8, data) == (header, [])


@pytest.mark.parametrize("created", [
    datetime(2026, 11, 5, 9, 30, 15),  # naive stays naive
    datetime(2026, 11, 5, 1, 30, 15, tzinfo=timezone.utc),
    datetime(2026, 11, 5, 9, 30, 15, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(1, 1, 1, 0, 0, 0),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=CST),
])
def test_datetimes_round_trip_to_the_second(created):
    header = replace(SAMPLE_HEADER, created_at=created)
    got, _ = read_payments(UTF8, write_payments(UTF8, header))
    assert got.created_at == created
    assert got.created_at.utcoffset() == created.utcoffset()
    assert got.created_at.tzinfo is None if created.tzinfo is None else got.created_at.tzinfo


def test_microseconds_are_dropped():
    header = replace(SAMPLE_HEADER, created_at=datetime(2026, 11, 5, 9, 30, 15, 999999, CST))
    got, _ = read_payments(UTF8, write_payments(UTF8, header))
    assert got.created_at == datetime(2026, 11, 5, 9, 30, 15, tzinfo=CST)


def test_z_means_utc_on_reading():
    data = write_payments(UTF8).replace(b"2026-11-05T09:30:15+08:00", b"2026-11-05T01:30:15Z")
    body = b"".join(data.splitlines(keepends=True)[:-1])
    got, _ = read_payments(UTF8, with_digest(body))
    assert got.created_at == datetime(2026, 11, 5, 1, 30, 15, tzinfo=timezone.utc)


# --- results ---------------------------------------------------------------------------------


def test_reason_code_table():
    assert REASON_TO_CODE == {
        FailureReason.ACCOUNT_NOT_FOUND: "E01", FailureReason.NAME_MISMATCH: "E02",
        FailureReason.ACCOUNT_CLOSED: "E03", FailureReason.ACCOUNT_FROZEN: "E04",
        FailureReason.ID_MISMATCH: "E05", FailureReason.CARD_LOST: "E06",
        FailureReason.OTHER: "E99",
    }
    assert CODE_TEXT["E01"] == "账户不存在" and CODE_TEXT["E06"] == "卡已挂失"
    assert all(CODE_TO_REASON[REASON_TO_CODE[r]] == r for r in FailureReason)


def test_failed_record_without_code_gets_its_reasons_code():
    records = [ResultRecord(i, PaymentOutcome.FAILED, 100, "62", reason, "", "text")
               for i, reason in enumerate(list(FailureReason) + [None], start=1)]
    data = write_results(UTF8, result_header_for(records), records)
    _, got = read_results(UTF8, data)
    assert [(r.reason, r.bank_code) for r in got] == [
        (r, REASON_TO_CODE[r]) for r in FailureReason] + [(FailureReason.OTHER, "E99")]


def test_unknown_bank_code_reads_as_other_verbatim():
    data = write_results(UTF8)
    line = data.splitlines()[3].decode()
    assert line == "D|3||1|F|X17|系统繁忙，请重试"
    _, records = read_results(UTF8, data)
    assert records[2].reason == FailureReason.OTHER
    assert (records[2].bank_code, records[2].bank_text) == ("X17", "系统繁忙，请重试")


def test_failed_record_without_code_from_a_bank():
    body = ("H|R1|P1|B1|2026-11-06T18:00:00|1|0|0|1|5\nD|1|62|5|F||\n").encode()
    _, records = read_results(UTF8, with_digest(body))
    assert records == [ResultRecord(1, PaymentOutcome.FAILED, 5, "62", FailureReason.OTHER)]


def test_paid_record_keeps_code_and_text():
    records = [ResultRecord(1, PaymentOutcome.PAID, 5, "62", None, "000", "交易成功")]
    rheader = result_header_for(records)
    assert read_results(UTF8, write_results(UTF8, rheader, records)) == (rheader, records)


def test_result_writer_refuses_what_cannot_be_read_back():
    records = [
        ResultRecord(1, PaymentOutcome.FAILED, 5, "", FailureReason.NAME_MISMATCH, "E01"),
        ResultRecord(2, PaymentOutcome.FAILED, 5, "", FailureReason.ACCOUNT_FROZEN, "X99"),
        ResultRecord(3, PaymentOutcome.PAID, 5, "", FailureReason.CARD_LOST),
        ResultRecord(4, "MAYBE", 5),  # type: ignore[arg-type]
        ResultRecord(5, PaymentOutcome.FAILED, 5, "", None, "E|1", "a\nb"),
        ResultRecord(5, PaymentOutcome.PAID, -1),
    ]
    header = ResultFileHeader("R", "P", "B", datetime(2026, 1, 1), 6, 2, 4, 4, 20)
    assert write_result_problems(UTF8, header, records) == [
        Problem("line 2", "bank_code",
                "seq 1: code 'E01' reads back as ACCOUNT_NOT_FOUND, not NAME_MISMATCH: it cannot "
                "be written for that reason"),
        Problem("line 3", "bank_code",
                "seq 2: code 'X99' reads back as OTHER, not ACCOUNT_FROZEN: it cannot be written "
                "for that reason"),
        Problem("line 4", "status", "seq 3: a paid record cannot have a failure reason "
                                    "(CARD_LOST)"),
        Problem("line 5", "status", "seq 4: unknown outcome 'MAYBE'"),
        Problem("line 6", "bank_code",
                "seq 5: contains '|', the field separator; the format has no escaping"),
        Problem("line 6", "bank_text",
                "seq 5: contains a line break (CR or LF); the format has no escaping"),
        Problem("line 7", "seq", "seq 5 does not follow 5: seq must increase"),
        Problem("line 7", "amount_fen",
                "seq 5: amount_fen -1 is outside 0..999999999999999999"),
        # records with problems still count (when their outcome and amount are known)
        Problem("line 1", "failed_count", "header says 4 failed records, the records have 3"),
        Problem("line 1", "failed_fen", "header says 20 fen failed, the records have 15"),
    ]


def test_result_writer_checks_the_header_against_the_records():
    records = list(SAMPLE_RECORDS)
    header = replace(SAMPLE_RESULT_HEADER, count=4, paid_count=0, paid_fen=1)
    assert write_result_problems(UTF8, header, records) == [
        Problem("line 1", "count", "count 4 is not paid 0 + failed 3"),
    ]
    header = replace(SAMPLE_RESULT_HEADER, count=3, paid_count=0, paid_fen=1)
    assert write_result_problems(UTF8, header, records) == [
        Problem("line 1", "count", "header says 3 records, 4 were given"),
        Problem("line 1", "paid_count", "header says 0 paid records, the records have 1"),
        Problem("line 1", "paid_fen", "header says 1 fen paid, the records have 123456"),
    ]
    header = replace(SAMPLE_RESULT_HEADER, failed_fen=7)
    assert write_result_problems(UTF8, header, records) == [
        Problem("line 1", "failed_fen",
                "header says 7 fen failed, the records have 1000000000000"),
    ]


# --- what the payment writer refuses ---------------------------------------------------------


def test_pipe_in_a_name_names_line_and_field():
    lines = list(SAMPLE_LINES)
    lines[1] = replace(lines[1], name="王|億")
    assert write_problems(UTF8, SAMPLE_HEADER, lines) == [
        Problem("line 3", "name",
                "seq 2: contains '|', the field separator; the format has no escaping"),
    ]


def test_line_breaks_and_header_fields():
    lines = list(SAMPLE_LINES)
    lines[0] = replace(lines[0], remark="第一行\r\n第二行", address="a\nb")
    lines[3] = replace(lines[3], household_no="H|5")
    header = replace(SAMPLE_HEADER, payer_name="某县|财政局", purpose="x\ry", file_id="")
    assert write_problems(UTF8, header, lines) == [
        Problem("line 1", "file_id", "is empty"),
        Problem("line 1", "payer_name",
                "contains '|', the field separator; the format has no escaping"),
        Problem("line 1", "purpose",
                "contains a line break (CR or LF); the format has no escaping"),
        Problem("line 2", "remark",
                "seq 1: contains a line break (CR or LF); the format has no escaping"),
        Problem("line 2", "address",
                "seq 1: contains a line break (CR or LF); the format has no escaping"),
        Problem("line 5", "household_no",
                "seq 5: contains '|', the field separator; the format has no escaping"),
    ]


def test_bad_values_are_all_reported():
    lines = [
        PaymentLine(1, "", "1", "2", 1.5),  # type: ignore[arg-type]
        PaymentLine(0, "a", "", "2", -1, "DEBIT"),  # type: ignore[arg-type]
        PaymentLine(3, "a", "1", None, MAX_FEN + 1),  # type: ignore[arg-type]
        PaymentLine(2, "a", "1", "2", True),  # type: ignore[arg-type]
        "not a line",
    ]
    header = replace(SAMPLE_HEADER, count=-1, total_fen=1.0, created_at=date(2026, 1, 1),
                     requested_date=datetime(2026, 1, 1))
    assert write_problems(UTF8, header, lines) == [
        Problem("line 1", "count", "count -1 is outside 0..999999999999999999"),
        Problem("line 1", "total_fen", "total_fen must be an int, got float"),
        Problem("line 1", "created_at", "must be a datetime, got date"),
        Problem("line 1", "requested_date", "must be a date, got datetime"),
        Problem("line 2", "amount_fen", "seq 1: amount_fen must be an int, got float"),
        Problem("line 2", "name", "seq 1: is empty"),
        Problem("line 3", "seq", "seq 0 is not a positive integer of at most 18 digits"),
        Problem("line 3", "amount_fen", "seq 0: amount_fen -1 is outside 0..999999999999999999"),
        Problem("line 3", "account_kind", "seq 0: unknown account kind 'DEBIT'"),
        Problem("line 3", "id_number", "seq 0: is empty"),
        Problem("line 4", "amount_fen",
                "seq 3: amount_fen 1000000000000000000 is outside 0..999999999999999999"),
        Problem("line 4", "account_no", "seq 3: must be a text, got NoneType"),
        Problem("line 5", "seq", "seq 2 does not follow 3: seq must increase"),
        Problem("line 5", "amount_fen", "seq 2: amount_fen must be an int, got bool"),
        Problem("line 6", "seq", "seq <missing> is not a positive integer of at most 18 digits"),
        Problem("line 6", "amount_fen", "amount_fen is missing"),
        Problem("line 6", "account_kind", "unknown account kind <missing>"),
    ] + [Problem("line 6", field, "is missing") for field in (
        "account_no", "name", "id_number", "bank_name", "subsidy_item", "remark", "phone",
        "address", "household_no")]


def test_offset_with_seconds_cannot_be_written():
    tz = timezone(timedelta(hours=8, seconds=30))
    header = replace(SAMPLE_HEADER, created_at=datetime(2026, 1, 1, tzinfo=tz))
    assert write_problems(UTF8, header, SAMPLE_LINES) == [
        Problem("line 1", "created_at", "time zone offset 8:00:30 is not a whole number of "
                                        "minutes"),
    ]


def test_writer_checks_count_and_total():
    header = replace(SAMPLE_HEADER, count=5, total_fen=SAMPLE_HEADER.total_fen - 1)
    assert write_problems(UTF8, header, SAMPLE_LINES) == [
        Problem("line 1", "count", "header says 5 lines, 4 were given"),
        Problem("line 1", "total_fen",
                "header says 1000000123455 fen, the lines add up to 1000000123456"),
    ]


def test_writer_streams_the_lines():
    def lines():
        yield from SAMPLE_LINES
        raise RuntimeError("the caller's own failure")

    with pytest.raises(RuntimeError):
        UTF8.write_payments(io.BytesIO(), SAMPLE_HEADER, lines())


def test_unencodable_character_found_in_a_big_block():
    lines = [PaymentLine(i, "张三", "1", "2", 1) for i in range(1, 5001)]
    lines[4321] = replace(lines[4321], address="某村𠮷组")
    fmt = DelimitedFormat(encoding="gbk")
    assert write_problems(fmt, header_for(lines), lines) == [
        Problem("line 4323", "address", "seq 4322: character '𠮷' (U+20BB7) cannot be written "
                                        "in gbk"),
    ]


# --- what the readers report -----------------------------------------------------------------


def test_header_is_there_before_iterating():
    reader = UTF8.read_payments(io.BytesIO(write_payments(UTF8)))
    assert reader.header == SAMPLE_HEADER
    reader = UTF8.read_results(io.BytesIO(write_results(UTF8)))
    assert reader.header == SAMPLE_RESULT_HEADER


def test_reader_yields_lines_before_a_late_problem():
    data = write_payments(UTF8)
    cut = data[: data.rindex(b"S|")]
    reader = UTF8.read_payments(io.BytesIO(cut), "p.txt")
    got = []
    with pytest.raises(FormatError) as info:
        for line in reader:
            got.append(line)
    assert got == list(SAMPLE_LINES)
    assert info.value.problems == [
        Problem("line 6", "digest", "the file ends after line 5 without its digest line "
                                    "(S|SHA256|...): it is incomplete"),
    ]


def test_bad_header_raises_from_the_constructor_with_every_problem():
    body = ("H|P1||acct|payer|bank|x|12.5|2026-13-01T00:00:00|2026/01/01|\n"
            "D|1|62|张三|100|1|CARD||||||\n"
            "D|1|62|张三|100|1|BOOK||||||\n").encode()
    with pytest.raises(FormatError) as info:
        UTF8.read_payments(io.BytesIO(with_digest(body)), "p.txt")
    assert info.value.problems == [
        Problem("line 1", "batch_id", "is empty"),
        Problem("line 1", "count",
                "'x' is not a whole number (ASCII digits only: no sign, no point, no spaces)"),
        Problem("line 1", "total_fen",
                "'12.5' is not a whole number (ASCII digits only: no sign, no point, no spaces)"),
        Problem("line 1", "created_at", "'2026-13-01T00:00:00' is not a valid date and time"),
        Problem("line 1", "requested_date", "'2026/01/01' is not a date (yyyy-mm-dd)"),
        Problem("line 3", "seq", "seq 1 does not follow 1: seq must increase"),
        Problem("line 3", "account_kind",
                "'BOOK' is not an account kind (CARD, PASSBOOK, SOCIAL_SECURITY_CARD)"),
    ]


def test_record_types_and_field_counts():
    body = ("H|R1|P1|B1|2026-11-06T18:00:00|3|1|5|2|10\n"
            "D|1|62|5|S||\n"
            "H|R1|P1|B1|2026-11-06T18:00:00|3|1|5|2|10\n"
            "X|2|62|5|F|E01|\n"
            "\n"
            "D|3|62|5|F|E01\n"
            "D|0|62|05|P|E01|\n"
            "S\n").encode()
    assert read_problems(read_results, UTF8, with_digest(body)) == [
        Problem("line 3", "record_type", "a second header line (H is only on line 1)"),
        Problem("line 4", "record_type",
                "record type 'X' is not D (H is only on line 1, S on the last)"),
        Problem("line 5", "record_type",
                "record type '' is not D (H is only on line 1, S on the last)"),
        Problem("line 6", "fields", "6 fields; a detail line has 7 (9 with bank_ref and name)"),
        Problem("line 7", "seq", "seq 0 is not a positive integer"),
        Problem("line 7", "status", "'P' is not a status (S paid, F failed)"),
        Problem("line 8", "record_type",
                "record type 'S' is not D (H is only on line 1, S on the last)"),
        Problem("line 1", "count", "header says 3 records, the file has 7"),
    ]


def test_payment_file_read_as_result_file():
    problems = read_problems(read_results, UTF8, write_payments(UTF8))
    assert problems == [Problem("line 1", "fields", "11 fields; a result file header has 10")] + [
        Problem(f"line {i}", "fields", "13 fields; a detail line has 7 (9 with bank_ref and name)")
        for i in range(2, 6)]


def test_first_line_must_be_the_header():
    data = with_digest(b"D|1|62|5|S||\n")
    assert read_problems(read_results, UTF8, data) == [
        Problem("line 1", "record_type", "record type 'D': line 1 must be the result file "
                                         "header (H)"),
    ]


@pytest.mark.parametrize("data, problems", [
    (b"", [Problem("line 1", "digest", "the file ends after line 0 without its digest line "
                                       "(S|SHA256|...): it is incomplete"),
           Problem("line 1", "record_type", "the file has no header line")]),
    (b"S|SHA256|" + hashlib.sha256(b"").hexdigest().encode() + b"\n",
     [Problem("line 1", "record_type", "the file has no header line")]),
])
def test_empty_files(data, problems):
    assert read_problems(read_payments, UTF8, data) == problems


def test_content_after_the_digest_line():
    data = write_payments(UTF8)
    assert read_problems(read_payments, UTF8, data + b"\n") == [
        Problem("line 7", "record_type",
                "the file goes on after its digest line (line 6), which must be the last line"),
    ]
    lines = data.splitlines(keepends=True)
    moved = b"".join(lines[:2]) + lines[-1] + b"".join(lines[2:-1])
    problems = read_problems(read_payments, UTF8, moved)
    assert problems[-1] == Problem(
        "line 4", "record_type",
        "the file goes on after its digest line (line 3), which must be the last line")


def test_digest_line_problems():
    data = write_payments(UTF8)
    body = data[: data.rindex(b"S|")]
    for last, problem in [
        (b"S|SHA256|abc\n", Problem("line 6", "digest", "'abc' is not 64 hexadecimal digits")),
        (b"S|SHA256|" + b"0" * 64 + b"|x\n",
         Problem("line 6", "fields", "4 fields; a digest line has 3 (S|SHA256|<hex digest>)")),
        (b"S|SHA256|\xff\n", Problem("line 6", "digest", "the digest line is not ASCII text")),
    ]:
        assert read_problems(read_payments, UTF8, body + last) == [problem]


def test_digest_line_without_line_ending_and_upper_case_hex():
    data = write_payments(UTF8)
    head, _, hexdigest = data.rstrip(b"\n").rpartition(b"|")
    assert read_payments(UTF8, head + b"|" + hexdigest.upper())[1] == list(SAMPLE_LINES)


def test_reader_takes_crlf_lf_mixed_and_a_bom():
    data = write_payments(UTF8)
    lines = data.splitlines(keepends=True)
    body = b"\xef\xbb\xbf" + lines[0].replace(b"\n", b"\r\n") + b"".join(lines[1:-1])
    assert read_payments(UTF8, with_digest(body, ending=b"\r\n")) == (
        SAMPLE_HEADER, list(SAMPLE_LINES))


def test_undecodable_bytes_name_line_and_field():
    gbk = DelimitedFormat(encoding="gbk")
    data = write_payments(gbk)  # GBK bytes are not UTF-8
    problems = read_problems(read_payments, UTF8, data)
    assert problems[:3] == [
        Problem("line 1", "payer_name", "bytes b'\\xcf' are not valid utf-8"),
        Problem("line 2", "name", "bytes b'\\xb0' are not valid utf-8"),
        Problem("line 3", "name", "bytes b'\\xcd' are not valid utf-8"),
    ]
    broken = data.replace("億".encode("gbk"), b"\x81\x7f")  # 0x81 0x7F is no GBK character
    broken = with_digest(broken[: broken.rindex(b"S|")])
    assert read_problems(read_payments, gbk, broken) == [
        Problem("line 3", "name", "bytes b'\\x81' are not valid gbk"),
    ]


def test_result_reader_totals_per_status():
    data = write_results(UTF8)
    body = data[: data.rindex(b"S|")].replace(b"|S||", b"|F|E01|", 1)
    assert read_problems(read_results, UTF8, with_digest(body)) == [
        Problem("line 1", "paid_count", "header says 1 paid records, the records have 0"),
        Problem("line 1", "paid_fen", "header says 123456 fen paid, the records have 0"),
        Problem("line 1", "failed_count", "header says 3 failed records, the records have 4"),
        Problem("line 1", "failed_fen",
                "header says 1000000000000 fen failed, the records have 1000000123456"),
    ]


def test_result_header_counts_must_add_up():
    body = b"H|R1|P1|B1|2026-11-06T18:00:00|3|1|5|1|10\n"
    assert read_problems(read_results, UTF8, with_digest(body)) == [
        Problem("line 1", "count", "count 3 is not paid 1 + failed 1"),
    ]


def test_numbers_with_too_many_digits_and_leading_zeros():
    body = ("H|P1|B1|a|p|b|2|0100|2026-11-05T09:30:15|2026-11-06|\n"
            "D|01|62|张三|0000000000000000100|1|CARD||||||\n"
            "D|2|62|张三|1234567890123456789|1|CARD||||||\n").encode()
    assert read_problems(read_payments, UTF8, with_digest(body)) == [
        Problem("line 2", "amount_fen", "'0000000000000000100' has more than 18 digits"),
        Problem("line 3", "amount_fen", "'1234567890123456789' has more than 18 digits"),
    ]
    body = ("H|P1|B1|a|p|b|1|0100|2026-11-05T09:30:15|2026-11-06|\n"
            "D|01|62|张三|000100|1|CARD||||||\n").encode()
    header, lines = read_payments(UTF8, with_digest(body))
    assert (header.total_fen, lines[0].seq, lines[0].amount_fen) == (100, 1, 100)


def test_too_long_line_stops_reading():
    data = b"H|" + b"x" * (1 << 21)
    assert read_problems(read_payments, UTF8, data) == [
        Problem("line 1", "record_type", "the line is longer than 1048576 bytes"),
        Problem("line 1", "record_type", "the file has no header line"),
    ]


def test_oserror_from_the_source_propagates():
    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 100:
                raise OSError("connection lost")
            return super().read(50)

    data = write_payments(UTF8)
    with pytest.raises(OSError, match="connection lost"):
        reader = UTF8.read_payments(Broken(data))
        list(reader)


def test_text_source_is_a_format_error():
    with pytest.raises(FormatError) as info:
        UTF8.read_payments(io.StringIO("H|x"), "t.txt")
    assert info.value.problems[0] == Problem(
        "file", "file", "cannot be read: the source returned str, not bytes")


def test_small_reads_give_the_same_result():
    class Trickle(io.BytesIO):
        def read(self, size=-1):
            return super().read(7)

    for fmt in ALL_CONFIGS[:4]:
        reader = fmt.read_payments(Trickle(write_payments(fmt)))
        assert (reader.header, list(reader)) == (SAMPLE_HEADER, list(SAMPLE_LINES))


def test_options_are_checked():
    assert DelimitedFormat(encoding="GBK").encoding == "gbk"
    assert DelimitedFormat(encoding="utf8").encoding == "utf-8"
    assert DelimitedFormat(digest="SM3").digest == "sm3"
    for kwargs in ({"encoding": "latin-1"}, {"encoding": "nope"}, {"digest": "md5"},
                   {"line_ending": "\r"}):
        with pytest.raises(ValueError):
            DelimitedFormat(**kwargs)
    assert (UTF8.name, UTF8.file_suffix) == ("delimited", ".txt")


# --- constant memory -------------------------------------------------------------------------


def _many_lines(n: int):
    for seq in range(1, n + 1):
        yield PaymentLine(seq, "阿卜杜拉·买买提", f"41010219600101{seq:04d}", f"622202{seq:013d}",
                          seq, AccountKind.CARD, "中国农业银行某县支行", "耕地地力保护补贴",
                          "2026年11月发放", "13800000000", "某省某县某镇某村", f"H{seq:09d}")


def test_memory_does_not_grow_with_the_file(tmp_path):
    n = 40_000
    header = replace(SAMPLE_HEADER, count=n, total_fen=n * (n + 1) // 2)
    path = tmp_path / "big.txt"
    tracemalloc.start()
    try:
        with open(path, "wb") as out:
            UTF8.write_payments(out, header, _many_lines(n))
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with open(path, "rb") as src:
            count = sum(1 for _ in UTF8.read_payments(src))
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert count == n and size > 6_000_000
    assert write_peak < 4_000_000, write_peak
    assert read_peak < 4_000_000, read_peak


def test_content_after_the_digest_line_in_a_later_read():
    class Lines(io.BytesIO):  # hands out one line per read
        def read(self, size=-1):
            return self.readline()

    data = write_payments(UTF8) + b"D|9|62|x|1|1|CARD||||||\n"
    with pytest.raises(FormatError) as info:
        list(UTF8.read_payments(Lines(data), "p.txt"))
    assert info.value.problems == [
        Problem("line 7", "record_type",
                "the file goes on after its digest line (line 6), which must be the last line"),
    ]


def test_problems_stop_being_listed_after_a_thousand():
    body = "H|P1|B1|a|p|b|1500|0|2026-11-05T09:30:15|2026-11-06|\n" + "".join(
        f"D|{i}|62|张三|x|1|CARD||||||\n" for i in range(1, 1501))
    problems = read_problems(read_payments, UTF8, with_digest(body.encode()))
    assert len(problems) == 1001
    assert problems[999].where == "line 1001"
    assert problems[1000] == Problem("file", "*", "500 more problems not listed")
