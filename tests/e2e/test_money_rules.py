"""The money rules of issue 12, end to end: a real gRPC server, a real OpenSSH sshd as the bank's
SFTP server, the worker dispatching, and result files written by hand for a bank of the
delimited family (the shipped profile PSBC01: GBK text, SM3 digest line, LF).

Every expected figure is computed here from the rules and from the amounts of the roster each
test generates (an input) and the records it writes into the bank's files:

* 多发 OVER: paid for a line never instructed (removed, held) or to another account/person:
  the whole amount; paid more than instructed: the excess. Due back from the bank.
* 重发 DUPLICATE: a second payment under another bank reference: each payment after the first.
  The same payment reported again (same reference, same file content) books nothing.
* 漏发 MISSED: instructed, not paid in full by the result deadline, not given up: NO_RESULT,
  the failure reason, or PAID_SHORT (the unpaid part). A re-issued line never answered: NO_RESULT.
* 迟发 LATE: paid after the payment deadline, in Beijing days: the amount paid.
* funded = paid + refunded + outstanding at every moment; due back is never in the refund.

The bank profile PSBC01 says payment_days = 2 and result_days = 3 (working days after the Beijing
day of funding). Most batches are funded on Monday 2026-11-02 at 10:00 Beijing time, so by hand:
payment due Wednesday 2026-11-04, results due Thursday 2026-11-05.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from adapter import convert
from adapter import server as grpc_server
from domain.model import BatchHeader, PaymentLine
from domain.roster import generate_lines
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import Settings
from service.context import Context
from service.profiles import load_profile
from service.worker import Worker
from tests.support.exchange import Clock
from tests.support.identities import TEST_AUTH, TestClient
from tests.support.money import (
    Debit,
    PaymentFile,
    Rec,
    bj,
    failed,
    paid,
    read_payment_file,
    result_file,
    statement_file,
)
from ykt.v1 import disbursement_pb2 as pb

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "profiles" / "PSBC01.toml"
BANK = "PSBC01"
REGION = "652301"
PROGRAM = "耕地地力保护补贴"
N = 12

FUND_AT = bj(2026, 11, 2, 10)  # Monday
PAYMENT_DUE = "2026-11-04"  # Tue 11-03, Wed 11-04: 2 working days
RESULT_DUE = "2026-11-05"  # ... Thu 11-05: 3 working days
ANSWER_AT = bj(2026, 11, 3, 10)  # before both deadlines
AFTER_RESULT_DUE = bj(2026, 11, 6, 10)  # Friday: the result deadline has passed

NO_DISCREPANCY = {"OVER": (0, 0), "DUPLICATE": (0, 0), "MISSED": (0, 0), "LATE": (0, 0)}


# --- the world: service, sshd, worker, a clock set by hand --------------------------------------


@dataclass
class World:
    ctx: Context
    clock: Clock
    client: TestClient  # the clerk
    worker: Worker
    inbox: Path  # the bank's inbox folder (sshd serves it)

    def as_user(self, user: str) -> TestClient:
        return self.client.as_user(user)

    def at(self, moment: datetime) -> None:
        self.clock.now = moment.astimezone(UTC)

    def batch(self, batch_id: str):
        return self.client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))

    def recon(self, batch_id: str) -> dict:
        report = self.as_user("auditor").call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id))
        return json.loads(report.content_json)

    def refund(self, batch_id: str) -> dict:
        report = self.as_user("auditor").call("GetRefundReport", pb.GetReportRequest(batch_id=batch_id))
        return json.loads(report.content_json)

    def balances(self, batch_id: str) -> dict[str, int]:
        return {b.account: b.balance_fen for b in self.client.call(
            "GetBalances", pb.GetBalancesRequest(batch_id=batch_id)).balances}

    def exceptions(self, batch_id: str) -> list[tuple]:
        found = self.as_user("auditor").call("ListExceptions", pb.ListExceptionsRequest(batch_id=batch_id,
                                                                                        page_size=1000))
        return [(e.file_name, e.record, e.seq, e.kind, e.outcome, e.amount_fen, e.bank_ref, e.due_back_fen)
                for e in found.exceptions]

    def hand_in(self, name: str, data: bytes):
        """The bank hands in a result file; it is booked (never quarantined: per-record booking)."""
        reply = self.as_user("bank").ingest(BANK, name, data)
        assert reply.file.state == "BOOKED", (reply.file.state, reply.file.last_error, list(reply.problems))
        return reply

    def close(self, batch_id: str, allow_unreported: bool = False) -> dict:
        report = self.as_user("finance").call("CloseBatch", pb.CloseBatchRequest(
            batch_id=batch_id, allow_unreported=allow_unreported))
        return json.loads(report.content_json)

    def reissue(self, batch_id: str, corrected: list[PaymentLine]):
        """The clerk re-issues lines to other accounts: a change of who is paid, which the approver
        (neither its maker nor the submitter) approves; the re-issue file."""
        asked = self.client.call("ReissueLines", pb.CorrectLinesRequest(
            batch_id=batch_id, lines=[convert.line_to_pb(ln) for ln in corrected]))
        assert asked.change.state == "PENDING" and not asked.HasField("file"), asked
        return self.as_user("approver").call("ApproveLineChanges", pb.LineChangeRequest(
            batch_id=batch_id, change_id=asked.change.change_id)).file

    def payment_files(self, batch_id: str) -> list:
        return [f for f in self.client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
                if f.direction == "OUT"]


@pytest.fixture
def world(engine, sshd_server, tmp_path):
    profile = load_profile(PROFILE)
    assert (profile.format, profile.payment_days, profile.result_days) == ("delimited", 2, 3)
    for folder in (profile.inbox, profile.outbox):
        (sshd_server.root_dir / folder).mkdir(exist_ok=True)
    connected = replace(profile.with_connection(sshd_server.endpoint()), inbox=sshd_server.remote(profile.inbox),
                        outbox=sshd_server.remote(profile.outbox), archive=None)
    clock = Clock(FUND_AT.astimezone(UTC))
    # the service speaks English: these tests read its English messages (Chinese: test_languages.py)
    settings = Settings(language="en", database_url=str(engine.url), data_dir=tmp_path / "service", banks={BANK: connected},
                        auth=TEST_AUTH)
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()), clock=clock,
                  instance_id="money-rules")
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    yield World(ctx, clock, client, Worker(ctx), sshd_server.root_dir / profile.inbox)
    client.close()
    server.stop(grace=None).wait()


# --- a batch sent to the bank ---------------------------------------------------------------------


@dataclass
class Sent:
    batch_id: str
    L: dict[int, PaymentLine]  # the roster by seq
    instructed: list[int]  # seqs that went to the bank
    funded: int
    file: PaymentFile  # the payment file as the bank found it in its inbox
    file_name: str

    @property
    def message_id(self) -> str:
        return self.file.message_id

    def fen(self, *seqs: int) -> int:
        return sum(self.L[s].amount_fen for s in seqs)

    def result_name(self, suffix: str = "") -> str:
        return f"YKT_RET_{Path(self.file_name).stem}{suffix}.txt"


def send(w: World, seed: int, *, remove: tuple[int, ...] = (), hold: tuple[int, ...] = (), how: str = "stop",
         period: str = "2026-11") -> Sent:
    """Submit N generated lines (removing the ``remove`` seqs, and holding the ``hold`` seqs: by
    a stop-list entry, or ``how="one_card"`` by the person's registration with another account
    in another batch), approve, fund the instructed total at the clock's time, and let the worker
    dispatch the payment file."""
    roster = list(generate_lines(N, seed=seed, region=REGION))
    L = {ln.seq: ln for ln in roster}
    for seq in hold:
        if how == "stop":
            w.client.call("AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(
                id_number=L[seq].id_number, kind="DECEASED", effective_from="2026-01-01",
                source="民政局 2026-041")]))
        else:  # the same person, registered with another card by another program's batch
            other = replace(L[seq], seq=1, account_no=next(iter(generate_lines(1, seed=seed + 500))).account_no)
            w.client.submit(BatchHeader(
                idempotency_key=f"other-{seed}-{seq}", program="农机购置补贴", period=period, region=REGION,
                bank_code=BANK, payer_name="某县财政局", payer_account="15000012345678", control_count=1,
                control_total_fen=other.amount_fen), [other])
    header = BatchHeader(
        idempotency_key=f"money-{seed}", program=PROGRAM, period=period, region=REGION, bank_code=BANK,
        payer_name="某县财政局", payer_account="15000012345678", control_count=N,
        control_total_fen=sum(ln.amount_fen for ln in roster))
    reply = w.client.submit(header, roster)
    assert reply.held_count == len(hold) and reply.rejected_count == 0, list(reply.issues)
    batch_id = reply.batch_id
    if remove:
        w.client.call("RemoveLines", pb.ResolveLinesRequest(batch_id=batch_id, seqs=list(remove),
                                                             reason="本人已迁出本县"))
    instructed = [s for s in L if s not in remove and s not in hold]
    funded = sum(L[s].amount_fen for s in instructed)
    w.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    w.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=funded))
    w.worker.run_once()
    (out,) = w.payment_files(batch_id)
    assert out.state == "DELIVERED"
    file = read_payment_file(w.inbox / out.name)
    assert file.message_id == f"{batch_id}P1"
    assert file.seqs == instructed and file.total_fen == funded  # never-instructed lines are not in it
    return Sent(batch_id, L, instructed, funded, file, out.name)


# --- what the reports and the ledger say -----------------------------------------------------------


def classes(content: dict) -> dict[str, tuple[int, int]]:
    return {k: (v["count"], v["fen"]) for k, v in content["discrepancies"].items()}


def listed(content: dict, kind: str) -> list[tuple]:
    """(seq, instructed fen, fen counted, reason) of each line of a discrepancy class."""
    return [(d["seq"], d["instructed_fen"], d["fen"], d["reason"]) for d in content["discrepancies"][kind]["lines"]]


def counted(content: dict, kind: str) -> list[tuple]:
    """(seq, fen counted, reason) of each line of a discrepancy class."""
    return [(d["seq"], d["fen"], d["reason"]) for d in content["discrepancies"][kind]["lines"]]


def money(w: World, sent: Sent, *, paid_fen: int, refunded: int, due_back: int, outstanding: int) -> dict:
    """Asserts the ledger's figures of the batch, funded = paid + refunded + outstanding, due back
    booked as due:BANK against unauthorized:BANK, and every check of the reconciliation."""
    content = w.recon(sent.batch_id)
    ledger = content["ledger"]
    assert w.batch(sent.batch_id).funded_fen == sent.funded
    assert (ledger["paid_fen"], ledger["refunded_fen"], ledger["due_back_fen"],
            ledger["clearing_fen"] + ledger["suspense_fen"]) == (paid_fen, refunded, due_back, outstanding), ledger
    assert sent.funded == paid_fen + refunded + outstanding
    assert all(content["checks"].values()), content["checks"]
    balances = w.balances(sent.batch_id)
    assert balances.get(f"paid:{PROGRAM}", 0) == paid_fen
    assert balances.get(f"due:{BANK}", 0) == due_back
    assert balances.get(f"unauthorized:{BANK}", 0) == -due_back
    assert balances.get(f"budget:{REGION}", 0) == -sent.funded + refunded
    return content


def bank_figures(content: dict, *keys: str) -> tuple:
    return tuple(content["bank"][k] for k in keys)


def all_paid(sent: Sent, seqs=None) -> list[Rec]:
    return [paid(sent.L[s]) for s in (sent.instructed if seqs is None else seqs)]


def violations(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    bad = error_details_pb2.BadRequest()
    assert status is not None and status.details and status.details[0].Unpack(bad), err.details()
    return {v.field: v.description for v in bad.field_violations}


# --- 多发 OVER ------------------------------------------------------------------------------------


def test_a_removed_line_the_bank_pays_is_over_paid_in_full_and_due_back(world):
    w = world
    s = send(w, seed=31, remove=(5,))
    w.at(ANSWER_AT)
    records = [paid(s.L[seq]) for seq in range(1, N + 1)]  # the bank pays line 5, never instructed, too
    name = s.result_name()
    w.hand_in(name, result_file("RET-31-1", s.message_id, s.batch_id, ANSWER_AT, records))

    over = s.fen(5)
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=over, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, over)}
    assert listed(content, "OVER") == [(5, 0, over, "NOT_INSTRUCTED")]
    assert bank_figures(content, "paid_count", "paid_fen", "due_back_count", "due_back_fen", "unreported_count",
                        "exceptions_count") == (N - 1, s.funded, 1, over, 0, 1)
    assert w.exceptions(s.batch_id) == [(name, 5, 5, "NOT_INSTRUCTED", "PAID", over, "REF-5", over)]

    refund = w.close(s.batch_id)  # every instructed line is answered
    assert (refund["refunded_fen"], refund["refunded_count"], refund["lines"]) == (0, 0, [])
    assert (refund["due_back"]["fen"], refund["due_back"]["count"]) == (over, 1)
    assert [(r["seq"], r["kind"], r["due_fen"]) for r in refund["due_back"]["records"]] == [(5, "NOT_INSTRUCTED", over)]
    assert all(refund["checks"].values()), refund["checks"]
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=over, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, over)}


@pytest.mark.parametrize("how", ["stop", "one_card"])
def test_a_held_line_the_bank_pays_is_over_paid_in_full_and_due_back(world, how):
    w = world
    s = send(w, seed=32, hold=(3,), how=how)
    assert [(ln.seq, ln.status) for ln in w.client.call("ListLines", pb.ListLinesRequest(
        batch_id=s.batch_id, status="HELD")).lines] == [(3, "HELD")]
    w.at(ANSWER_AT)
    records = [paid(s.L[seq]) for seq in range(1, N + 1)]  # line 3 was held, never sent: paid anyway
    name = s.result_name()
    w.hand_in(name, result_file("RET-32-1", s.message_id, s.batch_id, ANSWER_AT, records))

    over = s.fen(3)
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=over, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, over)}
    assert listed(content, "OVER") == [(3, 0, over, "NOT_INSTRUCTED")]
    assert bank_figures(content, "paid_count", "paid_fen", "due_back_count", "due_back_fen",
                        "exceptions_count") == (N - 1, s.funded, 1, over, 1)
    assert w.exceptions(s.batch_id) == [(name, 3, 3, "NOT_INSTRUCTED", "PAID", over, "REF-3", over)]

    refund = w.close(s.batch_id)
    assert (refund["refunded_fen"], refund["due_back"]["fen"], refund["due_back"]["count"]) == (0, over, 1)
    assert all(refund["checks"].values()), refund["checks"]
    money(w, s, paid_fen=s.funded, refunded=0, due_back=over, outstanding=0)


def test_an_over_payment_books_the_instructed_amount_paid_and_the_excess_due_back(world):
    w = world
    s = send(w, seed=33)
    w.at(ANSWER_AT)
    excess = 500
    records = [paid(s.L[seq], fen=s.L[seq].amount_fen + excess) if seq == 6 else paid(s.L[seq])
               for seq in s.instructed]
    name = s.result_name()
    w.hand_in(name, result_file("RET-33-1", s.message_id, s.batch_id, ANSWER_AT, records))

    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=excess, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, excess)}
    assert counted(content, "OVER") == [(6, excess, "PAID_OVER")]
    assert bank_figures(content, "paid_count", "paid_fen", "due_back_count", "due_back_fen",
                        "exceptions_count") == (N, s.funded, 1, excess, 1)
    assert w.exceptions(s.batch_id) == [(name, 6, 6, "PAID_OVER", "PAID", s.fen(6) + excess, "REF-6", excess)]

    refund = w.close(s.batch_id)
    assert (refund["refunded_fen"], refund["due_back"]["fen"]) == (0, excess)  # never hidden in the refund
    assert all(refund["checks"].values()), refund["checks"]
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=excess, outstanding=0)
    # line 6 was instructed: the listing names what was instructed beside the excess counted
    assert listed(content, "OVER") == [(6, s.fen(6), excess, "PAID_OVER")]


@pytest.mark.parametrize("names", ["account", "person"])
def test_a_record_naming_another_account_or_person_is_over_paid_and_the_line_stays_unanswered(world, names):
    w = world
    s = send(w, seed=34)
    stranger = next(iter(generate_lines(1, seed=934, region=REGION)))
    assert stranger.account_no != s.L[8].account_no and stranger.name != s.L[8].name
    w.at(ANSWER_AT)
    wrong = (paid(s.L[8], account=stranger.account_no) if names == "account"
             else paid(s.L[8], name=stranger.name))
    records = [wrong if seq == 8 else paid(s.L[seq], name=s.L[seq].name) for seq in s.instructed]
    name = s.result_name()
    w.hand_in(name, result_file("RET-34-1", s.message_id, s.batch_id, ANSWER_AT, records))

    l8 = s.fen(8)
    content = money(w, s, paid_fen=s.funded - l8, refunded=0, due_back=l8, outstanding=l8)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, l8)}  # not missed yet: before the deadline
    assert counted(content, "OVER") == [(8, l8, "OTHER_ACCOUNT")]
    assert bank_figures(content, "paid_count", "paid_fen", "due_back_count", "due_back_fen", "unreported_count",
                        "unreported_fen", "exceptions_count") == (N - 1, s.funded - l8, 1, l8, 1, l8, 1)
    assert w.exceptions(s.batch_id) == [(name, 8, 8, "OTHER_ACCOUNT", "PAID", l8, "REF-8", l8)]
    assert w.batch(s.batch_id).status == "DISPATCHED"  # line 8 has no answer

    w.at(AFTER_RESULT_DUE)  # line 8 still unpaid after the result deadline: missed, no result
    content = money(w, s, paid_fen=s.funded - l8, refunded=0, due_back=l8, outstanding=l8)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, l8), "MISSED": (1, l8)}
    assert listed(content, "MISSED") == [(8, l8, l8, "NO_RESULT")]

    refund = w.close(s.batch_id, allow_unreported=True)
    assert [(i["seq"], i["amount_fen"], i["reason"]) for i in refund["lines"]] == [(8, l8, "NO_RESULT")]
    assert (refund["refunded_fen"], refund["due_back"]["fen"]) == (l8, l8)
    assert all(refund["checks"].values()), refund["checks"]
    content = money(w, s, paid_fen=s.funded - l8, refunded=l8, due_back=l8, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, l8), "MISSED": (1, l8)}
    assert bank_figures(content, "unreported_count", "unreported_fen") == (1, l8)
    # line 8 was instructed (for l8 fen): the listing says so beside the whole payment counted
    assert listed(content, "OVER") == [(8, l8, l8, "OTHER_ACCOUNT")]


# --- 重发 DUPLICATE ---------------------------------------------------------------------------------


def test_a_second_payment_under_another_reference_is_a_duplicate_due_back(world):
    w = world
    s = send(w, seed=35)
    w.at(ANSWER_AT)
    w.hand_in(s.result_name(), result_file("RET-35-1", s.message_id, s.batch_id, ANSWER_AT, all_paid(s)))
    second_name = s.result_name("_2")
    later = bj(2026, 11, 4, 9)
    w.at(later)
    w.hand_in(second_name, result_file("RET-35-2", s.message_id, s.batch_id, later,
                                       [paid(s.L[7], ref="REF-7-AGAIN")]))

    l7 = s.fen(7)
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=l7, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"DUPLICATE": (1, l7)}
    assert counted(content, "DUPLICATE") == [(7, l7, "SECOND_PAYMENT")]
    assert bank_figures(content, "paid_count", "paid_fen", "due_back_count", "due_back_fen", "rereported_count",
                        "exceptions_count") == (N, s.funded, 1, l7, 0, 1)
    assert w.exceptions(s.batch_id) == [(second_name, 1, 7, "SECOND_PAYMENT", "PAID", l7, "REF-7-AGAIN", l7)]

    refund = w.close(s.batch_id)
    assert (refund["refunded_fen"], refund["due_back"]["fen"], refund["due_back"]["count"]) == (0, l7, 1)
    assert [(r["seq"], r["kind"], r["due_fen"]) for r in refund["due_back"]["records"]] == [(7, "SECOND_PAYMENT", l7)]
    assert all(refund["checks"].values()), refund["checks"]
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=l7, outstanding=0)
    # line 7 was instructed for l7 fen: the listing says so beside the second payment counted
    assert listed(content, "DUPLICATE") == [(7, l7, l7, "SECOND_PAYMENT")]


def test_without_bank_references_a_second_payment_is_told_by_a_second_debit_on_the_statement(world):
    """A bank whose result records carry no reference: line 7 reported paid again is a re-report
    (nothing tells it from the first payment); its statement then debits line 7 twice, under two
    references, and the reconciliation counts the second debit as 重发."""
    w = world
    s = send(w, seed=39)
    w.at(ANSWER_AT)
    w.hand_in(s.result_name(), result_file("RET-39-1", s.message_id, s.batch_id, ANSWER_AT,
                                           [paid(s.L[seq], ref="") for seq in s.instructed]))
    again = s.result_name("_2")
    w.hand_in(again, result_file("RET-39-2", s.message_id, s.batch_id, bj(2026, 11, 3, 15), [paid(s.L[7], ref="")]))
    l7 = s.fen(7)
    assert w.exceptions(s.batch_id) == [(again, 1, 7, "REREPORT", "PAID", l7, "", 0)]
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)
    assert classes(content) == NO_DISCREPANCY

    debits = [Debit(s.batch_id, seq, s.fen(seq), "2026-11-03", f"DBT-{seq}") for seq in s.instructed]
    debits.append(Debit(s.batch_id, 7, l7, "2026-11-03", "DBT-7-AGAIN"))
    stored = w.as_user("bank").ingest_statement(BANK, "YKT_STMT_15000012345678_20261103_0001.txt", statement_file(
        "STMT-39", "15000012345678", bj(2026, 11, 3, 20), "2026-11-03", "2026-11-03", s.funded + l7, debits))
    assert stored.file.state == "STORED", stored
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"DUPLICATE": (1, l7)}
    assert counted(content, "DUPLICATE") == [(7, l7, "STATEMENT_DEBIT")]
    # the same statement's debits again (an overlapping statement) are not a third payment
    w.as_user("bank").ingest_statement(BANK, "YKT_STMT_15000012345678_20261103_0002.txt", statement_file(
        "STMT-39B", "15000012345678", bj(2026, 11, 3, 21), "2026-11-03", "2026-11-03", s.funded + l7, debits))
    assert classes(money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)) == NO_DISCREPANCY | {
        "DUPLICATE": (1, l7)}


def test_the_same_payment_reported_again_under_another_file_name_books_nothing(world):
    w = world
    s = send(w, seed=36)
    w.at(ANSWER_AT)
    first = result_file("RET-36-1", s.message_id, s.batch_id, ANSWER_AT, all_paid(s))
    w.hand_in(s.result_name(), first)

    def kinds() -> list[str]:
        return sorted(t.kind for t in w.client.call(
            "ListTransactions", pb.ListTransactionsRequest(batch_id=s.batch_id)).transactions)

    assert kinds() == ["FUND", "RESULT"]

    # the very same bytes under another name: the same content again
    again = w.as_user("bank").ingest(BANK, s.result_name("_RESENT"), first)
    assert again.file.state == "DUPLICATE" and again.booked_lines == 0
    # another file reporting line 2's payment again under its reference
    name = s.result_name("_2")
    w.hand_in(name, result_file("RET-36-2", s.message_id, s.batch_id, bj(2026, 11, 3, 15), [paid(s.L[2])]))
    assert kinds() == ["FUND", "RESULT"]  # nothing booked

    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)
    assert classes(content) == NO_DISCREPANCY
    assert bank_figures(content, "paid_count", "paid_fen", "due_back_count", "due_back_fen", "rereported_count",
                        "exceptions_count") == (N, s.funded, 0, 0, 1, 1)
    assert w.exceptions(s.batch_id) == [(name, 1, 2, "REREPORT", "PAID", s.fen(2), "REF-2", 0)]
    refund = w.close(s.batch_id)
    assert (refund["refunded_fen"], refund["due_back"]["fen"]) == (0, 0)
    money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)


# --- 漏发 MISSED ------------------------------------------------------------------------------------


def test_a_short_payment_books_the_amount_paid_and_the_rest_is_missed_and_refunded(world):
    w = world
    s = send(w, seed=37)
    w.at(ANSWER_AT)
    short = 1234
    records = [paid(s.L[seq], fen=s.L[seq].amount_fen - short) if seq == 4 else paid(s.L[seq])
               for seq in s.instructed]
    name = s.result_name()
    w.hand_in(name, result_file("RET-37-1", s.message_id, s.batch_id, ANSWER_AT, records))

    content = money(w, s, paid_fen=s.funded - short, refunded=0, due_back=0, outstanding=short)
    assert classes(content) == NO_DISCREPANCY  # not missed before the result deadline
    assert bank_figures(content, "paid_count", "paid_fen", "due_back_fen", "exceptions_count") == (
        N, s.funded - short, 0, 1)
    assert w.exceptions(s.batch_id) == [(name, 4, 4, "PAID_SHORT", "PAID", s.fen(4) - short, "REF-4", 0)]

    w.at(AFTER_RESULT_DUE)
    content = money(w, s, paid_fen=s.funded - short, refunded=0, due_back=0, outstanding=short)
    assert classes(content) == NO_DISCREPANCY | {"MISSED": (1, short)}
    assert listed(content, "MISSED") == [(4, s.fen(4), short, "PAID_SHORT")]

    refund = w.close(s.batch_id)
    assert [(i["seq"], i["amount_fen"], i["reason"]) for i in refund["lines"]] == [(4, short, "PAID_SHORT")]
    assert (refund["refunded_fen"], refund["due_back"]["fen"]) == (short, 0)
    assert all(refund["checks"].values()), refund["checks"]
    content = money(w, s, paid_fen=s.funded - short, refunded=short, due_back=0, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"MISSED": (1, short)}


def test_a_reissue_while_other_lines_are_unanswered_carries_exactly_the_reissued_lines(world):
    w = world
    s = send(w, seed=38)
    w.at(ANSWER_AT)
    records = [*all_paid(s, range(1, 9)), failed(s.L[9], "E01", "账户不存在"), failed(s.L[10], "E06", "卡已挂失")]
    w.hand_in(s.result_name(), result_file("RET-38-1", s.message_id, s.batch_id, ANSWER_AT, records))  # 11, 12: no word
    money(w, s, paid_fen=s.fen(*range(1, 9)), refunded=0, due_back=0, outstanding=s.fen(9, 10, 11, 12))

    # Line 11 has no answer and its result deadline has not passed: it may not go again.
    with pytest.raises(grpc.RpcError) as err:
        w.client.call("ReissueLines", pb.CorrectLinesRequest(batch_id=s.batch_id,
                                                             lines=[convert.line_to_pb(s.L[11])]))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(err.value)["lines[11].seq"].startswith("LINE_AWAITING_ANSWER")

    fresh = list(generate_lines(2, seed=938, region=REGION))
    corrected = [replace(s.L[9], account_no=fresh[0].account_no), replace(s.L[10], account_no=fresh[1].account_no)]
    w.reissue(s.batch_id, corrected)
    w.worker.run_once()
    first, again = w.payment_files(s.batch_id)
    assert (first.name, again.state) == (s.file_name, "DELIVERED")
    reissue = read_payment_file(w.inbox / again.name)
    assert reissue.message_id == f"{s.batch_id}P2"
    assert reissue.seqs == [9, 10]  # exactly the re-issued lines: not 11 and 12, still unanswered
    assert reissue.accounts() == {9: fresh[0].account_no, 10: fresh[1].account_no}
    assert reissue.amounts() == {9: s.fen(9), 10: s.fen(10)}
    assert (reissue.count, reissue.total_fen) == (2, s.fen(9, 10))
    money(w, s, paid_fen=s.fen(*range(1, 9)), refunded=0, due_back=0, outstanding=s.fen(9, 10, 11, 12))

    at = bj(2026, 11, 4, 9)
    w.at(at)
    w.hand_in(f"YKT_RET_{Path(again.name).stem}.txt", result_file(
        "RET-38-2", reissue.message_id, s.batch_id, at, [paid(ln) for ln in corrected]))
    w.hand_in(s.result_name("_2"), result_file(  # the first file's two lines answered at last
        "RET-38-3", s.message_id, s.batch_id, at, all_paid(s, [11, 12])))

    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)
    assert classes(content) == NO_DISCREPANCY
    assert w.exceptions(s.batch_id) == []
    assert bank_figures(content, "paid_count", "paid_fen", "unreported_count") == (N, s.funded, 0)
    refund = w.close(s.batch_id)
    assert refund["refunded_fen"] == 0 and all(refund["checks"].values())
    money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)


def test_a_reissued_line_the_bank_never_answers_is_missed_with_no_result(world):
    w = world
    s = send(w, seed=39)
    w.at(ANSWER_AT)
    records = [*all_paid(s, range(1, 10)), failed(s.L[10], "E01", "账户不存在"), failed(s.L[11], "E03", "账户已销户"),
               failed(s.L[12], "E01", "账户不存在")]
    w.hand_in(s.result_name(), result_file("RET-39-1", s.message_id, s.batch_id, ANSWER_AT, records))
    money(w, s, paid_fen=s.fen(*range(1, 10)), refunded=0, due_back=0, outstanding=s.fen(10, 11, 12))

    fresh = list(generate_lines(3, seed=939, region=REGION))
    corrected = {seq: replace(s.L[seq], account_no=f.account_no) for seq, f in zip((10, 11, 12), fresh)}

    def reissue(*seqs: int) -> tuple[PaymentFile, str]:
        w.reissue(s.batch_id, [corrected[seq] for seq in seqs])
        w.worker.run_once()
        out = w.payment_files(s.batch_id)[-1]
        assert out.state == "DELIVERED"
        return read_payment_file(w.inbox / out.name), out.name

    p2, p2_name = reissue(11, 12)
    assert (p2.message_id, p2.seqs) == (f"{s.batch_id}P2", [11, 12])
    at = bj(2026, 11, 4, 9)
    w.at(at)  # the bank answers line 12 of the re-issue; line 11 never
    w.hand_in(f"YKT_RET_{Path(p2_name).stem}.txt", result_file(
        "RET-39-2", p2.message_id, s.batch_id, at, [paid(corrected[12])]))
    # Line 10 goes again while line 11 of the first re-issue is unanswered: only line 10 goes.
    p3, p3_name = reissue(10)
    assert (p3.message_id, p3.seqs, p3.total_fen) == (f"{s.batch_id}P3", [10], s.fen(10))
    w.hand_in(f"YKT_RET_{Path(p3_name).stem}.txt", result_file(
        "RET-39-3", p3.message_id, s.batch_id, bj(2026, 11, 4, 15), [paid(corrected[10])]))
    l11 = s.fen(11)
    content = money(w, s, paid_fen=s.funded - l11, refunded=0, due_back=0, outstanding=l11)
    assert classes(content) == NO_DISCREPANCY  # before the result deadline

    w.at(AFTER_RESULT_DUE)
    content = money(w, s, paid_fen=s.funded - l11, refunded=0, due_back=0, outstanding=l11)
    assert classes(content) == NO_DISCREPANCY | {"MISSED": (1, l11)}
    assert listed(content, "MISSED") == [(11, l11, l11, "NO_RESULT")]  # not its earlier failure's reason
    assert bank_figures(content, "paid_count", "paid_fen", "failed_count", "failed_fen", "unreported_count",
                        "unreported_fen") == (N - 1, s.funded - l11, 3, s.fen(10, 11, 12), 1, l11)
    assert w.exceptions(s.batch_id) == []

    with pytest.raises(grpc.RpcError) as err:
        w.close(s.batch_id)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    refund = w.close(s.batch_id, allow_unreported=True)
    assert [(i["seq"], i["amount_fen"], i["reason"]) for i in refund["lines"]] == [(11, l11, "NO_RESULT")]
    assert refund["refunded_fen"] == l11 and all(refund["checks"].values()), refund["checks"]
    content = money(w, s, paid_fen=s.funded - l11, refunded=l11, due_back=0, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"MISSED": (1, l11)}
    assert listed(content, "MISSED") == [(11, l11, l11, "NO_RESULT")]
    assert bank_figures(content, "unreported_count", "unreported_fen") == (1, l11)


def test_closing_with_unanswered_lines_refunds_them_and_keeps_them_missed_and_unreported(world):
    w = world
    s = send(w, seed=40)
    w.at(ANSWER_AT)
    records = [*all_paid(s, range(1, 10)), failed(s.L[10], "E02", "户名不符")]  # 11, 12: no word
    w.hand_in(s.result_name(), result_file("RET-40-1", s.message_id, s.batch_id, ANSWER_AT, records))
    unpaid = s.fen(10, 11, 12)
    content = money(w, s, paid_fen=s.funded - unpaid, refunded=0, due_back=0, outstanding=unpaid)
    assert classes(content) == NO_DISCREPANCY  # before the result deadline nothing is missed yet
    assert bank_figures(content, "unreported_count", "unreported_fen", "failed_count", "failed_fen") == (
        2, s.fen(11, 12), 1, s.fen(10))
    with pytest.raises(grpc.RpcError) as err:
        w.close(s.batch_id)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    w.at(AFTER_RESULT_DUE)
    missed = [(10, s.fen(10), s.fen(10), "NAME_MISMATCH"), (11, s.fen(11), s.fen(11), "NO_RESULT"),
              (12, s.fen(12), s.fen(12), "NO_RESULT")]
    content = money(w, s, paid_fen=s.funded - unpaid, refunded=0, due_back=0, outstanding=unpaid)
    assert classes(content) == NO_DISCREPANCY | {"MISSED": (3, unpaid)}
    assert listed(content, "MISSED") == missed
    assert content["deadlines"]["late_report"] is False  # the first report came on time

    refund = w.close(s.batch_id, allow_unreported=True)
    assert [(i["seq"], i["amount_fen"], i["reason"]) for i in refund["lines"]] == [
        (10, s.fen(10), "NAME_MISMATCH"), (11, s.fen(11), "NO_RESULT"), (12, s.fen(12), "NO_RESULT")]
    assert (refund["refunded_fen"], refund["refunded_count"], refund["due_back"]["fen"]) == (unpaid, 3, 0)
    assert all(refund["checks"].values()), refund["checks"]
    assert w.refund(s.batch_id)["refunded_fen"] == unpaid
    content = money(w, s, paid_fen=s.funded - unpaid, refunded=unpaid, due_back=0, outstanding=0)
    assert w.batch(s.batch_id).status == "CLOSED"
    assert classes(content) == NO_DISCREPANCY | {"MISSED": (3, unpaid)}
    assert listed(content, "MISSED") == missed
    assert bank_figures(content, "unreported_count", "unreported_fen", "failed_count", "failed_fen") == (
        2, s.fen(11, 12), 1, s.fen(10))


# --- 迟发 LATE and Beijing days ------------------------------------------------------------------------


def test_funding_at_0730_beijing_before_national_day_counts_working_days_from_the_beijing_day(world):
    w = world
    # 2026-09-30 07:30 Beijing is 2026-09-29 23:30 UTC. Official calendar: 10-01..10-07 off,
    # 10-08 Thu, 10-09 Fri working, 10-10 Sat a make-up working day. From Wednesday 09-30:
    # payment due (2 working days) 10-09, results due (3) 10-10. (From the UTC day 09-29 it
    # would be 10-08 and 10-09.)
    funded_at = datetime(2026, 9, 29, 23, 30, tzinfo=UTC)
    assert funded_at == bj(2026, 9, 30, 7, 30)
    w.at(funded_at)
    s = send(w, seed=41, period="2026-09")
    assert w.batch(s.batch_id).payment_due == "2026-10-09"
    content = w.recon(s.batch_id)
    assert (content["deadlines"]["payment_due"], content["deadlines"]["result_due"]) == ("2026-10-09", "2026-10-10")

    at = bj(2026, 10, 9, 7, 0)  # the payment deadline's day in Beijing (2026-10-08 23:00 UTC): on time
    w.at(at)
    w.hand_in(s.result_name(), result_file("RET-41-1", s.message_id, s.batch_id, at, all_paid(s)))
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)
    assert classes(content) == NO_DISCREPANCY
    assert (content["deadlines"]["first_result_on"], content["deadlines"]["late_report"]) == ("2026-10-09", False)
    disclosed = w.client.call("GetDisclosureList", pb.GetDisclosureListRequest(batch_id=s.batch_id)).items
    assert {(i.seq, i.paid_on) for i in disclosed} == {(seq, "2026-10-09") for seq in s.instructed}
    w.close(s.batch_id)
    money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)


def test_a_result_at_0600_beijing_the_day_after_the_payment_deadline_is_late(world):
    w = world
    # Funded Thursday 2026-11-26 10:00 Beijing: payment due Mon 11-30 (Fri 11-27, Mon 11-30),
    # results due Tue 12-01. 2026-12-01 06:00 Beijing is 2026-11-30 22:00 UTC: the deadline's
    # day in UTC, the day after it in Beijing.
    w.at(bj(2026, 11, 26, 10))
    s = send(w, seed=42)
    assert w.batch(s.batch_id).payment_due == "2026-11-30"
    on_time, late = list(range(1, 9)), [9, 10, 11, 12]
    first_at = bj(2026, 11, 27, 10)
    w.at(first_at)
    w.hand_in(s.result_name(), result_file("RET-42-1", s.message_id, s.batch_id, first_at, all_paid(s, on_time)))
    late_at = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    assert late_at == bj(2026, 12, 1, 6, 0)
    w.at(late_at)
    short = 300  # line 12 is paid late and short: late counts what was paid
    w.hand_in(s.result_name("_2"), result_file("RET-42-2", s.message_id, s.batch_id, late_at,
                                               [*all_paid(s, late[:-1]), paid(s.L[12], fen=s.fen(12) - short)]))

    late_fen = s.fen(*late) - short
    content = money(w, s, paid_fen=s.funded - short, refunded=0, due_back=0, outstanding=short)
    assert classes(content) == NO_DISCREPANCY | {"LATE": (4, late_fen)}  # results due today: nothing missed yet
    assert [(seq, instructed, fen) for seq, instructed, fen, _ in listed(content, "LATE")] == [
        (9, s.fen(9), s.fen(9)), (10, s.fen(10), s.fen(10)), (11, s.fen(11), s.fen(11)),
        (12, s.fen(12), s.fen(12) - short)]
    assert (content["deadlines"]["payment_due"], content["deadlines"]["result_due"],
            content["deadlines"]["first_result_on"], content["deadlines"]["late_report"]) == (
        "2026-11-30", "2026-12-01", "2026-11-27", False)
    disclosed = {i.seq: i.paid_on for i in w.client.call(
        "GetDisclosureList", pb.GetDisclosureListRequest(batch_id=s.batch_id)).items}
    assert disclosed == {seq: "2026-11-27" if seq in on_time else "2026-12-01" for seq in s.instructed}

    # The monthly report counts the late lines in December (Beijing), not in November (UTC).
    auditor = w.as_user("auditor")
    totals = {}
    for month in ("2026-11", "2026-12"):
        report = auditor.call("GetMonthlyReport", pb.GetMonthlyReportRequest(program=PROGRAM, region=REGION,
                                                                            month=month))
        content = json.loads(report.content_json)
        assert all(content["checks"].values()), content["checks"]
        t = content["totals"]
        totals[month] = (t["paid_count"], t["paid_fen"], t["late_count"], t["late_fen"])
    assert totals == {"2026-11": (8, s.fen(*on_time), 0, 0), "2026-12": (4, late_fen, 4, late_fen)}
    refund = w.close(s.batch_id)
    assert [(i["seq"], i["amount_fen"], i["reason"]) for i in refund["lines"]] == [(12, short, "PAID_SHORT")]
    content = money(w, s, paid_fen=s.funded - short, refunded=short, due_back=0, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"LATE": (4, late_fen), "MISSED": (1, short)}


def test_a_given_up_line_the_bank_pays_later_is_over_paid_in_full_and_never_missed(world):
    w = world
    s = send(w, seed=44)
    w.at(ANSWER_AT)
    records = [*all_paid(s, range(1, 12)), failed(s.L[12], "E03", "账户已销户")]
    w.hand_in(s.result_name(), result_file("RET-44-1", s.message_id, s.batch_id, ANSWER_AT, records))
    w.as_user("approver").call("GiveUpLines", pb.ResolveLinesRequest(batch_id=s.batch_id, seqs=[12],
                                                                     reason="账户已销户, 本人已迁出"))
    later = bj(2026, 11, 4, 9)
    w.at(later)
    name = s.result_name("_2")
    w.hand_in(name, result_file("RET-44-2", s.message_id, s.batch_id, later, [paid(s.L[12], ref="REF-12-LATE")]))

    l12 = s.fen(12)
    content = money(w, s, paid_fen=s.funded - l12, refunded=0, due_back=l12, outstanding=l12)  # l12 in suspense
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, l12)}
    assert counted(content, "OVER") == [(12, l12, "NOT_INSTRUCTED")]
    assert w.exceptions(s.batch_id) == [(name, 1, 12, "NOT_INSTRUCTED", "PAID", l12, "REF-12-LATE", l12)]
    w.at(AFTER_RESULT_DUE)  # a given-up line is never missed
    assert classes(w.recon(s.batch_id)) == NO_DISCREPANCY | {"OVER": (1, l12)}

    refund = w.close(s.batch_id)
    assert [(i["seq"], i["amount_fen"], i["given_up"]) for i in refund["lines"]] == [(12, l12, True)]
    assert (refund["refunded_fen"], refund["due_back"]["fen"], refund["due_back"]["count"]) == (l12, l12, 1)
    assert all(refund["checks"].values()), refund["checks"]
    content = money(w, s, paid_fen=s.funded - l12, refunded=l12, due_back=l12, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, l12)}


def test_a_payment_of_a_line_the_batch_does_not_have_is_over_paid_and_only_bad_files_are_quarantined(world):
    w = world
    s = send(w, seed=45)
    stranger = next(iter(generate_lines(1, seed=945, region=REGION)))
    w.at(ANSWER_AT)
    # Quarantined whole, booking nothing: header totals that the records do not add up to, and
    # a batch that does not exist.
    wrong_totals = result_file("RET-45-0", s.message_id, s.batch_id, ANSWER_AT, all_paid(s),
                               totals=(N, N, s.funded + 1, 0, 0))
    unknown_batch = result_file("RET-45-9", "B20261102DEADBEEFP1", "B20261102DEADBEEF", ANSWER_AT, all_paid(s))
    for bad_name, data in (("YKT_RET_WRONG_TOTALS.txt", wrong_totals), ("YKT_RET_UNKNOWN.txt", unknown_batch)):
        reply = w.as_user("bank").ingest(BANK, bad_name, data)
        assert (reply.file.state, reply.booked_lines) == ("QUARANTINED", 0), reply
    money(w, s, paid_fen=0, refunded=0, due_back=0, outstanding=s.funded)

    # One record naming line 13 of a 12-line batch: the file is booked record by record.
    unknown = Rec(13, stranger.account_no, 8888, "S", ref="REF-13")
    name = s.result_name()
    reply = w.hand_in(name, result_file("RET-45-1", s.message_id, s.batch_id, ANSWER_AT, [*all_paid(s), unknown]))
    assert reply.booked_lines == N
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=8888, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"OVER": (1, 8888)}
    assert listed(content, "OVER") == [(13, 0, 8888, "NOT_INSTRUCTED")]
    assert bank_figures(content, "paid_count", "paid_fen", "due_back_count", "due_back_fen", "exceptions_count") == (
        N, s.funded, 1, 8888, 1)
    assert w.exceptions(s.batch_id) == [(name, N + 1, 13, "NOT_INSTRUCTED", "PAID", 8888, "REF-13", 8888)]
    refund = w.close(s.batch_id)
    assert (refund["refunded_fen"], refund["due_back"]["fen"]) == (0, 8888)
    money(w, s, paid_fen=s.funded, refunded=0, due_back=8888, outstanding=0)


def test_unanswered_lines_go_again_only_after_the_deadline_without_a_debit_or_with_leave(world):
    w = world
    s = send(w, seed=46)
    w.at(ANSWER_AT)
    w.hand_in(s.result_name(), result_file("RET-46-1", s.message_id, s.batch_id, ANSWER_AT,
                                           all_paid(s, range(1, 10))))  # 10, 11, 12: no word

    def reissue(seq: int):
        return w.client.call("ReissueLines", pb.CorrectLinesRequest(batch_id=s.batch_id,
                                                                    lines=[convert.line_to_pb(s.L[seq])]))

    with pytest.raises(grpc.RpcError) as err:  # before the result deadline
        reissue(11)
    assert violations(err.value)["lines[11].seq"].startswith("LINE_AWAITING_ANSWER")
    w.as_user("approver").call("AllowReissue", pb.ResolveLinesRequest(
        batch_id=s.batch_id, seqs=[11], reason="村委会证实本人未收到"))
    reissue(11)  # with an approver's leave
    w.worker.run_once()
    p2 = w.payment_files(s.batch_id)[-1]
    assert read_payment_file(w.inbox / p2.name).seqs == [11]

    # The bank pays line 11 on the re-issue, then reports its first instruction paid too, under
    # another reference: the person was paid twice.
    at = bj(2026, 11, 4, 9)
    w.at(at)
    w.hand_in(f"YKT_RET_{Path(p2.name).stem}.txt", result_file(
        "RET-46-2", f"{s.batch_id}P2", s.batch_id, at, [paid(s.L[11], ref="REF-11-R1")]))
    twice = s.result_name("_2")
    w.hand_in(twice, result_file("RET-46-3", s.message_id, s.batch_id, bj(2026, 11, 4, 10), [paid(s.L[11])]))

    # After the result deadline: line 10 has a debit on the bank's statement, line 12 none.
    w.at(AFTER_RESULT_DUE)
    stored = w.as_user("bank").ingest_statement(BANK, "YKT_STMT_15000012345678_20261105_0001.txt", statement_file(
        "STMT-46-1", "15000012345678", bj(2026, 11, 5, 18), "2026-11-04", "2026-11-05", s.funded,
        [Debit(s.batch_id, 10, s.fen(10), "2026-11-04", "DBT-10")]))
    assert stored.file.state == "STORED", list(stored.problems)
    with pytest.raises(grpc.RpcError) as err:
        reissue(10)
    assert violations(err.value)["lines[10].seq"].startswith("LINE_DEBITED")
    reissue(12)  # no leave needed
    w.worker.run_once()
    p3 = w.payment_files(s.batch_id)[-1]
    assert read_payment_file(w.inbox / p3.name).seqs == [12]
    w.as_user("approver").call("AllowReissue", pb.ResolveLinesRequest(
        batch_id=s.batch_id, seqs=[10], reason="银行确认该笔借记已冲回"))
    reissue(10)
    w.worker.run_once()
    p4 = w.payment_files(s.batch_id)[-1]
    assert read_payment_file(w.inbox / p4.name).seqs == [10]

    l11, unpaid = s.fen(11), s.fen(10, 12)
    content = money(w, s, paid_fen=s.funded - unpaid, refunded=0, due_back=l11, outstanding=unpaid)
    assert classes(content) == NO_DISCREPANCY | {"DUPLICATE": (1, l11), "MISSED": (2, unpaid)}
    assert counted(content, "DUPLICATE") == [(11, l11, "SECOND_PAYMENT")]
    assert listed(content, "MISSED") == [(10, s.fen(10), s.fen(10), "NO_RESULT"),
                                         (12, s.fen(12), s.fen(12), "NO_RESULT")]
    assert w.exceptions(s.batch_id) == [(twice, 1, 11, "SECOND_PAYMENT", "PAID", l11, "REF-11", l11)]

    refund = w.close(s.batch_id, allow_unreported=True)
    assert [(i["seq"], i["amount_fen"], i["reason"]) for i in refund["lines"]] == [
        (10, s.fen(10), "NO_RESULT"), (12, s.fen(12), "NO_RESULT")]
    assert (refund["refunded_fen"], refund["due_back"]["fen"]) == (unpaid, l11)
    assert all(refund["checks"].values()), refund["checks"]
    content = money(w, s, paid_fen=s.funded - unpaid, refunded=unpaid, due_back=l11, outstanding=0)
    assert classes(content) == NO_DISCREPANCY | {"DUPLICATE": (1, l11), "MISSED": (2, unpaid)}
    assert bank_figures(content, "unreported_count", "unreported_fen") == (2, unpaid)
    # line 11 was instructed for l11 fen: the listing says so beside the second payment counted
    assert listed(content, "DUPLICATE") == [(11, l11, l11, "SECOND_PAYMENT")]


def test_a_first_result_after_the_result_deadline_is_a_late_report_and_every_line_late(world):
    w = world
    s = send(w, seed=47)
    # 2026-11-06 06:00 Beijing is 2026-11-05 22:00 UTC: the result deadline's day in UTC, the
    # day after it in Beijing.
    at = datetime(2026, 11, 5, 22, 0, tzinfo=UTC)
    assert at == bj(2026, 11, 6, 6, 0)
    w.at(at)
    content = money(w, s, paid_fen=0, refunded=0, due_back=0, outstanding=s.funded)
    assert (content["deadlines"]["first_result_on"], content["deadlines"]["late_report"]) == (None, True)
    assert classes(content) == NO_DISCREPANCY | {"MISSED": (N, s.funded)}
    assert {reason for *_, reason in listed(content, "MISSED")} == {"NO_RESULT"}
    assert bank_figures(content, "unreported_count", "unreported_fen") == (N, s.funded)

    w.hand_in(s.result_name(), result_file("RET-47-1", s.message_id, s.batch_id, at, all_paid(s)))
    content = money(w, s, paid_fen=s.funded, refunded=0, due_back=0, outstanding=0)
    assert (content["deadlines"]["first_result_on"], content["deadlines"]["late_report"]) == ("2026-11-06", True)
    assert classes(content) == NO_DISCREPANCY | {"LATE": (N, s.funded)}
    assert [(seq, fen) for seq, _, fen, _ in listed(content, "LATE")] == [(seq, s.fen(seq)) for seq in s.instructed]


def test_funding_at_0730_beijing_on_the_first_of_a_month_counts_in_that_month(world):
    w = world
    # 2026-12-01 07:30 Beijing is 2026-11-30 23:30 UTC: December's funding in Beijing.
    funded_at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert funded_at == bj(2026, 12, 1, 7, 30)
    w.at(funded_at)
    s = send(w, seed=48, period="2026-12")
    assert w.batch(s.batch_id).payment_due == "2026-12-03"  # Wed 12-02, Thu 12-03
    funded = {}
    for month in ("2026-11", "2026-12"):
        content = json.loads(w.as_user("auditor").call("GetMonthlyReport", pb.GetMonthlyReportRequest(
            program=PROGRAM, region=REGION, month=month)).content_json)
        funded[month] = (content["totals"]["funded_batches"], content["totals"]["funded_fen"])
    assert funded == {"2026-11": (0, 0), "2026-12": (1, s.funded)}
