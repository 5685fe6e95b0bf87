"""Submitting a roster and putting its lines right, before any money moves.

Every line is accepted, rejected or held, with its reasons; nothing is dropped or altered.
A structural fault (sequence numbers, control totals, the header) rejects the whole request
and stores nothing: there is no batch to correct. The roster is stored in one transaction that
commits only after its last line: a stream that is cancelled or breaks stores nothing, and its
idempotency key stays free. Its control count and total come in the header, or, when the header
leaves both 0, after the lines (:class:`Totals`): a client can then stream rows while it still
checks later ones, and send the totals only once every row passed; a stream that ends without
them stores nothing either. Otherwise the batch is stored: with any line
rejected it waits in NEEDS_CORRECTION until the department corrects or removes those lines; a
held line (stop list, one-card review) is not paid unless a reviewer releases it.
"""
from __future__ import annotations

import hashlib
import secrets
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from itertools import islice

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from bank_formats.carriage import Carriage
from domain import beijing, eligibility, programs, validation
from domain.eligibility import ERROR, HOLD, WARNING, WIDTHS, Candidate, ProgramPolicy
from domain.model import (
    BatchHeader,
    BatchStatus,
    LineIssue,
    LineStatus,
    PaymentFileHeader,
    PaymentLine,
    payment_message_id,
    payment_purpose,
)
from domain.text import text_problem
from domain.validation import BatchChecker, LineError
from i18n import Named
from i18n.stored import message
from ledger import store
from privacy.cipher import FieldCipher
from service import screening
from service.batches import check_header, get_for_update
from service.context import Context
from service.errors import AlreadyExists, FailedPrecondition, InvalidInput, NotFound, Violation

IN_FLIGHT = 2  # chunks the writes may be behind the checks: room for one slow chunk, memory bounded
# Findings from outside the batch for a chunk of candidates, by seq (screening.against_others).
Findings = dict[int, list[LineIssue]]
MAX_LISTED = 100  # issues returned in one response; ListLineIssues pages through all of them
# Faults of the request as a whole: the batch cannot be stored, let alone corrected.
STRUCTURAL = frozenset({validation.SEQ_INVALID, validation.DUPLICATE_SEQ, validation.SEQ_NOT_CONTIGUOUS,
                        validation.CONTROL_COUNT, validation.CONTROL_TOTAL, validation.AMOUNT_TYPE})


@dataclass
class Tally:
    """Lines by fate and the issues to show, with how many there are in all."""

    accepted: int = 0
    rejected: int = 0
    held: int = 0
    issues: list[LineIssue] = field(default_factory=list)
    issue_count: int = 0

    def note(self, issues: Iterable[LineIssue]) -> None:
        for issue in issues:
            self.issue_count += 1
            if len(self.issues) < MAX_LISTED:
                self.issues.append(issue)

    def count(self, status: LineStatus, n: int = 1) -> None:
        if status is LineStatus.REJECTED:
            self.rejected += n
        elif status is LineStatus.HELD:
            self.held += n
        else:
            self.accepted += n


@dataclass(frozen=True)
class Totals:
    """The roster's control count and total, sent after its lines (the header's were 0)."""

    count: int
    total_fen: int


@dataclass(frozen=True)
class SubmitOutcome:
    batch_id: str
    replayed: bool  # the idempotency key was seen before with the same content
    status: str
    line_count: int
    total_fen: int
    tally: Tally


def submit(ctx: Context, header: BatchHeader, lines: Iterable[PaymentLine],
           trailer: Callable[[], Totals | None] = lambda: None) -> SubmitOutcome:
    """Check and store a roster; the same request twice gives one batch.

    ``lines`` is consumed once, as a stream: a million-line batch is never held in memory. A
    header whose control count and total are both 0 has them follow the lines: ``trailer()``,
    asked once ``lines`` is exhausted, gives them (None: the stream ended without them, and
    nothing is stored). The header is checked with them then; its other fields at once.
    """
    follow = header.control_count == 0 and header.control_total_fen == 0
    # the totals to come are checked when they come; till then the batch's row holds these (1 line, 1 fen)
    placeholder = replace(header, control_count=1, control_total_fen=1) if follow else header
    check_header(ctx, placeholder)
    # no line above the registered standard, whatever the header says (None without a registry)
    header = replace(header, max_amount_fen=programs.standard(ctx.settings.registry, header.program,
                                                              header.max_amount_fen))
    now = ctx.clock()
    batch_id = f"B{now:%Y%m%d}{secrets.token_hex(4).upper()}"
    carriage = check_carried_header(ctx, header, batch_id, now)
    digest = RequestDigest(header)
    with ctx.engine.connect() as conn:
        existing = store.batch_by_key(conn, header.idempotency_key)
    if existing is not None:
        return _compare(ctx, existing, _digest_all(digest, lines, follow, trailer))

    today = now.date()
    policy = ctx.settings.policy(header.program)
    try:
        with ctx.engine.begin() as conn:
            store.insert_batch(
                conn, id=batch_id, idempotency_key=header.idempotency_key, request_digest="pending",
                program=header.program, period=header.period, region=header.region,
                bank_code=header.bank_code, payer_name=header.payer_name,
                payer_account=header.payer_account, roster_count=placeholder.control_count,
                roster_fen=placeholder.control_total_fen, line_count=placeholder.control_count,
                total_fen=placeholder.control_total_fen, max_amount_fen=header.max_amount_fen,
                status=BatchStatus.SUBMITTED.value, submitted_by=header.submitted_by, created_at=now,
            )  # the totals that follow the lines (follow) replace the placeholder's before the commit
            check = RosterCheck(header, today, policy, batch_id, ctx.cipher, carriage)
            def screen(reader: Connection, candidates: Sequence[Candidate]) -> Findings:
                return screening.against_others(reader, batch_id, header.program, header.period, today, policy,
                                                candidates)

            _check_and_store(ctx, conn, check, lines, screen, now)
            totals = _totals_sent(trailer, follow)
            if totals is not None:
                header = replace(header, control_count=totals.count, control_total_fen=totals.total_fen)
                check_header(ctx, header)
                check_carried_header(ctx, header, batch_id, now)
            structural, structural_count, request_digest, tally = check.finish(totals)
            if structural_count:
                raise InvalidInput(
                    "error.batch.structure_rejected",
                    [_violation(e) for e in structural], total=structural_count, count=structural_count,
                )
            status = BatchStatus.NEEDS_CORRECTION if tally.rejected else BatchStatus.SUBMITTED
            store.audit(conn, now, header.submitted_by, "SUBMIT", batch_id, None,
                        message("audit.submit", count=header.control_count, fen=header.control_total_fen))
            store.update_batch(conn, batch_id, None, request_digest=request_digest, status=status.value,
                               roster_count=header.control_count, roster_fen=header.control_total_fen,
                               line_count=header.control_count, total_fen=header.control_total_fen)
    except IntegrityError:
        # Another request with the same key won the race; answer as a replay of it.
        with ctx.engine.connect() as conn:
            existing = store.batch_by_key(conn, header.idempotency_key)
        if existing is None:
            raise
        # the key's batch was stored first, before this roster was read
        return _compare(ctx, existing, _digest_all(digest, lines, follow, trailer))
    return SubmitOutcome(batch_id, False, status.value, header.control_count, header.control_total_fen, tally)


def _totals_sent(trailer: Callable[[], Totals | None], follow: bool) -> Totals | None:
    """The totals sent after the lines when the header left them (``follow``), None otherwise;
    a stream that ended without them stores nothing, whatever its lines."""
    totals = trailer()
    if follow and totals is None:
        raise InvalidInput("error.batch.totals_missing", [Violation("totals", "REQUIRED", "send the control count "
                                                                    "and total after the lines")])
    if not follow and totals is not None:
        raise InvalidInput("error.batch.totals_last", [Violation("totals", "REPEATED", "the header gave them")])
    return totals


def _digest_all(digest: RequestDigest, lines: Iterable[PaymentLine], follow: bool,
                trailer: Callable[[], Totals | None]) -> RequestDigest:
    """The digest of a replayed request: its lines, and the totals when they followed them."""
    for line in lines:
        digest.add(line)
    totals = _totals_sent(trailer, follow)
    if totals is not None:
        digest.totals(totals)
    return digest


def _check_and_store(ctx: Context, conn: Connection, check: RosterCheck, lines: Iterable[PaymentLine],
                     screen: Callable[[Connection, Sequence[Candidate]], Findings], now: datetime) -> None:
    """Check, screen and store the roster a chunk at a time, the writes on a thread of their own.

    Why a thread: at a million lines the line checks, blind indexes, sealing and screening
    take about as long as the database's inserts, which run in C and let go of the GIL while a
    statement runs; on two cores they overlap. Screening reads on a connection of its own (it
    reads only other batches' lines, which it sees as committed) while the writing thread uses
    the submission's, at most ``IN_FLIGHT`` chunks behind: while the roster streams in, each
    connection is used by one thread only. A failed write is raised in chunk order; after any
    error the writes still queued are dropped and the thread finishes before the caller's
    transaction rolls back.
    """
    writing: deque[Future] = deque()  # chunks checked, their writes under way
    with ctx.engine.connect() as reader, ThreadPoolExecutor(1, "writing") as writes:
        try:
            store.probe_by_index(reader)
            stream = iter(lines)
            while chunk := list(islice(stream, store.CHUNK)):
                rows, issues = check.feed(chunk, partial(screen, reader))
                while len(writing) >= IN_FLIGHT:
                    writing.popleft().result()
                writing.append(writes.submit(_store_chunk, conn, check.batch_id, rows, issues, now))
            while writing:
                writing.popleft().result()
        except BaseException:
            writes.shutdown(cancel_futures=True)
            raise
    store.refresh_statistics(conn, "lines")


def _store_chunk(conn: Connection, batch_id: str, rows: list[tuple], issues: list[LineIssue], now: datetime) -> None:
    store.insert_line_rows(conn, batch_id, rows)
    store.insert_issues(conn, batch_id, issues, now)


class RosterCheck:
    """Everything a submission does to its lines, in arrival order: the line checks and the
    duplicates within the batch (BatchChecker), the other findings of each line, the screening
    against other batches and the stop list (asked of ``screen`` a chunk at a time), the request
    digest, and the rows to store (sealed, blind-indexed, masked, with their final status).

    It keeps state from chunk to chunk, so one instance must see the whole roster in order.
    """

    def __init__(self, header: BatchHeader, today: date, policy: ProgramPolicy, batch_id: str,
                 cipher: FieldCipher, carriage: Carriage | None = None) -> None:
        self._checker = BatchChecker(max_amount_fen=header.max_amount_fen, today=today)
        self._carriage = carriage
        self._whose = _whose(header.bank_code)
        self._digest = RequestDigest(header)
        self._header = header
        self._policy = policy
        self._batch_id = batch_id
        self._cipher = cipher
        self._tally = Tally()
        self._structural: list[LineError | Violation] = []
        self._structural_count = 0
        self._position = 0

    @property
    def batch_id(self) -> str:
        return self._batch_id

    def feed(self, lines: Iterable[PaymentLine], screen: Callable[[Sequence[Candidate]], Findings]
             ) -> tuple[list[tuple], list[LineIssue]]:
        """Check a chunk of lines: the rows of ``lines`` to store, each with its final status,
        and the issues found. ``screen`` answers for the lines without an error so far.

        After a fault in the structure nothing more is to be stored (the lines are still checked
        and digested, to report every fault and to tell a replay): the rows are then empty.
        """
        checker, digest, region, policy = self._checker, self._digest, self._header.region, self._policy
        carry = self._carriage.check_line if self._carriage is not None else None
        whose = self._whose
        kept: list[PaymentLine] = []
        found: list[list[LineIssue]] = []
        for line in lines:
            self._position += 1
            digest.add(line)
            problems = checker.check(line)
            if problems and any(p.code in STRUCTURAL for p in problems):
                for p in problems:
                    if p.code in STRUCTURAL:
                        self._structural_count += 1
                        if len(self._structural) < MAX_LISTED:
                            self._structural.append(_at_position(p, self._position))
                continue
            if not self._structural_count:
                kept.append(line)
                line_found = _line_issues(line, problems, region, policy)
                if carry is not None:
                    unfit = carry(line, whose)
                    if unfit:
                        _add_unfit(line.seq, unfit, line_found)
                found.append(line_found)
        if self._structural_count:
            return [], []
        sealed = store.seal_lines(self._cipher, kept)
        screened = screen([Candidate(ln.seq, i, a) for ln, f, i, a in zip(kept, found, sealed.id_index,
                                                                          sealed.account_index)
                           if not f or not any(x.severity == ERROR for x in f)])
        tally = self._tally
        statuses: list[LineStatus] = []
        issues: list[LineIssue] = []
        accepted = 0
        for line, line_found in zip(kept, found):
            more = screened.get(line.seq)
            if more:
                line_found = line_found + more
            if line_found:
                status = eligibility.fate(i.severity for i in line_found)
                tally.note(line_found)
                tally.count(status)
                issues += line_found
            else:
                status = LineStatus.PENDING
                accepted += 1
            statuses.append(status)
        tally.accepted += accepted
        return store.make_line_rows(self._batch_id, kept, statuses, sealed), issues

    def finish(self, totals: Totals | None = None) -> tuple[list[LineError | Violation], int, str, Tally]:
        """The faults in the structure (the first MAX_LISTED and how many), the request digest
        and the tally of the lines' fates; ``totals`` when they followed the lines."""
        count, total_fen = self._header.control_count, self._header.control_total_fen
        if totals is not None:
            count, total_fen = totals.count, totals.total_fen
            self._digest.totals(totals)
        for p in self._checker.finish(count, total_fen):
            self._structural_count += 1
            if len(self._structural) < MAX_LISTED:
                self._structural.append(p)
        return self._structural, self._structural_count, self._digest.hexdigest(), self._tally


def correct_lines(ctx: Context, batch_id: str, corrected: Sequence[PaymentLine], actor: str) -> SubmitOutcome:
    """The department sends rejected or held lines again, corrected; each is checked afresh.

    A corrected line must keep its seq and amount (the batch totals were agreed); everything
    else about the person may change. Its earlier issues are closed and kept.
    """
    if not corrected:
        raise InvalidInput("error.lines.none_to_correct", [Violation("lines", "REQUIRED", "send at least one line")])
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        batch = _editable(conn, batch_id, "correct lines")
        policy = ctx.settings.policy(batch.program)
        current = {r.seq: r for r in store.lines_by_seq(conn, batch_id, [ln.seq for ln in corrected])}
        bad = []
        for ln in corrected:
            row = current.get(ln.seq)
            if row is None:
                bad.append(Violation(f"lines[{ln.seq}].seq", "NO_SUCH_LINE", f"batch {batch_id} has no line {ln.seq}"))
            elif row.status not in (LineStatus.REJECTED.value, LineStatus.HELD.value):
                bad.append(Violation(f"lines[{ln.seq}].seq", "LINE_NOT_CORRECTABLE",
                                     f"line {ln.seq} is {row.status}; only rejected or held lines are corrected"))
            elif ln.amount_fen != row.amount_fen:
                bad.append(Violation(f"lines[{ln.seq}].amount_fen", "AMOUNT_CHANGED",
                                     f"line {ln.seq}: the amount {row.amount_fen} fen cannot change in a correction"))
        if len({ln.seq for ln in corrected}) != len(corrected):
            bad.append(Violation("lines", validation.DUPLICATE_SEQ, "each line may be corrected once per request"))
        if bad:
            raise InvalidInput("error.lines.correction_refused", bad, batch=batch_id)
        tally = Tally()
        seqs = [ln.seq for ln in corrected]
        store.close_issues(conn, batch_id, seqs)
        found: dict[int, list[LineIssue]] = {}
        carriage = ctx.settings.bank(batch.bank_code).bank_format.carriage()
        for ln in corrected:
            problems = validation.check_line(ln, max_amount_fen=batch.max_amount_fen, today=now.date())
            found[ln.seq] = _line_issues(ln, problems, batch.region, policy)
            _add_unfit(ln.seq, carriage.check_line(ln, _whose(batch.bank_code)), found[ln.seq])
            store.replace_line(conn, ctx.cipher, batch_id, ln, eligibility.fate(i.severity for i in found[ln.seq]))
            store.audit(conn, now, actor, "CORRECT_LINE", batch_id, ln.seq, message("audit.corrected"))
        for seq, code, other_seq in store.in_batch_duplicates(conn, batch_id, seqs):
            field_name = "id_number" if code == validation.DUPLICATE_PERSON else "account_no"
            found[seq].append(LineIssue(seq, field_name, code, ERROR,
                                        f"line {seq}: {field_name}: the same as on line {other_seq} of this batch",
                                        batch_id, other_seq))
        screening.record(conn, batch_id, found, now)
        screened = screening.screen_stored(conn, batch, seqs, now.date(), policy, now)
        for issues in (*found.values(), *screened.values()):
            tally.note(issues)
        return _settle(conn, ctx, batch, tally)


def remove_lines(ctx: Context, batch_id: str, seqs: Sequence[int], reason: str, actor: str) -> SubmitOutcome:
    """The department takes lines out of the batch, explicitly and with a reason."""
    return _resolve(ctx, batch_id, seqs, reason, actor, "REMOVE_LINE", LineStatus.REMOVED,
                    (LineStatus.REJECTED, LineStatus.HELD, LineStatus.PENDING))


def release_lines(ctx: Context, batch_id: str, seqs: Sequence[int], reason: str, actor: str) -> SubmitOutcome:
    """A reviewer lets held lines go ahead. A stop-list hold cannot be released: the stop
    entry itself must be revoked (or the line removed)."""
    with ctx.engine.connect() as conn:
        stopped = store.open_issue_seqs(conn, batch_id, seqs, eligibility.STOP_CODES)
    if stopped:
        raise FailedPrecondition("error.lines.stopped", batch=batch_id, seqs=", ".join(map(str, stopped[:20])))
    return _resolve(ctx, batch_id, seqs, reason, actor, "RELEASE_LINE", LineStatus.PENDING, (LineStatus.HELD,))


def _resolve(ctx, batch_id, seqs, reason, actor, action, to: LineStatus, allowed) -> SubmitOutcome:
    if not seqs:
        raise InvalidInput("error.lines.none_named", [Violation("seqs", "REQUIRED", "name at least one line")])
    if not reason.strip():
        raise InvalidInput("error.reason.required", [Violation("reason", "REQUIRED", "say why, for the record")])
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        batch = _editable(conn, batch_id, action.lower().replace("_", " "))
        rows = {r.seq: r for r in store.lines_by_seq(conn, batch_id, seqs)}
        bad = [Violation(f"seqs[{s}]", "NO_SUCH_LINE", f"batch {batch_id} has no line {s}") for s in seqs if s not in rows]
        bad += [Violation(f"seqs[{s}]", "LINE_STATE", f"line {s} is {rows[s].status}")
                for s in seqs if s in rows and rows[s].status not in {a.value for a in allowed}]
        if bad:
            raise InvalidInput("error.lines.nothing_changed", bad, batch=batch_id)
        store.set_line_status(conn, batch_id, seqs, to)
        store.close_issues(conn, batch_id, seqs)
        for s in seqs:
            store.audit(conn, now, actor, action, batch_id, s, message("audit.reason", reason=reason[:900]))
        return _settle(conn, ctx, batch, Tally())


def _settle(conn: Connection, ctx: Context, batch, tally: Tally) -> SubmitOutcome:
    """Recount the batch and set its status: rejected lines left mean it still needs correction."""
    totals = store.line_status_totals(conn, batch.id)
    rejected = totals.get(LineStatus.REJECTED.value, (0, 0))[0]
    accepted = totals.get(LineStatus.PENDING.value, (0, 0))[0]
    status = BatchStatus.NEEDS_CORRECTION if rejected else BatchStatus.SUBMITTED
    if not rejected and not accepted:
        status = BatchStatus.NEEDS_CORRECTION  # nothing left to pay: correct lines or drop the batch
    store.update_batch(conn, batch.id, None, status=status.value)
    tally.accepted, tally.rejected = accepted, rejected
    tally.held = totals.get(LineStatus.HELD.value, (0, 0))[0]
    return SubmitOutcome(batch.id, False, status.value, batch.roster_count, batch.roster_fen, tally)


def _editable(conn: Connection, batch_id: str, action: str):
    batch = get_for_update(conn, batch_id)
    if batch.status not in (BatchStatus.NEEDS_CORRECTION.value, BatchStatus.SUBMITTED.value):
        raise FailedPrecondition("error.batch.not_editable", batch=batch_id, status=Named("batch_status", batch.status))
    return batch


def _line_issues(line: PaymentLine, problems: list[LineError], region: str, policy: ProgramPolicy) -> list[LineIssue]:
    found = [LineIssue(p.seq, p.field, p.code, p.severity, p.message) for p in problems]
    if (len(line.bank_name) > 140 or len(line.subsidy_item) > 140 or len(line.remark) > 140
            or len(line.address) > 140 or len(line.household_no) > 32):
        for name, width in WIDTHS.items():
            value = getattr(line, name)
            if len(value) > width:
                found.append(LineIssue(line.seq, name, eligibility.FIELD_TOO_LONG, ERROR,
                                       f"line {line.seq}: {name}: {len(value)} characters, at most {width}"))
    if not problems or not any(p.field == "id_number" and p.severity == ERROR for p in problems):
        severity = eligibility.region_finding(line.id_number[:6], region, policy)
        if severity is not None:
            found.append(LineIssue(
                line.seq, "id_number", eligibility.REGION_OUTSIDE, severity,
                f"line {line.seq}: id_number: issued in region {line.id_number[:6]}, "
                f"outside the batch's region {region}"))
    return found


def _whose(bank_code: str) -> str:
    return f"bank {bank_code}'s files"


def _add_unfit(seq: int, unfit, found: list[LineIssue]) -> None:
    """What the bank's file cannot carry of a line, as errors: one per field, and none for a field
    the line checks already found wrong (its code says more: NAME_CHARSET, FIELD_TOO_LONG...)."""
    if not unfit:
        return
    wrong = {i.field for i in found if i.severity == ERROR}
    for u in unfit:
        if u.field not in wrong:
            wrong.add(u.field)
            found.append(LineIssue(seq, u.field, u.code, ERROR, f"line {seq}: {u.field}: {u.message}"))


def carried_problems(ctx: Context, bank_code: str, line: PaymentLine) -> list[LineIssue]:
    """What bank ``bank_code``'s payment file cannot carry of ``line`` (errors; empty when it all
    fits): for every use case that puts a line into a payment file (a correction, a re-issue)."""
    found: list[LineIssue] = []
    _add_unfit(line.seq, ctx.settings.bank(bank_code).bank_format.carriage().check_line(line, _whose(bank_code)),
               found)
    return found


# The header's texts that are the request's own: a control character, line break or bidirectional
# control is refused in any of them, whether or not it reaches a file.
HEADER_TEXTS = ("idempotency_key", "program", "period", "payer_name", "payer_account")
# Which request field a payment file header's field comes from (the purpose is "program period
# region", see domain.model.payment_purpose; the region is six digits already).
_FROM_REQUEST = {"payer_name": "payer_name", "payer_account": "payer_account", "bank_code": "bank_code",
                 "purpose": "program", "count": "control_count", "total_fen": "control_total_fen"}


def check_carried_header(ctx: Context, header: BatchHeader, batch_id: str, now: datetime) -> Carriage:
    """Refuse a header whose texts hold what no text may, or that the bank's payment file cannot
    carry (the payer's name and account, the purpose made of program, period and region, the
    totals): checked as dispatch will write the file (service.dispatch). The bank's carriage."""
    bad: list[Violation] = []
    for name in HEADER_TEXTS:
        found = text_problem(getattr(header, name))
        if found is not None:
            bad.append(Violation(f"header.{name}", found[0], f"{name}: {found[1]}"))
    carriage = ctx.settings.bank(header.bank_code).bank_format.carriage()
    if not bad:
        file_header = PaymentFileHeader(
            file_id=payment_message_id(batch_id, 0), batch_id=batch_id, created_at=beijing.aware(now),
            requested_date=beijing.day_of(now), payer_name=header.payer_name, payer_account=header.payer_account,
            bank_code=header.bank_code, count=header.control_count, total_fen=header.control_total_fen,
            purpose=payment_purpose(header.program, header.period, header.region))
        for u in carriage.check_header(file_header, _whose(header.bank_code)):
            field_name = _FROM_REQUEST.get(u.field)
            what = "the payment file's purpose (program, period and region)" if u.field == "purpose" else u.field
            bad.append(Violation(f"header.{field_name}" if field_name else f"batch.{u.field}", u.code,
                                 f"{what}: {u.message}"))
    if bad:
        raise InvalidInput("error.batch.header_rejected", bad)
    return carriage


def _at_position(e: LineError, position: int) -> Violation | LineError:
    """A line whose seq is unusable is named by its position in the request: ``lines[#2]``."""
    if e.code != validation.SEQ_INVALID:
        return e
    return Violation(f"lines[#{position}].seq", e.code, f"line #{position} of the request: {e.message}")


def _violation(e: LineError | Violation) -> Violation:
    if isinstance(e, Violation):
        return e
    field_name = f"lines[{e.seq}].{e.field}" if e.seq else f"batch.{e.field}"
    return Violation(field_name, e.code, e.message)


class RequestDigest:
    """SHA-256 over the request's content, to tell a replay from a reuse of the same key."""

    def __init__(self, header: BatchHeader):
        self._h = hashlib.sha256()
        self._put(
            header.program, header.period, header.region, header.bank_code, header.payer_name,
            header.payer_account, header.control_count, header.control_total_fen,
            header.max_amount_fen,
        )

    def _put(self, *fields) -> None:
        self._h.update("\x1f".join("" if f is None else str(f) for f in fields).encode())
        self._h.update(b"\x1e")

    def add(self, ln: PaymentLine) -> None:
        self._h.update(
            f"{ln.seq}\x1f{ln.name}\x1f{ln.id_number}\x1f{ln.account_no}\x1f{ln.amount_fen}\x1f{ln.account_kind}"
            f"\x1f{ln.bank_name}\x1f{ln.subsidy_item}\x1f{ln.remark}\x1f{ln.phone}\x1f{ln.address}"
            f"\x1f{ln.household_no}\x1e".encode()
        )

    def totals(self, totals: Totals) -> None:
        """The control totals sent after the lines (the header's, hashed first, were 0)."""
        self._put("totals", totals.count, totals.total_fen)

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def _compare(ctx: Context, existing, digest: RequestDigest) -> SubmitOutcome:
    if existing.request_digest != digest.hexdigest():
        raise AlreadyExists("error.batch.idempotency", batch=existing.id)
    with ctx.engine.connect() as conn:
        totals = store.line_status_totals(conn, existing.id)
        issues = store.list_issues(conn, existing.id, open_only=True, after_id=0, limit=MAX_LISTED)
    tally = Tally(
        accepted=totals.get(LineStatus.PENDING.value, (0, 0))[0],
        rejected=totals.get(LineStatus.REJECTED.value, (0, 0))[0],
        held=totals.get(LineStatus.HELD.value, (0, 0))[0],
        issues=[LineIssue(i.seq, i.field, i.code, i.severity, i.message, i.other_batch_id, i.other_seq) for i in issues],
        issue_count=len(issues),
    )
    return SubmitOutcome(existing.id, True, existing.status, existing.roster_count, existing.roster_fen, tally)


def get_issues(ctx: Context, batch_id: str, *, open_only: bool, after_id: int, limit: int):
    with ctx.engine.connect() as conn:
        if store.get_batch(conn, batch_id) is None:
            raise NotFound("error.batch.none", batch=batch_id)
        return store.list_issues(conn, batch_id, open_only=open_only, after_id=after_id, limit=limit)


__all__ = ["HOLD", "WARNING", "SubmitOutcome", "Tally", "Totals", "carried_problems", "check_carried_header", "correct_lines",
           "get_issues", "release_lines", "remove_lines", "submit"]
