"""Who may be paid: the checks of a roster line against everything outside its batch.

:mod:`domain.validation` checks a line on its own and against the other lines of its batch.
This module holds the rules that need the rest of the world: the same person already paid or
in flight for the same program and period (重发), the one-person-one-card registry (一人一卡),
the stop list of people who must not be paid (deceased, imprisoned, ineligible) and the region
of the beneficiary. The service layer finds the facts with set-based queries; the rules that
turn facts into a line's fate are plain functions here.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.model import LineStatus

# Reason codes (stable strings, like those of domain.validation).
DUPLICATE_PAYMENT = "DUPLICATE_PAYMENT"  # same person, program and period in another batch
ONE_CARD_TWO_ACCOUNTS = "ONE_CARD_TWO_ACCOUNTS"  # this ID is registered with another account
ONE_CARD_SHARED_ACCOUNT = "ONE_CARD_SHARED_ACCOUNT"  # this account is registered to another ID
REGION_OUTSIDE = "REGION_OUTSIDE"  # the ID was issued outside the batch's region
FIELD_TOO_LONG = "FIELD_TOO_LONG"  # longer than the roster format allows

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
REGISTERED = (LineStatus.PENDING, LineStatus.PAID)
# Lines that count as "already paid or in flight" for the duplicate check.
IN_FLIGHT_OR_PAID = (LineStatus.PENDING, LineStatus.PAID, LineStatus.HELD)
