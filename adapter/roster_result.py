"""The result sheet of a submitted roster: each row of the file as the service took it.

Sheet 提交结果: the row of the input file, the seq, the name, the identity and account numbers
masked (the sheet travels by e-mail and on USB sticks; the department holds the full numbers in
its own roster), the amount in yuan as a number, the outcome (已接受 / 已拒绝 / 暂停,待复核), the
reason codes (for machines and for support) and the reasons in words (the code's Chinese name
and the service's detail). Sheet 汇总: the batch, its status and the counts. Written row by row
(:mod:`adapter.xlsx_stream`: openpyxl took four times as long as the service to write a
100,000-row sheet), from the lines as sent (:class:`Prepared`, given each chunk by
:mod:`adapter.roster_spool`).
"""
from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterator
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


COLUMNS = ("row", "seq", "name", "id_number", "account_no", "amount", "outcome", "codes", "reasons")
PLAIN = (None, None, None, None, None, "money", None, None, None)
MARKED = {REJECTED: ("red", None, None), HELD: ("amber", None, None)}  # the outcome's columns
_OUTCOME = COLUMNS.index("outcome")


class Prepared:
    """The result sheet's rows rendered while the service checks and stores the roster, a chunk
    at a time as the lines go out (this process waits for the service then), as if every line
    were accepted. Once the service has answered, a chunk of lines it found nothing about goes to
    the sheet as it is; in the others only the outcome cells of the lines it found something
    about are rendered again. Rendering every row afterwards, from the lines kept for it, cost a
    second of this process's CPU after the service's answer.

    The rows wait in an anonymous temporary file beside the result sheet (``folder``; removed
    from the folder as it is made, so nothing is left behind even when the process is killed),
    about 430 bytes a row as UTF-8: they hold what the result sheet will (names, numbers masked),
    and compressing them in memory cost as much CPU as writing the sheet. Only the lines' seqs
    stay in memory (8 bytes a line). :meth:`close` when done."""

    def __init__(self, folder: Path, lang: str = "zh") -> None:
        from adapter.xlsx_stream import Template
        from i18n import say

        self._template = Template((int, int, str, str, str, Decimal, str), PLAIN[:_OUTCOME + 1])
        self._word = say(f"roster.outcome.{ACCEPTED}", lang)
        self._file = tempfile.TemporaryFile(dir=folder)
        self._chunks: list[tuple[array, int]] = []  # the seqs and the size of each chunk's rows, in order
        self.count = 0

    def add(self, rows: list[int], lines) -> None:
        """The next lines sent (:class:`domain.model.PaymentLine`) and the file's row of each."""
        from domain.masking import mask_account, mask_id

        row, word, start = self._template.row, self._word, self.count + 2  # the sheet's row 1 is the header
        xml = "".join(row(start + i, (at, line.seq, line.name, mask_id(line.id_number), mask_account(line.account_no),
                                      Decimal(line.amount_fen).scaleb(-2), word))
                      for i, (at, line) in enumerate(zip(rows, lines))).encode("utf-8")
        self._file.write(xml)
        self._chunks.append((array("q", [line.seq for line in lines]), len(xml)))
        self.count += len(lines)

    def chunks(self) -> Iterator[tuple[array, bytes]]:
        """(the seqs, the rows' XML in UTF-8) of each chunk, in order."""
        self._file.seek(0)
        for seqs, size in self._chunks:
            yield seqs, self._file.read(size)

    def close(self) -> None:
        self._file.close()


def write(path: Path, prepared: Prepared, response, issues: dict[int, list], source_name: str, tick=None,
          lang: str = "zh") -> None:
    """``prepared`` holds the rows of the lines sent, ``response`` is the SubmitBatch answer,
    ``issues`` every issue by seq (ListLineIssues)."""
    from adapter.xlsx_stream import XlsxStream, replace_cells
    from domain import beijing
    from i18n import name, say

    words = {o: say(f"roster.outcome.{o}", lang) for o in (ACCEPTED, REJECTED, HELD)}
    with XlsxStream(path) as book:
        sheet = book.sheet(say("roster.sheet.results", lang), widths=(9, 8, 12, 22, 24, 14, 14, 28, 80),
                           header=[say(f"roster.col.{c}", lang) for c in COLUMNS])
        for seqs, xml in prepared.chunks():
            first = sheet.rows + 1
            if issues and not issues.keys().isdisjoint(seqs):
                changes = {}
                for at, seq in enumerate(seqs, first):
                    found = issues.get(seq)
                    if found:
                        result = outcome(found)
                        changes[at] = ((words[result], "; ".join(dict.fromkeys(i.code for i in found)),
                                        "\n".join(reason(i, lang) for i in found)), MARKED.get(result, PLAIN[_OUTCOME:]))
                xml = replace_cells(xml.decode("utf-8"), first, changes, _OUTCOME).encode("utf-8")
            sheet.raw_rows(xml, len(seqs), len(COLUMNS))
            if tick is not None:
                tick(len(seqs))
        summary = book.sheet(say("roster.sheet.summary", lang), widths=(22, 40))
        for key, value in (("file", source_name), ("batch", response.batch_id),
                           ("status", name("batch_status", response.status, lang)), ("count", response.line_count),
                           ("total", Decimal(response.total_fen).scaleb(-2)), ("accepted", response.accepted_count),
                           ("rejected", response.rejected_count), ("held", response.held_count),
                           ("replayed", say("common.yes" if response.replayed else "common.no", lang)),
                           ("written_at", beijing.local(datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S"))):
            summary.row((say(f"roster.summary.{key}", lang), value), (None, "money" if key == "total" else None))


def reason(issue, lang: str = "zh") -> str:
    """One issue in words: the field's name and what its code means, and the other line it points
    at (``证件号码:同一人同一项目同一期间已在其他批次发放(批次 B1 第 3 行)``). The service's own message
    numbers lines by seq (第 N 行), which beside the file's row numbers would mislead: it is not
    repeated; the code stands beside, in its column."""
    from i18n import name, say

    sep = ":" if lang == "zh" else ": "
    words = name("problem", issue.code, lang) if _named(issue.code) else name("reason", issue.code, lang)
    text = f"{name('field', issue.field, lang)}{sep}{words}" if issue.field else words
    if getattr(issue, "other_batch_id", ""):
        text += say("roster.other_line", lang, batch=issue.other_batch_id, seq=issue.other_seq)
    return text


def _named(code: str) -> bool:
    from i18n import WORDS

    return f"problem.{code}" in WORDS
