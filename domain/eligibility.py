"""Who may be paid: the checks of a roster line against everything outside its batch.

:mod:`domain.validation` checks a line on its own and against the other lines of its batch.
This module holds the rules that need the rest of the world: the same person already paid or
in flight for the same program and period (重发), the one-person-one-card registry (一人一卡),
the stop list of people who must not be paid (deceased, imprisoned, ineligible) and the region
of the beneficiary. The service layer finds the facts (the other batches' lines and the stop
entries that share a person or an account with the lines at hand, a chunk at a time); the rules
that turn facts into findings and a line's fate are plain functions here.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.model import LineIssue, LineStatus

# Reason codes (stable strings, like those of domain.validation).
DUPLICATE_PAYMENT = "DUPLICATE_PAYMENT"  # same person, program and period in another batch
ONE_CARD_TWO_ACCOUNTS = "ONE_CARD_TWO_ACCOUNTS"  # this ID is registered with another account
ONE_CARD_SHARED_ACCOUNT = "ONE_CARD_SHARED_ACCOUNT"  # this account is registered to another ID
ONE_CARD_CODES = frozenset({ONE_CARD_TWO_ACCOUNTS, ONE_CARD_SHARED_ACCOUNT})
REGION_OUTSIDE = "REGION_OUTSIDE"  # the ID was issued outside the batch's region
FIELD_TOO_LONG = "FIELD_TOO_LONG"  # longer than the roster format allows
# Longest text the roster stores per field (FIELD_TOO_LONG beyond; never a silent cut): here, not in
# service.submission, so that ykt batch submit checks them without importing the service.
WIDTHS = {"bank_name": 140, "subsidy_item": 140, "remark": 140, "address": 140, "household_no": 32}

# What a finding does to its line.
ERROR, HOLD, WARNING = "error", "hold", "warning"


class StopKind(enum.StrEnum):
    """Why a person must not be paid (停发)."""

    DECEASED = "DECEASED"  # 死亡
    IMPRISONED = "IMPRISONED"  # 服刑
    INELIGIBLE = "INELIGIBLE"  # no longer meets the program's conditions

    @property
    def code(self) -> str:
        return f"STOP_{self.value}"


STOP_CODES = frozenset(k.code for k in StopKind)


class OneCardPolicy(enum.StrEnum):
    REJECT = "reject"  # the department must correct the line
    HOLD = "hold"  # the line waits for a reviewer to release or remove it


class RegionPolicy(enum.StrEnum):
    WARN = "warn"
    HOLD = "hold"


@dataclass(frozen=True)
class ProgramPolicy:
    """How strictly a subsidy program treats findings that may have an innocent explanation.

    A changed card (lost, replaced) and a person registered far from where the ID was issued
    are common and legitimate; whether they stop a payment until someone looks is the program's
    choice. ``region_digits`` is how much of the division code must match: 2 province, 4
    prefecture, 6 county.
    """

    one_card: OneCardPolicy = OneCardPolicy.HOLD
    region: RegionPolicy = RegionPolicy.WARN
    region_digits: int = 4

    def __post_init__(self) -> None:
        if self.region_digits not in (2, 4, 6):
            raise ValueError("region_digits must be 2 (province), 4 (prefecture) or 6 (county)")


@dataclass(frozen=True)
class StopEntry:
    kind: StopKind
    effective_from: date
    effective_until: date | None = None  # exclusive
    revoked: bool = False

    def active_on(self, day: date) -> bool:
        return (not self.revoked and self.effective_from <= day
                and (self.effective_until is None or day < self.effective_until))


def one_card_severity(policy: ProgramPolicy) -> str:
    return ERROR if policy.one_card is OneCardPolicy.REJECT else HOLD


def region_finding(id_region: str, batch_region: str, policy: ProgramPolicy) -> str | None:
    """The severity of a region anomaly, or None when the ID belongs to the batch's region."""
    n = policy.region_digits
    if len(id_region) < n or id_region[:n] == batch_region[:n]:
        return None
    return HOLD if policy.region is RegionPolicy.HOLD else WARNING


def fate(severities: Iterable[str]) -> LineStatus:
    """A line's status from the severities of its findings: any error rejects, any hold holds."""
    seen = set(severities)
    if ERROR in seen:
        return LineStatus.REJECTED
    if HOLD in seen:
        return LineStatus.HELD
    return LineStatus.PENDING


# Lines that hold a place in the registry: money is on its way to, or reached, that account.
REGISTERED = frozenset({LineStatus.PENDING.value, LineStatus.PAID.value})
# Lines that count as "already paid or in flight" for the duplicate check.
IN_FLIGHT_OR_PAID = frozenset({LineStatus.PENDING.value, LineStatus.PAID.value, LineStatus.HELD.value})
# What screening asks the ledger for: the lines of other batches either rule may name.
SCREENED = REGISTERED | IN_FLIGHT_OR_PAID


@dataclass(frozen=True)
class Candidate:
    """A line to screen, by its blind indexes (the person and the account, never in clear)."""

    seq: int
    id_index: bytes
    account_index: bytes


@dataclass(frozen=True)
class OtherLine:
    """A line of another batch that shares a person or an account with a candidate."""

    id_index: bytes
    account_index: bytes
    batch_id: str
    seq: int
    status: str
    program: str
    period: str


@dataclass(frozen=True)
class StopHit:
    """A stop entry of the person with this blind index (active or not: the rule decides)."""

    id_index: bytes
    entry_id: int
    entry: StopEntry


def cross_batch_findings(candidates: Iterable[Candidate], others: Iterable[OtherLine], stops: Iterable[StopHit],
                         program: str, period: str, policy: ProgramPolicy, today: date) -> dict[int, list[LineIssue]]:
    """The findings of each candidate against the world outside its batch, by seq.

    In this order: already paid or in flight for the same program and period (rejected),
    one person with another account, one account with another person (the program's one-card
    policy), then each stop entry active ``today`` (held). A finding names the first other line
    by (batch, seq), so the same facts always give the same message.
    """
    by_id: dict[bytes, list[OtherLine]] = {}
    by_account: dict[bytes, list[OtherLine]] = {}
    for other in others:
        by_id.setdefault(other.id_index, []).append(other)
        by_account.setdefault(other.account_index, []).append(other)
    stops_by_id: dict[bytes, list[StopHit]] = {}
    for hit in sorted(stops, key=lambda h: h.entry_id):
        if hit.entry.active_on(today):
            stops_by_id.setdefault(hit.id_index, []).append(hit)
    one_card = one_card_severity(policy)
    found: dict[int, list[LineIssue]] = {}
    for c in candidates:
        same_person, same_account = by_id.get(c.id_index, ()), by_account.get(c.account_index, ())
        stopped = stops_by_id.get(c.id_index, ())
        if not (same_person or same_account or stopped):
            continue
        issues = []
        for other, field_name, code, severity, what in (
            (_first(o for o in same_person
                    if o.status in IN_FLIGHT_OR_PAID and o.program == program and o.period == period),
             "id_number", DUPLICATE_PAYMENT, ERROR, f"this person is already paid or in flight for {program} {period}"),
            (_first(o for o in same_person if o.status in REGISTERED and o.account_index != c.account_index),
             "id_number", ONE_CARD_TWO_ACCOUNTS, one_card, "this person is registered with another account"),
            (_first(o for o in same_account if o.status in REGISTERED and o.id_index != c.id_index),
             "account_no", ONE_CARD_SHARED_ACCOUNT, one_card, "this account is registered to another person"),
        ):
            if other is not None:
                issues.append(LineIssue(c.seq, field_name, code, severity,
                                        f"line {c.seq}: {field_name}: {what} (batch {other.batch_id} line {other.seq})",
                                        other.batch_id, other.seq))
        issues += [stop_issue(c.seq, hit) for hit in stopped]
        if issues:
            found[c.seq] = issues
    return found


def stop_issue(seq: int, hit: StopHit) -> LineIssue:
    kind = hit.entry.kind
    return LineIssue(seq, "id_number", kind.code, HOLD,
                     f"line {seq}: id_number: on the stop list as {kind.value} (entry {hit.entry_id})")


def _first(others: Iterable[OtherLine]) -> OtherLine | None:
    return min(others, key=lambda o: (o.batch_id, o.seq), default=None)
