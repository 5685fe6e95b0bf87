"""Separation of duties through the real gRPC server (issue 14 item 1): for each duty rule, a
user holding every combination of the five roles tries the duty, having played each earlier part
its roles let it play; the expected outcome is written here from the rules of the issue:

* approve a batch: role APPROVER; never its submitter, never whoever corrected its lines;
* fund a batch: role FINANCE; never its approver, except for a program the settings name in
  ``[duties] approver_may_fund`` (off by default);
* approve a change of who is paid (a re-issue to another account): role APPROVER; never whoever
  made the change, never the batch's submitter (its approver may);
* re-issue a line the bank has not answered on an approver's leave: role CLERK; never whoever
  gave the leave.

An outcome is OK, ROLE (PERMISSION_DENIED by the role table: "needs role") or DUTY
(PERMISSION_DENIED by the duties table: "may not"). Then the attack of the issue itself: one
clerk re-issuing a failed line to another person sends nothing until a second person approves,
and the changed line goes through every roster check again, at the request and at approval.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import combinations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from domain.duties import BARRED, Duty, Part
from service.identity import Role
from tests.support.office import Office
from ykt.v1 import disbursement_pb2 as pb

BANK = "RCB01"
OTHER_PROGRAM = "农机购置补贴"  # its approver may fund it: [duties] approver_may_fund
ROLES = (Role.CLERK, Role.APPROVER, Role.FINANCE, Role.BANK, Role.AUDITOR)
COMBOS = [frozenset(c) for n in range(1, len(ROLES) + 1) for c in combinations(ROLES, n)]
FIXED = {"s-clerk": Role.CLERK, "c-clerk": Role.CLERK, "a-approver": Role.APPROVER, "finance": Role.FINANCE,
         "bank": Role.BANK}

# The rules as the issue states them: the role an RPC needs, and the parts that bar a person.
RULES = {
    "ApproveBatch": ({Role.APPROVER}, {"submitted", "corrected"}),
    "FundBatch": ({Role.FINANCE}, {"approved"}),
    "ApproveLineChanges": ({Role.APPROVER}, {"changed", "submitted"}),
    "ReissueLines on leave": ({Role.CLERK}, {"gave leave"}),
}


def expected(rpc: str, roles: frozenset[Role], parts: set[str], waived: set[str] = frozenset()) -> str:
    allowed, barred = RULES[rpc]
    if not roles & allowed:
        return "ROLE"
    return "DUTY" if parts & (barred - waived) else "OK"


def name(roles: frozenset[Role]) -> str:
    return "u-" + "-".join(sorted(r.value.lower() for r in roles))


def outcome(call) -> str:
    try:
        call()
    except grpc.RpcError as err:
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED, (err.code(), err.details())
        if "needs role" in err.details():
            return "ROLE"
        assert " may not " in err.details() and "must be someone other than" in err.details(), err.details()
        return "DUTY"
    return "OK"


@pytest.fixture
def office(sqlite_engine, tmp_path):
    users = {**{k: frozenset([v]) for k, v in FIXED.items()}, **{name(c): c for c in COMBOS}}
    bank_users = {u: (BANK,) for u, roles in users.items() if Role.BANK in roles}
    o = Office(sqlite_engine, tmp_path, users, (BANK,), bank_users, datetime(2026, 11, 2, 2, 0, tzinfo=UTC),
               approver_may_fund={OTHER_PROGRAM})
    yield o
    o.close()


def check(rows: list[tuple]) -> None:
    """Every row's outcome is the rules' (each row: rpc, user, parts played, expected, got)."""
    wrong = [row for row in rows if row[-1] != row[-2]]
    assert not wrong, "(rpc, user, parts, expected, got):\n" + "\n".join(map(str, wrong))
    assert {row[-1] for row in rows} == {"OK", "DUTY", "ROLE"}


def test_the_rules_here_are_the_services_table():
    parts = {"submitted": Part.SUBMITTED, "corrected": Part.CORRECTED, "approved": Part.APPROVED,
             "changed": Part.CHANGED, "gave leave": Part.GAVE_LEAVE}
    duty = {"ApproveBatch": Duty.APPROVE_BATCH, "FundBatch": Duty.FUND_BATCH,
            "ApproveLineChanges": Duty.APPROVE_LINE_CHANGE, "ReissueLines on leave": Duty.REISSUE_ON_LEAVE}
    assert {duty[rpc]: {parts[p] for p in barred} for rpc, (_, barred) in RULES.items()} == dict(BARRED)


def test_approving_a_batch_for_every_combination_of_roles(office):
    o, rows = office, []
    for roles in COMBOS:
        user = name(roles)
        sent = o.submit("s-clerk", bad_first=True, bank=BANK)  # someone else entered and corrected it
        o.correct("c-clerk", sent, o.another_person(sent.roster[1]))
        rows.append(("ApproveBatch", user, set(), expected("ApproveBatch", roles, set()),
                     outcome(lambda: o.approve(user, sent))))
        if Role.CLERK in roles:
            own = o.submit(user, bank=BANK)
            rows.append(("ApproveBatch", user, {"submitted"}, expected("ApproveBatch", roles, {"submitted"}),
                         outcome(lambda: o.approve(user, own))))
            fixed = o.submit("s-clerk", bad_first=True, bank=BANK)  # another clerk's rejected line, a new person
            o.correct(user, fixed, o.another_person(fixed.roster[1]))
            rows.append(("ApproveBatch", user, {"corrected"}, expected("ApproveBatch", roles, {"corrected"}),
                         outcome(lambda: o.approve(user, fixed))))
    check(rows)
    assert len(rows) == 31 + 16 + 16
    assert sum(row[-1] == "OK" for row in rows) == 16  # only a fresh approver approves


def test_funding_a_batch_for_every_combination_of_roles(office):
    o, rows = office, []
    for roles in COMBOS:
        user = name(roles)
        sent = o.submit("s-clerk", bank=BANK)
        o.approve("a-approver", sent)
        rows.append(("FundBatch", user, set(), expected("FundBatch", roles, set()),
                     outcome(lambda: o.fund(user, sent))))
        if Role.APPROVER in roles:
            for program, waived in (("耕地地力保护补贴", set()), (OTHER_PROGRAM, {"approved"})):
                own = o.submit("s-clerk", bank=BANK, program=program)
                o.approve(user, own)
                rows.append(("FundBatch", user, {"approved", program},
                             expected("FundBatch", roles, {"approved"}, waived), outcome(lambda: o.fund(user, own))))
    check(rows)
    assert len(rows) == 31 + 32
    # the approver funds only where the settings allow it, and only with FINANCE too
    assert [row[1] for row in rows if "approved" in row[2] and row[-1] == "OK"] == \
        [name(c) for c in COMBOS if {Role.APPROVER, Role.FINANCE} <= c]
    assert all(OTHER_PROGRAM in row[2] for row in rows if "approved" in row[2] and row[-1] == "OK")


def _change(o: Office, changer: str, sent, seq: int) -> int:
    """``changer`` re-issues failed line ``seq`` to another account: a pending change."""
    reply = o.reissue(changer, sent, [o.another_account(sent.roster[seq])])
    assert reply.change.state == "PENDING" and not reply.HasField("file"), reply
    return reply.change.change_id


def _decide(o: Office, user: str, sent, change_id: int) -> str:
    got = outcome(lambda: o.call(user, "ApproveLineChanges", pb.LineChangeRequest(
        batch_id=sent.batch_id, change_id=change_id)))
    if got == "OK":
        o.dispatch(sent)  # the re-issue file goes, so the next change may be made
    else:
        o.call("a-approver", "RefuseLineChanges", pb.LineChangeRequest(
            batch_id=sent.batch_id, change_id=change_id, reason="test: refused to try the next user"))
    return got


def test_approving_a_change_of_who_is_paid_for_every_combination_of_roles(office):
    o, rows = office, []
    rpc = "ApproveLineChanges"
    fresh = o.sent_out("s-clerk", "a-approver", 20, bank=BANK)  # another clerk changes each line
    o.bank_answers(fresh, "bank", failure_ppm=1_000_000)
    seq = 1
    for roles in COMBOS:
        got = _decide(o, name(roles), fresh, _change(o, "c-clerk", fresh, seq))
        rows.append((rpc, name(roles), set(), expected(rpc, roles, set()), got))
        seq += got == "OK"
    own_change = o.sent_out("s-clerk", "a-approver", 2, bank=BANK)
    o.bank_answers(own_change, "bank", failure_ppm=1_000_000)
    for roles in (c for c in COMBOS if Role.CLERK in c):  # the one who made the change
        got = _decide(o, name(roles), own_change, _change(o, name(roles), own_change, 1))
        rows.append((rpc, name(roles), {"changed"}, expected(rpc, roles, {"changed"}), got))
    for roles in (c for c in COMBOS if Role.CLERK in c):  # the batch's submitter
        sent = o.sent_out(name(roles), "a-approver", 2, bank=BANK)
        o.bank_answers(sent, "bank", failure_ppm=1_000_000)
        got = _decide(o, name(roles), sent, _change(o, "c-clerk", sent, 1))
        rows.append((rpc, name(roles), {"submitted"}, expected(rpc, roles, {"submitted"}), got))
    for roles in (c for c in COMBOS if Role.APPROVER in c):  # the batch's approver: not barred
        sent = o.sent_out("s-clerk", name(roles), 2, bank=BANK)
        o.bank_answers(sent, "bank", failure_ppm=1_000_000)
        got = _decide(o, name(roles), sent, _change(o, "c-clerk", sent, 1))
        rows.append((rpc, name(roles), {"approved"}, expected(rpc, roles, {"approved"}), got))
    check(rows)
    assert len(rows) == 31 + 16 + 16 + 16
    changes = o.call("finance", "ListLineChanges",
                     pb.ListLineChangesRequest(batch_id=fresh.batch_id)).changes
    approved = [c for c in changes if c.state == "APPROVED"]
    assert len(approved) == 16 and all(c.requested_by == "c-clerk" and c.file_id for c in approved)
    assert {c.decided_by for c in approved} == {name(c) for c in COMBOS if Role.APPROVER in c}


def test_reissuing_on_leave_for_every_combination_of_roles(office):
    o, rows = office, []
    rpc = "ReissueLines on leave"
    sent = o.sent_out("s-clerk", "a-approver", 24, bank=BANK)  # the bank never answers
    seq = 1

    def attempt(roles, giver: str, parts: set[str]) -> None:
        nonlocal seq
        o.call(giver, "AllowReissue", pb.ResolveLinesRequest(batch_id=sent.batch_id, seqs=[seq], reason="村委会证实未到账"))
        got = outcome(lambda: o.reissue(name(roles), sent, [sent.roster[seq]]))  # the same person and account
        rows.append((rpc, name(roles), parts, expected(rpc, roles, parts), got))
        if got == "OK":
            o.dispatch(sent)
            seq += 1

    for roles in COMBOS:
        attempt(roles, "a-approver", set())
    for roles in (c for c in COMBOS if Role.APPROVER in c):
        attempt(roles, name(roles), {"gave leave"})
    check(rows)
    assert len(rows) == 31 + 16
    assert sum(row[-1] == "OK" for row in rows) == 16


# --- the issue's attack: one clerk redirects a failed payment ------------------------------------


def _violations(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            return {v.field: v.description for v in bad.field_violations}
    return {}


def _files(o: Office, sent) -> list[tuple[str, str]]:
    return [(f.direction, f.state) for f in o.call("finance", "ListFiles",
                                                    pb.ListFilesRequest(batch_id=sent.batch_id)).files]


def test_a_clerk_redirecting_a_failed_line_sends_nothing_until_a_second_person_approves(office):
    o = office
    sent = o.sent_out("s-clerk", "a-approver", 4, bank=BANK)
    o.bank_answers(sent, "bank", failure_ppm=1_000_000)
    before, inbox = _files(o, sent), dict(o.memory.inbox)
    stranger = o.another_person(sent.roster[2])  # another name, ID number and account
    reply = o.reissue("c-clerk", sent, [stranger])
    change = reply.change
    assert not reply.HasField("file") and change.state == "PENDING" and change.requested_by == "c-clerk"
    (item,) = change.lines
    assert (item.seq, list(item.changed), item.amount_fen) == (2, ["name", "id_number", "account_no"],
                                                               sent.roster[2].amount_fen)
    assert item.id_number_after != item.id_number_before and "*" in item.id_number_after
    assert stranger.id_number not in str(reply) and stranger.account_no not in str(reply)  # masked
    assert _files(o, sent) == before and o.memory.inbox == inbox  # nothing rendered, nothing sent
    lines = o.call("s-clerk", "ListLines", pb.ListLinesRequest(batch_id=sent.batch_id, status="FAILED")).lines
    assert 2 in {v.seq for v in lines}  # the line is as it was

    # the same person to the same account goes at once: no change of who is paid
    same = o.reissue("c-clerk", sent, [sent.roster[3]])
    assert same.HasField("file") and not same.HasField("change") and same.file.state == "GENERATED"
    o.dispatch(sent)

    for user in ("c-clerk", "s-clerk"):  # the changer and the submitter: refused, nothing changes
        with pytest.raises(grpc.RpcError) as err:
            o.call(user, "ApproveLineChanges", pb.LineChangeRequest(batch_id=sent.batch_id, change_id=change.change_id))
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    approved = o.call("a-approver", "ApproveLineChanges", pb.LineChangeRequest(
        batch_id=sent.batch_id, change_id=change.change_id))
    assert approved.change.state == "APPROVED" and approved.change.decided_by == "a-approver"
    assert approved.file.state == "GENERATED" and approved.change.file_id == approved.file.file_id
    with pytest.raises(grpc.RpcError) as err:  # decided once
        o.call("a-approver", "ApproveLineChanges", pb.LineChangeRequest(batch_id=sent.batch_id,
                                                                         change_id=change.change_id))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    o.dispatch(sent)
    carried = o.memory.inbox[approved.file.name].decode("utf-8")
    assert stranger.account_no in carried and stranger.name in carried  # only now, to the bank
    trail = [(e.action, e.actor, e.seq)
             for e in o.call("finance", "GetAuditTrail", pb.GetAuditTrailRequest(batch_id=sent.batch_id)).events]
    assert ("REQUEST_LINE_CHANGE", "c-clerk", 2) in trail and ("APPROVE_LINE_CHANGE", "a-approver", 2) in trail


def test_a_changed_line_goes_through_every_roster_check_at_the_request_and_at_approval(office):
    o = office
    paid = o.sent_out("s-clerk", "a-approver", 3, bank=BANK)
    o.bank_answers(paid, "bank", failure_ppm=0)  # paid: its people are paid for the program and period
    sent = o.sent_out("s-clerk", "a-approver", 4, bank=BANK)
    o.bank_answers(sent, "bank", failure_ppm=1_000_000)

    def refused(line, field: str, code: str) -> None:
        with pytest.raises(grpc.RpcError) as err:
            o.reissue("c-clerk", sent, [line])
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert _violations(err.value)[f"lines[{line.seq}].{field}"].startswith(code), _violations(err.value)

    line = sent.roster[1]
    refused(_as(paid.roster[2], line), "id_number", "DUPLICATE_PAYMENT")  # paid already in another batch
    refused(_with_account(o.another_person(line), sent.roster[3]), "account_no", "ACCOUNT_SHARED")  # line 3's card
    refused(_with_id(o.another_account(line), sent.roster[4]), "id_number", "DUPLICATE_PERSON")  # line 4's person
    newcomer = o.another_person(line)
    o.call("s-clerk", "AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(
        id_number=newcomer.id_number, kind="DECEASED", effective_from="2026-10-01", source="民政局通知 1")]))
    refused(newcomer, "id_number", "STOP_DECEASED")
    assert o.call("finance", "ListLineChanges", pb.ListLineChangesRequest(batch_id=sent.batch_id)).changes == []

    # At approval the checks run again: a stop entry that came in meanwhile refuses it.
    later = o.another_person(line)
    change_id = o.reissue("c-clerk", sent, [later]).change.change_id
    o.call("s-clerk", "AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(
        id_number=later.id_number, kind="IMPRISONED", effective_from="2026-10-01", source="法院通知 2")]))
    with pytest.raises(grpc.RpcError) as err:
        o.call("a-approver", "ApproveLineChanges", pb.LineChangeRequest(batch_id=sent.batch_id, change_id=change_id))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _violations(err.value)["lines[1].id_number"].startswith("STOP_IMPRISONED")
    (still,) = o.call("finance", "ListLineChanges", pb.ListLineChangesRequest(batch_id=sent.batch_id)).changes
    assert still.state == "PENDING" and [(f.direction, f.state) for f in o.call(
        "finance", "ListFiles", pb.ListFilesRequest(batch_id=sent.batch_id)).files][-1] == ("IN", "BOOKED")
    with pytest.raises(grpc.RpcError) as err:  # one pending change per line
        o.reissue("c-clerk", sent, [o.another_account(line)])
    assert _violations(err.value)["lines[1].seq"].startswith("LINE_CHANGE_PENDING")
    refused_change = o.call("a-approver", "RefuseLineChanges", pb.LineChangeRequest(
        batch_id=sent.batch_id, change_id=change_id, reason="本人服刑，停发"))
    assert (refused_change.state, refused_change.reason) == ("REFUSED", "本人服刑，停发")
    assert json.loads(o.call("finance", "GetReconciliation", pb.GetReportRequest(
        batch_id=sent.batch_id)).content_json)["bank"]["failed_count"] == 4


def _as(person, line):
    """``person`` paid on ``line`` (its seq and amount)."""
    return person.__class__(**{**_fields(person), "seq": line.seq, "amount_fen": line.amount_fen})


def _with_account(line, holder):
    return line.__class__(**{**_fields(line), "account_no": holder.account_no, "account_kind": holder.account_kind})


def _with_id(line, holder):
    return line.__class__(**{**_fields(line), "id_number": holder.id_number, "name": holder.name})


def _fields(line) -> dict:
    return {f: getattr(line, f) for f in line.__dataclass_fields__}


def test_a_lead_who_corrects_another_clerks_line_cannot_approve_the_batch(office):
    """The issue's third case: CLERK and APPROVER correct another clerk's rejected line (a new
    person) and then approve: refused; someone else approves."""
    o = office
    lead = name(frozenset({Role.CLERK, Role.APPROVER}))
    sent = o.submit("s-clerk", bad_first=True, bank=BANK)
    o.correct(lead, sent, o.another_person(sent.roster[1]))
    with pytest.raises(grpc.RpcError) as err:
        o.approve(lead, sent)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert err.value.details() == (f"batch {sent.batch_id}: user '{lead}' may not approve the batch: it must be "
                                   f"someone other than whoever corrected its lines ({lead})")
    assert o.approve("a-approver", sent).approved_by == "a-approver"
