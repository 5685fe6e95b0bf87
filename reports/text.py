"""Plain-text rendering of issued reports, for people at a terminal or on paper."""
from __future__ import annotations

import unicodedata

from domain.money import yuan
from reports import names
from reports.capitals import capitals
from reports.documents import Document
from reports.layout import TEXT, Layout, beijing_time, layout, shown


def _columns(text: str) -> int:
    """Terminal columns the text takes: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-justify in terminal columns."""
    return text + " " * max(width - _columns(text), 0)


def _right(text: str, width: int) -> str:
    """Right-justify in terminal columns."""
    return " " * max(width - _columns(text), 0) + text


SHOWN_ROWS = 50  # rows of a table shown at a terminal; the exports hold them all


def render(doc: Document) -> str:
    own = {"reconciliation": _reconciliation, "refund": _refund}.get(doc.kind)
    view = layout(doc)
    body = own(doc.content) if own else _tables(view)
    body += "".join(f"\n  {label}: {yuan(fen)}  {capitals(fen)}" for label, fen in view.summary)
    if doc.issued_at:
        body += f"\n出具时间 issued at: {beijing_time(doc.issued_at)} (not part of the signed content)"
    out = []
    for copy in doc.copies:
        out += [f"=== {copy.label} ===", body,
                f"content sha256: {copy.digest}", f"signature (Ed25519): {copy.signature}", ""]
    return "\n".join(out)


def _batch(b: dict) -> list[str]:
    return [
        f"batch {b['id']}  program {b['program']}  period {b['period']}  region {b['region']}",
        f"bank {b['bank_code']}  status {names.name('batch_status', b['status'])}  "
        f"payment due {b['payment_due'] or '-'}",
    ]


def _row(label: str, count: int | None, fen: int) -> str:
    n = "" if count is None else f"{count:>10,}"
    return f"  {_pad(label, 34)}{n:>10}  {yuan(fen):>18}"


def _reconciliation(c: dict) -> str:
    r, f, b, ledger = c["roster"], c["finance"], c["bank"], c["ledger"]
    lines = ["三联单 triple-copy reconciliation", *_batch(c["batch"]), "",
             f"  {'':<34}{'lines':>10}  {'amount (CNY)':>18}",
             _row("roster asked 名册", r["count"], r["total_fen"]),
             _row("finance instructed 指令", f["instructed_count"], f["instructed_fen"]),
             _row("finance funded 拨付", None, f["funded_fen"]),
             _row("bank paid 已发放", b["paid_count"], b["paid_fen"]),
             _row("bank failed 失败", b["failed_count"], b["failed_fen"]),
             *([_row("  of which re-issued 其中已补发", c["outcome"]["reissued"]["count"],
                     c["outcome"]["reissued"]["fen"])] if "outcome" in c else []),
             _row("bank not reported 未回盘", b["unreported_count"], b["unreported_fen"]),
             _row("due back from the bank 应收银行退回", b.get("due_back_count"), b.get("due_back_fen", 0)),
             _row("ledger paid", None, ledger["paid_fen"]),
             _row("ledger suspense (failed)", None, ledger["suspense_fen"]),
             _row("ledger clearing", None, ledger["clearing_fen"]),
             _row("ledger refunded to finance", None, ledger["refunded_fen"]),
             ""]
    if "outcome" in c:
        o = c["outcome"]
        lines += ["each instructed line by how it ended:",
                  _row("paid first time 首次发放成功", o["paid_first"]["count"], o["paid_first"]["fen"]),
                  _row("paid on re-issue 补发后发放成功", o["paid_on_reissue"]["count"], o["paid_on_reissue"]["fen"]),
                  _row("failed, not paid 失败未发放", o["failed"]["count"], o["failed"]["fen"]),
                  _row("no answer 未回盘", o["unanswered"]["count"], o["unanswered"]["fen"]), ""]
    lines += ["discrepancies:"]
    for slot in c["discrepancies"].values():
        lines.append(_row(slot["label"], slot["count"], slot["fen"]))
        for item in slot["lines"][:10]:
            lines.append(f"      line {item['seq']}: {names.name('reason', item.get('reason'))} "
                         f"{names.reasons_in(item['detail'])}".rstrip())
    quarantined = c.get("quarantined_files")
    if quarantined:
        lines.append(f"  {_pad(quarantined['label'], 34)}{quarantined['count']:>10,}")
        for f in quarantined["files"][:10]:
            lines.append(f"      file {f['file_id']} {f['name']} ({f['concerns']}): {f['reasons'][:200]}")
    lines += ["", "checks:"] + [f"  {'ok ' if ok else 'FAIL'} {names.name('check', n)}" for n, ok in c["checks"].items()]
    return "\n".join(lines)


def _refund(c: dict) -> str:
    lines = ["结余资金退回 refund of surplus", *_batch(c["batch"]), "",
             _row("funded", None, c["funded_fen"]),
             _row("paid", None, c["paid_fen"]),
             _row("surplus refunded", c["refunded_count"], c["refunded_fen"]),
             _row("due back from the bank (not in the refund)", (c.get("due_back") or {}).get("count"),
                  (c.get("due_back") or {}).get("fen", 0)),
             "", "by reason:"]
    lines += [f"  {_pad(names.name('reason', reason), 34)}{n:>10,}" for reason, n in c["by_reason"].items()]
    lines += ["", "unpaid lines:"]
    lines += [f"  {i['seq']:>8}  {_pad(i['name'], 10)} {i['id_number']:<20} {i['account_no']:<22}"
              f"{yuan(i['amount_fen']):>14}  {names.name('reason', i['reason'])}" for i in c["lines"][:50]]
    if len(c["lines"]) > 50:
        lines.append(f"  ... and {len(c['lines']) - 50} more (see the JSON)")
    lines += ["", "checks:"] + [f"  {'ok ' if ok else 'FAIL'} {names.name('check', n)}" for n, ok in c["checks"].items()]
    return "\n".join(lines)


def _tables(view: Layout) -> str:
    """Any other kind of report, table by table from its layout."""
    lines = [view.title, *(f"{label}: {value}" for label, value in view.facts)]
    for table in view.tables:
        lines += ["", f"{table.title}:"]
        if table.count == 0:
            lines.append("  none")
            continue
        first, *others = table.columns
        widths = [max(_columns(c.title), 14) + 2 for c in others]

        def line(head: str, rest: list[str]) -> str:
            return "  " + _pad(head, 34) + "".join(
                _right(v, w) if c.kind != TEXT else "  " + _pad(v, w - 2) for v, c, w in zip(rest, others, widths)
            ).rstrip()

        lines.append(line(first.title, [c.title for c in others]))
        for n, row in enumerate(table.rows()):
            if n == SHOWN_ROWS:
                lines.append(f"  ... and {table.count - SHOWN_ROWS} more (see the exports)")
                break
            head, *rest = (shown(v, c.kind) for v, c in zip(row, table.columns, strict=True))
            lines.append(line(head, rest))
    return "\n".join(lines)
