"""Separation of duties: who may not do a thing, given who did what before.

The role table (``adapter/auth.py``) says which *role* may call an RPC; this module says which
*person* may not, whatever roles they hold: no one person can move money alone. Every rule is
one row of :data:`BARRED`: a duty, and the earlier parts on the same batch (or the same change)
that bar whoever played them from it. The service layer collects who played each part and asks
:func:`conflicts` (or :func:`refusal`, for a message naming each conflict).

=========================  =================================================================
duty                       barred: whoever ...
=========================  =================================================================
approve a batch            submitted it, or corrected any of its lines (a correction re-enters
                           a line, and may change who is paid)
fund a batch               approved it (a setting may waive this for named programs only:
                           ``[duties] approver_may_fund``; off by default)
approve a change of who    made the change, or submitted the batch
is paid (a re-issue to
another name, ID number
or account)
re-issue an unanswered     gave the leave to re-issue it (the leave is a second person's)
line on leave
=========================  =================================================================

Pure: no I/O, no settings; ``waived`` carries what a setting lifts.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import i18n

__all__ = ["BARRED", "WAIVABLE", "Duty", "Part", "conflicts", "refusal"]


class Part(enum.StrEnum):
    """What someone did earlier on the same batch or change."""

    SUBMITTED = "SUBMITTED"  # submitted the batch
    CORRECTED = "CORRECTED"  # corrected a rejected or held line of it before approval
    APPROVED = "APPROVED"  # approved the batch
    CHANGED = "CHANGED"  # made a change of who is paid (re-issue to another person or account)
    GAVE_LEAVE = "GAVE_LEAVE"  # gave leave to re-issue a line the bank has not answered

    @property
    def who(self) -> str:
        return _WHO[self]


_WHO = {part: i18n.name("part", part.value, "en") for part in Part}  # "its submitter"... (i18n's words)


class Duty(enum.StrEnum):
    APPROVE_BATCH = "APPROVE_BATCH"
    FUND_BATCH = "FUND_BATCH"
    APPROVE_LINE_CHANGE = "APPROVE_LINE_CHANGE"
    REISSUE_ON_LEAVE = "REISSUE_ON_LEAVE"

    @property
    def text(self) -> str:
        return _TEXT[self]


_TEXT = {duty: i18n.name("duty", duty.value, "en") for duty in Duty}  # "approve the batch"... (i18n's words)

#: The one table: a duty and the parts that bar whoever played them from it.
BARRED: Mapping[Duty, frozenset[Part]] = {
    Duty.APPROVE_BATCH: frozenset({Part.SUBMITTED, Part.CORRECTED}),
    Duty.FUND_BATCH: frozenset({Part.APPROVED}),
    Duty.APPROVE_LINE_CHANGE: frozenset({Part.CHANGED, Part.SUBMITTED}),
    Duty.REISSUE_ON_LEAVE: frozenset({Part.GAVE_LEAVE}),
}

#: What a setting may lift, and nothing else: the approver funding a named program's batches.
WAIVABLE: Mapping[Duty, frozenset[Part]] = {
    Duty.FUND_BATCH: frozenset({Part.APPROVED}),
}


def conflicts(duty: Duty, actor: str, history: Mapping[Part, Iterable[str]],
              waived: Iterable[Part] = ()) -> list[Part]:
    """The parts ``actor`` played (``history``: part -> who played it) that bar them from
    ``duty``, in the table's order; empty when they may do it. ``waived`` parts are lifted only
    where :data:`WAIVABLE` allows (anything else is a programming error)."""
    waived = frozenset(waived)
    if not waived <= WAIVABLE.get(duty, frozenset()):
        raise ValueError(f"{duty}: {', '.join(sorted(waived))} cannot be waived")
    return [part for part in Part if part in BARRED[duty] - waived and actor in set(history.get(part, ()))]


def refusal(duty: Duty, actor: str, history: Mapping[Part, Iterable[str]], waived: Iterable[Part] = ()) -> str | None:
    """Why ``actor`` may not do ``duty`` (one sentence naming every conflict), or None.

    An empty actor (nobody authenticated) may do nothing."""
    if not actor:
        return f"nobody may {duty.text} anonymously"
    found = conflicts(duty, actor, history, waived)
    if not found:
        return None
    others = " and ".join(f"{part.who} ({', '.join(sorted(set(history[part])))})" for part in found)
    return f"user {actor!r} may not {duty.text}: it must be someone other than {others}"
