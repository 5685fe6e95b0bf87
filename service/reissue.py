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

No one person can redirect money: a re-issue to another name, ID number or account is a change
of who is paid, kept sealed (``line_changes``) until an approver who neither made it nor
submitted the batch approves it (:func:`approve_change`; the rule is :mod:`domain.duties`); the
lines are checked again then, and only then is the file made. A re-issue that pays the same
person to the same account goes at once.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from domain import beijing, validation, workdays
from domain.duties import Duty, Part
from domain.eligibility import WARNING
from domain.masking import mask_account, mask_id, mask_name
from domain.model import (
    OUTBOUND_AT_BANK,
    AccountKind,
    BatchStatus,
    FileState,
    LineStatus,
    PaymentLine,
    payment_message_id,
)
from domain.postings import reissue as reissue_entry
from i18n import Named, Phrase
from i18n.stored import message
from ledger import statements as store_statements
from ledger import store
from ledger.store import line_changes as lc
from privacy.cipher import ACCOUNT, ID
from service import screening, submission
from service.batches import accounts_of, result_due
from service.context import Context
from service.errors import FailedPrecondition, InvalidInput, NotFound, Violation, action, duty_refused

#: Batch states in which failed lines may be re-issued or given up: the bank has answered (a
#: FUNDED batch that was dispatched before has a re-issue file waiting to go).
ANSWERED = (BatchStatus.DISPATCHED.value, BatchStatus.RESULTS_COMPLETE.value, BatchStatus.FUNDED.value)
SEALED_FIELD = "line_change"  # the privacy.FieldCipher field a change's corrected lines are sealed under

@dataclass(frozen=True)
class Reissued:
    """What a re-issue request made: the payment file that goes at once, or the change of who is
    paid that waits for an approver (and, once approved, both)."""

    file: Any = None  # the re-issue payment file's row
    change: Any = None  # the line_changes row


def reissue(ctx: Context, batch_id: str, corrected: Sequence[PaymentLine], actor: str) -> Reissued:
    """Send lines to the bank again, corrected; returns the new payment file's record, or the
    change waiting for approval when any line is to pay another person or account.

    A line the bank failed may be re-issued at once. A line the bank never answered may be
    re-issued only once the result deadline has passed and the bank's statement shows no debit
    for it, or with an approver's leave (:func:`allow_reissue`; never used by whoever gave it):
    otherwise the bank may yet pay the first instruction, and the person would be paid twice
    (重发). Each corrected line is checked as at submission and goes through every roster check
    again (the same person or account in the batch, already paid for the program and period, one
    person one card, the stop list); any error refuses the whole request and changes nothing.

    A change of who is paid — another name, ID number or account than the line has — is not
    sent: it is kept (sealed) as a change for an approver who neither made it nor submitted the
    batch (:func:`approve_change`, :mod:`domain.duties`); nothing else changes until then. A
    request changing no one's person goes at once, in a file carrying exactly these lines.
    """
    if not corrected:
        raise InvalidInput("error.lines.none_to_reissue", [Violation("lines", "REQUIRED", "send at least one line")])
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        batch, current = _checked(ctx, conn, batch_id, corrected, actor, now)
        items = _person_changes(conn, ctx, batch_id, corrected)
        if any(item["changed"] for item in items):
            change_id = store.insert_line_change(conn, batch_id, items, _seal(ctx, corrected), actor, now)
            for item in items:
                store.audit(conn, now, actor, "REQUEST_LINE_CHANGE", batch_id, item["seq"],
                            message("audit.change_requested", change=change_id,
                                    what=Phrase.of("audit.reissue_changed",
                                                   fields=[Named("field", f) for f in item["changed"]])
                                    if item["changed"] else Phrase.of("audit.reissue_as_is")))
            return Reissued(change=store.get_line_change(conn, batch_id, change_id))
        return Reissued(file=_send(ctx, conn, batch, corrected, current, actor, now))


def approve_change(ctx: Context, batch_id: str, change_id: int, approver: str) -> Reissued:
    """A second person approves a change of who is paid: the lines are checked again as they
    are now (the bank may have answered, the stop list grown) and go to the bank in a re-issue
    file. The approver may be neither whoever made the change nor the batch's submitter."""
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        change, batch = _pending(conn, batch_id, change_id, "approve")
        refused = duty_refused(Phrase.of("where.batch_change", batch=batch_id, change=change_id),
                               Duty.APPROVE_LINE_CHANGE, approver,
                               {Part.CHANGED: [change.requested_by], Part.SUBMITTED: [batch.submitted_by]})
        if refused:
            raise refused
        corrected = _open(ctx, change)
        batch, current = _checked(ctx, conn, batch_id, corrected, change.requested_by, now, change_id=change_id)
        file = _send(ctx, conn, batch, corrected, current, change.requested_by, now, approver=approver)
        if not store.decide_line_change(conn, change_id, batch_id, lc.APPROVED, approver, now, file_id=file.id):
            raise FailedPrecondition("error.change.decided", batch=batch_id, change=change_id)
        for ln in corrected:
            store.audit(conn, now, approver, "APPROVE_LINE_CHANGE", batch_id, ln.seq,
                        message("audit.change_approved", change=change_id, requester=change.requested_by,
                                file=file.id))
        return Reissued(file=file, change=store.get_line_change(conn, batch_id, change_id))


def refuse_change(ctx: Context, batch_id: str, change_id: int, reason: str, actor: str):
    """An approver refuses a change of who is paid, with a reason; the lines stay as they were
    (failed: to be re-issued otherwise, or given up)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("error.reason.required", [Violation("reason", "REQUIRED", "say why, for the record")])
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        change, _ = _pending(conn, batch_id, change_id, "refuse")
        store.decide_line_change(conn, change_id, batch_id, lc.REFUSED, actor, now, reason=reason[:1000])
        for item in json.loads(change.items):
            store.audit(conn, now, actor, "REFUSE_LINE_CHANGE", batch_id, item["seq"],
                        message("audit.change_refused", change=change_id, requester=change.requested_by,
                                reason=reason[:400]))
        return store.get_line_change(conn, batch_id, change_id)


def list_changes(ctx: Context, batch_id: str, state: str = ""):
    """A batch's changes of who is paid (in one state: PENDING, APPROVED, REFUSED), oldest first."""
    if state and state not in (lc.PENDING, lc.APPROVED, lc.REFUSED):
        raise InvalidInput("error.change.unknown_state", [Violation(
            "state", "UNKNOWN_STATE", f"one of {lc.PENDING}, {lc.APPROVED}, {lc.REFUSED}")], state=repr(state))
    with ctx.engine.connect() as conn:
        if store.get_batch(conn, batch_id) is None:
            raise NotFound("error.batch.none", batch=batch_id)
        return store.list_line_changes(conn, batch_id, state or None)


def _pending(conn, batch_id: str, change_id: int, what: str):
    batch = store.get_batch(conn, batch_id, for_update=True)
    change = store.get_line_change(conn, batch_id, change_id, for_update=True) if batch is not None else None
    if change is None:
        raise NotFound("error.change.none", batch=batch_id, change=change_id)
    if change.state != lc.PENDING:
        raise FailedPrecondition(f"error.change.not_pending.{what}", batch=batch_id, change=change_id,
                                 state=change.state)
    return change, batch


def _checked(ctx: Context, conn, batch_id: str, corrected: Sequence[PaymentLine], actor: str, now,
             change_id: int | None = None):
    """The batch and its named lines, once every check of a re-issue passed; raises otherwise
    (nothing changed). ``change_id``: the pending change being approved (its own lines)."""
    batch = _answered(conn, batch_id, "re-issue lines")
    latest = store.outbound_file(conn, batch_id)
    if latest is None or latest.state not in OUTBOUND_AT_BANK:
        raise FailedPrecondition("error.lines.in_flight", batch=batch_id, file=latest.name if latest else "-")
    seqs = [ln.seq for ln in corrected]
    current = {r.seq: r for r in store.lines_by_seq(conn, batch_id, seqs)}
    bad = _reissuable(ctx, conn, batch, seqs, current, now)
    for seq in seqs:
        row = current.get(seq)
        if row is not None and row.status == LineStatus.PENDING.value and row.allowed_by:
            refused = duty_refused(Phrase.of("where.batch_line", batch=batch_id, seq=seq), Duty.REISSUE_ON_LEAVE,
                                   actor, {Part.GAVE_LEAVE: [row.allowed_by]})
            if refused:
                raise refused
    waiting = {item["seq"]: row.id for row in store.list_line_changes(conn, batch_id, lc.PENDING)
               if row.id != change_id for item in json.loads(row.items)}
    bad += [Violation(f"lines[{seq}].seq", "LINE_CHANGE_PENDING",
                      f"line {seq} has change {waiting[seq]} waiting for approval; have it approved or refused first")
            for seq in seqs if seq in waiting]
    for ln in corrected:
        row = current.get(ln.seq)
        if row is not None and ln.amount_fen != row.amount_fen:
            bad.append(Violation(f"lines[{ln.seq}].amount_fen", "AMOUNT_CHANGED",
                                 f"line {ln.seq}: the amount {row.amount_fen} fen cannot change in a re-issue"))
        wrong = set()
        for problem in validation.check_line(ln, max_amount_fen=batch.max_amount_fen, today=beijing.day_of(now)):
            if problem.is_error:
                wrong.add(problem.field)
                bad.append(Violation(f"lines[{ln.seq}].{problem.field}", problem.code, problem.message))
        # what the bank's file cannot carry (its encoding, widths; control, bidi, line breaks), as at submission
        bad += [Violation(f"lines[{ln.seq}].{i.field}", i.code, i.message)
                for i in submission.carried_problems(ctx, batch.bank_code, ln) if i.field not in wrong]
    if bad:
        raise InvalidInput("error.lines.reissue_refused", bad, batch=batch_id)
    found = screening.before_storing(conn, batch, ctx.cipher, corrected, beijing.day_of(now),
                                     ctx.settings.policy(batch.program))
    conflicts = [Violation(f"lines[{i.seq}].{i.field}", i.code, i.message)
                 for seq in sorted(found) for i in found[seq] if i.severity != WARNING]
    if conflicts:
        raise InvalidInput("error.lines.reissue_conflicts", conflicts, batch=batch_id)
    return batch, current


def _send(ctx: Context, conn, batch, corrected: Sequence[PaymentLine], current: dict, actor: str, now,
          approver: str | None = None):
    """Store the corrected lines, move their money back to clearing and make the re-issue file."""
    batch_id = batch.id
    seqs = [ln.seq for ln in corrected]
    for ln in corrected:
        store.replace_line(conn, ctx.cipher, batch_id, ln, LineStatus.PENDING)
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
        why = Phrase.of("audit.reissue.unanswered" if current[ln.seq].status == LineStatus.PENDING.value
                        else "audit.reissue.corrected")
        store.audit(conn, now, actor, "REISSUE_LINE", batch_id, ln.seq,
                    message("audit.reissue_approved", approver=approver, why=why, file=file_id) if approver
                    else message("audit.reissue", why=why, file=file_id))
    return store.get_file(conn, file_id)


def _person_changes(conn, ctx: Context, batch_id: str, corrected: Sequence[PaymentLine]) -> list[dict]:
    """Per corrected line: what about who is paid changes (name, id_number, account_no), with
    the values before and after masked, for the approver to see."""
    stored = {r.seq: r for r in store.person_rows(conn, batch_id, [ln.seq for ln in corrected])}
    ids = ctx.cipher.index_many(ID, [ln.id_number.upper() for ln in corrected])
    accounts = ctx.cipher.index_many(ACCOUNT, [ln.account_no for ln in corrected])
    items = []
    for ln, id_index, account_index in zip(corrected, ids, accounts, strict=True):
        row = stored[ln.seq]
        changed = [name for name, differs in (("name", ln.name != row.name),
                                              ("id_number", id_index != bytes(row.id_index)),
                                              ("account_no", account_index != bytes(row.account_index))) if differs]
        items.append({
            "seq": ln.seq, "changed": changed, "amount_fen": ln.amount_fen,
            "before": {"name": mask_name(row.name), "id_number": row.id_masked, "account_no": row.account_masked},
            "after": {"name": mask_name(ln.name), "id_number": mask_id(ln.id_number.upper()),
                      "account_no": mask_account(ln.account_no)},
        })
    return items


def _seal(ctx: Context, corrected: Sequence[PaymentLine]) -> bytes:
    return ctx.cipher.seal(SEALED_FIELD, json.dumps([asdict(ln) for ln in corrected], ensure_ascii=False))


def _open(ctx: Context, change) -> list[PaymentLine]:
    rows = json.loads(ctx.cipher.open(SEALED_FIELD, change.lines_sealed))
    return [PaymentLine(**{**row, "account_kind": AccountKind(row["account_kind"])}) for row in rows]


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
            raise InvalidInput("error.lines.no_leave", bad, batch=batch_id)
        store.allow_reissue(conn, batch_id, seqs, actor)
        for seq in seqs:
            store.audit(conn, now, actor, "ALLOW_REISSUE_UNANSWERED", batch_id, seq,
                        message("audit.leave", reason=reason[:400]))
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
            raise InvalidInput("error.lines.nothing_given_up", bad, batch=batch_id)
        store.set_line_status(conn, batch_id, seqs, LineStatus.GIVEN_UP)
        for seq in seqs:
            store.audit(conn, now, actor, "GIVE_UP_LINE", batch_id, seq, message("audit.given_up", reason=reason[:400]))
        return store.get_batch(conn, batch.id)


def _lines_and_reason(seqs: Sequence[int], reason: str) -> str:
    """The reason, stripped, once lines are named and a reason is given (for the record)."""
    reason = (reason or "").strip()
    if not seqs:
        raise InvalidInput("error.lines.none_named", [Violation("seqs", "REQUIRED", "name at least one line")])
    if not reason:
        raise InvalidInput("error.reason.required", [Violation("reason", "REQUIRED", "say why, for the record")])
    return reason


def _answered(conn, batch_id: str, what: str):
    batch = store.get_batch(conn, batch_id, for_update=True)
    if batch is None:
        raise NotFound("error.batch.none", batch=batch_id)
    if batch.status not in ANSWERED or batch.dispatched_at is None:
        raise FailedPrecondition("error.batch.not_answered", batch=batch_id, status=Named("batch_status", batch.status),
                                 action=action(what))
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
