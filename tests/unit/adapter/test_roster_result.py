"""The result sheet (adapter/roster_result.py): rows rendered beforehand (while the service works)
read back the same as rows rendered afterwards, and lines with issues are rendered with them."""
from __future__ import annotations

from types import SimpleNamespace

from openpyxl import load_workbook

from adapter import roster_result
from adapter.roster_spool import Spool
from domain.roster import generate_lines
from i18n import name


def _sheet(path):
    return [[c.value for c in row] for row in load_workbook(path).worksheets[0].iter_rows()]


def test_rows_rendered_beforehand_are_the_rows_rendered_after(tmp_path):
    spool = Spool()
    for i, line in enumerate(generate_lines(4500, seed=3)):
        spool.add(3 + i, line)
    answer = SimpleNamespace(batch_id="B1", status="NEEDS_CORRECTION", line_count=4500, total_fen=1, accepted_count=4498,
                             rejected_count=1, held_count=1, replayed=False)
    issues = {7: [SimpleNamespace(code="DUPLICATE_PAYMENT", severity="error", field="id_number", other_batch_id="B0",
                                  other_seq=3, message="line 7: ...")],
              2001: [SimpleNamespace(code="STOP_DECEASED", severity="hold", field="id_number", other_batch_id="",
                                     other_seq=0, message="line 2001: ...")]}
    accepted = roster_result.Accepted(spool)
    for chunk in spool.chunks():
        accepted.add(chunk.lines)
    roster_result.write(tmp_path / "before.xlsx", spool, answer, issues, "r.xlsx", accepted=accepted)
    roster_result.write(tmp_path / "after.xlsx", spool, answer, issues, "r.xlsx")
    before, after = _sheet(tmp_path / "before.xlsx"), _sheet(tmp_path / "after.xlsx")
    assert before == after
    assert len(before) == 4501
    assert [before[7][0], before[7][1], before[7][6], before[7][7]] == [9, 7, "已拒绝", "DUPLICATE_PAYMENT"]  # line 7 is the file's row 3 + 6
    assert [before[2001][0], before[2001][6]] == [2003, "暂停,待复核"]
    assert before[7][8] == f"{name('field', 'id_number')}:{name('problem', 'DUPLICATE_PAYMENT')}(批次 B0 序号 3)"
    assert before[2001][8] == f"{name('field', 'id_number')}:{name('problem', 'STOP_DECEASED')}"
    assert [before[4500][0], before[4500][1], before[4500][6]] == [4502, 4500, "已接受"]
