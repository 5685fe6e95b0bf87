"""The result sheet (adapter/roster_result.py): rows rendered beforehand (while the service works)
read back, by openpyxl and calamine, as each line with its outcome: accepted, or what the service
found about it, rendered again only for those lines."""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from types import SimpleNamespace

from openpyxl import load_workbook
from python_calamine_plus import CalamineWorkbook

from adapter import roster_result
from adapter.client import CHUNK_LINES
from domain.masking import mask_account, mask_id
from domain.roster import generate_lines
from i18n import name


def _issue(code, severity, field, other_batch_id="", other_seq=0):
    return SimpleNamespace(code=code, severity=severity, field=field, other_batch_id=other_batch_id,
                           other_seq=other_seq, message="line ...: ...")


def test_each_row_reads_back_as_its_line_and_outcome(tmp_path):
    lines = list(generate_lines(4500, seed=3))
    lines[10] = dataclasses.replace(lines[10], name="A&B <C> \"D\"")  # text to escape: rendered the general way
    rows = [3 + 2 * i for i in range(len(lines))]  # the file's rows need not follow each other
    issues = {7: [_issue("DUPLICATE_PAYMENT", "error", "id_number", "B0", 3)],
              2001: [_issue("STOP_DECEASED", "hold", "id_number")],
              2002: [_issue("DUPLICATE_PAYMENT", "error", "id_number", "B0", 9), _issue("STOP_DECEASED", "hold", "id_number")],
              4500: [_issue("NAME_RARE_CHARACTER", "warning", "name")]}
    answer = SimpleNamespace(batch_id="B1", status="NEEDS_CORRECTION", line_count=4500, total_fen=1, accepted_count=4497,
                             rejected_count=2, held_count=1, replayed=False)
    prepared = roster_result.Prepared(tmp_path)
    for start in range(0, len(lines), CHUNK_LINES):  # as the spool hands them over
        prepared.add(rows[start:start + CHUNK_LINES], lines[start:start + CHUNK_LINES])
    roster_result.write(tmp_path / "result.xlsx", prepared, answer, issues, "r.xlsx")
    prepared.close()

    def expected(i, line):
        found = issues.get(line.seq, [])
        fate = ("已拒绝" if any(x.severity == "error" for x in found) else
                "暂停,待复核" if any(x.severity == "hold" for x in found) else "已接受")
        codes = "; ".join(dict.fromkeys(x.code for x in found)) or None
        reasons = "\n".join(roster_result.reason(x) for x in found) or None
        return [rows[i], line.seq, line.name, mask_id(line.id_number), mask_account(line.account_no),
                Decimal(line.amount_fen).scaleb(-2), fate, codes, reasons]

    want = [expected(i, line) for i, line in enumerate(lines)]
    book = load_workbook(tmp_path / "result.xlsx")
    got = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2)]
    assert [r[:5] + [Decimal(str(r[5]))] + r[6:] for r in got] == want
    calamine = CalamineWorkbook.from_path(str(tmp_path / "result.xlsx")).get_sheet_by_index(0).to_python()[1:]
    assert [[int(r[0]), int(r[1]), *r[2:5], Decimal(repr(r[5])), *(v or None for v in r[6:])] for r in calamine] == want
    assert want[6][6:8] == ["已拒绝", "DUPLICATE_PAYMENT"] and [want[2000][6], want[2001][6]] == ["暂停,待复核", "已拒绝"]
    assert want[6][8] == f"{name('field', 'id_number')}:{name('problem', 'DUPLICATE_PAYMENT')}(批次 B0 序号 3)"
    sheet = book.worksheets[0]
    assert sheet["G8"].font.color.rgb == "FFC00000" and sheet["G2002"].font.color.rgb == "FF9C5700"  # seqs 7, 2001
    assert sheet["F2"].number_format == "#,##0.00" and sheet.auto_filter.ref == "A1:I4501"
    assert list(tmp_path.iterdir()) == [tmp_path / "result.xlsx"]  # the rows waited in a file no one sees
