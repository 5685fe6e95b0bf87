"""CSV export: the same tables with the same columns as the XLSX export, as blocks of rows.

Blocks in the XLSX's sheet order (概要 summary, 合计 totals, 联 copies, then each table), each a
title row, a header row, its rows and an empty row. An amount is one column in yuan, a plain
decimal number (``1234.05``: no thousands separator, so a spreadsheet reads it as a number)
made from the integer fen with integer arithmetic. UTF-8 with a byte-order mark, so that Excel
on Chinese Windows opens the Chinese text as such. Rows are written as the layout yields them: a
long refund report streams to the file.
"""
from __future__ import annotations

import csv
import io
from typing import BinaryIO

from reports.capitals import capitals
from reports.documents import Document
from reports.exports.xlsx import COPIES, SUMMARY, TOTALS
from reports.layout import FEN, flat_header, layout, yuan_plain

SUFFIX = "csv"


def write(doc: Document, out: BinaryIO) -> None:
    view = layout(doc)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        w = csv.writer(text)
        w.writerow([SUMMARY])
        w.writerow(["项目 item", "内容 value"])
        w.writerow(["报表 report", view.title])
        w.writerows([label, value] for label, value in view.facts)
        w.writerow([])
        w.writerow([TOTALS])
        w.writerow(["项目 item", "金额 amount (元)", "大写 in words"])
        w.writerows([label, yuan_plain(fen), capitals(fen)] for label, fen in view.summary)
        w.writerow([])
        w.writerow([COPIES])
        w.writerow(["联 party", "联次 copy", "内容摘要 content_sha256", "签名 signature (Ed25519, base64)"])
        w.writerows([c.party, c.label, c.digest, c.signature] for c in doc.copies)
        w.writerow([])
        for table in view.tables:
            kinds = [c.kind for c in table.columns]
            w.writerow([table.title])
            w.writerow(flat_header(table.columns))
            w.writerows(["" if v is None else yuan_plain(v) if k == FEN else v for v, k in zip(row, kinds, strict=True)]
                        for row in table.rows())
            w.writerow([])
    finally:
        text.flush()
        text.detach()  # the caller owns ``out``
