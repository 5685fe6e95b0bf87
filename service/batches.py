"""Use cases of a batch before it leaves for the bank: submit, approve, fund, look up."""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from domain import workdays
from domain.model import BatchHeader, BatchStatus, PaymentLine
from domain.postings import BatchAccounts, funding
from domain.validation import BatchChecker, LineError
from ledger import store
from service.context import Context
from service.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Violation,
)

MAX_VIOLATIONS = 100  # shown in one response; the total count is always given
_REGION = re.compile(r"^\d{6}$")


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    batch_id: str
    replayed: bool  # the idempotency key was seen before with the same content
    line_count: int
    total_fen: int
    warnings: list[LineError]


def submit(ctx: Context, header: BatchHeader, lines: Iterable[PaymentLine]) -> SubmitOutcome:
    """Validate and store a batch, all or nothing; the same request twice gives one batch.

    ``lines`` is consumed once, as a stream: a million-line batch is never held in memory.
    Any rejected line rejects the batch with every violation listed, and nothing is stored.
    """
    _check_header(ctx, header)
    digest = _RequestDigest(header)
    with ctx.engine.connect() as conn:
        existing = store.batch_by_key(conn, header.idempotency_key)
    if existing is not None:
        return _replay(existing, digest, lines)

    now = ctx.clock()
    batch_id = f"B{now:%Y%m%d}{secrets.token_hex(4).upper()}"
    checker = BatchChecker(max_amount_fen=header.max_amount_fen, today=now.date())
    errors: list[LineError] = []
    error_count = 0
    warnings: list[LineError] = []
    try:
        with ctx.engine.begin() as conn:
            store.insert_batch(
                conn,
                id=batch_id,
                idempotency_key=header.idempotency_key,
                request_digest="pending",
                program=header.program,
                period=header.period,
                region=header.region,
                bank_code=header.bank_code,
                payer_name=header.payer_name,
                payer_account=header.payer_account,
                line_count=header.control_count,
                total_fen=header.control_total_fen,
                max_amount_fen=header.max_amount_fen,
                status=BatchStatus.SUBMITTED.value,
                submitted_by=header.submitted_by,
                created_at=now,
            )
            chunk: list[PaymentLine] = []
            for line in lines:
                digest.add(line)
                for p in checker.check(line):
                    if p.severity == "warning":
                        if len(warnings) < MAX_VIOLATIONS:
                            warnings.append(p)
                    else:
                        error_count += 1
                        if len(errors) < MAX_VIOLATIONS:
                            errors.append(p)
                if error_count:
                    continue  # keep reading to report every problem, but store nothing more
                chunk.append(line)
                if len(chunk) >= store.CHUNK:
                    store.insert_lines(conn, batch_id, chunk)
                    chunk.clear()
            for p in checker.finish(header.control_count, header.control_total_fen):
                error_count += 1
                if len(errors) < MAX_VIOLATIONS:
                    errors.append(p)
            if error_count:
                raise InvalidInput(
                    f"batch rejected: {error_count} problem(s) in its lines; nothing was stored",
                    [_violation(e) for e in errors],
                    total=error_count,
                )
            if chunk:
                store.insert_lines(conn, batch_id, chunk)
            store.update_batch(conn, batch_id, None, request_digest=digest.hexdigest())
    except IntegrityError:
        # Another request with the same key won the race; answer as a replay of it.
        with ctx.engine.connect() as conn:
            existing = store.batch_by_key(conn, header.idempotency_key)
        if existing is None:
            raise
        return _compare(existing, digest)
    return SubmitOutcome(batch_id, False, header.control_count, header.control_total_fen, warnings)


def approve(ctx: Context, batch_id: str, approver: str):
    """A second person approves the batch: entry and approval are separate duties."""
    with ctx.engine.begin() as conn:
        batch = _get_for_update(conn, batch_id)
        expect_status(batch, BatchStatus.SUBMITTED, "approve")
        if not approver or approver == batch.submitted_by:
            raise PermissionDenied(
                f"batch {batch_id}: the approver must be someone other than its submitter "
                f"({batch.submitted_by})"
            )
        store.update_batch(
            conn,
            batch_id,
            BatchStatus.SUBMITTED,
            status=BatchStatus.APPROVED.value,
            approved_by=approver,
            approved_at=ctx.clock(),
        )
        return store.get_batch(conn, batch_id)


def fund(ctx: Context, batch_id: str, amount_fen: int, actor: str):
    """Finance moved the batch total to the bank's clearing account: book it, start the clock."""
    with ctx.engine.begin() as conn:
        batch = _get_for_update(conn, batch_id)
        expect_status(batch, BatchStatus.APPROVED, "fund")
        if amount_fen != batch.total_fen:
            raise InvalidInput(
                f"batch {batch_id}: funding must equal the batch total",
                [Violation("amount_fen", "FUNDING_MISMATCH",
                           f"funded {amount_fen} fen, batch total is {batch.total_fen} fen")],
            )
        now = ctx.clock()
        bank = ctx.settings.bank(batch.bank_code)
        try:
            due = workdays.add_working_days(now.date(), bank.payment_days)
        except workdays.CalendarRangeError as exc:
            raise FailedPrecondition(f"batch {batch_id}: cannot set its payment deadline: {exc}") from exc
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
        return store.get_batch(conn, batch_id)


def get(ctx: Context, batch_id: str):
    with ctx.engine.connect() as conn:
        batch = store.get_batch(conn, batch_id)
        if batch is None:
            raise NotFound(f"no batch {batch_id}")
        return batch, store.line_status_totals(conn, batch_id)


def accounts_of(batch) -> BatchAccounts:
    return BatchAccounts(region=batch.region, bank_code=batch.bank_code, program=batch.program)


def _get_for_update(conn, batch_id: str):
    batch = store.get_batch(conn, batch_id, for_update=True)
    if batch is None:
        raise NotFound(f"no batch {batch_id}")
    return batch


def expect_status(batch, status: BatchStatus, action: str) -> None:
    if batch.status != status.value:
        raise FailedPrecondition(
            f"batch {batch.id} is {batch.status}; only a {status.value} batch can {action}"
        )


def _check_header(ctx: Context, h: BatchHeader) -> None:
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
    if bad:
        raise InvalidInput("batch header rejected; nothing was stored", bad)


def _violation(e: LineError) -> Violation:
    field = f"lines[{e.seq}].{e.field}" if e.seq else f"batch.{e.field}"
    return Violation(field, e.code, e.message)


class _RequestDigest:
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
        self._put(
            ln.seq, ln.name, ln.id_number, ln.account_no, ln.amount_fen, ln.account_kind,
            ln.bank_name, ln.subsidy_item, ln.remark, ln.phone, ln.address, ln.household_no,
        )

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def _replay(existing, digest: _RequestDigest, lines: Iterable[PaymentLine]) -> SubmitOutcome:
    for line in lines:
        digest.add(line)
    return _compare(existing, digest)


def _compare(existing, digest: _RequestDigest) -> SubmitOutcome:
    if existing.request_digest != digest.hexdigest():
        raise AlreadyExists(
            f"idempotency key already used for batch {existing.id} with different content"
        )
    return SubmitOutcome(existing.id, True, existing.line_count, existing.total_fen, [])
