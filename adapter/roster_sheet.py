"""Rosters as people keep them: an Excel sheet, a CSV file or JSON lines, read into the lines the
SubmitBatch RPC carries (issue 16 item 2).

Be liberal in what we read, never wrong in what we send:

* **Files.** ``.xlsx`` (the first sheet), ``.csv`` (UTF-8 with or without BOM, UTF-16 with BOM as
  Excel's "Unicode text", or GBK/GB18030: told apart by the first bytes that are not ASCII; comma,
  tab or semicolon) and ``.jsonl`` (one object per line). Each is read row by row: a CSV or JSON
  lines file is streamed; an XLSX sheet is streamed row by row from the zip by
  python-calamine-plus (Rust): its first rows reach the service while the rest is still being
  parsed, so a big sheet is sent at the service's speed, in bounded memory. (python-calamine
  parses the whole sheet before the first row, a second for 100,000 rows in which the service
  waits; openpyxl's read-only mode streams at a tenth of the speed.)
* **Headers.** The first non-empty row names the columns, in Chinese or English (``姓名`` or
  ``name``; ``金额(元)``, ``amount (yuan)``...; see :data:`COLUMNS`). A row right below it
  holding the columns' English codes (the template's second row) is skipped. Unknown columns are
  ignored and said so; a required column missing, or two columns for one field, refuses the file.
* **Cells.** Text is trimmed at both ends; identity, account and phone numbers lose the spaces
  people group them with and full-width digits, accounts and phones their dashes, and a line
  break typed into a bank name, subsidy item, remark or address becomes a space (a warning says
  each). An identity or account number stored as a number is
  refused (Excel keeps 15 significant digits and no leading zero: the number may already be
  wrong); a phone, seq or household number that is a whole number is taken as its digits.
* **Amounts** are yuan: a number, or text such as ``1,234.50``, ``¥1234.5`` or ``1234.50元``;
  converted to integer fen through :class:`~decimal.Decimal` (a float cell through its shortest
  repr, which is what the sheet stores), refused when not exact to the fen. JSON lines may give
  ``amount_fen`` (an integer) instead.

Every problem is a :class:`Problem` naming the row (as the user's program numbers it: the
sheet's row, the file's line), the column as the file heads it, a stable code and why. The
domain's own checks (:mod:`domain.validation`) are run by :mod:`adapter.roster_cli`, not here.
"""
from __future__ import annotations

import codecs
import csv
import json
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from itertools import chain
from pathlib import Path

from adapter import sheet_parts
from domain.model import AccountKind, PaymentLine

# --- sheet-level reason codes (words for people in i18n/catalogue_roster.py) ---------------------

SHEET_FORMAT = "SHEET_FORMAT"  # not a file we read (suffix), or an unreadable workbook
SHEET_ENCODING = "SHEET_ENCODING"  # bytes that are not text in the file's encoding
SHEET_NO_HEADER = "SHEET_NO_HEADER"  # no row naming the columns
SHEET_COLUMN_MISSING = "SHEET_COLUMN_MISSING"  # a required column is not there
SHEET_COLUMN_TWICE = "SHEET_COLUMN_TWICE"  # two columns for one field
SHEET_COLUMN_UNKNOWN = "SHEET_COLUMN_UNKNOWN"  # warning: a column we do not know, ignored
SHEET_AMOUNT = "SHEET_AMOUNT"  # the amount is not a number of yuan exact to the fen
SHEET_NUMBER_CELL = "SHEET_NUMBER_CELL"  # an identity or account number stored as a number
SHEET_CELL_TYPE = "SHEET_CELL_TYPE"  # a date, true/false or other value where text belongs
SHEET_CELL_ERROR = "SHEET_CELL_ERROR"  # the cell shows Excel's error value (#N/A, #REF!...)
SHEET_HIDDEN_ROW = "SHEET_HIDDEN_ROW"  # a line the sheet hides or filters out: not paid unseen
SHEET_SEQ = "SHEET_SEQ"  # the seq is not a whole number
SHEET_ROW = "SHEET_ROW"  # a JSON line that is not an object
SHEET_TOTAL_ROW = "SHEET_TOTAL_ROW"  # the sheet's own 合计 row disagrees with its rows
SHEET_TIDIED = "SHEET_TIDIED"  # warning: spaces or full-width digits taken out of a number
SHEET_CODES = frozenset({SHEET_FORMAT, SHEET_ENCODING, SHEET_NO_HEADER, SHEET_COLUMN_MISSING, SHEET_COLUMN_TWICE,
                         SHEET_COLUMN_UNKNOWN, SHEET_AMOUNT, SHEET_NUMBER_CELL, SHEET_CELL_TYPE, SHEET_CELL_ERROR,
                         SHEET_HIDDEN_ROW, SHEET_SEQ, SHEET_ROW, SHEET_TOTAL_ROW, SHEET_TIDIED})
# Rows that are not the roster's lines, skipped and said so: a title above the header, the sheet's
# own 合计 row (checked against the rows above it), and what is written below it (制表人, 日期).
SKIPPED_TITLE, SKIPPED_TOTAL, SKIPPED_FOOTER = "title", "total", "footer"
TITLE_ROWS = 5  # rows above the header looked through for it
_TOTAL_WORDS = frozenset({"合计", "总计", "小计", "共计", "总合计", "合计金额", "total", "sum", "grandtotal"})

ERROR, WARNING = "error", "warning"
MAX_FEN = (1 << 63) - 1  # what the RPC's int64 carries
# The template's example row (adapter/roster_template.py): a valid but made-up person, skipped
# (and said so) when a filled-in template still holds it, so that nobody pays 张三 by mistake.
EXAMPLE_ID = "110101198001011232"
EXAMPLE_ACCOUNT = "6222020000000000018"


@dataclass(frozen=True, slots=True)
class Column:
    """A roster field as a sheet heads it: the template's Chinese header, the English code, the
    other headers people write for it, and an example value for the template."""

    field: str  # PaymentLine's field, or "amount_yuan"
    zh: str
    required: bool
    aliases: tuple[str, ...]
    example: object
    note: str  # for the template's header comment


COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", False, ("序号", "行号", "编号", "seq", "no", "number", "lineno"), 1,
           "从 1 起连续编号；不填则按行的先后编号"),
    Column("name", "姓名", True, ("姓名", "户主姓名", "领取人姓名", "收款人姓名", "name", "fullname"), "张三",
           "汉字，少数民族姓名用间隔号 · 分隔"),
    Column("id_number", "身份证号", True, ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证",
                                         "idnumber", "id", "idno", "idcard"), EXAMPLE_ID,
           "18 位公民身份号码；请把本列设为文本，勿存为数字"),
    Column("account_no", "账号", True, ("账号", "银行账号", "银行卡号", "卡号", "存折账号", "一卡通账号",
                                       "社保卡号", "accountno", "account", "accountnumber", "cardno"), EXAMPLE_ACCOUNT,
           "银行卡或存折账号，只含数字；请把本列设为文本"),
    Column("amount_yuan", "金额(元)", True, ("金额", "金额元", "发放金额", "补贴金额", "amount", "amountyuan",
                                           "yuan"), "1234.50",
           "以元为单位，最多两位小数，例如 1234.50"),
    Column("account_kind", "账户类型", False, ("账户类型", "账户种类", "介质类型", "accountkind", "kind"), "银行卡",
           "银行卡、存折或社保卡；不填即银行卡"),
    Column("bank_name", "开户行", False, ("开户行", "开户银行", "开户网点", "bankname", "bank"), "某农村商业银行城关支行",
           "可不填"),
    Column("subsidy_item", "补贴项目", False, ("补贴项目", "补贴项目名称", "项目", "subsidyitem", "item"),
           "耕地地力保护补贴", "可不填"),
    Column("remark", "备注", False, ("备注", "摘要", "remark", "remarks", "memo"), "2026年耕地地力保护补贴",
           "存折上打印的摘要，可不填"),
    Column("phone", "手机号", False, ("手机号", "手机号码", "联系电话", "电话", "phone", "mobile"), "13800138000",
           "11 位手机号，可不填"),
    Column("address", "地址", False, ("地址", "住址", "家庭住址", "address"), "城关镇新村村1组", "可不填"),
    Column("household_no", "户号", False, ("户号", "户编号", "householdno", "household"), "", "可不填"),
)
BY_FIELD = {c.field: c for c in COLUMNS}
CODE_ROW = {c.field: c.field for c in COLUMNS}  # the template's second row: each column's code
_KINDS = {
    **{k.value: k for k in AccountKind}, **{k.value.lower(): k for k in AccountKind},
    "card": AccountKind.CARD, "卡": AccountKind.CARD, "银行卡": AccountKind.CARD, "借记卡": AccountKind.CARD,
    "一卡通": AccountKind.CARD,
    "passbook": AccountKind.PASSBOOK, "存折": AccountKind.PASSBOOK,
    "socialsecuritycard": AccountKind.SOCIAL_SECURITY_CARD, "社保卡": AccountKind.SOCIAL_SECURITY_CARD,
    "社会保障卡": AccountKind.SOCIAL_SECURITY_CARD,
}
KIND_ZH = {AccountKind.CARD: "银行卡", AccountKind.PASSBOOK: "存折", AccountKind.SOCIAL_SECURITY_CARD: "社保卡"}


def _norm(header: object) -> str:
    """A header as compared: no spaces, marks of required, units in brackets or case."""
    text = str(header).strip().lower().translate(_FOLD)
    text = re.sub(r"\(.*?\)", lambda m: m.group()[1:-1] if m.group() == "(元)" else "", text)
    return re.sub(r"[\s_\-*.:#]", "", text)


_FOLD = str.maketrans({"（": "(", "）": ")", "：": ":", "＊": "*", "\u3000": " "})
_ALIASES = {_norm(a): c.field for c in COLUMNS for a in c.aliases} | {"amountfen": "amount_fen"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a roster, where a person finds it: ``row`` as the file numbers it (0: the
    file as a whole), ``column`` as the file heads it; ``field`` and ``code`` for machines."""

    row: int
    column: str
    field: str
    code: str
    message: str
    severity: str = ERROR
    seq: int = 0


class SheetError(Exception):
    """The file cannot be read as a roster at all (no rows are checked): the problems say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Row:
    """A roster row read: the line to send (with placeholders where a cell was wrong), where it
    came from and what was wrong with its cells (the domain's checks come later)."""

    row: int
    line: PaymentLine
    problems: tuple[Problem, ...]


# --- amounts ----------------------------------------------------------------------------------

_PLAIN = re.compile(r"([+-]?)(\d{1,15})(?:\.(\d{0,2}))?")  # 1234, 1234.5, 1234.50, -1.0
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def yuan_to_fen(value: object) -> int:
    """A sheet's amount in yuan as integer fen, exactly; ``ValueError`` saying why otherwise.

    ``1234.5`` (a float cell: its shortest repr is what the sheet stores), ``"1,234.50"``,
    ``"¥1234.50"``, ``"1234.50元"``, ``Decimal("0.01")`` and ``12`` are read; ``1.005``,
    ``"1,23.00"``, ``"12元5角"``, ``NaN`` and ``True`` are not.
    """
    if type(value) is float or type(value) is str:  # the common cases, by integer arithmetic
        text = repr(value) if type(value) is float else value
        m = _PLAIN.fullmatch(text)
        if m is not None:
            sign, whole, cents = m.groups()
            fen = int(whole) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
            return -fen if sign == "-" else fen
    if isinstance(value, bool) or value is None:
        raise ValueError("is empty" if value is None else "is true/false, not an amount")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not an amount")
        amount = Decimal(repr(value))
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        for sign in ("¥", "￥", "RMB", "CNY"):
            text = text.removeprefix(sign)
        text = text.removesuffix("元")
        if not text:
            raise ValueError("is empty")
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise ValueError(f"{value!r}: thousands separators must group three digits, e.g. 1,234.50")
            text = text.replace(",", "")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise ValueError(f"{value!r} is not a number of yuan (write it like 1234.50)")
        amount = Decimal(text)
    else:
        raise ValueError(f"is a {type(value).__name__}, not an amount")
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    try:
        fen = amount.scaleb(2)
        if fen != fen.to_integral_value():
            raise ValueError(f"{value!r} has more than 2 decimals: an amount in yuan is exact to the fen (0.01)")
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if abs(fen) > MAX_FEN:
        raise ValueError(f"{value!r} is too large")
    return int(fen)


# --- cells ------------------------------------------------------------------------------------

_DIGITS_FIELDS = ("id_number", "account_no")  # a number here may have lost digits already
_WHOLE_FIELDS = ("phone", "household_no")  # a whole number here is its digits


def _text(value: object, field: str) -> str:
    """A text cell's value; ``ValueError`` with the code and why when it is not text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        raise _CellError(SHEET_CELL_TYPE, f"holds {'true/false' if isinstance(value, bool) else 'a date or time'}, "
                                          "not text")
    if isinstance(value, (int, float, Decimal)):
        if field in _DIGITS_FIELDS:
            raise _CellError(SHEET_NUMBER_CELL, "is stored as a number, which keeps at most 15 digits and no leading "
                                                "zero; format the column as text and type the number again")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number == number.to_integral_value() and number >= 0:
            return str(int(number))
        if field in _WHOLE_FIELDS:
            raise _CellError(SHEET_CELL_TYPE, f"{value!r} is not a whole number")
        return str(value)
    raise _CellError(SHEET_CELL_TYPE, f"holds a {type(value).__name__}, not text")


class _CellError(ValueError):
    def __init__(self, code: str, why: str):
        super().__init__(why)
        self.code = code


def _seq(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("is true/false")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"{value!r} is not a whole number")
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        raise ValueError(f"{value} is not a whole number")
    if isinstance(value, str) and re.fullmatch(r"\d{1,18}", value.strip()):
        return int(value.strip())
    raise ValueError(f"{value!r} is not a whole number" if isinstance(value, str) else "is not a whole number")


# --- files ------------------------------------------------------------------------------------


class Roster:
    """One roster file opened for reading; :meth:`rows` reads it from the top each time it is
    called (``ykt batch submit`` calls it once: what it sends is kept from that reading)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ".jsonl", ".ndjson"):
            raise SheetError([Problem(0, "", "", SHEET_FORMAT,
                                      f"{self.path.name}: not a roster file we read (.xlsx, .csv or .jsonl)")])
        self.kind = "xlsx" if suffix in (".xlsx", ".xlsm") else "jsonl" if suffix in (".jsonl", ".ndjson") else "csv"
        self.encoding = _detect_encoding(self.path) if self.kind == "csv" else "utf-8"
        self.columns: dict[str, str] = {}  # field -> the file's header for it
        self.notes: list[Problem] = []  # warnings about the file as a whole (ignored columns)
        self.blank_rows = 0  # rows with no value between rows with values, skipped (on the last read)
        self.examples: list[int] = []  # rows skipped as the template's example row (the last read)
        self.skipped: list[tuple[int, str, str]] = []  # (row, SKIPPED_*, its first text) of the last read
        self.problems: list[Problem] = []  # errors of no one line found reading (a 合计 row that disagrees)
        self.rows_estimate: int | None = None  # data rows, when the file says (XLSX dimension)
        self.hidden_rows: list[int] = []  # rows the sheet hides (or filters out) that hold anything (XLSX)

    # raw rows ----------------------------------------------------------------------------------

    def _cells(self) -> Iterator[tuple[int, list[object]]]:
        """(row number, cell values) of a sheet or CSV file, the header row included."""
        if self.kind == "xlsx":
            yield from self._xlsx_cells()
        else:
            yield from self._csv_cells()

    def _xlsx_cells(self) -> Iterator[tuple[int, list[object]]]:
        try:
            rows = sheet_parts.last_row(self.path)
        except (zipfile.BadZipFile, OSError, KeyError):
            raise SheetError([Problem(0, "", "", SHEET_FORMAT, f"{self.path.name}: not an XLSX workbook")]) from None
        if rows is not None:
            self.rows_estimate = max(rows - 1, 0)
        check = sheet_parts.PartsCheck(self.path)  # checksums and hidden rows, beside the stream
        check.start()
        try:
            from python_calamine_plus import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(self.path))
            # from the sheet's row 1 and column A, empty or not; "" is empty
            yield from enumerate(book.stream_sheet_by_index(0), 1)
            check.join()  # before the last row's caller goes on to send the totals
            if check.error is not None:
                raise check.error
        except Exception as exc:  # the Rust reader's errors (a damaged zip or XML) are of its own types
            raise SheetError([Problem(0, "", "", SHEET_FORMAT, f"{self.path.name}: not a readable XLSX "
                                                                 f"workbook ({exc})")]) from None
        self.hidden_rows = check.hidden

    def _csv_cells(self) -> Iterator[tuple[int, list[object]]]:
        """Rows of a CSV file numbered by the file's lines (a quoted cell may span lines). Each line
        is decoded on its own, so bytes of another encoding are named by their line."""
        failed: list[int] = []
        encoding = self.encoding

        def decoded(f) -> Iterator[str]:
            for number, raw in enumerate(f, 1):
                try:
                    yield raw.decode(encoding)
                except UnicodeDecodeError:
                    failed.append(number)
                    return

        reader = None
        try:
            if encoding == "utf-16":  # two bytes a character: lines are found after decoding
                f = open(self.path, encoding=encoding, newline="")
                lines: Iterator[str] = iter(f)
            else:
                f = open(self.path, "rb")
                lines = decoded(f)
            with f:
                first = next(lines, "")
                delimiter = max(",\t;", key=first.count) if first else ","
                reader = csv.reader(_chain(first, lines), delimiter=delimiter)
                start = 1
                for values in reader:
                    yield start, values
                    start = reader.line_num + 1
        except UnicodeDecodeError:
            failed.append((reader.line_num if reader else 0) + 1)
        except csv.Error as exc:
            raise SheetError([Problem(reader.line_num if reader else 1, "", "", SHEET_FORMAT,
                                      f"{self.path.name}: line {reader.line_num if reader else 1}: {exc}")]) from None
        if failed:
            raise SheetError([Problem(failed[0], "", "", SHEET_ENCODING,
                                      f"{self.path.name}: line {failed[0]} is not {encoding} text like the lines "
                                      "before it; save the whole file in one encoding (UTF-8 or GBK)")])

    # roster rows -------------------------------------------------------------------------------

    def rows(self) -> Iterator[Row]:
        """Every data row as a :class:`Row`, in order; :class:`SheetError` when the file cannot be
        read as a roster (no header, a required column missing...)."""
        if self.kind == "jsonl":
            yield from self._json_rows()
            return
        self.blank_rows = 0
        self.examples = []
        self.skipped = []
        self.problems = []
        cells = self._cells()
        # the header: the first of the first rows with values that names two roster fields or more
        # (rows above it are a title: 2026年耕地地力保护补贴发放名册, 单位:元...); else the first row
        looked: list[tuple[int, list[object]]] = []
        for number, values in cells:
            if any(_filled(v) for v in values):
                looked.append((number, values))
                if _known_columns(values) >= 2 or len(looked) > TITLE_ROWS:
                    break
        if not looked:
            raise SheetError([Problem(0, "", "", SHEET_NO_HEADER, f"{self.path.name}: no row names the columns "
                                                                     "(the file is empty)")])
        at = next((i for i, (_, values) in enumerate(looked) if _known_columns(values) >= 2), 0)
        header_row, header = looked[at]
        places = self._map_header(header_row, header)
        for number, values in looked[:at]:
            self.skipped.append((number, SKIPPED_TITLE, _first_text(values)))
        cells = chain(looked[at + 1:], cells)  # rows looked at below the header are data
        seq_given = "seq" in places
        fields = tuple(places)
        width = max(places.values()) + 1
        take = _taker(tuple(places.values()))
        clean = _clean_reader(places, width)
        position = 0
        first_data = True
        total_seen = None  # the row of the sheet's own 合计 row, once one was seen
        summed = 0
        blank = 0  # blank rows are counted once a row follows them: the sheet's formatted tail is not news
        lines_at = _Runs()  # the rows that were lines (a hidden one is a problem)
        for number, values in cells:
            if len(values) < width:
                values = list(values) + [None] * (width - len(values))
            if clean is not None and not first_data:
                row = clean(number, values, position + 1)
                if row is not None:
                    self.blank_rows += blank
                    blank = 0
                    position += 1
                    summed += row.line.amount_fen
                    lines_at.add(number)
                    yield row
                    continue
            if values.count(None) + values.count("") == len(values) or not any(_filled(v) for v in values):
                blank += 1
                continue
            self.blank_rows += blank
            blank = 0
            if first_data:
                first_data = False
                if _is_code_row(values, places):
                    continue
            record = dict(zip(fields, take(values)))
            if record.get("id_number") == EXAMPLE_ID and record.get("account_no") == EXAMPLE_ACCOUNT:
                self.examples.append(number)
                continue
            if not _looks_like_a_line(record):
                if _is_total_row(values):  # the sheet's own 合计: checked against the rows above it
                    total_seen = number
                    self.skipped.append((number, SKIPPED_TOTAL, _first_text(values)))
                    problem = self._total_problem(number, record, summed)
                    if problem is not None:
                        self.problems.append(problem)
                    continue
                if total_seen is not None:  # below the 合计: 制表人, 审核人, dates
                    self.skipped.append((number, SKIPPED_FOOTER, _first_text(values)))
                    continue
            position += 1
            row = self._row(number, record, position, seq_given)
            summed += row.line.amount_fen
            lines_at.add(number)
            yield row
        self.problems += [Problem(n, "", "", SHEET_HIDDEN_ROW, f"row {n}: hidden in the sheet (or filtered out): "
                                                             "unhide it, or delete it if it is not to be paid")
                          for n in self.hidden_rows if n in lines_at]

    def _total_problem(self, number: int, record: dict[str, object], summed: int) -> Problem | None:
        """The sheet's 合计 row against the sum of the rows above it (None when they agree, or when
        the 合计 row gives no amount)."""
        column = self.columns.get("amount_yuan", "amount_yuan")
        value = record.get("amount_yuan")
        if not _filled(value):
            return None
        try:
            stated = yuan_to_fen(value)
        except ValueError as exc:
            return Problem(number, column, "amount_yuan", SHEET_TOTAL_ROW, f"row {number}: {column}: the total {exc}")
        if stated == summed:
            return None
        return Problem(number, column, "amount_yuan", SHEET_TOTAL_ROW,
                       f"row {number}: {column}: the sheet's total says {_yuan(stated)} yuan, the rows above it add "
                       f"up to {_yuan(summed)} yuan")

    def _map_header(self, number: int, header: list[object]) -> dict[str, int]:
        places: dict[str, int] = {}
        problems: list[Problem] = []
        self.notes = []
        self.columns = {}
        for i, cell in enumerate(header):
            if not _filled(cell):
                continue
            field = _ALIASES.get(_norm(cell))
            shown = str(cell).strip()
            if field is None:
                self.notes.append(Problem(number, shown, "", SHEET_COLUMN_UNKNOWN,
                                          f"column {_letter(i)} '{shown}' is not a roster field: ignored", WARNING))
            elif field in places or (field in ("amount_yuan", "amount_fen") and
                                     ({"amount_yuan", "amount_fen"} & places.keys())):
                problems.append(Problem(number, shown, field, SHEET_COLUMN_TWICE,
                                        f"column {_letter(i)} '{shown}' is a second column for {field}"))
            else:
                places[field] = i
                self.columns[field] = shown
        self._require(places.keys(), number, problems)
        if problems:
            raise SheetError(problems)
        return places

    def _require(self, fields, number: int, problems: list[Problem]) -> None:
        for column in COLUMNS:
            if column.required and column.field not in fields and not (
                    column.field == "amount_yuan" and "amount_fen" in fields):
                problems.append(Problem(number, column.zh, column.field, SHEET_COLUMN_MISSING,
                                        f"no column '{column.zh}' ({column.field}): the header row "
                                        f"{'is row ' + str(number) if number else 'has none'}"))

    def _json_rows(self) -> Iterator[Row]:
        self.blank_rows = 0
        self.notes = []
        self.columns = {}
        position = 0
        warned: set[str] = set()
        with open(self.path, encoding="utf-8-sig") as f:
            number = 0
            while True:
                try:
                    text = f.readline()
                except UnicodeDecodeError:
                    raise SheetError([Problem(number + 1, "", "", SHEET_ENCODING,
                                              f"{self.path.name}: line {number + 1} is not UTF-8 text")]) from None
                if not text:
                    break
                number += 1
                if not text.strip():
                    self.blank_rows += 1
                    continue
                position += 1
                try:
                    obj = json.loads(text, parse_float=Decimal)
                except ValueError as exc:
                    obj = exc
                if not isinstance(obj, dict):
                    why = f"is not JSON ({obj})" if isinstance(obj, Exception) else "is not a JSON object"
                    yield Row(number, PaymentLine(position, "", "", "", 0), (
                        Problem(number, "", "", SHEET_ROW, f"line {number} {why}", seq=position),))
                    continue
                record: dict[str, object] = {}
                for key, value in obj.items():
                    field = _ALIASES.get(_norm(key))
                    if field is None:
                        if key not in warned:
                            warned.add(key)
                            self.notes.append(Problem(number, key, "", SHEET_COLUMN_UNKNOWN,
                                                      f"line {number}: key '{key}' is not a roster field: ignored",
                                                      WARNING))
                        continue
                    record[field] = value
                    self.columns.setdefault(field, key)
                missing: list[Problem] = []
                self._require(record.keys(), number, missing)
                if missing:
                    for p in missing:
                        record.setdefault(p.field, None)
                row = self._row(number, record, position, "seq" in record)
                yield Row(row.row, row.line, tuple(
                    Problem(number, p.column, p.field, p.code, f"line {number}: no '{p.field}'", seq=row.line.seq)
                    for p in missing) + row.problems)

    def _row(self, number: int, record: dict[str, object], position: int, seq_given: bool) -> Row:
        """A row's cells as a line; each cell that cannot be read is a problem and a placeholder
        (empty text, amount 0, seq its position) that the domain's checks will not report again."""
        problems: list[tuple[str, str, str]] = []  # (field, code, why)
        failed = [f for f, v in record.items() if type(v) is str and v.strip() in _ERRORS]
        if failed:  # read as empty: the problem is said once, as what the cell shows
            record = dict(record)
            for f in failed:
                problems.append((f, SHEET_CELL_ERROR, f"shows Excel's error {record[f].strip()}, not a value"))
                record[f] = None
        seq = position
        if seq_given:
            value = record.get("seq")
            if type(value) is int:
                seq = value
            elif _filled(value):
                try:
                    seq = _seq(value)
                except ValueError as exc:
                    problems.append(("seq", SHEET_SEQ, str(exc)))
        texts: dict[str, str] = {}
        get = record.get
        for field in _TEXT_FIELDS:
            value = get(field)
            if type(value) is str:
                texts[field] = value.strip()
            elif value is None:
                texts[field] = ""
            else:
                try:
                    texts[field] = _text(value, field)
                except _CellError as exc:
                    problems.append((field, exc.code, str(exc)))
                    texts[field] = ""
        for field in _FREE_TEXT_FIELDS:  # a line break typed into a cell (Alt+Enter) is a space in a file's field
            value = texts[field]
            if value and _BREAKS.search(value):
                texts[field] = _BREAKS.sub(" ", value)
                problems.append((field, SHEET_TIDIED, "line breaks or tabs in the cell made spaces", WARNING))
        for field in _NUMBER_FIELDS:
            value = texts[field]
            if value and not (value.isascii() and value.isalnum()):
                tidy = _tidy_number(value, field)
                if tidy != value:
                    texts[field] = tidy
                    problems.append((field, SHEET_TIDIED, "spaces, dashes or full-width characters taken out of "
                                                          "the number", WARNING))
        amount = 0
        if "amount_fen" in failed or "amount_yuan" in failed:
            pass
        elif "amount_fen" in record:
            value = record["amount_fen"]
            if type(value) is int:
                amount = value
            else:
                problems.append(("amount_fen", SHEET_AMOUNT, "must be a whole number of fen"))
        else:
            try:
                amount = yuan_to_fen(get("amount_yuan"))
            except ValueError as exc:
                problems.append(("amount_yuan", SHEET_AMOUNT, str(exc)))
        kind: object = AccountKind.CARD
        raw_kind = get("account_kind")
        if raw_kind is not None:
            kind = (_KINDS.get(raw_kind) if type(raw_kind) is str else None) or _kind(raw_kind)
        line = PaymentLine(seq, texts["name"], texts["id_number"], texts["account_no"], amount, kind,
                           texts["bank_name"], texts["subsidy_item"], texts["remark"], texts["phone"], texts["address"],
                           texts["household_no"])
        if not problems:
            return Row(number, line, ())
        found = []
        for field, code, why, *severity in problems:
            column = self.columns.get(field) or (BY_FIELD[field].zh if field in BY_FIELD else field)
            found.append(Problem(number, column, field, code, f"row {number}: {column}: {why}",
                                 severity[0] if severity else ERROR, seq))
        return Row(number, line, tuple(found))


class _Runs:
    """A set of row numbers kept as runs of consecutive rows: a sheet's lines are one run or a
    few, so a million of them take a few numbers, not a million."""

    __slots__ = ("starts", "ends")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, n: int) -> None:  # in increasing order
        if self.ends and self.ends[-1] == n - 1:
            self.ends[-1] = n
        else:
            self.starts.append(n)
            self.ends.append(n)

    def __contains__(self, n: int) -> bool:
        from bisect import bisect_right

        i = bisect_right(self.starts, n) - 1
        return i >= 0 and n <= self.ends[i]


def _clean_reader(places: dict[str, int], width: int):
    """A reader of the usual row, for speed: ``clean(number, values, position)`` gives the
    :class:`Row` that :meth:`Roster._row` would give when the row is a line (six digits in a row in
    its ID or account) whose cells need nothing tidied and hold no problem (text cells as text with
    no line breaks, numbers of plain ASCII letters and digits, a seq that is a whole number or
    empty, an amount that is a plain number or text of yuan), and None for any other row, which
    then takes the general way. Each cell is taken by its column's index, fixed once for the sheet
    (a column the sheet does not have reads as an empty cell), instead of through a dict and a
    function per field: the general way costs about 10 µs a row (a fifth of what the service
    spends storing the row), this about 5. None when the sheet gives ``amount_fen`` (the general
    way only)."""
    from operator import itemgetter

    if "amount_fen" in places:
        return None
    take = itemgetter(*(places.get(c.field, width) for c in COLUMNS))  # COLUMNS' order, unpacked below
    get = take if len(places) == len(COLUMNS) else (lambda values: take(values[:width] + [""]))
    digits, unusual, kinds, card = _DIGITS.search, _UNUSUAL.search, _KINDS.get, AccountKind.CARD

    def clean(number: int, values: list[object], position: int) -> Row | None:
        seq, name, id_number, account_no, amount, kind, bank, item, remark, phone, address, household = get(values)
        try:
            if unusual("".join((name, id_number, account_no, bank, item, remark, phone, address, household))):
                return None
        except TypeError:  # a cell that is not text
            return None
        if id_number == EXAMPLE_ID and account_no == EXAMPLE_ACCOUNT:
            return None
        name, id_number, account_no, phone = name.strip(), id_number.strip(), account_no.strip(), phone.strip()
        numbers = id_number + account_no + phone
        if not (numbers.isascii() and numbers.isalnum() and (digits(id_number) or digits(account_no))):
            return None
        if type(seq) is not int:
            if seq is None or seq == "":
                seq = position
            elif type(seq) is float and seq.is_integer():
                seq = int(seq)
            elif type(seq) is str and len(seq) <= 18 and seq.isdecimal():
                seq = int(seq)
            else:
                return None
        if type(amount) is float:  # its shortest repr is what the sheet stores: 1234.5 is 123450 fen
            whole, _, cents = repr(amount).partition(".")  # 1e16 and above have an exponent: none is too large
            if not (whole.isdigit() and cents.isdigit() and len(cents) <= 2):
                return None
            fen = int(whole + cents.ljust(2, "0"))
        elif type(amount) is int and 0 <= amount <= _MAX_WHOLE_YUAN:
            fen = amount * 100
        elif type(amount) is str:
            try:
                fen = yuan_to_fen(amount)
            except ValueError:
                return None
        else:
            return None
        if kind is None or kind == "":
            kind = card
        elif type(kind) is not str or (kind := kinds(kind)) is None:
            return None  # spelt another way (_kind), or an Excel error (#N/A): the general way says which
        return Row(number, PaymentLine(seq, name, id_number, account_no, fen, kind, bank.strip(), item.strip(),
                                       remark.strip(), phone, address.strip(), household.strip()), ())

    return clean


# What sends a row the general way: what _BREAKS takes out, or what may be an Excel error (_ERRORS)
_UNUSUAL = re.compile(r"[\r\n\t\v\f\u2028\u2029]|#[A-Z]")
# The values Excel shows in a cell whose formula failed (#N/A...): the streaming reader gives them
# as the cell's text; none is a person's name, number or amount, so such a cell is a problem.
_ERRORS = frozenset({"#N/A", "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#GETTING_DATA",
                     "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
_MAX_WHOLE_YUAN = MAX_FEN // 100
_NUMBER_FIELDS = ("id_number", "account_no", "phone")
_FREE_TEXT_FIELDS = ("bank_name", "subsidy_item", "remark", "address")
_BREAKS = re.compile(r"\s*[\r\n\t\v\f\u2028\u2029]+\s*")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def _tidy_number(value: str, field: str) -> str:
    """An identity, account or phone number as meant: full-width digits and letters (６２２２, Ｘ)
    made ASCII (NFKC), the spaces of groups taken out (6222 0200 ...), and for account and phone
    numbers the dashes (138-0013-8000). Anything else is left for the domain's checks to name."""
    import unicodedata

    text = _SPACES.sub("", unicodedata.normalize("NFKC", value))
    return text.replace("-", "") if field != "id_number" else text


_TEXT_FIELDS = ("name", "id_number", "account_no", "bank_name", "subsidy_item", "remark", "phone", "address",
                "household_no")


def _kind(raw: object) -> object:
    """An account kind as written (银行卡, 存折, Passbook, SOCIAL_SECURITY_CARD...); not one we know
    is kept as written, for the domain's check to name (ACCOUNT_KIND). Empty: a card."""
    if not _filled(raw):
        return AccountKind.CARD
    key = re.sub(r"[\s_\-]", "", str(raw)).lower()
    return _KINDS.get(key, str(raw).strip())


def _taker(indices: tuple[int, ...]):
    """The cells at ``indices`` of a row, as a tuple (operator.itemgetter, which gives a bare
    value for one index)."""
    from operator import itemgetter

    get = itemgetter(*indices)
    return get if len(indices) > 1 else (lambda values: (get(values),))


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _known_columns(values) -> int:
    """How many cells of a row name a roster field: a header row names several."""
    return sum(1 for v in values if isinstance(v, str) and _ALIASES.get(_norm(v)) is not None)


_DIGITS = re.compile(r"\d{6}")


def _looks_like_a_line(record: dict[str, object]) -> bool:
    """Whether a row holds a person's numbers (six digits in a row in the ID or the account): a
    合计 row and the lines below it (制表人, 审核人, a date) do not, a line does, however wrong."""
    return any(v is not None and not isinstance(v, str) or isinstance(v, str) and _DIGITS.search(v)
               for v in (record.get("id_number"), record.get("account_no")))


def _is_total_row(values) -> bool:
    return any(isinstance(v, str) and re.sub(r"\s", "", v).lower().rstrip(":：") in _TOTAL_WORDS for v in values)


def _first_text(values) -> str:
    return next((str(v).strip() for v in values if _filled(v)), "")[:40]


def _yuan(fen: int) -> str:
    from domain.money import yuan

    return yuan(fen)


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _is_code_row(values: list[object], places: dict[str, int]) -> bool:
    """The template's second row: each mapped column holds its field's English code."""
    return all(i < len(values) and isinstance(values[i], str) and values[i].strip() == CODE_ROW.get(f, f)
               for f, i in places.items())


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030 (GBK's superset): told from
    the first bytes that are not ASCII, wherever they are in the file (read a megabyte at a time)."""
    with open(path, "rb") as f:
        start = f.read(4)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        f.seek(0)
        while chunk := f.read(1 << 20):
            at = next((i for i, b in enumerate(chunk) if b > 127), None) if not chunk.isascii() else None
            if at is None:
                continue
            try:
                codecs.getincrementaldecoder("utf-8")().decode(chunk[at: at + 4096], final=False)
            except UnicodeDecodeError as exc:
                # GBK read as UTF-8 fails within its first characters; text that reads as UTF-8
                # for two characters or more is UTF-8 (a later fault is named by its line)
                return "utf-8" if exc.start >= 6 else "gb18030"
            return "utf-8"
    return "utf-8"
