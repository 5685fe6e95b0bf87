"""Workbooks changed the way storage or a careless copy changes them, for the roster tests: a
part rewritten, the whole zip stored uncompressed (so a changed byte stays valid XML), a row
broken in the middle of the sheet."""
from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

SHEET = "xl/worksheets/sheet1.xml"


def rewrite(path: Path, changes: dict[str, Callable[[bytes], bytes]] | None = None, stored: bool = False) -> Path:
    """``path`` written again with each part of ``changes`` passed through its function (zip
    checksums made anew: a valid workbook), uncompressed when ``stored``."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    for name, change in (changes or {}).items():
        parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def broken_at_row(path: Path, row: int) -> Path:
    """The sheet's XML broken just before row ``row`` (a cell whose value is never closed): the
    rows above it read, then the sheet fails."""
    def broken(xml: bytes) -> bytes:
        cut = xml.index(b'<row r="%d"' % row)
        return xml[:cut] + b'<row r="%d"><c r="A%d" t="n"><v>1</c></row>' % (row, row) + xml[cut:]
    return rewrite(path, {SHEET: broken})
