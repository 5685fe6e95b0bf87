"""Failed lines after the bank's answer: re-issued once corrected (补发), or given up.

A line the bank could not pay (wrong account, closed card...) keeps its money in failed-payment
suspense. The department either corrects it — a new account, a verified identity — and it goes
to the bank again, or gives it up with a reason, and its money is refunded when the batch closes.

A re-issue keeps the line's seq and amount, so the bank's new result books against the original
line and the batch's totals never change; the line's earlier failure stays in the result records
and the audit trail. The corrected lines travel in a payment file of their own (message id
``BATCHP2``, ``P3``...; its name carries ``BATCH-R1``, ``-R2``... so the bank never sees two
files under one name), made here and dispatched like the first one. Only one payment file of a
batch is on its way at a time.
"""
from __future__ import annotations

from collections.abc import Sequence

from domain import beijing, validation, workdays
from domain.eligibility import ONE_CARD_CODES
from domain.model import OUTBOUND_AT_BANK, BatchStatus, FileState, LineStatus, PaymentLine, payment_message_id
from domain.postings import reissue as reissue_entry
from ledger import statements as store_statements
from ledger import store
from service import screening
from service.batches import accounts_of, result_due
from service.context import Context
from service.errors import FailedPrecondition, InvalidInput, NotFound, Violation

#: Batch states in which failed lines may be re-issued or given up: the bank has answered (a
#: FUNDED batch that was dispatched before has a re-issue file waiting to go).
ANSWERED = (BatchStatus.DISPATCHED.value, BatchStatus.RESULTS_COMPLETE.value, BatchStatus.FUNDED.value)

def reissue(ctx: Context, batch_id: str, corrected: Sequence[PaymentLine], actor: str):
    """Send lines to the bank again, corrected; returns the new payment file's record.

    A line the bank failed may be re-issued at once. A line the bank never answered may be
    re-issued only once the result deadline has passed and the bank's statement shows no debit
    for it, or with an approver's leave (:func:`allow_reissue`): otherwise the bank may yet pay
    the first instruction, and the person would be paid twice (重发). Each corrected line is
    checked as at submission and against the one-person-one-card registry; any error refuses the
    whole request and changes nothing. The new file carries exactly these lines.
    """
    if not corrected:
        raise InvalidInput("no lines to re-issue", [Violation("lines", "REQUIRED", "send at least one line")])
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        batch = _answered(conn, batch_id, "re-issue lines")
        latest = store.outbound_file(conn, batch_id)
        if latest is None or latest.state not in OUTBOUND_AT_BANK:
            raise FailedPrecondition(f"batch {batch_id}: payment file {latest.name if latest else '-'} is still on "
                                     "its way to the bank; re-issue once it is delivered")
        seqs = [ln.seq for ln in corrected]
        current = {r.seq: r for r in store.lines_by_seq(conn, batch_id, seqs)}
        bad = _reissuable(ctx, conn, batch, seqs, current, now)
        for ln in corrected:
            row = current.get(ln.seq)
            if row is not None and ln.amount_fen != row.amount_fen:
                bad.append(Violation(f"lines[{ln.seq}].amount_fen", "AMOUNT_CHANGED",
                                     f"line {ln.seq}: the amount {row.amount_fen} fen cannot change in a re-issue"))
            for problem in validation.check_line(ln, max_amount_fen=batch.max_amount_fen, today=beijing.day_of(now)):
                if problem.is_error:
                    bad.append(Violation(f"lines[{ln.seq}].{problem.field}", problem.code, problem.message))
        if bad:
            raise InvalidInput(f"batch {batch_id}: re-issue refused; nothing was changed", bad)
        for ln in corrected:
            store.replace_line(conn, ctx.cipher, batch_id, ln, LineStatus.PENDING)
        found = screening.against_others(conn, batch_id, batch.program, batch.period, beijing.day_of(now),
                                         ctx.settings.policy(batch.program),
                                         store.screening_candidates(conn, batch_id, seqs))
        conflicts = [Violation(f"lines[{i.seq}].{i.field}", i.code, i.message)
                     for issues in found.values() for i in issues if i.code in ONE_CARD_CODES]
        conflicts += [Violation(f"lines[{seq}].id_number", code, f"line {seq}: the same person or account as line {other_seq} of this batch")
                      for seq, code, other_seq in store.in_batch_duplicates(conn, batch_id, seqs)]
        if conflicts:  # raising rolls the replaced lines back
            raise InvalidInput(f"batch {batch_id}: re-issue refused (one person, one card); nothing was changed",
                               conflicts)
        failed = [(ln.seq, ln.amount_fen) for ln in corrected if current[ln.seq].status == LineStatus.FAILED.value]
        if failed:  # their money comes back from suspense; an unanswered line's never left clearing
            store.post(conn, reissue_entry(batch_id, accounts_of(batch), failed), now)
        bank = ctx.settings.bank(batch.bank_code)
        round_no = store.outbound_count(conn, batch_id)  # files before this one
        store.reinstruct(conn, batch_id, seqs, round_no)
        file_id = store.insert_file(
            conn, direction="OUT", bank_code=batch.bank_code, batch_id=batch_id,
            name=bank.naming.payment_name(bank.code, f"{batch_id}-R{round_no}", beijing.day_of(now),
                                          bank.bank_format.file_suffix),
            message_id=payment_message_id(batch_id, round_no), state=FileState.GENERATED.value, created_at=now,
            updated_at=now, rendered_at=now,
        )
        store.update_batch(conn, batch_id, BatchStatus(batch.status), status=BatchStatus.FUNDED.value)
        for ln in corrected:
            unanswered = current[ln.seq].status == LineStatus.PENDING.value
            store.audit(conn, now, actor, "REISSUE_LINE", batch_id, ln.seq,
                        ("never answered by the bank" if unanswered else "corrected after the bank's failure")
                        + f"; goes out again in file {file_id}")
        return store.get_file(conn, file_id)


def allow_reissue(ctx: Context, batch_id: str, seqs: Sequence[int], reason: str, actor: str):
    """An approver's leave to re-issue lines the bank has not answered, before the result
    deadline or although a statement may show a debit: for when the department knows the first
    instruction did not reach the person. Audited with who and why; used up by the re-issue."""
    reason = _lines_and_reason(seqs, reason)
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        batch = _answered(conn, batch_id, "allow a re-issue")
        found = {r.seq: r.status for r in store.lines_by_seq(conn, batch_id, list(seqs))}
        bad = [Violation(f"lines[{seq}].seq", "LINE_NOT_UNANSWERED",
                         f"line {seq} is {found.get(seq, 'not in the batch')}; leave is only for lines the bank "
                         "has not answered") for seq in seqs if found.get(seq) != LineStatus.PENDING.value]
        if bad:
            raise InvalidInput(f"batch {batch_id}: no leave was given", bad)
        store.allow_reissue(conn, batch_id, seqs, actor)
        for seq in seqs:
            store.audit(conn, now, actor, "ALLOW_REISSUE_UNANSWERED", batch_id, seq, f"leave to re-issue: {reason[:400]}")
        return store.get_batch(conn, batch.id)


def _reissuable(ctx: Context, conn, batch, seqs: Sequence[int], current: dict, now) -> list[Violation]:
    """Violations for seqs that are repeated, unknown, or neither failed nor unanswered and due."""
    bad = []
    if len(set(seqs)) != len(seqs):
        bad.append(Violation("lines", validation.DUPLICATE_SEQ, "each line may be named once per request"))
    unanswered = [seq for seq in seqs if seq in current and current[seq].status == LineStatus.PENDING.value]
    debited = store_statements.debited_lines(conn, batch.id, unanswered) if unanswered else set()
    try:
        due = result_due(ctx, batch)
    except workdays.CalendarRangeError:
        due = None
    today = beijing.day_of(now)
    for seq in seqs:
        row = current.get(seq)
        if row is None:
            bad.append(Violation(f"lines[{seq}].seq", "NO_SUCH_LINE", f"batch {batch.id} has no line {seq}"))
        elif row.status == LineStatus.FAILED.value:
            continue
        elif row.status != LineStatus.PENDING.value:
            bad.append(Violation(f"lines[{seq}].seq", "LINE_NOT_FAILED",
                                 f"line {seq} is {row.status}; only lines the bank failed or never answered are "
                                 "re-issued"))
        elif row.allowed_by:
            continue
        elif due is None or today <= due:
            bad.append(Violation(f"lines[{seq}].seq", "LINE_AWAITING_ANSWER",
                                 f"line {seq} has no answer from the bank yet and its result deadline "
                                 f"({due or 'unknown'}) has not passed; re-issue it after the deadline, or ask "
                                 "an approver for leave (AllowReissue)"))
        elif seq in debited:
            bad.append(Violation(f"lines[{seq}].seq", "LINE_DEBITED",
                                 f"line {seq} has no answer, but the bank's statement shows a debit for it: it "
                                 "may have been paid; ask the bank, or an approver for leave (AllowReissue)"))
    return bad


def give_up(ctx: Context, batch_id: str, seqs: Sequence[int], reason: str, actor: str):
    """Stop trying to pay failed lines; their money is refunded to finance when the batch closes."""
    reason = _lines_and_reason(seqs, reason)
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        batch = _answered(conn, batch_id, "give up lines")
        bad = _failed_lines(conn, batch_id, seqs)
        if bad:
            raise InvalidInput(f"batch {batch_id}: nothing was given up", bad)
        store.set_line_status(conn, batch_id, seqs, LineStatus.GIVEN_UP)
        for seq in seqs:
            store.audit(conn, now, actor, "GIVE_UP_LINE", batch_id, seq, f"given up: {reason[:400]}")
        return store.get_batch(conn, batch.id)


def _lines_and_reason(seqs: Sequence[int], reason: str) -> str:
    """The reason, stripped, once lines are named and a reason is given (for the record)."""
    reason = (reason or "").strip()
    if not seqs:
        raise InvalidInput("no lines named", [Violation("seqs", "REQUIRED", "name at least one line")])
    if not reason:
        raise InvalidInput("a reason is required", [Violation("reason", "REQUIRED", "say why, for the record")])
    return reason


def _answered(conn, batch_id: str, what: str):
    batch = store.get_batch(conn, batch_id, for_update=True)
    if batch is None:
        raise NotFound(f"no batch {batch_id}")
    if batch.status not in ANSWERED or batch.dispatched_at is None:
        raise FailedPrecondition(f"batch {batch_id} is {batch.status}; one can {what} once the bank has "
                                 "answered, and until the batch is closed")
    return batch


def _failed_lines(conn, batch_id: str, seqs: Sequence[int]) -> list[Violation]:
    """Violations for seqs that are repeated, unknown, or not failed."""
    bad = []
    if len(set(seqs)) != len(seqs):
        bad.append(Violation("lines", validation.DUPLICATE_SEQ, "each line may be named once per request"))
    found = {r.seq: r.status for r in store.lines_by_seq(conn, batch_id, list(seqs))}
    for seq in seqs:
        status = found.get(seq)
        if status is None:
            bad.append(Violation(f"lines[{seq}].seq", "NO_SUCH_LINE", f"batch {batch_id} has no line {seq}"))
        elif status != LineStatus.FAILED.value:
            bad.append(Violation(f"lines[{seq}].seq", "LINE_NOT_FAILED",
                                 f"line {seq} is {status}; only lines the bank failed are given up"))
    return bad
