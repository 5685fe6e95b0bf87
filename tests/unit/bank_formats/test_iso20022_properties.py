"""Property tests: whatever the writers accept they write schema-valid and read back unchanged."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank_formats.iso20022 import REASON_TO_CODE
from domain.model import (
    AccountKind,
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)
from tests.unit.bank_formats.iso20022_support import (
    read_payments,
    read_results,
    write_payments,
    write_results,
)

# every character XML 1.0 can carry, weighted towards what rosters hold: common and rare CJK
# (CJK Extension A and B, outside the BMP), the middle dot of minority names, ASCII
XML_CHAR = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"),
                         exclude_characters="\ufffe\uffff") | st.sampled_from("\t\n\r")
CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
    st.sampled_from("·&<>\"' -"),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    XML_CHAR,
)


def text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(CHARS, min_size=min_size, max_size=max_size)


AMOUNT = st.one_of(st.integers(0, 99_999_999_999), st.sampled_from([0, 1, 99, 99_999_999_999]))
ZONES = [None, timezone.utc, timezone(timedelta(hours=8)),
         timezone(timedelta(hours=-5, minutes=-30))]
DATETIME = st.builds(
    lambda dt, tz: dt.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    st.sampled_from(ZONES),
)

LINE = st.builds(
    PaymentLine,
    seq=st.just(1),
    name=text(1, 140),
    id_number=text(1, 35),
    account_no=text(1, 34),
    amount_fen=AMOUNT,
    account_kind=st.sampled_from(list(AccountKind)),
    bank_name=text(0, 140),
    subsidy_item=text(0, 35),
    remark=text(0, 300),
    phone=st.text("0123456789()+-", max_size=30),
    address=text(0, 490),
    household_no=text(0, 35),
)


@st.composite
def payment_files(draw):
    lines = [dataclasses.replace(x, seq=i) for i, x in
             enumerate(draw(st.lists(LINE, min_size=1, max_size=6)), start=1)]
    header = PaymentFileHeader(
        file_id=draw(text(1, 35)),
        batch_id=draw(text(1, 20)),
        created_at=draw(DATETIME),
        requested_date=draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))),
        payer_name=draw(text(1, 140)),
        payer_account=draw(text(1, 34)),
        bank_code=draw(text(1, 35)),
        count=len(lines),
        total_fen=sum(x.amount_fen for x in lines),
        purpose=draw(text(0, 140)),
    )
    return header, lines


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(payment_files())
def test_payment_files_round_trip(fmt, vfmt, file):
    header, lines = file
    data = write_payments(fmt, header, iter(lines))  # validated against the official schema
    for reader in (fmt, vfmt):
        assert read_payments(reader, data) == (header, lines)


CODE = st.one_of(st.just(""), st.sampled_from(sorted(set(REASON_TO_CODE.values()))),
                 st.sampled_from(["MS03", "AM04", "E0042", "X9", " "]), text(1, 35))
RECORD = st.one_of(
    st.builds(ResultRecord, seq=st.just(1), outcome=st.just(PaymentOutcome.PAID),
              amount_fen=AMOUNT, account_no=text(0, 34), reason=st.none(), bank_code=CODE,
              bank_text=text(0, 250), bank_ref=text(0, 35), name=text(0, 140)),
    st.builds(ResultRecord, seq=st.just(1), outcome=st.just(PaymentOutcome.FAILED),
              amount_fen=AMOUNT, account_no=text(0, 34),
              reason=st.none() | st.sampled_from(list(FailureReason)), bank_code=CODE,
              bank_text=text(0, 250), bank_ref=text(0, 35), name=text(0, 140)),
)


@st.composite
def result_files(draw):
    records = [dataclasses.replace(x, seq=i) for i, x in
               enumerate(draw(st.lists(RECORD, max_size=6)), start=1)]
    paid = [r for r in records if r.outcome == PaymentOutcome.PAID]
    failed = [r for r in records if r.outcome == PaymentOutcome.FAILED]
    header = ResultFileHeader(
        file_id=draw(text(1, 35)),
        original_file_id=draw(text(1, 35)),
        batch_id=draw(text(1, 20)),
        created_at=draw(DATETIME),
        count=len(records),
        paid_count=len(paid),
        paid_fen=sum(r.amount_fen for r in paid),
        failed_count=len(failed),
        failed_fen=sum(r.amount_fen for r in failed),
    )
    return header, records


def read_back(record: ResultRecord) -> ResultRecord:
    """What a record reads back as: a failure always has a reason and a bank code."""
    if record.outcome == PaymentOutcome.PAID:
        return record
    reason = record.reason or FailureReason.OTHER
    return dataclasses.replace(record, reason=reason,
                               bank_code=record.bank_code or REASON_TO_CODE[reason])


@SETTINGS
@given(result_files())
def test_result_files_round_trip(fmt, vfmt, file):
    header, records = file
    data = write_results(fmt, header, iter(records))  # validated against the official schema
    for reader in (fmt, vfmt):
        assert read_results(reader, data) == (header, [read_back(r) for r in records])
