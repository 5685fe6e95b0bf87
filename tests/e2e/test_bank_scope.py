"""A bank's user sees only its own banks (issue 14 item 2), through the real gRPC server with two
banks, RCB01 and RCB02, each with its own BANK user; for every RPC a BANK user may call, what it
gets of its own bank's data and what it gets of the other bank's.

The choices (service/scope.py): a batch of another bank (or one not yet approved) is NOT_FOUND in
the very words of a batch that does not exist, so a bank cannot learn that it exists; lists hold
only the bank's own rows and a filter naming the other bank finds nothing; a hand-in naming the
other bank is PERMISSION_DENIED (bank codes are no secret) and leaves no row and no file; a
report carries the bank's copy only. Roster lines, issues, the audit trail and the disclosure list
are refused to the BANK role outright.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import grpc
import pytest

from adapter import auth
from domain.postings import bank_of
from service.identity import Role
from tests.support.office import Office, Sent
from ykt.v1 import disbursement_pb2 as pb

BANKS = ("RCB01", "RCB02")
USERS = {"clerk": Role.CLERK, "approver": Role.APPROVER, "finance": Role.FINANCE, "auditor": Role.AUDITOR,
         "bank-RCB01": Role.BANK, "bank-RCB02": Role.BANK, "teller-auditor": (Role.BANK, Role.AUDITOR)}
BANK_OF_USER = {"bank-RCB01": ("RCB01",), "bank-RCB02": ("RCB02",), "teller-auditor": ("RCB01",)}

# Every RPC the BANK role may call, and how this test checks it (a new one fails the first test).
CHECKED = {"IngestResultFile", "IngestStatementFile", "GetBatch", "ListBatches", "ListFiles", "GetReconciliation",
           "GetRefundReport", "VerifyReportCopy", "GetBalances", "ListTransactions", "ListRecoveries"}
# What the BANK role may not call at all: the roster's lines and issues, who did what to them.
NOT_THE_BANKS = ("ListLines", "ListLineIssues", "GetAuditTrail", "GetDisclosureList", "ListLineChanges",
                 "ListExceptions", "QueryStopList", "GetAggregateReconciliation", "GetMonthlyReport")


class World:
    """Two banks, each with a batch paid (one line failed), closed; a stopped person paid in
    each; and a batch of RCB01 submitted but not approved."""

    def __init__(self, office: Office):
        o = self.o = office
        self.closed: dict[str, Sent] = {}
        self.results: dict[str, bytes] = {}
        for bank in BANKS:
            sent = o.sent_out("clerk", "approver", 6, bank=bank)
            reply = o.bank_answers(sent, f"bank-{bank}", failure_ppm=0, fail={3})
            assert reply.file.state == "BOOKED", (reply.file.state, list(reply.problems))
            self.results[bank] = o.last_result.read_bytes()
            self.closed[bank] = sent
        # a person of each batch is reported deceased from before the payment: to be recovered
        paid = {bank: next(v for v in o.call("finance", "ListLines", pb.ListLinesRequest(
            batch_id=s.batch_id, status="PAID")).lines) for bank, s in self.closed.items()}
        o.call("clerk", "AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(
            id_number=self.closed[bank].roster[v.seq].id_number, kind="DECEASED", effective_from="2026-11-01",
            source=f"民政局通知 {bank}") for bank, v in paid.items()]))
        for sent in self.closed.values():
            failed = [v.seq for v in o.call("finance", "ListLines", pb.ListLinesRequest(
                batch_id=sent.batch_id, status="FAILED")).lines]
            if failed:
                o.call("approver", "GiveUpLines", pb.ResolveLinesRequest(batch_id=sent.batch_id, seqs=failed,
                                                                          reason="test: given up"))
            o.call("finance", "CloseBatch", pb.CloseBatchRequest(batch_id=sent.batch_id))
        self.unapproved = o.submit("clerk", 2, bank="RCB01")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from ledger.db import make_engine, migrate, sqlite_url

    tmp = tmp_path_factory.mktemp("scope")
    engine = make_engine(sqlite_url(tmp / "ledger.sqlite3"))
    migrate(engine)
    users = {name: frozenset([r] if isinstance(r, Role) else r) for name, r in USERS.items()}
    office = Office(engine, tmp, users, BANKS, BANK_OF_USER, datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    yield World(office)
    office.close()
    engine.dispose()


PAIRS = [("RCB01", "RCB02"), ("RCB02", "RCB01")]


def _code(call) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as err:
        return err.code()
    return grpc.StatusCode.OK


def _details(call) -> str:
    with pytest.raises(grpc.RpcError) as err:
        call()
    return f"{err.value.code().name}: {err.value.details()}"


def test_this_test_checks_every_rpc_the_bank_role_may_call():
    assert {rpc for rpc, roles in auth.RPC_ROLES.items() if Role.BANK in roles} == CHECKED


@pytest.mark.parametrize("rpc", NOT_THE_BANKS)
def test_roster_lines_issues_and_the_trail_are_never_the_banks(world, rpc):
    assert Role.BANK not in auth.RPC_ROLES[rpc]
    o, batch_id = world.o, world.closed["RCB01"].batch_id
    kind = getattr(pb, _request_of(rpc))
    request = kind(batch_id=batch_id) if "batch_id" in kind.DESCRIPTOR.fields_by_name else kind()
    assert _details(lambda: o.call("bank-RCB01", rpc, request)).startswith(f"PERMISSION_DENIED: {rpc} needs role")


def _request_of(rpc: str) -> str:
    method = pb.DESCRIPTOR.services_by_name["DisbursementService"].methods_by_name[rpc]
    return method.input_type.name


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_batch_and_its_reports_of_another_bank_are_not_found_as_if_there_were_none(world, mine, theirs):
    o, user = world.o, f"bank-{mine}"
    own, other = world.closed[mine].batch_id, world.closed[theirs].batch_id
    assert o.call(user, "GetBatch", pb.GetBatchRequest(batch_id=own)).bank_code == mine
    for rpc, request in (("GetBatch", pb.GetBatchRequest), ("GetReconciliation", pb.GetReportRequest),
                         ("GetRefundReport", pb.GetReportRequest)):
        assert _details(lambda: o.call(user, rpc, request(batch_id=other))) == f"NOT_FOUND: no batch {other}"
        assert _details(lambda: o.call(user, rpc, request(batch_id="B-NONE"))) == "NOT_FOUND: no batch B-NONE"
        assert _code(lambda: o.call("finance", rpc, request(batch_id=other))) == grpc.StatusCode.OK
    if mine == "RCB01":  # its own batch before approval: the department's, not yet the bank's
        pending = world.unapproved.batch_id
        assert _details(lambda: o.call(user, "GetBatch", pb.GetBatchRequest(batch_id=pending))) == \
            f"NOT_FOUND: no batch {pending}"
    for rpc in ("GetReconciliation", "GetRefundReport"):  # its own: the bank's copy (第三联) only
        report = o.call(user, rpc, pb.GetReportRequest(batch_id=own))
        assert [c.party for c in report.copies] == ["BANK"] and report.text.count("content sha256") == 1
        full = o.call("finance", rpc, pb.GetReportRequest(batch_id=own))
        assert [c.party for c in full.copies] == ["FINANCE", "DEPARTMENT", "BANK"]
        assert report.content_sha256 == full.content_sha256 and report.copies[0] == full.copies[2]
        verdict = o.call(user, "VerifyReportCopy", pb.VerifyReportCopyRequest(
            content=report.content_json.encode(), party="BANK", content_sha256=report.copies[0].content_sha256,
            signature=report.copies[0].signature))
        assert verdict.valid  # VerifyReportCopy reads nothing stored: the bank checks its own copy


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_lists_hold_only_the_banks_own_rows(world, mine, theirs):
    o, user = world.o, f"bank-{mine}"
    own, other = world.closed[mine].batch_id, world.closed[theirs].batch_id
    everyone = [b.batch_id for b in o.call("finance", "ListBatches", pb.ListBatchesRequest()).batches]
    assert {own, other, world.unapproved.batch_id} <= set(everyone)
    assert [b.batch_id for b in o.call(user, "ListBatches", pb.ListBatchesRequest()).batches] == [own]
    assert o.call(user, "ListBatches", pb.ListBatchesRequest(status="SUBMITTED")).batches == []

    files = o.call(user, "ListFiles", pb.ListFilesRequest()).files
    assert files and {f.bank_code for f in files} == {mine}
    assert {f.batch_id for f in files} == {own}
    assert o.call(user, "ListFiles", pb.ListFilesRequest(bank_code=theirs)).files == []
    assert o.call(user, "ListFiles", pb.ListFilesRequest(batch_id=other)).files == []
    assert {f.bank_code for f in o.call("finance", "ListFiles", pb.ListFilesRequest()).files} >= set(BANKS)

    txns = o.call(user, "ListTransactions", pb.ListTransactionsRequest()).transactions
    assert txns and {t.batch_id for t in txns} == {own}
    assert {t.batch_id for t in o.call("finance", "ListTransactions", pb.ListTransactionsRequest()).transactions} \
        >= {own, other}
    assert _details(lambda: o.call(user, "ListTransactions", pb.ListTransactionsRequest(batch_id=other))) == \
        f"NOT_FOUND: no batch {other}"

    balances = o.call(user, "GetBalances", pb.GetBalancesRequest()).balances
    assert balances and {bank_of(b.account) for b in balances} == {mine}
    assert any(b.account.startswith(f"clearing:{mine}:") for b in balances)
    assert o.call(user, "GetBalances", pb.GetBalancesRequest(prefix=f"clearing:{theirs}")).balances == []
    assert {bank_of(b.account) for b in o.call("finance", "GetBalances", pb.GetBalancesRequest()).balances} \
        >= {*BANKS, None}
    assert _details(lambda: o.call(user, "GetBalances", pb.GetBalancesRequest(batch_id=other))) == \
        f"NOT_FOUND: no batch {other}"
    assert {bank_of(b.account) for b in o.call(user, "GetBalances", pb.GetBalancesRequest(batch_id=own)).balances} \
        == {mine}

    recoveries = o.call(user, "ListRecoveries", pb.ListRecoveriesRequest()).recoveries
    assert [r.batch_id for r in recoveries] == [own]
    assert sorted(r.batch_id for r in o.call("finance", "ListRecoveries", pb.ListRecoveriesRequest()).recoveries) \
        == sorted([own, other])


def _counts(o: Office) -> tuple[int, int, int]:
    files = o.call("finance", "ListFiles", pb.ListFilesRequest()).files
    statements = o.call("finance", "ListStatementFiles", pb.ListStatementFilesRequest()).files
    spooled = sum(1 for p in (o.ctx.settings.data_dir / "inbound").rglob("*") if p.is_file()) \
        if (o.ctx.settings.data_dir / "inbound").exists() else 0
    return len(files), len(statements), spooled


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_bank_hands_in_only_its_own_banks_files(world, mine, theirs):
    o, user = world.o, f"bank-{mine}"
    before = _counts(o)
    data = world.results[theirs]
    for hand_in in (lambda: o.as_user(user).ingest(theirs, "their-result.xml", data),
                    lambda: o.as_user(user).ingest_statement(theirs, "their-statement.xml", b"<x/>"),
                    lambda: o.as_user(user).ingest("NOPE9", "unknown-bank.xml", data)):
        details = _details(hand_in)
        assert details.startswith(f"PERMISSION_DENIED: this user acts for bank {mine}; it may not hand in files "
                                  "of bank "), details
    assert _counts(o) == before  # no row, no spooled file
    # The other bank's result file handed in as its own: it names a batch of another bank, so it is
    # quarantined and books nothing.
    booked = o.call("finance", "GetReconciliation", pb.GetReportRequest(batch_id=world.closed[theirs].batch_id))
    reply = o.as_user(user).ingest(mine, f"{theirs}-as-{mine}.xml", data)
    assert reply.file.state == "QUARANTINED" and reply.booked_lines == 0, (reply.file.state, list(reply.problems))
    again = o.call("finance", "GetReconciliation", pb.GetReportRequest(batch_id=world.closed[theirs].batch_id))
    assert json.loads(again.content_json)["bank"] == json.loads(booked.content_json)["bank"]
    # and a FINANCE user (or one holding a role besides BANK that the RPC allows) is not confined
    assert _code(lambda: o.as_user("finance").ingest(theirs, f"again-{theirs}.xml", data)) == grpc.StatusCode.OK


def test_a_bank_user_with_another_role_is_confined_only_where_it_acts_as_the_bank(world):
    o = world.o
    other = world.closed["RCB02"].batch_id
    assert o.call("teller-auditor", "GetBatch", pb.GetBatchRequest(batch_id=other)).bank_code == "RCB02"  # auditor
    assert _details(lambda: o.as_user("teller-auditor").ingest("RCB02", "r.xml", world.results["RCB02"])) \
        .startswith("PERMISSION_DENIED: this user acts for bank RCB01")
