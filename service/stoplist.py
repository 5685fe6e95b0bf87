"""The stop list (停发名单): people who must not be paid from a date on, and the payments that
went out after that date anyway and must be recovered (追回).

Entries come from the civil affairs, justice and program offices; each names its source. An
entry is never deleted: it is revoked, by someone, with a reason.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain import beijing, idnumber
from domain.eligibility import StopEntry, StopKind
from domain.masking import mask_id
from i18n import Named
from i18n.stored import message
from ledger import stops, store
from service.context import Context
from service.errors import InvalidInput, NotFound, Violation


@dataclass(frozen=True)
class StopRequest:
    id_number: str
    kind: str
    effective_from: str  # YYYY-MM-DD
    effective_until: str = ""  # YYYY-MM-DD, exclusive; empty: open-ended
    source: str = ""
    note: str = ""


def add_entries(ctx: Context, requests: Sequence[StopRequest], actor: str) -> list:
    """Check every entry, then store all of them or none."""
    if not requests:
        raise InvalidInput("error.stop.no_entries", [Violation("entries", "REQUIRED", "send at least one entry")])
    checked, bad = [], []
    for i, r in enumerate(requests):
        where = f"entries[{i}]"
        try:
            id_number = idnumber.validate(r.id_number.strip(), today=ctx.clock().date())
        except idnumber.InvalidIdNumber as exc:
            bad.append(Violation(f"{where}.id_number", exc.code, exc.message))
            continue
        kind = r.kind.strip().upper()
        if kind not in StopKind.__members__:
            bad.append(Violation(f"{where}.kind", "STOP_KIND", f"{r.kind!r}; one of {', '.join(StopKind)}"))
            continue
        start, until = _day(r.effective_from, f"{where}.effective_from", bad), None
        if r.effective_until:
            until = _day(r.effective_until, f"{where}.effective_until", bad)
        if start and until and until <= start:
            bad.append(Violation(f"{where}.effective_until", "STOP_DATES", "must be after effective_from"))
        if not r.source.strip() or len(r.source) > 140:
            bad.append(Violation(f"{where}.source", "REQUIRED", "who reported it, 1 to 140 characters"))
        if len(r.note) > 400:
            bad.append(Violation(f"{where}.note", "FIELD_TOO_LONG", "at most 400 characters"))
        if start:
            checked.append((id_number.upper(), StopKind(kind), start, until, r.source.strip(), r.note))
    if bad:
        raise InvalidInput("error.stop.rejected", bad, count=len(bad))
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        ids = []
        for id_number, kind, start, until, source, note in checked:
            entry_id = stops.insert(conn, ctx.cipher, id_number, kind, start, until, source, note, actor, now)
            store.audit(conn, now, actor, "STOP_ADD", None, None,
                        message("audit.stop_add", entry=entry_id, id_number=mask_id(id_number),
                                kind=Named("stop_kind", kind), start=str(start), source=source))
            ids.append(entry_id)
        return stops.by_ids(conn, ids)


def query(ctx: Context, id_number: str, active_on: str = "") -> list:
    try:
        id_number = idnumber.validate(id_number.strip(), today=ctx.clock().date()).upper()
    except idnumber.InvalidIdNumber as exc:
        raise InvalidInput("error.stop.bad_id", [Violation("id_number", exc.code, exc.message)]) from None
    bad: list[Violation] = []
    day = _day(active_on, "active_on", bad) if active_on else None
    if bad:
        raise InvalidInput("error.request.bad_date", bad)
    with ctx.engine.connect() as conn:
        rows = stops.for_person(conn, ctx.cipher, id_number)
    if day is not None:
        rows = [r for r in rows if entry_of(r).active_on(day)]
    return rows


def revoke(ctx: Context, entry_id: int, reason: str, actor: str):
    if not reason.strip():
        raise InvalidInput("error.reason.required", [Violation("reason", "REQUIRED", "say why, for the record")])
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        if not stops.revoke(conn, entry_id, actor, now):
            raise NotFound("error.stop.none", entry=entry_id)
        store.audit(conn, now, actor, "STOP_REVOKE", None, None, message("audit.stop_revoke", entry=entry_id,
                                                                            reason=reason[:900]))
        return stops.by_ids(conn, [entry_id])[0]


@dataclass(frozen=True)
class Recovery:
    batch_id: str
    seq: int
    name: str
    id_masked: str
    account_masked: str
    amount_fen: int
    paid_on: date
    stop: object  # the stop entry row


def recoveries(ctx: Context, limit: int, banks: Iterable[str] | None = None) -> list[Recovery]:
    """Payments booked on or after the day the person's stop took effect, oldest first (paid by
    one of ``banks``, if given: a bank user's view)."""
    out = []
    with ctx.engine.connect() as conn:
        for line, entry, paid_at in stops.paid_after_stop_candidates(conn, banks):
            paid_on = beijing.day_of(paid_at)
            if entry_of(entry).active_on(paid_on):
                out.append(Recovery(line.batch_id, line.seq, line.name, line.id_masked, line.account_masked,
                                    line.amount_fen, paid_on, entry))
                if len(out) >= limit:
                    break
    return out


def entry_of(row) -> StopEntry:
    return StopEntry(StopKind(row.kind), row.effective_from, row.effective_until, row.revoked_at is not None)


def _day(text: str, where: str, bad: list[Violation]) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        bad.append(Violation(where, "DATE_FORMAT", f"{text!r} is not a date YYYY-MM-DD"))
        return None
