"""CSV export: the report's facts, copies and tables as blocks of rows, for spreadsheets.

Each block starts with a title row and a header row and ends with an empty row. An amount takes
two columns: fen (an integer, to add up) and yuan (text, to read). UTF-8 with a byte-order mark,
so that Excel on Chinese Windows opens the Chinese text as such. Rows are written as the layout
yields them: a long refund report streams to the file.
"""
from __future__ import annotations

import csv
import io
from typing import BinaryIO

from reports.documents import Document
from reports.layout import flat_cells, flat_header, layout

SUFFIX = "csv"


def write(doc: Document, out: BinaryIO) -> None:
    view = layout(doc)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        w = csv.writer(text)
        w.writerow(["报表 report", view.title])
        w.writerows([label, value] for label, value in view.facts)
        w.writerow([])
        w.writerow(["联 copies"])
        w.writerow(["party", "label", "content_sha256", "signature (Ed25519, base64)"])
        w.writerows([c.party, c.label, c.digest, c.signature] for c in doc.copies)
        w.writerow([])
        for table in view.tables:
            w.writerow([table.title])
            w.writerow(flat_header(table.columns))
            w.writerows(flat_cells(row, table.columns) for row in table.rows())
            w.writerow([])
    finally:
        text.flush()
        text.detach()  # the caller owns ``out``
