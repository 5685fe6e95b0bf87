"""``ykt demo``: the whole flow on the embedded defaults, end to end, in one command.

Starts two simulated agency banks speaking different formats (each an SFTP server and a
processing loop, set up from the shipped profiles), the gRPC service and its worker on a fresh
SQLite ledger; then, as a finance system would, submits a generated batch for each bank,
approves it as a second person, funds it, dispatches it, waits for the bank's results,
re-issues the failed lines with corrected accounts (补发) and gives up those that fail again,
reconciles the bank's statement of the clearing account, closes the batch refunding the surplus,
prints the triple-copy reconciliation, verifies its three copies and the hash-chained journal.
Then a third bank misbehaves, as banks sometimes do, to show what the reconciliation makes of it:
it answers after the payment deadline (迟发: the demo's clock moves past the deadline), pays two
lines a second time under new references (重发), reports its answer again (a re-report, booked
nothing), and pays a line the batch never had (多发); its failed lines are left neither re-issued
nor given up (漏发). Each lands in its class, due back from the bank where the bank paid without
instruction, and in the exceptions list.
Exits 0 only if, for every batch, funded = paid + refunded (what the bank paid without our
instruction being due back from it), every line is accounted for, every copy verifies and the
journal verifies.

Any roster size from 1 to 1,000,000 lines: the banks' rosters are different people (each bank
pays its own range of the generator's numbering of people, and the fresh accounts of its
re-issue come from another range: :func:`people`), so no batch collides with another by
chance. One line of the third bank's roster names, on purpose, a person the first bank's batch
already pays: the roster check rejects it and the batch waits for correction (NEEDS_CORRECTION);
the demo shows it and the department removes the line (RemoveLines) before anyone approves. A
batch still waiting for correction is never approved: it is shown and left as it is. Every stage
(submit, approve, fund, dispatch and upload, bank processing, ingest and booking, re-issue,
reconciliation) shows a progress bar (plain lines when the output is not a terminal) and its
seconds go into a closing table (:mod:`adapter.demo_progress`).

Each step is taken by the user whose role allows it (clerk, approver, finance; the auditor
reads), each with a throwaway bearer token made for this run: only their SHA-256 goes into the
demo's settings.
"""
from __future__ import annotations

import io
import json
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

import bank_sim
import i18n
from adapter import convert
from adapter import server as grpc_server
from adapter.cli import format_exceptions
from adapter.client import Client
from adapter.demo_progress import Bar, Stages
from domain import beijing
from domain.beijing import BEIJING
from domain.model import (
    BatchHeader,
    BatchStatus,
    LineStatus,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)
from domain.money import yuan
from domain.roster import generate_lines
from i18n import Each, Named
from ledger import journal
from ledger.db import make_engine, migrate, sqlite_url
from privacy.keys import Keyring
from service.config import Settings
from service.context import Context
from service.identity import AuthSettings, Role, issue_tokens
from service.profiles import load_profile
from service.worker import Worker
from sftp.endpoint import SftpEndpoint
from sftp.keys import generate_ed25519
from ykt.v1 import disbursement_pb2 as pb

PROFILES = Path(__file__).resolve().parent.parent / "profiles"
DEMO_BANKS = ("RCC01", "ABC01")  # fixed-width GBK and ISO 20022: two banks, two formats
DEVIANT_BANK = "PSBC01"  # delimited GBK: the bank that misbehaves in the third act
PAID_TWICE = (2, 5)  # the lines the deviant bank pays a second time
DEVIANT_FAILS = (4,)  # the line the deviant bank fails, whatever its failure rate: missed (漏发) at close
TWIN_SEQ = 3  # the deviant roster's line naming a person the first bank's batch already pays
DEVIANT_LINES = 1_000  # the misbehaving bank's roster, at most
MAX_DEMO_LINES = 1_000_000
STRAY_FEN = 12_345  # what it pays for a line the batch never had
REGION = "652301"
DEMO_USERS = {"clerk": Role.CLERK, "approver": Role.APPROVER, "finance": Role.FINANCE, "auditor": Role.AUDITOR,
              "bank": Role.BANK}


@dataclass
class BatchRun:
    """One bank's batch in the demo, and what came of it."""

    bank_code: str
    batch_id: str = ""
    reconciliation: pb.Report | None = None
    refund: pb.Report | None = None
    batch: pb.Batch | None = None
    statement: pb.StatementReconciliation | None = None
    verified: list[bool] | None = None
    exceptions: list[pb.BankException] | None = None
    deviant: bool = False  # the third act's bank: every discrepancy class expected
    submitted_status: str = ""  # as the roster check left it
    status_at_approval: str = ""  # as read just before approval was asked (never NEEDS_CORRECTION)
    left_waiting: bool = False  # still waiting for correction: never approved, nothing funded
    ok: bool = False


@dataclass
class DemoResult:
    ok: bool
    runs: list[BatchRun]
    seconds: dict[tuple[str, str], float]  # (bank, stage) -> seconds, as in the closing table


def people(bank_index: int, lines: int) -> tuple[int, int]:
    """Where the ``bank_index``-th bank's people start in the roster generator's numbering, and
    where the fresh accounts of its re-issue start: ranges that never overlap, so no two banks'
    rosters (nor a corrected account) name the same person or account, whatever ``lines``."""
    start = bank_index * 2 * lines
    return start, start + lines


def roster(bank_index: int, lines: int, seed: int, count: int | None = None) -> Iterator[PaymentLine]:
    """The ``bank_index``-th bank's generated roster (streamed): ``count`` lines, ``lines`` by default."""
    return generate_lines(lines if count is None else count, seed=seed, region=REGION,
                          start=people(bank_index, lines)[0])


def _patience(lines: int) -> float:
    """Seconds to wait for a stage the worker or the bank does: generous for a million lines."""
    return 600.0 + lines / 500


def run(data_dir: Path, lines: int, seed: int, out=None, banks: tuple[str, ...] = DEMO_BANKS,
        live: bool | None = None) -> DemoResult:
    """Run the demo with ``lines`` beneficiaries per bank (1..1,000,000), printing to ``out`` (the
    standard output of the moment by default); ``live`` draws rich bars (default: when ``out`` is
    a terminal). Its words are in the language of the moment (``ykt --lang``), the service's too."""
    if type(lines) is not int or not 1 <= lines <= MAX_DEMO_LINES:
        raise ValueError(f"lines: {lines!r} is not a whole number from 1 to {MAX_DEMO_LINES:,}")
    stages = Stages(sys.stdout if out is None else out, live=live)
    say = stages.say

    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    client_key = data_dir / "keys" / "service_ed25519"
    client_public = generate_ed25519(client_key, "ykt-service")

    profiles = {code: load_profile(PROFILES / f"{code}.toml") for code in (*banks, DEVIANT_BANK)}
    sims, connected = {}, {}
    for code, profile in profiles.items():
        deviant = code == DEVIANT_BANK
        say(i18n.say("demo.step.bank_deviant" if deviant else "demo.step.bank", code=code, name=profile.name,
                     format=profile.format))
        bank = bank_sim.SimulatedBank.for_profile(
            data_dir / "bank" / code, profile, seed,
            **({"rereport": True, "pay_twice": PAID_TWICE, "fail": DEVIANT_FAILS, "write_statements": False} if deviant else {}))
        sim = bank_sim.start(bank, 0, [client_public], data_dir / "bank" / f"{code}_host_ed25519", interval_s=0.2)
        sims[code] = sim
        connected[code] = profile.with_connection(SftpEndpoint(
            sim.host, sim.port, "ykt", client_key, host_key=sim.host_public_key_line))
    users, tokens = issue_tokens(DEMO_USERS, banks={"bank": tuple(profiles)})  # the bank user acts for the demo's banks
    settings = Settings(
        database_url=sqlite_url(data_dir / "ledger.sqlite3"),
        data_dir=data_dir / "service",
        banks=connected,
        poll_interval_s=0.3,
        auth=AuthSettings(users=users),
    )
    settings.key_file.parent.mkdir(parents=True)
    Keyring.generate(settings.key_file)  # a throwaway key for the demo's throwaway data
    engine = make_engine(settings.database_url)
    migrate(engine)
    clock = _DemoClock()
    ctx = Context(engine=engine, settings=settings, clock=clock)
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    worker = _WorkerThread(ctx)
    worker.start()
    users = Each.of(lambda lang: ", ".join(f"{n} ({i18n.name('role', r, lang) if lang == 'zh' else r})"
                                           for n, r in DEMO_USERS.items()))
    say(i18n.say("demo.step.service", port=port, ledger=settings.database_url, users=users))
    # reads; each step below acts as its user; the service speaks the demo's language
    client = Client(f"127.0.0.1:{port}", token=tokens["auditor"], language=i18n.current())
    as_user = {name: client.with_token(token) for name, token in tokens.items()}
    runs = [BatchRun(code) for code in banks]
    deviant = BatchRun(DEVIANT_BANK, deviant=True)
    patience = _patience(lines)
    try:
        for n, r in enumerate(runs):  # one bank after the other, so each stage's time is its own
            if _submit_approve_fund(as_user, r, lambda n=n: roster(n, lines, seed), lines, stages) is None:
                continue
            _dispatch_and_answer(as_user, r, sims[r.bank_code].bank, lines, stages, patience)
            _reissue_failed(as_user, r, n, lines, seed, stages, patience)
            with stages.stage(r.bank_code, "reconcile"):
                r.statement = _statement(as_user["auditor"], r, profiles[r.bank_code], say)
                _close(client, as_user, r, say)
        twin = _paid_person(as_user["clerk"], runs[0], lines, seed) if runs and runs[0].batch else None
        _misbehaving_bank(client, as_user, deviant, profiles[DEVIANT_BANK], sims[DEVIANT_BANK].bank,
                          min(lines, DEVIANT_LINES), len(runs), lines, seed, twin, clock, worker, stages, patience)
        runs.append(deviant)
        with journal.snapshot(engine) as conn:
            trail = journal.verify(conn)
    finally:
        client.close()
        worker.stop()
        server.stop(grace=2).wait()
        for sim in sims.values():
            sim.stop()
        engine.dispose()

    reports = data_dir / "reports"
    for r in runs:
        if r.reconciliation is not None:
            write_report(r.reconciliation, reports)
            write_report(r.refund, reports)
        r.ok = _summarise(r, say)
    counts = {"entries": trail.entries, "transactions": trail.transactions}
    say(i18n.say("demo.step.trail", **counts) if trail.ok
        else i18n.say("demo.step.trail_broken", **counts, first=trail.breaks[0]))
    ok = all(r.ok for r in runs) and trail.ok
    say(i18n.say("demo.reports", folder=reports))
    say(stages.table())
    say(i18n.say("demo.all_accounted" if ok else "demo.mismatch"))
    return DemoResult(ok, runs, dict(stages.seconds))


class _WorkerThread:
    """The service's worker on a thread of its own, which the demo can stop and start again."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()

    def start(self) -> None:
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=Worker(self.ctx).run_forever, args=(self.stopping,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(10)


class _DemoClock:
    """The service's clock: real time, moved on by ``advance`` to play a bank that answers late."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset = max(self.offset, moment - datetime.now(UTC))


def _close(client: Client, as_user: dict[str, Client], r: BatchRun, say) -> None:
    say(i18n.say("demo.step.close", batch=r.batch_id))
    r.refund = as_user["finance"].call("CloseBatch", pb.CloseBatchRequest(batch_id=r.batch_id))
    r.reconciliation = client.call("GetReconciliation", pb.GetReportRequest(batch_id=r.batch_id))
    r.verified = [client.call("VerifyReportCopy", pb.VerifyReportCopyRequest(
        content=r.reconciliation.content_json.encode(), party=c.party, content_sha256=c.content_sha256,
        signature=c.signature)).valid for c in r.reconciliation.copies]
    r.batch = client.call("GetBatch", pb.GetBatchRequest(batch_id=r.batch_id))
    r.exceptions, token = [], ""
    while True:
        page = client.call("ListExceptions", pb.ListExceptionsRequest(batch_id=r.batch_id, page_size=1000,
                                                                      page_token=token))
        r.exceptions += page.exceptions
        if not (token := page.next_page_token):
            break


def _misbehaving_bank(client: Client, as_user: dict[str, Client], r: BatchRun, profile, bank: bank_sim.SimulatedBank,
                      count: int, bank_index: int, lines: int, seed: int, twin: PaymentLine | None,
                      clock: _DemoClock, worker: _WorkerThread, stages: Stages, patience: float) -> None:
    """The third act: a bank that answers late, pays twice, reports again and pays a stranger.
    Its roster names at line TWIN_SEQ, on purpose, ``twin``: a person the first bank's batch
    already pays, whom the roster check rejects and the department removes before approval."""
    say = stages.say
    say(i18n.say("demo.step.deviant", bank=r.bank_code, count=count))

    def with_twin() -> Iterator[PaymentLine]:
        for ln in roster(bank_index, lines, seed, count):
            if twin is not None and ln.seq == TWIN_SEQ:
                ln = replace(ln, name=twin.name, id_number=twin.id_number, account_no=twin.account_no,
                             account_kind=twin.account_kind, bank_name=twin.bank_name)
            yield ln

    worker.stop()  # nothing goes out until the clock has moved past the deadline
    funded = _submit_approve_fund(as_user, r, with_twin, count, stages)
    if funded is None:
        worker.start()
        return
    due = date.fromisoformat(funded.payment_due)
    clock.move_to(datetime.combine(due + timedelta(days=1), day_time(10), BEIJING))
    worker.start()
    say(i18n.say("demo.deviant.late", moment=f"{beijing.local(clock()):%Y-%m-%d %H:%M}", due=due))
    sent = _dispatch_and_answer(as_user, r, bank, count, stages, patience)
    # the bank pays again those of PAID_TWICE it paid (a short roster may have none of them, or the
    # bank may have failed them): a result file of second payments only when there are some
    twice = [seq for seq in PAID_TWICE if _is_paid(as_user["clerk"], r.batch_id, seq)]
    say(i18n.say("demo.deviant.twice", name=sent.name, seqs=", ".join(map(str, twice)) or "-"))
    with stages.stage(r.bank_code, "book"):
        # the answer, the answer again, and the second payments
        _wait_for_booked(client, r.batch_id, 3 if twice else 2, patience)
    stray = ResultFileHeader(f"{r.batch_id}X", f"{r.batch_id}P1", r.batch_id, clock(), 1, 1, STRAY_FEN, 0, 0)
    record = ResultRecord(count + 1, PaymentOutcome.PAID, STRAY_FEN, bank_ref=f"{r.bank_code}-STRAY-1")
    with io.BytesIO() as out:
        profile.bank_format.write_results(out, stray, [record])
        data = out.getvalue()
    reply = as_user["bank"].ingest(r.bank_code, f"YKT_RET_STRAY_{r.batch_id}{profile.bank_format.file_suffix}", data)
    say(i18n.say("demo.deviant.stray", seq=count + 1, state=Named("file_state", reply.file.state),
                 problem=reply.problems[0] if reply.problems else ""))
    failed = _lines(as_user["clerk"], r.batch_id, "FAILED")
    say(i18n.say("demo.deviant.missed", count=len(failed)))
    with stages.stage(r.bank_code, "reconcile"):
        _close(client, as_user, r, say)


def _paid_person(clerk: Client, first: BatchRun, lines: int, seed: int) -> PaymentLine | None:
    """A person the first bank's batch paid, as its roster names them (the first paid line)."""
    page = clerk.call("ListLines", pb.ListLinesRequest(batch_id=first.batch_id, status="PAID", page_size=1)).lines
    if not page:
        return None
    return next(ln for ln in roster(0, lines, seed) if ln.seq == page[0].seq)


def _wait_for_booked(client: Client, batch_id: str, count: int, timeout_s: float = 600.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        booked = [f for f in client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
                  if f.direction == "IN" and f.state == "BOOKED"]
        if len(booked) >= count:
            return
        time.sleep(0.2)
    raise TimeoutError(f"batch {batch_id}: fewer than {count} result files booked after {timeout_s:.0f} s")


def _submit_approve_fund(as_user: dict[str, Client], r: BatchRun, make_roster: Callable[[], Iterator[PaymentLine]],
                         lines: int, stages: Stages) -> pb.Batch | None:
    """Submit the roster as clerk; lines the roster check rejects are removed by the department
    (the batch waits for correction until then); approve as a second person and fund as finance.
    A batch still waiting for correction is shown and left: never approved (None)."""
    say = stages.say
    total = sum(ln.amount_fen for ln in make_roster())
    header = BatchHeader(
        idempotency_key=f"demo-{r.bank_code}-{lines}", program="耕地地力保护补贴", period="2026-11",
        region=REGION, bank_code=r.bank_code, payer_name="某县财政局", payer_account="15000012345678",
        control_count=lines, control_total_fen=total,
    )
    say(i18n.say("demo.step.submit", lines=lines, bank=r.bank_code, amount=yuan(total)))
    with stages.stage(r.bank_code, "submit", lines) as bar:
        sent = as_user["clerk"].submit(header, bar.rows(make_roster()))
    r.batch_id, r.submitted_status = sent.batch_id, sent.status
    say(i18n.say("demo.submitted", batch=r.batch_id, status=Named("batch_status", sent.status),
                 accepted=sent.accepted_count, rejected=sent.rejected_count, held=sent.held_count,
                 issues=sent.issue_count))
    if sent.status == BatchStatus.NEEDS_CORRECTION.value:  # never approved while lines wait for correction
        rejected = [v.seq for v in _lines(as_user["clerk"], r.batch_id, "REJECTED")]
        say("      " + i18n.say("demo.needs_correction", batch=r.batch_id, count=len(rejected)))
        if rejected:
            say(i18n.say("demo.removed", count=len(rejected)))
            as_user["clerk"].call("RemoveLines", pb.ResolveLinesRequest(
                batch_id=r.batch_id, seqs=rejected, reason="演示：名册核对未通过，移出 failed the roster check, removed"))
    r.batch = as_user["clerk"].call("GetBatch", pb.GetBatchRequest(batch_id=r.batch_id))
    r.status_at_approval = r.batch.status
    if r.batch.status != BatchStatus.SUBMITTED.value:
        say("      " + i18n.say("demo.left_waiting", batch=r.batch_id, status=r.batch.status))
        r.left_waiting = True
        return None
    say(i18n.say("demo.step.approve"))
    with stages.stage(r.bank_code, "approve"):
        approved = as_user["approver"].call("ApproveBatch", pb.ApproveBatchRequest(batch_id=r.batch_id))
    say(i18n.say("demo.step.fund"))
    with stages.stage(r.bank_code, "fund"):
        funded = as_user["finance"].call("FundBatch", pb.FundBatchRequest(batch_id=r.batch_id,
                                                                          amount_fen=approved.total_fen))
    say(i18n.say("demo.payment_due", due=funded.payment_due))
    return funded


def _dispatch_and_answer(as_user: dict[str, Client], r: BatchRun, bank: bank_sim.SimulatedBank, lines: int,
                         stages: Stages, patience: float) -> pb.ExchangedFile:
    """The worker renders and uploads the payment file, the bank answers it, the worker fetches
    and books the answer: each a stage of its own, waited for."""
    say = stages.say
    say(i18n.say("demo.step.dispatch", bank=r.bank_code))
    with stages.stage(r.bank_code, "dispatch"):  # rendered and uploaded out of sight: time only
        sent = _wait_for_delivery(as_user["finance"], r.batch_id, patience)
    say(i18n.say("demo.sent", name=sent.name, size=sent.size, digest=sent.sha256[:16]))
    say(i18n.say("demo.step.bank_answer", bank=r.bank_code))
    with stages.stage(r.bank_code, "bank"):
        deadline = time.monotonic() + patience
        while not (bank.processed / sent.name).exists() and not (bank.rejected / sent.name).exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"bank {r.bank_code} did not answer {sent.name} within {patience:.0f} s")
            time.sleep(0.2)
    with stages.stage(r.bank_code, "book", lines) as bar:
        _wait_for_results(as_user["clerk"], r.batch_id, bar, patience)
    return sent


def _wait_for_delivery(client: Client, batch_id: str, timeout_s: float = 600.0) -> pb.ExchangedFile:
    """The batch's payment file once the worker has delivered it. (An operator's DispatchBatch
    would race the worker for the batch's lease and be told it is being dispatched.)"""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sent = [f for f in client.call("ListFiles", pb.ListFilesRequest(batch_id=batch_id)).files
                if f.direction == "OUT" and f.state in ("DELIVERED", "ACKNOWLEDGED")]
        if sent:
            return sent[0]
        time.sleep(0.2)
    raise TimeoutError(f"batch {batch_id}: its payment file was not delivered within {timeout_s:.0f} s")


def _reissue_failed(as_user: dict[str, Client], r: BatchRun, bank_index: int, lines: int, seed: int, stages: Stages,
                    patience: float) -> None:
    """补发: the department corrects the accounts of the lines the bank failed and sends them
    again; lines that fail a second time are given up and refunded at close. The corrected
    accounts are fresh people's accounts from the bank's own re-issue range (:func:`people`),
    so none is anyone else's."""
    say = stages.say
    failed = _lines(as_user["clerk"], r.batch_id, "FAILED")
    if not failed:
        return
    with stages.stage(r.bank_code, "reissue", len(failed)) as bar:
        wanted = {v.seq for v in failed}
        originals = (ln for ln in roster(bank_index, lines, seed) if ln.seq in wanted)  # streamed, never all lines
        fresh = generate_lines(len(failed), seed=seed, region=REGION, start=people(bank_index, lines)[1])
        corrected = [replace(ln, account_no=new.account_no, account_kind=new.account_kind, bank_name=new.bank_name)
                     for ln, new in zip(originals, fresh, strict=True)]
        say(i18n.say("demo.step.reissue", count=len(corrected)))
        asked = as_user["clerk"].call("ReissueLines", pb.CorrectLinesRequest(
            batch_id=r.batch_id, lines=[convert.line_to_pb(ln) for ln in corrected]))
        say(i18n.say("demo.reissue.change", change=asked.change.change_id))
        sent = as_user["approver"].call("ApproveLineChanges", pb.LineChangeRequest(
            batch_id=r.batch_id, change_id=asked.change.change_id)).file
        say(i18n.say("demo.reissue.file", name=sent.name))
        _wait_for_results(as_user["clerk"], r.batch_id, bar, patience, base=lines - len(failed))
        again = [v.seq for v in _lines(as_user["clerk"], r.batch_id, "FAILED")]
        if again:
            say(i18n.say("demo.reissue.again", count=len(again)))
            as_user["approver"].call("GiveUpLines", pb.ResolveLinesRequest(
                batch_id=r.batch_id, seqs=again, reason="补发后仍失败 failed again after re-issue"))


def _is_paid(caller: Client, batch_id: str, seq: int) -> bool:
    page = caller.call("ListLines", pb.ListLinesRequest(batch_id=batch_id, status="PAID", after_seq=seq - 1,
                                                        page_size=1)).lines
    return bool(page) and page[0].seq == seq


def _lines(caller: Client, batch_id: str, status: str) -> list[pb.LineView]:
    out, after = [], 0
    while page := caller.call("ListLines", pb.ListLinesRequest(
            batch_id=batch_id, status=status, after_seq=after, page_size=1_000)).lines:
        out += page
        after = page[-1].seq
    return out


def _statement(auditor: Client, r: BatchRun, profile, say) -> pb.StatementReconciliation | None:
    """The bank's statements of the clearing account, reconciled with the ledger before the close."""
    files = [f for f in auditor.call("ListStatementFiles", pb.ListStatementFilesRequest(bank_code=r.bank_code)).files
             if f.state == "STORED"]
    if not files:
        say(i18n.say("demo.statement.none", bank=r.bank_code))
        return None
    days = sorted({f.from_date for f in files} | {f.to_date for f in files})
    rec = auditor.call("GetStatementReconciliation", pb.GetStatementReconciliationRequest(
        bank_code=r.bank_code, account=files[0].account, from_date=days[0], to_date=days[-1]))
    if rec.clean and rec.in_balance:
        say(i18n.say("demo.statement.clean", files=len(files), matched=rec.matched_entries))
    else:
        say(i18n.say("demo.statement.breaks", files=len(files), matched=rec.matched_entries, breaks=len(rec.breaks)))
    return rec


def _summarise(r: BatchRun, say) -> bool:
    """Print the batch's triple-copy summary and its exceptions; True only if every fen and every
    line is accounted for (and, for the misbehaving bank, each deviation is in its class). A batch
    left waiting for correction is shown as such: it is right only if nothing was approved or funded."""
    if r.left_waiting:
        ok = r.batch.status == BatchStatus.NEEDS_CORRECTION.value and r.batch.funded_fen == 0
        say("")
        say(i18n.say("demo.summary.waiting", bank=r.bank_code, batch=r.batch_id, verdict=_verdict(ok),
                     state=i18n.say("demo.left_waiting", batch=r.batch_id, status=r.batch.status)))
        return ok
    recon, batch = r.reconciliation, r.batch
    content = json.loads(recon.content_json)
    say("")
    say(recon.text.split("=== ")[1].split("\n", 1)[1].rsplit("content sha256", 1)[0])
    say(i18n.say("demo.copies"))
    for copy, valid in zip(recon.copies, r.verified or [], strict=False):
        verdict = i18n.say("demo.copy.verified" if valid else "demo.copy.invalid")
        say(f"  {copy.party:<10} {copy.content_sha256}  {verdict}  {copy.label}")
    if r.exceptions:
        say(i18n.say("demo.exceptions"))
        say("\n".join("  " + row for row in format_exceptions(r.exceptions, per_kind=3).splitlines()))
    by_status = {s.status: (s.count, s.fen) for s in batch.lines_by_status}
    paid_n = by_status.get(LineStatus.PAID.value, (0, 0))[0]
    refunded_n = by_status.get(LineStatus.REFUNDED.value, (0, 0))[0]
    ledger, bank, found = content["ledger"], content["bank"], content["discrepancies"]
    due_back = ledger["due_back_fen"]
    ok = (
        batch.status == BatchStatus.CLOSED.value
        and batch.funded_fen == ledger["paid_fen"] + ledger["refunded_fen"]
        and ledger["clearing_fen"] == 0 and ledger["suspense_fen"] == 0
        and paid_n + refunded_n == content["finance"]["instructed_count"]
        and due_back == bank["due_back_fen"] == sum(e.due_back_fen for e in r.exceptions or [])
        and all(content["checks"].values())
        and len({c.content_sha256 for c in recon.copies}) == 1
        and bool(r.verified) and all(r.verified)
        and (r.statement is None or (r.statement.clean and r.statement.in_balance))
    )
    if r.deviant:  # each class shows as the bank's deviation made it
        kinds = Counter(e.kind for e in r.exceptions or [])
        ok = ok and kinds["REREPORT"] > 0 and kinds["NOT_INSTRUCTED"] == found["OVER"]["count"] == 1 and (
            found["DUPLICATE"]["count"] == kinds["SECOND_PAYMENT"] and found["LATE"]["count"] == paid_n
            and found["MISSED"]["count"] == refunded_n)
        if content["roster"]["count"] >= max(*PAID_TWICE, *DEVIANT_FAILS):  # a roster with every line they name
            ok = ok and all(found[k]["count"] > 0 for k in ("DUPLICATE", "MISSED", "LATE"))
    say(i18n.say("demo.summary.figures", bank=r.bank_code, batch=r.batch_id, funded=yuan(batch.funded_fen),
                 paid=yuan(ledger["paid_fen"]), paid_count=paid_n, refunded=yuan(ledger["refunded_fen"]),
                 refunded_count=refunded_n)
        + (i18n.say("demo.summary.due_back", amount=yuan(due_back)) if due_back else "")
        + (i18n.say("demo.summary.classes", over=found["OVER"]["count"], duplicate=found["DUPLICATE"]["count"],
                    missed=found["MISSED"]["count"], late=found["LATE"]["count"])
           if any(v["count"] for v in found.values()) else "")
        + _verdict(ok))
    return ok


def _verdict(ok: bool) -> str:
    return i18n.say("demo.verdict.ok" if ok else "demo.verdict.mismatch")


def _wait_for_results(client: Client, batch_id: str, bar: Bar, timeout_s: float = 600.0, base: int = 0) -> pb.Batch:
    """The batch once every instructed line has its answer booked; the bar counts answered lines
    (beyond ``base`` answered before). The wait asks for the batch's state only (ListBatches, one
    row): GetBatch counts the batch's lines by status, which at a million lines costs more than a
    second, and asking for it every 0.3 s took more of the machine than the booking it waited for."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _status(client, batch_id) == BatchStatus.RESULTS_COMPLETE.value:
            batch = client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
            by_status = {s.status: s.count for s in batch.lines_by_status}
            bar.update(max(0, by_status.get("PAID", 0) + by_status.get("FAILED", 0) - base))
            return batch
        time.sleep(0.3)
    raise TimeoutError(f"batch {batch_id}: no complete results after {timeout_s:.0f} s")


def _status(client: Client, batch_id: str) -> str:
    """The batch's state, without counting its lines (the demo's ledger holds a few batches)."""
    token = ""
    while True:
        page = client.call("ListBatches", pb.ListBatchesRequest(page_size=100, page_token=token))
        for b in page.batches:
            if b.batch_id == batch_id:
                return b.status
        if not (token := page.next_page_token):
            raise LookupError(f"batch {batch_id} is not listed")


def write_report(report: pb.Report, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{report.batch_id}_{report.kind}"
    as_json = stem.with_suffix(".json")
    as_json.write_text(json.dumps({
        "kind": report.kind,
        "content": json.loads(report.content_json),
        "content_sha256": report.content_sha256,
        "copies": [{"party": c.party, "label": c.label, "content_sha256": c.content_sha256,
                    "signature": c.signature} for c in report.copies],
        "public_key_pem": report.public_key_pem,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    as_text = stem.with_suffix(".txt")
    as_text.write_text(report.text, encoding="utf-8")
    return as_json, as_text
