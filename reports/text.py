"""Plain-text rendering of issued reports, for people at a terminal or on paper: labels and the
names of codes in the language of the call or the command (i18n/catalogue_reports.py), the
document's title as the PDF prints it."""
from __future__ import annotations

import unicodedata

import i18n
from domain.money import yuan
from i18n import stored
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


def _say(key: str, **fields) -> str:
    return i18n.say(f"report.text.{key}", **fields)


def _batch(b: dict) -> list[str]:
    return [
        _say("batch", id=b["id"], program=b["program"], period=b["period"], region=b["region"]),
        _say("bank", bank=b["bank_code"], status=names.name("batch_status", b["status"]), due=b["payment_due"] or "-"),
    ]


def _checks(checks: dict) -> list[str]:
    return ["", _say("checks")] + [f"  {_pad(_say('ok') if ok else _say('fail'), 4)} {names.name('check', n)}"
                                   for n, ok in checks.items()]


def _row(label: str, count: int | None, fen: int) -> str:
    n = "" if count is None else f"{count:>10,}"
    return f"  {_pad(label, 34)}{n:>10}  {yuan(fen):>18}"


def _reconciliation(c: dict) -> str:
    r, f, b, ledger = c["roster"], c["finance"], c["bank"], c["ledger"]
    lines = ["三联单 triple-copy reconciliation", *_batch(c["batch"]), "",
             f"  {'':<34}{_right(_say('lines'), 10)}  {_right(_say('amount'), 18)}",
             _row(_say("roster"), r["count"], r["total_fen"]),
             _row(_say("instructed"), f["instructed_count"], f["instructed_fen"]),
             _row(_say("funded"), None, f["funded_fen"]),
             _row(_say("bank_paid"), b["paid_count"], b["paid_fen"]),
             _row(_say("bank_failed"), b["failed_count"], b["failed_fen"]),
             *([_row(_say("reissued"), c["outcome"]["reissued"]["count"],
                     c["outcome"]["reissued"]["fen"])] if "outcome" in c else []),
             _row(_say("unreported"), b["unreported_count"], b["unreported_fen"]),
             _row(_say("due_back"), b.get("due_back_count"), b.get("due_back_fen", 0)),
             _row(_say("ledger_paid"), None, ledger["paid_fen"]),
             _row(_say("ledger_suspense"), None, ledger["suspense_fen"]),
             _row(_say("ledger_clearing"), None, ledger["clearing_fen"]),
             _row(_say("ledger_refunded"), None, ledger["refunded_fen"]),
             ""]
    if "outcome" in c:
        o = c["outcome"]
        lines += [_say("by_outcome"),
                  _row(_say("paid_first"), o["paid_first"]["count"], o["paid_first"]["fen"]),
                  _row(_say("paid_on_reissue"), o["paid_on_reissue"]["count"], o["paid_on_reissue"]["fen"]),
                  _row(_say("failed_unpaid"), o["failed"]["count"], o["failed"]["fen"]),
                  _row(_say("unanswered"), o["unanswered"]["count"], o["unanswered"]["fen"]), ""]
    lines += [_say("discrepancies")]
    for kind, slot in c["discrepancies"].items():
        lines.append(_row(names.name("discrepancy", kind), slot["count"], slot["fen"]))
        for item in slot["lines"][:10]:
            lines.append(f"      {_say('line', seq=item['seq'])}{names.name('reason', item.get('reason'))} "
                         f"{names.reasons_in(stored.shown(item['detail']))}".rstrip())
    quarantined = c.get("quarantined_files")
    if quarantined:
        lines.append(f"  {_pad(quarantined['label'], 34)}{quarantined['count']:>10,}")
        for f in quarantined["files"][:10]:
            lines.append(f"      {_say('file')} {f['file_id']} {f['name']} ({stored.shown(f['concerns'])}): "
                         f"{stored.shown(f['reasons'])[:200]}")
    lines += _checks(c["checks"])
    return "\n".join(lines)


def _refund(c: dict) -> str:
    lines = ["结余资金退回 refund of surplus", *_batch(c["batch"]), "",
             _row(_say("refund_funded"), None, c["funded_fen"]),
             _row(_say("refund_paid"), None, c["paid_fen"]),
             _row(_say("refunded"), c["refunded_count"], c["refunded_fen"]),
             _row(_say("due_back_apart"), (c.get("due_back") or {}).get("count"),
                  (c.get("due_back") or {}).get("fen", 0)),
             "", _say("by_reason")]
    lines += [f"  {_pad(names.name('reason', reason), 34)}{n:>10,}" for reason, n in c["by_reason"].items()]
    lines += ["", _say("unpaid_lines")]
    lines += [f"  {i['seq']:>8}  {_pad(i['name'], 10)} {i['id_number']:<20} {i['account_no']:<22}"
              f"{yuan(i['amount_fen']):>14}  {names.name('reason', i['reason'])}" for i in c["lines"][:50]]
    if len(c["lines"]) > 50:
        lines.append(_say("more_json", count=len(c["lines"]) - 50))
    lines += _checks(c["checks"])
    return "\n".join(lines)


def _tables(view: Layout) -> str:
    """Any other kind of report, table by table from its layout."""
    lines = [view.title, *(f"{label}: {value}" for label, value in view.facts)]
    for table in view.tables:
        lines += ["", f"{table.title}:"]
        if table.count == 0:
            lines.append(_say("none"))
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
                lines.append(_say("more_exports", count=table.count - SHOWN_ROWS))
                break
            head, *rest = (shown(v, c.kind) for v, c in zip(row, table.columns, strict=True))
            lines.append(line(head, rest))
    return "\n".join(lines)
