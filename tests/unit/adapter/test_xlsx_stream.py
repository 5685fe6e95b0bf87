"""The streaming XLSX writer (adapter/xlsx_stream.py): what it writes reads back, by openpyxl
and by python-calamine, as the values, styles and sheet set-up given."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine_plus import CalamineWorkbook

from adapter.xlsx_stream import Template, XlsxStream, column_letter, render_row, replace_cells


def test_rows_read_back_with_their_types_and_styles(tmp_path):
    path = tmp_path / "out.xlsx"
    with XlsxStream(path) as book:
        sheet = book.sheet("提交结果", widths=(9, 30, 14), header=("行号", "姓名", "金额(元)"))
        sheet.row((4, "买买提·艾力 <&> \"x\"", Decimal("1234.50")), (None, None, "money"))
        sheet.row((5, "bad\x01char", Decimal("-0.01")), (None, "red", "money"))
        sheet.row((6, None, 0))
        summary = book.sheet("汇总", widths=(20, 40))
        summary.row(("批次号", "B1"))
    wb = load_workbook(path)
    results, totals = wb.worksheets
    assert wb.sheetnames == ["提交结果", "汇总"]
    assert [[c.value for c in row] for row in results.iter_rows()] == [
        ["行号", "姓名", "金额(元)"], [4, "买买提·艾力 <&> \"x\"", 1234.5], [5, "bad\ufffdchar", -0.01], [6, None, 0]]
    assert results["C2"].number_format == "#,##0.00" and results["A1"].font.b
    assert results["B3"].font.color.rgb == "FFC00000"
    assert results.freeze_panes == "A2"
    assert results.auto_filter.ref == "A1:C4"
    assert results.column_dimensions["B"].width == 30
    assert [[c.value for c in row] for row in totals.iter_rows()] == [["批次号", "B1"]]
    calamine = CalamineWorkbook.from_path(str(path))
    assert calamine.sheet_names == ["提交结果", "汇总"]
    assert calamine.get_sheet_by_index(0).to_python()[1] == [4.0, "买买提·艾力 <&> \"x\"", 1234.5]


def test_floats_are_not_written(tmp_path):
    with pytest.raises(TypeError), XlsxStream(tmp_path / "f.xlsx") as book:
        book.sheet("s").row((0.1,))
    assert not (tmp_path / "f.xlsx").exists()  # no half-written workbook is left


@pytest.mark.parametrize("i, letters", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(i, letters):
    assert column_letter(i) == letters


_ROW_VALUES = st.tuples(st.integers(-10**20, 10**20), st.text(), st.one_of(st.none(), st.text(), st.integers()),
                        st.decimals(allow_nan=False, allow_infinity=False, places=2), st.sampled_from(["已接受", "", "a&b"]))


@given(st.integers(1, 10**6), _ROW_VALUES)
@example(5, (1, "张三", "x", Decimal("1.00"), "已接受"))  # the template's own markup
@example(5, (1, "张三", "x", Decimal("1E+3"), "已接受"))
def test_a_template_renders_each_row_as_render_row_does(r, values):
    # the types it was made for or not, texts to escape or not, empty values or not
    styles = (None, "red", None, "money", "amber")
    assert Template((int, str, str, Decimal, str), styles).row(r, values) == render_row(r, values, styles)


def test_rows_rendered_by_a_template_read_back(tmp_path):
    template = Template((int, str, Decimal), (None, None, "money"))
    rows = [(7, "张三", Decimal("1234.50")), (8, "A&B <c>", Decimal("0.01")), (9, "", Decimal("-3.00"))]
    path = tmp_path / "t.xlsx"
    with XlsxStream(path) as book:
        sheet = book.sheet("s", header=("n", "name", "yuan"))
        sheet.raw_rows("".join(template.row(r, v) for r, v in enumerate(rows, 2)).encode("utf-8"), len(rows), 3)
        sheet.row((10, "after", Decimal("1.00")))
    wb = load_workbook(path)
    assert [[c.value for c in row] for row in wb.worksheets[0].iter_rows()] == [
        ["n", "name", "yuan"], [7, "张三", 1234.5], [8, "A&B <c>", 0.01], [9, None, -3], [10, "after", 1]]
    assert wb.worksheets[0]["C2"].number_format == "#,##0.00" and wb.worksheets[0].auto_filter.ref == "A1:C5"


def test_replace_cells_changes_the_rows_named_from_the_column_named():
    template = Template((int, str, str), None)
    tricky = 'x<c r="B3" t="inlineStr"></row>'  # text that looks like the markup looked for: escaped
    xml = "".join(template.row(r, (r, tricky, "old")) for r in range(2, 6))
    changed = replace_cells(xml, 2, {3: (("new", "more"), ("red", None)), 5: (("last",), None)}, 1)
    assert changed == "".join([render_row(2, (2, tricky, "old")), render_row(3, (3, "new", "more"), (None, "red", None)),
                               render_row(4, (4, tricky, "old")), render_row(5, (5, "last"))])
