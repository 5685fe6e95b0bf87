"""A service with any users, on a real gRPC port, whose banks live in memory: for tests that act
as many different people (separation of duties, a bank user's view).

Payment files go to an in-memory inbox (:class:`tests.support.exchange.MemoryBank`); the
simulated bank answers one when asked, and its result file is handed in over gRPC as a bank
user would. Every step is an RPC made as the user named.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import bank_formats
from adapter import convert
from adapter import server as grpc_server
from adapter.client import Client
from bank_sim.bank import SimulatedBank
from domain.model import BatchHeader, PaymentLine
from domain.roster import generate_lines
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import BankProfile, Settings
from service.context import Context
from service.identity import AuthSettings, Role, issue_tokens
from sftp.endpoint import SftpEndpoint
from tests.support.exchange import Clock, MemoryBank
from ykt.v1 import disbursement_pb2 as pb

__all__ = ["PROGRAM", "REGION", "Office", "Sent"]

REGION = "652301"
PROGRAM = "耕地地力保护补贴"


def bank_profile(code: str) -> BankProfile:
    return BankProfile(code=code, name=f"某农村商业银行{code}", format="iso20022",
                       sftp=SftpEndpoint(host="bank.invalid", port=22, username="ykt", private_key_path=None,
                                         host_key="ssh-ed25519 AAAA"),
                       inbox="/inbox", outbox="/outbox", archive="/archive")


@dataclass
class Sent:
    """A batch as the test made it: its id, bank and roster by seq."""

    batch_id: str
    bank_code: str
    roster: dict[int, PaymentLine]

    @property
    def total_fen(self) -> int:
        return sum(ln.amount_fen for ln in self.roster.values())


class Office:
    """The service, its users (name -> roles, and a BANK user's banks) and a client per user."""

    def __init__(self, engine, tmp_path: Path, users: dict[str, frozenset[Role]], banks: tuple[str, ...],
                 bank_users: dict[str, tuple[str, ...]], start: datetime, approver_may_fund=frozenset(),
                 language: str = "en"):
        self.clock = Clock(start)
        self.memory = MemoryBank()
        self.tmp_path = tmp_path
        made, self.tokens = issue_tokens(users, banks=bank_users)
        # the service speaks English unless asked: the tests read its English messages (Chinese:
        # test_languages.py, test_stored_languages.py)
        settings = Settings(language=language, database_url=str(engine.url), data_dir=tmp_path / "service",
                            banks={code: bank_profile(code) for code in banks}, auth=AuthSettings(users=made),
                            approver_may_fund=frozenset(approver_may_fund))
        self.ctx = Context(engine=engine, settings=settings, clock=self.clock, connect=self.memory.connect,
                           cipher=FieldCipher(Keyring.generate()), instance_id="office")
        self.server, port = grpc_server.build(self.ctx, "127.0.0.1:0")
        self._client = Client(f"127.0.0.1:{port}", token=next(iter(self.tokens.values())))
        self._as = {name: self._client.with_token(token) for name, token in self.tokens.items()}
        self._seeds = itertools.count(1000)
        self._fresh = (ln for seed in itertools.count(90_000) for ln in generate_lines(50, seed=seed, region=REGION))
        self._answers = 0

    def close(self) -> None:
        self._client.close()
        self.server.stop(grace=None).wait()

    def as_user(self, name: str) -> Client:
        return self._as[name]

    def call(self, user: str, method: str, request):
        return self.as_user(user).call(method, request)

    # -- a batch's life, each step as the user named --------------------------------------------

    def submit(self, user: str, n: int = 3, *, bank: str, program: str = PROGRAM, bad_first: bool = False) -> Sent:
        """A roster of ``n`` fresh people; ``bad_first``: line 1's ID number is wrong (rejected)."""
        seed = next(self._seeds)
        lines = list(generate_lines(n, seed=seed, region=REGION))
        if bad_first:
            broken = lines[0].id_number[:-1] + ("0" if lines[0].id_number[-1] != "0" else "1")
            lines[0] = replace(lines[0], id_number=broken)
        header = BatchHeader(
            idempotency_key=f"office-{seed}", program=program, period="2026-11", region=REGION, bank_code=bank,
            payer_name="某县财政局", payer_account="15000012345678", control_count=n,
            control_total_fen=sum(ln.amount_fen for ln in lines))
        reply = self.as_user(user).submit(header, lines)
        return Sent(reply.batch_id, bank, {ln.seq: ln for ln in lines})

    def another_person(self, like: PaymentLine) -> PaymentLine:
        """Someone else, paid the same amount on the same line."""
        other = next(self._fresh)
        return replace(other, seq=like.seq, amount_fen=like.amount_fen, account_kind=like.account_kind)

    def another_account(self, like: PaymentLine) -> PaymentLine:
        """The same person with an account of the same kind nobody else has."""
        other = next(ln for ln in self._fresh if ln.account_kind == like.account_kind)
        return replace(like, account_no=other.account_no)

    def correct(self, user: str, sent: Sent, line: PaymentLine):
        reply = self.call(user, "CorrectLines", pb.CorrectLinesRequest(batch_id=sent.batch_id,
                                                                      lines=[convert.line_to_pb(line)]))
        sent.roster[line.seq] = line
        return reply

    def approve(self, user: str, sent: Sent):
        return self.call(user, "ApproveBatch", pb.ApproveBatchRequest(batch_id=sent.batch_id))

    def fund(self, user: str, sent: Sent):
        total = self.call("finance", "GetBatch", pb.GetBatchRequest(batch_id=sent.batch_id)).total_fen
        return self.call(user, "FundBatch", pb.FundBatchRequest(batch_id=sent.batch_id, amount_fen=total))

    def dispatch(self, sent: Sent):
        return self.call("finance", "DispatchBatch", pb.DispatchBatchRequest(batch_id=sent.batch_id))

    def sent_out(self, submitter: str, approver: str, n: int, *, bank: str) -> Sent:
        """A batch submitted, approved, funded (by ``finance``) and delivered to its bank."""
        sent = self.submit(submitter, n, bank=bank)
        self.approve(approver, sent)
        self.fund("finance", sent)
        self.dispatch(sent)
        return sent

    def bank_answers(self, sent: Sent, bank_user: str, failure_ppm: int, fail=()) -> pb.IngestResultFileResponse:
        """The simulated bank answers the batch's latest payment file; its bank user hands the
        result file in. Which lines fail at ``failure_ppm`` depends on the random batch id: a
        test that needs given lines failed names them in ``fail``."""
        self._answers += 1
        sim = SimulatedBank(self.tmp_path / f"sim{self._answers}", bank_formats.get("iso20022"), seed=7,
                            bank_code=sent.bank_code, failure_rate_ppm=failure_ppm, fail=fail)
        (out,) = [f for f in self.call("finance", "ListFiles", pb.ListFilesRequest(batch_id=sent.batch_id)).files
                  if f.direction == "OUT"][-1:]
        (sim.inbox / out.name).write_bytes(self.memory.inbox[out.name])
        (result,) = sim.process_once()
        self.last_result = result
        return self.as_user(bank_user).ingest(sent.bank_code, result.name, result.read_bytes())

    def reissue(self, user: str, sent: Sent, lines: list[PaymentLine]) -> pb.ReissueLinesResponse:
        return self.call(user, "ReissueLines", pb.CorrectLinesRequest(
            batch_id=sent.batch_id, lines=[convert.line_to_pb(ln) for ln in lines]))
