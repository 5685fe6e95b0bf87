"""XLSX export for accountants: one table per sheet, ready to add up, filter and print.

Sheets: 概要 summary (the report's facts), 合计 totals (the key amounts in figures and in capital
numerals), 联 copies (each copy's content digest and signature), then one sheet per table of the
layout. Every sheet has a title row, a header row frozen under it with filters, column widths
that fit its Chinese text (a Chinese character takes two widths), and a print set-up: A4, fit to
one page wide, the title and header rows repeated on every printed page. Sheet names are the
table titles, shortened only between words to Excel's 31 characters.

An amount is one number cell in yuan, formatted ``#,##0.00``. The cell value is exact: it is
``Decimal(fen) / 100`` — integer fen divided in decimal arithmetic, never a float — and the
workbook stores it as those decimal digits (``1234.56``), which Excel reads as the number
nearest to them and shows to the fen; sums of such cells stay exact to the fen for any total
under 10^13 yuan (15 significant digits). Counts are integer cells ``#,##0``. The workbook is
written in openpyxl's write-only mode, which streams rows to the file.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from itertools import islice
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from reports.capitals import capitals
from reports.documents import Document
from reports.layout import COUNT, FEN, Column, flat_header, layout

SUFFIX = "xlsx"
SUMMARY = "概要 summary"
TOTALS = "合计 totals"
COPIES = "联 copies"
YUAN_FORMAT = "#,##0.00"
A4_PAPER = "9"  # the paper size code of A4 in SpreadsheetML
COUNT_FORMAT = "#,##0"
MAX_SHEET_NAME = 31
SAMPLED = 200  # rows looked at to size the columns
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=12)
_HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
_WRAP = Alignment(wrap_text=True, vertical="top")
_NOT_IN_SHEET_NAMES = re.compile(r"[\\/?*\[\]:]")


def sheet_name(title: str) -> str:
    """Excel allows 31 characters and none of \\ / ? * [ ] : in a sheet name. A longer title
    loses whole words from its end (``未纳入指令 roster lines not instructed`` → ``未纳入指令
    roster lines not``), never part of one; a first word longer than 31 is cut."""
    name = " ".join(_NOT_IN_SHEET_NAMES.sub(" ", title).split())
    words = name.split(" ")
    while len(" ".join(words)) > MAX_SHEET_NAME and len(words) > 1:
        words.pop()
    return " ".join(words)[:MAX_SHEET_NAME]


def yuan_value(fen: int) -> Decimal:
    """Integer fen as the exact yuan number a cell holds: ``Decimal(fen) / 100``, no float."""
    return Decimal(fen) / 100


def width(text: str) -> int:
    """Columns a text takes in a sheet: Chinese (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write(doc: Document, out: BinaryIO) -> None:
    view = layout(doc)
    book = Workbook(write_only=True)
    used: set[str] = set()
    _sheet(book, used, view.title, SUMMARY, (Column("项目 item"), Column("内容 value")),
           lambda: [("报表 report", view.title), *view.facts], 1 + len(view.facts))
    _sheet(book, used, view.title, TOTALS, (Column("项目 item"), Column("金额 amount", FEN), Column("大写 in words")),
           lambda: [(label, fen, capitals(fen)) for label, fen in view.summary], len(view.summary))
    _sheet(book, used, view.title, COPIES, (Column("联 party"), Column("联次 copy"), Column("内容摘要 content_sha256"),
                                            Column("签名 signature (Ed25519, base64)")),
           lambda: [(c.party, c.label, c.digest, c.signature) for c in doc.copies], len(doc.copies))
    for table in view.tables:
        _sheet(book, used, view.title, table.title, table.columns, table.rows, table.count)
    book.save(out)


def _unique(title: str, used: set[str]) -> str:
    name, n = sheet_name(title), 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = sheet_name(title)[:MAX_SHEET_NAME - len(suffix)].rstrip() + suffix, n + 1
    used.add(name.lower())
    return name


def _sheet(book, used: set[str], report: str, title: str, columns: tuple[Column, ...], rows, count: int) -> None:
    sheet = book.create_sheet(_unique(title, used))
    header = flat_header(columns)
    last = get_column_letter(len(header))
    widths = [width(h) for h in header]
    for row in islice(rows(), SAMPLED):
        for i, (value, col) in enumerate(zip(row, columns, strict=True)):
            shown = f"{value:,.2f}" if col.kind == FEN and value is not None else str("" if value is None else value)
            widths[i] = max(widths[i], width(shown) + (1 if col.kind in (FEN, COUNT) else 0))
    for i, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(8, min(60, w + 2))
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{last}{2 + max(count, 1)}"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.paperSize = A4_PAPER
    sheet.page_setup.orientation = "landscape" if sum(widths) > 110 else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
    head = WriteOnlyCell(sheet, value=f"{report} — {title}")
    head.font = _TITLE
    sheet.append([head])
    titles = []
    for h in header:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEAD_FILL, _WRAP
        titles.append(cell)
    sheet.append(titles)
    for row in rows():
        sheet.append([_cell(sheet, value, col.kind) for value, col in zip(row, columns, strict=True)])


def _cell(sheet, value, kind: str):
    if value is None:
        return None
    if kind == FEN:
        cell = WriteOnlyCell(sheet, value=yuan_value(value))
        cell.number_format = YUAN_FORMAT
        return cell
    if kind == COUNT:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = COUNT_FORMAT
        return cell
    return value  # text, and ids (a line's seq, a file id) as plain integers
