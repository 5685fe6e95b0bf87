"""The separation-of-duties table (domain/duties.py), for every duty and every combination of
earlier parts a person may have played; the expectations are the rules of issue 14 written out."""
from itertools import combinations

import pytest

from domain import duties
from domain.duties import Duty, Part

# The rules, as the issue states them: who may NOT do each duty.
RULES = {
    Duty.APPROVE_BATCH: {Part.SUBMITTED, Part.CORRECTED},  # entry and approval are separate duties
    Duty.FUND_BATCH: {Part.APPROVED},  # approver and funder are different users
    Duty.APPROVE_LINE_CHANGE: {Part.CHANGED, Part.SUBMITTED},  # neither the changer nor the submitter
    Duty.REISSUE_ON_LEAVE: {Part.GAVE_LEAVE},  # the leave is a second person's
}
ALL_PARTS = [frozenset(c) for n in range(len(Part) + 1) for c in combinations(Part, n)]


def test_the_table_is_the_rules():
    assert dict(duties.BARRED) == RULES


@pytest.mark.parametrize("duty", list(Duty))
@pytest.mark.parametrize("played", ALL_PARTS, ids=lambda p: "+".join(sorted(p)) or "nothing")
def test_a_person_is_barred_exactly_by_the_parts_the_rules_name(duty, played):
    history = {part: (["wang"] if part in played else []) + ["someone-else"] for part in Part}
    expected = [part for part in Part if part in RULES[duty] and part in played]
    assert duties.conflicts(duty, "wang", history) == expected
    why = duties.refusal(duty, "wang", history)
    assert (why is None) == (not expected)
    if expected:
        assert why.startswith(f"user 'wang' may not {duty.text}: it must be someone other than ")
        for part in expected:
            assert f"{part.who} (someone-else, wang)" in why
    assert duties.conflicts(duty, "li", history) == []  # a person who played no part is never barred


def test_only_the_approver_funding_can_be_waived_and_only_that():
    history = {Part.APPROVED: ["li"], Part.SUBMITTED: ["li"]}
    assert duties.conflicts(Duty.FUND_BATCH, "li", history) == [Part.APPROVED]
    assert duties.conflicts(Duty.FUND_BATCH, "li", history, waived=[Part.APPROVED]) == []
    for duty, part in ((Duty.APPROVE_BATCH, Part.SUBMITTED), (Duty.FUND_BATCH, Part.SUBMITTED),
                       (Duty.APPROVE_LINE_CHANGE, Part.CHANGED), (Duty.REISSUE_ON_LEAVE, Part.GAVE_LEAVE)):
        with pytest.raises(ValueError):
            duties.conflicts(duty, "li", history, waived=[part])


def test_nobody_acts_anonymously():
    for duty in Duty:
        assert duties.refusal(duty, "", {}) == f"nobody may {duty.text} anonymously"
