"""A report's plain text (``Report.text``, the TXT export) in the language of the call: the same
figures, labels and names in Chinese by default, in English on request; the signed content and
its digest do not change with the language. The content is the reference reconciliation kept in
tests/testdata (40 lines, 32,503.79 yuan asked, 9 missed)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import i18n
from reports.documents import issue
from reports.signing import Signer
from reports.text import render

CONTENT = Path(__file__).resolve().parents[2] / "testdata" / "reports" / "reconciliation-content.json"


@pytest.fixture
def doc():
    content = json.loads(CONTENT.read_text(encoding="utf-8"))
    return issue("reconciliation", content, Signer(Ed25519PrivateKey.from_private_bytes(bytes(range(32)))),
                 "2026-11-12T15:30:00+08:00")


def _in(lang: str, doc) -> str:
    token = i18n.use(lang)
    try:
        return render(doc).split("=== ")[1]  # the first copy
    finally:
        i18n.reset(token)


def _row(text: str, label: str) -> list[str]:
    found = [line for line in text.splitlines() if line.strip().startswith(label)]
    assert len(found) == 1, (label, found)
    return found[0][len(label) + 2:].split()


def test_the_reconciliation_in_chinese_by_default_and_in_english_on_request(doc):
    zh, en = _in("zh", doc), _in("en", doc)
    # the roster row: 40 lines, 3,250,379 fen = 32,503.79 yuan, in either language
    assert _row(zh, "名册") == ["40", "32,503.79"]
    assert _row(en, "roster asked") == ["40", "32,503.79"]
    assert _row(zh, "银行发放失败") == _row(en, "bank failed") == ["9", "7,005.22"]
    # a missed line by its number and its reason's name
    assert "      第 2 行：账户冻结" in zh.splitlines()
    assert "      line 2: account frozen" in en.splitlines()
    # every check by its name, passed
    assert "核对：" in zh and "  通过 每笔记账借贷平衡" in zh.splitlines()
    assert "checks:" in en and "  ok   every transaction sums to zero" in en.splitlines()
    # between the title and the summary box (both as the PDF prints them, in both languages) each
    # text is in its own language; the program's name is data, the quarantine row's label content
    for label in ("roster asked", "checks:", "bank paid", "payment due", "discrepancies:", "line 2"):
        assert label not in zh
    body = en.splitlines()[2:en.splitlines().index("checks:") + 1 + len(doc.content["checks"])]
    chinese = [line for line in body if re.search(r"[\u4e00-\u9fff]", line.replace("耕地地力保护补贴", ""))]
    assert chinese == [line for line in body if "隔离回盘文件" in line], chinese


def test_the_language_changes_the_words_not_the_signed_content(doc):
    assert {_in("zh", doc).split("content sha256: ")[1].split()[0],
            _in("en", doc).split("content sha256: ")[1].split()[0]} == {doc.copies[0].digest}
