"""Bad input through the real gRPC API, one table (issue 14 item 9).

One server on SQLite, one program registry and two banks of different formats — ABC01 speaks
ISO 20022 (UTF-8, Max35Text/Max140Text fields), RCC01 the fixed-width GBK layout (GBK bytes in
fixed widths, no trailing spaces) — users of every role (two bank users, one per bank; two
clerk-and-approver "leads" of a small office; an approver who is also in finance), and batches in
every state the cases need, each made through the API by the users the rules allow.

Every row of :data:`CASES` is one test: who calls, which RPC with what (a stream for SubmitBatch
and the hand-ins), the gRPC status the rules call for and, where the rules give one, the reason
code of each named field in the ``google.rpc.BadRequest`` details (``field -> code`` or a tuple of
codes where the rules allow either). Expectations are written from the README and issue 14, not
from what the service answers. What a case may change is its ``kind``:

* ``REFUSED`` (every non-OK status): nothing. Every table of the ledger
  (``ledger.schema.metadata.sorted_tables``: row count and a SHA-256 of every row in key order)
  and every file under the data folder are the same after the call as before. No table is
  excluded: the rules audit what was *done* (``GetAuditTrail``, the journal record changes), a
  refusal is answered and logged, not recorded, so the audit and journal tables must not move
  either.
* ``READ`` (an OK read, e.g. page size 0 = the default page): nothing, as for a refusal.
* ``REJECTED`` (a line the roster checks reject, or a warning): the batch is stored waiting for
  correction (or, for a warning, as submitted), with its lines, issues, audit and journal
  entries; no money moves and no file is made (postings, transactions, accounts, files,
  result lines, line changes, stop entries and statements unchanged).
* ``PENDING``: a change of who is paid, waiting for a second person: only the change, its
  audit and journal entries; no file, no money, no line changes status.
* ``QUARANTINED``: a handed-in file that cannot be trusted as a whole is recorded with its
  reasons and books nothing: one new ``files`` row (QUARANTINED) and its journal/audit entries.

Where two rules both refuse a value (a period holding a bidirectional mark is no month either; an
empty program is missing and unknown) either code is accepted. The table holds the roster-check
cases of issue 4 (tests/e2e/test_roster_checks.py) again, under the registry and two banks. Two
rows found defects, fixed in their own commits: a re-issued line was not checked against the
bank's file (TEXT_BIDI, TEXT_LINE_BREAK, TEXT_WIDTH), and a hand-in named by a path was taken under
its last part instead of refused (NOT_A_FILE_NAME).

Amounts are int64 in the API, so "not integer fen" cannot be sent through it (the file readers'
tests try it); a name too wide for a bank field is always longer than the 20 characters the name
rule allows (NAME_LENGTH), so widths are tried on the address, remark and subsidy item.
"""
from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sqlalchemy import select

import bank_formats
from adapter import convert
from adapter import server as grpc_server
from adapter.client import Client
from bank_sim.bank import SimulatedBank
from domain.idnumber import check_character, compose
from domain.model import AccountKind, BatchHeader, PaymentLine
from domain.roster import generate_lines
from domain.validation import luhn_check_digit
from ledger.db import make_engine, migrate, sqlite_url
from ledger.schema import metadata
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import config
from service.config import BankProfile
from service.context import Context
from service.identity import AuthSettings, Role, issue_tokens
from sftp.endpoint import SftpEndpoint
from tests.support.exchange import Clock, MemoryBank
from ykt.v1 import disbursement_pb2 as pb

OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED

REGION = "652301"
ISO, GBK = "ABC01", "RCC01"
PROGRAM = "耕地地力保护补贴"  # month periods, standard 150,000 fen (the roster generator's highest)
ELDER = "高龄津贴"  # year periods, standard 10,000 fen
MACHINES = "农机购置补贴"  # quarter periods, no standard
STANDARD = 150_000
PERIOD = "2026-11"
CAP = 256 * 1024  # handed_in_max_bytes of this server

SETTINGS = {
    "language": "en",  # the cases' words are the English messages (Chinese: test_languages.py)
    "programs": {
        PROGRAM: {"code": "GDDL", "department": "县农业农村局", "period": "month", "standard_fen": STANDARD},
        ELDER: {"code": "GLJT", "department": "县民政局", "period": "year", "standard_fen": 10_000},
        MACHINES: {"code": "NJGZ", "department": "县农机局", "period": "quarter"},
    },
}

USERS = {
    "clerk": Role.CLERK, "clerk2": Role.CLERK, "approver": Role.APPROVER, "approver2": Role.APPROVER,
    "finance": Role.FINANCE, "auditor": Role.AUDITOR, "bank-iso": Role.BANK, "bank-gbk": Role.BANK,
    "lead": (Role.CLERK, Role.APPROVER), "lead2": (Role.CLERK, Role.APPROVER),
    "appfin": (Role.APPROVER, Role.FINANCE),
}
BANK_USERS = {"bank-iso": (ISO,), "bank-gbk": (GBK,)}


def _endpoint() -> SftpEndpoint:
    return SftpEndpoint(host="bank.invalid", port=22, username="ykt", private_key_path=None,
                        host_key="ssh-ed25519 AAAA")


BANKS = {
    ISO: BankProfile(code=ISO, name="中国农业银行某县支行", format="iso20022", sftp=_endpoint(),
                     inbox="/inbox", outbox="/outbox", archive="/archive"),
    GBK: BankProfile(code=GBK, name="某县农村信用合作联社", format="fixed_width_gbk",
                     format_options={"encoding": "gbk", "line_ending": "\r\n"}, sftp=_endpoint(),
                     inbox="/upload", outbox="/download", archive="/download/done"),
}


# --- the world: the server and batches in every state ---------------------------------------------


class World:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.engine = make_engine(sqlite_url(tmp / "ledger.sqlite3"))
        migrate(self.engine)
        users, self.tokens = issue_tokens(USERS, banks=BANK_USERS)
        loaded = config.from_dict(SETTINGS, base=tmp)
        settings = replace(loaded, database_url=str(self.engine.url), data_dir=tmp / "service", banks=dict(BANKS),
                           auth=AuthSettings(users=users), handed_in_max_bytes=CAP)
        self.memory = MemoryBank()
        self.ctx = Context(engine=self.engine, settings=settings, clock=Clock(datetime(2026, 11, 2, 2, 0, tzinfo=UTC)),
                           connect=self.memory.connect, cipher=FieldCipher(Keyring.generate()),
                           instance_id="table")
        self.server, port = grpc_server.build(self.ctx, "127.0.0.1:0")
        self.address = f"127.0.0.1:{port}"
        self.client = Client(self.address, token=self.tokens["clerk"])
        self._as = {name: self.client.with_token(token) for name, token in self.tokens.items()}
        self._seeds = itertools.count(5000)
        self._fresh = (ln for seed in itertools.count(90_000) for ln in generate_lines(40, seed=seed, region=REGION))
        self._answers = 0
        self.prepare()

    def close(self) -> None:
        self.client.close()
        self.server.stop(grace=None).wait()
        self.engine.dispose()

    def as_user(self, user: str) -> Client:
        return self._as[user]

    def call(self, user: str, rpc: str, request):
        return self.as_user(user).call(rpc, request)

    # -- making batches, each step as the user named ------------------------------------------

    def roster(self, n: int = 3) -> list[PaymentLine]:
        return list(generate_lines(n, seed=next(self._seeds), region=REGION))

    def person(self) -> PaymentLine:
        return next(self._fresh)

    def header(self, lines, *, bank: str = ISO, program: str = PROGRAM, period: str = PERIOD, key: str = "",
               **changes) -> BatchHeader:
        header = BatchHeader(idempotency_key=key or f"key-{next(self._seeds)}", program=program, period=period,
                             region=REGION, bank_code=bank, payer_name="某县财政局", payer_account="15000012345678",
                             control_count=len(lines), control_total_fen=sum(ln.amount_fen for ln in lines))
        return replace(header, **changes)

    def submit(self, user: str, lines=None, **header) -> tuple[str, dict[int, PaymentLine]]:
        lines = lines or self.roster()
        reply = self.as_user(user).submit(self.header(lines, **header), lines)
        return reply.batch_id, {ln.seq: ln for ln in lines}

    def approve(self, user: str, batch_id: str):
        return self.call(user, "ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))

    def total(self, batch_id: str) -> int:
        return self.call("finance", "GetBatch", pb.GetBatchRequest(batch_id=batch_id)).total_fen

    def fund(self, user: str, batch_id: str):
        return self.call(user, "FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=self.total(batch_id)))

    def sent_out(self, submitter: str = "clerk", n: int = 3, bank: str = ISO) -> tuple[str, dict[int, PaymentLine]]:
        batch_id, roster = self.submit(submitter, self.roster(n), bank=bank)
        self.approve("approver", batch_id)
        self.fund("finance", batch_id)
        self.call("finance", "DispatchBatch", pb.DispatchBatchRequest(batch_id=batch_id))
        return batch_id, roster

    def bank_answers(self, batch_id: str, failure_ppm: int) -> bytes:
        """The simulated ISO bank answers the batch's latest payment file; its user hands it in."""
        self._answers += 1
        sim = SimulatedBank(self.tmp / f"sim{self._answers}", bank_formats.get("iso20022"), seed=7, bank_code=ISO,
                            failure_rate_ppm=failure_ppm)
        out = [f for f in self.call("finance", "ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
               if f.direction == "OUT"][-1]
        (sim.inbox / out.name).write_bytes(self.memory.inbox[out.name])
        (result,) = sim.process_once()
        data = result.read_bytes()
        reply = self.as_user("bank-iso").ingest(ISO, result.name, data)
        assert reply.file.state == "BOOKED", (reply.file.state, list(reply.problems))
        return data

    def reissue(self, user: str, batch_id: str, lines):
        return self.call(user, "ReissueLines", pb.CorrectLinesRequest(
            batch_id=batch_id, lines=[convert.line_to_pb(ln) for ln in lines]))

    def another_person(self, like: PaymentLine) -> PaymentLine:
        other = self.person()
        return replace(other, seq=like.seq, amount_fen=like.amount_fen, account_kind=like.account_kind)

    def prepare(self) -> None:
        self.submitted, self.submitted_roster = self.submit("clerk")
        bad = self.roster()
        bad[0] = replace(bad[0], id_number=_broken_check(bad[0].id_number))
        self.needs_correction, self.nc_roster = self.submit("clerk", bad)
        self.by_lead, _ = self.submit("lead")  # the lead submitted it: may not approve it
        self.corrected_by_lead, roster = self.submit("clerk", [replace(ln, id_number=_broken_check(ln.id_number))
                                                               if ln.seq == 1 else ln for ln in self.roster()])
        self.call("lead", "CorrectLines", pb.CorrectLinesRequest(batch_id=self.corrected_by_lead, lines=[
            convert.line_to_pb(self.another_person(roster[1]))]))  # corrected by the lead: may not approve
        self.approved, _ = self.submit("clerk")
        self.approve("approver", self.approved)
        self.approved_by_appfin, _ = self.submit("clerk")
        self.approve("appfin", self.approved_by_appfin)  # approver and finance: may not fund it
        self.funded, _ = self.submit("clerk")
        self.approve("approver", self.funded)
        self.fund("finance", self.funded)
        self.gbk_approved, _ = self.submit("clerk", bank=GBK)
        self.approve("approver", self.gbk_approved)
        self.unanswered, _ = self.sent_out()  # at the bank, no answer yet: cannot be closed
        # every line failed; submitted by the lead; pending changes of who is paid on lines 1, 2
        self.failed, self.failed_roster = self.sent_out("lead", n=6)
        self.result_file = self.bank_answers(self.failed, failure_ppm=1_000_000)
        self.change_by_clerk = self.reissue("clerk", self.failed, [
            self.another_person(self.failed_roster[1])]).change.change_id
        self.change_by_lead2 = self.reissue("lead2", self.failed, [
            self.another_person(self.failed_roster[2])]).change.change_id
        self.closed, _ = self.sent_out()
        self.closed_result = self.bank_answers(self.closed, failure_ppm=0)
        self.call("finance", "CloseBatch", pb.CloseBatchRequest(batch_id=self.closed))
        self.out_file = [f for f in self.call("finance", "ListFiles", pb.ListFilesRequest(batch_id=self.closed)).files
                         if f.direction == "OUT"][0].file_id
        self.in_file = [f for f in self.call("finance", "ListFiles", pb.ListFilesRequest(batch_id=self.closed)).files
                        if f.direction == "IN"][0].file_id
        (self.stop_entry,) = self.call("clerk", "AddStopEntries", pb.AddStopEntriesRequest(entries=[
            pb.StopEntryInput(id_number=self.person().id_number, kind="DECEASED", effective_from="2026-01-05",
                              source="民政局通知 2026-001")])).entries


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("badinput"))
    yield w
    w.close()


# --- helpers for the cases ---------------------------------------------------------------------


def _broken_check(id_number: str) -> str:
    return id_number[:-1] + ("0" if id_number[-1] != "0" else "1")


def _luhn_broken(account: str) -> str:
    body = account[:-1]
    return body + str((int(luhn_check_digit(body)) + 1) % 10)


def _set(lines, at, **changes):
    return [replace(ln, **changes) if ln.seq == at else ln for ln in lines]


def _doctype_at(offset: int) -> bytes:
    """A pain.002-looking document with a DOCTYPE (and an entity) after ``offset`` bytes of comment."""
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<!--'
    pad = b"x" * max(0, offset - len(head) - 4)
    return (head + pad + b"-->\n" + b'<!DOCTYPE Document [<!ENTITY e "PAID">]>\n'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>&e;'
            b'</CstmrPmtStsRpt></Document>\n')


@dataclass(frozen=True)
class Case:
    id: str
    user: str | None  # None: no credentials; "!bad": a token nobody has
    rpc: str
    request: Callable[[World], Any]  # the request, or for a stream RPC an iterator of messages
    code: grpc.StatusCode
    fields: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    kind: str = ""  # REFUSED / READ / REJECTED / PENDING / QUARANTINED; default from the code
    issue: tuple[int, str, str] | None = None  # REJECTED: (seq, field, code) among the reply's issues
    words: str = ""  # text the status details must hold

    @property
    def effect(self) -> str:
        return self.kind or ("READ" if self.code == OK else "REFUSED")


# Tables a kind of case may change (all others: unchanged).
MAY_CHANGE = {
    "REFUSED": set(),
    "READ": set(),
    "REJECTED": {"batches", "lines", "line_issues", "audit_events", "journal", "journal_head"},
    "PENDING": {"line_changes", "audit_events", "journal", "journal_head"},
    "QUARANTINED": {"files", "audit_events", "journal", "journal_head"},
}


def submit(header_of: Callable[[World, list[PaymentLine]], BatchHeader] | None = None,
           lines_of: Callable[[World, list[PaymentLine]], list[PaymentLine]] | None = None, n: int = 3):
    """A SubmitBatch stream: a fresh roster changed by ``lines_of``, a header by ``header_of``."""
    def make(w: World) -> Iterator[pb.SubmitBatchRequest]:
        lines = w.roster(n)
        if lines_of:
            lines = lines_of(w, lines)
        header = header_of(w, lines) if header_of else w.header(lines)
        return _stream(header, lines)
    return make


def _stream(header: BatchHeader, lines) -> Iterator[pb.SubmitBatchRequest]:
    yield pb.SubmitBatchRequest(header=convert.header_to_pb(header))
    yield pb.SubmitBatchRequest(lines=pb.LineChunk(lines=[convert.line_to_pb(ln) for ln in lines]))


def header(**changes):
    return submit(header_of=lambda w, lines: w.header(lines, **changes))


def line(seq: int = 2, **changes):
    return submit(lines_of=lambda w, lines: _set(lines, seq, **changes))


def line_with(fn: Callable[[PaymentLine, list[PaymentLine]], dict]):
    return submit(lines_of=lambda w, lines: _set(lines, 2, **fn(lines[1], lines)))


def gbk_line(**changes):
    return submit(header_of=lambda w, lines: w.header(lines, bank=GBK),
                  lines_of=lambda w, lines: _set(lines, 2, **changes))


def hand_in(bank: str, name: str, data: Callable[[World], bytes] | bytes, signature: bytes = b"",
            chunk: int = 64 * 1024):
    def make(w: World) -> Iterator[pb.IngestResultFileRequest]:
        body = data(w) if callable(data) else data
        yield pb.IngestResultFileRequest(start=pb.IngestResultFileRequest.Start(
            bank_code=bank, file_name=name, signature=signature))
        for at in range(0, len(body), chunk):
            yield pb.IngestResultFileRequest(data=body[at:at + chunk])
    return make


def rejected(make, seq: int, fld: str, code: str) -> dict:
    return {"request": make, "code": OK, "kind": "REJECTED", "issue": (seq, fld, code)}


def _id(region=REGION, birth="19800101", seq=123) -> str:
    return compose(region, birth, seq)


FEB30 = "65230119800230123" + check_character("65230119800230123")
PAGED = {  # every request with a page size, and its batch field when it has one
    "ListBatches": lambda w, n: pb.ListBatchesRequest(page_size=n),
    "ListFiles": lambda w, n: pb.ListFilesRequest(page_size=n),
    "ListLines": lambda w, n: pb.ListLinesRequest(batch_id=w.submitted, status="PENDING", page_size=n),
    "ListLineIssues": lambda w, n: pb.ListLineIssuesRequest(batch_id=w.needs_correction, page_size=n),
    "ListExceptions": lambda w, n: pb.ListExceptionsRequest(page_size=n),
    "ListTransactions": lambda w, n: pb.ListTransactionsRequest(page_size=n),
    "ListRecoveries": lambda w, n: pb.ListRecoveriesRequest(page_size=n),
    "ListStatementFiles": lambda w, n: pb.ListStatementFilesRequest(page_size=n),
    "GetDisclosureList": lambda w, n: pb.GetDisclosureListRequest(batch_id=w.closed, page_size=n),
}


def _cases() -> list[Case]:
    c: list[Case] = []

    def add(id_: str, user: str | None, rpc: str, request, code=None, fields=None, **kw):
        if isinstance(request, dict):
            kw = {**request, **kw}
            request, code = kw.pop("request"), kw.pop("code")
        c.append(Case(id_, user, rpc, request, code, fields or {}, **kw))

    S = "SubmitBatch"
    # -- authentication and roles ---------------------------------------------------------------
    add("auth-no-token", None, "ListBatches", lambda w: pb.ListBatchesRequest(), UNAUTHENTICATED)
    add("auth-bad-token", "!bad", "ListBatches", lambda w: pb.ListBatchesRequest(), UNAUTHENTICATED)
    add("auth-no-token-submit", None, S, submit(), UNAUTHENTICATED)
    add("role-clerk-funds", "clerk", "FundBatch", lambda w: pb.FundBatchRequest(
        batch_id=w.approved, amount_fen=w.total(w.approved)), DENIED, words="needs role")
    add("role-auditor-submits", "auditor", S, submit(), DENIED, words="needs role")
    add("role-bank-approves", "bank-iso", "ApproveBatch", lambda w: pb.ApproveBatchRequest(batch_id=w.submitted),
        DENIED, words="needs role")
    add("role-finance-adds-stop-entry", "finance", "AddStopEntries", lambda w: pb.AddStopEntriesRequest(entries=[
        pb.StopEntryInput(id_number=_id(seq=901), kind="DECEASED", effective_from="2026-01-05", source="x")]),
        DENIED, words="needs role")
    add("role-clerk-revokes-stop-entry", "clerk", "RevokeStopEntry", lambda w: pb.RevokeStopEntryRequest(
        entry_id=w.stop_entry.entry_id, reason="mistake"), DENIED, words="needs role")
    add("role-approver-hands-in", "approver", "IngestResultFile", hand_in(ISO, "r.xml", lambda w: w.result_file),
        DENIED, words="needs role")

    # -- the stream's shape ----------------------------------------------------------------------
    add("stream-empty", "clerk", S, lambda w: iter(()), INVALID, {"header": "REQUIRED"})
    add("stream-lines-first", "clerk", S, lambda w: iter([pb.SubmitBatchRequest(lines=pb.LineChunk(
        lines=[convert.line_to_pb(w.roster(1)[0])]))]), INVALID, {"header": "REQUIRED"})
    add("stream-two-headers", "clerk", S, lambda w: (lambda ls: iter([
        pb.SubmitBatchRequest(header=convert.header_to_pb(w.header(ls))),
        pb.SubmitBatchRequest(header=convert.header_to_pb(w.header(ls)))]))(w.roster(1)), INVALID,
        {"header": "REPEATED"})

    # -- the header: every field ---------------------------------------------------------------
    add("header-no-idempotency-key", "clerk", S, header(idempotency_key=""), INVALID,
        {"header.idempotency_key": "REQUIRED"})
    add("header-idempotency-key-isolate", "clerk", S, header(idempotency_key="key\u2066x"), INVALID,
        {"header.idempotency_key": "TEXT_BIDI"})
    add("header-no-program", "clerk", S, header(program=""), INVALID,
        {"header.program": ("REQUIRED", "PROGRAM_UNKNOWN")})
    add("header-program-unknown", "clerk", S, header(program="老年补贴"), INVALID,
        {"header.program": "PROGRAM_UNKNOWN"})
    add("header-program-lookalike", "clerk", S, header(program=PROGRAM + " "), INVALID,
        {"header.program": "PROGRAM_UNKNOWN"})
    add("header-period-month-13", "clerk", S, header(period="2026-13"), INVALID, {"header.period": "PERIOD_FORMAT"})
    add("header-period-abc", "clerk", S, header(period="abc"), INVALID, {"header.period": "PERIOD_FORMAT"})
    add("header-period-year-for-month", "clerk", S, header(period="2026"), INVALID,
        {"header.period": "PERIOD_FORMAT"})
    add("header-period-month-for-year", "clerk", S, header(program=ELDER, period="2026-11"), INVALID,
        {"header.period": "PERIOD_FORMAT"})
    add("header-period-quarter-5", "clerk", S, header(program=MACHINES, period="2026-Q5"), INVALID,
        {"header.period": "PERIOD_FORMAT"})
    add("header-period-empty", "clerk", S, header(period=""), INVALID,
        {"header.period": ("REQUIRED", "PERIOD_FORMAT")})
    add("header-period-lrm", "clerk", S, header(period="2026-11\u200e"), INVALID,
        {"header.period": ("TEXT_BIDI", "PERIOD_FORMAT")})
    add("header-standard-not-registered", "clerk", S, header(max_amount_fen=STANDARD * 2), INVALID,
        {"header.max_amount_fen": "STANDARD_NOT_REGISTERED"})
    add("header-standard-for-program-without", "clerk", S, header(program=MACHINES, period="2026-Q4",
                                                                   max_amount_fen=5000), INVALID,
        {"header.max_amount_fen": "STANDARD_NOT_REGISTERED"})
    add("header-region-5-digits", "clerk", S, header(region="65230"), INVALID, {"header.region": "REGION_FORMAT"})
    add("header-region-full-width", "clerk", S, header(region="６５２３０１"), INVALID,
        {"header.region": "REGION_FORMAT"})
    add("header-region-arabic-indic", "clerk", S, header(region="٦٥٢٣٠١"), INVALID,
        {"header.region": "REGION_FORMAT"})
    add("header-region-trailing-newline", "clerk", S, header(region="652301\n"), INVALID,
        {"header.region": "REGION_FORMAT"})
    add("header-region-empty", "clerk", S, header(region=""), INVALID,
        {"header.region": ("REQUIRED", "REGION_FORMAT")})
    add("header-bank-unknown", "clerk", S, header(bank_code="NOBANK"), INVALID, {"header.bank_code": "UNKNOWN_BANK"})
    add("header-bank-empty", "clerk", S, header(bank_code=""), INVALID,
        {"header.bank_code": ("REQUIRED", "UNKNOWN_BANK")})
    add("header-no-payer", "clerk", S, header(payer_name=""), INVALID, {"header.payer_name": "REQUIRED"})
    add("header-payer-rtl-override", "clerk", S, header(payer_name="某县财政局\u202e"), INVALID,
        {"header.payer_name": "TEXT_BIDI"})
    add("header-payer-line-feed", "clerk", S, header(payer_name="某县\n财政局"), INVALID,
        {"header.payer_name": "TEXT_LINE_BREAK"})
    add("header-payer-noncharacter", "clerk", S, header(payer_name="某县财政局\uffff"), INVALID,
        {"header.payer_name": "TEXT_NONCHARACTER"})
    add("header-payer-not-gbk", "clerk", S, header(bank=GBK, payer_name="张𠀀财政局"), INVALID,
        {"header.payer_name": "TEXT_ENCODING"})
    add("header-payer-too-wide-gbk", "clerk", S, header(bank=GBK, payer_name="财" * 71), INVALID,
        {"header.payer_name": "TEXT_WIDTH"})
    add("header-payer-trailing-space-gbk", "clerk", S, header(bank=GBK, payer_name="某县财政局 "), INVALID,
        {"header.payer_name": "TEXT_CHARACTER"})
    add("header-payer-account-cr", "clerk", S, header(payer_account="150000\r12345678"), INVALID,
        {"header.payer_account": "TEXT_LINE_BREAK"})
    add("header-payer-account-bell", "clerk", S, header(payer_account="1500\x0700"), INVALID,
        {"header.payer_account": "TEXT_CONTROL"})
    add("header-control-count", "clerk", S, submit(header_of=lambda w, ls: w.header(ls, control_count=len(ls) + 1)),
        INVALID, {"batch.control_count": "CONTROL_COUNT"})
    add("header-control-total", "clerk", S, submit(header_of=lambda w, ls: w.header(ls, control_total_fen=1)),
        INVALID, {"batch.control_total_fen": "CONTROL_TOTAL"})
    add("header-total-too-wide-gbk", "clerk", S, submit(header_of=lambda w, ls: w.header(
        ls, bank=GBK, control_total_fen=10**18)), INVALID,
        {"header.control_total_fen": "AMOUNT_TOO_LARGE"})
    add("header-total-too-wide-iso", "clerk", S, line(amount_fen=2**62), INVALID,  # 19 digits of yuan.fen: over 18
        {"header.control_total_fen": "AMOUNT_TOO_LARGE"})
    add("seq-zero", "clerk", S, submit(lines_of=lambda w, ls: _set(ls, 2, seq=0)), INVALID,
        {"lines[#2].seq": "SEQ_INVALID"})
    add("seq-twice", "clerk", S, submit(lines_of=lambda w, ls: [ls[0], ls[1], replace(ls[2], seq=2)]), INVALID,
        {"lines[2].seq": "DUPLICATE_SEQ"})
    add("seq-gap", "clerk", S, submit(lines_of=lambda w, ls: [ls[0], ls[1], replace(ls[2], seq=4)]), INVALID,
        {"batch.seq": "SEQ_NOT_CONTIGUOUS"})

    # -- string caps, before anything reads the value -------------------------------------------
    add("cap-header-program", "clerk", S, header(program="补" * 257), INVALID, {"header.program": "TOO_LONG"})
    add("cap-id-number-5000-digits", "clerk", S, line(id_number="1" * 5000), INVALID,
        {"lines[2].id_number": "TOO_LONG"})
    add("cap-account-5000-digits", "clerk", S, line(account_no="6" * 5000), INVALID,
        {"lines[2].account_no": "TOO_LONG"})
    add("cap-remark-1025", "clerk", S, line(remark="备" * 1025), INVALID, {"lines[2].remark": "TOO_LONG"})
    add("cap-batch-id", "finance", "GetBatch", lambda w: pb.GetBatchRequest(batch_id="B" * 65), INVALID,
        {"batch_id": "TOO_LONG"})
    add("cap-stop-id-number", "clerk", "AddStopEntries", lambda w: pb.AddStopEntriesRequest(entries=[
        pb.StopEntryInput(id_number="1" * 5000, kind="DECEASED", effective_from="2026-01-05", source="x")]),
        INVALID, {"entries[0].id_number": "TOO_LONG"})
    add("cap-reason", "approver", "GiveUpLines", lambda w: pb.ResolveLinesRequest(
        batch_id=w.failed, seqs=[6], reason="因" * 2001), INVALID, {"reason": "TOO_LONG"})
    add("cap-file-name", "bank-iso", "IngestResultFile", hand_in(ISO, "r" * 256 + ".xml", b"<x/>"), INVALID,
        {"start.file_name": "TOO_LONG"})
    add("cap-signature", "bank-iso", "IngestResultFile",
        hand_in(ISO, "r.xml", b"<x/>", signature=b"s" * (64 * 1024 + 1)), INVALID, {"start.signature": "TOO_LONG"})

    # -- page sizes: 1 to 1,000, 0 the default ----------------------------------------------------
    for rpc, make in PAGED.items():
        user = "finance"
        add(f"page-1001-{rpc}", user, rpc, lambda w, make=make: make(w, 1001), INVALID, {"page_size": "OUT_OF_RANGE"})
        add(f"page-negative-{rpc}", user, rpc, lambda w, make=make: make(w, -1), INVALID,
            {"page_size": "OUT_OF_RANGE"})
    add("page-0-is-the-default", "finance", "ListBatches", lambda w: pb.ListBatchesRequest(page_size=0), OK)
    add("page-int32-min", "finance", "ListFiles", lambda w: pb.ListFilesRequest(page_size=-(2**31)), INVALID,
        {"page_size": "OUT_OF_RANGE"})

    # -- lines the roster checks reject: the batch waits for a correction, no money moves ---------
    L = [
        ("id-check-character", line_with(lambda ln, ls: {"id_number": _broken_check(ln.id_number)}), "id_number",
         "ID_CHECKSUM"),
        ("id-legacy-15", line(id_number="652301800101123"), "id_number", "ID_LEGACY_15"),
        ("id-17-chars", line(id_number="65230119800101123"), "id_number", "ID_LENGTH"),
        ("id-letter-inside", line(id_number="6523011980A101123X"), "id_number", "ID_FORMAT"),
        ("id-no-such-province", line(id_number=_id(region="002301")), "id_number", "ID_REGION"),
        ("id-born-in-future", line(id_number=_id(birth="20991231")), "id_number", "ID_BIRTH_DATE"),
        ("id-feb-30", line(id_number=FEB30), "id_number", "ID_BIRTH_DATE"),
        ("id-empty", line(id_number=""), "id_number", "ID_LENGTH"),
        ("id-full-width-digits", line(id_number="６５２３０１１９８００１０１１２３Ｘ"), "id_number", "ID_FORMAT"),
        ("name-one-char", line(name="张"), "name", "NAME_LENGTH"),
        ("name-21-chars", line(name="张" * 21), "name", "NAME_LENGTH"),
        ("name-digit", line(name="张3"), "name", "NAME_DIGIT"),
        ("name-space", line(name="张 三"), "name", "NAME_SPACE"),
        ("name-bullet-for-dot", line(name="买买提•艾力"), "name", "NAME_DOT_LOOKALIKE"),
        ("name-leading-dot", line(name="·艾力"), "name", "NAME_DOT_POSITION"),
        ("name-latin", line(name="ZhangSan"), "name", "NAME_CHARSET"),
        ("name-not-gbk-for-gbk-bank", gbk_line(name="张𠀀"), "name", "TEXT_ENCODING"),
        ("account-letters", line(account_no="62220200ABC123456"), "account_no", "ACCOUNT_FORMAT"),
        ("account-card-11-digits", line(account_kind=AccountKind.CARD, account_no="62220212345"), "account_no",
         "ACCOUNT_LENGTH"),
        ("account-passbook-7-digits", line(account_kind=AccountKind.PASSBOOK, account_no="1234567"), "account_no",
         "ACCOUNT_LENGTH"),
        ("account-card-20-digits", line(account_kind=AccountKind.CARD, account_no="6" * 20), "account_no",
         "ACCOUNT_LENGTH"),
        ("phone-not-mobile", line(phone="12345678901"), "phone", "PHONE_FORMAT"),
        ("phone-landline", line(phone="0991-1234567"), "phone", "PHONE_FORMAT"),
        ("amount-zero", line(amount_fen=0), "amount_fen", "AMOUNT_NOT_POSITIVE"),
        ("amount-negative", line(amount_fen=-100), "amount_fen", "AMOUNT_NOT_POSITIVE"),
        ("amount-above-registered-standard", line(amount_fen=STANDARD + 1), "amount_fen", "AMOUNT_ABOVE_STANDARD"),
        ("amount-a-billion-yuan", line(amount_fen=10**11), "amount_fen", "AMOUNT_ABOVE_STANDARD"),
        ("amount-too-wide-for-gbk-field", submit(header_of=lambda w, ls: w.header(ls, bank=GBK, program=MACHINES,
                                                                                  period="2026-Q4"),
                                                 lines_of=lambda w, ls: _set(ls, 2, amount_fen=10**15)),
         "amount_fen", "AMOUNT_TOO_LARGE"),
        ("person-twice", submit(lines_of=lambda w, ls: _set(ls, 3, id_number=ls[0].id_number, name=ls[0].name)),
         "id_number", "DUPLICATE_PERSON"),
        ("account-two-people", submit(lines_of=lambda w, ls: _set(ls, 2, account_no=ls[0].account_no,
                                                                   account_kind=ls[0].account_kind)),
         "account_no", "ACCOUNT_SHARED"),
        ("remark-141-chars", line(remark="备" * 141), "remark", "FIELD_TOO_LONG"),
        ("household-33-chars", line(household_no="H" * 33), "household_no", "FIELD_TOO_LONG"),
        ("address-141-chars", line(address="某" * 141), "address", "FIELD_TOO_LONG"),
        ("remark-rtl-override", line(remark="补贴\u202e"), "remark", "TEXT_BIDI"),
        ("remark-rtl-override-gbk", gbk_line(remark="补贴\u202e"), "remark", "TEXT_BIDI"),
        ("bank-name-isolates", line(bank_name="\u2066农行\u2069"), "bank_name", "TEXT_BIDI"),
        ("subsidy-item-rlm-gbk", gbk_line(subsidy_item="补贴\u200f"), "subsidy_item", "TEXT_BIDI"),
        ("remark-arabic-letter-mark", line(remark="补贴\u061c"), "remark", "TEXT_BIDI"),
        ("remark-crlf", line(remark="第一行\r\n第二行"), "remark", "TEXT_LINE_BREAK"),
        ("bank-name-lf", line(bank_name="农行\n某支行"), "bank_name", "TEXT_LINE_BREAK"),
        ("address-line-separator", line(address="某乡\u2028某村"), "address", "TEXT_LINE_BREAK"),
        ("address-cr-gbk", gbk_line(address="某乡\r某村"), "address", "TEXT_LINE_BREAK"),
        ("address-bell", line(address="某村\x07"), "address", "TEXT_CONTROL"),
        ("remark-nul", line(remark="备\x00注"), "remark", "TEXT_CONTROL"),
        ("remark-noncharacter", line(remark="备注\ufffe"), "remark", "TEXT_NONCHARACTER"),
        ("address-too-wide-gbk", gbk_line(address="某" * 61), "address", "TEXT_WIDTH"),
        ("remark-too-wide-gbk", gbk_line(remark="备" * 31), "remark", "TEXT_WIDTH"),
        ("remark-trailing-space-gbk", gbk_line(remark="备注 "), "remark", "TEXT_CHARACTER"),
        ("household-not-gbk", gbk_line(household_no="H𠀀1"), "household_no", "TEXT_ENCODING"),
        ("bank-name-not-gbk", gbk_line(bank_name="农行𠀀支行"), "bank_name", "TEXT_ENCODING"),
        ("subsidy-item-36-chars-iso", line(subsidy_item="补" * 36), "subsidy_item", "TEXT_WIDTH"),
    ]
    for id_, make, fld, code in L:
        add(f"line-{id_}", "clerk", S, rejected(make, 3 if id_ == "person-twice" else 2, fld, code))
    add("line-card-luhn-is-a-warning", "clerk", S, {
        "request": line(account_kind=AccountKind.CARD, account_no=_luhn_broken("6222021234567890123")),
        "code": OK, "kind": "REJECTED", "issue": (2, "account_no", "ACCOUNT_LUHN")})
    add("line-region-outside-is-a-warning", "clerk", S, {
        "request": line(id_number=_id(region="110101")), "code": OK, "kind": "REJECTED",
        "issue": (2, "id_number", "REGION_OUTSIDE")})

    # -- unknown ids: NOT_FOUND, whoever asks -----------------------------------------------------
    for rpc, make in (("GetBatch", lambda w: pb.GetBatchRequest(batch_id="B-NONE")),
                      ("ApproveBatch", lambda w: pb.ApproveBatchRequest(batch_id="B-NONE")),
                      ("FundBatch", lambda w: pb.FundBatchRequest(batch_id="B-NONE", amount_fen=100)),
                      ("DispatchBatch", lambda w: pb.DispatchBatchRequest(batch_id="B-NONE")),
                      ("CloseBatch", lambda w: pb.CloseBatchRequest(batch_id="B-NONE")),
                      ("GetReconciliation", lambda w: pb.GetReportRequest(batch_id="B-NONE")),
                      ("ListLines", lambda w: pb.ListLinesRequest(batch_id="B-NONE", status="FAILED")),
                      ("GetAuditTrail", lambda w: pb.GetAuditTrailRequest(batch_id="B-NONE")),
                      ("RegenerateFile", lambda w: pb.RegenerateFileRequest(file_id=999_999, reason="lost")),
                      ("MarkFileDelivered", lambda w: pb.MarkFileDeliveredRequest(file_id=999_999, reason="USB")),
                      ("RevokeStopEntry", lambda w: pb.RevokeStopEntryRequest(entry_id=999_999, reason="mistake")),
                      ("ApproveLineChanges", lambda w: pb.LineChangeRequest(batch_id=w.failed, change_id=999_999))):
        user = {"ApproveBatch": "approver", "FundBatch": "finance", "RevokeStopEntry": "approver",
                "ApproveLineChanges": "approver"}.get(rpc, "finance")
        add(f"unknown-{rpc}", user, rpc, make, NOT_FOUND)

    # -- state transitions the rules do not allow ------------------------------------------------
    add("approve-twice", "approver2", "ApproveBatch", lambda w: pb.ApproveBatchRequest(batch_id=w.approved),
        PRECONDITION)
    add("approve-needing-correction", "approver", "ApproveBatch",
        lambda w: pb.ApproveBatchRequest(batch_id=w.needs_correction), PRECONDITION)
    add("fund-unapproved", "finance", "FundBatch", lambda w: pb.FundBatchRequest(
        batch_id=w.submitted, amount_fen=w.total(w.submitted)), PRECONDITION)
    add("fund-wrong-amount", "finance", "FundBatch", lambda w: pb.FundBatchRequest(
        batch_id=w.approved, amount_fen=w.total(w.approved) - 1), INVALID, {"amount_fen": "FUNDING_MISMATCH"})
    add("fund-twice", "finance", "FundBatch", lambda w: pb.FundBatchRequest(
        batch_id=w.funded, amount_fen=w.total(w.funded)), PRECONDITION)
    add("fund-closed", "finance", "FundBatch", lambda w: pb.FundBatchRequest(
        batch_id=w.closed, amount_fen=w.total(w.closed)), PRECONDITION)
    add("dispatch-unfunded", "finance", "DispatchBatch", lambda w: pb.DispatchBatchRequest(batch_id=w.approved),
        PRECONDITION)
    add("close-before-results", "finance", "CloseBatch", lambda w: pb.CloseBatchRequest(batch_id=w.unanswered),
        PRECONDITION)
    add("close-unfunded", "finance", "CloseBatch", lambda w: pb.CloseBatchRequest(batch_id=w.approved),
        PRECONDITION)
    add("close-twice", "finance", "CloseBatch", lambda w: pb.CloseBatchRequest(batch_id=w.closed), PRECONDITION)
    add("correct-accepted-line", "clerk", "CorrectLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.needs_correction, lines=[convert.line_to_pb(w.nc_roster[2])]), INVALID,
        {"lines[2].seq": "LINE_NOT_CORRECTABLE"})
    add("correct-no-such-line", "clerk", "CorrectLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.needs_correction, lines=[convert.line_to_pb(replace(w.nc_roster[2], seq=9))]), INVALID,
        {"lines[9].seq": "NO_SUCH_LINE"})
    add("reissue-paid-line", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.closed, lines=[convert.line_to_pb(w.roster(1)[0])]), PRECONDITION)
    add("reissue-changed-amount", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.failed, lines=[convert.line_to_pb(replace(w.failed_roster[4], amount_fen=1))]), INVALID,
        {"lines[4].amount_fen": "AMOUNT_CHANGED"})
    add("reissue-bad-id", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.failed, lines=[convert.line_to_pb(replace(
            w.failed_roster[4], id_number=_broken_check(w.failed_roster[4].id_number)))]), INVALID,
        {"lines[4].id_number": "ID_CHECKSUM"})
    add("reissue-remark-bidi", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.failed, lines=[convert.line_to_pb(replace(w.failed_roster[4], remark="补发\u202e"))]), INVALID,
        {"lines[4].remark": "TEXT_BIDI"})
    add("reissue-address-crlf", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.failed, lines=[convert.line_to_pb(replace(w.failed_roster[4], address="某乡\r\n某村"))]), INVALID,
        {"lines[4].address": "TEXT_LINE_BREAK"})
    add("reissue-subsidy-item-too-wide-iso", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.failed, lines=[convert.line_to_pb(replace(w.failed_roster[4], subsidy_item="补" * 36))]), INVALID,
        {"lines[4].subsidy_item": "TEXT_WIDTH"})
    add("reissue-line-with-pending-change", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.failed, lines=[convert.line_to_pb(w.another_person(w.failed_roster[1]))]), INVALID,
        {"lines[1].seq": "LINE_CHANGE_PENDING"})
    add("reissue-no-such-line", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.failed, lines=[convert.line_to_pb(replace(w.failed_roster[4], seq=60))]), INVALID,
        {"lines[60].seq": "NO_SUCH_LINE"})
    add("give-up-without-reason", "approver", "GiveUpLines", lambda w: pb.ResolveLinesRequest(
        batch_id=w.failed, seqs=[6]), INVALID, {"reason": "REQUIRED"})
    add("refuse-change-without-reason", "approver", "RefuseLineChanges", lambda w: pb.LineChangeRequest(
        batch_id=w.failed, change_id=w.change_by_clerk), INVALID, {"reason": "REQUIRED"})
    add("regenerate-without-reason", "finance", "RegenerateFile", lambda w: pb.RegenerateFileRequest(
        file_id=w.out_file), INVALID, {"reason": "REQUIRED"})
    add("regenerate-a-result-file", "finance", "RegenerateFile", lambda w: pb.RegenerateFileRequest(
        file_id=w.in_file, reason="try"), PRECONDITION)
    add("regenerate-acknowledged-file", "finance", "RegenerateFile", lambda w: pb.RegenerateFileRequest(
        file_id=w.out_file, reason="try"), PRECONDITION)

    # -- duties: no one person moves money alone ---------------------------------------------------
    add("duty-submitter-approves", "lead", "ApproveBatch", lambda w: pb.ApproveBatchRequest(batch_id=w.by_lead),
        DENIED, words="may not approve")
    add("duty-corrector-approves", "lead", "ApproveBatch",
        lambda w: pb.ApproveBatchRequest(batch_id=w.corrected_by_lead), DENIED, words="may not approve")
    add("duty-approver-funds", "appfin", "FundBatch", lambda w: pb.FundBatchRequest(
        batch_id=w.approved_by_appfin, amount_fen=w.total(w.approved_by_appfin)), DENIED, words="may not fund")
    add("duty-changer-approves-change", "lead2", "ApproveLineChanges", lambda w: pb.LineChangeRequest(
        batch_id=w.failed, change_id=w.change_by_lead2), DENIED, words="may not")
    add("duty-submitter-approves-change", "lead", "ApproveLineChanges", lambda w: pb.LineChangeRequest(
        batch_id=w.failed, change_id=w.change_by_clerk), DENIED, words="may not")
    add("duty-lone-clerk-redirects-money", "clerk", "ReissueLines", lambda w: pb.CorrectLinesRequest(
        batch_id=w.failed, lines=[convert.line_to_pb(w.another_person(w.failed_roster[3]))]), OK, kind="PENDING")

    # -- a bank user sees and hands in only its own bank's -----------------------------------------
    add("scope-other-banks-batch", "bank-iso", "GetBatch", lambda w: pb.GetBatchRequest(batch_id=w.gbk_approved),
        NOT_FOUND, words="no batch")
    add("scope-own-bank-unapproved-batch", "bank-iso", "GetBatch",
        lambda w: pb.GetBatchRequest(batch_id=w.submitted), NOT_FOUND, words="no batch")
    add("scope-other-banks-report", "bank-gbk", "GetReconciliation",
        lambda w: pb.GetReportRequest(batch_id=w.closed), NOT_FOUND, words="no batch")
    add("scope-other-banks-refund-report", "bank-gbk", "GetRefundReport",
        lambda w: pb.GetReportRequest(batch_id=w.closed), NOT_FOUND, words="no batch")
    add("scope-other-banks-transactions", "bank-gbk", "ListTransactions",
        lambda w: pb.ListTransactionsRequest(batch_id=w.closed), NOT_FOUND, words="no batch")
    add("scope-other-banks-balances", "bank-gbk", "GetBalances",
        lambda w: pb.GetBalancesRequest(batch_id=w.closed), NOT_FOUND, words="no batch")
    add("scope-roster-issues", "bank-iso", "ListLineIssues",
        lambda w: pb.ListLineIssuesRequest(batch_id=w.needs_correction), DENIED, words="needs role")
    add("scope-roster-lines", "bank-iso", "ListLines", lambda w: pb.ListLinesRequest(batch_id=w.closed), DENIED,
        words="needs role")
    add("scope-audit-trail", "bank-iso", "GetAuditTrail", lambda w: pb.GetAuditTrailRequest(batch_id=w.closed),
        DENIED, words="needs role")
    add("scope-hand-in-as-other-bank", "bank-gbk", "IngestResultFile",
        hand_in(ISO, "their.xml", lambda w: w.result_file), DENIED, words="this user acts for bank RCC01")
    add("scope-statement-as-other-bank", "bank-iso", "IngestStatementFile", hand_in(GBK, "DZD.txt", b"H|x\n"),
        DENIED, words="this user acts for bank ABC01")
    add("scope-hand-in-unknown-bank", "bank-iso", "IngestResultFile", hand_in("NOPE9", "r.xml", b"<x/>"), DENIED)
    add("hand-in-unknown-bank-finance", "finance", "IngestResultFile", hand_in("NOPE9", "r.xml", b"<x/>"), INVALID,
        words="unknown bank")

    # -- hand-ins: size, names, hostile content ----------------------------------------------------
    add("hand-in-over-the-cap", "bank-iso", "IngestResultFile", hand_in(ISO, "big.xml", b"<" * (CAP + 1)), INVALID,
        {"data": "FILE_TOO_LARGE"})
    add("statement-over-the-cap", "finance", "IngestStatementFile", hand_in(GBK, "DZD.txt", b"H" * (CAP + 1)),
        INVALID, {"data": "FILE_TOO_LARGE"})
    add("hand-in-no-start", "bank-iso", "IngestResultFile", lambda w: iter([pb.IngestResultFileRequest(data=b"<x/>")]),
        INVALID, {"start": "REQUIRED"})
    add("hand-in-empty-name", "bank-iso", "IngestResultFile", hand_in(ISO, "", b"<x/>"), INVALID,
        {"start.file_name": "REQUIRED"})
    add("hand-in-name-rtl-override", "bank-iso", "IngestResultFile", hand_in(ISO, "r\u202elmx.xml", b"<x/>"),
        INVALID, {"start.file_name": "TEXT_BIDI"})
    add("hand-in-name-newline", "bank-iso", "IngestResultFile", hand_in(ISO, "r\n.xml", b"<x/>"), INVALID,
        {"start.file_name": "TEXT_LINE_BREAK"})
    # issue 14 item 6: a name with "/", "\", ".." or NUL is refused before any local path is built
    add("hand-in-name-dot-dot-slash", "bank-iso", "IngestResultFile",
        hand_in(ISO, "../../../../x.xml", lambda w: w.result_file), INVALID, {"start.file_name": "NOT_A_FILE_NAME"})
    add("hand-in-name-backslashes", "bank-iso", "IngestResultFile",
        hand_in(ISO, "..\\..\\x.xml", lambda w: w.result_file), INVALID, {"start.file_name": "NOT_A_FILE_NAME"})
    add("hand-in-name-nul", "bank-iso", "IngestResultFile", hand_in(ISO, "x\x00.xml", b"<x/>"), INVALID,
        {"start.file_name": ()})
    for offset in (0, 16 * 1024 - 3, 64 * 1024 - 3, 64 * 1024 + 5, 128 * 1024 - 3):
        add(f"hand-in-doctype-at-{offset}", "bank-iso", "IngestResultFile",
            hand_in(ISO, f"HP_doctype_{offset}.xml", _doctype_at(offset)), OK, kind="QUARANTINED")
    add("hand-in-processing-instruction", "bank-iso", "IngestResultFile",
        hand_in(ISO, "HP_pi.xml", lambda w: w.result_file.replace(b"<Document", b"<?evil x?><Document", 1)),
        OK, kind="QUARANTINED")
    add("hand-in-after-close", "bank-iso", "IngestResultFile",
        hand_in(ISO, "HP_late.xml", lambda w: w.closed_result.replace(b"</GrpHdr>", b"</GrpHdr><!---->", 1)),
        OK, kind="QUARANTINED")
    add("hand-in-not-xml", "bank-iso", "IngestResultFile", hand_in(ISO, "HP_junk.xml", b"\x00\xff" * 100), OK,
        kind="QUARANTINED")

    # -- the stop list ---------------------------------------------------------------------------
    def stop(**changes):
        entry = dict(id_number=_id(seq=777), kind="DECEASED", effective_from="2026-01-05", source="民政局")
        entry.update(changes)
        return lambda w: pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(**entry), pb.StopEntryInput(
            id_number=_id(seq=778), kind="INELIGIBLE", effective_from="2026-01-05", source="x")])

    add("stop-bad-id", "clerk", "AddStopEntries", stop(id_number="652301198001011234"), INVALID,
        {"entries[0].id_number": "ID_CHECKSUM"})
    add("stop-bad-kind", "clerk", "AddStopEntries", stop(kind="MOVED"), INVALID, {"entries[0].kind": "STOP_KIND"})
    add("stop-bad-date", "clerk", "AddStopEntries", stop(effective_from="2026-13-01"), INVALID,
        {"entries[0].effective_from": "DATE_FORMAT"})
    add("stop-until-before-from", "clerk", "AddStopEntries", stop(effective_until="2025-01-01"), INVALID,
        {"entries[0].effective_until": "STOP_DATES"})
    add("stop-no-source", "clerk", "AddStopEntries", stop(source=""), INVALID, {"entries[0].source": "REQUIRED"})
    add("stop-note-too-long", "clerk", "AddStopEntries", stop(note="注" * 401), INVALID,
        {"entries[0].note": "FIELD_TOO_LONG"})
    add("stop-no-entries", "clerk", "AddStopEntries", lambda w: pb.AddStopEntriesRequest(), INVALID,
        {"entries": "REQUIRED"})
    add("stop-revoke-without-reason", "approver", "RevokeStopEntry",
        lambda w: pb.RevokeStopEntryRequest(entry_id=w.stop_entry.entry_id), INVALID, {"reason": "REQUIRED"})
    add("stop-query-bad-id", "clerk", "QueryStopList", lambda w: pb.QueryStopListRequest(id_number="12345"),
        INVALID, {"id_number": ("ID_LENGTH", "ID_FORMAT")})
    add("stop-query-bad-day", "clerk", "QueryStopList", lambda w: pb.QueryStopListRequest(
        id_number=_id(seq=777), active_on="2026-02-30"), INVALID, {"active_on": "DATE_FORMAT"})
    return [case for case in c if case is not None]


CASES = _cases()

# Cases that show a defect of the service: kept as the rules say, marked until it is fixed.
DEFECTS: dict[str, str] = {}


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=DEFECTS[case.id])] if case.id in DEFECTS else []
        yield pytest.param(case, id=case.id, marks=marks)


# --- what every table holds ----------------------------------------------------------------------


def snapshot(w: World) -> dict[str, tuple[int, str]]:
    """Every table: its row count and a SHA-256 of its rows in key order."""
    out = {}
    with w.engine.connect() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            digest, count = hashlib.sha256(), 0
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                count += 1
            out[table.name] = (count, digest.hexdigest())
    return out


def data_files(w: World) -> list[tuple[str, int]]:
    root = w.ctx.settings.data_dir
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []


def _client(w: World, user: str | None) -> Client:
    if user is None:
        return w.client.with_token(None)
    if user == "!bad":
        return w.client.with_token("not-a-token-anyone-has")
    return w.as_user(user)


def _violations(err: grpc.RpcError) -> dict[str, str]:
    out = {}
    status = rpc_status.from_call(err)
    for detail in status.details if status is not None else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            out.update({v.field: v.description for v in bad.field_violations})
    return out


def _invoke(client: Client, rpc: str, request):
    return client.call(rpc, request)


def test_the_table_has_at_least_120_cases_with_unique_ids():
    assert len(CASES) >= 120, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input(world, case: Case):
    w = world
    request = case.request(w)
    tables, files = snapshot(w), data_files(w)
    client = _client(w, case.user)
    reply, got, err = None, OK, None
    try:
        reply = _invoke(client, case.rpc, request)
    except grpc.RpcError as exc:
        err, got = exc, exc.code()
    expected = case.code if isinstance(case.code, tuple) else (case.code,)
    assert got in expected, (got, err.details() if err else reply)
    if err is not None:
        violations = _violations(err)
        for fld, codes in case.fields.items():
            assert fld in violations, violations
            codes = codes if isinstance(codes, tuple) else (codes,)
            if codes:
                assert violations[fld].split(":")[0] in codes, violations
        if case.words:
            assert case.words in err.details(), err.details()
    after, files_after = snapshot(w), data_files(w)
    changed = {name for name in after if after[name] != tables[name]}
    assert changed <= MAY_CHANGE[case.effect], (case.effect, sorted(changed))
    if case.effect in ("REFUSED", "READ"):
        assert after == tables
        assert files_after == files
    elif case.effect == "REJECTED":
        found = {(i.seq, i.field, i.code) for i in reply.issues}
        assert case.issue in found, found
        severity = next(i.severity for i in reply.issues if (i.seq, i.field, i.code) == case.issue)
        assert reply.status == ("NEEDS_CORRECTION" if severity == "error" else "SUBMITTED"), (reply.status, severity)
        assert "batches" in changed
    elif case.effect == "PENDING":
        assert reply.change.state == "PENDING" and not reply.HasField("file"), reply
        assert after["line_changes"][0] == tables["line_changes"][0] + 1
    elif case.effect == "QUARANTINED":
        assert reply.file.state == "QUARANTINED" and reply.booked_lines == 0, (reply.file.state, list(reply.problems))
        assert after["files"][0] == tables["files"][0] + 1
