"""The result sheet of a submitted roster: each row of the file as the service took it.

Sheet 提交结果: the row of the input file, the seq, the name, the identity and account numbers
masked (the sheet travels by e-mail and on USB sticks; the department holds the full numbers in
its own roster), the amount in yuan as a number, the outcome (已接受 / 已拒绝 / 暂停,待复核), the
reason codes (for machines and for support) and the reasons in words (the code's Chinese name
and the service's detail). Sheet 汇总: the batch, its status and the counts. Written row by row
(openpyxl's write-only mode), reading the roster file once more, never holding it.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ACCEPTED, REJECTED, HELD = "ACCEPTED", "REJECTED", "HELD"


def outcome(issues) -> str:
    """A line's outcome from the service's issues about it, as the service decides a line's fate
    (:func:`domain.eligibility.fate`): any error rejects, any hold holds."""
    from domain.eligibility import fate
    from domain.model import LineStatus

    status = fate(i.severity for i in issues)
    return REJECTED if status is LineStatus.REJECTED else HELD if status is LineStatus.HELD else ACCEPTED


def write(path: Path, roster, response, issues: dict[int, list], source_name: str, tick=None,
          lang: str = "zh") -> None:
    """``response`` is the SubmitBatch answer, ``issues`` every issue by seq (ListLineIssues)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from domain import beijing
    from domain.masking import mask_account, mask_id
    from i18n import name, say

    book = Workbook(write_only=True)
    sheet = book.create_sheet(say("roster.sheet.results", lang))
    columns = ("row", "seq", "name", "id_number", "account_no", "amount", "outcome", "codes", "reasons")
    widths = (9, 8, 12, 22, 24, 14, 14, 28, 80)
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(65 + i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for c in columns:
        cell = WriteOnlyCell(sheet, say(f"roster.col.{c}", lang))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    words = {o: say(f"roster.outcome.{o}", lang) for o in (ACCEPTED, REJECTED, HELD)}
    red, amber = Font(color="C00000"), Font(color="9C5700")
    rows = 0
    for row in roster.rows():
        if tick is not None:
            tick()
        line = row.line
        found = issues.get(line.seq, ())
        fate = outcome(found)
        amount = WriteOnlyCell(sheet, Decimal(line.amount_fen).scaleb(-2))
        amount.number_format = "#,##0.00"
        shown = WriteOnlyCell(sheet, words[fate])
        if fate != ACCEPTED:
            shown.font = red if fate == REJECTED else amber
        codes = "; ".join(dict.fromkeys(i.code for i in found))
        reasons = "\n".join(f"{name('problem', i.code, lang) if _named(i.code) else name('reason', i.code, lang)}"
                            f"({i.message})" for i in found)
        sheet.append([row.row, line.seq, line.name, mask_id(line.id_number), mask_account(line.account_no), amount,
                      shown, codes, reasons])
        rows += 1
    if rows:
        sheet.auto_filter.ref = f"A1:I{rows + 1}"

    summary = book.create_sheet(say("roster.sheet.summary", lang))
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 40
    total = WriteOnlyCell(summary, Decimal(response.total_fen).scaleb(-2))
    total.number_format = "#,##0.00"
    for key, value in (("file", source_name), ("batch", response.batch_id),
                       ("status", name("batch_status", response.status, lang)), ("count", response.line_count),
                       ("total", total), ("accepted", response.accepted_count),
                       ("rejected", response.rejected_count), ("held", response.held_count),
                       ("replayed", say("common.yes" if response.replayed else "common.no", lang)),
                       ("written_at", beijing.local(datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S"))):
        summary.append([say(f"roster.summary.{key}", lang), value])
    book.save(path)


def _named(code: str) -> bool:
    from i18n import WORDS

    return f"problem.{code}" in WORDS
