"""The rules that turn what screening found into a line's fate (pure, no database)."""
from __future__ import annotations

from datetime import date

import pytest

from domain.eligibility import (
    ERROR,
    HOLD,
    WARNING,
    OneCardPolicy,
    ProgramPolicy,
    RegionPolicy,
    StopEntry,
    StopKind,
    fate,
    one_card_severity,
    region_finding,
)
from domain.model import LineStatus


@pytest.mark.parametrize(("severities", "expected"), [
    ([], LineStatus.PENDING),
    ([WARNING], LineStatus.PENDING),
    ([WARNING, HOLD], LineStatus.HELD),
    ([HOLD, ERROR, WARNING], LineStatus.REJECTED),
    ([ERROR], LineStatus.REJECTED),
])
def test_any_error_rejects_any_hold_holds(severities, expected):
    assert fate(severities) is expected


def test_a_stop_entry_is_active_from_its_first_day_until_before_its_end_unless_revoked():
    entry = StopEntry(StopKind.IMPRISONED, date(2026, 3, 1), date(2026, 9, 1))
    assert [entry.active_on(d) for d in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 8, 31), date(2026, 9, 1))] \
        == [False, True, True, False]
    assert StopEntry(StopKind.DECEASED, date(2026, 3, 1)).active_on(date(2099, 1, 1))
    assert not StopEntry(StopKind.DECEASED, date(2026, 3, 1), revoked=True).active_on(date(2026, 5, 1))
    assert StopKind.DECEASED.code == "STOP_DECEASED"


@pytest.mark.parametrize(("digits", "id_region", "expected"), [
    (4, "652301", None),     # the batch's own county
    (4, "652302", None),     # another county of the same prefecture
    (6, "652302", WARNING),  # ...unless the program compares counties
    (4, "650102", WARNING),  # another prefecture of the same province
    (2, "650102", None),
    (2, "110101", WARNING),
    (4, "", None),           # no usable region: the ID check has already said why
])
def test_region_anomaly_by_the_programs_level(digits, id_region, expected):
    assert region_finding(id_region, "652301", ProgramPolicy(region_digits=digits)) == expected


def test_region_and_one_card_policies():
    assert region_finding("110101", "652301", ProgramPolicy(region=RegionPolicy.HOLD)) == HOLD
    assert one_card_severity(ProgramPolicy()) == HOLD
    assert one_card_severity(ProgramPolicy(one_card=OneCardPolicy.REJECT)) == ERROR
    with pytest.raises(ValueError, match="region_digits"):
        ProgramPolicy(region_digits=3)
