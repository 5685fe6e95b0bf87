"""PDF export: the three copies (三联单) one after the other, each a document of its own.

A4 portrait, body text 9 pt or more. Every page carries, in its header, the report's title and
its copy — number and party in a coloured badge (第一联 财政部门 ...) so the copies are told apart
at a glance — and in its footer the copy's label, 第 X 页 / 共 Y 页 (page X of Y of that copy),
the content digest and the signature. Each copy opens with the report's facts (codes by their
Chinese names, times in Beijing time) and a summary box of the key totals in figures and in
capital numerals (大写); the period reports add a chart of paid, refunded and unpaid money per
batch; then the tables. Each copy ends with one block kept on one page: the 经办人 / 复核人 /
负责人 lines and the party's seal box, the digest, signature and public key to verify, and a QR
code carrying the report id, the party and the content digest. When the time of issue is known
it is printed, outside the signed content.

Chinese text needs a CJK font embedded in the file: WenQuanYi Micro Hei (the Debian package
``fonts-wqy-microhei``), or any TrueType font named by ``YKT_CJK_FONT``. Without one the export
fails saying which package to install — PDF viewers would otherwise show empty boxes.

A table lists at most :data:`MAX_ROWS` rows per copy, saying how many more the XLSX, CSV and
JSON exports hold. A table too wide for the page is split into column groups, each repeating the
first column; a cell breaks between words, and inside a word only when the word alone is wider
than its column (Chinese text breaks between characters, as it is written).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, LongTable, PageBreak, PageTemplate,
                                Paragraph, Spacer)
from reportlab.platypus import Table as Grid

from domain.money import yuan
from reports.capitals import capitals
from reports.documents import Copy, Document
from reports.layout import COUNT, FEN, ID, TEXT, Chart, Layout, Table, layout, shown

SUFFIX = "pdf"
MAX_ROWS = 1000
FONT_PACKAGE = "fonts-wqy-microhei"
FONT_FAMILY = "WenQuanYi Micro Hei"
FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # where Debian's package puts it
FONT_ENV = "YKT_CJK_FONT"
FONT = "YktCJK"

PAGE = A4
MARGIN = 14 * mm
HEADER = 14 * mm
FOOTER = 17 * mm
BODY = 9.0  # points: the smallest body text
SMALL = 8.0  # the footer's digest and signature lines
PAD = 6.0  # a cell's left and right padding together
NUMBER_WIDTH = {ID: 6, COUNT: 9, FEN: 14}  # characters a numeric column must hold at least

# One colour per copy, as printed 三联单 use coloured paper: finance, department, bank.
PARTY_COLOURS = {"FINANCE": colors.HexColor("#b22222"), "DEPARTMENT": colors.HexColor("#1e6b35"),
                 "BANK": colors.HexColor("#1f4e9a")}
PARTY_SEAL = {"FINANCE": "财政部门（盖章）", "DEPARTMENT": "业务主管部门（盖章）", "BANK": "代发金融机构（盖章）"}
SERIES_COLOURS = (colors.HexColor("#2e7d32"), colors.HexColor("#1565c0"), colors.HexColor("#c62828"))
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")

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


def _style(size: float = BODY, leading: float | None = None, cjk: bool = True, **kw) -> ParagraphStyle:
    return ParagraphStyle(f"ykt{size}{cjk}", fontName=FONT, fontSize=size, leading=leading or size * 1.35,
                          wordWrap="CJK" if cjk else None, **kw)


def _fits(text: str, width: float, size: float = BODY) -> bool:
    """Whether every word of ``text`` fits ``width`` on its own: then lines break between words
    only; otherwise (a word too long, such as a long Chinese phrase) between characters."""
    return all(pdfmetrics.stringWidth(w, FONT, size) <= width for w in text.split())


def _para(text: str, width: float, size: float = BODY, **kw) -> Paragraph:
    return Paragraph(escape(text), _style(size, cjk=not _fits(text, width, size), **kw))


class _CopyStart(Flowable):
    """Marks where a copy begins, so the page header and footer know whose pages follow."""

    def __init__(self, copy: Copy):
        super().__init__()
        self.copy = copy

    def wrap(self, *_):
        return 0, 0

    def draw(self):
        return None


class _PagedCanvas(Canvas):
    """Holds every page back until the end, so each footer can say 共 Y 页: how many pages its
    copy has."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._held: list[dict] = []
        self.ykt_page: tuple[str, int] | None = None  # the page's copy label and number in it

    def showPage(self):
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        totals: dict[str, int] = {}
        for state in self._held:
            if state.get("ykt_page"):
                label, n = state["ykt_page"]
                totals[label] = max(totals.get(label, 0), n)
        for state in self._held:
            self.__dict__.update(state)
            if self.ykt_page:
                label, n = self.ykt_page
                self.saveState()
                self.setFont(FONT, BODY)
                self.drawRightString(PAGE[0] - MARGIN, MARGIN + FOOTER - 5 * mm,
                                     f"第 {n} 页 / 共 {totals[label]} 页  page {n} of {totals[label]}")
                self.restoreState()
            super().showPage()
        super().save()


class _Copies(BaseDocTemplate):
    def __init__(self, out: BinaryIO, title: str, report_id: str):
        super().__init__(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + HEADER,
                         bottomMargin=MARGIN + FOOTER, title=title, author="ykt-adapter")
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("copy", [frame], onPageEnd=self._decorate)])
        self.report_title, self.report_id = title, report_id
        self.copy: Copy | None = None
        self.copy_page = 0

    def afterFlowable(self, flowable):
        if isinstance(flowable, _CopyStart):
            self.copy, self.copy_page = flowable.copy, 0

    def _decorate(self, canvas, doc):
        if self.copy is None:
            return
        self.copy_page += 1
        copy, colour = self.copy, PARTY_COLOURS.get(self.copy.party, colors.black)
        canvas.saveState()
        top = PAGE[1] - MARGIN
        canvas.setFont(FONT, 11)
        canvas.drawString(MARGIN, top - 5 * mm, self.report_title)
        canvas.setFont(FONT, BODY)
        canvas.drawString(MARGIN, top - 10 * mm, self.report_id)
        badge = copy.label.split(" / ")[0]
        w = pdfmetrics.stringWidth(badge, FONT, 12) + 8 * mm
        canvas.setFillColor(colour)
        canvas.roundRect(PAGE[0] - MARGIN - w, top - 11 * mm, w, 10 * mm, 2 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(FONT, 12)
        canvas.drawCentredString(PAGE[0] - MARGIN - w / 2, top - 7.5 * mm, badge)
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, top - 12.5 * mm, PAGE[0] - MARGIN, top - 12.5 * mm)
        canvas.line(MARGIN, MARGIN + FOOTER - 1.5 * mm, PAGE[0] - MARGIN, MARGIN + FOOTER - 1.5 * mm)
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT, BODY)
        x, y = MARGIN, MARGIN + FOOTER - 5 * mm
        canvas.drawString(x, y, copy.label)
        canvas.setFont(FONT, SMALL)
        canvas.drawString(x, y - 4.5 * mm, f"内容摘要 content SHA-256: {copy.digest}")
        canvas.drawString(x, y - 8.5 * mm, f"签名 signature (Ed25519): {copy.signature}")
        canvas.restoreState()
        canvas.ykt_page = (copy.label, self.copy_page)


def report_id(doc: Document) -> str:
    """What the report covers, as people name it: the batch, or the program, period and region."""
    c = doc.content
    if "batch" in c:
        return f"批次 batch {c['batch']['id']}"
    s = c["scope"]
    when = s.get("period") or s.get("month")
    return f"{s['program']} · {s['region']} · {when}"


def qr_payload(doc: Document, copy: Copy) -> str:
    """What a copy's QR code carries: the report's kind and id, the party, the content digest."""
    c = doc.content
    rid = c["batch"]["id"] if "batch" in c else "/".join(
        str(c["scope"].get(k) or "") for k in ("program", "region", "period", "month") if c["scope"].get(k))
    return f"ykt-report/1;kind={doc.kind};id={rid};party={copy.party};sha256={copy.digest}"


def write(doc: Document, out: BinaryIO) -> None:
    _register_font()
    view = layout(doc)
    pdf = _Copies(out, view.title, report_id(doc))
    story: list[Flowable] = []
    for n, copy in enumerate(doc.copies):
        if n:
            story.append(PageBreak())
        story += [_CopyStart(copy), *_copy(doc, view, copy, pdf.width)]
    pdf.build(story, canvasmaker=_PagedCanvas)


def _copy(doc: Document, view: Layout, copy: Copy, width: float) -> list[Flowable]:
    heading = _style(11, spaceBefore=7, spaceAfter=3)
    out: list[Flowable] = [Paragraph(escape(view.title), _style(16, spaceAfter=2)),
                           Paragraph(escape(copy.label), _style(11, spaceAfter=6,
                                                                textColor=PARTY_COLOURS.get(copy.party, colors.black)))]
    out.append(_facts(view.facts, width))
    if view.summary:
        out += [Paragraph("金额汇总 summary (小写 in figures / 大写 in words)", heading), _summary(view.summary, width)]
    if view.chart and view.chart.categories:
        out += [Paragraph(escape(view.chart.title), heading), _chart(view.chart, width)]
    for table in view.tables:
        out += _table(table, width, heading)
    out.append(KeepTogether([Spacer(1, 5 * mm), *_closing(doc, copy, width, heading)]))
    return out


def _facts(facts: tuple[tuple[str, str], ...], width: float) -> Flowable:
    """The facts two to a row: label, value, label, value."""
    label_w, value_w = width * 0.2, width * 0.3
    cells = [[_para(k, label_w - PAD), _para(v, value_w - PAD)] for k, v in facts]
    rows = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""]) for i in range(0, len(cells), 2)]
    grid = Grid(rows, colWidths=[label_w, value_w, label_w, value_w])
    grid.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                   ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#444444")),
                   ("TEXTCOLOR", (2, 0), (2, -1), colors.HexColor("#444444"))])
    return grid


def _summary(rows: tuple[tuple[str, int], ...], width: float) -> Flowable:
    widths = [width * 0.27, width * 0.2, width * 0.53]
    body = [[_para("项目 item", widths[0]), _para("小写 (元)", widths[1]), _para("大写 (人民币)", widths[2])]]
    body += [[_para(label, widths[0] - PAD), f"¥ {yuan(fen)}", _para(f"人民币 {capitals(fen)}", widths[2] - PAD)]
             for label, fen in rows]
    grid = Grid(body, colWidths=widths)
    grid.setStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 10),
                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                   ("INNERGRID", (0, 0), (-1, -1), 0.4, colors.grey), ("ALIGN", (1, 1), (1, -1), "RIGHT"),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                   ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    return grid


def _fen_label(value: float) -> str:
    """An axis tick (a chart's scale in fen) as yuan; the tick is a drawing position, not money."""
    return yuan(int(round(value)))


def _chart(chart: Chart, width: float) -> Flowable:
    """Grouped bars per category, one colour per series, amounts in fen labelled in yuan."""
    height = 62 * mm
    drawing = Drawing(width, height)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 62, 28, width - 72, height - 48
    bars.data = [list(values) for _, values in chart.series]
    bars.categoryAxis.categoryNames = list(chart.categories)
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = BODY
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = BODY
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labelTextFormat = _fen_label
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    bars.barSpacing, bars.groupSpacing = 1, 8
    for i, colour in enumerate(SERIES_COLOURS[:len(chart.series)]):
        bars.bars[i].fillColor = colour
        bars.bars[i].strokeColor = None
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = 66, height - 6
    legend.fontName, legend.fontSize = FONT, BODY
    legend.alignment, legend.columnMaximum, legend.dx, legend.dy = "right", 1, 8, 8
    legend.deltax = 110
    legend.colorNamePairs = [(SERIES_COLOURS[i], name) for i, (name, _) in enumerate(chart.series)]
    drawing.add(legend)
    drawing.add(String(0, height - 6, "元 CNY", fontName=FONT, fontSize=BODY))
    return drawing


def _natural(text: str) -> tuple[float, float]:
    """(widest word, whole text) in points at the body size. A Chinese word of more than eight
    characters may break between characters, as Chinese is written: it asks for four."""
    words = [pdfmetrics.stringWidth(w if not _CJK.search(w) or len(w) <= 8 else w[:4], FONT, BODY)
             for w in text.split()]
    return max(words + [0.0]) + PAD, pdfmetrics.stringWidth(text, FONT, BODY) + PAD


def _widths(table: Table, sample: list[list[str]], width: float) -> tuple[list[float], list[float]]:
    """Each column's least width (its widest word or number) and natural width (its longest text)."""
    least, natural = [], []
    for i, col in enumerate(table.columns):
        texts = [col.title] + [row[i] for row in sample]
        sizes = [_natural(t) for t in texts]
        low = max(s[0] for s in sizes)
        if col.kind != TEXT:
            low = max(low, pdfmetrics.stringWidth("0" * NUMBER_WIDTH[col.kind], FONT, BODY) + PAD)
        least.append(min(low, width))
        natural.append(min(max(low, max(s[1] for s in sizes)), width * 0.6))
    return least, natural


def _groups(least: list[float], width: float) -> list[list[int]]:
    """Columns split into groups that fit the page, each starting with the first column."""
    groups, current, used = [], [0], least[0]
    for i in range(1, len(least)):
        if used + least[i] > width and len(current) > 1:
            groups.append(current)
            current, used = [0], least[0]
        current.append(i)
        used += least[i]
    groups.append(current)
    return groups


def _share(least: list[float], natural: list[float], width: float) -> list[float]:
    """Widths that fill the page: each its least, then the rest shared towards the natural widths."""
    out = list(least)
    spare = width - sum(out)
    want = [n - lo for n, lo in zip(natural, least)]
    total = sum(want)
    if spare > 0 and total > 0:
        grant = min(1.0, spare / total)
        out = [lo + w * grant for lo, w in zip(least, want)]
        spare = width - sum(out)
    if spare > 0:
        out = [w + spare / len(out) for w in out]
    return out


def _table(table: Table, width: float, heading: ParagraphStyle) -> list[Flowable]:
    title = Paragraph(escape(table.title), heading)
    if table.count == 0:
        return [KeepTogether([title, Paragraph("无 none", _style())])]
    kinds = [c.kind for c in table.columns]
    values = []
    for n, row in enumerate(table.rows()):
        if n == MAX_ROWS:
            break
        values.append([shown(v, k) for v, k in zip(row, kinds, strict=True)])
    least, natural = _widths(table, values[:300], width)
    out: list[Flowable] = []
    groups = _groups(least, width)
    for g, columns in enumerate(groups):
        widths = _share([least[i] for i in columns], [natural[i] for i in columns], width)
        rows: list[list] = [[_para(table.columns[i].title, w - PAD) for i, w in zip(columns, widths)]]
        for cells in values:
            rows.append([_para(cells[i], w - PAD) if kinds[i] == TEXT else cells[i] for i, w in zip(columns, widths)])
        grid = LongTable(rows, colWidths=widths, repeatRows=1)
        grid.setStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), BODY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD / 2), ("RIGHTPADDING", (0, 0), (-1, -1), PAD / 2),
            *[("ALIGN", (j, 1), (j, -1), "RIGHT") for j, i in enumerate(columns) if kinds[i] != TEXT],
        ])
        heading_flow = title if g == 0 else Paragraph(escape(f"{table.title} (续 {g + 1}/{len(groups)} continued)"),
                                                      heading)
        out += [heading_flow, grid] if len(values) > 15 else [KeepTogether([heading_flow, grid])]
    if table.count > MAX_ROWS:
        out.append(Paragraph(f"… 另有 {table.count - MAX_ROWS:,} 行 and {table.count - MAX_ROWS:,} more rows: "
                             "see the XLSX, CSV or JSON export", _style()))
    return out


def _closing(doc: Document, copy: Copy, width: float, heading: ParagraphStyle) -> list[Flowable]:
    """The copy's end, kept on one page: signatures and seal, then what to verify and the QR code."""
    body = _style()
    colour = PARTY_COLOURS.get(copy.party, colors.black)
    line = "签字 ____________________   日期 ______年____月____日"
    sign = [[Paragraph(f"{who}", body), Paragraph(line, body)] for who in
            ("经办人 prepared by", "复核人 checked by", "负责人 approved by")]
    seal_w = 48 * mm
    signs = Grid(sign, colWidths=[32 * mm, width - seal_w - 32 * mm - 4 * mm], rowHeights=[12 * mm] * 3)
    signs.setStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    seal = Grid([[Paragraph(PARTY_SEAL.get(copy.party, "（盖章 seal）"), _style(BODY, alignment=1))]],
                colWidths=[seal_w], rowHeights=[36 * mm])
    seal.setStyle([("BOX", (0, 0), (-1, -1), 1.2, colour), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])
    block = Grid([[signs, seal]], colWidths=[width - seal_w, seal_w])
    block.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    qr_size = 34 * mm
    qr = QrCodeWidget(qr_payload(doc, copy))
    x0, y0, x1, y1 = qr.getBounds()
    code = Drawing(qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0])
    code.add(qr)
    key = "<br/>".join(escape(ln) for ln in doc.public_key_pem.strip().splitlines())
    verify = [Paragraph(f"内容摘要 content SHA-256: {copy.digest}", body),
              Paragraph(f"签名 signature (Ed25519, base64): {copy.signature}", body),
              Paragraph(f"公钥 public key:<br/>{key}", body),
              Paragraph("核验 verify: ykt report verify &lt;JSON export&gt; --public-key &lt;PEM&gt;; "
                        "二维码 QR: report id, party, content SHA-256", body)]
    checks = Grid([[verify, code]], colWidths=[width - qr_size - 4 * mm, qr_size + 4 * mm])
    checks.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return [Paragraph(escape(f"签章 signatures and seal — {copy.label}"), heading), block,
            Paragraph("核验 verification", heading), checks]
