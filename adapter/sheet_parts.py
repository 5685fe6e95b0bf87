"""What the streaming sheet reader (python-calamine-plus, adapter/roster_sheet.py) does not tell
about a workbook, read from its zip beside the stream: which part is the first sheet, how many
rows its ``<dimension>`` states, whether every part's checksum holds, and which rows the sheet
hides.

Why each matters for money: the stream never checks the zip's checksums, so a byte changed in
storage would be read as another amount or account (1234.5 become 1934.5); and a row hidden or
filtered out in Excel is still a row of the sheet, which a clerk who filtered the roster to one
village would not expect to be paid. The check runs in a thread while the rows stream (zlib
inflates and sums without the GIL), and is waited for before the roster's totals are sent.
"""
from __future__ import annotations

import posixpath
import re
import threading
import zipfile
from pathlib import Path

from lxml import etree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
# a row element with hidden="1" (or "true") that is not empty (<row .../> holds no cell)
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b([^>]*?)\bhidden="(?:1|true)"([^>]*?)(/?)>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CHUNK = 1 << 20


def first_sheet(z: zipfile.ZipFile) -> str:
    """The part name of the workbook's first sheet (``xl/worksheets/sheet1.xml`` as a rule), by
    the workbook's own order and relationships; ``KeyError`` when the workbook names none."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        book = etree.fromstring(z.read("xl/workbook.xml"), parser)
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"), parser)
    except etree.XMLSyntaxError as exc:
        raise KeyError(f"the workbook's index is not XML: {exc}") from None
    sheet = book.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if sheet is None:
        raise KeyError("no worksheet")
    target = next((r.get("Target") for r in rels.iter(f"{_PACKAGE_REL}Relationship")
                   if r.get("Id") == sheet.get(f"{_REL}id")), None)
    if target is None:
        raise KeyError("no worksheet")
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def last_row(path: Path) -> int | None:
    """The first sheet's last row as its ``<dimension>`` states it, from the sheet's first bytes
    (None when it does not say: openpyxl's write-only mode writes "A1"): the progress bar's total."""
    with zipfile.ZipFile(path) as z, z.open(first_sheet(z)) as f:
        m = _DIMENSION.search(f.read(4096))
    return None if m is None or m.group(1) is None else int(m.group(1))


class PartsCheck(threading.Thread):
    """Reads every XML part of the workbook through :mod:`zipfile`, which checks each part's
    checksum, and notes the first sheet's hidden rows that hold anything. After :meth:`join`:
    :attr:`error` (the first exception, e.g. ``BadZipFile`` for a checksum that differs) and
    :attr:`hidden` (row numbers, in order)."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="sheet-parts-check", daemon=True)
        self.path = path
        self.error: BaseException | None = None
        self.hidden: list[int] = []

    def run(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as z:
                sheet = first_sheet(z)
                for info in z.infolist():
                    if info.filename.endswith((".xml", ".rels")):
                        self._read(z, info, info.filename == sheet)
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, which refuses the file
            self.error = exc

    def _read(self, z: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: bool) -> None:
        tail = b""
        with z.open(info) as f:
            while chunk := f.read(_CHUNK):
                if not sheet:
                    continue
                text = tail + chunk
                cut = text.rfind(b"<")  # a row tag cut at the chunk's end is looked at with the next
                done, tail = (text[:cut], text[cut:]) if cut > len(text) - 4096 else (text, b"")
                if b"hidden=" in done:
                    self._hidden_rows(done)
        if tail and b"hidden=" in tail:
            self._hidden_rows(tail)

    def _hidden_rows(self, text: bytes) -> None:
        for m in _HIDDEN_ROW.finditer(text):
            number = _ROW_NUMBER.search(m.group(1) + b" " + m.group(2))
            if m.group(3) != b"/" and number is not None:
                self.hidden.append(int(number.group(1)))
