"""XLSX export for accountants: a summary sheet (facts and the three copies' digests and
signatures), then one sheet per table.

An amount takes two columns: fen as an integer number cell (summable, exact) and yuan as text
formatted from the integer — never a float. The workbook is written in openpyxl's write-only
mode, which streams rows to the file instead of holding every cell in memory.
"""
from __future__ import annotations

import re
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.documents import Document
from reports.layout import FEN, flat_cells, flat_header, layout

SUFFIX = "xlsx"
SUMMARY = "概要 summary"
_BOLD = Font(bold=True)
_NOT_IN_SHEET_NAMES = re.compile(r"[\\/?*\[\]:]")


def sheet_name(title: str) -> str:
    """Excel allows 31 characters and none of \\ / ? * [ ] : in a sheet name."""
    return _NOT_IN_SHEET_NAMES.sub(" ", title)[:31].strip()


def write(doc: Document, out: BinaryIO) -> None:
    view = layout(doc)
    book = Workbook(write_only=True)
    summary = book.create_sheet(SUMMARY)
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 40
    summary.column_dimensions["C"].width = 68
    summary.column_dimensions["D"].width = 92
    summary.append([_bold(summary, "报表 report"), view.title])
    for label, value in view.facts:
        summary.append([label, value])
    summary.append([])
    summary.append([_bold(summary, t) for t in ("party", "label", "content_sha256", "signature (Ed25519, base64)")])
    for c in doc.copies:
        summary.append([c.party, c.label, c.digest, c.signature])
    for table in view.tables:
        sheet = book.create_sheet(sheet_name(table.title))
        titles = flat_header(table.columns)
        for n, title in enumerate(titles, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = max(12, min(40, len(title) + 4))
        sheet.append([_bold(sheet, t) for t in titles])
        fen_positions = _fen_positions(table.columns)
        for row in table.rows():
            values = flat_cells(row, table.columns)
            for i in fen_positions:
                values[i] = _fen(sheet, values[i])
            sheet.append(values)
    book.save(out)


def _fen_positions(columns) -> list[int]:
    """Where the fen number cells fall in a row of :func:`reports.layout.flat_cells`."""
    positions, at = [], 0
    for col in columns:
        if col.kind == FEN:
            positions.append(at)
            at += 2
        else:
            at += 1
    return positions


def _bold(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = _BOLD
    return cell


def _fen(sheet, value: int) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "#,##0"
    return cell
