"""Use cases of a batch between its roster and the bank: approve, fund, look up.

Submission and line corrections live in :mod:`service.submission`.
"""
from __future__ import annotations

import re
from datetime import date

from domain import beijing, duties, programs, workdays
from domain.duties import Duty, Part
from domain.model import BatchHeader, BatchStatus, LineStatus
from domain.postings import BatchAccounts, funding
from i18n import Named, Phrase
from i18n.stored import message
from ledger import store
from service import errors, screening
from service.context import Context
from service.errors import (
    FailedPrecondition,
    InvalidInput,
    NotFound,
    Violation,
    duty_refused,
)
from service.scope import EVERY_BANK, Scope

_REGION = re.compile(r"[0-9]{6}\Z")  # six ASCII digits; \Z: no newline after them
CORRECTED = "CORRECT_LINE"  # the audit action of a correction (service.submission.correct_lines)


def approve(ctx: Context, batch_id: str, approver: str):
    """A second person approves the batch: entry and approval are separate duties. Whoever
    submitted the batch or corrected any of its lines may not approve it (:mod:`domain.duties`).

    What is approved is what will be paid: the accepted lines. Held and removed lines stay on
    the roster and in the reconciliation, outside the instruction.
    """
    with ctx.engine.begin() as conn:
        batch = get_for_update(conn, batch_id)
        expect_status(batch, BatchStatus.SUBMITTED, "approve")
        refused = duty_refused(Phrase.of("where.batch", batch=batch_id), Duty.APPROVE_BATCH, approver, {
            Part.SUBMITTED: [batch.submitted_by],
            Part.CORRECTED: store.actors(conn, batch_id, [CORRECTED]),
        })
        if refused:
            raise refused
        now = ctx.clock()
        held = screening.hold_stopped(conn, batch_id, beijing.day_of(now), now)
        count, fen = store.line_status_totals(conn, batch_id).get(LineStatus.PENDING.value, (0, 0))
        if count == 0:
            raise FailedPrecondition("error.batch.nothing_to_pay", batch=batch_id)
        store.update_batch(
            conn,
            batch_id,
            BatchStatus.SUBMITTED,
            status=BatchStatus.APPROVED.value,
            approved_by=approver,
            approved_at=now,
            line_count=count,
            total_fen=fen,
        )
        store.audit(conn, now, approver, "APPROVE", batch_id, None,
                    message("audit.approve_held", count=count, fen=fen, held=held) if held
                    else message("audit.approve", count=count, fen=fen))
        return store.get_batch(conn, batch_id)


def fund(ctx: Context, batch_id: str, amount_fen: int, actor: str):
    """Finance moved the batch total to the bank's clearing account: book it, start the clock.

    Its approver may not fund it, unless the settings name the batch's program in ``[duties]
    approver_may_fund`` (:mod:`domain.duties`)."""
    with ctx.engine.begin() as conn:
        batch = get_for_update(conn, batch_id)
        expect_status(batch, BatchStatus.APPROVED, "fund")
        waived = duties.WAIVABLE[Duty.FUND_BATCH] if batch.program in ctx.settings.approver_may_fund else ()
        refused = duty_refused(Phrase.of("where.batch", batch=batch_id), Duty.FUND_BATCH, actor,
                               {Part.APPROVED: [batch.approved_by]}, waived)
        if refused:
            raise refused
        if amount_fen != batch.total_fen:
            raise InvalidInput(
                "error.batch.funding_mismatch",
                [Violation("amount_fen", "FUNDING_MISMATCH",
                           f"funded {amount_fen} fen, batch total is {batch.total_fen} fen")],
                batch=batch_id,
            )
        now = ctx.clock()
        bank = ctx.settings.bank(batch.bank_code)
        try:
            due = workdays.add_working_days(beijing.day_of(now), bank.payment_days, ctx.settings.calendar)
        except workdays.CalendarRangeError as exc:
            raise FailedPrecondition("error.batch.deadline", batch=batch_id, error=exc.phrase) from exc
        store.post(conn, funding(batch_id, accounts_of(batch), amount_fen), now)
        store.update_batch(
            conn,
            batch_id,
            BatchStatus.APPROVED,
            status=BatchStatus.FUNDED.value,
            funded_by=actor,
            funded_fen=amount_fen,
            funded_at=now,
            payment_due=due,
        )
        store.audit(conn, now, actor, "FUND", batch_id, None, message("audit.fund", fen=amount_fen))
        return store.get_batch(conn, batch_id)


def get(ctx: Context, batch_id: str, scope: Scope = EVERY_BANK):
    """A batch and its lines' totals by status, if ``scope`` may see it (NOT_FOUND otherwise)."""
    with ctx.engine.connect() as conn:
        batch = scope.batch(store.get_batch(conn, batch_id), batch_id)
        return batch, store.line_status_totals(conn, batch_id)


def lines_in(ctx: Context, batch_id: str, status: str, after_seq: int, limit: int):
    """One page of a batch's lines in ``status`` (rows with masked personal data only)."""
    try:
        wanted = LineStatus(status)
    except ValueError:
        raise InvalidInput("error.batch.unknown_line_status", [Violation(
            "status", "UNKNOWN_STATUS", f"one of {', '.join(s.value for s in LineStatus)}")],
            status=repr(status)) from None
    with ctx.engine.connect() as conn:
        if store.get_batch(conn, batch_id) is None:
            raise NotFound("error.batch.none", batch=batch_id)
        return store.line_rows(conn, batch_id, [wanted], limit=limit, after_seq=after_seq)


def accounts_of(batch) -> BatchAccounts:
    return BatchAccounts(region=batch.region, bank_code=batch.bank_code, program=batch.program)


def get_for_update(conn, batch_id: str):
    batch = store.get_batch(conn, batch_id, for_update=True)
    if batch is None:
        raise NotFound("error.batch.none", batch=batch_id)
    return batch


def expect_status(batch, status: BatchStatus, action: str) -> None:
    if batch.status != status.value:
        raise FailedPrecondition("error.batch.state", batch=batch.id, status=Named("batch_status", batch.status),
                                 wanted=Named("batch_status", status.value), action=errors.action(action))


def check_header(ctx: Context, h: BatchHeader) -> None:
    bad: list[Violation] = []

    def need(ok: bool, field: str, code: str, text: str) -> None:
        if not ok:
            bad.append(Violation(f"header.{field}", code, text))

    need(0 < len(h.idempotency_key) <= 128, "idempotency_key", "REQUIRED", "1 to 128 characters")
    need(0 < len(h.program) <= 64, "program", "REQUIRED", "1 to 64 characters")
    need(0 < len(h.period) <= 16, "period", "REQUIRED", "1 to 16 characters, e.g. 2026-11")
    need(bool(_REGION.match(h.region)), "region", "REGION_FORMAT", "a 6-digit division code")
    need(h.bank_code in ctx.settings.banks, "bank_code", "UNKNOWN_BANK",
         f"{h.bank_code!r} is not a configured bank ({', '.join(sorted(ctx.settings.banks))})")
    need(0 < len(h.payer_name) <= 140, "payer_name", "REQUIRED", "1 to 140 characters")
    need(0 < len(h.payer_account) <= 34, "payer_account", "REQUIRED", "1 to 34 characters")
    need(type(h.control_count) is int and h.control_count > 0, "control_count", "CONTROL_COUNT",
         "must be a positive line count")
    need(type(h.control_total_fen) is int and h.control_total_fen > 0, "control_total_fen",
         "CONTROL_TOTAL", "must be a positive amount in fen")
    need(h.max_amount_fen is None or h.max_amount_fen > 0, "max_amount_fen", "STANDARD",
         "the program standard must be positive when given")
    need(bool(h.submitted_by), "submitted_by", "REQUIRED", "who submits the batch")
    if not bad:  # the registry judges a header whose fields are sound
        bad += [Violation(f"header.{r.field}", r.code, r.text)
                for r in programs.check(ctx.settings.registry, h.program, h.period, h.max_amount_fen)]
    if bad:
        raise InvalidInput("error.batch.header_rejected", bad)


def result_due(ctx: Context, batch) -> date:
    """The Beijing day by which the bank must have answered a funded batch (its profile's
    ``result_days`` working days from the funding day)."""
    bank = ctx.settings.bank(batch.bank_code)
    return workdays.add_working_days(beijing.day_of(batch.funded_at), bank.result_days, ctx.settings.calendar)
