"""The reports as documents (issue 16, items 4 and 5), looked at as pictures and as sheets.

The PDF pages are rendered to images (pypdfium2) and checked the way a reader would: A4, no
near-empty page, each copy told apart by its header badge colour, page X of Y per copy, the
summary box with 大写, signature lines and seal box, Chinese names instead of codes. Page 1 of a
fixed reconciliation is kept as a reference screenshot (tests/testdata/reports) and compared
with a tolerance; set YKT_UPDATE_SCREENSHOTS=1 to write it anew after a deliberate change, and
look at it. The digest covers the content only: fetched twice, at different times, a closed
batch's reports have one digest. The XLSX carries numbers in yuan, frozen headers, filters and
an A4 print set-up.
"""
from __future__ import annotations

import io
import json
import os
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import load_workbook
from PIL import Image, ImageChops
from pypdf import PdfReader

from reports.capitals import capitals
from reports.documents import PARTIES, issue
from reports.exports import jsonfile, pdf, xlsx
from reports.layout import layout
from reports.signing import Signer
from service import aggregate, monthly, reporting
from tests.support.ledger_world import World

REFERENCE = Path(__file__).parents[2] / "testdata" / "reports" / "reconciliation-page1.png"
CONTENT = REFERENCE.with_name("reconciliation-content.json")
A4_POINTS = (595.28, 841.89)
RAW_CODES = ("LEDGER_ONLY", "NAME_MISMATCH", "CLOSED", "RESULTS_COMPLETE", "ACCOUNT_NOT_FOUND", "REISSUE_AFTER",
             "bank_paid_equals_ledger_paid", "every_transaction_sums_to_zero", "generated at")
PROGRAM, REGION = "耕地地力保护补贴", "652301"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from ledger.db import make_engine, migrate, sqlite_url

    tmp = tmp_path_factory.mktemp("documents")
    engine = make_engine(sqlite_url(tmp / "ledger.sqlite3"))
    migrate(engine)
    world = World(engine, tmp, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    closed, _ = world.submit_fund_dispatch(PROGRAM, REGION, "2026-11", 40, seed=3)
    world.bank_answers(closed, failure_ppm=200_000)
    open_batch, _ = world.submit_fund_dispatch(PROGRAM, REGION, "2026-11", 25, seed=4)
    world.bank_answers(open_batch, failure_ppm=300_000, seed=8)
    world.close(closed)
    yield world, closed
    engine.dispose()


def _pdf(doc) -> bytes:
    out = io.BytesIO()
    pdf.write(doc, out)
    return out.getvalue()


def _images(data: bytes, scale: float = 1.0) -> list[Image.Image]:
    document = pdfium.PdfDocument(data)
    try:
        return [document[i].render(scale=scale).to_pil().convert("RGB") for i in range(len(document))]
    finally:
        document.close()


def _ink(page: Image.Image) -> float:
    """The share of the body's pixel rows (between header and footer) with anything drawn."""
    width, height = page.size
    top, bottom = int(height * (pdf.MARGIN + pdf.HEADER) / A4_POINTS[1]), \
        int(height * (1 - (pdf.MARGIN + pdf.FOOTER) / A4_POINTS[1]))
    body = page.crop((0, top, width, bottom)).convert("L").point(lambda v: 255 if v < 200 else 0)
    rows = body.resize((1, body.size[1]), Image.Resampling.BOX)
    return 1 - rows.histogram()[0] / body.size[1]


def _badge_colour(page: Image.Image) -> tuple[int, int, int]:
    """The colour at the middle of the header badge's left edge (right top of the page)."""
    width, height = page.size
    x = width - int(width * (pdf.MARGIN + 2) / A4_POINTS[0])
    y = int(height * (pdf.MARGIN + 9) / A4_POINTS[1])
    return page.getpixel((x, y))


def test_the_same_closed_batch_fetched_twice_has_one_digest(reports):
    world, closed = reports
    first = (reporting.reconciliation(world.ctx, closed), reporting.refund_report(world.ctx, closed))
    world.at(world.ctx.clock() + timedelta(days=9, hours=5))
    again = (reporting.reconciliation(world.ctx, closed), reporting.refund_report(world.ctx, closed))
    for one, two in zip(first, again, strict=True):
        assert one.digest == two.digest and one.canonical == two.canonical
        assert one.issued_at != two.issued_at  # the time of issue is printed, not signed
        assert "generated_at" not in one.content and one.content["as_of"].startswith("2026-11-03T10:00:00")
    # and the time of issue is on the copy, outside what is signed
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_pdf(again[0]))).pages[:1])
    assert "出具时间" in text and re.search(r"2026-11-12 1\d:\d\d:\d\d 北京时间", text)
    exported = jsonfile.as_dict(again[0])
    assert exported["issued_at"] == again[0].issued_at and "issued_at" not in exported["content"]


def test_a_month_and_an_aggregate_of_unchanged_ledgers_keep_their_digest(reports):
    world, _ = reports
    one = monthly.monthly_report(world.ctx, PROGRAM, REGION, "2026-11")
    world.at(world.ctx.clock() + timedelta(hours=7))
    two = monthly.monthly_report(world.ctx, PROGRAM, REGION, "2026-11")
    assert one.digest == two.digest and one.issued_at != two.issued_at
    a1 = aggregate.aggregate_reconciliation(world.ctx, PROGRAM, "2026-11", REGION)
    a2 = aggregate.aggregate_reconciliation(world.ctx, PROGRAM, "2026-11", REGION)
    assert a1.digest == a2.digest


def test_the_reconciliation_adds_up_each_line_once_with_a_reissue_row(reports):
    world, closed = reports
    doc = reporting.reconciliation(world.ctx, closed)
    o, f = doc.content["outcome"], doc.content["finance"]
    keys = ("paid_first", "paid_on_reissue", "failed", "unanswered")
    assert sum(o[k]["count"] for k in keys) == f["instructed_count"]
    assert sum(o[k]["fen"] for k in keys) == f["instructed_fen"]
    assert doc.content["checks"]["outcome_adds_up_to_instruction"]
    figures = {row[0]: row for t in layout(doc).tables for row in t.rows()}
    assert "其中已补发 re-issued (failed, instructed again)" in figures
    assert figures["合计 = 指令 total = instructed"][1:] == (f["instructed_count"], f["instructed_fen"])


@pytest.mark.parametrize("kind", ["reconciliation", "refund", "monthly", "aggregate"])
def test_every_page_is_an_a4_document_page(reports, kind):
    world, closed = reports
    doc = {"reconciliation": lambda: reporting.reconciliation(world.ctx, closed),
           "refund": lambda: reporting.refund_report(world.ctx, closed),
           "monthly": lambda: monthly.monthly_report(world.ctx, PROGRAM, REGION, "2026-11"),
           "aggregate": lambda: aggregate.aggregate_reconciliation(world.ctx, PROGRAM, "2026-11", REGION)}[kind]()
    data = _pdf(doc)
    reader = PdfReader(io.BytesIO(data))
    texts = [p.extract_text() for p in reader.pages]
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (595.3, 841.9)
    images = _images(data, scale=0.5)
    assert len(images) == len(texts)
    for n, image in enumerate(images):
        assert _ink(image) > 0.2, f"page {n + 1} is nearly empty"
    # each copy: its own pages, numbered X of Y; its own badge colour on every page
    per_copy = len(texts) // 3
    assert per_copy * 3 == len(texts)
    colours = []
    for n, text in enumerate(texts):
        copy, page = divmod(n, per_copy)
        assert f"第 {page + 1} 页 / 共 {per_copy} 页" in text
        assert PARTIES[copy][1] in text
        colours.append(_badge_colour(images[n]))
    assert len({colours[c * per_copy] for c in range(3)}) == 3  # the three copies look different
    assert all(colours[n] == colours[(n // per_copy) * per_copy] for n in range(len(colours)))
    whole = "\n".join(texts)
    for shown in ("经办人", "复核人", "负责人", "盖章", "大写", "小写", "公钥 public key", "二维码"):
        assert whole.count(shown) >= 3, shown
    for _, fen in layout(doc).summary:
        assert capitals(fen) in whole
    for code in RAW_CODES:
        assert code not in whole, code
    if kind in ("monthly", "aggregate"):
        assert "各批次" in whole  # the chart's title
    assert "银行已发放与账簿一致" in whole or "结余资金等于退回金额" in whole or "在途" in whole


def test_batch_ids_and_headers_are_not_broken_mid_word(reports):
    world, _ = reports
    doc = aggregate.aggregate_reconciliation(world.ctx, PROGRAM, "2026-11", REGION)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_pdf(doc))).pages)
    for b in doc.content["batches"]:
        assert text.count(b["id"]) >= 3 * 2  # whole, in each copy's table (and its continuation)
    lines = text.splitlines()
    for word in ("instructed", "reported", "discrepancies", "refunded", "funded", "status"):
        for n, line in enumerate(lines[:-1]):  # never a word cut at a line's end and carried on
            for cut in range(2, len(word) - 1):
                assert not (line.endswith(word[:cut]) and lines[n + 1].startswith(word[cut:])), (word, line)


def test_the_qr_code_carries_the_report_id_party_and_digest(reports):
    world, closed = reports
    doc = reporting.reconciliation(world.ctx, closed)
    for copy in doc.copies:
        assert pdf.qr_payload(doc, copy) == (f"ykt-report/1;kind=reconciliation;id={closed};party={copy.party};"
                                             f"sha256={doc.digest}")


def _fixed(content: dict):
    """A reconciliation of fixed content (kept in testdata, from a real run), key and time of
    issue: the same pixels every run."""
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    return issue("reconciliation", content, Signer(key), "2026-11-12T15:30:00+08:00")


def test_page_one_looks_like_the_reference_screenshot(reports):
    world, closed = reports
    if not CONTENT.exists():  # taken once from a real batch, then kept fixed
        live = reporting.reconciliation(world.ctx, closed).content
        live["batch"]["id"] = "B20261103REFERENCE"
        CONTENT.write_text(json.dumps(live, ensure_ascii=False, indent=1), encoding="utf-8")
    doc = _fixed(json.loads(CONTENT.read_text(encoding="utf-8")))
    page = _images(_pdf(doc))[0]
    if os.environ.get("YKT_UPDATE_SCREENSHOTS") == "1" or not REFERENCE.exists():
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        page.save(REFERENCE, optimize=True)
        if os.environ.get("YKT_UPDATE_SCREENSHOTS") != "1":
            pytest.fail(f"no reference screenshot: wrote {REFERENCE}; look at it and commit it")
    reference = Image.open(REFERENCE).convert("RGB")
    assert page.size == reference.size
    diff = ImageChops.difference(page, reference).convert("L").point(lambda v: 255 if v > 64 else 0)
    changed = diff.histogram()[255] / (page.size[0] * page.size[1])
    assert changed < 0.002, f"{changed:.2%} of page 1 differs from {REFERENCE}"


def test_the_xlsx_is_set_up_for_accountants(reports):
    world, closed = reports
    doc = reporting.refund_report(world.ctx, closed)
    out = io.BytesIO()
    xlsx.write(doc, out)
    book = load_workbook(io.BytesIO(out.getvalue()))  # not read-only: the sheet settings are read too
    view = layout(doc)
    assert book.sheetnames[:3] == [xlsx.SUMMARY, xlsx.TOTALS, xlsx.COPIES]
    assert len(book.sheetnames) == 3 + len(view.tables)  # one table per sheet
    for name in book.sheetnames:
        sheet = book[name]
        assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
        assert sheet.print_title_rows == "$1:$2"
        assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0 and sheet.sheet_properties.pageSetUpPr.fitToPage
        header = [c.value for c in sheet[2]]
        for col, title in enumerate(header, start=1):  # wide enough for the Chinese title
            letter = sheet.cell(row=2, column=col).column_letter
            assert sheet.column_dimensions[letter].width >= min(60, xlsx.width(title)), (name, title)
    lines = book[xlsx.sheet_name("退回明细 unpaid lines")]
    amounts = [row[4] for row in lines.iter_rows(min_row=3)]
    assert amounts and all(c.number_format == "#,##0.00" and isinstance(c.value, (int, float)) for c in amounts)
    assert sum(Decimal(str(c.value)) * 100 for c in amounts) == doc.content["refunded_fen"]
    totals = {r[0]: r[1:] for r in book[xlsx.TOTALS].iter_rows(min_row=3, values_only=True)}
    assert totals["退回财政金额 refunded"][1] == capitals(doc.content["refunded_fen"])


@pytest.mark.parametrize(("title", "name"), [
    ("未纳入指令 roster lines not instructed", "未纳入指令 roster lines not"),
    ("应收银行退回明细 due back from the bank, for recovery", "应收银行退回明细 due back from the"),
    ("三方核对 figures", "三方核对 figures"),
    ("a/b: [c]", "a b c"),
])
def test_sheet_names_are_cut_between_words(title, name):
    assert xlsx.sheet_name(title) == name and len(name) <= 31
