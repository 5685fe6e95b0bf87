"""The XLSX roster template ``ykt batch template`` writes: what a department fills in.

Sheet 发放名册: row 1 the columns' Chinese headers (required ones bold, each with a comment
saying what goes in it), row 2 their English codes (so a sheet in either language maps the same
way; :mod:`adapter.roster_sheet` skips this row), row 3 a filled example row (a made-up person,
skipped when submitted). Identity, account, phone and household columns are formatted as text,
so that Excel keeps every digit of what is typed into them; the amount column is a number in
yuan shown ``#,##0.00``; the account kind offers a list. A second sheet 填写说明 lists the
columns with what each may hold.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from adapter.roster_sheet import COLUMNS

TEXT_FIELDS = ("id_number", "account_no", "phone", "household_no", "name", "bank_name", "subsidy_item", "remark",
               "address")
ROWS_FORMATTED = 5000  # rows below the example whose text columns are formatted as text


def write(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from i18n import say

    book = Workbook()
    sheet = book.active
    sheet.title = say("roster.template.sheet", "zh")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, column in enumerate(COLUMNS, 1):
        letter = get_column_letter(i)
        cell = sheet.cell(1, i, column.zh)
        cell.font = Font(bold=column.required, color="C00000" if column.required else "000000")
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center")
        required = say("roster.template.required" if column.required else "roster.template.optional", "zh")
        cell.comment = Comment(f"{required}:{column.note}", "ykt")
        code = sheet.cell(2, i, column.field)
        code.font = Font(italic=True, color="808080")
        code.alignment = Alignment(horizontal="center")
        example = column.example
        if column.field == "amount_yuan":
            example = Decimal(str(example))
        value = sheet.cell(3, i, example if example != "" else None)
        if column.field == "amount_yuan":
            value.number_format = "#,##0.00"
            for row in range(4, 4 + ROWS_FORMATTED):
                sheet.cell(row, i).number_format = "#,##0.00"
        elif column.field in TEXT_FIELDS:
            value.number_format = "@"
            for row in range(4, 4 + ROWS_FORMATTED):
                sheet.cell(row, i).number_format = "@"
        sheet.column_dimensions[letter].width = max(10, len(column.zh) * 2 + 4, len(str(column.example)) * 1.3 + 2)
        if column.field == "account_kind":
            kinds = DataValidation(type="list", formula1='"银行卡,存折,社保卡"', allow_blank=True)
            kinds.add(f"{letter}3:{letter}{3 + ROWS_FORMATTED}")
            sheet.add_data_validation(kinds)
    sheet.freeze_panes = "A3"

    notes = book.create_sheet(say("roster.template.help_sheet", "zh"))
    notes.append(say("roster.template.help_cols", "zh").split("|"))
    for column in COLUMNS:
        required = say("roster.template.required" if column.required else "roster.template.optional", "zh")
        notes.append([column.zh, column.field, required, column.note])
    for letter, width in zip("ABCD", (14, 16, 10, 60)):
        notes.column_dimensions[letter].width = width
    book.save(path)
