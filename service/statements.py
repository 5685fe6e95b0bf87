"""Bank statements of the agency clearing account: take them in, and reconcile them.

A statement is the bank's independent view of the account: it is stored, never posted, and
reconciled with the ledger by :mod:`domain.statement_match`. It arrives like a result file —
in the bank's outbox, told apart by the profile's statement name pattern, or handed in by RPC —
and is taken exactly once: recorded by bank and content digest in the same database transaction
that stores its entries, so a crash stores nothing (the bank's copy is still there and is
fetched again), a re-delivery of the same bytes is a DUPLICATE that stores nothing, and a
statement that cannot be read (or contradicts one already stored under its statement id) is
QUARANTINED with the reasons the format reader gives: file, line or XPath, and field.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bank_formats import FormatError
from domain.masking import mask_account, mask_name
from domain.reading_report import reading_columns, reading_report
from domain.statement_match import DEFAULT_TOLERANCE_DAYS, LABELS, BreakKind, Reconciliation, match, reconcile
from filesec import FileSecurityError
from i18n import Each, Named
from i18n.library_words import said
from i18n.stored import as_phrase, message, messages, shown
from ledger import statements as repo
from service import file_security
from service.context import Context
from service.errors import FailedPrecondition, InvalidInput, NotFound, Violation
from service.leases import Lease
from sftp.client import sha256_file

log = logging.getLogger("ykt.statements")

MAX_LISTED = 1000  # breaks listed per kind; counts and sums always cover all


class StatementState(enum.StrEnum):
    STORED = "STORED"  # read cleanly; its entries are stored for reconciliation
    DUPLICATE = "DUPLICATE"  # the same bytes came before; stored nothing
    QUARANTINED = "QUARANTINED"  # unreadable or contradicting a stored statement; stored nothing


@dataclass(frozen=True, slots=True)
class StatementOutcome:
    file_id: int
    state: StatementState
    statement_id: str = ""
    account: str = ""
    entries: int = 0
    duplicate_of: int | None = None
    problems: list[str] = field(default_factory=list)  # stored messages (i18n.stored), said where shown
    already_taken: bool = False  # this very remote file was taken before: nothing new recorded


class _Quarantine(Exception):
    """Why a statement is quarantined: ``problems`` are stored messages (i18n.stored)."""

    def __init__(self, problems: list[str]):
        super().__init__(shown(messages(problems), "en"))
        self.problems = problems


def ingest_statement(
    ctx: Context, bank_code: str, local_path: Path, name: str, remote_path: str | None = None,
    actor: str = "worker", *, remote_mtime: int | None = None, lease: Lease | None = None,
    signature: Path | None = None,
) -> StatementOutcome:
    """Record and store one statement file (see the module docstring). ``lease`` is the
    poller's, whose fence every change checks; ``signature`` the bank's detached signature."""
    bank = ctx.settings.bank(bank_code)
    size, sha256 = sha256_file(local_path)
    origin = {"remote_path": remote_path, "remote_mtime": remote_mtime}
    for attempt in range(2):
        try:
            with ctx.engine.begin() as conn:
                if lease is not None:
                    lease.check(conn)
                now = ctx.clock()
                first = repo.first_delivery(conn, bank_code, sha256)
                if first is not None:
                    return _again(conn, first, bank_code, name, origin, size, sha256, actor, now)
                file_id = repo.insert_file(conn, bank_code=bank_code, name=name, sha256=sha256, size=size,
                                           state=StatementState.STORED.value, received_by=actor,
                                           received_at=now, **origin)
                return _store(ctx, conn, bank, file_id, local_path, signature, name)
        except IntegrityError:
            if attempt:
                raise
            continue  # another instance recorded the same bytes a moment ago: look again
        except (_Quarantine, FormatError) as exc:
            problems = exc.problems if isinstance(exc, _Quarantine) else [
                message("statement.format_problem", name=name, problem=as_phrase(p.stored())) for p in exc.problems]
            return _quarantine(ctx, lease, bank_code, name, origin, size, sha256, actor, problems)
    raise AssertionError("unreachable")  # pragma: no cover


def _again(conn, first, bank_code, name, origin, size, sha256, actor, now) -> StatementOutcome:
    """The same bytes were taken before: this remote file itself (nothing new), or a re-delivery."""
    if origin["remote_path"] is not None and repo.by_remote(conn, bank_code, origin["remote_path"], size,
                                                            origin["remote_mtime"]):
        return StatementOutcome(first.id, StatementState(first.state), first.statement_id or "",
                                first.account or "", already_taken=True)
    dup = repo.insert_file(conn, bank_code=bank_code, name=name, sha256=sha256, size=size,
                           state=StatementState.DUPLICATE.value, duplicate_of=first.id, received_by=actor,
                           received_at=now, last_error=message("statement.duplicate", file=first.id, name=first.name),
                           **origin)
    log.info("bank %s: statement %s is a re-delivery of file %s; stored nothing", bank_code, name, first.id)
    return StatementOutcome(dup, StatementState.DUPLICATE, first.statement_id or "", first.account or "",
                            duplicate_of=first.id)


def _quarantine(ctx, lease, bank_code, name, origin, size, sha256, actor, problems) -> StatementOutcome:
    with ctx.engine.begin() as conn:
        if lease is not None:
            lease.check(conn)
        first = repo.first_delivery(conn, bank_code, sha256)
        if first is not None:  # recorded by another instance meanwhile
            return _again(conn, first, bank_code, name, origin, size, sha256, actor, ctx.clock())
        file_id = repo.insert_file(conn, bank_code=bank_code, name=name, sha256=sha256, size=size,
                                   state=StatementState.QUARANTINED.value, received_by=actor,
                                   received_at=ctx.clock(), last_error=messages(problems[:20]), **origin)
    log.warning("bank %s: statement %s quarantined, stored nothing: %s", bank_code, name,
                [shown(p, "en") for p in problems[:3]])
    return StatementOutcome(file_id, StatementState.QUARANTINED, problems=problems)


def _store(ctx: Context, conn, bank, file_id: int, local_path: Path, signature: Path | None,
           name: str) -> StatementOutcome:
    """Read the statement into ``statement_entries`` inside the caller's transaction; raises
    _Quarantine or FormatError (the transaction then rolls back: nothing stored)."""
    if local_path.stat().st_size == 0:
        raise _Quarantine([message("statement.empty", name=name)])
    clear = ctx.settings.data_dir / "inbound" / bank.code / "clear"
    clear.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        readable = file_security.open_inbound(bank, local_path, signature, clear, name=name)
    except FileSecurityError as exc:
        raise _Quarantine([message("ingest.file_security", error=said(exc))]) from exc
    try:
        with open(readable, "rb") as src:
            try:
                reader = bank.statement_format.read_statement(src, name)
                rows, count = [], 0
                for e in reader:
                    count += 1
                    rows.append((file_id, e.seq, e.side.value, e.amount_fen, e.booking_date, e.reference,
                                 e.batch_id, e.line_seq, mask_name(e.counterparty_name),
                                 mask_account(e.counterparty_account), e.remark[:400]))
                    if len(rows) >= 5000:
                        repo.insert_entries(conn, rows)
                        rows = []
                repo.insert_entries(conn, rows)
                header = reader.header  # after the entries: MT940 and CSV state it once read
            except (FormatError, SQLAlchemyError):
                raise
            except Exception as exc:  # noqa: BLE001 - a reader's surprise is the file's fault
                raise _Quarantine([message("statement.unreadable", name=name,
                                           error=f"{type(exc).__name__}: {exc}")]) from exc
    finally:
        if readable != local_path:
            readable.unlink(missing_ok=True)
    if header.currency != "CNY":
        raise _Quarantine([message("statement.currency", name=name, currency=header.currency)])
    other = repo.stored_with_id(conn, bank.code, header.account, header.statement_id)
    if other is not None:
        raise _Quarantine([message("statement.other_content", name=name, statement=header.statement_id,
                                   account=header.account, file=other.id, other=other.name)])
    repo.update_file(conn, file_id, statement_id=header.statement_id, account=header.account,
                     created_at=header.created_at, from_date=header.from_date, to_date=header.to_date,
                     currency=header.currency, opening_balance_fen=header.opening_balance_fen,
                     closing_balance_fen=header.closing_balance_fen, entry_count=count,
                     credit_fen=header.credit_fen, debit_fen=header.debit_fen,
                     **reading_columns(reading_report(count, header.credit_fen + header.debit_fen,
                                                      getattr(reader, "skipped", []), getattr(reader, "notes", []))))
    log.info("bank %s: stored statement %s (%s, account %s, %d entries)", bank.code, header.statement_id,
             name, header.account, count)
    return StatementOutcome(file_id, StatementState.STORED, header.statement_id, header.account, count)


def mark_archived(ctx: Context, file_ids: list[int], lease: Lease) -> None:
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        lease.check(conn)
        for file_id in file_ids:
            repo.update_file(conn, file_id, archived_at=now)


def get_file(ctx: Context, file_id: int):
    with ctx.engine.connect() as conn:
        row = repo.get_file(conn, file_id)
    if row is None:
        raise NotFound("error.statement.none", file=file_id)
    return row


# --- reconciliation --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountReconciliation:
    bank_code: str
    account: str
    files: list  # the statement file rows reconciled, in order
    result: Reconciliation


def reconcile_account(ctx: Context, bank_code: str, account: str, from_date: date, to_date: date,
                      tolerance_days: int = DEFAULT_TOLERANCE_DAYS) -> AccountReconciliation:
    """The account's stored statements lying within the period against the ledger."""
    ctx.settings.bank(bank_code)
    if not account:
        raise InvalidInput("error.statement.no_account", [Violation("account", "REQUIRED", "the clearing account's number")])
    if to_date < from_date:
        raise InvalidInput("error.statement.period", [Violation("to_date", "OUT_OF_RANGE", "on or after from_date")])
    slack = timedelta(days=tolerance_days)
    with ctx.engine.connect() as conn:
        rows = repo.stored_in_period(conn, bank_code, account, from_date, to_date)
        stmts = repo.statements(conn, rows)
        batch_ids = repo.account_batches(bank_code, account)
        moves = repo.movements(conn, bank_code, batch_ids, from_date - slack, to_date + slack)
        balance = repo.balance(conn, bank_code, batch_ids, to_date)
    result = reconcile(stmts, moves, balance, from_date, to_date, tolerance_days)
    return AccountReconciliation(bank_code, account, rows, result)


def reconcile_file(ctx: Context, file_id: int) -> AccountReconciliation:
    """The reconciliation of the period of one stored statement (with the account's other
    statements of that period, so that a day with several statements reconciles whole)."""
    row = get_file(ctx, file_id)
    if row.state != StatementState.STORED.value:
        raise FailedPrecondition("error.statement.not_stored", file=file_id, state=Named("statement_state", row.state),
                                 error=Each.of(lambda lang: shown(row.last_error or message("statement.no_reason"),
                                                                  lang)))
    return reconcile_account(ctx, row.bank_code, row.account, row.from_date, row.to_date)


def content(ctx: Context, rec: AccountReconciliation) -> dict:
    """The reconciliation as JSON-ready data: statements, totals, matched, breaks by kind."""
    r = rec.result
    breaks = {k.value: {"label": LABELS[k], "count": 0, "statement_fen": 0, "ledger_fen": 0, "items": []}
              for k in BreakKind}
    for b in r.breaks:
        slot = breaks[b.kind.value]
        slot["count"] += 1
        slot["statement_fen"] += b.statement_fen
        slot["ledger_fen"] += b.ledger_fen
        if len(slot["items"]) < MAX_LISTED:
            slot["items"].append(break_dict(b))
    return {
        "report": "statement reconciliation 对账单核对",
        "generated_at": ctx.clock().isoformat(timespec="seconds"),
        "bank_code": rec.bank_code,
        "account": rec.account,
        "from_date": r.from_date.isoformat(),
        "to_date": r.to_date.isoformat(),
        "statements": [{"file_id": f.id, "name": f.name, "statement_id": f.statement_id,
                        "from_date": f.from_date.isoformat(), "to_date": f.to_date.isoformat(),
                        "opening_fen": int(f.opening_balance_fen), "closing_fen": int(f.closing_balance_fen),
                        "entries": f.entry_count} for f in rec.files],
        "statement": {"opening_fen": r.opening_fen, "closing_fen": r.closing_fen, "credit_fen": r.credit_fen,
                      "debit_fen": r.debit_fen, "entries": r.entries},
        "ledger": {"balance_fen": r.ledger_balance_fen},
        "matched": {"entries": len(r.matched), "fen": sum(m.amount_fen for m in r.matched)},
        "breaks": breaks,
        "unexplained_fen": r.unexplained_fen,
        "in_balance": r.in_balance,
        "clean": r.clean,
    }


def break_dict(b) -> dict:
    return {"kind": b.kind.value, "statement_id": b.statement_id, "entry_seq": b.entry_seq,
            "batch_id": b.batch_id, "line_seq": b.line_seq, "statement_fen": b.statement_fen,
            "ledger_fen": b.ledger_fen, "day": b.day.isoformat() if b.day else None,
            "transaction_ids": list(b.transaction_ids), "detail": b.detail}


def batch_figures(conn, batch) -> dict:
    """What the bank's statements show for one batch: funded, paid and refunded as the
    statement entries matched to the batch's ledger movements, and the breaks between them
    over the days the statements cover."""
    located = repo.batch_entries(conn, batch.id)
    figures = {"label": "银行对账单 the bank's statement of the clearing account",
               "statements": len({sid for sid, _ in located}), "entries": len(located),
               "funded_fen": 0, "paid_fen": 0, "refunded_fen": 0, "other_fen": 0, "breaks": {}}
    if not located:
        return figures
    first = min(e.booking_date for _, e in located)
    last = max(e.booking_date for _, e in located)
    slack = timedelta(days=DEFAULT_TOLERANCE_DAYS)
    moves = repo.movements(conn, batch.bank_code, [batch.id], first - slack, last + slack)
    matched, breaks = match(located, moves, first, last)
    for m in matched:
        key = {"FUND": "funded_fen", "RESULT": "paid_fen", "REFUND": "refunded_fen"}.get(m.kind, "other_fen")
        figures[key] += m.amount_fen if key in ("funded_fen", "other_fen") else -m.amount_fen
    for b in breaks:
        figures["breaks"][b.kind.value] = figures["breaks"].get(b.kind.value, 0) + 1
    return figures
