"""The MT940 and CSV statement readers' problems, the entries they skip, and a declared layout's
mistakes keep their English text byte for byte and have catalogue words: Chinese by default,
that same English on request (issue 16 item 3).

The bad files are the real samples of ../shared/bank-samples, damaged by one change each: the
expected words are written from that change (the figure, the line, the option), not copied from
output. The declarations are profiles/JZ8602.toml's ``[format]`` table with one mistake.
"""
from __future__ import annotations

import copy
import io
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest

import i18n
from bank_formats import FormatError, get_statement_format
from bank_formats.base import Refused
from bank_formats.layout import LayoutFormat, builtin, builtin_names
from bank_formats.statement_mt940_writer import write_statement
from domain.model import EntrySide, StatementEntry, StatementHeader
from i18n import reset, use
from i18n.stored import shown
from tests.support.catalogue_scan import made_in
from tests.unit.bank_formats.test_problem_languages import problems, said
from tests.unit.bank_formats.test_statement_mt940_csv_robustness import CASES, mutations

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT.parent / "shared" / "bank-samples"
ING = SAMPLES / "mt940" / "oca10__mt940_base__test-ing.940"
SNS = SAMPLES / "mt940" / "oca10__mt940_base__test-sns.940"
MT940 = get_statement_format("mt940")
OCA = dict(account="A", currency="EUR", date="Date", date_format="%m/%d/%Y", thousands=",")

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/bank-samples is not here")


def changed(path: Path, old: bytes, new: bytes) -> bytes:
    data = path.read_bytes()
    assert data.count(old) == 1, old
    return data.replace(old, new)


def skipped_said(skipped) -> tuple[str, str, str]:
    """(English detail, the stored detail in the default language, in English)."""
    token = use(None)
    try:
        return skipped.detail, shown(skipped.stored()), shown(skipped.stored(), "en")
    finally:
        reset(token)


def refused(make) -> tuple[str, str, str]:
    """(English text, words in the default language, in English) of what ``make()`` refuses."""
    with pytest.raises(Refused) as err:
        make()
    phrase = err.value.phrase
    token = use(None)
    try:
        return str(err.value), i18n.say(phrase.key, None, **dict(phrase.fields)), \
            i18n.say(phrase.key, "en", **dict(phrase.fields))
    finally:
        reset(token)


# --- MT940 -------------------------------------------------------------------------------------

def test_an_mt940_statement_that_does_not_follow_the_one_before():
    """SNS's second statement (:20: line 39, its block ends on line 58) opens with one cent more
    than the first closed with (2264,52): it neither follows nor adds up (its entries, -10.95,
    lead from 2264.52 to its closing 2253.57)."""
    data = changed(SNS, b":60F:C171228EUR2264,52", b":60F:C171228EUR2264,53")
    found = problems(MT940.read_statement, data, SNS.name)
    assert [said(p) for p in found] == [
        ("line 58: :62F:: statement 0000000000/362/1 does not add up: opening 2264.53 + entries -10.95 != closing "
         "2253.57",
         "第 58 行，:62F:：对账单 0000000000/362/1 不平：期初余额 2264.53 + 本期发生净额 -10.95 不等于期末余额 2253.57",
         "line 58: :62F:: statement 0000000000/362/1 does not add up: opening 2264.53 + entries -10.95 != closing "
         "2253.57"),
        ("line 39: :60F:: statement 0000000000/362/1 opens with 2264.53, the statement before closed with 2264.52",
         "第 39 行，:60F:：对账单 0000000000/362/1 的期初余额是 2264.53，上一份对账单的期末余额是 2264.52",
         "line 39: :60F:: statement 0000000000/362/1 opens with 2264.53, the statement before closed with 2264.52")]


def test_an_mt940_statement_line_whose_date_is_not_a_date():
    # ING's second :61: (line 14, continued on line 15) with a letter in its value date
    data = changed(ING, b":61:1402200220D1,57NTRFPREF", b":61:14022X0220D1,57NTRFPREF")
    line = [p for p in problems(MT940.read_statement, data, ING.name) if p.field == ":61:"]
    value = "'14022X0220D1,57NTRFPREF//00000000001006\\n/TRCD/00200/'"
    assert [said(p) for p in line] == [
        (f"line 14: :61:: {value} is not a statement line: value date yymmdd, [entry date mmdd], D/C/RD/RC, amount, "
         "type, reference[//bank reference]",
         f"第 14 行，:61:：{value} 不是交易明细行：应为起息日 yymmdd、[记账日 mmdd]、借贷标记 D/C/RD/RC、金额、交易类型、"
         "参考号[//银行参考号]",
         f"line 14: :61:: {value} is not a statement line: value date yymmdd, [entry date mmdd], D/C/RD/RC, amount, "
         "type, reference[//bank reference]")]


def test_text_outside_any_tag_and_a_balance_the_library_refuses():
    """A stray line before ING's :20: (line 4 then), and its opening balance (line 9) marked X,
    neither C nor D: the library's grammar refuses it in its own words, framed in Chinese."""
    data = changed(ING, b"{4:\n", b"{4:\nhello\n").replace(b":60F:C140219", b":60F:X140219")
    found = problems(MT940.read_statement, data, ING.name)
    assert said(found[0]) == ("line 4: tag: text outside any tag: 'hello'", "第 4 行，标签：不属于任何标签的文字：'hello'",
                              "line 4: tag: text outside any tag: 'hello'")
    english, chinese, again = said(found[1])
    # the library names the tag by its object's repr: stored without the address, the same on every run
    assert english == "line 9: :60F:: Unable to parse <mt940.tags.FinalOpeningBalance> from 'X140219EUR662,23'"
    assert chinese == "第 9 行，:60F:：不符合 MT940 格式：" + english.split(": ", 2)[2]
    assert again == english


def test_an_mt940_block_without_an_opening_balance():
    found = problems(MT940.read_statement, b"{4:\n:20:X\n", "s.sta")
    assert said(found[0]) == ("line 2: :60F:: statement X has no opening balance",
                              "第 2 行，:60F:：对账单 X 没有期初余额", "line 2: :60F:: statement X has no opening balance")


def test_mt940_entries_of_another_account_are_skipped_in_words():
    """ING read for an account it is not: every entry is skipped (the second a debit of
    1,57 with bank reference 00000000001006, on line 14), and the file holds no statement of that account."""
    reader = get_statement_format("mt940", account="NL00BANK0123456789").read_statement(
        io.BytesIO(ING.read_bytes()), ING.name)
    with pytest.raises(FormatError) as err:
        list(reader)
    assert [said(p) for p in err.value.problems] == [
        ("file: :20:: no statement of the account NL00BANK0123456789 in the file",
         "文件，:20:：文件中没有账户 NL00BANK0123456789 的对账单",
         "file: :20:: no statement of the account NL00BANK0123456789 in the file")]
    assert len(reader.skipped) == 8 and {s.reason for s in reader.skipped} == {"OTHER_ACCOUNT"}
    second = reader.skipped[1]
    assert second.where == "line 14"
    assert skipped_said(second) == (
        "DBIT 1.57 EUR 00000000001006 (statement P140220000000001 of account NL77INGB0574908765)",
        "借 1.57 EUR 00000000001006（账户 NL77INGB0574908765 的对账单 P140220000000001）",
        "DBIT 1.57 EUR 00000000001006 (statement P140220000000001 of account NL77INGB0574908765)")


def test_an_mt940_entry_of_amount_zero_is_a_notice():
    data = (b":20:S1\n:25:6222\n:28C:1\n:60F:C261201CNY100,00\n:61:2612011201C0,00NTRFNONREF//B1\n"
            b":62F:C261201CNY100,00\n-\n")
    reader = MT940.read_statement(io.BytesIO(data), "s.sta")
    assert list(reader) == []
    (zero,) = reader.skipped
    assert (zero.where, zero.reason, zero.amount_fen) == ("line 5", "ZERO_AMOUNT", 0)
    assert skipped_said(zero) == ("CRDT 0.00 CNY B1: a notice, no movement", "贷 0.00 CNY B1：只是通知，没有资金变动",
                                  "CRDT 0.00 CNY B1: a notice, no movement")


def test_the_mt940_writer_refuses_an_entry_of_no_amount():
    day = date(2026, 12, 1)
    header = StatementHeader("S1", "6222", datetime(2026, 12, 1), day, day, 0, 0, 1, 0, 0, "CNY")
    entry = StatementEntry(1, EntrySide.CREDIT, 0, day, "R1", "", None, "", "", "")
    with pytest.raises(FormatError) as err:
        write_statement(io.BytesIO(), header, [entry])
    assert said(err.value.problems[0]) == ("entry 1: amount_fen/seq: seq 1, amount 0: positive amounts in order",
                                           "entry 1，amount_fen/seq：序号 1、金额 0：分录金额须为正数，并按序号排列",
                                           "entry 1: amount_fen/seq: seq 1, amount 0: positive amounts in order")


# --- CSV ---------------------------------------------------------------------------------------

def test_a_csv_balance_that_does_not_follow():
    # balance.csv: -33.50 leaves -23.50; then 1,533.50 should leave 1,510.00, the row says 1,510.01
    path = SAMPLES / "csv" / "oca__sheet_file__balance.csv"
    data = changed(path, b'"1,510.00"', b'"1,510.01"')
    fmt = get_statement_format("csv", amount="Amount", balance="Balance", **OCA)
    (p,) = problems(fmt.read_statement, data, path.name)
    assert said(p) == (
        "line 3: balance ('Balance'): 1510.01 does not follow: the balance before was -23.50, the entry +1533.50",
        "第 3 行，余额（'Balance' 列）：余额 1510.01 与上一笔不连续：上一笔后的余额为 -23.50，本笔发生额 +1533.50",
        "line 3: balance ('Balance'): 1510.01 does not follow: the balance before was -23.50, the entry +1533.50")


def test_a_csv_direction_that_is_no_mark_a_date_that_is_no_date_and_a_row_cut_in_two():
    """debit_credit.csv: row 2 marked X (neither D nor C); row 3's date in month 13; a third row
    (line 4) whose amount lost its quotes, so that its thousands comma splits it into two cells."""
    path = SAMPLES / "csv" / "oca__sheet_file__debit_credit.csv"
    data = changed(path, b'"33.50","D"', b'"33.50","X"').replace(b'"12/15/2018","Your payment"',
                                                               b'"13/15/2018","Your payment"')
    data += b'"12/16/2018","More","-1,000.00","C","2,510.00","",""\n'.replace(b'"-1,000.00"', b"-1,000.00")
    fmt = get_statement_format("csv", amount="Amount", direction="D/C", balance="Balance", **OCA)
    found = problems(fmt.read_statement, data, path.name)
    assert [said(p) for p in found] == [
        ("line 2: direction ('D/C'): 'X' is neither a debit mark (D) nor a credit mark (C)",
         "第 2 行，借贷方向（'D/C' 列）：'X' 既不是借方标记（D），也不是贷方标记（C）",
         "line 2: direction ('D/C'): 'X' is neither a debit mark (D) nor a credit mark (C)"),
        ("line 3: date ('Date'): '13/15/2018' is not a date as '%m/%d/%Y'",
         "第 3 行，日期（'Date' 列）：'13/15/2018' 不是格式为 '%m/%d/%Y' 的日期",
         "line 3: date ('Date'): '13/15/2018' is not a date as '%m/%d/%Y'"),
        ("line 4: columns: 8 columns, the header row has 7", "第 4 行，列数：本行 8 列，标题行有 7 列",
         "line 4: columns: 8 columns, the header row has 7")]


def test_a_csv_quote_python_cannot_read():
    path = SAMPLES / "csv" / "oca__sheet_file__balance.csv"
    data = changed(path, b'"12/15/2018","Your best supplier"', b'"12/15/2018"x,"Your best supplier"')
    fmt = get_statement_format("csv", amount="Amount", balance="Balance", **OCA)
    (p,) = problems(fmt.read_statement, data, path.name)
    assert said(p) == ("line 2: csv: ',' expected after '\"'", "第 2 行，CSV 格式：不是有效的 CSV：',' expected after '\"'",
                       "line 2: csv: ',' expected after '\"'")


def test_csv_rows_in_another_currency_are_skipped_in_words():
    # sample_statement_en.csv: row 2 is a debit of 33.50 USD on 12/15/2018, the account's currency EUR
    path = SAMPLES / "csv" / "oca__sheet_file__sample_statement_en.csv"
    fmt = get_statement_format("csv", amount="Amount", currency_column="Currency", **OCA)
    reader = fmt.read_statement(io.BytesIO(path.read_bytes()), path.name)
    list(reader)
    usd = reader.skipped[0]
    assert (usd.where, usd.reason, usd.amount_fen) == ("line 2", "FOREIGN_CURRENCY", None)
    assert skipped_said(usd) == ("DBIT 33.50 USD 2018-12-15", "借 33.50 USD 2018-12-15", "DBIT 33.50 USD 2018-12-15")


def test_a_csv_mapping_and_an_mt940_encoding_are_refused_in_words():
    assert refused(lambda: get_statement_format("csv", amount="Amount", **{**OCA, "thousands": ".."})) == (
        "thousands: expected one character other than the decimal mark, or '', got '..'",
        "thousands：应为一个不同于小数点的字符，或 ''，实际为 '..'",
        "thousands: expected one character other than the decimal mark, or '', got '..'")
    assert refused(lambda: get_statement_format("csv", **OCA)) == (
        "amount: give amount (signed), or debit and credit (two columns), or amount and direction (a debit/credit "
        "column)",
        "amount：请给出 amount（带符号的金额），或 debit 和 credit（两列），或 amount 和 direction（借贷方向列）",
        "amount: give amount (signed), or debit and credit (two columns), or amount and direction (a debit/credit "
        "column)")
    assert refused(lambda: get_statement_format("mt940", encoding="big5")) == (
        "encoding: 'big5' is not one of utf-8, latin-1, cp1252, ascii, gbk, gb18030",
        "encoding：'big5' 不是以下之一：utf-8, latin-1, cp1252, ascii, gbk, gb18030",
        "encoding: 'big5' is not one of utf-8, latin-1, cp1252, ascii, gbk, gb18030")


# --- a declared layout: JZ8602's [format] table with one mistake --------------------------------

def jz8602() -> dict:
    table = tomllib.loads((ROOT / "profiles" / "JZ8602.toml").read_text(encoding="utf-8"))["format"]
    del table["family"]
    return table


def test_a_field_that_starts_where_the_widths_before_it_do_not_end():
    # the report's account (its third field) starts at byte 22: seq 20 bytes, "|" 1
    table = jz8602()
    table["results"]["detail"]["fields"][2]["start"] = 23
    assert refused(lambda: LayoutFormat(**table)) == (
        "results.detail.fields[2].start: the field starts at byte 22 (the widths before it add up to 21), not 23",
        "results.detail.fields[2].start：该字段从第 22 字节开始（之前各字段宽度合计 21），不是 23",
        "results.detail.fields[2].start: the field starts at byte 22 (the widths before it add up to 21), not 23")


def test_a_payment_field_that_only_results_have_and_a_title_line_with_a_stray_brace():
    table = jz8602()
    table["payments"]["detail"]["fields"][1]["name"] = "bank_text"  # a result's text, no payment's
    english, chinese, again = refused(lambda: LayoutFormat(**table))
    head = "payments.detail.fields[1].name"
    assert english.startswith(f"{head}: 'bank_text' is not a field of a payments detail; known: ")
    assert chinese == f"{head}：'bank_text' 不是付款文件明细记录的字段；可用：" + english.split("; known: ")[1]
    assert again == english
    table = jz8602()
    title = "[{unit}][{unit_name}]批量代理业务{report记录"
    table["results"]["header"][0]["line"] = title
    assert refused(lambda: LayoutFormat(**table)) == (
        f"results.header[0].line: '{title}': braces are for {{name}} only",
        f"results.header[0].line：'{title}'：花括号只能用于 {{name}}",
        f"results.header[0].line: '{title}': braces are for {{name}} only")


def test_a_layout_without_payments_says_so_in_words():
    table = jz8602()
    del table["payments"]
    fmt = LayoutFormat(**table)
    (p,) = problems(fmt.read_payments, b"", "p.txt")
    assert said(p) == ("file: layout: this bank's layout declares no payments file", "文件，layout：该银行的布局没有声明付款文件",
                       "file: layout: this bank's layout declares no payments file")


# --- every problem has words ------------------------------------------------------------------

@pytest.mark.parametrize("path, fmt", CASES, ids=[p.name for p, _ in CASES])
def test_every_problem_and_skipped_entry_of_a_damaged_sample_has_words(path, fmt):
    refusals = 0
    for what, data in mutations(path.read_bytes()):
        reader = fmt.read_statement(io.BytesIO(data), path.name)
        try:
            list(reader)
        except FormatError as exc:
            refusals += 1
            assert all(p.said is not None for p in exc.problems), (what, [str(p) for p in exc.problems
                                                                          if p.said is None])
        assert all(s.said is not None for s in reader.skipped), what
    assert refusals > 0


WRONG_VALUES = (0, -1, 5000, "?", "", True, [], {"x": 1}, "{x}")


def declarations():
    """JZ8602's table and the shipped layouts, each with one key of one field set to each wrong value."""
    for name, table in [("JZ8602", jz8602())] + [(n, builtin(n)) for n in builtin_names()]:
        for kind in ("payments", "results"):
            if kind not in table:
                continue
            for role in ("header", "detail", "trailer"):
                records = table[kind].get(role)
                for r, record in enumerate(records if isinstance(records, list) else [records] if records else []):
                    for f, field in enumerate(record.get("fields", [])):
                        for key in (*field, "width", "start", "unit", "codes", "label"):
                            for value in WRONG_VALUES:
                                wrong = copy.deepcopy(table)
                                target = wrong[kind][role]
                                target = target[r] if isinstance(target, list) else target
                                target["fields"][f][key] = value
                                yield f"{name} {kind}.{role}[{r}].fields[{f}].{key} = {value!r}", wrong


def test_every_mistake_a_declaration_is_refused_for_has_words():
    """(A name that is no text, a list say, was a TypeError naming no key before.)"""
    seen = 0
    for what, table in declarations():
        try:
            LayoutFormat(**table)
        except Refused:
            seen += 1
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{what}: refused without words: {type(exc).__name__}: {exc}")
    assert seen > 100


MODULES = ("bank_formats/statement_mt940.py", "bank_formats/statement_mt940_writer.py", "bank_formats/statement_csv.py",
           "bank_formats/layout/declaration.py", "bank_formats/layout/format.py")


def test_these_modules_say_their_problems_and_refusals_in_words():
    """Each ``Phrase.of``/``Refused``/option call naming a ``format.*`` key (each with exactly
    its arguments: tests/unit/i18n/test_catalogue_keys_made.py)."""
    made = [m for m in made_in(ROOT / module for module in MODULES) if m.key and m.key.startswith("format.")]
    assert len(made) > 100
