"""Exports of issued reports, from a batch run through the service layer: the PDF's text (read
back with pypdf) shows the Chinese labels, the three copies each on pages of their own with
digest and signature, and the amounts; the XLSX and CSV read back to the signed figures; the
JSON export round-trips to the very document and verifies."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from domain.money import yuan
from reports import exports
from reports.documents import PARTIES, for_party
from reports.exports import csvfile, jsonfile, pdf, xlsx
from reports.layout import layout
from reports.verification import verify
from service import reporting
from tests.support.ledger_world import World

LABELS = [label for _, label in PARTIES]


@pytest.fixture(scope="module")
def closed_batch(tmp_path_factory):
    """One batch of 40 lines, about a fifth failed, closed: its reconciliation and refund report."""
    from ledger.db import make_engine, migrate, sqlite_url

    tmp = tmp_path_factory.mktemp("exports")
    engine = make_engine(sqlite_url(tmp / "ledger.sqlite3"))
    migrate(engine)
    world = World(engine, tmp, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    batch_id, _ = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 40, seed=3)
    facts = world.bank_answers(batch_id, failure_ppm=200_000, fail={2, 11})
    world.close(batch_id)
    assert facts.failed and facts.paid
    yield facts, reporting.reconciliation(world.ctx, batch_id), reporting.refund_report(world.ctx, batch_id)
    engine.dispose()


def _bytes(fmt, doc) -> bytes:
    out = io.BytesIO()
    fmt.write(doc, out)
    return out.getvalue()


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_pdf_has_three_labelled_copies_each_with_digest_signature_and_amounts(closed_batch):
    facts, recon, _ = closed_batch
    pages = _pages(_bytes(pdf, recon))
    owner = []
    for text in pages:
        labels = [label for label in LABELS if label in text]
        assert len(labels) == 1, text  # every page says whose copy it is, and only that
        owner.append(labels[0])
        assert f"内容摘要 content SHA-256: {recon.digest}" in text
        assert f"签名 signature (Ed25519): {recon.copies[0].signature}" in text
    assert [label for n, label in enumerate(owner) if n == 0 or owner[n - 1] != label] == LABELS  # one page-set each
    for label in LABELS:
        copy = "\n".join(text for text, who in zip(pages, owner) if who == label)
        assert "三联单" in copy and "第" in copy
        for shown in ("名册 roster asked", "已发放 bank paid", "失败 bank failed", "耕地地力保护补贴", "漏发 missed payment",
                      yuan(facts.funded_fen), yuan(sum(facts.paid.values())), yuan(sum(facts.failed.values())),
                      "公钥 public key", "通过 ok"):
            assert shown in copy, shown


def test_the_refund_pdf_itemizes_masked_unpaid_lines(closed_batch):
    facts, _, refund = closed_batch
    pages = _pages(_bytes(pdf, refund))
    ids = [item["id_number"] for item in refund.content["lines"]]
    for label in LABELS:  # each copy lists every line, under the table's title (a page it runs on to
        copy = [page for page in pages if label in page]  # repeats the column headers)
        first = next(n for n, page in enumerate(copy) if any(i in page for i in ids))
        assert "退回明细 unpaid lines" in "".join(copy[:first + 1]), label
        assert all(any(i in page for page in copy) for i in ids), label
    text = "\n".join(pages)
    for item in refund.content["lines"]:
        assert yuan(item["amount_fen"]) in text and item["id_number"] in text
    assert yuan(sum(facts.failed.values())) in text


def test_one_party_gets_its_own_copy_only(closed_batch):
    _, recon, _ = closed_batch
    text = "\n".join(_pages(_bytes(pdf, for_party(recon, "BANK"))))
    assert LABELS[2] in text and LABELS[0] not in text and LABELS[1] not in text
    assert [c["party"] for c in json.loads(_bytes(jsonfile, for_party(recon, "BANK")))["copies"]] == ["BANK"]


def test_a_long_table_is_capped_in_the_pdf_and_says_where_the_rest_is(closed_batch, monkeypatch):
    _, _, refund = closed_batch
    monkeypatch.setattr(pdf, "MAX_ROWS", 2)
    text = "\n".join(_pages(_bytes(pdf, refund)))
    longer = Counter(t.count for t in layout(refund).tables if t.count > 2)  # how many bank reasons: the data's
    assert len(refund.content["lines"]) in longer
    for rows, tables in longer.items():  # every table longer than the cap says so, in each of the three copies
        assert text.count(f"and {rows - 2:,} more rows: see the XLSX, CSV or JSON export") == 3 * tables


def test_without_a_cjk_font_the_pdf_export_names_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv(pdf.FONT_ENV, raising=False)
    monkeypatch.setattr(pdf, "FONT_PATH", tmp_path / "absent.ttc")
    monkeypatch.setattr(pdf.shutil, "which", lambda _: None)
    with pytest.raises(pdf.FontMissing, match="install the Debian package fonts-wqy-microhei"):
        pdf.font_path()


def _fen_of(value) -> int:
    """A yuan cell or CSV field back to integer fen, exactly (through its decimal digits)."""
    fen = Decimal(str(value)) * 100
    assert fen == fen.to_integral_value(), value
    return int(fen)


def test_the_xlsx_reads_back_to_the_signed_figures(closed_batch):
    facts, recon, refund = closed_batch
    book = load_workbook(io.BytesIO(_bytes(xlsx, recon)), read_only=True)
    copies = list(book[xlsx.COPIES].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[2], r[3]) for r in copies] == [(c.party, c.label, c.digest, c.signature)
                                                          for c in recon.copies]
    sheet = book[xlsx.sheet_name("三方核对 figures")]
    assert next(sheet.iter_rows(min_row=2, max_row=2, values_only=True)) == ("项目 item", "笔数 lines", "金额 amount (元)")
    figures = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    paid_fen = sum(facts.paid.values())
    count, paid = figures["已发放 bank paid"]
    assert count == len(facts.paid) and isinstance(paid, (int, float)) and _fen_of(paid) == paid_fen  # a number
    assert _fen_of(figures["拨付 finance funded"][1]) == facts.funded_fen

    book = load_workbook(io.BytesIO(_bytes(xlsx, refund)), read_only=True)
    rows = list(book[xlsx.sheet_name("退回明细 unpaid lines")].iter_rows(min_row=2, values_only=True))
    assert rows[0][4] == "金额 amount (元)"
    assert {r[0]: _fen_of(r[4]) for r in rows[1:]} == facts.failed


def _csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    assert data.startswith("\ufeff".encode())  # BOM: Excel reads the Chinese as UTF-8
    blocks: dict[str, list[list[str]]] = {}
    title = None
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
        if not row:
            title = None
        elif title is None:
            title = row[0]
            blocks[title] = []
        else:
            blocks[title].append(row)
    return blocks


def test_the_csv_reads_back_to_the_signed_figures(closed_batch):
    facts, recon, refund = closed_batch
    tables = _csv_tables(_bytes(csvfile, recon))
    assert tables[xlsx.COPIES][1:] == [[c.party, c.label, c.digest, c.signature] for c in recon.copies]
    header, *rows = tables["三方核对 figures"]
    assert header == ["项目 item", "笔数 lines", "金额 amount (元)"]
    by_item = {r[0]: r[1:] for r in rows}
    paid_fen = sum(facts.paid.values())
    assert by_item["已发放 bank paid"] == [str(len(facts.paid)), f"{paid_fen // 100}.{paid_fen % 100:02d}"]
    assert by_item["拨付 finance funded"][0] == "" and _fen_of(by_item["拨付 finance funded"][1]) == facts.funded_fen
    _, *lines = _csv_tables(_bytes(csvfile, refund))["退回明细 unpaid lines"]
    assert {int(r[0]): _fen_of(r[4]) for r in lines} == facts.failed


def test_the_csv_has_the_xlsx_sheets_as_blocks_with_the_same_columns(closed_batch):
    _, recon, refund = closed_batch
    for doc in (recon, refund):
        book = load_workbook(io.BytesIO(_bytes(xlsx, doc)), read_only=True)
        blocks = _csv_tables(_bytes(csvfile, doc))
        assert len(blocks) == len(book.sheetnames)
        for (title, rows), name in zip(blocks.items(), book.sheetnames, strict=True):
            assert xlsx.sheet_name(title) == name
            header = next(book[name].iter_rows(min_row=2, max_row=2, values_only=True))
            assert rows[0] == list(header)


def test_the_json_export_round_trips_and_verifies(closed_batch, tmp_path):
    _, recon, refund = closed_batch
    for doc in (recon, refund):
        path = exports.export(doc, "json", tmp_path)
        assert path.name == f"{doc.content['batch']['id']}_{doc.kind}.json"
        back = jsonfile.read(json.loads(path.read_bytes()))
        assert (back.kind, back.canonical, back.digest, back.copies, back.public_key_pem) == (
            doc.kind, doc.canonical, doc.digest, doc.copies, doc.public_key_pem)
        assert verify(path.read_bytes(), doc.public_key_pem).valid


def test_every_format_is_registered_under_its_name_and_writes_whole_files(closed_batch, tmp_path):
    _, recon, _ = closed_batch
    written = [exports.export(recon, name, tmp_path) for name in exports.FORMATS]
    assert sorted(p.suffix for p in written) == [".csv", ".json", ".pdf", ".txt", ".xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)  # no partial files left
    with pytest.raises(ValueError, match="unknown export format 'docx'"):
        exports.get("docx")
