"""What a failed payment calls for, and how a bank's own failure codes map to canonical reasons.

Every bank reports failures in its own words: ISO 20022 reason codes, four-digit codes, ``E01``
style codes, or only a text such as 户名不符. Each format family maps its documented codes to
:class:`~domain.model.FailureReason`; a bank profile may add codes of its own
(``reason_codes`` in its TOML). A code nobody knows is kept verbatim on the record and classed
as OTHER, never dropped, so an accountant can still read what the bank said.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import replace

import i18n
from domain.model import FailureReason, PaymentOutcome, ResultRecord


class FollowUp(enum.StrEnum):
    """What the department does about a failed line."""

    REISSUE_AFTER_CORRECTION = "REISSUE_AFTER_CORRECTION"  # fix account or name, pay again (补发)
    STOP = "STOP"  # do not pay again until the person's eligibility is checked (停发)
    REFUND = "REFUND"  # give up the line; its money goes back to finance with the surplus


FOLLOW_UP: Mapping[FailureReason, FollowUp] = {
    FailureReason.ACCOUNT_NOT_FOUND: FollowUp.REISSUE_AFTER_CORRECTION,
    FailureReason.NAME_MISMATCH: FollowUp.REISSUE_AFTER_CORRECTION,
    FailureReason.ACCOUNT_CLOSED: FollowUp.REISSUE_AFTER_CORRECTION,  # a new card is needed
    FailureReason.ACCOUNT_FROZEN: FollowUp.STOP,  # frozen by a court or the bank: ask first
    FailureReason.ID_MISMATCH: FollowUp.STOP,  # the person may not be who the roster says
    FailureReason.CARD_LOST: FollowUp.REISSUE_AFTER_CORRECTION,  # pay to the replacement card
    FailureReason.OTHER: FollowUp.REFUND,
}

# Each reason's Chinese name (账户不存在, 户名不符...), from i18n's catalogue: one place for the words.
LABEL_ZH: Mapping[FailureReason, str] = {r: i18n.name("reason", r.value, "zh") for r in FailureReason}


def follow_up(reason: FailureReason) -> FollowUp:
    return FOLLOW_UP[reason]


def parse_reason_codes(table: Mapping[str, str], where: str) -> dict[str, FailureReason]:
    """A profile's ``reason_codes`` (bank code → canonical reason name), checked.

    Raises ValueError naming ``where`` and the code whose reason is not a canonical one.
    """
    codes: dict[str, FailureReason] = {}
    for code, name in table.items():
        try:
            codes[code] = FailureReason(name)
        except ValueError:
            known = ", ".join(r.value for r in FailureReason)
            raise ValueError(f"{where}{code}: {name!r} is not a failure reason; known: {known}") from None
    return codes


def reclassify(record: ResultRecord, bank_codes: Mapping[str, FailureReason]) -> ResultRecord:
    """The record with its reason taken from the bank's own code table, where the bank has one.

    The format family already classed the record by its documented codes; a profile's table
    wins for the codes it lists. The bank's code and text stay on the record verbatim.
    """
    if record.outcome is not PaymentOutcome.FAILED or not bank_codes:
        return record
    reason = bank_codes.get(record.bank_code)
    if reason is None or reason is record.reason:
        return record
    return replace(record, reason=reason)
