"""PDF export: the three copies (三联单) one after the other, each on pages of its own.

Every page carries its copy's label (第一联 财政部门 ...), the content digest and the signature
in the footer, and each copy ends with a signature block, so a single page shows which copy it
belongs to and what to verify. Chinese text needs a CJK font embedded in the file: WenQuanYi
Micro Hei (the Debian package ``fonts-wqy-microhei``), or any TrueType font named by
``YKT_CJK_FONT``. Without one the export fails saying which package to install — PDF viewers
would otherwise show empty boxes.

A table lists at most :data:`MAX_ROWS` rows per copy, saying how many more the XLSX, CSV and
JSON exports hold: a refund report itemizing 100,000 unpaid lines would otherwise run to
thousands of pages per copy.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, LongTable, PageBreak, PageTemplate, Paragraph, Spacer

from reports.documents import Copy, Document
from reports.layout import COUNT, FEN, ID, TEXT, Layout, Table, layout, shown

SUFFIX = "pdf"
MAX_ROWS = 1000
FONT_PACKAGE = "fonts-wqy-microhei"
FONT_FAMILY = "WenQuanYi Micro Hei"
FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # where Debian's package puts it
FONT_ENV = "YKT_CJK_FONT"
FONT = "YktCJK"

PAGE = landscape(A4)
MARGIN = 12 * mm
FOOTER = 16 * mm
WIDTHS = {ID: 44.0, COUNT: 48.0, FEN: 68.0}  # points; text columns share what is left

_registered = threading.Lock()


class FontMissing(RuntimeError):
    """No CJK font to embed; the message names the package to install."""


def font_path() -> Path:
    """The CJK TrueType font to embed: ``$YKT_CJK_FONT``, Debian's path, else fontconfig's answer."""
    configured = os.environ.get(FONT_ENV)
    if configured:
        if not Path(configured).is_file():
            raise FontMissing(f"{FONT_ENV}={configured} is not a file")
        return Path(configured)
    if FONT_PATH.is_file():
        return FONT_PATH
    if shutil.which("fc-list"):
        found = subprocess.run(["fc-list", f":family={FONT_FAMILY}", "file"], capture_output=True, text=True,
                               check=False).stdout.split(":", 1)[0].strip()
        if found and Path(found).is_file():
            return Path(found)
    raise FontMissing(f"the PDF export needs the CJK font {FONT_FAMILY}: install the Debian package "
                      f"{FONT_PACKAGE} (apt-get install {FONT_PACKAGE}) or set {FONT_ENV} to a TrueType "
                      "font with Chinese glyphs")


def _register_font() -> None:
    with _registered:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            path = font_path()
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0) if path.suffix.lower() == ".ttc"
                                    else TTFont(FONT, str(path)))


def _style(size: float, leading: float | None = None, **kw) -> ParagraphStyle:
    return ParagraphStyle(f"ykt{size}", fontName=FONT, fontSize=size, leading=leading or size * 1.3,
                          wordWrap="CJK", **kw)


class _CopyStart(Flowable):
    """Marks where a copy begins, so the page footers know whose pages follow."""

    def __init__(self, copy: Copy):
        super().__init__()
        self.copy = copy

    def wrap(self, *_):
        return 0, 0

    def draw(self):
        return None


class _Copies(BaseDocTemplate):
    def __init__(self, out: BinaryIO, title: str):
        super().__init__(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN + FOOTER, title=title, author="ykt-adapter")
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("copy", [frame], onPageEnd=self._footer)])
        self.copy: Copy | None = None
        self.copy_page = 0

    def afterFlowable(self, flowable):
        if isinstance(flowable, _CopyStart):
            self.copy, self.copy_page = flowable.copy, 0

    def _footer(self, canvas, doc):
        if self.copy is None:
            return
        self.copy_page += 1
        canvas.saveState()
        canvas.setFont(FONT, 7)
        x, y = MARGIN, MARGIN + FOOTER - 5 * mm
        canvas.drawString(x, y, f"{self.copy.label}    第 {self.copy_page} 页 page {self.copy_page}")
        canvas.drawString(x, y - 3.5 * mm, f"内容摘要 content SHA-256: {self.copy.digest}")
        canvas.drawString(x, y - 7 * mm, f"签名 signature (Ed25519): {self.copy.signature}")
        canvas.restoreState()


def write(doc: Document, out: BinaryIO) -> None:
    _register_font()
    view = layout(doc)
    pdf = _Copies(out, view.title)
    story: list[Flowable] = []
    for n, copy in enumerate(doc.copies):
        if n:
            story.append(PageBreak())
        story += [_CopyStart(copy), *_copy(view, copy, doc.public_key_pem, pdf.width)]
    pdf.build(story)


def _copy(view: Layout, copy: Copy, public_key_pem: str, width: float) -> list[Flowable]:
    body, heading = _style(8), _style(10, spaceBefore=8, spaceAfter=3)
    out: list[Flowable] = [Paragraph(escape(view.title), _style(15, spaceAfter=4)),
                           Paragraph(escape(copy.label), _style(11, spaceAfter=6))]
    facts = LongTable([[Paragraph(escape(k), body), Paragraph(escape(v), body)] for k, v in view.facts],
                      colWidths=[width * 0.25, width * 0.75])
    facts.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ("TOPPADDING", (0, 0), (-1, -1), 1)])
    out.append(facts)
    for table in view.tables:
        out.append(Paragraph(escape(table.title), heading))
        out += _table(table, width)
    out += [Spacer(1, 6 * mm), Paragraph(escape(f"{copy.label}"), heading),
            Paragraph(f"内容摘要 content SHA-256: {copy.digest}", body),
            Paragraph(f"签名 signature (Ed25519, base64): {copy.signature}", body),
            Paragraph("公钥 public key: " + "<br/>".join(escape(ln) for ln in public_key_pem.strip().splitlines()),
                      body)]
    return out


def _table(table: Table, width: float) -> list[Flowable]:
    if table.count == 0:
        return [Paragraph("无 none", _style(8))]
    cell = _style(7, 8.5)
    kinds = [c.kind for c in table.columns]
    fixed = sum(WIDTHS.get(k, 0.0) for k in kinds)
    text_width = (width - fixed) / max(1, kinds.count(TEXT))
    widths = [WIDTHS.get(k, text_width) for k in kinds]
    rows: list[list] = [[Paragraph(escape(c.title), cell) for c in table.columns]]
    for n, row in enumerate(table.rows()):
        if n == MAX_ROWS:
            break
        rows.append([Paragraph(escape(shown(v, k)), cell) if k == TEXT else shown(v, k) for v, k in zip(row, kinds)])
    grid = LongTable(rows, colWidths=widths, repeatRows=1)
    grid.setStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        *[("ALIGN", (i, 1), (i, -1), "RIGHT") for i, k in enumerate(kinds) if k != TEXT],
    ])
    out: list[Flowable] = [grid]
    if table.count > MAX_ROWS:
        out.append(Paragraph(f"… 另有 {table.count - MAX_ROWS:,} 行 and {table.count - MAX_ROWS:,} more rows: "
                             "see the XLSX, CSV or JSON export", _style(8)))
    return out
