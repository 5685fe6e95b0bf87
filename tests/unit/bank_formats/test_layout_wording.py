"""The declared-layout engine says its problems in the words of the table a declaration names
(``wording``, bank_formats.layout.wording): no family's words are in the engine itself."""
from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from bank_formats.base import FormatError
from bank_formats.layout import LayoutFormat, builtin
from bank_formats.layout.wording import WORDINGS
from domain.model import PaymentFileHeader, PaymentLine, PaymentOutcome, ResultFileHeader, ResultRecord

CST = timezone(timedelta(hours=8))


def line(seq: int, name: str, amount_fen: int = 100) -> PaymentLine:
    return PaymentLine(seq=seq, name=name, id_number="110101199003078515", account_no="6217000000000000001",
                       amount_fen=amount_fen)


def payment_header(lines: list[PaymentLine]) -> PaymentFileHeader:
    return PaymentFileHeader(file_id="F1", batch_id="B1", created_at=datetime(2026, 12, 1, 8, tzinfo=CST),
                             requested_date=date(2026, 12, 2), payer_name="某县财政局", payer_account="1234567890",
                             bank_code="B", count=len(lines), total_fen=sum(x.amount_fen for x in lines))


def layout_with(wording: str) -> LayoutFormat:
    raw = builtin("delimited")
    for kind in ("payments", "results"):
        raw[kind]["wording"] = wording
    return LayoutFormat(declaration=raw)


def write_problems(fmt: LayoutFormat, write, header, records) -> list[tuple[str, str, str]]:
    with pytest.raises(FormatError) as info:
        write(io.BytesIO(), header, records)
    return [(p.where, p.field, p.message) for p in info.value.problems]


@pytest.fixture
def plain_words(monkeypatch):
    """A table of another family's words, as a bank's own family would add one."""
    words = dataclasses.replace(WORDINGS["layout"], separator="may not hold {sep!r}",
                                line_break="may not break its line", encoding_by_codec=True,
                                records_total="{what}: {stated} stated, {actual} written")
    monkeypatch.setitem(WORDINGS, "plain", words)
    return "plain"


def test_a_texts_problems_are_said_in_the_named_tables_words(plain_words):
    fmt = layout_with(plain_words)
    lines = [line(1, "王|伟"), line(2, "李\n娜"), line(3, "赵\x01敏")]
    assert write_problems(fmt, fmt.write_payments, payment_header(lines), lines) == [
        ("line 2", "name", "seq 1: may not hold '|'"),
        ("line 3", "name", "seq 2: may not break its line"),
    ]  # (the control character U+0001 is written as it is in a delimited layout)


def test_the_same_layout_in_the_engines_own_words_and_in_the_familys():
    lines = [line(1, "王|伟"), line(2, "李\n娜")]
    assert write_problems(layout_with("layout"), layout_with("layout").write_payments, payment_header(lines),
                          lines) == [
        ("line 2", "name", "seq 1: holds '|', the field separator"),
        ("line 3", "name", "seq 2: holds a control character (U+000A)"),
    ]
    family = layout_with("delimited")
    assert write_problems(family, family.write_payments, payment_header(lines), lines) == [
        ("line 2", "name", "seq 1: contains '|', the field separator; the format has no escaping"),
        ("line 3", "name", "seq 2: contains a line break (CR or LF); the format has no escaping"),
    ]


def test_a_writers_totals_are_said_in_the_named_tables_words(plain_words):
    records = [ResultRecord(seq=1, outcome=PaymentOutcome.PAID, amount_fen=100, account_no="1", name="王伟"),
               ResultRecord(seq=2, outcome=PaymentOutcome.PAID, amount_fen=250, account_no="2", name="李娜")]
    # the header says one paid record of 100 fen and one failed; the records are two paid, 350 fen
    header = ResultFileHeader(file_id="R1", original_file_id="F1", batch_id="B1",
                              created_at=datetime(2026, 12, 3, 8, tzinfo=CST), count=2, paid_count=1,
                              paid_fen=100, failed_count=1, failed_fen=250)
    fmt = layout_with(plain_words)
    assert write_problems(fmt, fmt.write_results, header, records) == [
        ("line 1", "paid_count", "paid records: 1 stated, 2 written"),
        ("line 1", "paid_fen", "fen paid: 100 stated, 350 written"),
        ("line 1", "failed_count", "failed records: 1 stated, 0 written"),
        ("line 1", "failed_fen", "fen failed: 250 stated, 0 written"),
    ]


def test_a_wording_no_table_has_is_refused_naming_the_tables():
    with pytest.raises(ValueError) as info:
        layout_with("bank")
    assert str(info.value).startswith(f"payments.wording: 'bank' is not {' or '.join(WORDINGS)}")
