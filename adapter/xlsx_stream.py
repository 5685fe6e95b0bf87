"""A streaming XLSX writer for big plain tables: rows straight into the sheet's XML, a few fixed
cell styles, nothing held.

Why not openpyxl: its write-only mode costs about 130 µs a row of nine cells on this machine
(a cell object per value, its style looked up, lxml called per cell), 13 s for a 100,000-row
result sheet, four times what the service takes to store the roster; a row written here as one
formatted string costs a few µs. What it writes is the smallest valid SpreadsheetML package
(ECMA-376; read back by openpyxl and python-calamine in the tests): inline strings, numbers,
a bold header row frozen with a filter, column widths, and the styles :data:`STYLES` names.

    with XlsxStream(path) as book:
        sheet = book.sheet("结果", widths=(8, 20), header=("行号", "结果"))
        sheet.row((4, "已接受"), styles=(None, None))
        book.sheet("汇总", widths=(20, 40)).row(("批次号", "B1"))
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

# style name -> cellXfs index in styles.xml below
STYLES = {None: 0, "header": 1, "money": 2, "red": 3, "amber": 4}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not characters of XML 1.0
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("\ufffd", value)
    return value.translate(_ESCAPE)


def column_letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(64)]


def render_row(r: int, values: Sequence[object], styles: Sequence[str | None] | None = None,
               letters: Sequence[str] = _LETTERS) -> str:
    """Row ``r``'s XML (see :meth:`Sheet.row`)."""
    return f'<row r="{r}">{render_cells(r, values, styles, letters)}</row>'


def render_cells(r: int, values: Sequence[object], styles: Sequence[str | None] | None = None,
                 letters: Sequence[str] = _LETTERS, first: int = 0) -> str:
    """Row ``r``'s cells, the first of ``values`` in column ``first`` (0: A)."""
    cells = []
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        style = STYLES[styles[i]] if styles is not None and styles[i] else 0
        s = f' s="{style}"' if style else ""
        ref = f"{letters[first + i]}{r}"
        if isinstance(value, str):
            cells.append(f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_text(value)}</t></is></c>')
        elif isinstance(value, bool):
            raise TypeError("no true/false cells")
        elif isinstance(value, (int, Decimal)):
            cells.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
        else:
            raise TypeError(f"no {type(value).__name__} cells (floats are not written: give Decimal)")
    return "".join(cells)


_ROW = "\x01"  # where a Template's markup takes the row's number (not a character of XML: never in a text put in)
_UNSAFE = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')  # what _text would change


class Template:
    """Rows of one shape rendered as :func:`render_row` renders them, at about a third of its cost
    (which was most of the result sheet's: a function call, a type test and a format per cell).
    The row's markup is made once from the values' types (``str`` a text cell; ``int`` or
    ``Decimal`` a number) and each row is one ``%`` formatting. A row of another shape (an empty
    value, text that needs escaping, a value of another type) is rendered by render_row."""

    def __init__(self, types: Sequence[type], styles: Sequence[str | None] | None = None):
        cells = []
        for i, kind in enumerate(types):
            style = STYLES[styles[i]] if styles is not None and styles[i] else 0
            s = f' s="{style}"' if style else ""
            if kind is str:
                cells.append(f'<c r="{_LETTERS[i]}{_ROW}" t="inlineStr"{s}><is><t xml:space="preserve">%s</t></is></c>')
            elif kind in (int, Decimal):
                cells.append(f'<c r="{_LETTERS[i]}{_ROW}"{s}><v>%s</v></c>')
            else:
                raise TypeError(f"no {kind.__name__} cells")
        self._markup = f'<row r="{_ROW}">' + "".join(cells) + "</row>"
        self._types = tuple(types)
        self._styles = styles
        texts = [i for i, kind in enumerate(types) if kind is str]
        self._texts = itemgetter(*texts) if len(texts) > 1 else lambda values: tuple(values[i] for i in texts)

    def row(self, r: int, values: tuple) -> str:
        """Row ``r``'s XML, the same as ``render_row(r, values, styles)``."""
        texts = self._texts(values)
        if tuple(map(type, values)) != self._types or "" in texts or _UNSAFE.search("".join(texts)):
            return render_row(r, values, self._styles)
        return (self._markup % values).replace(_ROW, str(r))


def replace_cells(xml: str, first_row: int, changes: dict[int, tuple[Sequence[object], Sequence[str | None]]],
                  first: int) -> str:
    """Rows rendered beforehand (one after the other from row ``first_row``), with the cells of
    the rows in ``changes`` (row number -> values, styles) replaced from column ``first`` on; each
    of those rows must have a cell in that column. A cell's reference and a row's end are found
    as markup only: text is escaped (``<`` is ``&lt;``)."""
    rows = xml.split("</row>")  # each row but its end; the last piece is empty
    letter = _LETTERS[first]
    for r, (values, styles) in changes.items():
        i = r - first_row
        rows[i] = rows[i][:rows[i].index(f'<c r="{letter}{r}"')] + render_cells(r, values, styles, first=first)
    return "</row>".join(rows)


class Sheet:
    def __init__(self, book: XlsxStream, index: int, name: str, widths: Sequence[float], header: Sequence[str] | None):
        self._book = book
        self.name = name
        self._letters = [column_letter(i) for i in range(max(len(widths), len(header or ()), 1) + 30)]
        self._rows = 0
        self._out = book._zip.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True)
        self._buffer: list[str] = []
        frozen = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                  'state="frozen"/></sheetView></sheetViews>') if header else ""
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        self._write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
                    f'xmlns:r="{_REL}">{frozen}' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
        self._width = len(header or ())
        if header:
            self.row(header, ("header",) * len(header))

    def _write(self, text: str) -> None:
        self._buffer.append(text)
        if len(self._buffer) >= 512:
            self._flush()

    def _flush(self) -> None:
        self._out.write("".join(self._buffer).encode("utf-8"))
        self._buffer.clear()

    def row(self, values: Sequence[object], styles: Sequence[str | None] | None = None) -> None:
        """One row: ``str`` as text, ``int`` and ``Decimal`` as numbers (never float: amounts
        come as Decimal yuan), None as an empty cell; ``styles`` by position (names of STYLES)."""
        self._rows += 1
        self._write(render_row(self._rows, values, styles, self._letters))
        self._width = max(self._width, len(values))

    def raw_rows(self, xml: bytes, count: int, width: int) -> None:
        """``count`` rows rendered beforehand (:func:`render_row`, :class:`Template`) for the
        numbers these rows get, in UTF-8, ``width`` cells wide at most."""
        self._rows += count
        self._flush()
        self._out.write(xml)
        self._width = max(self._width, width)

    @property
    def rows(self) -> int:
        return self._rows

    def close(self) -> None:
        tail = "</sheetData>"
        if self._width and self._rows > 1 and self._book._filters.get(self.name):
            tail += f'<autoFilter ref="A1:{column_letter(self._width - 1)}{self._rows}"/>'
        self._write(tail + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                    "</worksheet>")
        self._flush()
        self._out.close()


class XlsxStream:
    """A workbook written sheet by sheet; each sheet's rows go to the file as they come."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets: list[Sheet] = []
        self._filters: dict[str, bool] = {}

    def sheet(self, name: str, widths: Sequence[float] = (), header: Sequence[str] | None = None,
              autofilter: bool = True) -> Sheet:
        if self._sheets:
            self._sheets[-1].close()
        self._filters[name] = autofilter and header is not None
        sheet = Sheet(self, len(self._sheets) + 1, name, widths, header)
        self._sheets.append(sheet)
        return sheet

    def __enter__(self) -> XlsxStream:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            if self._sheets:
                self._sheets[-1]._out.close()
            self._zip.close()
            self.path.unlink(missing_ok=True)  # no half-written workbook left behind
            return
        self.close()

    def close(self) -> None:
        if self._sheets:
            self._sheets[-1].close()
        n = len(self._sheets)
        z = self._zip
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/styles.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                   + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                             'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
                   + "</Types>")
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{_text(s.name)}'!$A$1:${column_letter(max(s._width, 1) - 1)}${s._rows}</definedName>"
            for i, s in enumerate(self._sheets) if self._filters.get(s.name) and s._rows > 1)
        z.writestr("xl/workbook.xml",
                   f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
                   f'xmlns:r="{_REL}"><sheets>'
                   + "".join(f'<sheet name="{_text(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                             for i, s in enumerate(self._sheets, 1))
                   + "</sheets>" + (f"<definedNames>{filters}</definedNames>" if filters else "") + "</workbook>")
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                             for i in range(1, n + 1))
                   + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", _STYLES_XML)
        z.close()


# fonts: 0 normal, 1 bold, 2 dark red, 3 dark amber; numFmt 4 is the built-in #,##0.00
_STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="4"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font>'
    '<font><sz val="11"/><color rgb="FFC00000"/><name val="等线"/></font>'
    '<font><sz val="11"/><color rgb="FF9C5700"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
