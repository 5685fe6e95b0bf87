"""A file row's stored reading report (``domain/reading_report.py``, JSON) as its RPC message."""
from __future__ import annotations

from domain.reading_report import stored
from i18n import name
from i18n.stored import shown


def reading_to_pb(text: str | None):
    """The ``ReadingReport`` message of a ``reading_report`` column; None (the field unset) for a
    file without one. Skipped records' details and the notes are said in the call's language (a
    report stored before messages keeps its English, shown as it is)."""
    from ykt.v1 import disbursement_pb2 as pb  # imported when used: the CLI starts without protobuf

    report = stored(text)
    if report is None:
        return None
    sk = report["skipped"]
    return pb.ReadingReport(
        records=report["read"]["records"], total_fen=report["read"]["total_fen"],
        skipped_count=sk["count"], skipped_fen=sk["total_fen"], skipped_unpriced=sk["unpriced"],
        by_reason=[pb.SkippedReason(reason=code, label=name("skip_reason", code), count=slot["count"],
                                    total_fen=slot["total_fen"], unpriced=slot["unpriced"])
                   for code, slot in sk["by_reason"].items()],
        first_skipped=[pb.SkippedRecord(where=s["where"], reason=s["reason"], detail=shown(s["detail"]),
                                        amount_fen=s["amount_fen"] or 0, has_amount=s["amount_fen"] is not None)
                       for s in sk["first"]],
        notes=[shown(n) for n in report.get("notes", [])],
    )


SHOWN_ITEMS = 5  # skipped records listed under a file in ``ykt files``


def reading_notes(f) -> list[str]:
    """The lines ``ykt files`` shows under a file with a reading report: read, skipped per
    reason with totals, the first few skipped records, the reader's notes. None without one."""
    from domain.money import yuan
    from i18n import say

    if not f.HasField("reading_report"):
        return []
    r = f.reading_report
    out = [say("reading.read", records=f"{r.records:,}", total=yuan(r.total_fen))]
    if not r.skipped_count:
        out[0] += "; " + say("reading.skipped_none")
    else:
        reasons = "; ".join(
            say("reading.reason", label=name("skip_reason", s.reason), count=f"{s.count:,}", total=yuan(s.total_fen))
            + (", " + say("reading.unpriced", count=s.unpriced) if s.unpriced else "") for s in r.by_reason)
        out.append(say("reading.skipped", count=f"{r.skipped_count:,}", reasons=reasons))
        out += [say("reading.item", where=s.where, label=name("skip_reason", s.reason), detail=s.detail)
                for s in r.first_skipped[:SHOWN_ITEMS]]
        if r.skipped_count > min(SHOWN_ITEMS, len(r.first_skipped)):
            out.append(say("reading.more", count=f"{r.skipped_count - min(SHOWN_ITEMS, len(r.first_skipped)):,}"))
    out += [say("reading.note", note=n) for n in r.notes]
    return out
