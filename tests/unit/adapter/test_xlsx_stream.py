"""The streaming XLSX writer (adapter/xlsx_stream.py): what it writes reads back, by openpyxl
and by python-calamine, as the values, styles and sheet set-up given."""
from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from adapter.xlsx_stream import XlsxStream, column_letter


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
