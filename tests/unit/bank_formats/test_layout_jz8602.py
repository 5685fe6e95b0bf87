"""The JZ8602 profile: a Jinzhong bank's own batch layout (DHCC 8602), declared, no code.

Expected bytes come from the bank's specification itself
(``../shared/bank-samples/cn-batch/dhcc_jinzhong_8602_batch_import_format_daikou.GBK.txt``,
read in place): its example file, and its report widths (``20s|20s|20s|16.2lf|16.2lf|1s|``)
applied with printf's own rules (bytes ``%`` formatting), never from the layout code.
"""
from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bank_sim
from bank_formats.base import FormatError
from domain.model import (
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)
from service.profiles import load_profile

ROOT = Path(__file__).resolve().parents[3]
SPEC = ROOT.parent / "shared" / "bank-samples" / "cn-batch" / "dhcc_jinzhong_8602_batch_import_format_daikou.GBK.txt"
PROFILE = load_profile(ROOT / "profiles" / "JZ8602.toml")
FMT = PROFILE.bank_format

pytestmark = pytest.mark.skipif(not SPEC.exists(), reason=f"{SPEC} is not here")


def spec_lines() -> list[str]:
    return SPEC.read_bytes().decode("gbk").split("\r\n")


def spec_example() -> list[str]:
    """The example import file of the specification: the lines after 文件名称 up to the rule."""
    lines = spec_lines()
    start = next(i for i, x in enumerate(lines) if x.startswith("文件名称")) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("/*"))
    return lines[start:end]


def spec_widths() -> list[bytes]:
    """The report's printf formats, from the specification's 字段长度 line: b"%20s", b"%16.2f"..."""
    line = next(x for x in spec_lines() if x.startswith("字段长度"))
    cells = [c.strip() for c in line.split(":", 1)[1].split("|")][:-1]
    return [b"%" + c.replace("lf", "f").encode("ascii") for c in cells]


def report(title: str, rows: list[tuple[str, str, str, int, int, str]]) -> bytes:
    """A report as the specification describes it: title, column line, then the rows printf'd
    with the specification's widths (amounts in fen, printed as yuan)."""
    fmts = spec_widths()
    out = [f"[1046][某县财政局]批量代理业务{title}记录".encode("gbk"),
           "代理编号|账号|客户姓名|金  额|余  额|处理结果|".encode("gbk")]
    for seq, account, name, amount, balance, status in rows:
        values = [seq.encode("gbk"), account.encode("gbk"), name.encode("gbk"), amount / 100, balance / 100,
                  status.encode("ascii")]
        out.append(b"|".join(f % v for f, v in zip(fmts, values, strict=True)) + b"|")
    return b"".join(x + b"\r\n" for x in out)


def written_payments(header: PaymentFileHeader, lines) -> bytes:
    out = io.BytesIO()
    FMT.write_payments(out, header, lines)
    return out.getvalue()


def header_for(lines, day=date(2009, 9, 6)) -> PaymentFileHeader:
    return PaymentFileHeader(file_id="5020121", batch_id="B1", created_at=None, requested_date=day,
                             payer_name="某县财政局", payer_account="1234567890", bank_code="JZ8602",
                             count=len(lines), total_fen=sum(x.amount_fen for x in lines))


# --- the import file (our payment file) ------------------------------------------------------


def test_the_specifications_example_is_what_the_writer_writes():
    example = spec_example()
    assert example[0] == "1|1|20090906|1046|1|1|2|600.00|"  # (the specification read as expected)
    lines = [PaymentLine(seq=1, name="客户01", id_number="", account_no="1000123800020", amount_fen=30000),
             PaymentLine(seq=2, name="客户02", id_number="", account_no="1000124600023", amount_fen=30000)]
    assert written_payments(header_for(lines), lines) == "".join(x + "\r\n" for x in example).encode("gbk")


def test_the_specifications_example_reads_with_its_figures():
    data = "".join(x + "\r\n" for x in spec_example()).encode("gbk")
    reader = FMT.read_payments(io.BytesIO(data), "5020121.txt")
    got = list(reader)
    assert (reader.header.count, reader.header.total_fen, reader.header.requested_date) == (2, 600_00,
                                                                                           date(2009, 9, 6))
    assert [(x.seq, x.name, x.amount_fen, x.account_no) for x in got] == [
        (1, "客户01", 300_00, "1000123800020"), (2, "客户02", 300_00, "1000124600023")]
    assert reader.skipped == []


def test_every_field_of_a_payment_file_where_the_specification_puts_it():
    lines = [PaymentLine(seq=i, name=n, id_number="X", account_no=a, amount_fen=f)
             for i, (n, a, f) in enumerate([("王伟", "6217000000000000001", 1), ("艾力·买买提", "6217000000000000002", 99),
                                            ("燚堃喆", "41001234567890", 123_456_789_01)], 1)]
    text = written_payments(header_for(lines, date(2026, 11, 23)), lines).decode("gbk")
    records = text.split("\r\n")
    assert records[-1] == ""  # every record ends with CRLF
    # 0|1|批量开始日期|单位编号|4|5|总笔数|总金额|, with the example's fixed values 1|1|..|1|1
    assert records[0].split("|") == ["1", "1", "20261123", "1046", "1", "1", "3", "123456790.01", ""]
    # 顺序编号|客户姓名|代扣金额|客户账号|单位编号|1|1|01|
    assert [r.split("|") for r in records[1:-1]] == [
        ["01", "王伟", "0.01", "6217000000000000001", "1046", "1", "1", "01", ""],
        ["02", "艾力·买买提", "0.99", "6217000000000000002", "1046", "1", "1", "01", ""],
        ["03", "燚堃喆", "123456789.01", "41001234567890", "1046", "1", "1", "01", ""],
    ]


def test_a_payment_file_refuses_what_the_layout_cannot_carry():
    lines = [PaymentLine(seq=1, name="一二三四五六七八九十十", id_number="", account_no="1", amount_fen=1),  # 22 bytes
             PaymentLine(seq=2, name="王|伟", id_number="", account_no="2", amount_fen=1),
             PaymentLine(seq=3, name="王伟", id_number="", account_no="123456789012345678901", amount_fen=1)]
    with pytest.raises(FormatError) as info:
        written_payments(header_for(lines), lines)
    assert [(p.where.split(" (")[0], p.field) for p in info.value.problems] == [
        ("line 2", "name"), ("line 3", "name"), ("line 4", "account_no")]
    assert "22 bytes" in info.value.problems[0].message and "20" in info.value.problems[0].message


def test_a_payment_file_whose_header_does_not_add_up_is_refused_by_the_reader():
    data = "1|1|20090906|1046|1|1|2|600.01|\r\n01|客户01|300.00|1|1046|1|1|01|\r\n02|客户02|300.00|2|1046|1|1|01|\r\n"
    reader = FMT.read_payments(io.BytesIO(data.encode("gbk")), "x.txt")
    with pytest.raises(FormatError) as info:
        list(reader)
    assert [(p.where, p.field) for p in info.value.problems] == [("line 1", "total_fen")]


# --- the report (the bank's result file) -------------------------------------------------------


def test_a_success_report_reads_with_its_figures():
    data = report("成功", [("1", "6217000000000000001", "王伟", 10001, 50000, "0"),
                           ("2", "6217000000000000002", "艾力·买买提", 1, 0, "0"),
                           ("10", "41001234567890", "燚堃喆", 123_456_789_01, 7, "0")])
    reader = FMT.read_results(io.BytesIO(data), "HP_B1.txt")
    got = list(reader)
    h = reader.header
    assert (h.batch_id, h.original_file_id, h.count, h.paid_count, h.paid_fen, h.failed_count, h.failed_fen) == (
        "B1", "B1P1", 3, 3, 10001 + 1 + 123_456_789_01, 0, 0)
    assert [(r.seq, r.account_no, r.name, r.amount_fen, r.outcome) for r in got] == [
        (1, "6217000000000000001", "王伟", 10001, PaymentOutcome.PAID),
        (2, "6217000000000000002", "艾力·买买提", 1, PaymentOutcome.PAID),
        (10, "41001234567890", "燚堃喆", 123_456_789_01, PaymentOutcome.PAID)]


def test_a_failure_report_reads_as_failures_with_the_banks_code():
    data = report("失败", [("3", "6217000000000000003", "李娜", 20000, 0, "1"), ("4", "6217", "赵敏", 5, 0, "1")])
    reader = FMT.read_results(io.BytesIO(data), "HP_B1-R1.txt")
    got = list(reader)
    # HP_ + the name of our first re-issue file (B1-R1.txt), whose id is B1P2
    assert (reader.header.batch_id, reader.header.original_file_id) == ("B1", "B1P2")
    assert (reader.header.failed_count, reader.header.failed_fen, reader.header.paid_count) == (2, 20005, 0)
    assert [(r.seq, r.outcome, r.reason, r.bank_code, r.amount_fen) for r in got] == [
        (3, PaymentOutcome.FAILED, FailureReason.OTHER, "1", 20000),
        (4, PaymentOutcome.FAILED, FailureReason.OTHER, "1", 5)]


def test_the_specification_gives_no_status_codes_and_the_profile_says_so():
    # the specification's report columns have a width for 处理结果 and no code anywhere: the
    # profile's 0 and 1 are assumptions, said in its comments (and the README)
    text = "\n".join(spec_lines())
    assert "处理结果" in text and not re.search(r"处理结果[^|\n]*[:：=]", text)
    profile = (ROOT / "profiles" / "JZ8602.toml").read_text(encoding="utf-8")
    assert "NOT in the specification" in profile and 'unknown = "refuse"' in profile


@pytest.mark.parametrize("code", ["0", "1"])
def test_each_declared_status_code_reads_as_declared(code):
    data = report("成功" if code == "0" else "失败", [("7", "6217000000000000007", "王伟", 1234, 0, code)])
    got = list(FMT.read_results(io.BytesIO(data), "HP_B1.txt"))
    expected = (PaymentOutcome.PAID, None, "") if code == "0" else (PaymentOutcome.FAILED, FailureReason.OTHER, "1")
    assert [(r.seq, r.outcome, r.reason, r.bank_code) for r in got] == [(7,) + expected]


@pytest.mark.parametrize("code", ["2", "9", "E", "S"])
def test_an_unknown_status_code_refuses_its_record_with_its_line(code):
    # not a guess: a code the specification does not give is neither paid nor failed
    data = report("失败", [("3", "6217000000000000003", "李娜", 20000, 0, "1"),
                           ("4", "6217000000000000004", "赵敏", 5, 0, code)])
    reader = FMT.read_results(io.BytesIO(data), "HP_B1.txt")
    with pytest.raises(FormatError) as info:
        list(reader)
    assert [(p.where, p.field, p.message) for p in info.value.problems] == [
        ("line 4", "status", f"status code {code!r} is not one this layout declares (0 paid, 1 failed): the "
                             f"record cannot be booked as paid or failed")]


def test_the_simulated_bank_cannot_write_an_undeclared_code():
    record = ResultRecord(seq=1, outcome=PaymentOutcome.FAILED, amount_fen=5, account_no="6217",
                          reason=FailureReason.OTHER, name="王伟", bank_code="E")
    header = ResultFileHeader(file_id="", original_file_id="B1", batch_id="B1", created_at=None, count=1,
                              paid_count=0, paid_fen=0, failed_count=1, failed_fen=5)
    with pytest.raises(FormatError) as info:
        FMT.write_results(io.BytesIO(), header, [record])
    assert [(p.field, p.message) for p in info.value.problems] == [
        ("status", "bank code 'E' is not one this layout declares (0 paid, 1 failed)")]


def test_the_report_writer_puts_every_field_where_the_specification_does():
    records = [ResultRecord(seq=1, outcome=PaymentOutcome.PAID, amount_fen=10001, account_no="6217000000000000001",
                            name="王伟"),
               ResultRecord(seq=2, outcome=PaymentOutcome.FAILED, amount_fen=5, account_no="6217",
                            reason=FailureReason.OTHER, name="艾力·买买提")]
    header = ResultFileHeader(file_id="", original_file_id="B1", batch_id="B1", created_at=None, count=2,
                              paid_count=1, paid_fen=10001, failed_count=1, failed_fen=5)
    out = io.BytesIO()
    FMT.write_results(out, header, records)
    lines = out.getvalue().split(b"\r\n")
    assert lines[0].decode("gbk") == "[1046][某县财政局]批量代理业务处理记录"
    assert lines[1].decode("gbk") == "代理编号|账号|客户姓名|金  额|余  额|处理结果|"
    # the rows as printf writes them with the specification's widths (balance: 0.00, not ours)
    expected = report("", [("1", "6217000000000000001", "王伟", 10001, 0, "0"),
                           ("2", "6217", "艾力·买买提", 5, 0, "1")]).split(b"\r\n")[2:4]
    assert lines[2:4] == expected and lines[4:] == [b""]
    # and by position: 1-20 代理编号, 22-41 账号, 43-62 客户姓名, 64-79 金额, 81-96 余额, 98 处理结果
    row = lines[3]
    assert (row[0:20].strip(), row[21:41].strip(), row[42:62].strip().decode("gbk"), row[63:79].strip(),
            row[97:98]) == (b"2", b"6217", "艾力·买买提", b"0.05", b"1")
    assert [row[i:i + 1] for i in (20, 41, 62, 79, 96, 98)] == [b"|"] * 6 and len(row) == 99


def test_a_report_with_a_bad_row_names_the_line_and_field():
    data = report("成功", [("1", "6217000000000000001", "王伟", 10001, 0, "0"),
                           ("2", "6217000000000000002", "李娜", 2, 0, "0")])
    lines = data.split(b"\r\n")
    lines[3] = lines[3][:63] + b"      12x4567.89" + lines[3][79:]  # 金额 not an amount
    with pytest.raises(FormatError) as info:
        list(FMT.read_results(io.BytesIO(b"\r\n".join(lines)), "HP_B1.txt"))
    assert [(p.where, p.field) for p in info.value.problems] == [("line 4", "amount_fen")]


def test_a_report_under_another_name_is_refused_naming_the_pattern():
    data = report("成功", [("1", "6217000000000000001", "王伟", 10001, 0, "0")])
    with pytest.raises(FormatError) as info:
        FMT.read_results(io.BytesIO(data), "5020121.txt")
    assert info.value.problems[0].field == "name"


def test_detect_tells_the_import_file_from_the_report():
    example = "".join(x + "\r\n" for x in spec_example()).encode("gbk")
    assert FMT.detect(example) == "payments"
    assert FMT.detect(report("成功", [("1", "1", "王伟", 1, 0, "0")])) == "results"
    assert FMT.detect(b"H|PAY|B|1|x|y|1|1|2026-11-05T09:30:15|2026-11-06|\n") is None
    assert FMT.detect(b"") is None


# --- through the simulated bank ---------------------------------------------------------------


def test_a_round_trip_through_the_simulated_bank(tmp_path):
    bank = bank_sim.SimulatedBank.for_profile(tmp_path / "bank", PROFILE, 2026, failure_rate_ppm=300_000)
    lines = [PaymentLine(seq=i, name=f"受益人{i}", id_number="", account_no=f"62170000000000{i:05d}",
                         amount_fen=10_000 + i) for i in range(1, 41)]
    name = PROFILE.naming.payment_name(PROFILE.code, "B7", date(2026, 11, 2), FMT.file_suffix)
    assert name == "B7.txt"
    (tmp_path / "bank" / PROFILE.inbox / name).write_bytes(written_payments(header_for(lines), lines))
    (result,) = bank.process_once()
    assert result.name == "HP_B7.txt"
    with open(result, "rb") as src:
        reader = FMT.read_results(src, result.name)
        got = list(reader)
    assert [(r.seq, r.amount_fen, r.account_no) for r in got] == [(x.seq, x.amount_fen, x.account_no) for x in lines]
    paid = [r for r in got if r.outcome is PaymentOutcome.PAID]
    assert 0 < len(paid) < 40
    assert (reader.header.batch_id, reader.header.count, reader.header.paid_count, reader.header.paid_fen) == (
        "B7", 40, len(paid), sum(r.amount_fen for r in paid))
    assert reader.header.failed_fen == sum(x.amount_fen for x in lines) - reader.header.paid_fen
    shutil.rmtree(tmp_path / "bank")


def test_the_report_needs_a_seekable_file_since_it_states_no_count():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._b = io.BytesIO(data)

        def readable(self):
            return True

        def read(self, n=-1):
            return self._b.read(n)

        def seekable(self):
            return False

    data = report("成功", [("1", "6217000000000000001", "王伟", 1, 0, "0")])
    with pytest.raises(FormatError) as info:
        FMT.read_results(Pipe(data), "HP_B1.txt")
    assert re.search("seekable", str(info.value))


# --- what a submission checks for this bank -------------------------------------------------------


def test_the_carriage_refuses_at_submission_what_the_layout_cannot_write():
    carriage = FMT.carriage()
    ok = PaymentLine(seq=1, name="一二三四五六七八九十", id_number="110101199003078515", account_no="62170000000000000001",
                     amount_fen=12_34)
    assert carriage.check_line(ok) == []  # 20 bytes of GBK and 20 digits: the report's widths
    too_long = PaymentLine(seq=2, name="一二三四五六七八九十王", id_number="1", account_no="621700000000000000012",
                           amount_fen=1)
    assert sorted((u.field, u.code) for u in carriage.check_line(too_long)) == [
        ("account_no", "TEXT_WIDTH"), ("name", "TEXT_WIDTH")]
    piped = PaymentLine(seq=3, name="王|伟", id_number="1", account_no="1", amount_fen=1)
    assert [(u.field, u.code) for u in carriage.check_line(piped)] == [("name", "TEXT_CHARACTER")]
    # whatever the submission accepts renders: the lines above that fit are written
    assert written_payments(header_for([ok]), [ok]).split(b"\r\n")[1] == (
        "01|一二三四五六七八九十|12.34|62170000000000000001|1046|1|1|01|".encode("gbk"))


def test_empty_lines_are_skipped_and_said():
    data = report("成功", [("1", "6217000000000000001", "王伟", 10001, 0, "0")]) + b"\r\n  \r\n"
    reader = FMT.read_results(io.BytesIO(data), "HP_B1.txt")
    assert [r.amount_fen for r in reader] == [10001]
    assert reader.header.count == 1
    assert [(s.where, s.reason) for s in reader.skipped] == [("line 4", "BLANK_LINE"), ("line 5", "BLANK_LINE")]


def test_a_constant_that_is_not_the_declared_one_is_named_by_its_position():
    data = "1|1|20090906|1046|1|1|1|300.00|\r\n01|客户01|300.00|1000123800020|1047|1|1|01|\r\n".encode("gbk")
    with pytest.raises(FormatError) as info:
        list(FMT.read_payments(io.BytesIO(data), "5020121.txt"))
    assert [(p.where, p.field, p.message) for p in info.value.problems] == [
        ("line 2", "field 5", "'1047' is not '1046'")]  # 单位编号, the fifth field


# --- any batch round-trips through the bank's layout -------------------------------------------

NAMES = st.text(st.sampled_from("王李张刘陈杨艾力·买麦燚堃喆ABCxyz"), min_size=1, max_size=10)
ACCOUNTS = st.text(st.sampled_from("0123456789"), min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NAMES, ACCOUNTS, st.integers(0, 10**13), st.booleans(), st.sampled_from("01")),
                min_size=1, max_size=30))  # ("0": no bank code given; 1 is the only failure code declared)
def test_any_batch_round_trips_through_the_banks_layout(rows):
    lines = [PaymentLine(seq=i, name=n, id_number="", account_no=a, amount_fen=f) for i, (n, a, f, _, _) in
             enumerate(rows, 1) if len(n.encode("gbk")) <= 20]
    if not lines:
        return
    header = header_for(lines)
    reader = FMT.read_payments(io.BytesIO(written_payments(header, lines)), "B9.txt")
    assert [(x.seq, x.name, x.account_no, x.amount_fen) for x in reader] == [
        (x.seq, x.name, x.account_no, x.amount_fen) for x in lines]
    assert (reader.header.count, reader.header.total_fen, reader.header.file_id) == (
        len(lines), header.total_fen, "B9P1")
    records = [ResultRecord(seq=x.seq, outcome=PaymentOutcome.PAID if paid else PaymentOutcome.FAILED,
                            amount_fen=x.amount_fen, account_no=x.account_no, name=x.name,
                            reason=None if paid else FailureReason.OTHER, bank_code="" if paid or code == "0" else code)
               for x, (_, _, _, paid, code) in zip(lines, rows)]
    paid = [r.amount_fen for r in records if r.outcome is PaymentOutcome.PAID]
    rheader = ResultFileHeader(file_id="", original_file_id="B9P1", batch_id="B9", created_at=None,
                               count=len(records), paid_count=len(paid), paid_fen=sum(paid),
                               failed_count=len(records) - len(paid), failed_fen=header.total_fen - sum(paid))
    out = io.BytesIO()
    FMT.write_results(out, rheader, records)
    back = FMT.read_results(io.BytesIO(out.getvalue()), "HP_B9.txt")
    got = list(back)
    assert back.header == rheader
    assert [(r.seq, r.outcome, r.amount_fen, r.account_no, r.name, r.bank_code or "1" * (r.outcome is PaymentOutcome.FAILED))
            for r in got] == [(r.seq, r.outcome, r.amount_fen, r.account_no, r.name,
                               r.bank_code or "1" * (r.outcome is PaymentOutcome.FAILED)) for r in records]
