"""The rules that turn what screening found into a line's fate (pure, no database)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.eligibility import (
    ERROR,
    HOLD,
    WARNING,
    Candidate,
    OneCardPolicy,
    OtherLine,
    ProgramPolicy,
    RegionPolicy,
    StopEntry,
    StopHit,
    StopKind,
    cross_batch_findings,
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


PROGRAM, PERIOD, TODAY = "耕地地力保护补贴", "2026-11", date(2026, 11, 28)


def _other(person: bytes, card: bytes, batch: str, seq: int, status: str = "PAID", period: str = PERIOD) -> OtherLine:
    return OtherLine(person, card, batch, seq, status, PROGRAM, period)


def _codes(found):
    return {seq: [(i.code, i.severity, i.other_batch_id, i.other_seq) for i in issues] for seq, issues in found.items()}


def test_findings_against_other_batches_and_the_stop_list():
    candidates = [Candidate(1, b"P1", b"C1"), Candidate(2, b"P2", b"C2"), Candidate(3, b"P3", b"C3"),
                  Candidate(4, b"P4", b"C4"), Candidate(5, b"P5", b"C5"), Candidate(6, b"P6", b"C6")]
    others = [
        _other(b"P1", b"C1", "B2", 9), _other(b"P1", b"C1", "B1", 30, "HELD"),  # paid and held: B1 30 first
        _other(b"P2", b"C9", "B1", 4, period="2026-10"),  # another card, another period
        _other(b"P8", b"C3", "B1", 5, "PENDING"),  # the card belongs to another person
        _other(b"P4", b"C8", "B1", 6, "HELD", period="2026-10"),  # neither held nor failed lines hold a card
        _other(b"P4", b"C8", "B1", 7, "FAILED"),
        _other(b"P5", b"C5", "B1", 8, "PENDING", period="2026-10"),  # same person and card: fine
    ]
    stops = [StopHit(b"P6", 12, StopEntry(StopKind.IMPRISONED, date(2026, 1, 1))),
             StopHit(b"P6", 3, StopEntry(StopKind.DECEASED, date(2026, 1, 1))),
             StopHit(b"P6", 5, StopEntry(StopKind.DECEASED, date(2026, 1, 1), revoked=True)),  # not active
             StopHit(b"P6", 6, StopEntry(StopKind.INELIGIBLE, date(2026, 12, 1))),  # not yet
             StopHit(b"P9", 4, StopEntry(StopKind.DECEASED, date(2026, 1, 1)))]
    found = cross_batch_findings(candidates, others, stops, PROGRAM, PERIOD, ProgramPolicy(), TODAY)
    assert _codes(found) == {
        1: [("DUPLICATE_PAYMENT", ERROR, "B1", 30)],
        2: [("ONE_CARD_TWO_ACCOUNTS", HOLD, "B1", 4)],
        3: [("ONE_CARD_SHARED_ACCOUNT", HOLD, "B1", 5)],
        6: [("STOP_DECEASED", HOLD, None, None), ("STOP_IMPRISONED", HOLD, None, None)],
    }
    assert found[1][0].message == ("line 1: id_number: this person is already paid or in flight for "
                                   f"{PROGRAM} {PERIOD} (batch B1 line 30)")
    assert found[6][0].message == "line 6: id_number: on the stop list as DECEASED (entry 3)"
    strict = cross_batch_findings(candidates, others, stops, PROGRAM, PERIOD,
                                  ProgramPolicy(one_card=OneCardPolicy.REJECT), TODAY)
    assert [i.severity for i in strict[2] + strict[3]] == [ERROR, ERROR]


keys = st.sampled_from([b"K1", b"K2", b"K3", b"K4"])
other_lines = st.builds(OtherLine, keys, keys, st.sampled_from(["B1", "B2"]), st.integers(1, 5),
                        st.sampled_from(["PENDING", "PAID", "HELD", "FAILED", "REMOVED"]),
                        st.just(PROGRAM), st.sampled_from(["2026-10", PERIOD]))


@given(st.lists(st.builds(Candidate, st.integers(1, 50), keys, keys), unique_by=lambda c: c.seq),
       st.lists(other_lines), st.lists(st.builds(StopHit, keys, st.integers(1, 9), st.builds(
           StopEntry, st.sampled_from(list(StopKind)), st.dates(date(2026, 1, 1), date(2026, 12, 31)),
           st.none() | st.dates(date(2026, 1, 1), date(2027, 12, 31)), st.booleans())),
                                       unique_by=lambda h: h.entry_id),
       st.randoms())
def test_findings_depend_on_the_facts_not_their_order(candidates, others, stops, rnd):
    policy = ProgramPolicy()
    found = cross_batch_findings(candidates, others, stops, PROGRAM, PERIOD, policy, TODAY)
    shuffled_others, shuffled_stops = others[:], stops[:]
    rnd.shuffle(shuffled_others)
    rnd.shuffle(shuffled_stops)
    assert cross_batch_findings(candidates, shuffled_others, shuffled_stops, PROGRAM, PERIOD, policy, TODAY) == found
    for c in candidates:  # a line is named only for what it shares, and then by a real other line
        for issue in found.get(c.seq, []):
            if issue.other_batch_id is not None:
                named = [o for o in others if (o.batch_id, o.seq) == (issue.other_batch_id, issue.other_seq)]
                assert any(o.id_index == c.id_index or o.account_index == c.account_index for o in named)
            else:
                assert any(h.id_index == c.id_index and h.entry.kind.code == issue.code and h.entry.active_on(TODAY)
                           for h in stops)
