"""Screening accepted lines against the world outside their batch, in set-based queries:
duplicates of the same program and period, the one-person-one-card registry, the stop list.

Run at submission, after a correction and again at approval (a stop entry may have arrived in
between). Lines found are rejected or held with their issues recorded.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection

from domain import eligibility
from domain.eligibility import ERROR, HOLD, ProgramPolicy, StopKind
from domain.model import LineIssue, LineStatus
from ledger import store


def against_others(conn: Connection, batch_id: str, program: str, period: str, today: date,
                   policy: ProgramPolicy, now: datetime, seqs: Sequence[int] | None = None
                   ) -> dict[int, list[LineIssue]]:
    """Screen the batch's accepted lines (or only ``seqs``); returns the issues by line."""
    found: dict[int, list[LineIssue]] = {}
    if seqs is None:  # a whole batch was just stored
        store.refresh_statistics(conn)
    for seq, other_batch, other_seq in store.duplicate_payments(conn, batch_id, program, period, seqs):
        found.setdefault(seq, []).append(LineIssue(
            seq, "id_number", eligibility.DUPLICATE_PAYMENT, ERROR,
            f"line {seq}: id_number: this person is already paid or in flight for {program} {period} "
            f"in batch {other_batch} line {other_seq}", other_batch, other_seq))
    severity = eligibility.one_card_severity(policy)
    for seq, code, other_batch, other_seq in store.one_card_conflicts(conn, batch_id, seqs):
        two_accounts = code == eligibility.ONE_CARD_TWO_ACCOUNTS
        what = ("this person is registered with another account" if two_accounts
                else "this account is registered to another person")
        field_name = "id_number" if two_accounts else "account_no"
        found.setdefault(seq, []).append(LineIssue(
            seq, field_name, code, severity,
            f"line {seq}: {field_name}: {what} (batch {other_batch} line {other_seq})", other_batch, other_seq))
    found.update(stop_holds(conn, batch_id, today, seqs, found))
    _apply(conn, batch_id, found, now)
    return found


def stop_holds(conn: Connection, batch_id: str, today: date, seqs: Sequence[int] | None = None,
               found: dict[int, list[LineIssue]] | None = None) -> dict[int, list[LineIssue]]:
    out = dict(found or {})
    for seq, kind, entry_id in store.stop_hits(conn, batch_id, today, seqs):
        out.setdefault(seq, []).append(LineIssue(
            seq, "id_number", StopKind(kind).code, HOLD,
            f"line {seq}: id_number: on the stop list as {kind} (entry {entry_id})"))
    return out


def hold_stopped(conn: Connection, batch_id: str, today: date, now: datetime) -> int:
    """Hold accepted lines whose person was stopped since they were checked; how many."""
    found = stop_holds(conn, batch_id, today)
    _apply(conn, batch_id, found, now)
    return len(found)


def _apply(conn: Connection, batch_id: str, found: dict[int, list[LineIssue]], now: datetime) -> None:
    by_status: dict[LineStatus, list[int]] = {}
    for seq, issues in found.items():
        by_status.setdefault(eligibility.fate(i.severity for i in issues), []).append(seq)
    for status, changed in by_status.items():
        store.set_line_status(conn, batch_id, changed, status)
    store.insert_issues(conn, batch_id, (i for issues in found.values() for i in issues), now)
