"""The gRPC side of bank statements: hand one in, list them, reconcile them.

Kept apart from the servicer so that it stays a list of one-line methods; the work is in
:mod:`service.statements`.
"""
from __future__ import annotations

import json
from datetime import date

from adapter import handed_in
from adapter.convert import page_size, timestamp
from adapter.reading_report_pb import reading_to_pb
from i18n.stored import shown
from ledger import statements as repo
from service import retention, statements
from service.context import Context
from service.errors import InvalidInput, Violation
from service.scope import EVERY_BANK, Scope
from ykt.v1 import disbursement_pb2 as pb


def file_to_pb(row) -> pb.StatementFile:
    """A ``statement_files`` row."""
    return pb.StatementFile(
        file_id=row.id, bank_code=row.bank_code, name=row.name, sha256=row.sha256, state=row.state,
        duplicate_of=row.duplicate_of or 0, last_error=shown(row.last_error), received_by=row.received_by,
        received_at=timestamp(row.received_at), archived_at=timestamp(row.archived_at),
        statement_id=row.statement_id or "", account=row.account or "",
        from_date=row.from_date.isoformat() if row.from_date else "",
        to_date=row.to_date.isoformat() if row.to_date else "",
        opening_balance_fen=row.opening_balance_fen or 0, closing_balance_fen=row.closing_balance_fen or 0,
        entry_count=row.entry_count or 0, credit_fen=row.credit_fen or 0, debit_fen=row.debit_fen or 0,
        reading_report=reading_to_pb(getattr(row, "reading_report", None)),
    )


def ingest(ctx: Context, request_iterator, user: str, scope: Scope = EVERY_BANK) -> pb.IngestStatementFileResponse:
    """Take in a statement handed in over gRPC (a bank's user: for its own banks only)."""
    f = handed_in.spool(ctx, request_iterator, scope)
    outcome = statements.ingest_statement(ctx, f.bank_code, f.path, f.name, actor=user, signature=f.signature)
    retention.after_taking(ctx, f.bank_code, outcome.state, f.path, f.signature)
    return pb.IngestStatementFileResponse(file=file_to_pb(statements.get_file(ctx, outcome.file_id)),
                                          problems=[shown(p) for p in outcome.problems])


def list_files(ctx: Context, request) -> pb.ListStatementFilesResponse:
    size = page_size(request.page_size)
    with ctx.engine.connect() as conn:
        rows = repo.list_files(conn, request.bank_code or None, request.state or None, size, request.after_file_id)
    return pb.ListStatementFilesResponse(files=[file_to_pb(r) for r in rows],
                                         next_after_file_id=rows[-1].id if len(rows) == size else 0)


def reconciliation(ctx: Context, request) -> pb.StatementReconciliation:
    if request.statement_file_id:
        rec = statements.reconcile_file(ctx, request.statement_file_id)
    else:
        rec = statements.reconcile_account(ctx, request.bank_code, request.account,
                                           _day(request.from_date, "from_date"), _day(request.to_date, "to_date"))
    content = statements.content(ctx, rec)
    r = rec.result
    listed = [item for slot in content["breaks"].values() for item in slot["items"]]
    return pb.StatementReconciliation(
        clean=r.clean, in_balance=r.in_balance, opening_fen=r.opening_fen, closing_fen=r.closing_fen,
        ledger_balance_fen=r.ledger_balance_fen, unexplained_fen=r.unexplained_fen, matched_entries=len(r.matched),
        breaks=[pb.StatementBreak(
            kind=b["kind"], statement_id=b["statement_id"], entry_seq=b["entry_seq"] or 0, batch_id=b["batch_id"],
            line_seq=b["line_seq"] or 0, statement_fen=b["statement_fen"], ledger_fen=b["ledger_fen"],
            day=b["day"] or "", transaction_ids=b["transaction_ids"], detail=b["detail"]) for b in listed],
        content_json=json.dumps(content, ensure_ascii=False, sort_keys=True),
    )


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("error.request.not_a_date", [Violation(field, "INVALID", "YYYY-MM-DD")], field=field) from None


def render(reply: pb.StatementReconciliation) -> str:
    """The reconciliation as text for people: the statements, the balances, then every break."""
    content = json.loads(reply.content_json)
    out = [f"statement reconciliation 对账单核对: bank {content['bank_code']} account {content['account']} "
           f"{content['from_date']} .. {content['to_date']}"]
    for s in content["statements"]:
        out.append(f"  statement {s['statement_id']} ({s['name']}, file {s['file_id']}): {s['from_date']}..{s['to_date']} "
                   f"opening {s['opening_fen']} closing {s['closing_fen']} fen, {s['entries']} entries")
    out.append(f"  opening {reply.opening_fen}  closing {reply.closing_fen}  ledger {reply.ledger_balance_fen} fen; "
               f"{reply.matched_entries} entries matched; unexplained {reply.unexplained_fen} fen")
    out.append(f"  {'CLEAN' if reply.clean else 'BREAKS'}; {'in balance' if reply.in_balance else 'NOT in balance'}")
    for b in reply.breaks:
        where = f"{b.statement_id}#{b.entry_seq}" if b.entry_seq else (b.statement_id or "ledger")
        line = f" line {b.line_seq}" if b.line_seq else ""
        out.append(f"  {b.kind:<20} {where:<24} batch {b.batch_id or '-'}{line}: statement {b.statement_fen} "
                   f"ledger {b.ledger_fen} fen; {b.detail}")
    return "\n".join(out)
