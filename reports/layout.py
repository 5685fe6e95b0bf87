"""What an issued report shows, as titled facts and tables, whatever the format it is exported in.

Every export (PDF, XLSX, CSV, the text of the generic kinds) renders this one layout, so the
formats cannot drift apart: a figure is picked out of the signed content once, here. Cells are
plain values typed by their column: ``text`` (str), ``id`` (an int identifier: a line's seq, a
file id), ``count`` (an int, or None where a figure has no count) and ``fen`` (int fen; each
format shows it as yuan through :func:`domain.money.yuan`, never through a float).

Rows are produced lazily: a refund report may itemize hundreds of thousands of lines, and the
XLSX and CSV writers stream them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from domain.money import yuan
from reports.documents import Document

TEXT, ID, COUNT, FEN = "text", "id", "count", "fen"


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: str = TEXT


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[tuple[Any, ...]]]  # called once per rendering; yields one value per column
    count: int  # how many rows ``rows`` yields


@dataclass(frozen=True, slots=True)
class Layout:
    title: str
    facts: tuple[tuple[str, str], ...]
    tables: tuple[Table, ...]


ITEM, LINES, AMOUNT = Column("项目 item"), Column("笔数 lines", COUNT), Column("金额 amount", FEN)


def layout(doc: Document) -> Layout:
    try:
        build = _BUILDERS[doc.kind]
    except KeyError:
        raise ValueError(f"no layout for report kind {doc.kind!r}") from None
    return build(doc.content)


def shown(value: Any, kind: str) -> str:
    """A cell as people read it: yuan for fen, thousands separators for counts."""
    if value is None:
        return ""
    if kind == FEN:
        return yuan(value)
    if kind == COUNT:
        return f"{value:,}"
    return str(value)


def flat_header(columns: tuple[Column, ...]) -> list[str]:
    """Column titles for a flat sheet (CSV, XLSX), where an amount takes two columns: fen, an
    integer to add up, and yuan, text to read."""
    out: list[str] = []
    for col in columns:
        out += [f"{col.title} (分 fen)", f"{col.title} (元 CNY)"] if col.kind == FEN else [col.title]
    return out


def flat_cells(row: tuple, columns: tuple[Column, ...]) -> list:
    """A row for a flat sheet, matching :func:`flat_header`."""
    out: list = []
    for value, col in zip(row, columns, strict=True):
        out += [value, shown(value, FEN)] if col.kind == FEN else ["" if value is None else value]
    return out


def _figures(title: str, rows: list[tuple[str, int | None, int]]) -> Table:
    return Table(title, (ITEM, LINES, AMOUNT), lambda: rows, len(rows))


def _checks(checks: dict[str, bool]) -> Table:
    rows = [(name.replace("_", " "), "通过 ok" if ok else "不符 FAIL") for name, ok in checks.items()]
    return Table("核对 checks", (Column("检查 check"), Column("结果 result")), lambda: rows, len(rows))


def _discrepancies(slots: dict[str, dict]) -> Table:
    rows = [(slot["label"], slot["count"], slot["fen"]) for slot in slots.values()]
    return Table("差异 discrepancies", (Column("类别 class"), LINES, AMOUNT), lambda: rows, len(rows))


def _batch_facts(c: dict) -> tuple[tuple[str, str], ...]:
    b = c["batch"]
    return (("批次 batch", b["id"]), ("项目 program", b["program"]), ("期间 period", b["period"]),
            ("地区 region", b["region"]), ("代发银行 bank", b["bank_code"]), ("状态 status", b["status"]),
            ("付款期限 payment due", b["payment_due"] or "-"), ("生成时间 generated at", c["generated_at"]))


def _reconciliation(c: dict) -> Layout:
    r, f, b, led = c["roster"], c["finance"], c["bank"], c["ledger"]
    figures = _figures("三方核对 figures", [
        ("名册 roster asked", r["count"], r["total_fen"]),
        ("指令 finance instructed", f["instructed_count"], f["instructed_fen"]),
        ("拨付 finance funded", None, f["funded_fen"]),
        ("已发放 bank paid", b["paid_count"], b["paid_fen"]),
        ("失败 bank failed", b["failed_count"], b["failed_fen"]),
        ("未回盘 bank not reported", b["unreported_count"], b["unreported_fen"]),
        ("应收银行退回 due back from the bank", b.get("due_back_count"), b.get("due_back_fen", 0)),
        ("账簿 已发放 ledger paid", None, led["paid_fen"]),
        ("账簿 挂账 ledger suspense (failed)", None, led["suspense_fen"]),
        ("账簿 清算户 ledger clearing", None, led["clearing_fen"]),
        ("账簿 已退回 ledger refunded to finance", None, led["refunded_fen"]),
    ])
    outside = [(status, s["count"], s["fen"]) for status, s in r["not_instructed"].items()]
    not_instructed = Table("未纳入指令 roster lines not instructed", (Column("状态 status"), LINES, AMOUNT),
                           lambda: outside, len(outside))

    def listed() -> Iterator[tuple]:
        for slot in c["discrepancies"].values():
            for item in slot["lines"]:
                yield (slot["label"], item["seq"], item["instructed_fen"], item["fen"],
                       " ".join(filter(None, (item.get("reason"), item["detail"]))))

    lines = Table("差异明细 discrepancy lines",
                  (Column("类别 class"), Column("序号 seq", ID), Column("指令金额 instructed", FEN),
                   Column("差异金额 amount", FEN), Column("说明 detail")),
                  listed, sum(len(slot["lines"]) for slot in c["discrepancies"].values()))
    q = c.get("quarantined_files") or {"files": []}
    quarantined = Table(q.get("label", "隔离回盘文件 quarantined result files"),
                        (Column("文件 file", ID), Column("名称 name"), Column("接收 received"),
                         Column("涉及 concerns"), Column("原因 reasons")),
                        lambda: ((f["file_id"], f["name"], f["received_at"], f["concerns"], f["reasons"])
                                 for f in q["files"]),
                        len(q["files"]))
    return Layout(c["report"], _batch_facts(c) + _deadline_facts(c.get("deadlines")),
                  (figures, *_statement(c.get("statement")), not_instructed, _discrepancies(c["discrepancies"]),
                   lines, quarantined, _checks(c["checks"])))


def _deadline_facts(d: dict | None) -> tuple[tuple[str, str], ...]:
    """The result-report deadline in working days and whether the bank's report came late."""
    if not d:
        return ()
    late = "是 yes (迟报 late report)" if d["late_report"] else "否 no"
    return (("回盘期限 result report due", d["result_due"] or d.get("calendar") or "-"),
            ("首次回盘 first result received", d["first_result_on"] or "-"), ("回盘迟报 report late", late))


def _statement(st: dict | None) -> tuple[Table, ...]:
    """What the bank's statements of the clearing account show for the batch, and their breaks."""
    if not st:
        return ()
    figures = _figures(st["label"], [
        ("对账单 拨入 statement: funding credited", None, st["funded_fen"]),
        ("对账单 代发 statement: paid", None, st["paid_fen"]),
        ("对账单 退回 statement: refunded", None, st["refunded_fen"]),
        ("对账单 其他 statement: other", None, st["other_fen"]),
    ])
    breaks = sorted(st["breaks"].items())
    return figures, Table("对账单差异 statement breaks", (Column("类别 kind"), LINES), lambda: breaks, len(breaks))


def _refund(c: dict) -> Layout:
    summary = _figures("退回汇总 refund of surplus", [
        ("拨付 funded", None, c["funded_fen"]),
        ("已发放 paid", None, c["paid_fen"]),
        ("结余 surplus", None, c["surplus_fen"]),
        ("已退回 refunded", c["refunded_count"], c["refunded_fen"]),
        ("应收银行退回 due back from the bank (not in the refund)", (c.get("due_back") or {}).get("count"),
         (c.get("due_back") or {}).get("fen", 0)),
    ])
    reasons = list(c["by_reason"].items())
    by_reason = Table("按原因 by reason", (Column("原因 reason"), LINES), lambda: reasons, len(reasons))
    items = Table("退回明细 unpaid lines",
                  (Column("序号 seq", ID), Column("姓名 name"), Column("身份证号 ID number"),
                   Column("账号 account"), AMOUNT, Column("原因 reason"), Column("后续 follow-up"),
                   Column("银行原因 bank reason")),
                  lambda: ((i["seq"], i["name"], i["id_number"], i["account_no"], i["amount_fen"], i["reason"],
                            i["follow_up"], i["bank_reason"]) for i in c["lines"]),
                  len(c["lines"]))
    due = (c.get("due_back") or {}).get("records", [])
    due_back = Table("应收银行退回明细 due back from the bank, for recovery",
                     (Column("序号 seq", ID), Column("类别 kind"), AMOUNT, Column("文件 file", ID),
                      Column("记录 record", ID), Column("说明 detail")),
                     lambda: ((d["seq"], d["kind"], d["due_fen"], d["file_id"], d["record"], d["detail"]) for d in due),
                     len(due))
    return Layout(c["report"], _batch_facts(c), (summary, by_reason, items, due_back, _checks(c["checks"])))


def _aggregate(c: dict) -> Layout:
    s, t = c["scope"], c["totals"]
    facts = (("项目 program", s["program"]), ("期间 period", s["period"]), ("地区 region", s["region"]),
             ("批次数 batches", str(c["batch_count"])), ("生成时间 generated at", c["generated_at"]))
    totals = _figures("汇总 totals", [
        ("名册 roster asked", t["roster_count"], t["roster_fen"]),
        ("指令 finance instructed", t["instructed_count"], t["instructed_fen"]),
        ("拨付 finance funded", None, t["funded_fen"]),
        ("已发放 bank paid", t["paid_count"], t["paid_fen"]),
        ("失败 bank failed", t["failed_count"], t["failed_fen"]),
        ("未回盘 bank not reported", t["unreported_count"], t["unreported_fen"]),
        ("应收银行退回 due back from the bank", None, t.get("due_back_fen", 0)),
        ("账簿 已发放 ledger paid", None, t["ledger_paid_fen"]),
        ("账簿 挂账 ledger suspense (failed)", None, t["ledger_suspense_fen"]),
        ("账簿 清算户 ledger clearing", None, t["ledger_clearing_fen"]),
        ("账簿 已退回 ledger refunded to finance", None, t["ledger_refunded_fen"]),
    ])
    batches = Table("批次 batches",
                    (Column("批次 batch"), Column("银行 bank"), Column("状态 status"),
                     Column("指令笔数 instructed lines", COUNT), Column("指令 instructed", FEN),
                     Column("拨付 funded", FEN), Column("已发放 paid", FEN), Column("失败 failed", FEN),
                     Column("未回盘 not reported", FEN), Column("已退回 refunded", FEN),
                     Column("差异笔数 discrepancies", COUNT), Column("不符检查 failed checks")),
                    lambda: ((b["id"], b["bank_code"], b["status"], b["instructed_count"], b["instructed_fen"],
                              b["funded_fen"], b["paid_fen"], b["failed_fen"], b["unreported_fen"],
                              b["ledger_refunded_fen"], b["discrepancy_count"], ", ".join(b["failed_checks"]))
                             for b in c["batches"]),
                    len(c["batches"]))
    return Layout(c["report"], facts, (totals, _discrepancies(c["discrepancies"]), batches, _checks(c["checks"])))


def _monthly(c: dict) -> Layout:
    s, t = c["scope"], c["totals"]
    facts = (("项目 program", s["program"]), ("地区 region", s["region"]), ("月份 month", s["month"]),
             ("自 from", s["from"]), ("至 until", s["until"]), ("生成时间 generated at", c["generated_at"]))
    if r := c.get("reporting"):
        facts += (("主管部门报送 department to county finance", r["department_to_county_finance"]),
                  ("区县财政报送 county to city finance by", r["county_to_city_finance_by"]))
    totals = _figures("本月 this month", [
        ("拨付批次 batches funded", t["funded_batches"], t["funded_fen"]),
        ("已发放 paid", t["paid_count"], t["paid_fen"]),
        ("失败 failed", t["failed_count"], t["failed_fen"]),
        ("已退回 refunded", t["refunded_count"], t["refunded_fen"]),
        ("迟发 paid late", t["late_count"], t["late_fen"]),
        ("月末未结 outstanding at month end", t["outstanding_count"], t["outstanding_fen"]),
    ])
    columns = [Column("批次 batch"), Column("期间 period"), Column("银行 bank"), Column("状态 status"),
               Column("付款期限 payment due")]
    for key, title in (("paid", "已发放 paid"), ("failed", "失败 failed"), ("refunded", "已退回 refunded"),
                       ("late", "迟发 late"), ("outstanding", "未结 outstanding")):
        columns += [Column(f"{title} 笔数", COUNT), Column(f"{title} 金额", FEN)]
    batches = Table("批次 batches", tuple(columns),
                    lambda: ((b["id"], b["period"], b["bank_code"], b["status"], b["payment_due"] or "-",
                              b["paid_count"], b["paid_fen"], b["failed_count"], b["failed_fen"],
                              b["refunded_count"], b["refunded_fen"], b["late_count"], b["late_fen"],
                              b["outstanding_count"], b["outstanding_fen"]) for b in c["batches"]),
                    len(c["batches"]))
    return Layout(c["report"], facts, (totals, batches, _checks(c["checks"])))


_BUILDERS: dict[str, Callable[[dict], Layout]] = {
    "reconciliation": _reconciliation,
    "refund": _refund,
    "aggregate": _aggregate,
    "monthly": _monthly,
}
