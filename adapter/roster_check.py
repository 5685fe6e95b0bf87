"""A roster file checked here, before anything is sent: the sheet's own problems (a cell that is
not an amount, a number stored as a number...) and the domain's checks, the very ones the
service runs (:class:`domain.validation.BatchChecker`: identity numbers, names, accounts,
phones, amounts, the program's standard, duplicates within the roster, seqs 1..N, control
totals; and the service's field widths, :data:`domain.eligibility.WIDTHS`).

What only the service can know (other batches, the one-card registry, the stop list, the
region policy, what the bank's file can carry) it finds when the roster arrives; the result
sheet shows those.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from adapter.roster_sheet import ERROR, WARNING, Problem, Roster

# A sheet problem in one of these fields stands for the domain's finding on the same field.
_SAME_FIELD = {"amount_yuan": "amount_fen"}


@dataclass
class CheckReport:
    """What the check found: every problem in row order (batch-level ones last), the roster's
    count and total (the control totals sent after its lines) and how many rows are wrong."""

    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    total_fen: int = 0
    errors: int = 0
    warnings: int = 0
    rows_wrong: int = 0
    examples: list[int] = field(default_factory=list)  # rows skipped as the template's example


def check(roster: Roster, *, max_amount_fen: int | None = None, control_count: int | None = None,
          control_total_fen: int | None = None, tick=None, spool=None) -> CheckReport:
    """Read the whole roster once and check it. ``control_count`` and ``control_total_fen`` are
    what the department states (default: what the rows add up to, then only seqs are checked at
    batch level); ``tick()`` is called once a row; ``spool`` (an :class:`adapter.roster_spool.Spool`)
    sends each line as checked, a chunk at a time while later rows are checked, and is refused at the
    first wrong row (the check goes on, to list every problem). Raises
    :class:`~adapter.roster_sheet.SheetError` when the file cannot be read as a roster."""
    from domain.eligibility import FIELD_TOO_LONG, WIDTHS
    from domain.validation import BatchChecker

    report = CheckReport()
    checker = BatchChecker(max_amount_fen=max_amount_fen)
    widths = tuple(WIDTHS.items())
    shortest = min(WIDTHS.values())  # a line with no text longer than this fits every width
    assert set(WIDTHS) == {"bank_name", "subsidy_item", "remark", "address", "household_no"}, WIDTHS
    for row in roster.rows():
        if tick is not None:
            tick()
        line = row.line
        found = list(row.problems)
        findings = checker.check(line)
        if findings:
            taken = {_SAME_FIELD.get(p.field, p.field) for p in found if p.severity == ERROR}
            for e in findings:
                if e.field in taken:
                    continue  # the cell could not be read: its placeholder's findings say nothing
                found.append(Problem(row.row, roster.columns.get(e.field) or
                                     roster.columns.get(_column_of(e.field), e.field),
                                     e.field, e.code, e.message, e.severity, line.seq))
        if (len(line.bank_name) > shortest or len(line.subsidy_item) > shortest or len(line.remark) > shortest
                or len(line.address) > shortest or len(line.household_no) > shortest):
            for name, width in widths:
                value = getattr(line, name)
                if len(value) > width:
                    found.append(Problem(row.row, roster.columns.get(name, name), name, FIELD_TOO_LONG,
                                         f"row {row.row}: {name}: {len(value)} characters, at most {width}", ERROR,
                                         line.seq))
        errors = 0
        if found:
            report.problems += found
            errors = sum(1 for p in found if p.severity == ERROR)
            report.errors += errors
            report.warnings += len(found) - errors
            report.rows_wrong += bool(errors)
        if spool is not None and spool.open:
            if errors:
                spool.refuse()
            else:
                spool.add(row.row, line)
    for p in roster.problems:  # the sheet's own 合计 row against its rows
        report.problems.append(p)
        report.errors += p.severity == ERROR
        report.rows_wrong += p.severity == ERROR
    report.count, report.total_fen = checker.count, checker.total_fen
    for e in checker.finish(report.count if control_count is None else control_count,
                            report.total_fen if control_total_fen is None else control_total_fen):
        report.problems.append(Problem(0, "", e.field, e.code, e.message, e.severity))
        report.errors += e.severity == ERROR
    report.examples = list(roster.examples)
    if spool is not None:
        if report.errors:
            spool.refuse()
        spool.close()
    return report


def _column_of(field_name: str) -> str:
    return "amount_yuan" if field_name == "amount_fen" else field_name


def describe(p: Problem, lang: str | None = None) -> str:
    """One problem as a person reads it: where (row, seq, column), what (the code's name in the
    language of the context) and the detail, e.g.
    ``第 5 行(序号 4)身份证号:证件号码校验位错误 [ID_CHECKSUM] line 4: id_number: ...``."""
    from i18n import current, name, say

    where = say("roster.where.row", lang, row=p.row) if p.row else say("roster.where.file", lang)
    if p.seq:
        where += say("roster.where.seq", lang, seq=p.seq)
    if p.column:
        where += f" {p.column}"
    severity = say(f"roster.severity.{p.severity if p.severity == WARNING else ERROR}", lang)
    sep = ":" if (lang or current()) == "zh" else ": "
    return f"{where}{sep}[{severity}] {name('problem', p.code, lang)} [{p.code}] {p.message}"


def default_key(sha256: str, args) -> str:
    """The idempotency key of a file and header: the same file sent again for the same batch is
    answered as a replay, never stored twice."""
    text = "\x1f".join((sha256, args.program, args.period, args.region, args.bank, args.payer_name,
                        args.payer_account, str(args.control_count or ""), str(args.control_total or ""),
                        str(args.max_amount or "")))
    return "roster-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def file_digest(path) -> str:
    """SHA-256 of the file's bytes (for :func:`default_key`: read before the check, whose rows
    go out while it runs, after the header that carries the key)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_problems(path, problems: list[Problem], lang: str | None = None) -> None:
    """The problems of a refused roster as a sheet: the file's row, the seq, the column, error or
    warning, the code, its words and the detail (replacing an earlier check's sheet)."""
    from adapter.xlsx_stream import XlsxStream
    from i18n import name, say

    header = [say(f"roster.problems.{c}", lang) for c in ("row", "seq", "column", "severity", "code", "words",
                                                           "detail")]
    with XlsxStream(path) as book:
        sheet = book.sheet(say("roster.problems.sheet", lang), widths=(9, 8, 16, 8, 24, 36, 90), header=header)
        for p in problems:
            severity = say(f"roster.severity.{p.severity if p.severity == WARNING else ERROR}", lang)
            sheet.row((p.row or None, p.seq or None, p.column or say("roster.where.file", lang), severity, p.code,
                       name("problem", p.code, lang), p.message),
                      (None, None, None, "red" if p.severity == ERROR else "amber", None, None, None))
