"""CSV statements (对账单 exported as a spreadsheet), read through the bank profile's column mapping.

Every bank lays its CSV out its own way, so the layout is configuration, not code: the profile's
``[statements.csv]`` table names the columns and how to read them::

    [statements]
    format = "csv"
    [statements.csv]
    encoding = "gbk"              # utf-8 (default; a BOM is taken), utf-8-sig, gbk, gb18030, latin-1, cp1252
    delimiter = ","               # one character
    skip_rows = 1                 # rows before the first entry; the last of them names the columns
    account = "6222..."           # our account: the statement's (required without an account column)
    currency = "CNY"              # the account's currency (default CNY)
    date = "交易日期"              # a column: its name in the header row, or its 1-based position
    date_format = "%Y%m%d"        # strptime pattern
    amount = "金额"                # signed amount (negative = money out, a DEBIT) ...
    # debit = "支出"; credit = "收入"          # ... or two columns, one of them filled
    # direction = "借贷"; debit_marks = ["借", "D"]; credit_marks = ["贷", "C"]
    #                                         # ... or an amount and a debit/credit column
    decimal = "."                 # decimal mark; thousands = "," to take 1,533.50
    balance = "余额"               # optional: the running balance after each entry
    reference = "流水号"           # optional: the bank's reference of the movement
    end_to_end = "附言"            # optional: where our "<batch>-<seq>" reference appears
    counterparty_name = "对方户名"; counterparty_account = "对方账号"; remark = "摘要"
    account_column = "账号"        # optional: rows of another account are skipped
    currency_column = "币种"       # optional: rows in another currency are skipped

With a ``direction`` column the amount's sign is not read (banks that mark the side write the
amount as they like: ``-1,533.50`` marked C is a credit of 1,533.50). Amounts become fen by
string arithmetic; more than two decimals only as zeros.

The file is one statement: its id is the file name without suffix, its period the first to the
last booking day. With a balance column its opening balance is the first entry's balance less
that entry, its closing balance the last entry's, and every entry's balance must follow from the
one before (a misread amount shows at its line); without one the CSV states movements only, the
opening balance is taken as 0 (the reconciliation then shows the difference) and ``notes`` says
so. Skipped (``reader.skipped``): rows of another account (OTHER_ACCOUNT), in another currency
(FOREIGN_CURRENCY) and of amount zero (ZERO_AMOUNT). Blank lines are passed over. The last row
must end with a line break: an unquoted amount cut short still reads as an amount, so a file
that may have been cut is refused. Problems are
collected with their line and column and raised as one FormatError when iteration ends.
"""
from __future__ import annotations

import csv
import operator
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, BinaryIO

from bank_formats.base import FileKind, FormatError, Problem, Refused, Skipped, why
from bank_formats.statement_common import ReadThenStated, Tally, our_reference, signed_fen
from domain.model import EntrySide, StatementEntry
from domain.money import plain_yuan
from i18n import Named, Phrase
from i18n.stored import message as stored_message

ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030", "latin-1", "cp1252")
COLUMNS = ("date", "amount", "debit", "credit", "direction", "balance", "reference", "end_to_end",
           "counterparty_name", "counterparty_account", "remark", "account_column", "currency_column")
OPTIONS = COLUMNS + ("encoding", "delimiter", "quote", "skip_rows", "account", "currency", "date_format", "decimal",
                     "thousands", "debit_marks", "credit_marks")
MAX_PROBLEMS = 200


class CsvStatementFormat:
    """Statement-only format: reads CSV statements laid out as the profile's mapping says."""

    name = "csv"
    file_suffix = ".csv"

    def __init__(self, **options: Any):
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise _option(unknown[0], "format.csv.unknown_option", known=", ".join(OPTIONS))
        self.options = _checked(options)

    def read_statement(self, src: BinaryIO, name: str = "<statement>") -> CsvStatementReader:
        return CsvStatementReader(src, name, self.options)

    def detect(self, head: bytes) -> FileKind | None:
        return None  # a CSV says nothing of what it is: the profile's file names tell


def _checked(o: Mapping[str, Any]) -> dict[str, Any]:
    """The options with defaults, each checked; ValueError names the option."""
    out = {"encoding": "utf-8", "delimiter": ",", "quote": '"', "skip_rows": 1, "account": "", "currency": "CNY",
           "date_format": "%Y-%m-%d", "decimal": ".", "thousands": "", "debit_marks": ["D"],
           "credit_marks": ["C"]}
    out.update(o)
    if out["encoding"] not in ENCODINGS:
        raise _option("encoding", "format.declaration.not_one_of", got=repr(out["encoding"]),
                      allowed=", ".join(ENCODINGS))
    for key in ("delimiter", "quote", "decimal"):
        if not isinstance(out[key], str) or len(out[key]) != 1:
            raise _option(key, "format.declaration.one_character", got=repr(out[key]))
    if not isinstance(out["thousands"], str) or len(out["thousands"]) > 1 or out["thousands"] == out["decimal"]:
        raise _option("thousands", "format.csv.thousands", got=repr(out["thousands"]))
    if type(out["skip_rows"]) is not int or not 0 <= out["skip_rows"] <= 100:
        raise _option("skip_rows", "format.csv.skip_rows", got=repr(out["skip_rows"]))
    for key in ("account", "currency", "date_format"):
        if not isinstance(out[key], str):
            raise _option(key, "format.declaration.text", got=repr(out[key]))
    if len(out["currency"]) != 3 or not out["currency"].isalpha():
        raise _option("currency", "format.csv.currency", got=repr(out["currency"]))
    try:
        datetime.strptime(datetime(2026, 12, 31).strftime(out["date_format"]), out["date_format"])
    except ValueError as exc:
        raise _option("date_format", "format.csv.date_format", pattern=repr(out["date_format"]),
                      error=str(exc)) from None
    for key in ("debit_marks", "credit_marks"):
        marks = out[key]
        if not isinstance(marks, list) or not marks or not all(isinstance(m, str) and m for m in marks):
            raise _option(key, "format.csv.marks", got=repr(marks))
    for key in COLUMNS:
        value = out.get(key)
        if value is not None and not ((isinstance(value, str) and value) or (type(value) is int and value >= 1)):
            raise _option(key, "format.csv.column", got=repr(value))
        if isinstance(value, str) and out["skip_rows"] == 0:
            raise _option(key, "format.csv.needs_header_row", name=repr(value))
    if "date" not in out:
        raise _option("date", "format.csv.no_date")
    ways = [("amount" in out and "direction" not in out), ("debit" in out and "credit" in out),
            ("amount" in out and "direction" in out)]
    if sum(ways) != 1 or ("debit" in out) != ("credit" in out):
        raise _option("amount", "format.csv.amount_ways")
    if not out["account"] and "account_column" not in out:
        raise _option("account", "format.csv.account_needed")
    return out


def _option(option: str, key: str, **args) -> Refused:
    """The mapping refused at ``option``, for ``key``'s words: what a profile's loader frames
    with its file (``option: why``, as the declared layouts say it)."""
    return Refused("format.declaration.at", path=option, why=Phrase.of(key, **args))


class CsvStatementReader(ReadThenStated):
    """Iterates a CSV statement's entries; ``header`` once read (see the module docstring)."""

    def __init__(self, src: BinaryIO, name: str, options: dict[str, Any]):
        super().__init__(src, name)
        self.o = options

    def _lines(self, problems: list[Problem], at: list[int]) -> Iterator[str]:
        encoding = "utf-8-sig" if self.o["encoding"] == "utf-8" else self.o["encoding"]
        raw = b"\n"
        for n, raw in enumerate(self.src, 1):
            at[0] = n
            try:
                text = raw.decode("utf-8" if n > 1 and encoding == "utf-8-sig" else encoding)
            except UnicodeDecodeError as exc:
                _add(problems, Problem.of(f"line {n}", "encoding", Phrase.of(
                    "format.not_encoding_at", encoding=self.o["encoding"], reason=exc.reason, at=exc.start)))
                text = raw.decode(encoding, "replace")
            if "\x00" in text:
                _add(problems, Problem.of(f"line {n}", "encoding", Phrase.of("format.nul")))
                text = text.replace("\x00", "")
            yield text
        if not raw.endswith(b"\n") and raw.strip():
            # an unquoted amount cut short still reads as an amount ("1533.50" -> "1533"): a file
            # whose last row has no line break may have been cut, and is not taken
            _add(problems, Problem.of(f"line {at[0]}", "end", Phrase.of("format.no_last_line_break")))

    def __iter__(self) -> Iterator[StatementEntry]:
        o = self.o
        problems: list[Problem] = []
        self.skipped, self.notes = [], []
        at = [0]
        rows = csv.reader(self._lines(problems, at), delimiter=o["delimiter"], quotechar=o["quote"], strict=True)
        tally = Tally()
        width = 0
        getter = None  # the row's cells in COLUMNS order; a column not mapped reads ""
        needed = 0
        opening = balance = None
        account = o["account"]
        seq = 0
        debit_marks = {m.strip().upper() for m in o["debit_marks"]}
        credit_marks = {m.strip().upper() for m in o["credit_marks"]}
        with_balance = o.get("balance") is not None
        days: dict[str, date] = {}  # a statement has few distinct days; strptime is slow
        row_no = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                _add(problems, Problem.of(f"line {at[0]}", "csv", Phrase.of("format.csv.not_csv", error=str(exc))))
                break
            row_no += 1
            if row_no <= o["skip_rows"]:
                if row_no == o["skip_rows"]:
                    index = {cell.strip().lstrip("\ufeff"): i for i, cell in enumerate(row)}
                    width = len(row)
                    missing = [o[k] for k in COLUMNS if isinstance(o.get(k), str) and o[k] not in index]
                    if missing:
                        _add(problems, Problem.of(f"line {at[0]}", "header", Phrase.of(
                            "format.csv.no_column", column=repr(missing[0]), columns=", ".join(map(repr, index)))))
                        break
                    getter, needed = _getter(o, index)
                continue
            if not any(row):
                continue
            if getter is None:  # no header row: columns by number only
                getter, needed = _getter(o, {})
            if width:
                if len(row) != width:  # e.g. an unquoted "1,533.50": the amount is cut in two
                    _add(problems, Problem.of(f"line {at[0]}", "columns",
                                              Phrase.of("format.csv.columns_header", count=len(row), width=width)))
                    continue
            elif len(row) < needed:
                _add(problems, Problem.of(f"line {at[0]}", "columns",
                                          Phrase.of("format.csv.columns_mapping", count=len(row), needed=needed)))
                continue
            row.append("")
            (day_t, amount_t, debit_t, credit_t, direction_t, balance_t, reference, end_to_end, cp_name, cp_account,
             remark, row_account, row_currency) = [c.strip() for c in getter(row)]
            try:
                day = days.get(day_t)
                if day is None:
                    day = days[day_t] = _day(day_t, o["date_format"])
                side, amount = self._amount(amount_t, debit_t, credit_t, direction_t, debit_marks, credit_marks)
                row_currency = row_currency.upper()
                reason = None
                if row_account and account and _norm(row_account) != _norm(account):
                    reason = "OTHER_ACCOUNT"
                elif row_currency and row_currency != o["currency"]:
                    reason = "FOREIGN_CURRENCY"
                elif amount == 0:
                    reason = "ZERO_AMOUNT"
                if not account and row_account:
                    account = row_account
                if reason is not None:
                    # no names, accounts or remarks: the report is shown to people and kept unmasked
                    said = Phrase.of("format.csv.skipped_row", side=Named("format.side", side.value),
                                     amount=plain_yuan(amount), currency=row_currency or o["currency"],
                                     rest=f"{day.isoformat()} {reference[:35]}".rstrip())
                    self.skipped.append(Skipped.of(f"line {at[0]}", reason, said,
                                                   None if reason == "FOREIGN_CURRENCY" else amount))
                    continue
                signed = amount if side is EntrySide.CREDIT else -amount
                if with_balance:
                    if not balance_t:
                        raise _Bad("balance", Phrase.of("format.csv.empty"))
                    stated = signed_fen(balance_t, o["decimal"], o["thousands"])
                    if balance is None:
                        opening = stated - signed
                    elif balance + signed != stated:
                        raise _Bad("balance", Phrase.of("format.csv.balance_not_follow", balance=plain_yuan(stated),
                                                        before=plain_yuan(balance),
                                                        entry=plain_yuan(signed, signed=True)))
                    balance = stated
                else:
                    balance = (balance or 0) + signed
                batch_id, line_seq = our_reference(end_to_end) if end_to_end else ("", None)
                seq += 1
                tally.add(side, amount, day)
                yield StatementEntry(seq, side, amount, day, (reference or f"L{at[0]}")[:35], batch_id, line_seq,
                                     cp_name, cp_account, remark)
            except _Bad as exc:
                column = o.get(exc.key)
                _add(problems, Problem.of(f"line {at[0]}", f"{exc.key} ({column!r})" if column is not None
                                          else exc.key, exc.why))
            except ValueError as exc:
                _add(problems, Problem.of(f"line {at[0]}", "value", why(exc)))
        if not problems and not account:
            problems.append(Problem.of("file", "account", Phrase.of("format.csv.no_account")))
        if problems:
            raise FormatError(self.name, problems)
        if not with_balance:
            self.notes.append(stored_message("format.csv.note_no_balance"))
        opening = opening or 0
        closing = opening if balance is None else balance
        self._header = tally.header(PurePath(self.name).stem or "csv", account, opening, closing, o["currency"],
                                    None, None)

    def _amount(self, amount: str, debit: str, credit: str, direction: str, debit_marks: set[str],
                credit_marks: set[str]) -> tuple[EntrySide, int]:
        o = self.o
        dec, th = o["decimal"], o["thousands"]
        try:
            if o.get("direction") is not None:
                mark = direction.upper()
                value = abs(signed_fen(amount, dec, th))
                if mark in debit_marks:
                    return EntrySide.DEBIT, value
                if mark in credit_marks:
                    return EntrySide.CREDIT, value
                raise _Bad("direction", Phrase.of("format.csv.not_direction", mark=repr(mark),
                                                  debit=", ".join(sorted(debit_marks)),
                                                  credit=", ".join(sorted(credit_marks))))
            if o.get("debit") is not None:
                d = signed_fen(debit, dec, th) if debit else 0
                c = signed_fen(credit, dec, th) if credit else 0
                if d and c:
                    raise _Bad("debit", Phrase.of("format.csv.both_filled", debit=repr(debit), credit=repr(credit)))
                if d < 0 or c < 0:
                    raise _Bad("debit" if d < 0 else "credit", Phrase.of("format.csv.negative"))
                if not debit and not credit:
                    raise _Bad("debit", Phrase.of("format.csv.neither_filled"))
                return (EntrySide.DEBIT, d) if d else (EntrySide.CREDIT, c)
            if not amount:
                raise _Bad("amount", Phrase.of("format.csv.empty"))
            value = signed_fen(amount, dec, th)
            return (EntrySide.DEBIT, -value) if value < 0 else (EntrySide.CREDIT, value)
        except _Bad:
            raise
        except ValueError as exc:
            raise _Bad("amount", why(exc)) from None


def _getter(o: dict[str, Any], index: dict[str, int]) -> tuple[Any, int]:
    """(a function giving a row's cells in COLUMNS order, the columns a row needs). The row has
    "" appended, read (index -1) for a column the mapping does not name."""
    positions = [-1 if (col := o.get(key)) is None else index[col] if isinstance(col, str) else col - 1
                 for key in COLUMNS]
    return operator.itemgetter(*positions), max(p + 1 for p in positions)


class _Bad(Exception):
    """A row's value that cannot be read: its column's key and why (a text, or catalogue words)."""

    def __init__(self, key: str, why: str | Phrase):
        super().__init__(str(why))
        self.key, self.why = key, why


def _add(problems: list[Problem], p: Problem) -> None:
    if len(problems) < MAX_PROBLEMS:
        problems.append(p)


def _day(text: str, pattern: str) -> date:
    if not text:
        raise _Bad("date", Phrase.of("format.csv.empty"))
    try:
        return datetime.strptime(text, pattern).date()
    except ValueError:
        raise _Bad("date", Phrase.of("format.csv.not_date", raw=repr(text), pattern=repr(pattern))) from None


def _norm(account: str) -> str:
    return account.replace(" ", "").upper()
