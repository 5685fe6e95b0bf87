"""Property tests for the other versions and camt.053: schema-valid, read back unchanged."""
from __future__ import annotations

import dataclasses
import functools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank_formats.base import FormatError
from bank_formats.iso20022 import Iso20022Format, format_amount
from domain.model import EntrySide, StatementEntry, StatementHeader
from tests.unit.bank_formats.iso20022_support import (
    SCHEMA_DIR,
    read_payments,
    read_results,
    read_statement,
    write_payments,
    write_results,
    write_statement,
)
from tests.unit.bank_formats.test_iso20022_properties import (
    DATETIME,
    payment_files,
    read_back,
    result_files,
    text,
)

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MAX_FEN = 10**18 - 1
DATE = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@functools.cache
def fmt(validating: bool, **options) -> Iso20022Format:
    return Iso20022Format(SCHEMA_DIR if validating else None, **options)


@SETTINGS
@given(payment_files())
def test_pain001_v03_round_trip(file):
    header, lines = file
    header = dataclasses.replace(header, purpose=header.purpose[:35])  # what v03 has room for
    data = write_payments(fmt(False, payments="pain.001.001.03"), header, iter(lines))
    for validating in (False, True):
        assert read_payments(fmt(validating, payments="pain.001.001.03"), data) == (
            header, lines)


SEPA_ID = st.from_regex(r"[A-Za-z0-9+?/\-:().,' ]{1,35}", fullmatch=True)


@SETTINGS
@given(result_files(), SEPA_ID)
def test_pain002_v03_round_trip(file, sepa_id):
    header, records = file
    # (validated by write_results as far as the restricted schema at hand can; see
    # iso20022_support.dk_sepa_projection - its amounts must fit 0.01..999999999.99)
    # and its MsgId and OrgnlPmtInfId must be of SEPA's restricted characters)
    records = [dataclasses.replace(r, amount_fen=max(1, r.amount_fen)) for r in records]
    header = dataclasses.replace(
        header, file_id=sepa_id, batch_id=sepa_id[:20],
        paid_fen=sum(r.amount_fen for r in records if r.outcome.value == "PAID"),
        failed_fen=sum(r.amount_fen for r in records if r.outcome.value == "FAILED"))
    data = write_results(fmt(False, results="pain.002.001.03"), header, iter(records))
    assert read_results(fmt(False, results="pain.002.001.03"), data) == (
        header, [read_back(r) for r in records])


ENTRY_AMOUNT = st.one_of(st.integers(1, 99_999_999_999), st.sampled_from([1, 99, MAX_FEN]))
ENTRY = st.builds(
    StatementEntry,
    seq=st.just(1),
    side=st.sampled_from(list(EntrySide)),
    amount_fen=ENTRY_AMOUNT,
    booking_date=DATE,
    reference=text(1, 35),
    batch_id=text(0, 20),
    line_seq=st.none() | st.integers(1, 10**12),
    counterparty_name=text(0, 140) | st.sampled_from(["艾力·买买提", "阿卜杜拉·王伟", "𠮷䶮"]),
    counterparty_account=text(0, 34),
    remark=text(0, 300),
)


@st.composite
def statements(draw):
    entries = []
    for i, e in enumerate(draw(st.lists(ENTRY, max_size=6)), start=1):
        if not e.batch_id:  # a line number comes with its batch
            e = dataclasses.replace(e, line_seq=None)
        entries.append(dataclasses.replace(e, seq=i))
    credit = sum(e.amount_fen for e in entries if e.side is EntrySide.CREDIT)
    debit = sum(e.amount_fen for e in entries if e.side is EntrySide.DEBIT)
    opening = draw(st.integers(-(10**15), 10**15) | st.sampled_from([0, -1, 1]))
    start = draw(DATE)
    header = StatementHeader(
        statement_id=draw(text(1, 35)),
        account=draw(text(1, 34)),
        created_at=draw(DATETIME),
        from_date=start,
        to_date=draw(st.dates(min_value=start, max_value=date(2099, 12, 31))),
        opening_balance_fen=opening,
        closing_balance_fen=opening + credit - debit,
        count=len(entries),
        credit_fen=credit,
        debit_fen=debit,
        currency=draw(st.sampled_from(["CNY", "CNY", "USD"])),
    )
    return header, entries


def fits(header: StatementHeader) -> bool:
    """Whether every amount fits the 18 digits of the schema's amounts."""
    return all(abs(x) <= MAX_FEN for x in (header.closing_balance_fen, header.credit_fen,
                                           header.debit_fen,
                                           header.credit_fen + header.debit_fen))


@SETTINGS
@given(st.sampled_from(["camt.053.001.08", "camt.053.001.02"]), statements())
def test_statements_round_trip(version, statement):
    header, entries = statement
    if not fits(header):
        return
    data = write_statement(fmt(False, statements=version), header, iter(entries))
    for validating in (False, True):
        assert read_statement(fmt(validating, statements=version), data) == (header, entries)


@SETTINGS
@given(statements(), st.data())
def test_a_changed_amount_is_always_found(statement, data):
    header, entries = statement
    if not entries or not fits(header):
        return
    i = data.draw(st.integers(0, len(entries) - 1))
    changed = list(entries)
    changed[i] = dataclasses.replace(changed[i], amount_fen=changed[i].amount_fen + 1)
    # the writer refuses it (it checks the header), so forge the file: write the changed
    # entries under a header that matches them, then put the original summary sum back
    forged = dataclasses.replace(
        header, credit_fen=sum(e.amount_fen for e in changed if e.side is EntrySide.CREDIT),
        debit_fen=sum(e.amount_fen for e in changed if e.side is EntrySide.DEBIT))
    forged = dataclasses.replace(forged, closing_balance_fen=forged.opening_balance_fen
                                 + forged.credit_fen - forged.debit_fen)
    if not fits(forged):
        return
    f = fmt(False, statements="camt.053.001.08")
    out = write_statement(f, forged, changed)
    side = changed[i].side
    field = "TtlCdtNtries" if side is EntrySide.CREDIT else "TtlDbtNtries"
    real = header.credit_fen if side is EntrySide.CREDIT else header.debit_fen
    restored = out.replace(f"<{field}><Sum>{format_amount(real + 1)}</Sum>".encode(),
                           f"<{field}><Sum>{format_amount(real)}</Sum>".encode())
    assert restored != out
    try:
        read_statement(f, restored)
    except FormatError as exc:
        assert any(p.field in ("Sum", "Amt") for p in exc.problems), exc.problems
    else:
        raise AssertionError("a statement whose entries do not add up was read")
