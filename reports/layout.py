"""What an issued report shows, as titled facts and tables, whatever the format it is exported in.

Every export (PDF, XLSX, CSV, the text of the generic kinds) renders this one layout, so the
formats cannot drift apart: a figure is picked out of the signed content once, here. Cells are
plain values typed by their column: ``text`` (str), ``id`` (an int identifier: a line's seq, a
file id), ``count`` (an int, or None where a figure has no count) and ``fen`` (int fen; each
format shows it as yuan through :func:`domain.money.yuan`, never through a float).

Rows are produced lazily: a refund report may itemize hundreds of thousands of lines, and the
XLSX and CSV writers stream them.

Codes in the content (statuses, reasons, check names) are shown by their Chinese names
(:mod:`reports.names`); times are Beijing time. Besides its tables a layout has a summary of the
totals that matter (printed in figures and in capital numerals) and, for the period reports, a
chart of paid, refunded and unpaid money per batch.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.money import yuan
from i18n import stored
from reports import names
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
class Chart:
    """Amounts (fen) per category, one series per kind of money: drawn as grouped bars."""
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True, slots=True)
class Layout:
    title: str
    facts: tuple[tuple[str, str], ...]
    tables: tuple[Table, ...]
    summary: tuple[tuple[str, int], ...] = ()  # the totals printed in figures and in capital numerals
    chart: Chart | None = None


MAX_CHARTED = 12  # categories in a chart; the rest are summed into one


ITEM, LINES, AMOUNT = Column("项目 item"), Column("笔数 lines", COUNT), Column("金额 amount", FEN)


def layout(doc: Document) -> Layout:
    try:
        build = _BUILDERS[doc.kind]
    except KeyError:
        raise ValueError(f"no layout for report kind {doc.kind!r}") from None
    view = build(doc.content)
    issued = (("出具时间 issued at (不在签名内容内 not signed)", beijing_time(doc.issued_at)),) if doc.issued_at else ()
    if doc.issued_at and doc.kind == "monthly" and (r := doc.content.get("reporting")):
        late = issued_late(r, datetime.fromisoformat(doc.issued_at).date())
        issued += (("报送是否逾期 issued after the reporting dates",
                    "逾期 yes (晚于区县报市期限)" if late["after_county_date"] else
                    "晚于主管部门报送日 after the department's date" if late["after_department_date"] else "否 no"),)
    return Layout(view.title, view.facts + issued, view.tables, view.summary, view.chart)


def beijing_time(iso: str) -> str:
    """An ISO time or day from the content as people read it: ``2026-11-03 10:00:00 北京时间``."""
    if not iso:
        return "-"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if len(iso) == 10:
        return f"{iso} (北京时间日)"
    return f"{moment.strftime('%Y-%m-%d %H:%M:%S')} 北京时间"


def issued_late(reporting: dict, issued_on: date) -> dict[str, bool]:
    """Whether a copy issued on ``issued_on`` comes after the monthly reporting dates (月报制度)
    the content names, so that a late report shows as late."""
    return {"after_department_date": issued_on > date.fromisoformat(reporting["department_to_county_finance"]),
            "after_county_date": issued_on >= date.fromisoformat(reporting["county_to_city_finance_by"])}


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
    """Column titles for a flat sheet (CSV, XLSX): one column per layout column, an amount in
    yuan (元)."""
    return [f"{col.title} (元)" if col.kind == FEN else col.title for col in columns]


def yuan_plain(fen: int) -> str:
    """Integer fen as a plain decimal yuan number, ``-1234.05``: no separators, so a
    spreadsheet reads it as a number. Integer arithmetic only."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _figures(title: str, rows: list[tuple[str, int | None, int]]) -> Table:
    return Table(title, (ITEM, LINES, AMOUNT), lambda: rows, len(rows))


def _checks(checks: dict[str, bool]) -> Table:
    rows = [(names.name("check", name), "通过 ok" if ok else "不符 FAIL") for name, ok in checks.items()]
    return Table("核对 checks", (Column("检查 check"), Column("结果 result")), lambda: rows, len(rows))


def _summary(*rows: tuple[str, int]) -> tuple[tuple[str, int], ...]:
    return rows


def _discrepancies(slots: dict[str, dict]) -> Table:
    rows = [(slot["label"], slot["count"], slot["fen"]) for slot in slots.values()]
    return Table("差异 discrepancies", (Column("类别 class"), LINES, AMOUNT), lambda: rows, len(rows))


def _batch_facts(c: dict) -> tuple[tuple[str, str], ...]:
    b = c["batch"]
    return (("批次 batch", b["id"]), ("项目 program", b["program"]), ("期间 period", b["period"]),
            ("地区 region", b["region"]), ("代发银行 bank", b["bank_code"]),
            ("状态 status", names.name("batch_status", b["status"])),
            ("付款期限 payment due", b["payment_due"] or "-"), ("截至 as of", beijing_time(c.get("as_of", ""))))


def _reconciliation(c: dict) -> Layout:
    r, f, b, led = c["roster"], c["finance"], c["bank"], c["ledger"]
    figures = _figures("三方核对 figures", [
        ("名册 roster asked", r["count"], r["total_fen"]),
        ("指令 finance instructed", f["instructed_count"], f["instructed_fen"]),
        ("拨付 finance funded", None, f["funded_fen"]),
        ("已发放 bank paid", b["paid_count"], b["paid_fen"]),
        ("失败 bank failed", b["failed_count"], b["failed_fen"]),
        *(() if "outcome" not in c else [("其中已补发 re-issued (failed, instructed again)",
                                          c["outcome"]["reissued"]["count"], c["outcome"]["reissued"]["fen"])]),
        ("未回盘 bank not reported", b["unreported_count"], b["unreported_fen"]),
        ("应收银行退回 due back from the bank", b.get("due_back_count"), b.get("due_back_fen", 0)),
        ("账簿 已发放 ledger paid", None, led["paid_fen"]),
        ("账簿 挂账 ledger suspense (failed)", None, led["suspense_fen"]),
        ("账簿 清算户 ledger clearing", None, led["clearing_fen"]),
        ("账簿 已退回 ledger refunded to finance", None, led["refunded_fen"]),
    ])
    outside = [(names.name("line_status", status), s["count"], s["fen"]) for status, s in r["not_instructed"].items()]
    not_instructed = Table("未纳入指令 roster lines not instructed", (Column("状态 status"), LINES, AMOUNT),
                           lambda: outside, len(outside))

    def listed() -> Iterator[tuple]:
        for slot in c["discrepancies"].values():
            for item in slot["lines"]:
                yield (slot["label"], item["seq"], item["instructed_fen"], item["fen"],
                       " ".join(filter(None, (names.name("reason", item.get("reason")),
                                              names.reasons_in(stored.shown(item["detail"]))))))

    lines = Table("差异明细 discrepancy lines",
                  (Column("类别 class"), Column("序号 seq", ID), Column("指令金额 instructed", FEN),
                   Column("差异金额 amount", FEN), Column("说明 detail")),
                  listed, sum(len(slot["lines"]) for slot in c["discrepancies"].values()))
    q = c.get("quarantined_files") or {"files": []}
    quarantined = Table(q.get("label", "隔离回盘文件 quarantined result files"),
                        (Column("文件 file", ID), Column("名称 name"), Column("接收 received"),
                         Column("涉及 concerns"), Column("原因 reasons")),
                        lambda: ((f["file_id"], f["name"], f["received_at"], stored.shown(f["concerns"]),
                                  stored.shown(f["reasons"]))
                                 for f in q["files"]),
                        len(q["files"]))
    tables = (figures, *_outcome(c.get("outcome"), f), *_statement(c.get("statement")), not_instructed,
              _discrepancies(c["discrepancies"]), lines, quarantined, _checks(c["checks"]))
    summary = _summary(("指令金额 instructed", f["instructed_fen"]), ("拨付金额 funded", f["funded_fen"]),
                       ("已发放金额 paid", led["paid_fen"]), ("已退回财政 refunded", led["refunded_fen"]))
    return Layout(c["report"], _batch_facts(c) + _deadline_facts(c.get("deadlines")), tables, summary)


def _outcome(o: dict | None, f: dict) -> tuple[Table, ...]:
    """Each instructed line once, by how it ended: the rows add up to the instruction."""
    if not o:
        return ()
    rows = [("首次发放成功 paid on the first instruction", o["paid_first"]["count"], o["paid_first"]["fen"]),
            ("补发后发放成功 paid on a re-issue (补发)", o["paid_on_reissue"]["count"], o["paid_on_reissue"]["fen"]),
            ("失败未发放 failed, not paid", o["failed"]["count"], o["failed"]["fen"]),
            ("未回盘 no answer from the bank", o["unanswered"]["count"], o["unanswered"]["fen"]),
            ("合计 = 指令 total = instructed", sum(o[k]["count"] for k in ("paid_first", "paid_on_reissue", "failed",
                                                                         "unanswered")),
             sum(o[k]["fen"] for k in ("paid_first", "paid_on_reissue", "failed", "unanswered")))]
    return (_figures("逐笔发放结果 outcome of each instructed line", rows),)


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
    breaks = sorted((names.name("break", kind), n) for kind, n in st["breaks"].items())
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
    reasons = [(names.name("reason", r), n) for r, n in c["by_reason"].items()]
    by_reason = Table("按原因 by reason", (Column("原因 reason"), LINES), lambda: reasons, len(reasons))
    items = Table("退回明细 unpaid lines",
                  (Column("序号 seq", ID), Column("姓名 name"), Column("身份证号 ID number"),
                   Column("账号 account"), AMOUNT, Column("原因 reason"), Column("后续 follow-up"),
                   Column("银行原因 bank reason")),
                  lambda: ((i["seq"], i["name"], i["id_number"], i["account_no"], i["amount_fen"],
                            names.name("reason", i["reason"]), names.name("follow_up", i["follow_up"]),
                            i["bank_reason"]) for i in c["lines"]),
                  len(c["lines"]))
    due = (c.get("due_back") or {}).get("records", [])
    due_back = Table("应收银行退回明细 due back from the bank, for recovery",
                     (Column("序号 seq", ID), Column("类别 kind"), AMOUNT, Column("文件 file", ID),
                      Column("记录 record", ID), Column("说明 detail")),
                     lambda: ((d["seq"], names.name("disposition", d["kind"]), d["due_fen"], d["file_id"], d["record"],
                               stored.shown(d["detail"])) for d in due),
                     len(due))
    totals = _summary(("拨付金额 funded", c["funded_fen"]), ("已发放金额 paid", c["paid_fen"]),
                      ("结余资金 surplus", c["surplus_fen"]), ("退回财政金额 refunded", c["refunded_fen"]))
    return Layout(c["report"], _batch_facts(c), (summary, by_reason, items, due_back, _checks(c["checks"])), totals)


def _aggregate(c: dict) -> Layout:
    s, t = c["scope"], c["totals"]
    facts = (("项目 program", s["program"]), ("期间 period", s["period"]), ("地区 region", s["region"]),
             ("批次数 batches", str(c["batch_count"])), ("截至 as of", beijing_time(c.get("as_of", ""))))
    totals = _figures("汇总 totals", [
        ("名册 roster asked", t["roster_count"], t["roster_fen"]),
        ("指令 finance instructed", t["instructed_count"], t["instructed_fen"]),
        ("拨付 finance funded", None, t["funded_fen"]),
        ("已发放 bank paid", t["paid_count"], t["paid_fen"]),
        ("失败 bank failed", t["failed_count"], t["failed_fen"]),
        *(() if "outcome_reissued_count" not in t else [("其中已补发 re-issued (failed, instructed again)",
                                                         t["outcome_reissued_count"], t["outcome_reissued_fen"])]),
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
                    lambda: ((b["id"], b["bank_code"], names.name("batch_status", b["status"]), b["instructed_count"],
                              b["instructed_fen"], b["funded_fen"], b["paid_fen"], b["failed_fen"], b["unreported_fen"],
                              b["ledger_refunded_fen"], b["discrepancy_count"],
                              "、".join(names.name("check", n) for n in b["failed_checks"]))
                             for b in c["batches"]),
                    len(c["batches"]))
    outcome = () if "outcome_paid_first_count" not in t else _outcome(
        {k: {"count": t[f"outcome_{k}_count"], "fen": t[f"outcome_{k}_fen"]}
         for k in ("paid_first", "paid_on_reissue", "failed", "unanswered")}, {})
    chart = _chart("各批次资金 money per batch (元)", c["batches"],
                   (("已发放 paid", lambda b: b["paid_fen"]), ("已退回 refunded", lambda b: b["ledger_refunded_fen"]),
                    ("未发放 unpaid", lambda b: b["failed_fen"] + b["unreported_fen"])))
    summary = _summary(("指令金额 instructed", t["instructed_fen"]), ("拨付金额 funded", t["funded_fen"]),
                       ("已发放金额 paid", t["ledger_paid_fen"]), ("已退回财政 refunded", t["ledger_refunded_fen"]))
    return Layout(c["report"], facts, (totals, *outcome, _discrepancies(c["discrepancies"]), batches,
                                       _checks(c["checks"])), summary, chart)


def _chart(title: str, batches: list[dict], series) -> Chart | None:
    """Per batch (its bank and id), each series' amount; beyond :data:`MAX_CHARTED` batches the
    rest are one bar group, 其他 others."""
    if not batches:
        return None
    shown_batches, rest = batches[:MAX_CHARTED - 1], batches[MAX_CHARTED - 1:]
    if len(rest) == 1:
        shown_batches, rest = batches, []
    categories = [f"{b['bank_code']} {b['id'][-6:]}" for b in shown_batches] + ([f"其他 {len(rest)} 批"] if rest else [])
    return Chart(title, tuple(categories),
                 tuple((name, tuple([pick(b) for b in shown_batches] + ([sum(pick(b) for b in rest)] if rest else [])))
                       for name, pick in series))


def _monthly(c: dict) -> Layout:
    s, t = c["scope"], c["totals"]
    facts = (("项目 program", s["program"]), ("地区 region", s["region"]), ("月份 month", s["month"]),
             ("自 from", beijing_time(s["from"])), ("至 until", beijing_time(s["until"])))
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
                    lambda: ((b["id"], b["period"], b["bank_code"], names.name("batch_status", b["status"]),
                              b["payment_due"] or "-",
                              b["paid_count"], b["paid_fen"], b["failed_count"], b["failed_fen"],
                              b["refunded_count"], b["refunded_fen"], b["late_count"], b["late_fen"],
                              b["outstanding_count"], b["outstanding_fen"]) for b in c["batches"]),
                    len(c["batches"]))
    chart = _chart("各批次本月资金 money per batch this month (元)", c["batches"],
                   (("已发放 paid", lambda b: b["paid_fen"]), ("已退回 refunded", lambda b: b["refunded_fen"]),
                    ("月末未结 outstanding", lambda b: b["outstanding_fen"])))
    summary = _summary(("本月拨付 funded this month", t["funded_fen"]), ("本月已发放 paid", t["paid_fen"]),
                       ("本月已退回 refunded", t["refunded_fen"]), ("月末未结 outstanding", t["outstanding_fen"]))
    return Layout(c["report"], facts, (totals, batches, _checks(c["checks"])), summary, chart)


_BUILDERS: dict[str, Callable[[dict], Layout]] = {
    "reconciliation": _reconciliation,
    "refund": _refund,
    "aggregate": _aggregate,
    "monthly": _monthly,
}
