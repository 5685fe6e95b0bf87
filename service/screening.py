"""Screening lines against the world outside their batch: duplicates of the same program and
period, the one-person-one-card registry, the stop list.

A submission screens each chunk of lines before it is stored, so a line goes in with its final
status; a correction screens the corrected lines; approval takes a last look at the stop list
(an entry may have arrived in between). The facts come from index probes for the candidates'
blind indexes; :func:`domain.eligibility.cross_batch_findings` turns them into findings.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection

from domain import eligibility, validation
from domain.eligibility import Candidate, ProgramPolicy
from domain.model import LineIssue, LineStatus, PaymentLine
from ledger import store
from privacy.cipher import ACCOUNT, ID, FieldCipher


def against_others(conn: Connection, batch_id: str, program: str, period: str, today: date,
                   policy: ProgramPolicy, candidates: Sequence[Candidate]) -> dict[int, list[LineIssue]]:
    """The findings of ``candidates`` (lines of ``batch_id``) by seq; changes nothing."""
    if not candidates:
        return {}
    id_indexes = [c.id_index for c in candidates]
    others = store.lines_sharing(conn, batch_id, id_indexes, [c.account_index for c in candidates])
    stops = store.stop_entries_for(conn, id_indexes)
    return eligibility.cross_batch_findings(candidates, others, stops, program, period, policy, today)


def before_storing(conn: Connection, batch, cipher: FieldCipher, corrected: Sequence[PaymentLine], today: date,
                   policy: ProgramPolicy) -> dict[int, list[LineIssue]]:
    """Every roster check against the world outside the line, for corrected lines not yet
    stored (a re-issue, a change of who is paid): the same person or account twice in the batch
    (the others as stored, these as corrected), already paid or in flight for the program and
    period, one person one card, the stop list. Changes nothing; the findings by seq."""
    if not corrected:
        return {}
    ids = cipher.index_many(ID, [ln.id_number.upper() for ln in corrected])
    accounts = cipher.index_many(ACCOUNT, [ln.account_no for ln in corrected])
    candidates = [Candidate(ln.seq, i, a) for ln, i, a in zip(corrected, ids, accounts, strict=True)]
    found = against_others(conn, batch.id, batch.program, batch.period, today, policy, candidates)
    mine = {c.seq for c in candidates}
    others = [(seq, i, a) for seq, i, a in store.batch_lines_sharing(conn, batch.id, ids, accounts) if seq not in mine]
    # the lines by person and by account, each in seq order: one look-up a corrected line, not a
    # scan of the batch (a re-issue of 30,000 lines was 9 x 10^8 comparisons)
    by_person: dict[bytes, list[int]] = {}
    by_account: dict[bytes, list[tuple[int, bytes]]] = {}
    for seq, i, a in sorted([*others, *((c.seq, c.id_index, c.account_index) for c in candidates)]):
        by_person.setdefault(i, []).append(seq)
        by_account.setdefault(a, []).append((seq, i))
    for c in candidates:
        same = next((seq for seq in by_person.get(c.id_index, ()) if seq != c.seq), None)
        shared = next((seq for seq, i in by_account.get(c.account_index, ()) if seq != c.seq and i != c.id_index),
                      None)
        for other, field_name, code, what in ((same, "id_number", validation.DUPLICATE_PERSON, "the same person"),
                                              (shared, "account_no", validation.ACCOUNT_SHARED,
                                               "the same account for another person")):
            if other is not None:
                found.setdefault(c.seq, []).append(LineIssue(
                    c.seq, field_name, code, eligibility.ERROR,
                    f"line {c.seq}: {field_name}: {what} as line {other} of this batch", batch.id, other))
    return found


def screen_stored(conn: Connection, batch, seqs: Sequence[int], today: date, policy: ProgramPolicy,
                  now: datetime) -> dict[int, list[LineIssue]]:
    """Screen stored lines of ``batch`` (after a correction) and record what is found."""
    found = against_others(conn, batch.id, batch.program, batch.period, today, policy,
                           store.screening_candidates(conn, batch.id, seqs))
    record(conn, batch.id, found, now)
    return found


def hold_stopped(conn: Connection, batch_id: str, today: date, now: datetime) -> int:
    """Hold accepted lines whose person was stopped since they were checked; how many."""
    found: dict[int, list[LineIssue]] = {}
    for seq, hit in store.stop_hits(conn, batch_id):
        if hit.entry.active_on(today):
            found.setdefault(seq, []).append(eligibility.stop_issue(seq, hit))
    record(conn, batch_id, found, now)
    return len(found)


def record(conn: Connection, batch_id: str, found: dict[int, list[LineIssue]], now: datetime) -> None:
    """Set each line's status from its findings (the worst decides) and store the findings."""
    by_status: dict[LineStatus, list[int]] = {}
    for seq, issues in found.items():
        by_status.setdefault(eligibility.fate(i.severity for i in issues), []).append(seq)
    for status, changed in by_status.items():
        store.set_line_status(conn, batch_id, changed, status)
    store.insert_issues(conn, batch_id, (i for issues in found.values() for i in issues), now)
