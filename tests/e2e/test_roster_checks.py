"""Roster checks through the real gRPC API: every bad input gets its exact reason code and
changes nothing it should not (issue 4).

One server on SQLite serves the whole table; each case uses its own period so that cases do
not see each other's people as duplicates.
"""
from __future__ import annotations

from dataclasses import replace

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sqlalchemy import func, select

import i18n
from adapter import convert
from adapter import server as grpc_server
from domain.eligibility import OneCardPolicy
from domain.idnumber import check_character, compose
from domain.model import AccountKind, BatchHeader
from domain.roster import generate_lines
from domain.validation import luhn_check_digit
from ledger.db import make_engine, migrate, sqlite_url
from ledger.schema import lines as lines_table
from ledger.schema import postings
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import BankProfile, Settings
from service.context import Context
from tests.support.identities import TEST_AUTH, TestClient
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB01"
REGION = "652301"
PROGRAM = "耕地地力保护补贴"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roster")
    engine = make_engine(sqlite_url(tmp / "ledger.sqlite3"))
    migrate(engine)
    settings = Settings(database_url=str(engine.url), data_dir=tmp / "service",
                        banks={BANK: BankProfile(code=BANK, name="某农村商业银行", format="iso20022")},
                        auth=TEST_AUTH)
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    yield ctx, client
    client.close()
    server.stop(grace=None).wait()


def _header(lines, period: str, **changes) -> BatchHeader:
    header = BatchHeader(
        idempotency_key=f"case-{period}", program=PROGRAM, period=period, region=REGION, bank_code=BANK,
        payer_name="某县财政局", payer_account="15000012345678", control_count=len(lines),
        control_total_fen=sum(ln.amount_fen for ln in lines),
    )
    return replace(header, **changes)


def _bad_request(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    out = {}
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        detail.Unpack(bad)
        out.update({v.field: v.description for v in bad.field_violations})
    return out


def _luhn_broken(account: str) -> str:
    body = account[:-1]
    good = luhn_check_digit(body)
    return body + str((int(good) + 1) % 10)


def _id(region="652301", birth="19800101", seq=123) -> str:
    return compose(region, birth, seq)


def _with(field: str, value):
    return lambda lines: _set(lines, 2, **{field: value})


def _set(lines, at, **changes):
    return [replace(ln, **changes) if ln.seq == at else ln for ln in lines]


# (case id, mutation of a valid 3-line roster, field, expected code, severity)
LINE_CASES = [
    ("id-check-character", lambda ls: _set(ls, 2, id_number=ls[1].id_number[:-1] + (
        "0" if ls[1].id_number[-1] != "0" else "1")), "id_number", "ID_CHECKSUM", "error"),
    ("id-legacy-15", _with("id_number", "652301800101123"), "id_number", "ID_LEGACY_15", "error"),
    ("id-17-chars", _with("id_number", "65230119800101123"), "id_number", "ID_LENGTH", "error"),
    ("id-letter-inside", _with("id_number", "6523011980A101123X"), "id_number", "ID_FORMAT", "error"),
    ("id-no-such-province", _with("id_number", _id(region="002301")), "id_number", "ID_REGION", "error"),
    ("id-born-in-future", _with("id_number", _id(birth="20991231")), "id_number", "ID_BIRTH_DATE", "error"),
    ("id-feb-30", _with("id_number", "65230119800230123" + check_character("65230119800230123")),
     "id_number", "ID_BIRTH_DATE", "error"),
    ("id-empty", _with("id_number", ""), "id_number", "ID_LENGTH", "error"),
    ("name-one-char", _with("name", "张"), "name", "NAME_LENGTH", "error"),
    ("name-21-chars", _with("name", "张" * 21), "name", "NAME_LENGTH", "error"),
    ("name-digit", _with("name", "张3"), "name", "NAME_DIGIT", "error"),
    ("name-space", _with("name", "张 三"), "name", "NAME_SPACE", "error"),
    ("name-bullet-for-dot", _with("name", "买买提•艾力"), "name", "NAME_DOT_LOOKALIKE", "error"),
    ("name-katakana-dot", _with("name", "买买提・艾力"), "name", "NAME_DOT_LOOKALIKE", "error"),
    ("name-leading-dot", _with("name", "·艾力"), "name", "NAME_DOT_POSITION", "error"),
    ("name-latin", _with("name", "Zhang San"), "name", "NAME_SPACE", "error"),
    ("name-latin-no-space", _with("name", "ZhangSan"), "name", "NAME_CHARSET", "error"),
    ("account-letters", _with("account_no", "62220200ABC123456"), "account_no", "ACCOUNT_FORMAT", "error"),
    ("account-card-11-digits", lambda ls: _set(ls, 2, account_kind=AccountKind.CARD, account_no="62220212345"),
     "account_no", "ACCOUNT_LENGTH", "error"),
    ("account-passbook-7-digits", lambda ls: _set(ls, 2, account_kind=AccountKind.PASSBOOK, account_no="1234567"),
     "account_no", "ACCOUNT_LENGTH", "error"),
    ("account-card-20-digits", lambda ls: _set(ls, 2, account_kind=AccountKind.CARD, account_no="6" * 20),
     "account_no", "ACCOUNT_LENGTH", "error"),
    ("account-card-luhn", lambda ls: _set(ls, 2, account_kind=AccountKind.CARD,
                                          account_no=_luhn_broken("6222021234567890123")),
     "account_no", "ACCOUNT_LUHN", "warning"),
    ("phone-not-mobile", _with("phone", "12345678901"), "phone", "PHONE_FORMAT", "error"),
    ("phone-10-digits", _with("phone", "1381234567"), "phone", "PHONE_FORMAT", "error"),
    ("phone-landline", _with("phone", "0991-1234567"), "phone", "PHONE_FORMAT", "error"),
    ("amount-zero", _with("amount_fen", 0), "amount_fen", "AMOUNT_NOT_POSITIVE", "error"),
    ("amount-negative", _with("amount_fen", -100), "amount_fen", "AMOUNT_NOT_POSITIVE", "error"),
    ("person-twice", lambda ls: _set(ls, 2, id_number=ls[0].id_number), "id_number", "DUPLICATE_PERSON", "error"),
    ("account-two-people", lambda ls: _set(ls, 2, account_no=ls[0].account_no, account_kind=ls[0].account_kind),
     "account_no", "ACCOUNT_SHARED", "error"),
    ("remark-too-long", _with("remark", "备" * 141), "remark", "FIELD_TOO_LONG", "error"),
    ("household-too-long", _with("household_no", "H" * 33), "household_no", "FIELD_TOO_LONG", "error"),
    ("address-too-long", _with("address", "某" * 141), "address", "FIELD_TOO_LONG", "error"),
    ("region-other-prefecture", _with("id_number", _id(region="110101")), "id_number", "REGION_OUTSIDE", "warning"),
]


@pytest.mark.parametrize(("mutate", "field", "code", "severity"), [c[1:] for c in LINE_CASES],
                         ids=[c[0] for c in LINE_CASES])
def test_a_bad_line_gets_its_reason_code_and_is_not_paid(api, mutate, field, code, severity):
    ctx, client = api
    case = next(i for i, c in enumerate(LINE_CASES) if c[1] is mutate)
    period = f"L{case}"
    # A seed of its own per case, the same in every run (hash() of a str changes from process to
    # process, and a random roster once shared an account with a later test's line).
    lines = mutate(list(generate_lines(3, seed=1000 + case, region=REGION)))
    before = _ledger_rows(ctx)
    reply = client.submit(_header(lines, period), lines)
    found = [(i.seq, i.field, i.code, i.severity) for i in reply.issues]
    if code in ("DUPLICATE_PERSON", "ACCOUNT_SHARED"):
        assert (3 if code == "DUPLICATE_PERSON" else 2, field, code, severity) in found or \
            (2, field, code, severity) in found, found
    else:
        assert (2, field, code, severity) in found, found
    issue = next(i for i in reply.issues if i.code == code)
    # in the service's default language: the line, the field's name, what its code means
    assert issue.message.startswith(f"第 {issue.seq} 行 {i18n.name('field', field)}：")
    assert issue.message.endswith(i18n.name("problem", code)) and i18n.name("problem", code) != code
    for ln in lines:  # the message never carries the clear numbers
        for value in (ln.id_number, ln.account_no, ln.phone):
            if len(value) >= 8:
                assert value not in issue.message
    status = dict(_line_statuses(ctx, reply.batch_id))
    if severity == "error":
        assert reply.status == "NEEDS_CORRECTION" and status[issue.seq] == "REJECTED"
        with pytest.raises(grpc.RpcError) as err:
            client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=reply.batch_id))
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    else:  # a warning is noted; the line goes ahead
        assert reply.status == "SUBMITTED" and status[issue.seq] == "PENDING"
    assert _ledger_rows(ctx) == before


# (case id, header changes or line changes, violation field, expected code)
REQUEST_CASES = [
    ("seq-zero", {}, lambda ls: _set(ls, 2, seq=0), "lines[#2].seq", "SEQ_INVALID"),
    ("seq-twice", {}, lambda ls: [ls[0], ls[1], replace(ls[2], seq=2)], "lines[2].seq", "DUPLICATE_SEQ"),
    ("seq-gap", {}, lambda ls: [ls[0], ls[1], replace(ls[2], seq=4)], "batch.seq", "SEQ_NOT_CONTIGUOUS"),
    ("control-count", {"control_count": 4}, None, "batch.control_count", "CONTROL_COUNT"),
    ("control-total", {"control_total_fen": 1}, None, "batch.control_total_fen", "CONTROL_TOTAL"),
    ("region-5-digits", {"region": "65230"}, None, "header.region", "REGION_FORMAT"),
    ("unknown-bank", {"bank_code": "NOBANK"}, None, "header.bank_code", "UNKNOWN_BANK"),
    ("no-program", {"program": ""}, None, "header.program", "REQUIRED"),
    ("no-idempotency-key", {"idempotency_key": ""}, None, "header.idempotency_key", "REQUIRED"),
    ("no-payer", {"payer_name": ""}, None, "header.payer_name", "REQUIRED"),
    ("negative-standard", {"max_amount_fen": -5}, None, "header.max_amount_fen", "STANDARD"),
]


@pytest.mark.parametrize(("header_changes", "mutate", "field", "code"), [c[1:] for c in REQUEST_CASES],
                         ids=[c[0] for c in REQUEST_CASES])
def test_a_bad_request_is_refused_whole_and_stores_nothing(api, header_changes, mutate, field, code):
    ctx, client = api
    lines = list(generate_lines(3, seed=len(field), region=REGION))
    if mutate:
        lines = mutate(lines)
    header = _header(lines, f"R-{code}"[:16], **header_changes)
    batches_before = client.call("ListBatches", pb.ListBatchesRequest(page_size=1000)).batches
    with pytest.raises(grpc.RpcError) as err:
        client.submit(header, lines)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = _bad_request(err.value)
    assert violations[field].startswith(f"{code}:"), violations
    assert client.call("ListBatches", pb.ListBatchesRequest(page_size=1000)).batches == batches_before


def test_an_amount_above_the_program_standard_is_rejected(api):
    ctx, client = api
    lines = list(generate_lines(3, seed=41, region=REGION))
    standard = max(lines[0].amount_fen, lines[2].amount_fen)
    lines = _set(lines, 2, amount_fen=standard + 1)
    reply = client.submit(_header(lines, "STD", max_amount_fen=standard), lines)
    assert [(i.seq, i.code) for i in reply.issues] == [(2, "AMOUNT_ABOVE_STANDARD")]


def test_the_same_person_program_and_period_twice_is_refused_naming_the_first(api):
    ctx, client = api
    first_lines = list(generate_lines(4, seed=50, region=REGION))
    first = client.submit(_header(first_lines, "DUP"), first_lines)
    again = [replace(first_lines[2], seq=1)] + [replace(ln, seq=i + 2) for i, ln in
                                                enumerate(generate_lines(2, seed=51, region=REGION))]
    reply = client.submit(_header(again, "DUP", idempotency_key="dup-2"), again)
    (issue,) = [i for i in reply.issues if i.code == "DUPLICATE_PAYMENT"]
    assert (issue.seq, issue.other_batch_id, issue.other_seq, issue.severity) == (1, first.batch_id, 3, "error")
    assert reply.status == "NEEDS_CORRECTION"
    # Another period is another payment: the same person is fine there.
    other_period = client.submit(_header(again, "DUP-NEXT", idempotency_key="dup-3"), again)
    assert other_period.status == "SUBMITTED" and other_period.issue_count == 0


@pytest.mark.parametrize("policy", ["hold", "reject"])
def test_one_person_one_card_across_batches(api, policy):
    ctx, client = api
    program = f"一卡通-{policy}"
    ctx.settings.programs[program] = replace(ctx.settings.default_policy, one_card=OneCardPolicy(policy))
    first_lines = list(generate_lines(3, seed=60, region=REGION))
    client.submit(replace(_header(first_lines, "1C-A"), program=program, idempotency_key=f"1c-{policy}-a"),
                  first_lines)
    other = list(generate_lines(3, seed=61, region=REGION))
    changed = _set(other, 1, id_number=first_lines[0].id_number)  # same person, another card
    changed = _set(changed, 2, account_no=first_lines[1].account_no, account_kind=first_lines[1].account_kind)
    reply = client.submit(replace(_header(changed, "1C-B"), program=program, idempotency_key=f"1c-{policy}-b"),
                          changed)
    severity = "hold" if policy == "hold" else "error"
    got = {(i.seq, i.code, i.severity, i.other_seq) for i in reply.issues}
    assert got == {(1, "ONE_CARD_TWO_ACCOUNTS", severity, 1), (2, "ONE_CARD_SHARED_ACCOUNT", severity, 2)}
    statuses = dict(_line_statuses(ctx, reply.batch_id))
    expected = "HELD" if policy == "hold" else "REJECTED"
    assert (statuses[1], statuses[2], statuses[3]) == (expected, expected, "PENDING")
    if policy == "hold":
        assert reply.status == "SUBMITTED" and reply.held_count == 2
        released = client.as_user("approver").call("ReleaseLines", pb.ResolveLinesRequest(
            batch_id=reply.batch_id, seqs=[1], reason="card replaced after loss, confirmed by the bank"))
        assert (released.accepted_count, released.held_count) == (2, 1)
        approved = client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=reply.batch_id))
        assert approved.line_count == 2  # the held line stays outside the instruction
        assert approved.total_fen == sum(ln.amount_fen for ln in changed if ln.seq != 2)


def test_the_stop_list_holds_lines_and_cannot_be_released_around(api):
    ctx, client = api
    lines = list(generate_lines(3, seed=70, region=REGION))
    added = client.call("AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(
        id_number=lines[1].id_number, kind="DECEASED", effective_from="2026-01-05", source="民政局 2026-003")]))
    (entry,) = added.entries
    assert lines[1].id_number not in entry.id_number and entry.id_number.endswith(lines[1].id_number[-4:])
    reply = client.submit(_header(lines, "STOP"), lines)
    assert [(i.seq, i.code, i.severity) for i in reply.issues] == [(2, "STOP_DECEASED", "hold")]
    assert reply.status == "SUBMITTED" and reply.held_count == 1
    with pytest.raises(grpc.RpcError) as err:
        client.as_user("approver").call("ReleaseLines", pb.ResolveLinesRequest(
            batch_id=reply.batch_id, seqs=[2], reason="looks fine"))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    found = client.call("QueryStopList", pb.QueryStopListRequest(id_number=lines[1].id_number, active_on="2026-11-01"))
    assert [e.entry_id for e in found.entries] == [entry.entry_id]
    before = client.call("QueryStopList", pb.QueryStopListRequest(id_number=lines[1].id_number, active_on="2025-12-31"))
    assert list(before.entries) == []
    removed = client.call("RemoveLines", pb.ResolveLinesRequest(batch_id=reply.batch_id, seqs=[2],
                                                                 reason="deceased, notice 2026-003"))
    assert (removed.accepted_count, removed.held_count, removed.status) == (2, 0, "SUBMITTED")


def test_a_stop_entry_arriving_after_submission_holds_the_line_at_approval(api):
    ctx, client = api
    lines = list(generate_lines(3, seed=80, region=REGION))
    reply = client.submit(_header(lines, "STOP-LATE"), lines)
    assert reply.status == "SUBMITTED" and reply.accepted_count == 3
    client.call("AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(
        id_number=lines[0].id_number, kind="IMPRISONED", effective_from="2026-06-01", source="司法局通报")]))
    approved = client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=reply.batch_id))
    assert approved.line_count == 2 and approved.total_fen == lines[1].amount_fen + lines[2].amount_fen
    assert dict(_line_statuses(ctx, reply.batch_id))[1] == "HELD"


STOP_CASES = [
    ("stop-bad-id", {"id_number": "652301198001011234"}, "entries[0].id_number", "ID_CHECKSUM"),
    ("stop-bad-kind", {"kind": "MOVED"}, "entries[0].kind", "STOP_KIND"),
    ("stop-bad-date", {"effective_from": "2026-13-01"}, "entries[0].effective_from", "DATE_FORMAT"),
    ("stop-until-before-from", {"effective_until": "2025-01-01"}, "entries[0].effective_until", "STOP_DATES"),
    ("stop-no-source", {"source": ""}, "entries[0].source", "REQUIRED"),
]


@pytest.mark.parametrize(("changes", "field", "code"), [c[1:] for c in STOP_CASES], ids=[c[0] for c in STOP_CASES])
def test_a_bad_stop_entry_is_refused_and_nothing_is_stored(api, changes, field, code):
    ctx, client = api
    person = _id(seq=777)
    entry = dict(id_number=person, kind="DECEASED", effective_from="2026-01-05", source="民政局")
    entry.update(changes)
    good = pb.StopEntryInput(id_number=_id(seq=778), kind="INELIGIBLE", effective_from="2026-01-05", source="x")
    with pytest.raises(grpc.RpcError) as err:
        client.call("AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(**entry), good]))
    assert _bad_request(err.value)[field].startswith(f"{code}:")
    assert list(client.call("QueryStopList", pb.QueryStopListRequest(id_number=_id(seq=778))).entries) == []


def test_a_correction_is_refused_for_a_line_that_does_not_exist_or_is_accepted(api):
    ctx, client = api
    lines = list(generate_lines(3, seed=90, region=REGION))
    lines = _set(lines, 3, name="张3")
    reply = client.submit(_header(lines, "CORR"), lines)
    ghost = replace(lines[0], seq=9)
    with pytest.raises(grpc.RpcError) as err:
        client.call("CorrectLines", pb.CorrectLinesRequest(batch_id=reply.batch_id, lines=[convert.line_to_pb(ghost)]))
    assert _bad_request(err.value)["lines[9].seq"].startswith("NO_SUCH_LINE:")
    with pytest.raises(grpc.RpcError) as err:
        client.call("CorrectLines", pb.CorrectLinesRequest(batch_id=reply.batch_id,
                                                            lines=[convert.line_to_pb(lines[0])]))
    assert _bad_request(err.value)["lines[1].seq"].startswith("LINE_NOT_CORRECTABLE:")
    # Correcting line 3 into a copy of line 1's person is caught against the rest of the batch.
    copy = replace(lines[2], name="张三", id_number=lines[0].id_number)
    again = client.call("CorrectLines", pb.CorrectLinesRequest(batch_id=reply.batch_id,
                                                                lines=[convert.line_to_pb(copy)]))
    assert [(i.seq, i.code, i.other_seq) for i in again.issues] == [(3, "DUPLICATE_PERSON", 1)]
    assert again.status == "NEEDS_CORRECTION"


def _line_statuses(ctx, batch_id):
    with ctx.engine.connect() as conn:
        return conn.execute(select(lines_table.c.seq, lines_table.c.status)
                            .where(lines_table.c.batch_id == batch_id)).all()


def _ledger_rows(ctx) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(postings)).scalar_one()
