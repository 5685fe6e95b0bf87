"""The real MT940 and CSV statements of ../shared/bank-samples read with the right figures.

Every expected figure is written as a literal taken by hand from the file (the comment says
from where) and, for MT940, checked again against a tiny independent parse of the ``:61:`` and
balance lines, so a reader that misread an amount, a sign or a date cannot pass by agreeing with
itself. Each CSV sample has its own column mapping, as a bank's profile would give it.
"""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest

from bank_formats import FormatError, get_statement_format
from domain.model import EntrySide
from i18n.stored import shown

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "bank-samples"
MT940 = SAMPLES / "mt940"
CSV = SAMPLES / "csv"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/bank-samples is not here")


def read(fmt, path: Path):
    reader = fmt.read_statement(io.BytesIO(path.read_bytes()), path.name)
    entries = list(reader)
    return reader, entries


def independent_61(path: Path) -> list[tuple[str, int]]:
    """(mark, fen) of every :61: line, by a regular expression of this test (not the reader's):
    yymmdd, optional mmdd, the mark, an optional funds code, the amount with a decimal comma."""
    out = []
    for m in re.finditer(r"^:61:\d{6}(?:\d{4})?(R?[CD])[A-Z]?(\d+),(\d{0,2})", path.read_text("latin-1"), re.M):
        out.append((m.group(1), int(m.group(2)) * 100 + int((m.group(3) + "00")[:2])))
    return out


# --- MT940 -------------------------------------------------------------------------------------


def test_ing_one_statement_eight_entries():
    path = MT940 / "oca10__mt940_base__test-ing.940"
    reader, entries = read(get_statement_format("mt940"), path)
    h = reader.header
    assert h.account == "NL77INGB0574908765"  # :25:NL77INGB0574908765EUR, the currency cut off
    assert h.currency == "EUR"
    assert h.opening_balance_fen == 66223  # :60F:C140219EUR662,23
    assert h.closing_balance_fen == 56435  # :62F:C140220EUR564,35
    # credits 1,56 + 1,57 + 1,45 + 32,00; debits 1,57 + 1,14 + 12,75 + 119,00 (the file's own
    # closing :86:/SUM/4/4/134,46/36,58/ says the same)
    assert (h.count, h.credit_fen, h.debit_fen) == (8, 3658, 13446)
    assert h.opening_balance_fen + h.credit_fen - h.debit_fen == h.closing_balance_fen
    assert (h.from_date, h.to_date) == (date(2014, 2, 20), date(2014, 2, 20))
    assert [(e.side, e.amount_fen) for e in entries] == [
        (EntrySide.CREDIT, 156), (EntrySide.DEBIT, 157), (EntrySide.CREDIT, 157), (EntrySide.DEBIT, 114),
        (EntrySide.CREDIT, 145), (EntrySide.DEBIT, 1275), (EntrySide.CREDIT, 3200), (EntrySide.DEBIT, 11900)]
    parsed = independent_61(path)
    assert [("C" if e.side is EntrySide.CREDIT else "D", e.amount_fen) for e in entries] == parsed
    assert [e.seq for e in entries] == list(range(1, 9))
    assert all(e.booking_date == date(2014, 2, 20) for e in entries)  # entry date 0220 of 140220
    # /PREF/ is a payment information id (a batch); /EREF/ values here are not "<batch>-<seq>"
    assert [(e.batch_id, e.line_seq) for e in entries if e.batch_id] == [
        ("M000000003333333", None), ("M000000001111111", None)]
    # :86: /CNTP/NL32INGB0000012345/INGBNL2A/J.Janssen/ of the third entry
    assert (entries[2].counterparty_account, entries[2].counterparty_name) == ("NL32INGB0000012345", "J.Janssen")
    assert entries[1].reference == "00000000001006"  # :61: ...PREF//00000000001006
    assert reader.skipped == []


def test_rabo_four_statements_continue_each_other():
    path = MT940 / "oca10__mt940_base__test-rabo.swi"
    reader, entries = read(get_statement_format("mt940"), path)
    h = reader.header
    assert h.account == "NL34RABO0142623393"  # :25:NL34RABO0142623393 EUR
    assert h.opening_balance_fen == 443352  # first :60F:C131231EUR000000004433,52
    assert h.closing_balance_fen == 479891  # last :62F:C140107EUR000000004798,91
    assert (h.count, h.credit_fen, h.debit_fen) == (2, 40000, 3461)  # C400,00 (140102), D34,61 (140101)
    assert [(e.booking_date, e.side, e.amount_fen) for e in entries] == [
        (date(2014, 1, 2), EntrySide.CREDIT, 40000), (date(2014, 1, 1), EntrySide.DEBIT, 3461)]
    assert [("C" if e.side is EntrySide.CREDIT else "D", e.amount_fen) for e in entries] == independent_61(path)
    # the period runs from the earliest booking (140101) to the last closing balance (140107)
    assert (h.from_date, h.to_date) == (date(2014, 1, 1), date(2014, 1, 7))
    assert h.statement_id == "940S140102/0..0"  # :20: and :28C: of the first, :28C: of the last
    assert entries[0].counterparty_account == "NL66RABO0160878799"  # the :61: line's second line
    assert entries[0].counterparty_name == "R. SMITH"  # :86:/ORDP//NAME/R. SMITH/


def test_sns_long_references_a_notice_and_a_statement_without_closing_balance():
    path = MT940 / "oca10__mt940_base__test-sns.940"
    reader, entries = read(get_statement_format("mt940"), path)
    h = reader.header
    assert h.account == "NL05SNSB0908244436"
    assert h.opening_balance_fen == 302696  # :60F:C171227EUR3026,96
    # debits 713,13 10,18 13,52 25,61 (27th) 10,95 (28th) 907,29 35,00 (29th)
    assert (h.count, h.credit_fen, h.debit_fen) == (7, 0, 171568)
    # the third statement (:28C:363/1) has no :62F:: it closes at 2253,57 - 907,29 - 35,00
    assert h.closing_balance_fen == 131128
    assert any("363/1" in note and "no closing balance" in note for note in [shown(n, "en") for n in reader.notes])
    assert (h.from_date, h.to_date) == (date(2017, 12, 27), date(2017, 12, 29))
    # :61:1712281228C0,00NDIV (line 50) is a notice of amount zero: skipped, said why
    assert [(s.where, s.reason, s.amount_fen) for s in reader.skipped] == [("line 50", "ZERO_AMOUNT", 0)]
    yielded = [x for x in independent_61(path) if x[1]]
    assert [("C" if e.side is EntrySide.CREDIT else "D", e.amount_fen) for e in entries] == yielded
    # the IBAN written as the customer reference (longer than 16): read by the long grammar
    assert entries[0].reference == "NL49RABO0166416932"


def test_entries_of_another_account_and_currency_are_skipped_not_dropped():
    text = (":20:S1\n:25:CN001\n:28C:1/1\n:60F:C261201CNY100,00\n"
            ":61:2612011201D10,00NTRFNONREF//R1\n:86:/EREF/B20261201AAAA-3/\n:62F:C261201CNY90,00\n-\n"
            ":20:S2\n:25:CN002\n:28C:1/1\n:60F:C261201CNY5,00\n:61:2612011201C1,00NTRFNONREF//R2\n"
            ":62F:C261201CNY6,00\n-\n"
            ":20:S3\n:25:CN001\n:28C:2/1\n:60F:C261201USD1,00\n:61:2612011201C2,00NTRFNONREF//R3\n"
            ":62F:C261201USD3,00\n-\n")
    reader = get_statement_format("mt940").read_statement(io.BytesIO(text.encode()), "x.940")
    entries = list(reader)
    assert [(e.amount_fen, e.batch_id, e.line_seq) for e in entries] == [(1000, "B20261201AAAA", 3)]
    assert [(s.where, s.reason, s.amount_fen) for s in reader.skipped] == [
        ("line 13", "OTHER_ACCOUNT", 100), ("line 20", "FOREIGN_CURRENCY", None)]
    h = reader.header
    assert (h.account, h.opening_balance_fen, h.closing_balance_fen, h.debit_fen) == ("CN001", 10000, 9000, 1000)
    # the profile names the account: the first statement is then the other one's
    reader = get_statement_format("mt940", account="CN002").read_statement(io.BytesIO(text.encode()), "x.940")
    assert [e.amount_fen for e in reader] == [100]
    assert [s.reason for s in reader.skipped] == ["OTHER_ACCOUNT", "OTHER_ACCOUNT"]


@pytest.mark.parametrize("bad, field", [
    (":61:2612011201D10,001NTRF//R1\n", ":61:"),  # a fraction of a fen
    (":61:2612011201D10,00NTRF//R1\n", ":62F:"),  # entries 10,00 but closing says 90,00 - 10,00 more
    (":61:26120X1201D10,00NTRF//R1\n", ":61:"),  # not a date
])
def test_refused_with_line_and_tag(bad, field):
    text = ":20:S1\n:25:CN001\n:28C:1\n:60F:C261201CNY100,00\n" + bad + ":62F:C261201CNY100,00\n"
    with pytest.raises(FormatError) as err:
        list(get_statement_format("mt940").read_statement(io.BytesIO(text.encode()), "x.940"))
    assert any(p.field == field and p.where.startswith("line ") for p in err.value.problems), err.value


def test_a_file_cut_before_its_closing_balance_is_refused():
    text = ":20:S1\n:25:CN001\n:28C:1\n:60F:C261201CNY100,00\n:61:2612011201D10,00NTRF//R1\n"
    with pytest.raises(FormatError, match="cut short"):
        list(get_statement_format("mt940").read_statement(io.BytesIO(text.encode()), "x.940"))


# --- CSV ---------------------------------------------------------------------------------------

COMMON = dict(account="OUR-ACCOUNT", currency="EUR", date="Date", date_format="%m/%d/%Y", thousands=",",
              counterparty_name="Partner Name", counterparty_account="Bank Account", remark="Label")


def test_csv_signed_amount_with_running_balance():
    fmt = get_statement_format("csv", amount="Amount", balance="Balance", **COMMON)
    reader, entries = read(fmt, CSV / "oca__sheet_file__balance.csv")
    # "-33.50" balance "-23.50", then "1,533.50" balance "1,510.00": opened at -23.50 + 33.50
    assert [(e.side, e.amount_fen, e.booking_date) for e in entries] == [
        (EntrySide.DEBIT, 3350, date(2018, 12, 15)), (EntrySide.CREDIT, 153350, date(2018, 12, 15))]
    h = reader.header
    assert (h.opening_balance_fen, h.closing_balance_fen, h.credit_fen, h.debit_fen) == (1000, 151000, 153350, 3350)
    assert h.account == "OUR-ACCOUNT" and h.currency == "EUR"
    assert (entries[0].counterparty_name, entries[0].counterparty_account) == ("John Doe", "123456789")
    assert reader.skipped == []


def test_csv_amount_with_a_debit_credit_column():
    fmt = get_statement_format("csv", amount="Amount", direction="D/C", balance="Balance", **COMMON)
    reader, entries = read(fmt, CSV / "oca__sheet_file__debit_credit.csv")
    # "33.50","D" and "-1,533.50","C": the mark decides, the balance column (-23.50, 1,510.00) agrees
    assert [(e.side, e.amount_fen) for e in entries] == [(EntrySide.DEBIT, 3350), (EntrySide.CREDIT, 153350)]
    h = reader.header
    assert (h.opening_balance_fen, h.closing_balance_fen) == (1000, 151000)


def test_csv_by_column_numbers_with_a_foreign_currency_row():
    fmt = get_statement_format("csv", account="OUR-ACCOUNT", currency="EUR", date=1, date_format="%m/%d/%Y",
                               amount=4, thousands=",", currency_column="Currency", remark=2)
    reader, entries = read(fmt, CSV / "oca__sheet_file__sample_statement_en.csv")
    # row 1 is in USD ("-33.50"): skipped with its reason; row 2 "1,525.00" EUR is read
    assert [(e.side, e.amount_fen) for e in entries] == [(EntrySide.CREDIT, 152500)]
    assert [(s.where, s.reason) for s in reader.skipped] == [("line 2", "FOREIGN_CURRENCY")]
    h = reader.header
    assert (h.opening_balance_fen, h.closing_balance_fen, h.count) == (0, 152500, 1)
    assert [(shown(n, "en"), shown(n, "zh")) for n in reader.notes] == [  # no balance column: said so
        ("the CSV has no balance column: opening balance taken as 0, closing as the entries' net",
         "CSV 没有余额列：期初余额按 0 计，期末余额按各笔发生额合计计")]


def test_csv_debit_and_credit_columns_gbk_and_our_reference():
    text = ("交易日期,支出,收入,余额,附言\n"
            "20261201,100.00,,900.00,B20261201AAAA-7\n"
            "20261201,,2.50,902.50,退回\n")
    fmt = get_statement_format("csv", encoding="gbk", account="6222", date="交易日期", date_format="%Y%m%d",
                               debit="支出", credit="收入", balance="余额", end_to_end="附言", remark="附言")
    reader, entries = read(fmt, _bytes_path(text.encode("gbk")))
    assert [(e.side, e.amount_fen, e.batch_id, e.line_seq) for e in entries] == [
        (EntrySide.DEBIT, 10000, "B20261201AAAA", 7), (EntrySide.CREDIT, 250, "", None)]
    assert (reader.header.opening_balance_fen, reader.header.closing_balance_fen) == (100000, 90250)


@pytest.mark.parametrize("row, field", [
    ("20261201,100.001,,900.00\n", "amount"),  # a fraction of a fen
    ("20261201,100.00,,800.00\n", "balance"),  # 1000.00 - 100.00 is not 800.00
    ("2026-12-01,100.00,,900.00\n", "date"),
    ("20261201,1,00.00,,900.00\n", "columns"),  # an unquoted "1,00.00": one column too many
])
def test_csv_refused_with_line_and_column(row, field):
    text = "日期,支出,收入,余额\n20261201,,1000.00,1000.00\n" + row
    fmt = get_statement_format("csv", account="6222", date=1, date_format="%Y%m%d", debit=2, credit=3, balance=4)
    with pytest.raises(FormatError) as err:
        list(fmt.read_statement(io.BytesIO(text.encode()), "s.csv"))
    assert [(p.where, p.field.split()[0]) for p in err.value.problems] == [("line 3", field)]


@pytest.mark.parametrize("options, word", [
    (dict(date="Date"), "amount"),  # no amount columns
    (dict(date="Date", amount="A", debit="D", credit="C"), "amount"),  # two ways at once
    (dict(date="Date", amount="A", encoding="big5"), "encoding"),
    (dict(date="Date", amount="A", skip_rows=0), "header row"),
    (dict(date="Date", amount="A", colour="red"), "colour"),
    (dict(date="Date", amount="A", decimal=",", thousands=","), "thousands"),
])
def test_csv_mapping_mistakes_name_the_option(options, word):
    options.setdefault("account", "6222")
    with pytest.raises(ValueError, match=word):
        get_statement_format("csv", **options)


def _bytes_path(data: bytes):
    class _P:
        name = "inline.csv"

        def read_bytes(self):
            return data
    return _P()


def test_csv_cut_in_its_last_row_is_refused_not_misread():
    text = "日期,金额\n20261201,1000.00\n20261201,-1533.50\n"
    fmt = get_statement_format("csv", account="6222", date=1, date_format="%Y%m%d", amount=2)
    assert [e.amount_fen for e in fmt.read_statement(io.BytesIO(text.encode()), "s.csv")] == [100000, 153350]
    cut = text[:-4]  # "20261201,-1533" (no line break): would read as a debit of 1533.00
    with pytest.raises(FormatError, match="cut short"):
        list(fmt.read_statement(io.BytesIO(cut.encode()), "s.csv"))
    # the same row with its line break is a debit of 1533.00, as written
    assert [e.amount_fen for e in fmt.read_statement(io.BytesIO((cut + "\n").encode()), "s.csv")][-1] == 153300
