"""The result sheet of a submitted roster: each row of the file as the service took it.

Sheet 提交结果: the row of the input file, the seq, the name, the identity and account numbers
masked (the sheet travels by e-mail and on USB sticks; the department holds the full numbers in
its own roster), the amount in yuan as a number, the outcome (已接受 / 已拒绝 / 暂停,待复核), the
reason codes (for machines and for support) and the reasons in words (the code's Chinese name
and the service's detail). Sheet 汇总: the batch, its status and the counts. Written row by row
(:mod:`adapter.xlsx_stream`: openpyxl took four times as long as the service to write a
100,000-row sheet), from the lines as sent (:mod:`adapter.roster_spool`).
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


COLUMNS = ("row", "seq", "name", "id_number", "account_no", "amount", "outcome", "codes", "reasons")
PLAIN = (None, None, None, None, None, "money", None, None, None)
_SEPARATOR = "\x00"  # between rows rendered beforehand: no row's XML holds it (xlsx_stream replaces it)


class Accepted:
    """The result sheet's rows rendered beforehand as if every line were accepted, chunk by chunk
    while the service checks and stores the roster (this process waits then; on two cores the
    rendering costs the service nothing), kept compressed. Afterwards only the lines the service
    found something about are rendered again."""

    def __init__(self, spool, lang: str = "zh") -> None:
        from i18n import say

        self._rows = spool.rows
        self._done = 0
        self._chunks: list[bytes] = []
        self._word = say(f"roster.outcome.{ACCEPTED}", lang)

    def add(self, lines) -> None:
        """The next lines sent (a chunk's ``lines``)."""
        import zlib

        from adapter.xlsx_stream import render_row
        from domain.masking import mask_account, mask_id

        rows, start, word = self._rows, self._done, self._word
        xml = _SEPARATOR.join(
            render_row(start + i + 2, (rows[start + i], line.seq, line.name, mask_id(line.id_number),
                                       mask_account(line.account_no), Decimal(line.amount_fen).scaleb(-2), word),
                       PLAIN)
            for i, line in enumerate(lines))
        self._chunks.append(zlib.compress(xml.encode("utf-8"), 1))
        self._done += len(lines)

    def rows(self):
        import zlib

        for data in self._chunks:
            yield from zlib.decompress(data).decode("utf-8").split(_SEPARATOR)


def write(path: Path, spool, response, issues: dict[int, list], source_name: str, tick=None,
          lang: str = "zh", accepted: Accepted | None = None) -> None:
    """``spool`` holds the lines sent (:class:`adapter.roster_spool.Spool`), ``response`` is the
    SubmitBatch answer, ``issues`` every issue by seq (ListLineIssues); ``accepted``, when given,
    the rows rendered beforehand for all those lines."""
    from adapter.xlsx_stream import XlsxStream
    from domain import beijing
    from domain.eligibility import fate
    from domain.masking import mask_account, mask_id
    from domain.model import LineStatus
    from i18n import name, say

    words = {o: say(f"roster.outcome.{o}", lang) for o in (ACCEPTED, REJECTED, HELD)}
    marked = {REJECTED: (*PLAIN[:6], "red", None, None), HELD: (*PLAIN[:6], "amber", None, None)}
    ready = accepted.rows() if accepted is not None else None
    with XlsxStream(path) as book:
        sheet = book.sheet(say("roster.sheet.results", lang), widths=(9, 8, 12, 22, 24, 14, 14, 28, 80),
                           header=[say(f"roster.col.{c}", lang) for c in COLUMNS])
        for row, line in spool.lines():
            if tick is not None:
                tick()
            found = issues.get(line.seq)
            prepared = next(ready) if ready is not None else None
            if not found and prepared is not None:
                sheet.raw_row(prepared, len(COLUMNS))
                continue
            amount = Decimal(line.amount_fen).scaleb(-2)
            if not found:
                sheet.row((row, line.seq, line.name, mask_id(line.id_number), mask_account(line.account_no),
                           amount, words[ACCEPTED]), PLAIN)
                continue
            status = fate(i.severity for i in found)
            result = REJECTED if status is LineStatus.REJECTED else HELD if status is LineStatus.HELD else ACCEPTED
            codes = "; ".join(dict.fromkeys(i.code for i in found))
            reasons = "\n".join(reason(i, lang) for i in found)
            sheet.row((row, line.seq, line.name, mask_id(line.id_number), mask_account(line.account_no), amount,
                       words[result], codes, reasons), marked.get(result, PLAIN))
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
