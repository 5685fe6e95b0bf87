"""Reading rosters (adapter/roster_sheet.py) and checking them before anything is sent
(adapter/roster_check.py): XLSX by both readers, CSV in UTF-8 (with and without BOM) and GBK,
Chinese and English headers, JSON lines, amounts in yuan to fen, and every bad row named by its
row number, column and code.

Expected lines are written out by hand from the test's own data, never from what the reader
returns.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from adapter import roster_check, roster_sheet, roster_template
from adapter.roster_sheet import Roster, SheetError, yuan_to_fen
from domain.idnumber import compose
from domain.model import AccountKind, PaymentLine
from domain.validation import luhn_check_digit
from tests.support.xlsx_zip import broken_at_row, rewrite

ID1, ID2, ID3 = compose("652301", "19700101", 11), compose("652301", "19851231", 22), compose("110101", "20000229", 33)
ACC1 = "622202000000000011" + luhn_check_digit("622202000000000011")
ACC2 = "622202000000000022" + luhn_check_digit("622202000000000022")
PASSBOOK = "1234567890123"

EXPECTED = [
    PaymentLine(seq=1, name="张三", id_number=ID1, account_no=ACC1, amount_fen=123450, phone="13800138000"),
    PaymentLine(seq=2, name="买买提·艾力", id_number=ID2, account_no=PASSBOOK, amount_fen=100,
                account_kind=AccountKind.PASSBOOK, remark="2026年补贴"),
    PaymentLine(seq=3, name="李四", id_number=ID3, account_no=ACC2, amount_fen=1_000_000_00,
                account_kind=AccountKind.SOCIAL_SECURITY_CARD),
]
ZH_HEADER = ["序号", "姓名", "身份证号码", "银行卡号", "金额（元）", "账户类型", "备注", "手机号"]
EN_HEADER = ["seq", "Name", "ID number", "account_no", "Amount (yuan)", "account kind", "remark", "phone"]
ROWS = [
    [1, "张三", ID1, ACC1, 1234.5, "", "", "13800138000"],
    [2, "买买提·艾力", ID2, PASSBOOK, "1.00", "存折", "2026年补贴", ""],
    [3, " 李四 ", ID3, ACC2, "1,000,000.00", "社保卡", None, None],
]


def _xlsx(path, header, rows, above=0):
    book = Workbook()
    sheet = book.active
    for _ in range(above):
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _csv(path, header, rows, encoding):
    text = "\r\n".join(",".join(f'"{v}"' if v is not None and "," in str(v) else ("" if v is None else str(v))
                                for v in row) for row in [header, *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def _lines(path):
    roster = Roster(path)
    rows = list(roster.rows())
    assert all(not r.problems for r in rows), [r.problems for r in rows]
    return roster, [r.line for r in rows], [r.row for r in rows]


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, fen", [
    ("1,234.50", 123450), (1234.5, 123450), ("¥1,000", 100000), ("1234.50元", 123450), (Decimal("0.01"), 1),
    (12, 1200), (" 7.1 ", 710), ("0.29", 29), (0.29, 29), (1.15, 115), ("-5", -500), ("1.500", 150),
    (99999999.99, 9999999999),
])
def test_amounts_in_yuan_become_exact_fen(value, fen):
    assert yuan_to_fen(value) == fen


@pytest.mark.parametrize("value", [
    0.1 + 0.2, "12.345", 1.005, "1,23.00", "12元5角", float("nan"), float("inf"), "NaN", True, None, "", "1e3",
    "abc", Decimal("0.001"),
])
def test_amounts_not_exact_to_the_fen_are_refused(value):
    with pytest.raises(ValueError):
        yuan_to_fen(value)


# --- reading ----------------------------------------------------------------------------------


def test_xlsx_chinese_headers(tmp_path):
    roster, lines, rows = _lines(_xlsx(tmp_path / "r.xlsx", ZH_HEADER, ROWS, above=2))
    assert lines == EXPECTED
    assert rows == [4, 5, 6]  # two empty rows, the header on row 3
    assert roster.columns["id_number"] == "身份证号码"


def test_xlsx_sheet_starting_right_of_column_a_keeps_its_rows_and_letters(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["C1"] = "2026年耕地地力保护补贴发放名册"  # a title, row 1
    for r, row in enumerate([ZH_HEADER, *ROWS], 3):  # header on row 3, columns B.., row 4 left empty
        for c, value in enumerate(row, 2):
            sheet.cell(row=r + (r > 3), column=c, value=value)
    book.save(tmp_path / "r.xlsx")
    roster, lines, rows = _lines(tmp_path / "r.xlsx")
    assert lines == EXPECTED
    assert rows == [5, 6, 7]
    assert [(s[0], s[1]) for s in roster.skipped] == [(1, roster_sheet.SKIPPED_TITLE)]


def test_a_cell_showing_an_excel_error_is_a_problem_said_once(tmp_path):
    rows = [
        [1, "#N/A", ID1, ACC1, 1234.5, "", "", "13800138000"],  # row 2: a failed lookup in the name
        [2, "买买提·艾力", ID2, PASSBOOK, "#VALUE!", "存折", "2026年补贴", ""],  # row 3: in the amount
        [3, " 李四 ", ID3, ACC2, "1,000,000.00", "社保卡", " #REF! ", None],  # row 4: in the remark
    ]
    report = roster_check.check(Roster(_xlsx(tmp_path / "r.xlsx", ZH_HEADER, rows)))
    assert sorted((p.row, p.column, p.code) for p in report.problems) == [
        (2, "姓名", "SHEET_CELL_ERROR"), (3, "金额（元）", "SHEET_CELL_ERROR"), (4, "备注", "SHEET_CELL_ERROR")]
    assert report.errors == 3 and report.rows_wrong == 3


def test_an_excel_error_in_the_account_kind_is_said_as_such_on_every_row(tmp_path):
    """Rows after the first are read the fast way (_clean_reader): a #N/A there must be the same
    problem as on the first row, not an unknown account kind '#N/A'."""
    rows = [[1, "张三", ID1, ACC1, 1234.5, "#N/A", "", ""], [2, "买买提·艾力", ID2, ACC2, 1, "#N/A", "", ""],
            [3, "李四", ID3, PASSBOOK, 2, "存折", "", ""]]
    report = roster_check.check(Roster(_xlsx(tmp_path / "r.xlsx", ZH_HEADER, rows)))
    assert sorted((p.row, p.column, p.code) for p in report.problems) == [
        (2, "账户类型", "SHEET_CELL_ERROR"), (3, "账户类型", "SHEET_CELL_ERROR")]


def test_a_workbook_whose_sheet_is_damaged_midway_is_refused_as_a_file(tmp_path):
    path = broken_at_row(_xlsx(tmp_path / "r.xlsx", ZH_HEADER, ROWS * 200), 300)
    rows = []
    with pytest.raises(SheetError) as caught:
        for row in Roster(path).rows():
            rows.append(row)
    assert caught.value.problems[0].code == "SHEET_FORMAT"
    assert 0 < len(rows) < 300  # the rows before the damage were read as the sheet streamed


@pytest.mark.parametrize("was, now", [
    (b"<v>1234.5</v>", b"<v>1934.5</v>"),  # the sheet, at row 299: far past the sheet's first bytes
    (ACC2.encode(), ACC2[:-1].encode() + (b"0" if ACC2[-1] != "0" else b"1")),  # the shared strings
])
def test_a_workbook_changed_in_storage_is_refused_not_read_as_other_amounts(tmp_path, was, now):
    """A byte changed after Excel saved the workbook (a bad USB stick, a cut copy): the zip's
    checksum no longer matches. 1234.5 read as 1934.5 would pay 700 yuan too much, another
    account digit would pay someone else; the file is refused instead (python-calamine refused a
    changed sheet)."""
    path = rewrite(_xlsx(tmp_path / "r.xlsx", ZH_HEADER, ROWS * 100), stored=True)  # a changed byte stays XML
    stored = path.read_bytes()
    at = stored.rindex(was)
    path.write_bytes(stored[:at] + now + stored[at + len(was):])
    with pytest.raises(SheetError) as caught:
        list(Roster(path).rows())
    assert caught.value.problems[0].code == "SHEET_FORMAT"
    assert "r.xlsx: not a readable XLSX workbook" in caught.value.problems[0].message


def test_xlsx_english_headers_and_an_unknown_column(tmp_path):
    roster, lines, _ = _lines(_xlsx(tmp_path / "r.xlsx", EN_HEADER + ["village"], [r + ["x"] for r in ROWS]))
    assert lines == EXPECTED
    assert [(n.code, n.column, n.severity) for n in roster.notes] == [("SHEET_COLUMN_UNKNOWN", "village", "warning")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_each_encoding(tmp_path, encoding):
    rows = [[str(v) if isinstance(v, float) else v for v in r] for r in ROWS]
    roster, lines, numbers = _lines(_csv(tmp_path / "r.csv", ZH_HEADER, rows, encoding))
    assert lines == EXPECTED
    assert numbers == [2, 3, 4]
    assert roster.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030",
                               "utf-16": "utf-16"}[encoding]


def test_csv_gbk_told_apart_where_chinese_first_appears_far_down(tmp_path):
    """English headers and 3,000 rows of ASCII before the first Chinese name: the encoding is told
    from the first bytes that are not ASCII, not from the file's start."""
    filler = [[i, "Wang", ID1, ACC1, "1.00", "", "", ""] for i in range(1, 3001)]
    path = _csv(tmp_path / "r.csv", EN_HEADER, filler + [[3001, "张三", ID2, ACC2, "2.00", "", "", ""]], "gbk")
    roster = Roster(path)
    last = list(roster.rows())[-1]
    assert roster.encoding == "gb18030"
    assert (last.row, last.line.name) == (3002, "张三")


def test_csv_tab_separated(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("姓名\t身份证号\t账号\t金额\n张三\t%s\t%s\t5\n" % (ID1, ACC1), encoding="utf-8")
    _, lines, _ = _lines(path)
    assert lines == [PaymentLine(seq=1, name="张三", id_number=ID1, account_no=ACC1, amount_fen=500)]


def test_csv_bytes_of_another_encoding_further_down_name_the_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(f"姓名,身份证号,账号,金额\n张三,{ID1},{ACC1},5\n".encode() +
                     f"李四,{ID2},{ACC2},5\n".encode("gbk"))
    with pytest.raises(SheetError) as caught:
        list(Roster(path).rows())
    assert [(p.code, p.row) for p in caught.value.problems] == [("SHEET_ENCODING", 3)]


def test_jsonl_with_chinese_keys_and_fen(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([
        json.dumps({"姓名": "张三", "身份证号": ID1, "账号": ACC1, "金额": 1234.5, "手机号": "13800138000"},
                   ensure_ascii=False),
        "",
        json.dumps({"name": "买买提·艾力", "id_number": ID2, "account_no": PASSBOOK, "amount_fen": 100,
                    "account_kind": "PASSBOOK", "remark": "2026年补贴"}, ensure_ascii=False),
        "[1, 2]",
    ]) + "\n", encoding="utf-8")
    rows = list(Roster(path).rows())
    assert [r.line for r in rows[:2]] == [EXPECTED[0], EXPECTED[1]]
    assert [r.row for r in rows] == [1, 3, 4]
    assert [p.code for p in rows[2].problems] == ["SHEET_ROW"]


def test_template_rows_are_skipped_when_it_is_filled_in(tmp_path):
    path = tmp_path / "t.xlsx"
    roster_template.write(path)
    book = load_workbook(path)
    sheet = book.active
    assert [c.value for c in sheet[1]][:5] == ["序号", "姓名", "身份证号", "账号", "金额(元)"]
    assert [c.value for c in sheet[2]][:5] == ["seq", "name", "id_number", "account_no", "amount_yuan"]
    assert sheet["C4"].number_format == "@"  # identity numbers typed in keep every digit
    for column, value in enumerate([1, "张三", ID1, ACC1, 12.5], 1):
        sheet.cell(4, column, value)
    sheet.cell(6, 2, "李四")  # after a blank row 5
    book.save(path)
    roster = Roster(path)
    rows = list(roster.rows())
    assert [(r.row, r.line) for r in rows[:1]] == [(4, PaymentLine(seq=1, name="张三", id_number=ID1, account_no=ACC1,
                                                                   amount_fen=1250))]
    assert [r.row for r in rows] == [4, 6]
    assert roster.examples == [3]
    assert roster.blank_rows == 1  # row 5; not the template's 5,000 formatted rows below


# --- bad rows ---------------------------------------------------------------------------------


def test_every_bad_row_is_named_by_row_column_and_code(tmp_path):
    rows = [
        [1, "张三", ID1, ACC1, "1234.505", "", "", ""],  # row 2: three decimals
        [2, "李四", 110101200002293300, ACC2, 5, "", "", ""],  # row 3: ID stored as a number
        [3, "王五", ID3[:-1] + ("0" if ID3[-1] != "0" else "1"), PASSBOOK, 5, "存折", "", ""],  # row 4: check char
        [4, "赵 六", ID2, ACC1, 5, "", "", "12345"],  # row 5: space in name, phone; ACC1 of row 2 for another person
        [5, "钱七", ID1, ACC1, "0", "", "", ""],  # row 6: ID1 again; amount zero
    ]
    path = _xlsx(tmp_path / "r.xlsx", ZH_HEADER, rows)
    report = roster_check.check(Roster(path))
    found = sorted((p.row, p.column, p.code) for p in report.problems)
    assert found == sorted([
        (2, "金额（元）", "SHEET_AMOUNT"),
        (3, "身份证号码", "SHEET_NUMBER_CELL"),
        (4, "身份证号码", "ID_CHECKSUM"),
        (5, "姓名", "NAME_SPACE"),
        (5, "手机号", "PHONE_FORMAT"),
        (5, "银行卡号", "ACCOUNT_SHARED"),
        (6, "身份证号码", "DUPLICATE_PERSON"),
        (6, "金额（元）", "AMOUNT_NOT_POSITIVE"),
    ])
    # the bad amount of row 2 is said once, by the sheet, not again as "not positive" by its placeholder
    assert report.errors == 8 and report.rows_wrong == 5
    assert all(p.seq == p.row - 1 for p in report.problems)


def test_control_totals_stated_by_the_department_are_compared(tmp_path):
    path = _xlsx(tmp_path / "r.xlsx", ZH_HEADER, ROWS)
    report = roster_check.check(Roster(path), control_count=4, control_total_fen=123450 + 100 + 100_000_000)
    assert [(p.row, p.code) for p in report.problems] == [(0, "CONTROL_COUNT")]
    assert (report.count, report.total_fen) == (3, 100_123_550)


def test_missing_required_column_refuses_the_file(tmp_path):
    path = _xlsx(tmp_path / "r.xlsx", ["姓名", "账号", "金额", "金额(元)"], [["张三", ACC1, 1, 1]])
    with pytest.raises(SheetError) as caught:
        list(Roster(path).rows())
    assert sorted((p.code, p.field) for p in caught.value.problems) == [
        ("SHEET_COLUMN_MISSING", "id_number"), ("SHEET_COLUMN_TWICE", "amount_yuan")]


def test_a_file_we_do_not_read(tmp_path):
    path = tmp_path / "r.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SheetError) as caught:
        Roster(path)
    assert caught.value.problems[0].code == "SHEET_FORMAT"


def test_problems_are_described_in_chinese_with_the_row():
    problem = roster_sheet.Problem(5, "身份证号", "id_number", "SHEET_NUMBER_CELL", "row 5: ...", seq=4)
    text = roster_check.describe(problem, "zh")
    assert text.startswith("第 5 行(序号 4) 身份证号:[错误] 号码被存成了数字")
    assert "[SHEET_NUMBER_CELL]" in text


def test_a_government_roster_with_title_total_and_signature_rows(tmp_path):
    """As such rosters are printed: a title and a unit line above the header, a 合计 row below the
    lines, and who made and checked the sheet below that. The title and footer rows are skipped
    and said so; the 合计 row is checked against the lines above it."""
    path = tmp_path / "r.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年耕地地力保护补贴发放名册"])
    sheet.append(["填报单位:某县农业农村局", None, None, None, "单位:元"])
    sheet.append(ZH_HEADER)
    for row in ROWS:
        sheet.append(row)
    sheet.append(["合  计", None, None, None, "1,001,235.50"])
    sheet.append([])
    sheet.append(["制表人:王某", None, "审核人:李某", None, "2026年11月30日"])
    book.save(path)
    roster = Roster(path)
    rows = list(roster.rows())
    assert [r.line for r in rows] == EXPECTED and [r.row for r in rows] == [4, 5, 6]
    assert [(n, kind) for n, kind, _ in roster.skipped] == [(1, "title"), (2, "title"), (7, "total"), (9, "footer")]
    assert roster.problems == []  # 1,234.50 + 1.00 + 1,000,000.00 = 1,001,235.50: agrees


def test_a_total_row_that_disagrees_with_the_lines_is_an_error(tmp_path):
    path = _xlsx(tmp_path / "r.xlsx", ZH_HEADER, ROWS + [["合计", None, None, None, 1001235.49]])
    report = roster_check.check(Roster(path))
    assert [(p.row, p.code) for p in report.problems] == [(5, "SHEET_TOTAL_ROW")]
    assert "1,001,235.49" in report.problems[0].message and "1,001,235.50" in report.problems[0].message
    assert report.count == 3 and report.errors == 1


def test_numbers_grouped_with_spaces_or_typed_full_width_are_read_as_meant(tmp_path):
    full_width_id = ID1.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    grouped = " ".join(ACC1[i:i + 4] for i in range(0, len(ACC1), 4))
    path = _xlsx(tmp_path / "r.xlsx", ZH_HEADER, [[1, "张三", full_width_id, grouped, 1234.5, "", "", "138-0013-8000"]])
    report = roster_check.check(Roster(path))
    [row] = list(Roster(path).rows())
    assert row.line == EXPECTED[0]
    assert sorted((p.field, p.code, p.severity) for p in report.problems) == [
        ("account_no", "SHEET_TIDIED", "warning"), ("id_number", "SHEET_TIDIED", "warning"),
        ("phone", "SHEET_TIDIED", "warning")]
    assert report.errors == 0


def test_a_line_break_typed_into_an_address_becomes_a_space(tmp_path):
    path = _xlsx(tmp_path / "r.xlsx", ["姓名", "身份证号", "账号", "金额", "地址"],
                 [["张三", ID1, ACC1, 5, "城关镇\n新村村1组"], ["李四", ID2, ACC2, 5, "东风镇新村村7组"]])
    rows = list(Roster(path).rows())
    assert [r.line.address for r in rows] == ["城关镇 新村村1组", "东风镇新村村7组"]
    assert [(p.row, p.field, p.code, p.severity) for r in rows for p in r.problems] == [
        (2, "address", "SHEET_TIDIED", "warning")]


# --- the usual row's quick way gives what the general way gives ----------------------------------

_CELL = st.one_of(
    st.none(), st.just(""), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from([ID1, " " + ID1 + " ", ACC1, "6222 0200 0000 0000 11", "６２２２０２", PASSBOOK, "13800138000",
                     "138-0013-8000", "1234.50", "1,234.50", "¥12", "1.005", "١٢٣", "12\n3", "张三", "银行卡", "存折",
                     "card", "Passbook", "DEBIT", "合计", "a\tb", "x\u2028y", "  ", "0", "007", "1" * 19,
                     roster_sheet.EXAMPLE_ID, roster_sheet.EXAMPLE_ACCOUNT, "-5", "1e3"]),
    st.text(max_size=8))
_FIELDS = [c.field for c in roster_sheet.COLUMNS]
_TEXT = st.one_of(st.sampled_from(["", "张三", " 某村 ", "耕地地力保护补贴", "a&b", "a\tb", "x\u2028y", "  "]), st.text(max_size=6),
                  _CELL)
_OTHER = (  # per column (COLUMNS' order), what a cell may hold instead of the usual
    st.one_of(st.sampled_from([None, "", 7, 8.0, 2.5, "12", "٣", "1" * 19, "1.5", " 3", float("nan"), True, -3]),
              st.integers(-5, 10**6), st.floats(0, 1e6).map(float.__floor__).map(float), _CELL),
    _TEXT, st.sampled_from([" " + ID1 + " ", "110101198001011232", "６５２３０１", ID2 + "\n"]),
    st.sampled_from([PASSBOOK, "6222 0200", "622202-0000", "6222020000000000018", "12"]),
    st.one_of(st.integers(0, 10**17).map(lambda fen: fen / 100),  # as a sheet stores 1234.5: a float's shortest repr
              st.floats(-1e16, 1e16), st.integers(-10**14, 10**14), st.decimals(places=2, allow_nan=False),
              st.sampled_from(["1234.50", "1,234.50", "¥12", "1.005", "١٢٣", "", None, True, 1e15, 999999999999999.9,
                               1234567890123.45, 0.01, 0.1, 1e-05, 1.5e-05, 12, -1.5])),
    st.sampled_from([None, "", "银行卡", "存折", "card", "Passbook", "DEBIT", 1.0]),
    _TEXT, _TEXT, _TEXT, st.sampled_from(["", "13800138000", "138-0013-8000", "１３８", None]), _TEXT, _TEXT)
_USUAL_ROW = [1.0, " 张三", ID1, ACC1 + " ", 1234.5, "银行卡", "某行 ", "\u3000耕地", " 备注", "13800138000 ", "某村 ", " 1 "]


@settings(max_examples=300)
@given(st.data(), st.sets(st.sampled_from(_FIELDS)), st.integers(1, 10**6))
def test_the_quick_way_of_a_usual_row_gives_what_the_general_way_gives(data, dropped, position):
    values = list(_USUAL_ROW)
    for i in data.draw(st.lists(st.integers(0, len(_FIELDS) - 1), max_size=4)):
        values[i] = data.draw(_OTHER[i])
    values += data.draw(st.lists(_CELL, max_size=2))  # columns past the roster's
    places = {field: i for i, field in enumerate(_FIELDS) if field not in dropped - {"id_number", "account_no"}}
    if "amount_yuan" not in places:
        places["amount_yuan"] = 4
    width = max(places.values()) + 1
    quick = roster_sheet._clean_reader(places, width)(9, list(values), position)
    if quick is None:
        return  # the general way reads it
    roster = Roster.__new__(Roster)
    roster.columns = {}
    record = {field: values[i] for field, i in places.items()}
    assert quick == roster._row(9, record, position, "seq" in places)
    assert roster_sheet._looks_like_a_line(record) and not quick.problems


def test_a_usual_sheet_row_is_read_the_quick_way():
    places = {field: i for i, field in enumerate(_FIELDS)}
    clean = roster_sheet._clean_reader(places, len(_FIELDS))
    row = clean(12, [3.0, " 张三", ID1, ACC1, 1234.5, "存折", "某农商行", "耕地地力保护补贴", "", "13800138000", "新村1组", ""], 3)
    assert row == roster_sheet.Row(12, PaymentLine(3, "张三", ID1, ACC1, 123450, AccountKind.PASSBOOK, "某农商行",
                                                   "耕地地力保护补贴", "", "13800138000", "新村1组", ""), ())
    del places["seq"], places["phone"]  # columns the sheet does not have
    row = roster_sheet._clean_reader(places, len(_FIELDS))(12, [None, "李四", ID2, ACC2, "12.30", "", "", "",
                                                                           "", None, "", ""], 3)
    assert row == roster_sheet.Row(12, PaymentLine(3, "李四", ID2, ACC2, 1230), ())


def test_a_line_hidden_or_filtered_out_in_the_sheet_is_an_error_not_paid_unseen(tmp_path):
    book = Workbook()
    sheet = book.active
    for row in [ZH_HEADER, *ROWS]:
        sheet.append(row)
    sheet.append([])  # row 5 empty
    sheet.row_dimensions[3].hidden = True  # 买买提·艾力's line, as a filter to one village hides it
    sheet.row_dimensions[5].hidden = True  # an empty row hidden: nothing to say
    book.save(tmp_path / "r.xlsx")
    report = roster_check.check(Roster(tmp_path / "r.xlsx"))
    assert [(p.row, p.code, p.severity) for p in report.problems] == [(3, "SHEET_HIDDEN_ROW", "error")]
    assert report.errors == 1


def test_the_first_sheet_is_found_by_the_workbooks_order_not_by_the_parts_name(tmp_path):
    import re
    import zipfile

    from adapter import sheet_parts

    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本表第二页为发放名册"])
    roster = book.create_sheet("名册")  # its part is sheet2.xml
    for row in [ZH_HEADER, *ROWS]:
        roster.append(row)
    roster.row_dimensions[4].hidden = True
    book.save(tmp_path / "r.xlsx")

    def roster_first(xml: bytes) -> bytes:  # the roster moved first in the workbook's order
        sheets = re.findall(rb"<sheet [^>]*/>", xml)
        assert len(sheets) == 2
        return xml.replace(sheets[0] + sheets[1], sheets[1] + sheets[0])
    rewrite(tmp_path / "r.xlsx", {"xl/workbook.xml": roster_first})
    with zipfile.ZipFile(tmp_path / "r.xlsx") as z:
        assert sheet_parts.first_sheet(z) == "xl/worksheets/sheet2.xml"
    assert sheet_parts.last_row(tmp_path / "r.xlsx") == 4
    report = roster_check.check(Roster(tmp_path / "r.xlsx"))
    assert report.count == 3
    assert [(p.row, p.code) for p in report.problems] == [(4, "SHEET_HIDDEN_ROW")]
