"""The reading report of an inbound file (issue 15 item 5): what was read, what was skipped, why.

A reader yields the records it can book and keeps the others in ``skipped`` with a reason code
(foreign currency, another account, a status not final yet, an amount of zero...): no record is
dropped silently. The service stores this report with every result file and statement it takes,
and ``ykt files`` and the file RPCs show it. Plain data in, plain data out (JSON-ready), so the
figures are tested without a database.

    report = reading_report(records=120, total_fen=1_234_500, skipped=reader.skipped)
    {"read": {"records": 120, "total_fen": 1234500},
     "skipped": {"count": 2, "total_fen": 3000, "unpriced": 0,
                 "by_reason": {"FOREIGN_CURRENCY": {"count": 2, "total_fen": 3000, "unpriced": 0}},
                 "first": [{"where": "line 12", "reason": "FOREIGN_CURRENCY", "detail": "...",
                            "amount_fen": 1500}, ...]},
     "notes": []}

A skipped record without an amount in our currency (a foreign-currency entry) counts in
``unpriced``, never as 0 fen in a total.

A listed record's ``detail`` and each note are stored texts (``i18n.stored``): a message when
the reader or ingest said it in catalogue words, else the English sentence, so the report is
said in the language of whoever reads it (``i18n.stored.shown``); a report stored before keeps
its English sentences, shown as they are. The stored form never depends on a reader's language.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from domain.money import yuan

FIRST_ITEMS = 20  # skipped records listed one by one; counts and totals always cover all
NOTES = 20


def reading_report(records: int, total_fen: int, skipped: Iterable, notes: Iterable[str] = (),
                   first: int = FIRST_ITEMS) -> dict:
    """The report of a file read in full: ``records`` yielded adding up to ``total_fen``, and
    ``skipped`` (``bank_formats.base.Skipped``: where, reason, amount_fen, and ``stored()``, its
    detail as a stored text); ``notes`` are stored texts too."""
    by_reason: dict[str, dict] = {}
    listed, count, total, unpriced = [], 0, 0, 0
    for s in skipped:
        count += 1
        slot = by_reason.setdefault(s.reason, {"count": 0, "total_fen": 0, "unpriced": 0})
        slot["count"] += 1
        if s.amount_fen is None:
            slot["unpriced"] += 1
            unpriced += 1
        else:
            slot["total_fen"] += s.amount_fen
            total += s.amount_fen
        if len(listed) < first:
            listed.append({"where": s.where, "reason": s.reason, "detail": s.stored(), "amount_fen": s.amount_fen})
    return {"read": {"records": records, "total_fen": total_fen},
            "skipped": {"count": count, "total_fen": total, "unpriced": unpriced,
                        "by_reason": dict(sorted(by_reason.items())), "first": listed},
            "notes": list(notes)[:NOTES]}


def summary(report: dict | None) -> str:
    """One line for people: ``read 120 (12,345.00); skipped 2: FOREIGN_CURRENCY 2 (30.00)``."""
    if not report:
        return ""
    read = report["read"]
    text = f"read {read['records']} ({yuan(read['total_fen'])})"
    sk = report["skipped"]
    if sk["count"]:
        parts = [f"{reason} {slot['count']}" + (f" ({yuan(slot['total_fen'])})" if slot["total_fen"] else "")
                 + (f" [{slot['unpriced']} without amount in CNY]" if slot["unpriced"] else "")
                 for reason, slot in sk["by_reason"].items()]
        text += f"; skipped {sk['count']}: " + ", ".join(parts)
    else:
        text += "; skipped none"
    return text


def reading_columns(report: dict) -> dict:
    """The columns a file row keeps of its report: the JSON, and the skipped count and fen."""
    return {"reading_report": json.dumps(report, ensure_ascii=False, separators=(",", ":")),
            "skipped_count": report["skipped"]["count"], "skipped_fen": report["skipped"]["total_fen"]}


def stored(text: str | None) -> dict | None:
    """The report a file row keeps (``reading_report``), or None for a file taken before reports."""
    return json.loads(text) if text else None
