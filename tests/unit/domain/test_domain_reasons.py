"""Canonical failure reasons: every reason has a follow-up; a bank's own codes are classed by
its profile and never lost."""
import pytest

from domain.model import FailureReason, PaymentOutcome, ResultRecord
from domain.reasons import FOLLOW_UP, LABEL_ZH, FollowUp, parse_reason_codes, reclassify


def test_every_reason_has_a_follow_up_and_a_chinese_label():
    assert set(FOLLOW_UP) == set(FailureReason) == set(LABEL_ZH)
    assert FOLLOW_UP[FailureReason.NAME_MISMATCH] is FollowUp.REISSUE_AFTER_CORRECTION
    assert FOLLOW_UP[FailureReason.ID_MISMATCH] is FollowUp.STOP
    assert FOLLOW_UP[FailureReason.OTHER] is FollowUp.REFUND


def _failed(code: str, reason=FailureReason.OTHER) -> ResultRecord:
    return ResultRecord(7, PaymentOutcome.FAILED, 1000, "6228", reason, code, "司法冻结")


def test_a_banks_own_code_is_classed_by_its_profile_and_kept_verbatim():
    own = parse_reason_codes({"2001": "ACCOUNT_FROZEN"}, "reason_codes.")
    rec = reclassify(_failed("2001"), own)
    assert (rec.reason, rec.bank_code, rec.bank_text) == (FailureReason.ACCOUNT_FROZEN, "2001", "司法冻结")


def test_an_unknown_code_stays_other_with_its_code_and_text():
    own = parse_reason_codes({"2001": "ACCOUNT_FROZEN"}, "reason_codes.")
    rec = _failed("X42")
    assert reclassify(rec, own) is rec


def test_a_paid_record_is_never_reclassified():
    paid = ResultRecord(1, PaymentOutcome.PAID, 1000, "6228", None, "2001", "")
    assert reclassify(paid, {"2001": FailureReason.ACCOUNT_FROZEN}) is paid


def test_a_profile_naming_an_unknown_reason_is_refused_with_the_code():
    with pytest.raises(ValueError, match=r"reason_codes\.R9: 'FROZEN' is not a failure reason; known: ACCOUNT_NOT_FOUND"):
        parse_reason_codes({"R9": "FROZEN"}, "reason_codes.")
